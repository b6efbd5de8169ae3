"""Hostile and broken input (issue 10): strings an attacker or a clumsy link may carry, fed to every URL parameter,
to the metric layer and to the command line; HTML, markdown and TeX in CRM text; and the configuration that keeps
requests, secrets and passwords safe.

Each hostile string must leave no trace: the app runs, names the refused parameter, shows the figures of a link
without it, never shows SQL or the string itself; the metric layer binds it as a parameter (never as SQL text) and
finds nothing, or refuses it with a plain message; CRM text shows exactly as typed.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from metrics.base import Context, result
from metrics.cli import main as cli
from metrics.registry import HEADLINE, REGISTRY
from tests import tiny_crm
from tests.apptest import ROOT, app_test, open_app
from tests.conftest import BACKENDS, database_on
from tests.test_app import Crm, demo_crm  # noqa: F401 - fixture
from tests.test_pages import navigation  # noqa: F401 - fixture
from tests.test_personas import shown_texts
from ui import filterbar
from ui.format import md_escape
from ui.i18n import t

#: What a link, a form or a command line may be fed: SQL injection, an overlong value, a NUL, full-width quotes
#: (which some databases fold into ASCII ones) and a well-formed code that names nothing.
HOSTILE = {
    "sql_or": "' OR 1=1 --",
    "sql_drop": "1; DROP TABLE account",
    "long": "x" * 10_000,
    "nul": "a\x00b",
    "fullwidth": "＇＂ OR １=１ --",
    "unknown": "NO-SUCH-CODE",
}
#: Words of a database error or a traceback: never on screen.
SQL_ERROR = re.compile(r"syntax error|\bSQL\b|sqlalche|OperationalError|ProgrammingError|DataError|Traceback|psycopg|pymysql|duckdb\.", re.I)
PERIOD = "last_quarter"


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _figures(at: AppTest) -> tuple[list[tuple[str, str]], list[pd.DataFrame]]:
    """The KPI cards (label, value) and every table, in page order."""
    return [(m.label, m.value) for m in at.metric], [d.value.reset_index(drop=True) for d in at.dataframe]


def _assert_same_figures(at: AppTest, clean: AppTest) -> None:
    cards, tables = _figures(at)
    want_cards, want_tables = _figures(clean)
    assert cards == want_cards
    assert len(tables) == len(want_tables)
    for got, want in zip(tables, want_tables, strict=True):
        pd.testing.assert_frame_equal(got, want)  # no extra rows, no other figures


def _assert_no_trace(at: AppTest, value: str, *, kept: tuple[str, ...] = ()) -> None:
    """Neither the value nor any SQL error text anywhere on the page, nor the value in the URL written back (but in
    the parameters ``kept``: page state that waits for its own page to check it)."""
    texts, cells = shown_texts(at)
    everything = "\n".join(texts + cells)
    assert value not in everything
    assert not SQL_ERROR.search(everything), SQL_ERROR.search(everything)
    written = {k: ([vs] if isinstance(vs, str) else list(vs)) for k, vs in at.query_params.items() if k not in kept}
    assert written and not [k for k, vs in written.items() if any(value in v for v in vs)]


def _named(notice: str, param: str) -> bool:
    """Whether the link notice names ``param`` as one item of its list."""
    items = "|".join(re.escape(t(key, "en", param=param)) for key in ("url.bad_value", "url.out_of_scope", "url.bad_date", "url.too_many"))
    return re.search(f"(?:: |, )(?:{items})(?:, |\\.|$)", notice) is not None


# --- 1. Every URL parameter ---------------------------------------------------------------------------------------------

#: Page parameters whose shape takes a well-formed code; the page checks it against what it offers (test below).
SHAPE_ONLY = {filterbar.P_GRADE, filterbar.P_PIPE_GROUP, filterbar.P_MKT_PICK}


def test_the_app_reads_the_url_only_through_the_filter_bar() -> None:
    """So every parameter it reads is in filterbar.KNOWN, which the tests below feed hostile values."""
    readers = [p.relative_to(ROOT) for p in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]
               if "query_params" in p.read_text() and p.name not in ("filterbar.py", "session.py")]
    assert readers == []
    assert filterbar.KNOWN == {"period", "start", "end", "unit", "lang", *filterbar.LIST_PARAMS, *filterbar.PAGE_PARAMS}


@pytest.fixture(scope="module")
def clean_overview(demo_crm: Crm) -> Iterator[AppTest]:  # noqa: F811
    with pytest.MonkeyPatch.context() as mp:
        at = open_app(mp, demo_crm.url)
        _ok(at)
        yield at


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_every_url_parameter_refuses_a_hostile_value(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, clean_overview: AppTest, kind: str) -> None:  # noqa: F811
    """Every parameter the app reads carries the value at once (one run per value): each is named in the notice, and
    the page shows the figures of a link without them. (A valid ``period`` would make ``start`` and ``end`` moot, and
    they would be dropped without a word: so the period is hostile too.)"""
    value = HOSTILE[kind]
    params: dict[str, str | list[str]] = dict.fromkeys(sorted(filterbar.KNOWN), value)
    at = open_app(monkeypatch, demo_crm.url, params=params)
    _ok(at)
    notice = "\n".join(w.value for w in at.warning)
    shape_ok = SHAPE_ONLY if kind == "unknown" else set()
    unnamed = [p for p in params if p not in shape_ok and not _named(notice, p)]
    assert unnamed == [], notice
    _assert_no_trace(at, value, kept=tuple(shape_ok))
    _assert_same_figures(at, clean_overview)
    assert at.query_params["period"] == filterbar.DEFAULT_PRESET and "unit" not in at.query_params


#: Per page, well-formed values of its own parameters that it must check against what it offers.
PAGE_CASES = {
    "pipeline": {filterbar.P_GRADE: HOSTILE["unknown"], filterbar.P_PIPE_GROUP: HOSTILE["unknown"],
                 filterbar.P_PIPE_BUCKET: "2099-01-01", filterbar.P_PIPE_WINLOSS: "reason:' OR 1=1 --"},
    "marketing": {filterbar.P_MKT_PICK: HOSTILE["unknown"]},
    "handoffs": {filterbar.P_HAND_BREACHED_OF: "team:NO-SUCH-CODE"},
}


@pytest.mark.parametrize("page", list(PAGE_CASES))
def test_a_well_formed_code_the_page_does_not_offer_changes_nothing(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, page: str) -> None:  # noqa: F811
    clean = open_app(monkeypatch, demo_crm.url, params={"period": PERIOD}, page=page)
    _ok(clean)
    at = open_app(monkeypatch, demo_crm.url, params={"period": PERIOD, **PAGE_CASES[page]}, page=page)
    _ok(at)
    _assert_same_figures(at, clean)
    notice = "\n".join(w.value for w in at.warning)
    assert [p for p in PAGE_CASES[page] if not _named(notice, p)] == [], notice
    at.run()  # the URL of this run was written before the page checked its values: the next one leaves them out
    _ok(at)
    for value in PAGE_CASES[page].values():
        _assert_no_trace(at, value)  # the selector's own pick may be written instead


def test_a_competitor_link_with_sql_in_it_finds_no_deal(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    """``competitor:<name>`` takes any printable name (a competitor is free text): full-width quotes and SQL are refused."""
    clean = open_app(monkeypatch, demo_crm.url, params={"period": PERIOD}, page="pipeline")
    at = open_app(monkeypatch, demo_crm.url, params={"period": PERIOD, filterbar.P_PIPE_WINLOSS: "competitor:" + HOSTILE["fullwidth"]}, page="pipeline")
    _ok(at)
    _assert_same_figures(at, clean)
    assert _named("\n".join(w.value for w in at.warning), filterbar.P_PIPE_WINLOSS)


# --- 2. The metric layer and the command line -------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def tiny_on(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """tests/tiny_crm.py on each backend, read through Granary's read-only engine."""
    with database_on(request.param, tmp_path_factory, tiny_crm.load) as writer:
        url = writer.url.render_as_string(hide_password=False)
        writer.dispose()
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture
def statements(tiny_on: Engine) -> Iterator[list[tuple[str, object]]]:
    """Every statement (and its parameters) the engine runs while the test does."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        seen.append((statement, parameters))

    event.listen(tiny_on, "before_cursor_execute", record)
    yield seen
    event.remove(tiny_on, "before_cursor_execute", record)


def _bound(parameters: object) -> list[str]:
    values = parameters.values() if isinstance(parameters, dict) else parameters if isinstance(parameters, list | tuple) else [parameters]
    return [str(v) for v in values]  # type: ignore[union-attr]


def test_hostile_codes_are_bound_parameters_and_find_nothing(tiny_on: Engine, statements: list[tuple[str, object]]) -> None:
    """Every metric, with every code filter holding every hostile string (but the NUL: next test), finds nothing, and
    each string reaches the database as a bound value, never as SQL text."""
    codes = tuple(v for k, v in HOSTILE.items() if k != "nul")
    flt = Filters(Period(date(2025, 1, 1), date(2025, 9, 30)), bus=codes, products=codes, segments=codes, sources=codes)
    ctx = Context(tiny_on, load_org(tiny_on), DEFAULT_VIEWER, load_settings().calendar, "USD", date(2025, 9, 30))
    found = {key: result(metric, ctx, flt).value for key, metric in REGISTRY.items()}
    assert {k: v for k, v in found.items() if v not in (None, 0)} == {}
    assert statements
    for statement, _ in statements:
        assert not [c for c in codes if c in statement], statement[:200]
    bound = {v for _, parameters in statements for v in _bound(parameters)}
    assert set(codes) <= bound


def test_a_hostile_unit_reads_nothing() -> None:
    """A unit code is looked up in the org tree, in Python: an unknown one reads no unit at all (nothing, not all)."""
    engine = make_engine(_tiny_url())
    try:
        ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, load_settings().calendar, "USD", date(2025, 9, 30))
        everything = result(REGISTRY["revenue"], ctx, Filters(Period(date(2025, 1, 1), date(2025, 9, 30))))
        assert everything.value  # the period has revenue ...
        for kind, value in HOSTILE.items():
            if kind != "nul":
                flt = Filters(Period(date(2025, 1, 1), date(2025, 9, 30)), unit=value)
                found = {k: result(REGISTRY[k], ctx, flt).value for k in HEADLINE}
                assert {k: v for k, v in found.items() if v not in (None, 0)} == {}, kind  # ... none of it here
    finally:
        engine.dispose()


@pytest.mark.parametrize("field", ["unit", "bus", "products", "segments", "sources", "grade"])
def test_a_nul_in_a_code_is_refused_with_a_plain_message(field: str) -> None:
    """PostgreSQL refuses a NUL in a bound string with a driver error; no CRM code holds one, so Filters says so."""
    value = HOSTILE["nul"] if field in ("unit", "grade") else (HOSTILE["nul"],)
    with pytest.raises(ValueError, match=f"{field} code holds a NUL"):
        Filters(Period(date(2025, 1, 1), date(2025, 9, 30)), **{field: value})


_TINY: dict[str, str] = {}


def _tiny_url() -> str:
    """tests/tiny_crm.py in a DuckDB file (one per run of the module)."""
    if "url" not in _TINY:
        import tempfile

        from sqlalchemy import create_engine

        path = Path(tempfile.mkdtemp(prefix="granary-hostile-")) / "tiny.duckdb"
        writer = create_engine(f"duckdb:///{path}")
        tiny_crm.load(writer)
        writer.dispose()
        _TINY["url"] = f"duckdb:///{path}"
    return _TINY["url"]


SUMMARY = ["summary", "--start", "2025-04-01", "--end", "2025-06-30", "--format", "json"]


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_the_command_line_refuses_a_hostile_unit(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        cli([*SUMMARY, "--url", _tiny_url(), "--unit", HOSTILE[kind]])
    err = capsys.readouterr().err
    assert refused.value.code == 2 and "unknown unit code" in err and not SQL_ERROR.search(err)


def test_the_command_line_refuses_a_nul_in_a_business_unit(capsys: pytest.CaptureFixture[str]) -> None:
    """In process: a NUL cannot be passed in a real process's arguments."""
    with pytest.raises(SystemExit) as refused:
        cli([*SUMMARY, "--url", _tiny_url(), "--bu", HOSTILE["nul"]])
    err = capsys.readouterr().err
    assert refused.value.code == 2 and "NUL" in err and not SQL_ERROR.search(err)


