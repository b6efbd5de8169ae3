"""A tiny CRM for key accounts, worked out by hand in tests/test_key_accounts.py.

tiny_crm's organisation (ALL → NORTH → N-OFF → N-T1, ALL → SOUTH → S-OFF → S-T1), reps 1 "Ann North" and 2 "Bo South".
Company zone Asia/Shanghai (UTC+8), fiscal year = calendar year. The period is Q2 2025 (1 Apr – 30 Jun), as of Fri 20
Jun 2025: the reference day is 20 Jun (the as-of day, before the period's end), which ends at 2025-06-20 16:00 UTC. The
ranking reads orders dated 21 Jun 2024 – 20 Jun 2025; share of wallet reads 1 Jan – 20 Jun 2025 (FY2025 estimate)
against 1 Jan – 20 Jun 2024 (FY2024 estimate). All money USD.

Accounts (home unit and owner on the reference day and at the period's end):

| id | name      | home        | owner                           | 12-month revenue                  | rank |
|----|-----------|-------------|---------------------------------|-----------------------------------|------|
| 1  | Alpha     | N-OFF       | Ann North                       | 1000+1000+1000+1000+500 = 4500    | 1    |
| 2  | Beta      | S-OFF       | Bo South (no history: current)  | 1500+1500 = 3000                  | 2    |
| 3  | 长城贸易  | N-OFF (history; S-OFF from 15 Jul) | Ann North (history; now Bo) | 500+1000+1000−100 = 2400 | 3 |
| 4  | Delta     | S-OFF       | nobody (history row, no owner)  | 2000 (20 Jun 2024's 600 is outside) | 4  |
| 5  | Echo      | N-T1        | Ann North                       | 500                               | 5    |
| 6  | Foxtrot   | S-OFF       | Bo South                        | none (its one order is Jan 2024)  | —    |

Orders (amount; promised → shipped where it matters):

- Alpha: 20 Mar 2024 1000; 20 Sep 2024 1000; 20 Dec 2024 1000; 20 Mar 2025 1000 (promised 1 Apr, shipped 1 Apr: on the
  day); 10 Jun 2025 1000 (promised 15 Jun, shipped 14 Jun) and 500 the same day. Order dates 20 Mar, 20 Sep, 20 Dec,
  20 Mar, 10 Jun → gaps 184, 91, 90, 82 → usual interval 90.5; last order 10 Jun, 10 days → not at risk.
- Beta: 1 Dec 2024 1500 (promised 10 Dec, shipped 20 Dec: late, but not promised in the period); 1 May 2025 1500
  (promised 1 May, shipped 3 May: **late**); 15 Jun 2025 no amount (promised 20 Jun = the as-of day, not shipped: not
  late yet). Gap 151; 50 days since → not at risk. Late deliveries 1.
- 长城贸易: 1 Jul 2024 500; 1 Aug 2024 1000; 1 Sep 2024 1000 (promised 30 Apr 2025, not shipped: **late**); credit note
  1 May 2025 −100 (promised 5 May, not shipped: a credit note, not a delivery). Gaps 31, 31 → 31; 292 days since →
  **at risk**. Late deliveries 1.
- Delta: 1 Feb 2024 2400; 20 Jun 2024 600; 1 Feb 2025 2000. Gaps 140, 226 → 183; 139 days since → not at risk.
- Echo: 1 May 2025 500: a single order date, no usual interval, never at risk.
- Foxtrot: 10 Jan 2024 300.

Wallet estimates: Alpha FY2024 10000, FY2025 10000 → share 0.10 → 2500 ÷ 10000 = 0.25 (+0.15); Delta FY2024 10000,
FY2025 10000 → 3000 ÷ 10000 = 0.30 → 2000 ÷ 10000 = 0.20 (−0.10: **share falling**); Echo FY2025 0 (not usable): none.

Tickets (UTC): Beta — complaint 10 May 2025 open (**open**); complaint 1 Mar 2025 resolved 5 Mar (closed); complaint
1 Jun 2025 resolved 20 Jun 17:00 UTC, after the reference day ended (**open** at its end); request 2 Jun open (not a
complaint); complaint 20 Jun 16:30 UTC = 21 Jun local (not yet opened). Open complaints: Beta 2.

Activities (UTC → local day → days to 20 Jun): Alpha 20 Apr 17:00 → 21 Apr → 60 (not more than 60: fine; in UTC it
would be 61) and 20 Jun 16:30 (after the reference day: not yet); Beta 19 Jun 03:00 → 1; Delta 18 Jun 20:00 → 19 Jun
→ 1; Echo 20 Apr 02:00 → 20 Apr → **61**; 长城贸易 none (**never**).

Needs attention: 长城贸易 late, no contact, at risk (3); Beta complaint, late (2); Delta share falling (1); Echo no
contact (1); Alpha none. Order: 长城贸易, Beta, Delta, Echo, Alpha. Top 3 (Alpha, Beta, 长城贸易): 长城贸易, Beta, Alpha.
NORTH's head sees Alpha, 长城贸易, Echo (ranks 1–3): 长城贸易, Echo, Alpha.
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
d, dt = date, datetime
CALENDAR = Calendar(timezone="Asia/Shanghai")
AS_OF = date(2025, 6, 20)


def _account(i: int, name: str, home: int, owner: int) -> dict:
    return dict(account_id=i, name=name, segment="enterprise", source_channel="event", home_unit_id=home, owner_rep_id=owner,
                created_at=datetime(2024, 1, 1))


ACCOUNTS = [
    _account(1, "Alpha", 4, 1),
    _account(2, "Beta", 5, 2),
    _account(3, "长城贸易", 5, 2),
    _account(4, "Delta", 5, 2),
    _account(5, "Echo", 6, 1),
    _account(6, "Foxtrot", 5, 2),
]
HISTORY = [
    dict(account_id=1, owner_rep_id=1, home_unit_id=4, valid_from=d(2024, 1, 1), valid_to=None),
    dict(account_id=3, owner_rep_id=1, home_unit_id=4, valid_from=d(2024, 1, 1), valid_to=d(2025, 7, 15)),
    dict(account_id=3, owner_rep_id=2, home_unit_id=5, valid_from=d(2025, 7, 15), valid_to=None),
    dict(account_id=4, owner_rep_id=None, home_unit_id=5, valid_from=d(2024, 1, 1), valid_to=None),
]

_ids = iter(range(1, 100))


def _order(account: int, booked: date, amount: str | None, promised: date | None = None, shipped: date | None = None) -> dict:
    i = next(_ids)
    return dict(order_id=i, order_number=f"SO-{i}", account_id=account, rep_id=1, unit_id=4, bu_id=1, product_id=1,
                order_date=booked, amount=None if amount is None else D(amount), currency="USD",
                promised_delivery_date=promised, shipped_date=shipped)


ORDERS = [
    _order(1, d(2024, 3, 20), "1000.00"),
    _order(1, d(2024, 9, 20), "1000.00"),
    _order(1, d(2024, 12, 20), "1000.00"),
    _order(1, d(2025, 3, 20), "1000.00", d(2025, 4, 1), d(2025, 4, 1)),
    _order(1, d(2025, 6, 10), "1000.00", d(2025, 6, 15), d(2025, 6, 14)),
    _order(1, d(2025, 6, 10), "500.00"),
    _order(2, d(2024, 12, 1), "1500.00", d(2024, 12, 10), d(2024, 12, 20)),
    _order(2, d(2025, 5, 1), "1500.00", d(2025, 5, 1), d(2025, 5, 3)),
    _order(2, d(2025, 6, 15), None, d(2025, 6, 20)),
    _order(3, d(2024, 7, 1), "500.00"),
    _order(3, d(2024, 8, 1), "1000.00"),
    _order(3, d(2024, 9, 1), "1000.00", d(2025, 4, 30)),
    _order(3, d(2025, 5, 1), "-100.00", d(2025, 5, 5)),
    _order(4, d(2024, 2, 1), "2400.00"),
    _order(4, d(2024, 6, 20), "600.00"),
    _order(4, d(2025, 2, 1), "2000.00"),
    _order(5, d(2025, 5, 1), "500.00"),
    _order(6, d(2024, 1, 10), "300.00"),
]

WALLETS = [
    dict(account_id=a, fiscal_year=y, amount=D(amount), currency="USD")
    for a, y, amount in [(1, 2024, "10000"), (1, 2025, "10000"), (4, 2024, "10000"), (4, 2025, "10000"), (5, 2025, "0")]
]


def _ticket(i: int, kind: str, opened: datetime, resolved: datetime | None = None) -> dict:
    return dict(ticket_id=i, account_id=2, order_id=None, product_id=1, kind=kind, opened_at=opened, resolved_at=resolved,
                subject=f"t{i} {kind}")


TICKETS = [
    _ticket(1, "complaint", dt(2025, 5, 10)),
    _ticket(2, "complaint", dt(2025, 3, 1), dt(2025, 3, 5)),
    _ticket(3, "complaint", dt(2025, 6, 1), dt(2025, 6, 20, 17)),
    _ticket(4, "request", dt(2025, 6, 2)),
    _ticket(5, "complaint", dt(2025, 6, 20, 16, 30)),
]

ACTIVITIES = [
    dict(activity_id=i, account_id=a, rep_id=1, kind="call", occurred_at=at)
    for i, (a, at) in enumerate(
        [(1, dt(2025, 4, 20, 17)), (1, dt(2025, 6, 20, 16, 30)), (2, dt(2025, 6, 19, 3)), (4, dt(2025, 6, 18, 20)), (5, dt(2025, 4, 20, 2))],
        start=1,
    )
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert the key-accounts CRM."""
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
            (schema.wallet_estimate, WALLETS),
            (schema.service_ticket, TICKETS),
            (schema.activity, ACTIVITIES),
        ],
    )
