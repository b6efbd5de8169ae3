"""Data-health rules against health_crm, counted by hand, identical on every backend.

Each expected count names the fixture rows that break the rule (see tests/health_crm.py). The
regional head of NORTH sees units 2 and 4 and the accounts whose home unit is N-OFF (A1, A2, A5).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from data_layer.check import RULES, SEVERITIES, Finding, normalised, run_checks
from data_layer.config import Calendar
from data_layer.demo import build_demo
from data_layer.dimensions import data_as_of, load_org
from data_layer.filters import DEFAULT_VIEWER, NoScope, Role, Viewer
from tests import health_crm
from tests.conftest import BACKENDS, FreshDatabases, database_on

AS_OF = health_crm.AS_OF
FY_APRIL = Calendar(fiscal_year_start_month=4)
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))

#: rule: (count, checked) for the whole company, then for NORTH's head.
EXPECTED: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    # A2, A3 of 6 accounts; NORTH: A2 of A1, A2, A5.
    "account_without_owner": ((2, 6), (1, 3)),
    # open: 2, 3, 4, 5; no owner: 2, 3 (10 has none but is won). NORTH: 2 of 2, 4.
    "open_opportunity_without_owner": ((2, 4), (1, 2)),
    # A4 (rep 99), A5 (rep 98); NORTH: A5.
    "account_owner_not_a_rep": ((2, 6), (1, 3)),
    # 6 (rep 97), in SOUTH. NORTH has opportunities 1, 2, 4, 7, 8, 10.
    "opportunity_owner_not_a_rep": ((1, 11), (0, 6)),
    # Keys forbid duplicates here (see test_duplicate_ids_in_tables_without_keys): distinct ids checked.
    "duplicate_account_id": ((0, 6), (0, 3)),
    "duplicate_opportunity_id": ((0, 11), (0, 6)),
    "duplicate_sales_order_id": ((0, 9), (0, 4)),  # NORTH: orders 1, 2, 6, 8 (9 has no unit, 7 unit 99)
    "duplicate_lead_id": ((0, 2), (0, 1)),
    # 8 (account 888), in N-OFF.
    "opportunity_account_missing": ((1, 11), (1, 6)),
    # order 6 (account 999), in N-OFF.
    "sales_order_account_missing": ((1, 9), (1, 4)),
    # order 5 (opportunity 77), in S-OFF; the orders with no opportunity are fine.
    "sales_order_opportunity_missing": ((1, 9), (0, 4)),
    # 9 (unit 99) is in nobody's subtree: only the whole company sees it.
    "opportunity_unit_missing": ((1, 11), (0, 6)),
    # order 7 (unit 99); order 9 has no unit, which this rule does not count.
    "sales_order_unit_missing": ((1, 9), (0, 4)),
    # 6 (a month), 11 (a second), both SOUTH; 7 closed the instant it opened: fine.
    "opportunity_closed_before_created": ((2, 11), (0, 6)),
    # 4 (no amount, NORTH), 5 (−5, SOUTH).
    "opportunity_amount_missing_or_negative": ((2, 11), (1, 6)),
    # order 3 (SOUTH); order 4's −20 is a credit note.
    "sales_order_amount_missing": ((1, 9), (0, 4)),
    # won: 1 (order 1), 7, 9, 10 (order 9). NORTH: 1, 7, 10.
    "won_opportunity_without_order": ((2, 4), (1, 3)),
    # open: 3 (no date), 4 (29 Jun); 2 (Sep) and 5 (due on the as-of day) are not stale. NORTH: 4 of 2, 4.
    "stale_open_opportunity": ((2, 4), (1, 2)),
    # customers (an order 1 Jul 2024 … 30 Jun 2025): A1, A3, A4, A6 — not A2 (30 Jun 2024), not A5 (July 2025).
    # FY2026 above zero: A1 500, A6 100; A3 has 0, A4 only FY2025. NORTH: A1 only.
    "customer_without_wallet_estimate": ((2, 4), (0, 1)),
    # Router / ＲＯＵＴＥＲ, Office  Suite / office suite; Modem twice as stored is one spelling. Not scoped.
    "product_name_variants": ((4, 7), (4, 7)),
    # Hardware / "hardware ". Not scoped.
    "business_unit_name_variants": ((2, 3), (2, 3)),
}


def by_key(findings: list[Finding]) -> dict[str, Finding]:
    return {f.rule.key: f for f in findings}


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """health_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, health_crm.load) as engine:
        yield engine


def test_every_rule_is_expected_and_documented():
    assert [r.key for r in RULES] == list(EXPECTED)
    for rule in RULES:
        assert rule.severity in ("error", "warning")
        assert rule.label["en"] and rule.label["zh"] and rule.definition["en"] and rule.definition["zh"]


