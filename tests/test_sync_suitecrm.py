"""``python -m data_layer.sync`` through the suitecrm-7 preset: a SuiteCRM on MariaDB copied into DuckDB reads
row for row like the SuiteCRM read in place, and a later sync follows SuiteCRM's ``date_modified`` and ``deleted``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, create_engine, select, text

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import make_engine
from data_layer.dimensions import copy_made, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from data_layer.sync import SyncReport, sync
from metrics.base import Context
from metrics.cli import summary
from tests import suitecrm_crm

AS_OF = date(2025, 7, 1)
Q2 = Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "days"))


def rows_of(engine: Engine, table: str) -> list[tuple]:
    t = schema.metadata.tables[table]
    with engine.connect() as conn:
        return sorted((tuple(r) for r in conn.execute(select(*t.columns))), key=repr)


def summary_of(engine: Engine) -> dict[str, dict]:
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), reporting_currency(engine, None), AS_OF)
    return {row["metric"]: row for row in summary(ctx, Q2, None)}


def counts(report: SyncReport, table: str) -> tuple[int, int, int]:
    """(new, changed, deleted) of ``table`` in ``report``."""
    found = next(t for t in report.tables if t.table == table)
    return found.new, found.changed, found.deleted


def crm_write(url: str, *statements: str) -> None:
    writer = create_engine(url)
    with writer.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    writer.dispose()


@pytest.fixture
def suitecrm_url(fresh_db) -> str:
    url = fresh_db.url("mariadb")
    writer = create_engine(url)
    suitecrm_crm.load(writer)
    writer.dispose()
    return url


def sales_id(engine: Engine, name: str) -> int:
    """The copy's id of the opportunity called ``name`` (the preset derives ids from SuiteCRM's 36-character ones)."""
    o = schema.opportunity
    with engine.connect() as conn:
        return int(conn.execute(select(o.c.opportunity_id).where(o.c.name == name)).scalar_one())


def test_a_suitecrm_copy_equals_suitecrm_read_in_place_row_for_row(suitecrm_url, tmp_path):
    report = sync(suitecrm_url, tmp_path / "copy.duckdb", "suitecrm-7", progress=False)
    copy, live = make_engine(f"duckdb:///{tmp_path / 'copy.duckdb'}"), make_engine(suitecrm_url, mapping="suitecrm-7")
    try:
        for table in schema.TABLES:
            expected = rows_of(live, table.name)
            assert rows_of(copy, table.name) == expected, table.name
            assert counts(report, table.name) == (len(expected), 0, 0), table.name
        assert len(rows_of(copy, "opportunity")) == 4 and len(rows_of(copy, "lead")) == 3  # opp-5 and lead-4 are flagged deleted
        assert summary_of(copy) == summary_of(live)
        assert summary_of(copy)["revenue"]["value"] == "1000.00"
        made = copy_made(copy)
        assert made is not None and made.source.endswith(" · suitecrm-7")
    finally:
        copy.dispose()
        live.dispose()


# What SuiteCRM itself writes: a save stamps date_modified (SugarBean::save), a delete sets deleted = 1 and
# date_modified (SugarBean::mark_deleted, which also flags the record's relationship rows).
CHANGES = (
    "UPDATE opportunities SET amount = 650, amount_usdollar = 650, sales_stage = 'Closed Won', probability = 100, "
    "date_modified = UTC_TIMESTAMP() WHERE id = 'opp-3'",
    "INSERT INTO opportunities_audit (id, parent_id, date_created, field_name, data_type, before_value_string, after_value_string) "
    "VALUES ('au-9', 'opp-3', '2025-06-20 00:00:00', 'sales_stage', 'enum', 'Negotiation/Review', 'Closed Won')",
    "UPDATE opportunities SET deleted = 1, date_modified = UTC_TIMESTAMP() WHERE id = 'opp-2'",
    "UPDATE accounts_opportunities SET deleted = 1, date_modified = UTC_TIMESTAMP() WHERE opportunity_id = 'opp-2'",
    "UPDATE leads SET deleted = 1, date_modified = UTC_TIMESTAMP() WHERE id = 'lead-3'",
)


def test_an_incremental_suitecrm_sync_follows_date_modified_and_deleted(suitecrm_url, tmp_path):
    path = tmp_path / "copy.duckdb"
    sync(suitecrm_url, path, "suitecrm-7", progress=False)
    first = make_engine(f"duckdb:///{path}")
    won, lost = sales_id(first, "Acme expansion"), sales_id(first, "Blue Harbor pilot")
    first.dispose()
    crm_write(suitecrm_url, *CHANGES)

    report = sync(suitecrm_url, path, "suitecrm-7", progress=False, overlap=timedelta(0))
    how = {t.table: t.how for t in report.tables}
    assert how["opportunity"] == how["lead"] == how["sales_order"] == "changes" and how["opportunity_stage_history"] == "whole"
    read = {t.table: t.read for t in report.tables}
    # lead-4 was deleted after the newest lead the copy holds was written: read again, it stays out.
    assert read["opportunity"] == 2 and read["lead"] == 2 and read["account"] == read["rep"] == 0
    assert counts(report, "opportunity") == (0, 1, 1)  # opp-3 now won; opp-2 flagged deleted leaves the copy
    assert counts(report, "sales_order") == (1, 0, 0)  # opp-3's win is an order
    assert counts(report, "lead") == (0, 0, 1)

    copy, live = make_engine(f"duckdb:///{path}"), make_engine(suitecrm_url, mapping="suitecrm-7")
    try:
        opportunities = {r[0]: r for r in rows_of(copy, "opportunity")}
        assert lost not in opportunities and opportunities[won][schema.opportunity.c.keys().index("status")] == "won"
        for table in schema.TABLES:
            assert rows_of(copy, table.name) == rows_of(live, table.name), table.name
        assert summary_of(copy)["revenue"]["value"] == "1650.00"
    finally:
        copy.dispose()
        live.dispose()
