"""Opportunities: how many opportunities were opened in the period."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from data_layer.filters import FACTS, Filters
from metrics.base import Context, Grouping, Metric, group_column, grouped, in_period, scoped

FACT = FACTS["opportunity"]


def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    t = FACT.table
    group = group_column(grouping, ctx, flt, date=t.c.created_at, unit=t.c.unit_id, timestamp=True)
    stmt = select(func.count().label("numerator")).where(
        in_period(t.c.created_at, flt.period, ctx.calendar, timestamp=True), *scoped(FACT, ctx, flt)
    )
    return grouped(stmt, group)


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
    query=query,
)
