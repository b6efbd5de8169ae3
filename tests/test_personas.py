"""Access control through the app (AppTest): each demo user on each page, with honest and tampered
links, shows exactly the figures of their own part of the organisation — checked against oracles
that never go through the viewer — and nothing of anyone else's.

- The persona matrix: every KPI card equals the metric computed for the persona's scope written as
  an explicit unit and business-unit *filter* for a whole-company viewer (so the viewer path is not
  its own oracle), and a few counts equal plain SQL; the Units page's rows equal the same oracle per
  unit; no other region's units or business units appear anywhere on the page.
- Every statement that reads a fact table while a scoped user's pages render carries the scope's
  unit ids (a SQLAlchemy ``before_cursor_execute`` hook).
- Cached results are keyed by the viewer: two users with the same filters never share one.
- The unentitled visitor and the visitor who has not signed in see no figure and cause no query;
  sign-ins and failures land in Granary's own database; pages a role may not use are not
  registered; a CRM name with HTML in it is shown as text.
"""

from __future__ import annotations

import inspect
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import Engine, event, select, text
from streamlit.testing.v1 import AppTest

from data_layer import dimensions, schema
from data_layer.app_store import open_app_store, recent_sign_ins
from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import Filters, Period, Role, Viewer, preset_period
from metrics.base import Comparison, Context, Grouping, compare, evaluate
from metrics.funnel import AMOUNT_STAGES, STAGES, STEPS
from metrics.registry import HEADLINE, REGISTRY
from tests import persona_oracle as oracle
from tests.apptest import ROOT, app_test, open_app, sign_in_with_form
from tests.test_app import GUARD_MESSAGE, Crm, demo_crm  # noqa: F401 - fixture
from tests.test_pages import navigation  # noqa: F401 - fixture
from ui import auth, cache, filterbar, widgets
from ui import format as fmt
from ui.i18n import display, t
from ui.session import PAGES, ROLE_PAGES

PERIOD = "last_quarter"
EXECUTIVE = Viewer(user="oracle", role=Role.EXECUTIVE)


@dataclass(frozen=True)
class Persona:
    """A demo user (config/demo-entitlements.toml) and the scope the oracles use, written out here
    rather than read from the file the app reads."""

    user: str
    unit: str | None
    bus: tuple[str, ...] | None
    #: URL parameters pointing outside the scope: each must be refused.
    tampered: dict[str, str | list[str]]


PERSONAS = {
    "ceo": Persona("ceo", None, None, {"unit": "NO-SUCH-UNIT", "bu": "NOPE", "drill": "NO-SUCH-UNIT"}),
    "head.east": Persona("head.east", "CN-E", None, {"unit": "INTL-EU", "drill": "CN-N-BJ"}),
    "head.north": Persona("head.north", "CN-N", ("NET", "SEC"), {"unit": "CN-E", "bu": "CLD", "drill": "CN-E-SH"}),
    "lead.shanghai": Persona("lead.shanghai", "CN-E-SH-T1", None, {"unit": "CN-E-SH", "drill": "CN-E-SH-T2"}),
}
#: The pages each persona's role may open (the demo file narrows the team lead's).
TEAM_LEAD_PAGES = ("overview", "units", "funnel", "sales_cycle", "pipeline", "handoffs", "targets", "incentives", "health")


def granted(persona: Persona) -> tuple[str, ...]:
    return TEAM_LEAD_PAGES if persona.user == "lead.shanghai" else ROLE_PAGES[Role.EXECUTIVE]


MATRIX = [(user, page, how) for user, p in PERSONAS.items() for page in granted(p) for how in ("clean", "tampered")]


# --- Oracles (never through the viewer) ----------------------------------------------------------


def _period(crm: Crm) -> Period:
    return preset_period(PERIOD, crm.as_of, load_settings().calendar)


def scope_filters(crm: Crm, persona: Persona) -> Filters:
    """The persona's scope as plain filters, for a whole-company viewer."""
    return Filters(_period(crm), unit=persona.unit, bus=persona.bus or ())


def _ctx(engine: Engine, crm: Crm) -> Context:
    return Context(engine, crm.org, EXECUTIVE, load_settings().calendar, crm.currency, crm.as_of)


def oracle_comparisons(crm: Crm, persona: Persona, keys: list[str]) -> dict[str, Comparison]:
    engine = make_engine(crm.url)
    try:
        return {key: compare(REGISTRY[key], _ctx(engine, crm), scope_filters(crm, persona)) for key in keys}
    finally:
        engine.dispose()


def _subtree_by_sql(conn, code: str) -> list[int]:  # noqa: ANN001 - a DB-API/SQLAlchemy connection
    rows = conn.execute(text("SELECT unit_id, parent_id, code FROM org_unit")).all()
    root = next(r.unit_id for r in rows if r.code == code)
    out, frontier = {root}, {root}
    while frontier:
        frontier = {r.unit_id for r in rows if r.parent_id in frontier} - out
        out |= frontier
    return sorted(out)


