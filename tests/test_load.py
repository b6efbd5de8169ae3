"""``python -m data_layer.load``: a CRM's CSV or Excel exports into the canonical tables, with every
row either loaded or rejected with its reason, on messy files."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from data_layer import schema
from data_layer.load import LoadError, load, main, read_mapping
from metrics.cli import main as metrics_main
from tests.conftest import BACKENDS, FreshDatabases

# A unit tree, accounts and orders as a cloud CRM exports them: a byte-order mark, blank lines,
# columns nobody mapped, Chinese text, day-first dates, grouped thousands, a quoted field holding a
# comma and a line break — and rows that cannot be loaded, each for a reason the report must give.
UNITS = (
    "\ufeffRegion ID,Code,Name,Level,Parent,Notes\n"
    "1,CN,中国区,cluster,,head office\n"
    "\n"
    "2,CN-E,华东地区部,region,1,\n"
    "3,CN-E-SH,上海代表处,office,2,\n"
    "4,CN-N,华北地区部,region,1,\n"
    ",,,,,\n"
)
ACCOUNTS = (
    "Account ID,Account Name,Region,Created,Segment,Owner notes\n"
    "101,上海宝钢 Baosteel,3,30/06/2025 09:15,enterprise,\n"       # line 2
    '102,"Acme, Inc.",4,01/07/2025 23:30,smb,"two\nlines"\n'       # lines 3-4
    "103,,3,02/07/2025 10:00,smb,\n"                                 # line 5: no name
    "101,Duplicate of 101,3,03/07/2025 10:00,smb,\n"                 # line 6: repeats 101
    "104,February 31st,3,31/02/2025 10:00,smb,\n"                    # line 7: no such date
    "105,Lost region,99,15/07/2025 08:00,smb,\n"                     # line 8: unit 99 is not there
    "\n"
)
ORDERS = (
    "Order,Number,Account,Date,Amount\n"
    "1,SO-1,101,01/07/2025,\"1,234.50\"\n"
    "2,SO-2,101,15/07/2025,-200.00\n"      # a credit note: negative amounts are orders too
    "3,SO-3,102,20/07/2025,12.345\n"       # line 4: more decimals than money keeps
    "4,SO-4,102,21/07/2025,abc\n"          # line 5: not a number
    "5,SO-5,404,22/07/2025,50.00\n"        # account 404 is not there: loaded, counted
    "6,SO-6,102,13/07/2025,100\n"
)
MAPPING = """
[options]
timestamps = "Asia/Shanghai"

[tables.org_unit]
file = "units.csv"
columns = { unit_id = "Region ID", code = "Code", name = "Name", level = "Level", parent_id = "Parent" }

[tables.account]
file = "accounts.csv"
columns = { account_id = "Account ID", name = "Account Name", home_unit_id = "Region", created_at = "Created", segment = "Segment" }

