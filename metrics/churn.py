"""Churn and retention in whole months: logo churn, revenue churn, GRR and NRR of the active base."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import ColumnElement, Date, Select, Subquery, and_, case, func, literal, select, type_coerce, union_all

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import (
    Filters,
    Period,
    account_order_conditions,
    add_months,
    buckets,
    fiscal_quarter_label,
    fiscal_quarter_start,
    scoped_accounts,
)
from metrics import router
from metrics.base import CENT, Context, Grouping, Metric, grouped, ratio_value, unit_group
from metrics.sql import bool_sum, days_between, distribution

#: Months an order keeps its account active (W), unless a caller chooses another window.
ACTIVE_MONTHS = 12
#: GRR and NRR compare the 12 full months ending with the period's last month with the 12 before.
RETENTION_MONTHS = 12


def month_number(d: date) -> int:
    """The same numbering as :func:`metrics.sql.month_index`: ``year * 12 + month - 1``."""
    return d.year * 12 + d.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Months:
    """The whole months a period stands for: ``first`` (s) and ``last`` (e), as month numbers."""

    first: int
    last: int

    @staticmethod
    def of(period: Period) -> Months:
        return Months(month_number(period.start), month_number(period.end))


def per_account(ctx: Context, flt: Filters, months: Months, window: int, *, by_unit: bool = True) -> Subquery:
    """One row per scoped account with an order in the months the measures read: its home unit
    as of the period's end, whether it is in the base (active in s−1) and active in e, and its
    revenue (credit notes netted, rounded to cents) in the base window and the two retention years.
    From the summary's 12-month sums when they can answer (:func:`metrics.router.rolling_rows`),
    else from the orders month by month. Unless ``by_unit``, ``home_unit_id`` may be NULL: the
    caller does not group by it (see :func:`data_layer.filters.scoped_accounts`)."""
    if window < 1:
        raise ValueError(f"the activity window must be at least one month, not {window}")
    s, e = months.first, months.last
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, flt.period.end, home=by_unit)
    rolled = router.rolling_rows(ctx, flt, window, (s - 1, e, e - RETENTION_MONTHS))
    if rolled is not None:
        return _per_account_rolled(rolled, accounts, months)
    earliest = min(s - window, e - 2 * RETENTION_MONTHS + 1)
    # Orders with an amount, from Granary's summary tables when they can answer, else the raw orders.
    o = router.order_month_rows(ctx, flt, earliest, e)
    m = o.c.month_index

    def flag(lo: int, hi: int) -> ColumnElement[int]:
        return func.max(case((and_(o.c.positive_orders > 0, m >= lo, m <= hi), 1), else_=0))

    def revenue(lo: int, hi: int) -> ColumnElement[Decimal]:
        # Rounded per account so every backend compares and adds the same cents (SQLite sums doubles).
        return func.round(func.coalesce(func.sum(case((and_(m >= lo, m <= hi), o.c.revenue))), 0), 2)

    return (
        select(
            o.c.account_id,
            accounts.c.home_unit_id,
            flag(s - window, s - 1).label("in_base"),
            flag(e - window + 1, e).label("active_at_end"),
            revenue(s - window, s - 1).label("base_revenue"),
            revenue(e - RETENTION_MONTHS + 1, e).label("recent_revenue"),
            revenue(e - 2 * RETENTION_MONTHS + 1, e - RETENTION_MONTHS).label("prior_revenue"),
        )
        .select_from(o.join(accounts, accounts.c.account_id == o.c.account_id))
        .group_by(o.c.account_id, accounts.c.home_unit_id)
        .subquery("churn_accounts")
    )


def _per_account_rolled(r: Subquery, accounts: Subquery, months: Months) -> Subquery:
    """:func:`per_account` from the summary's 12-month sums at s−1, e and e−12 (window 12): the same
    values for every account in the base (the only rows :func:`measures` counts); an account with no
    order in any of those three years has no row."""
    s, e = months.first, months.last

    def at(month: int, column: ColumnElement) -> ColumnElement:
        return func.coalesce(func.max(case((r.c.month_index == month, column))), 0)

    return (
        select(
            r.c.account_id,
            accounts.c.home_unit_id,
            at(s - 1, r.c.active).label("in_base"),
            at(e, r.c.active).label("active_at_end"),
            at(s - 1, r.c.revenue).label("base_revenue"),
            at(e, r.c.revenue).label("recent_revenue"),
            at(e - RETENTION_MONTHS, r.c.revenue).label("prior_revenue"),
        )
        .select_from(r.join(accounts, accounts.c.account_id == r.c.account_id))
        .group_by(r.c.account_id, accounts.c.home_unit_id)
        .subquery("churn_accounts")
    )


def _floor_zero(x: ColumnElement[Decimal]) -> ColumnElement[Decimal]:
    return case((x > 0, x), else_=0)


def _positive_or_null(x: ColumnElement[Decimal]) -> ColumnElement[Decimal]:
    """A revenue denominator: NULL (no value) unless positive."""
    return case((x > 0, x), else_=None)


def measures(pa: Subquery) -> dict[str, ColumnElement]:
    """The aggregates over :func:`per_account` rows every churn metric is a quotient of."""
    base = pa.c.in_base == 1
    churned = and_(base, pa.c.active_at_end == 0)
    base_revenue = _floor_zero(pa.c.base_revenue)
    recent, prior = _floor_zero(pa.c.recent_revenue), _floor_zero(pa.c.prior_revenue)
    capped = case((recent < prior, recent), else_=prior)

    def total(x: ColumnElement) -> ColumnElement[Decimal]:
        return func.round(func.coalesce(func.sum(x), 0), 2)

    return {
        "base": bool_sum(base),
        "churned": bool_sum(churned),
        "base_revenue": total(case((base, base_revenue))),
        "churned_revenue": total(case((churned, base_revenue))),
        "prior_revenue": total(case((base, prior))),
        "retained_revenue": total(case((base, capped))),
        "recent_revenue": total(case((base, recent))),
    }


def _sub_periods(period: Period, ctx: Context) -> list[Period]:
    """The period cut at its trend buckets, each piece a period of its own."""
    grain = period.grain
    if grain not in ("month", "quarter", "year"):
        raise NotImplementedError(f"churn is measured in whole months: no trend by {grain}; choose month, quarter or year")
    starts = buckets(period, ctx.calendar)
    ends = [*(b - timedelta(days=1) for b in starts[1:]), period.end]
    return [Period(max(b, period.start), min(end, period.end), "month", "days") for b, end in zip(starts, ends, strict=True)]


def churn_select(
    ctx: Context, flt: Filters, grouping: Grouping, columns: Callable[[dict[str, ColumnElement]], list[ColumnElement]], window: int
) -> Select:
    """The aggregate select of ``columns`` (built from :func:`measures`): one row, one per compared
    unit (the home unit's), or one per trend bucket (each bucket its own period of whole months)."""

    def one(period: Period, bucket: int | None) -> Select:
        pa = per_account(ctx, flt.with_period(period), Months.of(period), window, by_unit=grouping.by == "unit")
        stmt = select(*columns(measures(pa))).select_from(pa)
        if bucket is not None:
            return stmt.add_columns(literal(bucket).label("group"))
        return grouped(stmt, unit_group(pa.c.home_unit_id, ctx, flt) if grouping.by == "unit" else None)

    if grouping.by == "bucket":
        parts = [one(p, i) for i, p in enumerate(_sub_periods(flt.period, ctx))]
        return select(*union_all(*parts).subquery("churn_buckets").c)
    return one(flt.period, None)


MONEY = ("base_revenue", "churned_revenue", "prior_revenue", "retained_revenue", "recent_revenue")
COUNTS = ("base", "churned")
#: Each ratio as (numerator, denominator) of :func:`measures`.
RATIOS: dict[str, tuple[str, str]] = {
    "logo_churn": ("churned", "base"),
    "revenue_churn": ("churned_revenue", "base_revenue"),
    "grr": ("retained_revenue", "prior_revenue"),
    "nrr": ("recent_revenue", "prior_revenue"),
}


def ratio_query(window: int = ACTIVE_MONTHS) -> Callable[[Context, Filters, Grouping], Select]:
    """The one query of all :data:`RATIOS`: every measure of :func:`measures`, and each revenue
    denominator once more as ``<name>_positive``, NULL (no value) unless it is above zero. Each ratio
    metric reads its own two columns (:func:`ratio_columns`), so logo churn and NRR of the same
    filters are the same statement, run once inside :func:`metrics.base.shared_statements`."""

    def columns(m: dict[str, ColumnElement]) -> list[ColumnElement]:
        positive = sorted({d for _, d in RATIOS.values() if d != "base"})
        return [*(m[k].label(k) for k in (*COUNTS, *MONEY)), *(_positive_or_null(m[d]).label(f"{d}_positive") for d in positive)]

    def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
        return churn_select(ctx, flt, grouping, columns, window)

    return query


def ratio_columns(key: str) -> tuple[str, str]:
    """The columns of :func:`ratio_query`'s select that are ratio ``key``'s numerator and denominator."""
    numerator, denominator = RATIOS[key]
    return numerator, denominator if denominator == "base" else f"{denominator}_positive"


def churn_table(ctx: Context, flt: Filters, by: Literal["bucket", "unit"] | None = None, window: int = ACTIVE_MONTHS) -> pd.DataFrame:
    """Every churn measure in one query: ``group`` (when grouped), ``base``, ``churned`` (ints),
    the revenues of :data:`MONEY` (Decimals, reporting currency) and the ratios of :data:`RATIOS`
    (floats, None where the denominator is zero or, for revenue, not positive)."""

    def columns(m: dict[str, ColumnElement]) -> list[ColumnElement]:
        return [m[k].label(k) for k in (*COUNTS, *MONEY)]

    frame = read_frame(ctx.engine, churn_select(ctx, flt, Grouping(by), columns, window))
    for k in COUNTS:
        frame[k] = [int(v) for v in frame[k]]
    for k in MONEY:
        frame[k] = [Decimal(str(v)).quantize(CENT) for v in frame[k]]
    for key, (num, den) in RATIOS.items():
        frame[key] = [None if float(d) <= 0 else ratio_value(n, d)[0] for n, d in zip(frame[num], frame[den], strict=True)]
    if by is not None:
        frame = frame.sort_values("group", ignore_index=True, key=lambda s: s.astype(str))
    return frame


_MONTHS_EN = (
    "Months are calendar months of the order date (a business date in the company's time zone); a period stands for "
    "the whole months from the one containing its first day (s) to the one containing its last day (e). "
)
_MONTHS_ZH = "月份指订单日期（公司时区的业务日期）所在的自然月；期间按整月计，从其首日所在月（s）到末日所在月（e）。"
_ACTIVE_EN = (
    "An account is active in month m if it has an order with an amount above zero in months m−11 … m; orders of zero, "
    "credit notes (negative amounts) and orders with no amount never make an account active. The base is the accounts "
    "active in month s−1 (accounts that start and stop within the period are not in it). "
)
_ACTIVE_ZH = (
    "若客户在 m−11 … m 月内有金额大于零的订单，则该客户在 m 月为活跃；金额为零、负数（贷项）或无金额的订单不计为活跃。"
    "基数为在 s−1 月活跃的客户（期间内新增又流失的客户不在其中）。"
)
_SCOPE_EN = (
    "Each account belongs to its home unit as of the period's last day and counts its orders in every unit, but only "
    "orders in the business units and products the viewer may see and has chosen: an account whose only orders are in "
    "other business units is not in the base. "
)
_SCOPE_ZH = (
    "客户归属于期间末日当天的归属单元，并计入其在所有单元的订单，但只计入查看者可见且已选中的经营单元和产品的订单："
    "只在其他经营单元下单的客户不在基数内。"
)
_REVENUE_EN = (
    "Revenue is order amounts in the reporting currency at the exchange rate in force on each order date (orders in a "
    "currency with no rate that day are left out of revenue but still make an account active); credit notes are netted "
    "within each account, and an account whose net revenue is negative counts as zero. "
)
_REVENUE_ZH = (
    "收入为订单金额按各下单日当日有效汇率折算为报告货币（当日无汇率的订单不计入收入，但仍计为活跃）；"
    "贷项在每个客户内冲抵，净收入为负的客户按零计。"
)

LOGO_CHURN = Metric(
    key="logo_churn",
    label={"en": "Logo churn", "zh": "客户流失率"},
    definition={
        "en": "Churned accounts ÷ the base: the share of the accounts active in the month before the period that are no "
        "longer active in its last month. " + _MONTHS_EN + _ACTIVE_EN + _SCOPE_EN + "Not computed when the base is empty.",
        "zh": "流失客户数 ÷ 基数：期间前一个月活跃、而在期间最后一个月已不活跃的客户占比。" + _MONTHS_ZH + _ACTIVE_ZH + _SCOPE_ZH + "基数为空时不计算。",
    },
    kind="ratio",
    better="down",
    query=ratio_query(),
    columns=ratio_columns("logo_churn"),
)

REVENUE_CHURN = Metric(
    key="revenue_churn",
    label={"en": "Revenue churn", "zh": "收入流失率"},
    definition={
        "en": "The churned accounts' revenue over the 12 months up to the month before the period (s−12 … s−1) ÷ the "
        "whole base's revenue over the same months. " + _MONTHS_EN + _ACTIVE_EN + _SCOPE_EN + _REVENUE_EN
        + "Not computed when the base's revenue is not above zero.",
        "zh": "流失客户在期间前 12 个月（s−12 … s−1）的收入 ÷ 全部基数客户同期的收入。" + _MONTHS_ZH + _ACTIVE_ZH + _SCOPE_ZH + _REVENUE_ZH
        + "基数收入不大于零时不计算。",
    },
    kind="ratio",
    better="down",
    query=ratio_query(),
    columns=ratio_columns("revenue_churn"),
)

GRR = Metric(
    key="grr",
    label={"en": "Gross revenue retention", "zh": "总收入留存率（GRR）"},
    definition={
        "en": "The base accounts' revenue over the 12 months ending with the period's last month (e−11 … e), each account "
        "capped at its own revenue over the 12 months before (e−23 … e−12), ÷ their revenue over those earlier months; "
        "never above 100%. " + _MONTHS_EN + _ACTIVE_EN + _SCOPE_EN + _REVENUE_EN
        + "Not computed when the earlier months' revenue is not above zero.",
        "zh": "基数客户在截至期间最后一个月的 12 个月（e−11 … e）的收入（每个客户以其前 12 个月 e−23 … e−12 的收入为上限）"
        "÷ 其前 12 个月的收入；不超过 100%。" + _MONTHS_ZH + _ACTIVE_ZH + _SCOPE_ZH + _REVENUE_ZH + "前 12 个月收入不大于零时不计算。",
    },
    kind="ratio",
    better="up",
    query=ratio_query(),
    columns=ratio_columns("grr"),
)

NRR = Metric(
    key="nrr",
    label={"en": "Net revenue retention", "zh": "净收入留存率（NRR）"},
    definition={
        "en": "The base accounts' revenue over the 12 months ending with the period's last month (e−11 … e) ÷ their "
        "revenue over the 12 months before (e−23 … e−12), uncapped: expansion can take it above 100%. "
        + _MONTHS_EN + _ACTIVE_EN + _SCOPE_EN + _REVENUE_EN + "Not computed when the earlier months' revenue is not above zero.",
        "zh": "基数客户在截至期间最后一个月的 12 个月（e−11 … e）的收入 ÷ 其前 12 个月（e−23 … e−12）的收入，不设上限：增购可使其超过 100%。"
        + _MONTHS_ZH + _ACTIVE_ZH + _SCOPE_ZH + _REVENUE_ZH + "前 12 个月收入不大于零时不计算。",
    },
    kind="ratio",
    better="up",
    query=ratio_query(),
    columns=ratio_columns("nrr"),
)

METRICS = (LOGO_CHURN, REVENUE_CHURN, GRR, NRR)


# --- Cohort retention and accounts at risk ---------------------------------------------------------


def _positive_orders(ctx: Context, flt: Filters, until: date) -> tuple[Subquery, list[ColumnElement[bool]]]:
    """The scoped accounts and the conditions of the positive orders (amount > 0) they count, up to ``until``."""
    o = schema.sales_order
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, flt.period.end)
    conds = [o.c.account_id == accounts.c.account_id, o.c.amount > 0, o.c.order_date <= until, *account_order_conditions(flt, ctx.viewer)]
    return accounts, conds


