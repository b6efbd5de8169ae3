"""Connection to the CRM database: which one, opened read-only, with a statement timeout.

The URL comes from ``CRM_DATABASE_URL``, else ``[connections.crm]`` in
``.streamlit/secrets.toml``, else the embedded demo database (DuckDB, built on first start).
A CRM read in place names its mapping beside it: ``CRM_MAPPING``, or ``mapping`` under
``[connections.crm]`` (a mapping file or a preset such as ``odoo-17``; see data_layer/mapping.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb_engine
import pandas as pd
from sqlalchemy import Engine, Executable, create_engine, event, false, inspect, select, text
from sqlalchemy.dialects import registry
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, SQLAlchemyError

from data_layer import schema
from data_layer.config import ROOT, Settings, load_settings, read_secrets
from data_layer.mapping import Mapping, MappingError, install, load_mapping, mapping_of, problems

class DuckDBDialect(duckdb_engine.Dialect):
    """duckdb_engine's dialect with SQLAlchemy's compiled-statement cache on.

    duckdb_engine sets ``supports_statement_cache = False`` (to silence SQLAlchemy's warning, not for a
    known fault), so every execution compiled its statement again: 10 ms for a percentile query, a
    third of the sales-cycle page's time at demo size M. Its compiler is PostgreSQL's, whose output
    depends on the statement's structure only, which is what the cache keys on; the whole test suite
    runs on DuckDB with the cache on.
    """

    supports_statement_cache = True

    def on_connect(self) -> Any:
        """Each new connection turns off DuckDB's statistics propagation (:data:`DUCKDB_SESSION`)."""

        def session(conn: Any) -> None:
            conn.execute(DUCKDB_SESSION)

        return session


#: DuckDB 2.0.0 and 2.0.1 drop rows they must return when a LEFT JOIN's right side is empty once its own
#: conditions are applied (``ON fx.to_currency = 'USD'`` against a company with one currency and no rates)
#: and a filter above an aggregate compares a sum that may be negative: ``WHERE revenue > 0`` then kept no
#: account at all, so revenue concentration and the key accounts were empty. The statistics propagation
#: optimizer proves the filter wrongly unsatisfiable; without it the answer is right (1.5.6 has no such
#: fault). tests/test_connection.py holds the smallest query that shows it.
DUCKDB_SESSION = "SET disabled_optimizers = 'statistics_propagation'"


registry.register("duckdb", __name__, "DuckDBDialect")

#: The embedded demo database, built by ``python -m data_layer.demo`` on first start.
DEMO_PATH = ROOT / "var" / "demo.duckdb"
DEMO_URL = f"duckdb:///{DEMO_PATH}"


class ConnectionProblem(RuntimeError):
    """The CRM database cannot be used; the message is fit to show a user."""


@dataclass(frozen=True)
class Source:
    """Where the CRM URL came from, for the settings panel and error messages."""

    url: str
    origin: str  # "environment", "secrets" or "demo"
    #: The mapping the CRM is read through (a file or a preset name), None for canonical tables.
    mapping: str | None = None

    @property
    def is_demo(self) -> bool:
        return self.origin == "demo"

    @property
    def masked(self) -> str:
        return mask(self.url)

    @property
    def short(self) -> str:
        """The backend and the database — ``duckdb · demo.duckdb``, ``postgresql · crm on db.example.com`` —
        short enough for a page's heading line, with no user, password, port or folder; a CRM read in place
        adds its mapping's name (``… · odoo-17``; a mapping file by its name without the folder)."""
        return short(self.url) + (f" · {Path(self.mapping).stem}" if self.mapping else "")


def short(url: str) -> str:
    """:attr:`Source.short` of ``url``."""
    try:
        u = make_url(url)
    except ArgumentError:
        return "<unparseable URL>"
    database = Path(u.database).name if u.database and u.get_backend_name() in ("sqlite", "duckdb") else u.database
    where = " on ".join(x for x in (database, u.host) if x)
    return f"{u.get_backend_name()} · {where}" if where else u.get_backend_name()


