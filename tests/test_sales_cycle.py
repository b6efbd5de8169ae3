"""Sales cycle and the amount-weighted win rate against cycle_crm, worked out by hand, on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from datetime import datetime as DT
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from data_layer import schema
from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics.base import Context, Grouping, evaluate, result
from metrics.registry import REGISTRY
from metrics.sales_cycle import (
    LEAD_TO_ORDER_MEDIAN_DAYS,
    MEDIAN_DAYS,
    WIN_RATE_BY_AMOUNT,
    cycle_distribution,
    lead_to_order_distribution,
)
from metrics.velocity import sales_velocity, stalled_deals
from tests import cycle_crm, tiny_crm
from tests.conftest import BACKENDS, database_on
from tests.fixture_db import load_crm

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter")
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
Q3 = Period(date(2025, 7, 1), date(2025, 9, 30), "month", "quarter")
EMPTY = Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter")
STATS = ("n", "p25", "median", "p75", "p90", "mean")


def approx(values: dict) -> dict:
    return {k: v if v is None or isinstance(v, int) else pytest.approx(v, rel=1e-12) for k, v in values.items()}


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """cycle_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, cycle_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    engine = loaded
    org = load_org(engine)

    def make(viewer: Viewer = DEFAULT_VIEWER) -> Context:
        return Context(engine, org, viewer, Calendar(), "USD", date(2025, 10, 1))

    return make


def test_cycle_distribution_of_a_quarter(ctx_for):
    ctx = ctx_for()
    # Won in Q2 (Shanghai time): opps 1 (0.25 days, won the day it opened), 5 (4; 1 April 01:00 local,
    # still March in UTC), 4 (10; 30 June 23:00 local), 2 (40.5) and 3 (365, the long tail). Opp 6 won
    # at 00:30 on 1 July local: Q3. Opp 10 "closed" before it was created: left out.
    # Sorted 0.25, 4, 10, 40.5, 365; position q·(n−1) = q·4: p25 → 4, median → 10, p75 → 40.5,
    # p90 → 3.6: 40.5 + 0.6 × (365 − 40.5) = 235.2. Mean 419.75 / 5 = 83.95.
    row = cycle_distribution(ctx, Filters(Q2)).iloc[0].to_dict()
    assert row == approx(dict(n=5, p25=4.0, median=10.0, p75=40.5, p90=235.2, mean=83.95))
    median = result(MEDIAN_DAYS, ctx, Filters(Q2))
    assert median.value == 10.0


