"""Customer profitability and the customer value pyramid (DOMAIN.md §4–§5): what each account brings
against what it costs, and a quantified value score with tiers.

Decisions (stated in the definitions the UI shows):

- **Accounts** are account-level, as share of wallet: the accounts in scope by their home unit as of the
  period's end, with their records in all units; the business-unit and product filters (and a viewer's
  business-unit scope) narrow the orders, opportunities and tickets counted, not the accounts.
- **Revenue**: the account's orders dated in the period, each converted at its order date's rate and
  rounded to the cent, credit notes netted. **Gross margin**: revenue − cost over the *costed* orders —
  those with an amount, a rate that day and a cost (amount and cost converted at the same rate), and credit
  notes with an amount and a rate whether or not they carry a cost; gross margin % divides it by their revenue. An order
  of zero or more with no cost is left out of gross margin (counted as ``orders_no_cost``); a credit note
  with no cost takes its whole amount off the margin (nothing is known to have come back), never left out,
  so missing costs can hide margin but never a refund.
- **Cost to serve**: the account's service tickets opened in the period × the configured cost per ticket
  (:class:`data_layer.config.ValueSettings`, default 50.00 in the reporting currency). Under a business-unit
  or product filter only the tickets about a product in them count (a ticket with no product then counts
  nowhere).
- **Acquisition cost**: an account is acquired by a campaign when its first order ever with an amount above
  zero is booked against an opportunity that a lead of that campaign converted into, and falls on or after the
  campaign's start and within :data:`ACQUISITION_DAYS` days of it (and by the as-of day). Each campaign's cost
  (at its start day's rate) is spread evenly over every account it acquired — whatever the viewer's scope or
  filters, so an account's share never depends on who looks — to the cent: each gets the cost ÷ n rounded down,
  and the first r accounts by id one cent more, where r is the cents left over, so the shares add up to the
  cost exactly. The share counts in the period of the first order. The split is over the accounts acquired by the
  as-of day, so a period's acquisition cost — and profit contribution — can still change, even for a closed period,
  until every campaign charging it is 365 days past its start: each later acquisition takes a share. A campaign with no acquired account charges
  no account (its cost stays in campaign ROI); one whose currency has no rate on its start day charges none
  and is counted as ``acquisitions_no_rate``.
- **Profit contribution** = gross margin − cost to serve − acquisition cost.
- **Value pyramid**: per account with any of these in view — sales contribution (revenue), expected sales (Σ
  amount × probability of its opportunities open at the end of the as-of day, at that day's rate), credit
  (of its invoiced orders above zero falling due in the period by the as-of day, the share paid in full by the
  due date; none fell due: 0.5, neither good nor bad), profit contribution, and reference value (leads it
  referred, created in the period; a lead has no business unit or product, so under a business-unit or product filter or
  a viewer's business-unit scope, referrals alone put no account in view). Each component but credit becomes the account's percent rank among the
  accounts ranked ((rank − 1) ÷ (n − 1), ties sharing the lowest; 0 for a lone account); the score is the
  weighted mean of the five (weights configured, default 30/20/10/30/10). Tiers by score, highest first (ties by
  account id), of n accounts: A the first ⌊n × 20%⌋ (at least one), B the rest of the first ⌊n × 50%⌋, C the rest
  (the 80/20 rule): of 5 accounts 1, 1 and 3; of 6, 1, 2 and 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Float,
    Integer,
    Numeric,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
    union_all,
)

from data_layer import schema
from data_layer.config import VALUE_COMPONENTS, ValueSettings, load_value_settings
from data_layer.connection import read_frame
from data_layer.filters import Filters, account_order_conditions, home_unit_on, scoped_accounts
from metrics.base import Context, Grouping, Metric, as_of_instant, bucket_index, grouped, in_period, unit_group
from metrics.money import converted, rate_join
from metrics.sql import bool_sum, days_between, to_double, whole_cents

#: Days from a campaign's start within which an account's first order counts as that campaign's acquisition.
ACQUISITION_DAYS = 365
#: Value tiers by score: A = the first 20% of the ranked accounts (rounded down, at least one), B the rest of the first
#: 50% (rounded down), C the rest.
TIER_A_PCT, TIER_B_PCT = 20, 50
TIERS = ("A", "B", "C")
#: The credit component of an account with no invoice due in the period.
NEUTRAL_CREDIT = 0.5
By = Literal["unit", "segment", "tier"]

#: The per-account money measures, in cents, and the counts of what they left out.
CENTS = ("revenue_cents", "costed_revenue_cents", "margin_cents", "serve_cents", "acquire_cents")
COUNTS = ("tickets", "orders_no_amount", "orders_no_rate", "orders_no_cost", "acquisitions_no_rate")


# --- Building blocks ------------------------------------------------------------------------------


def _cents(amount: ColumnElement[Any]) -> ColumnElement[int]:
    return whole_cents(type_coerce(amount, Numeric(38, 2)))


def _zero() -> ColumnElement[int]:
    return cast(literal_column("0"), BigInteger())


def _units(cents: ColumnElement[Any]) -> ColumnElement[float]:
    """Cents back to currency units, as one double division (exact cents in, the same double out)."""
    return to_double(cents).op("/", precedence=8, return_type=Float())(to_double(literal_column("100")))


def _money(cents: object) -> Decimal:
    if cents is None or (isinstance(cents, float) and pd.isna(cents)):
        return Decimal("0.00")
    return Decimal(int(Decimal(str(cents)))).scaleb(-2)


def _row(*, account: ColumnElement, group: ColumnElement, **measures: ColumnElement) -> list[ColumnElement]:
    """One branch of :func:`events`: the same columns in the same order, zero where the branch has none."""
    return [account.label("account_id"), group.label("grp")] + [
        (measures[name] if name in measures else _zero()).label(name) for name in CENTS + COUNTS
    ]


def _product_conditions(flt: Filters, ctx: Context, product: ColumnElement) -> list[ColumnElement[bool]]:
    """A ticket's product within the business units (viewer's scope and filter) and products chosen."""
    p, bu = schema.product, schema.business_unit
    conds: list[ColumnElement[bool]] = []
    for codes in (ctx.viewer.bus, flt.bus or None):
        if codes is not None:
            conds.append(product.in_(select(p.c.product_id).where(p.c.bu_id.in_(select(bu.c.bu_id).where(bu.c.code.in_(codes))))))
    if flt.products:
        conds.append(product.in_(select(p.c.product_id).where(p.c.code.in_(flt.products))))
    return conds


def acquisitions(ctx: Context) -> Subquery:
    """Every (campaign, account) acquisition known by the as-of day, with the account's ``share_cents`` of the
    campaign's cost (NULL when the cost has no rate on the start day), the ``first_order`` date and the acquiring
    order's ``bu_id`` and ``product_id``. Read unfiltered: the shares of a campaign depend on nobody's view."""
    o, first_o, ld, camp = (
        schema.sales_order.alias("acq_order"),
        schema.sales_order.alias("acq_first"),
        schema.lead.alias("acq_lead"),
        schema.campaign.alias("acq_campaign"),
    )
    first = (
        select(first_o.c.account_id, func.min(first_o.c.order_date).label("first_order"))
        .where(first_o.c.amount > 0)
        .group_by(first_o.c.account_id)
        .subquery("first_orders")
    )
    age = days_between(first.c.first_order, camp.c.start_date)
    pairs = (
        select(
            camp.c.campaign_id,
            first.c.account_id,
            func.min(first.c.first_order).label("first_order"),
            func.min(o.c.bu_id).label("bu_id"),
            func.min(o.c.product_id).label("product_id"),
        )
        .select_from(
            first.join(o, and_(o.c.account_id == first.c.account_id, o.c.order_date == first.c.first_order, o.c.amount > 0))
            .join(ld, ld.c.converted_opportunity_id == o.c.opportunity_id)
            .join(camp, camp.c.campaign_id == ld.c.campaign_id)
        )
        .where(age >= 0, age < ACQUISITION_DAYS, first.c.first_order <= literal(ctx.as_of, Date()))
        .group_by(camp.c.campaign_id, first.c.account_id)
        .subquery("acquired")
    )
    c2 = schema.campaign.alias("acq_cost")
    joined, rate = rate_join(pairs.join(c2, c2.c.campaign_id == pairs.c.campaign_id), c2.c.currency, c2.c.start_date, ctx.currency)
    cost = _cents(converted(func.coalesce(c2.c.cost, 0), rate))
    n = func.count().over(partition_by=pairs.c.campaign_id)
    k = func.row_number().over(partition_by=pairs.c.campaign_id, order_by=pairs.c.account_id)
    spread = (
        select(pairs.c.account_id, pairs.c.first_order, pairs.c.bu_id, pairs.c.product_id, cost.label("cost_cents"), n.label("n"), k.label("k"))
        .select_from(joined)
        .subquery("spread")
    )
    left = spread.c.cost_cents % spread.c.n  # cents left over after an even split: one more each for the first accounts
    even = cast((spread.c.cost_cents - left) / spread.c.n, BigInteger())
    share = even + case((spread.c.k <= left, 1), else_=0)
    return select(spread.c.account_id, spread.c.first_order, spread.c.bu_id, spread.c.product_id, share.label("share_cents")).subquery(
        "acquisitions"
    )


def events(ctx: Context, flt: Filters, grouping: Grouping, settings: ValueSettings) -> Subquery:
    """What each account brought and cost in the period, one row per order, ticket and acquisition: ``account_id``,
    ``grp`` (the trend bucket of the row's own date with the ``bucket`` grouping, else 0), the money of
    :data:`CENTS` and the counts of :data:`COUNTS`."""
    cal, period = ctx.calendar, flt.period

    def grp(day: ColumnElement, *, timestamp: bool) -> ColumnElement:
        return bucket_index(day, period, cal, timestamp=timestamp) if grouping.by == "bucket" else literal_column("0", Integer())

    o = schema.sales_order
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    amount, cost = _cents(converted(o.c.amount, rate)), _cents(converted(o.c.cost, rate))
    costed = and_(amount.is_not(None), or_(o.c.cost.is_not(None), o.c.amount < 0))
    orders = (
        select(
            *_row(
                account=o.c.account_id,
                group=grp(o.c.order_date, timestamp=False),
                revenue_cents=amount,
                costed_revenue_cents=case((costed, amount)),
                margin_cents=case((costed, amount - func.coalesce(cost, 0))),
                orders_no_amount=case((o.c.amount.is_(None), 1), else_=0),
                orders_no_rate=case((and_(o.c.amount.is_not(None), amount.is_(None)), 1), else_=0),
                orders_no_cost=case((and_(amount.is_not(None), o.c.cost.is_(None), o.c.amount >= 0), 1), else_=0),
            )
        )
        .select_from(joined)
        .where(in_period(o.c.order_date, period, cal, timestamp=False), *account_order_conditions(flt, ctx.viewer))
    )
    t = schema.service_ticket
    per_ticket = int(settings.cost_per_ticket * 100)
    tickets = select(
        *_row(
            account=t.c.account_id,
            group=grp(t.c.opened_at, timestamp=True),
            serve_cents=cast(literal(per_ticket, BigInteger()), BigInteger()),
            tickets=literal_column("1", Integer()),
        )
    ).where(in_period(t.c.opened_at, period, cal, timestamp=True), *_product_conditions(flt, ctx, t.c.product_id))
    a = acquisitions(ctx)
    acquired = select(
        *_row(
            account=a.c.account_id,
            group=grp(a.c.first_order, timestamp=False),
            acquire_cents=a.c.share_cents,
            acquisitions_no_rate=case((a.c.share_cents.is_(None), 1), else_=0),
        )
    ).where(in_period(a.c.first_order, period, cal, timestamp=False), *account_order_conditions(flt, ctx.viewer, a))  # type: ignore[arg-type]
    return union_all(orders, tickets, acquired).subquery("profit_events")


def _sums(e: Subquery) -> list[ColumnElement[Any]]:
    return [func.sum(e.c[name]).label(name) for name in CENTS] + [func.sum(e.c[name]).label(name) for name in COUNTS]


def _profit(row: Any) -> ColumnElement[Any]:
    return func.coalesce(row.margin_cents, 0) - func.coalesce(row.serve_cents, 0) - func.coalesce(row.acquire_cents, 0)


# --- Registered metrics ------------------------------------------------------------------------------


def _metric_query(ctx: Context, flt: Filters, grouping: Grouping, settings: ValueSettings | None = None) -> Select:
    """Both headline metrics' one statement: the accounts' events summed in total, per trend bucket (each event's
    own date), per compared unit (home unit as of the period's end) or per segment."""
    settings = load_value_settings() if settings is None else settings
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, flt.period.end, home=grouping.by == "unit")
    e = events(ctx, flt, grouping, settings)
    sums = select(*_sums(e)).select_from(e.join(accounts, accounts.c.account_id == e.c.account_id))
    group: ColumnElement | None = None
    if grouping.by == "bucket":
        group = e.c.grp
    elif grouping.by == "unit":
        group = unit_group(accounts.c.home_unit_id, ctx, flt)
    elif grouping.by == "segment":
        group = accounts.c.segment
    s = grouped(sums, group).subquery("profit_sums")
    cols = [
        _units(s.c.margin_cents).label("gross_margin"),
        _units(s.c.costed_revenue_cents).label("costed_revenue"),
        _units(_profit(s.c)).label("profit_contribution"),
        *(func.coalesce(s.c[name], 0).label(name) for name in COUNTS),
    ]
    return select(*cols, *([s.c.group] if group is not None else []))


_SCOPE_EN = (
    "Accounts count in their home unit as of the period's end, with their orders in all units; the business-unit and "
    "product filters narrow the orders and tickets counted. Each order is converted at its order date's rate and rounded "
    "to the cent, amount and cost alike; credit notes are netted."
)
_SCOPE_ZH = "客户计入期末所属的归属单元，订单包括其在所有单元的订单；经营单元与产品筛选只缩小计入的订单与服务工单。每笔订单的金额与成本均按下单当日汇率折算并四舍五入到分；贷项凭证相抵。"

GROSS_MARGIN_PCT = Metric(
    key="gross_margin_pct",
    label={"en": "Gross margin %", "zh": "毛利率"},
    definition={
        "en": "(Revenue − cost) ÷ revenue, both over the orders dated in the period that carry an amount and a rate that "
        "day and either a cost or, for a credit note, none: a credit note with no cost counts its whole amount in the "
        "revenue and in the margin. An order of zero or more with no cost is left out and counted. " + _SCOPE_EN + " Not computed when no order in the period has a cost.",
        "zh": "（收入 − 成本）÷ 收入，二者均按期间内有金额、当日有汇率，且有成本或为贷项凭证（可无成本）的订单计算：无成本的贷项凭证以全额计入收入和毛利。"
        "金额不小于零但无成本的订单不计入并计数。"
        + _SCOPE_ZH + "期间内无订单有成本时不计算。",
    },
    kind="ratio",
    better="up",
    query=_metric_query,
    groupings=frozenset({"bucket", "unit", "segment"}),
    columns=("gross_margin", "costed_revenue"),
    excluded=("orders_no_amount", "orders_no_rate", "orders_no_cost"),
)

PROFIT_CONTRIBUTION = Metric(
    key="profit_contribution",
    label={"en": "Profit contribution", "zh": "利润贡献"},
    definition={
        "en": "Gross margin − cost to serve − acquisition cost of the accounts in view. Gross margin: revenue − cost of the "
        "orders dated in the period with an amount, a rate and a cost (a credit note with no cost counts in full). Cost to "
        "serve: the service tickets opened in the period × the cost per ticket set for the company (cost_per_ticket, "
        "default 50.00 in the reporting currency); under a business-unit or product filter, only tickets about a product "
        "in them. Acquisition cost: a campaign acquires an account when the account's first order ever above zero is booked "
        "against an opportunity a lead of the campaign converted into, on or after the campaign's start and within 365 "
        "days of it; the campaign's cost (at its start day's rate) is spread evenly, to the cent, over every account it "
        "acquired by the as-of day, whoever looks, and each share counts in the period of that first order — so a period's "
        "acquisition cost can still change, even once the period is over, until the campaign's 365 days have passed: each "
        "account it acquires later takes a share. " + _SCOPE_EN
        + " Orders with no amount, no rate or no cost, and acquisitions whose campaign cost has no rate, are left out and counted.",
        "zh": "查看范围内客户的毛利 − 服务成本 − 获客成本。毛利：期间内有金额、汇率和成本的订单的收入 − 成本（无成本的贷项凭证全额计入）。"
        "服务成本：期间内新建的服务工单数 × 公司设定的单张工单成本（cost_per_ticket，默认为报告货币 50.00）；选择经营单元或产品时，只计涉及其中产品的工单。"
        "获客成本：客户首笔金额大于零的订单记在某活动线索转化成的商机下，且在活动开始当日或之后 365 天内，即为该活动获得的客户；"
        "活动成本（按开始日汇率）精确到分平均分摊给它截至数据日获得的全部客户（与查看者无关），每份计入该首单所在的期间——"
        "因此在活动开始满 365 天之前，即使期间已结束，该期间的获客成本仍可能变化：之后获得的每个客户都会分摊一份。"
        + _SCOPE_ZH + "无金额、无汇率或无成本的订单，以及活动成本无汇率的获客，不计入并计数。",
    },
    kind="money",
    better="up",
    query=_metric_query,
    groupings=frozenset({"bucket", "unit", "segment"}),
    columns=("profit_contribution", "costed_revenue"),
    excluded=("orders_no_amount", "orders_no_rate", "orders_no_cost", "acquisitions_no_rate"),
)

METRICS = (GROSS_MARGIN_PCT, PROFIT_CONTRIBUTION)


# --- The value pyramid -------------------------------------------------------------------------------


def _expected(ctx: Context, flt: Filters) -> Subquery:
    """Per account: ``expected_cents``, Σ amount × probability of its opportunities open at the end of the as-of day
    (created by then, not closed by then, not won or lost), converted at that day's rate."""
    op = schema.opportunity
    end = as_of_instant(ctx)
    joined, rate = rate_join(op, op.c.currency, literal(ctx.as_of, Date()), ctx.currency)
    weighted = _cents(converted(op.c.amount, rate * op.c.probability))
    still_open = or_(op.c.closed_at.is_(None), op.c.closed_at >= end)
    return (
        select(op.c.account_id, func.sum(weighted).label("expected_cents"))
        .select_from(joined)
        # Closed by then or marked won or lost with no close time (a record to fix, not a deal still open).
        .where(op.c.created_at < end, still_open, or_(op.c.status == "open", op.c.closed_at.is_not(None)))
        .where(*account_order_conditions(flt, ctx.viewer, op))  # type: ignore[arg-type]
        .group_by(op.c.account_id)
        .subquery("expected")
    )


def _credit(ctx: Context, flt: Filters) -> Subquery:
    """Per account: ``due`` (invoiced orders above zero falling due in the period, by the as-of day) and ``on_time``
    (of those, paid in full by the due date)."""
    o = schema.sales_order
    last = min(flt.period.end, ctx.as_of)
    paid = and_(o.c.cash_collected_date.is_not(None), o.c.cash_collected_date <= o.c.payment_due_date)
    return (
        select(o.c.account_id, func.count().label("due"), bool_sum(paid).label("on_time"))
        .where(
            o.c.invoiced_date.is_not(None),
            o.c.amount > 0,
            o.c.payment_due_date >= flt.period.start,
            o.c.payment_due_date <= literal(last, Date()),
            *account_order_conditions(flt, ctx.viewer),
        )
        .group_by(o.c.account_id)
        .subquery("credit")
    )


def _narrowed(flt: Filters, ctx: Context) -> bool:
    """Whether the business-unit or product filter, or the viewer's business-unit scope, narrows what is counted."""
    return bool(ctx.viewer.bus is not None or flt.bus or flt.products)


def _referrals(ctx: Context, flt: Filters) -> Subquery:
    """Per account: ``referrals``, the leads created in the period that it referred."""
    ld = schema.lead
    return (
        select(ld.c.referring_account_id.label("account_id"), func.count().label("referrals"))
        .where(ld.c.referring_account_id.is_not(None), in_period(ld.c.created_at, flt.period, ctx.calendar, timestamp=True))
        .group_by(ld.c.referring_account_id)
        .subquery("referrals")
    )


def pyramid_rows(ctx: Context, flt: Filters, settings: ValueSettings, *, home: bool = True) -> Subquery:
    """One row per account in scope with anything in view: ``account_id``, ``home_unit_id``, ``segment``, the money
    of :data:`CENTS` and ``profit_cents``, ``expected_cents``, ``due``, ``on_time``, ``referrals``, the counts of
    :data:`COUNTS`, ``credit`` (share paid on time, NULL when nothing fell due), ``score``, ``position`` (1 = highest
    score, ties by account id) and ``tier``."""
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, flt.period.end, home=home)
    e = events(ctx, flt, Grouping(), settings)
    per = select(e.c.account_id, *_sums(e)).group_by(e.c.account_id).subquery("account_profit")
    exp, cred, ref = _expected(ctx, flt), _credit(ctx, flt), _referrals(ctx, flt)
    profit = _profit(per.c)
    credit = case((cred.c.due > 0, to_double(cred.c.on_time).op("/", precedence=8, return_type=Float())(to_double(cred.c.due))))
    in_view = [per.c.account_id.is_not(None), exp.c.account_id.is_not(None), cred.c.account_id.is_not(None)]
    if not _narrowed(flt, ctx):  # a lead has no business unit or product: its referrer is in view only when nothing narrows them
        in_view.append(ref.c.account_id.is_not(None))
    base = (
        select(
            accounts.c.account_id,
            accounts.c.home_unit_id,
            accounts.c.segment,
            *(func.coalesce(per.c[name], 0).label(name) for name in CENTS),
            *(func.coalesce(per.c[name], 0).label(name) for name in COUNTS),
            func.coalesce(profit, 0).label("profit_cents"),
            func.coalesce(exp.c.expected_cents, 0).label("expected_cents"),
            func.coalesce(cred.c.due, 0).label("due"),
            func.coalesce(cred.c.on_time, 0).label("on_time"),
            credit.label("credit"),
            func.coalesce(ref.c.referrals, 0).label("referrals"),
        )
        .select_from(
            accounts.outerjoin(per, per.c.account_id == accounts.c.account_id)
            .outerjoin(exp, exp.c.account_id == accounts.c.account_id)
            .outerjoin(cred, cred.c.account_id == accounts.c.account_id)
            .outerjoin(ref, ref.c.account_id == accounts.c.account_id)
        )
        .where(or_(*in_view))
        .subquery("value_base")
    )
    weights = dict(zip(VALUE_COMPONENTS, settings.weights, strict=True))
    total = sum(settings.weights)

    def rank(column: ColumnElement) -> ColumnElement[float]:
        return func.percent_rank().over(order_by=column)

    parts = {
        "sales": rank(base.c.revenue_cents),
        "expected": rank(base.c.expected_cents),
        "credit": func.coalesce(base.c.credit, literal(NEUTRAL_CREDIT, Float())),
        "profit": rank(base.c.profit_cents),
        "reference": rank(base.c.referrals),
    }
    ranked = select(base, *(to_double(parts[name]).label(f"{name}_rank") for name in VALUE_COMPONENTS)).subquery("value_ranked")
    score = sum(
        (ranked.c[f"{name}_rank"] * literal(weights[name] / total, Float()) for name in VALUE_COMPONENTS if weights[name]),
        start=literal(0.0, Float()),
    )
    scored = select(ranked, score.label("score")).subquery("value_scored")
    position = func.row_number().over(order_by=(scored.c.score.desc(), scored.c.account_id))
    placed = select(scored, position.label("position"), func.count().over().label("n")).subquery("value_placed")
    return select(placed, tier(placed.c.position, placed.c.n).label("tier")).subquery("value_pyramid")


