"""compare() answers the period, the previous period and the year-ago period in one query per metric
where the metric declares it can (``Metric.periods_in_one_query``), and the answers are identical to
three separate queries — on tiny_crm and the demo XS, on every backend, for empty periods, restricted
viewers and every filter."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, event, text

from data_layer.config import Calendar
from data_layer.demo import build_demo
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, NoScope, Period, Role, Viewer
from metrics import router
from metrics.base import Comparison, Context, Grouping, Metric, _disjoint_sets, compare, compare_separately, result
from metrics.registry import HEADLINE, REGISTRY
from tests import tiny_crm
from tests.conftest import BACKENDS, database_on

Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
#: Ways tiny_crm's periods can fall: its year-ago and previous periods empty, the current one empty,
#: every period empty, previous = year-ago (a year), a custom range longer than a year (its year-ago
#: period overlaps it), a month whose previous period is March (ends on the 31st).
TINY_PERIODS = (
    Q2,
    Period(date(2025, 7, 1), date(2025, 9, 30), "month", "quarter"),  # Q3: previous Q2 full, year-ago empty
    Period(date(2025, 10, 1), date(2025, 12, 31), "month", "quarter"),  # nothing now, Q3 before
    Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter"),  # nothing anywhere
    Period(date(2024, 7, 1), date(2025, 6, 30), "month", "year"),
    Period(date(2024, 3, 1), date(2025, 6, 30), "month", "days"),
    Period(date(2025, 4, 1), date(2025, 4, 30), "day", "month"),
    Period(date(2025, 6, 30), date(2025, 7, 1), "day", "days"),  # a local-midnight boundary inside
)
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
SW_LEAD = Viewer(user="sw", role=Role.TEAM_LEAD, units=("SOUTH",), bus=("SW",))
TINY_FILTERS = (
    (Filters(Q2), DEFAULT_VIEWER),
    (Filters(Q2, unit="NORTH"), DEFAULT_VIEWER),
    (Filters(Q2, unit="N-T1"), DEFAULT_VIEWER),
    (Filters(Q2, bus=("HW",)), DEFAULT_VIEWER),
    (Filters(Q2, products=("SW-1",)), DEFAULT_VIEWER),
    (Filters(Q2, segments=("smb",)), DEFAULT_VIEWER),
    (Filters(Q2, sources=("event",)), DEFAULT_VIEWER),
    (Filters(Q2), NORTH_HEAD),
    (Filters(Q2, unit="SOUTH"), NORTH_HEAD),  # a unit outside the scope: nothing
    (Filters(Q2), SW_LEAD),
)
ONE_QUERY = sorted(k for k, m in REGISTRY.items() if m.periods_in_one_query)
#: tiny_crm's leads belong to no account, so lead-to-first-order has nothing to pair there: the demo covers it.
TINY_KEYS = [k for k in ONE_QUERY if k != "lead_to_order_median_days"]


def _assert_same(metric: Metric, ctx: Context, flt: Filters) -> None:
    try:
        separate = compare_separately(metric, ctx, flt)
    except NoScope:  # leads for a viewer limited to business units: refused either way
        with pytest.raises(NoScope):
            compare(metric, ctx, flt)
        return
    assert compare(metric, ctx, flt) == separate, (metric.key, flt, ctx.viewer.user)


# --- What is declared ------------------------------------------------------------------------------


#: The Overview's KPIs whose period is only a date filter (one query for the three periods); the others
#: read their period as more (home units as of its end, whole-month windows, fiscal year to date).
HEADLINE_ONE_QUERY = ("revenue", "win_rate", "sales_cycle_median_days")


def test_headline_metrics_compare_in_one_query_where_their_definition_allows():
    assert [k for k in HEADLINE if k in ONE_QUERY] == list(HEADLINE_ONE_QUERY)
    assert {k for k in HEADLINE if k not in ONE_QUERY} == {"new_customers", "logo_churn", "nrr", "share_of_wallet"}


def test_metrics_whose_period_means_more_than_a_date_filter_do_not_claim_it():
    # Home units as of the period's end, whole-month windows, fiscal year to date at the end.
    as_of_the_end = ("new_customers", "share_of_wallet", "wallet_coverage")
    for key in (*as_of_the_end, "logo_churn", "revenue_churn", "grr", "nrr", "contract_churn"):
        assert not REGISTRY[key].periods_in_one_query, key


def test_overlapping_periods_go_to_separate_queries():
    a, b = Period(date(2025, 1, 1), date(2025, 12, 31)), Period(date(2024, 1, 1), date(2024, 12, 31))
    c = Period(date(2024, 6, 1), date(2025, 5, 31))
    assert _disjoint_sets([a, b, c]) == [[a, b], [c]]
    with pytest.raises(ValueError, match="overlap"):
        Grouping("periods", (a, c))
    with pytest.raises(ValueError):
        Grouping("periods")


# --- tiny_crm, worked by hand elsewhere (test_headline_metrics): every period shape and filter ------------


@pytest.fixture(scope="module", params=BACKENDS)
def tiny(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, tiny_crm.load) as engine:
        yield engine


def _tiny_ctx(engine: Engine, viewer: Viewer = DEFAULT_VIEWER) -> Context:
    return Context(engine, load_org(engine), viewer, Calendar(), "USD", date(2025, 7, 1))


@pytest.mark.parametrize("key", TINY_KEYS)
def test_one_query_equals_three_for_every_period_shape(tiny, key):
    ctx = _tiny_ctx(tiny)
    for period in TINY_PERIODS:
        _assert_same(REGISTRY[key], ctx, Filters(period))


@pytest.mark.parametrize("key", TINY_KEYS)
def test_one_query_equals_three_under_filters_and_scopes(tiny, key):
    for flt, viewer in TINY_FILTERS:
        _assert_same(REGISTRY[key], _tiny_ctx(tiny, viewer), flt)


def test_the_known_answers_come_back(tiny):
    # test_headline_metrics.test_previous_period_and_year_ago, through the one-query path.
    ctx = _tiny_ctx(tiny)
    revenue = compare(REGISTRY["revenue"], ctx, Filters(Q2))
    assert [str(r.value) for r in (revenue.current, revenue.previous, revenue.year_ago)] == ["1220.10", "300.00", "360.00"]
    win = compare(REGISTRY["win_rate"], ctx, Filters(Q2))
    assert win.previous.value is None and win.previous.reason == "no_denominator"
    assert (win.current.numerator, win.current.denominator, win.year_ago.value) == (2, 3, 0.0)


def _selects(engine: Engine, run: Callable[[], object]) -> list[str]:
    """The SELECT statements ``run`` sends to ``engine``."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [s for s in statements if "SELECT" in s.upper()]


