"""Lead to cash, for the country manager's Monday meeting (DOMAIN.md §3): what was booked, shipped, invoiced and paid.

Last week, this week and next week (expected) of the four steps; the 13 weeks of the fiscal quarter; the projection
to quarter end against the revenue target; days from order to cash and their trend; and the orders waiting at each
step, with the orders behind each figure.

Which quarter: the fiscal quarter holding the filter period's last day — the as-of day when the period ends later —
as it stood on that day. The default period (this quarter to date) gives the as-of day's quarter; "last quarter"
replays that quarter's last Monday meeting. The KPI cards read the filter period itself, like every page's.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from metrics.lead_to_cash import DEFINITIONS, FLOWS, MONDAY_WEEKS, WAITING_LISTS, QuarterWeek, monday_weeks, quarter_weeks
from metrics.registry import REGISTRY
from ui import cache, charts, filterbar, widgets
from ui import format as fmt
from ui.i18n import current_lang, join, t
from ui.session import current_boot, guard
from ui.views import lead_to_cash as l2c_view

ctx, flt = guard("lead_to_cash")
boot, lang = current_boot(), current_lang()
url, cur = boot.source.url, ctx.currency
kpis = [REGISTRY[k] for k in ("cash_collected", "order_to_cash_median_days", "invoiced_not_paid", "invoices_past_due")]
RECORD_ROWS = 200

st.title(t("ltc.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
widgets.kpi_cards(ctx, boot.key, kpis, flt, url, lang)

# --- Which quarter: the one holding the period's last day (or the as-of day), as it stood then ---
day = min(flt.period.end, ctx.as_of)
view = replace(ctx, as_of=day)
weeks = quarter_weeks(day, ctx.calendar)
last, this, upcoming = monday_weeks(day, ctx.calendar)
quarter = weeks[0].quarter
step_name = {flow: t(f"ltc.step.{flow}") for flow in FLOWS}


def week_name(week: QuarterWeek) -> str:
    return t("ltc.week", n=week.number)


def span(week: QuarterWeek, *, so_far: bool = False) -> str:
    """The week's dates; ``so_far``: up to the day, for a week it holds."""
    return fmt.date_range(week.start, min(week.end, day) if so_far and week.start <= day else week.end, lang)


def counted(flow: str, orders: int, credit_notes: int) -> str:
    """"Booked · 12 orders + 1 credit note": what the list of a week's step holds."""
    text = t("ltc.pick_order" if orders == 1 else "ltc.pick_orders", step=step_name[flow], n=fmt.number(orders, lang))
    if not credit_notes:
        return text
    return t("ltc.pick_credit_one" if credit_notes == 1 else "ltc.pick_credit", orders=text, n=fmt.number(credit_notes, lang))


dates = fmt.date_range(weeks[0].start, weeks[-1].end, lang)
line = t("ltc.quarter_line_then" if day < ctx.as_of else "ltc.quarter_line", dates=dates, day=fmt.day(day, lang))
badge = fmt.md_escape(t("ltc.quarter_badge", quarter=quarter, week=this.number))
st.markdown(f":blue-badge[:material/calendar_month: {badge}] :small[{fmt.md_escape(line)}]", help=t("ltc.quarter_help"))

# --- Last week, this week, next week ---
with widgets.section(t("ltc.monday"), url):
    around = dict(zip(MONDAY_WEEKS, (last, this, upcoming), strict=True))
    named = {k: f"{t('ltc.quarter_week', quarter=w.quarter, n=w.number)} · {span(w, so_far=True)}" for k, w in around.items()}
    caption = t("ltc.monday_caption", **named)
    widgets.subheader(t("ltc.monday"), caption, DEFINITIONS["monday_expected"][lang])
    monday = cache.table(view, boot.key, "l2c_monday", flt)
    if not any(v for c in monday.columns if c != "step" for v in monday[c] if v is not None):
        st.info(t("ltc.monday_empty"))
    else:
        heads = {k: t(f"ltc.col.{k}", week=week_name(w)) for k, w in around.items()}
        shown, data, config = l2c_view.weeks_around_table(monday, step_name, heads, cur, lang)
        stem = widgets.file_stem(t("ltc.file.monday"), flt)
        widgets.formatted_table(shown, data, config, stem, t("ltc.monday"), "ltc_monday", lang)
        st.caption(fmt.md_escape(t("ltc.monday_note")))
        gaps = [t("ltc.monday_unpriced_part", step=step_name[r["step"]], week=heads[k], n=fmt.number(r[f"{k}_week_unpriced"], lang))
                for r in monday.to_dict("records") for k in MONDAY_WEEKS if r[f"{k}_week_unpriced"]]
        if gaps:
            st.caption(fmt.md_escape(t("ltc.unpriced", parts=join(gaps))))

