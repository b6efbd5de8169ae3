"""Identity: who this session is — st.login (OpenID Connect) when ``[auth]`` is in secrets, else
the built-in sign-in form against the users file — with every attempt in the sign-in audit.

app.py calls :func:`sign_in_gate` before anything reads the CRM: it returns the signed-in
:class:`Identity`, or draws the sign-in page and stops the run. Entitlements (what the identity
may see) are :mod:`data_layer.access`'s; :func:`not_entitled` is the notice for someone who may
sign in but is entitled to nothing.

The built-in sign-in lives in the session: a reload of the browser tab signs out. st.login's
identity lives in a cookie (30 days) and survives reloads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from data_layer.access import AccessFileError, Entitlements, Users, authenticate, load_entitlements, load_users, normalise_user
from data_layer.app_store import record_sign_in
from data_layer.config import AccessSettings, load_access_settings
from data_layer.filters import OrgTree, Role
from ui import cache
from ui.format import md_escape
from ui.i18n import LANG_KEY, t

log = logging.getLogger("granary.auth")

IDENTITY_KEY = "granary.identity"
#: Set once the audit holds this session's not-entitled refusal, so reruns do not repeat it.
REFUSED_KEY = "granary.refused"
FORM_KEY = "granary.sign_in"
USER_FIELD = "granary.sign_in.user"
PASSWORD_FIELD = "granary.sign_in.password"
#: Why the last sign-in failed, from the form's callback to the run that shows it.
OUTCOME_KEY = "granary.sign_in.outcome"

OIDC = "oidc"
PASSWORD = "password"

@dataclass(frozen=True)
class Identity:
    """Who signed in: the normalised user name or e-mail (the key of the entitlements file),
    a name to show, and how (``password`` or ``oidc``)."""

    user: str
    name: str
    method: str


# --- Configuration and resources ----------------------------------------------------------------


def _auth_section() -> Mapping[str, Any]:
    """``[auth]`` from st.secrets (what st.login reads), or {} when there is none."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets file at all (StreamlitSecretNotFoundError is one)
        return {}
    return section if isinstance(section, Mapping) else {}


def oidc_configured() -> bool:
    """True when ``[auth]`` is in secrets: sign-in goes through st.login, not the users file."""
    return bool(_auth_section())


def oidc_providers() -> list[str]:
    """The named providers (``[auth.NAME]`` tables); [] when ``[auth]`` itself is the provider."""
    section = _auth_section()
    return [] if "client_id" in section else [name for name, value in section.items() if isinstance(value, Mapping)]


@st.cache_data(ttl=timedelta(minutes=5), max_entries=8, show_spinner=False)
def _users(path: str, mtime_ns: int) -> Users:
    del mtime_ns  # part of the cache key only: an edited file is read again
    return load_users(Path(path))


def _modified(path: Path) -> int:
    """The file's modification time, part of its cache key so that an edited file is read again.

    Raises:
        AccessFileError: the file does not exist.
    """
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        raise AccessFileError(str(path), ["the file does not exist"]) from None


def users_from(path: Path) -> Users:
    """The users file, read again whenever it changes.

    Raises:
        AccessFileError: it is missing, not TOML or wrong.
    """
    return _users(str(path), _modified(path))


def users_or_stop(path: Path | None) -> Users | None:
    """The users file at ``path`` (None when there is none), or a notice and ``st.stop()`` when
    it is wrong. The problems go to the server log, not to a visitor who has not signed in:
    they name users."""
    if path is None:
        return None
    try:
        return users_from(path)
    except AccessFileError as exc:
        log.error("%s", exc)
        st.error(t("auth.bad_file"), icon=":material/error:")
        st.stop()
        raise AssertionError("unreachable") from exc


def access_or_stop() -> AccessSettings:
    """The sign-in settings (data_layer.config.load_access_settings), or a notice and ``st.stop()``
    when they are wrong (a negative count, a non-number)."""
    try:
        return load_access_settings()
    except (ValueError, TypeError) as exc:
        log.error("sign-in settings are wrong: %s", exc)
        st.error(t("auth.bad_file"), icon=":material/error:")
        st.stop()
        raise AssertionError("unreachable") from exc


def audit_or_stop(crm_url: str) -> Engine:
    """Granary's own database, where every sign-in is recorded (never the CRM's) — or, when it
    cannot be opened, a notice and ``st.stop()``: no one signs in unrecorded."""
    try:
        make_url(crm_url)
    except Exception:  # noqa: BLE001 - a malformed CRM URL is reported after sign-in; it is no one's own store
        crm_url = "sqlite://"
    try:
        return cache.app_store(crm_url)
    except Exception as exc:  # noqa: BLE001 - any failure to open it refuses sign-in; details logged
        log.error("cannot open Granary's own database for the sign-in audit: %s", type(exc).__name__, exc_info=True)
        st.error(t("auth.no_audit"), icon=":material/error:")
        st.stop()
        raise AssertionError("unreachable") from exc


