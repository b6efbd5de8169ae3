"""Fast, exact bulk loading of pandas frames into the canonical schema on every backend.

Values are normalised once (nulls, exact money, naive UTC timestamps, dates), then each
backend gets its fastest path: DuckDB scans the frame, PostgreSQL takes ``COPY``, MySQL and
SQLite take chunked ``executemany`` (PyMySQL rewrites it into multi-row inserts).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Engine, Integer, Numeric, Table, inspect
from sqlalchemy.schema import CreateIndex, CreateTable

from data_layer.schema import metadata

COPY_CHUNK = 50_000
MYSQL_CHUNK = 5_000
SQLITE_CHUNK = 20_000


def create_schema(engine: Engine, *, indexes: bool = True) -> list[Table]:
    """Create every table of the canonical schema (existing tables are left alone); returns the
    tables it created.

    With ``indexes=False`` their secondary indexes are left for :func:`create_indexes`, to be
    built once after a bulk load (keys and unique constraints are part of the tables): faster,
    and DuckDB need not keep growing indexes in memory while it loads.
    """
    present = set(inspect(engine).get_table_names())
    created = [t for t in metadata.sorted_tables if t.name not in present]
    if indexes:
        metadata.create_all(engine)
    else:
        with engine.begin() as conn:
            for table in created:
                conn.execute(CreateTable(table))
    return created


def create_indexes(engine: Engine, tables: list[Table]) -> None:
    """Create the secondary indexes of ``tables`` (created by ``create_schema(indexes=False)``)."""
    for table in tables:
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            with engine.begin() as conn:  # one at a time: DuckDB may write each out before the next
                conn.execute(CreateIndex(index))


def bulk_insert(engine: Engine, table: Table, df: pd.DataFrame, conn: Connection | None = None) -> int:
    """Append ``df`` to ``table``; returns the number of rows written. In a transaction of its own,
    or in ``conn``'s when given (so that several tables load together or not at all).

    Columns are matched by name (missing ones are null). Nulls may be NaN, NaT, None or
    ``pd.NA``. Money may be floats, Decimals or strings: it is rounded to the column's scale
    and sent as an exact decimal. Timestamps are stored naive in UTC (aware ones are
    converted); date columns get dates.
    """
    if len(df) == 0:
        return 0
    unknown = set(df.columns) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name}: unknown columns {sorted(unknown)}")
    columns = [c for c in table.columns if c.name in df.columns]
    df = df.reset_index(drop=True)  # any index: rows are taken in order
    frame = pd.DataFrame({c.name: _normalise(df[c.name], c.type) for c in columns})
    dialect = engine.dialect.name
    with engine.begin() if conn is None else nullcontext(conn) as conn:
        raw = conn.connection.driver_connection
        if dialect == "duckdb":
            _duckdb(raw, table, columns, frame)
        elif dialect == "postgresql":
            _postgres(raw, table, columns, frame)
        elif dialect in ("mysql", "mariadb"):
            _executemany(raw, table, columns, frame, MYSQL_CHUNK, "%s", "`")
        elif dialect == "sqlite":
            _executemany(raw, table, columns, frame, SQLITE_CHUNK, "?", '"')
        else:
            raise NotImplementedError(f"bulk_insert does not support {dialect}")
    return len(df)


# --- normalisation ------------------------------------------------------------------------------


def _scale(type_: Any) -> int | None:
    return int(type_.scale or 0) if isinstance(type_, Numeric) and not isinstance(type_, Integer) else None


def _normalise(s: pd.Series, type_: Any) -> pd.Series:
    """One canonical dtype per SQL type: Int64, scaled Int64 for decimals, datetime64, str."""
    scale = _scale(type_)
    if scale is not None:
        return _scaled_ints(s, scale)
    if isinstance(type_, Integer):
        if s.dtype.kind == "f":
            return pd.Series(np.round(s.to_numpy()), dtype="Float64").astype("Int64")
        return s.astype("Int64")
    if isinstance(type_, DateTime):
        t = pd.to_datetime(s)
        if getattr(t.dt, "tz", None) is not None:
            t = t.dt.tz_convert("UTC").dt.tz_localize(None)
        return t.astype("datetime64[us]")
    if isinstance(type_, Date):
        return pd.to_datetime(s).dt.normalize().astype("datetime64[s]")
    if s.dtype == "str":
        return s
    return s.astype("str").where(s.notna(), None).astype("str")


def _scaled_ints(s: pd.Series, scale: int) -> pd.Series:
    """Exact decimal values as integers of 10**-scale (cents for money)."""
    factor = 10**scale
    if s.dtype.kind in "iu":
        return s.astype("Int64") * factor
    if s.dtype.kind == "f" or isinstance(s.dtype, pd.Float64Dtype):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        # x * 10**scale is within half a unit of the intended integer for |x| < 1e13,
        # so rounding it recovers the decimal the float stands for.
        return pd.Series(np.rint(values * factor), dtype="Float64").astype("Int64")
    quantum = Decimal(1).scaleb(-scale)
    out = []
    for v in s.tolist():
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        else:
            out.append(int(Decimal(str(v)).quantize(quantum, rounding=ROUND_HALF_UP).scaleb(scale)))
    return pd.Series(out, dtype="Int64")


def _decimal_text(scaled: pd.Series, scale: int) -> pd.Series:
    """Scaled integers as decimal strings ('-12.05'); nulls stay null."""
    values = scaled.to_numpy(dtype="int64", na_value=0)
    sign = np.where(values < 0, "-", "")
    absolute = np.abs(values)
    whole = pd.Series(absolute // 10**scale).astype("str")
    frac = pd.Series(absolute % 10**scale).astype("str").str.zfill(scale)
    text = sign + whole + ("." + frac if scale else "")
    return pd.Series(text, dtype="str").where(scaled.notna().to_numpy(), None)


def _python_columns(columns: list[Any], frame: pd.DataFrame, *, text_dates: bool) -> list[list[Any]]:
    """Columns as lists of plain Python values (None for null) for DBAPI drivers."""
    out = []
    for column in columns:
        s = frame[column.name]
        scale = _scale(column.type)
        if scale is not None:
            values = _decimal_text(s, scale).astype(object)
        elif isinstance(column.type, DateTime):
            arr = s.to_numpy()
            if text_dates:  # SQLAlchemy's SQLite storage format
                values = pd.Series(np.datetime_as_string(arr.astype("datetime64[us]"), unit="us"), dtype=object)
                values = values.str.replace("T", " ", regex=False)
                values = values.where(~np.isnat(arr), None)
            else:
                values = pd.Series(arr.astype("datetime64[us]").astype(object), dtype=object)
        elif isinstance(column.type, Date):
            arr = s.to_numpy().astype("datetime64[D]")
            if text_dates:
                values = pd.Series(np.datetime_as_string(arr), dtype=object).where(~np.isnat(arr), None)
            else:
                values = pd.Series(arr.astype(object), dtype=object)
        else:
            values = s.astype(object)
        out.append(values.where(s.notna().to_numpy(), None).tolist())
    return out


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


# --- backends ----------------------------------------------------------------------------------


def _duckdb(raw: Any, table: Table, columns: list[Any], frame: pd.DataFrame) -> None:
    selects = []
    for column in columns:
        name = f'"{column.name}"'
        scale = _scale(column.type)
        if scale is not None:
            unit = "1" if scale == 0 else "0." + "0" * (scale - 1) + "1"
            selects.append(f"CAST(CAST({name} AS DECIMAL(38, 0)) * {unit} AS {column.type.compile(dialect=None)})")
        elif isinstance(column.type, Date):
            selects.append(f"CAST({name} AS DATE)")
        else:
            selects.append(name)
    view = f"_bulk_{table.name}"
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw.register(view, frame)
    try:
        raw.execute(f'INSERT INTO "{table.name}" ({names}) SELECT {", ".join(selects)} FROM "{view}"')
    finally:
        raw.unregister(view)


def _postgres(raw: Any, table: Table, columns: list[Any], frame: pd.DataFrame) -> None:
    names = ", ".join(f'"{c.name}"' for c in columns)
    with raw.cursor() as cur:
        with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for part in _chunks(len(frame), COPY_CHUNK):
                for row in zip(*_python_columns(columns, frame.iloc[part], text_dates=False)):
                    copy.write_row(row)


def _executemany(raw: Any, table: Table, columns: list[Any], frame: pd.DataFrame, size: int, mark: str, quote: str) -> None:
    names = ", ".join(f"{quote}{c.name}{quote}" for c in columns)
    sql = f"INSERT INTO {quote}{table.name}{quote} ({names}) VALUES ({', '.join([mark] * len(columns))})"
    text_dates = mark == "?"
    cur = raw.cursor()
    try:
        for part in _chunks(len(frame), size):
            cur.executemany(sql, list(zip(*_python_columns(columns, frame.iloc[part], text_dates=text_dates))))
    finally:
        cur.close()
