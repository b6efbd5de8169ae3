"""The Campaigns and sources page through AppTest: its KPI cards and its table are what metrics/campaigns.py and
the registered metrics compute for the same filters, its "show by" and the row it drills into live in the URL,
the drill-through lists the records behind a row, a regional head sees their region's figures only, and empty
data or a failing part says so while the rest of the page still renders.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer, preset_period
from metrics.base import Context, compare
from metrics import campaigns
from metrics.campaigns import campaign_records, campaign_table
from metrics.registry import REGISTRY
from tests.apptest import capture_downloads, open_app, read_csv
from tests.test_app import Crm, _ok, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import _NavigationMode, navigation  # noqa: F401 - fixture
from ui import cache, widgets
from ui import format as fmt
from ui.i18n import display, t

KPIS = ("campaign_roi", "leads", "lead_to_opportunity_rate", "new_customers")
EAST = Viewer(user="head.east", role=Role.REGIONAL_HEAD, units=("CN-E",))
#: The table's figure columns: (column of campaign_table, title key, kind as the page writes it).
FIGURES = [
    ("leads", "mkt.col.leads", "count"),
    ("opportunities", "mkt.col.opportunities", "count"),
    ("customers", "mkt.col.customers", "count"),
    ("revenue", "mkt.col.revenue", "money_compact"),
    ("cost", "mkt.col.cost", "money_compact"),
    ("costed_revenue", "mkt.col.costed_revenue", "money_compact"),
    ("cost_per_lead", "mkt.col.cost_per_lead", "money_compact"),
    ("cost_per_customer", "mkt.col.cost_per_customer", "money_compact"),
    ("roi", "mkt.col.roi", "percent"),
]


@pytest.fixture(scope="module")
def year_app(demo_crm: Crm) -> Iterator[AppTest]:  # noqa: F811
    """The page over the last 12 months as the demo's executive, opened once for the module's read-only checks."""
    with pytest.MonkeyPatch.context() as mp:
        import streamlit.testing.v1.app_test as app_test_module

        mp.setattr(app_test_module, "PagesManager", _NavigationMode)
        yield open_app(mp, demo_crm.url, params={"period": "last_12_months"}, page="marketing")


def _ctx(crm: Crm, engine: object, viewer: Viewer = DEFAULT_VIEWER) -> Context:
    return Context(engine, crm.org, viewer, load_settings().calendar, crm.currency, crm.as_of)  # type: ignore[arg-type]


def _flt(crm: Crm, preset: str = "last_12_months", **kw: object) -> Filters:
    return Filters(preset_period(preset, crm.as_of, load_settings().calendar), **kw)  # type: ignore[arg-type]


def _computed(crm: Crm, flt: Filters, by: str = "campaign", viewer: Viewer = DEFAULT_VIEWER) -> tuple[pd.DataFrame, dict]:
    """The table and the KPI comparisons straight from the metrics (no cache, no page)."""
    engine = make_engine(crm.url)
    try:
        ctx = _ctx(crm, engine, viewer)
        return campaign_table(ctx, flt, by), {k: compare(REGISTRY[k], ctx, flt) for k in KPIS}  # type: ignore[arg-type]
    finally:
        engine.dispose()


def _records(crm: Crm, flt: Filters, by: str, group: object, stage: str = "lead") -> tuple[pd.DataFrame, int]:
    engine = make_engine(crm.url)
    try:
        return campaign_records(_ctx(crm, engine), flt, by, group, stage, 200)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def _name(frame: pd.DataFrame, by: str, lang: str = "en") -> list[str]:
    """Each row's group as the page names it: a campaign by name (its id beside a name two campaigns share)."""
    if by == "campaign":
        names = list(frame["name"])
        expected = [t("mkt.no_campaign", lang) if pd.isna(g) else f"{n} · #{int(g)}" if names.count(n) > 1 else n
                    for g, n in zip(frame["campaign_id"], names, strict=True)]
        assert [t("mkt.no_campaign", lang) if x is None else x for x in frame["label"]] == expected  # the metric's label, as the page shows it
        return expected
    if by == "kind":
        return [t("mkt.no_kind", lang) if k is None else display("mkt.kind", k, lang) for k in frame["kind"]]
    return [t("mkt.no_source", lang) if s is None else display("channel", s, lang) for s in frame["source"]]


