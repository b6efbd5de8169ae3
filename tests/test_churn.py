"""Churn and retention against churn_crm, worked out by hand, identical on every backend.

Q2 2025: s = April 2025, e = June 2025, W = 12. The base is the accounts with a positive order
in April 2024 … March 2025; an account is still active in June 2025 with a positive order in
July 2024 … June 2025. GRR/NRR compare July 2024 … June 2025 (recent) with July 2023 … June 2024
(prior). Revenue in USD (EUR 1.10 in 2024, 1.20 in 2025; GBP no rate).

| acct | home 30 Jun | base? | active Jun 25? | base revenue      | prior (capped ≥0) | recent           |
|------|-------------|-------|----------------|-------------------|-------------------|------------------|
| A1   | NORTH       | yes   | yes            | 1000 + 800 = 1800 | 500 + 1000 = 1500 | 800 + 300 = 1100 |
| A2   | NORTH       | yes   | no: churned    | 600 + 400 = 1000  | 1000              | 0                |
| A3   | SOUTH       | yes   | yes            | 220 + 300 = 520   | 100               | 220+300+900 = 1420 |
| A4   | SOUTH       | no: 0.00 and −50 never make it active                                         |
| A5   | NORTH       | yes   | yes (July 2024, the window's first month) | 500 − 100 = 400 | 0 | 400 |
| A6   | SOUTH (moved 15 May) | yes | no: churned | 700          | 700               | 0                |
| A7   | NORTH       | yes   | yes            | 250 + 50 = 300 (GBP left out) | 0     | 300              |
| A8   | SOUTH       | no: first order inside the period                                             |
| A9   | NORTH       | no: lapsed in 2023                                                            |
| A10  | SOUTH       | yes   | no: churned    | 110               | 110               | 0                |
| A11  | SOUTH       | yes   | yes            | 100 − 300 → 0 (a negative net counts as zero) | 0 | −200 → 0 |

Totals: base 8, churned 3 (A2, A6, A10); base revenue 4830, churned 1810. GRR: capped
min(recent, prior) = 1100 + 0 + 100 + 0 + 0 + 0 + 0 = 1200 over prior 3410; NRR 3220 / 3410.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, event

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import read_frame
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics.base import Context, Grouping, evaluate, result, shared_statements, trend
from metrics.churn import (
    CONTRACT_CHURN,
    GRR,
    LOGO_CHURN,
    NRR,
    REVENUE_CHURN,
    accounts_at_risk,
    churn_table,
    cohort_retention,
    contractual_churn,
    ratio_columns,
    ratio_query,
)
from metrics.registry import REGISTRY
from tests import churn_crm, tiny_crm
from tests.conftest import BACKENDS, database_on
from tests.fixture_db import load_crm

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter")
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
EMPTY = Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter")
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
COLUMNS = ("base", "churned", "base_revenue", "churned_revenue", "prior_revenue", "retained_revenue", "recent_revenue")


def money(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """churn_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, churn_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER) -> Context:
        return Context(loaded, org, viewer, Calendar(), "USD", date(2025, 10, 1))

    return make


def row(frame, i: int = 0) -> tuple:
    return tuple(frame.iloc[i][list(COLUMNS)])


def test_base_churned_and_revenues_of_a_quarter(ctx_for):
    table = churn_table(ctx_for(), Filters(Q2))
    assert row(table) == (8, 3, *money("4830.00", "1810.00", "3410.00", "1200.00", "3220.00"))
    assert table.iloc[0]["logo_churn"] == 3 / 8


def test_the_registered_ratios(ctx_for):
    ctx = ctx_for()
    logo = result(LOGO_CHURN, ctx, Filters(Q2))
    assert (logo.numerator, logo.denominator, logo.value) == (3, 8, 3 / 8)
    revenue = result(REVENUE_CHURN, ctx, Filters(Q2))
    assert (revenue.numerator, revenue.denominator, revenue.value) == (1810.0, 4830.0, 1810 / 4830)
    grr, nrr = result(GRR, ctx, Filters(Q2)), result(NRR, ctx, Filters(Q2))
    # GRR caps each account at its earlier revenue (A3's 1420 counts as 100); NRR does not.
    assert (grr.numerator, grr.denominator, grr.value) == (1200.0, 3410.0, 1200 / 3410)
    assert (nrr.numerator, nrr.denominator, nrr.value) == (3220.0, 3410.0, 3220 / 3410)
    for key in ("logo_churn", "revenue_churn", "grr", "nrr"):
        assert REGISTRY[key].definition["en"] and REGISTRY[key].definition["zh"] and REGISTRY[key].label["zh"]
    assert (LOGO_CHURN.better, REVENUE_CHURN.better, GRR.better, NRR.better) == ("down", "down", "up", "up")


