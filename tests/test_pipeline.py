"""The pipeline and forecast against pipeline_crm, worked out by hand, identical on every backend.

As-of day 2025-06-15 (its end: 2025-06-15 16:00 UTC). Open then: O4, O5, O6, O9, O10, O11, O12, O13 (O8 was lost on
2 June), each at its last history row — for these the same as its current values. Their weighted amounts at the as-of
day's rate (EUR 1.20; GBP none), amount → weighted, each rounded to the cent:

| opp | unit  | product | grade   | exp. close | category                         | amount          | weighted          |
|-----|-------|---------|---------|------------|----------------------------------|-----------------|-------------------|
| O4  | NORTH | HW-1    | office  | 06-20 (Fri)| pipeline (prospecting, p = 0)    | 500.00          | 500 × 0 = 0.00    |
| O5  | SOUTH | SW-1    | company | 06-10 (Tue)| commit (proposal, but p = 1)     | 1000 € × 1.20 = 1200.00 | 1200 × 1 = 1200.00 |
| O6  | NORTH | SW-1    | region  | 06-25 (Wed)| best case (qualification, p = 0.5)| none → 0.00    | 0.00              |
| O9  | SOUTH | HW-1    | none    | 07-15 (Tue)| commit (negotiation, p = 0.3)    | 400.00          | 400 × 0.3 = 120.00 |
| O10 | NORTH | HW-1    | region  | 07-02 (Wed)| best case (proposal, p = 0.45)   | 2000.00         | 2000 × 0.45 = 900.00 |
| O11 | SOUTH | SW-1    | office  | 07-10 (Thu)| best case (qualification, p = 0.5)| 700 £, no rate → 0.00 | 0.00        |
| O12 | NORTH | HW-1    | office  | 06-27 (Fri)| pipeline (prospecting, p none)   | 600.00          | 600 × none → 0.00 |
| O13 | SOUTH | HW-1    | office  | 06-18 (Wed)| best case (proposal, p = 0.6)    | 250.00          | 250 × 0.6 = 150.00 |

Forecast accuracy, Q2 2025 by month. Each month's forecast is the pipeline as it stood at its opening (local midnight:
April 2025-03-31 16:00 UTC, May 04-30 16:00, June 05-31 16:00), from each deal's last history row before then:

- April (rate 1 April: EUR 1.10): O1's 03-20 row, 1200 × 0.50 = 600.00, expected 04-25. O2 not yet created, O3 closed
  on 15 March (its only row still says April: 800 × 0.40), O5's row expects May. Forecast 600.00 (1 deal).
  Won in April: O2 2000.00. Error −1400; accuracy 1 − 1400 ÷ 2000 = 0.3; forecast ÷ actual 0.3.
- May (rate 1 May: 1.20): O1's 04-10 row 1500 × 0.80 = 1200.00 (expected 05-10); O5's 03-10 row 1000 € × 1.20 = 1200.00
  × 0.60 = 720.00 (05-15); O7's 02-20 row 900 × 0.50 = 450.00 (05-30). O9 created 05-01 00:00 UTC, after the opening.
  Forecast 2370.00 (3). Won: O1 1500.00. Error 870; accuracy 1 − 870 ÷ 1500 = 0.42; forecast ÷ actual 1.58.
- June (rate 1.20; not over on 15 June): O4 500 × 0 = 0.00; O5's 05-05 row 1200 × 1 = 1200.00; O6 no amount: 0.00;
  O8 (lost 2 June, after the opening) 300 × 0.10 = 30.00; O12 no probability: 0.00. Forecast 1230.00 (5). O11 then
  expected 10 July: not June's. O13 was open at the opening (created 10 May) but has no history row before 5 June: left
  out, counted as 1 deal without history (its current expected close, 18 June, is in June). Won: nothing. Accuracy: none.
- The quarter as one period (opening 1 April, rate 1.10): O1 600.00, O4 0.00, O5 1000 € × 1.10 = 1100 × 0.60 = 660.00,
  O7 450.00 = 1710.00 (4); won O2 2000 + O1 1500 = 3500.00. Accuracy (3500 − |1710 − 3500|) ÷ 3500 = 1710 ÷ 3500.
  NORTH: O1 600 + O4 0 against O1 1500 → (1500 − 900) ÷ 1500 = 0.4; SOUTH: O5 660 + O7 450 = 1110 against O2 2000 →
  (2000 − 890) ÷ 2000 = 0.555.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, Numeric, String, literal, select
from sqlalchemy.engine import Dialect, make_url

from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, OrgTree, OrgUnit, Period, Role, Viewer
from metrics.base import Context, Grouping, compare, evaluate, result, same_point, trend
from metrics.pipeline import (
    ANY,
    CATEGORIES,
    NONE_CODE,
    by_close_rows,
    first_open_category,
    largest_projection_first,
    pick_code,
    pick_value,
    ranked_groups,
    reason_order,
    toughest_first,
    winloss_picks,
    FORECAST_ACCURACY,
    SPLITS,
    WEIGHTED_PIPELINE,
    accuracy_periods,
    accuracy_select,
    categories_select,
    closed_records,
    closed_records_select,
    competitors,
    competitors_select,
    forecast_accuracy,
    forecast_categories,
    forecast_category,
    forecast_period,
    grade_for_level,
    grades,
    losses,
    losses_select,
    period_end_projection,
    pipeline_records,
    pipeline_records_select,
    pipeline_select,
    viewer_grade,
    watched_grades,
    weighted_pipeline,
)
from metrics.sql import DIALECTS
from metrics.stage_history import stood_at
from tests import pipeline_crm, tiny_crm
from tests.conftest import BACKENDS, database_on

D = Decimal
AS_OF = date(2025, 6, 15)
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
H1 = Period(date(2025, 1, 1), date(2025, 6, 30), "month", "days")
JUNE_JULY = Period(date(2025, 6, 1), date(2025, 7, 31), "month", "days")
MAY_TO_JULY = Period(date(2025, 5, 1), date(2025, 7, 31), "month", "days")
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """pipeline_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, pipeline_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER) -> Context:
        return Context(loaded, org, viewer, Calendar(), "USD", AS_OF)

    return make


