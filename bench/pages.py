"""Each page's set of metrics, several ways, on DuckDB or PostgreSQL, each page's numbers checked equal
(the Markdown in bench/results/ is written from the table this prints):
Granary's metrics (routed to the summary tables where they answer, and forced to the raw tables; on
PostgreSQL, a live CRM without summary tables, both are the raw tables), hand-written SQL for the same
numbers (each database's own dialect, raw tables), and the approach most dashboards take — read the
tables into pandas and compute there — with two readers: ``pd.read_sql`` through SQLAlchemy (what most
dashboards do) and a fast one (DuckDB's ``.df()``; on PostgreSQL ``COPY … TO STDOUT`` into ``read_csv``).

Pages (whole company, ``last_12_months`` to the data's as-of date, or ``--period full``: the demo's three years):

- overview: the Overview's KPI cards (``metrics.registry.HEADLINE``: revenue, new customers, win rate, median sales
  cycle, logo churn, NRR, share of wallet) for the period, the previous period and the year-ago period (21 values;
  the hand-written SQL and pandas ask a period that is both previous and year-ago once, as ``compare`` does);
- cycle: the sales cycle's distribution (n, p25, median, p75, p90, mean), in total and per top unit;
- churn: ``churn_table`` in total and per top unit (base, churned and the five revenues);
- wallet: ``wallet_summary`` in total and per top unit, and the ten accounts with the most headroom (``wallet_accounts``),
  in one statement (``wallet_view``).

Every (page, approach) runs in a fresh subprocess, so its peak memory (ru_maxrss) is its own; each
prints its timings and its page's numbers, and the parent checks the hand-written SQL and pandas
numbers against Granary's. Prints a Markdown table (saved, with the raw JSON, under --work).

    .venv/bin/python -m bench.pages [--size M] [--repeat 3] [--db /tmp/granary-bench/M.duckdb | --url URL]
        [--period last_12_months|full] [--pages overview,cycle] [--approaches granary,hand_sql,...]
        [--work /tmp/granary-bench] [--resume]
    .venv/bin/python -m bench.pages --load --size M --url postgresql+psycopg://postgres@127.0.0.1:5432/granary_bench
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import make_url

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.dimensions import data_as_of, load_org, reporting_currency
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, fiscal_year_of, fiscal_year_start, grain_for, preset_period
from metrics import churn, router, sales_cycle, wallet
from metrics.base import Context, compare, shared_statements
from metrics.registry import HEADLINE, REGISTRY

PAGES = ("overview", "cycle", "churn", "wallet")
APPROACHES = ("granary", "granary_raw", "hand_sql", "pandas", "pandas_read_sql")
Values = dict[str, float | None]


def _num(v: object) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    return float(v)  # type: ignore[arg-type]


def _periods(flt: Filters) -> dict[str, Period]:
    return {"cur": flt.period, "prev": flt.period.previous(), "yago": flt.period.year_ago()}


def _top_units(ctx: Context) -> dict[str, list[int]]:
    return {u.code: sorted(ctx.org.subtree_ids(u.code)) for u in ctx.org.compared_units(None)}


# --- Granary -------------------------------------------------------------------------------------

_WALLET_COLS = ("accounts", "with_estimate", "above_wallet", "revenue", "covered_revenue", "wallet", "median_share")
_CYCLE_COLS = ("n", "p25", "median", "p75", "p90", "mean")
_CHURN_COLS = (*churn.COUNTS, *churn.MONEY)


def _rows(frame: pd.DataFrame, cols: tuple[str, ...], prefix: str) -> Values:
    out: Values = {}
    for r in frame.to_dict("records"):
        g = f"{prefix}{r['group']}." if "group" in r else prefix
        out |= {g + c: _num(r[c]) for c in cols}
    return out


def granary_page(page: str, ctx: Context, flt: Filters) -> Values:
    if page == "overview":
        out: Values = {}
        with shared_statements():  # as app.py renders a page: logo churn and NRR share their statement
            for key in HEADLINE:
                c = compare(REGISTRY[key], ctx, flt)
                out |= {f"{key}.cur": _num(c.current.value), f"{key}.prev": _num(c.previous.value), f"{key}.yago": _num(c.year_ago.value)}
        return out
    if page == "cycle":
        return _rows(sales_cycle.cycle_distribution(ctx, flt), _CYCLE_COLS, "total.") | _rows(
            sales_cycle.cycle_distribution(ctx, flt, by="unit"), _CYCLE_COLS, "unit."
        )
    if page == "churn":
        return _rows(churn.churn_table(ctx, flt), _CHURN_COLS, "total.") | _rows(churn.churn_table(ctx, flt, by="unit"), _CHURN_COLS, "unit.")
    view = wallet.wallet_view(ctx, flt, (None, "unit"), 10)  # one statement, as the wallet page asks
    heads = view.accounts
    return (
        _rows(view.summaries[None], _WALLET_COLS, "total.")
        | _rows(view.summaries["unit"], _WALLET_COLS, "unit.")
        | {f"top{i}.account_id": float(a) for i, a in enumerate(heads["account_id"])}
        | {f"top{i}.headroom": float(h) for i, h in enumerate(heads["headroom"])}
    )


# --- Hand-written SQL (DuckDB, raw tables) -------------------------------------------------------------

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


def _unit_case(col: str, top: dict[str, list[int]]) -> str:
    return "CASE " + " ".join(f"WHEN {col} IN ({','.join(map(str, ids))}) THEN '{code}'" for code, ids in top.items()) + " END"


def _ts(d: datetime) -> str:
    return f"TIMESTAMP '{d.isoformat(sep=' ')}'"


# The hand-written SQL is each database's own: DuckDB's native ``quantile_cont``, ``date_diff``,
# ``year()``/``month()`` and ``any_value``; PostgreSQL's ``percentile_cont … WITHIN GROUP``,
# ``EXTRACT`` and ``max`` (``any_value`` is PostgreSQL 16+). ``FILTER (WHERE …)`` is both's.


def _quantile(expr: str, p: float, dialect: str) -> str:
    if dialect == "duckdb":
        return f"quantile_cont({expr}, {p})"
    return f"percentile_cont({p}) WITHIN GROUP (ORDER BY {expr})"


def _seconds(a: str, b: str, dialect: str) -> str:
    """Whole seconds from timestamp ``a`` to ``b``, each truncated to the second."""
    if dialect == "duckdb":
        return f"date_diff('second', date_trunc('second', {a}), date_trunc('second', {b}))"
    return f"EXTRACT(EPOCH FROM date_trunc('second', {b}) - date_trunc('second', {a}))"


def _month_no(d: str, dialect: str) -> str:
    if dialect == "duckdb":
        return f"year({d}) * 12 + month({d}) - 1"
    return f"CAST(EXTRACT(YEAR FROM {d}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {d}) AS INTEGER) - 1"


def _any(expr: str, dialect: str) -> str:
    return f"any_value({expr})" if dialect == "duckdb" else f"max({expr})"


def _frame_values(frame: pd.DataFrame, cols: tuple[str, ...], prefix: str, scale: dict[str, float] | None = None) -> Values:
    out: Values = {}
    for r in frame.to_dict("records"):
        g = f"{prefix}{r['grp']}." if "grp" in r else prefix
        out |= {g + c: (None if _num(r[c]) is None else _num(r[c]) / (scale or {}).get(c, 1.0)) for c in cols}  # type: ignore[operator]
    return out


def hand_sql_page(page: str, q: Callable[[str], pd.DataFrame], flt: Filters, cur: str, ctx: Context,
                  dialect: str = "duckdb") -> Values:
    """The page's numbers in hand-written SQL on the raw tables; ``q`` runs one statement."""
    cal = ctx.calendar
    top = _top_units(ctx)
    if page == "overview":
        keys, distinct = _distinct_periods(flt)
        o = q(overview_orders_sql(distinct, cur, cal, dialect)).iloc[0]
        op = q(overview_opportunities_sql(distinct, cal, dialect)).iloc[0]
        out: Values = {}
        for label, k in keys.items():
            out |= {
                f"revenue.{label}": _num(o[f"revenue_{k}"]) or 0.0,
                f"new_customers.{label}": _num(o[f"new_customers_{k}"]),
                f"win_rate.{label}": _num(op[f"won_{k}"]) / _num(op[f"closed_{k}"]) if _num(op[f"closed_{k}"]) else None,  # type: ignore[operator]
                f"sales_cycle_median_days.{label}": _num(op[f"cycle_median_{k}"]),
                f"logo_churn.{label}": _num(o[f"churned_{k}"]) / _num(o[f"base_{k}"]) if _num(o[f"base_{k}"]) else None,  # type: ignore[operator]
                f"nrr.{label}": _num(o[f"recent_{k}"]) / _num(o[f"prior_{k}"]) if (_num(o[f"prior_{k}"]) or 0) > 0 else None,  # type: ignore[operator]
                f"share_of_wallet.{label}": _num(o[f"covered_{k}"]) / _num(o[f"wallet_{k}"]) if _num(o[f"wallet_{k}"]) else None,  # type: ignore[operator]
            }
        return out
    if page == "cycle":
        b0, b1 = map(_ts, flt.period.utc_bounds(cal))
        base = (f"SELECT {_seconds('created_at', 'closed_at', dialect)} AS s, unit_id "
                f"FROM opportunity WHERE status = 'won' AND closed_at >= {b0} AND closed_at < {b1} AND closed_at >= created_at")
        stats = (f"count(s) AS n, {_quantile('s', 0.25, dialect)} / 86400 AS p25, {_quantile('s', 0.5, dialect)} / 86400 AS median, "
                 f"{_quantile('s', 0.75, dialect)} / 86400 AS p75, {_quantile('s', 0.9, dialect)} / 86400 AS p90, "
                 "sum(s) / count(s) / 86400 AS mean")
        total = q(f"SELECT {stats} FROM ({base}) b")
        by_unit = q(f"SELECT {_unit_case('unit_id', top)} AS grp, {stats} FROM ({base}) b GROUP BY grp")
        return _frame_values(total, _CYCLE_COLS, "total.") | _frame_values(by_unit, _CYCLE_COLS, "unit.")
    if page == "churn":
        sql = churn_sql(flt, cur, dialect)
        total = q(sql.replace("{g}", "").replace("{gb}", ""))
        by_unit = q(sql.replace("{g}", f"{_unit_case('home', top)} AS grp,").replace("{gb}", "GROUP BY grp"))
        return _frame_values(total, _CHURN_COLS, "total.") | _frame_values(by_unit, _CHURN_COLS, "unit.")
    end = flt.period.end
    start, fy = fiscal_year_start(end, cal), fiscal_year_of(end, cal)
    p = f"""
WITH {_HOME.format(end=end)},
rev AS (SELECT o.account_id, CAST(round(sum(round(CAST(o.amount AS DECIMAL(38,2)) * CASE WHEN o.currency = '{cur}' THEN 1 ELSE fx.rate END, 2)) * 100, 0) AS BIGINT) AS rc
        FROM sales_order o {_FX.format(t='o', cur=cur, d='o.order_date')}
        WHERE o.order_date BETWEEN DATE '{start}' AND DATE '{end}' AND o.amount IS NOT NULL GROUP BY o.account_id),
w AS (SELECT w.account_id, CAST(round(round(CAST(w.amount AS DECIMAL(38,2)) * CASE WHEN w.currency = '{cur}' THEN 1 ELSE fx.rate END, 2) * 100, 0) AS BIGINT) AS wc
      FROM wallet_estimate w {_FX.format(t='w', cur=cur, d=f"DATE '{end}'")} WHERE w.fiscal_year = {fy} AND w.amount > 0),
p AS (SELECT acc.account_id, acc.home, greatest(coalesce(rev.rc, 0), 0) AS rc, CASE WHEN w.wc > 0 THEN w.wc END AS wc
      FROM acc LEFT JOIN rev USING (account_id) LEFT JOIN w USING (account_id) WHERE rev.rc IS NOT NULL OR w.wc > 0)
"""
    agg = f"""count(*) AS accounts, count(wc) AS with_estimate, count(*) FILTER (WHERE rc > wc) AS above_wallet, sum(rc) AS revenue,
  sum(CASE WHEN wc IS NOT NULL THEN rc ELSE 0 END) AS covered_revenue, sum(wc) AS wallet,
  {_quantile('CAST(rc AS DOUBLE PRECISION) / wc', 0.5, dialect)} FILTER (WHERE wc IS NOT NULL) AS median_share"""
    cents = {"revenue": 100.0, "covered_revenue": 100.0, "wallet": 100.0}
    total = q(p + f"SELECT {agg} FROM p")
    by_unit = q(p + f"SELECT {_unit_case('home', top)} AS grp, {agg} FROM p GROUP BY grp")
    heads = q(p + "SELECT p.account_id, a.name, p.home, rc, wc, wc - rc AS headroom FROM p JOIN account a USING (account_id) "
              "WHERE wc IS NOT NULL ORDER BY headroom DESC, p.account_id LIMIT 10")
    return (
        _frame_values(total, _WALLET_COLS, "total.", cents)
        | _frame_values(by_unit, _WALLET_COLS, "unit.", cents)
        | {f"top{i}.account_id": float(a) for i, a in enumerate(heads["account_id"])}
        | {f"top{i}.headroom": float(h) / 100 for i, h in enumerate(heads["headroom"])}
    )


