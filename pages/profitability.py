"""Customer profitability and the value pyramid, for the executive: what each kind of customer brings against
what it costs to serve and to win, and which accounts are worth most (DOMAIN.md §4–§5).

KPI cards, segments side by side, the pyramid's tiers and the most valuable accounts with their components.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_layer.config import load_value_settings
from metrics.profitability import assumptions
from metrics.registry import REGISTRY
from ui import cache, charts, widgets
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import current_lang, display, label, t
from ui.session import current_boot, guard

ctx, flt = guard("profitability")
boot = current_boot()
lang = current_lang()
url = boot.source.url
margin, profit = REGISTRY["gross_margin_pct"], REGISTRY["profit_contribution"]
settings = load_value_settings()
TOP_ROWS = 50
SERIES = {"gross_margin": t("profit.margin"), "cost_to_serve": t("profit.serve"), "acquisition_cost": t("profit.acquire"),
          "profit_contribution": t("profit.contribution")}

st.title(t("profit.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
assumed = assumptions(settings)
st.caption(
    md_escape(
        t("profit.assumed", cost=fmt.money(assumed.cost_per_ticket, ctx.currency, lang),
          **{k: fmt.percent(w, lang, digits=0) for k, w in assumed.weights.items()})
    )
)
widgets.kpi_cards(ctx, boot.key, [margin, profit], flt, url, lang)


def money_table(frame: pd.DataFrame, first: str, first_values: list[str], key: str, file: str, title: str) -> None:
    """A group's profitability as a table: ``first`` (the group's name), accounts and the money, then downloads."""
    table = pd.DataFrame(
        {
            first: first_values,
            t("profit.accounts"): frame["accounts"],
            t("profit.revenue"): frame["revenue"].astype(float),
            t("profit.margin_pct"): pd.to_numeric(frame["gross_margin_pct"], errors="coerce").round(3),
            **{title_: frame[col].astype(float) for col, title_ in SERIES.items()},
            t("profit.tickets"): frame["tickets"],
        }
    )
    config = {
        first: st.column_config.TextColumn(pinned=True),
        t("profit.accounts"): widgets.count_column(t("profit.accounts")),
        t("profit.revenue"): widgets.money_column(t("profit.revenue"), ctx.currency, lang),
        t("profit.margin_pct"): widgets.percent_column(t("profit.margin_pct"), label(margin.definition, lang)),
        **{title_: widgets.money_column(title_, ctx.currency, lang) for title_ in SERIES.values()},
        t("profit.tickets"): widgets.count_column(t("profit.tickets")),
    }
    widgets.record_table(table, config, widgets.file_stem(file, flt), title, key, lang)


# --- Segments side by side ---
with widgets.section(t("profit.segments"), url):
    widgets.subheader(t("profit.segments"), t("profit.segments_caption"), label(profit.definition, lang))
    segments = cache.table(ctx, boot.key, "profit_table", flt, (settings, "segment"))
    if segments.empty or not int(segments["accounts"].sum()):
        st.info(t("profit.none"))
    else:
        names = [fmt.DASH if g is None else display("segment", str(g), lang) for g in segments["group"]]
        st.altair_chart(charts.segment_economics(segments.assign(name=names), SERIES, ctx.currency, lang), width="stretch")
        money_table(segments, t("profit.segment"), names, "segments", t("profit.segments_file"), t("profit.segments"))

# --- The value pyramid's tiers ---
with widgets.section(t("profit.pyramid"), url):
    widgets.subheader(t("profit.pyramid"), t("profit.pyramid_caption"), t("profit.note"))
    tiers = cache.table(ctx, boot.key, "profit_table", flt, (settings, "tier"))
    if not int(tiers["accounts"].sum()):
        st.info(t("profit.no_accounts"))
    else:
        names = [t(f"profit.tier.{g}") for g in tiers["group"]]
        st.altair_chart(charts.segment_economics(tiers.assign(name=names), SERIES, ctx.currency, lang), width="stretch")
        money_table(tiers, t("profit.tier"), names, "tiers", t("profit.tiers_file"), t("profit.pyramid"))

# --- The most valuable accounts ---
with widgets.section(t("profit.top"), url):
    widgets.subheader(t("profit.top"), t("profit.top_caption"), t("profit.note"))
    top, ranked = cache.table(ctx, boot.key, "profit_top", flt, (settings, TOP_ROWS))
    if top.empty:
        st.info(t("profit.no_accounts"))
    else:
        widgets.capped(top, TOP_ROWS, lang, total=ranked)
        frame = pd.DataFrame(
            {
                t("profit.account"): top["account"].astype(str),
                t("profit.tier"): top["tier"],
                t("profit.score"): top["score"].round(3),
                t("profit.unit"): [widgets.unit_name(ctx.org, u, lang) for u in top["unit"]],
                t("profit.segment"): [fmt.DASH if s is None else display("segment", str(s), lang) for s in top["segment"]],
                t("profit.revenue"): top["revenue"].astype(float),
                t("profit.expected"): top["expected"].astype(float),
                t("profit.credit"): pd.to_numeric(top["credit"], errors="coerce").round(3),
                t("profit.contribution"): top["profit_contribution"].astype(float),
                t("profit.referrals"): top["referrals"],
            }
        )
        config = {
            t("profit.account"): st.column_config.TextColumn(pinned=True, width="medium"),
            t("profit.score"): st.column_config.ProgressColumn(t("profit.score"), min_value=0.0, max_value=1.0, format="%.2f"),
            **{k: widgets.money_column(k, ctx.currency, lang) for k in (t("profit.revenue"), t("profit.expected"), t("profit.contribution"))},
            t("profit.credit"): widgets.percent_column(t("profit.credit")),
            t("profit.referrals"): widgets.count_column(t("profit.referrals")),
        }
        widgets.record_table(frame, config, widgets.file_stem(t("profit.top_file"), flt), t("profit.top"), "top_accounts", lang, height=420)

widgets.page_definitions([margin, profit], ("profit.note",), lang)
