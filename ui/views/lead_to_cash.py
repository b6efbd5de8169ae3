"""pages/lead_to_cash.py: the tables of the weeks around today and of the 13 weeks, and the order records behind a figure."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from data_layer.filters import OrgTree
from ui import format as fmt
from ui.i18n import t
from ui.widgets import counts_and_amounts, figure_column, figures, missing, money_column, texts, unit_name


#: The dates of the orders behind a lead-to-cash figure, as their columns are titled (``ltc.col.<title>``).
ORDER_DATES = {"order_date": "booked", "shipped_date": "shipped", "invoiced_date": "invoiced", "payment_due_date": "due",
               "cash_collected_date": "paid_on"}


def order_records(
    records: pd.DataFrame, extra: dict[str, tuple[list, Any]], tree: OrgTree, currency: str, lang: str
) -> tuple[pd.DataFrame, dict]:
    """The orders behind a lead-to-cash figure (metrics.lead_to_cash's records) for :func:`record_table`: the table and
    its column config. Order, account, amount in ``currency``, the ``extra`` columns (title → (values, config)), unit,
    rep, the records' dates (:data:`ORDER_DATES`, in their order) and the amount as booked, in its own currency."""
    order, account, amount, as_booked = (t(f"ltc.col.{k}", lang) for k in ("order", "account", "amount", "as_booked"))
    dates = {t(f"ltc.col.{title}", lang): column for column, title in ORDER_DATES.items() if column in records}
    dates = dict(sorted(dates.items(), key=lambda d: list(records.columns).index(d[1])))
    frame = pd.DataFrame(
        {
            order: texts(records, "order_number"),
            account: texts(records, "account"),
            amount: [None if missing(v) else float(v) for v in records["amount"]],
            **{title: values for title, (values, _config) in extra.items()},
            t("table.unit", lang): [unit_name(tree, u, lang) for u in records["unit"]],
            t("ltc.col.rep", lang): texts(records, "rep"),
            **{title: pd.to_datetime(records[column]) for title, column in dates.items()},
            as_booked: [
                fmt.DASH if missing(a) else fmt.money(a, str(c), lang) for a, c in zip(records["order_amount"], records["currency"], strict=True)
            ],
        }
    )
    config = {
        order: st.column_config.TextColumn(order, pinned=True),
        amount: money_column(amount, currency, lang, t("ltc.amount_help", lang)),
        **{title: column for title, (_values, column) in extra.items()},
        **{title: st.column_config.DateColumn(title, format="YYYY-MM-DD") for title in dates},
        as_booked: st.column_config.TextColumn(as_booked, alignment="right"),
    }
    return frame, config


def weeks_around_table(
    monday: pd.DataFrame, steps: dict[str, str], heads: dict[str, str], currency: str, lang: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The Monday table (metrics.lead_to_cash.monday_view) for :func:`formatted_table`: shown, one "orders · amount"
    cell per step and week (``heads``: last, this, next → column title), so four columns fit a phone; downloaded, each
    figure apart. ``steps``: step → name."""
    step = t("ltc.col.step", lang)
    shown = pd.DataFrame({step: [steps[s] for s in monday["step"]]} | {
        head: counts_and_amounts(monday[f"{w}_week_orders"], monday[f"{w}_week_amount"], currency, lang) for w, head in heads.items()})
    spec = [("name", step, "text")] + [
        (f"{w}_week_{p}", t(f"ltc.col.{w}_{p}", lang), k) for w in heads for p, k in (("orders", "count"), ("amount", "money"))]
    _, data, _ = figures(monday.assign(name=list(shown[step])), spec, currency, lang)
    config = {step: st.column_config.TextColumn(step, pinned=True),
              **{head: figure_column(head, t("ltc.col.cell_help", lang, currency=currency)) for head in heads.values()}}
    return shown, data, config


def quarter_weeks_table(
    weeks: pd.DataFrame, steps: dict[str, str], show: str, currency: str, lang: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The 13 weeks (metrics.lead_to_cash.weekly_flows with ``label``, ``dates`` and ``status_text``) for
    :func:`formatted_table`: shown, the week, each step's ``show`` figure (amount or orders; a dash in a week to come),
    then its dates — a phone shows the first columns; downloaded, every step's orders, amount and unpriced."""
    week = t("ltc.col.week", lang)
    about = [("dates", t("ltc.col.dates", lang), "text"), ("days", t("ltc.col.days", lang), "count"),
             ("status_text", t("ltc.col.status", lang), "text")]
    kind = "money_compact" if show == "amount" else "count"
    every = [(f"{s}_{p}", f"{name} · {t(f'ltc.col.{p}', lang)}", k) for s, name in steps.items()
             for p, k in (("orders", "count"), ("amount", "money"), ("unpriced", "count"))]
    shown_spec = [("label", week, "text")] + [(f"{s}_{show}", name, kind) for s, name in steps.items()] + about
    shown, _, config = figures(weeks, shown_spec, currency, lang)
    _, data, _ = figures(weeks, [("label", week, "text")] + about + every, currency, lang)
    shown.loc[(weeks["status"] == "future").to_numpy(), list(steps.values())] = fmt.DASH  # a week to come has nothing yet
    config[week] = st.column_config.TextColumn(week, pinned=True)
    return shown, data, config
