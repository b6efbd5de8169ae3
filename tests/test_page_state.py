"""Page state in the URL (ui.filterbar.PAGE_PARAMS): the Overview's trend KPI and league table, the
Units page's drill path, comparison and ranking,
the Funnel's counting mode and split — parsed and checked like the filters, written back with
them in one URL update, and restored from a copied link.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Filters, OrgTree, OrgUnit, Role, Viewer, preset_period
from metrics.base import Context, Grouping, evaluate
from metrics.registry import REGISTRY
from tests.apptest import open_app
from tests.test_app import Crm, _ok, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import navigation  # noqa: F401 - fixture
from ui import filterbar
from ui.i18n import t

TREE = OrgTree(
    (
        OrgUnit(1, "C", "Cluster", "cluster", None),
        OrgUnit(2, "R1", "Region 1", "region", 1),
        OrgUnit(3, "R2", "Region 2", "region", 1),
        OrgUnit(4, "R1-O", "Office", "office", 2),
        OrgUnit(5, "R2-O", "Office", "office", 3),
    )
)
HEAD = Viewer("head", Role.REGIONAL_HEAD, units=("R1",))


# --- Pure parsing --------------------------------------------------------------------------------


def test_page_params_are_checked_like_the_filters() -> None:
    choices = filterbar.Choices(units=("R1", "R1-O"))
    state, notices = filterbar.parse_page({"drill": ["R1-O"], "mode": ["snapshot"], "split": ["source"], "compare": ["rep"]}, choices)
    assert state == {"drill": "R1-O", "mode": "snapshot", "split": "source", "compare": "rep"} and notices == []
    state, notices = filterbar.parse_page({"drill": ["R2-O"], "mode": ["forever"], "split": ["x" * 500]}, choices)
    assert state == {}
    assert notices == [("url.out_of_scope", {"param": "drill"}), ("url.bad_value", {"param": "mode"}), ("url.bad_value", {"param": "split"})]
    assert filterbar.parse_page({"drill": [filterbar.ALL_UNITS]}, filterbar.Choices(units=(filterbar.ALL_UNITS, "R1")))[0] == {}


def test_defaults_stay_out_of_the_url_and_state_round_trips() -> None:
    choices = filterbar.Choices(units=("R1", "R1-O"))
    assert filterbar.page_params({"mode": "cohort", "split": "unit", "compare": "unit", "drill": None}) == {}
    state = {"drill": "R1-O", "mode": "snapshot", "split": "source", "compare": "rep"}
    assert filterbar.parse_page(filterbar.page_params(state), choices) == (state, [])


def test_page_params_are_known_so_a_link_raises_no_unknown_notice() -> None:
    choices = filterbar.Choices(units=("R1",))
    from datetime import date

    _, notices = filterbar.parse({"drill": ["R1"], "mode": ["snapshot"], "split": ["source"], "compare": ["rep"]}, choices, date(2025, 6, 30), load_settings().calendar)
    assert notices == []
    _, notices = filterbar.parse({"drill": ["R1"], "utm_source": ["x"]}, choices, date(2025, 6, 30), load_settings().calendar)
    assert notices == [("url.unknown", {"n": 1})]


@pytest.mark.parametrize(
    ("viewer", "unit", "drill", "allowed"),
    [
        (DEFAULT_VIEWER, None, "R2-O", True),
        (DEFAULT_VIEWER, "R1", "R1-O", True),
        (DEFAULT_VIEWER, "R1", "R2-O", False),  # outside the unit filter
        (DEFAULT_VIEWER, "R1", "C", False),  # above it
        (HEAD, None, "R1-O", True),
        (HEAD, None, "R2-O", False),  # outside the viewer's scope
        (HEAD, None, "C", False),  # above it
        (HEAD, "R1", "NOPE", False),
    ],
)
def test_the_drill_never_leaves_the_scope_or_the_filter(viewer: Viewer, unit: str | None, drill: str, allowed: bool) -> None:
    assert filterbar.drill_allowed(TREE, viewer, unit, drill) is allowed


# --- The Funnel's mode and split ------------------------------------------------------------------


def _funnel(crm: Crm, monkeypatch: pytest.MonkeyPatch, params: dict[str, str]) -> AppTest:
    at = open_app(monkeypatch, crm.url, params=params, page="funnel")
    assert at.title[0].value == t("funnel.title", "en")
    return at


def test_a_link_restores_the_funnels_mode_and_split(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _funnel(demo_crm, monkeypatch, {"period": "last_quarter", "mode": "snapshot", "split": "source"})
    assert not at.warning, [w.value for w in at.warning]
    assert at.segmented_control(key="funnel_mode").value == "snapshot"
    assert at.segmented_control(key="funnel_split").value == "source"
    assert t("funnel.caption_snapshot", "en") in [c.value.replace("\\", "") for c in at.caption]
    assert at.query_params["mode"] == "snapshot" and at.query_params["split"] == "source" and at.query_params["period"] == "last_quarter"
    # Back to the defaults: they leave the URL.
    at.segmented_control(key="funnel_mode").set_value("cohort")
    _ok(_rerun(at))
    assert "mode" not in at.query_params and at.query_params["split"] == "source"
    at.segmented_control(key="funnel_split").set_value("unit")
    _ok(_rerun(at))
    assert "split" not in at.query_params
    # And a choice reaches the URL in the same run, beside the filters.
    at.segmented_control(key="funnel_mode").set_value("snapshot")
    _ok(_rerun(at))
    assert at.query_params["mode"] == "snapshot" and at.query_params["period"] == "last_quarter"


@pytest.mark.parametrize("by", ["campaign", "rep", "bu"])
def test_the_funnel_splits_by_campaign_rep_and_business_unit(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, by: str) -> None:
    """A link with the split restores it; each row is a group of metrics.funnel.funnel for the same
    filters, by name, with its lead count."""
    from data_layer import dimensions
    from metrics.funnel import funnel

    at = _funnel(demo_crm, monkeypatch, {"period": "last_quarter", "split": by})
    assert not at.warning, [w.value for w in at.warning]
    assert at.segmented_control(key="funnel_split").value == by and at.query_params["split"] == by
    engine = make_engine(demo_crm.url)
    try:
        cal = load_settings().calendar
        ctx = Context(engine, demo_crm.org, DEFAULT_VIEWER, cal, demo_crm.currency, demo_crm.as_of)
        frame = funnel(ctx, Filters(preset_period("last_quarter", demo_crm.as_of, cal)), by=by)  # type: ignore[arg-type]
        names = {"campaign": dimensions.campaign_names, "rep": dimensions.rep_names_by_code}.get(by, lambda e: {
            o.code: o.name for o in dimensions.filter_options(e, demo_crm.org, DEFAULT_VIEWER).bus})(engine)
    finally:
        engine.dispose()
    leads = frame[frame["stage"] == "lead"]
    want = {(t(f"split.no_{by}", "en") if g is None or g != g else names[str(g)]): int(n) for g, n in zip(leads["group"], leads["reached"], strict=True)}
    assert len(want) >= 2
    title = t(f"split.{by}", "en")
    table = next(d.value for d in at.dataframe if title in d.value.columns)
    got = {name: int(str(n).replace(",", "")) for name, n in zip(table[title], table[t("funnel.stage.lead", "en")], strict=True)}
    assert got == want


def test_a_bad_funnel_mode_is_ignored_with_a_notice(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _funnel(demo_crm, monkeypatch, {"mode": "<script>", "split": "source"})
    notice = "\n".join(w.value for w in at.warning)
    assert "mode" in notice and "script" not in notice and "split" not in notice
    assert at.segmented_control(key="funnel_mode").value == "cohort"
    assert at.segmented_control(key="funnel_split").value == "source"
    assert "mode" not in at.query_params


def test_the_drill_path_stays_in_the_url_on_other_pages(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    """A link copied on any page reproduces the whole view, the Units page's drill path included."""
    region = next(u.code for u in demo_crm.org.units if u.level == "region")
    at = _funnel(demo_crm, monkeypatch, {"drill": region, "mode": "snapshot"})
    assert not at.warning, [w.value for w in at.warning]
    assert at.query_params["drill"] == region and at.query_params["mode"] == "snapshot"
    at.switch_page("pages/units.py").run()
    _ok(at)
    assert [b.label for b in at.button if str(b.key).startswith("units_crumb_")] == [t("filters.all_units", "en"), demo_crm.org.path(region)[0].name]
    assert at.query_params["drill"] == region and at.query_params["mode"] == "snapshot"


