"""Building blocks the pages lay out: a failure-proof section, the period heading, KPI cards,
the league table with its downloads, and the definitions panel.

Text from the CRM (unit names, the source URL) goes through ``md_escape`` wherever Streamlit
would read markdown, and into dataframes as plain values; never through HTML.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st
from babel.numbers import get_currency_symbol
from sqlalchemy.exc import SQLAlchemyError

from data_layer.config import Calendar
from data_layer.connection import ConnectionProblem, explain
from data_layer.filters import (
    Filters,
    OrgTree,
    Period,
    add_months,
    buckets,
    fiscal_quarter_label,
    fiscal_quarter_start,
    fiscal_year_of,
    fiscal_year_start,
)
from metrics.base import Comparison, Context, Metric
from ui import cache
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import has, join, label, t

log = logging.getLogger("granary.ui")


@contextmanager
def section(name: str, url: str) -> Iterator[None]:
    """Run one part of a page; if it fails, say so in its place and carry on with the rest."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - one failing section must not take the page down
        log.exception("section %r failed", name)
        if isinstance(exc, SQLAlchemyError | ConnectionProblem):
            detail = explain(exc, url)
        else:
            detail = t("section.failed_generic", kind=type(exc).__name__)
        st.error(md_escape(t("section.failed", section=name, detail=detail)), icon=":material/warning:")


# --- Heading ------------------------------------------------------------------------------------


def period_title(period: Period, as_of: date, cal: Calendar, lang: str) -> str:
    """ "FY2025 Q4 to date", "October 2025", "FY2024", "Last 12 months", "Custom range"."""
    to_date = period.end == as_of
    if period.span == "quarter":
        return t("period.qtd" if to_date else "period.last_quarter", lang, q=fiscal_quarter_label(period.start, cal))
    if period.span == "month":
        return t("period.mtd" if to_date else "period.last_month", lang, month=fmt.month(period.start, lang))
    if period.span == "year" and period.start == fiscal_year_start(period.start, cal):
        return t("period.ytd" if to_date else "period.last_year", lang, fy=f"FY{fiscal_year_of(period.start, cal)}")
    if period.span == "year":
        return t("period.last_12_months", lang)
    return t("period.custom", lang)


def heading(flt: Filters, as_of: date, cal: Calendar, tree: OrgTree, source_label: str, lang: str) -> None:
    """The period shown, the data's as-of date, the unit and the connected source."""
    line = " · ".join(
        (
            period_title(flt.period, as_of, cal, lang),
            fmt.date_range(flt.period.start, flt.period.end, lang),
            t("period.as_of", lang, date=fmt.day(as_of, lang)),
        )
    )
    st.markdown(f"**{md_escape(line)}**")
    unit = tree.by_code(flt.unit) if flt.unit else None
    where = " › ".join(u.name for u in tree.path(unit.code)) if unit else t("filters.all_units", lang)
    st.caption(f"{md_escape(where)} · {md_escape(t('source.label', lang, source=source_label))}")


# --- KPI cards ----------------------------------------------------------------------------------


def card_row(n: int) -> list:
    """``n`` slots for KPI cards: one row on a desktop, wrapping to two or three on a phone."""
    row = st.container(horizontal=True, wrap=True, gap="small")
    return [row.container(width="stretch", gap=None) for _ in range(n)]


def _tone(delta: float | None, better: str) -> tuple[str, str]:
    """(colour, arrow) for a change: green when it moves the way the metric wants."""
    if delta is None or delta == 0:
        return "gray", "off"
    good = (delta > 0) == (better == "up")
    return ("green" if good else "red"), ("up" if delta > 0 else "down")


def reason_text(reason: str | None, lang: str) -> str:
    if not reason:
        return ""
    key = f"reason.{reason}"
    return t(key, lang) if has(key) else t("reason.unknown", lang, reason=reason)


