"""Targets and attainment: what each rep, unit and business unit was to reach in a period, and how far they got.

A target belongs to a *holder*: a rep, an org unit (team, office, region, cluster), a business unit,
or a unit within a business unit (``target.unit_id`` and ``target.bu_id`` both set). Stated targets are
read from the ``target`` table; a holder without one takes the sum of its children's (reps roll up
into their team, teams into offices and so on; business units into their parent business unit), and a
parent whose stated target differs from the sum of its children's is flagged.

Actuals aggregate in the database per rep, unit, team or business unit (one grouped query each) and are
added up along the hierarchy in Python, exactly (cents are summed, never re-rounded). The projection to
the period's end — closed to date plus Σ amount × probability of the open deals expected to close in
the period — is :func:`projection`, shared with the pipeline views.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import pandas as pd
from sqlalchemy import ColumnElement, Date, FromClause, Select, and_, exists, false, func, literal, or_, select

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import read_frame
from data_layer.filters import (
    FACTS,
    Fact,
    Filters,
    Period,
    _in_codes,
    _require_scope,
    _unit_ids,
    add_months,
    fiscal_quarter_start,
    fiscal_year_start,
    restrict,
)
from metrics.base import CENT, TOTAL, Context, Grouping, as_of_instant, group_column, grouped
from metrics.money import converted, rate_join
from metrics.sql import local_date
from metrics.stage_history import as_of_rows

Measure = Literal["revenue", "new_customers", "won_deals", "cash_collected"]
MEASURES: tuple[str, ...] = ("revenue", "new_customers", "won_deals", "cash_collected")
MONEY_MEASURES = frozenset({"revenue", "cash_collected"})
#: Measures with a pipeline to project from: open deals' amounts (revenue) or their count (won deals).
PROJECTED_MEASURES = frozenset({"revenue", "won_deals"})
PERIOD_KINDS = ("month", "quarter", "year")
#: How many periods of a finer kind make one of a coarser kind.
_PARTS = {("year", "quarter"): 4, ("year", "month"): 12, ("quarter", "month"): 3}

MEASURE_LABELS = {
    "revenue": {"en": "Revenue", "zh": "收入"},
    "new_customers": {"en": "New customers", "zh": "新客户"},
    "won_deals": {"en": "Won deals", "zh": "赢单数"},
    "cash_collected": {"en": "Cash collected", "zh": "回款"},
}

#: The written definitions the UI shows beside the attainment views (one per measure and one for the rest).
DEFINITIONS = {
    "revenue": "Actual: order amounts booked in the period up to the as-of day (order date), each converted at the rate of its "
    "order date and rounded to the cent; credited to the rep, unit and business unit stored on the order.",
    "cash_collected": "Actual: amounts of the orders paid in full in the period up to the as-of day (cash collected date), "
    "converted at the rate of the order date, so an order's cash equals its revenue; credited like the order.",
    "won_deals": "Actual: opportunities won in the period up to the as-of day (close time in the company's zone), credited to "
    "the owning rep and the unit and business unit stored on the opportunity.",
    "new_customers": "Actual: accounts whose first order ever with an amount above zero (the earliest by order date, then order "
    "number, across the whole company) is dated in the period up to the as-of day, credited to the rep, unit and business "
    "unit of that first order — so reps and teams can be measured. The New customers KPI counts by the account's home unit "
    "instead and can differ.",
    "targets": "Targets: the stated target of the holder for exactly this period; else the sum of its targets for the months "
    "or quarters that tile the period (all of them present); else the sum of its children's targets (a rep rolls up into "
    "the last team they were in during the period, a team into its office and so on; a business unit into its parent). "
    "A rolled-up target with some children lacking one is marked partial. A stated target that differs from the sum of "
    "its children's is flagged as a mismatch and kept: the stated target counts. A team's actual counts the records of the "
    "reps who were in the team on each record's date; every other unit's counts the records credited to its subtree.",
    "attainment": "Attainment = actual ÷ target (not computed for a missing or zero target). Pacing: where the holder should be "
    "by the as-of day, target × elapsed days ÷ days in the period (the as-of day counts as elapsed), and actual ÷ that. "
    "Projection (revenue and won deals): closed to date plus Σ amount × probability (won deals: Σ probability) of the "
    "open opportunities whose expected close date lies in the period — overdue ones within the period included, ones "
    "expected before it left out as stale; amounts at the rate of the as-of day, each weighted amount rounded to the cent; "
    "an open deal with no probability counts zero. Open deals are taken as they stood at the end of the as-of day — "
    "their stage, amount, probability and expected close from the last stage-history row by then, as in the weighted "
    "pipeline; one with no history row by then adds nothing. Once the period is over, the projection is the actual.",
}


#: The same definitions in Simplified Chinese (same keys as :data:`DEFINITIONS`).
DEFINITIONS_ZH = {
    "revenue": "实际值：本期截至数据日（按订单日期）入账的订单金额，每笔按订单日期的汇率折算并四舍五入到分；归属订单上记录的销售、"
    "单元和经营单元。",
    "cash_collected": "实际值：本期截至数据日（按回款日期）已全额回款的订单金额，按订单日期的汇率折算，因此一笔订单的回款等于其收入；"
    "归属方式与订单相同。",
    "won_deals": "实际值：本期截至数据日（按公司时区的关闭时间）赢单的商机，归属商机的负责销售以及商机上记录的单元和经营单元。",
    "new_customers": "实际值：首笔金额大于零的订单（在全公司范围内按订单日期、再按订单号取最早一笔）落在本期截至数据日的客户，"
    "归属这笔首单的销售、单元和经营单元——以便考核销售和团队。“新客户”核心指标则按客户的归属单元计数，两者可能不同。",
    "targets": "目标：持有者在本期的既定目标；若无，则为恰好覆盖本期的各月或各季度目标之和（须全部存在）；再无，则为其下级目标之和"
    "（销售计入其在本期最后所在的团队，团队汇总到代表处，依此类推；经营单元汇总到其上级经营单元）。部分下级缺少目标的汇总目标"
    "标为“不完整”。既定目标与下级目标之和不一致时标为“不一致”并保留既定目标。团队的实际值统计每条记录发生当日在该团队的销售的"
    "记录；其他单元的实际值统计归属其下属范围的记录。",
    "attainment": "达成率 = 实际值 ÷ 目标（目标缺失或为零时不计算）。进度：截至数据日应达到的水平，即 目标 × 已过天数 ÷ 本期天数"
    "（数据日计为已过），以及 实际值 ÷ 该值。预测（收入和赢单数）：截至目前的实际值，加上预计关闭日期落在本期内的未结商机的 "
    "Σ 金额 × 赢率（赢单数：Σ 赢率）——本期内已逾期的包括在内，预计在本期之前关闭的视为过期而不计；金额按数据日的汇率折算，"
    "每笔加权金额四舍五入到分；没有赢率的未结商机按零计。未结商机按数据日结束时的状态计算——阶段、金额、赢率和预计关闭日期取自"
    "截至当时最后一条阶段历史记录，与加权商机管道相同；截至当时没有历史记录的商机不计。本期结束后，预测即为实际值。",
}

# --- Periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetPeriod:
    """A target's period: a fiscal month, quarter or year, first and last day inclusive."""

    kind: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown target period {self.kind!r}; expected one of {', '.join(PERIOD_KINDS)}")
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_period(self) -> Period:
        """The same days as a filter :class:`Period` (month grain for trends)."""
        return Period(self.start, self.end, "day" if self.kind == "month" else "week" if self.kind == "quarter" else "month", self.kind)

    def elapsed_days(self, as_of: date) -> int:
        """Days of the period up to and including ``as_of`` (0 before it starts, all once it is over)."""
        return max(0, min(self.days, (as_of - self.start).days + 1))


