"""Money in the reporting currency: an amount converts at the rate in force on its date."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ColumnElement, FromClause, and_, case, or_

from data_layer import schema
from metrics.sql import product_at_least, rounded_product

#: Half a cent: the least exact amount that rounds to a cent or more.
HALF_CENT = Decimal("0.005")


def rate_join(source: FromClause, currency: ColumnElement, on_date: ColumnElement, reporting: str) -> tuple[FromClause, ColumnElement]:
    """``source`` outer-joined to its exchange rate, and the rate to multiply by.

    The rate is 1 for amounts already in the reporting currency and NULL where no rate is
    in force, so such amounts drop out of sums (and are counted by ``missing_rate``).
    """
    fx = schema.exchange_rate.alias("fx")
    joined = source.outerjoin(
        fx,
        and_(
            fx.c.from_currency == currency,
            fx.c.to_currency == reporting,
            fx.c.valid_from <= on_date,
            or_(fx.c.valid_to.is_(None), on_date < fx.c.valid_to),
        ),
    )
    rate = case((currency == reporting, 1), else_=fx.c.rate)
    return joined, rate


def converted(amount: ColumnElement, rate: ColumnElement) -> ColumnElement:
    """``amount × rate`` rounded to the cent, per record.

    Rounding each record (half away from zero, as ROUND does on every backend) makes units add
    up to their parent exactly and sums agree across backends; rounding only the total let a
    parent differ from the sum of its children by a cent. :func:`metrics.sql.rounded_product` says
    how each backend computes it exactly.
    """
    return rounded_product(amount, rate)


def at_least_a_cent(amount: ColumnElement, rate: ColumnElement) -> ColumnElement[bool]:
    """Whether ``amount × rate`` rounds to a cent or more (``converted(a, r) > 0``), tested without
    rounding: it is exactly when the unrounded product is at least half a cent."""
    return product_at_least(amount, rate, HALF_CENT)