def _comparison(delta: float | None, metric: Metric, caption: str, lang: str) -> None:
    """A change as a coloured badge ("↑ +12.3%") over what it compares with, in small type.
    The markdown is built from our own strings and numbers only."""
    colour, arrow = _tone(delta, metric.better)
    icon = {"up": ":material/arrow_upward: ", "down": ":material/arrow_downward: ", "off": ""}[arrow]
    text = md_escape(fmt.change(delta, metric.kind, lang) or fmt.DASH)
    st.markdown(f":{colour}-badge[{icon}{text}]  \n:small[:gray[{md_escape(caption)}]]")


def kpi_card(metric: Metric, comp: Comparison, spark: list[float], currency: str, flt: Filters, lang: str) -> None:
    """One headline figure: value and trend, then its change vs the previous period and vs the
    same period a year earlier (green when it moves the way ``metric.better`` wants), with the
    definition on the ? of its label."""
    previous = Comparison.change(comp.current, comp.previous, metric.kind)
    year_ago = Comparison.change(comp.current, comp.year_ago, metric.kind)
    with st.container(border=True, gap="xsmall"):
        st.metric(
            label(metric.label, lang),
            fmt.kpi_value(metric, comp.current.value, currency, lang),
            help=label(metric.definition, lang),
            chart_data=spark if len(spark) > 1 else None,
            chart_type="area",
        )
        _comparison(previous, metric, t("kpi.vs_previous", lang), lang)
        _comparison(year_ago, metric, t("kpi.vs_year_ago", lang), lang)
        if comp.current.value is None:
            st.caption(md_escape(reason_text(comp.current.reason, lang)))
        skipped = metric.not_applicable(flt)
        if skipped:
            names = join([t(f"filter.{name}", lang) for name in skipped], lang)
            st.caption(md_escape(t("kpi.not_filtered_by", lang, filters=names)))


def trend_caption(metric: Metric, currency: str, period: Period, cal: Calendar, lang: str) -> str:
    """ "Revenue (USD): this period against the same period last year", and a warning when the
    last point covers only part of its week or month (so a low last point is not misread)."""
    unit = f" ({currency})" if metric.kind == "money" else ""
    text = t("trend.caption", lang, metric=label(metric.label, lang) + unit)
    last = buckets(period, cal)[-1]
    following = buckets(Period(last, last + timedelta(days=400), period.grain), cal)
    if len(following) > 1 and period.end < following[1] - timedelta(days=1):
        text += " · " + t("trend.partial", lang, days=(period.end - max(last, period.start)).days + 1)
    return text


# --- League table -------------------------------------------------------------------------------


