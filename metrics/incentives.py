"""Incentives: commissions by attainment band, holdbacks, managers' bonus and the unit bonus pool, from a plan.

The plan (``data_layer.plans``) states every choice; :data:`DEFINITIONS` is the text the UI shows. The
database selects and converts the credited deals and decides each holdback's facts (later order, running
contract, mean satisfaction) per deal; the band arithmetic runs here in exact decimals over the deals of one
period, because a marginal commission is allocated deal by deal in credit order — the same figures on every
backend, and each deal's share is on the statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, String, and_, case, cast, exists, func, literal, select

from data_layer import schema
from data_layer.connection import read_frame
from data_layer.filters import FACTS, Filters, Period, add_months, local_midnight_utc, restrict, scoped_accounts
from data_layer.plans import Band, Commission, CustomerCondition, FrozenStatement, ManagerBonus, Plan, frozen_statements, stored_line
from metrics.base import CENT, Context, Grouping, dimension_group, evaluate, result
from metrics.churn import LOGO_CHURN
from metrics.money import converted, rate_join
from metrics.sql import date_map, local_date
from metrics.targets import Holder, TargetPeriod, attainment, rep_teams, stated_targets, target_period

ZERO = Decimal("0.00")

DEFINITIONS = {
    "commission": "Commission: the deals (orders) credited to a rep in the plan's period — by order, invoice or cash-collected "
    "date as the plan's credit_on says, up to the as-of day — in credit order (date, then order number). Attainment is the "
    "credited deals' amounts (reporting currency, rate of the order date, each rounded to the cent) ÷ the rep's target for "
    "the plan's target_measure (the stated target, or the months/quarters that tile the period). A band applies from its "
    "from_pct (inclusive) to the next band's. Marginal: each deal moves attainment from where the deals before it left it; "
    "its base is paid at each band's rate in proportion to the part of that move inside the band (a deal moving nothing is "
    "paid at the rate where attainment stands). Retroactive: every deal's base at the rate of the band the period's final "
    "attainment reached. Base: the order amount, the margin (amount − cost, both converted; a deal with no cost earns nothing "
    "and is marked), or cash (the amount of an order paid in full by the as-of day, else nothing yet). Each deal's commission is "
    "rounded to the cent (half up); a credit note earns negative commission. Cap per deal: no deal earns more than the cap. "
    "Cap per period: commission accrues in credit order until the cap, later deals earn what is left. A rep with no target "
    "above zero earns nothing and is flagged.",
    "holdback": "Holdback: share_pct of each deal's positive commission (rounded to the cent) is held back. It is released if, "
    "within N months after the order date (the window ends on that day N months later, inclusive), the account has a later "
    "order with an amount above zero (dated after the order) or a contract in force on the window's last day (contract start, "
    "else order date, on or before it and contract end on or after it; the order itself counts), and — when its tickets opened "
    "in the window carry ratings — their mean satisfaction is at least min_satisfaction; an account with no rated tickets "
    "passes on the first condition alone. Otherwise it is forfeited. Until the window's last day has passed into the data "
    "(as-of day on or after it) it is pending. Orders anywhere in the company count: the holdback is about the customer.",
    "manager_bonus": "Managers' bonus, per unit of the plan's level: target_bonus × (1 − customer_share) × min(attainment, "
    "attainment_cap) plus target_bonus × customer_share × Σ weight × score over the customer metrics. A metric's score is "
    "1 at or beyond full_at, 0 at or beyond zero_at, linear in between; logo churn is the unit's Logo churn for the period, "
    "satisfaction the mean rating of the tickets opened in the period by the accounts whose home unit (at the period's end) "
    "lies in the unit. A metric with no value (no base, no rated ticket) is left out and the others' weights scale up; with "
    "none, the customer part is paid in full and flagged. No target: no bonus, flagged.",
    "pool": "Bonus pool: the pool is split in proportion to contribution — revenue or margin of the orders booked in the "
    "period up to the as-of day — over the plan's split_by: the units of an org level (each unit's subtree, by the unit the "
    "order is credited to); business units, products or account segments, as the order says; customers (the order's "
    "account); projects — a project is the opportunity a deal came from (the order's opportunity), so every order won "
    "from one opportunity counts for it and a reorder with no opportunity is in no project and shares in nothing; or "
    "project grades (company, region, office: that opportunity's grade; orders of ungraded or no opportunity share in "
    "nothing). A negative contribution counts as zero. Each share is rounded down to the cent and the cents left go one "
    "each to the largest remainders (ties by code), so the shares add up to the pool exactly.",
    "approved": "Approved statements: a rep's statement or a unit's managers' bonus, once approved after its period "
    "has ended, is frozen in Granary's own database with the plan's name, version and digest, the data's as-of date, "
    "the approver, the totals and every line (the deals; for the bonus, its inputs and their scores) — never in the "
    "CRM, never overwritten. It is shown from that record, never recomputed; today's figures for the same rep (or "
    "unit) and period are computed beside it and every total or line that differs is listed (a holdback decided "
    "since, a deal booked or changed later). A viewer sees the approved statements of the reps whose team (in the "
    "period) lies in their scope and whose every deal is booked to a unit in it, and the bonuses of their units; the "
    "others are counted as withheld. Only a viewer who sees the whole company — every unit and business unit — may "
    "approve, since a statement covers all of the rep's deals wherever they are booked.",
}


#: The same definitions in Simplified Chinese (same keys as :data:`DEFINITIONS`).
DEFINITIONS_ZH = {
    "commission": "提成：方案周期内计入某销售的交易（订单）——按方案 credit_on 规定的订单日期、开票日期或回款日期，截至数据日——"
    "按计入顺序（日期，再按订单号）排列。达成率 = 计入交易的金额（折算为报告货币，按订单日期的汇率，每笔四舍五入到分）÷ 该销售"
    "在方案 target_measure 上的目标（既定目标，或恰好覆盖本期的各月/各季度目标之和）。一个档位从其 from_pct（含）起，到下一档位"
    "的起点为止。累进（marginal）：每笔交易把达成率从前面交易留下的位置向前推进；其提成基数按推进区间落在各档位内的比例，分别按"
    "各档费率计算（未推进达成率的交易按当前所在档位的费率计算）。追溯（retroactive）：每笔交易的基数都按本期最终达成率所在档位的"
    "费率计算。基数：订单金额、毛利（金额 − 成本，均折算；无成本的交易不计提成并加标注），或回款（截至数据日已全额回款的订单金额，"
    "否则暂为零）。每笔交易的提成四舍五入到分（四舍五入）；红字冲销单产生负提成。按单封顶：任何一笔交易的提成不超过上限。按期封顶："
    "提成按计入顺序累计至上限，之后的交易只得剩余额度。没有大于零目标的销售不计提成并加标注。",
    "holdback": "暂扣：每笔交易正提成的 share_pct（四舍五入到分）被暂扣。若在订单日期后 N 个月内（窗口截止于 N 个月后的同一天，含当天），"
    "该客户有一笔金额大于零的后续订单（日期晚于该订单），或在窗口最后一天仍有有效合同（合同开始日期——否则为订单日期——不晚于该日，"
    "且合同结束日期不早于该日；该订单本身也算），并且——当其在窗口内新开的服务工单带有评分时——平均满意度不低于 min_satisfaction，"
    "则予以发放；没有评分工单的客户只需满足第一个条件。否则予以没收。在窗口最后一天进入数据之前（数据日不早于该日）为待定。"
    "全公司任何单元的订单都算：暂扣关注的是客户。",
    "manager_bonus": "管理者奖金，按方案规定层级的每个单元计算：目标奖金 × (1 − 客户占比) × min(达成率, 达成率上限) + 目标奖金 × 客户占比 × "
    "Σ 权重 × 得分（各客户指标）。指标得分在达到或优于 full_at 时为 1，达到或劣于 zero_at 时为 0，其间线性变化；客户流失率为该单元"
    "本期的客户流失率，满意度为归属地（期末）位于该单元内的客户在本期新开工单的平均评分。没有数值的指标（无基数、无评分工单）不计，"
    "其余指标的权重相应放大；若都没有，客户部分全额发放并加标注。没有目标：不发奖金，并加标注。",
    "pool": "奖金池：按贡献比例分配——贡献为本期截至数据日入账订单的收入或毛利——分配对象为方案 split_by 所定："
    "某一组织层级的各单元（各单元的下属子树，按订单计入的单元）；经营单元、产品或客户细分（按订单上的记录）；客户（订单的客户）；"
    "项目——项目即交易来源的商机（订单上的商机），同一商机赢得的所有订单都计入该项目，没有商机的续购订单不属于任何项目，不参与分配；"
    "或项目等级（公司级、地区级、代表处级：该商机的等级；商机未分级或没有商机的订单不参与分配）。负贡献按零计。每份向下取整到分，"
    "剩余的分按余数从大到小（相同按代码排序）每份加一分，使各份之和恰好等于奖金池。",
    "approved": "已批准的结算单：销售的结算单或单元的管理者奖金，在期间结束后经批准即冻结在 Granary 自己的数据库中，"
    "记录方案名称、版本和摘要、数据截至日期、批准人、合计及每一行（交易；奖金则为其各项输入及得分）——从不写入 CRM，"
    "从不覆盖。页面按冻结记录显示，从不重新计算；同一销售（或单元）同一期间的当前数字在旁计算，凡有不同的合计或行都会列出"
    "（此后判定的暂扣、后来录入或修改的交易）。查看者可看到其范围内团队（该期间）、且每笔交易都计入其范围内单元的销售的已批准结算单，"
    "以及其范围内单元的奖金；其余计为未显示。只有能看到全公司（全部单元和经营单元）的查看者才能批准，因为结算单涵盖该销售计入任何单元的全部交易。",
}

# --- Band arithmetic (pure) --------------------------------------------------------------------------


def band_at(bands: Sequence[Band], attainment: Decimal) -> Band:
    """The band ``attainment`` (a fraction, 1 = 100 %) falls in: the last whose start is at or below it."""
    reached = bands[0]
    for band in bands:
        if attainment >= band.start:
            reached = band
    return reached


def _overlap_rate(bands: Sequence[Band], lo: Decimal, hi: Decimal) -> Decimal:
    """The mean rate over attainment from ``lo`` to ``hi`` (lo < hi), each band weighted by its share of it."""
    total = Decimal(0)
    for i, band in enumerate(bands):
        upper = bands[i + 1].start if i + 1 < len(bands) else None
        a = max(lo, band.start)
        b = hi if upper is None else min(hi, upper)
        if b > a:
            total += band.rate * (b - a)
    return total / (hi - lo)


def deal_rates(commission: Commission, target: Decimal, amounts: Sequence[Decimal]) -> list[Decimal]:
    """The rate each deal's base is paid at, deals in credit order (see DEFINITIONS['commission'])."""
    bands = commission.bands
    if commission.method == "retroactive":
        final = sum(amounts, Decimal(0)) / target
        return [band_at(bands, final).rate] * len(amounts)
    rates, reached = [], Decimal(0)
    for amount in amounts:
        after = reached + amount / target
        if after == reached:
            rates.append(band_at(bands, reached).rate)
        else:
            rates.append(_overlap_rate(bands, min(reached, after), max(reached, after)))
        reached = after
    return rates


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def capped(commission: Commission, earned: Sequence[Decimal]) -> list[Decimal]:
    """Each deal's commission after the plan's cap (per deal, or per period accruing in credit order)."""
    if commission.cap is None:
        return list(earned)
    cap = commission.cap
    if commission.cap_on == "deal":
        return [min(e, cap) for e in earned]
    out, running = [], Decimal(0)
    for e in earned:
        after = running + e
        out.append(min(cap, after) - min(cap, running))
        running = after
    return out


