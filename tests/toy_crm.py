"""The tiny CRM (tests/tiny_crm.py) as a home-grown CRM keeps it, for reading in place through a mapping.

Its own table and column names; its companies in a table literally called ``account`` (a canonical
name, so the mapping must qualify it); timestamps in the company's zone (Asia/Shanghai) rather than
UTC; amounts and rates stored as text; win chances as 0–100; deal phases and statuses in its own words.
Read through :func:`mapping_text` it must give every metric exactly as the canonical tiny CRM does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Column, Date, DateTime, Engine, Integer, MetaData, String, Table, insert, text

from tests import tiny_crm

toy = MetaData()

regions = Table(
    "regions", toy, Column("region_no", Integer, primary_key=True, autoincrement=False), Column("short", String(40)), Column("title", String(200)),
    Column("tier", String(20)), Column("up_no", Integer),
)
staff = Table("staff", toy, Column("staff_no", Integer, primary_key=True, autoincrement=False), Column("badge", String(40)), Column("full_name", String(200)), Column("joined", Date))
lines = Table("product_lines", toy, Column("line_no", Integer, primary_key=True, autoincrement=False), Column("code", String(40)), Column("label", String(200)), Column("kind", String(20)))
items = Table("items", toy, Column("item_no", Integer, primary_key=True, autoincrement=False), Column("sku", String(40)), Column("label", String(200)), Column("line_no", Integer))
companies = Table(
    "account", toy, Column("company_no", Integer, primary_key=True, autoincrement=False), Column("company_name", String(300)), Column("seg", String(40)),
    Column("origin", String(40)), Column("region_no", Integer), Column("owner_no", Integer), Column("created_local", DateTime),
)
fx = Table("fx", toy, Column("cur_from", String(3)), Column("cur_to", String(3)), Column("since", Date), Column("until", Date), Column("rate_text", String(30)))
deals = Table(
    "deals", toy, Column("deal_no", Integer, primary_key=True, autoincrement=False), Column("company_no", Integer), Column("owner_no", Integer),
    Column("region_no", Integer), Column("line_no", Integer), Column("item_no", Integer), Column("opened_local", DateTime),
    Column("phase", String(30)), Column("amount_text", String(30)), Column("cur", String(3)), Column("chance", Integer),
    Column("closed_local", DateTime),
)
inquiries = Table(
    "inquiries", toy, Column("inquiry_no", Integer, primary_key=True, autoincrement=False), Column("region_no", Integer), Column("channel", String(40)),
    Column("created_local", DateTime), Column("state", String(20)),
)
orders = Table(
    "orders", toy, Column("order_no", Integer, primary_key=True, autoincrement=False), Column("ref", String(40)), Column("company_no", Integer),
    Column("staff_no", Integer), Column("region_no", Integer), Column("line_no", Integer), Column("item_no", Integer),
    Column("booked", Date), Column("total_text", String(30)), Column("cur", String(3)),
)

PHASES = {"won": "Closed Won", "lost": "Closed Lost", "proposal": "Proposal"}


def _local(utc: datetime | None) -> datetime | None:
    return None if utc is None else utc + timedelta(hours=8)  # Shanghai has had no daylight saving since 1991


def load(engine: Engine) -> None:
    """Create the toy CRM's tables in ``engine`` and fill them with the tiny CRM."""
    t = tiny_crm
    toy.create_all(engine)
    rows = {
        regions: [dict(region_no=u["unit_id"], short=u["code"], title=u["name"], tier=u["level"], up_no=u["parent_id"]) for u in t.ORG],
        staff: [dict(staff_no=r["rep_id"], badge=r["code"], full_name=r["name"], joined=r["hire_date"]) for r in t.REPS],
        lines: [dict(line_no=b["bu_id"], code=b["code"], label=b["name"], kind=b["kind"]) for b in t.BUS],
        items: [dict(item_no=p["product_id"], sku=p["code"], label=p["name"], line_no=p["bu_id"]) for p in t.PRODUCTS],
        companies: [
            dict(company_no=a["account_id"], company_name=a["name"], seg=a["segment"], origin=a["source_channel"], region_no=a["home_unit_id"],
                 owner_no=a["owner_rep_id"], created_local=_local(a["created_at"]))
            for a in t.ACCOUNTS
        ],
        fx: [dict(cur_from=r["from_currency"], cur_to=r["to_currency"], since=r["valid_from"], until=r["valid_to"], rate_text=str(r["rate"])) for r in t.RATES],
        deals: [
            dict(deal_no=o["opportunity_id"], company_no=o["account_id"], owner_no=o["owner_rep_id"], region_no=o["unit_id"], line_no=o["bu_id"],
                 item_no=o["product_id"], opened_local=_local(o["created_at"]), phase=PHASES[o["stage"]], amount_text=f"{o['amount']:,}",
                 cur=o["currency"], chance=int(o["probability"] * 100), closed_local=_local(o["closed_at"]))
            for o in t.OPPORTUNITIES
        ],
        inquiries: [
            dict(inquiry_no=x["lead_id"], region_no=x["unit_id"], channel=x["source_channel"], created_local=_local(x["created_at"]), state="NEW")
            for x in t.LEADS
        ],
        orders: [
            dict(order_no=o["order_id"], ref=o["order_number"], company_no=o["account_id"], staff_no=o["rep_id"], region_no=o["unit_id"], line_no=o["bu_id"],
                 item_no=o["product_id"], booked=o["order_date"], total_text=None if o["amount"] is None else str(o["amount"]), cur=o["currency"])
            for o in t.ORDERS
        ],
    }
    with engine.begin() as conn:
        for table, values in rows.items():
            conn.execute(insert(table), values)