def league_frame(units: list[tuple[str | None, str]], values: dict[str, pd.DataFrame], metrics: list[Metric], lang: str) -> pd.DataFrame:
    """One row per unit (``units`` = (code, display name); code None = booked at the parent
    itself), one column per metric's value, in the reader's language, largest first.
    A unit with no rows shows 0 for counts and money and nothing for ratios."""
    lookups = {
        m.key: {None if pd.isna(g) else str(g): v for g, v in zip(values[m.key]["group"], values[m.key]["value"], strict=True)}
        for m in metrics
    }
    unit_col = t("league.unit", lang)
    rows = []
    for code, name in units:
        row: dict[str, object] = {unit_col: name}
        for metric in metrics:
            value = lookups[metric.key].get(code)
            if value is None or (isinstance(value, float) and pd.isna(value)):
                value = 0 if metric.kind in ("count", "money") else None
            row[label(metric.label, lang)] = None if value is None else float(value)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[unit_col, *(label(m.label, lang) for m in metrics)])
    if metrics and len(frame):
        frame = frame.sort_values(label(metrics[0].label, lang), ascending=False, na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def column_config(metrics: list[Metric], currency: str, lang: str) -> dict:
    symbol = get_currency_symbol(currency, locale=fmt.NUMBER_LOCALE[lang])
    config: dict = {t("league.unit", lang): st.column_config.TextColumn(pinned=True)}
    for metric in metrics:
        name = label(metric.label, lang)
        if metric.kind == "money":
            config[name] = st.column_config.NumberColumn(f"{name} ({currency})", format=f"{symbol}%,.0f", help=label(metric.definition, lang))
        elif metric.kind == "ratio":
            config[name] = st.column_config.NumberColumn(name, format="percent", help=label(metric.definition, lang))
        else:
            config[name] = st.column_config.NumberColumn(name, format="%,d", help=label(metric.definition, lang))
    return config


def excel_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
        worksheet = writer.sheets[sheet[:31]]
        for i, column in enumerate(frame.columns):
            worksheet.set_column(i, i, max(12, len(str(column)) + 2))
    return buffer.getvalue()


def league_table(frame: pd.DataFrame, metrics: list[Metric], currency: str, file_stem: str, lang: str) -> None:
    """The table, then CSV and Excel downloads of exactly what it shows."""
    shown = frame.copy()
    for metric in metrics:
        if metric.kind == "ratio":  # "35.5%", not "35.48%": the table shows one decimal, like the cards
            shown[label(metric.label, lang)] = pd.to_numeric(shown[label(metric.label, lang)], errors="coerce").round(3)
    st.dataframe(shown, hide_index=True, column_config=column_config(metrics, currency, lang), width="stretch")
    downloads(frame, file_stem, t("league.title", lang), "league", lang)


def downloads(frame: pd.DataFrame, file_stem: str, sheet: str, key: str, lang: str) -> None:
    """CSV and Excel downloads of ``frame``, side by side (``key`` tells a page's tables apart)."""
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            t("league.csv", lang),
            frame.to_csv(index=False).encode("utf-8-sig"),
            file_name=f"{file_stem}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key=f"{key}_csv",
        )
        st.download_button(
            t("league.excel", lang),
            excel_bytes(frame, sheet),
            file_name=f"{file_stem}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/table_view:",
            on_click="ignore",
            key=f"{key}_xlsx",
        )


# --- Definitions --------------------------------------------------------------------------------


def definitions(metrics: Iterable[Metric], lang: str) -> None:
    """Every metric's written definition, exactly as declared on the metric."""
    for metric in metrics:
        st.markdown(f"**{md_escape(label(metric.label, lang))}** — {md_escape(label(metric.definition, lang))}")


def league_units(children: list[tuple[str, str]], values: dict[str, pd.DataFrame], parent_name: str, lang: str) -> list[tuple[str | None, str]]:
    """The league's rows: the child units, and a row for anything booked at the parent itself
    (shown only when there is some)."""
    rows: list[tuple[str | None, str]] = list(children)
    booked_at_parent = any(
        bool(v) for frame in values.values() for g, v in zip(frame["group"], frame["value"], strict=True) if pd.isna(g) and v is not None and not pd.isna(v)
    )
    if booked_at_parent:
        rows.append((None, t("league.other", lang, unit=parent_name)))
    return rows


# --- Building blocks of the analysis pages ---------------------------------------------------------


def kpi_cards(ctx: Context, key: cache.DataKey, metrics: list[Metric], flt: Filters, url: str, lang: str) -> None:
    """A row of KPI cards, each its own section: value, sparkline (when the metric has a trend at
    the period's grain) and its changes against the previous period and a year earlier."""
    for column, metric in zip(card_row(len(metrics)), metrics, strict=True):
        with column, section(label(metric.label, lang), url):
            comparison = cache.comparison(ctx, key, metric.key, flt)
            trend = cache.trend_or_none(ctx, key, metric.key, flt)
            spark = [v for v in trend["value"] if v is not None and v == v] if trend is not None else []  # noqa: PLR0124
            kpi_card(metric, comparison, [float(v) for v in spark], ctx.currency, flt, lang)


def subheader(text: str, caption: str | None = None, help_text: str | None = None) -> None:
    """A section's title (with its definition on the ?) and a one-line caption."""
    st.subheader(text, anchor=False, help=help_text)
    if caption:
        st.caption(md_escape(caption))