def target_period(kind: str, day: date, cal: Calendar) -> TargetPeriod:
    """The fiscal month, quarter or year containing ``day``."""
    if kind == "month":
        start, months = day.replace(day=1), 1
    elif kind == "quarter":
        start, months = fiscal_quarter_start(day, cal), 3
    elif kind == "year":
        start, months = fiscal_year_start(day, cal), 12
    else:
        raise ValueError(f"unknown target period {kind!r}; expected one of {', '.join(PERIOD_KINDS)}")
    return TargetPeriod(kind, start, add_months(start, months) - timedelta(days=1))


# --- Holders and the hierarchy --------------------------------------------------------------------

HolderKind = Literal["unit", "rep", "bu"]


@dataclass(frozen=True, order=True)
class Holder:
    """Whose target: a unit or rep (``bu_id`` set: within that business unit), or a business unit (``id`` is its bu_id)."""

    kind: HolderKind
    id: int
    bu_id: int | None = None


@dataclass(frozen=True)
class _Node:
    level: str
    code: str
    name: str
    parent: Holder | None


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _int(value: object) -> int | None:
    return None if _is_missing(value) else int(value)  # type: ignore[call-overload]


def _dec(value: object) -> Decimal:
    return Decimal(str(value))


def _rep_teams(ctx: Context, period: TargetPeriod) -> dict[int, int]:
    """Each rep's team for the period: the last team the rep was in during it (a leaver keeps the team they left)."""
    h = schema.rep_team_history
    frame = read_frame(
        ctx.engine,
        select(h.c.rep_id, h.c.team_unit_id, h.c.valid_from)
        .where(h.c.valid_from <= period.end, or_(h.c.valid_to.is_(None), h.c.valid_to > period.start))
        .order_by(h.c.rep_id, h.c.valid_from),
    )
    return {int(r.rep_id): int(r.team_unit_id) for r in frame.itertuples()}  # the latest row wins