@pytest.mark.parametrize(("viewer", "column"), [(DEFAULT_VIEWER, 0), (NORTH_HEAD, 1)], ids=["company", "north"])
def test_counts(loaded, viewer, column):
    found = by_key(run_checks(loaded, viewer, load_org(loaded), AS_OF, calendar=FY_APRIL))
    assert {k: f.error for k, f in found.items() if f.error} == {}
    assert {k: (f.count, f.checked) for k, f in found.items()} == {k: v[column] for k, v in EXPECTED.items()}
    for f in found.values():
        assert len(f.examples) == min(f.count, 5)


def test_examples_show_the_records_id_first(loaded):
    found = by_key(run_checks(loaded, DEFAULT_VIEWER, load_org(loaded), AS_OF, examples=1, calendar=FY_APRIL))
    closed = found["opportunity_closed_before_created"].examples
    assert list(closed.columns[:2]) == ["opportunity_id", "name"] and "closed_at" in closed.columns
    assert closed["opportunity_id"].tolist() == [6]  # the first of 6 and 11 by id
    clean = found["duplicate_account_id"].examples
    assert clean.empty and list(clean.columns) == ["account_id", "copies", "name"]


def test_a_regional_head_sees_only_their_rows(loaded):
    north = by_key(run_checks(loaded, NORTH_HEAD, load_org(loaded), AS_OF, examples=10, calendar=FY_APRIL))
    assert north["account_without_owner"].examples["account_id"].tolist() == [2]
    assert north["stale_open_opportunity"].examples["opportunity_id"].tolist() == [4]
    assert north["opportunity_amount_missing_or_negative"].examples["opportunity_id"].tolist() == [4]
    assert north["won_opportunity_without_order"].examples["opportunity_id"].tolist() == [7]


def test_keys_choose_the_rules(loaded):
    found = run_checks(loaded, DEFAULT_VIEWER, load_org(loaded), AS_OF, keys=["stale_open_opportunity", "account_without_owner"])
    assert [f.rule.key for f in found] == ["account_without_owner", "stale_open_opportunity"]
    with pytest.raises(KeyError, match="no_such_rule"):
        run_checks(loaded, DEFAULT_VIEWER, load_org(loaded), AS_OF, keys=["no_such_rule"])


def test_the_fiscal_year_comes_from_the_calendar(loaded):
    # With January years, 30 Jun 2025 is in FY2025: only A4 has an estimate for it, so A1, A3 and A6 lack one.
    (f,) = run_checks(loaded, DEFAULT_VIEWER, load_org(loaded), AS_OF, keys=["customer_without_wallet_estimate"])
    assert (f.count, f.checked) == (3, 4)


def test_a_viewer_entitled_to_nothing_runs_nothing(loaded):
    with pytest.raises(NoScope):
        run_checks(loaded, Viewer(user="nobody", role=Role.TEAM_LEAD, units=()), load_org(loaded), AS_OF)


def test_a_business_unit_limited_viewer_cannot_check_leads(loaded):
    hardware = Viewer(user="hw", role=Role.REGIONAL_HEAD, bus=("HW",))
    found = by_key(run_checks(loaded, hardware, load_org(loaded), AS_OF, calendar=FY_APRIL))
    assert "business unit" in (found["duplicate_lead_id"].error or "")
    # Every fixture opportunity and order is in HW (bu 1): their counts are the whole company's.
    assert (found["stale_open_opportunity"].count, found["sales_order_amount_missing"].count) == (2, 1)


def test_normalised_names():
    assert normalised("  Office \t Suite ") == normalised("office suite") == "office suite"
    assert normalised("ＲＯＵＴＥＲ") == normalised("Router") and normalised("STRASSE") == normalised("straße")


# --- Databases without keys, or without a table or column -----------------------------------------------


@pytest.fixture
def fresh(backend: str, tmp_path) -> Iterator[FreshDatabases]:
    dbs = FreshDatabases(tmp_path)
    yield dbs
    dbs.close()


