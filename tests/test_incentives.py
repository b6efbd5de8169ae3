"""Commissions, caps, holdbacks, statements, managers' bonus and the bonus pool, worked out by hand.

The band arithmetic is checked on plain numbers first; then the plan below runs against incentive_crm (Q2 2025,
see its docstring) on every backend. Bands: 0 % → 2 % (decelerator), 50 % → 4 %, 100 % → 6 % (accelerator).

R1 (target 8000): o3 4000 (0 → 50 %), o4 3000 (50 → 87.5 %), o9 −400 (87.5 → 82.5 %).
  marginal: 4000 × 2 % = 80; 3000 × 4 % = 120; −400 × 4 % = −16 → 184 (= 4000 × 2 % + 2600 × 4 %).
  retroactive (82.5 % reaches the 50 % band): 4 % of each → 160 + 120 − 16 = 264.
R4 (target 1600): o6 1500 (0 → 93.75 %), o7 500 (93.75 → 125 %).
  marginal: o6 = 1600 × (2 % × 0.5 + 4 % × 0.4375) = 16 + 28 = 44; o7 = 1600 × (4 % × 0.0625 + 6 % × 0.25) = 4 + 24 = 28.
  retroactive (125 %): 6 % → 90 + 30 = 120.
R2 (target 2000): o5 1100 (0 → 55 %): 2000 × (2 % × 0.5 + 4 % × 0.05) = 20 + 4 = 24; o10 (GBP, no rate) earns nothing.
R3 (target 4000): o8 2000 (0 → exactly 50 %): 2000 × 2 % = 40; the reached band is the 50 % one (edges are inclusive).

Holdback 25 %, 12 months, mean satisfaction ≥ 4 (as of 30 June 2026, every window is over):
  o3 (A1, 10 Apr 2025): A1 orders again on 10 Apr 2026, exactly 12 months later; ratings in the window 5, 3, 4 (t1 is on
     the order's own day, t5 at 00:30 local the day after the window) → mean 4.0 → 20 released.
  o4 (A2, 20 May 2025): A2's next order is on 21 May 2026, one day late; no contract → 30 forfeited.
  o5 (A3): its own contract runs to 30 Apr 2026, past 15 Apr 2026; A3's only ticket is unrated → 6 released.
  o6 (A4): its contract ends 1 May 2026, the window's last day → 11 released.
  o7 (A5): nothing → 7 forfeited.   o8 (A6): reorders in Sept 2025 but rates 2 and 3 (2.5 < 4) → 10 forfeited.
  o9: a credit note — nothing held back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine

from data_layer.filters import Role, Viewer
from data_layer import schema
from data_layer.plans import Band, Commission, CustomerCondition, ManagerBonus, StatementExists, freeze_statement, frozen_statements, load_plan, parse_plan
from metrics.incentives import (
    DEFINITIONS,
    approved,
    band_at,
    bonus_record,
    bonuses_as_approved,
    capped,
    commission_lines,
    condition_score,
    contributions,
    deal_rates,
    frozen_differences,
    holdback_status,
    manager_bonus_amount,
    manager_bonuses,
    payouts,
    pool_group_names,
    pool_shares,
    split_pool,
    statement,
    statement_record,
)
from metrics.targets import TargetPeriod
from tests import incentive_crm
from tests.conftest import BACKENDS, database_on

D = Decimal
Q2 = TargetPeriod("quarter", date(2025, 4, 1), date(2025, 6, 30))
Q2_2026 = TargetPeriod("quarter", date(2026, 4, 1), date(2026, 6, 30))
BANDS = (Band(D(0), D(2), "decelerator"), Band(D(50), D(4)), Band(D(100), D(6), "accelerator"))

PLAN = """
[plan]
name = "Test plan"
version = "1"
payee = "rep"
period = "quarter"
target_measure = "revenue"

[commission]
method = "{method}"
base = "{base}"
credit_on = "{credit_on}"
{cap}

[[commission.bands]]
from_pct = 0
rate_pct = 2
name = "decelerator"

[[commission.bands]]
from_pct = 50
rate_pct = 4

[[commission.bands]]
from_pct = 100
rate_pct = 6
name = "accelerator"

[holdback]
share_pct = 25
months = 12
min_satisfaction = 4.0

