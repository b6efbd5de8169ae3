"""A tiny CRM for the pipeline and forecast, worked out by hand in tests/test_pipeline.py.

tiny_crm's organisation (ALL → NORTH → N-OFF (4) → N-T1 (6), ALL → SOUTH → S-OFF (5) → S-T1 (7)), business units
HW (product HW-1) and SW (product SW-1) and company zone Asia/Shanghai (UTC+8). Reporting currency USD; EUR converts
at 1.10 until 2025-05-01 and at 1.20 from then; GBP has no rate at all. Project grades: company (rank 1), region (2), office (3).
The as-of day of the tests is 2025-06-15. Times below are UTC; "local" is Shanghai.

| opp | unit  | product | grade   | cur | created     | now                     | amount | prob | exp. close | closed (UTC)       | lost: reason / competitor |
|-----|-------|---------|---------|-----|-------------|-------------------------|--------|------|------------|--------------------|---------------------------|
| O1  | N-OFF | HW-1    | company | USD | 2025-03-01  | won                     | 1500   | 1    | 2025-05-20 | 2025-05-20 03:00   | — / Rival (won against)   |
| O2  | S-OFF | SW-1    | region  | USD | 2025-04-15  | won                     | 2000   | 1    | 2025-04-28 | 2025-04-28 06:00   | — / Other (won against)   |
| O3  | N-OFF | HW-1    | office  | USD | 2025-02-01  | lost                    | 800    | 0.4  | 2025-04-10 | 2025-03-15 00:00   | competitor / Rival        |
| O4  | N-T1  | HW-1    | office  | USD | 2025-01-10  | open, prospecting       | 500    | 0    | 2025-06-20 |                    |                           |
| O5  | S-T1  | SW-1    | company | EUR | 2025-03-10  | open, proposal          | 1000   | 1    | 2025-06-10 |                    |                           |
| O6  | N-OFF | SW-1    | region  | USD | 2025-04-02  | open, qualification     | none   | 0.5  | 2025-06-25 |                    |                           |
| O7  | S-OFF | HW-1    | office  | USD | 2025-02-20  | lost                    | 900    | 0    | 2025-05-30 | 2025-05-12 08:00   | competitor / Rival        |
| O8  | N-T1  | SW-1    | office  | USD | 2025-04-20  | lost                    | 300    | 0    | 2025-06-30 | 2025-06-02 02:00   | price / none              |
| O9  | S-OFF | HW-1    | none    | USD | 2025-05-01  | open, negotiation       | 400    | 0.3  | 2025-07-15 |                    |                           |
| O10 | N-T1  | HW-1    | region  | USD | 2025-05-25  | open, proposal          | 2000   | 0.45 | 2025-07-02 |                    |                           |
| O11 | S-T1  | SW-1    | office  | GBP | 2025-05-05  | open, qualification     | 700    | 0.5  | 2025-07-10 |                    |                           |
| O12 | N-T1  | HW-1    | office  | USD | 2025-05-06  | open, prospecting       | 600    | none | 2025-06-27 |                    |                           |
| O13 | S-OFF | HW-1    | office  | USD | 2025-05-10  | open, proposal          | 250    | 0.6  | 2025-06-18 |                    |                           |

O11 has no exchange rate and O12 no probability: each counts as a deal but adds no money (O12's amount counts, its
weighted amount does not). O13 was created on 10 May but its history only starts on 5 June.

Stage history (changed at, UTC → stage, amount, probability, expected close):

- O1: 03-01 prospecting 1000 0.20 04-20; 03-20 proposal 1200 0.50 04-25; 04-10 negotiation 1500 0.80 05-10;
  05-20 03:00 won 1500 1 05-20 — amount, probability and expected close all changed over time.
- O2: 04-15 qualification 2000 0.30 04-28; 04-28 06:00 won 2000 1 04-28 — created after April began.
- O3: 02-01 proposal 800 0.40 04-10 — no closing row: only its close time (15 March) keeps it out of April's forecast.
- O4: 01-10 prospecting 500 0 06-20. O6: 04-02 qualification none 0.5 06-25. O9: 05-01 negotiation 400 0.3 07-15.
- O5: 03-10 proposal 1000 0.60 05-15; 05-05 proposal 1000 1 06-10.
- O7: 02-20 proposal 900 0.50 05-30; 05-12 08:00 lost 900 0 05-30.
- O8: 04-20 prospecting 300 0.10 06-30; 06-02 02:00 lost 300 0 06-30.
- O10: 05-25 proposal 2000 0.45 07-02. O11: 05-05 qualification 700 (GBP) 0.5 07-10. O12: 05-06 prospecting 600 none 06-27.
- O13: 06-05 proposal 250 0.6 06-18 — no row before then: its values before 5 June are unknown.

One order: SO-1, O1's, booked 2025-05-20 for 1500 USD in N-OFF (HW): the projection's closed revenue.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from tests.fixture_db import load_crm
from tests.tiny_crm import BUS, ORG, PRODUCTS, REPS

D = Decimal

GRADES = [
    dict(code="company", name="Company-level project", rank=1),
    dict(code="region", name="Region-level project", rank=2),
    dict(code="office", name="Office-level project", rank=3),
]
ACCOUNTS = [
    dict(account_id=1, name="Acme", segment="enterprise", source_channel="event", home_unit_id=4, owner_rep_id=1, created_at=datetime(2023, 1, 1)),
    dict(account_id=2, name="Beta", segment="smb", source_channel="website", home_unit_id=5, owner_rep_id=2, created_at=datetime(2023, 1, 1)),
]
RATES = [
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2025, 1, 1), valid_to=date(2025, 5, 1), rate=D("1.10")),
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2025, 5, 1), valid_to=None, rate=D("1.20")),
]


def _opp(
    i: int, unit: int, product: int, grade: str | None, currency: str, created: datetime, stage: str, amount: str | None,
    probability: str | None, close: date, closed: datetime | None = None, reason: str | None = None,
    competitor: str | None = None,
) -> dict:
    status = stage if stage in ("won", "lost") else "open"
    return dict(
        opportunity_id=i, name=f"O{i}", account_id=1 if unit in (4, 6) else 2, owner_rep_id=1 if unit in (4, 6) else 2,
        unit_id=unit, bu_id=product, product_id=product, created_at=created, stage=stage,
        amount=None if amount is None else D(amount), currency=currency,
        probability=None if probability is None else D(probability),
        expected_close_date=close, closed_at=closed, status=status, loss_reason=reason, competitor=competitor, project_grade=grade,
    )


OPPORTUNITIES = [
    _opp(1, 4, 1, "company", "USD", datetime(2025, 3, 1), "won", "1500.00", "1", date(2025, 5, 20), datetime(2025, 5, 20, 3), competitor="Rival"),
    _opp(2, 5, 2, "region", "USD", datetime(2025, 4, 15), "won", "2000.00", "1", date(2025, 4, 28), datetime(2025, 4, 28, 6), competitor="Other"),
    _opp(3, 4, 1, "office", "USD", datetime(2025, 2, 1), "lost", "800.00", "0.4", date(2025, 4, 10), datetime(2025, 3, 15), "competitor", "Rival"),
    _opp(4, 6, 1, "office", "USD", datetime(2025, 1, 10), "prospecting", "500.00", "0", date(2025, 6, 20)),
    _opp(5, 7, 2, "company", "EUR", datetime(2025, 3, 10), "proposal", "1000.00", "1", date(2025, 6, 10)),
    _opp(6, 4, 2, "region", "USD", datetime(2025, 4, 2), "qualification", None, "0.5", date(2025, 6, 25)),
    _opp(7, 5, 1, "office", "USD", datetime(2025, 2, 20), "lost", "900.00", "0", date(2025, 5, 30), datetime(2025, 5, 12, 8), "competitor", "Rival"),
    _opp(8, 6, 2, "office", "USD", datetime(2025, 4, 20), "lost", "300.00", "0", date(2025, 6, 30), datetime(2025, 6, 2, 2), "price"),
    _opp(9, 5, 1, None, "USD", datetime(2025, 5, 1), "negotiation", "400.00", "0.3", date(2025, 7, 15)),
    _opp(10, 6, 1, "region", "USD", datetime(2025, 5, 25), "proposal", "2000.00", "0.45", date(2025, 7, 2)),
    _opp(11, 7, 2, "office", "GBP", datetime(2025, 5, 5), "qualification", "700.00", "0.5", date(2025, 7, 10)),
    _opp(12, 6, 1, "office", "USD", datetime(2025, 5, 6), "prospecting", "600.00", None, date(2025, 6, 27)),
    _opp(13, 5, 1, "office", "USD", datetime(2025, 5, 10), "proposal", "250.00", "0.6", date(2025, 6, 18)),
]


def _h(i: int, at: datetime, stage: str, amount: str | None, probability: str | None, close: date) -> dict:
    return dict(
        opportunity_id=i, changed_at=at, stage=stage, amount=None if amount is None else D(amount),
        probability=None if probability is None else D(probability),
        expected_close_date=close,
    )


HISTORY = [
    _h(1, datetime(2025, 3, 1), "prospecting", "1000.00", "0.20", date(2025, 4, 20)),
    _h(1, datetime(2025, 3, 20), "proposal", "1200.00", "0.50", date(2025, 4, 25)),
    _h(1, datetime(2025, 4, 10), "negotiation", "1500.00", "0.80", date(2025, 5, 10)),
    _h(1, datetime(2025, 5, 20, 3), "won", "1500.00", "1", date(2025, 5, 20)),
    _h(2, datetime(2025, 4, 15), "qualification", "2000.00", "0.30", date(2025, 4, 28)),
    _h(2, datetime(2025, 4, 28, 6), "won", "2000.00", "1", date(2025, 4, 28)),
    _h(3, datetime(2025, 2, 1), "proposal", "800.00", "0.40", date(2025, 4, 10)),
    _h(4, datetime(2025, 1, 10), "prospecting", "500.00", "0", date(2025, 6, 20)),
    _h(5, datetime(2025, 3, 10), "proposal", "1000.00", "0.60", date(2025, 5, 15)),
    _h(5, datetime(2025, 5, 5), "proposal", "1000.00", "1", date(2025, 6, 10)),
    _h(6, datetime(2025, 4, 2), "qualification", None, "0.5", date(2025, 6, 25)),
    _h(7, datetime(2025, 2, 20), "proposal", "900.00", "0.50", date(2025, 5, 30)),
    _h(7, datetime(2025, 5, 12, 8), "lost", "900.00", "0", date(2025, 5, 30)),
    _h(8, datetime(2025, 4, 20), "prospecting", "300.00", "0.10", date(2025, 6, 30)),
    _h(8, datetime(2025, 6, 2, 2), "lost", "300.00", "0", date(2025, 6, 30)),
    _h(9, datetime(2025, 5, 1), "negotiation", "400.00", "0.3", date(2025, 7, 15)),
    _h(10, datetime(2025, 5, 25), "proposal", "2000.00", "0.45", date(2025, 7, 2)),
    _h(11, datetime(2025, 5, 5), "qualification", "700.00", "0.5", date(2025, 7, 10)),
    _h(12, datetime(2025, 5, 6), "prospecting", "600.00", None, date(2025, 6, 27)),
    _h(13, datetime(2025, 6, 5), "proposal", "250.00", "0.6", date(2025, 6, 18)),
]
ORDERS = [
    dict(order_id=1, order_number="SO-1", account_id=1, opportunity_id=1, rep_id=1, unit_id=4, bu_id=1, product_id=1,
         order_date=date(2025, 5, 20), amount=D("1500.00"), currency="USD"),
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert the pipeline CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, ORG),
            (schema.business_unit, BUS),
            (schema.product, PRODUCTS),
            (schema.rep, REPS),
            (schema.project_grade, GRADES),
            (schema.account, ACCOUNTS),
            (schema.exchange_rate, RATES),
            (schema.opportunity, OPPORTUNITIES),
            (schema.opportunity_stage_history, HISTORY),
            (schema.sales_order, ORDERS),
        ],
    )
