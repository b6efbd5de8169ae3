"""Copy a CRM into a DuckDB file that the app reads instead of the CRM (a snapshot, refreshed by a schedule).

    python -m data_layer.sync --url CRM_URL [--mapping FILE_OR_PRESET] [--to PATH] [--full] [--compare-ids]

Aggregating a production CRM in place is slow on a row store and loads the database its sales people work
in; the copy answers the same metrics from DuckDB. Point the app at it with ``CRM_DATABASE_URL=duckdb:///PATH``.

How a sync works:

- The new copy is built beside the old one (``PATH.partial``: the old file copied first, unless ``--full``)
  and moved over it with ``os.replace`` when complete, so the app keeps reading the old file meanwhile (an
  open DuckDB connection keeps the old file) and a new engine opens the new one (ui/cache.py keys engines by
  the file's modification time and size).
- Each table is copied in one DuckDB transaction, which also records the table's sync state
  (``granary_sync_table``). An interrupted sync leaves ``PATH`` untouched and ``PATH.partial`` with the tables it
  finished; the next run with the same source and options carries on from there.
- A table whose mapping names ``modified`` (data_layer/mapping.py) is read incrementally: only the rows
  changed since the newest modification time seen, less :data:`OVERLAP` (a CRM transaction may commit after
  a later one). Rows that left the mapping's WHERE (archived, cancelled, flagged deleted) leave the copy then.
  Hard deletions are found by comparing id sets, every :data:`COMPARE_EVERY` syncs of the table or with
  ``--compare-ids``. Other tables, and every table of a canonical CRM, are read whole each time.
- Rows stream from the CRM in chunks (server-side cursors) into a staging table; what differs from the copy
  is counted (new, changed, deleted) and written. The summary tables are rebuilt at the end.
- The copy records its source and time (``granary_sync``): the app's heading says how old it is
  (data_layer.dimensions.copy_made).
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import BigInteger, Column, Connection, Date, DateTime, Engine, Index, Integer, MetaData, Numeric, Select, String, Table, create_engine, literal_column, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import CreateIndex, CreateTable
from tqdm import tqdm

from data_layer import schema
from data_layer.commands import run
from data_layer.config import ROOT, Settings, load_settings
from data_layer.connection import ConnectionProblem, explain, make_engine, mask, short
from data_layer.mapping import Mapping, MappingError, changed_select, load_mapping, table_select

#: Where the copy goes unless ``--to`` says otherwise (beside the demo database, in the ignored var/).
DEFAULT_COPY = ROOT / "var" / "crm-copy.duckdb"
#: Rows fetched from the CRM at a time: a chunk is held once as Python rows and once as Arrow columns.
CHUNK_ROWS = 50_000
#: An incremental read goes back this far before the newest modification time seen.
OVERLAP = timedelta(minutes=10)
#: Every this many incremental syncs of a table, its id set is compared with the CRM's.
COMPARE_EVERY = 12
#: A sync reads whole tables: far beyond the app's statement timeout.
SYNC_STATEMENT_TIMEOUT_S = 6 * 3600

SYNC = "granary_sync"
SYNC_TABLE = "granary_sync_table"
STAGE = "granary_stage"
IDS = "granary_ids"
MODIFIED = "granary_modified"
IN_SCOPE = "granary_in_scope"


class SyncError(RuntimeError):
    """The sync cannot run; the message is fit for a user and the old copy is untouched."""


@dataclass
class TableReport:
    """What one table's sync did."""

    table: str
    how: str  # "whole", "changes" or "changes + ids"
    read: int = 0
    new: int = 0
    changed: int = 0
    deleted: int = 0
    rows: int = 0
    seconds: float = 0.0
    resumed: bool = False  # finished by an earlier, interrupted run


@dataclass
class SyncReport:
    """What a sync did, table by table."""

    path: Path
    source: str
    full: bool
    tables: list[TableReport] = field(default_factory=list)
    seconds: float = 0.0
    summaries: int | None = None


# --- The copy's tables ----------------------------------------------------------------------------------


