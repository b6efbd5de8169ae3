"""A tiny CRM for campaigns and hand-offs, worked out by hand in tests/test_campaigns.py and tests/test_handoffs.py.

tiny_crm's organisation (ALL → NORTH → N-OFF → N-T1, ALL → SOUTH → S-OFF → S-T1), business units,
products and rates: company zone Asia/Shanghai (UTC+8); EUR→USD 1.10 until 2025-07-01, 1.20 from then;
GBP has no rate. Timestamps are UTC, at 04:00 (noon local) unless marked. The as-of day is 2025-06-30
(its end: 2025-06-30 16:00 UTC).

Reps: E1 Ann (team N-T1), E2 Bo (S-T1), E3 Cy (N-T1, moved to S-T1 on 2025-02-01, left: last day
2025-04-30), E4 Di (N-T1, leaving 2025-07-15: after the as-of day, so not left).

Campaigns (cost; start; unit that ran it):

| id | name             | kind       | cost          | start      | unit  | leads (created)         |
|----|------------------|------------|---------------|------------|-------|-------------------------|
| C1 | Spring roadshow  | roadshow   | 2000 EUR (×1.10 = 2200 USD) | 2025-01-10 | NORTH | L1, L2, L3 (Q1), L10 (Q2) |
| C2 | Product webinar  | webinar    | 300 USD       | 2025-02-01 | SOUTH | L4, L9                  |
| C3 | Trade show       | trade_show | 500 USD       | 2025-03-15 | N-OFF | none                    |
| C4 | Winter mailing   | email      | 100 USD       | 2024-12-01 | SOUTH | L6 (its cost is Q4 2024's) |
| C5 | April webinar    | webinar    | 150 USD       | 2025-04-01 | NORTH | none                    |
| C6 | London expo      | trade_show | 1000 GBP (no rate) | 2025-05-20 | ALL | none                |
| C7 | Autumn webinar   | webinar    | 800 USD       | 2024-09-10 | SOUTH | L13 (Q3 2024), L14 (Q4 2024: its cost is Q3's) |
| C8 | Partner webinar  | webinar    | 200 USD       | 2024-11-01 | NORTH | L15 (Q4 2024, routed to SOUTH) |

Leads (assigned at creation unless marked; "resp" = hours from assignment to first response):

| lead | unit  | source          | campaign | created    | rep | resp   | status history (changed on)                                   | → opp |
|------|-------|-----------------|----------|------------|-----|--------|---------------------------------------------------------------|-------|
| L1   | N-OFF | event           | C1       | 01-12      | E1  | 6 h    | new, converted 01-20                                          | 201   |
| L2   | N-OFF | event           | C1       | 01-15      | E3  | never  | new                                                           |       |
| L3   | S-OFF | event           | C1       | 01-20      | E2  | 24 h exactly | new, converted 02-01                                    | 202   |
| L4   | S-OFF | website         | C2       | 02-05      | E2  | 30 h   | new, working 02-06, returned 02-10, working 03-01, qualified 03-05, converted 03-10 | 203 |
| L5   | N-OFF | referral        | none     | 02-10      | E1  | 1 h    | new, converted 02-12 (→ 204), returned 02-20, converted 03-01 | 205   |
| L6   | S-OFF | email           | C4       | 01-05      | E2  | 2 h    | new, working 01-06, returned 02-01, disqualified 02-15        |       |
| L7   | N-OFF | phone           | none     | 03-31 02:00 | E3 (assigned 03-31 04:00) | never | new                               |       |
| L8   | N-OFF | website         | none     | 03-01      | E1  | 2 h    | new, working 03-02, returned 03-10                            |       |
| L9   | S-OFF | event           | C2       | 02-15      | E2  | 48 h   | new, working 02-17, returned 02-20, qualified 03-15           |       |
| L10  | N-OFF | event           | C1       | 04-05 (Q2) | E1  | 1 h    | new                                                           |       |
| L11  | N-OFF | phone           | none     | 2024-12-30 | E4 (assigned 2025-01-02) | 4 h | new                                  |       |
| L12  | N-OFF | own_development | none     | 03-05      | —   | (never assigned) | new                                                 |       |
| L13  | S-OFF | event           | C7       | 2024-09-20 | —   | (never assigned) | new, converted 2024-09-25 (account A9)              | 214   |
| L14  | S-OFF | website         | C7       | 2024-10-10 | —   | (never assigned) | new, converted 2024-10-15 (account A10)             | 215   |
| L15  | S-OFF | event           | C8       | 2024-11-05 | —   | (never assigned) | new, converted 2024-11-10 (account A11)             | 216   |

Opportunities (all Hardware; amounts USD unless marked):

| opp | account | unit  | owner | created | outcome                          | amount   |
|-----|---------|-------|-------|---------|----------------------------------|----------|
| 201 | A1      | N-OFF | E1    | 01-20   | won 02-10                        | 1000     |
| 202 | A2      | S-OFF | E2    | 02-01   | open                             | 800      |
| 203 | A3      | S-OFF | E2    | 03-10   | won 04-01                        | 400      |
| 204 | A4      | N-OFF | E1    | 02-12   | lost 02-18                       | 600      |
| 205 | A4      | N-OFF | E1    | 03-01   | won 03-20                        | 600      |
| 206 | A3      | S-OFF | E3    | 03-01   | open                             | 700 EUR (×1.10 = 770) |
| 207 | A5      | N-OFF | E1    | 03-01   | open                             | 300      |
| 208 | A8      | N-OFF | E4    | 03-01   | open                             | 900      |
| 209 | A6      | N-OFF | E1    | 03-01   | open                             | 1000     |
| 210 | A1      | N-OFF | E3    | 03-01   | open                             | 250      |
| 211 | A6      | N-OFF | E3    | 03-01   | lost 05-01                       | 350      |
| 212 | A6      | N-OFF | E3    | 04-01   | won 07-05 (after the as-of day: open on it) | 400 |
| 213 | A3      | S-OFF | E3    | 07-02 (after the as-of day) | open        | 999      |
| 214 | A9      | S-OFF | E2    | 2024-09-25 | won 2024-10-01            | 1000     |
| 215 | A10     | S-OFF | E2    | 2024-10-15 | won 2024-10-20            | 600      |
| 216 | A11     | S-OFF | E2    | 2024-11-10 | won 2024-11-20            | 300      |

Accounts (home; owner): A1 N-OFF E1; A2 S-OFF E2; A3 S-OFF E3; A4 N-OFF E1; A5 N-OFF nobody; A6 N-OFF E3;
A7 N-OFF E1 on the account row, but account_history says nobody since 2025-06-01; A8 N-OFF E4; A9, A10, A11
S-OFF E2. All are segment smb but A11 (enterprise).

Orders: A1 2025-02-15 1000 (opp 201: its first order), 2025-06-01 500 EUR (= 550), 2025-07-10 200 (after the
as-of day); A3 2024-06-01 100 (its first order, before any lead), 2025-04-02 400 (opp 203); A4 2025-03-25 600
(opp 205: its first order), 2025-05-01 −100 (credit note); A9 2024-10-05 1000 (opp 214: its first order),
2024-11-10 50 GBP (no rate: unpriced); A10 2024-10-25 600 (opp 215); A11 2024-11-25 300 (opp 216).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from tests.fixture_db import load_crm
from tests.tiny_crm import BUS, ORG, PRODUCTS, RATES

D = Decimal
AS_OF = date(2025, 6, 30)


def noon(month: int, day: int, year: int = 2025) -> datetime:
    """04:00 UTC: noon in Shanghai, far from either midnight."""
    return datetime(year, month, day, 4)


REPS = [
    dict(rep_id=1, code="E1", name="Ann North", hire_date=date(2020, 1, 1)),
    dict(rep_id=2, code="E2", name="Bo South", hire_date=date(2020, 1, 1)),
    dict(rep_id=3, code="E3", name="Cy Gone", hire_date=date(2021, 1, 1), leave_date=date(2025, 4, 30)),
    dict(rep_id=4, code="E4", name="Di Staying", hire_date=date(2022, 1, 1), leave_date=date(2025, 7, 15)),
]
TEAMS = [
    dict(rep_id=1, team_unit_id=6, valid_from=date(2020, 1, 1), valid_to=None),
    dict(rep_id=2, team_unit_id=7, valid_from=date(2020, 1, 1), valid_to=None),
    dict(rep_id=3, team_unit_id=6, valid_from=date(2021, 1, 1), valid_to=date(2025, 2, 1)),
    dict(rep_id=3, team_unit_id=7, valid_from=date(2025, 2, 1), valid_to=None),
    dict(rep_id=4, team_unit_id=6, valid_from=date(2022, 1, 1), valid_to=None),
]
CAMPAIGNS = [
    dict(campaign_id=1, name="Spring roadshow", kind="roadshow", cost=D("2000.00"), currency="EUR", start_date=date(2025, 1, 10),
         end_date=date(2025, 2, 28), unit_id=2),
    dict(campaign_id=2, name="Product webinar", kind="webinar", cost=D("300.00"), currency="USD", start_date=date(2025, 2, 1),
         end_date=date(2025, 2, 1), unit_id=3),
    dict(campaign_id=3, name="Trade show", kind="trade_show", cost=D("500.00"), currency="USD", start_date=date(2025, 3, 15),
         end_date=date(2025, 3, 17), unit_id=4),
    dict(campaign_id=4, name="Winter mailing", kind="email", cost=D("100.00"), currency="USD", start_date=date(2024, 12, 1), unit_id=3),
    dict(campaign_id=5, name="April webinar", kind="webinar", cost=D("150.00"), currency="USD", start_date=date(2025, 4, 1), unit_id=2),
    dict(campaign_id=6, name="London expo", kind="trade_show", cost=D("1000.00"), currency="GBP", start_date=date(2025, 5, 20), unit_id=1),
    dict(campaign_id=7, name="Autumn webinar", kind="webinar", cost=D("800.00"), currency="USD", start_date=date(2024, 9, 10), unit_id=3),
    dict(campaign_id=8, name="Partner webinar", kind="webinar", cost=D("200.00"), currency="USD", start_date=date(2024, 11, 1), unit_id=2),
]
ACCOUNTS = [
    dict(account_id=i, name=f"A{i}", segment="smb", source_channel="event", home_unit_id=home, owner_rep_id=owner, created_at=datetime(2024, 1, 1))
    for i, (home, owner) in {1: (4, 1), 2: (5, 2), 3: (5, 3), 4: (4, 1), 5: (4, None), 6: (4, 3), 7: (4, 1), 8: (4, 4), 9: (5, 2), 10: (5, 2)}.items()
] + [dict(account_id=11, name="A11", segment="enterprise", source_channel="event", home_unit_id=5, owner_rep_id=2, created_at=datetime(2024, 1, 1))]
ACCOUNT_HISTORY = [
    dict(account_id=7, owner_rep_id=1, home_unit_id=4, valid_from=date(2020, 1, 1), valid_to=date(2025, 6, 1)),
    dict(account_id=7, owner_rep_id=None, home_unit_id=4, valid_from=date(2025, 6, 1), valid_to=None),
]


def _lead(i: int, unit: int, source: str, campaign: int | None, created: datetime, rep: int | None, status: str, **extra: object) -> dict:
    row = dict(lead_id=i, unit_id=unit, source_channel=source, campaign_id=campaign, created_at=created, assigned_rep_id=rep,
               assigned_at=created if rep else None, status=status, company_name=f"Company {i}")
    row.update(extra)
    return row


LEADS = [
    _lead(1, 4, "event", 1, noon(1, 12), 1, "converted", first_response_at=datetime(2025, 1, 12, 10), converted_at=noon(1, 20),
          converted_opportunity_id=201),
    _lead(2, 4, "event", 1, noon(1, 15), 3, "new"),
    _lead(3, 5, "event", 1, noon(1, 20), 2, "converted", first_response_at=noon(1, 21), converted_at=noon(2, 1), converted_opportunity_id=202),
    _lead(4, 5, "website", 2, noon(2, 5), 2, "converted", first_response_at=datetime(2025, 2, 6, 10), qualified_at=noon(3, 5),
          converted_at=noon(3, 10), converted_opportunity_id=203),
    _lead(5, 4, "referral", None, noon(2, 10), 1, "converted", first_response_at=datetime(2025, 2, 10, 5), converted_at=noon(3, 1),
          converted_opportunity_id=205),
    _lead(6, 5, "email", 4, noon(1, 5), 2, "disqualified", first_response_at=datetime(2025, 1, 5, 6)),
    _lead(7, 4, "phone", None, datetime(2025, 3, 31, 2), 3, "new", assigned_at=datetime(2025, 3, 31, 4)),
    _lead(8, 4, "website", None, noon(3, 1), 1, "returned", first_response_at=datetime(2025, 3, 1, 6)),
    _lead(9, 5, "event", 2, noon(2, 15), 2, "qualified", first_response_at=noon(2, 17), qualified_at=noon(3, 15)),
    _lead(10, 4, "event", 1, noon(4, 5), 1, "new", first_response_at=datetime(2025, 4, 5, 5)),
    _lead(11, 4, "phone", None, noon(12, 30, 2024), 4, "new", assigned_at=noon(1, 2), first_response_at=datetime(2025, 1, 2, 8)),
    _lead(12, 4, "own_development", None, noon(3, 5), None, "new"),
    # 2024's campaign leads, never assigned (so outside every hand-off measure), each with its account.
    _lead(13, 5, "event", 7, noon(9, 20, 2024), None, "converted", converted_at=noon(9, 25, 2024), converted_opportunity_id=214, account_id=9),
    _lead(14, 5, "website", 7, noon(10, 10, 2024), None, "converted", converted_at=noon(10, 15, 2024), converted_opportunity_id=215,
          account_id=10),
    _lead(15, 5, "event", 8, noon(11, 5, 2024), None, "converted", converted_at=noon(11, 10, 2024), converted_opportunity_id=216,
          account_id=11),
]


def _history(lead: int, *steps: tuple[str, datetime]) -> list[dict]:
    return [dict(lead_id=lead, status=s, changed_at=at) for s, at in steps]


STATUS_HISTORY = [
    *_history(1, ("new", noon(1, 12)), ("converted", noon(1, 20))),
    *_history(2, ("new", noon(1, 15))),
    *_history(3, ("new", noon(1, 20)), ("converted", noon(2, 1))),
    *_history(4, ("new", noon(2, 5)), ("working", noon(2, 6)), ("returned", noon(2, 10)), ("working", noon(3, 1)),
              ("qualified", noon(3, 5)), ("converted", noon(3, 10))),
    *_history(5, ("new", noon(2, 10)), ("converted", noon(2, 12)), ("returned", noon(2, 20)), ("converted", noon(3, 1))),
    *_history(6, ("new", noon(1, 5)), ("working", noon(1, 6)), ("returned", noon(2, 1)), ("disqualified", noon(2, 15))),
    *_history(7, ("new", datetime(2025, 3, 31, 2))),
    *_history(8, ("new", noon(3, 1)), ("working", noon(3, 2)), ("returned", noon(3, 10))),
    *_history(9, ("new", noon(2, 15)), ("working", noon(2, 17)), ("returned", noon(2, 20)), ("qualified", noon(3, 15))),
    *_history(10, ("new", noon(4, 5))),
    *_history(11, ("new", noon(12, 30, 2024))),
    *_history(12, ("new", noon(3, 5))),
    *_history(13, ("new", noon(9, 20, 2024)), ("converted", noon(9, 25, 2024))),
    *_history(14, ("new", noon(10, 10, 2024)), ("converted", noon(10, 15, 2024))),
    *_history(15, ("new", noon(11, 5, 2024)), ("converted", noon(11, 10, 2024))),
]


def _opp(i: int, account: int, unit: int, owner: int, created: datetime, status: str, closed: datetime | None, amount: str,
         currency: str = "USD") -> dict:
    return dict(
        opportunity_id=i, name=f"Deal {i}", account_id=account, owner_rep_id=owner, unit_id=unit, bu_id=1, product_id=1,
        source_channel="lead", created_at=created, stage="proposal" if status == "open" else status, amount=D(amount),
        currency=currency, probability=D("0.5"), expected_close_date=date(2025, 9, 30), closed_at=closed, status=status,
    )


OPPORTUNITIES = [
    _opp(201, 1, 4, 1, noon(1, 20), "won", noon(2, 10), "1000.00"),
    _opp(202, 2, 5, 2, noon(2, 1), "open", None, "800.00"),
    _opp(203, 3, 5, 2, noon(3, 10), "won", noon(4, 1), "400.00"),
    _opp(204, 4, 4, 1, noon(2, 12), "lost", noon(2, 18), "600.00"),
    _opp(205, 4, 4, 1, noon(3, 1), "won", noon(3, 20), "600.00"),
    _opp(206, 3, 5, 3, noon(3, 1), "open", None, "700.00", "EUR"),
    _opp(207, 5, 4, 1, noon(3, 1), "open", None, "300.00"),
    _opp(208, 8, 4, 4, noon(3, 1), "open", None, "900.00"),
    _opp(209, 6, 4, 1, noon(3, 1), "open", None, "1000.00"),
    _opp(210, 1, 4, 3, noon(3, 1), "open", None, "250.00"),
    _opp(211, 6, 4, 3, noon(3, 1), "lost", noon(5, 1), "350.00"),
    _opp(212, 6, 4, 3, noon(4, 1), "won", noon(7, 5), "400.00"),
    _opp(213, 3, 5, 3, noon(7, 2), "open", None, "999.00"),
    _opp(214, 9, 5, 2, noon(9, 25, 2024), "won", noon(10, 1, 2024), "1000.00"),
    _opp(215, 10, 5, 2, noon(10, 15, 2024), "won", noon(10, 20, 2024), "600.00"),
    _opp(216, 11, 5, 2, noon(11, 10, 2024), "won", noon(11, 20, 2024), "300.00"),
]


def _order(i: int, account: int, day: date, amount: str, opportunity: int | None = None, currency: str = "USD") -> dict:
    return dict(order_id=i, order_number=f"SO-{i}", account_id=account, opportunity_id=opportunity, rep_id=1, unit_id=4, bu_id=1,
                product_id=1, order_date=day, amount=D(amount), currency=currency)


ORDERS = [
    _order(1, 1, date(2025, 2, 15), "1000.00", 201),
    _order(2, 1, date(2025, 6, 1), "500.00", None, "EUR"),
    _order(3, 1, date(2025, 7, 10), "200.00"),
    _order(4, 3, date(2024, 6, 1), "100.00"),
    _order(5, 3, date(2025, 4, 2), "400.00", 203),
    _order(6, 4, date(2025, 3, 25), "600.00", 205),
    _order(7, 4, date(2025, 5, 1), "-100.00"),
    _order(8, 9, date(2024, 10, 5), "1000.00", 214),
    _order(9, 9, date(2024, 11, 10), "50.00", None, "GBP"),
    _order(10, 10, date(2024, 10, 25), "600.00", 215),
    _order(11, 11, date(2024, 11, 25), "300.00", 216),
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert the marketing CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, ORG),
            (schema.business_unit, BUS),
            (schema.product, PRODUCTS),
            (schema.rep, REPS),
            (schema.rep_team_history, TEAMS),
            (schema.campaign, CAMPAIGNS),
            (schema.account, ACCOUNTS),
            (schema.account_history, ACCOUNT_HISTORY),
            (schema.exchange_rate, RATES),
            (schema.lead, LEADS),
            (schema.lead_status_history, STATUS_HISTORY),
            (schema.opportunity, OPPORTUNITIES),
            (schema.sales_order, ORDERS),
        ],
    )
