"""The app shell through Streamlit's AppTest: bootstrap, guard, URL state, language, and that the
Overview shows exactly what the metrics compute.

AppTest forgets between runs that st.navigation was called, so while ``pages/`` exists a second
``run()`` executes the page the first run finished on *directly*, without app.py — the very
visit the page guard exists for. :func:`_rerun` asks for the app's entry point instead, as a
browser session does once navigation is set up.

Sign-in is always on: each test opens the app through tests/apptest.py, signed in as one of the
demo's users (the executive unless it says otherwise).
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.dimensions import data_as_of, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, PRESETS, Filters, OrgTree, Period, Role, Viewer, preset_period
from metrics import registry
from metrics.base import Comparison, Context, Metric, compare, result
from metrics.registry import HEADLINE, REGISTRY
from tests import tiny_crm
from tests.apptest import ROOT, app_test, executive_only
from tests.fixture_db import demo_file
from ui import filterbar
from ui import format as fmt
from ui.i18n import STRINGS, t
from ui.session import PAGES

OVERVIEW = str(ROOT / "pages" / "overview.py")
#: The demo's history ends here (fixed, so the test is the same any day).
DEMO_AS_OF = date(2025, 11, 23)
GUARD_MESSAGE = f"{t('guard.open_home', 'en')}  \n{t('guard.open_home', 'zh')}"


@dataclass(frozen=True)
class Crm:
    url: str
    org: OrgTree
    as_of: date
    currency: str


def _describe(url: str) -> Crm:
    engine = make_engine(url)
    try:
        cal = load_settings().calendar
        return Crm(url, load_org(engine), data_as_of(engine, cal), reporting_currency(engine, load_settings().reporting_currency))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def demo_crm(tmp_path_factory: pytest.TempPathFactory) -> Crm:
    """A small demo CRM (build_demo XS) in a DuckDB file."""
    return _describe(demo_file(tmp_path_factory.mktemp("crm") / "demo.duckdb", "XS", DEMO_AS_OF))


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Crm:
    """tests/tiny_crm.py, whose every figure is worked out by hand."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    writer = create_engine(f"duckdb:///{path}")
    tiny_crm.load(writer)
    writer.dispose()
    return _describe(f"duckdb:///{path}")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> AppTest:
    """The app on the demo CRM, signed in as the demo's executive (the whole company)."""
    return app_test(monkeypatch, demo_crm.url)


def _rerun(at: AppTest) -> AppTest:
    """Run again through app.py (see the module docstring)."""
    at._finished_page_script_hash = ""  # noqa: SLF001 - the entry point, not the last page
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _all_text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "title", "subheader", "metric"):
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "label", "")))
    return "\n".join(parts)


def _region(org: OrgTree) -> str:
    """A unit with children below a top unit (a region)."""
    tops = org.children(None)
    for top in tops:
        for child in org.children(top.unit_id):
            if org.children(child.unit_id):
                return child.code
    return tops[0].code


def _expected(crm: Crm, viewer: Viewer, flt: Filters) -> dict[str, Comparison]:
    engine = make_engine(crm.url)
    try:
        ctx = Context(engine, crm.org, viewer, load_settings().calendar, crm.currency, crm.as_of)
        return {key: compare(REGISTRY[key], ctx, flt) for key in HEADLINE}
    finally:
        engine.dispose()


def _assert_kpis(at: AppTest, crm: Crm, expected: dict[str, Comparison], lang: str = "en") -> None:
    shown = {m.label: m.value for m in at.metric}
    for key in HEADLINE:
        metric = REGISTRY[key]
        assert shown[metric.label[lang]] == fmt.kpi_value(metric, expected[key].current.value, crm.currency, lang), key
    badges = "\n".join(m.value for m in at.markdown)
    for key in HEADLINE:
        metric, comp = REGISTRY[key], expected[key]
        for then in (comp.previous, comp.year_ago):
            change = fmt.change(Comparison.change(comp.current, then, metric.kind), metric.kind, lang)
            if change is not None:
                assert fmt.md_escape(change) in badges, (key, change)


# --- Rendering ----------------------------------------------------------------------------------


def test_app_renders_the_overview(app: AppTest) -> None:
    app.run()
    _ok(app)
    assert not app.error, [e.value for e in app.error]
    assert [m.label for m in app.metric] == [REGISTRY[k].label["en"] for k in HEADLINE]
    assert app.title[0].value == t("overview.title", "en")
    text_ = _all_text(app)
    assert t("kpi.vs_previous", "en") in text_ and t("kpi.vs_year_ago", "en") in text_
    assert "data as of" in text_
    assert len(app.get("download_button")) == 2  # CSV and Excel of the league table


