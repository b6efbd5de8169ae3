"""Reading a CRM in place: a mapping file says which of its tables, columns or SQL expressions play each
part of the canonical model (``docs/data-model.md``), and Granary reads through it without writing to it.

The mapping file (TOML)::

    [mapping]
    name = "odoo-17"                 # shown in messages (default: the file's name)
    timestamps = "UTC"               # the zone the CRM's timestamps are stored in; read as UTC

    [tables.opportunity]
    from = "crm_lead l LEFT JOIN crm_stage s ON s.id = l.stage_id"   # any SQL FROM clause over the CRM
    where = "l.type = 'opportunity'"                                 # optional
    values = { currency = "EUR" }                                    # fixed values, as data_layer.load has them
    modified = "l.write_date"                                        # optional: when a row last changed (for sync)

    [tables.opportunity.columns]
    opportunity_id = "l.id"                                          # canonical column = SQL expression
    probability = { sql = "l.probability", percent = true }          # stored as 0–100

    [tables.opportunity.columns.stage]
    sql = "s.name ->> 'en_US'"
    map = { "New" = "prospecting", "Qualified" = "qualification" }   # CRM value → canonical value
    else = "negotiation"                                             # any other value (default: kept as it is)

What each canonical column gets, by its type: money and other decimals are cast to the canonical
``NUMERIC`` (so amounts stored as text, or as floats, read as exact decimals); ``*_at`` timestamps are
moved from the ``timestamps`` zone to UTC (an exact table of the zone's offsets, so no database
time-zone function or table is needed); a ``*_date`` column given ``from_timestamp = true`` is the
company-zone date of a CRM timestamp. A column the mapping leaves out reads as a typed NULL, and a
canonical table it leaves out as a typed empty table, so pages show their empty state.

How it reads: :func:`install` makes every SELECT the engine runs carry, for each canonical table it
names, a common table expression of that name built from the mapping (``WITH opportunity AS (SELECT
... FROM crm_lead l ...)``). A CTE shadows a table of the same name on SQLite, DuckDB, PostgreSQL and
MariaDB, so metrics run unchanged and nothing is created in the CRM — no view, no temporary table.
The CTEs are built once per engine, so SQLAlchemy's compiled-statement cache still applies.

``modified`` is read only by ``python -m data_layer.sync`` (data_layer/sync.py), which copies the CRM
into a DuckDB file: a SQL expression over the ``from`` clause giving when the CRM last changed the row
(Odoo's ``write_date``, SuiteCRM's ``date_modified``), so that a sync reads only the rows changed since
the last one. Only a table with a key may name one (a history table is copied whole).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    CTE,
    Column,
    ColumnElement,
    CompoundSelect,
    Date,
    DateTime,
    Engine,
    Integer,
    Numeric,
    Select,
    String,
    Table,
    bindparam,
    case,
    cast,
    event,
    false,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from data_layer import schema

#: Where the shipped presets live; a preset is named by its file's stem (``odoo-17``).
PRESETS = resources.files("data_layer") / "presets"
#: Offsets of a time zone are tabulated over these years (a timestamp outside them takes the nearest offset).
ZONE_YEARS = (1990, 2050)
#: Statement shapes whose canonical tables an engine remembers.
MEMO_ENTRIES = 4096

COLUMN_KEYS = ("sql", "map", "else", "percent", "from_timestamp")
TABLE_KEYS = ("from", "where", "columns", "values", "modified")
MAPPING_KEYS = ("name", "crm", "timestamps")


class MappingError(ValueError):
    """The mapping file cannot be used; the message names the file, the table and the key."""


@dataclass(frozen=True)
class ColumnMap:
    """How one canonical column is read: a SQL expression over the CRM, optionally recoded by ``map``
    (and ``other`` for values not in it), divided by 100 (``percent``) or dated from a timestamp."""

    sql: str
    map: dict[str, Any] = field(default_factory=dict)
    other: Any = None
    has_other: bool = False
    percent: bool = False
    from_timestamp: bool = False


@dataclass(frozen=True)
class TableMap:
    """One canonical table read from the CRM: its FROM clause, an optional WHERE, its columns and fixed values."""

    table: Table
    source: str
    where: str | None
    columns: dict[str, ColumnMap]
    values: dict[str, Any]
    #: SQL giving when the CRM last changed the row (data_layer/sync.py reads only newer rows); None: copied whole.
    modified: str | None = None


@dataclass(frozen=True)
class Mapping:
    """A checked mapping file. ``tables`` holds the canonical tables the CRM has; the others read empty."""

    name: str
    path: Path
    zone: ZoneInfo
    tables: dict[str, TableMap]
    crm: str = ""

    def __hash__(self) -> int:
        return hash((self.name, str(self.path)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and (self.name, self.path) == (other.name, other.path)


# --- Reading and checking the file ------------------------------------------------------------------


def preset_names() -> list[str]:
    """The shipped presets, by name."""
    return sorted(p.name.removesuffix(".toml") for p in PRESETS.iterdir() if p.name.endswith(".toml"))


def mapping_path(spec: str | Path) -> Path:
    """The file of ``spec``: a path to a TOML file, or the name of a shipped preset (``odoo-17``)."""
    given = Path(spec)
    if given.suffix == ".toml" or given.exists() or "/" in str(spec) or "\\" in str(spec):
        if not given.exists():
            raise MappingError(f"The mapping file {given} does not exist.")
        return given
    preset = PRESETS / f"{spec}.toml"
    if not preset.is_file():
        raise MappingError(f"{spec!r} is neither a mapping file nor a preset; the presets are {', '.join(preset_names())}.")
    return Path(str(preset))


def load_mapping(spec: str | Path) -> Mapping:
    """The mapping file (or preset) ``spec``, checked against the canonical schema.

    Raises:
        MappingError: the file is missing or not TOML, or names a table, column or key that does not exist,
            or leaves a required column without a value.
    """
    path = mapping_path(spec)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"The mapping file {path} is not valid TOML: {exc}") from None
    unknown = set(raw) - {"mapping", "tables"}
    if unknown:
        raise MappingError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; expected [mapping] and [tables.<table>].")
    head = raw.get("mapping", {})
    if not isinstance(head, dict):
        raise MappingError(f"{path}: mapping must be a section, [mapping].")
    strange = set(head) - set(MAPPING_KEYS)
    if strange:
        raise MappingError(f"{path}: [mapping]: unknown key(s) {', '.join(sorted(strange))}; the keys are {', '.join(MAPPING_KEYS)}.")
    name = head.get("name", path.stem)
    zone_name = head.get("timestamps", "UTC")
    if not isinstance(name, str) or not isinstance(zone_name, str) or not isinstance(head.get("crm", ""), str):
        raise MappingError(f"{path}: [mapping]: name, crm and timestamps must be text in quotes.")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"{path}: [mapping]: timestamps must be a time zone such as 'UTC' or 'Asia/Shanghai', not {zone_name!r}.") from None
    tables = raw.get("tables", {})
    if not isinstance(tables, dict) or not tables:
        raise MappingError(f"{path}: no [tables.<table>] section: say which CRM tables play which canonical table.")
    maps = {table_name: _table_map(path, table_name, spec_) for table_name, spec_ in tables.items()}
    return Mapping(name, path, zone, maps, head.get("crm", ""))


def _table_map(path: Path, name: str, spec: Any) -> TableMap:
    table = schema.metadata.tables.get(name)
    if table is None:
        raise MappingError(f"{path}: [tables.{name}]: there is no canonical table {name!r}; the tables are {', '.join(sorted(schema.metadata.tables))}.")
    where = f"{path}: [tables.{name}]"
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: expected a section with from, columns and optionally where and values.")
    strange = set(spec) - set(TABLE_KEYS)
    if strange:
        raise MappingError(f"{where}: unknown key(s) {', '.join(sorted(strange))}; the keys are {', '.join(TABLE_KEYS)}.")
    source, condition = spec.get("from"), spec.get("where")
    if not isinstance(source, str) or not source.strip():
        raise MappingError(f"{where}: from must be the SQL FROM clause over the CRM's tables, e.g. from = \"crm_lead l\".")
    if condition is not None and (not isinstance(condition, str) or not condition.strip()):
        raise MappingError(f"{where}: where must be a SQL condition in quotes.")
    modified = spec.get("modified")
    if modified is not None and (not isinstance(modified, str) or not modified.strip()):
        raise MappingError(f"{where}: modified must be the SQL expression of when the CRM last changed the row, e.g. modified = \"l.write_date\".")
    if modified is not None and not table.primary_key.columns:
        raise MappingError(f"{where}: modified needs a table with a key; {name} has none, so a sync copies it whole: leave modified out.")
    columns, values = spec.get("columns", {}), spec.get("values", {})
    if not isinstance(columns, dict) or not isinstance(values, dict):
        raise MappingError(f"{where}: columns and values must be sections of canonical column = …")
    for column in (*columns, *values):
        if column not in table.columns:
            raise MappingError(f"{where}: {name} has no column {column!r}; its columns are {', '.join(table.columns.keys())}.")
    both = set(columns) & set(values)
    if both:
        raise MappingError(f"{where}: {', '.join(sorted(both))} is given both a column and a value.")
    for column in table.columns:
        if not column.nullable and column.name not in columns and column.name not in values:
            raise MappingError(f"{where}: {name}.{column.name} is required: map an expression to it or give it a value.")
    for column, value in values.items():
        if not isinstance(value, str | int | float | bool):
            raise MappingError(f"{where}: values: {column} must be a fixed value such as \"EUR\" or 1, not {value!r}.")
    parsed = {column: _column_map(f"{where}.columns.{column}", table.c[column], given) for column, given in columns.items()}
    for text_ in (source, condition or "", modified or "", *(c.sql for c in parsed.values())):
        _refuse_shadowed(where, text_)
    return TableMap(table, source, condition, parsed, dict(values), modified)


def _column_map(where: str, column: Column, given: Any) -> ColumnMap:
    if isinstance(given, str):
        given = {"sql": given}
    if not isinstance(given, dict):
        raise MappingError(f"{where}: expected a SQL expression in quotes, or a section with sql and optionally {', '.join(COLUMN_KEYS[1:])}.")
    strange = set(given) - set(COLUMN_KEYS)
    if strange:
        raise MappingError(f"{where}: unknown key(s) {', '.join(sorted(strange))}; the keys are {', '.join(COLUMN_KEYS)}.")
    sql = given.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise MappingError(f"{where}: sql must be the SQL expression that gives {column.table.name}.{column.name}.")
    value_map = given.get("map", {})
    if not isinstance(value_map, dict) or not all(isinstance(v, str | int | float | bool) for v in value_map.values()):
        raise MappingError(f"{where}: map must be a section of CRM value = canonical value, e.g. {{ \"Closed Won\" = \"won\" }}.")
    if "else" in given and not value_map:
        raise MappingError(f"{where}: else is the value for CRM values not in map; give a map too.")
    percent, from_timestamp = given.get("percent", False), given.get("from_timestamp", False)
    if not isinstance(percent, bool) or not isinstance(from_timestamp, bool):
        raise MappingError(f"{where}: percent and from_timestamp are true or false.")
    if percent and not isinstance(column.type, Numeric):
        raise MappingError(f"{where}: percent applies to a number column; {column.name} is {column.type}.")
    if from_timestamp and (not isinstance(column.type, Date) or isinstance(column.type, DateTime)):
        raise MappingError(f"{where}: from_timestamp applies to a date column; {column.name} is {column.type}.")
    return ColumnMap(sql, dict(value_map), given.get("else"), "else" in given, percent, from_timestamp)


_CANONICAL = {name.lower() for name in schema.metadata.tables}
# A table named right after FROM or JOIN, or first in a FROM clause, not qualified by a schema (public.account).
_TABLE_REF = re.compile(r"(?:^\s*|\b(?:from|join)\s+)[`\"\[]?([A-Za-z_][\w$]*)[`\"\]]?(?!\s*\.)", re.IGNORECASE)


def _refuse_shadowed(where: str, sql: str) -> None:
    """Refuse a CRM table named like a canonical table: Granary's CTE of that name would shadow it.

    Qualified with its schema or database (``public.account``, ``main.account``, ``crm.account``) it is
    not shadowed, so that is the way out."""
    for match in _TABLE_REF.finditer(sql):
        if match.group(1).lower() in _CANONICAL:
            raise MappingError(
                f"{where}: the CRM table {match.group(1)!r} has the name of a canonical table, which Granary reads "
                f"through a CTE of that name: write it with its schema or database, e.g. public.{match.group(1)} "
                f"(PostgreSQL), main.{match.group(1)} (SQLite, DuckDB) or yourdb.{match.group(1)} (MariaDB)."
            )


# --- Time zones without database time-zone functions -------------------------------------------------


class _ShiftSeconds(FunctionElement[Any]):
    """``ts`` plus a constant number of seconds (an offset from a zone table, never user input)."""

    name = "shift_seconds"
    inherit_cache = True
    type = DateTime()


@compiles(_ShiftSeconds)
def _shift_default(element: _ShiftSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    ts, seconds = list(element.clauses)
    return f"({compiler.process(ts, **kw)} + INTERVAL '{int(seconds.name)} seconds')"  # type: ignore[attr-defined]


@compiles(_ShiftSeconds, "mysql")
@compiles(_ShiftSeconds, "mariadb")
def _shift_mysql(element: _ShiftSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    ts, seconds = list(element.clauses)
    return f"({compiler.process(ts, **kw)} + INTERVAL {int(seconds.name)} SECOND)"  # type: ignore[attr-defined]


@compiles(_ShiftSeconds, "sqlite")
def _shift_sqlite(element: _ShiftSeconds, compiler: SQLCompiler, **kw: Any) -> str:
    # In the text form SQLAlchemy stores and binds (microseconds, to the millisecond here), so that it
    # compares as text with the bounds metrics bind.
    ts, seconds = list(element.clauses)
    moment, shift = compiler.process(ts, **kw), f"'{int(seconds.name):+d} seconds'"  # type: ignore[attr-defined]
    return f"(strftime('%Y-%m-%d %H:%M:%S', {moment}, {shift}) || substr(strftime('%f', {moment}, {shift}), 3) || '000')"


class _DayOf(FunctionElement[Any]):
    """The date of a timestamp."""

    name = "day_of"
    inherit_cache = True
    type = Date()


@compiles(_DayOf)
def _day_default(element: _DayOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(list(element.clauses)[0], **kw)} AS DATE)"


@compiles(_DayOf, "sqlite")
def _day_sqlite(element: _DayOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(list(element.clauses)[0], **kw)})"


def _shift(ts: ColumnElement[Any], seconds: int) -> ColumnElement[Any]:
    if seconds == 0:
        return ts
    # A literal column, not a bound value: the number is part of the statement's cache key.
    return _ShiftSeconds(ts, literal_column(str(int(seconds))))


def zone_changes(zone: ZoneInfo, local: bool) -> tuple[int, list[tuple[datetime, int]]]:
    """The zone's UTC offset in seconds before :data:`ZONE_YEARS`, and each later change as (when, new offset).

    ``local``: ``when`` is a wall-clock time in the zone, the first one read at the new offset as Python reads
    it (a time skipped by a spring-forward takes the earlier offset, a repeated one its first occurrence);
    otherwise ``when`` is a UTC time."""
    start = datetime(ZONE_YEARS[0], 1, 1, tzinfo=timezone.utc)
    end = datetime(ZONE_YEARS[1], 1, 1, tzinfo=timezone.utc)

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]

    first = offset(start)
    changes: list[tuple[datetime, int]] = []
    day, previous = start, first
    while day < end:
        following = day + timedelta(days=1)
        if offset(following) != previous:
            lo, hi = int(day.timestamp()), int(following.timestamp())  # the change lies in (lo, hi]: find its second
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(datetime.fromtimestamp(mid, timezone.utc)) == previous else (lo, mid)
            at = datetime.fromtimestamp(hi, timezone.utc)
            new = offset(at)
            when = at + timedelta(seconds=max(previous, new)) if local else at
            changes.append((when.replace(tzinfo=None), new))
            previous = new
        day = following
    return first, changes


def _by_offset(ts: ColumnElement[Any], zone: ZoneInfo, local: bool, sign: int) -> ColumnElement[Any]:
    """``ts`` shifted by the zone's offset in force at it: a binary tree of CASEs over the zone's changes."""
    first, changes = zone_changes(zone, local)

    def tree(lo: int, hi: int, before: int) -> ColumnElement[Any]:  # changes[lo:hi], offset ``before`` until changes[lo]
        if lo == hi:
            return _shift(ts, sign * before)
        mid = (lo + hi) // 2
        return case((ts < literal(changes[mid][0], DateTime), tree(lo, mid, before)), else_=tree(mid + 1, hi, changes[mid][1]))

    return tree(0, len(changes), first)


def to_utc(ts: ColumnElement[Any], zone: ZoneInfo) -> ColumnElement[Any]:
    """A wall-clock time in ``zone`` as UTC (both without a zone)."""
    return _by_offset(ts, zone, local=True, sign=-1)


def from_utc(ts: ColumnElement[Any], zone: ZoneInfo) -> ColumnElement[Any]:
    """A UTC time as the wall-clock time in ``zone``."""
    return _by_offset(ts, zone, local=False, sign=1)


# --- The SELECT behind each canonical table ------------------------------------------------------------


def _column_expression(tm: TableMap, column: Column, crm_zone: ZoneInfo, company_zone: ZoneInfo) -> ColumnElement[Any]:
    if column.name in tm.values:
        return cast(literal(tm.values[column.name]), column.type)
    cm = tm.columns.get(column.name)
    if cm is None:
        return cast(null(), column.type)
    expr: ColumnElement[Any] = literal_column(f"({cm.sql})", type_=column.type)
    if cm.map:
        recoded = {literal(k, String): literal(v) for k, v in cm.map.items()}
        if cm.has_other:
            otherwise: ColumnElement[Any] = literal(cm.other)
        elif isinstance(column.type, String):
            otherwise = expr
        else:
            otherwise = null()
        expr = case(*((cast(expr, String) == k, v) for k, v in recoded.items()), else_=otherwise)
    if cm.percent:
        expr = expr / literal_column("100.0")
    if isinstance(column.type, Numeric):
        expr = cast(expr, column.type)
    elif isinstance(column.type, DateTime):
        expr = to_utc(expr, crm_zone) if _offsets_differ(crm_zone, ZoneInfo("UTC")) else expr
    elif isinstance(column.type, Date) and cm.from_timestamp:
        if _offsets_differ(crm_zone, company_zone):
            expr = from_utc(to_utc(expr, crm_zone), company_zone)
        expr = _DayOf(expr)  # type: ignore[assignment]
    return expr


def _offsets_differ(a: ZoneInfo, b: ZoneInfo) -> bool:
    return a.key != b.key


def table_select(mapping: Mapping, name: str, company_zone: ZoneInfo) -> Select[Any]:
    """The SELECT that reads canonical table ``name`` from the CRM (typed and empty when the CRM lacks it)."""
    table = schema.metadata.tables[name]
    tm = mapping.tables.get(name)
    if tm is None:
        return select(*(cast(null(), c.type).label(c.name) for c in table.columns)).where(false())
    stmt = select(*(_column_expression(tm, c, mapping.zone, company_zone).label(c.name) for c in table.columns))
    stmt = stmt.select_from(text(tm.source))
    return stmt.where(text(f"({tm.where})")) if tm.where else stmt


def changed_select(mapping: Mapping, name: str, company_zone: ZoneInfo, since: Any) -> Select[Any]:
    """The rows of canonical table ``name`` whose ``modified`` is after ``since`` (or null), read without
    the mapping's WHERE but with whether each row meets it (``granary_in_scope``), and ``granary_modified``:
    a row that left the mapping's scope (archived, cancelled, flagged deleted) is seen as changed too."""
    tm = mapping.tables[name]
    if tm.modified is None:
        raise ValueError(f"{name} has no modified expression")
    modified = literal_column(f"({tm.modified})", type_=DateTime)
    in_scope = case((text(f"({tm.where})"), 1), else_=0) if tm.where else literal_column("1")
    stmt = select(
        *(_column_expression(tm, c, mapping.zone, company_zone).label(c.name) for c in tm.table.columns),
        modified.label("granary_modified"),
        in_scope.label("granary_in_scope"),
    ).select_from(text(tm.source))
    return stmt.where(or_(modified > bindparam("since", since, type_=DateTime), modified.is_(None)))


