"""The lifecycle funnel against funnel_crm, worked out by hand, on every backend; and a property test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, delete

from data_layer import schema
from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics.base import Context, Grouping, evaluate, result
from metrics.funnel import (
    LEAD_TO_OPPORTUNITY_RATE,
    OPPORTUNITY_TO_ORDER_RATE,
    STAGES,
    STEPS,
    cohort_select,
    durations_select,
    funnel,
    maturing_days,
    returned_leads,
    returned_select,
    snapshot_select,
    stage_durations,
    time_in_stage,
    time_in_stage_select,
)
from metrics.registry import REGISTRY
from metrics.sql import DIALECTS
from tests import funnel_crm
from tests.conftest import BACKENDS, database_on
from tests.fixture_db import load_crm

Q4_2024 = Period(date(2024, 10, 1), date(2024, 12, 31), "month", "quarter")
Q1 = Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter")
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
EMPTY = Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter")
AS_OF = date(2025, 9, 30)
SOUTH_HEAD = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
D = Decimal


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """funnel_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, funnel_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER, as_of: date = AS_OF) -> Context:
        return Context(loaded, org, viewer, Calendar(), "USD", as_of)

    return make


def column(frame: pd.DataFrame, name: str) -> list:
    """The column as plain values, with None for NaN and NA."""
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v for v in frame[name]]


def test_cohort_counts_rates_drop_off_and_amounts(ctx_for):
    # Q1 cohort: L1–L9 and L12 (L9 at 23:59 local on 31 March; L10 is 1 April local; L11 is Q4's).
    # Qualified: all but L4 (returned) and L8 (still working) — L2 from the history alone, L5 and L6
    # at their conversion. Opportunity: L1, L2, L3, L5, L6, L7, L12. Won: L1, L5, L12 (L2's was lost).
    # Repeat: L1 (A1's order of 1 April, after its first order of 20 February).
    frame = funnel(ctx_for(), Filters(Q1))
    assert list(frame["stage"]) == list(STAGES)
    assert list(frame["reached"]) == [10, 8, 7, 3, 1]
    assert column(frame, "step_rate") == [None, 0.8, 0.875, pytest.approx(3 / 7), pytest.approx(1 / 3)]
    assert list(frame["cumulative_rate"]) == [1.0, 0.8, 0.7, 0.3, 0.1]
    assert column(frame, "drop_off") == [None, 2, 1, 4, 2]
    # Opportunity amounts at the rate of each lead's creation day: 1000 + 300 + 200 EUR × 1.10 + 300 + 400 + 100 + 600.
    assert column(frame, "amount") == [None, None, D("2920.00"), D("1900.00"), None]
    assert column(frame, "mature") == [None] * 5  # no window: nothing to wait for


def test_an_event_one_day_too_late_for_the_window(ctx_for):
    # N = 90: L6 converted 91 days after creation (and was qualified only then): out; L7 converted 90 days
    # to the hour: in. L5 was won 101 days on: out. L1's repeat order is 81 days after its creation day: in.
    frame = funnel(ctx_for(), Filters(Q1), within_days=90)
    assert list(frame["reached"]) == [10, 7, 6, 2, 1]
    assert column(frame, "amount") == [None, None, D("2520.00"), D("1600.00"), None]
    assert column(frame, "mature") == [True] * 5
    assert list(funnel(ctx_for(), Filters(Q1), within_days=89)["reached"]) == [10, 7, 5, 2, 1]  # L7 now a day late

    rate = result(LEAD_TO_OPPORTUNITY_RATE, ctx_for(), Filters(Q1))
    assert (rate.numerator, rate.denominator, rate.value) == (6, 10, 0.6)

    # A business-date window for the repeat: L11 (created 20 Dec) was won on 1 Feb (43 days) and bought
    # again on 15 March, 85 days after its creation day.
    assert list(funnel(ctx_for(), Filters(Q4_2024), within_days=85)["reached"]) == [1, 1, 1, 1, 1]
    assert list(funnel(ctx_for(), Filters(Q4_2024), within_days=84)["reached"]) == [1, 1, 1, 1, 0]