[tables.sales_order]
file = "orders.csv"
columns = { order_id = "Order", order_number = "Number", account_id = "Account", order_date = "Date", amount = "Amount" }
values = { currency = "USD" }
"""


def _exports(folder: Path, files: dict[str, str], mapping: str = MAPPING) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    (folder / "mapping.toml").write_text(mapping, encoding="utf-8")
    return folder


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    return _exports(tmp_path / "export", {"units.csv": UNITS, "accounts.csv": ACCOUNTS, "orders.csv": ORDERS})


@pytest.mark.parametrize("backend", BACKENDS)
def test_messy_exports_load_and_every_other_row_says_why(messy: Path, tmp_path: Path, backend: str, capsys) -> None:
    dbs = FreshDatabases(tmp_path)
    try:
        url = dbs.url(backend)
        report_file = tmp_path / "rejected.csv"
        code = main(["--mapping", str(messy / "mapping.toml"), "--source", str(messy), "--url", url, "--report", str(report_file)])
        out, err = capsys.readouterr()
        assert code == 0, err
        lines = out.splitlines()
        assert any(line.split()[:5] == ["org_unit", "4", "4", "0", "2"] for line in lines), out  # two blank lines after the header
        assert any(line.split()[:5] == ["account", "6", "3", "3", "1"] for line in lines), out
        assert any(line.split()[:5] == ["sales_order", "6", "4", "2", "0"] for line in lines), out
        assert "org_unit: columns not loaded: Notes" in out and "account: columns not loaded: Owner notes" in out
        assert "account: 1 rows' home_unit_id refer to no org_unit.unit_id" in out
        assert "sales_order: 1 rows' account_id refer to no account.account_id" in out
        assert "dates read day-first" in out
        with report_file.open(encoding="utf-8-sig", newline="") as fh:
            rejected = [(r["source"], int(r["line"]), r["reason"]) for r in csv.DictReader(fh)]
        assert rejected == [
            ("accounts.csv", 5, "name is empty"),
            ("accounts.csv", 6, "account_id 101 repeats line 2"),
            ("accounts.csv", 7, "created_at: '31/02/2025 10:00' is not a date (day is out of range for month)"),
            ("orders.csv", 4, "amount: '12.345' has more than 2 decimals"),
            ("orders.csv", 5, "amount: 'abc' is not a number"),
        ]

        engine = create_engine(url)
        a, o, u = schema.account, schema.sales_order, schema.org_unit
        with engine.connect() as conn:
            accounts = {r.account_id: r for r in conn.execute(select(a))}
            orders = {r.order_id: r for r in conn.execute(select(o))}
            units = {r.unit_id: (r.code, r.name, r.parent_id) for r in conn.execute(select(u))}
        engine.dispose()
        assert units == {1: ("CN", "中国区", None), 2: ("CN-E", "华东地区部", 1), 3: ("CN-E-SH", "上海代表处", 2), 4: ("CN-N", "华北地区部", 1)}
        assert set(accounts) == {101, 102, 105}
        assert accounts[101].name == "上海宝钢 Baosteel" and accounts[102].name == "Acme, Inc."
        # 09:15 in Shanghai on 30 June is 01:15 UTC; 23:30 on 1 July is 15:30 UTC the same day.
        assert accounts[101].created_at == datetime(2025, 6, 30, 1, 15)
        assert accounts[102].created_at == datetime(2025, 7, 1, 15, 30)
        assert {k: (r.order_date, Decimal(str(r.amount)), r.currency) for k, r in orders.items()} == {
            1: (date(2025, 7, 1), Decimal("1234.50"), "USD"),
            2: (date(2025, 7, 15), Decimal("-200.00"), "USD"),
            5: (date(2025, 7, 22), Decimal("50.00"), "USD"),
            6: (date(2025, 7, 13), Decimal("100.00"), "USD"),
        }
        if backend in ("duckdb", "postgresql"):
            assert "summary tables rebuilt" in out
        # The dashboard's own numbers come straight off the loaded rows: revenue in July is every order's amount.
        assert metrics_main(["summary", "--url", url, "--start", "2025-07-01", "--end", "2025-07-31", "--format", "csv"]) == 0
        summary = {r["metric"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
        assert Decimal(summary["revenue"]["value"]) == Decimal("1184.50")
    finally:
        dbs.close()


def _load_into(folder: Path, tmp_path: Path, name: str = "crm.duckdb"):
    engine = create_engine(f"duckdb:///{tmp_path / name}")
    try:
        return load(read_mapping(folder / "mapping.toml", "Asia/Shanghai"), folder, engine), engine
    except BaseException:
        engine.dispose()
        raise


ONLY_UNITS_AND_RATES = """
[tables.org_unit]
file = "units.csv"
columns = { unit_id = "Region ID", code = "Code", name = "Name", level = "Level", parent_id = "Parent" }

