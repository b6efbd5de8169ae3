"""The app in a real browser (Debian's Chromium through Playwright): it renders without an
exception, shows the metrics' figures, switches language, fits a desktop and a phone screen,
and a page's own URL shows nothing on a server no one has opened yet.

Access control: every session signs in through the built-in form (tests/browser.py ``login``);
an unentitled visitor sees nothing of any page, on a fresh server and after; one pass per role
opens every page and finds no other region's units; HTML in a CRM name stays text.

Screenshots go to test-artifacts/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.dimensions import data_as_of, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Role, preset_period
from metrics.base import Context, compare
from metrics.registry import HEADLINE, REGISTRY
from tests.browser import SCREENSHOTS, login, streamlit_server, wait_ready
from tests.conftest import BROWSER_AS_OF
from ui import format as fmt
from ui.i18n import t
from ui.session import ROLE_PAGES

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
AS_OF = BROWSER_AS_OF
METRIC_VALUE = "[data-testid='stMetricValue']"
METRIC_LABEL = "[data-testid='stMetricLabel']"
EXCEPTION = "[data-testid='stException']"
#: Each KPI card's box (the bordered container around a metric) and its text.
CARDS_JS = """() => [...document.querySelectorAll("[data-testid=stMetric]")].map(m => {
    const card = m.closest("[data-testid=stLayoutWrapper]"); const r = card.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, right: r.right, text: card.innerText}; })"""


@pytest.fixture(scope="module")
def crm_url(browser_crm_url: str) -> str:
    """The demo CRM (build_demo S as of AS_OF) the shared browser server reads (tests/conftest.py)."""
    return browser_crm_url


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


def _open(browser: Browser, url: str, viewport: dict[str, int], *, kpis: bool = True, user: str | None = "ceo") -> Page:
    """A new browser session at ``url``, signed in as the demo's ``user`` (None: not signed in),
    once its run has finished (and, with ``kpis``, the cards are drawn: a server's very first run
    reruns itself once, so "not running" alone may come too early)."""
    page = browser.new_context(viewport=viewport, device_scale_factor=1).new_page()
    page.goto(url)
    if user is not None:
        login(page, user)
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
        # The KPI cards are the first screen: all seven whole cards (comparisons and the revenue target
        # included), not only their figures, inside the first 1366 × 768 without scrolling.
        cards = page.evaluate(CARDS_JS)
        assert len(cards) == len(HEADLINE)
        for card in cards:
            assert 0 <= card["top"] and card["bottom"] <= DESKTOP["height"] and card["right"] <= DESKTOP["width"], card
        assert t("kpi.target_attained", "en", share="").strip() in cards[0]["text"], cards[0]  # revenue stands against its target
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
        cards = page.evaluate(CARDS_JS)  # Chinese labels and figures fit the first screen too
        assert len(cards) == len(HEADLINE) and all(c["bottom"] <= DESKTOP["height"] for c in cards), cards
        assert t("kpi.target_attained", "zh", share="").strip() in cards[0]["text"], cards[0]
        # Every page the executive may open is in the menu, in Chinese — no English "View N more" folding some away.
        from ui.session import PAGES, ROLE_PAGES

        menu = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "View" not in menu and all(t(PAGES[key].title, "zh") in menu for key in ROLE_PAGES[Role.EXECUTIVE]), menu
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
            page = _open(browser, f"{fresh}/{Path(spec.path).stem}", DESKTOP, kpis=False, user=None)
            try:
                assert page.locator(EXCEPTION).count() == 0, key
                page.wait_for_selector("[data-testid='stAlert']")
                body = page.inner_text("body")
                assert t("guard.open_home", "en") in body, key
                assert not page.locator("[data-testid='stSidebarNav']").is_visible(), key  # not even the list of pages
                assert "incentives" not in body.lower(), key
                assert page.locator(METRIC_VALUE).count() == 0, key
                assert page.locator("[data-testid='stDataFrame']").count() == 0, key
                assert page.locator("[data-testid='stVegaLiteChart']").count() == 0, key
                assert not [figure for figure in expected["en"].values() if figure in body], key
                if key == "overview":
                    _shoot(page, "overview-direct-url")
            finally:
                page.context.close()


def _shows_nothing(page: Page, where: str, expected: dict[str, dict[str, str]], *, sign_in_page: bool = False) -> str:
    """No figure, table or chart on the page (on the demo's sign-in page, only its table of sample
    users); returns its text."""
    assert page.locator(EXCEPTION).count() == 0, where
    body = page.inner_text("body")
    assert page.locator(METRIC_VALUE).count() == 0, where
    assert page.locator("[data-testid='stDataFrame']").count() == (1 if sign_in_page else 0), where
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 0, where
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0, where
    assert not [figure for figure in expected["en"].values() if figure in body], where
    return body


def test_an_unentitled_visitor_sees_nothing_of_any_page_on_a_fresh_server(
    browser: Browser, crm_url: str, expected: dict[str, dict[str, str]]
) -> None:
    from ui.session import PAGES

    not_entitled = t("auth.not_entitled", "en", name="Sam Taylor")
    with streamlit_server(crm_url) as fresh:
        # Signed in but entitled to nothing: the notice, and nothing else.
        page = _open(browser, fresh, DESKTOP, kpis=False, user="visitor")
        try:
            page.wait_for_selector("[data-testid='stAlert']")
            assert not_entitled in _shows_nothing(page, "home", expected)
            assert page.locator("h1").count() == 0
            # The same visitor opening each page by its URL: a new session, on a server still in its
            # pages-folder mode (no one has been let in): the guard's message only.
            for key, spec in PAGES.items():
                page.goto(f"{fresh}/{Path(spec.path).stem}")
                wait_ready(page)
                page.wait_for_selector("[data-testid='stAlert']")
                assert t("guard.open_home", "en") in _shows_nothing(page, key, expected), key
        finally:
            page.context.close()
        # Once someone has been let in (the server has left that mode), each page's URL asks the
        # visitor to sign in, and then shows the notice — never the page.
        _open(browser, fresh, DESKTOP, user="ceo").context.close()
        for key in PAGES:
            page = _open(browser, f"{fresh}/{key}", DESKTOP, kpis=False, user=None)
            try:
                assert page.locator("[data-testid='stForm'] input[type='password']").count() == 1, key
                assert t("auth.demo_title", "en") in _shows_nothing(page, key, expected, sign_in_page=True), key
                login(page, "visitor")
                page.wait_for_selector("[data-testid='stAlert']")
                assert not_entitled in _shows_nothing(page, key, expected), key
                assert page.locator("h1").count() == 0, key
                if key == "units":
                    _shoot(page, "not-entitled-units")
            finally:
                page.context.close()


#: Each demo role's user, the unit they see (None: the company) and the pages they are granted.
ROLES = {
    "ceo": (None, ROLE_PAGES[Role.EXECUTIVE]),
    "head.east": ("CN-E", ROLE_PAGES[Role.REGIONAL_HEAD]),
    "head.north": ("CN-N", ROLE_PAGES[Role.REGIONAL_HEAD]),
    "lead.shanghai": ("CN-E-SH-T1", ("overview", "units", "funnel", "sales_cycle", "pipeline", "handoffs", "targets", "incentives", "health")),
}
TITLES = {"overview": "overview.title", "units": "units.title", "churn": "churn.title", "wallet": "wallet.title",
          "funnel": "funnel.title", "sales_cycle": "cycle.title", "lead_to_cash": "ltc.title", "pipeline": "pipe.title",
          "marketing": "mkt.title", "handoffs": "hand.title", "targets": "targets.title", "incentives": "incentives.title",
          "health": "health.title", "profitability": "profit.title", "key_accounts": "ka.title", "service": "svc.title"}


@pytest.mark.parametrize("user", list(ROLES))
def test_one_pass_per_role(browser: Browser, server: str, crm_url: str, user: str) -> None:
    """Sign in through the form, open every granted page: no exception, and for a regional head or
    team lead no other region's unit names anywhere (the tables' accessible text included)."""
    from ui.session import PAGES

    unit, pages = ROLES[user]
    engine = make_engine(crm_url)
    try:
        org = load_org(engine)
    finally:
        engine.dispose()
    allowed = {u.name for u in org.units}
    if unit is not None:
        inside = org.subtree_ids(unit)
        allowed = {u.name for u in org.units if u.unit_id in inside} | {u.name for u in org.path(unit)}
    forbidden = [u.name for u in org.units if u.name not in allowed and not any(u.name in ok for ok in allowed)]
    for key in PAGES:
        page = _open(browser, f"{server}/{key}", DESKTOP, kpis=False, user=user)
        try:
            wait_ready(page)
            title = page.locator("h1").first.inner_text().strip()
            assert page.locator(EXCEPTION).count() == 0, (user, key)
            if key in pages:
                assert title == t(TITLES[key], "en"), (user, key, title)
            else:  # not registered for this role: never that page
                assert title != t(TITLES[key], "en"), (user, key)
            app_text = page.locator("[data-testid='stApp']").text_content() or ""
            leaked = [name for name in forbidden if name in app_text]
            assert not leaked, (user, key, leaked[:5])
            _shoot(page, f"role-{user}-{key}")
        finally:
            page.context.close()


HOSTILE = '<script>alert("granary")</script><img src=x onerror=alert(1)><b>Acme {id}</b>'


def test_html_in_an_account_name_is_plain_text_in_the_browser(browser: Browser, crm_url: str, tmp_path: Path) -> None:
    import shutil

    import duckdb

    hostile = tmp_path / "hostile.duckdb"
    shutil.copy(crm_url.removeprefix("duckdb:///"), hostile)
    with duckdb.connect(str(hostile)) as conn:
        conn.execute("UPDATE account SET name = replace(?, '{id}', CAST(account_id AS VARCHAR))", [HOSTILE])
    dialogs: list[str] = []
    with streamlit_server(f"duckdb:///{hostile}") as base:
        page = browser.new_context(viewport=DESKTOP, device_scale_factor=1).new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            page.goto(f"{base}/wallet?period=last_12_months")  # a fresh server: sign in at the root first
            wait_ready(page)
            page.goto(f"{base}/?period=last_12_months")
            login(page, "ceo")
            page.wait_for_selector(METRIC_VALUE, timeout=60_000)
            page.goto(f"{base}/wallet?period=last_12_months")  # now a link to the page asks for sign-in, then opens it
            login(page, "ceo")
            page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').innerText.trim() === 'Share of wallet'", timeout=60_000)
            wait_ready(page)
            grid = page.locator("[role='grid']").filter(has_text='<script>alert("granary")</script>')
            grid.first.wait_for(state="attached", timeout=30_000)  # the name, verbatim, as text in the table
            assert page.locator(EXCEPTION).count() == 0
            injected = page.evaluate("""() => ({
                scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('granary')).length,
                bold: [...document.querySelectorAll('b')].filter(b => b.textContent.startsWith('Acme')).length,
                images: document.querySelectorAll("img[src='x']").length })""")
            assert injected == {"scripts": 0, "bold": 0, "images": 0}
            page.wait_for_timeout(500)  # an onerror handler would have fired by now
            assert dialogs == []
            _shoot(page, "wallet-hostile-names")
        finally:
            page.context.close()
