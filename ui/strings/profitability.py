"""UI strings of pages/profitability.py: keys begin with ``page.profitability``, ``excluded.`` (its metrics') or ``profit.``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "page.profitability": {"en": "Customer value", "zh": "客户价值"},
    "profit.title": {"en": "Customer profitability and value", "zh": "客户盈利与价值"},
    "profit.assumed": {
        "en": "Cost to serve assumes {cost} per service ticket; the value score weighs sales {sales}, expected sales {expected}, "
        "credit {credit}, profit {profit} and references {reference} (settings cost_per_ticket and value_weights).",
        "zh": "服务成本按每张服务工单 {cost} 计算；价值得分权重：销售贡献 {sales}、销售预期 {expected}、信用 {credit}、利润贡献 {profit}、示范效用 {reference}"
        "（设置项 cost_per_ticket 与 value_weights）。",
    },
    "excluded.orders_no_cost": {"en": "{n} orders without a cost", "zh": "{n} 笔无成本的订单"},
    "excluded.orders_no_cost.one": {"en": "1 order without a cost", "zh": "1 笔无成本的订单"},
    "excluded.acquisitions_no_rate": {
        "en": "{n} acquisitions whose campaign cost has no rate", "zh": "{n} 个活动成本无汇率的获客",
    },
    "excluded.acquisitions_no_rate.one": {
        "en": "1 acquisition whose campaign cost has no rate", "zh": "1 个活动成本无汇率的获客",
    },
    # --- segments side by side ---
    "profit.segments": {"en": "Segments side by side", "zh": "客户细分对比"},
    "profit.segments_caption": {
        "en": "What each segment brings (gross margin) against what it costs to serve and to win, and what is left.",
        "zh": "各细分客户带来的毛利，与服务成本、获客成本相比，以及剩下的利润贡献。",
    },
    "profit.segment": {"en": "Segment", "zh": "客户细分"},
    "profit.accounts": {"en": "Accounts", "zh": "客户数"},
    "profit.revenue": {"en": "Revenue", "zh": "收入"},
    "profit.margin": {"en": "Gross margin", "zh": "毛利"},
    "profit.margin_pct": {"en": "Gross margin %", "zh": "毛利率"},
    "profit.tickets": {"en": "Tickets", "zh": "服务工单"},
    "profit.serve": {"en": "Cost to serve", "zh": "服务成本"},
    "profit.acquire": {"en": "Acquisition cost", "zh": "获客成本"},
    "profit.contribution": {"en": "Profit contribution", "zh": "利润贡献"},
    "profit.none": {"en": "No account in view bought, was served or was won in this period.", "zh": "本期查看范围内没有客户发生购买、服务或获客。"},
    "profit.segments_file": {"en": "segment-profitability", "zh": "客户细分盈利"},
    # --- the value pyramid ---
    "profit.pyramid": {"en": "Value pyramid", "zh": "客户价值金字塔"},
    "profit.pyramid_caption": {
        "en": "Accounts ranked by their value score; A is the top 20% (rounded down, at least one account), B the rest of "
        "the top 50% (rounded down), C the rest.",
        "zh": "按客户价值得分排序；A 类为前 20%（向下取整，至少一个客户），B 类为前 50%（向下取整）中的其余客户，C 类为其余。",
    },
    "profit.tier": {"en": "Tier", "zh": "层级"},
    "profit.tier.A": {"en": "A — top 20% (at least one)", "zh": "A 类 — 前 20%（至少一个）"},
    "profit.tier.B": {"en": "B — rest of the top 50%", "zh": "B 类 — 前 50% 中的其余"},
    "profit.tier.C": {"en": "C — the rest", "zh": "C 类 — 其余"},
    "profit.expected": {"en": "Expected sales", "zh": "销售预期"},
    "profit.referrals": {"en": "Referred leads", "zh": "推荐线索"},
    "profit.tiers_file": {"en": "value-pyramid", "zh": "客户价值金字塔"},
    "profit.no_accounts": {"en": "No account in view has anything to rank in this period.", "zh": "本期查看范围内没有可排序的客户。"},
    # --- top accounts ---
    "profit.top": {"en": "Most valuable accounts", "zh": "价值最高的客户"},
    "profit.top_caption": {
        "en": "Each account's value score and the five components it is made of.",
        "zh": "每个客户的价值得分及其五项构成。",
    },
    "profit.account": {"en": "Account", "zh": "客户"},
    "profit.unit": {"en": "Home unit", "zh": "归属单元"},
    "profit.score": {"en": "Score", "zh": "得分"},
    "profit.credit": {"en": "Paid on time", "zh": "按期回款率"},
    "profit.top_file": {"en": "top-accounts", "zh": "高价值客户"},
    # --- definitions ---
    "profit.note": {
        "en": "**Value pyramid** — per account with anything in view: sales contribution (revenue in the period), expected sales "
        "(amount × probability of its opportunities open at the end of the as-of day), credit (of its invoiced orders falling due "
        "in the period by the as-of day, the share paid in full by the due date; none due counts 0.5), profit contribution and "
        "reference value (leads it referred, created in the period; a lead has no business unit or product, so under a business-unit or "
        "product filter, or for a viewer limited to business units, referrals alone do not put an account in view). Each but credit becomes the account's percent rank among "
        "the accounts in view; the score is their weighted mean (0 to 1). Tiers by score, of n accounts: A the first n × 20% "
        "rounded down (at least one), B the rest of the first n × 50% rounded down, C the rest (of 5 accounts: 1, 1, 3; of 6: "
        "1, 2, 3). Ranks are within the view: a regional head ranks their own accounts.",
        "zh": "**客户价值金字塔** — 对查看范围内有任何往来的客户：销售贡献（期间收入）、销售预期（数据日期结束时其未结商机的金额 × 赢率）、"
        "信用（期间内截至数据日期到期的已开票订单中，在到期日前全额回款的比例；无到期订单计 0.5）、利润贡献和示范效用（期间内新建的由其推荐的线索；线索不属于任何经营单元或产品，故选择经营单元或产品时，或查看者仅限部分经营单元时，仅有推荐的客户不计入查看范围）。"
        "除信用外，各项取该客户在查看范围内客户中的百分位排名；得分为五项的加权平均（0 到 1）。按得分分层（共 n 个客户）：A 类为前 n × 20%（向下取整，至少一个），B 类为前 n × 50%（向下取整）中的其余客户，C 类为其余（5 个客户时为 1、1、3 个；6 个时为 1、2、3 个）。"
        "排名在查看范围内进行：区域负责人对其本区域客户排名。",
    },
}