def qualifier(engine: Engine) -> str:
    """The schema or database that qualifies the toy CRM's ``account`` table on ``engine``'s backend."""
    name = engine.dialect.name
    if name in ("sqlite", "duckdb"):
        return "main"
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT current_schema()" if name == "postgresql" else "SELECT DATABASE()")).scalar_one())


def mapping_text(account_table: str) -> str:
    """The toy CRM's mapping, its ``account`` table written as ``account_table`` (qualified)."""
    return f'''
[mapping]
name = "toy"
timestamps = "Asia/Shanghai"

[tables.org_unit]
from = "regions"
columns = {{ unit_id = "region_no", code = "short", name = "title", level = "tier", parent_id = "up_no" }}

[tables.rep]
from = "staff"
columns = {{ rep_id = "staff_no", code = "badge", name = "full_name", hire_date = "joined" }}

[tables.business_unit]
from = "product_lines"
columns = {{ bu_id = "line_no", code = "code", name = "label", kind = "kind" }}

[tables.product]
from = "items"
columns = {{ product_id = "item_no", code = "sku", name = "label", bu_id = "line_no" }}

[tables.account]
from = "{account_table} c"
columns = {{ account_id = "c.company_no", name = "c.company_name", segment = "c.seg", source_channel = "c.origin", home_unit_id = "c.region_no", owner_rep_id = "c.owner_no", created_at = "c.created_local" }}

[tables.exchange_rate]
from = "fx"
columns = {{ from_currency = "cur_from", to_currency = "cur_to", valid_from = "since", valid_to = "until", rate = "rate_text" }}

[tables.lead]
from = "inquiries i"

[tables.lead.columns]
lead_id = "i.inquiry_no"
unit_id = "i.region_no"
source_channel = "i.channel"
created_at = "i.created_local"

[tables.lead.columns.status]
sql = "i.state"
map = {{ NEW = "new", WIP = "working" }}

[tables.opportunity]
from = "deals d"

[tables.opportunity.columns]
opportunity_id = "d.deal_no"
account_id = "d.company_no"
owner_rep_id = "d.owner_no"
unit_id = "d.region_no"
bu_id = "d.line_no"
product_id = "d.item_no"
created_at = "d.opened_local"
currency = "d.cur"
closed_at = "d.closed_local"

[tables.opportunity.columns.amount]
sql = "REPLACE(d.amount_text, ',', '')"

[tables.opportunity.columns.probability]
sql = "d.chance"
percent = true

[tables.opportunity.columns.stage]
sql = "d.phase"
map = {{ "Closed Won" = "won", "Closed Lost" = "lost", "Proposal" = "proposal" }}

[tables.opportunity.columns.status]
sql = "d.phase"
map = {{ "Closed Won" = "won", "Closed Lost" = "lost" }}
else = "open"

[tables.sales_order]
from = "orders o"
columns = {{ order_id = "o.order_no", order_number = "o.ref", account_id = "o.company_no", rep_id = "o.staff_no", unit_id = "o.region_no", bu_id = "o.line_no", product_id = "o.item_no", order_date = "o.booked", amount = "o.total_text", currency = "o.cur" }}
'''