def test_by_home_unit_as_of_the_period_end(ctx_for):
    # NORTH: A1, A2, A5, A7 — base revenue 1800 + 1000 + 400 + 300; A2 churned. SOUTH: A3 (its 300 bought
    # through N-OFF counts at home), A6 (NORTH until 15 May, SOUTH on 30 June), A10, A11; A6 and A10 churned.
    # Prior NORTH 1500 + 1000, capped 1100, recent 1100 + 400 + 300; SOUTH prior 100 + 700 + 110, capped 100, recent 1420.
    table = churn_table(ctx_for(), Filters(Q2), by="unit")
    assert list(table["group"]) == ["NORTH", "SOUTH"]
    assert row(table, 0) == (4, 1, *money("3500.00", "1000.00", "2500.00", "1100.00", "1800.00"))
    assert row(table, 1) == (4, 2, *money("1330.00", "810.00", "910.00", "100.00", "1420.00"))
    by_unit = evaluate(LOGO_CHURN, ctx_for(), Filters(Q2), Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["value"], strict=True)) == {"NORTH": 0.25, "SOUTH": 0.5}
    # SOUTH grew: NRR 1420 / 910 above 100%, while GRR stays capped at 100 / 910.
    nrr = evaluate(NRR, ctx_for(), Filters(Q2), Grouping("unit"))
    grr = evaluate(GRR, ctx_for(), Filters(Q2), Grouping("unit"))
    assert dict(zip(nrr["group"], nrr["value"], strict=True)) == {"NORTH": 1800 / 2500, "SOUTH": 1420 / 910}
    assert dict(zip(grr["group"], grr["value"], strict=True)) == {"NORTH": 1100 / 2500, "SOUTH": 100 / 910}


def test_a_home_unit_change_moves_the_account_with_the_period_end(ctx_for):
    # Q1 2025 (base: positive orders in 2024; active in March 2025: April 2024 … March 2025): nobody churned.
    # On 31 March A6 was still NORTH's: NORTH A1, A2, A5, A6, A7; SOUTH A3, A10, A11.
    table = churn_table(ctx_for(), Filters(Q1), by="unit")
    assert dict(zip(table["group"], zip(table["base"], table["churned"], strict=True), strict=True)) == {
        "NORTH": (5, 0),
        "SOUTH": (3, 0),
    }
    assert result(LOGO_CHURN, ctx_for(), Filters(Q1)).value == 0.0


def test_a_viewer_scoped_to_one_region_sees_its_home_accounts(ctx_for):
    table = churn_table(ctx_for(NORTH_HEAD), Filters(Q2))
    assert row(table) == (4, 1, *money("3500.00", "1000.00", "2500.00", "1100.00", "1800.00"))
    assert result(GRR, ctx_for(NORTH_HEAD), Filters(Q2)).value == 1100 / 2500
    assert result(LOGO_CHURN, ctx_for(NORTH_HEAD), Filters(Q2, unit="SOUTH")).value is None


def test_business_unit_filter_counts_only_its_orders(ctx_for):
    # SW orders only: A3's 300 (Oct 2024), A7's 250 (Nov 2024), A1's 300 (May 2025). The base is A3 and A7,
    # both still active; A2, whose orders are all HW, is not in it. Nothing in SW before July 2024: no GRR.
    table = churn_table(ctx_for(), Filters(Q2, bus=("SW",)))
    assert row(table) == (2, 0, *money("550.00", "0.00", "0.00", "0.00", "550.00"))
    grr = result(GRR, ctx_for(), Filters(Q2, bus=("SW",)))
    assert (grr.value, grr.reason) == (None, "no_denominator")


