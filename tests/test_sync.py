"""``python -m data_layer.sync``: a CRM copied into a DuckDB file equals the CRM, row for row and in every
metric; later syncs copy only what changed; an interrupted sync leaves the old copy; readers keep working."""

from __future__ import annotations

import fcntl
import hashlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.exc import DataError

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import make_engine, short
from data_layer.demo import build_demo
from data_layer.dimensions import CopyMade, copy_made, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from data_layer.mapping import MappingError, load_mapping
from data_layer.sync import SyncError, SyncReport, main, partial_path, sync
from metrics.base import Context
from metrics.cli import summary
from tests import odoo_crm, tiny_crm
from ui.cache import file_version
from ui.widgets import copy_line

AS_OF = date(2025, 7, 1)
Q2 = Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "days"))


def summary_of(engine: Engine, flt: Filters) -> dict[str, dict]:
    """Every metric of the registry, as ``python -m metrics summary`` gives them, by key."""
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), reporting_currency(engine, None), AS_OF)
    return {row["metric"]: row for row in summary(ctx, flt, None)}


def rows_of(engine: Engine, table: str) -> list[tuple]:
    t = schema.metadata.tables[table]
    with engine.connect() as conn:
        return sorted((tuple(r) for r in conn.execute(select(*t.columns))), key=repr)


def copy_of(path: Path) -> Engine:
    return make_engine(f"duckdb:///{path}")


def counts(report: SyncReport, table: str) -> tuple[int, int, int]:
    """(new, changed, deleted) of ``table`` in ``report``."""
    found = next(t for t in report.tables if t.table == table)
    return found.new, found.changed, found.deleted


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- A canonical CRM on PostgreSQL and on MariaDB ---------------------------------------------------------


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_a_full_sync_equals_the_crm_row_for_row(fresh_db, server, tmp_path):
    crm = fresh_db.engine(server)
    build_demo(crm, size="XS", seed=7, as_of=AS_OF, progress=False, summaries=False)  # every table, every column
    url = crm.url.render_as_string(hide_password=False)
    report = sync(url, tmp_path / "copy.duckdb", progress=False)
    assert not partial_path(tmp_path / "copy.duckdb").exists()
    copy = copy_of(tmp_path / "copy.duckdb")
    try:
        for table in schema.TABLES:
            expected = rows_of(crm, table.name)
            assert rows_of(copy, table.name) == expected, table.name
            assert counts(report, table.name) == (len(expected), 0, 0)
        made = copy_made(copy)
        assert made is not None and made.source == short(url)
        assert datetime.now(timezone.utc) - made.made_at < timedelta(minutes=1)
    finally:
        copy.dispose()
    again = sync(url, tmp_path / "copy.duckdb", progress=False)  # no modification times: read whole, nothing differs
    assert {t.how for t in again.tables} == {"whole"}
    assert all(counts(again, t.name) == (0, 0, 0) for t in schema.TABLES)


@pytest.mark.parametrize("server", ["postgresql", "mariadb"])
def test_a_copys_metrics_equal_the_crms(fresh_db, server, tmp_path):
    crm = fresh_db.engine(server)
    tiny_crm.load(crm)
    sync(crm.url.render_as_string(hide_password=False), tmp_path / "copy.duckdb", progress=False)
    copy = copy_of(tmp_path / "copy.duckdb")
    try:
        expected = summary_of(crm, Q2)
        assert expected["revenue"]["value"] == "1220.10"
        assert summary_of(copy, Q2) == expected
    finally:
        copy.dispose()


# --- Odoo through the odoo-17 preset ---------------------------------------------------------------------------


@pytest.fixture
def odoo_url(fresh_db) -> str:
    url = fresh_db.url("postgresql")
    writer = create_engine(url)
    odoo_crm.load(writer)
    with writer.begin() as conn:  # every record last written on the first of July, before the first sync
        for table in ("res_partner", "res_users", "crm_team", "crm_lead", "sale_order"):
            conn.execute(text(f"UPDATE {table} SET write_date = '2025-07-01 00:00'"))
    writer.dispose()
    return url


def crm_write(url: str, *statements: str) -> None:
    writer = create_engine(url)
    with writer.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    writer.dispose()


def test_a_mapped_copy_reads_like_the_crm_read_in_place(odoo_url, tmp_path):
    sync(odoo_url, tmp_path / "copy.duckdb", "odoo-17", progress=False)
    copy, live = copy_of(tmp_path / "copy.duckdb"), make_engine(odoo_url, mapping="odoo-17")
    try:
        assert summary_of(copy, Q2) == summary_of(live, Q2)
        assert summary_of(copy, Q2)["revenue"]["value"] == "1640.00"
        made = copy_made(copy)
        assert made is not None and made.source.endswith(" · odoo-17")
    finally:
        copy.dispose()
        live.dispose()


