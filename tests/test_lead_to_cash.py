"""Lead to cash against l2c_crm, worked out by hand, identical on every backend.

The quarter is FY2022 Q1 (1 Feb – 30 Apr 2021), as of Wed 28 Apr 2021; tests/l2c_crm.py has the orders and the weeks.
Amounts in USD; o2 is 333.33 EUR × 1.10 (its order date's rate) = 366.663 → 366.66 whatever step is counted.
Counted per step date up to 28 Apr (o5's shipment on 29 Apr, its invoice on 30 Apr, o13's cash on 30 Apr and the
order o10 of 29 Apr have not happened yet); o6 (−100.00) is a credit note: netted in amounts, never an order. o16,
booked on 3 May, does not exist yet on 28 Apr: its shipment and invoice of 27 Apr and its cash of 28 Apr count nowhere.

| week        | booked                         | shipped                 | invoiced                 | collected              |
|-------------|--------------------------------|-------------------------|--------------------------|------------------------|
| W1  1–7 Feb | o1 1000                        | o1 1000 + o8 300 = 1300 | o8 300                   |                        |
| W2  8–14    | o7 800 (SOUTH)                 |                         | o1 1000                  |                        |
| W3 15–21    | o13 600                        | o7 800 + o13 600 = 1400 | o13 600                  |                        |
| W4 22–28    |                                |                         | o7 800 (SOUTH)           |                        |
| W5  1–7 Mar | o3 none + o15 90 (SOUTH): 2, 90, 1 unpriced | o3 none: 1, 0, 1 unpriced | o3 + o15: 2, 90, 1 unpriced |          |
| W6  8–14    | o6 −100: 0 orders              |                         | o6 −100: 0 orders        | o1 1000                |
| W7 15–21    | o11 GBP: 1, 0, 1 unpriced      | o11 GBP: 1, 0, 1 unpriced |                        | o6 −100: 0 orders      |
| W9 29 Mar–4 Apr | o2 366.66 + o14 75 = 441.66 | o14 75                 |                          |                        |
| W10  5–11   |                                |                         | o14 75                   |                        |
| W11 12–18   |                                | o2 366.66               | o2 366.66                |                        |
| W12 19–25   | o4 500 + o5 200 + o12 250 (SOUTH) = 950 |                | o12 250 (SOUTH)          |                        |
| W13 26–30   | o9 150                         |                         |                          | o2 366.66 + o7 800 (SOUTH) = 1166.66 |

The credit note o6 is the only record behind a figure that is not an order: W6 booked and invoiced, W7 collected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import Dialect, make_url

from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, NoScope, OrgTree, OrgUnit, Period, Role, Viewer, fiscal_quarter_start
from data_layer.filters import week_start as week_start_of
from metrics.base import Context, Grouping, evaluate, result, shared_statements, trend
from metrics.lead_to_cash import (
    CASH_COLLECTED,
    DEFINITIONS,
    FLOWS,
    INVOICED_NOT_PAID,
    INVOICES_PAST_DUE,
    METRICS,
    ORDER_TO_CASH_MEDIAN_DAYS,
    QuarterWeek,
    expected_next_week,
    flow_records,
    monday_view,
    monday_weeks,
    order_to_cash_days,
    order_to_cash_trend,
    quarter_projection,
    WAITING_LISTS,
    projection_against_target,
    quarter_target,
    quarter_weeks,
    statements,
    waiting,
    waiting_lists,
    waiting_records,
    weekly_flows,
)
from metrics.sql import DIALECTS
from tests import l2c_crm, tiny_crm
from tests.conftest import BACKENDS, database_on

D = Decimal
CAL = l2c_crm.CALENDAR
AS_OF = l2c_crm.AS_OF
QUARTER = Period(date(2021, 2, 1), date(2021, 4, 30), "week", "quarter")
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
NOBODY = Viewer(user="nobody", role=Role.TEAM_LEAD, units=())


def weeks_of(*spans: tuple[date, date], quarter: str) -> tuple[QuarterWeek, ...]:
    return tuple(QuarterWeek(i + 1, start, end, quarter) for i, (start, end) in enumerate(spans))


def d(month: int, day: int, year: int = 2021) -> date:
    return date(year, month, day)


# --- The 13 weeks: pure Python ---------------------------------------------------------------------------------


def test_the_fixture_quarter_ends_with_a_short_last_week():
    # Monday weeks, fiscal year from February: 1 Feb 2021 is a Monday, so week 1 is whole; 89 days = 12 × 7 + 5,
    # so week 13 is Mon 26 – Fri 30 Apr, five days.
    assert quarter_weeks(d(4, 28), CAL) == weeks_of(
        (d(2, 1), d(2, 7)), (d(2, 8), d(2, 14)), (d(2, 15), d(2, 21)), (d(2, 22), d(2, 28)), (d(3, 1), d(3, 7)),
        (d(3, 8), d(3, 14)), (d(3, 15), d(3, 21)), (d(3, 22), d(3, 28)), (d(3, 29), d(4, 4)), (d(4, 5), d(4, 11)),
        (d(4, 12), d(4, 18)), (d(4, 19), d(4, 25)), (d(4, 26), d(4, 30)),
        quarter="FY2022 Q1",
    )
    assert quarter_weeks(d(2, 1), CAL)[-1].days == 5
    assert quarter_weeks(d(2, 1), CAL)[-1].label == "FY2022 Q1 W13"


def test_a_one_day_first_week_and_a_14th_week_folded_into_week_13():
    # FY2021 Q4 = Sun 1 Nov 2020 – Sun 31 Jan 2021 (92 days). Week 1 is Sunday 1 Nov alone (the Monday week
    # containing it began on 26 Oct); weeks 2–12 run Mon 2 Nov … Sun 17 Jan; the calendar then has two more weeks,
    # 18–24 and 25–31 Jan: the second is folded into week 13, which is 14 days long.
    weeks = quarter_weeks(date(2020, 12, 25), CAL)
    assert weeks[0] == QuarterWeek(1, date(2020, 11, 1), date(2020, 11, 1), "FY2021 Q4")
    assert (weeks[1].start, weeks[1].end) == (date(2020, 11, 2), date(2020, 11, 8))
    assert (weeks[11].start, weeks[11].end) == (d(1, 11), d(1, 17))
    assert weeks[12] == QuarterWeek(13, d(1, 18), d(1, 31), "FY2021 Q4")
    assert [w.days for w in weeks] == [1] + [7] * 11 + [14]


def test_the_default_calendar_and_a_sunday_week_start():
    # Calendar(): fiscal year = calendar year, weeks from Monday. Q4 2025 starts on Wed 1 Oct: week 1 is Wed 1 – Sun 5 Oct
    # (5 days); week 13 = Mon 22 Dec … and the left-over Mon 29 – Wed 31 Dec are folded in: 22–31 Dec, 10 days.
    weeks = quarter_weeks(date(2025, 11, 15), Calendar())
    assert (weeks[0].start, weeks[0].end, weeks[0].quarter) == (date(2025, 10, 1), date(2025, 10, 5), "FY2025 Q4")
    assert (weeks[1].start, weeks[12].start, weeks[12].end) == (date(2025, 10, 6), date(2025, 12, 22), date(2025, 12, 31))
    assert [w.days for w in weeks] == [5] + [7] * 11 + [10]
    # Weeks from Sunday: Q3 2025 starts on Tue 1 Jul, in the week of Sun 29 Jun: week 1 = Tue 1 – Sat 5 Jul; week 2 from
    # Sun 6 Jul; week 13 from Sun 6 Jul + 77 days = Sun 21 Sep to Tue 30 Sep (28–30 Sep folded in): 10 days.
    sunday = quarter_weeks(date(2025, 7, 1), Calendar(week_start=6))
    assert (sunday[0].start, sunday[0].end, sunday[1].start) == (date(2025, 7, 1), date(2025, 7, 5), date(2025, 7, 6))
    assert (sunday[12].start, sunday[12].end) == (date(2025, 9, 21), date(2025, 9, 30))


def test_a_quarter_of_exactly_13_weeks():
    # Q1 2024 begins on Monday 1 January and, 2024 being a leap year, has 91 days = 13 whole weeks.
    weeks = quarter_weeks(date(2024, 2, 29), Calendar())
    assert [w.days for w in weeks] == [7] * 13
    assert (weeks[0].start, weeks[12].start, weeks[12].end) == (date(2024, 1, 1), date(2024, 3, 25), date(2024, 3, 31))


@pytest.mark.parametrize("fiscal_month", range(1, 13))
def test_every_quarter_is_cut_into_13_weeks(fiscal_month):
    for week_start in range(7):
        cal = Calendar(week_start=week_start, fiscal_year_start_month=fiscal_month)
        day = date(2019, 1, 1)
        while day < date(2031, 1, 1):
            weeks = quarter_weeks(day, cal)
            first = fiscal_quarter_start(day, cal)
            assert len(weeks) == 13 and [w.number for w in weeks] == list(range(1, 14))
            after = weeks[-1].end + timedelta(days=1)
            assert weeks[0].start == first and after == fiscal_quarter_start(after, cal)
            assert all(b.start == a.end + timedelta(days=1) for a, b in zip(weeks, weeks[1:]))
            assert all(w.start.weekday() == week_start and w.days == 7 for w in weeks[1:12])
            assert 1 <= weeks[0].days <= 7 and 5 <= weeks[-1].days <= 14
            # week 1 ends the day before a week start; week 13 is longer than 7 days exactly when the quarter's days
            # touch 14 calendar weeks (the 14th folded in)
            assert (weeks[0].end + timedelta(days=1)).weekday() == week_start
            days = [first + timedelta(days=i) for i in range((weeks[-1].end - first).days + 1)]
            calendar_weeks = len({week_start_of(x, cal) for x in days})
            assert calendar_weeks in (13, 14) and (weeks[-1].days > 7) == (calendar_weeks == 14)
            day = weeks[-1].end + timedelta(days=1)


def test_last_this_and_next_week_cross_quarter_ends():
    last, this, upcoming = monday_weeks(AS_OF, CAL)
    assert (last.label, last.start, last.end) == ("FY2022 Q1 W12", d(4, 19), d(4, 25))
    assert (this.label, this.start, this.end) == ("FY2022 Q1 W13", d(4, 26), d(4, 30))
    # the next quarter begins on Saturday 1 May: its week 1 is two days
    assert (upcoming.label, upcoming.start, upcoming.end) == ("FY2022 Q2 W1", d(5, 1), d(5, 2))
    last, this, upcoming = monday_weeks(d(2, 3), CAL)
    assert (last.label, last.start, last.end, last.days) == ("FY2021 Q4 W13", d(1, 18), d(1, 31), 14)
    assert (this.label, upcoming.label, upcoming.start) == ("FY2022 Q1 W1", "FY2022 Q1 W2", d(2, 8))


# --- On the four backends ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """l2c_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, l2c_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER, as_of: date = AS_OF) -> Context:
        return Context(loaded, org, viewer, CAL, "USD", as_of)

    return make


