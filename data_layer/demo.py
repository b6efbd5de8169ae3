"""Seeded demo data for Granary: three years of a company's CRM, shaped like a real one.

``python -m data_layer.demo --size S|M|L --url URL [--seed N] [--as-of DATE] [--locale en|zh]``

Everything is drawn with numpy from one seed (no Python ``random``, no clock but the CLI's
default as-of), vectorised over rows; the big tables are materialised and loaded in chunks.
The numbers are made to show what the dashboard exists to reveal: a heavy head of customer
value, win rates and cycles that differ by region, product line and deal size, quarter-end
rushes, churn, late deliveries and late lead responses, left reps still owning accounts.

What history exists:

- **The window** is the three years up to and including the as-of date. Leads, opportunities
  (with their stage history), campaigns, activities, service tickets, account hand-overs,
  rep moves and targets all fall inside it; so do the owners' and units' changes.
- **Accounts are older.** The CRM went live eight years before the window (``GO_LIVE_YEARS``);
  accounts have been opened since at a steadily growing rate, and those it took over keep
  their older creation dates. Most become customers within four months of opening and buy
  until they churn (a steady yearly hazard, lower for bigger customers); customers who had
  churned before the order history begins look like prospects. Some accounts never buy.
- **Orders reach one year further back than anything else**: from the first day of the
  month a year before the window (``ORDER_LEAD_YEARS``), and those older orders are part of
  the pinned order count. They are reorders, and deals won from opportunities older than the
  CRM's (no ``opportunity_id``); such deals also fill the window's first months, before its
  own opportunities have had time to close. Every account that was a customer when the
  order history begins has an order in that first year, so an order in the window is a
  customer's first ever only for a new customer (or a prospect's first win): new customers
  per quarter, and churn (no order in the last twelve months), mean what they say from the
  window's first day. Exchange rates cover the whole order history.
- **New customers are won by deals**: a share of converted leads — most of a trade show's or
  roadshow's, few of an e-mail nurture's — come from a company with no orders yet, whose account
  was opened shortly before; reps' own prospecting works other newly opened accounts. A new
  customer's first order is the first such deal it won, when it won one, so campaigns show the
  customers and first-year revenue they brought; the rest start with an order no deal recorded.
- **Growth is steady**: leads, opportunities, orders and revenue grow by about 12% a year
  (``GROWTH``), give or take the noise of a small company. Leads come in a steady stream,
  fewer at weekends, lifted modestly while campaigns run; campaigns recur yearly at about
  the same time, so a period compares fairly with the same period a year earlier. Orders
  and won deals bunch in the last weeks of each quarter. Nothing is dated after the as-of
  date: what would come later has not happened yet (leads and deals still open, orders not
  yet shipped or paid).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.random import PCG64, Generator, SeedSequence
from sqlalchemy import Engine, Table, create_engine, func, inspect, select
from tqdm import tqdm

from data_layer import names as nm
from data_layer import schema as s
from data_layer.bulk import bulk_insert, create_indexes, create_schema
from data_layer.app_store import open_app_store, record_demo_build
from data_layer.config import load_settings
from data_layer.connection import mask
from data_layer.summary import build_summaries, supports_summaries

DEFAULT_URL = "duckdb:///var/demo.duckdb"
#: as-of used when none is given to build_demo (the CLI passes today instead).
DEFAULT_AS_OF = dt.date(2026, 3, 31)
HISTORY_YEARS = 3
ORDER_LEAD_YEARS = 1  # orders reach this much further back than the window (see the docstring)
GROWTH = np.log(1.12) / 365.25  # per day: the company grows about 12% a year
CHUNK = 250_000  # rows materialised at once; fixed so chunked draws are reproducible

_BASE = {"org_unit": 114, "business_unit": 5, "product": 19, "project_grade": 3, "exchange_rate": 98}


def _size(accounts: int, leads: int, opps: int, orders: int, reps: int, campaigns: int,
          activities: int, tickets: int, account_history: int, targets: int, rep_moves: int) -> dict[str, int]:
    return {
        **_BASE,
        "rep": reps,
        "rep_team_history": reps + rep_moves,
        "account": accounts,
        "account_history": account_history,
        "campaign": campaigns,
        "lead": leads,
        "lead_status_history": leads * 303 // 100,
        "opportunity": opps,
        "opportunity_stage_history": opps * 9 // 2,
        "sales_order": orders,
        "service_ticket": tickets,
        "activity": activities,
        "wallet_estimate": round(accounts * 0.82) * 4,
        "target": targets,
    }


#: Rows per table at each size. Exact for every table except ``account_history`` and ``target``,
#: whose counts follow from simulated hand-overs, staffing and sales: theirs are what seed 7 and
#: ``DEFAULT_AS_OF`` give (for ``target`` at L an estimate, not re-measured since targets are set
#: top-down and zero targets are left out); other seeds and dates land within a few per cent (M built
#: to 2026-11-24 instead: 138,292 targets).
SIZES: dict[str, dict[str, int]] = {
    "XS": _size(200, 2_000, 1_000, 3_000, 200, 12, 6_000, 300, 231, 7_076, 12),
    "S": _size(2_000, 20_000, 10_000, 30_000, 500, 60, 60_000, 3_000, 2_370, 18_402, 32),
    "M": _size(200_000, 2_000_000, 1_000_000, 3_000_000, 3_000, 300, 6_000_000, 300_000, 234_724, 128_317, 232),
    "L": _size(2_000_000, 20_000_000, 10_000_000, 30_000_000, 12_000, 1_000, 60_000_000, 3_000_000, 2_346_705,
               430_000, 952),
}
#: Tables whose SIZES entry is an expected, not an exact, count.
APPROXIMATE = frozenset({"account_history", "target"})

NEVER = np.int64(10**7)  # a day number beyond any date used here: "no leave date", "no event"
DAY = 86_400
STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
STAGE_PROBABILITY = np.array([0.10, 0.25, 0.50, 0.75, 1.0, 0.0])
LOSS_REASONS = ("price", "competitor", "no_decision", "product_fit", "timing")
SEGMENTS = ("enterprise", "mid_market", "smb")
LEAD_CATEGORIES = (  # per mille, status path
    ("new", 15, ("new",)),
    ("working", 70, ("new", "working")),
    ("qualified", 15, ("new", "working", "qualified")),
    ("disqualified", 750, ("new", "working", "disqualified")),
    ("returned", 50, ("new", "working", "returned")),
    ("returned_converted", 15, ("new", "working", "returned", "working", "qualified", "converted")),
    ("converted", 85, ("new", "working", "qualified", "converted")),
)


def _rng(seed: int, *keys: object) -> Generator:
    """An independent stream per purpose, so adding draws in one place moves nothing else."""
    words = [zlib.crc32(str(k).encode()) for k in keys]
    return Generator(PCG64(SeedSequence([seed, *words])))


@functools.cache
def _company_zone() -> str:
    """The company's time zone from Granary's settings (default Asia/Shanghai)."""
    return load_settings().calendar.timezone


def _days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def _month_index(day: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of day numbers."""
    return np.asarray(day, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype("int64")


def _as_dates(day: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    out = np.asarray(day, dtype="int64").astype("datetime64[D]").astype("datetime64[s]")
    if valid is not None:
        out = np.where(valid, out, np.datetime64("NaT", "s"))
    return out


def _as_times(ts: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Generated times are the company's wall-clock times; the CRM stores them in UTC, so a
    lead created at 23:00 on the as-of date is still dated that day in the company's zone."""
    local = pd.DatetimeIndex(np.asarray(ts, dtype="int64").astype("datetime64[s]"))
    zoned = local.tz_localize(_company_zone(), ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward")
    out = zoned.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")
    if valid is not None:
        out = np.where(valid, out, np.datetime64("NaT", "s"))
    return out


def _lognormal_days(rng: Generator, median: float | np.ndarray, sigma: float, n: int) -> np.ndarray:
    return np.asarray(median) * np.exp(rng.normal(0.0, sigma, n))


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder)."""
    share = weights / weights.sum() * total
    out = np.floor(share).astype("int64")
    out[np.argsort(out - share, kind="stable")[: total - out.sum()]] += 1
    return out


def _weighted_pick(rng: Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """``n`` indices drawn with replacement in proportion to ``weights``."""
    cum = np.cumsum(weights)
    return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], "right"), len(cum) - 1)


def _group_positions(counts: np.ndarray) -> np.ndarray:
    """0, 1, … within each consecutive group of the given sizes."""
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(counts.sum()) - starts


@dataclass
class Calendar:
    """The history window (three years up to and including the as-of date), and the longer order history."""

    as_of: dt.date

    def __post_init__(self) -> None:
        start = self.as_of.replace(year=self.as_of.year - HISTORY_YEARS) if not (
            self.as_of.month == 2 and self.as_of.day == 29) else dt.date(self.as_of.year - HISTORY_YEARS, 2, 28)
        self.start_day = _days(start) + 1
        self.end_day = _days(self.as_of)
        self.t0 = self.start_day * DAY
        self.t_end = (self.end_day + 1) * DAY  # exclusive
        # whole months from the one three years before the as-of month: always 37, whatever the day
        self.n_months = 12 * HISTORY_YEARS + 1
        self.month0 = int(_month_index(np.array([self.end_day]))[0]) - self.n_months + 1
        self.years = list(range(self.as_of.year - HISTORY_YEARS, self.as_of.year + 1))  # fiscal = calendar years
        # orders start on the first of the month ORDER_LEAD_YEARS before the window: always 49 months
        self.order_n_months = 12 * (HISTORY_YEARS + ORDER_LEAD_YEARS) + 1
        self.order_month0 = self.month0 - 12 * ORDER_LEAD_YEARS
        self.order_start_day = int(self.month_start(self.order_month0))

    def grow(self, rng: Generator, lo: np.ndarray | float, hi: np.ndarray | float, n: int) -> np.ndarray:
        """Float days in [lo, hi) whose density grows as the business does.

        Stratified, so that each stretch of time gets close to its expected share.
        """
        span = np.asarray(hi, dtype=float) - lo
        return lo + np.log1p(_spread(rng, n) * np.expm1(GROWTH * span)) / GROWTH

    def draw(self, rng: Generator, weight: np.ndarray, n: int) -> np.ndarray:
        """Float days of the window, in proportion to ``weight`` (one per day of it), stratified."""
        cum = np.cumsum(weight)
        u = _spread(rng, n) * cum[-1]
        i = np.minimum(np.searchsorted(cum, u, "right"), len(cum) - 1)
        below = np.where(i > 0, cum[np.maximum(i - 1, 0)], 0.0)
        return self.start_day + i + (u - below) / np.maximum(weight[i], 1e-12)

    def level(self, day: np.ndarray) -> np.ndarray:
        """The business's size on ``day`` relative to the window's first day."""
        return np.exp(GROWTH * (np.asarray(day, dtype=float) - self.start_day))

    def month_start(self, m: np.ndarray | int) -> np.ndarray:
        return (np.asarray(m, dtype="int64")).astype("datetime64[M]").astype("datetime64[D]").astype("int64")


def _spread(rng: Generator, n: int) -> np.ndarray:
    """``n`` uniforms on [0, 1), one in each of ``n`` equal strata, in random order."""
    return (rng.permutation(n) + rng.random(n)) / max(n, 1)


def _weekday(day: np.ndarray) -> np.ndarray:
    """0 = Monday … 6 = Sunday."""
    return (np.asarray(day, dtype="int64") + 3) % 7


def _business_ts(rng: Generator, day: np.ndarray, utc_offset: np.ndarray) -> np.ndarray:
    """A timestamp on ``day`` during local office hours, in UTC seconds."""
    hours = 8.5 + 9.5 * rng.random(len(day)) - utc_offset
    return np.asarray(day, dtype="int64") * DAY + (hours * 3600).astype("int64")


def _quarter_end_day(day: np.ndarray) -> np.ndarray:
    m = _month_index(day)
    q_next = (m // 3 + 1) * 3
    return q_next.astype("datetime64[M]").astype("datetime64[D]").astype("int64") - 1


# --- organisation -------------------------------------------------------------------------------


@dataclass
class Org:
    unit_rows: pd.DataFrame
    office_unit: np.ndarray
    office_region: np.ndarray
    office_weight: np.ndarray
    office_city: np.ndarray
    office_country: np.ndarray
    region_unit: np.ndarray
    region_cluster_unit: np.ndarray
    region_currency: np.ndarray  # index into CURRENCIES
    region_offset: np.ndarray
    region_win: np.ndarray
    region_cycle: np.ndarray
    team_unit: np.ndarray
    team_office: np.ndarray
    team_name: list[str]


CURRENCIES = ("USD", "EUR", "CNY")


def _org(locale: str) -> Org:
    rows: list[dict[str, Any]] = []
    regions: list[tuple[nm.Region, int, int]] = []
    for cluster in nm.CLUSTERS:
        rows.append({"code": cluster.code, "name": getattr(cluster, locale), "level": "cluster", "parent": None})
    for ci, cluster in enumerate(nm.CLUSTERS):
        for region in cluster.regions:
            rows.append({"code": region.code, "name": getattr(region, locale), "level": "region", "parent": ci})
            regions.append((region, len(rows) - 1, ci))
    offices: list[tuple[nm.Office, int, int]] = []
    for ri, (region, r_row, _) in enumerate(regions):
        for office in region.offices:
            label = f"{office.en} Office" if locale == "en" else f"{office.zh}代表处"
            rows.append({"code": f"{region.code}-{office.code}", "name": label, "level": "office", "parent": r_row})
            offices.append((office, len(rows) - 1, ri))
    teams: list[tuple[int, int]] = []
    team_names = []
    for oi, (office, o_row, _) in enumerate(offices):
        for t in range(int(np.clip(round(1.5 + office.weight), 2, 4))):
            city = getattr(office, locale)
            label = f"{city} Team {t + 1}" if locale == "en" else f"{city}{nm.ZH_NUMERALS[t]}组"
            rows.append({"code": f"{rows[o_row]['code']}-T{t + 1}", "name": label, "level": "team", "parent": o_row})
            teams.append((len(rows) - 1, oi))
            team_names.append(label)
    frame = pd.DataFrame(rows)
    frame.insert(0, "unit_id", np.arange(1, len(frame) + 1))
    frame["parent_id"] = pd.array([None if p is None else p + 1 for p in frame.pop("parent")], dtype="Int64")
    return Org(
        unit_rows=frame,
        office_unit=np.array([row + 1 for _, row, _ in offices]),
        office_region=np.array([ri for _, _, ri in offices]),
        office_weight=np.array([o.weight for o, _, _ in offices]),
        office_city=np.array([getattr(o, locale) for o, _, _ in offices], dtype=object),
        office_country=np.array([o.country for o, _, _ in offices], dtype=object),
        region_unit=np.array([row + 1 for _, row, _ in regions]),
        region_cluster_unit=np.array([ci + 1 for _, _, ci in regions]),
        region_currency=np.array([CURRENCIES.index(r.currency) for r, _, _ in regions]),
        region_offset=np.array([r.utc_offset for r, _, _ in regions], dtype=float),
        region_win=np.array([r.win_logit for r, _, _ in regions]),
        region_cycle=np.array([r.cycle_factor for r, _, _ in regions]),
        team_unit=np.array([row + 1 for row, _ in teams]),
        team_office=np.array([oi for _, oi in teams]),
        team_name=team_names,
    )


# --- reps -----------------------------------------------------------------------------------------


@dataclass
class Reps:
    n: int
    office: np.ndarray
    team0: np.ndarray
    team1: np.ndarray
    move_day: np.ndarray
    hire: np.ndarray
    leave: np.ndarray  # NEVER while employed
    manager: np.ndarray  # -1 for none
    title: np.ndarray
    skill: np.ndarray
    office_lead: np.ndarray  # per office: rep index of its director (never leaves)
    pool: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    pool_start: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    pool_count: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))

    def employed(self, rep: np.ndarray, day: np.ndarray) -> np.ndarray:
        return (self.hire[rep] <= day) & (self.leave[rep] >= day)

    def pick(self, rng: Generator, office: np.ndarray, day: np.ndarray) -> np.ndarray:
        """A rep of ``office`` employed on ``day`` (the office's director when none is found)."""
        out = self.office_lead[office].copy()
        todo = np.arange(len(office))
        for _ in range(12):
            if not len(todo):
                break
            o = office[todo]
            cand = self.pool[self.pool_start[o] + (rng.random(len(todo)) * self.pool_count[o]).astype("int64")]
            ok = self.employed(cand, day[todo])
            out[todo[ok]] = cand[ok]
            todo = todo[~ok]
        return out

    def team_on(self, rep: np.ndarray, day: np.ndarray) -> np.ndarray:
        return np.where(day >= self.move_day[rep], self.team1[rep], self.team0[rep])

    def cover(self, rng: Generator, rep: np.ndarray, office: np.ndarray, day: np.ndarray) -> np.ndarray:
        """``rep`` where employed on ``day``, otherwise someone of the office who is."""
        ok = self.employed(rep, day)
        out = rep.copy()
        if (~ok).any():
            out[~ok] = self.pick(rng, office[~ok], day[~ok])
        return out


def _reps(n: int, n_moves: int, org: Org, cal: Calendar, rng: Generator) -> Reps:
    n_teams = len(org.team_unit)
    n_members = n - n_teams
    if n_members < n_teams:
        raise ValueError(f"{n} reps cannot staff {n_teams} teams")
    team_weight = org.office_weight[org.team_office] / np.bincount(org.team_office)[org.team_office]
    member_team = np.concatenate([np.arange(n_teams), rng.choice(n_teams, n_members - n_teams, p=team_weight / team_weight.sum())])
    member_team.sort(kind="stable")
    team0 = np.concatenate([np.arange(n_teams), member_team])
    office = org.team_office[team0]
    first_team_of_office = np.searchsorted(org.team_office, np.arange(len(org.office_unit)))
    office_lead = first_team_of_office  # managers are reps 0..n_teams-1, one per team
    manager = np.full(n, -1)
    manager[:n_teams] = np.where(np.arange(n_teams) == office_lead[org.team_office], -1, office_lead[org.team_office])
    manager[n_teams:] = member_team
    hire = np.empty(n, dtype="int64")
    hire[:n_teams] = cal.start_day - rng.integers(3 * 365, 12 * 365, n_teams)
    veteran = rng.random(n_members) < 0.72
    hire[n_teams:] = np.where(
        veteran,
        cal.start_day - (rng.random(n_members) * 9.5 * 365 + 60).astype("int64"),
        cal.start_day + (rng.random(n_members) * (cal.end_day - cal.start_day - 45)).astype("int64"),
    )
    leave = np.full(n, NEVER)
    n_leavers = round(0.08 * n_members)
    leavers = n_teams + rng.choice(n_members, n_leavers, replace=False)
    lo = np.maximum(hire[leavers], cal.start_day) + 60
    recent = rng.random(n_leavers) < 0.25  # some leave so late their accounts are not handed over yet
    lo = np.where(recent, np.maximum(lo, cal.end_day - 75), lo)
    leave[leavers] = np.minimum(lo + (rng.random(n_leavers) * np.maximum(cal.end_day - lo, 1)).astype("int64"), cal.end_day)
    # transfers to another team of the same office
    team1 = team0.copy()
    move_day = np.full(n, NEVER)
    span_lo = np.maximum(hire, cal.start_day) + 30
    span_hi = np.minimum(leave, cal.end_day) - 1
    movable = n_teams + np.flatnonzero(span_hi[n_teams:] - span_lo[n_teams:] > 60)
    movers = rng.choice(movable, n_moves, replace=False)
    move_day[movers] = span_lo[movers] + (rng.random(n_moves) * (span_hi[movers] - span_lo[movers])).astype("int64")
    office_teams = np.bincount(org.team_office)
    first = first_team_of_office[office[movers]]
    shift = 1 + (rng.random(n_moves) * (office_teams[office[movers]] - 1)).astype("int64")
    team1[movers] = first + (team0[movers] - first + shift) % office_teams[office[movers]]
    title = np.full(n, 2)
    title[:n_teams] = np.where(manager[:n_teams] < 0, 0, 1)
    title[n_teams:] = rng.choice([2, 3, 4], n_members, p=[0.5, 0.2, 0.3])
    reps = Reps(n, office, team0, team1, move_day, hire, leave, manager, title, rng.normal(0, 0.35, n), office_lead)
    members = np.arange(n_teams, n)
    order = members[np.argsort(office[members], kind="stable")]
    reps.pool = order
    reps.pool_count = np.bincount(office[order], minlength=len(org.office_unit))
    reps.pool_start = np.cumsum(reps.pool_count) - reps.pool_count
    return reps


# --- accounts and their history ------------------------------------------------------------------


@dataclass
class Accounts:
    n: int
    office0: np.ndarray
    size: np.ndarray  # value factor: lognormal, so a few accounts carry much of the revenue
    created_ts: np.ndarray
    created_day: np.ndarray
    segment: np.ndarray
    primary_bu: np.ndarray
    buys: np.ndarray  # a customer at some time during the order history
    buy_from: np.ndarray  # customer since (the day of its first order), when buys
    buy_to: np.ndarray  # last day it buys: the churn day, or the as-of date
    contact_to: np.ndarray
    source: np.ndarray
    # history, sorted by account and valid_from
    h_account: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    h_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    h_office: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    h_from: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    h_to: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))

    def at(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Index of the history row in force for each (account, day)."""
        keys = (self.h_account << 16) | self.h_from
        idx = np.searchsorted(keys, (account.astype("int64") << 16) | np.asarray(day, dtype="int64"), "right") - 1
        first = np.searchsorted(self.h_account, account)
        return np.maximum(idx, first)


GO_LIVE_YEARS = 8  # the CRM went live this long before the window
CHURN_PER_YEAR = np.array([0.05, 0.08, 0.13])  # hazard of a customer's stopping buying, by segment
SIZE_CAP = 60.0  # the biggest customer buys about as much as 20 average ones


def _accounts(n: int, org: Org, reps: Reps, cal: Calendar, rng: Generator) -> Accounts:
    office = rng.choice(len(org.office_unit), n, p=org.office_weight / org.office_weight.sum())
    size = np.minimum(rng.lognormal(0.0, 1.45, n), SIZE_CAP)
    rank = np.argsort(np.argsort(-size, kind="stable"), kind="stable") / n
    segment = np.where(rank < 0.08, 0, np.where(rank < 0.35, 1, 2))
    hazard = CHURN_PER_YEAR[segment]
    # opened at a steadily growing rate since the CRM went live, the same before the window as in it;
    # the accounts it took over then keep their older dates: as many, and as old, as make the number
    # of customers grow at the business's rate from the start (a steady state of openings and churn)
    go_live = cal.start_day - GO_LIVE_YEARS * 365
    year_rate = GROWTH * 365.25
    later = np.expm1(year_rate * (cal.end_day + 1 - go_live) / 365.25) / year_rate
    taken_over = rng.random(n) < 1 / (1 + later * (year_rate + hazard))
    age = np.minimum(rng.exponential(365.25 / (year_rate + hazard)), 20 * 365)
    created_day = np.empty(n, dtype="int64")
    created_day[taken_over] = go_live - 1 - age[taken_over]
    created_day[~taken_over] = cal.grow(rng, go_live, cal.end_day + 1, int((~taken_over).sum()))
    created_ts = _business_ts(rng, created_day, org.region_offset[org.office_region[office]])
    n_bu = len(nm.PRODUCT_LINES)
    primary_bu = rng.choice(n_bu, n, p=[0.28, 0.16, 0.22, 0.16, 0.18])
    # most accounts become customers a few weeks after they are opened (their first order that
    # day) and buy until they churn, at a steady rate per year; customers who churned before the
    # order history began look like prospects
    buys = rng.random(n) < 0.82
    buy_from = created_day + rng.integers(0, 120, n)
    churn_day = np.where(taken_over, np.maximum(buy_from, go_live), buy_from + 90) + rng.exponential(
        365.25 / hazard).astype("int64")
    buy_to = np.minimum(churn_day, cal.end_day)
    buys &= (buy_from <= cal.end_day) & (buy_to >= np.maximum(buy_from, cal.order_start_day))
    churn = buys & (churn_day <= cal.end_day)
    quiet = ~churn & (rng.random(n) < 0.15)
    quiet_day = cal.start_day + (rng.random(n) * (cal.end_day - 120 - cal.start_day)).astype("int64")
    contact_to = np.where(churn, np.minimum(buy_to + rng.integers(0, 90, n), cal.end_day),
                          np.where(quiet, quiet_day, cal.end_day))
    contact_to = np.maximum(contact_to, np.maximum(created_day, cal.start_day))
    source = rng.choice(len(nm.LEAD_SOURCES), n, p=[0.12, 0.01, 0.08, 0.02, 0.12, 0.05, 0.18, 0.14, 0.10, 0.18])
    acc = Accounts(n, office, size, created_ts, created_day, segment, primary_bu, buys, buy_from, buy_to,
                   contact_to, source)
    _account_history(acc, org, reps, cal, rng)
    return acc


def _account_history(acc: Accounts, org: Org, reps: Reps, cal: Calendar, rng: Generator) -> None:
    """Owners and home units over time: reassignments, a few moves, hand-overs after a rep leaves."""
    n = acc.n
    owner = reps.pick(rng, acc.office0, acc.created_day)
    office = acc.office0.copy()
    since = acc.created_day.copy()
    has_event = rng.random(n) < 0.12
    lo = np.maximum(acc.created_day, cal.start_day) + 1
    event_day = np.where(has_event, lo + (rng.random(n) * np.maximum(cal.end_day - lo, 0)).astype("int64"), NEVER)
    event_day = np.where(event_day > cal.end_day, NEVER, event_day)
    moves = rng.random(n) < 0.15
    region_offices = [np.flatnonzero(org.office_region == r) for r in range(len(org.region_unit))]
    parts: list[tuple[np.ndarray, ...]] = []
    active = np.arange(n)
    for _ in range(8):
        if not len(active):
            break
        o = owner[active]
        gone = reps.leave[o]
        e = event_day[active]
        take_event = (e < NEVER) & (e <= gone)
        handover = gone + 1 + rng.exponential(25, len(active)).astype("int64")
        take_leave = ~take_event & (gone < NEVER) & (handover <= cal.end_day)
        change = take_event | take_leave
        change_day = np.where(take_event, e, handover)
        parts.append((active, o, office[active], since[active], np.where(change, change_day, NEVER)))
        active, change_day, take_event = active[change], change_day[change], take_event[change]
        new_office = office[active].copy()
        move = take_event & moves[active]
        for r, offices in enumerate(region_offices):
            sel = move & (org.office_region[new_office] == r)
            if sel.any() and len(offices) > 1:
                step = 1 + (rng.random(sel.sum()) * (len(offices) - 1)).astype("int64")
                pos = np.searchsorted(offices, new_office[sel])
                new_office[sel] = offices[(pos + step) % len(offices)]
        new_owner = reps.pick(rng, new_office, change_day)
        same = new_owner == owner[active]
        if same.any():
            new_owner[same] = reps.pick(rng, new_office[same], change_day[same])
        consumed = take_event | (event_day[active] <= change_day)
        event_day[active[consumed]] = NEVER
        owner[active], office[active], since[active] = new_owner, new_office, change_day
    if len(active):
        parts.append((active, owner[active], office[active], since[active], np.full(len(active), NEVER)))
    cols = [np.concatenate(c) for c in zip(*parts)]
    order = np.lexsort((cols[3], cols[0]))
    acc.h_account, acc.h_owner, acc.h_office, acc.h_from, acc.h_to = (c[order].astype("int64") for c in cols)


# --- money --------------------------------------------------------------------------------------


@dataclass
class Money:
    """Monthly dollar value of each currency (a gentle random walk) and the reporting currency."""

    usd_per: np.ndarray  # [currency, month]
    reporting: int
    month0: int

    def usd(self, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
        m = np.clip(_month_index(day) - self.month0, 0, self.usd_per.shape[1] - 1)
        return self.usd_per[currency, m]

    def to_reporting(self, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
        m = np.clip(_month_index(day) - self.month0, 0, self.usd_per.shape[1] - 1)
        return self.usd_per[currency, m] / self.usd_per[self.reporting, m]


def _money(cal: Calendar, locale: str, rng: Generator) -> Money:
    """Rates for every month of the order history (which starts before the window)."""
    steps = rng.normal(0.0, 0.012, (len(CURRENCIES), cal.order_n_months))
    steps[:, 0] = 0.0
    walk = np.exp(np.cumsum(steps, axis=1))
    base = np.array([nm.CURRENCY_USD[c] for c in CURRENCIES])[:, None]
    usd_per = base * walk
    usd_per[CURRENCIES.index("USD")] = 1.0
    return Money(usd_per, CURRENCIES.index(nm.REPORTING_CURRENCY[locale]), cal.order_month0)


# --- campaigns ------------------------------------------------------------------------------------

CAMPAIGN_KINDS = ("event", "roadshow", "webinar", "trade_show", "email", "advertising")
CAMPAIGN_COST_USD = np.array([18_000, 260_000, 3_000, 120_000, 2_500, 45_000], dtype=float)
CAMPAIGN_DAYS = np.array([1, 75, 1, 3, 14, 60])
CAMPAIGN_PULL = np.array([1.0, 6.0, 1.5, 4.0, 2.0, 3.0])  # leads brought, relative
#: how well a kind's leads convert, relative: people met at a show or seminar are warmer than an ad's clicks
CAMPAIGN_QUALITY = np.array([1.3, 1.3, 1.0, 1.4, 0.8, 0.6])


@dataclass
class Campaigns:
    n: int
    kind: np.ndarray
    start: np.ndarray
    end: np.ndarray
    unit_level: np.ndarray  # 0 office, 1 region, 2 cluster
    office: np.ndarray  # an office for office-level, any office of the region/cluster otherwise
    bu: np.ndarray  # -1 for none
    cost_usd: np.ndarray
    quality: np.ndarray  # how well its leads convert, relative
    volume: np.ndarray  # how many leads it brings, relative to its kind


def _campaigns(n: int, org: Org, cal: Calendar, rng: Generator) -> Campaigns:
    """Yearly series: the same roadshow or trade show each year, at about the same time of year."""
    n_series = -(-n // HISTORY_YEARS)
    kind = rng.choice(len(CAMPAIGN_KINDS), n_series, p=[0.3, 0.08, 0.2, 0.1, 0.16, 0.16])
    kind[0] = 1  # there is always a roadshow, and only one: the company's yearly 20-city roadshow
    kind[1:][kind[1:] == 1] = CAMPAIGN_KINDS.index("trade_show")
    days = CAMPAIGN_DAYS[kind]
    # the third run still ends a month before the as-of date
    latest = (cal.end_day - cal.start_day) - 365 * (HISTORY_YEARS - 1) - 10 - days - 30
    anchor = 12 + (rng.random(n_series) * (latest - 12)).astype("int64")
    office = rng.choice(len(org.office_unit), n_series, p=org.office_weight / org.office_weight.sum())
    level = np.where(kind == 1, 2, np.where(np.isin(kind, [2, 4, 5]), 1, 0))
    bu = np.where(rng.random(n_series) < 0.75, rng.integers(0, len(nm.PRODUCT_LINES), n_series), -1)
    bu[kind == 1] = -1
    series = np.repeat(np.arange(n_series), HISTORY_YEARS)[:n]
    year = _group_positions(np.full(n_series, HISTORY_YEARS))[:n]
    start = cal.start_day + anchor[series] + 365 * year + rng.integers(-10, 11, n)
    kind, days, office, level, bu = kind[series], days[series], office[series], level[series], bu[series]
    end = start + days - 1
    cost = CAMPAIGN_COST_USD[kind] * rng.lognormal(0, 0.35, n)
    quality = CAMPAIGN_QUALITY[kind] * rng.lognormal(0, 0.6, n)
    volume = rng.lognormal(0, 0.25, n)
    order = np.argsort(start, kind="stable")
    return Campaigns(n, kind[order], start[order], end[order], level[order], office[order], bu[order], cost[order],
                     quality[order], volume[order])


# --- leads ----------------------------------------------------------------------------------------

#: organic leads by source (campaign leads take theirs from the campaign's kind)
SOURCE_WEIGHTS = np.array([0.10, 0.01, 0.09, 0.03, 0.06, 0.05, 0.24, 0.08, 0.06, 0.10])
SOURCE_CONVERTS = np.array([1.0, 0.5, 0.8, 0.5, 1.6, 0.7, 0.6, 1.0, 2.6, 1.8])
CAMPAIGN_LEAD_SHARE = 0.15  # of all leads; the rest arrive without a campaign
#: lead source of each campaign kind (advertising brings website and media leads alike)
CAMPAIGN_SOURCE = np.array([nm.LEAD_SOURCES.index(x) for x in ("event", "event", "website", "event", "email", "website")])
WEEKEND_LEADS = 0.4  # leads on a Saturday or Sunday, relative to a weekday
#: share of converted leads that come from a company not buying from us yet (a prospect whose account was
#: opened for the lead; it becomes a customer when the lead's deal is won), by campaign kind and, for leads
#: with no campaign, by source. Shows, roadshows and seminars meet new companies; an e-mail nurture mostly
#: reaches people already known; a referral or a cold call is as often about a customer's new project.
CAMPAIGN_NEW_COMPANY = np.array([0.8, 0.85, 0.6, 0.85, 0.25, 0.5])
SOURCE_NEW_COMPANY = np.array([0.2, 0.2, 0.15, 0.15, 0.2, 0.3, 0.3, 0.35, 0.25, 0.2])
NEW_ACCOUNT_DAYS = 90  # a new company's account was opened at most this long before its lead converted
NEW_COMPANY_WAIT_DAYS = 30  # and it would not buy before this long after (about when the lead's deal can close)


@dataclass
class Leads:
    n: int
    category: np.ndarray
    created: np.ndarray
    source: np.ndarray
    campaign: np.ndarray
    referrer: np.ndarray
    account: np.ndarray
    office: np.ndarray
    rep: np.ndarray
    assigned: np.ndarray  # seconds after created; -1 when not assigned
    responded: np.ndarray
    off_qualified: np.ndarray
    off_disqualified: np.ndarray
    off_returned: np.ndarray
    off_reworked: np.ndarray
    off_converted: np.ndarray
    opportunity: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="int64"))
    new_company: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # converted, from a prospect


def _lead_days(n: int, camp: Campaigns, cal: Calendar, rng: Generator) -> tuple[np.ndarray, np.ndarray]:
    """Creation times (seconds) and campaigns: a growing stream, lifted modestly while campaigns run."""
    days = np.arange(cal.start_day, cal.end_day + 1)
    organic = cal.level(days) * np.where(_weekday(days) >= 5, WEEKEND_LEADS, 1.0)
    cum = np.cumsum(organic)
    n_camp = round(n * CAMPAIGN_LEAD_SHARE) if camp.n else 0
    # a campaign brings leads from its first day to three weeks after its last, as many as its
    # pull, in step with the business's size then
    lo = np.clip(camp.start - cal.start_day, 0, len(days) - 1)
    hi = np.clip(camp.end + 21 - cal.start_day, lo, len(days) - 1)
    below = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
    level = (cum[hi] - below) / (hi - lo + 1)
    campaign = np.full(n, -1)
    c = _weighted_pick(rng, CAMPAIGN_PULL[camp.kind] * camp.volume * level, n_camp) if n_camp else np.zeros(0, dtype="int64")
    campaign[:n_camp] = c
    u = np.concatenate([below[c] + rng.random(n_camp) * (cum[hi[c]] - below[c]), _spread(rng, n - n_camp) * cum[-1]])
    index = np.minimum(np.searchsorted(cum, u, "right"), len(days) - 1)
    created = ((days[index] + rng.random(n)) * DAY).astype("int64")
    return np.minimum(created, cal.t_end - 1), campaign


def _take(rng: Generator, weight: np.ndarray, free: np.ndarray, k: int) -> np.ndarray:
    """``k`` of the ``free`` rows drawn without replacement in proportion to ``weight``.

    Rows of weight 0 are taken only when too few others are left.
    """
    if k <= 0:
        return np.zeros(0, dtype="int64")
    w = np.maximum(weight, 1e-12)
    key = np.where(free, np.log(rng.random(len(w))) / w, -np.inf)  # Efraimidis–Spirakis: the k largest
    return np.argpartition(-key, k - 1)[:k]


def _prospect_at(rng: Generator, acc: Accounts, ts: np.ndarray, fallback: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each time, an account opened in the :data:`NEW_ACCOUNT_DAYS` before it that does not buy from us
    for at least :data:`NEW_COMPANY_WAIT_DAYS` more (the bigger the likelier), each a different one while
    enough are left; ``fallback`` where none is found. Also whether one was found."""
    by_created = np.argsort(acc.created_ts, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(acc.size[by_created] ** 0.3)])
    hi = np.searchsorted(acc.created_ts[by_created], ts, "right")
    lo = np.searchsorted(acc.created_ts[by_created], ts - NEW_ACCOUNT_DAYS * DAY, "left")
    out, found = fallback.copy(), np.zeros(len(ts), dtype=bool)
    claimed = np.zeros(acc.n, dtype=bool)
    todo = np.flatnonzero(hi > lo)
    for attempt in range(40):
        if not len(todo):
            break
        pick = np.searchsorted(cum, cum[lo[todo]] + rng.random(len(todo)) * (cum[hi[todo]] - cum[lo[todo]]), "right") - 1
        a = by_created[np.clip(pick, lo[todo], hi[todo] - 1)]
        ok = ~acc.buys[a] | (acc.buy_from[a] > ts[todo] // DAY + NEW_COMPANY_WAIT_DAYS)
        if attempt < 30:  # one not yet taken by another lead (the first drawn, when drawn twice in a round)
            cand = np.flatnonzero(ok & ~claimed[a])
            ok = np.zeros(len(todo), dtype=bool)
            ok[cand[np.unique(a[cand], return_index=True)[1]]] = True
        out[todo[ok]] = a[ok]
        found[todo[ok]] = True
        claimed[a[ok]] = True
        todo = todo[~ok]
    return out, found


def _leads(n: int, org: Org, reps: Reps, acc: Accounts, camp: Campaigns, cal: Calendar, rng: Generator,
           new_rng: Generator) -> Leads:
    """The leads; ``new_rng`` draws which converted leads come from a new company, and its account."""
    per_mille = np.array([c[1] for c in LEAD_CATEGORIES])
    counts = _allocate(n, per_mille.astype(float))
    hour = 3600.0
    office_slowness = rng.lognormal(0, 0.45, len(org.office_unit))
    assigned = _lognormal_days(rng, 1.5 * hour, 1.0, n)
    responded = assigned + _lognormal_days(rng, 3 * hour, 1.5, n)
    # each step capped, so a lead's whole path fits well inside the three years
    responded = np.minimum(responded, 20 * DAY)
    d_q = np.minimum(_lognormal_days(rng, 12 * DAY, 0.7, n), 60 * DAY)
    d_c = np.minimum(_lognormal_days(rng, 7 * DAY, 0.8, n), 45 * DAY)
    d_disq = np.minimum(_lognormal_days(rng, 10 * DAY, 0.9, n), 90 * DAY)
    d_ret = np.minimum(_lognormal_days(rng, 20 * DAY, 0.8, n), 90 * DAY)
    d_rework = np.minimum(_lognormal_days(rng, 90 * DAY, 0.6, n), 240 * DAY)

    # when each lead came, from where; then what became of it, given its age on the as-of date
    created, campaign = _lead_days(n, camp, cal, rng)
    in_campaign = campaign >= 0
    c = np.maximum(campaign, 0)
    source = rng.choice(len(SOURCE_WEIGHTS), n, p=SOURCE_WEIGHTS / SOURCE_WEIGHTS.sum())
    kind = camp.kind[c] if camp.n else np.zeros(n, dtype="int64")
    from_camp = np.where((kind == 5) & (rng.random(n) < 0.5), nm.LEAD_SOURCES.index("media"), CAMPAIGN_SOURCE[kind])
    source = np.where(in_campaign, from_camp, source)
    age = (cal.t_end - created).astype(float) - 120  # time it has had, less a margin
    affinity = SOURCE_CONVERTS[source].copy()
    if camp.n:
        affinity *= np.where(in_campaign, camp.quality[c] / camp.quality.mean(), 1.0)
    d_converted = responded + d_q + d_c
    d_disqualified = responded + d_disq
    index = {name: i for i, (name, _, _) in enumerate(LEAD_CATEGORIES)}
    category = np.full(n, -1)
    free = np.ones(n, dtype=bool)
    # converted first, at the same rate whatever the age, so conversions keep pace up to the as-of
    # date; leads still open are mostly recent ones whose next step lies after it, plus a stale few
    stale = np.exp(-age / (180 * DAY))
    for name, weight in (
        ("converted", (d_converted < age) * affinity),
        ("returned_converted", (responded + d_ret + d_rework + d_q + d_c < age) * affinity),
        ("qualified", (responded + d_q < age) * np.where(d_converted >= age, 1.0, 0.02 * stale)),
        ("working", (responded < age) * np.where(d_disqualified >= age, 1.0, 0.04 * stale)),
        ("new", np.where(assigned >= age, 1.0, 0.03 * np.exp(-age / (120 * DAY)))),
        ("returned", (responded + d_ret < age) * 1.0),
        ("disqualified", np.ones(n)),
    ):
        chosen = _take(rng, weight, free, int(counts[index[name]]))
        category[chosen] = index[name]
        free[chosen] = False
    cat = {name: category == i for i, (name, _, _) in enumerate(LEAD_CATEGORIES)}
    converted = cat["converted"] | cat["returned_converted"]
    off_returned = np.where(cat["returned"] | cat["returned_converted"], responded + d_ret, -1)
    off_reworked = np.where(cat["returned_converted"], off_returned + d_rework, -1)
    q_base = np.where(cat["returned_converted"], off_reworked, responded)
    off_qualified = np.where(converted | cat["qualified"], q_base + d_q, -1)
    off_converted = np.where(converted, off_qualified + d_c, -1)
    off_disq = np.where(cat["disqualified"], responded + d_disq, -1)
    duration = np.maximum.reduce([responded, off_returned, off_reworked, off_qualified, off_converted, off_disq])
    duration = np.where(cat["new"], 0.0, duration)
    # the few whose path would end after the as-of date went through it faster
    squeeze = np.where(duration > age, np.maximum(age, 0) / np.maximum(duration, 1) * rng.uniform(0.5, 1.0, n), 1.0)
    assigned, responded = assigned * squeeze, responded * squeeze
    off_returned, off_reworked, off_qualified, off_converted, off_disq = (
        np.where(x >= 0, x * squeeze, -1) for x in (off_returned, off_reworked, off_qualified, off_converted, off_disq))

    # the account, once known: always for converted leads, for some others
    with_account = converted | (rng.random(n) < 0.25)
    account = np.full(n, -1)
    ready = created + np.where(converted, off_converted, 0).astype("int64")
    weight = acc.size**0.3 * np.where(acc.created_day >= cal.start_day, 3.0, 1.0)
    cum = np.cumsum(weight)
    todo = np.flatnonzero(with_account)
    for _ in range(20):
        if not len(todo):
            break
        a = np.searchsorted(cum, rng.random(len(todo)) * cum[-1], "right")
        ok = acc.created_ts[a] <= ready[todo]
        account[todo[ok]] = a[ok]
        todo = todo[~ok]
    account[todo[converted[todo]]] = np.argmin(acc.created_ts)  # the oldest account always exists
    # some converted leads come from a company that does not buy from us yet: its account was opened
    # shortly before (for the lead), and it becomes a customer if the lead's deal is won (see _orders)
    new_share = np.where(in_campaign, CAMPAIGN_NEW_COMPANY[kind], SOURCE_NEW_COMPANY[source])
    new_company = np.flatnonzero(converted & (new_rng.random(n) < new_share))
    account[new_company], found = _prospect_at(new_rng, acc, ready[new_company], account[new_company])
    from_new_company = np.zeros(n, dtype=bool)
    from_new_company[new_company[found]] = True
    referrer = np.full(n, -1)
    ref = np.flatnonzero(source == nm.LEAD_SOURCES.index("referral"))
    a = np.searchsorted(cum, rng.random(len(ref)) * cum[-1], "right")
    ok = acc.created_ts[a] <= created[ref]
    referrer[ref[ok]] = a[ok]

    office = rng.choice(len(org.office_unit), n, p=org.office_weight / org.office_weight.sum())
    office = np.where(in_campaign & (camp.unit_level[np.maximum(campaign, 0)] == 0), camp.office[np.maximum(campaign, 0)], office)
    has_acc = account >= 0
    h = acc.at(account[has_acc], created[has_acc] // DAY)
    office[has_acc] = acc.h_office[h]

    # some offices answer slower; the answer still comes before the lead's next status
    later = np.where(off_disq >= 0, off_disq, np.where(off_returned >= 0, off_returned, off_qualified))
    later = np.where(later >= 0, later - 60, np.inf)
    responded = np.minimum(assigned + (responded - assigned) * office_slowness[office], np.maximum(later, responded))
    assigned_day = (created + assigned.astype("int64")) // DAY
    rep = reps.pick(rng, office, assigned_day)
    own = has_acc.copy()
    own[has_acc] = reps.employed(acc.h_owner[h], assigned_day[has_acc]) & (rng.random(has_acc.sum()) < 0.6)
    rep[own] = acc.h_owner[acc.at(account[own], created[own] // DAY)]
    is_new = cat["new"]
    assigned = np.where(is_new, -1, assigned)
    # slower offices must still answer before the as-of cut-off
    past = created + responded >= cal.t_end
    responded = np.where(past, assigned + rng.random(n) * (cal.t_end - 1 - created - assigned), responded)
    responded = np.where(is_new, -1, responded)
    order = np.argsort(created, kind="stable")

    def o(x: np.ndarray) -> np.ndarray:
        return x[order]

    return Leads(
        n, o(category), o(created), o(source), o(campaign), o(referrer), o(account), o(office), o(rep),
        o(assigned).astype("int64"), o(responded).astype("int64"), o(off_qualified).astype("int64"),
        o(off_disq).astype("int64"), o(off_returned).astype("int64"), o(off_reworked).astype("int64"),
        o(off_converted).astype("int64"), new_company=o(from_new_company),
    )


# --- opportunities --------------------------------------------------------------------------------


@dataclass
class Opps:
    n: int
    account: np.ndarray
    owner: np.ndarray
    office: np.ndarray
    bu: np.ndarray
    product: np.ndarray
    source: np.ndarray  # 0 lead, 1 existing_account, 2 own_development
    created: np.ndarray
    closed: np.ndarray  # seconds; -1 while open
    stage: np.ndarray  # index into STAGES
    amount_usd: np.ndarray
    amount: np.ndarray
    currency: np.ndarray
    probability: np.ndarray
    expected_close: np.ndarray
    lost_at: np.ndarray  # stage index reached by a lost deal
    quantity: np.ndarray
    loss_reason: np.ndarray
    competitor: np.ndarray
    grade: np.ndarray
    est_cycle: np.ndarray


PRODUCT_BU = np.concatenate([np.full(len(pl.products), i) for i, pl in enumerate(nm.PRODUCT_LINES)])
PRODUCT_PRICE_USD = np.array([p[3] for pl in nm.PRODUCT_LINES for p in pl.products])
BU_FIRST_PRODUCT = np.cumsum([0] + [len(pl.products) for pl in nm.PRODUCT_LINES])[:-1]
BU_PRODUCTS = np.array([len(pl.products) for pl in nm.PRODUCT_LINES])
BU_WIN = np.array([pl.win_logit for pl in nm.PRODUCT_LINES])
BU_CYCLE = np.array([pl.cycle_factor for pl in nm.PRODUCT_LINES])
BU_DEAL = np.array([pl.deal_factor for pl in nm.PRODUCT_LINES])
BU_MARGIN = np.array([pl.margin for pl in nm.PRODUCT_LINES])
BU_SUBSCRIPTION = np.array([pl.subscription for pl in nm.PRODUCT_LINES])


def _product_of(rng: Generator, bu: np.ndarray) -> np.ndarray:
    return BU_FIRST_PRODUCT[bu] + (rng.random(len(bu)) * BU_PRODUCTS[bu]).astype("int64")


def _customer_at(rng: Generator, acc: Accounts, ts: np.ndarray, buying: bool = True, power: float = 0.6) -> np.ndarray:
    """For each time, an account that exists then, the bigger the likelier; if ``buying``, one buying from us
    then (any existing account if none is found)."""
    by_created = np.argsort(acc.created_ts, kind="stable")
    cum = np.cumsum(acc.size[by_created] ** power)
    known = np.maximum(np.searchsorted(acc.created_ts[by_created], ts, "right"), 1)  # accounts opened by then
    out = np.full(len(ts), -1)
    todo = np.arange(len(ts))
    for _ in range(40):
        if not len(todo):
            break
        k = known[todo]
        a = by_created[np.minimum(np.searchsorted(cum, rng.random(len(todo)) * cum[k - 1], "right"), k - 1)]
        day = ts[todo] // DAY
        ok = (not buying) | (acc.buys[a] & (acc.buy_from[a] <= day) & (acc.buy_to[a] >= day))
        out[todo] = a
        todo = todo[~ok]
    return out


def _recently_opened(rng: Generator, acc: Accounts, ts: np.ndarray, spare: np.ndarray | None = None) -> np.ndarray:
    """For each time, an account opened in the two months before (the newest one before it if none was);
    not one of the ``spare`` accounts (a mask) unless all of those two months' are."""
    by_created = np.argsort(acc.created_ts, kind="stable")
    weight = acc.size**0.3 if spare is None else np.where(spare, 0.0, acc.size**0.3)
    cum = np.concatenate([[0.0], np.cumsum(weight[by_created])])
    hi = np.maximum(np.searchsorted(acc.created_ts[by_created], ts, "right"), 1)
    lo = np.minimum(np.searchsorted(acc.created_ts[by_created], ts - 60 * DAY, "left"), hi - 1)
    pick = np.searchsorted(cum, cum[lo] + rng.random(len(ts)) * (cum[hi] - cum[lo]), "right") - 1
    return by_created[np.clip(pick, lo, hi - 1)]


def _opportunities(n: int, org: Org, reps: Reps, acc: Accounts, leads: Leads, money: Money, cal: Calendar,
                   rng: Generator) -> Opps:
    conv = np.flatnonzero(leads.off_converted >= 0)
    n_lead = len(conv)
    if n_lead > n:
        raise ValueError("more converted leads than opportunities")
    k = n - n_lead
    source = np.concatenate([np.zeros(n_lead, dtype="int64"), np.where(rng.random(k) < 0.65, 1, 2)])
    account = np.empty(n, dtype="int64")
    created = np.empty(n, dtype="int64")
    account[:n_lead] = leads.account[conv]
    created[:n_lead] = leads.created[conv] + leads.off_converted[conv]
    # the others keep all opportunities growing steadily, so they make up for the conversions of
    # leads older than the window, which the window's first months lack
    days = np.arange(cal.start_day, cal.end_day + 1)
    delay = np.sort(leads.off_converted[conv] // DAY)
    converting = cal.level(days) * np.searchsorted(delay, days - cal.start_day, "right") / max(len(delay), 1)
    weight = n * cal.level(days) / cal.level(days).sum() - n_lead * converting / max(converting.sum(), 1e-12)
    weight = np.maximum(weight, 0.05 * cal.level(days))
    # from existing customers, each from a customer buying at the time
    existing = n_lead + np.flatnonzero(source[n_lead:] == 1)
    created[existing] = (cal.draw(rng, weight, len(existing)) * DAY).astype("int64")
    account[existing] = _customer_at(rng, acc, created[existing])
    # reps' own prospecting: deals with accounts opened in the two months before — not those opened
    # for a new company's lead, which marketing brought and the lead's own deal is working
    own = n_lead + np.flatnonzero(source[n_lead:] == 2)
    created[own] = (cal.draw(rng, weight, len(own)) * DAY).astype("int64")
    spare = np.zeros(acc.n, dtype=bool)
    spare[leads.account[leads.new_company]] = True
    account[own] = _recently_opened(rng, acc, created[own], spare)

    day = created // DAY
    h = acc.at(account, day)
    office = acc.h_office[h]
    owner = acc.h_owner[h]
    owner[:n_lead] = leads.rep[conv]
    office[:n_lead] = leads.office[conv]
    owner = reps.cover(rng, owner, office, day)
    region = org.office_region[office]
    bu = np.where(rng.random(n) < 0.6, acc.primary_bu[account], rng.integers(0, len(nm.PRODUCT_LINES), n))
    product = _product_of(rng, bu)
    amount_usd = 45_000 * acc.size[account] ** 0.5 * rng.lognormal(0, 0.65, n) * BU_DEAL[bu]
    rel = np.log(amount_usd / 45_000)
    logit = -0.55 + org.region_win[region] + BU_WIN[bu] - 0.35 * rel + np.array([-0.2, 0.35, -0.3])[source] + reps.skill[owner]
    # won or not: golden-ratio draws in the order opened, so that any stretch of time wins about its share
    draw = np.empty(n)
    draw[np.argsort(created, kind="stable")] = (np.arange(n) * 0.6180339887498949 + rng.random()) % 1.0
    won = draw < 1 / (1 + np.exp(-logit))
    median = 42 * org.region_cycle[region] * BU_CYCLE[bu] * np.exp(0.22 * rel)
    cycle = np.maximum(median * rng.lognormal(0, 0.8, n) * np.where(won, 1.0, 0.85), 0.5)
    closed = created + (cycle * DAY).astype("int64")
    # quarter-end push: deals are closed in the last weeks of the quarter (one pushed past the
    # as-of date is simply still open)
    q_end = _quarter_end_day(closed // DAY)
    target = (q_end - rng.integers(0, 14, n)) * DAY + closed % DAY
    push = won & (rng.random(n) < 0.35) & (target > closed)
    closed = np.where(push, target, closed)
    is_open = closed >= cal.t_end
    # a deal whose owner left before it closed (or before the cut-off) was handed over
    end_day = np.where(is_open, cal.end_day, closed // DAY)
    owner = reps.cover(rng, owner, office, end_day)
    lost_at = rng.choice(4, n, p=[0.3, 0.3, 0.25, 0.15])
    elapsed = np.maximum(cal.t_end - created, 0) / DAY / cycle
    open_stage = np.minimum((elapsed * 4 * rng.uniform(0.7, 1.1, n)).astype("int64"), 3)
    stage = np.where(is_open, open_stage, np.where(won, 4, 5))
    probability = np.where(is_open, np.clip(STAGE_PROBABILITY[np.minimum(stage, 3)] + rng.normal(0, 0.06, n), 0.05, 0.95),
                           STAGE_PROBABILITY[stage])
    probability = np.round(probability, 2)
    est_cycle = median * rng.lognormal(0, 0.25, n)
    expected = day + np.ceil(est_cycle).astype("int64")
    late = is_open & (expected < cal.end_day)
    refreshed = late & (rng.random(n) < 0.65)
    expected = np.where(refreshed, cal.end_day + rng.integers(7, 90, n), expected)
    expected = np.where(is_open, expected, closed // DAY)
    currency = org.region_currency[region]
    amount = np.round(amount_usd / money.usd(currency, day), -1)
    amount = np.maximum(amount, 10.0)
    quantity = np.maximum(1, np.round(amount_usd / PRODUCT_PRICE_USD[product])).astype("int64")
    lost = stage == 5
    loss_reason = np.where(lost, rng.choice(len(LOSS_REASONS), n, p=[0.3, 0.25, 0.2, 0.15, 0.1]), -1)
    with_comp = np.where(lost, (loss_reason == 1) | (rng.random(n) < 0.5), rng.random(n) < np.where(won, 0.3, 0.4))
    competitor = np.where(with_comp, rng.integers(0, len(nm.COMPETITORS["en"]), n), -1)
    grade = np.where(amount_usd >= 1_000_000, 0, np.where(amount_usd >= 200_000, 1, 2))
    order = np.argsort(created, kind="stable")
    leads.opportunity = np.full(leads.n, -1)
    rank = np.empty(n, dtype="int64")
    rank[order] = np.arange(n)
    leads.opportunity[conv] = rank[:n_lead]

    def o(x: np.ndarray) -> np.ndarray:
        return x[order]

    return Opps(n, o(account), o(owner), o(office), o(bu), o(product), o(source), o(created),
                o(np.where(is_open, -1, closed)), o(stage), o(amount_usd), o(amount), o(currency), o(probability),
                o(expected), o(lost_at), o(quantity), o(loss_reason), o(competitor), o(grade), o(est_cycle))


# --- orders ---------------------------------------------------------------------------------------


@dataclass
class Orders:
    n: int
    account: np.ndarray
    opportunity: np.ndarray
    rep: np.ndarray
    office: np.ndarray
    bu: np.ndarray
    product: np.ndarray
    day: np.ndarray
    amount_usd: np.ndarray
    amount: np.ndarray
    currency: np.ndarray
    quantity: np.ndarray
    promised: np.ndarray
    shipped: np.ndarray  # NEVER when not yet
    invoiced: np.ndarray
    due: np.ndarray
    paid: np.ndarray
    margin: np.ndarray
    contract_months: np.ndarray  # 0 unless a subscription


def _shift_years(day: np.ndarray, years: int) -> np.ndarray:
    """The same calendar day ``years`` later (earlier when negative); 29 February becomes the 28th."""
    shifted = pd.DatetimeIndex(np.asarray(day, dtype="int64").astype("datetime64[D]")) + pd.DateOffset(years=years)
    return shifted.to_numpy().astype("datetime64[D]").astype("int64")


def _earlier_wins(rng: Generator, opps: Opps, cal: Calendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deals opened before the window (the CRM holds no such opportunities) and won: day won, model deal
    and day opened.

    They fill the order history's first year, and the window's first months before its own deals
    mature, as the window's second year's wins would have been two and three years earlier: at the
    same time of the quarter, as large and as slow, fewer by the business's growth since.
    """
    created, closed = opps.created // DAY, opps.closed // DAY
    model = np.flatnonzero((opps.stage == 4) & (created >= cal.start_day + 365) & (created < cal.start_day + 730))
    days, deals, opens = [], [], []
    for years in (2, 3):
        then, opened = _shift_years(closed[model], -years), _shift_years(created[model], -years)
        keep = (rng.random(len(then)) < np.exp(-GROWTH * 365.25 * years)) & (opened < cal.start_day)
        keep &= (then >= cal.order_start_day) & (then <= cal.end_day)
        days.append(then[keep])
        deals.append(model[keep])
        opens.append(opened[keep])
    day, deal, opened = np.concatenate(days), np.concatenate(deals), np.concatenate(opens)
    order = np.argsort(day, kind="stable")
    return day[order], deal[order], opened[order]


WON_START_DAYS = 180  # a deal won this long after a new customer would have first bought still starts it
ORDER_WEEKEND = 0.05  # a Saturday's or Sunday's share of a weekday's reorders
ORDER_QUARTER_END = 1.6  # a day in the last three weeks of a quarter, against any other weekday


def _order_clock(cal: Calendar) -> np.ndarray:
    """Business time at the start of each day of the order history, and just after its last day."""
    days = np.arange(cal.order_start_day, cal.end_day + 1)
    weight = np.where(_weekday(days) >= 5, ORDER_WEEKEND, 1.0)
    weight = weight * np.where(days > _quarter_end_day(days) - 21, ORDER_QUARTER_END, 1.0)
    return np.concatenate([[0.0], np.cumsum(weight)])


def _orders(n: int, org: Org, reps: Reps, acc: Accounts, opps: Opps, money: Money, cal: Calendar, rng: Generator) -> Orders:
    won = np.flatnonzero(opps.stage == 4)
    first_day = cal.order_start_day
    clock = _order_clock(cal)
    won_day = opps.closed[won] // DAY
    pre_day, pre_deal, pre_opened = _earlier_wins(rng, opps, cal)
    n_pre = len(pre_day)
    # with an account as its model's: a customer then, any account for a lead's, a new one for a rep's own
    pre_a = np.empty(n_pre, dtype="int64")
    for source in range(3):
        sel = opps.source[pre_deal] == source
        ts = pre_day[sel] * DAY + DAY // 2
        pre_a[sel] = (_recently_opened(rng, acc, np.minimum(pre_opened[sel] * DAY + DAY // 2, ts)) if source == 2
                      else _customer_at(rng, acc, ts, source == 1, 0.6 if source == 1 else 0.3))
    r = n - len(won) - n_pre
    if r < 0:
        raise ValueError("more won deals than orders")
    # a company that becomes a customer about the window's time does so by a won deal when it has one — a
    # lead's or a rep's own, won before, or up to WON_START_DAYS after, the day it would otherwise have first
    # bought: that deal's order is its first, and it reorders from then on. The others start with a run-rate
    # order (a small first order, or a deal the CRM did not record), as before.
    win = np.flatnonzero((opps.stage == 4) & (opps.source != 1))
    win_day = np.full(acc.n, NEVER)
    np.minimum.at(win_day, opps.account[win], opps.closed[win] // DAY)
    won_start = (acc.buys & (acc.buy_from >= cal.start_day - WON_START_DAYS)
                 & (win_day <= np.minimum(acc.buy_from + WON_START_DAYS, acc.buy_to)))
    # run-rate reorders: a renewal process per customer, as often as its size says, on a business
    # clock that hardly runs at weekends and runs faster in the last three weeks of a quarter
    lo = np.where(won_start, win_day, np.maximum(acc.buy_from, first_day))
    buyer = np.flatnonzero(acc.buys & (acc.buy_to >= lo))
    if r < len(buyer):
        raise ValueError("fewer orders than customers")
    c_lo, c_hi = clock[lo[buyer] - first_day], clock[acc.buy_to[buyer] - first_day + 1]
    weight = acc.size[buyer] ** 0.5 * (c_hi - c_lo)
    counts = 1 + rng.multinomial(r - len(buyer), weight / weight.sum())
    # a regular rhythm with a random phase over the time it buys, so that no order bunches at either
    # end. A new customer's first order falls on the day it became one (the won deal's, for one won by a
    # deal, whose reorders all follow it); a customer that already was when the order history begins has
    # one in the history's first year (before the window), so that it is never taken for a new customer
    # in the window
    already = acc.buy_from[buyer] < first_day
    by_deal = won_start[buyer]
    first = c_lo + rng.random(len(buyer)) * np.minimum((c_hi - c_lo) / counts, 3.0)
    base = np.where(already | by_deal, c_lo, first)
    beats = np.where(already | by_deal, counts, counts - 1)
    owner_of = np.repeat(np.arange(len(buyer)), beats)
    k = _group_positions(beats)
    beat = (rng.random(len(buyer))[owner_of] + k + rng.uniform(-0.35, 0.35, len(owner_of))) % beats[owner_of]
    at = base[owner_of] + beat / beats[owner_of] * (c_hi - base)[owner_of]
    c_start = clock[cal.start_day - first_day]
    some = np.flatnonzero(beats > 0)  # every customer that already was has at least one
    soonest = np.full(len(buyer), np.inf)
    if len(some):
        soonest[some] = np.minimum.reduceat(at, (np.cumsum(beats) - beats)[some])
    late = np.flatnonzero(at == soonest[owner_of])
    late = late[already[owner_of[late]] & (at[late] >= c_start)]
    late = late[np.unique(owner_of[late], return_index=True)[1]]
    at[late] = c_lo[owner_of[late]] + rng.random(len(late)) * (c_start - c_lo[owner_of[late]])
    fresh = np.flatnonzero(~already & ~by_deal)
    at = np.concatenate([first[fresh], at])
    a = buyer[np.concatenate([fresh, owner_of])]
    rr_day = np.clip(np.searchsorted(clock, at, "right") - 1 + first_day, lo[a], acc.buy_to[a])
    h = acc.at(a, rr_day)
    rr_office = acc.h_office[h]
    rr_rep = reps.cover(rng, acc.h_owner[h], rr_office, rr_day)
    rr_bu = np.where(rng.random(r) < 0.7, acc.primary_bu[a], rng.integers(0, len(nm.PRODUCT_LINES), r))
    rr_usd = 9_000 * acc.size[a] ** 0.5 * rng.lognormal(0, 0.6, r) * BU_DEAL[rr_bu]
    h = acc.at(pre_a, pre_day)
    pre_office = acc.h_office[h]
    pre_rep = reps.cover(rng, acc.h_owner[h], pre_office, pre_day)
    pre_bu = opps.bu[pre_deal]
    pre_usd = opps.amount_usd[pre_deal]

    account = np.concatenate([opps.account[won], pre_a, a])
    opportunity = np.concatenate([won, np.full(n_pre + r, -1)])
    rep = np.concatenate([opps.owner[won], pre_rep, rr_rep])
    office = np.concatenate([opps.office[won], pre_office, rr_office])
    bu = np.concatenate([opps.bu[won], pre_bu, rr_bu])
    product = np.concatenate([opps.product[won], opps.product[pre_deal], _product_of(rng, rr_bu)])
    day = np.concatenate([won_day, pre_day, rr_day])
    usd = np.concatenate([opps.amount_usd[won], pre_usd, rr_usd])
    # the parts are in the columns now: free them (at size L each is some 200 MB)
    del at, first, base, owner_of, k, beat, soonest, late, a, h, rr_day, rr_office, rr_rep, rr_bu, rr_usd, won_day, pre_day
    order = np.lexsort((rng.random(n), day))
    # one column at a time, so that only one is held twice
    account = account[order]
    opportunity = opportunity[order]
    rep = rep[order]
    office = office[order]
    bu = bu[order]
    product = product[order]
    day = day[order]
    usd = usd[order]
    del order
    region = org.office_region[office]
    currency = org.region_currency[region]
    won_amount = np.zeros(n)
    from_opp = opportunity >= 0
    won_amount[from_opp] = opps.amount[opportunity[from_opp]]
    amount = np.where(from_opp, won_amount, np.round(usd / money.usd(currency, day), 2))
    quantity = np.maximum(1, np.round(usd / PRODUCT_PRICE_USD[product])).astype("int64")
    sub = BU_SUBSCRIPTION[bu]
    promised = day + np.where(sub, rng.integers(0, 4, n), rng.integers(5, 46, n))
    late_p = 0.12 * rng.lognormal(0, 0.5, len(org.office_unit))[office]
    late = rng.random(n) < late_p
    shipped = np.where(
        late,
        promised + 1 + rng.lognormal(np.log(6), 0.8, n).astype("int64"),
        promised - (rng.random(n) * np.minimum(10, promised - day + 1)).astype("int64"),
    )
    shipped = np.where(sub, day, np.maximum(shipped, day))
    invoiced = shipped + rng.integers(0, 4, n)
    terms = np.array([[30, 45], [45, 60], [60, 90]])[currency, rng.integers(0, 2, n)]
    due = invoiced + terms
    paid = np.maximum(due + np.round(rng.normal(5, 20, n)).astype("int64"), invoiced)
    # 4% of invoices are paid late rather than never: 30 days to about 9 months past due, from the same uniform draw
    # (so no other row changes); a tenth of them, 0.4% of invoices, are never paid — bad debt kept on the books. Never
    # paying all 4% let them pile up over the years as a receivables tail no company carries without writing it off.
    slow = rng.random(n)
    late_days = 30 + (slow / 0.04 * 240).astype("int64")
    paid = np.where(slow < 0.004, NEVER, np.where(slow < 0.04, np.maximum(paid, due + late_days), paid))
    shipped = np.where(shipped > cal.end_day, NEVER, shipped)
    invoiced = np.where((invoiced > cal.end_day) | (shipped == NEVER), NEVER, invoiced)
    due = np.where(invoiced == NEVER, NEVER, due)
    paid = np.where((paid > cal.end_day) | (invoiced == NEVER), NEVER, paid)
    lo, hi = BU_MARGIN[bu, 0], BU_MARGIN[bu, 1]
    margin = lo + rng.random(n) * (hi - lo)
    months = np.where(sub, rng.choice([12, 24, 36], n, p=[0.6, 0.25, 0.15]), 0)
    return Orders(n, account, opportunity, rep, office, bu, product, day, usd, amount, currency, quantity, promised,
                  shipped, invoiced, due, paid, margin, months)


# --- the build ------------------------------------------------------------------------------------


@dataclass
class World:
    """The skeleton arrays, drawn in two stages (see :data:`BUILD_STAGES`): ``orders`` is drawn once the
    leads' tables are written and ``leads`` dropped, so the two never take memory at once."""

    size: str
    locale: str
    seed: int
    cal: Calendar
    org: Org
    reps: Reps
    acc: Accounts
    money: Money
    camp: Campaigns
    leads: Leads | None
    opps: Opps
    orders: Orders | None
    account_names: pd.Series
    rep_names: pd.Series


def _world(size: str, seed: int, as_of: dt.date, locale: str) -> World:
    """Everything but the orders (:func:`_draw_orders` adds them)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    if locale not in nm.LOCALES:
        raise ValueError(f"locale must be one of {', '.join(nm.LOCALES)}")
    sz = SIZES[size]
    cal = Calendar(as_of)
    org = _org(locale)
    reps = _reps(sz["rep"], sz["rep_team_history"] - sz["rep"], org, cal, _rng(seed, "reps"))
    acc = _accounts(sz["account"], org, reps, cal, _rng(seed, "accounts"))
    money = _money(cal, locale, _rng(seed, "money"))
    camp = _campaigns(sz["campaign"], org, cal, _rng(seed, "campaigns"))
    leads = _leads(sz["lead"], org, reps, acc, camp, cal, _rng(seed, "leads"), _rng(seed, "leads", "new companies"))
    opps = _opportunities(sz["opportunity"], org, reps, acc, leads, money, cal, _rng(seed, "opportunities"))
    name_rng = _rng(seed, "names", locale)
    cities = pd.Series(np.where(org.office_country[acc.office0] == "CN", org.office_city[acc.office0], ""), dtype="str")
    return World(size, locale, seed, cal, org, reps, acc, money, camp, leads, opps, None,
                 nm.company_names(name_rng, acc.n, locale, cities), nm.person_names(name_rng, reps.n, locale))


def _draw_orders(w: World) -> None:
    """Drop the leads (their tables are written) and draw the orders: every draw has its own
    stream (:func:`_rng`), so the order of the stages changes no row."""
    w.leads = None
    w.orders = _orders(SIZES[w.size]["sales_order"], w.org, w.reps, w.acc, w.opps, w.money, w.cal,
                       _rng(w.seed, "orders"))


Frames = Iterator[pd.DataFrame]


def _chunks(n: int) -> Iterator[slice]:
    for start in range(0, n, CHUNK):
        yield slice(start, min(start + CHUNK, n))


def _ids(x: np.ndarray) -> pd.Series:
    """0-based indices to 1-based ids; -1 becomes null."""
    x = np.asarray(x, dtype="int64")
    return pd.Series(pd.array(np.where(x >= 0, x + 1, 0), dtype="Int64")).where(x >= 0)


def _text(values: np.ndarray | list[str], index: np.ndarray) -> pd.Series:
    arr = np.asarray(values, dtype=object)
    index = np.asarray(index)
    out = pd.Series(arr[np.maximum(index, 0)], dtype="str")
    return out.where(index >= 0)


def _business_units(w: World) -> Frames:
    yield pd.DataFrame({
        "bu_id": np.arange(1, len(nm.PRODUCT_LINES) + 1),
        "code": [pl.code for pl in nm.PRODUCT_LINES],
        "name": [getattr(pl, w.locale) for pl in nm.PRODUCT_LINES],
        "kind": "product",
    })


def _project_grades(w: World) -> Frames:
    yield pd.DataFrame({"code": [g[0] for g in nm.PROJECT_GRADES],
                        "name": [g[1] if w.locale == "en" else g[2] for g in nm.PROJECT_GRADES],
                        "rank": [g[3] for g in nm.PROJECT_GRADES]})


def _products(w: World) -> Frames:
    items = [p for pl in nm.PRODUCT_LINES for p in pl.products]
    yield pd.DataFrame({
        "product_id": np.arange(1, len(items) + 1),
        "code": [p[0] for p in items],
        "name": [p[1] if w.locale == "en" else p[2] for p in items],
        "bu_id": PRODUCT_BU + 1,
        "list_price": np.round(PRODUCT_PRICE_USD / w.money.usd_per[w.money.reporting, -1], 2),
    })


def _org_units(w: World) -> Frames:
    o = w.orders
    rev = _reporting(w, o.amount_usd, o.day) * (o.day >= w.cal.start_day)
    yearly = np.bincount(o.office, weights=rev, minlength=len(w.org.office_unit)) / HISTORY_YEARS
    frame = w.org.unit_rows.copy()
    floor = np.full(len(frame), np.nan)
    floor[w.org.office_unit - 1] = np.round(0.6 * yearly, -4)
    frame["revenue_floor"] = floor
    yield frame


def _exchange_rates(w: World) -> Frames:
    rows = []
    starts = w.cal.month_start(w.money.month0 + np.arange(w.money.usd_per.shape[1]))
    for c, code in enumerate(CURRENCIES):
        if c == w.money.reporting:
            continue
        rate = w.money.usd_per[c] / w.money.usd_per[w.money.reporting]
        valid_to = np.append(starts[1:], -1)
        rows.append(pd.DataFrame({
            "from_currency": code,
            "to_currency": CURRENCIES[w.money.reporting],
            "valid_from": _as_dates(starts),
            "valid_to": _as_dates(valid_to, valid_to >= 0),
            "rate": np.round(rate, 8),
        }))
    yield pd.concat(rows, ignore_index=True)


def _rep_rows(w: World) -> Frames:
    r = w.reps
    names = w.rep_names
    ids = np.arange(1, r.n + 1)
    code = pd.Series(ids + 100_000).astype("str")
    if w.locale == "en":
        email = names.str.lower().str.replace(r"[^a-z]+", ".", regex=True) + "." + code + "@example.com"
    else:
        email = "rep" + code + "@example.com"
    yield pd.DataFrame({
        "rep_id": ids,
        "code": "E" + code,
        "name": names,
        "email": email,
        "title": _text(nm.TITLES[w.locale], r.title),
        "manager_id": _ids(r.manager),
        "hire_date": _as_dates(r.hire),
        "leave_date": _as_dates(r.leave, r.leave < NEVER),
    })


def _rep_team_history(w: World) -> Frames:
    r = w.reps
    moved = np.flatnonzero(r.move_day < NEVER)
    rep = np.concatenate([np.arange(r.n), moved])
    team = np.concatenate([r.team0, r.team1[moved]])
    start = np.concatenate([r.hire, r.move_day[moved]])
    end = np.concatenate([np.where(r.move_day < NEVER, r.move_day, np.where(r.leave < NEVER, r.leave + 1, NEVER)),
                          np.where(r.leave[moved] < NEVER, r.leave[moved] + 1, NEVER)])
    order = np.lexsort((start, rep))
    rep, team, start, end = rep[order], team[order], start[order], end[order]
    yield pd.DataFrame({
        "rep_id": rep + 1,
        "team_unit_id": w.org.team_unit[team],
        "valid_from": _as_dates(start),
        "valid_to": _as_dates(end, end < NEVER),
    })


def _campaign_rows(w: World) -> Frames:
    c = w.camp
    cities = w.org.office_city[c.office]
    year = (c.start.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970).astype(str)
    line = np.array([getattr(pl, w.locale) for pl in nm.PRODUCT_LINES] + [""], dtype=object)[c.bu]
    if w.locale == "en":
        line = np.where(c.bu < 0, "Solutions", line)
    else:
        line = np.where(c.bu < 0, "解决方案", line)
    templates = nm.CAMPAIGN_WORDS[w.locale]
    name = [templates[CAMPAIGN_KINDS[k]].format(city=ci, line=li, year=y) for k, ci, li, y in zip(c.kind, cities, line, year)]
    region = w.org.office_region[c.office]
    unit = np.where(c.unit_level == 0, w.org.office_unit[c.office],
                    np.where(c.unit_level == 1, w.org.region_unit[region], w.org.region_cluster_unit[region]))
    currency = w.org.region_currency[region]
    yield pd.DataFrame({
        "campaign_id": np.arange(1, c.n + 1),
        "name": name,
        "kind": _text(CAMPAIGN_KINDS, c.kind),
        "cost": np.round(c.cost_usd / w.money.usd(currency, c.start), -1),
        "currency": _text(CURRENCIES, currency),
        "start_date": _as_dates(c.start),
        "end_date": _as_dates(c.end),
        "unit_id": unit,
        "bu_id": _ids(c.bu),
    })


def _booked_unit(w: World, office: np.ndarray, rep: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The unit a record is booked to: the team its rep was in on the record's day, where that team
    belongs to the record's office; otherwise (no rep, or a rep of another office) the office."""
    has = rep >= 0
    team = w.reps.team_on(np.where(has, rep, 0), day)
    mine = has & (w.org.team_office[team] == office)
    return np.where(mine, w.org.team_unit[team], w.org.office_unit[office])


def _account_rows(w: World) -> Frames:
    a = w.acc
    last = np.searchsorted(a.h_account, np.arange(a.n), "right") - 1
    yield pd.DataFrame({
        "account_id": np.arange(1, a.n + 1),
        "name": w.account_names,
        "industry": _text(nm.INDUSTRIES[w.locale], _rng(w.seed, "industry").integers(0, 12, a.n)),
        "segment": _text(SEGMENTS, a.segment),
        "home_unit_id": _booked_unit(w, a.h_office[last], a.h_owner[last], a.h_from[last]),
        "owner_rep_id": a.h_owner[last] + 1,
        "source_channel": _text(nm.LEAD_SOURCES, a.source),
        "city": pd.Series(w.org.office_city[a.office0], dtype="str"),
        "country": pd.Series(w.org.office_country[a.office0], dtype="str"),
        "created_at": _as_times(a.created_ts),
    })


def _account_history_rows(w: World) -> Frames:
    a = w.acc
    for part in _chunks(len(a.h_account)):
        to = a.h_to[part]
        yield pd.DataFrame({
            "account_id": a.h_account[part] + 1,
            "owner_rep_id": a.h_owner[part] + 1,
            "home_unit_id": _booked_unit(w, a.h_office[part], a.h_owner[part], a.h_from[part]),
            "valid_from": _as_dates(a.h_from[part]),
            "valid_to": _as_dates(to, to < NEVER),
        })


def _product_names(w: World) -> np.ndarray:
    return np.array([p[1] if w.locale == "en" else p[2] for pl in nm.PRODUCT_LINES for p in pl.products], dtype=object)


def _opportunity_rows(w: World) -> Frames:
    o = w.opps
    products = _product_names(w)
    joiner = " – " if w.locale == "en" else " "
    for part in _chunks(o.n):
        acc = o.account[part]
        prod = pd.Series(products[o.product[part]], dtype="str")
        name = w.account_names.iloc[acc].reset_index(drop=True) + joiner + prod
        if w.locale == "zh":
            name = name + "项目"
        closed = o.closed[part]
        stage = o.stage[part]
        yield pd.DataFrame({
            "opportunity_id": np.arange(part.start + 1, part.stop + 1),
            "name": name,
            "account_id": acc + 1,
            "owner_rep_id": o.owner[part] + 1,
            "unit_id": _booked_unit(w, o.office[part], o.owner[part], o.created[part] // DAY),
            "bu_id": o.bu[part] + 1,
            "product_id": o.product[part] + 1,
            "source_channel": _text(["lead", "existing_account", "own_development"], o.source[part]),
            "created_at": _as_times(o.created[part]),
            "stage": _text(STAGES, stage),
            "amount": o.amount[part],
            "currency": _text(CURRENCIES, o.currency[part]),
            "probability": o.probability[part],
            "quantity": o.quantity[part],
            "expected_close_date": _as_dates(o.expected_close[part]),
            "closed_at": _as_times(closed, closed >= 0),
            "status": _text(["open", "won", "lost"], np.where(stage < 4, 0, np.where(stage == 4, 1, 2))),
            "loss_reason": _text(LOSS_REASONS, o.loss_reason[part]),
            "competitor": _text(nm.COMPETITORS[w.locale], o.competitor[part]),
            "project_grade": _text([g[0] for g in nm.PROJECT_GRADES], o.grade[part]),
        })


def _stage_history_rows(w: World) -> Frames:
    """Each opportunity's path through the stages, plus re-forecasts that hit the pinned count."""
    o = w.opps
    target = SIZES[w.size]["opportunity_stage_history"]
    path = np.where(o.stage == 4, 5, np.where(o.stage == 5, o.lost_at + 2, o.stage + 1))
    extra_total = target - int(path.sum())
    if extra_total < 0:
        raise ValueError("stage history target too small for the drawn paths")
    extra = np.bincount(_rng(w.seed, "stage_extra").integers(0, o.n, extra_total), minlength=o.n)
    for i, part in enumerate(_chunks(o.n)):
        rng = _rng(w.seed, "stage_history", i)
        opp = np.arange(part.start, part.stop)
        p, e = path[part], extra[part]
        closed = o.closed[part] >= 0
        # base rows: one per step; a closed deal's last step is its outcome
        b_opp = np.repeat(opp, p)
        b_step = _group_positions(p)
        b_stage = np.where(b_step == np.repeat(p, p) - 1, o.stage[b_opp], b_step)
        # re-forecast rows repeat a non-final step
        x_opp = np.repeat(opp, e)
        open_steps = np.where(closed, p - 1, p)[x_opp - part.start]
        x_step = (rng.random(len(x_opp)) * open_steps).astype("int64")
        x_stage = x_step
        r_opp = np.concatenate([b_opp, x_opp])
        r_step = np.concatenate([b_step, x_step])
        r_stage = np.concatenate([b_stage, x_stage])
        r_rev = np.concatenate([np.zeros(len(b_opp)), 1 + rng.random(len(x_opp))])
        order = np.lexsort((r_rev, r_step, r_opp))
        r_opp, r_stage = r_opp[order], r_stage[order]
        k = p + e
        pos = _group_positions(k)
        kk = np.repeat(k, k)
        is_last = pos == kk - 1
        # times: sorted uniform points between creation and close (or the cut-off)
        start = o.created[r_opp]
        end = np.where(o.closed[r_opp] >= 0, o.closed[r_opp], w.cal.t_end - 1)
        u = rng.random(len(r_opp))
        u = np.where(pos == 0, 0.0, u)
        u = np.where(is_last & (o.closed[r_opp] >= 0), 1.0, u)
        order2 = np.lexsort((u, r_opp))
        u = u[order2]
        # strictly increasing within an opportunity: one second per step is kept free
        room = np.maximum(end - start - (kk - 1), 0)
        changed = np.minimum(start + (u * room).astype("int64") + pos, np.maximum(end, start))
        final = o.amount[r_opp]
        drift = np.exp(rng.normal(0, 0.2, len(r_opp)) * (1 - pos / np.maximum(kk - 1, 1)))
        amount = np.where(is_last, final, np.round(final * drift, -1))
        prob = np.where(is_last, o.probability[r_opp],
                        np.clip(STAGE_PROBABILITY[np.minimum(r_stage, 5)] + rng.normal(0, 0.05, len(r_opp)), 0.05, 0.95))
        prob = np.where(r_stage >= 4, STAGE_PROBABILITY[np.minimum(r_stage, 5)], np.round(prob, 2))
        day = changed // DAY
        planned = np.maximum(o.created[r_opp] // DAY + np.ceil(o.est_cycle[r_opp]).astype("int64"), day)
        expected = np.where(is_last, o.expected_close[r_opp], planned)
        yield pd.DataFrame({
            "opportunity_id": r_opp + 1,
            "changed_at": _as_times(changed),
            "stage": _text(STAGES, r_stage),
            "amount": amount,
            "probability": prob,
            "expected_close_date": _as_dates(expected),
        })


LEAD_STATUS = {name: path for name, _, path in LEAD_CATEGORIES}


def _lead_rows(w: World) -> Frames:
    ld = w.leads
    rng = _rng(w.seed, "lead_names", w.locale)
    cities = pd.Series(np.where(w.org.office_country[ld.office] == "CN", w.org.office_city[ld.office], ""), dtype="str")
    fake_company = nm.company_names(rng, ld.n, w.locale, cities)
    contact = nm.person_names(rng, ld.n, w.locale)
    final_status = np.array([path[-1] for _, _, path in LEAD_CATEGORIES], dtype=object)
    for part in _chunks(ld.n):
        created = ld.created[part]
        acc = ld.account[part]
        company = fake_company.iloc[part].reset_index(drop=True)
        has = acc >= 0
        company[has] = w.account_names.iloc[acc[has]].to_numpy()
        asg, rsp = ld.assigned[part], ld.responded[part]
        q, cv = ld.off_qualified[part], ld.off_converted[part]
        yield pd.DataFrame({
            "lead_id": np.arange(part.start + 1, part.stop + 1),
            "source_channel": _text(nm.LEAD_SOURCES, ld.source[part]),
            "campaign_id": _ids(ld.campaign[part]),
            "referring_account_id": _ids(ld.referrer[part]),
            "account_id": _ids(acc),
            "company_name": company,
            "contact_name": contact.iloc[part].reset_index(drop=True),
            "unit_id": _booked_unit(w, ld.office[part], np.where(asg >= 0, ld.rep[part], -1), created // DAY),
            "created_at": _as_times(created),
            "assigned_rep_id": _ids(np.where(asg >= 0, ld.rep[part], -1)),
            "assigned_at": _as_times(created + asg, asg >= 0),
            "first_response_at": _as_times(created + rsp, rsp >= 0),
            "qualified_at": _as_times(created + q, q >= 0),
            "converted_opportunity_id": _ids(ld.opportunity[part]),
            "converted_at": _as_times(created + cv, cv >= 0),
            "status": final_status[ld.category[part]],
        })


def _lead_status_rows(w: World) -> Frames:
    ld = w.leads
    offsets = {"new": None, "working": ld.responded, "qualified": ld.off_qualified, "disqualified": ld.off_disqualified,
               "returned": ld.off_returned, "converted": ld.off_converted}
    for part in _chunks(ld.n):
        lead_parts, status_parts, at_parts = [], [], []
        cat = ld.category[part]
        for ci, (_, _, path) in enumerate(LEAD_CATEGORIES):
            idx = part.start + np.flatnonzero(cat == ci)
            for step, status in enumerate(path):
                if status == "working" and step > 1:
                    off = ld.off_reworked[idx]
                elif status == "new":
                    off = np.zeros(len(idx), dtype="int64")
                else:
                    off = offsets[status][idx]  # type: ignore[index]
                lead_parts.append(idx)
                status_parts.append(np.full(len(idx), status, dtype=object))
                at_parts.append(ld.created[idx] + off)
        lead = np.concatenate(lead_parts)
        at = np.concatenate(at_parts)
        status = np.concatenate(status_parts)
        order = np.lexsort((at, lead))
        yield pd.DataFrame({"lead_id": lead[order] + 1, "status": status[order], "changed_at": _as_times(at[order])})


def _order_rows(w: World) -> Frames:
    o = w.orders
    for part in _chunks(o.n):
        ids = np.arange(part.start + 1, part.stop + 1)
        day = o.day[part]
        year = (day.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970).astype(str)
        number = "SO" + pd.Series(year) + "-" + pd.Series(ids).astype("str").str.zfill(8)
        amount = o.amount[part]
        months = o.contract_months[part]
        start = day.astype("datetime64[D]")
        end = ((start.astype("datetime64[M]") + months).astype("datetime64[D]") + (start - start.astype("datetime64[M]").astype("datetime64[D]"))).astype("int64") - 1
        sh, inv, due, paid = o.shipped[part], o.invoiced[part], o.due[part], o.paid[part]
        yield pd.DataFrame({
            "order_id": ids,
            "order_number": number,
            "account_id": o.account[part] + 1,
            "opportunity_id": _ids(o.opportunity[part]),
            "rep_id": o.rep[part] + 1,
            "unit_id": _booked_unit(w, o.office[part], o.rep[part], day),
            "bu_id": o.bu[part] + 1,
            "product_id": o.product[part] + 1,
            "order_date": _as_dates(day),
            "amount": amount,
            "currency": _text(CURRENCIES, o.currency[part]),
            "cost": np.round(amount * (1 - o.margin[part]), 2),
            "quantity": o.quantity[part],
            "promised_delivery_date": _as_dates(o.promised[part]),
            "shipped_date": _as_dates(sh, sh < NEVER),
            "invoiced_date": _as_dates(inv, inv < NEVER),
            "payment_due_date": _as_dates(due, due < NEVER),
            "cash_collected_date": _as_dates(paid, paid < NEVER),
            "contract_start_date": _as_dates(day, months > 0),
            "contract_end_date": _as_dates(end, months > 0),
        })


def _ticket_rows(w: World) -> Frames:
    n = SIZES[w.size]["service_ticket"]
    rng = _rng(w.seed, "tickets")
    o, a, cal = w.orders, w.acc, w.cal
    from_order = rng.random(n) < 0.75
    late = (o.shipped < NEVER) & (o.shipped > o.promised)
    weight = np.where(late, 3.0, 1.0) * (o.day < cal.end_day - 2) * (o.day >= cal.start_day)
    cum = np.cumsum(weight)
    order = np.searchsorted(cum, rng.random(n) * cum[-1], "right")
    base = np.where(o.shipped[order] < NEVER, o.shipped[order], o.day[order])
    opened_o = base * DAY + (rng.lognormal(np.log(20), 1.0, n) * DAY).astype("int64")
    opened_o = np.where(opened_o >= cal.t_end, o.day[order] * DAY + (rng.random(n) * (cal.t_end - o.day[order] * DAY)).astype("int64"), opened_o)
    cum_a = np.cumsum(a.size**0.5)
    account_only = np.searchsorted(cum_a, rng.random(n) * cum_a[-1], "right")
    lo = np.maximum(a.created_ts[account_only], cal.t0)
    opened_a = lo + (rng.random(n) * (cal.t_end - lo)).astype("int64")
    account = np.where(from_order, o.account[order], account_only)
    opened = np.where(from_order, opened_o, opened_a)
    product = np.where(from_order, o.product[order], rng.integers(0, len(PRODUCT_BU), n))
    complaint = rng.random(n) < np.where(from_order & late[order], 0.45, 0.15)
    first = opened + (rng.lognormal(np.log(3 * 3600), 1.3, n)).astype("int64")
    resolve_days = rng.lognormal(np.log(2), 1.0, n) * np.where(complaint, 2.0, 1.0)
    resolved = first + (resolve_days * DAY).astype("int64")
    mean = np.where(complaint, 3.0, 4.2) - 0.3 * np.log1p(resolve_days)
    score = np.clip(np.round(mean + rng.normal(0, 0.8, n)), 1, 5).astype("int64")
    rated = (rng.random(n) < 0.7) & (resolved < cal.t_end)
    ids = np.argsort(opened, kind="stable")
    subjects = nm.TICKET_SUBJECTS[w.locale]
    req, comp = np.array(subjects["request"], dtype=object), np.array(subjects["complaint"], dtype=object)
    subject = np.where(complaint, comp[rng.integers(0, len(comp), n)], req[rng.integers(0, len(req), n)])
    frame = pd.DataFrame({
        "account_id": account + 1,
        "order_id": _ids(np.where(from_order, order, -1)),
        "product_id": product + 1,
        "kind": np.where(complaint, "complaint", "request"),
        "opened_at": _as_times(opened),
        "first_response_at": _as_times(first, first < cal.t_end),
        "resolved_at": _as_times(resolved, resolved < cal.t_end),
        "satisfaction": pd.array(np.where(rated, score, 0), dtype="Int64"),
        "subject": subject,
    })
    frame["satisfaction"] = frame["satisfaction"].where(rated)
    frame = frame.iloc[ids].reset_index(drop=True)
    frame.insert(0, "ticket_id", np.arange(1, n + 1))
    for part in _chunks(n):
        yield frame.iloc[part]


ACTIVITY_KINDS = ("call", "email", "meeting", "visit")


def _activity_rows(w: World) -> Frames:
    """Contacts month by month (so ids follow time); more for big accounts, none lately for some."""
    n = SIZES[w.size]["activity"]
    cal, a, o = w.cal, w.acc, w.opps
    months = cal.month0 + np.arange(cal.n_months)
    m_start = np.maximum(cal.month_start(months), cal.start_day)
    m_end = np.minimum(cal.month_start(months + 1) - 1, cal.end_day)
    counts = _allocate(n, (m_end - m_start + 1) * (1 + 0.35 * np.arange(cal.n_months) / cal.n_months))
    subjects = nm.ACTIVITY_SUBJECTS[w.locale]
    o_end = np.where(o.closed >= 0, o.closed // DAY, cal.end_day)
    next_id = 1
    for i, (lo, hi, k) in enumerate(zip(m_start, m_end, counts)):
        rng = _rng(w.seed, "activity", i)
        with_opp = rng.random(k) < 0.35
        k_opp = int(with_opp.sum())
        live = np.flatnonzero((o.created // DAY <= hi) & (o_end >= lo))
        if not len(live):
            k_opp, with_opp = 0, np.zeros(k, dtype=bool)
        opp = live[rng.integers(0, max(len(live), 1), k_opp)] if k_opp else np.zeros(0, dtype="int64")
        o_lo = np.maximum(o.created[opp] // DAY, lo)
        o_hi = np.minimum(o_end[opp], hi)
        o_day = o_lo + (rng.random(k_opp) * (o_hi - o_lo + 1)).astype("int64")
        reachable = (a.created_day <= hi) & (a.contact_to >= lo)
        weight = a.size**0.6 * reachable
        cum = np.cumsum(weight)
        k_acc = k - k_opp
        acc = np.searchsorted(cum, rng.random(k_acc) * cum[-1], "right")
        a_lo = np.maximum(np.maximum(a.created_day[acc], lo), 0)
        a_hi = np.minimum(a.contact_to[acc], hi)
        a_day = a_lo + (rng.random(k_acc) * (np.maximum(a_hi - a_lo, 0) + 1)).astype("int64")
        account = np.concatenate([o.account[opp], acc])
        day = np.concatenate([o_day, a_day])
        opp_id = np.concatenate([opp, np.full(k_acc, -1)])
        h = w.acc.at(account, day)
        office = a.h_office[h]
        owner = np.where(opp_id >= 0, o.owner[np.maximum(opp_id, 0)], a.h_owner[h])
        rep = w.reps.cover(rng, owner, office, day)
        region = w.org.office_region[office]
        ts = _business_ts(rng, day, w.org.region_offset[region])
        big = a.segment[account] == 0
        kind = np.where(big, rng.choice(4, k, p=[0.3, 0.25, 0.25, 0.2]), rng.choice(4, k, p=[0.45, 0.35, 0.12, 0.08]))
        subject = np.empty(k, dtype=object)
        for ki, kind_name in enumerate(ACTIVITY_KINDS):
            sel = kind == ki
            words = np.array(subjects[kind_name], dtype=object)
            subject[sel] = words[rng.integers(0, len(words), int(sel.sum()))]
        order = np.argsort(ts, kind="stable")
        yield pd.DataFrame({
            "activity_id": np.arange(next_id, next_id + k),
            "account_id": account[order] + 1,
            "rep_id": rep[order] + 1,
            "opportunity_id": _ids(opp_id[order]),
            "kind": _text(ACTIVITY_KINDS, kind[order]),
            "occurred_at": _as_times(ts[order]),
            "subject": pd.Series(subject[order], dtype="str"),
        })
        next_id += k


def _reporting(w: World, usd: np.ndarray, day: np.ndarray) -> np.ndarray:
    return usd / w.money.usd(np.full(len(day), w.money.reporting), day)


def _wallet_rows(w: World) -> Frames:
    rng = _rng(w.seed, "wallet")
    a, o, cal = w.acc, w.orders, w.cal
    years = np.array(cal.years)
    n_cov = SIZES[w.size]["wallet_estimate"] // len(years)
    covered = np.sort(rng.choice(a.n, n_cov, replace=False))
    year_of = o.day.astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970
    yi = np.clip(year_of - years[0], 0, len(years) - 1)
    usd = o.amount_usd * (year_of >= years[0])  # orders before the first estimated year are left out
    actual = np.bincount(o.account * len(years) + yi, weights=usd, minlength=a.n * len(years)).reshape(a.n, -1)
    # what an account of this size buys in a year, all suppliers, before our share is taken
    span_years = (cal.end_day + 1 - max(_days(dt.date(years[0], 1, 1)), cal.order_start_day)) / 365.25
    per_size = actual.sum() / span_years / (a.size[a.buys] ** 1.0).sum()
    acc = np.repeat(covered, len(years))
    fy = np.tile(np.arange(len(years)), n_cov)
    share = np.clip(rng.beta(1.6, 3.5, len(acc)) * 0.75 + 0.03, 0.03, 0.95)
    expected = per_size * a.size[acc] * rng.lognormal(0, 0.25, len(acc))
    spend = np.maximum(actual[acc, fy], expected * share)
    wallet = spend / share
    over = rng.random(len(acc)) < 0.03  # the estimate was too low: we sold more than it
    wallet = np.where(over & (actual[acc, fy] > 0), actual[acc, fy] / rng.uniform(1.05, 1.5, len(acc)), wallet)
    fy_start = np.array([_days(dt.date(y, 1, 1)) for y in years])[fy]
    est_day = np.minimum(fy_start + rng.integers(0, 90, len(acc)), cal.end_day)
    last = np.searchsorted(a.h_account, acc, "right") - 1
    currency = w.org.region_currency[w.org.office_region[a.h_office[last]]]
    amount = np.round(wallet / w.money.usd(currency, est_day), -2)
    source = rng.choice(4, len(acc), p=[0.3, 0.35, 0.1, 0.25])
    estimated = _business_ts(rng, est_day, np.zeros(len(acc)))
    for part in _chunks(len(acc)):
        yield pd.DataFrame({
            "account_id": acc[part] + 1,
            "fiscal_year": years[fy[part]],
            "amount": amount[part],
            "currency": _text(CURRENCIES, currency[part]),
            "source": _text(("analyst", "rep", "customer", "model"), source[part]),
            "estimated_at": _as_times(estimated[part]),
        })


MEASURES = ("revenue", "new_customers", "won_deals", "cash_collected")


def _split(parent_units: np.ndarray, weight: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Whole units of each parent (``parent_units[group]``) shared among its children by ``weight``,
    adding up exactly to the parent (largest remainders); a parent whose children have no weight
    shares equally."""
    n_groups = len(parent_units)
    total = np.bincount(group, weights=weight, minlength=n_groups)
    count = np.bincount(group, minlength=n_groups)
    share = np.where(total[group] > 0, weight / np.where(total[group] > 0, total[group], 1), 1 / np.maximum(count[group], 1))
    raw = parent_units[group] * share
    units = np.floor(raw)
    left = parent_units - np.bincount(group, weights=units, minlength=n_groups)
    order = np.lexsort((-(raw - units), group))
    first = np.searchsorted(group[order], np.arange(n_groups))
    place = np.arange(len(order)) - first[group[order]]
    units[order] += place < left[group[order]]
    return units


def _target_rows(w: World) -> Frames:
    """Quarterly targets set top-down, the way sales planning does it: each office's from last
    year's same quarter and its last four quarters, times growth; split among its teams by their
    share of the office's last four quarters, and each team's among the reps employed that quarter
    by theirs (a new rep gets half a share while ramping). Children add up exactly to their parent,
    except in about one office-quarter in twelve, where the office was given a stretch on top of
    what its teams committed to (the targets view flags these). Business units get their own."""
    rng = _rng(w.seed, "targets")
    cal, o, op, r, org = w.cal, w.orders, w.opps, w.reps, w.org
    q0 = int(_month_index(np.array([cal.start_day]))[0]) // 3
    n_q = int(_month_index(np.array([cal.end_day]))[0]) // 3 - q0 + 1
    q_start = cal.month_start((q0 + np.arange(n_q)) * 3)
    q_end = cal.month_start((q0 + np.arange(n_q) + 1) * 3) - 1
    n_off, n_team, n_bu = len(org.office_unit), len(org.team_unit), len(nm.PRODUCT_LINES)

    rev = _reporting(w, o.amount_usd, o.day)
    first = np.unique(o.account, return_index=True)[1]  # orders are sorted by date
    new = np.zeros(o.n)
    new[first] = 1
    paid = o.paid < NEVER
    won = op.stage == 4
    events = {
        "revenue": (o.day, rev, o.bu, o.rep),
        "new_customers": (o.day, new, o.bu, o.rep),
        "won_deals": (op.closed[won] // DAY, np.ones(int(won.sum())), op.bu[won], op.owner[won]),
        "cash_collected": (o.paid[paid], rev[paid], o.bu[paid], o.rep[paid]),
    }
    mid = (q_start + q_end) // 2
    team_q = np.stack([r.team_on(np.arange(r.n), np.full(r.n, d)) for d in mid], axis=1)  # [rep, quarter]
    employed = (r.hire[:, None] <= q_end[None, :]) & (r.leave[:, None] >= q_start[None, :])

    def per_quarter(key: np.ndarray, n_keys: int, day: np.ndarray, value: np.ndarray) -> np.ndarray:
        q = _month_index(day) // 3 - q0
        return np.bincount(key * n_q + q, weights=value, minlength=n_keys * n_q).reshape(n_keys, n_q)

    def trailing(actual: np.ndarray) -> np.ndarray:
        """Each quarter's last four quarters (the first year's own four before there are any)."""
        csum = np.concatenate([np.zeros((len(actual), 1)), np.cumsum(actual, axis=1)], axis=1)
        qs = np.arange(n_q)
        lo, hi = np.maximum(qs - 4, 0), np.maximum(qs, 4)
        hi = np.minimum(hi, n_q)
        return csum[:, hi] - csum[:, lo]

    def planned(actual: np.ndarray) -> np.ndarray:
        """Last year's same quarter blended with the last four quarters' average, times growth."""
        noise = rng.lognormal(-0.05, 0.12, (len(actual), min(4, n_q)))
        last_year = np.concatenate([actual[:, :4] * noise, actual[:, :-4]], axis=1)[:, :n_q]
        return (0.5 * last_year + 0.5 * trailing(actual) / 4) * rng.normal(1.10, 0.05, actual.shape)

    frames = []

    def emit(measure: str, kind: str, keys: np.ndarray, quarters: np.ndarray, values: np.ndarray) -> None:
        ok = values > 0
        keys, quarters, values = keys[ok], quarters[ok], values[ok]
        none = np.full(len(keys), -1)
        frames.append(pd.DataFrame({
            "measure": measure,
            "period_kind": "quarter",
            "period_start": _as_dates(q_start[quarters]),
            "period_end": _as_dates(q_end[quarters]),
            "value": values,
            "rep_id": _ids(keys if kind == "rep" else none),
            "unit_id": _ids(org.office_unit[keys] - 1 if kind == "office" else (org.team_unit[keys] - 1 if kind == "team" else none)),
            "bu_id": _ids(keys if kind == "bu" else none),
        }))

    for measure, (day, value, bu, rep) in events.items():
        inside = (day >= cal.start_day) & (day <= cal.end_day)
        day, value, bu, rep = day[inside], value[inside], bu[inside], rep[inside]
        step = 1000.0 if measure in ("revenue", "cash_collected") else 1.0
        team = r.team_on(rep, day)
        team_actual = per_quarter(team, n_team, day, value)
        office_actual = np.zeros((n_off, n_q))
        np.add.at(office_actual, org.team_office, team_actual)
        rep_actual = per_quarter(rep, r.n, day, value)
        office_units = np.maximum(np.round(planned(office_actual) / step), 1)
        team_weight, rep_weight = trailing(team_actual), trailing(rep_actual)
        team_units = np.zeros((n_team, n_q))
        rep_units = np.zeros((r.n, n_q))
        for q in range(n_q):
            team_units[:, q] = _split(office_units[:, q], team_weight[:, q], org.team_office)
            staff = np.flatnonzero(employed[:, q])
            weight = rep_weight[staff, q]
            ramp = 0.5 * (np.median(weight[weight > 0]) if (weight > 0).any() else 1.0)
            rep_units[staff, q] = _split(team_units[:, q], np.where(weight > 0, weight, ramp), team_q[staff, q])
        stretch = rng.random(office_units.shape) < 1 / 12
        office_units = np.where(stretch, np.round(office_units * rng.uniform(1.03, 1.10, office_units.shape)), office_units)
        bu_units = np.maximum(np.round(planned(per_quarter(bu, n_bu, day, value)) / step), 1)
        for kind, units in (("office", office_units), ("team", team_units), ("bu", bu_units), ("rep", rep_units)):
            keys, quarters = np.nonzero(units > 0)
            emit(measure, kind, keys, quarters, units[keys, quarters] * step)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "target_id", np.arange(1, len(out) + 1))
    yield out


#: The producer of each table's frames, in two stages: the first needs everything but the orders,
#: the second the orders but not the leads (:func:`_draw_orders` runs between them). The schema has
#: no foreign keys, so a table may be written before the tables it refers to.
BUILD_STAGES: tuple[tuple[tuple[Table, Callable[[World], Frames]], ...], ...] = (
    (
        (s.business_unit, _business_units),
        (s.project_grade, _project_grades),
        (s.product, _products),
        (s.exchange_rate, _exchange_rates),
        (s.rep, _rep_rows),
        (s.rep_team_history, _rep_team_history),
        (s.campaign, _campaign_rows),
        (s.account, _account_rows),
        (s.account_history, _account_history_rows),
        (s.opportunity, _opportunity_rows),
        (s.opportunity_stage_history, _stage_history_rows),
        (s.lead, _lead_rows),
        (s.lead_status_history, _lead_status_rows),
    ),
    (
        (s.org_unit, _org_units),  # its revenue floors come from the orders
        (s.sales_order, _order_rows),
        (s.service_ticket, _ticket_rows),
        (s.activity, _activity_rows),
        (s.wallet_estimate, _wallet_rows),
        (s.target, _target_rows),
    ),
)
PRODUCERS: tuple[tuple[Table, Callable[[World], Frames]], ...] = tuple(p for stage in BUILD_STAGES for p in stage)

#: DuckDB's memory while a demo is loaded into a database file: it writes what no longer fits to
#: the file instead of keeping every table it has been given in memory (by default it may take 80%
#: of the machine's memory, and at size L would, on top of the generator's arrays). Enough for the
#: primary keys it maintains while loading.
DUCKDB_BUILD_MEMORY = "4GB"
#: … and once the generator's arrays are freed, for the secondary indexes (at size L the largest,
#: on 60 million rows, needs more than 4 GB) and the summary tables.
DUCKDB_INDEX_MEMORY = "8GB"


def build_demo(
    engine: Engine,
    size: str = "S",
    seed: int = 7,
    as_of: dt.date | None = None,
    locale: str = "en",
    progress: bool = True,
    summaries: bool = True,
) -> dict[str, int]:
    """Create the schema in ``engine`` and fill its (empty) tables; returns rows written per table.

    Same ``size``, ``seed``, ``as_of`` and ``locale`` give identical rows. ``as_of`` defaults to
    ``DEFAULT_AS_OF`` (never the clock): the newest records fall on it or the day before. With
    ``summaries`` (on DuckDB and PostgreSQL) it then builds Granary's summary tables
    (:mod:`data_layer.summary`) in the reporting currency.
    """
    world = _world(size, seed, as_of or DEFAULT_AS_OF, locale)
    created = create_schema(engine, indexes=False)  # their secondary indexes are built once the rows are in
    written: dict[str, int] = {}
    with _duckdb_memory(engine) as memory, tqdm(
        total=len(PRODUCERS), desc=f"demo {size}", unit="table", disable=not progress
    ) as bar:
        memory(DUCKDB_BUILD_MEMORY)
        for i, stage in enumerate(BUILD_STAGES):
            if i == 1:
                bar.set_postfix_str("drawing orders")
                _draw_orders(world)
            for table, produce in stage:
                bar.set_postfix_str(table.name)
                written[table.name] = sum(bulk_insert(engine, table, frame) for frame in produce(world))
                bar.update()
        del world
        memory(DUCKDB_INDEX_MEMORY)
        bar.set_postfix_str("indexes")
        create_indexes(engine, created)
        if summaries and supports_summaries(engine):
            bar.set_postfix_str("summary tables")
            build_summaries(engine, load_settings().calendar, nm.REPORTING_CURRENCY[locale])
    return written


def ensure_demo_file(path: Path, as_of: dt.date, size: str = "S") -> bool:
    """Build the demo CRM into the DuckDB file ``path`` unless it exists — into a file beside it,
    renamed into place, so that no reader (the app, a command) ever opens a half-built one. True when
    it was built here. Two processes racing each build their own file; the second rename wins, whole."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f"{path.stem}.building-{os.getpid()}.duckdb")
    building.unlink(missing_ok=True)
    writer = create_engine(f"duckdb:///{building}")
    try:
        build_demo(writer, size=size, as_of=as_of, progress=False)
    except BaseException:
        writer.dispose()
        building.unlink(missing_ok=True)
        building.with_name(building.name + ".wal").unlink(missing_ok=True)
        raise
    writer.dispose()
    os.replace(building, path)
    building.with_name(building.name + ".wal").unlink(missing_ok=True)
    return True


@contextlib.contextmanager
def _duckdb_memory(engine: Engine) -> Iterator[Callable[[str], None]]:
    """A setter of DuckDB's memory limit while building into a database file (an in-memory
    database cannot spill its tables, so there it does nothing); the previous limit is restored
    afterwards."""
    database = engine.url.database or ""
    if engine.dialect.name != "duckdb" or database in ("", ":memory:") or database.startswith(":memory:"):
        yield lambda limit: None
        return

    def set_limit(limit: str) -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SET GLOBAL memory_limit = '{limit}'")

    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT current_setting('memory_limit')").scalar()
    try:
        yield set_limit
    finally:
        set_limit(before)


def _has_rows(engine: Engine) -> bool:
    present = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        return any(conn.execute(select(func.count()).select_from(t)).scalar() for t in s.TABLES if t.name in present)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_layer.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="S", help="XS, S, M or L (see SIZES)")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"SQLAlchemy URL (default {DEFAULT_URL})")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="last day of history (default today)")
    parser.add_argument("--locale", choices=nm.LOCALES, default="en")
    parser.add_argument("--replace", action="store_true", help="drop and recreate the schema's tables first")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.url.startswith("duckdb:///") and not args.url.startswith("duckdb:///:memory:"):
        Path(args.url.removeprefix("duckdb:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(args.url)
    try:
        if args.replace:
            s.metadata.drop_all(engine)
        elif _has_rows(engine):
            parser.error("the database already holds data; pass --replace to rebuild it")
        as_of = args.as_of or dt.date.today()
        counts = build_demo(engine, args.size, args.seed, as_of, args.locale, progress=not args.quiet)
    finally:
        engine.dispose()
    # Granary remembers its own builds in its own database, never in the CRM it built.
    record_demo_build(open_app_store(args.url), url=mask(args.url), size=args.size, seed=args.seed, as_of=as_of, locale=args.locale)
    print(f"{sum(counts.values()):,} rows in {len(counts)} tables, as of {as_of}, into {mask(args.url)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
