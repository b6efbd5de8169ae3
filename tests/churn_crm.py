"""A tiny CRM for churn and retention, worked out by hand in tests/test_churn.py.

tiny_crm's organisation (ALL → NORTH → N-OFF → N-T1, ALL → SOUTH → S-OFF → S-T1) and business
units (HW, SW). Reporting currency USD; EUR converts at 1.10 until 2025-01-01 and 1.20 from
then; GBP has no rate. Orders are HW unless marked SW; "via" is the unit credited on the order.

| acct | home (30 Jun 2025)       | orders (order date, amount)                                                   |
|------|--------------------------|-------------------------------------------------------------------------------|
| A1   | N-OFF                    | 2023-09-10 500; 2024-05-10 1000; 2025-02-10 800; 2025-03-01 none; 2025-05-10 250 EUR SW (= 300) |
| A2   | N-T1                     | 2024-04-15 600; 2024-06-20 400 (last positive order one month before the active window) |
| A3   | S-OFF                    | 2024-03-01 100; 2024-08-01 200 EUR (= 220); 2024-10-01 300 SW via N-OFF; 2025-06-01 900 |
| A4   | S-OFF                    | 2024-05-05 0.00; 2024-06-01 −50 (never active)                               |
| A5   | N-OFF                    | 2024-07-01 500; 2024-07-15 −100 credit note (active window's first month)     |
| A6   | N-OFF → S-OFF 2025-05-15 | 2024-05-01 700                                                                |
| A7   | N-OFF                    | 2024-11-01 250 SW; 2024-12-01 100 GBP (no rate); 2025-03-20 50                |
| A8   | S-OFF                    | 2025-04-10 150 (new inside Q2 2025)                                           |
| A9   | N-OFF                    | 2023-01-10 400 (lapsed long ago)                                              |
| A10  | S-T1                     | 2024-04-01 100 EUR (= 110)                                                    |
| A11  | S-OFF                    | 2024-09-01 100; 2024-09-02 −300 credit note (active, net revenue negative)    |
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from tests.fixture_db import load_crm
from tests.tiny_crm import BUS, ORG, PRODUCTS, REPS

D = Decimal

HOMES = {1: 4, 2: 6, 3: 5, 4: 5, 5: 4, 6: 5, 7: 4, 8: 5, 9: 4, 10: 7, 11: 5}
ACCOUNTS = [
    dict(account_id=i, name=f"A{i}", segment="enterprise" if i % 2 else "smb", source_channel="event", home_unit_id=home,
         owner_rep_id=1, created_at=datetime(2022, 1, 1))
    for i, home in HOMES.items()
]
HISTORY = [
    dict(account_id=6, owner_rep_id=1, home_unit_id=4, valid_from=date(2020, 1, 1), valid_to=date(2025, 5, 15)),
    dict(account_id=6, owner_rep_id=2, home_unit_id=5, valid_from=date(2025, 5, 15), valid_to=None),
    dict(account_id=2, owner_rep_id=1, home_unit_id=6, valid_from=date(2020, 1, 1), valid_to=None),
]
RATES = [
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2023, 1, 1), valid_to=date(2025, 1, 1), rate=D("1.10")),
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2025, 1, 1), valid_to=None, rate=D("1.20")),
]


def _order(i: int, account: int, day: date, amount: str | None, currency: str = "USD", bu: int = 1, unit: int | None = None) -> dict:
    return dict(
        order_id=i, order_number=f"SO-{i}", account_id=account, rep_id=1, unit_id=unit or HOMES[account], bu_id=bu, product_id=bu,
        order_date=day, amount=None if amount is None else D(amount), currency=currency,
    )


ORDERS = [
    _order(1, 1, date(2023, 9, 10), "500.00"),
    _order(2, 1, date(2024, 5, 10), "1000.00"),
    _order(3, 1, date(2025, 2, 10), "800.00"),
    _order(4, 1, date(2025, 3, 1), None),
    _order(5, 1, date(2025, 5, 10), "250.00", "EUR", bu=2),
    _order(6, 2, date(2024, 4, 15), "600.00"),
    _order(7, 2, date(2024, 6, 20), "400.00"),
    _order(8, 3, date(2024, 3, 1), "100.00"),
    _order(9, 3, date(2024, 8, 1), "200.00", "EUR"),
    _order(10, 3, date(2024, 10, 1), "300.00", bu=2, unit=4),
    _order(11, 3, date(2025, 6, 1), "900.00"),
    _order(12, 4, date(2024, 5, 5), "0.00"),
    _order(13, 4, date(2024, 6, 1), "-50.00"),
    _order(14, 5, date(2024, 7, 1), "500.00"),
    _order(15, 5, date(2024, 7, 15), "-100.00"),
    _order(16, 6, date(2024, 5, 1), "700.00", unit=4),
    _order(17, 7, date(2024, 11, 1), "250.00", bu=2),
    _order(18, 7, date(2024, 12, 1), "100.00", "GBP"),
    _order(19, 7, date(2025, 3, 20), "50.00"),
    _order(20, 8, date(2025, 4, 10), "150.00"),
    _order(21, 9, date(2023, 1, 10), "400.00"),
    _order(22, 10, date(2024, 4, 1), "100.00", "EUR"),
    _order(23, 11, date(2024, 9, 1), "100.00"),
    _order(24, 11, date(2024, 9, 2), "-300.00"),
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert the churn CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, ORG),
            (schema.business_unit, BUS),
            (schema.product, PRODUCTS),
            (schema.rep, REPS),
            (schema.account, ACCOUNTS),
            (schema.account_history, HISTORY),
            (schema.exchange_rate, RATES),
            (schema.sales_order, ORDERS),
        ],
    )
