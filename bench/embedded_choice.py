"""Which embedded database should hold the demo CRM: DuckDB or SQLite?

Builds the same demo company into both, then times the Overview's set of metrics (each
headline metric for the period, the previous period and the same period last year, its
trend, and the league table of units) on each. Prints a Markdown table for the README.

    .venv/bin/python -m bench.embedded_choice --size S [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.demo import build_demo
from data_layer.dimensions import data_as_of, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, preset_period
from metrics.base import Context, Grouping, compare, evaluate, trend
from metrics.registry import HEADLINE, REGISTRY

AS_OF = date(2026, 11, 23)


def overview_once(ctx: Context, flt: Filters) -> None:
    for key in HEADLINE:
        metric = REGISTRY[key]
        compare(metric, ctx, flt)
        trend(metric, ctx, flt)
        evaluate(metric, ctx, flt, Grouping("unit"))


def measure(url: str, repeat: int) -> tuple[float, float]:
    """(seconds to build, median seconds for one Overview) on ``url``."""
    started = time.perf_counter()
    writer = create_engine(url)
    build_demo(writer, size=ARGS.size, seed=7, as_of=AS_OF, locale="en", progress=False)
    writer.dispose()  # DuckDB refuses a read-only connection while a writable one is open
    built = time.perf_counter() - started
    settings = load_settings({})
    engine = make_engine(url, settings)
    as_of = data_as_of(engine, settings.calendar) or AS_OF
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, settings.calendar, reporting_currency(engine, None), as_of)
    flt = Filters(preset_period("last_12_months", as_of, settings.calendar))
    overview_once(ctx, flt)  # warm
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        overview_once(ctx, flt)
        runs.append(time.perf_counter() - t0)
    return built, statistics.median(runs)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for name, url in (
            ("DuckDB", f"duckdb:///{Path(tmp) / 'crm.duckdb'}"),
            ("SQLite", f"sqlite:///{Path(tmp) / 'crm.sqlite'}"),
        ):
            built, overview = measure(url, ARGS.repeat)
            size_mb = sum(p.stat().st_size for p in Path(tmp).glob(f"crm.{name.lower()}*")) / 1e6
            rows.append((name, built, overview, size_mb))
    print(f"| embedded database (demo size {ARGS.size}) | build s | Overview, 12 months, s (median of {ARGS.repeat}) | file MB |")
    print("|---|---|---|---|")
    for name, built, overview, size_mb in rows:
        print(f"| {name} | {built:.1f} | {overview:.3f} | {size_mb:.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S")
    parser.add_argument("--repeat", type=int, default=5)
    ARGS = parser.parse_args()
    main()