def _quarter_of(column: ColumnElement[date], starts: list[date]) -> ColumnElement[int]:
    """The position (0, 1, …) in ``starts`` of the quarter a date falls in: a CASE over bounds from Python."""
    whens = [(column < bound, i) for i, bound in enumerate(starts[1:])]
    # One quarter: still an expression of the column, since a constant in GROUP BY is read as a
    # column position (SQLite) or refused (DuckDB), and an empty CASE is not SQL.
    return case(*(whens or [(column.is_(None), 0)]), else_=len(starts) - 1)


def cohort_retention(ctx: Context, flt: Filters) -> pd.DataFrame:
    """Cohort retention by first-order quarter: one row per fiscal quarter overlapping the period
    in which accounts placed their first order with an amount above zero (``cohort`` label,
    ``accounts`` = cohort size), and one column per quarter since (0, 1, …) holding the share of
    the cohort with an order above zero in that quarter; quarters after the data's as-of date are
    left empty (None). Scope and filters as for churn: home unit as of the period's end, orders
    in the allowed business units and products, in every unit."""
    o = schema.sales_order
    as_of = ctx.as_of
    first_quarter = fiscal_quarter_start(flt.period.start, ctx.calendar)
    last_quarter = fiscal_quarter_start(min(flt.period.end, as_of), ctx.calendar)
    starts = [first_quarter]
    while starts[-1] < fiscal_quarter_start(as_of, ctx.calendar):
        starts.append(add_months(starts[-1], 3))
    accounts, conds = _positive_orders(ctx, flt, as_of)
    first = select(o.c.account_id, func.min(o.c.order_date).label("first_date")).where(*conds).group_by(o.c.account_id).subquery("first_order")
    pairs = (
        select(
            o.c.account_id,
            _quarter_of(first.c.first_date, starts).label("cohort"),
            _quarter_of(o.c.order_date, starts).label("quarter"),
        )
        .select_from(o.join(first, first.c.account_id == o.c.account_id))
        .where(*conds, o.c.order_date >= first_quarter, first.c.first_date >= first_quarter, first.c.first_date < add_months(last_quarter, 3))
        .subquery("cohort_orders")
    )
    stmt = select(pairs.c.cohort, pairs.c.quarter, func.count(func.distinct(pairs.c.account_id)).label("accounts")).group_by(
        pairs.c.cohort, pairs.c.quarter
    )
    counts = {(int(c), int(q)): int(n) for c, q, n in read_frame(ctx.engine, stmt).itertuples(index=False)}
    rows = []
    for c, start in enumerate(starts):
        size = counts.get((c, c), 0)
        if size == 0 or start > last_quarter:
            continue
        row: dict[str, object] = {"cohort": fiscal_quarter_label(start, ctx.calendar), "accounts": size}
        row.update({k: counts.get((c, c + k), 0) / size if c + k < len(starts) else None for k in range(len(starts))})
        rows.append(row)
    return pd.DataFrame(rows, columns=["cohort", "accounts", *range(len(starts))])


