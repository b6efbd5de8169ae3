"""Entitlements and users files: parsed, checked against the organisation, turned into viewers."""

from __future__ import annotations

import io
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from data_layer import access
from data_layer.access import (
    AccessFileError,
    check_entitlements,
    load_entitlements,
    load_users,
    parse_entitlements,
    parse_users,
    verify_password,
    viewer_for,
)
from data_layer.config import ROOT, AccessSettings, load_access_settings
from data_layer.filters import OrgTree, OrgUnit, Role, Viewer

# A company of two regions, an office in one, two teams in the office.
ORG = OrgTree(
    (
        OrgUnit(1, "CO", "Company", "cluster", None),
        OrgUnit(2, "EAST", "East", "region", 1),
        OrgUnit(3, "WEST", "West", "region", 1),
        OrgUnit(4, "EAST-SH", "Shanghai Office", "office", 2),
        OrgUnit(5, "EAST-SH-T1", "Shanghai Team 1", "team", 4),
        OrgUnit(6, "EAST-SH-T2", "Shanghai Team 2", "team", 4),
    )
)
BUS = ("NET", "STO", "SEC")
PAGES = ("overview", "churn", "funnel")


def ents(text: str) -> access.Entitlements:
    return parse_entitlements(tomllib.loads(text), source="test.toml")


def problems_of(text: str, **check: object) -> list[str]:
    try:
        ent = ents(text)
    except AccessFileError as exc:
        return list(exc.problems)
    return check_entitlements(ent, ORG, **check)  # type: ignore[arg-type]


GOOD = """
[users.boss]
role = "executive"
name = "The Boss"

[users."Head.East@Example.com"]
role = "regional_head"
units = ["EAST"]

[users.lead]
role = "team_lead"
units = ["EAST-SH-T1"]
business_units = ["NET", "SEC"]

[pages]
team_lead = ["overview", "funnel"]
"""


# --- Entitlements: parsing and checking ----------------------------------------------------------


def test_a_good_file_parses_and_checks_clean():
    ent = ents(GOOD)
    assert [e.user for e in ent.entries] == ["boss", "head.east@example.com", "lead"]
    assert check_entitlements(ent, ORG, business_units=BUS, pages=PAGES) == []
    assert ent.get("BOSS ").role is Role.EXECUTIVE  # names are trimmed and not case-sensitive


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[users.a]\nrole = "executive"\nunit = ["EAST"]', "users.a: unknown key 'unit' (did you mean 'units'?)"),
        (
            '[users.a]\nrole = "regional-head"\nunits = ["EAST"]',
            "users.a.role: unknown role 'regional-head' (did you mean 'regional_head'?)",
        ),
        ('[users.a]\nunits = ["EAST"]', "users.a: role is missing"),
        ('[users.a]\nrole = "regional_head"', "users.a: a regional_head must name the units they see"),
        ('[users.a]\nrole = "team_lead"', "users.a: a team_lead must name the units they see"),
        (
            '[users.a]\nrole = "regional_head"\nunits = "EAST"',
            "users.a.units must be a non-empty list of codes, e.g. [\"CN-E\"], not 'EAST'",
        ),
        ('[users.a]\nrole = "regional_head"\nunits = []', "users.a.units must be a non-empty list of codes"),
        ('[users.a]\nrole = "executive"\nbusiness_units = [1]', "users.a.business_units must be a non-empty list of codes"),
        ('[users.a]\nrole = "executive"\n[users.A]\nrole = "executive"', "users.A: the same user as users.a"),
        ('[user.a]\nrole = "executive"', "unknown top-level key 'user' (did you mean 'users'?)"),
        ('[pages]\nboss = ["overview"]', "pages: unknown role 'boss'"),
        ('[pages]\nteam_lead = "overview"', "pages.team_lead must be a list of page keys"),
    ],
)
def test_structural_errors_name_the_key_and_value(text, expected):
    problems = problems_of(text)
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[users.a]\nrole = "regional_head"\nunits = ["EAST", "EASTT"]',
            "users.a.units: unknown org unit code 'EASTT' (did you mean 'EAST'?)",
        ),
        ('[users.a]\nrole = "team_lead"\nunits = ["EAST-SH"]', "users.a.units: 'EAST-SH' is not a team (it has sub-units)"),
        (
            '[users.a]\nrole = "executive"\nbusiness_units = ["NET", "CLD"]',
            "users.a.business_units: unknown business-unit code 'CLD'",
        ),
        ('[pages]\nteam_lead = ["overview", "funel"]', "pages.team_lead: unknown page 'funel' (did you mean 'funnel'?)"),
    ],
)
def test_codes_are_checked_against_the_organisation(text, expected):
    problems = problems_of(text, business_units=BUS, pages=PAGES)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_at_once_with_the_file_name(tmp_path):
    path = tmp_path / "ents.toml"
    path.write_text('[users.a]\nrole = "boss"\n[users.b]\nrole = "team_lead"\nunits = ["NOPE"]\n', encoding="utf-8")
    with pytest.raises(AccessFileError) as err:
        load_entitlements(path)  # structure first: the unknown role
    assert str(path) in str(err.value) and "unknown role 'boss'" in str(err.value)
    path.write_text('[users.b]\nrole = "team_lead"\nunits = ["NOPE", "EAST"]\n', encoding="utf-8")
    with pytest.raises(AccessFileError) as err:
        load_entitlements(path, ORG)
    assert len(err.value.problems) == 2  # the unknown code and the region given to a team lead
    with pytest.raises(AccessFileError, match="does not exist"):
        load_entitlements(tmp_path / "missing.toml")
    path.write_text("[users.a\n", encoding="utf-8")
    with pytest.raises(AccessFileError, match="not valid TOML"):
        load_entitlements(path)


