"""Key accounts (DOMAIN.md §4): the biggest accounts in view and how each is served, at a glance — the screen GE's
engine group put in front of every employee each morning.

Decisions (the definitions the page shows say the same):

- **Reference day** = the period's last day, or the as-of day if earlier: every stock below is read at its end.
- **Which accounts.** The accounts in the viewer's scope and the unit, segment and source filters, by their home unit
  as of the period's end (:func:`data_layer.filters.scoped_accounts`, as share of wallet and profitability), ranked by
  **revenue over the 12 months to the reference day** (orders dated from the day after the same day a year earlier,
  in every unit and in the business units and products the viewer may see and chose, each converted at its order
  date's rate and rounded to the cent, credit notes netted), most first, ties by account id; only accounts whose
  revenue is above zero; the first N. Revenue, not profitability's value score: it needs no cost data or settings,
  is the figure account managers are measured on, and does not move with the period's length.
- **Open complaints**: the account's complaints opened by the end of the reference day and not resolved by then,
  whenever opened, in the business units and products allowed (a ticket's business unit is its order's, else its
  product's, as on the service page).
- **Late deliveries**: the account's orders (not credit notes, booked by the as-of day) whose promised delivery date
  falls in the period before the as-of day and that did not ship on or before it — shipped after it, or not shipped.
- **Share of wallet** as on the share-of-wallet page for one account: its fiscal-year-to-date revenue at the reference
  day (a net below zero counts as zero) ÷ its wallet estimate for that fiscal year at that day's rate; **a year
  earlier** the same at the same day a year before, with that year's estimate. None without a usable estimate.
- **Churn risk** is churn's rule (:func:`metrics.churn.accounts_at_risk`): at risk when the days since its last order
  above zero exceed its usual reorder interval, the median of the days between its consecutive order dates (several
  orders a day count once); an account with a single such date has no usual interval and is never at risk.
- **Owner**: the owner in ``account_history`` on the reference day, else the account's current owner.
- **Days since last contact**: from the local day of its latest activity up to the end of the reference day.
- **Needs attention** when any of :data:`REASONS` holds: an open complaint; a late delivery; no contact for more than
  :data:`NO_CONTACT_DAYS` days (or never); at risk; share of wallet down :data:`SHARE_FALL` (5 points) or more on a
  year earlier. Accounts that need attention come first, most reasons first, then by revenue.

Two statements: the first ranks every account in view and keeps the top N; the second reads the details of those N
only (their ids as bound parameters).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Date, Numeric, Select, Subquery, and_, case, func, literal, or_, select, type_coerce

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import Filters, account_order_conditions, add_months, home_unit_on, local_midnight_utc, scoped_accounts
from metrics.base import Context
from metrics.money import converted, rate_join
from metrics.service import tickets
from metrics.sql import days_between, distribution, whole_cents
from metrics.wallet import account_revenue, account_wallets, fiscal_year_to

#: How many accounts the page shows unless asked for another number.
DEFAULT_TOP = 20
#: An account not contacted for more than this many days needs attention.
NO_CONTACT_DAYS = 60
#: A fall in share of wallet on a year earlier of this much (5 percentage points) or more needs attention.
SHARE_FALL = 0.05
#: The reasons an account needs attention, in the order they are listed.
REASONS = ("complaint", "late", "no_contact", "at_risk", "share_falling")

COLUMNS = [
    "rank", "account_id", "account", "unit", "owner", "revenue_12m", "open_complaints", "late_deliveries",
    "share", "share_year_ago", "share_change", "last_order_date", "days_since_last_order", "usual_interval_days",
    "at_risk", "last_contact", "days_since_contact", "reasons", "needs_attention",
]


def reference_day(ctx: Context, flt: Filters) -> date:
    """The day the stocks are read at: the period's last day, or the as-of day if earlier."""
    return min(flt.period.end, ctx.as_of)


def window(ref: date) -> tuple[date, date]:
    """The 12 months the ranking reads: from the day after the same day a year earlier to ``ref``."""
    return add_months(ref, -12) + timedelta(days=1), ref


