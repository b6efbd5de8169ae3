"""The portable SQL functions: hand-worked values on every backend, the same bits on all four,
and SQL for every warehouse dialect."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Numeric,
    cast,
    Date,
    DateTime,
    Double,
    Engine,
    Integer,
    MetaData,
    Table,
    create_engine,
    delete,
    false,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy import text
from sqlalchemy.engine import Dialect, make_url

from data_layer.config import Calendar
from data_layer.filters import DEFAULT_VIEWER, Filters, OrgTree, OrgUnit, Period
from metrics.base import Context, Grouping
from metrics.registry import REGISTRY
from metrics.sales_cycle import cycle_select
from metrics.sql import (
    DIALECTS,
    ARRAY_PERCENTILE,
    LIST_PERCENTILE,
    NATIVE_PERCENTILE,
    bool_sum,
    days_between,
    distribution,
    local_date,
    month_index,
    product_at_least,
    rounded_product,
    seconds_between,
    to_double,
    whole_cents,
)
from tests import tiny_crm
from tests.conftest import BACKENDS, FreshDatabases

metadata = MetaData()
sample = Table(
    "sample",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("g", Integer),
    Column("v", Integer),
    Column("later", DateTime),
    Column("earlier", DateTime),
    Column("day", Date),
)

# Groups for percentiles: n = 1; n = 2; ties with an even n; an odd n with a NULL; only a NULL.
VALUES = {1: [5], 2: [1, 4], 3: [7, 7, 10, 7], 4: [3, None, 1, 2, 9, 4], 5: [None]}
# (later, earlier, seconds, days) — UTC timestamps, no zone.
SPANS = [
    (datetime(2025, 1, 1, 6), datetime(2025, 1, 1), 21600, 0.25),
    (datetime(2025, 3, 1, 12), datetime(2025, 2, 28), 129600, 1.5),  # no 29 February in 2025
    (datetime(2024, 3, 1), datetime(2024, 2, 28), 172800, 2.0),  # leap year
    (datetime(2025, 1, 1), datetime(2025, 1, 1, 12), -43200, -0.5),  # later is earlier: negative
    (datetime(2025, 1, 1), None, None, None),
]
DAYS = [date(2025, 3, 1), date(2024, 3, 1), date(2024, 12, 31), date(1999, 7, 1), None]


def _rows() -> list[dict]:
    rows, i = [], 0
    for g, values in VALUES.items():
        for v in values:
            later, earlier, *_ = SPANS[i % len(SPANS)]
            rows.append(dict(id=i, g=g, v=v, later=later, earlier=earlier, day=DAYS[i % len(DAYS)]))
            i += 1
    return rows


ROWS = _rows()


def _load(engine: Engine) -> None:
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(sample), ROWS)
        conn.execute(insert(money), [dict(id=i, amount=a, rate=r) for i, (a, r) in enumerate(PRODUCTS)])


def _run(engine: Engine, stmt) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(stmt)]


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The sample table, loaded once per backend for the module: the tests only read it."""
    dbs = FreshDatabases(tmp_path_factory.mktemp("sample"))
    engine = dbs.engine(request.param)
    _load(engine)
    yield engine
    dbs.close()


def test_days_and_seconds_between_timestamps(engine):
    t = sample.c
    stmt = (
        select(t.id, seconds_between(t.later, t.earlier), days_between(t.later, t.earlier))
        .where(t.id < len(SPANS))
        .order_by(t.id)
    )
    assert _run(engine, stmt) == [(i, seconds, days) for i, (_, _, seconds, days) in enumerate(SPANS)]


def test_each_timestamp_is_truncated_to_its_second(engine):
    # 00:00:02.1 − 00:00:01.9 counts as 2 − 1 = 1 second (the fractions are dropped first).
    later, earlier = literal(datetime(2025, 1, 1, 0, 0, 2, 100000)), literal(datetime(2025, 1, 1, 0, 0, 1, 900000))
    assert _run(engine, select(seconds_between(later, earlier), seconds_between(earlier, later))) == [(1, -1)]


def test_days_between_dates_is_whole_days(engine):
    t = sample.c
    stmt = (
        select(t.id, days_between(t.day, literal(date(2025, 2, 28))), month_index(t.day)).where(t.id < len(DAYS)).order_by(t.id)
    )
    # 1 March 2025 − 28 Feb 2025 = 1; 1 March 2024 − 28 Feb 2025 = −364; 31 Dec 2024 = −59; 1 July 1999.
    assert _run(engine, stmt) == [
        (0, 1, 2025 * 12 + 2),
        (1, -364, 2024 * 12 + 2),
        (2, -59, 2024 * 12 + 11),
        (3, -9374, 1999 * 12 + 6),
        (4, None, None),
    ]
    with pytest.raises(TypeError):
        days_between(sample.c.day, sample.c.later)


