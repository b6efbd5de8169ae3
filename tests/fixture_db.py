"""Loading a hand-built CRM fixture (lists of row dicts per table) into any backend."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, Table, insert

from data_layer import schema


def load_crm(engine: Engine, tables: Sequence[tuple[Table, Sequence[dict]]]) -> None:
    """Create the canonical schema in ``engine`` and insert each table's rows (a column a row
    leaves out is NULL)."""
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        for table, rows in tables:
            if rows:
                keys = sorted({k for row in rows for k in row})
                conn.execute(insert(table), [{k: row.get(k) for k in keys} for row in rows])
