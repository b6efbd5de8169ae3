"""The Units page through AppTest: the figures it shows are what the metrics compute for the same
filters, it drills down and back up the organisation, and its drill path lives in the URL —
restored from a link, and refused with a notice when it points outside the viewer's scope.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Filters, OrgTree, Role, Viewer, preset_period
from metrics.base import Context, Grouping, NotGroupable, evaluate
from metrics.registry import HEADLINE, REGISTRY
from tests.apptest import app_test, entitlements_file, open_app
from tests.test_app import Crm, _expected, _ok, _region, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import navigation  # noqa: F401 - fixture
from ui import filterbar, widgets
from ui.i18n import t

UNIT_COL = t("league.unit", "en")
REP_COL = t("units.rep", "en")


def _open(crm: Crm, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None, viewer: Viewer | None = None) -> AppTest:
    """The Units page, as the demo's executive or as ``viewer`` (a demo user given that scope)."""
    if viewer is None:
        at = open_app(monkeypatch, crm.url, params=params, page="units")
    else:
        ent = entitlements_file(Path(tempfile.mkdtemp(prefix="granary-ent-")), {viewer.user: viewer})
        at = open_app(monkeypatch, crm.url, user=viewer.user, params=params, page="units", entitlements=ent)
    assert at.title[0].value == t("units.title", "en")
    return at


def _table(at: AppTest) -> pd.DataFrame:
    names = {t(k, lang) for k in ("league.unit", "units.rep") for lang in ("en", "zh")}
    tables = [d.value for d in at.dataframe if names & set(d.value.columns)]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _grouped(crm: Crm, flt: Filters, by: str, viewer: Viewer = DEFAULT_VIEWER) -> dict[str, dict[str | None, object]]:
    """Each headline metric per group, straight from the metrics (no cache, no page); a metric that
    cannot be split that way (an account-level KPI by rep) is left out, as the page leaves it out."""
    engine = make_engine(crm.url)
    try:
        ctx = Context(engine, crm.org, viewer, load_settings().calendar, crm.currency, crm.as_of)
        out = {}
        for key in HEADLINE:
            try:
                frame = evaluate(REGISTRY[key], ctx, flt, Grouping(by))
            except (NotGroupable, NotImplementedError):
                continue
            out[key] = {None if g is None else str(g): v for g, v in zip(frame["group"], frame["value"], strict=True)}
        return out
    finally:
        engine.dispose()


def _rep_names(crm: Crm) -> dict[str, str]:
    from sqlalchemy import select

    from data_layer import schema
    from data_layer.connection import read_frame

    engine = make_engine(crm.url)
    try:
        frame = read_frame(engine, select(schema.rep.c.code, schema.rep.c.name))
    finally:
        engine.dispose()
    return dict(zip(frame["code"], frame["name"], strict=True))


def _assert_rows(
    table: pd.DataFrame, name_col: str, names: dict[str, str], expected: dict[str, dict[str | None, object]], currency: str, lang: str = "en"
) -> None:
    """Every row shows the metric's value for that group, written as the page writes figures
    (0 for a count or amount with no records, a dash for a rate that cannot be computed)."""
    shown = {row[name_col]: row for _, row in table.iterrows()}
    kpis = {REGISTRY[k].label[lang] for k in HEADLINE}
    assert [c for c in table.columns if c in kpis] == [REGISTRY[k].label[lang] for k in expected]  # the KPIs split this way, in order
    for code, name in names.items():
        assert name in shown, (name, list(shown))
        for key in expected:
            metric = REGISTRY[key]
            value = expected[key].get(code)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                value = 0 if metric.kind in ("count", "money") else None
            assert shown[name][metric.label[lang]] == widgets.figure_text(metric, value, currency, lang), (name, key, value)


def _flt(crm: Crm, unit: str | None = None, preset: str = "qtd") -> Filters:
    return Filters(preset_period(preset, crm.as_of, load_settings().calendar), unit=unit)


def _pick(at: AppTest, code: str) -> None:
    pills = [p for p in at.pills if str(p.key).startswith("units_open_")]
    assert len(pills) == 1
    pills[0].set_value(code)
    _ok(_rerun(at))
    assert not at.error, [e.value for e in at.error]


def _crumbs(at: AppTest) -> list[str]:
    return [b.label for b in at.button if str(b.key).startswith("units_crumb_")]


def _office_with_teams(org: OrgTree, region: str) -> str:
    unit = org.by_code(region)
    assert unit is not None
    return next(o.code for o in org.children(unit.unit_id) if org.children(o.unit_id))


# --- The figures ----------------------------------------------------------------------------------


