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
- **Ratios** in Python, all on the same costed campaigns' leads: cost per lead = cost ÷ costed leads, cost per
  won customer = cost ÷ costed customers, ROI = (costed revenue − cost) ÷ cost. A kind's leads from a
  campaign that started earlier count in its leads but in none of these.
- **Scope**: a lead in the viewer's scope may come from a campaign run outside it; the lead's campaign name
  and kind show, but not the unit that ran it, its start date or whether it recorded a cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import ColumnElement, Date, Select, Subquery, and_, case, func, literal, literal_column, null, select, true

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import Fact, Filters, account_order_conditions, restrict
from metrics.base import CENT, Context, Grouping, Metric, not_applicable_for, ratio_value
from metrics.customers import first_purchases
from metrics.funnel import lead_record, per_lead, reached
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


def _costed_leads(ctx: Context, flt: Filters, c: Subquery) -> ColumnElement:
    """The cohort leads ``c`` that a costed campaign (:func:`costed_campaigns`) brought."""
    costed = costed_campaigns(ctx, flt).subquery("costed_campaigns")
    return c.c.campaign_id.in_(select(costed.c.campaign_id))


def leads_select(ctx: Context, flt: Filters, by: By, *, costed_only: bool = False) -> Select:
    """Per ``group``: ``leads``, ``opportunities`` and ``customers`` (distinct accounts won); ``costed_only``
    counts only the leads of the costed campaigns (:func:`costed_campaigns`), what cost per lead and per
    customer divide by."""
    c = cohort_leads(ctx, flt)
    where = [_costed_leads(ctx, flt, c)] if costed_only else []
    rows = select(_group_of(c, by).label("grp"), c.c.opportunity, c.c.customer_id).where(*where).subquery("lead_groups")
    return select(
        rows.c.grp.label("group"),
        func.count().label("leads"),
        bool_sum(rows.c.opportunity == 1).label("opportunities"),
        func.count(rows.c.customer_id.distinct()).label("customers"),
    ).group_by(rows.c.grp)


def _won_revenue(ctx: Context, flt: Filters, won: Subquery, key: str | None, revenue_days: int) -> Select:
    """``revenue`` and ``unpriced_orders`` of the won customers in ``won`` (``customer_id``, ``first_order`` and
    the column ``key``, each account once per key): their priced orders in their first ``revenue_days`` days up
    to the as-of day, and those with no rate on their date. Per ``key`` (as ``group``); one row when None."""
    if revenue_days < 1:
        raise ValueError(f"revenue_days must be at least 1, not {revenue_days}")
    o = schema.sales_order
    joined, rate = rate_join(won.join(o, o.c.account_id == won.c.customer_id), o.c.currency, o.c.order_date, ctx.currency)
    age = days_between(o.c.order_date, won.c.first_order)
    amount = converted(o.c.amount, rate)
    rows = (
        select(
            (won.c[key] if key is not None else literal_column("0")).label("grp"),
            amount.label("amount"),
            case((and_(o.c.amount.is_not(None), amount.is_(None)), 1), else_=0).label("unpriced"),
        )
        .select_from(joined)
        .where(age >= 0, age < revenue_days, o.c.order_date <= literal(ctx.as_of, Date()), *account_order_conditions(_orders_filters(flt), ctx.viewer))
        .subquery("won_orders")
    )
    stmt = select(func.round(func.sum(rows.c.amount), 2).label("revenue"), bool_sum(rows.c.unpriced == 1).label("unpriced_orders"))
    return stmt if key is None else stmt.add_columns(rows.c.grp.label("group")).group_by(rows.c.grp)