def test_kpis_equal_what_the_metrics_compute(app: AppTest, demo_crm: Crm) -> None:
    region = _region(demo_crm.org)
    app.query_params.update({"period": "last_quarter", "unit": region})
    app.run()
    _ok(app)
    cal = load_settings().calendar
    flt = Filters(preset_period("last_quarter", demo_crm.as_of, cal), unit=region)
    _assert_kpis(app, demo_crm, _expected(demo_crm, DEFAULT_VIEWER, flt))


def test_the_business_unit_league_equals_each_kpi_filtered_to_each_business_unit(app: AppTest, demo_crm: Crm) -> None:
    """Every row of the business units' league table is the metric with only that business unit
    chosen: the one-query grouping of revenue, win rate and cycle must agree with the filter, and the
    account-level KPIs (new customers, churn, retention, wallet) are asked that way."""
    app.query_params.update({"period": "last_quarter", "league": "bu"})
    app.run()
    _ok(app)
    assert not app.error, [e.value for e in app.error]
    table = next(d.value for d in app.dataframe if t("league.bu", "en") in d.value.columns)
    assert list(table.columns) == [t("league.bu", "en"), *(REGISTRY[k].label["en"] for k in HEADLINE)]
    engine = make_engine(demo_crm.url)
    try:
        cal = load_settings().calendar
        ctx = Context(engine, demo_crm.org, DEFAULT_VIEWER, cal, demo_crm.currency, demo_crm.as_of)
        with engine.connect() as conn:
            bus = dict(conn.execute(text("SELECT name, code FROM business_unit")).all())
        period = preset_period("last_quarter", demo_crm.as_of, cal)
        assert sorted(table[t("league.bu", "en")]) == sorted(bus)
        for row in table.to_dict("records"):
            flt = Filters(period, bus=(bus[row[t("league.bu", "en")]],))
            for key in HEADLINE:
                metric = REGISTRY[key]
                want = result(metric, ctx, flt).value
                got = row[metric.label["en"]]
                if want is None:
                    assert got is None or pd.isna(got), (row, key)
                elif metric.kind == "ratio":
                    assert got == pytest.approx(round(float(want), 3)), (row, key)  # the table shows a tenth of a percent
                else:
                    assert got == pytest.approx(float(want)), (row, key)
    finally:
        engine.dispose()
    assert list(table[REGISTRY["revenue"].label["en"]]) == sorted(table[REGISTRY["revenue"].label["en"]], reverse=True)  # by revenue
    assert len(app.get("download_button")) == 2


def test_default_period_ends_at_the_datas_as_of_date(app: AppTest, demo_crm: Crm) -> None:
    app.run()
    _ok(app)
    period = preset_period("qtd", demo_crm.as_of, load_settings().calendar)
    heading = app.markdown[0].value
    assert fmt.md_escape(fmt.date_range(period.start, period.end, "en")) in heading
    assert fmt.md_escape(fmt.day(demo_crm.as_of, "en")) in heading
    assert app.query_params["period"] == "qtd"


def test_hand_checked_figures_and_a_metric_that_cannot_be_computed(monkeypatch: pytest.MonkeyPatch, tiny: Crm) -> None:
    at = app_test(monkeypatch, tiny.url, entitlements=executive_only())
    at.query_params.update({"start": "2025-01-01", "end": "2025-03-31"})  # Q1 2025: nothing closed
    at.run()
    _ok(at)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Revenue"] == "$300.00"  # SO-7
    assert shown["Win rate"] == fmt.DASH
    assert fmt.md_escape(t("reason.no_denominator", "en")) in _all_text(at)
    flt = Filters(Period(date(2025, 1, 1), date(2025, 3, 31), "week", "days"))
    _assert_kpis(at, tiny, _expected(tiny, DEFAULT_VIEWER, flt))


