"""Which tables answer a metric's order aggregation: Granary's summary tables, or the raw orders.

The summaries (:mod:`data_layer.summary`) answer when they exist in the database, were built
in the reporting currency asked for, and are current: their stored data version equals the
fingerprint of the raw tables now. A user's CRM has no summaries, so it is always read raw.
Dates that do not align to whole months are read from the raw orders (the partial first and last
months) and from the summary for the whole months between, so the answer is the same either way:
the summary holds the sum of each order's revenue rounded to the cent, as the raw rows are rounded.

The rows handed to a metric have the same columns whichever way they come:

- :func:`order_month_rows`: ``account_id``, ``month_index``, ``revenue`` (reporting currency,
  each order rounded to the cent; NULL without a rate), ``positive_orders`` — orders with an amount, in whole months;
- :func:`order_revenue_rows`: ``account_id``, ``revenue`` — orders dated in [start, end];
- :func:`rolling_rows`: ``account_id``, ``month_index``, ``active``, ``revenue`` — each account's
  12 months up to chosen months, from the summary only (None when it cannot answer);
- :func:`fiscal_year_rows`: ``account_id``, ``revenue`` — orders dated from the start of a day's
  fiscal year to that day: the roll's ``fy_revenue`` for the whole months where it can answer.

The first two keep only the business units and products the viewer may see and chose; the roll
answers only when neither narrows the orders.

Two more answer the order-level metrics, which keep their own scope and grouping:

- :func:`order_facts`: the revenue metric's source — the raw orders joined to their rates, or the
  summary's months where no period or trend-bucket boundary cuts a month, and the raw orders of the
  months one does cut (so every row falls in the same period and bucket either way);
- :func:`first_orders`: each account's first purchase, from ``granary_first_order``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Integer,
    Numeric,
    Select,
    Subquery,
    Table,
    and_,
    case,
    cast,
    func,
    inspect,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import SQLAlchemyError

from data_layer import schema
from data_layer.filters import FACTS, Fact, Filters, Period, Viewer, account_order_conditions, buckets
from data_layer.summary import ROLL_MONTHS, account_roll, data_version, first_order, order_gap, order_month, summary_info
from metrics.base import Context, Grouping, Periods, dimension_of
from metrics.money import converted, rate_join
from metrics.sql import month_index

#: How long a fingerprint check of the raw tables is trusted, in seconds. A rebuild gives the
#: summary a new ``built_at``, which is checked on every route, so it is never answered from an old
#: check; only a change to the raw tables made behind Granary's back can go unseen this long.
CHECK_TTL_S = 5.0


@dataclass(frozen=True)
class Route:
    """Where order aggregates come from: ``summary`` or ``raw``, and why."""

    source: Literal["summary", "raw"]
    reason: str
    #: The fiscal calendar the summary's fiscal-year sums were built for (None when raw).
    fiscal_year_start_month: int | None = None

    @property
    def summary(self) -> bool:
        return self.source == "summary"


_memo: dict[tuple[object, ...], tuple[float, bool]] = {}
_lock = threading.Lock()


def forget() -> None:
    """Forget every memoised fingerprint check."""
    with _lock:
        _memo.clear()


def _current(conn: Connection, key: tuple[object, ...], version: str, currency: str) -> bool:
    now = time.monotonic()
    with _lock:
        hit = _memo.get(key)
    if hit is not None and now - hit[0] < CHECK_TTL_S:
        return hit[1]
    current = version == data_version(conn, currency)
    with _lock:
        _memo[key] = (now, current)
    return current


_raw_only: ContextVar[bool] = ContextVar("granary_raw_only", default=False)


@contextmanager
def raw_tables() -> Iterator[None]:
    """Within this block every query reads the raw tables (to compare both ways, and to benchmark)."""
    token = _raw_only.set(True)
    try:
        yield
    finally:
        _raw_only.reset(token)


def _has_summaries(ctx: Context) -> bool:
    """Whether the database has the summary tables: a catalogue query, remembered for
    :data:`CHECK_TTL_S` so that a CRM without them is not asked before every metric."""
    if ctx.engine is None:  # a statement compiled for a dialect, not run
        return False
    key = ("has_table", id(ctx.engine), str(ctx.engine.url))
    now = time.monotonic()
    with _lock:
        hit = _memo.get(key)
    if hit is not None and now - hit[0] < CHECK_TTL_S:
        return hit[1]
    found = inspect(ctx.engine).has_table(summary_info.name)
    with _lock:
        _memo[key] = (now, found)
    return found


def route(ctx: Context) -> Route:
    """Whether the summaries can answer for this context's database and reporting currency."""
    if _raw_only.get():
        return Route("raw", "raw tables asked for")
    try:
        if not _has_summaries(ctx):
            return Route("raw", "no summary tables (a CRM database)")
        with ctx.engine.connect() as conn:
            info = conn.execute(
                select(summary_info.c.built_at, summary_info.c.data_version, summary_info.c.currency, summary_info.c.fiscal_year_start_month)
            ).all()
            if len(info) != 1:
                return Route("raw", "summary info missing")
            built_at, version, currency, fiscal_start = info[0]
            if currency != ctx.currency:
                return Route("raw", f"summary in {currency}, not {ctx.currency}")
            if not _current(conn, (id(ctx.engine), str(ctx.engine.url), built_at, version, currency), version, currency):
                return Route("raw", "summary stale: the raw tables changed since it was built")
    except SQLAlchemyError as exc:  # a half-built or foreign table: never trust it
        return Route("raw", f"summary unreadable ({type(exc).__name__})")
    return Route("summary", "summary current", fiscal_start)


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def whole_months(start: date, end: date) -> tuple[int, int] | None:
    """The first and last month (month numbers) lying wholly inside [start, end], or None."""
    first = start.year * 12 + start.month - 1 + (0 if start.day == 1 else 1)
    last = end.year * 12 + end.month - 1 - (0 if (end + timedelta(days=1)).day == 1 else 1)
    return (first, last) if first <= last else None


