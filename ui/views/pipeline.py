"""pages/pipeline.py: its deal lists, the names of its groups and loss reasons, its chart frames, figure tables and
drill-through pickers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from babel.dates import format_skeleton

from data_layer.config import Calendar
from data_layer.filters import OrgTree, fiscal_quarter_label
from metrics.pipeline import CATEGORIES
from ui import format as fmt
from ui.filterbar import ALL_GRADES
from ui.i18n import display, t
from ui.widgets import figure_value, figures, formatted_table, linked_choice, missing, money_column, percent_column, texts, unit_name

#: The grades the page names in words; any other grade by its name in the CRM.
KNOWN_GRADES = ("company", "region", "office")


def grade_label(code: str, names: dict[str, str], lang: str) -> str:
    """A grade as the grade control offers it: "Region level and above", or "All grades" for ``filterbar.ALL_GRADES``."""
    if code == ALL_GRADES:
        return t("pipe.grade_all", lang)
    return t("pipe.grade_and_above", lang, grade=display("pipe.grade", code, lang) if code in KNOWN_GRADES else names.get(code, code))


def projects_label(code: str, names: dict[str, str], lang: str) -> str:
    """ "Company-level projects and above": the projects a grade watches, in a sentence."""
    return t(f"pipe.projects.{code}", lang) if code in KNOWN_GRADES else t("pipe.grade_and_above", lang, grade=names.get(code, code))


def inline(text: str, lang: str) -> str:
    """A label inside an English sentence is lower case; Chinese has no case."""
    return text.lower() if lang == "en" else text


def group_namer(by: str, names: dict[str, str], tree: OrgTree, lang: str) -> Callable[[object], str]:
    """The name of a group of the pipeline page's split ``by`` (unit, bu or product): a unit's name, else the code's
    name in ``names`` (the viewer's options), else the code; "(no business unit)" and the like for none."""

    def name(code: object) -> str:
        if by == "unit":
            return unit_name(tree, code, lang)
        if missing(code):
            return t(f"pipe.no_{by}", lang)
        return names.get(str(code), str(code))

    return name


def reason_name(code: object, lang: str) -> str:
    """A loss reason as the CRM's code names it, "(no reason recorded)" for none."""
    return t("pipe.no_reason", lang) if missing(code) else display("pipe.reason", str(code), lang)


def deal_table(records: pd.DataFrame, kind: str, tree: OrgTree, currency: str, lang: str) -> tuple[pd.DataFrame, dict]:
    """The deals behind a pipeline page figure (metrics.pipeline's ``pipeline_records`` or ``closed_records``) for
    :func:`ui.widgets.record_table`: the table and its column config. ``kind`` "open": the sort key first (in sight on a phone),
    the values as they stood, account, owner and unit; "watch": the same without the account (the deal's name carries
    it); "closed": outcome, amount, close date, loss reason (none for a win) and competitor, account, owner and unit."""
    deal, amount = t("pipe.deal", lang), t("pipe.amount", lang)
    money = lambda vs: [None if missing(v) else float(v) for v in vs]  # noqa: E731
    config: dict[str, Any] = {deal: st.column_config.TextColumn(pinned=True, width="medium"), amount: money_column(amount, currency, lang)}
    columns: dict[str, Any] = {deal: texts(records, "deal")}
    if kind == "closed":
        closed = t("pipe.closed", lang)
        columns |= {
            t("pipe.status", lang): [t(f"pipe.status.{s}", lang) for s in records["status"]],
            amount: money(records["amount"]),
            closed: pd.to_datetime(records["closed"]),
            t("pipe.loss_reason", lang): ["" if s == "won" else reason_name(r, lang) for s, r in zip(records["status"], records["loss_reason"], strict=True)],
            t("pipe.competitor", lang): texts(records, "competitor"),
        }
        config[closed] = st.column_config.DateColumn(closed, format="YYYY-MM-DD")
    else:
        weighted, probability, close = t("pipe.weighted", lang), t("pipe.probability", lang), t("pipe.expected_close", lang)
        columns |= {
            weighted: money(records["weighted"]),
            probability: money(records["probability"]),
            amount: money(records["amount"]),
            t("records.stage", lang): [display("pipeline", str(s), lang) for s in records["stage"]],
            close: pd.to_datetime(records["expected_close"]),
        }
        config |= {weighted: money_column(weighted, currency, lang), probability: percent_column(probability),
                   close: st.column_config.DateColumn(close, format="YYYY-MM-DD")}
    if kind != "watch":
        columns[t("pipe.account", lang)] = texts(records, "account")
    columns[t("pipe.owner", lang)] = texts(records, "owner")
    columns[t("table.unit", lang)] = [unit_name(tree, u, lang) for u in records["unit"]]
    return pd.DataFrame(columns), config


def pinned_figures(
    frame: pd.DataFrame, spec: list[tuple[str, str, str]], stem: str, sheet: str, key: str, currency: str, lang: str,
    helps: dict[str, str] | None = None,
) -> None:
    """:func:`ui.widgets.figures` of ``frame`` as a :func:`ui.widgets.formatted_table`, its first column (the row's name) pinned."""
    shown, data, config = figures(frame, spec, currency, lang, helps)
    config[spec[0][1]] = st.column_config.TextColumn(spec[0][1], pinned=True)
    formatted_table(shown, data, config, stem, sheet, key, lang)


def close_bars(
    cells: pd.DataFrame, every: pd.DataFrame, when: str, groups: list, name: Callable[[object], str], labels: dict, currency: str,
    lang: str, max_stacked: int,
) -> pd.DataFrame:
    """The weighted pipeline chart's frame (ui.charts.pipeline_bars): each week or month (``labels``) stacked by group in
    ``groups``' order, or, with more groups than ``max_stacked`` colours, the whole of each (``every``) in one colour."""
    stacked = len(groups) <= max_stacked
    bars = cells if stacked else every
    rank = {g: i for i, g in enumerate(groups)}
    return pd.DataFrame({
        "bucket": [labels[s] for s in bars[f"close_{when}"]],
        "name": [name(g) for g in bars["group"]] if stacked else [t("pipe.every_group", lang)] * len(bars),
        "rank": [rank.get(g, len(rank)) for g in bars["group"]] if stacked else [0] * len(bars),
        "weighted": [float(v) for v in bars["weighted"]],
        "text": [figure_value("money_compact", v, currency, lang) for v in bars["weighted"]],
        "deals": [int(v) for v in bars["deals"]],
    }).sort_values("rank", kind="stable")


def loss_bars(
    lost: pd.DataFrame, reasons: pd.DataFrame, order: dict, name: Callable[[object], str], currency: str, lang: str, max_stacked: int
) -> pd.DataFrame:
    """The loss reasons chart's frame (ui.charts.stacked_counts): each reason in ``order``, stacked by group, or, with
    more groups than ``max_stacked`` colours, the whole of each reason (``reasons``) in one colour."""
    stacked = lost["group"].nunique(dropna=False) <= max_stacked
    source = lost if stacked else reasons.assign(group=None)
    return pd.DataFrame({
        "name": [reason_name(r, lang) for r in source["loss_reason"]],
        "group": [name(g) for g in source["group"]] if stacked else [t("pipe.every_group", lang)] * len(source),
        "count": [int(v) for v in source["lost"]],
        "text": [figure_value("money_compact", v, currency, lang) for v in source["lost_amount"]],
        "rank": [order.get(None if missing(r) else r, len(order)) for r in source["loss_reason"]],
    }).sort_values("rank", kind="stable")


def accuracy_points(acc: pd.DataFrame, names: list[str], currency: str, lang: str) -> pd.DataFrame:
    """The forecast accuracy chart's frame (ui.charts.accuracy_chart): forecast and won per period (``names``)."""
    what = {"forecast": t("pipe.forecast", lang), "actual": t("pipe.actual", lang)}
    return pd.DataFrame([
        {"period": n, "what": what[k], "amount": float(r[k]), "text": figure_value("money_compact", r[k], currency, lang),
         "accuracy": None if missing(r["accuracy"]) else float(r["accuracy"]),
         "accuracy_text": fmt.percent(None if missing(r["accuracy"]) else float(r["accuracy"]), lang)}
        for n, r in zip(names, acc.to_dict("records"), strict=True) for k in ("forecast", "actual")
    ])


def linked_select(title: str, names: dict[str, str], key: str, param: str, fallback: str, lang: str, width: int = 240) -> str:
    """A selectbox of ``names`` (value → label, in order) whose pick is page parameter ``param``: restored from the link
    when offered, else ``fallback`` (a value not offered is refused with the link notice: :func:`ui.widgets.linked_choice`)."""
    linked_choice(key, param, list(names), fallback, lang)
    return st.selectbox(title, list(names), key=key, width=width, format_func=names.get) or fallback


def period_names(acc: pd.DataFrame, grain: str, cal: Calendar, lang: str) -> list[str]:
    """The forecast accuracy periods' names: "Oct 2025" or the fiscal quarter, "(to date)" for one not over yet."""
    names = [format_skeleton("yMMM", s, locale=fmt.DATE_LOCALE[lang]) if grain == "month" else fiscal_quarter_label(s, cal) for s in acc["period_start"]]
    return [n if c else t("pipe.to_date", lang, period=n) for n, c in zip(names, acc["complete"], strict=True)]


def bucket_labels(starts: list, when: str, lang: str) -> dict:
    """Each expected close week or month (its first day) as the chart and table name it: "Oct 2025", "Week of 6 Oct"."""
    return {s: fmt.month(s, lang) if when == "month" else t("pipe.week_of", lang, day=fmt.short_day(s, lang)) for s in starts}


def category_bars(named: pd.DataFrame, currency: str, lang: str) -> pd.DataFrame:
    """The forecast categories chart's frame (ui.charts.money_bars): each category's name and weighted amount."""
    return pd.DataFrame({"name": named["name"], "weighted": [float(v) for v in named["weighted"]],
                         "text": [figure_value("money_compact", v, currency, lang) for v in named["weighted"]]})


def category_choices(cats: pd.DataFrame, lang: str) -> dict[str, str]:
    """The category drill-through's choices: "Commit · 12", the count the category's figure counts and its list holds."""
    counts = dict(zip(cats["category"], cats["deals"], strict=True))
    return {c: t("pipe.pick_label", lang, name=t(f"pipe.cat.{c}", lang), n=fmt.number(int(counts.get(c, 0)), lang)) for c in CATEGORIES}


def winloss_choices(picks: dict[str, tuple[str, object, int]], lang: str) -> dict[str, str]:
    """The win/loss drill-through's choices (metrics.pipeline.winloss_picks): "Price · 3", "Against Contoso · 5"."""
    return {
        p: t("pipe.pick_label", lang, n=fmt.number(n, lang), name=reason_name(v, lang) if k == "reason" else t("pipe.against", lang, competitor=str(v)))
        for p, (k, v, n) in picks.items()
    }
