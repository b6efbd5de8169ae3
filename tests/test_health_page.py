"""The Data health page through AppTest: every rule of data_layer.check, with the counts run_checks finds for the
same viewer (the executive's whole company, a regional head's region), in English and Chinese; the summary downloads
what it shows; a rule that cannot run says what is missing while the rest of the page renders; example records are
shown as text, never markup; and the page file alone shows only the guard.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlalchemy import create_engine, func, insert, select, text
from streamlit.testing.v1 import AppTest

from data_layer import schema
from data_layer.check import RULES, Finding, run_checks
from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Role, Viewer
from tests.apptest import app_test, capture_downloads, open_app, read_csv
from tests.test_app import GUARD_MESSAGE, ROOT, Crm, _describe, _ok, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import _NavigationMode, navigation  # noqa: F401 - fixture
from ui import format as fmt
from ui.i18n import t
from ui.views import health as view

HEAD_EAST = Viewer(user="head.east", role=Role.REGIONAL_HEAD, units=("CN-E",))
PAGE = "health"
SCRIPT = '<script>alert("granary")</script> **bold** [link](http://example.com)'


def _expected(crm: Crm, viewer: Viewer = DEFAULT_VIEWER) -> list[Finding]:
    """run_checks itself, for ``viewer``, on the day the page checks (the data's as-of date)."""
    engine = make_engine(crm.url)
    try:
        return view.ordered(run_checks(engine, viewer, crm.org, crm.as_of, calendar=load_settings().calendar))
    finally:
        engine.dispose()


def _summary(at: AppTest, lang: str = "en") -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if t("health.col.checked", lang) in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _text(at: AppTest) -> str:
    return "\n".join(str(e.value).replace("\\", "") for kind in ("warning", "caption", "markdown", "info", "success") for e in getattr(at, kind))


def _assert_shows(at: AppTest, expected: list[Finding], lang: str = "en") -> None:
    """The tiles, the summary table (in run_checks' order: errors, then warnings, the most records first) and each
    rule's line, exactly as ``expected``."""
    def n(value: int) -> str:
        return fmt.number(value, lang)

    found = [f for f in expected if f.error is None and f.count]
    tiles = _tiles(at)
    assert tiles[t("health.tile.rules", lang)] == n(len(RULES))
    assert tiles[t("health.tile.pass", lang)] == n(sum(f.error is None and not f.count for f in expected))
    assert tiles[t("health.tile.errors", lang)] == n(sum(f.rule.severity == "error" for f in found))
    assert tiles[t("health.tile.warnings", lang)] == n(sum(f.rule.severity == "warning" for f in found))
    summary = _summary(at, lang)
    assert list(summary[t("health.col.rule", lang)]) == [f.rule.label[lang] for f in expected]
    assert list(summary[t("health.col.count", lang)]) == [fmt.DASH if f.error else n(f.count) for f in expected]
    assert list(summary[t("health.col.checked", lang)]) == [fmt.DASH if f.error else n(f.checked) for f in expected]
    # What needs doing first: the rules that found records (errors, then warnings, the most first), then the rest.
    ranks = [(0, f.rule.severity != "error", -f.count) if f.error is None and f.count else (1, False, 0) for f in expected]
    assert ranks == sorted(ranks)
    text = _text(at)
    for f in expected:
        if f.error is None:
            assert view.count_line(f, lang) in text, f.rule.key
    # Each rule's definition is one click away: on the ? beside its name.
    helps = {m.proto.help.replace("\\", "") for m in at.markdown if m.proto.help}
    assert {f.rule.definition[lang] for f in expected} <= helps


@pytest.fixture(scope="module")
def page(demo_crm: Crm) -> Iterator[AppTest]:  # noqa: F811
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app_test_module, "PagesManager", _NavigationMode)
        yield open_app(mp, demo_crm.url, page=PAGE)


