"""Lead to cash in a 13-week quarter: the Monday meeting of DOMAIN.md §3, week by week.

Each week of the fiscal quarter: orders booked, shipped, invoiced and paid (回款); this week, last week and
next week (expected shipments and cash); the projection to quarter end; days from order to cash and its
trend; and the orders waiting at each step.

The view functions read the fiscal quarter that contains ``ctx.as_of`` — whatever ``flt.period`` says — and
take from ``flt`` its unit, business-unit, product, segment and source filters; the viewer's scope always
applies (``FACTS["sales_order"]``: the unit, business unit and product stored on the order). To look at an
earlier quarter, pass a context whose ``as_of`` lies in it. The :class:`~metrics.base.Metric` objects at the
end (:data:`METRICS`, registered nowhere yet) read ``flt.period`` like every other metric. Nothing here reads
the clock.

Decisions (:data:`DEFINITIONS` says the same to the user):

- **Weeks.** The quarter is cut at the company's week start (``Calendar.week_start``). Week 1 begins on the
  quarter's first day and ends on the day before the next week start: it is short (1–6 days) when the
  quarter does not begin on the week start. Weeks 2–12 are whole calendar weeks. Week 13 runs from its week
  start to the quarter's last day. Twelve weeks hold at most 84 days and a quarter has 89–92, so there is
  always a week 13; where the calendar would leave a 14th, partial week, its days are **folded into week 13**,
  which is then 8–14 days long, and where the quarter ends before a whole week, week 13 is short (5–6 days).
  So a quarter always has exactly 13 weeks, and every week but the first and the last is the calendar week
  the other views' weekly trends use.
- **Steps.** An order is booked on its order date, shipped on its shipped date, invoiced on its invoiced date
  and paid on its cash-collected date, each in the week that date falls in. A step dated after ``as_of`` has
  not happened yet, and an order booked after ``as_of`` does not exist yet: none of its steps counts anywhere —
  flows, expectations, orders waiting, days to cash, cash collected — even one dated on or before ``as_of``
  (billed or paid in advance). Each step reads its own date: an order invoiced before it ships (services,
  billing in advance) is invoiced that week and still waits for its shipment.
- **Money.** An order's amount converts at the rate of its order date, whatever step is counted, rounded to
  the cent per order (:mod:`metrics.money`). An order with no amount, or in a currency with no rate that day,
  is counted but adds nothing to the amounts; the ``unpriced`` columns count such orders.
- **Credit notes** (negative amounts) are netted in the amounts of the four weekly flows — so the quarter's
  booked amount equals its Revenue and the projection's closed revenue — but they are not orders: never
  counted, and left out of the orders waiting, of next week's expectations and of the days from order to cash
  (a credit note never ships, and its refund is no cash cycle).
- **This, last and next week** are weeks of the cut above: this week contains ``as_of`` and is counted up to
  it; last week is the one before (in week 1, the previous quarter's week 13); next week the one after (in
  week 13, the next quarter's week 1), however many days they have. Next week is *expected*, as known on
  ``as_of``: shipments are the orders booked by ``as_of`` whose promised delivery date falls next week and not
  shipped by ``as_of``; cash is the orders invoiced by ``as_of`` whose payment due date falls next week and not
  paid by ``as_of``. Invoices already past due are not expected next week: the orders waiting count them. Invoices
  due later this week, after ``as_of``, are neither expected next week nor past due yet: they wait among the orders
  invoiced, not paid (next week is the week after this one, whatever this week has left).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, FromClause, Integer, Select, and_, case, func, literal_column, or_, select, union_all

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import read_frame
from data_layer.filters import FACTS, Filters, Period, add_months, fiscal_quarter_label, fiscal_quarter_start, week_start
from metrics.base import (
    CENT,
    TOTAL,
    Context,
    Grouping,
    Metric,
    group_column,
    grouped,
    groupings_for,
    in_period,
    not_applicable_for,
    scoped,
)
from metrics.money import converted, rate_join
from metrics.sql import QUANTILES, bool_sum, days_between, distribution
from metrics.targets import ScopeAttainment, projection, scope_attainment

FACT = FACTS["sales_order"]
#: Weeks in a quarter: a 14th, partial week is folded into the 13th.
WEEKS = 13
#: The four steps counted each week, and the date each is read from.
FLOWS: tuple[str, ...] = ("booked", "shipped", "invoiced", "collected")
FLOW_DATES = {"booked": "order_date", "shipped": "shipped_date", "invoiced": "invoiced_date", "collected": "cash_collected_date"}
#: What next week's expectations stand beside in the Monday view.
EXPECTED = {"shipped": "shipments", "collected": "cash"}
#: The steps an order can wait at, in order.
STEPS: tuple[str, ...] = ("booked_not_shipped", "shipped_not_invoiced", "invoiced_not_paid")
STATISTICS: tuple[str, ...] = ("n", *QUANTILES, "mean")
ZERO = Decimal("0.00")

WEEK_COLUMNS = ["week", "start", "end", "days", "status"]
FLOW_PARTS = ("orders", "amount", "unpriced", "credit_notes")
WEEKLY_COLUMNS = WEEK_COLUMNS + [f"{flow}_{part}" for flow in FLOWS for part in FLOW_PARTS]
#: The Monday table's weeks, in order.
MONDAY_WEEKS: tuple[str, ...] = ("last", "this", "next")
MONDAY_COLUMNS = (
    ["step"] + [f"{when}_week_{part}" for when in MONDAY_WEEKS for part in ("orders", "amount")]
    + [f"{when}_week_unpriced" for when in MONDAY_WEEKS]
)
EXPECTED_COLUMNS = ["expected", "week", "start", "end", "orders", "amount", "unpriced"]
WAITING_COLUMNS = ["step", "orders", "amount", "unpriced", "past_due_orders", "past_due_amount", "past_due_unpriced"]
WAITING_LIST_COLUMNS = ["step", "orders", "amount", "unpriced"]
PROJECTION_COLUMNS = ["quarter", "start", "end", "closed", "weighted_open", "projected"]
OUTLOOK_COLUMNS = PROJECTION_COLUMNS + ["target", "attainment", "pace", "projected_attainment"]


# --- The 13 weeks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterWeek:
    """One week of a fiscal quarter: ``number`` 1–13, first and last day inclusive, and the quarter's label."""

    number: int
    start: date
    end: date
    quarter: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """``FY2022 Q1 W13``."""
        return f"{self.quarter} W{self.number}"


def quarter_period(day: date, cal: Calendar) -> Period:
    """The fiscal quarter containing ``day``, as a filter period (weekly grain)."""
    start = fiscal_quarter_start(day, cal)
    return Period(start, add_months(start, 3) - timedelta(days=1), "week", "quarter")


