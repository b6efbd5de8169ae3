"""Granary's own small database: what Granary must remember itself (never the CRM's file).

Later issues keep approved incentive statements, sync state and the sign-in audit here;
for now it records each demo build and every sign-in attempt (the audit). The URL comes from
``GRANARY_APP_DATABASE_URL``, else ``app_database_url`` under ``[granary]`` in secrets.toml, else ``var/granary.sqlite``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    insert,
    select,
)
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

sign_in = Table(
    "sign_in",
    metadata,
    Column("sign_in_id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, comment="When it was tried (UTC)."),
    Column("user_name", String(320), nullable=False, comment="The name or e-mail given, normalised; never a password."),
    Column("method", String(16), nullable=False, comment="password (the built-in form) or oidc (st.login)."),
    Column("success", Boolean, nullable=False),
    Column("reason", String(32), nullable=False, comment="ok, wrong_password, unknown_user, locked_out, not_entitled, ..."),
    Index("ix_sign_in_user_at", "user_name", "at"),
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


@dataclass(frozen=True)
class SignIn:
    """One recorded sign-in attempt."""

    at: datetime
    user: str
    method: str
    success: bool
    reason: str


def _utc_naive(at: datetime | None) -> datetime:
    at = at or datetime.now(UTC)
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def record_sign_in(
    engine: Engine, *, user: str, method: str, success: bool, reason: str, at: datetime | None = None
) -> None:
    """Add a sign-in attempt to the audit. ``at`` defaults to now; naive times are UTC."""
    with engine.begin() as conn:
        values = {"at": _utc_naive(at), "user_name": user[:320], "method": method, "success": success, "reason": reason[:32]}
        conn.execute(insert(sign_in).values(values))


def recent_sign_ins(engine: Engine, *, limit: int = 100, user: str | None = None) -> list[SignIn]:
    """The newest sign-in attempts first, of everyone or of ``user``."""
    stmt = select(sign_in.c.at, sign_in.c.user_name, sign_in.c.method, sign_in.c.success, sign_in.c.reason)
    if user is not None:
        stmt = stmt.where(sign_in.c.user_name == user)
    stmt = stmt.order_by(sign_in.c.at.desc(), sign_in.c.sign_in_id.desc()).limit(limit)
    with engine.connect() as conn:
        return [SignIn(r.at, r.user_name, r.method, bool(r.success), r.reason) for r in conn.execute(stmt)]


#: Failures that count towards a lock-out: guesses at a password, not refusals after it.
GUESSES = ("wrong_password", "unknown_user")


def failures_since(engine: Engine, user: str, since: datetime) -> int:
    """Failed password guesses for ``user`` at or after ``since`` and after their last
    successful sign-in (a success starts the count afresh)."""
    since = _utc_naive(since)
    s = sign_in.c
    with engine.connect() as conn:
        last_ok = conn.execute(select(func.max(s.at)).where(s.user_name == user, s.success.is_(True))).scalar()
        after = s.at > last_ok if last_ok is not None and last_ok >= since else s.at >= since
        guesses = select(func.count()).where(s.user_name == user, s.success.is_(False), s.reason.in_(GUESSES), after)
        return int(conn.execute(guesses).scalar() or 0)