def flow(frame: pd.DataFrame, name: str) -> dict[int, tuple[int, Decimal, int]]:
    """The weeks with anything in flow ``name``: week → (orders, amount, unpriced); the other weeks must be all zero."""
    out = {}
    for r in frame.to_dict("records"):
        value = (r[f"{name}_orders"], r[f"{name}_amount"], r[f"{name}_unpriced"])
        assert isinstance(value[1], Decimal) and isinstance(value[0], int)
        if value != (0, D("0.00"), 0):
            out[r["week"]] = value
    return out


def test_each_week_of_the_quarter_for_the_whole_company(ctx_for):
    frame = weekly_flows(ctx_for(), Filters(QUARTER))
    assert list(frame["week"]) == list(range(1, 14))
    assert list(frame["days"]) == [7] * 12 + [5]
    assert list(frame["status"]) == ["past"] * 12 + ["current"]
    assert flow(frame, "booked") == {
        1: (1, D("1000.00"), 0),
        2: (1, D("800.00"), 0),
        3: (1, D("600.00"), 0),
        5: (2, D("90.00"), 1),  # o3 (no amount) and o15
        6: (0, D("-100.00"), 0),  # the credit note: netted, not an order
        7: (1, D("0.00"), 1),  # o11 in GBP, no rate
        9: (2, D("441.66"), 0),  # o2 366.66 (31 Mar) + o14 75 (1 Apr): W9 spans the month end
        12: (3, D("950.00"), 0),
        13: (1, D("150.00"), 0),  # o9; o10 (29 Apr) is after the as-of day
    }
    assert flow(frame, "shipped") == {
        1: (2, D("1300.00"), 0),  # o1 on Sunday 7 Feb, the week's last day, and o8 (booked last quarter)
        3: (2, D("1400.00"), 0),
        5: (1, D("0.00"), 1),
        7: (1, D("0.00"), 1),
        9: (1, D("75.00"), 0),
        11: (1, D("366.66"), 0),
    }  # o5's shipment on 29 Apr has not happened yet
    assert flow(frame, "invoiced") == {
        1: (1, D("300.00"), 0),
        2: (1, D("1000.00"), 0),  # o1 on Monday 8 Feb, the next week's first day
        3: (1, D("600.00"), 0),
        4: (1, D("800.00"), 0),
        5: (2, D("90.00"), 1),
        6: (0, D("-100.00"), 0),
        10: (1, D("75.00"), 0),
        11: (1, D("366.66"), 0),  # invoiced on 16 Apr, when EUR was 1.20: still the order date's 1.10
        12: (1, D("250.00"), 0),
    }
    assert flow(frame, "collected") == {6: (1, D("1000.00"), 0), 7: (0, D("-100.00"), 0), 13: (2, D("1166.66"), 0)}
    # Totals: booked 12 orders, 1000 + 800 + 600 + 90 − 100 + 441.66 + 950 + 150 = 3931.66.
    assert (frame["booked_orders"].sum(), sum(frame["booked_amount"])) == (12, D("3931.66"))
    assert (frame["collected_orders"].sum(), sum(frame["collected_amount"])) == (3, D("2066.66"))
    # The credit note o6, netted in the amounts and not counted: the records behind a figure are orders + credit notes.
    credited = [(r["week"], f) for r in frame.to_dict("records") for f in FLOWS if r[f"{f}_credit_notes"]]
    assert credited == [(6, "booked"), (6, "invoiced"), (7, "collected")]
    assert all(frame.iloc[5][f"{f}_credit_notes"] == 1 for f in ("booked", "invoiced"))


