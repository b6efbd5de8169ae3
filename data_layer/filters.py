"""Filters, calendar periods and the viewer's scope: what every query is restricted to.

Period bounds are computed here, in Python, from the company calendar and passed to the
database as bound parameters; no query uses a database time-zone function.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from sqlalchemy import ColumnElement, Integer, Subquery, Table, cast, false, func, null, or_, select

from data_layer import schema
from data_layer.config import Calendar

GRAINS = ("day", "week", "month", "quarter", "year")
SPANS = ("month", "quarter", "year", "days")
PRESETS = ("qtd", "last_quarter", "mtd", "last_month", "ytd", "last_year", "last_12_months", "custom")


# --- Calendar ----------------------------------------------------------------------------------


def add_months(d: date, months: int, *, keep_month_end: bool = False) -> date:
    """``d`` moved by whole months; the day is clamped to the target month's length.

    With ``keep_month_end``, the last day of a month maps to the last day of the target
    month (so 30 Sep minus one quarter is 30 Jun, not 30 Jun by accident only).
    """
    month_index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(month_index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    at_end = keep_month_end and d.day == _calendar.monthrange(d.year, d.month)[1]
    return date(year, month + 1, last if at_end else min(d.day, last))


def fiscal_year_start(d: date, cal: Calendar) -> date:
    """First day of the fiscal year containing ``d``."""
    start = date(d.year, cal.fiscal_year_start_month, 1)
    return start if start <= d else date(d.year - 1, cal.fiscal_year_start_month, 1)


def fiscal_year_of(d: date, cal: Calendar) -> int:
    """The fiscal year containing ``d``, named by the calendar year it ends in."""
    return add_months(fiscal_year_start(d, cal), 11).year


def fiscal_quarter_start(d: date, cal: Calendar) -> date:
    """First day of the fiscal quarter containing ``d``."""
    fy = fiscal_year_start(d, cal)
    months = (d.year - fy.year) * 12 + d.month - fy.month
    return add_months(fy, months - months % 3)


def fiscal_quarter_label(d: date, cal: Calendar) -> str:
    """``FY2026 Q3`` for the quarter containing ``d``."""
    fy = fiscal_year_start(d, cal)
    q = ((d.year - fy.year) * 12 + d.month - fy.month) // 3 + 1
    return f"FY{fiscal_year_of(d, cal)} Q{q}"


def week_start(d: date, cal: Calendar) -> date:
    return d - timedelta(days=(d.weekday() - cal.week_start) % 7)


def local_midnight_utc(d: date, cal: Calendar) -> datetime:
    """Midnight starting ``d`` in the company zone, as a naive UTC timestamp."""
    local = datetime.combine(d, time.min, tzinfo=cal.zone)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


# --- Period --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """An inclusive range of business dates.

    Attributes:
        start, end: first and last day, inclusive.
        grain: bucket for trends within the period (day, week, month, quarter, year).
        span: the calendar step the period stands for, used to find the previous
            period (month, quarter, year) — or ``days`` for a custom range, which steps
            back by its own length.
    """

    start: date
    end: date
    grain: str = "month"
    span: str = "days"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        if self.grain not in GRAINS:
            raise ValueError(f"unknown grain {self.grain!r}; expected one of {', '.join(GRAINS)}")
        if self.span not in SPANS:
            raise ValueError(f"unknown span {self.span!r}; expected one of {', '.join(SPANS)}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted_months(self, months: int) -> Period:
        return replace(
            self,
            start=add_months(self.start, months),
            end=add_months(self.end, months, keep_month_end=True),
        )

    def previous(self) -> Period:
        """The period before: the previous month/quarter/year to the same point, or the same
        number of days immediately before a custom range."""
        if self.span == "days":
            return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))
        return self.shifted_months(-{"month": 1, "quarter": 3, "year": 12}[self.span])

    def year_ago(self) -> Period:
        """The same dates one year earlier (29 Feb becomes 28 Feb)."""
        return self.shifted_months(-12)

    def utc_bounds(self, cal: Calendar) -> tuple[datetime, datetime]:
        """``[start, end + 1 day)`` in the company zone, as naive UTC timestamps."""
        return local_midnight_utc(self.start, cal), local_midnight_utc(self.end + timedelta(days=1), cal)


def preset_period(preset: str, as_of: date, cal: Calendar) -> Period:
    """A named period ending at (or before) the data's as-of date."""
    if preset == "qtd":
        return Period(fiscal_quarter_start(as_of, cal), as_of, "week", "quarter")
    if preset == "last_quarter":
        start = add_months(fiscal_quarter_start(as_of, cal), -3)
        return Period(start, add_months(start, 3) - timedelta(days=1), "week", "quarter")
    if preset == "mtd":
        return Period(as_of.replace(day=1), as_of, "day", "month")
    if preset == "last_month":
        start = add_months(as_of.replace(day=1), -1)
        return Period(start, as_of.replace(day=1) - timedelta(days=1), "day", "month")
    if preset == "ytd":
        return Period(fiscal_year_start(as_of, cal), as_of, "month", "year")
    if preset == "last_year":
        start = add_months(fiscal_year_start(as_of, cal), -12)
        return Period(start, add_months(start, 12) - timedelta(days=1), "month", "year")
    if preset == "last_12_months":
        return Period(add_months(as_of, -12) + timedelta(days=1), as_of, "month", "year")
    raise ValueError(f"unknown period preset {preset!r}; expected one of {', '.join(PRESETS[:-1])}")


