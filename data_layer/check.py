"""Data-health rules: how many records in the viewer's scope break each rule, with a few examples.

Each rule is one SQLAlchemy Core query over the records it looks at (its *population*) and the
condition that breaks it: the database counts both, and only ``examples`` breaking rows come back.
Every value a rule compares with (the as-of date, the fiscal year, unit ids, names) is a bound
parameter, so the same statements run on SQLite, DuckDB, PostgreSQL and MariaDB.

Scope is the metrics' scope (:func:`data_layer.filters.restrict` for opportunities, orders and leads;
:func:`data_layer.filters.scoped_accounts` for accounts, by home unit as of ``as_of``); rules on the
dimension tables (product and business-unit names) are not scoped.

Negative order amounts are credit notes, which revenue nets off on purpose: no rule flags them.

Run ``python -m data_layer.check --help`` for the command line.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import (
    Column,
    ColumnElement,
    Engine,
    FromClause,
    Table,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import visitors

from data_layer import schema
from data_layer.config import Calendar, load_settings
from data_layer.commands import MAPPING_HELP, command_mapping, command_url, run
from data_layer.connection import ConnectionProblem, explain, make_engine, missing_name, missing_schema, read_frame
from data_layer.dimensions import data_as_of, load_org
from data_layer.filters import (
    DEFAULT_VIEWER,
    FACTS,
    Filters,
    NoScope,
    OrgTree,
    Period,
    Viewer,
    _require_scope,
    account_order_conditions,
    add_months,
    fiscal_year_of,
    restrict,
    scoped_accounts,
)

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Rule:
    """One data-health rule.

    Attributes:
        key: stable identifier, e.g. ``opportunity_closed_before_created``.
        table: the canonical table whose records it counts.
        label: short name, ``{"en": ..., "zh": ...}``.
        definition: what exactly is counted, and which metrics it matters for.
        severity: ``error`` (numbers are wrong or records are dropped) or ``warning`` (worth a look).
    """

    key: str
    table: str
    label: dict[str, str]
    definition: dict[str, str]
    severity: str


@dataclass(frozen=True)
class Finding:
    """A rule's result in the viewer's scope.

    Attributes:
        count: records breaking the rule.
        checked: records the rule looked at (its denominator).
        examples: at most the requested number of breaking records, the record's id column first.
        error: why the rule could not run (count is then 0), naming what is missing.
    """

    rule: Rule
    count: int
    checked: int
    examples: pd.DataFrame
    error: str | None = None


@dataclass(frozen=True)
class Probe:
    """A rule as SQL: the rows it looks at (``source`` where ``population``), the condition that
    breaks it, and the columns an example shows (the id first)."""

    source: FromClause
    population: tuple[ColumnElement[bool], ...]
    broken: ColumnElement[bool]
    columns: tuple[ColumnElement[Any], ...]


@dataclass(frozen=True)
class Scope:
    """What a rule's query needs: the database, the viewer's scope and the dates."""

    engine: Engine
    viewer: Viewer
    org: OrgTree
    as_of: date
    calendar: Calendar

    @property
    def filters(self) -> Filters:
        """No filter but the scope itself (the period is not read by the scope helpers)."""
        return Filters(Period(self.as_of, self.as_of))

    def facts(self, table: str) -> tuple[ColumnElement[bool], ...]:
        """The viewer's scope on an opportunity, order or lead: unit subtree and business units."""
        return restrict(FACTS[table], self.filters, self.viewer, self.org).conditions

    def accounts(self, account_id: ColumnElement[Any]) -> tuple[ColumnElement[bool], ...]:
        """Accounts whose home unit as of ``as_of`` lies in the viewer's units (all for the whole company)."""
        if self.org.visible_ids(self.viewer) is None:
            return ()
        scoped = scoped_accounts(self.filters, self.viewer, self.org, self.as_of)
        return (account_id.in_(select(scoped.c.account_id)),)


Build = Callable[[Scope], Probe]
_CHECKS: list[tuple[Rule, Build]] = []