def test_a_regional_head_sees_the_orders_of_the_region(ctx_for):
    # NORTH: every order but o7, o12 and o15 (S-OFF). o2 is credited to N-T1, inside NORTH.
    frame = weekly_flows(ctx_for(NORTH_HEAD), Filters(QUARTER))
    assert flow(frame, "booked") == {
        1: (1, D("1000.00"), 0),
        3: (1, D("600.00"), 0),
        5: (1, D("0.00"), 1),
        6: (0, D("-100.00"), 0),
        7: (1, D("0.00"), 1),
        9: (2, D("441.66"), 0),
        12: (2, D("700.00"), 0),
        13: (1, D("150.00"), 0),
    }
    assert flow(frame, "invoiced") == {
        1: (1, D("300.00"), 0),
        2: (1, D("1000.00"), 0),
        3: (1, D("600.00"), 0),
        5: (1, D("0.00"), 1),
        6: (0, D("-100.00"), 0),
        10: (1, D("75.00"), 0),
        11: (1, D("366.66"), 0),
    }
    assert flow(frame, "collected") == {6: (1, D("1000.00"), 0), 7: (0, D("-100.00"), 0), 13: (1, D("366.66"), 0)}
    # 2791.66 = 1000 + 600 − 100 + 441.66 + 700 + 150
    assert sum(frame["booked_amount"]) == D("2791.66") and sum(frame["shipped_amount"]) == D("2341.66")
    # a unit filter outside the viewer's scope never widens it
    south = weekly_flows(ctx_for(NORTH_HEAD), Filters(QUARTER, unit="SOUTH"))
    assert all(flow(south, name) == {} for name in FLOWS)


def test_weeks_after_the_as_of_day_count_nothing(ctx_for):
    # As of Wed 31 Mar (W9): o14 (1 Apr) is not booked yet; weeks 10–13 are in the future.
    frame = weekly_flows(ctx_for(as_of=d(3, 31)), Filters(QUARTER))
    assert list(frame["status"]) == ["past"] * 8 + ["current"] + ["future"] * 4
    assert flow(frame, "booked") == {
        1: (1, D("1000.00"), 0),
        2: (1, D("800.00"), 0),
        3: (1, D("600.00"), 0),
        5: (2, D("90.00"), 1),
        6: (0, D("-100.00"), 0),
        7: (1, D("0.00"), 1),
        9: (1, D("366.66"), 0),
    }
    assert flow(frame, "collected") == {6: (1, D("1000.00"), 0), 7: (0, D("-100.00"), 0)}


def test_filters_narrow_the_orders_and_an_empty_scope_refuses(ctx_for):
    # Business unit SW: only o12 (250.00, booked and invoiced in W12); o16 (SW too) is booked after the as-of day.
    frame = weekly_flows(ctx_for(), Filters(QUARTER, bus=("SW",)))
    assert flow(frame, "booked") == {12: (1, D("250.00"), 0)} and flow(frame, "invoiced") == {12: (1, D("250.00"), 0)}
    assert flow(frame, "shipped") == {} and flow(frame, "collected") == {}
    views = (weekly_flows, monday_view, expected_next_week, waiting, order_to_cash_days, order_to_cash_trend, quarter_projection)
    for view in views:
        with pytest.raises(NoScope):
            view(ctx_for(NOBODY), Filters(QUARTER))


def test_an_order_booked_after_the_as_of_day_counts_nowhere(ctx_for):
    # Business unit SW holds o12 (S-OFF, 250.00: booked 21 Apr and invoiced 22 Apr in W12, due 1 May, never shipped nor
    # paid) and o16 (N-OFF, 120.00: booked Mon 3 May, shipped and invoiced Tue 27 Apr, paid Wed 28 Apr). As of 28 Apr o16
    # does not exist: W13 would otherwise show it shipped, invoiced and collected, and order to cash 28 Apr − 3 May = −5.
    ctx, sw = ctx_for(), Filters(QUARTER, bus=("SW",))
    frame = weekly_flows(ctx, sw)
    assert flow(frame, "booked") == {12: (1, D("250.00"), 0)} and flow(frame, "invoiced") == {12: (1, D("250.00"), 0)}
    assert flow(frame, "shipped") == {} and flow(frame, "collected") == {}
    # columns: last orders, last amount, this orders, this amount, next orders, next amount (o12's cash is due 1 May)
    assert monday(monday_view(ctx, sw)) == {
        "booked": (1, D("250.00"), 0, D("0.00"), None, None),
        "shipped": (0, D("0.00"), 0, D("0.00"), 0, D("0.00")),
        "invoiced": (1, D("250.00"), 0, D("0.00"), None, None),
        "collected": (0, D("0.00"), 0, D("0.00"), 1, D("250.00")),
    }
    assert tuple(order_to_cash_days(ctx, sw).iloc[0]) == (0, None, None, None, None, None)
    assert list(order_to_cash_trend(ctx, sw)["n"]) == [0] * 13
    # o12 alone waits: not shipped, and invoiced not paid (due 1 May: not past due)
    assert [tuple(r.values()) for r in waiting(ctx, sw).to_dict("records")] == [
        ("booked_not_shipped", 1, D("250.00"), 0, None, None, None),
        ("shipped_not_invoiced", 0, D("0.00"), 0, None, None, None),
        ("invoiced_not_paid", 1, D("250.00"), 0, 0, D("0.00"), 0),
    ]
    assert result(CASH_COLLECTED, ctx, sw).value == D("0.00")  # nothing collected
    assert result(ORDER_TO_CASH_MEDIAN_DAYS, ctx, sw).value is None
    # NORTH sees o16's unit: still nothing of it in W13 (o2's 366.66 is NORTH's only cash there).
    north = weekly_flows(ctx_for(NORTH_HEAD), Filters(QUARTER))
    assert [north.iloc[12][f"{f}_orders"] for f in FLOWS] == [1, 0, 0, 1]
    # Once booked (as of Mon 3 May), o16 exists and its steps of 27–28 Apr count: cash in the quarter 120.00, with
    # 28 Apr − 3 May = −5 days from order to cash — the row is there and the filter finds it.
    later = ctx_for(as_of=d(5, 3))
    assert result(CASH_COLLECTED, later, sw).value == D("120.00")
    assert result(ORDER_TO_CASH_MEDIAN_DAYS, later, sw).value == -5.0


