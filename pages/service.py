"""Service and delivery (DOMAIN.md §4): complaints, response and resolution times, satisfaction and on-time delivery,
their trend, a split by unit, business unit or product, and the complaints open longest."""

from __future__ import annotations

import streamlit as st

from metrics.registry import REGISTRY
from metrics.service import BREAKDOWN, METRICS
from ui import cache, charts, widgets
from ui import format as fmt
from ui.i18n import current_lang, label, t
from ui.session import current_boot, guard

ctx, flt = guard("service")
boot, lang = current_boot(), current_lang()
url = boot.source.url
RECORD_ROWS = 200
BREAKDOWN_BY = ("unit", "bu", "product")
cards = [REGISTRY[k] for k in ("complaint_rate", "first_response_median_hours", "resolution_median_hours", "satisfaction_mean", "on_time_delivery_rate")]
more = [REGISTRY[k] for k in ("first_response_p90_hours", "resolution_p90_hours", "satisfied_share")]

st.title(t("svc.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
st.caption(fmt.md_escape(t("svc.caption")))
widgets.kpi_cards(ctx, boot.key, cards, flt, url, lang)
widgets.kpi_cards(ctx, boot.key, more, flt, url, lang)

# --- Trend: this period against the same period last year ---
with widgets.section(t("svc.trend"), url):
    st.subheader(t("svc.trend"), anchor=False)
    chosen = st.pills(
        t("svc.trend_metric"), [m.key for m in METRICS], format_func=lambda key: label(REGISTRY[key].label, lang),
        default=METRICS[0].key, required=True, key="svc_trend", label_visibility="collapsed",
    )
    metric = REGISTRY[chosen or METRICS[0].key]
    current = cache.trend_of(ctx, boot.key, metric.key, flt)
    year_ago = cache.trend_of(ctx, boot.key, metric.key, flt.with_period(flt.period.year_ago()))
    st.caption(fmt.md_escape(widgets.trend_caption(metric, ctx.currency, flt.period, ctx.calendar, lang)))
    st.altair_chart(charts.trend_chart(current, year_ago, metric, lang), width="stretch")

# --- By unit, business unit or product ---
with widgets.section(t("svc.breakdown"), url):
    widgets.subheader(t("svc.breakdown"), t("svc.breakdown_caption"))
    by = st.segmented_control(
        t("svc.by"), BREAKDOWN_BY, format_func=lambda b: t(f"svc.by.{b}"), default="unit", required=True, key="svc_by",
        label_visibility="collapsed",
    ) or "unit"
    values = cache.table(ctx, boot.key, "svc_breakdown", flt, by)
    shown = [REGISTRY[k] for k in BREAKDOWN]
    if by == "unit":
        parent = ctx.org.by_code(flt.unit) if flt.unit else None
        children = [(u.code, u.name) for u in cache.league_units(ctx.org, flt.unit, ctx.viewer)]
        rows = widgets.league_units(children, values, parent.name if parent else t("filters.all_units"), lang)
        name_col = t("league.unit")
    else:
        options = cache.options(boot.engine, ctx.org, boot.key, ctx.viewer)
        chosen_codes = flt.bus if by == "bu" else flt.products
        rows = [(o.code, o.name) for o in (options.bus if by == "bu" else options.products) if not chosen_codes or o.code in chosen_codes]
        if any(g is None for frame in values.values() for g in frame["group"]):
            rows.append((None, t("svc.none")))
        name_col = t("league.bu" if by == "bu" else "svc.col.product")
    if not rows:
        st.info(t("svc.breakdown_empty"))
    else:
        frame = widgets.league_frame(rows, values, shown, lang, name_col)
        stem = widgets.file_stem(f"{t('svc.file.breakdown')}-{by}", flt)
        widgets.league_table(frame, shown, ctx.currency, stem, lang, key=f"svc_breakdown_{by}", name_col=name_col)

# --- The complaints open longest ---
with widgets.section(t("svc.open"), url):
    day = fmt.day(ctx.as_of, lang)
    widgets.subheader(t("svc.open"), t("svc.open_caption", day=day, n=RECORD_ROWS), t("svc.open_help"))
    records, total = cache.table(ctx, boot.key, "svc_open", flt, RECORD_ROWS)
    if total == 0:
        st.success(t("svc.open_none", day=day), icon=":material/check_circle:")
    else:
        shown_rows = widgets.capped(records, RECORD_ROWS, lang, total=total)
        columns = {
            "ticket_id": t("svc.col.ticket"), "opened_at": t("svc.col.opened"), "hours_open": t("svc.col.hours_open"),
            "answered": t("svc.col.answered"), "account": t("svc.col.account"), "unit": t("svc.col.unit"),
            "product": t("svc.col.product"), "order_number": t("svc.col.order"), "subject": t("svc.col.subject"),
        }
        table = shown_rows.assign(
            unit=[widgets.unit_name(ctx.org, c, lang) for c in shown_rows["unit"]],
            hours_open=[round(float(h), 1) for h in shown_rows["hours_open"]],
            answered=[bool(a) for a in shown_rows["answered"]],
        ).rename(columns=columns)
        config = {
            columns["ticket_id"]: st.column_config.NumberColumn(columns["ticket_id"], format="%d", pinned=True),
            columns["opened_at"]: st.column_config.DatetimeColumn(columns["opened_at"], format="YYYY-MM-DD HH:mm"),
            columns["hours_open"]: widgets.hours_column(columns["hours_open"], lang),
            columns["answered"]: st.column_config.CheckboxColumn(columns["answered"]),
        }
        widgets.record_table(table, config, widgets.file_stem(t("svc.file.open"), flt), t("svc.open"), "svc_open", lang)

widgets.named_definitions([*cards, *more], [(t("svc.def.open"), t("svc.open_help"))], lang)