def test_a_cohort_not_yet_mature(ctx_for):
    # As of 1 May the Q1 cohort is 31 days old, short of 90: flagged, and only what happened by then counts
    # (L6's and L7's conversions in June, L5's win in June are still to come).
    frame = funnel(ctx_for(as_of=date(2025, 5, 1)), Filters(Q1), within_days=90)
    assert column(frame, "mature") == [False] * 5
    assert list(frame["reached"]) == [10, 7, 5, 2, 1]
    assert not funnel(ctx_for(as_of=date(2025, 6, 28)), Filters(Q1), within_days=90)["mature"].iloc[0]
    assert bool(funnel(ctx_for(as_of=date(2025, 6, 29)), Filters(Q1), within_days=90)["mature"].iloc[0])  # 31 March + 90 days


def test_snapshot_ratios_may_exceed_one(ctx_for):
    # Q2 entries: lead L10 only; qualified L6 (at its conversion), L9, L10; opportunity L6, L7, L10; won L5,
    # L10; repeat L1 (1 April) and L10 (A4's order of 10 May).
    frame = funnel(ctx_for(), Filters(Q2), mode="snapshot")
    assert set(frame.columns) == {"stage", "entered", "step_ratio", "ratio_to_leads", "amount"}  # ratios, not rates
    assert list(frame["entered"]) == [1, 3, 3, 2, 2]
    assert column(frame, "step_ratio") == [None, 3.0, 1.0, pytest.approx(2 / 3), 1.0]
    assert list(frame["ratio_to_leads"]) == [1.0, 3.0, 3.0, 2.0, 2.0]
    assert column(frame, "amount") == [None, None, D("550.00"), D("350.00"), None]
    # Q1 entries: ten leads; qualified L1, L2, L3, L5, L7, L11, L12; opportunity L1, L2, L3, L5, L11, L12;
    # won L1, L11, L12; repeat L11 (A3, 15 March). L3's 200 EUR at the rate of its conversion day (1.10).
    q1 = funnel(ctx_for(), Filters(Q1), mode="snapshot")
    assert list(q1["entered"]) == [10, 7, 6, 3, 1]
    assert column(q1, "amount") == [None, None, D("3120.00"), D("2300.00"), None]
    # As of 19 April, L6's and L7's conversions and L5's win (June) and L10's win (20 April, noon local)
    # have not happened yet, nor has L10's repeat order (10 May).
    early = funnel(ctx_for(as_of=date(2025, 4, 19)), Filters(Q2), mode="snapshot")
    assert list(early["entered"]) == [1, 2, 1, 0, 1]  # qualified L9, L10; opportunity L10; repeat L1 (1 April)


def test_leads_returned_to_marketing_and_those_that_convert_later(ctx_for):
    # L3 returned on 10 Feb and converted on 5 March; L4 returned on 20 Feb and never converted.
    frame = returned_leads(ctx_for(), Filters(Q1))
    assert frame.iloc[0].to_dict() == dict(returned=2, converted_later=1, share=0.5)
    by_unit = returned_leads(ctx_for(), Filters(Q1), by="unit")
    assert by_unit.to_dict("records") == [dict(group="SOUTH", returned=2, converted_later=1, share=0.5)]
    # As of 1 March, L3 had not converted yet.
    assert returned_leads(ctx_for(as_of=date(2025, 3, 1)), Filters(Q1)).iloc[0].to_dict() == dict(returned=2, converted_later=0, share=0.0)
    assert returned_leads(ctx_for(), Filters(Q2)).iloc[0].to_dict() == dict(returned=0, converted_later=0, share=None)


def test_a_lost_opportunity_and_a_repeat_purchase_by_source(ctx_for):
    frame = funnel(ctx_for(), Filters(Q1), by="source")
    reached = {g: list(rows["reached"]) for g, rows in frame.groupby("group", sort=False)}
    assert reached == {
        "event": [5, 5, 5, 3, 1],  # L1, L3, L5, L7, L12; won L1, L5, L12; L12's later 0.00 order is no repeat
        "phone": [1, 0, 0, 0, 0],  # L4, returned to marketing
        "referral": [2, 1, 0, 0, 0],  # L8, L9
        "website": [2, 2, 2, 0, 0],  # L2's opportunity was lost, L6's is open
    }