MONDAY_FIGURES = [f"{when}_week_{part}" for when in ("last", "this", "next") for part in ("orders", "amount")]
MONDAY_UNPRICED = ["last_week_unpriced", "this_week_unpriced", "next_week_unpriced"]


def monday(frame: pd.DataFrame, columns: list[str] = MONDAY_FIGURES) -> dict[str, tuple]:
    """step → the figures of ``columns`` (by default: last, this and next week's orders and amount)."""
    assert list(frame.columns) == ["step", *MONDAY_FIGURES, *MONDAY_UNPRICED]
    return {r["step"]: tuple(r[c] for c in columns) for r in frame.to_dict("records")}


def test_this_week_last_week_and_next_week(ctx_for):
    # Last week = W12 (19–25 Apr), this week = W13 to Wed 28 Apr, next week = FY2022 Q2 W1 (Sat 1 – Sun 2 May).
    # Next week's shipments: o4 (promised 1 May) 500 + o9 (2 May) 150; not o10, booked after the as-of day.
    # Next week's cash: o8 (due 2 May) 300 + o12 (due 1 May) 250; not o2 (due 1 May, already paid on 26 Apr) nor o5
    # (due 1 May, invoiced only on 30 Apr).
    # columns: last orders, last amount, this orders, this amount, next orders, next amount
    assert monday(monday_view(ctx_for(), Filters(QUARTER))) == {
        "booked": (3, D("950.00"), 1, D("150.00"), None, None),
        "shipped": (0, D("0.00"), 0, D("0.00"), 2, D("650.00")),
        "invoiced": (1, D("250.00"), 0, D("0.00"), None, None),
        "collected": (0, D("0.00"), 2, D("1166.66"), 2, D("550.00")),
    }
    assert monday(monday_view(ctx_for(NORTH_HEAD), Filters(QUARTER))) == {
        "booked": (2, D("700.00"), 1, D("150.00"), None, None),
        "shipped": (0, D("0.00"), 0, D("0.00"), 2, D("650.00")),
        "invoiced": (0, D("0.00"), 0, D("0.00"), None, None),
        "collected": (0, D("0.00"), 1, D("366.66"), 1, D("300.00")),
    }
    # nothing counted there lacks an amount: the unpriced counts are 0 (None beside booked and invoiced next week)
    assert monday(monday_view(ctx_for(), Filters(QUARTER)), MONDAY_UNPRICED) == {
        "booked": (0, 0, None), "shipped": (0, 0, 0), "invoiced": (0, 0, None), "collected": (0, 0, 0)}


def test_the_monday_table_counts_the_orders_left_out_of_its_amounts(ctx_for):
    # As of Wed 17 Mar (W7, 15–21 Mar): o11 (GBP, no rate) was booked on 15 Mar and shipped on 16 Mar: counted this week,
    # out of the amounts. Last week W6 (8–14 Mar): the credit note o6 (booked and invoiced 10 Mar: −100, no order) and o1's
    # cash (9 Mar). Next week W8 (22–28 Mar): o7's invoice falls due on 24 Mar, unpaid on 17 Mar (paid 28 Apr): 800.
    frame = monday_view(ctx_for(as_of=d(3, 17)), Filters(QUARTER))
    assert monday(frame) == {
        "booked": (0, D("-100.00"), 1, D("0.00"), None, None),
        "shipped": (0, D("0.00"), 1, D("0.00"), 0, D("0.00")),
        "invoiced": (0, D("-100.00"), 0, D("0.00"), None, None),
        "collected": (1, D("1000.00"), 0, D("0.00"), 1, D("800.00")),
    }
    assert monday(frame, MONDAY_UNPRICED) == {
        "booked": (0, 1, None), "shipped": (0, 1, 0), "invoiced": (0, 0, None), "collected": (0, 0, 0)}


def test_in_week_1_last_week_is_the_previous_quarters_week_13(ctx_for):
    # As of Wed 3 Feb: last week = FY2021 Q4 W13 (18–31 Jan, 14 days): o8 booked 25 Jan. This week to 3 Feb: o1 booked
    # 1 Feb; o8 shipped 2 Feb and invoiced 3 Feb (o1's shipment on 7 Feb is after the as-of day). Next week (8–14 Feb):
    # o1 was promised for 9 Feb and, as known on 3 Feb, not shipped yet: expected; no invoice falls due.
    assert monday(monday_view(ctx_for(as_of=d(2, 3)), Filters(QUARTER))) == {
        "booked": (1, D("300.00"), 1, D("1000.00"), None, None),
        "shipped": (0, D("0.00"), 1, D("300.00"), 1, D("1000.00")),
        "invoiced": (0, D("0.00"), 1, D("300.00"), None, None),
        "collected": (0, D("0.00"), 0, D("0.00"), 0, D("0.00")),
    }


def test_expected_next_week(ctx_for):
    frame = expected_next_week(ctx_for(), Filters(QUARTER))
    assert [tuple(r.values()) for r in frame.to_dict("records")] == [
        ("shipments", "FY2022 Q2 W1", d(5, 1), d(5, 2), 2, D("650.00"), 0),
        ("cash", "FY2022 Q2 W1", d(5, 1), d(5, 2), 2, D("550.00"), 0),
    ]