# --- Viewers -------------------------------------------------------------------------------------


def test_viewer_for_each_role_and_for_someone_not_entitled():
    ent = ents(GOOD)
    assert viewer_for("boss", ent, ORG) == Viewer("boss", Role.EXECUTIVE, None, None, "The Boss")
    head = viewer_for("HEAD.EAST@example.com", ent, ORG, display_name="Head of East")
    assert head == Viewer("head.east@example.com", Role.REGIONAL_HEAD, ("EAST",), None, "Head of East")
    assert ORG.visible_ids(head) == {2, 4, 5, 6}  # the region's subtree, not the West
    lead = viewer_for("lead", ent, ORG)
    assert lead is not None and lead.units == ("EAST-SH-T1",) and lead.bus == ("NET", "SEC")
    assert ORG.visible_ids(lead) == {5}
    assert viewer_for("stranger", ent, ORG) is None
    assert viewer_for("", ent, ORG) is None


def test_viewer_for_never_guesses_at_a_unit_the_organisation_lacks():
    ent = ents('[users.a]\nrole = "regional_head"\nunits = ["GONE"]')
    with pytest.raises(AccessFileError, match="unknown org unit code 'GONE'"):
        viewer_for("a", ent, ORG)


def test_pages_per_role_from_the_file_else_the_default():
    default = {Role.EXECUTIVE: PAGES, Role.REGIONAL_HEAD: PAGES, Role.TEAM_LEAD: PAGES}
    ent = ents(GOOD)
    assert ent.pages_for(Role.TEAM_LEAD, default) == ("overview", "funnel")
    assert ent.pages_for(Role.REGIONAL_HEAD, default) == PAGES


# --- Users file ----------------------------------------------------------------------------------

