"""Service and delivery against service_crm, worked out by hand (tests/service_crm.py has every row and figure),
identical on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import Dialect, make_url

from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, NoScope, OrgTree, OrgUnit, Period, Role, Viewer
from metrics.base import Context, Grouping, compare, compare_separately, evaluate, result, trend
from metrics.registry import REGISTRY
from metrics.service import (
    COMPLAINT_RATE,
    FIRST_RESPONSE_MEDIAN_HOURS,
    FIRST_RESPONSE_P90_HOURS,
    METRICS,
    ON_TIME_DELIVERY,
    RESOLUTION_MEDIAN_HOURS,
    RESOLUTION_P90_HOURS,
    SATISFACTION_MEAN,
    SATISFIED_SHARE,
    breakdown,
    open_complaints,
    statements,
)
from metrics.sql import DIALECTS
from tests import service_crm, tiny_crm
from tests.conftest import BACKENDS, database_on

CAL = service_crm.CALENDAR
AS_OF = service_crm.AS_OF
Q2 = Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter"))
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
HW_ONLY = Viewer(user="hw", role=Role.REGIONAL_HEAD, units=None, bus=("HW",))
NOBODY = Viewer(user="nobody", role=Role.TEAM_LEAD, units=())


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, service_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER, as_of: date = AS_OF) -> Context:
        return Context(loaded, org, viewer, CAL, "USD", as_of)

    return make


def figures(ctx: Context, flt: Filters = Q2) -> dict[str, tuple[object, tuple[tuple[str, int], ...]]]:
    """Each metric's (value, rounded to 6 places) and what it left out."""
    out = {}
    for metric in METRICS:
        got = result(metric, ctx, flt)
        out[metric.key] = (None if got.value is None else round(float(got.value), 6), got.excluded)
    return out


def by(metric, ctx: Context, grouping: str, flt: Filters = Q2) -> dict[object, object]:
    frame = evaluate(metric, ctx, flt, Grouping(grouping))  # type: ignore[arg-type]
    return {g: (None if v is None or v != v else round(float(v), 6)) for g, v in zip(frame["group"], frame["value"], strict=True)}


def trended(metric, ctx: Context, flt: Filters = Q2) -> list[float | None]:
    return [None if v is None or v != v else round(float(v), 6) for v in trend(metric, ctx, flt)["value"]]


def test_each_figure_for_the_whole_company(ctx_for):
    assert figures(ctx_for()) == {
        "complaint_rate": (round(5 / 6, 6), ()),
        "first_response_median_hours": (3.0, (("tickets_unanswered", 2), ("answered_before_opened", 1))),
        "first_response_p90_hours": (5.2, (("tickets_unanswered", 2), ("answered_before_opened", 1))),
        "resolution_median_hours": (10.0, (("tickets_unresolved", 3),)),
        "resolution_p90_hours": (26.0, (("tickets_unresolved", 3),)),
        "satisfaction_mean": (3.5, (("tickets_unrated", 3), ("ratings_out_of_range", 1))),
        "satisfied_share": (0.5, (("tickets_unrated", 3), ("ratings_out_of_range", 1))),
        "on_time_delivery_rate": (0.5, (("orders_no_promised_date", 1),)),
    }
    # the ratios' parts: complaints ÷ orders, rated 4–5 ÷ rated, on time ÷ shipped with a promised date
    ctx = ctx_for()
    assert [(result(m, ctx, Q2).numerator, result(m, ctx, Q2).denominator) for m in (COMPLAINT_RATE, SATISFIED_SHARE, ON_TIME_DELIVERY)] == [
        (5, 6), (2, 4), (2, 4)
    ]