def test_orders_waiting_at_each_step(ctx_for):
    # Booked by 28 Apr, not credit notes: o1 o2 o3 o4 o5 o7 o8 o9 o11 o12 o13 o14 o15.
    # booked not shipped: o4 500, o5 200 (ships 29 Apr), o9 150, o12 250 (invoiced, never shipped), o15 90 = 1190.00
    # shipped not invoiced: o11 (GBP, unpriced)
    # invoiced not paid: o3 (none), o8 300, o12 250, o13 600 (paid 30 Apr), o14 75, o15 90 = 1315.00; o7, paid on the
    # as-of day itself, is not waiting. Past due (due before 28 Apr): o3 (4 Apr), o13 (19 Mar), o15 (2 Apr) = 690.00,
    # and o3 has no amount: 1 past due unpriced, counted and not in the 690.00. o14, due on 28 Apr, is not late yet.
    frame = waiting(ctx_for(), Filters(QUARTER))
    assert [tuple(r.values()) for r in frame.to_dict("records")] == [
        ("booked_not_shipped", 5, D("1190.00"), 0, None, None, None),
        ("shipped_not_invoiced", 1, D("0.00"), 1, None, None, None),
        ("invoiced_not_paid", 6, D("1315.00"), 1, 3, D("690.00"), 1),
    ]
    north = waiting(ctx_for(NORTH_HEAD), Filters(QUARTER))
    # NORTH: o4 + o5 + o9 = 850; o11; o3 + o8 + o13 + o14 = 975, past due o3 (unpriced) and o13 = 600
    assert [tuple(r.values()) for r in north.to_dict("records")] == [
        ("booked_not_shipped", 3, D("850.00"), 0, None, None, None),
        ("shipped_not_invoiced", 1, D("0.00"), 1, None, None, None),
        ("invoiced_not_paid", 4, D("975.00"), 1, 2, D("600.00"), 1),
    ]
    # The lists the view shows: the three steps, then the past-due invoices, each with its unpriced count.
    assert [tuple(r.values()) for r in waiting_lists(ctx_for(), Filters(QUARTER)).to_dict("records")] == [
        ("booked_not_shipped", 5, D("1190.00"), 0),
        ("shipped_not_invoiced", 1, D("0.00"), 1),
        ("invoiced_not_paid", 6, D("1315.00"), 1),
        ("past_due", 3, D("690.00"), 1),
    ]
    # Business unit SW: o12 alone, not late; nothing unpriced.
    assert list(waiting_lists(ctx_for(), Filters(QUARTER, bus=("SW",))).iloc[3]) == ["past_due", 0, D("0.00"), 0]


def test_an_invoice_due_later_this_week_is_neither_expected_nor_past_due(ctx_for):
    # As of Tue 27 Apr (W13, 26–30 Apr): o14's invoice (75.00) falls due on Wed 28 Apr, later this week. Next week
    # (1–2 May) expects o8 (due 2 May) and o12 (due 1 May) only; past due on 27 Apr are o7 (24 Mar, paid only on 28 Apr),
    # o13, o15 and o3: o14 is among the invoiced not paid, and nowhere else.
    ctx, flt = ctx_for(as_of=d(4, 27)), Filters(QUARTER)
    cash = expected_next_week(ctx, flt).set_index("expected").loc["cash"]
    assert (cash["orders"], cash["amount"]) == (2, D("550.00"))
    assert list(waiting_records(ctx, flt, "past_due")[0]["order_number"]) == ["SO-7", "SO-13", "SO-15", "SO-3"]
    assert "SO-14" in list(waiting_records(ctx, flt, "invoiced_not_paid")[0]["order_number"])
    assert "later this week" in DEFINITIONS["expected"]["en"] and "本周晚于数据日到期" in DEFINITIONS["expected"]["zh"]


def records(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(r[c] for c in columns) for r in frame.to_dict("records")]


def test_the_orders_behind_each_waiting_figure(ctx_for):
    # As of Wed 28 Apr, largest amount first (unpriced last). Days waiting count from the step's start: the order date
    # (not shipped), the shipped date (not invoiced), the invoiced date (not paid), the due date (past due: days late).
    ctx, flt = ctx_for(), Filters(QUARTER)
    cols = ("order_number", "unit", "amount", "days_waiting")
    rows, total = waiting_records(ctx, flt, "booked_not_shipped")
    # o4 19 Apr (9 days), o12 21 Apr (7), o5 20 Apr (8), o9 27 Apr (1), o15 1 Mar (30 + 28 = 58)
    assert total == 5 and records(rows, *cols) == [
        ("SO-4", "N-OFF", D("500.00"), 9), ("SO-12", "S-OFF", D("250.00"), 7), ("SO-5", "N-OFF", D("200.00"), 8),
        ("SO-9", "N-OFF", D("150.00"), 1), ("SO-15", "S-OFF", D("90.00"), 58),
    ]
    first = rows.iloc[0]
    assert (first["account"], first["rep"], first["order_date"], first["currency"], first["order_amount"]) == (
        "North buyer", "Ann North", d(4, 19), "USD", D("500.00"))
    # o11 in GBP has no rate: no amount in USD, its own 100.00 GBP kept; shipped 16 Mar → 15 + 28 = 43 days
    rows, total = waiting_records(ctx, flt, "shipped_not_invoiced")
    assert total == 1 and records(rows, *cols, "currency", "order_amount", "shipped_date") == [
        ("SO-11", "N-OFF", None, 43, "GBP", D("100.00"), d(3, 16))]
    # o13 17 Feb (11 + 31 + 28 = 70), o8 3 Feb (84), o12 22 Apr (6), o15 3 Mar (56), o14 5 Apr (23), o3 none 5 Mar (54)
    rows, total = waiting_records(ctx, flt, "invoiced_not_paid")
    assert total == 6 and records(rows, *cols) == [
        ("SO-13", "N-OFF", D("600.00"), 70), ("SO-8", "N-OFF", D("300.00"), 84), ("SO-12", "S-OFF", D("250.00"), 6),
        ("SO-15", "S-OFF", D("90.00"), 56), ("SO-14", "N-OFF", D("75.00"), 23), ("SO-3", "N-OFF", None, 54),
    ]
    # past due: o13 due 19 Mar (40 days late), o15 due 2 Apr (26), o3 due 4 Apr (24); o14, due on the day, is not late
    rows, total = waiting_records(ctx, flt, "past_due")
    assert total == 3 and records(rows, *cols, "payment_due_date") == [
        ("SO-13", "N-OFF", D("600.00"), 40, d(3, 19)), ("SO-15", "S-OFF", D("90.00"), 26, d(4, 2)), ("SO-3", "N-OFF", None, 24, d(4, 4))]
    # capped: the first rows, and the count of all
    rows, total = waiting_records(ctx, flt, "booked_not_shipped", limit=2)
    assert total == 5 and list(rows["order_number"]) == ["SO-4", "SO-12"]
    # the viewer's scope and the filters apply as in the counts
    rows, total = waiting_records(ctx_for(NORTH_HEAD), flt, "past_due")
    assert total == 2 and list(rows["order_number"]) == ["SO-13", "SO-3"]
    rows, total = waiting_records(ctx, Filters(QUARTER, bus=("SW",)), "invoiced_not_paid")
    assert total == 1 and list(rows["order_number"]) == ["SO-12"]
    assert waiting_records(ctx_for(NORTH_HEAD), Filters(QUARTER, unit="SOUTH"), "booked_not_shipped")[1] == 0
    with pytest.raises(NoScope):
        waiting_records(ctx_for(NOBODY), flt, "past_due")
    with pytest.raises(ValueError):
        waiting_records(ctx, flt, "shipped")


