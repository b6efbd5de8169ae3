"""Leads: how many leads were created in the period."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from data_layer.filters import FACTS, Filters
from metrics.base import Context, Grouping, Metric, group_column, grouped, in_period, not_applicable_for, scoped

FACT = FACTS["lead"]


def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    t = FACT.table
    group = group_column(grouping, ctx, flt, date=t.c.created_at, unit=t.c.unit_id, timestamp=True)
    stmt = select(func.count().label("numerator")).where(
        in_period(t.c.created_at, flt.period, ctx.calendar, timestamp=True), *scoped(FACT, ctx, flt)
    )
    return grouped(stmt, group)


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
    query=query,
    not_applicable=not_applicable_for(FACT),
)