CHANGES = (
    "UPDATE crm_lead SET partner_name = 'Great Wall Trading', expected_revenue = 6000, write_date = now() WHERE id = 5",
    "INSERT INTO crm_lead (id, name, type, active, team_id, user_id, company_id, stage_id, probability, partner_id, expected_revenue, create_date) "
    "VALUES (8, 'Acme phase 2', 'opportunity', true, 1, 2, 1, 1, 10, 10, 2500, '2025-06-20 00:00')",
    "UPDATE sale_order SET state = 'cancel', write_date = now() WHERE id = 3",  # leaves the mapping's WHERE
    "DELETE FROM sale_order WHERE id = 1",  # gone without a trace: only the id comparison sees it
)


def test_an_incremental_sync_copies_only_what_changed(odoo_url, tmp_path):
    path = tmp_path / "copy.duckdb"
    sync(odoo_url, path, "odoo-17", progress=False)
    crm_write(odoo_url, *CHANGES)
    report = sync(odoo_url, path, "odoo-17", progress=False, overlap=timedelta(0))  # no second look at 1 July's rows
    how = {t.table: t.how for t in report.tables}
    assert how["opportunity"] == how["lead"] == how["sales_order"] == "changes" and how["opportunity_stage_history"] == "whole"
    read = {t.table: t.read for t in report.tables}
    assert read["opportunity"] == read["lead"] == 2 and read["sales_order"] == 1 and read["account"] == read["rep"] == 0
    assert counts(report, "lead") == (1, 1, 0)
    assert counts(report, "opportunity") == (1, 1, 0)
    assert counts(report, "sales_order") == (0, 0, 1)  # the cancelled order; the deleted one is still in the copy
    assert counts(report, "account") == (0, 0, 0)
    overlapping = sync(odoo_url, path, "odoo-17", progress=False)  # reads the last ten minutes' rows again, finds nothing new
    assert next(t for t in overlapping.tables if t.table == "opportunity").read == 2
    assert all(counts(overlapping, t) == (0, 0, 0) for t in ("lead", "opportunity", "sales_order", "account", "rep"))
    copy = copy_of(path)
    assert {r[0] for r in rows_of(copy, "sales_order")} == {1, 2}
    copy.dispose()

    compared = sync(odoo_url, path, "odoo-17", compare_ids=True, progress=False)
    assert next(t for t in compared.tables if t.table == "sales_order").how == "changes + ids"
    assert counts(compared, "sales_order") == (0, 0, 1) and counts(compared, "lead") == (0, 0, 0)
    sync(odoo_url, tmp_path / "fresh.duckdb", "odoo-17", full=True, progress=False)
    copy, fresh = copy_of(path), copy_of(tmp_path / "fresh.duckdb")
    try:
        for table in schema.TABLES:
            assert rows_of(copy, table.name) == rows_of(fresh, table.name), table.name
    finally:
        copy.dispose()
        fresh.dispose()


def test_an_interrupted_sync_leaves_the_old_copy_and_the_next_one_finishes(odoo_url, tmp_path):
    path = tmp_path / "copy.duckdb"
    sync(odoo_url, path, "odoo-17", progress=False)
    before = digest(path)
    crm_write(odoo_url, *CHANGES)

    def pull_the_plug(table: str) -> None:
        if table == "account":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync(odoo_url, path, "odoo-17", progress=False, after_table=pull_the_plug)
    assert digest(path) == before and partial_path(path).exists()
    old = duckdb.connect(str(path), read_only=True)
    assert old.execute("SELECT count(*) FROM sales_order").fetchone()[0] == 3
    old.close()

    report = sync(odoo_url, path, "odoo-17", progress=False)
    resumed = [t.table for t in report.tables if t.resumed]
    assert resumed == ["org_unit", "rep", "rep_team_history", "business_unit", "project_grade", "product", "account"]
    assert counts(report, "sales_order") == (0, 0, 1) and not partial_path(path).exists()
    sync(odoo_url, tmp_path / "fresh.duckdb", "odoo-17", full=True, progress=False)
    copy, fresh = copy_of(path), copy_of(tmp_path / "fresh.duckdb")
    try:
        for table in ("lead", "opportunity", "account", "opportunity_stage_history"):
            assert rows_of(copy, table) == rows_of(fresh, table), table
        assert {r[0] for r in rows_of(copy, "sales_order")} == {1, 2}  # order 1 waits for the id comparison
    finally:
        copy.dispose()
        fresh.dispose()


def test_a_failing_summary_build_is_the_copys_fault_not_the_crms(odoo_url, tmp_path, monkeypatch):
    def out_of_range(engine, settings):
        raise DataError("INSERT INTO granary_order_month …", {}, ValueError("value out of range for INT32"))

    monkeypatch.setattr("data_layer.sync._summaries", out_of_range)
    with pytest.raises(SyncError, match=r"Building the summary tables of .*copy\.duckdb\.partial failed \(value out of range") as info:
        sync(odoo_url, tmp_path / "copy.duckdb", "odoo-17", progress=False)
    assert "Cannot read the CRM" not in str(info.value) and not (tmp_path / "copy.duckdb").exists()