[tables.exchange_rate]
file = "rates.csv"
columns = { from_currency = "From", to_currency = "To", valid_from = "From date", rate = "Rate" }
"""


def _rates(*days: str) -> str:
    return "From,To,From date,Rate\n" + "".join(f"CNY,USD,{d},0.1{i}\n" for i, d in enumerate(days))


def test_month_first_dates_are_recognised(tmp_path: Path) -> None:
    folder = _exports(tmp_path / "x", {"units.csv": UNITS, "rates.csv": _rates("06/30/2025", "07/01/2025")}, ONLY_UNITS_AND_RATES)
    result, engine = _load_into(folder, tmp_path)
    with engine.connect() as conn:
        days = sorted(conn.execute(select(schema.exchange_rate.c.valid_from)).scalars())
    engine.dispose()
    assert result.date_order == "month_first" and days == [date(2025, 6, 30), date(2025, 7, 1)]


def test_the_mapping_can_say_the_date_order_when_the_exports_cannot(tmp_path: Path) -> None:
    files = {"units.csv": UNITS, "rates.csv": _rates("05/06/2025", "2025年7月1日", "2025-08-01")}
    folder = _exports(tmp_path / "x", files, ONLY_UNITS_AND_RATES)
    with pytest.raises(LoadError, match=r"do not say whether the day or the month comes first \(e\.g\. rates\.csv line 2: 05/06/2025\)"):
        _load_into(folder, tmp_path, "a.duckdb")
    assert not (tmp_path / "a.duckdb").exists() or _count(tmp_path / "a.duckdb") == 0  # nothing written
    folder = _exports(tmp_path / "y", files, '[options]\ndate_order = "day_first"\n' + ONLY_UNITS_AND_RATES)
    result, engine = _load_into(folder, tmp_path, "b.duckdb")
    with engine.connect() as conn:
        days = sorted(conn.execute(select(schema.exchange_rate.c.valid_from)).scalars())
    engine.dispose()
    assert days == [date(2025, 6, 5), date(2025, 7, 1), date(2025, 8, 1)]


def _count(path: Path) -> int:
    engine = create_engine(f"duckdb:///{path}")
    try:
        with engine.connect() as conn:
            return sum(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in schema.metadata.sorted_tables) if conn.dialect.has_table(conn, "org_unit") else 0
    finally:
        engine.dispose()


def test_exports_that_mix_day_first_and_month_first_stop_the_load(tmp_path: Path) -> None:
    folder = _exports(tmp_path / "x", {"units.csv": UNITS, "rates.csv": _rates("30/06/2025", "07/31/2025")}, ONLY_UNITS_AND_RATES)
    with pytest.raises(LoadError, match=r"mix day-first dates \(rates\.csv line 2: 30/06/2025\) and month-first dates \(rates\.csv line 3: 07/31/2025\)"):
        _load_into(folder, tmp_path)


def test_a_workbook_loads_its_sheets_with_real_dates_and_numbers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    units = book.active
    units.title = "Regions"
    for row in (["Region ID", "Code", "Name", "Level", "Parent"], [1, "CN", "中国区", "cluster", None], [2, 2001, "华东", "region", 1]):
        units.append(row)
    rates = book.create_sheet("Rates")
    rates.append(["From", "To", "From date", "Rate"])
    rates.append(["CNY", "USD", datetime(2025, 7, 1), 0.13912345])
    rates.append([None, None, None, None])  # a blank row
    rates.append(["EUR", "USD", "2025-07-01", "1.08"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    (tmp_path / "mapping.toml").write_text(
        ONLY_UNITS_AND_RATES.replace('file = "units.csv"', 'sheet = "Regions"').replace('file = "rates.csv"', 'sheet = "Rates"'), encoding="utf-8"
    )
    engine = create_engine(f"duckdb:///{tmp_path / 'crm.duckdb'}")
    result = load(read_mapping(tmp_path / "mapping.toml", "UTC"), path, engine)
    with engine.connect() as conn:
        codes = dict(conn.execute(select(schema.org_unit.c.unit_id, schema.org_unit.c.code)).all())
        rates_loaded = sorted(conn.execute(select(schema.exchange_rate.c.from_currency, schema.exchange_rate.c.valid_from, schema.exchange_rate.c.rate)).all())
    engine.dispose()
    assert codes == {1: "CN", 2: "2001"}  # a number in a code column is its digits, not 2001.0
    assert rates_loaded == [("CNY", date(2025, 7, 1), Decimal("0.13912345")), ("EUR", date(2025, 7, 1), Decimal("1.08000000"))]
    assert {r.table: (r.read, r.loaded, r.blank) for r in result.reports} == {"org_unit": (2, 2, 0), "exchange_rate": (2, 2, 1)}


@pytest.mark.parametrize(
    ("mapping", "files", "message"),
    [
        ("[tables.acount]\nfile = 'a.csv'\n", {}, "there is no canonical table 'acount'"),
        ("[tables.org_unit]\nfile = 'units.csv'\ncolumns = { unit_id = 'Region ID', code = 'Code', name = 'Name' }\n", {}, "org_unit.level is required"),
        ("[tables.org_unit]\nfile = 'units.csv'\ncolumns = { unit_id = 'Region ID', code = 'Code', name = 'Name', level = 'Level', colour = 'C' }\n", {}, "org_unit has no column 'colour'"),
        ("[tables.org_unit]\nfile = 'units.csv'\ncolumns = { unit_id = 'Region ID', code = 'Code', name = 'Name', level = 'Tier' }\n", {"units.csv": UNITS}, "units.csv has no column 'Tier'; its columns are 'Region ID', 'Code', 'Name', 'Level', 'Parent', 'Notes'"),
        ("[tables.org_unit]\nsheet = 'Units'\ncolumns = { unit_id = 'Region ID', code = 'Code', name = 'Name', level = 'Level' }\n", {}, "--source must be an .xlsx workbook"),
        ("[tables.org_unit]\nfile = 'missing.csv'\ncolumns = { unit_id = 'A', code = 'B', name = 'C', level = 'D' }\n", {}, "missing.csv does not exist"),
        ("[tables.org_unit\n", {}, "is not valid TOML"),
        ("[options]\ndate_order = 'yearly'\n[tables.org_unit]\nfile = 'u.csv'\n", {}, "date_order must be one of auto, day_first, month_first"),
        ("[options]\ntimestamps = 'Mars/Olympus'\n[tables.org_unit]\nfile = 'u.csv'\n", {}, "timestamps must be a time zone"),
        ("[options]\nencoding = 'klingon'\n[tables.org_unit]\nfile = 'u.csv'\n", {}, "encoding must be a text encoding"),
        ("[options]\ndateorder = 'auto'\n[tables.org_unit]\nfile = 'u.csv'\n", {}, "unknown option(s) dateorder"),
    ],
)
def test_a_wrong_mapping_or_export_is_named_and_nothing_is_written(tmp_path: Path, mapping: str, files: dict[str, str], message: str, capsys) -> None:
    folder = _exports(tmp_path / "x", files, mapping)
    target = tmp_path / "crm.duckdb"
    assert main(["--mapping", str(folder / "mapping.toml"), "--source", str(folder), "--url", f"duckdb:///{target}"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not target.exists() or _count(target) == 0


def test_an_export_in_another_encoding_says_so_and_loads_once_the_mapping_names_it(tmp_path: Path, capsys) -> None:
    # A Chinese Excel saves CSV in GB18030, a European one with semicolons.
    folder = _exports(tmp_path / "x", {}, ONLY_UNITS_AND_RATES)
    (folder / "units.csv").write_bytes("Region ID;Code;Name;Level;Parent\n1;CN;中国区;cluster;\n".encode("gb18030"))
    (folder / "rates.csv").write_bytes(_rates("2025-07-01").replace(",", ";").encode("gb18030"))
    args = ["--mapping", str(folder / "mapping.toml"), "--source", str(folder), "--url", f"duckdb:///{tmp_path / 'c.duckdb'}"]
    assert main(args) == 2
    assert "units.csv is not utf-8" in capsys.readouterr().err
    (folder / "mapping.toml").write_text('[options]\nencoding = "gb18030"\ndelimiter = ";"\n' + ONLY_UNITS_AND_RATES, encoding="utf-8")
    assert main(args) == 0
    engine = create_engine(f"duckdb:///{tmp_path / 'c.duckdb'}")
    with engine.connect() as conn:
        assert conn.execute(select(schema.org_unit.c.name)).scalars().all() == ["中国区"]
    engine.dispose()


def test_loading_again_needs_replace(messy: Path, tmp_path: Path, capsys) -> None:
    args = ["--mapping", str(messy / "mapping.toml"), "--source", str(messy), "--url", f"duckdb:///{tmp_path / 'crm.duckdb'}"]
    assert main(args) == 0
    assert main(args) == 2
    assert "already hold rows" in capsys.readouterr().err
    assert main([*args, "--replace"]) == 0
    assert _count(tmp_path / "crm.duckdb") > 0
    engine = create_engine(f"duckdb:///{tmp_path / 'crm.duckdb'}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.sales_order)).scalar_one() == 4  # replaced, not doubled
    engine.dispose()


ORDERS_ONLY = """
[options]
timestamps = "Asia/Shanghai"