def revenue_select(ctx: Context, flt: Filters, by: By | None, revenue_days: int = REVENUE_DAYS, *, costed_only: bool = False) -> Select:
    """Per ``group`` (one row when ``by`` is None): ``revenue``, the won customers' priced orders in their
    first ``revenue_days`` days, each account once per group, and ``unpriced_orders``, those orders with no
    rate on their date (left out of ``revenue``); ``costed_only`` keeps the leads of the costed campaigns
    (:func:`costed_campaigns`), the revenue ROI sets against their cost."""
    c = cohort_leads(ctx, flt)
    where = [c.c.customer_id.is_not(None), *([_costed_leads(ctx, flt, c)] if costed_only else [])]
    group = _group_of(c, by) if by is not None else literal_column("0")
    won = select(group.label("grp"), c.c.customer_id, c.c.first_order).where(*where).distinct().subquery("won_customers")
    return _won_revenue(ctx, flt, won, "grp" if by is not None else None, revenue_days)


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
    """What campaigns brought, one row per campaign, campaign kind or lead source channel: most leads first
    (ties in the group's order), the leads with no campaign (kind, source) last.

    Columns: the group — ``campaign_id``, ``name``, ``kind``, ``unit`` (the code of the unit that ran it) and
    ``start_date`` (by campaign; ``unit`` and ``start_date`` None for a campaign run outside the viewer's scope),
    ``kind`` or ``source`` — then ``code`` (the row as text, :func:`group_of_code`), ``label`` (a campaign's
    name, with its id where two rows share it; the kind or channel code; None for the leads with none),
    ``leads``, ``opportunities``, ``customers`` (ints), ``revenue`` (Decimal, reporting currency, priced
    orders), ``unpriced_orders`` (int: orders with no rate, left out of revenue), ``cost`` (Decimal; None
    where no campaign cost falls in this period and scope, by source always, under a segment or source
    filter, and where a campaign's currency has no rate on its start day), ``costed_revenue``,
    ``costed_leads`` and ``costed_customers`` (the revenue, leads and customers won of the leads that the
    row's costed campaigns brought — what ROI and the costs per lead and per customer are taken from; None
    where the row has no costed campaign), ``cost_per_lead`` = cost ÷ costed leads, ``cost_per_customer`` =
    cost ÷ costed customers (Decimal, to the cent) and ``roi`` = (costed revenue − cost) ÷ cost (float; None
    also when an order behind ``costed_revenue`` has no rate); ratios are None where their denominator is
    missing or zero. ``cost_note`` says why a row states no cost (:data:`COST_NOTES`; None where it does).
    ``attrs["not_applicable"]`` names the filters the table does not apply (as
    :attr:`CAMPAIGN_ROI.not_applicable`): under ``segment`` or ``source`` the cost columns are None.
    """
    if by not in BYS:
        raise ValueError(f"unknown campaign grouping {by!r}; expected one of {', '.join(BYS)}")
    if revenue_days < 1:
        raise ValueError(f"revenue_days must be at least 1, not {revenue_days}")

    def read(stmt: Select) -> dict[object, dict]:
        return {_key(r["group"]): r for r in read_frame(ctx.engine, stmt).to_dict("records")}

    lead_rows = read(leads_select(ctx, flt, by))
    revenue = read(revenue_select(ctx, flt, by, revenue_days))
    costs: dict[object, dict] = {}
    costed: dict[object, dict] = {}  # per group: the costed campaigns' leads, opportunities, customers and revenue
    if by != "source" and not cost_withheld(flt):
        costs = read(cost_select(ctx, flt, by))
        if by == "campaign":  # a campaign row is costed exactly when it has a cost row: all its leads are costed
            costed = {g: lead_rows.get(g, {}) | revenue.get(g, {}) for g in costs}
        else:
            costed_leads = read(leads_select(ctx, flt, by, costed_only=True))
            costed_revenue = read(revenue_select(ctx, flt, by, revenue_days, costed_only=True))
            costed = {g: costed_leads.get(g, {}) | costed_revenue.get(g, {}) for g in costs}
    groups = sorted(set(lead_rows) | set(costs), key=lambda g: (g is None, g if g is not None else 0))
    info = _campaigns(ctx, [g for g in groups if g is not None]) if by == "campaign" else {}
    rows = []
    for g in groups:
        found = lead_rows.get(g, {})
        leads, opportunities, customers = (int(found.get(k) or 0) for k in ("leads", "opportunities", "customers"))
        spent = costs.get(g)
        cost = None if spent is None or int(spent["without_rate"] or 0) else _money(spent["cost"])
        against = costed.get(g)
        costed_leads, costed_customers = (None, None) if against is None else (int(against.get("leads") or 0), int(against.get("customers") or 0))
        costed_revenue = None if against is None else _money(against.get("revenue")) or Decimal("0.00")
        about = info.get(g, {})
        row: dict[str, object] = {by: g} if by != "campaign" else {"campaign_id": g, **{k: about.get(k) for k in ("name", "kind", "unit", "start_date")}}
        row.update(
            leads=leads,
            opportunities=opportunities,
            customers=customers,
            revenue=_money(revenue.get(g, {}).get("revenue")) or Decimal("0.00"),
            unpriced_orders=int(revenue.get(g, {}).get("unpriced_orders") or 0),
            cost=cost,
            costed_revenue=costed_revenue,
            costed_leads=costed_leads,
            costed_customers=costed_customers,
            cost_per_lead=_per(cost, costed_leads or 0),
            cost_per_customer=_per(cost, costed_customers or 0),
            roi=None if int((against or {}).get("unpriced_orders") or 0) else roi(costed_revenue, cost),
            cost_note=_cost_note(ctx, flt, by, g, spent, about),
        )
        rows.append(row)
    rows.sort(key=lambda r: (r[_group_column(by)] is None, -int(r["leads"])))  # stable: ties keep the group's order
    labels = _labels(rows, by)
    for row, text in zip(rows, labels, strict=True):
        row["code"], row["label"] = code_of(row[_group_column(by)]), text
    frame = pd.DataFrame(rows, columns=list(campaign_table_columns(by).columns))
    head = [c for c in frame.columns if c not in TABLE_MEASURES]
    # Kept as objects so that a missing value stays None (pandas would make an int or float column's None a NaN).
    for column in (*head, "costed_leads", "costed_customers", "roi", "cost_note"):
        frame[column] = pd.Series([r[column] for r in rows], index=frame.index, dtype=object)
    frame.attrs["not_applicable"] = filters_not_applied(flt)
    return frame


