"""Opportunities: how many opportunities were opened in the period."""

from __future__ import annotations

from data_layer.filters import FACTS
from metrics.base import Metric, count_in_period, groupings_for

FACT = FACTS["opportunity"]


METRIC = Metric(
    key="opportunities",
    label={"en": "Opportunities", "zh": "商机"},
    definition={
        "en": "Opportunities opened in the period (by creation time in the company's time zone), whatever their "
        "outcome, credited to the unit, business unit and rep stored on the opportunity.",
        "zh": "期间内新建的商机数（按公司时区的创建时间，不论结果），计入商机上记录的组织单元、经营单元和销售。",
    },
    kind="count",
    better="up",
    query=count_in_period(FACT, "created_at", timestamp=True),
    groupings=groupings_for(FACT),
    periods_in_one_query=True,
)