def tier(position: ColumnElement[int], n: ColumnElement[int]) -> ColumnElement[str]:
    """The tier of the account at ``position`` (1 = highest score) of ``n``: A the first ⌊n × 20%⌋ (at least one),
    B the rest of the first ⌊n × 50%⌋, C the rest — so A never holds more than its 20% but for the one it must."""
    return case(
        (or_(position == 1, position * 100 <= n * TIER_A_PCT), "A"),
        (position * 100 <= n * TIER_B_PCT, "B"),
        else_="C",
    )


def _settings(settings: ValueSettings | None) -> ValueSettings:
    return load_value_settings() if settings is None else settings


def profitability_select(ctx: Context, flt: Filters, by: By | None, settings: ValueSettings) -> Select:
    """:func:`profitability`'s statement: the accounts' sums in cents, in total or per ``group``."""
    p = pyramid_rows(ctx, flt, settings, home=by == "unit")
    group = {None: None, "unit": unit_group(p.c.home_unit_id, ctx, flt), "segment": p.c.segment, "tier": p.c.tier}[by]
    cols = [
        func.count().label("accounts"),
        *(func.sum(p.c[name]).label(name) for name in (*CENTS, "profit_cents", "expected_cents", *COUNTS, "referrals")),
    ]
    return grouped(select(*cols), group)


