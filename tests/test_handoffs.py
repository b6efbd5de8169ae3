"""Hand-offs against marketing_crm, worked out by hand, identical on every backend.

Lead response, Q1 2025 as of 2025-06-30, limit 24 h. The leads assigned in Q1 (UTC 2024-12-31 16:00 …
2025-03-31 16:00): L1–L9 and L11 (L11 was created in December but assigned on 2 January; L12 was never
assigned; L10 is Q2's). Team = the rep's team on the assignment day (E3 moved N-T1 → S-T1 on 1 February).

| lead | rep | team | unit  | response        | verdict                      |
|------|-----|------|-------|-----------------|------------------------------|
| L1   | E1  | N-T1 | NORTH | 6 h             | on time                      |
| L2   | E3  | N-T1 | NORTH | never           | overdue: breach              |
| L3   | E2  | S-T1 | SOUTH | 24 h exactly    | on time (the limit is kept)  |
| L4   | E2  | S-T1 | SOUTH | 30 h            | late: breach                 |
| L5   | E1  | N-T1 | NORTH | 1 h             | on time                      |
| L6   | E2  | S-T1 | SOUTH | 2 h             | on time                      |
| L7   | E3  | S-T1 | NORTH | never (assigned 03-31 12:00 local) | overdue by 30 June: breach |
| L8   | E1  | N-T1 | NORTH | 2 h             | on time                      |
| L9   | E2  | S-T1 | SOUTH | 48 h            | late: breach                 |
| L11  | E4  | N-T1 | NORTH | 4 h             | on time                      |

Assigned 10, responded 8, late 2, overdue 2, breaches 4: rate 4 / 10. Response hours sorted: 1, 2, 2, 4, 6, 24, 30, 48
(n 8, sum 117). percentile_cont at q·(n − 1): p25 at 1.75 → 2 + (2 − 2)·0.75 = 2; median at 3.5 → 4 + (6 − 4)·0.5 = 5;
p75 at 5.25 → 24 + (30 − 24)·0.25 = 25.5; p90 at 6.3 → 30 + (48 − 30)·0.3 = 35.4; mean 117 / 8 = 14.625.

Returned to marketing in Q1 (first return): L4 02-10 (then qualified 03-05, converted 03-10: converted), L5 02-20
(converted again 03-01: converted), L6 02-01 (disqualified 02-15), L8 03-10 (still returned), L9 02-20 (qualified
03-15: requalified).

Ownership as of 2025-06-30: E3 has left (last day 04-30); E4 leaves on 07-15, after the as-of day. Open that day:
202 (A2, E2, 800), 206 (A3, E3, 700 EUR × 1.10 = 770), 207 (A5, E1, 300), 208 (A8, E4, 900), 209 (A6, E1, 1000),
210 (A1, E3, 250), 212 (A6, E3, 400: won only on 07-05). Not open: 211 (lost 05-01), 213 (created 07-02).
- Accounts whose owner left: A3 (206: 770) and A6 (209 + 212 = 1400): 2 accounts, 3 opportunities, 2170.00.
- Open opportunities whose owner left: 206 (770), 210 (250), 212 (400): 3, 1420.00.
- Accounts with no owner: A5 (owner NULL; 207: 300) and A7 (the account row says E1, but account_history says nobody
  since 06-01): 2 accounts, 1 opportunity, 300.00.
None of these deals lacks a rate: unpriced 0 everywhere.

The tests at the end read marketing_crm plus a few rows of their own (:data:`EXTRA_LEADS`, :data:`EXTRA_OPPORTUNITIES`,
ids from 901, worked out there): a response recorded before its assignment, a lead assigned with no rep, another unit's
deal on an account homed in N-OFF, and a deal in a currency with no rate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.sql import visitors

from data_layer import schema
from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics.base import Context, Grouping, evaluate, result
from metrics.funnel import returned_leads
from metrics.handoffs import (
    DEFINITIONS,
    OUTCOMES,
    OWNERSHIP_COLUMNS,
    RESPONSE_BREACH_RATE,
    _worst_first,
    breach_rate_metric,
    breach_rate_query,
    breach_records,
    breach_records_select,
    leaver_opportunities,
    owned_accounts,
    ownership,
    ownership_records,
    ownership_records_select,
    ownership_select,
    response_counts_select,
    response_hours_select,
    response_times,
    returned_outcomes,
    returned_records,
    returned_outcomes_select,
)
from metrics.sql import DIALECTS
from tests import marketing_crm
from tests.conftest import BACKENDS, database_on

D = Decimal
Q1 = Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter")
EMPTY = Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter")
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
N_OFF_LEAD = Viewer(user="n-off", role=Role.TEAM_LEAD, units=("N-OFF",))
COUNTS = ["assigned", "responded", "late", "overdue", "pending", "breaches", "breach_rate"]
HOURS = ["n", "p25", "median", "p75", "mean"]


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """marketing_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, marketing_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER, as_of: date = marketing_crm.AS_OF) -> Context:
        return Context(loaded, org, viewer, Calendar(), "USD", as_of)

    return make