def rep_teams(ctx: Context, period: TargetPeriod) -> dict[int, int]:
    """Rep id → the id of the team the rep was last in during ``period`` (a leaver keeps the team they left)."""
    return _rep_teams(ctx, period)


def _lookup(ctx: Context, table: Any, key: str) -> pd.DataFrame:
    cols = [table.c[key], table.c.code, table.c.name] + ([table.c.parent_id] if "parent_id" in table.c else [])
    return read_frame(ctx.engine, select(*cols))


@dataclass(frozen=True)
class _Hierarchy:
    nodes: dict[Holder, _Node]
    children: dict[Holder, list[Holder]]


def _hierarchy(
    ctx: Context, period: TargetPeriod, bu_ids: Iterable[int | None], teams: Mapping[int, int] | None = None
) -> tuple[_Hierarchy, dict[int, int]]:
    """Org units and reps (for each business unit in ``bu_ids``; None = the plain family) and business units.
    ``teams``: each rep's team for the period (:func:`_rep_teams`) when already read."""
    teams = dict(_rep_teams(ctx, period) if teams is None else teams)
    reps = _lookup(ctx, schema.rep, "rep_id")
    bus = _lookup(ctx, schema.business_unit, "bu_id")
    nodes: dict[Holder, _Node] = {}
    for bu in bu_ids:
        for u in ctx.org.units:
            parent = None if u.parent_id is None else Holder("unit", u.parent_id, bu)
            nodes[Holder("unit", u.unit_id, bu)] = _Node(u.level, u.code, u.name, parent)
        for r in reps.itertuples():
            team = teams.get(int(r.rep_id))
            nodes[Holder("rep", int(r.rep_id), bu)] = _Node("rep", str(r.code), str(r.name), None if team is None else Holder("unit", team, bu))
    for b in bus.itertuples():
        parent_id = _int(b.parent_id)
        nodes[Holder("bu", int(b.bu_id))] = _Node("business_unit", str(b.code), str(b.name), None if parent_id is None else Holder("bu", parent_id))
    children: dict[Holder, list[Holder]] = {}
    for holder, node in nodes.items():
        if node.parent is not None and node.parent in nodes:
            children.setdefault(node.parent, []).append(holder)
    return _Hierarchy(nodes, children), teams


# --- Stated targets -------------------------------------------------------------------------------


def _bu_subtree_ids(ctx: Context, codes: Iterable[str]) -> list[int]:
    """The ids of the business units ``codes`` and of every business unit below them (their targets roll up into them)."""
    b = schema.business_unit
    frame = read_frame(ctx.engine, select(b.c.bu_id, b.c.code, b.c.parent_id))
    children: dict[int, list[int]] = {}
    for r in frame.itertuples():
        parent = _int(r.parent_id)
        if parent is not None:
            children.setdefault(parent, []).append(int(r.bu_id))
    wanted = set(codes)
    out: set[int] = set()
    stack = [int(r.bu_id) for r in frame.itertuples() if str(r.code) in wanted]
    while stack:
        current = stack.pop()
        if current not in out:
            out.add(current)
            stack.extend(children.get(current, ()))
    return sorted(out)


def _target_scope(ctx: Context, period: TargetPeriod, teams: Mapping[int, int] | None = None) -> ColumnElement[bool] | None:
    """The target rows the viewer may read, as a WHERE condition (None: the whole company) — exactly the rows the
    holders :func:`targets` shows, and their roll-ups, are made of (see :func:`_visible` and DEFINITIONS['targets']):

    - a unit's targets (``rep_id`` empty): the unit lies in the viewer's units;
    - a rep's targets: the rep rolls up into a team in the viewer's units — the last team they were in during the
      period (``teams``, read when not given); any rep for a viewer not limited to units;
    - for a viewer limited to business units, both only within one of those business units (``bu_id`` set);
    - a business unit's own targets (no unit, no rep): only for a viewer not limited to units — the viewer's
      business units and those below them, which roll up into them.

    Raises NoScope for a viewer entitled to nothing (no query runs).
    """
    viewer = ctx.viewer
    _require_scope(viewer)
    if viewer.whole_company:
        return None
    t = schema.target
    unit_ids = _unit_ids(Filters(period.as_period()), viewer, ctx.org)
    if unit_ids is None:
        units, reps = t.c.unit_id.is_not(None), t.c.rep_id.is_not(None)
    else:
        teams = _rep_teams(ctx, period) if teams is None else teams
        rolling_up = sorted(rep for rep, team in teams.items() if team in unit_ids)
        units = t.c.unit_id.in_(sorted(unit_ids)) if unit_ids else false()
        reps = t.c.rep_id.in_(rolling_up) if rolling_up else false()
    held: ColumnElement[bool] = or_(and_(t.c.rep_id.is_(None), units), reps)
    if viewer.bus is not None:
        held = and_(held, _in_codes(t.c.bu_id, schema.business_unit, "bu_id", viewer.bus))
        if viewer.units is None:
            bus = _bu_subtree_ids(ctx, viewer.bus)
            own = and_(t.c.rep_id.is_(None), t.c.unit_id.is_(None), t.c.bu_id.in_(bus) if bus else false())
            held = or_(held, own)
    return held