# --- Raw rows ----------------------------------------------------------------------------------------


def _raw_rows(ctx: Context, flt: Filters, start: date, end: date) -> Select:
    o = schema.sales_order
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    return (
        select(
            o.c.account_id,
            month_index(o.c.order_date).label("month_index"),
            converted(o.c.amount, rate).label("revenue"),
            case((o.c.amount > 0, 1), else_=0).label("positive_orders"),
        )
        .select_from(joined)
        .where(o.c.order_date >= start, o.c.order_date <= end, o.c.amount.is_not(None), *account_order_conditions(flt, ctx.viewer))
    )


def _summary_rows(ctx: Context, flt: Filters, first: int, last: int) -> Select:
    s = order_month
    return select(s.c.account_id, s.c.month_index, s.c.revenue, s.c.positive_orders).where(
        s.c.month_index >= first, s.c.month_index <= last, *account_order_conditions(flt, ctx.viewer, orders=s)
    )


def order_month_rows(ctx: Context, flt: Filters, first: int, last: int) -> Subquery:
    """Orders with an amount in months ``first`` … ``last`` (month numbers), from the summary when
    it is current, else one row per raw order."""
    if route(ctx).summary:
        return _summary_rows(ctx, flt, first, last).subquery("order_months")
    return _raw_rows(ctx, flt, month_start(first), month_start(last + 1) - timedelta(days=1)).subquery("order_months")


def order_revenue_rows(ctx: Context, flt: Filters, start: date, end: date) -> Subquery:
    """Orders with an amount dated in [start, end]: the whole months from the summary when it is
    current, the partial months at either end (or everything) from the raw orders."""
    months = whole_months(start, end) if route(ctx).summary else None
    if months is None:
        return _revenue_only(_raw_rows(ctx, flt, start, end))
    first, last = months
    parts = [_summary_rows(ctx, flt, first, last)]
    if start < month_start(first):
        parts.append(_raw_rows(ctx, flt, start, month_start(first) - timedelta(days=1)))
    if month_start(last + 1) <= end:
        parts.append(_raw_rows(ctx, flt, month_start(last + 1), end))
    return _revenue_only(parts[0] if len(parts) == 1 else union_all(*parts).subquery("order_parts").select())


