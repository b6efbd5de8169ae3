"""The Targets and Incentives pages through AppTest: the figures they show are what metrics/targets.py and
metrics/incentives.py compute for the same filters, a broken plan file shows its problems on the Incentives
page only, and approving a statement freezes it in Granary's own database — once.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_layer.config import load_settings
from data_layer.connection import make_engine
from data_layer.filters import DEFAULT_VIEWER, preset_period
from data_layer.plans import frozen_statements, load_plan
from metrics import incentives, targets
from metrics.base import Context
from tests.apptest import open_app
from tests.test_app import Crm, _ok, _rerun, demo_crm  # noqa: F401 - fixtures
from tests.test_pages import navigation  # noqa: F401 - fixture
from ui import format as fmt
from ui import widgets
from ui.format import md_escape
from ui.i18n import t

DEMO_PLAN = Path(__file__).resolve().parent.parent / "plans" / "demo.toml"


def _open(crm: Crm, monkeypatch: pytest.MonkeyPatch, page: str, params: dict[str, str] | None = None) -> AppTest:
    """``page`` through app.py, signed in as the demo's executive (the whole company)."""
    return open_app(monkeypatch, crm.url, params=params, page=page)


def _ctx(crm: Crm, engine: object) -> Context:
    return Context(engine, crm.org, DEFAULT_VIEWER, load_settings().calendar, crm.currency, crm.as_of)  # type: ignore[arg-type]


def _period(crm: Crm, preset: str, kind: str | None = None) -> targets.TargetPeriod:
    cal = load_settings().calendar
    return widgets.target_period_of(preset_period(preset, crm.as_of, cal), cal, kind)


