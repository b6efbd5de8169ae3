"""The canonical CRM schema: the contract every CRM is mapped onto.

Each column carries its meaning (``comment``) and the metrics that read it
(``info["used_by"]``); ``docs/data-model.md`` is generated from them
(``python -m data_layer.schema > docs/data-model.md``) and a test keeps the two equal.

Conventions: money is ``Numeric(18, 2)`` beside a three-letter currency code;
``*_at`` columns are timestamps in UTC stored without a zone; ``*_date`` columns are
business dates in the company's time zone; ``valid_from``/``valid_to`` bound a dated
history row (``valid_to`` exclusive, null while the row is current).
"""

from __future__ import annotations

import sys

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
)

metadata = MetaData()

MONEY = Numeric(18, 2)
RATE = Numeric(18, 8)
PROBABILITY = Numeric(5, 4)


def col(
    name: str, type_: object, comment: str, *args: object, used_by: tuple[str, ...] = (), references: str | None = None, **kw: object
) -> Column:
    """A column with its documented meaning, the metrics that read it, and the key it refers to.

    References are documented, not enforced: Granary reads CRMs as they are, orphans
    included (the data-health view counts them), so the schema declares no foreign keys.
    """
    info = {"used_by": used_by, "references": references}
    return Column(name, type_, *args, comment=comment, info=info, **kw)  # type: ignore[arg-type]


def pk(name: str, comment: str) -> Column:
    return Column(name, Integer, primary_key=True, autoincrement=False, comment=comment, info={"used_by": ()})


# --- Organisation ------------------------------------------------------------------

org_unit = Table(
    "org_unit",
    metadata,
    pk("unit_id", "Identifier of the unit."),
    col("code", String(40), "Short stable code, used in links and filters.", nullable=False, unique=True),
    col("name", String(200), "Display name.", nullable=False),
    col(
        "level",
        String(20),
        "Level label: cluster (片联), region (地区部), office (代表处) or team; any depth is allowed.",
        nullable=False,
        used_by=("units drill-down",),
    ),
    col(
        "parent_id",
        Integer,
        "The unit above; null for a top unit. Filters on a unit take its whole subtree.",
        references="org_unit.unit_id",
        used_by=("every metric (scope and unit filter)",),
    ),
    col("revenue_floor", MONEY, "Minimum yearly revenue an office must reach, in the reporting currency."),
    comment="The organisation: a hierarchy of units of any depth; teams are its leaves.",
)

rep = Table(
    "rep",
    metadata,
    pk("rep_id", "Identifier of the sales rep (or manager)."),
    col("code", String(40), "Employee number.", nullable=False, unique=True),
    col("name", String(200), "Full name.", nullable=False),
    col("email", String(200), "Work e-mail."),
    col("title", String(100), "Job title."),
    col("manager_id", Integer, "The rep's manager.", references="rep.rep_id"),
    col("hire_date", Date, "First day of employment.", nullable=False),
    col(
        "leave_date",
        Date,
        "Last day of employment; null while employed.",
        used_by=("ownership hand-offs",),
    ),
    comment="People who own accounts, leads and opportunities.",
)

rep_team_history = Table(
    "rep_team_history",
    metadata,
    col("rep_id", Integer, "The rep.", references="rep.rep_id", nullable=False),
    col("team_unit_id", Integer, "The team (an org_unit of level team).", references="org_unit.unit_id", nullable=False),
    col("valid_from", Date, "First day in this team.", nullable=False),
    col("valid_to", Date, "Day the rep left this team (exclusive); null while current.", used_by=("metrics by team",)),
    Index("ix_rep_team_history_rep", "rep_id", "valid_from"),
    comment="Dated history of each rep's team: a transfer closes one row and opens another.",
)

# --- Business units, products ------------------------------------------------------------

business_unit = Table(
    "business_unit",
    metadata,
    pk("bu_id", "Identifier of the business unit (经营单元)."),
    col("code", String(40), "Short stable code.", nullable=False, unique=True),
    col("name", String(200), "Display name.", nullable=False),
    col("kind", String(20), "region, customer, product or project (DOMAIN.md §2).", nullable=False),
    col("parent_id", Integer, "Enclosing business unit, if any.", references="business_unit.bu_id"),
    comment="Business units by region, customer, product or project; the demo's are product lines.",
)

project_grade = Table(
    "project_grade",
    metadata,
    col("code", String(20), "company, region or office.", primary_key=True),
    col("name", String(100), "Display name.", nullable=False),
    col("rank", Integer, "1 = company level (largest); each level watches its grade and above.", nullable=False),
    comment="Project grades: who watches which projects (抓大放小).",
)