def stated_targets(ctx: Context, measure: str, period: TargetPeriod, *, reps: Select | None = None) -> dict[Holder, Decimal]:
    """Each holder's stated target for ``period``: the target row for exactly this period, else the sum of
    its rows of one finer kind when they tile the period (every month or quarter present). Summed in the database.

    Only the viewer's target rows are read — the scope is in the statement's WHERE clause (:func:`_target_scope`).
    With ``reps`` (a SELECT of rep ids carrying the viewer's scope, e.g. the reps credited with deals booked in the
    viewer's units), only those reps' own targets (outside any business unit) are read instead.
    """
    return _stated_targets(ctx, measure, period, reps=reps)


def _stated_targets(
    ctx: Context, measure: str, period: TargetPeriod, *, reps: Select | None = None, teams: Mapping[int, int] | None = None
) -> dict[Holder, Decimal]:
    _check_measure(measure)
    t = schema.target
    if reps is not None:
        _require_scope(ctx.viewer)
        scope: ColumnElement[bool] | None = and_(t.c.rep_id.in_(reps), t.c.bu_id.is_(None))
    else:
        scope = _target_scope(ctx, period, teams)
    stmt = (
        select(
            t.c.rep_id,
            t.c.unit_id,
            t.c.bu_id,
            t.c.period_kind,
            func.sum(t.c.value).label("value"),
            func.count().label("n"),
            func.min(t.c.period_start).label("first_day"),
            func.max(t.c.period_end).label("last_day"),
        )
        .where(t.c.measure == measure, t.c.period_start >= period.start, t.c.period_end <= period.end)
        .group_by(t.c.rep_id, t.c.unit_id, t.c.bu_id, t.c.period_kind)
    )
    if scope is not None:
        stmt = stmt.where(scope)
    frame = read_frame(ctx.engine, stmt)
    found: dict[Holder, tuple[int, Decimal]] = {}  # holder -> (how fine: 0 exact, 1 quarters, 2 months), value
    rank = {period.kind: 0, "quarter": 1, "month": 2}
    for r in frame.itertuples():
        rep, unit, bu = _int(r.rep_id), _int(r.unit_id), _int(r.bu_id)
        if rep is not None:
            holder = Holder("rep", rep, bu)
        elif unit is not None:
            holder = Holder("unit", unit, bu)
        elif bu is not None:
            holder = Holder("bu", bu)
        else:
            continue  # a target with no holder
        kind = str(r.period_kind)
        if kind not in rank or _as_date(r.first_day) != period.start or _as_date(r.last_day) != period.end:
            continue
        expected = 1 if kind == period.kind else _PARTS.get((period.kind, kind))
        if expected is None or int(r.n) != expected:
            continue
        fineness = rank[kind]
        if holder not in found or fineness < found[holder][0]:
            found[holder] = (fineness, _dec(r.value))
    return {h: v for h, (_f, v) in found.items()}


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- Actuals ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Where a measure's records are: the FROM clause, the aggregate, and the columns holders read."""

    fact: Fact
    from_: FromClause
    value: ColumnElement[Any]
    conditions: tuple[ColumnElement[bool], ...]
    rep: ColumnElement[Any]
    unit: ColumnElement[Any]
    bu: ColumnElement[Any]
    #: The business date a team is looked up on.
    day: ColumnElement[Any]


def _scope(fact: Fact, ctx: Context, period: TargetPeriod | Period, flt: Filters | None = None) -> tuple[ColumnElement[bool], ...]:
    base = flt if flt is not None else Filters(Period(period.start, period.end))
    return restrict(fact, base, ctx.viewer, ctx.org).conditions