def record(frame, columns: list[str], i: int = 0) -> tuple:
    return tuple(frame.iloc[i][c] for c in columns)


# --- Lead response -------------------------------------------------------------------------------------


def test_response_against_the_limit(ctx_for):
    frame = response_times(ctx_for(), Filters(Q1))
    assert record(frame, COUNTS) == (10, 8, 2, 2, 0, 4, 0.4)
    assert record(frame, HOURS) == (8, 2.0, 5.0, 25.5, 14.625)
    # p90 in the distribution's own order of double operations: seconds 108000 + (172800 − 108000)·(0.9·7 − 6), ÷ 3600.
    assert frame.iloc[0]["p90"] == (108000 + 64800 * (0.9 * 7 - 6)) / 3600
    rate = result(RESPONSE_BREACH_RATE, ctx_for(), Filters(Q1))
    assert (rate.numerator, rate.denominator, rate.value) == (4, 10, 0.4)
    assert RESPONSE_BREACH_RATE.better == "down" and RESPONSE_BREACH_RATE.label["zh"] and RESPONSE_BREACH_RATE.definition["zh"]
    assert RESPONSE_BREACH_RATE.not_applicable(Filters(Q1, products=("HW-1",))) == ("product",)


def test_the_limit_is_a_parameter(ctx_for):
    # 30 h: L4 (30 h exactly) is on time; L9 late, L2 and L7 overdue. 1 h: L5 (1 h exactly) alone is on time.
    assert record(response_times(ctx_for(), Filters(Q1), limit_hours=30), COUNTS) == (10, 8, 1, 2, 0, 3, 0.3)
    assert record(response_times(ctx_for(), Filters(Q1), limit_hours=1), COUNTS) == (10, 8, 7, 2, 0, 9, 0.9)
    metric = breach_rate_metric(30)
    assert metric.key == "lead_response_breach_rate_30h" and "30 hours" in metric.definition["en"]
    assert result(metric, ctx_for(), Filters(Q1)).value == 0.3
    with pytest.raises(ValueError):
        response_times(ctx_for(), Filters(Q1), limit_hours=0)


def test_unanswered_leads_within_the_limit_are_pending(ctx_for):
    # As of 31 March (its end: 16:00 UTC), L7 was assigned 12 hours before: pending, out of the rate's denominator.
    frame = response_times(ctx_for(as_of=date(2025, 3, 31)), Filters(Q1))
    assert record(frame, COUNTS) == (10, 8, 2, 1, 1, 3, 3 / 9)
    rate = result(RESPONSE_BREACH_RATE, ctx_for(as_of=date(2025, 3, 31)), Filters(Q1))
    assert (rate.numerator, rate.denominator) == (3, 9)


def test_breaches_by_rep(ctx_for):
    # E1: L1 6 h, L5 1 h, L8 2 h. E2: L3 24, L4 30 (late), L6 2, L9 48 (late): sorted 2, 24, 30, 48 → median 27, mean 26.
    # E3: L2, L7 never answered, both overdue. E4: L11 4 h.
    frame = response_times(ctx_for(), Filters(Q1), by="rep")
    assert list(frame["group"]) == ["E1", "E2", "E3", "E4"]
    assert [record(frame, COUNTS, i) for i in range(4)] == [
        (3, 3, 0, 0, 0, 0, 0.0),
        (4, 4, 2, 0, 0, 2, 0.5),
        (2, 0, 0, 2, 0, 2, 1.0),
        (1, 1, 0, 0, 0, 0, 0.0),
    ]
    assert list(frame["median"]) == [2.0, 27.0, None, 4.0]
    assert list(frame["mean"]) == [3.0, 26.0, None, 4.0]
    assert list(frame["n"]) == [3, 4, 0, 1]
    by_rep = evaluate(RESPONSE_BREACH_RATE, ctx_for(), Filters(Q1), Grouping("rep"))
    assert dict(zip(by_rep["group"], by_rep["value"], strict=True)) == {"E1": 0.0, "E2": 0.5, "E3": 1.0, "E4": 0.0}


