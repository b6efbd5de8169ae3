"""Building blocks the pages lay out: a failure-proof section, the period heading, KPI cards,
the league table with its downloads, and the definitions panel.

Text from the CRM (unit names, the source URL) goes through ``md_escape`` wherever Streamlit
would read markdown, and into dataframes as plain values; never through HTML.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from babel.numbers import format_currency, get_currency_symbol
from sqlalchemy.exc import SQLAlchemyError

from data_layer.config import Calendar
from data_layer.connection import ConnectionProblem, explain
from data_layer.dimensions import CopyMade
from data_layer.filters import (
    Filters,
    NoScope,
    OrgTree,
    OrgUnit,
    Period,
    Viewer,
    add_months,
    buckets,
    fiscal_quarter_label,
    fiscal_quarter_start,
    fiscal_year_of,
    fiscal_year_start,
)
from metrics.base import Comparison, Context, Metric
from metrics.funnel import maturing_days
from metrics.service import understated_while_open
from ui import cache, filterbar
from ui.charts import ink, sparkline
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import display, has, join, label, t
from ui.session import BOOT_KEY

log = logging.getLogger("granary.ui")


@contextmanager
def section(name: str, url: str) -> Iterator[None]:
    """Run one part of a page; if it fails, say so in its place and carry on with the rest."""
    try:
        yield
    except NoScope:  # records this viewer's scope cannot be applied to (leads for a business-unit scope)
        st.info(t("section.no_scope", section=name), icon=":material/lock:")
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
    caption = f"{md_escape(where)} · {md_escape(t('source.label', lang, source=source_label))}"
    fresh = _freshness(cal, lang)
    if fresh is not None:
        # Stale: the same line (a line of its own would push the Overview's cards below a laptop's fold),
        # in bold behind an orange warning icon, since a caption's faded orange text would be hard to read.
        icon, text = (":orange[:material/warning:]", f"**{md_escape(fresh[0])}**") if fresh[1] else (":material/update:", md_escape(fresh[0]))
        caption += f" · {icon} {text}"
    st.caption(caption)


#: Older than this many days, the newest record's line is a warning: the CRM may have stopped feeding Granary.
STALE_AFTER_DAYS = 7


def freshness_line(newest: datetime | date | None, now: datetime, cal: Calendar, lang: str) -> tuple[str, bool] | None:
    """ "Newest record written 1 Jul 2025 at 00:30 (3 days ago)" for ``newest`` (data_layer.dimensions.newest_record,
    in the company's zone; a date when only an order's date is that new), with whether it is older than
    :data:`STALE_AFTER_DAYS` on the company's calendar at ``now``; None when the CRM has no record."""
    if newest is None:
        return None
    if isinstance(newest, datetime):
        newest = newest.astimezone(cal.zone)
    day = newest.date() if isinstance(newest, datetime) else newest
    days = (now.astimezone(cal.zone).date() - day).days
    ago = t("fresh.today", lang) if days <= 0 else t("fresh.day_ago" if days == 1 else "fresh.days_ago", lang, n=fmt.number(days, lang))
    if isinstance(newest, datetime):
        text = t("fresh.written", lang, day=fmt.day(day, lang), time=f"{newest:%H:%M}", ago=ago)
    else:
        text = t("fresh.dated", lang, day=fmt.day(day, lang), ago=ago)
    return text, days > STALE_AFTER_DAYS


#: Older than this, a synced copy's line is a warning: the scheduled sync may have stopped.
COPY_STALE_AFTER = timedelta(days=1)