# --- Statement 1: the top N ---------------------------------------------------------------------------------------


def top_select(ctx: Context, flt: Filters, n: int) -> Select:
    """The ``n`` accounts in view with the most revenue over the 12 months to the reference day: ``account_id``,
    ``revenue_cents``, most first (ties by account id). The caller drops the rows not above zero: they sort last, so
    dropping them after the limit keeps the same accounts. (Filtering here once met a DuckDB 2.0 fault that dropped
    every row; data_layer.connection.DUCKDB_SESSION now turns off the optimizer behind it.)"""
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, flt.period.end, home=False)
    revenue = account_revenue(ctx, flt, *window(reference_day(ctx, flt)))
    cents = revenue.c.revenue_cents
    return (
        select(revenue.c.account_id, cents.label("revenue_cents"))
        .select_from(accounts.join(revenue, revenue.c.account_id == accounts.c.account_id))
        .order_by(cents.desc(), revenue.c.account_id)
        .limit(n)
    )


# --- Statement 2: the details of those N ----------------------------------------------------------------------------


def _bu_ids(codes: tuple[str, ...]) -> Select:
    bu = schema.business_unit
    return select(bu.c.bu_id).where(bu.c.code.in_(codes))


def _open_complaints(ctx: Context, flt: Filters, ids: list[int], end: datetime) -> Subquery:
    fact = tickets(ctx, flt)
    tk, p = fact.table, schema.product
    conds = [tk.c.account_id.in_(ids), tk.c.kind == "complaint", tk.c.opened_at < end, or_(tk.c.resolved_at.is_(None), tk.c.resolved_at >= end)]
    for codes in (ctx.viewer.bus, flt.bus or None):
        if codes is not None:
            conds.append(tk.c.bu_id.in_(_bu_ids(codes)))
    if flt.products:
        conds.append(tk.c.product_id.in_(select(p.c.product_id).where(p.c.code.in_(flt.products))))
    return select(tk.c.account_id, func.count().label("open_complaints")).where(*conds).group_by(tk.c.account_id).subquery("complaints")


def _late(ctx: Context, flt: Filters, ids: list[int]) -> Subquery:
    o = schema.sales_order
    promised, shipped = o.c.promised_delivery_date, o.c.shipped_date
    last = min(flt.period.end, ctx.as_of - timedelta(days=1))
    return (
        select(o.c.account_id, func.count().label("late_deliveries"))
        .where(
            o.c.account_id.in_(ids),
            or_(o.c.amount.is_(None), o.c.amount >= 0),
            o.c.order_date <= ctx.as_of,
            promised >= flt.period.start,
            promised <= literal(last, Date()),
            or_(shipped.is_(None), shipped > promised),
            *account_order_conditions(flt, ctx.viewer),
        )
        .group_by(o.c.account_id)
        .subquery("late")
    )


def _reorders(ctx: Context, flt: Filters, ids: list[int], ref: date) -> tuple[Subquery, Subquery]:
    """Each account's last order date above zero by ``ref`` and its usual interval (``median`` of the gaps, ``n``)."""
    o = schema.sales_order
    dates = (
        select(o.c.account_id, o.c.order_date)
        .where(o.c.account_id.in_(ids), o.c.amount > 0, o.c.order_date <= literal(ref, Date()), *account_order_conditions(flt, ctx.viewer))
        .distinct()
        .subquery("order_dates")
    )
    previous = func.lag(dates.c.order_date).over(partition_by=dates.c.account_id, order_by=dates.c.order_date)
    gaps = select(dates.c.account_id, days_between(dates.c.order_date, type_coerce(previous, Date())).label("gap")).subquery("gaps")
    usual = distribution(gaps.c.gap, group=gaps.c.account_id, quantiles={"median": 0.5}).subquery("usual")
    last = select(dates.c.account_id, func.max(dates.c.order_date).label("last_date")).group_by(dates.c.account_id).subquery("last_order")
    return last, usual