def _rule(key: str, table: str, severity: str, label: dict[str, str], definition: dict[str, str]) -> Callable[[Build], Build]:
    """Register ``build`` as the query of a new rule."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")

    def register(build: Build) -> Build:
        _CHECKS.append((Rule(key, table, label, definition, severity), build))
        return build

    return register


def _table(name: str) -> Table:
    return schema.metadata.tables[name]


def _shown(table: str, *extra: str) -> tuple[ColumnElement[Any], ...]:
    """The id and identifying columns of a ``table`` record, then ``extra``."""
    t = _table(table)
    return tuple(t.c[name] for name in dict.fromkeys((*IDENTIFYING[table], *extra)))


#: The columns an example row shows, id first.
IDENTIFYING: dict[str, tuple[str, ...]] = {
    "account": ("account_id", "name", "segment"),
    "opportunity": ("opportunity_id", "name", "account_id", "created_at", "amount", "currency"),
    "sales_order": ("order_id", "order_number", "account_id", "order_date", "amount", "currency"),
    "lead": ("lead_id", "company_name", "created_at"),
    "product": ("product_id", "code", "name"),
    "business_unit": ("bu_id", "code", "name"),
}
ID = {table: columns[0] for table, columns in IDENTIFYING.items()}


def _no_row(column: ColumnElement[Any], parent: Table, key: str) -> ColumnElement[bool]:
    """``column`` names no row of ``parent``."""
    p = parent.alias(f"{parent.name}_parent")
    return ~exists().where(p.c[key] == column)


# --- Owners ----------------------------------------------------------------------------------------------


@_rule(
    "account_without_owner", "account", "warning",
    {"en": "Account without owner", "zh": "客户无负责人"},
    {
        "en": "Accounts in scope whose owner_rep_id is empty. Nobody is answerable for them: they appear in no "
        "rep's account list and ownership hand-offs cannot see them.",
        "zh": "范围内 owner_rep_id 为空的客户。无人负责：不出现在任何销售的客户清单中，负责人交接也看不到它们。",
    },
)
def _account_without_owner(s: Scope) -> Probe:
    a = schema.account
    return Probe(a, s.accounts(a.c.account_id), a.c.owner_rep_id.is_(None), _shown("account", "home_unit_id"))


@_rule(
    "open_opportunity_without_owner", "opportunity", "warning",
    {"en": "Open opportunity without owner", "zh": "未关闭商机无负责人"},
    {
        "en": "Open opportunities (status open) in scope whose owner_rep_id is empty. The pipeline counts them, "
        "but no rep does: pipeline and forecasts by rep miss them.",
        "zh": "范围内状态为 open 且 owner_rep_id 为空的商机。计入管道，但不属于任何销售：按销售的管道和预测漏掉它们。",
    },
)
def _open_opportunity_without_owner(s: Scope) -> Probe:
    o = schema.opportunity
    return Probe(o, (o.c.status == "open", *s.facts("opportunity")), o.c.owner_rep_id.is_(None), _shown("opportunity", "stage"))


@_rule(
    "account_owner_not_a_rep", "account", "warning",
    {"en": "Account owner is no rep", "zh": "客户负责人不存在"},
    {
        "en": "Accounts in scope whose owner_rep_id is set but names no row of rep (an orphan reference). "
        "Lists by owner cannot name the rep.",
        "zh": "范围内 owner_rep_id 有值但在 rep 表中找不到的客户（孤立引用）。按负责人的清单无法显示该销售。",
    },
)
def _account_owner_not_a_rep(s: Scope) -> Probe:
    a = schema.account
    broken = and_(a.c.owner_rep_id.is_not(None), _no_row(a.c.owner_rep_id, schema.rep, "rep_id"))
    return Probe(a, s.accounts(a.c.account_id), broken, _shown("account", "owner_rep_id"))


@_rule(
    "opportunity_owner_not_a_rep", "opportunity", "error",
    {"en": "Opportunity owner is no rep", "zh": "商机负责人不存在"},
    {
        "en": "Opportunities in scope (any status) whose owner_rep_id is set but names no row of rep. "
        "Metrics by rep (wins, pipeline, incentives) cannot credit them to anyone.",
        "zh": "范围内（任意状态）owner_rep_id 有值但在 rep 表中找不到的商机。按销售的指标（赢单、管道、激励）无法归属。",
    },
)
def _opportunity_owner_not_a_rep(s: Scope) -> Probe:
    o = schema.opportunity
    broken = and_(o.c.owner_rep_id.is_not(None), _no_row(o.c.owner_rep_id, schema.rep, "rep_id"))
    return Probe(o, s.facts("opportunity"), broken, _shown("opportunity", "owner_rep_id"))


# --- Duplicate ids ---------------------------------------------------------------------------------------


def _duplicates(table: str) -> Build:
    """Ids of ``table`` (in scope) held by more than one row: one example row per id, with its copies."""

    def build(s: Scope) -> Probe:
        t = _table(table)
        key = t.c[ID[table]]
        scope = s.accounts(key) if table == "account" else s.facts(table)
        name = t.c[IDENTIFYING[table][1]]
        ids = (
            select(key.label(ID[table]), func.count().label("copies"), func.min(name).label(name.name))
            .where(*scope)
            .group_by(key)
            .subquery(f"{table}_ids")
        )
        return Probe(ids, (), ids.c.copies > 1, (ids.c[ID[table]], ids.c.copies, ids.c[name.name]))

    return build


for _table_name, _en, _zh in (("account", "account", "客户"), ("opportunity", "opportunity", "商机"), ("sales_order", "order", "订单"), ("lead", "lead", "线索")):
    _rule(
        f"duplicate_{_table_name}_id", _table_name, "error",
        {"en": f"Duplicate {_en} id", "zh": f"{_zh} ID 重复"},
        {
            "en": f"{ID[_table_name]} values held by more than one {_table_name} row in scope; the count is of ids "
            f"(an id on three rows counts once), out of the distinct ids. The database has no key on the table "
            f"(a view, usually): every count and sum over {_table_name} counts the copies again.",
            "zh": f"范围内被多于一行{_zh}使用的 {ID[_table_name]}；按 ID 计数（一个 ID 出现三次只计一次），分母为不同 ID 数。"
            f"该表（通常是视图）没有主键：所有对{_zh}的计数和求和都会重复计入副本。",
        },
    )(_duplicates(_table_name))


# --- Orphan references -----------------------------------------------------------------------------------


def _orphans(table: str, column: str, parent: Table, key: str, *, required: bool) -> Build:
    """``table.column`` naming no row of ``parent`` (or, when ``required``, empty)."""

    def build(s: Scope) -> Probe:
        t = _table(table)
        reference = t.c[column]
        dangling = and_(reference.is_not(None), _no_row(reference, parent, key))
        broken = or_(reference.is_(None), dangling) if required else dangling
        return Probe(t, s.facts(table), broken, _shown(table, column))

    return build


_ORPHANS = (
    ("opportunity", "account_id", schema.account, "account_id", True, "account",
     "the segment and source filters, read from the account, drop them", "按客户读取的客户细分和来源筛选会漏掉它们"),
    ("sales_order", "account_id", schema.account, "account_id", True, "account",
     "churn, share of wallet and new customers lose their revenue", "流失、客户购买份额和新客户会漏掉这些收入"),
    ("sales_order", "opportunity_id", schema.opportunity, "opportunity_id", False, "opportunity",
     "lead to cash and won deals' orders cannot follow them back", "线索到回款以及赢单到订单的追溯会断开"),
    ("opportunity", "unit_id", schema.org_unit, "unit_id", False, "org_unit",
     "they lie in no unit's subtree: every unit breakdown and every scoped viewer misses them, so only a "
     "whole-company viewer sees them here", "它们不属于任何组织单元：所有按单元的拆分和受限查看者都看不到，因此只有全公司查看者能在此看到"),
    ("sales_order", "unit_id", schema.org_unit, "unit_id", False, "org_unit",
     "they lie in no unit's subtree: every unit breakdown and every scoped viewer misses their revenue, so only a "
     "whole-company viewer sees them here", "它们不属于任何组织单元：所有按单元的拆分和受限查看者都看不到这些收入，因此只有全公司查看者能在此看到"),
)
_ZH_TABLE = {"opportunity": "商机", "sales_order": "订单", "account": "客户", "org_unit": "组织单元"}

for _t, _c, _parent, _key, _required, _parent_name, _why_en, _why_zh in _ORPHANS:
    _empty_en = " or empty (the column is required)" if _required else " (an empty one is not counted)"
    _empty_zh = "或为空（该列必填）" if _required else "（为空不计）"
    _rule(
        f"{_t}_{_c.removesuffix('_id')}_missing", _t, "error",
        {"en": f"{_t}.{_c} points nowhere", "zh": f"{_ZH_TABLE[_t]}的 {_c} 无对应记录"},
        {
            "en": f"{_t} rows in scope whose {_c} names no row of {_parent_name}{_empty_en}: {_why_en}.",
            "zh": f"范围内 {_c} 在 {_parent_name} 表中找不到{_empty_zh}的{_ZH_TABLE[_t]}：{_why_zh}。",
        },
    )(_orphans(_t, _c, _parent, _key, required=_required))


# --- Opportunities ---------------------------------------------------------------------------------------


@_rule(
    "opportunity_closed_before_created", "opportunity", "error",
    {"en": "Closed before created", "zh": "关闭早于创建"},
    {
        "en": "Opportunities in scope whose closed_at is earlier than created_at (both UTC timestamps, compared "
        "as stored). The sales cycle already leaves them out; win rate and wins still count them.",
        "zh": "范围内 closed_at 早于 created_at 的商机（均为 UTC 时间戳，按存储值比较）。销售周期已将其排除；赢单率和赢单数仍计入。",
    },
)
def _closed_before_created(s: Scope) -> Probe:
    o = schema.opportunity
    return Probe(o, s.facts("opportunity"), o.c.closed_at < o.c.created_at, _shown("opportunity", "closed_at"))


@_rule(
    "opportunity_amount_missing_or_negative", "opportunity", "error",
    {"en": "Opportunity amount missing or negative", "zh": "商机金额缺失或为负"},
    {
        "en": "Opportunities in scope (any status) whose amount is empty or below zero. The pipeline, the "
        "forecast and the amount-weighted win rate treat them as nothing or subtract them.",
        "zh": "范围内（任意状态）金额为空或小于零的商机。管道、预测和按金额加权的赢单率会将其视为零或减去它们。",
    },
)
def _opportunity_amount(s: Scope) -> Probe:
    o = schema.opportunity
    return Probe(o, s.facts("opportunity"), or_(o.c.amount.is_(None), o.c.amount < 0), _shown("opportunity", "status"))


@_rule(
    "sales_order_amount_missing", "sales_order", "error",
    {"en": "Order amount missing", "zh": "订单金额缺失"},
    {
        "en": "Orders in scope whose amount is empty: revenue and every revenue-based measure leave them out. "
        "Negative amounts are credit notes, netted off on purpose, and not counted here.",
        "zh": "范围内金额为空的订单：收入及所有基于收入的指标都不计入。负金额为贷项通知单，按设计冲减收入，此处不计。",
    },
)
def _order_amount(s: Scope) -> Probe:
    o = schema.sales_order
    return Probe(o, s.facts("sales_order"), o.c.amount.is_(None), _shown("sales_order"))


@_rule(
    "won_opportunity_without_order", "opportunity", "warning",
    {"en": "Won deal with no order", "zh": "赢单无订单"},
    {
        "en": "Won opportunities (status won) in scope that no sales_order names in opportunity_id (an order "
        "credited to any unit counts). Wins count them but revenue has nothing from them, and lead to cash stops there.",
        "zh": "范围内状态为 won、但没有任何订单在 opportunity_id 中引用的商机（订单归属任何单元均可）。赢单计入，但收入中没有，线索到回款在此中断。",
    },
)
def _won_without_order(s: Scope) -> Probe:
    o, so = schema.opportunity, schema.sales_order
    broken = ~exists().where(so.c.opportunity_id == o.c.opportunity_id)
    return Probe(o, (o.c.status == "won", *s.facts("opportunity")), broken, _shown("opportunity", "closed_at"))


@_rule(
    "stale_open_opportunity", "opportunity", "warning",
    {"en": "Stale open opportunity", "zh": "过期未关闭商机"},
    {
        "en": "Open opportunities (status open) in scope whose expected_close_date is empty or before the as-of "
        "date. They inflate the open pipeline and fall out of every forecast period.",
        "zh": "范围内状态为 open、预计关闭日期为空或早于数据截止日的商机。它们虚增未关闭管道，且不落入任何预测期间。",
    },
)
def _stale_open(s: Scope) -> Probe:
    o = schema.opportunity
    broken = or_(o.c.expected_close_date.is_(None), o.c.expected_close_date < s.as_of)
    return Probe(o, (o.c.status == "open", *s.facts("opportunity")), broken, _shown("opportunity", "expected_close_date"))


# --- Accounts --------------------------------------------------------------------------------------------


@_rule(
    "customer_without_wallet_estimate", "account", "warning",
    {"en": "Customer without wallet estimate", "zh": "客户无钱包估算"},
    {
        "en": "Customers in scope — accounts with an order dated in the 12 months to the as-of date (in the "
        "viewer's business units) — with no wallet_estimate above zero for the fiscal year containing the "
        "as-of date. Share of wallet and headroom leave them out.",
        "zh": "范围内的现有客户（截至数据截止日前 12 个月内有订单，限查看者的经营单元）中，没有截止日所在财年大于零的钱包估算的客户。"
        "客户购买份额和增长空间不计入它们。",
    },
)
def _customer_without_wallet(s: Scope) -> Probe:
    a, o, w = schema.account, schema.sales_order, schema.wallet_estimate
    bought = exists().where(
        o.c.account_id == a.c.account_id,
        o.c.order_date > add_months(s.as_of, -12),
        o.c.order_date <= s.as_of,
        *account_order_conditions(s.filters, s.viewer),
    )
    estimated = exists().where(w.c.account_id == a.c.account_id, w.c.fiscal_year == fiscal_year_of(s.as_of, s.calendar), w.c.amount > 0)
    return Probe(a, (bought, *s.accounts(a.c.account_id)), ~estimated, _shown("account"))


# --- Names -----------------------------------------------------------------------------------------------


def normalised(name: str) -> str:
    """A name as people mean it: Unicode NFKC, case folded, trimmed, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _name_variants(table: str) -> Build:
    """Rows of a dimension table whose name equals another's after :func:`normalised` but not as stored."""

    def build(s: Scope) -> Probe:
        t = _table(table)
        names = read_frame(s.engine, select(t.c.name).where(t.c.name.is_not(None)).distinct())["name"]
        spellings: dict[str, set[str]] = {}
        for name in names:
            spellings.setdefault(normalised(str(name)), set()).add(str(name))
        variants = sorted(n for group in spellings.values() if len(group) > 1 for n in group)
        broken = t.c.name.in_(variants) if variants else false()
        return Probe(t, (), broken, _shown(table))

    return build