def copy_line(made: CopyMade, now: datetime, cal: Calendar, lang: str) -> tuple[str, bool]:
    """ "Copy of postgresql · crm on db made 1 Jul 2025 at 06:00 (12 min ago)" for a DuckDB copy made by
    ``python -m data_layer.sync`` (data_layer.dimensions.copy_made), in the company's zone, with whether it
    is older than :data:`COPY_STALE_AFTER` at ``now``."""
    at = made.made_at.astimezone(cal.zone)
    age = now - made.made_at
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        ago = t("fresh.just_now", lang)
    elif minutes < 60:
        ago = t("fresh.min_ago", lang, n=fmt.number(minutes, lang))
    elif minutes < 48 * 60:
        ago = t("fresh.hours_ago", lang, n=fmt.number(minutes // 60, lang))
    else:
        ago = t("fresh.days_ago", lang, n=fmt.number(minutes // (24 * 60), lang))
    text = t("fresh.copy", lang, source=made.source, day=fmt.day(at.date(), lang), time=f"{at:%H:%M}", ago=ago)
    return text, age > COPY_STALE_AFTER


def _freshness(cal: Calendar, lang: str) -> tuple[str, bool] | None:
    """:func:`copy_line` when the app reads a synced copy, else :func:`freshness_line` for the connected CRM
    now; None when it cannot be known."""
    boot = st.session_state.get(BOOT_KEY)  # set by app.py before any page runs
    if boot is None:
        return None
    try:
        made = cache.copy_made(boot.engine, boot.key)
        if made is not None:
            return copy_line(made, datetime.now(cal.zone), cal, lang)
        newest = cache.newest_record(boot.engine, boot.key, cal)
    except (SQLAlchemyError, ConnectionProblem):  # a line of the heading must not take the page down
        log.warning("could not read when the newest record was written", exc_info=True)
        return None
    return freshness_line(newest, datetime.now(cal.zone), cal, lang)


# --- KPI cards ----------------------------------------------------------------------------------


#: A metric's label wraps onto a second line rather than being cut off with an ellipsis, as it
#: would be on a narrow card (two cards side by side on a 390 px phone leave ~120 px for it).
#: Streamlit offers no option for this; the selectors are its own test ids and class.
CARD_STYLE = """<style>
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] .stMarkdownEllipsis p {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
}
</style>"""


#: More than six cards do not fit one row beside the sidebar (a 1366 px screen leaves ~900 px):
#: four to a row there, two on a phone, every card the same width; and the cards a little tighter
#: (padding, the space above the sparkline), so both rows fit a 768 px screen's first view. The
#: selectors are the row's key and Streamlit's own test ids.
WIDE_ROW_STYLE = """<style>
.st-key-kpi_row_wide > div { flex: 0 1 calc(25% - 0.75rem); min-width: 0; }
@media (max-width: 640px) { .st-key-kpi_row_wide > div { flex: 0 1 calc(50% - 0.5rem); } }
.st-key-kpi_row_wide > div > div > [data-testid="stLayoutWrapper"] > [data-testid="stVerticalBlock"] { padding: 0.625rem 0.75rem; }
.st-key-kpi_row_wide [data-testid="stMetricChart"] { margin-top: 0.25rem; }
</style>"""


#: More cards than this make a wide row: four to a row on a desktop, all on the first screen.
WIDE_ROW = 6


def card_row(n: int) -> list:
    """``n`` slots for KPI cards: one row on a desktop (four to a row for more than six), wrapping
    to two or three on a phone."""
    wide = n > WIDE_ROW
    st.html(CARD_STYLE + (WIDE_ROW_STYLE if wide else ""))
    row = st.container(horizontal=True, wrap=True, gap="small", key="kpi_row_wide" if wide else None)
    return [row.container(width="stretch", height="stretch", gap=None) for _ in range(n)]  # a row's cards equally tall


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


def _comparison(delta: float | None, metric: Metric, caption: str, lang: str) -> str:
    """A change as a coloured badge ("↑ +12.3%") beside what it compares with, in small type
    (markdown built from our own strings and numbers only)."""
    colour, arrow = _tone(delta, metric.better)
    icon = {"up": ":material/arrow_upward: ", "down": ":material/arrow_downward: ", "off": ""}[arrow]
    text = md_escape(fmt.change(delta, metric.kind, lang) or fmt.DASH)
    return f":{colour}-badge[{icon}{text}] :small[:gray[{md_escape(caption)}]]"


def kpi_card(
    metric: Metric,
    comp: Comparison,
    spark: list[float],
    currency: str,
    flt: Filters,
    lang: str,
    *,
    maturing: str | None = None,
    target: Any = None,
    compact: bool = False,
) -> None:
    """One headline figure: value and trend, then its change vs the previous period and vs the
    same period a year earlier (green when it moves the way ``metric.better`` wants), with the
    definition on the ? of its label; and, for a cohort still maturing, a flag saying why the
    figure will change (``maturing``). What the figure left out leads its ? and, unless ``compact`` (a
    wide row of cards that must fit the first screen), a short line on the card."""
    previous = Comparison.change(comp.current, comp.previous, metric.kind)
    definition = label(metric.definition, lang)
    if comp.current.excluded:
        definition = f"**{md_escape(excluded_text(comp.current.excluded, lang))}**\n\n{definition}"
    year_ago = Comparison.change(comp.current, comp.year_ago, metric.kind)
    with st.container(border=True, gap="xsmall", height="stretch"):
        st.metric(
            label(metric.label, lang),
            fmt.kpi_value(metric, comp.current.value, currency, lang),
            help=definition,
            chart_data=spark if len(spark) > 1 else None,
            chart_type="area",
        )
        # One element for both lines: no gap between them, so a row of cards stays short.
        lines = (_comparison(previous, metric, t("kpi.vs_previous", lang), lang), _comparison(year_ago, metric, t("kpi.vs_year_ago", lang), lang))
        st.markdown("  \n".join(lines))
        if target is not None:
            target_line(target, metric, currency, lang)
        if maturing:
            maturity_note(maturing, lang)
        if comp.current.value is None:
            st.caption(md_escape(reason_text(comp.current.reason, lang)))
        if comp.current.excluded and not compact:  # one short line; the reasons on its ? and the figure's
            left_out = sum(n for _, n in comp.current.excluded)
            st.caption(t("kpi.excluded_short", lang, n=fmt.number(left_out, lang)), help=md_escape(excluded_text(comp.current.excluded, lang)))
        skipped = metric.not_applicable(flt)
        if skipped:
            names = join([t(f"filter.{name}", lang) for name in skipped], lang)
            st.caption(md_escape(t("kpi.not_filtered_by", lang, filters=names)))


def excluded_text(excluded: tuple[tuple[str, int], ...], lang: str) -> str:
    """ "Left out: 3 orders without an amount, 1 order in a currency with no rate that day" (Result.excluded)."""
    what = [t(f"excluded.{name}" + (".one" if n == 1 else ""), lang, n=fmt.number(n, lang)) for name, n in excluded]
    return t("kpi.excluded", lang, what=join(what, lang))


def target_line(got: Any, metric: Metric, currency: str, lang: str) -> None:
    """Where the view stands against its target (metrics.targets.ScopeAttainment): the share
    attained as a badge coloured by pace (green on or ahead of where it should be by now, orange
    within 10% of it, red further behind), then the target, the pace and the projection."""
    pace = None if got.pace is None else float(got.pace)
    colour = "gray" if pace is None else "green" if pace >= 1 else "orange" if pace >= 0.9 else "red"
    attained = fmt.percent(None if got.attainment is None else float(got.attainment), lang)
    parts = [t("kpi.target_of", lang, target=fmt.kpi_value(metric, got.target, currency, lang))]
    if pace is not None:
        parts.append(t("kpi.target_pace", lang, pace=fmt.percent(pace, lang)))
    if got.projected_attainment is not None:
        parts.append(t("kpi.target_projected", lang, share=fmt.percent(float(got.projected_attainment), lang)))
    badge = t("kpi.target_attained", lang, share=attained)
    st.markdown(f":{colour}-badge[:material/flag: {md_escape(badge)}]  \n:small[{md_escape(' · '.join(parts))}]")


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


def league_frame(
    units: list[tuple[str | None, str]], values: dict[str, pd.DataFrame], metrics: list[Metric], lang: str, name_col: str | None = None
) -> pd.DataFrame:
    """One row per unit (``units`` = (code, display name); code None = booked at the parent
    itself), one column per metric's value, in the reader's language, largest first.
    A unit with no rows shows 0 for counts and money and nothing for ratios. ``name_col`` titles
    the names' column (default "Unit")."""
    lookups = {
        m.key: {None if pd.isna(g) else str(g): v for g, v in zip(values[m.key]["group"], values[m.key]["value"], strict=True)}
        for m in metrics
    }
    unit_col = name_col or t("league.unit", lang)
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


def column_config(metrics: list[Metric], currency: str, lang: str, name_col: str | None = None) -> dict:
    symbol = get_currency_symbol(currency, locale=fmt.NUMBER_LOCALE[lang])
    config: dict = {name_col or t("league.unit", lang): st.column_config.TextColumn(pinned=True)}
    for metric in metrics:
        name = label(metric.label, lang)
        if metric.kind == "money":
            config[name] = st.column_config.NumberColumn(f"{name} ({currency})", format=f"{symbol}%,.0f", help=label(metric.definition, lang))
        elif metric.kind == "ratio":
            config[name] = st.column_config.NumberColumn(name, format="percent", help=label(metric.definition, lang))
        elif metric.kind == "days":
            config[name] = days_column(name, lang, label(metric.definition, lang))
        elif metric.kind == "hours":
            config[name] = hours_column(name, lang, label(metric.definition, lang))
        elif metric.kind == "score":
            config[name] = st.column_config.NumberColumn(name, format="%.2f", help=label(metric.definition, lang))
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


def league_table(
    frame: pd.DataFrame, metrics: list[Metric], currency: str, file_stem: str, lang: str, *, key: str = "league", name_col: str | None = None
) -> None:
    """The table, then CSV and Excel downloads of exactly what it shows (``key`` tells a page's
    league tables apart; ``name_col`` as :func:`league_frame`)."""
    shown = frame.copy()
    for metric in metrics:
        if metric.kind == "ratio":  # "35.5%", not "35.48%": the table shows one decimal, like the cards
            shown[label(metric.label, lang)] = pd.to_numeric(shown[label(metric.label, lang)], errors="coerce").round(3)
    st.dataframe(shown, hide_index=True, column_config=column_config(metrics, currency, lang, name_col), width="stretch")
    downloads(frame, file_stem, t("league.title", lang), key, lang)


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


def in_scope(metrics: list[Metric], compute: Callable[[Metric], pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list[Metric]]:
    """Each metric's frame from ``compute``, leaving out (and returning) the metrics whose records
    cannot be limited to the viewer's scope, so a table of several metrics still shows the rest."""
    frames: dict[str, pd.DataFrame] = {}
    refused: list[Metric] = []
    for metric in metrics:
        try:
            frames[metric.key] = compute(metric)
        except NoScope:
            refused.append(metric)
    return frames, refused


def kpi_cards(ctx: Context, key: cache.DataKey, metrics: list[Metric], flt: Filters, url: str, lang: str) -> None:
    """A row of KPI cards, each its own section: value, sparkline (when the metric has a trend at
    the period's grain) and its changes against the previous period and a year earlier."""
    for column, metric in zip(card_row(len(metrics)), metrics, strict=True):
        with column, section(label(metric.label, lang), url):
            comparison = cache.comparison(ctx, key, metric.key, flt)
            trend = cache.trend_or_none(ctx, key, metric.key, flt)
            spark = [v for v in trend["value"] if v is not None and v == v] if trend is not None else []  # noqa: PLR0124
            days = maturing_days(metric.key, flt.period, ctx.as_of)
            note = t("maturity.kpi", lang, n=days) if days is not None else None
            if understated_while_open(metric.key, flt.period, ctx.as_of):
                note = t("maturity.open_tickets", lang)
            target = cache.against_target(ctx, key, metric.key, flt)
            kpi_card(metric, comparison, [float(v) for v in spark], ctx.currency, flt, lang, maturing=note, target=target,
                     compact=len(metrics) > WIDE_ROW)


def maturity_note(text: str, lang: str) -> None:
    """A flag that a cohort is still maturing, and why its figures will change (``text``)."""
    st.markdown(f":orange-badge[:material/hourglass_top: {md_escape(t('maturity.badge', lang))}]  \n:small[{md_escape(text)}]")


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


#: Rows a record table shows before it scrolls inside itself.
RECORD_TABLE_ROWS = 10


def table_height(rows: int, *, whole: bool = False) -> int | str:
    """A table's height: its own ("auto") up to :data:`RECORD_TABLE_ROWS` rows, then 420 px that scroll; ``whole``:
    tall enough for every row (a short fixed list, such as the 13 weeks of a quarter)."""
    if whole:
        return 35 * (rows + 1) + 3
    return "auto" if rows <= RECORD_TABLE_ROWS else 420


def record_table(
    frame: pd.DataFrame, config: dict, file_stem: str, sheet: str, key: str, lang: str, *, height: int | str | None = None
) -> None:
    """A table of records or units (CRM text as plain cell values, never HTML), then its downloads."""
    st.dataframe(frame, hide_index=True, column_config=config, width="stretch", height=table_height(len(frame)) if height is None else height)
    downloads(frame, file_stem, sheet, key, lang)


def formatted_table(
    shown: pd.DataFrame, data: pd.DataFrame, config: dict, file_stem: str, sheet: str, key: str, lang: str, *, height: int | str = "auto"
) -> None:
    """A table of figures already formatted for the language (``shown``: text, a dash for none),
    then downloads of the same rows as numbers (``data``)."""
    st.dataframe(shown, hide_index=True, column_config=config, width="stretch", height=height)
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


def hours_column(title: str, lang: str, help_text: str | None = None) -> Any:
    return st.column_config.NumberColumn(title, format="%.1f " + ("h" if lang == "en" else "小时"), help=help_text)


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


# --- Units page: the drill-down through the organisation -------------------------------------------


def units_below(tree: OrgTree, viewer: Viewer, unit: str | None) -> tuple[list[OrgUnit], bool]:
    """The units compared under ``unit`` (None: all the viewer's units), and whether the metrics'
    ``unit`` grouping splits by exactly these (else each is asked for on its own).

    Under a unit: its children (all within scope, as the unit is). With no unit: the company's top
    units for a viewer who sees everything (OrgTree.compared_units, as the grouping does); for a
    viewer limited to some units, those units themselves — never a parent outside their scope.
    """
    if unit is not None:
        parent = tree.by_code(unit)
        return (tree.children(parent.unit_id) if parent else []), True
    visible = tree.visible_ids(viewer)
    if visible is None:
        return tree.compared_units(None), True
    return [u for u in tree.visible_units(viewer) if u.parent_id not in visible], False


def drill_crumbs(tree: OrgTree, viewer: Viewer, unit: str | None, drill: str | None, lang: str) -> list[tuple[str | None, str]]:
    """The breadcrumb, as (drill code, name): the filtered unit (or all the viewer's units) as
    None, then each unit down to ``drill`` — none outside the viewer's scope."""
    top = tree.by_code(unit) if unit else None
    crumbs: list[tuple[str | None, str]] = [(None, top.name if top else t("filters.all_units", lang))]
    if drill is None:
        return crumbs
    visible = tree.visible_ids(viewer)
    below = tree.subtree_ids(unit) if unit else None
    for u in tree.path(drill):
        if u.code != unit and (below is None or u.unit_id in below) and (visible is None or u.unit_id in visible):
            crumbs.append((u.code, u.name))
    return crumbs


def breadcrumb(crumbs: list[tuple[str | None, str]], on_pick: Any, lang: str) -> None:
    """The drill path as a row of links back up (``on_pick(code)``) ending in the current unit."""
    with st.container(horizontal=True, wrap=True, gap="xsmall", vertical_alignment="center", key="units_breadcrumb"):
        for i, (code, name) in enumerate(crumbs[:-1]):
            # A crumb and its "›" wrap together onto a phone's next line, never apart.
            with st.container(horizontal=True, gap="xsmall", vertical_alignment="center", width="content"):
                st.button(name, key=f"units_crumb_{i}", type="tertiary", on_click=on_pick, args=(code,), help=t("units.back_to", lang, unit=name))
                st.markdown(":gray[›]", width="content")
        st.markdown(f"**{md_escape(crumbs[-1][1])}**", width="content")


def comparison_frame(rows: list[tuple[str | None, str]], values: dict[str, pd.DataFrame | None], metrics: list[Metric], name_col: str, lang: str) -> pd.DataFrame:
    """One row per compared unit or rep (``rows``: (code, name)), one column per metric's value
    (as a float; none where it cannot be computed, 0 for a count or amount with no records), and
    the code in ``code``. A metric whose values are None (cannot be split this way) is left out."""
    columns: dict[str, list[object]] = {"code": [c for c, _ in rows], name_col: [n for _, n in rows]}
    for metric in metrics:
        frame = values.get(metric.key)
        if frame is None:
            continue
        lookup = {None if pd.isna(g) else str(g): v for g, v in zip(frame["group"], frame["value"], strict=True)}
        column: list[object] = []
        for code, _ in rows:
            value = lookup.get(code)
            if value is None or (isinstance(value, float) and pd.isna(value)):
                value = 0 if metric.kind in ("count", "money") else None
            column.append(None if value is None else float(value))
        columns[label(metric.label, lang)] = column
    return pd.DataFrame(columns)


def ranked(frame: pd.DataFrame, metric: Metric, rank_col: str, lang: str) -> pd.DataFrame:
    """``frame`` best first by ``metric`` (highest, or lowest where lower is better; the
    incomputable last), with its rank in ``rank_col`` (none for the incomputable)."""
    col = label(metric.label, lang)
    if col not in frame:
        return frame.assign(**{rank_col: range(1, len(frame) + 1)})[[rank_col, *frame.columns]]
    out = frame.sort_values(col, ascending=metric.better == "down", na_position="last", kind="stable").reset_index(drop=True)
    out.insert(0, rank_col, [i + 1 if pd.notna(v) else None for i, v in enumerate(out[col])])
    out["code"] = pd.Series([None if pd.isna(c) else c for c in out["code"]], dtype=object)  # pandas turns None into NaN
    return out


def unit_bars(frame: pd.DataFrame, name_col: str, metric: Metric, currency: str, lang: str, limit: int = 12) -> alt.Chart:
    """One KPI across the compared units or reps: a bar each, the best ``limit`` first, labelled
    with its value ("—" where it cannot be computed). Colours come from the theme
    (.streamlit/config.toml)."""
    col = label(metric.label, lang)
    data = pd.DataFrame({"name": frame[name_col], "value": frame[col]})
    data = data.sort_values("value", ascending=metric.better == "down", na_position="last", kind="stable").head(limit)
    data["text"] = [fmt.value(metric.kind, None if pd.isna(v) else v, currency, lang, compact=True) for v in data["value"]]
    data["bar"] = data["value"].fillna(0.0)
    top = float(data["bar"].abs().max()) if len(data) else 0.0
    x = alt.X("bar:Q", title=None, axis=None, scale=alt.Scale(domain=[min(0.0, float(data["bar"].min()) if len(data) else 0.0), top * 1.35 or 1.0]))
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=130, ticks=False, domain=False)),
        x=x,
        tooltip=[alt.Tooltip("name:N", title=name_col), alt.Tooltip("text:N", title=col)],
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7})
    text = base.mark_text(align="left", dx=4, fontSize=11, color=ink()).encode(text="text:N")  # legible on either theme
    return (bars + text).properties(height=max(90, 24 * len(data) + 16))


def values_frame(values: dict[str, object]) -> pd.DataFrame:
    """Values asked for unit by unit (code → value) in the shape of a grouped metric frame."""
    return pd.DataFrame({"group": list(values), "value": list(values.values())})


def rep_rows(values: dict[str, pd.DataFrame | None], names: dict[str, str], lang: str) -> list[tuple[str | None, str]]:
    """The reps credited with any record (code, name), by name; then "no rep" when some records
    have none."""
    codes: set[str] = set()
    unassigned = False
    for frame in values.values():
        if frame is None:
            continue
        for group, value in zip(frame["group"], frame["value"], strict=True):
            if group is None or pd.isna(group):
                unassigned = unassigned or (value is not None and not pd.isna(value) and bool(value))
            else:
                codes.add(str(group))
    rows: list[tuple[str | None, str]] = sorted(((c, names.get(c, c)) for c in codes), key=lambda r: (r[1], r[0] or ""))
    if unassigned:
        rows.append((None, t("units.no_rep", lang)))
    return rows


def figure_text(metric: Metric, value: object, currency: str, lang: str) -> str:
    """A metric's value in a table of units: compact money, whole counts, rates to a tenth of a
    percent, a dash where it cannot be computed."""
    missing = value is None or (isinstance(value, float) and pd.isna(value))
    return fmt.value(metric.kind, None if missing else value, currency, lang, compact=metric.kind == "money")  # type: ignore[arg-type]


def figures_shown(frame: pd.DataFrame, metrics: list[Metric], currency: str, lang: str) -> tuple[pd.DataFrame, dict]:
    """``frame``'s metric columns written for the reader (text, right-aligned, with each metric's
    definition on its header), and the column config to show them with."""
    shown = frame.copy()
    config: dict = {}
    for metric in metrics:
        name = label(metric.label, lang)
        shown[name] = [figure_text(metric, v, currency, lang) for v in frame[name]]
        title = f"{name} ({currency})" if metric.kind == "money" else name
        config[name] = figure_column(title, label(metric.definition, lang))
    return shown, config


# --- Targets and incentives ------------------------------------------------------------------------


def target_period_of(period: Period, cal: Calendar, kind: str | None = None) -> Any:
    """The fiscal month, quarter or year whose targets a page shows: ``kind`` (a plan's period), else the
    filter's own span (a quarter for a custom range), containing the filter period's last day."""
    from metrics.targets import PERIOD_KINDS, target_period

    chosen = kind or (period.span if period.span in PERIOD_KINDS else "quarter")
    return target_period(chosen, period.end, cal)


def target_period_title(period: Any, cal: Calendar, lang: str) -> str:
    """ "FY2025 Q4", "November 2025" or "FY2025"."""
    if period.kind == "quarter":
        return fiscal_quarter_label(period.start, cal)
    if period.kind == "month":
        return fmt.month(period.start, lang)
    return f"FY{fiscal_year_of(period.start, cal)}"


def missing(value: object) -> bool:
    """No value: None, NaN or NaT, as a frame from the database may hold it."""
    return value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value))