def test_the_worst_breach_rate_first(ctx_for):
    # By rep: E3 2 / 2, E2 2 / 4, then E1 and E4 with none, the one with more leads first (E1: 3, E4: 1).
    frame = response_times(ctx_for(), Filters(Q1), by="rep", worst_first=True)
    assert list(frame["group"]) == ["E3", "E2", "E1", "E4"]
    assert [record(frame, COUNTS, i) for i in range(4)] == [
        (2, 0, 0, 2, 0, 2, 1.0),
        (4, 4, 2, 0, 0, 2, 0.5),
        (3, 3, 0, 0, 0, 0, 0.0),
        (1, 1, 0, 0, 0, 0, 0.0),
    ]
    assert list(frame["median"]) == [None, 27.0, 2.0, 4.0]  # the hours move with their rows
    # By team: S-T1 3 / 5 before N-T1 1 / 5. At 720 h as of 31 March, S-T1's L4 and L9 are on time and L7 pending (0 / 4),
    # while N-T1 still has L2, assigned on 2 January and never answered: N-T1 first.
    assert list(response_times(ctx_for(), Filters(Q1), by="team", worst_first=True)["group"]) == ["S-T1", "N-T1"]
    march = response_times(ctx_for(as_of=date(2025, 3, 31)), Filters(Q1), 720, "team", worst_first=True)
    assert [(g, r) for g, r in zip(march["group"], march["breach_rate"], strict=True)] == [("N-T1", 0.2), ("S-T1", 0.0)]
    # The rule on a few rows: the rate, then the breaches, then the leads; ties keep their order; no rate (undecided) last.
    rows = pd.DataFrame(
        {"group": ["a", "b", "c", "d", "e"], "breach_rate": [None, 0.5, 0.5, 1.0, 0.5], "breaches": [0, 1, 2, 1, 1], "assigned": [3, 2, 4, 1, 2]},
        dtype=object,
    )
    assert list(_worst_first(rows)["group"]) == ["d", "c", "b", "e", "a"]


def test_breaches_by_team_at_assignment(ctx_for):
    # N-T1: L1, L5, L8 (E1), L2 (E3, before the move), L11 (E4): L2 overdue. Hours 1, 2, 4, 6: p25 at 0.75 → 1 + 1·0.75,
    # median at 1.5 → 2 + 2·0.5, p75 at 2.25 → 4 + 2·0.25, mean 13 / 4.
    # S-T1: L3, L4, L6, L9 (E2), L7 (E3, after the move): L4, L9 late, L7 overdue. Hours 2, 24, 30, 48: p25 2 + 22·0.75,
    # median 24 + 6·0.5, p75 30 + 18·0.25, mean 104 / 4.
    frame = response_times(ctx_for(), Filters(Q1), by="team")
    assert list(frame["group"]) == ["N-T1", "S-T1"]
    assert record(frame, COUNTS, 0) == (5, 4, 0, 1, 0, 1, 0.2)
    assert record(frame, COUNTS, 1) == (5, 4, 2, 1, 0, 3, 0.6)
    assert record(frame, HOURS, 0) == (4, 1.75, 3.0, 4.5, 3.25)
    assert record(frame, HOURS, 1) == (4, 18.5, 27.0, 34.5, 26.0)


def test_response_scope_and_units(ctx_for):
    # NORTH's leads: L1, L2, L5, L7, L8, L11 (breaches L2, L7); SOUTH's: L3, L4, L6, L9 (breaches L4, L9).
    by_unit = response_times(ctx_for(), Filters(Q1), by="unit")
    assert list(by_unit["group"]) == ["NORTH", "SOUTH"]
    assert [record(by_unit, COUNTS, i) for i in range(2)] == [(6, 4, 0, 2, 0, 2, 2 / 6), (4, 4, 2, 0, 0, 2, 0.5)]
    north = response_times(ctx_for(NORTH_HEAD), Filters(Q1))
    assert record(north, COUNTS) == (6, 4, 0, 2, 0, 2, 2 / 6)
    assert record(north, HOURS) == (4, 1.75, 3.0, 4.5, 3.25)  # L5 1 h, L8 2 h, L11 4 h, L1 6 h
    units = evaluate(RESPONSE_BREACH_RATE, ctx_for(), Filters(Q1), Grouping("unit"))
    assert dict(zip(units["group"], units["value"], strict=True)) == {"NORTH": 2 / 6, "SOUTH": 0.5}


def test_empty_period_response(ctx_for):
    frame = response_times(ctx_for(), Filters(EMPTY))
    assert record(frame, COUNTS) == (0, 0, 0, 0, 0, 0, None)
    assert frame.iloc[0]["n"] == 0 and frame.iloc[0]["median"] is None
    assert response_times(ctx_for(), Filters(EMPTY), by="rep").empty
    empty = result(RESPONSE_BREACH_RATE, ctx_for(), Filters(EMPTY))
    assert empty.value is None and empty.reason == "no_denominator"


