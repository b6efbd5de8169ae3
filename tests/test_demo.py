"""The demo generator: builds on every backend, is deterministic, and shows the shapes the dashboard reveals."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from itertools import pairwise

import duckdb
import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select

from data_layer.demo import APPROXIMATE, SIZES, build_demo, main
from data_layer.schema import TABLES

AS_OF = dt.date(2026, 3, 31)


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}


def _check_counts(written: dict[str, int], size: str) -> None:
    for table, expected in SIZES[size].items():
        if table in APPROXIMATE:
            assert abs(written[table] - expected) <= 0.25 * expected, (table, written[table], expected)
        else:
            assert written[table] == expected, (table, written[table], expected)


def test_sizes_cover_every_table_and_grow():
    names = {t.name for t in TABLES}
    for size in SIZES.values():
        assert set(size) == names
    for table in names - {"org_unit", "business_unit", "product", "project_grade", "exchange_rate"}:
        assert SIZES["XS"][table] < SIZES["S"][table] < SIZES["M"][table] < SIZES["L"][table], table
    for table in ("account", "lead", "opportunity", "sales_order"):
        assert SIZES["L"][table] == 10 * SIZES["M"][table]
    assert (SIZES["S"]["account"], SIZES["S"]["lead"], SIZES["S"]["opportunity"], SIZES["S"]["sales_order"]) == (
        2_000, 20_000, 10_000, 30_000)


def test_builds_on_every_backend(fresh_db, backend):
    engine = fresh_db.engine(backend)
    written = build_demo(engine, "XS", seed=3, as_of=AS_OF, progress=False)
    _check_counts(written, "XS")
    assert _counts(engine) == written


def _frames(path: str) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(path, read_only=True)
    try:
        return {t.name: con.execute(f'SELECT * FROM "{t.name}" ORDER BY ALL').df() for t in TABLES}
    finally:
        con.close()


def _build(path, **kw) -> None:
    engine = create_engine(f"duckdb:///{path}")
    build_demo(engine, progress=False, **kw)
    engine.dispose()


def test_same_seed_and_as_of_give_identical_rows(tmp_path):
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        _build(tmp_path / f"{name}.duckdb", size="XS", seed=seed, as_of=AS_OF)
    a, b, c = (_frames(str(tmp_path / f"{n}.duckdb")) for n in "abc")
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table], check_exact=True, obj=table)
    assert not a["sales_order"].equals(c["sales_order"])


def test_the_build_stages_write_every_table_once():
    from data_layer.demo import BUILD_STAGES, PRODUCERS

    names = [t.name for t, _ in PRODUCERS]
    assert sorted(names) == sorted(t.name for t in TABLES)
    assert sum(len(stage) for stage in BUILD_STAGES) == len(names)


def test_a_file_build_caps_duckdb_memory_then_restores_it(tmp_path, monkeypatch):
    """At size L the generator's arrays take most of the memory; DuckDB must not keep every
    table it was given in memory as well (by default it may take 80% of the machine's)."""
    import data_layer.demo as demo

    engine = create_engine(f"duckdb:///{tmp_path / 'cap.duckdb'}")

    def gib() -> float:
        with engine.connect() as conn:
            value, unit = conn.exec_driver_sql("SELECT current_setting('memory_limit')").scalar().split()
        return float(value) * {"KiB": 2**-20, "MiB": 2**-10, "GiB": 1, "TiB": 2**10}[unit]

    before, seen = gib(), set()
    real = demo.bulk_insert

    def spy(eng, table, frame):
        seen.add(gib())
        return real(eng, table, frame)

    monkeypatch.setattr(demo, "bulk_insert", spy)
    demo.build_demo(engine, "XS", seed=3, as_of=AS_OF, progress=False, summaries=False)
    after = gib()
    engine.dispose()
    assert seen == {3.7}  # DUCKDB_BUILD_MEMORY, 4 GB
    assert abs(after - before) < 0.2


def test_cli_builds_refuses_to_overwrite_and_replaces(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'sub' / 'cli.duckdb'}"
    args = ["--size", "XS", "--url", url, "--as-of", "2025-06-30", "--quiet"]
    assert main(args) == 0
    with pytest.raises(SystemExit):
        main(args)
    assert main([*args, "--replace", "--locale", "zh"]) == 0
    assert "rows in 19 tables" in capsys.readouterr().out
    # Each build is remembered in Granary's own database, not in the CRM it built.
    from sqlalchemy import select as sql_select

    from data_layer.app_store import app_database_url, demo_build

    own = create_engine(app_database_url())
    with own.connect() as conn:
        builds = conn.execute(sql_select(demo_build.c.url, demo_build.c.locale).where(demo_build.c.url == url)).all()
    own.dispose()
    assert [b.locale for b in builds] == ["en", "zh"]


def test_chinese_locale(tmp_path):
    path = tmp_path / "zh.duckdb"
    _build(path, size="XS", seed=5, as_of=AS_OF, locale="zh")
    con = duckdb.connect(str(path), read_only=True)
    han = re.compile(r"[\u4e00-\u9fff]")
    for table, column in (("account", "name"), ("rep", "name"), ("org_unit", "name"), ("business_unit", "name"),
                          ("lead", "contact_name"), ("product", "name")):
        values = [r[0] for r in con.execute(f"SELECT {column} FROM {table}").fetchall()]
        assert sum(bool(han.search(v)) for v in values) >= 0.9 * len(values), table
    assert con.execute("SELECT name FROM org_unit WHERE code = 'CN-E'").fetchone() == ("华东地区部",)
    assert con.execute("SELECT name FROM org_unit WHERE code = 'CN-E-SH'").fetchone() == ("上海代表处",)
    codes = [r[0] for r in con.execute("SELECT code FROM org_unit UNION ALL SELECT code FROM business_unit").fetchall()]
    assert all(c.isascii() for c in codes)
    assert con.execute("SELECT DISTINCT to_currency FROM exchange_rate").fetchall() == [("CNY",)]
    con.close()


# --- shapes, on S in DuckDB ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def s_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "s.duckdb"
    engine = create_engine(f"duckdb:///{path}")
    written = build_demo(engine, "S", seed=7, as_of=AS_OF, progress=False)
    engine.dispose()
    _check_counts(written, "S")
    return path


@pytest.fixture(scope="module")
def s_db(s_path):
    con = duckdb.connect(str(s_path), read_only=True)
    yield con
    con.close()


def one(con, sql: str):
    return con.execute(sql).fetchone()[0]


def test_organisation(s_db):
    levels = dict(s_db.execute("SELECT level, count(*) FROM org_unit GROUP BY 1").fetchall())
    assert 1 <= levels["cluster"] <= 2 and 4 <= levels["region"] <= 6
    per_region = [r[0] for r in s_db.execute(
        "SELECT count(*) FROM org_unit o JOIN org_unit r ON o.parent_id = r.unit_id "
        "WHERE o.level = 'office' GROUP BY r.unit_id").fetchall()]
    assert len(per_region) == levels["region"] and all(3 <= n <= 8 for n in per_region)
    per_office = [r[0] for r in s_db.execute(
        "SELECT count(*) FROM org_unit t WHERE level = 'team' GROUP BY parent_id").fetchall()]
    assert all(2 <= n <= 4 for n in per_office)
    assert one(s_db, "SELECT count(*) FROM business_unit WHERE kind = 'product'") in range(4, 7)
    assert one(s_db, "SELECT count(*) FROM project_grade") == 3
    assert one(s_db, "SELECT count(*) FROM org_unit WHERE level = 'office' AND revenue_floor IS NULL") == 0


def test_about_one_lead_in_ten_becomes_an_opportunity_within_90_days(s_db):
    share = one(s_db, "SELECT avg(CASE WHEN converted_at <= created_at + INTERVAL 90 DAY THEN 1.0 ELSE 0 END) FROM lead")
    assert 0.06 <= share <= 0.14
    assert one(s_db, """SELECT count(*) FROM lead l JOIN opportunity o ON o.opportunity_id = l.converted_opportunity_id
                        WHERE o.created_at <> l.converted_at OR o.source_channel <> 'lead'""") == 0
    lead_share = one(s_db, "SELECT avg(CASE WHEN source_channel = 'lead' THEN 1.0 ELSE 0 END) FROM opportunity")
    assert lead_share < 0.5
    returned = one(s_db, "SELECT count(DISTINCT lead_id) FROM lead_status_history WHERE status = 'returned'") / 20_000
    assert 0.05 <= returned <= 0.10
    assert one(s_db, """SELECT count(*) FROM lead WHERE status = 'converted' AND lead_id IN
                        (SELECT lead_id FROM lead_status_history WHERE status = 'returned')""") > 0


def test_win_rates_differ_by_region_and_cycles_have_a_long_tail(s_db):
    rates = [r[0] for r in s_db.execute("""
        SELECT avg(CASE WHEN o.status = 'won' THEN 1.0 ELSE 0 END) FROM opportunity o
        JOIN org_unit u ON u.unit_id = o.unit_id WHERE o.status <> 'open' GROUP BY u.parent_id""").fetchall()]
    assert max(rates) - min(rates) >= 0.08
    median, p90 = s_db.execute("""SELECT quantile_cont(d, 0.5), quantile_cont(d, 0.9) FROM
        (SELECT date_diff('day', created_at, closed_at) d FROM opportunity WHERE status = 'won')""").fetchone()
    assert p90 >= 2 * median
    assert one(s_db, "SELECT count(*) FROM opportunity WHERE status = 'open'") > 0
    assert one(s_db, "SELECT count(*) FROM opportunity WHERE status = 'lost' AND loss_reason IS NULL") == 0
    assert one(s_db, "SELECT count(*) FROM opportunity WHERE status = 'won' AND opportunity_id NOT IN "
                     "(SELECT opportunity_id FROM sales_order WHERE opportunity_id IS NOT NULL)") == 0


def test_stage_history_ends_at_the_opportunity_as_it_stands(s_db):
    assert one(s_db, """SELECT count(*) FROM (SELECT opportunity_id, changed_at FROM opportunity_stage_history
                        GROUP BY ALL HAVING count(*) > 1)""") == 0
    assert one(s_db, """SELECT count(*) FROM (SELECT min(changed_at) first, opportunity_id FROM opportunity_stage_history
                        GROUP BY 2) h JOIN opportunity o USING (opportunity_id) WHERE h.first <> o.created_at""") == 0
    assert one(s_db, """
        WITH last AS (SELECT *, row_number() OVER (PARTITION BY opportunity_id ORDER BY changed_at DESC) rn
                      FROM opportunity_stage_history)
        SELECT count(*) FROM last JOIN opportunity o USING (opportunity_id)
        WHERE rn = 1 AND (last.stage <> o.stage OR last.amount <> o.amount OR last.probability <> o.probability
                          OR last.expected_close_date <> o.expected_close_date)""") == 0


def test_quarter_end_rush(s_db):
    first, last = s_db.execute("""SELECT sum(CASE WHEN month(order_date) % 3 = 1 THEN 1 ELSE 0 END),
                                         sum(CASE WHEN month(order_date) % 3 = 0 THEN 1 ELSE 0 END)
                                  FROM sales_order""").fetchone()
    assert last > 1.2 * first


def test_a_few_accounts_bring_much_of_the_revenue(s_db):
    share = one(s_db, """
        WITH revenue AS (
            SELECT account_id, sum(o.amount * coalesce(x.rate, 1)) AS v FROM sales_order o
            LEFT JOIN exchange_rate x ON x.from_currency = o.currency AND o.order_date >= x.valid_from
                 AND (x.valid_to IS NULL OR o.order_date < x.valid_to)
            GROUP BY 1),
        ranked AS (SELECT v, row_number() OVER (ORDER BY v DESC) rn, count(*) OVER () n FROM revenue)
        SELECT sum(CASE WHEN rn <= n * 0.05 THEN v END) / sum(v) FROM ranked""")
    assert 0.35 <= share <= 0.60


def test_campaigns_win_new_customers_through_their_leads_deals(s_path, s_db, tmp_path):
    """Campaign ROI has something to show: campaign leads' deals win new customers — the deal's order is the
    account's first — with revenue, some campaigns paying back and others not, as other leads do."""
    from data_layer.config import load_settings
    from data_layer.dimensions import load_org
    from data_layer.filters import DEFAULT_VIEWER, Filters, Period
    from metrics import customers
    from metrics.base import Context, result
    from metrics.campaigns import campaign_table

    copy = tmp_path / "s.duckdb"  # the module's own connection holds the file with another configuration
    shutil.copyfile(s_path, copy)
    engine = create_engine(f"duckdb:///{copy}")
    try:
        ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, load_settings().calendar, "USD", AS_OF)
        # the window's first two years: their leads' deals have had time to close
        flt = Filters(period=Period(_window_start(AS_OF), AS_OF.replace(year=AS_OF.year - 1), "month", "days"))
        table = campaign_table(ctx, flt)
        kinds = campaign_table(ctx, flt, by="kind").set_index("kind", drop=False)
        new_customers = result(customers.METRIC, ctx, flt).value
    finally:
        engine.dispose()
    camp, organic = table[table["campaign_id"].notna()], table[table["campaign_id"].isna()].iloc[0]
    won = camp[camp["customers"] > 0]
    assert len(won) >= len(camp) // 4, camp[["name", "leads", "opportunities", "customers"]]
    assert (won["revenue"] > 0).all() and (camp.loc[camp["customers"] == 0, "revenue"] == 0).all()
    assert all(kinds.loc[k, "customers"] > 0 for k in ("roadshow", "trade_show", "event")), kinds
    # a spread of returns: some campaigns paid for themselves, some that won customers did not
    assert (won["roi"] > 0).any() and (won["roi"] < 0).any(), won[["name", "customers", "revenue", "cost", "roi"]]
    # campaign leads' deals win new companies at least about as often as other leads' deals
    rate = camp["customers"].sum() / camp["opportunities"].sum()
    assert rate >= 0.5 * organic["customers"] / organic["opportunities"], (rate, organic)
    # leads bring a good part of the new customers, not all: reps' own prospecting brings others
    from_leads = camp["customers"].sum() + organic["customers"]
    assert 0.2 <= from_leads / new_customers <= 0.75, (from_leads, new_customers)
    # each new customer's first order is a won deal's far more often than not
    by_deal = one(s_db, f"""
        WITH f AS (SELECT account_id, min(order_date) d FROM sales_order WHERE amount > 0 GROUP BY 1)
        SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM sales_order s WHERE s.account_id = f.account_id
                                     AND s.order_date = f.d AND s.opportunity_id IS NOT NULL) THEN 1.0 ELSE 0 END)
        FROM f WHERE f.d >= DATE '{_window_start(AS_OF)}'""")
    assert by_deal >= 0.5, by_deal


