"""Granary's own database stays apart from the CRM's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from data_layer.app_store import demo_build, open_app_store, record_demo_build


def test_own_database_records_and_never_shares_the_crm_file(tmp_path):
    crm = f"duckdb:///{tmp_path / 'crm.duckdb'}"
    with pytest.raises(ValueError, match="must not be the CRM database"):
        open_app_store(f"duckdb:///{tmp_path / 'crm.duckdb'}", url=crm)
    with pytest.raises(ValueError):
        open_app_store("postgresql://u:a@h/crm", url="postgresql://u:b@h/crm")
    store = open_app_store(crm, url=f"sqlite:///{tmp_path / 'own' / 'granary.sqlite'}")
    record_demo_build(store, url=crm, size="S", seed=7, as_of=date(2026, 11, 23), locale="en")
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(demo_build)).scalar() == 1