def holdback_status(
    *, as_of: date, window_end: date, later_order: bool, running_contract: bool, satisfaction_sum: int, satisfaction_count: int,
    min_satisfaction: Decimal | None,
) -> str:
    """pending, released or forfeited (see DEFINITIONS['holdback'])."""
    if as_of < window_end:
        return "pending"
    kept = later_order or running_contract
    if kept and min_satisfaction is not None and satisfaction_count > 0:
        kept = Decimal(satisfaction_sum) / Decimal(satisfaction_count) >= min_satisfaction
    return "released" if kept else "forfeited"


def split_pool(pool: Decimal, contributions: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """``pool`` shared in proportion to ``contributions`` (negative ones count as zero); the shares add up to the pool.

    Pure, so what-if controls can call it with edited contributions or another pool. Empty when nothing contributed.
    """
    weights = {k: max(v, Decimal(0)) for k, v in contributions.items()}
    total = sum(weights.values(), Decimal(0))
    if total == 0:
        return {}
    exact = {k: pool * w / total for k, w in weights.items()}
    shares = {k: v.quantize(CENT, rounding=ROUND_DOWN) for k, v in exact.items()}
    left = int(((pool - sum(shares.values(), Decimal(0))) / CENT).to_integral_value())
    for k in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), k))[:left]:
        shares[k] += CENT
    return shares