product = Table(
    "product",
    metadata,
    pk("product_id", "Identifier of the product."),
    col("code", String(40), "SKU or product code.", nullable=False, unique=True),
    col("name", String(200), "Display name.", nullable=False),
    col("bu_id", Integer, "Product line (business unit) it belongs to.", references="business_unit.bu_id", nullable=False),
    col("list_price", MONEY, "List price in the reporting currency."),
    comment="What is sold.",
)

# --- Accounts -------------------------------------------------------------------------------

account = Table(
    "account",
    metadata,
    pk("account_id", "Identifier of the customer account."),
    col("name", String(300), "Company name, as typed in the CRM (shown as text, never as HTML).", nullable=False),
    col("industry", String(100), "Industry.", used_by=("filters",)),
    col(
        "segment",
        String(40),
        "Customer segment: enterprise, mid_market or smb.",
        used_by=("segment filter", "share of wallet by segment"),
    ),
    col(
        "home_unit_id",
        Integer,
        "Current home unit (office); the dated truth is account_history.",
        references="org_unit.unit_id",
    ),
    col("owner_rep_id", Integer, "Current owner; the dated truth is account_history.", references="rep.rep_id"),
    col("source_channel", String(40), "How the account first came to us (see lead.source_channel).", used_by=("source filter",)),
    col("city", String(100), "City."),
    col("country", String(2), "ISO country code."),
    col("created_at", DateTime, "When the account was created in the CRM (UTC).", nullable=False),
    comment="Customers and prospects.",
)

account_history = Table(
    "account_history",
    metadata,
    col("account_id", Integer, "The account.", references="account.account_id", nullable=False),
    col("owner_rep_id", Integer, "Owner in this interval; null = nobody owns it.", references="rep.rep_id"),
    col(
        "home_unit_id",
        Integer,
        "Home unit in this interval.",
        references="org_unit.unit_id",
        nullable=False,
        used_by=("churn", "share of wallet", "new customers", "value tiers"),
    ),
    col("valid_from", Date, "First day of the interval.", nullable=False),
    col("valid_to", Date, "Day the interval ended (exclusive); null while current."),
    Index("ix_account_history_account", "account_id", "valid_from"),
    comment="Dated owner and home unit of each account: account-level measures use the row in force at the period's end.",
)

wallet_estimate = Table(
    "wallet_estimate",
    metadata,
    col("account_id", Integer, "The account.", references="account.account_id", primary_key=True),
    col("fiscal_year", Integer, "Fiscal year the estimate is for (named by the calendar year it ends in).", primary_key=True),
    col(
        "amount",
        MONEY,
        "The customer's total spend in our category that year, all suppliers.",
        used_by=("share of wallet", "headroom"),
    ),
    col("currency", String(3), "Currency of amount.", nullable=False),
    col("source", String(40), "Where the estimate comes from: analyst, customer, rep or model."),
    col("estimated_at", DateTime, "When it was estimated (UTC)."),
    comment="Wallet estimates: the denominator of share of wallet (客户购买份额).",
)

activity = Table(
    "activity",
    metadata,
    pk("activity_id", "Identifier of the activity."),
    col("account_id", Integer, "Account contacted.", references="account.account_id", nullable=False),
    col("rep_id", Integer, "Rep who made contact.", references="rep.rep_id"),
    col("opportunity_id", Integer, "Opportunity it concerned, if any.", references="opportunity.opportunity_id"),
    col("kind", String(20), "call, visit, email or meeting.", nullable=False),
    col("occurred_at", DateTime, "When it happened (UTC).", nullable=False, used_by=("days since last contact",)),
    col("subject", String(300), "Subject line or note (shown as text)."),
    Index("ix_activity_account", "account_id", "occurred_at"),
    comment="Calls, visits, e-mails and meetings.",
)

# --- Marketing ------------------------------------------------------------------------------

campaign = Table(
    "campaign",
    metadata,
    pk("campaign_id", "Identifier of the campaign."),
    col("name", String(300), "Display name.", nullable=False),
    col("kind", String(40), "event, roadshow, webinar, trade_show, email or advertising.", nullable=False),
    col("cost", MONEY, "Total cost.", used_by=("campaign ROI", "acquisition cost")),
    col("currency", String(3), "Currency of cost.", nullable=False),
    col("start_date", Date, "First day.", nullable=False),
    col("end_date", Date, "Last day."),
    col("unit_id", Integer, "Unit that ran it.", references="org_unit.unit_id"),
    col("bu_id", Integer, "Business unit it promoted, if one.", references="business_unit.bu_id"),
    comment="Marketing campaigns (a seminar, a 20-city roadshow).",
)

