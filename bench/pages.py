"""Each page's set of metrics at demo size M, three ways: Granary's metrics (routed to the summary
tables, and forced to the raw tables), hand-written SQL for the same numbers, and the approach most
dashboards take — read the tables into pandas and compute there.

Every (page, approach) runs in a fresh subprocess, so its peak memory (ru_maxrss) is its own.
Writes a Markdown table to bench/results/pages-M.md.

    .venv/bin/python -m bench.pages [--size M] [--repeat 3] [--db /tmp/granary-bench/M.duckdb]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.dimensions import data_as_of, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, fiscal_year_of, fiscal_year_start, preset_period
from metrics import churn, router, wallet
from metrics.base import Context, Grouping, compare, evaluate, trend
from metrics.registry import HEADLINE, REGISTRY

AS_OF = date(2026, 11, 23)
RESULTS = Path(__file__).parent / "results"
PAGES = ("overview", "churn", "wallet")
APPROACHES = ("granary", "granary_raw", "hand_sql", "pandas")


# --- Granary -------------------------------------------------------------------------------------


def granary_page(page: str, ctx: Context, flt: Filters) -> object:
    if page == "overview":
        for key in HEADLINE:
            metric = REGISTRY[key]
            compare(metric, ctx, flt)
            trend(metric, ctx, flt)
            evaluate(metric, ctx, flt, Grouping("unit"))
        return None
    if page == "churn":
        return churn.churn_table(ctx, flt), churn.churn_table(ctx, flt, by="unit")
    return wallet.wallet_summary(ctx, flt), wallet.wallet_summary(ctx, flt, by="unit"), wallet.wallet_accounts(ctx, flt, 10)


# --- Hand-written SQL (DuckDB) ------------------------------------------------------------------------

_HOME = """
acc AS (
  SELECT a.account_id, coalesce(h.home_unit_id, a.home_unit_id) AS home
  FROM account a LEFT JOIN (
    SELECT account_id, max(home_unit_id) AS home_unit_id FROM account_history
    WHERE valid_from <= DATE '{end}' AND (valid_to IS NULL OR valid_to > DATE '{end}') GROUP BY account_id
  ) h USING (account_id)
)"""

_FX = """LEFT JOIN exchange_rate fx ON fx.from_currency = {t}.currency AND fx.to_currency = '{cur}'
  AND fx.valid_from <= {d} AND (fx.valid_to IS NULL OR {d} < fx.valid_to)"""


def churn_sql(flt: Filters, cur: str, top: dict[int, str]) -> str:
    s, e = churn.month_number(flt.period.start), churn.month_number(flt.period.end)
    lo = churn.month_start(min(s - 12, e - 23))
    hi = churn.month_start(e + 1)
    conv = f"CAST(o.amount AS DECIMAL(38,2)) * CASE WHEN o.currency = '{cur}' THEN 1 ELSE fx.rate END"
    return _churn_pair(s, e, lo, hi, conv, flt, cur)


def _churn_pair(s: int, e: int, lo: date, hi: date, conv: str, flt: Filters, cur: str) -> str:
    """Churn per account, then its sums: ``{g}``/``{gb}`` take a group column and its GROUP BY."""
    body = f"""
WITH {_HOME.format(end=flt.period.end)},
pa AS (
  SELECT o.account_id, any_value(acc.home) AS home,
    max(CASE WHEN o.amount > 0 AND m BETWEEN {s - 12} AND {s - 1} THEN 1 ELSE 0 END) AS in_base,
    max(CASE WHEN o.amount > 0 AND m BETWEEN {e - 11} AND {e} THEN 1 ELSE 0 END) AS active,
    greatest(round(coalesce(sum(CASE WHEN m BETWEEN {s - 12} AND {s - 1} THEN rev END), 0), 2), 0) AS base_rev,
    greatest(round(coalesce(sum(CASE WHEN m BETWEEN {e - 11} AND {e} THEN rev END), 0), 2), 0) AS recent,
    greatest(round(coalesce(sum(CASE WHEN m BETWEEN {e - 23} AND {e - 12} THEN rev END), 0), 2), 0) AS prior
  FROM (SELECT o.*, year(o.order_date) * 12 + month(o.order_date) - 1 AS m, {conv} AS rev
        FROM sales_order o {_FX.format(t='o', cur=cur, d='o.order_date')}
        WHERE o.order_date >= DATE '{lo}' AND o.order_date < DATE '{hi}' AND o.amount IS NOT NULL) o
  JOIN acc USING (account_id) GROUP BY o.account_id
)
SELECT {{g}} count(*) FILTER (in_base = 1) AS base, count(*) FILTER (in_base = 1 AND active = 0) AS churned,
  sum(base_rev) FILTER (in_base = 1) AS base_revenue, sum(base_rev) FILTER (in_base = 1 AND active = 0) AS churned_revenue,
  sum(prior) FILTER (in_base = 1) AS prior_revenue, sum(least(recent, prior)) FILTER (in_base = 1) AS retained_revenue,
  sum(recent) FILTER (in_base = 1) AS recent_revenue