# --- The Funnel's window, the Units page's ranking, the Overview's league table -------------------------


@pytest.mark.parametrize("value", ["-1", "3651", "30.5", "abc", "٣٠", "1e3", ""])
def test_a_funnel_window_must_be_whole_days_within_ten_years(value: str) -> None:
    state, notices = filterbar.parse_page({"within": [value]}, filterbar.Choices(units=("R1",)))
    assert state == {} and notices == [("url.bad_value", {"param": "within"})]


def test_the_window_ranking_and_league_round_trip() -> None:
    choices = filterbar.Choices(units=("R1",))
    state = {"within": "0", "rank": "logo_churn", "league": "bu"}
    assert filterbar.parse_page(filterbar.page_params(state), choices) == (state, [])
    assert filterbar.page_params({"rank": "revenue", "league": "unit", "within": None}) == {}  # the defaults
    assert filterbar.parse_page({"rank": ["won_orders"]}, choices)[1] == [("url.bad_value", {"param": "rank"})]  # not an Overview KPI


def test_a_link_restores_the_funnels_window(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _funnel(demo_crm, monkeypatch, {"period": "last_quarter", "within": "30"})
    assert not at.warning, [w.value for w in at.warning]
    assert at.number_input(key="funnel_within").value == 30
    assert t("funnel.caption_window", "en", n=30) in [c.value.replace("\\", "") for c in at.caption]
    assert at.query_params["within"] == "30"
    # Another window reaches the URL; clearing it ("any time") takes it out.
    at.number_input(key="funnel_within").set_value(45)
    _ok(_rerun(at))
    assert at.query_params["within"] == "45"
    assert t("funnel.caption_window", "en", n=45) in [c.value.replace("\\", "") for c in at.caption]
    at.number_input(key="funnel_within").set_value(None)
    _ok(_rerun(at))
    assert "within" not in at.query_params
    assert t("funnel.caption_cohort", "en") in [c.value.replace("\\", "") for c in at.caption]


def test_a_bad_window_is_ignored_with_a_notice(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _funnel(demo_crm, monkeypatch, {"within": "99999"})
    assert "within" in "\n".join(w.value for w in at.warning)
    assert at.number_input(key="funnel_within").value is None and "within" not in at.query_params


def _ranked_names(at: AppTest) -> list[str]:
    table = next(d.value for d in at.dataframe if t("units.rank", "en") in d.value.columns)
    return list(table[t("league.unit", "en")])


def test_a_link_restores_the_units_ranking(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    """The ranked table comes back ordered by the KPI in the link (lowest churn first: down is good)."""
    at = open_app(monkeypatch, demo_crm.url, params={"period": "last_quarter", "rank": "logo_churn"}, page="units")
    _ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.selectbox(key="units_rank").value == "logo_churn" and at.query_params["rank"] == "logo_churn"
    engine = make_engine(demo_crm.url)
    try:
        cal = load_settings().calendar
        ctx = Context(engine, demo_crm.org, DEFAULT_VIEWER, cal, demo_crm.currency, demo_crm.as_of)
        flt = Filters(preset_period("last_quarter", demo_crm.as_of, cal))
        churn = evaluate(REGISTRY["logo_churn"], ctx, flt, Grouping("unit"))
    finally:
        engine.dispose()
    names = {u.code: u.name for u in demo_crm.org.units}
    pairs = zip(churn["group"], churn["value"], strict=True)
    rows = sorted(((v, names[g]) for g, v in pairs if g is not None and v == v), key=lambda r: r[0])  # lowest churn first
    assert len(rows) >= 2 and len({v for v, _ in rows}) == len(rows)  # a real ordering, no ties
    assert _ranked_names(at)[: len(rows)] == [n for _, n in rows]
    # Back to revenue: the default leaves the URL, and the order follows revenue.
    at.selectbox(key="units_rank").set_value("revenue")
    _ok(_rerun(at))
    assert "rank" not in at.query_params


def test_a_link_restores_the_overviews_business_unit_league(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = open_app(monkeypatch, demo_crm.url, params={"period": "last_quarter", "league": "bu"})
    _ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.segmented_control(key="overview_league").value == "bu" and at.query_params["league"] == "bu"
    assert [d for d in at.dataframe if t("league.bu", "en") in d.value.columns]
    at.segmented_control(key="overview_league").set_value("unit")
    _ok(_rerun(at))
    assert "league" not in at.query_params
    assert [d for d in at.dataframe if t("league.unit", "en") in d.value.columns]


def test_a_link_restores_the_overviews_trend_kpi(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    """The trend chart follows the KPI in the link (NRR: monthly, as churn and retention are measured)."""
    at = open_app(monkeypatch, demo_crm.url, params={"period": "last_quarter", "trend": "nrr"})
    _ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.pills(key="overview_trend_metric").value == "nrr" and at.query_params["trend"] == "nrr"
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert any(REGISTRY["nrr"].label["en"] in c for c in captions), captions
    at.pills(key="overview_trend_metric").set_value("win_rate")
    _ok(_rerun(at))
    assert at.query_params["trend"] == "win_rate"
    at.pills(key="overview_trend_metric").set_value("revenue")
    _ok(_rerun(at))
    assert "trend" not in at.query_params  # the default stays out of the link
    at = open_app(monkeypatch, demo_crm.url, params={"period": "last_quarter", "trend": "<script>"})
    assert "trend" in "\n".join(w.value for w in at.warning)
    assert at.pills(key="overview_trend_metric").value == "revenue"
