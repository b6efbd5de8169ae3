"""The one way the AppTest tests open Granary: against a given CRM, with the demo's users and
entitlements files, signed in as one of the demo's users (or not at all).

Sign-in is always on, so every run of app.py needs an identity. :func:`app_test` seeds it in the
session, as the sign-in form leaves it (``ui.auth.IDENTITY_KEY``); :func:`sign_in_with_form`
goes through the form itself, for the tests of sign-in.
"""

from __future__ import annotations

import functools
import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_layer.access import DEMO_ENTITLEMENTS_FILE, DEMO_USERS_FILE, Users, load_users
from data_layer.filters import Viewer
from ui.auth import IDENTITY_KEY, PASSWORD, PASSWORD_FIELD, USER_FIELD, Identity

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 90
#: Each demo user's password (config/demo-users.toml shows them; they are public).
PASSWORDS = {"ceo": "granary-ceo", "head.east": "granary-east", "head.europe": "granary-europe",
             "head.north": "granary-north", "lead.shanghai": "granary-team", "visitor": "granary-visitor"}


@functools.cache
def demo_users() -> Users:
    return load_users(DEMO_USERS_FILE)


def identity(user: str) -> Identity:
    """The identity the sign-in form gives ``user`` of the demo's users file."""
    account = demo_users().get(user)
    return Identity(user, account.name if account else user, PASSWORD)


@functools.cache
def executive_only() -> Path:
    """An entitlements file with the demo's executive alone, for CRMs whose units are not the
    demo company's (the demo's file names units such a CRM lacks, which Granary refuses)."""
    path = Path(tempfile.mkdtemp(prefix="granary-ent-")) / "entitlements.toml"
    path.write_text('[users."ceo"]\nrole = "executive"\n', encoding="utf-8")
    return path


def use_demo_access(monkeypatch: pytest.MonkeyPatch, entitlements: Path = DEMO_ENTITLEMENTS_FILE) -> None:
    """Point sign-in at the demo's users file and ``entitlements`` (the tests' CRMs are files at
    temporary paths, which Granary does not take for the demo)."""
    monkeypatch.setenv("GRANARY_USERS_FILE", str(DEMO_USERS_FILE))
    monkeypatch.setenv("GRANARY_ENTITLEMENTS_FILE", str(entitlements))


def app_test(
    monkeypatch: pytest.MonkeyPatch,
    crm_url: str | None,
    *,
    user: str | None = "ceo",
    script: str = APP,
    entitlements: Path = DEMO_ENTITLEMENTS_FILE,
) -> AppTest:
    """An AppTest of ``script`` (not yet run) on ``crm_url`` (None: leave CRM_DATABASE_URL as it
    is), signed in as the demo's ``user`` (None: not signed in)."""
    if crm_url is not None:
        monkeypatch.setenv("CRM_DATABASE_URL", crm_url)
    use_demo_access(monkeypatch, entitlements)
    at = AppTest.from_file(script, default_timeout=TIMEOUT)
    if user is not None:
        at.session_state[IDENTITY_KEY] = identity(user)
    return at


def open_app(
    monkeypatch: pytest.MonkeyPatch,
    crm_url: str | None,
    *,
    user: str | None = "ceo",
    params: dict[str, str | list[str]] | None = None,
    page: str | None = None,
    entitlements: Path = DEMO_ENTITLEMENTS_FILE,
) -> AppTest:
    """:func:`app_test`, run once with ``params`` in the URL, then switched to ``pages/{page}.py``
    when given; each run without an exception."""
    at = app_test(monkeypatch, crm_url, user=user, entitlements=entitlements)
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page is not None:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in_with_form(at: AppTest, user: str, password: str | None = None) -> AppTest:
    """Fill in and submit the sign-in form (the demo password of ``user`` by default)."""
    at.text_input(key=USER_FIELD).input(user)
    at.text_input(key=PASSWORD_FIELD).input(PASSWORDS.get(user, "") if password is None else password)
    return next(b for b in at.button if b.proto.is_form_submitter).click().run()


def entitlements_file(directory: Path, entries: dict[str, Viewer]) -> Path:
    """An entitlements file in ``directory`` giving each demo user the role and scope of a viewer
    (to sign a demo user in with a scope the demo's file does not have)."""
    lines: list[str] = []
    for user, viewer in entries.items():
        lines += [f'[users."{user}"]', f'role = "{viewer.role.value}"']
        if viewer.units is not None:
            lines.append("units = [" + ", ".join(f'"{c}"' for c in viewer.units) + "]")
        if viewer.bus is not None:
            lines.append("business_units = [" + ", ".join(f'"{c}"' for c in viewer.bus) + "]")
    path = directory / "entitlements.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def capture_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """What each download button of the next runs hands the reader (its key → the file's bytes), as it is sent."""
    import streamlit

    files: dict[str, bytes] = {}
    original = streamlit.download_button

    def recording(label: str, data: bytes, *args: object, **kwargs: object) -> object:
        files[str(kwargs.get("key"))] = data
        return original(label, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(streamlit, "download_button", recording)
    return files


def read_csv(data: bytes) -> pd.DataFrame:
    """A downloaded CSV file read back as a spreadsheet would (empty cells as missing)."""
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, na_values=[""])
