"""Record-level metrics split by business unit, product, segment, source, rep and campaign:
tiny_crm (plus two campaigns and lead reps), worked out by hand, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, create_engine, insert, update

from data_layer import schema
from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period
from metrics.base import DIMENSIONS, Context, Grouping, NotGroupable, evaluate, result
from metrics.cli import main
from metrics.registry import REGISTRY
from tests import tiny_crm
from tests.conftest import BACKENDS, database_on

Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
#: Every tiny_crm lead: 5 (May 2024) to 4 (1 July 2025 local).
ALL_LEADS = Period(date(2024, 1, 1), date(2025, 12, 31), "quarter", "days")
M = REGISTRY
RECORD_LEVEL = (
    "revenue", "won_orders", "win_rate", "opportunities", "leads", "sales_cycle_median_days", "win_rate_by_amount",
    "opportunity_to_order_rate", "cash_collected", "order_to_cash_median_days", "invoiced_not_paid", "invoices_past_due",
    "weighted_pipeline", "forecast_accuracy", "lead_response_breach_rate",
    # Service tickets and deliveries carry their order's (else their account's) unit, business unit and product.
    "complaint_rate", "first_response_median_hours", "first_response_p90_hours", "resolution_median_hours",
    "resolution_p90_hours", "satisfaction_mean", "satisfied_share", "on_time_delivery_rate",
    # Customer profitability is per account: its home unit and its segment.
    "gross_margin_pct", "profit_contribution",
)
#: Metrics with no split at all: campaign ROI sets a campaign's revenue against its whole cost, which no unit or
#: dimension divides.
TOTAL_ONLY = ("campaign_roi",)


def load(engine: Engine) -> None:
    """tiny_crm, with lead 1 from campaign 1, lead 3 from campaign 2, and leads 1-3 assigned to reps."""
    tiny_crm.load(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(schema.campaign),
            [
                dict(campaign_id=1, name="Spring fair", kind="event", currency="USD", start_date=date(2025, 3, 1)),
                dict(campaign_id=2, name="May webinar", kind="webinar", currency="USD", start_date=date(2025, 5, 1)),
            ],
        )
        lead = schema.lead
        for lead_id, campaign, rep in ((1, 1, 1), (2, None, 1), (3, 2, 2)):
            conn.execute(update(lead).where(lead.c.lead_id == lead_id).values(campaign_id=campaign, assigned_rep_id=rep))


@pytest.fixture(scope="module", params=BACKENDS)
def ctx(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    with database_on(request.param, tmp_path_factory, load) as engine:
        yield Context(engine, load_org(engine), DEFAULT_VIEWER, Calendar(), "USD", date(2025, 7, 1))


def by(key: str, ctx: Context, dimension: str, period: Period = Q2, column: str = "value") -> dict[object, object]:
    frame = evaluate(M[key], ctx, Filters(period), Grouping(dimension))  # type: ignore[arg-type]
    return dict(zip(frame["group"], frame[column], strict=True))


# Q2 orders: SO-1 HW/HW-1 Acme (enterprise, event) E1 1000.00; SO-2 SW/SW-1 Acme E2 200 EUR = 220.00;
# SO-3 HW/HW-1 Beta (smb, website) E2 no amount; SO-4 SW/SW-1 长城 (smb, event) E1 0.10;
# SO-5 HW/HW-1 长城 E1 50 GBP, no rate.


def test_revenue_by_business_unit_and_product(ctx):
    assert by("revenue", ctx, "bu") == {"HW": Decimal("1000.00"), "SW": Decimal("220.10")}
    assert by("revenue", ctx, "product") == {"HW-1": Decimal("1000.00"), "SW-1": Decimal("220.10")}


def test_revenue_by_segment_and_source_reads_the_account(ctx):
    assert by("revenue", ctx, "segment") == {"enterprise": Decimal("1220.00"), "smb": Decimal("0.10")}
    # Beta (website) has only SO-3, which has no amount: its group is there, with no revenue.
    assert by("revenue", ctx, "source") == {"event": Decimal("1220.10"), "website": None}


def test_revenue_by_rep_is_credited_to_the_order_rep(ctx):
    # SO-2 is Acme's (owned by E1) but booked by E2: the order's rep is credited.
    assert by("revenue", ctx, "rep") == {"E1": Decimal("1000.10"), "E2": Decimal("220.00")}


def test_won_orders_and_win_rate_by_business_unit(ctx):
    assert by("won_orders", ctx, "bu") == {"HW": 3, "SW": 2}
    # Closed in Q2: opp 1 won (HW), opp 2 lost (SW), opp 3 won (HW).
    assert by("win_rate", ctx, "bu", column="numerator") == {"HW": 2, "SW": 0}
    assert by("win_rate", ctx, "bu", column="denominator") == {"HW": 2.0, "SW": 1.0}
    assert by("win_rate", ctx, "bu") == {"HW": 1.0, "SW": 0.0}


def test_leads_by_source_campaign_and_rep(ctx):
    assert by("leads", ctx, "source", ALL_LEADS) == {"event": 3, "website": 1, "phone": 1}
    # Leads without a campaign (2, 4, 5) group under None; a campaign has no code, so its id as text.
    assert by("leads", ctx, "campaign", ALL_LEADS) == {"1": 1, "2": 1, None: 3}
    assert by("leads", ctx, "rep", ALL_LEADS) == {"E1": 2, "E2": 1, None: 2}
    assert by("leads", ctx, "source") == {"event": 2}  # Q2: leads 1 and 3


def test_cycle_metrics_by_business_unit(ctx):
    # Closed in Q2: opp 1 (HW, won, 100, opened and won 6 hours apart), opp 2 (SW, lost, 100) and opp 3
    # (HW, won, 100, opened 5 January 00:00 UTC, won 30 June 15:00 UTC: 176.625 days).
    assert by("win_rate_by_amount", ctx, "bu") == {"HW": 1.0, "SW": 0.0}
    assert by("sales_cycle_median_days", ctx, "bu") == {"HW": pytest.approx((0.25 + 176.625) / 2)}


@pytest.mark.parametrize("key", ["revenue", "won_orders", "opportunities", "leads"])
def test_groups_add_up_to_the_total(ctx, key):
    total = result(M[key], ctx, Filters(ALL_LEADS)).value
    for dimension in sorted(M[key].groupings - {"bucket", "unit"}):
        values = by(key, ctx, dimension, ALL_LEADS).values()
        assert sum(v for v in values if v is not None) == total, (key, dimension)


def test_a_dimension_the_records_lack_is_refused(ctx):
    with pytest.raises(NotGroupable, match=r"'leads' cannot be grouped by 'bu'.*business unit"):
        evaluate(M["leads"], ctx, Filters(Q2), Grouping("bu"))
    with pytest.raises(ValueError, match=r"'revenue' cannot be grouped by 'campaign'"):
        evaluate(M["revenue"], ctx, Filters(Q2), Grouping("campaign"))


def test_metrics_not_built_for_a_dimension_say_so():
    # Account-level metrics (churn, wallet, customers), the lead funnel and lead-to-order cycle keep period and unit only.
    for key, metric in REGISTRY.items():
        if key in TOTAL_ONLY:
            assert metric.groupings == set(), key
            for by in ("bucket", "unit", "segment"):
                with pytest.raises(NotImplementedError, match=f"{key}.*supports only the total"):
                    evaluate(metric, None, Filters(Q2), Grouping(by))  # type: ignore[arg-type]
        elif key not in RECORD_LEVEL:
            assert metric.groupings == {"bucket", "unit"}, key
            with pytest.raises(NotImplementedError, match=key):
                evaluate(metric, None, Filters(Q2), Grouping("segment"))  # type: ignore[arg-type]


def test_record_level_metrics_declare_their_dimensions():
    assert M["leads"].groupings == {"bucket", "unit", "segment", "source", "rep", "campaign"}
    for key in ("revenue", "won_orders", "win_rate", "opportunities", "sales_cycle_median_days", "win_rate_by_amount", "opportunity_to_order_rate"):
        assert M[key].groupings == {"bucket", "unit", *DIMENSIONS} - {"campaign"}, key
    with pytest.raises(ValueError, match="unknown grouping 'region'"):
        Grouping("region")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def crm_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli_by") / "crm.duckdb"
    engine = create_engine(f"duckdb:///{path}")
    load(engine)
    engine.dispose()
    return f"duckdb:///{path}"


def test_cli_by_business_unit(crm_url, capsys):
    argv = ["summary", "--url", crm_url, "--start", "2025-04-01", "--end", "2025-06-30", "--by", "bu", "--format", "csv"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = (
        "revenue,Revenue,money,up,HW,1000.00,1000.00,",
        "revenue,Revenue,money,up,SW,220.10,220.10,",
        "won_orders,Won orders,count,up,HW,3,3,",
    )
    for row in expected:
        assert any(line.startswith(row) for line in lines), row
    leads = next(line for line in lines if line.startswith("leads,"))
    assert "not applicable" in leads and "business unit" in leads
    assert any(line.startswith("logo_churn,") and "not available" in line for line in lines)