def quarter_weeks(day: date, cal: Calendar) -> tuple[QuarterWeek, ...]:
    """The fiscal quarter containing ``day`` cut into weeks 1–13 at ``cal.week_start`` (see the module's docstring):
    week 1 from the quarter's first day to the end of its calendar week, weeks 2–12 whole calendar weeks, week 13
    from its week start to the quarter's last day (a 14th, partial week folded into it)."""
    quarter = quarter_period(day, cal)
    label = fiscal_quarter_label(quarter.start, cal)
    weeks: list[QuarterWeek] = []
    start = quarter.start
    while len(weeks) < WEEKS:
        last = len(weeks) == WEEKS - 1
        end = quarter.end if last else min(week_start(start, cal) + timedelta(days=6), quarter.end)
        weeks.append(QuarterWeek(len(weeks) + 1, start, end, label))
        start = end + timedelta(days=1)
    return tuple(weeks)


def week_of(day: date, cal: Calendar) -> QuarterWeek:
    """The week of its quarter that contains ``day``."""
    return next(w for w in quarter_weeks(day, cal) if w.start <= day <= w.end)


def monday_weeks(as_of: date, cal: Calendar) -> tuple[QuarterWeek, QuarterWeek, QuarterWeek]:
    """Last week, this week (the one containing ``as_of``) and next week, across quarter ends."""
    this = week_of(as_of, cal)
    last = week_of(this.start - timedelta(days=1), cal)
    upcoming = week_of(this.end + timedelta(days=1), cal)
    return last, this, upcoming


def _status(week: QuarterWeek, as_of: date) -> str:
    return "future" if week.start > as_of else "current" if week.end >= as_of else "past"


def _week_row(week: QuarterWeek, as_of: date) -> dict[str, object]:
    return {"week": week.number, "start": week.start, "end": week.end, "days": week.days, "status": _status(week, as_of)}


# --- Query building blocks ------------------------------------------------------------------------------


def _week_position(column: ColumnElement[Any], weeks: Sequence[QuarterWeek]) -> ColumnElement[int]:
    """The 0-based position in ``weeks`` (contiguous, in order) of a date the caller keeps within them: a CASE
    over bounds computed in Python, so weeks follow the company calendar on every backend."""
    if len(weeks) == 1:
        return literal_column("0", Integer())
    return case(*[(column <= w.end, i) for i, w in enumerate(weeks[:-1])], else_=len(weeks) - 1)


def _check_contiguous(weeks: Sequence[QuarterWeek]) -> None:
    if not weeks or any(b.start != a.end + timedelta(days=1) for a, b in zip(weeks, weeks[1:])):
        raise ValueError(f"weeks must follow one another without a gap: {weeks}")


def _priced(ctx: Context) -> tuple[FromClause, ColumnElement[Any]]:
    """The orders joined to the rate of their order date, and each order's amount in the reporting currency
    (rounded to the cent; NULL with no amount or no rate)."""
    o = FACT.table
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    return joined, converted(o.c.amount, rate)


def _is_order() -> ColumnElement[bool]:
    """Not a credit note: an amount of zero or more, or none at all."""
    o = FACT.table
    return or_(o.c.amount.is_(None), o.c.amount >= 0)


def _by(column: ColumnElement[Any], on: date) -> ColumnElement[bool]:
    """The step happened on or before ``on``."""
    return column <= on


def _not_by(column: ColumnElement[Any], on: date) -> ColumnElement[bool]:
    """The step had not happened by ``on``: no date, or a later one."""
    return or_(column.is_(None), column > on)


def _booked_by(on: date) -> ColumnElement[bool]:
    """The order exists on ``on``: booked on or before it."""
    return FACT.table.c.order_date <= on


def _total(condition: ColumnElement[bool], amount: ColumnElement[Any]) -> ColumnElement[Any]:
    # Rounded once more: SQLite adds the per-order cents as doubles.
    return func.round(func.sum(case((condition, amount))), 2)


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _money(value: object) -> Decimal:
    return ZERO if _is_missing(value) else Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _count(value: object) -> int:
    return 0 if _is_missing(value) else int(Decimal(str(value)))


# --- Each week's flows ------------------------------------------------------------------------------------


def flows_select(ctx: Context, flt: Filters, weeks: Sequence[QuarterWeek]) -> Select:
    """One statement for the four flows over ``weeks`` (contiguous), up to ``ctx.as_of``, of the orders booked by then:
    columns ``flow`` (index into :data:`FLOWS`), ``week`` (0-based position in ``weeks``), ``orders`` (credit notes not
    counted), ``amount`` (net, reporting currency), ``unpriced`` and ``credit_notes``; a row per flow and week with any
    step in it."""
    _check_contiguous(weeks)
    o = FACT.table
    lo, hi = weeks[0].start, min(weeks[-1].end, ctx.as_of)
    parts = []
    for i, flow in enumerate(FLOWS):
        joined, amount = _priced(ctx)
        day = o.c[FLOW_DATES[flow]]
        parts.append(
            select(
                literal_column(str(i), Integer()).label("flow"),
                _week_position(day, weeks).label("week"),
                amount.label("amount"),
                case((_is_order(), 1), else_=0).label("is_order"),
            )
            .select_from(joined)
            # Every step, not just the booking: an order booked after as_of does not exist yet, even when billed in advance.
            .where(day >= lo, day <= hi, _booked_by(ctx.as_of), *scoped(FACT, ctx, flt))
        )
    # The week is computed per row below and grouped by as a plain column, never as an expression with parameters.
    steps = union_all(*parts).subquery("l2c_steps")
    return select(
        steps.c.flow,
        steps.c.week,
        bool_sum(steps.c.is_order == 1).label("orders"),
        func.round(func.sum(steps.c.amount), 2).label("amount"),
        bool_sum(steps.c.amount.is_(None)).label("unpriced"),
        bool_sum(steps.c.is_order == 0).label("credit_notes"),
    ).group_by(steps.c.flow, steps.c.week)


_NO_FLOW = (0, ZERO, 0, 0)


def _flow_values(ctx: Context, flt: Filters, weeks: Sequence[QuarterWeek]) -> dict[tuple[str, int], tuple[int, Decimal, int, int]]:
    """(flow, position in ``weeks``) → (orders, amount, unpriced, credit notes), for the weeks and flows with any step."""
    if weeks[0].start > ctx.as_of:
        scoped(FACT, ctx, flt)  # an empty scope still refuses, even with nothing to read
        return {}
    frame = read_frame(ctx.engine, flows_select(ctx, flt, weeks))
    return {
        (FLOWS[int(r["flow"])], int(r["week"])): (_count(r["orders"]), _money(r["amount"]), _count(r["unpriced"]), _count(r["credit_notes"]))
        for r in frame.to_dict("records")
    }


