"""Summary tables and the router: every routed metric gives exactly the raw tables' answer.

The demo XS (DuckDB and PostgreSQL) and the hand-worked churn and wallet fixtures are read both
ways — from the summaries, and inside ``router.raw_tables()`` — under several filter sets and a
viewer's scope, and the results must be equal to the cent and the count. The router must fall
back to the raw tables when there is no summary (a CRM), when it is stale, or in another currency.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, and_, case, create_engine, func, insert, select, text, update

from data_layer import schema
from data_layer.config import Calendar
from data_layer.demo import build_demo
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from data_layer.summary import account_roll, build_summaries, first_order, order_month, supports_summaries
from metrics import churn, customers, revenue, router, sales_cycle, wallet
from metrics.base import Context, Grouping, compare, evaluate, result
from tests import churn_crm, tiny_crm, wallet_crm
from tests.conftest import FreshDatabases

AS_OF = date(2026, 11, 23)
SUMMARY_BACKENDS = ("duckdb", "postgresql")


@dataclass(frozen=True)
class Loaded:
    engine: Engine
    calendar: Calendar
    currency: str
    as_of: date


def _both_ways(compute: Callable[[], object]) -> tuple[object, object]:
    router.forget()
    routed = compute()
    with router.raw_tables():
        raw = compute()
    return routed, raw


def assert_same(a: object, b: object) -> None:
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    else:
        assert a == b


def by_group(frame: pd.DataFrame) -> pd.DataFrame:
    """Groups in a fixed order: a database returns GROUP BY rows in any order."""
    return frame.sort_values("group", key=lambda g: g.astype(str), ignore_index=True)


def routed_metrics(ctx: Context, flt: Filters) -> dict[str, Callable[[], object]]:
    """Every routed computation, as the pages and the CLI call them."""
    out: dict[str, Callable[[], object]] = {
        "churn_total": lambda: churn.churn_table(ctx, flt),
        "churn_by_unit": lambda: churn.churn_table(ctx, flt, by="unit"),
        "wallet_total": lambda: wallet.wallet_summary(ctx, flt),
        "wallet_by_unit": lambda: wallet.wallet_summary(ctx, flt, by="unit"),
        "wallet_by_segment": lambda: wallet.wallet_summary(ctx, flt, by="segment"),
        "headroom": lambda: wallet.wallet_accounts(ctx, flt, limit=15),
        "concentration": lambda: (lambda c: (c.curve, c.tiers))(wallet.concentration(ctx, flt)),
    }
    for metric in (*churn.METRICS, *wallet.METRICS, revenue.METRIC, customers.METRIC):
        out[metric.key] = lambda m=metric: evaluate(m, ctx, flt)
        out[metric.key + "_by_bucket"] = lambda m=metric: by_group(evaluate(m, ctx, flt, Grouping("bucket")))  # rows in no set order
    for by in ("unit", "bu", "product", "segment", "source", "rep"):
        out[f"revenue_by_{by}"] = lambda by=by: by_group(evaluate(revenue.METRIC, ctx, flt, Grouping(by)))  # type: ignore[arg-type]
    out["revenue_by_week"] = lambda: by_group(evaluate(revenue.METRIC, ctx, flt.with_period(replace(flt.period, grain="week")), Grouping("bucket")))
    out["revenue_compared"] = lambda: compare(revenue.METRIC, ctx, flt)  # previous and year-ago periods in one query
    out["new_customers_by_unit"] = lambda: by_group(evaluate(customers.METRIC, ctx, flt, Grouping("unit")))
    if ctx.viewer.bus is None:  # leads carry no business unit: a BU-limited viewer gets NoScope either way
        out["lead_to_first_order"] = lambda: sales_cycle.lead_to_order_distribution(ctx, flt, by="unit")
    return out


def check_all(ctx: Context, flt: Filters) -> None:
    assert router.route(ctx).summary, router.route(ctx)
    for name, compute in routed_metrics(ctx, flt).items():
        routed, raw = _both_ways(compute)
        try:
            if isinstance(routed, tuple):
                for x, y in zip(routed, raw, strict=True):  # type: ignore[arg-type]
                    assert_same(x, y)
            else:
                assert_same(routed, raw)
        except AssertionError as exc:
            raise AssertionError(f"{name} differs from the raw tables for {flt}") from exc


# --- The demo XS ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=SUMMARY_BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    dbs = FreshDatabases(tmp_path_factory.mktemp("summary"))
    engine = dbs.engine(request.param)
    build_demo(engine, "XS", seed=7, as_of=AS_OF, progress=False)
    yield Loaded(engine, Calendar(), "USD", AS_OF)
    dbs.close()


def demo_ctx(demo: Loaded, viewer: Viewer = DEFAULT_VIEWER) -> Context:
    return Context(demo.engine, load_org(demo.engine), viewer, demo.calendar, demo.currency, demo.as_of)


def _codes(engine: Engine, table: str, column: str = "code") -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(f"SELECT DISTINCT {column} FROM {table} ORDER BY 1"))]


def filter_sets(ctx: Context) -> list[tuple[Filters, Viewer]]:
    units = ctx.org.compared_units(None)
    region = units[0].code
    office = ctx.org.compared_units(region)[0].code
    bus = _codes(ctx.engine, "business_unit")
    products = _codes(ctx.engine, "product")
    segments = _codes(ctx.engine, "account", "segment")
    head = Viewer(user="head", role=Role.REGIONAL_HEAD, units=(region,))
    bu_lead = Viewer(user="bu", role=Role.TEAM_LEAD, units=(units[-1].code,), bus=(bus[1],))
    quarter = Period(date(2026, 7, 1), date(2026, 9, 30), "month", "quarter")  # whole months
    ytd = Period(date(2026, 1, 1), AS_OF, "month", "year")  # ends mid-month: partial month read raw
    odd = Period(date(2025, 11, 17), date(2026, 2, 10), "month", "days")  # partial at both ends
    return [
        (Filters(quarter), DEFAULT_VIEWER),
        (Filters(ytd), DEFAULT_VIEWER),
        (Filters(odd), DEFAULT_VIEWER),
        (Filters(ytd, unit=region), DEFAULT_VIEWER),
        (Filters(quarter, unit=office), DEFAULT_VIEWER),
        (Filters(ytd, bus=(bus[0], bus[2])), DEFAULT_VIEWER),
        (Filters(quarter, products=(products[3],)), DEFAULT_VIEWER),
        (Filters(ytd, segments=(segments[0],)), DEFAULT_VIEWER),
        (Filters(quarter), head),
        (Filters(ytd, segments=(segments[-1],)), bu_lead),
    ]


def test_every_routed_metric_equals_the_raw_tables_on_the_demo(demo):
    base = demo_ctx(demo)
    for flt, viewer in filter_sets(base):
        check_all(demo_ctx(demo, viewer), flt)


def test_the_summary_counts_every_order_with_an_amount(demo):
    with demo.engine.connect() as conn:
        orders = conn.execute(select(schema.sales_order.c.amount).where(schema.sales_order.c.amount.is_not(None))).all()
        counted = conn.execute(select(order_month.c.orders)).all()
        buyers = conn.execute(select(func.count(func.distinct(schema.sales_order.c.account_id))).where(schema.sales_order.c.amount > 0)).scalar()
        firsts = conn.execute(select(func.count(func.distinct(first_order.c.account_id)))).scalar()
    assert sum(r[0] for r in counted) == len(orders)
    assert firsts == buyers


def test_the_roll_holds_each_accounts_twelve_months(demo):
    # Each roll row against the month rows it sums, summed here from granary_order_month directly.
    s, r = order_month, account_roll
    with demo.engine.connect() as conn:
        last = conn.execute(select(func.max(s.c.month_index))).scalar_one()
        for m in (last, last - 5, last - 12, last - 30):
            window = and_(s.c.month_index >= m - 11, s.c.month_index <= m)
            expected = conn.execute(
                select(s.c.account_id, func.max(case((s.c.positive_orders > 0, 1), else_=0)), func.coalesce(func.sum(s.c.revenue), 0))
                .where(window)
                .group_by(s.c.account_id)
            ).all()
            rolled = conn.execute(select(r.c.account_id, r.c.active, r.c.revenue).where(r.c.month_index == m)).all()
            assert expected, m
            assert sorted(map(tuple, rolled)) == sorted(map(tuple, expected)), m
            # fy_revenue: the months from January (the demo's fiscal year starts then) to m; NULL when none
            # of them has an order with a rate — and then no key in the expected sums.
            fiscal = and_(s.c.month_index >= m - m % 12, s.c.month_index <= m)
            fy = dict(conn.execute(select(s.c.account_id, func.sum(s.c.revenue)).where(fiscal).group_by(s.c.account_id)).all())
            rolled_fy = dict(conn.execute(select(r.c.account_id, r.c.fy_revenue).where(r.c.month_index == m)).all())
            assert {a: v for a, v in rolled_fy.items() if v is not None} == {a: v for a, v in fy.items() if v is not None}, m
            assert m % 12 == 11 or any(v is None for v in rolled_fy.values()), m  # some accounts bought last year only
        assert conn.execute(select(func.max(r.c.month_index))).scalar_one() == last + 11


def test_churn_reads_the_roll_unless_business_units_or_products_narrow_the_orders(small):
    ctx = Context(small, load_org(small), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)
    quarter = Filters(Period(date(2026, 4, 1), date(2026, 6, 30), "month", "quarter"))
    bu = _codes(small, "business_unit")[0]

    def sql(flt: Filters, viewer: Viewer = DEFAULT_VIEWER, window: int = churn.ACTIVE_MONTHS) -> str:
        c = replace(ctx, viewer=viewer)
        return str(churn.ratio_query(window)(c, flt, Grouping("unit")).compile(small))

    assert "granary_account_roll" in sql(quarter) and "granary_order_month" not in sql(quarter)
    assert "granary_account_roll" in sql(replace(quarter, segments=(_codes(small, "account", "segment")[0],)))  # an account filter: still the roll
    narrowed = (
        sql(replace(quarter, bus=(bu,))),
        sql(replace(quarter, products=(_codes(small, "product")[0],))),
        sql(quarter, Viewer(user="bu", role=Role.TEAM_LEAD, units=(ctx.org.compared_units(None)[0].code,), bus=(bu,))),
        sql(quarter, window=6),  # the roll sums 12 months
    )
    for text_ in narrowed:
        assert "granary_account_roll" not in text_ and "granary_order_month" in text_
    with router.raw_tables():
        assert "granary_account_roll" not in sql(quarter)


def test_share_of_wallet_reads_the_fiscal_year_from_the_roll_when_it_was_summed_for_that_calendar(small):
    from metrics import wallet

    ctx = Context(small, load_org(small), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)

    def sql(on: date, c: Context = ctx, flt: Filters | None = None) -> str:
        return str(select(wallet.per_account(c, flt or Filters(Period(on, on)), on)).compile(small))

    month_end, mid_month = date(2026, 9, 30), date(2026, 9, 17)
    assert "granary_account_roll" in sql(month_end) and "sales_order" not in sql(month_end) and "granary_order_month" not in sql(month_end)
    assert "granary_account_roll" in sql(mid_month) and "sales_order" in sql(mid_month)  # September's first days, raw
    assert "granary_account_roll" not in sql(date(2026, 1, 17))  # no whole month of the fiscal year yet
    april = replace(ctx, calendar=Calendar(fiscal_year_start_month=4))  # summed for January
    assert "granary_account_roll" not in sql(month_end, april) and "granary_order_month" in sql(month_end, april)
    bu = _codes(small, "business_unit")[0]
    assert "granary_account_roll" not in sql(month_end, flt=Filters(Period(month_end, month_end), bus=(bu,)))
    for c in (ctx, april):  # the same answers either way, each calendar's own fiscal year
        for on in (month_end, mid_month, date(2026, 1, 17), date(2025, 12, 31)):
            flt = Filters(Period(on - timedelta(days=60), on, "month", "days"))
            routed, raw = _both_ways(lambda: wallet.wallet_summary(c, flt, by="unit"))
            assert_same(routed, raw)


def test_revenue_reads_the_summary_for_the_months_no_boundary_cuts(small):
    ctx = Context(small, load_org(small), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)
    quarter = Filters(Period(date(2026, 4, 1), date(2026, 6, 30), "month", "quarter"))

    def sql(flt: Filters, grouping: Grouping = Grouping()) -> str:
        return str(revenue.query(ctx, flt, grouping).compile(small))

    assert "granary_order_month" in sql(quarter) and "sales_order" not in sql(quarter)
    assert "sales_order" in sql(quarter, Grouping("rep"))  # the summary carries no rep
    assert "granary_order_month" not in sql(quarter, Grouping("rep"))
    odd = Filters(Period(date(2025, 11, 25), date(2026, 11, 23), "month", "days"))
    assert router.cut_months(odd, Grouping(), ctx) == {2025 * 12 + 10, 2026 * 12 + 10}
    assert "granary_order_month" in sql(odd) and "sales_order" in sql(odd)
    weeks = replace(quarter.period, grain="week")
    # every month of the quarter has a week starting inside it: all read raw
    assert {2026 * 12 + 3, 2026 * 12 + 4, 2026 * 12 + 5} <= router.cut_months(quarter.with_period(weeks), Grouping("bucket"), ctx)
    with router.raw_tables():
        assert "granary_order_month" not in sql(quarter)


# --- The hand-worked fixtures ----------------------------------------------------------------------


@pytest.fixture(params=SUMMARY_BACKENDS)
def fixture_dbs(request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[str, FreshDatabases]]:
    dbs = FreshDatabases(tmp_path)
    yield str(request.param), dbs
    dbs.close()


def test_churn_fixture_both_ways(fixture_dbs):
    backend, dbs = fixture_dbs
    engine = dbs.engine(backend)
    churn_crm.load(engine)
    build_summaries(engine, Calendar(), "USD")
    org = load_org(engine)
    north = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
    for viewer in (DEFAULT_VIEWER, north):
        ctx = Context(engine, org, viewer, Calendar(), "USD", date(2025, 10, 1))
        for flt in (
            Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")),
            Filters(Period(date(2025, 1, 1), date(2025, 6, 30), "quarter", "days"), unit="SOUTH"),
            Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter"), bus=("SW",)),
        ):
            check_all(ctx, flt)


def test_wallet_fixture_both_ways(fixture_dbs):
    backend, dbs = fixture_dbs
    engine = dbs.engine(backend)
    wallet_crm.load(engine)
    cal = Calendar(fiscal_year_start_month=4)
    build_summaries(engine, cal, "USD")
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, cal, "USD", date(2025, 10, 15))
    for flt in (
        Filters(Period(date(2025, 7, 1), date(2025, 9, 30), "month", "quarter")),
        Filters(Period(date(2025, 4, 1), date(2025, 10, 15), "month", "days")),
        Filters(Period(date(2025, 4, 1), date(2025, 10, 15), "month", "days"), unit="NORTH"),
    ):
        check_all(ctx, flt)


def test_revenue_states_what_it_left_out_both_ways(fixture_dbs):
    backend, dbs = fixture_dbs
    engine = dbs.engine(backend)
    tiny_crm.load(engine)
    build_summaries(engine, Calendar(), "USD")
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), "USD", date(2025, 9, 30))
    # SO-3 (15 May, no amount) and SO-5 (21 May, GBP: no rate) from granary_order_gap when May is whole, from
    # the raw orders when the period cuts May.
    for flt in (Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")),
                Filters(Period(date(2025, 5, 16), date(2025, 6, 30), "month", "days"))):
        routed, raw = _both_ways(lambda flt=flt: result(revenue.METRIC, ctx, flt))
        assert routed == raw
    assert routed.excluded == (("orders_no_rate", 1),)  # SO-3 is before 16 May
    assert "granary_order_gap" in str(revenue.query(ctx, Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")), Grouping()).compile(engine))


# --- When the router must read the raw tables --------------------------------------------------------


def _sql_of(ctx: Context, flt: Filters, start: date, end: date) -> str:
    return str(select(router.order_revenue_rows(ctx, flt, start, end)).compile(ctx.engine))


@pytest.fixture
def small(tmp_path) -> Iterator[Engine]:
    engine = create_engine(f"duckdb:///{tmp_path / 'crm.duckdb'}")
    build_demo(engine, "XS", seed=7, as_of=AS_OF, progress=False)
    router.forget()
    yield engine
    engine.dispose()


def test_a_crm_without_summaries_reads_the_raw_tables(tmp_path):
    engine = create_engine(f"duckdb:///{tmp_path / 'crm.duckdb'}")
    build_demo(engine, "XS", seed=7, as_of=AS_OF, progress=False, summaries=False)
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)
    assert router.route(ctx).source == "raw"
    assert "granary_order_month" not in _sql_of(ctx, Filters(Period(AS_OF, AS_OF)), date(2026, 1, 1), date(2026, 3, 31))
    engine.dispose()


def test_whole_months_come_from_the_summary_and_partial_months_from_the_orders(small):
    ctx = Context(small, load_org(small), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)
    flt = Filters(Period(date(2026, 1, 1), date(2026, 3, 31)))
    aligned = _sql_of(ctx, flt, date(2026, 1, 1), date(2026, 3, 31))
    assert "granary_order_month" in aligned and "sales_order" not in aligned
    partial = _sql_of(ctx, flt, date(2026, 1, 1), date(2026, 3, 15))
    assert "granary_order_month" in partial and "sales_order" in partial
    within = _sql_of(ctx, flt, date(2026, 3, 2), date(2026, 3, 15))  # no whole month inside
    assert "granary_order_month" not in within and "sales_order" in within
    assert router.whole_months(date(2026, 1, 2), date(2026, 3, 31)) == (2026 * 12 + 1, 2026 * 12 + 2)
    assert router.whole_months(date(2024, 2, 1), date(2024, 2, 29)) == (2024 * 12 + 1, 2024 * 12 + 1)


def test_a_stale_summary_is_not_used(small):
    ctx = Context(small, load_org(small), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)
    flt = Filters(Period(date(2026, 7, 1), date(2026, 9, 30), "month", "quarter"))
    assert router.route(ctx).summary
    o = schema.sales_order
    with small.begin() as conn:
        first = conn.execute(select(o).order_by(o.c.order_id).limit(1)).mappings().one()
        conn.execute(insert(o).values({**first, "order_id": 10**9, "order_number": "X", "order_date": date(2026, 8, 3)}))
    router.forget()
    assert router.route(ctx).source == "raw"
    assert "stale" in router.route(ctx).reason
    before = churn.churn_table(ctx, flt)
    with small.begin() as conn:  # an edit that keeps the row count: a changed amount
        conn.execute(update(o).where(o.c.order_id == 10**9).values(amount=first["amount"] + 1))
    router.forget()
    assert router.route(ctx).source == "raw"
    build_summaries(small, Calendar(), "USD")  # a refresh makes it current again, with the new order
    assert router.route(ctx).summary
    after = churn.churn_table(ctx, flt)
    with router.raw_tables():
        assert_same(after, churn.churn_table(ctx, flt))
    assert len(before) == len(after)


def test_summaries_an_older_granary_built_are_not_used(small):
    # Same raw rows, summaries built by an older builder (which rounded differently): stale.
    from data_layer.summary import BUILDER_VERSION, summary_info

    ctx = Context(small, load_org(small), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)
    assert router.route(ctx).summary
    with small.begin() as conn:
        stored = conn.execute(select(summary_info.c.data_version)).scalar_one()
        assert stored.startswith(BUILDER_VERSION + "|")
        conn.execute(update(summary_info).values(data_version=stored.replace(BUILDER_VERSION, "summary-1", 1)))
    router.forget()
    assert router.route(ctx).source == "raw"


def test_another_reporting_currency_reads_the_raw_tables(small):
    ctx = Context(small, load_org(small), DEFAULT_VIEWER, Calendar(), "EUR", AS_OF)
    assert router.route(ctx).source == "raw"
    assert "EUR" in router.route(ctx).reason


def test_sqlite_gets_no_summaries(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'crm.sqlite'}")
    assert not supports_summaries(engine)
    build_demo(engine, "XS", seed=7, as_of=AS_OF, progress=False)  # skips the summaries
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), "USD", AS_OF)
    assert router.route(ctx).source == "raw"
    with pytest.raises(NotImplementedError):
        build_summaries(engine, Calendar(), "USD")
    engine.dispose()
