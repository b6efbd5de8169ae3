"""Won orders: how many orders were booked in the period."""

from __future__ import annotations

from data_layer.filters import FACTS
from metrics.base import Metric, count_in_period, groupings_for

FACT = FACTS["sales_order"]


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
    query=count_in_period(FACT, "order_date", timestamp=False),
    groupings=groupings_for(FACT),
    periods_in_one_query=True,
)