def test_the_breached_leads_behind_the_counts(ctx_for):
    # Q1's four breaches: L2 and L7 never answered (oldest assignment first), then L9 (48 h) and L4 (30 h). Local times
    # are UTC + 8: assigned at 04:00 UTC = noon; L4 answered 02-06 10:00 UTC = 18:00.
    records, total = breach_records(ctx_for(), Filters(Q1))
    assert total == 4 == response_times(ctx_for(), Filters(Q1)).iloc[0]["breaches"]
    assert records.to_dict("records") == [
        dict(lead_id=2, company="Company 2", unit="N-OFF", rep="E3", team="N-T1", assigned_at=datetime(2025, 1, 15, 12),
             first_response_at=None, hours=None, verdict="no_response"),
        dict(lead_id=7, company="Company 7", unit="N-OFF", rep="E3", team="S-T1", assigned_at=datetime(2025, 3, 31, 12),
             first_response_at=None, hours=None, verdict="no_response"),
        dict(lead_id=9, company="Company 9", unit="S-OFF", rep="E2", team="S-T1", assigned_at=datetime(2025, 2, 15, 12),
             first_response_at=datetime(2025, 2, 17, 12), hours=48.0, verdict="late"),
        dict(lead_id=4, company="Company 4", unit="S-OFF", rep="E2", team="S-T1", assigned_at=datetime(2025, 2, 5, 12),
             first_response_at=datetime(2025, 2, 6, 18), hours=30.0, verdict="late"),
    ]
    # One rep's, one team's: the same leads as their rows of the split (E2: L9, L4; S-T1: L7, L9, L4).
    by_rep = response_times(ctx_for(), Filters(Q1), by="rep").set_index("group")
    for rep in ("E1", "E2", "E3", "E4"):
        rows, n = breach_records(ctx_for(), Filters(Q1), rep=rep)
        assert n == len(rows) == by_rep.loc[rep, "breaches"] and set(rows["rep"]) <= {rep}, rep
    assert list(breach_records(ctx_for(), Filters(Q1), rep="E2")[0]["lead_id"]) == [9, 4]
    by_team = response_times(ctx_for(), Filters(Q1), by="team").set_index("group")
    for team in ("N-T1", "S-T1"):
        rows, n = breach_records(ctx_for(), Filters(Q1), team=team)
        assert n == len(rows) == by_team.loc[team, "breaches"], team
    assert list(breach_records(ctx_for(), Filters(Q1), team="S-T1")[0]["lead_id"]) == [7, 9, 4]
    # The limit is the same parameter as the counts': at 30 h, L4 (30 h exactly) is on time.
    assert list(breach_records(ctx_for(), Filters(Q1), limit_hours=30)[0]["lead_id"]) == [2, 7, 9]
    # Capped, with the total; a regional head sees NORTH's alone; none in an empty period or for an unknown team.
    top, total = breach_records(ctx_for(), Filters(Q1), limit=1)
    assert list(top["lead_id"]) == [2] and total == 4
    assert list(breach_records(ctx_for(NORTH_HEAD), Filters(Q1))[0]["lead_id"]) == [2, 7]
    assert breach_records(ctx_for(), Filters(EMPTY)) [1] == 0
    assert breach_records(ctx_for(), Filters(Q1), team="NO-SUCH")[1] == 0
    with pytest.raises(ValueError):
        breach_records(ctx_for(), Filters(Q1), limit=0)


# --- Leads returned to marketing ------------------------------------------------------------------------


def test_what_became_of_returned_leads(ctx_for):
    frame = returned_outcomes(ctx_for(), Filters(Q1))
    assert frame.to_dict("records") == [
        dict(returned=5, converted=2, requalified=1, disqualified=1, still_returned=1, converted_share=0.4)
    ]
    # The same leads and conversions as the funnel's returned leads.
    funnel = returned_leads(ctx_for(), Filters(Q1))
    assert (funnel.iloc[0]["returned"], funnel.iloc[0]["converted_later"]) == (5, 2)
    by_unit = returned_outcomes(ctx_for(), Filters(Q1), by="unit")
    assert by_unit.drop(columns="converted_share").to_dict("records") == [
        dict(group="NORTH", returned=2, converted=1, requalified=0, disqualified=0, still_returned=1),  # L5, L8
        dict(group="SOUTH", returned=3, converted=1, requalified=1, disqualified=1, still_returned=0),  # L4, L9, L6
    ]
    by_rep = returned_outcomes(ctx_for(), Filters(Q1), by="rep")
    assert dict(zip(by_rep["group"], by_rep["returned"], strict=True)) == {"E1": 2, "E2": 3}
    north = returned_outcomes(ctx_for(NORTH_HEAD), Filters(Q1))
    assert (north.iloc[0]["returned"], north.iloc[0]["converted"], north.iloc[0]["still_returned"]) == (2, 1, 1)


def test_returned_outcomes_as_of_an_earlier_day(ctx_for):
    # As of 5 March (its end: 16:00 UTC): L8 has not been returned yet; L4 was qualified that noon but converts only on
    # 03-10: requalified; L9 is qualified only on 03-15: still returned; L5 converted 03-01; L6 disqualified 02-15.
    frame = returned_outcomes(ctx_for(as_of=date(2025, 3, 5)), Filters(Q1))
    assert frame.drop(columns="converted_share").to_dict("records") == [
        dict(returned=4, converted=1, requalified=1, disqualified=1, still_returned=1)
    ]
    assert returned_outcomes(ctx_for(), Filters(EMPTY)).iloc[0]["returned"] == 0


