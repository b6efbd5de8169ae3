"""The session's frame: connecting to the CRM (building the demo on first start), signing the
viewer in, granting pages, and the guard every page begins with.

app.py signs the visitor in (ui.auth) before anything reads the CRM, then calls
:func:`bootstrap`, :func:`sign_in` and runs the navigation inside :func:`page_run`; a page
calls ``ctx, flt = guard("overview")``. A page file reached any other way — Streamlit serves
files in ``pages/`` by URL until some session has run ``st.navigation`` — finds no grant, and
stops after a neutral message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import streamlit as st
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from data_layer.config import Settings, load_settings
from data_layer import schema
from data_layer.connection import DEMO_PATH, ConnectionProblem, Source, explain, mask, missing_name, read_frame, resolve_source
from data_layer.access import AccessFileError, Entitlements, check_entitlements, viewer_for
from data_layer.filters import Filters, NoScope, OrgTree, Role, Viewer
from metrics.base import Context
from ui import cache
from ui.format import md_escape
from ui.auth import IDENTITY_KEY, REFUSED_KEY, Identity
from ui.i18n import LANG_KEY, t

log = logging.getLogger("granary.ui")

#: Tables the pages read today; a database lacking one is refused at start with its name.
REQUIRED_TABLES = ("org_unit", "business_unit", "product", "account", "exchange_rate", "lead", "opportunity", "sales_order")


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: its file, its menu section and title (i18n keys) and icon."""

    key: str
    path: str
    section: str
    title: str
    icon: str


PAGES: dict[str, PageSpec] = {
    "overview": PageSpec("overview", "pages/overview.py", "section.executive", "page.overview", ":material/dashboard:"),
    "units": PageSpec("units", "pages/units.py", "section.executive", "page.units", ":material/account_tree:"),
    "churn": PageSpec("churn", "pages/churn.py", "section.executive", "page.churn", ":material/group_remove:"),
    "wallet": PageSpec("wallet", "pages/wallet.py", "section.executive", "page.wallet", ":material/account_balance_wallet:"),
    "profitability": PageSpec("profitability", "pages/profitability.py", "section.executive", "page.profitability", ":material/diamond:"),
    "key_accounts": PageSpec("key_accounts", "pages/key_accounts.py", "section.executive", "page.key_accounts", ":material/star:"),
    "funnel": PageSpec("funnel", "pages/funnel.py", "section.sales", "page.funnel", ":material/filter_alt:"),
    "sales_cycle": PageSpec("sales_cycle", "pages/sales_cycle.py", "section.sales", "page.sales_cycle", ":material/timer:"),
    "lead_to_cash": PageSpec("lead_to_cash", "pages/lead_to_cash.py", "section.operations", "page.lead_to_cash", ":material/local_shipping:"),
    "pipeline": PageSpec("pipeline", "pages/pipeline.py", "section.operations", "page.pipeline", ":material/stacked_line_chart:"),
    "marketing": PageSpec("marketing", "pages/marketing.py", "section.operations", "page.marketing", ":material/campaign:"),
    "handoffs": PageSpec("handoffs", "pages/handoffs.py", "section.operations", "page.handoffs", ":material/handshake:"),
    "service": PageSpec("service", "pages/service.py", "section.operations", "page.service", ":material/support_agent:"),
    "targets": PageSpec("targets", "pages/targets.py", "section.incentives", "page.targets", ":material/flag:"),
    "incentives": PageSpec("incentives", "pages/incentives.py", "section.incentives", "page.incentives", ":material/payments:"),
    "health": PageSpec("health", "pages/health.py", "section.data", "page.health", ":material/health_and_safety:"),
}