def sql_counts(crm: Crm, persona: Persona) -> dict[str, int]:
    """Won orders and opportunities in the persona's scope, by hand-written SQL."""
    period = _period(crm)
    lo, hi = period.utc_bounds(load_settings().calendar)
    engine = make_engine(crm.url)
    try:
        with engine.connect() as conn:
            where, params = [], {}
            if persona.unit is not None:
                ids = _subtree_by_sql(conn, persona.unit)
                where.append(f"unit_id IN ({', '.join(str(i) for i in ids)})")
            if persona.bus is not None:
                where.append("bu_id IN (SELECT bu_id FROM business_unit WHERE code IN (" + ", ".join(f"'{c}'" for c in persona.bus) + "))")
            scope = "".join(f" AND {w}" for w in where)
            orders = conn.execute(
                text(f"SELECT count(*) FROM sales_order WHERE order_date BETWEEN :a AND :b{scope}"), {"a": period.start, "b": period.end}
            ).scalar()
            opps = conn.execute(
                text(f"SELECT count(*) FROM opportunity WHERE created_at >= :a AND created_at < :b{scope}"), {"a": lo, "b": hi}
            ).scalar()
            del params
    finally:
        engine.dispose()
    return {"won_orders": int(orders), "opportunities": int(opps)}


def allowed_names(crm: Crm, persona: Persona) -> tuple[set[str], set[str]]:
    """Names of the units (scope, and the units above it) and business units the persona may see;
    every other unit's and business unit's name is forbidden on their pages."""
    org = crm.org
    if persona.unit is None:
        units = {u.name for u in org.units}
    else:
        inside = org.subtree_ids(persona.unit)
        units = {u.name for u in org.units if u.unit_id in inside} | {u.name for u in org.path(persona.unit)}
    engine = make_engine(crm.url)
    try:
        with engine.connect() as conn:
            bus = {r.code: r.name for r in conn.execute(select(schema.business_unit.c.code, schema.business_unit.c.name))}
    finally:
        engine.dispose()
    return units, {name for code, name in bus.items() if persona.bus is None or code in persona.bus}


# --- What a page shows ---------------------------------------------------------------------------


def _nodes(node) -> Iterator[object]:  # noqa: ANN001 - streamlit.testing element tree
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def shown_texts(at: AppTest) -> tuple[list[str], list[str]]:
    """Every text on the page (values, labels, options) and every cell of every table."""
    texts: list[str] = []
    cells: list[str] = []
    for node in _nodes(at._tree):  # noqa: SLF001 - the whole tree, sidebar included
        for attr in ("value", "label", "options", "body"):
            try:
                value = getattr(node, attr, None)
            except Exception:  # noqa: BLE001 - some elements compute values lazily
                continue
            if isinstance(value, pd.DataFrame):
                frame = value.reset_index()
                cells += [str(v) for col in frame.columns for v in frame[col].tolist()] + [str(c) for c in frame.columns]
            elif isinstance(value, str):
                texts.append(value)
            elif isinstance(value, list | tuple):
                texts += [str(v) for v in value]
    return texts, cells


def assert_nothing_outside(at: AppTest, crm: Crm, persona: Persona) -> None:
    """No name of a unit or business unit outside the persona's scope anywhere on the page."""
    units, bus = allowed_names(crm, persona)
    forbidden = {u.name for u in crm.org.units} - units
    forbidden_bus = set(allowed_names(crm, PERSONAS["ceo"])[1]) - bus
    texts, cells = shown_texts(at)
    everything = "\n".join(texts + cells).replace("\\", "")
    for name in forbidden:
        if not any(name in ok for ok in units):  # "Shanghai Team 1" is inside "Shanghai Team 12"
            assert name not in everything, (persona.user, name)
    for name in forbidden_bus:
        assert name not in cells and name not in texts, (persona.user, name)


def independent_value(crm: Crm, key: str, scope: oracle.Scope) -> object:
    """``key``'s value for the period in ``scope``, recomputed in pandas from the raw tables
    (tests/persona_oracle.py: never through ``metrics`` or the viewer)."""
    period = _period(crm)
    return oracle.load(crm.url, crm.as_of, crm.currency).metric(key, scope, period.start, period.end)