def grain_for(days: int) -> str:
    """A sensible trend bucket for a custom range of ``days`` days."""
    return "day" if days <= 45 else "week" if days <= 180 else "month" if days <= 1100 else "quarter"


def buckets(period: Period, cal: Calendar) -> list[date]:
    """Start dates of the trend buckets covering ``period`` (the first may begin before it)."""
    if period.grain == "day":
        first, step = period.start, None
    elif period.grain == "week":
        first, step = week_start(period.start, cal), None
    elif period.grain == "month":
        first, step = period.start.replace(day=1), 1
    elif period.grain == "quarter":
        first, step = fiscal_quarter_start(period.start, cal), 3
    else:
        first, step = fiscal_year_start(period.start, cal), 12
    out, current = [], first
    while current <= period.end:
        out.append(current)
        if step is None:
            current += timedelta(days=1 if period.grain == "day" else 7)
        else:
            current = add_months(current, step)
    return out


# --- Viewer and filters -------------------------------------------------------------------------


class Role(StrEnum):
    EXECUTIVE = "executive"
    REGIONAL_HEAD = "regional_head"
    TEAM_LEAD = "team_lead"


class NoScope(PermissionError):
    """The viewer is entitled to nothing: no query may run."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking, and the part of the organisation they may see.

    Attributes:
        user: sign-in name.
        role: executive, regional head or team lead.
        units: codes of the org units whose subtrees the viewer may see;
            ``None`` means the whole company, ``()`` means nothing.
        bus: business-unit codes the viewer is limited to; ``None`` means all.
    """

    user: str
    role: Role
    units: tuple[str, ...] | None = None
    bus: tuple[str, ...] | None = None
    display_name: str = ""

    @property
    def whole_company(self) -> bool:
        return self.units is None and self.bus is None


#: Until sign-in exists, everyone is this viewer: an executive who sees the whole company.
DEFAULT_VIEWER = Viewer(user="demo", role=Role.EXECUTIVE, display_name="Executive (demo)")


@dataclass(frozen=True)
class Filters:
    """The global filter bar, as one hashable value (cache key, URL state).

    ``grade`` is a project-grade floor (a ``project_grade.code``: that grade and above, 抓大放小), set by the
    Pipeline page and read only by metrics/pipeline.py; every other metric ignores it.
    """

    period: Period
    unit: str | None = None
    bus: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    grade: str | None = None

    def __post_init__(self) -> None:
        # No CRM code holds a NUL, and PostgreSQL refuses one in a bound parameter with a driver error: say so here.
        for name in ("unit", "bus", "segments", "products", "sources", "grade"):
            value = getattr(self, name)
            if any("\0" in code for code in ((value,) if isinstance(value, str) else value or ())):
                raise ValueError(f"a {name} code holds a NUL character")

    def with_period(self, period: Period) -> Filters:
        return replace(self, period=period)


@dataclass(frozen=True)
class OrgUnit:
    unit_id: int
    code: str
    name: str
    level: str
    parent_id: int | None


