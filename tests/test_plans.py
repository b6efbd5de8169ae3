"""Plan files: a valid plan reads into exact decimals; a bad one is refused with every problem and its line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from data_layer.plans import PlanError, load_plan, parse_plan

GOOD = """\
[plan]
name = "Field sales"
version = "2026.1"
payee = "rep"
period = "quarter"
target_measure = "revenue"

[commission]
method = "retroactive"
base = "margin"
credit_on = "invoice"
cap = 5000.50
cap_on = "deal"

[[commission.bands]]
from_pct = 0
rate_pct = 0.5

[[commission.bands]]
from_pct = 100
rate_pct = 3.3
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse_plan(text, "plan.toml")
    assert str(info.value).startswith("plan.toml: invalid incentive plan")
    return list(info.value.problems)


def test_a_valid_plan_reads_exactly():
    plan = parse_plan(GOOD)
    assert (plan.name, plan.version, plan.period, plan.target_measure) == ("Field sales", "2026.1", "quarter", "revenue")
    c = plan.commission
    assert (c.method, c.base, c.credit_on, c.cap, c.cap_on) == ("retroactive", "margin", "invoice", Decimal("5000.5"), "deal")
    assert [b.rate for b in c.bands] == [Decimal("0.005"), Decimal("0.033")]  # 3.3 % is exactly 0.033, not a binary fraction
    assert plan.holdback is None and plan.manager_bonus is None and plan.pool is None
    assert len(plan.digest) == 64 and parse_plan(GOOD + "\n").digest != plan.digest


def test_a_wrong_choice_names_the_key_value_and_line():
    assert problems(GOOD.replace('method = "retroactive"', 'method = "marginl"')) == [
        "line 9: commission.method = 'marginl': expected one of 'marginal', 'retroactive'"
    ]


def test_every_problem_is_listed_with_its_line():
    text = GOOD.replace('credit_on = "invoice"', 'credit_on = "shipping"').replace("rate_pct = 3.3", "rate_pct = -1").replace(
        'payee = "rep"', 'payee = "rep"\nbonus = 1'
    )
    assert problems(text) == [
        "line 5: unknown key 'plan.bonus'; expected one of name, version, payee, period, target_measure",
        "line 12: commission.credit_on = 'shipping': expected one of 'order', 'invoice', 'cash'",
        "line 22: commission.bands[2].rate_pct = -1: must be at least 0 and at most 100",
    ]


def test_missing_choices_must_be_stated():
    text = GOOD.replace('base = "margin"\n', "").replace('cap_on = "deal"\n', "")
    assert problems(text) == [
        "line 8: missing commission.base: state it explicitly, one of amount, margin, cash",
        "line 8: missing commission.cap_on: state it explicitly, one of deal, period",
    ]
    assert problems("[plan]\nname = 'x'\nversion = '1'\npayee = 'rep'\nperiod = 'quarter'\ntarget_measure = 'revenue'\n") == [
        "line 1: missing table [commission]"
    ]


def test_bands_must_start_at_zero_and_rise():
    text = GOOD.replace("from_pct = 0\n", "from_pct = 10\n").replace("from_pct = 100", "from_pct = 5")
    assert problems(text) == [
        "line 16: commission.bands[1].from_pct = 10: the first band must start at 0",
        "line 20: commission.bands[2].from_pct = 5: bands must rise; the previous band starts at 10",
    ]
    assert problems(GOOD.replace("rate_pct = 0.5", 'rate_pct = "2%"')) == ["line 17: commission.bands[1].rate_pct = '2%': expected a number"]


def test_holdback_manager_bonus_and_pool_are_checked():
    text = GOOD + """
[holdback]
share_pct = 125
months = 1.5

[manager_bonus]
level = "office"
target_bonus = 1000
customer_share_pct = 50
attainment_cap_pct = 150

[[manager_bonus.customer]]
metric = "logo_churn"
weight_pct = 60
full_at = 0.3
zero_at = 0.1

[pool]
amount = 0
split_by = "region"
contribution = "profit"
"""
    assert problems(text) == [
        "line 24: holdback.share_pct = 125: must be above 0 and at most 100",
        "line 25: holdback.months = 1.5: expected a whole number",
        "line 37: manager_bonus.customer[1].zero_at = 0.1: for logo_churn, full_at must lie below zero_at (0.3)",
        "line 40: pool.amount = 0: must be above 0",
        "line 42: pool.contribution = 'profit': expected one of 'revenue', 'margin'",
    ]


def test_customer_weights_must_add_up_to_100():
    text = GOOD + """
[manager_bonus]
level = "team"
target_bonus = 1000
customer_share_pct = 50
attainment_cap_pct = 100

[[manager_bonus.customer]]
metric = "satisfaction"
weight_pct = 60
full_at = 4.5
zero_at = 3
"""
    assert problems(text) == ["line 31: manager_bonus.customer weights add up to 60, not 100"]


def test_toml_syntax_errors_name_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(GOOD.replace('period = "quarter"', 'period = quarter'), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert info.value.problems[0].startswith("line 5, column 10: not valid TOML: ")
    assert str(path) in str(info.value)
