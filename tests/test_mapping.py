"""Reading a CRM in place through a mapping (data_layer/mapping.py): the file is checked, nothing is
written to the CRM, and every metric reads the same through a mapping as from the canonical tables."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, Engine, create_engine, select, text

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import ConnectionProblem, make_engine, missing_name, missing_schema, read_frame
from data_layer.dimensions import load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from data_layer.mapping import MappingError, load_mapping, preset_names, to_utc
from metrics.base import Context
from metrics.cli import main as cli_main
from metrics.cli import summary
from tests import odoo_crm, tiny_crm, toy_crm

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
