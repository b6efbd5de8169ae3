"""Overview, for the executive: are we on target, and where is the business won and lost?

The KPI cards (metrics.registry.HEADLINE) against the previous period, the same period last year
and the target where the company sets one; a KPI's trend against last year; and a league table of
the units below the selected one or of the business units.
"""

from __future__ import annotations

import streamlit as st

from metrics.registry import HEADLINE, REGISTRY
from ui import cache, charts, filterbar, widgets
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import current_lang, join, label, t
from ui.session import current_boot, guard

ctx, flt = guard("overview")
boot = current_boot()
lang = current_lang()
url = boot.source.url
headline = [REGISTRY[key] for key in HEADLINE]

st.title(t("overview.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)

# --- KPI cards: each its own section, so one that cannot be computed says why and the rest show ---
widgets.kpi_cards(ctx, boot.key, headline, flt, url, lang)

# --- Trend: this period against the same period last year ---
with widgets.section(t("trend.title"), url):
    st.subheader(t("trend.title"), anchor=False)
    chosen = st.pills(
        t("trend.metric"),
        HEADLINE,
        format_func=lambda key: label(REGISTRY[key].label, lang),
        default=filterbar.page_value(filterbar.P_TREND),
        required=True,
        key="overview_trend_metric",
        label_visibility="collapsed",
    )
    metric = REGISTRY[chosen or HEADLINE[0]]
    window = flt
    current = cache.trend_or_none(ctx, boot.key, metric.key, flt)
    if current is None:  # churn and retention are measured in whole months: their trend is monthly
        window = widgets.monthly_window(flt)
        current = cache.trend_of(ctx, boot.key, metric.key, window)
    year_ago = cache.trend_of(ctx, boot.key, metric.key, window.with_period(window.period.year_ago()))
    caption = widgets.trend_caption(metric, ctx.currency, window.period, ctx.calendar, lang)
    if window is not flt:
        caption += " · " + t("trend.monthly", end=fmt.day(window.period.end, lang))
    st.caption(md_escape(caption))
    st.altair_chart(charts.trend_chart(current, year_ago, metric, lang), width="stretch")

# --- League table: the units below the selected one, or the business units ---
with widgets.section(t("league.title"), url):
    st.subheader(t("league.title"), anchor=False)
    by = st.segmented_control(
        t("league.by"), filterbar.LEAGUE_BY, format_func=lambda b: t(f"league.by_{b}"),
        default=filterbar.page_value(filterbar.P_LEAGUE), required=True, key="overview_league", label_visibility="collapsed",
    ) or filterbar.LEAGUE_BY[0]
    stem = f"granary-{t('league.file' if by == 'unit' else 'league.file_bu')}-{flt.period.start:%Y%m%d}-{flt.period.end:%Y%m%d}"
    if by == "unit":
        parent = ctx.org.by_code(flt.unit) if flt.unit else None
        parent_name = parent.name if parent else t("filters.all_units")
        st.caption(md_escape(t("league.caption", unit=parent_name) if parent else t("league.caption_top")))
        children = [(u.code, u.name) for u in cache.league_units(ctx.org, flt.unit, ctx.viewer)]
        values, refused = widgets.in_scope(headline, lambda m: cache.by_unit(ctx, boot.key, m.key, flt))
        rows = widgets.league_units(children, values, parent_name, lang) if children else []
        name_col = t("league.unit")
    else:
        st.caption(md_escape(t("league.caption_bu")))
        options = cache.options(boot.engine, ctx.org, boot.key, ctx.viewer).bus
        rows = [(o.code, o.name) for o in options if not flt.bus or o.code in flt.bus]
        codes = tuple(code for code, _ in rows)
        values, refused = widgets.in_scope(headline, lambda m: cache.by_bu(ctx, boot.key, m.key, flt, codes))
        name_col = t("league.bu")
    shown = [m for m in headline if m.key in values]
    if not rows or not shown:
        st.info(t("league.empty" if by == "unit" else "league.empty_bu"))
    else:
        frame = widgets.league_frame(rows, values, shown, lang, name_col)
        widgets.league_table(frame, shown, ctx.currency, stem, lang, key=f"league_{by}", name_col=name_col)
    if refused:
        st.caption(md_escape(t("section.no_scope_metrics", metrics=join([label(m.label, lang) for m in refused], lang))))

# --- Definitions, one click away ---
with st.expander(t("definitions.title"), icon=":material/menu_book:"):
    widgets.definitions(REGISTRY.values(), lang)