def mask(url: str) -> str:
    """The URL with its password replaced by ***, safe to show and log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _secrets_url(secrets: dict) -> str | None:
    crm = secrets.get("connections", {}).get("crm")
    if not crm:
        return None
    if "url" in crm:
        return str(crm["url"])
    # Streamlit's SQLConnection form: dialect, driver, host, port, database, username, password.
    return URL.create(
        drivername=crm["dialect"] + (f"+{crm['driver']}" if crm.get("driver") else ""),
        username=crm.get("username"),
        password=crm.get("password"),
        host=crm.get("host"),
        port=crm.get("port"),
        database=crm.get("database"),
        query=crm.get("query", {}),
    ).render_as_string(hide_password=False)


def _secrets_mapping(secrets: dict) -> str | None:
    crm = secrets.get("connections", {}).get("crm") or {}
    return str(crm["mapping"]).strip() or None if crm.get("mapping") else None


def resolve_source(secrets: dict | None = None) -> Source:
    """The CRM URL and where it came from, with the mapping to read it through: ``CRM_MAPPING``, else the
    secrets' ``mapping`` beside the URL (the demo is canonical and takes none)."""
    env = os.environ.get("CRM_DATABASE_URL", "").strip()
    env_mapping = os.environ.get("CRM_MAPPING", "").strip() or None
    if env:
        return Source(env, "environment", env_mapping)
    secrets = read_secrets() if secrets is None else secrets
    url = _secrets_url(secrets)
    if url:
        return Source(url, "secrets", env_mapping or _secrets_mapping(secrets))
    return Source(DEMO_URL, "demo")


def duckdb_path(url: URL) -> Path | None:
    """The file of a DuckDB (or SQLite) URL, None for an in-memory database."""
    db = url.database
    return Path(db) if db and db != ":memory:" else None


def make_engine(url: str, settings: Settings | None = None, *, read_only: bool = True, mapping: str | Path | Mapping | None = None) -> Engine:
    """An engine that only reads (wherever the backend allows it), times out slow statements,
    and checks pooled connections before use. With ``mapping`` (a file, a preset name or a loaded
    :class:`~data_layer.mapping.Mapping`) it reads the canonical tables through it (data_layer/mapping.py).

    Raises:
        ConnectionProblem: the URL is malformed, names a driver that is not installed, or the mapping is wrong.
    """
    settings = settings or load_settings()
    if mapping is not None and not isinstance(mapping, Mapping):
        try:
            mapping = load_mapping(mapping)
        except MappingError as exc:
            raise ConnectionProblem(str(exc)) from exc
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConnectionProblem(f"The database URL {mask(url)!r} is not a valid URL ({exc}).") from exc
    backend = parsed.get_backend_name()
    timeout_s, connect_s = settings.statement_timeout_s, settings.connect_timeout_s
    connect_args: dict[str, Any] = {}
    if backend == "postgresql":
        options = parsed.query.get("options", "")
        options = options if isinstance(options, str) else " ".join(options)
        extra = f"-c statement_timeout={timeout_s * 1000}"
        if read_only:
            extra += " -c default_transaction_read_only=on"
        connect_args = {"connect_timeout": connect_s, "options": f"{options} {extra}".strip()}
    elif backend in ("mysql", "mariadb"):
        connect_args = {"connect_timeout": connect_s, "read_timeout": timeout_s + 5}
    elif backend == "duckdb":
        path = duckdb_path(parsed)
        if read_only and path is not None:
            if not path.exists():
                raise ConnectionProblem(f"The DuckDB file {path} does not exist.")
            connect_args = {"read_only": True}
    elif backend == "sqlite" and read_only and parsed.database and parsed.database != ":memory:":
        if not Path(parsed.database).exists():
            raise ConnectionProblem(f"The SQLite file {parsed.database} does not exist.")
        parsed = parsed.set(database=f"file:{parsed.database}?mode=ro", query={**parsed.query, "uri": "true"})
    try:
        engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConnectionProblem(f"No driver is installed for {mask(url)!r} ({exc}).") from exc
    engine.info = {"statement_timeout_s": timeout_s}  # type: ignore[attr-defined]
    _install_session_rules(engine, backend, timeout_s, read_only)
    if mapping is not None:
        install(engine, mapping, settings.calendar.zone)
    return engine


