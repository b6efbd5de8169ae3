"""The Pipeline and forecast page through AppTest: it opens on every project grade, its cards and tables show what
metrics/pipeline.py computes for the same filters and grade, its controls live in the URL, the deals behind a bar, a
category and a loss reason are listed, "Projects you watch" lists the open deals of the viewer's own grade and above
in their scope (or says none is due, and how many are due later), a regional head sees only their region, and a CRM
without grades or stage history gets messages naming what is missing.

One app is opened per scenario and shared by the tests of that scenario (module-scoped): each open costs seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest

from data_layer import schema
from data_layer.access import DEMO_ENTITLEMENTS_FILE
from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer, preset_period
from metrics import pipeline
from metrics.base import Context, Grouping, compare
from metrics.registry import REGISTRY
from tests import pipeline_crm
from tests.apptest import capture_downloads, executive_only, open_app, read_csv
from tests.fixture_db import load_crm
from tests.tiny_crm import ORG
from tests.test_app import Crm, _describe, _ok, _rerun, demo_crm, tiny  # noqa: F401 - fixtures
from tests.test_pages import _NavigationMode
from ui import filterbar, widgets
from ui import format as fmt
from ui.i18n import display, t

EAST = Viewer(user="head.east", role=Role.REGIONAL_HEAD, units=("CN-E",))
#: tests/pipeline_crm.py's regional head: North (N-OFF and N-T1), signed in as the demo's head.north.
NORTH = Viewer(user="head.north", role=Role.REGIONAL_HEAD, units=("NORTH",))


@pytest.fixture(scope="module")
def patch() -> Iterator[pytest.MonkeyPatch]:
    """A module-wide monkeypatch, in navigation mode (see tests/test_pages.py)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app_test_module, "PagesManager", _NavigationMode)
        yield mp


def _open(patch: pytest.MonkeyPatch, crm: Crm, params: dict[str, str] | None = None, user: str = "ceo", entitlements: Path | None = None) -> AppTest:
    entitlements = entitlements or (DEMO_ENTITLEMENTS_FILE if crm.org.by_code("CN-E") else executive_only())
    at = open_app(patch, crm.url, user=user, params=params, page="pipeline", entitlements=entitlements)
    assert at.title[0].value in (t("pipe.title", "en"), t("pipe.title", "zh"))
    return at


@pytest.fixture(scope="module")
def every_grade(patch: pytest.MonkeyPatch, demo_crm: Crm) -> AppTest:  # noqa: F811
    """The page as the demo's executive opens it: every grade, by default."""
    return _open(patch, demo_crm)


def _ctx(crm: Crm, engine: object, viewer: Viewer = DEFAULT_VIEWER) -> Context:
    return Context(engine, crm.org, viewer, load_settings().calendar, crm.currency, crm.as_of)  # type: ignore[arg-type]


def _flt(crm: Crm, grade: str | None, unit: str | None = None) -> Filters:
    return Filters(preset_period("qtd", crm.as_of, load_settings().calendar), unit=unit, grade=grade)