def build_ctes(mapping: Mapping, company_zone: ZoneInfo) -> dict[str, CTE]:
    """One CTE per canonical table, named like it. PostgreSQL, DuckDB and SQLite are told not to
    materialise it, so a filter on it reaches the CRM's indexes even when a statement reads it twice."""
    return {
        name: table_select(mapping, name, company_zone).cte(name).prefix_with("NOT MATERIALIZED", dialect=("postgresql", "duckdb", "sqlite"))
        for name in schema.metadata.tables
    }


# --- The engine ----------------------------------------------------------------------------------------------


def canonical_tables(statement: Any) -> set[str]:
    """The canonical tables ``statement`` reads, at any depth (subqueries, its own CTEs, aliases).

    Each element is visited once: metrics reuse sub-expressions (a date range, a scope) many times
    in one statement, and :func:`sqlalchemy.sql.visitors.iterate` would walk each use again."""
    found: set[str] = set()
    seen: set[int] = set()
    stack = [statement]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        owner = node.table if isinstance(node, Column) else node
        while owner is not None and not isinstance(owner, Table) and hasattr(owner, "element"):
            owner = owner.element
        if isinstance(owner, Table):
            if owner.metadata is schema.metadata:
                found.add(owner.name)
            continue
        stack.extend(node.get_children())
    return found


