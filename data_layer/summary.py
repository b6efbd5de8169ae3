"""Summary tables in Granary's own embedded database: orders pre-aggregated by account and month.

Only the demo DuckDB that Granary builds gets them (``build_demo`` calls :func:`build_summaries`);
a user's CRM never does, and :mod:`metrics.router` answers from the raw tables there.

``granary_order_month`` holds one row per account, unit, business unit, product and calendar month
of the order date (``month_index`` = year × 12 + month − 1, ``month_start`` its first day) over the
orders that have an amount: ``revenue`` in the reporting currency at each order date's rate — the
sum of each order's ``metrics.money.converted`` amount (rounded to the cent per order, as every
metric does), so any sum of rows equals the raw tables' sum to the cent; NULL when no order of the
row has a rate that day; ``positive_orders`` (amount > 0) and ``orders``. Rows are written in month
order, so a range of months reads a range of the file. ``revenue`` is ``NUMERIC(18, 2)``: cents held
in 64 bits, which DuckDB adds several times faster than its 128-bit decimals; an account's month
above 10^16 in the reporting currency fails the build, and the raw tables answer.
Fiscal years are whole months, so wallets' fiscal-year-to-date revenue rolls up from these rows.

``granary_order_gap`` holds, with the same keys, the orders ``granary_order_month``'s revenue leaves out:
``no_amount`` (orders with no amount) and ``no_rate`` (an amount in a currency with no rate on the order
date) — only rows where one is above zero, so it is tiny in a healthy CRM. Revenue states what it left
out from it (:data:`metrics.revenue.METRIC`'s ``excluded``).

``granary_first_order`` holds each account's first order with an amount above zero per business
unit and product (``first_order_date``): the earliest of them under any business-unit and product
filter is the account's first purchase there (:func:`metrics.customers.first_purchases`).

``granary_account_roll`` holds, per account and month m, its orders of every unit, business unit and
product over the 12 months m−11 … m (``ROLL_MONTHS``): ``active`` (1 when one of them is above zero)
and ``revenue`` (their revenue, as in ``granary_order_month``, 0 when none has a rate); a
row for every month in which the account has an order with an amount in those 12 months, written in
month order. Churn with the default 12-month window reads each account's base, end-of-period and
retention years from three months of it instead of every month between
(:func:`metrics.router.rolling_rows`), when no business-unit or product condition narrows the orders.
``fy_revenue`` is the revenue of the months from the start of m's fiscal year to m (NULL when the
account has no order with a rate in them): share of wallet's fiscal year to date, one row per account
(:func:`metrics.router.fiscal_year_rows`), for the fiscal calendar the summary was built with.

``granary_summary_info`` has one row: ``built_at`` (UTC), ``data_version`` (the fingerprint of
the raw tables the summary was built from, see :func:`data_version`), ``currency`` and
``fiscal_year_start_month`` (the calendar ``fy_revenue`` was summed for).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    Select,
    String,
    Table,
    case,
    cast,
    column,
    func,
    insert,
    select,
    true,
    values,
)

from data_layer import schema
from data_layer.config import Calendar
from metrics.money import converted, rate_join
from metrics.sql import month_index

summary_metadata = MetaData()

# Keys are BIGINT like the synced copy's (data_layer/sync.py): a mapping may give 60-bit ids, as suitecrm-7 does.

order_month = Table(
    "granary_order_month",
    summary_metadata,
    Column("account_id", BigInteger, nullable=False),
    Column("unit_id", BigInteger),
    Column("bu_id", BigInteger),
    Column("product_id", BigInteger),
    Column("month_index", Integer, nullable=False),
    Column("month_start", Date, nullable=False),
    Column("revenue", Numeric(18, 2)),
    Column("positive_orders", Integer, nullable=False),
    Column("orders", Integer, nullable=False),
)

order_gap = Table(
    "granary_order_gap",
    summary_metadata,
    Column("account_id", BigInteger, nullable=False),
    Column("unit_id", BigInteger),
    Column("bu_id", BigInteger),
    Column("product_id", BigInteger),
    Column("month_index", Integer, nullable=False),
    Column("month_start", Date, nullable=False),
    Column("no_amount", Integer, nullable=False),
    Column("no_rate", Integer, nullable=False),
)

first_order = Table(
    "granary_first_order",
    summary_metadata,
    Column("account_id", BigInteger, nullable=False),
    Column("bu_id", BigInteger),
    Column("product_id", BigInteger),
    Column("first_order_date", Date, nullable=False),
)

#: The months ``granary_account_roll`` sums up to each month: churn's default activity window and the
#: retention year (:data:`metrics.churn.ACTIVE_MONTHS`, :data:`metrics.churn.RETENTION_MONTHS`).
ROLL_MONTHS = 12

account_roll = Table(
    "granary_account_roll",
    summary_metadata,
    Column("account_id", BigInteger, nullable=False),
    Column("month_index", Integer, nullable=False),
    Column("active", Integer, nullable=False),
    Column("revenue", Numeric(18, 2), nullable=False),
    Column("fy_revenue", Numeric(18, 2)),
)

summary_info = Table(
    "granary_summary_info",
    summary_metadata,
    Column("built_at", DateTime, nullable=False),
    Column("data_version", String(400), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("fiscal_year_start_month", Integer, nullable=False),
)


def data_version(conn: Connection, currency: str) -> str:
    """A fingerprint of what the summaries are computed from: row counts, sums and ranges of
    ``sales_order`` and ``exchange_rate``. Any append, delete, or change of an amount, date,
    account, unit, business unit, product, rate or reporting-currency share changes it (up to coincidences of
    sums that compensate exactly). One scan of each table: about 10 ms at M on DuckDB."""
    o, fx = schema.sales_order, schema.exchange_rate
    orders = conn.execute(
        select(
            func.count(),
            func.max(o.c.order_id),
            func.sum(o.c.amount),
            func.sum(o.c.account_id),
            func.sum(func.coalesce(o.c.unit_id, 0)),
            func.sum(func.coalesce(o.c.bu_id, 0)),
            func.sum(func.coalesce(o.c.product_id, 0) * 7 + month_index(o.c.order_date)),
            func.count(case((o.c.currency == currency, 1))),
            func.min(o.c.order_date),
            func.max(o.c.order_date),
        )
    ).one()
    rates = conn.execute(select(func.count(), func.sum(fx.c.rate), func.min(fx.c.valid_from), func.max(fx.c.valid_to))).one()
    return "|".join(str(v) for v in (BUILDER_VERSION, *orders, *rates))


#: Changes whenever the summaries' content changes for the same raw rows (e.g. how amounts are
#: rounded), so summaries an older Granary built read as stale and the raw tables are used.
BUILDER_VERSION = "summary-6"


#: Backends whose summaries are tested to reproduce the raw tables exactly. SQLite sums decimals as
#: doubles, so a sum of monthly sums would not equal the raw sum to the cent; MariaDB is untested.
SUMMARY_BACKENDS = frozenset({"duckdb", "postgresql"})


def supports_summaries(engine: Engine) -> bool:
    return engine.dialect.name in SUMMARY_BACKENDS


def build_summaries(engine: Engine, calendar: Calendar, currency: str) -> int:
    """Create (replacing) the summary tables from the raw tables, in one transaction, in the
    database; returns the number of summary rows. Months are calendar months of the order date (a
    business date); ``calendar`` says where fiscal years start, for the roll's ``fy_revenue``."""
    if not supports_summaries(engine):
        raise NotImplementedError(f"summary tables are built on {', '.join(sorted(SUMMARY_BACKENDS))}, not {engine.dialect.name}")
    o = schema.sales_order
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, currency)
    m = month_index(o.c.order_date)
    first_day = cast(func.date_trunc("month", o.c.order_date), Date)
    keys = (o.c.account_id, o.c.unit_id, o.c.bu_id, o.c.product_id, m, first_day)
    aggregate = (
        select(
            *keys[:4],
            m.label("month_index"),
            first_day.label("month_start"),
            func.sum(converted(o.c.amount, rate)).label("revenue"),
            func.count(case((o.c.amount > 0, 1))).label("positive_orders"),
            func.count().label("orders"),
        )
        .select_from(joined)
        .where(o.c.amount.is_not(None))
        .group_by(*keys)
        .order_by(m, o.c.account_id)
    )
    no_amount = func.count(case((o.c.amount.is_(None), 1)))
    no_rate = func.count(case((o.c.amount.is_not(None) & rate.is_(None), 1)))
    gaps = (
        select(*keys[:4], m.label("month_index"), first_day.label("month_start"), no_amount.label("no_amount"), no_rate.label("no_rate"))
        .select_from(joined)
        .group_by(*keys)
        .having((no_amount > 0) | (no_rate > 0))
    )
    firsts = (
        select(o.c.account_id, o.c.bu_id, o.c.product_id, func.min(o.c.order_date).label("first_order_date"))
        .where(o.c.amount > 0)
        .group_by(o.c.account_id, o.c.bu_id, o.c.product_id)
        .order_by(o.c.account_id)
    )
    with engine.begin() as conn:
        summary_metadata.drop_all(conn)
        summary_metadata.create_all(conn)
        conn.execute(
            insert(order_month).from_select(
                ["account_id", "unit_id", "bu_id", "product_id", "month_index", "month_start", "revenue", "positive_orders", "orders"],
                aggregate,
            )
        )
        conn.execute(
            insert(order_gap).from_select(
                ["account_id", "unit_id", "bu_id", "product_id", "month_index", "month_start", "no_amount", "no_rate"], gaps
            )
        )
        conn.execute(insert(first_order).from_select(["account_id", "bu_id", "product_id", "first_order_date"], firsts))
        conn.execute(
            insert(account_roll).from_select(["account_id", "month_index", "active", "revenue", "fy_revenue"], _rolled(calendar))
        )
        version = data_version(conn, currency)
        conn.execute(
            insert(summary_info).values(
                built_at=datetime.now(timezone.utc).replace(tzinfo=None), data_version=version, currency=currency,
                fiscal_year_start_month=calendar.fiscal_year_start_month,
            )
        )
        rows = conn.execute(select(func.count()).select_from(order_month)).scalar_one()
    return int(rows)


