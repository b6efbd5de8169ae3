"""Overview, for the executive: are we on target, and where is the business won and lost?

Headline KPIs against the previous period and the same period last year, a trend, and the
units below the selected one compared side by side.
"""

from __future__ import annotations

import streamlit as st

from metrics.registry import HEADLINE, REGISTRY
from ui import cache, charts, widgets
from ui.format import md_escape
from ui.i18n import current_lang, join, label, t
from ui.session import current_boot, guard

ctx, flt = guard("overview")
boot = current_boot()
lang = current_lang()
url = boot.source.url
headline = [REGISTRY[key] for key in HEADLINE]

st.title(t("overview.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_label, lang)

# --- Headline KPIs ---
for column, metric in zip(widgets.card_row(len(headline)), headline, strict=True):
    with column, widgets.section(label(metric.label, lang), url):
        comparison = cache.comparison(ctx, boot.key, metric.key, flt)
        spark = charts.sparkline(cache.trend_of(ctx, boot.key, metric.key, flt))
        target = cache.against_target(ctx, boot.key, metric.key, flt)
        widgets.kpi_card(metric, comparison, spark, ctx.currency, flt, lang, target=target)

# --- Trend: this period against the same period last year ---
with widgets.section(t("trend.title"), url):
    st.subheader(t("trend.title"), anchor=False)
    chosen = st.pills(
        t("trend.metric"),
        HEADLINE,
        format_func=lambda key: label(REGISTRY[key].label, lang),
        default=HEADLINE[0],
        required=True,
        key="overview_trend_metric",
        label_visibility="collapsed",
    )
    metric = REGISTRY[chosen or HEADLINE[0]]
    current = cache.trend_of(ctx, boot.key, metric.key, flt)
    year_ago = cache.trend_of(ctx, boot.key, metric.key, flt.with_period(flt.period.year_ago()))
    st.caption(md_escape(widgets.trend_caption(metric, ctx.currency, flt.period, ctx.calendar, lang)))
    st.altair_chart(charts.trend_chart(current, year_ago, metric, lang), width="stretch")

# --- League table of the units below the selected one ---
with widgets.section(t("league.title"), url):
    st.subheader(t("league.title"), anchor=False)
    parent = ctx.org.by_code(flt.unit) if flt.unit else None
    parent_name = parent.name if parent else t("filters.all_units")
    st.caption(md_escape(t("league.caption", unit=parent_name) if parent else t("league.caption_top")))
    children = [(u.code, u.name) for u in cache.league_units(ctx.org, flt.unit, ctx.viewer)]
    if not children:
        st.info(t("league.empty"))
    else:
        values, refused = widgets.in_scope(headline, lambda m: cache.by_unit(ctx, boot.key, m.key, flt))
        shown = [m for m in headline if m.key in values]
        units = widgets.league_units(children, values, parent_name, lang)
        frame = widgets.league_frame(units, values, shown, lang)
        stem = f"granary-{t('league.file')}-{flt.period.start:%Y%m%d}-{flt.period.end:%Y%m%d}"
        widgets.league_table(frame, shown, ctx.currency, stem, lang)
        if refused:
            st.caption(md_escape(t("section.no_scope_metrics", metrics=join([label(m.label, lang) for m in refused], lang))))

# --- Definitions, one click away ---
with st.expander(t("definitions.title"), icon=":material/menu_book:"):
    widgets.definitions(REGISTRY.values(), lang)