def _copy_metadata() -> MetaData:
    """The canonical tables as the copy holds them: integers are BIGINT (a mapping may give 60-bit ids, as
    SuiteCRM's does), and no key or unique constraint, since a CRM read in place is not held to them either."""
    md = MetaData()
    for table in schema.TABLES:
        columns = [Column(c.name, BigInteger() if isinstance(c.type, Integer) else c.type, nullable=True) for c in table.columns]
        copy = Table(table.name, md, *columns)
        for index in table.indexes:
            Index(index.name, *(copy.c[c.name] for c in index.columns))
    Table(
        SYNC, md,
        Column("run_id", String(40)), Column("source", String(500)), Column("source_short", String(300)), Column("mapping", String(500)),
        Column("full_sync", Integer), Column("started_at", DateTime), Column("finished_at", DateTime), Column("seconds", Numeric(12, 3)),
        Column("rows_new", BigInteger), Column("rows_changed", BigInteger), Column("rows_deleted", BigInteger),
    )  # fmt: skip
    Table(
        SYNC_TABLE, md,
        Column("table_name", String(60)), Column("run_id", String(40)), Column("how", String(20)), Column("last_modified", DateTime),
        Column("syncs_since_compare", Integer), Column("rows", BigInteger), Column("rows_read", BigInteger), Column("rows_new", BigInteger),
        Column("rows_changed", BigInteger), Column("rows_deleted", BigInteger), Column("seconds", Numeric(12, 3)),
    )  # fmt: skip
    return md


COPY = _copy_metadata()


def _arrow_type(type_: Any) -> pa.DataType:
    if isinstance(type_, Integer):
        return pa.int64()
    if isinstance(type_, Numeric):
        return pa.decimal128(type_.precision or 38, type_.scale or 0)
    if isinstance(type_, DateTime):
        return pa.timestamp("us")
    if isinstance(type_, Date):
        return pa.date32()
    return pa.string()


def _plain(value: Any, type_: pa.DataType) -> Any:
    """A value the driver gave in another form than ``type_`` takes (a float for a decimal, a datetime for a date, …)."""
    if value is None:
        return None
    if pa.types.is_decimal(type_):
        from decimal import ROUND_HALF_UP, Decimal

        return Decimal(str(value)).quantize(Decimal(1).scaleb(-type_.scale), rounding=ROUND_HALF_UP)
    if pa.types.is_date32(type_):
        return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])
    if pa.types.is_timestamp(type_):
        if isinstance(value, datetime):
            return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
        return datetime.fromisoformat(str(value)) if not isinstance(value, date) else datetime(value.year, value.month, value.day)
    if pa.types.is_integer(type_):
        return int(value)
    return str(value)


def _arrow_chunk(rows: Sequence[Sequence[Any]], names: list[str], types: list[pa.DataType]) -> pa.Table:
    columns = list(zip(*rows)) if rows else [() for _ in names]
    arrays = []
    for values, type_ in zip(columns, types):
        try:
            arrays.append(pa.array(values, type=type_))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            arrays.append(pa.array([_plain(v, type_) for v in values], type=type_))
    return pa.Table.from_arrays(arrays, names=names)


# --- Reading the CRM ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    table: Table
    key: list[str]
    incremental: bool
    compare: bool
    since: datetime | None


def _whole(mapping: Mapping | None, table: Table, zone: Any) -> Select[Any]:
    if mapping is None:
        return select(*table.columns)
    stmt = table_select(mapping, table.name, zone)
    tm = mapping.tables.get(table.name)
    if tm is not None and tm.modified:  # the newest modification time, for the next incremental read
        stmt = stmt.add_columns(literal_column(f"({tm.modified})", type_=DateTime).label(MODIFIED))
    return stmt


def _keys_select(mapping: Mapping | None, table: Table, key: list[str], zone: Any) -> Select[Any]:
    if mapping is None:
        return select(*(table.c[k] for k in key))
    sub = table_select(mapping, table.name, zone).subquery()
    return select(*(sub.c[k] for k in key))


def _stream(conn: Connection, stmt: Select[Any]) -> Iterator[tuple[list[str], Sequence[Sequence[Any]]]]:
    result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(stmt)
    names = list(result.keys())
    for part in result.partitions():
        yield names, part


# --- Writing the copy --------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return f'"{name}"'


