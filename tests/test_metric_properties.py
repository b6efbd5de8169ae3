"""Property tests on small random CRMs in DuckDB: conversion rates lie in [0, 1], children sum to
their parent, and revenue equals a pure-Python oracle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, delete, insert

from data_layer import schema
from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from metrics.base import CENT, Context, Grouping, evaluate, result
from metrics.registry import REGISTRY
from tests import tiny_crm

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31), "month", "year")
AS_OF = date(2026, 1, 15)
#: Conversion rates: shares of a whole, never snapshot ratios (NRR may exceed 1 by design).
RATES_IN_UNIT_INTERVAL = ("win_rate", "win_rate_by_amount", "logo_churn", "grr", "wallet_coverage", "contract_churn")
EUR_SWITCH = date(2025, 7, 1)
UNITS = (4, 5, 6, 7)  # N-OFF, S-OFF, N-T1, S-T1
NORTH = {4, 6}
FIRST, LAST = date(2023, 6, 1), date(2026, 1, 15)


def eur_rate(day: date) -> Decimal | None:
    """tiny_crm's EUR→USD rates: 1.10 from 2024 until 1 July 2025, 1.20 from then; none before 2024."""
    if day < date(2024, 1, 1):
        return None
    return Decimal("1.10") if day < EUR_SWITCH else Decimal("1.20")


days = st.integers(0, (LAST - FIRST).days).map(lambda n: FIRST + timedelta(days=n))
cents = st.integers(-50_000, 500_000).map(lambda c: Decimal(c).scaleb(-2))
orders = st.lists(
    st.fixed_dictionaries(
        dict(
            account_id=st.integers(1, 3), unit_id=st.sampled_from(UNITS), bu_id=st.integers(1, 2), order_date=days,
            amount=st.one_of(st.none(), cents), currency=st.sampled_from(("USD", "EUR", "GBP")),
            contract_months=st.sampled_from((0, 0, 12)),
        )
    ),
    max_size=20,
)
opportunities = st.lists(
    st.fixed_dictionaries(
        dict(
            unit_id=st.sampled_from(UNITS), created=days, open_days=st.integers(0, 400), status=st.sampled_from(("won", "lost", "open")),
            amount=st.one_of(st.none(), st.integers(0, 500_000).map(lambda c: Decimal(c).scaleb(-2))),
            currency=st.sampled_from(("USD", "EUR")),
        )
    ),
    max_size=8,
)
wallets = st.lists(st.one_of(st.none(), st.sampled_from((Decimal("0"), Decimal("-5"))), cents.map(abs)), min_size=3, max_size=3)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    path: Path = tmp_path_factory.mktemp("properties") / "p.duckdb"
    engine = create_engine(f"duckdb:///{path}")
    tiny_crm.load(engine)
    with engine.begin() as conn:
        for table in (schema.lead, schema.opportunity, schema.sales_order):
            conn.execute(delete(table))
    yield Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)
    engine.dispose()


def _load(engine: Engine, order_rows: list[dict], opp_rows: list[dict], wallet_amounts: list[Decimal | None]) -> None:
    with engine.begin() as conn:
        for table in (schema.sales_order, schema.opportunity, schema.wallet_estimate):
            conn.execute(delete(table))
        if order_rows:
            conn.execute(
                insert(schema.sales_order),
                [
                    dict(
                        order_id=i, order_number=f"SO-{i}", account_id=o["account_id"], unit_id=o["unit_id"], bu_id=o["bu_id"],
                        product_id=o["bu_id"], order_date=o["order_date"], amount=o["amount"], currency=o["currency"],
                        contract_start_date=o["order_date"] if o["contract_months"] else None,
                        contract_end_date=o["order_date"] + timedelta(days=364) if o["contract_months"] else None,
                    )
                    for i, o in enumerate(order_rows, 1)
                ],
            )
        if opp_rows:
            conn.execute(
                insert(schema.opportunity),
                [
                    dict(
                        opportunity_id=i, account_id=1, unit_id=o["unit_id"], bu_id=1, product_id=1, currency=o["currency"],
                        created_at=datetime.combine(o["created"], datetime.min.time()), status=o["status"], amount=o["amount"],
                        stage=o["status"] if o["status"] != "open" else "proposal",
                        closed_at=None if o["status"] == "open" else datetime.combine(o["created"], datetime.min.time()) + timedelta(days=o["open_days"]),
                    )
                    for i, o in enumerate(opp_rows, 1)
                ],
            )
        estimates = [dict(account_id=a, fiscal_year=2025, amount=w, currency="USD") for a, w in enumerate(wallet_amounts, 1) if w is not None]
        if estimates:
            conn.execute(insert(schema.wallet_estimate), estimates)