# --- The 13 weeks of the quarter ---
with widgets.section(t("ltc.weeks", quarter=quarter), url):
    widgets.subheader(t("ltc.weeks", quarter=quarter), t("ltc.weeks_caption", week=this.number), DEFINITIONS["flows"][lang])
    show = st.segmented_control(
        t("ltc.show"), filterbar.L2C_SHOW, format_func=lambda s: t(f"ltc.show.{s}"),
        default=filterbar.page_value(filterbar.P_L2C_SHOW), required=True, key="ltc_show",
    ) or "amount"
    weekly = cache.table(view, boot.key, "l2c_weekly", flt)
    if not any(bool(v) for f in FLOWS for p in ("orders", "amount", "unpriced") for v in weekly[f"{f}_{p}"]):
        st.info(t("ltc.weeks_empty", quarter=quarter, day=fmt.day(day, lang)))
    else:
        status = [t(f"ltc.status.{s}") for s in weekly["status"]]
        table = weekly.assign(label=[week_name(w) for w in weeks], dates=[span(w) for w in weeks], status_text=status)
        st.altair_chart(charts.l2c_weeks(table, step_name, show, week_name(this), cur, lang), width="stretch")
        shown, data, config = l2c_view.quarter_weeks_table(table, step_name, show, cur, lang)
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("ltc.file.weeks"), flt), t("ltc.weeks", quarter=quarter),
                                "ltc_weeks", lang, height=widgets.table_height(len(shown), whole=True))
        unpriced = [f"{step_name[f]} {fmt.number(n, lang)}" for f in FLOWS if (n := int(weekly[f"{f}_unpriced"].sum()))]
        if unpriced:
            st.caption(fmt.md_escape(t("ltc.unpriced", parts=join(unpriced))))

# --- The orders behind a week's figure ---
with widgets.section(t("ltc.week_records"), url):
    widgets.subheader(t("ltc.week_records"), t("ltc.week_records_caption", n=RECORD_ROWS), DEFINITIONS["flows"][lang])
    weekly = cache.table(view, boot.key, "l2c_weekly", flt)
    # The weeks begun by the day, this week as 0: a link without a week follows whichever week is this week.
    options = [w.number for w in weeks if w.start <= day and w.number != this.number] + [0]
    linked = int(filterbar.page_value(filterbar.P_L2C_WEEK) or 0)
    if linked > this.number:  # a week that has not begun: said, like any value of a link the page cannot show
        refused = t("ltc.future_week", param=filterbar.P_L2C_WEEK, week=linked, day=fmt.day(day, lang))
        st.warning(t("url.ignored", items=refused), icon=":material/link_off:")
    if st.session_state.get("ltc_week", 0) not in options:  # a week of another quarter, left by another period
        del st.session_state["ltc_week"]
    with st.container(horizontal=True, wrap=True, gap="small", vertical_alignment="bottom"):
        number = st.selectbox(
            t("ltc.col.week"), options, index=options.index(linked if linked in options else 0), key="ltc_week", width=320,
            format_func=lambda n: (t("ltc.this_week", week=week_name(this)) if n == 0 else week_name(weeks[n - 1]))
            + f" · {span(weeks[(n or this.number) - 1], so_far=True)}",
        ) or this.number
        row = weekly.iloc[number - 1]
        flow = st.selectbox(
            t("ltc.chart.step"), FLOWS, index=FLOWS.index(filterbar.page_value(filterbar.P_L2C_STEP) or FLOWS[0]), key="ltc_flow",
            width=320, format_func=lambda f: counted(f, int(row[f"{f}_orders"]), int(row[f"{f}_credit_notes"])),
        ) or FLOWS[0]
    records, total = cache.table(view, boot.key, "l2c_flow_records", flt, (flow, number, RECORD_ROWS))
    if total == 0:
        st.info(t("ltc.week_records_none", step=step_name[flow], week=week_name(weeks[number - 1])))
    else:
        shown = widgets.capped(records, RECORD_ROWS, lang, total=total)
        credit = t("ltc.col.credit_note")
        box = st.column_config.CheckboxColumn(credit, help=t("ltc.credit_note_help"))
        extra = {credit: ([bool(v) for v in shown["credit_note"]], box)}
        frame, config = l2c_view.order_records(shown, extra, ctx.org, cur, lang)
        stem = widgets.file_stem(f"{t('ltc.file.week_records')}-w{number}-{flow}", flt)
        widgets.record_table(frame, config, stem, t("ltc.week_records"), "ltc_week_records", lang)

