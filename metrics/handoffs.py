"""Hand-offs: how fast sales answers the leads marketing assigns, what became of leads sent back, and
the customers about to be lost because their owner left.

Decisions (stated in the definitions the UI shows):

- **Response time** runs from ``lead.assigned_at`` to ``lead.first_response_at``, in hours (whole seconds
  ÷ 3600, percentiles exact via :func:`metrics.sql.distribution`). The leads measured are the scoped
  leads *assigned* in the period and before the end of the as-of day; a response after that has not
  happened yet. A lead is assigned when its ``assigned_at`` is set, **with or without a rep**: marketing
  has handed it to sales (a unit's queue when ``assigned_rep_id`` is NULL), so the clock runs; such a lead
  counts under no rep and no team, and under the unit it was routed to. Dropping it would hide exactly
  the leads nobody picks up.
- **Breach**: a response later than the limit (``limit_hours``, default 24; a response exactly at the
  limit is on time), or no response by the end of the as-of day when the lead was assigned more than
  the limit before it. A lead with no response whose limit has not run out is **pending**: not yet
  decided, so outside the breach rate's denominator. A response recorded before the assignment (a data
  error) is on time and left out of the distribution.
- **Team**: the rep's team (``rep_team_history``) on the business day of the assignment.
- **Returned leads**: the funnel's (:func:`metrics.funnel.returned_select`): leads first returned to
  marketing in the period. What became of them by the as-of day, furthest first: ``converted`` (the
  funnel's ``converted_later``), ``requalified`` (qualified after the return), ``disqualified`` (after
  the return), else ``still_returned``.
- **A rep has left** when their ``leave_date`` (last day employed) is before the as-of day.
- **Ownership** is read as of the as-of day: an account's owner from the ``account_history`` row in force
  that day (a row with no owner means nobody owns it), else ``account.owner_rep_id``; an opportunity's
  owner is its ``owner_rep_id``. An opportunity is open that day when created before its end and not
  closed by then (``closed_at`` after it, or no ``closed_at`` and status ``open``); its amount converts at
  the as-of day's rate. An account with no owner, or an owner missing from the rep table, has **no owner**.
- **Ownership scope**: the accounts are those homed in the viewer's scope (and the unit filter) that day;
  the open opportunities counted — on those accounts, or owned by a leaver — are the scoped ones
  (``FACTS["opportunity"]``: the unit, business unit and product stored on the opportunity). So a team
  lead never sees pipeline credited to another unit, even on an account homed in theirs, and both
  pipelines use one scope.
- **Unpriced**: an open opportunity with no amount, or in a currency with no rate on the as-of day, is
  counted but adds nothing to the pipeline; ``unpriced_opportunities`` says how many such deals there are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import ColumnElement, Date, FromClause, Select, Subquery, and_, case, func, literal, literal_column, or_, select

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import FACTS, Filters, scoped_accounts
from metrics.base import CENT, Context, as_of_instant, Grouping, Metric, group_column, groupings_for, in_period, not_applicable_for, ratio_value, scoped, unit_group
from metrics.funnel import first_status, local_day
from metrics.money import converted, rate_join
from metrics.sql import QUANTILES, bool_sum, distribution, local_date, seconds_between

LEAD = FACTS["lead"]
OPPORTUNITY = FACTS["opportunity"]
#: The default response limit, in hours.
LIMIT_HOURS = 24
SECONDS_PER_HOUR = 3600
STATISTICS = ("n", *QUANTILES, "mean")
ResponseBy = Literal["rep", "team", "unit"] | None
ReturnedBy = Literal["rep", "unit", "source"] | None
OUTCOMES = ("converted", "requalified", "disqualified", "still_returned")
OWNERSHIP = ("owner_left_accounts", "owner_left_opportunities", "no_owner_accounts")
OWNERSHIP_COLUMNS = ["kind", "records", "open_opportunities", "open_pipeline", "unpriced_opportunities"]


def _limit_seconds(limit_hours: float) -> int:
    if not limit_hours > 0:
        raise ValueError(f"the response limit must be above zero hours, not {limit_hours}")
    return round(limit_hours * SECONDS_PER_HOUR)


def _money(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return Decimal(str(value)).quantize(CENT)


def _int(value: object) -> int | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return int(value)  # type: ignore[call-overload]


def _plain(value: object) -> object:
    """A group value as plain Python: NULL (None or NaN) as None."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def _objects(frame: pd.DataFrame, rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with ``columns`` held as objects, so that a missing value stays None (pandas would make a
    float column's None a NaN)."""
    for column in columns:
        frame[column] = pd.Series([r[column] for r in rows], index=frame.index, dtype=object)
    return frame


def _by_group(frame: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    """``frame`` sorted by its ``group`` (as text), the group None (no rep, no team) last and kept None, not NaN."""
    frame = _objects(frame, rows, ("group",))
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["group"] is None, str(rows[i]["group"])))
    return frame.iloc[order].reset_index(drop=True)


