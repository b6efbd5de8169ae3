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
    rep = at.selectbox(key="incentives_rep").value
    before = [f for f in frozen_statements(cache._app_store(demo_crm.url, _own_url())) if f.payee == rep]  # noqa: SLF001
    assert not before
    at.button(key="incentives_approve").click()
    _ok(_rerun(at))
    assert [s.value for s in at.success] == [t("incentives.frozen_now", "en", rep=_rep_name(at, rep))]
    stored = [f for f in frozen_statements(cache._app_store(demo_crm.url, _own_url())) if f.payee == rep]  # noqa: SLF001
    assert len(stored) == 1
    cards = {m.label: m.value for m in at.metric}
    assert fmt.money(stored[0].totals["payable"], demo_crm.currency, "en") == cards[t("incentives.payable", "en")]
    assert stored[0].plan_version == load_plan(DEMO_PLAN).version and stored[0].as_of == demo_crm.as_of
    assert _rep_name(at, rep) in list(_table(at, t("incentives.approved_by", "en"))[t("units.rep", "en")])
    # A second approval is refused, and the stored statement stays as it was.
    at.button(key="incentives_approve").click()
    _ok(_rerun(at))
    assert [w.value for w in at.warning] == [t("incentives.already_frozen", "en", rep=_rep_name(at, rep))]
    assert len([f for f in frozen_statements(cache._app_store(demo_crm.url, _own_url())) if f.payee == rep]) == 1  # noqa: SLF001


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

