"""A tiny CRM whose every metric is worked out by hand in the tests.

Company zone Asia/Shanghai (UTC+8, no daylight saving). Organisation:

    ALL (cluster)
    ├── NORTH (region) ── N-OFF (office) ── N-T1 (team)
    └── SOUTH (region) ── S-OFF (office) ── S-T1 (team)

Business units HW (hardware) and SW (software). Reporting currency USD; EUR converts at
1.10 until 2025-07-01 and 1.20 from then; GBP has no rate.
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
    dict(unit_id=6, code="N-T1", name="North team", level="team", parent_id=4),
    dict(unit_id=7, code="S-T1", name="South team", level="team", parent_id=5),
]
BUS = [
    dict(bu_id=1, code="HW", name="Hardware", kind="product"),
    dict(bu_id=2, code="SW", name="Software", kind="product"),
]
PRODUCTS = [
    dict(product_id=1, code="HW-1", name="Router", bu_id=1),
    dict(product_id=2, code="SW-1", name="Suite", bu_id=2),
]
REPS = [
    dict(rep_id=1, code="E1", name="Ann North", hire_date=date(2020, 1, 1)),
    dict(rep_id=2, code="E2", name="Bo South", hire_date=date(2020, 1, 1)),
]
ACCOUNTS = [
    dict(account_id=1, name="Acme", segment="enterprise", source_channel="event", home_unit_id=4, owner_rep_id=1, created_at=datetime(2023, 1, 1)),
    dict(account_id=2, name="Beta <script>alert(1)</script>", segment="smb", source_channel="website", home_unit_id=5, owner_rep_id=2, created_at=datetime(2023, 1, 1)),
    dict(account_id=3, name="长城贸易", segment="smb", source_channel="event", home_unit_id=4, owner_rep_id=1, created_at=datetime(2023, 1, 1)),
]
RATES = [
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2024, 1, 1), valid_to=date(2025, 7, 1), rate=D("1.10")),
    dict(from_currency="EUR", to_currency="USD", valid_from=date(2025, 7, 1), valid_to=None, rate=D("1.20")),
]
# Timestamps are UTC: 2025-03-31 17:00 UTC is 1 April 01:00 in Shanghai (Q2);
# 2025-06-30 16:30 UTC is 1 July 00:30 in Shanghai (Q3).
LEADS = [
    dict(lead_id=1, unit_id=4, source_channel="event", created_at=datetime(2025, 3, 31, 17, 0), status="new"),  # Q2, NORTH
    dict(lead_id=2, unit_id=4, source_channel="website", created_at=datetime(2025, 3, 31, 15, 59), status="new"),  # Q1 (23:59 local)
    dict(lead_id=3, unit_id=5, source_channel="event", created_at=datetime(2025, 5, 10, 3, 0), status="new"),  # Q2, SOUTH
    dict(lead_id=4, unit_id=5, source_channel="event", created_at=datetime(2025, 6, 30, 16, 30), status="new"),  # Q3
    dict(lead_id=5, unit_id=6, source_channel="phone", created_at=datetime(2024, 5, 1, 0, 0), status="new"),  # Q2 2024, NORTH (team)
]


def _opp(i: int, unit: int, bu: int, account: int, created: datetime, status: str, closed: datetime | None, amount: str = "100.00") -> dict:
    return dict(
        opportunity_id=i, account_id=account, owner_rep_id=1 if unit in (4, 6) else 2, unit_id=unit, bu_id=bu, product_id=bu,
        created_at=created, stage=status if status != "open" else "proposal", amount=D(amount), currency="USD", status=status,
        closed_at=closed, probability=D("0.5"),
    )


OPPORTUNITIES = [
    _opp(1, 4, 1, 1, datetime(2025, 4, 2), "won", datetime(2025, 4, 2, 6, 0)),  # opened and won the same day, Q2
    _opp(2, 4, 2, 1, datetime(2025, 4, 5), "lost", datetime(2025, 5, 1)),  # lost in Q2
    _opp(3, 5, 1, 2, datetime(2025, 1, 5), "won", datetime(2025, 6, 30, 15, 0)),  # won 30 Jun 23:00 local: Q2
    _opp(4, 5, 2, 2, datetime(2025, 5, 5), "won", datetime(2025, 6, 30, 16, 0)),  # won 1 Jul 00:00 local: Q3
    _opp(5, 4, 1, 3, datetime(2025, 6, 1), "open", None),
    _opp(6, 5, 2, 2, datetime(2024, 4, 10), "lost", datetime(2024, 5, 10)),  # Q2 2024
]
ORDERS = [
    # Q2 2025
    dict(order_id=1, order_number="SO-1", account_id=1, rep_id=1, unit_id=4, bu_id=1, product_id=1, order_date=date(2025, 4, 1), amount=D("1000.00"), currency="USD"),
    dict(order_id=2, order_number="SO-2", account_id=1, rep_id=2, unit_id=5, bu_id=2, product_id=2, order_date=date(2025, 6, 30), amount=D("200.00"), currency="EUR"),  # Acme buys in SOUTH too: 220.00 USD
    dict(order_id=3, order_number="SO-3", account_id=2, rep_id=2, unit_id=5, bu_id=1, product_id=1, order_date=date(2025, 5, 15), amount=None, currency="USD"),  # no amount
    dict(order_id=4, order_number="SO-4", account_id=3, rep_id=1, unit_id=6, bu_id=2, product_id=2, order_date=date(2025, 5, 20), amount=D("0.10"), currency="USD"),
    dict(order_id=5, order_number="SO-5", account_id=3, rep_id=1, unit_id=4, bu_id=1, product_id=1, order_date=date(2025, 5, 21), amount=D("50.00"), currency="GBP"),  # no GBP rate
    # Q3 2025 (EUR now 1.20)
    dict(order_id=6, order_number="SO-6", account_id=2, rep_id=2, unit_id=5, bu_id=2, product_id=2, order_date=date(2025, 7, 1), amount=D("100.00"), currency="EUR"),
    # Q1 2025
    dict(order_id=7, order_number="SO-7", account_id=2, rep_id=2, unit_id=5, bu_id=2, product_id=2, order_date=date(2025, 3, 31), amount=D("300.00"), currency="USD"),
    # Q2 2024
    dict(order_id=8, order_number="SO-8", account_id=1, rep_id=1, unit_id=4, bu_id=1, product_id=1, order_date=date(2024, 6, 15), amount=D("400.00"), currency="USD"),
    dict(order_id=9, order_number="SO-9", account_id=1, rep_id=1, unit_id=4, bu_id=1, product_id=1, order_date=date(2024, 6, 16), amount=D("-40.00"), currency="USD"),  # a credit note
]


def load(engine: Engine) -> None:
    """Create the canonical schema in ``engine`` and insert the tiny CRM."""
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
            (schema.lead, LEADS),
            (schema.sales_order, ORDERS),
        ],
    )
