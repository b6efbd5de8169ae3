"""Pipeline and forecast: the weighted pipeline, forecast categories, forecast accuracy, win/loss and project grades.

Decisions every function here shares (the definitions below say the same to the user):

- **Weighted amount** = amount × probability, probability stored 0 to 1. Each record's amount is converted to the
  reporting currency and rounded to the cent, then weighted and rounded to the cent again — the same arithmetic as
  the projection to period end (:func:`metrics.targets.projection`). A deal with no amount, no probability or no
  exchange rate counts as a deal but adds nothing to the money it lacks (no probability: its amount counts, its
  weighted amount does not).
- **Rate dates**: the open pipeline converts at the rate in force on the as-of day; a forecast rebuilt at a period's
  start converts at the rate of that first day (a history amount is in the opportunity's currency); won and lost
  amounts at the rate of their close date (company zone).
- **Open at an instant, and its values then** (:func:`metrics.stage_history.as_of_rows`): created before the instant, not closed by it
  (``closed_at`` NULL or later), and its last stage-history row before the instant (:func:`metrics.stage_history.stood_at`) in an open
  stage; its stage, amount, probability and expected close date are that row's. The open pipeline and the forecast
  categories read them at the end of the as-of day, forecast accuracy at each period's opening — so a deal won or
  lost after the as-of day still counts, at its values then. A deal open then with **no history row by then** has
  unknown values: it is left out of the deals and the money and counted in ``no_history_deals`` (placed in a period
  by its current expected close date, the only one known); the opportunity row holds only current values, so there
  is nothing truer to fall back on.
- **The projection's open deals are the pipeline's**: :func:`period_end_projection` is
  :func:`metrics.targets.projection`, which reads the open deals through the same :func:`as_of_rows`
  (:mod:`metrics.stage_history`), so its weighted open amount is the weighted pipeline of the period (all grades).
- **Forecast category**, first rule that matches: won → closed won; lost → left out; open in stage negotiation or
  with probability ≥ 0.75 → commit; open in stage proposal or with probability ≥ 0.40 → best case; any other open
  deal (an unknown probability included) → pipeline.
- **Project grades**: ``project_grade.rank`` 1 is the company level, the largest projects; a larger rank is a
  smaller project. "A grade and above" = the grades whose rank is at most that grade's (抓大放小). Every function here
  (the registered metrics included) keeps that grade and above when the filters carry one (``Filters.grade``) or it is
  asked for (``grade=``, which wins); no other module reads ``Filters.grade``. A viewer watches from their level's grade
  (:func:`viewer_grade`). :func:`period_end_projection` is not narrowed: it is the incentive views' projection.
- **The forecast period** (:func:`forecast_period`): a month, quarter or year to date is read to its end, so the pipeline
  looks ahead to the close; any other period as it is.
- **The deals behind a figure** (:func:`pipeline_records`, :func:`closed_records`): the same conditions as the figure
  (scope, filters, grade, bucket, group, category, loss reason, competitor), each a bound parameter, at most ``limit``
  rows and the total count; they count and sum to the figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import FACTS, Filters, Period, buckets, local_midnight_utc
from metrics import targets
from metrics.base import (
    as_of_instant,
    CENT,
    TOTAL,
    Context,
    Grouping,
    Metric,
    dimension_group,
    group_column,
    groupings_for,
    in_period,
    ratio_value,
    scoped,
    unit_group,
)
from metrics.money import converted, rate_join
from metrics.sql import bool_sum, local_date
from metrics.stage_history import AsOf, as_of_rows

FACT = FACTS["opportunity"]
#: The column a money sum is read into; wide enough for any total.
MONEY_TYPE = schema.MONEY

#: The forecast categories, in the order a forecast reads them.
CATEGORIES = ("closed_won", "commit", "best_case", "pipeline")
#: A deal at this probability or above is commit, whatever its stage.
COMMIT_PROBABILITY = Decimal("0.75")
#: A deal at this probability or above (below commit) is best case, whatever its stage.
BEST_CASE_PROBABILITY = Decimal("0.40")
COMMIT_STAGES = ("negotiation",)
BEST_CASE_STAGES = ("proposal",)

#: The project grade an org level watches from (with every grade above it).
GRADE_OF_LEVEL = {"cluster": "company", "region": "region", "office": "office", "team": "office"}

Split = Literal["unit", "bu", "product", "rep", "segment", "source", "grade"]
#: What a table here can be split by: the compared unit, the record's dimensions (as the global filters read them), its grade.
SPLITS = ("unit", "bu", "product", "rep", "segment", "source", "grade")
When = Literal["week", "month"]


# --- Shared pieces ------------------------------------------------------------------------------------------


def _split(by: str | None, ctx: Context, flt: Filters) -> ColumnElement | None:
    """The group a record falls in: the compared unit, the code of its business unit, product or rep, its account's
    segment or source, or its project grade."""
    if by is None:
        return None
    if by not in SPLITS:
        raise ValueError(f"cannot split by {by!r}; expected one of {', '.join(SPLITS)}")
    t = FACT.table
    if by == "unit":
        return unit_group(t.c.unit_id, ctx, flt)
    if by == "grade":
        return t.c.project_grade
    return dimension_group(FACT, by)


def _select_grouped(stmt: Select, columns: Mapping[str, ColumnElement | None]) -> Select:
    """``stmt`` with each named group column added and grouped by (a constant is selected, not grouped by)."""
    for name, column in columns.items():
        if column is None:
            continue
        stmt = stmt.add_columns(column.label(name))
        if not isinstance(column, BindParameter):
            stmt = stmt.group_by(column)
    return stmt


def _grade_conditions(grade: str | None) -> tuple[ColumnElement[bool], ...]:
    return () if grade is None else (grade_condition(grade),)


def _floor(flt: Filters, grade: str | None) -> str | None:
    """The grade floor a query applies: the one asked for, else the filters' (``Filters.grade``)."""
    return grade if grade is not None else flt.grade


