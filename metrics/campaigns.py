"""Campaign ROI: what each campaign, campaign kind and lead source brought, against what campaigns cost.

Decisions (stated in the definitions the UI shows):

- **Leads** are the funnel's cohort (:func:`metrics.funnel.per_lead`): the scoped leads created in the
  period, up to the as-of day, credited to the unit each lead was routed to.
- **Opportunities**: a lead became an opportunity exactly as the funnel decides it — it has a
  ``converted_opportunity_id`` reached by the as-of day (:func:`metrics.funnel.reached`, no window).
  A lead counts once however often it was converted (``lead_status_history`` may show several
  conversions; the lead row keeps the last opportunity).
- **Customers won**: the account of that opportunity, when the account's first purchase
  (:func:`metrics.customers.first_purchases`: its first order ever with an amount above zero, in the
  business units and products the viewer may see) is dated by the as-of day and is an order booked
  against that opportunity. An account that had bought before is not a customer the campaign won.
  Distinct accounts per group.
- **Revenue**: every order of a won customer (credit notes netted) dated from its first purchase to
  ``revenue_days`` − 1 days after it (default 365: its first year) and by the as-of day, in every unit
  but in the business units and products the viewer may see; converted at each order date's rate.
  An order in a currency with no rate that day is left out of revenue and counted in
  ``unpriced_orders``; ROI is then not computed (as for a cost with no rate), never understated.
- **Cost**: a campaign's whole cost counts in the period its ``start_date`` falls in (and once that
  day has come), converted at the rate in force on that day, for the campaigns run by a unit in the
  viewer's scope and unit filter (``campaign.unit_id``): the *costed campaigns*. Cost is therefore
  additive over periods, and a campaign with no lead still shows its cost; a campaign that started
  earlier shows its leads in later periods with no cost (None). Source channels carry no cost:
  campaigns are not split by source.
- **ROI** sets against that cost only the revenue of leads the costed campaigns brought
  (``costed_revenue``): a lead from a campaign that started in an earlier period, or that a unit
  outside the view ran, brings revenue whose cost is not in the denominator, so it stays out.
- **Segment and source filters** narrow leads (and so customers and revenue) but cannot narrow a
  campaign's cost: under either, cost and every ratio on it (cost per lead, per customer, ROI) are
  None and the filter is reported as not applicable (``Metric.not_applicable``, and the table's
  ``attrs["not_applicable"]``). Business-unit and product filters apply to none of it.
- **Ratios** in Python: cost per lead, cost per won customer, ROI = (costed revenue − cost) ÷ cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import ColumnElement, Date, Select, Subquery, and_, case, func, literal, literal_column, null, select, true

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import Fact, Filters, account_order_conditions, restrict
from metrics.base import CENT, Context, Grouping, Metric, not_applicable_for, ratio_value
from metrics.customers import first_purchases
from metrics.funnel import per_lead, reached
from metrics.money import converted, rate_join
from metrics.sql import bool_sum, days_between

#: Days of a won customer's orders counted as the campaign's revenue, from its first purchase.
REVENUE_DAYS = 365
By = Literal["campaign", "kind", "source"]
BYS: tuple[str, ...] = ("campaign", "kind", "source")
#: Campaigns are scoped by the unit that ran them; no other filter applies to them.
CAMPAIGN = Fact(schema.campaign, unit="unit_id", bu=None, product=None, account=None, source=None)
MEASURES = ("leads", "opportunities", "customers", "revenue", "cost")
#: The filters that narrow leads and revenue but not a campaign's cost: under them cost is not stated.
NARROW_LEADS_NOT_COST = ("segment", "source")
#: The filters a campaign does not carry (all but the unit); the table and the ROI report them as not applied.
filters_not_applied = not_applicable_for(CAMPAIGN)


def cost_withheld(flt: Filters) -> tuple[str, ...]:
    """The filters in ``flt`` under which cost, and every ratio on it, is left uncomputed."""
    return tuple(name for name in filters_not_applied(flt) if name in NARROW_LEADS_NOT_COST)


def _money(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return Decimal(str(value)).quantize(CENT)


def _key(value: object) -> object:
    """A group value as a plain Python value: NULL (None or NaN) as None, numbers as int."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) or hasattr(value, "item"):
        return int(value)  # type: ignore[arg-type]
    return str(value)


