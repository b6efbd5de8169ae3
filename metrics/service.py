"""Service and delivery (DOMAIN.md §4): complaints, how fast service answers and resolves, how customers rate it,
and whether orders ship when promised.

Decisions (the definitions the UI shows say the same):

- **Whose ticket.** A ticket belongs to the unit of the order it concerns (``sales_order.unit_id``), like the order
  itself: the unit that sold and delivered is answerable for complaints about it, and the complaint rate's complaints
  and orders then share one attribution. A ticket that names no order (or an order missing from the table) belongs to
  its account's home unit as of the period's end (the ``account_history`` row in force that day, else
  ``account.home_unit_id``), as account-level measures do — but in the list of complaints open now, as of the as-of
  day. Its business unit is the order's, else its product's; its
  product is its own, else the order's. The viewer's scope and the filters read these (:func:`tickets`): a regional
  head sees the tickets about their units' orders and the order-less tickets of the accounts homed in their region.
- **Which tickets.** Every ticket measure counts the tickets *opened* in the period (local dates) up to the end of the
  as-of day; later events have not happened yet, so a response or resolution after that counts as none.
- **Complaint rate** = complaints opened ÷ orders booked (order date; credit notes are not orders), in the same
  period, scope and split. A complaint need not concern one of those orders: it is a rate of complaints per order.
- **First response / resolution** run from ``opened_at`` to ``first_response_at`` / ``resolved_at`` in hours (whole
  seconds ÷ 3600), median and 90th percentile exact via :func:`metrics.sql.distribution`. A ticket not answered
  (resolved) by the end of the as-of day is left out and counted; one answered (resolved) before it was opened is a
  data error, left out and counted.
- **Satisfaction**: over the tickets rated 1–5, the mean rating and the share rated 4 or 5. Unrated tickets and
  ratings outside 1–5 (data errors) are left out and counted.
- **On-time delivery** = orders shipped on or before their promised delivery date ÷ orders with a promised date shipped
  in the period (shipped date, up to the as-of day; credit notes left out). Shipped orders with no promised date are
  left out and counted. Credited like the order (``FACTS["sales_order"]``).
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

import pandas as pd
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    true,
    union_all,
)

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import FACTS, Fact, Filters, Period, homes_on
from metrics.base import (
    Context,
    Grouping,
    Metric,
    as_of_instant,
    evaluate,
    group_column,
    grouped,
    groupings_for,
    in_period,
    not_applicable_for,
    scoped,
)
from metrics.sql import bool_sum, distribution, seconds_between, to_double

ORDERS = FACTS["sales_order"]
SECONDS_PER_HOUR = 3600
#: The satisfaction scale.
RATING_LOW, RATING_HIGH, SATISFIED_FROM = 1, 5, 4


# --- Tickets, with the unit, business unit and product they are credited to -------------------------------------


def tickets(ctx: Context, flt: Filters, homed_on: date | None = None) -> Fact:
    """``service_ticket`` as a fact the filters and the scope can read: each ticket with ``unit_id`` (its order's unit,
    else its account's home unit on ``homed_on``, by default the period's end), ``bu_id`` (its order's, else its
    product's) and ``product_id`` (its own, else its order's). A subquery named ``tickets``; the caller selects from
    ``fact.table``."""
    t, o, p, a = schema.service_ticket, schema.sales_order, schema.product, schema.account
    product_id = func.coalesce(t.c.product_id, o.c.product_id)
    has_order = o.c.order_id.is_not(None)
    then = homes_on(flt.period.end if homed_on is None else homed_on)
    home = func.coalesce(then.c.home_unit_id, a.c.home_unit_id)
    credited = (
        select(
            t.c.ticket_id,
            t.c.account_id,
            t.c.order_id,
            product_id.label("product_id"),
            t.c.kind,
            t.c.opened_at,
            t.c.first_response_at,
            t.c.resolved_at,
            t.c.satisfaction,
            t.c.subject,
            case((has_order, o.c.unit_id), else_=home).label("unit_id"),
            case((has_order & o.c.bu_id.is_not(None), o.c.bu_id), else_=p.c.bu_id).label("bu_id"),
        )
        .select_from(
            t.outerjoin(o, o.c.order_id == t.c.order_id)
            .outerjoin(p, p.c.product_id == product_id)
            .outerjoin(a, a.c.account_id == t.c.account_id)
            .outerjoin(then, then.c.account_id == t.c.account_id)
        )
        .subquery("tickets")
    )
    return Fact(credited, unit="unit_id", bu="bu_id", product="product_id", account="account_id", source="account_id",  # type: ignore[arg-type]
                source_via_account=True)


def _opened(fact: Fact, ctx: Context, flt: Filters) -> tuple[ColumnElement[bool], ...]:
    """The tickets opened in the period, by the end of the as-of day, in the viewer's scope and the filters."""
    opened = fact.table.c.opened_at
    return (in_period(opened, flt.period, ctx.calendar, timestamp=True), opened < as_of_instant(ctx), *scoped(fact, ctx, flt))


