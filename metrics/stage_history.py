"""Each opportunity as it stood at an instant, rebuilt from ``opportunity_stage_history``.

One definition shared by everything that values open deals at a day: the weighted pipeline, forecast categories and
forecast accuracy (:mod:`metrics.pipeline`) and the projection to period end the targets and incentive views use
(:func:`metrics.targets.projection`), so the open pipeline is one figure wherever it shows.

Open at an instant: created before it, not closed by it (``closed_at`` NULL or later), and its last stage-history row
before it (:func:`stood_at`) in an open stage; its stage, amount, probability and expected close date are that row's.
A deal open then with no history row by then has unknown values: callers leave it out of the money and count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from data_layer import schema

#: The history stages of a closed deal.
CLOSED_STAGES = ("won", "lost")


def stood_at(instant: datetime, name: str = "stood") -> Any:
    """Each opportunity's last ``opportunity_stage_history`` row changed before ``instant``: ``opportunity_id``,
    ``stage``, ``amount``, ``probability``, ``expected_close_date``. Two rows at the same instant: the higher
    probability, then the higher amount, wins."""
    h = schema.opportunity_stage_history
    position = func.row_number().over(
        partition_by=h.c.opportunity_id,
        order_by=(h.c.changed_at.desc(), func.coalesce(h.c.probability, -1).desc(), func.coalesce(h.c.amount, -1).desc()),
    )
    return (
        select(h.c.opportunity_id, h.c.stage, h.c.amount, h.c.probability, h.c.expected_close_date, position.label("position"))
        .where(h.c.changed_at < instant)
        .subquery(name)
    )


@dataclass(frozen=True)
class AsOf:
    """Each opportunity as it stood at an instant (:func:`as_of_rows`).

    ``from_`` is ``opportunity`` outer-joined to its last history row before the instant; ``row`` that row (its columns
    NULL for a deal with no row by then, ``unrecorded`` true). ``close`` is the expected close date then — for an
    unrecorded deal the only one known, its current one, used just to say which period it concerns. ``conditions``
    keep the deals open then: created before the instant, not closed by it, and the row's stage open (or no row)."""

    from_: Any
    row: Any
    unrecorded: ColumnElement[bool]
    close: ColumnElement
    conditions: tuple[ColumnElement[bool], ...]


def as_of_rows(instant: datetime, name: str = "stood") -> AsOf:
    """The opportunities open at ``instant`` with their values then (see :class:`AsOf`); scope and filters not applied."""
    t = schema.opportunity
    s = stood_at(instant, name)
    unrecorded = s.c.opportunity_id.is_(None)
    return AsOf(
        from_=t.outerjoin(s, and_(s.c.opportunity_id == t.c.opportunity_id, s.c.position == 1)),
        row=s,
        unrecorded=unrecorded,
        close=case((unrecorded, t.c.expected_close_date), else_=s.c.expected_close_date),
        conditions=(
            t.c.created_at < instant,
            or_(t.c.closed_at.is_(None), t.c.closed_at >= instant),
            or_(unrecorded, s.c.stage.not_in(CLOSED_STAGES)),
        ),
    )