def test_the_returned_leads_behind_the_outcomes(ctx_for):
    # Latest return first: L8 03-10, then L5 and L9 both 02-20 noon (by id), L4 02-10, L6 02-01.
    records, total = returned_records(ctx_for(), Filters(Q1))
    assert total == 5
    assert records.to_dict("records") == [
        dict(lead_id=8, company="Company 8", unit="N-OFF", source="website", rep="E1", returned_on=date(2025, 3, 10), outcome="still_returned"),
        dict(lead_id=5, company="Company 5", unit="N-OFF", source="referral", rep="E1", returned_on=date(2025, 2, 20), outcome="converted"),
        dict(lead_id=9, company="Company 9", unit="S-OFF", source="event", rep="E2", returned_on=date(2025, 2, 20), outcome="requalified"),
        dict(lead_id=4, company="Company 4", unit="S-OFF", source="website", rep="E2", returned_on=date(2025, 2, 10), outcome="converted"),
        dict(lead_id=6, company="Company 6", unit="S-OFF", source="email", rep="E2", returned_on=date(2025, 2, 1), outcome="disqualified"),
    ]
    # Each outcome's records count to its figure, for the whole company and for a regional head.
    for ctx in (ctx_for(), ctx_for(NORTH_HEAD)):
        counts = returned_outcomes(ctx, Filters(Q1)).iloc[0]
        assert returned_records(ctx, Filters(Q1))[1] == counts["returned"]
        for outcome in OUTCOMES:
            rows, n = returned_records(ctx, Filters(Q1), outcome)
            assert n == len(rows) == counts[outcome] and set(rows["outcome"]) <= {outcome}, outcome
    assert list(returned_records(ctx_for(), Filters(Q1), "converted")[0]["lead_id"]) == [5, 4]
    assert list(returned_records(ctx_for(NORTH_HEAD), Filters(Q1))[0]["lead_id"]) == [8, 5]
    top, total = returned_records(ctx_for(), Filters(Q1), limit=2)
    assert list(top["lead_id"]) == [8, 5] and total == 5
    assert returned_records(ctx_for(), Filters(EMPTY))[1] == 0
    with pytest.raises(ValueError):
        returned_records(ctx_for(), Filters(Q1), "lost")


def test_the_ownership_records_count_to_the_figures(ctx_for):
    for ctx in (ctx_for(), ctx_for(NORTH_HEAD), ctx_for(as_of=date(2025, 4, 15))):
        figures = ownership(ctx, Filters(Q1)).set_index("kind")
        for kind in figures.index:
            rows, total = ownership_records(ctx, Filters(Q1), kind, limit=100)
            assert total == len(rows) == figures.loc[kind, "records"], kind
            if kind == "owner_left_opportunities":
                assert sum(rows["amount"].dropna(), D(0)) == figures.loc[kind, "open_pipeline"]
            else:
                assert sum(rows["open_pipeline"], D(0)) == figures.loc[kind, "open_pipeline"]
                assert sum(rows["open_opportunities"]) == figures.loc[kind, "open_opportunities"]


# --- Ownership -------------------------------------------------------------------------------------------


def summary(frame) -> dict:
    """kind → (records, open opportunities, open pipeline, unpriced open opportunities)."""
    assert list(frame.columns) == OWNERSHIP_COLUMNS
    columns = ("records", "open_opportunities", "open_pipeline", "unpriced_opportunities")
    return {r["kind"]: tuple(r[c] for c in columns) for r in frame.to_dict("records")}


def test_ownership_as_of_the_day(ctx_for):
    assert summary(ownership(ctx_for(), Filters(Q1))) == {
        "owner_left_accounts": (2, 3, D("2170.00"), 0),
        "owner_left_opportunities": (3, 3, D("1420.00"), 0),
        "no_owner_accounts": (2, 1, D("300.00"), 0),
    }


def test_ownership_before_the_rep_left(ctx_for):
    # As of 15 April E3 is still employed (last day 04-30) and A7 still E1's: only A5 (207: 300) has no owner.
    assert summary(ownership(ctx_for(as_of=date(2025, 4, 15)), Filters(Q1))) == {
        "owner_left_accounts": (0, 0, D("0.00"), 0),
        "owner_left_opportunities": (0, 0, D("0.00"), 0),
        "no_owner_accounts": (1, 1, D("300.00"), 0),
    }