def test_wallets_currencies_and_people(s_db):
    coverage = one(s_db, "SELECT count(DISTINCT account_id) / (SELECT count(*) FROM account) FROM wallet_estimate")
    assert 0.70 <= coverage <= 0.90
    assert one(s_db, "SELECT count(DISTINCT currency) FROM sales_order") >= 2
    assert one(s_db, "SELECT count(*) FROM exchange_rate WHERE to_currency = from_currency") == 0
    assert one(s_db, """SELECT count(*) FROM account a JOIN rep r ON r.rep_id = a.owner_rep_id
                        WHERE r.leave_date IS NOT NULL""") > 0
    left = one(s_db, "SELECT avg(CASE WHEN leave_date IS NOT NULL THEN 1.0 ELSE 0 END) FROM rep")
    assert 0.04 <= left <= 0.12


def test_late_deliveries_and_late_lead_responses(s_db):
    assert one(s_db, "SELECT count(*) FROM sales_order WHERE shipped_date > promised_delivery_date") > 100
    hours = s_db.execute("""SELECT quantile_cont(h, 0.5), max(h) FROM
        (SELECT date_diff('second', assigned_at, first_response_at) / 3600 h FROM lead)""").fetchone()
    assert hours[0] < 12 and hours[1] > 72
    assert one(s_db, "SELECT count(*) FROM sales_order WHERE cash_collected_date IS NULL AND invoiced_date IS NOT NULL") > 0