def assert_kpis(at: AppTest, crm: Crm, persona: Persona, page: str) -> int:
    """Each KPI card of a registered metric shows the oracle's figure — the metric computed with the
    scope as filters, and, where tests/persona_oracle.py has one (every Overview KPI), the value
    recomputed in pandas from the raw tables; returns how many were checked.

    A metric whose records cannot be limited to the persona's business units (leads have none)
    must not be shown at all for a business-unit-limited persona."""
    cards = [(m.label, m.value) for m in at.metric]
    by_label = {metric.label["en"]: key for key, metric in REGISTRY.items()}
    keys = [by_label[label] for label, _ in cards if label in by_label]
    expected = oracle_comparisons(crm, persona, sorted(set(keys)))
    data = oracle.load(crm.url, crm.as_of, crm.currency)
    scope = data.scope(persona.unit, persona.bus)
    independent = 0
    for label, value in cards:
        key = by_label.get(label)
        if key is None:
            continue  # a page's own figure (velocity, payouts), not a registered metric
        metric = REGISTRY[key]
        assert value == fmt.kpi_value(metric, expected[key].current.value, crm.currency, "en"), (persona.user, page, key)
        if hasattr(data, f"m_{key}"):
            by_hand = independent_value(crm, key, scope)
            assert value == fmt.kpi_value(metric, by_hand, crm.currency, "en"), (persona.user, page, key, "pandas")
            independent += 1
    if page in ("overview", "units"):  # the Overview's seven KPIs, each against its pandas oracle
        assert [label for label, _ in cards] == [REGISTRY[k].label["en"] for k in HEADLINE], (persona.user, page)
        assert independent == len(HEADLINE), (persona.user, page, independent)
    if persona.bus is not None:
        no_bu = {k for k, m in REGISTRY.items() if "lead" in k and k != "lead_to_order_median_days"} | {"leads"}
        assert not (no_bu & set(keys)), (persona.user, page, no_bu & set(keys))
    counts = sql_counts(crm, persona)
    for key, n in counts.items():
        if REGISTRY[key].label["en"] in dict(cards):
            assert dict(cards)[REGISTRY[key].label["en"]] == fmt.kpi_value(REGISTRY[key], n, crm.currency, "en"), (persona.user, page, key)
    return len(keys)


def assert_units_table(at: AppTest, crm: Crm, persona: Persona) -> None:
    """The Units page's table: one row per child of the persona's unit, each KPI equal to the metric
    grouped by unit (scope as filters) and to the pandas oracle for the child's subtree."""
    names = {t(k, "en") for k in ("league.unit", "units.rep")}
    tables = [d.value for d in at.dataframe if names & set(d.value.columns)]
    if not tables:  # a team whose reps have no records in the period
        assert [i.value for i in at.info], "neither a table nor a notice"
        return
    assert len(tables) == 1
    table = tables[0]
    if t("league.unit", "en") not in table.columns:
        return  # a team lists its reps
    org = crm.org
    children = org.compared_units(persona.unit)
    engine = make_engine(crm.url)
    try:
        ctx = _ctx(engine, crm)
        expected = {key: evaluate(REGISTRY[key], ctx, scope_filters(crm, persona), Grouping("unit")) for key in HEADLINE}
    finally:
        engine.dispose()
    shown = {row[t("league.unit", "en")]: row for _, row in table.iterrows()}
    data = oracle.load(crm.url, crm.as_of, crm.currency)
    labels = [REGISTRY[k].label["en"] for k in HEADLINE]
    assert [c for c in table.columns if c in labels] == labels  # every KPI is compared
    for unit in children:
        assert unit.name in shown, (persona.user, unit.name, list(shown))
        for key in HEADLINE:
            metric = REGISTRY[key]
            frame = expected[key]
            got = frame.loc[frame["group"] == unit.code, "value"]
            value = got.iloc[0] if len(got) else None
            if value is None or (isinstance(value, float) and pd.isna(value)):
                value = 0 if metric.kind in ("count", "money") else None
            cell = shown[unit.name][metric.label["en"]]
            assert cell == widgets.figure_text(metric, value, crm.currency, "en"), (unit.name, key)
            by_hand = independent_value(crm, key, data.scope(unit.code, persona.bus))
            assert cell == widgets.figure_text(metric, by_hand, crm.currency, "en"), (unit.name, key, "pandas")


# --- The page tables: the same metrics functions, for a whole-company viewer with the scope as filters


@dataclass
class PageOracle:
    """What a page's tables and its own figures must show, computed without the viewer: each table
    as the page builds it from ``ui.cache.TABLES[name]`` (None where the page shows a notice
    instead), keyed by its column titles, and the page's own (label, figure) cards."""

    tables: dict[tuple[str, ...], pd.DataFrame | None]
    cards: list[tuple[str, str]]


def _oracle_churn(ctx: Context, flt: Filters, cur: str) -> PageOracle:
    org = ctx.org
    logo, grr, nrr = REGISTRY["logo_churn"], REGISTRY["grr"], REGISTRY["nrr"]
    units = cache.TABLES["churn_table"](ctx, flt, "unit")
    frame = pd.DataFrame(
        {
            t("table.unit", "en"): [widgets.unit_name(org, g, "en") for g in units["group"]],
            t("churn.base", "en"): units["base"],
            t("churn.churned", "en"): units["churned"],
            logo.label["en"]: pd.to_numeric(units["logo_churn"], errors="coerce").round(3),
            grr.label["en"]: pd.to_numeric(units["grr"], errors="coerce").round(3),
            nrr.label["en"]: pd.to_numeric(units["nrr"], errors="coerce").round(3),
        }
    )
    risk = cache.TABLES["accounts_at_risk"](ctx, flt, None).head(50)
    at_risk = pd.DataFrame(
        {
            t("risk.account", "en"): risk["name"].astype(str),
            t("table.unit", "en"): [widgets.unit_name(org, g, "en") for g in risk["home_unit"]],
            t("risk.last_order", "en"): pd.to_datetime(risk["last_order_date"]),
            t("risk.days_since", "en"): risk["days_since_last_order"],
            t("risk.usual", "en"): risk["usual_interval_days"].round(0),
        }
    )
    return PageOracle({tuple(frame.columns): None if units.empty else frame, tuple(at_risk.columns): None if risk.empty else at_risk}, [])