def profitability(ctx: Context, flt: Filters, by: By | None = None, settings: ValueSettings | None = None) -> pd.DataFrame:
    """Profitability of the accounts in view, in total or per compared unit (home unit as of the period's end),
    segment (None for none) or value tier: ``group`` (when grouped), ``accounts``, ``revenue``, ``gross_margin``,
    ``cost_to_serve``, ``acquisition_cost``, ``profit_contribution`` (money, exact), ``gross_margin_pct`` (None
    without a costed order), ``tickets``, ``expected`` (weighted open pipeline), ``referrals`` and the counts of
    :data:`COUNTS` (but ``tickets``) of what was left out. Every tier is listed, empty ones with zeros."""
    frame = read_frame(ctx.engine, profitability_select(ctx, flt, by, _settings(settings)))
    rows = []
    for r in frame.to_dict("records"):
        key = r.get("group")
        costed = _money(r["costed_revenue_cents"])
        margin = _money(r["margin_cents"])
        rows.append(
            ({"group": None if key is None or (isinstance(key, float) and pd.isna(key)) else key} if by is not None else {})
            | {
                "accounts": int(r["accounts"] or 0),
                "revenue": _money(r["revenue_cents"]),
                "gross_margin": margin,
                "gross_margin_pct": float(margin / costed) if costed else None,
                "tickets": int(r["tickets"] or 0),
                "cost_to_serve": _money(r["serve_cents"]),
                "acquisition_cost": _money(r["acquire_cents"]),
                "profit_contribution": _money(r["profit_cents"]),
                "expected": _money(r["expected_cents"]),
                "referrals": int(r["referrals"] or 0),
                **{name: int(r[name] or 0) for name in COUNTS if name != "tickets"},
            }
        )
    if by == "tier":
        found = {r["group"]: r for r in rows}
        empty = {k: (Decimal("0.00") if isinstance(v, Decimal) else None if v is None or isinstance(v, float) else 0) for k, v in _EMPTY.items()}
        rows = [found.get(tier, {"group": tier, **empty}) for tier in TIERS]
    out = pd.DataFrame(rows, columns=(["group"] if by is not None else []) + list(_EMPTY))
    if by is not None:
        out["group"] = pd.Series([r["group"] for r in rows], index=out.index, dtype=object)
        out["gross_margin_pct"] = pd.Series([r["gross_margin_pct"] for r in rows], index=out.index, dtype=object)
        out = out.sort_values("group", key=lambda s: s.map(lambda g: (g is None, str(g))), ignore_index=True)
    return out