lead = Table(
    "lead",
    metadata,
    pk("lead_id", "Identifier of the lead."),
    col(
        "source_channel",
        String(40),
        "phone, fax, email, sms, face_to_face, media, website, event, referral or own_development.",
        used_by=("funnel by source", "source filter"),
    ),
    col("campaign_id", Integer, "Campaign that brought it.", references="campaign.campaign_id", used_by=("campaign ROI",)),
    col("referring_account_id", Integer, "Customer who referred it.", references="account.account_id", used_by=("reference value",)),
    col("account_id", Integer, "Account it belongs to once known.", references="account.account_id"),
    col("company_name", String(300), "Company as given on the lead (text)."),
    col("contact_name", String(200), "Contact person (text)."),
    col("unit_id", Integer, "Unit it was routed to.", references="org_unit.unit_id", used_by=("every lead metric (scope)",)),
    col("created_at", DateTime, "When the lead was created (UTC).", nullable=False, used_by=("funnel", "leads")),
    col("assigned_rep_id", Integer, "Rep it was assigned to.", references="rep.rep_id"),
    col("assigned_at", DateTime, "When it was assigned (UTC).", used_by=("lead response",)),
    col("first_response_at", DateTime, "First contact by the rep (UTC).", used_by=("lead response",)),
    col("qualified_at", DateTime, "When judged a real opportunity-to-be (UTC).", used_by=("funnel",)),
    col(
        "converted_opportunity_id",
        Integer,
        "Opportunity it became.",
        references="opportunity.opportunity_id",
        used_by=("funnel",),
    ),
    col("converted_at", DateTime, "When it became that opportunity (UTC).", used_by=("funnel",)),
    col("status", String(20), "Current status: new, working, qualified, disqualified, returned or converted.", nullable=False),
    Index("ix_lead_created", "created_at"),
    comment="Leads (线索): the top of the funnel.",
)

lead_status_history = Table(
    "lead_status_history",
    metadata,
    col("lead_id", Integer, "The lead.", references="lead.lead_id", nullable=False),
    col(
        "status",
        String(20),
        "new, working, qualified, disqualified, returned (to marketing) or converted.",
        nullable=False,
        used_by=("leads returned to marketing",),
    ),
    col("changed_at", DateTime, "When the lead entered this status (UTC).", nullable=False),
    Index("ix_lead_status_history_lead", "lead_id", "changed_at"),
    comment="Every status a lead passed through, with its time.",
)

# --- Sales -------------------------------------------------------------------------------------

opportunity = Table(
    "opportunity",
    metadata,
    pk("opportunity_id", "Identifier of the opportunity."),
    col("name", String(300), "Display name (text)."),
    col("account_id", Integer, "Customer account.", references="account.account_id", nullable=False),
    col("owner_rep_id", Integer, "Owning rep: credited for the win.", references="rep.rep_id", used_by=("metrics by rep",)),
    col("unit_id", Integer, "Unit credited (attribution).", references="org_unit.unit_id", used_by=("every opportunity metric",)),
    col("bu_id", Integer, "Business unit credited.", references="business_unit.bu_id", used_by=("every opportunity metric",)),
    col("product_id", Integer, "Main product.", references="product.product_id"),
    col("source_channel", String(40), "lead, existing_account or own_development.", used_by=("source filter",)),
    col("created_at", DateTime, "When it was opened (UTC).", nullable=False, used_by=("opportunities", "sales cycle")),
    col("stage", String(30), "Current stage: prospecting, qualification, proposal, negotiation, won or lost.", nullable=False),
    col("amount", MONEY, "Expected (or won) amount.", used_by=("pipeline", "amount-weighted win rate")),
    col("currency", String(3), "Currency of amount.", nullable=False),
    col("probability", PROBABILITY, "Rep's win probability, 0 to 1.", used_by=("weighted pipeline",)),
    col("quantity", Integer, "Units the customer needs."),
    col("expected_close_date", Date, "When the rep expects it to close.", used_by=("pipeline", "forecast")),
    col("closed_at", DateTime, "When it was won or lost (UTC); null while open.", used_by=("win rate", "sales cycle")),
    col("status", String(10), "open, won or lost.", nullable=False, used_by=("win rate",)),
    col("loss_reason", String(100), "Why it was lost: price, product_fit, competitor, no_decision, timing."),
    col("competitor", String(100), "Main competitor met."),
    col("project_grade", String(20), "Project grade code.", references="project_grade.code"),
    Index("ix_opportunity_created", "created_at"),
    Index("ix_opportunity_closed", "closed_at"),
    comment="Opportunities (商机): owned by sales, won or lost.",
)

