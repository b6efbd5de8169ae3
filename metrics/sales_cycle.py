"""Sales cycle (days from opportunity created to won, and from lead created to first order) and the
amount-weighted win rate."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import pandas as pd
from sqlalchemy import ColumnElement, Select, case, func, select, true

from data_layer.connection import read_frame
from data_layer.filters import FACTS, Filters, buckets, local_midnight_utc
from metrics.base import Context, Grouping, Metric, group_column, grouped, groupings_for, in_period, not_applicable_for, scoped
from metrics.customers import first_purchases
from metrics.money import converted, rate_join
from metrics.sql import QUANTILES, bool_sum, days_between, distribution, local_date, seconds_between

FACT = FACTS["opportunity"]
SECONDS_PER_DAY = 86400
STATISTICS = ("n", *QUANTILES, "mean")


def _won_in_period(ctx: Context, flt: Filters) -> tuple[ColumnElement[bool], ...]:
    t = FACT.table
    return (
        t.c.status == "won",
        in_period(t.c.closed_at, flt.period, ctx.calendar, timestamp=True),
        *scoped(FACT, ctx, flt),
    )


def _won_deals(ctx: Context, flt: Filters, grouping: Grouping, *, backwards: bool) -> Select:
    """The opportunities won in the period, one row each: ``seconds`` from creation to the win and, when grouped,
    ``cycle_group``. With ``backwards`` the deals closed before they were created are kept, ``seconds`` NULL, so that
    one statement can count them; else they are left out."""
    t = FACT.table
    group = group_column(grouping, ctx, flt, date=t.c.closed_at, unit=t.c.unit_id, timestamp=True, fact=FACT)
    forward = t.c.closed_at >= t.c.created_at
    seconds = seconds_between(t.c.closed_at, t.c.created_at)
    # The group and the seconds are computed once per deal, in a subquery, so the windows that rank
    # and count within each group partition by a column rather than re-evaluate the unit CASE (about
    # a third faster by unit at demo size M on DuckDB); the values, hence the statistics, are the same.
    columns = [(case((forward, seconds)) if backwards else seconds).label("seconds")]
    if group is not None:
        columns.append(group.label("cycle_group"))
    return select(*columns).where(*_won_in_period(ctx, flt), *(() if backwards else (forward,)))


def cycle_select(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    """``group`` (when grouped), ``n``, ``p25``, ``median``, ``p75``, ``p90`` and ``mean`` of the
    cycle in days of the opportunities won in the period."""
    won = _won_deals(ctx, flt, grouping, backwards=False).subquery("won")
    return distribution(won.c.seconds, group=won.c.get("cycle_group"), divide_by=SECONDS_PER_DAY)


def median_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    """``numerator`` (the median cycle), ``group`` when grouped, and ``opportunities_closed_before_created``: the
    deals won in the period but left out because their close precedes their creation — one pass over the won deals
    (a CTE) feeds both, and every group with a won deal has a row, even one whose deals were all left out."""
    won = _won_deals(ctx, flt, grouping, backwards=True).cte("won")
    group = won.c.get("cycle_group")
    cycle = distribution(won.c.seconds, group=group, divide_by=SECONDS_PER_DAY).subquery("cycle")
    backwards = bool_sum(won.c.seconds.is_(None)).label("opportunities_closed_before_created")
    if group is None:
        counts = select(backwards).subquery("left_out")  # one row, as the ungrouped distribution's
        return select(cycle.c.median.label("numerator"), counts.c.opportunities_closed_before_created).select_from(
            counts.join(cycle, true())
        )
    counts = select(group.label("group"), backwards).group_by(group).subquery("left_out")
    return select(cycle.c.median.label("numerator"), counts.c.group, counts.c.opportunities_closed_before_created).select_from(
        counts.outerjoin(cycle, cycle.c.group.is_not_distinct_from(counts.c.group))
    )


def cycle_distribution(ctx: Context, flt: Filters, by: Literal["bucket", "unit"] | None = None) -> pd.DataFrame:
    """The sales cycle's distribution: one row, one per child unit (``group``), or one per trend
    bucket of the period (``bucket_start``, every bucket present, ``n`` 0 where nothing was won);
    columns ``n``, ``p25``, ``median``, ``p75``, ``p90``, ``mean`` (days)."""
    return _shape(read_frame(ctx.engine, cycle_select(ctx, flt, Grouping(by))), ctx, flt, by)


def win_rate_by_amount_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    t = FACT.table
    close_date = local_date(t.c.closed_at, flt.period.start, flt.period.end, ctx.calendar)
    joined, rate = rate_join(t, t.c.currency, close_date, ctx.currency)
    amount = converted(t.c.amount, rate)
    group = group_column(grouping, ctx, flt, date=t.c.closed_at, unit=t.c.unit_id, timestamp=True, fact=FACT)
    stmt = (
        select(
            func.sum(case((t.c.status == "won", amount))).label("numerator"),
            func.sum(amount).label("denominator"),
            bool_sum(t.c.amount.is_(None)).label("opportunities_no_amount"),
            bool_sum(t.c.amount.is_not(None) & rate.is_(None)).label("opportunities_no_rate"),
        )
        .select_from(joined)
        .where(
            in_period(t.c.closed_at, flt.period, ctx.calendar, timestamp=True),
            t.c.status.in_(("won", "lost")),
            *scoped(FACT, ctx, flt),
        )
    )
    return grouped(stmt, group)


MEDIAN_DAYS = Metric(
    key="sales_cycle_median_days",
    label={"en": "Sales cycle (median days)", "zh": "销售周期（中位天数）"},
    definition={
        "en": "Median days from an opportunity's creation to its win, over the opportunities won in the period "
        "(close time in the company's time zone). Days are fractional, from the timestamps (won six hours after "
        "opening = 0.25); the median interpolates linearly between the two middle deals (percentile_cont). "
        "Opportunities closed before they were created are left out. Credited to the unit, business unit and rep "
        "stored on the opportunity. Not computed when nothing was won.",
        "zh": "期间内赢单的商机（按公司时区的关闭时间）从创建到赢单的天数中位数。"
        "天数按时间戳计、带小数（创建六小时后赢单计 0.25 天）；中位数在中间两笔商机之间线性插值（percentile_cont）。"
        "关闭时间早于创建时间的商机不计入。计入商机上记录的组织单元、经营单元和销售。期间内无赢单时不计算。",
    },
    kind="days",
    better="down",
    query=median_query,
    not_applicable=not_applicable_for(FACT),
    groupings=groupings_for(FACT),
    periods_in_one_query=True,
    excluded=("opportunities_closed_before_created",),
)

WIN_RATE_BY_AMOUNT = Metric(
    key="win_rate_by_amount",
    label={"en": "Win rate by amount", "zh": "金额赢单率"},
    definition={
        "en": "Won amount ÷ (won + lost amount), over the opportunities closed in the period (close time in the "
        "company's time zone), each amount converted to the reporting currency at the exchange rate in force on "
        "its close date in the company's time zone. Opportunities with no amount, or in a currency with no rate "
        "that day, are left out. Not computed when no opportunity closed in the period has an amount.",
        "zh": "赢单金额 ÷（赢单金额 + 输单金额），统计期间内关闭的商机（按公司时区的关闭时间），"
        "每笔金额按公司时区关闭日当日有效汇率折算为报告货币。无金额或当日无汇率的商机不计入；"
        "期间内关闭的商机均无可计金额时不计算。",
    },
    kind="ratio",
    better="up",
    query=win_rate_by_amount_query,
    not_applicable=not_applicable_for(FACT),
    groupings=groupings_for(FACT),
    excluded=("opportunities_no_amount", "opportunities_no_rate"),
    # Not periods_in_one_query, though it could: its close dates' local-date CASE grows with the span
    # asked, so one query over a quarter, the quarter before and a year ago (15 months) measured slower
    # at demo size M than three over 3 months each (1.35 s against 1.0 s on DuckDB).
)

METRICS = (MEDIAN_DAYS, WIN_RATE_BY_AMOUNT)


# --- Lead created to first order -------------------------------------------------------------------

LEAD = FACTS["lead"]
#: A lead counts as the start of an account's journey only if created at most this many days before its first order.
LEAD_LOOKBACK_DAYS = 730


def _shape(frame: pd.DataFrame, ctx: Context, flt: Filters, by: Literal["bucket", "unit"] | None) -> pd.DataFrame:
    """A distribution select's rows: ``n`` as int, statistics as floats or None; by unit sorted by
    ``group``; by bucket one row per trend bucket (``bucket_start``), ``n`` 0 where there was none."""
    frame["n"] = frame["n"].astype(int)
    for column in STATISTICS[1:]:
        frame[column] = [None if v is None or pd.isna(v) else float(v) for v in frame[column]]
    if by == "unit":
        return frame[["group", *STATISTICS]].sort_values("group", ignore_index=True)
    if by == "bucket":
        rows = {int(g): r for g, r in zip(frame["group"], frame.to_dict("records"), strict=True) if g is not None}
        empty = {"n": 0, **dict.fromkeys(STATISTICS[1:])}
        starts = buckets(flt.period, ctx.calendar)
        return pd.DataFrame([{"bucket_start": s, **{k: rows.get(i, empty)[k] for k in STATISTICS}} for i, s in enumerate(starts)])
    return frame[list(STATISTICS)]


def lead_to_order_select(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    """``group`` (when grouped), ``n``, ``p25``, ``median``, ``p75``, ``p90`` and ``mean`` of the
    whole days from lead created to the account's first order, over the first orders in the period.

    Each account whose first order ever with an amount above zero (:func:`metrics.customers.first_purchases`)
    falls in the period is paired with its earliest lead whose business date (company zone) is on or
    before that order's date and at most :data:`LEAD_LOOKBACK_DAYS` days before it; the earliest lead is
    chosen among all leads, before scope, and the pair is credited to that lead's unit.
    """
    lead = LEAD.table
    period = flt.period
    lo = period.start - timedelta(days=LEAD_LOOKBACK_DAYS)
    first = first_purchases(ctx, flt)
    lead_day = local_date(lead.c.created_at, lo, period.end, ctx.calendar)
    days = days_between(first.c.first_order_date, lead_day)
    rank = func.row_number().over(partition_by=first.c.account_id, order_by=(lead.c.created_at, lead.c.lead_id))
    pairs = (
        select(lead.c.lead_id, first.c.first_order_date, days.label("days"), rank.label("nth_lead"))
        .select_from(first.join(lead, lead.c.account_id == first.c.account_id))
        .where(
            in_period(first.c.first_order_date, period, ctx.calendar, timestamp=False),
            lead.c.created_at >= local_midnight_utc(lo, ctx.calendar),
            lead.c.created_at < local_midnight_utc(period.end + timedelta(days=1), ctx.calendar),
            lead_day <= first.c.first_order_date,
            days <= LEAD_LOOKBACK_DAYS,
        )
        .subquery("lead_first_order")
    )
    group = group_column(grouping, ctx, flt, date=pairs.c.first_order_date, unit=lead.c.unit_id, timestamp=False)
    return distribution(
        pairs.c.days,
        where=(pairs.c.nth_lead == 1, *scoped(LEAD, ctx, flt)),
        group=group,
        select_from=pairs.join(lead, lead.c.lead_id == pairs.c.lead_id),
    )


def lead_to_order_distribution(ctx: Context, flt: Filters, by: Literal["bucket", "unit"] | None = None) -> pd.DataFrame:
    """The lead-to-first-order cycle's distribution, shaped as :func:`cycle_distribution` (days, whole)."""
    return _shape(read_frame(ctx.engine, lead_to_order_select(ctx, flt, Grouping(by))), ctx, flt, by)


