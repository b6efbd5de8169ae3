"""Revenue: order amounts booked in the period, in the reporting currency."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from data_layer.filters import FACTS, Filters
from metrics import router
from metrics.base import Context, Grouping, Metric, group_column, grouped, groupings_for, in_period, scoped

FACT = FACTS["sales_order"]


def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    # The raw orders at their rates, or Granary's monthly summary where it gives the same answer.
    o = router.order_facts(ctx, flt, grouping)
    unit = o.fact.table.c[o.fact.unit or ""]
    group = group_column(grouping, ctx, flt, date=o.order_date, unit=unit, timestamp=False, fact=o.fact)
    stmt = (
        select(
            func.sum(o.revenue).label("numerator"),
            func.sum(o.no_amount).label("orders_no_amount"),
            func.sum(o.no_rate).label("orders_no_rate"),
        )
        .select_from(o.source)
        .where(in_period(o.order_date, flt.period, ctx.calendar, timestamp=False), *scoped(o.fact, ctx, flt))
    )
    return grouped(stmt, group)


METRIC = Metric(
    key="revenue",
    label={"en": "Revenue", "zh": "收入"},
    definition={
        "en": "Sum of order amounts booked in the period (order date), each converted to the reporting currency "
        "at the exchange rate in force on its order date and rounded to the cent; orders with no amount, or in a currency with no rate "
        "that day, are left out. Credited to the unit, business unit and rep stored on the order.",
        "zh": "期间内签订订单金额之和（按下单日期），每笔按下单当日有效汇率折算为报告货币并四舍五入到分；无金额或当日无汇率的订单不计入。"
        "计入订单上记录的组织单元、经营单元和销售。",
    },
    kind="money",
    better="up",
    query=query,
    target="revenue",
    groupings=groupings_for(FACT),
    periods_in_one_query=True,
    excluded=("orders_no_amount", "orders_no_rate"),
)