def _install_session_rules(engine: Engine, backend: str, timeout_s: int, read_only: bool) -> None:
    if backend in ("mysql", "mariadb"):

        @event.listens_for(engine, "connect")
        def _mysql_session(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("SELECT VERSION()")
            mariadb = "mariadb" in str(cur.fetchone()[0]).lower()
            if mariadb:
                cur.execute(f"SET SESSION max_statement_time = {int(timeout_s)}")
            else:
                cur.execute(f"SET SESSION max_execution_time = {int(timeout_s) * 1000}")
            if read_only:
                cur.execute("SET SESSION TRANSACTION READ ONLY")
            cur.close()

    elif backend == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_deadline(dbapi_conn: Any, record: Any) -> None:
            state: dict[str, float | None] = {"deadline": None}
            record.info["granary_deadline"] = state

            def check() -> int:
                deadline = state["deadline"]
                return 1 if deadline is not None and time.monotonic() > deadline else 0

            dbapi_conn.set_progress_handler(check, 10_000)

        @event.listens_for(engine, "before_cursor_execute")
        def _sqlite_arm(conn: Any, *_args: Any) -> None:
            state = conn.info.get("granary_deadline")
            if state is not None:
                state["deadline"] = time.monotonic() + timeout_s


@contextmanager
def _duckdb_watchdog(conn: Any, timeout_s: float) -> Iterator[None]:
    """DuckDB has no statement timeout: interrupt the connection from a timer."""
    timer = threading.Timer(timeout_s, conn.connection.dbapi_connection.interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def read_frame(engine: Engine, stmt: Executable) -> pd.DataFrame:
    """Run one aggregate query and return its (small) result as a DataFrame."""
    timeout_s = getattr(engine, "info", {}).get("statement_timeout_s", 30)
    with engine.connect() as conn:
        if engine.dialect.name == "duckdb":
            with _duckdb_watchdog(conn, timeout_s):
                result = conn.execute(stmt)
                return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def explain(exc: BaseException, url: str) -> str:
    """A message for a user about a failure to reach or read the database, password masked."""
    where = mask(url)
    if isinstance(exc, ConnectionProblem):
        return str(exc)
    if isinstance(exc, OperationalError | DBAPIError):
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else type(exc).__name__
        detail = detail.replace(make_url(url).password or "\0", "***") if _has_password(url) else detail
        return f"Cannot read the CRM database at {where}: {detail}"
    if isinstance(exc, SQLAlchemyError):
        return f"The CRM database at {where} returned an error: {type(exc).__name__}"
    return f"Unexpected problem with the CRM database at {where}: {type(exc).__name__}: {exc}"


def _has_password(url: str) -> bool:
    try:
        return bool(make_url(url).password)
    except ArgumentError:
        return False


def missing_schema(engine: Engine, tables: tuple[str, ...] | None = None) -> list[str]:
    """Canonical tables and columns the database lacks, as ``table`` or ``table.column``.

    For an engine that reads through a mapping: the mapped tables and columns whose SQL the CRM cannot run,
    as ``table (…)`` or ``table.column (…)`` with the mapping's name, its SQL and the database's message
    (:func:`missing_name` gives back the ``table`` or ``table.column``). A canonical table the mapping
    leaves out is not missing: it reads empty."""
    if mapping_of(engine) is not None:
        return problems(engine, tables)
    insp = inspect(engine)
    present = {name.lower() for name in insp.get_table_names() + insp.get_view_names()}
    missing: list[str] = []
    with engine.connect() as conn:
        for table in schema.TABLES:
            if tables is not None and table.name not in tables:
                continue
            if table.name not in present:
                missing.append(table.name)
                continue
            # An empty select names the columns on every backend (reflection differs per dialect).
            have = {k.lower() for k in conn.execute(select(text("*")).select_from(table).where(false())).keys()}
            missing += [f"{table.name}.{c.name}" for c in table.columns if c.name.lower() not in have]
    return missing


def missing_name(entry: str) -> str:
    """The ``table`` or ``table.column`` a :func:`missing_schema` entry is about."""
    return entry.split(" ", 1)[0]
