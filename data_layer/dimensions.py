"""Small lookups the app needs around the metrics: the org tree, the data's as-of date,
the reporting currency and the options of the filter bar — each scoped to the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import Engine, column, func, inspect, select, table, union_all

from data_layer import schema
from data_layer.config import Calendar
from data_layer.connection import missing_name, missing_schema, read_frame
from data_layer.filters import OrgTree, OrgUnit, Viewer


def load_org(engine: Engine) -> OrgTree:
    """The whole unit hierarchy (hundreds of rows at most)."""
    t = schema.org_unit
    frame = read_frame(engine, select(t.c.unit_id, t.c.code, t.c.name, t.c.level, t.c.parent_id).order_by(t.c.code))
    return OrgTree(
        tuple(
            OrgUnit(int(r.unit_id), str(r.code), str(r.name), str(r.level), None if r.parent_id is None or r.parent_id != r.parent_id else int(r.parent_id))
            for r in frame.itertuples()
        )
    )


def data_as_of(engine: Engine, cal: Calendar) -> date | None:
    """The date of the newest record (order, lead or opportunity), in the company's zone;
    None for a database with no records. Default periods end here, so an old demo is never empty."""
    o, ld, op = schema.sales_order, schema.lead, schema.opportunity
    frame = read_frame(
        engine,
        select(
            select(func.max(o.c.order_date)).scalar_subquery().label("orders"),
            select(func.max(ld.c.created_at)).scalar_subquery().label("leads"),
            select(func.max(op.c.created_at)).scalar_subquery().label("opportunities"),
        ),
    )
    row = frame.iloc[0]
    candidates: list[date] = []
    if row["orders"] is not None:
        candidates.append(_as_date(row["orders"]))
    for col in ("leads", "opportunities"):
        if row[col] is not None:
            ts = _as_datetime(row[col])
            candidates.append(ts.replace(tzinfo=timezone.utc).astimezone(cal.zone).date())
    return max(candidates) if candidates else None


#: The columns that say when a record was written or changed in the CRM (UTC timestamps).
WRITTEN_AT: tuple[tuple[str, str], ...] = (
    ("account", "created_at"),
    ("lead", "created_at"),
    ("lead_status_history", "changed_at"),
    ("opportunity", "created_at"),
    ("opportunity", "closed_at"),
    ("opportunity_stage_history", "changed_at"),
)


def newest_record(engine: Engine, cal: Calendar) -> datetime | date | None:
    """When the newest record was written in the CRM, in the company's zone: the latest of the
    :data:`WRITTEN_AT` timestamps (an aware datetime) — or the newest order's date, when no
    timestamp is as late as that day (orders carry a date, not a time). Of the whole CRM, the same
    for every viewer, like :func:`data_as_of`. A table or column the database lacks is left out;
    None when nothing is left or there is no record."""
    wanted = (*WRITTEN_AT, ("sales_order", "order_date"))
    lacking = {missing_name(m) for m in missing_schema(engine, tuple(sorted({table for table, _ in wanted})))}
    present = [(table, column) for table, column in wanted if table not in lacking and f"{table}.{column}" not in lacking]
    if not present:
        return None
    tables = schema.metadata.tables
    row = read_frame(engine, select(*(select(func.max(tables[t].c[c])).scalar_subquery().label(f"{t}_{c}") for t, c in present))).iloc[0]
    found = {name: value for name, value in row.items() if value is not None and value == value}  # noqa: PLR0124 - NaT
    order = found.pop("sales_order_order_date", None)
    newest = max((_as_datetime(v).replace(tzinfo=timezone.utc).astimezone(cal.zone) for v in found.values()), default=None)
    if order is not None and (newest is None or _as_date(order) > newest.date()):
        return _as_date(order)
    return newest


@dataclass(frozen=True)
class CopyMade:
    """When the DuckDB copy the app reads was made (python -m data_layer.sync), and of which CRM."""

    source: str  # the CRM's short form, as the heading names a source (postgresql · crm on db · odoo-17)
    made_at: datetime  # aware, UTC


def copy_made(engine: Engine) -> CopyMade | None:
    """The newest finished sync recorded in the copy ``engine`` reads (its ``granary_sync`` table, written by
    data_layer/sync.py); None when the database is not such a copy."""
    if engine.dialect.name != "duckdb" or not inspect(engine).has_table("granary_sync"):
        return None
    t = table("granary_sync", column("source_short"), column("finished_at"))
    frame = read_frame(engine, select(t.c.source_short, t.c.finished_at).where(t.c.finished_at.is_not(None)).order_by(t.c.finished_at.desc()).limit(1))
    if frame.empty:
        return None
    made = frame.iloc[0]["finished_at"]
    made = made.to_pydatetime() if hasattr(made, "to_pydatetime") else made  # pandas gives a Timestamp
    return CopyMade(str(frame.iloc[0]["source_short"]), _as_datetime(made).replace(tzinfo=timezone.utc))


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value)).replace(tzinfo=None)


def reporting_currency(engine: Engine, configured: str | None) -> str:
    """The configured reporting currency, else the one the exchange rates convert to, else USD."""
    if configured:
        return configured
    t = schema.exchange_rate
    frame = read_frame(engine, select(t.c.to_currency, func.count().label("n")).group_by(t.c.to_currency).order_by(func.count().desc()))
    return str(frame.iloc[0]["to_currency"]) if len(frame) else "USD"


@dataclass(frozen=True)
class Option:
    code: str
    name: str


@dataclass(frozen=True)
class FilterOptions:
    """What the filter bar may offer this viewer."""

    units: tuple[OrgUnit, ...]
    bus: tuple[Option, ...]
    products: tuple[Option, ...]
    segments: tuple[str, ...]
    sources: tuple[str, ...]


def filter_options(engine: Engine, org: OrgTree, viewer: Viewer) -> FilterOptions:
    """The choices of each filter, limited to what the viewer may see."""
    bu, prod, acc, ld = schema.business_unit, schema.product, schema.account, schema.lead
    bu_q = select(bu.c.code, bu.c.name).order_by(bu.c.name)
    prod_q = select(prod.c.code, prod.c.name).join(bu, bu.c.bu_id == prod.c.bu_id).order_by(prod.c.name)
    if viewer.bus is not None:
        bu_q = bu_q.where(bu.c.code.in_(viewer.bus))
        prod_q = prod_q.where(bu.c.code.in_(viewer.bus))
    bus = read_frame(engine, bu_q)
    products = read_frame(engine, prod_q)
    segments = read_frame(engine, select(acc.c.segment).where(acc.c.segment.is_not(None)).distinct().order_by(acc.c.segment))
    sources = read_frame(
        engine,
        union_all(
            select(ld.c.source_channel.label("source")).where(ld.c.source_channel.is_not(None)).distinct(),
            select(acc.c.source_channel.label("source")).where(acc.c.source_channel.is_not(None)).distinct(),
        ),
    )
    return FilterOptions(
        units=tuple(org.visible_units(viewer)),
        bus=tuple(Option(str(r.code), str(r.name)) for r in bus.itertuples()),
        products=tuple(Option(str(r.code), str(r.name)) for r in products.itertuples()),
        segments=tuple(str(s) for s in segments["segment"]),
        sources=tuple(sorted({str(s) for s in sources["source"]})),
    )


def rep_names(engine: Engine) -> dict[int, str]:
    """Rep id → full name, to label records already selected under the viewer's scope."""
    rep = schema.rep
    frame = read_frame(engine, select(rep.c.rep_id, rep.c.name))
    return {int(i): str(n) for i, n in zip(frame["rep_id"], frame["name"], strict=True)}


def rep_names_by_code(engine: Engine) -> dict[str, str]:
    """Rep code (what the metrics' ``rep`` grouping returns) → full name, to show reps by name."""
    rep = schema.rep
    frame = read_frame(engine, select(rep.c.code, rep.c.name))
    return {str(c): str(n) for c, n in zip(frame["code"], frame["name"], strict=True)}


def campaign_names(engine: Engine) -> dict[str, str]:
    """Campaign id, as text (what the funnel's ``campaign`` split returns) → name."""
    campaign = schema.campaign
    frame = read_frame(engine, select(campaign.c.campaign_id, campaign.c.name))
    return {str(int(i)): str(n) for i, n in zip(frame["campaign_id"], frame["name"], strict=True)}
