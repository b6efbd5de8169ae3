"""The shape every metric shares: a definition, a query that aggregates in the database,
and one place where ratios are taken.

A metric's query returns ``numerator`` (and for ratios ``denominator``) per group; the value is
computed once, here, in Python, so every backend yields the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

import pandas as pd
from sqlalchemy import BindParameter, ColumnElement, Engine, Select, String, Table, and_, case, cast, func, literal, or_, select

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import read_frame
from data_layer.filters import Fact, Filters, OrgTree, Period, Viewer, buckets, local_midnight_utc, restrict

#: How a value is written: hours and days are durations, score a mean on a rating scale (1–5).
Kind = Literal["count", "money", "ratio", "days", "hours", "score"]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Context:
    """Everything a metric needs besides the filters: where, who, and when."""

    engine: Engine
    org: OrgTree
    viewer: Viewer
    calendar: Calendar
    currency: str
    as_of: date


#: What a record-level metric can be split by besides period and unit (see :func:`dimension_of`).
DIMENSIONS = ("bu", "product", "segment", "source", "rep", "campaign")
DIMENSION_NAMES = {
    "bu": "business unit",
    "product": "product",
    "segment": "account segment",
    "source": "source channel",
    "rep": "rep",
    "campaign": "campaign",
}
GroupBy = Literal["bucket", "unit", "bu", "product", "segment", "source", "rep", "campaign", "periods"]
#: What every metric can be split by.
PERIOD_AND_UNIT: frozenset[str] = frozenset({"bucket", "unit"})


@dataclass(frozen=True)
class Grouping:
    """How to split a metric: ``None`` (one total), ``bucket`` (trend buckets of the period's
    grain), ``unit`` (the children of the filtered unit, or the top units), or one of
    :data:`DIMENSIONS` (the record's business unit, product, account segment, source, rep or campaign).

    ``periods`` is :func:`compare`'s: the group is the index in ``periods`` (disjoint periods inside
    the filters' period, which covers them all) of the one a record falls in, NULL in the gaps.
    """

    by: GroupBy | None = None
    periods: tuple[Period, ...] = ()

    def __post_init__(self) -> None:
        if self.by is not None and self.by not in PERIOD_AND_UNIT | set(DIMENSIONS) | {"periods"}:
            raise ValueError(f"unknown grouping {self.by!r}; expected bucket, unit or one of {', '.join(DIMENSIONS)}")
        if (self.by == "periods") != bool(self.periods):
            raise ValueError("the periods grouping, and only it, takes the periods")
        if any(a.start <= b.end and b.start <= a.end for i, a in enumerate(self.periods) for b in self.periods[i + 1 :]):
            raise ValueError(f"the periods of a grouping must not overlap: {self.periods}")


TOTAL = Grouping()


class NotGroupable(ValueError):
    """The metric's records carry no value for the dimension asked for (leads by business unit)."""


@dataclass(frozen=True)
class Metric:
    """One business metric.

    Attributes:
        key: stable identifier (CLI, URLs, registry).
        label: display name per language.
        definition: the written definition per language; the UI shows exactly this text.
        kind: count, money, ratio, days, hours or score — how the value is formatted.
        better: "up" when a higher value is good, "down" when lower is good.
        query: builds the aggregate select for a context, filters and grouping; its columns
            are ``group`` (when grouped), ``numerator`` and, for ratios, ``denominator`` — or the
            two named by ``columns``.
        groupings: what ``query`` can split by: ``bucket``, ``unit`` and, for record-level
            metrics, the :data:`DIMENSIONS` their records carry (:func:`groupings_for`).
    """

    key: str
    label: dict[str, str]
    definition: dict[str, str]
    kind: Kind
    better: Literal["up", "down"]
    query: Callable[[Context, Filters, Grouping], Select]
    not_applicable: Callable[[Filters], tuple[str, ...]] = field(default=lambda _f: ())
    #: The groupings ``query`` honours besides the total; :func:`evaluate` refuses any other.
    groupings: frozenset[str] = PERIOD_AND_UNIT
    #: The measure of :mod:`metrics.targets` this metric's value is held against, where the company
    #: sets targets on it (revenue), else None.
    target: str | None = None
    #: True when ``query`` reads its period only as a filter on one date column and groups that
    #: column with :func:`group_column`, so the ``periods`` grouping over a covering span gives each
    #: period exactly its own answer: :func:`compare` then runs one query instead of three. False
    #: when anything else depends on the period (home units as of its end, whole-month windows).
    periods_in_one_query: bool = False
    #: The columns of ``query``'s select read as numerator and denominator. Metrics that are quotients
    #: of one statement's measures (churn's four ratios) select them all and name theirs here, so that
    #: inside :func:`shared_statements` the statement runs once for all of them.
    columns: tuple[str, str] = ("numerator", "denominator")
    #: Columns ``query`` also selects that count the records the metric left out, one per reason (the
    #: UI's ``excluded.<name>`` text says which), so that the figure states what it does not include
    #: ("3 orders without an amount left out") at no cost of its own: the same statement counts them.
    excluded: tuple[str, ...] = ()
    #: True for a stock read at the as-of day rather than a flow over the period (the open pipeline): :func:`compare`
    #: then reads each compared period as it stood at the same point of that period (:func:`same_point`), not today.
    read_at_as_of: bool = False

    @property
    def is_ratio(self) -> bool:
        return self.kind == "ratio"


# --- Query building blocks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Periods(Period):
    """Disjoint periods (``parts``) asked as one: ``start`` and ``end`` span them all, and
    :func:`in_period` keeps only the rows inside one of them, so the gaps are never read."""

    parts: tuple[Period, ...] = ()


def as_of_instant(ctx: Context) -> datetime:
    """The UTC instant the as-of day ends in the company's zone: later events have not happened yet."""
    return local_midnight_utc(ctx.as_of + timedelta(days=1), ctx.calendar)


def in_period(column: ColumnElement, period: Period, cal: Calendar, *, timestamp: bool) -> ColumnElement[bool]:
    """``column`` within the period: business dates inclusive, UTC timestamps by local midnights."""
    if isinstance(period, Periods) and period.parts:
        return or_(*(in_period(column, p, cal, timestamp=timestamp) for p in period.parts))
    if timestamp:
        lo, hi = period.utc_bounds(cal)
        return and_(column >= lo, column < hi)
    return and_(column >= period.start, column <= period.end)


def bucket_index(column: ColumnElement, period: Period, cal: Calendar, *, timestamp: bool) -> ColumnElement[int]:
    """The trend bucket (0, 1, …) a row falls in: a CASE over bounds computed in Python, so
    bucketing follows the company's zone and week start on every backend."""
    starts = buckets(period, cal)[1:]
    bounds = [local_midnight_utc(b, cal) if timestamp else b for b in starts]
    if not bounds:
        return literal(0)
    return case(*[(column < bound, i) for i, bound in enumerate(bounds)], else_=len(bounds))


def period_index(column: ColumnElement, periods: tuple[Period, ...], cal: Calendar, *, timestamp: bool) -> ColumnElement[int]:
    """The index in ``periods`` of the one a row falls in, NULL when none: a CASE over bounds
    computed in Python, as :func:`bucket_index`."""
    return case(*[(in_period(column, p, cal, timestamp=timestamp), i) for i, p in enumerate(periods)], else_=None)


def unit_group(column: ColumnElement, ctx: Context, flt: Filters) -> ColumnElement[str]:
    """The compared unit (code) a row belongs to: a child of the filtered unit, or a top unit."""
    children = ctx.org.compared_units(flt.unit)
    if not children:
        return literal(flt.unit or "")  # a leaf unit: everything in scope belongs to it
    return case(*[(column.in_(sorted(ctx.org.subtree_ids(c.code))), c.code) for c in children], else_=None)


def scoped(fact: Fact, ctx: Context, flt: Filters) -> tuple[ColumnElement[bool], ...]:
    return restrict(fact, flt, ctx.viewer, ctx.org).conditions


def not_applicable_for(fact: Fact) -> Callable[[Filters], tuple[str, ...]]:
    def check(flt: Filters) -> tuple[str, ...]:
        skipped = []
        if flt.bus and fact.bu is None:
            skipped.append("business_unit")
        if flt.products and fact.product is None:
            skipped.append("product")
        if flt.segments and fact.account is None:
            skipped.append("segment")
        if flt.sources and fact.source is None:
            skipped.append("source")
        return tuple(skipped)

    return check


# --- Dimensions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """Where a fact's record finds its group value: ``column`` on the fact, read as is (as text),
    or, with ``table``, the ``value`` column of the ``table`` row whose ``key`` equals it."""

    column: str
    table: Table | None = None
    key: str = ""
    value: str = "code"


#: The rep credited with each fact's record.
REP_COLUMNS = {"lead": "assigned_rep_id", "opportunity": "owner_rep_id", "sales_order": "rep_id"}
#: The campaign that brought each fact's record (only leads carry one).
CAMPAIGN_COLUMNS = {"lead": "campaign_id"}


def dimension_of(fact: Fact, by: str) -> Dimension | None:
    """How ``fact``'s records meet dimension ``by``, or None where they carry no such value.

    Business unit, product, segment and source read the same columns as the global filters
    (:data:`data_layer.filters.FACTS`), so a group and the matching filter select the same rows.
    """
    name = fact.table.name
    if by == "bu" and fact.bu:
        return Dimension(fact.bu, schema.business_unit, "bu_id")
    if by == "product" and fact.product:
        return Dimension(fact.product, schema.product, "product_id")
    if by == "segment" and fact.account:
        return Dimension(fact.account, schema.account, "account_id", "segment")
    if by == "source" and fact.source:
        if fact.source_via_account:
            return Dimension(fact.source, schema.account, "account_id", "source_channel")
        return Dimension(fact.source)
    if by == "rep" and name in REP_COLUMNS:
        return Dimension(REP_COLUMNS[name], schema.rep, "rep_id")
    if by == "campaign" and name in CAMPAIGN_COLUMNS:
        return Dimension(CAMPAIGN_COLUMNS[name])  # a campaign has no code: its id, as text
    return None


def groupings_for(fact: Fact) -> frozenset[str]:
    """Period, unit and every dimension ``fact``'s records carry."""
    return PERIOD_AND_UNIT | {by for by in DIMENSIONS if dimension_of(fact, by) is not None}


def dimension_group(fact: Fact, by: str) -> ColumnElement:
    """The record's stable code for dimension ``by`` (NULL where it has none).

    A correlated scalar subquery on an alias rather than a join: callers keep their FROM clause,
    and the filters' own subqueries on the same tables are not correlated to it by accident.
    """
    dim = dimension_of(fact, by)
    if dim is None:
        raise NotGroupable(f"{fact.table.name} records carry no {DIMENSION_NAMES.get(by, by)}: cannot group by {by!r}")
    column = fact.table.c[dim.column]
    if dim.table is None:
        return column if isinstance(column.type, String) else cast(column, String(40))
    lookup = dim.table.alias(f"group_{by}")
    return select(lookup.c[dim.value]).where(lookup.c[dim.key] == column).scalar_subquery()


def group_column(
    grouping: Grouping,
    ctx: Context,
    flt: Filters,
    *,
    date: ColumnElement,
    unit: ColumnElement,
    timestamp: bool,
    fact: Fact | None = None,
) -> ColumnElement | None:
    """The expression a metric groups by, from its date and unit columns — or, for a
    dimension, from ``fact``'s record (:func:`dimension_group`)."""
    if grouping.by == "bucket":
        return bucket_index(date, flt.period, ctx.calendar, timestamp=timestamp)
    if grouping.by == "periods":
        return period_index(date, grouping.periods, ctx.calendar, timestamp=timestamp)
    if grouping.by == "unit":
        return unit_group(unit, ctx, flt)
    if grouping.by is None:
        return None
    if fact is None:
        raise NotImplementedError(f"grouping by {grouping.by!r} needs the fact the metric counts")
    return dimension_group(fact, grouping.by)


def grouped(select_: Select, group: ColumnElement | None) -> Select:
    """``select_`` split by ``group``. A constant group (one bucket, a leaf unit) is selected
    but not grouped by: databases refuse or misread a constant in GROUP BY."""
    if group is None:
        return select_
    if isinstance(group, BindParameter):
        return select_.add_columns(group.label("group"))
    return select_.add_columns(group.label("group")).group_by(group)


def count_in_period(fact: Fact, date_column: str, *, timestamp: bool) -> Callable[[Context, Filters, Grouping], Select]:
    """The query of a metric that counts a fact's rows dated in the period."""

    def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
        t = fact.table
        when = t.c[date_column]
        group = group_column(grouping, ctx, flt, date=when, unit=t.c[fact.unit or ""], timestamp=timestamp, fact=fact)
        stmt = select(func.count().label("numerator")).where(
            in_period(when, flt.period, ctx.calendar, timestamp=timestamp), *scoped(fact, ctx, flt)
        )
        return grouped(stmt, group)

    return query


# --- Evaluation --------------------------------------------------------------------------------


_shared: ContextVar[dict[tuple[object, ...], pd.DataFrame] | None] = ContextVar("granary_shared_statements", default=None)


@contextmanager
def shared_statements() -> Iterator[None]:
    """Within this block, a statement that :func:`evaluate` has already run for the same database
    with the same SQL and bound values is answered from its first run, not sent again: a page that
    shows several quotients of one statement (logo churn and NRR of the same accounts) asks once.
    Nothing outlives the block, so no answer can be older than the page render that asked it."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def _read(engine: Engine, stmt: Select) -> pd.DataFrame:
    memo = _shared.get()
    if memo is None:
        return read_frame(engine, stmt)
    compiled = stmt.compile(dialect=engine.dialect)
    key = (id(engine), str(engine.url), str(compiled), repr(sorted(compiled.params.items())))
    if key not in memo:
        memo[key] = read_frame(engine, stmt)
    return memo[key].copy()


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def _number(value: object, kind: Kind) -> Decimal | int | float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if kind == "money":
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_EVEN)
    if kind == "count":
        return int(Decimal(str(value)))
    return float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Result:
    """A metric's value for one set of filters, with what went into it.

    ``value`` is None when it cannot be computed; ``reason`` then says why. ``excluded`` holds the
    records left out, as (reason, count) for each :attr:`Metric.excluded` reason that left any out.
    """

    value: Decimal | int | float | None
    numerator: Decimal | int | float | None
    denominator: int | float | Decimal | None = None
    reason: str | None = None
    excluded: tuple[tuple[str, int], ...] = ()


def ratio_value(numerator: object, denominator: object) -> tuple[float | None, str | None]:
    """The ratio, or None with the reason it cannot be taken. A missing numerator (a SUM over
    no matching rows, which pandas may hold as NaN) counts as zero."""
    if denominator is None or pd.isna(denominator) or float(denominator) == 0:  # type: ignore[arg-type]
        return None, "no_denominator"
    if numerator is None or pd.isna(numerator):
        numerator = 0
    return float(Decimal(str(numerator)) / Decimal(str(denominator))), None


def check_grouping(metric: Metric, grouping: Grouping) -> None:
    """Refuse a grouping ``metric`` does not declare, rather than let its query ignore it.

    A record-level metric (one that declares some dimension) whose records lack this one raises
    :class:`NotGroupable`; any other metric has simply not been built for it: NotImplementedError.
    """
    by = grouping.by
    if by is None or by in metric.groupings or (by == "periods" and metric.periods_in_one_query):
        return
    if metric.groupings & set(DIMENSIONS):
        raise NotGroupable(
            f"metric {metric.key!r} cannot be grouped by {by!r}: its records carry no {DIMENSION_NAMES.get(by, by)}"
        )
    supported = ", ".join(sorted(metric.groupings)) or "only the total"
    raise NotImplementedError(f"metric {metric.key!r} cannot be grouped by {by!r} yet; it supports {supported}")


def evaluate(metric: Metric, ctx: Context, flt: Filters, grouping: Grouping = TOTAL) -> pd.DataFrame:
    """Run ``metric`` and return one row per group: ``group`` (when grouped), ``numerator``,
    ``denominator`` (ratios) and ``value``. Records with no value for a dimension group under None.

    Raises:
        NotGroupable: ``metric``'s records carry no value for the dimension asked for.
        NotImplementedError: ``metric`` does not support the grouping.
    """
    check_grouping(metric, grouping)
    frame = _read(ctx.engine, metric.query(ctx, flt, grouping))
    numerator, denominator = metric.columns
    frame = frame.rename(columns={numerator: "numerator", denominator: "denominator"})
    if "group" in frame:  # pandas may read a NULL group as NaN
        frame["group"] = pd.Series([None if _missing(g) else g for g in frame["group"]], index=frame.index, dtype=object)
    frame["numerator"] = [_number(v, "money" if metric.kind == "money" else "count" if metric.kind == "count" else "ratio") for v in frame["numerator"]]
    for name in metric.excluded:  # a SUM over no rows is NULL: nothing was left out
        frame[name] = [0 if _missing(v) else int(Decimal(str(v))) for v in frame[name]]
    if metric.is_ratio:
        frame["denominator"] = [_number(v, "ratio") for v in frame["denominator"]]
        frame["value"] = [ratio_value(n, d)[0] for n, d in zip(frame["numerator"], frame["denominator"], strict=True)]
    else:
        frame["numerator"] = [0 if v is None and metric.kind == "count" else v for v in frame["numerator"]]
        frame["value"] = frame["numerator"]
    return frame


def _scalar(value: object) -> Any:
    """A frame's cell as a plain Python value: NaN as None, numpy numbers as int or float."""
    if _missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _result_of(metric: Metric, row: Mapping[str, Any]) -> Result:
    """A :class:`Result` from an evaluated row (a frame's cells: pandas holds a missing number as None
    or NaN depending on its neighbours, so both mean none)."""
    numerator, denominator = _scalar(row["numerator"]), _scalar(row.get("denominator")) if metric.is_ratio else None
    excluded = tuple((name, int(row[name])) for name in metric.excluded if row[name])
    if metric.is_ratio:
        value, reason = ratio_value(numerator, denominator)
        return Result(value, numerator, denominator, reason, excluded)
    if metric.kind == "money" and numerator is None:
        numerator = Decimal("0.00")
    return Result(numerator, numerator, reason="no_data" if numerator is None else None, excluded=excluded)


def result(metric: Metric, ctx: Context, flt: Filters) -> Result:
    """The metric's single value for ``flt``."""
    return _result_of(metric, evaluate(metric, ctx, flt).iloc[0].to_dict())


def by_business_unit(metric: Metric, ctx: Context, flt: Filters, bus: tuple[str, ...]) -> pd.DataFrame:
    """``group`` (business unit code) and ``value``: the metric's own ``bu`` grouping where its records
    carry a business unit; else — an account-level metric (new customers, churn, retention, wallet) —
    the metric with each of ``bus`` chosen in the filter, one query each (an account can then count
    in several business units, so these rows need not add up to the whole)."""
    if "bu" in metric.groupings:
        return evaluate(metric, ctx, flt, Grouping("bu"))
    return pd.DataFrame({"group": list(bus), "value": [result(metric, ctx, replace(flt, bus=(code,))).value for code in bus]})


def trend(metric: Metric, ctx: Context, flt: Filters) -> pd.DataFrame:
    """The metric per trend bucket of the period: ``bucket_start`` (date) and ``value``; buckets
    with no rows are present, with value 0 for counts and money and None for ratios."""
    starts = buckets(flt.period, ctx.calendar)
    frame = evaluate(metric, ctx, flt, Grouping("bucket"))
    by_index = {int(g): v for g, v in zip(frame["group"], frame["value"], strict=True) if g is not None}
    # An empty bucket counts nothing and sums to zero; a ratio or a duration has no value there.
    empty = None if metric.kind in ("ratio", "days", "hours", "score") else (Decimal("0.00") if metric.kind == "money" else 0)
    return pd.DataFrame({"bucket_start": starts, "value": [by_index.get(i, empty) for i in range(len(starts))]})


@dataclass(frozen=True)
class Comparison:
    """A value beside the previous period's and the same period a year earlier."""

    current: Result
    previous: Result
    year_ago: Result

    @staticmethod
    def change(now: Result, then: Result, kind: Kind) -> float | None:
        """Relative change for counts and money; the difference in points for ratios."""
        if now.value is None or then.value is None:
            return None
        if kind == "ratio":
            return float(now.value) - float(then.value)
        if float(then.value) == 0:
            return None
        return (float(now.value) - float(then.value)) / abs(float(then.value))


def _disjoint_sets(periods: list[Period]) -> list[list[Period]]:
    """``periods`` (distinct) in as few sets of pairwise disjoint periods as a greedy pass finds."""
    sets: list[list[Period]] = []
    for p in periods:
        home = next((s for s in sets if all(p.end < q.start or q.end < p.start for q in s)), None)
        if home is None:
            sets.append([p])
        else:
            home.append(p)
    return sets


def results_for_periods(metric: Metric, ctx: Context, flt: Filters, periods: list[Period]) -> dict[tuple[date, date], Result]:
    """``metric`` for each of ``periods`` (the rest of ``flt`` as it is), keyed by (start, end).

    A metric declaring :attr:`Metric.periods_in_one_query` answers each set of disjoint periods in one
    query, grouped by the period each record falls in (:class:`Periods`: the span covering them, the
    gaps between them left out); a period with no record at all is asked on its own, so that its empty answer
    (0, no data, no denominator) is exactly what its own query gives. Other metrics: one query each.
    """
    distinct = list(dict.fromkeys((p.start, p.end) for p in periods))
    by_bounds = {(p.start, p.end): p for p in periods}
    out: dict[tuple[date, date], Result] = {}
    if metric.periods_in_one_query and len(distinct) > 1:
        for group in _disjoint_sets([by_bounds[b] for b in distinct]):
            if len(group) == 1:
                continue
            span = Periods(min(p.start for p in group), max(p.end for p in group), flt.period.grain, "days", tuple(group))
            frame = evaluate(metric, ctx, flt.with_period(span), Grouping("periods", tuple(group)))
            for row in frame.to_dict("records"):
                if row["group"] is None:
                    continue  # a record in a gap between the periods
                p = group[int(row["group"])]
                out[(p.start, p.end)] = _result_of(metric, row)
    for bounds in distinct:
        if bounds not in out:
            out[bounds] = result(metric, ctx, flt.with_period(by_bounds[bounds]))
    return out


def same_point(ctx: Context, current: Period, other: Period) -> Context:
    """``ctx`` with its as-of day moved to the same point of ``other`` as it holds in ``current`` (the same number of
    days after the start, at most ``other``'s end): how far along the previous quarter stood when it was as far along
    as this one is now. An as-of day before ``current`` starts stays as it is."""
    if ctx.as_of < current.start:
        return ctx
    point = min(ctx.as_of, current.end) - current.start
    return replace(ctx, as_of=min(other.start + point, other.end))


def compare(metric: Metric, ctx: Context, flt: Filters) -> Comparison:
    """The metric for the period, the previous period and the same period last year — in one query
    where the metric allows (:func:`results_for_periods`). A stock read at the as-of day
    (:attr:`Metric.read_at_as_of`) is read for each earlier period at the same point of it (:func:`same_point`)."""
    if metric.read_at_as_of:
        previous, year_ago = flt.period.previous(), flt.period.year_ago()
        return Comparison(
            current=result(metric, ctx, flt),
            previous=result(metric, same_point(ctx, flt.period, previous), flt.with_period(previous)),
            year_ago=result(metric, same_point(ctx, flt.period, year_ago), flt.with_period(year_ago)),
        )
    periods = [flt.period, flt.period.previous(), flt.period.year_ago()]
    found = results_for_periods(metric, ctx, flt, periods)
    current, previous, year_ago = (found[(p.start, p.end)] for p in periods)
    return Comparison(current=current, previous=previous, year_ago=year_ago)


def compare_separately(metric: Metric, ctx: Context, flt: Filters) -> Comparison:
    """:func:`compare` by three queries, one per period: what the one-query path must equal."""
    if metric.read_at_as_of:
        return compare(metric, ctx, flt)
    return Comparison(
        current=result(metric, ctx, flt),
        previous=result(metric, ctx, flt.with_period(flt.period.previous())),
        year_ago=result(metric, ctx, flt.with_period(flt.period.year_ago())),
    )
