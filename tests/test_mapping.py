"""Reading a CRM in place through a mapping (data_layer/mapping.py): the file is checked, nothing is
written to the CRM, and every metric reads the same through a mapping as from the canonical tables."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import DateTime, Engine, create_engine, func, literal, select, text, type_coerce

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import ConnectionProblem, make_engine, missing_name, missing_schema, read_frame
from data_layer.dimensions import load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from data_layer.mapping import MappingError, load_mapping, preset_names, to_utc
from metrics.base import Context
from metrics.cli import main as cli_main
from metrics.cli import summary
from tests import odoo_crm, suitecrm_crm, tiny_crm, toy_crm

Q2 = Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "days"))


def summary_of(engine: Engine, flt: Filters = Q2, as_of: date = date(2025, 7, 1)) -> dict[str, dict]:
    """Every metric of the registry, as ``python -m metrics summary`` gives them, by key."""
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), reporting_currency(engine, None), as_of)
    return {row["metric"]: row for row in summary(ctx, flt, None)}


def test_a_mapping_reads_like_the_canonical_tables(fresh_db, backend, tmp_path):
    canonical = fresh_db.engine(backend)
    tiny_crm.load(canonical)
    crm = fresh_db.engine(backend)
    toy_crm.load(crm)
    path = tmp_path / "toy.toml"
    path.write_text(toy_crm.mapping_text(f"{toy_crm.qualifier(crm)}.account"), encoding="utf-8")
    crm.dispose()  # DuckDB opens a file read-only only when no writer has it open
    mapped = make_engine(crm.url.render_as_string(hide_password=False), mapping=path)
    try:
        expected, got = summary_of(canonical), summary_of(mapped)
    finally:
        mapped.dispose()
    assert expected["revenue"]["value"] == "1220.10" and expected["win_rate"]["numerator"] == 2
    assert got == expected


# --- Odoo 17.0 on PostgreSQL, through the odoo-17 preset -------------------------------------------------


@pytest.fixture
def odoo_url(fresh_db) -> str:
    url = fresh_db.url("postgresql")
    writer = create_engine(url)
    odoo_crm.load(writer)
    writer.dispose()
    return url


def test_odoo_preset_metrics_worked_out_by_hand(odoo_url, capsys):
    before = odoo_crm.catalog(odoo_url)
    argv = ["summary", "--url", odoo_url, "--mapping", "odoo-17", "--start", "2025-04-01", "--end", "2025-06-30", "--as-of", "2025-07-01", "--format", "json"]
    assert cli_main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    m = {row["metric"]: row for row in out["metrics"]}
    # Rates invert Odoo's 1 EUR = 1.25 USD, so the company's EUR is the reporting currency.
    assert out["filters"]["currency"] == "EUR"
    # Confirmed orders booked in Q2 (Shanghai dates), untaxed: 1,000.00 EUR + 800.00 USD × 0.80; the USD order
    # confirmed 30 June 16:30 UTC is 1 July in Shanghai, and the quotation and the cancelled order do not count.
    assert m["revenue"]["value"] == "1640.00" and m["won_orders"]["value"] == 2
    # Closed in Q2: 3 (won 20 May) and 7 (won 30 June 23:00 local) won, 4 lost (archived with probability 0);
    # 6 was won 1 July 01:00 local.
    assert (m["win_rate"]["numerator"], m["win_rate"]["denominator"]) == (2, 3)
    assert (m["win_rate_by_amount"]["numerator"], m["win_rate_by_amount"]["denominator"]) == (1640.0, 4640.0)
    # Won opportunities' days from creation to close: 3: 5 Apr 01:00 → 20 May 09:00 = 45 d 8 h; 7: 20 Apr 00:00 →
    # 30 Jun 15:00 = 71 d 15 h; the median of two is their mean.
    assert m["sales_cycle_median_days"]["value"] == pytest.approx((45 + 8 / 24 + 71 + 15 / 24) / 2)
    # The funnel: all seven crm_lead records are leads created in Q2, the archived lost lead included; the five
    # of type opportunity converted; three of those have a confirmed order by the as-of day (3, 6, 7).
    assert m["leads"]["value"] == 7 and m["opportunities"]["value"] == 5
    assert (m["lead_to_opportunity_rate"]["numerator"], m["lead_to_opportunity_rate"]["denominator"]) == (5, 7)
    assert (m["opportunity_to_order_rate"]["numerator"], m["opportunity_to_order_rate"]["denominator"]) == (3, 5)
    # First purchases in Q2: Acme (through its contact Max Muster) and 长城贸易.
    assert m["new_customers"]["value"] == 2
    # Odoo keeps no wallet estimates: the share of wallet has no denominator instead of failing.
    assert m["share_of_wallet"]["value"] is None and m["share_of_wallet"]["reason"] == "no_denominator"
    # Read in place: the CRM's schema holds the same relations as before, and no temporary one exists.
    assert odoo_crm.catalog(odoo_url) == before


def test_odoo_preset_reads_translated_names_stages_and_history(odoo_url):
    engine = make_engine(odoo_url, mapping="odoo-17")
    try:
        assert missing_schema(engine) == []
        units = read_frame(engine, select(schema.org_unit.c.code, schema.org_unit.c.name).order_by(schema.org_unit.c.unit_id))
        assert units.values.tolist() == [["team-1", "Europe"], ["team-2", "Asia"]]
        o = schema.opportunity
        opps = read_frame(engine, select(o.c.opportunity_id, o.c.stage, o.c.status, o.c.probability, o.c.currency, o.c.account_id).order_by(o.c.opportunity_id))
        assert opps.values.tolist() == [
            [3, "won", "won", Decimal("1.0000"), "EUR", 10],  # Max Muster's opportunity is Acme's
            [4, "lost", "lost", Decimal("0.0000"), "EUR", 11],
            [5, "qualification", "open", Decimal("0.3000"), "EUR", 12],
            [6, "won", "won", Decimal("1.0000"), "EUR", 11],
            [7, "won", "won", Decimal("1.0000"), "EUR", 12],
        ]
        h = schema.opportunity_stage_history
        history = read_frame(engine, select(h.c.changed_at, h.c.stage).where(h.c.opportunity_id == 3).order_by(h.c.changed_at))
        assert history.values.tolist() == [
            [datetime(2025, 4, 5, 1, 0), "prospecting"],  # the stage it was created in, before its first tracked change
            [datetime(2025, 4, 12, 8, 0), "qualification"],
            [datetime(2025, 4, 20, 0, 0), "proposal"],  # "Proposition" is stored as {"en_US": "Proposition", "de_DE": "Angebot"}
            [datetime(2025, 5, 20, 9, 0), "won"],
        ]
        leads = read_frame(engine, select(schema.lead.c.lead_id, schema.lead.c.status).where(schema.lead.c.lead_id < 4).order_by(schema.lead.c.lead_id))
        assert leads.values.tolist() == [[1, "working"], [2, "disqualified"], [3, "converted"]]
    finally:
        engine.dispose()


def test_odoo_preset_a_portal_user_is_a_customer_not_a_rep(odoo_url):
    # res_users.share is true for portal users ("External user with limited access"): their partner is a customer.
    writer = create_engine(odoo_url)
    with writer.begin() as conn:
        conn.execute(text("INSERT INTO res_partner (id, name, commercial_partner_id, is_company, active, create_date) "
                          "VALUES (30, 'Nordwind AG', 30, true, true, '2024-05-01')"))
        conn.execute(text("INSERT INTO res_users (id, login, partner_id, company_id, active, share, notification_type, create_date) "
                          "VALUES (4, 'nordwind-portal', 30, 1, true, true, 'email', '2024-05-01')"))
    writer.dispose()
    engine = make_engine(odoo_url, mapping="odoo-17")
    try:
        assert read_frame(engine, select(schema.rep.c.code).order_by(schema.rep.c.code))["code"].tolist() == ["anna", "bo"]
        accounts = read_frame(engine, select(schema.account.c.account_id).order_by(schema.account.c.account_id))["account_id"].tolist()
        assert accounts == [10, 11, 12, 30]  # not the company (1) nor the salespeople (20, 21)
    finally:
        engine.dispose()


def test_odoo_without_a_column_says_which(odoo_url):
    writer = create_engine(odoo_url)
    with writer.begin() as conn:
        conn.execute(text("ALTER TABLE crm_lead DROP COLUMN date_closed"))
        conn.execute(text("DROP TABLE sale_order"))
    writer.dispose()
    engine = make_engine(odoo_url, mapping="odoo-17")
    try:
        missing = missing_schema(engine)
    finally:
        engine.dispose()
    closed = next(m for m in missing if m.startswith("opportunity.closed_at "))
    assert "mapping odoo-17" in closed and "date_closed" in closed and "does not exist" in closed
    orders = next(m for m in missing if m.startswith("sales_order "))
    assert "[tables.sales_order]" in orders and "sale_order" in orders
    assert {missing_name(m) for m in missing} == {"opportunity.closed_at", "sales_order"}


# --- SuiteCRM 7.14 on MariaDB, through the suitecrm-7 preset ----------------------------------------------


@pytest.fixture
def suitecrm_url(fresh_db) -> str:
    url = fresh_db.url("mariadb")
    writer = create_engine(url)
    suitecrm_crm.load(writer)
    writer.dispose()
    return url


def test_suitecrm_preset_metrics_worked_out_by_hand(suitecrm_url, capsys):
    before = suitecrm_crm.catalog(suitecrm_url)
    argv = ["summary", "--url", suitecrm_url, "--mapping", "suitecrm-7", "--start", "2025-04-01", "--end", "2025-06-30", "--as-of", "2025-07-01", "--format", "json"]
    assert cli_main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    m = {row["metric"]: row for row in out["metrics"]}
    assert out["filters"]["currency"] == "USD"  # the system currency (-99) the rates convert to
    # A won opportunity is its order: opp-1's 1,000 USD closed 15 May; opp-4 closed 30 June 16:30 UTC = 1 July in
    # Shanghai; the deleted opp-5 is not read.
    assert m["revenue"]["value"] == "1000.00" and m["won_orders"]["value"] == 1
    # Closed in Q2: opp-1 won, opp-2 lost (2,000 EUR at 1.25 = 2,500 USD).
    assert (m["win_rate"]["numerator"], m["win_rate"]["denominator"]) == (1, 2)
    assert (m["win_rate_by_amount"]["numerator"], m["win_rate_by_amount"]["denominator"]) == (1000.0, 3500.0)
    # opp-1: 2 Apr 00:00 → 15 May 06:00 (the audit's Closed Won) = 43 days 6 hours.
    assert m["sales_cycle_median_days"]["value"] == pytest.approx(43.25)
    # Leads created in Q2, the deleted one left out: 3, of which lead-2 converted.
    assert m["leads"]["value"] == 3 and m["opportunities"]["value"] == 4
    assert (m["lead_to_opportunity_rate"]["numerator"], m["lead_to_opportunity_rate"]["denominator"]) == (1, 3)
    assert m["new_customers"]["value"] == 1
    assert suitecrm_crm.catalog(suitecrm_url) == before


def test_suitecrm_preset_stages_history_and_missing_column(suitecrm_url):
    engine = make_engine(suitecrm_url, mapping="suitecrm-7")
    try:
        o = schema.opportunity
        rows = read_frame(engine, select(o.c.name, o.c.stage, o.c.status, o.c.probability, o.c.currency, o.c.closed_at).order_by(o.c.created_at)).values.tolist()
        assert [r[:5] for r in rows] == [
            ["Acme rollout", "won", "won", Decimal("1.0000"), "USD"],
            ["Blue Harbor pilot", "lost", "lost", Decimal("0.0000"), "EUR"],
            ["Acme expansion", "negotiation", "open", Decimal("0.8000"), "USD"],
            ["Blue Harbor phase 2", "won", "won", Decimal("1.0000"), "EUR"],
        ]
        assert rows[0][5] == datetime(2025, 5, 15, 6, 0) and pd.isna(rows[2][5])
        h = schema.opportunity_stage_history
        acme = select(o.c.opportunity_id).where(o.c.name == "Acme rollout").scalar_subquery()
        history = read_frame(engine, select(h.c.changed_at, h.c.stage).where(h.c.opportunity_id == acme).order_by(h.c.changed_at)).values.tolist()
        assert history == [[datetime(2025, 4, 2), "prospecting"], [datetime(2025, 4, 10), "proposal"], [datetime(2025, 5, 15, 6), "won"]]
    finally:
        engine.dispose()
    writer = create_engine(suitecrm_url)
    with writer.begin() as conn:
        conn.execute(text("ALTER TABLE opportunities DROP COLUMN sales_stage"))
    writer.dispose()
    engine = make_engine(suitecrm_url, mapping="suitecrm-7")
    try:
        missing = missing_schema(engine, ("opportunity",))
    finally:
        engine.dispose()
    stage = next(m for m in missing if m.startswith("opportunity.stage "))
    assert "mapping suitecrm-7" in stage and "sales_stage" in stage and "Unknown column" in stage


def test_suitecrm_preset_reads_flags_and_nulls_as_suitecrm_writes_them(suitecrm_url):
    # users.deleted and currencies.deleted have no default (DBManager gives a bool one only when the vardef does);
    # a portal-only user is no rep; conversion sets converted = 1, which outranks a status edited later.
    writer = create_engine(suitecrm_url)
    with writer.begin() as conn:
        conn.execute(text("INSERT INTO users (id, user_name, last_name, status, date_entered, date_modified) VALUES "
                          "('u-legacy', 'legacy', 'Legacy', 'Active', '2024-01-01', '2024-01-01'), "
                          "('u-portal', 'portal', 'Portal', 'Active', '2024-01-01', '2024-01-01')"))
        conn.execute(text("UPDATE users SET portal_only = 1 WHERE id = 'u-portal'"))
        conn.execute(text("INSERT INTO currencies (id, name, symbol, iso4217, conversion_rate, status, created_by) "
                          "VALUES ('gbp-id', 'Pound', '£', 'GBP', 0.5, 'Active', '1')"))
        conn.execute(text("INSERT INTO leads (id, date_entered, date_modified, deleted, status, converted, opportunity_id) VALUES "
                          "('lead-5', '2025-05-01', '2025-05-02', 0, 'In Process', 1, 'opp-3'), ('lead-6', '2025-05-03', '2025-05-03', 0, NULL, 0, NULL)"))
    writer.dispose()
    engine = make_engine(suitecrm_url, mapping="suitecrm-7")
    try:
        reps = read_frame(engine, select(schema.rep.c.code).order_by(schema.rep.c.code))["code"].tolist()
        assert reps == ["admin", "legacy", "sally"]
        fx = schema.exchange_rate
        rates = read_frame(engine, select(fx.c.from_currency, fx.c.rate).order_by(fx.c.from_currency)).values.tolist()
        assert rates == [["EUR", Decimal("1.25")], ["GBP", Decimal("2")]]
        ld = schema.lead
        acme = select(schema.opportunity.c.opportunity_id).where(schema.opportunity.c.name == "Acme expansion").scalar_subquery()
        leads = read_frame(engine, select(ld.c.status, ld.c.converted_opportunity_id == acme, ld.c.converted_at)
                           .where(ld.c.created_at >= datetime(2025, 5, 1)).order_by(ld.c.created_at)).values.tolist()
        assert leads[0] == ["converted", True, datetime(2025, 5, 1)]  # opp-3's creation
        assert leads[1][0] == "new" and pd.isna(leads[1][1]) and pd.isna(leads[1][2])
    finally:
        engine.dispose()


# --- The mapping file: checked against the canonical schema ----------------------------------------------

MINIMAL = '''
[tables.org_unit]
from = "teams t"
columns = { unit_id = "t.id", code = "t.code", name = "t.name", level = "'team'" }
'''


def _mapping(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "crm.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tables.acount]\nfrom = 'x'\n", r"\[tables\.acount\]: there is no canonical table 'acount'"),
        (MINIMAL.replace("level =", 'nmae = "x", level ='), r"\[tables\.org_unit\]: org_unit has no column 'nmae'"),
        ("[tables.org_unit]\nfrom = 'teams t'\ncolumns = { unit_id = 't.id' }\n", r"org_unit\.code is required"),
        ("[tables.org_unit]\ncolumns = { unit_id = 't.id' }\n", r"\[tables\.org_unit\]: from must be the SQL FROM clause"),
        (MINIMAL.replace('from = "teams t"', 'from = "teams t"\nform = "x"'), r"\[tables\.org_unit\]: unknown key\(s\) form"),
        (MINIMAL.replace('level = "\'team\'"', 'level = { sql = "t.lvl", mapp = {} }'), r"\[tables\.org_unit\]\.columns\.level: unknown key\(s\) mapp"),
        (MINIMAL.replace('level = "\'team\'"', 'level = { sql = "t.lvl", percent = true }'), r"percent applies to a number column; level is VARCHAR\(20\)"),
        (MINIMAL.replace('level = "\'team\'"', 'level = { sql = "t.lvl", else = "team" }'), r"else is the value for CRM values not in map"),
        (MINIMAL + '\n[mapping]\ntimestamps = "Mars/Olympus"\n', r"timestamps must be a time zone"),
        (MINIMAL.replace("teams t", "lead l"), r"the CRM table 'lead' has the name of a canonical table.*public\.lead"),
        (MINIMAL.replace("teams t", "teams t JOIN account a ON a.id = t.id"), r"the CRM table 'account' has the name of a canonical table"),
        ("tables = 3", r"no \[tables\.<table>\] section"),
        ("[tables.org_unit\n", r"is not valid TOML"),
    ],
)
def test_mapping_errors_name_file_table_and_key(tmp_path, body, message):
    path = _mapping(tmp_path, body)
    with pytest.raises(MappingError, match=message) as info:
        load_mapping(path)
    assert str(path) in str(info.value)


def test_a_schema_qualified_table_is_not_shadowed(tmp_path):
    assert load_mapping(_mapping(tmp_path, MINIMAL.replace("teams t", "public.lead l"))).tables["org_unit"].source == "public.lead l"


def test_presets_and_a_wrong_name(tmp_path):
    assert {"odoo-17", "suitecrm-7"} <= set(preset_names())
    for name in preset_names():
        assert load_mapping(name).name == name
    with pytest.raises(MappingError, match="neither a mapping file nor a preset; the presets are .*odoo-17"):
        load_mapping("odoo-16")
    with pytest.raises(ConnectionProblem, match="does not exist"):
        make_engine("sqlite://", mapping=str(tmp_path / "nope.toml"))


def test_unmapped_tables_read_empty_and_typed(fresh_db, backend, tmp_path):
    engine = fresh_db.engine(backend)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE teams (id INTEGER, code VARCHAR(40), name VARCHAR(200))"))
        conn.execute(text("INSERT INTO teams VALUES (1, 'T1', 'Team one')"))
    engine.dispose()
    mapped = make_engine(engine.url.render_as_string(hide_password=False), mapping=_mapping(tmp_path, MINIMAL))
    try:
        assert missing_schema(mapped) == []
        assert load_org(mapped).by_code("T1").level == "team"
        w = schema.wallet_estimate
        assert read_frame(mapped, select(func.count(), func.sum(w.c.amount)).select_from(w)).values.tolist() == [[0, None]]
        # A statement with its own CTE and a nested subquery reads the mapped tables inside both.
        inner = select(schema.org_unit.c.unit_id).where(schema.org_unit.c.unit_id.in_(select(schema.org_unit.c.unit_id).scalar_subquery())).cte("mine")
        assert read_frame(mapped, select(func.count()).select_from(inner)).iloc[0, 0] == 1
    finally:
        mapped.dispose()


# Around Berlin's 2025 changes: 30 March 02:00 local does not exist (read as 01:00 UTC, Python's first
# reading), 26 October 02:30 happens twice (read as the first, 00:30 UTC).
BERLIN = [
    (datetime(2025, 1, 15, 12, 0), datetime(2025, 1, 15, 11, 0)),
    (datetime(2025, 3, 30, 1, 59), datetime(2025, 3, 30, 0, 59)),
    (datetime(2025, 3, 30, 2, 30), datetime(2025, 3, 30, 1, 30)),
    (datetime(2025, 3, 30, 3, 0), datetime(2025, 3, 30, 1, 0)),
    (datetime(2025, 7, 1, 0, 30), datetime(2025, 6, 30, 22, 30)),
    (datetime(2025, 10, 26, 2, 30), datetime(2025, 10, 26, 0, 30)),
    (datetime(2025, 10, 26, 3, 0), datetime(2025, 10, 26, 2, 0)),
]


def test_crm_time_zone_to_utc_on_every_backend(fresh_db, backend):
    engine = fresh_db.engine(backend)
    zone = ZoneInfo("Europe/Berlin")
    for local, utc in BERLIN:
        assert local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None) == utc  # the table agrees with Python
        got = read_frame(engine, select(type_coerce(to_utc(literal(local, DateTime), zone), DateTime).label("utc"))).iloc[0, 0]
        assert pd.Timestamp(got).to_pydatetime() == utc, (backend, local)


def test_the_mapping_is_resolved_beside_the_url(monkeypatch):
    from data_layer.connection import resolve_source

    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_MAPPING", raising=False)
    secrets = {"connections": {"crm": {"url": "postgresql+psycopg://u:pw@db/odoo", "mapping": "odoo-17"}}}
    assert (resolve_source(secrets).url, resolve_source(secrets).mapping) == ("postgresql+psycopg://u:pw@db/odoo", "odoo-17")
    assert resolve_source({}).mapping is None  # the demo is canonical
    monkeypatch.setenv("CRM_MAPPING", "suitecrm-7")
    assert resolve_source(secrets).mapping == "suitecrm-7"
    monkeypatch.setenv("CRM_DATABASE_URL", "mysql+pymysql://u@db/suitecrm")
    assert (resolve_source(secrets).origin, resolve_source(secrets).mapping) == ("environment", "suitecrm-7")
