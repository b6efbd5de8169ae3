"""New customers against wallet_crm, worked out by hand, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine

from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics.base import Context, Grouping, evaluate, result, trend
from metrics.customers import METRIC as NEW_CUSTOMERS
from metrics.registry import REGISTRY
from tests import wallet_crm
from tests.conftest import BACKENDS, database_on

CAL = Calendar(fiscal_year_start_month=4)
Q = Period(date(2025, 7, 1), date(2025, 9, 30), "month", "quarter")  # FY2026 Q2
Q_BEFORE = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
EMPTY = Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter")


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """wallet_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, wallet_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER) -> Context:
        return Context(loaded, org, viewer, CAL, "USD", date(2025, 10, 15))

    return make


def test_new_customers_in_the_period(ctx_for):
    ctx = ctx_for()
    # First order with an amount above zero in Q: Beta 15 Jul, Zeta 20 Aug (its credit note of June does not
    # count), Delta 1 Sep, Iota 30 Sep. Acme (Feb), Gamma (2024), Eta (2023) bought before; Epsilon in April;
    # Theta never ordered; Kappa's only order has no amount.
    assert result(NEW_CUSTOMERS, ctx, Filters(Q)).value == 4
    # The quarter before: Epsilon alone. Zeta's credit note of 10 June does not make it a customer.
    assert result(NEW_CUSTOMERS, ctx, Filters(Q_BEFORE)).value == 1
    assert result(NEW_CUSTOMERS, ctx, Filters(EMPTY)).value == 0


def test_by_home_unit_and_by_month_of_first_order(ctx_for):
    ctx = ctx_for()
    # Home units at 30 Sep: Iota in NORTH; Beta, Zeta, Delta in SOUTH — Delta although it bought through NORTH.
    by_unit = evaluate(NEW_CUSTOMERS, ctx, Filters(Q), Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["value"], strict=True)) == {"NORTH": 1, "SOUTH": 3}
    assert sum(by_unit["value"]) == result(NEW_CUSTOMERS, ctx, Filters(Q)).value  # one home unit each: they add up
    months = trend(NEW_CUSTOMERS, ctx, Filters(Q))
    assert list(months["bucket_start"]) == [date(2025, 7, 1), date(2025, 8, 1), date(2025, 9, 1)]
    assert list(months["value"]) == [1, 1, 2]


def test_viewer_scope_and_filters(ctx_for):
    south = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
    assert result(NEW_CUSTOMERS, ctx_for(south), Filters(Q)).value == 3
    assert result(NEW_CUSTOMERS, ctx_for(south), Filters(Q, unit="NORTH")).value == 0
    ctx = ctx_for()
    # New to Software: Beta (15 Jul) and Acme, whose first SW order is the EUR one of 1 Aug.
    assert result(NEW_CUSTOMERS, ctx, Filters(Q, bus=("SW",))).value == 2
    # A viewer limited to Software sees the same, whatever the filter bar says.
    sw_only = Viewer(user="sw", role=Role.REGIONAL_HEAD, bus=("SW",))
    assert result(NEW_CUSTOMERS, ctx_for(sw_only), Filters(Q)).value == 2
    # Leaf unit: everything in scope is that office's.
    leaf = evaluate(NEW_CUSTOMERS, ctx, Filters(Q, unit="S-OFF"), Grouping("unit"))
    assert leaf[["group", "value"]].to_dict("records") == [{"group": "S-OFF", "value": 3}]


def test_registered_with_both_languages():
    assert REGISTRY["new_customers"] is NEW_CUSTOMERS
    assert (NEW_CUSTOMERS.kind, NEW_CUSTOMERS.better) == ("count", "up")
    assert all(NEW_CUSTOMERS.label[lang] and NEW_CUSTOMERS.definition[lang] for lang in ("en", "zh"))
