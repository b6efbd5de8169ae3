"""A tiny CRM for lead to cash, worked out by hand in tests/test_lead_to_cash.py.

tiny_crm's organisation (ALL → NORTH → N-OFF → N-T1, ALL → SOUTH → S-OFF → S-T1), business units (HW, SW)
and reps. Reporting currency USD; EUR converts at 1.10 until 2021-04-15 and 1.20 from then; GBP has no rate.

Calendar: fiscal year from February, weeks from Monday. The quarter is FY2022 Q1, Mon 1 Feb – Fri 30 Apr 2021
(89 days): W1 1–7 Feb, W2 8–14, W3 15–21, W4 22–28 Feb, W5 1–7 Mar, W6 8–14, W7 15–21, W8 22–28, W9 29 Mar – 4 Apr,
W10 5–11 Apr, W11 12–18, W12 19–25, W13 Mon 26 – Fri 30 Apr (5 days: the short last week). The as-of day is
Wed 28 Apr 2021, in W13. The previous quarter, FY2021 Q4 (Sun 1 Nov 2020 – Sun 31 Jan 2021, 92 days), has a
one-day W1 (1 Nov) and a 14-day W13 (18–31 Jan: 25–31 Jan, a 14th week, folded in); the next, FY2022 Q2, begins
with a two-day W1 (Sat 1 – Sun 2 May).

| order | unit  | amount          | booked         | shipped        | invoiced       | due    | paid           | promised |
|-------|-------|-----------------|----------------|----------------|----------------|--------|----------------|----------|
| o1    | N-OFF | 1000.00         | 1 Feb (W1)     | Sun 7 Feb (W1) | Mon 8 Feb (W2) | 10 Mar | 9 Mar (W6)     | 9 Feb    |
| o2    | N-T1  | 333.33 EUR = 366.66 (1.10 of 31 Mar) | 31 Mar (W9) | 14 Apr (W11) | 16 Apr (W11, rate 1.20 by then) | 1 May | 26 Apr (W13) | |
| o3    | N-OFF | none            | 2 Mar (W5)     | 5 Mar (W5)     | 5 Mar (W5)     | 4 Apr  | —              |          |
| o4    | N-OFF | 500.00          | 19 Apr (W12)   | —              | —              |        | —              | 1 May    |
| o5    | N-OFF | 200.00          | 20 Apr (W12)   | 29 Apr (after) | 30 Apr (after) | 1 May  | —              | 29 Apr   |
| o6    | N-OFF | −100.00 credit  | 10 Mar (W6)    | —              | 10 Mar (W6)    |        | 20 Mar (W7)    |          |
| o7    | S-OFF | 800.00          | 10 Feb (W2)    | 20 Feb (W3)    | 22 Feb (W4)    | 24 Mar | 28 Apr (as-of) |          |
| o8    | N-OFF | 300.00          | 25 Jan (prev Q)| 2 Feb (W1)     | 3 Feb (W1)     | 2 May  | —              |          |
| o9    | N-OFF | 150.00          | 27 Apr (W13)   | —              | —              |        | —              | 2 May    |
| o10   | N-OFF | 400.00          | 29 Apr (after) | —              | —              |        | —              | 1 May    |
| o11   | N-OFF | 100.00 GBP (no rate) | 15 Mar (W7) | 16 Mar (W7) | —              |        | —              |          |
| o12   | S-OFF | 250.00 SW       | 21 Apr (W12)   | —              | 22 Apr (W12)   | 1 May  | —              |          |
| o13   | N-OFF | 600.00          | 15 Feb (W3)    | 16 Feb (W3)    | 17 Feb (W3)    | 19 Mar | 30 Apr (after) |          |
| o14   | N-OFF | 75.00           | 1 Apr (W9)     | 2 Apr (W9)     | 5 Apr (W10)    | 28 Apr (= as-of) | —    |          |
| o15   | S-OFF | 90.00           | 1 Mar (W5)     | —              | 3 Mar (W5)     | 2 Apr  | —              |          |
| o16   | N-OFF | 120.00 SW       | Mon 3 May (after) | Tue 27 Apr (W13) | Tue 27 Apr (W13) | 27 May | 28 Apr (as-of) |       |

o16 is billed, shipped and paid in advance of its booking: as of 28 Apr it does not exist yet, so it counts nowhere
(not in W13's shipped, invoiced or collected, nor with −5 days from order to cash).

Open opportunities (for the projection): op1 N-OFF 1000.00 × 0.5 expected 30 Apr; op2 S-OFF 2000.00 × 0.25 expected
29 Apr; op3 N-OFF 700.00 × 0.5 expected 10 May (after the quarter). Revenue targets for the quarter: NORTH 4000.00,
SOUTH 2000.00 (TARGETS).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from data_layer.config import Calendar
from tests.fixture_db import load_crm
from tests.tiny_crm import BUS, ORG, PRODUCTS, REPS

D = Decimal

CALENDAR = Calendar(timezone="Asia/Shanghai", week_start=0, fiscal_year_start_month=2)
AS_OF = date(2021, 4, 28)

#: The account (and rep) behind each unit's orders.
ACCOUNT_OF = {4: 1, 6: 1, 5: 2}
ACCOUNTS = [
    dict(account_id=1, name="North buyer", segment="enterprise", source_channel="event", home_unit_id=4, owner_rep_id=1,
         created_at=datetime(2020, 1, 1)),
    dict(account_id=2, name="South buyer", segment="smb", source_channel="website", home_unit_id=5, owner_rep_id=2,
         created_at=datetime(2020, 1, 1)),
]
RATES = [
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2020, 1, 1), valid_to=date(2021, 4, 15), rate=D("1.10")),
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2021, 4, 15), valid_to=None, rate=D("1.20")),
]


def _order(
    i: int,
    unit: int,
    amount: str | None,
    booked: date,
    *,
    currency: str = "USD",
    shipped: date | None = None,
    invoiced: date | None = None,
    due: date | None = None,
    paid: date | None = None,
    promised: date | None = None,
    bu: int = 1,
) -> dict:
    return dict(
        order_id=i, order_number=f"SO-{i}", account_id=ACCOUNT_OF[unit], rep_id=ACCOUNT_OF[unit], unit_id=unit, bu_id=bu,
        product_id=bu, order_date=booked, amount=None if amount is None else D(amount), currency=currency,
        shipped_date=shipped, invoiced_date=invoiced, payment_due_date=due, cash_collected_date=paid,
        promised_delivery_date=promised,
    )


d = date
ORDERS = [
    _order(1, 4, "1000.00", d(2021, 2, 1), shipped=d(2021, 2, 7), invoiced=d(2021, 2, 8), due=d(2021, 3, 10), paid=d(2021, 3, 9),
           promised=d(2021, 2, 9)),
    _order(2, 6, "333.33", d(2021, 3, 31), currency="EUR", shipped=d(2021, 4, 14), invoiced=d(2021, 4, 16), due=d(2021, 5, 1),
           paid=d(2021, 4, 26), promised=d(2021, 4, 14)),
    _order(3, 4, None, d(2021, 3, 2), shipped=d(2021, 3, 5), invoiced=d(2021, 3, 5), due=d(2021, 4, 4)),
    _order(4, 4, "500.00", d(2021, 4, 19), promised=d(2021, 5, 1)),
    _order(5, 4, "200.00", d(2021, 4, 20), shipped=d(2021, 4, 29), invoiced=d(2021, 4, 30), due=d(2021, 5, 1),
           promised=d(2021, 4, 29)),
    _order(6, 4, "-100.00", d(2021, 3, 10), invoiced=d(2021, 3, 10), paid=d(2021, 3, 20)),
    _order(7, 5, "800.00", d(2021, 2, 10), shipped=d(2021, 2, 20), invoiced=d(2021, 2, 22), due=d(2021, 3, 24),
           paid=d(2021, 4, 28)),
    _order(8, 4, "300.00", d(2021, 1, 25), shipped=d(2021, 2, 2), invoiced=d(2021, 2, 3), due=d(2021, 5, 2)),
    _order(9, 4, "150.00", d(2021, 4, 27), promised=d(2021, 5, 2)),
    _order(10, 4, "400.00", d(2021, 4, 29), promised=d(2021, 5, 1)),
    _order(11, 4, "100.00", d(2021, 3, 15), currency="GBP", shipped=d(2021, 3, 16)),
    _order(12, 5, "250.00", d(2021, 4, 21), invoiced=d(2021, 4, 22), due=d(2021, 5, 1), bu=2),
    _order(13, 4, "600.00", d(2021, 2, 15), shipped=d(2021, 2, 16), invoiced=d(2021, 2, 17), due=d(2021, 3, 19),
           paid=d(2021, 4, 30)),
    _order(14, 4, "75.00", d(2021, 4, 1), shipped=d(2021, 4, 2), invoiced=d(2021, 4, 5), due=d(2021, 4, 28)),
    _order(15, 5, "90.00", d(2021, 3, 1), invoiced=d(2021, 3, 3), due=d(2021, 4, 2)),
    _order(16, 4, "120.00", d(2021, 5, 3), shipped=d(2021, 4, 27), invoiced=d(2021, 4, 27), due=d(2021, 5, 27),
           paid=d(2021, 4, 28), bu=2),
]


def _opportunity(i: int, unit: int, amount: str, probability: str, expected: date) -> dict:
    return dict(
        opportunity_id=i, name=f"op{i}", account_id=ACCOUNT_OF[unit], owner_rep_id=ACCOUNT_OF[unit], unit_id=unit, bu_id=1,
        product_id=1,
        created_at=datetime(2021, 3, 1), stage="proposal", amount=D(amount), currency="USD", probability=D(probability),
        expected_close_date=expected, status="open",
    )


OPPORTUNITIES = [
    _opportunity(1, 4, "1000.00", "0.5", d(2021, 4, 30)),
    _opportunity(2, 5, "2000.00", "0.25", d(2021, 4, 29)),
    _opportunity(3, 4, "700.00", "0.5", d(2021, 5, 10)),
]


#: Each open deal's stage history: one row as it was created, with the values it still has — so the projection, which
#: takes open deals as they stood at the end of the as-of day (metrics.stage_history), values it as the opportunity row does.
STAGE_HISTORY = [
    dict(opportunity_id=o["opportunity_id"], changed_at=o["created_at"], stage=o["stage"], amount=o["amount"],
         probability=o["probability"], expected_close_date=o["expected_close_date"])
    for o in OPPORTUNITIES
]

#: Revenue targets for FY2022 Q1: NORTH 4000.00 and SOUTH 2000.00; the company (ALL) has none of its own, so its target
#: rolls up from the two: 6000.00.
TARGETS = [
    dict(target_id=1, measure="revenue", period_kind="quarter", period_start=d(2021, 2, 1), period_end=d(2021, 4, 30),
         value=D("4000.00"), unit_id=2),
    dict(target_id=2, measure="revenue", period_kind="quarter", period_start=d(2021, 2, 1), period_end=d(2021, 4, 30),
         value=D("2000.00"), unit_id=3),
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert the lead-to-cash CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, ORG),
            (schema.business_unit, BUS),
            (schema.product, PRODUCTS),
            (schema.rep, REPS),
            (schema.account, ACCOUNTS),
            (schema.exchange_rate, RATES),
            (schema.opportunity, OPPORTUNITIES),
            (schema.opportunity_stage_history, STAGE_HISTORY),
            (schema.sales_order, ORDERS),
            (schema.target, TARGETS),
        ],
    )