def _oracle_wallet(ctx: Context, flt: Filters, cur: str) -> PageOracle:
    org = ctx.org
    share, coverage = REGISTRY["share_of_wallet"], REGISTRY["wallet_coverage"]
    top = cache.TABLES["wallet_accounts"](ctx, flt, 25)
    headroom = pd.DataFrame(
        {
            t("risk.account", "en"): top["account"].astype(str),
            t("table.unit", "en"): [widgets.unit_name(org, u, "en") for u in top["unit"]],
            t("headroom.headroom", "en"): top["headroom"].astype(float),
            t("headroom.revenue", "en"): top["revenue"].astype(float),
            t("headroom.wallet", "en"): top["wallet"].astype(float),
            share.label["en"]: top["share"].round(3),
        }
    )
    seg = cache.TABLES["wallet_summary"](ctx, flt, "segment").sort_values("group", ignore_index=True)
    segments = pd.DataFrame(
        {
            t("segment.segment", "en"): [fmt.DASH if g is None or pd.isna(g) else display("segment", str(g), "en") for g in seg["group"]],
            t("segment.accounts", "en"): seg["accounts"],
            t("segment.estimated", "en"): seg["with_estimate"],
            share.label["en"]: pd.to_numeric(seg["share_of_wallet"], errors="coerce").round(3),
            t("segment.median", "en"): pd.to_numeric(seg["median_share"], errors="coerce").round(3),
            coverage.label["en"]: pd.to_numeric(seg["coverage"], errors="coerce").round(3),
        }
    )
    conc = cache.TABLES["concentration"](ctx, flt, None)
    tiers = pd.DataFrame(
        {
            t("tier.tier", "en"): [t(f"tier.{k.lower()}", "en") for k in conc.tiers["tier"]],
            t("segment.accounts", "en"): conc.tiers["accounts"],
            t("headroom.revenue", "en"): conc.tiers["revenue"].astype(float),
            t("tier.share", "en"): pd.to_numeric(conc.tiers["share"], errors="coerce").round(3),
        }
    )
    return PageOracle(
        {
            tuple(headroom.columns): None if top.empty else headroom,
            tuple(segments.columns): None if seg.empty or seg["share_of_wallet"].isna().all() else segments,
            tuple(tiers.columns): None if conc.curve["share"].isna().all() else tiers,
        },
        [],
    )


def _oracle_sales_cycle(ctx: Context, flt: Filters, cur: str) -> PageOracle:
    org = ctx.org
    total = cache.TABLES["sales_velocity"](ctx, flt, None).iloc[0]
    cards = [
        (t("velocity.per_day", "en"), fmt.money(total["velocity_per_day"], cur, "en", compact=True)),
        (t("velocity.open_deals", "en"), fmt.number(total["open_deals"], "en")),
        (t("velocity.win_rate", "en"), fmt.percent(total["win_rate"], "en")),
        (t("velocity.average_won", "en"), fmt.money(total["average_won_amount"], cur, "en", compact=True)),
        (t("velocity.median_cycle", "en"), fmt.days(total["median_cycle_days"], "en")),
    ]
    units = cache.TABLES["sales_velocity"](ctx, flt, "unit")
    velocity = pd.DataFrame(
        {
            t("table.unit", "en"): [widgets.unit_name(org, g, "en") for g in units["group"]],
            t("velocity.per_day", "en"): pd.to_numeric(units["velocity_per_day"], errors="coerce"),
            t("velocity.open_deals", "en"): units["open_deals"],
            t("velocity.win_rate", "en"): pd.to_numeric(units["win_rate"], errors="coerce").round(3),
            t("velocity.average_won", "en"): pd.to_numeric(units["average_won_amount"], errors="coerce"),
            t("velocity.median_cycle", "en"): pd.to_numeric(units["median_cycle_days"], errors="coerce").round(1),
        }
    ).sort_values(t("velocity.per_day", "en"), ascending=False, na_position="last", ignore_index=True)
    stalled = cache.TABLES["stalled_deals"](ctx, flt, "unit").head(50)
    reps = dimensions.rep_names(ctx.engine)
    no_owner = t("stalled.no_owner", "en")
    deals = pd.DataFrame(
        {
            t("stalled.deal", "en"): stalled["name"].astype(str),
            t("table.unit", "en"): [widgets.unit_name(org, g, "en") for g in stalled["group"]],
            t("stalled.owner", "en"): [reps.get(int(r), no_owner) if pd.notna(r) else no_owner for r in stalled["owner_rep_id"]],
            t("stalled.age", "en"): stalled["age_days"].round(0),
            t("stalled.p90", "en"): stalled["p90_days"].round(0),
        }
    )
    return PageOracle({tuple(velocity.columns): None if units.empty else velocity, tuple(deals.columns): None if stalled.empty else deals}, cards)


