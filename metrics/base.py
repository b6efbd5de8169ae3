"""The shape every metric shares: a definition, a query that aggregates in the database,
and one place where ratios are taken.

A metric's query returns ``numerator`` (and for ratios ``denominator``) per group; the value is
computed once, here, in Python, so every backend yields the same arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import BindParameter, ColumnElement, Engine, Select, and_, case, func, literal, select

from data_layer.config import Calendar
from data_layer.connection import read_frame
from data_layer.filters import Fact, Filters, OrgTree, Period, Viewer, buckets, local_midnight_utc, restrict

Kind = Literal["count", "money", "ratio", "days"]
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


@dataclass(frozen=True)
class Grouping:
    """How to split a metric: ``None`` (one total), ``bucket`` (trend buckets of the period's
    grain) or ``unit`` (the children of the filtered unit, or the top units)."""

    by: Literal["bucket", "unit"] | None = None


TOTAL = Grouping()


@dataclass(frozen=True)
class Metric:
    """One business metric.

    Attributes:
        key: stable identifier (CLI, URLs, registry).
        label: display name per language.
        definition: the written definition per language; the UI shows exactly this text.
        kind: count, money, ratio or days — how the value is formatted.
        better: "up" when a higher value is good, "down" when lower is good.
        query: builds the aggregate select for a context, filters and grouping; its columns
            are ``group`` (when grouped), ``numerator`` and, for ratios, ``denominator``.
    """

    key: str
    label: dict[str, str]
    definition: dict[str, str]
    kind: Kind
    better: Literal["up", "down"]
    query: Callable[[Context, Filters, Grouping], Select]
    not_applicable: Callable[[Filters], tuple[str, ...]] = field(default=lambda _f: ())

    @property
    def is_ratio(self) -> bool:
        return self.kind == "ratio"


# --- Query building blocks ---------------------------------------------------------------------


def in_period(column: ColumnElement, period: Period, cal: Calendar, *, timestamp: bool) -> ColumnElement[bool]:
    """``column`` within the period: business dates inclusive, UTC timestamps by local midnights."""
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


def group_column(
    grouping: Grouping, ctx: Context, flt: Filters, *, date: ColumnElement, unit: ColumnElement, timestamp: bool
) -> ColumnElement | None:
    """The expression a metric groups by, from its date and unit columns."""
    if grouping.by == "bucket":
        return bucket_index(date, flt.period, ctx.calendar, timestamp=timestamp)
    if grouping.by == "unit":
        return unit_group(unit, ctx, flt)
    return None


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
        group = group_column(grouping, ctx, flt, date=when, unit=t.c[fact.unit or ""], timestamp=timestamp)
        stmt = select(func.count().label("numerator")).where(
            in_period(when, flt.period, ctx.calendar, timestamp=timestamp), *scoped(fact, ctx, flt)
        )
        return grouped(stmt, group)

    return query


# --- Evaluation --------------------------------------------------------------------------------


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

    ``value`` is None when it cannot be computed; ``reason`` then says why.
    """

    value: Decimal | int | float | None
    numerator: Decimal | int | float | None
    denominator: int | float | Decimal | None = None
    reason: str | None = None


def ratio_value(numerator: object, denominator: object) -> tuple[float | None, str | None]:
    """The ratio, or None with the reason it cannot be taken."""
    if denominator is None or float(denominator) == 0:  # type: ignore[arg-type]
        return None, "no_denominator"
    return float(Decimal(str(numerator or 0)) / Decimal(str(denominator))), None


def evaluate(metric: Metric, ctx: Context, flt: Filters, grouping: Grouping = TOTAL) -> pd.DataFrame:
    """Run ``metric`` and return one row per group: ``group`` (when grouped), ``numerator``,
    ``denominator`` (ratios) and ``value``."""
    frame = read_frame(ctx.engine, metric.query(ctx, flt, grouping))
    frame["numerator"] = [_number(v, "money" if metric.kind == "money" else "count" if metric.kind == "count" else "ratio") for v in frame["numerator"]]
    if metric.is_ratio:
        frame["denominator"] = [_number(v, "ratio") for v in frame["denominator"]]
        frame["value"] = [ratio_value(n, d)[0] for n, d in zip(frame["numerator"], frame["denominator"], strict=True)]
    else:
        frame["numerator"] = [0 if v is None and metric.kind == "count" else v for v in frame["numerator"]]
        frame["value"] = frame["numerator"]
    return frame


def result(metric: Metric, ctx: Context, flt: Filters) -> Result:
    """The metric's single value for ``flt``."""
    row = evaluate(metric, ctx, flt).iloc[0]
    numerator = row["numerator"]
    if metric.is_ratio:
        value, reason = ratio_value(numerator, row["denominator"])
        return Result(value, numerator, row["denominator"], reason)
    if metric.kind == "money" and numerator is None:
        numerator = Decimal("0.00")
    return Result(numerator, numerator, reason="no_data" if numerator is None else None)


def trend(metric: Metric, ctx: Context, flt: Filters) -> pd.DataFrame:
    """The metric per trend bucket of the period: ``bucket_start`` (date) and ``value``; buckets
    with no rows are present, with value 0 for counts and money and None for ratios."""
    starts = buckets(flt.period, ctx.calendar)
    frame = evaluate(metric, ctx, flt, Grouping("bucket"))
    by_index = {int(g): v for g, v in zip(frame["group"], frame["value"], strict=True) if g is not None}
    # An empty bucket counts nothing and sums to zero; a ratio or a duration has no value there.
    empty = None if metric.kind in ("ratio", "days") else (Decimal("0.00") if metric.kind == "money" else 0)
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


def compare(metric: Metric, ctx: Context, flt: Filters) -> Comparison:
    """The metric for the period, the previous period and the same period last year."""
    return Comparison(
        current=result(metric, ctx, flt),
        previous=result(metric, ctx, flt.with_period(flt.period.previous())),
        year_ago=result(metric, ctx, flt.with_period(flt.period.year_ago())),
    )
