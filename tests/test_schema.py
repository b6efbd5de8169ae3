"""The canonical schema creates on every backend, and its document is current."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from data_layer.schema import TABLES, metadata, to_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_schema_creates_on_every_backend(fresh_db, backend):
    engine = fresh_db.engine(backend)
    metadata.create_all(engine)
    names = set(inspect(engine).get_table_names())
    assert {t.name for t in TABLES} <= names


def test_every_column_is_documented():
    for table in TABLES:
        assert table.comment, table.name
        for column in table.columns:
            assert column.comment, f"{table.name}.{column.name}"


def test_data_model_document_matches_schema():
    committed = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    assert committed == to_markdown(), "run: python -m data_layer.schema > docs/data-model.md"