[manager_bonus]
level = "office"
target_bonus = 10000
customer_share_pct = 50
attainment_cap_pct = 150

[[manager_bonus.customer]]
metric = "logo_churn"
weight_pct = 50
full_at = 0.1
zero_at = 0.6

[[manager_bonus.customer]]
metric = "satisfaction"
weight_pct = 50
full_at = 4.5
zero_at = 3.5

[pool]
amount = 10000
split_by = "region"
contribution = "margin"
"""


def plan(method: str = "marginal", base: str = "amount", credit_on: str = "order", cap: str = ""):
    return parse_plan(PLAN.format(method=method, base=base, credit_on=credit_on, cap=cap))


def commission(method: str, cap: str | None = None, cap_on: str | None = None) -> Commission:
    return Commission(method, "amount", "order", BANDS, None if cap is None else D(cap), cap_on)


# --- The arithmetic on plain numbers ------------------------------------------------------------------


def test_band_edges_are_inclusive_from_below():
    assert band_at(BANDS, D("0.4999")).from_pct == 0
    assert band_at(BANDS, D("0.5")).from_pct == 50
    assert band_at(BANDS, D("1")).from_pct == 100
    assert band_at(BANDS, D("-0.2")).from_pct == 0  # credit notes can take attainment below zero


def test_marginal_pays_each_band_on_the_part_inside_it():
    rates = deal_rates(commission("marginal"), D(1600), [D(1500), D(500)])
    assert [(D(a) * r).quantize(D("0.01")) for a, r in zip((1500, 500), rates, strict=True)] == [D("44.00"), D("28.00")]
    # one deal straight from 0 to 125 %: 2000 × ... = 1600 × (2 % × 0.5 + 4 % × 0.5 + 6 % × 0.25) = 16 + 32 + 24 = 72
    assert (D(2000) * deal_rates(commission("marginal"), D(1600), [D(2000)])[0]).quantize(D("0.01")) == D("72.00")
    # a deal that moves nothing is paid at the rate where attainment stands
    assert deal_rates(commission("marginal"), D(1000), [D(500), D(0)]) == [D("0.02"), D("0.04")]


def test_retroactive_pays_the_reached_band_on_everything():
    assert deal_rates(commission("retroactive"), D(1600), [D(1500), D(500)]) == [D("0.06"), D("0.06")]
    assert deal_rates(commission("retroactive"), D(2000), [D(999.99)]) == [D("0.02")]  # 49.9995 %: still below the floor
    assert deal_rates(commission("retroactive"), D(2000), [D(1000)]) == [D("0.04")]  # exactly 50 %


def test_caps_per_deal_and_per_period():
    earned = [D("80.00"), D("120.00"), D("-16.00")]
    assert capped(commission("marginal"), earned) == earned
    assert capped(commission("marginal", "100", "deal"), earned) == [D("80.00"), D("100.00"), D("-16.00")]
    # per period: 80 accrues, then 70 of the 120 reaches the 150 cap; the credit note leaves the total above the cap
    assert capped(commission("marginal", "150", "period"), earned) == [D("80.00"), D("70.00"), D("0.00")]
    assert capped(commission("marginal", "190", "period"), earned) == [D("80.00"), D("110.00"), D("-6.00")]


def test_holdback_decisions():
    args = dict(as_of=date(2026, 4, 10), window_end=date(2026, 4, 10), later_order=True, running_contract=False,
                satisfaction_sum=12, satisfaction_count=3, min_satisfaction=D(4))
    assert holdback_status(**args) == "released"  # the window's last day is in the data, mean exactly 4
    assert holdback_status(**{**args, "as_of": date(2026, 4, 9)}) == "pending"
    assert holdback_status(**{**args, "satisfaction_sum": 11}) == "forfeited"
    assert holdback_status(**{**args, "satisfaction_sum": 0, "satisfaction_count": 0}) == "released"  # no rated tickets
    assert holdback_status(**{**args, "later_order": False}) == "forfeited"
    assert holdback_status(**{**args, "later_order": False, "running_contract": True}) == "released"
    assert holdback_status(**{**args, "satisfaction_sum": 3, "satisfaction_count": 1, "min_satisfaction": None}) == "released"


def test_pool_shares_add_up_to_the_pool():
    # 10000 × 4050 / 5250 = 7714.2857… and × 1200 / 5250 = 2285.7142…: floors 7714.28 + 2285.71, the last cent to NORTH
    assert split_pool(D(10000), {"NORTH": D("4050.00"), "SOUTH": D("1200.00")}) == {"NORTH": D("7714.29"), "SOUTH": D("2285.71")}
    three = split_pool(D(100), {"A": D(1), "B": D(1), "C": D(1)})
    assert three == {"A": D("33.34"), "B": D("33.33"), "C": D("33.33")} and sum(three.values()) == D(100)
    assert split_pool(D(100), {"A": D(-5), "B": D(5)}) == {"A": D("0.00"), "B": D("100.00")}
    assert split_pool(D(100), {"A": D(0)}) == {}


def test_managers_bonus_formula():
    churn = CustomerCondition("logo_churn", D(50), D("0.1"), D("0.6"))
    sat = CustomerCondition("satisfaction", D(50), D("4.5"), D("3.5"))
    bonus = ManagerBonus("office", D(10000), D(50), D(150), (churn, sat))
    assert condition_score(churn, D("0.5")) == D("0.2") and condition_score(churn, D(0)) == 1 and condition_score(sat, D(1)) == 0
    # 10000 × 50 % × 0.876190… + 10000 × 50 % × (50 % × 0.2 + 50 % × 0) = 4380.95… + 500
    assert manager_bonus_amount(bonus, D(9200) / D(10500), {"logo_churn": D("0.5"), "satisfaction": D(1)}) == (D("4880.95"), None)
    # attainment capped at 150 %; satisfaction unknown: churn alone carries the customer half
    assert manager_bonus_amount(bonus, D(2), {"logo_churn": D("0.35"), "satisfaction": None}) == (D("10000.00"), None)
    assert manager_bonus_amount(bonus, D(1), {}) == (D("10000.00"), "no_customer_data")
    assert manager_bonus_amount(bonus, None, {}) == (None, "no_target")


# --- Against the database -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, incentive_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    return incentive_crm.contexts(loaded, date(2026, 6, 30))


def per_deal(frame: pd.DataFrame, column: str) -> dict[str, object]:
    return dict(zip(frame["order_number"], frame[column], strict=True))


def test_marginal_commission_and_holdbacks(ctx_for):
    lines = commission_lines(ctx_for(), plan(), Q2)
    assert list(lines["order_number"]) == ["SO-03", "SO-04", "SO-09", "SO-05", "SO-10", "SO-08", "SO-06", "SO-07"]
    assert per_deal(lines, "earned") == {
        "SO-03": D("80.00"), "SO-04": D("120.00"), "SO-09": D("-16.00"), "SO-05": D("24.00"), "SO-10": D("0.00"),
        "SO-08": D("40.00"), "SO-06": D("44.00"), "SO-07": D("28.00"),
    }
    assert per_deal(lines, "note")["SO-10"] == "no_amount"
    assert per_deal(lines, "held_back") == {
        "SO-03": D("20.00"), "SO-04": D("30.00"), "SO-09": D("0.00"), "SO-05": D("6.00"), "SO-10": D("0.00"),
        "SO-08": D("10.00"), "SO-06": D("11.00"), "SO-07": D("7.00"),
    }
    assert {k: v for k, v in per_deal(lines, "holdback_status").items() if isinstance(v, str)} == {
        "SO-03": "released", "SO-04": "forfeited", "SO-05": "released", "SO-08": "forfeited", "SO-06": "released", "SO-07": "forfeited"
    }
    assert (per_deal(lines, "satisfaction_sum")["SO-03"], per_deal(lines, "satisfaction_count")["SO-03"]) == (12, 3)
    assert per_deal(lines, "window_end")["SO-03"] == date(2026, 4, 10)
    table = payouts(ctx_for(), plan(), Q2).set_index("rep")
    assert table.loc["R1", ["earned", "held_back", "paid_now", "released", "forfeited"]].tolist() == [
        D("184.00"), D("50.00"), D("134.00"), D("20.00"), D("30.00")
    ]
    assert table.loc["R4", "earned"] == D("72.00") and table.loc["R4", "band"] == "accelerator"
    assert table.loc["R3", "band"] == "from 50%" and table.loc["R3", "attainment"] == D("0.5")


def test_holdbacks_still_pending(ctx_for):
    # as of 19 May 2026: o3 (10 Apr), o5 (15 Apr), o6 (1 May) are decided; o4 and o7 (20 May), o8 (10 Jun) are not
    lines = commission_lines(ctx_for(date(2026, 5, 19)), plan(), Q2)
    status = {k: v for k, v in per_deal(lines, "holdback_status").items() if isinstance(v, str)}
    assert status == {"SO-03": "released", "SO-04": "pending", "SO-05": "released", "SO-08": "pending", "SO-06": "released", "SO-07": "pending"}
    assert payouts(ctx_for(date(2026, 5, 19)), plan(), Q2).set_index("rep").loc["R1", "pending"] == D("30.00")


def test_retroactive_margin_invoice_and_cash(ctx_for):
    retro = payouts(ctx_for(), plan("retroactive"), Q2).set_index("rep")
    assert (retro.loc["R1", "earned"], retro.loc["R4", "earned"], retro.loc["R3", "earned"]) == (D("264.00"), D("120.00"), D("80.00"))
    # margin base, marginal rates as above: R1 1000 × 2 % + 2000 × 4 % − 100 × 4 % = 20 + 80 − 4; R2 550 × (0.012 / 0.55) = 12
    margin = per_deal(commission_lines(ctx_for(), plan(base="margin"), Q2), "earned")
    assert (margin["SO-03"], margin["SO-04"], margin["SO-09"], margin["SO-05"]) == (D("20.00"), D("80.00"), D("-4.00"), D("12.00"))
    # credited on invoice: R1's o3 (20 Apr) and o4 (25 May); the credit note was never invoiced
    invoiced = commission_lines(ctx_for(), plan(credit_on="invoice"), Q2)
    assert list(invoiced["order_number"]) == ["SO-03", "SO-04", "SO-05"]
    # credited on cash: o2 (ordered in Q1, paid 5 Apr: R3 900 / 4000 → 2 %), o3 (R1), o5 (R2)
    cash = per_deal(commission_lines(ctx_for(), plan(credit_on="cash", base="cash"), Q2), "earned")
    assert cash == {"SO-03": D("80.00"), "SO-05": D("24.00"), "SO-02": D("18.00")}
    # base cash but credited on order: o4 is not paid, so it earns nothing yet
    awaiting = commission_lines(ctx_for(), plan(base="cash"), Q2)
    assert per_deal(awaiting, "note")["SO-04"] == "awaiting_cash" and per_deal(awaiting, "earned")["SO-04"] == D("0.00")


def test_caps_from_the_plan(ctx_for):
    per_deal_cap = payouts(ctx_for(), plan(cap='cap = 100\ncap_on = "deal"'), Q2).set_index("rep")
    assert per_deal_cap.loc["R1", "earned"] == D("164.00") and bool(per_deal_cap.loc["R1", "capped"])
    per_period = payouts(ctx_for(), plan(cap='cap = 150\ncap_on = "period"'), Q2).set_index("rep")
    assert per_period.loc["R1", "earned"] == D("150.00") and not bool(per_period.loc["R4", "capped"])


def test_statement_with_holdbacks_decided_in_the_period(ctx_for, tmp_path):
    s = statement(ctx_for(), plan(), "R1", Q2_2026)
    # Q2 2026: R1's o11 and o12 have no target (no commission); o3's holdback released, o4's forfeited
    assert list(s.lines["note"]) == ["no_target", "no_target"]
    assert per_deal(s.decided, "holdback_status") == {"SO-03": "released", "SO-04": "forfeited"}
    assert s.totals == {"earned": D("0.00"), "held_back": D("0.00"), "paid_now": D("0.00"), "released": D("20.00"),
                        "forfeited": D("30.00"), "payable": D("20.00")}
    q2 = statement(ctx_for(), plan(), "R1", Q2)
    assert q2.totals["earned"] == D("184.00") and q2.totals["payable"] == D("134.00")
    with pytest.raises(ValueError, match="no rep"):
        statement(ctx_for(), plan(), "R99", Q2)
    # approved: frozen in Granary's own database with the plan version and as-of, never overwritten
    own = __import__("sqlalchemy").create_engine(f"sqlite:///{tmp_path / 'own.sqlite'}")
    kwargs = dict(plan=s.plan, payee="R1", period_start=Q2.start, period_end=Q2.end, as_of=q2.as_of, currency="USD",
                  approved_by="north", approved_at=datetime(2026, 7, 1, 9, 0), totals=q2.totals,
                  lines=q2.lines[["order_number", "earned", "held_back"]].to_dict("records"))
    freeze_statement(own, **kwargs)
    with pytest.raises(StatementExists):
        freeze_statement(own, **kwargs)
    (frozen,) = frozen_statements(own, "R1")
    assert (frozen.plan_version, frozen.as_of, frozen.totals["earned"], frozen.plan_digest) == ("1", date(2026, 6, 30), D("184.00"), s.plan.digest)
    assert frozen.lines[0] == {"order_number": "SO-03", "earned": "80.00", "held_back": "20.00"}


def test_managers_bonus_per_office(ctx_for):
    # N-OFF: attainment 9200 / 10500; logo churn 1 of 2 (A1 stays, A9 lost) = 0.5; satisfaction of A1's t1 = 1.
    # S-OFF: 2500 / 5000 = 0.5 → 2500; churn 0 of 1 (A7 stays) → 1; satisfaction (4 + 5) / 2 = 4.5 → 1 → 5000.
    frame = manager_bonuses(ctx_for(date(2025, 7, 15)), plan(), Q2).set_index("unit")
    assert frame.loc["N-OFF", "bonus"] == D("4880.95") and frame.loc["N-OFF", "logo_churn"] == D("0.5")
    assert frame.loc["S-OFF", "bonus"] == D("7500.00") and frame.loc["S-OFF", "satisfaction"] == D("4.5")


def test_pool_split_by_region_and_what_if(ctx_for):
    # margins: NORTH 1000 + 2000 + 550 + 600 − 100 = 4050 (o10 has no GBP rate); SOUTH 400 + 800 = 1200
    ctx = ctx_for(date(2025, 7, 15))
    shares = pool_shares(ctx, plan(), Q2)
    assert dict(zip(shares["group"], shares["amount"], strict=True)) == {"NORTH": D("7714.29"), "SOUTH": D("2285.71")}
    assert sum(shares["amount"]) == D(10000)
    # what-if: SOUTH's contribution doubled → 4050 : 2400
    moved = pool_shares(ctx, plan(), Q2, adjust={"SOUTH": D(2)})
    assert sum(moved["amount"]) == D(10000) and moved.set_index("group").loc["SOUTH", "amount"] > D("2285.71")
    # revenue by business unit: HW 8200, SW 3500 → 7008.547… and 2991.452…: the last cent to HW
    assert split_pool(D(10000), contributions(ctx, Q2, "bu", "revenue")) == {"HW": D("7008.55"), "SW": D("2991.45")}
    with pytest.raises(ValueError, match="cannot split by"):
        contributions(ctx, Q2, "galaxy", "revenue")


def test_a_regional_head_sees_their_reps_deals_only(ctx_for):
    north = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
    table = payouts(ctx_for(viewer=north), plan(), Q2)
    assert list(table["rep"]) == ["R1", "R2", "R4"]  # R4's o6 was booked in N-OFF
    assert table.set_index("rep").loc["R4", "credited"] == D("1500.00")


def test_the_demo_plan_is_valid_and_documented():
    demo = load_plan("plans/demo.toml")
    assert demo.commission.method in ("marginal", "retroactive") and demo.holdback is not None
    assert demo.manager_bonus is not None and demo.pool is not None
    assert {"commission", "holdback", "manager_bonus", "pool"} <= set(DEFINITIONS)
    doc = open("docs/incentive-plans.md", encoding="utf-8").read()
    for key in ("method", "base", "credit_on", "cap_on", "share_pct", "min_satisfaction", "customer_share_pct", "split_by"):
        assert f"`{key}`" in doc


# --- The pool by customer, project and project grade --------------------------------------------------------------


def test_pool_split_by_customer_project_and_project_grade(ctx_for):
    ctx = ctx_for(date(2025, 7, 15))
    # Customers by margin: A2 2000, A1 1000 − 100 = 900, A6 800, A4 600, A3 550, A5 400 (A8's GBP has no rate): 5250.
    # 10000 × each ÷ 5250 = 3809.5238, 1714.2857, 1523.8095, 1142.8571, 1047.6190, 761.9047: rounded down they leave
    # 4 cents, which go to the largest remainders — A6 (.95), A3 (.90), A4 (.71), A1 (.57); A2 (.38) and A5 (.47) get none.
    by_customer = contributions(ctx, Q2, "customer", "margin")
    assert by_customer == {"2": D("2000.00"), "1": D("900.00"), "6": D("800.00"), "4": D("600.00"), "3": D("550.00"), "5": D("400.00")}
    assert split_pool(D(10000), by_customer) == {
        "2": D("3809.52"), "1": D("1714.29"), "6": D("1523.81"), "4": D("1142.86"), "3": D("1047.62"), "5": D("761.90")
    }
    # Projects = the opportunity each order came from: op7 (o3 1000, o9 −100) 900, op8 (o6) 600, op9 (o5) 550; the rest
    # of the orders have no opportunity and share in nothing. 10000 × 900 / 2050 = 4390.2439, × 600 / 2050 = 2926.8292,
    # × 550 / 2050 = 2682.9268: 2 cents left, to op8 (.92) and op9 (.68).
    by_project = contributions(ctx, Q2, "project", "margin")
    assert by_project == {"7": D("900.00"), "8": D("600.00"), "9": D("550.00")}
    assert split_pool(D(10000), by_project) == {"7": D("4390.24"), "8": D("2926.83"), "9": D("2682.93")}
    # Project grades: op7 is company-level (900), op8 office-level (600), op9 ungraded (left out): 6000 and 4000.
    assert split_pool(D(10000), contributions(ctx, Q2, "project_grade", "margin")) == {"company": D("6000.00"), "office": D("4000.00")}
    assert pool_group_names(ctx, "project", ["7", "8"]) == {"7": "Project 7", "8": "Project 8"}
    assert pool_group_names(ctx, "customer", ["2"]) == {"2": "A2"}
    assert pool_group_names(ctx, "project_grade", ["company"]) == {"company": "Company-level project"}
    # The south head's scope: S-OFF's orders only — A5 400 and A6 800.
    south = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
    assert contributions(ctx_for(date(2025, 7, 15), viewer=south), Q2, "customer", "margin") == {"6": D("800.00"), "5": D("400.00")}


# --- Approved statements: frozen, read back, compared with today ------------------------------------------------


def _freeze(own: Engine, s: object, *, kind: str = "commission", payee: str | None = None, totals: dict | None = None,
            lines: list | None = None, unit: str | None = None, bus: tuple[str, ...] | None = None) -> int:
    return freeze_statement(
        own, plan=s.plan, payee=payee or s.rep, period_start=s.period.start, period_end=s.period.end, as_of=s.as_of,  # type: ignore[attr-defined]
        currency="USD", approved_by="north", approved_at=datetime(2025, 7, 15, 9, 0), totals=totals or s.totals,  # type: ignore[attr-defined]
        lines=lines if lines is not None else statement_record(s), kind=kind, unit=unit if unit is not None else s.team,  # type: ignore[arg-type, attr-defined]
        business_units=bus,
    )


def test_an_approved_statement_is_read_back_and_compared_with_today(ctx_for, tmp_path):
    own = create_engine(f"sqlite:///{tmp_path / 'own.sqlite'}")
    # Approved on 15 July 2025: R1's holdbacks are all pending then.
    then = statement(ctx_for(date(2025, 7, 15)), plan(), "R1", Q2)
    assert then.team == "N-T1" and statement(ctx_for(), plan(), "R4", Q2).team == "S-T1"  # R4 moved to S-T1 on 15 May
    _freeze(own, then)
    (frozen,) = frozen_statements(own, "R1")
    assert (frozen.kind, frozen.unit, frozen.business_units, frozen.totals["payable"]) == ("commission", "N-T1", None, D("134.00"))
    deals = frozen.lines_of("deal")
    assert [d["order_number"] for d in deals] == ["SO-03", "SO-04", "SO-09"]
    assert (deals[0]["earned"], deals[0]["held_back"], deals[0]["holdback_status"], deals[0]["window_end"]) == (
        D("80.00"), D("20.00"), "pending", date(2026, 4, 10))
    # The same day's figures agree with the record.
    assert frozen_differences(frozen, then).empty
    # A year on, o3's holdback was released (20) and o4's forfeited (30): the totals of Q2 2025 stay (they were decided
    # in Q2 2026's statement), the lines say what changed.
    later = frozen_differences(frozen, statement(ctx_for(), plan(), "R1", Q2))
    assert [tuple(r) for r in later[["order_number", "field", "frozen", "live"]].itertuples(index=False)] == [
        ("SO-03", "holdback_status", "pending", "released"), ("SO-03", "released", D("0.00"), D("20.00")),
        ("SO-04", "holdback_status", "pending", "forfeited"), ("SO-04", "forfeited", D("0.00"), D("30.00")),
    ]
    # Under a plan with a cap of 150 the totals differ too, and o4 earns 70 instead of 120.
    capped_now = frozen_differences(frozen, statement(ctx_for(date(2025, 7, 15)), plan(cap='cap = 150\ncap_on = "period"'), "R1", Q2))
    assert ("total", "earned", D("184.00"), D("150.00")) in [tuple(r) for r in capped_now[["part", "field", "frozen", "live"]].itertuples(index=False)]
    assert ("SO-04", "earned", D("120.00"), D("70.00")) in [tuple(r) for r in capped_now[["order_number", "field", "frozen", "live"]].itertuples(index=False)]


def test_a_holdback_is_decided_in_its_period_however_late_the_deal_was_credited(tmp_path):
    """Credited on the cash date, o2 (R3, ordered 15 Mar 2025) is paid only on 20 Oct 2025: credited in Q4 2025, its
    holdback window still ends twelve months after the order, 15 Mar 2026, so Q1 2026's statement decides it."""
    engine = create_engine(f"sqlite:///{tmp_path / 'crm.sqlite'}")
    incentive_crm.load(engine)
    o = schema.sales_order
    q4 = dict(period_kind="quarter", period_start=date(2025, 10, 1), period_end=date(2025, 12, 31))
    with engine.begin() as conn:
        conn.execute(o.update().where(o.c.order_number == "SO-02").values(cash_collected_date=date(2025, 10, 20)))
        conn.execute(schema.target.insert().values(target_id=900, measure="revenue", value=D("1000"), rep_id=3, **q4))
    ctx = incentive_crm.contexts(engine, date(2026, 6, 30))()
    cash = plan(credit_on="cash", base="cash")
    q1_2026 = TargetPeriod("quarter", date(2026, 1, 1), date(2026, 3, 31))
    q4_2025 = TargetPeriod("quarter", date(2025, 10, 1), date(2025, 12, 31))
    assert list(commission_lines(ctx, cash, q4_2025, rep_id=3)["order_number"]) == ["SO-02"]  # credited late
    decided = statement(ctx, cash, "R3", q1_2026).decided
    assert list(decided["order_number"]) == ["SO-02"] and list(decided["window_end"]) == [date(2026, 3, 15)]
    assert list(decided["holdback_status"])[0] in ("released", "forfeited")
    engine.dispose()