for _table_name, _en, _zh in (("product", "Product", "产品"), ("business_unit", "Business unit", "经营单元")):
    _rule(
        f"{_table_name}_name_variants", _table_name, "warning",
        {"en": f"{_en} names spelt two ways", "zh": f"{_zh}名称存在多种写法"},
        {
            "en": f"{_table_name} rows whose name equals another row's after normalisation (Unicode NFKC, case "
            "folded, trimmed, inner spaces collapsed) but differs as stored. Filters and breakdowns show one "
            "thing twice. Not scoped: names are shared by everyone.",
            "zh": f"名称经规范化（Unicode NFKC、忽略大小写、去首尾空格、合并内部空白）后与另一行相同、但存储值不同的{_zh}行。"
            "筛选和拆分中同一对象会出现两次。不按范围限制：名称为所有人共用。",
        },
    )(_name_variants(_table_name))


RULES: tuple[Rule, ...] = tuple(rule for rule, _ in _CHECKS)


# --- Running the rules -----------------------------------------------------------------------------------


def _count(engine: Engine, probe: Probe) -> tuple[int, int]:
    """(breaking, checked) for ``probe``, counted by the database."""
    stmt = select(
        func.coalesce(func.sum(case((probe.broken, 1), else_=0)), 0).label("broken"),
        func.count().label("checked"),
    ).select_from(probe.source).where(*probe.population)
    row = read_frame(engine, stmt).iloc[0]
    return int(row["broken"]), int(row["checked"])