def texts(frame: pd.DataFrame, column: str) -> list[str]:
    """A column of CRM text as plain cell values, "" where the CRM has none."""
    return ["" if missing(v) else str(v) for v in frame[column]]


def tiles(figures: list[tuple[str, str, str | None]], *, width: int = 150) -> None:
    """Small bordered figures in a row that wraps on a narrow screen: (name, value already written, help or None)."""
    with st.container(horizontal=True, wrap=True, gap="small"):
        for name, value, help_text in figures:
            with st.container(border=True, width=width):
                st.metric(name, value, help=help_text)


def figure_value(kind: str, value: object, currency: str, lang: str) -> str:
    """A value written as the incentive tables write it (see :func:`figures` for the kinds); a dash for none."""
    if missing(value):
        return fmt.DASH
    if kind == "money":
        return fmt.money(value, currency, lang)  # type: ignore[arg-type]
    if kind == "money_compact":
        if abs(float(value)) < fmt.COMPACT_FROM[lang]:  # type: ignore[arg-type]
            return format_currency(value, currency, format="¤#,##0", locale=fmt.NUMBER_LOCALE[lang], currency_digits=False)  # type: ignore[arg-type]
        return fmt.money(value, currency, lang, compact=True)  # type: ignore[arg-type]
    if kind == "percent":
        return fmt.percent(value, lang)  # type: ignore[arg-type]
    if kind == "rate":
        return fmt.percent(value, lang, digits=2)  # type: ignore[arg-type]
    if kind == "count":
        return fmt.number(value, lang)  # type: ignore[arg-type]
    if kind == "decimal":
        return fmt.number(round(float(value), 2), lang)  # type: ignore[arg-type]
    if kind == "days":
        return fmt.days(round(float(value), 1), lang)  # type: ignore[arg-type]
    if kind == "date":
        return fmt.day(value, lang)  # type: ignore[arg-type]
    return str(value)


