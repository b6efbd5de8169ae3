"""Data health, for administrators, executives and whoever must get the CRM fixed: how many of the data-health rules
(data_layer.check) pass and how many find errors or warnings, then each rule — errors first, the most records first —
with its definition on the ?, its count of the records it checked and a few example records.

Every rule runs over the records the signed-in viewer may see (their units and business units), whatever the period
and filters. Every role may open it: a team lead's reps are the ones who fix their team's records, so the demo's
entitlements (config/demo-entitlements.toml) grant it to the team lead too, on their team alone.
"""

from __future__ import annotations

import streamlit as st

from ui import cache, widgets
from ui.format import md_escape
from ui.i18n import current_lang, label, t
from ui.session import current_boot, guard
from ui.views import health as view

ctx, flt = guard("health")
boot = current_boot()
lang = current_lang()
url = boot.source.url

st.title(t("health.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
st.caption(md_escape(t("health.scope")))

findings: list = []  # data_layer.check.Finding, in the order they are read
with widgets.section(t("health.summary.title"), url):
    findings = view.ordered(cache.health(ctx, boot.key))
    widgets.subheader(t("health.summary.title"), t("health.summary.caption"))
    if not findings:
        st.info(t("health.none"))
    else:
        view.summary_tiles(findings, lang)
        if not view.to_do(findings):
            st.success(t("health.all_pass"), icon=":material/check_circle:")
        shown, data, config = view.summary_table(findings, lang)
        stem = f"granary-{t('health.file.summary')}-{ctx.as_of:%Y%m%d}"
        widgets.formatted_table(shown, data, config, stem, t("health.sheet"), "health_summary", lang, height=widgets.table_height(len(shown)))

if findings:
    widgets.subheader(t("health.rules.title"), t("health.rules.caption"))
    for finding in view.to_do(findings):
        with widgets.section(label(finding.rule.label, lang), url):  # one rule failing to show leaves the others
            view.rule_block(finding, lang, ctx.calendar.zone)
    with widgets.section(t("health.status.pass"), url):
        view.passing_rules(view.passing(findings), lang)

view.rule_definitions(findings, lang)
