"""Share of wallet, for the executive: how much of each customer's spend we win, where the
headroom is, and how concentrated revenue is.

Share against wallet size per account, the accounts with most headroom, the spread by segment,
the Pareto curve and the A/B/C value tiers.
"""

from __future__ import annotations


import pandas as pd
import streamlit as st

from metrics.registry import REGISTRY
from ui import cache, charts, widgets
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import current_lang, display, label, t
from ui.session import current_boot, guard

ctx, flt = guard("wallet")
boot = current_boot()
lang = current_lang()
url = boot.source.url
share, coverage = REGISTRY["share_of_wallet"], REGISTRY["wallet_coverage"]
HEADROOM_ROWS = 25
SCATTER_POINTS = 2000

st.title(t("wallet.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
widgets.kpi_cards(ctx, boot.key, [share, coverage], flt, url, lang)
# The total, the segments' spread and the accounts with most headroom from one statement: the accounts'
# rows are worked out once. The scatter's accounts come most headroom first: its first rows are the list.
view = cache.table(ctx, boot.key, "wallet_view", flt, ((None, "segment"), SCATTER_POINTS))
summary = view.summaries[None].iloc[0]
st.caption(
    md_escape(
        t(
            "wallet.summary",
            estimated=fmt.number(summary["with_estimate"], lang),
            accounts=fmt.number(summary["accounts"], lang),
            above=fmt.number(summary["above_wallet"], lang),
            median=fmt.percent(summary["median_share"], lang),
        )
    )
)

# --- Share against wallet size, and the headroom ---
accounts = view.accounts
with widgets.section(t("wallet.scatter"), url):
    widgets.subheader(t("wallet.scatter"), t("wallet.scatter_caption"), label(share.definition, lang))
    if accounts.empty:
        st.info(t("wallet.no_estimates"))
    else:
        if int(summary["with_estimate"]) > len(accounts):
            st.caption(md_escape(t("wallet.scatter_capped", n=fmt.number(len(accounts), lang), total=fmt.number(summary["with_estimate"], lang))))
        points = accounts.assign(unit_name=[widgets.unit_name(ctx.org, u, lang) for u in accounts["unit"]])
        st.altair_chart(charts.wallet_scatter(points, ctx.currency, lang), width="stretch")

with widgets.section(t("headroom.title"), url):
    widgets.subheader(t("headroom.title"), t("headroom.caption"), t("headroom.definition"))
    top = accounts.head(HEADROOM_ROWS)
    if top.empty:
        st.info(t("wallet.no_estimates"))
    else:
        widgets.capped(top, HEADROOM_ROWS, lang, total=int(summary["with_estimate"]))
        frame = pd.DataFrame(
            {
                t("risk.account"): top["account"].astype(str),
                t("table.unit"): [widgets.unit_name(ctx.org, u, lang) for u in top["unit"]],
                t("headroom.headroom"): top["headroom"].astype(float),
                t("headroom.revenue"): top["revenue"].astype(float),
                t("headroom.wallet"): top["wallet"].astype(float),
                label(share.label, lang): top["share"].round(3),
            }
        )
        config = {
            t("risk.account"): st.column_config.TextColumn(pinned=True, width="medium"),
            **{k: widgets.money_column(k, ctx.currency, lang) for k in (t("headroom.headroom"), t("headroom.revenue"), t("headroom.wallet"))},
            label(share.label, lang): widgets.percent_column(label(share.label, lang)),
        }
        widgets.record_table(frame, config, widgets.file_stem(t("headroom.file"), flt), t("headroom.title"), "headroom", lang, height=420)

# --- Spread by segment ---
with widgets.section(t("segment.title"), url):
    widgets.subheader(t("segment.title"), t("segment.caption"), label(share.definition, lang))
    by_segment = view.summaries["segment"].copy()
    by_segment.insert(0, "segment", [fmt.DASH if g is None or pd.isna(g) else display("segment", str(g), lang) for g in by_segment["group"]])
    if by_segment.empty or by_segment["share_of_wallet"].isna().all():
        st.info(t("wallet.no_estimates"))
    else:
        st.altair_chart(charts.share_bars(by_segment, "segment", "share_of_wallet", label(share.label, lang), lang), width="stretch")
        frame = pd.DataFrame(
            {
                t("segment.segment"): by_segment["segment"],
                t("segment.accounts"): by_segment["accounts"],
                t("segment.estimated"): by_segment["with_estimate"],
                label(share.label, lang): pd.to_numeric(by_segment["share_of_wallet"], errors="coerce").round(3),
                t("segment.median"): pd.to_numeric(by_segment["median_share"], errors="coerce").round(3),
                label(coverage.label, lang): pd.to_numeric(by_segment["coverage"], errors="coerce").round(3),
            }
        )
        config = {
            t("segment.segment"): st.column_config.TextColumn(pinned=True),
            t("segment.accounts"): widgets.count_column(t("segment.accounts")),
            t("segment.estimated"): widgets.count_column(t("segment.estimated")),
            label(share.label, lang): widgets.percent_column(label(share.label, lang), label(share.definition, lang)),
            t("segment.median"): widgets.percent_column(t("segment.median")),
            label(coverage.label, lang): widgets.percent_column(label(coverage.label, lang), label(coverage.definition, lang)),
        }
        widgets.record_table(frame, config, widgets.file_stem(t("segment.file"), flt), t("segment.title"), "segments", lang)

# --- Concentration: the Pareto curve and value tiers ---
with widgets.section(t("pareto.title"), url):
    widgets.subheader(t("pareto.title"), t("pareto.caption"), t("pareto.definition"))
    conc = cache.table(ctx, boot.key, "concentration", flt)
    if conc.curve["share"].isna().all():
        st.info(t("pareto.empty"))
    else:
        named = conc.tiers.assign(name=[t(f"tier.{k.lower()}") for k in conc.tiers["tier"]])
        left, right = st.columns(2, gap="large")
        with left:
            st.altair_chart(charts.pareto_curve(conc.curve, lang), width="stretch")
        with right:
            st.altair_chart(charts.share_bars(named, "name", "share", t("tier.share"), lang), width="stretch")
        tiers = pd.DataFrame(
            {
                t("tier.tier"): named["name"],
                t("segment.accounts"): conc.tiers["accounts"],
                t("headroom.revenue"): conc.tiers["revenue"].astype(float),
                t("tier.share"): pd.to_numeric(conc.tiers["share"], errors="coerce").round(3),
            }
        )
        config = {
            t("tier.tier"): st.column_config.TextColumn(pinned=True),
            t("segment.accounts"): widgets.count_column(t("segment.accounts")),
            t("headroom.revenue"): widgets.money_column(t("headroom.revenue"), ctx.currency, lang),
            t("tier.share"): widgets.percent_column(t("tier.share")),
        }
        widgets.record_table(tiers, config, widgets.file_stem(t("tier.file"), flt), t("tier.title"), "tiers", lang)

widgets.page_definitions([share, coverage], ("headroom.note", "pareto.note"), lang)