def test_split_by_campaign_rep_and_business_unit(ctx_for):
    """Q1's cohort (L1–L8, L9 and L12; L10 is Q2, L11 Q4) reached by stage — lead, qualified, opportunity,
    won, repeat — per campaign, assigned rep and the converted opportunity's business unit."""

    def reached(by: str, mode: str = "cohort") -> dict:
        frame = funnel(ctx_for(), Filters(Q1), mode=mode, by=by)  # type: ignore[arg-type]
        column = "reached" if mode == "cohort" else "entered"
        return {(None if pd.isna(g) else g): list(rows[column]) for g, rows in frame.groupby("group", sort=False, dropna=False)}

    # Per lead (lead, qualified, opportunity, won, repeat): L1 11111; L2, L3, L6, L7 11100; L4, L8 10000;
    # L5, L12 11110; L9 11000 (qualified in April, within the as-of day).
    assert reached("campaign") == {
        "1": [3, 3, 3, 3, 1],  # L1, L5, L12: all won; L1's account reordered
        "2": [2, 2, 2, 0, 0],  # L2 lost, L6 open
        None: [5, 3, 2, 0, 0],  # L3, L4, L7, L8, L9
    }
    assert reached("rep") == {
        "E1": [4, 4, 4, 3, 1],  # L1, L5, L6, L12
        "E2": [4, 3, 3, 0, 0],  # L2 (a North lead assigned to the South rep), L3, L4, L7
        None: [2, 1, 0, 0, 0],  # L8, L9: assigned to nobody
    }
    assert reached("bu") == {
        "HW": [6, 6, 6, 3, 1],  # L1, L2, L5, L6, L7, L12 converted into Hardware deals
        "SW": [1, 1, 1, 0, 0],  # L3's opportunity 103
        None: [3, 1, 0, 0, 0],  # L4, L8, L9: no opportunity
    }
    whole = list(funnel(ctx_for(), Filters(Q1))["reached"])
    for by in ("campaign", "rep", "bu"):  # every lead in exactly one group
        assert [sum(v[i] for v in reached(by).values()) for i in range(len(STAGES))] == whole, by
    # A snapshot splits the same way: the stage entries dated in Q1, whenever the lead was created.
    snapshot = reached("bu", "snapshot")
    assert sum(v[0] for v in snapshot.values()) == list(funnel(ctx_for(), Filters(Q1), mode="snapshot")["entered"])[0]
    assert snapshot["SW"][:3] == [1, 1, 1]  # L3 created, qualified and converted in Q1


def test_median_days_between_stages(ctx_for):
    # lead → qualified: L1 5, L2 2, L3 28, L5 1, L6 91, L7 5, L9 1.5, L12 1 → sorted 1, 1, 1.5, 2, 5, 5, 28, 91:
    # median at position 3.5 = (2 + 5) / 2 = 3.5; p25 at 1.75 = 1 + 0.75 × 0.5 = 1.375; mean 134.5 / 8.
    # qualified → opportunity: 5, 28, 4, 0, 0, 85, 4 → median 4, mean 18.
    # opportunity → won: L1 30, L5 100, L12 9 → median 30. won → repeat: L1, first order 20 Feb → 1 April = 40.
    frame = stage_durations(ctx_for(), Filters(Q1))
    assert list(frame["step"]) == list(STEPS)
    assert list(frame["n"]) == [8, 7, 3, 1]
    assert list(frame["median"]) == [3.5, 4.0, 30.0, 40.0]
    assert frame.iloc[0]["p25"] == 1.375 and frame.iloc[0]["mean"] == 16.8125 and frame.iloc[1]["mean"] == 18.0
    assert frame.iloc[2]["mean"] == pytest.approx(139 / 3, rel=1e-12)
    # Within 90 days L6 (qualified and converted at 91 days) and L5's win (101) drop out: lead → qualified
    # 1, 1, 1.5, 2, 5, 5, 28 → 2; qualified → opportunity 0, 4, 4, 5, 28, 85 → 4.5; opportunity → won 9, 30 → 19.5.
    within = stage_durations(ctx_for(), Filters(Q1), within_days=90)
    assert list(within["n"]) == [7, 6, 2, 1] and list(within["median"]) == [2.0, 4.5, 19.5, 40.0]


