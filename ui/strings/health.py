"""UI strings of pages/health.py: keys begin with ``page.health`` or ``health.``.

The rules' own names and definitions are not here: they live on each rule (data_layer.check.Rule), like a metric's.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "page.health": {"en": "Data health", "zh": "数据健康"},
    "health.title": {"en": "Data health", "zh": "数据健康"},
    "health.scope": {
        "en": "Every rule is checked over all the records you may see, whatever the period and the filters: a record "
        "broken long ago still misleads this quarter's figures.",
        "zh": "每条规则都检查您可见范围内的全部记录，不受期间和筛选条件限制：很久以前的错误记录同样会影响本季度的数字。",
    },
    # --- Summary ---
    "health.summary.title": {"en": "At a glance", "zh": "概览"},
    "health.summary.caption": {
        "en": "Each rule checks one thing a figure on the other pages relies on. Errors make figures wrong; warnings make them less complete.",
        "zh": "每条规则检查其他页面某项数字所依赖的一点。错误会使数字出错；警告会使数字不够完整。",
    },
    "health.tile.rules": {"en": "Rules checked", "zh": "已检查规则"},
    "health.tile.pass": {"en": "Pass", "zh": "通过"},
    "health.tile.errors": {"en": "Errors found", "zh": "发现错误"},
    "health.tile.warnings": {"en": "Warnings found", "zh": "发现警告"},
    "health.tile.failed": {"en": "Could not run", "zh": "无法运行"},
    "health.tile.errors_help": {
        "en": "Rules of severity error that found at least one record breaking them: figures built on these records are wrong.",
        "zh": "严重程度为“错误”且至少发现一条违规记录的规则：基于这些记录的数字是错误的。",
    },
    "health.tile.warnings_help": {
        "en": "Rules of severity warning that found at least one record breaking them: figures are less complete, not wrong.",
        "zh": "严重程度为“警告”且至少发现一条违规记录的规则：数字不够完整，但并非错误。",
    },
    "health.tile.failed_help": {
        "en": "Rules that could not be checked on this database, usually because a table or column they read is missing.",
        "zh": "无法在此数据库上检查的规则，通常是因为所读取的表或字段缺失。",
    },
    "health.all_pass": {"en": "Every rule passes: no problem found in the records you may see.", "zh": "所有规则均通过：在您可见的记录中未发现问题。"},
    "health.none": {"en": "There is no rule to check.", "zh": "没有需要检查的规则。"},
    # --- The rules, one by one ---
    "health.rules.title": {"en": "Rule by rule", "zh": "逐条规则"},
    "health.rules.caption": {
        "en": "The rules that found records first: errors, then warnings, the most records first; then the rules that pass. The ? beside a rule says what it checks.",
        "zh": "先列发现问题的规则：先错误后警告，发现记录最多的在前；然后是通过的规则。规则旁的“?”说明其检查内容。",
    },
    "health.severity.error": {"en": "Error", "zh": "错误"},
    "health.severity.warning": {"en": "Warning", "zh": "警告"},
    "health.status.pass": {"en": "Passes", "zh": "通过"},
    "health.status.failed": {"en": "Not checked", "zh": "未检查"},
    "health.count": {
        "en": "{severity} · {count} of {checked} records in the {table} table ({share})",
        "zh": "{severity} · {table} 表 {checked} 条记录中有 {count} 条（{share}）",
    },
    "health.count_none_checked": {"en": "{severity} · no record to check in the {table} table", "zh": "{severity} · {table} 表中没有可检查的记录"},
    "health.could_not_run": {
        "en": "This rule could not be checked: {error}. The other rules are not affected.",
        "zh": "无法检查此规则：{error}。其他规则不受影响。",
    },
    "health.examples": {"en": "Example records ({n} of {count})", "zh": "示例记录（{count} 条中的 {n} 条）"},
    "health.examples_caption": {
        "en": "As stored in the CRM, times in {zone}; fix them there and they leave this list at the next refresh.",
        "zh": "按 CRM 中的原样显示，时间为 {zone} 时间；在 CRM 中修正后，下次刷新时即从此列表中移除。",
    },
    # --- The summary table and its downloads ---
    "health.col.rule": {"en": "Rule", "zh": "规则"},
    "health.col.table": {"en": "Table", "zh": "数据表"},
    "health.col.severity": {"en": "Severity", "zh": "严重程度"},
    "health.col.status": {"en": "Status", "zh": "状态"},
    "health.col.count": {"en": "Records found", "zh": "发现记录数"},
    "health.col.checked": {"en": "Records checked", "zh": "已检查记录数"},
    "health.col.share": {"en": "Share", "zh": "占比"},
    "health.col.problem": {"en": "Could not run", "zh": "无法运行原因"},
    "health.status.found": {"en": "Problems found", "zh": "发现问题"},
    "health.file.summary": {"en": "data-health", "zh": "数据健康"},
    "health.sheet": {"en": "Data health", "zh": "数据健康"},
}
