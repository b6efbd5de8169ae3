"""Sales velocity (money closed per day the pipeline can be expected to yield) and stalled deals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, true

from data_layer.connection import read_frame
from data_layer.filters import FACTS, Filters, local_midnight_utc
from metrics import win_rate
from metrics.base import CENT, Context, Grouping, evaluate, grouped, in_period, scoped, unit_group
from metrics.money import converted, rate_join
from metrics.sales_cycle import cycle_select
from metrics.sql import days_between, local_date

FACT = FACTS["opportunity"]
By = Literal["unit"] | None


def _cutoff(ctx: Context, flt: Filters) -> tuple[date, datetime]:
    """The day deals are looked at (the period's end, or as-of when earlier) and the UTC instant
    it ends: open at that day = created before the instant and not closed before it."""
    day = min(flt.period.end, ctx.as_of)
    return day, local_midnight_utc(day + timedelta(days=1), ctx.calendar)


def _group(by: By, ctx: Context, flt: Filters) -> ColumnElement | None:
    return unit_group(FACT.table.c.unit_id, ctx, flt) if by == "unit" else None


def open_at(ctx: Context, flt: Filters, instant: datetime) -> tuple[ColumnElement[bool], ...]:
    """Conditions on ``opportunity`` for the deals open at ``instant`` (created before it and not
    closed by it) in the viewer's scope and filters."""
    t = FACT.table
    return (t.c.created_at < instant, or_(t.c.closed_at.is_(None), t.c.closed_at >= instant), *scoped(FACT, ctx, flt))


def _open_count(ctx: Context, flt: Filters, by: By) -> Select:
    _, instant = _cutoff(ctx, flt)
    return grouped(select(func.count().label("open_deals")).where(*open_at(ctx, flt, instant)), _group(by, ctx, flt))


def _won_amounts(ctx: Context, flt: Filters, by: By) -> Select:
    t = FACT.table
    close_date = local_date(t.c.closed_at, flt.period.start, flt.period.end, ctx.calendar)
    joined, rate = rate_join(t, t.c.currency, close_date, ctx.currency)
    amount = converted(t.c.amount, rate)
    stmt = (
        select(func.sum(amount).label("won_amount"), func.count(amount).label("won_with_amount"))
        .select_from(joined)
        .where(t.c.status == "won", in_period(t.c.closed_at, flt.period, ctx.calendar, timestamp=True), *scoped(FACT, ctx, flt))
    )
    return grouped(stmt, _group(by, ctx, flt))


def _by_group(frame: pd.DataFrame, by: By) -> dict[object, dict]:
    if by is None:
        return {None: frame.iloc[0].to_dict()} if len(frame) else {}
    return {row["group"]: row for row in frame.to_dict("records")}


def sales_velocity(ctx: Context, flt: Filters, by: By = None) -> pd.DataFrame:
    """Sales velocity = open deals at the period's end × win rate × average won amount ÷
    max(median cycle days, 1), in the reporting currency per day; one row, or one per child unit.

    Columns: (``group``,) ``open_deals``, ``win_rate`` (by count), ``average_won_amount`` (won in
    the period with an amount and a rate, at the close date's rate), ``median_cycle_days`` and
    ``velocity_per_day``; velocity is None when any part of it is.
    """
    grouping = Grouping(by)
    parts = {
        "open": _by_group(read_frame(ctx.engine, _open_count(ctx, flt, by)), by),
        "won": _by_group(read_frame(ctx.engine, _won_amounts(ctx, flt, by)), by),
        "rate": _by_group(evaluate(win_rate.METRIC, ctx, flt, grouping), by),
        "cycle": _by_group(read_frame(ctx.engine, cycle_select(ctx, flt, grouping)), by),
    }
    groups = [None] if by is None else sorted({g for part in parts.values() for g in part if g is not None})
    rows = []
    for g in groups:
        open_deals = int(parts["open"].get(g, {}).get("open_deals") or 0)
        rate = parts["rate"].get(g, {}).get("value")
        won = parts["won"].get(g, {})
        average = (
            (Decimal(str(won["won_amount"])) / int(won["won_with_amount"])).quantize(CENT) if won.get("won_with_amount") else None
        )
        median = parts["cycle"].get(g, {}).get("median")
        median = None if median is None or pd.isna(median) else float(median)
        velocity = None
        if rate is not None and average is not None and median is not None:
            velocity = open_deals * float(rate) * float(average) / max(median, 1.0)
        row = dict(
            open_deals=open_deals, win_rate=rate, average_won_amount=average, median_cycle_days=median, velocity_per_day=velocity
        )
        rows.append(row if by is None else {"group": g, **row})
    return pd.DataFrame(rows)


def stalled_deals(ctx: Context, flt: Filters, by: By = "unit") -> pd.DataFrame:
    """Open opportunities at the period's end (or as-of, when earlier) older than the p90 sales
    cycle of their group (the child unit they are credited to, or the whole selection), with that
    p90 computed over the deals won in the period. Oldest first.

    Columns: ``opportunity_id``, ``name``, (``group``,) ``owner_rep_id``, ``age_days``, ``p90_days``.
    """
    t = FACT.table
    _, instant = _cutoff(ctx, flt)
    p90 = cycle_select(ctx, flt, Grouping(by)).subquery("p90")
    age = days_between(literal(instant), t.c.created_at)
    group = _group(by, ctx, flt)
    columns = [t.c.opportunity_id, t.c.name, t.c.owner_rep_id, age.label("age_days"), p90.c.p90.label("p90_days")]
    if group is None:
        source = t.join(p90, true())
    else:
        columns.insert(2, group.label("group"))
        source = t.join(p90, group == p90.c.group)
    stmt = select(*columns).select_from(source).where(*open_at(ctx, flt, instant), and_(p90.c.p90.is_not(None), age > p90.c.p90))
    frame = read_frame(ctx.engine, stmt.order_by(age.desc(), t.c.opportunity_id))
    frame["age_days"] = frame["age_days"].astype(float)
    frame["p90_days"] = frame["p90_days"].astype(float)
    return frame
