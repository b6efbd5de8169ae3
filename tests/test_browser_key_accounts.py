"""The Key accounts page in a real browser (Debian's Chromium through Playwright): it renders without an error on a
desktop and a phone, in English and Chinese, lists the accounts metrics/key_accounts.py ranks first, and its wall screen
(``?wall=1``) shows no sidebar; screenshots are kept for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from data_layer.filters import Filters, preset_period
from metrics.key_accounts import DEFAULT_TOP, key_accounts
from tests.browser import SCREENSHOTS, demo_context, login, wait_ready
from ui.i18n import t

EXCEPTION = "[data-testid='stException']"
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def first_account(browser_crm_url: str) -> str:
    with demo_context(browser_crm_url) as (ctx, cal):
        rows = key_accounts(ctx, Filters(preset_period("qtd", ctx.as_of, cal)), DEFAULT_TOP)
        return str(rows["account"].iloc[0])


def _open(browser: Browser, server: str, view: str, lang: str, params: str = ""):  # noqa: ANN202 - playwright Page
    page = browser.new_context(viewport=VIEWPORTS[view], device_scale_factor=1).new_page()
    page.goto(f"{server}/?lang={lang}")
    login(page, "ceo")
    page.goto(f"{server}/key_accounts?lang={lang}{params}")
    login(page, "ceo")
    wait_ready(page)
    return page


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", ["desktop", "phone"])
def test_the_page_renders(browser: Browser, server: str, first_account: str, view: str, lang: str) -> None:
    page = _open(browser, server, view, lang)
    try:
        page.wait_for_function("(t) => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t",
                               arg=t("ka.title", lang), timeout=60_000)
        page.wait_for_selector("[data-testid='stExpander']", timeout=60_000)
        wait_ready(page)
        assert page.locator(EXCEPTION).count() == 0
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        assert page.locator("[data-testid='stDataFrame']").count() == 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"key-accounts-{view}-{lang}.png"), full_page=True)
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_wall_screen_renders_large_without_a_sidebar(browser: Browser, server: str, first_account: str, lang: str) -> None:
    page = _open(browser, server, "desktop", lang, "&wall=1")
    try:
        page.wait_for_selector("[data-testid='stTable']", timeout=60_000)
        wait_ready(page)
        assert page.locator(EXCEPTION).count() == 0
        assert page.locator("[data-testid='stSidebar']:visible").count() == 0
        cell = page.locator("[data-testid='stTable'] td").filter(has_text=first_account).first
        assert float(cell.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")) >= 20  # readable across a room
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"key-accounts-wall-{lang}.png"), full_page=True)
    finally:
        page.context.close()