def _fiscal_revenue(ctx: Context, flt: Filters, ids: list[int], on: date, name: str) -> Subquery:
    """Each account's revenue in cents from the start of ``on``'s fiscal year to ``on``, as share of wallet reads it."""
    o = schema.sales_order
    _, start = fiscal_year_to(on, ctx)
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    return (
        select(o.c.account_id, whole_cents(func.sum(type_coerce(converted(o.c.amount, rate), Numeric(38, 2)))).label("revenue_cents"))
        .select_from(joined)
        .where(o.c.account_id.in_(ids), o.c.order_date >= start, o.c.order_date <= on, o.c.amount.is_not(None),
               *account_order_conditions(flt, ctx.viewer))
        .group_by(o.c.account_id)
        .subquery(name)
    )


def details_select(ctx: Context, flt: Filters, ids: list[int]) -> Select:
    """One row per account of ``ids``: name, home unit (as of the period's end), owner, open complaints, late
    deliveries, fiscal-year revenue and wallet now and a year earlier, last order and usual interval, last contact."""
    a, h, r, act = schema.account, schema.account_history, schema.rep, schema.activity
    ref = reference_day(ctx, flt)
    end = local_midnight_utc(ref + timedelta(days=1), ctx.calendar)
    ago = add_months(ref, -12)
    complaints, late = _open_complaints(ctx, flt, ids, end), _late(ctx, flt, ids)
    last, usual = _reorders(ctx, flt, ids, ref)
    rev_now, rev_ago = _fiscal_revenue(ctx, flt, ids, ref, "fy_now"), _fiscal_revenue(ctx, flt, ids, ago, "fy_ago")
    wal_now = account_wallets(ctx, fiscal_year_to(ref, ctx)[0], ref).alias("wallet_now")
    wal_ago = account_wallets(ctx, fiscal_year_to(ago, ctx)[0], ago).alias("wallet_ago")
    owners = (
        select(h.c.account_id, func.max(h.c.owner_rep_id).label("owner_rep_id"), func.count().label("rows"))
        .where(h.c.account_id.in_(ids), h.c.valid_from <= ref, or_(h.c.valid_to.is_(None), h.c.valid_to > ref))
        .group_by(h.c.account_id)
        .subquery("owner_then")
    )
    contact = (
        select(act.c.account_id, func.max(act.c.occurred_at).label("last_contact"))
        .where(act.c.account_id.in_(ids), act.c.occurred_at < end)
        .group_by(act.c.account_id)
        .subquery("contact")
    )
    owner = case((owners.c.rows > 0, owners.c.owner_rep_id), else_=a.c.owner_rep_id)
    joined = (
        a.outerjoin(complaints, complaints.c.account_id == a.c.account_id)
        .outerjoin(late, late.c.account_id == a.c.account_id)
        .outerjoin(last, last.c.account_id == a.c.account_id)
        .outerjoin(usual, usual.c.group == a.c.account_id)
        .outerjoin(rev_now, rev_now.c.account_id == a.c.account_id)
        .outerjoin(rev_ago, rev_ago.c.account_id == a.c.account_id)
        .outerjoin(wal_now, wal_now.c.account_id == a.c.account_id)
        .outerjoin(wal_ago, wal_ago.c.account_id == a.c.account_id)
        .outerjoin(owners, owners.c.account_id == a.c.account_id)
        .outerjoin(r, r.c.rep_id == owner)
        .outerjoin(contact, contact.c.account_id == a.c.account_id)
    )
    return select(
        a.c.account_id,
        a.c.name,
        home_unit_on(a.c.account_id, a.c.home_unit_id, flt.period.end).label("home_unit_id"),
        r.c.name.label("owner"),
        func.coalesce(complaints.c.open_complaints, 0).label("open_complaints"),
        func.coalesce(late.c.late_deliveries, 0).label("late_deliveries"),
        rev_now.c.revenue_cents.label("fy_cents"),
        wal_now.c.wallet_cents.label("wallet_cents"),
        rev_ago.c.revenue_cents.label("fy_ago_cents"),
        wal_ago.c.wallet_cents.label("wallet_ago_cents"),
        last.c.last_date,
        usual.c.median.label("usual_interval"),
        contact.c.last_contact,
    ).select_from(joined).where(a.c.account_id.in_(ids))