def rolling_rows(ctx: Context, flt: Filters, window: int, months: Iterable[int]) -> Subquery | None:
    """Each account's ``active`` flag (an order above zero) and ``revenue`` over the 12 months up to
    each of ``months`` (month numbers), from ``granary_account_roll``: columns ``account_id``,
    ``month_index``, ``active``, ``revenue``; an account with no order with an amount in those 12
    months has no row. None unless the summaries are current, ``window`` is the roll's 12 months and
    no business-unit or product condition narrows the orders (the roll sums every order of the account)."""
    if window != ROLL_MONTHS or account_order_conditions(flt, ctx.viewer) or not route(ctx).summary:
        return None
    r = account_roll
    return (
        select(r.c.account_id, r.c.month_index, r.c.active, r.c.revenue)
        .where(r.c.month_index.in_(sorted(set(months))))
        .subquery("account_roll")
    )


def fiscal_year_rows(ctx: Context, flt: Filters, start: date, on: date) -> Subquery:
    """Orders with an amount dated in [``start``, ``on``], where ``start`` is the first day of ``on``'s
    fiscal year (columns ``account_id``, ``revenue``): the roll's ``fy_revenue`` at the last whole month
    up to ``on`` and the raw orders of ``on``'s month after it, when the summaries are current, were
    built for this fiscal calendar and no business-unit or product condition narrows the orders; else
    :func:`order_revenue_rows`. The same sums either way: ``fy_revenue`` adds the same monthly rows."""
    r = route(ctx)
    last = on.year * 12 + on.month - 1 - (0 if (on + timedelta(days=1)).day == 1 else 1)  # the last whole month
    first = start.year * 12 + start.month - 1
    if (
        not r.summary
        or r.fiscal_year_start_month != ctx.calendar.fiscal_year_start_month
        or account_order_conditions(flt, ctx.viewer)
        or start.day != 1
        or last < first
    ):
        return order_revenue_rows(ctx, flt, start, on)
    a = account_roll
    parts: list[Select] = [
        select(a.c.account_id, a.c.fy_revenue.label("revenue")).where(a.c.month_index == last, a.c.fy_revenue.is_not(None))
    ]
    if month_start(last + 1) <= on:
        raw = _raw_rows(ctx, flt, month_start(last + 1), on).subquery("partial_month")
        parts.append(select(raw.c.account_id, raw.c.revenue))
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("order_revenue")


def _revenue_only(stmt: Select) -> Subquery:
    rows = stmt.subquery("order_rows")
    return select(rows.c.account_id, rows.c.revenue).subquery("order_revenue")



# --- Order-level metrics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderFacts:
    """Where an order-level metric reads its orders: ``source`` to select from, ``fact`` to scope
    and group it with (:func:`metrics.base.scoped`, :func:`metrics.base.group_column`), its
    ``order_date``, its ``revenue`` (reporting currency, each order rounded to the cent), and how many
    orders its revenue leaves out: ``no_amount`` (no amount) and ``no_rate`` (no rate that day)."""

    source: FromClause
    fact: Fact
    order_date: ColumnElement[date]
    revenue: ColumnElement[Decimal]
    no_amount: ColumnElement[int]
    no_rate: ColumnElement[int]


#: How the summary's rows meet the filters: the same columns as ``sales_order``'s (FACTS).
SUMMARY_FACT = Fact(order_month, unit="unit_id", bu="bu_id", product="product_id", account="account_id",
                    source="account_id", source_via_account=True)


def _gaps(amount: ColumnElement[Decimal], rate: ColumnElement[Decimal]) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """One raw order's ``no_amount`` and ``no_rate`` (1 or 0), as ``granary_order_gap`` counts them."""
    return case((amount.is_(None), 1), else_=0), case((amount.is_not(None) & rate.is_(None), 1), else_=0)


def _raw_facts(ctx: Context) -> OrderFacts:
    fact = FACTS["sales_order"]
    o = fact.table
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    return OrderFacts(joined, fact, o.c.order_date, converted(o.c.amount, rate), *_gaps(o.c.amount, rate))


def _parts(period: Period) -> tuple[Period, ...]:
    return period.parts if isinstance(period, Periods) and period.parts else (period,)