FROM pa {{gb}}"""
    return body


def hand_sql_page(page: str, con: object, flt: Filters, cur: str, ctx: Context, cal: object) -> object:
    top = {u.code: ",".join(str(i) for i in sorted(ctx.org.subtree_ids(u.code))) for u in ctx.org.compared_units(None)}
    unit_case = "CASE " + " ".join(f"WHEN home IN ({ids}) THEN '{code}'" for code, ids in top.items()) + " END"
    if page == "churn":
        q = churn_sql(flt, cur, top)
        total = con.execute(q.replace("{g}", "").replace("{gb}", "")).df()  # type: ignore[attr-defined]
        by_unit = con.execute(q.replace("{g}", f"{unit_case} AS grp,").replace("{gb}", "GROUP BY grp")).df()  # type: ignore[attr-defined]
        return total, by_unit
    if page == "wallet":
        end = flt.period.end
        start = fiscal_year_start(end, ctx.calendar)
        fy = fiscal_year_of(end, ctx.calendar)
        p = f"""
WITH {_HOME.format(end=end)},
rev AS (SELECT o.account_id, CAST(round(sum(CAST(o.amount AS DECIMAL(38,2)) * CASE WHEN o.currency = '{cur}' THEN 1 ELSE fx.rate END) * 100, 0) AS BIGINT) AS rc
        FROM sales_order o {_FX.format(t='o', cur=cur, d='o.order_date')}
        WHERE o.order_date BETWEEN DATE '{start}' AND DATE '{end}' GROUP BY o.account_id),
w AS (SELECT w.account_id, CAST(round(CAST(w.amount AS DECIMAL(38,2)) * CASE WHEN w.currency = '{cur}' THEN 1 ELSE fx.rate END * 100, 0) AS BIGINT) AS wc
      FROM wallet_estimate w {_FX.format(t='w', cur=cur, d=f"DATE '{end}'")} WHERE w.fiscal_year = {fy} AND w.amount > 0),
p AS (SELECT acc.account_id, acc.home, coalesce(rev.rc, 0) AS rc, CASE WHEN w.wc > 0 THEN w.wc END AS wc
      FROM acc LEFT JOIN rev USING (account_id) LEFT JOIN w USING (account_id) WHERE rev.rc IS NOT NULL OR w.wc > 0)