def test_ownership_of_a_regional_head(ctx_for):
    # NORTH's accounts (home N-OFF): A1, A4, A5, A6, A7, A8 — A3 and its 206 are SOUTH's.
    assert summary(ownership(ctx_for(NORTH_HEAD), Filters(Q1))) == {
        "owner_left_accounts": (1, 2, D("1400.00"), 0),  # A6: 209 + 212
        "owner_left_opportunities": (2, 2, D("650.00"), 0),  # 210 + 212
        "no_owner_accounts": (2, 1, D("300.00"), 0),
    }


def test_ownership_records_largest_first_and_capped(ctx_for):
    accounts, total = ownership_records(ctx_for(), Filters(Q1), "owner_left_accounts")
    assert total == 2
    assert accounts.to_dict("records") == [
        dict(account_id=6, name="A6", home_unit="N-OFF", owner="E3", left_on=date(2025, 4, 30), open_opportunities=2,
             open_pipeline=D("1400.00"), unpriced_opportunities=0),
        dict(account_id=3, name="A3", home_unit="S-OFF", owner="E3", left_on=date(2025, 4, 30), open_opportunities=1,
             open_pipeline=D("770.00"), unpriced_opportunities=0),
    ]
    top, total = ownership_records(ctx_for(), Filters(Q1), "owner_left_opportunities", limit=2)
    assert total == 3
    assert list(top["opportunity_id"]) == [206, 212]
    assert top.iloc[0].to_dict() == dict(
        opportunity_id=206, name="Deal 206", account="A3", unit="S-OFF", owner="E3", left_on=date(2025, 4, 30), stage="proposal",
        expected_close_date=date(2025, 9, 30), amount=D("770.00"),
    )
    nobody, total = ownership_records(ctx_for(), Filters(Q1), "no_owner_accounts")
    assert total == 2
    assert [(r["account_id"], r["owner"], r["open_pipeline"]) for r in nobody.to_dict("records")] == [
        (5, None, D("300.00")),
        (7, None, D("0.00")),
    ]
    empty, total = ownership_records(ctx_for(as_of=date(2025, 4, 15)), Filters(Q1), "owner_left_accounts")
    assert empty.empty and total == 0
    with pytest.raises(ValueError):
        ownership_records(ctx_for(), Filters(Q1), "everything")


# --- Every hand-off query compiles for every dialect -----------------------------------------------------


def _tables(stmt) -> set[str]:
    """The tables a statement reads, in its subqueries too."""
    return {t.name for t in visitors.iterate(stmt) if isinstance(t, Table)}


def _bound(compiled) -> set:
    return {v for value in compiled.params.values() for v in (value if isinstance(value, list | tuple) else [value])}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_handoff_query_compiles(dialect):
    from tests.test_sql_functions import _context, _dialect

    ctx, compiled = _context(), _dialect(dialect)
    flt = Filters(Q1, unit="NORTH", sources=("event",), segments=("smb",), bus=("HW",))
    north = {2, 4, 6}  # NORTH's subtree: NORTH, N-OFF, N-T1
    # name → (statement, tables it must read, whether it reads the opportunity, so the business-unit filter binds)
    lead_statements = {
        "counts by team": response_counts_select(ctx, flt, 24, "team"),
        "counts": response_counts_select(ctx, flt, 24, None),
        "hours by rep": response_hours_select(ctx, flt, "rep"),
        "hours by team": response_hours_select(ctx, flt, "team"),
        "hours": response_hours_select(ctx, flt, None),
        "breach rate by bucket": breach_rate_query()(ctx, flt, Grouping("bucket")),
        "breach rate by unit": breach_rate_query()(ctx, flt, Grouping("unit")),
        "returned by unit": returned_outcomes_select(ctx, flt, "unit"),
        "breached leads of a team": breach_records_select(ctx, flt, 24, team="N-T1"),
    }
    ownership_statements = {
        "ownership": ownership_select(ctx, flt),
        "accounts": ownership_records_select(ctx, flt, "owner_left_accounts"),
        "no owner": ownership_records_select(ctx, flt, "no_owner_accounts"),
        "opportunities": ownership_records_select(ctx, flt, "owner_left_opportunities"),
    }
    for name, stmt in {**lead_statements, **ownership_statements}.items():
        sql = str(stmt.compile(dialect=compiled))
        assert sql.startswith("SELECT"), name
        bound, tables = _bound(stmt.compile(dialect=compiled)), _tables(stmt)
        # every filter value is a bound parameter, never spliced into the text
        assert {"event", "smb"} <= bound and north <= bound, name
        assert "'event'" not in sql and "'smb'" not in sql and "'HW'" not in sql, name
        if name in lead_statements:
            assert "lead" in tables, name
            assert "HW" not in bound, name  # the business-unit filter does not apply to leads
            # the correlated team lookup is built only for the team split
            assert ("rep_team_history" in tables) == (name.endswith("by team") or "team" in name), name
        else:
            assert {"opportunity", "exchange_rate", "rep"} <= tables and "HW" in bound, name
            assert "rep_team_history" not in tables, name
    # both ownership pipelines restrict the opportunity's own unit: the accounts' (not just their home) and the leavers'
    unit_scoped = re.compile(r"opportunity[`\"\]]?\.[`\"\[]?unit_id[`\"\]]? IN", re.IGNORECASE)
    for subquery in (owned_accounts(ctx, flt), leaver_opportunities(ctx, flt)):
        assert unit_scoped.search(str(select(subquery).compile(dialect=compiled))), subquery.name


