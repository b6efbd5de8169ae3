"""Targets, for the regional head and the team lead: who is on target, who is on pace, where will they land?

Leaderboards per level (business unit, region, office, team, rep) with actual, target, % attained, where
each should be by now and the projection to the period's end, flagging rolled-up targets and parents whose
target differs from their children's; then the reps' attainment beside their conversion and cycle length.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from metrics.funnel import maturing_days
from metrics.registry import REGISTRY
from metrics.targets import DEFINITIONS, DEFINITIONS_ZH, MEASURE_LABELS, MEASURES, MONEY_MEASURES, PROJECTED_MEASURES, leaderboard
from ui import cache, widgets
from ui import format as fmt
from ui.format import date_range, md_escape
from ui.i18n import current_lang, join, label, t
from ui.session import current_boot, guard

ctx, flt = guard("targets")
boot = current_boot()
lang = current_lang()
url = boot.source.url
period = widgets.target_period_of(flt.period, ctx.calendar)
LEVELS = ("business_unit", "cluster", "region", "office", "team", "rep")
COACHING = [REGISTRY[k] for k in ("opportunities", "opportunity_to_order_rate", "win_rate", "sales_cycle_median_days")]

st.title(t("targets.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
period_name = widgets.target_period_title(period, ctx.calendar, lang)
st.caption(md_escape(t("targets.period", period=period_name, range=date_range(period.start, period.end, lang),
                       elapsed=period.elapsed_days(ctx.as_of), days=period.days)))
ignored = [t(f"filter.{f}") for f, v in (("business_unit", flt.bus), ("product", flt.products), ("segment", flt.segments), ("source", flt.sources)) if v]
if ignored:
    st.caption(md_escape(t("kpi.not_filtered_by", filters=join(ignored, lang))))

measure = st.segmented_control(
    t("targets.measure"), MEASURES, format_func=lambda m: label(MEASURE_LABELS[m], lang), default="revenue", required=True, key="targets_measure",
) or "revenue"
kind = "money" if measure in MONEY_MEASURES else "count"
definitions = DEFINITIONS_ZH if lang == "zh" else DEFINITIONS

with widgets.section(t("targets.leaderboard"), url):
    frame = cache.attainment(ctx, boot.key, measure, period, flt.unit)
    plain = frame[frame["bu"].isna()]
    boards = {lvl: leaderboard(plain, lvl) for lvl in LEVELS}
    levels = [lvl for lvl in LEVELS if len(boards[lvl])]
    if not levels:
        st.info(t("targets.none", period=period_name))
    else:
        level = st.segmented_control(
            t("targets.level"), levels, format_func=lambda lvl: t(f"targets.level_{lvl}"), default="office" if "office" in levels else levels[0],
            required=True, key="targets_level",
        ) or levels[0]
        st.subheader(t("targets.board_of", level=t(f"targets.level_{level}"), measure=label(MEASURE_LABELS[measure], lang)), anchor=False,
                     help=definitions["attainment"])
        rows = widgets.attainment_rows(boards[level], kind, ctx.currency, lang)
        names = {c: n for c, n in zip(plain["code"], plain["name"], strict=True)}
        rows["parent_name"] = [names.get(p, "") for p in rows["parent"]]
        st.altair_chart(widgets.attainment_bars(rows, period.elapsed_days(ctx.as_of) / period.days, lang), width="stretch")
        notes = [t("targets.rules", pct=fmt.percent(period.elapsed_days(ctx.as_of) / period.days, lang, digits=0))]
        if len(rows) > 12:
            notes.append(t("units.top", n=12, total=len(rows)))
        st.caption(md_escape(" · ".join(notes)))
        spec = widgets.attainment_spec(kind, measure in PROJECTED_MEASURES, lang, parent=level not in ("business_unit", "cluster"))
        shown, data, config = widgets.figures(rows, spec, ctx.currency, lang)
        config[t("units.rank")] = st.column_config.TextColumn(t("units.rank"), pinned=True, width=44)
        config[t("targets.name")] = st.column_config.TextColumn(t("targets.name"), pinned=True)
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("targets.file"), flt), t("targets.leaderboard"), "targets_board", lang)
        flagged = int(rows["mismatch"].sum())
        rolled = int((rows["source"] == "rolled_up").sum())
        st.caption(md_escape(t("targets.flags", mismatch=flagged, rolled=rolled)))

with widgets.section(t("targets.coaching"), url):
    st.subheader(t("targets.coaching"), anchor=False, help=definitions["attainment"])
    st.caption(md_escape(t("targets.coaching_caption", period=period_name)))
    reps = leaderboard(frame[frame["bu"].isna()], "rep")
    if reps.empty:
        st.info(t("targets.no_reps"))
    else:
        to_date = flt.with_period(replace(period.as_period(), end=min(period.end, ctx.as_of)))
        values = {m.key: cache.by_rep(ctx, boot.key, m.key, to_date) for m in COACHING}
        rows = widgets.attainment_rows(widgets.coaching_rows(reps, values, cache.rep_names_by_code(boot.engine, boot.key), [m.key for m in COACHING if m.kind == "count"]), kind, ctx.currency, lang)
        money = "money_compact" if kind == "money" else "count"
        spec = [("rank", t("units.rank"), "count"), ("name", t("units.rep"), "text"), ("target", t("targets.target"), money),
                ("actual", t("targets.actual"), money), ("attainment", t("targets.attained"), "percent"), ("pace", t("targets.pace"), "percent")]
        # Short headers, so ten columns fit a laptop's width; each one's help gives the KPI's full name and definition.
        spec += [(m.key, t(f"targets.col_{m.key}"), {"days": "days", "ratio": "percent"}.get(m.kind, "count")) for m in COACHING]
        helps = {m.key: f"{label(m.label, lang)}: {label(m.definition, lang)}" for m in COACHING}
        shown, data, config = widgets.figures(rows, spec, ctx.currency, lang, helps)
        config[t("units.rank")] = st.column_config.TextColumn(t("units.rank"), pinned=True, width=44)
        config[t("units.rep")] = st.column_config.TextColumn(t("units.rep"), pinned=True)
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("targets.coaching_file"), flt), t("targets.level_rep"), "targets_reps", lang)
        if (days := maturing_days("opportunity_to_order_rate", to_date.period, ctx.as_of)) is not None:
            widgets.maturity_note(t("targets.conversion_maturing", n=days), lang)

with st.expander(t("definitions.title"), icon=":material/menu_book:"):
    for key in (measure, "targets", "attainment"):
        title = label(MEASURE_LABELS[key], lang) if key in MEASURE_LABELS else t(f"targets.def_{key}")
        st.markdown(f"**{md_escape(title)}** — {md_escape(definitions[key])}")
    widgets.definitions(COACHING, lang)
