"""Incentive plans: a TOML file read into frozen dataclasses, every problem reported with its line; and the
approved statements Granary freezes in its own database.

The format is documented in ``docs/incentive-plans.md``; ``plans/demo.toml`` is the demo's plan. Validation
is explicit code, not a schema library: each check names the key, the value found and what was expected,
and :class:`PlanError` lists every problem at once, each with the line it is on.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, DateTime, Engine, Integer, MetaData, String, Table, Text, UniqueConstraint, inspect, insert, select, text

METHODS = ("marginal", "retroactive")
BASES = ("amount", "margin", "cash")
CREDIT_ON = ("order", "invoice", "cash")
CAP_ON = ("deal", "period")
PERIODS = ("month", "quarter", "year")
PAYEES = ("rep",)
TARGET_MEASURES = ("revenue", "cash_collected")
CUSTOMER_METRICS = ("logo_churn", "satisfaction")
#: Besides any org level (cluster, region, office, team): business unit, product, account segment, customer (the
#: account), project (the opportunity a deal came from) or project grade (that opportunity's grade).
POOL_SPLITS = ("bu", "product", "segment", "customer", "project", "project_grade")
CONTRIBUTIONS = ("revenue", "margin")


# --- The plan ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """Attainment from ``from_pct`` percent of target (inclusive) up to the next band's start earns ``rate_pct``."""

    from_pct: Decimal
    rate_pct: Decimal
    name: str = ""

    @property
    def start(self) -> Decimal:
        """The band's first attainment as a fraction (100 % = 1)."""
        return self.from_pct / 100

    @property
    def rate(self) -> Decimal:
        return self.rate_pct / 100


@dataclass(frozen=True)
class Commission:
    method: str
    base: str
    credit_on: str
    bands: tuple[Band, ...]
    cap: Decimal | None = None
    cap_on: str | None = None


@dataclass(frozen=True)
class Holdback:
    share_pct: Decimal
    months: int
    min_satisfaction: Decimal | None = None

    @property
    def share(self) -> Decimal:
        return self.share_pct / 100


@dataclass(frozen=True)
class CustomerCondition:
    """One customer metric of the managers' bonus: full credit at ``full_at``, none at ``zero_at``, linear between."""

    metric: str
    weight_pct: Decimal
    full_at: Decimal
    zero_at: Decimal


@dataclass(frozen=True)
class ManagerBonus:
    level: str
    target_bonus: Decimal
    customer_share_pct: Decimal
    attainment_cap_pct: Decimal
    conditions: tuple[CustomerCondition, ...]


@dataclass(frozen=True)
class Pool:
    amount: Decimal
    split_by: str
    contribution: str


@dataclass(frozen=True)
class Plan:
    name: str
    version: str
    payee: str
    period: str
    target_measure: str
    commission: Commission
    holdback: Holdback | None = None
    manager_bonus: ManagerBonus | None = None
    pool: Pool | None = None
    #: SHA-256 of the file's text: a frozen statement records it, so the exact plan can be found again.
    digest: str = field(default="", compare=False)


