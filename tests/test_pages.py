"""The analysis pages (sales cycle, churn, share of wallet, customer value) through Streamlit's AppTest: each runs
through app.py without an exception, its KPI cards show exactly what the metrics compute for the
same filters, its tables download, and its file run by itself shows only the guard's message.

AppTest resets Streamlit's "pages folder" mode before every run, so a page switched to would be
run by itself, without app.py (see tests/test_app.py). The ``app`` fixture here keeps navigation
mode on, as on a server some session has already opened: app.py runs and hands over to the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Filters, preset_period
from metrics import targets
from metrics.base import Comparison, Context, compare
from metrics.registry import REGISTRY
from data_layer.access import DEMO_ENTITLEMENTS_FILE
from tests.apptest import app_test, executive_only, open_app
from tests.test_app import GUARD_MESSAGE, ROOT, Crm, _ok, _region, demo_crm, tiny  # noqa: F401 - fixtures
from ui import format as fmt
from ui.i18n import t

#: Each page file, its title key and the registered metrics on its KPI cards, in order.
PAGES = {
    "sales_cycle": ("cycle.title", ("sales_cycle_median_days", "win_rate", "win_rate_by_amount")),
    "churn": ("churn.title", ("logo_churn", "revenue_churn", "grr", "nrr")),
    "wallet": ("wallet.title", ("share_of_wallet", "wallet_coverage")),
    "funnel": ("funnel.title", ("lead_to_opportunity_rate", "opportunity_to_order_rate")),
    "profitability": ("profit.title", ("gross_margin_pct", "profit_contribution")),
}


class _NavigationMode(PagesManager):
    """A PagesManager that has left the pages-folder mode, as after a session's st.navigation."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        PagesManager.uses_pages_directory = False


@pytest.fixture
def navigation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationMode)


def _open(crm: Crm, monkeypatch: pytest.MonkeyPatch, page: str, params: dict[str, str] | None = None) -> AppTest:
    """``page`` through app.py, as the demo's executive (the whole company)."""
    entitlements = DEMO_ENTITLEMENTS_FILE if crm.org.by_code("CN-E") else executive_only()
    return open_app(monkeypatch, crm.url, params=params, page=page, entitlements=entitlements)


def _comparisons(crm: Crm, flt: Filters, keys: tuple[str, ...]) -> dict[str, Comparison]:
    engine = make_engine(crm.url)
    try:
        ctx = Context(engine, crm.org, DEFAULT_VIEWER, load_settings().calendar, crm.currency, crm.as_of)
        return {key: compare(REGISTRY[key], ctx, flt) for key in keys}
    finally:
        engine.dispose()


def _assert_kpis(at: AppTest, crm: Crm, expected: dict[str, Comparison], lang: str = "en") -> None:
    cards = list(at.metric)[: len(expected)]
    assert [m.label for m in cards] == [REGISTRY[k].label[lang] for k in expected]
    for card, (key, comp) in zip(cards, expected.items(), strict=True):
        metric = REGISTRY[key]
        assert card.value == fmt.kpi_value(metric, comp.current.value, crm.currency, lang), key
    badges = "\n".join(m.value for m in at.markdown)
    for key, comp in expected.items():
        metric = REGISTRY[key]
        for then in (comp.previous, comp.year_ago):
            change = fmt.change(Comparison.change(comp.current, then, metric.kind), metric.kind, lang)
            if change is not None:
                assert fmt.md_escape(change) in badges, (key, change)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_through_app_py_with_the_metrics_figures(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, page: str) -> None:
    at = _open(demo_crm, monkeypatch, page)
    title, keys = PAGES[page]
    assert at.title[0].value == t(title, "en")
    assert not at.error, [e.value for e in at.error]  # no section failed
    flt = Filters(preset_period("qtd", demo_crm.as_of, load_settings().calendar))
    _assert_kpis(at, demo_crm, _comparisons(demo_crm, flt, keys))
    assert at.get("vega_lite_chart"), "the page draws its charts"
    assert len(at.get("download_button")) >= 2  # every table downloads as CSV and Excel
    assert any(e.label == t("definitions.title", "en") for e in at.expander)


@pytest.mark.parametrize(("params", "lang"), [({}, "en"), ({"period": "last_quarter", "unit": "CN-E"}, "zh")])
def test_the_revenue_and_new_customer_cards_stand_against_their_targets(
    navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, params: dict[str, str], lang: str
) -> None:
    """The Overview's revenue and new-customers cards show the share of the quarter's target attained,
    with the target, the pace and (revenue) the projection, exactly as metrics.targets.scope_attainment
    has them."""
    at = _open(demo_crm, monkeypatch, "overview", params)
    if lang != "en":
        at.segmented_control(key="lang").set_value(lang).run()
    assert not at.error, [e.value for e in at.error]
    flt = Filters(preset_period(params.get("period", "qtd"), demo_crm.as_of, load_settings().calendar), unit=params.get("unit"))
    engine = make_engine(demo_crm.url)
    try:
        ctx = Context(engine, demo_crm.org, DEFAULT_VIEWER, load_settings().calendar, demo_crm.currency, demo_crm.as_of)
        got = {key: targets.scope_attainment(ctx, key, flt) for key in ("revenue", "new_customers")}
    finally:
        engine.dispose()
    text = "\n".join(m.value for m in at.markdown)
    for key, this in got.items():
        assert this is not None and this.actual > 0, key
        assert fmt.md_escape(t("kpi.target_attained", lang, share=fmt.percent(float(this.attainment), lang))) in text, key
        assert fmt.md_escape(t("kpi.target_of", lang, target=fmt.kpi_value(REGISTRY[key], this.target, demo_crm.currency, lang))) in text, key
        assert fmt.md_escape(t("kpi.target_pace", lang, pace=fmt.percent(float(this.pace), lang))) in text, key
    assert got["revenue"].projected is not None and got["new_customers"].projected is None  # no pipeline projects new customers


