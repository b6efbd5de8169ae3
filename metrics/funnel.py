"""The lifecycle funnel: lead → qualified → opportunity → won → repeat purchase, by cohort or snapshot.

Stage dates (decided here, stated in the definitions):

- **lead**: ``lead.created_at``.
- **qualified**: the earlier of ``lead.qualified_at`` and the lead's first ``qualified`` status in
  ``lead_status_history``.
- **opportunity**: the lead has a ``converted_opportunity_id``; dated ``lead.converted_at``, or the
  opportunity's ``created_at`` when that is missing.
- **won**: that opportunity's status is ``won``; dated its ``closed_at``.
- **repeat**: the won opportunity's account has an order with amount > 0 that is not booked against
  the won opportunity, dated (``order_date``) after the won opportunity's first order with amount > 0
  (its "first order"). A won opportunity with no order booked against it has no repeat.

Reaching a stage implies every earlier one: a lead converted without a qualification record is
qualified when it converted, so counts never grow along the funnel and conversion rates stay in
[0, 1]. The whole funnel is credited to the lead (``lead.unit_id``, its source), and scoped by the
lead; the business-unit and product filters do not apply to leads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, literal, or_, select, true, union_all

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import FACTS, Filters, Period
from metrics.base import (
    as_of_instant,
    CENT,
    Context,
    Grouping,
    Metric,
    dimension_group,
    group_column,
    grouped,
    groupings_for,
    in_period,
    not_applicable_for,
    ratio_value,
    scoped,
    unit_group,
)
from metrics.money import converted, rate_join
from metrics.sql import QUANTILES, bool_sum, days_between, distribution, local_date, seconds_between

LEAD = FACTS["lead"]
OPPORTUNITY = FACTS["opportunity"]
STAGES = ("lead", "qualified", "opportunity", "won", "repeat")
#: Stages with an amount: the converted opportunity's amount.
AMOUNT_STAGES = ("opportunity", "won")
STEPS = ("lead→qualified", "qualified→opportunity", "opportunity→won", "won→repeat")
OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
STATISTICS = ("n", *QUANTILES, "mean")
SECONDS_PER_DAY = 86400
#: The window of the registered lead-to-opportunity rate.
LEAD_TO_OPPORTUNITY_DAYS = 90

Mode = Literal["cohort", "snapshot"]
By = Literal["unit", "source", "campaign", "rep", "bu"] | None
#: What the funnel splits by: the lead's unit (the children of the filtered one), source channel,
#: campaign (its id, as text) and assigned rep (code); and the business unit (code) of the opportunity
#: the lead converted into — a lead not (yet) converted has none and counts in the group without one.
SPLITS: tuple[str, ...] = ("unit", "source", "campaign", "rep", "bu")


# --- Per-lead stage dates ----------------------------------------------------------------------------


def _earliest(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    """The earlier of two values, ignoring NULLs (LEAST's NULL handling differs by dialect)."""
    return case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


def _when(condition: ColumnElement[bool], value: ColumnElement) -> ColumnElement:
    """``value`` where ``condition`` holds, else NULL."""
    return case((condition, value))


def first_status(status: str) -> Subquery:
    """Each lead's first change to ``status`` in its status history: ``lead_id``, ``at`` (UTC)."""
    h = schema.lead_status_history
    return (
        select(h.c.lead_id, func.min(h.c.changed_at).label("at"))
        .where(h.c.status == status)
        .group_by(h.c.lead_id)
        .subquery(f"first_{status}")
    )


def _orders_after_win(opportunities: Select, period: Period | None) -> Subquery:
    """Per won opportunity among ``opportunities`` (a select of ids) with an order: its first order
    (amount > 0) and the first later order (amount > 0) of the same account not booked against it.

    With ``period`` (a snapshot), only what can date a repeat in it: accounts with an order in the
    period, and orders up to its end."""
    o = schema.sales_order
    until = period.end if period is not None else None
    first = (
        select(o.c.opportunity_id, func.min(o.c.order_date).label("first_order"))
        .where(o.c.amount > 0, o.c.opportunity_id.in_(opportunities), *([o.c.order_date <= until] if until else []))
        .group_by(o.c.opportunity_id)
        .subquery("first_order")
    )
    opp = schema.opportunity.alias("ordered_opp")
    later = o.alias("later_order")
    active = []
    if period is not None:
        recent = o.alias("period_order")
        buyers = select(recent.c.account_id).where(recent.c.amount > 0, recent.c.order_date >= period.start, recent.c.order_date <= period.end)
        active.append(opp.c.account_id.in_(buyers))
    return (
        select(first.c.opportunity_id, first.c.first_order, func.min(later.c.order_date).label("repeat_order"))
        .select_from(
            first.join(opp, and_(opp.c.opportunity_id == first.c.opportunity_id, opp.c.status == "won", *active)).outerjoin(
                later,
                and_(
                    later.c.account_id == opp.c.account_id,
                    later.c.amount > 0,
                    later.c.order_date > first.c.first_order,
                    *([later.c.order_date <= until] if until else []),
                    or_(later.c.opportunity_id.is_(None), later.c.opportunity_id != first.c.opportunity_id),
                ),
            )
        )
        .group_by(first.c.opportunity_id, first.c.first_order)
        .subquery("orders_after_win")
    )



def per_lead(ctx: Context, flt: Filters, *, cohort: bool, by: By = None) -> Subquery:
    """One row per scoped lead with its stage dates (``qualified_at``, ``opportunity_at`` and ``won_at``
    are effective: never later than a later stage's), ``first_order`` and ``repeat_order`` (business
    dates), the converted opportunity's ``amount`` and ``currency``, ``unit_id`` and ``source_channel``;
    split by campaign, rep or business unit (:data:`SPLITS`), also that group's code as ``split_code``.

    A cohort keeps the leads created in the period (and by the as-of day) and adds ``created_day``,
    the business date of creation.
    """
    lead = LEAD.table
    qualified = first_status("qualified")
    opp = schema.opportunity
    where = list(scoped(LEAD, ctx, flt))
    if cohort:
        where += [in_period(lead.c.created_at, flt.period, ctx.calendar, timestamp=True), lead.c.created_at < as_of_instant(ctx)]
    converted_ids = select(lead.c.converted_opportunity_id).where(lead.c.converted_opportunity_id.is_not(None), *where)
    orders = _orders_after_win(converted_ids, None if cohort else flt.period)
    won = opp.c.status == "won"
    won_at = _when(won, opp.c.closed_at)
    opportunity_at = _when(
        lead.c.converted_opportunity_id.is_not(None), func.coalesce(lead.c.converted_at, opp.c.created_at)
    )
    opportunity_eff = _earliest(opportunity_at, won_at)
    columns = [
        lead.c.lead_id,
        lead.c.created_at,
        lead.c.unit_id,
        lead.c.source_channel,
        _earliest(_earliest(lead.c.qualified_at, qualified.c.at), opportunity_eff).label("qualified_at"),
        opportunity_eff.label("opportunity_at"),
        won_at.label("won_at"),
        _when(won, orders.c.first_order).label("first_order"),
        _when(won, orders.c.repeat_order).label("repeat_order"),
        opp.c.amount,
        opp.c.currency,
    ]
    if by in ("campaign", "rep"):
        columns.append(dimension_group(LEAD, by).label("split_code"))
    elif by == "bu":
        bu = schema.business_unit.alias("split_bu")
        columns.append(select(bu.c.code).where(bu.c.bu_id == opp.c.bu_id).scalar_subquery().label("split_code"))
    if cohort:
        columns.append(local_date(lead.c.created_at, flt.period.start, flt.period.end, ctx.calendar).label("created_day"))
    else:
        # A snapshot reads the leads with a stage date in the period: an effective date is one of these.
        where.append(
            or_(
                *(
                    in_period(c, flt.period, ctx.calendar, timestamp=True)
                    for c in (lead.c.created_at, lead.c.qualified_at, qualified.c.at, opportunity_at, won_at)
                ),
                in_period(orders.c.repeat_order, flt.period, ctx.calendar, timestamp=False),
            )
        )
    joined = (
        lead.outerjoin(qualified, qualified.c.lead_id == lead.c.lead_id)
        .outerjoin(opp, opp.c.opportunity_id == lead.c.converted_opportunity_id)
        .outerjoin(orders, orders.c.opportunity_id == opp.c.opportunity_id)
    )
    return select(*columns).select_from(joined).where(*where).subquery("lead_stages")


def reached(p: Subquery, ctx: Context, within_days: int | None) -> dict[str, ColumnElement[bool]]:
    """Per stage, whether a cohort lead reached it by min(as-of day, created + N days): a timestamp
    within N × 24 hours of creation, a business date within N days of the creation day."""
    instant = as_of_instant(ctx)

    def by_time(column: ColumnElement) -> ColumnElement[bool]:
        conds = [column.is_not(None), column < instant]
        if within_days is not None:
            conds.append(seconds_between(column, p.c.created_at) <= within_days * SECONDS_PER_DAY)
        return and_(*conds)

    def by_day(column: ColumnElement) -> ColumnElement[bool]:
        conds = [column.is_not(None), column <= ctx.as_of]
        if within_days is not None:
            conds.append(days_between(column, p.c.created_day) <= within_days)
        return and_(*conds)

    out: dict[str, ColumnElement[bool]] = {"repeat": by_day(p.c.repeat_order)}
    out["won"] = or_(by_time(p.c.won_at), out["repeat"])
    out["opportunity"] = or_(by_time(p.c.opportunity_at), out["won"])
    out["qualified"] = or_(by_time(p.c.qualified_at), out["opportunity"])
    out["lead"] = true()
    return out


def _group(by: By, ctx: Context, flt: Filters, p: Subquery) -> ColumnElement | None:
    if by == "unit":
        return unit_group(p.c.unit_id, ctx, flt)
    if by == "source":
        return p.c.source_channel
    if by in ("campaign", "rep", "bu"):
        return p.c.split_code
    if by is not None:
        raise ValueError(f"unknown grouping {by!r}; expected None or one of {', '.join(SPLITS)}")
    return None


def _money(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return Decimal(str(value)).quantize(CENT)


def _sum_money(condition: ColumnElement[bool], amount: ColumnElement) -> ColumnElement:
    # Rounded in the database so every backend returns the same cents (SQLite sums doubles).
    return func.round(func.sum(_when(condition, amount)), 2)


def _with_rate(sub: Subquery, on_day: Callable[[Subquery], ColumnElement], ctx: Context, label: str, name: str) -> Subquery:
    """``sub`` with the opportunity amount converted at the rate in force on ``on_day(sub)``, as ``label``.
    (One rate per layer: ``rate_join`` names its alias ``fx``.)"""
    joined, rate = rate_join(sub, sub.c.currency, on_day(sub), ctx.currency)
    return select(sub, converted(sub.c.amount, rate).label(label)).select_from(joined).subquery(name)


# --- The funnel ---------------------------------------------------------------------------------------


def cohort_select(ctx: Context, flt: Filters, within_days: int | None, by: By) -> Select:
    """Per group: the cohort size (``lead``), how many reached each later stage, and the amounts."""
    p = _with_rate(per_lead(ctx, flt, cohort=True, by=by), lambda s: s.c.created_day, ctx, "amount_usd", "cohort_leads")
    flags = reached(p, ctx, within_days)
    cols = [func.count().label("lead")]
    cols += [bool_sum(flags[s]).label(s) for s in STAGES[1:]]
    cols += [_sum_money(flags[s], p.c.amount_usd).label(f"{s}_amount") for s in AMOUNT_STAGES]
    return grouped(select(*cols).select_from(p), _group(by, ctx, flt, p))


def snapshot_entries(ctx: Context, flt: Filters, by: By = None) -> tuple[Subquery, dict[str, ColumnElement[bool]]]:
    """The scoped leads with each stage's entry condition for snapshot mode: the stage date lies in the
    period and by the as-of day. Amounts (``opportunity_usd``, ``won_usd``) are at the rate of each
    entry's own day; one rate join per layer."""
    period, cal = flt.period, ctx.calendar
    inner = per_lead(ctx, flt, cohort=False, by=by)
    p1 = _with_rate(inner, lambda s: local_date(s.c.opportunity_at, period.start, period.end, cal), ctx, "opportunity_usd", "s1")
    p = _with_rate(p1, lambda s: local_date(s.c.won_at, period.start, period.end, cal), ctx, "won_usd", "s2")
    instant = as_of_instant(ctx)  # nothing after the as-of day has happened yet

    def at(column: ColumnElement) -> ColumnElement[bool]:
        return and_(in_period(column, period, cal, timestamp=True), column < instant)

    return p, {
        "lead": at(p.c.created_at),
        "qualified": at(p.c.qualified_at),
        "opportunity": at(p.c.opportunity_at),
        "won": at(p.c.won_at),
        "repeat": and_(in_period(p.c.repeat_order, period, cal, timestamp=False), p.c.repeat_order <= ctx.as_of),
    }


def snapshot_select(ctx: Context, flt: Filters, by: By) -> Select:
    """Per group: the stage entries dated in the period, and the amounts."""
    p, entered = snapshot_entries(ctx, flt, by)
    cols = [bool_sum(entered[s]).label(s) for s in STAGES]
    cols += [
        _sum_money(entered["opportunity"], p.c.opportunity_usd).label("opportunity_amount"),
        _sum_money(entered["won"], p.c.won_usd).label("won_amount"),
    ]
    stmt = select(*cols).select_from(p).where(or_(*entered.values()))
    return grouped(stmt, _group(by, ctx, flt, p))


def mature(ctx: Context, flt: Filters, within_days: int | None) -> bool | None:
    """Whether every lead of the cohort has had its N days by the as-of day; None without a window."""
    if within_days is None:
        return None
    return ctx.as_of >= flt.period.end + timedelta(days=within_days)


def funnel(ctx: Context, flt: Filters, mode: Mode = "cohort", within_days: int | None = None, by: By = None) -> pd.DataFrame:
    """The funnel, one row per stage (per group when ``by`` is one of :data:`SPLITS`).

    Cohort mode: ``stage``, ``reached``, ``step_rate`` (reached ÷ the previous stage's), ``cumulative_rate``
    (reached ÷ cohort size), ``drop_off`` (the previous stage's reached − reached), ``amount`` (opportunity
    and won stages, reporting currency) and ``mature`` (False while the cohort is younger than N days).

    A cohort is the scoped leads created in the period (company zone) and by the as-of day; a lead reached
    a stage when its stage date lies on or before min(end of the as-of day, created + N days) — N × 24
    hours for timestamps, N days after the creation day for the repeat order's business date.

    Snapshot mode: ``stage``, ``entered`` (scoped leads whose stage date lies in the period, and by the
    as-of day, whenever the lead was created), ``step_ratio`` and ``ratio_to_leads`` — ratios, not
    conversion rates: they may exceed 1 — and ``amount``.

    ``amount`` is the sum of the converted opportunities' amounts (their current expected or won amount)
    in the reporting currency, at the rate in force on the day the row is dated by: the lead's creation
    day in a cohort, the stage entry's day in a snapshot. Amounts missing, or with no rate that day, are
    left out. With ``by``, a ``group`` column comes first.
    """
    if mode not in ("cohort", "snapshot"):
        raise ValueError(f"unknown funnel mode {mode!r}; expected 'cohort' or 'snapshot'")
    if within_days is not None and within_days < 0:
        raise ValueError(f"within_days must be ≥ 0, not {within_days}")
    cohort = mode == "cohort"
    stmt = cohort_select(ctx, flt, within_days, by) if cohort else snapshot_select(ctx, flt, by)
    frame = read_frame(ctx.engine, stmt)
    if by is None and frame.empty:
        frame = pd.DataFrame([dict.fromkeys(frame.columns)])
    rows: list[dict] = []
    is_mature = mature(ctx, flt, within_days)
    for record in frame.to_dict("records"):
        counts = [int(record[s] or 0) for s in STAGES]
        for k, stage in enumerate(STAGES):
            row: dict = {} if by is None else {"group": record["group"]}
            amount = _money(record.get(f"{stage}_amount")) if stage in AMOUNT_STAGES else None
            if stage in AMOUNT_STAGES and amount is None:
                amount = Decimal("0.00")
            previous = counts[k - 1] if k else None
            if cohort:
                row.update(
                    stage=stage,
                    reached=counts[k],
                    step_rate=ratio_value(counts[k], previous)[0] if k else None,
                    cumulative_rate=ratio_value(counts[k], counts[0])[0],
                    drop_off=previous - counts[k] if k else None,
                    amount=amount,
                    mature=is_mature,
                )
            else:
                row.update(
                    stage=stage,
                    entered=counts[k],
                    step_ratio=ratio_value(counts[k], previous)[0] if k else None,
                    ratio_to_leads=ratio_value(counts[k], counts[0])[0],
                    amount=amount,
                )
            rows.append(row)
    columns = (["group"] if by is not None else []) + (
        ["stage", "reached", "step_rate", "cumulative_rate", "drop_off", "amount", "mature"]
        if cohort
        else ["stage", "entered", "step_ratio", "ratio_to_leads", "amount"]
    )
    out = pd.DataFrame(rows, columns=columns)
    if cohort:
        out["drop_off"] = out["drop_off"].astype("Int64")  # None on the first stage, not NaN
    if by is not None:
        out = out.sort_values(["group", "stage"], key=lambda s: s.map(STAGES.index) if s.name == "stage" else s.astype(str))
        out = out.reset_index(drop=True)
    return out


# --- Durations -----------------------------------------------------------------------------------------


def _stats(frame: pd.DataFrame) -> pd.DataFrame:
    frame["n"] = frame["n"].astype(int)
    for column in STATISTICS[1:]:
        frame[column] = [None if v is None or pd.isna(v) else float(v) for v in frame[column]]
    return frame


def stage_durations(ctx: Context, flt: Filters, within_days: int | None = None) -> pd.DataFrame:
    """Days between consecutive stages for the period's cohort: one row per step (``step``, ``n``,
    ``p25``, ``median``, ``p75``, ``p90``, ``mean``), over the leads that reached the later stage by
    min(as-of day, created + N days). Timestamps give fractional days; won → repeat runs from the
    won opportunity's first order to the repeat order, in whole days. Negative spans (data errors)
    are left out."""
    frame = read_frame(ctx.engine, durations_select(ctx, flt, within_days))
    by_step = {int(r["group"]): r for r in frame.to_dict("records")}
    empty = {"n": 0, **dict.fromkeys(STATISTICS[1:])}
    return _stats(pd.DataFrame([{"step": s, **{k: by_step.get(i, empty)[k] for k in STATISTICS}} for i, s in enumerate(STEPS)]))


def durations_select(ctx: Context, flt: Filters, within_days: int | None = None) -> Select:
    """The distribution of each step's length in seconds ÷ 86400, grouped by step index (0 = lead→qualified)."""
    p = per_lead(ctx, flt, cohort=True)
    flags = reached(p, ctx, within_days)
    pairs = [
        (seconds_between(p.c.qualified_at, p.c.created_at), flags["qualified"]),
        (seconds_between(p.c.opportunity_at, p.c.qualified_at), flags["opportunity"]),
        (seconds_between(p.c.won_at, p.c.opportunity_at), flags["won"]),
        (days_between(p.c.repeat_order, p.c.first_order) * SECONDS_PER_DAY, flags["repeat"]),
    ]
    parts = [
        select(literal(i).label("step"), value.label("seconds")).select_from(p).where(cond, value >= 0)
        for i, (value, cond) in enumerate(pairs)
    ]
    spans = union_all(*parts).subquery("spans")
    return distribution(spans.c.seconds, group=spans.c.step, select_from=spans, divide_by=SECONDS_PER_DAY)


def time_in_stage(ctx: Context, flt: Filters) -> pd.DataFrame:
    """Days opportunities spent in each stage, from ``opportunity_stage_history``: one row per stage
    (open stages first, in pipeline order) with ``n``, ``p25``, ``median``, ``p75``, ``p90``, ``mean``.

    A stay in a stage runs from the first history row in it to the next row in another stage
    (consecutive rows in the same stage — an amount change — are one stay). The stays counted are
    those that ended in the period: the opportunity moved on from the stage in the period. Stays not
    yet ended, and the final won or lost stage, have no length. Opportunities are scoped by their own
    unit, business unit and product (an opportunity measure)."""
    frame = read_frame(ctx.engine, time_in_stage_select(ctx, flt)).rename(columns={"group": "stage"})
    order = {s: i for i, s in enumerate(OPEN_STAGES)}
    frame = frame.sort_values("stage", key=lambda s: s.map(lambda x: (order.get(x, len(order)), x)), ignore_index=True)
    return _stats(frame[["stage", *STATISTICS]])


def time_in_stage_select(ctx: Context, flt: Filters) -> Select:
    """The distribution of stay lengths (days) per stage, grouped by stage."""
    h, t = schema.opportunity_stage_history, OPPORTUNITY.table
    window = {"partition_by": h.c.opportunity_id, "order_by": h.c.changed_at}
    marked = (
        select(h.c.opportunity_id, h.c.stage, h.c.changed_at, func.lag(h.c.stage).over(**window).label("previous_stage"))
        .select_from(h.join(t, t.c.opportunity_id == h.c.opportunity_id))
        .where(*scoped(OPPORTUNITY, ctx, flt))
        .subquery("marked")
    )
    stays = (
        select(
            marked.c.stage,
            marked.c.changed_at.label("started"),
            func.lead(marked.c.changed_at)
            .over(partition_by=marked.c.opportunity_id, order_by=marked.c.changed_at)
            .label("ended"),
        )
        .where(or_(marked.c.previous_stage.is_(None), marked.c.previous_stage != marked.c.stage))
        .subquery("stays")
    )
    return distribution(
        seconds_between(stays.c.ended, stays.c.started),
        where=[in_period(stays.c.ended, flt.period, ctx.calendar, timestamp=True), stays.c.ended < as_of_instant(ctx)],
        group=stays.c.stage,
        select_from=stays,
        divide_by=SECONDS_PER_DAY,
    )


# --- Leads returned to marketing ------------------------------------------------------------------------


def returned_leads(ctx: Context, flt: Filters, by: By = None) -> pd.DataFrame:
    """Leads first returned to marketing (status ``returned`` in ``lead_status_history``) in the period,
    and of those the ones that later converted to an opportunity (conversion after that return, by the
    as-of day): columns ``returned``, ``converted_later`` and ``share`` (``group`` first when grouped)."""
    frame = read_frame(ctx.engine, returned_select(ctx, flt, by))
    frame["returned"] = [int(v or 0) for v in frame["returned"]]
    frame["converted_later"] = [int(v or 0) for v in frame["converted_later"]]
    frame["share"] = [ratio_value(n, d)[0] for n, d in zip(frame["converted_later"], frame["returned"], strict=True)]
    columns = (["group"] if by is not None else []) + ["returned", "converted_later", "share"]
    frame = frame[columns]
    return frame.sort_values("group", key=lambda s: s.astype(str), ignore_index=True) if by is not None else frame


def returned_select(ctx: Context, flt: Filters, by: By = None) -> Select:
    """``returned`` and ``converted_later`` counts (per ``group``: unit or source)."""
    if by not in (None, "unit", "source"):
        raise ValueError(f"returned leads split by unit or source only, not {by!r}")
    lead, opp = LEAD.table, schema.opportunity
    back = first_status("returned")
    instant = as_of_instant(ctx)
    converted_at = _when(lead.c.converted_opportunity_id.is_not(None), func.coalesce(lead.c.converted_at, opp.c.created_at))
    p = (
        select(lead.c.unit_id, lead.c.source_channel, back.c.at.label("returned_at"), converted_at.label("converted_at"))
        .select_from(
            lead.join(back, back.c.lead_id == lead.c.lead_id).outerjoin(
                opp, opp.c.opportunity_id == lead.c.converted_opportunity_id
            )
        )
        .where(in_period(back.c.at, flt.period, ctx.calendar, timestamp=True), back.c.at < instant, *scoped(LEAD, ctx, flt))
        .subquery("returned")
    )
    later = and_(p.c.converted_at.is_not(None), p.c.converted_at > p.c.returned_at, p.c.converted_at < instant)
    stmt = select(func.count().label("returned"), bool_sum(later).label("converted_later")).select_from(p)
    return grouped(stmt, _group(by, ctx, flt, p))


# --- Registered metrics ----------------------------------------------------------------------------------


def lead_to_opportunity_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    p = per_lead(ctx, flt, cohort=True)
    flags = reached(p, ctx, LEAD_TO_OPPORTUNITY_DAYS)
    group = group_column(grouping, ctx, flt, date=p.c.created_at, unit=p.c.unit_id, timestamp=True)
    stmt = select(bool_sum(flags["opportunity"]).label("numerator"), func.count().label("denominator")).select_from(p)
    return grouped(stmt, group)


def opportunity_to_order_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    t = OPPORTUNITY.table
    instant = as_of_instant(ctx)
    group = group_column(grouping, ctx, flt, date=t.c.created_at, unit=t.c.unit_id, timestamp=True, fact=OPPORTUNITY)
    stmt = select(
        bool_sum(and_(t.c.status == "won", t.c.closed_at < instant)).label("numerator"), func.count().label("denominator")
    ).where(
        in_period(t.c.created_at, flt.period, ctx.calendar, timestamp=True),
        t.c.created_at < instant,
        *scoped(OPPORTUNITY, ctx, flt),
    )
    return grouped(stmt, group)


LEAD_TO_OPPORTUNITY_RATE = Metric(
    key="lead_to_opportunity_rate",
    label={"en": "Lead-to-opportunity rate (90 days)", "zh": "线索转商机率（90天）"},
    definition={
        "en": "Of the leads created in the period (creation time in the company's time zone, up to the as-of day), the "
        "share that became an opportunity within 90 days (90 × 24 hours) of creation and by the end of the as-of day. "
        "A lead became an opportunity when it has a converted opportunity, dated the lead's conversion time (else the "
        "opportunity's creation); a lead whose converted opportunity was won earlier counts from the win. Credited to "
        "the unit the lead was routed to; the business-unit and product filters do not apply to leads. A period "
        "ending less than 90 days before the as-of day is a cohort not yet mature: its rate can still rise. Not "
        "computed when no lead was created.",
        "zh": "期间内新建（按公司时区的创建时间，截至数据日期）的线索中，在创建后 90 天（90×24 小时）内且不晚于数据日期当天结束时"
        "转为商机的比例。线索有转化商机即为转为商机，时间取线索的转化时间（缺失时取商机的创建时间）；若其商机的赢单时间更早，则按赢单时间计。"
        "计入线索分派到的组织单元；经营单元与产品筛选不适用于线索。期间结束距数据日期不足 90 天时队列尚未成熟，比率仍可能上升。"
        "期间内无新建线索时不计算。",
    },
    kind="ratio",
    better="up",
    query=lead_to_opportunity_query,
    not_applicable=not_applicable_for(LEAD),
)

OPPORTUNITY_TO_ORDER_RATE = Metric(
    key="opportunity_to_order_rate",
    label={"en": "Opportunity-to-order rate", "zh": "商机转订单率"},
    definition={
        "en": "Of the opportunities created in the period (creation time in the company's time zone, up to the as-of "
        "day), the share won by the end of the as-of day, by count. Open and lost opportunities count in the "
        "denominator, so a recent cohort's rate still rises as its deals close. Credited to the unit and business unit "
        "stored on the opportunity, and to its owner rep (the opportunity's owner_rep_id as the CRM holds it now, not who "
        "owned it when it was created). Not computed when no opportunity was created.",
        "zh": "期间内创建（按公司时区的创建时间，截至数据日期）的商机中，截至数据日期当天结束时已赢单的比例，按数量。"
        "未关闭和输单的商机计入分母，因此近期队列的比率会随商机关闭而上升。计入商机上记录的组织单元和经营单元，以及商机的负责销售（CRM 当前记录的 owner_rep_id，而非创建时的负责人）。期间内无新建商机时不计算。",
    },
    kind="ratio",
    better="up",
    query=opportunity_to_order_query,
    not_applicable=not_applicable_for(OPPORTUNITY),
    groupings=groupings_for(OPPORTUNITY),
)

METRICS = (LEAD_TO_OPPORTUNITY_RATE, OPPORTUNITY_TO_ORDER_RATE)

#: Days after its period ends by which a cohort rate's cohort has matured: the lead-to-opportunity
#: rate's own window; the opportunity-to-order rate has none (a deal counts whenever it is won), so
#: half a year, by when most deals have closed. Until then the rate still rises, and comparing it
#: with an older, mature cohort is not like-for-like.
MATURITY_DAYS = {LEAD_TO_OPPORTUNITY_RATE.key: LEAD_TO_OPPORTUNITY_DAYS, OPPORTUNITY_TO_ORDER_RATE.key: 180}


def maturing_days(metric_key: str, period: Period, as_of: date) -> int | None:
    """The maturity window (days) of a cohort rate whose cohort, created in ``period``, is younger
    than it on ``as_of``; None when the cohort has matured or the metric is not a cohort rate."""
    days = MATURITY_DAYS.get(metric_key)
    if days is None or as_of >= period.end + timedelta(days=days):
        return None
    return days


# --- The records behind a stage --------------------------------------------------------------------------


def lead_record(r: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """What every list of leads opens with, from a record row (``lead_id``, ``company_name``, ``contact_name``,
    ``unit_id``, ``source_channel``, ``created_at``): lead, company, contact, the code of the unit it was routed to,
    source channel and the business date it was created."""
    unit = ctx.org.by_id(int(r["unit_id"])) if r["unit_id"] is not None and not pd.isna(r["unit_id"]) else None
    return {
        "lead_id": int(r["lead_id"]),
        "company": r["company_name"],
        "contact": r["contact_name"],
        "unit": unit.code if unit else None,
        "source": r["source_channel"],
        "created": local_day(r["created_at"], ctx),
    }


def local_day(value: object, ctx: Context) -> date | None:
    """A stage date as the company's business date: UTC timestamps moved to its zone, dates kept."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).astimezone(ctx.calendar.zone).date()
    return value if isinstance(value, date) else None


def stage_records(
    ctx: Context, flt: Filters, stage: str, mode: Mode = "cohort", within_days: int | None = None, limit: int = 200
) -> tuple[pd.DataFrame, int]:
    """The leads counted at ``stage`` by :func:`funnel` for the same arguments, most recent stage date
    first (ties by lead id), at most ``limit`` of them; and how many there are in all.

    Columns: ``lead_id``, ``company``, ``contact``, ``unit`` (code), ``source``, ``created`` and
    ``stage_date`` (business dates in the company zone; the repeat order's own date), ``opportunity``
    (the converted opportunity's name, from the opportunity stage on) and ``amount`` (opportunity and
    won stages: the amount :func:`funnel` sums, in the reporting currency; None without a rate).
    """
    if stage not in STAGES:
        raise ValueError(f"unknown funnel stage {stage!r}; expected one of {', '.join(STAGES)}")
    if mode not in ("cohort", "snapshot"):
        raise ValueError(f"unknown funnel mode {mode!r}; expected 'cohort' or 'snapshot'")
    if within_days is not None and within_days < 0:
        raise ValueError(f"within_days must be ≥ 0, not {within_days}")
    if mode == "cohort":
        p = _with_rate(per_lead(ctx, flt, cohort=True), lambda s: s.c.created_day, ctx, "amount_usd", "cohort_leads")
        condition = reached(p, ctx, within_days)[stage]
        amount = p.c.amount_usd
    else:
        p, entered = snapshot_entries(ctx, flt)
        condition = entered[stage]
        amount = p.c.won_usd if stage == "won" else p.c.opportunity_usd
    stage_at = {
        "lead": p.c.created_at,
        "qualified": p.c.qualified_at,
        "opportunity": p.c.opportunity_at,
        "won": p.c.won_at,
        "repeat": p.c.repeat_order,
    }[stage]
    lead, opp = LEAD.table, schema.opportunity
    with_opportunity = STAGES.index(stage) >= STAGES.index("opportunity")
    stmt = (
        select(
            p.c.lead_id,
            lead.c.company_name,
            lead.c.contact_name,
            p.c.unit_id,
            p.c.source_channel,
            p.c.created_at,
            stage_at.label("stage_at"),
            (opp.c.name if with_opportunity else literal(None)).label("opportunity"),
            (amount if stage in AMOUNT_STAGES else literal(None)).label("amount"),
            func.count().over().label("total"),
        )
        .select_from(
            p.join(lead, lead.c.lead_id == p.c.lead_id).outerjoin(opp, opp.c.opportunity_id == lead.c.converted_opportunity_id)
        )
        .where(condition)
        .order_by(stage_at.desc(), p.c.lead_id)
        .limit(limit)
    )
    frame = read_frame(ctx.engine, stmt)
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    rows = []
    for r in frame.to_dict("records"):
        rows.append(
            {
                **lead_record(r, ctx),
                "stage_date": local_day(r["stage_at"], ctx),
                "opportunity": r["opportunity"] if with_opportunity else None,
                "amount": _money(r["amount"]) if stage in AMOUNT_STAGES else None,
            }
        )
    columns = ["lead_id", "company", "contact", "unit", "source", "created", "stage_date", "opportunity", "amount"]
    return pd.DataFrame(rows, columns=columns), total