def test_bool_sum_and_to_double(engine):
    t = sample.c
    # v > 2 per group: g1 [5] → 1; g2 [1, 4] → 1; g3 [7, 7, 10, 7] → 4; g4 → 3, 9, 4 (NULL is not true) → 3; g5 → 0.
    stmt = select(t.g, bool_sum(t.v > 2), to_double(func.sum(t.v)) / 4).group_by(t.g).order_by(t.g)
    assert _run(engine, stmt) == [(1, 1, 1.25), (2, 1, 1.25), (3, 4, 7.75), (4, 3, 4.75), (5, 0, None)]
    assert _run(engine, select(bool_sum(t.v > 2)).where(false())) == [(0,)]


def test_percentiles_by_group(engine):
    stmt = distribution(sample.c.v, group=sample.c.g).order_by("group")
    # positions q·(n−1), interpolated between neighbours:
    # g1 [5]; g2 [1, 4]: 0.25 → 1.75, 0.5 → 2.5, 0.75 → 3.25, 0.9 → 1 + 0.9 × 3 = 3.7;
    # g3 [7, 7, 7, 10]: 0.75 → 7, 1.5 → 7, 2.25 → 7.75, 2.7 → 9.1; mean 31 / 4;
    # g4 [1, 2, 3, 4, 9] (NULL ignored): 1 → 2, 2 → 3, 3 → 4, 3.6 → 4 + 0.6 × 5 = 7; mean 19 / 5;
    # g5 has only a NULL: no row.
    rows = _run(engine, stmt)
    expected = [
        (1, 1, 5.0, 5.0, 5.0, 5.0, 5.0),
        (2, 2, 1.75, 2.5, 3.25, 3.7, 2.5),
        (3, 4, 7.0, 7.0, 7.75, 9.1, 7.75),
        (4, 5, 2.0, 3.0, 4.0, 7.0, 3.8),
    ]
    assert [r[:2] for r in rows] == [e[:2] for e in expected]
    for row, want in zip(rows, expected, strict=True):
        assert row[2:] == pytest.approx(want[2:], rel=1e-15)


def test_percentiles_of_everything_and_of_nothing(engine):
    # The twelve values of VALUES sorted: 1 1 2 3 4 4 5 7 7 7 9 10, sum 60. Positions q·11:
    # 2.75 → 2 + 0.75 × 1 = 2.75, 5.5 → 4.5, 8.25 → 7, 9.9 → 7 + 0.9 × 2 = 8.8.
    assert _run(engine, distribution(sample.c.v)) == [(12, 2.75, 4.5, 7.0, pytest.approx(8.8, rel=1e-15), 60 / 12)]
    assert _run(engine, distribution(sample.c.v, where=[false()])) == [(0, None, None, None, None, None)]
    assert _run(engine, distribution(sample.c.v, where=[false()], group=sample.c.g)) == []
    # Divided last: seconds → days.
    spans = distribution(seconds_between(sample.c.later, sample.c.earlier), where=[sample.c.id < 5], divide_by=86400)
    # Days −0.5, 0.25, 1.5, 2 (NULL ignored): positions 0.75 → 0.0625, 1.5 → 0.875, 2.25 → 1.625, 2.7 → 1.85.
    assert _run(engine, spans) == [(4, 0.0625, 0.875, 1.625, pytest.approx(1.85, rel=1e-15), 0.8125)]


def test_local_date_follows_the_company_zone(engine):
    shanghai = Calendar()
    new_york = Calendar(timezone="America/New_York")
    stamp = literal(datetime(2025, 3, 31, 17, 0))  # 1 April 01:00 in Shanghai, 31 March 13:00 in New York
    # New York moves to daylight saving time on 9 March: 04:30 UTC on the 10th is 00:30 that day (EDT, UTC−4),
    # where a fixed standard-time offset (UTC−5) would still say the 9th.
    dst = literal(datetime(2025, 3, 10, 4, 30))
    start, end = date(2025, 3, 1), date(2025, 4, 30)
    stmt = select(
        local_date(stamp, start, end, shanghai), local_date(stamp, start, end, new_york), local_date(dst, start, end, new_york)
    )
    assert _run(engine, stmt) == [(date(2025, 4, 1), date(2025, 3, 31), date(2025, 3, 10))]