def _distinct_periods(flt: Filters) -> tuple[dict[str, str], dict[str, Period]]:
    """The overview's three periods (``cur``, ``prev``, ``yago``) as keys into the distinct ones
    (``p0``, ``p1``, …): for a year, the previous period is the year-ago period, asked once."""
    found: dict[tuple[date, date], str] = {}
    distinct: dict[str, Period] = {}
    keys: dict[str, str] = {}
    for label, p in _periods(flt).items():
        if (p.start, p.end) not in found:
            found[p.start, p.end] = f"p{len(found)}"
            distinct[found[p.start, p.end]] = p
        keys[label] = found[p.start, p.end]
    return keys, distinct


def overview_orders_sql(periods: dict[str, Period], cur: str, cal: object, dialect: str = "duckdb") -> str:
    """The Overview's order-based KPIs for each period, in one pass over the orders: every account's
    first positive order, revenue, churn flags and retention revenues, and fiscal-year-to-date revenue
    per period, then summed; wallets per period joined to it. Columns ``<measure>_<key>``."""
    conv = f"round(CAST(o.amount AS DECIMAL(38,2)) * CASE WHEN o.currency = '{cur}' THEN 1 ELSE fx.rate END, 2)"  # per order
    cols: list[str] = ["min(o.order_date) FILTER (WHERE o.amount > 0) AS first_order"]
    sums: list[str] = []
    wallets: list[str] = []
    sow: list[str] = []

    def rev(lo: int, hi: int) -> str:  # an account's revenue in months lo … hi: netted, to the cent, not below zero
        return f"greatest(round(coalesce(sum(rev) FILTER (WHERE m BETWEEN {lo} AND {hi}), 0), 2), 0)"

    for k, p in periods.items():
        s, e = churn.month_number(p.start), churn.month_number(p.end)
        fy_start, fy = fiscal_year_start(p.end, cal), fiscal_year_of(p.end, cal)  # type: ignore[arg-type]
        cols += [
            f"sum(rev) FILTER (WHERE o.order_date BETWEEN DATE '{p.start}' AND DATE '{p.end}') AS revenue_{k}",
            f"bool_or(o.amount > 0 AND m BETWEEN {s - 12} AND {s - 1}) AS in_base_{k}",
            f"bool_or(o.amount > 0 AND m BETWEEN {e - 11} AND {e}) AS active_{k}",
            f"{rev(e - 11, e)} AS recent_{k}",
            f"{rev(e - 23, e - 12)} AS prior_{k}",
            f"CAST(round(sum(rev) FILTER (WHERE o.order_date BETWEEN DATE '{fy_start}' AND DATE '{p.end}') * 100, 0) AS BIGINT) AS ytd_cents_{k}",
        ]
        sums += [
            f"coalesce(sum(revenue_{k}), 0) AS revenue_{k}",
            f"count(*) FILTER (WHERE first_order BETWEEN DATE '{p.start}' AND DATE '{p.end}') AS new_customers_{k}",
            f"count(*) FILTER (WHERE in_base_{k}) AS base_{k}",
            f"count(*) FILTER (WHERE in_base_{k} AND NOT active_{k}) AS churned_{k}",
            f"coalesce(sum(recent_{k}) FILTER (WHERE in_base_{k}), 0) AS recent_{k}",
            f"coalesce(sum(prior_{k}) FILTER (WHERE in_base_{k}), 0) AS prior_{k}",
        ]
        wallets.append(
            f"SELECT '{k}' AS k, w.account_id, CAST(round(round(CAST(w.amount AS DECIMAL(38,2)) * CASE WHEN w.currency = '{cur}' "
            f"THEN 1 ELSE fx.rate END, 2) * 100, 0) AS BIGINT) AS wc FROM wallet_estimate w "
            + _FX.format(t="w", cur=cur, d=f"DATE '{p.end}'") + f" WHERE w.fiscal_year = {fy} AND w.amount > 0"
        )
        sow += [f"sum(greatest(coalesce(pa.ytd_cents_{k}, 0), 0)) FILTER (WHERE w.k = '{k}') AS covered_{k}",
                f"sum(w.wc) FILTER (WHERE w.k = '{k}') AS wallet_{k}"]
    # account_id is NOT NULL and references account: every order's account is an account.
    return f"""
WITH pa AS MATERIALIZED (
  SELECT o.account_id, {', '.join(cols)}
  FROM (SELECT o.*, {_month_no('o.order_date', dialect)} AS m, {conv} AS rev
        FROM sales_order o {_FX.format(t='o', cur=cur, d='o.order_date')} WHERE o.amount IS NOT NULL) o
  GROUP BY o.account_id
),
w AS ({' UNION ALL '.join(wallets)})
SELECT * FROM (SELECT {', '.join(sums)} FROM pa) a,
  (SELECT {', '.join(sow)} FROM w LEFT JOIN pa USING (account_id) WHERE w.wc > 0) b"""