opportunity_stage_history = Table(
    "opportunity_stage_history",
    metadata,
    col("opportunity_id", Integer, "The opportunity.", references="opportunity.opportunity_id", nullable=False),
    col("changed_at", DateTime, "When this state began (UTC).", nullable=False, used_by=("time in stage", "forecast accuracy")),
    col("stage", String(30), "Stage from then on.", nullable=False),
    col("amount", MONEY, "Amount from then on."),
    col("probability", PROBABILITY, "Probability from then on."),
    col("expected_close_date", Date, "Expected close from then on."),
    Index("ix_opportunity_stage_history_opp", "opportunity_id", "changed_at"),
    comment="Each change of an opportunity: enough to rebuild the pipeline as it stood on any day.",
)

sales_order = Table(
    "sales_order",
    metadata,
    pk("order_id", "Identifier of the order or contract."),
    col("order_number", String(40), "Order number as the customer sees it.", nullable=False),
    col("account_id", Integer, "Customer account.", references="account.account_id", nullable=False, used_by=("churn", "share of wallet", "new customers")),
    col("opportunity_id", Integer, "Opportunity it came from; null for run-rate reorders.", references="opportunity.opportunity_id"),
    col("rep_id", Integer, "Rep credited.", references="rep.rep_id", used_by=("revenue by rep",)),
    col("unit_id", Integer, "Unit credited (attribution).", references="org_unit.unit_id", used_by=("revenue", "won orders")),
    col("bu_id", Integer, "Business unit credited.", references="business_unit.bu_id", used_by=("revenue", "won orders")),
    col("product_id", Integer, "Product.", references="product.product_id", used_by=("revenue by product",)),
    col("order_date", Date, "Date booked.", nullable=False, used_by=("revenue", "won orders", "churn")),
    col("amount", MONEY, "Order amount.", used_by=("revenue",)),
    col("currency", String(3), "Currency of amount and cost.", nullable=False, used_by=("revenue",)),
    col("cost", MONEY, "Cost of goods and delivery.", used_by=("gross margin",)),
    col("quantity", Integer, "Units."),
    col("promised_delivery_date", Date, "Delivery date promised to the customer.", used_by=("on-time delivery",)),
    col("shipped_date", Date, "Date shipped; null until then.", used_by=("lead to cash", "on-time delivery")),
    col("invoiced_date", Date, "Date invoiced; null until then.", used_by=("lead to cash",)),
    col("payment_due_date", Date, "Date payment falls due."),
    col("cash_collected_date", Date, "Date paid in full (回款); null until then.", used_by=("lead to cash", "credit")),
    col("contract_start_date", Date, "First day of service, where the order is a contract."),
    col("contract_end_date", Date, "Last day of service, where the order is a contract.", used_by=("contractual churn",)),
    Index("ix_sales_order_date", "order_date"),
    Index("ix_sales_order_account", "account_id", "order_date"),
    comment="Orders and contracts: booked, shipped, invoiced and paid.",
)

exchange_rate = Table(
    "exchange_rate",
    metadata,
    col("from_currency", String(3), "Currency converted.", primary_key=True),
    col("to_currency", String(3), "The reporting currency.", primary_key=True),
    col("valid_from", Date, "First day the rate applies.", primary_key=True),
    col("valid_to", Date, "Day it stops applying (exclusive); null while current."),
    col("rate", RATE, "Units of to_currency for one unit of from_currency.", nullable=False, used_by=("revenue",)),
    comment="Rates to the reporting currency: an amount converts at the rate in force on its date.",
)

service_ticket = Table(
    "service_ticket",
    metadata,
    pk("ticket_id", "Identifier of the ticket."),
    col("account_id", Integer, "Customer account.", references="account.account_id", nullable=False),
    col("order_id", Integer, "Order it concerns, if any.", references="sales_order.order_id", used_by=("service scope (unit, business unit)",)),
    col("product_id", Integer, "Product it concerns.", references="product.product_id"),
    col("kind", String(20), "request or complaint.", nullable=False, used_by=("complaint rate",)),
    col("opened_at", DateTime, "When it was opened (UTC).", nullable=False, used_by=("every service metric",)),
    col("first_response_at", DateTime, "First answer (UTC).", used_by=("service responsiveness",)),
    col("resolved_at", DateTime, "When resolved (UTC); null while open.", used_by=("resolution time",)),
    col("satisfaction", Integer, "Customer's rating 1 (poor) to 5 (excellent); null if not rated.", used_by=("satisfaction", "holdback")),
    col("subject", String(300), "Subject (text)."),
    comment="Service requests and complaints.",
)

