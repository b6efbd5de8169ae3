"""Benchmark: ``python -m data_layer.sync`` of the demo CRM from PostgreSQL into a DuckDB copy.

Times a full sync into an empty file and then an incremental sync with nothing changed (a canonical CRM
names no modification times, so that one reads every table whole again and writes nothing), each in a
fresh subprocess so its peak memory (ru_maxrss) is its own. Build the CRM first:

    .venv/bin/python -m bench.pages --load --size M --url postgresql+psycopg://postgres@127.0.0.1:5432/granary_bench
    .venv/bin/python -m bench.sync [--size M] [--url URL] [--to /tmp/granary-bench/sync-M.duckdb]

Writes the table to bench/results/sync-<size>.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/granary_bench"


def one(url: str, to: str, full: bool) -> None:
    """Run one sync in this process and print its figures as JSON."""
    from data_layer.sync import sync

    t0 = time.perf_counter()
    report = sync(url, Path(to), full=full, progress=False)
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "seconds": round(seconds, 1),
        "read": sum(t.read for t in report.tables),
        "new": sum(t.new for t in report.tables),
        "changed": sum(t.changed for t in report.tables),
        "deleted": sum(t.deleted for t in report.tables),
        "slowest": sorted(((t.table, round(t.seconds, 1)) for t in report.tables), key=lambda x: -x[1])[:3],
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "file_mb": round(Path(to).stat().st_size / 2**20),
    }))


def measure(url: str, to: str, full: bool) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.sync", "--one", "full" if full else "incremental", "--url", url, "--to", to],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", default="M", help="the demo size loaded into --url (for the result's name)")
    parser.add_argument("--url", default=URL)
    parser.add_argument("--to", default="/tmp/granary-bench/sync-M.duckdb")
    parser.add_argument("--one", choices=("full", "incremental"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.url, args.to, args.one == "full")
        return
    Path(args.to).parent.mkdir(parents=True, exist_ok=True)
    for stale in (Path(args.to), Path(args.to + ".partial")):
        stale.unlink(missing_ok=True)
    full = measure(args.url, args.to, True)
    incremental = measure(args.url, args.to, False)
    lines = [
        f"# Sync of demo {args.size} from PostgreSQL into DuckDB",
        "",
        f"`python -m bench.sync --size {args.size}` on {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        "PostgreSQL on the same machine. Each sync runs in a fresh process.",
        "",
        "| sync | seconds | rows read | new | changed | deleted | peak RSS (MB) | copy (MB) | slowest tables (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in (("full (empty copy)", full), ("incremental, nothing changed", incremental)):
        slowest = ", ".join(f"{t} {s}" for t, s in r["slowest"])
        lines.append(f"| {name} | {r['seconds']} | {r['read']:,} | {r['new']:,} | {r['changed']:,} | {r['deleted']:,} | {r['peak_mb']:,} | {r['file_mb']:,} | {slowest} |")
    lines += [
        "",
        "A canonical CRM names no modification times, so the incremental sync reads every table whole again and",
        "compares it with the copy in DuckDB; it writes nothing when nothing changed. Through a mapping that names",
        "`modified` (the Odoo and SuiteCRM presets), it reads only the rows changed since the last sync.",
    ]
    out = RESULTS / f"sync-{args.size}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
