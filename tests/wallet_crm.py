"""A small CRM for share of wallet, concentration and new customers, worked out by hand in the tests.

Fiscal years start in April (FY2026 = 1 April 2025 – 31 March 2026). Organisation:

    ALL (cluster)
    ├── NORTH (region) ── N-OFF (office)
    └── SOUTH (region) ── S-OFF (office)

Business units HW and SW. Reporting currency USD; EUR converts at 1.10 until 2025-07-01 and
1.20 from then. Home units as of 30 Sep 2025 (Eta moved from S-OFF to N-OFF on 1 Sep 2025):

    id account   home   FY2026 wallet      first order > 0   orders
    1  Acme      N-OFF  10000 USD          2025-02-01        500 (Feb, FY2025); 3000 May; 1000 EUR Aug via SOUTH, SW; 999 Oct
    2  Beta      S-OFF  2000 EUR           2025-07-15        600 Jul, SW
    3  Gamma     N-OFF  — (missing)        2024-11-01        200 Nov 2024; 1000 Aug
    4  Delta     S-OFF  0 (left out)       2025-09-01        500 Sep via NORTH
    5  Epsilon   N-OFF  1000 USD (share>1) 2025-04-20        1500 Apr
    6  Zeta      S-OFF  4000 USD           2025-08-20        credit note −100 Jun; 800 Aug
    7  Eta       N-OFF  5000 USD           2023-05-01        100 May 2023; 2000 Jul via SOUTH
    8  Theta     S-OFF  3000 USD           — (no orders)
    9  Iota      N-OFF  —                  2025-09-30        300 on 30 Sep
    10 Kappa     S-OFF  —                  — (an order with no amount)
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
NAMES = ["Acme", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa"]
HOME = {1: 4, 2: 5, 3: 4, 4: 5, 5: 4, 6: 5, 7: 4, 8: 5, 9: 4, 10: 5}
#: Beta, Delta and Zeta are small businesses; the others enterprises.
SMB = {2: "smb", 4: "smb", 6: "smb"}
ACCOUNTS = [
    dict(
        account_id=i, name=name, segment=SMB.get(i, "enterprise"), source_channel="event", home_unit_id=HOME[i],
        created_at=datetime(2023, 1, 1),
    )
    for i, name in enumerate(NAMES, start=1)
]
HISTORY = [
    dict(account_id=7, home_unit_id=5, valid_from=date(2023, 1, 1), valid_to=date(2025, 9, 1)),
    dict(account_id=7, home_unit_id=4, valid_from=date(2025, 9, 1), valid_to=None),
]
RATES = [
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2024, 1, 1), valid_to=date(2025, 7, 1), rate=D("1.10")),
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2025, 7, 1), valid_to=None, rate=D("1.20")),
]
WALLETS = [
    dict(account_id=1, fiscal_year=2026, amount=D("10000.00"), currency="USD"),
    dict(account_id=1, fiscal_year=2025, amount=D("99999.00"), currency="USD"),  # another year: never used below
    dict(account_id=2, fiscal_year=2026, amount=D("2000.00"), currency="EUR"),
    dict(account_id=4, fiscal_year=2026, amount=D("0.00"), currency="USD"),
    dict(account_id=5, fiscal_year=2026, amount=D("1000.00"), currency="USD"),
    dict(account_id=6, fiscal_year=2026, amount=D("4000.00"), currency="USD"),
    dict(account_id=7, fiscal_year=2026, amount=D("5000.00"), currency="USD"),
    dict(account_id=8, fiscal_year=2026, amount=D("3000.00"), currency="USD"),
]


def _order(i: int, account: int, unit: int, day: date, amount: str | None, currency: str = "USD", bu: int = 1) -> dict:
    return dict(
        order_id=i, order_number=f"SO-{i}", account_id=account, unit_id=unit, bu_id=bu, product_id=bu, order_date=day,
        amount=None if amount is None else D(amount), currency=currency,
    )


ORDERS = [
    _order(1, 1, 4, date(2025, 2, 1), "500.00"),
    _order(2, 1, 4, date(2025, 5, 10), "3000.00"),
    _order(3, 1, 5, date(2025, 8, 1), "1000.00", "EUR", bu=2),  # Acme buys through SOUTH: 1200.00 USD
    _order(4, 1, 4, date(2025, 10, 1), "999.00"),  # after the period
    _order(5, 2, 5, date(2025, 7, 15), "600.00", bu=2),
    _order(6, 3, 4, date(2024, 11, 1), "200.00"),
    _order(7, 3, 4, date(2025, 8, 10), "1000.00"),
    _order(8, 4, 4, date(2025, 9, 1), "500.00"),  # Delta (home SOUTH) buys through NORTH
    _order(9, 5, 4, date(2025, 4, 20), "1500.00"),
    _order(10, 6, 5, date(2025, 6, 10), "-100.00"),  # Zeta's first document: a credit note
    _order(11, 6, 5, date(2025, 8, 20), "800.00"),
    _order(12, 7, 5, date(2023, 5, 1), "100.00"),
    _order(13, 7, 5, date(2025, 7, 20), "2000.00"),
    _order(14, 9, 4, date(2025, 9, 30), "300.00"),
    _order(15, 10, 5, date(2025, 8, 5), None),
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
            (schema.account_history, HISTORY),
            (schema.exchange_rate, RATES),
            (schema.wallet_estimate, WALLETS),
            (schema.sales_order, ORDERS),
        ],
    )