def weekly_flows(ctx: Context, flt: Filters) -> pd.DataFrame:
    """Each week of the quarter containing ``ctx.as_of``, in one query: ``week`` (1–13), ``start``, ``end``, ``days``,
    ``status`` (past, current or future against ``as_of``), and for each of booked, shipped, invoiced and collected:
    ``<flow>_orders`` (int; credit notes not counted), ``<flow>_amount`` (Decimal, reporting currency, credit notes
    netted), ``<flow>_unpriced`` (records left out of the amount: no amount, or no rate on the order date) and
    ``<flow>_credit_notes`` (netted in the amount, not counted as orders: the records behind the figure are
    ``orders + credit_notes``). Steps after ``as_of``, and every step of an order booked after it, count nothing."""
    weeks = quarter_weeks(ctx.as_of, ctx.calendar)
    values = _flow_values(ctx, flt, weeks)
    rows = []
    for i, week in enumerate(weeks):
        row: dict[str, object] = _week_row(week, ctx.as_of)
        for flow in FLOWS:
            row.update({f"{flow}_{part}": v for part, v in zip(FLOW_PARTS, values.get((flow, i), _NO_FLOW), strict=True)})
        rows.append(row)
    return pd.DataFrame(rows, columns=WEEKLY_COLUMNS)


# --- Next week, expected ------------------------------------------------------------------------------------


def _expectations(ctx: Context, week: QuarterWeek) -> dict[str, ColumnElement[bool]]:
    o = FACT.table
    on = ctx.as_of
    return {
        "shipments": and_(
            o.c.promised_delivery_date >= week.start, o.c.promised_delivery_date <= week.end, _not_by(o.c.shipped_date, on)
        ),
        "cash": and_(
            o.c.payment_due_date >= week.start,
            o.c.payment_due_date <= week.end,
            _by(o.c.invoiced_date, on),
            _not_by(o.c.cash_collected_date, on),
        ),
    }


def expected_select(ctx: Context, flt: Filters, week: QuarterWeek) -> Select:
    """One row: ``<kind>_orders``, ``<kind>_amount`` and ``<kind>_unpriced`` for kind shipments and cash expected in ``week``,
    as known on ``ctx.as_of`` (orders booked by then; credit notes left out)."""
    joined, amount = _priced(ctx)
    expect = _expectations(ctx, week)
    columns: list[ColumnElement[Any]] = []
    for kind, condition in expect.items():
        columns += [
            bool_sum(condition).label(f"{kind}_orders"),
            _total(condition, amount).label(f"{kind}_amount"),
            bool_sum(and_(condition, amount.is_(None))).label(f"{kind}_unpriced"),
        ]
    return (
        select(*columns)
        .select_from(joined)
        .where(_booked_by(ctx.as_of), _is_order(), or_(*expect.values()), *scoped(FACT, ctx, flt))
    )


def _expected_values(ctx: Context, flt: Filters, week: QuarterWeek) -> dict[str, tuple[int, Decimal, int]]:
    row = read_frame(ctx.engine, expected_select(ctx, flt, week)).iloc[0]
    return {
        kind: (_count(row[f"{kind}_orders"]), _money(row[f"{kind}_amount"]), _count(row[f"{kind}_unpriced"]))
        for kind in ("shipments", "cash")
    }


def expected_next_week(ctx: Context, flt: Filters) -> pd.DataFrame:
    """Next week's expected shipments and cash, as known on ``ctx.as_of``, in one query: ``expected`` (shipments, cash),
    ``week`` (its label, e.g. ``FY2022 Q2 W1``), ``start``, ``end``, ``orders``, ``amount`` and ``unpriced``."""
    week = monday_weeks(ctx.as_of, ctx.calendar)[2]
    values = _expected_values(ctx, flt, week)
    return pd.DataFrame(
        [
            {"expected": kind, "week": week.label, "start": week.start, "end": week.end, "orders": o, "amount": a, "unpriced": u}
            for kind, (o, a, u) in values.items()
        ],
        columns=EXPECTED_COLUMNS,
    )


# --- This week, last week, next week ---------------------------------------------------------------------


def monday_view(ctx: Context, flt: Filters) -> pd.DataFrame:
    """The Monday meeting's table, in two queries: one row per step (booked, shipped, invoiced, collected) with
    ``last_week_orders``/``_amount``, ``this_week_orders``/``_amount`` (to ``as_of``) and ``next_week_orders``/``_amount``
    — expected shipments beside shipped, expected cash beside collected, None beside booked and invoiced — and
    ``last_week_unpriced``, ``this_week_unpriced`` and ``next_week_unpriced``: the orders counted there but left out of
    the amount (no amount, or no rate on the order date). The weeks are :func:`monday_weeks`."""
    last, this, upcoming = monday_weeks(ctx.as_of, ctx.calendar)
    values = _flow_values(ctx, flt, (last, this))
    expected = _expected_values(ctx, flt, upcoming)
    rows = []
    for flow in FLOWS:
        ahead = expected.get(EXPECTED.get(flow, ""))
        weeks = {"last": values.get((flow, 0), _NO_FLOW)[:3], "this": values.get((flow, 1), _NO_FLOW)[:3], "next": ahead}
        row: dict[str, object] = {"step": flow}
        for when, figures in weeks.items():
            for part, value in zip(("orders", "amount", "unpriced"), figures or (None, None, None), strict=True):
                row[f"{when}_week_{part}"] = value
        rows.append(row)
    # Object columns, so that "no value" stays None rather than turning the counts into NaN floats.
    return pd.DataFrame(rows, columns=MONDAY_COLUMNS, dtype=object)


# --- Projection to quarter end -------------------------------------------------------------------------------


def quarter_projection(ctx: Context, flt: Filters) -> pd.DataFrame:
    """Booked revenue projected to the end of the quarter containing ``ctx.as_of``: :func:`metrics.targets.projection`
    (the attainment and pipeline views' own) over the quarter. One row: ``quarter`` (label), ``start``, ``end``,
    ``closed`` (booked to date), ``weighted_open`` (None once the quarter is over) and ``projected``."""
    quarter = quarter_period(ctx.as_of, ctx.calendar)
    frame = projection(ctx, flt.with_period(quarter), "revenue")
    frame.insert(0, "quarter", fiscal_quarter_label(quarter.start, ctx.calendar))
    frame.insert(1, "start", quarter.start)
    frame.insert(2, "end", quarter.end)
    return frame[PROJECTION_COLUMNS]


