"""Customer profitability and the value pyramid against profit_crm, worked out by hand (its docstring), on every
backend: money exactly, scores to the last bits of a double."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from data_layer.config import Calendar, ValueSettings, load_value_settings
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics.base import Context, Grouping, evaluate, result, trend
from metrics.profitability import GROSS_MARGIN_PCT, PROFIT_CONTRIBUTION, profitability, top_accounts
from metrics.registry import REGISTRY
from tests import profit_crm
from metrics.sql import DIALECTS
from tests.conftest import BACKENDS, database_on

D = Decimal
Q = Filters(Period(date(2025, 7, 1), date(2025, 9, 30), "month", "quarter"))
EMPTY = Filters(Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter"))
SOUTH_HEAD = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
SETTINGS = ValueSettings()  # 50.00 a ticket; weights 30/20/10/30/10


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, profit_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER) -> Context:
        return Context(loaded, org, viewer, Calendar(), "USD", date(2025, 10, 15))

    return make


@pytest.fixture(autouse=True)
def default_settings(monkeypatch):
    """The registered metrics read the value settings from the environment and the secrets file: pin both to nothing,
    so the figures worked out at the defaults (50.00 a ticket, 30/20/10/30/10) hold on any machine."""
    from data_layer import config

    monkeypatch.delenv("GRANARY_COST_PER_TICKET", raising=False)
    monkeypatch.delenv("GRANARY_VALUE_WEIGHTS", raising=False)
    monkeypatch.setattr(config, "read_secrets", lambda *_: {})


def _by(frame, column="profit_contribution"):
    return dict(zip(frame["group"], frame[column], strict=True))


def test_headline_metrics_and_what_they_left_out(ctx_for):
    ctx = ctx_for()
    profit = result(PROFIT_CONTRIBUTION, ctx, Q)
    # Margin 1390.00 − tickets 4 × 50.00 − campaign 1's 1000.01 (campaign 2's cost has no rate).
    assert profit.value == D("189.99")
    assert profit.excluded == (("orders_no_amount", 1), ("orders_no_rate", 1), ("orders_no_cost", 1), ("acquisitions_no_rate", 1))
    margin = result(GROSS_MARGIN_PCT, ctx, Q)
    assert (margin.numerator, margin.denominator) == (1390.0, 2900.0)
    assert margin.value == pytest.approx(1390 / 2900, rel=1e-15)
    assert margin.excluded == (("orders_no_amount", 1), ("orders_no_rate", 1), ("orders_no_cost", 1))
    # 2900.00 is revenue 3100.00 less Acme's order 5 (no cost), Beta's −50.00 credit note with no cost included: so says
    # the definition
    assert "credit note with no cost counts its whole amount in the revenue and in the margin" in GROSS_MARGIN_PCT.definition["en"]
    assert "无成本的贷项凭证以全额计入收入和毛利" in GROSS_MARGIN_PCT.definition["zh"]
    assert {"gross_margin_pct", "profit_contribution"} <= set(REGISTRY)


def test_totals_credit_notes_and_null_cost(ctx_for):
    row = profitability(ctx_for(), Q, settings=SETTINGS).iloc[0].to_dict()
    # Acme's order 5 (200.00, no cost) is in revenue but not in margin; Beta's credit note with no cost
    # (−50.00) counts in full; Acme's (−100.00, cost −60.00) takes 40.00 off.
    assert row == dict(
        accounts=5, revenue=D("3100.00"), gross_margin=D("1390.00"), gross_margin_pct=1390 / 2900, tickets=4,
        cost_to_serve=D("200.00"), acquisition_cost=D("1000.01"), profit_contribution=D("189.99"), expected=D("5220.00"),
        referrals=3, orders_no_amount=1, orders_no_rate=1, orders_no_cost=1, acquisitions_no_rate=1,
    )


def test_a_campaign_spreads_over_two_accounts_to_the_cent(ctx_for):
    top, _ = top_accounts(ctx_for(), Q, settings=SETTINGS)
    acquire = dict(zip(top["account"], top["acquisition_cost"], strict=True))
    assert acquire == {"Acme": D("0.00"), "Epsilon": D("0.00"), "Delta": D("0.00"), "Beta": D("500.01"), "Gamma": D("500.00")}


def test_a_closed_periods_acquisition_cost_changes_until_the_campaign_window_closes(loaded):
    # July: margin 400.00 (Acme) + 300.00 (Beta) − one ticket 50.00 − Beta's share of campaign 1. As of 31 Jul Beta is
    # its only account and bears all 1000.01; once Gamma is acquired (5 Aug) Beta's share is 500.01 — July's figure
    # moves after July closed, as the definition says, and stays put for a given as-of day.
    july = Filters(Period(date(2025, 7, 1), date(2025, 7, 31), "day", "month"))
    org = load_org(loaded)

    def july_profit(as_of: date) -> Decimal:
        return result(PROFIT_CONTRIBUTION, Context(loaded, org, DEFAULT_VIEWER, Calendar(), "USD", as_of), july).value

    assert july_profit(date(2025, 7, 31)) == july_profit(date(2025, 8, 4)) == D("-350.01")
    assert july_profit(date(2025, 8, 5)) == july_profit(date(2025, 10, 15)) == D("149.99")
    assert "can still change" in PROFIT_CONTRIBUTION.definition["en"] and "仍可能变化" in PROFIT_CONTRIBUTION.definition["zh"]


def test_an_account_with_no_tickets_costs_nothing_to_serve(ctx_for):
    top, _ = top_accounts(ctx_for(), Q, settings=SETTINGS)
    serve = dict(zip(top["account"], top["cost_to_serve"], strict=True))
    assert serve == {"Acme": D("150.00"), "Epsilon": D("0.00"), "Delta": D("0.00"), "Beta": D("50.00"), "Gamma": D("0.00")}
    dearer = profitability(ctx_for(), Q, settings=ValueSettings(cost_per_ticket=D("75.50"))).iloc[0]
    assert (dearer["cost_to_serve"], dearer["profit_contribution"]) == (D("302.00"), D("87.99"))


def test_the_pyramid_scores_and_tiers(ctx_for):
    top, total = top_accounts(ctx_for(), Q, settings=SETTINGS)
    assert total == 5  # Zeta has nothing in view: not ranked
    assert list(top["account"]) == ["Acme", "Epsilon", "Delta", "Beta", "Gamma"]
    assert list(top["tier"]) == ["A", "B", "C", "C", "C"]  # of 5: A ⌊1⌋, B the rest of ⌊2.5⌋ = 2, C the rest
    assert list(top["score"]) == pytest.approx([0.95, 0.425, 0.35, 0.325, 0.225], abs=1e-12)
    assert list(top["credit"]) == [0.5, None, None, 1.0, 0.0]
    assert list(top["profit_contribution"]) == [D("540.00"), D("0.00"), D("150.00"), D("-300.01"), D("-200.00")]
    assert list(top["expected"]) == [D("5000.00"), D("220.00"), D("0.00"), D("0.00"), D("0.00")]
    assert list(top["referrals"]) == [2, 1, 0, 0, 0]
    assert list(top["unit"]) == ["N-OFF", "N-OFF", "S-OFF", "S-OFF", "N-OFF"]
    first, _ = top_accounts(ctx_for(), Q, limit=2, settings=SETTINGS)
    assert list(first["account"]) == ["Acme", "Epsilon"]
    # Weight on sales contribution alone: revenue decides.
    sales_only, _ = top_accounts(ctx_for(), Q, settings=ValueSettings(weights=(1, 0, 0, 0, 0)))
    assert list(sales_only["account"]) == ["Acme", "Beta", "Gamma", "Delta", "Epsilon"]


def test_segments_side_by_side_and_tiers(ctx_for):
    seg = profitability(ctx_for(), Q, "segment", SETTINGS)
    assert list(seg["group"]) == ["enterprise", "smb"]
    assert _by(seg) == {"enterprise": D("340.00"), "smb": D("-150.01")}
    assert _by(seg, "cost_to_serve") == {"enterprise": D("150.00"), "smb": D("50.00")}
    assert _by(seg, "acquisition_cost") == {"enterprise": D("500.00"), "smb": D("500.01")}
    assert _by(seg, "revenue") == {"enterprise": D("2050.00"), "smb": D("1050.00")}
    metric = evaluate(PROFIT_CONTRIBUTION, ctx_for(), Q, Grouping("segment"))
    assert _by(metric, "value") == {"enterprise": D("340.00"), "smb": D("-150.01")}
    tiers = profitability(ctx_for(), Q, "tier", SETTINGS)
    assert list(tiers["group"]) == ["A", "B", "C"] and list(tiers["accounts"]) == [1, 1, 3]
    assert _by(tiers) == {"A": D("540.00"), "B": D("0.00"), "C": D("-350.01")}


def test_by_home_unit_and_trend(ctx_for):
    ctx = ctx_for()
    units = profitability(ctx, Q, "unit", SETTINGS)
    # Acme's order through SOUTH counts in NORTH, its home.
    assert _by(units) == {"NORTH": D("340.00"), "SOUTH": D("-150.01")}
    assert _by(evaluate(PROFIT_CONTRIBUTION, ctx, Q, Grouping("unit")), "value") == {"NORTH": D("340.00"), "SOUTH": D("-150.01")}
    # Each event in the month of its own date: tickets by when they were opened, shares by the first order.
    assert list(trend(PROFIT_CONTRIBUTION, ctx, Q)["value"]) == [D("149.99"), D("-20.00"), D("60.00")]


def test_a_regional_heads_scope(ctx_for):
    ctx = ctx_for(SOUTH_HEAD)
    # Beta and Delta; Acme's order through SOUTH is not theirs. Beta's share of campaign 1 is the same 500.01.
    assert result(PROFIT_CONTRIBUTION, ctx, Q).value == D("-150.01")
    top, total = top_accounts(ctx, Q, settings=SETTINGS)
    # Ranked among their own two: Beta 0.3 (sales) + 0.1 (credit) = 0.4; Delta 0.05 (credit) + 0.3 (profit) = 0.35.
    assert total == 2 and list(top["account"]) == ["Beta", "Delta"]
    assert list(top["score"]) == pytest.approx([0.4, 0.35], abs=1e-12)
    assert list(top["acquisition_cost"]) == [D("500.01"), D("0.00")]


def test_business_unit_filter_narrows_orders_tickets_and_acquisitions(ctx_for):
    hw = Filters(Q.period, bus=("HW",))
    # Acme 400 − 40 − one HW ticket 50; Gamma 300 − 500.00 (its first order is HW); Delta 150; Beta's first order is SW.
    assert result(PROFIT_CONTRIBUTION, ctx_for(), hw).value == D("260.00")


def test_a_referral_alone_brings_no_account_into_a_business_unit_view(ctx_for):
    # Epsilon's only SW-side record is a referral (its open deal is HW): a lead has no business unit, so an SW-only
    # view ranks Acme and Beta alone, with no Epsilon shifting their ranks.
    sw_only = Viewer(user="sw", role=Role.REGIONAL_HEAD, units=None, bus=("SW",))
    for ctx, flt in ((ctx_for(sw_only), Q), (ctx_for(), Filters(Q.period, bus=("SW",))), (ctx_for(), Filters(Q.period, products=("SW-1",)))):
        top, total = top_accounts(ctx, flt, settings=SETTINGS)
        assert (sorted(top["account"]), total) == (["Acme", "Beta"], 2)
        assert profitability(ctx, flt, settings=SETTINGS).iloc[0]["accounts"] == 2
    # Unnarrowed, a referral alone still counts: Epsilon is ranked (test_the_pyramid_scores_and_tiers).


def test_empty_period(ctx_for):
    ctx = ctx_for()
    assert result(PROFIT_CONTRIBUTION, ctx, EMPTY).value == D("0.00")
    margin = result(GROSS_MARGIN_PCT, ctx, EMPTY)
    assert (margin.value, margin.reason, margin.excluded) == (None, "no_denominator", ())
    row = profitability(ctx, EMPTY, settings=SETTINGS).iloc[0]
    # Only Acme's and Epsilon's open pipeline on the as-of day is in view: two accounts, nothing earned or spent.
    assert (row["accounts"], row["revenue"], row["profit_contribution"], row["gross_margin_pct"]) == (2, D("0.00"), D("0.00"), None)
    top, total = top_accounts(ctx, EMPTY, settings=SETTINGS)
    assert total == 2 and list(top["account"]) == ["Acme", "Epsilon"]
    tiers = profitability(ctx, EMPTY, "tier", SETTINGS)
    assert list(tiers["accounts"]) == [1, 0, 1]  # of two, the first is A (at least one), the second C (⌊1⌋ is A's)


def test_cached_cards_follow_a_changed_setting(ctx_for, monkeypatch):
    from ui import cache

    ctx, key = ctx_for(), cache.DataKey("profit_crm", "1")
    cache._comparison.clear()
    monkeypatch.setenv("GRANARY_COST_PER_TICKET", "50")
    assert cache.comparison(ctx, key, PROFIT_CONTRIBUTION.key, Q).current.value == D("189.99")
    monkeypatch.setenv("GRANARY_COST_PER_TICKET", "75.50")
    assert cache.comparison(ctx, key, PROFIT_CONTRIBUTION.key, Q).current.value == D("87.99")
    assert cache.assumed("win_rate") is None  # a metric reading no setting keeps one cached result


@pytest.mark.parametrize(("n", "tiers"), [(1, "A"), (2, "AC"), (5, "ABCCC"), (6, "ABBCCC"), (10, "AABBBCCCCC")])
def test_tiers_never_hold_more_than_their_share_but_the_one_a_must(loaded, n, tiers):
    from sqlalchemy import literal, select

    from metrics.profitability import tier

    with loaded.connect() as conn:
        got = "".join(conn.execute(select(tier(literal(p), literal(n)))).scalar_one() for p in range(1, n + 1))
    assert got == tiers


def test_settings_are_read_from_the_environment_then_secrets(monkeypatch):
    assert load_value_settings({}) == ValueSettings()
    secrets = {"granary": {"cost_per_ticket": 80, "value_weights": {"sales": 1, "profit": 1}}}
    assert load_value_settings(secrets) == ValueSettings(D("80.00"), (1.0, 0.0, 0.0, 1.0, 0.0))
    monkeypatch.setenv("GRANARY_COST_PER_TICKET", "12.5")
    monkeypatch.setenv("GRANARY_VALUE_WEIGHTS", "sales=2,credit=1")
    assert load_value_settings(secrets) == ValueSettings(D("12.50"), (2.0, 0.0, 1.0, 0.0, 0.0))
    monkeypatch.setenv("GRANARY_VALUE_WEIGHTS", "loyalty=2")
    with pytest.raises(ValueError, match="unknown component loyalty"):
        load_value_settings(secrets)
    with pytest.raises(ValueError):
        ValueSettings(weights=(0, 0, 0, 0, 0))


def _offline_context(viewer: Viewer = DEFAULT_VIEWER) -> Context:
    from data_layer.filters import OrgTree, OrgUnit

    org = OrgTree(tuple(OrgUnit(u["unit_id"], u["code"], u["name"], u["level"], u["parent_id"]) for u in profit_crm.ORG))
    return Context(None, org, viewer, Calendar(), "USD", date(2025, 10, 15))  # type: ignore[arg-type]


@pytest.mark.parametrize("dialect", sorted(set(DIALECTS) | {"postgresql", "mysql", "snowflake", "bigquery", "trino"}))
def test_every_statement_compiles_for_every_dialect(dialect):
    from metrics.profitability import statements
    from tests.test_sql_functions import _dialect

    compiled = _dialect(dialect)
    narrow = Filters(Q.period, unit="NORTH", bus=("HW",), products=("HW-1",), segments=("smb",), sources=("event",))
    hw_only = Viewer(user="hw", role=Role.REGIONAL_HEAD, units=None, bus=("HW",))
    for flt in (Q, narrow):
        for viewer in (DEFAULT_VIEWER, SOUTH_HEAD, hw_only):
            built = statements(_offline_context(viewer), flt, SETTINGS)
            assert len(built) == sum(1 + len(m.groupings) for m in (GROSS_MARGIN_PCT, PROFIT_CONTRIBUTION)) + 4 + 1
            for name, stmt in built.items():
                sql = str(stmt.compile(dialect=compiled))
                assert sql.startswith("SELECT"), (name, viewer.user)
                if not name.startswith(("gross_margin_pct", "profit_contribution")):
                    assert "percent_rank" in sql.lower(), name


def test_user_values_are_bound_parameters():
    from metrics.profitability import statements
    from tests.test_sql_functions import _dialect

    hostile = "HW-1' OR '1'='1"
    flt = Filters(Q.period, bus=(hostile,), products=(hostile,), segments=(hostile,), sources=(hostile,))
    viewer = Viewer(user="x", role=Role.REGIONAL_HEAD, units=None, bus=(hostile,))
    for ctx in (_offline_context(), _offline_context(viewer)):
        for name, stmt in statements(ctx, flt, SETTINGS).items():
            compiled = stmt.compile(dialect=_dialect("postgresql"))
            assert hostile not in str(compiled), name
            bound = {v for value in compiled.params.values() for v in (value if isinstance(value, list | tuple) else [value])}
            assert hostile in bound, name