def _code(ctx: Context, unit_id: object) -> str | None:
    """A unit id as its code (None for none)."""
    i = _int(unit_id)
    unit = ctx.org.by_id(i) if i is not None else None
    return unit.code if unit else None


def _local_time(value: object, ctx: Context) -> datetime | None:
    """A UTC timestamp as the company's local time (naive), to the second (the time of day that
    :func:`metrics.funnel.local_day` drops)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    moment = pd.Timestamp(value).to_pydatetime()  # type: ignore[arg-type]
    return moment.replace(tzinfo=UTC).astimezone(ctx.calendar.zone).replace(tzinfo=None, microsecond=0)


def _rep_code(rep_id: ColumnElement) -> ColumnElement[str]:
    r = schema.rep.alias("group_rep")
    return select(r.c.code).where(r.c.rep_id == rep_id).scalar_subquery()


# --- Lead response ---------------------------------------------------------------------------------


def team_at_assignment(ctx: Context, flt: Filters) -> ColumnElement:
    """The assigned rep's team (``rep_team_history``) on the business day of the lead's assignment: a
    correlated lookup per lead, so built only when the team is asked for."""
    lead, h = LEAD.table, schema.rep_team_history
    day = local_date(lead.c.assigned_at, flt.period.start, flt.period.end, ctx.calendar)
    return (
        select(func.max(h.c.team_unit_id))
        .where(h.c.rep_id == lead.c.assigned_rep_id, h.c.valid_from <= day, or_(h.c.valid_to.is_(None), h.c.valid_to > day))
        .scalar_subquery()
    )


def assignments(ctx: Context, flt: Filters, limit_hours: float = LIMIT_HOURS, group: ColumnElement | None = None) -> Subquery:
    """One row per scoped lead assigned in the period (and before the as-of day ends), with or without a rep:
    ``lead_id``, ``unit_id``, ``rep_id``, ``seconds`` (assignment to first response by the as-of day, else NULL)
    and 0/1 flags ``responded``, ``late``, ``overdue`` (no response and the limit ran out), ``pending`` and
    ``breach`` (late or overdue); with ``group`` (an expression over the lead row), also ``grp``."""
    limit_s = _limit_seconds(limit_hours)
    lead = LEAD.table
    instant = as_of_instant(ctx)
    answered = and_(lead.c.first_response_at.is_not(None), lead.c.first_response_at < instant)
    seconds = seconds_between(lead.c.first_response_at, lead.c.assigned_at)
    late = and_(answered, seconds > limit_s)
    overdue = and_(~answered, lead.c.assigned_at < instant - timedelta(seconds=limit_s))
    pending = and_(~answered, lead.c.assigned_at >= instant - timedelta(seconds=limit_s))

    def flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return case((condition, 1), else_=0)

    columns = [
        lead.c.lead_id,
        lead.c.unit_id,
        lead.c.assigned_rep_id.label("rep_id"),
        case((answered, seconds)).label("seconds"),
        flag(answered).label("responded"),
        flag(late).label("late"),
        flag(overdue).label("overdue"),
        flag(pending).label("pending"),
        flag(or_(late, overdue)).label("breach"),
    ]
    if group is not None:
        columns.append(group.label("grp"))
    return (
        select(*columns)
        .where(
            lead.c.assigned_at.is_not(None),
            in_period(lead.c.assigned_at, flt.period, ctx.calendar, timestamp=True),
            lead.c.assigned_at < instant,
            *scoped(LEAD, ctx, flt),
        )
        .subquery("assignments")
    )


def _response_group(by: ResponseBy, ctx: Context, flt: Filters) -> ColumnElement | None:
    lead = LEAD.table
    if by is None:
        return None
    if by == "rep":
        return _rep_code(lead.c.assigned_rep_id)
    if by == "team":
        return team_at_assignment(ctx, flt)
    if by == "unit":
        return unit_group(lead.c.unit_id, ctx, flt)
    raise ValueError(f"unknown response grouping {by!r}; expected None, 'rep', 'team' or 'unit'")


def response_counts_select(ctx: Context, flt: Filters, limit_hours: float = LIMIT_HOURS, by: ResponseBy = None) -> Select:
    """``assigned``, ``responded``, ``late``, ``overdue``, ``pending`` and ``breaches`` (per ``group``)."""
    a = assignments(ctx, flt, limit_hours, _response_group(by, ctx, flt))
    stmt = select(
        func.count().label("assigned"),
        *(bool_sum(a.c[k] == 1).label(k) for k in ("responded", "late", "overdue", "pending")),
        bool_sum(a.c.breach == 1).label("breaches"),
    )
    return stmt if by is None else stmt.add_columns(a.c.grp.label("group")).group_by(a.c.grp)


def response_hours_select(ctx: Context, flt: Filters, by: ResponseBy = None) -> Select:
    """The distribution of response times (hours) of the leads answered by the as-of day (per ``group``)."""
    a = assignments(ctx, flt, LIMIT_HOURS, _response_group(by, ctx, flt))
    return distribution(
        a.c.seconds, where=[a.c.seconds >= 0], group=a.c.grp if by is not None else None, select_from=a, divide_by=SECONDS_PER_HOUR
    )


def _worst_first(frame: pd.DataFrame) -> pd.DataFrame:
    """The highest breach rate first, then the most breaches, then the most leads; the undecided (no rate) last;
    ties in the frame's order."""
    rows = frame.to_dict("records")
    order = sorted(
        range(len(rows)),
        key=lambda i: (rows[i]["breach_rate"] is None, -(rows[i]["breach_rate"] or 0.0), -rows[i]["breaches"], -rows[i]["assigned"]),
    )
    return frame.iloc[order].reset_index(drop=True)