def _oracle_revenue(order_rows: list[dict], units: set[int] | None = None) -> Decimal:
    total = Decimal(0)
    for o in order_rows:
        if o["amount"] is None or not (YEAR.start <= o["order_date"] <= YEAR.end) or (units and o["unit_id"] not in units):
            continue
        rate = Decimal(1) if o["currency"] == "USD" else eur_rate(o["order_date"]) if o["currency"] == "EUR" else None
        if rate is not None:  # each order converted and rounded to the cent, half away from zero (SQL's ROUND)
            total += (o["amount"] * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return total


PROPERTY_SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY_SETTINGS
@given(order_rows=orders, opp_rows=opportunities, wallet_amounts=wallets)
def test_conversion_rates_lie_between_zero_and_one(ctx, order_rows, opp_rows, wallet_amounts):
    _load(ctx.engine, order_rows, opp_rows, wallet_amounts)
    for key in RATES_IN_UNIT_INTERVAL:
        for grouping in (Grouping(), Grouping("unit")):
            for value in evaluate(REGISTRY[key], ctx, Filters(YEAR), grouping)["value"]:
                if value is not None and value == value:  # NaN: not defined
                    assert 0.0 <= value <= 1.0, (key, grouping.by, value)


@PROPERTY_SETTINGS
@given(order_rows=orders)
def test_revenue_equals_the_oracle_and_children_sum_to_the_parent(ctx, order_rows):
    _load(ctx.engine, order_rows, [], [])
    flt = Filters(YEAR)
    assert result(REGISTRY["revenue"], ctx, flt).value == _oracle_revenue(order_rows)
    by_unit = evaluate(REGISTRY["revenue"], ctx, flt, Grouping("unit"))
    for group, value in zip(by_unit["group"], by_unit["value"], strict=True):
        # A unit whose orders in the period all lack an amount (or a rate) comes back None, not 0.00.
        assert (Decimal("0.00") if value is None else value) == _oracle_revenue(order_rows, NORTH if group == "NORTH" else set(UNITS) - NORTH), group
    in_year = [o for o in order_rows if YEAR.start <= o["order_date"] <= YEAR.end]
    orders_by_unit = evaluate(REGISTRY["won_orders"], ctx, flt, Grouping("unit"))
    assert sum(orders_by_unit["value"]) == result(REGISTRY["won_orders"], ctx, flt).value == len(in_year)
    assert sum(evaluate(REGISTRY["won_orders"], ctx, flt, Grouping("bucket"))["value"]) == len(in_year)


@PROPERTY_SETTINGS
@given(order_rows=orders)
def test_revenue_children_sum_to_the_parent_in_whole_cents(ctx, order_rows):
    # Each order converts to whole cents before summing (metrics.money.converted), so units and
    # buckets reconcile exactly with the parent, fractional exchange rates included.
    _load(ctx.engine, order_rows, [], [])
    flt = Filters(YEAR)
    total = result(REGISTRY["revenue"], ctx, flt).value
    for by in ("unit", "bucket"):
        parts = evaluate(REGISTRY["revenue"], ctx, flt, Grouping(by))
        assert sum((v for v in parts["value"] if v is not None), Decimal("0.00")) == total, by