def _closed_source(ctx: Context, measure: str, lo: date, hi: date, flt: Filters | None = None) -> _Source:
    """The records that count towards ``measure`` between ``lo`` and ``hi`` (business dates, inclusive)."""
    rng = Period(lo, hi)
    if measure == "won_deals":
        fact = FACTS["opportunity"]
        op = fact.table
        start, end = rng.utc_bounds(ctx.calendar)
        return _Source(
            fact,
            op,
            func.count(),
            (op.c.status == "won", op.c.closed_at >= start, op.c.closed_at < end, *_scope(fact, ctx, rng, flt)),
            op.c.owner_rep_id,
            op.c.unit_id,
            op.c.bu_id,
            local_date(op.c.closed_at, lo, hi, ctx.calendar),
        )
    fact = FACTS["sales_order"]
    o = fact.table
    if measure == "new_customers":
        earlier = schema.sales_order.alias("earlier")
        first = ~exists().where(
            earlier.c.account_id == o.c.account_id,
            earlier.c.amount > 0,
            or_(earlier.c.order_date < o.c.order_date, and_(earlier.c.order_date == o.c.order_date, earlier.c.order_id < o.c.order_id)),
        )
        conds = (o.c.amount > 0, o.c.order_date >= lo, o.c.order_date <= hi, first)
        return _Source(fact, o, func.count(), (*conds, *_scope(fact, ctx, rng, flt)), o.c.rep_id, o.c.unit_id, o.c.bu_id, o.c.order_date)
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    day = o.c.order_date if measure == "revenue" else o.c.cash_collected_date
    return _Source(
        fact,
        joined,
        func.sum(converted(o.c.amount, rate)),
        (day >= lo, day <= hi, *_scope(fact, ctx, rng, flt)),
        o.c.rep_id,
        o.c.unit_id,
        o.c.bu_id,
        day,
    )


def _open_source(ctx: Context, measure: str, period: TargetPeriod | Period, flt: Filters | None = None) -> _Source:
    """The deals open at the end of the as-of day expected (then) to close in ``period``, valued as they stood then
    (:func:`metrics.stage_history.as_of_rows`, the weighted pipeline's rule), weighted by probability (see DEFINITIONS).
    A deal with no stage-history row by then adds nothing: its values then are unknown."""
    fact = FACTS["opportunity"]
    op = fact.table
    as_of = literal(ctx.as_of, Date())
    stood = as_of_rows(as_of_instant(ctx), "open_then")
    conds = (
        *stood.conditions,
        stood.close >= period.start,
        stood.close <= period.end,
        *_scope(fact, ctx, period, flt),
    )
    if measure == "won_deals":
        return _Source(fact, stood.from_, func.sum(stood.row.c.probability), conds, op.c.owner_rep_id, op.c.unit_id, op.c.bu_id, as_of)
    joined, rate = rate_join(stood.from_, op.c.currency, as_of, ctx.currency)
    weighted = func.round(converted(stood.row.c.amount, rate) * stood.row.c.probability, 2)
    return _Source(fact, joined, func.sum(weighted), conds, op.c.owner_rep_id, op.c.unit_id, op.c.bu_id, as_of)


def _grouped_values(ctx: Context, source: _Source, by: str, with_bu: bool) -> dict[tuple[int | None, ...], object]:
    """``source``'s aggregate per rep, unit_id, business unit or team (``by``), optionally per business unit too."""
    keys: list[ColumnElement[Any]]
    from_ = source.from_
    conds = list(source.conditions)
    if by == "team":
        h = schema.rep_team_history
        from_ = from_.join(
            h, and_(h.c.rep_id == source.rep, h.c.valid_from <= source.day, or_(h.c.valid_to.is_(None), source.day < h.c.valid_to))
        )
        keys = [h.c.team_unit_id]
    else:
        keys = [{"rep": source.rep, "unit": source.unit, "bu": source.bu}[by]]
    if with_bu and by != "bu":
        keys.append(source.bu)
    labels = [k.label(f"k{i}") for i, k in enumerate(keys)]
    stmt = select(*labels, source.value.label("value")).select_from(from_).where(*conds).group_by(*keys)
    frame = read_frame(ctx.engine, stmt)
    out: dict[tuple[int | None, ...], object] = {}
    for r in frame.itertuples(index=False):
        out[tuple(_int(v) for v in r[: len(keys)])] = r[len(keys)]
    return out


#: Decimal places of each kind of value: money to the cent, counts whole, sums of probabilities as stored (4).
MONEY, COUNT, PROBABILITY = Decimal("0.01"), Decimal(1), Decimal("0.0001")


def _number(value: object, places: Decimal) -> Decimal:
    """A database aggregate as an exact decimal (SQLite sums in binary floating point: rounding undoes that)."""
    if _is_missing(value):
        return Decimal(0).quantize(places)
    return _dec(value).quantize(places, rounding=ROUND_HALF_UP)