def test_histories_do_not_overlap_and_end_at_the_current_row(s_db):
    for table, key in (("account_history", "account_id"), ("rep_team_history", "rep_id")):
        assert one(s_db, f"""SELECT count(*) FROM {table} a JOIN {table} b ON a.{key} = b.{key}
            AND a.valid_from < b.valid_from AND (a.valid_to IS NULL OR a.valid_to > b.valid_from)""") == 0, table
        assert one(s_db, f"SELECT count(*) FROM {table} WHERE valid_to <= valid_from") == 0, table
    assert one(s_db, """SELECT count(*) FROM account a LEFT JOIN account_history h
                        ON h.account_id = a.account_id AND h.valid_to IS NULL
                        WHERE h.owner_rep_id IS DISTINCT FROM a.owner_rep_id OR h.home_unit_id IS DISTINCT FROM a.home_unit_id""") == 0
    assert one(s_db, """SELECT count(*) FROM account_history a JOIN account_history b ON a.account_id = b.account_id
                        AND a.valid_to = b.valid_from WHERE a.home_unit_id <> b.home_unit_id""") > 0
    assert one(s_db, "SELECT count(DISTINCT rep_id) FROM rep_team_history WHERE valid_to IS NOT NULL") > 0


EVENT_COLUMNS = {
    "account": ["created_at"], "lead": ["created_at", "assigned_at", "first_response_at", "qualified_at", "converted_at"],
    "lead_status_history": ["changed_at"], "opportunity": ["created_at", "closed_at"],
    "opportunity_stage_history": ["changed_at"], "activity": ["occurred_at"],
    "sales_order": ["order_date", "shipped_date", "invoiced_date", "cash_collected_date"],
    "service_ticket": ["opened_at", "first_response_at", "resolved_at"], "wallet_estimate": ["estimated_at"],
    "rep": ["hire_date", "leave_date"], "account_history": ["valid_from", "valid_to"],
    "rep_team_history": ["valid_from"], "campaign": ["start_date", "end_date"],
}