#: Which pages each role may open, each scoped to the role's units (the entitlements file's
#: ``[pages]`` may narrow or change this per role). A page not listed for a role is not
#: registered in its sessions at all.
ROLE_PAGES: dict[Role, tuple[str, ...]] = {
    Role.EXECUTIVE: (
        "overview", "units", "churn", "wallet", "profitability", "key_accounts", "funnel", "sales_cycle", "lead_to_cash", "pipeline", "marketing", "handoffs",
        "service", "targets", "incentives", "health",
    ),
    Role.REGIONAL_HEAD: (
        "overview", "units", "churn", "wallet", "profitability", "key_accounts", "funnel", "sales_cycle", "lead_to_cash", "pipeline", "marketing", "handoffs",
        "service", "targets", "incentives", "health",
    ),
    Role.TEAM_LEAD: (
        "overview", "units", "churn", "wallet", "profitability", "key_accounts", "funnel", "sales_cycle", "lead_to_cash", "pipeline", "marketing", "handoffs",
        "service", "targets", "incentives", "health",
    ),
}

VIEWER_KEY = "granary.viewer"
GRANTS_KEY = "granary.granted"
CONTEXT_KEY = "granary.context"
FILTERS_KEY = "granary.filters"
BOOT_KEY = "granary.boot"
#: What survives a change of viewer within a session: the language and who signed in.
_KEPT_ON_VIEWER_CHANGE = frozenset({LANG_KEY, IDENTITY_KEY, REFUSED_KEY, BOOT_KEY})


@dataclass(frozen=True)
class Boot:
    """What the app learned when it connected: the source, its engine and data version, and the
    lookups every page shares."""

    source: Source
    settings: Settings
    engine: Engine
    key: cache.DataKey
    org: OrgTree
    as_of: date
    #: False when the database has no records and ``as_of`` is today in the company's zone.
    as_of_known: bool
    currency: str

    @property
    def source_label(self) -> str:
        """The demo, or the masked URL — never the password."""
        return t("source.demo") if self.source.is_demo else self.source.masked

    @property
    def source_short(self) -> str:
        """The demo, or the backend and database (:attr:`data_layer.connection.Source.short`): for a page's
        heading line, which a long URL would wrap below the fold; the sidebar shows :attr:`source_label`."""
        return t("source.demo") if self.source.is_demo else self.source.short


# --- Bootstrap ----------------------------------------------------------------------------------


def _fail(message: str, *, hint: bool = True) -> None:
    """Show what is wrong (as text, not markdown) and stop the run: no traceback, no page."""
    st.error(md_escape(message), icon=":material/error:", title=t("boot.cannot_connect"))
    if hint:
        st.caption(md_escape(t("boot.hint")))
    st.stop()


def _safe(message: str, url: str) -> str:
    """``message`` with the URL's password removed, whatever produced it."""
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 - an unparseable URL has no password to hide
        password = None
    return message.replace(str(password), "***") if password else message


_DEMO_LOCK = threading.Lock()


def _build_demo(settings: Settings) -> None:
    """Build the embedded demo database (size S) once, into a temporary file renamed into place,
    so no session ever opens a half-built file."""
    try:
        from data_layer.demo import ensure_demo_file
    except ImportError:
        _fail(t("boot.demo_unavailable", path=str(DEMO_PATH)), hint=False)
    with _DEMO_LOCK:
        if DEMO_PATH.exists():
            return
        with st.status(t("boot.building_demo"), expanded=False) as status:
            try:
                # The demo's history ends today (in the company's zone), like `make demo`.
                built = ensure_demo_file(DEMO_PATH, datetime.now(settings.calendar.zone).date())
            except Exception as exc:  # noqa: BLE001 - shown to the user, logged in full
                log.exception("demo build failed")
                status.update(label=t("boot.demo_failed_short"), state="error")
                _fail(t("boot.demo_failed", detail=f"{type(exc).__name__}: {exc}"), hint=False)
            if built:
                _remember_build(settings)
            status.update(label=t("boot.demo_built"), state="complete")