def _money(value: object) -> Decimal:
    """A database sum as cents; no rows, or only missing amounts, is zero."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def _count(value: object) -> int:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return 0
    return int(Decimal(str(value)))


def _group_value(value: object) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], keys: Sequence[str] = ()) -> pd.DataFrame:
    """``rows`` as a frame of ``columns``, in order of ``keys`` (a missing value — no reason, no competitor, no grade —
    last). A column holding a missing value keeps it as None (pandas would make it NaN)."""
    ordered = sorted(rows, key=lambda r: tuple((r[k] is None, str(r[k])) for k in keys))
    data = {}
    for c in columns:
        cells = [r[c] for r in ordered]
        data[c] = pd.Series(cells, dtype=object) if any(v is None for v in cells) else pd.Series(cells)
    return pd.DataFrame(data, columns=list(columns))


# --- Project grades -----------------------------------------------------------------------------------------


def grade_condition(code: str, column: ColumnElement | None = None) -> ColumnElement[bool]:
    """Opportunities of grade ``code`` and above: their grade's ``project_grade.rank`` is at most ``code``'s
    (rank 1, company level, is the top). An ungraded opportunity, or an unknown ``code``, matches nothing."""
    watched, own = schema.project_grade.alias("watched_grade"), schema.project_grade.alias("own_grade")
    column = FACT.table.c.project_grade if column is None else column
    own_rank = select(own.c.rank).where(own.c.code == code).scalar_subquery()
    return column.in_(select(watched.c.code).where(watched.c.rank <= own_rank))


def watched_grades(ctx: Context, code: str) -> list[str]:
    """The grade codes ``code`` watches (its own and above), the top grade first."""
    g = schema.project_grade
    own_rank = select(g.c.rank).where(g.c.code == code).scalar_subquery()
    frame = read_frame(ctx.engine, select(g.c.code).where(g.c.rank <= own_rank).order_by(g.c.rank, g.c.code))
    return [str(c) for c in frame["code"]]


def grade_for_level(level: str) -> str | None:
    """The grade a unit of ``level`` watches from (:data:`GRADE_OF_LEVEL`); None for a level with none."""
    return GRADE_OF_LEVEL.get(level)


def grades(ctx: Context) -> pd.DataFrame:
    """Every project grade: ``code``, ``name`` and ``rank``, the top grade (rank 1, company level) first."""
    g = schema.project_grade
    frame = read_frame(ctx.engine, select(g.c.code, g.c.name, g.c.rank).order_by(g.c.rank, g.c.code))
    return pd.DataFrame({"code": [str(c) for c in frame["code"]], "name": [str(n) for n in frame["name"]],
                         "rank": [_count(r) for r in frame["rank"]]}, columns=["code", "name", "rank"])


def viewer_grade(ctx: Context, known: Sequence[str]) -> str | None:
    """The grade the viewer watches from by default: their level's (:func:`grade_for_level`) — the highest level among
    the units they are entitled to (the company's top units for a viewer of the whole company) — when it is one of the
    ``known`` grade codes; None (every grade) when their level has no grade the CRM knows."""
    tree = ctx.org
    codes = ctx.viewer.units
    units = [u for u in tree.units if u.parent_id is None] if codes is None else [u for c in codes if (u := tree.by_code(c)) is not None]
    found = [g for u in units if (g := grade_for_level(u.level)) in known]
    return min(found, key=list(known).index) if found else None


# --- Weighted pipeline ------------------------------------------------------------------------------------


def weighted_amount(amount: ColumnElement, probability: ColumnElement) -> ColumnElement:
    """amount (already converted and rounded to the cent) × probability, rounded to the cent: the projection's arithmetic."""
    return func.round(amount * probability, 2)


@dataclass(frozen=True)
class OpenPipeline:
    """FROM, values and conditions of the deals open at the end of the as-of day expected (then) to close in the
    filters' period. ``amount`` and ``weighted`` are NULL for an unrecorded deal, so it adds no money."""

    from_: Any
    stood: AsOf
    amount: ColumnElement
    weighted: ColumnElement
    conditions: tuple[ColumnElement[bool], ...]
    rate: ColumnElement


def _open_pipeline(ctx: Context, flt: Filters, grade: str | None) -> OpenPipeline:
    """The open pipeline at the end of the as-of day (the viewer's scope and the global filters included)."""
    t = FACT.table
    grade = _floor(flt, grade)
    stood = as_of_rows(as_of_instant(ctx), "as_of_row")
    joined, rate = rate_join(stood.from_, t.c.currency, literal(ctx.as_of, Date()), ctx.currency)
    amount = converted(stood.row.c.amount, rate)
    conds = (
        *stood.conditions,
        in_period(stood.close, flt.period, ctx.calendar, timestamp=False),
        *_grade_conditions(grade),
        *scoped(FACT, ctx, flt),
    )
    return OpenPipeline(joined, stood, amount, weighted_amount(amount, stood.row.c.probability), conds, rate)


def _recorded(stood: AsOf) -> ColumnElement:
    """1 for a deal with a history row by then, NULL otherwise: COUNT of it counts the deals the forecast can value."""
    return case((stood.unrecorded, null()), else_=literal(1, Integer()))


def _unrecorded(stood: AsOf) -> ColumnElement:
    return case((stood.unrecorded, literal(1, Integer())), else_=null())


def _close_bucket(when: When | None, ctx: Context, flt: Filters, close: ColumnElement) -> ColumnElement | None:
    if when is None:
        return None
    if when not in ("week", "month"):
        raise ValueError(f"the pipeline is bucketed by expected close week or month, not {when!r}")
    period = Period(flt.period.start, flt.period.end, when)
    t = FACT.table
    return group_column(Grouping("bucket"), ctx, Filters(period), date=close, unit=t.c.unit_id, timestamp=False)


def pipeline_select(ctx: Context, flt: Filters, when: When | None = None, by: Split | None = None, *, grade: str | None = None) -> Select:
    """``deals``, ``no_history_deals``, ``amount`` and ``weighted`` of the pipeline (see :func:`weighted_pipeline`),
    per ``bucket`` and ``group``."""
    p = _open_pipeline(ctx, flt, grade)
    stmt = (
        select(
            func.count(_recorded(p.stood)).label("deals"),
            func.count(_unrecorded(p.stood)).label("no_history_deals"),
            func.round(func.sum(p.amount), 2).label("amount"),
            func.round(func.sum(p.weighted), 2).label("weighted"),
        )
        .select_from(p.from_)
        .where(*p.conditions)
    )
    return _select_grouped(stmt, {"bucket": _close_bucket(when, ctx, flt, p.stood.close), "group": _split(by, ctx, flt)})


def weighted_pipeline(ctx: Context, flt: Filters, when: When | None = None, by: Split | None = None, *, grade: str | None = None) -> pd.DataFrame:
    """The deals open at the end of the as-of day whose expected close date then lies in the filters' period, in the
    viewer's scope, valued as they stood then (the stage history): one row, or one per expected close week or month
    (``when``) and/or per compared unit, business unit, product, rep or project grade (``by``); ``grade`` keeps that
    grade and above only.

    Columns: ``close_week`` or ``close_month`` (the bucket's first day; with ``when``), ``group`` (with ``by``),
    ``deals`` (int), ``no_history_deals`` (int: open then but with no history row by then, so of unknown value —
    left out of ``deals`` and the money, placed by their current expected close date), ``amount`` and ``weighted``
    (Decimals in the reporting currency). Ungrouped by ``by``, every week or month of the period has a row, zero where
    nothing is expected.
    """
    frame = read_frame(ctx.engine, pipeline_select(ctx, flt, when, by, grade=grade))
    starts = buckets(Period(flt.period.start, flt.period.end, when), ctx.calendar) if when else []
    rows: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in frame.to_dict("records"):
        bucket = starts[_count(r["bucket"])] if when else None
        key = (bucket, _group_value(r.get("group")))
        rows[key] = dict(deals=_count(r["deals"]), no_history_deals=_count(r["no_history_deals"]), amount=_money(r["amount"]),
                         weighted=_money(r["weighted"]))
    empty = dict(deals=0, no_history_deals=0, amount=Decimal("0.00"), weighted=Decimal("0.00"))
    if by is None:
        for start in starts or [None]:
            rows.setdefault((start, None), dict(empty))
    label = f"close_{when}" if when else None
    out = []
    for (bucket, group), values in rows.items():
        row: dict[str, Any] = {}
        if label:
            row[label] = bucket
        if by is not None:
            row["group"] = group
        out.append({**row, **values})
    measures = ["deals", "no_history_deals", "amount", "weighted"]
    columns = ([label] if label else []) + (["group"] if by is not None else []) + measures
    return _frame(out, columns, [c for c in columns[:2] if c in (label, "group")])


def period_end_projection(ctx: Context, flt: Filters, grouping: Grouping = TOTAL) -> pd.DataFrame:
    """The projection to the period's end, in money: :func:`metrics.targets.projection` — the one the incentive views use
    (closed revenue to date + the weighted open deals expected to close in the period). Columns ``group`` (when
    grouped), ``closed``, ``weighted_open`` and ``projected``.

    Its ``weighted_open`` is :func:`weighted_pipeline`'s ``weighted`` for the same filters when the period runs past the
    as-of day (the same deals, as they stood at its end); it ignores the grade, as the incentive views do."""
    return targets.projection(ctx, flt, "revenue", grouping)


# --- Forecast categories ------------------------------------------------------------------------------------


def forecast_category(stage: ColumnElement, probability: ColumnElement) -> ColumnElement[str]:
    """The category of an open deal (see the module's rule): commit, best_case or pipeline."""
    return case(
        (or_(stage.in_(COMMIT_STAGES), probability >= COMMIT_PROBABILITY), "commit"),
        (or_(stage.in_(BEST_CASE_STAGES), probability >= BEST_CASE_PROBABILITY), "best_case"),
        else_="pipeline",
    )


def categories_select(ctx: Context, flt: Filters, by: Split | None = None, *, grade: str | None = None) -> Select:
    """``category``, ``deals``, ``amount`` and ``weighted`` (per ``group``): the open pipeline by category, and the deals
    won in the period so far as closed won (their amount also their weighted amount)."""
    grade = _floor(flt, grade)
    p = _open_pipeline(ctx, flt, grade)
    s = p.stood.row
    group = _split(by, ctx, flt)
    group_col = [(group if group is not None else cast(null(), String(40))).label("grp")]
    open_part = (
        select(
            forecast_category(s.c.stage, s.c.probability).label("category"), *group_col, p.amount.label("amount"),
            p.weighted.label("weighted"),
        )
        .select_from(p.from_)
        .where(*p.conditions, ~p.stood.unrecorded)
    )
    won_from, won_amount = _won_amount(ctx, flt.period)
    won_part = (
        select(literal("closed_won", String(20)).label("category"), *group_col, won_amount.label("amount"), won_amount.label("weighted"))
        .select_from(won_from)
        .where(*_closed_in(ctx, flt.period, "won"), *_grade_conditions(grade), *scoped(FACT, ctx, flt))
    )
    u = union_all(open_part, won_part).subquery("categorised")
    stmt = select(
        u.c.category,
        func.count().label("deals"),
        func.round(func.sum(u.c.amount), 2).label("amount"),
        func.round(func.sum(u.c.weighted), 2).label("weighted"),
    ).group_by(u.c.category)
    if group is not None:
        stmt = stmt.add_columns(u.c.grp.label("group")).group_by(u.c.grp)
    return stmt


def forecast_categories(ctx: Context, flt: Filters, by: Split | None = None, *, grade: str | None = None) -> pd.DataFrame:
    """The forecast of the filters' period by category: deals won in it up to the as-of day (closed won) and the deals
    open at the end of the as-of day expected (then) to close in it, as commit, best case or pipeline by their stage and
    probability then — the same deals and values as :func:`weighted_pipeline`; lost deals are left out, and so are
    deals with no history row by then (:func:`weighted_pipeline` counts them in ``no_history_deals``).

    Columns: ``group`` (with ``by``), ``category`` (:data:`CATEGORIES` order), ``deals``, ``amount``, ``weighted``.
    Ungrouped, all four categories have a row.
    """
    frame = read_frame(ctx.engine, categories_select(ctx, flt, by, grade=grade))
    rows = {
        (_group_value(r.get("group")), r["category"]): dict(
            deals=_count(r["deals"]), amount=_money(r["amount"]), weighted=_money(r["weighted"])
        )
        for r in frame.to_dict("records")
    }
    if by is None:
        for category in CATEGORIES:
            rows.setdefault((None, category), dict(deals=0, amount=Decimal("0.00"), weighted=Decimal("0.00")))
    out = [{**({"group": g} if by is not None else {}), "category": c, **v} for (g, c), v in rows.items()]
    order = {c: i for i, c in enumerate(CATEGORIES)}
    out.sort(key=lambda r: ((r.get("group") is None, str(r.get("group"))), order[r["category"]]))
    columns = (["group"] if by is not None else []) + ["category", "deals", "amount", "weighted"]
    return _frame(out, columns)


# --- Closed deals -------------------------------------------------------------------------------------------


def _closed_in(ctx: Context, period: Period, status: str) -> tuple[ColumnElement[bool], ...]:
    """Deals of ``status`` closed in ``period`` (company zone) by the end of the as-of day."""
    t = FACT.table
    return (t.c.status == status, in_period(t.c.closed_at, period, ctx.calendar, timestamp=True), t.c.closed_at < as_of_instant(ctx))


def _won_amount(ctx: Context, period: Period) -> tuple[Any, ColumnElement]:
    """FROM and the amount at the rate of the close date, for deals closed within ``period``."""
    t = FACT.table
    close_date = local_date(t.c.closed_at, period.start, period.end, ctx.calendar)
    joined, rate = rate_join(t, t.c.currency, close_date, ctx.currency)
    return joined, converted(t.c.amount, rate)


# --- Forecast accuracy --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """When a period's forecast is read: the instant (UTC) the pipeline is rebuilt at, and the day its rate is taken on."""

    instant: datetime
    rate_day: date


def snapshot_of(period: Period, ctx: Context) -> Snapshot:
    """The period's opening (local midnight of its first day); a period starting after the as-of day is read at the
    end of the as-of day, the latest the data knows."""
    if period.start <= ctx.as_of:
        return Snapshot(local_midnight_utc(period.start, ctx.calendar), period.start)
    return Snapshot(as_of_instant(ctx), ctx.as_of)


def _forecast_part(ctx: Context, flt: Filters, period: Period, index: int, group: ColumnElement, grade: str | None) -> Select:
    """The deals in the pipeline at ``period``'s snapshot expected (then) to close in it, each with its weighted amount;
    a deal open then with no history row by then is counted apart (``no_history``) and adds nothing."""
    t = FACT.table
    snap = snapshot_of(period, ctx)
    stood = as_of_rows(snap.instant, f"stood_{index}")
    s = stood.row
    joined, rate = rate_join(stood.from_, t.c.currency, literal(snap.rate_day, Date()), ctx.currency)
    weighted = weighted_amount(converted(s.c.amount, rate), s.c.probability)
    return (
        select(literal(index, Integer()).label("k"), group.label("grp"), weighted.label("forecast"),
               _recorded(stood).label("is_forecast"), _unrecorded(stood).label("no_history"),
               cast(null(), MONEY_TYPE).label("actual"), cast(null(), Integer()).label("is_won"))
        .select_from(joined)
        .where(
            *stood.conditions,
            stood.close >= period.start,
            stood.close <= period.end,
            *_grade_conditions(grade),
            *scoped(FACT, ctx, flt),
        )
    )


def accuracy_select(ctx: Context, flt: Filters, periods: Sequence[Period], by: Split | None = None, *, grade: str | None = None) -> Select:
    """Per period (``k``, its index in ``periods``; left out with one period) and ``group``: ``forecast_deals``,
    ``no_history_deals`` (open at the snapshot with no history row by then), ``forecast`` (the weighted pipeline at the
    period's snapshot), ``won_deals`` and ``actual`` (won in the period by the end of the as-of day).
    Money rounded to the cent, zero where there is none."""
    if not periods:
        raise ValueError("forecast accuracy needs at least one period")
    grade = _floor(flt, grade)
    t = FACT.table
    group = _split(by, ctx, flt)
    grp = group if group is not None else cast(null(), String(40))
    parts = [_forecast_part(ctx, flt, p, i, grp, grade) for i, p in enumerate(periods)]
    span = Period(min(p.start for p in periods), max(p.end for p in periods))
    won_from, won_amount = _won_amount(ctx, span)
    index = case(*[(in_period(t.c.closed_at, p, ctx.calendar, timestamp=True), i) for i, p in enumerate(periods)], else_=None)
    parts.append(
        select(index.label("k"), grp.label("grp"), cast(null(), MONEY_TYPE).label("forecast"), cast(null(), Integer()).label("is_forecast"),
               cast(null(), Integer()).label("no_history"), won_amount.label("actual"), literal(1, Integer()).label("is_won"))
        .select_from(won_from)
        .where(
            t.c.status == "won",
            or_(*(in_period(t.c.closed_at, p, ctx.calendar, timestamp=True) for p in periods)),
            t.c.closed_at < as_of_instant(ctx),
            *_grade_conditions(grade),
            *scoped(FACT, ctx, flt),
        )
    )
    u = union_all(*parts).subquery("forecast_and_won")
    stmt = select(
        func.count(u.c.is_forecast).label("forecast_deals"),
        func.count(u.c.no_history).label("no_history_deals"),
        func.round(func.coalesce(func.sum(u.c.forecast), 0), 2).label("forecast"),
        func.count(u.c.is_won).label("won_deals"),
        func.round(func.coalesce(func.sum(u.c.actual), 0), 2).label("actual"),
    )
    if len(periods) > 1:
        stmt = stmt.add_columns(u.c.k.label("k")).group_by(u.c.k)
    if group is not None:
        stmt = stmt.add_columns(u.c.grp.label("group")).group_by(u.c.grp)
    return stmt


def accuracy_periods(flt: Filters, ctx: Context, grain: str) -> list[Period]:
    """The months, quarters (fiscal) or years of ``grain`` cut from the filters' period (the first and last clipped to it)
    that have started by the as-of day."""
    if grain not in ("week", "month", "quarter", "year"):
        raise ValueError(f"forecast accuracy is measured per week, month, quarter or year, not {grain!r}")
    starts = buckets(Period(flt.period.start, flt.period.end, grain), ctx.calendar)
    ends = [*(b - timedelta(days=1) for b in starts[1:]), flt.period.end]
    pieces = [Period(max(b, flt.period.start), min(e, flt.period.end), "day", "days") for b, e in zip(starts, ends, strict=True)]
    return [p for p in pieces if p.start <= ctx.as_of]


def accuracy_value(forecast: Decimal, actual: Decimal) -> float | None:
    """Forecast accuracy = 1 − |forecast − actual| ÷ actual; None when nothing was won."""
    return ratio_value(actual - abs(forecast - actual), actual)[0]


def forecast_accuracy(ctx: Context, flt: Filters, grain: str = "month", by: Split | None = None, *, grade: str | None = None) -> pd.DataFrame:
    """For each month (quarter, year, week: ``grain``) of the filters' period that has started by the as-of day: what the
    weighted pipeline said at its opening about the deals expected to close in it, against what was won in it.

    Columns: ``period_start``, ``period_end``, (``group``,) ``complete`` (the period ended by the as-of day),
    ``forecast_deals``, ``no_history_deals`` (deals open at the snapshot but with no stage-history row by then: their
    values then are unknown, so they are left out of the forecast and counted here — by their current expected close
    date), ``forecast``, ``won_deals``, ``actual`` (Decimals), ``error`` = forecast − actual,
    ``forecast_to_actual`` = forecast ÷ actual and ``accuracy`` = 1 − |error| ÷ actual (floats; None when nothing was won).
    """
    periods = accuracy_periods(flt, ctx, grain)
    columns = ["period_start", "period_end", *(["group"] if by is not None else []), "complete", "forecast_deals",
               "no_history_deals", "forecast", "won_deals", "actual", "error", "forecast_to_actual", "accuracy"]
    if not periods:
        return pd.DataFrame([], columns=columns)
    frame = read_frame(ctx.engine, accuracy_select(ctx, flt, periods, by, grade=grade))
    found: dict[tuple[int, Any], dict[str, Any]] = {}
    for r in frame.to_dict("records"):
        k = _count(r["k"]) if len(periods) > 1 else 0
        found[(k, _group_value(r.get("group")))] = r
    if by is None:
        for i in range(len(periods)):
            found.setdefault((i, None), {})
    rows = []
    for (k, group), r in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] is None, str(kv[0][1]))):
        p = periods[k]
        forecast, actual = _money(r.get("forecast")), _money(r.get("actual"))
        row = {"period_start": p.start, "period_end": p.end, **({"group": group} if by is not None else {}), "complete": ctx.as_of >= p.end,
               "forecast_deals": _count(r.get("forecast_deals")), "no_history_deals": _count(r.get("no_history_deals")),
               "forecast": forecast, "won_deals": _count(r.get("won_deals")), "actual": actual,
               "error": forecast - actual, "forecast_to_actual": ratio_value(forecast, actual)[0],
               "accuracy": accuracy_value(forecast, actual)}
        rows.append(row)
    return _frame(rows, columns)


