"""New customers: accounts whose first purchase falls in the period, counted by home unit."""

from __future__ import annotations

from sqlalchemy import Select, Subquery, func, select

from data_layer.filters import Filters, scoped_accounts
from metrics import router
from metrics.base import Context, Grouping, Metric, group_column, grouped, in_period


def first_purchases(ctx: Context, flt: Filters) -> Subquery:
    """Each account's first purchase: the earliest ``order_date`` of an order with amount > 0,
    among the orders the viewer may see in the chosen business units and products (from Granary's
    summary of first orders when it is current: :func:`metrics.router.first_orders`).

    Columns: ``account_id``, ``first_order_date``. Credit notes (amount < 0), zero and empty
    amounts do not make a customer. The amount is compared in its own currency: a positive
    amount is positive in any currency, so no exchange rate is needed.
    """
    return router.first_orders(ctx, flt, ctx.viewer)


def query(ctx: Context, flt: Filters, grouping: Grouping) -> Select:
    accounts = scoped_accounts(flt, ctx.viewer, ctx.org, flt.period.end, home=grouping.by == "unit")
    first = first_purchases(ctx, flt)
    when = first.c.first_order_date
    group = group_column(grouping, ctx, flt, date=when, unit=accounts.c.home_unit_id, timestamp=False)
    stmt = (
        select(func.count().label("numerator"))
        .select_from(accounts.join(first, first.c.account_id == accounts.c.account_id))
        .where(in_period(when, flt.period, ctx.calendar, timestamp=False))
    )
    return grouped(stmt, group)


METRIC = Metric(
    key="new_customers",
    label={"en": "New customers", "zh": "新客户"},
    definition={
        "en": "Accounts whose first order ever with an amount above zero is dated in the period (order date). "
        "Credit notes and orders with no or a zero amount do not make a customer: an account whose first "
        "document is a credit note becomes new with its first positive order. With a business-unit or product "
        "filter, it counts the accounts new to those business units or products. Each account counts once, in "
        "its home unit as of the period's end, wherever it bought, so units add up to their parent; trend "
        "buckets follow the first order's date. Against its target, the new customers are credited as the Targets "
        "page credits them — to the unit of the first order, so reps and teams can be measured — so under a unit "
        "filter the target's count can differ from the card's.",
        "zh": "首笔金额大于零的订单（按下单日期）落在期间内的客户数。贷项凭证（负金额）及无金额或零金额的订单不构成客户："
        "首张单据为贷项凭证的客户，以其首笔正金额订单计为新客户。选择经营单元或产品时，统计这些经营单元或产品的新客户。"
        "每个客户只计一次，计入期末所属的归属单元（无论在哪个单元购买），因此各下级单元之和等于上级；趋势按首单日期分段。"
        "与目标对比时，新客户按目标页的口径计入首单所在的单元（以便考核销售和团队），因此筛选某个单元时，目标口径的数量可能与卡片数值不同。",
    },
    kind="count",
    better="up",
    query=query,
    target="new_customers",
)