HASH = access.hash_password("correct horse battery")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[users.a]\npassword = "hunter22"', "users.a: unknown key 'password'"),
        ('[users.a]\npassword_hash = "hunter22"', "users.a.password_hash: missing or not an argon2id hash"),
        (
            f'[users.a]\npassword_hash = "{HASH}"\ndemo_password = "correct horse battery"',
            "users.a.demo_password: only a file marked demo = true",
        ),
        ('demo = "yes"', "demo must be true or false"),
        (f'[users.a]\npassword_hash = "{HASH}"\n[users." A "]\npassword_hash = "{HASH}"', "users. A : the same user as users.a"),
    ],
)
def test_users_file_errors_name_the_key_and_never_a_hash(text, expected):
    with pytest.raises(AccessFileError) as err:
        parse_users(tomllib.loads(text))
    assert any(p.startswith(expected) for p in err.value.problems), err.value.problems
    assert "$argon2" not in str(err.value)


def test_an_account_never_shows_its_hash():
    users = parse_users(tomllib.loads(f'[users.a]\nname = "Ann"\npassword_hash = "{HASH}"'))
    assert "argon2" not in repr(users.get("a")) and "argon2" not in repr(users)


# --- The demo's files ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_org(tmp_path_factory: pytest.TempPathFactory) -> OrgTree:
    """The demo company's organisation, as build_demo writes it (XS)."""
    from sqlalchemy import create_engine

    from data_layer.dimensions import load_org
    from tests.fixture_db import demo_file

    engine = create_engine(demo_file(tmp_path_factory.mktemp("demo") / "demo.duckdb", "XS", date(2025, 11, 23)))
    try:
        return load_org(engine)
    finally:
        engine.dispose()


def test_demo_users_sign_in_with_their_shown_passwords_and_cover_every_role(demo_org):
    users = load_users(access.DEMO_USERS_FILE)
    ent = load_entitlements(access.DEMO_ENTITLEMENTS_FILE, demo_org, business_units=("NET", "STO", "CLD", "SEC", "DEV"))
    assert users.demo
    for account in users.accounts:
        assert account.demo_password and verify_password(users, account.user, account.demo_password) == account
    viewers = {a.user: viewer_for(a.user, ent, demo_org) for a in users.accounts}
    roles = {v.role for v in viewers.values() if v is not None}
    assert roles == set(Role)
    assert [u for u, v in viewers.items() if v is None] == ["visitor"]  # signed in, entitled to nothing
    assert viewers["ceo"] is not None and viewers["ceo"].whole_company
    assert {e.user for e in ent.entries} <= {a.user for a in users.accounts}
    assert demo_org.by_code("CN-E") is not None and demo_org.by_code("CN-E").level == "region"


# --- Settings and files ------------------------------------------------------------------------


def test_access_settings_from_env_then_secrets(monkeypatch, tmp_path):
    for name in ("USERS_FILE", "ENTITLEMENTS_FILE", "SIGNIN_MAX_FAILURES", "SIGNIN_LOCKOUT_MINUTES"):
        monkeypatch.delenv(f"GRANARY_{name}", raising=False)
    assert load_access_settings({}) == AccessSettings()
    secrets = {
        "granary": {"users_file": "config/users.toml", "entitlements_file": str(tmp_path / "e.toml"), "signin_max_failures": 3}
    }
    got = load_access_settings(secrets)
    assert (
        got.users_file == ROOT / "config" / "users.toml"
        and got.entitlements_file == tmp_path / "e.toml"
        and got.max_failures == 3
    )
    monkeypatch.setenv("GRANARY_USERS_FILE", str(tmp_path / "u.toml"))
    monkeypatch.setenv("GRANARY_SIGNIN_LOCKOUT_MINUTES", "30")
    got = load_access_settings(secrets)
    assert got.users_file == tmp_path / "u.toml" and got.lockout_minutes == 30
    monkeypatch.setenv("GRANARY_SIGNIN_MAX_FAILURES", "-1")
    with pytest.raises(ValueError, match="signin_max_failures must be 0 or more"):
        load_access_settings({})


