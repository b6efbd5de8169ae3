"""Share of wallet, headroom and revenue concentration: account-level measures of customer value.

Money is carried as whole cents (integers) from the per-account step on, so sums, window sums and
comparisons are exact on every backend; each account's revenue and wallet are rounded to the cent
once, and ratios are one IEEE division of two such integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Date,
    Float,
    Integer,
    Select,
    String,
    Subquery,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    true,
    union_all,
)

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import Filters, buckets, fiscal_year_of, fiscal_year_start, home_unit_on, scoped_accounts
from metrics import router
from metrics.base import Context, Grouping, Metric, grouped, unit_group
from metrics.money import at_least_a_cent, converted, rate_join
from metrics.sql import bool_sum, distribution, to_double, whole_cents

#: The Pareto curve's points: the share of revenue from the top x% of accounts.
PARETO_POINTS = (1, 2, 5, 10, 20, 50, 100)
#: Value tiers: A = the accounts making the first 50% of revenue, B the next 30%, C the rest.
TIER_A_PCT, TIER_B_PCT = 50, 80


# --- Building blocks ------------------------------------------------------------------------------


def _units(cents: ColumnElement[Any]) -> ColumnElement[float]:
    """Cents back to currency units, as one double division (exact cents in, the same double out)."""
    return to_double(cents).op("/", precedence=8, return_type=Float())(to_double(literal_column("100")))


def _money(cents: object) -> Decimal | None:
    if cents is None or (isinstance(cents, float) and pd.isna(cents)):
        return None
    return Decimal(int(Decimal(str(cents)))).scaleb(-2)


def fiscal_year_to(on: date, ctx: Context) -> tuple[int, date]:
    """The fiscal year containing ``on`` and its first day."""
    return fiscal_year_of(on, ctx.calendar), fiscal_year_start(on, ctx.calendar)


def account_revenue(ctx: Context, flt: Filters, start: date, end: date, *, fiscal_year: bool = False) -> Subquery:
    """Revenue per account from orders dated in [start, end], in any unit, in the business units
    and products the viewer may see and chose, in cents. Columns ``account_id``, ``revenue_cents``.
    With ``fiscal_year``, ``start`` is the first day of ``end``'s fiscal year."""
    # From Granary's summary tables for the whole months when they can answer, else the raw orders.
    o = router.fiscal_year_rows(ctx, flt, start, end) if fiscal_year else router.order_revenue_rows(ctx, flt, start, end)
    return (
        select(o.c.account_id, whole_cents(func.sum(o.c.revenue)).label("revenue_cents"))
        .group_by(o.c.account_id)
        .subquery("account_revenue")
    )


def account_wallets(ctx: Context, fiscal_year: int, on: date) -> Subquery:
    """Usable wallet estimates for ``fiscal_year``, in cents of the reporting currency at the rate in
    force on ``on``; estimates missing, not above zero or with no rate that day are left out."""
    w = schema.wallet_estimate
    joined, rate = rate_join(w, w.c.currency, literal(on, Date()), ctx.currency)
    wallet = whole_cents(converted(w.c.amount, rate))
    return (
        select(w.c.account_id, wallet.label("wallet_cents"))
        .select_from(joined)
        # wallet > 0 without rounding twice more per row (a fifth of the share of wallet's time on DuckDB)
        .where(w.c.fiscal_year == fiscal_year, w.c.amount > 0, at_least_a_cent(w.c.amount, rate))
        .subquery("account_wallet")
    )