def test_nothing_happens_after_the_as_of_date(s_db):
    for table, columns in EVENT_COLUMNS.items():
        for column in columns:
            newest = one(s_db, f"SELECT max(CAST({column} AS DATE)) FROM {table}")
            assert newest <= AS_OF, (table, column, newest)
    assert one(s_db, "SELECT max(order_date) FROM sales_order") >= AS_OF - dt.timedelta(days=1)
    assert one(s_db, "SELECT max(CAST(created_at AS DATE)) FROM lead") >= AS_OF - dt.timedelta(days=1)


def test_targets_are_near_last_years_actuals(s_db):
    kinds = s_db.execute("""SELECT count(DISTINCT rep_id), count(DISTINCT unit_id), count(DISTINCT bu_id),
                                   count(DISTINCT measure) FROM target""").fetchone()
    assert kinds[0] > 100 and kinds[1] > 30 and kinds[2] >= 4 and kinds[3] == 4
    # office revenue in the last full quarter against its target: some ahead, some behind
    rows = s_db.execute("""
        WITH actual AS (
            SELECT CASE WHEN u.level = 'team' THEN u.parent_id ELSE u.unit_id END AS unit_id,
                   sum(o.amount * coalesce(x.rate, 1)) v FROM sales_order o
            JOIN org_unit u ON u.unit_id = o.unit_id
            LEFT JOIN exchange_rate x ON x.from_currency = o.currency AND o.order_date >= x.valid_from
                 AND (x.valid_to IS NULL OR o.order_date < x.valid_to)
            WHERE o.order_date BETWEEN DATE '2025-10-01' AND DATE '2025-12-31' GROUP BY 1)
        SELECT a.v / t.value FROM target t JOIN actual a USING (unit_id)
        WHERE t.measure = 'revenue' AND t.period_start = DATE '2025-10-01' AND t.rep_id IS NULL AND t.bu_id IS NULL
          AND t.unit_id IN (SELECT unit_id FROM org_unit WHERE level = 'office')""").fetchall()
    ratios = [r[0] for r in rows]
    assert len(ratios) > 20
    assert any(r < 1 for r in ratios) and any(r > 1 for r in ratios)
    assert 0.6 < sorted(ratios)[len(ratios) // 2] < 1.4


def test_targets_are_set_top_down_and_add_up(s_db):
    """Teams' targets add up to their office's, reps' to their team's, except where an office was
    given a stretch above its teams (about one office-quarter in twelve: the targets view flags it)."""
    offices = s_db.execute("""
        SELECT t.measure, t.period_start, t.value, sum(c.value) FROM target t
        JOIN org_unit u ON u.unit_id = t.unit_id AND u.level = 'office'
        JOIN org_unit k ON k.parent_id = u.unit_id
        JOIN target c ON c.unit_id = k.unit_id AND c.measure = t.measure AND c.period_start = t.period_start
                     AND c.rep_id IS NULL AND c.bu_id IS NULL
        WHERE t.rep_id IS NULL AND t.bu_id IS NULL GROUP BY t.target_id, t.measure, t.period_start, t.value""").fetchall()
    assert len(offices) > 100
    equal = sum(1 for *_, v, children in offices if v == children)
    stretched = [(v, children) for *_, v, children in offices if v != children]
    assert all(v > children for v, children in stretched), stretched[:5]
    assert 0.02 < len(stretched) / len(offices) < 0.2 and equal > len(stretched)


def test_records_are_booked_to_the_team_of_their_rep(s_db):
    booked = dict(s_db.execute("""SELECT u.level, count(*) FROM sales_order o JOIN org_unit u USING (unit_id)
                                  GROUP BY u.level""").fetchall())
    assert set(booked) == {"team"}
    wrong = one(s_db, """
        SELECT count(*) FROM sales_order o JOIN rep_team_history h ON h.rep_id = o.rep_id
         AND o.order_date >= h.valid_from AND (h.valid_to IS NULL OR o.order_date < h.valid_to)
        WHERE h.team_unit_id <> o.unit_id""")
    assert wrong == 0


def test_dates_are_dates_timestamps_are_naive_and_money_is_decimal(s_db):
    kinds = dict(s_db.execute("""SELECT table_name || '.' || column_name, data_type FROM information_schema.columns
                                 WHERE table_name IN ('sales_order', 'lead')""").fetchall())
    assert kinds["sales_order.order_date"] == "DATE"
    assert kinds["sales_order.amount"] == "DECIMAL(18,2)"
    assert kinds["lead.created_at"] == "TIMESTAMP"
    assert one(s_db, "SELECT count(*) FROM sales_order WHERE amount <> round(amount, 2) OR amount <= 0") == 0


# --- growth and history, on S in DuckDB at a few as-of dates ------------------------------------

#: revenue in USD (the reporting currency of the English demo) at the rate in force on the order date
REVENUE = """SELECT sum(o.amount * CASE WHEN o.currency = 'USD' THEN 1 ELSE x.rate END) FROM sales_order o
             LEFT JOIN exchange_rate x ON x.from_currency = o.currency AND o.order_date >= x.valid_from
                  AND (x.valid_to IS NULL OR o.order_date < x.valid_to)
             WHERE o.order_date BETWEEN ? AND ?"""
MEASURES = {
    "leads": "SELECT count(*) FROM lead WHERE CAST(created_at AS DATE) BETWEEN ? AND ?",
    "opportunities": "SELECT count(*) FROM opportunity WHERE CAST(created_at AS DATE) BETWEEN ? AND ?",
    "won_orders": "SELECT count(*) FROM sales_order WHERE order_date BETWEEN ? AND ?",
    "revenue": REVENUE,
}


@pytest.fixture(scope="module", params=[AS_OF, dt.date(2026, 11, 23), dt.date(2025, 8, 15)], ids=str)
def dated_db(request, tmp_path_factory):
    """S as of a few dates: the module's ``s_db`` for AS_OF, fresh builds for the others."""
    if request.param == AS_OF:
        yield AS_OF, request.getfixturevalue("s_db")
        return
    path = tmp_path_factory.mktemp("dated") / "s.duckdb"
    _build(path, size="S", seed=7, as_of=request.param)
    con = duckdb.connect(str(path), read_only=True)
    yield request.param, con
    con.close()


def _window_start(as_of: dt.date) -> dt.date:
    """The first day of the three years up to ``as_of``."""
    day = as_of.day if (as_of.month, as_of.day) != (2, 29) else 28
    return as_of.replace(year=as_of.year - 3, day=day) + dt.timedelta(days=1)


def _change(con, measure: str, end: dt.date, days: int) -> float:
    """``days`` up to ``end`` against the same days a year earlier, as a fraction."""
    before = end.replace(year=end.year - 1)
    now = con.execute(MEASURES[measure], [end - dt.timedelta(days=days - 1), end]).fetchone()[0]
    then = con.execute(MEASURES[measure], [before - dt.timedelta(days=days - 1), before]).fetchone()[0]
    return float(now) / float(then) - 1


def _quarters(con, sql: str, first: dt.date, last: dt.date) -> list[int]:
    """Counts per calendar quarter lying wholly in [first, last], from ``sql`` giving one date per row."""
    rows = dict(con.execute(f"""SELECT CAST(date_trunc('quarter', d) AS DATE) q, count(*) FROM ({sql}) t(d)
                                WHERE d BETWEEN ? AND ? GROUP BY 1""", [first, last]).fetchall())

    def ends(q: dt.date) -> dt.date:
        after = q.month + 3
        return dt.date(q.year + (after > 12), (after - 1) % 12 + 1, 1) - dt.timedelta(days=1)

    return [n for q, n in sorted(rows.items()) if q >= first and ends(q) <= last]


def test_leads_opportunities_orders_and_revenue_grow_steadily(dated_db):
    as_of, con = dated_db
    for measure in MEASURES:
        yearly = _change(con, measure, as_of, 365)
        assert 0.06 <= yearly <= 0.22, (measure, as_of, yearly)
        # the Overview's "same period last year": the last 54 days against the same days a year before
        recent = _change(con, measure, as_of, 54)
        assert -0.10 <= recent <= 0.35, (measure, as_of, recent)
    # no campaign burst or end-of-data pile-up: each full quarter within 30% of the one before
    start = _window_start(as_of)
    for sql in ("SELECT CAST(created_at AS DATE) FROM lead", "SELECT CAST(created_at AS DATE) FROM opportunity",
                "SELECT order_date FROM sales_order"):
        counts = _quarters(con, sql, start, as_of)
        assert len(counts) >= 10
        steps = [b / a for a, b in pairwise(counts)]
        assert all(0.77 <= s <= 1.3 for s in steps), (sql, counts)


def test_orders_reach_a_year_before_the_window(dated_db):
    as_of, con = dated_db
    start = _window_start(as_of)
    first_order = one(con, "SELECT min(order_date) FROM sales_order")
    assert start - dt.timedelta(days=400) <= first_order <= start - dt.timedelta(days=365)
    for table in ("lead", "opportunity"):
        # stored in UTC; the window is in the company's zone (Asia/Shanghai, UTC+8)
        assert one(con, f"SELECT min(CAST(created_at + INTERVAL 8 HOUR AS DATE)) FROM {table}") >= start, table
    # the older orders convert too: every order in another currency has a rate that day
    assert one(con, """SELECT count(*) FROM sales_order o LEFT JOIN exchange_rate x ON x.from_currency = o.currency
                       AND o.order_date >= x.valid_from AND (x.valid_to IS NULL OR o.order_date < x.valid_to)
                       WHERE o.currency <> 'USD' AND x.rate IS NULL""") == 0
    # accounts older than the window that buy in it mostly bought before it (the rest are prospects' first wins)
    bought_before = one(con, f"""
        SELECT avg(CASE WHEN first < DATE '{start}' THEN 1.0 ELSE 0 END) FROM account a
        JOIN (SELECT account_id, min(order_date) first, max(order_date) last FROM sales_order GROUP BY 1) f USING (account_id)
        WHERE a.created_at < DATE '{start}' - INTERVAL 120 DAY AND f.last >= DATE '{start}'""")
    assert bought_before >= 0.85


def test_new_customers_per_quarter_are_steady(dated_db):
    as_of, con = dated_db
    start = _window_start(as_of)
    new = _quarters(con, "SELECT min(order_date) FROM sales_order GROUP BY account_id", start, as_of)
    median = sorted(new)[len(new) // 2]
    assert all(0.6 * median <= n <= 1.5 * median for n in new), new
    assert new[0] <= 1.3 * median, new  # no pile-up of old customers' first orders at the window's start
    # customers active (an order in the twelve months) before the window and in each of its years
    active = [con.execute("SELECT count(DISTINCT account_id) FROM sales_order WHERE order_date >= ? AND order_date < ?",
                          [start + dt.timedelta(days=365 * (y - 1)), start + dt.timedelta(days=365 * y)]).fetchone()[0]
              for y in range(3)]
    assert all(0.95 <= b / a <= 1.3 for a, b in pairwise(active)), active


def test_the_data_is_as_of_the_as_of_date_in_the_company_zone(s_db):
    """Late-evening records of the as-of day are stored in UTC but still dated that day in the
    company's zone (Asia/Shanghai), so the app's 'data as of' is the as-of the demo was built for."""
    for table, column in (("lead", "created_at"), ("opportunity", "created_at"), ("activity", "occurred_at")):
        newest = one(s_db, f"SELECT max(CAST({column} + INTERVAL 8 HOUR AS DATE)) FROM {table}")
        assert newest == AS_OF, table
    assert one(s_db, "SELECT max(order_date) FROM sales_order") <= AS_OF
