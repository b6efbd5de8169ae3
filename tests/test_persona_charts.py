"""The persona matrix for charts: each demo persona on each page with charts sees, behind every
chart, exactly the data of their own part of the organisation — read from the rendered Vega-Lite
datasets and Plotly specs in AppTest and compared with oracles recomputed in plain pandas from the
raw tables (tests/persona_oracle.py), never through ``metrics``, ``ui.cache`` or the viewer.

Charts checked: the KPI cards' sparklines (every page); the Overview's trend for every metric its
pills offer (as rendered), this period and a year earlier; Churn's logo-churn trend, GRR/NRR per
unit and cohort retention; Share of wallet's scatter, segment bars, Pareto curve and value tiers;
the Funnel (cohort, snapshot, "within N days", N = 30 and 0) with its split by unit and by source,
the days between stages and the time in each pipeline stage; the Sales cycle's spread per unit and
its trend; the Units page's small multiples (units, a drilled office's teams, reps); the Targets
leaderboard's bars (in scope; % attained of each unit with a revenue target of its own).

Views: the four personas on last quarter, plus a narrower unit and business unit within a scope and
a 12-month period (monthly buckets). Tampered links (a unit, business unit or drill-down outside
the scope, a unit above it, a reps' view of a team outside it, on the funnel's views too) leave
every chart exactly as the honest link shows it. Every statement the views issue (every trend
metric, every funnel view, the reps' view) carries the scope: tests/test_personas.py checks one
default render per page, which misses the Overview's other trend metrics and the funnel's views.

Each view is one test (its pages render once, in one xdist worker), running every check that
applies and listing the failures by check.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import pytest
import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from data_layer.config import load_settings
from data_layer.filters import Period, preset_period
from metrics.registry import HEADLINE, REGISTRY
from tests import persona_oracle as oracle
from tests.apptest import open_app
from tests.test_app import Crm, demo_crm  # noqa: F401 - fixture
from tests.test_pages import _NavigationMode
from tests.test_personas import FACT_TABLES, PERIOD, PERSONAS, Persona, crm_statements, granted, scope_check
from ui import auth
from ui import format as fmt
from ui.i18n import display, t

USERS = ("ceo", "head.east", "head.north", "lead.shanghai")
CHART_PAGES = ("overview", "churn", "wallet", "funnel", "sales_cycle", "units", "targets")
#: Funnel views reached through the link (ui.filterbar PAGE_PARAMS), each compared with the oracle.
FUNNEL_VIEWS = {
    "cohort": {},
    "snapshot": {"mode": "snapshot"},
    "within30": {"within": "30"},
    "within0": {"within": "0"},
    "source": {"split": "source"},
    "snapshot_source": {"mode": "snapshot", "split": "source"},
}
#: Tampered links: the persona's own (tests/test_personas.py) plus a reps' view of a team outside the scope.
REPS_OUTSIDE = {"ceo": None, "head.east": "CN-N-BJ-T1", "head.north": "CN-E-SH-T1", "lead.shanghai": "CN-E-SH-T2"}

#: Links naming a unit *above* the scope (whose name the breadcrumb shows): never a wider scope.
ANCESTOR = {"head.east": {"unit": "CN", "drill": "CN"}, "head.north": {"unit": "CN", "drill": "CN-E"},
            "lead.shanghai": {"unit": "CN-E", "drill": "CN-E-SH"}}


@dataclass(frozen=True)
class View:
    """A demo user signed in, with a link (``params``), and the scope the oracles use for it."""

    user: str
    persona: Persona
    params: tuple[tuple[str, str], ...] = ()
    period: str = PERIOD
    #: The pages this view is about (None: every page with charts).
    only: tuple[str, ...] | None = None

    def shows(self, page: str) -> bool:
        return page in granted(self.persona) and (self.only is None or page in self.only)


VIEWS = {u: View(u, PERSONAS[u]) for u in USERS}
# A narrower unit and business unit within the scope, and a longer period (monthly buckets).
VIEWS["head.north/CN-N-BJ/NET"] = View("head.north", Persona("head.north", "CN-N-BJ", ("NET",), {}), (("unit", "CN-N-BJ"), ("bu", "NET")))
VIEWS["head.east/last_12_months"] = View("head.east", PERSONAS["head.east"], (), "last_12_months", only=("overview", "churn", "wallet", "sales_cycle"))
# The Units page drilled to an office inside the scope (its teams compared), and its reps' view.
VIEWS["head.east/drill CN-E-SH"] = View("head.east", Persona("head.east", "CN-E-SH", None, {}), (("drill", "CN-E-SH"),), only=("units",))
VIEWS["head.east/reps"] = View("head.east", PERSONAS["head.east"], (("compare", "rep"),), only=("units",))


def _close(a: object, b: object) -> bool:
    def none(v: object) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    if none(a) or none(b):
        return none(a) and none(b)
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def assert_series(got: list[object], want: list[object], what: object) -> None:
    assert len(got) == len(want), (what, got, want)
    bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want, strict=True)) if not _close(g, w)]
    assert not bad, (what, bad)


# --- What a page's charts show -------------------------------------------------------------------


@dataclass
class Chart:
    kind: str  # vega_lite_chart | plotly_chart
    spec: dict
    data: list[pd.DataFrame]

    def frame(self, *columns: str) -> pd.DataFrame | None:
        """The first dataset holding ``columns``."""
        return next((d for d in self.data if set(columns) <= set(d.columns)), None)


@dataclass
class Shown:
    charts: list[Chart]
    sparks: dict[str, list[float]]  # KPI card label → its sparkline's values
    markdown: list[str]
    infos: list[str]
    tables: list[pd.DataFrame] = field(default_factory=list)
    trends: dict[str, Chart] = field(default_factory=dict)  # Overview: metric key → trend chart

    def with_columns(self, *columns: str) -> list[pd.DataFrame]:
        return [f for c in self.charts if (f := c.frame(*columns)) is not None]

    def one(self, *columns: str) -> pd.DataFrame | None:
        found = self.with_columns(*columns)
        assert len(found) <= 1, (columns, len(found))
        return found[0] if found else None


def charts_of(at: AppTest) -> list[Chart]:
    out = []
    for kind in ("vega_lite_chart", "plotly_chart"):
        for element in at.get(kind):
            proto = element.proto
            spec = json.loads(proto.spec)
            data = [convert_arrow_bytes_to_pandas_df(ds.data.data) for ds in proto.datasets] if kind == "vega_lite_chart" else []
            if kind == "vega_lite_chart" and proto.HasField("data") and proto.data.data:
                data.append(convert_arrow_bytes_to_pandas_df(proto.data.data))
            out.append(Chart(kind, spec, data))
    return out


def shown(at: AppTest) -> Shown:
    assert not at.exception, [e.value for e in at.exception]
    return Shown(
        charts_of(at),
        {m.label: list(m.proto.chart_data) for m in at.metric if m.proto.chart_data},
        [m.value for m in at.markdown],
        [i.value for i in at.info] + [c.value for c in at.caption],
        [d.value for d in at.dataframe],
    )


class Renders:
    """Each persona's pages rendered once per module (and link), shared by the checks; every
    statement sent to the CRM while rendering a persona's views is kept for the scope check (the
    cache is cleared before a persona's first render, so every query of its views runs)."""

    def __init__(self, mp: pytest.MonkeyPatch, crm: Crm) -> None:
        self.mp, self.crm = mp, crm
        self._cache: dict[tuple, dict[str, Shown]] = {}
        self.statements: dict[str, list[tuple[str, object]]] = {}
        self._funnel_sessions: dict[str, AppTest] = {}

    def pages(self, user: str, how: str = "clean") -> dict[str, Shown]:
        key = (user, how)
        if key not in self._cache:
            self._first(user, how)
            with crm_statements(self.crm.url) as seen:
                self._cache[key] = self._render(user, how)
            self.statements.setdefault(user, []).extend(seen)
        return self._cache[key]

    def funnel(self, user: str, view: str, how: str = "clean") -> Shown:
        """A funnel view: set through the page's widgets in one session per persona (cheap reruns);
        through the link (``FUNNEL_VIEWS``' parameters) when tampered."""
        key = (user, "funnel", view, how)
        if key not in self._cache:
            self._first(user, "clean")
            v, wanted = VIEWS[user], FUNNEL_VIEWS[view]
            with crm_statements(self.crm.url) as seen:
                if how == "tampered":
                    params = {"period": v.period, **dict(v.params), **wanted, **v.persona.tampered}
                    at = open_app(self.mp, self.crm.url, user=v.user, params=params, page="funnel")
                else:
                    at = self._funnel_sessions.get(user)
                    if at is None:
                        at = self._funnel_sessions[user] = open_app(
                            self.mp, self.crm.url, user=v.user, params={"period": v.period, **dict(v.params)}, page="funnel")
                    # The window's input is enabled in cohort mode only: set it there, then the mode.
                    at.segmented_control(key="funnel_mode").set_value("cohort")
                    at.segmented_control(key="funnel_split").set_value(wanted.get("split", "unit"))
                    at.run()
                    at.number_input(key="funnel_within").set_value(int(wanted["within"]) if "within" in wanted else None).run()
                    if wanted.get("mode", "cohort") != "cohort":
                        at.segmented_control(key="funnel_mode").set_value(wanted["mode"]).run()
                self._cache[key] = {"funnel": shown(at)}
            self.statements.setdefault(user, []).extend(seen)
        return self._cache[key]["funnel"]

    def _first(self, user: str, how: str) -> None:
        if user not in self.statements and how == "clean":
            st.cache_data.clear()
            self.statements[user] = []

    def _render(self, name: str, how: str) -> dict[str, Shown]:
        view = VIEWS[name]
        persona, user = view.persona, view.user
        params: dict[str, str | list[str]] = {"period": view.period, **dict(view.params)}
        if how == "tampered":
            params.update(persona.tampered)
        elif how == "ancestor":
            params.update(ANCESTOR[name])
        at = open_app(self.mp, self.crm.url, user=user, params=params)
        out: dict[str, Shown] = {}
        for page in CHART_PAGES:
            if not view.shows(page):
                continue
            at.switch_page(f"pages/{page}.py").run()
            out[page] = shown(at)
            if page == "overview" and how == "clean":
                out[page].trends = self._trend_per_pill(at)
        if how == "tampered" and REPS_OUTSIDE.get(name):
            rep = open_app(self.mp, self.crm.url, user=user, params={"period": view.period, "drill": REPS_OUTSIDE[name], "compare": "rep"}, page="units")
            out["units_reps"] = shown(rep)
        return out

    @staticmethod
    def _trend_per_pill(at: AppTest) -> dict[str, Chart]:
        """The Overview's trend chart for each metric its pills offer (as rendered: the KPI set may change)."""
        by_label = {m.label["en"]: k for k, m in REGISTRY.items()}
        # The trend's metric picker: the pills whose options are all metrics (whatever its key).
        found = [p for p in at.pills if p.options and all(o in by_label for o in p.options)]
        assert len(found) == 1, [p.options for p in at.pills]
        widget_key = found[0].key
        keys = [by_label[o] for o in found[0].options]
        out = {}
        for key in keys:
            at.button_group(key=widget_key).set_value(key).run()
            assert not at.exception, [e.value for e in at.exception]
            trend = [c for c in charts_of(at) if c.frame("bucket", "order", "series", "value") is not None]
            assert len(trend) == 1, key
            out[key] = trend[0]
        return out


