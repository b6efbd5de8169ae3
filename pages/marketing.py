"""Campaigns and sources, for marketing: what each campaign, campaign type and lead source brought — leads,
opportunities, customers won and their revenue — against what the campaigns cost ("what did the 20-city
roadshow bring"), and the leads behind any row.
"""

from __future__ import annotations

import streamlit as st

from metrics import campaigns
from metrics.registry import REGISTRY
from ui import cache, charts, filterbar, widgets
from ui import format as fmt
from ui.i18n import current_lang, join, t
from ui.session import current_boot, guard
from ui.views import marketing as view

ctx, flt = guard("marketing")
boot = current_boot()
lang = current_lang()
url = boot.source.url
kpis = [REGISTRY[k] for k in ("campaign_roi", "leads", "lead_to_opportunity_rate", "new_customers")]
RECORD_ROWS = 200
CHART_ROWS = 15
LOOK_BACK = "last_12_months"  # the period the maturity note offers

st.title(t("mkt.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
widgets.kpi_cards(ctx, boot.key, kpis, flt, url, lang)


def _look_back() -> None:
    """The last 12 months: long enough for campaigns' leads to have become customers."""
    st.session_state[filterbar.K_PERIOD] = LOOK_BACK


def _forget_pick() -> None:
    """A new grouping has other rows: the drill-through starts again from its first."""
    st.session_state.pop("mkt_pick", None)
    filterbar.set_page_value(filterbar.P_MKT_PICK, None)


by = st.segmented_control(
    t("mkt.by"), filterbar.MKT_BY, format_func=lambda b: t(f"mkt.by.{b}"), default=filterbar.page_value(filterbar.P_MKT_BY),
    required=True, key="mkt_by", help=t("mkt.by_help"), on_change=_forget_pick,
) or "campaign"
try:
    table, failure = cache.table(ctx, boot.key, "mkt_table", flt, by), None  # most leads first, the leads of no campaign (kind, source) last
except Exception as exc:  # noqa: BLE001 - each section below reports it (a scope leads cannot take, a query that failed)
    failure, table = exc, campaigns.campaign_table_columns(by)
table = view.campaign_rows(table, by, ctx.org, lang)  # with each row's name, note, type and unit in words
withheld = campaigns.cost_withheld(flt)


def need_table() -> None:
    """Inside a section: raise what reading the table raised, so the section says so and the page goes on."""
    if failure is not None:
        raise failure


# --- What campaigns brought ---
with widgets.section(t("mkt.table.title"), url):
    widgets.subheader(t("mkt.table.title"), t("mkt.table.caption"), t("mkt.table.help"))
    need_table()
    if skipped := [n for n in table.attrs.get("not_applicable", ()) if n not in withheld]:
        st.caption(fmt.md_escape(t("kpi.not_filtered_by", filters=join([t(f"filter.{n}") for n in skipped]))))
    if table.empty:
        st.info(t("mkt.empty"))
    else:
        if by == "source":
            st.caption(fmt.md_escape(t("mkt.source_note")))
        elif withheld:
            st.info(t("mkt.withheld", filters=join([t(f"filter.{n}") for n in withheld])), icon=":material/info:")
        elif table["cost"].isna().all():
            st.info(t("mkt.no_cost"), icon=":material/info:")
        if unpriced := int(table["unpriced_orders"].sum()):
            st.warning(t("mkt.unpriced", n=fmt.number(unpriced, lang)), icon=":material/currency_exchange:")
        if campaigns.still_maturing(table):
            widgets.maturity_note(t("mkt.immature", date=fmt.day(ctx.as_of, lang)), lang)
            if st.session_state.get(filterbar.K_PERIOD) != LOOK_BACK:
                st.button(t("mkt.look_back"), key="mkt_look_back", icon=":material/history:", type="tertiary", on_click=_look_back)
        shown, data, config = view.campaign_figures(table, by, ctx.currency, lang)
        stem = widgets.file_stem(f"{t('mkt.table.file')}-{by}", flt)
        height = "auto" if len(shown) <= 12 else 460
        widgets.formatted_table(shown, data, config, stem, t("mkt.table.title"), "mkt_table", lang, height=height)

# --- Leads and opportunities; cost against revenue ---
left, right = st.columns(2, gap="large")
with left, widgets.section(t("mkt.leads_chart"), url):
    widgets.subheader(t("mkt.leads_chart"), t("mkt.leads_chart_caption"), t("mkt.leads_chart_help"))
    need_table()
    named = table[table["code"] != campaigns.NO_GROUP]
    if not int(named["leads"].sum()):
        st.info(t("mkt.no_campaign_leads") if by != "source" else t("mkt.empty"))
    else:
        total = int(table["leads"].sum())
        if (rest := total - int(named["leads"].sum())) and by != "source":
            st.caption(fmt.md_escape(t("mkt.leads_chart_rest", n=fmt.number(rest, lang), total=fmt.number(total, lang))))
        if len(named) > CHART_ROWS:
            st.caption(fmt.md_escape(t("mkt.top", n=CHART_ROWS)))
        data, measures = named.head(CHART_ROWS).assign(name=named["name_shown"]), ("leads", "opportunities", "customers")
        st.altair_chart(charts.campaign_leads(data[["name", *measures]], {k: t(f"mkt.col.{k}") for k in measures}, lang), width="stretch")
with right, widgets.section(t("mkt.cost_chart"), url):
    widgets.subheader(t("mkt.cost_chart"), t("mkt.cost_chart_caption"), t("mkt.cost_chart_help"))
    need_table()
    costed = table[table["cost"].notna()].sort_values("cost", ascending=False, kind="stable").head(CHART_ROWS)
    if by == "source" or withheld or costed.empty:
        why = "mkt.chart_source" if by == "source" else "mkt.chart_withheld" if withheld else "mkt.chart_no_cost"
        st.info(t(why), icon=":material/info:")
    else:  # the revenue those same campaigns' leads brought, as ROI takes it
        data = costed[["name_shown", "cost", "costed_revenue", "roi"]].set_axis(["name", "cost", "revenue", "roi"], axis=1)
        chart = charts.campaign_cost_revenue(data, t("mkt.chart.cost"), t("mkt.chart.revenue"), t("mkt.col.roi"), ctx.currency, lang)
        st.altair_chart(chart, width="stretch")

# --- What did it bring: the leads behind a row ---
with widgets.section(t("mkt.drill.title"), url):
    widgets.subheader(t("mkt.drill.title"), t("mkt.drill.caption"), t("mkt.drill.help"))
    need_table()
    if table.empty:
        st.info(t("mkt.empty"))
    else:
        about = {r["code"]: r for r in table.to_dict("records")}
        # First visit, a link (a row it names that is not here is refused with the link notice), or rows that changed with the filters.
        widgets.linked_choice("mkt_pick", filterbar.P_MKT_PICK, list(about), next(iter(about)), lang)
        with st.container(horizontal=True, wrap=True, gap="medium", vertical_alignment="bottom"):
            pick = st.selectbox(
                t(f"mkt.by.{by}"), list(about), key="mkt_pick", width=380,
                format_func=lambda p: t("mkt.drill.pick_label", name=about[p]["name_shown"], n=fmt.number(int(about[p]["leads"]), lang)),
            ) or next(iter(about))
            row = about[pick]
            counts = {"lead": int(row["leads"]), "opportunity": int(row["opportunities"]), "customer": int(row["customers"])}
            stage = st.segmented_control(
                t("mkt.drill.show"), campaigns.RECORD_STAGES, format_func=lambda s: t(f"mkt.drill.stage.{s}", n=fmt.number(counts[s], lang)),
                default=filterbar.page_value(filterbar.P_MKT_STAGE), required=True, key="mkt_stage",
                wrap=True,  # three counts do not fit a phone's width on one line
            ) or "lead"
        # The row's figures in one line (cards would cut a Chinese money figure off on a phone).
        figures_row = [(t(f"mkt.col.{c}"), widgets.figure_value(k, row[c], ctx.currency, lang)) for c, k in view.CAMPAIGN_FIGURES[:7]]
        st.markdown(" · ".join(f"{fmt.md_escape(name)} **{fmt.md_escape(figure)}**" for name, figure in figures_row))
        if not widgets.missing(row["cost_note"]) and row["cost_note"] != "no_campaign":
            st.caption(fmt.md_escape(t(f"mkt.cost_note.{row['cost_note']}")))
        records, total = cache.table(ctx, boot.key, "mkt_records", flt, (by, campaigns.group_of_code(by, pick), stage, RECORD_ROWS))
        if total == 0:
            st.info(t("mkt.drill.none"))
        else:
            shown = widgets.capped(records, RECORD_ROWS, lang, total=total)
            frame, config = view.campaign_lead_table(shown, ctx.org, ctx.currency, lang)
            stem = widgets.file_stem(f"{t('mkt.drill.file')}-{by}-{pick}-{stage}", flt)
            widgets.record_table(frame, config, stem, t("mkt.drill.sheet"), "mkt_records", lang)

widgets.page_definitions(kpis, ("mkt.note.table", "mkt.note.cost", "mkt.note.records"), lang)
