"""Shared fixtures: a fresh, empty database on each of the four backends.

PostgreSQL and MariaDB are real servers on this machine (``.ci/run`` starts them when
they are down); each test gets its own schema/database, so xdist workers never collide.
Set ``GRANARY_TEST_PG_URL`` / ``GRANARY_TEST_MYSQL_URL`` to use other servers.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# Granary's own database (demo builds, later sign-ins) goes to a scratch file, never the checkout's var/.
os.environ.setdefault("GRANARY_APP_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='granary-own-')}/granary.sqlite")

PG_URL = os.environ.get("GRANARY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MYSQL_URL = os.environ.get("GRANARY_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")

BACKENDS = ("sqlite", "duckdb", "postgresql", "mariadb")


def _name() -> str:
    return "t_" + uuid.uuid4().hex[:12]


class FreshDatabases:
    """Makes empty databases and drops them at teardown."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self._cleanups: list[Callable[[], None]] = []

    def url(self, backend: str) -> str:
        """The URL of a new, empty database on ``backend``."""
        name = _name()
        if backend == "sqlite":
            return f"sqlite:///{self.tmp_path / (name + '.sqlite')}"
        if backend == "duckdb":
            return f"duckdb:///{self.tmp_path / (name + '.duckdb')}"
        if backend == "postgresql":
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{name}"'))

            def drop() -> None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
                admin.dispose()

            self._cleanups.append(drop)
            sep = "&" if "?" in PG_URL else "?"
            return f"{PG_URL}{sep}options=-csearch_path%3D{name}"
        if backend == "mariadb":
            admin = create_engine(MYSQL_URL)
            with admin.connect() as conn:
                conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))

            def drop_db() -> None:
                with admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE `{name}`"))
                admin.dispose()

            self._cleanups.append(drop_db)
            base = MYSQL_URL.rsplit("/", 1)[0]
            return f"{base}/{name}?charset=utf8mb4"
        raise ValueError(backend)

    def engine(self, backend: str) -> Engine:
        engine = create_engine(self.url(backend))
        self._cleanups.insert(0, engine.dispose)
        return engine

    def close(self) -> None:
        for cleanup in self._cleanups:
            cleanup()


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[FreshDatabases]:
    """``fresh_db.engine("postgresql")`` gives an engine on a new empty database."""
    dbs = FreshDatabases(tmp_path)
    yield dbs
    dbs.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Parametrises a test over the four backends."""
    return str(request.param)


@contextmanager
def database_on(backend: str, tmp_path_factory: pytest.TempPathFactory, load: Callable[[Engine], None]) -> Iterator[Engine]:
    """A new database on ``backend`` filled by ``load``, dropped afterwards: for module-scoped
    fixtures whose tests only read."""
    dbs = FreshDatabases(tmp_path_factory.mktemp(backend))
    try:
        engine = dbs.engine(backend)
        load(engine)
        yield engine
    finally:
        dbs.close()


# --- The browser tests' demo, Chromium and server: one of each per worker, shared by every browser module --------

#: The browser tests' demo CRM is build_demo S as of this day, so its figures never depend on the clock.
BROWSER_AS_OF = date(2025, 11, 23)


@pytest.fixture(scope="session")
def browser_crm_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo CRM (build_demo S, seed 7) in a DuckDB file, built once per worker."""
    from tests.fixture_db import demo_file

    return demo_file(tmp_path_factory.mktemp("browser") / "demo.duckdb", "S", BROWSER_AS_OF)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, once per worker."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server(browser_crm_url: str, browser: Browser) -> Iterator[str]:
    """One Streamlit server on the browser demo per worker, opened once at its home page and signed in (so Streamlit
    has left its pages-folder mode, as for every visitor after the first). Tests that need a server no one has
    opened start their own (tests/browser.py ``streamlit_server``)."""
    from tests.browser import login, streamlit_server, wait_ready

    with streamlit_server(browser_crm_url) as base:
        page = browser.new_page()
        page.goto(base)
        login(page, "ceo")
        page.wait_for_selector("[data-testid='stMetricValue']", timeout=60_000)
        wait_ready(page)
        page.context.close()
        yield base
