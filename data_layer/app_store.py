"""Granary's own small database: what Granary must remember itself (never the CRM's file).

Later issues keep approved incentive statements, sync state and the sign-in audit here;
for now it records each demo build. The URL comes from ``GRANARY_APP_DATABASE_URL``, else
``app_database_url`` under ``[granary]`` in secrets.toml, else ``var/granary.sqlite``.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Column, Date, DateTime, Engine, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy.engine import make_url

from data_layer.config import ROOT, read_secrets

APP_DB_PATH = ROOT / "var" / "granary.sqlite"

metadata = MetaData()

demo_build = Table(
    "demo_build",
    metadata,
    Column("build_id", Integer, primary_key=True, autoincrement=True),
    Column("built_at", DateTime, nullable=False, comment="When the build finished (UTC)."),
    Column("url", String(500), nullable=False, comment="Where it was built, password masked."),
    Column("size", String(4), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("locale", String(5), nullable=False),
)


def app_database_url(secrets: dict | None = None) -> str:
    env = os.environ.get("GRANARY_APP_DATABASE_URL", "").strip()
    if env:
        return env
    configured = (read_secrets() if secrets is None else secrets).get("granary", {}).get("app_database_url")
    return str(configured) if configured else f"sqlite:///{APP_DB_PATH}"


def _same_database(a: str, b: str) -> bool:
    ua, ub = make_url(a), make_url(b)
    if ua.get_backend_name() in ("sqlite", "duckdb") and ua.database and ub.database:
        return Path(ua.database).resolve() == Path(ub.database).resolve()
    return ua.set(password=None).render_as_string() == ub.set(password=None).render_as_string()


def open_app_store(crm_url: str, url: str | None = None) -> Engine:
    """Granary's own database, created on first use.

    Raises:
        ValueError: it would share a database with the CRM data.
    """
    url = url or app_database_url()
    if _same_database(url, crm_url):
        raise ValueError("Granary's own database must not be the CRM database: set GRANARY_APP_DATABASE_URL elsewhere")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    metadata.create_all(engine)
    return engine


def record_demo_build(engine: Engine, *, url: str, size: str, seed: int, as_of: date, locale: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(demo_build).values(
                built_at=datetime.now(UTC).replace(tzinfo=None), url=url, size=size, seed=seed, as_of=as_of, locale=locale
            )
        )
