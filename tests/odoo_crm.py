"""A tiny Odoo 17.0 CRM on PostgreSQL, in Odoo's own tables, for the odoo-17 preset.

The DDL keeps Odoo's table names, column names and the column types its ORM gives each field (see the
preset's header for the model files they come from); of each table only the columns the preset reads and
the ones Odoo makes NOT NULL. Timestamps are UTC, as Odoo stores them; the company's zone in the tests
is Asia/Shanghai (UTC+8). The company's currency is EUR; 1 EUR = 1.25 USD all year, so 1 USD = 0.80 EUR.

Stages: New, Qualified, Proposition (translated: {"en_US": "Proposition", "de_DE": "Angebot"}), Won.

    id type         team stage        active prob  created (UTC)      closed (UTC)          what
    1  lead         1    New          yes    10    2025-04-03 02:00                         open lead
    2  lead         2    New          no     0     2025-04-10 00:00                         lost lead, archived
    3  opportunity  1    Won          yes    100   2025-04-05 01:00   2025-05-20 09:00      won in Q2 (converted 04-12)
    4  opportunity  2    Proposition  no     0     2025-04-15 00:00   2025-06-10 03:00      lost in Q2
    5  opportunity  1    Qualified    yes    30    2025-05-02 00:00                         open, 5,000 EUR
    6  opportunity  2    Won          yes    100   2025-06-01 00:00   2025-06-30 17:00      won 1 July 01:00 local: Q3
    7  opportunity  1    Won          yes    100   2025-04-20 00:00   2025-06-30 15:00      won 30 June 23:00 local: Q2

Confirmed sale orders (untaxed): 1,000.00 EUR on 2025-05-21 (opportunity 3); 800.00 USD = 640.00 EUR on
2025-06-15 (opportunity 7); 500.00 USD at 2025-06-30 16:30 UTC, which is 1 July in Shanghai (Q3). A
quotation (draft) and a cancelled order are not revenue. The first order is locked (Odoo 17.0 keeps
locked orders in state sale, where 16.0 had 'done').
"""

from __future__ import annotations

import json

from sqlalchemy import Engine, create_engine, text

from tests.fixture_db import load_native

DDL = """
CREATE TABLE res_currency (
    id serial PRIMARY KEY,
    name varchar(3) NOT NULL,
    symbol varchar NOT NULL,
    active boolean
);
CREATE TABLE res_partner (
    id serial PRIMARY KEY,
    name varchar,
    parent_id int4,
    commercial_partner_id int4,
    is_company boolean,
    active boolean,
    email varchar,
    city varchar,
    user_id int4,
    team_id int4,
    company_id int4,
    create_date timestamp without time zone,
    write_date timestamp without time zone DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE res_company (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    partner_id int4 NOT NULL,
    currency_id int4 NOT NULL,
    sequence int4
);
CREATE TABLE res_currency_rate (
    id serial PRIMARY KEY,
    name date NOT NULL,
    rate numeric,
    currency_id int4 NOT NULL,
    company_id int4
);
CREATE TABLE res_users (
    id serial PRIMARY KEY,
    login varchar NOT NULL,
    partner_id int4 NOT NULL,
    company_id int4 NOT NULL,
    active boolean,
    share boolean,
    notification_type varchar NOT NULL,
    create_date timestamp without time zone,
    write_date timestamp without time zone DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE crm_team (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,
    sequence int4,
    active boolean,
    company_id int4,
    user_id int4,
    write_date timestamp without time zone DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE crm_stage (
    id serial PRIMARY KEY,
    name jsonb NOT NULL,
    sequence int4,
    is_won boolean,
    fold boolean,
    team_id int4
);
CREATE TABLE crm_lead (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    user_id int4,
    team_id int4,
    company_id int4,
    active boolean,
    type varchar NOT NULL,
    priority varchar,
    stage_id int4,
    expected_revenue numeric,
    probability double precision,
    date_closed timestamp without time zone,
    date_open timestamp without time zone,
    date_conversion timestamp without time zone,
    date_deadline date,
    partner_id int4,
    contact_name varchar,
    partner_name varchar,
    lost_reason_id int4,
    create_date timestamp without time zone,
    write_date timestamp without time zone DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE sale_order (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    company_id int4 NOT NULL,
    partner_id int4 NOT NULL,
    partner_invoice_id int4 NOT NULL,
    partner_shipping_id int4 NOT NULL,
    state varchar,
    locked boolean,
    date_order timestamp without time zone NOT NULL,
    currency_id int4,
    user_id int4,
    team_id int4,
    amount_untaxed numeric,
    amount_total numeric,
    opportunity_id int4,
    create_date timestamp without time zone,
    write_date timestamp without time zone DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE TABLE ir_model_fields (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    model varchar NOT NULL,
    model_id int4 NOT NULL,
    field_description jsonb NOT NULL,
    ttype varchar NOT NULL,
    state varchar NOT NULL
);
CREATE TABLE mail_message (
    id serial PRIMARY KEY,
    model varchar,
    res_id int4,
    date timestamp without time zone,
    message_type varchar NOT NULL,
    body text
);
CREATE TABLE mail_tracking_value (
    id serial PRIMARY KEY,
    field_id int4,
    old_value_integer int4,
    new_value_integer int4,
    old_value_char varchar,
    new_value_char varchar,
    mail_message_id int4 NOT NULL
)
"""