def response_times(
    ctx: Context, flt: Filters, limit_hours: float = LIMIT_HOURS, by: ResponseBy = None, worst_first: bool = False
) -> pd.DataFrame:
    """Lead response against the limit: one row, or one per rep (code), team (code, the rep's team when the
    lead was assigned) or compared unit (code), the group None (no rep, no team) last; with ``worst_first``, the
    groups by the highest breach rate instead (then the most breaches, the most leads; the undecided last).

    Columns: (``group``,) ``assigned``, ``responded``, ``late``, ``overdue`` (never answered, limit run out),
    ``pending`` (unanswered, limit not yet run out), ``breaches`` (late + overdue), ``breach_rate``
    (breaches ÷ (assigned − pending); None when nothing is decided), and the response time in hours of the
    leads answered: ``n``, ``p25``, ``median``, ``p75``, ``p90``, ``mean``.
    """
    counts = read_frame(ctx.engine, response_counts_select(ctx, flt, limit_hours, by)).to_dict("records")
    hours = read_frame(ctx.engine, response_hours_select(ctx, flt, by)).to_dict("records")
    count_keys = ("assigned", "responded", "late", "overdue", "pending", "breaches")
    stats = {(_plain(r["group"]) if by is not None else None): r for r in hours}
    rows = []
    for r in counts:
        g = _plain(r["group"]) if by is not None else None
        if by == "team" and g is not None:
            unit = ctx.org.by_id(int(g))  # type: ignore[call-overload]
            g = unit.code if unit else str(g)
        n = {k: int(r[k] or 0) for k in count_keys}
        decided = n["assigned"] - n["pending"]
        s = stats.get(_plain(r["group"]) if by is not None else None, {})
        row: dict[str, object] = {} if by is None else {"group": g}
        row.update(n, breach_rate=ratio_value(n["breaches"], decided)[0])
        row["n"] = int(s.get("n") or 0)
        row.update({k: (None if s.get(k) is None or pd.isna(s.get(k)) else float(s[k])) for k in STATISTICS[1:]})
        rows.append(row)
    columns = (["group"] if by is not None else []) + [*count_keys, "breach_rate", *STATISTICS]
    out = _objects(pd.DataFrame(rows, columns=columns), rows, ("breach_rate", *STATISTICS[1:]))
    if by is None:
        return out
    return _worst_first(_by_group(out, rows)) if worst_first else _by_group(out, rows)


def breach_rate_query(limit_hours: float = LIMIT_HOURS) -> Callable[[Context, Filters, Grouping], Select]:
    """Breaches ÷ decided leads (assigned, not pending), grouped as :func:`metrics.base.group_column` does
    on the lead's assignment time, unit and dimensions."""

    def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
        lead = LEAD.table
        group = group_column(grouping, ctx, flt, date=lead.c.assigned_at, unit=lead.c.unit_id, timestamp=True, fact=LEAD)
        a = assignments(ctx, flt, limit_hours, group if group is not None else literal_column("0"))
        stmt = select(bool_sum(a.c.breach == 1).label("numerator"), bool_sum(a.c.pending == 0).label("denominator"))
        return stmt if grouping.by is None else stmt.add_columns(a.c.grp.label("group")).group_by(a.c.grp)

    return query


def breach_rate_metric(limit_hours: float = LIMIT_HOURS) -> Metric:
    """The response-breach rate against a limit of ``limit_hours`` (the definition states the limit)."""
    limit = f"{limit_hours:g}"
    return Metric(
        key="lead_response_breach_rate" if limit_hours == LIMIT_HOURS else f"lead_response_breach_rate_{limit}h",
        label={"en": f"Lead response breaches ({limit} h)", "zh": f"线索响应超时率（{limit} 小时）"},
        definition={
            "en": f"Of the leads assigned in the period (assignment time in the company's time zone, up to the as-of day; "
            "a lead with an assignment time counts whether or not a rep is named on it, since one left in a unit's queue "
            f"has been handed over all the same), the share whose first response came more than {limit} hours after the "
            f"assignment, or had not come by the end of the as-of day although the assignment was more than {limit} hours "
            f"before it. A response exactly {limit} hours after is on time, and so is one recorded before the assignment "
            f"(a data error, left out of the response-time distribution). Leads still unanswered within their {limit} "
            "hours are not yet decided and left out. Credited to the unit the lead was routed to; the business-unit and "
            "product filters do not apply to leads. Not computed when no assigned lead is decided.",
            "zh": "期间内已分派的线索（按公司时区的分派时间，截至数据日期；有分派时间即计入，无论是否指定销售，因为留在组织单元队列中的线索"
            f"同样已经移交）中，首次响应晚于分派后 {limit} 小时，或截至数据日期当天结束仍未响应且分派已超过 {limit} 小时的比例。"
            f"恰好在 {limit} 小时响应的算按时；响应时间早于分派时间（数据错误）的也算按时，但不计入响应时长分布。"
            f"尚未响应但未满 {limit} 小时的线索尚未判定，不计入。计入线索分派到的组织单元；经营单元与产品筛选不适用于线索。无已判定的线索时不计算。",
        },
        kind="ratio",
        better="down",
        query=breach_rate_query(limit_hours),
        not_applicable=not_applicable_for(LEAD),
        groupings=groupings_for(LEAD),
    )