def _ticket_group(fact: Fact, ctx: Context, flt: Filters, grouping: Grouping) -> ColumnElement[Any] | None:
    return group_column(grouping, ctx, flt, date=fact.table.c.opened_at, unit=fact.table.c.unit_id, timestamp=True, fact=fact)


def _plain_group(group: ColumnElement[Any] | None) -> bool:
    """A group worth computing per row inside a subquery (not a constant, which is selected outside it)."""
    return group is not None and not isinstance(group, BindParameter)


# --- Complaint rate -------------------------------------------------------------------------------------------------


def _complaint_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    fact = tickets(ctx, flt)
    tk, o = fact.table, ORDERS.table
    t_group = _ticket_group(fact, ctx, flt, grouping)
    o_group = group_column(grouping, ctx, flt, date=o.c.order_date, unit=o.c.unit_id, timestamp=False, fact=ORDERS)
    per_row = _plain_group(t_group)

    def part(group: ColumnElement[Any] | None, complaint: int, order: int) -> list[ColumnElement[Any]]:
        columns = [literal_column(str(complaint), Integer()).label("complaint"), literal_column(str(order), Integer()).label("is_order")]
        return columns + ([group.label("g")] if per_row and group is not None else [])

    complaints = select(*part(t_group, 1, 0)).select_from(tk).where(tk.c.kind == "complaint", *_opened(fact, ctx, flt))
    orders = select(*part(o_group, 0, 1)).where(
        in_period(o.c.order_date, flt.period, ctx.calendar, timestamp=False),
        o.c.order_date <= ctx.as_of,
        or_(o.c.amount.is_(None), o.c.amount >= 0),
        *scoped(ORDERS, ctx, flt),
    )
    rows = union_all(complaints, orders).subquery("complaints_and_orders")
    stmt = select(func.coalesce(func.sum(rows.c.complaint), 0).label("numerator"), func.coalesce(func.sum(rows.c.is_order), 0).label("denominator"))
    if per_row:
        return stmt.add_columns(rows.c.g.label("group")).group_by(rows.c.g)
    return grouped(stmt, t_group)


# --- Response and resolution times -----------------------------------------------------------------------------------


def _hours_query(end: str, quantile: str, q: float, pending: str, before: str):  # noqa: ANN202
    """The query of a duration metric: the ``quantile`` (at ``q``) of the hours from opening to ``end`` of the tickets
    opened in the period, with the counts of those not there by the as-of day (``pending``) and of those there before
    they were opened (``before``)."""

    def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
        fact = tickets(ctx, flt)
        tk = fact.table
        group = _ticket_group(fact, ctx, flt, grouping)
        per_row = _plain_group(group)
        stop = tk.c[end]
        happened = and_(stop.is_not(None), stop < as_of_instant(ctx))
        seconds = seconds_between(stop, tk.c.opened_at)
        columns = [
            case((and_(happened, seconds >= 0), seconds)).label("seconds"),
            case((happened, 0), else_=1).label("pending"),
            case((and_(happened, seconds < 0), 1), else_=0).label("before"),
        ]
        if per_row and group is not None:
            columns.append(group.label("g"))
        rows = select(*columns).select_from(tk).where(*_opened(fact, ctx, flt)).subquery("ticket_hours")
        stats = distribution(
            rows.c.seconds, group=rows.c.g if per_row else None, quantiles={quantile: q}, divide_by=SECONDS_PER_HOUR
        ).subquery("hours")
        counts_cols = [bool_sum(rows.c.pending == 1).label(pending), bool_sum(rows.c.before == 1).label(before)]
        if not per_row:
            counts = select(*counts_cols).subquery("left_out")
            stmt = select(stats.c[quantile].label("numerator"), counts.c[pending], counts.c[before]).select_from(counts.join(stats, true()))
            return grouped(stmt, group)
        counts = select(rows.c.g, *counts_cols).group_by(rows.c.g).subquery("left_out")
        # Every group has a count row; a group with no measured ticket has no statistics row.
        joined = counts.outerjoin(stats, stats.c.group.is_not_distinct_from(counts.c.g))
        return select(counts.c.g.label("group"), stats.c[quantile].label("numerator"), counts.c[pending], counts.c[before]).select_from(joined)

    return query