@pytest.mark.parametrize("page", list(PAGES))
def test_kpis_follow_the_filters_and_the_language(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, page: str) -> None:
    region = _region(demo_crm.org)
    at = _open(demo_crm, monkeypatch, page, {"period": "last_quarter", "unit": region})
    assert at.query_params["unit"] == region and at.query_params["period"] == "last_quarter"
    at.segmented_control(key="lang").set_value("zh").run()
    _ok(at)
    title, keys = PAGES[page]
    assert at.title[0].value == t(title, "zh")
    flt = Filters(preset_period("last_quarter", demo_crm.as_of, load_settings().calendar), unit=region)
    _assert_kpis(at, demo_crm, _comparisons(demo_crm, flt, keys), "zh")


def test_a_metric_that_cannot_be_computed_shows_a_dash_and_why(navigation: None, monkeypatch: pytest.MonkeyPatch, tiny: Crm) -> None:
    at = _open(tiny, monkeypatch, "sales_cycle", {"start": "2025-01-01", "end": "2025-03-31"})  # nothing won
    median = next(m for m in at.metric if m.label == REGISTRY["sales_cycle_median_days"].label["en"])
    assert median.value == fmt.DASH
    assert t("reason.no_data", "en") in [c.value.replace("\\", "") for c in at.caption]
    assert not at.exception


@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_file_alone_shows_only_the_guard(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, page: str) -> None:
    at = app_test(monkeypatch, demo_crm.url, script=str(ROOT / "pages" / f"{page}.py")).run()  # signed in, but not through app.py
    _ok(at)
    assert not at.metric and not at.dataframe and not at.get("download_button") and not at.title
    assert [i.value for i in at.info] == [GUARD_MESSAGE]


def test_funnel_drill_through_lists_the_records_behind_a_stage(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    from metrics.funnel import STAGES, stage_records

    at = _open(demo_crm, monkeypatch, "funnel")
    assert at.get("plotly_chart"), "the funnel is drawn"
    flt = Filters(preset_period("qtd", demo_crm.as_of, load_settings().calendar))
    engine = make_engine(demo_crm.url)
    try:
        ctx = Context(engine, demo_crm.org, DEFAULT_VIEWER, load_settings().calendar, demo_crm.currency, demo_crm.as_of)
        expected = {(s, m): stage_records(ctx, flt, s, m, limit=200)[1] for s in STAGES for m in ("cohort", "snapshot")}
        within_30 = stage_records(ctx, flt, "qualified", "cohort", 30, limit=200)[1]
    finally:
        engine.dispose()
    assert expected[("lead", "cohort")] > 0 and expected[("opportunity", "snapshot")] > 0, "the demo has a funnel this quarter"
    lead_column = t("records.lead", "en")
    for mode in ("cohort", "snapshot"):
        at.segmented_control(key="funnel_mode").set_value(mode).run()
        _ok(at)
        for stage in STAGES:
            at.selectbox(key="funnel_stage").set_value(stage).run()
            _ok(at)
            assert not at.error, [e.value for e in at.error]
            total = expected[(stage, mode)]
            assert fmt.number(total, "en") in at.selectbox(key="funnel_stage").format_func(stage)
            tables = [d.value for d in at.dataframe if lead_column in d.value.columns]
            if total == 0:
                assert not tables and t("records.none", "en") in [i.value for i in at.info], (stage, mode)
                continue
            assert len(tables) == 1 and len(tables[0]) == min(total, 200), (stage, mode, total)
            notice = t("table.capped", "en", n=fmt.number(200, "en"), total=fmt.number(total, "en"))
            assert (notice in [c.value.replace("\\", "") for c in at.caption]) == (total > 200), (stage, mode)
    # Cohort mode within 30 days of creation: the stage's count follows the window.
    at.segmented_control(key="funnel_mode").set_value("cohort").run()
    at.number_input(key="funnel_within").set_value(30).run()
    at.selectbox(key="funnel_stage").set_value("qualified").run()
    _ok(at)
    assert not at.error, [e.value for e in at.error]
    assert fmt.number(within_30, "en") in at.selectbox(key="funnel_stage").format_func("qualified")
    assert t("funnel.caption_window", "en", n=30) in [c.value.replace("\\", "") for c in at.caption]


def test_pages_are_registered_for_every_role() -> None:
    from data_layer.filters import Role
    from ui.session import PAGES as REGISTERED
    from ui.session import ROLE_PAGES

    for key in PAGES:
        assert Path(ROOT / REGISTERED[key].path).is_file()
        assert all(key in ROLE_PAGES[role] for role in Role)