def _remember_build(settings: Settings) -> None:
    """Record the build in Granary's own database; the dashboard works on without it."""
    from data_layer.app_store import open_app_store, record_demo_build

    try:
        today = datetime.now(settings.calendar.zone).date()
        record_demo_build(open_app_store(f"duckdb:///{DEMO_PATH}"), url=mask(f"duckdb:///{DEMO_PATH}"), size="S", seed=7, as_of=today, locale="en")
    except Exception:  # noqa: BLE001 - Granary's own store is not needed to show the CRM
        log.warning("could not record the demo build in Granary's own database", exc_info=True)


def bootstrap() -> Boot:
    """Connect to the CRM and read what every page needs, or show why not and stop."""
    try:
        settings = load_settings()
    except (ValueError, KeyError, OSError) as exc:
        _fail(t("boot.bad_settings", detail=str(exc)), hint=False)
    source = resolve_source()
    if source.is_demo and not DEMO_PATH.exists():
        _build_demo(settings)
    try:
        eng = cache.engine(source.url, settings, cache.file_version(source.url), source.mapping)
        # Two mappings over one database are two sources: they never share a cached result.
        key = cache.data_key(eng, source.url, source.masked + (f" via {source.mapping}" if source.mapping else ""), settings.calendar)
        lacking = sorted(cache.missing(eng, key, REQUIRED_TABLES), key=lambda entry: "." in missing_name(entry))  # tables first
        if lacking:
            _fail(t("boot.missing_schema", source=source.masked, missing=", ".join(lacking[:12]) + (" …" if len(lacking) > 12 else "")))
        tree = cache.org(eng, key)
        newest = cache.as_of(eng, key, settings.calendar)
        money = cache.currency(eng, key, settings.reporting_currency)
    except ConnectionProblem as exc:
        _fail(_safe(str(exc), source.url))
    except Exception as exc:  # noqa: BLE001 - any failure to read becomes a message, not a traceback
        log.warning("cannot read the CRM at %s: %s", mask(source.url), type(exc).__name__)
        _fail(_safe(explain(exc, source.url), source.url))
    today = datetime.now(settings.calendar.zone).date()
    boot = Boot(source, settings, eng, key, tree, newest or today, newest is not None, money)
    st.session_state[BOOT_KEY] = boot
    return boot


# --- Viewer, grants and the guard ---------------------------------------------------------------


def sign_in(identity: Identity, ent: Entitlements, org: OrgTree) -> Viewer:
    """The viewer ``identity`` is entitled to be in this organisation (data_layer.access) —
    never a default. When the viewer changes within a session (another user, or an edited
    entitlement), everything the previous one chose or was shown is forgotten first.

    Raises:
        NoScope: ``identity`` is entitled to nothing (app.py shows the notice before this).
        AccessFileError: the entitlement names a unit this organisation does not have.
    """
    viewer = viewer_for(identity.user, ent, org, display_name=identity.name)
    if viewer is None:
        raise NoScope(f"{identity.user} is entitled to no part of the organisation")
    state = st.session_state
    previous = state.get(VIEWER_KEY)
    if previous is not None and previous != viewer:
        for key in [k for k in state if k not in _KEPT_ON_VIEWER_CHANGE]:
            del state[key]
    state[VIEWER_KEY] = viewer
    return viewer


def pages_for(viewer: Viewer, ent: Entitlements) -> list[PageSpec]:
    """The pages ``viewer``'s role may open: the entitlements file's ``[pages]``, else ROLE_PAGES.
    The others are not registered for this session at all."""
    return [PAGES[key] for key in ent.pages_for(viewer.role, ROLE_PAGES) if key in PAGES]


@st.cache_data(ttl=cache.LOOKUP_TTL, max_entries=cache.LOOKUP_ENTRIES, show_spinner=False)
def _entitlement_problems(_engine: Engine, key: cache.DataKey, _org: OrgTree, ent: Entitlements) -> tuple[str, ...]:
    codes = read_frame(_engine, select(schema.business_unit.c.code))["code"]
    return tuple(check_entitlements(ent, _org, business_units=[str(c) for c in codes], pages=PAGES))