# --- Satisfaction ----------------------------------------------------------------------------------------------------


def _satisfaction_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    fact = tickets(ctx, flt)
    tk = fact.table
    rating = tk.c.satisfaction
    valid = and_(rating >= RATING_LOW, rating <= RATING_HIGH)
    rated = bool_sum(valid)
    stmt = select(
        (to_double(func.sum(case((valid, rating)))) / to_double(func.nullif(rated, 0))).label("mean_rating"),
        bool_sum(and_(valid, rating >= SATISFIED_FROM)).label("satisfied"),
        rated.label("rated"),
        bool_sum(rating.is_(None)).label("tickets_unrated"),
        bool_sum(and_(rating.is_not(None), ~valid)).label("ratings_out_of_range"),
    ).select_from(tk).where(*_opened(fact, ctx, flt))
    return grouped(stmt, _ticket_group(fact, ctx, flt, grouping))


# --- On-time delivery ------------------------------------------------------------------------------------------------


def _on_time_query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    o = ORDERS.table
    shipped, promised = o.c.shipped_date, o.c.promised_delivery_date
    group = group_column(grouping, ctx, flt, date=shipped, unit=o.c.unit_id, timestamp=False, fact=ORDERS)
    stmt = select(
        bool_sum(and_(promised.is_not(None), shipped <= promised)).label("numerator"),
        bool_sum(promised.is_not(None)).label("denominator"),
        bool_sum(promised.is_(None)).label("orders_no_promised_date"),
    ).where(
        in_period(shipped, flt.period, ctx.calendar, timestamp=False),
        shipped <= ctx.as_of,
        o.c.order_date <= ctx.as_of,
        or_(o.c.amount.is_(None), o.c.amount >= 0),
        *scoped(ORDERS, ctx, flt),
    )
    return grouped(stmt, group)


# --- Definitions -----------------------------------------------------------------------------------------------------

_WHOSE_EN = (
    "A ticket is credited to the unit and business unit of the order it concerns; a ticket that names no order, to its "
    "account's home unit at the period's end and its product's business unit. "
)
_WHOSE_ZH = "工单计入其所涉订单的组织单元和经营单元；未关联订单的工单计入其客户在期末的归属单元及其产品所属的经营单元。"
_OPENED_EN = "Over the tickets opened in the period up to the end of the as-of day (company time zone). "
_OPENED_ZH = "范围为期间内截至数据日结束（公司时区）新建的工单。"


def _hours_definition(what_en: str, what_zh: str, stat_en: str, stat_zh: str, end_en: str, end_zh: str) -> dict[str, str]:
    return {
        "en": f"{stat_en} hours from a ticket's opening to its {what_en} (whole seconds ÷ 3600; percentiles interpolate "
        f"linearly between neighbouring tickets, as percentile_cont). {_OPENED_EN}A ticket with no {what_en} by the end of "
        f"the as-of day is left out and counted as {end_en}; one whose {what_en} is recorded before it was opened is a data "
        f"error, left out and counted. {_WHOSE_EN}While the period runs to the as-of day, the tickets still waiting — the "
        f"slowest — are not measured yet, so the figure is low and will rise: not like-for-like with a finished period. "
        f"Not computed when no ticket is measured.",
        "zh": f"工单从新建到{what_zh}的小时数{stat_zh}（整秒 ÷ 3600；百分位数在相邻工单之间线性插值，同 percentile_cont）。{_OPENED_ZH}"
        f"截至数据日结束尚无{what_zh}的工单不计入，并计为{end_zh}；{what_zh}时间早于新建时间的工单属数据错误，不计入并单独计数。"
        f"{_WHOSE_ZH}期间包含数据日时，仍在等待的工单（即最慢的工单）尚未计入，数值偏低且还会上升，与已结束的期间并非同口径。无可计量工单时不计算。",
    }


