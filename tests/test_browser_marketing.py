"""The Campaigns and sources page in a real browser (Debian's Chromium through Playwright): a copied link
opens the campaign it names with its leads listed, and the drill-through's choices (the row and which of its
leads) change the list and the address bar as a user clicks them.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, preset_period
from metrics.base import Context
from metrics.campaigns import campaign_table
from tests.browser import login, wait_ready
from tests.test_browser import AS_OF
from tests.test_browser_pages import DESKTOP, EXCEPTION, PHONE, _shoot
from ui.i18n import t


@pytest.fixture(scope="module")
def year(browser_crm_url: str):
    """The demo's campaigns over the last 12 months, straight from the metric."""
    engine = make_engine(browser_crm_url)
    try:
        cal = load_settings().calendar
        ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, cal, "USD", AS_OF)
        return campaign_table(ctx, Filters(preset_period("last_12_months", AS_OF, cal)), "campaign")
    finally:
        engine.dispose()


def _open(browser: Browser, url: str, viewport: dict[str, int]) -> Page:
    page = browser.new_context(viewport=viewport, device_scale_factor=1).new_page()
    page.goto(url)
    login(page, "ceo")
    page.wait_for_selector("[data-testid='stExpander']", timeout=60_000)  # the Definitions close the page
    wait_ready(page)
    return page


def _records(page: Page) -> Locator:
    """The drill-through's grid (its accessible table is hidden, so it is found attached, not visible)."""
    grid = page.locator("[role='grid']").filter(has_text=t("records.company", "en")).last
    grid.wait_for(state="attached", timeout=30_000)
    return grid


def test_a_link_opens_its_campaign_and_the_stage_choice_narrows_the_list(browser: Browser, server: str, year) -> None:
    named = year[year["campaign_id"].notna()].sort_values("leads", kind="stable")
    chosen = named.iloc[len(named) // 2]  # not the default (most leads) campaign
    code = str(int(chosen["campaign_id"]))
    page = _open(browser, f"{server}/marketing?lang=en&period=last_12_months&mkt_pick={code}", DESKTOP)
    try:
        assert page.locator(EXCEPTION).count() == 0
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        box = page.locator("[data-testid='stSelectbox']").filter(has_text=t("mkt.by.campaign", "en")).last.locator("input")
        assert box.input_value().startswith(str(chosen["name"]))
        assert f"{int(chosen['leads'])} leads" in box.input_value()
        expect(_records(page)).to_have_attribute("aria-rowcount", str(min(int(chosen["leads"]), 200) + 1), timeout=30_000)
        # Only the opportunities: the list and the button's count agree.
        stage = t("mkt.drill.stage.opportunity", "en", n=int(chosen["opportunities"]))
        page.locator("[data-testid='stButtonGroup'] button").filter(has_text=stage).first.click()
        wait_ready(page)
        if int(chosen["opportunities"]):
            expect(_records(page)).to_have_attribute("aria-rowcount", str(int(chosen["opportunities"]) + 1), timeout=30_000)
        else:
            expect(page.get_by_text(t("mkt.drill.none", "en"))).to_be_visible(timeout=30_000)
        query = parse_qs(urlparse(page.url).query)
        assert query["mkt_pick"] == [code] and query["mkt_stage"] == ["opportunity"]  # the link names the campaign and the stage
        _shoot(page, "marketing-drill-desktop-en", DESKTOP)
    finally:
        page.context.close()


def test_show_by_source_on_a_phone_writes_the_link(browser: Browser, server: str) -> None:
    page = _open(browser, f"{server}/marketing?lang=zh&period=last_12_months", PHONE)
    try:
        page.locator("[data-testid='stButtonGroup'] button").filter(has_text=t("mkt.by.source", "zh")).first.click()
        wait_ready(page)
        page.wait_for_function("() => location.search.includes('mkt_by=source')", timeout=30_000)
        expect(page.get_by_text(t("mkt.chart_source", "zh"))).to_be_visible(timeout=30_000)
        assert page.locator(EXCEPTION).count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _shoot(page, "marketing-source-phone-zh", PHONE)
    finally:
        page.context.close()