# --- Win/loss ----------------------------------------------------------------------------------------------


LossBy = Literal["loss_reason", "competitor"]


def _closed_select(ctx: Context, flt: Filters, statuses: tuple[str, ...], key: str, split: Split | None, grade: str | None) -> Select:
    """Per ``key`` value (loss reason or competitor), ``group`` and status: ``deals`` and ``amount`` of the deals closed
    in the period by the as-of day."""
    grade = _floor(flt, grade)
    t = FACT.table
    joined, amount = _won_amount(ctx, flt.period)
    stmt = (
        select(t.c.status.label("status"), func.count().label("deals"), func.round(func.sum(amount), 2).label("amount"))
        .select_from(joined)
        .where(
            t.c.status.in_(statuses),
            in_period(t.c.closed_at, flt.period, ctx.calendar, timestamp=True),
            t.c.closed_at < as_of_instant(ctx),
            *_grade_conditions(grade),
            *scoped(FACT, ctx, flt),
        )
        .group_by(t.c.status)
    )
    return _select_grouped(stmt, {"breakdown": t.c[key], "group": _split(split, ctx, flt)})


def losses_select(ctx: Context, flt: Filters, by: LossBy = "loss_reason", split: Split | None = None, *, grade: str | None = None) -> Select:
    if by not in ("loss_reason", "competitor"):
        raise ValueError(f"losses are split by loss_reason or competitor, not {by!r}")
    return _closed_select(ctx, flt, ("lost",), by, split, grade)