COMPLAINT_RATE = Metric(
    key="complaint_rate",
    label={"en": "Complaint rate", "zh": "投诉率"},
    definition={
        "en": "Complaints opened in the period (tickets of kind complaint, up to the end of the as-of day, company time zone) "
        "÷ orders booked in the period up to the as-of day (order date; credit notes are not orders), in the same scope "
        "and split — complaints per order, so a complaint need not concern one of those orders. Orders are credited to "
        "their own unit and business unit. " + _WHOSE_EN + "Not computed when no order was booked.",
        "zh": "期间内新建的投诉（类型为投诉的工单，截至数据日结束，公司时区）÷ 期间内截至数据日签订的订单数（按下单日期；贷项不算订单），"
        "范围与拆分相同——即每笔订单的投诉数，投诉不必涉及这些订单。订单计入其自身的组织单元和经营单元。" + _WHOSE_ZH + "期间内无订单时不计算。",
    },
    kind="ratio",
    better="down",
    query=_complaint_query,
    not_applicable=not_applicable_for(ORDERS),
    groupings=groupings_for(ORDERS) - {"rep"},  # tickets carry no rep
)

FIRST_RESPONSE_MEDIAN_HOURS = Metric(
    key="first_response_median_hours",
    label={"en": "First response (median hours)", "zh": "首次响应（中位小时）"},
    definition=_hours_definition("first response", "首次响应", "Median", "的中位数", "unanswered", "未响应"),
    kind="hours",
    better="down",
    query=_hours_query("first_response_at", "median", 0.5, "tickets_unanswered", "answered_before_opened"),
    not_applicable=not_applicable_for(ORDERS),
    groupings=groupings_for(ORDERS) - {"rep"},
    excluded=("tickets_unanswered", "answered_before_opened"),
)

FIRST_RESPONSE_P90_HOURS = Metric(
    key="first_response_p90_hours",
    label={"en": "First response (p90 hours)", "zh": "首次响应（P90 小时）"},
    definition=_hours_definition("first response", "首次响应", "90th percentile of the", "的第 90 百分位数", "unanswered", "未响应"),
    kind="hours",
    better="down",
    query=_hours_query("first_response_at", "p90", 0.9, "tickets_unanswered", "answered_before_opened"),
    not_applicable=not_applicable_for(ORDERS),
    groupings=groupings_for(ORDERS) - {"rep"},
    excluded=("tickets_unanswered", "answered_before_opened"),
)

RESOLUTION_MEDIAN_HOURS = Metric(
    key="resolution_median_hours",
    label={"en": "Resolution (median hours)", "zh": "解决时长（中位小时）"},
    definition=_hours_definition("resolution", "解决", "Median", "的中位数", "unresolved", "未解决"),
    kind="hours",
    better="down",
    query=_hours_query("resolved_at", "median", 0.5, "tickets_unresolved", "resolved_before_opened"),
    not_applicable=not_applicable_for(ORDERS),
    groupings=groupings_for(ORDERS) - {"rep"},
    excluded=("tickets_unresolved", "resolved_before_opened"),
)

RESOLUTION_P90_HOURS = Metric(
    key="resolution_p90_hours",
    label={"en": "Resolution (p90 hours)", "zh": "解决时长（P90 小时）"},
    definition=_hours_definition("resolution", "解决", "90th percentile of the", "的第 90 百分位数", "unresolved", "未解决"),
    kind="hours",
    better="down",
    query=_hours_query("resolved_at", "p90", 0.9, "tickets_unresolved", "resolved_before_opened"),
    not_applicable=not_applicable_for(ORDERS),
    groupings=groupings_for(ORDERS) - {"rep"},
    excluded=("tickets_unresolved", "resolved_before_opened"),
)

_RATED_EN = (
    "Only ratings from 1 (poor) to 5 (excellent) count; unrated tickets, and ratings outside 1–5 (a data error), are "
    "left out and counted. "
)
_RATED_ZH = "仅计入 1（差）至 5（优）的评分；未评分的工单及 1–5 以外的评分（数据错误）不计入并单独计数。"

