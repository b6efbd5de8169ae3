"""The Lead to cash page in a real browser (Debian's Chromium through Playwright): a copied link restores the page's
controls and the orders it lists, and choosing another list of orders waiting shows them and rewrites the link.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from data_layer.filters import Filters, preset_period
from metrics.lead_to_cash import waiting_lists
from tests.browser import demo_context, SCREENSHOTS, login, wait_ready
from ui import filterbar
from ui.i18n import t

DESKTOP = {"width": 1366, "height": 768}
EXCEPTION = "[data-testid='stException']"


@pytest.fixture(scope="module")
def waiting_counts(browser_crm_url: str) -> dict[str, int]:
    """The orders waiting at each step (and past due) for the whole company this quarter to date, from the metric."""
    with demo_context(browser_crm_url) as (ctx, cal):
        lists = waiting_lists(ctx, Filters(preset_period("qtd", ctx.as_of, cal)))
    return {step: int(n) for step, n in zip(lists["step"], lists["orders"], strict=True)}


def _records_grid(page: Page, total: int) -> None:
    """The grid of orders waiting holds a header row and the first (at most 200) of ``total`` orders."""
    grid = page.locator("[role='grid']").filter(has_text=t("ltc.col.account", "en")).last
    grid.wait_for(state="attached", timeout=30_000)  # the grid's accessible table is hidden
    expect(grid).to_have_attribute("aria-rowcount", str(min(total, 200) + 1), timeout=30_000)


def test_a_link_restores_the_controls_and_a_pick_rewrites_it(browser: Browser, server: str, waiting_counts: dict[str, int]) -> None:
    link = f"{server}/lead_to_cash?lang=en&{filterbar.P_L2C_SHOW}=orders&{filterbar.P_L2C_WAIT}=booked_not_shipped"
    page = browser.new_context(viewport=DESKTOP, device_scale_factor=1).new_page()
    try:
        page.goto(link)
        login(page, "ceo")  # a new browser session: the built-in sign-in first, then the page the link asked for
        page.wait_for_function("(t) => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t",
                               arg=t("ltc.title", "en"), timeout=60_000)
        wait_ready(page)
        page.wait_for_selector("[data-testid='stExpander']", timeout=60_000)
        assert page.locator(EXCEPTION).count() == 0
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        # Restored from the link: the chart shows order counts, and the orders listed are those not shipped.
        show = page.locator("[data-testid='stButtonGroup']").filter(has_text=t("ltc.show.orders", "en")).first
        expect(show.locator("button[aria-checked='true'], button[kind$='Active']").first).to_have_text(t("ltc.show.orders", "en"))
        box = page.locator("[data-testid='stSelectbox']").filter(has_text=t("ltc.records_step", "en")).last.locator("input")
        wanted = waiting_counts["booked_not_shipped"]
        assert box.input_value() == f"{t('ltc.pick.booked_not_shipped', 'en')} · {wanted:,}"
        _records_grid(page, wanted)
        query = parse_qs(urlparse(page.url).query)
        assert query[filterbar.P_L2C_WAIT] == ["booked_not_shipped"] and query[filterbar.P_L2C_SHOW] == ["orders"]

        # Picking the past-due invoices (the default) lists them and takes the choice out of the link.
        box.click()
        page.keyboard.type(t("ltc.pick.past_due", "en"))  # the select filters its options as one types
        page.keyboard.press("Enter")
        page.wait_for_function("(e) => e.value.startsWith('Invoiced, past due ·')", arg=box.element_handle(), timeout=30_000)
        wait_ready(page)
        assert page.locator(EXCEPTION).count() == 0
        _records_grid(page, waiting_counts["past_due"])
        page.wait_for_function("(p) => !location.search.includes(p)", arg=f"{filterbar.P_L2C_WAIT}=", timeout=30_000)
        assert filterbar.P_L2C_SHOW in urlparse(page.url).query  # the other control is kept
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "lead_to_cash-link-desktop-en.png"))
    finally:
        page.context.close()