def _group_column(by: str) -> str:
    return "campaign_id" if by == "campaign" else by


def _campaigns(ctx: Context, ids: list[object]) -> dict[object, dict]:
    """Per campaign id: its ``name``, ``kind``, ``unit`` code and ``start_date``; whether it recorded a cost
    (``has_cost``) and whether a unit outside the viewer's scope ran it (``outside``: then its unit, start
    date and cost are not the viewer's to know, and stay None)."""
    if not ids:
        return {}
    t = schema.campaign
    frame = read_frame(ctx.engine, select(t.c.campaign_id, t.c.name, t.c.kind, t.c.unit_id, t.c.start_date, t.c.cost).where(t.c.campaign_id.in_(ids)))
    visible = ctx.org.visible_ids(ctx.viewer)
    out: dict[object, dict] = {}
    for r in frame.to_dict("records"):
        unit_id = None if r["unit_id"] is None or pd.isna(r["unit_id"]) else int(r["unit_id"])
        outside = visible is not None and unit_id not in visible
        unit = ctx.org.by_id(unit_id) if unit_id is not None and not outside else None
        out[int(r["campaign_id"])] = {
            "name": r["name"],
            "kind": r["kind"],
            "unit": unit.code if unit else None,
            "start_date": None if outside else _day(r["start_date"]),
            "has_cost": r["cost"] is not None and not pd.isna(r["cost"]),
            "outside": outside,
        }
    return out


def _labels(rows: list[dict], by: str) -> list[str | None]:
    """Each row's group as plain text: a campaign's name (with its id where two rows share it, the id alone
    where it has none), a kind or channel code; None for the leads with none."""
    if by != "campaign":
        return [r[by] for r in rows]
    names = [r["name"] if isinstance(r["name"], str) else "" for r in rows]
    twice = {n for n in names if names.count(n) > 1}
    return [
        None if r["campaign_id"] is None else f"{n} · #{r['campaign_id']}" if n in twice else n or f"#{r['campaign_id']}"
        for r, n in zip(rows, names, strict=True)
    ]


#: The :func:`campaign_table` row ``code`` of the leads with no campaign (kind, source).
NO_GROUP = "none"


def code_of(group: object) -> str:
    """A row's group as the text a link carries: a campaign id, a kind or channel code, or :data:`NO_GROUP`."""
    return NO_GROUP if group is None else str(group)


def group_of_code(by: str, code: str) -> object:
    """The group a row's ``code`` names, as :func:`campaign_records` takes it (None for :data:`NO_GROUP`)."""
    return None if code == NO_GROUP else int(code) if by == "campaign" else code


def still_maturing(table: pd.DataFrame) -> bool:
    """The table's leads have won no customer yet: its ROI is still mostly cost (customers come weeks or
    months after a campaign's leads), and a longer period says more."""
    return bool(int(table["leads"].sum())) and not int(table["customers"].sum())


