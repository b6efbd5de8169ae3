"""The Lead to cash page through AppTest: its cards and every table show what metrics/lead_to_cash.py computes for the
same filters (worked out here through the metric functions, not copied), its downloads hold the rows and figures shown,
its controls live in the URL, the orders behind a waiting figure are listed, a regional head sees only the region, a
head limited to business units sees theirs and why no target applies, and an empty quarter or a failing section says
so while the rest of the page renders.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
import streamlit.testing.v1.app_test as app_test_module
from streamlit.testing.v1 import AppTest

from data_layer.access import DEMO_ENTITLEMENTS_FILE, load_entitlements, viewer_for
from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Viewer, preset_period
from metrics import lead_to_cash as l2c
from metrics.base import Comparison, Context, compare
from metrics.registry import REGISTRY
from tests.apptest import app_test
from tests.test_app import Crm, _ok, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import _NavigationMode
from ui import cache, filterbar, widgets
from ui import format as fmt
from ui.i18n import t

KPIS = ("cash_collected", "order_to_cash_median_days", "invoiced_not_paid", "invoices_past_due")
PAGE = "lead_to_cash"


def _open(crm: Crm, mp: pytest.MonkeyPatch, params: dict[str, str] | None = None, user: str = "ceo") -> AppTest:
    """The page through app.py (navigation mode kept on, as on a server some session has opened)."""
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
    """One opened page for the tests that only read it: the executive, this quarter to date, in English."""
    with pytest.MonkeyPatch.context() as mp:
        yield _open(demo_crm, mp)


def _cal() -> Any:
    return load_settings().calendar


def _flt(crm: Crm, preset: str = "qtd") -> Filters:
    return Filters(preset_period(preset, crm.as_of, _cal()))


class Expected:
    """What the page should show, from the metric functions themselves (no cache, no page)."""

    def __init__(self, crm: Crm, flt: Filters, viewer: Viewer = DEFAULT_VIEWER, weeks: tuple[tuple[str, int | None], ...] = (("booked", None),)) -> None:
        engine = make_engine(crm.url)
        try:
            ctx = Context(engine, crm.org, viewer, _cal(), crm.currency, crm.as_of)
            view = Context(engine, crm.org, viewer, _cal(), crm.currency, min(flt.period.end, crm.as_of))
            self.kpis: dict[str, Comparison] = {k: compare(REGISTRY[k], ctx, flt) for k in KPIS}
            self.monday = l2c.monday_view(view, flt)
            self.weekly = l2c.weekly_flows(view, flt)
            self.projection = l2c.projection_against_target(view, flt).iloc[0]
            self.target = l2c.quarter_target(view, flt)
            self.days = l2c.order_to_cash_trend(view, flt)
            self.waiting = l2c.waiting_lists(view, flt).set_index("step")
            self.records = {step: l2c.waiting_records(view, flt, step, 200) for step in l2c.WAITING_LISTS}
            # the orders behind a week's figure (week None: this week)
            this = l2c.week_of(view.as_of, _cal()).number
            self.week_records = {(f, w or this): l2c.flow_records(view, flt, f, w or this, 200) for f, w in weeks}
            self.this_week = this
        finally:
            engine.dispose()
        self.currency = crm.currency
        self.day = min(flt.period.end, crm.as_of)


def _table(at: AppTest, column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _monday_table(at: AppTest, lang: str) -> pd.DataFrame:
    last = t("ltc.col.last", lang, week="")[:2]
    tables = [d.value for d in at.dataframe if len(d.value.columns) == 4 and str(d.value.columns[1]).startswith(last)]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _money(value: object, currency: str, lang: str = "en") -> str:
    return widgets.figure_value("money_compact", value, currency, lang)


def _assert_cards(at: AppTest, exp: Expected, lang: str = "en") -> None:
    shown = {m.label: m.value for m in at.metric}
    for key in KPIS:
        metric = REGISTRY[key]
        assert shown[metric.label[lang]] == fmt.kpi_value(metric, exp.kpis[key].current.value, exp.currency, lang), key


def _assert_monday(at: AppTest, exp: Expected, lang: str = "en") -> None:
    table = _monday_table(at, lang)
    assert list(table[t("ltc.col.step", lang)]) == [t(f"ltc.step.{f}", lang) for f in l2c.FLOWS]
    heads = [c for c in table.columns if c != t("ltc.col.step", lang)]
    assert len(heads) == 3
    for head, when in zip(heads, ("last", "this", "next"), strict=True):
        expected = [
            fmt.DASH if n is None else f"{fmt.number(n, lang)} · {_money(a, exp.currency, lang)}"
            for n, a in zip(exp.monday[f"{when}_week_orders"], exp.monday[f"{when}_week_amount"], strict=True)
        ]
        assert list(table[head]) == expected, when


def _assert_weeks(at: AppTest, exp: Expected, show: str = "amount", lang: str = "en") -> None:
    table = _table(at, t("ltc.col.status", lang))
    assert list(table[t("ltc.col.week", lang)]) == [t("ltc.week", lang, n=n) for n in range(1, 14)]
    for flow in l2c.FLOWS:
        expected = [
            fmt.DASH if status == "future"
            else (_money(v, exp.currency, lang) if show == "amount" else fmt.number(v, lang))
            for v, status in zip(exp.weekly[f"{flow}_{show}"], exp.weekly["status"], strict=True)
        ]
        assert list(table[t(f"ltc.step.{flow}", lang)]) == expected, flow


def _assert_waiting(at: AppTest, exp: Expected, lang: str = "en") -> None:
    table = _table(at, t("ltc.col.unpriced", lang))
    lists = exp.waiting.loc[list(l2c.WAITING_LISTS)]
    assert list(table[t("ltc.col.step", lang)]) == [t(f"ltc.wait.{s}", lang) for s in l2c.WAITING_LISTS]
    assert list(table[t("ltc.col.orders", lang)]) == [fmt.number(n, lang) for n in lists["orders"]]
    assert list(table[t("ltc.col.amount_waiting", lang)]) == [_money(a, exp.currency, lang) for a in lists["amount"]]
    # the past-due row counts its unpriced invoices too, like the steps above it
    assert list(table[t("ltc.col.unpriced", lang)]) == [fmt.number(n, lang) for n in lists["unpriced"]]


def _assert_records(at: AppTest, exp: Expected, step: str, lang: str = "en") -> None:
    rows, total = exp.records[step]
    if total == 0:
        assert t("ltc.records_none", lang, step=t(f"ltc.pick.{step}", lang)) in [i.value for i in at.info]
        return
    days = t("ltc.col.days_overdue" if step == "past_due" else "ltc.col.days_waiting", lang)
    table = _table(at, days)
    assert list(table[t("ltc.col.order", lang)]) == list(rows["order_number"])
    amounts = [None if pd.isna(v) else round(float(v), 2) for v in table[t("ltc.col.amount", lang)]]
    assert amounts == [None if a is None else float(a) for a in rows["amount"]]
    assert list(table[days]) == list(rows["days_waiting"])
    if total > len(rows):
        capped = t("table.capped", lang, n=fmt.number(len(rows), lang), total=fmt.number(total, lang))
        assert fmt.md_escape(capped) in [c.value for c in at.caption]


def _assert_week_records(at: AppTest, exp: Expected, flow: str, week: int | None = None, lang: str = "en") -> None:
    week = week or exp.this_week
    rows, total = exp.week_records[(flow, week)]
    assert at.selectbox(key="ltc_flow").value == flow
    assert at.selectbox(key="ltc_week").value == (0 if week == exp.this_week else week)
    # The step's label counts what its list holds: the orders, and the credit notes netted beside them.
    row = exp.weekly.iloc[week - 1]
    orders, credit_notes = int(row[f"{flow}_orders"]), int(row[f"{flow}_credit_notes"])
    assert orders + credit_notes == total
    label = at.selectbox(key="ltc_flow").options[l2c.FLOWS.index(flow)]
    counted = t("ltc.pick_order" if orders == 1 else "ltc.pick_orders", lang, step=t(f"ltc.step.{flow}", lang), n=fmt.number(orders, lang))
    if credit_notes:
        counted = t("ltc.pick_credit_one" if credit_notes == 1 else "ltc.pick_credit", lang, orders=counted, n=fmt.number(credit_notes, lang))
    assert label == counted
    if total == 0:
        assert t("ltc.week_records_none", lang, step=t(f"ltc.step.{flow}", lang), week=t("ltc.week", lang, n=week)) in [i.value for i in at.info]
        return
    table = _table(at, t("ltc.col.credit_note", lang))
    assert list(table[t("ltc.col.order", lang)]) == list(rows["order_number"])
    amounts = [None if pd.isna(v) else round(float(v), 2) for v in table[t("ltc.col.amount", lang)]]
    assert amounts == [None if a is None else float(a) for a in rows["amount"]]
    assert list(table[t("ltc.col.credit_note", lang)]) == list(rows["credit_note"])


# --- The figures --------------------------------------------------------------------------------------------------


def test_the_page_shows_what_the_metrics_compute(page: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = page
    assert at.title[0].value == t("ltc.title", "en")
    assert not at.error and not at.warning, [e.value for e in (*at.error, *at.warning)]
    exp = Expected(demo_crm, _flt(demo_crm))
    _assert_cards(at, exp)
    _assert_monday(at, exp)
    _assert_weeks(at, exp)
    _assert_waiting(at, exp)
    # The quarter shown: the as-of day's, this week bold in the chart and named in the badge.
    quarter = l2c.quarter_weeks(demo_crm.as_of, _cal())
    this = l2c.week_of(demo_crm.as_of, _cal())
    assert any(fmt.md_escape(t("ltc.quarter_badge", "en", quarter=quarter[0].quarter, week=this.number)) in m.value for m in at.markdown)
    # The projection's boxes and its target line.
    shown = {m.label: m.value for m in at.metric}
    p = exp.projection
    assert shown[t("ltc.closed", "en")] == fmt.money(p["closed"], exp.currency, "en", compact=True)
    assert shown[t("ltc.weighted", "en")] == fmt.money(p["weighted_open"], exp.currency, "en", compact=True)
    assert shown[t("ltc.projected", "en")] == fmt.money(p["projected"], exp.currency, "en", compact=True)
    if exp.target is not None:
        assert shown[t("ltc.target", "en")] == fmt.money(exp.target.target, exp.currency, "en", compact=True)
        assert any(fmt.md_escape(fmt.percent(exp.target.projected_attainment, "en")) in m.value for m in at.markdown)
    # Days from order to cash per week of payment.
    days = _table(at, t("ltc.col.paid", "en"))
    assert list(days[t("ltc.col.paid", "en")]) == [fmt.number(n, "en") for n in exp.days["n"]]
    assert list(days[t("chart.median", "en")]) == [widgets.figure_value("days", m, exp.currency, "en") for m in exp.days["median"]]
    # The drill-through opens on the past-due invoices, largest first.
    assert at.selectbox(key="ltc_wait").value == "past_due"
    _assert_records(at, exp, "past_due")
    # The orders behind a week open on this week's bookings.
    _assert_week_records(at, exp, "booked")
    # Every table downloads; the definitions close the page; the charts are there.
    assert len(at.get("download_button")) == 2 * 7
    assert any(e.label == t("definitions.title", "en") for e in at.expander)
    assert len(at.get("vega_lite_chart")) == 4  # the 13 weeks, the projection, the days to cash, the orders waiting


def test_in_chinese(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = _open(demo_crm, monkeypatch)
    # Switched on the last run (AppTest formats the filter bar's options in English between runs).
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("ltc.title", "zh")
    assert not at.error, [e.value for e in at.error]
    exp = Expected(demo_crm, _flt(demo_crm))
    _assert_cards(at, exp, "zh")
    _assert_monday(at, exp, "zh")
    _assert_weeks(at, exp, lang="zh")
    _assert_waiting(at, exp, "zh")
    _assert_records(at, exp, "past_due", "zh")
    _assert_week_records(at, exp, "booked", lang="zh")
    # the weeks named in Chinese, in the week picker and the Monday caption too (not "W13", not "FY… W13")
    this = l2c.week_of(demo_crm.as_of, _cal())
    assert at.selectbox(key="ltc_week").options[-1].startswith(t("ltc.this_week", "zh", week=f"第{this.number}周"))
    assert any(fmt.md_escape(t("ltc.quarter_week", "zh", quarter=this.quarter, n=this.number)) in c.value for c in at.caption)
    # the projection's tiles and its sentence against the target
    shown, p = {m.label: m.value for m in at.metric}, exp.projection
    for key, column in (("closed", "closed"), ("weighted", "weighted_open"), ("projected", "projected")):
        assert shown[t(f"ltc.{key}", "zh")] == fmt.money(p[column], exp.currency, "zh", compact=True)
    if p["target"] is not None:
        assert shown[t("ltc.target", "zh")] == fmt.money(p["target"], exp.currency, "zh", compact=True)
        assert any(fmt.md_escape(fmt.percent(p["projected_attainment"], "zh")) in m.value and "收入目标" in m.value for m in at.markdown)
    assert not [c.value for c in at.caption if " 。" in c.value or "W1" in c.value]


# --- Controls in the URL, and the drill-through -------------------------------------------------------------------


def test_a_link_restores_the_controls_and_they_are_written_back(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    params = {"period": "last_quarter", filterbar.P_L2C_SHOW: "orders", filterbar.P_L2C_WAIT: "booked_not_shipped",
              filterbar.P_L2C_STEP: "collected", filterbar.P_L2C_WEEK: "2"}
    at = _open(demo_crm, monkeypatch, params)
    assert not at.warning and not at.error, [e.value for e in (*at.warning, *at.error)]
    assert at.segmented_control(key="ltc_show").value == "orders"
    assert at.selectbox(key="ltc_wait").value == "booked_not_shipped"
    assert at.query_params[filterbar.P_L2C_SHOW] == "orders" and at.query_params[filterbar.P_L2C_WAIT] == "booked_not_shipped"
    # Last quarter, as it stood on its last day: its own 13 weeks, all done, its orders waiting then.
    flt = _flt(demo_crm, "last_quarter")
    exp = Expected(demo_crm, flt, weeks=(("collected", 2), ("collected", None), ("invoiced", None)))
    assert list(exp.weekly["status"]) == ["past"] * 12 + ["current"]
    assert any("as it stood then" in m.value for m in at.markdown)
    _assert_cards(at, exp)
    _assert_monday(at, exp)
    _assert_weeks(at, exp, show="orders")
    _assert_waiting(at, exp)
    _assert_records(at, exp, "booked_not_shipped")
    _assert_week_records(at, exp, "collected", 2)
    assert at.query_params[filterbar.P_L2C_WEEK] == "2" and at.query_params[filterbar.P_L2C_STEP] == "collected"
    # Back to this week (the quarter's last, as it stood): the week leaves the link; another step enters it.
    at.selectbox(key="ltc_week").set_value(0)
    _ok(_rerun(at))
    assert filterbar.P_L2C_WEEK not in at.query_params
    _assert_week_records(at, exp, "collected")
    at.selectbox(key="ltc_flow").set_value("invoiced")
    _ok(_rerun(at))
    assert at.query_params[filterbar.P_L2C_STEP] == "invoiced"
    _assert_week_records(at, exp, "invoiced")
    # Picking another list of orders shows them and writes it to the URL; the default leaves the URL.
    at.selectbox(key="ltc_wait").set_value("invoiced_not_paid")
    _ok(_rerun(at))
    assert at.query_params[filterbar.P_L2C_WAIT] == "invoiced_not_paid"
    _assert_records(at, exp, "invoiced_not_paid")
    at.segmented_control(key="ltc_show").set_value("amount")
    _ok(_rerun(at))
    assert filterbar.P_L2C_SHOW not in at.query_params and at.query_params["period"] == "last_quarter"
    _assert_weeks(at, exp, show="amount")


def test_a_bad_control_in_a_link_is_refused(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    at = _open(demo_crm, monkeypatch, {filterbar.P_L2C_WAIT: "everything' OR 1=1", filterbar.P_L2C_SHOW: "profit", filterbar.P_L2C_WEEK: "14"})
    notice = "\n".join(w.value for w in at.warning)
    assert all(p in notice for p in (filterbar.P_L2C_WAIT, filterbar.P_L2C_SHOW, filterbar.P_L2C_WEEK)) and "OR 1=1" not in notice
    assert at.selectbox(key="ltc_week").value == 0
    assert at.selectbox(key="ltc_wait").value == "past_due" and at.segmented_control(key="ltc_show").value == "amount"
    assert filterbar.P_L2C_WAIT not in at.query_params


def test_a_link_to_a_week_that_has_not_begun_is_said_and_this_week_shown(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # A period ending on the tenth day of the as-of day's quarter: its week 2 or 3 is this week, week 9 is to come.
    first = l2c.quarter_weeks(demo_crm.as_of, _cal())[0].start
    end = first + timedelta(days=9)
    at = _open(demo_crm, monkeypatch, {"start": first.isoformat(), "end": end.isoformat(), filterbar.P_L2C_WEEK: "9"})
    notice = "\n".join(w.value for w in at.warning)
    assert filterbar.P_L2C_WEEK in notice and t("ltc.future_week", "en", param=filterbar.P_L2C_WEEK, week=9, day=fmt.day(end, "en")) in notice
    assert at.selectbox(key="ltc_week").value == 0 and not at.error
    exp = Expected(demo_crm, Filters(Period(first, end, "week", "days")))
    _assert_week_records(at, exp, "booked")
    # the link no longer asks for it, and the notice is not repeated
    _ok(_rerun(at))
    assert filterbar.P_L2C_WEEK not in at.query_params and filterbar.P_L2C_WEEK not in "\n".join(w.value for w in at.warning)


# --- Scope --------------------------------------------------------------------------------------------------------


def test_a_regional_head_sees_only_the_region(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    viewer = viewer_for("head.east", load_entitlements(DEMO_ENTITLEMENTS_FILE), demo_crm.org)
    assert viewer is not None and viewer.units == ("CN-E",)
    at = _open(demo_crm, monkeypatch, user="head.east")
    assert not at.error, [e.value for e in at.error]
    flt = Filters(_flt(demo_crm).period, unit="CN-E")  # the filter bar starts at the head's one unit
    mine, company = Expected(demo_crm, flt, viewer), Expected(demo_crm, _flt(demo_crm))
    _assert_cards(at, mine)
    _assert_monday(at, mine)
    _assert_weeks(at, mine)
    _assert_waiting(at, mine)
    _assert_records(at, mine, "past_due")
    # and the region is not the company
    assert mine.waiting.loc["invoiced_not_paid", "amount"] != company.waiting.loc["invoiced_not_paid", "amount"]
    assert mine.kpis["cash_collected"].current.value != company.kpis["cash_collected"].current.value
    east = demo_crm.org.subtree_ids("CN-E")
    codes = {u.code for u in demo_crm.org.units if u.unit_id in east}
    assert set(mine.records["past_due"][0]["unit"]) <= codes


def test_a_head_limited_to_business_units_sees_theirs_and_why_there_is_no_target(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    viewer = viewer_for("head.north", load_entitlements(DEMO_ENTITLEMENTS_FILE), demo_crm.org)
    assert viewer is not None and viewer.units == ("CN-N",) and viewer.bus == ("NET", "SEC")
    at = _open(demo_crm, monkeypatch, user="head.north")
    assert not at.error, [e.value for e in at.error]
    flt = Filters(_flt(demo_crm).period, unit="CN-N")
    mine, region = Expected(demo_crm, flt, viewer), Expected(demo_crm, flt, replace(viewer, bus=None))
    _assert_cards(at, mine)
    _assert_monday(at, mine)
    _assert_weeks(at, mine)
    _assert_waiting(at, mine)
    _assert_records(at, mine, "past_due")
    _assert_week_records(at, mine, "booked")
    # Their business units only, not the whole region's; targets are per unit, so none applies: said, with the projection.
    assert mine.weekly["booked_amount"].sum() != region.weekly["booked_amount"].sum()
    shown, quarter = {m.label: m.value for m in at.metric}, l2c.quarter_weeks(demo_crm.as_of, _cal())[0].quarter
    assert mine.projection["target"] is None and t("ltc.target", "en") not in shown
    assert shown[t("ltc.projected", "en")] == fmt.money(mine.projection["projected"], mine.currency, "en", compact=True)
    assert fmt.md_escape(t("ltc.no_target_bus", "en", quarter=quarter)) in [c.value for c in at.caption]


# --- Downloads ------------------------------------------------------------------------------------------------------


def test_a_download_holds_the_rows_and_figures_shown(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    csv: dict[str, pd.DataFrame] = {}
    real = widgets.downloads

    def keep(frame: pd.DataFrame, stem: str, sheet: str, key: str, lang: str) -> None:
        csv[key] = pd.read_csv(io.StringIO(frame.to_csv(index=False)))  # the CSV file, as a spreadsheet reads it back
        real(frame, stem, sheet, key, lang)

    monkeypatch.setattr(widgets, "downloads", keep)
    at = _open(demo_crm, monkeypatch)
    exp, cur = Expected(demo_crm, _flt(demo_crm)), demo_crm.currency
    assert {k for k in csv if k.startswith("ltc_")} == {"ltc_monday", "ltc_weeks", "ltc_week_records", "ltc_projection", "ltc_days", "ltc_waiting", "ltc_records"}
    # The orders waiting: the same rows, their counts, and the amounts shown compactly, to the cent.
    shown, got = _table(at, t("ltc.col.unpriced", "en")), csv["ltc_waiting"]
    assert list(got["Step"]) == list(shown["Step"]) and [fmt.number(n, "en") for n in got["Orders"]] == list(shown["Orders"])
    assert list(got[f"Amount ({cur})"]) == [float(a) for a in exp.waiting["amount"]]
    assert [_money(a, cur) for a in got[f"Amount ({cur})"]] == list(shown["Amount"])
    assert list(got["Unpriced"]) == list(exp.waiting["unpriced"])
    # The 13 weeks: a row per week, every step's orders, amount and unpriced (the table shows the amounts).
    shown, got = _table(at, t("ltc.col.status", "en")), csv["ltc_weeks"]
    assert list(got["Week"]) == list(shown["Week"]) and len(got) == 13
    done = (exp.weekly["status"] != "future").to_numpy()
    for flow in l2c.FLOWS:
        name = t(f"ltc.step.{flow}", "en")
        assert list(got[f"{name} · Orders"]) == list(exp.weekly[f"{flow}_orders"])
        assert list(got[f"{name} · Amount ({cur})"]) == [float(a) for a in exp.weekly[f"{flow}_amount"]]
        assert [_money(a, cur) for a in got[f"{name} · Amount ({cur})"][done]] == list(shown[name][done])
    # The Monday table: each cell's two figures apart.
    shown, got = _monday_table(at, "en"), csv["ltc_monday"]
    for column, when in zip(list(shown.columns)[1:], ("last", "this", "next"), strict=True):
        orders, amounts = got[t(f"ltc.col.{when}_orders", "en")], got[f"{t(f'ltc.col.{when}_amount', 'en')} ({cur})"]
        cells = [fmt.DASH if pd.isna(n) else f"{fmt.number(int(n), 'en')} · {_money(a, cur)}" for n, a in zip(orders, amounts, strict=True)]
        assert cells == list(shown[column])
    # The orders listed: the same orders in the same order, amounts to the cent.
    shown, got = _table(at, t("ltc.col.days_overdue", "en")), csv["ltc_records"]
    assert list(got["Order"]) == list(shown["Order"]) == list(exp.records["past_due"][0]["order_number"])
    assert list(got["Amount"].fillna(-1)) == list(shown["Amount"].fillna(-1)) == [-1 if a is None else float(a) for a in exp.records["past_due"][0]["amount"]]
    # The projection: the tiles' figures, in full.
    got, p = csv["ltc_projection"].iloc[0], exp.projection
    assert (got[f"Booked so far ({cur})"], got[f"Projected at quarter end ({cur})"]) == (float(p["closed"]), float(p["projected"]))


# --- Empty data and a failing section -----------------------------------------------------------------------------


def test_an_empty_quarter_says_what_is_missing(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    # A quarter long before the demo's history: nothing booked, shipped, invoiced, paid or waiting.
    start, end = date(demo_crm.as_of.year - 10, 1, 1), date(demo_crm.as_of.year - 10, 3, 31)
    at = _open(demo_crm, monkeypatch, {"start": start.isoformat(), "end": end.isoformat()})
    assert not at.error, [e.value for e in at.error]
    exp = Expected(demo_crm, Filters(Period(start, end, "week", "days")))
    quarter = l2c.quarter_weeks(end, _cal())[0].quarter
    infos = [i.value for i in at.info]
    assert t("ltc.monday_empty", "en") in infos
    assert t("ltc.weeks_empty", "en", quarter=quarter, day=fmt.day(exp.day, "en")) in infos
    assert t("ltc.days_empty", "en", quarter=quarter, day=fmt.day(exp.day, "en")) in infos
    assert t("ltc.projection_empty", "en", quarter=quarter) in infos
    assert t("ltc.waiting_none", "en", day=fmt.day(exp.day, "en")) in [s.value for s in at.success]
    assert t("ltc.records_none", "en", step=t("ltc.pick.past_due", "en")) in infos
    assert t("ltc.week_records_none", "en", step=t("ltc.step.booked", "en"), week="W13") in infos
    # the cards are still there, and the definitions
    assert {REGISTRY[k].label["en"] for k in KPIS} <= {m.label for m in at.metric}
    assert any(e.label == t("definitions.title", "en") for e in at.expander)


def test_a_failing_section_leaves_the_rest_of_the_page(demo_crm: Crm, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    def broken(*_: object) -> object:
        raise RuntimeError("the weekly flows are down")

    monkeypatch.setitem(cache.TABLES, "l2c_weekly", broken)
    cache._table.clear()  # noqa: SLF001 - a cached result would hide the failure
    try:
        at = _open(demo_crm, monkeypatch)
    finally:
        cache._table.clear()  # noqa: SLF001 - nothing of the broken run stays cached
    exp = Expected(demo_crm, _flt(demo_crm))
    quarter = l2c.quarter_weeks(demo_crm.as_of, _cal())[0].quarter
    # The two sections that read the weekly flows say so, each by its name; the rest is all there.
    errors = [e.value for e in at.error]
    assert len(errors) == 2, errors
    assert fmt.md_escape(t("ltc.weeks", "en", quarter=quarter)) in errors[0] and fmt.md_escape(t("ltc.week_records", "en")) in errors[1]
    _assert_cards(at, exp)
    _assert_monday(at, exp)
    _assert_waiting(at, exp)
    _assert_records(at, exp, "past_due")