def _name(en: str, **others: str) -> str:
    return json.dumps({"en_US": en, **others}, ensure_ascii=False)


ROWS: list[tuple[str, list[dict]]] = [
    ("res_currency", [dict(id=1, name="EUR", symbol="€", active=True), dict(id=2, name="USD", symbol="$", active=True)]),
    (
        "res_partner",
        [
            dict(id=1, name="Granary Test GmbH", commercial_partner_id=1, is_company=True, active=True, create_date="2024-01-01 00:00"),
            dict(id=10, name="Acme GmbH", commercial_partner_id=10, is_company=True, active=True, user_id=2, team_id=1, city="Berlin", create_date="2024-02-01 00:00"),
            dict(id=11, name="Blue Harbor", commercial_partner_id=11, is_company=True, active=True, user_id=3, team_id=2, create_date="2024-02-01 00:00"),
            dict(id=12, name="长城贸易", commercial_partner_id=12, is_company=True, active=True, user_id=2, team_id=1, create_date="2024-02-01 00:00"),
            dict(id=13, name="Max Muster", parent_id=10, commercial_partner_id=10, is_company=False, active=True, create_date="2024-03-01 00:00"),  # Acme's buyer
            dict(id=20, name="Anna Weber", commercial_partner_id=20, is_company=False, active=True, create_date="2024-01-01 00:00"),
            dict(id=21, name="Bo Chen", commercial_partner_id=21, is_company=False, active=True, create_date="2024-01-01 00:00"),
        ],
    ),
    ("res_company", [dict(id=1, name="Granary Test GmbH", partner_id=1, currency_id=1, sequence=10)]),
    (
        "res_currency_rate",
        [dict(id=1, name="2025-01-01", rate="1.0", currency_id=1, company_id=1), dict(id=2, name="2025-01-01", rate="1.25", currency_id=2, company_id=1)],
    ),
    (
        "res_users",
        [
            dict(id=2, login="anna", partner_id=20, company_id=1, active=True, share=False, notification_type="email", create_date="2023-06-01 00:00"),
            dict(id=3, login="bo", partner_id=21, company_id=1, active=True, share=False, notification_type="email", create_date="2023-06-01 00:00"),
        ],
    ),
    (
        "crm_team",
        [
            dict(id=1, name=_name("Europe", de_DE="Europa"), sequence=10, active=True, company_id=1),
            dict(id=2, name=_name("Asia"), sequence=20, active=True, company_id=1),
        ],
    ),
    (
        "crm_stage",
        [
            dict(id=1, name=_name("New", fr_FR="Nouveau"), sequence=1, is_won=False),
            dict(id=2, name=_name("Qualified"), sequence=2, is_won=False),
            dict(id=3, name=_name("Proposition", de_DE="Angebot"), sequence=3, is_won=False),
            dict(id=4, name=_name("Won", de_DE="Gewonnen"), sequence=70, is_won=True, fold=False),
        ],
    ),
    (
        "crm_lead",
        [
            dict(id=1, name="Nordwind inquiry", type="lead", active=True, team_id=1, user_id=2, company_id=1, stage_id=1, probability=10.0,
                 partner_name="Nordwind AG", create_date="2025-04-03 02:00", date_open="2025-04-03 02:00"),
            dict(id=2, name="Spam-ish inquiry", type="lead", active=False, team_id=2, company_id=1, stage_id=1, probability=0.0, create_date="2025-04-10 00:00",
                 date_closed="2025-04-11 00:00"),
            dict(id=3, name="Acme rollout", type="opportunity", active=True, team_id=1, user_id=2, company_id=1, stage_id=4, probability=100.0, partner_id=13,
                 expected_revenue="1000.00", create_date="2025-04-05 01:00", date_conversion="2025-04-12 08:00", date_closed="2025-05-20 09:00"),
            dict(id=4, name="Blue Harbor pilot", type="opportunity", active=False, team_id=2, user_id=3, company_id=1, stage_id=3, probability=0.0, partner_id=11,
                 expected_revenue="3000.00", create_date="2025-04-15 00:00", date_closed="2025-06-10 03:00"),
            dict(id=5, name="长城 expansion", type="opportunity", active=True, team_id=1, user_id=2, company_id=1, stage_id=2, probability=30.0, partner_id=12,
                 expected_revenue="5000.00", create_date="2025-05-02 00:00", date_deadline="2025-08-31"),
            dict(id=6, name="Blue Harbor phase 2", type="opportunity", active=True, team_id=2, user_id=3, company_id=1, stage_id=4, probability=100.0, partner_id=11,
                 expected_revenue="400.00", create_date="2025-06-01 00:00", date_closed="2025-06-30 17:00"),
            dict(id=7, name="长城 renewal", type="opportunity", active=True, team_id=1, user_id=2, company_id=1, stage_id=4, probability=100.0, partner_id=12,
                 expected_revenue="640.00", create_date="2025-04-20 00:00", date_closed="2025-06-30 15:00"),
        ],
    ),
    (
        "sale_order",
        [
            dict(id=1, name="S00001", company_id=1, partner_id=13, partner_invoice_id=13, partner_shipping_id=13, state="sale", locked=True, date_order="2025-05-21 10:00",
                 currency_id=1, user_id=2, team_id=1, amount_untaxed="1000.00", amount_total="1190.00", opportunity_id=3),
            dict(id=2, name="S00002", company_id=1, partner_id=11, partner_invoice_id=11, partner_shipping_id=11, state="sale", date_order="2025-06-30 16:30",
                 currency_id=2, user_id=3, team_id=2, amount_untaxed="500.00", amount_total="500.00", opportunity_id=6),
            dict(id=3, name="S00003", company_id=1, partner_id=12, partner_invoice_id=12, partner_shipping_id=12, state="sale", date_order="2025-06-15 08:00",
                 currency_id=2, user_id=2, team_id=1, amount_untaxed="800.00", amount_total="800.00", opportunity_id=7),
            dict(id=4, name="S00004", company_id=1, partner_id=10, partner_invoice_id=10, partner_shipping_id=10, state="draft", date_order="2025-05-01 10:00",
                 currency_id=1, user_id=2, team_id=1, amount_untaxed="999.00", amount_total="999.00"),
            dict(id=5, name="S00005", company_id=1, partner_id=10, partner_invoice_id=10, partner_shipping_id=10, state="cancel", date_order="2025-05-02 10:00",
                 currency_id=1, user_id=2, team_id=1, amount_untaxed="777.00", amount_total="777.00"),
        ],
    ),
    ("ir_model_fields", [dict(id=500, name="stage_id", model="crm.lead", model_id=50, field_description=_name("Stage"), ttype="many2one", state="base")]),
    (
        "mail_message",
        [
            dict(id=900 + i, model="crm.lead", res_id=lead, date=at, message_type="notification")
            for i, (lead, at) in enumerate(
                [(3, "2025-04-12 08:00"), (3, "2025-04-20 00:00"), (3, "2025-05-20 09:00"), (4, "2025-04-25 00:00"), (5, "2025-05-10 00:00"),
                 (6, "2025-06-30 17:00"), (7, "2025-06-30 15:00")]
            )
        ],
    ),
    (
        "mail_tracking_value",
        [
            dict(id=1 + i, field_id=500, old_value_integer=old, new_value_integer=new, mail_message_id=900 + i)
            for i, (old, new) in enumerate([(1, 2), (2, 3), (3, 4), (1, 3), (1, 2), (1, 4), (3, 4)])
        ],
    ),
]


def load(engine: Engine) -> None:
    """Create the Odoo tables in ``engine`` (PostgreSQL) and insert the tiny Odoo CRM."""
    load_native(engine, DDL, ROWS)


def catalog(url: str) -> list[tuple[str, str]]:
    """Every relation (table, view, index, sequence, …) of the database's current schema, and the temporary ones."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT n.nspname || '.' || c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() OR c.relpersistence = 't' ORDER BY 1"
            )
        )
        found = [tuple(r) for r in rows]
    engine.dispose()
    return found
