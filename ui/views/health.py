"""pages/health.py: the rules in the order they are read, the summary tiles and table, each rule's block with its
example records (CRM text as plain cell values, never markdown), and the rules' definitions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone, tzinfo

import pandas as pd
import streamlit as st

from data_layer.check import Finding
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import label, t
from ui.widgets import figures, missing, tiles

SEVERITY_ORDER = {"error": 0, "warning": 1}


STATUS_ORDER = {"found": 0, "failed": 1, "pass": 2}


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """The rules that found records first — errors, then warnings, the most records first — then those that could not
    run, then those that pass (errors, then warnings): what needs doing is at the top."""
    return sorted(findings, key=lambda f: (STATUS_ORDER[status(f)], SEVERITY_ORDER.get(f.rule.severity, 2), -f.count, f.rule.key))


def _found(finding: Finding) -> bool:
    return finding.error is None and finding.count > 0


def status(finding: Finding) -> str:
    """ "found", "failed" (the rule could not run) or "pass"."""
    return "failed" if finding.error is not None else "found" if finding.count > 0 else "pass"


def to_do(findings: Iterable[Finding]) -> list[Finding]:
    """The rules that found records or could not run: each gets a block of its own."""
    return [f for f in findings if status(f) != "pass"]


def passing(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if status(f) == "pass"]


def summary_tiles(findings: Sequence[Finding], lang: str) -> None:
    """How many rules were checked, pass, found errors, found warnings (and, when any, could not run)."""
    def n(value: int) -> str:
        return fmt.number(value, lang)

    failed = sum(f.error is not None for f in findings)
    figures_ = [
        (t("health.tile.rules", lang), n(len(findings)), None),
        (t("health.tile.pass", lang), n(sum(status(f) == "pass" for f in findings)), None),
        (t("health.tile.errors", lang), n(sum(_found(f) and f.rule.severity == "error" for f in findings)), t("health.tile.errors_help", lang)),
        (t("health.tile.warnings", lang), n(sum(_found(f) and f.rule.severity != "error" for f in findings)), t("health.tile.warnings_help", lang)),
    ]
    if failed:
        figures_.append((t("health.tile.failed", lang), n(failed), t("health.tile.failed_help", lang)))
    tiles(figures_, width=150)


def _share(finding: Finding) -> float | None:
    return finding.count / finding.checked if finding.error is None and finding.checked else None


def summary_table(findings: Sequence[Finding], lang: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """One row per rule in ``findings``' order, as :func:`ui.widgets.figures` shows it and its downloads hold it."""
    rows = pd.DataFrame({
        "rule": [label(f.rule.label, lang) for f in findings],
        "table": [f.rule.table for f in findings],
        "severity": [t(f"health.severity.{f.rule.severity}", lang) for f in findings],
        "status": [t(f"health.status.{status(f)}", lang) for f in findings],
        "count": [None if f.error is not None else f.count for f in findings],
        "checked": [None if f.error is not None else f.checked for f in findings],
        "share": [_share(f) for f in findings],
        "problem": [f.error or "" for f in findings],
    })
    spec = [(c, t(f"health.col.{c}", lang), "count" if c in ("count", "checked") else "percent" if c == "share" else "text") for c in rows.columns]
    if not any(f.error is not None for f in findings):
        spec = spec[:-1]
    shown, data, config = figures(rows, spec, "", lang)
    config[t("health.col.rule", lang)] = st.column_config.TextColumn(t("health.col.rule", lang), pinned=True, width=280)
    return shown, data, config


def _badge(finding: Finding, lang: str) -> str:
    kind = status(finding)
    if kind == "pass":
        return f":green-badge[:material/check_circle: {t('health.status.pass', lang)}]"
    if kind == "failed":
        return f":gray-badge[:material/help: {t('health.status.failed', lang)}]"
    if finding.rule.severity == "error":
        return f":red-badge[:material/error: {t('health.severity.error', lang)}]"
    return f":orange-badge[:material/warning: {t('health.severity.warning', lang)}]"


def count_line(finding: Finding, lang: str) -> str:
    """ "Error · 12 of 3,400 records in the account table (0.4%)" (plain text)."""
    severity = t(f"health.severity.{finding.rule.severity}", lang)
    if not finding.checked:
        return t("health.count_none_checked", lang, severity=severity, table=finding.rule.table)
    return t(
        "health.count", lang, severity=severity, table=finding.rule.table, count=fmt.number(finding.count, lang),
        checked=fmt.number(finding.checked, lang), share=fmt.percent(_share(finding), lang),
    )


def _cell(value: object, zone: tzinfo) -> str:
    """A stored value as text; a timestamp (UTC in the CRM, see docs/data-model.md) in the company's zone."""
    if missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        local = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(zone)
        return local.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def example_table(examples: pd.DataFrame, zone: tzinfo = timezone.utc) -> tuple[pd.DataFrame, dict]:
    """A rule's example records as plain text cells (the CRM's text exactly as stored, never markup; timestamps in
    ``zone``, the company's), the id pinned."""
    frame = pd.DataFrame({str(c): [_cell(v, zone) for v in examples[c]] for c in examples.columns})
    config = {str(c): st.column_config.TextColumn(str(c)) for c in examples.columns}
    if len(examples.columns):
        first = str(examples.columns[0])
        config[first] = st.column_config.TextColumn(first, pinned=True)
    return frame, config


def rule_block(finding: Finding, lang: str, zone: tzinfo = timezone.utc) -> None:
    """A rule: its status badge and name (its definition on the ?), its severity and count of records checked, then
    what is missing when it could not run, or its example records one click away."""
    rule = finding.rule
    with st.container(border=True):
        st.markdown(f"{_badge(finding, lang)} **{md_escape(label(rule.label, lang))}**", help=md_escape(label(rule.definition, lang)))
        if finding.error is not None:
            st.warning(md_escape(t("health.could_not_run", lang, error=finding.error)), icon=":material/warning:")
            return
        st.caption(md_escape(count_line(finding, lang)))
        if finding.count and len(finding.examples):
            n = fmt.number(len(finding.examples), lang)
            with st.expander(t("health.examples", lang, n=n, count=fmt.number(finding.count, lang)), icon=":material/table_rows:"):
                st.caption(md_escape(t("health.examples_caption", lang, zone=str(zone))))
                frame, config = example_table(finding.examples, zone)
                st.dataframe(frame, hide_index=True, column_config=config, width="stretch")


def passing_rules(findings: Iterable[Finding], lang: str) -> None:
    """The rules that pass, one line each in a single box (their definitions on the ?): checked, nothing to do."""
    findings = list(findings)
    if not findings:
        return
    with st.container(border=True):
        for finding in findings:
            rule = finding.rule
            st.markdown(
                f"{_badge(finding, lang)} **{md_escape(label(rule.label, lang))}** · :small[{md_escape(count_line(finding, lang))}]",
                help=md_escape(label(rule.definition, lang)),
            )


def rule_definitions(findings: Iterable[Finding], lang: str) -> None:
    """The Definitions expander: every rule's name, severity and written definition, exactly as declared on the rule."""
    with st.expander(t("definitions.title", lang), icon=":material/menu_book:"):
        for f in findings:
            severity = t(f"health.severity.{f.rule.severity}", lang)
            st.markdown(f"**{md_escape(label(f.rule.label, lang))}** ({md_escape(severity)}) — {md_escape(label(f.rule.definition, lang))}")