def _oracle_funnel(ctx: Context, flt: Filters, cur: str) -> PageOracle:
    """The page's defaults: cohort counting, no window, step rates by unit."""
    stages = cache.TABLES["funnel"](ctx, flt, ("cohort", None, None))
    counts = [int(v) for v in stages["reached"]]
    steps = [None if pd.isna(v) else float(v) for v in stages["step_rate"]]
    cums = [None if pd.isna(v) else float(v) for v in stages["cumulative_rate"]]
    amounts = [None if v is None or pd.isna(v) else float(v) for v in stages["amount"]]
    main = pd.DataFrame(
        {
            t("records.stage", "en"): [t(f"funnel.stage.{s}", "en") for s in STAGES],
            t("funnel.count_cohort", "en"): [fmt.number(c, "en") for c in counts],
            t("funnel.step_rate", "en"): [fmt.percent(v, "en") for v in steps],
            t("funnel.cumulative_rate", "en"): [fmt.percent(v, "en") for v in cums],
            f"{t('funnel.amount', 'en')} ({cur})": [
                fmt.money(v, cur, "en", compact=True) if v is not None and s in AMOUNT_STAGES else fmt.DASH for s, v in zip(STAGES, amounts, strict=True)
            ],
        }
    )
    groups = cache.TABLES["funnel"](ctx, flt, ("cohort", None, "unit"))
    unit_title, leads_title = t("split.unit", "en"), t("funnel.stage.lead", "en")
    rows = []
    for code, part in groups.groupby("group", dropna=False, sort=False):
        part = part.set_index("stage")
        row = {unit_title: widgets.unit_name(ctx.org, code, "en"), leads_title: int(part.loc["lead", "reached"])}
        for step, stage in zip(STEPS, STAGES[1:], strict=True):
            value = part.loc[stage, "step_rate"]
            row[t(f"funnel.step.{step}", "en")] = None if pd.isna(value) else float(value)
        rows.append(row)
    split_columns = (unit_title, leads_title, *(t(f"funnel.step.{s}", "en") for s in STEPS))
    split = None
    if not groups.empty and groups["reached"].any():
        data = pd.DataFrame(rows).sort_values(leads_title, ascending=False, ignore_index=True)
        split = data.copy()
        split[leads_title] = [fmt.number(v, "en") for v in data[leads_title]]
        for step in STEPS:
            split[t(f"funnel.step.{step}", "en")] = [fmt.percent(None if pd.isna(v) else v, "en") for v in data[t(f"funnel.step.{step}", "en")]]
    returned = cache.TABLES["returned_leads"](ctx, flt, None).iloc[0]
    cards = []
    if returned["returned"]:
        cards = [
            (t("returned.returned", "en"), fmt.number(returned["returned"], "en")),
            (t("returned.converted", "en"), fmt.number(returned["converted_later"], "en")),
            (t("returned.share", "en"), fmt.percent(returned["share"], "en")),
        ]
    return PageOracle({tuple(main.columns): main if any(counts) else None, split_columns: split}, cards)


PAGE_ORACLES = {"churn": _oracle_churn, "wallet": _oracle_wallet, "sales_cycle": _oracle_sales_cycle, "funnel": _oracle_funnel}


def assert_page_tables(at: AppTest, crm: Crm, persona: Persona, page: str) -> int:
    """Each main table (and the page's own figure cards) of the Churn, Wallet, Sales cycle and Funnel
    pages equals the oracle cell for cell; returns how many tables were compared."""
    engine = make_engine(crm.url)
    try:
        expected = PAGE_ORACLES[page](_ctx(engine, crm), scope_filters(crm, persona), crm.currency)
    finally:
        engine.dispose()
    shown = {tuple(d.value.columns): d.value for d in at.dataframe}
    compared = 0
    for columns, frame in expected.tables.items():
        if frame is None:
            assert columns not in shown, (persona.user, page, columns)
            continue
        assert columns in shown, (persona.user, page, columns, list(shown))
        got = shown[columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, frame.reset_index(drop=True), check_dtype=False, check_exact=True, obj=f"{persona.user} {page} {columns[0]}")
        compared += 1
    cards = [(m.label, m.value) for m in at.metric]
    for card in expected.cards:
        assert card in cards, (persona.user, page, card, cards)
    return compared


