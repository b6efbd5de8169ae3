"""The app in a real browser (Debian's Chromium through Playwright): it renders without an
exception, shows the metrics' figures, switches language, fits a desktop and a phone screen,
and a page's own URL shows nothing on a server no one has opened yet.

Screenshots go to test-artifacts/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.dimensions import data_as_of, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, preset_period
from metrics.base import Context, compare
from metrics.registry import HEADLINE, REGISTRY
from tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, streamlit_server, wait_ready
from tests.fixture_db import demo_file
from ui import format as fmt
from ui.i18n import t

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
AS_OF = date(2025, 11, 23)
METRIC_VALUE = "[data-testid='stMetricValue']"
METRIC_LABEL = "[data-testid='stMetricLabel']"
EXCEPTION = "[data-testid='stException']"


@pytest.fixture(scope="module")
def crm_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo CRM (build_demo S) in a DuckDB file."""
    return demo_file(tmp_path_factory.mktemp("browser") / "demo.duckdb", "S", AS_OF)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(crm_url: str) -> Iterator[str]:
    with streamlit_server(crm_url) as base:
        yield base


@pytest.fixture(scope="module")
def expected(crm_url: str) -> dict[str, dict[str, str]]:
    """The headline figures of the default view (this quarter to date, whole company), as the
    page must write them, per language."""
    engine = make_engine(crm_url)
    try:
        settings = load_settings()
        as_of = data_as_of(engine, settings.calendar)
        assert as_of is not None
        currency = reporting_currency(engine, settings.reporting_currency)
        ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, settings.calendar, currency, as_of)
        flt = Filters(preset_period("qtd", as_of, settings.calendar))
        values = {key: compare(REGISTRY[key], ctx, flt).current.value for key in HEADLINE}
    finally:
        engine.dispose()
    return {lang: {REGISTRY[k].label[lang]: fmt.kpi_value(REGISTRY[k], values[k], currency, lang) for k in HEADLINE} for lang in ("en", "zh")}


def _open(browser: Browser, url: str, viewport: dict[str, int], *, kpis: bool = True) -> Page:
    """A new page at ``url``, once its run has finished (and, with ``kpis``, the cards are drawn:
    a server's very first run reruns itself once, so "not running" alone may come too early)."""
    page = browser.new_context(viewport=viewport, device_scale_factor=1).new_page()
    page.goto(url)
    if kpis:
        page.wait_for_function(f"() => document.querySelectorAll(\"{METRIC_VALUE}\").length === {len(HEADLINE)}", timeout=60_000)
    wait_ready(page)
    return page


def _kpis(page: Page) -> dict[str, str]:
    labels = [s.strip() for s in page.locator(METRIC_LABEL).all_inner_texts()]
    values = [s.strip() for s in page.locator(METRIC_VALUE).all_inner_texts()]
    return dict(zip(labels, values, strict=True))


def _shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _fits_width(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways: {scroll}px > {width}px"


def test_overview_on_a_desktop_and_the_language_switch(browser: Browser, server: str, expected: dict[str, dict[str, str]]) -> None:
    page = _open(browser, server, DESKTOP)
    try:
        assert page.locator(EXCEPTION).count() == 0
        assert page.locator("h1").first.inner_text().strip() == "Overview"
        assert _kpis(page) == expected["en"]
        # The KPI cards are the first screen: all of them visible without scrolling.
        for box in (m.bounding_box() for m in page.locator("[data-testid='stMetric']").all()):
            assert box is not None and box["y"] + box["height"] <= DESKTOP["height"]
        assert t("kpi.vs_year_ago", "en") in page.inner_text("body")
        assert "lang=en" in page.url and "period=qtd" in page.url
        _shoot(page, "overview-desktop-en")

        page.locator("[data-testid='stSidebar']").get_by_text("简体中文", exact=True).click()
        page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === '经营概览'")
        wait_ready(page)
        assert page.locator(EXCEPTION).count() == 0
        assert _kpis(page) == expected["zh"]
        assert t("kpi.vs_year_ago", "zh") in page.inner_text("body")
        # The selected values are redrawn in Chinese too, not only the labels.
        period = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input").first
        page.wait_for_function("(e) => e.value === '本季度至今'", arg=period.element_handle())
        page.wait_for_function("() => location.search.includes('lang=zh')")
        _shoot(page, "overview-desktop-zh")
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_overview_on_a_phone(browser: Browser, server: str, expected: dict[str, dict[str, str]], lang: str) -> None:
    page = _open(browser, f"{server}/?lang={lang}", PHONE)
    try:
        assert page.locator(EXCEPTION).count() == 0
        assert _kpis(page) == expected[lang]
        _fits_width(page, PHONE["width"])
        _shoot(page, f"overview-phone-{lang}")
    finally:
        page.context.close()


def test_a_pages_own_url_on_a_fresh_server_shows_nothing(browser: Browser, crm_url: str, expected: dict[str, dict[str, str]]) -> None:
    # A server no one has opened: Streamlit would run each file in pages/ by itself. A guarded
    # page runs no st.navigation, so the server stays in that state for every page visited here.
    from ui.session import PAGES

    with streamlit_server(crm_url) as fresh:
        for key, spec in PAGES.items():
            page = _open(browser, f"{fresh}/{Path(spec.path).stem}", DESKTOP, kpis=False)
            try:
                assert page.locator(EXCEPTION).count() == 0, key
                page.wait_for_selector("[data-testid='stAlert']")
                body = page.inner_text("body")
                assert t("guard.open_home", "en") in body, key
                assert page.locator(METRIC_VALUE).count() == 0, key
                assert page.locator("[data-testid='stDataFrame']").count() == 0, key
                assert page.locator("[data-testid='stVegaLiteChart']").count() == 0, key
                assert not [figure for figure in expected["en"].values() if figure in body], key
                if key == "overview":
                    _shoot(page, "overview-direct-url")
            finally:
                page.context.close()