def _metric_selects(engine: Engine, run: Callable[[], object]) -> list[str]:
    """:func:`_selects` without the catalogue lookups (which summary tables exist)."""
    return [s for s in _selects(engine, run) if not any(c in s for c in ("pg_catalog", "information_schema", "sqlite_master", "duckdb_tables"))]


@pytest.mark.parametrize("key", ["new_customers", "logo_churn", "nrr", "share_of_wallet"])
def test_a_headline_metric_that_cannot_combine_periods_asks_each_on_its_own(tiny, key):
    """compare() falls back to one query per period, each the metric's own answer for that period."""
    ctx = _tiny_ctx(tiny)
    flt = Filters(Q2)
    got: list[Comparison] = []
    # The summary router's catalogue check is remembered for 5 s, so on a busy machine it may run in either count:
    # only the metric's own statements are compared.
    one = len(_metric_selects(tiny, lambda: result(REGISTRY[key], ctx, flt)))
    assert len(_metric_selects(tiny, lambda: got.append(compare(REGISTRY[key], ctx, flt)))) == 3 * one
    c = got[0]
    assert c.previous == result(REGISTRY[key], ctx, flt.with_period(flt.period.previous()))
    assert c.year_ago == result(REGISTRY[key], ctx, flt.with_period(flt.period.year_ago()))
    assert c.current == result(REGISTRY[key], ctx, flt)


