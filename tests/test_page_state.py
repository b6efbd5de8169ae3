"""Page state in the URL (ui.filterbar.PAGE_PARAMS): the Units page's drill path and comparison,
the Funnel's counting mode and split — parsed and checked like the filters, written back with
them in one URL update, and restored from a copied link.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data_layer.filters import DEFAULT_VIEWER, OrgTree, OrgUnit, Role, Viewer
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

    from data_layer.config import load_settings

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
