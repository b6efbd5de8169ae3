"""Won orders: how many orders were booked in the period."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from data_layer.filters import FACTS, Filters
from metrics.base import Context, Grouping, Metric, group_column, grouped, in_period, scoped

FACT = FACTS["sales_order"]


def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    t = FACT.table
    group = group_column(grouping, ctx, flt, date=t.c.order_date, unit=t.c.unit_id, timestamp=False)
    stmt = select(func.count().label("numerator")).where(
        in_period(t.c.order_date, flt.period, ctx.calendar, timestamp=False), *scoped(FACT, ctx, flt)
    )
    return grouped(stmt, group)


METRIC = Metric(
    key="won_orders",
    label={"en": "Won orders", "zh": "成交订单"},
    definition={
        "en": "Orders and contracts booked in the period (order date), new and repeat alike, credited to the "
        "unit, business unit and rep stored on the order.",
        "zh": "期间内签订的订单与合同数（按下单日期，含新单与复购），计入订单上记录的组织单元、经营单元和销售。",
    },
    kind="count",
    better="up",
    query=query,
)