def _table(at: AppTest, *columns: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert tables, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _watch(at: AppTest) -> object | None:
    """The "Projects you watch" section, None when the page has none."""
    try:
        return at.container("pipe_watch")
    except KeyError:
        return None


def _deal_tables(at: AppTest, lang: str = "en") -> list[pd.DataFrame]:
    """The lists of deals behind the figures, in page order ("Projects you watch" left out)."""
    watch = _watch(at)
    watched = [] if watch is None else list(watch.dataframe)  # type: ignore[attr-defined]
    return [d.value for d in at.dataframe if t("pipe.deal", lang) in d.value.columns and not any(d is w for w in watched)]


def _money(value: object, crm: Crm, lang: str = "en") -> str:
    return widgets.figure_value("money_compact", value, crm.currency, lang)


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected_cards(crm: Crm, viewer: Viewer, grade: str | None) -> dict[str, str]:
    engine = make_engine(crm.url)
    try:
        ctx = _ctx(crm, engine, viewer)
        flt = _flt(crm, grade, None)
        out = {}
        for key, f in (("weighted_pipeline", pipeline.forecast_period(ctx, flt)), ("forecast_accuracy", flt)):
            metric = REGISTRY[key]
            out[metric.label["en"]] = fmt.kpi_value(metric, compare(metric, ctx, f).current.value, crm.currency, "en")
        return out
    finally:
        engine.dispose()


# --- The figures ---------------------------------------------------------------------------------------------------


def test_the_cards_and_tables_show_what_the_metrics_compute(every_grade: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at, crm = every_grade, demo_crm
    assert not _errors(at) and not at.exception, _errors(at)
    # The executive opens on every grade, whatever their level watches; the default stays out of the link.
    assert at.selectbox(key="pipe_grade").value == filterbar.ALL_GRADES and "grade" not in at.query_params
    cards = _cards(at)
    for name, value in _expected_cards(crm, DEFAULT_VIEWER, None).items():
        assert cards[name] == value, name
    engine = make_engine(crm.url)
    try:
        ctx = _ctx(crm, engine)
        flt = _flt(crm, None)
        ahead = pipeline.forecast_period(ctx, flt)
        assert ahead.period.end > crm.as_of  # the quarter to date is read to its end
        totals = pipeline.weighted_pipeline(ctx, ahead, None, "unit")
        months = pipeline.weighted_pipeline(ctx, ahead, "month", "unit")
        cats = pipeline.forecast_categories(ctx, ahead)
        projection = pipeline.period_end_projection(ctx, ahead)
        by_unit = pipeline.period_end_projection(ctx, ahead, Grouping("unit"))
        accuracy = pipeline.forecast_accuracy(ctx, widgets.monthly_window(flt), "month")
        lost = pipeline.losses(ctx, flt, "loss_reason", "unit")
        rivals = pipeline.competitors(ctx, flt, "unit")
    finally:
        engine.dispose()
    # Weighted pipeline: a row per unit, its totals and its weighted amount per expected close month.
    table = _table(at, t("pipe.by.unit", "en"), t("pipe.deals", "en"), t("pipe.weighted", "en"))
    assert totals["deals"].sum() > 0
    shown = {r[t("pipe.by.unit", "en")]: r for r in table.to_dict("records")}
    for r in totals.to_dict("records"):
        row = shown[widgets.unit_name(crm.org, r["group"], "en")]
        assert row[t("pipe.deals", "en")] == fmt.number(r["deals"], "en")
        assert row[t("pipe.amount", "en")] == _money(r["amount"], crm)
        assert row[t("pipe.weighted", "en")] == _money(r["weighted"], crm)
        for m in months[months["group"] == r["group"]].to_dict("records"):
            assert row[fmt.month(m["close_month"], "en")] == _money(m["weighted"], crm)
    # Forecast categories, in order.
    table = _table(at, t("pipe.category", "en"))
    assert list(table[t("pipe.category", "en")]) == [t(f"pipe.cat.{c}", "en") for c in cats["category"]]
    assert list(table[t("pipe.weighted", "en")]) == [_money(v, crm) for v in cats["weighted"]]
    assert list(table[t("pipe.deals", "en")]) == [fmt.number(v, "en") for v in cats["deals"]]
    # The projection: the incentive views' function, whole and per unit.
    row = projection.iloc[0]
    for key, column in (("pipe.closed_to_date", "closed"), ("pipe.weighted_open", "weighted_open"), ("pipe.projected", "projected")):
        assert _cards(at)[t(key, "en")] == fmt.money(row[column], crm.currency, "en", compact=True)
    # Every grade: the projection's open deals are the weighted pipeline's (the same deals, as they stood).
    assert _cards(at)[t("pipe.weighted_open", "en")] == _cards(at)[REGISTRY["weighted_pipeline"].label["en"]]
    table = _table(at, t("pipe.projected", "en"), t("pipe.by.unit", "en"))
    assert sorted(table[t("pipe.projected", "en")]) == sorted(_money(v, crm) for v in by_unit["projected"])
    # Forecast accuracy per month over the 12 months to the period's end.
    table = _table(at, t("pipe.period", "en"), t("pipe.forecast", "en"))
    assert len(table) == len(accuracy) == 12
    assert list(table[t("pipe.forecast", "en")]) == [_money(v, crm) for v in accuracy["forecast"]]
    assert list(table[t("pipe.actual", "en")]) == [_money(v, crm) for v in accuracy["actual"]]
    assert list(table[REGISTRY["forecast_accuracy"].label["en"]]) == [fmt.percent(None if pd.isna(v) else v, "en") for v in accuracy["accuracy"]]
    # Win/loss per unit.
    table = _table(at, t("pipe.loss_reason", "en"), t("pipe.lost", "en"))
    assert list(table[t("pipe.lost", "en")]) == [fmt.number(v, "en") for v in lost["lost"]]
    assert list(table[t("pipe.lost_amount", "en")]) == [_money(v, crm) for v in lost["lost_amount"]]
    table = _table(at, t("pipe.competitor", "en"), t("pipe.win_rate_against", "en"))
    assert list(table[t("pipe.competitor", "en")]) == list(rivals["competitor"])
    assert list(table[t("pipe.win_rate_against", "en")]) == [fmt.percent(v, "en") for v in rivals["win_rate"]]
    # Every table downloads (CSV and Excel), and the definitions close the page.
    # Nine tables (the pipeline by close, its bar's deals, the categories, a category's deals, the projection per unit,
    # accuracy, loss reasons, competitors, a pick's deals) and the watch list when it lists any, a CSV and an Excel each.
    watch = _watch(at)
    assert watch is not None
    assert len(at.get("download_button")) == 2 * (9 + len(watch.dataframe))  # type: ignore[attr-defined]
    assert any(e.label == t("definitions.title", "en") for e in at.expander)


def test_the_deals_behind_a_bar_a_category_and_a_loss_reason(every_grade: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at, crm = every_grade, demo_crm
    engine = make_engine(crm.url)
    try:
        ctx = _ctx(crm, engine)
        flt = _flt(crm, None)
        ahead = pipeline.forecast_period(ctx, flt)
        months = pipeline.weighted_pipeline(ctx, ahead, "month", "unit")
        cell = months.sort_values("deals").iloc[-1]  # the busiest bar
        expected, total = pipeline.pipeline_records(ctx, ahead, when="month", bucket=cell["close_month"], by="unit", group=cell["group"])
        best, best_total = pipeline.pipeline_records(ctx, ahead, category="best_case")
        reasons = pipeline.losses(ctx, flt)
        reason = reasons.sort_values("lost").iloc[0]["loss_reason"]
        lost, lost_total = pipeline.closed_records(ctx, flt, "lost", loss_reason=reason)
    finally:
        engine.dispose()
    deal = t("pipe.deal", "en")
    # A bar: its month and its unit.
    at.selectbox(key="pipe_drill_bucket").set_value(cell["close_month"].isoformat())
    at.selectbox(key="pipe_drill_group").set_value(cell["group"])
    at.selectbox(key="pipe_drill_category").set_value("best_case")
    _ok(_rerun(at))
    assert total == cell["deals"] > 0
    # Each pick is in the link, so a copied link lists the same deals.
    assert at.query_params[filterbar.P_PIPE_BUCKET] == cell["close_month"].isoformat()
    assert at.query_params[filterbar.P_PIPE_GROUP] == cell["group"]
    assert at.query_params[filterbar.P_PIPE_CATEGORY] == "best_case"
    records = _deal_tables(at)
    assert len(records[0]) == min(total, 200) and list(records[0][deal]) == list(expected["deal"])
    assert [None if pd.isna(v) else v for v in records[0][t("pipe.weighted", "en")]] == [None if v is None else float(v) for v in expected["weighted"]]
    # A category: best case, its deals and their count in the choice.
    assert best_total > 0 and list(records[1][deal]) == list(best["deal"])
    box = at.selectbox(key="pipe_drill_category")
    assert box.options[box.index] == f"{t('pipe.cat.best_case', 'en')} · {fmt.number(best_total, 'en')}"
    # A loss reason: the lost deals, with their count in the choice.
    code = f"reason:{pipeline.pick_code(reason)}"
    at.selectbox(key="pipe_drill_winloss").set_value(code)
    _ok(_rerun(at))
    assert at.query_params[filterbar.P_PIPE_WINLOSS] == code
    name = t("pipe.no_reason", "en") if reason is None else t(f"pipe.reason.{reason}", "en")
    pick = at.selectbox(key="pipe_drill_winloss")
    # The count in the choice is the number of deals listed, and the number the loss reason's figure counts.
    assert lost_total == int(reasons[reasons["loss_reason"].map(pipeline.pick_code) == pipeline.pick_code(reason)]["lost"].iloc[0]) > 0
    assert pick.options[pick.index] == f"{name} · {fmt.number(lost_total, 'en')}"
    records = _deal_tables(at)
    assert len(records[-1]) == min(lost_total, 200) and list(records[-1][deal]) == list(lost["deal"])[:200]
    assert set(records[-1][t("pipe.status", "en")]) == {t("pipe.status.lost", "en")}


# --- The controls in the URL ------------------------------------------------------------------------------------------


def test_a_link_restores_the_controls(patch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    params = {"grade": "region", "close": "week", "pipe_by": "product", "accuracy": "quarter", "loss_by": "product"}
    at = _open(patch, demo_crm, params)
    assert not _errors(at) and not at.warning, [*_errors(at), *(w.value for w in at.warning)]
    assert at.selectbox(key="pipe_grade").value == "region"
    for key, value in (("pipe_close", "week"), ("pipe_by", "product"), ("pipe_accuracy", "quarter"), ("pipe_loss_by", "product")):
        assert at.segmented_control(key=key).value == value, key
    for name, value in params.items():
        assert at.query_params[name] == value, name
    # The tables follow: split by product, per quarter.
    engine = make_engine(demo_crm.url)
    try:
        ctx = _ctx(demo_crm, engine)
        flt = _flt(demo_crm, "region")
        products = pipeline.weighted_pipeline(ctx, pipeline.forecast_period(ctx, flt), None, "product")
        quarters = pipeline.forecast_accuracy(ctx, widgets.cohort_window(flt, ctx.calendar), "quarter")
    finally:
        engine.dispose()
    table = _table(at, t("pipe.by.product", "en"), t("pipe.weighted", "en"))
    assert len(table) == len(products) and list(table[t("pipe.deals", "en")]) == [fmt.number(v, "en") for v in products.sort_values(
        "weighted", ascending=False, kind="stable")["deals"]]
    assert list(_table(at, t("pipe.period", "en"))[t("pipe.forecast", "en")]) == [_money(v, demo_crm) for v in quarters["forecast"]]
    # More products than the palette has colours: the bars show the whole, and say the table splits it.
    too_many = fmt.md_escape(t("pipe.too_many_groups", "en", n=fmt.number(len(products), "en"), by=t("pipe.by.product", "en").lower()))
    assert (too_many in [c.value for c in at.caption]) == (len(products) > 10)
    # Back to a default (every grade too): it leaves the URL; the other choices stay in it.
    at.segmented_control(key="pipe_close").set_value("month")
    at.selectbox(key="pipe_grade").set_value(filterbar.ALL_GRADES)
    _ok(_rerun(at))
    assert "close" not in at.query_params and "grade" not in at.query_params
    assert at.query_params["pipe_by"] == "product"
    # In Chinese (the last run: AppTest formats the filter bar's options in English between runs).
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("pipe.title", "zh") and not _errors(at)
    assert t("pipe.by.product", "zh") in _table(at, t("pipe.deals", "zh"), t("pipe.weighted", "zh")).columns
    assert t("pipe.cat.commit", "zh") in list(_table(at, t("pipe.category", "zh"))[t("pipe.category", "zh")])
    assert at.query_params["lang"] == "zh" and "grade" not in at.query_params
    assert _watch(at) is not None and _watch(at).subheader[0].value == t("pipe.watch", "zh")  # type: ignore[union-attr]


def test_a_grade_the_crm_does_not_have_falls_back_to_every_grade(patch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = _open(patch, demo_crm, {"grade": "galaxy"})
    assert not _errors(at)
    assert [w.value for w in at.warning] == [t("url.ignored", "en", items=t("url.bad_value", "en", param="grade"))]
    assert at.selectbox(key="pipe_grade").value == filterbar.ALL_GRADES
    _ok(_rerun(at))
    assert "grade" not in at.query_params and not at.warning


def test_a_link_restores_the_drill_picks_in_chinese_and_the_csv_is_the_table(
    patch: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm  # noqa: F811
) -> None:
    engine = make_engine(demo_crm.url)
    try:
        ctx, flt = _ctx(demo_crm, engine), _flt(demo_crm, None)
        ahead = pipeline.forecast_period(ctx, flt)
        weeks = pipeline.weighted_pipeline(ctx, ahead, "week", "product")
        cell = weeks.sort_values("deals", kind="stable").iloc[-1]  # the busiest bar
        expected, total = pipeline.pipeline_records(ctx, ahead, when="week", bucket=cell["close_week"], by="product", group=cell["group"])
        rivals = pipeline.competitors(ctx, flt)
        rival = rivals.iloc[0]
        closed, closed_total = pipeline.closed_records(ctx, flt, "closed", competitor=rival["competitor"])
        pipeline_deals, pipeline_total = pipeline.pipeline_records(ctx, ahead, category="pipeline")
    finally:
        engine.dispose()
    assert total == cell["deals"] > 0 and closed_total == int(rival["won"]) + int(rival["lost"]) > 0
    params = {"close": "week", "pipe_by": "product", "pipe_bucket": cell["close_week"].isoformat(),
              "pipe_group": pipeline.pick_code(cell["group"]), "pipe_category": "pipeline",
              "pipe_winloss": f"competitor:{rival['competitor']}"}
    # The link restores every pick, and lists the same deals.
    at = _open(patch, demo_crm, params)
    assert not _errors(at) and not at.warning, [*_errors(at), *(w.value for w in at.warning)]
    assert at.selectbox(key="pipe_drill_bucket").value == params["pipe_bucket"]
    assert at.selectbox(key="pipe_drill_group").value == params["pipe_group"]
    assert at.selectbox(key="pipe_drill_category").value == "pipeline"
    assert at.selectbox(key="pipe_drill_winloss").value == params["pipe_winloss"]
    for name, value in params.items():
        assert at.query_params[name] == value, name
    listed = _deal_tables(at)
    assert [list(r[t("pipe.deal", "en")]) for r in listed] == [list(f["deal"])[:200] for f in (expected, pipeline_deals, closed)]
    # In Chinese (the last run: AppTest formats the filter bar's options in English between runs).
    files = capture_downloads(monkeypatch)
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("pipe.title", "zh") and not _errors(at)
    deal, records = t("pipe.deal", "zh"), _deal_tables(at, "zh")
    # The bar's deals, in Chinese; the competitor's won and lost deals, their count in the choice.
    assert len(records) == 3
    assert list(records[0][deal]) == list(expected["deal"])[:200] and len(records[0]) == min(total, 200)
    assert list(records[0][t("records.stage", "zh")]) == [display("pipeline", str(s), "zh") for s in expected["stage"][:200]]
    assert list(records[1][deal]) == list(pipeline_deals["deal"])[:200] and len(records[1]) == min(pipeline_total, 200)
    pick = at.selectbox(key="pipe_drill_winloss")
    assert pick.options[pick.index] == t("pipe.pick_label", "zh", name=t("pipe.against", "zh", competitor=rival["competitor"]),
                                         n=fmt.number(closed_total, "zh"))
    assert list(records[2][deal]) == list(closed["deal"])[:200] and len(records[2]) == min(closed_total, 200)
    assert set(records[2][t("pipe.status", "zh")]) <= {t("pipe.status.won", "zh"), t("pipe.status.lost", "zh")}
    # Each download's CSV is the table shown: the deals row for row, the weighted pipeline as numbers.
    for key, shown in (("pipe_records_close", records[0]), ("pipe_records_winloss", records[2])):
        sent = read_csv(files[f"{key}_csv"])
        assert list(sent.columns) == list(shown.columns) and len(sent) == len(shown), key
        assert list(sent[deal].fillna("")) == list(shown[deal]), key
        assert list(sent[t("table.unit", "zh")].fillna("")) == list(shown[t("table.unit", "zh")]), key
    shown = _table(at, t("pipe.by.product", "zh"), t("pipe.weighted", "zh"))
    sent = read_csv(files["pipe_by_close_csv"])
    money = lambda c: c not in (t("pipe.by.product", "zh"), t("pipe.deals", "zh"))  # noqa: E731
    assert list(sent.columns) == [f"{c} ({demo_crm.currency})" if money(c) else c for c in shown.columns]
    for (_, seen), (_, got) in zip(shown.iterrows(), sent.iterrows(), strict=True):
        assert seen[t("pipe.by.product", "zh")] == got[t("pipe.by.product", "zh")]
        assert seen[t("pipe.deals", "zh")] == fmt.number(int(got[t("pipe.deals", "zh")]), "zh")
        for c in shown.columns[2:]:
            value = got[f"{c} ({demo_crm.currency})"]
            assert seen[c] == _money(None if pd.isna(value) else value, demo_crm, "zh"), c


def test_the_drill_picks_a_link_may_hold() -> None:
    choices = filterbar.Choices(units=())
    good = {"pipe_bucket": ["2025-10-06"], "pipe_group": ["~"], "pipe_category": ["commit"], "pipe_winloss": ["competitor:Acme 安科"]}
    assert filterbar.parse_page(good, choices) == ({k: v[0] for k, v in good.items()}, [])
    # The defaults stay out of the page state (and so out of the link).
    assert filterbar.parse_page({"pipe_bucket": ["all"], "pipe_group": ["*"]}, choices) == ({}, [])
    bad = {"pipe_bucket": ["last week"], "pipe_group": ["<script>"], "pipe_category": ["lost"], "pipe_winloss": ["rival:Acme"]}
    state, notices = filterbar.parse_page(bad, choices)
    assert state == {} and notices == [("url.bad_value", {"param": name}) for name in bad]
    assert filterbar.parse_page({"pipe_winloss": ["reason:"]}, choices)[1] == [("url.bad_value", {"param": "pipe_winloss"})]


def test_a_drill_pick_the_page_does_not_offer_is_refused(patch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    params = {"pipe_category": "lost", "pipe_group": "NO-SUCH-UNIT", "pipe_winloss": "competitor:Nobody at all"}
    at = _open(patch, demo_crm, params)
    assert not _errors(at)
    # A value no link may hold is refused as the link is read; a well-formed one the page does not offer, as it is shown.
    warned = " ".join(w.value for w in at.warning)
    for name in params:
        assert t("url.bad_value", "en", param=name) in warned, name
    assert at.selectbox(key="pipe_drill_group").value == pipeline.ANY
    assert at.selectbox(key="pipe_drill_category").value in pipeline.CATEGORIES
    assert at.selectbox(key="pipe_drill_winloss").value.startswith("reason:")
    _ok(_rerun(at))  # the page's own refusals are said once (the app repeats the link's notice until the link changes)
    assert not any(name in w.value for w in at.warning for name in ("pipe_group", "pipe_winloss")), [w.value for w in at.warning]
    assert "pipe_group" not in at.query_params
    assert at.query_params["pipe_winloss"] != params["pipe_winloss"] and at.query_params["pipe_category"] != "lost"


# --- Each level its own grade, and only its own scope --------------------------------------------------------------


def _later(flt: Filters) -> Filters:
    """The filters' open deals with an expected close after their period: any later day."""
    return flt.with_period(Period(flt.period.end + timedelta(days=1), date.max))


def _expected_watch(crm: Crm, viewer: Viewer, grade: str, unit: str | None = None) -> tuple[pd.DataFrame, int, int, Filters]:
    """The open deals of ``grade`` and above the page should list for ``viewer`` (records, how many, how many more have a
    later expected close, the filters), each count checked against the weighted pipeline split by grade."""
    engine = make_engine(crm.url)
    try:
        ctx = _ctx(crm, engine, viewer)
        ahead = pipeline.forecast_period(ctx, _flt(crm, None, unit))
        watched = pipeline.watched_grades(ctx, grade)
        records, total = pipeline.pipeline_records(ctx, ahead, grade=grade)
        later = pipeline.pipeline_records(ctx, _later(ahead), grade=grade, limit=1)[1]
        for f, n in ((ahead, total), (_later(ahead), later)):  # the same count another way: the pipeline's deals per grade
            per_grade = pipeline.weighted_pipeline(ctx, f, None, "grade")
            assert int(per_grade[per_grade["group"].isin(watched)]["deals"].sum()) == n
    finally:
        engine.dispose()
    return records, total, later, ahead


def _none_message(crm: Crm, grade: str, later: int, ahead: Filters, lang: str = "en") -> str:
    grades = t(f"pipe.projects.{grade}", lang)
    key = "pipe.watch_none" if not later else "pipe.watch_none_later_one" if later == 1 else "pipe.watch_none_later"
    text = t(key, lang, grades=grades.lower() if lang == "en" else grades, day=fmt.day(crm.as_of, lang),
             period=fmt.date_range(ahead.period.start, ahead.period.end, lang), n=fmt.number(later, lang))
    return fmt.md_escape(text)


def _check_watch_list(at: AppTest, crm: Crm, grade: str, records: pd.DataFrame, total: int, ahead: Filters) -> pd.DataFrame:
    """The watch section lists ``records`` (at most 200 of ``total``) with their values then, and names the grade."""
    watch = _watch(at)
    assert watch is not None and watch.subheader[0].value == t("pipe.watch", "en")  # type: ignore[attr-defined]
    caption = t("pipe.watch_caption", "en", grades=t(f"pipe.projects.{grade}", "en"), day=fmt.day(crm.as_of, "en"),
                period=fmt.date_range(ahead.period.start, ahead.period.end, "en"), n=fmt.number(total, "en"))
    assert fmt.md_escape(caption) in [c.value for c in watch.caption]  # type: ignore[attr-defined]
    assert not watch.info  # type: ignore[attr-defined]
    table = watch.dataframe[0].value  # type: ignore[attr-defined]
    assert list(table.columns) == [t(k, "en") for k in ("pipe.deal", "pipe.weighted", "pipe.probability", "pipe.amount", "records.stage",
                                                        "pipe.expected_close", "pipe.owner", "table.unit")]
    assert list(table[t("pipe.deal", "en")]) == list(records["deal"])[:200]
    money = lambda vs: [None if v is None else float(v) for v in vs]  # noqa: E731
    assert [None if pd.isna(v) else v for v in table[t("pipe.weighted", "en")]] == money(records["weighted"])
    assert [None if pd.isna(v) else v for v in table[t("pipe.amount", "en")]] == money(records["amount"])
    assert [None if pd.isna(v) else v for v in table[t("pipe.probability", "en")]] == [None if v is None or pd.isna(v) else v for v in records["probability"]]
    assert list(table[t("records.stage", "en")]) == [display("pipeline", str(s), "en") for s in records["stage"]]
    assert [d.date() for d in table[t("pipe.expected_close", "en")]] == list(records["expected_close"])
    assert list(table[t("pipe.owner", "en")]) == ["" if v is None else v for v in records["owner"]]
    assert list(table[t("table.unit", "en")]) == [widgets.unit_name(crm.org, u, "en") for u in records["unit"]]
    weighted = [v for v in table[t("pipe.weighted", "en")] if not pd.isna(v)]
    assert weighted == sorted(weighted, reverse=True)  # the largest weighted amount first
    assert len(watch.get("download_button")) == 2  # type: ignore[attr-defined]
    return table


def test_the_executive_opens_on_every_grade_and_watches_company_grade(patch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = _open(patch, demo_crm)
    assert not _errors(at)
    assert at.selectbox(key="pipe_grade").value == filterbar.ALL_GRADES
    cards = _cards(at)
    for name, value in _expected_cards(demo_crm, DEFAULT_VIEWER, None).items():
        assert cards[name] == value, name
    assert _table(at, t("pipe.by.unit", "en"), t("pipe.weighted", "en")) is not None  # every grade: the demo's pipeline shows
    # Their watch list: company-level projects. None is due this quarter on the demo: said, with how many are due later.
    records, total, later, ahead = _expected_watch(demo_crm, DEFAULT_VIEWER, "company")
    watch = _watch(at)
    assert watch is not None and watch.subheader[0].value == t("pipe.watch", "en")  # type: ignore[attr-defined]
    assert total == 0 and records.empty
    assert [i.value for i in watch.info] == [_none_message(demo_crm, "company", later, ahead)]  # type: ignore[attr-defined]
    assert not watch.dataframe  # type: ignore[attr-defined]
    # Narrowed to company grade and above, the figures say nothing that big is expected and offer every grade again.
    at.selectbox(key="pipe_grade").set_value("company")
    _ok(_rerun(at))
    assert at.query_params["grade"] == "company"
    for name, value in _expected_cards(demo_crm, DEFAULT_VIEWER, "company").items():
        assert _cards(at)[name] == value, name
    grade = t("pipe.grade_and_above", "en", grade=t("pipe.grade.company", "en")).lower()
    expected = t("pipe.no_open", "en", grade=t("pipe.of_grade", "en", grade=grade), period=fmt.date_range(ahead.period.start, ahead.period.end, "en"))
    assert fmt.md_escape(expected) in [i.value for i in at.info]
    assert _table(at, t("pipe.projected", "en")) is not None  # the projection counts every grade
    next(b for b in at.button if b.key == "pipe_widen").click()
    _ok(_rerun(at))
    assert at.selectbox(key="pipe_grade").value == filterbar.ALL_GRADES and "grade" not in at.query_params
    assert fmt.md_escape(expected) not in [i.value for i in at.info]


def test_a_regional_head_sees_only_their_region(patch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = _open(patch, demo_crm, user=EAST.user)
    assert not _errors(at)
    assert at.selectbox(key="pipe_grade").value == filterbar.ALL_GRADES  # every grade, as for everyone
    cards = _cards(at)
    theirs, company = _expected_cards(demo_crm, EAST, None), _expected_cards(demo_crm, DEFAULT_VIEWER, None)
    for name, value in theirs.items():
        assert cards[name] == value, name
    pipeline_label = REGISTRY["weighted_pipeline"].label["en"]
    assert theirs[pipeline_label] != company[pipeline_label]
    # Their units only: the split lists East China's offices, and every listed deal is theirs.
    assert at.session_state[filterbar.K_UNIT] == "CN-E"
    engine = make_engine(demo_crm.url)
    try:
        ctx = _ctx(demo_crm, engine, EAST)
        ahead = pipeline.forecast_period(ctx, _flt(demo_crm, None, unit="CN-E"))  # the filter bar starts at their region
        totals = pipeline.weighted_pipeline(ctx, ahead, None, "unit")
    finally:
        engine.dispose()
    table = _table(at, t("pipe.by.unit", "en"), t("pipe.deals", "en"), t("pipe.weighted", "en"))
    assert sorted(table[t("pipe.by.unit", "en")]) == sorted(widgets.unit_name(demo_crm.org, g, "en") for g in totals["group"])
    inside = {u.name for u in demo_crm.org.units if u.unit_id in demo_crm.org.subtree_ids("CN-E")}
    records = [d.value for d in at.dataframe if t("pipe.deal", "en") in d.value.columns]
    assert records and all(set(r[t("table.unit", "en")]) <= inside for r in records)
    # They watch region-level projects and above, in East China only.
    watched, total, _, ahead = _expected_watch(demo_crm, EAST, "region", unit="CN-E")
    everyone, _, _, _ = _expected_watch(demo_crm, DEFAULT_VIEWER, "region")
    assert 0 < total < len(everyone)
    table = _check_watch_list(at, demo_crm, "region", watched, total, ahead)
    assert set(table[t("table.unit", "en")]) <= inside
    # In Chinese: the section's title and caption name the grade in Chinese.
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    watch = _watch(at)
    assert watch is not None and watch.subheader[0].value == t("pipe.watch", "zh")  # type: ignore[attr-defined]
    assert any(t("pipe.projects.region", "zh") in c.value for c in watch.caption)  # type: ignore[attr-defined]


# --- Projects you watch on a CRM worked out by hand ------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Crm:
    """tests/pipeline_crm.py, whose grades and open deals are worked out by hand."""
    path = tmp_path_factory.mktemp("graded") / "crm.duckdb"
    writer = create_engine(f"duckdb:///{path}")
    pipeline_crm.load(writer)
    writer.dispose()
    return _describe(f"duckdb:///{path}")


@pytest.fixture(scope="module")
def north_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Entitlements for tests/pipeline_crm.py: the executive, and the demo's head.north as head of North."""
    path = tmp_path_factory.mktemp("graded-access") / "entitlements.toml"
    path.write_text('[users."ceo"]\nrole = "executive"\n\n[users."head.north"]\nrole = "regional_head"\nunits = ["NORTH"]\n', encoding="utf-8")
    return path


def test_the_watch_list_is_the_viewers_grade_and_above(patch: pytest.MonkeyPatch, graded: Crm, north_head: Path) -> None:
    at = _open(patch, graded, entitlements=north_head)
    assert not at.exception and not _errors(at), _errors(at)
    records, total, _, ahead = _expected_watch(graded, DEFAULT_VIEWER, "company")
    assert total > 0  # O5, the company-level deal expected to close this quarter
    _check_watch_list(at, graded, "company", records, total, ahead)
    # The grade control does not change it.
    at.selectbox(key="pipe_grade").set_value("office")
    _ok(_rerun(at))
    _check_watch_list(at, graded, "company", records, total, ahead)


def test_a_regional_head_watches_region_grade_and_above_in_their_region(patch: pytest.MonkeyPatch, graded: Crm, north_head: Path) -> None:
    at = _open(patch, graded, user=NORTH.user, entitlements=north_head)
    assert not at.exception and not _errors(at), _errors(at)
    records, total, _, ahead = _expected_watch(graded, NORTH, "region", unit="NORTH")
    everyone, _, _, _ = _expected_watch(graded, DEFAULT_VIEWER, "region")
    assert list(records["opportunity_id"]) == [6] and len(everyone) > total  # North's O6, not the South's company-level O5
    table = _check_watch_list(at, graded, "region", records, total, ahead)
    inside = {u.name for u in graded.org.units if u.unit_id in graded.org.subtree_ids("NORTH")}
    assert set(table[t("table.unit", "en")]) <= inside


def test_no_watched_project_due_says_how_many_are_due_later(patch: pytest.MonkeyPatch, graded: Crm, north_head: Path) -> None:
    at = _open(patch, graded, {"period": "last_month"}, user=NORTH.user, entitlements=north_head)
    assert not at.exception and not _errors(at), _errors(at)
    engine = make_engine(graded.url)
    try:
        ctx = _ctx(graded, engine, NORTH)
        last_month = Filters(preset_period("last_month", graded.as_of, load_settings().calendar), unit="NORTH")
        ahead = pipeline.forecast_period(ctx, last_month)  # a past month is read as it is
        total = pipeline.pipeline_records(ctx, ahead, grade="region")[1]
        later = pipeline.pipeline_records(ctx, _later(ahead), grade="region")[0]
    finally:
        engine.dispose()
    assert ahead == last_month and total == 0 and sorted(later["opportunity_id"]) == [6, 10]  # O6 and O10: due after the month
    watch = _watch(at)
    assert watch is not None and [i.value for i in watch.info] == [_none_message(graded, "region", 2, ahead)]  # type: ignore[attr-defined]
    assert not watch.dataframe  # type: ignore[attr-defined]
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert [i.value for i in _watch(at).info] == [_none_message(graded, "region", 2, ahead, "zh")]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def ungraded_level(tmp_path_factory: pytest.TempPathFactory) -> Crm:
    """tests/pipeline_crm.py with North an "area", a level no project grade belongs to."""
    path = tmp_path_factory.mktemp("ungraded-level") / "crm.duckdb"
    writer = create_engine(f"duckdb:///{path}")
    org = [dict(u, level="area") if u["code"] == "NORTH" else u for u in ORG]
    load_crm(writer, [(table, org if table is schema.org_unit else data) for table, data in pipeline_tables()])
    writer.dispose()
    return _describe(f"duckdb:///{path}")


def test_a_level_without_a_grade_gets_a_note_not_a_list(patch: pytest.MonkeyPatch, ungraded_level: Crm, north_head: Path) -> None:
    at = _open(patch, ungraded_level, user=NORTH.user, entitlements=north_head)
    assert not at.exception and not _errors(at), _errors(at)
    assert _watch(at) is None
    assert fmt.md_escape(t("pipe.watch_no_grade", "en")) in [c.value for c in at.caption]
    assert at.selectbox(key="pipe_grade").value == filterbar.ALL_GRADES
    assert _table(at, t("pipe.by.unit", "en"), t("pipe.weighted", "en")) is not None  # the figures still show


# --- A CRM with no grades, or no stage history ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def no_history(tmp_path_factory: pytest.TempPathFactory) -> Crm:
    """tests/pipeline_crm.py without its stage history: every open deal's values at any day are unknown."""
    path = tmp_path_factory.mktemp("no-history") / "crm.duckdb"
    writer = create_engine(f"duckdb:///{path}")
    rows = {schema.opportunity_stage_history: []}
    load_crm(writer, [(table, rows.get(table, data)) for table, data in pipeline_tables()])
    writer.dispose()
    return _describe(f"duckdb:///{path}")


def pipeline_tables() -> list:
    c = pipeline_crm
    return [(schema.org_unit, c.ORG), (schema.business_unit, c.BUS), (schema.product, c.PRODUCTS), (schema.rep, c.REPS),
            (schema.project_grade, c.GRADES), (schema.account, c.ACCOUNTS), (schema.exchange_rate, c.RATES),
            (schema.opportunity, c.OPPORTUNITIES), (schema.opportunity_stage_history, c.HISTORY), (schema.sales_order, c.ORDERS)]


def test_deals_without_stage_history_are_named(patch: pytest.MonkeyPatch, no_history: Crm) -> None:
    at = _open(patch, no_history, {"grade": "all"})
    assert not at.exception and not _errors(at), _errors(at)
    engine = make_engine(no_history.url)
    try:
        ctx = _ctx(no_history, engine)
        ahead = pipeline.forecast_period(ctx, _flt(no_history, None))
        whole = pipeline.weighted_pipeline(ctx, ahead).iloc[0]
    finally:
        engine.dispose()
    assert whole["deals"] == 0 and whole["no_history_deals"] > 0
    captions, infos = [c.value for c in at.caption], [i.value for i in at.info]
    assert fmt.md_escape(t("pipe.no_history", "en", n=fmt.number(int(whole["no_history_deals"]), "en"))) in captions
    period = fmt.date_range(ahead.period.start, ahead.period.end, "en")
    assert fmt.md_escape(t("pipe.no_open", "en", grade="", period=period)) in infos
    assert not [b for b in at.button if str(b.key).startswith("pipe_widen")]  # every grade already
    # Win/loss reads the closed deals, which need no history: it still shows.
    assert _table(at, t("pipe.loss_reason", "en"), t("pipe.lost", "en")) is not None


def test_a_crm_without_grades_shows_every_deal(patch: pytest.MonkeyPatch, tiny: Crm) -> None:  # noqa: F811
    at = _open(patch, tiny)
    assert not at.exception and not _errors(at), _errors(at)
    assert at.selectbox(key="pipe_grade").options == [t("pipe.grade_all", "en")]  # no grade in this CRM: every deal
    assert "grade" not in at.query_params
    assert _watch(at) is None and fmt.md_escape(t("pipe.watch_no_grade", "en")) not in [c.value for c in at.caption]  # nothing graded to watch
    engine = make_engine(tiny.url)
    try:
        ctx = _ctx(tiny, engine)
        ahead = pipeline.forecast_period(ctx, _flt(tiny, None))
        nothing_open = not pipeline.weighted_pipeline(ctx, ahead)["deals"].any()
        nothing_lost = pipeline.losses(ctx, _flt(tiny, None)).empty
    finally:
        engine.dispose()
    infos = [i.value for i in at.info]
    assert nothing_open and nothing_lost  # tiny_crm's quarter: the messages name what is missing
    assert fmt.md_escape(t("pipe.no_open", "en", grade="", period=fmt.date_range(ahead.period.start, ahead.period.end, "en"))) in infos
    assert fmt.md_escape(t("pipe.no_losses", "en", grade="")) in infos
    # The rest of the page still renders: the projection, accuracy and win/loss sections, and the definitions.
    assert {s.value for s in at.subheader} >= {t(k, "en") for k in ("pipe.by_close", "pipe.categories", "pipe.projection", "pipe.accuracy", "pipe.winloss")}
    assert any(e.label == t("definitions.title", "en") for e in at.expander)