def test_time_in_stage(ctx_for):
    # Stays that ended in Q1: 101 prospecting 5 days, qualification 10 (two rows, one stay), proposal 15;
    # 102 prospecting 10, proposal 8. Won and lost are final: no length. 103 left prospecting in April.
    frame = time_in_stage(ctx_for(), Filters(Q1))
    assert list(frame["stage"]) == ["prospecting", "qualification", "proposal"]
    assert list(frame["n"]) == [2, 1, 2]
    assert list(frame["median"]) == [7.5, 10.0, 11.5]
    q2 = time_in_stage(ctx_for(SOUTH_HEAD), Filters(Q2))
    assert q2.to_dict("records") == [dict(stage="prospecting", n=1, p25=30.0, median=30.0, p75=30.0, p90=30.0, mean=30.0)]
    assert time_in_stage(ctx_for(SOUTH_HEAD), Filters(Q1)).empty  # 101 and 102 are NORTH's


def test_scope_a_regional_head_sees_only_the_region_leads(ctx_for):
    # SOUTH's Q1 leads: L3, L4, L7, L9. Qualified L3, L7, L9; opportunity L3 (200 EUR = 220) and L7 (100).
    frame = funnel(ctx_for(SOUTH_HEAD), Filters(Q1))
    assert list(frame["reached"]) == [4, 3, 2, 0, 0]
    assert column(frame, "amount") == [None, None, D("320.00"), D("0.00"), None]
    assert list(funnel(ctx_for(SOUTH_HEAD), Filters(Q1, unit="NORTH"))["reached"]) == [0, 0, 0, 0, 0]
    assert list(funnel(ctx_for(), Filters(Q1, unit="N-T1"))["reached"]) == [1, 0, 0, 0, 0]  # L8
    by_unit = funnel(ctx_for(), Filters(Q1), by="unit")
    assert {g: list(r["reached"]) for g, r in by_unit.groupby("group")} == {"NORTH": [6, 5, 5, 3, 1], "SOUTH": [4, 3, 2, 0, 0]}
    assert returned_leads(ctx_for(Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))), Filters(Q1)).iloc[0]["returned"] == 0


def test_empty_period(ctx_for):
    ctx = ctx_for()
    frame = funnel(ctx, Filters(EMPTY))
    assert list(frame["reached"]) == [0] * 5
    assert column(frame, "step_rate") == [None] * 5 and column(frame, "cumulative_rate") == [None] * 5
    assert column(frame, "amount") == [None, None, D("0.00"), D("0.00"), None]
    assert list(funnel(ctx, Filters(EMPTY), mode="snapshot")["entered"]) == [0] * 5
    assert funnel(ctx, Filters(EMPTY), by="unit").empty
    assert list(stage_durations(ctx, Filters(EMPTY))["n"]) == [0] * 4
    assert time_in_stage(ctx, Filters(EMPTY)).empty
    assert returned_leads(ctx, Filters(EMPTY)).iloc[0]["returned"] == 0
    for metric in (LEAD_TO_OPPORTUNITY_RATE, OPPORTUNITY_TO_ORDER_RATE):
        empty = result(metric, ctx, Filters(EMPTY))
        assert empty.value is None and empty.reason == "no_denominator"


def test_opportunity_to_order_rate(ctx_for):
    # Created in Q1: 101, 102, 103, 104, 108, 109; won by the as-of day: 101, 104, 108, 109.
    rate = result(OPPORTUNITY_TO_ORDER_RATE, ctx_for(), Filters(Q1))
    assert (rate.numerator, rate.denominator) == (4, 6)
    by_unit = evaluate(OPPORTUNITY_TO_ORDER_RATE, ctx_for(), Filters(Q1), Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["value"], strict=True)) == {"NORTH": 0.8, "SOUTH": 0.0}
    # As of 1 June, 104 was still open.
    assert result(OPPORTUNITY_TO_ORDER_RATE, ctx_for(as_of=date(2025, 6, 1)), Filters(Q1)).numerator == 3