# --- The matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "page", "how"), MATRIX)
def test_each_persona_on_each_page_sees_exactly_their_scope(
    navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, user: str, page: str, how: str
) -> None:
    persona = PERSONAS[user]
    params: dict[str, str | list[str]] = {"period": PERIOD, **(persona.tampered if how == "tampered" else {})}
    at = open_app(monkeypatch, demo_crm.url, user=user, params=params, page=page)
    if how == "tampered":
        notice = "\n".join(w.value for w in at.warning)
        assert "Some settings in the link were ignored" in notice, notice
        for name, value in persona.tampered.items():
            if name != "drill" or page == "units":
                assert at.query_params.get(name) != value, name
    # The filter bar offers nothing outside the scope.
    offered = [u.strip("\u2003 ") for u in at.selectbox(key=filterbar.K_UNIT).options]
    units, bus_names = allowed_names(demo_crm, persona)
    assert all(name in units or name == t("filters.all_units", "en") for name in offered), offered
    assert set(at.multiselect(key=filterbar.K_LISTS["bus"]).options) <= bus_names
    # No error anywhere: figures a business-unit scope cannot be applied to (leads carry no
    # business unit) are withheld with a notice that says why.
    assert not [e.value for e in at.error], [e.value for e in at.error]
    if persona.bus is not None and page == "funnel":  # the Overview's KPIs all carry a business unit (or count its orders)
        notices = [i.value for i in at.info] + [c.value for c in at.caption]
        assert any("cannot be limited to the part of the organisation" in n or "cannot be limited to it" in n for n in notices), notices
    assert_nothing_outside(at, demo_crm, persona)
    checked = assert_kpis(at, demo_crm, persona, page)
    if page in ("overview", "churn", "wallet", "sales_cycle"):
        assert checked >= 2, (page, [m.label for m in at.metric])
    if page == "units" and persona.bus is None:
        assert_units_table(at, demo_crm, persona)
    if page in PAGE_ORACLES:
        if persona.bus is not None and page == "funnel":
            assert not at.dataframe, [list(d.value.columns) for d in at.dataframe]  # leads carry no business unit
        else:
            assert assert_page_tables(at, demo_crm, persona, page) >= 1, (page, [list(d.value.columns) for d in at.dataframe])