def _datum(kind: str, value: object) -> object:
    """A figure as a download holds it: a number (money to the cent, percents as fractions), a date, or text."""
    if missing(value):
        return None
    if kind in ("money", "money_compact"):
        return round(float(value), 2)  # type: ignore[arg-type]
    if kind in ("percent", "rate", "decimal", "days"):
        return round(float(value), 6)  # type: ignore[arg-type]
    if kind == "count":
        return int(value)  # type: ignore[call-overload]
    return value


def figures(frame: pd.DataFrame, spec: list[tuple[str, str, str]], currency: str, lang: str, helps: dict[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """``frame``'s columns as the reader sees them and as a download holds them.

    ``spec`` is (column, title, kind) with kind money, money_compact, percent, rate, count, decimal, date or text.
    Returns the shown frame (figures written for ``lang``, right-aligned), the data frame (numbers; money titles
    carry the currency) and the column config.
    """
    shown, data, config = {}, {}, {}
    for column, title, kind in spec:
        values = list(frame[column]) if column in frame else [None] * len(frame)
        if kind == "text":
            shown[title] = ["" if missing(v) else str(v) for v in values]
            config[title] = st.column_config.TextColumn(title, help=(helps or {}).get(column))
        else:
            shown[title] = [figure_value(kind, v, currency, lang) for v in values]
            config[title] = figure_column(f"{title} ({currency})" if kind.startswith("money") else title, (helps or {}).get(column))
        data[f"{title} ({currency})" if kind.startswith("money") else title] = [_datum(kind, v) for v in values]
    return pd.DataFrame(shown), pd.DataFrame(data), config


def target_notes(row: dict[str, Any], measure_kind: str, currency: str, lang: str) -> str:
    """What to know about a holder's target: rolled up (partial), or stated but not the children's sum."""
    notes = []
    if row.get("source") == "rolled_up":
        notes.append(t("targets.note_rolled_up", lang))
        if row.get("partial"):
            notes.append(t("targets.note_partial", lang, n=int(row.get("children_missing") or 0)))
    if row.get("mismatch"):
        notes.append(t("targets.note_mismatch", lang, sum=figure_value(measure_kind, row.get("children_sum"), currency, lang)))
    return t("list.sep", lang).join(notes)


def attainment_rows(board: pd.DataFrame, measure_kind: str, currency: str, lang: str) -> pd.DataFrame:
    """A leaderboard (metrics.targets.leaderboard) with its rank and notes, ready for :func:`figures`."""
    out = board.copy()
    out.insert(0, "rank", range(1, len(out) + 1))
    out["notes"] = [target_notes(r, measure_kind, currency, lang) for r in board.to_dict("records")]
    return out


def attainment_spec(measure_kind: str, projected: bool, lang: str, *, parent: bool = False) -> list[tuple[str, str, str]]:
    """The leaderboard's columns: rank, name, target, actual, % attained, pacing, projection, notes."""
    money = "money_compact" if measure_kind == "money" else "count"
    spec = [("rank", t("units.rank", lang), "count"), ("name", t("targets.name", lang), "text")]
    if parent:
        spec.append(("parent_name", t("targets.parent", lang), "text"))
    spec += [
        ("target", t("targets.target", lang), money),
        ("actual", t("targets.actual", lang), money),
        ("attainment", t("targets.attained", lang), "percent"),
        ("expected_to_date", t("targets.expected", lang), money if measure_kind == "money" else "decimal"),
        ("pace", t("targets.pace", lang), "percent"),
    ]
    if projected:
        spec += [("projected", t("targets.projected", lang), money if measure_kind == "money" else "decimal"),
                 ("projected_attainment", t("targets.projected_attained", lang), "percent")]
    spec.append(("notes", t("targets.notes", lang), "text"))
    return spec


def attainment_bars(rows: pd.DataFrame, pace_share: float, lang: str, limit: int = 12) -> alt.Chart:
    """% attained per holder, best first (the first ``limit``), with a rule at 100 % and one at where the
    period's elapsed share says they should be by now."""
    data = pd.DataFrame({"name": rows["name"].head(limit), "value": [None if missing(a) else float(a) for a in rows["attainment"].head(limit)]})
    data["text"] = [fmt.percent(v, lang) if v is not None else fmt.DASH for v in data["value"]]
    data["bar"] = data["value"].fillna(0.0)
    top = max(1.0, float(data["bar"].max()) if len(data) else 1.0)
    x = alt.X("bar:Q", title=None, axis=alt.Axis(format="%", tickCount=4, grid=False), scale=alt.Scale(domain=[0, top * 1.25]))
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=130, ticks=False, domain=False)),
        tooltip=[alt.Tooltip("name:N", title=t("targets.name", lang)), alt.Tooltip("text:N", title=t("targets.attained", lang))],
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(x=x)
    text = base.mark_text(align="left", dx=4, fontSize=11, color=ink()).encode(x=x, text="text:N")
    marks = pd.DataFrame({"at": [1.0, pace_share], "what": [t("targets.full", lang), t("targets.by_now", lang)]})
    rules = alt.Chart(marks).mark_rule(strokeDash=[4, 3], color=ink()).encode(x="at:Q", tooltip=[alt.Tooltip("what:N", title=" ")])
    return (bars + text + rules).properties(height=max(90, 24 * len(data) + 16))


