"""Leads: how many leads were created in the period."""

from __future__ import annotations

from data_layer.filters import FACTS
from metrics.base import Metric, count_in_period, groupings_for, not_applicable_for

FACT = FACTS["lead"]


METRIC = Metric(
    key="leads",
    label={"en": "Leads", "zh": "线索"},
    definition={
        "en": "Leads created in the period (by creation time in the company's time zone), credited to the unit "
        "each lead was routed to. The business-unit and product filters do not apply to leads.",
        "zh": "期间内新建的线索数（按公司时区的创建时间），计入线索分派到的组织单元。经营单元与产品筛选不适用于线索。",
    },
    kind="count",
    better="up",
    query=count_in_period(FACT, "created_at", timestamp=True),
    groupings=groupings_for(FACT),
    periods_in_one_query=True,
    not_applicable=not_applicable_for(FACT),
)