@dataclass(frozen=True)
class OrgTree:
    """The unit hierarchy, small enough to hold in memory and walk in Python."""

    units: tuple[OrgUnit, ...]
    _children: dict[int | None, tuple[int, ...]] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        children: dict[int | None, list[int]] = {}
        for unit in self.units:
            children.setdefault(unit.parent_id, []).append(unit.unit_id)
        self._children.update({k: tuple(v) for k, v in children.items()})

    def by_code(self, code: str) -> OrgUnit | None:
        return next((u for u in self.units if u.code == code), None)

    def by_id(self, unit_id: int) -> OrgUnit | None:
        return next((u for u in self.units if u.unit_id == unit_id), None)

    def children(self, unit_id: int | None) -> list[OrgUnit]:
        return [u for i in self._children.get(unit_id, ()) if (u := self.by_id(i)) is not None]

    def compared_units(self, code: str | None) -> list[OrgUnit]:
        """The units a breakdown of ``code`` compares: its children — or, for the whole
        company, the top units, skipping down past a single top unit (the company itself)."""
        parent = self.by_code(code) if code else None
        children = self.children(parent.unit_id if parent else None)
        while parent is None and len(children) == 1 and self.children(children[0].unit_id):
            children = self.children(children[0].unit_id)
        return children

    def subtree_ids(self, code: str) -> frozenset[int]:
        """The unit's id and all its descendants'; empty for an unknown code."""
        root = self.by_code(code)
        if root is None:
            return frozenset()
        out, stack = set(), [root.unit_id]
        while stack:
            current = stack.pop()
            if current not in out:
                out.add(current)
                stack.extend(self._children.get(current, ()))
        return frozenset(out)

    def path(self, code: str) -> list[OrgUnit]:
        """From the top unit down to ``code`` (the breadcrumb)."""
        unit, out = self.by_code(code), []
        while unit is not None:
            out.append(unit)
            unit = self.by_id(unit.parent_id) if unit.parent_id is not None else None
        return out[::-1]

    def visible_ids(self, viewer: Viewer) -> frozenset[int] | None:
        """Unit ids the viewer may see; None = all."""
        if viewer.units is None:
            return None
        ids: set[int] = set()
        for code in viewer.units:
            ids |= self.subtree_ids(code)
        return frozenset(ids)

    def visible_units(self, viewer: Viewer) -> list[OrgUnit]:
        allowed = self.visible_ids(viewer)
        return [u for u in self.units if allowed is None or u.unit_id in allowed]


@dataclass(frozen=True)
class Fact:
    """How a fact table meets the global filters: the column behind each filter, or None
    where the filter does not apply to it (the result says so)."""

    table: Table
    unit: str | None
    bu: str | None
    product: str | None
    account: str | None
    source: str | None
    #: Where the source filter is read from: the table itself, or its account.
    source_via_account: bool = False


FACTS: dict[str, Fact] = {
    "lead": Fact(schema.lead, unit="unit_id", bu=None, product=None, account="account_id", source="source_channel"),
    "opportunity": Fact(
        schema.opportunity, unit="unit_id", bu="bu_id", product="product_id", account="account_id", source="account_id", source_via_account=True
    ),
    "sales_order": Fact(
        schema.sales_order, unit="unit_id", bu="bu_id", product="product_id", account="account_id", source="account_id", source_via_account=True
    ),
}


@dataclass(frozen=True)
class Restriction:
    """WHERE conditions for a fact table, and the filters that could not apply to it."""

    conditions: tuple[ColumnElement[bool], ...]
    not_applicable: tuple[str, ...] = ()


def _in_codes(column: ColumnElement, dim: Table, key: str, codes: Iterable[str], code_col: str = "code") -> ColumnElement[bool]:
    return column.in_(select(dim.c[key]).where(dim.c[code_col].in_(tuple(codes))))


def _require_scope(viewer: Viewer) -> None:
    if viewer.units == () or viewer.bus == ():
        raise NoScope(f"{viewer.user} is entitled to no part of the organisation")


def _unit_ids(flt: Filters, viewer: Viewer, org: OrgTree) -> frozenset[int] | None:
    """The units a query may read: the filtered unit's subtree within the viewer's scope
    (empty when the filter lies outside it, so a URL can never widen the scope); None = all."""
    allowed = org.visible_ids(viewer)
    wanted = org.subtree_ids(flt.unit) if flt.unit else None
    return allowed if wanted is None else (wanted if allowed is None else wanted & allowed)


def restrict(fact: Fact, flt: Filters, viewer: Viewer, org: OrgTree) -> Restriction:
    """The viewer's scope and the global filters (all but the period) for ``fact``.

    Scope is never optional: a viewer with an empty scope raises NoScope, so no query runs.
    """
    _require_scope(viewer)
    t = fact.table
    conds: list[ColumnElement[bool]] = []
    skipped: list[str] = []

    unit_ids = _unit_ids(flt, viewer, org)
    if unit_ids is not None:
        if fact.unit is None:
            raise NoScope(f"{t.name} cannot be restricted to a unit")
        conds.append(t.c[fact.unit].in_(sorted(unit_ids)) if unit_ids else false())

    for codes, column, dim, label in (
        (viewer.bus, fact.bu, schema.business_unit, "scope"),
        (flt.bus or None, fact.bu, schema.business_unit, "business_unit"),
    ):
        if codes is None:
            continue
        if column is None:
            if label == "scope":
                raise NoScope(f"{t.name} cannot be restricted to a business unit")
            skipped.append(label)
            continue
        conds.append(_in_codes(t.c[column], dim, "bu_id", codes))

    if flt.products:
        if fact.product is None:
            skipped.append("product")
        else:
            conds.append(_in_codes(t.c[fact.product], schema.product, "product_id", flt.products))
    if flt.segments:
        if fact.account is None:
            skipped.append("segment")
        else:
            conds.append(_in_codes(t.c[fact.account], schema.account, "account_id", flt.segments, "segment"))
    if flt.sources:
        if fact.source is None:
            skipped.append("source")
        elif fact.source_via_account:
            conds.append(_in_codes(t.c[fact.source], schema.account, "account_id", flt.sources, "source_channel"))
        else:
            conds.append(t.c[fact.source].in_(flt.sources))
    return Restriction(tuple(conds), tuple(skipped))