def test_the_same_bits_on_every_backend(fresh_db):
    t = sample.c
    statements = [
        select(
            t.id,
            seconds_between(t.later, t.earlier),
            days_between(t.later, t.earlier),
            days_between(t.day, t.day),
            month_index(t.day),
        ).order_by(t.id),
        select(t.g, bool_sum(t.v > 2), to_double(func.sum(t.v)) / 3).group_by(t.g).order_by(t.g),
        distribution(t.v, group=t.g).order_by("group"),
        distribution(t.v),
        distribution(days_between(t.later, t.earlier)),
        distribution(seconds_between(t.later, t.earlier), group=t.g, divide_by=86400).order_by("group"),
    ]
    results = {}
    for backend in BACKENDS:
        engine = fresh_db.engine(backend)
        _load(engine)
        results[backend] = [_run(engine, stmt) for stmt in statements]
    for backend in BACKENDS[1:]:
        assert results[backend] == results[BACKENDS[0]], backend


# --- Money rounds exactly ---------------------------------------------------------------------------

money = Table(
    "money",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("amount", Numeric(18, 2)),
    Column("rate", Numeric(18, 8)),
)
# (amount, rate): exact half cents, where a product in doubles falls on the wrong side (1.005 is
# 1.00499999999999989… as a double), either sign; a hundred-millionth of a cent either side of a
# half; amounts DuckDB's NUMERIC(18, 10) product would overflow; NULLs.
PRODUCTS = [
    (Decimal("1.00"), Decimal("1.00500000")),
    (Decimal("-1.00"), Decimal("1.00500000")),
    (Decimal("267.50"), Decimal("0.01000000")),
    (Decimal("-267.50"), Decimal("0.01000000")),
    (Decimal("0.01"), Decimal("0.50000000")),
    (Decimal("0.03"), Decimal("0.50000000")),
    (Decimal("-0.01"), Decimal("0.50000000")),
    (Decimal("1.00"), Decimal("1.00499999")),
    (Decimal("1.00"), Decimal("1.00500001")),
    (Decimal("-1.00"), Decimal("1.00500001")),
    (Decimal("123456789.01"), Decimal("7.12345678")),
    (Decimal("987654321.99"), Decimal("1.00000000")),
    (Decimal("1443251400.00"), Decimal("0.11984641")),
    (Decimal("0.00"), Decimal("0.13000000")),
    (None, Decimal("0.13000000")),
    (Decimal("5.00"), None),
]