def losses(ctx: Context, flt: Filters, by: LossBy = "loss_reason", split: Split | None = None, *, grade: str | None = None) -> pd.DataFrame:
    """Deals lost in the filters' period (close time, company zone) by the as-of day, per loss reason or competitor
    (``by``; None where the CRM recorded none, listed last) and optionally per compared unit, business unit, product,
    rep or grade (``split``). Columns: ``loss_reason`` or ``competitor``, (``group``,) ``lost`` (int), ``lost_amount``
    (at the rate of the close date; a deal with no amount or rate counts but adds nothing)."""
    frame = read_frame(ctx.engine, losses_select(ctx, flt, by, split, grade=grade))
    out = [
        {by: _group_value(r["breakdown"]), **({"group": _group_value(r.get("group"))} if split else {}), "lost": _count(r["deals"]),
         "lost_amount": _money(r["amount"])}
        for r in frame.to_dict("records")
    ]
    columns = [by, *(["group"] if split else []), "lost", "lost_amount"]
    return _frame(out, columns, columns[: 2 if split else 1])


def competitors_select(ctx: Context, flt: Filters, split: Split | None = None, *, grade: str | None = None) -> Select:
    return _closed_select(ctx, flt, ("won", "lost"), "competitor", split, grade)


def competitors(ctx: Context, flt: Filters, split: Split | None = None, *, grade: str | None = None) -> pd.DataFrame:
    """Won against lost per competitor met (deals with a competitor recorded, closed in the filters' period by the as-of
    day), optionally per ``split``. Columns: ``competitor``, (``group``,) ``won``, ``lost`` (ints), ``won_amount``,
    ``lost_amount`` (at the close date's rate) and ``win_rate`` = won ÷ (won + lost), by count (a float)."""
    frame = read_frame(ctx.engine, competitors_select(ctx, flt, split, grade=grade))
    rows: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in frame.to_dict("records"):
        competitor = _group_value(r["breakdown"])
        if competitor is None:
            continue
        key = (competitor, _group_value(r.get("group")))
        row = rows.setdefault(key, dict(won=0, lost=0, won_amount=Decimal("0.00"), lost_amount=Decimal("0.00")))
        row[str(r["status"])] = _count(r["deals"])
        row[f"{r['status']}_amount"] = _money(r["amount"])
    out = []
    for (competitor, group), v in rows.items():
        win_rate = ratio_value(v["won"], v["won"] + v["lost"])[0]
        out.append({"competitor": competitor, **({"group": group} if split else {}), **v, "win_rate": win_rate})
    columns = ["competitor", *(["group"] if split else []), "won", "lost", "won_amount", "lost_amount", "win_rate"]
    return _frame(out, columns, columns[: 2 if split else 1])


