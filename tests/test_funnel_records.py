"""The records behind a funnel stage (metrics.funnel.stage_records) against funnel_crm, worked out by
hand, on every backend: the same leads the funnel counts, most recent stage date first, capped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics.base import Context
from metrics.funnel import STAGES, funnel, stage_records
from tests import funnel_crm
from tests.conftest import BACKENDS, database_on

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter")
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
EMPTY = Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter")
AS_OF = date(2025, 9, 30)
SOUTH_HEAD = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
D = Decimal


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, funnel_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded: Engine):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER, as_of: date = AS_OF) -> Context:
        return Context(loaded, org, viewer, Calendar(), "USD", as_of)

    return make


def ids(frame) -> list[int]:
    return list(frame["lead_id"])


def test_cohort_leads_behind_each_stage(ctx_for):
    ctx = ctx_for()
    # Q1 cohort (L1–L9, L12), newest creation first. L9 was created 23:59 local on 31 March.
    leads, total = stage_records(ctx, Filters(Q1), "lead")
    assert (ids(leads), total) == ([9, 7, 6, 5, 12, 4, 3, 8, 2, 1], 10)
    first = leads.iloc[0]
    assert (first["unit"], first["source"], first["created"], first["stage_date"]) == ("S-T1", "referral", date(2025, 3, 31), date(2025, 3, 31))
    assert leads["opportunity"].isna().all() and leads["amount"].isna().all()

    # Qualified: L6 only at its conversion (9 June), L9 on 2 April local (03:59 UTC), L5 at its conversion,
    # L2 from the status history alone (14 January). Not L4 (returned) nor L8 (still working).
    qualified, total = stage_records(ctx, Filters(Q1), "qualified")
    assert (ids(qualified), total) == ([6, 9, 7, 5, 3, 12, 1, 2], 8)
    assert list(qualified["stage_date"]) == [date(2025, m, d) for m, d in ((6, 9), (4, 2), (3, 25), (3, 2), (3, 1), (2, 16), (1, 15), (1, 14))]

    # Opportunity: amounts at the rate of the creation day (L3's 200 EUR × 1.10); they add up to the funnel's.
    opportunities, total = stage_records(ctx, Filters(Q1), "opportunity")
    assert (ids(opportunities), total) == ([7, 6, 3, 5, 12, 2, 1], 7)
    assert list(opportunities["amount"]) == [D("100.00"), D("400.00"), D("220.00"), D("300.00"), D("600.00"), D("300.00"), D("1000.00")]
    assert sum(opportunities["amount"]) == D("2920.00")

    won, total = stage_records(ctx, Filters(Q1), "won")
    assert (ids(won), total) == ([5, 12, 1], 3)
    assert list(won["stage_date"]) == [date(2025, 6, 10), date(2025, 3, 1), date(2025, 2, 19)]
    assert sum(won["amount"]) == D("1900.00")

    repeat, total = stage_records(ctx, Filters(Q1), "repeat")
    assert (ids(repeat), total) == ([1], 1)
    assert repeat.iloc[0]["stage_date"] == date(2025, 4, 1)  # A1's order of 1 April, a business date
    assert repeat["amount"].isna().all()


def test_cohort_window(ctx_for):
    # N = 90: L6 converted a day too late, L5 was won 101 days on; L7 converted 90 days to the hour.
    opportunities, total = stage_records(ctx_for(), Filters(Q1), "opportunity", within_days=90)
    assert (ids(opportunities), total) == ([7, 3, 5, 12, 2, 1], 6)
    assert sum(opportunities["amount"]) == D("2520.00")
    won, total = stage_records(ctx_for(), Filters(Q1), "won", within_days=90)
    assert (ids(won), total) == ([12, 1], 2)
    assert sum(won["amount"]) == D("1600.00")


def test_snapshot_entries(ctx_for):
    ctx = ctx_for()
    assert stage_records(ctx, Filters(Q2), "lead", mode="snapshot")[1] == 1  # L10, 1 April local
    qualified, total = stage_records(ctx, Filters(Q2), "qualified", mode="snapshot")
    assert (ids(qualified), total) == ([6, 10, 9], 3)
    opportunities, total = stage_records(ctx, Filters(Q2), "opportunity", mode="snapshot")
    assert (ids(opportunities), total) == ([7, 6, 10], 3)
    assert sum(opportunities["amount"]) == D("550.00")
    won, total = stage_records(ctx, Filters(Q2), "won", mode="snapshot")
    assert (ids(won), total) == ([5, 10], 2)
    assert list(won["amount"]) == [D("300.00"), D("50.00")]
    repeat, total = stage_records(ctx, Filters(Q2), "repeat", mode="snapshot")
    assert (ids(repeat), list(repeat["stage_date"]), total) == ([10, 1], [date(2025, 5, 10), date(2025, 4, 1)], 2)
    # Q1 entries include L11, a Q4 lead qualified, converted and won in Q1.
    q1_won, total = stage_records(ctx, Filters(Q1), "won", mode="snapshot")
    assert (ids(q1_won), total) == ([12, 1, 11], 3)
    assert sum(q1_won["amount"]) == D("2300.00")


def test_capped_in_the_database_with_the_full_count(ctx_for):
    leads, total = stage_records(ctx_for(), Filters(Q1), "lead", limit=3)
    assert (ids(leads), total) == ([9, 7, 6], 10)


def test_scope_and_empty_period(ctx_for):
    south = ctx_for(SOUTH_HEAD)
    assert ids(stage_records(south, Filters(Q1), "lead")[0]) == [9, 7, 4, 3]
    assert stage_records(south, Filters(Q1, unit="NORTH"), "lead")[1] == 0
    assert ids(stage_records(ctx_for(), Filters(Q1, unit="N-T1"), "lead")[0]) == [8]
    frame, total = stage_records(ctx_for(), Filters(EMPTY), "won")
    assert frame.empty and total == 0
    assert list(frame.columns) == ["lead_id", "company", "contact", "unit", "source", "created", "stage_date", "opportunity", "amount"]


@pytest.mark.parametrize(("mode", "within"), [("cohort", None), ("cohort", 30), ("snapshot", None)])
def test_the_counts_are_the_funnels(ctx_for, mode, within):
    ctx = ctx_for(as_of=date(2025, 5, 1))
    for period in (Q1, Q2):
        flt = Filters(period)
        counts = funnel(ctx, flt, mode, within)["reached" if mode == "cohort" else "entered"]
        assert [stage_records(ctx, flt, s, mode, within)[1] for s in STAGES] == list(counts)


def test_unknown_stage_and_mode_are_refused(ctx_for):
    with pytest.raises(ValueError, match="stage"):
        stage_records(ctx_for(), Filters(Q1), "closed")
    with pytest.raises(ValueError, match="mode"):
        stage_records(ctx_for(), Filters(Q1), "lead", mode="pipeline")  # type: ignore[arg-type]
