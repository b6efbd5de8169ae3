"""Sales cycle, for the team lead: how long deals take to win, where they stall, and how fast the
pipeline turns into money.

The cycle's spread per unit (not only its median), the median's trend, win rate and velocity, and
the open deals older than their unit's usual longest win.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.registry import REGISTRY
from ui import cache, charts, widgets
from ui import format as fmt
from ui.i18n import current_lang, label, t
from ui.session import current_boot, guard

ctx, flt = guard("sales_cycle")
boot = current_boot()
lang = current_lang()
url = boot.source.url
kpis = [REGISTRY[k] for k in ("sales_cycle_median_days", "win_rate", "win_rate_by_amount")]
STALLED_ROWS = 50

st.title(t("cycle.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
widgets.kpi_cards(ctx, boot.key, kpis, flt, url, lang)

# --- The spread per unit, and the median's trend ---
left, right = st.columns(2, gap="large")
with left, widgets.section(t("cycle.spread"), url):
    widgets.subheader(t("cycle.spread"), t("cycle.spread_caption"), label(kpis[0].definition, lang))
    spread = cache.table(ctx, boot.key, "cycle_distribution", flt, "unit")
    spread = spread[spread["n"] > 0].assign(name=[widgets.unit_name(ctx.org, g, lang) for g in spread["group"]])
    if spread.empty:
        st.info(t("cycle.nothing_won"))
    else:
        st.altair_chart(charts.cycle_ranges(spread.sort_values("median"), lang), width="stretch")
with right, widgets.section(t("cycle.trend"), url):
    widgets.subheader(t("cycle.trend"), t("cycle.trend_caption"), label(kpis[0].definition, lang))
    by_bucket = cache.table(ctx, boot.key, "cycle_distribution", flt, "bucket")
    if not (by_bucket["n"] > 0).any():
        st.info(t("cycle.nothing_won"))
    else:
        st.altair_chart(charts.cycle_trend(by_bucket, lang), width="stretch")

# --- Velocity, in total and per unit ---
with widgets.section(t("velocity.title"), url):
    widgets.subheader(t("velocity.title"), t("velocity.caption"), t("velocity.definition"))
    total = cache.table(ctx, boot.key, "sales_velocity", flt).iloc[0]
    figures = (
        (t("velocity.per_day"), fmt.money(total["velocity_per_day"], ctx.currency, lang, compact=True)),
        (t("velocity.open_deals"), fmt.number(total["open_deals"], lang)),
        (t("velocity.win_rate"), fmt.percent(total["win_rate"], lang)),
        (t("velocity.average_won"), fmt.money(total["average_won_amount"], ctx.currency, lang, compact=True)),
        (t("velocity.median_cycle"), fmt.days(total["median_cycle_days"], lang)),
    )
    with st.container(horizontal=True, wrap=True, gap="small"):
        # Fixed widths (money figures wider): one row on a desktop, two to a row on a phone.
        for (name, figure), width in zip(figures, (210, 140, 140, 190, 140), strict=True):
            with st.container(border=True, width=width):
                st.metric(name, figure)
    if total["velocity_per_day"] is None or pd.isna(total["velocity_per_day"]):
        st.caption(t("velocity.not_computed"))
    units = cache.table(ctx, boot.key, "sales_velocity", flt, "unit")
    if not units.empty:
        frame = pd.DataFrame(
            {
                t("table.unit"): [widgets.unit_name(ctx.org, g, lang) for g in units["group"]],
                t("velocity.per_day"): pd.to_numeric(units["velocity_per_day"], errors="coerce"),
                t("velocity.open_deals"): units["open_deals"],
                t("velocity.win_rate"): pd.to_numeric(units["win_rate"], errors="coerce").round(3),
                t("velocity.average_won"): pd.to_numeric(units["average_won_amount"], errors="coerce"),
                t("velocity.median_cycle"): pd.to_numeric(units["median_cycle_days"], errors="coerce").round(1),
            }
        ).sort_values(t("velocity.per_day"), ascending=False, na_position="last", ignore_index=True)
        config = {
            t("table.unit"): st.column_config.TextColumn(pinned=True),
            t("velocity.per_day"): widgets.money_column(t("velocity.per_day"), ctx.currency, lang),
            t("velocity.open_deals"): widgets.count_column(t("velocity.open_deals")),
            t("velocity.win_rate"): widgets.percent_column(t("velocity.win_rate")),
            t("velocity.average_won"): widgets.money_column(t("velocity.average_won"), ctx.currency, lang),
            t("velocity.median_cycle"): widgets.days_column(t("velocity.median_cycle"), lang),
        }
        widgets.record_table(frame, config, widgets.file_stem(t("velocity.file"), flt), t("velocity.title"), "velocity", lang)

# --- Stalled deals ---
with widgets.section(t("stalled.title"), url):
    widgets.subheader(t("stalled.title"), t("stalled.caption"), t("stalled.definition"))
    stalled = cache.table(ctx, boot.key, "stalled_deals", flt, "unit")
    if stalled.empty:
        st.success(t("stalled.none"), icon=":material/check_circle:")
    else:
        reps = cache.rep_names(boot.engine, boot.key)
        shown = widgets.capped(stalled, STALLED_ROWS, lang)
        frame = pd.DataFrame(
            {
                t("stalled.deal"): shown["name"].astype(str),
                t("table.unit"): [widgets.unit_name(ctx.org, g, lang) for g in shown["group"]],
                t("stalled.owner"): [reps.get(int(r), t("stalled.no_owner")) if pd.notna(r) else t("stalled.no_owner") for r in shown["owner_rep_id"]],
                t("stalled.age"): shown["age_days"].round(0),
                t("stalled.p90"): shown["p90_days"].round(0),
            }
        )
        config = {
            t("stalled.deal"): st.column_config.TextColumn(pinned=True, width="large"),
            t("stalled.age"): widgets.days_column(t("stalled.age"), lang),
            t("stalled.p90"): widgets.days_column(t("stalled.p90"), lang, t("stalled.p90_help")),
        }
        widgets.record_table(frame, config, widgets.file_stem(t("stalled.file"), flt), t("stalled.title"), "stalled", lang, height=420)

widgets.page_definitions(kpis, ("velocity.note", "stalled.note"), lang)