target = Table(
    "target",
    metadata,
    pk("target_id", "Identifier of the target."),
    col("measure", String(30), "revenue, new_customers, won_deals or cash_collected.", nullable=False),
    col("period_kind", String(10), "month, quarter or year.", nullable=False),
    col("period_start", Date, "First day of the period.", nullable=False),
    col("period_end", Date, "Last day of the period.", nullable=False),
    col("value", MONEY, "Target value (money in the reporting currency, counts as whole numbers).", nullable=False),
    col("rep_id", Integer, "Whose target, when it is a rep's.", references="rep.rep_id"),
    col("unit_id", Integer, "Whose target, when it is a unit's or team's.", references="org_unit.unit_id"),
    col("bu_id", Integer, "Whose target, when it is a business unit's (alone or within unit_id).", references="business_unit.bu_id"),
    comment="Targets: a value per measure and period for a rep, a unit, a business unit, or a unit within a business unit.",
)

#: Every canonical table, in the order of this module (organisation first, facts after).
TABLES: tuple[Table, ...] = tuple(metadata.tables.values())


ATTRIBUTION = """\
## Attribution

Every metric follows these rules.

- **Order- and opportunity-level measures** (revenue, won orders, wins, pipeline, win rate,
  cycle) belong to the `unit_id`, `bu_id` and rep stored on the record itself
  (`sales_order.unit_id`, `sales_order.rep_id`, `opportunity.unit_id`, `opportunity.owner_rep_id`).
  A later transfer of the rep or the account does not move them.
- **Lead-level measures** belong to `lead.unit_id`, the unit the lead was routed to.
- **Service tickets** (complaint rate, response and resolution times, satisfaction) belong to the
  unit and business unit of the order they concern (`service_ticket.order_id`); a ticket that names
  no order belongs to its account's home unit as of the period's end and to its product's business
  unit. Scope and filters read the same: a regional head sees the tickets about their units' orders
  and the order-less tickets of the accounts homed in their region.
- **Account-level measures** (churn, share of wallet, value tiers, new customers) belong to the
  account's home unit **as of the period's end** (`account_history` row in force that day),
  and count the account's revenue in all units.
- **Counts of distinct accounts do not add up across units** (an account that bought through two
  regions counts once in each region and once in their parent); views that show them say so.
- **Scope filters use the same columns**: a viewer entitled to a unit sees the records credited to
  that unit's subtree, and the accounts whose home unit lies in it.
- **Team measures** use `rep_team_history`: the team the credited rep was in on the record's date.
- **Money** converts to the reporting currency at the `exchange_rate` row in force on the record's
  date (`order_date` for orders); an amount in the reporting currency converts at 1.
"""


def to_markdown() -> str:
    """The data-model document, generated from the schema so the two never drift."""
    out = [
        "# The canonical CRM data model",
        "",
        "Generated from `data_layer/schema.py` by `python -m data_layer.schema > docs/data-model.md`;",
        "do not edit by hand. This is the contract a CRM is mapped onto.",
        "",
        "Conventions: money is `NUMERIC(18, 2)` beside a three-letter currency code; `*_at` columns",
        "are timestamps in UTC stored without a zone; `*_date` columns are business dates in the",
        "company's time zone; `valid_from`/`valid_to` bound a dated history row (`valid_to` exclusive,",
        "null while current).",
        "",
        ATTRIBUTION,
        "## Tables",
        "",
    ]
    for table in TABLES:
        out += [f"### `{table.name}`", "", str(table.comment), "", "| column | type | meaning | used by |", "|---|---|---|---|"]
        for column in table.columns:
            kind = str(column.type)
            flags = []
            if column.primary_key:
                flags.append("key")
            if not column.nullable and not column.primary_key:
                flags.append("required")
            if column.info.get("references"):
                flags.append(f"→ `{column.info['references']}`")
            used_by = ", ".join(column.info.get("used_by", ())) or ""
            meaning = str(column.comment) + (f" ({'; '.join(flags)})" if flags else "")
            out.append(f"| `{column.name}` | {kind} | {meaning} | {used_by} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(to_markdown())