# --- The forecast period --------------------------------------------------------------------------------


def forecast_period(ctx: Context, flt: Filters) -> Filters:
    """The filters with the period a pipeline is read over: a month, quarter or year *to date* (its fiscal start to
    the as-of day) carried to its end — the pipeline looks ahead to the period's close, as the Monday meeting's
    "forecast for the quarter end" does; any other period (a past quarter, a custom range) as it is."""
    p = flt.period
    if p.span not in targets.PERIOD_KINDS or p.end != ctx.as_of:
        return flt
    whole = targets.target_period(p.span, p.end, ctx.calendar)
    if whole.start != p.start or whole.end <= p.end:
        return flt
    return flt.with_period(Period(whole.start, whole.end, p.grain, p.span))


# --- The deals behind a figure ---------------------------------------------------------------------------

#: A record filter left open ("every group", "every reason"): None is a value of its own (no group, no reason).
ANY = "*"
RECORD_COLUMNS = ("opportunity_id", "deal", "account", "owner", "unit", "stage", "amount", "probability", "weighted",
                  "expected_close")
CLOSED_COLUMNS = ("opportunity_id", "deal", "account", "owner", "unit", "status", "amount", "closed", "loss_reason",
                  "competitor", "expected_close")


def _matches(column: ColumnElement, value: object) -> ColumnElement[bool] | None:
    """``column`` equal to ``value`` (a bound parameter), NULL for None; no condition for :data:`ANY`."""
    if isinstance(value, str) and value == ANY:
        return None
    return column.is_(None) if value is None else column == value


