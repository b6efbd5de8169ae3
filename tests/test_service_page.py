"""The Service and delivery page through AppTest: its cards, breakdown and open complaints show what metrics/service.py
computes for the same filters (worked out here through the metric functions), its downloads hold the rows shown, it
reads in Chinese, and a regional head sees only the region."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from data_layer import dimensions
from data_layer.access import DEMO_ENTITLEMENTS_FILE, load_entitlements, viewer_for
from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Filters, Viewer, preset_period
from metrics import service
from metrics.base import Context, result
from metrics.registry import REGISTRY
from tests.apptest import app_test
from tests.test_app import Crm, _ok, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import _NavigationMode
from ui import format as fmt
from ui import widgets
from ui.i18n import t

PAGE = "service"
CARDS = ("complaint_rate", "first_response_median_hours", "resolution_median_hours", "satisfaction_mean", "on_time_delivery_rate",
         "first_response_p90_hours", "resolution_p90_hours", "satisfied_share")


def _open(crm: Crm, mp: pytest.MonkeyPatch, user: str = "ceo") -> AppTest:
    mp.setattr(app_test_module, "PagesManager", _NavigationMode)
    at = app_test(mp, crm.url, user=user)
    at.run()
    _ok(at)
    at.switch_page(f"pages/{PAGE}.py").run()
    _ok(at)
    return at


@pytest.fixture(scope="module")
def page(demo_crm: Crm) -> Iterator[AppTest]:  # noqa: F811
    with pytest.MonkeyPatch.context() as mp:
        yield _open(demo_crm, mp)


def _ctx(crm: Crm, viewer: Viewer = DEFAULT_VIEWER) -> Context:
    return Context(make_engine(crm.url), crm.org, viewer, load_settings().calendar, crm.currency, crm.as_of)


def _flt(crm: Crm, unit: str | None = None) -> Filters:
    return Filters(preset_period("qtd", crm.as_of, load_settings().calendar), unit=unit)


def _assert_cards(at: AppTest, ctx: Context, flt: Filters, lang: str = "en") -> None:
    shown = {m.label: m.value for m in at.metric}
    for key in CARDS:
        metric = REGISTRY[key]
        assert shown[metric.label[lang]] == fmt.kpi_value(metric, result(metric, ctx, flt).value, ctx.currency, lang), key


def _open_table(at: AppTest, lang: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if t("svc.col.hours_open", lang) in d.value.columns]
    assert len(tables) <= 1
    return tables[0] if tables else pd.DataFrame()


def test_the_page_shows_what_the_metrics_compute(page: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = page
    assert at.title[0].value == t("svc.title", "en")
    assert not at.error and not at.warning and not at.exception, [e.value for e in (*at.error, *at.warning)]
    ctx, flt = _ctx(demo_crm), _flt(demo_crm)
    _assert_cards(at, ctx, flt)
    # quarter to date runs to the as-of day: each of the four hours cards says its figure will still rise
    assert flt.period.start <= ctx.as_of <= flt.period.end
    assert sum(fmt.md_escape(t("maturity.open_tickets", "en")) in m.value for m in at.markdown) == 4
    # the breakdown by unit: the league of the top units, each metric as the metric computes it per unit
    by_unit = service.breakdown(ctx, flt, "unit")
    league = [d.value for d in at.dataframe if t("league.unit", "en") in d.value.columns][0]
    rate = dict(zip(by_unit["complaint_rate"]["group"], by_unit["complaint_rate"]["value"], strict=True))
    names = {u.code: u.name for u in demo_crm.org.units}
    for name, value in zip(league[t("league.unit", "en")], league[REGISTRY["complaint_rate"].label["en"]], strict=True):
        code = next(c for c, n in names.items() if n == name)
        assert value == pytest.approx(round(rate[code], 3)), name
    # the complaints open longest, oldest first
    records, total = service.open_complaints(ctx, flt, 200)
    table = _open_table(at, "en")
    if total:
        assert list(table[t("svc.col.ticket", "en")]) == list(records["ticket_id"]) and total == len(records)
    else:  # said, not an empty table
        assert table.empty and any(t("svc.open_none", "en", day=fmt.day(demo_crm.as_of, "en")) == s.value for s in at.success)
    assert len(at.get("download_button")) == 2 * (2 if total else 1)  # the breakdown and the open complaints
    assert any(e.label == t("definitions.title", "en") for e in at.expander)
    assert len(at.get("vega_lite_chart")) == 1


def test_split_by_product_and_by_business_unit(page: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = page
    ctx, flt = _ctx(demo_crm), _flt(demo_crm)
    for by, title in (("product", t("svc.col.product", "en")), ("bu", t("league.bu", "en"))):
        at.segmented_control(key="svc_by").set_value(by).run()
        _ok(at)
        league = [d.value for d in at.dataframe if title in d.value.columns][0]
        expected = service.breakdown(ctx, flt, by)["on_time_delivery_rate"]
        options = dimensions.filter_options(ctx.engine, ctx.org, ctx.viewer)
        names = {o.code: o.name for o in (options.bus if by == "bu" else options.products)}
        shown = dict(zip(league[title], league[REGISTRY["on_time_delivery_rate"].label["en"]], strict=True))
        computed = {names[g]: round(float(v), 3) for g, v in zip(expected["group"], expected["value"], strict=True)
                    if g is not None and v is not None and v == v}
        assert computed, by  # something to compare: the demo ships orders with promised dates in every quarter
        assert {name: shown[name] for name in computed} == pytest.approx(computed), by
    at.segmented_control(key="svc_by").set_value("unit").run()


def test_in_chinese(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = _open(demo_crm, monkeypatch)
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("svc.title", "zh")
    assert not at.error, [e.value for e in at.error]
    _assert_cards(at, _ctx(demo_crm), _flt(demo_crm), "zh")
    records, total = service.open_complaints(_ctx(demo_crm), _flt(demo_crm), 200)
    table = _open_table(at, "zh")
    if total:
        assert t("svc.col.hours_open", "zh") in table.columns
        assert list(table[t("svc.col.ticket", "zh")]) == list(records["ticket_id"])
    else:  # said in Chinese, not an empty table
        assert table.empty and any(t("svc.open_none", "zh", day=fmt.day(demo_crm.as_of, "zh")) == s.value for s in at.success)


def test_a_regional_head_sees_only_the_region(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    viewer = viewer_for("head.east", load_entitlements(DEMO_ENTITLEMENTS_FILE), demo_crm.org)
    assert viewer is not None
    at = _open(demo_crm, monkeypatch, user="head.east")
    assert not at.error, [e.value for e in at.error]
    mine, company = _ctx(demo_crm, viewer), _ctx(demo_crm)
    _assert_cards(at, mine, _flt(demo_crm, "CN-E"))
    assert result(REGISTRY["complaint_rate"], mine, _flt(demo_crm, "CN-E")).denominator != result(REGISTRY["complaint_rate"], company, _flt(demo_crm)).denominator
    records, _ = service.open_complaints(mine, _flt(demo_crm, "CN-E"), 200)
    east = {u.code for u in demo_crm.org.units if u.unit_id in demo_crm.org.subtree_ids("CN-E")}
    assert set(records["unit"]) <= east


def test_a_download_holds_the_rows_shown(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    csv: dict[str, pd.DataFrame] = {}
    real = widgets.downloads

    def keep(frame: pd.DataFrame, stem: str, sheet: str, key: str, lang: str) -> None:
        csv[key] = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
        real(frame, stem, sheet, key, lang)

    monkeypatch.setattr(widgets, "downloads", keep)
    at = _open(demo_crm, monkeypatch)
    league = [d.value for d in at.dataframe if t("league.unit", "en") in d.value.columns][0]
    got = csv["svc_breakdown_unit"]
    assert list(got[t("league.unit", "en")]) == list(league[t("league.unit", "en")])
    on_time = REGISTRY["on_time_delivery_rate"].label["en"]
    assert list(got[on_time].round(3)) == list(league[on_time])  # the table shows a tenth of a percent
    shown = _open_table(at, "en")
    assert {k for k in csv if k.startswith("svc_")} == {"svc_breakdown_unit"} | ({"svc_open"} if len(shown) else set())
    if len(shown):
        assert list(csv["svc_open"][t("svc.col.ticket", "en")]) == list(shown[t("svc.col.ticket", "en")])