def overview_opportunities_sql(periods: dict[str, Period], cal: object, dialect: str = "duckdb") -> str:
    """Won, won + lost and the median sales cycle (days) of the opportunities closed in each period, in one pass."""
    b = {k: tuple(map(_ts, p.utc_bounds(cal))) for k, p in periods.items()}  # type: ignore[arg-type]
    lo, hi = min(x[0] for x in b.values()), max(x[1] for x in b.values())
    cols = ", ".join(
        f"count(*) FILTER (WHERE status = 'won' AND closed_at >= {b0} AND closed_at < {b1}) AS won_{k}, "
        f"count(*) FILTER (WHERE closed_at >= {b0} AND closed_at < {b1}) AS closed_{k}, "
        f"{_quantile('s', 0.5, dialect)} FILTER (WHERE status = 'won' AND closed_at >= created_at AND closed_at >= {b0} "
        f"AND closed_at < {b1}) / 86400 AS cycle_median_{k}"
        for k, (b0, b1) in b.items()
    )
    return (f"SELECT {cols} FROM (SELECT status, created_at, closed_at, {_seconds('created_at', 'closed_at', dialect)} AS s "
            f"FROM opportunity WHERE status IN ('won', 'lost') AND closed_at >= {lo} AND closed_at < {hi}) x")