# --- Assembly -------------------------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT


def _share(revenue: object, wallet: object) -> float | None:
    if _missing(wallet) or int(Decimal(str(wallet))) <= 0:
        return None
    net = 0 if _missing(revenue) else max(int(Decimal(str(revenue))), 0)
    return net / int(Decimal(str(wallet)))


def _as_date(value: object) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(str(value)).date()


def reasons_of(row: dict[str, Any]) -> tuple[str, ...]:
    """The reasons (of :data:`REASONS`) a row of :func:`key_accounts` needs attention."""
    change = row["share_change"]
    found = {
        "complaint": row["open_complaints"] > 0,
        "late": row["late_deliveries"] > 0,
        "no_contact": row["days_since_contact"] is None or row["days_since_contact"] > NO_CONTACT_DAYS,
        "at_risk": bool(row["at_risk"]),
        # A float tolerance: 0.30 − 0.35 is −0.04999… in binary, and a fall of exactly 5 points counts.
        "share_falling": change is not None and change <= -SHARE_FALL + 1e-12,
    }
    return tuple(k for k in REASONS if found[k])


def key_accounts(ctx: Context, flt: Filters, n: int = DEFAULT_TOP) -> pd.DataFrame:
    """The top ``n`` accounts in view by revenue over the 12 months to the reference day, with their health (columns
    :data:`COLUMNS`; ``rank`` 1 = most revenue, ``revenue_12m`` exact money, shares as fractions and ``share_change`` in
    fractions of one, ``reasons`` a tuple of :data:`REASONS`), those needing attention first (most reasons first), then
    by rank."""
    if n < 1:
        raise ValueError(f"the number of key accounts must be at least 1, not {n}")
    top = read_frame(ctx.engine, top_select(ctx, flt, n))
    top = top[[int(Decimal(str(c))) > 0 for c in top["revenue_cents"]]]
    if top.empty:
        return pd.DataFrame(columns=COLUMNS)
    ids = [int(v) for v in top["account_id"]]
    details = {int(r["account_id"]): r for r in read_frame(ctx.engine, details_select(ctx, flt, ids)).to_dict("records")}
    ref = reference_day(ctx, flt)
    rows = []
    for rank, (account_id, cents) in enumerate(zip(ids, top["revenue_cents"], strict=True), start=1):
        d = details[account_id]
        unit = None if _missing(d["home_unit_id"]) else ctx.org.by_id(int(d["home_unit_id"]))
        last_order = _as_date(d["last_date"])
        since_order = None if last_order is None else (ref - last_order).days
        usual = None if _missing(d["usual_interval"]) else float(d["usual_interval"])
        contacted = d["last_contact"]
        last_contact = None
        if not _missing(contacted):
            instant = pd.Timestamp(contacted).to_pydatetime().replace(tzinfo=UTC)
            last_contact = instant.astimezone(ctx.calendar.zone).date()
        share, share_ago = _share(d["fy_cents"], d["wallet_cents"]), _share(d["fy_ago_cents"], d["wallet_ago_cents"])
        row: dict[str, Any] = {
            "rank": rank,
            "account_id": account_id,
            "account": d["name"],
            "unit": unit.code if unit else None,
            "owner": None if _missing(d["owner"]) else d["owner"],
            "revenue_12m": Decimal(int(Decimal(str(cents)))).scaleb(-2),
            "open_complaints": int(d["open_complaints"]),
            "late_deliveries": int(d["late_deliveries"]),
            "share": share,
            "share_year_ago": share_ago,
            "share_change": None if share is None or share_ago is None else share - share_ago,
            "last_order_date": last_order,
            "days_since_last_order": since_order,
            "usual_interval_days": usual,
            "at_risk": usual is not None and since_order is not None and since_order > usual,
            "last_contact": last_contact,
            "days_since_contact": None if last_contact is None else (ref - last_contact).days,
        }
        row["reasons"] = reasons_of(row)
        row["needs_attention"] = bool(row["reasons"])
        rows.append(row)
    rows.sort(key=lambda r: (not r["needs_attention"], -len(r["reasons"]), r["rank"]))
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