def accounts_at_risk(ctx: Context, flt: Filters, window: int = ACTIVE_MONTHS) -> pd.DataFrame:
    """Active accounts whose time since their last order exceeds their usual reorder interval.

    On the reference day — the period's last day, or the data's as-of date if earlier — an account
    is active with an order above zero in the ``window`` months up to that month; its usual
    interval is the median (percentile_cont) of the days between its consecutive order dates
    with an amount above zero (several orders on one day count once); an account with a single
    such date has no usual interval and is never at risk. Columns: ``account_id``, ``name``,
    ``home_unit`` (code, as of the period's end), ``last_order_date``, ``days_since_last_order``,
    ``usual_interval_days``, ``intervals``; the most overdue first (days since ÷ usual interval).
    """
    o, a = schema.sales_order, schema.account
    ref = min(flt.period.end, ctx.as_of)
    accounts, conds = _positive_orders(ctx, flt, ref)
    dates = select(o.c.account_id, o.c.order_date).where(*conds).distinct().subquery("order_dates")
    previous = func.lag(dates.c.order_date).over(partition_by=dates.c.account_id, order_by=dates.c.order_date)
    gaps = select(dates.c.account_id, days_between(dates.c.order_date, type_coerce(previous, Date())).label("gap")).subquery("gaps")
    usual = distribution(gaps.c.gap, group=gaps.c.account_id, quantiles={"median": 0.5}).subquery("usual")
    last = select(dates.c.account_id, func.max(dates.c.order_date).label("last_date")).group_by(dates.c.account_id).subquery("last_order")
    since = days_between(literal(ref, Date()), last.c.last_date)
    stmt = (
        select(
            last.c.account_id, a.c.name, accounts.c.home_unit_id, last.c.last_date, since.label("days_since"),
            usual.c.median, usual.c.n,
        )
        .select_from(
            last.join(usual, usual.c.group == last.c.account_id)
            .join(a, a.c.account_id == last.c.account_id)
            .join(accounts, accounts.c.account_id == last.c.account_id)
        )
        .where(last.c.last_date >= month_start(month_number(ref) - window + 1), since > usual.c.median)
    )
    frame = read_frame(ctx.engine, stmt)
    units = {u.unit_id: u.code for u in ctx.org.units}
    out = pd.DataFrame(
        {
            "account_id": [int(v) for v in frame["account_id"]],
            "name": list(frame["name"]),
            "home_unit": [units.get(int(v)) for v in frame["home_unit_id"]],
            "last_order_date": [v if isinstance(v, date) else date.fromisoformat(str(v)) for v in frame["last_date"]],
            "days_since_last_order": [int(v) for v in frame["days_since"]],
            "usual_interval_days": [float(v) for v in frame["median"]],
            "intervals": [int(v) for v in frame["n"]],
        }
    )
    order = [-(d / u) if u else 0.0 for d, u in zip(out["days_since_last_order"], out["usual_interval_days"], strict=True)]
    return out.assign(_o=order).sort_values(["_o", "account_id"], ignore_index=True).drop(columns="_o")