def _rolled(calendar: Calendar) -> Select:
    """``granary_account_roll``'s rows from ``granary_order_month``: each account's months, each
    counted in itself and the 11 months after it, summed per account and month; in ``fy_revenue`` only
    where the later month lies in the same fiscal year."""
    s = order_month
    months = (
        select(s.c.account_id, s.c.month_index, func.sum(s.c.revenue).label("revenue"),
               func.sum(s.c.positive_orders).label("positive_orders"))
        .group_by(s.c.account_id, s.c.month_index)
        .subquery("account_months")
    )
    offsets = values(column("k", Integer), name="roll_offsets").data([(k,) for k in range(ROLL_MONTHS)])
    month = (months.c.month_index + offsets.c.k).label("month_index")
    # The month's place in its fiscal year, 0 … 11 (month numbers are positive: no negative modulo).
    place = (months.c.month_index + (13 - calendar.fiscal_year_start_month)) % 12
    return (
        select(
            months.c.account_id,
            month,
            func.max(case((months.c.positive_orders > 0, 1), else_=0)).label("active"),
            func.coalesce(func.sum(months.c.revenue), 0).label("revenue"),
            func.sum(case((place + offsets.c.k <= 11, months.c.revenue))).label("fy_revenue"),
        )
        .select_from(months.join(offsets, true()))
        .group_by(months.c.account_id, month)
        .order_by(month, months.c.account_id)
    )