# tiny_crm wins only in Q2–Q3 2025: the median cycle is checked on the demo (below).
@pytest.mark.parametrize("key", [k for k in HEADLINE_ONE_QUERY if k != "sales_cycle_median_days"])
def test_a_headline_metric_runs_one_query_when_every_period_has_rows(tiny, key):
    ctx = _tiny_ctx(tiny)
    flt = Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter"))
    if key == "win_rate":  # nothing closed in Q1 2025: that period is asked again on its own
        flt = Filters(Period(date(2024, 7, 1), date(2025, 6, 30), "month", "year"))
    got: list[Comparison] = []
    router.route(ctx)  # the summary router's catalogue check, remembered for a few seconds
    statements = _selects(tiny, lambda: got.append(compare(REGISTRY[key], ctx, flt)))
    assert got[0].current.value is not None
    assert len(statements) == 1, statements


# --- The demo XS: thousands of rows per period, on every backend ----------------------------------------

DEMO_AS_OF = date(2026, 3, 31)


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    load = lambda engine: build_demo(engine, "XS", seed=7, as_of=DEMO_AS_OF, progress=False, summaries=False)  # noqa: E731
    with database_on(request.param, tmp_path_factory, load) as engine:
        yield Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), "USD", DEMO_AS_OF)


def _first(engine: Engine, table: str, column: str = "code") -> str:
    with engine.connect() as conn:
        return str(conn.execute(text(f"SELECT MIN({column}) FROM {table}")).scalar_one())


def _demo_filters(ctx: Context) -> list[tuple[Filters, Viewer]]:
    region = ctx.org.compared_units(None)[0].code
    office = ctx.org.compared_units(region)[0].code
    bu, product = _first(ctx.engine, "business_unit"), _first(ctx.engine, "product")
    segment, source = _first(ctx.engine, "account", "segment"), _first(ctx.engine, "account", "source_channel")
    head = Viewer(user="head", role=Role.REGIONAL_HEAD, units=(region,))
    bu_lead = Viewer(user="bu", role=Role.TEAM_LEAD, units=(office,), bus=(bu,))
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31), "week", "quarter")
    year = Period(date(2025, 4, 1), date(2026, 3, 31), "month", "year")
    month = Period(date(2026, 2, 1), date(2026, 2, 28), "day", "month")
    odd = Period(date(2025, 11, 17), date(2026, 2, 10), "week", "days")
    early = Period(date(2023, 4, 1), date(2023, 6, 30), "month", "quarter")  # year-ago before the history
    return [
        (Filters(quarter), DEFAULT_VIEWER),
        (Filters(year), DEFAULT_VIEWER),  # the previous period is the year-ago period
        (Filters(month), DEFAULT_VIEWER),
        (Filters(early), DEFAULT_VIEWER),
        (Filters(quarter, unit=region, bus=(bu,)), DEFAULT_VIEWER),
        (Filters(year, unit=office, products=(product,), segments=(segment,)), DEFAULT_VIEWER),
        (Filters(quarter, sources=(source,)), head),
        (Filters(odd), bu_lead),
    ]


@pytest.mark.parametrize("key", ONE_QUERY)
def test_one_query_equals_three_on_the_demo(demo, key):
    for flt, viewer in _demo_filters(demo):
        ctx = Context(demo.engine, demo.org, viewer, demo.calendar, demo.currency, demo.as_of)
        _assert_same(REGISTRY[key], ctx, flt)


def test_the_median_cycle_runs_one_query_when_every_period_has_wins(demo):
    flt = Filters(Period(date(2026, 1, 1), date(2026, 3, 31), "week", "quarter"))
    metric = REGISTRY["sales_cycle_median_days"]
    got: list[Comparison] = []
    statements = _selects(demo.engine, lambda: got.append(compare(metric, demo, flt)))
    assert all(r.value is not None for r in (got[0].current, got[0].previous, got[0].year_ago))
    assert len(statements) == 1, statements
    assert got[0] == compare_separately(metric, demo, flt)
