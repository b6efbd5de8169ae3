"""A small CRM that breaks each data-health rule a known number of times, worked out by hand in
tests/test_check.py. As of 30 Jun 2025; fiscal years start in April (FY2026 = Apr 2025 – Mar 2026).

    ALL (1) ── NORTH (2) ── N-OFF (4)
           └── SOUTH (3) ── S-OFF (5)        unit 99 does not exist

Reps 1, 2 and 3 exist; 97, 98 and 99 do not. Accounts (home unit, owner):

    A1 N-OFF rep 1   A2 N-OFF none   A3 S-OFF none   A4 S-OFF rep 99   A5 N-OFF rep 98   A6 S-OFF rep 2

Opportunities:

    id acct unit owner status created → closed            amount  expected close   breaks
    1  A1   4    1     won    2025-01-01 → 2025-04-01     100                      — (order 1)
    2  A2   4    —     open   2025-02-01                  200     2025-09-30       no owner
    3  A3   5    —     open   2025-02-01                  300     —                no owner, stale (no date)
    4  A1   4    1     open   2025-03-01                  —       2025-06-29       no amount, stale
    5  A6   5    2     open   2025-03-01                  −5      2025-06-30       negative amount (due on the as-of day: not stale)
    6  A6   5    97    lost   2025-03-01 → 2025-02-01     50                       closed before created, owner no rep
    7  A1   4    2     won    2025-05-01 → same instant   70                       won, no order (closing when opened is fine)
    8  888  4    1     lost   2025-01-01 → 2025-02-01     10                       account missing
    9  A6   99   1     won    2025-01-01 → 2025-03-01     10                       unit missing, won, no order
    10 A1   4    —     won    2025-01-01 → 2025-05-01     20                       — (order 9; no owner but not open)
    11 A3   5    3     lost   06-01 00:00:01 → 06-01 00:00:00  30                  closed before created, by a second

Orders:

    id acct unit date        amount  opportunity  breaks
    1  A1   4    2025-05-01  100     1            —
    2  A2   4    2024-06-30  50                   — (exactly 12 months before the as-of date: A2 is no customer)
    3  A3   5    2025-01-10  —                    no amount
    4  A4   5    2025-02-01  −20                  — (a credit note)
    5  A6   5    2025-03-01  300     77           opportunity missing
    6  999  4    2025-04-01  10                   account missing
    7  A1   99   2025-06-01  40                   unit missing
    8  A5   4    2025-07-15  70                   — (after the as-of date: A5 is no customer)
    9  A1   —    2025-05-05  5       10           — (no unit: not an orphan reference)

Wallet estimates: A1 FY2026 500; A3 FY2026 0; A4 FY2025 400 (the wrong year); A6 FY2026 100.
Leads: 1 in N-OFF, 2 in S-OFF. Business units: 1 "Hardware", 2 "Software", 3 "hardware " (a variant
of 1). Products: "Router", "ＲＯＵＴＥＲ" (full-width), "Switch", "Office  Suite", "office suite",
"Modem", "Modem" (the same as stored: not a variant).

:func:`load` creates the canonical schema (primary keys included); :func:`load_without_keys` creates
the same tables with no key, as a CRM read through views may have them, and can add the
:data:`DUPLICATES` and leave tables or columns out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Engine, MetaData, Table, insert

from data_layer import schema
from tests.fixture_db import load_crm

D = Decimal
AS_OF = date(2025, 6, 30)

ORG = [
    dict(unit_id=1, code="ALL", name="Whole company", level="cluster", parent_id=None),
    dict(unit_id=2, code="NORTH", name="North", level="region", parent_id=1),
    dict(unit_id=3, code="SOUTH", name="South", level="region", parent_id=1),
    dict(unit_id=4, code="N-OFF", name="North office", level="office", parent_id=2),
    dict(unit_id=5, code="S-OFF", name="South office", level="office", parent_id=3),
]
REPS = [dict(rep_id=i, code=f"R{i}", name=f"Rep {i}", hire_date=date(2020, 1, 1)) for i in (1, 2, 3)]
BUS = [
    dict(bu_id=1, code="HW", name="Hardware", kind="product"),
    dict(bu_id=2, code="SW", name="Software", kind="product"),
    dict(bu_id=3, code="HW2", name="hardware ", kind="product"),
]
PRODUCTS = [
    dict(product_id=i, code=f"P{i}", name=name, bu_id=1)
    for i, name in enumerate(["Router", "ＲＯＵＴＥＲ", "Switch", "Office  Suite", "office suite", "Modem", "Modem"], start=1)
]
ACCOUNTS = [
    dict(account_id=i, name=f"A{i}", segment="enterprise", home_unit_id=home, owner_rep_id=owner, created_at=datetime(2024, 1, 1))
    for i, home, owner in ((1, 4, 1), (2, 4, None), (3, 5, None), (4, 5, 99), (5, 4, 98), (6, 5, 2))
]


def _opp(i: int, account: int, unit: int, owner: int | None, status: str, created: datetime, closed: datetime | None,
         amount: str | None, expected: date | None = None) -> dict:
    return dict(
        opportunity_id=i, name=f"Deal {i}", account_id=account, unit_id=unit, bu_id=1, owner_rep_id=owner, status=status,
        stage={"open": "proposal"}.get(status, status), created_at=created, closed_at=closed,
        amount=None if amount is None else D(amount), currency="USD", expected_close_date=expected,
    )


OPPORTUNITIES = [
    _opp(1, 1, 4, 1, "won", datetime(2025, 1, 1), datetime(2025, 4, 1), "100"),
    _opp(2, 2, 4, None, "open", datetime(2025, 2, 1), None, "200", date(2025, 9, 30)),
    _opp(3, 3, 5, None, "open", datetime(2025, 2, 1), None, "300"),
    _opp(4, 1, 4, 1, "open", datetime(2025, 3, 1), None, None, date(2025, 6, 29)),
    _opp(5, 6, 5, 2, "open", datetime(2025, 3, 1), None, "-5", date(2025, 6, 30)),
    _opp(6, 6, 5, 97, "lost", datetime(2025, 3, 1), datetime(2025, 2, 1), "50"),
    _opp(7, 1, 4, 2, "won", datetime(2025, 5, 1), datetime(2025, 5, 1), "70"),
    _opp(8, 888, 4, 1, "lost", datetime(2025, 1, 1), datetime(2025, 2, 1), "10"),
    _opp(9, 6, 99, 1, "won", datetime(2025, 1, 1), datetime(2025, 3, 1), "10"),
    _opp(10, 1, 4, None, "won", datetime(2025, 1, 1), datetime(2025, 5, 1), "20"),
    _opp(11, 3, 5, 3, "lost", datetime(2025, 6, 1, 0, 0, 1), datetime(2025, 6, 1), "30"),
]


def _order(i: int, account: int, unit: int | None, day: date, amount: str | None, opportunity: int | None = None) -> dict:
    return dict(
        order_id=i, order_number=f"SO-{i}", account_id=account, unit_id=unit, bu_id=1, product_id=1, order_date=day,
        amount=None if amount is None else D(amount), currency="USD", opportunity_id=opportunity,
    )


ORDERS = [
    _order(1, 1, 4, date(2025, 5, 1), "100", 1),
    _order(2, 2, 4, date(2024, 6, 30), "50"),
    _order(3, 3, 5, date(2025, 1, 10), None),
    _order(4, 4, 5, date(2025, 2, 1), "-20"),
    _order(5, 6, 5, date(2025, 3, 1), "300", 77),
    _order(6, 999, 4, date(2025, 4, 1), "10"),
    _order(7, 1, 99, date(2025, 6, 1), "40"),
    _order(8, 5, 4, date(2025, 7, 15), "70"),
    _order(9, 1, None, date(2025, 5, 5), "5", 10),
]
WALLETS = [
    dict(account_id=1, fiscal_year=2026, amount=D("500"), currency="USD"),
    dict(account_id=3, fiscal_year=2026, amount=D("0"), currency="USD"),
    dict(account_id=4, fiscal_year=2025, amount=D("400"), currency="USD"),
    dict(account_id=6, fiscal_year=2026, amount=D("100"), currency="USD"),
]
LEADS = [
    dict(lead_id=1, company_name="Lead North", unit_id=4, created_at=datetime(2025, 1, 1), status="new"),
    dict(lead_id=2, company_name="Lead South", unit_id=5, created_at=datetime(2025, 1, 1), status="new"),
]

TABLES: list[tuple[Table, list[dict]]] = [
    (schema.org_unit, ORG),
    (schema.rep, REPS),
    (schema.business_unit, BUS),
    (schema.product, PRODUCTS),
    (schema.account, ACCOUNTS),
    (schema.opportunity, OPPORTUNITIES),
    (schema.sales_order, ORDERS),
    (schema.wallet_estimate, WALLETS),
    (schema.lead, LEADS),
]

#: Extra copies of existing rows, for a database without keys: account 1 three times in all and
#: account 3 twice (NORTH and SOUTH), opportunity 2 twice (NORTH), order 3 twice (SOUTH), both leads twice.
DUPLICATES: dict[str, list[dict]] = {
    "account": [ACCOUNTS[0], ACCOUNTS[0], ACCOUNTS[2]],
    "opportunity": [OPPORTUNITIES[1]],
    "sales_order": [ORDERS[2]],
    "lead": [LEADS[0], LEADS[1]],
}


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert this CRM."""
    load_crm(engine, TABLES)


def load_without_keys(engine: Engine, *, duplicates: bool = False, omit: Iterable[str] = ()) -> None:
    """This CRM in tables with the canonical names and columns but no key or constraint.

    Args:
        duplicates: add the :data:`DUPLICATES`.
        omit: tables (``wallet_estimate``) or columns (``opportunity.expected_close_date``) to leave out.
    """
    left_out = set(omit)
    metadata = MetaData()
    copies = {
        t.name: Table(t.name, metadata, *(Column(c.name, c.type) for c in t.columns if f"{t.name}.{c.name}" not in left_out))
        for t in schema.TABLES
        if t.name not in left_out
    }
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table, rows in TABLES:
            if table.name not in copies:
                continue
            copy = copies[table.name]
            rows = rows + (DUPLICATES.get(table.name, []) if duplicates else [])
            keys = sorted({k for row in rows for k in row if k in copy.c})
            conn.execute(insert(copy), [{k: row.get(k) for k in keys} for row in rows])
