"""Independent oracles for the charts of the persona matrix (tests/test_persona_charts.py): each
figure recomputed in plain pandas and Python from the CRM's raw tables, for a scope written out as
unit ids and business-unit ids — never through ``metrics``, ``ui.cache`` or the viewer.

Only the raw rows are read through SQL (``SELECT * FROM table``); every filter, date rule, currency
conversion, grouping and statistic is done here, from the definitions the dashboard states.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import text

from data_layer.connection import make_engine

CENT = Decimal("0.01")
#: The demo's calendar (the settings' defaults): Asia/Shanghai, weeks from Monday, fiscal year = calendar year.
ZONE = ZoneInfo("Asia/Shanghai")
TABLES = ("org_unit", "business_unit", "account", "account_history", "sales_order", "opportunity", "lead",
          "lead_status_history", "opportunity_stage_history", "wallet_estimate", "exchange_rate", "rep", "target")


@dataclass(frozen=True)
class Scope:
    """Unit ids (None: all) and business-unit ids (None: all) a persona may see."""

    units: frozenset[int] | None
    bus: frozenset[int] | None

    def unit_ok(self, unit_id: object) -> bool:
        return self.units is None or (unit_id is not None and not _na(unit_id) and int(unit_id) in self.units)

    def bu_ok(self, bu_id: object) -> bool:
        return self.bus is None or (bu_id is not None and not _na(bu_id) and int(bu_id) in self.bus)

    def narrowed(self, units: frozenset[int]) -> Scope:
        return Scope(units if self.units is None else units & self.units, self.bus)


def _na(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT or (not isinstance(v, str | Decimal) and pd.isna(v))


def _dec(v: object) -> Decimal | None:
    return None if _na(v) else Decimal(str(v))


def local_day(ts: object) -> date | None:
    """The company-zone business date of a naive UTC timestamp."""
    if _na(ts):
        return None
    return pd.Timestamp(ts).tz_localize("UTC").tz_convert(ZONE).date()


def local_midnight(day: date) -> pd.Timestamp:
    """Midnight starting ``day`` in the company zone, as a naive UTC timestamp."""
    return pd.Timestamp(datetime(day.year, day.month, day.day), tz=ZONE).tz_convert("UTC").tz_localize(None)


def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def percentile(values: Iterable[float], q: float) -> float | None:
    """percentile_cont: linear interpolation between the closest ranks."""
    xs = sorted(values)
    if not xs:
        return None
    return float(np.percentile(np.array(xs, dtype=float), q * 100, method="linear"))


def week_buckets(start: date, end: date) -> list[tuple[date, date, date]]:
    """(label start, first day, last day) of each Monday-week bucket of [start, end], clipped to it."""
    first = start - timedelta(days=start.weekday())
    out = []
    b = first
    while b <= end:
        out.append((b, max(b, start), min(b + timedelta(days=6), end)))
        b += timedelta(days=7)
    return out


def month_buckets(start: date, end: date) -> list[tuple[date, date, date]]:
    out = []
    b = start.replace(day=1)
    while b <= end:
        nxt = add_months(b, 1)
        out.append((b, max(b, start), min(nxt - timedelta(days=1), end)))
        b = nxt
    return out


def buckets(start: date, end: date, grain: str) -> list[tuple[date, date, date]]:
    return week_buckets(start, end) if grain == "week" else month_buckets(start, end)


class Crm:
    """The raw tables of one CRM, loaded once, and the oracles over them."""

    def __init__(self, url: str, as_of: date, currency: str) -> None:
        self.as_of, self.currency = as_of, currency
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                self.t = {name: pd.read_sql(text(f"SELECT * FROM {name}"), conn) for name in TABLES}  # noqa: S608 - constant names
        finally:
            engine.dispose()
        units = self.t["org_unit"]
        self.unit_code = dict(zip(units["unit_id"].astype(int), units["code"], strict=True))
        self.unit_name = dict(zip(units["unit_id"].astype(int), units["name"], strict=True))
        self.unit_id = {c: i for i, c in self.unit_code.items()}
        self.parent = {int(u): (None if _na(p) else int(p)) for u, p in zip(units["unit_id"], units["parent_id"], strict=True)}
        self.bu_id = dict(zip(self.t["business_unit"]["code"], self.t["business_unit"]["bu_id"].astype(int), strict=True))
        self._rates = self._load_rates()
        self._prepare()

    # --- org and scope ---------------------------------------------------------------------------

    def subtree(self, code: str) -> frozenset[int]:
        root = self.unit_id[code]
        out, frontier = {root}, {root}
        while frontier:
            frontier = {u for u, p in self.parent.items() if p in frontier} - out
            out |= frontier
        return frozenset(out)

    def scope(self, unit: str | None, bus: tuple[str, ...] | None) -> Scope:
        return Scope(None if unit is None else self.subtree(unit), None if bus is None else frozenset(self.bu_id[b] for b in bus))

    def children(self, unit: str | None) -> list[str]:
        """Codes of the units one level below ``unit`` (the top units for None)."""
        parent = None if unit is None else self.unit_id[unit]
        return sorted(self.unit_code[u] for u, p in self.parent.items() if p == parent)

    # --- money -------------------------------------------------------------------------------------

    def _load_rates(self) -> dict[str, list[tuple[date, date | None, Decimal]]]:
        out: dict[str, list] = {}
        for r in self.t["exchange_rate"].itertuples():
            if r.to_currency != self.currency:
                continue
            out.setdefault(r.from_currency, []).append((pd.Timestamp(r.valid_from).date(), None if _na(r.valid_to) else pd.Timestamp(r.valid_to).date(), Decimal(str(r.rate))))
        return out

    def rate(self, currency: str, day: date) -> Decimal | None:
        if currency == self.currency:
            return Decimal(1)
        for lo, hi, rate in self._rates.get(currency, []):
            if lo <= day and (hi is None or day < hi):
                return rate
        return None

    def convert(self, amount: object, currency: str, day: date | None) -> Decimal | None:
        """The amount in the reporting currency at ``day``'s rate, rounded half away from zero to the cent."""
        a = _dec(amount)
        if a is None or day is None:
            return None
        r = self.rate(currency, day)
        return None if r is None else (a * r).quantize(CENT, rounding=ROUND_HALF_UP)

    # --- prepared records ----------------------------------------------------------------------------

    def _prepare(self) -> None:
        o = self.t["sales_order"].copy()
        o["day"] = [pd.Timestamp(d).date() for d in o["order_date"]]
        o["amt"] = [_dec(a) for a in o["amount"]]
        o["rc"] = [self.convert(a, c, d) for a, c, d in zip(o["amount"], o["currency"], o["day"], strict=True)]
        self.orders = o
        p = self.t["opportunity"].copy()
        p["created_day"] = [local_day(x) for x in p["created_at"]]
        p["closed_day"] = [local_day(x) for x in p["closed_at"]]
        p["cycle"] = [(c - a).total_seconds() / 86400 if not _na(c) else None for a, c in zip(p["created_at"], p["closed_at"], strict=True)]
        self.opps = p
        ld = self.t["lead"].copy()
        ld["created_day"] = [local_day(x) for x in ld["created_at"]]
        self.leads = ld
        # account home unit intervals
        self.history: dict[int, list[tuple[date, date | None, int]]] = {}
        for r in self.t["account_history"].itertuples():
            self.history.setdefault(int(r.account_id), []).append(
                (pd.Timestamp(r.valid_from).date(), None if _na(r.valid_to) else pd.Timestamp(r.valid_to).date(), int(r.home_unit_id)))
        acc = self.t["account"]
        self.current_home = {int(a): (None if _na(h) else int(h)) for a, h in zip(acc["account_id"], acc["home_unit_id"], strict=True)}
        self.account_name = dict(zip(acc["account_id"].astype(int), acc["name"], strict=True))
        self.segment = dict(zip(acc["account_id"].astype(int), acc["segment"], strict=True))

    def home(self, account_id: int, on: date) -> int | None:
        found = [u for lo, hi, u in self.history.get(account_id, []) if lo <= on and (hi is None or hi > on)]
        return max(found) if found else self.current_home.get(account_id)

    def accounts_in(self, scope: Scope, on: date) -> set[int]:
        return {a for a in self.current_home if scope.unit_ok(self.home(a, on))}

    def scoped_orders(self, scope: Scope) -> pd.DataFrame:
        o = self.orders
        return o[[scope.unit_ok(u) and scope.bu_ok(b) for u, b in zip(o["unit_id"], o["bu_id"], strict=True)]]

    def account_orders(self, scope: Scope) -> pd.DataFrame:
        """Orders an account-level measure counts: in every unit, but only in the scope's business units."""
        o = self.orders
        return o[[scope.bu_ok(b) for b in o["bu_id"]]]

    def scoped_opps(self, scope: Scope) -> pd.DataFrame:
        p = self.opps
        return p[[scope.unit_ok(u) and scope.bu_ok(b) for u, b in zip(p["unit_id"], p["bu_id"], strict=True)]]

    def scoped_leads(self, scope: Scope) -> pd.DataFrame:
        ld = self.leads
        return ld[[scope.unit_ok(u) for u in ld["unit_id"]]]

    # --- headline metrics for a scope and [start, end] -------------------------------------------------

    def metric(self, key: str, scope: Scope, start: date, end: date, *, home_on: date | None = None) -> object:
        """The value of a registered metric, from its stated definition (None when not computed)."""
        fn = getattr(self, f"m_{key}", None)
        if fn is None:
            raise KeyError(f"no oracle for metric {key!r}: add one to tests/persona_oracle.py")
        if key == "new_customers":
            return fn(scope, start, end, home_on or end)
        return fn(scope, start, end)

    def m_revenue(self, scope: Scope, start: date, end: date) -> Decimal:
        o = self.scoped_orders(scope)
        return sum((r for d, r in zip(o["day"], o["rc"], strict=True) if start <= d <= end and r is not None), Decimal("0.00"))

    def m_won_orders(self, scope: Scope, start: date, end: date) -> int:
        o = self.scoped_orders(scope)
        return int(sum(start <= d <= end for d in o["day"]))

    def m_opportunities(self, scope: Scope, start: date, end: date) -> int:
        p = self.scoped_opps(scope)
        return int(sum(start <= d <= end for d in p["created_day"]))

    def m_leads(self, scope: Scope, start: date, end: date) -> int:
        ld = self.scoped_leads(scope)
        return int(sum(start <= d <= end for d in ld["created_day"]))

    def m_win_rate(self, scope: Scope, start: date, end: date) -> float | None:
        p = self.scoped_opps(scope)
        closed = [s for s, d in zip(p["status"], p["closed_day"], strict=True) if d is not None and start <= d <= end and s in ("won", "lost")]
        return closed.count("won") / len(closed) if closed else None

    def m_win_rate_by_amount(self, scope: Scope, start: date, end: date) -> float | None:
        p = self.scoped_opps(scope)
        won = lost = Decimal(0)
        seen = False
        for s, d, a, c in zip(p["status"], p["closed_day"], p["amount"], p["currency"], strict=True):
            if d is None or not (start <= d <= end) or s not in ("won", "lost"):
                continue
            v = self.convert(a, c, d)
            if v is None:
                continue
            seen = True
            won += v if s == "won" else 0
            lost += v if s == "lost" else 0
        return float(won / (won + lost)) if seen and won + lost else None

    def m_opportunity_to_order_rate(self, scope: Scope, start: date, end: date) -> float | None:
        p = self.scoped_opps(scope)
        instant = local_midnight(self.as_of + timedelta(days=1))
        rows = [(s, c) for s, d, c in zip(p["status"], p["created_day"], p["closed_at"], strict=True) if start <= d <= min(end, self.as_of)]
        if not rows:
            return None
        return sum(s == "won" and not _na(c) and c < instant for s, c in rows) / len(rows)

    def m_lead_to_opportunity_rate(self, scope: Scope, start: date, end: date) -> float | None:
        st = self.lead_stages
        st = st[[scope.unit_ok(u) for u in st["unit_id"]]]
        instant = local_midnight(self.as_of + timedelta(days=1))
        rows = [(c, o) for c, d, o in zip(st["created_at"], st["created_day"], st["opportunity_at"], strict=True) if start <= d <= min(end, self.as_of)]
        if not rows:
            return None
        return sum(not _na(o) and o < instant and (o - c).total_seconds() <= 90 * 86400 for c, o in rows) / len(rows)

    def won_cycles(self, scope: Scope, start: date, end: date) -> pd.DataFrame:
        p = self.scoped_opps(scope)
        keep = [s == "won" and d is not None and start <= d <= end and c is not None and c >= 0
                for s, d, c in zip(p["status"], p["closed_day"], p["cycle"], strict=True)]
        return p[keep]

    def m_sales_cycle_median_days(self, scope: Scope, start: date, end: date) -> float | None:
        return percentile(self.won_cycles(scope, start, end)["cycle"], 0.5)

    def m_new_customers(self, scope: Scope, start: date, end: date, home_on: date) -> int:
        o = self.account_orders(scope)
        o = o[[a is not None and a > 0 for a in o["amt"]]]
        first = o.groupby("account_id")["day"].min()
        return int(sum(start <= d <= end and scope.unit_ok(self.home(int(a), home_on)) for a, d in first.items()))

    # churn family: months of order dates; active in m = positive order in m-11..m
    def _churn_parts(self, scope: Scope, start: date, end: date) -> tuple[set[int], set[int], dict[int, dict[int, Decimal]]]:
        s, e = month_index(start), month_index(end)
        accounts = self.accounts_in(scope, end)
        o = self.account_orders(scope)
        o = o[[a in accounts for a in o["account_id"]]]
        months: dict[int, set[int]] = {}
        revenue: dict[int, dict[int, Decimal]] = {}
        for a, d, amt, rc in zip(o["account_id"], o["day"], o["amt"], o["rc"], strict=True):
            m = month_index(d)
            if amt is not None and amt > 0:
                months.setdefault(int(a), set()).add(m)
            if rc is not None:
                revenue.setdefault(int(a), {}).setdefault(m, Decimal("0.00"))
                revenue[int(a)][m] += rc
        base = {a for a, ms in months.items() if any(s - 12 <= m <= s - 1 for m in ms)}
        churned = {a for a in base if not any(e - 11 <= m <= e for m in months[a])}
        return base, churned, revenue

    @staticmethod
    def _rev(revenue: dict[int, dict[int, Decimal]], a: int, lo: int, hi: int) -> Decimal:
        v = sum((x for m, x in revenue.get(a, {}).items() if lo <= m <= hi), Decimal("0.00"))
        return max(v, Decimal("0.00"))

    def m_logo_churn(self, scope: Scope, start: date, end: date) -> float | None:
        base, churned, _ = self._churn_parts(scope, start, end)
        return len(churned) / len(base) if base else None

    def m_revenue_churn(self, scope: Scope, start: date, end: date) -> float | None:
        base, churned, rev = self._churn_parts(scope, start, end)
        s = month_index(start)
        total = sum((self._rev(rev, a, s - 12, s - 1) for a in base), Decimal(0))
        lost = sum((self._rev(rev, a, s - 12, s - 1) for a in churned), Decimal(0))
        return float(lost / total) if total > 0 else None

    def _retention(self, scope: Scope, start: date, end: date, capped: bool) -> float | None:
        base, _, rev = self._churn_parts(scope, start, end)
        e = month_index(end)
        before = {a: self._rev(rev, a, e - 23, e - 12) for a in base}
        after = {a: self._rev(rev, a, e - 11, e) for a in base}
        den = sum(before.values(), Decimal(0))
        num = sum(((min(after[a], before[a]) if capped else after[a]) for a in base), Decimal(0))
        return float(num / den) if den > 0 else None

    def m_grr(self, scope: Scope, start: date, end: date) -> float | None:
        return self._retention(scope, start, end, capped=True)

    def m_nrr(self, scope: Scope, start: date, end: date) -> float | None:
        return self._retention(scope, start, end, capped=False)

    # share of wallet: fiscal year to date at the period's end
    def wallet_accounts(self, scope: Scope, end: date) -> pd.DataFrame:
        """Per account in scope (home unit as of ``end``): FY-to-date revenue, wallet (its FY estimate at
        ``end``'s rate; None when missing, not above zero or without a rate), each rounded to the cent."""
        fy_start = date(end.year, 1, 1)
        accounts = self.accounts_in(scope, end)
        o = self.account_orders(scope)
        rev: dict[int, Decimal] = {}
        for a, d, rc in zip(o["account_id"], o["day"], o["rc"], strict=True):
            if int(a) in accounts and fy_start <= d <= end and rc is not None:
                rev[int(a)] = rev.get(int(a), Decimal("0.00")) + rc
        w = self.t["wallet_estimate"]
        wallet: dict[int, Decimal] = {}
        for a, fy, amt, cur in zip(w["account_id"], w["fiscal_year"], w["amount"], w["currency"], strict=True):
            if int(a) in accounts and int(fy) == end.year and _dec(amt) is not None and _dec(amt) > 0:
                v = self.convert(amt, cur, end)
                if v is not None:
                    wallet[int(a)] = v
        rows = [{"account_id": a, "revenue": rev.get(a, Decimal("0.00")), "wallet": wallet.get(a), "unit": self.unit_code.get(self.home(a, end))}
                for a in sorted(accounts)]
        return pd.DataFrame(rows, columns=["account_id", "revenue", "wallet", "unit"])

    def m_share_of_wallet(self, scope: Scope, start: date, end: date) -> float | None:
        acc = self.wallet_accounts(scope, end)
        est = acc[acc["wallet"].notna()]
        if est.empty:
            return None
        return float(sum(est["revenue"], Decimal(0)) / sum(est["wallet"], Decimal(0)))

    def m_wallet_coverage(self, scope: Scope, start: date, end: date) -> float | None:
        acc = self.wallet_accounts(scope, end)
        total = sum(acc["revenue"], Decimal(0))
        if total <= 0:
            return None
        return float(sum(acc.loc[acc["wallet"].notna(), "revenue"], Decimal(0)) / total)

    # --- charts -------------------------------------------------------------------------------------

    def trend(self, key: str, scope: Scope, start: date, end: date, grain: str) -> list[object]:
        """The metric per trend bucket of [start, end] (each bucket clipped to the period)."""
        out = []
        for _, lo, hi in buckets(start, end, grain):
            out.append(self.metric(key, scope, lo, hi, home_on=end))
        return out

    def cohorts(self, scope: Scope, start: date, end: date) -> pd.DataFrame:
        """Cohort retention: (cohort label, accounts, k, share) for the first-order quarters from
        ``start``'s quarter to ``end``'s (and the as-of's), home unit as of ``end``."""
        accounts = self.accounts_in(scope, end)
        o = self.account_orders(scope)
        o = o[[a in accounts and amt is not None and amt > 0 and d <= self.as_of for a, amt, d in zip(o["account_id"], o["amt"], o["day"], strict=True)]]
        first = o.groupby("account_id")["day"].min()
        q0, q_last, q_now = quarter_start(start), quarter_start(min(end, self.as_of)), quarter_start(self.as_of)
        quarters: dict[int, set[date]] = {}
        for a, d in zip(o["account_id"], o["day"], strict=True):
            quarters.setdefault(int(a), set()).add(quarter_start(d))
        rows = []
        q = q0
        while q <= q_last:
            members = [int(a) for a, d in first.items() if quarter_start(d) == q]
            if members:
                k, qk = 0, q
                while qk <= q_now:
                    share = sum(qk in quarters[a] for a in members) / len(members)
                    rows.append({"cohort": f"FY{q.year} Q{(q.month - 1) // 3 + 1}", "accounts": len(members), "k": k, "share": share})
                    k, qk = k + 1, add_months(qk, 3)
            q = add_months(q, 3)
        return pd.DataFrame(rows, columns=["cohort", "accounts", "k", "share"])

    def period_account_revenue(self, scope: Scope, start: date, end: date) -> dict[int, Decimal]:
        accounts = self.accounts_in(scope, end)
        o = self.account_orders(scope)
        rev: dict[int, Decimal] = {}
        for a, d, rc in zip(o["account_id"], o["day"], o["rc"], strict=True):
            if int(a) in accounts and start <= d <= end and rc is not None:
                rev[int(a)] = rev.get(int(a), Decimal("0.00")) + rc
        return rev

    def pareto(self, scope: Scope, start: date, end: date) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The Pareto curve (top_pct, accounts, share) and tiers (tier, accounts, revenue, share)."""
        rev = sorted(((v, a) for a, v in self.period_account_revenue(scope, start, end).items() if v > 0), key=lambda x: (-x[0], x[1]))
        total = sum((v for v, _ in rev), Decimal(0))
        n = len(rev)
        curve = []
        for x in (1, 2, 5, 10, 20, 50, 100):
            k = math.ceil(n * x / 100)
            curve.append({"top_pct": x, "accounts": k, "share": float(sum((v for v, _ in rev[:k]), Decimal(0)) / total) if total else None})
        tiers = {"A": [0, Decimal(0)], "B": [0, Decimal(0)], "C": [0, Decimal(0)]}
        running = Decimal(0)
        for v, _ in rev:
            tier = "A" if running * 2 < total else "B" if running * 10 < total * 8 else "C"
            tiers[tier][0] += 1
            tiers[tier][1] += v
            running += v
        tier_frame = pd.DataFrame([{"tier": k, "accounts": n_, "revenue": r, "share": float(r / total) if total else None} for k, (n_, r) in tiers.items()])
        return pd.DataFrame(curve), tier_frame

    def cycle_distribution(self, won: pd.DataFrame) -> dict[str, float | int | None]:
        xs = list(won["cycle"])
        return {"n": len(xs), **{k: percentile(xs, q) for k, q in (("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9))}}

    def unit_of(self, unit_id: object, compared: list[str]) -> str | None:
        """The compared unit (code) a record of ``unit_id`` belongs to."""
        if _na(unit_id):
            return None
        for code in compared:
            if int(unit_id) in self.subtree(code):
                return code
        return None

    # --- funnel ---------------------------------------------------------------------------------------

    @functools.cached_property
    def lead_stages(self) -> pd.DataFrame:
        """Per lead: created (UTC ts), effective qualified/opportunity/won timestamps, first and repeat order dates."""
        ld = self.leads
        hist = self.t["lead_status_history"]
        first_q = hist[hist["status"] == "qualified"].groupby("lead_id")["changed_at"].min()
        opps = self.opps.set_index("opportunity_id")
        o = self.orders
        pos = o[[a is not None and a > 0 for a in o["amt"]]]
        first_order = pos[pos["opportunity_id"].notna()].groupby("opportunity_id")["day"].min()
        by_account: dict[int, list[tuple[date, object]]] = {}
        for a, d, op in zip(pos["account_id"], pos["day"], pos["opportunity_id"], strict=True):
            by_account.setdefault(int(a), []).append((d, op))
        rows = []
        for r in ld.itertuples():
            q_raw = [x for x in (r.qualified_at, first_q.get(r.lead_id)) if not _na(x)]
            opp_at = won_at = first = repeat = None
            amount = currency = None
            if not _na(r.converted_opportunity_id):
                op = opps.loc[int(r.converted_opportunity_id)]
                opp_at = r.converted_at if not _na(r.converted_at) else op["created_at"]
                amount, currency = op["amount"], op["currency"]
                if op["status"] == "won":
                    won_at = op["closed_at"]
                    fo = first_order.get(int(r.converted_opportunity_id))
                    if fo is not None and not _na(fo):
                        first = fo
                        later = [d for d, oid in by_account.get(int(op["account_id"]), [])
                                 if d > fo and (_na(oid) or int(oid) != int(r.converted_opportunity_id))]
                        repeat = min(later) if later else None
            opp_eff = min([x for x in (opp_at, won_at) if not _na(x)], default=None)
            q_eff = min([*q_raw, *([opp_eff] if opp_eff is not None else [])], default=None)
            rows.append({"lead_id": r.lead_id, "unit_id": r.unit_id, "source": r.source_channel, "created_at": r.created_at,
                         "created_day": r.created_day, "qualified_at": q_eff, "opportunity_at": opp_eff, "won_at": won_at,
                         "first_order": first, "repeat_order": repeat, "amount": amount, "currency": currency, "account_id":
                         None if _na(r.converted_opportunity_id) else int(opps.loc[int(r.converted_opportunity_id)]["account_id"])})
        return pd.DataFrame(rows)

    def funnel(self, scope: Scope, start: date, end: date, mode: str, within: int | None) -> dict[str, list]:
        """Counts per stage (lead, qualified, opportunity, won, repeat) and per group (unit code / source)
        under key None (total), ('unit', code) and ('source', channel)."""
        stages = self.lead_stages
        stages = stages[[scope.unit_ok(u) for u in stages["unit_id"]]]
        instant = local_midnight(self.as_of + timedelta(days=1))
        lo, hi = local_midnight(start), local_midnight(end + timedelta(days=1))
        rows = []
        for r in stages.itertuples():
            if mode == "cohort":
                if not (lo <= r.created_at < hi and r.created_at < instant):
                    continue

                def by_time(ts: object, r: object = r) -> bool:
                    return not _na(ts) and ts < instant and (within is None or (ts - r.created_at).total_seconds() <= within * 86400)

                rep = r.repeat_order is not None and not _na(r.repeat_order) and r.repeat_order <= self.as_of and (
                    within is None or (r.repeat_order - r.created_day).days <= within)
                won = by_time(r.won_at) or rep
                opp = by_time(r.opportunity_at) or won
                qual = by_time(r.qualified_at) or opp
                flags = (True, qual, opp, won, rep)
            else:
                def at(ts: object) -> bool:
                    return not _na(ts) and lo <= ts < hi and ts < instant

                # a repeat dates only when its account ordered in the period (and up to the period's end)
                rep = r.repeat_order is not None and not _na(r.repeat_order) and start <= r.repeat_order <= end and r.repeat_order <= self.as_of
                flags = (at(r.created_at), at(r.qualified_at), at(r.opportunity_at), at(r.won_at), rep)
            rows.append((r.unit_id, r.source, flags))
        return rows

    def stage_durations(self, scope: Scope, start: date, end: date, within: int | None) -> dict[str, dict]:
        """Per step: n and quartiles of the days from one stage to the next, over the period's cohort
        leads that reached the later stage (within the window)."""
        stages = self.lead_stages
        stages = stages[[scope.unit_ok(u) for u in stages["unit_id"]]]
        instant = local_midnight(self.as_of + timedelta(days=1))
        lo, hi = local_midnight(start), local_midnight(end + timedelta(days=1))
        steps: dict[str, list[float]] = {"lead→qualified": [], "qualified→opportunity": [], "opportunity→won": [], "won→repeat": []}
        for r in stages.itertuples():
            if not (lo <= r.created_at < hi and r.created_at < instant):
                continue

            def ok(ts: object, r: object = r) -> bool:
                return not _na(ts) and ts < instant and (within is None or (ts - r.created_at).total_seconds() <= within * 86400)

            def days(a: object, b: object) -> float:
                return (b - a).total_seconds() / 86400

            if ok(r.qualified_at):
                steps["lead→qualified"].append(days(r.created_at, r.qualified_at))
            if ok(r.opportunity_at) and not _na(r.qualified_at):
                steps["qualified→opportunity"].append(days(r.qualified_at, r.opportunity_at))
            if ok(r.won_at) and not _na(r.opportunity_at):
                steps["opportunity→won"].append(days(r.opportunity_at, r.won_at))
            if r.repeat_order is not None and not _na(r.repeat_order) and r.repeat_order <= self.as_of and (
                    within is None or (r.repeat_order - r.created_day).days <= within):
                steps["won→repeat"].append(float((r.repeat_order - r.first_order).days))
        return {k: {"n": len(v), **{n: percentile(v, q) for n, q in (("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9))}}
                for k, v in steps.items()}

    def time_in_stage(self, scope: Scope, start: date, end: date) -> dict[str, dict]:
        """Per pipeline stage: n and quartiles of the days of the stays that ended in the period."""
        opps = self.scoped_opps(scope)
        ids = set(opps["opportunity_id"].astype(int))
        h = self.t["opportunity_stage_history"]
        h = h[h["opportunity_id"].isin(ids)].sort_values(["opportunity_id", "changed_at"])
        lo, hi = local_midnight(start), local_midnight(end + timedelta(days=1))
        stays: dict[str, list[float]] = {}
        for _, g in h.groupby("opportunity_id"):
            recs = list(zip(g["changed_at"], g["stage"], strict=True))
            i = 0
            while i < len(recs):
                began, stage = recs[i]
                j = i + 1
                while j < len(recs) and recs[j][1] == stage:
                    j += 1
                if j < len(recs):
                    ended = recs[j][0]
                    if lo <= ended < hi:
                        stays.setdefault(stage, []).append((ended - began).total_seconds() / 86400)
                i = j
        return {k: {"n": len(v), **{n: percentile(v, q) for n, q in (("p25", 0.25), ("median", 0.5), ("p75", 0.75), ("p90", 0.9))}}
                for k, v in stays.items()}


@functools.cache
def load(url: str, as_of: date, currency: str) -> Crm:
    return Crm(url, as_of, currency)


__all__ = ["Crm", "Scope", "buckets", "load"]
