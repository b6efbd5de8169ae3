"""The Hand-offs page through AppTest: its card and tables show what metrics/handoffs.py computes for the same
filters and response limit, in English and Chinese; the limit and each drill-through's selection live in the link
(restored from it, written back, a bad value refused with a notice); each drill-through lists the records behind its
figure and downloads what it shows; a regional head sees their region's figures only, and an empty period says what
is missing while the rest of the page still renders.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_layer import schema
from data_layer.config import load_settings
from data_layer.connection import make_engine, read_frame
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer, grain_for, preset_period
from metrics import handoffs
from metrics.base import Comparison, Context, compare, trend
from tests.apptest import capture_downloads, open_app
from tests.test_app import Crm, _ok, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import _NavigationMode, navigation  # noqa: F401 - fixture
from ui import charts
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import display, t

HEAD_EAST = Viewer(user="head.east", role=Role.REGIONAL_HEAD, units=("CN-E",))
PAGE = "handoffs"


@pytest.fixture(scope="module")
def page(demo_crm: Crm) -> Iterator[AppTest]:  # noqa: F811
    """The page as the demo's executive, this quarter, opened once for the tests that only read it or set its
    drill-through selections (each test sets the ones it reads)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app_test_module, "PagesManager", _NavigationMode)
        yield open_app(mp, demo_crm.url, page=PAGE)


class Expected:
    """What the metric functions give for ``flt`` and ``viewer`` on ``crm``, straight from metrics/handoffs.py."""

    def __init__(self, crm: Crm, flt: Filters, viewer: Viewer = DEFAULT_VIEWER, limit: int = handoffs.LIMIT_HOURS) -> None:
        engine = make_engine(crm.url)
        try:
            ctx = Context(engine, crm.org, viewer, load_settings().calendar, crm.currency, crm.as_of)
            self.metric = handoffs.breach_rate_metric(limit)
            self.card: Comparison = compare(self.metric, ctx, flt)
            self.spark = charts.sparkline(trend(self.metric, ctx, flt))
            self.total = handoffs.response_times(ctx, flt, limit).iloc[0]
            self.teams = handoffs.response_times(ctx, flt, limit, "team")
            self.reps = handoffs.response_times(ctx, flt, limit, "rep")
            self.ownership = handoffs.ownership(ctx, flt)
            self.returned = handoffs.returned_outcomes(ctx, flt).iloc[0]
            rep_breaches = self.reps[self.reps["breaches"] > 0]
            team_breaches = self.teams[self.teams["breaches"] > 0]
            self.rep = str(rep_breaches["group"].dropna().iloc[0]) if rep_breaches["group"].notna().any() else None
            self.team = str(team_breaches["group"].dropna().iloc[0]) if team_breaches["group"].notna().any() else None
            self.breached = {
                "all": handoffs.breach_records(ctx, flt, limit)[1],
                "rep": handoffs.breach_records(ctx, flt, limit, rep=self.rep)[1] if self.rep else 0,
                "team": handoffs.breach_records(ctx, flt, limit, team=self.team)[1] if self.team else 0,
            }
            self.owned = {k: handoffs.ownership_records(ctx, flt, k, 200)[1] for k in handoffs.OWNERSHIP}
            self.leaver_deals = handoffs.ownership_records(ctx, flt, "owner_left_opportunities", 200)[0]
            self.returned_records = {o: handoffs.returned_records(ctx, flt, o)[1] for o in (None, *handoffs.OUTCOMES)}
            self.rep_names = dict(read_frame(engine, select(schema.rep.c.code, schema.rep.c.name)).itertuples(index=False, name=None))
        finally:
            engine.dispose()


    @staticmethod
    def ownership_only(crm: Crm, flt: Filters, viewer: Viewer) -> pd.DataFrame:
        engine = make_engine(crm.url)
        try:
            return handoffs.ownership(Context(engine, crm.org, viewer, load_settings().calendar, crm.currency, crm.as_of), flt)
        finally:
            engine.dispose()


def _flt(crm: Crm, preset: str = "qtd") -> Filters:
    return Filters(preset_period(preset, crm.as_of, load_settings().calendar))