def _names(ctx: Context, frame: pd.DataFrame) -> tuple[dict[int, str], dict[int, str]]:
    """Account and rep names of the listed deals (one lookup each, by the ids listed)."""
    a, r = schema.account, schema.rep
    accounts = sorted({int(v) for v in frame["account_id"] if _group_value(v) is not None})
    reps = sorted({int(v) for v in frame["owner_rep_id"] if _group_value(v) is not None})
    names_a = read_frame(ctx.engine, select(a.c.account_id, a.c.name).where(a.c.account_id.in_(accounts))) if accounts else None
    names_r = read_frame(ctx.engine, select(r.c.rep_id, r.c.name).where(r.c.rep_id.in_(reps))) if reps else None
    to_dict = lambda f, k: {} if f is None else {int(i): str(n) for i, n in zip(f[k], f["name"], strict=True)}  # noqa: E731
    return to_dict(names_a, "account_id"), to_dict(names_r, "rep_id")


def _unit_code(ctx: Context, unit_id: object) -> str | None:
    unit = ctx.org.by_id(int(unit_id)) if _group_value(unit_id) is not None else None  # type: ignore[arg-type]
    return unit.code if unit else None


def _day(value: object) -> date | None:
    if _group_value(value) is None or value is pd.NaT:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    return value  # type: ignore[return-value]


def pipeline_records(
    ctx: Context, flt: Filters, *, when: When | None = None, bucket: date | None = None, by: Split | None = None,
    group: object = ANY, category: str | None = None, grade: str | None = None, limit: int = 200,
) -> tuple[pd.DataFrame, int]:
    """The open deals behind a figure of :func:`weighted_pipeline` or :func:`forecast_categories` — the same deals, with
    the same values as they stood at the end of the as-of day: those in the expected close week or month starting on
    ``bucket`` (with ``when``), in ``group`` of the split ``by`` (:data:`ANY`: every group; None: the records with none),
    in the open ``category`` (commit, best_case or pipeline), of ``grade`` and above. Deals with no history row by then
    are not listed (the figures leave them out too). Largest weighted amount first (then the largest amount, the
    deal's id), at most ``limit``; and how many there are in all.

    Columns: ``opportunity_id``, ``deal`` (its name), ``account``, ``owner`` (rep name), ``unit`` (code), ``stage``,
    ``amount`` and ``weighted`` (Decimals in the reporting currency; None without an amount, probability or rate),
    ``probability`` (a float) and ``expected_close``.
    """
    stmt = pipeline_records_select(ctx, flt, when=when, bucket=bucket, by=by, group=group, category=category, grade=grade, limit=limit)
    if stmt is None:
        return pd.DataFrame([], columns=list(RECORD_COLUMNS)), 0
    frame, total, deal = _deals(ctx, stmt)
    out = [
        {
            **deal(r), "stage": _group_value(r["stage"]),
            "amount": None if _group_value(r["amount"]) is None else _money(r["amount"]),
            "probability": None if _group_value(r["probability"]) is None else float(r["probability"]),
            "weighted": None if _group_value(r["weighted"]) is None else _money(r["weighted"]),
            "expected_close": _day(r["expected_close_date"]),
        }
        for r in frame.to_dict("records")
    ]
    return _frame(out, RECORD_COLUMNS), total


def _deals(ctx: Context, stmt: Select) -> tuple[pd.DataFrame, int, Any]:
    """A record list's rows, its total (the ``total`` column every row carries) and a function giving each row's deal,
    account, owner and unit, as both record lists open."""
    frame = read_frame(ctx.engine, stmt)
    total = _count(frame["total"].iloc[0]) if len(frame) else 0
    accounts, reps = _names(ctx, frame)

    def deal(r: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "opportunity_id": int(r["opportunity_id"]), "deal": _group_value(r["name"]),
            "account": accounts.get(int(r["account_id"])) if _group_value(r["account_id"]) is not None else None,
            "owner": reps.get(int(r["owner_rep_id"])) if _group_value(r["owner_rep_id"]) is not None else None,
            "unit": _unit_code(ctx, r["unit_id"]),
        }

    return frame, total, deal


def pipeline_records_select(
    ctx: Context, flt: Filters, *, when: When | None = None, bucket: date | None = None, by: Split | None = None,
    group: object = ANY, category: str | None = None, grade: str | None = None, limit: int = 200,
) -> Select | None:
    """The statement of :func:`pipeline_records` (with a ``total`` column: the count before the limit); None when
    ``bucket`` is not a week or month of the period."""
    if category is not None and category not in CATEGORIES[1:]:
        raise ValueError(f"open deals are in category {', '.join(CATEGORIES[1:])}, not {category!r}")
    if (when is None) != (bucket is None):
        raise ValueError("a close bucket needs both when and bucket")
    t = FACT.table
    p = _open_pipeline(ctx, flt, grade)
    s = p.stood.row
    conds = [*p.conditions, ~p.stood.unrecorded]
    if when is not None and bucket is not None:
        starts = buckets(Period(flt.period.start, flt.period.end, when), ctx.calendar)
        if bucket not in starts:
            return None
        conds.append(_close_bucket(when, ctx, flt, p.stood.close) == starts.index(bucket))  # type: ignore[operator]
    if by is not None:
        matched = _matches(_split(by, ctx, flt), group)  # type: ignore[arg-type]
        if matched is not None:
            conds.append(matched)
    if category is not None:
        conds.append(forecast_category(s.c.stage, s.c.probability) == category)
    return (
        select(
            t.c.opportunity_id, t.c.name, t.c.account_id, t.c.owner_rep_id, t.c.unit_id, s.c.stage, p.amount.label("amount"),
            s.c.probability, p.weighted.label("weighted"), s.c.expected_close_date, func.count().over().label("total"),
        )
        .select_from(p.from_)
        .where(*conds)
        .order_by(func.coalesce(p.weighted, -1).desc(), func.coalesce(p.amount, -1).desc(), t.c.opportunity_id)
        .limit(limit)
    )