def cohort_leads(ctx: Context, flt: Filters) -> Subquery:
    """One row per lead of the period's cohort: ``lead_id``, ``campaign_id``, ``kind`` (the campaign's),
    ``source_channel``, ``opportunity`` (1 when it became an opportunity by the as-of day), ``customer_id``
    (the account it won, else NULL) and that account's ``first_order`` date."""
    p = per_lead(ctx, flt, cohort=True)
    became = reached(p, ctx, None)["opportunity"]
    ld, op, camp = schema.lead.alias("cohort_lead"), schema.opportunity.alias("cohort_opp"), schema.campaign.alias("lead_campaign")
    orders_flt = _orders_filters(flt)
    first = first_purchases(ctx, orders_flt)
    sale = schema.sales_order.alias("first_sale")
    first_from_lead = (
        select(sale.c.order_id)
        .where(
            sale.c.account_id == op.c.account_id,
            sale.c.opportunity_id == ld.c.converted_opportunity_id,
            sale.c.order_date == first.c.first_order_date,
            sale.c.amount > 0,
            *account_order_conditions(orders_flt, ctx.viewer, sale),
        )
        .exists()
    )
    won = and_(became, first.c.first_order_date <= ctx.as_of, first_from_lead)
    return (
        select(
            p.c.lead_id,
            ld.c.campaign_id,
            camp.c.kind,
            p.c.source_channel,
            case((became, 1), else_=0).label("opportunity"),
            case((won, op.c.account_id)).label("customer_id"),
            case((won, first.c.first_order_date)).label("first_order"),
        )
        .select_from(
            p.join(ld, ld.c.lead_id == p.c.lead_id)
            .outerjoin(camp, camp.c.campaign_id == ld.c.campaign_id)
            .outerjoin(op, op.c.opportunity_id == ld.c.converted_opportunity_id)
            .outerjoin(first, first.c.account_id == op.c.account_id)
        )
        .subquery("campaign_leads")
    )


def _orders_filters(flt: Filters) -> Filters:
    """The filters the won customers' orders are read under: leads carry no business unit or product,
    so those two filters apply to nothing here (the viewer's own business-unit scope still would)."""
    return replace(flt, bus=(), products=())


def _group_of(c: Subquery, by: str) -> ColumnElement:
    if by not in BYS:
        raise ValueError(f"unknown campaign grouping {by!r}; expected one of {', '.join(BYS)}")
    return {"campaign": c.c.campaign_id, "kind": c.c.kind, "source": c.c.source_channel}[by]


def leads_select(ctx: Context, flt: Filters, by: By) -> Select:
    """Per ``group``: ``leads``, ``opportunities`` and ``customers`` (distinct accounts won)."""
    c = cohort_leads(ctx, flt)
    rows = select(_group_of(c, by).label("grp"), c.c.opportunity, c.c.customer_id).subquery("lead_groups")
    return select(
        rows.c.grp.label("group"),
        func.count().label("leads"),
        bool_sum(rows.c.opportunity == 1).label("opportunities"),
        func.count(rows.c.customer_id.distinct()).label("customers"),
    ).group_by(rows.c.grp)


def revenue_select(ctx: Context, flt: Filters, by: By | None, revenue_days: int = REVENUE_DAYS, *, costed_only: bool = False) -> Select:
    """Per ``group`` (one row when ``by`` is None): ``revenue``, the won customers' priced orders in their
    first ``revenue_days`` days, each account once per group, and ``unpriced_orders``, those orders with no
    rate on their date (left out of ``revenue``); ``costed_only`` keeps the leads of the costed campaigns
    (:func:`costed_campaigns`), the revenue ROI sets against their cost."""
    if revenue_days < 1:
        raise ValueError(f"revenue_days must be at least 1, not {revenue_days}")
    c = cohort_leads(ctx, flt)
    group = _group_of(c, by) if by is not None else literal_column("0")
    where = [c.c.customer_id.is_not(None)]
    if costed_only:
        costed = costed_campaigns(ctx, flt).subquery("costed_campaigns")
        where.append(c.c.campaign_id.in_(select(costed.c.campaign_id)))
    won = select(group.label("grp"), c.c.customer_id, c.c.first_order).where(*where).distinct().subquery("won_customers")
    o = schema.sales_order
    joined, rate = rate_join(won.join(o, o.c.account_id == won.c.customer_id), o.c.currency, o.c.order_date, ctx.currency)
    age = days_between(o.c.order_date, won.c.first_order)
    amount = converted(o.c.amount, rate)
    rows = (
        select(
            won.c.grp,
            amount.label("amount"),
            case((and_(o.c.amount.is_not(None), amount.is_(None)), 1), else_=0).label("unpriced"),
        )
        .select_from(joined)
        .where(age >= 0, age < revenue_days, o.c.order_date <= literal(ctx.as_of, Date()), *account_order_conditions(_orders_filters(flt), ctx.viewer))
        .subquery("won_orders")
    )
    stmt = select(func.round(func.sum(rows.c.amount), 2).label("revenue"), bool_sum(rows.c.unpriced == 1).label("unpriced_orders"))
    return stmt if by is None else stmt.add_columns(rows.c.grp.label("group")).group_by(rows.c.grp)


