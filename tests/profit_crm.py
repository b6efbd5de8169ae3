"""A small CRM for customer profitability and the value pyramid, worked out by hand in tests/test_profitability.py.

Organisation ALL → NORTH → N-OFF and ALL → SOUTH → S-OFF; business units HW (product 1) and SW (product 2).
Reporting currency USD; EUR converts at 1.10; GBP has no rate. Period Q3 2025 (1 Jul – 30 Sep), as of 15 Oct 2025,
company zone Asia/Shanghai (tickets are opened at noon UTC, the same day there). Cost per ticket 50.00.

Orders in Q3 (USD unless marked), margin = amount − cost:

    order account  unit   bu  date   amount         cost           margin   note
    2     Acme     N-OFF  HW  07-05  1000.00        600.00         400.00
    3     Acme     S-OFF  SW  08-01  500 EUR=550.00 200 EUR=220.00 330.00   bought through SOUTH; paid late
    4     Acme     N-OFF  HW  09-01  −100.00        −60.00         −40.00   credit note, goods back
    5     Acme     N-OFF  HW  09-10  200.00         —              —        no cost: left out of margin, in revenue
    6     Beta     S-OFF  SW  07-20  800.00         500.00         300.00   first order, via campaign 1's lead
    7     Beta     S-OFF  SW  08-15  −50.00         —              −50.00   credit note with no cost: counts in full
    8     Gamma    N-OFF  HW  08-05  400.00         100.00         300.00   first order, via campaign 1's lead; unpaid
    9     Delta    S-OFF  HW  09-15  300.00         150.00         150.00   first order, via campaign 2's lead
    10    Delta    S-OFF  HW  09-20  —              —                       no amount
    11    Gamma    N-OFF  HW  09-25  100 GBP        50 GBP                  no rate
    (1    Acme     N-OFF  HW  2025-01-10  999.00 — Acme's first order, before the period, no campaign)

Campaign 1 (1000.01 USD, from 1 Jun 2025) acquired Beta and Gamma: 500.01 to Beta (the lower id takes the cent
left over) and 500.00 to Gamma. Campaign 2 (300 GBP, no rate) acquired Delta: no share, one acquisition left out.

    account  home   segment     revenue  costed   margin  tickets  serve  acquire  profit    expected  due/on time  referred
    Acme     N-OFF  enterprise  1650.00  1450.00  690.00  3        150    0        540.00    5000.00   2/1 = 0.5    2
    Beta     S-OFF  smb          750.00   750.00  250.00  1 (+1 in June)  50  500.01  −300.01  0     1/1 = 1.0    0
    Gamma    N-OFF  enterprise   400.00   400.00  300.00  0        0      500.00   −200.00   0 (opened after as-of)  1/0 = 0.0  0
    Delta    S-OFF  smb          300.00   300.00  150.00  0        0      — (no rate)  150.00  0    none → 0.5   0
    Epsilon  N-OFF  enterprise     0        0       0     0        0      0        0         220.00 (200 EUR × 1.10 … × 0.2)  none  1
    Zeta     S-OFF  smb          nothing in view: not ranked

Totals: revenue 3100.00, margin 1390.00 of 2900.00 costed, cost to serve 200.00, acquisition 1000.01, profit 189.99.
Percent ranks (ascending, ties lowest) and scores at weights 0.3/0.2/0.1/0.3/0.1:

    account  sales  expected  credit  profit  reference  score  tier
    Acme     1      1         0.5     1       1          0.95   A  (of 5: A the first ⌊1⌋, B the rest of ⌊2.5⌋)
    Epsilon  0      0.75      0.5     0.5     0.75       0.425  B
    Delta    0.25   0         0.5     0.75    0          0.35   C
    Beta     0.75   0         1.0     0       0          0.325  C
    Gamma    0.5    0         0.0     0.25    0          0.225  C
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from tests.fixture_db import load_crm

D = Decimal

ORG = [
    dict(unit_id=1, code="ALL", name="Whole company", level="cluster", parent_id=None),
    dict(unit_id=2, code="NORTH", name="North", level="region", parent_id=1),
    dict(unit_id=3, code="SOUTH", name="South", level="region", parent_id=1),
    dict(unit_id=4, code="N-OFF", name="North office", level="office", parent_id=2),
    dict(unit_id=5, code="S-OFF", name="South office", level="office", parent_id=3),
]
BUS = [dict(bu_id=1, code="HW", name="Hardware", kind="product"), dict(bu_id=2, code="SW", name="Software", kind="product")]
PRODUCTS = [dict(product_id=1, code="HW-1", name="Router", bu_id=1), dict(product_id=2, code="SW-1", name="Suite", bu_id=2)]
#: (name, home unit, segment)
ACCOUNT_ROWS = [
    ("Acme", 4, "enterprise"), ("Beta", 5, "smb"), ("Gamma", 4, "enterprise"),
    ("Delta", 5, "smb"), ("Epsilon", 4, "enterprise"), ("Zeta", 5, "smb"),
]
ACCOUNTS = [
    dict(account_id=i, name=name, home_unit_id=home, segment=segment, source_channel="event", created_at=datetime(2024, 1, 1))
    for i, (name, home, segment) in enumerate(ACCOUNT_ROWS, start=1)
]
RATES = [dict(from_currency="EUR", to_currency="USD", valid_from=date(2024, 1, 1), valid_to=None, rate=D("1.10"))]
CAMPAIGNS = [
    dict(campaign_id=1, name="Summit", kind="event", cost=D("1000.01"), currency="USD", start_date=date(2025, 6, 1), unit_id=4),
    dict(campaign_id=2, name="Expo", kind="trade_show", cost=D("300.00"), currency="GBP", start_date=date(2025, 7, 1), unit_id=5),
]


def _opp(i: int, account: int, status: str, created: datetime, closed: datetime | None, amount: str, currency: str = "USD", probability: str = "1") -> dict:
    return dict(
        opportunity_id=i, name=f"Deal {i}", account_id=account, unit_id=4, bu_id=1, product_id=1, created_at=created,
        stage=status if status != "open" else "proposal", status=status, closed_at=closed, amount=D(amount), currency=currency,
        probability=D(probability),
    )


OPPORTUNITIES = [
    _opp(1, 2, "won", datetime(2025, 6, 10), datetime(2025, 7, 18), "800.00"),
    _opp(2, 3, "won", datetime(2025, 6, 20), datetime(2025, 8, 1), "400.00"),
    _opp(3, 4, "won", datetime(2025, 7, 5), datetime(2025, 9, 10), "300.00"),
    _opp(4, 1, "open", datetime(2025, 5, 1), None, "10000.00", probability="0.5"),  # 5000.00 expected
    _opp(5, 5, "open", datetime(2025, 8, 1), None, "1000.00", "EUR", "0.2"),  # 1100.00 × 0.2 = 220.00
    _opp(6, 1, "lost", datetime(2025, 3, 1), datetime(2025, 9, 1), "9999.00", probability="0.5"),
    _opp(7, 3, "open", datetime(2025, 10, 20), None, "7777.00", probability="0.5"),  # opened after the as-of day
]


def _lead(i: int, created: datetime, *, campaign: int | None = None, opportunity: int | None = None, referrer: int | None = None) -> dict:
    return dict(
        lead_id=i, source_channel="referral" if referrer else "event", campaign_id=campaign, referring_account_id=referrer,
        company_name=f"Lead {i}", unit_id=4, created_at=created, converted_opportunity_id=opportunity,
        status="converted" if opportunity else "new",
    )


LEADS = [
    _lead(1, datetime(2025, 6, 5, 4), campaign=1, opportunity=1),
    _lead(2, datetime(2025, 6, 15, 4), campaign=1, opportunity=2),
    _lead(3, datetime(2025, 7, 2, 4), campaign=2, opportunity=3),
    _lead(4, datetime(2025, 8, 1, 4), referrer=1),
    _lead(5, datetime(2025, 7, 2, 4), referrer=1),
    _lead(6, datetime(2025, 9, 1, 4), referrer=5),
    _lead(7, datetime(2025, 5, 1, 4), referrer=1),  # before the period
]


def _order(
    i: int, account: int, unit: int, day: date, amount: str | None, cost: str | None, currency: str = "USD", bu: int = 1,
    opportunity: int | None = None, due: date | None = None, paid: date | None = None,
) -> dict:
    return dict(
        order_id=i, order_number=f"SO-{i}", account_id=account, unit_id=unit, bu_id=bu, product_id=bu, order_date=day,
        amount=None if amount is None else D(amount), cost=None if cost is None else D(cost), currency=currency,
        opportunity_id=opportunity, invoiced_date=day if due else None, payment_due_date=due, cash_collected_date=paid,
    )


ORDERS = [
    _order(1, 1, 4, date(2025, 1, 10), "999.00", "1.00"),
    _order(2, 1, 4, date(2025, 7, 5), "1000.00", "600.00", due=date(2025, 8, 5), paid=date(2025, 8, 1)),
    _order(3, 1, 5, date(2025, 8, 1), "500.00", "200.00", "EUR", bu=2, due=date(2025, 9, 1), paid=date(2025, 9, 10)),
    _order(4, 1, 4, date(2025, 9, 1), "-100.00", "-60.00"),
    _order(5, 1, 4, date(2025, 9, 10), "200.00", None),
    _order(6, 2, 5, date(2025, 7, 20), "800.00", "500.00", bu=2, opportunity=1, due=date(2025, 8, 20), paid=date(2025, 8, 20)),
    _order(7, 2, 5, date(2025, 8, 15), "-50.00", None, bu=2),
    _order(8, 3, 4, date(2025, 8, 5), "400.00", "100.00", opportunity=2, due=date(2025, 9, 5)),
    _order(9, 4, 5, date(2025, 9, 15), "300.00", "150.00", opportunity=3, due=date(2025, 10, 15)),
    _order(10, 4, 5, date(2025, 9, 20), None, None),
    _order(11, 3, 4, date(2025, 9, 25), "100.00", "50.00", "GBP"),
]


def _ticket(i: int, account: int, opened: datetime, product: int | None) -> dict:
    return dict(ticket_id=i, account_id=account, product_id=product, kind="request", opened_at=opened)


TICKETS = [
    _ticket(1, 1, datetime(2025, 7, 10, 12), 1),
    _ticket(2, 1, datetime(2025, 8, 10, 12), 2),
    _ticket(3, 1, datetime(2025, 9, 10, 12), None),
    _ticket(4, 2, datetime(2025, 8, 20, 12), 2),
    _ticket(5, 2, datetime(2025, 6, 15, 12), 2),  # before the period
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert this CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, ORG),
            (schema.business_unit, BUS),
            (schema.product, PRODUCTS),
            (schema.account, ACCOUNTS),
            (schema.exchange_rate, RATES),
            (schema.campaign, CAMPAIGNS),
            (schema.opportunity, OPPORTUNITIES),
            (schema.lead, LEADS),
            (schema.sales_order, ORDERS),
            (schema.service_ticket, TICKETS),
        ],
    )