def test_a_card_states_what_its_figure_left_out(monkeypatch: pytest.MonkeyPatch, tiny: Crm) -> None:
    at = app_test(monkeypatch, tiny.url, entitlements=executive_only())
    at.query_params.update({"start": "2025-04-01", "end": "2025-06-30", "lang": "zh"})  # Q2 2025: SO-3 and SO-5
    at.run()
    _ok(at)
    left_out = t("kpi.excluded", "zh", what="1 笔无金额的订单、1 笔当日无汇率币种的订单".replace("、", t("list.sep", "zh")))
    # On the overview's seven cards (they must all fit the first screen) the reasons lead the figure's ?.
    revenue = next(m for m in at.metric if m.label == REGISTRY["revenue"].label["zh"])
    assert revenue.help.startswith(f"**{fmt.md_escape(left_out)}**"), revenue.help
    assert not [c for c in at.caption if c.value == t("kpi.excluded_short", "zh", n="2")]


def test_a_card_of_a_short_row_also_says_it_on_a_line_of_its_own() -> None:
    def script(compact: bool) -> None:
        from datetime import date

        from data_layer.filters import Filters, Period
        from metrics.base import Comparison, Result
        from metrics.registry import REGISTRY
        from ui import widgets

        now = Result(0.4, 40, 100, excluded=(("accounts_no_estimate", 12), ("orders_no_rate", 1)))
        comp = Comparison(now, Result(0.5, 50, 100), Result(None, None))
        flt = Filters(Period(date(2025, 4, 1), date(2025, 6, 30)))
        widgets.kpi_card(REGISTRY["share_of_wallet"], comp, [], "USD", flt, "en", compact=compact)

    reasons = t("kpi.excluded", "en", what="12 accounts with revenue but no usable wallet estimate, 1 order in a currency with no rate that day")
    for compact in (False, True):
        at = AppTest.from_function(script, args=(compact,)).run()
        assert not at.exception
        assert at.metric[0].help.startswith(f"**{fmt.md_escape(reasons)}**")  # first thing under the figure's ?
        lines = [c for c in at.caption if c.value == t("kpi.excluded_short", "en", n="13")]
        assert len(lines) == (0 if compact else 1), compact
        assert compact or lines[0].help == fmt.md_escape(reasons)


# --- URL state ----------------------------------------------------------------------------------


def test_query_params_restore_the_view(app: AppTest, demo_crm: Crm) -> None:
    region = _region(demo_crm.org)
    params = {"start": "2025-07-01", "end": "2025-09-30", "unit": region, "bu": ["CLD", "NET"], "segment": "enterprise", "lang": "zh"}
    app.query_params.update(params)
    app.run()
    _ok(app)
    assert not app.warning, [w.value for w in app.warning]
    state = app.session_state
    assert state[filterbar.K_PERIOD] == "custom"
    assert tuple(state[filterbar.K_RANGE]) == (date(2025, 7, 1), date(2025, 9, 30))
    assert state[filterbar.K_UNIT] == region
    assert state[filterbar.K_LISTS["bus"]] == ["CLD", "NET"]
    assert state[filterbar.K_LISTS["segments"]] == ["enterprise"]
    assert app.title[0].value == t("overview.title", "zh")
    # The URL is written back in its canonical form, so a copied link reproduces the view.
    assert {k: app.query_params[k] for k in params} == params
    flt = Filters(Period(date(2025, 7, 1), date(2025, 9, 30), "week", "days"), unit=region, bus=("CLD", "NET"), segments=("enterprise",))
    _assert_kpis(app, demo_crm, _expected(demo_crm, DEFAULT_VIEWER, flt), lang="zh")


def test_filters_persist_across_reruns_and_reach_the_url(app: AppTest) -> None:
    app.run()
    app.selectbox(key=filterbar.K_PERIOD).set_value("last_month")
    _ok(_rerun(app))
    app.multiselect(key=filterbar.K_LISTS["segments"]).set_value(["smb"])
    _ok(_rerun(app))
    assert app.query_params["period"] == "last_month"
    assert app.query_params["segment"] == "smb"
    assert app.session_state[filterbar.K_PERIOD] == "last_month"


BAD_PARAMS = {
    "unit": "NO-SUCH-UNIT",
    "bu": ["CLD", "'; DROP TABLE sales_order; --"],
    "segment": "x" * 10_000,
    "start": "2025-13-45",
    "end": "1 OR 1=1",
    "period": "forever",
    "lang": "klingon",
    "utm_source": "<script>alert(1)</script>",
}