# --- Contractual churn -------------------------------------------------------------------------------

#: Days after a contract's end within which a new contract must start for the account to have renewed.
GRACE_DAYS = 30


def contract_accounts(ctx: Context, flt: Filters, grace_days: int = GRACE_DAYS) -> Subquery:
    """One row per scoped account with a contract ending in the period: ``account_id``,
    ``home_unit_id`` (as of the period's end), ``last_end`` (its latest contract end in the period),
    ``due`` (1 when the grace period after ``last_end`` is over by the data's as-of date) and
    ``renewed`` (1 when another contract is in force within the grace period: it starts on or
    before ``last_end`` + grace and ends after ``last_end``).

    A contract is an order with an amount above zero and a ``contract_end_date``; its start is
    ``contract_start_date``, else its order date. Contracts count in every unit, in the business
    units and products the viewer may see and chose.
    """
    if grace_days < 0:
        raise ValueError(f"the grace period cannot be negative: {grace_days}")
    o, later = schema.sales_order, schema.sales_order.alias("renewal")
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, flt.period.end)
    ending = (
        select(o.c.account_id, func.max(o.c.contract_end_date).label("last_end"))
        .where(
            o.c.amount > 0,
            o.c.contract_end_date >= flt.period.start,
            o.c.contract_end_date <= flt.period.end,
            *account_order_conditions(flt, ctx.viewer),
        )
        .group_by(o.c.account_id)
        .subquery("contracts_ending")
    )
    start = func.coalesce(later.c.contract_start_date, later.c.order_date)
    renewal = (
        select(later.c.order_id)
        .where(
            later.c.account_id == ending.c.account_id,
            later.c.amount > 0,
            later.c.contract_end_date > ending.c.last_end,
            days_between(start, ending.c.last_end) <= grace_days,
            *account_order_conditions(flt, ctx.viewer, later),
        )
        .exists()
    )
    due = days_between(literal(ctx.as_of, Date()), ending.c.last_end) >= grace_days
    return (
        select(
            ending.c.account_id,
            accounts.c.home_unit_id,
            ending.c.last_end,
            case((due, 1), else_=0).label("due"),
            case((renewal, 1), else_=0).label("renewed"),
        )
        .select_from(ending.join(accounts, accounts.c.account_id == ending.c.account_id))
        .subquery("contract_accounts")
    )