def lead_to_order_median_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    cycle = lead_to_order_select(ctx, flt, grouping).subquery("lead_cycle")
    columns = [cycle.c.median.label("numerator")]
    if grouping.by is not None:
        columns.append(cycle.c.group)
    return select(*columns)


LEAD_TO_ORDER_MEDIAN_DAYS = Metric(
    key="lead_to_order_median_days",
    label={"en": "Lead to first order (median days)", "zh": "线索到首单（中位天数）"},
    definition={
        "en": "Median whole days from lead created to the account's first order, over the accounts whose first order "
        "ever with an amount above zero is dated in the period (order date). Each such account is paired with its "
        "earliest lead created (in the company's time zone) on or before that order's date and at most 730 days "
        "before it; accounts with no such lead are left out. Days are business dates (a first order the day the "
        "lead came in = 0); the median interpolates linearly (percentile_cont). Credited to the unit that earliest "
        "lead was routed to; with a business-unit or product filter, the first order in those business units or "
        "products. Not computed when no first order in the period has a lead.",
        "zh": "从线索创建到客户首单的整天数中位数，统计首笔金额大于零的订单（按下单日期）落在期间内的客户。"
        "每个此类客户与其在首单日当天或之前、且不早于首单 730 天（按公司时区）创建的最早线索配对；无此类线索的客户不计入。"
        "天数按业务日期计（线索当天即下首单计 0 天）；中位数线性插值（percentile_cont）。计入该最早线索分派到的组织单元；"
        "选择经营单元或产品时，按这些经营单元或产品中的首单计。期间内首单均无线索时不计算。",
    },
    kind="days",
    better="down",
    query=lead_to_order_median_query,
    periods_in_one_query=True,
)