def costed_campaigns(ctx: Context, flt: Filters) -> Select:
    """One row per costed campaign — started in the period and by the as-of day, run by a unit in the
    viewer's scope and unit filter: ``campaign_id``, ``kind``, its ``cost`` in the reporting currency at the
    start day's rate and ``no_rate`` (1 when it has a cost but no rate that day). No other filter applies
    to a campaign (:func:`cost_withheld` says which of them its callers must answer for)."""
    t = CAMPAIGN.table
    joined, rate = rate_join(t, t.c.currency, t.c.start_date, ctx.currency)
    amount = converted(t.c.cost, rate)
    return (
        select(
            t.c.campaign_id,
            t.c.kind,
            amount.label("cost"),
            case((and_(t.c.cost.is_not(None), amount.is_(None)), 1), else_=0).label("no_rate"),
        )
        .select_from(joined)
        .where(
            t.c.start_date >= flt.period.start,
            t.c.start_date <= flt.period.end,
            t.c.start_date <= literal(ctx.as_of, Date()),
            *restrict(CAMPAIGN, flt, ctx.viewer, ctx.org).conditions,
        )
    )


def cost_select(ctx: Context, flt: Filters, by: By | None) -> Select:
    """Per ``group`` (campaign or kind; one row when ``by`` is None) of the costed campaigns
    (:func:`costed_campaigns`): ``campaigns``, their ``cost`` and ``without_rate`` (campaigns with a cost
    but no rate on their start day)."""
    if by == "source":
        raise ValueError("campaign costs are not split by source channel")
    rows = costed_campaigns(ctx, flt).subquery("campaign_costs")
    stmt = select(
        func.count().label("campaigns"),
        func.round(func.coalesce(func.sum(rows.c.cost), 0), 2).label("cost"),
        bool_sum(rows.c.no_rate == 1).label("without_rate"),
    )
    if by is None:
        return stmt
    group = rows.c.campaign_id if by == "campaign" else rows.c.kind
    return stmt.add_columns(group.label("group")).group_by(group)