def test_split_by_unit_business_unit_product_and_month(ctx_for):
    ctx = ctx_for()
    assert by(COMPLAINT_RATE, ctx, "unit") == {"NORTH": 1.0, "SOUTH": round(2 / 3, 6)}
    # t6 names no order and no product: no business unit (1 complaint ÷ 0 orders: no rate)
    assert by(COMPLAINT_RATE, ctx, "bu") == {"HW": 0.5, "SW": 1.0, None: None}
    assert by(COMPLAINT_RATE, ctx, "product") == {"HW-1": 0.5, "SW-1": 1.0, None: None}
    assert by(FIRST_RESPONSE_MEDIAN_HOURS, ctx, "unit") == {"NORTH": 2.5, "SOUTH": 4.0}
    assert by(FIRST_RESPONSE_P90_HOURS, ctx, "unit") == {"NORTH": 5.1, "SOUTH": 4.0}
    assert by(RESOLUTION_MEDIAN_HOURS, ctx, "unit") == {"NORTH": 15.0, "SOUTH": 8.0}
    assert by(RESOLUTION_P90_HOURS, ctx, "unit") == {"NORTH": 27.0, "SOUTH": 8.0}
    assert by(SATISFACTION_MEAN, ctx, "unit") == {"NORTH": round(11 / 3, 6), "SOUTH": 3.0}
    assert by(SATISFIED_SHARE, ctx, "unit") == {"NORTH": round(2 / 3, 6), "SOUTH": 0.0}
    assert by(ON_TIME_DELIVERY, ctx, "unit") == {"NORTH": round(1 / 3, 6), "SOUTH": 1.0}
    # a group whose tickets were all left out still says what it left out: t6's (no business unit) answer came first
    frame = evaluate(FIRST_RESPONSE_MEDIAN_HOURS, ctx, Q2, Grouping("bu")).set_index("group", drop=False)
    assert frame.loc[frame["group"].isna(), "answered_before_opened"].tolist() == [1]
    # by month: complaints 2 ÷ 2, 1 ÷ 2, 2 ÷ 2; on time April 1 ÷ 3 (o7, o1, o2), May 1 ÷ 1, June nothing shipped
    assert trended(COMPLAINT_RATE, ctx) == [1.0, 0.5, 1.0]
    assert trended(ON_TIME_DELIVERY, ctx) == [round(1 / 3, 6), 1.0, None]
    assert trended(FIRST_RESPONSE_MEDIAN_HOURS, ctx) == [3.0, 2.5, None]  # June: t6 an error, t8 unanswered
    # the page's breakdown is the same metrics
    table = breakdown(ctx, Q2, "unit")
    assert dict(zip(table["complaint_rate"]["group"], table["complaint_rate"]["value"], strict=True))["NORTH"] == 1.0


def test_a_regional_head_sees_the_tickets_of_the_units_orders_and_of_the_accounts_homed_there(ctx_for):
    north = ctx_for(NORTH_HEAD)
    got = figures(north)
    assert got["complaint_rate"] == (1.0, ())  # t1, t2, t8 ÷ o1, o2, o6
    assert got["first_response_median_hours"] == (2.5, (("tickets_unanswered", 1),))
    assert got["resolution_median_hours"] == (15.0, (("tickets_unresolved", 1),))
    assert got["satisfaction_mean"] == (round(11 / 3, 6), (("tickets_unrated", 1), ("ratings_out_of_range", 1)))
    assert got["on_time_delivery_rate"] == (round(1 / 3, 6), ())
    # A3 (t6, no order) is homed in NORTH until 14 Jun: a period ending then gives t6 to NORTH, Q2 (ending 30 Jun) to SOUTH
    first_half_june = Filters(Period(date(2025, 6, 1), date(2025, 6, 14), "day", "days"))
    assert result(RESOLUTION_MEDIAN_HOURS, north, first_half_june).value == 8.0
    assert result(SATISFACTION_MEAN, north, first_half_june).value == 3.0
    assert result(RESOLUTION_MEDIAN_HOURS, ctx_for(Viewer(user="s", role=Role.REGIONAL_HEAD, units=("SOUTH",))), first_half_june).value is None
    # the unit filter within the scope narrows the same way; outside it, nothing
    assert result(COMPLAINT_RATE, ctx_for(), replace(Q2, unit="SOUTH")).value == pytest.approx(2 / 3)
    assert result(COMPLAINT_RATE, north, replace(Q2, unit="SOUTH")).value is None
    records, total = open_complaints(north, Q2)
    assert (list(records["ticket_id"]), total) == ([11, 8], 2)


def test_a_viewer_limited_to_a_business_unit_sees_its_tickets_only(ctx_for):
    hw = ctx_for(HW_ONLY)
    # HW: t1, t4, t8 opened in Q2 (t6 has no business unit, so no one limited to one sees it)
    assert result(COMPLAINT_RATE, hw, Q2).value == 0.5  # t1, t8 ÷ o1, o3, o6, o9
    assert result(FIRST_RESPONSE_MEDIAN_HOURS, hw, Q2).value == 3.0  # t1 2 h, t4 4 h
    assert result(SATISFACTION_MEAN, hw, Q2).value == 5.0
    assert result(COMPLAINT_RATE, ctx_for(), replace(Q2, bus=("SW",))).value == 1.0