def install(engine: Engine, mapping: Mapping, company_zone: ZoneInfo) -> None:
    """Make every SELECT ``engine`` runs read the canonical tables through ``mapping``."""
    ctes = build_ctes(mapping, company_zone)
    order = list(schema.metadata.tables)
    engine.info["mapping"] = mapping  # type: ignore[attr-defined]
    engine.info["company_zone"] = company_zone  # type: ignore[attr-defined]

    # The tables a statement reads, by its structure (SQLAlchemy's cache key, cheaper than a walk).
    memo: dict[Any, frozenset[str]] = {}

    @event.listens_for(engine, "before_execute", retval=True)
    def _read_through(conn: Any, statement: Any, multiparams: Any, params: Any, execution_options: Any) -> tuple[Any, Any, Any]:
        if isinstance(statement, Select | CompoundSelect):
            key = statement._generate_cache_key()
            names = memo.get(key.key) if key is not None else None
            if names is None:
                names = frozenset(canonical_tables(statement))
                if key is not None:
                    if len(memo) > MEMO_ENTRIES:
                        memo.clear()
                    memo[key.key] = names
            if names:
                statement = statement.add_cte(*(ctes[n] for n in order if n in names))
        return statement, multiparams, params


def mapping_of(engine: Engine) -> Mapping | None:
    """The mapping ``engine`` reads through, None for canonical tables."""
    return getattr(engine, "info", {}).get("mapping")