def test_a_shorter_activity_window(ctx_for):
    # W = 3: base = positive orders in January … March 2025: A1 (800) and A7 (50); A7 has none in April … June.
    table = churn_table(ctx_for(), Filters(Q2), window=3)
    assert row(table)[:4] == (2, 1, *money("850.00", "50.00"))
    frame = read_frame(ctx_for().engine, ratio_query(window=3)(ctx_for(), Filters(Q2), Grouping()))
    numerator, denominator = ratio_columns("revenue_churn")
    assert (float(frame[numerator][0]), float(frame[denominator][0])) == (50.0, 850.0)


def test_the_churn_ratios_of_one_filter_set_share_one_statement(ctx_for):
    ctx = ctx_for()
    sent: list[str] = []
    listen = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    event.listen(ctx.engine, "before_cursor_execute", listen)
    try:
        with shared_statements():
            shared = [result(m, ctx, Filters(Q2)) for m in (LOGO_CHURN, REVENUE_CHURN, GRR, NRR)]
        once = len([s for s in sent if "churn_accounts" in s])
        alone = [result(m, ctx, Filters(Q2)) for m in (LOGO_CHURN, REVENUE_CHURN, GRR, NRR)]
    finally:
        event.remove(ctx.engine, "before_cursor_execute", listen)
    assert once == 1
    assert len([s for s in sent if "churn_accounts" in s]) == 5  # outside the block, each ratio asks again
    assert shared == alone


def test_an_empty_base_has_no_value_and_says_why(ctx_for):
    assert row(churn_table(ctx_for(), Filters(EMPTY))) == (0, 0, *money("0.00", "0.00", "0.00", "0.00", "0.00"))
    for metric in (LOGO_CHURN, REVENUE_CHURN, GRR, NRR):
        res = result(metric, ctx_for(), Filters(EMPTY))
        assert (res.value, res.reason) == (None, "no_denominator")


def test_monthly_trend_takes_each_month_as_its_own_period(ctx_for):
    # April: base = active in March (the 8 of the quarter); A10 (last order April 2024) lapses → 1/8.
    # May: base active in April: A10 out, A8 in (8); A6 (May 2024) lapses → 1/8. June: base 7; A2 lapses → 1/7.
    points = trend(LOGO_CHURN, ctx_for(), Filters(Q2))
    assert list(points["bucket_start"]) == [date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)]
    assert list(points["value"]) == [1 / 8, 1 / 8, 1 / 7]
    with pytest.raises(NotImplementedError):
        evaluate(LOGO_CHURN, ctx_for(), Filters(Period(Q2.start, Q2.end, "week", "quarter")), Grouping("bucket"))


def test_cohort_retention_by_first_order_quarter(ctx_for):
    # First orders above zero in 2024: Q1 A3; Q2 A2, A6, A10; Q3 A5, A11 (their credit notes are not orders above
    # zero); Q4 A7. Quarters with an order above zero: A3 Q1, Q3, Q4 2024 and Q2 2025 (k = 0, 2, 3, 5); A7 Q4 2024
    # and Q1 2025 (k = 0, 1); the others only their first quarter. Columns run to Q4 2025, the as-of quarter.
    year = Period(date(2024, 1, 1), date(2024, 12, 31), "quarter", "year")
    matrix = cohort_retention(ctx_for(), Filters(year))
    assert list(matrix["cohort"]) == ["FY2024 Q1", "FY2024 Q2", "FY2024 Q3", "FY2024 Q4"]
    assert list(matrix["accounts"]) == [1, 3, 2, 1]
    cells = [[None if pd.isna(v) else v for v in matrix.iloc[i][list(range(8))]] for i in range(4)]
    assert cells == [
        [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, None],
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, None, None],
        [1.0, 1.0, 0.0, 0.0, 0.0, None, None, None],
    ]
    # A NORTH head, homes as of 31 December 2024: A2 and A6 (NORTH's until May 2025) in Q2, A5 in Q3, A7 in Q4;
    # A3, A10 and A11 are at home in SOUTH.
    north = cohort_retention(ctx_for(NORTH_HEAD), Filters(year))
    assert (list(north["cohort"]), list(north["accounts"])) == (["FY2024 Q2", "FY2024 Q3", "FY2024 Q4"], [2, 1, 1])


def test_cohort_retention_of_the_as_of_quarter_alone(ctx_for):
    # The period and the as-of date (1 October 2025) share one fiscal quarter: a single column of
    # quarters, which once compiled to an empty CASE. No account's first order falls in it.
    only = Period(date(2025, 10, 1), date(2025, 10, 1), "day", "quarter")
    matrix = cohort_retention(ctx_for(), Filters(only))
    assert len(matrix) == 0


