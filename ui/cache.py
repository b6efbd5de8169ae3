"""Cached loaders: every read the app makes, memoised per source, data version and viewer.

Each cached function is keyed by small hashable values — a :class:`DataKey` (masked source
URL and data version), the metric key, the Filters and the Viewer, the calendar, currency and
as-of date — and receives the engine (or context) as an unhashed ``_`` argument. So two
viewers, two databases or two versions of one database never share a cached result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from data_layer import check, dimensions
from data_layer.config import Calendar, Settings, ValueSettings, load_value_settings
from data_layer.connection import make_engine, missing_schema
from data_layer.filters import Filters, OrgTree, OrgUnit, Viewer
from metrics.base import Comparison, Context, Grouping, by_business_unit, compare, evaluate, trend
from metrics import campaigns, churn, funnel, handoffs, key_accounts, lead_to_cash, pipeline, profitability, sales_cycle, service, targets, velocity, wallet
from metrics.registry import REGISTRY

#: Metric results are fresh for ten minutes; the data version makes a rebuilt file miss at once.
METRIC_TTL = timedelta(minutes=10)
METRIC_ENTRIES = 512
LOOKUP_TTL = timedelta(minutes=10)
LOOKUP_ENTRIES = 32
#: How often a server database (no file to stat) is asked whether its data moved on.
VERSION_TTL = timedelta(minutes=2)


@dataclass(frozen=True)
class DataKey:
    """Which data a cached result was computed from.

    Attributes:
        source: the CRM URL with its password masked.
        version: the file's modification time and size for DuckDB/SQLite files, else the
            data's as-of date (servers are re-asked every two minutes).
    """

    source: str
    version: str


def database_file(url: str) -> Path | None:
    """The file behind a DuckDB or SQLite URL, None for a server or an in-memory database."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - an unparseable URL is reported by make_engine
        return None
    if parsed.get_backend_name() not in ("duckdb", "sqlite"):
        return None
    db = parsed.database
    return Path(db) if db and db != ":memory:" and not db.startswith("file:") else None


def file_version(url: str) -> str:
    """``mtime-size`` of the database file, "" for servers (or a file not there yet)."""
    path = database_file(url)
    if path is None or not path.exists():
        return ""
    stat = path.stat()
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def _dispose(engine: Engine) -> None:
    engine.dispose()


@st.cache_resource(ttl=timedelta(hours=12), max_entries=8, on_release=_dispose, show_spinner=False)
def engine(url: str, settings: Settings, version: str, mapping: str | None = None) -> Engine:
    """One pooled, read-only engine per URL, settings, file version (a rebuilt demo file gets a new
    engine) and mapping (a CRM read in place, data_layer/mapping.py). Raises ConnectionProblem for a
    malformed URL, a missing driver or a wrong mapping."""
    del version  # part of the cache key only
    return make_engine(url, settings, mapping=mapping)