def _holder_values(ctx: Context, source: _Source, hierarchy: _Hierarchy, bu_ids: Iterable[int | None], places: Decimal) -> dict[Holder, Decimal]:
    """The aggregate for every holder: reps and teams directly, other units as the sum over their subtree's
    unit ids, business units over their business-unit subtree."""
    out: dict[Holder, Decimal] = {}
    bus = list(bu_ids)
    with_bu = any(b is not None for b in bus)
    per_unit = _grouped_values(ctx, source, "unit", with_bu)
    per_rep = _grouped_values(ctx, source, "rep", with_bu)
    per_team = _grouped_values(ctx, source, "team", with_bu)
    per_bu = _grouped_values(ctx, source, "bu", False)

    def pick(table: Mapping[tuple[int | None, ...], object], key: int, bu: int | None) -> Decimal:
        if with_bu and bu is None:
            total = sum((_number(v, places) for k, v in table.items() if k[0] == key), Decimal(0))
            return total
        return _number(table.get((key, bu) if with_bu else (key,)), places)

    for bu in bus:
        for u in ctx.org.units:
            if u.level == "team":
                out[Holder("unit", u.unit_id, bu)] = pick(per_team, u.unit_id, bu)
            else:
                ids = ctx.org.subtree_ids(u.code)
                out[Holder("unit", u.unit_id, bu)] = sum((pick(per_unit, i, bu) for i in ids), Decimal(0))
        for holder in hierarchy.nodes:
            if holder.kind == "rep" and holder.bu_id == bu:
                out[holder] = pick(per_rep, holder.id, bu)
    bu_holders = [h for h in hierarchy.nodes if h.kind == "bu"]
    for holder in bu_holders:
        subtree, stack = set(), [holder]
        while stack:
            current = stack.pop()
            if current not in subtree:
                subtree.add(current)
                stack.extend(hierarchy.children.get(current, ()))
        out[holder] = sum((_number(per_bu.get((h.id,)), places) for h in subtree), Decimal(0))
    return out


# --- Roll-ups and attainment ----------------------------------------------------------------------


def _check_measure(measure: str) -> None:
    if measure not in MEASURES:
        raise ValueError(f"unknown target measure {measure!r}; expected one of {', '.join(MEASURES)}")


def _visible(holder: Holder, node: _Node, ctx: Context, unit: str | None, bu_code: Mapping[int, str], teams_parent: Holder | None) -> bool:
    viewer = ctx.viewer
    if holder.kind == "bu":
        return viewer.units is None and unit is None and (viewer.bus is None or node.code in viewer.bus)
    if viewer.bus is not None and (holder.bu_id is None or bu_code.get(holder.bu_id) not in viewer.bus):
        return False
    unit_id = holder.id if holder.kind == "unit" else (teams_parent.id if teams_parent is not None else None)
    if unit_id is None:
        return viewer.units is None and unit is None
    allowed = ctx.org.visible_ids(viewer)
    if allowed is not None and unit_id not in allowed:
        return False
    return unit is None or unit_id in ctx.org.subtree_ids(unit)


def targets(ctx: Context, measure: str, period: TargetPeriod, *, unit: str | None = None) -> pd.DataFrame:
    """Every holder's target for ``period``, stated or rolled up, with the mismatch flags (no actuals).

    Columns: ``holder``, ``kind`` (unit, rep, bu), ``level`` (cluster … team, rep, business_unit), ``code``, ``name``,
    ``parent`` (the parent's code), ``bu`` (business-unit code for targets within one), ``stated``, ``children_sum``,
    ``target``, ``source`` (stated, rolled_up or None), ``partial`` (rolled up with children lacking a target),
    ``mismatch`` (stated ≠ children's sum), ``children_missing``. Only holders the viewer may see, within ``unit``
    when given (business units only for whole-company viewers); holders with no target and no children with
    one are kept for units and reps of the plain family, dropped for families within a business unit.
    """
    return _targets(ctx, measure, period, unit=unit)[0]


def _targets(ctx: Context, measure: str, period: TargetPeriod, *, unit: str | None) -> tuple[pd.DataFrame, _Hierarchy, list[int | None]]:
    _check_measure(measure)
    _require_scope(ctx.viewer)  # before any query
    teams = _rep_teams(ctx, period)
    stated = _stated_targets(ctx, measure, period, teams=teams)
    bu_ids: list[int | None] = [None] + sorted({h.bu_id for h in stated if h.kind != "bu" and h.bu_id is not None})
    hierarchy, _teams = _hierarchy(ctx, period, bu_ids, teams)
    bu_code = {h.id: n.code for h, n in hierarchy.nodes.items() if h.kind == "bu"}
    money = measure in MONEY_MEASURES

    effective: dict[Holder, Decimal | None] = {}
    info: dict[Holder, tuple[Decimal | None, int]] = {}

    def resolve(holder: Holder) -> Decimal | None:
        if holder in effective:
            return effective[holder]
        kids = [resolve(c) for c in hierarchy.children.get(holder, ())]
        present = [k for k in kids if k is not None]
        children_sum = sum(present, Decimal(0)) if present else None
        info[holder] = (children_sum, len(kids) - len(present))
        value = stated.get(holder, children_sum)
        effective[holder] = value
        return value

    rows = []
    for holder, node in sorted(hierarchy.nodes.items(), key=lambda kv: (kv[0].kind != "bu", kv[0].bu_id or 0, kv[1].level == "rep", kv[1].code)):
        value = resolve(holder)
        children_sum, missing = info[holder]
        if holder.bu_id is not None and value is None:
            continue
        parent = node.parent
        if not _visible(holder, node, ctx, unit, bu_code, parent if holder.kind == "rep" else None):
            continue
        own = stated.get(holder)
        q = (lambda v: None if v is None else (v.quantize(CENT) if money else v.quantize(Decimal(1))))
        rows.append(
            {
                "holder": holder,
                "kind": holder.kind,
                "level": node.level,
                "code": node.code,
                "name": node.name,
                "parent": hierarchy.nodes[parent].code if parent is not None and parent in hierarchy.nodes else None,
                "bu": bu_code.get(holder.bu_id) if holder.bu_id is not None else None,
                "stated": q(own),
                "children_sum": q(children_sum),
                "target": q(value),
                "source": "stated" if own is not None else ("rolled_up" if value is not None else None),
                "partial": own is None and value is not None and missing > 0,
                "mismatch": own is not None and children_sum is not None and own != children_sum,
                "children_missing": missing,
            }
        )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS), hierarchy, bu_ids