# --- Rows of these tests' own: early responses, leads with no rep, another unit's deal, no rate ------------------

#: L901: E1's, assigned 03-03 noon local (04:00 UTC), "answered" at 02:00 UTC, two hours before: on time, no hours.
#: L902: assigned 03-04 noon to N-OFF's queue, no rep, never answered: overdue by 30 June.
EXTRA_LEADS = [
    dict(lead_id=901, unit_id=4, source_channel="phone", created_at=datetime(2025, 3, 3, 1), assigned_rep_id=1,
         assigned_at=datetime(2025, 3, 3, 4), first_response_at=datetime(2025, 3, 3, 2), status="new", company_name="Early"),
    dict(lead_id=902, unit_id=4, source_channel="phone", created_at=datetime(2025, 3, 4, 4), assigned_rep_id=None,
         assigned_at=datetime(2025, 3, 4, 4), status="new", company_name="Queued"),
]
#: 901: on A6 (home N-OFF, owner E3 who left) but credited to S-OFF and owned by E2, open, 500.00.
#: 902: on A6, N-OFF, owned by E3 (left), open, 100 GBP: no rate, so unpriced.
EXTRA_OPPORTUNITIES = [
    dict(opportunity_id=i, name=f"Deal {i}", account_id=6, owner_rep_id=owner, unit_id=unit, bu_id=1, product_id=1,
         source_channel="lead", created_at=datetime(2025, 3, 1, 4), stage="proposal", amount=D(amount), currency=currency,
         probability=D("0.5"), expected_close_date=date(2025, 9, 30), status="open")
    for i, unit, owner, amount, currency in ((901, 5, 2, "500.00", "USD"), (902, 4, 3, "100.00", "GBP"))
]


def _load_extended(engine: Engine) -> None:
    marketing_crm.load(engine)
    with engine.begin() as conn:
        for table, rows in ((schema.lead, EXTRA_LEADS), (schema.opportunity, EXTRA_OPPORTUNITIES)):
            keys = sorted({k for row in rows for k in row})
            conn.execute(insert(table), [{k: row.get(k) for k in keys} for row in rows])


@pytest.fixture(scope="module", params=BACKENDS)
def extended(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, _load_extended) as engine:
        yield engine


@pytest.fixture
def extended_ctx(extended):
    org = load_org(extended)

    def make(viewer: Viewer = DEFAULT_VIEWER, as_of: date = marketing_crm.AS_OF) -> Context:
        return Context(extended, org, viewer, Calendar(), "USD", as_of)

    return make


def test_a_response_before_the_assignment_is_on_time_and_out_of_the_hours(extended_ctx):
    # Q1: the ten leads above plus L901 (responded, on time) and L902 (overdue): assigned 12, responded 8 + 1 = 9, late 2,
    # overdue 2 + 1 = 3, breaches 4 + 1 = 5, rate 5 / 12. L901's −2 h is left out: the hours are the same eight as above.
    frame = response_times(extended_ctx(), Filters(Q1))
    assert record(frame, COUNTS) == (12, 9, 2, 3, 0, 5, 5 / 12)
    assert record(frame, HOURS) == (8, 2.0, 5.0, 25.5, 14.625)
    rate = result(RESPONSE_BREACH_RATE, extended_ctx(), Filters(Q1))
    assert (rate.numerator, rate.denominator) == (5, 12)
    # E1: L1 6 h, L5 1 h, L8 2 h and L901: four assigned, four answered on time, three timed (median 2, mean 3).
    by_rep = response_times(extended_ctx(), Filters(Q1), by="rep")
    assert list(by_rep["group"]) == ["E1", "E2", "E3", "E4", None]
    assert record(by_rep, COUNTS, 0) == (4, 4, 0, 0, 0, 0, 0.0)
    assert record(by_rep, HOURS, 0) == (3, 1.5, 2.0, 4.0, 3.0)
    # Worst first, the no-rep group (L902: 1 / 1) after E3 (2 / 2: more breaches), and still None.
    assert list(response_times(extended_ctx(), Filters(Q1), by="rep", worst_first=True)["group"]) == ["E3", None, "E2", "E1", "E4"]