def closed_records(
    ctx: Context, flt: Filters, status: str = "lost", *, loss_reason: object = ANY, competitor: object = ANY,
    split: Split | None = None, group: object = ANY, grade: str | None = None, limit: int = 200,
) -> tuple[pd.DataFrame, int]:
    """The deals behind a figure of :func:`losses`, :func:`competitors` or the closed-won category: closed with
    ``status`` (won, lost, or ``closed`` for both) in the filters' period by the as-of day, with ``loss_reason`` and
    ``competitor`` (:data:`ANY`: any; None: none recorded), in ``group`` of ``split``, of ``grade`` and above. Most
    recently closed first (then the deal's id), at most ``limit``; and how many there are in all.

    Columns: ``opportunity_id``, ``deal``, ``account``, ``owner``, ``unit`` (code), ``status``, ``amount`` (at the
    close date's rate, as the figures count it; None without an amount or rate), ``closed`` (the close date, company
    zone), ``loss_reason``, ``competitor`` and ``expected_close`` (the opportunity's).
    """
    stmt = closed_records_select(ctx, flt, status, loss_reason=loss_reason, competitor=competitor, split=split, group=group, grade=grade,
                                 limit=limit)
    frame, total, deal = _deals(ctx, stmt)
    out = [
        {
            **deal(r), "status": str(r["status"]),
            "amount": None if _group_value(r["amount"]) is None else _money(r["amount"]),
            "closed": _day(r["closed"]), "loss_reason": _group_value(r["loss_reason"]),
            "competitor": _group_value(r["competitor"]), "expected_close": _day(r["expected_close_date"]),
        }
        for r in frame.to_dict("records")
    ]
    return _frame(out, CLOSED_COLUMNS), total


def closed_records_select(
    ctx: Context, flt: Filters, status: str = "lost", *, loss_reason: object = ANY, competitor: object = ANY,
    split: Split | None = None, group: object = ANY, grade: str | None = None, limit: int = 200,
) -> Select:
    """The statement of :func:`closed_records` (with a ``total`` column: the count before the limit)."""
    statuses = {"won": ("won",), "lost": ("lost",), "closed": ("won", "lost")}.get(status)
    if statuses is None:
        raise ValueError(f"closed deals are won, lost or closed, not {status!r}")
    grade = _floor(flt, grade)
    t = FACT.table
    joined, amount = _won_amount(ctx, flt.period)
    conds = [
        t.c.status.in_(statuses),
        in_period(t.c.closed_at, flt.period, ctx.calendar, timestamp=True),
        t.c.closed_at < as_of_instant(ctx),
        *_grade_conditions(grade),
        *scoped(FACT, ctx, flt),
    ]
    for column, value in ((t.c.loss_reason, loss_reason), (t.c.competitor, competitor)):
        matched = _matches(column, value)
        if matched is not None:
            conds.append(matched)
    if split is not None:
        matched = _matches(_split(split, ctx, flt), group)  # type: ignore[arg-type]
        if matched is not None:
            conds.append(matched)
    close_day = local_date(t.c.closed_at, flt.period.start, flt.period.end, ctx.calendar)
    return (
        select(
            t.c.opportunity_id, t.c.name, t.c.account_id, t.c.owner_rep_id, t.c.unit_id, t.c.status, amount.label("amount"),
            close_day.label("closed"), t.c.loss_reason, t.c.competitor, t.c.expected_close_date, func.count().over().label("total"),
        )
        .select_from(joined)
        .where(*conds)
        .order_by(t.c.closed_at.desc(), t.c.opportunity_id)
        .limit(limit)
    )


# --- Single KPIs --------------------------------------------------------------------------------------------


def weighted_pipeline_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    p = _open_pipeline(ctx, flt, None)
    t = FACT.table
    group = group_column(grouping, ctx, flt, date=p.stood.close, unit=t.c.unit_id, timestamp=False, fact=FACT)
    stmt = select(func.round(func.sum(p.weighted), 2).label("numerator"), *_left_out(p)).select_from(p.from_).where(*p.conditions)
    return _select_grouped(stmt, {"group": group})


def _left_out(p: OpenPipeline) -> list[ColumnElement]:
    """Counts of the open deals that add nothing to the weighted pipeline, one reason each (the first that applies):
    no stage-history row by then, no amount, no probability, no rate for the amount's currency on the as-of day."""
    row, recorded = p.stood.row, ~p.stood.unrecorded
    has_amount = recorded & row.c.amount.is_not(None)
    return [
        bool_sum(p.stood.unrecorded).label("opportunities_no_history"),
        bool_sum(recorded & row.c.amount.is_(None)).label("opportunities_no_amount"),
        bool_sum(has_amount & row.c.probability.is_(None)).label("opportunities_no_probability"),
        bool_sum(has_amount & row.c.probability.is_not(None) & p.rate.is_(None)).label("opportunities_no_rate"),
    ]


def forecast_accuracy_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    """Numerator actual − |forecast − actual|, denominator actual (and the forecast); per trend bucket each bucket is
    a period of its own, its forecast read at its own opening."""
    if grouping.by == "periods":
        raise NotImplementedError("forecast accuracy compares periods one query each")
    group_name: str | None = None
    if grouping.by == "bucket":
        starts = buckets(flt.period, ctx.calendar)
        ends = [*(b - timedelta(days=1) for b in starts[1:]), flt.period.end]
        periods = [Period(max(b, flt.period.start), min(e, flt.period.end)) for b, e in zip(starts, ends, strict=True)]
        inner = accuracy_select(ctx, flt, periods)
        group_name = "k" if len(periods) > 1 else None
    else:
        inner = accuracy_select(ctx, flt, [flt.period], grouping.by)  # type: ignore[arg-type]
        group_name = "group" if grouping.by is not None else None
    s = inner.subquery("accuracy")
    columns = [
        func.round(s.c.actual - func.abs(s.c.forecast - s.c.actual), 2).label("numerator"),
        s.c.actual.label("denominator"),
        s.c.forecast.label("forecast"),
        s.c.no_history_deals.label("opportunities_no_history"),
    ]
    if group_name is not None:
        columns.insert(0, s.c[group_name].label("group"))
    elif grouping.by == "bucket":
        columns.insert(0, literal(0, Integer()).label("group"))  # a period of one bucket
    return select(*columns)


WEIGHTED_PIPELINE = Metric(
    key="weighted_pipeline",
    label={"en": "Weighted pipeline", "zh": "加权商机金额"},
    definition={
        "en": "Σ amount × probability (0 to 1) of the opportunities open at the end of the as-of day — created by then and "
        "not won or lost by then — whose expected close date lies in the period. The amount, probability and expected "
        "close date (and the stage) are the values as they stood at the end of the as-of day, rebuilt from the stage "
        "history (its last change before then), not today's. Each amount is converted at the rate in force on the as-of "
        "day and rounded to the cent, then weighted and rounded to the cent; a deal with no amount, no probability or "
        "no rate adds nothing. A deal with no stage-history row by then is left out and counted separately. Credited to "
        "the unit, business unit and rep stored on the opportunity; split by period, it is split by expected close date. "
        "Against an earlier period it is that period's pipeline as it stood at the same point of it (as many days in).",
        "zh": "数据日结束时仍未结的商机（此前已创建、且当时尚未赢单或输单）中，预计关闭日期落在本期内的 Σ 金额 × 赢率（0 到 1）。"
        "金额、赢率和预计关闭日期（及阶段）均取数据日结束时的值，由阶段历史重建（此前最后一次变更），而非当前值。"
        "每笔金额按数据日的汇率折算并四舍五入到分，再乘以赢率并四舍五入到分；缺少金额、赢率或汇率的商机不计金额。"
        "截至当时没有阶段历史记录的商机不计入，另行计数。归属商机上记录的组织单元、经营单元和销售；按期间拆分时按预计关闭日期拆分。"
        "与之前的期间比较时，取该期间同一时点（开始后相同天数）时的商机管道。",
    },
    kind="money",
    better="up",
    query=weighted_pipeline_query,
    groupings=groupings_for(FACT),
    read_at_as_of=True,
    excluded=("opportunities_no_history", "opportunities_no_amount", "opportunities_no_probability", "opportunities_no_rate"),
)