@pytest.fixture(scope="module")
def renders(demo_crm: Crm) -> Iterator[Renders]:  # noqa: F811
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app_test_module, "PagesManager", _NavigationMode)
        st.cache_data.clear()
        yield Renders(mp, demo_crm)


@pytest.fixture(scope="module")
def data(demo_crm: Crm) -> oracle.Crm:  # noqa: F811
    return oracle.load(demo_crm.url, demo_crm.as_of, demo_crm.currency)


def _period(crm: Crm, view: str = "ceo") -> Period:
    return preset_period(VIEWS[view].period, crm.as_of, load_settings().calendar)


def _scope(data: oracle.Crm, persona: Persona) -> oracle.Scope:
    return data.scope(persona.unit, persona.bus)


def _compared(data: oracle.Crm, persona: Persona) -> list[str]:
    """The units a page compares for the persona: the children of their unit (the top units for
    the whole company); a team is compared with itself."""
    return data.children(persona.unit) or [persona.unit]


def _names(data: oracle.Crm, codes: list[str | None]) -> list[str]:
    return [t("table.no_unit", "en") if c is None else data.unit_name[data.unit_id[c]] for c in codes]


def _series(frame: pd.DataFrame, name: str) -> list[object]:
    part = frame[frame["series"] == name].sort_values("order")
    return [None if pd.isna(v) else float(v) for v in part["value"]]