def _examples(engine: Engine, probe: Probe, limit: int, count: int) -> pd.DataFrame:
    stmt = select(*probe.columns).select_from(probe.source).where(*probe.population, probe.broken).order_by(probe.columns[0]).limit(limit)
    if count == 0 or limit <= 0:
        return pd.DataFrame(columns=list(stmt.selected_columns.keys()))
    return read_frame(engine, stmt)


def _canonical_columns(probe: Probe) -> tuple[set[str], set[str]]:
    """The canonical tables and ``table.column`` names the probe's statements read."""
    tables: set[str] = set()
    columns: set[str] = set()
    for element in (probe.source, *probe.population, probe.broken, *probe.columns):
        for node in visitors.iterate(element):
            if isinstance(node, Table) and node.metadata is schema.metadata:
                tables.add(node.name)
            elif isinstance(node, Column) and isinstance(node.table, Table) and node.table.metadata is schema.metadata:
                tables.add(node.table.name)
                columns.add(f"{node.table.name}.{node.name}")
    return tables, columns


def _what_is_missing(engine: Engine, probe: Probe | None, rule: Rule, exc: SQLAlchemyError) -> str:
    """The missing tables and columns the rule reads, else the database's own first line."""
    tables, columns = _canonical_columns(probe) if probe is not None else ({rule.table}, set())
    try:
        lacking = [m for m in missing_schema(engine, tuple(sorted(tables))) if missing_name(m) in tables or missing_name(m) in columns]
    except SQLAlchemyError:
        lacking = []
    if lacking:
        return "missing: " + ", ".join(lacking)
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()
    return detail[0] if detail else type(exc).__name__