def test_the_command_line_finds_nothing_for_hostile_business_units() -> None:
    """``python -m metrics summary`` itself, every other hostile string as a business unit (one run: the summary is slow)."""
    bus = [arg for kind, value in HOSTILE.items() if kind != "nul" for arg in ("--bu", value)]
    done = subprocess.run([sys.executable, "-m", "metrics", *SUMMARY, "--url", _tiny_url(), *bus],
                          cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {r["metric"]: r for r in json.loads(done.stdout)["metrics"]}
    assert rows["won_orders"]["value"] == 0 and rows["revenue"]["numerator"] in (None, "0", "0.00")
    assert rows["opportunities"]["value"] == 0 and not SQL_ERROR.search(done.stderr)


# --- 3. CRM text is text ------------------------------------------------------------------------------------------------

#: What a CRM's free text may hold that HTML, markdown or TeX would act on, and text that must survive as typed.
CRM_TEXTS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**bold**", "$x$", "🚀 客户名称")
#: Columns of free text the pages list: account and opportunity names, loss reasons, competitors, ticket subjects, campaigns.
TEXT_COLUMNS = {"account": ("account_id", "name"), "opportunity": ("opportunity_id", "name"), "campaign": ("campaign_id", "name"),
                "service_ticket": ("ticket_id", "subject")}
#: Which of them each page lists in its tables (the Service page lists open tickets, which the small demo may lack:
#: there only the markdown is checked).
LISTED = {"wallet": "account", "pipeline": "opportunity", "service": None, "marketing": "campaign"}


@pytest.fixture(scope="module")
def texty_crm(tmp_path_factory: pytest.TempPathFactory, demo_crm: Crm) -> Crm:  # noqa: F811
    """The demo CRM with every name, subject, loss reason and competitor one of CRM_TEXTS (and its row's id)."""
    path = tmp_path_factory.mktemp("texty") / "texty.duckdb"
    shutil.copy(demo_crm.url.removeprefix("duckdb:///"), path)
    with duckdb.connect(str(path)) as conn:
        for i, text in enumerate(CRM_TEXTS):
            for table, (key, column) in TEXT_COLUMNS.items():
                conn.execute(f"UPDATE {table} SET {column} = ? || ' #' || CAST({key} AS VARCHAR) WHERE {key} % 5 = ?", [text, i])
            for column in ("loss_reason", "competitor"):
                conn.execute(f"UPDATE opportunity SET {column} = ? WHERE {column} IS NOT NULL AND opportunity_id % 5 = ?", [text, i])
    return Crm(f"duckdb:///{path}", demo_crm.org, demo_crm.as_of, demo_crm.currency)


def _markdown_texts(at: AppTest) -> list[str]:
    """Every text Streamlit renders as markdown: bodies of markdown-like elements, and labels and helps."""
    from tests.test_personas import _nodes

    out: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"):
        out += [str(e.value) for e in getattr(at, kind)]
    for node in _nodes(at._tree):  # noqa: SLF001 - the whole tree
        for attr in ("label", "help"):
            value = getattr(node, attr, None)
            if isinstance(value, str):
                out.append(value)
    return out


@pytest.mark.parametrize("page", list(LISTED))
def test_html_markdown_and_tex_in_crm_text_show_as_typed(navigation: None, monkeypatch: pytest.MonkeyPatch, texty_crm: Crm, page: str) -> None:  # noqa: F811
    at = open_app(monkeypatch, texty_crm.url, params={"period": "last_12_months"}, page=page)
    _ok(at)
    _, cells = shown_texts(at)
    verbatim = re.compile("(?:" + "|".join(re.escape(x) for x in CRM_TEXTS) + r")(?: #\d+)?")
    listed = [c for c in cells if any(x in c for x in CRM_TEXTS)]
    if LISTED[page]:
        assert {x for x in CRM_TEXTS if any(x in c for c in listed)} == set(CRM_TEXTS), f"{LISTED[page]} texts are listed"
    assert [c for c in listed if not verbatim.fullmatch(c)] == []  # table cells hold the text itself
    for text in _markdown_texts(at):
        inert = re.sub(r"\\.", "", text)  # what markdown would act on: the text less its escaped characters
        acting = [x for x in ("<script", "<img", "**bold**", "$x$") if x in inert]
        assert acting == [], text


# --- 4. Configuration ---------------------------------------------------------------------------------------------------


def test_streamlit_refuses_cross_site_requests() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True


def test_the_secrets_file_is_ignored_and_never_tracked() -> None:
    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)

    assert git("check-ignore", "-q", ".streamlit/secrets.toml").returncode == 0
    assert git("ls-files", "--", ".streamlit/secrets.toml").stdout == ""
    assert git("ls-files", "--", ".streamlit/secrets.toml.example").stdout.strip() == ".streamlit/secrets.toml.example"


WRONG_PASSWORD = "Wr0ng-s3cret"


def test_a_wrong_password_is_masked_on_screen_and_in_the_log(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """MariaDB on this machine refuses its root user with a wrong password (PostgreSQL here trusts local users)."""
    caplog.set_level(logging.DEBUG)
    at = app_test(monkeypatch, f"mysql+pymysql://root:{WRONG_PASSWORD}@127.0.0.1:3306/test").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1 and not at.metric
    message = at.error[0].value
    assert "Access denied" in message and md_escape("root:***@127.0.0.1:3306/test") in message
    texts, _ = shown_texts(at)
    assert WRONG_PASSWORD not in "\n".join(texts)
    logged = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert "root:***@127.0.0.1:3306/test" in logged  # the server log says where ...
    assert WRONG_PASSWORD not in logged  # ... but not the password