def _check_trend(chart: Chart, data: oracle.Crm, key: str, scope: oracle.Scope, period: Period, grain: str, what: object) -> None:
    frame = chart.frame("bucket", "order", "series", "value")
    assert frame is not None
    current = data.trend(key, scope, period.start, period.end, grain)
    ago = period.year_ago()
    year_ago = data.trend(key, scope, ago.start, ago.end, grain)
    year_ago = [year_ago[i] if i < len(year_ago) else None for i in range(len(current))]
    assert_series(_series(frame, t("trend.current", "en")), current, (*what, key, "this period"))
    assert_series(_series(frame, t("trend.year_ago", "en")), year_ago, (*what, key, "a year earlier"))


#: Metrics measured in whole months, whose trend is monthly (and whose cards have no weekly sparkline).
MONTHLY = ("logo_churn", "revenue_churn", "grr", "nrr")


# --- KPI sparklines, every page -------------------------------------------------------------------


#: The registered metrics on each page's KPI cards that have a sparkline and a pandas oracle.
CARD_KEYS = {
    "overview": HEADLINE,
    "wallet": ("share_of_wallet", "wallet_coverage"),
    "sales_cycle": ("sales_cycle_median_days", "win_rate", "win_rate_by_amount"),
    "funnel": ("lead_to_opportunity_rate", "opportunity_to_order_rate"),
}


def check_kpi_sparklines(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str, page: str) -> None:  # noqa: F811
    persona, period = VIEWS[user].persona, _period(demo_crm, user)
    by_label = {m.label["en"]: k for k, m in REGISTRY.items()}
    sparks = renders.pages(user)[page].sparks
    checked = 0
    for label, values in sparks.items():
        key = by_label.get(label)
        if key is None:
            continue
        want = [v for v in data.trend(key, _scope(data, persona), period.start, period.end, period.grain) if v is not None]
        assert_series(values, want, (user, page, key))
        checked += 1
    # Every card whose metric has a value in two buckets of the period or more draws its sparkline (a team with no
    # deal closed yet this quarter has no cycle or win rate to draw, and its cards show none).
    drawn = {by_label[label] for label in sparks if label in by_label}
    for key in CARD_KEYS.get(page, ()):
        if key in MONTHLY and period.grain != "month":
            continue  # measured in whole months: no sparkline at a finer grain
        if persona.bus is not None and key in ("leads", "lead_to_opportunity_rate"):
            continue  # leads carry no business unit: no card for a viewer limited to business units
        if sum(v is not None for v in data.trend(key, _scope(data, persona), period.start, period.end, period.grain)) > 1:
            assert key in drawn, (user, page, key, sorted(drawn))
    if page in CARD_KEYS and user in ("ceo", "head.east"):  # a region or the company always has something to draw
        assert checked, (user, page, list(sparks))