def test_the_units_page_shows_what_the_metrics_compute(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _open(demo_crm, monkeypatch)
    assert not at.error and not at.warning, [e.value for e in (*at.error, *at.warning)]
    flt = _flt(demo_crm)
    top = {u.code: u.name for u in demo_crm.org.compared_units(None)}
    table = _table(at)
    assert len(table) == len(top)
    _assert_rows(table, UNIT_COL, top, _grouped(demo_crm, flt, "unit"), demo_crm.currency)
    # The cards are the whole of what is compared, as computed by the metrics.
    shown = {m.label: m.value for m in at.metric}
    from ui import format as fmt

    for key, comp in _expected(demo_crm, DEFAULT_VIEWER, flt).items():
        metric = REGISTRY[key]
        assert shown[metric.label["en"]] == fmt.kpi_value(metric, comp.current.value, demo_crm.currency, "en")
    assert len(at.get("vega_lite_chart")) == len(HEADLINE)  # one small chart per KPI
    assert len(at.get("download_button")) == 2
    assert any(e.label == t("definitions.title", "en") for e in at.expander)
    assert "drill" not in at.query_params


def test_ranking_follows_the_chosen_kpi(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    region = _region(demo_crm.org)
    at = _open(demo_crm, monkeypatch, {"drill": region})
    expected = _grouped(demo_crm, _flt(demo_crm, region), "unit")
    code_of = {u.name: u.code for u in demo_crm.org.units}
    ordered = 0  # KPIs with at least two units to put in order
    for key in HEADLINE:
        at.selectbox(key="units_rank").set_value(key)
        _ok(_rerun(at))
        table = _table(at)
        values = [expected[key].get(code_of.get(name)) for name in table[UNIT_COL]]
        values = [0 if v is None and REGISTRY[key].kind in ("count", "money") else v for v in values]
        ranked = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
        ordered += len(ranked) >= 2
        # Best first (the lowest churn, the shortest cycle); the incomputable last.
        assert ranked == sorted(ranked, reverse=REGISTRY[key].better == "up"), key
        assert list(table[t("units.rank", "en")].dropna()) == list(range(1, len(ranked) + 1))
    assert ordered >= 5, ordered


# --- Drilling -------------------------------------------------------------------------------------


def test_drill_down_to_the_reps_and_back_up(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    org = demo_crm.org
    region = _region(org)
    cluster = org.path(region)[0]
    office = _office_with_teams(org, region)
    at = _open(demo_crm, monkeypatch)

    _pick(at, cluster.code)
    assert at.query_params["drill"] == cluster.code
    _pick(at, region)
    assert at.query_params["drill"] == region
    assert _crumbs(at) == [t("filters.all_units", "en"), cluster.name]
    children = {u.code: u.name for u in org.children(org.by_code(region).unit_id)}  # type: ignore[union-attr]
    _assert_rows(_table(at), UNIT_COL, children, _grouped(demo_crm, _flt(demo_crm, region), "unit"), demo_crm.currency)

    _pick(at, office)
    assert at.query_params["drill"] == office
    # The reps of the office: the metrics' rep grouping, by name.
    at.segmented_control(key="units_compare").set_value("rep")
    _ok(_rerun(at))
    assert at.query_params["compare"] == "rep"
    expected = _grouped(demo_crm, _flt(demo_crm, office), "rep")
    names = _rep_names(demo_crm)
    reps = {c: names[c] for values in expected.values() for c in values if c is not None}
    table = _table(at)
    assert reps and len(table) >= len(reps)
    _assert_rows(table, REP_COL, reps, expected, demo_crm.currency)
    # Customers, churn, retention and wallet belong to accounts, not reps: the page says they are not split.
    unsplit = [REGISTRY[k].label["en"] for k in HEADLINE if k not in expected]
    assert unsplit == ["New customers", "Logo churn", "Net revenue retention", "Share of wallet"]
    assert any(all(name in c.value for name in unsplit) for c in at.caption), [c.value for c in at.caption]
    assert not [p for p in at.pills if str(p.key).startswith("units_open_")]  # a rep is not drilled into

    # A team (a leaf): its reps; the demo books records at the office, so the page offers its reps.
    at.segmented_control(key="units_compare").set_value("unit")
    _ok(_rerun(at))
    team = org.children(org.by_code(office).unit_id)[0]  # type: ignore[union-attr]
    _pick(at, team.code)
    assert at.query_params["drill"] == team.code
    assert not any(s.key == "units_compare" for s in at.segmented_control)
    assert at.subheader[0].value == t("units.reps_of", "en", unit=team.name)
    team_reps = _grouped(demo_crm, _flt(demo_crm, team.code), "rep")
    if not any(team_reps.values()):
        assert t("units.no_reps", "en", unit=team.name) in [i.value for i in at.info]
        back = next(b for b in at.button if b.label == t("units.reps_of_parent", "en", unit=org.by_code(office).name))  # type: ignore[union-attr]
        back.click()
        _ok(_rerun(at))
        assert at.query_params["drill"] == office and at.query_params["compare"] == "rep"
        assert REP_COL in _table(at).columns

    # The breadcrumb goes back up: to the top.
    next(b for b in at.button if b.key == "units_crumb_0").click()
    _ok(_rerun(at))
    assert "drill" not in at.query_params
    assert _crumbs(at) == []
    assert len(_table(at)) == len(org.compared_units(None))


def test_changing_the_unit_filter_restarts_the_drill_inside_it(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    org = demo_crm.org
    region = _region(org)
    office = _office_with_teams(org, region)
    other = next(u.code for u in org.units if u.level == "region" and u.code != region)
    at = _open(demo_crm, monkeypatch, {"unit": region, "drill": office})
    assert at.query_params["drill"] == office
    assert _crumbs(at) == [org.by_code(region).name]  # type: ignore[union-attr]
    at.selectbox(key=filterbar.K_UNIT).set_value(other)
    _ok(_rerun(at))
    assert "drill" not in at.query_params
    children = {u.code: u.name for u in org.children(org.by_code(other).unit_id)}  # type: ignore[union-attr]
    _assert_rows(_table(at), UNIT_COL, children, _grouped(demo_crm, _flt(demo_crm, other), "unit"), demo_crm.currency)


# --- The drill path in the URL ---------------------------------------------------------------------


def test_a_link_restores_the_drill_path(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    org = demo_crm.org
    office = _office_with_teams(org, _region(org))
    at = _open(demo_crm, monkeypatch, {"period": "last_quarter", "drill": office})
    assert not at.warning, [w.value for w in at.warning]
    # In Chinese (the last run: AppTest formats the filter bar's options in English between runs).
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("units.title", "zh")
    path = org.path(office)
    assert _crumbs(at) == [t("filters.all_units", "zh"), *(u.name for u in path[:-1])]
    assert at.subheader[0].value == t("units.units_of", "zh", unit=path[-1].name)
    assert at.query_params["drill"] == office and at.query_params["period"] == "last_quarter"
    children = {u.code: u.name for u in org.children(path[-1].unit_id)}
    _assert_rows(_table(at), t("league.unit", "zh"), children, _grouped(demo_crm, _flt(demo_crm, office, "last_quarter"), "unit"), demo_crm.currency, "zh")


@pytest.mark.parametrize("where", ["outside", "above", "unknown"])
def test_a_tampered_drill_path_is_refused(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, where: str) -> None:
    org = demo_crm.org
    region = _region(org)
    inside = org.subtree_ids(region)
    tampered = {
        "outside": next(u.code for u in org.units if u.unit_id not in inside and u.level == "office"),
        "above": org.path(region)[0].code,
        "unknown": "NO-SUCH-UNIT",
    }[where]
    head = Viewer(user="head.east", role=Role.REGIONAL_HEAD, units=(region,))
    at = _open(demo_crm, monkeypatch, {"drill": tampered}, viewer=head)
    notice = "\n".join(w.value for w in at.warning)
    assert "drill" in notice and tampered not in notice
    assert "drill" not in at.query_params
    assert _crumbs(at) == []  # at the top of the viewer's scope: the region
    children = {u.code: u.name for u in org.children(org.by_code(region).unit_id)}  # type: ignore[union-attr]
    _assert_rows(_table(at), UNIT_COL, children, _grouped(demo_crm, _flt(demo_crm, region), "unit", head), demo_crm.currency)
    assert set(_table(at)[UNIT_COL]) <= {*children.values(), t("league.other", "en", unit=org.by_code(region).name)}  # type: ignore[union-attr]


def test_a_viewer_of_several_units_compares_exactly_those(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    """With no unit filter, a viewer limited to two regions sees those two — never their cluster,
    which holds units outside the viewer's scope."""
    org = demo_crm.org
    regions = [u for u in org.units if u.level == "region"][:2]
    viewer = Viewer(user="head.east", role=Role.REGIONAL_HEAD, units=tuple(u.code for u in regions))
    at = _open(demo_crm, monkeypatch, viewer=viewer)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state[filterbar.K_UNIT] == filterbar.ALL_UNITS
    expected: dict[str, dict[str | None, object]] = {}
    engine = make_engine(demo_crm.url)
    try:
        ctx = Context(engine, org, viewer, load_settings().calendar, demo_crm.currency, demo_crm.as_of)
        for key in HEADLINE:
            expected[key] = {u.code: evaluate(REGISTRY[key], ctx, _flt(demo_crm, u.code))["value"].iloc[0] for u in regions}
    finally:
        engine.dispose()
    table = _table(at)
    assert sorted(table[UNIT_COL]) == sorted(u.name for u in regions)
    _assert_rows(table, UNIT_COL, {u.code: u.name for u in regions}, expected, demo_crm.currency)
    # Opening one of them stays inside it.
    _pick(at, regions[1].code)
    assert at.query_params["drill"] == regions[1].code
    assert _crumbs(at) == [t("filters.all_units", "en")]


def test_the_page_file_alone_shows_only_the_guard(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    from tests.test_app import GUARD_MESSAGE, ROOT

    at = app_test(monkeypatch, demo_crm.url, script=str(ROOT / "pages" / "units.py")).run()  # signed in, but not through app.py
    _ok(at)
    assert not at.metric and not at.dataframe and not at.title
    assert [i.value for i in at.info] == [GUARD_MESSAGE]