def test_accounts_at_risk(ctx_for):
    # On 30 June 2025 the active accounts with two or more order dates above zero: A1 (gaps 243, 276, 89 days:
    # usual 243; last 10 May, 51 days ago), A3 (153, 61, 243: usual 153; last 1 June, 29 days), A7 (30, 109:
    # usual 69.5; last 20 March, 102 days ago — at risk). A5, A8 and A11 have one such date: no usual interval.
    risk = accounts_at_risk(ctx_for(), Filters(Q2))
    assert risk.to_dict("records") == [
        dict(account_id=7, name="A7", home_unit="N-OFF", last_order_date=date(2025, 3, 20), days_since_last_order=102,
             usual_interval_days=69.5, intervals=2)
    ]
    assert accounts_at_risk(ctx_for(), Filters(Q2, unit="SOUTH")).empty


# --- Contractual churn ---------------------------------------------------------------------------------
#
# tiny_crm's organisation and business units; Q2 2025, data as of 20 July 2025, grace 30 days: an account
# whose latest contract end in Q2 is after 20 June is not yet decided. Contracts are HW unless marked SW.
#
# | acct | home 30 Jun | contract ending in Q2 | afterwards                                   | outcome          |
# |------|-------------|-----------------------|----------------------------------------------|------------------|
# | C1   | N-OFF       | 2025-04-14            | renewal 2025-04-15 … 2026-04-14              | renewed          |
# | C2   | N-OFF       | 2025-04-30            | renewal starts 2025-05-30 (day 30)           | renewed          |
# | C3   | S-OFF       | 2025-05-10            | new contract starts 2025-06-10 (day 31)      | churned          |
# | C4   | S-OFF       | 2025-05-31            | an SW contract running 2025-01-01 … 2025-12-31 | renewed (in force) |
# | C5   | S-OFF       | 2025-06-25            | nothing yet                                  | pending (25 days) |
# | C6   | N-OFF       | 2025-04-20            | a plain order 2025-05-01 (no contract)       | churned          |
# | C7   | N-OFF       | 2025-07-15 (Q3)       |                                              | not in Q2        |
# | C8   | S-OFF       | 2025-05-15, a −100 credit note: not a contract |                     | not in Q2        |
# | C9   | N-OFF → S-OFF 1 Jun | 2025-04-30    | nothing                                      | churned (SOUTH)  |
#
# Q2: ending 7, pending 1, base 6, renewed 3, churned 3 (C3, C6, C9). NORTH C1, C2, C6: 1 of 3; SOUTH C3, C4, C9: 2 of 3.

CONTRACT_HOMES = {1: 4, 2: 4, 3: 5, 4: 5, 5: 5, 6: 4, 7: 4, 8: 5, 9: 5}
CONTRACT_ACCOUNTS = [
    dict(account_id=i, name=f"C{i}", segment="smb", source_channel="event", home_unit_id=home, owner_rep_id=1, created_at=datetime(2022, 1, 1))
    for i, home in CONTRACT_HOMES.items()
]
CONTRACT_HISTORY = [
    dict(account_id=9, owner_rep_id=1, home_unit_id=4, valid_from=date(2020, 1, 1), valid_to=date(2025, 6, 1)),
    dict(account_id=9, owner_rep_id=1, home_unit_id=5, valid_from=date(2025, 6, 1), valid_to=None),
]


def _contract(i: int, account: int, start: date, end: date | None, amount: str = "100.00", bu: int = 1) -> dict:
    return dict(
        order_id=i, order_number=f"C-{i}", account_id=account, rep_id=1, unit_id=CONTRACT_HOMES[account], bu_id=bu, product_id=bu,
        order_date=start, amount=Decimal(amount), currency="USD", contract_start_date=start if end else None, contract_end_date=end,
    )