def per_account_rows(ctx: Context, flt: Filters, on: date, *, home: bool = True) -> Select:
    """One row per account in scope with revenue (an order with an amount and a rate) or a usable
    estimate, as of ``on``: ``account_id``,
    ``home_unit_id`` (as of ``on``), ``segment``, ``revenue_cents`` (fiscal year to ``on``, netted; 0 when none
    or below zero) and
    ``wallet_cents`` (NULL when no usable estimate). Unless ``home``, ``home_unit_id`` may be NULL: the
    caller does not read it (see :func:`data_layer.filters.scoped_accounts`)."""
    fiscal_year, start = fiscal_year_to(on, ctx)
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, on, home=home)
    revenue = account_revenue(ctx, flt, start, on, fiscal_year=True)
    wallet = account_wallets(ctx, fiscal_year, on)
    # Credit notes net against the account's orders; an account whose fiscal year nets below zero (returns
    # of last year's goods) has won none of its wallet this year: 0, not a negative share.
    net = revenue.c.revenue_cents
    return (
        select(
            accounts.c.account_id,
            accounts.c.home_unit_id,
            accounts.c.segment,
            case((net > 0, net), else_=0).label("revenue_cents"),
            wallet.c.wallet_cents,
        )
        .select_from(
            accounts.outerjoin(revenue, revenue.c.account_id == accounts.c.account_id).outerjoin(
                wallet, wallet.c.account_id == accounts.c.account_id
            )
        )
        .where(revenue.c.revenue_cents.is_not(None) | wallet.c.wallet_cents.is_not(None))
    )


def per_account(ctx: Context, flt: Filters, on: date, *, home: bool = True) -> Subquery:
    """:func:`per_account_rows` as a subquery."""
    return per_account_rows(ctx, flt, on, home=home).subquery("wallet_accounts")


def _covered(p: Subquery) -> ColumnElement[Any]:
    return func.sum(case((p.c.wallet_cents.is_not(None), p.c.revenue_cents), else_=0))


def _bucket_ends(ctx: Context, flt: Filters) -> list[date]:
    starts = buckets(flt.period, ctx.calendar)
    return [s - timedelta(days=1) for s in starts[1:]] + [flt.period.end]


def _sums(p: Subquery) -> list[ColumnElement[Any]]:
    """The wallet ratios' measures, in currency units: ``covered`` (revenue of the accounts with an
    estimate), ``wallet`` (their estimates) and ``revenue`` (of all accounts); and ``accounts_no_estimate``, the
    accounts whose revenue share of wallet leaves out for want of a usable estimate (coverage measures it)."""
    return [
        _units(_covered(p)).label("covered"),
        _units(func.sum(p.c.wallet_cents)).label("wallet"),
        _units(func.sum(p.c.revenue_cents)).label("revenue"),
        bool_sum(p.c.wallet_cents.is_(None) & (p.c.revenue_cents > 0)).label("accounts_no_estimate"),
    ]


def ratio_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    """The one query of both wallet ratios (:data:`SHARE_OF_WALLET` reads ``covered`` ÷ ``wallet``,
    :data:`WALLET_COVERAGE` ``covered`` ÷ ``revenue``, so a page showing both runs it once inside
    :func:`metrics.base.shared_statements`): as of the period's end, per compared unit, or — per trend
    bucket — as of each bucket's last day (its own fiscal year to date, home units and rate)."""

    def at(on: date) -> Select:
        return select(*_sums(per_account(ctx, flt, on, home=False)))

    if grouping.by == "bucket":
        ends = _bucket_ends(ctx, flt)
        parts = [at(end).add_columns(literal_column(str(i), Integer()).label("group")) for i, end in enumerate(ends)]
        return parts[0] if len(parts) == 1 else union_all(*parts).subquery("by_bucket").select()
    if grouping.by == "unit":
        p = per_account(ctx, flt, flt.period.end)
        return grouped(select(*_sums(p)), unit_group(p.c.home_unit_id, ctx, flt))
    return at(flt.period.end)


# --- Registered metrics ------------------------------------------------------------------------------