def cut_months(flt: Filters, grouping: Grouping, ctx: Context) -> set[int]:
    """The months (month numbers) that a boundary of the period, its parts, the compared periods or
    the trend buckets cuts: a boundary is a first day or the day after a last day, and it cuts its
    month unless it is the month's first day."""
    bounds: list[date] = []
    for period in (*_parts(flt.period), *(q for p in grouping.periods for q in _parts(p))):
        bounds += [period.start, period.end + timedelta(days=1)]
    if grouping.by == "bucket":
        bounds += buckets(flt.period, ctx.calendar)
    return {b.year * 12 + b.month - 1 for b in bounds if b.day != 1}


def order_facts(ctx: Context, flt: Filters, grouping: Grouping) -> OrderFacts:
    """The orders an order-level metric reads for ``flt``'s period and ``grouping``.

    From the summary (when current, and when the grouping is one its rows carry: total, trend
    buckets, compared periods, unit, business unit, product, segment or source) each whole month
    stands as one row dated its first day, for every month no boundary cuts; the cut months come
    from the raw orders. Each summary row falls in the same period and bucket as every order it
    sums, so the answer is the raw tables' to the cent. Otherwise the raw orders, with their rates.
    """
    routable = grouping.by in (None, "bucket", "periods", "unit") or dimension_of(SUMMARY_FACT, grouping.by) is not None
    if not routable or not route(ctx).summary:
        return _raw_facts(ctx)
    first, last = (d.year * 12 + d.month - 1 for d in (flt.period.start, flt.period.end))
    cut = sorted(m for m in cut_months(flt, grouping, ctx) if first <= m <= last)
    s, g, o = order_month, order_gap, schema.sales_order
    none = literal_column("0", Integer())

    def months(t: Table) -> tuple[ColumnElement[bool], ...]:
        return (t.c.month_index >= first, t.c.month_index <= last, *(t.c.month_index != m for m in cut))

    keys = ("account_id", "unit_id", "bu_id", "product_id")
    whole = select(
        s.c.month_start.label("order_date"), *(s.c[k] for k in keys), s.c.revenue, none.label("no_amount"), none.label("no_rate")
    ).where(*months(s))
    # The orders the summary's revenue leaves out, so that the metric can say how many.
    gaps = select(
        g.c.month_start.label("order_date"), *(g.c[k] for k in keys), cast(null(), Numeric(18, 2)).label("revenue"), g.c.no_amount, g.c.no_rate
    ).where(*months(g))
    parts: list[Select] = [whole, gaps]
    if cut:
        joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
        in_cut = or_(*(and_(o.c.order_date >= month_start(m), o.c.order_date < month_start(m + 1)) for m in cut))
        no_amount, no_rate = _gaps(o.c.amount, rate)
        parts.append(
            select(
                o.c.order_date, *(o.c[k] for k in keys), converted(o.c.amount, rate).label("revenue"),
                no_amount.label("no_amount"), no_rate.label("no_rate"),
            )
            .select_from(joined)
            .where(in_cut)
        )
    rows = union_all(*parts).subquery("order_rows")
    fact = replace(SUMMARY_FACT, table=rows)  # the same columns, read from the union
    return OrderFacts(rows, fact, rows.c.order_date, rows.c.revenue, rows.c.no_amount, rows.c.no_rate)


def first_orders(ctx: Context, flt: Filters, viewer: Viewer) -> Subquery:
    """Each account's first purchase — the earliest ``order_date`` of an order with amount > 0 among
    the orders in the business units and products the viewer may see and chose — from
    ``granary_first_order`` when the summaries are current, else from the raw orders.
    Columns: ``account_id``, ``first_order_date``."""
    if route(ctx).summary:
        f = first_order
        return (
            select(f.c.account_id, func.min(f.c.first_order_date).label("first_order_date"))
            .where(*account_order_conditions(flt, viewer, orders=f))
            .group_by(f.c.account_id)
            .subquery("first_purchase")
        )
    o = schema.sales_order
    return (
        select(o.c.account_id, func.min(o.c.order_date).label("first_order_date"))
        .where(o.c.amount > 0, *account_order_conditions(flt, viewer))
        .group_by(o.c.account_id)
        .subquery("first_purchase")
    )