def churn_sql(flt: Filters, cur: str, dialect: str = "duckdb") -> str:
    """Churn per account, then its sums: ``{g}``/``{gb}`` take a group column and its GROUP BY."""
    s, e = churn.month_number(flt.period.start), churn.month_number(flt.period.end)
    lo, hi = churn.month_start(min(s - 12, e - 23)), churn.month_start(e + 1)
    conv = f"round(CAST(o.amount AS DECIMAL(38,2)) * CASE WHEN o.currency = '{cur}' THEN 1 ELSE fx.rate END, 2)"  # per order
    return f"""
WITH {_HOME.format(end=flt.period.end)},
pa AS (
  SELECT o.account_id, {_any('acc.home', dialect)} AS home,
    max(CASE WHEN o.amount > 0 AND m BETWEEN {s - 12} AND {s - 1} THEN 1 ELSE 0 END) AS in_base,
    max(CASE WHEN o.amount > 0 AND m BETWEEN {e - 11} AND {e} THEN 1 ELSE 0 END) AS active,
    greatest(round(coalesce(sum(CASE WHEN m BETWEEN {s - 12} AND {s - 1} THEN rev END), 0), 2), 0) AS base_rev,
    greatest(round(coalesce(sum(CASE WHEN m BETWEEN {e - 11} AND {e} THEN rev END), 0), 2), 0) AS recent,
    greatest(round(coalesce(sum(CASE WHEN m BETWEEN {e - 23} AND {e - 12} THEN rev END), 0), 2), 0) AS prior
  FROM (SELECT o.*, {_month_no('o.order_date', dialect)} AS m, {conv} AS rev
        FROM sales_order o {_FX.format(t='o', cur=cur, d='o.order_date')}
        WHERE o.order_date >= DATE '{lo}' AND o.order_date < DATE '{hi}' AND o.amount IS NOT NULL) o
  JOIN acc USING (account_id) GROUP BY o.account_id
)
SELECT {{g}} count(*) FILTER (WHERE in_base = 1) AS base, count(*) FILTER (WHERE in_base = 1 AND active = 0) AS churned,
  coalesce(sum(base_rev) FILTER (WHERE in_base = 1), 0) AS base_revenue,
  coalesce(sum(base_rev) FILTER (WHERE in_base = 1 AND active = 0), 0) AS churned_revenue,
  coalesce(sum(prior) FILTER (WHERE in_base = 1), 0) AS prior_revenue,
  coalesce(sum(least(recent, prior)) FILTER (WHERE in_base = 1), 0) AS retained_revenue,
  coalesce(sum(recent) FILTER (WHERE in_base = 1), 0) AS recent_revenue
FROM pa {{gb}}"""


# --- pandas: read the tables, compute there ------------------------------------------------------------

#: The columns each page reads (a dashboard that reads SELECT * would read more, and be slower).
TABLES: dict[str, dict[str, str]] = {
    "overview": {"sales_order": "account_id, order_date, amount, currency", "exchange_rate": "*",
                 "opportunity": "created_at, closed_at, status", "wallet_estimate": "account_id, fiscal_year, amount, currency"},
    "cycle": {"opportunity": "created_at, closed_at, status, unit_id"},
    "churn": {"sales_order": "account_id, order_date, amount, currency", "exchange_rate": "*", "account": "account_id, home_unit_id",
              "account_history": "account_id, home_unit_id, valid_from, valid_to"},
    "wallet": {"sales_order": "account_id, order_date, amount, currency", "exchange_rate": "*", "account": "account_id, name, home_unit_id",
               "account_history": "account_id, home_unit_id, valid_from, valid_to", "wallet_estimate": "account_id, fiscal_year, amount, currency"},
}


def read_tables(con: object, page: str) -> dict[str, pd.DataFrame]:
    """The fast reader on DuckDB: its ``.df()`` hands the columns over in bulk."""
    return {n: con.execute(f"SELECT {cols} FROM {n}").df() for n, cols in TABLES[page].items()}  # type: ignore[attr-defined]