# --- Account-level measures ------------------------------------------------------------------------


def scoped_accounts(flt: Filters, viewer: Viewer, org: OrgTree, on: date, *, home: bool = True) -> Subquery:
    """The accounts an account-level measure (churn, share of wallet, tiers, new customers)
    counts: each with its home unit as of ``on`` (the period's end) — from account_history,
    else the account's current home unit — restricted to the viewer's scope, the unit filter
    (whole subtree), and the segment and source filters.

    Columns: ``account_id``, ``home_unit_id``, ``segment``. The business-unit and product filters
    apply to the orders counted, not to the accounts: see :func:`account_order_conditions`.

    With ``home=False`` the caller does not read ``home_unit_id``: when neither scope nor filter
    restricts the units, the dated home unit is not looked up (it is NULL), which spares grouping
    the whole account history (a third of a second at 2 million accounts).
    """
    _require_scope(viewer)
    a, h = schema.account, schema.account_history
    unit_ids = _unit_ids(flt, viewer, org)
    if not home and unit_ids is None:
        # A typed NULL: PostgreSQL reads a bare one as text, which its COALESCE with a unit id refuses.
        stmt = select(a.c.account_id, cast(null(), Integer).label("home_unit_id"), a.c.segment)
    else:
        in_force = homes_on(on)
        home_unit = func.coalesce(in_force.c.home_unit_id, a.c.home_unit_id)
        stmt = select(a.c.account_id, home_unit.label("home_unit_id"), a.c.segment).select_from(
            a.outerjoin(in_force, in_force.c.account_id == a.c.account_id)
        )
        if unit_ids is not None:
            stmt = stmt.where(home_unit.in_(sorted(unit_ids)) if unit_ids else false())
    if flt.segments:
        stmt = stmt.where(a.c.segment.in_(flt.segments))
    if flt.sources:
        stmt = stmt.where(a.c.source_channel.in_(flt.sources))
    return stmt.subquery("scoped_accounts")


def homes_on(on: date) -> Subquery:
    """Each account with history in force on ``on`` and its ``home_unit_id`` then: the whole account history grouped
    once, to outer-join on ``account_id`` (falling back to ``account.home_unit_id``) for many rows at a time."""
    h = schema.account_history
    return (
        select(h.c.account_id, func.max(h.c.home_unit_id).label("home_unit_id"))
        .where(*_in_force(on))
        .group_by(h.c.account_id)
        .subquery("home_then")
    )


def _in_force(on: date) -> tuple[ColumnElement[bool], ...]:
    """The ``account_history`` rows in force on ``on``."""
    h = schema.account_history
    return h.c.valid_from <= on, or_(h.c.valid_to.is_(None), h.c.valid_to > on)


def home_unit_on(account_id: ColumnElement[int], current: ColumnElement[int], on: date) -> ColumnElement[int]:
    """The home unit as of ``on`` of the account ``account_id`` (whose current ``account.home_unit_id`` is
    ``current``), as :func:`scoped_accounts` finds it, for a handful of rows: a subquery per row, where
    :func:`scoped_accounts` groups the whole account history once."""
    h = schema.account_history
    dated = select(func.max(h.c.home_unit_id)).where(h.c.account_id == account_id, *_in_force(on)).scalar_subquery()
    return func.coalesce(dated, current)


def account_order_conditions(flt: Filters, viewer: Viewer, orders: Table | None = None) -> tuple[ColumnElement[bool], ...]:
    """Conditions on ``sales_order`` for account-level measures: an account's revenue counts in
    all units, but only in the business units and products the viewer may see and chose."""
    o = schema.sales_order if orders is None else orders
    conds: list[ColumnElement[bool]] = []
    for codes in (viewer.bus, flt.bus or None):
        if codes is not None:
            conds.append(_in_codes(o.c.bu_id, schema.business_unit, "bu_id", codes))
    if flt.products:
        conds.append(_in_codes(o.c.product_id, schema.product, "product_id", flt.products))
    return tuple(conds)