def test_duplicate_ids_in_tables_without_keys(backend, fresh):
    engine = fresh.engine(backend)
    health_crm.load_without_keys(engine, duplicates=True)
    keys = [k for k in EXPECTED if k.startswith("duplicate_")]
    company = by_key(run_checks(engine, DEFAULT_VIEWER, load_org(engine), AS_OF, keys=keys))
    north = by_key(run_checks(engine, NORTH_HEAD, load_org(engine), AS_OF, keys=keys))
    # ids, not rows: account 1 (3 rows) and 3 (2 rows); opportunity 2; order 3 (SOUTH); leads 1 and 2.
    assert {k: (f.count, f.checked) for k, f in company.items()} == {
        "duplicate_account_id": (2, 6), "duplicate_opportunity_id": (1, 11), "duplicate_sales_order_id": (1, 9), "duplicate_lead_id": (2, 2),
    }
    assert {k: (f.count, f.checked) for k, f in north.items()} == {
        "duplicate_account_id": (1, 3), "duplicate_opportunity_id": (1, 6), "duplicate_sales_order_id": (0, 4), "duplicate_lead_id": (1, 1),
    }
    accounts = company["duplicate_account_id"].examples
    assert accounts[["account_id", "copies"]].astype(int).values.tolist() == [[1, 3], [3, 2]]


def test_a_missing_table_or_column_fails_only_its_rules(backend, fresh):
    engine = fresh.engine(backend)
    health_crm.load_without_keys(engine, omit=("wallet_estimate", "opportunity.expected_close_date"))
    found = by_key(run_checks(engine, DEFAULT_VIEWER, load_org(engine), AS_OF, calendar=FY_APRIL))
    assert found["customer_without_wallet_estimate"].error == "missing: wallet_estimate"
    assert found["stale_open_opportunity"].error == "missing: opportunity.expected_close_date"
    assert found["stale_open_opportunity"].count == 0
    others = {k: (f.count, f.checked) for k, f in found.items() if k not in ("customer_without_wallet_estimate", "stale_open_opportunity")}
    assert others == {k: v[0] for k, v in EXPECTED.items() if k in others}
    assert len(others) == len(EXPECTED) - 2 and not any(found[k].error for k in others)


# --- The command line and the demo ------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRANARY_FISCAL_YEAR_START_MONTH": "4"}
    return subprocess.run([sys.executable, "-m", "data_layer.check", *args], capture_output=True, text=True, env=env, check=False, timeout=120)


def test_cli_json_on_a_fixture_file(tmp_path):
    path = tmp_path / "health.duckdb"
    writer = create_engine(f"duckdb:///{path}")
    health_crm.load(writer)
    writer.dispose()
    done = _cli("--url", f"duckdb:///{path}", "--as-of", "2025-06-30", "--format", "json", "--examples", "2")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["as_of"] == "2025-06-30"
    rows = {r["rule"]: r for r in out["findings"]}
    assert {k: (r["count"], r["checked"]) for k, r in rows.items()} == {k: v[0] for k, v in EXPECTED.items()}
    closed = rows["opportunity_closed_before_created"]
    assert closed["severity"] == "error" and [e["opportunity_id"] for e in closed["examples"]] == [6, 11]
    assert closed["examples"][0]["closed_at"].startswith("2025-02-01")
    table = _cli("--url", f"duckdb:///{path}")  # as of the newest record: order 8, 15 Jul 2025
    assert table.returncode == 0 and table.stdout.startswith("Data health as of 2025-07-15")
    assert "[error] Closed before created (opportunity_closed_before_created): 2 of 11" in table.stdout


def test_cli_bad_url_says_so_and_masks_the_password():
    done = _cli("--url", "postgresql+psycopg://u:topsecret@127.0.0.1:1/x")
    assert done.returncode == 2
    assert "topsecret" not in done.stderr and "127.0.0.1" in done.stderr and "Traceback" not in done.stderr
    assert _cli("--url", "not a url").returncode == 2


def test_cli_has_help():
    done = _cli("--help")
    assert done.returncode == 0 and "--examples" in done.stdout


def test_the_rules_run_on_the_demo(tmp_path):
    dbs = FreshDatabases(tmp_path)
    try:
        engine = dbs.engine("duckdb")
        build_demo(engine, "XS", seed=7, as_of=date(2026, 11, 23), progress=False)
        as_of = data_as_of(engine, Calendar())
        assert as_of is not None
        findings = run_checks(engine, DEFAULT_VIEWER, load_org(engine), as_of)
        assert [f.rule.key for f in findings] == list(EXPECTED)
        assert {f.rule.key: f.error for f in findings if f.error} == {}
        assert all(0 <= f.count <= f.checked for f in findings) and sum(f.checked for f in findings) > 0
    finally:
        dbs.close()


def test_the_readme_lists_every_rule_with_its_severity():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Data health", 1)[1].split("\n## ", 1)[0]
    for rule in RULES:
        assert f"`{rule.key}`" in section, rule.key
        after = section.split(f"`{rule.key}`", 1)[1]
        # The first severity after the key is its own (rules sharing one are listed before it).
        first = min(SEVERITIES, key=lambda s: after.find(f"({s})") if f"({s})" in after else len(after))
        assert first == rule.severity, rule.key