def read_tables_sql(engine: object, page: str) -> dict[str, pd.DataFrame]:
    """What most dashboards do: ``pd.read_sql`` through SQLAlchemy (rows as Python objects)."""
    return {n: pd.read_sql(f"SELECT {cols} FROM {n}", engine) for n, cols in TABLES[page].items()}  # type: ignore[arg-type]


_DATE_COLUMNS = ("order_date", "valid_from", "valid_to", "created_at", "closed_at")


def read_tables_copy(raw: object, page: str) -> dict[str, pd.DataFrame]:
    """The fast reader on PostgreSQL: ``COPY (SELECT …) TO STDOUT`` as CSV into ``pd.read_csv``
    (C parsers on both ends, no Python object per value); dates and timestamps parsed."""
    import io

    out = {}
    for n, cols in TABLES[page].items():
        buf = io.BytesIO()
        with raw.cursor() as cur:  # type: ignore[attr-defined]
            with cur.copy(f"COPY (SELECT {cols} FROM {n}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                for block in copy:
                    buf.write(block)
        buf.seek(0)
        head = pd.read_csv(io.BytesIO(buf.getvalue().split(b"\n", 1)[0]), nrows=0).columns
        out[n] = pd.read_csv(buf, parse_dates=[c for c in head if c in _DATE_COLUMNS])
    return out


def _rates(currency: np.ndarray, on: np.ndarray, fx: pd.DataFrame, cur: str) -> np.ndarray:
    """The rate in force on each date (datetime64[D]): 1 in the reporting currency, NaN with no rate."""
    rate = np.where(currency == cur, 1.0, np.nan)
    fx = fx[fx["to_currency"] == cur]
    for c, g in fx.groupby("from_currency"):
        if c == cur:
            continue
        g = g.sort_values("valid_from")
        vf = pd.to_datetime(g["valid_from"]).to_numpy("datetime64[D]")
        vt = pd.to_datetime(g["valid_to"]).to_numpy("datetime64[D]")
        hit = currency == c
        d = on[hit]
        i = np.searchsorted(vf, d, side="right") - 1
        ok = i >= 0
        ic = np.clip(i, 0, None)
        ok &= np.isnat(vt[ic]) | (d < vt[ic])
        rate[np.flatnonzero(hit)[ok]] = g["rate"].astype(float).to_numpy()[ic[ok]]
    return rate


def _round(x: np.ndarray | pd.Series, digits: int = 2) -> np.ndarray:
    """Half away from zero, as SQL's ROUND of a decimal."""
    f = 10.0**digits
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.floor(np.abs(x) * f + 0.5 + 1e-9) / f


def _homes(t: dict[str, pd.DataFrame], end: date) -> pd.Series:
    h = t["account_history"]
    vf, vt = pd.to_datetime(h["valid_from"]), pd.to_datetime(h["valid_to"])
    live = h[(vf <= pd.Timestamp(end)) & (vt.isna() | (vt > pd.Timestamp(end)))].groupby("account_id")["home_unit_id"].max()
    a = t["account"].set_index("account_id")["home_unit_id"]
    return live.reindex(a.index).fillna(a).astype(int)


def _unit_map(ctx: Context) -> dict[int, str]:
    return {uid: code for code, ids in _top_units(ctx).items() for uid in ids}


def _churn_accounts(account_id: np.ndarray, m: np.ndarray, amount: np.ndarray, rev: np.ndarray, s: int, e: int) -> pd.DataFrame:
    """Per account with an order in the months read (orders with an amount; ``rev`` to the cent per
    order, NaN without a rate): ``in_base``, ``active`` (0/1) and ``base_rev``, ``recent``, ``prior``
    (netted, to the cent, not below zero)."""
    keep = (m >= min(s - 12, e - 23)) & (m <= e)
    mk, ak, rk = m[keep], amount[keep], np.nan_to_num(rev[keep])
    pos = ak > 0

    def win(lo: int, hi: int) -> np.ndarray:
        return (mk >= lo) & (mk <= hi)

    x = pd.DataFrame({"account_id": account_id[keep], "base_flag": (pos & win(s - 12, s - 1)).astype(int),
                      "active": (pos & win(e - 11, e)).astype(int), "base_rev": np.where(win(s - 12, s - 1), rk, 0.0),
                      "recent": np.where(win(e - 11, e), rk, 0.0), "prior": np.where(win(e - 23, e - 12), rk, 0.0)})
    pa = x.groupby("account_id").agg(in_base=("base_flag", "max"), active=("active", "max"), base_rev=("base_rev", "sum"),
                                     recent=("recent", "sum"), prior=("prior", "sum"))
    for c in ("base_rev", "recent", "prior"):
        pa[c] = np.maximum(_round(pa[c].to_numpy()), 0.0)
    return pa


def _wallet_cents(account_id: np.ndarray, od: np.ndarray, conv: np.ndarray, w: pd.DataFrame, fx: pd.DataFrame, cur: str,
                  end: date, cal: object) -> tuple[pd.Series, pd.Series]:
    """Fiscal-year-to-date revenue per account to ``end`` (orders with an amount; ``conv`` to the cent
    per order) and the usable wallet estimates of that fiscal year at ``end``'s rate, both in cents."""
    start, fy = fiscal_year_start(end, cal), fiscal_year_of(end, cal)  # type: ignore[arg-type]
    keep = (od >= np.datetime64(start)) & (od <= np.datetime64(end))
    rev = pd.Series(conv[keep]).groupby(account_id[keep]).sum(min_count=1)
    rc = pd.Series(np.maximum(_round(rev.to_numpy() * 100, 0), 0), index=rev.index)  # netted, not below zero
    w = w[(w["fiscal_year"] == fy) & (w["amount"].astype(float) > 0)]
    on = np.full(len(w), np.datetime64(end), dtype="datetime64[D]")
    wc = pd.Series(_round(_round(w["amount"].astype(float).to_numpy() * _rates(w["currency"].to_numpy(), on, fx, cur)) * 100, 0),
                   index=w["account_id"].to_numpy())
    return rc, wc[wc > 0]


def pandas_page(page: str, t: dict[str, pd.DataFrame], flt: Filters, cur: str, ctx: Context) -> Values:
    cal = ctx.calendar
    out: Values = {}
    if page == "cycle":
        op = t["opportunity"]
        b0, b1 = (pd.Timestamp(x) for x in flt.period.utc_bounds(cal))
        w = op[(op["status"] == "won") & (op["closed_at"] >= b0) & (op["closed_at"] < b1) & (op["closed_at"] >= op["created_at"])]
        s = (w["closed_at"].dt.floor("s") - w["created_at"].dt.floor("s")).dt.total_seconds()
        units = w["unit_id"].map(_unit_map(ctx))

        def stats(x: pd.Series, prefix: str) -> Values:
            v = x.to_numpy(dtype=float)
            q = np.quantile(v, [0.25, 0.5, 0.75, 0.9]) / 86400 if len(v) else [None] * 4
            return {prefix + "n": float(len(v)), **{prefix + c: _num(q[i]) for i, c in enumerate(("p25", "median", "p75", "p90"))},
                    prefix + "mean": v.sum() / len(v) / 86400 if len(v) else None}

        out |= stats(s, "total.")
        for code, g in s.groupby(units):
            out |= stats(g, f"unit.{code}.")
        return out
    o = t["sales_order"]
    fx = t["exchange_rate"]
    o = o[o["amount"].notna()]  # an order with no amount counts nowhere on these pages
    od = pd.to_datetime(o["order_date"]).to_numpy("datetime64[D]")
    amount = o["amount"].astype(float).to_numpy()
    account_id = o["account_id"].to_numpy()
    conv = _round(amount * _rates(o["currency"].to_numpy(), od, fx, cur))  # to the cent per order; NaN without a rate
    dt = pd.DatetimeIndex(od)
    m = (dt.year * 12 + dt.month - 1).to_numpy()
    if page == "overview":
        op = t["opportunity"]
        first = pd.Series(od[amount > 0]).groupby(account_id[amount > 0]).min().to_numpy()
        keys, distinct = _distinct_periods(flt)
        per: dict[str, Values] = {}
        for k, p in distinct.items():
            inp = (od >= np.datetime64(p.start)) & (od <= np.datetime64(p.end))
            b0, b1 = (pd.Timestamp(x) for x in p.utc_bounds(cal))
            closed = op[(op["closed_at"] >= b0) & (op["closed_at"] < b1) & op["status"].isin(("won", "lost"))]
            won = closed[closed["status"] == "won"]
            won = won[won["closed_at"] >= won["created_at"]]
            secs = (won["closed_at"].dt.floor("s") - won["created_at"].dt.floor("s")).dt.total_seconds().to_numpy(dtype=float)
            pa = _churn_accounts(account_id, m, amount, conv, churn.month_number(p.start), churn.month_number(p.end))
            b = pa[pa["in_base"] == 1]
            prior = b["prior"].sum()
            rc, wc = _wallet_cents(account_id, od, conv, t["wallet_estimate"], fx, cur, p.end, cal)
            per[k] = {
                "revenue": float(np.nansum(conv[inp])),
                "new_customers": float(((first >= np.datetime64(p.start)) & (first <= np.datetime64(p.end))).sum()),
                "win_rate": (closed["status"] == "won").sum() / len(closed) if len(closed) else None,
                "sales_cycle_median_days": float(np.quantile(secs, 0.5)) / 86400 if len(secs) else None,
                "logo_churn": float((b["active"] == 0).sum()) / len(b) if len(b) else None,
                "nrr": b["recent"].sum() / prior if prior > 0 else None,
                "share_of_wallet": rc.reindex(wc.index).fillna(0).sum() / wc.sum() if len(wc) else None,
            }
        return {f"{key}.{label}": v for label, k in keys.items() for key, v in per[k].items()}
    unit_of = _unit_map(ctx)
    homes = _homes(t, flt.period.end)
    if page == "churn":
        pa = _churn_accounts(account_id, m, amount, conv, churn.month_number(flt.period.start), churn.month_number(flt.period.end))
        pa["unit"] = homes.reindex(pa.index).map(unit_of)
        b = pa[pa["in_base"] == 1]

        def summarise(g: pd.DataFrame, prefix: str) -> Values:
            gone = g["active"] == 0
            return {prefix + "base": float(len(g)), prefix + "churned": float(gone.sum()), prefix + "base_revenue": g["base_rev"].sum(),
                    prefix + "churned_revenue": g.loc[gone, "base_rev"].sum(), prefix + "prior_revenue": g["prior"].sum(),
                    prefix + "retained_revenue": np.minimum(g["recent"], g["prior"]).sum(), prefix + "recent_revenue": g["recent"].sum()}

        out |= summarise(b, "total.")
        for code, g in b.groupby("unit"):
            out |= summarise(g, f"unit.{code}.")
        return out
    rc, wc = _wallet_cents(account_id, od, conv, t["wallet_estimate"], fx, cur, flt.period.end, cal)
    p = pd.DataFrame({"home": homes})
    p["rc"], p["wc"] = rc.reindex(p.index), wc.reindex(p.index)
    p = p[p["rc"].notna() | p["wc"].notna()].copy()
    p["rc"] = p["rc"].fillna(0)
    p["unit"] = p["home"].map(unit_of)

    def summarise_w(g: pd.DataFrame, prefix: str) -> Values:
        has = g["wc"].notna()
        share = (g.loc[has, "rc"] / g.loc[has, "wc"]).to_numpy()
        return {prefix + "accounts": float(len(g)), prefix + "with_estimate": float(has.sum()),
                prefix + "above_wallet": float((g.loc[has, "rc"] > g.loc[has, "wc"]).sum()), prefix + "revenue": g["rc"].sum() / 100,
                prefix + "covered_revenue": g.loc[has, "rc"].sum() / 100, prefix + "wallet": g["wc"].sum() / 100,
                prefix + "median_share": float(np.quantile(share, 0.5)) if len(share) else None}

    out |= summarise_w(p, "total.")
    for code, g in p.groupby("unit"):
        out |= summarise_w(g, f"unit.{code}.")
    heads = p[p["wc"].notna()].assign(headroom=lambda d: d["wc"] - d["rc"]).reset_index(names="account_id")
    heads = heads.sort_values(["headroom", "account_id"], ascending=[False, True]).head(10)
    heads = heads.merge(t["account"][["account_id", "name"]], on="account_id", how="left")  # the page shows names
    out |= {f"top{i}.account_id": float(a) for i, a in enumerate(heads["account_id"])}
    out |= {f"top{i}.headroom": float(h) / 100 for i, h in enumerate(heads["headroom"])}
    return out


# --- One measurement, in its own process ------------------------------------------------------------


def full_history(as_of: date) -> Period:
    """The demo's whole window: the three years up to and including the as-of date (as the generator's)."""
    try:
        start = as_of.replace(year=as_of.year - 3)
    except ValueError:  # 29 February
        start = date(as_of.year - 3, 2, 28)
    start += timedelta(days=1)
    return Period(start, as_of, grain_for((as_of - start).days + 1), "days")


def _frame(cur: object, sql: str) -> pd.DataFrame:
    cur.execute(sql)  # type: ignore[attr-defined]
    return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])  # type: ignore[attr-defined]