def check_entitlements_or_stop(ent: Entitlements, boot: Boot) -> None:
    """Stop with a neutral message when the entitlements file names units, business units or
    pages this CRM or app does not have; the details go to the server log (they name users)."""
    problems = _entitlement_problems(boot.engine, boot.key, boot.org, ent)
    if problems:
        log.error("%s", AccessFileError(ent.source, problems))
        st.error(t("auth.bad_entitlements"), icon=":material/error:")
        st.stop()


@contextmanager
def page_run(viewer: Viewer, ent: Entitlements, boot: Boot, flt: Filters) -> Iterator[list[PageSpec]]:
    """Around app.py's ``st.navigation(...).run()``: grants this viewer's pages and hands the
    page this run's context and filters; yields the granted pages (to build the navigation).

    The grant holds only while app.py is running the page: it is withdrawn when the page
    returns or stops. So a page file executed any other way — Streamlit runs files in
    ``pages/`` directly until some session has called st.navigation — finds no grant, even in
    a session that app.py signed in before.
    """
    pages = pages_for(viewer, ent)
    state = st.session_state
    state[GRANTS_KEY] = frozenset(p.key for p in pages)
    state[CONTEXT_KEY] = Context(boot.engine, boot.org, viewer, boot.settings.calendar, boot.currency, boot.as_of)
    state[FILTERS_KEY] = flt
    try:
        yield pages
    finally:
        for key in (GRANTS_KEY, CONTEXT_KEY, FILTERS_KEY):
            state.pop(key, None)


def open_wanted_page(current: st.Page, wanted: str | None) -> None:
    """Switch to ``wanted`` (a page's URL path, from a link opened before sign-in) when it is one
    of this viewer's pages and not the one about to run; a page not granted is never opened."""
    granted = st.session_state.get(GRANTS_KEY, frozenset())
    here = current._url_path  # noqa: SLF001 - the default page's public url_path is ""
    if wanted and wanted in granted and wanted != here:
        # The link's settings (filters, language) go along: a page switch would drop them.
        st.switch_page(PAGES[wanted].path, query_params={k: st.query_params.get_all(k) for k in st.query_params})


def guard(page: str) -> tuple[Context, Filters]:
    """First call of every page: the context and filters app.py prepared for this run — or,
    unless app.py signed this session in and is running ``page`` for a viewer granted it,
    a neutral message and ``st.stop()``."""
    state = st.session_state
    viewer = state.get(VIEWER_KEY)
    ctx = state.get(CONTEXT_KEY)
    flt = state.get(FILTERS_KEY)
    granted = state.get(GRANTS_KEY, frozenset())
    if not (isinstance(viewer, Viewer) and isinstance(ctx, Context) and isinstance(flt, Filters) and ctx.viewer == viewer and page in granted):
        # On a fresh server Streamlit lists every file of pages/ in the sidebar beside this message: hidden,
        # so a visitor learns not even which pages exist (the option that would hide it also hides st.navigation's menu).
        st.html("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'] { display: none; }</style>")
        st.info(f"{t('guard.open_home', 'en')}  \n{t('guard.open_home', 'zh')}")
        st.stop()
    return ctx, flt


def pages_folder_mode() -> bool:
    """True while Streamlit still treats ``pages/`` as the old pages folder — until the first
    session since the server started has called st.navigation. Widgets created in such a run
    get other ids than in every later run, so the user's first click would be lost: app.py
    reruns once, at once, when this was true at its start."""
    from streamlit.runtime.pages_manager import PagesManager

    return bool(PagesManager.uses_pages_directory)


def current_boot() -> Boot:
    """The connection facts of this run (set by app.py before the page runs)."""
    return st.session_state[BOOT_KEY]