def projection_against_target(ctx: Context, flt: Filters) -> pd.DataFrame:
    """:func:`quarter_projection` and :func:`quarter_target` in one row, as the view shows and downloads them: the
    projection's columns, then ``target``, ``attainment`` (booked ÷ target), ``pace`` and ``projected_attainment``
    (all None where no target applies)."""
    row = quarter_projection(ctx, flt).iloc[0].to_dict()
    got = quarter_target(ctx, flt)
    for column in OUTLOOK_COLUMNS[len(PROJECTION_COLUMNS):]:
        row[column] = None if got is None else getattr(got, column)
    return pd.DataFrame([row], columns=OUTLOOK_COLUMNS, dtype=object)


# --- Days from order to cash ------------------------------------------------------------------------------------


def _days_to_cash(ctx: Context, flt: Filters, when: Sequence[ColumnElement[bool]], group: ColumnElement[Any] | None) -> Select:
    """The distribution of whole days from order date to cash-collected date over the orders (not credit notes)
    booked by ``ctx.as_of`` and satisfying ``when``, split by ``group``."""
    o = FACT.table
    columns = [days_between(o.c.cash_collected_date, o.c.order_date).label("days")]
    if group is not None:
        columns.append(group.label("cash_group"))
    # The group is computed once per order in a subquery, so the percentiles partition by a plain column.
    paid = select(*columns).where(*when, _booked_by(ctx.as_of), _is_order(), *scoped(FACT, ctx, flt)).subquery("paid_orders")
    return distribution(paid.c.days, group=None if group is None else paid.c.cash_group)


def order_to_cash_select(ctx: Context, flt: Filters, grouping: Grouping = TOTAL) -> Select:
    """``group`` (when grouped), ``n``, ``p25``, ``median``, ``p75``, ``p90`` and ``mean`` of the days from order to
    cash of the orders paid in ``flt.period`` up to ``ctx.as_of``."""
    o = FACT.table
    paid = o.c.cash_collected_date
    group = group_column(grouping, ctx, flt, date=paid, unit=o.c.unit_id, timestamp=False, fact=FACT)
    when = (in_period(paid, flt.period, ctx.calendar, timestamp=False), paid <= ctx.as_of)
    return _days_to_cash(ctx, flt, when, group)


def quarter_order_to_cash_select(ctx: Context, flt: Filters, *, by_week: bool = False) -> Select:
    """:func:`order_to_cash_select` over the quarter containing ``ctx.as_of`` up to it; by week of payment
    (``group``: 0-based week) with ``by_week``."""
    o = FACT.table
    weeks = quarter_weeks(ctx.as_of, ctx.calendar)
    paid = o.c.cash_collected_date
    when = (paid >= weeks[0].start, paid <= min(weeks[-1].end, ctx.as_of))
    return _days_to_cash(ctx, flt, when, _week_position(paid, weeks) if by_week else None)


def _statistics(record: dict[str, Any] | None) -> dict[str, Any]:
    if record is None:
        return {"n": 0, **dict.fromkeys(STATISTICS[1:])}
    out: dict[str, Any] = {"n": _count(record["n"])}
    out.update({k: None if _is_missing(record[k]) else float(record[k]) for k in STATISTICS[1:]})
    return out


def order_to_cash_days(ctx: Context, flt: Filters) -> pd.DataFrame:
    """Days from order to cash over the quarter containing ``ctx.as_of``, to date, in one query. One row: ``n`` (int),
    ``p25``, ``median``, ``p75``, ``p90`` and ``mean`` (floats; None when no order was paid)."""
    frame = read_frame(ctx.engine, quarter_order_to_cash_select(ctx, flt))
    return pd.DataFrame([_statistics(frame.to_dict("records")[0])], columns=list(STATISTICS), dtype=object)


def order_to_cash_trend(ctx: Context, flt: Filters) -> pd.DataFrame:
    """Days from order to cash per week of payment in the quarter containing ``ctx.as_of``, in one query: ``week``,
    ``start``, ``end``, ``days``, ``status`` and the statistics of :func:`order_to_cash_days` (``n`` 0 and the rest None
    in a week with no payment)."""
    weeks = quarter_weeks(ctx.as_of, ctx.calendar)
    frame = read_frame(ctx.engine, quarter_order_to_cash_select(ctx, flt, by_week=True))
    by_week = {int(r["group"]): r for r in frame.to_dict("records") if not _is_missing(r["group"])}
    rows = [
        {**_week_row(w, ctx.as_of), **_statistics(by_week.get(i))} for i, w in enumerate(weeks)
    ]
    return pd.DataFrame(rows, columns=WEEK_COLUMNS + list(STATISTICS), dtype=object)


# --- Orders waiting at each step ---------------------------------------------------------------------------------


def _waits(on: date) -> dict[str, ColumnElement[bool]]:
    """Where an order waits on ``on``: each step of :data:`STEPS`, and ``past_due`` (invoiced not paid, due before ``on``).
    Shared by the counts and the records behind them, so both select the same orders."""
    o = FACT.table
    waits = {
        "booked_not_shipped": _not_by(o.c.shipped_date, on),
        "shipped_not_invoiced": and_(_by(o.c.shipped_date, on), _not_by(o.c.invoiced_date, on)),
        "invoiced_not_paid": and_(_by(o.c.invoiced_date, on), _not_by(o.c.cash_collected_date, on)),
    }
    waits["past_due"] = and_(waits["invoiced_not_paid"], o.c.payment_due_date < on)
    return waits


def waiting_select(ctx: Context, flt: Filters, on: date, grouping: Grouping = TOTAL) -> Select:
    """One statement (a row per group): for each step of :data:`STEPS`, ``<step>_orders``, ``<step>_amount`` and
    ``<step>_unpriced`` of the orders booked by ``on`` (credit notes left out) waiting there on ``on``; and
    ``past_due_orders``, ``past_due_amount`` and ``past_due_unpriced``: invoiced not paid with a payment due date
    before ``on``."""
    o = FACT.table
    joined, amount = _priced(ctx)
    waits = _waits(on)
    past_due = waits.pop("past_due")
    columns: list[ColumnElement[Any]] = []
    for step, condition in waits.items():
        columns += [
            bool_sum(condition).label(f"{step}_orders"),
            _total(condition, amount).label(f"{step}_amount"),
            bool_sum(and_(condition, amount.is_(None))).label(f"{step}_unpriced"),
        ]
    columns += [
        bool_sum(past_due).label("past_due_orders"),
        _total(past_due, amount).label("past_due_amount"),
        bool_sum(and_(past_due, amount.is_(None))).label("past_due_unpriced"),
    ]
    group = group_column(grouping, ctx, flt, date=o.c.order_date, unit=o.c.unit_id, timestamp=False, fact=FACT)
    stmt = (
        select(*columns)
        .select_from(joined)
        .where(_booked_by(on), _is_order(), or_(*waits.values()), *scoped(FACT, ctx, flt))
    )
    return grouped(stmt, group)


