"""A tiny SuiteCRM 7 on MariaDB, in SuiteCRM's own tables, for the suitecrm-7 preset.

The DDL is what SuiteCRM's installer creates on MySQL from the vardefs (see the preset's header for the files
and commits): the same names, types, lengths and defaults, and NOT NULL only where include/database/DBManager.php
puts it (id columns); of each table only the columns the preset reads and the NOT NULL ones. Timestamps are
UTC, as SuiteCRM stores them; the company's zone in the tests is Asia/Shanghai (UTC+8). The system currency
(-99) is USD; EUR's conversion_rate is 0.8 (0.8 EUR to the dollar), so 1 EUR = 1.25 USD.

    opportunity  stage                 amount    created (UTC)      closed (audit, UTC)   what
    opp-1        Closed Won            1000 USD  2025-04-02 00:00   2025-05-15 06:00      won in Q2 (from lead-2)
    opp-2        Closed Lost           2000 EUR  2025-04-05 00:00   2025-06-01 00:00      lost in Q2
    opp-3        Negotiation/Review     500 USD  2025-05-01 00:00                         open, 80 %
    opp-4        Closed Won             400 EUR  2025-06-01 00:00   2025-06-30 16:30      won 1 July 00:30 local: Q3
    opp-5        Closed Won             999 USD  2025-05-01 00:00                         deleted

Leads: lead-1 New (3 Apr), lead-2 Converted to opp-1 (1 Apr 00:00 UTC = 08:00 local, Q2), lead-3 Dead (20 Apr),
lead-4 deleted.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from tests.fixture_db import load_native

DDL = """
CREATE TABLE users (
    id char(36) NOT NULL PRIMARY KEY,
    user_name varchar(60),
    first_name varchar(30),
    last_name varchar(30),
    is_group tinyint(1),
    portal_only tinyint(1) DEFAULT '0',
    status varchar(100),
    date_entered datetime,
    date_modified datetime,
    deleted tinyint(1)
);
CREATE TABLE accounts (
    id char(36) NOT NULL PRIMARY KEY,
    name varchar(150),
    date_entered datetime,
    date_modified datetime,
    deleted tinyint(1) DEFAULT '0',
    assigned_user_id char(36),
    industry varchar(50),
    billing_address_city varchar(100)
);
CREATE TABLE opportunities (
    id char(36) NOT NULL PRIMARY KEY,
    name varchar(50),
    date_entered datetime,
    date_modified datetime,
    deleted tinyint(1) DEFAULT '0',
    assigned_user_id char(36),
    amount double,
    amount_usdollar double,
    currency_id char(36),
    date_closed date,
    sales_stage varchar(255),
    probability double
);
CREATE TABLE accounts_opportunities (
    id varchar(36) NOT NULL PRIMARY KEY,
    opportunity_id varchar(36),
    account_id varchar(36),
    date_modified datetime,
    deleted tinyint(1) DEFAULT '0'
);
CREATE TABLE opportunities_audit (
    id char(36) NOT NULL PRIMARY KEY,
    parent_id char(36) NOT NULL,
    date_created datetime,
    created_by varchar(36),
    field_name varchar(100),
    data_type varchar(100),
    before_value_string varchar(255),
    after_value_string varchar(255),
    before_value_text text,
    after_value_text text
);
CREATE TABLE leads (
    id char(36) NOT NULL PRIMARY KEY,
    date_entered datetime,
    date_modified datetime,
    deleted tinyint(1) DEFAULT '0',
    assigned_user_id char(36),
    first_name varchar(100),
    last_name varchar(100),
    status varchar(100),
    lead_source varchar(100),
    converted tinyint(1) DEFAULT '0',
    account_name varchar(255),
    account_id char(36),
    opportunity_id char(36)
);
CREATE TABLE currencies (
    id char(36) NOT NULL PRIMARY KEY,
    name varchar(36),
    symbol varchar(36),
    iso4217 varchar(3),
    conversion_rate double DEFAULT '0',
    status varchar(100),
    deleted tinyint(1),
    date_entered datetime,
    date_modified datetime,
    created_by char(36) NOT NULL
)
"""

ROWS: list[tuple[str, list[dict]]] = [
    (
        "users",
        [
            dict(id="1", user_name="admin", first_name=None, last_name="Administrator", is_group=0, status="Active", date_entered="2024-01-01 00:00:00", date_modified="2024-01-01 00:00:00", deleted=0),
            dict(id="seed_sally_id", user_name="sally", first_name="Sally", last_name="Bronsen", is_group=0, status="Active", date_entered="2024-01-01 00:00:00", date_modified="2024-01-01 00:00:00", deleted=0),
        ],
    ),
    (
        "accounts",
        [
            dict(id="acc-1", name="Acme Corp", date_entered="2024-02-01 00:00:00", date_modified="2024-02-01 00:00:00", deleted=0, assigned_user_id="seed_sally_id", industry="Manufacturing"),
            dict(id="acc-2", name="Blue Harbor", date_entered="2024-02-01 00:00:00", date_modified="2024-02-01 00:00:00", deleted=0, assigned_user_id="1"),
        ],
    ),
    (
        "currencies",
        [dict(id="eur-id", name="Euro", symbol="€", iso4217="EUR", conversion_rate=0.8, status="Active", deleted=0, date_entered="2024-01-01 00:00:00",
              date_modified="2024-01-01 00:00:00", created_by="1")],
    ),
    (
        "opportunities",
        [
            dict(id="opp-1", name="Acme rollout", date_entered="2025-04-02 00:00:00", date_modified="2025-05-15 06:00:00", deleted=0, assigned_user_id="seed_sally_id",
                 amount=1000.0, currency_id="-99", date_closed="2025-05-15", sales_stage="Closed Won", probability=100.0),
            dict(id="opp-2", name="Blue Harbor pilot", date_entered="2025-04-05 00:00:00", date_modified="2025-06-01 00:00:00", deleted=0, assigned_user_id="1",
                 amount=2000.0, currency_id="eur-id", date_closed="2025-06-01", sales_stage="Closed Lost", probability=0.0),
            dict(id="opp-3", name="Acme expansion", date_entered="2025-05-01 00:00:00", date_modified="2025-05-01 00:00:00", deleted=0, assigned_user_id="seed_sally_id",
                 amount=500.0, currency_id="-99", date_closed="2025-09-30", sales_stage="Negotiation/Review", probability=80.0),
            dict(id="opp-4", name="Blue Harbor phase 2", date_entered="2025-06-01 00:00:00", date_modified="2025-06-30 16:30:00", deleted=0, assigned_user_id="1",
                 amount=400.0, currency_id="eur-id", date_closed="2025-06-30", sales_stage="Closed Won", probability=100.0),
            dict(id="opp-5", name="Deleted deal", date_entered="2025-05-01 00:00:00", date_modified="2025-05-02 00:00:00", deleted=1, assigned_user_id="1",
                 amount=999.0, currency_id="-99", date_closed="2025-05-02", sales_stage="Closed Won", probability=100.0),
        ],
    ),
    (
        "accounts_opportunities",
        [
            dict(id=f"ao-{i}", opportunity_id=opp, account_id=acc, date_modified="2025-04-01 00:00:00", deleted=0)
            for i, (opp, acc) in enumerate([("opp-1", "acc-1"), ("opp-2", "acc-2"), ("opp-3", "acc-1"), ("opp-4", "acc-2"), ("opp-5", "acc-1")])
        ],
    ),
    (
        "opportunities_audit",
        [
            dict(id=f"au-{i}", parent_id=opp, date_created=at, field_name="sales_stage", data_type="enum", before_value_string=before, after_value_string=after)
            for i, (opp, at, before, after) in enumerate(
                [
                    ("opp-1", "2025-04-10 00:00:00", "Prospecting", "Proposal/Price Quote"),
                    ("opp-1", "2025-05-15 06:00:00", "Proposal/Price Quote", "Closed Won"),
                    ("opp-2", "2025-06-01 00:00:00", "Qualification", "Closed Lost"),
                    ("opp-4", "2025-06-30 16:30:00", "Prospecting", "Closed Won"),
                ]
            )
        ],
    ),
    (
        "leads",
        [
            dict(id="lead-1", date_entered="2025-04-03 00:00:00", date_modified="2025-04-03 00:00:00", deleted=0, first_name="Li", last_name="Wei", status="New", lead_source="Web Site", converted=0),
            dict(id="lead-2", date_entered="2025-04-01 00:00:00", date_modified="2025-04-02 00:00:00", deleted=0, assigned_user_id="seed_sally_id", first_name="Max", last_name="Muster", status="Converted",
                 lead_source="Trade Show", converted=1, account_name="Acme Corp", account_id="acc-1", opportunity_id="opp-1"),
            dict(id="lead-3", date_entered="2025-04-20 00:00:00", date_modified="2025-04-22 00:00:00", deleted=0, first_name="No", last_name="Body", status="Dead", lead_source="Cold Call", converted=0),
            dict(id="lead-4", date_entered="2025-04-21 00:00:00", date_modified="2025-04-23 00:00:00", deleted=1, status="New", converted=0),
        ],
    ),
]


def load(engine: Engine) -> None:
    """Create the SuiteCRM tables in ``engine`` (MariaDB) and insert the tiny SuiteCRM."""
    load_native(engine, DDL, ROWS)


def catalog(url: str) -> list[tuple[str, str]]:
    """Every table and view of the database, with its kind."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"))]
    engine.dispose()
    return found
