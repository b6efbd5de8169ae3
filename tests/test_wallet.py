"""Share of wallet, coverage, headroom and concentration against wallet_crm, worked out by hand,
on every backend: money exactly, ratios to the bit (one IEEE division of exact cents)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, event, insert

from data_layer import schema
from data_layer.config import Calendar
from data_layer.dimensions import load_org
from data_layer.filters import DEFAULT_VIEWER, Filters, Period, Role, Viewer
from metrics import router
from metrics.base import Context, Grouping, evaluate, result, trend
from metrics.registry import REGISTRY
from metrics.wallet import (
    SHARE_OF_WALLET,
    WALLET_COVERAGE,
    concentration,
    wallet_accounts,
    wallet_summaries,
    wallet_summary,
    wallet_view,
)
from tests import wallet_crm
from tests.conftest import BACKENDS, FreshDatabases

D = Decimal
CAL = Calendar(fiscal_year_start_month=4)
Q = Period(date(2025, 7, 1), date(2025, 9, 30), "month", "quarter")  # FY2026 Q2: revenue 1 Apr – 30 Sep
Q_BEFORE = Period(date(2025, 4, 1), date(2025, 6, 30), "month", "quarter")  # FY2026 Q1: 1 Apr – 30 Jun
EMPTY = Period(date(2020, 1, 1), date(2020, 3, 31), "month", "quarter")
SOUTH_HEAD = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))

# Fiscal year to 30 Sep 2025, in USD (EUR at 1.20 from 1 July, so Acme's 1000 EUR = 1200 and Beta's
# 2000 EUR wallet = 2400 at the period's end):
#   account  home   revenue  wallet  share
#   Acme     NORTH  4200     10000   0.42   (3000 May + 1200 Aug through SOUTH; Feb is FY2025, Oct is after)
#   Beta     SOUTH   600      2400   0.25
#   Gamma    NORTH  1000        —           (no estimate: coverage)
#   Delta    SOUTH   500        —           (estimate 0: left out; bought through NORTH)
#   Epsilon  NORTH  1500      1000   1.5    (above its wallet: kept, flagged)
#   Zeta     SOUTH   700      4000   0.175  (−100 credit note + 800)
#   Eta      NORTH  2000      5000   0.4    (home NORTH since 1 Sep; bought through SOUTH)
#   Theta    SOUTH     0      3000   0
#   Iota     NORTH   300        —
# With an estimate: revenue 4200 + 600 + 1500 + 700 + 2000 + 0 = 9000; wallets 25400; all revenue 10800.
# Shares sorted 0, 0.175, 0.25, 0.4, 0.42, 1.5: median halfway between 0.25 and 0.4.


def median_of_two(lo: float, hi: float) -> float:
    return lo + (hi - lo) * 0.5  # percentile_cont's interpolation, in the database's order of operations


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """wallet_crm loaded once per backend for the module: the tests only read it."""
    dbs = FreshDatabases(tmp_path_factory.mktemp("wallet"))
    engine = dbs.engine(request.param)
    wallet_crm.load(engine)
    yield engine
    dbs.close()


@pytest.fixture
def ctx_for(loaded):
    org = load_org(loaded)

    def make(viewer: Viewer = DEFAULT_VIEWER) -> Context:
        return Context(loaded, org, viewer, CAL, "USD", date(2025, 10, 15))

    return make


def test_share_of_wallet_weighted_against_median(ctx_for):
    ctx = ctx_for()
    share = result(SHARE_OF_WALLET, ctx, Filters(Q))
    assert (share.numerator, share.denominator) == (9000.0, 25400.0)
    assert share.value == pytest.approx(9000 / 25400, rel=1e-15)
    row = wallet_summary(ctx, Filters(Q)).iloc[0].to_dict()
    assert row == dict(
        accounts=9, with_estimate=6, above_wallet=1,
        revenue=D("10800.00"), covered_revenue=D("9000.00"), wallet=D("25400.00"),
        share_of_wallet=float(D(9000) / D(25400)), median_share=median_of_two(600 / 2400, 2000 / 5000),
        coverage=float(D(9000) / D(10800)),
    )


def test_coverage(ctx_for):
    ctx = ctx_for()
    coverage = result(WALLET_COVERAGE, ctx, Filters(Q))
    # Gamma (1000), Iota (300) have no estimate and Delta's (500) is zero: 9000 of 10800 is covered.
    assert (coverage.numerator, coverage.denominator) == (9000.0, 10800.0)
    assert coverage.value == pytest.approx(5 / 6, rel=1e-15)
    # Share of wallet leaves those three out and says so; Theta (an estimate, no revenue) is in, Kappa (an order with
    # no amount, no estimate) has no revenue to leave out. Coverage is the measure of it, so it leaves out none.
    assert result(SHARE_OF_WALLET, ctx, Filters(Q)).excluded == (("accounts_no_estimate", 3),)
    assert coverage.excluded == ()
    by_unit = evaluate(SHARE_OF_WALLET, ctx, Filters(Q), Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["accounts_no_estimate"], strict=True)) == {"NORTH": 2, "SOUTH": 1}
    south = Viewer(user="south", role=Role.REGIONAL_HEAD, units=("SOUTH",))
    assert result(SHARE_OF_WALLET, ctx_for(south), Filters(Q)).excluded == (("accounts_no_estimate", 1),)  # Delta


def test_by_home_unit(ctx_for):
    ctx = ctx_for()
    # NORTH: Acme, Epsilon, Eta with estimates (7700 of 16000), Gamma and Iota without (9000 in all);
    # shares 0.4, 0.42, 1.5 → median 0.42. SOUTH: Beta, Zeta, Theta (1300 of 9400), Delta without (1800);
    # shares 0, 0.175, 0.25 → 0.175. Acme's order through SOUTH counts in NORTH, its home.
    by_unit = wallet_summary(ctx, Filters(Q), by="unit")
    assert by_unit.to_dict("records") == [
        dict(group="NORTH", accounts=5, with_estimate=3, above_wallet=1, revenue=D("9000.00"), covered_revenue=D("7700.00"),
             wallet=D("16000.00"), share_of_wallet=0.48125, median_share=0.42, coverage=float(D(7700) / D(9000))),
        dict(group="SOUTH", accounts=4, with_estimate=3, above_wallet=0, revenue=D("1800.00"), covered_revenue=D("1300.00"),
             wallet=D("9400.00"), share_of_wallet=float(D(1300) / D(9400)), median_share=700 / 4000,
             coverage=float(D(1300) / D(1800))),
    ]
    metric = evaluate(SHARE_OF_WALLET, ctx, Filters(Q), Grouping("unit"))
    assert dict(zip(metric["group"], zip(metric["numerator"], metric["denominator"]), strict=True)) == {
        "NORTH": (7700.0, 16000.0), "SOUTH": (1300.0, 9400.0)
    }
    # By segment: smb = Beta (600 of 2400), Delta (500, estimate 0: left out), Zeta (700 of 4000): shares 0.25
    # and 0.175, median 0.2125. Enterprise = NORTH's five and Theta (0 of 3000): 7700 of 19000; shares 0, 0.4,
    # 0.42, 1.5, median 0.41. One call gives what a call per segment filter gives.
    by_segment = wallet_summary(ctx, Filters(Q), by="segment")
    assert by_segment.sort_values("group").to_dict("records") == [
        dict(group="enterprise", accounts=6, with_estimate=4, above_wallet=1, revenue=D("9000.00"), covered_revenue=D("7700.00"),
             wallet=D("19000.00"), share_of_wallet=float(D(7700) / D(19000)), median_share=pytest.approx(0.41),
             coverage=float(D(7700) / D(9000))),
        dict(group="smb", accounts=3, with_estimate=2, above_wallet=0, revenue=D("1800.00"), covered_revenue=D("1300.00"),
             wallet=D("6400.00"), share_of_wallet=float(D(1300) / D(6400)), median_share=pytest.approx(0.2125),
             coverage=float(D(1300) / D(1800))),
    ]
    for segment in ("enterprise", "smb"):
        alone = wallet_summary(ctx, Filters(Q, segments=(segment,))).iloc[0].to_dict()
        assert by_segment.set_index("group").loc[segment].to_dict() == alone, segment
    office = wallet_summary(ctx, Filters(Q, unit="S-OFF"), by="unit")  # a leaf: one constant group
    assert office[["group", "accounts", "median_share"]].to_dict("records") == [
        {"group": "S-OFF", "accounts": 4, "median_share": 0.175}
    ]
    leaf = evaluate(WALLET_COVERAGE, ctx, Filters(Q, unit="S-OFF"), Grouping("unit"))
    assert leaf[["group", "numerator", "denominator"]].to_dict("records") == [
        {"group": "S-OFF", "numerator": 1300.0, "denominator": 1800.0}
    ]


def test_the_wallet_converts_at_the_period_end_rate_and_home_units_follow_it(ctx_for):
    ctx = ctx_for()
    # To 30 Jun: Beta's 2000 EUR wallet at 1.10 = 2200; revenue Acme 3000, Epsilon 1500, Zeta 0 (its −100
    # credit note: a net below zero counts as zero). Wallets 10000 + 2200 + 1000 + 4000 + 5000 + 3000 = 25200;
    # all revenue is covered.
    share = result(SHARE_OF_WALLET, ctx, Filters(Q_BEFORE))
    assert (share.numerator, share.denominator) == (4500.0, 25200.0)
    assert result(WALLET_COVERAGE, ctx, Filters(Q_BEFORE)).value == 1.0
    # Eta was still SOUTH's on 30 Jun: SOUTH = Beta 0/2200, Zeta 0/4000, Eta 0/5000, Theta 0/3000.
    by_unit = evaluate(SHARE_OF_WALLET, ctx, Filters(Q_BEFORE), Grouping("unit"))
    assert dict(zip(by_unit["group"], by_unit["denominator"], strict=True)) == {"NORTH": 11000.0, "SOUTH": 14200.0}


def test_trend_is_as_of_each_bucket_end(ctx_for):
    # To 31 Jul: Acme 3000, Beta 600, Epsilon 1500, Zeta 0 (−100 nets below zero), Eta 2000 covered = 7100;
    # then August adds Acme's 1200 and brings Zeta to 700 = 9000; September adds only uncovered revenue.
    months = trend(SHARE_OF_WALLET, ctx_for(), Filters(Q))
    assert list(months["bucket_start"]) == [date(2025, 7, 1), date(2025, 8, 1), date(2025, 9, 1)]
    assert list(months["value"]) == pytest.approx([7100 / 25400, 9000 / 25400, 9000 / 25400], rel=1e-15)


def test_an_account_whose_fiscal_year_nets_below_zero_counts_as_zero(ctx_for):
    # As of 30 Jun 2025 (as above): Zeta's only document so far is its −100 credit note, so its revenue is 0,
    # not −100 — a negative share would make no sense, and coverage could leave [0, 1]. Rows: Acme 3000 / 10000,
    # Beta 0 / 2200, Epsilon 1500 / 1000, Zeta 0 / 4000, Eta 0 / 5000, Theta 0 / 3000 (Gamma, Iota: nothing
    # this fiscal year; Delta: estimate 0, no orders yet). Shares 0, 0, 0, 0, 0.3, 1.5: median 0.
    ctx = ctx_for()
    row = wallet_summary(ctx, Filters(Q_BEFORE)).iloc[0]
    assert (row.accounts, row.with_estimate, row.above_wallet) == (6, 6, 1)
    assert (row.revenue, row.covered_revenue, row.wallet) == (D("4500.00"), D("4500.00"), D("25200.00"))
    assert row.median_share == 0.0 and row.coverage == 1.0
    zeta = wallet_accounts(ctx, Filters(Q_BEFORE)).set_index("account").loc["Zeta"]
    assert (zeta.revenue, zeta.wallet, zeta.headroom, zeta.share) == (D("0.00"), D("4000.00"), D("4000.00"), 0.0)


def test_headroom_order(ctx_for):
    accounts = wallet_accounts(ctx_for(), Filters(Q), limit=10)
    # Headroom = wallet − revenue: Acme 5800, Zeta 3300, Eta 3000 and Theta 3000 (tie: by id), Beta 1800, Epsilon −500.
    assert list(accounts["account"]) == ["Acme", "Zeta", "Eta", "Theta", "Beta", "Epsilon"]
    assert list(accounts["headroom"]) == [D("5800"), D("3300"), D("3000"), D("3000"), D("1800"), D("-500")]
    assert list(accounts["unit"]) == ["N-OFF", "S-OFF", "N-OFF", "S-OFF", "S-OFF", "N-OFF"]
    assert accounts.iloc[0][["revenue", "wallet", "share"]].to_list() == [D("4200.00"), D("10000.00"), 0.42]
    assert list(accounts["above_wallet"]) == [False] * 5 + [True]
    assert accounts.iloc[-1]["share"] == 1.5
    assert list(wallet_accounts(ctx_for(), Filters(Q), limit=3)["account"]) == ["Acme", "Zeta", "Eta"]


def test_concentration_and_tiers(ctx_for):
    result_ = concentration(ctx_for(), Filters(Q))
    # Revenue in Q, accounts with revenue above zero: Eta 2000, Acme 1200, Gamma 1000, Zeta 800, Beta 600,
    # Delta 500, Iota 300 = 6400 over n = 7. Top x% = the first ⌈7x/100⌉: 1, 1, 1, 1, 2, 4, 7 accounts.
    curve = result_.curve
    assert list(curve["accounts"]) == [1, 1, 1, 1, 2, 4, 7]
    assert list(curve["revenue"]) == [D(2000)] * 4 + [D(3200), D(5000), D(6400)]
    assert list(curve["share"]) == [0.3125] * 4 + [0.5, 0.78125, 1.0]
    # Revenue before each: 0, 2000, 3200, 4200, 5000, 5600, 6100. A: before < 3200 (50%) → Eta, Acme;
    # Gamma starts exactly at 50%: B with Zeta and Beta (before < 5120, 80%); Delta and Iota: C.
    assert result_.tiers.to_dict("records") == [
        dict(tier="A", accounts=2, revenue=D("3200.00"), share=0.5),
        dict(tier="B", accounts=3, revenue=D("2400.00"), share=0.375),
        dict(tier="C", accounts=2, revenue=D("800.00"), share=0.125),
    ]


def test_a_viewer_scoped_to_one_region(ctx_for):
    ctx = ctx_for(SOUTH_HEAD)
    # SOUTH's home accounts only; Eta's and Acme's orders through SOUTH stay with their NORTH home.
    share = result(SHARE_OF_WALLET, ctx, Filters(Q))
    assert (share.numerator, share.denominator) == (1300.0, 9400.0)
    assert result(WALLET_COVERAGE, ctx, Filters(Q)).denominator == 1800.0
    assert list(wallet_accounts(ctx, Filters(Q))["account"]) == ["Zeta", "Theta", "Beta"]
    # Zeta 800, Beta 600, Delta 500 = 1900, n = 3: top 1–20% = 1 account, 50% = 2. Delta starts at 1400 < 1520: B.
    result_ = concentration(ctx, Filters(Q))
    assert list(result_.curve["accounts"]) == [1, 1, 1, 1, 1, 2, 3]
    assert list(result_.curve["revenue"]) == [D(800)] * 5 + [D(1400), D(1900)]
    assert list(result_.tiers["accounts"]) == [2, 1, 0]
    assert result(SHARE_OF_WALLET, ctx, Filters(Q, unit="NORTH")).value is None


def test_business_unit_filter_counts_only_its_orders(ctx_for):
    # Software orders to 30 Sep: Acme's 1200 and Beta's 600, against the whole wallets (not split by line).
    share = result(SHARE_OF_WALLET, ctx_for(), Filters(Q, bus=("SW",)))
    assert (share.numerator, share.denominator) == (1800.0, 25400.0)


def test_empty_period(ctx_for):
    ctx = ctx_for()
    for metric in (SHARE_OF_WALLET, WALLET_COVERAGE):
        r = result(metric, ctx, Filters(EMPTY))
        assert r.value is None and r.reason == "no_denominator"
    row = wallet_summary(ctx, Filters(EMPTY)).iloc[0].to_dict()
    assert (row["accounts"], row["revenue"], row["share_of_wallet"], row["median_share"]) == (0, D("0.00"), None, None)
    assert wallet_accounts(ctx, Filters(EMPTY)).empty
    empty = concentration(ctx, Filters(EMPTY))
    assert list(empty.curve["accounts"]) == [0] * 7 and empty.curve["share"].isna().all()
    assert list(empty.tiers["accounts"]) == [0, 0, 0]


def test_a_summary_is_one_statement(ctx_for):
    # The sums and the median read one CTE of the accounts' rows: one statement per call, grouped or not,
    # and one for several splits at once (raw tables, so that the router's own look-ups are not counted).
    ctx = ctx_for()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    for call in (*(lambda by=by: wallet_summary(ctx, Filters(Q), by=by) for by in (None, "unit", "segment")),
                 lambda: wallet_summaries(ctx, Filters(Q), (None, "unit", "segment")),
                 lambda: wallet_view(ctx, Filters(Q), (None, "segment"), limit=5)):
        statements.clear()
        event.listen(ctx.engine, "before_cursor_execute", record)
        try:
            with router.raw_tables():
                call()
        finally:
            event.remove(ctx.engine, "before_cursor_execute", record)
        assert len(statements) == 1, statements


def test_summaries_and_headroom_at_once_equal_each_asked_alone(ctx_for):
    # The total, the units, the segments and the headroom list from one statement, as each call alone gives
    # them: a leaf unit's constant group, a viewer's scope and an empty period included; the list placed in
    # its home units whether or not the units are split (their dated home units are then at hand).
    cases = ((ctx_for(), Filters(Q)), (ctx_for(), Filters(Q, unit="S-OFF")), (ctx_for(SOUTH_HEAD), Filters(Q)),
             (ctx_for(), Filters(Q_BEFORE)), (ctx_for(), Filters(EMPTY)))
    for ctx, flt in cases:
        for bys in ((None, "unit", "segment"), (None, "segment"), ()):
            view = wallet_view(ctx, flt, bys, limit=4)
            assert list(view.summaries) == list(bys)
            for by, frame in view.summaries.items():
                pd.testing.assert_frame_equal(frame, wallet_summary(ctx, flt, by=by))
            pd.testing.assert_frame_equal(view.accounts, wallet_accounts(ctx, flt, limit=4))
        assert wallet_view(ctx, flt, (None,)).accounts.empty  # no list asked
    assert list(wallet_view(ctx_for(), Filters(Q), (None, "unit"), limit=3).accounts["account"]) == ["Acme", "Zeta", "Eta"]


def test_groups_without_an_estimate_or_without_a_segment(fresh_db, backend):
    # Two accounts more: Lambda (segment "public") buys 100 with no estimate, so its group has sums and no
    # median; Mu (no segment) buys 500 against a 1000 wallet, so the None group has a median of 0.5.
    engine = fresh_db.engine(backend)
    wallet_crm.load(engine)
    created = datetime(2023, 1, 1)
    with engine.begin() as conn:
        conn.execute(insert(schema.account), [
            dict(account_id=11, name="Lambda", segment="public", source_channel="event", home_unit_id=4, created_at=created),
            dict(account_id=12, name="Mu", segment=None, source_channel="event", home_unit_id=5, created_at=created),
        ])
        conn.execute(insert(schema.wallet_estimate), [dict(account_id=12, fiscal_year=2026, amount=D("1000.00"), currency="USD")])
        conn.execute(insert(schema.sales_order), [
            wallet_crm._order(101, 11, 4, date(2025, 8, 1), "100.00"), wallet_crm._order(102, 12, 5, date(2025, 8, 2), "500.00")
        ])
    ctx = Context(engine, load_org(engine), DEFAULT_VIEWER, CAL, "USD", date(2025, 10, 15))
    rows = {r["group"]: r for r in wallet_summary(ctx, Filters(Q), by="segment").to_dict("records")}
    assert set(rows) == {None, "enterprise", "public", "smb"}
    public, unknown = rows["public"], rows[None]
    assert (public["accounts"], public["with_estimate"], public["revenue"]) == (1, 0, D("100.00"))
    assert pd.isna(public["median_share"])  # no estimate, no share: missing (NaN beside the other groups' floats)
    assert (unknown["accounts"], unknown["with_estimate"], unknown["wallet"]) == (1, 1, D("1000.00"))
    assert unknown["median_share"] == 0.5
    assert rows["smb"]["median_share"] == pytest.approx(0.2125)  # as in test_by_home_unit: untouched by the others
    # Asked with the total, the accounts without a segment stay a group of their own, not the total's row.
    together = wallet_summaries(ctx, Filters(Q), (None, "segment"))
    pd.testing.assert_frame_equal(together["segment"], wallet_summary(ctx, Filters(Q), by="segment"))
    pd.testing.assert_frame_equal(together[None], wallet_summary(ctx, Filters(Q)))


def test_registered_with_both_languages():
    for metric in (SHARE_OF_WALLET, WALLET_COVERAGE):
        assert REGISTRY[metric.key] is metric
        assert (metric.kind, metric.better) == ("ratio", "up")
        assert all(metric.label[lang] and metric.definition[lang] for lang in ("en", "zh"))