@pytest.mark.parametrize("as_of", [AS_OF, date(2021, 3, 31), date(2021, 2, 3)])
def test_the_records_add_up_to_the_waiting_figures(ctx_for, as_of):
    for viewer in (DEFAULT_VIEWER, NORTH_HEAD):
        ctx = ctx_for(viewer, as_of)
        lists = waiting_lists(ctx, Filters(QUARTER)).set_index("step")
        assert list(lists.index) == list(WAITING_LISTS)
        for step in WAITING_LISTS:
            rows, total = waiting_records(ctx, Filters(QUARTER), step, limit=1000)
            row = lists.loc[step]
            assert total == len(rows) == row["orders"], (step, as_of)
            assert sum((a for a in rows["amount"] if a is not None), D("0.00")) == row["amount"], (step, as_of)
            assert sum(a is None for a in rows["amount"]) == row["unpriced"], (step, as_of)


def test_the_orders_behind_each_weekly_figure(ctx_for):
    ctx, flt = ctx_for(), Filters(QUARTER)
    cols = ("order_number", "unit", "amount", "credit_note")
    # W13 collected: o7 800 (S-OFF, paid on the as-of day) and o2 366.66 (N-T1, EUR at its order date's 1.10); o16, paid
    # on 28 Apr but booked on 3 May, is not there
    rows, total = flow_records(ctx, flt, "collected", 13)
    assert total == 2 and records(rows, *cols, "cash_collected_date") == [
        ("SO-7", "S-OFF", D("800.00"), False, d(4, 28)), ("SO-2", "N-T1", D("366.66"), False, d(4, 26))]
    assert (rows.iloc[1]["currency"], rows.iloc[1]["order_amount"]) == ("EUR", D("333.33"))
    # W6 invoiced: the credit note o6 alone, netted in the amount (−100.00) and not counted as an order (0)
    rows, total = flow_records(ctx, flt, "invoiced", 6)
    assert total == 1 and records(rows, *cols) == [("SO-6", "N-OFF", D("-100.00"), True)]
    # W5 booked: o15 90 (S-OFF), then o3 with no amount
    rows, total = flow_records(ctx, flt, "booked", 5)
    assert total == 2 and records(rows, *cols) == [("SO-15", "S-OFF", D("90.00"), False), ("SO-3", "N-OFF", None, False)]
    # W7 shipped: o11 in GBP, no rate: no amount in USD, its own 100.00 GBP kept
    rows, total = flow_records(ctx, flt, "shipped", 7)
    assert total == 1 and records(rows, "order_number", "amount", "currency", "order_amount") == [("SO-11", None, "GBP", D("100.00"))]
    # W1 shipped: o1 (Sunday 7 Feb) and o8, booked the quarter before
    rows, total = flow_records(ctx, flt, "shipped", 1)
    assert total == 2 and list(rows["order_number"]) == ["SO-1", "SO-8"]
    # capped: the first rows and the count of all (W12 booked: o4 500, o12 250, o5 200)
    rows, total = flow_records(ctx, flt, "booked", 12, limit=1)
    assert total == 3 and list(rows["order_number"]) == ["SO-4"]
    # the viewer's scope and the filters, as in the flows
    assert list(flow_records(ctx_for(NORTH_HEAD), flt, "collected", 13)[0]["order_number"]) == ["SO-2"]
    assert list(flow_records(ctx, Filters(QUARTER, bus=("SW",)), "booked", 12)[0]["order_number"]) == ["SO-12"]
    # a week after the as-of day has nothing yet (as of 31 Mar, W10 is to come); an empty scope refuses
    assert flow_records(ctx_for(as_of=d(3, 31)), flt, "booked", 10)[1] == 0
    with pytest.raises(NoScope):
        flow_records(ctx_for(NOBODY), flt, "booked", 1)
    with pytest.raises(NoScope):
        flow_records(ctx_for(NOBODY, d(3, 31)), flt, "booked", 10)
    with pytest.raises(ValueError):
        flow_records(ctx, flt, "paid", 1)
    with pytest.raises(ValueError):
        flow_records(ctx, flt, "booked", 14)


@pytest.mark.parametrize("as_of", [AS_OF, date(2021, 3, 31)])
def test_the_weekly_records_add_up_to_the_weekly_figures(ctx_for, as_of):
    for viewer in (DEFAULT_VIEWER, NORTH_HEAD):
        ctx = ctx_for(viewer, as_of)
        weekly = weekly_flows(ctx, Filters(QUARTER))
        for row in weekly.to_dict("records"):
            for name in FLOWS:
                rows, total = flow_records(ctx, Filters(QUARTER), name, row["week"], limit=1000)
                assert total == len(rows) == row[f"{name}_orders"] + row[f"{name}_credit_notes"], (name, row["week"])
                assert sum(not c for c in rows["credit_note"]) == row[f"{name}_orders"], (name, row["week"])
                assert sum(bool(c) for c in rows["credit_note"]) == row[f"{name}_credit_notes"], (name, row["week"])
                assert sum((a for a in rows["amount"] if a is not None), D("0.00")) == row[f"{name}_amount"], (name, row["week"])
                assert sum(a is None for a in rows["amount"]) == row[f"{name}_unpriced"], (name, row["week"])


