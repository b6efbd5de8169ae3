"""Additive measures reconcile (children and trend buckets sum to their parent) and every registered
metric agrees across SQLite, DuckDB, PostgreSQL and MariaDB, on the demo CRM (XS)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from data_layer.config import Calendar
from data_layer.demo import build_demo
from data_layer.dimensions import load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from metrics.base import Context, Grouping, evaluate, result
from metrics.registry import REGISTRY
from tests.conftest import BACKENDS, FreshDatabases

AS_OF = date(2026, 3, 31)
QUARTER = Period(date(2026, 1, 1), date(2026, 3, 31), "month", "quarter")
YEAR = Period(date(2025, 4, 1), date(2026, 3, 31), "month", "year")
#: Counts and money: a parent equals the sum of its children. New customers are distinct accounts, but each
#: counts once, in its home unit as of the period's end, so they add up too.
ADDITIVE = ("revenue", "won_orders", "opportunities", "leads", "new_customers", "cash_collected", "profit_contribution")
#: Stocks measured on one day (the open pipeline, the unpaid invoices): their units add up, and only the pipeline has
#: a trend (by expected close), which adds up too.
ADDITIVE_BY_UNIT = ("invoiced_not_paid", "invoices_past_due", "weighted_pipeline")
#: Distinct-account counts that would not add up (an account counted in every unit it bought through): none is
#: registered — every account-level metric attributes an account to one home unit.
NOT_ADDITIVE: tuple[str, ...] = ()

@pytest.fixture(scope="module")
def contexts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Context]]:
    """The demo CRM (XS, seed 7, as of 31 March 2026), built once per backend for the module."""
    dbs = FreshDatabases(tmp_path_factory.mktemp("reconcile"))
    out = {}
    for backend in BACKENDS:
        engine = dbs.engine(backend)
        build_demo(engine, size="XS", seed=7, as_of=AS_OF, progress=False)
        out[backend] = Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), reporting_currency(engine, None), AS_OF)
    yield out
    dbs.close()


def _region(ctx: Context) -> str:
    """A unit with several children below the top level: the first compared unit of the company."""
    regions = [u for u in ctx.org.compared_units(None) if len(ctx.org.compared_units(u.code)) > 1]
    return regions[0].code


def _total(key: str, ctx: Context, flt: Filters) -> Decimal | int:
    value = result(REGISTRY[key], ctx, flt).value
    assert value is not None
    return value  # type: ignore[return-value]


def _parts(key: str, ctx: Context, flt: Filters, by: str) -> pd.DataFrame:
    return evaluate(REGISTRY[key], ctx, flt, Grouping(by))  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key", ADDITIVE + ADDITIVE_BY_UNIT)
def test_children_sum_to_their_parent(contexts, backend, key):
    ctx = contexts[backend]
    for flt in (Filters(YEAR), Filters(YEAR, unit=_region(ctx))):
        parts = _parts(key, ctx, flt, "unit")
        assert parts["group"].notna().all(), f"{key}: rows credited to no compared unit under {flt.unit or 'the company'}"
        assert set(parts["group"]) <= {u.code for u in ctx.org.compared_units(flt.unit)}
        total = _total(key, ctx, flt)
        assert total > 0, "the demo should have something to reconcile"
        assert sum(parts["value"]) == total, (key, flt.unit)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_pipeline_by_expected_close_month_sums_to_the_period(contexts, backend):
    # Its trend has a row for each month some open deal is expected to close in, not every month of the year.
    ctx, flt = contexts[backend], Filters(YEAR)
    parts = _parts("weighted_pipeline", ctx, flt, "bucket")
    assert 0 < len(parts) <= 12
    assert sum(parts["value"]) == _total("weighted_pipeline", ctx, flt)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("key", ADDITIVE)
def test_trend_buckets_sum_to_the_period(contexts, backend, key):
    ctx = contexts[backend]
    flt = Filters(YEAR)
    parts = _parts(key, ctx, flt, "bucket")
    assert sum(parts["value"]) == _total(key, ctx, flt)
    assert len(parts) == 12


def test_every_metric_is_classified():
    money_and_counts = {k for k, m in REGISTRY.items() if m.kind in ("money", "count")}
    assert money_and_counts == set(ADDITIVE) | set(ADDITIVE_BY_UNIT) | set(NOT_ADDITIVE)


def _comparable(value: object) -> object:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_the_same_result_on_every_backend(contexts, key):
    metric = REGISTRY[key]
    region = _region(contexts["sqlite"])
    for flt in (Filters(QUARTER), Filters(QUARTER, unit=region)):
        for grouping in (Grouping(), Grouping("unit")) if "unit" in metric.groupings else (Grouping(),):
            frames = {b: evaluate(metric, ctx, flt, grouping) for b, ctx in contexts.items()}
            rows = {
                b: sorted(
                    ((str(g) if grouping.by else "", _comparable(v)) for g, v in zip(f.get("group", [None] * len(f)), f["value"], strict=True)),
                    key=lambda r: r[0],
                )
                for b, f in frames.items()
            }
            reference = rows["sqlite"]
            if key != "campaign_roi" or flt.unit is None:  # no campaign of the region's has a cost this quarter
                assert any(v is not None for _, v in reference), (key, flt.unit)
            for backend, got in rows.items():
                assert [g for g, _ in got] == [g for g, _ in reference], (key, backend)
                for (_, a), (_, b) in zip(got, reference, strict=True):
                    if metric.kind in ("money", "count") or a is None or b is None:
                        assert a == b, (key, backend, flt.unit, grouping.by)
                    else:
                        assert float(a) == pytest.approx(float(b), rel=1e-12, abs=1e-12), (key, backend, flt.unit, grouping.by)
