"""Win rate: the share of opportunities closed in the period that were won."""

from __future__ import annotations

from sqlalchemy import Select, case, func, select

from data_layer.filters import FACTS, Filters
from metrics.base import Context, Grouping, Metric, group_column, grouped, groupings_for, in_period, scoped

FACT = FACTS["opportunity"]


def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    t = FACT.table
    group = group_column(grouping, ctx, flt, date=t.c.closed_at, unit=t.c.unit_id, timestamp=True, fact=FACT)
    stmt = select(
        func.sum(case((t.c.status == "won", 1), else_=0)).label("numerator"),
        func.sum(case((t.c.status.in_(("won", "lost")), 1), else_=0)).label("denominator"),
    ).where(
        in_period(t.c.closed_at, flt.period, ctx.calendar, timestamp=True),
        t.c.status.in_(("won", "lost")),
        *scoped(FACT, ctx, flt),
    )
    return grouped(stmt, group)


METRIC = Metric(
    key="win_rate",
    label={"en": "Win rate", "zh": "赢单率"},
    definition={
        "en": "Won ÷ (won + lost), by count, over the opportunities closed in the period (close time in the "
        "company's time zone). Open opportunities do not count. Not computed when nothing closed.",
        "zh": "赢单数 ÷（赢单数 + 输单数），按数量，统计期间内关闭的商机（按公司时区的关闭时间）。未关闭的商机不计入；期间内无关闭商机时不计算。",
    },
    kind="ratio",
    better="up",
    query=query,
    groupings=groupings_for(FACT),
    periods_in_one_query=True,
)
