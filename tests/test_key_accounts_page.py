"""The Key accounts page through AppTest: its table lists what metrics/key_accounts.py computes for the same filters, in
the same order, with downloads and definitions; it reads in Chinese; ``?wall=1`` shows it without the sidebar's filters
and menu; and a regional head sees only the accounts homed in the region."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from data_layer.access import DEMO_ENTITLEMENTS_FILE, load_entitlements, viewer_for
from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Filters, Viewer, preset_period
from metrics.base import Context
from metrics.key_accounts import DEFAULT_TOP, key_accounts
from tests.apptest import app_test
from tests.test_app import Crm, _ok, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import _NavigationMode
from ui.i18n import t

PAGE = "key_accounts"


def _open(crm: Crm, mp: pytest.MonkeyPatch, user: str = "ceo", params: dict[str, str] | None = None) -> AppTest:
    mp.setattr(app_test_module, "PagesManager", _NavigationMode)
    at = app_test(mp, crm.url, user=user)
    at.query_params.update(params or {})
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


def _table(at: AppTest, lang: str = "en") -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if t("ka.col.reasons", lang) in d.value.columns]
    assert len(tables) == 1
    return tables[0]


def test_the_page_lists_the_key_accounts_attention_first(page: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = page
    assert at.title[0].value == t("ka.title", "en")
    assert not at.error and not at.exception, [e.value for e in at.error]
    expected = key_accounts(_ctx(demo_crm), _flt(demo_crm), DEFAULT_TOP)
    assert len(expected) == DEFAULT_TOP  # the demo has more accounts than the page shows
    table = _table(at)
    assert list(table[t("ka.col.account", "en")]) == list(expected["account"])
    attention = list(table[t("ka.col.status", "en")] == t("ka.status.attention", "en"))
    assert attention == list(expected["needs_attention"]) and attention == sorted(attention, reverse=True)
    assert len(at.get("download_button")) == 2
    assert any(e.label == t("definitions.title", "en") for e in at.expander)
    assert at.selectbox(key="flt_period") is not None  # the filters are there


def test_fewer_accounts(page: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    page.segmented_control(key="ka_top").set_value(10).run()
    _ok(page)
    assert len(_table(page)) == 10
    page.segmented_control(key="ka_top").set_value(DEFAULT_TOP).run()


def test_in_chinese(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = _open(demo_crm, monkeypatch)
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("ka.title", "zh")
    assert not at.error, [e.value for e in at.error]
    assert t("ka.col.owner", "zh") in _table(at, "zh").columns


def test_the_wall_screen_has_no_filters_menu_or_sidebar(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = _open(demo_crm, monkeypatch, params={"wall": "1", "every": "60"})
    assert not at.error and not at.exception and not at.warning, [e.value for e in (*at.error, *at.warning)]
    assert not at.sidebar.children  # no filters, no language switch, no sign-out
    assert not [s for s in at.selectbox if s.key == "flt_period"]
    assert not at.dataframe and len(at.table) == 1  # a plain table, its type set large
    expected = key_accounts(_ctx(demo_crm), _flt(demo_crm), DEFAULT_TOP)
    needing = int(expected["needs_attention"].sum())
    assert at.title[0].value == t("ka.wall.title", "en", n=needing, total=len(expected))
    assert "every 1 min" in at.markdown[-1].value or any("every 1 min" in m.value for m in at.markdown)


def test_a_refresh_interval_out_of_bounds_is_refused(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = _open(demo_crm, monkeypatch, params={"wall": "1", "every": "5"})
    assert any("every 5 min" in m.value for m in at.markdown)  # the default, 300 s
    assert at.warning  # the link's refused value is said


def test_a_regional_head_sees_only_the_region(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    viewer = viewer_for("head.east", load_entitlements(DEMO_ENTITLEMENTS_FILE), demo_crm.org)
    assert viewer is not None
    at = _open(demo_crm, monkeypatch, user="head.east")
    assert not at.error, [e.value for e in at.error]
    mine = key_accounts(_ctx(demo_crm, viewer), _flt(demo_crm, "CN-E"), DEFAULT_TOP)
    company = key_accounts(_ctx(demo_crm), _flt(demo_crm), DEFAULT_TOP)
    assert list(_table(at)[t("ka.col.account", "en")]) == list(mine["account"])
    assert list(mine["account"]) != list(company["account"])
    east = {u.code for u in demo_crm.org.units if u.unit_id in demo_crm.org.subtree_ids("CN-E")}
    assert set(mine["unit"]) <= east