def test_the_quarters_revenue_target(ctx_for):
    # NORTH 4000 + SOUTH 2000: the company's 6000 rolled up. Booked 3931.66 → 65.5%; by 28 Apr, 87 of 89 days have
    # elapsed: expected 6000 × 87 / 89 = 5865.17; projected 4931.66 (the quarter's projection) → 82.19%.
    got = quarter_target(ctx_for(), Filters(QUARTER))
    assert got is not None
    assert (got.target, got.actual, got.expected_to_date, got.projected) == (D("6000.00"), D("3931.66"), D("5865.17"), D("4931.66"))
    assert got.projected == quarter_projection(ctx_for(), Filters(QUARTER)).iloc[0]["projected"]
    assert round(got.projected_attainment, 4) == D("0.8219")
    north = quarter_target(ctx_for(NORTH_HEAD), Filters(QUARTER))
    assert north is not None and (north.target, north.actual, north.projected) == (D("4000.00"), D("2791.66"), D("3291.66"))
    # whatever the filter period, the as-of day's quarter; no target under a business-unit filter, nor for a team without one
    assert quarter_target(ctx_for(), Filters(Period(d(1, 1), d(1, 31)))) == got
    assert quarter_target(ctx_for(), Filters(QUARTER, bus=("HW",))) is None
    assert quarter_target(ctx_for(), Filters(QUARTER, unit="N-T1")) is None


def test_the_projection_to_quarter_end_is_the_targets_projection(ctx_for):
    # Closed = booked to 28 Apr = 3931.66 (the weekly booked total, the credit note netted); open deals expected in the
    # quarter: op1 1000 × 0.5 = 500 + op2 2000 × 0.25 = 500; op3 (10 May) is after the quarter.
    frame = quarter_projection(ctx_for(), Filters(QUARTER))
    assert [tuple(r.values()) for r in frame.to_dict("records")] == [
        ("FY2022 Q1", d(2, 1), d(4, 30), D("3931.66"), D("1000.00"), D("4931.66"))
    ]
    north = quarter_projection(ctx_for(NORTH_HEAD), Filters(QUARTER))
    assert tuple(north.iloc[0][["closed", "weighted_open", "projected"]]) == (D("2791.66"), D("500.00"), D("3291.66"))
    # the period of the filters does not matter: the quarter is the as-of day's
    assert quarter_projection(ctx_for(), Filters(Period(d(1, 1), d(1, 31)))).equals(frame)


def test_the_projection_against_the_target_in_one_row(ctx_for):
    # The projection above, then the target of test_the_quarters_revenue_target: 6000.00; booked 3931.66 / 6000 and
    # projected 4931.66 / 6000; pace = 3931.66 / 5865.17 (the expected to date).
    got = projection_against_target(ctx_for(), Filters(QUARTER)).iloc[0]
    assert list(got.index) == ["quarter", "start", "end", "closed", "weighted_open", "projected", "target", "attainment", "pace",
                               "projected_attainment"]
    assert tuple(got[:7]) == ("FY2022 Q1", d(2, 1), d(4, 30), D("3931.66"), D("1000.00"), D("4931.66"), D("6000.00"))
    assert round(got["attainment"], 4) == D("0.6553") and round(got["projected_attainment"], 4) == D("0.8219")
    assert round(got["pace"], 4) == round(D("3931.66") / D("5865.17"), 4)
    # no target under a business-unit filter, nor for a viewer limited to business units: the projection alone
    for ctx, flt in ((ctx_for(), Filters(QUARTER, bus=("HW",))), (ctx_for(Viewer("hw", Role.REGIONAL_HEAD, ("NORTH",), ("HW",))), Filters(QUARTER))):
        row = projection_against_target(ctx, flt).iloc[0]
        assert row["closed"] == quarter_projection(ctx, flt).iloc[0]["closed"]
        assert [row[c] for c in ("target", "attainment", "pace", "projected_attainment")] == [None] * 4


def test_days_from_order_to_cash(ctx_for):
    # Paid in the quarter to 28 Apr, not credit notes: o1 1 Feb → 9 Mar = 36 days (W6); o2 31 Mar → 26 Apr = 26 (W13);
    # o7 10 Feb → 28 Apr = 18 + 31 + 28 = 77 (W13). Sorted 26, 36, 77 (n = 3): p25 at 0.5 → 26 + 10 × 0.5 = 31;
    # median 36; p75 at 1.5 → 36 + 41 × 0.5 = 56.5; p90 at 1.8 → 36 + 41 × 0.8; mean 139 / 3. Interpolated
    # percentiles to the last bit but one: DuckDB rounds its own interpolation (metrics.sql.LIST_PERCENTILE).
    frame = order_to_cash_days(ctx_for(), Filters(QUARTER))
    assert tuple(frame.iloc[0]) == pytest.approx((3, 31.0, 36.0, 56.5, 36.0 + 41.0 * 0.8, 139 / 3), rel=1e-15)
    weekly = order_to_cash_trend(ctx_for(), Filters(QUARTER))
    assert list(weekly["n"]) == [0] * 5 + [1] + [0] * 6 + [2]  # o6's refund in W7 is a credit note: left out
    assert tuple(weekly.iloc[5][["p25", "median", "p75", "p90", "mean"]]) == (36.0, 36.0, 36.0, 36.0, 36.0)
    # W13: 26 and 77: p25 26 + 51 × 0.25; median 51.5; p75 26 + 51 × 0.75; p90 26 + 51 × 0.9
    assert tuple(weekly.iloc[12][["p25", "median", "p75", "p90", "mean"]]) == pytest.approx((38.75, 51.5, 64.25, 26 + 51 * 0.9, 51.5), rel=1e-15)
    assert weekly.iloc[0]["median"] is None
    # NORTH: o1 36 and o2 26 → 28.5, 31, 33.5, 35, mean 31
    north = order_to_cash_days(ctx_for(NORTH_HEAD), Filters(QUARTER))
    assert tuple(north.iloc[0]) == pytest.approx((2, 28.5, 31.0, 33.5, 26 + 10 * 0.9, 31.0), rel=1e-15)