def test_a_lead_assigned_with_no_rep_counts_under_no_rep_and_its_unit(extended_ctx):
    # L902 has an assignment time and no rep: handed over all the same, so it is measured — overdue, a breach — under
    # the group None for rep and team, and under NORTH for the unit.
    by_rep = response_times(extended_ctx(), Filters(Q1), by="rep")
    assert by_rep.iloc[4]["group"] is None and record(by_rep, COUNTS, 4) == (1, 0, 0, 1, 0, 1, 1.0)
    assert by_rep.iloc[4]["n"] == 0 and by_rep.iloc[4]["median"] is None
    # Teams at assignment: N-T1 = L1, L5, L8, L901 (E1), L2 (E3 before the move), L11 (E4): 6, L2 overdue; S-T1 as
    # before; no team: L902.
    by_team = response_times(extended_ctx(), Filters(Q1), by="team")
    assert list(by_team["group"]) == ["N-T1", "S-T1", None]
    assert [record(by_team, COUNTS, i) for i in range(3)] == [
        (6, 5, 0, 1, 0, 1, 1 / 6),
        (5, 4, 2, 1, 0, 3, 0.6),
        (1, 0, 0, 1, 0, 1, 1.0),
    ]
    assert record(by_team, HOURS, 0) == (4, 1.75, 3.0, 4.5, 3.25)  # L901 adds no hours
    # NORTH: L1, L2, L5, L7, L8, L11, L901, L902 = 8; answered L1, L5, L8, L11, L901 = 5; overdue L2, L7, L902 = 3.
    by_unit = response_times(extended_ctx(), Filters(Q1), by="unit")
    assert record(by_unit, COUNTS, 0) == (8, 5, 0, 3, 0, 3, 3 / 8)
    units = evaluate(RESPONSE_BREACH_RATE, extended_ctx(), Filters(Q1), Grouping("unit"))
    assert dict(zip(units["group"], units["value"], strict=True)) == {"NORTH": 3 / 8, "SOUTH": 0.5}


def test_ownership_pipelines_share_the_viewers_scope_and_count_unpriced_deals(extended_ctx):
    # Whole company. A6 (owner E3 left): 209 1000 + 212 400 + 901 500 (S-OFF) + 902 (GBP, unpriced) = 4 deals, 1900.00,
    # 1 unpriced; A3: 206 770. Leavers' deals: 206 770, 210 250, 212 400, 902 unpriced (901 is E2's): 4, 1420.00, 1.
    assert summary(ownership(extended_ctx(), Filters(Q1))) == {
        "owner_left_accounts": (2, 5, D("2670.00"), 1),
        "owner_left_opportunities": (4, 4, D("1420.00"), 1),
        "no_owner_accounts": (2, 1, D("300.00"), 0),
    }
    # N-OFF's team lead: A6 is homed in N-OFF, but 901 is credited to S-OFF: left out, as it is of the leavers' deals.
    # A6: 209 + 212 = 1400.00 and 902 unpriced (3 deals); leavers' deals in N-OFF: 210 250 + 212 400 + 902 = 3, 650.00.
    assert summary(ownership(extended_ctx(N_OFF_LEAD), Filters(Q1))) == {
        "owner_left_accounts": (1, 3, D("1400.00"), 1),
        "owner_left_opportunities": (3, 3, D("650.00"), 1),
        "no_owner_accounts": (2, 1, D("300.00"), 0),
    }
    accounts, total = ownership_records(extended_ctx(N_OFF_LEAD), Filters(Q1), "owner_left_accounts")
    assert total == 1 and accounts.to_dict("records") == [
        dict(account_id=6, name="A6", home_unit="N-OFF", owner="E3", left_on=date(2025, 4, 30), open_opportunities=3,
             open_pipeline=D("1400.00"), unpriced_opportunities=1),
    ]
    deals, total = ownership_records(extended_ctx(N_OFF_LEAD), Filters(Q1), "owner_left_opportunities")
    assert total == 3 and list(deals["opportunity_id"]) == [212, 210, 902]  # no amount last
    assert deals.iloc[2]["amount"] is None
    # The unit filter scopes the deals the same way: the whole company filtered to N-OFF sees what its team lead sees.
    n_off = summary(ownership(extended_ctx(), Filters(Q1, unit="N-OFF")))
    assert n_off == summary(ownership(extended_ctx(N_OFF_LEAD), Filters(Q1)))


def test_definitions_in_both_languages():
    assert set(DEFINITIONS) == {"lead_response", "returned", "ownership"}
    assert all(set(texts) == {"en", "zh"} and texts["en"] and texts["zh"] for texts in DEFINITIONS.values())
    own = DEFINITIONS["ownership"]
    assert "your scope" in own["en"] and "another unit" in own["en"] and "unpriced" in own["en"]
    assert "权限范围" in own["zh"] and "未定价" in own["zh"]
    response = RESPONSE_BREACH_RATE.definition
    assert "whether or not a rep" in response["en"] and "before the assignment" in response["en"]
    assert "无论是否指定销售" in response["zh"] and "早于分派时间" in response["zh"]
