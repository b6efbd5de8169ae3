"""The Service and delivery page in a real browser (Debian's Chromium through Playwright): it renders without an error
on a desktop and a phone, in English and Chinese, its complaint-rate card shows what the metric computes, and
screenshots are kept for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from data_layer.filters import Filters, preset_period
from metrics.base import result
from metrics.registry import REGISTRY
from tests.browser import SCREENSHOTS, demo_context, login, wait_ready
from ui import format as fmt
from ui.i18n import t

EXCEPTION = "[data-testid='stException']"
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def complaint_rate(browser_crm_url: str) -> float | None:
    with demo_context(browser_crm_url) as (ctx, cal):
        return result(REGISTRY["complaint_rate"], ctx, Filters(preset_period("qtd", ctx.as_of, cal))).value  # type: ignore[return-value]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", ["desktop", "phone"])
def test_the_page_renders_and_shows_the_metric(browser: Browser, server: str, complaint_rate: float | None, view: str, lang: str) -> None:
    page = browser.new_context(viewport=VIEWPORTS[view], device_scale_factor=1).new_page()
    try:
        page.goto(f"{server}/service?lang={lang}")
        login(page, "ceo")
        page.wait_for_function("(t) => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t",
                               arg=t("svc.title", lang), timeout=60_000)
        wait_ready(page)
        page.wait_for_selector("[data-testid='stExpander']", timeout=60_000)
        assert page.locator(EXCEPTION).count() == 0
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        card = page.locator("[data-testid='stMetric']").filter(has_text=REGISTRY["complaint_rate"].label[lang]).first
        assert fmt.percent(complaint_rate, lang) in card.inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"service-{view}-{lang}.png"), full_page=True)
    finally:
        page.context.close()