def campaign_table(ctx: Context, flt: Filters, by: By = "campaign", revenue_days: int = REVENUE_DAYS) -> pd.DataFrame:
    """What campaigns brought, one row per campaign, campaign kind or lead source channel.

    Columns: the group — ``campaign_id``, ``name`` and ``kind`` (by campaign), ``kind`` or ``source`` — then
    ``leads``, ``opportunities``, ``customers`` (ints), ``revenue`` (Decimal, reporting currency, priced
    orders), ``unpriced_orders`` (int: orders with no rate, left out of revenue), ``cost`` (Decimal; None
    where no campaign cost falls in this period and scope, by source always, under a segment or source
    filter, and where a campaign's currency has no rate on its start day), ``costed_revenue`` (Decimal: the
    revenue of the leads that the row's costed campaigns brought, ROI's numerator; None where the row
    has no costed campaign), ``cost_per_lead``, ``cost_per_customer`` (Decimal, to the cent) and ``roi``
    (float; None also when an order behind ``costed_revenue`` has no rate); ratios are None where their
    denominator is missing or zero. Leads without a campaign (or kind, or source) form the group None,
    listed last. ``attrs["not_applicable"]`` names the filters the table does not apply (as
    :attr:`CAMPAIGN_ROI.not_applicable`): under ``segment`` or ``source`` the cost columns are None.
    """
    if by not in BYS:
        raise ValueError(f"unknown campaign grouping {by!r}; expected one of {', '.join(BYS)}")
    if revenue_days < 1:
        raise ValueError(f"revenue_days must be at least 1, not {revenue_days}")
    lead_rows = {_key(r["group"]): r for r in read_frame(ctx.engine, leads_select(ctx, flt, by)).to_dict("records")}
    revenue = {_key(r["group"]): r for r in read_frame(ctx.engine, revenue_select(ctx, flt, by, revenue_days)).to_dict("records")}
    costs: dict[object, dict] = {}
    costed: dict[object, dict] = {}
    if by != "source" and not cost_withheld(flt):
        costs = {_key(r["group"]): r for r in read_frame(ctx.engine, cost_select(ctx, flt, by)).to_dict("records")}
        if by == "campaign":  # a campaign row is costed exactly when it has a cost row: its revenue is all costed
            costed = {g: revenue[g] for g in costs if g in revenue}
        else:
            select_costed = revenue_select(ctx, flt, by, revenue_days, costed_only=True)
            costed = {_key(r["group"]): r for r in read_frame(ctx.engine, select_costed).to_dict("records")}
    groups = sorted(set(lead_rows) | set(costs), key=lambda g: (g is None, g if g is not None else 0))
    names: dict[object, tuple[str, str]] = {}
    if by == "campaign":
        ids = [g for g in groups if g is not None]
        t = schema.campaign
        if ids:
            frame = read_frame(ctx.engine, select(t.c.campaign_id, t.c.name, t.c.kind).where(t.c.campaign_id.in_(ids)))
            names = {int(i): (n, k) for i, n, k in frame.itertuples(index=False)}
    rows = []
    for g in groups:
        found = lead_rows.get(g, {})
        leads, opportunities, customers = (int(found.get(k) or 0) for k in ("leads", "opportunities", "customers"))
        money = revenue.get(g, {})
        spent = costs.get(g)
        cost = None if spent is None or int(spent["without_rate"] or 0) else _money(spent["cost"])
        against = None if spent is None else costed.get(g, {})
        costed_revenue = None if against is None else _money(against.get("revenue")) or Decimal("0.00")
        unpriced = int((against or {}).get("unpriced_orders") or 0)
        row: dict[str, object] = {"campaign_id": g, "name": names.get(g, (None, None))[0], "kind": names.get(g, (None, None))[1]}
        if by != "campaign":
            row = {by: g}
        row.update(
            leads=leads,
            opportunities=opportunities,
            customers=customers,
            revenue=_money(money.get("revenue")) or Decimal("0.00"),
            unpriced_orders=int(money.get("unpriced_orders") or 0),
            cost=cost,
            costed_revenue=costed_revenue,
            cost_per_lead=_per(cost, leads),
            cost_per_customer=_per(cost, customers),
            roi=None if unpriced else roi(costed_revenue, cost),
        )
        rows.append(row)
    head = ["campaign_id", "name", "kind"] if by == "campaign" else [by]
    measures = ["leads", "opportunities", "customers", "revenue", "unpriced_orders", "cost", "costed_revenue", "cost_per_lead", "cost_per_customer", "roi"]
    frame = pd.DataFrame(rows, columns=[*head, *measures])
    # Kept as objects so that a missing value stays None (pandas would make an int or float column's None a NaN).
    for column in (*head, "roi"):
        frame[column] = pd.Series([r[column] for r in rows], index=frame.index, dtype=object)
    frame.attrs["not_applicable"] = filters_not_applied(flt)
    return frame


def _per(cost: Decimal | None, count: int) -> Decimal | None:
    """Cost per lead or per customer, to the cent; None without a cost or a count."""
    if cost is None or count == 0:
        return None
    return (cost / count).quantize(CENT)


def roi(revenue: Decimal | None, cost: Decimal | None) -> float | None:
    """(revenue − cost) ÷ cost; None where the cost is missing or zero."""
    if cost is None:
        return None
    return ratio_value((revenue or Decimal(0)) - cost, cost)[0]


# --- The single KPI ----------------------------------------------------------------------------------