def coaching_rows(reps: pd.DataFrame, values: dict[str, pd.DataFrame], names: dict[str, str], counts: Iterable[str] = ()) -> pd.DataFrame:
    """The rep leaderboard with each rep's value of the registered metrics in ``values`` (metric key → the
    metric's rep grouping) beside it, under the metric's key; 0 for the ``counts`` of a rep with no records."""
    out = reps.copy()
    for key, frame in values.items():
        lookup = {str(g): v for g, v in zip(frame["group"], frame["value"], strict=True) if not missing(g)}
        none = 0 if key in set(counts) else None
        out[key] = [lookup.get(str(code), none) for code in reps["code"]]
    out["name"] = [names.get(str(c), n) for c, n in zip(reps["code"], reps["name"], strict=True)]
    return out


def plan_summary(plan: Any, currency: str, lang: str) -> None:
    """The plan's choices in words, and its bands as a table: the "why" behind every figure."""
    c = plan.commission
    st.markdown(md_escape(t("plan.commission", lang, method=t(f"plan.method.{c.method}", lang), base=t(f"plan.base.{c.base}", lang),
                            credit=t(f"plan.credit.{c.credit_on}", lang))))
    if c.cap is not None:
        st.markdown(md_escape(t(f"plan.cap.{c.cap_on}", lang, cap=fmt.money(c.cap, currency, lang))))
    bands = pd.DataFrame({
        t("plan.band", lang): [b.name or t("plan.band_from", lang, pct=b.from_pct) for b in c.bands],
        t("plan.from", lang): [fmt.percent(b.start, lang, digits=0) for b in c.bands],
        t("plan.rate", lang): [fmt.percent(b.rate, lang, digits=2) for b in c.bands],
    })
    st.dataframe(bands, hide_index=True, width="content")
    if plan.holdback is not None:
        h = plan.holdback
        sat = t("plan.holdback_sat", lang, t=fmt.number(h.min_satisfaction, lang)) if h.min_satisfaction is not None else ""
        st.markdown(md_escape(t("plan.holdback", lang, share=fmt.percent(h.share, lang, digits=0), months=h.months) + (sat or ("." if lang == "en" else "。"))))