# --- Overview -------------------------------------------------------------------------------------


def check_overview_trend_for_every_metric_offered(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:  # noqa: F811
    persona, period = VIEWS[user].persona, _period(demo_crm, user)
    trends = renders.pages(user)["overview"].trends
    assert len(trends) >= 3, list(trends)
    for key, chart in trends.items():
        assert persona.bus is None or key != "leads", f"{user}: the trend offers {key}, which cannot be limited to business units"
        # Churn and retention are measured in whole months: their trend is the 12 months to the period's end.
        window = _monthly(period) if key in MONTHLY else period
        _check_trend(chart, data, key, _scope(data, persona), window, window.grain, (user, "overview"))


# --- Churn ----------------------------------------------------------------------------------------


def _monthly(period: Period) -> Period:
    """Churn's trend: the period's months, or for a period with a weekly or daily trend the 12
    whole months ending with its last month."""
    if period.grain in ("month", "quarter", "year"):
        return period
    return Period(oracle.add_months(period.end.replace(day=1), -11), period.end, "month", "days")


def check_churn_charts(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:  # noqa: F811
    persona, period = VIEWS[user].persona, _period(demo_crm, user)
    scope = _scope(data, persona)
    page = renders.pages(user)["churn"]
    # Logo churn over time.
    trend = [c for c in page.charts if c.frame("bucket", "order", "series", "value") is not None]
    assert len(trend) == 1
    _check_trend(trend[0], data, "logo_churn", scope, _monthly(period), "month", (user, "churn"))
    # GRR and NRR per compared unit.
    bars = page.one("name", "measure", "value")
    compared = _compared(data, persona)
    want = {}
    for code in compared:
        sub = scope.narrowed(data.subtree(code))
        for key in ("grr", "nrr"):
            want[(data.unit_name[data.unit_id[code]], REGISTRY[key].label["en"])] = data.metric(key, sub, period.start, period.end)
    assert bars is not None
    got = {(n, m): v for n, m, v in zip(bars["name"], bars["measure"], bars["value"], strict=True)}
    assert set(got) <= set(want), (user, set(got) - set(want))
    for k, v in want.items():
        assert _close(got.get(k), v), (user, "retention", k, got.get(k), v)
    # Cohort retention over the 8 fiscal quarters ending with the period's.
    cells = page.one("cohort", "accounts", "k", "share")
    first = oracle.add_months(oracle.quarter_start(period.end), -21)
    expected = data.cohorts(scope, first, period.end)
    assert cells is not None
    got_cells = cells[["cohort", "accounts", "k", "share"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got_cells, expected, check_dtype=False, rtol=1e-9, obj=f"{user} cohort retention")


# --- Share of wallet ------------------------------------------------------------------------------


def check_wallet_charts(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:  # noqa: F811
    persona, period = VIEWS[user].persona, _period(demo_crm, user)
    scope = _scope(data, persona)
    page = renders.pages(user)["wallet"]
    accounts = data.wallet_accounts(scope, period.end)
    est = accounts[accounts["wallet"].notna()].set_index("account_id")
    # The scatter: one point per account with an estimate.
    points = page.one("account_id", "wallet", "share", "revenue", "headroom")
    assert points is not None
    assert set(points["account_id"]) == set(est.index), (user, set(points["account_id"]) ^ set(est.index))
    for r in points.itertuples():
        e = est.loc[r.account_id]
        assert _close(r.revenue, e["revenue"]) and _close(r.wallet, e["wallet"]), (user, r.account_id, r.revenue, e["revenue"], r.wallet, e["wallet"])
        assert _close(r.headroom, e["wallet"] - e["revenue"]) and _close(r.share, e["revenue"] / e["wallet"]), (user, r.account_id)
        assert r.unit == e["unit"] and r.unit_name == data.unit_name[data.unit_id[e["unit"]]], (user, r.account_id, r.unit)
        assert r.account == data.account_name[r.account_id]
    # Share of wallet by segment.
    segments = page.one("segment", "group", "share_of_wallet")
    assert segments is not None
    for r in segments.itertuples():
        part = est[[data.segment[a] == r.group for a in est.index]]
        want = float(sum(part["revenue"]) / sum(part["wallet"])) if len(part) else None
        assert _close(r.share_of_wallet, want), (user, "segment", r.group, r.share_of_wallet, want)
    seen = {data.segment[a] for a in est.index}
    assert set(segments["group"]) == seen, (user, set(segments["group"]), seen)
    # The Pareto curve and the value tiers.
    curve, tiers = data.pareto(scope, period.start, period.end)
    shown_curve = page.one("top_pct", "accounts", "share", "x")
    assert shown_curve is not None
    shown_curve = shown_curve[shown_curve["top_pct"] > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(shown_curve[["top_pct", "accounts", "share"]], curve, check_dtype=False, rtol=1e-9, obj=f"{user} pareto")
    shown_tiers = page.one("tier", "accounts", "revenue", "share", "name")
    assert shown_tiers is not None
    want_tiers = tiers.dropna(subset=["share"])
    assert list(shown_tiers["tier"]) == list(want_tiers["tier"])
    assert list(shown_tiers["accounts"]) == list(want_tiers["accounts"]), user
    assert_series([float(v) for v in shown_tiers["revenue"]], [float(v) for v in want_tiers["revenue"]], (user, "tiers"))
    assert_series(list(shown_tiers["share"]), list(want_tiers["share"]), (user, "tiers share"))


# --- Sales cycle ----------------------------------------------------------------------------------


def _dist(frame_row: object) -> dict:
    return {k: getattr(frame_row, k) for k in ("n", "p25", "median", "p75", "p90")}


def _assert_dist(got: dict, want: dict, what: object) -> None:
    assert int(got["n"]) == want["n"], (what, got, want)
    for k in ("p25", "median", "p75", "p90"):
        assert _close(got[k], want[k]), (what, k, got[k], want[k])


def check_sales_cycle_charts(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:  # noqa: F811
    persona, period = VIEWS[user].persona, _period(demo_crm, user)
    scope = _scope(data, persona)
    page = renders.pages(user)["sales_cycle"]
    won = data.won_cycles(scope, period.start, period.end)
    compared = _compared(data, persona)
    groups = [data.unit_of(u, compared) if len(compared) > 1 or compared[0] != persona.unit else persona.unit for u in won["unit_id"]]
    want = {}
    for code in dict.fromkeys(groups):
        want[_names(data, [code])[0]] = data.cycle_distribution(won[[g == code for g in groups]])
    spread = page.one("name", "n", "p25", "median", "p75", "p90")
    if not want:
        assert spread is None, user
    else:
        assert spread is not None, user
        assert set(spread["name"]) == set(want), (user, set(spread["name"]) ^ set(want))
        for r in spread.itertuples():
            _assert_dist(_dist(r), want[r.name], (user, "spread", r.name))
    trend = page.one("bucket_start", "n", "p25", "median", "p75")
    assert trend is not None
    want_trend = [data.cycle_distribution(data.won_cycles(scope, lo, hi)) for _, lo, hi in oracle.buckets(period.start, period.end, period.grain)]
    assert [pd.Timestamp(d).date() for d in trend["bucket_start"]] == [b for b, _, _ in oracle.buckets(period.start, period.end, period.grain)]
    for r, w in zip(trend.itertuples(), want_trend, strict=True):
        _assert_dist(_dist(r), w, (user, "cycle trend", r.bucket_start))


# --- Funnel ---------------------------------------------------------------------------------------

STAGE_KEYS = ("lead", "qualified", "opportunity", "won", "repeat")


def _funnel_counts(rows: list, pick: object = None) -> list[int]:
    return [sum(1 for u, s, f in rows if f[i] and (pick is None or pick(u, s))) for i in range(len(STAGE_KEYS))]


def check_funnel_view(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str, view: str) -> None:  # noqa: F811
    persona, period = VIEWS[user].persona, _period(demo_crm, user)
    scope = _scope(data, persona)
    params = FUNNEL_VIEWS[view]
    mode = params.get("mode", "cohort")
    within = int(params["within"]) if "within" in params else None
    page = renders.funnel(user, view)
    rows = data.funnel(scope, period.start, period.end, mode, within)
    counts = _funnel_counts(rows)
    funnels = [c for c in page.charts if c.kind == "plotly_chart"]
    if not any(counts):
        assert not funnels, (user, view)
    else:
        assert len(funnels) == 1, (user, view)
        trace = funnels[0].spec["data"][0]
        assert trace["x"] == counts, (user, view, trace["x"], counts)
        assert trace["y"] == [t(f"funnel.stage.{s}", "en") for s in STAGE_KEYS]
    # The split by unit or source (a table of the funnel's counts and step rates per group).
    by = params.get("split", "unit")
    title = t(f"split.{by}", "en")
    tables = [d for d in page.tables if list(d.columns)[:2] == [title, t("funnel.stage.lead", "en")]]
    compared = _compared(data, persona)
    if by == "unit":
        group_of = {u: data.unit_of(u, compared) if compared != [persona.unit] else persona.unit for u in {r[0] for r in rows}}
        pick, name_of = (lambda u, _s: group_of[u]), (lambda g: _names(data, [g])[0])
    else:
        pick = lambda _u, s: None if oracle._na(s) else s  # noqa: E731, SLF001
        name_of = lambda g: t("split.no_source", "en") if g is None else display("channel", str(g), "en")  # noqa: E731
    groups = list(dict.fromkeys(pick(u, s) for u, s, f in rows if any(f)))
    if not groups:
        assert not tables, (user, view)
    else:
        assert len(tables) == 1, (user, view, [list(d.columns) for d in page.tables])
        table = tables[0].set_index(title)
        want = {}
        for g in groups:
            c = _funnel_counts(rows, lambda u, s, g=g: pick(u, s) == g)
            steps = [fmt.percent(c[k] / c[k - 1] if c[k - 1] else None, "en") for k in range(1, len(STAGE_KEYS))]
            want[name_of(g)] = [fmt.number(c[0], "en"), *steps]
        assert set(table.index) == set(want), (user, view, sorted(table.index), sorted(want))
        for name, values in want.items():
            assert list(table.loc[name]) == values, (user, view, name, list(table.loc[name]), values)
    # Days between stages (cohort only), for the period's cohort within the window.
    durations = page.one("step", "n", "p25", "median", "p75", "p90")
    if mode == "cohort":
        want_d = {k: v for k, v in data.stage_durations(scope, period.start, period.end, within).items() if v["n"] > 0}
        if not want_d:
            assert durations is None, (user, view)
        else:
            assert durations is not None and list(durations["step"]) == list(want_d), (user, view, None if durations is None else list(durations["step"]))
            for r in durations.itertuples():
                _assert_dist(_dist(r), want_d[r.step], (user, view, r.step))
    # Time in each pipeline stage (opportunities, scoped by unit and business unit).
    stays = page.one("stage", "n", "p25", "median", "p75", "p90")
    want_s = {k: v for k, v in data.time_in_stage(scope, period.start, period.end).items() if v["n"] > 0}
    assert stays is not None and set(stays["stage"]) == set(want_s), (user, view, None if stays is None else list(stays["stage"]), list(want_s))
    for r in stays.itertuples():
        _assert_dist(_dist(r), want_s[r.stage], (user, view, r.stage))


def check_a_business_unit_scope_shows_no_lead_chart(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:  # noqa: F811
    """Leads carry no business unit: for head.north (Networking and Security only) no chart may
    count leads; the time in stage (opportunities, which have one) stays, limited to the scope."""
    persona, period = VIEWS[user].persona, _period(demo_crm, user)
    for view in FUNNEL_VIEWS:
        page = renders.funnel(user, view)
        assert not [c for c in page.charts if c.kind == "plotly_chart"], view
        assert page.one("step", "n", "p25", "median") is None, view
        stays = page.one("stage", "n", "p25", "median", "p75", "p90")
        want = {k: v for k, v in data.time_in_stage(_scope(data, persona), period.start, period.end).items() if v["n"] > 0}
        assert stays is not None and set(stays["stage"]) == set(want), view
        for r in stays.itertuples():
            _assert_dist(_dist(r), want[r.stage], (user, view, r.stage))


# --- Units: the small multiples -------------------------------------------------------------------


def check_units_small_multiples(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:  # noqa: F811
    persona, period = VIEWS[user].persona, _period(demo_crm, user)
    scope = _scope(data, persona)
    page = renders.pages(user)["units"]
    by_label = {m.label["en"]: k for k, m in REGISTRY.items()}
    bold = [m[2:-2].replace("\\", "") for m in page.markdown if m.startswith("**") and m.endswith("**")]
    keys = [by_label[m] for m in bold if m in by_label]
    bars = page.with_columns("name", "value", "text", "bar")
    assert len(bars) == len(keys) and keys, (user, keys, len(bars))
    children = data.children(persona.unit)
    if not children or dict(VIEWS[user].params).get("compare") == "rep":  # a team, or the reps' view
        reps = data.t["rep"]
        names = dict(zip(reps["rep_id"].astype(int), reps["name"], strict=True))
        checked = 0
        for key, frame in zip(keys, bars, strict=True):
            want = rep_values(data, key, scope, period)
            if want is None:
                continue
            expected = {names.get(r, str(r)) if r is not None else t("units.no_rep", "en"): v for r, v in want.items()}
            empty = 0 if REGISTRY[key].kind in ("count", "money") else None
            for name, value in zip(frame["name"], frame["value"], strict=True):
                # a rep credited only with other kinds of record shows an empty figure here
                assert _close(value, expected.get(name, empty)), (user, key, name, value, expected.get(name, empty))
            credited = {n for n, v in expected.items() if v not in (0, None)}  # reps with a record this period
            assert credited <= set(frame["name"]) or len(frame) == 12, (user, key, credited - set(frame["name"]))
            checked += 1
        assert checked, (user, keys)
        return
    for key, frame in zip(keys, bars, strict=True):
        want = {}
        for code in children:
            v = data.metric(key, scope.narrowed(data.subtree(code)), period.start, period.end)
            want[data.unit_name[data.unit_id[code]]] = v if v is not None or REGISTRY[key].kind not in ("count", "money") else 0
        got = dict(zip(frame["name"], frame["value"], strict=True))
        assert set(got) <= set(want), (user, key, set(got) - set(want))
        ranked = sorted(want, key=lambda n: (want[n] is None, -(float(want[n]) if want[n] is not None else 0) * (1 if REGISTRY[key].better == "up" else -1)))
        assert set(got) == set(ranked[: len(frame)]) or len(frame) == len(want), (user, key, sorted(got), ranked)
        for name, value in got.items():
            assert _close(value, want[name]), (user, key, name, value, want[name])


def rep_values(data: oracle.Crm, key: str, scope: oracle.Scope, period: Period) -> dict | None:
    """A headline metric per rep credited on the record (orders' and opportunities' rep), or None
    where the oracle does not split by rep."""
    col = {"revenue": ("orders", "rep_id"), "won_orders": ("orders", "rep_id"), "opportunities": ("opps", "owner_rep_id"),
           "win_rate": ("opps", "owner_rep_id"), "sales_cycle_median_days": ("opps", "owner_rep_id")}.get(key)
    if col is None:
        return None
    frame = data.scoped_orders(scope) if col[0] == "orders" else data.scoped_opps(scope)
    out = {}
    everything = {"orders": data.orders, "opps": data.opps}[col[0]]
    for rep in [*frame[col[1]].dropna().unique(), None]:
        mask = [oracle._na(r) if rep is None else (not oracle._na(r) and int(r) == int(rep)) for r in everything[col[1]]]  # noqa: SLF001
        if rep is None and not any(oracle._na(r) for r in frame[col[1]]):  # noqa: SLF001
            continue
        setattr(data, col[0], everything[mask])  # the oracle over this rep's records alone
        try:
            out[None if rep is None else int(rep)] = data.metric(key, scope, period.start, period.end)
        finally:
            setattr(data, col[0], everything)
    return out


# --- Targets --------------------------------------------------------------------------------------


def check_targets_bars(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:  # noqa: F811
    """The leaderboard's bars name only units inside the scope (and the business units it may see).
    The % attained of each unit with a revenue target of its own equals its revenue ÷ that target
    (rolled-up targets and other measures are not recomputed here)."""
    persona = VIEWS[user].persona
    page = renders.pages(user)["targets"]
    bars = page.with_columns("name", "value", "text", "bar")
    if not bars:  # e.g. a business-unit scope: the company's business-unit targets are not its own
        assert any(t("targets.none", "en", period="")[:8] in i for i in page.infos), (user, page.infos)
        return
    scope = _scope(data, persona)
    inside = {data.unit_name[u] for u in (scope.units or data.unit_name)}
    bus = data.t["business_unit"]
    allowed_bus = {n for c, n in zip(bus["code"], bus["name"], strict=True) if persona.bus is None or c in persona.bus}
    for frame in bars:
        for name in frame["name"]:
            assert name in inside or name in allowed_bus, (user, name)
    if VIEWS[user].period != "last_quarter":
        return
    # % attained of each unit with a revenue target of its own for the quarter: its revenue ÷ that target.
    period = _period(demo_crm, user)
    tg = data.t["target"]
    own = tg[(tg["measure"] == "revenue") & tg["bu_id"].isna() & tg["rep_id"].isna() & tg["unit_id"].notna()
             & (pd.to_datetime(tg["period_start"]).dt.date == period.start) & (pd.to_datetime(tg["period_end"]).dt.date == period.end)]
    targets = {int(u): Decimal(str(v)) for u, v in zip(own["unit_id"], own["value"], strict=True)}
    by_name = {n: u for u, n in data.unit_name.items()}
    checked = 0
    for frame in bars:
        for name, value in zip(frame["name"], frame["value"], strict=True):
            unit = by_name.get(name)
            if unit in targets and targets[unit] > 0:
                actual = data.m_revenue(scope.narrowed(data.subtree(data.unit_code[unit])), period.start, min(period.end, data.as_of))
                assert _close(value, actual / targets[unit]), (user, name, value, actual, targets[unit])
                checked += 1
    assert checked, (user, list(bars[0]["name"]))


# --- Tampered links -------------------------------------------------------------------------------


def _fingerprint(page: Shown) -> list:
    return [(c.kind, [d.reset_index(drop=True).to_json() for d in c.data] if c.kind != "plotly_chart" else json.dumps(c.spec["data"])) for c in page.charts]


def check_tampered_links_never_widen_the_charts(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:
    clean, tampered = renders.pages(user), renders.pages(user, "tampered")
    for page in clean:
        assert _fingerprint(tampered[page]) == _fingerprint(clean[page]), (user, page)
        assert tampered[page].sparks == clean[page].sparks, (user, page)
    if user in ANCESTOR:
        above = renders.pages(user, "ancestor")
        for page in clean:
            assert _fingerprint(above[page]) == _fingerprint(clean[page]), (user, page, ANCESTOR[user])
            assert above[page].sparks == clean[page].sparks, (user, page, ANCESTOR[user])
    if "funnel" in clean:  # the funnel's other views, through a tampered link as well
        for view in ("snapshot_source", "within30"):
            honest, forged = renders.funnel(user, view), renders.funnel(user, view, "tampered")
            assert _fingerprint(forged) == _fingerprint(honest), (user, view)
            assert [d.to_json() for d in forged.tables[:2]] == [d.to_json() for d in honest.tables[:2]], (user, view)
    if "units_reps" in tampered:  # the reps of a team outside the scope, asked for by the link
        scope = _scope(data, PERSONAS[user])
        credited = set(data.scoped_orders(scope)["rep_id"].dropna().astype(int)) | set(data.scoped_opps(scope)["owner_rep_id"].dropna().astype(int))
        credited |= set(data.scoped_leads(scope)["assigned_rep_id"].dropna().astype(int))
        reps = data.t["rep"]
        allowed = {n for r, n in zip(reps["rep_id"].astype(int), reps["name"], strict=True) if r in credited}
        allowed |= set(data.unit_name.values()) & {data.unit_name[u] for u in (scope.units or data.unit_name)}
        bars = tampered["units_reps"].with_columns("name", "value", "text", "bar")
        assert bars, user
        for frame in bars:
            outside = [n for n in frame["name"] if n not in allowed and n != t("units.no_rep", "en")]
            assert not outside, (user, "reps of a team outside the scope", outside)


# --- Every chart query carries the scope ----------------------------------------------------------


def _statements(renders: Renders, user: str) -> list[tuple[str, object]]:
    """Every statement sent while rendering the persona's chart views (every page, every Overview
    trend metric, every funnel view), the first of them with nothing in the cache."""
    renders.pages(user)
    if PERSONAS[user].bus is None:
        for view in FUNNEL_VIEWS:
            renders.funnel(user, view)
    return renders.statements[user]


def check_every_chart_query_carries_the_scope(renders: Renders, data: oracle.Crm, demo_crm: Crm, user: str) -> None:  # noqa: F811
    """tests/test_personas.py checks the statements of one default render per page; the Overview's
    other trend metrics and the funnel's snapshot, window and source views issue statements of
    their own, checked here the same way (the scope's unit ids, and its business units, bound)."""
    persona = PERSONAS[user]
    ids = {str(i) for i in demo_crm.org.subtree_ids(persona.unit or "")}
    checked, wrong = scope_check(list(_statements(renders, user)), persona, ids, set(FACT_TABLES))
    assert wrong == []
    assert checked >= 30, checked



# --- The matrix: every check of a view, its pages rendered once ----------------------------------


def _checks(name: str) -> list[tuple[str, object]]:
    """The checks that apply to a view, each with its name and a function of the fixtures."""
    view = VIEWS[name]
    out: list[tuple[str, object]] = [
        (f"sparklines {page}", lambda *a, page=page: check_kpi_sparklines(*a, page=page)) for page in CHART_PAGES if view.shows(page)
    ]
    pages = {"overview": check_overview_trend_for_every_metric_offered, "churn": check_churn_charts, "wallet": check_wallet_charts,
             "sales_cycle": check_sales_cycle_charts, "units": check_units_small_multiples, "targets": check_targets_bars}
    out += [(page, fn) for page, fn in pages.items() if view.shows(page)]
    if view.shows("funnel"):
        if view.persona.bus is None:
            out += [(f"funnel {v}", lambda *a, v=v: check_funnel_view(*a, view=v)) for v in FUNNEL_VIEWS]
        else:
            out.append(("funnel (business-unit scope)", check_a_business_unit_scope_shows_no_lead_chart))
    if name in USERS:
        out.append(("tampered links", check_tampered_links_never_widen_the_charts))
        if VIEWS[name].persona.unit is not None:
            out.append(("statements carry the scope", check_every_chart_query_carries_the_scope))
    return out


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_chart_shows_exactly_the_views_scope(renders: Renders, data: oracle.Crm, demo_crm: Crm, name: str) -> None:  # noqa: F811
    """One test per view, so that each view's pages render once (in one xdist worker) for all its
    checks; every check runs, and the failures are listed by check."""
    failures = []
    for check, fn in _checks(name):
        try:
            fn(renders, data, demo_crm, name)
        except AssertionError as error:
            failures.append(f"{check}: {str(error)[:1500]}")
    assert not failures, f"{name}: {len(failures)} check(s) failed\n" + "\n".join(failures)


# --- A new user in the same session ---------------------------------------------------------------


def test_a_new_user_in_the_same_session_sees_only_their_own_charts(renders: Renders) -> None:
    """The executive opens the Overview and the Funnel's snapshot; then head.east signs in in the
    same browser session: every chart is head.east's own, as in a session of their own with the
    same view (nothing of the executive's figures kept; the Funnel's counting mode, page state,
    does carry over when the identity changes without signing out)."""
    at = open_app(renders.mp, renders.crm.url, user="ceo", params={"period": PERIOD}, page="overview")
    at.switch_page("pages/funnel.py").run()
    at.segmented_control(key="funnel_mode").set_value("snapshot").run()
    at.session_state[auth.IDENTITY_KEY] = auth.Identity("head.east", "Wang Lei", auth.PASSWORD)
    at._finished_page_script_hash = ""  # noqa: SLF001 - through app.py (tests/test_app.py)
    own = open_app(renders.mp, renders.crm.url, user="head.east", params={"period": PERIOD})
    for page in ("overview", "churn", "funnel"):
        at.switch_page(f"pages/{page}.py").run()
        own.switch_page(f"pages/{page}.py").run()
        if page == "funnel":  # the counting mode is page state, not data: compare the same view
            own.segmented_control(key="funnel_mode").set_value(at.segmented_control(key="funnel_mode").value).run()
        assert _fingerprint(shown(at)) == _fingerprint(shown(own)), page