def test_a_narrower_unit_and_business_unit_within_the_scope_are_honoured(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    persona = PERSONAS["head.north"]
    at = open_app(monkeypatch, demo_crm.url, user="head.north", params={"period": PERIOD, "unit": "CN-N-BJ", "bu": "NET"})
    assert not at.warning, [w.value for w in at.warning]
    narrowed = Persona("head.north", "CN-N-BJ", ("NET",), {})
    assert assert_kpis(at, demo_crm, narrowed, "overview") >= 3
    assert_nothing_outside(at, demo_crm, persona)


def test_pages_a_role_may_not_use_are_not_registered(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = open_app(monkeypatch, demo_crm.url, user="lead.shanghai")
    for page in set(PAGES) - set(TEAM_LEAD_PAGES):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(PAGES[page].path)
    for page in TEAM_LEAD_PAGES:
        at.switch_page(PAGES[page].path).run()
        assert not at.exception


# --- No figure and no query before an entitlement ------------------------------------------------


@contextmanager
def crm_statements(crm_url: str) -> Iterator[list[tuple[str, object]]]:
    """Every statement sent to the CRM's database (any engine on its file) inside the block."""
    path = str(Path(crm_url.removeprefix("duckdb:///")).resolve())
    seen: list[tuple[str, object]] = []

    def hook(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001 - SQLAlchemy's signature
        db = conn.engine.url.database
        if db and str(Path(db).resolve()) == path:
            seen.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", hook)


def test_the_unentitled_visitor_sees_a_notice_and_nothing_else_and_no_query_runs(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    st.cache_data.clear()
    with crm_statements(demo_crm.url) as seen:
        at = app_test(monkeypatch, demo_crm.url, user="visitor")
        at.query_params.update({"period": PERIOD, "unit": "CN-E"})
        at.run()
        at.run()
    assert not at.exception
    assert seen == []
    assert [w.value for w in at.warning] == [t("auth.not_entitled", "en", name="Sam Taylor")]
    assert not at.metric and not at.dataframe and not at.selectbox and not at.multiselect and not at.title
    assert [b.label for b in at.button] == [t("auth.sign_out", "en")]
    for page in PAGES.values():  # a page file run by itself, in the visitor's session
        with crm_statements(demo_crm.url) as seen:
            alone = app_test(monkeypatch, demo_crm.url, user="visitor", script=str(ROOT / page.path)).run()
        assert [i.value for i in alone.info] == [GUARD_MESSAGE] and not alone.metric and not alone.dataframe, page.key
        assert seen == [], page.key


def test_before_sign_in_only_the_form_shows_and_no_query_runs(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    with crm_statements(demo_crm.url) as seen:
        at = app_test(monkeypatch, demo_crm.url, user=None)
        at.query_params.update({"period": PERIOD})
        at.run()
    assert not at.exception and seen == []
    assert [w.label for w in at.text_input] == [t("auth.user", "en"), t("auth.password", "en")]
    assert not at.metric and not at.selectbox and not at.title
    demo = at.dataframe[0].value  # the demo's users, listed with their public passwords
    assert "head.east" in list(demo[t("auth.user", "en")])


# --- Every statement carries the scope -----------------------------------------------------------

FACT_TABLES = ("sales_order", "opportunity", "lead", "opportunity_stage_history", "lead_status_history", "account_history",
               "granary_order_month", "granary_first_order", "target", "wallet_estimate", "activity", "service_ticket")
_READS = re.compile(r'\b(?:FROM|JOIN)\s+(?:"?\w+"?\.)?"?(' + "|".join(FACT_TABLES) + r')"?(?:\s|$|,|\))', re.IGNORECASE)
#: Statements that read a fact table on purpose without the viewer's scope, and why each is safe:
UNSCOPED = {
    # the data's as-of date (newest record of the whole CRM: a date, the same for everyone)
    "as_of": re.compile(r"^SELECT (?:\(SELECT max\(\w+\.\w+\) AS \w+ FROM \w+\) AS \w+(?:, )?)+$", re.IGNORECASE),
    # the filter bar's list of source channels (codes, the same for everyone; no figure)
    "source_channels": re.compile(r"^SELECT DISTINCT \w+\.source_channel", re.IGNORECASE),
    # the summary tables' freshness check (data_layer/summary.py fingerprint): counts and sums of all
    # orders compared with the fingerprint stored at build time, never shown
    "summary_fingerprint": re.compile(r"^SELECT count\(\*\) AS count_1, max\(sales_order\.order_id\) AS max_1, sum\(sales_order\.amount\)"),
    # the start-up check that the CRM has every table and column: reads no row
    "schema_probe": re.compile(r"^SELECT \* FROM \S+ WHERE (false|1 ?= ?0|1 ?!= ?1)$", re.IGNORECASE),
}


def _values(parameters: object) -> set[str]:
    if isinstance(parameters, dict):
        items = list(parameters.values())
    elif isinstance(parameters, list | tuple):
        items = list(parameters)
    else:
        items = [parameters]
    out: set[str] = set()
    for item in items:
        if isinstance(item, dict | list | tuple):
            out |= _values(item)
        else:
            out.add(str(item))
    return out


def _unscoped(crm: Crm, monkeypatch: pytest.MonkeyPatch, persona: Persona, tables: set[str]) -> tuple[int, list[str]]:
    """Render every page granted to ``persona`` (nothing from the cache) and return how many
    statements reading one of ``tables`` were checked, and those that do not carry the scope."""
    ids = {str(i) for i in crm.org.subtree_ids(persona.unit or "")}
    st.cache_data.clear()  # nothing answered from an earlier test's cache: every query runs
    with crm_statements(crm.url) as seen:
        at = open_app(monkeypatch, crm.url, user=persona.user, params={"period": PERIOD})
        for page in granted(persona):
            at.switch_page(PAGES[page].path).run()
            assert not at.exception, page
    return scope_check(seen, persona, ids, tables)


def scope_check(seen: list[tuple[str, object]], persona: Persona, ids: set[str], tables: set[str]) -> tuple[int, list[str]]:
    """Of the ``seen`` statements reading one of ``tables`` (those that need no scope aside), how many
    were checked, and those whose bound values lack the scope's unit ids (or, for a viewer limited to
    business units, those business units)."""
    checked, wrong = 0, []
    for statement, parameters in seen:
        read = {m.lower() for m in _READS.findall(statement)} & tables
        if not read:
            continue
        sql = " ".join(statement.split())
        if any(p.search(sql) for p in UNSCOPED.values()):
            continue
        bound = _values(parameters) | set(re.findall(r"\b\d+\b", sql))
        if not ids <= bound:
            wrong.append(sql[:300])
        elif persona.bus is not None and read & {"sales_order", "opportunity", "granary_order_month", "granary_first_order"}:
            if not set(persona.bus) <= bound | set(re.findall(r"'(\w+)'", sql)):
                wrong.append(sql[:300])
        checked += 1
    return checked, wrong


@pytest.mark.parametrize("user", ["head.east", "head.north", "lead.shanghai"])
def test_every_statement_reading_a_fact_table_carries_the_scope(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, user: str) -> None:
    checked, wrong = _unscoped(demo_crm, monkeypatch, PERSONAS[user], set(FACT_TABLES) - {"target"})
    assert wrong == []
    assert checked >= 20, checked


def test_the_targets_query_carries_the_scope(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    checked, wrong = _unscoped(demo_crm, monkeypatch, PERSONAS["head.east"], {"target"})
    assert checked and wrong == []


# --- Caches --------------------------------------------------------------------------------------


def test_every_cached_result_of_a_context_is_keyed_by_the_viewer() -> None:
    """A cached function handed the context unhashed (``_ctx``) must take the viewer as a hashed
    argument, or two viewers would share its result; the filter options likewise."""
    cached = [f for f in vars(cache).values() if callable(f) and hasattr(f, "clear") and hasattr(f, "__wrapped__")]
    assert len(cached) >= 10
    for fn in cached:
        params = inspect.signature(fn.__wrapped__).parameters
        if "_ctx" in params or "_org" in params:
            assert "viewer" in params, fn.__wrapped__.__name__


def test_two_users_with_the_same_filters_never_share_a_cached_result(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    east, europe = (Viewer(u, Role.REGIONAL_HEAD, (c,)) for u, c in (("head.east", "CN-E"), ("head.europe", "INTL-EU")))
    flt = Filters(_period(demo_crm))
    engine = make_engine(demo_crm.url)
    try:
        key = cache.DataKey(demo_crm.url, "personas")
        cal = load_settings().calendar
        results = {}
        for viewer in (east, europe, east):
            ctx = Context(engine, demo_crm.org, viewer, cal, demo_crm.currency, demo_crm.as_of)
            with crm_statements(demo_crm.url) as seen:
                results.setdefault(viewer.user, []).append((cache.comparison(ctx, key, "revenue", flt).current.value, len(seen)))
                table = cache.by_unit(ctx, key, "revenue", flt)
            above = {a.code for c in viewer.units or () for a in demo_crm.org.path(c)}
            assert set(table["group"].dropna()) <= {u.code for u in demo_crm.org.visible_units(viewer)} | above
        (east_first, ran), (east_again, ran_again) = results["head.east"]
        (europe_value, europe_ran), = results["head.europe"]
        assert ran > 0 and europe_ran > 0  # Europe's result was computed, not taken from East's entry
        assert ran_again == 0 and east_again == east_first  # East's own entry is reused
        for viewer, value in ((east, east_first), (europe, europe_value)):
            oracle = compare(REGISTRY["revenue"], _ctx(engine, demo_crm), Filters(flt.period, unit=viewer.units[0]))
            assert value == oracle.current.value
        assert east_first != europe_value
    finally:
        engine.dispose()


def test_the_same_link_for_two_users_shows_each_their_own_figures(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    shown = {}
    for user in ("head.east", "head.europe", "head.east"):
        at = open_app(monkeypatch, demo_crm.url, user=user, params={"period": PERIOD})
        shown.setdefault(user, []).append({m.label: m.value for m in at.metric})
        persona = PERSONAS.get(user) or Persona(user, "INTL-EU", None, {})
        assert_kpis(at, demo_crm, persona, "overview")
    assert shown["head.east"][0] == shown["head.east"][1] != shown["head.europe"][0]


def test_a_new_user_in_the_same_session_starts_from_nothing_of_the_previous_ones(
    navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm
) -> None:
    at = open_app(monkeypatch, demo_crm.url, user="ceo", params={"period": PERIOD, "unit": "INTL-EU"})
    assert at.session_state[filterbar.K_UNIT] == "INTL-EU"
    at.session_state[auth.IDENTITY_KEY] = auth.Identity("head.east", "Wang Lei", auth.PASSWORD)
    at._finished_page_script_hash = ""  # noqa: SLF001 - through app.py (tests/test_app.py)
    at.run()
    assert not at.exception
    assert at.session_state[filterbar.K_UNIT] == "CN-E"
    assert_nothing_outside(at, demo_crm, PERSONAS["head.east"])
    assert_kpis(at, demo_crm, PERSONAS["head.east"], "overview")


# --- The sign-in audit, through the app ----------------------------------------------------------


def test_sign_ins_and_failures_are_recorded_in_granarys_own_database(monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    store = open_app_store(demo_crm.url)
    before = {u: len(recent_sign_ins(store, user=u, limit=1000)) for u in ("head.east", "visitor")}
    at = app_test(monkeypatch, demo_crm.url, user=None).run()
    at = sign_in_with_form(at, "head.east", "not-the-password")
    assert [e.value for e in at.error] == [t("auth.wrong", "en")] and not at.metric
    at = sign_in_with_form(at, "head.east")
    assert not at.exception and len(at.metric) >= 4
    visitor = sign_in_with_form(app_test(monkeypatch, demo_crm.url, user=None).run(), "visitor")
    assert [w.value for w in visitor.warning] == [t("auth.not_entitled", "en", name="Sam Taylor")]
    east = recent_sign_ins(store, user="head.east", limit=1000)
    assert [(r.method, r.success, r.reason) for r in east[: len(east) - before["head.east"]]] == [
        ("password", True, "ok"), ("password", False, "wrong_password")]
    seen = recent_sign_ins(store, user="visitor", limit=1000)
    assert [(r.success, r.reason) for r in seen[: len(seen) - before["visitor"]]] == [(False, "not_entitled"), (True, "ok")]
    assert all("not-the-password" not in str(r) for r in east)


# --- CRM text is text ----------------------------------------------------------------------------

HOSTILE = '<script>alert("granary")</script><img src=x onerror=alert(1)><b>Acme {id}</b>'


@pytest.fixture(scope="module")
def hostile_crm(tmp_path_factory: pytest.TempPathFactory, demo_crm: Crm) -> Crm:  # noqa: F811
    """The demo CRM with HTML and a script tag in every account's name."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(demo_crm.url.removeprefix("duckdb:///"), path)
    with duckdb.connect(str(path)) as conn:
        conn.execute("UPDATE account SET name = replace(?, '{id}', CAST(account_id AS VARCHAR))", [HOSTILE])
    return Crm(f"duckdb:///{path}", demo_crm.org, demo_crm.as_of, demo_crm.currency)


@pytest.mark.parametrize("page", ["wallet", "churn", "funnel"])
def test_html_in_an_account_name_is_shown_as_text(navigation: None, monkeypatch: pytest.MonkeyPatch, hostile_crm: Crm, page: str) -> None:
    at = open_app(monkeypatch, hostile_crm.url, params={"period": "last_12_months"}, page=page)
    texts, cells = shown_texts(at)
    names = [c for c in cells if c.startswith('<script>alert("granary")</script>')]
    if page == "wallet":
        assert names, "the top accounts are listed"
    for name in names:
        assert re.fullmatch(re.escape(HOSTILE).replace(r"\{id\}", r"\d+"), name), name  # verbatim, not rendered
    # Markdown (which could render HTML) never carries the name unescaped.
    for element in [*at.markdown, *at.caption]:
        assert "<script" not in element.value and "<img" not in element.value, element.value