def test_only_the_demo_crm_falls_back_to_the_demo_files(tmp_path):
    assert access.access_files(AccessSettings(), is_demo=True) == (access.DEMO_USERS_FILE, access.DEMO_ENTITLEMENTS_FILE)
    assert access.access_files(AccessSettings(), is_demo=False) == (None, None)
    own = AccessSettings(users_file=tmp_path / "u.toml", entitlements_file=tmp_path / "e.toml")
    assert access.access_files(own, is_demo=True) == (tmp_path / "u.toml", tmp_path / "e.toml")


# --- Command line --------------------------------------------------------------------------------


def test_hash_command_makes_a_hash_that_verifies(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough secret\n"))
    assert access.main(["hash", "--stdin"]) == 0
    hashed = capsys.readouterr().out.strip()
    users = parse_users({"users": {"ann": {"password_hash": hashed}}})
    assert verify_password(users, "ann", "a long enough secret") is not None
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert access.main(["hash", "--stdin"]) == 2
    assert "at least" in capsys.readouterr().err


def test_check_command_reports_wrong_codes(tmp_path, capsys):
    crm = tmp_path / "crm.duckdb"
    from sqlalchemy import create_engine, insert

    from data_layer import schema

    engine = create_engine(f"duckdb:///{crm}")
    schema.metadata.create_all(engine, tables=[schema.org_unit, schema.business_unit])
    with engine.begin() as conn:
        conn.execute(
            insert(schema.org_unit),
            [
                {"unit_id": u.unit_id, "code": u.code, "name": u.name, "level": u.level, "parent_id": u.parent_id}
                for u in ORG.units
            ],
        )
        conn.execute(
            insert(schema.business_unit), [{"bu_id": i, "code": c, "name": c, "kind": "product"} for i, c in enumerate(BUS, 1)]
        )
    engine.dispose()
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(GOOD.split("[pages]")[0], encoding="utf-8")
    bad.write_text('[users.a]\nrole = "regional_head"\nunits = ["EASTT"]\n', encoding="utf-8")
    assert access.main(["check", "--url", f"duckdb:///{crm}", "--entitlements", str(good)]) == 0
    assert "3 entitlements" in capsys.readouterr().out
    assert access.main(["check", "--url", f"duckdb:///{crm}", "--entitlements", str(bad)]) == 2
    assert "unknown org unit code 'EASTT' (did you mean 'EAST'?)" in capsys.readouterr().err


@pytest.mark.parametrize("command", [[], ["hash"], ["check"]])
def test_every_command_has_help(command):
    out = subprocess.run(
        [sys.executable, "-m", "data_layer.access", *command, "--help"], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert "usage: python -m data_layer.access" in out.stdout


def test_config_readme_documents_both_files_and_the_commands():
    text = (ROOT / "config" / "README.md").read_text(encoding="utf-8")
    for needle in (
        "password_hash",
        "business_units",
        "[pages]",
        "python -m data_layer.access hash",
        "python -m data_layer.access check",
        "GRANARY_USERS_FILE",
        "GRANARY_ENTITLEMENTS_FILE",
    ):
        assert needle in text
    assert Path(access.DEMO_USERS_FILE).exists() and Path(access.DEMO_ENTITLEMENTS_FILE).exists()


def test_the_readme_lists_the_demo_users_as_the_demo_files_define_them() -> None:
    """README's "Sign in" table: every demo user with their password and role, none left out."""
    users = access.load_users(access.DEMO_USERS_FILE)
    ent = access.load_entitlements(access.DEMO_ENTITLEMENTS_FILE)
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Sign in", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip().strip("`") for c in line.strip("|").split("|")] for line in section.splitlines() if line.startswith("| `")]
    listed = {row[0]: (row[1], row[2]) for row in rows}
    roles = {Role.EXECUTIVE: "executive", Role.REGIONAL_HEAD: "regional head", Role.TEAM_LEAD: "team lead"}
    expected = {}
    for account in users.accounts:
        e = ent.get(account.user)
        expected[account.user] = (account.demo_password, roles[e.role] if e else "—")
    assert listed == expected
