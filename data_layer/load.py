"""Load a CRM's CSV or Excel exports into the canonical tables of a database Granary may write.

    python -m data_layer.load --mapping FILE --source DIR_OR_XLSX --url URL [--replace] [--report FILE]

For CRMs that live in the cloud: export each object (accounts, opportunities, orders, …) to CSV or to
the sheets of one workbook, say in a mapping file which file fills which canonical table and which of
its columns fills which canonical column, and load them into Granary's embedded database (or any
database you own for it). Never point ``--url`` at the CRM itself.

The mapping file (TOML)::

    [options]
    date_order = "auto"              # or "day_first" (30/06/2025) or "month_first" (06/30/2025)
    timestamps = "Asia/Shanghai"     # the zone the exports' times are in (default: the company's); stored as UTC
    encoding = "utf-8"               # of the CSV files (a Chinese Excel's CSV is often "gb18030")
    delimiter = ","                  # or ";" (a European Excel's CSV)
    decimal = "."                    # or "," (1.234,50); the default is "," when the delimiter is ";"

    [tables.account]
    file = "accounts.csv"            # in the --source folder; or sheet = "Accounts" in a --source workbook
    columns = { account_id = "Account ID", name = "Account Name", home_unit_id = "Region ID", created_at = "Created" }
    values = { segment = "enterprise" }    # a fixed value for a column the export lacks

What it does with each value, by the canonical column's type (``docs/data-model.md``): whole numbers
(``12``, ``12.0``; beyond the column's 32 bits is an error); exact decimals (``1234.50``, ``1,234.50``;
more decimals than the column keeps is an error, not a rounding; a spreadsheet's float is read at the
15 digits it was typed with); dates (``2025-06-30``, ``2025/6/30``, ``2025年6月30日``, and ``30/06/2025``
or ``06/30/2025`` by the date order; a time after one is checked, and its offset moves the date into the
company's zone); times (a date, then ``HH:MM[:SS[.ffffff]]``, optionally ``AM``/``PM``, with an optional
``Z``, ``+08`` or ``±HH:MM`` offset; without one, in ``timestamps``' zone); text as written, surrounding
spaces removed. A CSV row with more or fewer cells than its header is rejected, not shifted; an
unclosed quote stops the load at its line.
CSV files are UTF-8 (with or without a byte-order mark) unless ``encoding`` says otherwise.

Nothing is dropped silently. A row is **rejected**, with its file, line and reason, when a value cannot
be read as its column's type, a required column is empty, or its key (or a unique code) repeats an
earlier row's. Blank lines are skipped and counted. Columns of the export that the mapping does not
use are listed. A reference to a record that is not there (an order's account missing from the
accounts) is loaded as it is and counted — Granary reads CRMs as they are, and the data-health page
shows such records. Every table is written in one transaction: a failure writes nothing and, with
``--replace``, deletes nothing. After loading into DuckDB or PostgreSQL, the summary tables are rebuilt.

With "auto", the date order is read from the exports themselves: a first number above 12
(``30/06/2025``) shows day first, a second above 12 shows month first. Exports that show both, or
whose slashed dates never tell (all ``05/06/2025``), stop the load with a message asking for
``date_order``.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from sqlalchemy import Column, Date, DateTime, Engine, Integer, Numeric, String, Table, create_engine, delete, func, inspect, select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from data_layer import schema
from data_layer.bulk import bulk_insert, create_schema
from data_layer.commands import run
from data_layer.config import load_settings
from data_layer.connection import explain, mask

DateOrder = Literal["auto", "day_first", "month_first"]
DATE_ORDERS: tuple[DateOrder, ...] = ("auto", "day_first", "month_first")
#: Rejected rows printed per table (all of them go to --report).
SHOWN_REJECTIONS = 10


class LoadError(Exception):
    """Something that stops the whole load before anything is written: a wrong mapping, a missing file
    or column, dates whose order cannot be told. The message names what and where."""


# --- The mapping -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableMap:
    """Which export fills one canonical table: ``file`` (CSV, in the source folder) or ``sheet`` (of the
    source workbook); ``columns``: canonical column → the export's column; ``values``: canonical column →
    a fixed value."""

    table: Table
    file: str | None
    sheet: str | None
    columns: dict[str, str]
    values: dict[str, Any]

    @property
    def source(self) -> str:
        return self.file or f"sheet {self.sheet!r}"


@dataclass(frozen=True)
class Mapping:
    tables: tuple[TableMap, ...]  # in load order: a table after the tables it refers to
    date_order: DateOrder
    zone: ZoneInfo
    encoding: str = "utf-8"  # of the CSV files; a byte-order mark is skipped in any case
    delimiter: str = ","
    decimal: str = "."  # the decimal point of numbers written as text


def _load_order(names: set[str]) -> list[str]:
    """The mapped tables, each after the tables its columns refer to (self-references aside)."""
    order: list[str] = []
    for table in schema.metadata.sorted_tables:  # a stable start: the schema's own order
        if table.name in names:
            order.append(table.name)
    deps = {n: {c.info["references"].split(".")[0] for c in schema.metadata.tables[n].columns if c.info.get("references")} - {n} for n in order}
    done: list[str] = []
    while order:
        ready = next(n for n in order if not (deps[n] & set(order)))  # the schema has no cycle between tables
        done.append(ready)
        order.remove(ready)
    return done


OPTIONS = ("date_order", "timestamps", "encoding", "delimiter", "decimal")


def _text_option(options: dict[str, Any], name: str, default: str, where: Path) -> str:
    value = options.get(name, default)
    if not isinstance(value, str):
        raise LoadError(f"{where}: {name} must be text in quotes, not {value!r}.")
    return value


def read_mapping(path: Path, default_zone: str) -> Mapping:
    """The mapping file, checked against the canonical schema; :class:`LoadError` says what is wrong."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise LoadError(f"The mapping file {path} does not exist.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LoadError(f"The mapping file {path} is not valid TOML: {exc}") from None
    unknown = set(raw) - {"options", "tables"}
    if unknown:
        raise LoadError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; expected [options] and [tables.<table>].")
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise LoadError(f"{path}: options must be a section, [options].")
    strange = set(options) - set(OPTIONS)
    if strange:
        raise LoadError(f"{path}: unknown option(s) {', '.join(sorted(strange))}; the options are {', '.join(OPTIONS)}.")
    encoding = _text_option(options, "encoding", "utf-8", path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise LoadError(f"{path}: encoding must be a text encoding such as 'utf-8' or 'gb18030', not {encoding!r}.") from None
    delimiter = _text_option(options, "delimiter", ",", path)
    if len(delimiter) != 1:
        raise LoadError(f"{path}: delimiter must be one character, such as ',' or ';', not {delimiter!r}.")
    # A CSV separated by semicolons comes from where the comma is the decimal point.
    decimal = _text_option(options, "decimal", "," if delimiter == ";" else ".", path)
    if decimal not in (".", ",") or decimal == delimiter:
        raise LoadError(f"{path}: decimal must be '.' or ',' (and not the delimiter), not {decimal!r}.")
    order = _text_option(options, "date_order", "auto", path)
    if order not in DATE_ORDERS:
        raise LoadError(f"{path}: date_order must be one of {', '.join(DATE_ORDERS)}, not {order!r}.")
    timestamps = _text_option(options, "timestamps", default_zone, path)
    try:
        zone = ZoneInfo(timestamps)
    except (ZoneInfoNotFoundError, ValueError):
        raise LoadError(f"{path}: timestamps must be a time zone such as 'Asia/Shanghai' or 'UTC', not {timestamps!r}.") from None
    tables = raw.get("tables", {})
    if not isinstance(tables, dict) or not tables:
        raise LoadError(f"{path}: no [tables.<table>] section: say which export fills which canonical table.")
    maps: dict[str, TableMap] = {}
    for name, spec in tables.items():
        table = schema.metadata.tables.get(name)
        if table is None:
            raise LoadError(f"{path}: [tables.{name}]: there is no canonical table {name!r}; the tables are {', '.join(sorted(schema.metadata.tables))}.")
        where = f"{path}: [tables.{name}]"
        if not isinstance(spec, dict) or set(spec) - {"file", "sheet", "columns", "values"}:
            raise LoadError(f"{where}: expected file or sheet, columns and values.")
        if ("file" in spec) == ("sheet" in spec):
            raise LoadError(f"{where}: give either file (a CSV in the source folder) or sheet (of the source workbook).")
        if not isinstance(spec.get("file", spec.get("sheet")), str):
            raise LoadError(f"{where}: file or sheet must be a name in quotes.")
        columns, values = spec.get("columns", {}), spec.get("values", {})
        if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
            raise LoadError(f"{where}: columns must map canonical columns to the export's column names, e.g. {{ name = \"Account Name\" }}.")
        if not isinstance(values, dict):
            raise LoadError(f"{where}: values must map canonical columns to fixed values, e.g. {{ currency = \"CNY\" }}.")
        for column in (*columns, *values):
            if column not in table.columns:
                raise LoadError(f"{where}: {name} has no column {column!r}; its columns are {', '.join(table.columns.keys())}.")
        both = set(columns) & set(values)
        if both:
            raise LoadError(f"{where}: {', '.join(sorted(both))} is given both a column and a value.")
        for column in table.columns:
            if not column.nullable and column.name not in columns and column.name not in values:
                raise LoadError(f"{where}: {name}.{column.name} is required: map a column to it or give it a value.")
        maps[name] = TableMap(table, spec.get("file"), spec.get("sheet"), dict(columns), dict(values))
    return Mapping(tuple(maps[n] for n in _load_order(set(maps))), order, zone, encoding, delimiter, decimal)


# --- Reading the exports ---------------------------------------------------------------------------


@dataclass
class Rows:
    """An export's rows as read: the header, each non-blank row's cells with the line it starts on,
    and how many blank lines were skipped. ``fixed_width``: every row must have the header's number of
    cells (a CSV's do; a sheet's rows end at their last value)."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]
    blank: int
    fixed_width: bool = True


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_csv(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> Rows:
    """A CSV export in ``encoding`` (a UTF-8 byte-order mark skipped); the first non-blank line is the header."""
    try:
        with path.open(encoding="utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True)
            header: list[str] | None = None
            rows: list[tuple[int, list[Any]]] = []
            blank = ended = 0
            for cells in reader:
                start, ended = ended + 1, reader.line_num  # a quoted line break makes a record span lines
                if _blank(cells):
                    blank += 1
                    continue
                if header is None:
                    header = [c.strip() for c in cells]
                    continue
                rows.append((start, cells))
    except csv.Error as exc:
        raise LoadError(f"The export {path} cannot be read as CSV from line {ended + 1}: {exc} (an unclosed quote?).") from None
    except FileNotFoundError:
        raise LoadError(f"The export {path} does not exist.") from None
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"The export {path} is not {encoding} (byte {exc.start}): save it as UTF-8 CSV, or set encoding in the "
            "mapping's [options] (a Chinese Excel's CSV is often gb18030)."
        ) from None
    if header is None:
        raise LoadError(f"The export {path} is empty: it has no header line.")
    return Rows(header, rows, blank)


def read_sheet(path: Path, sheet: str) -> Rows:
    """A sheet of an Excel workbook; the first non-blank row is the header. Dates stay dates."""
    from openpyxl import load_workbook  # only for workbooks

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise LoadError(f"The workbook {path} does not exist.") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises several kinds for a file it cannot read
        raise LoadError(f"{path} is not an Excel workbook (.xlsx): {exc}") from None
    try:
        if sheet not in book.sheetnames:
            raise LoadError(f"The workbook {path} has no sheet {sheet!r}; it has {', '.join(book.sheetnames)}.")
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        blank = 0
        for number, values in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            cells = list(values)
            if _blank(cells):
                blank += 1
                continue
            if header is None:
                header = ["" if c is None else str(c).strip() for c in cells]
                continue
            rows.append((number, cells))
    finally:
        book.close()
    if header is None:
        raise LoadError(f"The sheet {sheet!r} of {path} is empty: it has no header row.")
    return Rows(header, rows, blank, fixed_width=False)


def read_export(source: Path, tm: TableMap, encoding: str = "utf-8", delimiter: str = ",") -> Rows:
    if tm.file is not None:
        if not source.is_dir():
            raise LoadError(f"[tables.{tm.table.name}] names the file {tm.file!r}, so --source must be the folder holding it, not {source}.")
        return read_csv(source / tm.file, encoding, delimiter)
    if source.is_dir() or source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise LoadError(f"[tables.{tm.table.name}] names the sheet {tm.sheet!r}, so --source must be an .xlsx workbook, not {source}.")
    return read_sheet(source, str(tm.sheet))


# --- Reading values ----------------------------------------------------------------------------------


class Bad(ValueError):
    """A value its column cannot hold: the message is the rejection's reason."""


_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_CN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_SLASHED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*([AaPp][Mm])?\s*(Z|[+-]\d{2}(?::?\d{2})?)?")


def _split(text: str) -> tuple[str, str]:
    """A date-time's date and time parts (separated by 'T' or spaces)."""
    parts = re.split(r"[T\s]+", text.strip(), maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def slashed(text: str) -> tuple[int, int] | None:
    """The two leading numbers of a ``a/b/yyyy`` date, or None for any other form."""
    m = _SLASHED.fullmatch(_split(text)[0])
    return (int(m.group(1)), int(m.group(2))) if m else None


def parse_date(text: str, order: DateOrder) -> date:
    """The date part of ``text`` (its time, if any, is :func:`parse_moment`'s)."""
    day_part = _split(text)[0]
    try:
        if m := _ISO.fullmatch(day_part) or _CN.fullmatch(day_part):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _SLASHED.fullmatch(day_part):
            a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if order == "auto":  # only when no export told the order and this date cannot be misread
                if a != b:
                    raise Bad(f"{text!r} could be day-first or month-first: set date_order in the mapping's [options]")
                return date(year, a, b)
            return date(year, b, a) if order == "day_first" else date(year, a, b)
    except ValueError as exc:
        if isinstance(exc, Bad):
            raise
        raise Bad(f"{text!r} is not a date ({exc})") from None
    raise Bad(f"{text!r} is not a date (expected e.g. 2025-06-30)")


def parse_moment(text: str, order: DateOrder, zone: ZoneInfo) -> datetime:
    """The instant ``text`` names, zone-aware: at its own offset (``Z``, ``+08``, ``+08:00``, ``-0530``)
    or, without one, in ``zone``; a date alone is its midnight. Fractions past microseconds are cut."""
    day = parse_date(text, order)
    clock = _split(text)[1]
    if not clock:
        return datetime.combine(day, time(), tzinfo=zone)
    m = _TIME.fullmatch(clock)
    if m is None:
        raise Bad(f"{text!r} is not a time (expected e.g. 2025-06-30 14:05)")
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    micro = int((m.group(4) or "0")[:6].ljust(6, "0"))
    half = (m.group(5) or "").lower()
    if half:  # a 12-hour clock: 12:30 AM is 00:30, 12:30 PM is 12:30
        if not 1 <= hour <= 12:
            raise Bad(f"{text!r} is not a time (hour {hour} with {half.upper()})")
        hour = hour % 12 + (12 if half == "pm" else 0)
    offset = m.group(6)
    if offset is None:
        tz: Any = zone
    elif offset == "Z":
        tz = timezone.utc
    else:
        digits = offset[1:].replace(":", "")
        sign = 1 if offset[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))
    try:
        return datetime.combine(day, time(hour, minute, second, micro), tzinfo=tz)
    except ValueError as exc:
        raise Bad(f"{text!r} is not a time ({exc})") from None


def _utc(moment: datetime) -> datetime:
    """A zone-aware time as the canonical ``*_at`` columns hold it: UTC, without a zone."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def parse_timestamp(text: str, order: DateOrder, zone: ZoneInfo) -> datetime:
    """A UTC time without a zone, as the canonical ``*_at`` columns hold."""
    return _utc(parse_moment(text, order, zone))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet's 101.0 in a code column is 101
    return str(value).strip()


def _number_text(value: Any, decimal: str) -> str:
    """A number's text with '.' as its point and no grouping: a spreadsheet's float at the 15 significant
    digits it was typed with (0.1 + 0.2 is 0.3, not 0.30000000000000004); text grouped by thousands
    (1,234.50 — or 1.234,50 where the decimal point is a comma)."""
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, int | Decimal):
        return str(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    group = "," if decimal == "." else "."
    if re.fullmatch(rf"[+-]?\d{{1,3}}(\{group}\d{{3}})+(\{decimal}\d+)?", text):
        text = text.replace(group, "")
    if group in text:  # the other mark anywhere else: 1,5 with a decimal point, 1.5 with a decimal comma
        raise InvalidOperation(text)
    return text.replace(decimal, ".")


#: The largest magnitude of each integer type (the canonical schema's keys and counts are 32-bit).
_INT_LIMITS = {"BigInteger": 2**63 - 1, "SmallInteger": 2**15 - 1}


def converter(column: Column, order: DateOrder, zone: ZoneInfo, decimal: str = ".") -> Callable[[Any], Any]:
    """The function that reads one cell of ``column`` (a string from CSV, or a spreadsheet's number
    or date) into the value to store, raising :class:`Bad` with the reason when it cannot."""
    type_ = column.type
    name = column.name

    if isinstance(type_, Integer):
        limit = _INT_LIMITS.get(type(type_).__name__, 2**31 - 1)

        def whole(v: Any) -> int:
            if isinstance(v, bool):
                raise Bad(f"{name}: {v!r} is not a whole number")
            try:
                number = Decimal(_number_text(v, decimal))
            except InvalidOperation:
                raise Bad(f"{name}: {_text(v)!r} is not a whole number") from None
            if not number.is_finite() or number != number.to_integral_value():
                raise Bad(f"{name}: {_text(v)!r} is not a whole number")
            if abs(number) > limit:
                raise Bad(f"{name}: {_text(v)!r} is out of range (at most {limit:,})")
            return int(number)

        return whole
    if isinstance(type_, Numeric):
        scale = int(type_.scale or 0)
        digits = int(type_.precision or 38) - scale

        def exact(v: Any) -> Decimal:
            shown = _text(v)
            try:
                number = Decimal(_number_text(v, decimal))
            except InvalidOperation:
                raise Bad(f"{name}: {shown!r} is not a number") from None
            if not number.is_finite():
                raise Bad(f"{name}: {shown!r} is not a number")
            if number != number.quantize(Decimal(1).scaleb(-scale)):
                raise Bad(f"{name}: {shown!r} has more than {scale} decimals")
            if abs(number) >= Decimal(10) ** digits:
                raise Bad(f"{name}: {shown!r} is too large (at most {digits} digits before the point)")
            return number

        return exact
    if isinstance(type_, DateTime):

        def stamp(v: Any) -> datetime:
            if isinstance(v, date):  # a spreadsheet's date or time, in the exports' zone unless it carries one
                moment = v if isinstance(v, datetime) else datetime.combine(v, time())
                return _utc(moment if moment.tzinfo else moment.replace(tzinfo=zone))
            try:
                return parse_timestamp(_text(v), order, zone)
            except Bad as exc:
                raise Bad(f"{name}: {exc}") from None

        return stamp
    if isinstance(type_, Date):

        def day(v: Any) -> date:
            # A business date in the company's zone: a time with an offset is moved into it first
            # (2025-06-30T23:30:00Z is 1 July in Shanghai); a time without one is checked, then dropped.
            if isinstance(v, datetime):
                return v.astimezone(zone).date() if v.tzinfo is not None else v.date()
            if isinstance(v, date):
                return v
            try:
                return parse_moment(_text(v), order, zone).astimezone(zone).date()
            except Bad as exc:
                raise Bad(f"{name}: {exc}") from None

        return day
    length = getattr(type_, "length", None) if isinstance(type_, String) else None

    def text(v: Any) -> str:
        value = _text(v)
        if length is not None and len(value) > length:
            raise Bad(f"{name}: {len(value)} characters, at most {length}")
        return value

    return text


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# --- The date order ------------------------------------------------------------------------------------


@dataclass
class DateEvidence:
    day_first: list[str] = field(default_factory=list)
    month_first: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)


def date_order(mapping: Mapping, exports: dict[str, Rows]) -> DateOrder:
    """The date order of the exports' slashed dates: the mapping's, or with "auto" what the exports
    show; :class:`LoadError` when they show both, or need one and show neither."""
    evidence = DateEvidence()
    for tm in mapping.tables:
        rows = exports[tm.table.name]
        for column, header in tm.columns.items():
            if not isinstance(tm.table.c[column].type, Date | DateTime) or header not in rows.header:
                continue
            at = rows.header.index(header)
            for line, cells in rows.rows:
                value = cells[at] if at < len(cells) else None
                pair = slashed(value) if isinstance(value, str) else None
                if pair is None:
                    continue
                where = f"{tm.source} line {line}: {value.strip()}"
                if pair[0] > 12 >= pair[1]:
                    evidence.day_first.append(where)
                elif pair[1] > 12 >= pair[0]:
                    evidence.month_first.append(where)
                elif pair[0] != pair[1]:
                    evidence.undecided.append(where)
    if mapping.date_order != "auto":
        return mapping.date_order
    if evidence.day_first and evidence.month_first:
        raise LoadError(
            f"The exports mix day-first dates ({evidence.day_first[0]}) and month-first dates ({evidence.month_first[0]}): "
            "fix the exports, or set date_order in the mapping's [options]."
        )
    if evidence.day_first:
        return "day_first"
    if evidence.month_first:
        return "month_first"
    if evidence.undecided:
        raise LoadError(
            f"The exports' dates do not say whether the day or the month comes first (e.g. {evidence.undecided[0]}): "
            'set date_order = "day_first" or "month_first" in the mapping\'s [options].'
        )
    return "auto"


# --- Checking and loading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    source: str
    line: int
    reason: str


@dataclass
class TableReport:
    """What happened to one export: rows read, loaded and rejected (each with its reason), blank lines
    skipped, columns not used, and references to records that are not there (loaded as they are)."""

    table: str
    source: str
    read: int = 0
    loaded: int = 0
    blank: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    dangling: dict[str, int] = field(default_factory=dict)


def check_rows(tm: TableMap, rows: Rows, order: DateOrder, zone: ZoneInfo, decimal: str = ".") -> tuple[pd.DataFrame, TableReport]:
    """The rows to load (one column per canonical column mapped or given) and the report of the others."""
    report = TableReport(tm.table.name, tm.source, read=len(rows.rows), blank=rows.blank)
    missing = [h for h in tm.columns.values() if h not in rows.header]
    if missing:
        raise LoadError(
            f"[tables.{tm.table.name}]: {tm.source} has no column {', '.join(repr(m) for m in missing)}; "
            f"its columns are {', '.join(repr(h) for h in rows.header)}."
        )
    twice = sorted({h for h in tm.columns.values() if rows.header.count(h) > 1})
    if twice:
        raise LoadError(f"[tables.{tm.table.name}]: {tm.source} has two columns named {', '.join(repr(h) for h in twice)}: rename one in the export.")
    used = set(tm.columns.values())
    filled = {i for _, cells in rows.rows for i, c in enumerate(cells) if not _empty(c)}
    report.unused_columns = [
        h if h else f"column {i + 1} (no name)" for i, h in enumerate(rows.header) if h not in used and (h or i in filled)
    ]
    positions = {column: rows.header.index(header) for column, header in tm.columns.items()}
    readers = {column: converter(tm.table.c[column], order, zone, decimal) for column in tm.columns}
    fixed = {}
    for column, value in tm.values.items():
        try:
            fixed[column] = converter(tm.table.c[column], order, zone, decimal)(value)
        except Bad as exc:
            raise LoadError(f"[tables.{tm.table.name}] values: {exc}") from None
    keys = [c.name for c in tm.table.primary_key.columns]
    unique = [c.name for c in tm.table.columns if c.unique]
    seen: dict[tuple[str, tuple[Any, ...]], int] = {}
    out: list[dict[str, Any]] = []
    width = len(rows.header)
    for line, cells in rows.rows:
        record: dict[str, Any] = dict(fixed)
        reasons: list[str] = []
        spare = [c for c in cells[width:] if not _empty(c)]
        if spare or (rows.fixed_width and len(cells) < width):
            # Values shifted by a stray delimiter would land in the wrong columns: the row is not read.
            report.rejected.append(Rejected(tm.source, line, f"{len(cells)} cells where the header has {width}"))
            continue
        for column, at in positions.items():
            value = cells[at] if at < len(cells) else None
            if _empty(value):
                record[column] = None
                if not tm.table.c[column].nullable:
                    reasons.append(f"{column} is empty")
                continue
            try:
                record[column] = readers[column](value)
            except Bad as exc:
                reasons.append(str(exc))
        if not reasons:
            for names in ([keys] if keys else []) + [[u] for u in unique]:
                value = tuple(record.get(n) for n in names)
                if any(v is None for v in value):
                    continue
                first = seen.get((",".join(names), value))
                if first is not None:
                    shown = value[0] if len(value) == 1 else value
                    reasons.append(f"{' + '.join(names)} {shown} repeats line {first}")
        if reasons:
            report.rejected.append(Rejected(tm.source, line, "; ".join(reasons)))
            continue
        for names in ([keys] if keys else []) + [[u] for u in unique]:
            seen.setdefault((",".join(names), tuple(record.get(n) for n in names)), line)
        out.append(record)
    columns = [c.name for c in tm.table.columns if c.name in tm.columns or c.name in tm.values]
    return pd.DataFrame(out, columns=columns, dtype=object), report


def _referenced(engine: Engine, frames: dict[str, pd.DataFrame], target: str) -> set[Any]:
    """The values of ``table.column`` that exist after the load: this load's rows, or the database's."""
    table, column = target.split(".")
    if table in frames:
        return set(frames[table][column].dropna()) if column in frames[table] else set()
    t = schema.metadata.tables[table]
    if not inspect(engine).has_table(table):
        return set()
    with engine.connect() as conn:
        return set(conn.execute(select(t.c[column]).where(t.c[column].is_not(None)).distinct()).scalars())


def count_dangling(engine: Engine, frames: dict[str, pd.DataFrame], reports: dict[str, TableReport]) -> None:
    """Count, per column, the loaded references to records that are not there (loaded as they are)."""
    for name, frame in frames.items():
        for column in schema.metadata.tables[name].columns:
            target = column.info.get("references")
            if not target or column.name not in frame or frame[column.name].isna().all():
                continue
            present = _referenced(engine, frames, target)
            n = int(frame[column.name].map(lambda v, p=present: v is not None and not pd.isna(v) and v not in p).sum())
            if n:
                reports[name].dangling[column.name] = n


@dataclass
class LoadResult:
    reports: list[TableReport]
    date_order: DateOrder
    summaries: int | None  # summary rows rebuilt, None when the backend keeps none


def load(mapping: Mapping, source: Path, engine: Engine, *, replace: bool = False) -> LoadResult:
    """Read and check every export first (a :class:`LoadError` stops before anything is written), then
    write the rows that passed — all tables in one transaction, so a failure writes nothing (and, with
    ``replace``, deletes nothing) — and rebuild the summary tables."""
    exports = {tm.table.name: read_export(source, tm, mapping.encoding, mapping.delimiter) for tm in mapping.tables}
    order = date_order(mapping, exports)
    frames: dict[str, pd.DataFrame] = {}
    reports: dict[str, TableReport] = {}
    for tm in mapping.tables:
        frames[tm.table.name], reports[tm.table.name] = check_rows(tm, exports[tm.table.name], order, mapping.zone, mapping.decimal)
    create_schema(engine)
    with engine.connect() as conn:
        full = [tm.table.name for tm in mapping.tables if conn.execute(select(func.count()).select_from(tm.table)).scalar_one()]
    if full and not replace:
        raise LoadError(
            f"{', '.join(full)} already hold rows in {mask(str(engine.url))}: load into empty tables, or pass --replace "
            "to delete their rows first."
        )
    count_dangling(engine, frames, reports)
    writing = ""
    try:
        with engine.begin() as conn:
            for tm in reversed(mapping.tables):  # children before the tables they refer to
                if tm.table.name in full:
                    writing = tm.table.name
                    conn.execute(delete(tm.table))
            for tm in mapping.tables:
                writing = tm.table.name
                reports[tm.table.name].loaded = bulk_insert(engine, tm.table, frames[tm.table.name], conn)
    except Exception as exc:  # noqa: BLE001 - the database's own complaint, without a traceback
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise LoadError(
            f"Nothing was loaded: writing {writing} into {mask(str(engine.url))} failed ({type(exc).__name__}: "
            f"{detail[0] if detail else 'no detail'}), and every table was left as it was."
        ) from None
    summaries = _rebuild_summaries(engine)
    return LoadResult([reports[tm.table.name] for tm in mapping.tables], order, summaries)


def _rebuild_summaries(engine: Engine) -> int | None:
    from data_layer.dimensions import reporting_currency
    from data_layer.summary import build_summaries, supports_summaries

    if not supports_summaries(engine):
        return None
    settings = load_settings()
    return build_summaries(engine, settings.calendar, reporting_currency(engine, settings.reporting_currency))


# --- The command -----------------------------------------------------------------------------------------


def _print_report(result: LoadResult, out: Any = None) -> None:
    out = out or sys.stdout  # at call time: a test or caller may have replaced it
    width = max([len(r.table) for r in result.reports] + [5])
    print(f"{'table':<{width}}  {'read':>9}  {'loaded':>9}  {'rejected':>9}  {'blank':>6}  source", file=out)
    for r in result.reports:
        print(f"{r.table:<{width}}  {r.read:>9,}  {r.loaded:>9,}  {len(r.rejected):>9,}  {r.blank:>6,}  {r.source}", file=out)
    for r in result.reports:
        if r.unused_columns:
            print(f"{r.table}: columns not loaded: {', '.join(r.unused_columns)}", file=out)
        for column, n in r.dangling.items():
            target = schema.metadata.tables[r.table].c[column].info["references"]
            print(f"{r.table}: {n:,} rows' {column} refer to no {target} (loaded; see the data-health page)", file=out)
        for rejected in r.rejected[:SHOWN_REJECTIONS]:
            print(f"rejected: {rejected.source} line {rejected.line}: {rejected.reason}", file=out)
        if len(r.rejected) > SHOWN_REJECTIONS:
            print(f"… and {len(r.rejected) - SHOWN_REJECTIONS:,} more rejected rows of {r.source} (all in --report)", file=out)
    if result.date_order != "auto":
        print(f"dates read {result.date_order.replace('_', '-')}", file=out)
    if result.summaries is not None:
        print(f"summary tables rebuilt ({result.summaries:,} rows)", file=out)


def write_rejections(result: LoadResult, path: Path) -> None:
    rows = [{"table": r.table, "source": x.source, "line": x.line, "reason": x.reason} for r in result.reports for x in r.rejected]
    pd.DataFrame(rows, columns=["table", "source", "line", "reason"]).to_csv(path, index=False, encoding="utf-8-sig")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_layer.load", description="Load CSV or Excel exports of a CRM into Granary's canonical tables.")
    parser.add_argument("--mapping", required=True, type=Path, help="the mapping file (TOML): which export fills which table and column")
    parser.add_argument("--source", required=True, type=Path, help="the folder of CSV exports, or an .xlsx workbook")
    parser.add_argument("--url", required=True, help="the database to load into (one Granary may write, never the CRM itself)")
    parser.add_argument("--replace", action="store_true", help="delete the mapped tables' rows first")
    parser.add_argument("--report", type=Path, help="write every rejected row (file, line, reason) to this CSV")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        mapping = read_mapping(args.mapping, settings.calendar.timezone)
        engine = create_engine(args.url)
    except LoadError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (ArgumentError, ValueError) as exc:
        print(f"Cannot use the database URL {mask(args.url)}: {exc}", file=sys.stderr)
        return 2
    try:
        result = load(mapping, args.source, engine, replace=args.replace)
    except LoadError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(explain(exc, args.url), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    _print_report(result)
    if args.report is not None:
        write_rejections(result, args.report)
    return 0


if __name__ == "__main__":
    run(main)
