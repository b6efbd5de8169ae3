"""Every metric, in display order: the CLI, the definitions panel and the pages iterate this."""

from __future__ import annotations

from metrics import (
    campaigns,
    churn,
    customers,
    funnel,
    handoffs,
    lead_to_cash,
    leads,
    opportunities,
    pipeline,
    profitability,
    revenue,
    sales_cycle,
    service,
    wallet,
    win_rate,
    won_orders,
)
from metrics.base import Metric

REGISTRY: dict[str, Metric] = {
    m.key: m
    for m in (
        revenue.METRIC,
        won_orders.METRIC,
        win_rate.METRIC,
        opportunities.METRIC,
        leads.METRIC,
        sales_cycle.MEDIAN_DAYS,
        sales_cycle.WIN_RATE_BY_AMOUNT,
        churn.LOGO_CHURN,
        churn.REVENUE_CHURN,
        churn.GRR,
        churn.NRR,
        customers.METRIC,
        wallet.SHARE_OF_WALLET,
        wallet.WALLET_COVERAGE,
        sales_cycle.LEAD_TO_ORDER_MEDIAN_DAYS,
        churn.CONTRACT_CHURN,
        funnel.LEAD_TO_OPPORTUNITY_RATE,
        funnel.OPPORTUNITY_TO_ORDER_RATE,
        *lead_to_cash.METRICS,
        *pipeline.METRICS,
        *campaigns.METRICS,
        *handoffs.METRICS,
        *service.METRICS,
        *profitability.METRICS,
    )
}

#: The Overview's KPI cards, in order (the executive's questions: how much, how many new, how well we
#: win and how fast, whom we lose and keep, and how much of each customer's spend we take). The
#: Units page compares sibling units on the same KPIs.
HEADLINE = ("revenue", "new_customers", "win_rate", "sales_cycle_median_days", "logo_churn", "nrr", "share_of_wallet")


def definitions_markdown(lang: str = "en") -> str:
    """The metric definitions as the README shows them (kept equal by a test)."""
    return "\n".join(f"- **{m.label[lang]}** (`{m.key}`) — {m.definition[lang]}" for m in REGISTRY.values())


if __name__ == "__main__":
    print(definitions_markdown())