_EMPTY: dict[str, object] = {
    "accounts": 0, "revenue": Decimal("0.00"), "gross_margin": Decimal("0.00"), "gross_margin_pct": None, "tickets": 0,
    "cost_to_serve": Decimal("0.00"), "acquisition_cost": Decimal("0.00"), "profit_contribution": Decimal("0.00"),
    "expected": Decimal("0.00"), "referrals": 0, "orders_no_amount": 0, "orders_no_rate": 0, "orders_no_cost": 0,
    "acquisitions_no_rate": 0,
}

#: The columns of :func:`top_accounts`.
TOP_COLUMNS = (
    "position", "account_id", "account", "unit", "segment", "tier", "score", "revenue", "expected", "credit", "profit_contribution",
    "gross_margin", "cost_to_serve", "acquisition_cost", "referrals", "sales_rank", "expected_rank", "credit_rank", "profit_rank",
    "reference_rank",
)


def top_accounts_select(ctx: Context, flt: Filters, limit: int, settings: ValueSettings) -> Select:
    """:func:`top_accounts`' statement: the first ``limit`` rows of the pyramid with the account's name and unit."""
    p = pyramid_rows(ctx, flt, settings, home=False)
    top = select(p).where(p.c.position <= limit).subquery("top_value")
    a = schema.account
    unit = func.coalesce(top.c.home_unit_id, home_unit_on(top.c.account_id, a.c.home_unit_id, flt.period.end))
    return (
        select(top, a.c.name.label("account_name"), unit.label("unit_id"))
        .select_from(top.join(a, a.c.account_id == top.c.account_id))
        .order_by(top.c.position)
    )