CONTRACTS = [
    _contract(1, 1, date(2024, 4, 15), date(2025, 4, 14)),
    _contract(2, 1, date(2025, 4, 15), date(2026, 4, 14)),
    _contract(3, 2, date(2024, 5, 1), date(2025, 4, 30)),
    _contract(4, 2, date(2025, 5, 30), date(2026, 5, 29)),
    _contract(5, 3, date(2024, 5, 11), date(2025, 5, 10)),
    _contract(6, 3, date(2025, 6, 10), date(2026, 6, 9)),
    _contract(7, 4, date(2024, 6, 1), date(2025, 5, 31)),
    _contract(8, 4, date(2025, 1, 1), date(2025, 12, 31), bu=2),
    _contract(9, 5, date(2024, 6, 26), date(2025, 6, 25)),
    _contract(10, 6, date(2024, 4, 21), date(2025, 4, 20)),
    _contract(11, 6, date(2025, 5, 1), None),
    _contract(12, 7, date(2024, 7, 16), date(2025, 7, 15)),
    _contract(13, 8, date(2024, 5, 16), date(2025, 5, 15), "-100.00"),
    _contract(14, 9, date(2024, 5, 1), date(2025, 4, 30)),
]
CONTRACT_COLUMNS = ["ending", "pending", "base", "renewed", "churned"]


@pytest.fixture(scope="module", params=BACKENDS)
def contract_ctx(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Context]]:
    tables = [
            (schema.org_unit, tiny_crm.ORG), (schema.business_unit, tiny_crm.BUS), (schema.product, tiny_crm.PRODUCTS),
            (schema.rep, tiny_crm.REPS), (schema.account, CONTRACT_ACCOUNTS), (schema.account_history, CONTRACT_HISTORY),
            (schema.sales_order, CONTRACTS),
    ]
    with database_on(request.param, tmp_path_factory, lambda engine: load_crm(engine, tables)) as engine:
        org = load_org(engine)
        yield lambda viewer=DEFAULT_VIEWER: Context(engine, org, viewer, Calendar(), "USD", date(2025, 7, 20))


def test_contractual_churn_of_a_quarter(contract_ctx):
    table = contractual_churn(contract_ctx(), Filters(Q2))
    assert table.iloc[0][CONTRACT_COLUMNS].to_dict() == dict(ending=7, pending=1, base=6, renewed=3, churned=3)
    assert table.iloc[0]["contract_churn"] == 0.5
    res = result(CONTRACT_CHURN, contract_ctx(), Filters(Q2))
    assert (res.numerator, res.denominator, res.value) == (3, 6, 0.5)
    assert REGISTRY["contract_churn"] is CONTRACT_CHURN and CONTRACT_CHURN.definition["zh"] and CONTRACT_CHURN.better == "down"


def test_contractual_churn_by_home_unit_scope_and_filters(contract_ctx):
    by_unit = contractual_churn(contract_ctx(), Filters(Q2), by="unit")
    assert list(by_unit["group"]) == ["NORTH", "SOUTH"]
    assert by_unit[["base", "churned", "pending"]].values.tolist() == [[3, 1, 0], [3, 2, 1]]
    values = evaluate(CONTRACT_CHURN, contract_ctx(), Filters(Q2), Grouping("unit"))
    assert dict(zip(values["group"], values["value"], strict=True)) == {"NORTH": 1 / 3, "SOUTH": 2 / 3}
    assert result(CONTRACT_CHURN, contract_ctx(NORTH_HEAD), Filters(Q2)).value == 1 / 3
    # HW only: C4's running SW contract no longer keeps it; C1's and C2's HW renewals still do.
    hw = contractual_churn(contract_ctx(), Filters(Q2, bus=("HW",))).iloc[0]
    assert (hw["base"], hw["churned"]) == (6, 4)


def test_contractual_churn_grace_trend_and_empty_period(contract_ctx):
    # No grace: C1's renewal starting the next day is too late, C2's too; C5 is decided. Only C4 (in force) stays.
    none = contractual_churn(contract_ctx(), Filters(Q2), grace_days=0).iloc[0]
    assert (none["base"], none["churned"], none["pending"]) == (7, 6, 0)
    # April: C1, C2, C6, C9 end → C6 and C9 churn; May: C3, C4 → C3; June: only C5, pending → no value.
    points = trend(CONTRACT_CHURN, contract_ctx(), Filters(Q2))["value"]
    assert [None if pd.isna(v) else v for v in points] == [0.5, 0.5, None]
    res = result(CONTRACT_CHURN, contract_ctx(), Filters(EMPTY))
    assert (res.value, res.reason) == (None, "no_denominator")
    assert contractual_churn(contract_ctx(), Filters(EMPTY)).iloc[0][CONTRACT_COLUMNS].tolist() == [0, 0, 0, 0, 0]