"""
        agg = """count(*) AS accounts, count(wc) AS with_estimate, count(*) FILTER (rc > wc) AS above_wallet, sum(rc) AS revenue,
  sum(CASE WHEN wc IS NOT NULL THEN rc ELSE 0 END) AS covered, sum(wc) AS wallet,
  quantile_cont(CAST(rc AS DOUBLE) / wc, 0.5) FILTER (wc IS NOT NULL) AS median_share"""
        total = con.execute(p + f"SELECT {agg} FROM p").df()  # type: ignore[attr-defined]
        by_unit = con.execute(p + f"SELECT {unit_case} AS grp, {agg} FROM p GROUP BY grp ORDER BY grp").df()  # type: ignore[attr-defined]
        heads = con.execute(  # type: ignore[attr-defined]
            p + "SELECT p.account_id, a.name, p.home, rc, wc, wc - rc AS headroom FROM p JOIN account a USING (account_id) "
            "WHERE wc IS NOT NULL ORDER BY headroom DESC, p.account_id LIMIT 10"
        ).df()
        return total, by_unit, heads
    return None


# --- pandas: read the tables, compute there ------------------------------------------------------------


def read_tables(engine: object, page: str) -> dict[str, pd.DataFrame]:
    names = {
        "churn": ("sales_order", "exchange_rate", "account", "account_history"),
        "wallet": ("sales_order", "exchange_rate", "account", "account_history", "wallet_estimate"),
    }[page]
    return {n: pd.read_sql(f"SELECT * FROM {n}", engine) for n in names}  # type: ignore[arg-type]


def _rates(frame: pd.DataFrame, on: pd.Series, fx: pd.DataFrame, cur: str) -> np.ndarray:
    rate = np.where(frame["currency"].to_numpy() == cur, 1.0, np.nan)
    fx = fx[fx["to_currency"] == cur]
    for r in fx.itertuples():
        hit = (frame["currency"].to_numpy() == r.from_currency) & (on >= r.valid_from) & ((r.valid_to is None or pd.isna(r.valid_to)) | (on < r.valid_to))
        rate = np.where(hit, float(r.rate), rate)
    return rate


def _homes(t: dict[str, pd.DataFrame], end: date) -> pd.Series:
    h = t["account_history"]
    vf, vt = pd.to_datetime(h["valid_from"]), pd.to_datetime(h["valid_to"])
    live = h[(vf <= pd.Timestamp(end)) & (vt.isna() | (vt > pd.Timestamp(end)))].groupby("account_id")["home_unit_id"].max()
    a = t["account"].set_index("account_id")["home_unit_id"]
    return live.reindex(a.index).fillna(a).astype(int)


def pandas_page(page: str, t: dict[str, pd.DataFrame], flt: Filters, cur: str, ctx: Context) -> object:
    top = {u.code: ctx.org.subtree_ids(u.code) for u in ctx.org.compared_units(None)}
    o = t["sales_order"]
    od = pd.to_datetime(o["order_date"])
    homes = _homes(t, flt.period.end)
    unit_of = {uid: code for code, ids in top.items() for uid in ids}
    if page == "churn":
        s, e = churn.month_number(flt.period.start), churn.month_number(flt.period.end)
        m = (od.dt.year * 12 + od.dt.month - 1).to_numpy()
        keep = (m >= min(s - 12, e - 23)) & (m <= e) & o["amount"].notna().to_numpy()
        x = pd.DataFrame({"account_id": o["account_id"].to_numpy()[keep], "m": m[keep], "amount": o["amount"].astype(float).to_numpy()[keep]})
        x["rev"] = x["amount"] * _rates(o[keep], od[keep], t["exchange_rate"], cur)
        pos = x["amount"] > 0

        def win(lo: int, hi: int) -> pd.Series:
            return (x["m"] >= lo) & (x["m"] <= hi)

        x["base_flag"] = (pos & win(s - 12, s - 1)).astype(int)
        x["active"] = (pos & win(e - 11, e)).astype(int)
        x["base_rev"] = x["rev"].where(win(s - 12, s - 1), 0.0).fillna(0.0)
        x["recent"] = x["rev"].where(win(e - 11, e), 0.0).fillna(0.0)
        x["prior"] = x["rev"].where(win(e - 23, e - 12), 0.0).fillna(0.0)
        pa = x.groupby("account_id").agg(in_base=("base_flag", "max"), active=("active", "max"), base_rev=("base_rev", "sum"),
                                         recent=("recent", "sum"), prior=("prior", "sum"))
        pa[["base_rev", "recent", "prior"]] = pa[["base_rev", "recent", "prior"]].round(2).clip(lower=0)
        pa["unit"] = homes.reindex(pa.index).map(unit_of)
        b = pa[pa["in_base"] == 1]
        out = lambda g: pd.Series({"base": len(g), "churned": int((g["active"] == 0).sum()), "base_revenue": g["base_rev"].sum(),  # noqa: E731
                                   "churned_revenue": g.loc[g["active"] == 0, "base_rev"].sum(), "prior_revenue": g["prior"].sum(),
                                   "retained_revenue": np.minimum(g["recent"], g["prior"]).sum(), "recent_revenue": g["recent"].sum()})
        return out(b), b.groupby("unit").apply(out)
    end = flt.period.end
    start, fy = fiscal_year_start(end, ctx.calendar), fiscal_year_of(end, ctx.calendar)
    keep = ((od >= pd.Timestamp(start)) & (od <= pd.Timestamp(end))).to_numpy()
    sel = o[keep]
    rev = (sel["amount"].astype(float) * _rates(sel, od[keep], t["exchange_rate"], cur)).groupby(sel["account_id"]).sum(min_count=1)
    rc = (rev * 100).round()
    w = t["wallet_estimate"]
    w = w[(w["fiscal_year"] == fy) & (w["amount"].astype(float) > 0)]
    wc = (w["amount"].astype(float).to_numpy() * _rates(w, pd.Series(pd.Timestamp(end), index=w.index), t["exchange_rate"], cur) * 100).round()
    wc = pd.Series(wc, index=w["account_id"].to_numpy())
    wc = wc[wc > 0]
    p = pd.DataFrame({"home": homes})
    p["rc"], p["wc"] = rc.reindex(p.index), wc.reindex(p.index)
    p = p[p["rc"].notna() | p["wc"].notna()].copy()
    p["rc"] = p["rc"].fillna(0)
    p["unit"] = p["home"].map(unit_of)

    def summarise(g: pd.DataFrame) -> pd.Series:
        has = g["wc"].notna()
        return pd.Series({"accounts": len(g), "with_estimate": int(has.sum()), "revenue": g["rc"].sum(), "covered": g.loc[has, "rc"].sum(),
                          "wallet": g["wc"].sum(), "median_share": (g.loc[has, "rc"] / g.loc[has, "wc"]).median()})

    heads = p[p["wc"].notna()].assign(headroom=lambda d: d["wc"] - d["rc"]).sort_values("headroom", ascending=False).head(10)
    return summarise(p), p.groupby("unit").apply(summarise), heads


# --- One measurement, in its own process ------------------------------------------------------------


def one(db: str, page: str, approach: str, repeat: int) -> dict[str, object]:
    settings = load_settings({})
    engine = make_engine(f"duckdb:///{db}", settings)
    cur = reporting_currency(engine, None)
    as_of = data_as_of(engine, settings.calendar) or AS_OF
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, settings.calendar, cur, as_of)
    flt = Filters(preset_period("last_12_months", as_of, settings.calendar))
    run: Callable[[], object]
    if approach == "granary":
        run = lambda: granary_page(page, ctx, flt)  # noqa: E731
    elif approach == "granary_raw":

        def run() -> object:
            with router.raw_tables():
                return granary_page(page, ctx, flt)

    elif approach == "hand_sql":
        if page == "overview":
            return {"skipped": "no hand-written SQL for the overview yet"}
        engine.dispose()
        import duckdb

        con = duckdb.connect(db, read_only=True)
        run = lambda: hand_sql_page(page, con, flt, cur, ctx, settings.calendar)  # noqa: E731
    else:
        if page == "overview":
            return {"skipped": "no pandas overview yet"}
        reader = create_engine(f"duckdb:///{db}", connect_args={"read_only": True})
        engine.dispose()

        def run() -> object:
            return pandas_page(page, read_tables(reader, page), flt, cur, ctx)

        repeat = 1  # tens of seconds each: one run
    first = time.perf_counter()
    run()  # warm (and, for pandas, the one timed run)
    times = [time.perf_counter() - first]
    if approach != "pandas":
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "runs": len(times), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for page in PAGES:
        for approach in APPROACHES:
            proc = subprocess.run(
                [sys.executable, "-m", "bench.pages", "--one", page, approach, "--db", ARGS.db, "--repeat", str(ARGS.repeat)],
                capture_output=True, text=True, check=False,
            )
            if proc.returncode:
                rows[page, approach] = {"skipped": "failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1]}
            else:
                rows[page, approach] = json.loads(proc.stdout.strip().splitlines()[-1])
            print(page, approach, rows[page, approach], flush=True)
    lines = [
        f"# Pages at demo size {ARGS.size} (DuckDB, last 12 months to the data's as-of, whole company)",
        "",
        f"Median of {ARGS.repeat} warm runs (pandas: one run, reading the tables included); peak = the process's maximum RSS.",
        "",
        "| page | Granary (routed) s | Granary (raw tables) s | hand-written SQL s | pandas s | Granary ÷ SQL | pandas ÷ Granary | peak MB (Granary / SQL / pandas) |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def cell(page: str, approach: str) -> str:
        r = rows[page, approach]
        return "—" if "skipped" in r else f"{r['median_s']:.3f}"

    for page in PAGES:
        g, sql, pdx = rows[page, "granary"], rows[page, "hand_sql"], rows[page, "pandas"]
        ratio_sql = f"{g['median_s'] / sql['median_s']:.2f}×" if "median_s" in sql else "—"  # type: ignore[operator]
        ratio_pd = f"{pdx['median_s'] / g['median_s']:.0f}×" if "median_s" in pdx else "—"  # type: ignore[operator]
        mem = " / ".join("—" if "skipped" in rows[page, a] else f"{rows[page, a]['peak_mb']:.0f}" for a in ("granary", "hand_sql", "pandas"))
        lines.append(f"| {page} | {cell(page, 'granary')} | {cell(page, 'granary_raw')} | {cell(page, 'hand_sql')} | {cell(page, 'pandas')} | {ratio_sql} | {ratio_pd} | {mem} |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"pages-{ARGS.size}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default="/tmp/granary-bench/M.duckdb", help="a demo DuckDB built with its summaries")
    parser.add_argument("--one", nargs=2, metavar=("PAGE", "APPROACH"))
    ARGS = parser.parse_args()
    if ARGS.one:
        print(json.dumps(one(ARGS.db, ARGS.one[0], ARGS.one[1], ARGS.repeat)))
    else:
        main()