# --- Projection to quarter end ---
with widgets.section(t("ltc.projection"), url):
    widgets.subheader(t("ltc.projection"), t("ltc.projection_caption", quarter=quarter), DEFINITIONS["projection"][lang])
    proj = cache.table(view, boot.key, "l2c_projection", flt)
    p = proj.iloc[0]  # the projection and, where one applies, the target
    unit = ctx.org.by_code(flt.unit) if flt.unit else None
    scope = unit.name if unit else t("ltc.scope_all" if ctx.viewer.whole_company else "ltc.scope_yours")
    if not p["closed"] and not p["weighted_open"] and p["target"] is None:
        st.info(t("ltc.projection_empty", quarter=quarter))
    else:
        names = {"closed": t("ltc.closed"), "weighted_open": t("ltc.weighted"), "projected": t("ltc.projected"), "target": t("ltc.target")}
        money = {k: None if p[k] is None else fmt.money(p[k], cur, lang, compact=True) for k in names}
        money["weighted_open"] = money["weighted_open"] or t("ltc.quarter_over")  # None once the quarter is over
        widgets.tiles([(names[k], v, None) for k, v in money.items() if v is not None], width=170)
        label = None if p["target"] is None else t("ltc.target_label", target=money["target"])
        parts = {names[k]: p[k] for k in ("closed", "weighted_open")}
        st.altair_chart(charts.l2c_projection(parts, p["target"], label, cur, lang), width="stretch")
        if p["target"] is not None:
            percents = {"booked": p["attainment"], "pace": p["pace"], "projected": p["projected_attainment"]}
            st.markdown(fmt.md_escape(t("ltc.against_target", quarter=quarter, scope=scope, target=money["target"],
                                        **{k: fmt.percent(v, lang) for k, v in percents.items()})))
        else:  # a viewer limited to business units never has a target: targets are per unit
            why = "ltc.no_target_bus" if ctx.viewer.bus is not None else "ltc.no_target"
            st.caption(fmt.md_escape(t(why, quarter=quarter, scope=scope)))
        spec = [("quarter", t("ltc.col.quarter"), "text"), ("start", t("ltc.col.start"), "date"), ("end", t("ltc.col.end"), "date")]
        spec += [(k, name, "money") for k, name in names.items()]
        spec += [("attainment", t("ltc.col.attained"), "percent"), ("projected_attainment", t("ltc.col.projected_attained"), "percent")]
        stem = widgets.file_stem(t("ltc.file.projection"), flt)
        widgets.downloads(widgets.figures(proj, spec, cur, lang)[1], stem, t("ltc.projection"), "ltc_projection", lang)

# --- Days from order to cash ---
with widgets.section(t("ltc.days"), url):
    widgets.subheader(t("ltc.days"), t("ltc.days_caption", quarter=quarter), DEFINITIONS["order_to_cash"][lang])
    stats = cache.table(view, boot.key, "l2c_days", flt).iloc[0]
    if not stats["n"]:
        st.info(t("ltc.days_empty", quarter=quarter, day=fmt.day(day, lang)))
    else:
        days = {k: fmt.days(round(stats[k], 1), lang) for k in ("median", "p25", "p75", "p90", "mean")}
        st.markdown(fmt.md_escape(t("ltc.days_summary", n=fmt.number(stats["n"], lang), **days)))
        trend = cache.table(view, boot.key, "l2c_days_trend", flt)
        frame = trend.assign(week=[week_name(w) for w in weeks], dates=[span(w) for w in weeks])
        st.altair_chart(charts.l2c_days_trend(frame, week_name(this), lang), width="stretch")
        spec = [("week", t("ltc.col.week"), "text"), ("n", t("ltc.col.paid"), "count"), ("median", t("chart.median"), "days"),
                ("p25", t("chart.p25"), "days"), ("p75", t("chart.p75"), "days"), ("p90", t("chart.p90"), "days"),
                ("mean", t("ltc.col.mean"), "days"), ("dates", t("ltc.col.dates"), "text")]
        shown, data, config = widgets.figures(frame, spec, cur, lang)
        config[t("ltc.col.week")] = st.column_config.TextColumn(t("ltc.col.week"), pinned=True)
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("ltc.file.days"), flt), t("ltc.days"), "ltc_days", lang,
                                height=widgets.table_height(len(shown), whole=True))

