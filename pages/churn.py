"""Churn and retention, for the executive: how many customers and how much revenue we keep.

Logo and revenue churn against earlier periods, churn over time, GRR and NRR per unit, the
retention of each first-order cohort, and the active accounts overdue for their next order.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.registry import REGISTRY
from ui import cache, charts, widgets
from ui.format import md_escape
from ui.i18n import current_lang, label, t
from ui.session import current_boot, guard

ctx, flt = guard("churn")
boot = current_boot()
lang = current_lang()
url = boot.source.url
kpis = [REGISTRY[k] for k in ("logo_churn", "revenue_churn", "grr", "nrr")]
logo, grr, nrr = REGISTRY["logo_churn"], REGISTRY["grr"], REGISTRY["nrr"]
RISK_ROWS = 50

st.title(t("churn.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
widgets.kpi_cards(ctx, boot.key, kpis, flt, url, lang)

# --- Churn over time (whole months: a weekly period shows its last 12 months) ---
left, right = st.columns(2, gap="large")
with left, widgets.section(t("churn.trend"), url):
    widgets.subheader(t("churn.trend"), None, label(logo.definition, lang))
    monthly = widgets.monthly_window(flt)
    if monthly != flt:
        st.caption(md_escape(t("churn.trend_months")))
    current = cache.trend_of(ctx, boot.key, logo.key, monthly)
    year_ago = cache.trend_of(ctx, boot.key, logo.key, monthly.with_period(monthly.period.year_ago()))
    st.altair_chart(charts.trend_chart(current, year_ago, logo, lang), width="stretch")

# --- GRR and NRR per unit ---
with right, widgets.section(t("churn.retention"), url):
    widgets.subheader(t("churn.retention"), t("churn.retention_caption"), label(nrr.definition, lang))
    units = cache.table(ctx, boot.key, "churn_table", flt, "unit")
    units = units.assign(name=[widgets.unit_name(ctx.org, g, lang) for g in units["group"]])
    if units.empty or units[["grr", "nrr"]].isna().all().all():
        st.info(t("churn.no_base"))
    else:
        st.altair_chart(charts.retention_bars(units[["name", "grr", "nrr"]], label(grr.label, lang), label(nrr.label, lang), lang), width="stretch")

with widgets.section(t("churn.by_unit"), url):
    units = cache.table(ctx, boot.key, "churn_table", flt, "unit")
    if not units.empty:
        frame = pd.DataFrame(
            {
                t("table.unit"): [widgets.unit_name(ctx.org, g, lang) for g in units["group"]],
                t("churn.base"): units["base"],
                t("churn.churned"): units["churned"],
                label(logo.label, lang): pd.to_numeric(units["logo_churn"], errors="coerce").round(3),
                label(grr.label, lang): pd.to_numeric(units["grr"], errors="coerce").round(3),
                label(nrr.label, lang): pd.to_numeric(units["nrr"], errors="coerce").round(3),
            }
        )
        config = {
            t("table.unit"): st.column_config.TextColumn(pinned=True),
            t("churn.base"): widgets.count_column(t("churn.base"), t("churn.base_help")),
            t("churn.churned"): widgets.count_column(t("churn.churned")),
            **{label(m.label, lang): widgets.percent_column(label(m.label, lang), label(m.definition, lang)) for m in (logo, grr, nrr)},
        }
        widgets.record_table(frame, config, widgets.file_stem(t("churn.file"), flt), t("churn.retention"), "churn_units", lang)

# --- Cohort retention ---
with widgets.section(t("cohort.title"), url):
    window = widgets.cohort_window(flt, ctx.calendar)
    widgets.subheader(t("cohort.title"), t("cohort.caption", n=widgets.COHORT_QUARTERS) if window != flt else t("cohort.caption_period"), t("cohort.definition"))
    cohorts = cache.table(ctx, boot.key, "cohort_retention", window)
    if cohorts.empty:
        st.info(t("cohort.empty"))
    else:
        st.altair_chart(charts.cohort_heatmap(cohorts, lang), width="stretch")

# --- Accounts at risk ---
with widgets.section(t("risk.title"), url):
    widgets.subheader(t("risk.title"), t("risk.caption"), t("risk.definition"))
    risk = cache.table(ctx, boot.key, "accounts_at_risk", flt)
    if risk.empty:
        st.success(t("risk.none"), icon=":material/check_circle:")
    else:
        shown = widgets.capped(risk, RISK_ROWS, lang)
        frame = pd.DataFrame(
            {
                t("risk.account"): shown["name"].astype(str),
                t("table.unit"): [widgets.unit_name(ctx.org, g, lang) for g in shown["home_unit"]],
                t("risk.last_order"): pd.to_datetime(shown["last_order_date"]),
                t("risk.days_since"): shown["days_since_last_order"],
                t("risk.usual"): shown["usual_interval_days"].round(0),
            }
        )
        config = {
            t("risk.account"): st.column_config.TextColumn(pinned=True, width="medium"),
            t("risk.last_order"): st.column_config.DateColumn(t("risk.last_order"), format="YYYY-MM-DD"),
            t("risk.days_since"): widgets.days_column(t("risk.days_since"), lang),
            t("risk.usual"): widgets.days_column(t("risk.usual"), lang, t("risk.usual_help")),
        }
        widgets.record_table(frame, config, widgets.file_stem(t("risk.file"), flt), t("risk.title"), "risk", lang, height=420)

widgets.page_definitions(kpis, ("cohort.note", "risk.note"), lang)
