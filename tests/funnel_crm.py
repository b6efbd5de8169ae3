"""A tiny CRM for the lifecycle funnel, worked out by hand in tests/test_funnel.py.

tiny_crm's organisation (ALL → NORTH → N-OFF → N-T1, ALL → SOUTH → S-OFF → S-T1), business units
and rates (company zone Asia/Shanghai, UTC+8; EUR→USD 1.10 until 2025-07-01). Timestamps are UTC,
at 04:00 (noon local) unless marked; "d" = days after the lead was created.

| lead | unit  | source   | created          | qualified            | converted → opp      | opp outcome             | orders of the account |
|------|-------|----------|------------------|----------------------|----------------------|-------------------------|-----------------------|
| L1   | N-OFF | event    | 2025-01-10       | 01-15 (5 d)          | 01-20 (10 d) → 101   | won 02-19 (40 d), 1000  | A1: 02-20 1000 (opp 101); 04-01 500 (repeat, 81 d) |
| L2   | N-OFF | website  | 2025-01-12       | 01-14, history only  | 02-11 (30 d) → 102   | lost 03-01, 300         | |
| L3   | S-OFF | event    | 2025-02-01       | 03-01 (28 d)         | 03-05 (32 d) → 103   | open, 200 EUR           | returned to marketing 02-10, then converts |
| L4   | S-OFF | phone    | 2025-02-05       |                      |                      |                         | returned to marketing 02-20, never converts |
| L5   | N-OFF | event    | 2025-03-01       | (at conversion)      | 03-02 (1 d) → 104    | won 06-10 (101 d), 300  | A5: 06-11 300 (opp 104) |
| L6   | N-OFF | website  | 2025-03-10       | (at conversion)      | 06-09 (91 d: a day too late for 90) → 105 | open, 400 | |
| L7   | S-OFF | event    | 2025-03-20       | 03-25 (5 d)          | 06-18 (90 d exactly) → 106 | open, 100         | |
| L8   | N-T1  | referral | 2025-01-20       |                      |                      |                         | |
| L9   | S-T1  | referral | 03-31 15:59 (23:59 local, Q1) | 04-02 03:59 (1.5 d) |          |                         | |
| L10  | S-OFF | event    | 03-31 16:00 (1 Apr local, Q2) | (at conversion) | 04-05 → 107          | won 04-20, 50           | A4: 04-21 50 (opp 107); 05-10 80 (repeat) |
| L11  | N-OFF | event    | 2024-12-20 (Q4)  | 2025-01-05           | 01-08 → 108          | won 02-01, 700          | A3: 02-02 700 (opp 108); 03-15 200 (repeat) |
| L12  | N-OFF | event    | 2025-02-15       | 02-16 (1 d)          | 02-20 (5 d) → 109    | won 03-01 (14 d), 600   | A6: 03-02 600 (opp 109); 05-01 0.00 (not a repeat) |

Opportunities are owned by E1 (Ann North) in N-OFF and E2 (Bo South) in S-OFF, except 102: a North
deal owned by E2, so that grouping by the owner rep and by the unit differ. Leads are assigned the
same way (L2, in N-OFF, to E2; L8 and L9 to nobody). Campaigns: the spring expo (1) brought L1, L5
and L12, the web campaign (2) L2 and L6; the rest came through none. Opportunity 103 (L3's) is
Software (SW); every other one Hardware (HW).

Opportunity stage history (time in stage): 101 prospecting 01-20, qualification 01-25, qualification
again 01-30 (amount change), proposal 02-04, won 02-19; 102 prospecting 02-11, proposal 02-21, lost
03-01; 103 prospecting 03-05, proposal 04-04.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from tests.fixture_db import load_crm
from tests.tiny_crm import BUS, ORG, PRODUCTS, RATES, REPS

D = Decimal


def noon(month: int, day: int, year: int = 2025) -> datetime:
    """04:00 UTC: noon in Shanghai, far from either midnight."""
    return datetime(year, month, day, 4)


HOMES = {1: 4, 2: 5, 3: 4, 4: 5, 5: 4, 6: 4}
ACCOUNTS = [
    dict(account_id=i, name=f"A{i}", segment="smb", source_channel="event", home_unit_id=home, owner_rep_id=1, created_at=datetime(2024, 1, 1))
    for i, home in HOMES.items()
]


CAMPAIGNS = [
    dict(campaign_id=1, name="Spring expo", kind="event", cost=D("1000.00"), currency="USD", start_date=date(2025, 1, 1)),
    dict(campaign_id=2, name="Web ads", kind="advertising", cost=D("500.00"), currency="USD", start_date=date(2025, 1, 1)),
]
CAMPAIGN_OF = {1: 1, 5: 1, 12: 1, 2: 2, 6: 2}
REP_OF = {2: 2, 8: None, 9: None}


def _lead(i: int, unit: int, source: str, created: datetime, status: str, **extra: object) -> dict:
    rep = REP_OF.get(i, 1 if unit == 4 else 2)
    return dict(lead_id=i, unit_id=unit, source_channel=source, created_at=created, status=status, campaign_id=CAMPAIGN_OF.get(i),
                assigned_rep_id=rep, **extra)


LEADS = [
    _lead(1, 4, "event", noon(1, 10), "converted", qualified_at=noon(1, 15), converted_at=noon(1, 20), converted_opportunity_id=101),
    _lead(2, 4, "website", noon(1, 12), "converted", converted_at=noon(2, 11), converted_opportunity_id=102),
    _lead(3, 5, "event", noon(2, 1), "converted", qualified_at=noon(3, 1), converted_at=noon(3, 5), converted_opportunity_id=103),
    _lead(4, 5, "phone", noon(2, 5), "returned"),
    _lead(5, 4, "event", noon(3, 1), "converted", converted_at=noon(3, 2), converted_opportunity_id=104),
    _lead(6, 4, "website", noon(3, 10), "converted", converted_at=noon(6, 9), converted_opportunity_id=105),
    _lead(7, 5, "event", noon(3, 20), "converted", qualified_at=noon(3, 25), converted_at=noon(6, 18), converted_opportunity_id=106),
    _lead(8, 6, "referral", noon(1, 20), "working"),
    _lead(9, 7, "referral", datetime(2025, 3, 31, 15, 59), "qualified", qualified_at=datetime(2025, 4, 2, 3, 59)),
    _lead(10, 5, "event", datetime(2025, 3, 31, 16, 0), "converted", converted_at=noon(4, 5), converted_opportunity_id=107),
    _lead(11, 4, "event", noon(12, 20, 2024), "converted", qualified_at=noon(1, 5), converted_at=noon(1, 8), converted_opportunity_id=108),
    _lead(12, 4, "event", noon(2, 15), "converted", qualified_at=noon(2, 16), converted_at=noon(2, 20), converted_opportunity_id=109),
]

STATUS_HISTORY = [
    dict(lead_id=2, status="qualified", changed_at=noon(1, 14)),
    dict(lead_id=2, status="converted", changed_at=noon(2, 11)),
    dict(lead_id=3, status="returned", changed_at=noon(2, 10)),
    dict(lead_id=3, status="qualified", changed_at=noon(3, 1)),
    dict(lead_id=3, status="converted", changed_at=noon(3, 5)),
    dict(lead_id=4, status="working", changed_at=noon(2, 6)),
    dict(lead_id=4, status="returned", changed_at=noon(2, 20)),
]


def _opp(
    i: int, account: int, unit: int, amount: str, currency: str, created: datetime, status: str, closed: datetime | None = None, owner: int | None = None
) -> dict:
    software = i == 103
    return dict(
        opportunity_id=i, account_id=account, owner_rep_id=owner or (1 if unit == 4 else 2), unit_id=unit, bu_id=2 if software else 1,
        product_id=2 if software else 1, created_at=created,
        stage=status if status != "open" else "proposal", amount=D(amount), currency=currency, status=status, closed_at=closed,
        probability=D("0.5"), source_channel="lead",
    )


OPPORTUNITIES = [
    _opp(101, 1, 4, "1000.00", "USD", noon(1, 20), "won", noon(2, 19)),
    _opp(102, 3, 4, "300.00", "USD", noon(2, 11), "lost", noon(3, 1), owner=2),  # a South rep owns a North deal
    _opp(103, 2, 5, "200.00", "EUR", noon(3, 5), "open"),
    _opp(104, 5, 4, "300.00", "USD", noon(3, 2), "won", noon(6, 10)),
    _opp(105, 6, 4, "400.00", "USD", noon(6, 9), "open"),
    _opp(106, 2, 5, "100.00", "USD", noon(6, 18), "open"),
    _opp(107, 4, 5, "50.00", "USD", noon(4, 5), "won", noon(4, 20)),
    _opp(108, 3, 4, "700.00", "USD", noon(1, 8), "won", noon(2, 1)),
    _opp(109, 6, 4, "600.00", "USD", noon(2, 20), "won", noon(3, 1)),
]

STAGE_HISTORY = [
    dict(opportunity_id=101, changed_at=noon(1, 20), stage="prospecting", amount=D("800.00")),
    dict(opportunity_id=101, changed_at=noon(1, 25), stage="qualification", amount=D("800.00")),
    dict(opportunity_id=101, changed_at=noon(1, 30), stage="qualification", amount=D("1000.00")),
    dict(opportunity_id=101, changed_at=noon(2, 4), stage="proposal", amount=D("1000.00")),
    dict(opportunity_id=101, changed_at=noon(2, 19), stage="won", amount=D("1000.00")),
    dict(opportunity_id=102, changed_at=noon(2, 11), stage="prospecting", amount=D("300.00")),
    dict(opportunity_id=102, changed_at=noon(2, 21), stage="proposal", amount=D("300.00")),
    dict(opportunity_id=102, changed_at=noon(3, 1), stage="lost", amount=D("300.00")),
    dict(opportunity_id=103, changed_at=noon(3, 5), stage="prospecting", amount=D("200.00")),
    dict(opportunity_id=103, changed_at=noon(4, 4), stage="proposal", amount=D("200.00")),
]


def _order(i: int, account: int, opportunity: int | None, day: date, amount: str, unit: int = 4) -> dict:
    return dict(
        order_id=i, order_number=f"SO-{i}", account_id=account, opportunity_id=opportunity, unit_id=unit, bu_id=1, product_id=1,
        rep_id=1, order_date=day, amount=D(amount), currency="USD",
    )


ORDERS = [
    _order(1, 1, 101, date(2025, 2, 20), "1000.00"),
    _order(2, 1, None, date(2025, 4, 1), "500.00"),
    _order(3, 3, 108, date(2025, 2, 2), "700.00"),
    _order(4, 5, 104, date(2025, 6, 11), "300.00"),
    _order(5, 4, 107, date(2025, 4, 21), "50.00", unit=5),
    _order(6, 4, None, date(2025, 5, 10), "80.00", unit=5),
    _order(7, 6, 109, date(2025, 3, 2), "600.00"),
    _order(8, 6, None, date(2025, 5, 1), "0.00"),
    _order(9, 3, None, date(2025, 3, 15), "200.00"),
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert this CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, ORG),
            (schema.business_unit, BUS),
            (schema.product, PRODUCTS),
            (schema.rep, REPS),
            (schema.account, ACCOUNTS),
            (schema.exchange_rate, RATES),
            (schema.campaign, CAMPAIGNS),
            (schema.opportunity, OPPORTUNITIES),
            (schema.lead, LEADS),
            (schema.lead_status_history, STATUS_HISTORY),
            (schema.opportunity_stage_history, STAGE_HISTORY),
            (schema.sales_order, ORDERS),
        ],
    )