def roi_query(revenue_days: int = REVENUE_DAYS) -> Callable[[Context, Filters, Grouping], Select]:
    """Numerator costed revenue − cost, denominator cost: the revenue of the leads the costed campaigns
    brought against those campaigns' cost (NULL, no value, when a cost or an order has no rate, and under
    a segment or source filter, which cannot narrow cost)."""

    def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
        if cost_withheld(flt):
            return select(null().label("numerator"), null().label("denominator"))
        revenue = revenue_select(ctx, flt, None, revenue_days, costed_only=True).subquery("roi_revenue")
        cost = cost_select(ctx, flt, None).subquery("roi_cost")
        spent = case(
            (cost.c.without_rate > 0, None), (cost.c.campaigns == 0, None), (revenue.c.unpriced_orders > 0, None), else_=cost.c.cost
        )
        return select((func.coalesce(revenue.c.revenue, 0) - spent).label("numerator"), spent.label("denominator")).select_from(
            cost.join(revenue, true())
        )

    return query


_DEFINITION_EN = (
    "Leads are those created in the period (creation time in the company's time zone, up to the as-of day) that a "
    "campaign brought (lead.campaign_id), credited to the unit each lead was routed to. A customer won is the account of "
    "the opportunity such a lead converted into, when the account's first order ever with an amount above zero is "
    "booked against that opportunity and dated by the as-of day (an account that had bought before is not won). "
    "Revenue is that customer's orders (credit notes netted) from its first order to 364 days after it and up to the "
    "as-of day, in every unit, in the reporting currency at each order date's rate; each account once. An order in a "
    "currency with no rate on its date is left out of revenue and counted as unpriced. Cost is the "
    "whole cost of every campaign run by a unit in view whose start date falls in the period and by the as-of day, "
    "at the rate on its start date: a campaign's cost counts once, in the period it starts, whether or not it brought "
    "leads. Revenue is set against cost only for the leads those same campaigns brought: a lead from a campaign that "
    "started in an earlier period, or that a unit outside the view ran, is left out, since its campaign's cost is not "
    "in the cost. The business-unit and product filters do not apply (leads carry neither). The segment and source "
    "filters narrow leads and revenue but not a campaign's cost, so under either the cost and ROI are not computed. "
)
_DEFINITION_ZH = (
    "线索为期间内新建（按公司时区的创建时间，截至数据日期）且由活动带来（lead.campaign_id）的线索，计入线索分派到的组织单元。"
    "赢得的客户指此类线索转化成的商机所属客户，且该客户首笔金额大于零的订单记在该商机下、日期不晚于数据日期（此前已购买过的客户不算）。"
    "收入为该客户自首单起至其后 364 天、且不晚于数据日期的订单（贷项冲抵），计入所有单元，按各下单日汇率折算为报告货币；每个客户只计一次。"
    "下单日无汇率的币种订单不计入收入，记为未定价订单。"
    "成本为查看范围内单元举办、开始日期落在期间内且不晚于数据日期的活动的全部成本，按开始日汇率折算：活动成本只计一次，计入其开始的期间，"
    "无论是否带来线索。与成本相比的收入只取这些活动带来的线索：来自更早期间开始的活动、或由查看范围外单元举办的活动的线索不计入，"
    "因为其活动成本不在成本之内。经营单元与产品筛选不适用（线索不带这两项）。细分市场与来源渠道筛选只缩小线索与收入、无法缩小活动成本，"
    "因此选用其一时不计算成本与投资回报率。"
)

CAMPAIGN_ROI = Metric(
    key="campaign_roi",
    label={"en": "Campaign ROI", "zh": "市场活动投资回报率"},
    definition={
        "en": "(Revenue − cost) ÷ cost of marketing campaigns. " + _DEFINITION_EN
        + "Not computed when no campaign cost falls in the period, a campaign's currency has no rate on its start day, "
        "an order in the revenue has no rate on its date, or a segment or source filter is chosen.",
        "zh": "市场活动的（收入 − 成本）÷ 成本。" + _DEFINITION_ZH
        + "期间内无活动成本、某活动的币种在其开始日无汇率、收入中某订单在其下单日无汇率，或选用细分市场或来源渠道筛选时不计算。",
    },
    kind="ratio",
    better="up",
    query=roi_query(),
    groupings=frozenset(),
    # Segment and source narrow leads but not cost, so the ratio is withheld under them: they are reported too.
    not_applicable=filters_not_applied,
)

METRICS = (CAMPAIGN_ROI,)