def condition_score(condition: CustomerCondition, value: Decimal) -> Decimal:
    """1 at or beyond ``full_at``, 0 at or beyond ``zero_at``, linear in between (either direction)."""
    score = (value - condition.zero_at) / (condition.full_at - condition.zero_at)
    return min(Decimal(1), max(Decimal(0), score))


def manager_bonus_amount(bonus: ManagerBonus, attainment_: Decimal | None, values: Mapping[str, Decimal | None]) -> tuple[Decimal | None, str | None]:
    """The managers' bonus for one unit, and a flag (``no_target``, ``no_customer_data``) or None (pure)."""
    if attainment_ is None:
        return None, "no_target"
    share = bonus.customer_share_pct / 100
    performance = bonus.target_bonus * (1 - share) * min(attainment_, bonus.attainment_cap_pct / 100)
    known = [c for c in bonus.conditions if values.get(c.metric) is not None]
    flag = None
    if not bonus.conditions or share == 0:
        customer = Decimal(0) if share == 0 else Decimal(1)
    elif not known:
        customer, flag = Decimal(1), "no_customer_data"
    else:
        weight = sum((c.weight_pct for c in known), Decimal(0))
        customer = sum((c.weight_pct * condition_score(c, values[c.metric]) for c in known), Decimal(0)) / weight  # type: ignore[arg-type]
    return cents(performance + bonus.target_bonus * share * customer), flag


# --- Dates mapped in SQL -------------------------------------------------------------------------------


# --- Credited deals -------------------------------------------------------------------------------------

CREDIT_COLUMNS = {"order": "order_date", "invoice": "invoiced_date", "cash": "cash_collected_date"}


def _deals_select(ctx: Context, plan: Plan, lo: date, hi: date, rep_id: int | None) -> tuple[Select, list[ColumnElement[bool]]]:
    o = schema.sales_order
    credit = o.c[CREDIT_COLUMNS[plan.commission.credit_on]]
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    conds = [credit >= lo, credit <= hi, o.c.rep_id.is_not(None), *restrict(FACTS["sales_order"], Filters(_period(lo, hi)), ctx.viewer, ctx.org).conditions]
    if rep_id is not None:
        conds.append(o.c.rep_id == rep_id)
    rep, unit = schema.rep, schema.org_unit
    stmt = (
        select(
            o.c.order_id,
            o.c.order_number,
            o.c.rep_id,
            select(rep.c.code).where(rep.c.rep_id == o.c.rep_id).scalar_subquery().label("rep"),
            select(unit.c.code).where(unit.c.unit_id == o.c.unit_id).scalar_subquery().label("unit"),
            o.c.account_id,
            o.c.order_date,
            credit.label("credit_date"),
            o.c.cash_collected_date,
            converted(o.c.amount, rate).label("amount"),
            converted(o.c.cost, rate).label("cost"),
        )
        .select_from(joined)
        .where(*conds)
    )
    return stmt, conds


def _period(lo: date, hi: date) -> Period:
    return Period(lo, hi)


def _credited_reps(ctx: Context, plan: Plan, period: TargetPeriod, rep_id: int | None = None) -> Select:
    """The reps credited with deals in ``period`` (up to the as-of day) within the viewer's scope — the deals of
    :func:`credited_deals` — as a SELECT of rep ids: a commission's attainment reads these reps' targets only."""
    _stmt, conds = _deals_select(ctx, plan, period.start, min(period.end, ctx.as_of), rep_id)
    return select(schema.sales_order.c.rep_id).where(*conds)


def credited_deals(ctx: Context, plan: Plan, period: TargetPeriod, *, rep_id: int | None = None) -> pd.DataFrame:
    """The deals credited in ``period`` (up to the as-of day) with their holdback facts, in credit order.

    Columns: order_id, order_number, rep_id, rep, unit (the code of the unit the order is booked to), account_id, order_date,
    credit_date, cash_collected_date, amount, cost
    (reporting currency, None without a rate or value) and, with a holdback: window_end, later_order, running_contract,
    satisfaction_sum, satisfaction_count.
    """
    hi = min(period.end, ctx.as_of)
    if hi < period.start:
        return pd.DataFrame(columns=DEAL_COLUMNS)
    stmt, conds = _deals_select(ctx, plan, period.start, hi, rep_id)
    holdback = plan.holdback
    if holdback is not None:
        o = schema.sales_order
        bounds = read_frame(ctx.engine, select(func.min(o.c.order_date).label("lo"), func.max(o.c.order_date).label("hi")).where(*conds))
        first, last = bounds.iloc[0]["lo"], bounds.iloc[0]["hi"]
        if first is not None and first == first:
            stmt = _with_holdback_facts(ctx, stmt, _to_date(first), _to_date(last), holdback.months)
    frame = read_frame(ctx.engine, stmt)
    frame = frame.sort_values(["credit_date", "order_number", "order_id"], key=_sort_key).reset_index(drop=True)
    for col in ("order_date", "credit_date", "cash_collected_date", "window_end"):
        if col in frame:
            frame[col] = [None if v is None or v != v else _to_date(v) for v in frame[col]]
    for col in ("amount", "cost"):
        frame[col] = [None if v is None or v != v else cents(Decimal(str(v))) for v in frame[col]]
    return frame


DEAL_COLUMNS = ["order_id", "order_number", "rep_id", "rep", "unit", "account_id", "order_date", "credit_date", "cash_collected_date", "amount", "cost"]


def _sort_key(series: pd.Series) -> pd.Series:
    return series.map(lambda v: str(v))