RESPONSE_BREACH_RATE = breach_rate_metric()


def breach_records_select(
    ctx: Context, flt: Filters, limit_hours: float = LIMIT_HOURS, rep: str | None = None, team: str | None = None, limit: int = 200
) -> Select:
    """The breaches of :func:`assignments` (``breach`` = 1), for one rep (code) or team (code, the rep's team on
    the assignment day) when given: unanswered first (longest waiting first), then the latest responses; at most
    ``limit``, each with ``total`` (how many there are in all)."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    lead, r = LEAD.table, schema.rep.alias("breach_rep")
    a = assignments(ctx, flt, limit_hours, team_at_assignment(ctx, flt))
    where: list[ColumnElement[bool]] = [a.c.breach == 1]
    if rep is not None:
        where.append(r.c.code == rep)
    if team is not None:
        unit = ctx.org.by_code(team)
        where.append(a.c.grp == (unit.unit_id if unit else -1))
    return (
        select(
            a.c.lead_id,
            lead.c.company_name,
            a.c.unit_id,
            r.c.code.label("rep_code"),
            a.c.grp.label("team_id"),
            lead.c.assigned_at,
            case((a.c.responded == 1, lead.c.first_response_at)).label("first_response_at"),
            a.c.seconds,
            a.c.overdue,
            func.count().over().label("total"),
        )
        .select_from(a.join(lead, lead.c.lead_id == a.c.lead_id).outerjoin(r, r.c.rep_id == a.c.rep_id))
        .where(*where)
        # Unanswered (responded 0) first, the longest waiting first; then the slowest responses.
        .order_by(a.c.responded, case((a.c.responded == 0, lead.c.assigned_at)), a.c.seconds.desc(), a.c.lead_id)
        .limit(limit)
    )


def breach_records(
    ctx: Context, flt: Filters, limit_hours: float = LIMIT_HOURS, rep: str | None = None, team: str | None = None, limit: int = 200
) -> tuple[pd.DataFrame, int]:
    """The leads behind :func:`response_times`' ``breaches`` for the same filters and limit (one rep's or one
    team's with ``rep`` / ``team``, codes as its groups), unanswered first, at most ``limit``; and how many there
    are in all.

    Columns: ``lead_id``, ``company``, ``unit`` (code), ``rep`` (code; None for a unit's queue), ``team`` (code),
    ``assigned_at`` and ``first_response_at`` (the company's local time, naive; no response by the as-of day: None),
    ``hours`` (assignment to response; None when unanswered) and ``verdict`` (``late`` or ``no_response``).
    """
    frame = read_frame(ctx.engine, breach_records_select(ctx, flt, limit_hours, rep, team, limit))
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    rows = []
    for r in frame.to_dict("records"):
        seconds = _int(r["seconds"])
        rows.append(
            dict(
                lead_id=int(r["lead_id"]), company=_plain(r["company_name"]), unit=_code(ctx, r["unit_id"]),
                rep=_plain(r["rep_code"]), team=_code(ctx, r["team_id"]), assigned_at=_local_time(r["assigned_at"], ctx),
                first_response_at=_local_time(r["first_response_at"], ctx),
                hours=None if seconds is None else seconds / SECONDS_PER_HOUR,
                verdict="no_response" if int(r["overdue"] or 0) else "late",
            )
        )
    columns = ["lead_id", "company", "unit", "rep", "team", "assigned_at", "first_response_at", "hours", "verdict"]
    return _objects(pd.DataFrame(rows, columns=columns), rows, ("company", "rep", "team", "first_response_at", "hours")), total


# --- Leads returned to marketing ----------------------------------------------------------------------


def returned_leads_select(ctx: Context, flt: Filters, group: ColumnElement | None = None) -> Subquery:
    """One row per scoped lead first returned to marketing in the period (and before the as-of day ends), the
    leads of :func:`metrics.funnel.returned_select`: ``lead_id``, ``unit_id``, ``rep_id``, ``returned_at`` (UTC)
    and ``outcome`` (one of :data:`OUTCOMES`, by the as-of day, furthest first); with ``group`` (an expression
    over the lead row), also ``grp``. The counts and the records behind them both read it."""
    lead, opp, h = LEAD.table, schema.opportunity, schema.lead_status_history
    back = first_status("returned")
    instant = as_of_instant(ctx)
    converted_at = case((lead.c.converted_opportunity_id.is_not(None), func.coalesce(lead.c.converted_at, opp.c.created_at)))

    def after(status: str) -> ColumnElement[bool]:
        later = h.alias(f"after_{status}")
        return (
            select(later.c.lead_id)
            .where(later.c.lead_id == lead.c.lead_id, later.c.status == status, later.c.changed_at > back.c.at, later.c.changed_at < instant)
            .exists()
        )

    outcome = case(
        (and_(converted_at.is_not(None), converted_at > back.c.at, converted_at < instant), "converted"),
        (or_(after("qualified"), and_(lead.c.qualified_at > back.c.at, lead.c.qualified_at < instant)), "requalified"),
        (after("disqualified"), "disqualified"),
        else_="still_returned",
    )
    columns = [
        lead.c.lead_id,
        lead.c.unit_id,
        lead.c.assigned_rep_id.label("rep_id"),
        back.c.at.label("returned_at"),
        outcome.label("outcome"),
    ]
    if group is not None:
        columns.append(group.label("grp"))
    return (
        select(*columns)
        .select_from(lead.join(back, back.c.lead_id == lead.c.lead_id).outerjoin(opp, opp.c.opportunity_id == lead.c.converted_opportunity_id))
        .where(in_period(back.c.at, flt.period, ctx.calendar, timestamp=True), back.c.at < instant, *scoped(LEAD, ctx, flt))
        .subquery("returned_outcomes")
    )


def returned_outcomes_select(ctx: Context, flt: Filters, by: ReturnedBy = None) -> Select:
    """``returned`` and how many of them ended in each of :data:`OUTCOMES` (per ``group``): the leads of
    :func:`metrics.funnel.returned_select`, its ``converted_later`` being ``converted``."""
    if by not in (None, "rep", "unit", "source"):
        raise ValueError(f"returned leads split by rep, unit or source only, not {by!r}")
    lead = LEAD.table
    group = {
        None: literal_column("0"),
        "rep": _rep_code(lead.c.assigned_rep_id),
        "unit": unit_group(lead.c.unit_id, ctx, flt),
        "source": lead.c.source_channel,
    }[by]
    p = returned_leads_select(ctx, flt, group)
    stmt = select(func.count().label("returned"), *(bool_sum(p.c.outcome == o).label(o) for o in OUTCOMES))
    return stmt if by is None else stmt.add_columns(p.c.grp.label("group")).group_by(p.c.grp)


def returned_outcomes(ctx: Context, flt: Filters, by: ReturnedBy = None) -> pd.DataFrame:
    """Leads first returned to marketing in the period and what became of them by the as-of day.

    Columns: (``group``,) ``returned``, ``converted``, ``requalified``, ``disqualified``, ``still_returned``
    (ints; they add up to ``returned``) and ``converted_share`` (converted ÷ returned, None with none).
    """
    frame = read_frame(ctx.engine, returned_outcomes_select(ctx, flt, by))
    rows = []
    for r in frame.to_dict("records"):
        n = {k: int(r[k] or 0) for k in ("returned", *OUTCOMES)}
        row: dict[str, object] = {} if by is None else {"group": _plain(r["group"])}
        rows.append({**row, **n, "converted_share": ratio_value(n["converted"], n["returned"])[0]})
    columns = (["group"] if by is not None else []) + ["returned", *OUTCOMES, "converted_share"]
    out = _objects(pd.DataFrame(rows, columns=columns), rows, ("converted_share",))
    return out if by is None else _by_group(out, rows)


def returned_records(ctx: Context, flt: Filters, outcome: str | None = None, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """The leads behind :func:`returned_outcomes` (those of one of :data:`OUTCOMES` when given), latest return
    first (ties by id), at most ``limit``; and how many there are in all.

    Columns: ``lead_id``, ``company``, ``unit`` (code), ``source``, ``rep`` (code of the rep it was assigned to;
    None without one), ``returned_on`` (the business date of its first return) and ``outcome``.
    """
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    lead, r = LEAD.table, schema.rep.alias("returned_rep")
    p = returned_leads_select(ctx, flt)
    stmt = (
        select(
            p.c.lead_id, lead.c.company_name, p.c.unit_id, lead.c.source_channel, r.c.code.label("rep_code"), p.c.returned_at, p.c.outcome,
            func.count().over().label("total"),
        )
        .select_from(p.join(lead, lead.c.lead_id == p.c.lead_id).outerjoin(r, r.c.rep_id == p.c.rep_id))
        .where(*([p.c.outcome == outcome] if outcome is not None else []))
        .order_by(p.c.returned_at.desc(), p.c.lead_id)
        .limit(limit)
    )
    frame = read_frame(ctx.engine, stmt)
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    rows = [
        dict(
            lead_id=int(x["lead_id"]), company=_plain(x["company_name"]), unit=_code(ctx, x["unit_id"]), source=_plain(x["source_channel"]),
            rep=_plain(x["rep_code"]), returned_on=local_day(x["returned_at"], ctx), outcome=str(x["outcome"]),
        )
        for x in frame.to_dict("records")
    ]
    columns = ["lead_id", "company", "unit", "source", "rep", "returned_on", "outcome"]
    return _objects(pd.DataFrame(rows, columns=columns), rows, ("company", "source", "rep")), total


# --- Ownership: customers about to be lost in a hand-over ---------------------------------------------


def _open_on(op: FromClause, ctx: Context) -> ColumnElement[bool]:
    """An opportunity open at the end of the as-of day."""
    instant = as_of_instant(ctx)
    return and_(op.c.created_at < instant, or_(op.c.closed_at >= instant, and_(op.c.closed_at.is_(None), op.c.status == "open")))


def _left(rep: FromClause, ctx: Context) -> ColumnElement[bool]:
    """The rep had left by the as-of day: their last day was before it."""
    return and_(rep.c.leave_date.is_not(None), rep.c.leave_date < literal(ctx.as_of, Date()))


def owned_accounts(ctx: Context, flt: Filters) -> Subquery:
    """One row per scoped account (home unit as of the as-of day): ``account_id``, ``name``, ``home_unit_id``,
    ``owner_id`` (as of the as-of day), ``owner_code``, ``left_on`` (the owner's leave date when they have
    left), ``owner_left`` and ``no_owner`` (0/1), ``open_opportunities``, ``open_pipeline`` (reporting currency)
    and ``unpriced_opportunities`` (open, but no amount or no rate that day: not in the pipeline), over its open
    opportunities in the viewer's scope and the filters (``FACTS["opportunity"]``, as :func:`leaver_opportunities`)."""
    a, h, r = schema.account, schema.account_history, schema.rep.alias("account_owner")
    on = ctx.as_of
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, on)
    in_force = (
        select(h.c.account_id, func.max(h.c.owner_rep_id).label("owner_rep_id"))
        .where(h.c.valid_from <= on, or_(h.c.valid_to.is_(None), h.c.valid_to > on))
        .group_by(h.c.account_id)
        .subquery("owner_then")
    )
    owner = case((in_force.c.account_id.is_not(None), in_force.c.owner_rep_id), else_=a.c.owner_rep_id)
    op = OPPORTUNITY.table
    joined, rate = rate_join(op, op.c.currency, literal(on, Date()), ctx.currency)
    amount = converted(op.c.amount, rate)
    pipeline = (
        select(
            op.c.account_id,
            func.count().label("open_opportunities"),
            func.round(func.sum(amount), 2).label("open_pipeline"),
            bool_sum(amount.is_(None)).label("unpriced_opportunities"),
        )
        .select_from(joined)
        # The deal's own unit, not only the account's home: another unit's deal on an account homed in scope is not the viewer's.
        .where(_open_on(op, ctx), *scoped(OPPORTUNITY, ctx, flt))
        .group_by(op.c.account_id)
        .subquery("account_pipeline")
    )
    owned = (
        select(accounts.c.account_id, a.c.name, accounts.c.home_unit_id, owner.label("owner_id"))
        .select_from(accounts.join(a, a.c.account_id == accounts.c.account_id).outerjoin(in_force, in_force.c.account_id == a.c.account_id))
        .subquery("owned")
    )
    left = _left(r, ctx)
    return (
        select(
            owned.c.account_id,
            owned.c.name,
            owned.c.home_unit_id,
            owned.c.owner_id,
            r.c.code.label("owner_code"),
            case((left, r.c.leave_date)).label("left_on"),
            case((left, 1), else_=0).label("owner_left"),
            case((r.c.rep_id.is_(None), 1), else_=0).label("no_owner"),
            func.coalesce(pipeline.c.open_opportunities, 0).label("open_opportunities"),
            func.coalesce(pipeline.c.open_pipeline, 0).label("open_pipeline"),
            func.coalesce(pipeline.c.unpriced_opportunities, 0).label("unpriced_opportunities"),
        )
        .select_from(owned.outerjoin(r, r.c.rep_id == owned.c.owner_id).outerjoin(pipeline, pipeline.c.account_id == owned.c.account_id))
        .subquery("owned_accounts")
    )


def leaver_opportunities(ctx: Context, flt: Filters) -> Subquery:
    """The scoped opportunities open at the end of the as-of day whose owner had left by then: ``opportunity_id``,
    ``name``, ``account_id``, ``unit_id``, ``owner_code``, ``left_on``, ``stage``, ``expected_close_date`` and
    ``amount`` (reporting currency at the as-of day's rate; NULL without a rate)."""
    op, r = OPPORTUNITY.table, schema.rep.alias("opportunity_owner")
    joined, rate = rate_join(op.join(r, r.c.rep_id == op.c.owner_rep_id), op.c.currency, literal(ctx.as_of, Date()), ctx.currency)
    return (
        select(
            op.c.opportunity_id,
            op.c.name,
            op.c.account_id,
            op.c.unit_id,
            r.c.code.label("owner_code"),
            r.c.leave_date.label("left_on"),
            op.c.stage,
            op.c.expected_close_date,
            converted(op.c.amount, rate).label("amount"),
        )
        .select_from(joined)
        .where(_open_on(op, ctx), _left(r, ctx), *scoped(OPPORTUNITY, ctx, flt))
        .subquery("leaver_opportunities")
    )


def ownership_select(ctx: Context, flt: Filters) -> Select:
    """One row: per kind of :data:`OWNERSHIP`, its records, open opportunities, open pipeline and unpriced open opportunities."""
    acc, opp = owned_accounts(ctx, flt), leaver_opportunities(ctx, flt)

    def of_accounts(flag: ColumnElement, name: str) -> list[ColumnElement]:
        chosen = flag == 1
        return [
            bool_sum(chosen).label(f"{name}_accounts"),
            func.coalesce(func.sum(case((chosen, acc.c.open_opportunities))), 0).label(f"{name}_accounts_opportunities"),
            func.round(func.coalesce(func.sum(case((chosen, acc.c.open_pipeline))), 0), 2).label(f"{name}_accounts_pipeline"),
            func.coalesce(func.sum(case((chosen, acc.c.unpriced_opportunities))), 0).label(f"{name}_accounts_unpriced"),
        ]

    return select(
        *of_accounts(acc.c.owner_left, "left"),
        *of_accounts(acc.c.no_owner, "no_owner"),
        select(func.count()).select_from(opp).scalar_subquery().label("left_opportunities"),
        select(func.round(func.coalesce(func.sum(opp.c.amount), 0), 2)).scalar_subquery().label("left_opportunities_pipeline"),
        select(bool_sum(opp.c.amount.is_(None))).scalar_subquery().label("left_opportunities_unpriced"),
    ).select_from(acc)


def ownership(ctx: Context, flt: Filters) -> pd.DataFrame:
    """The customers about to be lost in a hand-over, as of the as-of day: one row per kind
    (``owner_left_accounts``: accounts whose owner has left; ``owner_left_opportunities``: open opportunities
    whose owner has left; ``no_owner_accounts``), with ``records``, ``open_opportunities`` (the accounts'
    open opportunities in scope, or the opportunities themselves), ``open_pipeline`` (Decimal, reporting currency)
    and ``unpriced_opportunities`` (of those open opportunities, the ones with no amount or no rate on the as-of
    day: counted in ``open_opportunities``, missing from ``open_pipeline``)."""
    r = read_frame(ctx.engine, ownership_select(ctx, flt)).iloc[0]
    rows = [
        ("owner_left_accounts", *(r[f"left_accounts{k}"] for k in ("", "_opportunities", "_pipeline", "_unpriced"))),
        ("owner_left_opportunities", *(r[f"left_opportunities{k}"] for k in ("", "", "_pipeline", "_unpriced"))),
        ("no_owner_accounts", *(r[f"no_owner_accounts{k}"] for k in ("", "_opportunities", "_pipeline", "_unpriced"))),
    ]
    return pd.DataFrame(
        [
            {
                "kind": k,
                "records": int(n or 0),
                "open_opportunities": int(o or 0),
                "open_pipeline": _money(p) or Decimal("0.00"),
                "unpriced_opportunities": int(u or 0),
            }
            for k, n, o, p, u in rows
        ],
        columns=OWNERSHIP_COLUMNS,
    )


def ownership_records_select(ctx: Context, flt: Filters, kind: str, limit: int = 20) -> Select:
    """The records of ``kind`` (one of :data:`OWNERSHIP`), largest open pipeline first, at most ``limit``,
    each with ``total`` (how many there are in all)."""
    if kind not in OWNERSHIP:
        raise ValueError(f"unknown ownership kind {kind!r}; expected one of {', '.join(OWNERSHIP)}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    if kind == "owner_left_opportunities":
        o, a = leaver_opportunities(ctx, flt), schema.account
        return (
            select(*o.c, a.c.name.label("account"), func.count().over().label("total"))
            .select_from(o.outerjoin(a, a.c.account_id == o.c.account_id))
            .order_by(case((o.c.amount.is_(None), 1), else_=0), o.c.amount.desc(), o.c.opportunity_id)
            .limit(limit)
        )
    acc = owned_accounts(ctx, flt)
    flag = acc.c.owner_left if kind == "owner_left_accounts" else acc.c.no_owner
    return (
        select(*acc.c, func.count().over().label("total"))
        .where(flag == 1)
        .order_by(acc.c.open_pipeline.desc(), acc.c.account_id)
        .limit(limit)
    )


def ownership_records(ctx: Context, flt: Filters, kind: str, limit: int = 20) -> tuple[pd.DataFrame, int]:
    """The drill-down behind :func:`ownership`: the records of ``kind``, largest open pipeline first (ties by id),
    at most ``limit``; and how many there are in all.

    Accounts: ``account_id``, ``name``, ``home_unit`` (code), ``owner`` (rep code; None without one), ``left_on``,
    ``open_opportunities``, ``open_pipeline``, ``unpriced_opportunities``. Opportunities: ``opportunity_id``,
    ``name``, ``account``, ``unit`` (code), ``owner``, ``left_on``, ``stage``, ``expected_close_date``, ``amount``
    (None without a rate).
    """
    frame = read_frame(ctx.engine, ownership_records_select(ctx, flt, kind, limit))
    total = int(frame["total"].iloc[0]) if len(frame) else 0

    if kind == "owner_left_opportunities":
        columns = ["opportunity_id", "name", "account", "unit", "owner", "left_on", "stage", "expected_close_date", "amount"]
        rows = [
            dict(
                opportunity_id=int(r["opportunity_id"]), name=r["name"], account=r["account"], unit=_code(ctx, r["unit_id"]), owner=r["owner_code"],
                left_on=local_day(r["left_on"], ctx), stage=r["stage"], expected_close_date=local_day(r["expected_close_date"], ctx),
                amount=_money(r["amount"]),
            )
            for r in frame.to_dict("records")
        ]
    else:
        columns = ["account_id", "name", "home_unit", "owner", "left_on", "open_opportunities", "open_pipeline"]
        columns.append("unpriced_opportunities")
        rows = [
            dict(
                account_id=int(r["account_id"]), name=r["name"], home_unit=_code(ctx, r["home_unit_id"]),
                owner=_plain(r["owner_code"]), left_on=local_day(r["left_on"], ctx),
                open_opportunities=int(r["open_opportunities"] or 0), open_pipeline=_money(r["open_pipeline"]) or Decimal("0.00"),
                unpriced_opportunities=int(r["unpriced_opportunities"] or 0),
            )
            for r in frame.to_dict("records")
        ]
    return pd.DataFrame(rows, columns=columns), total


# --- Definitions ------------------------------------------------------------------------------------------

#: The written definitions the hand-off views show, per language (the same keys in each).
DEFINITIONS: dict[str, dict[str, str]] = {
    "lead_response": RESPONSE_BREACH_RATE.definition,
    "returned": {
        "en": "Leads whose first return to marketing (their first 'returned' status) falls in the period, up to the end of "
        "the as-of day, in your scope and the source and segment filters. What became of each by the end of the as-of day, "
        "the furthest step first: converted (turned into an opportunity after the return), requalified (qualified again "
        "after the return), disqualified (after the return), else still returned. The four add up to the leads returned. "
        "Credited to the unit the lead was routed to; the business-unit and product filters do not apply to leads.",
        "zh": "首次退回市场部（其状态首次变为“已退回”）发生在期间内、截至数据日期当天结束的线索，限于您的权限范围及来源与客户类型筛选。"
        "截至数据日期当天结束的去向，按最远的一步计：已转化（退回后转为商机）、重新认定（退回后再次认定合格）、已取消资格（退回后），"
        "否则仍在退回状态。四项之和等于退回的线索数。计入线索分派到的组织单元；经营单元与产品筛选不适用于线索。",
    },
    "ownership": {
        "en": "As of the as-of day: accounts whose owner has left (their last day was before it), open opportunities whose "
        "owner has left, and accounts with no owner (none recorded, or an owner missing from the rep table). An account's "
        "owner and home unit are the ones in force that day; an opportunity is open when created by the end of the day and "
        "not closed by then. The accounts counted are those homed in your scope and the unit filter; the open opportunities "
        "counted, on those accounts or owned by a leaver, are those whose own unit, business unit and product lie in your "
        "scope and the filters, so both pipelines use one scope and a deal credited to another unit never shows, even on an "
        "account homed in yours. Pipeline in the reporting currency at the as-of day's rate, rounded to the cent. An open "
        "opportunity with no amount, or in a currency with no rate that day, is counted but adds nothing to the pipeline: "
        "the unpriced column says how many there are.",
        "zh": "按数据日计：负责人已离职（最后在职日早于数据日）的客户、负责人已离职的未结商机，以及无负责人（未记录负责人，或负责人不在销售表中）的客户。"
        "客户的负责人和归属单元取当天有效的记录；商机在当天结束前创建且当时尚未关闭即为未结。计入的客户为归属单元在您的权限范围及组织单元筛选内的客户；"
        "计入的未结商机（这些客户的，或离职人员负责的）须其自身记录的组织单元、经营单元和产品在您的权限范围及筛选内，因此两项商机金额使用同一范围，"
        "计入其他单元的商机即使在您单元的客户名下也不显示。商机金额按数据日汇率折算为报告货币，四舍五入到分。无金额或当日无汇率的未结商机计入笔数，"
        "但不计入金额：未定价一栏显示其数量。",
    },
}

METRICS = (RESPONSE_BREACH_RATE,)
