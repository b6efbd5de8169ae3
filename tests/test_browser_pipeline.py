"""The Pipeline and forecast page in a real browser (Debian's Chromium through Playwright): a copied link restores its
close bucket and split and the deals it lists, on every grade (the default, left out of the link), with the projects
the executive watches near the top; and choosing a forecast category lists that category's deals while the link keeps
the page's controls.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from data_layer.filters import Filters, preset_period
from metrics import pipeline
from tests.browser import demo_context, SCREENSHOTS, login, wait_ready
from ui import filterbar
from ui.i18n import t

DESKTOP = {"width": 1366, "height": 768}
EXCEPTION = "[data-testid='stException']"
WATCH = "st-key-pipe_watch"  # the class Streamlit gives the "Projects you watch" container (key="pipe_watch")


@pytest.fixture(scope="module")
def deal_counts(browser_crm_url: str) -> dict[str, int]:
    """The open deals of every grade expected to close this quarter, in all and per forecast category, from the metrics."""
    with demo_context(browser_crm_url) as (ctx, cal):
        ahead = pipeline.forecast_period(ctx, Filters(preset_period("qtd", ctx.as_of, cal)))
        counts = {"all": int(pipeline.weighted_pipeline(ctx, ahead)["deals"].iloc[0])}
        counts["watch"] = pipeline.pipeline_records(ctx, ahead, grade=pipeline.viewer_grade(ctx, ["company", "region", "office"]), limit=1)[1]
        cats = pipeline.forecast_categories(ctx, ahead)
        counts |= {str(c): int(n) for c, n in zip(cats["category"], cats["deals"], strict=True)}
    return counts


def _grid(page: Page, index: int, total: int) -> None:
    """The ``index``-th grid of open deals behind a figure ("Projects you watch" left out) holds a header row and the
    first (at most 200) of ``total`` deals."""
    outside = f"xpath=//*[@role='grid'][not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' {WATCH} ')])]"
    grid = page.locator(outside).filter(has_text=t("pipe.expected_close", "en")).nth(index)
    grid.wait_for(state="attached", timeout=30_000)  # the grid's accessible table is hidden
    expect(grid).to_have_attribute("aria-rowcount", str(min(total, 200) + 1), timeout=30_000)


def test_a_link_restores_the_controls_and_a_category_lists_its_deals(browser: Browser, server: str, deal_counts: dict[str, int]) -> None:
    link = f"{server}/pipeline?lang=en&{filterbar.P_PIPE_CLOSE}=week&{filterbar.P_PIPE_BY}=product"
    page = browser.new_context(viewport=DESKTOP, device_scale_factor=1).new_page()
    try:
        page.goto(link)
        login(page, "ceo")  # a new browser session: the built-in sign-in first, then the page the link asked for
        page.wait_for_function("(t) => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === t",
                               arg=t("pipe.title", "en"), timeout=60_000)
        wait_ready(page)
        page.wait_for_selector("[data-testid='stExpander']", timeout=60_000)
        assert page.locator(EXCEPTION).count() == 0
        assert page.locator("[data-testid='stAlertContentError']").count() == 0
        # Restored from the link: by week, split by product, on every grade (the default); the deals behind every bar are listed.
        grade = page.locator("[data-testid='stSelectbox']").filter(has_text=t("pipe.grade", "en")).first.locator("input")
        assert grade.input_value() == t("pipe.grade_all", "en")
        # The executive's company-level projects, above the charts: listed, or a note that none is due.
        watch = page.locator(f".{WATCH}")
        expect(watch.locator("h3").first).to_contain_text(t("pipe.watch", "en"))
        if deal_counts["watch"]:  # the list, every deal of it (up to 200)
            expect(watch.locator("[role='grid']").first).to_have_attribute("aria-rowcount", str(min(deal_counts["watch"], 200) + 1))
        else:
            expect(watch.locator("[data-testid='stAlert']")).to_have_count(1)
            assert watch.locator("[role='grid']").count() == 0
        chart_title = page.locator("h3").filter(has_text=t("pipe.by_close", "en")).first
        assert watch.bounding_box()["y"] < chart_title.bounding_box()["y"]  # type: ignore[index]
        close = page.locator("[data-testid='stButtonGroup']").filter(has_text=t("pipe.close.week", "en")).first
        expect(close.locator("button[aria-checked='true'], button[kind$='Active']").first).to_have_text(t("pipe.close.week", "en"))
        by = page.locator("[data-testid='stButtonGroup']").filter(has_text=t("pipe.by.bu", "en")).first
        expect(by.locator("button[aria-checked='true'], button[kind$='Active']").first).to_have_text(t("pipe.by.product", "en"))
        assert deal_counts["all"] > 0
        _grid(page, 0, deal_counts["all"])

        # Choosing the best-case deals lists them; the link keeps the page's controls.
        box = page.locator("[data-testid='stSelectbox']").filter(has_text=t("pipe.drill_category", "en")).last.locator("input")
        box.click()
        page.keyboard.type(t("pipe.cat.best_case", "en"))  # the select filters its options as one types
        page.keyboard.press("Enter")
        page.wait_for_function("(e) => e.value.startsWith('Best case ·')", arg=box.element_handle(), timeout=30_000)
        wait_ready(page)
        assert page.locator(EXCEPTION).count() == 0
        assert box.input_value() == f"{t('pipe.cat.best_case', 'en')} · {deal_counts['best_case']:,}"
        _grid(page, 1, deal_counts["best_case"])
        query = parse_qs(urlparse(page.url).query)
        assert filterbar.P_GRADE not in query and query[filterbar.P_PIPE_CLOSE] == ["week"] and query[filterbar.P_PIPE_BY] == ["product"]
        assert query[filterbar.P_PIPE_CATEGORY] == ["best_case"]  # the pick too: a copied link lists the same deals
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "pipeline-link-desktop-en.png"))
    finally:
        page.context.close()