# --- Orders waiting at each step ---
with widgets.section(t("ltc.waiting"), url):
    widgets.subheader(t("ltc.waiting"), t("ltc.waiting_caption", day=fmt.day(day, lang)), DEFINITIONS["waiting"][lang])
    lists = cache.table(view, boot.key, "l2c_waiting", flt)
    if not any(lists["orders"]):
        st.success(t("ltc.waiting_none", day=fmt.day(day, lang)), icon=":material/check_circle:")
    else:
        table = lists.assign(name=[t(f"ltc.wait.{s}") for s in lists["step"]])
        st.altair_chart(charts.l2c_waiting_bars(table, f"{t('ltc.col.amount_waiting')} ({cur})", cur, lang), width="stretch")
        spec = [("name", t("ltc.col.step"), "text"), ("orders", t("ltc.col.orders"), "count"),
                ("amount", t("ltc.col.amount_waiting"), "money_compact"), ("unpriced", t("ltc.col.unpriced"), "count")]
        shown, data, config = widgets.figures(table, spec, cur, lang, helps={"unpriced": t("ltc.unpriced_help")})
        config[t("ltc.col.step")] = st.column_config.TextColumn(t("ltc.col.step"), pinned=True)
        stem = widgets.file_stem(t("ltc.file.waiting"), flt)
        widgets.formatted_table(shown, data, config, stem, t("ltc.waiting"), "ltc_waiting", lang)

# --- The orders behind a waiting figure ---
with widgets.section(t("ltc.records"), url):
    widgets.subheader(t("ltc.records"), t("ltc.records_caption", n=RECORD_ROWS), DEFINITIONS["waiting"][lang])
    lists = cache.table(view, boot.key, "l2c_waiting", flt)
    totals = dict(zip(lists["step"], lists["orders"], strict=True))
    pick = st.selectbox(
        t("ltc.records_step"), WAITING_LISTS, index=WAITING_LISTS.index(filterbar.page_value(filterbar.P_L2C_WAIT) or "past_due"),
        key="ltc_wait", width=380, format_func=lambda s: f"{t(f'ltc.pick.{s}')} · {fmt.number(totals[s], lang)}",
    ) or "past_due"
    records, total = cache.table(view, boot.key, "l2c_waiting_records", flt, (pick, RECORD_ROWS))
    if total == 0:
        st.info(t("ltc.records_none", step=t(f"ltc.pick.{pick}")))
    else:
        shown = widgets.capped(records, RECORD_ROWS, lang, total=total)
        since = t("ltc.col.days_overdue") if pick == "past_due" else t("ltc.col.days_waiting")
        extra = {since: ([None if v is None else int(v) for v in shown["days_waiting"]], widgets.days_column(since, lang))}
        frame, config = l2c_view.order_records(shown, extra, ctx.org, cur, lang)
        stem = widgets.file_stem(f"{t('ltc.file.records')}-{pick}", flt)
        widgets.record_table(frame, config, stem, t("ltc.records"), "ltc_records", lang)

notes = [("quarter", t("ltc.quarter_help"))]
notes += [(k, DEFINITIONS[k][lang]) for k in ("weeks", "flows", "monday", "expected", "projection", "order_to_cash", "waiting")]
notes += [("records", t("ltc.records_text", n=RECORD_ROWS)), ("week_records", t("ltc.week_records_text", n=RECORD_ROWS))]
widgets.named_definitions(kpis, [(t(f"ltc.def.{k}"), text) for k, text in notes], lang)