def test_bad_query_params_are_ignored_with_a_notice(app: AppTest) -> None:
    app.query_params.update(BAD_PARAMS)
    app.run()
    _ok(app)
    assert not app.error, [e.value for e in app.error]
    notice = "\n".join(w.value for w in app.warning)
    assert notice.startswith("Some settings in the link were ignored")
    for param in ("unit", "bu", "segment", "start", "period", "lang"):
        assert param in notice
    assert "DROP" not in notice and "script" not in notice and "xxxx" not in notice  # values are never echoed
    assert app.session_state[filterbar.K_LISTS["bus"]] == ["CLD"]  # the valid value is kept
    assert app.session_state[filterbar.K_PERIOD] == "qtd"
    assert len(app.metric) == len(HEADLINE)
    assert app.query_params.get("unit") != "NO-SUCH-UNIT"
    assert "utm_source" not in app.query_params


def test_a_link_cannot_widen_the_viewers_scope(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    region = "CN-E"  # head.east's region (config/demo-entitlements.toml)
    unit = demo_crm.org.by_code(region)
    outside = next(u.code for u in demo_crm.org.units if u.unit_id not in demo_crm.org.subtree_ids(region))
    viewer = Viewer(user="head.east", role=Role.REGIONAL_HEAD, units=(region,))
    app = app_test(monkeypatch, demo_crm.url, user="head.east")
    app.query_params.update({"unit": outside, "period": "last_quarter"})
    app.run()
    _ok(app)
    assert "unit" in "\n".join(w.value for w in app.warning)
    assert app.session_state[filterbar.K_UNIT] == region
    offered = app.selectbox(key=filterbar.K_UNIT).options
    assert unit is not None and len(offered) == len(demo_crm.org.subtree_ids(region))
    flt = Filters(preset_period("last_quarter", demo_crm.as_of, load_settings().calendar), unit=region)
    _assert_kpis(app, demo_crm, _expected(demo_crm, viewer, flt))


# --- Language -----------------------------------------------------------------------------------


def test_language_switch_changes_the_labels(app: AppTest) -> None:
    app.run()
    assert app.title[0].value == "Overview"
    app.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(app))
    assert app.title[0].value == "经营概览"
    assert [m.label for m in app.metric] == [REGISTRY[k].label["zh"] for k in HEADLINE]
    assert app.query_params["lang"] == "zh"
    assert t("kpi.vs_year_ago", "zh") in _all_text(app)


def test_every_ui_string_has_both_languages() -> None:
    for key, texts in STRINGS.items():
        assert set(texts) == {"en", "zh"} and all(texts.values()), key
    for metric in REGISTRY.values():
        assert metric.label.get("zh") and metric.definition.get("zh"), metric.key


def test_every_key_the_ui_looks_up_is_in_the_table() -> None:
    sources = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    used = {key for path in sources for key in re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text())}
    used |= {f"preset.{p}" for p in PRESETS} | {f"period.{p}" for p in PRESETS}
    used |= {f"filter.{name}" for name in ("business_unit", "product", "segment", "source")}
    used |= {p.section for p in PAGES.values()} | {p.title for p in PAGES.values()}
    assert used - set(STRINGS) == set()