def test_cycle_by_unit_and_by_close_month(ctx_for):
    ctx = ctx_for()
    by_unit = cycle_distribution(ctx, Filters(Q2), by="unit")
    assert list(by_unit["group"]) == ["NORTH", "SOUTH"]
    # NORTH: 0.25, 40.5, 365 (opp 3 in team N-T1 below NORTH). Positions q·2.
    # p25 0.5: 0.25 + 0.5 × 40.25 = 20.375; p75 1.5: 40.5 + 0.5 × 324.5 = 202.75; p90 1.8: 40.5 + 0.8 × 324.5 = 300.1.
    assert by_unit.iloc[0][list(STATS)].to_dict() == approx(
        dict(n=3, p25=20.375, median=40.5, p75=202.75, p90=300.1, mean=135.25)
    )
    # SOUTH: 4, 10. Positions q·1: p25 5.5, median 7, p75 8.5, p90 9.4.
    assert by_unit.iloc[1][list(STATS)].to_dict() == approx(dict(n=2, p25=5.5, median=7.0, p75=8.5, p90=9.4, mean=7.0))

    by_month = cycle_distribution(ctx, Filters(Q2), by="bucket")
    assert list(by_month["bucket_start"]) == [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
    # April: 0.25, 4, 40.5 → p25 0.25 + 0.5 × 3.75 = 2.125, p75 4 + 0.5 × 36.5 = 22.25, p90 4 + 0.8 × 36.5 = 33.2.
    assert by_month.iloc[0][list(STATS)].to_dict() == approx(
        dict(n=3, p25=2.125, median=4.0, p75=22.25, p90=33.2, mean=44.75 / 3)
    )
    assert by_month.iloc[1][list(STATS)].to_dict() == approx(dict(n=1, p25=365.0, median=365.0, p75=365.0, p90=365.0, mean=365.0))
    assert by_month.iloc[2][list(STATS)].to_dict() == approx(dict(n=1, p25=10.0, median=10.0, p75=10.0, p90=10.0, mean=10.0))

    medians = evaluate(MEDIAN_DAYS, ctx, Filters(Q2), Grouping("unit"))
    assert dict(zip(medians["group"], medians["value"], strict=True)) == {"NORTH": 40.5, "SOUTH": 7.0}


def test_a_deal_won_just_after_midnight_local_belongs_to_the_next_quarter(ctx_for):
    ctx = ctx_for()
    # Opp 6: 30 June 16:30 UTC is 1 July 00:30 local: Q3's only win, 29 days 16.5 hours.
    row = cycle_distribution(ctx, Filters(Q3)).iloc[0].to_dict()
    assert row == approx(dict(n=1, p25=29.6875, median=29.6875, p75=29.6875, p90=29.6875, mean=29.6875))


def test_filters_and_scope(ctx_for):
    assert result(MEDIAN_DAYS, ctx_for(), Filters(Q2, bus=("SW",))).value == pytest.approx(22.25)  # opps 2 and 5: 4, 40.5
    head = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
    assert result(MEDIAN_DAYS, ctx_for(head), Filters(Q2)).value == 40.5
    assert result(MEDIAN_DAYS, ctx_for(head), Filters(Q2, unit="SOUTH")).value is None


def test_the_median_cycle_says_how_many_deals_closed_before_they_were_created(ctx_for):
    ctx = ctx_for()
    # Opp 10 (NORTH, won 9 May 08:00 local) closed the day before it was created: left out, and counted.
    assert result(MEDIAN_DAYS, ctx, Filters(Q2)).excluded == (("opportunities_closed_before_created", 1),)
    assert result(MEDIAN_DAYS, ctx, Filters(Q3)).excluded == ()
    by_unit = evaluate(MEDIAN_DAYS, ctx, Filters(Q2), Grouping("unit")).set_index("group")
    assert by_unit.loc["NORTH", "opportunities_closed_before_created"] == 1
    assert by_unit.loc["SOUTH", "opportunities_closed_before_created"] == 0
    by_month = evaluate(MEDIAN_DAYS, ctx, Filters(Q2), Grouping("bucket")).set_index("group")
    assert list(by_month["opportunities_closed_before_created"].sort_index()) == [0, 1, 0]  # May
    # A day whose only win is opp 10: no median, but the deal it left out is still counted — in total and in its unit.
    day = Filters(Period(date(2025, 5, 9), date(2025, 5, 9), "day", "days"))
    only_backwards = result(MEDIAN_DAYS, ctx, day)
    assert only_backwards.value is None and only_backwards.excluded == (("opportunities_closed_before_created", 1),)
    rows = evaluate(MEDIAN_DAYS, ctx, day, Grouping("unit")).to_dict("records")
    assert [(r["group"], r["value"], r["opportunities_closed_before_created"]) for r in rows] == [("NORTH", None, 1)]
    # A rep's head who cannot see NORTH is told nothing about its deals.
    south = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
    assert result(MEDIAN_DAYS, ctx_for(south), Filters(Q2)).excluded == ()


def test_win_rate_by_amount(ctx_for):
    ctx = ctx_for()
    # Closed in Q2 with an amount and a rate: won 1 (100), 2 (200 EUR at 1.10 = 220), 3 (1000), 4 (50);
    # lost 7 (300). Opps 5 and 10 have no amount, opp 8 is in GBP (no rate): all left out.
    win = result(WIN_RATE_BY_AMOUNT, ctx, Filters(Q2))
    assert (Decimal(str(win.numerator)), Decimal(str(win.denominator))) == (Decimal("1370"), Decimal("1670"))
    assert win.value == pytest.approx(1370 / 1670)
    assert win.excluded == (("opportunities_no_amount", 2), ("opportunities_no_rate", 1))  # and it says so
    by_unit = evaluate(WIN_RATE_BY_AMOUNT, ctx, Filters(Q2), Grouping("unit"))
    # NORTH: 100 + 220 + 1000 won, its only loss is in GBP → 1.0. SOUTH: 50 won, 300 lost.
    assert dict(zip(by_unit["group"], by_unit["value"], strict=True)) == {"NORTH": 1.0, "SOUTH": pytest.approx(50 / 350)}


def test_no_lost_deals_and_the_rate_of_the_local_close_date(ctx_for):
    ctx = ctx_for()
    # Q3: opp 6 alone, won; 100 EUR closed 1 July local (30 June in UTC) converts at 1.20, not 1.10.
    win = result(WIN_RATE_BY_AMOUNT, ctx, Filters(Q3))
    assert Decimal(str(win.numerator)) == Decimal("120") and win.value == 1.0


def test_empty_period(ctx_for):
    ctx = ctx_for()
    assert cycle_distribution(ctx, Filters(EMPTY)).iloc[0].to_dict() == dict(
        n=0, p25=None, median=None, p75=None, p90=None, mean=None
    )
    assert cycle_distribution(ctx, Filters(EMPTY), by="unit").empty
    months = cycle_distribution(ctx, Filters(EMPTY), by="bucket")
    assert list(months["n"]) == [0, 0, 0] and months["median"].isna().all()
    assert result(MEDIAN_DAYS, ctx, Filters(EMPTY)).value is None
    win = result(WIN_RATE_BY_AMOUNT, ctx, Filters(EMPTY))
    assert win.value is None and win.reason == "no_denominator"


def test_metrics_are_registered_with_both_languages():
    for metric in (MEDIAN_DAYS, WIN_RATE_BY_AMOUNT):
        assert REGISTRY[metric.key] is metric
        assert metric.label["en"] and metric.label["zh"] and metric.definition["en"] and metric.definition["zh"]
    assert (MEDIAN_DAYS.kind, MEDIAN_DAYS.better) == ("days", "down")
    assert (WIN_RATE_BY_AMOUNT.kind, WIN_RATE_BY_AMOUNT.better) == ("ratio", "up")


def test_sales_velocity(ctx_for):
    ctx = ctx_for()
    # Open when Q2 ends (30 June 16:00 UTC): opp 9, and opp 6, won only at 16:30. Win rate by count:
    # won 1, 2, 3, 4, 5, 10 of 8 closed (7 and 8 lost) = 0.75. Average won amount: 1370 over opps 1–4
    # (5 and 10 have none) = 342.50. Median cycle 10 days. 2 × 0.75 × 342.50 ÷ 10 = 51.375 a day.
    row = sales_velocity(ctx, Filters(Q2)).iloc[0].to_dict()
    assert row == dict(
        open_deals=2,
        win_rate=0.75,
        average_won_amount=Decimal("342.50"),
        median_cycle_days=10.0,
        velocity_per_day=pytest.approx(51.375),
    )
    by_unit = sales_velocity(ctx, Filters(Q2), by="unit").set_index("group")
    # NORTH: opp 9 open; 4 of 5 won (8 lost); (100 + 220 + 1000) ÷ 3 = 440; median 40.5.
    assert by_unit.loc["NORTH", "velocity_per_day"] == pytest.approx(1 * 0.8 * 440 / 40.5)
    # SOUTH: opp 6 open; 2 of 3 won (7 lost); 50 ÷ 1; median 7.
    assert by_unit.loc["SOUTH", "velocity_per_day"] == pytest.approx(1 * (2 / 3) * 50 / 7)
    assert list(by_unit["open_deals"]) == [1, 1]
    empty = sales_velocity(ctx, Filters(EMPTY)).iloc[0].to_dict()
    assert empty["open_deals"] == 0 and empty["velocity_per_day"] is None


def test_stalled_deals(ctx_for):
    ctx = ctx_for()
    # At Q2's end opp 6 (SOUTH) is 29 days 16 hours old, beyond SOUTH's p90 of 9.4 days; opp 9 (NORTH)
    # is 60 days 16 hours old, within NORTH's 300.1. Against the whole company's p90 (235.2) neither is.
    stalled = stalled_deals(ctx, Filters(Q2))
    assert list(stalled["opportunity_id"]) == [6] and list(stalled["group"]) == ["SOUTH"]
    assert stalled.iloc[0]["age_days"] == pytest.approx(29 + 16 / 24) and stalled.iloc[0]["p90_days"] == pytest.approx(9.4)
    assert stalled_deals(ctx, Filters(Q2), by=None).empty
    assert stalled_deals(ctx, Filters(EMPTY)).empty  # nothing won: no p90 to exceed


# --- Lead created to first order ---------------------------------------------------------------------
#
# tiny_crm's organisation, business units and rates, five accounts, and these leads and orders
# (timestamps UTC; "local" = Shanghai, UTC+8). Q2 2025; the lookback reaches back to 1 July 2023.
#
# | acct | first order above zero | leads (unit, created)                                          | cycle, days |
# |------|------------------------|----------------------------------------------------------------|-------------|
# | 1    | 2025-04-10 HW (N-OFF)  | L1 N-OFF 2025-03-31 17:00 = 1 Apr local; L2 S-OFF 2025-04-05   | 9 (L1, NORTH) |
# | 2    | 2025-05-20 (a −50 credit note on 1 Apr does not count) | L3 S-OFF 2025-05-20 02:00 = 10:00 local; L4 S-OFF 2025-05-20 16:30 = 21 May local (after) | 0 (L3, SOUTH) |
# | 3    | 2025-06-30             | L5 N-T1 2023-06-01 (beyond 730 days); L6 N-T1 2024-06-30 16:00 = 1 Jul 2024 local | 364 (L6, NORTH) |
# | 4    | 2025-03-31 (Q1)        | L7 N-OFF 2025-03-01                                             | Q1: 30      |
# | 5    | 2025-05-05             | none                                                           | left out    |
#
# Account 1 also buys SW on 2025-06-01: its first SW order, 61 days after L1.

LEAD_ACCOUNTS = [
    *tiny_crm.ACCOUNTS,
    *(dict(account_id=i, name=f"A{i}", segment="smb", source_channel="event", home_unit_id=4, owner_rep_id=1, created_at=DT(2023, 1, 1)) for i in (4, 5)),
]
LEADS = [
    dict(lead_id=i, account_id=a, unit_id=u, created_at=c, source_channel="event", status="converted")
    for i, a, u, c in (
        (1, 1, 4, DT(2025, 3, 31, 17)), (2, 1, 5, DT(2025, 4, 5)), (3, 2, 5, DT(2025, 5, 20, 2)), (4, 2, 5, DT(2025, 5, 20, 16, 30)),
        (5, 3, 6, DT(2023, 6, 1)), (6, 3, 6, DT(2024, 6, 30, 16)), (7, 4, 4, DT(2025, 3, 1)), (8, None, 4, DT(2025, 4, 2)),
    )
]
ORDERS = [
    dict(order_id=i, order_number=f"SO-{i}", account_id=a, rep_id=1, unit_id=u, bu_id=bu, product_id=bu, order_date=d, amount=Decimal(x), currency="USD")
    for i, a, u, bu, d, x in (
        (1, 1, 4, 1, date(2025, 4, 10), "100.00"), (2, 1, 4, 2, date(2025, 6, 1), "50.00"), (3, 2, 5, 1, date(2025, 4, 1), "-50.00"),
        (4, 2, 5, 1, date(2025, 5, 20), "70.00"), (5, 3, 6, 1, date(2025, 6, 30), "10.00"), (6, 4, 4, 1, date(2025, 3, 31), "20.00"),
        (7, 5, 4, 1, date(2025, 5, 5), "30.00"),
    )
]


@pytest.fixture(scope="module", params=BACKENDS)
def lead_ctx(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Context]]:
    tables = [
            (schema.org_unit, tiny_crm.ORG), (schema.business_unit, tiny_crm.BUS), (schema.product, tiny_crm.PRODUCTS),
            (schema.rep, tiny_crm.REPS), (schema.account, LEAD_ACCOUNTS), (schema.lead, LEADS), (schema.sales_order, ORDERS),
    ]
    with database_on(request.param, tmp_path_factory, lambda engine: load_crm(engine, tables)) as engine:
        org = load_org(engine)
        yield lambda viewer=DEFAULT_VIEWER: Context(engine, org, viewer, Calendar(), "USD", date(2025, 10, 1))