def test_the_single_kpis(ctx_for):
    ctx = ctx_for()
    # Cash collected in the quarter to 28 Apr: 1000 − 100 + 366.66 + 800 = 2066.66 (o13's 30 Apr not yet).
    assert result(CASH_COLLECTED, ctx, Filters(QUARTER)).value == D("2066.66")
    by_unit = evaluate(CASH_COLLECTED, ctx, Filters(QUARTER), Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["value"], strict=True)) == {"NORTH": D("1266.66"), "SOUTH": D("800.00")}
    # The weekly trend buckets of this quarter are its weeks (week 1 whole, week 13 short, nothing folded): the same cash.
    weekly = weekly_flows(ctx, Filters(QUARTER))
    assert list(trend(CASH_COLLECTED, ctx, Filters(QUARTER))["value"]) == list(weekly["collected_amount"])
    assert result(ORDER_TO_CASH_MEDIAN_DAYS, ctx, Filters(QUARTER)).value == 36.0
    assert result(ORDER_TO_CASH_MEDIAN_DAYS, ctx_for(NORTH_HEAD), Filters(QUARTER)).value == 31.0
    with shared_statements():
        owed, late = result(INVOICED_NOT_PAID, ctx, Filters(QUARTER)), result(INVOICES_PAST_DUE, ctx, Filters(QUARTER))
    assert (owed.value, late.value) == (D("1315.00"), 3)
    # o3 is invoiced and unpaid but has no amount: counted among the orders waiting, left out of the money, and said.
    assert (owed.excluded, late.excluded) == ((("invoiced_not_paid_unpriced", 1),), ())
    assert result(CASH_COLLECTED, ctx, Filters(QUARTER)).excluded == ()  # every order paid has an amount and a rate
    late_by_unit = evaluate(INVOICES_PAST_DUE, ctx, Filters(QUARTER), Grouping("unit"))
    assert dict(zip(late_by_unit["group"], late_by_unit["value"], strict=True)) == {"NORTH": 2, "SOUTH": 1}
    # As of the period's end when that is earlier (31 Mar): invoiced by then and unpaid then: o8 300, o13 600, o7 800
    # (paid 28 Apr), o3 none, o15 90 = 1790.00; past due before 31 Mar: o13 (19 Mar), o7 (24 Mar).
    # Orders waiting are a stock on one day: no trend (the KPI card then shows none), every other split works.
    for metric in (INVOICED_NOT_PAID, INVOICES_PAST_DUE):
        with pytest.raises(NotImplementedError):
            trend(metric, ctx, Filters(QUARTER))
    to_march = Filters(Period(d(2, 1), d(3, 31), "week", "days"))
    assert (result(INVOICED_NOT_PAID, ctx, to_march).value, result(INVOICES_PAST_DUE, ctx, to_march).value) == (D("1790.00"), 2)


def test_definitions_in_both_languages():
    for metric in METRICS:
        assert metric.label["en"] and metric.label["zh"] and metric.definition["en"] and metric.definition["zh"]
    assert {lang for texts in DEFINITIONS.values() for lang in texts} == {"en", "zh"}
    assert all(texts["en"] and texts["zh"] for texts in DEFINITIONS.values())
    # the decisions are in the text the user reads
    assert "folded into week 13" in DEFINITIONS["weeks"]["en"] and "并入第 13 周" in DEFINITIONS["weeks"]["zh"]
    assert "Credit notes" in DEFINITIONS["flows"]["en"] and "order date" in DEFINITIONS["flows"]["en"]
    assert "booked later is not counted at all, not even" in DEFINITIONS["flows"]["en"] and "预开票" in DEFINITIONS["flows"]["zh"]
    assert "booked by then" in DEFINITIONS["order_to_cash"]["en"] and "booked by the as-of day" in CASH_COLLECTED.definition["en"]
    assert "promised delivery date" in DEFINITIONS["expected"]["en"] and "payment due date" in DEFINITIONS["expected"]["en"]
    waiting_text = DEFINITIONS["waiting"]["en"]
    assert "as-of day" in waiting_text and "the day" not in waiting_text.replace("the as-of day", "")


def test_each_view_is_one_statement(ctx_for):
    ctx = ctx_for()
    sent: list[str] = []
    listen = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    event.listen(ctx.engine, "before_cursor_execute", listen)
    try:
        counts = {}
        for view in (weekly_flows, monday_view, expected_next_week, waiting, order_to_cash_days, order_to_cash_trend):
            before = len(sent)
            view(ctx, Filters(QUARTER))
            counts[view.__name__] = len([s for s in sent[before:] if "sales_order" in s])
    finally:
        event.remove(ctx.engine, "before_cursor_execute", listen)
    # the Monday view: last and this week's flows in one statement, next week's expectations in another
    assert counts == {
        "weekly_flows": 1,
        "monday_view": 2,
        "expected_next_week": 1,
        "waiting": 1,
        "order_to_cash_days": 1,
        "order_to_cash_trend": 1,
    }


# --- Every dialect compiles -------------------------------------------------------------------------------------


def _dialect(name: str) -> Dialect:
    return make_url(f"{name}://").get_dialect()()


def _offline_context(as_of: date) -> Context:
    org = OrgTree(tuple(OrgUnit(u["unit_id"], u["code"], u["name"], u["level"], u["parent_id"]) for u in tiny_crm.ORG))
    return Context(None, org, DEFAULT_VIEWER, CAL, "USD", as_of)  # type: ignore[arg-type]


FILTER_SETS = (
    Filters(QUARTER),
    Filters(QUARTER, unit="NORTH", bus=("HW",), products=("HW-1",), segments=("smb",), sources=("event",)),
)


@pytest.mark.parametrize("dialect", sorted(set(DIALECTS) | {"postgresql", "mysql", "snowflake", "bigquery", "trino"}))
def test_every_query_compiles(dialect):
    compiled = _dialect(dialect)
    for as_of in (AS_OF, d(2, 3)):  # in week 13, and in week 1 (last week in the previous quarter)
        for flt in FILTER_SETS:
            ctx = _offline_context(as_of)
            for viewer in (DEFAULT_VIEWER, NORTH_HEAD):
                built = statements(replace(ctx, viewer=viewer), flt)
                # the two waiting KPIs have no trend: no statement by bucket
                assert len(built) == 6 + len(WAITING_LISTS) + len(FLOWS) + sum(1 + len(m.groupings) for m in METRICS) - 2
                for name, stmt in built.items():
                    sql = str(stmt.compile(dialect=compiled))
                    assert sql.startswith("SELECT"), name


def test_user_values_are_bound_parameters():
    hostile = "HW-1' OR '1'='1"
    flt = Filters(QUARTER, bus=(hostile,), products=(hostile,), segments=(hostile,), sources=(hostile,))
    for name, stmt in statements(_offline_context(AS_OF), flt).items():
        compiled = stmt.compile(dialect=_dialect("postgresql"))
        assert hostile not in str(compiled), name
        bound = {v for value in compiled.params.values() for v in (value if isinstance(value, list | tuple) else [value])}
        assert hostile in bound, name
