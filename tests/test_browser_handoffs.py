"""The Hand-offs page in a real browser (Debian's Chromium through Playwright): a response limit in a copied
link is restored and a new one written back to the address bar, and picking a rep lists the leads that breached and
puts the pick in the link, which reopens on the same rep."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from data_layer.dimensions import rep_names_by_code
from data_layer.filters import Filters, preset_period
from metrics.handoffs import breach_records, response_times
from tests.browser import SCREENSHOTS, demo_context, login, wait_ready
from ui.i18n import t

DESKTOP = {"width": 1366, "height": 768}
EXCEPTION = "[data-testid='stException']"


def _open(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport=DESKTOP, device_scale_factor=1).new_page()
    page.goto(url)
    login(page, "ceo")
    page.wait_for_function("(t) => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t", arg=t("hand.title", "en"), timeout=60_000)
    wait_ready(page)
    page.wait_for_selector("[data-testid='stExpander']", timeout=60_000)  # the definitions close the page
    return page


def test_a_limit_in_a_link_is_restored_and_a_new_one_written_back(browser: Browser, server: str) -> None:
    page = _open(browser, f"{server}/handoffs?lang=en&response_limit=48")
    try:
        box = page.locator("[data-testid='stNumberInput']").filter(has_text=t("hand.limit", "en")).locator("input")
        assert box.input_value() == "48"
        card = page.locator("[data-testid='stMetricLabel']").first
        expect(card).to_contain_text("(48 h)")
        assert "response_limit=48" in page.url
        box.fill("12")
        box.press("Enter")
        expect(card).to_contain_text("(12 h)", timeout=30_000)
        wait_ready(page)
        page.wait_for_function("() => location.search.includes('response_limit=12')", timeout=30_000)
        assert page.locator(EXCEPTION).count() == 0
        assert t("hand.limit_caption", "en", limit="12 h") in page.inner_text("body")
    finally:
        page.context.close()


def _worst_rep(url: str) -> tuple[str, str, int]:
    """The code and name of the rep with the most breaches this quarter (by the metrics), and their breached leads."""
    with demo_context(url) as (ctx, cal):
        flt = Filters(preset_period("qtd", ctx.as_of, cal))
        reps = response_times(ctx, flt, by="rep").dropna(subset=["group"]).sort_values(["breaches", "group"], ascending=[False, True])
        code = str(reps["group"].iloc[0])
        return code, rep_names_by_code(ctx.engine)[code], breach_records(ctx, flt, rep=code)[1]


def test_picking_a_rep_lists_the_leads_that_breached(browser: Browser, server: str, browser_crm_url: str) -> None:
    code, name, total = _worst_rep(browser_crm_url)
    assert total > 0
    page = _open(browser, f"{server}/handoffs?lang=en")
    try:
        select = page.locator("[data-testid='stSelectbox']").filter(has_text=t("hand.breached.of", "en")).locator("input")
        assert select.input_value().startswith("Everyone ·"), select.input_value()
        # Every selector shows its choice: the returned leads' default is all of them, not an empty "Choose an option".
        returned = page.locator("[data-testid='stSelectbox']").filter(has_text=t("hand.returned.show", "en")).last.locator("input")
        assert returned.input_value().startswith("All returned ·"), returned.input_value()
        select.click()
        page.keyboard.type(name)  # the select filters its options as one types
        page.keyboard.press("Enter")
        page.wait_for_function("(e) => !e.value.startsWith('Everyone')", arg=select.element_handle(), timeout=30_000)
        wait_ready(page)
        assert select.input_value() == f"{name} · {total:,}"
        grid = page.locator("[role='grid']").filter(has_text=t("hand.col.first_response", "en")).last
        grid.wait_for(state="attached", timeout=30_000)
        expect(grid).to_have_attribute("aria-rowcount", str(min(total, 200) + 1), timeout=30_000)
        assert page.locator(EXCEPTION).count() == 0
        page.wait_for_function("(c) => new URLSearchParams(location.search).get('hand_breached_of') === c", arg=f"rep:{code}", timeout=30_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "handoffs-drill-desktop-en.png"), full_page=True)
        link = page.url
    finally:
        page.context.close()
    # The copied link reopens on the same rep's breached leads.
    again = _open(browser, link)
    try:
        select = again.locator("[data-testid='stSelectbox']").filter(has_text=t("hand.breached.of", "en")).locator("input")
        assert select.input_value() == f"{name} · {total:,}"
        assert again.locator(EXCEPTION).count() == 0
    finally:
        again.context.close()
