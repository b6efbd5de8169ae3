"""The command line for the same numbers the dashboard shows: ``python -m metrics summary``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from data_layer.config import load_settings
from data_layer.commands import MAPPING_HELP, command_mapping, command_url
from data_layer.connection import ConnectionProblem, explain, make_engine
from data_layer.dimensions import data_as_of, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, grain_for
from metrics.base import DIMENSIONS as RECORD_DIMENSIONS
from metrics.base import Context, Grouping, NotGroupable, compare, evaluate
from metrics.registry import REGISTRY

DIMENSIONS = ("unit", "period", *RECORD_DIMENSIONS)


def _plain(value: Any) -> Any:
    """JSON-friendly: money as a decimal string (exact), counts as ints, ratios as floats."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "item"):
        return value.item()
    return value


def summary(ctx: Context, flt: Filters, by: str | None) -> list[dict[str, Any]]:
    """One row per metric (and per group with ``by``): value, numerator, denominator and,
    ungrouped, the previous period's and the year-ago values."""
    rows: list[dict[str, Any]] = []
    for metric in REGISTRY.values():
        base = {"metric": metric.key, "label": metric.label["en"], "kind": metric.kind, "better": metric.better}
        try:
            if by is None:
                c = compare(metric, ctx, flt)
                rows.append(
                    base
                    | {
                        "value": _plain(c.current.value),
                        "numerator": _plain(c.current.numerator),
                        "denominator": _plain(c.current.denominator),
                        "reason": c.current.reason,
                        "excluded": dict(c.current.excluded),
                        "previous": _plain(c.previous.value),
                        "year_ago": _plain(c.year_ago.value),
                        "change_vs_previous": c.change(c.current, c.previous, metric.kind),
                        "change_vs_year_ago": c.change(c.current, c.year_ago, metric.kind),
                    }
                )
            else:
                frame = evaluate(metric, ctx, flt, Grouping("bucket" if by == "period" else by))  # type: ignore[arg-type]
                for row in frame.to_dict("records"):
                    rows.append(
                        base
                        | {
                            "group": _plain(row.get("group")),
                            "value": _plain(row.get("value")),
                            "numerator": _plain(row.get("numerator")),
                            "denominator": _plain(row.get("denominator")),
                            "excluded": {name: int(row[name]) for name in metric.excluded if row[name]},
                        }
                    )
        except NotGroupable as exc:
            rows.append(base | {"value": None, "reason": f"not applicable: {exc}"})
        except NotImplementedError as exc:
            rows.append(base | {"value": None, "reason": f"not available: {exc}"})
    return rows


def _flat(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as a table, ``excluded`` written as ``reason=n; reason=n`` (a cell holds text, not a mapping)."""
    return pd.DataFrame([r | {"excluded": "; ".join(f"{k}={n}" for k, n in r.get("excluded", {}).items())} for r in rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m metrics", description="Granary's metrics from the command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("summary", help="print every headline metric for a period")
    s.add_argument("--url", help="CRM database URL (default: CRM_DATABASE_URL, secrets.toml, else the demo)")
    s.add_argument("--mapping", help=MAPPING_HELP)
    s.add_argument("--start", required=True, type=date.fromisoformat, help="first day, YYYY-MM-DD")
    s.add_argument("--end", required=True, type=date.fromisoformat, help="last day, YYYY-MM-DD (inclusive)")
    s.add_argument("--as-of", type=date.fromisoformat, help="as-of date (default: the newest record's date)")
    s.add_argument("--unit", help="org unit code (its whole subtree)")
    s.add_argument("--bu", action="append", default=[], help="business unit code (repeatable)")
    s.add_argument(
        "--by",
        choices=DIMENSIONS,
        help="split by the units below --unit, by period bucket, or by the record's business unit, product, "
        "account segment, source, rep or campaign (metrics whose records lack it say so)",
    )
    s.add_argument("--format", choices=("json", "csv", "table"), default="table")
    args = parser.parse_args(argv)

    settings = load_settings()
    url = command_url(args.url, settings.calendar)
    if url is None:  # the demo could not be built; command_url said why
        return 2
    try:
        engine = make_engine(url, settings, mapping=command_mapping(args.url, args.mapping))
        org = load_org(engine)
        as_of = args.as_of or data_as_of(engine, settings.calendar) or args.end
        currency = reporting_currency(engine, settings.reporting_currency)
        if args.unit and org.by_code(args.unit) is None:
            parser.error(f"unknown unit code {args.unit!r}")
        period = Period(args.start, args.end, grain_for((args.end - args.start).days + 1), "days")
        flt = Filters(period, unit=args.unit, bus=tuple(args.bu))
        rows = summary(Context(engine, org, DEFAULT_VIEWER, settings.calendar, currency, as_of), flt, args.by)
    except ValueError as exc:
        parser.error(str(exc))
    except ConnectionProblem as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the message, not a traceback, with the password masked
        print(explain(exc, url), file=sys.stderr)
        return 2
    if args.format == "json":
        meta = {"start": str(args.start), "end": str(args.end), "as_of": str(as_of), "currency": currency, "unit": args.unit, "bu": args.bu}
        json.dump({"filters": meta, "metrics": rows}, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        _flat(rows).to_csv(sys.stdout, index=False)
    else:
        print(_flat(rows).drop(columns=["label", "better"]).to_string(index=False))
    return 0
