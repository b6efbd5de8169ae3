"""A tiny CRM for service and delivery, worked out by hand in tests/test_service.py.

tiny_crm's organisation (ALL → NORTH → N-OFF → N-T1, ALL → SOUTH → S-OFF → S-T1), business units HW and SW, products
HW-1 (HW) and SW-1 (SW). Company zone Asia/Shanghai (UTC+8). The period is Q2 2025 (1 Apr – 30 Jun, local), as of
Fri 20 Jun 2025: the as-of day ends at 2025-06-20 16:00 UTC.

Accounts: A1 "North buyer" homed in N-OFF; A2 "South buyer" in S-OFF; A3 "长城贸易" in N-OFF until 14 Jun 2025 and in
S-OFF from 15 Jun (account_history), so at Q2's end (30 Jun) it is SOUTH's, and at 14 Jun's end NORTH's.

Orders (o5 is a credit note: not an order; o8 is booked after the as-of day):

| order | unit  | bu | account | booked | amount | shipped          | promised | on time?                |
|-------|-------|----|---------|--------|--------|------------------|----------|-------------------------|
| o1    | N-OFF | HW | A1      | 5 Apr  | 1000   | 10 Apr           | 12 Apr   | yes                     |
| o2    | N-T1  | SW | A1      | 10 Apr | 500    | 20 Apr           | 15 Apr   | late                    |
| o3    | S-OFF | HW | A2      | 1 May  | 300    | 5 May            | 5 May    | yes (on the day)        |
| o4    | S-OFF | SW | A2      | 2 May  | 200    | 10 May           | —        | no promised date: left out |
| o5    | N-OFF | HW | A1      | 1 Jun  | −50    | —                | —        | credit note             |
| o6    | N-OFF | HW | A1      | 15 Jun | 400    | 25 Jun (after)   | 22 Jun   | not shipped yet         |
| o7    | N-OFF | HW | A1      | 10 Mar (Q1) | 100 | 2 Apr          | 1 Apr    | late (shipped in Q2)    |
| o8    | S-OFF | HW | A2      | 25 Jun (after) | 80 | —            | —        |                         |
| o9    | S-OFF | HW | A2      | 20 Jun (as-of) | none | —           | —        |                         |
| o10   | N-OFF | HW | A1      | 10 May 2024 | 100  | 12 May 2024     | 15 May 2024 | yes (Q2 2024, a year earlier) |
| o11   | N-OFF | HW | A1      | 20 Dec 2024 | 100  | 5 Jan (Q1)      | 10 Jan   | yes (shipped in Q1)     |

Orders booked in Q2 by the as-of day: o1, o2, o3, o4, o6, o9 = 6 (NORTH 3, SOUTH 3; HW 4, SW 2; Apr 2, May 2, Jun 2).
Shipped in Q2 by the as-of day: o7 late, o1 on time, o2 late, o3 on time, o4 no promised date → on-time 2 ÷ 4, one left
out (NORTH 1 ÷ 3; SOUTH 1 ÷ 1, one left out).

Tickets (times UTC; + h = hours after opening; "after" = after the as-of day ended, so not yet happened):

| ticket | account | order | product | kind      | opened (UTC)       | local day | first response | resolved | rating | unit (why)            | bu |
|--------|---------|-------|---------|-----------|--------------------|-----------|----------------|----------|--------|-----------------------|----|
| t1     | A1      | o1    | HW-1    | complaint | 11 Apr 02:00       | 11 Apr    | + 2 h          | + 10 h   | 5      | N-OFF (o1)            | HW |
| t2     | A1      | o2    | SW-1    | complaint | 21 Apr 00:00       | 21 Apr    | + 6 h          | + 30 h   | 2      | N-T1 (o2)             | SW |
| t3     | A1      | —     | SW-1    | request   | 1 May 00:00        | 1 May     | + 1 h          | + 4 h    | 4      | N-OFF (A1's home)     | SW (product) |
| t4     | A2      | o3    | HW-1    | request   | 6 May 00:00        | 6 May     | + 4 h          | —        | —      | S-OFF (o3)            | HW |
| t5     | A2      | o4    | SW-1    | complaint | 11 May 00:00       | 11 May    | —              | —        | —      | S-OFF (o4)            | SW |
| t6     | A3      | —     | —       | complaint | 2 Jun 00:00        | 2 Jun     | − 1 h (error)  | + 8 h    | 3      | A3's home at the period's end: S-OFF for Q2 | none |
| t7     | A1      | o1    | HW-1    | request   | 31 Mar 15:59       | 31 Mar (Q1) | + 1 h        | + 2 h    | 1      | N-OFF                 | HW |
| t8     | A1      | o6    | HW-1    | complaint | 20 Jun 15:00       | 20 Jun 23:00 | 20 Jun 17:00 (after) | — | —   | N-OFF (o6)            | HW |
| t9     | A2      | o3    | HW-1    | complaint | 20 Jun 16:30       | 21 Jun (after) | —         | —        | —      | S-OFF                 | HW |
| t10    | A1      | o2    | SW-1    | request   | 15 Apr 00:00       | 15 Apr    | + 3 h          | + 20 h   | 7 (out of range) | N-T1 (o2)   | SW |
| t11    | A1      | o7    | HW-1    | complaint | 10 Feb 00:00       | 10 Feb (Q1) | + 5 h        | —        | —      | N-OFF (o7)            | HW |
| t13    | A1      | o10   | HW-1    | complaint | 2024-05-13 00:00   | 13 May 2024 | + 2 h        | + 5 h    | 4      | N-OFF (o10)           | HW |
| t12    | A3      | —     | —       | complaint | 2024-12-20 16:00   | 21 Dec 2024 | —            | —        | —      | A3's home: N-OFF at Q1's end, S-OFF on the as-of day | none |

Q2 to the as-of day counts t1, t2, t3, t4, t5, t6, t8 and t10 (t7 and t11 are Q1's, t9 opens after the as-of day):

- complaints t1, t2, t5, t6, t8 = 5 ÷ 6 orders (NORTH t1 t2 t8 = 3 ÷ 3; SOUTH t5 t6 = 2 ÷ 3; HW t1 t8 = 2 ÷ 4, SW t2 t5
  = 2 ÷ 2, and t6, with no business unit, 1 ÷ 0; by month 2 ÷ 2, 1 ÷ 2, 2 ÷ 2);
- first response: 1, 2, 3, 4, 6 h (t3, t1, t10, t4, t2) → median 3, p90 4 + 0.6 × 2 = 5.2; unanswered t5, t8 (its answer
  comes after the as-of day) = 2; answered before opened t6 = 1. NORTH 1, 2, 3, 6 → median 2.5, p90 3 + 0.7 × 3 = 5.1,
  1 unanswered; SOUTH 4 → 4, 1 unanswered, 1 before opened;
- resolution: 4, 8, 10, 20, 30 h (t3, t6, t1, t10, t2) → median 10, p90 20 + 0.6 × 10 = 26; unresolved t4, t5, t8 = 3.
  NORTH 4, 10, 20, 30 → median 15, p90 20 + 0.7 × 10 = 27, 1 unresolved; SOUTH 8 → 8, 2 unresolved;
- ratings 5, 2, 4, 3 (t10's 7 is out of range; t4, t5, t8 unrated) → mean 3.5, rated 4–5: 2 ÷ 4. NORTH 5, 2, 4 → mean
  11 ÷ 3, 2 ÷ 3; SOUTH 3 → 3.0, 0 ÷ 1.

Open complaints at the end of the as-of day, open longest first: t12 (Dec 2024; A3's, so S-OFF's on the as-of day
whatever the period), t11 (Q1; answered), t5 (unanswered), t8 (answered only after the as-of day): 4368, 3136, 976 and 1
hours open.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from data_layer import schema
from data_layer.config import Calendar
from tests.fixture_db import load_crm
from tests.tiny_crm import BUS, ORG, PRODUCTS, REPS

D = Decimal
CALENDAR = Calendar(timezone="Asia/Shanghai")
AS_OF = date(2025, 6, 20)

ACCOUNTS = [
    dict(account_id=1, name="North buyer", segment="enterprise", source_channel="event", home_unit_id=4, owner_rep_id=1,
         created_at=datetime(2024, 1, 1)),
    dict(account_id=2, name="South buyer", segment="smb", source_channel="website", home_unit_id=5, owner_rep_id=2,
         created_at=datetime(2024, 1, 1)),
    dict(account_id=3, name="长城贸易", segment="smb", source_channel="event", home_unit_id=5, owner_rep_id=2,
         created_at=datetime(2024, 1, 1)),
]
HISTORY = [
    dict(account_id=1, owner_rep_id=1, home_unit_id=4, valid_from=date(2024, 1, 1), valid_to=None),
    dict(account_id=2, owner_rep_id=2, home_unit_id=5, valid_from=date(2024, 1, 1), valid_to=None),
    dict(account_id=3, owner_rep_id=1, home_unit_id=4, valid_from=date(2024, 1, 1), valid_to=date(2025, 6, 15)),
    dict(account_id=3, owner_rep_id=2, home_unit_id=5, valid_from=date(2025, 6, 15), valid_to=None),
]

d = date


def _order(i: int, unit: int, bu: int, account: int, booked: date, amount: str | None, shipped: date | None = None,
           promised: date | None = None) -> dict:
    return dict(order_id=i, order_number=f"SO-{i}", account_id=account, rep_id=1 if unit in (4, 6) else 2, unit_id=unit, bu_id=bu,
                product_id=bu, order_date=booked, amount=None if amount is None else D(amount), currency="USD",
                shipped_date=shipped, promised_delivery_date=promised)


ORDERS = [
    _order(1, 4, 1, 1, d(2025, 4, 5), "1000.00", d(2025, 4, 10), d(2025, 4, 12)),
    _order(2, 6, 2, 1, d(2025, 4, 10), "500.00", d(2025, 4, 20), d(2025, 4, 15)),
    _order(3, 5, 1, 2, d(2025, 5, 1), "300.00", d(2025, 5, 5), d(2025, 5, 5)),
    _order(4, 5, 2, 2, d(2025, 5, 2), "200.00", d(2025, 5, 10)),
    _order(5, 4, 1, 1, d(2025, 6, 1), "-50.00"),
    _order(6, 4, 1, 1, d(2025, 6, 15), "400.00", d(2025, 6, 25), d(2025, 6, 22)),
    _order(7, 4, 1, 1, d(2025, 3, 10), "100.00", d(2025, 4, 2), d(2025, 4, 1)),
    _order(8, 5, 1, 2, d(2025, 6, 25), "80.00"),
    _order(9, 5, 1, 2, d(2025, 6, 20), None),
    _order(10, 4, 1, 1, d(2024, 5, 10), "100.00", d(2024, 5, 12), d(2024, 5, 15)),
    _order(11, 4, 1, 1, d(2024, 12, 20), "100.00", d(2025, 1, 5), d(2025, 1, 10)),
]

H = timedelta(hours=1)


def _ticket(i: int, account: int, order: int | None, product: int | None, kind: str, opened: datetime,
            response: datetime | timedelta | None = None, resolved: timedelta | None = None, rating: int | None = None) -> dict:
    return dict(
        ticket_id=i, account_id=account, order_id=order, product_id=product, kind=kind, opened_at=opened,
        first_response_at=opened + response if isinstance(response, timedelta) else response,
        resolved_at=None if resolved is None else opened + resolved, satisfaction=rating, subject=f"t{i} {kind}",
    )


dt = datetime
TICKETS = [
    _ticket(1, 1, 1, 1, "complaint", dt(2025, 4, 11, 2), 2 * H, 10 * H, 5),
    _ticket(2, 1, 2, 2, "complaint", dt(2025, 4, 21), 6 * H, 30 * H, 2),
    _ticket(3, 1, None, 2, "request", dt(2025, 5, 1), 1 * H, 4 * H, 4),
    _ticket(4, 2, 3, 1, "request", dt(2025, 5, 6), 4 * H),
    _ticket(5, 2, 4, 2, "complaint", dt(2025, 5, 11)),
    _ticket(6, 3, None, None, "complaint", dt(2025, 6, 2), -1 * H, 8 * H, 3),
    _ticket(7, 1, 1, 1, "request", dt(2025, 3, 31, 15, 59), 1 * H, 2 * H, 1),
    _ticket(8, 1, 6, 1, "complaint", dt(2025, 6, 20, 15), dt(2025, 6, 20, 17)),
    _ticket(9, 2, 3, 1, "complaint", dt(2025, 6, 20, 16, 30)),
    _ticket(10, 1, 2, 2, "request", dt(2025, 4, 15), 3 * H, 20 * H, 7),
    _ticket(11, 1, 7, 1, "complaint", dt(2025, 2, 10), 5 * H),
    _ticket(12, 3, None, None, "complaint", dt(2024, 12, 20, 16)),
    _ticket(13, 1, 10, 1, "complaint", dt(2024, 5, 13), 2 * H, 5 * H, 4),
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert the service CRM."""
    load_crm(
        engine,
        [
            (schema.org_unit, ORG),
            (schema.business_unit, BUS),
            (schema.product, PRODUCTS),
            (schema.rep, REPS),
            (schema.account, ACCOUNTS),
            (schema.account_history, HISTORY),
            (schema.sales_order, ORDERS),
            (schema.service_ticket, TICKETS),
        ],
    )