def waiting(ctx: Context, flt: Filters) -> pd.DataFrame:
    """Orders waiting at each step as of ``ctx.as_of``, in one query: ``step`` (:data:`STEPS`), ``orders`` (int),
    ``amount`` (Decimal), ``unpriced``, and ``past_due_orders``/``past_due_amount``/``past_due_unpriced`` on the
    invoiced-not-paid row (None on the others). Orders booked in any quarter count."""
    row = read_frame(ctx.engine, waiting_select(ctx, flt, ctx.as_of)).iloc[0]
    rows = []
    for step in STEPS:
        due = step == "invoiced_not_paid"
        rows.append(
            {
                "step": step,
                "orders": _count(row[f"{step}_orders"]),
                "amount": _money(row[f"{step}_amount"]),
                "unpriced": _count(row[f"{step}_unpriced"]),
                "past_due_orders": _count(row["past_due_orders"]) if due else None,
                "past_due_amount": _money(row["past_due_amount"]) if due else None,
                "past_due_unpriced": _count(row["past_due_unpriced"]) if due else None,
            }
        )
    return pd.DataFrame(rows, columns=WAITING_COLUMNS, dtype=object)


def waiting_lists(ctx: Context, flt: Filters) -> pd.DataFrame:
    """:func:`waiting` as the lists of orders the view shows, in one query: a row per list of :data:`WAITING_LISTS`
    (the three steps, then the past-due invoices among the unpaid), each with ``step``, ``orders``, ``amount`` and
    ``unpriced`` (counted, not in the amount) — the figures :func:`waiting_records` lists the orders of."""
    frame = waiting(ctx, flt).set_index("step")
    rows = [{"step": s, **{c: frame.loc[s, c] for c in WAITING_LIST_COLUMNS[1:]}} for s in STEPS]
    unpaid = frame.loc["invoiced_not_paid"]
    rows.append({"step": "past_due", **{c: unpaid[f"past_due_{c}"] for c in WAITING_LIST_COLUMNS[1:]}})
    return pd.DataFrame(rows, columns=WAITING_LIST_COLUMNS, dtype=object)


#: What the orders waiting can be listed by: a step of :data:`STEPS`, or the past-due invoices among the unpaid.
WAITING_LISTS: tuple[str, ...] = (*STEPS, "past_due")
#: The date each list's wait is counted from: the step's own start, or the payment due date for past due.
WAITING_SINCE = {
    "booked_not_shipped": "order_date",
    "shipped_not_invoiced": "shipped_date",
    "invoiced_not_paid": "invoiced_date",
    "past_due": "payment_due_date",
}
WAITING_RECORD_DATES = ("order_date", "shipped_date", "invoiced_date", "payment_due_date")
FLOW_RECORD_DATES = ("order_date", "shipped_date", "invoiced_date", "cash_collected_date")
RECORD_COLUMNS = [
    "order_id", "order_number", "account", "unit", "rep", "order_date", "shipped_date", "invoiced_date", "payment_due_date",
    "days_waiting", "amount", "currency", "order_amount",
]


def _records_select(ctx: Context, dates: Sequence[str], where: Sequence[ColumnElement[bool]], limit: int) -> Select:
    """The orders satisfying ``where`` with their account, rep, ``dates`` and amounts (reporting currency, and as
    booked), largest amount first (unpriced last), then oldest order; at most ``limit``, each with ``total`` (all rows)."""
    o, a, r = FACT.table, schema.account, schema.rep
    joined, amount = _priced(ctx)
    joined = joined.outerjoin(a, a.c.account_id == o.c.account_id).outerjoin(r, r.c.rep_id == o.c.rep_id)
    return (
        select(
            o.c.order_id, o.c.order_number, a.c.name.label("account"), o.c.unit_id, r.c.name.label("rep"), *[o.c[k] for k in dates],
            amount.label("amount"), o.c.currency, o.c.amount.label("order_amount"), func.count().over().label("total"),
        )
        .select_from(joined)
        .where(*where)
        .order_by(case((amount.is_(None), 1), else_=0), amount.desc(), o.c.order_date, o.c.order_id)
        .limit(limit)
    )


def waiting_records_select(ctx: Context, flt: Filters, step: str, limit: int) -> Select:
    """The orders behind one figure of :func:`waiting` (``step``: one of :data:`WAITING_LISTS`), largest amount in the
    reporting currency first (unpriced last), then oldest order; at most ``limit`` rows, each with ``total`` (all rows)."""
    if step not in WAITING_LISTS:
        raise ValueError(f"unknown waiting step {step!r}; expected one of {', '.join(WAITING_LISTS)}")
    on = ctx.as_of
    # The conditions of waiting_select, exactly: booked by the day, not a credit note, in scope, waiting there.
    return _records_select(ctx, WAITING_RECORD_DATES, (_booked_by(on), _is_order(), _waits(on)[step], *scoped(FACT, ctx, flt)), limit)


def _day(value: object) -> date | None:
    if _is_missing(value):
        return None
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else pd.Timestamp(value).date()  # type: ignore[arg-type]


def _records(ctx: Context, stmt: Select, dates: Sequence[str], columns: Sequence[str], more: Any) -> tuple[pd.DataFrame, int]:
    """The rows of a records statement (with ``total``), as the view lists them: ids, names and ``unit`` code, the
    ``dates`` as dates, the amount in the reporting currency and as booked (None when missing), and what ``more``
    (record, its dates) adds."""
    frame = read_frame(ctx.engine, stmt)
    total = _count(frame["total"].iloc[0]) if len(frame) else 0
    rows = []
    for rec in frame.to_dict("records"):
        unit = None if _is_missing(rec["unit_id"]) else ctx.org.by_id(int(rec["unit_id"]))
        days = {k: _day(rec[k]) for k in dates}
        rows.append(
            {
                "order_id": int(rec["order_id"]),
                **{k: None if _is_missing(rec[k]) else str(rec[k]) for k in ("order_number", "account", "rep")},
                "unit": unit.code if unit else None,
                **days,
                "amount": None if _is_missing(rec["amount"]) else _money(rec["amount"]),
                "currency": rec["currency"],
                "order_amount": None if _is_missing(rec["order_amount"]) else _money(rec["order_amount"]),
                **more(rec, days),
            }
        )
    return pd.DataFrame(rows, columns=list(columns), dtype=object), total