def one(url: str, page: str, approach: str, repeat: int, period: str = "last_12_months") -> dict[str, object]:
    # Timed, not cut: the app's 30 s statement timeout would stop the slowest PostgreSQL statements
    # on a busy machine before they finish (the write-up says which take that long).
    settings = load_settings({"granary": {"statement_timeout_s": 600}})
    engine = make_engine(url, settings)
    backend = engine.dialect.name
    cur = reporting_currency(engine, None)
    as_of = data_as_of(engine, settings.calendar)
    assert as_of is not None
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, settings.calendar, cur, as_of)
    flt = Filters(full_history(as_of) if period == "full" else preset_period(period, as_of, settings.calendar))
    route = router.route(ctx).reason
    run: Callable[[], Values]
    if approach == "granary":
        run = lambda: granary_page(page, ctx, flt)  # noqa: E731
    elif approach == "granary_raw":

        def run() -> Values:
            with router.raw_tables():
                return granary_page(page, ctx, flt)

    elif approach == "pandas_read_sql":  # the tables read with pd.read_sql through SQLAlchemy
        run = lambda: pandas_page(page, read_tables_sql(engine, page), flt, cur, ctx)  # noqa: E731
    elif backend == "duckdb":
        db = make_url(url).database
        engine.dispose()
        import duckdb

        con = duckdb.connect(db, read_only=True)
        if approach == "hand_sql":
            run = lambda: hand_sql_page(page, lambda sql: con.execute(sql).df(), flt, cur, ctx, "duckdb")  # noqa: E731
        else:
            run = lambda: pandas_page(page, read_tables(con, page), flt, cur, ctx)  # noqa: E731
    else:  # PostgreSQL, through psycopg directly
        raw = engine.raw_connection().driver_connection
        raw.autocommit = True
        if approach == "hand_sql":

            def run() -> Values:
                with raw.cursor() as c:
                    return hand_sql_page(page, lambda sql: _frame(c, sql), flt, cur, ctx, "postgresql")

        else:
            run = lambda: pandas_page(page, read_tables_copy(raw, page), flt, cur, ctx)  # noqa: E731
    t0 = time.perf_counter()
    values = run()  # warm-up
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return {"median_s": statistics.median(times), "times": times, "first_s": first, "route": route,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "values": values, "period": str(flt.period),
            "backend": backend, "load": os.getloadavg()}


