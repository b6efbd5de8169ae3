"""Key accounts against key_accounts_crm, worked out by hand (tests/key_accounts_crm.py has every row and figure),
identical on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, NoScope, Period, Role, Viewer
from metrics.base import Context
from metrics.key_accounts import key_accounts, reasons_of
from tests import key_accounts_crm
from tests.conftest import BACKENDS, database_on

Q2 = Filters(Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter"))
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
NOBODY = Viewer(user="nobody", role=Role.TEAM_LEAD, units=())


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, key_accounts_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER, as_of: date = key_accounts_crm.AS_OF, engine: Engine | None = None) -> Context:
        return Context(engine or loaded, org, viewer, key_accounts_crm.CALENDAR, "USD", as_of)

    return make


def _r(x: object) -> object:
    return None if x is None else round(float(x), 6)  # type: ignore[arg-type]


def table(ctx: Context, flt: Filters = Q2, n: int = 20) -> list[tuple]:
    frame = key_accounts(ctx, flt, n)
    return [
        (r["rank"], r["account"], r["unit"], r["owner"], r["revenue_12m"], r["open_complaints"], r["late_deliveries"],
         _r(r["share"]), _r(r["share_year_ago"]), _r(r["share_change"]), r["days_since_last_order"], _r(r["usual_interval_days"]),
         r["at_risk"], r["days_since_contact"], r["reasons"])
        for r in frame.to_dict("records")
    ]


ALPHA = (1, "Alpha", "N-OFF", "Ann North", Decimal("4500.00"), 0, 0, 0.25, 0.1, 0.15, 10, 90.5, False, 60, ())
BETA = (2, "Beta", "S-OFF", "Bo South", Decimal("3000.00"), 2, 1, None, None, None, 50, 151.0, False, 1, ("complaint", "late"))
GREAT_WALL = (3, "长城贸易", "N-OFF", "Ann North", Decimal("2400.00"), 0, 1, None, None, None, 292, 31.0, True, None,
              ("late", "no_contact", "at_risk"))
DELTA = (4, "Delta", "S-OFF", None, Decimal("2000.00"), 0, 0, 0.2, 0.3, -0.1, 139, 183.0, False, 1, ("share_falling",))
ECHO = (5, "Echo", "N-T1", "Ann North", Decimal("500.00"), 0, 0, None, None, None, 50, None, False, 61, ("no_contact",))


def test_every_account_ranked_and_its_health_attention_first(ctx_for):
    assert table(ctx_for()) == [GREAT_WALL, BETA, DELTA, ECHO, ALPHA]


def test_the_top_n_are_chosen_by_revenue_before_sorting_by_attention(ctx_for):
    assert [row[1] for row in table(ctx_for(), n=3)] == ["长城贸易", "Beta", "Alpha"]
    assert [row[1] for row in table(ctx_for(), n=1)] == ["Alpha"]


def test_a_regional_head_sees_only_accounts_homed_in_their_region(ctx_for):
    # 长城贸易 is NORTH's at Q2's end (it moves to S-OFF on 15 Jul); ranks count within the scope.
    got = table(ctx_for(NORTH_HEAD))
    assert [(row[0], row[1]) for row in got] == [(2, "长城贸易"), (3, "Echo"), (1, "Alpha")]
    assert got[0][1:] == GREAT_WALL[1:]


def test_the_unit_filter_narrows_like_the_scope(ctx_for):
    assert [row[1] for row in table(ctx_for(), replace(Q2, unit="SOUTH"))] == ["Beta", "Delta"]


def test_a_viewer_with_no_units_is_refused_and_an_empty_database_has_no_key_account(ctx_for, fresh_db):
    with pytest.raises(NoScope):
        key_accounts(ctx_for(NOBODY), Q2)
    empty = fresh_db.engine("sqlite")
    key_accounts_crm.load_crm(empty, [])  # the schema, no rows
    ctx = Context(empty, load_org(empty), DEFAULT_VIEWER, key_accounts_crm.CALENDAR, "USD", key_accounts_crm.AS_OF)
    frame = key_accounts(ctx, Q2)
    assert frame.empty and "needs_attention" in frame.columns


def test_an_earlier_period_reads_its_own_last_day(ctx_for):
    # Q1 2025 ends 31 Mar: Alpha's June orders have not happened; 20 Mar is its last order (11 days).
    q1 = Filters(Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter"))
    alpha = next(r for r in key_accounts(ctx_for(), q1).to_dict("records") if r["account"] == "Alpha")
    assert (alpha["revenue_12m"], alpha["days_since_last_order"], alpha["late_deliveries"]) == (Decimal("3000.00"), 11, 0)


def test_the_attention_rule_at_its_edges():
    base = {"open_complaints": 0, "late_deliveries": 0, "days_since_contact": 60, "at_risk": False, "share_change": -0.3 + 0.25}
    assert reasons_of(base) == ("share_falling",)  # a fall of exactly 5 points, whatever binary makes of it
    assert reasons_of(base | {"share_change": -0.049}) == ()
    assert reasons_of(base | {"share_change": None, "days_since_contact": 61}) == ("no_contact",)
    assert reasons_of(base | {"share_change": None, "days_since_contact": None}) == ("no_contact",)