def statements(ctx: Context, flt: Filters, ids: list[int] | None = None) -> dict[str, Select]:
    """Both statements this module sends for ``ctx`` and ``flt`` (the details for ``ids``): built, not run."""
    return {"top": top_select(ctx, flt, DEFAULT_TOP), "details": details_select(ctx, flt, ids or [1])}


#: What each column and the needs-attention rule mean, as the page's help and definitions show them.
DEFINITIONS: dict[str, dict[str, str]] = {
    "ranking": {
        "en": "The accounts in your scope and the unit, segment and source filters (home unit as of the period's end) with the most "
        "revenue over the 12 months to the reference day — the period's last day, or the as-of day if earlier: orders in "
        "every unit, in the business units and products allowed, each converted at its order date's rate, credit notes "
        "netted; only accounts above zero. Every figure below is read on the reference day.",
        "zh": "您的权限范围及组织单元、客户类型、来源筛选内（按期末归属单元）截至参考日近 12 个月收入最高的客户；参考日为期间最后一天，"
        "若数据日更早则为数据日。收入含所有单元的订单，限于允许的经营单元与产品，每笔按下单当日汇率折算，贷项相抵；只列收入大于零的客户。"
        "下列各项均按参考日读取。",
    },
    "complaints": {
        "en": "Complaints opened by the end of the reference day and not resolved by then, whenever opened.",
        "zh": "截至参考日结束已新建且尚未解决的投诉（不论何时新建）。",
    },
    "late": {
        "en": "Orders (not credit notes) whose promised delivery date falls in the period before the as-of day and that did "
        "not ship on or before it: shipped later, or not shipped yet.",
        "zh": "承诺交付日期在期间内且早于数据日、却未在该日或之前发货（晚发或尚未发货）的订单（贷项除外）。",
    },
    "share": {
        "en": "Fiscal-year-to-date revenue on the reference day ÷ the account's wallet estimate for that fiscal year, and the "
        "change against the same day a year earlier (that year's estimate), in percentage points. Blank without an estimate.",
        "zh": "参考日的财年累计收入 ÷ 该客户当年的钱包估算，以及与上年同日（按上年估算）相比的变化（百分点）。无估算时留空。",
    },
    "risk": {
        "en": "Days since the last order above zero against the usual reorder interval — the median of the days between the "
        "account's consecutive order dates. At risk when the days since are more than the usual interval (as on the Churn page); "
        "an account with a single order date has no usual interval.",
        "zh": "距上次金额大于零的订单的天数，对比通常复购间隔（客户相邻下单日期间隔天数的中位数）。超过通常间隔即有流失风险（同客户流失页）；"
        "只有一个下单日期的客户没有通常间隔。",
    },
    "contact": {
        "en": "Days from the local day of the latest call, visit, e-mail or meeting to the reference day. Owner: the account's "
        "owner on the reference day.",
        "zh": "从最近一次电话、拜访、邮件或会议的当地日期到参考日的天数。负责人：参考日时的客户负责人。",
    },
    "attention": {
        "en": f"An account needs attention when it has an open complaint, a late delivery, no contact for more than "
        f"{NO_CONTACT_DAYS} days (or never), is at risk of churn, or its share of wallet fell {SHARE_FALL * 100:.0f} percentage points or more "
        "on a year earlier. Those come first, most reasons first, then by revenue.",
        "zh": f"客户有未解决投诉、有延迟交付、超过 {NO_CONTACT_DAYS} 天未联系（或从未联系）、有流失风险，或客户购买份额较上年同期下降 "
        f"{SHARE_FALL * 100:.0f} 个百分点或以上时，即需关注。需关注的客户排在前面，原因多的在前，其余按收入排序。",
    },
}