[tables.sales_order]
file = "orders.csv"
columns = { order_id = "Order", order_number = "Number", account_id = "Account", order_date = "Date", amount = "Amount" }
values = { currency = "USD" }
"""


def _orders(rows: str, mapping: str = ORDERS_ONLY, header: str = "Order,Number,Account,Date,Amount") -> str:
    return header + "\n" + rows


def test_rows_whose_cells_do_not_match_the_header_are_rejected_not_shifted(tmp_path: Path) -> None:
    rows = (
        "1,SO-1,101,2025-07-01,10.00\n"
        "2,SO-2,101,2025-07-01,1,000.00\n"   # an unquoted grouping comma: six cells, the amount would shift
        "3,SO-3,101,2025-07-01\n"            # four cells
        "4,SO-4,101,2025-07-01,40.00\n"
    )
    folder = _exports(tmp_path / "x", {"orders.csv": _orders(rows)}, ORDERS_ONLY)
    result, engine = _load_into(folder, tmp_path)
    engine.dispose()
    (report,) = result.reports
    assert (report.read, report.loaded) == (4, 2)
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "6 cells where the header has 5"), (4, "4 cells where the header has 5")]


def test_an_unclosed_quote_stops_the_load_naming_the_line(tmp_path: Path) -> None:
    folder = _exports(tmp_path / "x", {"orders.csv": _orders('1,SO-1,101,2025-07-01,10.00\n2,"SO-2,101,2025-07-01,20.00\n3,SO-3,101,2025-07-01,30.00\n')}, ORDERS_ONLY)
    with pytest.raises(LoadError, match=r"orders\.csv cannot be read as CSV from line 3"):
        _load_into(folder, tmp_path)


def test_a_mapped_column_named_twice_stops_the_load_and_unnamed_columns_are_listed(tmp_path: Path) -> None:
    twice = _orders("1,SO-1,101,2025-07-01,10.00,9\n", header="Order,Number,Account,Date,Amount,Amount")
    folder = _exports(tmp_path / "x", {"orders.csv": twice}, ORDERS_ONLY)
    with pytest.raises(LoadError, match="has two columns named 'Amount'"):
        _load_into(folder, tmp_path, "a.duckdb")
    unnamed = _orders("1,SO-1,101,2025-07-01,10.00,note,\n", header="Order,Number,Account,Date,Amount,,")
    folder = _exports(tmp_path / "y", {"orders.csv": unnamed}, ORDERS_ONLY)
    result, engine = _load_into(folder, tmp_path, "b.duckdb")
    engine.dispose()
    assert result.reports[0].unused_columns == ["column 6 (no name)"]  # the seventh holds nothing


def test_times_with_offsets_and_12_hour_clocks_and_dates_with_times(tmp_path: Path) -> None:
    accounts = (
        "Account ID,Account Name,Created\n"
        "1,A,2025-06-30 2:05 PM\n"           # 14:05 in Shanghai: 06:05 UTC
        "2,B,2025-06-30T14:05:00+08\n"       # an offset without minutes, as PostgreSQL writes it
        "3,C,2025-06-30 12:30 AM\n"          # half past midnight
        "4,D,2025-06-30T06:05:00.1234567Z\n" # seven decimals: the seventh is below what is stored
        "5,E,2025-06-30 13:05 PM\n"          # no such 12-hour time
    )
    orders = (
        "1,SO-1,1,2025-06-30T23:30:00Z,10.00\n"  # 07:30 on 1 July in Shanghai: that business day
        "2,SO-2,1,2025-06-30 23:30,10.00\n"      # no offset: Shanghai's own time, its own day
        "3,SO-3,1,30/06/2025 99:99,10.00\n"      # not a time: not silently dropped to the date
    )
    mapping = ORDERS_ONLY + '\n[tables.account]\nfile = "accounts.csv"\ncolumns = { account_id = "Account ID", name = "Account Name", created_at = "Created" }\n'
    folder = _exports(tmp_path / "x", {"accounts.csv": accounts, "orders.csv": _orders(orders)}, mapping)
    result, engine = _load_into(folder, tmp_path)
    with engine.connect() as conn:
        created = dict(conn.execute(select(schema.account.c.account_id, schema.account.c.created_at)).all())
        days = dict(conn.execute(select(schema.sales_order.c.order_id, schema.sales_order.c.order_date)).all())
    engine.dispose()
    assert created == {1: datetime(2025, 6, 30, 6, 5), 2: datetime(2025, 6, 30, 6, 5), 3: datetime(2025, 6, 29, 16, 30), 4: datetime(2025, 6, 30, 6, 5, 0, 123456)}
    assert days == {1: date(2025, 7, 1), 2: date(2025, 6, 30)}
    reasons = {r.table: [x.reason for x in r.rejected] for r in result.reports}
    assert reasons["account"] == ["created_at: '2025-06-30 13:05 PM' is not a time (hour 13 with PM)"]
    assert reasons["sales_order"] == ["order_date: '30/06/2025 99:99' is not a time (hour must be in 0..23)"]


def test_numbers_out_of_range_and_a_comma_as_decimal_point(tmp_path: Path) -> None:
    rows = (
        "1;SO-1;3000000000;2025-07-01;10,00\n"   # an account id beyond 32 bits
        "2;SO-2;101;2025-07-01;1.234,50\n"       # the European way: 1234.50
        "3;SO-3;101;2025-07-01;1,5\n"            # 1.50
        "4;SO-4;101;2025-07-01;1.5\n"            # with a comma as the point, 1.5 is not a number
    )
    mapping = '[options]\ndelimiter = ";"\n' + ORDERS_ONLY.replace("[options]\n", "")
    folder = _exports(tmp_path / "x", {"orders.csv": _orders(rows, header="Order;Number;Account;Date;Amount")}, mapping)
    result, engine = _load_into(folder, tmp_path)
    with engine.connect() as conn:
        amounts = dict(conn.execute(select(schema.sales_order.c.order_id, schema.sales_order.c.amount)).all())
    engine.dispose()
    assert {k: Decimal(str(v)) for k, v in amounts.items()} == {2: Decimal("1234.50"), 3: Decimal("1.50")}
    assert [x.reason for x in result.reports[0].rejected] == [
        "account_id: '3000000000' is out of range (at most 2,147,483,647)",
        "amount: '1.5' is not a number",
    ]


def test_a_spreadsheets_float_noise_is_read_as_typed(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append(["Order", "Number", "Account", "Date", "Amount"])
    sheet.append([1, "SO-1", 101, date(2025, 7, 1), 0.1 + 0.2])  # 0.30000000000000004, shown as 0.3
    sheet.append([2, "SO-2", 101, datetime(2025, 7, 1, 23, 30), 12.5])
    book.save(tmp_path / "orders.xlsx")
    (tmp_path / "mapping.toml").write_text(ORDERS_ONLY.replace('file = "orders.csv"', 'sheet = "Orders"'), encoding="utf-8")
    engine = create_engine(f"duckdb:///{tmp_path / 'crm.duckdb'}")
    result = load(read_mapping(tmp_path / "mapping.toml", "UTC"), tmp_path / "orders.xlsx", engine)
    with engine.connect() as conn:
        rows = dict(conn.execute(select(schema.sales_order.c.order_id, schema.sales_order.c.amount)).all())
    engine.dispose()
    assert result.reports[0].rejected == [] and {k: Decimal(str(v)) for k, v in rows.items()} == {1: Decimal("0.30"), 2: Decimal("12.50")}


def test_a_failed_write_leaves_every_table_as_it_was(messy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import data_layer.load as loader

    result, engine = _load_into(messy, tmp_path)
    before = _count(tmp_path / "crm.duckdb")
    real = loader.bulk_insert

    def failing(engine, table, frame, conn=None):  # the orders fail, after the units and accounts went in
        if table.name == "sales_order":
            raise RuntimeError("disk full")
        return real(engine, table, frame, conn)

    monkeypatch.setattr(loader, "bulk_insert", failing)
    with pytest.raises(LoadError, match=r"Nothing was loaded: writing sales_order .* failed \(RuntimeError: disk full\), and every table was left as it was"):
        load(read_mapping(messy / "mapping.toml", "Asia/Shanghai"), messy, engine, replace=True)
    engine.dispose()
    assert _count(tmp_path / "crm.duckdb") == before  # the --replace's deletes were rolled back too


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("timestamps = 5", "timestamps must be text in quotes"),
        ("delimiter = ';'\ndecimal = ';'", "decimal must be '.' or ','"),
    ],
)
def test_options_of_the_wrong_kind_are_named(tmp_path: Path, options: str, message: str) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(f"[options]\n{options}\n" + ORDERS_ONLY.replace("[options]\ntimestamps = \"Asia/Shanghai\"\n", ""), encoding="utf-8")
    with pytest.raises(LoadError, match=re.escape(message)):
        read_mapping(path, "UTC")


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("tables = 5\n", "no [tables.<table>] section"),
        ("[tables.sales_order]\nfile = 5\n", "file or sheet must be a name in quotes"),
        ("[tables.sales_order]\nfile = 'o.csv'\ncolumns = 'x'\n", "columns must map canonical columns"),
        ("options = 5\n[tables.sales_order]\nfile = 'o.csv'\n", "options must be a section"),
    ],
)
def test_sections_of_the_wrong_kind_are_named(tmp_path: Path, mapping: str, message: str) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text(mapping, encoding="utf-8")
    with pytest.raises(LoadError, match=re.escape(message)):
        read_mapping(path, "UTC")


def test_the_example_exports_load_cleanly_and_give_hand_checked_numbers(tmp_path: Path, capsys) -> None:
    """examples/exports, which the README points administrators to, stays loadable and right."""
    example = Path(__file__).resolve().parents[1] / "examples" / "exports"
    url = f"duckdb:///{tmp_path / 'example.duckdb'}"
    assert main(["--mapping", str(example / "mapping.toml"), "--source", str(example), "--url", url]) == 0
    out = capsys.readouterr().out
    assert "rejected: " not in out and "refer to no" not in out and "dates read day-first" in out
    assert metrics_main(["summary", "--url", url, "--start", "2025-01-01", "--end", "2025-09-30", "--format", "csv"]) == 0
    summary = {r["metric"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    # Orders: 2 × 600,000 CNY and 350,000 CNY at 0.138, 85,000 USD, a 5,000 USD credit note.
    assert Decimal(summary["revenue"]["value"]) == Decimal("293900.00")
    assert float(summary["win_rate"]["value"]) == 0.75  # deals closed Jan–Sep: three won, one lost
    # Wallets: 3,000,000 and 1,000,000 CNY at 0.138, and 200,000 USD.
    assert float(summary["share_of_wallet"]["value"]) == pytest.approx(293900 / 752000, rel=1e-12)
    assert int(summary["new_customers"]["value"]) == 3
