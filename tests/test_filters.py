"""Calendar periods, comparisons and scope resolution (pure Python)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_layer.config import Calendar
from data_layer.filters import (
    DEFAULT_VIEWER,
    OrgTree,
    OrgUnit,
    Period,
    Role,
    Viewer,
    add_months,
    buckets,
    fiscal_quarter_label,
    fiscal_quarter_start,
    fiscal_year_of,
    preset_period,
)

SHANGHAI = Calendar()
APRIL_FY = Calendar(timezone="Europe/London", fiscal_year_start_month=4, week_start=6)


def test_fiscal_year_starting_in_april():
    assert fiscal_year_of(date(2025, 3, 31), APRIL_FY) == 2025
    assert fiscal_year_of(date(2025, 4, 1), APRIL_FY) == 2026
    assert fiscal_quarter_start(date(2025, 6, 30), APRIL_FY) == date(2025, 4, 1)
    assert fiscal_quarter_start(date(2026, 2, 14), APRIL_FY) == date(2026, 1, 1)
    assert fiscal_quarter_label(date(2026, 2, 14), APRIL_FY) == "FY2026 Q4"
    assert fiscal_quarter_label(date(2025, 11, 23), SHANGHAI) == "FY2025 Q4"


def test_quarter_to_date_compares_with_the_same_point_of_earlier_quarters():
    qtd = preset_period("qtd", date(2025, 11, 23), SHANGHAI)
    assert (qtd.start, qtd.end) == (date(2025, 10, 1), date(2025, 11, 23))
    assert (qtd.previous().start, qtd.previous().end) == (date(2025, 7, 1), date(2025, 8, 23))
    assert (qtd.year_ago().start, qtd.year_ago().end) == (date(2024, 10, 1), date(2024, 11, 23))


def test_whole_periods_keep_month_ends():
    last_q = preset_period("last_quarter", date(2025, 11, 23), SHANGHAI)
    assert (last_q.start, last_q.end) == (date(2025, 7, 1), date(2025, 9, 30))
    assert (last_q.previous().start, last_q.previous().end) == (date(2025, 4, 1), date(2025, 6, 30))
    feb = Period(date(2024, 2, 1), date(2024, 2, 29), "day", "month")
    assert feb.year_ago().end == date(2023, 2, 28)
    assert feb.previous().end == date(2024, 1, 31)


def test_custom_range_steps_back_by_its_length():
    p = Period(date(2025, 3, 10), date(2025, 3, 19), "day", "days")
    assert (p.previous().start, p.previous().end) == (date(2025, 2, 28), date(2025, 3, 9))


def test_period_rejects_end_before_start():
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2025, 3, 10), date(2025, 3, 1))


def test_utc_bounds_follow_the_company_zone_and_daylight_saving():
    p = Period(date(2025, 4, 1), date(2025, 6, 30))
    assert p.utc_bounds(SHANGHAI) == (datetime(2025, 3, 31, 16), datetime(2025, 6, 30, 16))
    # London is on summer time (UTC+1) in July, winter time (UTC+0) in January.
    assert Period(date(2025, 1, 1), date(2025, 7, 1)).utc_bounds(APRIL_FY) == (datetime(2025, 1, 1, 0), datetime(2025, 7, 1, 23))


def test_week_buckets_start_on_the_configured_day():
    p = Period(date(2025, 10, 1), date(2025, 10, 20), "week", "quarter")
    assert buckets(p, APRIL_FY) == [date(2025, 9, 28), date(2025, 10, 5), date(2025, 10, 12), date(2025, 10, 19)]
    assert buckets(p, SHANGHAI)[0] == date(2025, 9, 29)  # Monday


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.integers(-36, 36))
def test_add_months_stays_valid(d, months):
    moved = add_months(d, months)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == months
    assert moved.day <= d.day


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(["qtd", "last_quarter", "mtd", "last_month", "ytd", "last_year", "last_12_months"]))
def test_presets_end_by_the_as_of_date_and_step_back(as_of, preset):
    p = preset_period(preset, as_of, APRIL_FY)
    assert p.start <= p.end <= as_of
    assert p.previous().end < p.start or p.previous().start < p.start
    assert p.year_ago().start < p.start


ORG = OrgTree(
    (
        OrgUnit(1, "ALL", "All", "cluster", None),
        OrgUnit(2, "N", "North", "region", 1),
        OrgUnit(3, "S", "South", "region", 1),
        OrgUnit(4, "N1", "North office", "office", 2),
    )
)


def test_subtrees_and_visibility():
    assert ORG.subtree_ids("N") == {2, 4}
    assert ORG.subtree_ids("nope") == frozenset()
    assert [u.code for u in ORG.path("N1")] == ["ALL", "N", "N1"]
    assert ORG.visible_ids(DEFAULT_VIEWER) is None
    head = Viewer("h", Role.REGIONAL_HEAD, units=("N",))
    assert [u.code for u in ORG.visible_units(head)] == ["N", "N1"]