SATISFACTION_MEAN = Metric(
    key="satisfaction_mean",
    label={"en": "Satisfaction (mean rating)", "zh": "满意度（平均评分）"},
    definition={
        "en": "Mean customer rating of service tickets, 1 to 5. " + _OPENED_EN + _RATED_EN + _WHOSE_EN + "Not computed when no ticket is rated.",
        "zh": "服务工单客户评分的平均值（1 至 5 分）。" + _OPENED_ZH + _RATED_ZH + _WHOSE_ZH + "无评分工单时不计算。",
    },
    kind="score",
    better="up",
    query=_satisfaction_query,
    not_applicable=not_applicable_for(ORDERS),
    groupings=groupings_for(ORDERS) - {"rep"},
    columns=("mean_rating", "rated"),
    excluded=("tickets_unrated", "ratings_out_of_range"),
)

SATISFIED_SHARE = Metric(
    key="satisfied_share",
    label={"en": "Satisfied (rated 4–5)", "zh": "满意占比（4–5 分）"},
    definition={
        "en": "Share of rated service tickets rated 4 or 5. " + _OPENED_EN + _RATED_EN + _WHOSE_EN + "Not computed when no ticket is rated.",
        "zh": "已评分服务工单中评 4 分或 5 分的占比。" + _OPENED_ZH + _RATED_ZH + _WHOSE_ZH + "无评分工单时不计算。",
    },
    kind="ratio",
    better="up",
    query=_satisfaction_query,
    not_applicable=not_applicable_for(ORDERS),
    groupings=groupings_for(ORDERS) - {"rep"},
    columns=("satisfied", "rated"),
    excluded=("tickets_unrated", "ratings_out_of_range"),
)

ON_TIME_DELIVERY = Metric(
    key="on_time_delivery_rate",
    label={"en": "On-time delivery", "zh": "准时交付率"},
    definition={
        "en": "Orders shipped on or before their promised delivery date ÷ orders with a promised delivery date shipped in "
        "the period up to the as-of day (shipped date) and booked by then; credit notes are left out. Shipped orders with "
        "no promised date are left out and counted. Credited to the unit, business unit and rep stored on the order. Not "
        "computed when no order with a promised date shipped.",
        "zh": "在承诺交付日期当天或之前发货的订单 ÷ 期间内截至数据日发货（按发货日期）且截至数据日已签约、有承诺交付日期的订单；贷项不计入。"
        "无承诺交付日期的已发货订单不计入并单独计数。计入订单上记录的组织单元、经营单元和销售。无有承诺日期的发货订单时不计算。",
    },
    kind="ratio",
    better="up",
    query=_on_time_query,
    not_applicable=not_applicable_for(ORDERS),
    groupings=groupings_for(ORDERS),
    periods_in_one_query=True,
    excluded=("orders_no_promised_date",),
)

#: The duration metrics a running period understates: the tickets still waiting, the slowest, are not measured yet.
STILL_OPEN_LEFT_OUT = frozenset(
    m.key for m in (FIRST_RESPONSE_MEDIAN_HOURS, FIRST_RESPONSE_P90_HOURS, RESOLUTION_MEDIAN_HOURS, RESOLUTION_P90_HOURS)
)


def understated_while_open(metric_key: str, period: Period, as_of: date) -> bool:
    """Whether ``metric_key`` is a duration whose ``period`` runs to the as-of day, so its slowest tickets, still
    waiting, are left out: the figure will rise, and comparing it with a finished period is not like-for-like."""
    return metric_key in STILL_OPEN_LEFT_OUT and period.start <= as_of <= period.end


#: The service and delivery KPIs, in display order.
METRICS = (
    COMPLAINT_RATE,
    FIRST_RESPONSE_MEDIAN_HOURS,
    FIRST_RESPONSE_P90_HOURS,
    RESOLUTION_MEDIAN_HOURS,
    RESOLUTION_P90_HOURS,
    SATISFACTION_MEAN,
    SATISFIED_SHARE,
    ON_TIME_DELIVERY,
)
#: The page's breakdown columns.
BREAKDOWN = ("complaint_rate", "first_response_median_hours", "resolution_median_hours", "satisfaction_mean", "on_time_delivery_rate")


def breakdown(ctx: Context, flt: Filters, by: str) -> dict[str, pd.DataFrame]:
    """:data:`BREAKDOWN`'s metrics split ``by`` unit, business unit or product: metric key → ``group`` and ``value``."""
    by_key = {m.key: m for m in METRICS}
    return {key: evaluate(by_key[key], ctx, flt, Grouping(by))[["group", "value"]] for key in BREAKDOWN}  # type: ignore[arg-type]