FORECAST_ACCURACY = Metric(
    key="forecast_accuracy",
    label={"en": "Forecast accuracy", "zh": "预测准确率"},
    definition={
        "en": "1 − |forecast − actual| ÷ actual. Forecast: the weighted pipeline as it stood when the period opened "
        "(local midnight of its first day), rebuilt from the stage history — each opportunity created before then and "
        "not yet closed, with the amount, probability and expected close date of its last change before then, counted "
        "when that expected close date lies in the period; amounts at the rate of the period's first day, weighted and "
        "rounded to the cent. An opportunity open then with no stage-history row before then has no known values: it "
        "is left out of the forecast and its count is shown as deals without history. Actual: the amounts of the "
        "opportunities won in the period up to the as-of day, at the rate of their close date. 100% is a perfect "
        "forecast; over- and under-forecasting both lower it. Not computed when nothing was won.",
        "zh": "1 − |预测 − 实际| ÷ 实际。预测：本期开始时（首日本地零点）的加权商机金额，由阶段历史重建——此前已创建且尚未关闭的商机，"
        "取其此前最后一次变更时的金额、赢率和预计关闭日期，预计关闭日期落在本期内的计入；金额按本期首日的汇率折算，加权后四舍五入到分。"
        "当时未结但此前没有阶段历史记录的商机，其当时的值未知：不计入预测，另行显示其数量（无历史商机数）。"
        "实际：本期内截至数据日赢单的商机金额，按关闭日期的汇率折算。100% 为完全准确，预测偏高或偏低都会降低该值；本期无赢单时不计算。",
    },
    kind="ratio",
    better="up",
    query=forecast_accuracy_query,
    groupings=groupings_for(FACT),
    excluded=("opportunities_no_history",),
)

#: The single KPIs of this module, for whoever registers them.
METRICS = (WEIGHTED_PIPELINE, FORECAST_ACCURACY)


# --- The page's orderings and picks (pure: frames in, frames or codes out) --------------------------------

#: A group, reason or competitor as a link writes it: :data:`ANY` for every one, this for none recorded.
NONE_CODE = "~"
#: A close bucket as a link writes it when every week or month is picked.
EVERY_BUCKET = "all"


def pick_code(value: object) -> str:
    """A group, loss reason or competitor (None: none recorded) as text a link can hold (:data:`NONE_CODE`)."""
    return NONE_CODE if _group_value(value) is None else str(value)


def pick_value(code: str) -> object:
    """The inverse of :func:`pick_code`; :data:`ANY` stays :data:`ANY`."""
    return None if code == NONE_CODE else code


def ranked_groups(totals: pd.DataFrame) -> list[Any]:
    """The groups of a :func:`weighted_pipeline` split, the largest weighted amount first (ties in the split's order)."""
    return list(totals.sort_values("weighted", ascending=False, kind="stable")["group"])


def by_close_rows(totals: pd.DataFrame, cells: pd.DataFrame, when: When) -> tuple[pd.DataFrame, list[date]]:
    """The table under the weighted pipeline chart: ``totals`` (one row per group, the largest weighted first) with the
    weighted amount of each week or month that has deals (``cells``: the split by ``when`` and group) in a column named
    by the bucket's first day; None where the group has no deal that week or month. Returns the rows and the buckets."""
    column = f"close_{when}"
    starts = sorted(set(cells[column]))
    rows = totals.sort_values("weighted", ascending=False, kind="stable", ignore_index=True)
    for s in starts:
        values = {g: w for g, b, w in zip(cells["group"], cells[column], cells["weighted"], strict=True) if b == s}
        rows[s] = [values.get(g) for g in rows["group"]]
    return rows, starts


def first_open_category(cats: pd.DataFrame) -> str:
    """The category a drill-through opens on: the first of commit, best case and pipeline with a deal, else closed won."""
    counts = dict(zip(cats["category"], cats["deals"], strict=True))
    return next((c for c in CATEGORIES[1:] if counts.get(c)), CATEGORIES[0])


def winloss_picks(reasons: pd.DataFrame, rivals: pd.DataFrame) -> dict[str, tuple[str, object, int]]:
    """What the win/loss drill-through offers, by link code: ``reason:<code>`` → ("reason", loss reason, deals lost with
    it) for each row of :func:`losses` by loss reason, then ``competitor:<name>`` → ("competitor", name, deals won and
    lost naming it) for each row of :func:`competitors`. Each count is the number of deals the pick lists."""
    picks: dict[str, tuple[str, object, int]] = {}
    for r, n in zip(reasons["loss_reason"], reasons["lost"], strict=True):
        picks[f"reason:{pick_code(r)}"] = ("reason", _group_value(r), _count(n))
    for c, w, n in zip(rivals["competitor"], rivals["won"], rivals["lost"], strict=True):
        picks[f"competitor:{pick_code(c)}"] = ("competitor", _group_value(c), _count(w) + _count(n))
    return picks


def reason_order(reasons: pd.DataFrame) -> dict[Any, int]:
    """Each loss reason's place on the chart: the most deals lost first (ties in :func:`losses`' order)."""
    ranked = reasons.sort_values("lost", ascending=False, kind="stable")["loss_reason"]
    return {_group_value(r): i for i, r in enumerate(ranked)}


def toughest_first(rivals: pd.DataFrame) -> pd.DataFrame:
    """:func:`competitors` ordered for the chart: the lowest win rate against them first, then by name."""
    return rivals.sort_values(["win_rate", "competitor"], ascending=[True, True], kind="stable", ignore_index=True)


def largest_projection_first(split: pd.DataFrame) -> pd.DataFrame:
    """:func:`period_end_projection` split by group, the largest projection first (ties in the split's order); no rows
    as they came (an empty split may have no columns)."""
    return split if split.empty else split.sort_values("projected", ascending=False, kind="stable", ignore_index=True)