def rows(frame, *columns: str) -> list[tuple]:
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def values(series) -> list:
    """A column as a list, a missing value (pandas may hold None as NaN) as None."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in series]


# --- Weighted pipeline ---------------------------------------------------------------------------------------


def test_weighted_pipeline_of_the_open_deals_expected_in_the_period(ctx_for):
    # O4 + O5 + O6 + O9 + O10 + O11 + O12 + O13: amount 500 + 1200 + 0 + 400 + 2000 + 0 (O11, no rate) + 600 + 250 = 4950;
    # weighted 0 + 1200 + 0 + 120 + 900 + 0 (no rate) + 0 (no probability) + 150 = 2370. O11 and O12 count as deals.
    frame = weighted_pipeline(ctx_for(), Filters(JUNE_JULY))
    assert rows(frame, "deals", "no_history_deals", "amount", "weighted") == [(8, 0, D("4950.00"), D("2370.00"))]
    # June only: O4, O5, O6, O12, O13 → 500 + 1200 + 0 + 600 + 250, weighted 1200 + 150 (O9, O10, O11: July).
    june = weighted_pipeline(ctx_for(), Filters(Period(date(2025, 6, 1), date(2025, 6, 30))))
    assert rows(june, "deals", "amount", "weighted") == [(5, D("2550.00"), D("1350.00"))]


def test_by_expected_close_month_and_week(ctx_for):
    by_month = weighted_pipeline(ctx_for(), Filters(JUNE_JULY), when="month")
    # June: O4, O5, O6, O12, O13 → 2550, weighted 1350; July: O10, O9, O11 → 2000 + 400 + 0, weighted 900 + 120 + 0.
    assert rows(by_month, "close_month", "deals", "amount", "weighted") == [
        (date(2025, 6, 1), 5, D("2550.00"), D("1350.00")),
        (date(2025, 7, 1), 3, D("2400.00"), D("1020.00")),
    ]
    # Weeks start on Monday; 1 June 2025 is a Sunday, so the first week starts 26 May. Every week has a row.
    by_week = weighted_pipeline(ctx_for(), Filters(JUNE_JULY), when="week")
    zero = (0, D("0.00"), D("0.00"))
    assert rows(by_week, "close_week", "deals", "amount", "weighted") == [
        (date(2025, 5, 26), *zero),
        (date(2025, 6, 2), *zero),
        (date(2025, 6, 9), 1, D("1200.00"), D("1200.00")),  # O5, 10 June
        (date(2025, 6, 16), 2, D("750.00"), D("150.00")),  # O13, 18 June, 250 × 0.6; O4, 20 June, 500 × 0
        (date(2025, 6, 23), 2, D("600.00"), D("0.00")),  # O6, 25 June, no amount; O12, 27 June, no probability
        (date(2025, 6, 30), 1, D("2000.00"), D("900.00")),  # O10, 2 July
        (date(2025, 7, 7), 1, D("0.00"), D("0.00")),  # O11, 10 July, no rate
        (date(2025, 7, 14), 1, D("400.00"), D("120.00")),  # O9, 15 July
        (date(2025, 7, 21), *zero),
        (date(2025, 7, 28), *zero),
    ]


def test_by_unit_business_unit_product_and_grade(ctx_for):
    ctx, flt = ctx_for(), Filters(JUNE_JULY)
    # NORTH: O4, O6, O10, O12 → 500 + 0 + 2000 + 600, weighted 900. SOUTH: O5, O9, O11, O13 → 1200 + 400 + 0 + 250,
    # weighted 1200 + 120 + 0 + 150.
    assert rows(weighted_pipeline(ctx, flt, by="unit"), "group", "deals", "amount", "weighted") == [
        ("NORTH", 4, D("3100.00"), D("900.00")),
        ("SOUTH", 4, D("1850.00"), D("1470.00")),
    ]
    # HW-1: O4, O9, O10, O12, O13 → 500 + 400 + 2000 + 600 + 250, weighted 120 + 900 + 150. SW-1: O5, O6, O11 → 1200.
    assert rows(weighted_pipeline(ctx, flt, by="product"), "group", "deals", "amount", "weighted") == [
        ("HW-1", 5, D("3750.00"), D("1170.00")),
        ("SW-1", 3, D("1200.00"), D("1200.00")),
    ]
    assert rows(weighted_pipeline(ctx, flt, by="bu"), "group", "weighted") == [("HW", D("1170.00")), ("SW", D("1200.00"))]
    # Ungraded O9 is its own group, last. Office: O4, O11, O12, O13 → 150.
    assert rows(weighted_pipeline(ctx, flt, by="grade"), "group", "deals", "weighted") == [
        ("company", 1, D("1200.00")),
        ("office", 4, D("150.00")),
        ("region", 2, D("900.00")),
        (None, 1, D("120.00")),
    ]
    # Month and unit together: June NORTH O4 + O6 + O12, June SOUTH O5 + O13, July NORTH O10, July SOUTH O9 + O11.
    assert rows(weighted_pipeline(ctx, flt, when="month", by="unit"), "close_month", "group", "deals", "weighted") == [
        (date(2025, 6, 1), "NORTH", 3, D("0.00")),
        (date(2025, 6, 1), "SOUTH", 2, D("1350.00")),
        (date(2025, 7, 1), "NORTH", 1, D("900.00")),
        (date(2025, 7, 1), "SOUTH", 2, D("120.00")),
    ]


def test_the_weighted_pipeline_metric(ctx_for):
    ctx, flt = ctx_for(), Filters(JUNE_JULY)
    assert result(WEIGHTED_PIPELINE, ctx, flt).value == D("2370.00")
    by_unit = evaluate(WEIGHTED_PIPELINE, ctx, flt, Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["value"], strict=True)) == {"NORTH": D("900.00"), "SOUTH": D("1470.00")}
    assert list(trend(WEIGHTED_PIPELINE, ctx, flt)["value"]) == [D("1350.00"), D("1020.00")]
    by_rep = evaluate(WEIGHTED_PIPELINE, ctx, flt, Grouping("rep"))
    assert dict(zip(by_rep["group"], by_rep["value"], strict=True)) == {"E1": D("900.00"), "E2": D("1470.00")}
    for metric in (WEIGHTED_PIPELINE, FORECAST_ACCURACY):
        assert metric.label["en"] and metric.label["zh"] and metric.definition["en"] and metric.definition["zh"]
    assert "as they stood at the end of the as-of day" in WEIGHTED_PIPELINE.definition["en"]
    assert "数据日结束时的值" in WEIGHTED_PIPELINE.definition["zh"]


def test_the_weighted_pipeline_says_which_open_deals_add_nothing(ctx_for):
    ctx, flt = ctx_for(), Filters(JUNE_JULY)
    # O6 has no amount, O12 no probability, O11 is in GBP (no rate): each is a deal that adds no money — and is said.
    assert result(WEIGHTED_PIPELINE, ctx, flt).excluded == (
        ("opportunities_no_amount", 1), ("opportunities_no_probability", 1), ("opportunities_no_rate", 1),
    )
    by_unit = evaluate(WEIGHTED_PIPELINE, ctx, flt, Grouping("unit"))
    reasons = ["opportunities_no_history", "opportunities_no_amount", "opportunities_no_probability", "opportunities_no_rate"]
    assert sorted(rows(by_unit, "group", *reasons)) == [("NORTH", 0, 1, 1, 0), ("SOUTH", 0, 0, 0, 1)]  # O6, O12 · O11
    assert result(WEIGHTED_PIPELINE, ctx_for(NORTH_HEAD), flt).excluded == (
        ("opportunities_no_amount", 1), ("opportunities_no_probability", 1),
    )
    # As of 10 May, O13 is open with no history row yet: counted under its own reason, not under "no amount".
    may = Context(ctx.engine, ctx.org, DEFAULT_VIEWER, Calendar(), "USD", date(2025, 5, 10))
    assert result(WEIGHTED_PIPELINE, may, Filters(MAY_TO_JULY)).excluded == (
        ("opportunities_no_history", 1), ("opportunities_no_amount", 1), ("opportunities_no_probability", 1),
        ("opportunities_no_rate", 1),
    )


def test_a_regional_head_sees_only_their_region(ctx_for):
    north = ctx_for(NORTH_HEAD)
    assert rows(weighted_pipeline(north, Filters(JUNE_JULY)), "deals", "amount", "weighted") == [(4, D("3100.00"), D("900.00"))]
    assert rows(weighted_pipeline(north, Filters(JUNE_JULY, unit="SOUTH")), "deals", "weighted") == [(0, D("0.00"))]
    assert result(WEIGHTED_PIPELINE, north, Filters(JUNE_JULY)).value == D("900.00")


def test_the_pipeline_as_of_a_day_before_later_closes(loaded):
    # As of 2025-05-10 (its end: 05-10 16:00 UTC), May–July, each deal at its last history row before then, EUR 1.20:
    # O1 04-10 negotiation 1500 × 0.80 = 1200.00 (won only on 20 May) — commit
    # O4 prospecting 500 × 0 = 0.00 — pipeline
    # O5 05-05 proposal 1000 € × 1.20 = 1200 × 1 = 1200.00 — commit
    # O6 qualification, no amount, 0.5 — best case, 0.00
    # O7 02-20 proposal 900 × 0.50 = 450.00 (lost only on 12 May) — best case
    # O8 04-20 prospecting 300 × 0.10 = 30.00 (lost only on 2 June) — pipeline
    # O9 negotiation 400 × 0.3 = 120.00 — commit
    # O11 qualification 700 £, no rate, 0.5 — best case, 0.00; O12 prospecting 600, no probability — pipeline, 0.00
    # O2, O3 closed before; O10 created 25 May. O13 (created 10 May 00:00 UTC) has no history row until 5 June: left
    # out, 1 deal without history.
    # Weighted 1200 + 0 + 1200 + 0 + 450 + 30 + 120 + 0 + 0 = 3000.00 (9 deals);
    # amount 1500 + 500 + 1200 + 0 + 900 + 300 + 400 + 0 + 600 = 5400.00.
    ctx, flt = Context(loaded, load_org(loaded), DEFAULT_VIEWER, Calendar(), "USD", date(2025, 5, 10)), Filters(MAY_TO_JULY)
    pipeline = weighted_pipeline(ctx, flt)
    assert rows(pipeline, "deals", "no_history_deals", "amount", "weighted") == [(9, 1, D("5400.00"), D("3000.00"))]
    assert result(WEIGHTED_PIPELINE, ctx, flt).value == D("3000.00")
    # Nothing won by 10 May. Commit O1, O5, O9: 1500 + 1200 + 400, weighted 1200 + 1200 + 120. Best case O6, O7, O11:
    # 0 + 900 + 0, weighted 450. Pipeline O4, O8, O12: 500 + 300 + 600, weighted 30.
    assert rows(forecast_categories(ctx, flt), "category", "deals", "amount", "weighted") == [
        ("closed_won", 0, D("0.00"), D("0.00")),
        ("commit", 3, D("3100.00"), D("2520.00")),
        ("best_case", 3, D("900.00"), D("450.00")),
        ("pipeline", 3, D("1400.00"), D("30.00")),
    ]


def test_the_projection_is_the_incentive_views_and_reads_the_pipeline(ctx_for, loaded):
    # metrics.targets.projection reads the open deals as they stood at the end of the as-of day, as the weighted
    # pipeline does. As of 15 June: closed = SO-1 1500.00 booked 20 May; weighted open = O4 0 + O5 1200 + O6 0 + O9 120
    # + O10 900 + O11 0 (no rate) + O12 0 (no probability) + O13 150 = 2370.00; projected 3870.00.
    ctx, flt = ctx_for(), Filters(MAY_TO_JULY)
    projected = period_end_projection(ctx, flt)
    assert rows(projected, "closed", "weighted_open", "projected") == [(D("1500.00"), D("2370.00"), D("3870.00"))]
    assert weighted_pipeline(ctx, flt)["weighted"][0] == projected["weighted_open"][0]
    # As of 10 May too, though deals closed and changed since: O1 1500 × 0.80 = 1200, O5 1000 € × 1.20 × 1 = 1200
    # (its 5 May row), O7 450, O8 30, O9 120, O4, O6, O11 and O12 nothing: 3000.00, the pipeline's (O10 not yet
    # created, O13 unrecorded then); nothing booked yet.
    earlier = Context(loaded, load_org(loaded), DEFAULT_VIEWER, Calendar(), "USD", date(2025, 5, 10))
    assert weighted_pipeline(earlier, flt)["weighted"][0] == D("3000.00")
    assert rows(period_end_projection(earlier, flt), "closed", "weighted_open", "projected") == [
        (D("0.00"), D("3000.00"), D("3000.00"))
    ]
    # It counts every grade: the grade filter narrows the pipeline, not the incentive views' projection.
    assert period_end_projection(ctx, Filters(MAY_TO_JULY, grade="company"))["weighted_open"][0] == D("2370.00")


# --- Forecast categories ---------------------------------------------------------------------------------------


def test_forecast_categories_of_a_period(ctx_for):
    # May–July: closed won O1 1500 (20 May); commit O5 1200 (p = 1) + O9 400 × 0.3 = 120 (negotiation);
    # best case O6 (no amount) + O10 2000 × 0.45 = 900 + O11 (p 0.5, no rate: 0) + O13 250 × 0.6 = 150;
    # pipeline O4 500 × 0 + O12 600 (no probability: weighted 0). Lost O7 and O8 are left out.
    frame = forecast_categories(ctx_for(), Filters(MAY_TO_JULY))
    assert rows(frame, "category", "deals", "amount", "weighted") == [
        ("closed_won", 1, D("1500.00"), D("1500.00")),
        ("commit", 2, D("1600.00"), D("1320.00")),
        ("best_case", 4, D("2250.00"), D("1050.00")),
        ("pipeline", 2, D("1100.00"), D("0.00")),
    ]
    assert tuple(frame["category"]) == CATEGORIES


def test_forecast_categories_by_unit_and_for_a_grade(ctx_for):
    frame = forecast_categories(ctx_for(), Filters(MAY_TO_JULY), by="unit")
    assert rows(frame, "group", "category", "deals", "weighted") == [
        ("NORTH", "closed_won", 1, D("1500.00")),
        ("NORTH", "best_case", 2, D("900.00")),  # O6, O10
        ("NORTH", "pipeline", 2, D("0.00")),  # O4, O12
        ("SOUTH", "commit", 2, D("1320.00")),  # O5, O9
        ("SOUTH", "best_case", 2, D("150.00")),  # O11 (no rate), O13
    ]
    # Region level and above: O1 (company) won; O5 (company) commit; O6, O10 (region) best case (O11-O13: office).
    region = forecast_categories(ctx_for(), Filters(MAY_TO_JULY), grade="region")
    assert rows(region, "category", "deals", "weighted") == [
        ("closed_won", 1, D("1500.00")),
        ("commit", 1, D("1200.00")),
        ("best_case", 2, D("900.00")),
        ("pipeline", 0, D("0.00")),
    ]


def test_the_category_rule(loaded):
    # First match wins: negotiation is commit even at probability 0; p ≥ 0.75 is commit at any stage; proposal or
    # p ≥ 0.40 is best case; the rest — an unknown probability included — pipeline.
    cases = [
        ("negotiation", "0", "commit"),
        ("prospecting", "0.75", "commit"),
        ("proposal", "0.10", "best_case"),
        ("qualification", "0.40", "best_case"),
        ("qualification", "0.3999", "pipeline"),
        ("prospecting", None, "pipeline"),
    ]
    for stage, probability, want in cases:
        p = literal(None if probability is None else D(probability), Numeric(5, 4))
        with loaded.connect() as conn:
            assert conn.execute(select(forecast_category(literal(stage, String(30)), p))).scalar() == want, (stage, probability)


# --- Forecast accuracy ---------------------------------------------------------------------------------------------


def test_forecast_accuracy_per_month_rebuilt_from_the_history(ctx_for):
    frame = forecast_accuracy(ctx_for(), Filters(Q2), "month")
    columns = ("period_start", "period_end", "complete", "forecast_deals", "no_history_deals", "forecast", "won_deals", "actual",
               "error")
    assert rows(frame, *columns) == [
        (date(2025, 4, 1), date(2025, 4, 30), True, 1, 0, D("600.00"), 1, D("2000.00"), D("-1400.00")),
        (date(2025, 5, 1), date(2025, 5, 31), True, 3, 0, D("2370.00"), 1, D("1500.00"), D("870.00")),
        # O13: open at June's opening, no history row before 5 June — counted, not silently dropped.
        (date(2025, 6, 1), date(2025, 6, 30), False, 5, 1, D("1230.00"), 0, D("0.00"), D("1230.00")),
    ]
    assert list(frame["accuracy"]) == [0.3, 0.42, None]  # June: nothing won yet, no accuracy
    assert list(frame["forecast_to_actual"]) == [0.3, 1.58, None]


def test_forecast_accuracy_of_a_quarter_by_unit(ctx_for):
    quarter = forecast_accuracy(ctx_for(), Filters(Q2), "quarter")
    want = [(4, 0, D("1710.00"), 2, D("3500.00"))]
    assert rows(quarter, "forecast_deals", "no_history_deals", "forecast", "won_deals", "actual") == want
    assert quarter["accuracy"][0] == 1710 / 3500
    by_unit = forecast_accuracy(ctx_for(), Filters(Q2), "quarter", by="unit")
    assert rows(by_unit, "group", "forecast", "actual", "accuracy") == [
        ("NORTH", D("600.00"), D("1500.00"), 0.4),
        ("SOUTH", D("1110.00"), D("2000.00"), 0.555),
    ]
    # Company-level projects only: O1 600 and O5 660 forecast; O1 1500 won (O2 is region-level).
    company = forecast_accuracy(ctx_for(), Filters(Q2), "quarter", grade="company")
    assert rows(company, "forecast", "actual") == [(D("1260.00"), D("1500.00"))]


def test_the_forecast_accuracy_metric(ctx_for):
    ctx = ctx_for()
    quarter = result(FORECAST_ACCURACY, ctx, Filters(Q2))
    assert (quarter.numerator, quarter.denominator, quarter.value) == (1710.0, 3500.0, 1710 / 3500)
    by_unit = evaluate(FORECAST_ACCURACY, ctx, Filters(Q2), Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["value"], strict=True)) == {"NORTH": 0.4, "SOUTH": 0.555}
    # Each month its own period, its forecast read at its opening; June has nothing won yet.
    assert values(trend(FORECAST_ACCURACY, ctx, Filters(Q2))["value"]) == [0.3, 0.42, None]
    north = result(FORECAST_ACCURACY, ctx_for(NORTH_HEAD), Filters(Q2))
    assert (north.numerator, north.denominator, north.value) == (600.0, 1500.0, 0.4)
    nothing = result(FORECAST_ACCURACY, ctx_for(NORTH_HEAD), Filters(Q2, unit="SOUTH"))
    assert (nothing.value, nothing.reason) == (None, "no_denominator")


def test_forecast_accuracy_says_how_many_open_deals_had_no_history(ctx_for):
    ctx = ctx_for()
    assert result(FORECAST_ACCURACY, ctx, Filters(Q2)).excluded == ()  # O13 did not exist when April opened
    june = result(FORECAST_ACCURACY, ctx, Filters(Period(date(2025, 6, 1), date(2025, 6, 30))))
    assert june.excluded == (("opportunities_no_history", 1),)  # O13: open at June's opening, first row on 5 June
    months = evaluate(FORECAST_ACCURACY, ctx, Filters(Q2), Grouping("bucket")).sort_values("group")
    assert list(months["opportunities_no_history"]) == [0, 0, 1]


def test_a_change_at_the_opening_instant_belongs_to_the_period(loaded):
    # O1 changed to negotiation at 2025-04-10 00:00 UTC exactly: read at that instant, it still stood at its 03-20 row.
    for instant, want in ((datetime(2025, 4, 10), ("proposal", D("1200.00"))), (datetime(2025, 4, 10, 0, 0, 1), ("negotiation", D("1500.00")))):
        s = stood_at(instant)
        stmt = select(s.c.stage, s.c.amount).where(s.c.opportunity_id == 1, s.c.position == 1)
        with loaded.connect() as conn:
            stage, amount = conn.execute(stmt).one()
        assert (stage, D(str(amount)).quantize(D("0.01"))) == want


def test_accuracy_periods_stop_at_the_as_of_day():
    ctx = Context(None, _org(), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)  # type: ignore[arg-type]
    year = Filters(Period(date(2025, 1, 1), date(2025, 12, 31), "month", "year"))
    assert [p.start for p in accuracy_periods(year, ctx, "quarter")] == [date(2025, 1, 1), date(2025, 4, 1)]
    assert [(p.start, p.end) for p in accuracy_periods(Filters(Period(date(2025, 5, 10), date(2025, 6, 30))), ctx, "month")] == [
        (date(2025, 5, 10), date(2025, 5, 31)),
        (date(2025, 6, 1), date(2025, 6, 30)),
    ]


# --- Win/loss ---------------------------------------------------------------------------------------------------


def test_losses_by_reason_and_competitor(ctx_for):
    # Lost in Q2: O7 (12 May, competitor Rival, 900, SOUTH, HW-1) and O8 (2 June, price, no competitor, 300, NORTH,
    # SW-1). O3 was lost in March.
    ctx, flt = ctx_for(), Filters(Q2)
    assert rows(losses(ctx, flt), "loss_reason", "lost", "lost_amount") == [("competitor", 1, D("900.00")), ("price", 1, D("300.00"))]
    assert rows(losses(ctx, flt, by="competitor"), "competitor", "lost", "lost_amount") == [("Rival", 1, D("900.00")), (None, 1, D("300.00"))]
    assert rows(losses(ctx, flt, split="unit"), "loss_reason", "group", "lost") == [("competitor", "SOUTH", 1), ("price", "NORTH", 1)]
    assert rows(losses(ctx, flt, by="competitor", split="product"), "competitor", "group", "lost_amount") == [
        ("Rival", "HW-1", D("900.00")),
        (None, "SW-1", D("300.00")),
    ]
    # Since January O3 (800, 15 March) adds to the competitor losses.
    assert rows(losses(ctx, Filters(H1)), "loss_reason", "lost", "lost_amount") == [("competitor", 2, D("1700.00")), ("price", 1, D("300.00"))]


def test_won_against_lost_per_competitor(ctx_for):
    ctx = ctx_for()
    # Q2: Rival won O1 1500 (20 May), lost O7 900; Other won O2 2000. O8 has no competitor.
    assert rows(competitors(ctx, Filters(Q2)), "competitor", "won", "lost", "won_amount", "lost_amount", "win_rate") == [
        ("Other", 1, 0, D("2000.00"), D("0.00"), 1.0),
        ("Rival", 1, 1, D("1500.00"), D("900.00"), 0.5),
    ]
    # January to June: O3 too — Rival 1 won of 3.
    assert rows(competitors(ctx, Filters(H1)), "competitor", "won", "lost", "win_rate") == [("Other", 1, 0, 1.0), ("Rival", 1, 2, 1 / 3)]
    assert rows(competitors(ctx, Filters(Q2), split="unit"), "competitor", "group", "won", "lost") == [
        ("Other", "SOUTH", 1, 0),
        ("Rival", "NORTH", 1, 0),
        ("Rival", "SOUTH", 0, 1),
    ]


def test_win_loss_of_a_regional_head(ctx_for):
    north = ctx_for(NORTH_HEAD)
    assert rows(losses(north, Filters(Q2)), "loss_reason", "lost", "lost_amount") == [("price", 1, D("300.00"))]
    assert rows(competitors(north, Filters(Q2)), "competitor", "won", "lost") == [("Rival", 1, 0)]


# --- The page's orderings and picks ------------------------------------------------------------------------------


def test_the_weighted_pipeline_table_by_group_and_month(ctx_for):
    ctx, flt = ctx_for(), Filters(JUNE_JULY)
    # By grade, the largest weighted first: company O5 1200, region O6 + O10 900, office 150, ungraded O9 120. June:
    # company O5 1200, region O6 0, office O4 + O12 + O13 150; July: region O10 900, office O11 0, ungraded O9 120. A
    # group with no deal in a month has no amount there (company in July, the ungraded in June), not zero.
    totals, months = weighted_pipeline(ctx, flt, by="grade"), weighted_pipeline(ctx, flt, when="month", by="grade")
    assert ranked_groups(totals) == ["company", "region", "office", None]
    table, starts = by_close_rows(totals, months, "month")
    june, july = date(2025, 6, 1), date(2025, 7, 1)
    assert starts == [june, july]
    assert [(g, w, values([a])[0], values([b])[0]) for g, w, a, b in rows(table, "group", "weighted", june, july)] == [
        ("company", D("1200.00"), D("1200.00"), None),
        ("region", D("900.00"), D("0.00"), D("900.00")),
        ("office", D("150.00"), D("150.00"), D("0.00")),
        (None, D("120.00"), None, D("120.00")),
    ]
    # By unit: SOUTH 1470 (June O5 + O13 1350, July O9 + O11 120) before NORTH 900 (June 0, July O10 900).
    table, _ = by_close_rows(weighted_pipeline(ctx, flt, by="unit"), weighted_pipeline(ctx, flt, when="month", by="unit"), "month")
    assert rows(table, "group", june, july) == [("SOUTH", D("1350.00"), D("120.00")), ("NORTH", D("0.00"), D("900.00"))]


def test_the_category_a_drill_through_opens_on(ctx_for):
    # June and July: commit O5 and O9, so commit. With no commit deal, the first open category with one; with no open
    # deal at all, closed won.
    assert first_open_category(forecast_categories(ctx_for(), Filters(JUNE_JULY))) == "commit"
    frame = lambda deals: pd.DataFrame({"category": list(CATEGORIES), "deals": deals})  # noqa: E731
    assert first_open_category(frame([2, 0, 3, 1])) == "best_case"
    assert first_open_category(frame([0, 0, 0, 4])) == "pipeline"
    assert first_open_category(frame([2, 0, 0, 0])) == "closed_won"
    # The projection per group: the largest first, a tie in the split's order.
    split = pd.DataFrame({"group": ["A", "B", "C"], "projected": [D("10.00"), D("30.00"), D("10.00")]})
    assert list(largest_projection_first(split)["group"]) == ["B", "A", "C"]


def test_the_win_loss_picks_count_the_deals_they_list(ctx_for):
    ctx, flt = ctx_for(), Filters(Q2)
    # Lost in Q2: O7 (competitor) and O8 (price); Rival named by O1 (won) and O7 (lost), Other by O2 (won).
    reasons, rivals = losses(ctx, flt), competitors(ctx, flt)
    picks = winloss_picks(reasons, rivals)
    assert picks == {
        "reason:competitor": ("reason", "competitor", 1),
        "reason:price": ("reason", "price", 1),
        "competitor:Other": ("competitor", "Other", 1),
        "competitor:Rival": ("competitor", "Rival", 2),
    }
    for kind, value, n in picks.values():
        listed = closed_records(ctx, flt, "lost", loss_reason=value) if kind == "reason" else closed_records(ctx, flt, "closed", competitor=value)
        assert listed[1] == len(listed[0]) == n, (kind, value)
    # The chart's orders: the most lost first (a tie keeps the table's order); the lowest win rate against first.
    assert reason_order(reasons) == {"competitor": 0, "price": 1}
    assert list(toughest_first(rivals)["competitor"]) == ["Rival", "Other"]
    # A missing value travels in a link as "~" and back; "every" stays "every".
    assert [pick_code(v) for v in (None, float("nan"), "HW-1")] == [NONE_CODE, NONE_CODE, "HW-1"]
    assert [pick_value(c) for c in (NONE_CODE, ANY, "HW-1")] == [None, ANY, "HW-1"]
    assert winloss_picks(reasons.iloc[0:0], rivals.iloc[0:0]) == {}


# --- Project grades -------------------------------------------------------------------------------------------------


def test_each_level_watches_its_grade_and_above(ctx_for):
    ctx, flt = ctx_for(), Filters(JUNE_JULY)
    assert watched_grades(ctx, "company") == ["company"]
    assert watched_grades(ctx, "region") == ["company", "region"]
    assert watched_grades(ctx, "office") == ["company", "region", "office"]
    assert watched_grades(ctx, "galaxy") == []
    # company: O5; region and above: O5, O6, O10; office and above: every graded deal (O9 has none) — O4, O5, O6, O10,
    # O11, O12, O13: 500 + 1200 + 0 + 2000 + 0 + 600 + 250, weighted 1200 + 900 + 150.
    expected = {
        "company": (1, D("1200.00"), D("1200.00")),
        "region": (3, D("3200.00"), D("2100.00")),
        "office": (7, D("4550.00"), D("2250.00")),
        "galaxy": (0, D("0.00"), D("0.00")),
    }
    for grade, want in expected.items():
        assert rows(weighted_pipeline(ctx, flt, grade=grade), "deals", "amount", "weighted") == [want], grade
    # The grade each org level watches from: the cluster the company's projects, a region its own, offices and teams theirs.
    assert [grade_for_level(level) for level in ("cluster", "region", "office", "team", "squad")] == [
        "company", "region", "office", "office", None
    ]


# --- The deals behind a figure ----------------------------------------------------------------------------------------


def ids(records) -> list[int]:
    frame, _total = records
    return list(frame["opportunity_id"])


def test_the_open_deals_behind_the_pipeline(ctx_for):
    # Largest weighted first, then the largest amount, then the id: O5 1200, O10 900, O13 150, O9 120, O4 0.00 (500);
    # then no weighted amount: O12 (600, no probability), O6 (no amount), O11 (no rate). 8 deals, as weighted_pipeline.
    ctx, flt = ctx_for(), Filters(JUNE_JULY)
    frame, total = pipeline_records(ctx, flt)
    assert total == 8 and list(frame["opportunity_id"]) == [5, 10, 13, 9, 4, 12, 6, 11]
    assert rows(frame.head(1), "deal", "account", "owner", "unit", "stage", "amount", "probability", "weighted", "expected_close") == [
        ("O5", "Beta", "Bo South", "S-T1", "proposal", D("1200.00"), 1.0, D("1200.00"), date(2025, 6, 10))  # 1000 € × 1.20
    ]
    assert values(frame["amount"]) == [D("1200.00"), D("2000.00"), D("250.00"), D("400.00"), D("500.00"), D("600.00"), None, None]
    assert values(frame["weighted"]) == [D("1200.00"), D("900.00"), D("150.00"), D("120.00"), D("0.00"), None, None, None]
    assert values(frame["probability"])[5:] == [None, 0.5, 0.5]
    # At most ``limit`` rows, and the total all the same.
    frame, total = pipeline_records(ctx, flt, limit=3)
    assert total == 8 and list(frame["opportunity_id"]) == [5, 10, 13]


def test_the_deals_behind_a_bar_a_category_and_a_grade(ctx_for):
    ctx, flt = ctx_for(), Filters(JUNE_JULY)
    # July: O10, O9, O11; of them SOUTH's: O9, O11. A month outside the period has no deals.
    assert ids(pipeline_records(ctx, flt, when="month", bucket=date(2025, 7, 1))) == [10, 9, 11]
    assert ids(pipeline_records(ctx, flt, when="month", bucket=date(2025, 7, 1), by="unit", group="SOUTH")) == [9, 11]
    assert pipeline_records(ctx, flt, when="month", bucket=date(2025, 8, 1))[1] == 0
    # The week of 16 June: O13 (18 June) and O4 (20 June).
    assert ids(pipeline_records(ctx, flt, when="week", bucket=date(2025, 6, 16))) == [13, 4]
    # Every group, or the deals of one product; O9 is the only ungraded deal.
    assert ids(pipeline_records(ctx, flt, by="product", group=ANY)) == [5, 10, 13, 9, 4, 12, 6, 11]
    assert ids(pipeline_records(ctx, flt, by="product", group="SW-1")) == [5, 6, 11]
    assert ids(pipeline_records(ctx, flt, by="grade", group=None)) == [9]
    # Commit: O5 (p = 1), O9 (negotiation); best case: O10, O13, O6, O11; pipeline: O4 (p = 0), O12 (no probability).
    assert ids(pipeline_records(ctx, flt, category="commit")) == [5, 9]
    assert ids(pipeline_records(ctx, flt, category="best_case")) == [10, 13, 6, 11]
    assert ids(pipeline_records(ctx, flt, category="pipeline")) == [4, 12]
    # Region grade and above: O5 (company), O10, O6 — asked for, or through the filters.
    assert ids(pipeline_records(ctx, flt, grade="region")) == [5, 10, 6]
    assert ids(pipeline_records(ctx, Filters(JUNE_JULY, grade="region"))) == [5, 10, 6]
    with pytest.raises(ValueError):
        pipeline_records(ctx, flt, category="closed_won")


def test_the_deals_as_they_stood_on_an_earlier_day(loaded):
    # At the end of 1 June O8 was still open (lost on 2 June) at 300 × 0.10, prospecting: pipeline. O13 (created 10 May)
    # had no history row yet: not listed, as the figures leave it out.
    org = load_org(loaded)
    ctx = Context(loaded, org, DEFAULT_VIEWER, Calendar(), "USD", date(2025, 6, 1))
    frame, total = pipeline_records(ctx, Filters(JUNE_JULY), category="pipeline")
    assert total == 3
    assert rows(frame, "opportunity_id", "stage", "amount", "probability", "weighted") == [
        (8, "prospecting", D("300.00"), 0.1, D("30.00")),
        (4, "prospecting", D("500.00"), 0.0, D("0.00")),
        (12, "prospecting", D("600.00"), None, None),
    ]
    assert 13 not in ids(pipeline_records(ctx, Filters(JUNE_JULY)))


def test_the_closed_deals_behind_win_loss(ctx_for):
    ctx, flt = ctx_for(), Filters(Q2)
    # Lost in Q2, latest first: O8 (2 June, price, no competitor), O7 (12 May, competitor, Rival).
    frame, total = closed_records(ctx, flt)
    assert total == 2
    assert rows(frame, "opportunity_id", "deal", "account", "owner", "unit", "status", "amount", "closed", "loss_reason", "competitor") == [
        (8, "O8", "Acme", "Ann North", "N-T1", "lost", D("300.00"), date(2025, 6, 2), "price", None),
        (7, "O7", "Beta", "Bo South", "S-OFF", "lost", D("900.00"), date(2025, 5, 12), "competitor", "Rival"),
    ]
    assert ids(closed_records(ctx, flt, loss_reason="price")) == [8]
    assert closed_records(ctx, flt, loss_reason=None)[1] == 0
    # Against Rival, won or lost: O1 (won 20 May, 1500), O7. No competitor named: O8.
    frame, total = closed_records(ctx, flt, "closed", competitor="Rival")
    assert total == 2 and rows(frame, "opportunity_id", "status", "amount") == [(1, "won", D("1500.00")), (7, "lost", D("900.00"))]
    assert ids(closed_records(ctx, flt, "closed", competitor=None)) == [8]
    # Won: O1 (20 May), O2 (28 April); the North's losses; company grade.
    assert ids(closed_records(ctx, flt, "won")) == [1, 2]
    assert ids(closed_records(ctx, flt, split="unit", group="NORTH")) == [8]
    assert ids(closed_records(ctx, flt, "closed", grade="company")) == [1]
    assert ids(closed_records(ctx, Filters(Q2, grade="company"), "closed")) == [1]
    with pytest.raises(ValueError):
        closed_records(ctx, flt, "open")


def test_a_regional_head_sees_only_their_deals(ctx_for):
    north = ctx_for(NORTH_HEAD)
    # NORTH's open deals: O10 900, O4 0.00, O12 (600, no probability), O6 (no amount).
    frame, total = pipeline_records(north, Filters(JUNE_JULY))
    assert total == 4 and list(frame["opportunity_id"]) == [10, 4, 12, 6]
    assert pipeline_records(north, Filters(JUNE_JULY, unit="SOUTH"))[1] == 0
    assert ids(closed_records(north, Filters(Q2))) == [8]
    assert ids(closed_records(north, Filters(Q2), "won")) == [1]


def _sums(frame, column: str) -> D:
    return sum((v for v in values(frame[column]) if v is not None), D("0.00"))


@pytest.mark.parametrize("viewer", [DEFAULT_VIEWER, NORTH_HEAD], ids=["company", "north"])
def test_the_records_add_up_to_every_figure(ctx_for, viewer):
    """Every bar, category and loss reason: its records count and sum to the figure shown."""
    ctx, flt = ctx_for(viewer), Filters(JUNE_JULY)
    for when in ("week", "month"):
        for by in ("unit", "bu", "product"):
            cells = weighted_pipeline(ctx, flt, when=when, by=by)
            for r in cells.to_dict("records"):
                frame, total = pipeline_records(ctx, flt, when=when, bucket=r[f"close_{when}"], by=by, group=r["group"])
                assert (total, _sums(frame, "amount"), _sums(frame, "weighted")) == (r["deals"], r["amount"], r["weighted"]), (when, by, r)
    whole = weighted_pipeline(ctx, flt).iloc[0]
    frame, total = pipeline_records(ctx, flt)
    assert (total, _sums(frame, "amount"), _sums(frame, "weighted")) == (whole["deals"], whole["amount"], whole["weighted"])
    for r in forecast_categories(ctx, flt).to_dict("records"):
        if r["category"] == "closed_won":
            frame, total = closed_records(ctx, flt, "won")
            assert (total, _sums(frame, "amount")) == (r["deals"], r["amount"])
        else:
            frame, total = pipeline_records(ctx, flt, category=r["category"])
            assert (total, _sums(frame, "amount"), _sums(frame, "weighted")) == (r["deals"], r["amount"], r["weighted"]), r
    for split in (None, "unit", "product"):
        for r in losses(ctx, Filters(H1), split=split).to_dict("records"):
            frame, total = closed_records(ctx, Filters(H1), loss_reason=r["loss_reason"], split=split, group=r.get("group", ANY))
            assert (total, _sums(frame, "amount")) == (r["lost"], r["lost_amount"]), (split, r)
        for r in competitors(ctx, Filters(H1), split=split).to_dict("records"):
            frame, total = closed_records(ctx, Filters(H1), "closed", competitor=r["competitor"], split=split, group=r.get("group", ANY))
            assert total == r["won"] + r["lost"]
            assert (frame["status"] == "won").sum() == r["won"], r


# --- The grade filter, the forecast period and the viewer's grade -----------------------------------------------------


def test_the_registered_metrics_honour_the_grade_filter(ctx_for):
    ctx = ctx_for()
    # Region and above in June–July: O5 1200 + O10 900 + O6 0 (no amount).
    assert result(WEIGHTED_PIPELINE, ctx, Filters(JUNE_JULY, grade="region")).value == D("2100.00")
    by_unit = evaluate(WEIGHTED_PIPELINE, ctx, Filters(JUNE_JULY, grade="company"), Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["value"], strict=True)) == {"SOUTH": D("1200.00")}
    # Q2 at company grade: forecast at 1 April O1 600 + O5 660 = 1260 against O1's 1500 won: 1 − 240 ÷ 1500 = 0.84.
    got = result(FORECAST_ACCURACY, ctx, Filters(Q2, grade="company"))
    assert got.numerator == D("1260.00") and got.denominator == D("1500.00") and math.isclose(got.value, 0.84)
    # The frame functions read it from the filters too, and a grade asked for wins over the filters'.
    assert rows(weighted_pipeline(ctx, Filters(JUNE_JULY, grade="region")), "deals", "weighted") == [(3, D("2100.00"))]
    assert rows(weighted_pipeline(ctx, Filters(JUNE_JULY, grade="region"), grade="company"), "deals", "weighted") == [(1, D("1200.00"))]
    assert rows(losses(ctx, Filters(Q2, grade="office")), "loss_reason", "lost") == [("competitor", 1), ("price", 1)]
    assert losses(ctx, Filters(Q2, grade="company")).empty
    assert list(forecast_accuracy(ctx, Filters(Q2, grade="company"), "quarter")["forecast"]) == [D("1260.00")]


def test_the_forecast_period_runs_to_the_end_of_a_period_to_date(ctx_for):
    ctx = ctx_for()  # as of 15 June 2025
    qtd = Filters(Period(date(2025, 4, 1), AS_OF, "week", "quarter"), unit="NORTH", grade="region")
    assert forecast_period(ctx, qtd) == Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "week", "quarter"), unit="NORTH", grade="region")
    mtd = Filters(Period(date(2025, 6, 1), AS_OF, "day", "month"))
    assert forecast_period(ctx, mtd).period == Period(date(2025, 6, 1), date(2025, 6, 30), "day", "month")
    ytd = Filters(Period(date(2025, 1, 1), AS_OF, "month", "year"))
    assert forecast_period(ctx, ytd).period.end == date(2025, 12, 31)
    # A past period, a custom range and the last 12 months are read as they are.
    for flt in (Filters(Q2), Filters(JUNE_JULY), Filters(Period(date(2024, 6, 16), AS_OF, "month", "year"))):
        assert forecast_period(ctx, flt) == flt


def test_the_grade_each_viewer_watches_by_default(ctx_for):
    ctx = ctx_for()
    assert list(grades(ctx)["code"]) == ["company", "region", "office"]
    known = ["company", "region", "office"]
    assert viewer_grade(ctx, known) == "company"  # the whole company: its top unit is a cluster
    assert viewer_grade(ctx_for(NORTH_HEAD), known) == "region"
    team = Viewer(user="team", role=Role.TEAM_LEAD, units=("N-T1",))
    assert viewer_grade(ctx_for(team), known) == "office"
    both = Viewer(user="both", role=Role.REGIONAL_HEAD, units=("N-T1", "SOUTH"))
    assert viewer_grade(ctx_for(both), known) == "region"  # the highest level among the viewer's units
    assert viewer_grade(ctx_for(NORTH_HEAD), ["company", "office"]) is None  # a grade the CRM does not have


# --- Every dialect compiles -------------------------------------------------------------------------------------------


def _org() -> OrgTree:
    return OrgTree(tuple(OrgUnit(u["unit_id"], u["code"], u["name"], u["level"], u["parent_id"]) for u in tiny_crm.ORG))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_query_compiles(dialect):
    compiled: Dialect = make_url(f"{dialect}://").get_dialect()()
    ctx = Context(None, _org(), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)  # type: ignore[arg-type]
    filters = (Filters(Q2), Filters(Q2, unit="NORTH", bus=("HW",), products=("HW-1",), segments=("smb",), sources=("event",)))
    months = accuracy_periods(Filters(Q2), ctx, "month")
    for flt in filters:
        statements = [
            pipeline_select(ctx, flt),
            pipeline_select(ctx, flt, "week", "unit", grade="region"),
            pipeline_select(ctx, flt, "month", "product"),
            categories_select(ctx, flt),
            categories_select(ctx, flt, "bu", grade="office"),
            accuracy_select(ctx, flt, months),
            accuracy_select(ctx, flt, months, "unit", grade="company"),
            losses_select(ctx, flt),
            losses_select(ctx, flt, "competitor", "product"),
            competitors_select(ctx, flt, "unit"),
            pipeline_records_select(ctx, flt),
            pipeline_records_select(ctx, flt, when="week", bucket=date(2025, 6, 16), by="unit", group="NORTH", category="commit", grade="region"),
            pipeline_records_select(ctx, flt, by="product", group=None),
            closed_records_select(ctx, flt),
            closed_records_select(ctx, flt, "closed", loss_reason=None, competitor="Rival", split="bu", group="HW", grade="office"),
        ]
        statements += [accuracy_select(ctx, flt, [flt.period], by) for by in SPLITS]  # type: ignore[arg-type]
        for metric in (WEIGHTED_PIPELINE, FORECAST_ACCURACY):
            statements += [metric.query(ctx, flt, Grouping(by)) for by in (None, *sorted(metric.groupings))]  # type: ignore[arg-type]
        for stmt in statements:
            assert "SELECT" in str(stmt.compile(dialect=compiled))


# --- Comparing a stock read at the as-of day -----------------------------------------------------------------


def test_an_earlier_period_is_read_at_the_same_point_of_it():
    # As of 15 Jun, 75 days into Q2 (1 Apr): Q1 is read on 1 Jan + 75 days = 17 Mar, Q2 2024 on 15 Jun 2024. As of
    # 31 Mar, 30 days into March: February has 28, so it is read on its last day. Before the period starts: unmoved.
    ctx = Context(None, None, DEFAULT_VIEWER, Calendar(), "USD", AS_OF)  # type: ignore[arg-type]
    q1, q2_2024 = Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter"), Period(date(2024, 4, 1), date(2024, 6, 30), "month", "quarter")
    assert same_point(ctx, Q2, q1).as_of == date(2025, 3, 17)
    assert same_point(ctx, Q2, q2_2024).as_of == date(2024, 6, 15)
    march, february = Period(date(2025, 3, 1), date(2025, 3, 31), "day", "month"), Period(date(2025, 2, 1), date(2025, 2, 28), "day", "month")
    assert same_point(replace(ctx, as_of=date(2025, 3, 31)), march, february).as_of == date(2025, 2, 28)
    assert same_point(replace(ctx, as_of=date(2025, 2, 20)), march, february).as_of == date(2025, 2, 20)


def test_the_weighted_pipeline_card_compares_with_the_previous_month_as_it_stood_then(ctx_for):
    # June as of 15 Jun: 1350.00 (O5 1000 € × 1.20 × 1 + O13 250 × 0.6). May is read as of 15 May, as far into it:
    # O1 stood at negotiation, 1500 × 0.80 expected 10 May = 1200.00 (O5 then expected 10 Jun, O7 lost on 12 May).
    # Read as of today May would hold nothing — O1 has been won since — and the card would show June against 0.
    ctx = ctx_for()
    june, may = Period(date(2025, 6, 1), date(2025, 6, 30), "day", "month"), Period(date(2025, 5, 1), date(2025, 5, 31), "day", "month")
    got = compare(WEIGHTED_PIPELINE, ctx, Filters(june))
    assert (got.current.value, got.previous.value) == (D("1350.00"), D("1200.00"))
    assert result(WEIGHTED_PIPELINE, ctx, Filters(may)).value == D("0.00")
    assert got.year_ago == result(WEIGHTED_PIPELINE, replace(ctx, as_of=date(2024, 6, 15)), Filters(june.year_ago()))
