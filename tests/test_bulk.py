"""bulk_insert round-trips nulls, Unicode, exact money, dates and timestamps on every backend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from data_layer.bulk import bulk_insert, create_schema
from data_layer.schema import exchange_rate, org_unit, sales_order


def _orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [1, 2, 3, 4],
            "order_number": ["SO-1", "订单-2 😀", "SO-3", ""],
            "account_id": [1, 1, 2, 2],
            "opportunity_id": [None, None, None, None],
            "rep_id": pd.array([None, None, None, None], dtype="Int64"),
            "unit_id": [10.0, np.nan, 10.0, 10.0],
            "order_date": [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(1999, 12, 31), dt.date(2024, 3, 1)],
            "amount": [0.10, 12345678.99, np.nan, 0.3 - 0.2],  # 0.3 - 0.2 is 0.09999999999999998
            "currency": ["USD", "CNY", "EUR", "USD"],
            "cost": [Decimal("0.07"), None, Decimal("-1.005"), pd.NA],
            "quantity": [1, 2, 3, 4],
            "shipped_date": pd.to_datetime(["2024-02-01", None, "2000-01-05", None]),
            "invoiced_date": [dt.date(2024, 2, 2), pd.NaT, None, dt.date(2024, 3, 2)],
        }
    )


EXPECTED_AMOUNT = [Decimal("0.10"), Decimal("12345678.99"), None, Decimal("0.10")]
EXPECTED_COST = [Decimal("0.07"), None, Decimal("-1.01"), None]


def test_round_trip_on_every_backend(fresh_db, backend):
    engine = fresh_db.engine(backend)
    create_schema(engine)
    units = pd.DataFrame(
        {
            "unit_id": [10, 11],
            "code": ["APAC", "APAC-CN"],
            "name": ["华东地区部 — 上海 🏙️", "O'Brien & \"Sons\"\t\\ line\nbreak"],
            "level": ["cluster", "region"],
            "parent_id": [None, 10],
            "revenue_floor": [None, 1_000_000.5],
        }
    )
    assert bulk_insert(engine, org_unit, units) == 2
    accounts = pd.DataFrame(
        {"account_id": [1, 2], "name": ["A", "B"], "created_at": pd.to_datetime(["2024-01-01 08:30:05", "2024-01-02 00:00:00"])}
    )
    from data_layer.schema import account

    bulk_insert(engine, account, accounts)
    assert bulk_insert(engine, sales_order, _orders()) == 4
    rates = pd.DataFrame(
        {
            "from_currency": ["EUR", "CNY"],
            "to_currency": ["USD", "USD"],
            "valid_from": pd.to_datetime(["2024-01-01", "2024-01-01"]),
            "valid_to": [pd.Timestamp("2024-02-01"), pd.NaT],
            "rate": [1.08123456, 0.13912345],
        }
    )
    bulk_insert(engine, exchange_rate, rates)

    with engine.connect() as conn:
        got = conn.execute(select(org_unit).order_by(org_unit.c.unit_id)).all()
        assert [r.name for r in got] == list(units["name"])
        assert got[0].parent_id is None and got[1].parent_id == 10
        assert got[0].revenue_floor is None and got[1].revenue_floor == Decimal("1000000.50")

        created = conn.execute(select(account.c.created_at).order_by(account.c.account_id)).scalars().all()
        assert created == [dt.datetime(2024, 1, 1, 8, 30, 5), dt.datetime(2024, 1, 2)]

        rows = conn.execute(select(sales_order).order_by(sales_order.c.order_id)).all()
        assert [r.order_number for r in rows] == ["SO-1", "订单-2 😀", "SO-3", ""]
        assert [r.amount for r in rows] == EXPECTED_AMOUNT
        assert [r.cost for r in rows] == EXPECTED_COST
        assert [r.unit_id for r in rows] == [10, None, 10, 10]
        assert [r.rep_id for r in rows] == [None] * 4
        assert [r.order_date for r in rows] == [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(1999, 12, 31), dt.date(2024, 3, 1)]
        assert [r.shipped_date for r in rows] == [dt.date(2024, 2, 1), None, dt.date(2000, 1, 5), None]
        assert [r.invoiced_date for r in rows] == [dt.date(2024, 2, 2), None, None, dt.date(2024, 3, 2)]
        assert all(type(r.order_date) is dt.date for r in rows)

        got_rates = conn.execute(select(exchange_rate).order_by(exchange_rate.c.from_currency)).all()
        assert [r.rate for r in got_rates] == [Decimal("0.13912345"), Decimal("1.08123456")]
        assert [r.valid_to for r in got_rates] == [None, dt.date(2024, 2, 1)]


def test_empty_frame_is_a_no_op(fresh_db):
    engine = fresh_db.engine("sqlite")
    create_schema(engine)
    assert bulk_insert(engine, org_unit, pd.DataFrame(columns=["unit_id"])) == 0


def test_unknown_column_is_refused(fresh_db):
    engine = fresh_db.engine("sqlite")
    create_schema(engine)
    with pytest.raises(ValueError, match="unknown"):
        bulk_insert(engine, org_unit, pd.DataFrame({"unit_id": [1], "nope": [2]}))


def test_any_index_and_column_order(fresh_db):
    engine = fresh_db.engine("duckdb")
    create_schema(engine)
    units = pd.DataFrame({"name": ["b", "a"], "level": ["team", "team"], "code": ["B", "A"], "unit_id": [2, 1]},
                         index=[250_000, 7])
    bulk_insert(engine, org_unit, units)
    with engine.connect() as conn:
        assert conn.execute(select(org_unit.c.unit_id, org_unit.c.code, org_unit.c.name).order_by(org_unit.c.unit_id)).all() == [
            (1, "A", "a"), (2, "B", "b")]