def _to_date(value: object) -> date:
    if hasattr(value, "date") and callable(value.date) and not type(value) is date:
        return value.date()  # type: ignore[no-any-return]
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _with_holdback_facts(ctx: Context, deals: Select, first: date, last: date, months: int) -> Select:
    """``deals`` with each deal's holdback window end and, in that window, whether the account ordered again or had a
    contract in force on its last day, and the sum and count of its ticket ratings."""
    inner = deals.add_columns(date_map(schema.sales_order.c.order_date, first, last, lambda d: add_months(d, months)).label("window_end"))
    d = inner.subquery("deal")
    later = schema.sales_order.alias("later")
    contract = schema.sales_order.alias("contract")
    as_of = ctx.as_of
    window_last = min(add_months(last, months), as_of)
    t = schema.service_ticket
    lo_day = first + timedelta(days=1)
    if window_last >= lo_day:
        start_ts, end_ts = local_midnight_utc(lo_day, ctx.calendar), local_midnight_utc(window_last + timedelta(days=1), ctx.calendar)
        rated = (
            select(t.c.account_id, t.c.satisfaction, local_date(t.c.opened_at, lo_day, window_last, ctx.calendar).label("opened_day"))
            .where(t.c.satisfaction.is_not(None), t.c.opened_at >= start_ts, t.c.opened_at < end_ts)
            .subquery("rated")
        )
        in_window = and_(rated.c.account_id == d.c.account_id, rated.c.opened_day > d.c.order_date, rated.c.opened_day <= d.c.window_end)
        sat_sum = select(func.coalesce(func.sum(rated.c.satisfaction), 0)).where(in_window).scalar_subquery()
        sat_count = select(func.count()).select_from(rated).where(in_window).scalar_subquery()
    else:
        sat_sum = sat_count = literal(0)
    later_order = exists().where(
        later.c.account_id == d.c.account_id,
        later.c.amount > 0,
        later.c.order_date > d.c.order_date,
        later.c.order_date <= d.c.window_end,
        later.c.order_date <= as_of,
    )
    running = exists().where(
        contract.c.account_id == d.c.account_id,
        contract.c.amount > 0,
        contract.c.order_date <= as_of,
        func.coalesce(contract.c.contract_start_date, contract.c.order_date) <= d.c.window_end,
        contract.c.contract_end_date >= d.c.window_end,
    )
    return select(
        d,
        case((later_order, 1), else_=0).label("later_order"),
        case((running, 1), else_=0).label("running_contract"),
        sat_sum.label("satisfaction_sum"),
        sat_count.label("satisfaction_count"),
    )


# --- Commission per deal and per rep -----------------------------------------------------------------------


def _base(plan: Plan, deal: Mapping[str, Any], as_of: date) -> tuple[Decimal | None, str | None]:
    amount = deal["amount"]
    if amount is None:
        return None, "no_amount"
    if plan.commission.base == "margin":
        return (None, "no_cost") if deal["cost"] is None else (amount - deal["cost"], None)
    if plan.commission.base == "cash":
        paid = deal["cash_collected_date"]
        return (amount, None) if paid is not None and paid <= as_of else (ZERO, "awaiting_cash")
    return amount, None


def commission_lines(ctx: Context, plan: Plan, period: TargetPeriod, *, rep_id: int | None = None) -> pd.DataFrame:
    """Every credited deal of ``period`` with its commission, cap and holdback, reps in code order, deals in credit order.

    Columns: the :func:`credited_deals` columns and ``base``, ``note`` (no_amount, no_cost, awaiting_cash, no_target),
    ``attainment_before``, ``attainment_after``, ``rate`` (the deal's effective rate), ``commission`` (before the
    cap), ``earned`` (after it), ``held_back``, ``holdback_status`` (pending, released, forfeited or None),
    ``released``, ``forfeited``, ``paid_now`` (earned − held back).
    """
    return _commission_lines(ctx, plan, period, rep_id)[0]


def _commission_lines(ctx: Context, plan: Plan, period: TargetPeriod, rep_id: int | None) -> tuple[pd.DataFrame, dict[Holder, Decimal]]:
    """:func:`commission_lines` and the credited reps' stated targets it used."""
    _check_period(plan, period)
    deals = credited_deals(ctx, plan, period, rep_id=rep_id)
    credited = _credited_reps(ctx, plan, period, rep_id)
    stated = stated_targets(ctx, plan.target_measure, period, reps=credited) if len(deals) else {}
    by_rep: dict[int, list[dict[str, Any]]] = {}
    for deal in deals.to_dict("records") if len(deals) else []:  # once: per rep it was quadratic (3 s at demo size S)
        by_rep.setdefault(int(deal["rep_id"]), []).append(deal)
    rows: list[dict[str, Any]] = []
    for rep in sorted(by_rep):
        rows.extend(_rep_lines(ctx, plan, stated.get(Holder("rep", rep)), by_rep[rep]))
    frame = pd.DataFrame(rows, columns=DEAL_COLUMNS + (HOLDBACK_FACTS if plan.holdback else []) + LINE_COLUMNS)
    return (frame.sort_values(["rep"], kind="stable").reset_index(drop=True) if len(frame) else frame), stated


HOLDBACK_FACTS = ["window_end", "later_order", "running_contract", "satisfaction_sum", "satisfaction_count"]
LINE_COLUMNS = [
    "base", "note", "attainment_before", "attainment_after", "rate", "commission", "earned", "held_back", "holdback_status",
    "released", "forfeited", "paid_now",
]


