"""Reading a CRM in place through a mapping (data_layer/mapping.py): the file is checked, nothing is
written to the CRM, and every metric reads the same through a mapping as from the canonical tables."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, Engine, column, select, table

from data_layer.config import Calendar
from data_layer.connection import ConnectionProblem, make_engine, missing_schema
from data_layer.dimensions import load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from data_layer.mapping import MappingError, load_mapping, preset_names, to_utc
from metrics.base import Context
from metrics.cli import summary
from tests import tiny_crm, toy_crm

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