def test_a_reader_keeps_the_old_file_and_a_new_one_sees_the_new_copy(odoo_url, tmp_path):
    path = tmp_path / "copy.duckdb"
    url = f"duckdb:///{path}"
    sync(odoo_url, path, "odoo-17", progress=False)
    version = file_version(url)
    reader = duckdb.connect(str(path), read_only=True)
    assert reader.execute("SELECT count(*) FROM opportunity").fetchone()[0] == 5
    crm_write(odoo_url, *CHANGES)
    sync(odoo_url, path, "odoo-17", progress=False)
    assert reader.execute("SELECT count(*) FROM opportunity").fetchone()[0] == 5  # still the old file
    reader.close()
    assert file_version(url) != version  # so ui/cache.py opens a new engine on the next rerun
    new = duckdb.connect(str(path), read_only=True)
    assert new.execute("SELECT count(*) FROM opportunity").fetchone()[0] == 6
    new.close()


# --- The heading, the mapping key and the command ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "lang", "line", "stale"),
    [
        (12, "en", "Copy of postgresql · crm on db · odoo-17 made 1 Jul 2025 at 12:00 (12 min ago)", False),
        (0.5, "en", "Copy of postgresql · crm on db · odoo-17 made 1 Jul 2025 at 12:00 (just now)", False),
        (185, "zh", "postgresql · crm on db · odoo-17 的副本，制作于 2025年7月1日 12:00（3 小时前）", False),
        (3 * 24 * 60, "en", "Copy of postgresql · crm on db · odoo-17 made 1 Jul 2025 at 12:00 (3 days ago)", True),
    ],
)
def test_the_heading_says_how_old_the_copy_is(minutes, lang, line, stale):
    made = CopyMade("postgresql · crm on db · odoo-17", datetime(2025, 7, 1, 4, 0, tzinfo=timezone.utc))  # 12:00 in Shanghai
    assert copy_line(made, made.made_at + timedelta(minutes=minutes), Calendar(timezone="Asia/Shanghai"), lang) == (line, stale)


def test_modified_is_checked_like_the_other_keys(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('[tables.account_history]\nfrom = "h"\nmodified = "h.changed"\n[tables.account_history.columns]\n'
                    'account_id = "h.a"\nhome_unit_id = "h.u"\nvalid_from = "h.f"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"\[tables.account_history\]: modified needs a table with a key"):
        load_mapping(path)
    path.write_text('[tables.product]\nfrom = "p"\nmodified = 3\n[tables.product.columns]\nproduct_id = "p.id"\ncode = "p.c"\n'
                    'name = "p.n"\nbu_id = "p.b"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"\[tables.product\]: modified must be the SQL expression"):
        load_mapping(path)


def test_the_command_reports_what_it_copied(odoo_url, tmp_path, capsys):
    assert main(["--url", odoo_url, "--mapping", "odoo-17", "--to", str(tmp_path / "copy.duckdb"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "opportunity" in out and "summary tables rebuilt" in out and "sync of postgresql" in out
    assert main(["--url", odoo_url, "--mapping", "no-such-crm", "--to", str(tmp_path / "x.duckdb"), "--quiet"]) == 2
    assert "neither a mapping file nor a preset" in capsys.readouterr().err


def test_a_second_sync_of_the_same_copy_does_nothing(odoo_url, tmp_path):
    path = tmp_path / "copy.duckdb"
    with open(tmp_path / "copy.duckdb.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a sync still running
        with pytest.raises(SyncError, match="Another sync of .* is running"):
            sync(odoo_url, path, "odoo-17", progress=False)
    assert not path.exists() and not partial_path(path).exists()


def test_the_app_on_a_copy_says_whose_copy_it_is_and_how_old(fresh_db, tmp_path, monkeypatch):
    from tests.apptest import app_test, executive_only  # noqa: PLC0415 - only this test runs the app

    crm = fresh_db.engine("postgresql")
    tiny_crm.load(crm)
    url = crm.url.render_as_string(hide_password=False)
    sync(url, tmp_path / "copy.duckdb", progress=False)
    at = app_test(monkeypatch, f"duckdb:///{tmp_path / 'copy.duckdb'}", entitlements=executive_only())
    at.query_params.update({"start": "2025-04-01", "end": "2025-06-30"})
    at.run(timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(str(c.value) for c in (*at.caption, *at.markdown))
    copy = copy_of(tmp_path / "copy.duckdb")
    made = copy_made(copy)
    copy.dispose()
    assert made is not None and made.source == short(url)
    assert f"Copy of {short(url)} made" in shown.replace("\\", "")
    assert {m.label: m.value for m in at.metric}["Revenue"] == "$1,220.10"  # the copy's figures, as the CRM's