def run_checks(
    engine: Engine,
    viewer: Viewer,
    org: OrgTree,
    as_of: date,
    *,
    examples: int = 5,
    keys: Iterable[str] | None = None,
    calendar: Calendar = Calendar(),
) -> list[Finding]:
    """Every rule (or those in ``keys``, in the registry's order) on the viewer's scope as of ``as_of``.

    A rule that cannot run — a missing table or column, or a table the viewer's business units
    cannot restrict — gives a Finding with ``error`` set; the others still run.

    Raises:
        NoScope: the viewer is entitled to nothing.
        KeyError: an unknown rule key.
    """
    _require_scope(viewer)
    wanted = None if keys is None else set(keys)
    if wanted is not None and (unknown := wanted - {rule.key for rule in RULES}):
        raise KeyError(f"unknown rule(s): {', '.join(sorted(unknown))}")
    scope = Scope(engine, viewer, org, as_of, calendar)
    findings: list[Finding] = []
    for rule, build in _CHECKS:
        if wanted is not None and rule.key not in wanted:
            continue
        probe: Probe | None = None
        try:
            probe = build(scope)
            count, checked = _count(engine, probe)
            findings.append(Finding(rule, count, checked, _examples(engine, probe, examples, count)))
        except NoScope as exc:
            findings.append(Finding(rule, 0, 0, pd.DataFrame(), error=f"not checked in this scope: {exc}"))
        except SQLAlchemyError as exc:
            findings.append(Finding(rule, 0, 0, pd.DataFrame(), error=_what_is_missing(engine, probe, rule, exc)))
    return findings