_AS_OF = (
    "Accounts count in their home unit as of the period's end, with their revenue in all units; revenue is "
    "fiscal year to date at the period's end (the fiscal year containing it, up to that day), each order converted "
    "at the rate of its order date, credit notes netted against the account's orders and a net below zero counted as "
    "zero; wallet estimates are for that fiscal year, converted at the rate in force on the "
    "period's end (the fiscal year's last day may not have come yet), and each account's revenue and wallet are "
    "rounded to the cent. Estimates missing, not above zero or in a currency with no rate that day are left out. "
    "A trend bucket shows the value as of its own last day."
)
_AS_OF_ZH = (
    "客户计入期末所属的归属单元，收入包括其在所有单元的收入；收入为截至期末的财年累计（期末所在财年，至期末当日），"
    "每笔订单按下单当日汇率折算，贷项凭证与该客户的订单相抵，相抵后小于零的计为零；钱包估算取该财年的估算，按期末当日有效汇率折算（财年最后一天可能尚未到来），"
    "每个客户的收入和钱包各四舍五入到分。缺失、不大于零或当日无汇率的估算不计入。趋势各分段按其最后一天计算。"
)

SHARE_OF_WALLET = Metric(
    key="share_of_wallet",
    label={"en": "Share of wallet", "zh": "客户购买份额"},
    definition={
        "en": "Revenue ÷ wallet estimate, weighted by revenue: the revenue of the accounts with an estimate ÷ the sum "
        "of their estimates (each account's estimate counted once). A share above 1 (more revenue than the estimate) "
        "is kept as it is. " + _AS_OF + " Not computed when no account in scope has an estimate.",
        "zh": "按收入加权的客户购买份额：有估算的客户的收入 ÷ 其钱包估算之和（每个客户的估算只计一次）。"
        "份额大于 1（收入超过估算）的按原值保留。" + _AS_OF_ZH + "范围内无客户有估算时不计算。",
    },
    kind="ratio",
    better="up",
    query=ratio_query,
    columns=("covered", "wallet"),
    excluded=("accounts_no_estimate",),
)

WALLET_COVERAGE = Metric(
    key="wallet_coverage",
    label={"en": "Wallet coverage", "zh": "钱包估算覆盖率"},
    definition={
        "en": "The share of revenue from accounts with a wallet estimate: their revenue ÷ the revenue of all accounts "
        "in scope. " + _AS_OF + " Not computed when the accounts in scope have no revenue.",
        "zh": "有钱包估算的客户收入占范围内全部客户收入的比例。" + _AS_OF_ZH + "范围内客户无收入时不计算。",
    },
    kind="ratio",
    better="up",
    query=ratio_query,
    columns=("covered", "revenue"),
)

METRICS = (SHARE_OF_WALLET, WALLET_COVERAGE)


# --- Plain functions for the pages --------------------------------------------------------------------


#: A wallet summary's split: in total (None), per compared unit or per account segment.
SummaryBy = Literal["unit", "segment"] | None


def wallet_summary(ctx: Context, flt: Filters, by: SummaryBy = None) -> pd.DataFrame:
    """Share of wallet as of the period's end, in total, per compared unit or per account segment
    (``group``; accounts without a segment under None): ``accounts``
    (with revenue or an estimate), ``with_estimate``, ``above_wallet`` (share > 1), ``revenue``,
    ``covered_revenue``, ``wallet`` (money, exact), ``share_of_wallet`` (revenue-weighted),
    ``median_share`` (median of the accounts' shares, percentile_cont) and ``coverage``."""
    return wallet_view(ctx, flt, (by,)).summaries[by]


def wallet_summaries(ctx: Context, flt: Filters, bys: tuple[SummaryBy, ...]) -> dict[SummaryBy, pd.DataFrame]:
    """:func:`wallet_summary` for each of ``bys`` at once (a page showing the total and a split asks once)."""
    return wallet_view(ctx, flt, bys).summaries


def wallet_accounts(ctx: Context, flt: Filters, limit: int = 10) -> pd.DataFrame:
    """The accounts with the most headroom (wallet − revenue) as of the period's end, most first
    (ties by account id): ``account_id``, ``account``, ``unit`` (home unit code), ``revenue``,
    ``wallet``, ``headroom`` (money, exact), ``share`` and ``above_wallet`` (share > 1, flagged)."""
    return wallet_view(ctx, flt, (), limit).accounts