def _table(at: AppTest, lang: str = "en") -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if t("mkt.col.leads", lang) in d.value.columns and t("mkt.col.roi", lang) in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _records_shown(at: AppTest, lang: str = "en") -> pd.DataFrame | None:
    tables = [d.value for d in at.dataframe if t("records.lead", lang) in d.value.columns]
    return tables[0] if tables else None


def _assert_table(at: AppTest, expected: pd.DataFrame, by: str, currency: str, lang: str = "en") -> None:
    """Every row of the page's table shows what campaign_table computed, written as the page writes figures."""
    shown = _table(at, lang)
    assert len(shown) == len(expected)
    rows = {r[t(f"mkt.by.{by}", lang)]: r for _, r in shown.iterrows()}
    for name, row in zip(_name(expected, by, lang), expected.to_dict("records"), strict=True):
        assert name in rows, (name, list(rows))
        for column, title, kind in FIGURES:
            assert rows[name][t(title, lang)] == widgets.figure_value(kind, row[column], currency, lang), (name, column)


def _assert_cards(at: AppTest, comps: dict, currency: str, lang: str = "en") -> None:
    cards = list(at.metric)[: len(KPIS)]
    assert [c.label for c in cards] == [REGISTRY[k].label[lang] for k in KPIS]
    for card, key in zip(cards, KPIS, strict=True):
        assert card.value == fmt.kpi_value(REGISTRY[key], comps[key].current.value, currency, lang), key


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in (*at.error, *at.exception)]


# --- The figures -------------------------------------------------------------------------------------