def holdback_text(status: object, lang: str) -> str:
    return "" if missing(status) else t(f"holdback.{status}", lang)


def statement_lines(lines: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A statement's deal lines with their notes and holdback status in words."""
    out = lines.copy()
    out["status"] = [holdback_text(s, lang) for s in lines.get("holdback_status", pd.Series([None] * len(lines)))]
    out["note_text"] = ["" if missing(n) else t(f"deal_note.{n}", lang) for n in lines["note"]]
    return out


# --- Building blocks of the weekly views (each view's own tables are in ui/views/<page>.py) ----------------


def table_kpi_card(
    ctx: Context, key: cache.DataKey, metric: Metric, tables: tuple[str, str], arg: object, flt: Filters, url: str, lang: str
) -> None:
    """One KPI card as :func:`kpi_cards` draws it, for a metric a page builds itself (the breach rate at a limit the
    reader picked): its comparison and trend from the page tables ``tables`` (``cache.TABLES`` names) with ``arg``."""
    for slot in card_row(1):
        with slot, section(label(metric.label, lang), url):
            comparison = cache.table(ctx, key, tables[0], flt, arg)
            try:
                spark = sparkline(cache.table(ctx, key, tables[1], flt, arg))
            except NotImplementedError:  # no trend at the period's grain
                spark = []
            kpi_card(metric, comparison, spark, ctx.currency, flt, lang)


def linked_choice(key: str, param: str, options: list, fallback: object, lang: str) -> None:
    """Set the selector ``key`` (page parameter ``param``) before it is drawn: kept while ``options`` still offer it,
    else the page state (from the link, or as last left) when offered, else ``fallback``. A value from a link that is
    not offered (a rep with no breach, a kind with no records) is refused with the link notice and dropped from it —
    on the selector's first showing only, since after that the page state comes from the selector itself."""
    state = st.session_state
    if key in state and state[key] in options:
        return
    linked = filterbar.page_value(param)
    if linked not in options and not state.get(f"{key}.link_checked") and linked != filterbar.PAGE_PARAMS[param][1]:
        st.warning(t("url.ignored", lang, items=t("url.bad_value", lang, param=param)), icon=":material/link_off:")
        filterbar.set_page_value(param, None)
    value = linked if linked in options else fallback
    if value == options[0]:  # the selector's own default: set to None, it would show as no choice at all
        state.pop(key, None)
    else:
        state[key] = value
    state[f"{key}.link_checked"] = True


def counts_and_amounts(orders: Iterable[object], amounts: Iterable[object], currency: str, lang: str) -> list[str]:
    """"12 · ¥1.2M" cells: a count and its compact amount in one column (so several weeks fit a phone); a dash for none."""
    return [
        fmt.DASH if missing(n) else f"{fmt.number(n, lang)} · {figure_value('money_compact', a, currency, lang)}"  # type: ignore[arg-type]
        for n, a in zip(orders, amounts, strict=True)
    ]


def named_definitions(metrics: Iterable[Metric], notes: Iterable[tuple[str, str]], lang: str) -> None:
    """The Definitions expander: the page's registered metrics, then its other figures as (name, definition) in plain
    text — e.g. a metric module's ``DEFINITIONS`` — each shown as "**name** — definition"."""
    with st.expander(t("definitions.title", lang), icon=":material/menu_book:"):
        definitions(metrics, lang)
        for name, text in notes:
            st.markdown(f"**{md_escape(name)}** — {md_escape(text)}")


def lead_columns(records: pd.DataFrame, tree: OrgTree, lang: str, unit_title: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns a list of leads opens with — lead, company, contact, the unit it was routed to (titled
    ``unit_title``), source channel, created — as cell values, and their column config. ``records``: ``lead_id``,
    ``company``, ``contact``, ``unit`` (a code), ``source`` and ``created`` (a date), as the metrics' record lists hold them."""
    created = t("records.created", lang)
    columns = {
        t("records.lead", lang): records["lead_id"],
        t("records.company", lang): texts(records, "company"),
        t("records.contact", lang): texts(records, "contact"),
        unit_title: [unit_name(tree, u, lang) for u in records["unit"]],
        t("records.source", lang): ["" if missing(s) else display("channel", str(s), lang) for s in records["source"]],
        created: pd.to_datetime(records["created"]),
    }
    config = {
        t("records.lead", lang): st.column_config.NumberColumn(t("records.lead", lang), format="%d", pinned=True),
        t("records.company", lang): st.column_config.TextColumn(width="medium"),
        created: st.column_config.DateColumn(created, format="YYYY-MM-DD"),
    }
    return columns, config