def capped(frame: pd.DataFrame, limit: int, lang: str, total: int | None = None) -> pd.DataFrame:
    """The first ``limit`` rows, with a "first N of M shown" notice when rows were left out."""
    total = len(frame) if total is None else total
    shown = frame.head(limit)
    if total > len(shown):
        st.caption(md_escape(t("table.capped", lang, n=fmt.number(len(shown), lang), total=fmt.number(total, lang))))
    return shown


def record_table(frame: pd.DataFrame, config: dict, file_stem: str, sheet: str, key: str, lang: str, *, height: int | str = "auto") -> None:
    """A table of records or units (CRM text as plain cell values, never HTML), then its downloads."""
    st.dataframe(frame, hide_index=True, column_config=config, width="stretch", height=height)
    downloads(frame, file_stem, sheet, key, lang)


def formatted_table(shown: pd.DataFrame, data: pd.DataFrame, config: dict, file_stem: str, sheet: str, key: str, lang: str) -> None:
    """A table of figures already formatted for the language (``shown``: text, a dash for none),
    then downloads of the same rows as numbers (``data``)."""
    st.dataframe(shown, hide_index=True, column_config=config, width="stretch")
    downloads(data, file_stem, sheet, key, lang)


def figure_column(title: str, help_text: str | None = None) -> Any:
    """A column of formatted figures (text), right-aligned like numbers."""
    return st.column_config.TextColumn(title, help=help_text, alignment="right")


def file_stem(name: str, flt: Filters) -> str:
    return f"granary-{name}-{flt.period.start:%Y%m%d}-{flt.period.end:%Y%m%d}"


def money_column(title: str, currency: str, lang: str, help_text: str | None = None) -> Any:
    symbol = get_currency_symbol(currency, locale=fmt.NUMBER_LOCALE[lang])
    return st.column_config.NumberColumn(f"{title} ({currency})", format=f"{symbol}%,.0f", help=help_text)


def percent_column(title: str, help_text: str | None = None) -> Any:
    return st.column_config.NumberColumn(title, format="percent", help=help_text)


def days_column(title: str, lang: str, help_text: str | None = None) -> Any:
    return st.column_config.NumberColumn(title, format="%.0f " + ("d" if lang == "en" else "天"), help=help_text)


def count_column(title: str, help_text: str | None = None) -> Any:
    return st.column_config.NumberColumn(title, format="%,d", help=help_text)


def unit_name(tree: OrgTree, code: object, lang: str) -> str:
    """A unit code as its name ("booked directly" for no code)."""
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return t("table.no_unit", lang)
    unit = tree.by_code(str(code))
    return unit.name if unit else str(code)


def page_definitions(metrics: Iterable[Metric], notes: Iterable[str], lang: str) -> None:
    """The Definitions expander: the page's registered metrics, then its other figures
    (``notes`` are i18n keys of "**name** — definition" texts)."""
    with st.expander(t("definitions.title", lang), icon=":material/menu_book:"):
        definitions(metrics, lang)
        for note in notes:
            st.markdown(t(note, lang))


# --- Views that need whole months or quarters --------------------------------------------------


def monthly_window(flt: Filters) -> Filters:
    """The filters for a monthly trend: the period itself when its trend is by month or longer,
    else the 12 whole months ending with the period's last month (churn has no weekly trend)."""
    if flt.period.grain in ("month", "quarter", "year"):
        return flt
    end = flt.period.end
    return flt.with_period(Period(add_months(end.replace(day=1), -11), end, "month", "days"))


#: Cohorts compared on the retention heatmap: first-order quarters up to the period's end.
COHORT_QUARTERS = 8


def cohort_window(flt: Filters, cal: Calendar) -> Filters:
    """The filters for the cohort heatmap: the period when it spans several fiscal quarters, else
    the :data:`COHORT_QUARTERS` quarters ending with the period's."""
    last = fiscal_quarter_start(flt.period.end, cal)
    if fiscal_quarter_start(flt.period.start, cal) <= add_months(last, -3 * (COHORT_QUARTERS - 1)):
        return flt
    return flt.with_period(Period(add_months(last, -3 * (COHORT_QUARTERS - 1)), flt.period.end, "quarter", "days"))