# --- Checking and reporting ---------------------------------------------------------------------------


_MONEY_KEYS = ("revenue", "wallet", "headroom")


def check(want: Values, got: Values, alt: Values | None = None) -> list[str]:
    """Keys whose values differ from ``want`` (and from ``alt``, when given: Granary's raw-table
    route): counts exactly, money within half a cent, ratios and days within 1e-9 relative."""
    bad = []
    for k in sorted(set(want) | set(got)):
        b = got.get(k, "missing")
        tol = 0.005 if any(m in k for m in _MONEY_KEYS) else 1e-9

        def same(a: object) -> bool:
            if a is None or b is None:
                return a is None and b is None
            return isinstance(a, float | int) and isinstance(b, float | int) and math.isclose(a, b, rel_tol=1e-9, abs_tol=tol)

        if not same(want.get(k, "missing")) and not (alt is not None and same(alt.get(k, "missing"))):
            bad.append(f"{k}: {want.get(k)} vs {b}")
    return bad


def main() -> None:
    rows: dict[tuple[str, str], dict[str, object]] = {}
    pages = ARGS.pages.split(",")
    Path(ARGS.work).mkdir(parents=True, exist_ok=True)
    out_json = Path(ARGS.work) / f"{_stem()}.json"
    if ARGS.resume and out_json.exists():
        rows = {tuple(k.split("|")): v for k, v in json.loads(out_json.read_text()).items()}  # type: ignore[misc]
    for page in pages:
        for approach in ARGS.approaches.split(","):
            if (page, approach) in rows and "median_s" in rows[page, approach]:
                continue
            proc = subprocess.run(
                [sys.executable, "-m", "bench.pages", "--one", page, approach, "--url", _url(), "--repeat", str(ARGS.repeat),
                 "--period", ARGS.period],
                capture_output=True, text=True, check=False,
            )
            if proc.returncode:
                rows[page, approach] = {"failed": (proc.stderr.strip().splitlines() or ["?"])[-1]}
            else:
                rows[page, approach] = json.loads(proc.stdout.strip().splitlines()[-1])
            r = rows[page, approach]
            print(page, approach, {k: v for k, v in r.items() if k != "values"}, f"load {os.getloadavg()[0]:.1f}", flush=True)
            out_json.write_text(json.dumps({f"{p}|{a}": v for (p, a), v in rows.items()}, indent=1, default=str))
    report(rows, [p for p in PAGES if any((p, a) in rows for a in APPROACHES)])