def test_an_empty_period_and_an_empty_scope(ctx_for):
    empty = Filters(Period(date(2024, 1, 1), date(2024, 3, 31), "month", "quarter"))
    ctx = ctx_for()
    for metric in METRICS:
        got = result(metric, ctx, empty)
        assert got.value is None and got.excluded == (), metric.key
        assert got.reason == ("no_denominator" if metric.kind == "ratio" else "no_data"), metric.key
        assert trended(metric, ctx, empty) == [None, None, None], metric.key
    for metric in METRICS:
        with pytest.raises(NoScope):
            result(metric, ctx_for(NOBODY), Q2)
    with pytest.raises(NoScope):
        open_complaints(ctx_for(NOBODY), Q2)


def test_events_after_the_as_of_day_have_not_happened(ctx_for):
    # As of 10 Jun: t8 (20 Jun) is not opened yet, June's complaints are t6 only; o6 is not booked yet
    early = ctx_for(as_of=date(2025, 6, 10))
    assert result(COMPLAINT_RATE, early, Q2).numerator == 4 and result(COMPLAINT_RATE, early, Q2).denominator == 4
    # As of 21 Jun, t8's answer (21 Jun 01:00 local, 2 h after it was opened) has come, and t9 (21 Jun 00:30) is opened,
    # unanswered: 1, 2, 2, 3, 4, 6 h → median 2.5; t5 and t9 unanswered
    later = ctx_for(as_of=date(2025, 6, 21))
    got = result(FIRST_RESPONSE_MEDIAN_HOURS, later, Q2)
    assert (got.value, got.excluded) == (2.5, (("tickets_unanswered", 2), ("answered_before_opened", 1)))


def test_compared_periods_in_one_query_or_three_agree(ctx_for):
    ctx = ctx_for()
    periods = (Q2.period, Q2.period.previous(), Q2.period.year_ago())
    for metric in METRICS:
        got = compare(metric, ctx, Q2)
        assert got == compare_separately(metric, ctx, Q2), metric.key
        for found, period in zip((got.current, got.previous, got.year_ago), periods, strict=True):
            alone = evaluate(metric, ctx, Q2.with_period(period))
            assert found.value is not None, (metric.key, period)  # every metric has data in all three periods
            assert round(float(found.value), 9) == round(float(alone["value"].iloc[0]), 9), (metric.key, period)
    # Q2 2024 (o10 shipped on time; t13 its complaint, answered in 2 h, resolved in 5 h, rated 4); Q1's on time: o11
    year_ago = {m.key: round(float(compare(m, ctx, Q2).year_ago.value), 6) for m in METRICS}
    assert year_ago == {
        "complaint_rate": 1.0, "first_response_median_hours": 2.0, "first_response_p90_hours": 2.0, "resolution_median_hours": 5.0,
        "resolution_p90_hours": 5.0, "satisfaction_mean": 4.0, "satisfied_share": 1.0, "on_time_delivery_rate": 1.0,
    }
    assert compare(ON_TIME_DELIVERY, ctx, Q2).previous.value == 1.0
    # Q1: t7 and t11 (complaint) ÷ o7; t7 answered in 1 h, t11 in 5 h; t7 rated 1
    q1 = compare(COMPLAINT_RATE, ctx, Q2).previous
    assert (q1.numerator, q1.denominator) == (1, 1)
    assert compare(FIRST_RESPONSE_MEDIAN_HOURS, ctx, Q2).previous.value == 3.0
    assert compare(SATISFACTION_MEAN, ctx, Q2).previous.value == 1.0


def test_hours_of_a_running_period_are_flagged_as_still_rising():
    from metrics.service import understated_while_open

    hours = (FIRST_RESPONSE_MEDIAN_HOURS, FIRST_RESPONSE_P90_HOURS, RESOLUTION_MEDIAN_HOURS, RESOLUTION_P90_HOURS)
    # Q2 runs to the as-of day (20 Jun): its still-open tickets, the slowest, are not measured yet; Q1 is finished
    assert all(understated_while_open(m.key, Q2.period, AS_OF) for m in hours)
    assert not any(understated_while_open(m.key, Q2.period, date(2025, 7, 1)) for m in hours)
    assert not any(understated_while_open(m.key, Q2.period, AS_OF) for m in METRICS if m not in hours)
    assert "not like-for-like" in RESOLUTION_MEDIAN_HOURS.definition["en"] and "并非同口径" in RESOLUTION_MEDIAN_HOURS.definition["zh"]