#: The measures of :func:`campaign_table`, after its group's columns.
TABLE_MEASURES = (
    "leads", "opportunities", "customers", "revenue", "unpriced_orders", "cost", "costed_revenue", "costed_leads", "costed_customers",
    "cost_per_lead", "cost_per_customer", "roi", "cost_note",
)
#: Why a row of :func:`campaign_table` states no cost (or a cost of nothing), in its ``cost_note``.
COST_NOTES = ("by_source", "withheld", "no_campaign", "no_rate", "no_cost", "earlier", "later", "outside", "none_in_period")


def _cost_note(ctx: Context, flt: Filters, by: str, group: object, spent: dict | None, about: dict) -> str | None:
    """Why the row's cost is missing or nothing (one of :data:`COST_NOTES`), None when it is stated.

    ``by_source``: campaign costs are not split by source channel; ``withheld``: a segment or source filter;
    ``no_campaign``: the leads no campaign brought; ``no_rate``: a campaign's currency has no rate on its
    start day; ``no_cost``: the costed campaigns record no cost (or zero); and, for a campaign with no cost
    in the period: ``earlier`` (it started before the period: its cost is that period's), ``later`` (it
    starts after the period or the as-of day), ``outside`` (a unit outside the view ran it: outside the viewer's
    scope, whose campaigns' start and cost are not theirs to know, so neither is checked; or outside the unit
    filter); for a kind: ``none_in_period`` (no campaign of the kind in view started in the period).
    """
    if by == "source":
        return "by_source"
    if cost_withheld(flt):
        return "withheld"
    if group is None:
        return "no_campaign"
    if spent is not None:
        if int(spent["without_rate"] or 0):
            return "no_rate"
        cost = _money(spent["cost"])
        return "no_cost" if cost is None or cost == 0 else None
    if by != "campaign":
        return "none_in_period"
    if about.get("outside"):
        return "outside"
    start = about.get("start_date")
    if start is not None and start < flt.period.start:
        return "earlier"
    if start is not None and start > min(flt.period.end, ctx.as_of):
        return "later"
    return "outside" if about.get("has_cost", True) else "no_cost"


def _day(value: object) -> date | None:
    """A DATE column's value as a date (drivers hand back dates, datetimes or ISO text). Not
    :func:`metrics.funnel.local_day`: that moves a UTC timestamp to the company's zone, which would put a
    date's midnight on the day before in a zone west of UTC."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, pd.Timestamp | datetime):
        return value.date()
    return value if isinstance(value, date) else None


def campaign_table_columns(by: str) -> pd.DataFrame:
    """An empty :func:`campaign_table` (its columns, no row) for the grouping ``by``."""
    head = ["campaign_id", "name", "kind", "unit", "start_date"] if by == "campaign" else [by]
    return pd.DataFrame(columns=[*head, "code", "label", *TABLE_MEASURES])


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


# --- The records behind a row ---------------------------------------------------------------------

#: What :func:`campaign_records` lists of a group's leads: all of them, those that became opportunities, those that won a customer.
RECORD_STAGES = ("lead", "opportunity", "customer")


def account_revenue(ctx: Context, flt: Filters, c: Subquery, where: list[ColumnElement], revenue_days: int = REVENUE_DAYS) -> Subquery:
    """Per won account among the cohort leads ``c`` matching ``where``: ``group`` (its ``customer_id``), ``revenue``
    and ``unpriced_orders``, read exactly as :func:`revenue_select` reads a group's (each account once)."""
    won = select(c.c.customer_id, c.c.first_order).where(c.c.customer_id.is_not(None), *where).distinct().subquery("won_accounts")
    return _won_revenue(ctx, flt, won, "customer_id", revenue_days).subquery("account_revenue")


