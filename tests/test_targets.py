"""Targets, roll-ups, attainment, pacing and the projection against incentive_crm, worked out by hand, on every backend.

Q2 2025 revenue targets: R1 8000, R2 2000, R3 4000, R4 1600 (R5 none); N-T2 2500 stated; S-OFF 5000 stated;
HW 9000; SW by month 1000 + 1000 + 1500 = 3500; N-OFF within HW 6000.

Roll-ups (a rep counts in the last team they were in during the quarter: R4 moved N-T1 → S-T1 on 15 May):
N-T1 = R1 8000 (R5 has none: partial), N-T2 stated 2500 ≠ R2 2000 (mismatch), N-OFF = 8000 + 2500 = 10500,
S-T1 = R3 4000 + R4 1600 = 5600, S-OFF stated 5000 ≠ 5600 (mismatch), NORTH 10500, SOUTH 5000, ALL 15500.

Revenue actuals (USD; o5 1000 EUR × 1.10 = 1100; o10 GBP has no rate): R1 4000 + 3000 − 400 = 6600, R2 1100,
R3 2000, R4 1500 + 500 = 2000; N-OFF o3 + o4 + o5 + o6 + o9 = 9200, S-OFF o7 + o8 = 2500; teams by the rep's team on
the order date: N-T1 = R1 6600 + R4's o6 (1 May) 1500 = 8100, N-T2 1100, S-T1 = R3 2000 + R4's o7 (20 May) 500 = 2500;
HW 4000 + 1100 + 1500 + 2000 − 400 = 8200, SW 3000 + 500 = 3500.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, event, select

from data_layer import schema

from data_layer.config import Calendar
from data_layer.filters import Filters, Period, Role, Viewer
import metrics.targets as targets_module
from metrics.base import Grouping
from metrics.targets import DEFINITIONS, TargetPeriod, attainment, leaderboard, projection, stated_targets, target_period, targets
from tests import incentive_crm
from tests.conftest import BACKENDS, database_on

D = Decimal
CAL = Calendar()
Q2 = TargetPeriod("quarter", date(2025, 4, 1), date(2025, 6, 30))
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, incentive_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    return incentive_crm.contexts(loaded, date(2025, 6, 30))


def by_code(frame: pd.DataFrame, column: str, bu: str | None = None) -> dict[str, object]:
    rows = frame[frame["bu"].isna()] if bu is None else frame[frame["bu"] == bu]
    return dict(zip(rows["code"], rows[column], strict=True))


def test_target_periods_follow_the_fiscal_calendar():
    assert target_period("quarter", date(2025, 5, 20), CAL) == Q2
    april_fy = Calendar(fiscal_year_start_month=4)
    assert target_period("year", date(2025, 3, 31), april_fy) == TargetPeriod("year", date(2024, 4, 1), date(2025, 3, 31))
    assert target_period("month", date(2024, 2, 10), CAL) == TargetPeriod("month", date(2024, 2, 1), date(2024, 2, 29))
    assert Q2.elapsed_days(date(2025, 5, 31)) == 61 and Q2.elapsed_days(date(2025, 3, 1)) == 0 and Q2.elapsed_days(date(2026, 1, 1)) == 91
    with pytest.raises(ValueError, match="unknown target period"):
        target_period("week", date(2025, 1, 1), CAL)


def test_stated_targets_and_months_that_tile_the_quarter(ctx_for):
    stated = {(h.kind, h.id, h.bu_id): v for h, v in stated_targets(ctx_for(), "revenue", Q2).items()}
    assert stated[("bu", 2, None)] == D("3500.00")  # SW's three months
    assert stated[("unit", 4, 1)] == D("6000.00") and stated[("rep", 4, None)] == D("1600.00")
    # R2's new-customer targets cover April and May only: no quarter target
    assert stated_targets(ctx_for(), "new_customers", Q2) == {}
    with pytest.raises(ValueError, match="unknown target measure"):
        stated_targets(ctx_for(), "profit", Q2)


def test_leaf_targets_roll_up_and_mismatched_parents_are_flagged(ctx_for):
    frame = targets(ctx_for(), "revenue", Q2)
    assert by_code(frame, "target") == {
        "HW": D("9000.00"), "SW": D("3500.00"), "ALL": D("15500.00"), "NORTH": D("10500.00"), "N-OFF": D("10500.00"),
        "N-T1": D("8000.00"), "N-T2": D("2500.00"), "SOUTH": D("5000.00"), "S-OFF": D("5000.00"), "S-T1": D("5600.00"),
        "R1": D("8000.00"), "R2": D("2000.00"), "R3": D("4000.00"), "R4": D("1600.00"), "R5": None,
    }
    flagged = frame[frame["mismatch"]]
    assert sorted(zip(flagged["code"], flagged["stated"], flagged["children_sum"], strict=True)) == [
        ("N-T2", D("2500.00"), D("2000.00")), ("S-OFF", D("5000.00"), D("5600.00"))
    ]
    assert by_code(frame, "source")["N-OFF"] == "rolled_up" and by_code(frame, "source")["S-OFF"] == "stated"
    assert by_code(frame, "partial")["N-T1"] and by_code(frame, "children_missing")["N-T1"] == 1  # R5 has no target
    assert by_code(frame, "parent")["R4"] == "S-T1"  # the last team R4 was in during the quarter
    # Within HW: N-OFF stated 6000, rolled up to NORTH and ALL (SOUTH has none: partial)
    assert by_code(frame, "target", "HW") == {"ALL": D("6000.00"), "NORTH": D("6000.00"), "N-OFF": D("6000.00")}
    assert by_code(frame, "partial", "HW")["ALL"]


def test_attainment_of_a_closed_quarter(ctx_for):
    frame = attainment(ctx_for(date(2025, 7, 15)), "revenue", Q2)
    assert by_code(frame, "actual") == {
        "HW": D("8200.00"), "SW": D("3500.00"), "ALL": D("11700.00"), "NORTH": D("9200.00"), "N-OFF": D("9200.00"),
        "N-T1": D("8100.00"), "N-T2": D("1100.00"), "SOUTH": D("2500.00"), "S-OFF": D("2500.00"), "S-T1": D("2500.00"),
        "R1": D("6600.00"), "R2": D("1100.00"), "R3": D("2000.00"), "R4": D("2000.00"), "R5": D("0.00"),
    }
    got = by_code(frame, "attainment")
    assert (got["R1"], got["R4"], got["N-T1"], got["S-OFF"], got["R5"]) == (D("0.825"), D("1.25"), D("1.0125"), D("0.5"), None)
    assert got["ALL"] == D("11700") / D("15500")
    assert by_code(frame, "actual", "HW") == {"ALL": D("8200.00"), "NORTH": D("6200.00"), "N-OFF": D("6200.00")}
    # the period is over: expected = the target, projection = the actual
    assert by_code(frame, "expected_to_date")["R1"] == D("8000.00")
    assert by_code(frame, "projected")["R1"] == D("6600.00") and by_code(frame, "weighted_open")["R1"] is None
    board = leaderboard(frame, "rep")
    assert list(board["code"]) == ["R4", "R1", "R2", "R3"]  # R5 has no target


def test_pacing_and_projection_in_the_middle_of_the_quarter(ctx_for):
    # As of 31 May: 61 of 91 days. R1 closed o3 4000 + o4 3000 = 7000; expected 8000 × 61 / 91 = 5362.637… → 5362.64.
    # Open deals expected in Q2: op1 R1 2000 × 0.5 = 1000; op2 R1 1000 EUR × 1.10 × 0.25 = 275; op5 R2 800 × 0.3 = 240
    # (overdue on 20 May, still in the quarter); op6 R4 999.99 × 0.3333 = 333.296667 → 333.30. Left out: op3 (expected
    # before the quarter), op4 (after it), op11 (created after the as-of day).
    frame = attainment(ctx_for(date(2025, 5, 31)), "revenue", Q2)
    assert by_code(frame, "actual")["R1"] == D("7000.00")
    assert by_code(frame, "expected_to_date")["R1"] == D("5362.64")
    assert by_code(frame, "pace")["R1"] == D("7000.00") / D("5362.64")
    assert by_code(frame, "weighted_open") == {
        "HW": D("1240.00"), "SW": D("608.30"), "ALL": D("1848.30"), "NORTH": D("1515.00"), "N-OFF": D("1515.00"), "N-T1": D("1275.00"),
        "N-T2": D("240.00"), "SOUTH": D("333.30"), "S-OFF": D("333.30"), "S-T1": D("333.30"), "R1": D("1275.00"), "R2": D("240.00"),
        "R3": D("0.00"), "R4": D("333.30"), "R5": D("0.00"),
    }
    assert by_code(frame, "projected")["R1"] == D("8275.00")
    assert by_code(frame, "projected_attainment")["R1"] == D("8275") / D("8000")


def test_the_shared_projection_function(ctx_for):
    ctx = ctx_for(date(2025, 5, 31))
    flt = Filters(Q2.as_period())
    total = projection(ctx, flt)
    # closed to 31 May: o3 4000 + o4 3000 + o5 1100 + o6 1500 + o7 500 = 10100
    assert tuple(total.iloc[0]) == (D("10100.00"), D("1848.30"), D("11948.30"))
    by_unit = projection(ctx, flt, grouping=Grouping("unit"))
    assert {r["group"]: (r["closed"], r["weighted_open"], r["projected"]) for r in by_unit.to_dict("records")} == {
        "NORTH": (D("9600.00"), D("1515.00"), D("11115.00")),
        "SOUTH": (D("500.00"), D("333.30"), D("833.30")),
    }
    # won deals: op7 (10 Apr), op9 (31 Mar 17:00 UTC = 1 Apr local), op8 (15 May local); Σ probability 0.5 + 0.25 + 0.3 + 0.3333
    won = projection(ctx, flt, "won_deals")
    assert tuple(won.iloc[0]) == (D(3), D("1.3833"), D("4.3833"))
    with pytest.raises(ValueError, match="no projection"):
        projection(ctx, flt, "new_customers")
    # before the quarter starts nothing is closed; after it ends the projection is what closed
    # (as of 1 March, op2, op5 and op6 exist — created 1 March 08:00 local — op1 not yet: 275 + 240 + 333.30)
    early = projection(ctx_for(date(2025, 3, 1)), flt)
    assert tuple(early.iloc[0]) == (D("0.00"), D("848.30"), D("848.30"))
    late = projection(ctx_for(date(2025, 9, 30)), Filters(Period(date(2025, 4, 1), date(2025, 6, 30))))
    assert tuple(late.iloc[0]) == (D("11700.00"), None, D("11700.00"))


def test_won_deals_new_customers_and_cash_collected(ctx_for):
    ctx = ctx_for(date(2025, 7, 15))
    won = attainment(ctx, "won_deals", Q2)
    assert {k: v for k, v in by_code(won, "actual").items() if v} == {
        "HW": 3, "ALL": 3, "NORTH": 2, "N-OFF": 2, "N-T1": 1, "N-T2": 1, "SOUTH": 1, "S-OFF": 1, "S-T1": 1, "R1": 1, "R2": 1, "R4": 1
    }
    assert by_code(won, "attainment")["R1"] == D(1) / D(3)
    # first positive orders: A2 (o4 R1 SW), A3 (o5 R2), A4 (o6 R4 in N-T1), A5 (o7 R4 in S-T1), A6 (o8 R3), A8 (o10 R2, GBP)
    new = attainment(ctx, "new_customers", Q2)
    assert {k: v for k, v in by_code(new, "actual").items() if v} == {
        "HW": 4, "SW": 2, "ALL": 6, "NORTH": 4, "N-OFF": 4, "N-T1": 2, "N-T2": 2, "SOUTH": 2, "S-OFF": 2, "S-T1": 2, "R1": 1, "R2": 2,
        "R3": 1, "R4": 2,
    }
    # paid in Q2: o2 (5 Apr, 900, R3), o3 (10 May, 4000, R1), o5 (15 Jun, 1100, R2); ALL's target 5000
    cash = attainment(ctx, "cash_collected", Q2)
    assert by_code(cash, "actual")["ALL"] == D("6000.00") and by_code(cash, "actual")["R3"] == D("900.00")
    assert by_code(cash, "attainment")["ALL"] == D("1.2") and by_code(cash, "projected")["ALL"] is None


def test_a_regional_head_sees_their_region_only(ctx_for):
    frame = attainment(ctx_for(date(2025, 7, 15), NORTH_HEAD), "revenue", Q2)
    assert set(frame[frame["bu"].isna()]["code"]) == {"NORTH", "N-OFF", "N-T1", "N-T2", "R1", "R2", "R5"}
    assert by_code(frame, "actual")["NORTH"] == D("9200.00")
    # R4 counts in S-T1 this quarter (outside the scope); the HW family shows North's part only
    assert set(frame[frame["bu"] == "HW"]["code"]) == {"NORTH", "N-OFF"}
    office = attainment(ctx_for(date(2025, 7, 15)), "revenue", Q2, unit="S-OFF")
    assert set(office["code"]) == {"S-OFF", "S-T1", "R3", "R4"}


def _flat(parameters: object) -> set[object]:
    items = parameters.values() if isinstance(parameters, dict) else parameters if isinstance(parameters, list | tuple) else [parameters]
    out: set[object] = set()
    for item in items:
        out |= _flat(item) if isinstance(item, dict | list | tuple) else {item}
    return out


def test_a_scoped_viewers_target_query_reads_their_targets_only(ctx_for, loaded, monkeypatch):
    """The viewer's scope is in the target statement itself: a regional head's statement binds their units' ids and
    the reps who roll up into their teams, and the database returns none of anyone else's target rows."""
    t = schema.target
    read: list[tuple[object, pd.DataFrame]] = []
    real = targets_module.read_frame

    def recording(engine, stmt, *args, **kwargs):  # noqa: ANN001, ANN202 - read_frame's signature
        frame = real(engine, stmt, *args, **kwargs)
        if any(f is t for f in stmt.get_final_froms()):
            read.append((stmt, frame))
        return frame

    sent: list[tuple[str, object]] = []

    def hook(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001 - SQLAlchemy's signature
        if " target" in statement:
            sent.append((statement, parameters))

    monkeypatch.setattr(targets_module, "read_frame", recording)
    event.listen(loaded, "before_cursor_execute", hook)
    try:
        north = targets(ctx_for(viewer=NORTH_HEAD), "revenue", Q2)
        (stmt, rows), = read
        read.clear()
        everyone = targets(ctx_for(), "revenue", Q2)
        (_, all_rows), = read
    finally:
        event.remove(loaded, "before_cursor_execute", hook)

    # what is bound: NORTH's subtree (NORTH 2, N-OFF 4, N-T1 6, N-T2 8) and the reps whose last team is in it
    # (R1, R2, R5 — not R4, who moved to S-T1 on 15 May)
    bound = [v for v in stmt.compile(loaded).params.values() if isinstance(v, list)]
    assert sorted(bound) == [[1, 2, 5], [2, 4, 6, 8]]
    (_, parameters), = [s for s in sent if "period_kind" in s[0]][:1]
    assert {2, 4, 6, 8} <= {int(v) for v in _flat(parameters) if isinstance(v, int)}

    # what comes back: (rep, unit, bu) of each group the statement returned
    def holders(frame: pd.DataFrame) -> set[tuple[int | None, ...]]:
        return {tuple(None if pd.isna(v) else int(v) for v in (r.rep_id, r.unit_id, r.bu_id)) for r in frame.itertuples()}

    assert holders(rows) == {(1, None, None), (2, None, None), (None, 8, None), (None, 4, 1)}
    out_of_scope = {(3, None, None), (4, None, None), (None, 5, None), (None, None, 1), (None, None, 2)}  # R3, R4, S-OFF, HW, SW
    assert out_of_scope <= holders(all_rows) and not out_of_scope & holders(rows)
    assert len(rows) == 4 < len(all_rows) == 9
    # and the figures are those the whole company's statement gives for the same holders
    mine = everyone[everyone["code"].isin(set(north["code"]))]
    assert by_code(north, "target") == by_code(mine, "target") and by_code(north, "mismatch") == by_code(mine, "mismatch")

    # the incentives' form: the targets of the reps a scoped SELECT names (R4 booked o6 in N-OFF), plain family only
    o = schema.sales_order
    credited = select(o.c.rep_id).where(o.c.unit_id.in_([2, 4, 6, 8]))
    got = stated_targets(ctx_for(viewer=NORTH_HEAD), "revenue", Q2, reps=credited)
    assert {(h.kind, h.id, h.bu_id): v for h, v in got.items()} == {
        ("rep", 1, None): D("8000.00"), ("rep", 2, None): D("2000.00"), ("rep", 4, None): D("1600.00")
    }


def test_definitions_are_written():
    assert {"revenue", "cash_collected", "won_deals", "new_customers", "targets", "attainment"} <= set(DEFINITIONS)


# --- The view as a whole against its target (the Overview's revenue card) ----------------------------


def test_scope_attainment_is_the_view_as_a_whole_against_its_target(ctx_for) -> None:
    """Whole company: NORTH 10500 + SOUTH 5000 (the stated S-OFF target counts) = 15500 against N-OFF 9200 +
    S-OFF 2500 = 11700; the north head sees NORTH alone, a unit filter that unit alone."""
    quarter = Period(date(2025, 4, 1), date(2025, 6, 30), span="quarter")
    whole = targets_module.scope_attainment(ctx_for(), "revenue", Filters(quarter))
    assert (whole.target, whole.actual) == (D(15500), D("11700.00"))
    assert whole.attainment == D("11700.00") / D(15500) and whole.pace == whole.attainment  # the quarter is over
    north = targets_module.scope_attainment(ctx_for(viewer=NORTH_HEAD), "revenue", Filters(quarter))
    assert (north.target, north.actual) == (D(10500), D("9200.00"))
    south = targets_module.scope_attainment(ctx_for(), "revenue", Filters(quarter, unit="S-OFF"))
    assert (south.target, south.actual) == (D(5000), D("2500.00"))


def test_scope_attainment_to_date_measures_the_pace(ctx_for) -> None:
    """On 15 May, 45 of the quarter's 91 days have passed: expected to date = target × 45 ÷ 91."""
    so_far = Period(date(2025, 4, 1), date(2025, 5, 15), span="quarter")
    got = targets_module.scope_attainment(ctx_for(as_of=date(2025, 5, 15)), "revenue", Filters(so_far))
    assert got.target == D(15500) and got.period == Q2
    assert got.expected_to_date == D("7664.84")  # 15500 × 45 ÷ 91 = 7664.835…
    assert got.pace == got.actual / got.expected_to_date


@pytest.mark.parametrize(
    "flt",
    [
        Filters(Period(date(2025, 4, 2), date(2025, 6, 30))),  # a custom range
        Filters(Period(date(2025, 4, 1), date(2025, 6, 30), span="quarter"), bus=("HW",)),  # targets carry no business-unit filter
        Filters(Period(date(2025, 4, 1), date(2025, 6, 30), span="quarter"), products=("P1",)),
    ],
)
def test_scope_attainment_is_none_where_no_target_applies(ctx_for, flt) -> None:
    assert targets_module.scope_attainment(ctx_for(), "revenue", flt) is None