def _stage(duck: Any, conn: Connection, stmt: Select[Any], table: Table, extra: dict[str, pa.DataType], name: str, bar: tqdm | None) -> int:
    """Stream ``stmt``'s rows into a fresh table ``name`` of the copy; returns how many."""
    columns = [(c.name, COPY.tables[table.name].c[c.name].type) for c in table.columns]
    ddl = ", ".join(f"{_q(n)} {t.compile(dialect=_duck_dialect())}" for n, t in columns)
    ddl += "".join(f", {_q(n)} {'TIMESTAMP' if pa.types.is_timestamp(t) else 'INTEGER'}" for n, t in extra.items())
    duck.execute(f"CREATE OR REPLACE TEMP TABLE {_q(name)} ({ddl})")
    if conn.dialect.name == "postgresql":
        sql_types = {n: str(t.compile(dialect=_duck_dialect())) for n, t in columns}
        sql_types |= {n: "TIMESTAMP" if pa.types.is_timestamp(t) else "INTEGER" for n, t in extra.items()}
        return _stage_by_copy(duck, conn, stmt, sql_types, name, bar)
    arrow_types = {c.name: _arrow_type(t) for c, t in ((c, COPY.tables[table.name].c[c.name].type) for c in table.columns)} | extra
    count = 0
    for names, rows in _stream(conn, stmt):
        chunk = _arrow_chunk(rows, names, [arrow_types[n] for n in names])
        duck.register("granary_chunk", chunk)
        try:
            duck.execute(f"INSERT INTO {_q(name)} ({', '.join(map(_q, names))}) SELECT * FROM granary_chunk")
        finally:
            duck.unregister("granary_chunk")
        count += len(rows)
        if bar is not None:
            bar.update(len(rows))
    return count


def _stage_by_copy(duck: Any, conn: Connection, stmt: Select[Any], sql_types: dict[str, str], name: str, bar: tqdm | None) -> int:
    """PostgreSQL's fast path: ``COPY (SELECT …) TO STDOUT`` as CSV, streamed to a file beside the copy, which
    DuckDB parses; ten times faster than decoding each value in Python, and the rows are on disk, not in memory."""
    names = list(stmt.selected_columns.keys())
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    raw = conn.connection.driver_connection
    spool = Path(_duck_path(duck)).with_suffix(".spool.csv")
    try:
        with raw.cursor() as cur:
            cur.execute("SET LOCAL datestyle = 'ISO, YMD'")  # the text DuckDB reads, whatever the server's default
            with spool.open("wb") as out, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for data in copy:
                    out.write(data)
                    if bar is not None:
                        bar.update(bytes(data).count(b"\n"))
        types = "{" + ", ".join(f"'{n}': '{sql_types[n]}'" for n in names) + "}"
        # PostgreSQL writes NULL unquoted and an empty text as "": only the former is null.
        duck.execute(
            f"INSERT INTO {_q(name)} ({', '.join(map(_q, names))}) SELECT * FROM read_csv(?, header = false, columns = {types}, "
            "quote = '\"', escape = '\"', allow_quoted_nulls = false, auto_detect = false)",
            [str(spool)],
        )
    finally:
        spool.unlink(missing_ok=True)
    return int(_one(duck, f"SELECT count(*) FROM {_q(name)}"))


