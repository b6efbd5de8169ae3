"""A tiny CRM for targets, attainment and incentives, worked out by hand in tests/test_targets.py and
tests/test_incentives.py.

Company zone Asia/Shanghai (UTC+8), fiscal year = calendar year, reporting currency USD; EUR converts at 1.10
until 2025-07-01 and 1.20 from then; GBP has no rate. The period under test is Q2 2025 (1 April – 30 June).

    ALL ─┬─ NORTH ── N-OFF ─┬─ N-T1: R1 Ann, R5 Eve, R4 Di (until 15 May 2025)
         │                  └─ N-T2: R2 Bo
         └─ SOUTH ── S-OFF ──── S-T1: R3 Cy, R4 Di (from 15 May 2025)

| order | acct | rep | unit  | bu | order date | amount (USD)  | cost  | invoiced | cash      | contract          |
|-------|------|-----|-------|----|------------|---------------|-------|----------|-----------|-------------------|
| o1    | A1   | R1  | N-OFF | HW | 2024-06-10 | 500           |       |          |           |                   |
| o2    | A7   | R3  | S-OFF | SW | 2025-03-15 | 900           |       | 03-20    | 2025-04-05|                   |
| o3    | A1   | R1  | N-OFF | HW | 2025-04-10 | 4000          | 3000  | 04-20    | 2025-05-10|                   |
| o4    | A2   | R1  | N-OFF | SW | 2025-05-20 | 3000          | 1000  | 05-25    |           |                   |
| o5    | A3   | R2  | N-OFF | HW | 2025-04-15 | 1000 EUR=1100 | 500 EUR=550 | 04-30 | 2025-06-15 | 2025-04-15 – 2026-04-30 |
| o6    | A4   | R4  | N-OFF | HW | 2025-05-01 | 1500          | 900   |          |           | 2025-05-01 – 2026-05-01 |
| o7    | A5   | R4  | S-OFF | SW | 2025-05-20 | 500           | 100   |          |           |                   |
| o8    | A6   | R3  | S-OFF | HW | 2025-06-10 | 2000          | 1200  |          |           |                   |
| o9    | A1   | R1  | N-OFF | HW | 2025-06-20 | −400 (credit) | −300  |          |           |                   |
| o10   | A8   | R2  | N-OFF | HW | 2025-06-25 | 200 GBP (no rate) | 150 GBP |      |           |                   |
| o11   | A1   | R1  | N-OFF | HW | 2026-04-10 | 100 (A1's later order, exactly 12 months after o3) |
| o12   | A2   | R1  | N-OFF | SW | 2026-05-21 | 100 (A2's later order, one day after 12 months)    |
| o13   | A6   | R3  | S-OFF | HW | 2025-09-01 | 300                                               |
| o14   | A9   | R2  | N-OFF | HW | 2024-05-01 | 100 (A9: in the churn base, lost by June 2025)    |

Opportunities: won op7 (R1, closed 10 Apr), op8 (R4, closed 14 May 20:00 UTC = 15 May local, unit S-OFF), op9
(R2, closed 31 Mar 17:00 UTC = 1 Apr local); lost op10; open op1 (R1 2000 × 0.5, expected 15 Jun), op2 (R1 1000 EUR
× 0.25, 30 Jun), op3 (R3 3000 × 0.4, expected 31 Mar: stale), op4 (R3 5000 × 0.9, 1 Jul: next quarter), op5 (R2 800 ×
0.3, 20 May: overdue in the quarter), op6 (R4 999.99 × 0.3333, 1 Jun, unit S-OFF), op11 (R1 1000 × 1.0, created 5 Jun).
Each open deal has one stage-history row, at its creation, with these values.

Projects (the opportunity an order came from): o3 and the credit note o9 from op7 (graded company), o6 from op8 (graded
office), o5 from op9 (ungraded); every other order has no opportunity.

Tickets (rating): A1 t1 10 Apr 13:00 local (1: the order's own day), t2 1 Aug 2025 (5), t3 1 Jan 2026 (3), t4 10 Apr 2026
23:00 local (4: the window's last day), t5 11 Apr 2026 00:30 local (1: after the window); A6 t6 1 Jul 2025 (2), t7 1 Aug
2025 (3); A3 t8 unrated; A5 t9 5 May 2025 (4); A7 t10 1 Jun 2025 (5).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Viewer
from metrics.base import Context
from tests.fixture_db import load_crm
from tests.tiny_crm import BUS, PRODUCTS

D = Decimal

ORG = [
    dict(unit_id=1, code="ALL", name="Whole company", level="cluster", parent_id=None),
    dict(unit_id=2, code="NORTH", name="North", level="region", parent_id=1),
    dict(unit_id=3, code="SOUTH", name="South", level="region", parent_id=1),
    dict(unit_id=4, code="N-OFF", name="North office", level="office", parent_id=2),
    dict(unit_id=5, code="S-OFF", name="South office", level="office", parent_id=3),
    dict(unit_id=6, code="N-T1", name="North team 1", level="team", parent_id=4),
    dict(unit_id=7, code="S-T1", name="South team", level="team", parent_id=5),
    dict(unit_id=8, code="N-T2", name="North team 2", level="team", parent_id=4),
]
REPS = [
    dict(rep_id=i, code=f"R{i}", name=name, hire_date=date(2020, 1, 1))
    for i, name in ((1, "Ann"), (2, "Bo"), (3, "Cy"), (4, "Di"), (5, "Eve"))
]
TEAMS = [
    dict(rep_id=1, team_unit_id=6, valid_from=date(2020, 1, 1), valid_to=None),
    dict(rep_id=2, team_unit_id=8, valid_from=date(2020, 1, 1), valid_to=None),
    dict(rep_id=3, team_unit_id=7, valid_from=date(2020, 1, 1), valid_to=None),
    dict(rep_id=4, team_unit_id=6, valid_from=date(2020, 1, 1), valid_to=date(2025, 5, 15)),
    dict(rep_id=4, team_unit_id=7, valid_from=date(2025, 5, 15), valid_to=None),
    dict(rep_id=5, team_unit_id=6, valid_from=date(2020, 1, 1), valid_to=None),
]
HOMES = {1: 4, 2: 4, 3: 4, 4: 4, 5: 5, 6: 5, 7: 5, 8: 4, 9: 4}
ACCOUNTS = [
    dict(account_id=i, name=f"A{i}", segment="enterprise" if i % 2 else "smb", source_channel="event", home_unit_id=home,
         owner_rep_id=1, created_at=datetime(2023, 1, 1))
    for i, home in HOMES.items()
]
RATES = [
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2024, 1, 1), valid_to=date(2025, 7, 1), rate=D("1.10")),
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2025, 7, 1), valid_to=None, rate=D("1.20")),
]


def _order(i: int, account: int, rep: int, unit: int, bu: int, day: date, amount: str, currency: str = "USD", **extra: object) -> dict:
    row = dict(order_id=i, order_number=f"SO-{i:02d}", account_id=account, rep_id=rep, unit_id=unit, bu_id=bu, product_id=bu,
               order_date=day, amount=D(amount), currency=currency)
    row.update({k: D(v) if k == "cost" else v for k, v in extra.items()})  # type: ignore[arg-type]
    return row


ORDERS = [
    _order(1, 1, 1, 4, 1, date(2024, 6, 10), "500.00"),
    _order(2, 7, 3, 5, 2, date(2025, 3, 15), "900.00", invoiced_date=date(2025, 3, 20), cash_collected_date=date(2025, 4, 5)),
    _order(3, 1, 1, 4, 1, date(2025, 4, 10), "4000.00", cost="3000.00", invoiced_date=date(2025, 4, 20), cash_collected_date=date(2025, 5, 10),
           opportunity_id=7),
    _order(4, 2, 1, 4, 2, date(2025, 5, 20), "3000.00", cost="1000.00", invoiced_date=date(2025, 5, 25)),
    _order(5, 3, 2, 4, 1, date(2025, 4, 15), "1000.00", "EUR", cost="500.00", invoiced_date=date(2025, 4, 30),
           cash_collected_date=date(2025, 6, 15), contract_start_date=date(2025, 4, 15), contract_end_date=date(2026, 4, 30), opportunity_id=9),
    _order(6, 4, 4, 4, 1, date(2025, 5, 1), "1500.00", cost="900.00", contract_start_date=date(2025, 5, 1), contract_end_date=date(2026, 5, 1),
           opportunity_id=8),
    _order(7, 5, 4, 5, 2, date(2025, 5, 20), "500.00", cost="100.00"),
    _order(8, 6, 3, 5, 1, date(2025, 6, 10), "2000.00", cost="1200.00"),
    _order(9, 1, 1, 4, 1, date(2025, 6, 20), "-400.00", cost="-300.00", opportunity_id=7),
    _order(10, 8, 2, 4, 1, date(2025, 6, 25), "200.00", "GBP", cost="150.00"),
    _order(11, 1, 1, 4, 1, date(2026, 4, 10), "100.00"),
    _order(12, 2, 1, 4, 2, date(2026, 5, 21), "100.00"),
    _order(13, 6, 3, 5, 1, date(2025, 9, 1), "300.00"),
    _order(14, 9, 2, 4, 1, date(2024, 5, 1), "100.00"),
]


def _opp(i: int, rep: int, unit: int, bu: int, status: str, amount: str, probability: str, *, expected: date | None = None,
         closed: datetime | None = None, created: datetime = datetime(2025, 3, 1), currency: str = "USD", grade: str | None = None) -> dict:
    return dict(opportunity_id=i, name=f"Project {i}", account_id=1, owner_rep_id=rep, unit_id=unit, bu_id=bu, product_id=bu,
                created_at=created, stage={"open": "proposal"}.get(status, status), status=status, amount=D(amount), currency=currency,
                probability=D(probability), expected_close_date=expected, closed_at=closed, project_grade=grade)


PROJECT_GRADES = [
    dict(code="company", name="Company-level project", rank=1),
    dict(code="region", name="Region-level project", rank=2),
    dict(code="office", name="Office-level project", rank=3),
]


OPPORTUNITIES = [
    _opp(1, 1, 4, 1, "open", "2000.00", "0.5", expected=date(2025, 6, 15), created=datetime(2025, 5, 1)),
    _opp(2, 1, 4, 2, "open", "1000.00", "0.25", expected=date(2025, 6, 30), currency="EUR"),
    _opp(3, 3, 5, 1, "open", "3000.00", "0.4", expected=date(2025, 3, 31)),
    _opp(4, 3, 5, 1, "open", "5000.00", "0.9", expected=date(2025, 7, 1)),
    _opp(5, 2, 4, 1, "open", "800.00", "0.3", expected=date(2025, 5, 20)),
    _opp(6, 4, 5, 2, "open", "999.99", "0.3333", expected=date(2025, 6, 1)),
    _opp(7, 1, 4, 1, "won", "4000.00", "1", closed=datetime(2025, 4, 10, 2, 0), grade="company"),
    _opp(8, 4, 5, 1, "won", "1500.00", "1", closed=datetime(2025, 5, 14, 20, 0), grade="office"),
    _opp(9, 2, 4, 1, "won", "1000.00", "1", closed=datetime(2025, 3, 31, 17, 0)),
    _opp(10, 3, 5, 1, "lost", "700.00", "0", closed=datetime(2025, 5, 1, 3, 0)),
    _opp(11, 1, 4, 1, "open", "1000.00", "1.0", expected=date(2025, 6, 20), created=datetime(2025, 6, 5)),
]

#: Each open deal's stage history: one row as it was created, with the values it still has — so the pipeline rebuilt at
#: the end of any as-of day (metrics.stage_history) values it as the opportunity row does.
STAGE_HISTORY = [
    dict(opportunity_id=o["opportunity_id"], changed_at=o["created_at"], stage=o["stage"], amount=o["amount"],
         probability=o["probability"], expected_close_date=o["expected_close_date"])
    for o in OPPORTUNITIES
    if o["status"] == "open"
]


def _ticket(i: int, account: int, opened: datetime, satisfaction: int | None) -> dict:
    return dict(ticket_id=i, account_id=account, kind="request", opened_at=opened, satisfaction=satisfaction)


TICKETS = [
    _ticket(1, 1, datetime(2025, 4, 10, 5, 0), 1),
    _ticket(2, 1, datetime(2025, 8, 1, 2, 0), 5),
    _ticket(3, 1, datetime(2026, 1, 1, 2, 0), 3),
    _ticket(4, 1, datetime(2026, 4, 10, 15, 0), 4),
    _ticket(5, 1, datetime(2026, 4, 10, 16, 30), 1),
    _ticket(6, 6, datetime(2025, 7, 1, 2, 0), 2),
    _ticket(7, 6, datetime(2025, 8, 1, 2, 0), 3),
    _ticket(8, 3, datetime(2025, 8, 1, 2, 0), None),
    _ticket(9, 5, datetime(2025, 5, 5, 2, 0), 4),
    _ticket(10, 7, datetime(2025, 6, 1, 2, 0), 5),
]

Q2 = dict(period_kind="quarter", period_start=date(2025, 4, 1), period_end=date(2025, 6, 30))


def _target(i: int, value: str, measure: str = "revenue", period: dict | None = None, **holder: int) -> dict:
    return dict(target_id=i, measure=measure, value=D(value), **(period or Q2), **holder)


def _month(start: date, end: date) -> dict:
    return dict(period_kind="month", period_start=start, period_end=end)


TARGETS = [
    _target(1, "8000", rep_id=1),
    _target(2, "2000", rep_id=2),
    _target(3, "4000", rep_id=3),
    _target(4, "1600", rep_id=4),
    _target(5, "2500", unit_id=8),  # N-T2: R2's 2000 below it — a mismatch
    _target(6, "5000", unit_id=5),  # S-OFF: S-T1 rolls up to 5600 — a mismatch
    _target(7, "9000", bu_id=1),  # HW
    _target(8, "1000", bu_id=2, period=_month(date(2025, 4, 1), date(2025, 4, 30))),  # SW by month: 3500 for the quarter
    _target(9, "1000", bu_id=2, period=_month(date(2025, 5, 1), date(2025, 5, 31))),
    _target(10, "1500", bu_id=2, period=_month(date(2025, 6, 1), date(2025, 6, 30))),
    _target(11, "3", "won_deals", rep_id=1),
    _target(12, "1", "new_customers", rep_id=2, period=_month(date(2025, 4, 1), date(2025, 4, 30))),  # May, June missing
    _target(13, "1", "new_customers", rep_id=2, period=_month(date(2025, 5, 1), date(2025, 5, 31))),
    _target(14, "6000", unit_id=4, bu_id=1),  # N-OFF within HW
    _target(15, "5000", "cash_collected", unit_id=1),
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert the incentive CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, ORG),
            (schema.business_unit, BUS),
            (schema.product, PRODUCTS),
            (schema.rep, REPS),
            (schema.rep_team_history, TEAMS),
            (schema.account, ACCOUNTS),
            (schema.exchange_rate, RATES),
            (schema.project_grade, PROJECT_GRADES),
            (schema.opportunity, OPPORTUNITIES),
            (schema.opportunity_stage_history, STAGE_HISTORY),
            (schema.sales_order, ORDERS),
            (schema.service_ticket, TICKETS),
            (schema.target, TARGETS),
        ],
    )


def contexts(engine: Engine, as_of: date) -> Callable[..., Context]:
    """Contexts on the loaded incentive CRM in USD, as of ``as_of`` unless a test says otherwise."""
    org = load_org(engine)

    def make(as_of: date = as_of, viewer: Viewer = DEFAULT_VIEWER) -> Context:
        return Context(engine, org, viewer, Calendar(), "USD", as_of)

    return make