def waiting_records(ctx: Context, flt: Filters, step: str, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """The orders waiting at ``step`` (one of :data:`WAITING_LISTS`) on ``ctx.as_of`` — the very orders :func:`waiting`
    counts and sums there, under the same scope and filters — largest amount first; at most ``limit``, and how many
    there are in all.

    Columns: ``order_id``, ``order_number``, ``account`` (name), ``unit`` (code), ``rep`` (name), ``order_date``,
    ``shipped_date``, ``invoiced_date``, ``payment_due_date`` (dates or None), ``days_waiting`` (whole days from the
    date the wait began — :data:`WAITING_SINCE` — to the as-of day; for past due, the days overdue), ``amount``
    (Decimal in the reporting currency at the order date's rate, None when unpriced), ``currency`` and ``order_amount``
    (the amount as booked, in its own currency)."""

    def since(_rec: dict[str, Any], days: dict[str, date | None]) -> dict[str, object]:
        start = days[WAITING_SINCE[step]]
        return {"days_waiting": None if start is None else (ctx.as_of - start).days}

    return _records(ctx, waiting_records_select(ctx, flt, step, limit), WAITING_RECORD_DATES, RECORD_COLUMNS, since)


FLOW_RECORD_COLUMNS = [
    "order_id", "order_number", "account", "unit", "rep", "order_date", "shipped_date", "invoiced_date", "cash_collected_date",
    "credit_note", "amount", "currency", "order_amount",
]


def flow_records_select(ctx: Context, flt: Filters, flow: str, week: QuarterWeek, limit: int) -> Select:
    """The records behind one figure of :func:`weekly_flows`: ``flow`` (one of :data:`FLOWS`) in ``week``, up to
    ``ctx.as_of``, credit notes included (their amounts are netted there); largest amount first (unpriced last), then
    order date; at most ``limit`` rows, each with ``total`` (all rows)."""
    if flow not in FLOWS:
        raise ValueError(f"unknown step {flow!r}; expected one of {', '.join(FLOWS)}")
    day = FACT.table.c[FLOW_DATES[flow]]
    # The conditions of flows_select, exactly: the step's date in the week up to as_of, the order booked by as_of, in scope.
    where = (day >= week.start, day <= min(week.end, ctx.as_of), _booked_by(ctx.as_of), *scoped(FACT, ctx, flt))
    return _records_select(ctx, FLOW_RECORD_DATES, where, limit)


def flow_records(ctx: Context, flt: Filters, flow: str, week: int, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """The orders behind ``flow`` in week ``week`` (1–13) of the quarter containing ``ctx.as_of`` — the very records
    :func:`weekly_flows` counts and sums there, credit notes included (``credit_note`` True: netted in the amount, not
    counted as orders) — largest amount first; at most ``limit``, and how many there are in all.

    Columns: ``order_id``, ``order_number``, ``account``, ``unit`` (code), ``rep``, ``order_date``, ``shipped_date``,
    ``invoiced_date``, ``cash_collected_date``, ``credit_note``, ``amount`` (Decimal, reporting currency at the order
    date's rate; None when unpriced), ``currency`` and ``order_amount`` (as booked)."""
    weeks = quarter_weeks(ctx.as_of, ctx.calendar)
    if not 1 <= week <= len(weeks):
        raise ValueError(f"week must be 1–{len(weeks)}, not {week}")
    chosen = weeks[week - 1]
    if chosen.start > ctx.as_of:
        scoped(FACT, ctx, flt)  # an empty scope still refuses, even with nothing to read
        return pd.DataFrame(columns=FLOW_RECORD_COLUMNS, dtype=object), 0
    credit = lambda rec, _days: {"credit_note": _money(rec["order_amount"]) < 0}  # noqa: E731 - no amount is no credit note
    return _records(ctx, flow_records_select(ctx, flt, flow, chosen, limit), FLOW_RECORD_DATES, FLOW_RECORD_COLUMNS, credit)


# --- The quarter's revenue target ------------------------------------------------------------------------------


def quarter_target(ctx: Context, flt: Filters) -> ScopeAttainment | None:
    """The view's revenue target for the quarter containing ``ctx.as_of`` (:func:`metrics.targets.scope_attainment` over
    that quarter: the filtered unit's, or the viewer's top units' summed), with what is booked so far, the pace and the
    projection against it; None where no target applies (a unit in view without one, or a business-unit, product,
    segment or source filter, which targets do not carry)."""
    return scope_attainment(ctx, "revenue", flt.with_period(quarter_period(ctx.as_of, ctx.calendar)))


# --- Every statement, for the dialect checks ----------------------------------------------------------------------


def statements(ctx: Context, flt: Filters) -> dict[str, Select]:
    """Every statement this module sends for ``ctx`` and ``flt`` (the projection's are :mod:`metrics.targets`'),
    by name: built, not run."""
    weeks = quarter_weeks(ctx.as_of, ctx.calendar)
    last, this, upcoming = monday_weeks(ctx.as_of, ctx.calendar)
    out = {
        "weekly_flows": flows_select(ctx, flt, weeks),
        "monday_flows": flows_select(ctx, flt, (last, this)),
        "expected_next_week": expected_select(ctx, flt, upcoming),
        "waiting": waiting_select(ctx, flt, ctx.as_of),
        "order_to_cash_days": quarter_order_to_cash_select(ctx, flt),
        "order_to_cash_trend": quarter_order_to_cash_select(ctx, flt, by_week=True),
        **{f"waiting_records:{step}": waiting_records_select(ctx, flt, step, 200) for step in WAITING_LISTS},
        **{f"flow_records:{flow}": flow_records_select(ctx, flt, flow, this, 200) for flow in FLOWS},
    }
    for metric in METRICS:
        for by in (None, *sorted(metric.groupings)):
            try:
                out[f"{metric.key}:{by or 'total'}"] = metric.query(ctx, flt, Grouping(by))  # type: ignore[arg-type]
            except NotImplementedError:  # the orders waiting have no trend: nothing is sent
                continue
    return out


# --- Definitions ------------------------------------------------------------------------------------------------

_WEEKS_EN = (
    "The fiscal quarter (from the calendar's fiscal-year start month) is cut into weeks 1–13 at the company's week "
    "start: week 1 runs from the quarter's first day to the day before the next week start, so it is shorter than "
    "seven days when the quarter does not begin on the week start; weeks 2–12 are whole calendar weeks; week 13 runs "
    "from its week start to the quarter's last day — shorter than seven days when the quarter ends first, and longer "
    "(up to 14 days) when the calendar would leave a 14th, partial week, whose days are folded into week 13. Every "
    "quarter has exactly 13 weeks; each week shows its number of days."
)
_WEEKS_ZH = (
    "财季（按日历的财年起始月）从公司设定的每周起始日切分为第 1–13 周：第 1 周从财季首日到下一个周起始日的前一天，"
    "财季不从周起始日开始时不足七天；第 2–12 周为完整的日历周；第 13 周从其周起始日到财季最后一天——财季提前结束时不足七天，"
    "日历会多出第 14 个不完整周时，这几天并入第 13 周（最长 14 天）。每个财季恰好 13 周，并显示每周的天数。"
)
_MONEY_EN = (
    "Amounts are in the reporting currency at the exchange rate of the order's order date, whatever the step, rounded "
    "to the cent per order; orders with no amount, or in a currency with no rate that day, are counted but add nothing "
    "to the amounts (shown as unpriced). Credited to the unit, business unit and product stored on the order. "
)
_MONEY_ZH = (
    "金额按订单下单日的汇率折算为报告货币（无论统计哪个环节），每笔订单四舍五入到分；无金额或当日无汇率的订单计入笔数，"
    "但不计入金额（显示为未定价）。计入订单上记录的组织单元、经营单元和产品。"
)
_CREDIT_EN = (
    "Credit notes (negative amounts) are netted in the amounts but never counted as orders, so the quarter's booked "
    "amount equals its revenue. "
)
_CREDIT_ZH = "贷项（负金额）在金额中冲抵，但不计为订单笔数，因此财季的签约金额等于其收入。"
_WAITING_EN = (
    "Orders waiting at each step on the day, among the orders booked by then (credit notes left out, orders booked in "
    "any earlier quarter included): booked not shipped = no shipped date on or before the day; shipped not invoiced = "
    "shipped by then and no invoiced date on or before it; invoiced not paid = invoiced by then and no cash-collected "
    "date on or before it. Each step reads its own two dates, so an order invoiced before it ships waits both for its "
    "shipment and for its cash. Past due: invoiced not paid with a payment due date before the day (due that very day "
    "is not yet late; an invoice with no due date is never past due). "
)
_WAITING_ZH = (
    "当天在各环节等待的订单，范围为截至当天已签约的订单（不含贷项，包括此前任何财季签约的订单）：已签约未发货 = 当天及以前无发货日期；"
    "已发货未开票 = 当天及以前已发货且无开票日期；已开票未回款 = 当天及以前已开票且无回款日期。每个环节只看其自身的两个日期，"
    "因此先开票后发货的订单既在等待发货，也在等待回款。逾期：已开票未回款且付款到期日早于当天（当天到期尚不算逾期；无到期日的发票从不算逾期）。"
)

_MONDAY_EN = (
    "This week is the week of the quarter containing the as-of day, counted up to it; last week is the week before (in "
    "week 1, the previous quarter's week 13); next week is the week after (in week 13, the next quarter's week 1) — "
    "weeks as cut for the quarter, however many days they have. Next week is expected, not counted: expected shipments "
    "stand beside shipped, expected cash beside collected."
)
_MONDAY_ZH = (
    "本周为包含数据日的财季周，统计到数据日；上周为其前一周（第 1 周时为上一财季的第 13 周）；下周为其后一周"
    "（第 13 周时为下一财季的第 1 周）——均按财季的周切分，无论天数多少。下周为预计值而非实际值：预计发货列在发货旁，预计回款列在回款旁。"
)
_EXPECTED_EN = (
    "Expected next week, as known on the as-of day: shipments = orders booked by the as-of day whose promised delivery "
    "date falls next week and not shipped by the as-of day; cash = orders invoiced by the as-of day whose payment due "
    "date falls next week and not paid by the as-of day. Amounts at the rate of the order date, rounded to the cent per "
    "order; credit notes left out. Invoices already past due are not expected next week: they are counted as past due "
    "among the orders waiting. Invoices falling due later this week, after the as-of day, are neither expected next "
    "week nor past due yet: they are among the orders invoiced, not paid."
)
_EXPECTED_ZH = (
    "下周预计（按数据日所知）：发货 = 截至数据日已签约、承诺交付日期在下周、且截至数据日尚未发货的订单；回款 = 截至数据日已开票、"
    "付款到期日在下周、且截至数据日尚未回款的订单。金额按下单日汇率折算，每笔四舍五入到分；不含贷项。已逾期的发票不计入下周预计，"
    "而计入等待订单中的逾期。本周晚于数据日到期的发票既不计入下周预计，也尚未逾期：它们计入已开票未回款的订单。"
)

#: The written definitions the lead-to-cash view shows, per language (the same keys in each).
DEFINITIONS: dict[str, dict[str, str]] = {
    "weeks": {"en": _WEEKS_EN, "zh": _WEEKS_ZH},
    "flows": {
        "en": "Per week of the quarter: orders booked (order date), shipped (shipped date), invoiced (invoiced date) and "
        "paid in full (cash-collected date), each counted in the week its own date falls in, up to the as-of day — a "
        "step dated later has not happened yet, and an order booked later is not counted at all, not even a shipment, "
        "invoice or payment dated earlier (billing in advance). An order invoiced before it ships is counted as invoiced "
        "that week. " + _MONEY_EN + _CREDIT_EN + _WEEKS_EN,
        "zh": "财季每周：签约（下单日期）、发货（发货日期）、开票（开票日期）和全额回款（回款日期）的订单，各按其自身日期所在的周统计，"
        "截至数据日——日期晚于数据日的环节视为尚未发生，晚于数据日签约的订单完全不计，即使其发货、开票或回款日期更早（预开票）。"
        "先开票后发货的订单在开票当周计为已开票。"
        + _MONEY_ZH + _CREDIT_ZH + _WEEKS_ZH,
    },
    "monday": {"en": _MONDAY_EN, "zh": _MONDAY_ZH},
    "expected": {"en": _EXPECTED_EN, "zh": _EXPECTED_ZH},
    # The Monday table's help: both, as one text (Chinese sentences run on without a space).
    "monday_expected": {"en": f"{_MONDAY_EN} {_EXPECTED_EN}", "zh": _MONDAY_ZH + _EXPECTED_ZH},
    "projection": {
        "en": "Projection to quarter end: the revenue booked in the quarter up to the as-of day (credit notes netted) plus "
        "Σ amount × probability of the open opportunities expected to close in the quarter — the same projection the "
        "targets and incentive views use: deals overdue within the quarter included, ones expected before it left out, "
        "amounts at the as-of day's rate, each weighted amount rounded to the cent, a deal with no probability counting "
        "zero. Once the quarter is over, the projection is what was booked.",
        "zh": "季末预测：本财季截至数据日的签约收入（贷项已冲抵）加上预计在本财季关闭的未结商机的 Σ 金额 × 赢率——与目标和激励视图使用同一预测："
        "本财季内已逾期的商机计入，预计在本财季之前关闭的不计；金额按数据日汇率折算，每笔加权金额四舍五入到分；无赢率的商机按零计。"
        "财季结束后，预测即为实际签约额。",
    },
    "order_to_cash": {
        "en": "Whole days from an order's order date to its cash-collected date (paid in full), over the orders paid in "
        "the quarter up to the as-of day and booked by then, and per week of payment: the number of orders, the 25th percentile, median, "
        "75th and 90th percentiles (linear interpolation between neighbouring orders, as percentile_cont) and the mean. "
        "Credit notes are left out; an order paid before its order date counts with negative days; orders with no "
        "amount count. " + _WEEKS_EN,
        "zh": "订单从下单日期到回款日期（全额回款）的整天数，范围为本财季截至数据日回款、且截至数据日已签约的订单，并按回款所在周统计：订单数、第 25 百分位数、"
        "中位数、第 75 和第 90 百分位数（在相邻订单之间线性插值，同 percentile_cont）以及平均值。不含贷项；下单前已回款的订单按负天数计；"
        "无金额的订单计入。" + _WEEKS_ZH,
    },
    "waiting": {"en": _WAITING_EN.replace("the day", "the as-of day"), "zh": _WAITING_ZH.replace("当天", "数据日")},
}


# --- Single KPIs --------------------------------------------------------------------------------------------------


def _cash_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    o = FACT.table
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    amount = converted(o.c.amount, rate)
    paid = o.c.cash_collected_date
    group = group_column(grouping, ctx, flt, date=paid, unit=o.c.unit_id, timestamp=False, fact=FACT)
    stmt = (
        select(
            func.sum(amount).label("numerator"),
            bool_sum(o.c.amount.is_(None)).label("orders_no_amount"),
            bool_sum(o.c.amount.is_not(None) & rate.is_(None)).label("orders_no_rate"),
        )
        .select_from(joined)
        .where(
            in_period(paid, flt.period, ctx.calendar, timestamp=False),
            paid <= ctx.as_of,
            _booked_by(ctx.as_of),
            *scoped(FACT, ctx, flt),
        )
    )
    return grouped(stmt, group)


def _median_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    stats = order_to_cash_select(ctx, flt, grouping).subquery("order_to_cash")
    columns = [stats.c.median.label("numerator")]
    if grouping.by is not None:
        columns.append(stats.c.group)
    return select(*columns)


def _waiting_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    if grouping.by == "bucket":
        # A stock on a day, not a flow over days: a trend would need one statement per bucket's end.
        raise NotImplementedError("orders waiting are measured on one day: no trend by bucket")
    # As of the period's last day, or the as-of day when that is earlier: the previous period compares with its own end.
    return waiting_select(ctx, flt, min(flt.period.end, ctx.as_of), grouping)


CASH_COLLECTED = Metric(
    key="cash_collected",
    label={"en": "Cash collected", "zh": "回款"},
    definition={
        "en": "Sum of the amounts of the orders booked by the as-of day and paid in full in the period up to it "
        "(cash-collected date), each converted to the reporting currency at the exchange rate in force on its order date "
        "and rounded to the cent, so an order's cash equals its revenue; credit notes (negative amounts) are netted, and "
        "orders with no amount, or in a currency with no rate that day, are left out. Credited to the unit, business unit "
        "and rep stored on the order.",
        "zh": "期间内截至数据日全额回款、且截至数据日已签约的订单金额之和（按回款日期），每笔按下单当日有效汇率折算为报告货币并四舍五入到分，因此一笔订单的回款等于其收入；"
        "贷项（负金额）冲抵，无金额或当日无汇率的订单不计入。计入订单上记录的组织单元、经营单元和销售。",
    },
    kind="money",
    better="up",
    query=_cash_query,
    not_applicable=not_applicable_for(FACT),
    groupings=groupings_for(FACT),
    target="cash_collected",
    periods_in_one_query=True,
    excluded=("orders_no_amount", "orders_no_rate"),
)

ORDER_TO_CASH_MEDIAN_DAYS = Metric(
    key="order_to_cash_median_days",
    label={"en": "Order to cash (median days)", "zh": "订单到回款（中位天数）"},
    definition={
        "en": "Median whole days from an order's order date to its cash-collected date (paid in full), over the orders paid "
        "in the period up to the as-of day and booked by then; the median interpolates linearly between the two middle orders "
        "(percentile_cont). Credit notes (negative amounts) are left out; an order paid before its order date counts with "
        "negative days. Credited to the unit, business unit and rep stored on the order. Not computed when no order was paid.",
        "zh": "期间内截至数据日全额回款、且截至数据日已签约的订单，从下单日期到回款日期的整天数中位数；中位数在中间两笔订单之间线性插值（percentile_cont）。"
        "贷项（负金额）不计入；下单前已回款的订单按负天数计。计入订单上记录的组织单元、经营单元和销售。期间内无回款时不计算。",
    },
    kind="days",
    better="down",
    query=_median_query,
    not_applicable=not_applicable_for(FACT),
    groupings=groupings_for(FACT),
    periods_in_one_query=True,
)

_AS_OF_EN = (
    "Measured on the period's last day, or on the as-of day when that is earlier, whatever the period's start; an "
    "earlier period it is compared with is measured on its own day as far in (the same number of days after its start). "
)
_AS_OF_ZH = "按期间最后一天计量（数据日更早时按数据日），与期间起始日无关；与之比较的之前期间按其开始后相同天数的那一天计量。"

INVOICED_NOT_PAID = Metric(
    key="invoiced_not_paid",
    label={"en": "Invoiced, not paid", "zh": "已开票未回款"},
    definition={
        "en": "Amount of the orders invoiced and not yet paid in full on the day: " + _AS_OF_EN + _WAITING_EN + _MONEY_EN,
        "zh": "当天已开票但尚未全额回款的订单金额：" + _AS_OF_ZH + _WAITING_ZH + _MONEY_ZH,
    },
    kind="money",
    better="down",
    query=_waiting_query,
    not_applicable=not_applicable_for(FACT),
    groupings=groupings_for(FACT),  # "bucket" raises NotImplementedError: no trend (the KPI card shows none)
    columns=("invoiced_not_paid_amount", "denominator"),
    read_at_as_of=True,
    excluded=("invoiced_not_paid_unpriced",),
)

INVOICES_PAST_DUE = Metric(
    key="invoices_past_due",
    label={"en": "Invoices past due", "zh": "逾期未回款发票"},
    definition={
        "en": "Number of orders invoiced, not paid in full and past their payment due date on the day: "
        + _AS_OF_EN
        + _WAITING_EN,
        "zh": "当天已开票、尚未全额回款且已过付款到期日的订单数：" + _AS_OF_ZH + _WAITING_ZH,
    },
    kind="count",
    better="down",
    query=_waiting_query,
    not_applicable=not_applicable_for(FACT),
    groupings=groupings_for(FACT),  # "bucket" raises NotImplementedError: no trend (the KPI card shows none)
    columns=("past_due_orders", "denominator"),
    read_at_as_of=True,
)

#: The single KPIs of lead to cash, for whoever registers them (:mod:`metrics.registry` is not touched here).
METRICS = (CASH_COLLECTED, ORDER_TO_CASH_MEDIAN_DAYS, INVOICED_NOT_PAID, INVOICES_PAST_DUE)