@dataclass(frozen=True)
class WalletView:
    """:func:`wallet_summary` per split asked (``summaries``) and :func:`wallet_accounts` (``accounts``)."""

    summaries: dict[SummaryBy, pd.DataFrame]
    accounts: pd.DataFrame


#: The columns of :func:`wallet_view`'s statement: a row is one split's group (``split`` its index) or one
#: of the accounts with the most headroom (``split`` is :data:`_HEADROOM`), with 0 in the other's numbers:
#: not NULL, which would turn a column of exact cents into pandas' doubles.
_VIEW_COLUMNS: dict[str, ColumnElement[Any]] = {
    **{k: literal_column("0", BigInteger()) for k in ("split", "accounts", "with_estimate", "above_wallet", "revenue", "covered_revenue", "wallet")},
    "group": cast(null(), String()), "median": cast(null(), Float()), "account_id": literal_column("0", Integer()),
    "name": cast(null(), String()), "home_unit_id": literal_column("0", Integer()), "headroom": literal_column("0", BigInteger()),
}
_SUMS = ("accounts", "with_estimate", "above_wallet", "revenue", "covered_revenue", "wallet")
_HEADROOM = -1


def _view_row(**columns: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    return [columns.get(k, placeholder).label(k) for k, placeholder in _VIEW_COLUMNS.items()]


def wallet_view(ctx: Context, flt: Filters, bys: tuple[SummaryBy, ...] = (None,), limit: int = 0) -> WalletView:
    """:func:`wallet_summary` for each of ``bys`` and the ``limit`` accounts of :func:`wallet_accounts`
    (none when 0), in one statement: the accounts' rows are a CTE that every split's sums and median and
    the headroom list read, so the per-account work (orders, wallets, home units) is done once, not
    once per aggregate, split or list (a UNION ALL of the parts: SQLite has no GROUPING SETS)."""
    if not bys and not limit:
        return WalletView({}, _accounts_frame(ctx, pd.DataFrame(columns=list(_VIEW_COLUMNS))))
    on = flt.period.end
    p = per_account_rows(ctx, flt, on, home="unit" in bys).cte("wallet_accounts")
    splits = list(dict.fromkeys(bys))
    parts: list[Select] = []
    constants: dict[SummaryBy, object] = {}
    for i, by in enumerate(splits):
        group = unit_group(p.c.home_unit_id, ctx, flt) if by == "unit" else p.c.segment if by == "segment" else None
        # A leaf unit is a constant group: every account in scope belongs to it, so no GROUP BY.
        constants[by] = group.value if isinstance(group, BindParameter) else None
        sql_group = None if isinstance(group, BindParameter) else group
        counts = [
            func.count().label("accounts"),
            func.count(p.c.wallet_cents).label("with_estimate"),
            bool_sum(p.c.revenue_cents > p.c.wallet_cents).label("above_wallet"),
            func.sum(p.c.revenue_cents).label("revenue"),
            _covered(p).label("covered_revenue"),
            func.sum(p.c.wallet_cents).label("wallet"),
        ]
        if by == "unit" and sql_group is not None:
            # Summed per home unit first, then per compared unit: the compared unit's CASE over its subtree's
            # ids is worked out for each home unit rather than for each of two million accounts (7–10% of the
            # statement's CPU time at demo size L). Sums of whole cents and counts: exact either way.
            homes = select(p.c.home_unit_id, *counts).group_by(p.c.home_unit_id).subquery(f"homes_{i}")
            sums = grouped(select(*(func.sum(homes.c[k]).label(k) for k in _SUMS)), unit_group(homes.c.home_unit_id, ctx, flt)).subquery(f"sums_{i}")
        else:
            sums = grouped(select(*counts), sql_group).subquery(f"sums_{i}")
        share = to_double(p.c.revenue_cents).op("/", precedence=8, return_type=Float())(to_double(p.c.wallet_cents))
        medians = distribution(
            share, where=(p.c.wallet_cents.is_not(None),), group=sql_group, quantiles={"median": 0.5}
        ).subquery(f"medians_{i}")
        # The ungrouped median is always one row; a group whose accounts have no estimate has none.
        on_group = true() if sql_group is None else sums.c.group.is_not_distinct_from(medians.c.group)
        columns = {k: sums.c[k] for k in _SUMS} | ({} if sql_group is None else {"group": sums.c.group})
        parts.append(
            select(*_view_row(split=literal_column(str(i), Integer()), median=medians.c.median, **columns))
            .select_from(sums.outerjoin(medians, on_group))
        )
    if limit:
        # The accounts are chosen first, then named and placed: reading two million names and dated home
        # units for ten rows took most of this list's time at demo size L.
        headroom = p.c.wallet_cents - p.c.revenue_cents
        top = (
            select(p.c.account_id, p.c.home_unit_id, p.c.revenue_cents, p.c.wallet_cents, headroom.label("headroom"))
            .where(p.c.wallet_cents.is_not(None))
            .order_by(headroom.desc(), p.c.account_id)
            .limit(limit)
            .subquery("top_headroom")
        )
        a = schema.account
        # Scope, a unit filter or a split by unit already placed each account (scoped_accounts); else place these few.
        unit = func.coalesce(top.c.home_unit_id, home_unit_on(top.c.account_id, a.c.home_unit_id, on))
        parts.append(
            select(*_view_row(
                split=literal_column(str(_HEADROOM), Integer()), account_id=top.c.account_id, name=a.c.name, home_unit_id=unit,
                revenue=top.c.revenue_cents, wallet=top.c.wallet_cents, headroom=top.c.headroom,
            )).select_from(top.join(a, a.c.account_id == top.c.account_id))
        )
    frame = read_frame(ctx.engine, parts[0] if len(parts) == 1 else union_all(*parts))
    return WalletView(
        {by: _summary_frame(frame[frame["split"] == i], by, constants[by]) for i, by in enumerate(splits)},
        _accounts_frame(ctx, frame[frame["split"] == _HEADROOM]),
    )


def _summary_frame(frame: pd.DataFrame, by: SummaryBy, constant: object) -> pd.DataFrame:
    """One split's rows of :func:`wallet_view`'s statement as :func:`wallet_summary` returns them."""
    rows = []
    for record in frame.to_dict("records"):
        revenue, covered, wallet = (_money(record[k]) for k in ("revenue", "covered_revenue", "wallet"))
        median, key = record["median"], constant if constant is not None else record["group"]
        rows.append(
            ({"group": None if key is None or (isinstance(key, float) and pd.isna(key)) else key} if by is not None else {})
            | {
                "accounts": int(record["accounts"]),
                "with_estimate": int(record["with_estimate"]),
                "above_wallet": int(record["above_wallet"]),
                "revenue": revenue if revenue is not None else Decimal("0.00"),
                "covered_revenue": covered if covered is not None else Decimal("0.00"),
                "wallet": wallet if wallet is not None else Decimal("0.00"),
                "share_of_wallet": float(covered / wallet) if covered is not None and wallet else None,
                "median_share": None if median is None or pd.isna(median) else float(median),
                "coverage": float(covered / revenue) if covered is not None and revenue else None,
            }
        )
    out = pd.DataFrame(rows)
    if by is None or out.empty:
        return out
    out["group"] = pd.Series([r["group"] for r in rows], index=out.index, dtype=object)  # None, not NaN, for no segment
    return out.sort_values("group", ignore_index=True)


def _accounts_frame(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """The headroom rows of :func:`wallet_view`'s statement as :func:`wallet_accounts` returns them."""
    rows = []
    for r in frame.to_dict("records"):
        revenue, wallet = _money(r["revenue"]), _money(r["wallet"])
        assert revenue is not None and wallet is not None
        unit = ctx.org.by_id(int(r["home_unit_id"]))
        rows.append(
            {
                "account_id": int(r["account_id"]),
                "account": r["name"],
                "unit": unit.code if unit else None,
                "revenue": revenue,
                "wallet": wallet,
                "headroom": _money(r["headroom"]),
                "share": float(revenue / wallet),
                "above_wallet": revenue > wallet,
            }
        )
    columns = ["account_id", "account", "unit", "revenue", "wallet", "headroom", "share", "above_wallet"]
    out = pd.DataFrame(rows, columns=columns)
    # Most headroom first, ties by account id (a UNION ALL keeps no order); headroom is exact money.
    return out.sort_values(["headroom", "account_id"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class Concentration:
    """The Pareto curve (``top_pct``, ``accounts``, ``revenue``, ``share``) and the value tiers
    (``tier``, ``accounts``, ``revenue``, ``share``)."""

    curve: pd.DataFrame
    tiers: pd.DataFrame


def _ranked(ctx: Context, flt: Filters) -> Subquery:
    """Accounts in scope with revenue above zero in the period, ranked by it (most first, ties by
    account id), with the running and total revenue and the number of accounts (window functions)."""
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, flt.period.end, home=False)
    revenue = account_revenue(ctx, flt, flt.period.start, flt.period.end)
    rev = revenue.c.revenue_cents
    order = (rev.desc(), revenue.c.account_id)
    return (
        select(
            revenue.c.account_id,
            rev.label("revenue_cents"),
            func.row_number().over(order_by=order).label("position"),
            func.sum(rev).over(order_by=order, rows=(None, 0)).label("running_cents"),
            func.sum(rev).over().label("total_cents"),
            func.count().over().label("n"),
        )
        .select_from(accounts.join(revenue, revenue.c.account_id == accounts.c.account_id))
        .where(rev > 0)
        .subquery("ranked")
    )


def concentration(ctx: Context, flt: Filters) -> Concentration:
    """Revenue concentration over the accounts in scope (home unit as of the period's end) with
    revenue above zero in the period, in all units.

    The curve gives, for x in :data:`PARETO_POINTS`, the share of that revenue from the top x% of
    accounts — the first ⌈x% × n⌉ by revenue, so at least one. Tiers: an account is A when the
    accounts ranked above it make less than 50% of the revenue (so A = the accounts making the first
    50%, including the one that crosses it), else B when they make less than 80%, else C.
    """
    r = _ranked(ctx, flt)
    rev = r.c.revenue_cents
    curve_cols: list[ColumnElement[Any]] = [func.max(r.c.total_cents).label("total")]
    for x in PARETO_POINTS:
        top = (r.c.position - 1) * 100 < r.c.n * x
        curve_cols += [bool_sum(top).label(f"n_{x}"), func.sum(case((top, rev), else_=0)).label(f"rev_{x}")]
    row = read_frame(ctx.engine, select(*curve_cols)).iloc[0]
    total = _money(row["total"])
    curve = pd.DataFrame(
        [
            {
                "top_pct": x,
                "accounts": int(row[f"n_{x}"]),
                "revenue": _money(row[f"rev_{x}"]) or Decimal("0.00"),
                "share": float((_money(row[f"rev_{x}"]) or 0) / total) if total else None,
            }
            for x in PARETO_POINTS
        ]
    )

    before = r.c.running_cents - rev
    tier = case((before * 100 < r.c.total_cents * TIER_A_PCT, "A"), (before * 100 < r.c.total_cents * TIER_B_PCT, "B"), else_="C")
    tiered = select(tier.label("tier"), rev.label("revenue_cents")).subquery("tiered")
    by_tier = read_frame(
        ctx.engine,
        select(tiered.c.tier, func.count().label("accounts"), func.sum(tiered.c.revenue_cents).label("revenue"))
        .group_by(tiered.c.tier),
    )
    found = {t: (int(n), _money(v)) for t, n, v in zip(by_tier["tier"], by_tier["accounts"], by_tier["revenue"], strict=True)}
    tiers = pd.DataFrame(
        [
            {
                "tier": t,
                "accounts": found.get(t, (0, None))[0],
                "revenue": found.get(t, (0, None))[1] or Decimal("0.00"),
                "share": float((found.get(t, (0, None))[1] or 0) / total) if total else None,
            }
            for t in ("A", "B", "C")
        ]
    )
    return Concentration(curve, tiers)