def _duck_path(duck: Any) -> str:
    return str(_one(duck, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"))


_DIALECT: Any = None


def _duck_dialect() -> Any:
    global _DIALECT  # noqa: PLW0603 - one dialect instance to compile column types with
    if _DIALECT is None:
        from data_layer.connection import DuckDBDialect

        _DIALECT = DuckDBDialect()
    return _DIALECT


def _one(duck: Any, sql: str) -> Any:
    return duck.execute(sql).fetchone()[0]


def _merge_whole(duck: Any, table: str, columns: str, key: list[str], report: TableReport) -> None:
    """Make ``table`` equal to the staged rows, counting what differs."""
    if _one(duck, f"SELECT count(*) FROM {_q(table)}") == 0:
        report.new = _one(duck, f"SELECT count(*) FROM {STAGE}")
    elif key:
        on = " AND ".join(f"s.{_q(k)} = t.{_q(k)}" for k in key)
        report.new = _one(duck, f"SELECT count(*) FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {_q(table)} t WHERE {on})")
        report.deleted = _one(duck, f"SELECT count(*) FROM {_q(table)} t WHERE NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE {on})")
        differing = _one(duck, f"SELECT count(*) FROM (SELECT {columns} FROM {STAGE} EXCEPT ALL SELECT {columns} FROM {_q(table)})")
        report.changed = differing - report.new
    else:  # a history table: rows have no identity, so a row is new or gone
        report.new = _one(duck, f"SELECT count(*) FROM (SELECT {columns} FROM {STAGE} EXCEPT ALL SELECT {columns} FROM {_q(table)})")
        report.deleted = _one(duck, f"SELECT count(*) FROM (SELECT {columns} FROM {_q(table)} EXCEPT ALL SELECT {columns} FROM {STAGE})")
    if report.new or report.changed or report.deleted:
        duck.execute(f"DELETE FROM {_q(table)}")
        duck.execute(f"INSERT INTO {_q(table)} ({columns}) SELECT {columns} FROM {STAGE}")


def _merge_changes(duck: Any, table: str, columns: str, key: list[str], report: TableReport) -> None:
    """Apply the staged changed rows (each with whether it is still in the mapping's scope) to ``table``."""
    keys = ", ".join(_q(k) for k in key)
    on = " AND ".join(f"s.{_q(k)} = t.{_q(k)}" for k in key)
    # Rows in scope that differ from the copy's (new or changed), and keys touched with no row left in scope.
    duck.execute(
        f"CREATE OR REPLACE TEMP TABLE granary_diff AS SELECT {columns} FROM {STAGE} WHERE {IN_SCOPE} = 1 "
        f"EXCEPT SELECT {columns} FROM {_q(table)} t WHERE EXISTS (SELECT 1 FROM {STAGE} s WHERE {on})"
    )
    report.new = _one(duck, f"SELECT count(*) FROM granary_diff s WHERE NOT EXISTS (SELECT 1 FROM {_q(table)} t WHERE {on})")
    report.changed = _one(duck, "SELECT count(*) FROM granary_diff") - report.new
    left = f"SELECT {keys} FROM {STAGE} EXCEPT SELECT {keys} FROM {STAGE} WHERE {IN_SCOPE} = 1"
    report.deleted = _one(duck, f"SELECT count(*) FROM {_q(table)} t WHERE EXISTS (SELECT 1 FROM ({left}) s WHERE {on})")
    duck.execute(
        f"DELETE FROM {_q(table)} t WHERE EXISTS (SELECT 1 FROM granary_diff s WHERE {on}) "
        f"OR EXISTS (SELECT 1 FROM ({left}) s WHERE {on})"
    )
    duck.execute(f"INSERT INTO {_q(table)} ({columns}) SELECT {columns} FROM granary_diff")
    duck.execute("DROP TABLE granary_diff")


def _drop_missing_ids(duck: Any, table: str, key: list[str]) -> int:
    on = " AND ".join(f"s.{_q(k)} = t.{_q(k)}" for k in key)
    return int(_one(duck, f"DELETE FROM {_q(table)} t WHERE NOT EXISTS (SELECT 1 FROM {IDS} s WHERE {on})") or 0)


# --- The sync -------------------------------------------------------------------------------------------------


def partial_path(path: Path) -> Path:
    """Where a sync builds the new copy before moving it over ``path``."""
    return path.with_name(path.name + ".partial")


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def _previous(duck: Any, source: str, mapping: str | None) -> bool:
    """Whether the copy open in ``duck`` was synced from this source through this mapping."""
    try:
        row = duck.execute(f"SELECT source, mapping FROM {SYNC} WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1").fetchone()
    except Exception:  # noqa: BLE001 - not a copy (no state table)
        return False
    return row is not None and row[0] == source and row[1] == mapping


def _unfinished_run(duck: Any, source: str, mapping: str | None, full: bool) -> str | None:
    """The id of the interrupted run ``duck`` (a partial copy) was built by, if it was for this source and options."""
    try:
        row = duck.execute(f"SELECT run_id, source, mapping, full_sync FROM {SYNC} WHERE finished_at IS NULL LIMIT 1").fetchone()
    except Exception:  # noqa: BLE001 - not a copy
        return None
    if row is None or row[1] != source or row[2] != mapping or bool(row[3]) != full:
        return None
    return str(row[0])


def sync(
    url: str,
    path: Path = DEFAULT_COPY,
    mapping: str | Path | None = None,
    *,
    full: bool = False,
    compare_ids: bool = False,
    settings: Settings | None = None,
    progress: bool = True,
    overlap: timedelta = OVERLAP,
    after_table: Callable[[str], None] | None = None,
) -> SyncReport:
    """Copy the CRM at ``url`` (through ``mapping``, or its canonical tables) into the DuckDB file ``path``.

    ``full``: rebuild the copy from an empty file, reading every table whole. ``compare_ids``: compare every
    incrementally read table's id set with the CRM's now. ``overlap``: how far before the newest
    modification time seen an incremental read starts. ``after_table`` is called with each table's name
    once it is committed (the tests interrupt a sync with it).

    Raises:
        SyncError: the source or the mapping cannot be used, or the copy cannot be written.
    """
    started = time.monotonic()
    settings = dataclasses.replace(settings or load_settings(), statement_timeout_s=SYNC_STATEMENT_TIMEOUT_S)
    path = Path(path)
    try:
        loaded = load_mapping(mapping) if mapping is not None else None
        source_engine = make_engine(url, settings)
    except (MappingError, ConnectionProblem) as exc:
        raise SyncError(str(exc)) from None
    masked, mapping_name = mask(url), (str(mapping) if mapping is not None else None)
    if path.with_name(path.name + ".wal").exists():
        raise SyncError(
            f"{path}.wal exists: something other than a sync wrote to the copy and did not finish. Open the copy once "
            f"with DuckDB to replay it, or delete the copy and run a --full sync."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with _only_sync(path):
        return _sync(url, path, loaded, mapping_name, masked, source_engine, settings, full, compare_ids, progress, overlap, after_table, started)


@contextmanager
def _only_sync(path: Path) -> Iterator[None]:
    """Hold ``PATH.lock`` so that two syncs of one copy (a slow run and the next cron job) never share the partial file."""
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncError(f"Another sync of {path} is running; this one did nothing.") from None
        yield


def _sync(
    url: str, path: Path, loaded: Mapping | None, mapping_name: str | None, masked: str, source_engine: Engine, settings: Settings,
    full: bool, compare_ids: bool, progress: bool, overlap: timedelta, after_table: Callable[[str], None] | None, started: float,
) -> SyncReport:
    partial = partial_path(path)
    report = SyncReport(path, masked, full)
    run_id = _open_partial(path, partial, masked, mapping_name, full)
    engine = create_engine(f"duckdb:///{partial}")
    try:
        with engine.connect() as sa_conn:
            duck = sa_conn.connection.driver_connection
            fresh = _ensure_tables(engine, duck)
            if run_id is None:
                run_id = uuid.uuid4().hex
                duck.execute(f"DELETE FROM {SYNC} WHERE finished_at IS NULL")
                duck.execute(
                    f"INSERT INTO {SYNC} (run_id, source, source_short, mapping, full_sync, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [run_id, masked, short(url) + (f" · {Path(mapping_name).stem}" if mapping_name else ""), mapping_name, int(full), _utcnow()],
                )
            state = {
                r[0]: r[1:]
                for r in duck.execute(
                    f"SELECT table_name, run_id, how, last_modified, syncs_since_compare, rows, rows_read, rows_new, rows_changed, rows_deleted, seconds FROM {SYNC_TABLE}"
                ).fetchall()
            }
            zone = settings.calendar.zone
            with source_engine.connect() as src:
                if source_engine.dialect.name in ("postgresql", "mysql", "mariadb"):
                    src = src.execution_options(isolation_level="REPEATABLE READ")  # one snapshot of the CRM for every table
                with src.begin():
                    for table in schema.TABLES:
                        done = state.get(table.name)
                        if done is not None and done[0] == run_id:  # finished by the interrupted run this one resumes
                            report.tables.append(TableReport(table.name, done[1], *(int(x or 0) for x in done[5:9]), int(done[4] or 0), float(done[9] or 0), True))
                            continue
                        plan = _plan(table, loaded, done, full, compare_ids, overlap)
                        report.tables.append(_sync_table(duck, src, plan, loaded, zone, run_id, done, progress))
                        if after_table is not None:
                            after_table(table.name)
            if fresh:
                for table in schema.TABLES:
                    for index in sorted(COPY.tables[table.name].indexes, key=lambda i: i.name or ""):
                        duck.execute(str(CreateIndex(index).compile(dialect=_duck_dialect())))
        try:
            report.summaries = _summaries(engine, settings)
        except SQLAlchemyError as exc:  # the copy's own statements: not the CRM's fault, which explain() would say
            raise SyncError(f"Building the summary tables of {partial} failed ({getattr(exc, 'orig', None) or exc}); {path} was left as it was.") from None
        report.seconds = time.monotonic() - started
        with engine.begin() as conn:
            duck = conn.connection.driver_connection
            totals = [sum(getattr(t, k) for t in report.tables) for k in ("new", "changed", "deleted")]
            duck.execute(
                f"UPDATE {SYNC} SET finished_at = ?, seconds = ?, rows_new = ?, rows_changed = ?, rows_deleted = ? WHERE run_id = ?",
                [_utcnow(), round(report.seconds, 3), *totals, run_id],
            )
        with engine.connect() as conn:
            conn.connection.driver_connection.execute("CHECKPOINT")
    except SQLAlchemyError as exc:
        raise SyncError(f"{explain(exc, url)} — the copy {path} was left as it was; the next sync carries on.") from None
    except duckdb.Error as exc:
        raise SyncError(f"Writing the copy {partial} failed ({type(exc).__name__}: {exc}); {path} was left as it was.") from None
    finally:
        engine.dispose()
        source_engine.dispose()
    os.replace(partial, path)
    report.seconds = time.monotonic() - started
    return report


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _open_partial(path: Path, partial: Path, source: str, mapping: str | None, full: bool) -> str | None:
    """Prepare ``partial``: an interrupted run's to carry on (its id is returned), else the old copy's
    duplicate (an incremental sync of the same source), else nothing (an empty copy is created)."""
    if partial.exists():
        try:
            with duckdb.connect(str(partial)) as duck:
                run_id = _unfinished_run(duck, source, mapping, full)
        except duckdb.Error:
            run_id = None
        if run_id is not None:
            return run_id
        _remove(partial)
    if not full and path.exists():
        try:
            with duckdb.connect(str(path), read_only=True) as duck:
                same = _previous(duck, source, mapping)
        except duckdb.Error:
            same = False
        if same:
            shutil.copyfile(path, partial)
    return None


def _ensure_tables(engine: Engine, duck: Any) -> bool:
    """Create what the copy lacks; True when it was empty (its indexes are then built after the first load)."""
    present = {r[0] for r in duck.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    fresh = not any(t.name in present for t in schema.TABLES)
    for table in COPY.sorted_tables:
        if table.name not in present:
            duck.execute(str(CreateTable(table).compile(dialect=_duck_dialect())))
    return fresh


def _plan(table: Table, mapping: Mapping | None, state: tuple | None, full: bool, compare_ids: bool, overlap: timedelta) -> _Plan:
    key = [c.name for c in table.primary_key.columns]
    tm = mapping.tables.get(table.name) if mapping is not None else None
    last_modified = state[2] if state is not None else None
    incremental = not full and tm is not None and tm.modified is not None and last_modified is not None
    since = last_modified - overlap if incremental else None
    compare = incremental and (compare_ids or int(state[3] or 0) + 1 >= COMPARE_EVERY)  # type: ignore[index]
    return _Plan(table, key, incremental, compare, since)


def _sync_table(duck: Any, src: Connection, plan: _Plan, mapping: Mapping | None, zone: Any, run_id: str, state: tuple | None, progress: bool) -> TableReport:
    table = plan.table
    began = time.monotonic()
    how = "changes + ids" if plan.compare else "changes" if plan.incremental else "whole"
    report = TableReport(table.name, how)
    columns = ", ".join(_q(c.name) for c in table.columns)
    tm = mapping.tables.get(table.name) if mapping is not None else None
    total = int(state[4]) if state is not None and state[4] is not None and not plan.incremental else None
    bar = tqdm(total=total, desc=f"{table.name:<26}", unit=" rows", unit_scale=True, leave=False, disable=not progress, file=sys.stderr)
    try:
        duck.execute("BEGIN")
        if mapping is not None and tm is None:  # the CRM has no such table: it reads empty
            report.deleted = _one(duck, f"SELECT count(*) FROM {_q(table.name)}")
            duck.execute(f"DELETE FROM {_q(table.name)}")
            newest = None
        elif plan.incremental:
            stmt = changed_select(mapping, table.name, zone, plan.since)  # type: ignore[arg-type]
            report.read = _stage(duck, src, stmt, table, {MODIFIED: pa.timestamp("us"), IN_SCOPE: pa.int64()}, STAGE, bar)
            newest = _one(duck, f"SELECT max({MODIFIED}) FROM {STAGE}")
            _merge_changes(duck, table.name, columns, plan.key, report)
        else:
            extra = {MODIFIED: pa.timestamp("us")} if tm is not None and tm.modified else {}
            report.read = _stage(duck, src, _whole(mapping, table, zone), table, extra, STAGE, bar)
            newest = _one(duck, f"SELECT max({MODIFIED}) FROM {STAGE}") if extra else None
            _merge_whole(duck, table.name, columns, plan.key, report)
        if plan.compare:
            bar.set_description(f"{table.name + ' ids':<26}")
            _stage(duck, src, _keys_select(mapping, table, plan.key, zone), _key_table(table, plan.key), {}, IDS, bar)
            report.deleted += _drop_missing_ids(duck, table.name, plan.key)
            duck.execute(f"DROP TABLE {IDS}")
        duck.execute(f"DROP TABLE IF EXISTS {STAGE}")
        last_modified = max((x for x in (newest, state[2] if state is not None else None) if x is not None), default=None)
        since_compare = 0 if plan.compare or not plan.incremental else int(state[3] or 0) + 1  # type: ignore[index]
        report.rows = _one(duck, f"SELECT count(*) FROM {_q(table.name)}")
        report.seconds = time.monotonic() - began
        duck.execute(f"DELETE FROM {SYNC_TABLE} WHERE table_name = ?", [table.name])
        duck.execute(
            f"INSERT INTO {SYNC_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [table.name, run_id, how, last_modified, since_compare, report.rows, report.read, report.new, report.changed, report.deleted, round(report.seconds, 3)],
        )
        duck.execute("COMMIT")
    except BaseException:
        duck.execute("ROLLBACK")
        raise
    finally:
        bar.close()
    return report


def _key_table(table: Table, key: list[str]) -> Table:
    """A stand-in table of only ``table``'s key columns, to stage an id set with :func:`_stage`."""
    md = MetaData()
    return Table(table.name, md, *(Column(k, table.c[k].type) for k in key))


def _summaries(engine: Engine, settings: Settings) -> int:
    from data_layer.dimensions import reporting_currency
    from data_layer.summary import build_summaries

    return build_summaries(engine, settings.calendar, reporting_currency(engine, settings.reporting_currency))


# --- The command ------------------------------------------------------------------------------------------------


def print_report(report: SyncReport, out: Any = None) -> None:
    out = out or sys.stdout
    width = max([len(t.table) for t in report.tables] + [5])
    print(f"{'table':<{width}}  {'how':<13}  {'read':>10}  {'new':>9}  {'changed':>9}  {'deleted':>9}  {'rows':>10}  {'seconds':>7}", file=out)
    for t in report.tables:
        note = "  (earlier run)" if t.resumed else ""
        print(f"{t.table:<{width}}  {t.how:<13}  {t.read:>10,}  {t.new:>9,}  {t.changed:>9,}  {t.deleted:>9,}  {t.rows:>10,}  {t.seconds:>7.1f}{note}", file=out)
    totals = [sum(getattr(t, k) for t in report.tables) for k in ("read", "new", "changed", "deleted")]
    print(f"{'total':<{width}}  {'':<13}  {totals[0]:>10,}  {totals[1]:>9,}  {totals[2]:>9,}  {totals[3]:>9,}", file=out)
    if report.summaries is not None:
        print(f"summary tables rebuilt ({report.summaries:,} rows)", file=out)
    print(f"{'full' if report.full else 'incremental'} sync of {report.source} into {report.path} in {report.seconds:.1f} s", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_layer.sync",
        description="Copy a CRM (read through a mapping, or its canonical tables) into a DuckDB file the app can read instead.",
    )
    parser.add_argument("--url", required=True, help="the CRM database URL (read only)")
    parser.add_argument("--mapping", help="a mapping file or preset (odoo-17, suitecrm-7) to read the CRM through; none for canonical tables")
    parser.add_argument("--to", type=Path, default=DEFAULT_COPY, help=f"the DuckDB copy to create or refresh (default: {DEFAULT_COPY.relative_to(ROOT)})")
    parser.add_argument("--full", action="store_true", help="rebuild the copy from scratch, reading every table whole")
    parser.add_argument("--compare-ids", action="store_true", help=f"compare id sets now (else every {COMPARE_EVERY} syncs) to drop deleted records")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        report = sync(args.url, args.to, args.mapping, full=args.full, compare_ids=args.compare_ids, progress=not args.quiet)
    except SyncError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print_report(report)
    return 0


if __name__ == "__main__":
    run(main)