@st.cache_data(ttl=VERSION_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def _server_version(_engine: Engine, source: str, calendar: Calendar) -> str:
    as_of = dimensions.data_as_of(_engine, calendar)
    return f"as-of-{as_of}"


def data_key(eng: Engine, url: str, masked: str, calendar: Calendar) -> DataKey:
    version = file_version(url)
    return DataKey(masked, version or _server_version(eng, masked, calendar))


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def missing(_engine: Engine, key: DataKey, tables: tuple[str, ...]) -> list[str]:
    return missing_schema(_engine, tables)


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def org(_engine: Engine, key: DataKey) -> OrgTree:
    return dimensions.load_org(_engine)


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def as_of(_engine: Engine, key: DataKey, calendar: Calendar) -> date | None:
    return dimensions.data_as_of(_engine, calendar)


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def newest_record(_engine: Engine, key: DataKey, calendar: Calendar) -> datetime | date | None:
    """When the newest record was written in the CRM (data_layer.dimensions.newest_record): the heading's freshness line."""
    return dimensions.newest_record(_engine, calendar)


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def copy_made(_engine: Engine, key: DataKey) -> dimensions.CopyMade | None:
    """When the DuckDB copy the app reads was synced, and from which CRM (None: not a copy): the heading's freshness line."""
    return dimensions.copy_made(_engine)


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def currency(_engine: Engine, key: DataKey, configured: str | None) -> str:
    return dimensions.reporting_currency(_engine, configured)


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def options(_engine: Engine, _org: OrgTree, key: DataKey, viewer: Viewer) -> dimensions.FilterOptions:
    return dimensions.filter_options(_engine, _org, viewer)


# --- Metrics ------------------------------------------------------------------------------------

#: The metrics whose figures depend on configured assumptions besides the data (cost per ticket, value weights).
_ASSUMING = frozenset(m.key for m in profitability.METRICS)


def assumed(metric: str) -> ValueSettings | None:
    """The configured assumptions ``metric`` reads (None for none): part of its cache key, so a changed setting is
    computed afresh at once rather than after the cached figure expires."""
    return load_value_settings() if metric in _ASSUMING else None


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _comparison(
    _ctx: Context, key: DataKey, metric: str, flt: Filters, viewer: Viewer, calendar: Calendar, currency: str, as_of: date,
    assumed: object,
) -> Comparison:
    return compare(REGISTRY[metric], _ctx, flt)


def comparison(ctx: Context, key: DataKey, metric: str, flt: Filters) -> Comparison:
    """The metric now, in the previous period and a year earlier (metrics.base.compare)."""
    return _comparison(ctx, key, metric, flt, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of, assumed(metric))


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _against_target(
    _ctx: Context, key: DataKey, measure: str, flt: Filters, viewer: Viewer, calendar: Calendar, currency: str, as_of: date,
    assumed: object,
) -> targets.ScopeAttainment | None:
    return targets.scope_attainment(_ctx, measure, flt)


def against_target(ctx: Context, key: DataKey, metric: str, flt: Filters) -> targets.ScopeAttainment | None:
    """The view as a whole against its target, for a metric the company sets targets on (else None)."""
    measure = REGISTRY[metric].target
    if measure is None:
        return None
    return _against_target(ctx, key, measure, flt, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of, assumed(metric))


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _trend(
    _ctx: Context, key: DataKey, metric: str, flt: Filters, viewer: Viewer, calendar: Calendar, currency: str, as_of: date,
    assumed: object,
) -> pd.DataFrame:
    return trend(REGISTRY[metric], _ctx, flt)


def trend_of(ctx: Context, key: DataKey, metric: str, flt: Filters) -> pd.DataFrame:
    """``bucket_start`` and ``value`` per trend bucket of the period (metrics.base.trend)."""
    return _trend(ctx, key, metric, flt, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of, assumed(metric))


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _by_unit(
    _ctx: Context, key: DataKey, metric: str, flt: Filters, viewer: Viewer, calendar: Calendar, currency: str, as_of: date,
    assumed: object,
) -> pd.DataFrame:
    return evaluate(REGISTRY[metric], _ctx, flt, Grouping("unit"))


def by_unit(ctx: Context, key: DataKey, metric: str, flt: Filters) -> pd.DataFrame:
    """``group`` (child unit code, None for rows booked at the unit itself) and ``value``."""
    return _by_unit(ctx, key, metric, flt, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of, assumed(metric))


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _by_bu(
    _ctx: Context, key: DataKey, metric: str, flt: Filters, bus: tuple[str, ...], viewer: Viewer, calendar: Calendar,
    currency: str, as_of: date, assumed: object,
) -> pd.DataFrame:
    return by_business_unit(REGISTRY[metric], _ctx, flt, bus)


def by_bu(ctx: Context, key: DataKey, metric: str, flt: Filters, bus: tuple[str, ...]) -> pd.DataFrame:
    """``group`` (business unit code) and ``value`` for each of ``bus`` (metrics.base.by_business_unit)."""
    return _by_bu(ctx, key, metric, flt, bus, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of, assumed(metric))


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _by_rep(
    _ctx: Context, key: DataKey, metric: str, flt: Filters, viewer: Viewer, calendar: Calendar, currency: str, as_of: date,
    assumed: object,
) -> pd.DataFrame:
    return evaluate(REGISTRY[metric], _ctx, flt, Grouping("rep"))


def by_rep(ctx: Context, key: DataKey, metric: str, flt: Filters) -> pd.DataFrame:
    """``group`` (the code of the rep credited with each record, None for none) and ``value``.

    Raises NotGroupable / NotImplementedError for a metric whose records carry no rep."""
    return _by_rep(ctx, key, metric, flt, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of, assumed(metric))


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def rep_names_by_code(_engine: Engine, key: DataKey) -> dict[str, str]:
    """Rep code (what the metrics' ``rep`` grouping returns) → full name, to show reps by name."""
    return dimensions.rep_names_by_code(_engine)


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def campaign_names(_engine: Engine, key: DataKey) -> dict[str, str]:
    """Campaign id as text (what the funnel's ``campaign`` split returns) → name."""
    return dimensions.campaign_names(_engine)


def league_units(tree: OrgTree, unit: str | None, viewer: Viewer) -> list[OrgUnit]:
    """The units a league table lists: the children of ``unit`` — or, with no unit and a single
    top unit, the level below it — that the viewer may see (OrgTree.compared_units)."""
    children = tree.compared_units(unit)
    visible = tree.visible_ids(viewer)
    return [c for c in children if visible is None or tree.subtree_ids(c.code) & visible]


# --- Page tables (distributions, lists and breakdowns beside the registered metrics) -------------

#: The functions of ``metrics/`` the pages show besides registered metrics, by name. Each takes
#: (ctx, flt, arg); ``arg`` is a small hashable value (a grouping or a row limit).
TABLES: dict[str, Callable[[Context, Filters, object], object]] = {
    "cycle_distribution": lambda ctx, flt, by: sales_cycle.cycle_distribution(ctx, flt, by=by),  # type: ignore[arg-type]
    "sales_velocity": lambda ctx, flt, by: velocity.sales_velocity(ctx, flt, by=by),  # type: ignore[arg-type]
    "stalled_deals": lambda ctx, flt, by: velocity.stalled_deals(ctx, flt, by=by),  # type: ignore[arg-type]
    "churn_table": lambda ctx, flt, by: churn.churn_table(ctx, flt, by=by),  # type: ignore[arg-type]
    "cohort_retention": lambda ctx, flt, _: churn.cohort_retention(ctx, flt),
    "accounts_at_risk": lambda ctx, flt, _: churn.accounts_at_risk(ctx, flt),
    "wallet_summary": lambda ctx, flt, by: wallet.wallet_summary(ctx, flt, by=by),  # type: ignore[arg-type]
    # arg: (splits, limit) → WalletView: wallet_summary per split (None, "unit", "segment") and wallet_accounts, one statement
    "wallet_view": lambda ctx, flt, arg: wallet.wallet_view(ctx, flt, *arg),  # type: ignore[misc]
    "wallet_accounts": lambda ctx, flt, limit: wallet.wallet_accounts(ctx, flt, limit=int(limit)),  # type: ignore[call-overload]
    "concentration": lambda ctx, flt, _: wallet.concentration(ctx, flt),
    # arg: (mode, within_days, by)
    "funnel": lambda ctx, flt, arg: funnel.funnel(ctx, flt, *arg),  # type: ignore[misc]
    "stage_durations": lambda ctx, flt, within: funnel.stage_durations(ctx, flt, within),  # type: ignore[arg-type]
    "time_in_stage": lambda ctx, flt, _: funnel.time_in_stage(ctx, flt),
    "returned_leads": lambda ctx, flt, by: funnel.returned_leads(ctx, flt, by=by),  # type: ignore[arg-type]
    # arg: (stage, mode, within_days, limit) → (records, total)
    "stage_records": lambda ctx, flt, arg: funnel.stage_records(ctx, flt, *arg),  # type: ignore[misc]
    # --- lead to cash (pages/lead_to_cash.py) ---
    "l2c_weekly": lambda ctx, flt, _: lead_to_cash.weekly_flows(ctx, flt),
    "l2c_monday": lambda ctx, flt, _: lead_to_cash.monday_view(ctx, flt),
    "l2c_projection": lambda ctx, flt, _: lead_to_cash.projection_against_target(ctx, flt),
    "l2c_days": lambda ctx, flt, _: lead_to_cash.order_to_cash_days(ctx, flt),
    "l2c_days_trend": lambda ctx, flt, _: lead_to_cash.order_to_cash_trend(ctx, flt),
    "l2c_waiting": lambda ctx, flt, _: lead_to_cash.waiting_lists(ctx, flt),
    # arg: (step, limit) → (records, total)
    "l2c_waiting_records": lambda ctx, flt, arg: lead_to_cash.waiting_records(ctx, flt, *arg),
    # arg: (step, week, limit) → (records, total)
    "l2c_flow_records": lambda ctx, flt, arg: lead_to_cash.flow_records(ctx, flt, *arg),
    # --- pipeline and forecast (pages/pipeline.py) ---
    # Each reads the grade floor from ``flt.grade``.
    # arg: (when, by)
    "pipe_weighted": lambda ctx, flt, arg: pipeline.weighted_pipeline(ctx, flt, *arg),
    "pipe_categories": lambda ctx, flt, by: pipeline.forecast_categories(ctx, flt, by),
    # arg: a grouping (None, "unit", "bu" or "product")
    "pipe_projection": lambda ctx, flt, by: pipeline.period_end_projection(ctx, flt, Grouping(by)),
    # arg: (grain, by)
    "pipe_accuracy": lambda ctx, flt, arg: pipeline.forecast_accuracy(ctx, flt, *arg),
    # arg: (loss_reason or competitor, split)
    "pipe_losses": lambda ctx, flt, arg: pipeline.losses(ctx, flt, *arg),
    "pipe_competitors": lambda ctx, flt, split: pipeline.competitors(ctx, flt, split),
    "pipe_grades": lambda ctx, flt, _: pipeline.grades(ctx),
    # arg: ((keyword, value), ...) → (records, total)
    "pipe_records": lambda ctx, flt, arg: pipeline.pipeline_records(ctx, flt, **dict(arg)),
    "pipe_closed_records": lambda ctx, flt, arg: pipeline.closed_records(ctx, flt, **dict(arg)),
    # --- campaigns and sources (pages/marketing.py) ---
    "mkt_table": lambda ctx, flt, by: campaigns.campaign_table(ctx, flt, by),
    # arg: (by, group, stage, limit) → (records, total)
    "mkt_records": lambda ctx, flt, arg: campaigns.campaign_records(ctx, flt, *arg),
    # --- customer profitability and value (pages/profitability.py); arg: (settings, by or limit) ---
    "profit_table": lambda ctx, flt, arg: profitability.profitability(ctx, flt, arg[1], arg[0]),  # type: ignore[index]
    "profit_top": lambda ctx, flt, arg: profitability.top_accounts(ctx, flt, arg[1], arg[0]),  # type: ignore[index]
    # --- key accounts (pages/key_accounts.py); arg: how many ---
    "key_accounts": lambda ctx, flt, n: key_accounts.key_accounts(ctx, flt, int(n)),  # type: ignore[call-overload]
    # --- hand-offs and ownership (pages/handoffs.py) ---
    # arg: (limit_hours, by)
    "hand_response": lambda ctx, flt, arg: handoffs.response_times(ctx, flt, *arg),
    # arg: limit_hours → the breach rate at that limit against the previous period and a year earlier; its trend
    "hand_breach_comparison": lambda ctx, flt, hours: compare(handoffs.breach_rate_metric(hours), ctx, flt),
    "hand_breach_trend": lambda ctx, flt, hours: trend(handoffs.breach_rate_metric(hours), ctx, flt),
    # arg: (limit_hours, rep, team, limit) → (records, total)
    "hand_breach_records": lambda ctx, flt, arg: handoffs.breach_records(ctx, flt, *arg),
    "hand_returned": lambda ctx, flt, by: handoffs.returned_outcomes(ctx, flt, by=by),
    # arg: (outcome, limit) → (records, total)
    "hand_returned_records": lambda ctx, flt, arg: handoffs.returned_records(ctx, flt, *arg),
    "hand_ownership": lambda ctx, flt, _: handoffs.ownership(ctx, flt),
    # arg: (kind, limit) → (records, total)
    "hand_ownership_records": lambda ctx, flt, arg: handoffs.ownership_records(ctx, flt, *arg),
    # --- service and delivery (pages/service.py) ---
    # arg: "unit", "bu" or "product" → metric key → group and value
    "svc_breakdown": lambda ctx, flt, by: service.breakdown(ctx, flt, by),  # type: ignore[arg-type]
    # arg: limit → (records, total)
    "svc_open": lambda ctx, flt, limit: service.open_complaints(ctx, flt, int(limit)),  # type: ignore[call-overload]
}


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _table(
    _ctx: Context, key: DataKey, name: str, flt: Filters, arg: object, viewer: Viewer, calendar: Calendar, currency: str, as_of: date
) -> object:
    return TABLES[name](_ctx, flt, arg)


def table(ctx: Context, key: DataKey, name: str, flt: Filters, arg: object = None) -> Any:
    """``TABLES[name](ctx, flt, arg)``, cached per data version, viewer and filters."""
    return _table(ctx, key, name, flt, arg, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of)


def trend_or_none(ctx: Context, key: DataKey, metric: str, flt: Filters) -> pd.DataFrame | None:
    """The metric's trend, or None when it has none at the period's grain (churn is measured in
    whole months: no weekly or daily trend)."""
    try:
        return trend_of(ctx, key, metric, flt)
    except NotImplementedError:
        return None


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def rep_names(_engine: Engine, key: DataKey) -> dict[int, str]:
    """Rep id → full name, to show the owners of listed deals by name."""
    return dimensions.rep_names(_engine)


# --- Data health (pages/health.py) ------------------------------------------------------------------

#: A result per data version and viewer (a handful of viewers a day): the rules run over whole tables.
HEALTH_ENTRIES = 64


@st.cache_data(ttl=METRIC_TTL, max_entries=HEALTH_ENTRIES, show_spinner=False)
def _health(_ctx: Context, key: DataKey, viewer: Viewer, calendar: Calendar, as_of: date) -> list[check.Finding]:
    return check.run_checks(_ctx.engine, viewer, _ctx.org, as_of, calendar=calendar)


def health(ctx: Context, key: DataKey) -> list[check.Finding]:
    """Every data-health rule on the viewer's scope as of the data's date (data_layer.check.run_checks), cached per
    data version and viewer: two viewers never share a result."""
    return _health(ctx, key, ctx.viewer, ctx.calendar, ctx.as_of)


# --- Targets and incentives -----------------------------------------------------------------------

from data_layer.plans import Plan, load_plan  # noqa: E402 - kept with the loaders that use it
from metrics import incentives  # noqa: E402


@st.cache_data(ttl=LOOKUP_TTL, max_entries=LOOKUP_ENTRIES, show_spinner=False)
def _plan(path: str, version: str) -> Plan:
    del version  # part of the cache key only: an edited file is read again
    return load_plan(path)


def plan(path: Path) -> Plan:
    """The incentive plan at ``path``, read again whenever the file changes.

    Raises:
        PlanError: the file is not a valid plan (every problem with its line).
        OSError: the file cannot be read.
    """
    stat = path.stat()
    return _plan(str(path), f"{stat.st_mtime_ns}-{stat.st_size}")


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _attainment(
    _ctx: Context, key: DataKey, measure: str, period: targets.TargetPeriod, unit: str | None, viewer: Viewer, calendar: Calendar,
    currency: str, as_of: date,
) -> pd.DataFrame:
    return targets.attainment(_ctx, measure, period, unit=unit)


def attainment(ctx: Context, key: DataKey, measure: str, period: targets.TargetPeriod, unit: str | None) -> pd.DataFrame:
    """metrics.targets.attainment: every holder's target, actual, attainment, pacing and projection."""
    return _attainment(ctx, key, measure, period, unit, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of)


#: The functions of metrics/incentives.py the pages show, by name; each takes (ctx, plan, period, arg).
INCENTIVES: dict[str, Callable[[Context, Plan, targets.TargetPeriod, Any], object]] = {
    "payouts": lambda ctx, plan, period, _: incentives.payouts(ctx, plan, period),
    "statement": lambda ctx, plan, period, rep: incentives.statement(ctx, plan, rep, period),
    "unit_payouts": lambda ctx, plan, period, codes: incentives.unit_payouts(ctx, plan, period, codes),
    "manager_bonuses": lambda ctx, plan, period, _: incentives.manager_bonuses(ctx, plan, period),
    # arg: (pool amount or None, ((code, multiplier), ...))
    "pool_shares": lambda ctx, plan, period, arg: incentives.pool_shares(ctx, plan, period, pool=arg[0], adjust=dict(arg[1]) or None),
    # arg: the pool's group codes
    "pool_group_names": lambda ctx, plan, period, codes: incentives.pool_group_names(ctx, plan.pool.split_by, codes),
}


@st.cache_data(ttl=METRIC_TTL, max_entries=METRIC_ENTRIES, show_spinner=False)
def _incentive(
    _ctx: Context, key: DataKey, name: str, _plan: Plan, digest: str, period: targets.TargetPeriod, arg: object, viewer: Viewer,
    calendar: Calendar, currency: str, as_of: date,
) -> object:
    return INCENTIVES[name](_ctx, _plan, period, arg)


def incentive(ctx: Context, key: DataKey, name: str, plan: Plan, period: targets.TargetPeriod, arg: object = None) -> Any:
    """``INCENTIVES[name](ctx, plan, period, arg)``, cached per data version, plan file (its digest), viewer and period."""
    return _incentive(ctx, key, name, plan, plan.digest, period, arg, ctx.viewer, ctx.calendar, ctx.currency, ctx.as_of)


@st.cache_resource(ttl=timedelta(hours=12), max_entries=4, on_release=_dispose, show_spinner=False)
def _app_store(crm_url: str, url: str) -> Engine:
    from data_layer.app_store import open_app_store

    return open_app_store(crm_url, url)


def app_store(crm_url: str) -> Engine:
    """Granary's own database (data_layer.app_store), where approved statements are frozen; never the CRM's.

    Raises:
        ValueError: it is configured to be the CRM's database.
    """
    from data_layer.app_store import app_database_url

    return _app_store(crm_url, app_database_url())