@st.cache_data(ttl=timedelta(minutes=5), max_entries=8, show_spinner=False)
def _entitlements(path: str, mtime_ns: int) -> Entitlements:
    del mtime_ns  # part of the cache key only: an edited file is read again
    return load_entitlements(Path(path))


def entitlements_from(path: Path) -> Entitlements:
    """The entitlements file, read again whenever it changes.

    Raises:
        AccessFileError: it is missing, not TOML or wrong.
    """
    return _entitlements(str(path), _modified(path))


def entitlements_or_stop(path: Path | None) -> Entitlements:
    """The entitlements file at ``path`` — with none configured, no one is entitled to anything
    (every signed-in user sees the not-entitled notice) — or a notice and ``st.stop()`` when it
    is wrong. The problems go to the server log: they name users."""
    if path is None:
        log.warning("no entitlements file: set GRANARY_ENTITLEMENTS_FILE; every signed-in user is refused")
        return Entitlements((), source="(no entitlements file)")
    try:
        return entitlements_from(path)
    except AccessFileError as exc:
        log.error("%s", exc)
        st.error(t("auth.bad_entitlements"), icon=":material/error:")
        st.stop()
        raise AssertionError("unreachable") from exc


# --- The gate -----------------------------------------------------------------------------------

#: The page (its URL path) a visitor's link asked for before they signed in: opened after sign-in.
WANTED_PAGE_KEY = "granary.wanted_page"


def _remember_wanted_page() -> None:
    """Keep the page the visitor's URL names (``/units``): the sign-in form's own reruns ask for
    the app's main page, so without this a link to a page would land on the Overview."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    wanted = ctx.pages_manager.intended_page_name if ctx is not None else None
    if wanted and WANTED_PAGE_KEY not in st.session_state:
        st.session_state[WANTED_PAGE_KEY] = str(wanted)


def take_wanted_page() -> str | None:
    """The page a link asked for before sign-in, once (then forgotten)."""
    wanted = st.session_state.pop(WANTED_PAGE_KEY, None)
    return wanted if isinstance(wanted, str) else None



def current_identity() -> Identity | None:
    identity = st.session_state.get(IDENTITY_KEY)
    return identity if isinstance(identity, Identity) else None


def sign_in_gate(
    *,
    users: Users | None,
    audit: Engine,
    settings: AccessSettings,
    entitlements: Entitlements | None = None,
    org: OrgTree | None = None,
    now: Callable[[], datetime] | None = None,
) -> Identity:
    """The signed-in identity — or the sign-in page and ``st.stop()``.

    With ``[auth]`` in secrets, st.login's identity (the e-mail) is used and ``users`` is
    ignored; otherwise the built-in form checks ``users``. ``entitlements`` and ``org`` only
    describe the demo's sample users on the sign-in page.
    """
    if oidc_configured():
        return _oidc_gate(audit)
    identity = current_identity()
    if identity is not None and identity.method == PASSWORD and users is not None and users.get(identity.user) is not None:
        return identity  # still in the users file: removing someone signs them out at their next click
    st.session_state.pop(IDENTITY_KEY, None)
    _remember_wanted_page()
    _password_page(users, audit, settings, entitlements, org, now)
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _oidc_gate(audit: Engine) -> Identity:
    info = st.user.to_dict()
    if not info.get("is_logged_in"):
        st.session_state.pop(IDENTITY_KEY, None)
        st.subheader(t("auth.title"))
        st.write(t("auth.oidc_intro"))
        providers = oidc_providers()
        for provider in providers or [None]:
            label = t("auth.oidc_button", provider=provider.title() if provider else t("auth.oidc_default"))
            if st.button(label, key=f"granary.login.{provider or 'default'}", type="primary", icon=":material/login:"):
                st.login(provider)
        st.stop()
    email = info.get("email")
    if not isinstance(email, str) or not email.strip() or info.get("email_verified") is False:
        who = normalise_user(str(email or info.get("sub") or "?"))
        if st.session_state.get(REFUSED_KEY) != who:
            reason = "email_unverified" if isinstance(email, str) and email.strip() else "no_email"
            record_sign_in(audit, user=who, method=OIDC, success=False, reason=reason)
            st.session_state[REFUSED_KEY] = who
        st.error(t("auth.oidc_no_email"), icon=":material/no_accounts:")
        sign_out_button()
        st.stop()
    identity = Identity(normalise_user(email), str(info.get("name") or email), OIDC)
    known = current_identity()
    if known is None or (known.user, known.method) != (identity.user, identity.method):
        # st.user is read from the identity cookie when a session starts: one record per session.
        record_sign_in(audit, user=identity.user, method=OIDC, success=True, reason="ok")
    st.session_state[IDENTITY_KEY] = identity
    return identity


def _password_page(
    users: Users | None,
    audit: Engine,
    settings: AccessSettings,
    entitlements: Entitlements | None,
    org: OrgTree | None,
    now: Callable[[], datetime] | None,
) -> None:
    st.subheader(t("auth.title"))
    if users is None:
        st.warning(t("auth.no_users"), icon=":material/lock:")
        return
    with st.form(FORM_KEY, enter_to_submit=True):
        st.text_input(t("auth.user"), key=USER_FIELD, autocomplete="username")
        st.text_input(t("auth.password"), type="password", key=PASSWORD_FIELD, autocomplete="current-password")
        st.form_submit_button(
            t("auth.submit"), type="primary", icon=":material/login:", on_click=_submit, args=(users, audit, settings, now)
        )
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    if outcome == "blank":
        st.warning(t("auth.blank"))
    elif outcome == "locked_out":
        st.error(t("auth.locked_out", minutes=settings.lockout_minutes), icon=":material/lock_clock:")
    elif outcome is not None:
        st.error(t("auth.wrong"), icon=":material/error:")  # the same words whether the name exists or not
    if users.demo:
        _demo_users(users, entitlements, org)


def _submit(users: Users, audit: Engine, settings: AccessSettings, now: Callable[[], datetime] | None) -> None:
    """The form's callback, run before the script: check the password, then wipe it from the
    session at once (a callback may; the script may not once the widget is drawn)."""
    state = st.session_state
    user, password = str(state.get(USER_FIELD) or ""), str(state.get(PASSWORD_FIELD) or "")
    state[PASSWORD_FIELD] = ""
    if not user.strip() or not password:
        state[OUTCOME_KEY] = "blank"
        return
    result = authenticate(users, user, password, audit=audit, settings=settings, now=now() if now else datetime.now(UTC))
    if result.account is None:
        state[OUTCOME_KEY] = result.reason
        return
    state[IDENTITY_KEY] = Identity(result.account.user, result.account.name, PASSWORD)
    state.pop(REFUSED_KEY, None)
    state.pop(USER_FIELD, None)


def _demo_users(users: Users, entitlements: Entitlements | None, org: OrgTree | None) -> None:
    """The demo's sample users and their public passwords, with what each may see."""
    st.markdown(f"##### {t('auth.demo_title')}")
    st.caption(t("auth.demo_intro"))
    rows = []
    for account in users.accounts:
        if account.demo_password is None:
            continue
        row = {t("auth.user"): account.user, t("auth.password"): account.demo_password, t("auth.demo_name"): account.name}
        if entitlements is not None:
            row[t("auth.demo_access")] = _describe(entitlements, org, account.user)
        rows.append(row)
    st.dataframe(rows, hide_index=True)