def top_accounts(ctx: Context, flt: Filters, limit: int = 50, settings: ValueSettings | None = None) -> tuple[pd.DataFrame, int]:
    """The ``limit`` accounts with the highest value score (ties by account id) and how many were ranked: ``position``,
    ``account_id``, ``account`` (name), ``unit`` (home unit code as of the period's end), ``segment``, ``tier``, ``score``
    (0 to 1), the components — ``revenue``, ``expected``, ``credit`` (share paid on time, None when nothing fell due),
    ``profit_contribution``, ``referrals`` — with ``gross_margin``, ``cost_to_serve``, ``acquisition_cost`` and each
    component's place in the score (``*_rank``, 0 to 1)."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    frame = read_frame(ctx.engine, top_accounts_select(ctx, flt, limit, _settings(settings)))
    rows = []
    for r in frame.to_dict("records"):
        found = ctx.org.by_id(int(r["unit_id"])) if r["unit_id"] is not None and not pd.isna(r["unit_id"]) else None
        credit = r["credit"]
        rows.append(
            {
                "position": int(r["position"]),
                "account_id": int(r["account_id"]),
                "account": r["account_name"],
                "unit": found.code if found else None,
                "segment": r["segment"] if isinstance(r["segment"], str) else None,
                "tier": r["tier"],
                "score": float(r["score"]),
                "revenue": _money(r["revenue_cents"]),
                "expected": _money(r["expected_cents"]),
                "credit": None if credit is None or pd.isna(credit) else float(credit),
                "profit_contribution": _money(r["profit_cents"]),
                "gross_margin": _money(r["margin_cents"]),
                "cost_to_serve": _money(r["serve_cents"]),
                "acquisition_cost": _money(r["acquire_cents"]),
                "referrals": int(r["referrals"]),
                **{f"{name}_rank": float(r[f"{name}_rank"]) for name in VALUE_COMPONENTS},
            }
        )
    total = int(frame["n"].iloc[0]) if len(frame) else 0
    out = pd.DataFrame(rows, columns=list(TOP_COLUMNS))
    for name in ("unit", "segment", "credit"):
        out[name] = pd.Series([r[name] for r in rows], index=out.index, dtype=object)
    return out, total


def statements(ctx: Context, flt: Filters, settings: ValueSettings) -> dict[str, Select]:
    """Every statement this module sends for ``ctx``, ``flt`` and ``settings``, by name: built, not run."""
    out: dict[str, Select] = {}
    for metric in METRICS:
        for by in (None, *sorted(metric.groupings)):
            out[f"{metric.key}:{by or 'total'}"] = _metric_query(ctx, flt, Grouping(by), settings)  # type: ignore[arg-type]
    for table_by in (None, "unit", "segment", "tier"):
        out[f"profitability:{table_by or 'total'}"] = profitability_select(ctx, flt, table_by, settings)  # type: ignore[arg-type]
    out["top_accounts"] = top_accounts_select(ctx, flt, 50, settings)
    return out


@dataclass(frozen=True)
class Assumptions:
    """What the page says it assumed: the cost per ticket and the weights, as configured."""

    cost_per_ticket: Decimal
    weights: dict[str, float]


def assumptions(settings: ValueSettings | None = None) -> Assumptions:
    s = _settings(settings)
    total = sum(s.weights)
    return Assumptions(s.cost_per_ticket, {k: w / total for k, w in zip(VALUE_COMPONENTS, s.weights, strict=True)})