def report(rows: dict[tuple[str, str], dict[str, object]], pages: list[str]) -> None:
    fast = "DuckDB .df()" if make_url(_url()).get_backend_name() == "duckdb" else "COPY → read_csv"
    lines = [
        f"| page | Granary (routed) s | Granary (raw tables) s | hand-written SQL s | pandas ({fast}) s | pandas (pd.read_sql) s "
        "| Granary ÷ SQL | pandas ÷ Granary (fast / read_sql) | peak MB Granary / SQL / pandas fast / read_sql "
        "| numbers equal to Granary's (SQL / pandas / read_sql) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def cell(r: dict[str, object]) -> str:
        return f"{r['median_s']:.3f}" if "median_s" in r else "—" if r.get("failed") == "not run" else "failed"

    notes: list[str] = []
    for page in pages:
        g, raw, sql, pdx, prs = (rows.get((page, a), {"failed": "not run"}) for a in APPROACHES)
        ratio_sql = f"{g['median_s'] / sql['median_s']:.2f}×" if "median_s" in sql and "median_s" in g else "—"  # type: ignore[operator]
        ratio_pd = " / ".join(f"{r['median_s'] / g['median_s']:.1f}×" if "median_s" in r and "median_s" in g else "—" for r in (pdx, prs))  # type: ignore[operator]
        mem = " / ".join(f"{r['peak_mb']:.0f}" if "peak_mb" in r else "—" for r in (g, sql, pdx, prs))
        checks = []
        alt = raw.get("values")
        for r in (sql, pdx, prs):
            if "values" not in r or "values" not in g:
                checks.append("—")
                continue
            bad = check(g["values"], r["values"], alt)  # type: ignore[arg-type]
            checks.append(f"yes ({len(g['values'])} values)" if not bad else f"NO: {len(bad)} differ, e.g. {bad[0]}")  # type: ignore[arg-type]
        if "values" in g and alt is not None:
            routes = check(g["values"], alt)  # type: ignore[arg-type]
            if routes:
                notes.append(f"{page}: Granary routed vs raw tables differ in {len(routes)} values: " + "; ".join(routes))
        lines.append(f"| {page} | {cell(g)} | {cell(raw)} | {cell(sql)} | {cell(pdx)} | {cell(prs)} | {ratio_sql} | {ratio_pd} | {mem} | {' / '.join(checks)} |")
    loads = [x for r in rows.values() for x in (r.get("load") or [])[:1]]  # type: ignore[union-attr]
    routes = sorted({str(r["route"]) for r in rows.values() if "route" in r})
    periods = sorted({str(r["period"]) for r in rows.values() if "period" in r})
    if loads:
        notes.append(f"1-minute load average at the end of each measurement: {min(loads):.1f}–{max(loads):.1f}.")
    notes.append(f"Router: {', '.join(routes)}. Period: {', '.join(periods)}.")
    lines += ["", *notes]
    print("\n".join(lines))
    (Path(ARGS.work) / f"{_stem()}.table.md").write_text("\n".join(lines) + "\n")


def _url() -> str:
    return ARGS.url or f"duckdb:///{ARGS.db}"


def _stem() -> str:
    """pages-<size>[-<backend>][-<period>] for the files under --work."""
    backend = make_url(_url()).get_backend_name()
    return f"pages-{ARGS.size}" + ("" if backend == "duckdb" else f"-{backend}") + (
        "" if ARGS.period == "last_12_months" else f"-{ARGS.period}")


def load(url: str, size: str, as_of: date | None = None) -> None:
    """Build demo ``size`` (seed 7, as of ``as_of``, else the generator's default 2026-03-31: give the
    DuckDB file's as-of date for the same rows as it) into a PostgreSQL database as a live CRM has it
    — raw tables, no summary tables — through ``data_layer.bulk`` (COPY), creating the database if
    missing; then ``VACUUM ANALYZE``."""
    from sqlalchemy import create_engine, text

    from data_layer.demo import DEFAULT_AS_OF, build_demo

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).scalar():
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()
    engine = create_engine(target)
    t0 = time.perf_counter()
    written = build_demo(engine, size, seed=7, as_of=as_of or DEFAULT_AS_OF, summaries=False)
    built = time.perf_counter() - t0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
        db_bytes = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    print(json.dumps({"rows": sum(written.values()), "build_s": round(built, 1), "total_s": round(time.perf_counter() - t0, 1),
                      "db_bytes": db_bytes, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", default="/tmp/granary-bench/M.duckdb", help="a demo DuckDB built with its summaries")
    parser.add_argument("--url", help="a database URL instead of --db, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/granary_bench")
    parser.add_argument("--period", default="last_12_months", help="a period preset, or 'full' (the demo's three years)")
    parser.add_argument("--load", action="store_true", help="build demo --size into --url (PostgreSQL) and exit")
    parser.add_argument("--as-of", type=date.fromisoformat, help="with --load: the demo's as-of date (default 2026-03-31)")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--work", default="/tmp/granary-bench", help="where the raw measurements (JSON) and the table go")
    parser.add_argument("--resume", action="store_true", help="keep the measurements already in pages-<size>.json")
    parser.add_argument("--approaches", default=",".join(APPROACHES))
    parser.add_argument("--one", nargs=2, metavar=("PAGE", "APPROACH"))
    ARGS = parser.parse_args()
    if ARGS.load:
        load(_url(), ARGS.size, ARGS.as_of)
    elif ARGS.one:
        print(json.dumps(one(_url(), ARGS.one[0], ARGS.one[1], ARGS.repeat, ARGS.period), default=str))
    else:
        main()