def _table(at: AppTest, column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


# --- Targets ---------------------------------------------------------------------------------------


def test_the_leaderboard_shows_what_attainment_computes(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _open(demo_crm, monkeypatch, "targets")
    assert at.title[0].value == t("targets.title", "en") and not _errors(at)
    period = _period(demo_crm, "qtd")
    engine = make_engine(demo_crm.url)
    try:
        frame = targets.attainment(_ctx(demo_crm, engine), "revenue", period)
    finally:
        engine.dispose()
    plain = frame[frame["bu"].isna()]
    for level in ("office", "region"):
        at.segmented_control(key="targets_level").set_value(level)
        _ok(_rerun(at))
        board = targets.leaderboard(plain, level)
        shown = _table(at, t("targets.attained", "en"))
        assert list(shown[t("targets.name", "en")]) == list(board["name"])
        assert list(shown[t("targets.attained", "en")]) == [fmt.percent(a, "en") if a is not None else fmt.DASH for a in board["attainment"]]
        assert list(shown[t("targets.actual", "en")]) == [widgets.figure_value("money_compact", a, demo_crm.currency, "en") for a in board["actual"]]
        assert list(shown[t("targets.pace", "en")]) == [fmt.percent(a, "en") if a is not None else fmt.DASH for a in board["pace"]]
    # The reps beside their conversion and cycle, the metrics' rep grouping.
    reps = _table(at, t("units.rep", "en"))
    assert len(reps) == len(targets.leaderboard(plain, "rep"))
    assert len(at.get("download_button")) == 4
    assert any(e.label == t("definitions.title", "en") for e in at.expander)


def test_the_targets_page_in_chinese_with_another_measure(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _open(demo_crm, monkeypatch, "targets", {"period": "last_quarter"})
    at.segmented_control(key="targets_measure").set_value("won_deals")
    _ok(_rerun(at))
    at.segmented_control(key="lang").set_value("zh")  # last: AppTest cannot set widgets after the switch
    _ok(_rerun(at))
    assert at.title[0].value == t("targets.title", "zh") and not _errors(at)
    engine = make_engine(demo_crm.url)
    try:
        frame = targets.attainment(_ctx(demo_crm, engine), "won_deals", _period(demo_crm, "last_quarter"))
    finally:
        engine.dispose()
    level = at.segmented_control(key="targets_level").value
    board = targets.leaderboard(frame[frame["bu"].isna()], level)
    shown = _table(at, t("targets.attained", "zh"))
    assert list(shown[t("targets.actual", "zh")]) == [fmt.number(a, "zh") for a in board["actual"]]
    assert targets.DEFINITIONS_ZH["attainment"] in "\n".join(m.value for m in at.markdown)


# --- Incentives ------------------------------------------------------------------------------------


def test_payouts_and_the_statement_are_what_the_plan_computes(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _open(demo_crm, monkeypatch, "incentives", {"period": "last_quarter"})
    assert at.title[0].value == t("incentives.title", "en") and not _errors(at)
    plan = load_plan(DEMO_PLAN)
    period = _period(demo_crm, "last_quarter", plan.period)
    engine = make_engine(demo_crm.url)
    try:
        ctx = _ctx(demo_crm, engine)
        pay = incentives.payouts(ctx, plan, period)
        rep = str(pay["rep"].iloc[0])
        stmt = incentives.statement(ctx, plan, rep, period)
        bonus = incentives.manager_bonuses(ctx, plan, period)
        pool = incentives.pool_shares(ctx, plan, period)
        units = incentives.unit_payouts(ctx, plan, period, tuple(u.code for u in demo_crm.org.compared_units(None)))
    finally:
        engine.dispose()
    per_unit = _table(at, t("incentives.reps", "en"))
    assert list(per_unit[t("incentives.earned", "en")]) == [fmt.money(v, demo_crm.currency, "en") for v in units["earned"]]
    assert sum(units["earned"], Decimal(0)) == sum(pay["earned"], Decimal(0))  # every paid rep is in one top unit
    shown = _table(at, t("incentives.band", "en"))
    assert list(shown[t("incentives.earned", "en")]) == [fmt.money(v, demo_crm.currency, "en") for v in pay["earned"]]
    assert list(shown[t("incentives.held_back", "en")]) == [fmt.money(v, demo_crm.currency, "en") for v in pay["held_back"]]
    assert at.selectbox(key="incentives_rep").value == rep
    cards = {m.label: m.value for m in at.metric}
    for key, value in stmt.totals.items():
        assert cards[t(f"incentives.{key}", "en")] == fmt.money(value, demo_crm.currency, "en"), key
    lines = _table(at, t("incentives.window_end", "en"))
    assert list(lines[t("incentives.order", "en")]) == list(stmt.lines["order_number"])
    assert list(lines[t("incentives.earned", "en")]) == [fmt.money(v, demo_crm.currency, "en") for v in stmt.lines["earned"]]
    bonuses = _table(at, t("incentives.bonus", "en"))
    assert list(bonuses[t("incentives.bonus", "en")]) == [fmt.money(v, demo_crm.currency, "en") if v is not None else fmt.DASH for v in bonus["bonus"]]
    shares = _table(at, t("incentives.what_if_share", "en"))
    assert list(shares[t("incentives.pool_amount_col", "en")]) == [fmt.money(v, demo_crm.currency, "en") for v in pool["amount"]]
    assert sum(pool["amount"], Decimal(0)) == plan.pool.amount  # type: ignore[union-attr]
    assert len(at.get("download_button")) >= 10  # CSV and Excel of every table


def test_the_pool_what_if_moves_the_shares(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _open(demo_crm, monkeypatch, "incentives", {"period": "last_quarter"})
    plan = load_plan(DEMO_PLAN)
    period = _period(demo_crm, "last_quarter", plan.period)
    engine = make_engine(demo_crm.url)
    try:
        ctx = _ctx(demo_crm, engine)
        first = str(incentives.pool_shares(ctx, plan, period)["group"].iloc[0])
        expected = incentives.pool_shares(ctx, plan, period, pool=Decimal(100_000), adjust={first: Decimal(2)})
    finally:
        engine.dispose()
    at.number_input(key="pool_amount").set_value(100_000)
    at.slider(key=f"pool_factor_{first}").set_value(200)
    _ok(_rerun(at))
    shares = _table(at, t("incentives.what_if_share", "en"))
    assert list(shares[t("incentives.what_if_amount", "en")]) == [fmt.money(v, demo_crm.currency, "en") for v in expected["amount"]]


def test_approving_freezes_the_statement_once(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    from ui import cache

    at = _open(demo_crm, monkeypatch, "incentives", {"period": "last_quarter"})
    plan = load_plan(DEMO_PLAN)
    period = _period(demo_crm, "last_quarter", plan.period)
    rep = at.selectbox(key="incentives_rep").value

    def stored() -> list:
        return [f for f in frozen_statements(cache._app_store(demo_crm.url, _own_url())) if (f.payee, f.period_start) == (rep, period.start)]  # noqa: SLF001

    assert not stored()
    live = {m.label: m.value for m in at.metric}
    at.button(key="incentives_approve").click()
    _ok(_rerun(at))
    assert [s.value for s in at.success] == [t("incentives.frozen_now", "en", rep=_rep_name(at, rep)), t("incentives.live_agrees", "en")]
    (frozen,) = stored()
    assert frozen.plan_version == plan.version and frozen.as_of == demo_crm.as_of and frozen.unit is not None
    # The page now shows the frozen record — its cards are the frozen totals, the same as the live ones it froze —
    # with its plan version and as-of date, and offers no second approval.
    cards = {m.label: m.value for m in at.metric}
    assert cards == live and cards[t("incentives.payable", "en")] == fmt.money(frozen.totals["payable"], demo_crm.currency, "en")
    caption = t("incentives.frozen_caption", "en", by="ceo", at=frozen.approved_at.strftime("%Y-%m-%d %H:%M"), plan=plan.name, version=plan.version,
                as_of=fmt.day(demo_crm.as_of, "en"))
    assert md_escape(caption) in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key == "incentives_approve"]
    assert _rep_name(at, rep) in list(_table(at, t("incentives.approved_by", "en"))[t("units.rep", "en")])
    lines = _table(at, t("incentives.window_end", "en"))
    assert list(lines[t("incentives.order", "en")]) == [ln["order_number"] for ln in frozen.lines_of("deal")]


def test_a_running_period_cannot_be_approved(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    at = _open(demo_crm, monkeypatch, "incentives")
    assert at.button(key="incentives_approve").disabled


def test_a_broken_plan_file_names_its_problems(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, tmp_path: Path) -> None:
    broken = tmp_path / "plan.toml"
    broken.write_text(DEMO_PLAN.read_text(encoding="utf-8").replace('method = "marginal"', 'method = "marginl"'), encoding="utf-8")
    monkeypatch.setenv("GRANARY_PLAN_FILE", str(broken))
    at = _open(demo_crm, monkeypatch, "incentives")
    errors = "\n".join(_errors(at))
    assert md_escape(t("incentives.plan_invalid", "en", file="plan.toml")) in errors
    assert md_escape("line 12: commission.method = 'marginl': expected one of 'marginal', 'retroactive'") in errors
    assert not at.dataframe and not at.tabs
    # The rest of the app works: the Targets page opens without the plan.
    at.switch_page("pages/targets.py").run()
    _ok(at)
    assert at.title[0].value == t("targets.title", "en") and not _errors(at)


def test_a_missing_plan_file_is_named(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, tmp_path: Path) -> None:
    monkeypatch.setenv("GRANARY_PLAN_FILE", str(tmp_path / "nowhere.toml"))
    at = _open(demo_crm, monkeypatch, "incentives")
    assert md_escape("nowhere.toml") in "\n".join(_errors(at))


def test_every_definition_is_written_in_both_languages() -> None:
    for module in (targets, incentives):
        assert set(module.DEFINITIONS) == set(module.DEFINITIONS_ZH)
        assert all(module.DEFINITIONS_ZH[k].strip() and module.DEFINITIONS_ZH[k] != module.DEFINITIONS[k] for k in module.DEFINITIONS)


def _own_url() -> str:
    from data_layer.app_store import app_database_url

    return app_database_url()


def _rep_name(at: AppTest, rep: str) -> str:
    return at.selectbox(key="incentives_rep").format_func(rep).split(" · ")[0]



# --- Approved statements: viewed from the frozen record, in scope only -------------------------------------------


def _freeze_as_ceo(crm: Crm, store: object, reps: list[str], tamper: str | None = None) -> dict[str, object]:
    """Freeze last quarter's statements of ``reps`` as the executive computes them; ``tamper``: a rep whose first deal's
    earned is stored 1.00 higher (the record then differs from today's figures)."""
    from datetime import datetime

    from data_layer.plans import freeze_statement

    plan = load_plan(DEMO_PLAN)
    period = _period(crm, "last_quarter", plan.period)
    engine = make_engine(crm.url)
    out = {}
    try:
        for rep in reps:
            s = incentives.statement(_ctx(crm, engine), plan, rep, period)
            lines = incentives.statement_record(s)
            if rep == tamper:
                lines[0] = {**lines[0], "earned": lines[0]["earned"] + Decimal(1)}
            freeze_statement(store, plan=plan, payee=rep, period_start=period.start, period_end=period.end, as_of=crm.as_of, currency=crm.currency,  # type: ignore[arg-type]
                             approved_by="ceo", approved_at=datetime(2025, 11, 23, 9, 0), totals=s.totals, lines=lines, unit=s.team)
            out[rep] = s
    finally:
        engine.dispose()
    return out


def _reps_by_team(crm: Crm) -> dict[str, list[str]]:
    """Last quarter's paid reps by the team they were in (a statement's scope)."""
    plan = load_plan(DEMO_PLAN)
    period = _period(crm, "last_quarter", plan.period)
    engine = make_engine(crm.url)
    try:
        ctx = _ctx(crm, engine)
        team_of = targets.rep_teams(ctx, period)
        teams: dict[str, list[str]] = {}
        for rep_id, rep in incentives.payouts(ctx, plan, period)[["rep_id", "rep"]].itertuples(index=False):
            teams.setdefault(crm.org.by_id(team_of[int(rep_id)]).code, []).append(str(rep))  # type: ignore[union-attr]
        return teams
    finally:
        engine.dispose()


@pytest.fixture
def own_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> object:
    """A fresh Granary database of its own for one test (approvals in other tests do not show here)."""
    from data_layer.app_store import open_app_store

    url = f"sqlite:///{tmp_path / 'own.sqlite'}"
    monkeypatch.setenv("GRANARY_APP_DATABASE_URL", url)
    return open_app_store("duckdb:///nowhere", url)


def test_approved_statements_are_shown_in_scope_and_say_when_today_differs(
    navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, own_store: object
) -> None:
    teams = _reps_by_team(demo_crm)
    shanghai = teams["CN-E-SH-T1"][-1]  # lead.shanghai's team (CN-E-SH-T1), in head.east's region too
    hangzhou = next(reps[0] for team, reps in teams.items() if team.startswith("CN-E-HZ"))  # head.east's, not the lead's
    europe = next(reps[0] for team, reps in teams.items() if team.startswith("INTL-EU"))  # head.europe's only
    frozen = _freeze_as_ceo(demo_crm, own_store, [shanghai, hangzhou, europe], tamper=hangzhou)
    approved_column = t("incentives.approved_by", "en")

    def approved_reps(at: AppTest) -> list[str]:
        return sorted(_table(at, approved_column)[t("units.rep", "en")])

    names = {}
    for user, expected in (("lead.shanghai", [shanghai]), ("head.east", [shanghai, hangzhou]), ("head.europe", [europe])):
        at = open_app(monkeypatch, demo_crm.url, user=user, params={"period": "last_quarter"}, page="incentives")
        assert not _errors(at)
        names.update({r: at.selectbox(key="incentives_rep").format_func(r).split(" · ")[0] for r in expected})
        assert approved_reps(at) == sorted(names[r] for r in expected), user
    # The team lead's own rep: the statement shows the frozen record — cards from its totals, its deals — and today's
    # figures, computed for the lead's scope, agree with it.
    at = open_app(monkeypatch, demo_crm.url, user="lead.shanghai", params={"period": "last_quarter"}, page="incentives")
    at.selectbox(key="incentives_rep").set_value(shanghai)
    _ok(_rerun(at))
    cards = {m.label: m.value for m in at.metric}
    for key, value in frozen[shanghai].totals.items():  # type: ignore[attr-defined]
        assert cards[t(f"incentives.{key}", "en")] == fmt.money(value, demo_crm.currency, "en"), key
    assert t("incentives.live_agrees", "en") in [s.value for s in at.success]
    assert not [b for b in at.button if b.key == "incentives_approve"]
    # The regional head opens the Hangzhou rep's approved statement: its first deal was frozen at 1.00 more than today's
    # figures say, and the page says so plainly, line by line.
    at = open_app(monkeypatch, demo_crm.url, user="head.east", params={"period": "last_quarter"}, page="incentives")
    # A regional head's statements leave out deals booked outside the region: only the whole company may approve.
    assert at.button(key="incentives_approve_bonus").disabled
    assert all(b.disabled for b in at.button if b.key == "incentives_approve")
    assert md_escape(t("incentives.approve_all_bus", "en")) in [c.value for c in at.caption]
    pick = at.selectbox(key="incentives_frozen_pick")
    (chosen,) = [o for o in pick.options if o.startswith(names[hangzhou])]
    pick.select(chosen)
    _ok(_rerun(at))
    assert [w.value for w in at.warning] == [t("incentives.live_differs", "en", n=1)]
    # A regional head's "today" leaves out the rep's records outside the region: the page says so beside the warning.
    assert t("incentives.live_in_scope", "en") in [c.value.replace("\\", "") for c in at.caption]
    first = frozen[hangzhou].lines.iloc[0]  # type: ignore[attr-defined]
    diff = _table(at, t("incentives.diff_frozen", "en"))
    assert diff.values.tolist() == [[first["order_number"], t("incentives.earned", "en"), fmt.money(first["earned"] + 1, demo_crm.currency, "en"),
                                     fmt.money(first["earned"], demo_crm.currency, "en")]]
    assert len([b for b in at.get("download_button")]) >= 8  # the frozen statement's tables and the differences, CSV and Excel


def test_a_business_unit_limited_head_cannot_approve_nor_see_whole_statements(
    navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, own_store: object
) -> None:
    teams = _reps_by_team(demo_crm)
    north = next(reps[0] for team, reps in teams.items() if team.startswith("CN-N"))
    _freeze_as_ceo(demo_crm, own_store, [north])
    at = open_app(monkeypatch, demo_crm.url, user="head.north", params={"period": "last_quarter"}, page="incentives")
    assert at.button(key="incentives_approve").disabled and at.button(key="incentives_approve_bonus").disabled
    assert md_escape(t("incentives.approve_all_bus", "en")) in [c.value for c in at.caption]
    assert md_escape(t("incentives.frozen_withheld", "en", n=1)) in [c.value for c in at.caption]


def test_approving_the_managers_bonus_freezes_it_with_its_inputs(
    navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm, own_store: object
) -> None:
    plan = load_plan(DEMO_PLAN)
    period = _period(demo_crm, "last_quarter", plan.period)
    at = _open(demo_crm, monkeypatch, "incentives", {"period": "last_quarter"})
    at.button(key="incentives_approve_bonus").click()
    _ok(_rerun(at))
    engine = make_engine(demo_crm.url)
    try:
        live = incentives.manager_bonuses(_ctx(demo_crm, engine), plan, period)
    finally:
        engine.dispose()
    stored = {f.payee: f for f in frozen_statements(own_store, kind="manager_bonus")}  # type: ignore[arg-type]
    assert [s.value for s in at.success] == [t("incentives.bonus_frozen_now", "en", n=len(live))]
    assert sorted(stored) == sorted(live["unit"])
    for row in live.to_dict("records"):
        record = stored[row["unit"]]
        assert (record.plan_version, record.as_of, record.period_start) == (plan.version, demo_crm.as_of, period.start)
        assert record.totals["bonus"] == row["bonus"] and record.totals["attainment"] == row["attainment"]
        assert [ln["metric"] for ln in record.lines_of("input")] == ["attainment", "logo_churn", "satisfaction"]
    table = _table(at, t("incentives.bonus_status", "en"))
    assert set(table[t("incentives.bonus_status", "en")]) == {t("incentives.bonus_approved", "en", as_of=fmt.day(demo_crm.as_of, "en"))}
    assert list(table[t("incentives.bonus", "en")]) == [fmt.money(v, demo_crm.currency, "en") if v is not None else fmt.DASH for v in live["bonus"]]
    assert at.button(key="incentives_approve_bonus").disabled


# --- The team lead's reps: attainment beside conversion and cycle -----------------------------------------------


def test_the_team_lead_sees_their_reps_attainment_conversion_and_cycle(navigation: None, monkeypatch: pytest.MonkeyPatch, demo_crm: Crm) -> None:
    from dataclasses import replace

    from data_layer.filters import Filters, Role, Viewer
    from metrics.base import Grouping, evaluate
    from metrics.registry import REGISTRY

    at = open_app(monkeypatch, demo_crm.url, user="lead.shanghai", page="targets")
    assert not _errors(at)
    period = _period(demo_crm, "qtd")
    lead = Viewer("lead.shanghai", Role.TEAM_LEAD, ("CN-E-SH-T1",))
    engine = make_engine(demo_crm.url)
    try:
        ctx = Context(engine, demo_crm.org, lead, load_settings().calendar, demo_crm.currency, demo_crm.as_of)  # type: ignore[arg-type]
        reps = targets.leaderboard(targets.attainment(ctx, "revenue", period).query("bu.isna()"), "rep")
        to_date = Filters(replace(period.as_period(), end=min(period.end, demo_crm.as_of)))
        values = {k: evaluate(REGISTRY[k], ctx, to_date, Grouping("rep")) for k in ("opportunity_to_order_rate", "sales_cycle_median_days")}
    finally:
        engine.dispose()
    assert len(reps) >= 2  # a team, not a single row
    shown = _table(at, t("targets.col_opportunity_to_order_rate", "en"))
    conversion = dict(zip(values["opportunity_to_order_rate"]["group"], values["opportunity_to_order_rate"]["value"], strict=True))
    cycle = dict(zip(values["sales_cycle_median_days"]["group"], values["sales_cycle_median_days"]["value"], strict=True))
    assert list(shown[t("targets.attained", "en")]) == [fmt.percent(a, "en") if a is not None else fmt.DASH for a in reps["attainment"]]
    assert list(shown[t("targets.col_opportunity_to_order_rate", "en")]) == [
        widgets.figure_value("percent", conversion.get(code), demo_crm.currency, "en") for code in reps["code"]
    ]
    assert list(shown[t("targets.col_sales_cycle_median_days", "en")]) == [
        widgets.figure_value("days", cycle.get(code), demo_crm.currency, "en") for code in reps["code"]
    ]
    assert any(v is not None and v == v for v in conversion.values())  # some rep has a conversion to compare