def test_the_cards_and_the_table_are_what_the_metrics_compute(year_app: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = year_app
    assert at.title[0].value == t("mkt.title", "en") and not _errors(at), _errors(at)
    table, comps = _computed(demo_crm, _flt(demo_crm))
    assert len(table) > 2 and table["cost"].notna().any() and table["customers"].sum() > 0  # the demo's year has costs and customers
    _assert_cards(at, comps, demo_crm.currency)
    _assert_table(at, table, "campaign", demo_crm.currency)
    # Most leads first, the leads of no campaign last.
    shown = list(_table(at)[t("mkt.by.campaign", "en")])
    assert shown[-1] == t("mkt.no_campaign", "en")
    leads = dict(zip(_name(table, "campaign"), table["leads"], strict=True))
    assert [leads[n] for n in shown[:-1]] == sorted((leads[n] for n in shown[:-1]), reverse=True)
    assert len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart")) >= 2  # leads, and cost against revenue
    assert len(at.get("download_button")) == 4  # the table and the records, CSV and Excel each
    assert any(e.label == t("definitions.title", "en") for e in at.expander)


def test_the_drill_through_lists_the_records_behind_a_row(year_app: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    at = year_app
    flt = _flt(demo_crm)
    table, _ = _computed(demo_crm, flt)
    pick = at.selectbox(key="mkt_pick")
    first = table.sort_values("leads", ascending=False, kind="stable").dropna(subset=["name"]).iloc[0]
    assert pick.value == str(int(first["campaign_id"]))  # the campaign with most leads, by default
    records, total = _records(demo_crm, flt, "campaign", int(first["campaign_id"]))
    shown = _records_shown(at)
    assert shown is not None and total == int(first["leads"])
    assert list(shown[t("records.lead", "en")]) == list(records["lead_id"])
    revenue = [None if pd.isna(v) else round(float(v), 2) for v in shown[t("mkt.col.revenue", "en")]]
    assert revenue == [None if v is None else float(v) for v in records["revenue"]]
    # A row that won customers: only its customers, with their
    # revenue adding up to the table's.
    won = table[table["customers"] > 0].iloc[0]
    group = None if pd.isna(won["campaign_id"]) else int(won["campaign_id"])
    code = "none" if group is None else str(group)
    pick.set_value(code)
    _ok(_rerun(at))
    at.segmented_control(key="mkt_stage").set_value("customer")
    _ok(_rerun(at))
    assert not _errors(at), _errors(at)
    records, total = _records(demo_crm, flt, "campaign", group, "customer")
    shown = _records_shown(at)
    assert shown is not None and len(shown) == total == int(won["customers"])  # each account once
    assert list(shown[t("mkt.drill.customer", "en")]) == list(records["customer"])
    assert round(sum(v for v in shown[t("mkt.col.revenue", "en")] if not pd.isna(v)), 2) == float(won["revenue"])
    assert at.query_params["mkt_pick"] == code


# --- Page state in the URL ---------------------------------------------------------------------------


def test_show_by_and_the_pick_are_restored_from_a_link_and_written_back(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    flt = _flt(demo_crm)
    by_source, _ = _computed(demo_crm, flt, "source")
    channel = by_source.sort_values("leads", ascending=False, kind="stable").iloc[1]["source"]  # not the default (first) row
    at = open_app(monkeypatch, demo_crm.url, params={"period": "last_12_months", "mkt_by": "source", "mkt_pick": channel}, page="marketing")
    assert not _errors(at), _errors(at)
    assert at.segmented_control(key="mkt_by").value == "source"
    assert at.selectbox(key="mkt_pick").value == channel
    _assert_table(at, by_source, "source", demo_crm.currency)
    assert fmt.md_escape(t("mkt.source_note", "en")) in [c.value for c in at.caption]
    assert t("mkt.chart_source", "en") in [i.value for i in at.info]  # no cost by channel, and why
    records, total = _records(demo_crm, flt, "source", channel)
    assert list(_records_shown(at)[t("records.lead", "en")]) == list(records["lead_id"])[:200]
    assert at.query_params["mkt_by"] == "source" and at.query_params["mkt_pick"] == channel
    # Another grouping: written back, and the pick starts again from that grouping's first row.
    at.segmented_control(key="mkt_by").set_value("kind")
    _ok(_rerun(at))
    by_kind, _ = _computed(demo_crm, flt, "kind")
    _assert_table(at, by_kind, "kind", demo_crm.currency)
    assert at.query_params["mkt_by"] == "kind"
    first_kind = by_kind.dropna(subset=["kind"]).sort_values("leads", ascending=False, kind="stable").iloc[0]["kind"]
    assert at.selectbox(key="mkt_pick").value == first_kind
    # A pick that is no row here (a campaign id under "kind") falls back to the first row; a bad value is refused.
    at2 = open_app(monkeypatch, demo_crm.url, params={"period": "last_12_months", "mkt_by": "bogus", "mkt_pick": "<x>"}, page="marketing")
    assert not _errors(at2) and at2.segmented_control(key="mkt_by").value == "campaign"
    assert "mkt_by" not in at2.query_params


def test_the_stage_is_restored_from_a_link_and_written_back(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    flt = _flt(demo_crm)
    table, _ = _computed(demo_crm, flt)
    won = table[table["customers"] > 0].iloc[0]
    params = {"period": "last_12_months", "mkt_pick": won["code"], "mkt_stage": "customer"}
    at = open_app(monkeypatch, demo_crm.url, params=params, page="marketing")
    assert not _errors(at), _errors(at)
    assert at.segmented_control(key="mkt_stage").value == "customer"
    records, total = _records(demo_crm, flt, "campaign", campaigns.group_of_code("campaign", won["code"]), "customer")
    assert list(_records_shown(at)[t("records.lead", "en")]) == list(records["lead_id"]) and total == int(won["customers"])
    assert at.query_params["mkt_stage"] == "customer"
    at.segmented_control(key="mkt_stage").set_value("opportunity")
    _ok(_rerun(at))
    assert at.query_params["mkt_stage"] == "opportunity" and len(_records_shown(at)) == min(int(won["opportunities"]), 200)
    at.segmented_control(key="mkt_stage").set_value("lead")  # the default: the link leaves it out
    _ok(_rerun(at))
    assert "mkt_stage" not in at.query_params and at.query_params["mkt_pick"] == won["code"]
    # A stage that is none of the three is refused: all leads.
    bad = open_app(monkeypatch, demo_crm.url, params={"period": "last_12_months", "mkt_stage": "won"}, page="marketing")
    assert not _errors(bad) and bad.segmented_control(key="mkt_stage").value == "lead" and "mkt_stage" not in bad.query_params


# --- Languages, scope, empty and failing data ---------------------------------------------------------


def test_the_page_in_chinese(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    files = capture_downloads(monkeypatch)
    at = open_app(monkeypatch, demo_crm.url, params={"period": "last_12_months", "mkt_by": "kind"}, page="marketing")
    at.segmented_control(key="lang").set_value("zh")
    _ok(_rerun(at))
    assert at.title[0].value == t("mkt.title", "zh") and not _errors(at), _errors(at)
    flt = _flt(demo_crm)
    table, comps = _computed(demo_crm, flt, "kind")
    _assert_cards(at, comps, demo_crm.currency, "zh")
    _assert_table(at, table, "kind", demo_crm.currency, "zh")
    assert display("mkt.kind", "roadshow", "zh") in list(_table(at, "zh")[t("mkt.by.kind", "zh")])
    assert t("mkt.note.cost", "zh") in [m.value for m in at.markdown]
    # The table's CSV is the table shown, row by row, as numbers (money titles carry the currency).
    shown, csv = _table(at, "zh"), read_csv(files["mkt_table_csv"])
    money = {t(f"mkt.col.{c}", "zh") for c, _, kind in FIGURES if kind.startswith("money")}
    assert list(csv.columns) == [f"{c} ({demo_crm.currency})" if c in money else c for c in shown.columns]
    for (_, seen), (_, sent) in zip(shown.iterrows(), csv.iterrows(), strict=True):
        assert seen[t("mkt.by.kind", "zh")] == sent[t("mkt.by.kind", "zh")]
        for column, title, kind in FIGURES:
            name = t(title, "zh")
            value = sent[f"{name} ({demo_crm.currency})" if name in money else name]
            assert seen[name] == widgets.figure_value(kind, None if pd.isna(value) else value, demo_crm.currency, "zh"), (column, value)
    # The drill-through in Chinese: its choices, its stages and its list; and the list's CSV is the list shown.
    first = table.iloc[0]
    pick = at.selectbox(key="mkt_pick")
    assert pick.value == first["code"]
    assert pick.options[0] == t("mkt.drill.pick_label", "zh", name=display("mkt.kind", first["kind"], "zh"), n=fmt.number(int(first["leads"]), "zh"))
    assert at.segmented_control(key="mkt_stage").options == [
        t(f"mkt.drill.stage.{s}", "zh", n=fmt.number(int(first[c]), "zh"))
        for s, c in (("lead", "leads"), ("opportunity", "opportunities"), ("customer", "customers"))
    ]
    listed = _records_shown(at, "zh")
    records, total = _records(demo_crm, flt, "kind", first["kind"])
    assert listed is not None and list(listed[t("records.lead", "zh")]) == list(records["lead_id"])[:200]
    assert {t("records.company", "zh"), t("mkt.drill.unit", "zh"), t("mkt.drill.customer", "zh"), t("mkt.drill.first_order", "zh")} <= set(listed.columns)
    sent = read_csv(files["mkt_records_csv"])
    assert list(sent.columns) == list(listed.columns) and len(sent) == len(listed) == min(total, 200)
    assert list(sent[t("records.lead", "zh")]) == list(listed[t("records.lead", "zh")])
    assert list(sent[t("mkt.drill.customer", "zh")].fillna("")) == list(listed[t("mkt.drill.customer", "zh")])


def test_the_type_view_sets_only_its_costed_campaigns_revenue_against_cost(year_app: AppTest, demo_crm: Crm) -> None:  # noqa: F811
    # By campaign type, a type's leads include those of its campaigns that started before the period (no cost here):
    # the ROI shown is (revenue against cost − cost) ÷ cost, never (all its revenue − cost) ÷ cost. (The demo's year at
    # size XS has no type whose two revenues differ: tests/test_campaigns.py works such a row out by hand.)
    table, _ = _computed(demo_crm, _flt(demo_crm), "kind")
    at = year_app
    at.segmented_control(key="mkt_by").set_value("kind")
    _ok(_rerun(at))
    try:
        shown = {r[t("mkt.by.kind", "en")]: r for _, r in _table(at).iterrows()}
        costed = [r for r in table.to_dict("records") if r["cost"] is not None and r["cost"]]
        assert costed
        for name, row in zip(_name(table, "kind"), table.to_dict("records"), strict=True):
            against = widgets.figure_value("money_compact", row["costed_revenue"], demo_crm.currency, "en")
            assert shown[name][t("mkt.col.costed_revenue", "en")] == against
            if row in costed and not row["unpriced_orders"]:
                roi = float((row["costed_revenue"] - row["cost"]) / row["cost"])
                assert shown[name][t("mkt.col.roi", "en")] == fmt.percent(roi, "en"), name
    finally:
        at.segmented_control(key="mkt_by").set_value("campaign")  # the module's other tests read the campaign view
        _ok(_rerun(at))


def test_a_regional_head_sees_the_region_only(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = open_app(monkeypatch, demo_crm.url, user="head.east", params={"period": "last_12_months"}, page="marketing")
    assert at.title[0].value == t("mkt.title", "en") and not _errors(at), _errors(at)
    flt = _flt(demo_crm)
    east, comps = _computed(demo_crm, flt, viewer=EAST)
    company, company_comps = _computed(demo_crm, flt)
    assert east["leads"].sum() < company["leads"].sum()
    assert comps["leads"].current.value != company_comps["leads"].current.value
    _assert_cards(at, comps, demo_crm.currency)
    _assert_table(at, east, "campaign", demo_crm.currency)


def test_empty_data_says_what_is_missing_and_the_rest_renders(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    params = {"period": "custom", "start": "2010-01-01", "end": "2010-03-31"}
    at = open_app(monkeypatch, demo_crm.url, params=params, page="marketing")
    assert not _errors(at), _errors(at)
    infos = [i.value for i in at.info]
    assert t("mkt.empty", "en") in infos and t("mkt.chart_no_cost", "en") in infos
    assert len(list(at.metric)) == len(KPIS)  # the cards still show, each saying why it has no value
    assert any(e.label == t("definitions.title", "en") for e in at.expander)


def test_a_source_filter_withholds_cost_and_says_why(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    at = open_app(monkeypatch, demo_crm.url, params={"period": "last_12_months", "source": "event"}, page="marketing")
    assert not _errors(at), _errors(at)
    flt = _flt(demo_crm, sources=("event",))
    table, comps = _computed(demo_crm, flt)
    assert table["cost"].isna().all() and comps["campaign_roi"].current.value is None
    _assert_table(at, table, "campaign", demo_crm.currency)
    assert t("mkt.withheld", "en", filters=t("filter.source", "en")) in [i.value for i in at.info]
    assert set(_table(at)[t("mkt.col.note", "en")]) == {t("mkt.cost_note.withheld", "en")}


def test_a_failing_part_does_not_take_the_page_down(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    def broken(ctx: object, flt: object, arg: object) -> object:
        raise RuntimeError("the records are unreadable")

    monkeypatch.setitem(cache.TABLES, "mkt_records", broken)
    params = {"period": "custom", "start": "2025-01-05", "end": "2025-06-07"}  # a period no other test caches
    at = open_app(monkeypatch, demo_crm.url, params=params, page="marketing")
    assert not at.exception
    assert [e.value for e in at.error] == [
        fmt.md_escape(t("section.failed", "en", section=t("mkt.drill.title", "en"), detail=t("section.failed_generic", "en", kind="RuntimeError")))
    ]
    table, _ = _computed(demo_crm, Filters(Period(date(2025, 1, 5), date(2025, 6, 7), "week", "days")))
    assert len(_table(at)) == len(table)  # the rest renders


def test_a_scope_leads_cannot_take_says_so(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    # The demo's North China head sees two business units only; leads carry none, so no lead figure can be limited to them.
    at = open_app(monkeypatch, demo_crm.url, user="head.north", params={"period": "last_12_months"}, page="marketing")
    assert at.title[0].value == t("mkt.title", "en") and not _errors(at), _errors(at)
    infos = [i.value for i in at.info]
    for section in ("mkt.table.title", "mkt.leads_chart", "mkt.drill.title"):
        assert t("section.no_scope", "en", section=t(section, "en")) in infos, section
    assert not [d for d in at.dataframe if t("records.lead", "en") in d.value.columns]


def test_a_young_period_offers_a_longer_one(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:  # noqa: F811
    # This quarter's leads have won no customer yet: the page says why ROI is
    # mostly cost, and one click shows the last 12 months.
    at = open_app(monkeypatch, demo_crm.url, page="marketing")
    quarter, _ = _computed(demo_crm, _flt(demo_crm, "qtd"))
    assert quarter["leads"].sum() > 0 and quarter["customers"].sum() == 0
    _assert_table(at, quarter, "campaign", demo_crm.currency)
    assert fmt.md_escape(t("mkt.immature", "en", date=fmt.day(demo_crm.as_of, "en"))) in "\n".join(m.value for m in at.markdown)
    at.button(key="mkt_look_back").click()
    _ok(_rerun(at))
    assert at.query_params["period"] == "last_12_months" and not _errors(at)
    year, _ = _computed(demo_crm, _flt(demo_crm))
    _assert_table(at, year, "campaign", demo_crm.currency)
    assert not [b for b in at.button if b.key == "mkt_look_back"] or year["customers"].sum() == 0