def _describe(entitlements: Entitlements, org: OrgTree | None, user: str) -> str:
    e = entitlements.get(user)
    if e is None:
        return t("auth.demo_nothing")
    names = [(u.name if org and (u := org.by_code(code)) else code) for code in e.units] if e.units else [t("auth.demo_company")]
    text = f"{role_label(e.role)}: {', '.join(names)}"
    return text + (f" ({t('auth.demo_bus', bus=', '.join(e.business_units))})" if e.business_units else "")


# --- After sign-in ------------------------------------------------------------------------------


def sign_out() -> None:
    """End this session's sign-in: forget everything but the language; st.logout for OIDC."""
    identity = current_identity()
    lang = st.session_state.get(LANG_KEY)
    st.session_state.clear()
    if lang is not None:
        st.session_state[LANG_KEY] = lang
    if oidc_configured() or (identity is not None and identity.method == OIDC):
        st.logout()
        st.stop()
    else:
        st.rerun()


def sign_out_button() -> None:
    """A sign-out button (call it inside ``st.sidebar`` or wherever it belongs)."""
    if st.button(t("auth.sign_out"), key="granary.sign_out", icon=":material/logout:"):
        sign_out()


def not_entitled(identity: Identity, audit: Engine) -> NoReturn:
    """The notice for someone signed in but entitled to nothing: recorded once per session,
    then nothing else is drawn and no query runs."""
    if st.session_state.get(REFUSED_KEY) != identity.user:
        record_sign_in(audit, user=identity.user, method=identity.method, success=False, reason="not_entitled")
        st.session_state[REFUSED_KEY] = identity.user
    st.warning(t("auth.not_entitled", name=md_escape(identity.name)), icon=":material/block:")
    sign_out_button()
    st.stop()
    raise AssertionError("unreachable")


#: Each role's name in the UI.
ROLE_LABELS = {Role.EXECUTIVE: "auth.role.executive", Role.REGIONAL_HEAD: "auth.role.regional_head", Role.TEAM_LEAD: "auth.role.team_lead"}


def role_label(role: Role) -> str:
    return t(ROLE_LABELS[role])