def test_approved_statements_are_seen_in_scope_only(ctx_for, tmp_path):
    own = create_engine(f"sqlite:///{tmp_path / 'own.sqlite'}")
    q2 = ctx_for(date(2025, 7, 15))
    _freeze(own, statement(q2, plan(), "R1", Q2))  # team N-T1, every business unit
    _freeze(own, statement(q2, plan(), "R3", Q2))  # team S-T1
    _freeze(own, statement(q2, plan(), "R2", Q2), bus=("HW",))  # N-T2, approved by someone limited to HW
    _freeze(own, statement(q2, plan(), "R5", Q2), unit="")  # frozen before units were recorded: no unit
    north = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
    lead = Viewer(user="lead", role=Role.TEAM_LEAD, units=("N-T2",))
    hw_north = Viewer(user="hw", role=Role.REGIONAL_HEAD, units=("NORTH",), bus=("HW",))

    def seen(viewer: Viewer | None = None) -> tuple[list[str], int]:
        mine, withheld = approved(ctx_for(date(2025, 7, 15), **({"viewer": viewer} if viewer else {})), own)
        return [f.payee for f in mine], withheld

    assert seen() == (["R1", "R2", "R3", "R5"], 0)  # the executive sees every one, even the one with no unit
    assert seen(north) == (["R1", "R2"], 0)
    # R2 is in N-T2, but their deals are booked to the North office, outside the team lead's scope: the frozen
    # deals would show the lead what their own figures do not, so the statement is withheld.
    assert seen(lead) == ([], 1)
    # Limited to HW: R1's statement covers every business unit (SW's o4 too), so it is withheld; R2's covers HW only.
    assert seen(hw_north) == (["R2"], 1)
    # A bonus is another kind: not among the statements.
    assert approved(q2, own, "manager_bonus") == ([], 0)