def test_opportunity_to_order_rate_by_owner_rep(ctx_for):
    # Q1's cohort by owner: E1 owns 101, 104, 108, 109 (all won): 4 of 4; E2 owns 102 (a North deal, lost) and
    # 103 (open): 0 of 2. By unit the same deals give NORTH 4 of 5: the owner, not the unit, decides.
    by_rep = evaluate(OPPORTUNITY_TO_ORDER_RATE, ctx_for(), Filters(Q1), Grouping("rep"))
    got = {g: (int(n), int(d), v) for g, n, d, v in zip(by_rep["group"], by_rep["numerator"], by_rep["denominator"], by_rep["value"], strict=True)}
    assert got == {"E1": (4, 4, 1.0), "E2": (0, 2, 0.0)}
    # As of 1 June 104 was open: E1 3 of 4. The South head sees the South office's deals only: E2's 103.
    early = evaluate(OPPORTUNITY_TO_ORDER_RATE, ctx_for(as_of=date(2025, 6, 1)), Filters(Q1), Grouping("rep"))
    assert dict(zip(early["group"], early["value"], strict=True)) == {"E1": 0.75, "E2": 0.0}
    south = evaluate(OPPORTUNITY_TO_ORDER_RATE, ctx_for(SOUTH_HEAD), Filters(Q1), Grouping("rep"))
    assert {g: (int(n), int(d)) for g, n, d in zip(south["group"], south["numerator"], south["denominator"], strict=True)} == {"E2": (0, 1)}
    by_month = evaluate(LEAD_TO_OPPORTUNITY_RATE, ctx_for(), Filters(Q1), Grouping("bucket"))
    # January L1, L2, L8 → 2 of 3; February L3, L4, L12 → 2 of 3; March L5, L6, L7, L9 → L5, L7: 2 of 4.
    assert dict(zip(by_month["group"], zip(by_month["numerator"], by_month["denominator"]))) == {0: (2, 3), 1: (2, 3), 2: (2, 4)}


def test_a_cohort_rate_is_flagged_while_its_cohort_matures():
    # Q1 ends on 31 March: the lead-to-opportunity cohort matures 90 days on (29 June), the
    # opportunity-to-order cohort 180 days on (27 September); a metric that is no cohort rate never.
    assert maturing_days(LEAD_TO_OPPORTUNITY_RATE.key, Q1, date(2025, 6, 28)) == 90
    assert maturing_days(LEAD_TO_OPPORTUNITY_RATE.key, Q1, date(2025, 6, 29)) is None
    assert maturing_days(OPPORTUNITY_TO_ORDER_RATE.key, Q1, date(2025, 9, 26)) == 180
    assert maturing_days(OPPORTUNITY_TO_ORDER_RATE.key, Q1, date(2025, 9, 27)) is None
    assert maturing_days(OPPORTUNITY_TO_ORDER_RATE.key, Q1, date(2025, 2, 15)) == 180  # quarter to date
    assert maturing_days("revenue", Q1, date(2025, 4, 1)) is None


def test_metrics_are_registered_with_both_languages():
    for metric in (LEAD_TO_OPPORTUNITY_RATE, OPPORTUNITY_TO_ORDER_RATE):
        assert REGISTRY[metric.key] is metric
        assert metric.label["en"] and metric.label["zh"] and metric.definition["en"] and metric.definition["zh"]
        assert (metric.kind, metric.better) == ("ratio", "up")


def test_unknown_mode_and_grouping_are_refused(ctx_for):
    with pytest.raises(ValueError):
        funnel(ctx_for(), Filters(Q1), mode="weekly")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        funnel(ctx_for(), Filters(Q1), by="product")  # type: ignore[arg-type]


# --- Property: cohort conversion rates lie in [0, 1] ---------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('funnel_prop') / 'p.sqlite'}")
    load_crm(
        engine,
        [(schema.org_unit, funnel_crm.ORG), (schema.account, funnel_crm.ACCOUNTS), (schema.exchange_rate, funnel_crm.RATES)],
    )
    yield engine
    engine.dispose()