def _table(at: AppTest, column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _breaches(at: AppTest, by: str, lang: str = "en") -> pd.DataFrame:
    """The breaches by team or by rep (the breached leads' table has a team and a rep column too, but no rate)."""
    tables = [d.value for d in at.dataframe if {t(f"hand.col.{by}", lang), t("hand.col.rate", lang)} <= set(d.value.columns)]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _text(at: AppTest) -> str:
    return "\n".join(str(e.value).replace("\\", "") for kind in ("info", "success", "warning", "caption", "markdown") for e in getattr(at, kind))


def _assert_card(at: AppTest, crm: Crm, expected: Expected, lang: str = "en") -> None:
    """The card: the metric at the page's limit, its changes against the previous period and a year earlier, and its
    sparkline, all the metric's own compare() and trend()."""
    card = at.metric[0]
    assert card.label == expected.metric.label[lang]
    assert card.value == fmt.kpi_value(expected.metric, expected.card.current.value, crm.currency, lang)
    got = expected.card
    lines = [m.value for m in at.markdown if md_escape(t("kpi.vs_previous", lang)) in m.value]
    assert len(lines) == 1, [m.value for m in at.markdown]
    for caption, other in (("kpi.vs_previous", got.previous), ("kpi.vs_year_ago", got.year_ago)):
        change = fmt.change(Comparison.change(got.current, other, "ratio"), "ratio", lang) or fmt.DASH
        assert f"{md_escape(change)}] :small[:gray[{md_escape(t(caption, lang))}]]" in lines[0], (change, lines[0])
    assert list(card.proto.chart_data) == pytest.approx(expected.spark if len(expected.spark) > 1 else [])


def _notice(param: str, lang: str = "en") -> str:
    return t("url.ignored", lang, items=t("url.bad_value", lang, param=param))


def _warnings(at: AppTest) -> list[str]:
    return [w.value.replace("\\", "") for w in at.warning]


def _assert_breach_table(table: pd.DataFrame, name_col: str, names: dict[str | None, str], frame: pd.DataFrame, lang: str = "en") -> None:
    """Each group's row shows the metric's counts and rate, the highest rate first."""
    assert len(table) == len(frame)
    shown = {row[name_col]: row for _, row in table.iterrows()}
    for row in frame.to_dict("records"):
        got = shown[names[row["group"]]]
        assert got[t("hand.col.assigned", lang)] == fmt.number(row["assigned"], lang), row
        assert got[t("hand.col.breaches", lang)] == fmt.number(row["breaches"], lang), row
        assert got[t("hand.col.overdue", lang)] == fmt.number(row["overdue"], lang), row
        rate = None if row["breach_rate"] is None else row["breach_rate"]
        assert got[t("hand.col.rate", lang)] == fmt.percent(rate, lang), row
    rates = [float(v.rstrip("%").replace(",", "")) for v in table[t("hand.col.rate", lang)] if v != fmt.DASH]
    assert rates == sorted(rates, reverse=True)


# --- The figures ------------------------------------------------------------------------------------------


def test_the_page_shows_what_the_metrics_compute(page: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = page
    assert at.title[0].value == t("hand.title", "en")
    assert not at.error and not at.exception, [e.value for e in at.error]
    expected = Expected(demo_crm, _flt(demo_crm))
    assert expected.total["assigned"] > 0 and expected.total["breaches"] > 0, "the demo has breaches this quarter"
    _assert_card(at, demo_crm, expected)
    tiles = _tiles(at)
    assert tiles[t("hand.tile.assigned", "en")] == fmt.number(expected.total["assigned"], "en")
    assert tiles[t("hand.tile.breaches", "en")] == fmt.number(expected.total["breaches"], "en")
    assert tiles[t("hand.tile.pending", "en")] == fmt.number(expected.total["pending"], "en")
    assert tiles[t("hand.tile.median", "en")] == fmt.number(round(expected.total["median"], 1), "en")
    # Teams by name, reps by name (never their codes), worst first.
    org = demo_crm.org
    teams = {g: (t("hand.no_team", "en") if g is None else org.by_code(g).name) for g in expected.teams["group"]}  # type: ignore[union-attr]
    _assert_breach_table(_breaches(at, "team"), t("hand.col.team", "en"), teams, expected.teams)
    reps = {g: (t("hand.no_rep", "en") if g is None else expected.rep_names[g]) for g in expected.reps["group"]}
    _assert_breach_table(_breaches(at, "rep"), t("hand.col.rep", "en"), reps, expected.reps)
    # The customers about to be lost: the three kinds, their counts and open pipeline.
    own = _table(at, t("hand.col.kind", "en"))
    assert list(own[t("hand.col.kind", "en")]) == [t(f"hand.kind.{k}", "en") for k in expected.ownership["kind"]]
    assert list(own[t("hand.col.records", "en")]) == [fmt.number(n, "en") for n in expected.ownership["records"]]
    assert list(own[t("hand.col.open_pipeline", "en")]) == [fmt.money(v, demo_crm.currency, "en") for v in expected.ownership["open_pipeline"]]
    at_risk = bool(expected.ownership["records"].sum())
    assert bool(at.warning) == at_risk and bool(at.success) == (not at_risk)
    # Returned leads: the count, and the outcome the selector offers with each one's count.
    assert tiles[t("hand.returned.returned", "en")] == fmt.number(expected.returned["returned"], "en")
    # Every table downloads, CSV and Excel: by team, by rep, the breached leads, the three kinds, the outcomes and the
    # returned leads. (The demo loses no customer in a hand-over, so it has no ownership records to list: the hand-worked
    # CRM below has them, and their table's downloads.)
    assert expected.returned["returned"] and not expected.ownership["records"].sum()
    assert len(at.get("download_button")) == 2 * 6
    assert len(at.get("vega_lite_chart")) == 2, "the response times and the outcomes are drawn"
    # The definitions are one click away: the card's metric, then the page's other figures.
    definitions = next(e for e in at.expander if e.label == t("definitions.title", "en"))
    text = "\n".join(m.value for m in definitions.markdown).replace("\\", "")
    for words in (expected.metric.definition["en"], t("hand.teams.help", "en"), *handoffs.DEFINITIONS.values()):
        assert (words if isinstance(words, str) else words["en"]) in text
    assert "response_limit" not in at.query_params


# --- Drill-through ----------------------------------------------------------------------------------------


def test_drill_through_lists_the_records_behind_each_figure(page: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = page
    expected = Expected(demo_crm, _flt(demo_crm))
    verdict = t("hand.col.verdict", "en")
    box = at.selectbox(key="hand_breached_of")
    assert box.format_func("all") == t("hand.breached.all", "en", n=fmt.number(expected.breached["all"], "en"))
    assert len(_table(at, verdict)) == min(expected.breached["all"], 200)
    for kind, code in (("rep", expected.rep), ("team", expected.team)):
        assert code is not None
        box.set_value(f"{kind}:{code}")
        _ok(_rerun(at))
        records = _table(at, verdict)
        assert len(records) == expected.breached[kind] > 0, kind
        if kind == "rep":
            assert set(records[t("hand.col.rep", "en")]) == {expected.rep_names[code]}
        else:
            assert set(records[t("hand.col.team", "en")]) == {demo_crm.org.by_code(code).name}  # type: ignore[union-attr]
    # The accounts and deals behind the ownership figures: the demo has none (no selector, no table); the hand-worked CRM
    # lists each kind (test_customers_about_to_be_lost_stand_out_with_their_records).
    assert not any(expected.owned.values())
    assert all(b.key != "hand_own_kind" for b in at.selectbox)
    # The returned leads, all and by outcome.
    outcomes = [o for o in handoffs.OUTCOMES if expected.returned[o]]
    assert outcomes, "the demo has returned leads this quarter (each way: the hand-worked CRM below)"
    outcome_col = t("hand.col.returned_on", "en")
    assert len(_table(at, outcome_col)) == min(expected.returned_records[None], 200)
    for outcome in outcomes:
        at.selectbox(key="hand_returned_outcome").set_value(outcome)
        _ok(_rerun(at))
        assert set(_table(at, outcome_col)[t("hand.col.outcome", "en")]) == {t(f"hand.outcome.{outcome}", "en")}
        assert len(_table(at, outcome_col)) == min(expected.returned_records[outcome], 200)
    assert not at.error, [e.value for e in at.error]


# --- The limit in the link ----------------------------------------------------------------------------------


def test_the_limit_is_restored_from_a_link_and_written_back(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = open_app(monkeypatch, demo_crm.url, params={"period": "last_quarter", "response_limit": "48"}, page=PAGE)
    assert not at.warning or all("response_limit" not in w.value for w in at.warning)
    assert at.number_input(key="hand_limit").value == 48
    assert at.query_params["response_limit"] == "48" and at.query_params["period"] == "last_quarter"
    flt = _flt(demo_crm, "last_quarter")
    at48 = Expected(demo_crm, flt, limit=48)
    assert at48.card.previous.value is not None and at48.card.year_ago.value is not None and len(at48.spark) > 1
    _assert_card(at, demo_crm, at48)  # the card at 48 h: compare() and trend() of breach_rate_metric(48)
    assert _tiles(at)[t("hand.tile.breaches", "en")] == fmt.number(at48.total["breaches"], "en")
    # A new limit is written to the link; the default leaves it.
    at.number_input(key="hand_limit").set_value(12)
    _ok(_rerun(at))
    assert at.query_params["response_limit"] == "12"
    at12 = Expected(demo_crm, flt, limit=12)
    _assert_card(at, demo_crm, at12)
    assert _tiles(at)[t("hand.tile.breaches", "en")] == fmt.number(at12.total["breaches"], "en")
    assert at12.total["breaches"] > at48.total["breaches"], "a tighter limit, more breaches"
    at.number_input(key="hand_limit").set_value(24)
    _ok(_rerun(at))
    assert "response_limit" not in at.query_params
    # In Chinese (last: AppTest cannot set widgets after the switch), at the default limit.
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("hand.title", "zh")
    _assert_card(at, demo_crm, Expected(demo_crm, flt), "zh")
    assert t("hand.teams.title", "zh") in [s.value for s in at.subheader]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("value", ["0", "abc", "9999"])
def test_a_bad_limit_in_a_link_is_refused(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, value: str) -> None:  # noqa: F811
    at = open_app(monkeypatch, demo_crm.url, params={"response_limit": value}, page=PAGE)
    notice = "\n".join(w.value for w in at.warning)
    assert "response\\_limit" in notice or "response_limit" in notice
    assert value not in notice.replace("response_limit", "")
    assert at.number_input(key="hand_limit").value == handoffs.LIMIT_HOURS
    assert "response_limit" not in at.query_params


# --- Scope, and an empty period ----------------------------------------------------------------------------


def test_a_regional_head_sees_only_their_region(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = open_app(monkeypatch, demo_crm.url, user="head.east", page=PAGE)
    assert not at.error, [e.value for e in at.error]
    flt = _flt(demo_crm)
    mine, everyone = Expected(demo_crm, flt, HEAD_EAST), Expected(demo_crm, flt)
    _assert_card(at, demo_crm, mine)
    assert mine.total["assigned"] != everyone.total["assigned"]
    tiles = _tiles(at)
    assert tiles[t("hand.tile.assigned", "en")] == fmt.number(mine.total["assigned"], "en")
    assert tiles[t("hand.tile.breaches", "en")] == fmt.number(mine.total["breaches"], "en")
    region = demo_crm.org.subtree_ids("CN-E")
    teams = _breaches(at, "team")
    inside = {u.name for u in demo_crm.org.units if u.unit_id in region}
    assert set(teams[t("hand.col.team", "en")]) <= inside | {t("hand.no_team", "en")}
    own = _table(at, t("hand.col.kind", "en"))
    assert list(own[t("hand.col.records", "en")]) == [fmt.number(n, "en") for n in mine.ownership["records"]]


def test_an_empty_period_says_what_is_missing(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = open_app(monkeypatch, demo_crm.url, params={"start": "2012-01-01", "end": "2012-03-31"}, page=PAGE)
    assert not at.error and not at.exception, [e.value for e in at.error]
    infos = [i.value.replace("\\", "") for i in at.info]
    for message in (t("hand.response.none", "en"), t("hand.reps.none", "en"), t("hand.returned.none", "en")):
        assert message in infos, (message, infos)
    assert t("hand.breached.none", "en", limit=t("hand.hours", "en", n="24")) in infos
    assert at.metric[0].value == fmt.DASH  # the card: nothing decided
    # Ownership is read as of the as-of day, whatever the period: still shown.
    flt = Filters(Period(date(2012, 1, 1), date(2012, 3, 31), "month", "days"))
    expected = Expected(demo_crm, flt)
    own = _table(at, t("hand.col.kind", "en"))
    assert list(own[t("hand.col.records", "en")]) == [fmt.number(n, "en") for n in expected.ownership["records"]]
    assert at.expander, "the definitions close the page"


# --- A CRM with customers about to be lost (tests/marketing_crm.py, worked out by hand in tests/test_handoffs.py) ---


@pytest.fixture(scope="module")
def handoff_crm(tmp_path_factory: pytest.TempPathFactory) -> Crm:
    """marketing_crm in a DuckDB file: leads never answered, a rep who left, accounts with no owner, and returned
    leads that ended each way."""
    from sqlalchemy import create_engine

    from tests import marketing_crm
    from tests.test_app import _describe

    path = tmp_path_factory.mktemp("handoffs") / "handoffs.duckdb"
    writer = create_engine(f"duckdb:///{path}")
    marketing_crm.load(writer)
    writer.dispose()
    return _describe(f"duckdb:///{path}")


Q1 = {"start": "2025-01-01", "end": "2025-03-31"}
#: The filters the page makes of :data:`Q1`: a custom range of 90 days, its trend by week.
Q1_FILTERS = Filters(Period(date(2025, 1, 1), date(2025, 3, 31), grain_for(90), "days"))


def test_customers_about_to_be_lost_stand_out_with_their_records(navigation: None, monkeypatch: pytest.MonkeyPatch, handoff_crm: Crm) -> None:  # noqa: F811
    from tests.apptest import executive_only

    at = open_app(monkeypatch, handoff_crm.url, params=Q1, page=PAGE, entitlements=executive_only())
    assert not at.error, [e.value for e in at.error]
    flt = Q1_FILTERS
    expected = Expected(handoff_crm, flt)
    # The hand-worked quarter: ten leads assigned, four breaches (two never answered), five returned.
    assert (expected.total["assigned"], expected.total["breaches"], expected.returned["returned"]) == (10, 4, 5)
    _assert_card(at, handoff_crm, expected)
    assert not at.success
    warning = at.warning[0].value.replace("\\", "")
    assert t("hand.own.at_risk", "en") in warning
    for row in expected.ownership.to_dict("records"):
        if row["records"]:
            assert t(f"hand.kind.{row['kind']}", "en") in warning and fmt.money(row["open_pipeline"], handoff_crm.currency, "en") in warning
    # E3 (Cy Gone) has left: the accounts and deals in their name, by name; the accounts nobody owns.
    assert expected.owned["owner_left_accounts"] and expected.owned["no_owner_accounts"] and expected.owned["owner_left_opportunities"]
    at.selectbox(key="hand_own_kind").set_value("owner_left_accounts")
    _ok(_rerun(at))
    accounts = _table(at, t("hand.col.home_unit", "en"))
    assert len(accounts) == expected.owned["owner_left_accounts"]
    assert set(accounts[t("hand.col.owner_left", "en")]) == {"Cy Gone"}
    at.selectbox(key="hand_own_kind").set_value("owner_left_opportunities")
    _ok(_rerun(at))
    deals = _table(at, t("hand.col.opportunity", "en"))
    assert len(deals) == expected.owned["owner_left_opportunities"] and set(deals[t("hand.col.owner_left", "en")]) == {"Cy Gone"}
    at.selectbox(key="hand_own_kind").set_value("no_owner_accounts")
    _ok(_rerun(at))
    nobody = _table(at, t("hand.col.home_unit", "en"))
    assert len(nobody) == expected.owned["no_owner_accounts"] and set(nobody[t("hand.col.owner", "en")]) == {t("hand.no_owner", "en")}
    # The breached leads: the two never answered first, by rep name.
    breached = _table(at, t("hand.col.verdict", "en"))
    assert list(breached[t("hand.col.lead", "en")]) == [2, 7, 9, 4]
    assert list(breached[t("hand.col.verdict", "en")][:2]) == [t("hand.verdict.no_response", "en")] * 2
    assert set(breached[t("hand.col.rep", "en")]) == {"Cy Gone", "Bo South"}
    # Each outcome of the returned leads offered with its count.
    box = at.selectbox(key="hand_returned_outcome")
    offered = [o for o in handoffs.OUTCOMES if expected.returned[o]]
    assert offered == list(handoffs.OUTCOMES)  # each way once: converted, requalified, disqualified, still returned
    assert box.options == [box.format_func(o) for o in (None, *offered)]
    for outcome in offered:
        assert box.format_func(outcome) == t("hand.returned.option", "en", what=t(f"hand.outcome.{outcome}", "en"), n=expected.returned[outcome])


def test_a_region_sees_only_its_own_customers_at_risk(navigation: None, monkeypatch: pytest.MonkeyPatch, handoff_crm: Crm, tmp_path) -> None:  # noqa: F811
    from tests.apptest import entitlements_file

    north = Viewer(user="head.east", role=Role.REGIONAL_HEAD, units=("NORTH",))
    at = open_app(monkeypatch, handoff_crm.url, user="head.east", params=Q1, page=PAGE, entitlements=entitlements_file(tmp_path, {"head.east": north}))
    assert not at.error, [e.value for e in at.error]
    flt = Q1_FILTERS
    mine, everyone = Expected(handoff_crm, flt, north), Expected(handoff_crm, flt)
    _assert_card(at, handoff_crm, mine)
    assert mine.card.current.value != everyone.card.current.value
    own = _table(at, t("hand.col.kind", "en"))
    assert list(own[t("hand.col.records", "en")]) == [fmt.number(n, "en") for n in mine.ownership["records"]]
    assert list(mine.ownership["open_pipeline"]) != list(everyone.ownership["open_pipeline"])
    breached = _table(at, t("hand.col.verdict", "en"))
    assert list(breached[t("hand.col.lead", "en")]) == [2, 7]  # NORTH's; SOUTH's L9 and L4 are not shown


def test_the_limit_parameter_takes_whole_hours_up_to_a_month() -> None:
    from ui import filterbar

    choices = filterbar.Choices(units=("R1",))
    assert filterbar.parse_page({"response_limit": ["48"]}, choices) == ({"response_limit": "48"}, [])
    assert filterbar.parse_page({"response_limit": ["24"]}, choices) == ({}, [])  # the default stays out of the link
    assert filterbar.page_params({"response_limit": "24"}) == {} and filterbar.page_params({"response_limit": "1"}) == {"response_limit": ["1"]}
    for bad in ("0", "721", "1.5", "-3", "ab", "0048"):
        assert filterbar.parse_page({"response_limit": [bad]}, choices) == ({}, [("url.bad_value", {"param": "response_limit"})]), bad


def test_a_business_unit_scope_hides_the_lead_views_and_keeps_the_rest(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    """Leads carry no business unit, so a viewer limited to some (the demo's head.north) cannot be shown them:
    each lead view says so in its place, and the ownership view (opportunities do carry one) still renders."""
    at = open_app(monkeypatch, demo_crm.url, user="head.north", page=PAGE)
    assert not at.error and not at.exception, [e.value for e in at.error]
    infos = [i.value for i in at.info]
    for section in ("hand.response.title", "hand.teams.title", "hand.reps.title", "hand.breached.title", "hand.returned.title"):
        assert t("section.no_scope", "en", section=t(section, "en")) in infos, section
    assert not at.metric  # no lead figure at all
    north = Viewer(user="head.north", role=Role.REGIONAL_HEAD, units=("CN-N",), bus=("NET", "SEC"))
    expected = Expected.ownership_only(demo_crm, _flt(demo_crm), north)
    own = _table(at, t("hand.col.kind", "en"))
    assert list(own[t("hand.col.records", "en")]) == [fmt.number(n, "en") for n in expected["records"]]


def test_the_drill_through_parameters_take_their_shapes() -> None:
    from ui import filterbar

    choices = filterbar.Choices(units=("R1",))
    linked = {"hand_breached_of": ["rep:E3"], "hand_own_kind": ["no_owner_accounts"], "hand_returned_outcome": ["converted"]}
    assert filterbar.parse_page(linked, choices) == ({k: v[0] for k, v in linked.items()}, [])
    assert filterbar.parse_page({"hand_breached_of": ["team:N-T1"]}, choices) == ({"hand_breached_of": "team:N-T1"}, [])
    # The defaults stay out of the link: everyone's breaches, the first kind, every outcome.
    assert filterbar.parse_page({"hand_breached_of": ["all"], "hand_own_kind": ["owner_left_accounts"]}, choices) == ({}, [])
    assert filterbar.page_params({"hand_breached_of": "all", "hand_own_kind": "owner_left_accounts"}) == {}
    for param, bad in (("hand_breached_of", "rep:"), ("hand_breached_of", "E3"), ("hand_breached_of", "unit:N"), ("hand_breached_of", "rep:<b>"),
                       ("hand_breached_of", "team:a b"), ("hand_own_kind", "everything"), ("hand_returned_outcome", "lost")):
        assert filterbar.parse_page({param: [bad]}, choices) == ({}, [("url.bad_value", {"param": param})]), bad


def test_the_drill_throughs_are_restored_from_a_link_and_written_back(navigation: None, monkeypatch: pytest.MonkeyPatch, handoff_crm: Crm) -> None:  # noqa: F811
    from tests.apptest import executive_only

    files = capture_downloads(monkeypatch)
    linked = {"hand_breached_of": "rep:E3", "hand_own_kind": "no_owner_accounts", "hand_returned_outcome": "disqualified"}
    at = open_app(monkeypatch, handoff_crm.url, params={**Q1, **linked}, page=PAGE, entitlements=executive_only())
    assert not at.error, [e.value for e in at.error]
    assert not [w for w in _warnings(at) if t("hand.own.at_risk", "en") not in w]  # no notice: every value is offered
    assert {k: at.selectbox(key=k).value for k in linked} == linked
    assert {k: at.query_params[k] for k in linked} == linked
    lead, verdict = t("hand.col.lead", "en"), t("hand.col.verdict", "en")
    # E3 (Cy Gone)'s breaches: L2 and L7, never answered; the accounts nobody owns (A5, A7); L6, disqualified after its return.
    breached = _table(at, verdict)
    assert list(breached[lead]) == [2, 7] and set(breached[t("hand.col.rep", "en")]) == {"Cy Gone"}
    nobody = _table(at, t("hand.col.home_unit", "en"))
    assert list(nobody[t("hand.col.account", "en")]) == ["A5", "A7"] and set(nobody[t("hand.col.owner", "en")]) == {t("hand.no_owner", "en")}
    returned = _table(at, t("hand.col.returned_on", "en"))
    assert list(returned[lead]) == [6] and list(returned[t("hand.col.outcome", "en")]) == [t("hand.outcome.disqualified", "en")]
    # The CSV download holds exactly the table shown.
    assert files["hand_breached_csv"].decode("utf-8-sig") == breached.to_csv(index=False)
    assert len(at.get("download_button")) == 2 * 7  # and every table has its downloads, the ownership records' too
    assert files["hand_own_records_csv"].decode("utf-8-sig") == nobody.to_csv(index=False)
    # A new selection is written to the link; the defaults leave it.
    at.selectbox(key="hand_breached_of").set_value("team:S-T1")
    at.selectbox(key="hand_own_kind").set_value("owner_left_accounts")
    at.selectbox(key="hand_returned_outcome").set_value(None)
    _ok(_rerun(at))
    assert at.query_params["hand_breached_of"] == "team:S-T1"
    assert "hand_own_kind" not in at.query_params and "hand_returned_outcome" not in at.query_params
    assert list(_table(at, verdict)[lead]) == [7, 9, 4]  # S-T1's: L7 unanswered, then L9 (48 h) and L4 (30 h)
    assert len(_table(at, t("hand.col.returned_on", "en"))) == 5
    at.selectbox(key="hand_breached_of").set_value("all")
    _ok(_rerun(at))
    assert "hand_breached_of" not in at.query_params and list(_table(at, verdict)[lead]) == [2, 7, 9, 4]
    assert not [w for w in _warnings(at) if t("hand.own.at_risk", "en") not in w]


@pytest.mark.parametrize(
    ("param", "value", "fallback"),
    [
        ("hand_breached_of", "rep:<x>", "all"),  # not a code: refused as the link is read
        ("hand_breached_of", "rep:E1", "all"),  # a code, but E1 has no breach this quarter: refused by the page
        ("hand_breached_of", "team:NOPE", "all"),
        ("hand_own_kind", "everything", "owner_left_accounts"),
        ("hand_returned_outcome", "lost", None),
    ],
)
def test_a_bad_drill_through_in_a_link_is_refused(
    navigation: None, monkeypatch: pytest.MonkeyPatch, handoff_crm: Crm, param: str, value: str, fallback: str | None  # noqa: F811
) -> None:
    from tests.apptest import executive_only

    at = open_app(monkeypatch, handoff_crm.url, params={**Q1, param: value}, page=PAGE, entitlements=executive_only())
    assert not at.error, [e.value for e in at.error]
    assert _notice(param) in _warnings(at), _warnings(at)
    assert all(value not in w for w in _warnings(at) if param in w)  # the notice names the parameter, never the value
    assert at.selectbox(key=param).value == fallback
    _ok(_rerun(at))  # dropped from the link, the selection as it fell back
    assert param not in at.query_params and at.selectbox(key=param).value == fallback


def test_the_tables_and_drill_throughs_in_chinese(navigation: None, monkeypatch: pytest.MonkeyPatch, handoff_crm: Crm) -> None:  # noqa: F811
    from tests.apptest import executive_only

    linked = {"hand_breached_of": "team:S-T1", "hand_own_kind": "owner_left_opportunities", "hand_returned_outcome": "converted"}
    at = open_app(monkeypatch, handoff_crm.url, params={**Q1, **linked}, page=PAGE, entitlements=executive_only())
    # Switched to Chinese on the page (AppTest cannot run a custom range opened in Chinese, nor set a widget after the
    # switch: its period selector's labels are read in English): the selections stay.
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == t("hand.title", "zh") and {k: at.query_params[k] for k in linked} == linked
    zh, org = "zh", handoff_crm.org
    expected = Expected(handoff_crm, Q1_FILTERS)
    _assert_card(at, handoff_crm, expected, zh)
    assert _tiles(at)[t("hand.tile.breaches", zh)] == "4"
    # Breaches by team and by rep, with the names and the figures in Chinese.
    teams = {g: org.by_code(g).name for g in expected.teams["group"]}  # type: ignore[union-attr]
    _assert_breach_table(_breaches(at, "team", zh), t("hand.col.team", zh), teams, expected.teams, zh)
    _assert_breach_table(_breaches(at, "rep", zh), t("hand.col.rep", zh), expected.rep_names, expected.reps, zh)
    # The breached leads of S-T1: L7 never answered, then L9 and L4 late.
    box = at.selectbox(key="hand_breached_of")
    assert box.value == "team:S-T1" and box.options[:2] == [t("hand.breached.all", zh, n="4"), t("hand.breached.team", zh, name=teams["S-T1"], n="3")]
    breached = _table(at, t("hand.col.verdict", zh))
    assert list(breached[t("hand.col.lead", zh)]) == [7, 9, 4]
    assert list(breached[t("hand.col.verdict", zh)]) == [t(f"hand.verdict.{v}", zh) for v in ("no_response", "late", "late")]
    assert set(breached[t("hand.col.team", zh)]) == {teams["S-T1"]} and list(breached[t("hand.col.hours", zh)])[1:] == [48.0, 30.0]
    # The leaver's open deals, the largest first, as ownership_records() lists them.
    deals = _table(at, t("hand.col.opportunity", zh))
    assert len(deals) == expected.owned["owner_left_opportunities"] == 3
    assert list(deals[t("hand.col.amount", zh)]) == [float(v) for v in expected.leaver_deals["amount"]]
    assert list(deals[t("hand.col.stage", zh)]) == [display("pipeline", s, zh) for s in expected.leaver_deals["stage"]]
    assert set(deals[t("hand.col.owner_left", zh)]) == {"Cy Gone"}
    own = _table(at, t("hand.col.kind", zh))
    assert list(own[t("hand.col.kind", zh)]) == [t(f"hand.kind.{k}", zh) for k in handoffs.OWNERSHIP]
    # The returned leads converted after their return: L5 (20 February) and L4 (10 February).
    returned = _table(at, t("hand.col.returned_on", zh))
    assert list(returned[t("hand.col.lead", zh)]) == [5, 4] and set(returned[t("hand.col.outcome", zh)]) == {t("hand.outcome.converted", zh)}
    assert at.selectbox(key="hand_returned_outcome").options[0] == t("hand.returned.all", zh, n="5")
    definitions = next(e for e in at.expander if e.label == t("definitions.title", zh))
    assert handoffs.DEFINITIONS["returned"][zh] in "\n".join(m.value for m in definitions.markdown).replace("\\", "")