def test_one_failing_section_does_not_take_the_page_down(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> object:
        raise RuntimeError("boom")

    failing = Metric("failing", {"en": "Failing", "zh": "出错"}, {"en": "Always fails.", "zh": "总是出错。"}, "count", "up", broken)
    monkeypatch.setitem(registry.REGISTRY, "failing", failing)
    monkeypatch.setattr(registry, "HEADLINE", (*HEADLINE, "failing"))
    app.run()
    _ok(app)
    assert [m.label for m in app.metric] == [REGISTRY[k].label["en"] for k in HEADLINE]  # the others all render
    errors = [e.value for e in app.error]
    assert any(e.startswith("Failing could not be shown") and "RuntimeError" in e for e in errors), errors
    assert "boom" not in "\n".join(errors)  # no exception text or traceback for users
    assert any(e.startswith(f"{t('league.title', 'en')} could not be shown") for e in errors)  # it is in the league too
    assert len(app.get("vega_lite_chart")) == 1  # the trend still draws


# --- Guard and bootstrap ------------------------------------------------------------------------


def test_a_page_opened_directly_shows_nothing(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = app_test(monkeypatch, demo_crm.url, script=OVERVIEW).run()  # signed in, but not through app.py
    _ok(at)
    assert not at.metric and not at.get("download_button") and not at.dataframe
    assert [i.value for i in at.info] == [GUARD_MESSAGE]


def test_a_signed_in_session_still_cannot_run_a_page_without_app_py(app: AppTest) -> None:
    app.run()
    assert len(app.metric) == len(HEADLINE)
    app.run()  # AppTest now runs pages/overview.py alone (module docstring): the grant is gone
    _ok(app)
    assert not app.metric and not app.dataframe
    assert [i.value for i in app.info] == [GUARD_MESSAGE]
    _rerun(app)
    assert len(app.metric) == len(HEADLINE)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # released on close: nothing listens there


def test_an_unreachable_database_shows_a_masked_error(monkeypatch: pytest.MonkeyPatch) -> None:
    at = app_test(monkeypatch, f"postgresql+psycopg://granary:s3cret-Pw@127.0.0.1:{_closed_port()}/crm").run()
    _ok(at)
    assert len(at.error) == 1 and not at.metric
    message = at.error[0].value
    assert fmt.md_escape("granary:***@127.0.0.1") in message
    assert "s3cret" not in _all_text(at)


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://granary:s3cret-Pw@/", "not a url at all", "nosuchdialect://u:s3cret-Pw@h/db"],
)
def test_a_malformed_url_shows_an_error(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    at = app_test(monkeypatch, url).run()
    _ok(at)
    assert at.error and not at.metric
    assert "s3cret" not in _all_text(at)


def test_missing_tables_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "empty.duckdb"
    engine = create_engine(f"duckdb:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE org_unit (unit_id INTEGER)"))
    engine.dispose()
    at = app_test(monkeypatch, f"duckdb:///{path}").run()
    _ok(at)
    assert at.error and not at.metric
    assert fmt.md_escape("sales_order") in at.error[0].value and fmt.md_escape("org_unit.code") in at.error[0].value


def test_first_start_builds_the_demo_then_opens_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import data_layer.connection as connection
    import ui.session

    demo = tmp_path / "var" / "demo.duckdb"
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.setattr(connection, "read_secrets", lambda *_a, **_k: {})
    monkeypatch.setattr(connection, "DEMO_URL", f"duckdb:///{demo}")
    monkeypatch.setattr(ui.session, "DEMO_PATH", demo)
    at = app_test(monkeypatch, None).run()
    _ok(at)
    assert demo.exists() and not list(demo.parent.glob("*.building-*"))
    assert len(at.metric) == len(HEADLINE)
    assert t("source.demo", "en") in _all_text(at)


# --- Pure helpers -------------------------------------------------------------------------------


def test_parse_never_raises_and_never_leaves_the_choices() -> None:
    cal = load_settings().calendar
    choices = filterbar.Choices(units=("A", "A1"), bus=("HW",), segments=("smb",), products=("P",), sources=("event",))
    weird: list[dict[str, list[str]]] = [
        {},
        {"unit": ["B"], "bu": ["HW"] * 60},
        {"start": ["2025-02-30"], "end": ["2025-03-01"]},
        {"start": ["2025-03-01"], "end": ["2025-02-01"]},
        {"start": ["1900-01-01"], "end": ["2025-01-01"]},
        {"period": ["custom"]},
        {"period": ["ytd"], "start": ["2025-01-01"]},
        {"product": ["P", "P", "Q"], "source": [""], "lang": ["zh"]},
    ]
    for params in weird:
        sel, _ = filterbar.parse(params, choices, date(2025, 6, 30), cal)
        assert sel.unit in choices.units
        assert set(sel.bus) <= set(choices.bus) and set(sel.products) <= set(choices.products)
        assert set(sel.sources) <= set(choices.sources) and set(sel.segments) <= set(choices.segments)
        assert sel.start <= sel.end
        assert filterbar.parse(filterbar.to_params(sel), choices, date(2025, 6, 30), cal)[0] == sel


@pytest.mark.parametrize(
    ("value", "currency", "lang", "expected"),
    [
        (12_300_000, "USD", "en", "$12.3M"),
        (123_000_000, "CNY", "zh", "¥1.23亿"),
        (1_234_000, "USD", "zh", "US$123.4万"),
        (999_999, "USD", "en", "$1M"),
        (950, "USD", "en", "$950.00"),
    ],
)
def test_compact_money(value: int, currency: str, lang: str, expected: str) -> None:
    assert fmt.money(value, currency, lang, compact=True) == expected


def test_changes_are_points_for_ratios() -> None:
    assert fmt.change(0.052, "ratio", "en") == "+5.2 pp"
    assert fmt.change(-0.052, "ratio", "zh") == "-5.2个百分点"
    assert fmt.change(0.123, "money", "en") == "+12.3%"
    assert fmt.change(None, "count", "en") is None