# --- Command line ----------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-friendly: money as an exact decimal string, dates as ISO text, missing as null."""
    if value is None or (not isinstance(value, str | list) and pd.isna(value)):
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _as_dict(finding: Finding) -> dict[str, Any]:
    rule = finding.rule
    return {
        "rule": rule.key,
        "table": rule.table,
        "severity": rule.severity,
        "label": rule.label["en"],
        "count": finding.count,
        "checked": finding.checked,
        "error": finding.error,
        "examples": [{k: _plain(v) for k, v in row.items()} for row in finding.examples.to_dict("records")],
    }


def _print_table(findings: list[Finding]) -> None:
    for f in findings:
        status = f"could not run: {f.error}" if f.error else f"{f.count:,} of {f.checked:,}"
        print(f"[{f.rule.severity}] {f.rule.label['en']} ({f.rule.key}): {status}")
        if not f.examples.empty:
            print("    " + f.examples.to_string(index=False).replace("\n", "\n    "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_layer.check", description="Count the records that break each data-health rule.")
    parser.add_argument("--url", help="CRM database URL (default: CRM_DATABASE_URL, secrets.toml, else the demo)")
    parser.add_argument("--mapping", help=MAPPING_HELP)
    parser.add_argument("--as-of", type=date.fromisoformat, help="as-of date, YYYY-MM-DD (default: the newest record's date)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--examples", type=int, default=5, help="example records per rule (default 5)")
    args = parser.parse_args(argv)
    if args.examples < 0:
        parser.error("--examples must be 0 or more")

    settings = load_settings()
    url = command_url(args.url, settings.calendar)
    if url is None:  # the demo could not be built; command_url said why
        return 2
    try:
        engine = make_engine(url, settings, mapping=command_mapping(args.url, args.mapping))
        org = load_org(engine)
        # An empty database has no newest record: its rules are checked as of today, in the company's zone.
        as_of = args.as_of or data_as_of(engine, settings.calendar) or datetime.now(settings.calendar.zone).date()
        findings = run_checks(engine, DEFAULT_VIEWER, org, as_of, examples=args.examples, calendar=settings.calendar)
    except ConnectionProblem as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the message, not a traceback, with the password masked
        print(explain(exc, url), file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump({"as_of": str(as_of), "findings": [_as_dict(f) for f in findings]}, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        rows = [{k: v for k, v in _as_dict(f).items() if k != "examples"} for f in findings]
        pd.DataFrame(rows).to_csv(sys.stdout, index=False)
    else:
        print(f"Data health as of {as_of}")
        _print_table(findings)
    return 0


if __name__ == "__main__":
    run(main)