def test_the_slowest_open_complaints(ctx_for):
    records, total = open_complaints(ctx_for(), Q2)
    assert total == 4
    assert list(records["ticket_id"]) == [12, 11, 5, 8]
    assert [round(h, 6) for h in records["hours_open"]] == [4368.0, 3136.0, 976.0, 1.0]
    assert list(records["answered"]) == [False, True, False, False]  # t8's answer comes after the as-of day
    assert list(records["unit"]) == ["S-OFF", "N-OFF", "S-OFF", "N-OFF"]
    assert list(records["opened_at"])[3] == datetime(2025, 6, 20, 23, 0)  # company time
    assert list(records["account"]) == ["长城贸易", "North buyer", "South buyer", "North buyer"]
    capped, total = open_complaints(ctx_for(), Q2, limit=1)
    assert (list(capped["ticket_id"]), total) == ([12], 4)


def test_open_complaints_are_the_units_of_the_as_of_day_whatever_the_period(ctx_for):
    # t12 names no order; its account A3 is NORTH's until 14 Jun and SOUTH's on the as-of day (20 Jun). Choosing Q1
    # (whose end finds A3 in NORTH) must not hand a complaint open now to NORTH.
    q1 = Filters(Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter"))
    south = Viewer(user="s", role=Role.REGIONAL_HEAD, units=("SOUTH",))
    for flt in (Q2, q1):
        north, total = open_complaints(ctx_for(NORTH_HEAD), flt)
        assert (list(north["ticket_id"]), total) == ([11, 8], 2), flt
        theirs, total = open_complaints(ctx_for(south), flt)
        assert (list(theirs["ticket_id"]), total) == ([12, 5], 2), flt
        assert list(open_complaints(ctx_for(), flt)[0]["unit"])[0] == "S-OFF"


def test_registered_with_definitions_in_both_languages():
    for metric in METRICS:
        assert REGISTRY[metric.key] is metric
        assert metric.label["en"] and metric.label["zh"] and metric.definition["en"] and metric.definition["zh"]
    # the decisions are in the text the user reads
    assert "home unit at the period's end" in COMPLAINT_RATE.definition["en"] and "期末的归属单元" in COMPLAINT_RATE.definition["zh"]
    assert "recorded before it was opened" in FIRST_RESPONSE_MEDIAN_HOURS.definition["en"]
    assert "no promised date are left out and counted" in ON_TIME_DELIVERY.definition["en"]
    assert "outside 1–5" in SATISFACTION_MEAN.definition["en"]


# --- Every dialect compiles, every value a bound parameter ------------------------------------------------------------


def _dialect(name: str) -> Dialect:
    return make_url(f"{name}://").get_dialect()()


def _offline_context() -> Context:
    org = OrgTree(tuple(OrgUnit(u["unit_id"], u["code"], u["name"], u["level"], u["parent_id"]) for u in tiny_crm.ORG))
    return Context(None, org, DEFAULT_VIEWER, CAL, "USD", AS_OF)  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", sorted(set(DIALECTS) | {"postgresql", "mysql", "snowflake", "bigquery", "trino"}))
def test_every_query_compiles(dialect):
    compiled = _dialect(dialect)
    ctx = _offline_context()
    for flt in (Q2, Filters(Q2.period, unit="NORTH", bus=("HW",), products=("HW-1",), segments=("smb",), sources=("event",))):
        for viewer in (DEFAULT_VIEWER, NORTH_HEAD, HW_ONLY):
            built = statements(replace(ctx, viewer=viewer), flt)
            assert len(built) == 2 + sum(1 + len(m.groupings) for m in METRICS)
            for name, stmt in built.items():
                assert str(stmt.compile(dialect=compiled)).startswith("SELECT"), name


def test_user_values_are_bound_parameters():
    hostile = "HW-1' OR '1'='1"
    flt = Filters(Q2.period, bus=(hostile,), products=(hostile,), segments=(hostile,), sources=(hostile,))
    for name, stmt in statements(_offline_context(), flt).items():
        compiled = stmt.compile(dialect=_dialect("postgresql"))
        assert hostile not in str(compiled), name
        bound = {v for value in compiled.params.values() for v in (value if isinstance(value, list | tuple) else [value])}
        assert hostile in bound, name