BASE = datetime(2025, 1, 1, 4)
offsets = st.one_of(st.none(), st.integers(min_value=-10 * 24, max_value=150 * 24))  # hours from creation

lead_strategy = st.fixed_dictionaries(
    dict(
        created=st.integers(min_value=-20, max_value=110),  # days from 1 January
        qualified=offsets,
        history=offsets,
        converted=offsets,
        status=st.sampled_from(["open", "won", "lost"]),
        closed=st.integers(min_value=-5 * 24, max_value=150 * 24),
        orders=st.lists(st.tuples(st.integers(min_value=-20, max_value=200), st.sampled_from(["0.00", "10.00"]), st.booleans()), max_size=3),
        account=st.integers(min_value=1, max_value=3),
    )
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    leads=st.lists(lead_strategy, max_size=6),
    within=st.sampled_from([None, 0, 30, 90]),
    as_of_days=st.integers(min_value=-10, max_value=250),
)
def test_cohort_conversion_rates_lie_between_zero_and_one(scratch, leads, within, as_of_days):
    with scratch.begin() as conn:
        for table in (schema.sales_order, schema.lead_status_history, schema.lead, schema.opportunity):
            conn.execute(delete(table))
    rows: dict = {"lead": [], "history": [], "opportunity": [], "order": []}
    for i, spec in enumerate(leads, start=1):
        created = BASE + timedelta(days=spec["created"])
        at = lambda hours: None if hours is None else created + timedelta(hours=hours)  # noqa: E731
        opp = 100 + i if spec["converted"] is not None else None
        rows["lead"].append(
            dict(lead_id=i, unit_id=4 + i % 2, source_channel="event", created_at=created, status="new", qualified_at=at(spec["qualified"]),
                 converted_at=at(spec["converted"]), converted_opportunity_id=opp)
        )
        if spec["history"] is not None:
            rows["history"].append(dict(lead_id=i, status="qualified", changed_at=at(spec["history"])))
        if opp is not None:
            rows["opportunity"].append(
                dict(opportunity_id=opp, account_id=spec["account"], unit_id=4, created_at=at(spec["converted"]), stage=spec["status"],
                     status=spec["status"], closed_at=None if spec["status"] == "open" else at(spec["closed"]), amount=D("10.00"), currency="USD")
            )
        for j, (day, amount, linked) in enumerate(spec["orders"]):
            rows["order"].append(
                dict(order_id=i * 10 + j, order_number=f"O{i}-{j}", account_id=spec["account"], opportunity_id=opp if linked else None,
                     order_date=(created + timedelta(days=day)).date(), amount=D(amount), currency="USD", unit_id=4)
            )
    load_crm(
        scratch,
        [(schema.opportunity, rows["opportunity"]), (schema.lead, rows["lead"]), (schema.lead_status_history, rows["history"]),
         (schema.sales_order, rows["order"])],
    )
    ctx = Context(scratch, load_org(scratch), DEFAULT_VIEWER, Calendar(), "USD", date(2025, 1, 1) + timedelta(days=as_of_days))
    frame = funnel(ctx, Filters(Q1), within_days=within)
    reached = list(frame["reached"])
    assert reached == sorted(reached, reverse=True)
    for rate in [*column(frame, "step_rate"), *column(frame, "cumulative_rate")]:
        assert rate is None or 0.0 <= rate <= 1.0


# --- Every funnel query compiles for every dialect -------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_funnel_query_compiles(dialect):
    from tests.test_sql_functions import _context, _dialect

    ctx, compiled = _context(), _dialect(dialect)
    flt = Filters(Q2, unit="NORTH", sources=("event",), segments=("smb",))
    statements = [
        cohort_select(ctx, flt, None, "unit"),
        cohort_select(ctx, flt, 90, "source"),
        snapshot_select(ctx, flt, None),
        durations_select(ctx, flt, 90),
        time_in_stage_select(ctx, flt),
        returned_select(ctx, flt, "source"),
    ]
    for stmt in statements:
        assert "SELECT" in str(stmt.compile(dialect=compiled))