def problems(engine: Engine, tables: Iterable[str] | None = None) -> list[str]:
    """What the CRM lacks for the mapped tables: ``table (…)`` when its FROM or WHERE fails, else
    ``table.column (…)`` for each column whose expression fails, each with the database's own words.
    Each mapped SELECT runs with a false WHERE, so nothing is read."""
    mapping = mapping_of(engine)
    if mapping is None:
        raise ValueError("the engine reads no mapping")
    company_zone = engine.info["company_zone"]  # type: ignore[attr-defined]
    found: list[str] = []
    wanted = None if tables is None else set(tables)
    with engine.connect() as conn:

        def fails(stmt: Any) -> str | None:
            try:
                conn.execute(stmt).close()
                return None
            except Exception as exc:  # noqa: BLE001 - each backend raises its own kind
                conn.rollback()
                lines = str(getattr(exc, "orig", exc)).strip().splitlines()
                return lines[0] if lines else type(exc).__name__

        for name, tm in mapping.tables.items():
            if wanted is not None and name not in wanted:
                continue
            whole = table_select(mapping, name, company_zone)
            if fails(whole.where(false())) is None:
                continue
            base = select(literal_column("1")).select_from(text(tm.source))
            if tm.where:
                base = base.where(text(f"({tm.where})"))
            error = fails(base.where(false()))
            if error is not None:
                found.append(f"{name} (mapping {mapping.name}: [tables.{name}] from/where: {error})")
                continue
            for column in tm.table.columns:
                if column.name not in tm.columns:
                    continue
                probe = select(_column_expression(tm, column, mapping.zone, company_zone).label(column.name)).select_from(text(tm.source))
                error = fails(probe.where(false()))
                if error is not None:
                    found.append(f"{name}.{column.name} (mapping {mapping.name}: {tm.columns[column.name].sql!r}: {error})")
    return found