TARGET_COLUMNS = [
    "holder", "kind", "level", "code", "name", "parent", "bu", "stated", "children_sum", "target", "source", "partial", "mismatch",
    "children_missing",
]


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _weighted_places(measure: str) -> Decimal:
    return MONEY if measure in MONEY_MEASURES else PROBABILITY


def projected_value(closed: Decimal, weighted_open: Decimal | None, period: TargetPeriod | Period, as_of: date) -> Decimal:
    """Closed to date plus the weighted open deals — or, once the period is over, what was closed."""
    if as_of >= period.end or weighted_open is None:
        return closed
    return closed + weighted_open


def attainment(ctx: Context, measure: str, period: TargetPeriod, *, unit: str | None = None) -> pd.DataFrame:
    """:func:`targets` with each holder's actual to the as-of day, attainment, pacing and projection.

    Extra columns: ``actual``, ``attainment`` (actual ÷ target, a Decimal; None without a target above zero),
    ``expected_to_date`` (target × elapsed ÷ days), ``pace`` (actual ÷ expected_to_date), ``weighted_open``,
    ``projected`` and ``projected_attainment`` (None for measures with no pipeline: new customers, cash collected).
    """
    frame, hierarchy, bu_ids = _targets(ctx, measure, period, unit=unit)
    money = measure in MONEY_MEASURES
    through = min(period.end, ctx.as_of)
    if through >= period.start:
        actual = _holder_values(ctx, _closed_source(ctx, measure, period.start, through), hierarchy, bu_ids, MONEY if money else COUNT)
    else:
        actual = {}
    weighted: dict[Holder, Decimal] | None = None
    if measure in PROJECTED_MEASURES and ctx.as_of < period.end:
        weighted = _holder_values(ctx, _open_source(ctx, measure, period), hierarchy, bu_ids, _weighted_places(measure))
    elapsed, days = period.elapsed_days(ctx.as_of), period.days
    zero = Decimal("0.00") if money else Decimal(0)
    out = []
    for row in frame.to_dict("records"):
        holder: Holder = row["holder"]
        got = actual.get(holder, zero)
        if not money:
            got = Decimal(int(got))
        target: Decimal | None = row["target"]
        expected = None if target is None else (target * elapsed / days)
        if expected is not None:
            expected = expected.quantize(CENT, rounding=ROUND_HALF_UP)
        w = None if weighted is None else weighted.get(holder, Decimal(0).quantize(_weighted_places(measure)))
        projected = projected_value(got, w, period, ctx.as_of) if measure in PROJECTED_MEASURES else None
        row.update(
            actual=got,
            attainment=_ratio(got, target),
            expected_to_date=expected,
            pace=_ratio(got, expected),
            weighted_open=w,
            projected=projected,
            projected_attainment=_ratio(projected, target),
        )
        out.append(row)
    return pd.DataFrame(out, columns=TARGET_COLUMNS + ATTAINMENT_COLUMNS)


ATTAINMENT_COLUMNS = ["actual", "attainment", "expected_to_date", "pace", "weighted_open", "projected", "projected_attainment"]


