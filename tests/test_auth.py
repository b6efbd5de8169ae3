"""Sign-in: password checks, the audit in Granary's own database, lock-out, and the sign-in page
(built-in form and st.login) in AppTest."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from data_layer import access
from data_layer.access import authenticate, load_users, parse_users, verify_password
from data_layer.app_store import failures_since, open_app_store, recent_sign_ins, record_sign_in, sign_in
from data_layer.config import AccessSettings

USERS = load_users(access.DEMO_USERS_FILE)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def audit() -> Engine:
    """Granary's own database as the test session configures it (GRANARY_APP_DATABASE_URL)."""
    assert os.environ["GRANARY_APP_DATABASE_URL"].startswith("sqlite:///")
    return open_app_store("duckdb:///no-crm-here.duckdb")


def unique(prefix: str = "u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# --- Passwords -----------------------------------------------------------------------------------


def test_right_wrong_and_unknown():
    ceo = USERS.get("ceo")
    assert verify_password(USERS, "ceo", "granary-ceo") == ceo
    assert verify_password(USERS, " CEO ", "granary-ceo") == ceo  # the name, not the password, is forgiving
    assert verify_password(USERS, "ceo", "Granary-ceo") is None
    assert verify_password(USERS, "ceo", "") is None
    assert verify_password(USERS, "nobody", "granary-ceo") is None


def test_an_unknown_user_costs_the_same_library_verification(monkeypatch):
    calls: list[str] = []
    real = PasswordHasher.verify

    def counting(self: PasswordHasher, hashed: str, password: str) -> bool:
        calls.append(hashed.split("$")[1])
        return real(self, hashed, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    verify_password(USERS, "ceo", "wrong")
    verify_password(USERS, "nobody", "wrong")
    assert calls == ["argon2id", "argon2id"]  # same algorithm (and parameters) either way


def test_a_damaged_hash_refuses_instead_of_failing():
    users = parse_users({"users": {"ann": {"password_hash": "$argon2id$v=19$m=65536,t=3,p=4$broken"}}})
    assert verify_password(users, "ann", "anything at all") is None


# --- The audit and lock-out ----------------------------------------------------------------------


def test_every_attempt_is_recorded_without_the_password(audit):
    settings = AccessSettings(max_failures=0)
    users = parse_users({"users": {(name := unique()): {"password_hash": USERS.get("ceo").password_hash}}})
    assert authenticate(users, name.upper(), "granary-ceo", audit=audit, settings=settings, now=T0).ok
    assert (
        authenticate(users, name, "wrong password", audit=audit, settings=settings, now=T0 + timedelta(seconds=1)).reason
        == "wrong_password"
    )
    ghost = unique("ghost")
    assert authenticate(users, ghost, "granary-ceo", audit=audit, settings=settings, now=T0).reason == "unknown_user"
    rows = recent_sign_ins(audit, user=name)
    assert [(r.success, r.reason, r.method) for r in rows] == [(False, "wrong_password", "password"), (True, "ok", "password")]
    assert rows[1].at == T0.replace(tzinfo=None)  # stored as naive UTC
    assert [r.reason for r in recent_sign_ins(audit, user=ghost)] == ["unknown_user"]
    with audit.connect() as conn:
        stored = [tuple(map(str, row)) for row in conn.execute(select(sign_in))]
    assert not any("granary-ceo" in value or "wrong password" in value for row in stored for value in row)


def test_lock_out_after_repeated_failures_then_release(audit):
    settings = AccessSettings(max_failures=3, lockout_minutes=15)
    name = unique()
    users = parse_users({"users": {name: {"password_hash": USERS.get("ceo").password_hash}}})
    for i in range(3):
        assert (
            authenticate(users, name, f"guess {i}", audit=audit, settings=settings, now=T0 + timedelta(minutes=i)).reason
            == "wrong_password"
        )
    # The right password is refused too while locked, and unchecked.
    assert (
        authenticate(users, name, "granary-ceo", audit=audit, settings=settings, now=T0 + timedelta(minutes=5)).reason
        == "locked_out"
    )
    # Once the window has passed the oldest failures, the right password works and resets the count.
    assert authenticate(users, name, "granary-ceo", audit=audit, settings=settings, now=T0 + timedelta(minutes=17)).ok
    assert failures_since(audit, name, T0) == 0
    assert (
        authenticate(users, name, "guess again", audit=audit, settings=settings, now=T0 + timedelta(minutes=18)).reason
        == "wrong_password"
    )
    assert failures_since(audit, name, T0) == 1


def test_unknown_names_lock_out_alike(audit):
    settings = AccessSettings(max_failures=2, lockout_minutes=15)
    ghost = unique("ghost")
    reasons = [
        authenticate(USERS, ghost, "x", audit=audit, settings=settings, now=T0 + timedelta(seconds=i)).reason for i in range(3)
    ]
    assert reasons == ["unknown_user", "unknown_user", "locked_out"]


def test_recent_sign_ins_newest_first_and_refusals_after_sign_in_do_not_lock(audit):
    name = unique()
    record_sign_in(audit, user=name, method="oidc", success=True, reason="ok", at=T0)
    record_sign_in(audit, user=name, method="oidc", success=False, reason="not_entitled", at=T0 + timedelta(seconds=1))
    record_sign_in(audit, user=name, method="password", success=False, reason="wrong_password", at=T0 - timedelta(hours=1))
    assert [r.reason for r in recent_sign_ins(audit, user=name)] == ["not_entitled", "ok", "wrong_password"]
    assert failures_since(audit, name, T0 - timedelta(days=1)) == 0  # the guess came before the success
    assert len(recent_sign_ins(audit, limit=2)) == 2


# --- The sign-in page in AppTest -----------------------------------------------------------------


def password_app(users_file: str, audit_url: str, max_failures: int = 5) -> None:
    from pathlib import Path

    import streamlit as st
    from sqlalchemy import create_engine

    from data_layer.access import load_entitlements, load_users
    from data_layer.config import AccessSettings
    from ui import auth

    identity = auth.sign_in_gate(
        users=load_users(Path(users_file)),
        audit=create_engine(audit_url),
        settings=AccessSettings(max_failures=max_failures),
        entitlements=load_entitlements(Path(users_file).with_name("demo-entitlements.toml")),
    )
    st.write(f"signed in as {identity.user} via {identity.method}")
    auth.sign_out_button()


def oidc_app(audit_url: str) -> None:
    import streamlit as st
    from sqlalchemy import create_engine

    from data_layer.config import AccessSettings
    from ui import auth

    audit = create_engine(audit_url)
    identity = auth.sign_in_gate(users=None, audit=audit, settings=AccessSettings())
    if identity.user != "ceo@example.com":
        auth.not_entitled(identity, audit)
    st.write(f"signed in as {identity.user} via {identity.method}")
    auth.sign_out_button()


def written(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def submit(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key="granary.sign_in.user").input(user)
    at.text_input(key="granary.sign_in.password").input(password)
    return at.button[0].click().run()


@pytest.fixture
def form(audit) -> AppTest:
    at = AppTest.from_function(
        password_app,
        default_timeout=30,
        kwargs={"users_file": str(access.DEMO_USERS_FILE), "audit_url": os.environ["GRANARY_APP_DATABASE_URL"]},
    )
    return at.run()


def test_the_form_shows_first_and_nothing_else(form):
    assert not form.exception
    assert [w.label for w in form.text_input] == ["User name", "Password"]
    assert form.text_input[1].proto.type == form.text_input[1].proto.PASSWORD
    assert not any("signed in as" in m for m in written(form))
    demo = form.dataframe[0].value  # the demo's sample users with their public passwords
    assert list(demo["User name"]) == [a.user for a in USERS.accounts]
    assert dict(zip(demo["User name"], demo["Password"], strict=True))["head.east"] == "granary-east"
    assert dict(zip(demo["User name"], demo["Sees"], strict=True))["visitor"] == "nothing (not entitled)"


def test_wrong_then_right_password_then_sign_out(form, audit):
    at = submit(form, "head.east", "nope")
    assert [e.value for e in at.error] == ["Wrong user name or password."]
    assert at.text_input(key="granary.sign_in.password").value == ""  # not kept in the session
    assert not any("signed in as" in m for m in written(at))
    at = submit(at, "nobody-" + uuid.uuid4().hex[:6], "nope")
    assert [e.value for e in at.error] == ["Wrong user name or password."]  # the same words for an unknown name
    at = submit(at, "Head.East", "granary-east")
    assert not at.exception
    assert "signed in as head.east via password" in written(at)
    assert not at.text_input  # the form is gone
    assert recent_sign_ins(audit, user="head.east", limit=1)[0].reason == "ok"
    at = at.button(key="granary.sign_out").click().run()
    assert [w.label for w in at.text_input] == ["User name", "Password"]
    assert not any("signed in as" in m for m in written(at))


def test_the_form_locks_a_name_out(audit):
    name = unique()
    at = AppTest.from_function(
        password_app,
        default_timeout=30,
        kwargs={
            "users_file": str(access.DEMO_USERS_FILE),
            "audit_url": os.environ["GRANARY_APP_DATABASE_URL"],
            "max_failures": 1,
        },
    ).run()
    at = submit(at, name, "nope")
    at = submit(at, name, "nope")
    assert [e.value for e in at.error] == ["Too many failed sign-ins for this name. Try again in 15 minutes."]
    assert [r.reason for r in recent_sign_ins(audit, user=name)] == ["locked_out", "unknown_user"]


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "granary",
    "client_secret": "s",
    "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration",
}


def oidc(user: dict, audit_url: str) -> AppTest:
    at = AppTest.from_function(oidc_app, default_timeout=30, kwargs={"audit_url": audit_url})
    at.secrets["auth"] = AUTH
    at.user = user
    return at


def test_with_auth_configured_st_login_replaces_the_form(audit):
    url = os.environ["GRANARY_APP_DATABASE_URL"]
    at = oidc({"is_logged_in": False}, url).run()
    assert not at.exception
    assert not at.text_input  # no password form with an identity provider
    assert [b.label for b in at.button] == ["Sign in with your company account"]
    assert not any("signed in as" in m for m in written(at))

    before = len(recent_sign_ins(audit, user="ceo@example.com"))
    at = oidc({"is_logged_in": True, "email": "CEO@Example.com", "name": "Grace Lin"}, url).run()
    assert "signed in as ceo@example.com via oidc" in written(at)
    at.run()  # a rerun of the same session is not a new sign-in
    after = recent_sign_ins(audit, user="ceo@example.com")
    assert len(after) == before + 1 and (after[0].method, after[0].reason) == ("oidc", "ok")
    at = at.button(key="granary.sign_out").click().run()  # st.logout: the identity cookie is gone
    assert at.user.get("is_logged_in") is False
    at.run()
    assert [b.label for b in at.button] == ["Sign in with your company account"]
    assert not any("signed in as" in m for m in written(at))


def test_oidc_without_a_verified_email_and_the_not_entitled_notice(audit):
    url = os.environ["GRANARY_APP_DATABASE_URL"]
    at = oidc({"is_logged_in": True, "email": "eve@example.com", "email_verified": False}, url).run()
    assert at.error and not any("signed in as" in m for m in written(at))
    assert recent_sign_ins(audit, user="eve@example.com", limit=1)[0].reason == "email_unverified"

    who = f"{unique()}@example.com"
    at = oidc({"is_logged_in": True, "email": who, "name": "<b>Mallory</b>"}, url).run()
    assert len(at.warning) == 1 and "not been given access" in at.warning[0].value
    assert "\\<b\\>Mallory\\</b\\>" in at.warning[0].value  # a name is shown as text, never HTML
    assert not any("signed in as" in m for m in written(at))
    at.run()
    assert [(r.success, r.reason) for r in recent_sign_ins(audit, user=who)] == [(False, "not_entitled"), (True, "ok")]


def users_file_app(users_file: str) -> None:
    from pathlib import Path

    import streamlit as st
    from sqlalchemy import create_engine

    from data_layer.config import AccessSettings
    from ui import auth

    users = auth.users_or_stop(Path(users_file) if users_file else None)
    auth.sign_in_gate(users=users, audit=create_engine("sqlite://"), settings=AccessSettings())
    st.write("a figure")


def test_no_users_file_or_a_wrong_one_lets_no_one_in(tmp_path):
    at = AppTest.from_function(users_file_app, default_timeout=30, kwargs={"users_file": ""}).run()
    assert "GRANARY_USERS_FILE" in at.warning[0].value and not at.text_input and "a figure" not in written(at)
    bad = tmp_path / "users.toml"
    bad.write_text('[users."secret.name"]\npassword = "hunter2"\n', encoding="utf-8")
    at = AppTest.from_function(users_file_app, default_timeout=30, kwargs={"users_file": str(bad)}).run()
    assert "users file is wrong" in at.error[0].value and "secret.name" not in at.error[0].value
    assert not at.text_input and "a figure" not in written(at)
