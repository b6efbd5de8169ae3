"""Test databases: a hand-built CRM fixture (row dicts per table) on any backend, or the demo in a file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, Table, create_engine, insert, text

from data_layer import schema
from data_layer.demo import build_demo


def load_crm(engine: Engine, tables: Sequence[tuple[Table, Sequence[dict]]]) -> None:
    """Create the canonical schema in ``engine`` and insert each table's rows (a column a row
    leaves out is NULL)."""
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        for table, rows in tables:
            if rows:
                keys = sorted({k for row in rows for k in row})
                conn.execute(insert(table), [{k: row.get(k) for k in keys} for row in rows])


def demo_file(path: Path, size: str, as_of: date) -> str:
    """Build the demo CRM (seed 7) into a DuckDB file and return its URL, the writer closed so
    the app can open it read-only."""
    writer = create_engine(f"duckdb:///{path}")
    try:
        build_demo(writer, size=size, seed=7, as_of=as_of, progress=False)
    finally:
        writer.dispose()
    return f"duckdb:///{path}"


def load_native(engine: Engine, ddl: str, rows: list[tuple[str, list[dict]]]) -> None:
    """Create a CRM's own tables from ``ddl`` (statements separated by ;) and insert ``rows`` (table, records):
    a database in another CRM's shape (tests/odoo_crm.py, tests/suitecrm_crm.py), in one transaction."""
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            conn.execute(text(statement))
        for table, records in rows:
            for row in records:
                columns = list(row)
                conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"), row)