def leaderboard(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """The rows of one level (e.g. ``office`` or ``rep``) with a target, best attainment first (ties by code)."""
    rows = frame[(frame["level"] == level) & frame["target"].notna()].copy()
    rows["_key"] = [-(a if a is not None else Decimal("-1e9")) for a in rows["attainment"]]
    return rows.sort_values(["_key", "code"]).drop(columns="_key").reset_index(drop=True)


# --- The projection shared with the pipeline views --------------------------------------------------


@dataclass(frozen=True)
class ScopeAttainment:
    """Everything a view shows, measured against its target: ``target``, ``actual``, ``attainment``
    (actual ÷ target), ``expected_to_date`` and ``pace`` (actual ÷ expected), ``projected`` and
    ``projected_attainment`` (None for measures with no pipeline) — for the fiscal ``period``."""

    period: TargetPeriod
    target: Decimal
    actual: Decimal
    attainment: Decimal | None
    expected_to_date: Decimal | None
    pace: Decimal | None
    projected: Decimal | None
    projected_attainment: Decimal | None


def scope_attainment(ctx: Context, measure: str, flt: Filters) -> ScopeAttainment | None:
    """Attainment of what ``flt`` shows the viewer as a whole: the filtered unit, or else the top
    units the viewer may see, summed (each unit's target as :func:`targets` decides it).

    None where no target applies: the period is not a whole fiscal month, quarter or year (to date
    is fine: the quarter so far is measured against the quarter's target, with its pace); a filter
    that targets do not carry is set (business unit, product, segment, source); the viewer is
    limited to business units; or a unit in view has no target.
    """
    _check_measure(measure)
    if flt.bus or flt.products or flt.segments or flt.sources or ctx.viewer.bus is not None:
        return None
    if flt.period.span not in PERIOD_KINDS:
        return None
    period = target_period(flt.period.span, flt.period.end, ctx.calendar)
    if period.start != flt.period.start:
        return None
    frame = attainment(ctx, measure, period, unit=flt.unit)
    units = frame[(frame["kind"] == "unit") & frame["bu"].isna()]
    rows = units[units["code"] == flt.unit] if flt.unit else units[~units["parent"].isin(set(units["code"]))]
    if rows.empty or rows["target"].isna().any():
        return None
    target, actual = sum(rows["target"], Decimal(0)), sum(rows["actual"], Decimal(0))
    expected = None if rows["expected_to_date"].isna().any() else sum(rows["expected_to_date"], Decimal(0))
    projected = None if rows["projected"].isna().any() else sum(rows["projected"], Decimal(0))
    return ScopeAttainment(
        period, target, actual, _ratio(actual, target), expected, _ratio(actual, expected), projected, _ratio(projected, target)
    )


def projection(ctx: Context, flt: Filters, measure: str = "revenue", grouping: Grouping = TOTAL) -> pd.DataFrame:
    """Closed to date plus Σ amount × probability of the open deals expected to close by the period's end.

    The one projection Granary computes: the attainment views call it per holder (through the same sources),
    the pipeline views per unit, business unit, product or rep (``grouping``, as :func:`metrics.base.evaluate`).
    The global filters and the viewer's scope apply to both orders and opportunities.

    Returns columns ``group`` (when grouped), ``closed``, ``weighted_open`` and ``projected``: money for revenue,
    a count (closed) and a Decimal sum of probabilities (open) for won deals.
    """
    if measure not in PROJECTED_MEASURES:
        raise ValueError(f"no projection for {measure!r}: only {', '.join(sorted(PROJECTED_MEASURES))} have a pipeline")
    period = flt.period
    through = min(period.end, ctx.as_of)
    parts: list[tuple[str, Select]] = []
    if through >= period.start:
        closed = _closed_source(ctx, measure, period.start, through, flt)
        parts.append(("closed", _grouped_select(ctx, flt, grouping, closed, through)))
    if ctx.as_of < period.end:
        parts.append(("weighted_open", _grouped_select(ctx, flt, grouping, _open_source(ctx, measure, period, flt), period.end)))
    values: dict[object, dict[str, Decimal]] = {}
    for name, stmt in parts:
        frame = read_frame(ctx.engine, stmt)
        for r in frame.to_dict("records"):
            key = r.get("group") if grouping.by is not None else None
            key = None if _is_missing(key) else key
            places = _weighted_places(measure) if name == "weighted_open" else (MONEY if measure == "revenue" else COUNT)
            values.setdefault(key, {})[name] = _number(r["value"], places)
    if grouping.by is None and not values:
        values[None] = {}
    zero_closed = Decimal("0.00") if measure == "revenue" else Decimal(0)
    rows = []
    for key, v in values.items():
        closed_v = v.get("closed", zero_closed)
        weighted_v = v.get("weighted_open", Decimal(0).quantize(_weighted_places(measure))) if ctx.as_of < period.end else None
        row: dict[str, object] = {"closed": closed_v, "weighted_open": weighted_v, "projected": projected_value(closed_v, weighted_v, period, ctx.as_of)}
        if grouping.by is not None:
            row = {"group": key, **row}
        rows.append(row)
    return pd.DataFrame(rows)


def _grouped_select(ctx: Context, flt: Filters, grouping: Grouping, source: _Source, hi: date) -> Select:
    date_col = source.day
    group = group_column(grouping, ctx, flt, date=date_col, unit=source.unit, timestamp=False, fact=source.fact)
    stmt = select(source.value.label("value")).select_from(source.from_).where(*source.conditions)
    return grouped(stmt, group)