def contractual_query(grace_days: int = GRACE_DAYS) -> Callable[[Context, Filters, Grouping], Select]:
    """Churned ÷ base of the contractual variant, by the home unit's compared unit when grouped by unit;
    by trend bucket, each bucket is its own period."""

    def one(ctx: Context, flt: Filters, by_unit: bool) -> Select:
        ca = contract_accounts(ctx, flt, grace_days)
        decided = ca.c.due == 1
        stmt = select(
            bool_sum(and_(decided, ca.c.renewed == 0)).label("numerator"), bool_sum(decided).label("denominator")
        ).select_from(ca)
        return grouped(stmt, unit_group(ca.c.home_unit_id, ctx, flt) if by_unit else None)

    def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
        if grouping.by != "bucket":
            return one(ctx, flt, grouping.by == "unit")
        starts = buckets(flt.period, ctx.calendar)
        ends = [*(b - timedelta(days=1) for b in starts[1:]), flt.period.end]
        parts = [
            one(ctx, flt.with_period(Period(max(b, flt.period.start), end, "month", "days")), False).add_columns(literal(i).label("group"))
            for i, (b, end) in enumerate(zip(starts, ends, strict=True))
        ]
        return select(*union_all(*parts).subquery("contract_buckets").c)

    return query


def contractual_churn(ctx: Context, flt: Filters, by: Literal["unit"] | None = None, grace_days: int = GRACE_DAYS) -> pd.DataFrame:
    """The contractual variant in one table: (``group``,) ``ending`` (accounts with a contract ending
    in the period), ``pending`` (their grace period not over by the as-of date: not yet decided),
    ``base`` (ending − pending), ``renewed``, ``churned`` and ``contract_churn`` (churned ÷ base, None
    when the base is empty)."""
    ca = contract_accounts(ctx, flt, grace_days)
    decided = ca.c.due == 1
    stmt = select(
        func.count().label("ending"),
        bool_sum(ca.c.due == 0).label("pending"),
        bool_sum(decided).label("base"),
        bool_sum(and_(decided, ca.c.renewed == 1)).label("renewed"),
        bool_sum(and_(decided, ca.c.renewed == 0)).label("churned"),
    ).select_from(ca)
    frame = read_frame(ctx.engine, grouped(stmt, unit_group(ca.c.home_unit_id, ctx, flt) if by == "unit" else None))
    for k in ("ending", "pending", "base", "renewed", "churned"):
        frame[k] = [int(v or 0) for v in frame[k]]
    frame["contract_churn"] = [ratio_value(c, b)[0] for c, b in zip(frame["churned"], frame["base"], strict=True)]
    if by is not None:
        frame = frame.sort_values("group", ignore_index=True, key=lambda s: s.astype(str))
    return frame


