"""Campaign ROI against marketing_crm, worked out by hand, identical on every backend.

Q1 2025, as of 2025-06-30, USD. The cohort is the leads created in Q1: L1–L9 and L12 (L10 is Q2's, L11
Q4 2024's). A lead became an opportunity by its converted opportunity (the funnel's rule): L1 → 201,
L3 → 202, L4 → 203, L5 → 205 (L5 converted twice, 204 then 205: it counts once).

Customers won (the account's first order ever is booked against the lead's opportunity, by the as-of day):
- L1 → 201 → A1: first order 2025-02-15, booked against 201 → won.
- L3 → 202 (open; A2 never ordered) → no.
- L4 → 203 → A3: first order 2024-06-01, before the lead, against no opportunity → not won by the campaign.
- L5 → 205 → A4: first order 2025-03-25, booked against 205 → won.

Revenue (first 365 days from the first order, up to the as-of day, each order at its date's rate):
- A1: 1000 (02-15) + 500 EUR × 1.10 = 550 (06-01; day 106) = 1550.00; 07-10's 200 is after the as-of day.
- A4: 600 (03-25) − 100 (credit note 05-01; day 37) = 500.00.

Cost (campaigns started in Q1, at the start day's rate): C1 2000 EUR × 1.10 = 2200.00, C2 300.00, C3 500.00;
C4 started in December 2024 (its cost is Q4's), C5 and C6 in Q2.

| campaign | leads        | opps | customers | revenue | cost    | cost/lead          | cost/customer | ROI                        |
|----------|--------------|------|-----------|---------|---------|--------------------|---------------|----------------------------|
| C1       | L1, L2, L3   | 2    | 1 (A1)    | 1550.00 | 2200.00 | 2200 / 3 = 733.33  | 2200.00       | (1550 − 2200) / 2200       |
| C2       | L4, L9       | 1    | 0         | 0.00    | 300.00  | 300 / 2 = 150.00   | None          | (0 − 300) / 300 = −1       |
| C3       | —            | 0    | 0         | 0.00    | 500.00  | None               | None          | −1                         |
| C4       | L6           | 0    | 0         | 0.00    | None    | None               | None          | None                       |
| none     | L5, L7, L8, L12 | 1 | 1 (A4)    | 500.00  | None    | None               | None          | None                       |

ROI sets against cost only the revenue of the leads the costed campaigns brought (Q1: C1, C2, C3; L6's C4 is not).

2024, where the fixture's later campaigns show what ROI leaves out (all orders USD unless marked):
- Q3 2024: C7 (SOUTH, 800, starts 09-10) brought L13 → 214 → A9: first order 2024-10-05 1000 (against 214), then
  2024-11-10 50 GBP (day 36), which has no rate: revenue 1000.00 with 1 unpriced order, so ROI is not computed.
  With a 30-day revenue window the GBP order falls outside: ROI (1000 − 800) / 800 = 0.25.
- Q4 2024: costed campaigns C4 (SOUTH, 100, starts 12-01) and C8 (NORTH, 200, starts 11-01); C7's cost is Q3's. Leads
  L11 (none, N-OFF), L14 (C7, S-OFF → A10, 600) and L15 (C8, routed to S-OFF → A11, 300).

| campaign | leads | opps | customers | revenue | cost   | costed revenue | cost/lead | cost/customer | ROI                   |
|----------|-------|------|-----------|---------|--------|----------------|-----------|---------------|-----------------------|
| C4       | —     | 0    | 0         | 0.00    | 100.00 | 0.00           | None      | None          | (0 − 100) / 100 = −1  |
| C7       | L14   | 1    | 1 (A10)   | 600.00  | None   | None           | None      | None          | None                  |
| C8       | L15   | 1    | 1 (A11)   | 300.00  | 200.00 | 300.00         | 200.00    | 200.00        | (300 − 200) / 200 = 0.5 |
| none     | L11   | 0    | 0         | 0.00    | None   | None           | None      | None          | None                  |

  Whole company: (300 − 300) / 300 = 0, not (600 + 300 − 300) / 300 = 2 (L14's 600 is from C7, costed in Q3).
  By kind, webinar (C7 and C8): leads L14, L15; revenue 900, cost 200; costed (C8's) leads 1, customers 1, revenue 300:
  cost per lead 200 / 1 and per customer 200 / 1, not 200 / 2; ROI (300 − 200) / 200 = 0.5, not (900 − 200) / 200 = 3.5.
  SOUTH's head: costed C4 only; L14 (C7: an earlier period) and L15 (C8: NORTH's campaign) are SOUTH's leads, but
  neither campaign's cost is SOUTH's in Q4: ROI (0 − 100) / 100 = −1, not (900 − 100) / 100 = 8.
  NORTH's head: costed C8; its leads: L11 only (L15 was routed to SOUTH): ROI (0 − 200) / 200 = −1.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import re
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import Engine, insert

from data_layer import schema

from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics.base import Context, Grouping, compare, compare_separately, evaluate, result
from metrics.campaigns import (
    BYS,
    CAMPAIGN_ROI,
    campaign_records,
    campaign_table,
    cost_select,
    costed_campaigns,
    group_of_code,
    leads_select,
    revenue_select,
    roi_query,
    still_maturing,
)
from metrics.funnel import funnel
from metrics.sql import DIALECTS
from tests import marketing_crm
from tests.conftest import BACKENDS, database_on

D = Decimal
Q1 = Period(date(2025, 1, 1), date(2025, 3, 31), "month", "quarter")
Q2 = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")
EMPTY = Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter")
Q3_2024 = Period(date(2024, 7, 1), date(2024, 9, 30), "month", "quarter")
Q4_2024 = Period(date(2024, 10, 1), date(2024, 12, 31), "month", "quarter")
NORTH_HEAD = Viewer(user="north", role=Role.REGIONAL_HEAD, units=("NORTH",))
SOUTH_HEAD = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
MEASURES = ["leads", "opportunities", "customers", "revenue", "cost", "cost_per_lead", "cost_per_customer", "roi"]


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """marketing_crm loaded once per backend for the module: the tests only read it."""
    with database_on(request.param, tmp_path_factory, marketing_crm.load) as engine:
        yield engine


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER, as_of: date = marketing_crm.AS_OF) -> Context:
        return Context(loaded, org, viewer, Calendar(), "USD", as_of)

    return make


def rows(frame, key: str) -> dict:
    return {r[key]: tuple(r[m] for m in MEASURES) for r in frame.to_dict("records")}


def costed_counts(frame, key: str) -> dict:
    """Per group: the leads and customers won of its costed campaigns (what cost per lead and per customer divide by)."""
    return {r[key]: (r["costed_leads"], r["costed_customers"]) for r in frame.to_dict("records")}


def against(frame, key: str) -> dict:
    """Per group: what ROI is taken from — ``unpriced_orders``, ``cost``, ``costed_revenue`` and ``roi``."""
    return {r[key]: (r["unpriced_orders"], r["cost"], r["costed_revenue"], r["roi"]) for r in frame.to_dict("records")}


def test_per_campaign(ctx_for):
    frame = campaign_table(ctx_for(), Filters(Q1), by="campaign")
    # Most leads first; a campaign with no lead (C3) still appears; the leads of no campaign last.
    assert list(frame["campaign_id"]) == [1, 2, 4, 3, None]
    assert list(frame["name"]) == ["Spring roadshow", "Product webinar", "Winter mailing", "Trade show", None]
    assert list(frame["label"]) == ["Spring roadshow", "Product webinar", "Winter mailing", "Trade show", None]
    assert list(frame["code"]) == ["1", "2", "4", "3", "none"]
    assert [group_of_code("campaign", c) for c in frame["code"]] == [1, 2, 4, 3, None]
    assert list(frame["kind"]) == ["roadshow", "webinar", "email", "trade_show", None]
    assert rows(frame, "campaign_id") == {
        1: (3, 2, 1, D("1550.00"), D("2200.00"), D("733.33"), D("2200.00"), (1550 - 2200) / 2200),
        2: (2, 1, 0, D("0.00"), D("300.00"), D("150.00"), None, -1.0),
        3: (0, 0, 0, D("0.00"), D("500.00"), None, None, -1.0),
        4: (1, 0, 0, D("0.00"), None, None, None, None),  # C4's 100 belongs to Q4 2024, the period it started in
        None: (4, 1, 1, D("500.00"), None, None, None, None),
    }


def test_per_kind(ctx_for):
    # email: C4 (L6, no cost in Q1); roadshow: C1; trade_show: C3 (500, no lead; C6 starts in Q2); webinar: C2 (C5 starts in Q2).
    frame = campaign_table(ctx_for(), Filters(Q1), by="kind")
    assert list(frame["kind"]) == list(frame["label"])[:4] + [None] == ["roadshow", "webinar", "email", "trade_show", None]
    assert list(frame["code"]) == ["roadshow", "webinar", "email", "trade_show", "none"]
    assert rows(frame, "kind") == {
        "email": (1, 0, 0, D("0.00"), None, None, None, None),
        "roadshow": (3, 2, 1, D("1550.00"), D("2200.00"), D("733.33"), D("2200.00"), (1550 - 2200) / 2200),
        "trade_show": (0, 0, 0, D("0.00"), D("500.00"), None, None, -1.0),
        "webinar": (2, 1, 0, D("0.00"), D("300.00"), D("150.00"), None, -1.0),
        None: (4, 1, 1, D("500.00"), None, None, None, None),
    }


def test_per_source_channel_has_no_cost(ctx_for):
    # event: L1, L2, L3, L9 (opps L1, L3; A1 won); website: L4, L8 (opp L4); referral: L5 (A4 won); email L6; phone L7;
    # own_development L12. Campaign costs are not split by source.
    frame = campaign_table(ctx_for(), Filters(Q1), by="source")
    assert list(frame["source"]) == ["event", "website", "email", "own_development", "phone", "referral"]  # most leads first
    assert rows(frame, "source") == {
        "email": (1, 0, 0, D("0.00"), None, None, None, None),
        "event": (4, 2, 1, D("1550.00"), None, None, None, None),
        "own_development": (1, 0, 0, D("0.00"), None, None, None, None),
        "phone": (1, 0, 0, D("0.00"), None, None, None, None),
        "referral": (1, 1, 1, D("500.00"), None, None, None, None),
        "website": (2, 1, 0, D("0.00"), None, None, None, None),
    }
    assert sum(frame["leads"]) == 10


def test_the_groupings_add_up_and_agree_with_the_funnel(ctx_for):
    # Each lead has one campaign, kind and source, and here no account is won in two groups: the totals agree.
    totals = {
        by: tuple(sum(campaign_table(ctx_for(), Filters(Q1), by=by)[m]) for m in ("leads", "opportunities", "customers", "revenue"))
        for by in ("campaign", "kind", "source")
    }
    assert set(totals.values()) == {(10, 4, 2, D("2050.00"))}
    # The same leads and opportunities as the funnel's cohort (its opportunity stage, no window), campaign by campaign.
    stages = funnel(ctx_for(), Filters(Q1), by="campaign")
    reached = {g: (int(r["reached"].iloc[0]), int(r["reached"].iloc[2])) for g, r in stages.groupby("group", dropna=False)}
    frame = campaign_table(ctx_for(), Filters(Q1), by="campaign")
    ours = {None if g is None else str(g): (n, o) for g, n, o in zip(frame["campaign_id"], frame["leads"], frame["opportunities"], strict=True) if n}
    assert {None if pd.isna(g) else g: v for g, v in reached.items()} == ours


def test_the_roi_metric(ctx_for):
    # Revenue of the leads the costed campaigns brought: C1 1550 + C2 0 + C3 0 (L6's C4 is Q4's); cost 2200 + 300 + 500 = 3000.
    roi = result(CAMPAIGN_ROI, ctx_for(), Filters(Q1))
    assert (roi.numerator, roi.denominator) == (1550.0 - 3000.0, 3000.0)
    assert roi.value == -1450 / 3000
    assert CAMPAIGN_ROI.definition["en"] and CAMPAIGN_ROI.definition["zh"] and CAMPAIGN_ROI.label["zh"]
    assert CAMPAIGN_ROI.not_applicable(Filters(Q1, bus=("HW",))) == ("business_unit",)
    assert CAMPAIGN_ROI.not_applicable(Filters(Q1)) == ()
    with pytest.raises(NotImplementedError):
        evaluate(CAMPAIGN_ROI, ctx_for(), Filters(Q1), Grouping("unit"))


def test_revenue_window(ctx_for):
    # 100 days: A1's 550 (day 106) drops out, A4's credit note (day 37) stays.
    frame = campaign_table(ctx_for(), Filters(Q1), by="campaign", revenue_days=100)
    assert dict(zip(frame["campaign_id"], frame["revenue"], strict=True)) == {
        1: D("1000.00"), 2: D("0.00"), 3: D("0.00"), 4: D("0.00"), None: D("500.00")
    }
    with pytest.raises(ValueError):
        campaign_table(ctx_for(), Filters(Q1), revenue_days=0)


def test_the_as_of_day(ctx_for):
    # As of 2025-03-20 (its end: 03-20 16:00 UTC): A4's first order (03-25) and A1's second (06-01) have not happened:
    # C1's revenue is A1's 1000 of 02-15, and A4 is not won yet. L7 (created 03-31) is not yet a lead. C3 started 03-15: counted.
    frame = campaign_table(ctx_for(as_of=date(2025, 3, 20)), Filters(Q1), by="campaign")
    assert rows(frame, "campaign_id")[1] == (3, 2, 1, D("1000.00"), D("2200.00"), D("733.33"), D("2200.00"), (1000 - 2200) / 2200)
    assert rows(frame, "campaign_id")[None][:4] == (3, 1, 0, D("0.00"))  # L5, L8, L12 (L7 is created 03-31); L5 converted 03-01
    # As of 2025-03-10 C3 (starting 03-15) has not started: no cost yet.
    early = campaign_table(ctx_for(as_of=date(2025, 3, 10)), Filters(Q1), by="campaign")
    assert 3 not in set(early["campaign_id"])


def test_a_regional_head_sees_the_region_leads_and_campaigns(ctx_for):
    # NORTH's Q1 leads: L1, L2 (C1), L5, L7, L8, L12 (none); its campaigns: C1 (NORTH) and C3 (N-OFF). L3 (C1, routed
    # to SOUTH) is not NORTH's. ROI: (1550 − 2200 − 500) / 2700.
    frame = campaign_table(ctx_for(NORTH_HEAD), Filters(Q1), by="campaign")
    assert rows(frame, "campaign_id") == {
        1: (2, 1, 1, D("1550.00"), D("2200.00"), D("1100.00"), D("2200.00"), (1550 - 2200) / 2200),
        3: (0, 0, 0, D("0.00"), D("500.00"), None, None, -1.0),
        None: (4, 1, 1, D("500.00"), None, None, None, None),
    }
    roi = result(CAMPAIGN_ROI, ctx_for(NORTH_HEAD), Filters(Q1))
    assert (roi.numerator, roi.denominator, roi.value) == (-1150.0, 2700.0, -1150 / 2700)
    # SOUTH sees L3 under C1 but not C1's cost (a NORTH campaign), and its own C2; C4's cost is Q4's.
    south = campaign_table(ctx_for(SOUTH_HEAD), Filters(Q1), by="campaign")
    assert rows(south, "campaign_id") == {
        1: (1, 1, 0, D("0.00"), None, None, None, None),
        2: (2, 1, 0, D("0.00"), D("300.00"), D("150.00"), None, -1.0),
        4: (1, 0, 0, D("0.00"), None, None, None, None),
    }
    # A unit filter outside the viewer's scope sees nothing.
    assert campaign_table(ctx_for(NORTH_HEAD), Filters(Q1, unit="SOUTH"), by="campaign").empty


def test_a_campaign_cost_with_no_rate_is_not_stated(ctx_for):
    # Q2: L10 (C1, whose cost is Q1's); C5 150 USD starts 04-01; C6 1000 GBP starts 05-20 and GBP has no rate.
    frame = campaign_table(ctx_for(), Filters(Q2), by="campaign")
    assert rows(frame, "campaign_id") == {
        1: (1, 0, 0, D("0.00"), None, None, None, None),
        5: (0, 0, 0, D("0.00"), D("150.00"), None, None, -1.0),
        6: (0, 0, 0, D("0.00"), None, None, None, None),
    }
    kinds = campaign_table(ctx_for(), Filters(Q2), by="kind")
    assert dict(zip(kinds["kind"], kinds["cost"], strict=True)) == {"roadshow": None, "trade_show": None, "webinar": D("150.00")}
    roi = result(CAMPAIGN_ROI, ctx_for(), Filters(Q2))
    assert roi.value is None and roi.reason == "no_denominator"
    # The north head cannot see C6 (run by the whole company's unit): its Q2 cost is C5's alone.
    assert result(CAMPAIGN_ROI, ctx_for(NORTH_HEAD), Filters(Q2)).denominator == 150.0


def test_a_source_filter_narrows_leads_and_leaves_cost_uncomputed(ctx_for):
    # Q1 website leads: L4 (C2; → 203, A3 not won) and L8 (no campaign). Cost cannot be narrowed to a source, so it and
    # every ratio on it stay None (before, C1–C3's whole 3000 was set against website revenue: ROI −1), and C1 and
    # C3, with no website lead, drop out.
    flt = Filters(Q1, sources=("website",))
    frame = campaign_table(ctx_for(), flt, by="campaign")
    assert rows(frame, "campaign_id") == {
        2: (1, 1, 0, D("0.00"), None, None, None, None),
        None: (1, 0, 0, D("0.00"), None, None, None, None),
    }
    assert list(frame["costed_revenue"]) == [None, None]
    assert frame.attrs["not_applicable"] == ("source",) == CAMPAIGN_ROI.not_applicable(flt)
    kinds = campaign_table(ctx_for(), flt, by="kind")
    assert rows(kinds, "kind") == {"webinar": (1, 1, 0, D("0.00"), None, None, None, None), None: (1, 0, 0, D("0.00"), None, None, None, None)}
    roi = result(CAMPAIGN_ROI, ctx_for(), flt)
    assert (roi.value, roi.numerator, roi.denominator, roi.reason) == (None, None, None, "no_denominator")
    assert CAMPAIGN_ROI.not_applicable(Filters(Q1, bus=("HW",), sources=("website",))) == ("business_unit", "source")


def test_a_segment_filter_narrows_leads_and_leaves_cost_uncomputed(ctx_for):
    # Q4 2024 smb leads: L14 (A10, smb; C7). L15's A11 is enterprise, L11 has no account. No cost, no ROI.
    flt = Filters(Q4_2024, segments=("smb",))
    frame = campaign_table(ctx_for(), flt, by="campaign")
    assert rows(frame, "campaign_id") == {7: (1, 1, 1, D("600.00"), None, None, None, None)}
    assert frame.attrs["not_applicable"] == ("segment",) == CAMPAIGN_ROI.not_applicable(flt)
    enterprise = campaign_table(ctx_for(), Filters(Q4_2024, segments=("enterprise",)), by="kind")
    assert rows(enterprise, "kind") == {"webinar": (1, 1, 1, D("300.00"), None, None, None, None)}  # L15 (C8)
    roi = result(CAMPAIGN_ROI, ctx_for(), flt)
    assert (roi.value, roi.denominator, roi.reason) == (None, None, "no_denominator")
    # Without the filter the same quarter's ROI is computed (test_roi_sets_against_cost_only_its_campaigns_revenue).
    assert result(CAMPAIGN_ROI, ctx_for(), Filters(Q4_2024)).value == 0.0


def test_an_order_with_no_rate_is_counted_and_stops_roi(ctx_for):
    # Q3 2024: C7 → L13 → A9: 1000 priced (2024-10-05) + 50 GBP with no rate (2024-11-10, day 36).
    frame = campaign_table(ctx_for(), Filters(Q3_2024), by="campaign")
    assert rows(frame, "campaign_id") == {7: (1, 1, 1, D("1000.00"), D("800.00"), D("800.00"), D("800.00"), None)}
    assert against(frame, "campaign_id") == {7: (1, D("800.00"), D("1000.00"), None)}
    roi = result(CAMPAIGN_ROI, ctx_for(), Filters(Q3_2024))
    assert (roi.value, roi.denominator, roi.reason) == (None, None, "no_denominator")
    # A 30-day window leaves the GBP order out: (1000 − 800) / 800.
    month = campaign_table(ctx_for(), Filters(Q3_2024), by="campaign", revenue_days=30)
    assert against(month, "campaign_id") == {7: (0, D("800.00"), D("1000.00"), 0.25)}
    roi = result(replace(CAMPAIGN_ROI, query=roi_query(30)), ctx_for(), Filters(Q3_2024))
    assert (roi.numerator, roi.denominator, roi.value) == (200.0, 800.0, 0.25)
    # By source the unpriced order still shows (event: L13), though no cost or ROI is ever stated there.
    sources = campaign_table(ctx_for(), Filters(Q3_2024), by="source")
    assert against(sources, "source") == {"event": (1, None, None, None)}
    # Q1's orders all have a rate.
    assert set(campaign_table(ctx_for(), Filters(Q1), by="campaign")["unpriced_orders"]) == {0}


def test_roi_sets_against_cost_only_its_campaigns_revenue(ctx_for):
    # See the module docstring's Q4 2024 table.
    frame = campaign_table(ctx_for(), Filters(Q4_2024), by="campaign")
    assert rows(frame, "campaign_id") == {
        4: (0, 0, 0, D("0.00"), D("100.00"), None, None, -1.0),
        7: (1, 1, 1, D("600.00"), None, None, None, None),  # C7's cost is Q3 2024's
        8: (1, 1, 1, D("300.00"), D("200.00"), D("200.00"), D("200.00"), 0.5),
        None: (1, 0, 0, D("0.00"), None, None, None, None),
    }
    assert against(frame, "campaign_id") == {
        4: (0, D("100.00"), D("0.00"), -1.0), 7: (0, None, None, None), 8: (0, D("200.00"), D("300.00"), 0.5), None: (0, None, None, None)
    }
    kinds = campaign_table(ctx_for(), Filters(Q4_2024), by="kind")
    assert rows(kinds, "kind") == {
        "email": (0, 0, 0, D("0.00"), D("100.00"), None, None, -1.0),
        # L14 (C7's, costed in Q3) is a webinar lead but not C8's: its 600 is not set against C8's cost, and cost per
        # lead and per customer divide by C8's lead and customer alone: 200 ÷ 1, not 200 ÷ 2.
        "webinar": (2, 2, 2, D("900.00"), D("200.00"), D("200.00"), D("200.00"), 0.5),
        None: (1, 0, 0, D("0.00"), None, None, None, None),
    }
    assert against(kinds, "kind")["webinar"] == (0, D("200.00"), D("300.00"), 0.5)
    assert costed_counts(kinds, "kind") == {"email": (0, 0), "webinar": (1, 1), None: (None, None)}
    assert costed_counts(frame, "campaign_id") == {4: (0, 0), 7: (None, None), 8: (1, 1), None: (None, None)}
    roi = result(CAMPAIGN_ROI, ctx_for(), Filters(Q4_2024))
    assert (roi.numerator, roi.denominator, roi.value) == (0.0, 300.0, 0.0)


def test_a_regional_head_sets_no_other_units_campaign_revenue_against_its_cost(ctx_for):
    # SOUTH in Q4 2024: leads L14 (C7, Q3's) and L15 (C8, NORTH's); costed C4 only.
    south = campaign_table(ctx_for(SOUTH_HEAD), Filters(Q4_2024), by="campaign")
    assert rows(south, "campaign_id") == {
        4: (0, 0, 0, D("0.00"), D("100.00"), None, None, -1.0),
        7: (1, 1, 1, D("600.00"), None, None, None, None),
        8: (1, 1, 1, D("300.00"), None, None, None, None),  # C8's cost is NORTH's
    }
    roi = result(CAMPAIGN_ROI, ctx_for(SOUTH_HEAD), Filters(Q4_2024))
    assert (roi.numerator, roi.denominator, roi.value) == (-100.0, 100.0, -1.0)
    # NORTH: costed C8, whose lead L15 was routed to SOUTH; NORTH's own lead L11 came from no campaign.
    north = campaign_table(ctx_for(NORTH_HEAD), Filters(Q4_2024), by="campaign")
    assert rows(north, "campaign_id") == {
        8: (0, 0, 0, D("0.00"), D("200.00"), None, None, -1.0),
        None: (1, 0, 0, D("0.00"), None, None, None, None),
    }
    roi = result(CAMPAIGN_ROI, ctx_for(NORTH_HEAD), Filters(Q4_2024))
    assert (roi.numerator, roi.denominator, roi.value) == (-200.0, 200.0, -1.0)
    # Q1: SOUTH's L3 is C1's (NORTH's, not costed for SOUTH): SOUTH's ROI is C2's alone, (0 − 300) / 300.
    assert result(CAMPAIGN_ROI, ctx_for(SOUTH_HEAD), Filters(Q1)).value == -1.0


def test_empty_period(ctx_for):
    assert campaign_table(ctx_for(), Filters(EMPTY), by="campaign").empty
    assert campaign_table(ctx_for(), Filters(EMPTY), by="source").empty
    roi = result(CAMPAIGN_ROI, ctx_for(), Filters(EMPTY))
    assert roi.value is None and roi.reason == "no_denominator"


def test_compare_runs_each_period(ctx_for):
    flt = Filters(Q2)
    assert compare(CAMPAIGN_ROI, ctx_for(), flt) == compare_separately(CAMPAIGN_ROI, ctx_for(), flt)
    assert compare(CAMPAIGN_ROI, ctx_for(), flt).previous.value == -1450 / 3000  # Q1


def test_unknown_grouping_is_refused(ctx_for):
    with pytest.raises(ValueError):
        campaign_table(ctx_for(), Filters(Q1), by="rep")  # type: ignore[arg-type]


# --- Why a row states no cost, and who ran each campaign ---------------------------------------------


def test_each_campaign_row_says_who_ran_it_and_why_it_has_no_cost(ctx_for):
    frame = campaign_table(ctx_for(), Filters(Q1), by="campaign")
    assert list(frame["campaign_id"]) == [1, 2, 4, 3, None]
    assert list(frame["unit"]) == ["NORTH", "SOUTH", "SOUTH", "N-OFF", None]
    assert list(frame["start_date"]) == [date(2025, 1, 10), date(2025, 2, 1), date(2024, 12, 1), date(2025, 3, 15), None]
    # C4 started in December 2024: its cost is that quarter's; the leads of no campaign have none.
    assert list(frame["cost_note"]) == [None, None, "earlier", None, "no_campaign"]
    # Q2: C1's leads but its cost is Q1's; C5 costed; C6's GBP has no rate on its start day.
    assert dict(zip(campaign_table(ctx_for(), Filters(Q2))["campaign_id"], campaign_table(ctx_for(), Filters(Q2))["cost_note"], strict=True)) == {
        1: "earlier", 5: None, 6: "no_rate"
    }
    # SOUTH sees L3 of C1, a campaign NORTH ran in the period: outside its view, so neither who ran it nor when shows.
    south = campaign_table(ctx_for(SOUTH_HEAD), Filters(Q1), by="campaign")
    assert dict(zip(south["campaign_id"], south["cost_note"], strict=True)) == {1: "outside", 2: None, 4: "earlier"}
    assert [(r["name"], r["kind"], r["unit"], r["start_date"]) for r in south.to_dict("records") if r["campaign_id"] == 1] == [
        ("Spring roadshow", "roadshow", None, None)
    ]
    kinds = campaign_table(ctx_for(), Filters(Q1), by="kind")
    assert dict(zip(kinds["kind"], kinds["cost_note"], strict=True)) == {
        "email": "none_in_period", "roadshow": None, "trade_show": None, "webinar": None, None: "no_campaign"
    }
    assert set(campaign_table(ctx_for(), Filters(Q1), by="source")["cost_note"]) == {"by_source"}
    assert set(campaign_table(ctx_for(), Filters(Q1, sources=("website",)), by="campaign")["cost_note"]) == {"withheld"}


# --- The records behind a row --------------------------------------------------------------------------


def _records(ctx, flt, by, group, stage="lead", limit=50):
    frame, total = campaign_records(ctx, flt, by, group, stage, limit)
    return frame, total


def test_the_records_of_a_campaign(ctx_for):
    # C1 in Q1: L1 won A1 (first order 02-15, revenue 1550), L3 became Deal 202, L2 did neither. Customers first.
    frame, total = _records(ctx_for(), Filters(Q1), "campaign", 1)
    assert total == 3
    assert list(frame["lead_id"]) == [1, 3, 2]
    assert list(frame["company"]) == ["Company 1", "Company 3", "Company 2"]
    assert list(frame["unit"]) == ["N-OFF", "S-OFF", "N-OFF"]
    assert list(frame["source"]) == ["event", "event", "event"]
    assert list(frame["created"]) == [date(2025, 1, 12), date(2025, 1, 20), date(2025, 1, 15)]
    assert list(frame["opportunity"]) == ["Deal 201", "Deal 202", None]
    assert list(frame["customer"]) == ["A1", None, None]
    assert list(frame["first_order"]) == [date(2025, 2, 15), None, None]
    assert list(frame["revenue"]) == [D("1550.00"), None, None]
    assert list(frame["unpriced_orders"]) == [0, 0, 0]
    # Only the opportunities, only the customers won.
    opps, n = _records(ctx_for(), Filters(Q1), "campaign", 1, "opportunity")
    assert (list(opps["lead_id"]), n) == ([1, 3], 2)
    won, n = _records(ctx_for(), Filters(Q1), "campaign", 1, "customer")
    assert (list(won["lead_id"]), n) == ([1], 1)


def test_the_records_of_the_leads_no_campaign_brought(ctx_for):
    # L5 won A4 (600 − 100 = 500); then the rest newest first: L7 (03-31 10:00 local), L12 (03-05), L8 (03-01).
    frame, total = _records(ctx_for(), Filters(Q1), "campaign", None)
    assert (list(frame["lead_id"]), total) == ([5, 7, 12, 8], 4)
    assert list(frame["revenue"]) == [D("500.00"), None, None, None]
    assert list(frame["created"])[1] == date(2025, 3, 31)
    # Capped: the first two, and the total.
    capped, total = _records(ctx_for(), Filters(Q1), "campaign", None, limit=2)
    assert (list(capped["lead_id"]), total) == ([5, 7], 4)
    # By kind and by source the same way: webinars of Q4 2024 (L14's A10 600, L15's A11 300); Q1's referral leads.
    webinar, total = _records(ctx_for(), Filters(Q4_2024), "kind", "webinar")
    assert (list(webinar["lead_id"]), list(webinar["revenue"]), total) == ([14, 15], [D("600.00"), D("300.00")], 2)
    referral, total = _records(ctx_for(), Filters(Q1), "source", "referral")
    assert (list(referral["lead_id"]), total) == ([5], 1)


def test_the_records_keep_the_scope_and_the_filters(ctx_for):
    north, total = _records(ctx_for(NORTH_HEAD), Filters(Q1), "campaign", 1)
    assert (list(north["lead_id"]), total) == ([1, 2], 2)  # L3 was routed to SOUTH
    south, total = _records(ctx_for(SOUTH_HEAD), Filters(Q1), "campaign", 1)
    assert (list(south["lead_id"]), total) == ([3], 1)
    website, total = _records(ctx_for(), Filters(Q1, sources=("website",)), "campaign", 2)
    assert (list(website["lead_id"]), list(website["customer"]), total) == ([4], [None], 1)  # A3 had bought before
    # An order with no rate is counted on the account's lead (C7, Q3 2024: A9's 50 GBP).
    unpriced, _ = _records(ctx_for(), Filters(Q3_2024), "campaign", 7)
    assert (list(unpriced["revenue"]), list(unpriced["unpriced_orders"])) == ([D("1000.00")], [1])
    empty, total = _records(ctx_for(), Filters(EMPTY), "campaign", 1)
    assert empty.empty and total == 0
    with pytest.raises(ValueError):
        campaign_records(ctx_for(), Filters(Q1), "campaign", 1, "won")
    with pytest.raises(ValueError):
        campaign_records(ctx_for(), Filters(Q1), "rep", 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("period", [Q1, Q2, Q3_2024, Q4_2024])
def test_the_records_add_up_to_the_table(ctx_for, period):
    """Every row of every grouping: its records count its leads, opportunities and customers, and sum its revenue."""
    for viewer in (DEFAULT_VIEWER, SOUTH_HEAD):
        ctx = ctx_for(viewer)
        for by in BYS:
            for row in campaign_table(ctx, Filters(period), by=by).to_dict("records"):
                group = row["campaign_id" if by == "campaign" else by]
                records, total = campaign_records(ctx, Filters(period), by, group, "lead", 1000)
                assert total == len(records) == row["leads"], (by, group)
                assert records["opportunity"].notna().sum() == row["opportunities"]
                assert records["customer"].dropna().nunique() == row["customers"]
                assert sum((r for r in records["revenue"] if r is not None), D("0.00")) == row["revenue"]
                assert records["unpriced_orders"].sum() == row["unpriced_orders"]
                for stage, count in (("opportunity", row["opportunities"]), ("customer", row["customers"])):
                    listed, n = campaign_records(ctx, Filters(period), by, group, stage, 1000)
                    assert n == len(listed) == count, (by, group, stage)


def test_still_maturing(ctx_for):
    # Q1's leads won A1 and A4; Q2's one lead (L10) has won nothing yet; an empty period has no lead to mature.
    assert not still_maturing(campaign_table(ctx_for(), Filters(Q1)))
    assert still_maturing(campaign_table(ctx_for(), Filters(Q2)))
    assert not still_maturing(campaign_table(ctx_for(), Filters(EMPTY)))


# --- Rows of these tests' own: an account won through two leads, campaigns another region ran ---------------

#: C9: NORTH's, no cost recorded, started 2024-12-15 (before Q1). C10: NORTH's, no cost recorded, started 2025-03-01 (in Q1).
EXTRA_CAMPAIGNS = [
    dict(campaign_id=9, name="Dealer mailing", kind="email", cost=None, currency="USD", start_date=date(2024, 12, 15), unit_id=2),
    dict(campaign_id=10, name="Spring banners", kind="advertising", cost=None, currency="USD", start_date=date(2025, 3, 1), unit_id=2),
]
#: L16 (C9) and L18 (C10) were routed to S-OFF; L17 (C1, N-OFF) converted into Deal 201 as L1 did, so C1 won A1 through two leads.
EXTRA_LEADS = [
    dict(lead_id=16, unit_id=5, source_channel="email", campaign_id=9, created_at=marketing_crm.noon(2, 20), status="new", company_name="Company 16"),
    dict(lead_id=17, unit_id=4, source_channel="event", campaign_id=1, created_at=marketing_crm.noon(1, 25), status="converted",
         converted_at=marketing_crm.noon(1, 26), converted_opportunity_id=201, company_name="Company 17"),
    dict(lead_id=18, unit_id=5, source_channel="website", campaign_id=10, created_at=marketing_crm.noon(3, 5), status="new", company_name="Company 18"),
]


def _load_extended(engine: Engine) -> None:
    marketing_crm.load(engine)
    with engine.begin() as conn:
        for table, extra in ((schema.campaign, EXTRA_CAMPAIGNS), (schema.lead, EXTRA_LEADS)):
            keys = sorted({k for row in extra for k in row})
            conn.execute(insert(table), [{k: row.get(k) for k in keys} for row in extra])


@pytest.fixture(scope="module", params=BACKENDS)
def extended(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with database_on(request.param, tmp_path_factory, _load_extended) as engine:
        yield engine


@pytest.fixture
def extended_ctx(extended):
    org = load_org(extended)

    def make(viewer: Viewer = DEFAULT_VIEWER) -> Context:
        return Context(extended, org, viewer, Calendar(), "USD", marketing_crm.AS_OF)

    return make


def test_an_account_won_through_two_leads_is_one_customer(extended_ctx):
    # C1 in Q1: L1, L2, L3, L17; L1, L3 and L17 became opportunities; L1 and L17 both won A1 (Deal 201): one customer,
    # its 1550 counted once. Cost 2200 over 4 costed leads = 550.00, over 1 customer = 2200.00.
    frame = campaign_table(extended_ctx(), Filters(Q1), by="campaign")
    assert rows(frame, "campaign_id")[1] == (4, 3, 1, D("1550.00"), D("2200.00"), D("550.00"), D("2200.00"), (1550 - 2200) / 2200)
    leads, total = _records(extended_ctx(), Filters(Q1), "campaign", 1)
    assert (list(leads["lead_id"]), list(leads["customer"]), list(leads["revenue"]), total) == (
        [1, 17, 3, 2], ["A1", "A1", None, None], [D("1550.00"), None, None, None], 4
    )
    # "Customers won · 1" lists one row: A1 on its first lead, with its revenue.
    won, total = _records(extended_ctx(), Filters(Q1), "campaign", 1, "customer")
    assert (list(won["lead_id"]), list(won["customer"]), list(won["revenue"]), total) == ([1], ["A1"], [D("1550.00")], 1)
    opportunities, total = _records(extended_ctx(), Filters(Q1), "campaign", 1, "opportunity")
    assert (list(opportunities["lead_id"]), total) == ([1, 17, 3], 3)
    # By source the same: event's Q1 leads L1, L2, L3, L9, L17 won A1 once.
    events, total = _records(extended_ctx(), Filters(Q1), "source", "event", "customer")
    assert (list(events["lead_id"]), total) == ([1], 1)


def test_a_campaign_run_outside_the_scope_shows_neither_its_unit_nor_its_start(extended_ctx):
    # The company sees who ran C9 and C10 and why neither has a cost in Q1: C9 started earlier, C10 recorded none.
    company = campaign_table(extended_ctx(), Filters(Q1), by="campaign").set_index("code")
    assert [tuple(company.loc[c, ["unit", "start_date", "cost_note"]]) for c in ("9", "10")] == [
        ("NORTH", date(2024, 12, 15), "earlier"), ("NORTH", date(2025, 3, 1), "no_cost")
    ]
    # SOUTH's head sees the leads (L16, L18 were routed to S-OFF) under the campaigns' names, but not who ran them, when they
    # started, or whether they recorded a cost: both say only that a unit outside the view ran them.
    south = campaign_table(extended_ctx(SOUTH_HEAD), Filters(Q1), by="campaign").set_index("code")
    assert [tuple(south.loc[c, ["name", "leads", "unit", "start_date", "cost", "cost_note"]]) for c in ("9", "10", "1")] == [
        ("Dealer mailing", 1, None, None, None, "outside"),
        ("Spring banners", 1, None, None, None, "outside"),
        ("Spring roadshow", 1, None, None, None, "outside"),
    ]
    assert tuple(south.loc["2", ["unit", "start_date", "cost_note"]]) == ("SOUTH", date(2025, 2, 1), None)  # its own


# --- Every campaign query compiles for every dialect ---------------------------------------------------


def _bound(compiled) -> set:
    """Every bound value of a compiled statement, the members of IN lists one by one."""
    values: set = set()
    for v in compiled.params.values():
        values |= set(v) if isinstance(v, list | tuple) else {v}
    return values


def _tables(sql: str) -> set[str]:
    return set(re.findall(r"(?:FROM|JOIN)\s+[`\"]?(\w+)", sql))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_campaign_query_compiles(dialect):
    from tests.test_sql_functions import _context, _dialect

    ctx, compiled = _context(), _dialect(dialect)
    flt = Filters(Q2, unit="NORTH", sources=("event",), segments=("smb",), bus=("HW",))
    plain = Filters(Q2, unit="NORTH", bus=("HW",))
    north = {2, 4, 6}  # NORTH, N-OFF, N-T1
    lead_facts = {"lead", "lead_status_history", "opportunity", "sales_order", "campaign"}
    by_segment = lead_facts | {"account"}  # the segment filter reads the lead's account
    # Leads read the source and segment filters and the unit; campaigns the unit and the period, never source or segment.
    expectations = [
        (leads_select(ctx, flt, "campaign"), by_segment, {"event", "smb", *north}, {"HW"}),
        (leads_select(ctx, flt, "source"), by_segment, {"event", "smb", *north}, {"HW"}),
        (revenue_select(ctx, flt, "kind"), by_segment | {"exchange_rate"}, {"event", "smb", "USD", *north}, {"HW"}),
        (revenue_select(ctx, plain, None, costed_only=True), lead_facts | {"exchange_rate"}, {Q2.start, Q2.end, "USD", *north}, {"HW"}),
        (leads_select(ctx, plain, "kind", costed_only=True), lead_facts | {"exchange_rate"}, {Q2.start, Q2.end, "USD", *north}, {"HW"}),
        (costed_campaigns(ctx, flt), {"campaign", "exchange_rate"}, {Q2.start, Q2.end, "USD", *north}, {"event", "smb", "HW"}),
        (cost_select(ctx, flt, "campaign"), {"campaign", "exchange_rate"}, {Q2.start, Q2.end, *north}, {"event", "smb", "HW"}),
        (cost_select(ctx, flt, None), {"campaign", "exchange_rate"}, {Q2.start, Q2.end, *north}, {"event", "smb", "HW"}),
        (roi_query()(ctx, plain, Grouping()), lead_facts | {"exchange_rate"}, {Q2.start, Q2.end, "USD", *north}, {"HW"}),
        (roi_query()(ctx, flt, Grouping()), set(), set(), {"event", "smb", "HW"}),  # withheld: reads nothing
    ]
    for stmt, tables, bound, absent in expectations:
        done = stmt.compile(dialect=compiled)
        assert _tables(str(done)) == tables
        assert bound <= _bound(done)
        assert not absent & _bound(done)