class PlanError(ValueError):
    """A plan file that cannot be used; ``problems`` holds one message per problem, each with its line."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(f"{source}: " + ("\n  ".join(("invalid incentive plan", *self.problems))))


# --- Where a key is written ------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s\"']+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")


def _locate(text: str, path: tuple[str | int, ...]) -> int | None:
    """The line (1-based) where ``path`` — e.g. ("commission", "bands", 1, "rate_pct") — is written, or the line of
    the table holding it; None when it is not written at all (a missing key: the table's line is returned instead)."""
    current: tuple[str | int, ...] = ()
    counters: dict[tuple[str | int, ...], int] = {}
    table_line: dict[tuple[str | int, ...], int] = {(): 1}
    key_line: dict[tuple[str | int, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            names = tuple(part.strip().strip("\"'") for part in header.group(2).split("."))
            if header.group(1) == "[[":
                index = counters.get(names, -1) + 1
                counters[names] = index
                # a nested array of tables belongs to the latest element of its parent array
                current = _with_indices(names, counters) + (index,)
            else:
                current = _with_indices(names, counters)
            table_line.setdefault(current, number)
            continue
        key = _KEY.match(line)
        if key:
            key_line.setdefault(current + (key.group(1).strip('"'),), number)
    if path in key_line:
        return key_line[path]
    for end in range(len(path), -1, -1):
        if path[:end] in table_line:
            return table_line[path[:end]]
        if path[:end] in key_line:
            return key_line[path[:end]]
    return None


def _with_indices(names: tuple[str, ...], counters: Mapping[tuple[str | int, ...], int]) -> tuple[str | int, ...]:
    out: list[str | int] = []
    for i, name in enumerate(names):
        out.append(name)
        prefix = names[: i + 1]
        if i < len(names) - 1 and prefix in counters:
            out.append(counters[prefix])
    return tuple(out)


# --- Validation -------------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.problems: list[tuple[int, str]] = []

    def fail(self, path: tuple[str | int, ...], message: str) -> None:
        line = _locate(self.text, path)
        self.problems.append((line or 0, f"line {line}: {message}" if line else message))

    @staticmethod
    def name(path: tuple[str | int, ...]) -> str:
        out = ""
        for part in path:
            out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def table(self, data: Mapping[str, Any], path: tuple[str | int, ...], key: str, required: bool) -> Mapping[str, Any] | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(path, f"missing table [{self.name(path + (key,))}]")
            return None
        if not isinstance(value, Mapping):
            self.fail(path + (key,), f"{self.name(path + (key,))} must be a table, not {type(value).__name__}")
            return None
        return value

    def known(self, data: Mapping[str, Any], path: tuple[str | int, ...], allowed: Sequence[str]) -> None:
        for key in data:
            if key not in allowed:
                self.fail(path + (key,), f"unknown key {self.name(path + (key,))!r}; expected one of {', '.join(allowed)}")

    def choice(self, data: Mapping[str, Any], path: tuple[str | int, ...], key: str, options: Sequence[str], *, required: bool = True) -> str | None:
        where = self.name(path + (key,))
        if key not in data:
            if required:
                self.fail(path, f"missing {where}: state it explicitly, one of {', '.join(options)}")
            return None
        value = data[key]
        if not isinstance(value, str) or value not in options:
            self.fail(path + (key,), f"{where} = {value!r}: expected one of {', '.join(repr(o) for o in options)}")
            return None
        return value

    def text_value(self, data: Mapping[str, Any], path: tuple[str | int, ...], key: str, *, required: bool = True) -> str | None:
        where = self.name(path + (key,))
        if key not in data:
            if required:
                self.fail(path, f"missing {where} (text)")
            return None
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(path + (key,), f"{where} = {value!r}: expected non-empty text")
            return None
        return value

    def number(
        self,
        data: Mapping[str, Any],
        path: tuple[str | int, ...],
        key: str,
        *,
        required: bool = True,
        low: Decimal | None = None,
        high: Decimal | None = None,
        above: Decimal | None = None,
        whole: bool = False,
    ) -> Decimal | None:
        where = self.name(path + (key,))
        if key not in data:
            if required:
                self.fail(path, f"missing {where} (a number)")
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or (whole and not isinstance(value, int)):
            self.fail(path + (key,), f"{where} = {value!r}: expected {'a whole number' if whole else 'a number'}")
            return None
        number = Decimal(str(value))  # 0.05 is the decimal 0.05, not the binary fraction nearest it
        if not number.is_finite():
            self.fail(path + (key,), f"{where} = {value!r}: expected a finite number")
            return None
        if low is not None and number < low or high is not None and number > high or above is not None and number <= above:
            bounds = []
            if above is not None:
                bounds.append(f"above {above}")
            if low is not None:
                bounds.append(f"at least {low}")
            if high is not None:
                bounds.append(f"at most {high}")
            self.fail(path + (key,), f"{where} = {value!r}: must be {' and '.join(bounds)}")
            return None
        return number


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Read and validate a plan's TOML text.

    Raises:
        PlanError: the text is not TOML, or any key is unknown, missing or has a wrong value; every problem
            is listed with its line.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        where = f"line {match.group(1)}, column {match.group(2)}: " if match else ""
        raise PlanError(source, [f"{where}not valid TOML: {message}"]) from exc
    c = _Checker(text)
    c.known(data, (), ("plan", "commission", "holdback", "manager_bonus", "pool"))

    head = c.table(data, (), "plan", True) or {}
    c.known(head, ("plan",), ("name", "version", "payee", "period", "target_measure"))
    name = c.text_value(head, ("plan",), "name")
    version = head.get("version")
    if version is None:
        c.fail(("plan",), "missing plan.version: a statement records the version it was computed with")
    elif isinstance(version, bool) or not isinstance(version, str | int | float):
        c.fail(("plan", "version"), f"plan.version = {version!r}: expected text such as \"2025.1\"")
    payee = c.choice(head, ("plan",), "payee", PAYEES)
    period = c.choice(head, ("plan",), "period", PERIODS)
    measure = c.choice(head, ("plan",), "target_measure", TARGET_MEASURES)

    table = c.table(data, (), "commission", True)
    commission = None if table is None else _commission(c, table)
    holdback = _holdback(c, data)
    manager = _manager_bonus(c, data)
    pool = _pool(c, data)

    if c.problems:
        raise PlanError(source, [m for _line, m in sorted(c.problems, key=lambda p: p[0])])
    assert name and payee and period and measure and commission  # every required value was checked above
    return Plan(
        name=name,
        version=str(version),
        payee=payee,
        period=period,
        target_measure=measure,
        commission=commission,
        holdback=holdback,
        manager_bonus=manager,
        pool=pool,
        digest=hashlib.sha256(text.encode()).hexdigest(),
    )


def load_plan(path: Path | str) -> Plan:
    """:func:`parse_plan` on a file; problems name the file and the line."""
    p = Path(path)
    return parse_plan(p.read_text(encoding="utf-8"), str(p))


def _commission(c: _Checker, data: Mapping[str, Any]) -> Commission | None:
    path: tuple[str | int, ...] = ("commission",)
    c.known(data, path, ("method", "base", "credit_on", "cap_on", "cap", "bands"))
    method = c.choice(data, path, "method", METHODS)
    base = c.choice(data, path, "base", BASES)
    credit_on = c.choice(data, path, "credit_on", CREDIT_ON)
    cap = c.number(data, path, "cap", required=False, above=Decimal(0))
    cap_on = c.choice(data, path, "cap_on", CAP_ON, required="cap" in data)
    if "cap_on" in data and "cap" not in data:
        c.fail(path + ("cap_on",), "commission.cap_on is set but commission.cap is not: state the cap, or remove cap_on")
    raw = data.get("bands")
    bands: list[Band] = []
    if raw is None:
        c.fail(path, "missing [[commission.bands]]: at least one band, the first from_pct = 0")
    elif not isinstance(raw, list) or not all(isinstance(b, Mapping) for b in raw):
        c.fail(path + ("bands",), "commission.bands must be an array of tables ([[commission.bands]])")
    else:
        for i, band in enumerate(raw):
            where = path + ("bands", i)
            c.known(band, where, ("from_pct", "rate_pct", "name"))
            start = c.number(band, where, "from_pct", low=Decimal(0))
            rate = c.number(band, where, "rate_pct", low=Decimal(0), high=Decimal(100))
            label = band.get("name", "")
            if not isinstance(label, str):
                c.fail(where + ("name",), f"{c.name(where + ('name',))} = {label!r}: expected text")
                label = ""
            if start is not None and rate is not None:
                if i == 0 and start != 0:
                    c.fail(where + ("from_pct",), f"commission.bands[1].from_pct = {band['from_pct']!r}: the first band must start at 0")
                if bands and start <= bands[-1].from_pct:
                    c.fail(
                        where + ("from_pct",),
                        f"{c.name(where + ('from_pct',))} = {band['from_pct']!r}: bands must rise; the previous band starts at {bands[-1].from_pct}",
                    )
                bands.append(Band(start, rate, label))
    if method is None or base is None or credit_on is None or (raw is not None and not bands):
        return None
    return Commission(method, base, credit_on, tuple(bands), cap, cap_on)


def _holdback(c: _Checker, data: Mapping[str, Any]) -> Holdback | None:
    table = c.table(data, (), "holdback", False)
    if table is None:
        return None
    path: tuple[str | int, ...] = ("holdback",)
    c.known(table, path, ("share_pct", "months", "min_satisfaction"))
    share = c.number(table, path, "share_pct", above=Decimal(0), high=Decimal(100))
    months = c.number(table, path, "months", low=Decimal(1), high=Decimal(120), whole=True)
    sat = c.number(table, path, "min_satisfaction", required=False, low=Decimal(1), high=Decimal(5))
    if share is None or months is None:
        return None
    return Holdback(share, int(months), sat)


def _manager_bonus(c: _Checker, data: Mapping[str, Any]) -> ManagerBonus | None:
    table = c.table(data, (), "manager_bonus", False)
    if table is None:
        return None
    path: tuple[str | int, ...] = ("manager_bonus",)
    c.known(table, path, ("level", "target_bonus", "customer_share_pct", "attainment_cap_pct", "customer"))
    level = c.text_value(table, path, "level")
    target = c.number(table, path, "target_bonus", above=Decimal(0))
    share = c.number(table, path, "customer_share_pct", low=Decimal(0), high=Decimal(100))
    cap = c.number(table, path, "attainment_cap_pct", low=Decimal(100))
    raw = table.get("customer", [])
    conditions: list[CustomerCondition] = []
    if not isinstance(raw, list) or not all(isinstance(x, Mapping) for x in raw):
        c.fail(path + ("customer",), "manager_bonus.customer must be an array of tables ([[manager_bonus.customer]])")
        raw = []
    for i, item in enumerate(raw):
        where = path + ("customer", i)
        c.known(item, where, ("metric", "weight_pct", "full_at", "zero_at"))
        metric = c.choice(item, where, "metric", CUSTOMER_METRICS)
        weight = c.number(item, where, "weight_pct", above=Decimal(0), high=Decimal(100))
        low, high = (Decimal(0), Decimal(1)) if metric == "logo_churn" else (Decimal(1), Decimal(5))
        full = c.number(item, where, "full_at", low=low, high=high)
        zero = c.number(item, where, "zero_at", low=low, high=high)
        if metric and full is not None and zero is not None:
            # lower churn is better, higher satisfaction is better
            if (metric == "logo_churn" and not full < zero) or (metric == "satisfaction" and not full > zero):
                better = "below" if metric == "logo_churn" else "above"
                c.fail(where + ("zero_at",), f"{c.name(where + ('zero_at',))} = {item['zero_at']!r}: for {metric}, full_at must lie {better} zero_at ({full})")
            elif weight is not None:
                conditions.append(CustomerCondition(metric, weight, full, zero))
    if share is not None and share > 0 and not raw:
        c.fail(path, "manager_bonus.customer_share_pct is above 0 but no [[manager_bonus.customer]] metric is given")
    if raw and len(conditions) == len(raw):
        total = sum((x.weight_pct for x in conditions), Decimal(0))
        if total != 100:
            c.fail(path + ("customer", 0, "weight_pct"), f"manager_bonus.customer weights add up to {total}, not 100")
    if level is None or target is None or share is None or cap is None or len(conditions) != len(raw):
        return None
    return ManagerBonus(level, target, share, cap, tuple(conditions))


def _pool(c: _Checker, data: Mapping[str, Any]) -> Pool | None:
    table = c.table(data, (), "pool", False)
    if table is None:
        return None
    path: tuple[str | int, ...] = ("pool",)
    c.known(table, path, ("amount", "split_by", "contribution"))
    amount = c.number(table, path, "amount", above=Decimal(0))
    split = c.text_value(table, path, "split_by")
    contribution = c.choice(table, path, "contribution", CONTRIBUTIONS)
    if amount is None or split is None or contribution is None:
        return None
    return Pool(amount, split, contribution)


# --- Frozen statements ------------------------------------------------------------------------------------

statement_metadata = MetaData()

statement = Table(
    "incentive_statement",
    statement_metadata,
    Column("statement_id", Integer, primary_key=True, autoincrement=True),
    Column("plan_name", String(200), nullable=False),
    Column("plan_version", String(40), nullable=False),
    Column("plan_digest", String(64), nullable=False, comment="SHA-256 of the plan file's text."),
    Column("kind", String(20), nullable=False, server_default="commission", comment="commission (a rep's statement) or manager_bonus."),
    Column("payee", String(40), nullable=False, comment="The rep's code (or the unit's, for a manager's bonus)."),
    Column("unit", String(40), comment="The org unit whose viewers may see it: the rep's team in the period, or the bonus's unit."),
    Column("business_units", Text, comment="JSON list of the business units the figures cover (the approver's scope); null = all."),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("as_of", Date, nullable=False, comment="The data's as-of date the figures were computed at."),
    Column("currency", String(3), nullable=False),
    Column("approved_by", String(200), nullable=False),
    Column("approved_at", DateTime, nullable=False, comment="UTC."),
    Column("totals", Text, nullable=False, comment="JSON: name -> exact decimal string."),
    Column("lines", Text, nullable=False, comment="JSON: the deals behind the figures, one object per line."),
    UniqueConstraint("plan_name", "plan_version", "kind", "payee", "period_start", "period_end", name="uq_incentive_statement"),
)

#: Columns added since the table was first created, and how to add them to an older copy of it.
_ADDED_COLUMNS = {
    "kind": "VARCHAR(20) NOT NULL DEFAULT 'commission'",
    "unit": "VARCHAR(40)",
    "business_units": "TEXT",
}


def _ensure_table(engine: Engine) -> None:
    """Create the table, or bring an older one up to date (rows frozen before had no unit: only whole-company
    viewers see them)."""
    statement_metadata.create_all(engine)
    have = {c["name"] for c in inspect(engine).get_columns(statement.name)}
    missing = [name for name in _ADDED_COLUMNS if name not in have]
    if missing:
        with engine.begin() as conn:
            for name in missing:  # names and types are the constants above, never user input
                conn.execute(text(f"ALTER TABLE {statement.name} ADD COLUMN {name} {_ADDED_COLUMNS[name]}"))


STATEMENT_KINDS = ("commission", "manager_bonus")


class StatementExists(ValueError):
    """An approved statement is frozen: it is never overwritten."""


def _json_value(value: object) -> object:
    if isinstance(value, float) and value != value:  # pandas' missing value
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def freeze_statement(
    engine: Engine,
    *,
    plan: Plan,
    payee: str,
    period_start: date,
    period_end: date,
    as_of: date,
    currency: str,
    approved_by: str,
    approved_at: datetime,
    totals: Mapping[str, Decimal | None],
    lines: Sequence[Mapping[str, object]],
    kind: str = "commission",
    unit: str | None = None,
    business_units: Sequence[str] | None = None,
) -> int:
    """Store an approved statement in Granary's own database (``data_layer.app_store.open_app_store``), with the plan's
    version and digest and the as-of date, so later data changes never change what was paid. Returns its id.

    ``kind`` is ``commission`` (a rep's statement; ``payee`` the rep's code) or ``manager_bonus`` (``payee`` the
    unit's code); ``unit`` is the org unit whose viewers may see it and ``business_units`` the business units its
    figures cover (None: all).

    Raises:
        StatementExists: this plan version already has an approved statement of this kind for the payee and period.
    """
    if kind not in STATEMENT_KINDS:
        raise ValueError(f"unknown statement kind {kind!r}; expected one of {', '.join(STATEMENT_KINDS)}")
    _ensure_table(engine)
    with engine.begin() as conn:
        found = conn.execute(
            select(statement.c.statement_id).where(
                statement.c.plan_name == plan.name,
                statement.c.plan_version == plan.version,
                statement.c.kind == kind,
                statement.c.payee == payee,
                statement.c.period_start == period_start,
                statement.c.period_end == period_end,
            )
        ).first()
        if found is not None:
            raise StatementExists(f"the statement of {payee} for {period_start}–{period_end} under {plan.name} {plan.version} is already approved")
        result = conn.execute(
            insert(statement).values(
                plan_name=plan.name,
                plan_version=plan.version,
                plan_digest=plan.digest,
                kind=kind,
                payee=payee,
                unit=unit,
                business_units=None if business_units is None else json.dumps(sorted(business_units)),
                period_start=period_start,
                period_end=period_end,
                as_of=as_of,
                currency=currency,
                approved_by=approved_by,
                approved_at=approved_at,
                totals=json.dumps({k: _json_value(v) for k, v in totals.items()}, sort_keys=True),
                lines=json.dumps([{k: _json_value(v) for k, v in line.items()} for line in lines], ensure_ascii=False),
            )
        )
        return int(result.inserted_primary_key[0])


#: Line values read back as exact decimals and as dates (JSON holds them as strings).
DECIMAL_FIELDS = frozenset({
    "amount", "base", "rate", "commission", "earned", "held_back", "released", "forfeited", "paid_now", "attainment_before",
    "attainment_after", "value", "score", "weight_pct", "full_at", "zero_at", "target", "actual", "attainment", "logo_churn",
    "satisfaction", "bonus", "cap",
})
DATE_FIELDS = frozenset({"order_date", "credit_date", "window_end"})


def _read_value(key: str, value: object) -> object:
    if value is None:
        return None
    if key in DECIMAL_FIELDS:
        return Decimal(str(value))
    if key in DATE_FIELDS:
        return date.fromisoformat(str(value)[:10])
    return value


def stored_line(line: Mapping[str, object]) -> dict[str, object]:
    """``line`` as freezing stores it and :meth:`FrozenStatement.lines_of` reads it back (to compare like with like)."""
    raw = json.loads(json.dumps({k: _json_value(v) for k, v in line.items()}, ensure_ascii=False))
    return {k: _read_value(k, v) for k, v in raw.items()}


@dataclass(frozen=True)
class FrozenStatement:
    """An approved statement as Granary froze it: read back, never recomputed."""

    statement_id: int
    plan_name: str
    plan_version: str
    plan_digest: str
    kind: str
    payee: str
    unit: str | None
    business_units: tuple[str, ...] | None
    period_start: date
    period_end: date
    as_of: date
    currency: str
    approved_by: str
    approved_at: datetime
    totals: dict[str, Decimal | None]
    lines: list[dict[str, object]]

    def lines_of(self, part: str | None = None) -> list[dict[str, object]]:
        """The lines (of one ``part``: deal, holdback_decided or input), money as exact decimals and dates as dates."""
        return [{k: _read_value(k, v) for k, v in line.items()} for line in self.lines if part is None or line.get("part") == part]


def frozen_statements(engine: Engine, payee: str | None = None, *, kind: str | None = "commission") -> list[FrozenStatement]:
    """The approved statements of ``kind`` (None: every kind), of one payee or all, oldest period first; money
    comes back as exact decimals."""
    _ensure_table(engine)
    stmt = select(statement).order_by(statement.c.period_start, statement.c.payee, statement.c.statement_id)
    if payee is not None:
        stmt = stmt.where(statement.c.payee == payee)
    if kind is not None:
        stmt = stmt.where(statement.c.kind == kind)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [
        FrozenStatement(
            statement_id=int(r["statement_id"]),
            plan_name=r["plan_name"],
            plan_version=r["plan_version"],
            plan_digest=r["plan_digest"],
            kind=r["kind"],
            payee=r["payee"],
            unit=r["unit"],
            business_units=None if r["business_units"] is None else tuple(json.loads(r["business_units"])),
            period_start=r["period_start"],
            period_end=r["period_end"],
            as_of=r["as_of"],
            currency=r["currency"],
            approved_by=r["approved_by"],
            approved_at=r["approved_at"],
            totals={k: None if v is None else Decimal(v) for k, v in json.loads(r["totals"]).items()},
            lines=json.loads(r["lines"]),
        )
        for r in rows
    ]