def test_lead_to_first_order_cycle_of_a_quarter(lead_ctx):
    ctx = lead_ctx()
    # 0, 9, 364; positions q·2: p25 4.5, median 9, p75 9 + 0.5 × 355 = 186.5, p90 9 + 0.8 × 355 = 293.
    row = lead_to_order_distribution(ctx, Filters(Q2)).iloc[0].to_dict()
    assert row == approx(dict(n=3, p25=4.5, median=9.0, p75=186.5, p90=293.0, mean=373 / 3))
    assert result(LEAD_TO_ORDER_MEDIAN_DAYS, ctx, Filters(Q2)).value == 9.0
    # Q1: account 4, 30 days after L7.
    assert lead_to_order_distribution(ctx, Filters(Q1)).iloc[0]["median"] == 30.0


def test_lead_to_first_order_by_unit_and_month(lead_ctx):
    ctx = lead_ctx()
    by_unit = lead_to_order_distribution(ctx, Filters(Q2), by="unit")
    assert list(by_unit["group"]) == ["NORTH", "SOUTH"]
    # NORTH: 9, 364 → positions q·1.
    assert by_unit.iloc[0][list(STATS)].to_dict() == approx(dict(n=2, p25=97.75, median=186.5, p75=275.25, p90=328.5, mean=186.5))
    assert by_unit.iloc[1][list(STATS)].to_dict() == approx(dict(n=1, p25=0.0, median=0.0, p75=0.0, p90=0.0, mean=0.0))
    by_month = lead_to_order_distribution(ctx, Filters(Q2), by="bucket")
    assert list(by_month["median"]) == [9.0, 0.0, 364.0] and list(by_month["n"]) == [1, 1, 1]
    medians = evaluate(LEAD_TO_ORDER_MEDIAN_DAYS, ctx, Filters(Q2), Grouping("unit"))
    assert dict(zip(medians["group"], medians["value"], strict=True)) == {"NORTH": 186.5, "SOUTH": 0.0}


def test_lead_to_first_order_scope_filters_and_empty_period(lead_ctx):
    # The earliest lead is chosen before scope: account 1's journey belongs to NORTH (L1), not to SOUTH (L2).
    south = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
    assert lead_to_order_distribution(lead_ctx(south), Filters(Q2)).iloc[0][["n", "median"]].to_dict() == dict(n=1, median=0.0)
    north = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
    assert result(LEAD_TO_ORDER_MEDIAN_DAYS, lead_ctx(north), Filters(Q2)).value == 186.5
    # SW only: account 1's first SW order (1 June) is 61 days after L1.
    sw = lead_to_order_distribution(lead_ctx(), Filters(Q2, bus=("SW",))).iloc[0]
    assert (sw["n"], sw["median"]) == (1, 61.0)
    empty = lead_to_order_distribution(lead_ctx(), Filters(EMPTY)).iloc[0].to_dict()
    assert empty == dict(n=0, p25=None, median=None, p75=None, p90=None, mean=None)
    assert result(LEAD_TO_ORDER_MEDIAN_DAYS, lead_ctx(), Filters(EMPTY)).value is None