# --- The slowest open complaints ---------------------------------------------------------------------------------------

OPEN_COLUMNS = ["ticket_id", "opened_at", "hours_open", "answered", "account", "unit", "product", "order_number", "subject"]


def _open_complaints(ctx: Context, flt: Filters) -> tuple[Fact, tuple[ColumnElement[bool], ...]]:
    """Complaints opened by the end of the as-of day and not resolved by then, whenever opened: a stock on the as-of day,
    so an order-less complaint belongs to its account's home unit on the as-of day, whatever the period chosen."""
    fact = tickets(ctx, flt, homed_on=ctx.as_of)
    tk, end = fact.table, as_of_instant(ctx)
    return fact, (tk.c.kind == "complaint", tk.c.opened_at < end, or_(tk.c.resolved_at.is_(None), tk.c.resolved_at >= end), *scoped(fact, ctx, flt))


def open_complaints_select(ctx: Context, flt: Filters, limit: int) -> Select:
    """The ``limit`` complaints open longest on the as-of day, oldest first (ties by ticket id)."""
    fact, where = _open_complaints(ctx, flt)
    tk, a, p, o, u = fact.table, schema.account, schema.product, schema.sales_order, schema.org_unit
    end = as_of_instant(ctx)
    answered = and_(tk.c.first_response_at.is_not(None), tk.c.first_response_at < end)
    return (
        select(
            tk.c.ticket_id, tk.c.opened_at, case((answered, 1), else_=0).label("answered"), a.c.name.label("account"),
            u.c.code.label("unit"), p.c.name.label("product"), o.c.order_number, tk.c.subject,
        )
        .select_from(
            tk.outerjoin(a, a.c.account_id == tk.c.account_id)
            .outerjoin(p, p.c.product_id == tk.c.product_id)
            .outerjoin(o, o.c.order_id == tk.c.order_id)
            .outerjoin(u, u.c.unit_id == tk.c.unit_id)
        )
        .where(*where)
        .order_by(tk.c.opened_at, tk.c.ticket_id)
        .limit(limit)
    )


def open_complaints_count_select(ctx: Context, flt: Filters) -> Select:
    fact, where = _open_complaints(ctx, flt)
    return select(func.count().label("n")).select_from(fact.table).where(*where)


def open_complaints(ctx: Context, flt: Filters, limit: int = 200) -> tuple[pd.DataFrame, int]:
    """The complaints still open at the end of the as-of day, open longest first, at most ``limit``, and how many there
    are: ``ticket_id``, ``opened_at`` (company time), ``hours_open`` (to the end of the as-of day), ``answered`` (a first
    response by then), ``account``, ``unit`` (code), ``product``, ``order_number`` and ``subject`` (CRM text)."""
    frame = read_frame(ctx.engine, open_complaints_select(ctx, flt, limit))
    total = int(read_frame(ctx.engine, open_complaints_count_select(ctx, flt)).iloc[0]["n"])
    end = as_of_instant(ctx)
    rows = []
    for r in frame.to_dict("records"):
        opened = pd.Timestamp(r["opened_at"]).to_pydatetime().replace(microsecond=0)
        rows.append({
            "ticket_id": int(r["ticket_id"]),
            "opened_at": opened.replace(tzinfo=UTC).astimezone(ctx.calendar.zone).replace(tzinfo=None),
            "hours_open": (end - opened).total_seconds() / SECONDS_PER_HOUR,
            "answered": bool(int(r["answered"])),
            **{k: (None if _missing(r[k]) else r[k]) for k in ("account", "unit", "product", "order_number", "subject")},
        })
    return pd.DataFrame(rows, columns=OPEN_COLUMNS, dtype=object), total


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def statements(ctx: Context, flt: Filters) -> dict[str, Select]:
    """Every statement this module sends for ``ctx`` and ``flt``, by name: built, not run."""
    out = {"open_complaints": open_complaints_select(ctx, flt, 200), "open_complaints_count": open_complaints_count_select(ctx, flt)}
    for metric in METRICS:
        for by in (None, *sorted(metric.groupings)):
            out[f"{metric.key}:{by or 'total'}"] = metric.query(ctx, flt, Grouping(by))  # type: ignore[arg-type]
    return out