def test_the_executive_sees_every_rule_as_run_checks_finds_it(page: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = page
    assert at.title[0].value == t("health.title", "en")
    assert not at.error and not at.exception, [e.value for e in at.error]
    expected = _expected(demo_crm)
    assert {f.rule.key for f in expected} == {r.key for r in RULES}
    assert not [f.error for f in expected if f.error], "every rule runs on the demo"
    assert any(f.count for f in expected), "the demo has something to find"
    _assert_shows(at, expected)
    assert not at.warning, "no rule failed to run"
    # The example records of each rule that found some, behind its expander.
    for f in expected:
        if f.count:
            label = t("health.examples", "en", n=fmt.number(len(f.examples), "en"), count=fmt.number(f.count, "en"))
            assert any(e.label == label for e in at.expander), f.rule.key
    definitions = next(e for e in at.expander if e.label == t("definitions.title", "en"))
    words = "\n".join(m.value for m in definitions.markdown).replace("\\", "")
    assert all(r.definition["en"] in words for r in RULES)
    # The heading's freshness line.
    assert any("Newest record written" in m.value.replace("\\", "") for m in [*at.caption, *at.markdown])


def test_the_summary_downloads_what_it_shows(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    files = capture_downloads(monkeypatch)
    at = open_app(monkeypatch, demo_crm.url, page=PAGE)
    assert len(at.get("download_button")) == 2
    expected = _expected(demo_crm)
    csv = read_csv(files["health_summary_csv"])
    assert list(csv[t("health.col.rule", "en")]) == [f.rule.label["en"] for f in expected]
    assert list(csv[t("health.col.count", "en")]) == [f.count for f in expected]
    assert list(csv[t("health.col.checked", "en")]) == [f.checked for f in expected]
    assert files["health_summary_xlsx"][:2] == b"PK"


def test_in_chinese(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = open_app(monkeypatch, demo_crm.url, page=PAGE)
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("health.title", "zh")
    assert not at.error, [e.value for e in at.error]
    _assert_shows(at, _expected(demo_crm), "zh")
    assert any("最新记录" in m.value for m in [*at.caption, *at.markdown])


def test_a_regional_head_sees_only_their_region(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = open_app(monkeypatch, demo_crm.url, user="head.east", page=PAGE)
    assert not at.error, [e.value for e in at.error]
    mine, everyone = _expected(demo_crm, HEAD_EAST), _expected(demo_crm)
    _assert_shows(at, mine)
    counts = {f.rule.key: (f.count, f.checked) for f in mine}
    assert counts != {f.rule.key: (f.count, f.checked) for f in everyone}, "the region is not the company"
    assert all(counts[f.rule.key][1] <= f.checked for f in everyone)


def test_the_page_file_alone_shows_only_the_guard(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = app_test(monkeypatch, demo_crm.url, script=str(ROOT / "pages" / f"{PAGE}.py")).run()  # signed in, but not through app.py
    _ok(at)
    assert not at.metric and not at.dataframe and not at.get("download_button") and not at.title
    assert [i.value for i in at.info] == [GUARD_MESSAGE]


# --- A copy of the demo with a column dropped and two product names spelt two ways, in markup ---------------


@pytest.fixture(scope="module")
def broken_crm(demo_crm: Crm, tmp_path_factory: pytest.TempPathFactory) -> Crm:  # noqa: F811
    """The demo without wallet_estimate.amount (the wallet rule cannot run), with two new products whose names,
    script and markdown, differ only in case (the name-variants rule lists them), and an order without an amount
    (an error found)."""
    path = tmp_path_factory.mktemp("broken") / "broken.duckdb"
    shutil.copy(Path(demo_crm.url.removeprefix("duckdb:///")), path)
    writer = create_engine(f"duckdb:///{path}")
    try:
        with writer.begin() as conn:
            conn.execute(text("ALTER TABLE wallet_estimate DROP COLUMN amount"))
            p = schema.product
            top, bu = conn.execute(select(func.max(p.c.product_id), func.min(p.c.bu_id))).one()
            conn.execute(insert(p), [dict(product_id=top + 1, code="XSS-1", name=SCRIPT, bu_id=bu),
                                     dict(product_id=top + 2, code="XSS-2", name=SCRIPT.upper(), bu_id=bu)])
            o = schema.sales_order
            order = dict(conn.execute(select(o).order_by(o.c.order_id).limit(1)).mappings().one())
            last = conn.execute(select(func.max(o.c.order_id))).scalar_one()
            conn.execute(insert(o), [order | dict(order_id=last + 1, order_number="SO-NO-AMOUNT", amount=None)])
    finally:
        writer.dispose()
    return _describe(f"duckdb:///{path}")


def test_a_rule_that_cannot_run_says_what_is_missing_and_the_rest_renders(
    navigation: None, monkeypatch: pytest.MonkeyPatch, broken_crm: Crm
) -> None:
    at = open_app(monkeypatch, broken_crm.url, page=PAGE)
    assert not at.exception and not at.error, [e.value for e in at.error]
    expected = _expected(broken_crm)
    failed = [f for f in expected if f.error]
    assert [f.rule.key for f in failed] == ["customer_without_wallet_estimate"]
    assert "wallet_estimate.amount" in failed[0].error  # type: ignore[operator]
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert warnings == [t("health.could_not_run", "en", error=failed[0].error)]
    assert _tiles(at)[t("health.tile.failed", "en")] == "1"
    _assert_shows(at, expected)  # every other rule still shows its count
    assert _summary(at)[t("health.col.rule", "en")].iloc[0] == "Order amount missing"  # the one error found comes first
    assert next(m.value for m in at.markdown if "-badge[" in m.value).startswith(":red-badge[")
    summary = _summary(at)
    row = summary[summary[t("health.col.rule", "en")] == failed[0].rule.label["en"]].iloc[0]
    assert row[t("health.col.status", "en")] == t("health.status.failed", "en") and row[t("health.col.problem", "en")] == failed[0].error


def test_example_records_show_as_text_never_as_markup(navigation: None, monkeypatch: pytest.MonkeyPatch, broken_crm: Crm) -> None:
    at = open_app(monkeypatch, broken_crm.url, page=PAGE)
    variants = next(f for f in _expected(broken_crm) if f.rule.key == "product_name_variants")
    assert set(variants.examples["name"]) >= {SCRIPT, SCRIPT.upper()}
    label = t("health.examples", "en", n=fmt.number(len(variants.examples), "en"), count=fmt.number(variants.count, "en"))
    examples = next(e for e in at.expander if e.label == label).dataframe[0].value
    assert {SCRIPT, SCRIPT.upper()} <= set(examples["name"])  # the cells hold the text exactly as stored
    # Nowhere does the script reach markdown unescaped (the only place Streamlit could act on it).
    for kind in ("markdown", "caption", "warning", "info", "success"):
        for element in getattr(at, kind):
            assert "<script>" not in element.value and "<SCRIPT>" not in element.value, element.value


def test_example_timestamps_show_in_the_companys_zone() -> None:
    # The CRM stores UTC without a zone (docs/data-model.md): half past four in the afternoon on 30 June
    # is half past midnight on 1 July in Shanghai; dates, text and empty cells stay as stored.
    stored = pd.DataFrame(
        {
            "opportunity_id": [7, 8],
            "created_at": [datetime(2025, 6, 30, 16, 30), None],
            "close_date": [date(2025, 6, 30), date(2025, 7, 1)],
            "name": ["<b>Acme</b> 上海", None],
        }
    )
    frame, config = view.example_table(stored, ZoneInfo("Asia/Shanghai"))
    assert frame.to_dict("list") == {
        "opportunity_id": ["7", "8"],
        "created_at": ["2025-07-01 00:30:00", ""],
        "close_date": ["2025-06-30", "2025-07-01"],
        "name": ["<b>Acme</b> 上海", ""],
    }
    assert list(config) == list(stored.columns)
