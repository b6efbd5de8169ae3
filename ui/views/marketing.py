"""pages/marketing.py: the campaign table's rows and figures, and the leads behind a row."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from data_layer.filters import OrgTree
from ui import format as fmt
from ui.i18n import display, join, t
from ui.widgets import figures, lead_columns, missing, money_column, texts, unit_name


def campaign_rows(table: pd.DataFrame, by: str, tree: OrgTree, lang: str) -> pd.DataFrame:
    """metrics.campaigns.campaign_table's rows with what the page writes beside the figures: ``name_shown`` (the
    row's group in the reader's language), ``note`` (why no cost, and any unpriced orders) and, by campaign, its
    ``kind_name`` and the ``unit_name`` of the unit that ran it (a dash where that unit is not the viewer's to see)."""
    word = {"kind": "mkt.kind", "source": "channel"}.get(by)
    names = [t(f"mkt.no_{by}", lang) if missing(x) else display(word, x, lang) if word else str(x) for x in table["label"]]
    notes = [
        join([x for x in ("" if missing(n) else t(f"mkt.cost_note.{n}", lang), t("mkt.unpriced_note", lang, n=fmt.number(u, lang)) if u else "") if x], lang)
        for n, u in zip(table["cost_note"], table["unpriced_orders"], strict=True)
    ]
    rows = table.assign(name_shown=names, note=notes)
    if by == "campaign":
        rows = rows.assign(kind_name=[t("mkt.no_kind", lang) if missing(k) else display("mkt.kind", k, lang) for k in rows["kind"]],
                           unit_name=[fmt.DASH if missing(u) else unit_name(tree, u, lang) for u in rows["unit"]])
    return rows


def campaign_lead_table(records: pd.DataFrame, tree: OrgTree, currency: str, lang: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """metrics.campaigns.campaign_records' leads as the page lists them — the lead's columns, then the opportunity it
    became, the customer it won, that customer's first order and revenue (and unpriced orders, where any) — and
    their column config."""
    columns, config = lead_columns(records, tree, lang, t("mkt.drill.unit", lang))
    first_order, revenue = t("mkt.drill.first_order", lang), t("mkt.col.revenue", lang)
    columns |= {
        t("records.opportunity", lang): texts(records, "opportunity"),
        t("mkt.drill.customer", lang): texts(records, "customer"),
        first_order: pd.to_datetime(records["first_order"]),
        revenue: [None if missing(v) else float(v) for v in records["revenue"]],
    }
    if int(records["unpriced_orders"].sum()):
        columns[t("mkt.col.unpriced", lang)] = records["unpriced_orders"]
    config |= {
        t("records.opportunity", lang): st.column_config.TextColumn(width="medium"),
        first_order: st.column_config.DateColumn(first_order, format="YYYY-MM-DD"),
        revenue: money_column(revenue, currency, lang, t("mkt.drill.revenue_help", lang)),
    }
    return pd.DataFrame(columns), config


#: The campaign table's figures: (column of metrics.campaigns.campaign_table, kind as :func:`figures` writes it); each
#: titled ``mkt.col.<column>`` and explained by ``mkt.help.<column>``.
CAMPAIGN_FIGURES = [
    ("leads", "count"), ("opportunities", "count"), ("customers", "count"), ("revenue", "money_compact"), ("cost", "money_compact"),
    ("costed_revenue", "money_compact"), ("roi", "percent"), ("cost_per_lead", "money_compact"), ("cost_per_customer", "money_compact"),
]


def campaign_figures(rows: pd.DataFrame, by: str, currency: str, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """:func:`campaign_rows` as :func:`figures` shows and downloads them: the group pinned first, the figures, the
    unpriced orders where any, a campaign's type, unit and start, and the notes where any row has one."""
    first = t(f"mkt.by.{by}", lang)
    spec = [("name_shown", first, "text"), *((c, t(f"mkt.col.{c}", lang), kind) for c, kind in CAMPAIGN_FIGURES)]
    if int(rows["unpriced_orders"].sum()):
        spec.append(("unpriced_orders", t("mkt.col.unpriced", lang), "count"))
    if by == "campaign":  # who ran it and when, after the figures: a laptop's first view shows leads to ROI
        spec += [("kind_name", t("mkt.col.kind", lang), "text"), ("unit_name", t("mkt.col.unit", lang), "text"),
                 ("start_date", t("mkt.col.start", lang), "date")]
    if any(rows["note"]):
        spec.append(("note", t("mkt.col.note", lang), "text"))
    helps = {c: t(f"mkt.help.{c}", lang) for c, _ in CAMPAIGN_FIGURES} | {"unpriced_orders": t("mkt.help.unpriced", lang), "note": t("mkt.help.note", lang)}
    shown, data, config = figures(rows, spec, currency, lang, helps)
    config[first] = st.column_config.TextColumn(first, pinned=True, width="medium")
    return shown, data, config
