"""A tiny CRM for the sales cycle and the amount-weighted win rate, worked out by hand in the tests.

tiny_crm's organisation, business units, accounts and rates (company zone Asia/Shanghai, UTC+8;
EUR→USD 1.10 until 2025-07-01, 1.20 from then; GBP has no rate), with these opportunities
(timestamps UTC; "local" = Shanghai):

| id | unit  | bu | amount  | created          | closed           | status | cycle, days | closes in (local) |
|----|-------|----|---------|------------------|------------------|--------|-------------|-------------------|
| 1  | N-OFF | HW | 100 USD | 2025-04-02 01:00 | 2025-04-02 07:00 | won    | 0.25        | Q2, April (same day) |
| 2  | N-OFF | SW | 200 EUR | 2025-03-01 00:00 | 2025-04-10 12:00 | won    | 40.5        | Q2, April (EUR 1.10) |
| 3  | N-T1  | HW | 1000 USD| 2024-05-20 16:00 | 2025-05-20 16:00 | won    | 365         | Q2, May (long tail) |
| 4  | S-OFF | HW | 50 USD  | 2025-06-20 15:00 | 2025-06-30 15:00 | won    | 10          | Q2, 30 Jun 23:00 local |
| 5  | S-OFF | SW | none    | 2025-03-27 17:00 | 2025-03-31 17:00 | won    | 4           | Q2: 1 Apr 01:00 local, March in UTC |
| 6  | S-OFF | HW | 100 EUR | 2025-06-01 00:00 | 2025-06-30 16:30 | won    | 29.6875     | Q3: 1 Jul 00:30 local (EUR 1.20) |
| 7  | S-OFF | SW | 300 USD | 2025-04-01 00:00 | 2025-05-01 00:00 | lost   |             | Q2 |
| 8  | N-OFF | HW | 500 GBP | 2025-04-15 00:00 | 2025-06-01 00:00 | lost   |             | Q2 (no GBP rate) |
| 9  | N-OFF | HW | 80 USD  | 2025-05-01 00:00 |                  | open   |             | |
| 10 | N-OFF | HW | none    | 2025-05-10 00:00 | 2025-05-09 00:00 | won    | (closed before created: a data error) | Q2 |
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from tests import tiny_crm
from tests.fixture_db import load_crm

D = Decimal
DT = datetime


def _opp(
    i: int, unit: int, bu: int, amount: str | None, currency: str, created: datetime, closed: datetime | None, status: str
) -> dict:
    return dict(
        opportunity_id=i, account_id=1 if unit in (4, 6) else 2, owner_rep_id=1 if unit in (4, 6) else 2, unit_id=unit, bu_id=bu,
        product_id=bu, created_at=created, closed_at=closed, status=status, stage=status if status != "open" else "proposal",
        amount=None if amount is None else D(amount), currency=currency, probability=D("0.5"),
    )


OPPORTUNITIES = [
    _opp(1, 4, 1, "100.00", "USD", DT(2025, 4, 2, 1), DT(2025, 4, 2, 7), "won"),
    _opp(2, 4, 2, "200.00", "EUR", DT(2025, 3, 1), DT(2025, 4, 10, 12), "won"),
    _opp(3, 6, 1, "1000.00", "USD", DT(2024, 5, 20, 16), DT(2025, 5, 20, 16), "won"),
    _opp(4, 5, 1, "50.00", "USD", DT(2025, 6, 20, 15), DT(2025, 6, 30, 15), "won"),
    _opp(5, 5, 2, None, "USD", DT(2025, 3, 27, 17), DT(2025, 3, 31, 17), "won"),
    _opp(6, 5, 1, "100.00", "EUR", DT(2025, 6, 1), DT(2025, 6, 30, 16, 30), "won"),
    _opp(7, 5, 2, "300.00", "USD", DT(2025, 4, 1), DT(2025, 5, 1), "lost"),
    _opp(8, 4, 1, "500.00", "GBP", DT(2025, 4, 15), DT(2025, 6, 1), "lost"),
    _opp(9, 4, 1, "80.00", "USD", DT(2025, 5, 1), None, "open"),
    _opp(10, 4, 1, None, "USD", DT(2025, 5, 10), DT(2025, 5, 9), "won"),
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert this CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, tiny_crm.ORG),
            (schema.business_unit, tiny_crm.BUS),
            (schema.product, tiny_crm.PRODUCTS),
            (schema.rep, tiny_crm.REPS),
            (schema.account, tiny_crm.ACCOUNTS),
            (schema.exchange_rate, tiny_crm.RATES),
            (schema.opportunity, OPPORTUNITIES),
        ],
    )