def _cents(amount: Decimal | None, rate: Decimal | None) -> Decimal | None:
    if amount is None or rate is None:
        return None
    return (amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_converted_amount_is_rounded_half_away_from_zero_exactly(engine):
    m = money.c
    got = _run(engine, select(rounded_product(m.amount, m.rate), whole_cents(rounded_product(m.amount, m.rate))).order_by(m.id))
    want = [_cents(a, r) for a, r in PRODUCTS]
    assert [None if v is None else Decimal(str(v)).quantize(Decimal("0.01")) for v, _ in got] == want
    assert [c for _, c in got] == [None if v is None else int(v * 100) for v in want]


def test_a_product_is_compared_with_a_bound_exactly(engine):
    # Half a cent and a cent: 1.00 × 1.005 is 1.00499999999999989… in doubles, 0.01 × 0.5 is a half cent exactly.
    m = money.c
    for bound in (Decimal("0.005"), Decimal("1.005"), Decimal("-1.005")):
        got = _run(engine, select(product_at_least(m.amount, m.rate, bound)).order_by(m.id))
        want = [None if a is None or r is None else a * r >= bound for a, r in PRODUCTS]
        assert [None if v is None else bool(v) for (v,) in got] == want, bound


def test_whole_cents_rounds_an_amount_half_away_from_zero(engine):
    # NUMERIC(38, 10) amounts: DuckDB narrows them to NUMERIC(18, 2) below 10^15 and casts them wide above.
    amounts = [Decimal("0.005"), Decimal("-0.005"), Decimal("2.675"), Decimal("0.0049999999"), Decimal("12.34"), Decimal("-12.345")]
    if engine.dialect.name != "sqlite":  # SQLite keeps a NUMERIC as a double: exact to 15 significant digits
        amounts += [Decimal("99999999999999.995"), Decimal("9999999999999.995"), Decimal("-1234567890123456.785")]
    stmt = select(*(whole_cents(cast(literal(str(a)), Numeric(38, 10))) for a in amounts))  # text: exact on every driver
    assert list(_run(engine, stmt)[0]) == [int((a * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for a in amounts]


@pytest.fixture(scope="module")
def duckdb_money(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_engine(f"duckdb:///{tmp_path_factory.mktemp('money') / 'm.duckdb'}")
    money.create(engine)
    yield engine
    engine.dispose()


cents = st.integers(-(10**15), 10**15)
rates = st.one_of(
    # A rate in hundred-millionths, up to 1,000: with amounts up to 10^13 the cents stay below 10^18,
    # inside whole_cents' 64 bits (9.2 × 10^18; beyond them DuckDB refuses the cast, as it should).
    st.integers(0, 10**11),
    st.sampled_from([50_000_000, 25_000_000, 12_500_000, 500_000, 100_500_000, 100_499_999, 100_500_001]),  # ties and near-ties
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(cents, rates), min_size=1, max_size=40))
def test_duckdbs_rounding_through_doubles_is_exact(duckdb_money, pairs):
    """DuckDB computes the product in doubles where they cannot round it wrongly: the cents equal
    exact decimal arithmetic's, ties and values too large for doubles included."""
    rows = [dict(id=i, amount=Decimal(c).scaleb(-2), rate=Decimal(r).scaleb(-8)) for i, (c, r) in enumerate(pairs)]
    with duckdb_money.begin() as conn:
        conn.execute(delete(money))
        conn.execute(insert(money).values(rows))  # one statement: DuckDB runs executemany row by row
    got = _run(duckdb_money, select(whole_cents(rounded_product(money.c.amount, money.c.rate))).order_by(money.c.id))
    assert [c for (c,) in got] == [int(_cents(r["amount"], r["rate"]) * 100) for r in rows]
    half = _run(duckdb_money, select(product_at_least(money.c.amount, money.c.rate, Decimal("0.005"))).order_by(money.c.id))
    assert [v for (v,) in half] == [r["amount"] * r["rate"] >= Decimal("0.005") for r in rows]


def test_duckdbs_rounding_agrees_with_its_decimals_over_a_million_products(duckdb_money):
    """A million amounts and rates drawn by DuckDB, a tenth of them exact half cents: the product
    rounded through doubles equals DuckDB's own 128-bit decimal rounding on every one."""
    draw = """
        SELECT CAST(round((random() - 0.5) * pow(10, 2 + 12 * random())) / 100 AS DECIMAL(18, 2)) AS amount,
               CASE WHEN i % 10 = 0 THEN 0.5 ELSE CAST(round(random() * pow(10, 1 + 10 * random())) / 1e8 AS DECIMAL(18, 8)) END AS rate
        FROM range(1000000) t(i)
    """
    with duckdb_money.connect() as conn:
        conn.execute(text(f"CREATE TEMP TABLE drawn AS {draw}"))
        pairs = Table("drawn", MetaData(), Column("amount", Numeric(18, 2)), Column("rate", Numeric(18, 8)))
        fast = rounded_product(pairs.c.amount, pairs.c.rate)
        exact = func.round(pairs.c.amount.cast(Numeric(38, 2)) * pairs.c.rate, 2)
        n, differ = conn.execute(select(func.count(), func.count().filter(fast != exact))).one()
    assert (n, differ) == (1_000_000, 0)


# --- Every dialect compiles ------------------------------------------------------------------------


def _dialect(name: str) -> Dialect:
    return make_url(f"{name}://").get_dialect()()


def _context() -> Context:
    org = OrgTree(tuple(OrgUnit(u["unit_id"], u["code"], u["name"], u["level"], u["parent_id"]) for u in tiny_crm.ORG))
    return Context(None, org, DEFAULT_VIEWER, Calendar(), "USD", date(2025, 7, 1))  # type: ignore[arg-type]


Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
FILTERS = (Filters(Q2), Filters(Q2, unit="NORTH", bus=("HW",), products=("HW-1",), segments=("smb",), sources=("event",)))
GROUPINGS = (Grouping(), Grouping("bucket"), Grouping("unit"))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_function_compiles(dialect):
    t = sample.c
    stmt = select(
        seconds_between(t.later, t.earlier),
        days_between(t.later, t.earlier),
        days_between(t.day, t.day),
        bool_sum(t.v > 2),
        month_index(t.day),
        to_double(t.v),
        whole_cents(rounded_product(t.v, t.v)),
        product_at_least(t.v, t.v, Decimal("0.005")),
        local_date(t.later, date(2025, 1, 1), date(2025, 1, 31), Calendar()),
    )
    assert "SELECT" in str(stmt.compile(dialect=_dialect(dialect)))
    percentiles = str(distribution(t.v, group=t.g, divide_by=86400).compile(dialect=_dialect(dialect)))
    if dialect in NATIVE_PERCENTILE:
        assert "percentile_cont" in percentiles and "row_number" not in percentiles
    elif dialect in LIST_PERCENTILE:
        assert "quantile_cont" in percentiles and "array_agg" not in percentiles and "row_number" not in percentiles
    elif dialect in ARRAY_PERCENTILE:
        assert "array_agg" in percentiles and "percentile_cont" not in percentiles and "row_number" not in percentiles
    else:
        assert "percentile_cont" not in percentiles and "row_number" in percentiles


#: Stocks measured on one day, with no trend by bucket (the KPI card shows none).
NO_TREND = ("invoiced_not_paid", "invoices_past_due")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_registered_metric_query_compiles(dialect):
    ctx, compiled = _context(), _dialect(dialect)
    for flt in FILTERS:
        for grouping in GROUPINGS:
            for key, metric in REGISTRY.items():
                if grouping.by is not None and grouping.by not in metric.groupings:
                    continue  # a total-only metric (campaign ROI)
                if grouping.by == "bucket" and key in NO_TREND:
                    with pytest.raises(NotImplementedError, match="no trend"):
                        metric.query(ctx, flt, grouping)
                    continue
                sql = str(metric.query(ctx, flt, grouping).compile(dialect=compiled))
                assert metric.columns[0] in sql, key
            assert "median" in str(cycle_select(ctx, flt, grouping).compile(dialect=compiled))
        for key, metric in REGISTRY.items():
            for by in sorted(metric.groupings - {"bucket", "unit"}):
                sql = str(metric.query(ctx, flt, Grouping(by)).compile(dialect=compiled))  # type: ignore[arg-type]
                assert metric.columns[0] in sql and "GROUP BY" in sql, (key, by)


# --- Percentiles equal numpy's ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_and_duckdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    where: Path = tmp_path_factory.mktemp("percentiles")
    engines = {
        "sqlite": create_engine(f"sqlite:///{where / 'p.sqlite'}"),
        "duckdb": create_engine(f"duckdb:///{where / 'p.duckdb'}"),
    }
    for engine in engines.values():
        numbers.create(engine)
    yield engines
    for engine in engines.values():
        engine.dispose()


numbers = Table("numbers", MetaData(), Column("id", Integer, primary_key=True, autoincrement=False), Column("x", Double))
finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
values = st.lists(st.one_of(st.integers(-(10**9), 10**9).map(float), finite, st.none()), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(xs=values)
def test_percentiles_equal_numpys_linear_method(sqlite_and_duckdb, xs):
    present = [x for x in xs if x is not None]
    got = {}
    for name, engine in sqlite_and_duckdb.items():
        with engine.begin() as conn:
            conn.execute(delete(numbers))
            conn.execute(insert(numbers), [dict(id=i, x=x) for i, x in enumerate(xs)])
        got[name] = _run(engine, distribution(numbers.c.x))[0]
    n, *quantiles, mean = got["sqlite"]
    assert n == len(present) == got["duckdb"][0]
    if not present:
        assert quantiles == list(got["duckdb"][1:-1]) == [None] * 4
        return
    scale = max(1.0, *(abs(x) for x in present))
    # DuckDB's own percentile rounds its interpolation differently (metrics.sql.LIST_PERCENTILE): a few
    # units in the last place of the neighbours' magnitude, never more.
    for ours, theirs in zip(quantiles, got["duckdb"][1:-1], strict=True):
        assert math.isclose(ours, theirs, rel_tol=1e-15, abs_tol=4 * math.ulp(scale)), (ours, theirs)
    for value, q in zip(quantiles, (25, 50, 75, 90), strict=True):
        assert math.isclose(value, float(np.percentile(present, q, method="linear")), rel_tol=1e-12, abs_tol=1e-12 * scale)
    assert math.isclose(mean, float(np.mean(present)), rel_tol=1e-9, abs_tol=1e-9 * scale)