def _rep_lines(ctx: Context, plan: Plan, target: Decimal | None, deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    c = plan.commission
    counted = [d for d in deals if d["amount"] is not None]
    amounts = [d["amount"] for d in counted]
    has_target = target is not None and target > 0
    rates = iter(deal_rates(c, target, amounts) if has_target else [])  # type: ignore[arg-type]
    reached = Decimal(0)
    out, earned_raw = [], []
    for deal in deals:
        base, note = _base(plan, deal, ctx.as_of)
        line = dict(deal, base=base, note=note, attainment_before=None, attainment_after=None, rate=None, commission=ZERO)
        if deal["amount"] is not None and has_target:
            rate = next(rates)
            line["attainment_before"] = reached
            reached += deal["amount"] / target  # type: ignore[operator]
            line["attainment_after"] = reached
            line["rate"] = rate
            line["commission"] = cents(base * rate) if base is not None else ZERO
        elif not has_target:
            line["note"] = "no_target"
        out.append(line)
        earned_raw.append(line["commission"])
    for line, earned in zip(out, capped(c, earned_raw), strict=True):
        line["earned"] = earned
        _holdback(ctx, plan, line)
    return out


def _holdback(ctx: Context, plan: Plan, line: dict[str, Any]) -> None:
    h = plan.holdback
    held = cents(line["earned"] * h.share) if h is not None and line["earned"] > 0 else ZERO
    status = None
    if held > 0 and h is not None:
        status = holdback_status(
            as_of=ctx.as_of,
            window_end=line["window_end"],
            later_order=bool(int(line["later_order"])),
            running_contract=bool(int(line["running_contract"])),
            satisfaction_sum=int(line["satisfaction_sum"]),
            satisfaction_count=int(line["satisfaction_count"]),
            min_satisfaction=h.min_satisfaction,
        )
    line.update(
        held_back=held,
        holdback_status=status,
        released=held if status == "released" else ZERO,
        forfeited=held if status == "forfeited" else ZERO,
        paid_now=line["earned"] - held,
    )


def _check_period(plan: Plan, period: TargetPeriod) -> None:
    if period.kind != plan.period:
        raise ValueError(f"plan {plan.name!r} pays per {plan.period}, not per {period.kind}")


def payouts(ctx: Context, plan: Plan, period: TargetPeriod) -> pd.DataFrame:
    """One row per rep with credited deals in ``period``: target, credited amount, attainment, band reached, earned,
    capped (the cap cut something), held back, paid now and, of this period's holdbacks as of the as-of day,
    released, forfeited and pending."""
    lines, stated = _commission_lines(ctx, plan, period, None)
    groups: dict[int, list[dict[str, Any]]] = {}  # in the lines' order: reps by code
    for line in lines.to_dict("records") if len(lines) else []:
        groups.setdefault(int(line["rep_id"]), []).append(line)
    rows = []
    for rep_id, group in groups.items():
        target = stated.get(Holder("rep", rep_id))
        credited = sum((g["amount"] for g in group if g["amount"] is not None), ZERO)
        reached = credited / target if target is not None and target > 0 else None

        def total(column: str, group: list[dict[str, Any]] = group) -> Decimal:
            return sum((g[column] for g in group), ZERO)

        rows.append(
            {
                "rep_id": rep_id,
                "rep": group[0]["rep"],
                "target": target,
                "credited": credited,
                "attainment": reached,
                "band": None if reached is None else _band_label(band_at(plan.commission.bands, reached)),
                "commission": total("commission"),
                "earned": total("earned"),
                "capped": total("earned") != total("commission"),
                "held_back": total("held_back"),
                "paid_now": total("paid_now"),
                "released": total("released"),
                "forfeited": total("forfeited"),
                "pending": sum((g["held_back"] for g in group if g["holdback_status"] == "pending"), ZERO),
                "deals": len(group),
            }
        )
    return pd.DataFrame(rows, columns=PAYOUT_COLUMNS)


PAYOUT_COLUMNS = [
    "rep_id", "rep", "target", "credited", "attainment", "band", "commission", "earned", "capped", "held_back", "paid_now", "released",
    "forfeited", "pending", "deals",
]


def _band_label(band: Band) -> str:
    return band.name or f"from {band.from_pct}%"


# --- A rep's statement ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A rep's statement for one period: this period's deals, the holdbacks decided in it, and the totals."""

    plan: Plan
    rep: str
    period: TargetPeriod
    as_of: date
    lines: pd.DataFrame
    decided: pd.DataFrame
    #: The rep's team in the period (the last one they were in, as targets roll up): whose viewers may see it.
    team: str | None = None

    @property
    def totals(self) -> dict[str, Decimal]:
        earned = sum(self.lines["earned"], ZERO) if len(self.lines) else ZERO
        held = sum(self.lines["held_back"], ZERO) if len(self.lines) else ZERO
        released = sum(self.decided["released"], ZERO) if len(self.decided) else ZERO
        forfeited = sum(self.decided["forfeited"], ZERO) if len(self.decided) else ZERO
        return {
            "earned": earned,
            "held_back": held,
            "paid_now": earned - held,
            "released": released,
            "forfeited": forfeited,
            "payable": earned - held + released,
        }


def statement(ctx: Context, plan: Plan, rep: str, period: TargetPeriod) -> Statement:
    """``rep``'s statement: earned and held back on the deals credited in ``period``; released and forfeited on the
    holdbacks (of any earlier period) whose window ended in ``period`` by the as-of day; payable = earned − held back
    + released. Each line carries its deal."""
    _check_period(plan, period)
    r = schema.rep
    found = read_frame(ctx.engine, select(r.c.rep_id).where(r.c.code == rep))
    if found.empty:
        raise ValueError(f"no rep with code {rep!r}")
    rep_id = int(found.iloc[0]["rep_id"])
    lines = commission_lines(ctx, plan, period, rep_id=rep_id)
    decided = pd.DataFrame(columns=list(lines.columns))
    h = plan.holdback
    if h is not None:
        frames = []
        # Only deals ordered N months before the period (give or take the days add_months clamps at a month's end) can
        # have a window ending in it. Credited on the order date, read those periods only; credited on the invoice or
        # cash date (never before the order), a deal may be credited in any later period up to this one.
        first_order = add_months(period.start, -h.months) - timedelta(days=3)
        last_order = min(period.end, ctx.as_of)
        if plan.commission.credit_on == "order":
            last_order = min(add_months(period.end, -h.months) + timedelta(days=3), last_order)
        current = target_period(plan.period, first_order, ctx.calendar)
        while current.start <= last_order:
            earlier = commission_lines(ctx, plan, current, rep_id=rep_id)
            if len(earlier):
                ends = earlier["window_end"]
                mask = [e is not None and period.start <= e <= period.end and s in ("released", "forfeited")
                        for e, s in zip(ends, earlier["holdback_status"], strict=True)]
                frames.append(earlier[mask])
            current = target_period(plan.period, current.end + timedelta(days=1), ctx.calendar)
        if frames:
            decided = pd.concat(frames, ignore_index=True)
    team = ctx.org.by_id(rep_teams(ctx, period).get(rep_id, -1))
    return Statement(plan, rep, period, ctx.as_of, lines, decided, team.code if team is not None else None)


# --- Approved statements: frozen in Granary's own database, read back, compared with today's figures -----------

#: What a frozen statement keeps of each line: the deal, its base, rate, commission and holdback.
RECORD_FIELDS = ("order_number", "unit", "order_date", "credit_date", "amount", "base", "attainment_after", "rate", "commission", "earned",
                 "held_back", "holdback_status", "released", "forfeited", "paid_now", "window_end", "note")
#: The fields compared between a frozen line and today's.
COMPARED_FIELDS = ("amount", "earned", "held_back", "holdback_status", "released", "forfeited")


def _plain(value: object) -> object:
    """None for pandas' missing values; the value otherwise."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


def statement_record(stmt: Statement) -> list[dict[str, object]]:
    """The lines a frozen statement keeps: every deal of the period (part ``deal``), then every holdback decided
    in it (part ``holdback_decided``)."""
    out: list[dict[str, object]] = []
    for part, frame in (("deal", stmt.lines), ("holdback_decided", stmt.decided)):
        for row in frame.to_dict("records"):
            out.append({"part": part, **{k: _plain(row.get(k)) for k in RECORD_FIELDS if k in row}})
    return out


def approved(ctx: Context, store: Engine, kind: str = "commission") -> tuple[list[FrozenStatement], int]:
    """The approved statements of ``kind`` the viewer may see, and how many more of their units' are withheld
    because they cover business units outside the viewer's.

    A statement is the viewer's when its unit (the rep's team, or the bonus's unit) lies in their scope; one frozen
    without a unit only a whole-company viewer sees. A viewer limited to some business units sees only statements
    whose figures were limited to those business units too.
    """
    allowed = ctx.org.visible_ids(ctx.viewer)
    visible = None if allowed is None else {u.code for u in ctx.org.units if u.unit_id in allowed}
    mine, withheld = [], 0
    for frozen in frozen_statements(store, kind=kind):
        unit = ctx.org.by_code(frozen.unit) if frozen.unit is not None else None
        if allowed is not None and (unit is None or unit.unit_id not in allowed):
            continue
        if visible is not None and kind == "commission" and not {line.get("unit") for line in frozen.lines} <= visible:
            withheld += 1  # a deal booked outside the viewer's scope (or a record from before lines kept their unit)
            continue
        bus = ctx.viewer.bus
        if bus is not None and (frozen.business_units is None or not set(frozen.business_units) <= set(bus)):
            withheld += 1
            continue
        mine.append(frozen)
    return mine, withheld


def frozen_differences(frozen: FrozenStatement, live: Statement) -> pd.DataFrame:
    """Where today's figures for a frozen statement's rep and period differ from what was frozen: each total, and
    each line's amount, earned, held back, holdback status, released and forfeited; a line only on one side is
    ``added`` (today) or ``removed`` (since frozen). Empty when they agree.

    Columns: part (total, deal, holdback_decided), order_number (None for a total), field, frozen, live.
    """
    rows = []
    today = live.totals
    for key, was in frozen.totals.items():
        now = today.get(key)
        if was != now:
            rows.append({"part": "total", "order_number": None, "field": key, "frozen": was, "live": now})
    then = {(ln["part"], ln.get("order_number")): ln for ln in frozen.lines_of()}
    now_lines = {(ln["part"], ln.get("order_number")): stored_line(ln) for ln in statement_record(live)}
    for key in [*then, *(k for k in now_lines if k not in then)]:
        a, b = then.get(key), now_lines.get(key)
        if a is None or b is None:
            rows.append({"part": key[0], "order_number": key[1], "field": "added" if a is None else "removed", "frozen": None, "live": None})
            continue
        for field_ in COMPARED_FIELDS:
            if a.get(field_) != b.get(field_):
                rows.append({"part": key[0], "order_number": key[1], "field": field_, "frozen": a.get(field_), "live": b.get(field_)})
    return pd.DataFrame(rows, columns=["part", "order_number", "field", "frozen", "live"])


# --- Managers' bonus ------------------------------------------------------------------------------------------


def unit_satisfaction(ctx: Context, period: TargetPeriod) -> dict[str, tuple[int, int]]:
    """Per unit code: (sum, count) of the ratings of tickets opened in ``period`` by accounts at home (at its end) in its subtree."""
    t = schema.service_ticket
    start, end = period.as_period().utc_bounds(ctx.calendar)
    accounts = scoped_accounts(Filters(period.as_period()), ctx.viewer, ctx.org, period.end)
    frame = read_frame(
        ctx.engine,
        select(accounts.c.home_unit_id, func.sum(t.c.satisfaction).label("s"), func.count(t.c.satisfaction).label("n"))
        .select_from(t.join(accounts, accounts.c.account_id == t.c.account_id))
        .where(t.c.opened_at >= start, t.c.opened_at < end, t.c.satisfaction.is_not(None))
        .group_by(accounts.c.home_unit_id),
    )
    per_id = {int(r.home_unit_id): (int(r.s), int(r.n)) for r in frame.itertuples()}
    out = {}
    for u in ctx.org.units:
        ids = ctx.org.subtree_ids(u.code)
        out[u.code] = (sum(per_id.get(i, (0, 0))[0] for i in ids), sum(per_id.get(i, (0, 0))[1] for i in ids))
    return out


def _logo_churn(ctx: Context, period: TargetPeriod, codes: Sequence[str]) -> dict[str, Decimal | None]:
    """Logo churn per unit code, grouped by parent: one query per parent."""
    out: dict[str, Decimal | None] = {}
    by_parent: dict[str | None, list[str]] = {}
    for code in codes:
        unit = ctx.org.by_code(code)
        parent = ctx.org.by_id(unit.parent_id) if unit is not None and unit.parent_id is not None else None
        by_parent.setdefault(parent.code if parent else None, []).append(code)
    for parent, kids in by_parent.items():
        if parent is None:
            for code in kids:
                r = result(LOGO_CHURN, ctx, Filters(period.as_period(), unit=code))
                out[code] = None if r.value is None else Decimal(int(r.numerator or 0)) / Decimal(int(r.denominator or 0))
            continue
        frame = evaluate(LOGO_CHURN, ctx, Filters(period.as_period(), unit=parent), Grouping("unit"))
        for g, n, d in zip(frame["group"], frame["numerator"], frame["denominator"], strict=True):
            if g in kids:
                out[g] = None if d is None or d != d or int(d) == 0 else Decimal(int(n or 0)) / Decimal(int(d))
    return {c: out.get(c) for c in codes}


def manager_bonuses(ctx: Context, plan: Plan, period: TargetPeriod) -> pd.DataFrame:
    """The managers' bonus of every unit of the plan's level the viewer may see.

    Columns: unit, name, target, actual, attainment, logo_churn, satisfaction, bonus, flag.
    """
    bonus = plan.manager_bonus
    if bonus is None:
        raise ValueError(f"plan {plan.name!r} has no [manager_bonus]")
    _check_period(plan, period)
    att = attainment(ctx, plan.target_measure, period)
    units = att[(att["kind"] == "unit") & (att["level"] == bonus.level) & att["bu"].isna()]
    codes = list(units["code"])
    churn = _logo_churn(ctx, period, codes) if any(c.metric == "logo_churn" for c in bonus.conditions) else {}
    sat = unit_satisfaction(ctx, period) if any(c.metric == "satisfaction" for c in bonus.conditions) else {}
    rows = []
    for row in units.to_dict("records"):
        s, n = sat.get(row["code"], (0, 0))
        values = {"logo_churn": churn.get(row["code"]), "satisfaction": Decimal(s) / Decimal(n) if n else None}
        amount, flag = manager_bonus_amount(bonus, row["attainment"], values)
        rows.append(
            {"unit": row["code"], "name": row["name"], "target": row["target"], "actual": row["actual"], "attainment": row["attainment"],
             "logo_churn": values["logo_churn"], "satisfaction": values["satisfaction"], "bonus": amount, "flag": flag}
        )
    return pd.DataFrame(rows, columns=BONUS_COLUMNS)


# --- Managers' bonus, approved ---------------------------------------------------------------------------------

BONUS_COLUMNS = ["unit", "name", "target", "actual", "attainment", "logo_churn", "satisfaction", "bonus", "flag"]
#: The figures a frozen bonus keeps as its totals: the amount and every input it came from.
BONUS_FIGURES = ("target", "actual", "attainment", "logo_churn", "satisfaction", "bonus")


def bonus_record(plan: Plan, row: Mapping[str, Any]) -> tuple[dict[str, Decimal | None], list[dict[str, object]]]:
    """One unit's managers' bonus (a row of :func:`manager_bonuses`) as it is frozen: totals — the bonus and its
    inputs — and one line per input: attainment with its cap and the flag, each customer metric with its weight,
    thresholds and score."""
    bonus = plan.manager_bonus
    if bonus is None:
        raise ValueError(f"plan {plan.name!r} has no [manager_bonus]")
    totals = {k: _plain(row.get(k)) for k in BONUS_FIGURES}
    lines: list[dict[str, object]] = [
        {"part": "input", "metric": "attainment", "value": totals["attainment"], "cap": bonus.attainment_cap_pct / 100,
         "flag": _plain(row.get("flag"))}
    ]
    for c in bonus.conditions:
        value = totals.get(c.metric)
        lines.append({"part": "input", "metric": c.metric, "value": value, "weight_pct": c.weight_pct, "full_at": c.full_at,
                      "zero_at": c.zero_at, "score": None if value is None else condition_score(c, value)})  # type: ignore[arg-type]
    return totals, lines


def bonuses_as_approved(live: pd.DataFrame, frozen: Sequence[FrozenStatement], plan: Plan, period: TargetPeriod) -> pd.DataFrame:
    """The managers' bonuses to show: each unit's frozen record where it was approved under this plan version for
    this period, else today's figures. ``frozen`` marks the first, ``differs`` a frozen unit whose figures today
    are not what was frozen, ``approved_as_of`` the data date it was frozen at. Units frozen but no longer in the
    live table are kept."""
    mine = {f.payee: f for f in frozen if f.kind == "manager_bonus" and f.plan_name == plan.name and f.plan_version == plan.version
            and f.period_start == period.start and f.period_end == period.end}
    rows = []
    for row in live.to_dict("records"):
        record = mine.pop(row["unit"], None)
        if record is None:
            rows.append({**row, "frozen": False, "differs": False, "approved_as_of": None})
            continue
        flag = next((ln.get("flag") for ln in record.lines if ln.get("metric") == "attainment"), None)
        shown = {**row, **record.totals, "flag": flag}
        today = {k: _plain(row.get(k)) for k in BONUS_FIGURES}
        rows.append({**shown, "frozen": True, "differs": today != record.totals, "approved_as_of": record.as_of})
    for code, record in mine.items():
        flag = next((ln.get("flag") for ln in record.lines if ln.get("metric") == "attainment"), None)
        rows.append({"unit": code, "name": code, **record.totals, "flag": flag, "frozen": True, "differs": True, "approved_as_of": record.as_of})
    return pd.DataFrame(rows, columns=[*BONUS_COLUMNS, "frozen", "differs", "approved_as_of"])


# --- Units compared: attainment and payouts ------------------------------------------------------------------


def unit_payouts(ctx: Context, plan: Plan, period: TargetPeriod, codes: Sequence[str]) -> pd.DataFrame:
    """Per unit in ``codes``: its target, actual and attainment on the plan's target measure, and the sums of
    :func:`payouts` over the reps whose team (the last they were in during the period, as targets roll up) lies
    in its subtree. A rep with no team in any of the units counts in none.

    Columns: unit, name, target, actual, attainment, reps, credited, earned, held_back, paid_now, released,
    forfeited, pending.
    """
    _check_period(plan, period)
    att = attainment(ctx, plan.target_measure, period)
    plain = att[att["bu"].isna()]
    units = {r["code"]: r for r in plain[plain["kind"] == "unit"].to_dict("records")}
    team_of = {r["code"]: r["parent"] for r in plain[plain["kind"] == "rep"].to_dict("records")}
    pay = payouts(ctx, plan, period)
    sums = ("credited", "earned", "held_back", "paid_now", "released", "forfeited", "pending")
    rows = []
    for code in codes:
        unit = ctx.org.by_code(code)
        ids = ctx.org.subtree_ids(code) if unit is not None else set()
        mine = [
            r for r in pay.to_dict("records")
            if (team := ctx.org.by_code(str(team_of.get(r["rep"])))) is not None and team.unit_id in ids
        ]
        row = units.get(code, {})
        rows.append(
            {"unit": code, "name": unit.name if unit is not None else code, "target": row.get("target"), "actual": row.get("actual"),
             "attainment": row.get("attainment"), "reps": len(mine), **{k: sum((r[k] for r in mine), ZERO) for k in sums}}
        )
    return pd.DataFrame(rows, columns=["unit", "name", "target", "actual", "attainment", "reps", *sums])


# --- The unit bonus pool ------------------------------------------------------------------------------------


#: Pool splits that are not org levels, and what each keys a deal by (see DEFINITIONS['pool']).
RECORD_SPLITS = ("bu", "product", "segment", "customer", "project", "project_grade")


def _split_key(split_by: str) -> ColumnElement:
    o = FACTS["sales_order"].table
    if split_by in ("bu", "product", "segment"):
        return dimension_group(FACTS["sales_order"], split_by)
    if split_by == "customer":
        return cast(o.c.account_id, String(20))
    if split_by == "project":
        return cast(o.c.opportunity_id, String(20))
    if split_by == "project_grade":
        opp = schema.opportunity.alias("project")
        return select(opp.c.project_grade).where(opp.c.opportunity_id == o.c.opportunity_id).scalar_subquery()
    return o.c.unit_id


def contributions(ctx: Context, period: TargetPeriod, split_by: str, contribution: str) -> dict[str, Decimal]:
    """Revenue or margin of the orders booked in ``period`` (to the as-of day) per unit of level ``split_by`` (a unit's
    subtree), or per business unit, product, segment or project grade code, customer (account id) or project (the id of
    the opportunity the order came from). Orders with no such value (a reorder with no opportunity has no project)
    share in nothing. Org units in code order; customers and projects largest first; units the viewer may not see are
    left out."""
    if contribution not in ("revenue", "margin"):
        raise ValueError(f"unknown contribution {contribution!r}; expected revenue or margin")
    levels = {u.level for u in ctx.org.units}
    if split_by not in RECORD_SPLITS and split_by not in levels:
        raise ValueError(f"cannot split by {split_by!r}: expected an org level ({', '.join(sorted(levels))}) or {', '.join(RECORD_SPLITS)}")
    hi = min(period.end, ctx.as_of)
    if hi < period.start:
        return {}
    fact = FACTS["sales_order"]
    o = fact.table
    joined, rate = rate_join(o, o.c.currency, o.c.order_date, ctx.currency)
    value = converted(o.c.amount, rate) if contribution == "revenue" else converted(o.c.amount, rate) - converted(o.c.cost, rate)
    rng = Filters(_period(period.start, hi))
    conds = [o.c.order_date >= period.start, o.c.order_date <= hi, *restrict(fact, rng, ctx.viewer, ctx.org).conditions]
    if contribution == "margin":
        conds.append(o.c.cost.is_not(None))
    key = _split_key(split_by)
    frame = read_frame(ctx.engine, select(key.label("k"), func.sum(value).label("v")).select_from(joined).where(*conds).group_by(key))
    sums = {r.k: Decimal(str(r.v)) for r in frame.itertuples() if r.k is not None and r.k == r.k and r.v is not None and r.v == r.v}
    if split_by in ("customer", "project"):
        return {str(k): cents(v) for k, v in sorted(sums.items(), key=lambda kv: (-kv[1], int(kv[0])))}
    if split_by in RECORD_SPLITS:
        return {str(k): cents(v) for k, v in sorted(sums.items(), key=lambda kv: str(kv[0]))}
    allowed = ctx.org.visible_ids(ctx.viewer)
    out = {}
    for u in sorted(ctx.org.units, key=lambda u: u.code):
        if u.level == split_by and (allowed is None or u.unit_id in allowed):
            ids = ctx.org.subtree_ids(u.code)
            out[u.code] = cents(sum((v for k, v in sums.items() if int(k) in ids), Decimal(0)))
    return out


def pool_group_names(ctx: Context, split_by: str, codes: Sequence[str]) -> dict[str, str]:
    """Display names of a pool's groups: the unit's, business unit's, product's, project grade's, customer's
    (account) or project's (opportunity) name; a segment is its code. A code with no name is itself."""
    lookups = {
        "bu": (schema.business_unit.c.code, schema.business_unit.c.name),
        "product": (schema.product.c.code, schema.product.c.name),
        "project_grade": (schema.project_grade.c.code, schema.project_grade.c.name),
        "customer": (schema.account.c.account_id, schema.account.c.name),
        "project": (schema.opportunity.c.opportunity_id, schema.opportunity.c.name),
    }
    if split_by not in lookups:
        return {c: (u.name if (u := ctx.org.by_code(c)) is not None else c) for c in codes}
    key, name = lookups[split_by]
    numeric = split_by in ("customer", "project")
    wanted = [int(c) for c in codes] if numeric else list(codes)
    out: dict[str, str] = {}
    for i in range(0, len(wanted), 1000):
        frame = read_frame(ctx.engine, select(key.label("k"), name.label("n")).where(key.in_(wanted[i : i + 1000])))
        out.update({str(int(k)) if numeric else str(k): str(n) for k, n in zip(frame["k"], frame["n"], strict=True) if n is not None and n == n})
    return {c: out.get(c, c) for c in codes}


def pool_shares(ctx: Context, plan: Plan, period: TargetPeriod, *, pool: Decimal | None = None,
                adjust: Mapping[str, Decimal] | None = None) -> pd.DataFrame:
    """The plan's pool split by contribution; what-if: another ``pool`` amount, or ``adjust`` (code → contribution
    multiplier) to see how shares move. Columns: group, contribution, share_pct, amount."""
    if plan.pool is None:
        raise ValueError(f"plan {plan.name!r} has no [pool]")
    contrib = contributions(ctx, period, plan.pool.split_by, plan.pool.contribution)
    if adjust:
        contrib = {k: cents(v * adjust.get(k, Decimal(1))) for k, v in contrib.items()}
    amount = plan.pool.amount if pool is None else pool
    shares = split_pool(amount, contrib)
    rows = [
        {"group": k, "contribution": v, "share_pct": (shares[k] / amount * 100) if k in shares else None, "amount": shares.get(k, ZERO)}
        for k, v in contrib.items()
    ]
    return pd.DataFrame(rows, columns=["group", "contribution", "share_pct", "amount"])


__all__ = [
    "DEFINITIONS", "DEFINITIONS_ZH", "Statement", "approved", "band_at", "bonus_record", "bonuses_as_approved", "capped", "commission_lines",
    "condition_score", "contributions", "credited_deals", "deal_rates", "frozen_differences", "holdback_status", "manager_bonus_amount",
    "manager_bonuses", "payouts", "pool_group_names", "pool_shares", "split_pool", "statement", "statement_record", "unit_payouts",
    "unit_satisfaction",
]