CONTRACT_CHURN = Metric(
    key="contract_churn",
    label={"en": "Contract churn", "zh": "合同流失率"},
    definition={
        "en": "Accounts that did not renew ÷ accounts with a contract ending in the period. A contract is an order with an "
        "amount above zero and a contract end date (its start is the contract start date, else the order date). For each "
        "account, take its latest contract end in the period; it renewed if another contract is in force within 30 days "
        "after that end (starts on or before the end + 30 days and ends after it — a renewal, or a contract that was "
        "already running). Accounts whose 30 days are not over by the data's as-of date are not yet decided and are left "
        "out. " + _SCOPE_EN + "Not computed when no decided account had a contract ending in the period.",
        "zh": "未续约客户数 ÷ 期间内有合同到期的客户数。合同指金额大于零且有合同结束日期的订单（开始日为合同开始日期，无则为下单日期）。"
        "对每个客户取其期间内最晚的合同结束日；若在该日后 30 天内有另一份合同生效（开始于结束日 + 30 天当天或之前且结束于该日之后，"
        "即续约或已在执行的合同），则为已续约。截至数据日期 30 天尚未届满的客户尚未判定，不计入。" + _SCOPE_ZH
        + "期间内无已判定的合同到期客户时不计算。",
    },
    kind="ratio",
    better="down",
    query=contractual_query(),
)