def test_an_older_statement_table_is_brought_up_to_date(tmp_path):
    own = create_engine(f"sqlite:///{tmp_path / 'own.sqlite'}")
    with own.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE incentive_statement (statement_id INTEGER PRIMARY KEY, plan_name VARCHAR(200) NOT NULL, plan_version VARCHAR(40) NOT NULL, "
            "plan_digest VARCHAR(64) NOT NULL, payee VARCHAR(40) NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL, as_of DATE NOT NULL, "
            "currency VARCHAR(3) NOT NULL, approved_by VARCHAR(200) NOT NULL, approved_at DATETIME NOT NULL, totals TEXT NOT NULL, lines TEXT NOT NULL)"
        )
        conn.exec_driver_sql(
            "INSERT INTO incentive_statement VALUES (1, 'Test plan', '1', 'x', 'R1', '2025-04-01', '2025-06-30', '2025-07-15', 'USD', 'ceo', "
            "'2025-07-15 09:00:00', '{\"payable\": \"134.00\"}', '[]')"
        )
    (old,) = frozen_statements(own)
    assert (old.kind, old.unit, old.business_units, old.totals) == ("commission", None, None, {"payable": D("134.00")})


def test_a_managers_bonus_is_frozen_with_its_inputs(ctx_for, tmp_path):
    own = create_engine(f"sqlite:///{tmp_path / 'own.sqlite'}")
    p = plan()
    live = manager_bonuses(ctx_for(date(2025, 7, 15)), p, Q2)
    north = live.set_index("unit").loc["N-OFF"].to_dict() | {"unit": "N-OFF"}
    totals, lines = bonus_record(p, north)
    # N-OFF (see test_managers_bonus_per_office): churn 0.5 scores (0.6 − 0.5) / (0.6 − 0.1) = 0.2, satisfaction 1 scores 0.
    assert totals["bonus"] == D("4880.95") and totals["attainment"] == D(9200) / D(10500)
    assert [(ln["metric"], ln.get("score")) for ln in lines] == [("attainment", None), ("logo_churn", D("0.2")), ("satisfaction", D(0))]
    s = statement(ctx_for(date(2025, 7, 15)), p, "R1", Q2)
    _freeze(own, s, kind="manager_bonus", payee="N-OFF", totals=totals, lines=lines, unit="N-OFF")
    frozen = frozen_statements(own, kind="manager_bonus")
    assert [f.payee for f in frozen] == ["N-OFF"] and frozen_statements(own) == []
    assert frozen[0].totals["bonus"] == D("4880.95") and frozen[0].lines_of("input")[1]["score"] == D("0.2")
    # Shown from the record: today's N-OFF figures agree; change them and the record still shows, flagged as differing.
    shown = bonuses_as_approved(live, frozen, p, Q2).set_index("unit")
    assert bool(shown.loc["N-OFF", "frozen"]) and not bool(shown.loc["N-OFF", "differs"]) and not bool(shown.loc["S-OFF", "frozen"])
    moved = live.assign(bonus=[D("9999.99") if u == "N-OFF" else b for u, b in zip(live["unit"], live["bonus"], strict=True)])
    again = bonuses_as_approved(moved, frozen, p, Q2).set_index("unit")
    assert again.loc["N-OFF", "bonus"] == D("4880.95") and bool(again.loc["N-OFF", "differs"])
    # Another plan version's or period's record is not this one's.
    assert not bonuses_as_approved(live, frozen, p, Q2_2026)["frozen"].any()