def campaign_records(
    ctx: Context,
    flt: Filters,
    by: By,
    group: object,
    stage: str = "lead",
    limit: int = 200,
    revenue_days: int = REVENUE_DAYS,
) -> tuple[pd.DataFrame, int]:
    """The leads behind one row of :func:`campaign_table` (same ``ctx``, ``flt``, ``by``; ``group`` as the row's
    campaign id, kind or source, None for the leads with none), at most ``limit`` of them, and how many there are.

    ``stage`` keeps all the row's leads (``lead``), those that became opportunities (as many as the row's
    ``opportunities``) or the customers won (``customer``: each account once, on its first lead in the row, as many
    as the row's ``customers``).
    The customers won come first, most revenue first, then the other opportunities, then the rest, newest first.
    Columns: ``lead_id``, ``company``, ``contact``, ``unit`` (the code of the unit the lead was routed to),
    ``source``, ``created`` (business date), ``opportunity`` (its name, when the lead became one by the as-of
    day), ``customer`` (the account won, else None), ``first_order`` (its first purchase), ``revenue`` and
    ``unpriced_orders`` (the account's, as the table counts them: on the account's first lead in the row only,
    so the rows add up to the row's revenue).
    """
    if by not in BYS:
        raise ValueError(f"unknown campaign grouping {by!r}; expected one of {', '.join(BYS)}")
    if stage not in RECORD_STAGES:
        raise ValueError(f"unknown record stage {stage!r}; expected one of {', '.join(RECORD_STAGES)}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    if revenue_days < 1:
        raise ValueError(f"revenue_days must be at least 1, not {revenue_days}")
    c = cohort_leads(ctx, flt)
    column = _group_of(c, by)
    in_group = column.is_(None) if group is None else column == (int(group) if by == "campaign" else str(group))  # type: ignore[call-overload]
    money = account_revenue(ctx, flt, c, [in_group], revenue_days)
    ld, op, acct = schema.lead.alias("record_lead"), schema.opportunity.alias("record_opp"), schema.account.alias("record_account")
    first_lead = func.row_number().over(partition_by=c.c.customer_id, order_by=c.c.lead_id)
    leads = (
        select(
            c.c.lead_id,
            ld.c.company_name,
            ld.c.contact_name,
            ld.c.unit_id,
            c.c.source_channel,
            ld.c.created_at,
            case((c.c.opportunity == 1, op.c.name)).label("opportunity"),
            c.c.opportunity.label("became"),
            c.c.customer_id,
            acct.c.name.label("customer"),
            c.c.first_order,
            case((c.c.customer_id.is_(None), null()), else_=first_lead).label("nth"),
        )
        .select_from(
            c.join(ld, ld.c.lead_id == c.c.lead_id)
            .outerjoin(op, op.c.opportunity_id == ld.c.converted_opportunity_id)
            .outerjoin(acct, acct.c.account_id == c.c.customer_id)
        )
        .where(in_group)
        .subquery("group_leads")
    )
    first = leads.c.nth == 1
    revenue = case((first, func.coalesce(money.c.revenue, 0)))
    # A customer won through two of the row's leads is one customer: listed once, on its first lead.
    where = {"lead": [], "opportunity": [leads.c.became == 1], "customer": [first]}[stage]
    stmt = (
        select(
            leads,
            revenue.label("revenue"),
            case((first, func.coalesce(money.c.unpriced_orders, 0)), else_=0).label("unpriced"),
            func.count().over().label("total"),
        )
        .select_from(leads.outerjoin(money, money.c.group == leads.c.customer_id))
        .where(*where)
        .order_by(
            case((leads.c.customer_id.is_not(None), 0), else_=1),
            func.coalesce(revenue, 0).desc(),
            leads.c.became.desc(),
            leads.c.created_at.desc(),
            leads.c.lead_id,
        )
        .limit(limit)
    )
    frame = read_frame(ctx.engine, stmt)
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    rows = []
    for r in frame.to_dict("records"):
        won = r["customer_id"] is not None and not pd.isna(r["customer_id"])
        rows.append(
            {
                **lead_record(r, ctx),
                "opportunity": r["opportunity"] if int(r["became"] or 0) else None,
                "customer": r["customer"] if won else None,
                "first_order": _day(r["first_order"]) if won else None,
                "revenue": _money(r["revenue"]) if won and r["revenue"] is not None else None,
                "unpriced_orders": int(r["unpriced"] or 0),
            }
        )
    columns = ["lead_id", "company", "contact", "unit", "source", "created", "opportunity", "customer", "first_order", "revenue", "unpriced_orders"]
    out = pd.DataFrame(rows, columns=columns)
    for name in ("company", "contact", "unit", "source", "created", "opportunity", "customer", "first_order", "revenue"):
        out[name] = pd.Series([r[name] for r in rows], index=out.index, dtype=object)  # None stays None, never NaN
    return out, total


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
