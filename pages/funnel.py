"""Funnel, for marketing and sales leads: how leads become customers, and where they drop out.

The lifecycle funnel (cohort or snapshot) with its step and cumulative rates, the step rates per
unit or source, the days between stages and in each pipeline stage, the leads returned to
marketing, and the records behind any stage.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.funnel import AMOUNT_STAGES, MATURITY_DAYS, STAGES, STEPS, mature
from metrics.registry import REGISTRY
from ui import cache, charts, filterbar, widgets
from ui import format as fmt
from ui.i18n import current_lang, display, t
from ui.session import current_boot, guard

ctx, flt = guard("funnel")
boot = current_boot()
lang = current_lang()
url = boot.source.url
kpis = [REGISTRY[k] for k in ("lead_to_opportunity_rate", "opportunity_to_order_rate")]
RECORD_ROWS = 200

st.title(t("funnel.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
widgets.kpi_cards(ctx, boot.key, kpis, flt, url, lang)

# --- How leads are counted ---
with st.container(horizontal=True, wrap=True, gap="medium", vertical_alignment="bottom"):
    mode = st.segmented_control(
        t("funnel.mode"), ("cohort", "snapshot"), format_func=lambda m: t(f"funnel.{m}"), default=filterbar.page_value(filterbar.P_MODE),
        required=True, key="funnel_mode", help=t("funnel.mode_help"),
    ) or "cohort"
    cohort = mode == "cohort"
    linked = filterbar.page_value(filterbar.P_WITHIN)  # from the link or the last visit
    if linked is not None and "funnel_within" not in st.session_state:
        # Seeded through the state, not ``value=``: a box created with a number can never be cleared to "any time".
        st.session_state["funnel_within"] = int(linked)
    within = st.number_input(
        t("funnel.window"), min_value=0, max_value=filterbar.MAX_WITHIN_DAYS, value=None, step=1, placeholder=t("funnel.window_placeholder"),
        key="funnel_within", help=t("funnel.window_help"), disabled=not cohort, width=230,
    )
within_days = int(within) if cohort and within is not None else None
count_col, step_col, cum_col = ("reached", "step_rate", "cumulative_rate") if cohort else ("entered", "step_ratio", "ratio_to_leads")
count_title = t("funnel.count_cohort" if cohort else "funnel.count_snapshot")
step_title = t("funnel.step_rate" if cohort else "funnel.step_ratio")
cum_title = t("funnel.cumulative_rate" if cohort else "funnel.ratio_to_leads")
stage_name = {s: t(f"funnel.stage.{s}") for s in STAGES}

# --- The funnel ---
with widgets.section(t("funnel.chart"), url):
    caption = t("funnel.caption_snapshot") if not cohort else t("funnel.caption_window", n=within_days) if within_days is not None else t("funnel.caption_cohort")
    widgets.subheader(t("funnel.chart"), caption, t("funnel.definition"))
    stages = cache.table(ctx, boot.key, "funnel", flt, (mode, within_days, None))
    counts = [int(v) for v in stages[count_col]]
    if not any(counts):
        st.info(t("funnel.no_leads"))
    else:
        # A young cohort is still filling its later stages: flag it, with or without a window.
        if cohort and within_days is not None and not bool(stages["mature"].iloc[0]):
            widgets.maturity_note(t("funnel.immature", n=within_days), lang)
        elif cohort and within_days is None and not mature(ctx, flt, max(MATURITY_DAYS.values())):
            widgets.maturity_note(t("maturity.funnel", n=max(MATURITY_DAYS.values())), lang)
        steps = [None if pd.isna(v) else float(v) for v in stages[step_col]]
        cums = [None if pd.isna(v) else float(v) for v in stages[cum_col]]
        texts = [fmt.number(counts[0], lang)] + [
            f"{fmt.number(c, lang)} · {fmt.percent(s, lang)}" for c, s in zip(counts[1:], steps[1:], strict=True)
        ]
        hovers = [
            f"{stage_name[s]}: {fmt.number(c, lang)}"
            + ("" if k == 0 else f"<br>{step_title}: {fmt.percent(steps[k], lang)}<br>{cum_title}: {fmt.percent(cums[k], lang)}")
            for k, (s, c) in enumerate(zip(STAGES, counts, strict=True))
        ]
        figure = charts.funnel_figure([stage_name[s] for s in STAGES], counts, texts, hovers)
        st.plotly_chart(figure, theme="streamlit", config={"displayModeBar": False}, key="funnel_chart")
        amounts = [None if v is None or pd.isna(v) else float(v) for v in stages["amount"]]
        names = [stage_name[s] for s in STAGES]
        amount_title = f"{t('funnel.amount')} ({ctx.currency})"
        data = pd.DataFrame({t("records.stage"): names, count_title: counts, step_title: steps, cum_title: cums, amount_title: amounts})
        shown = pd.DataFrame(
            {
                t("records.stage"): names,
                count_title: [fmt.number(c, lang) for c in counts],
                step_title: [fmt.percent(v, lang) for v in steps],
                cum_title: [fmt.percent(v, lang) for v in cums],
                amount_title: [fmt.money(v, ctx.currency, lang, compact=True) if v is not None and s in AMOUNT_STAGES else fmt.DASH for s, v in zip(STAGES, amounts, strict=True)],
            }
        )
        config = {t("records.stage"): st.column_config.TextColumn(pinned=True), **{c: widgets.figure_column(c) for c in list(shown.columns)[1:]}}
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("funnel.file"), flt), t("funnel.chart"), "funnel", lang)

# --- Step rates per unit or source ---
with widgets.section(t("split.title"), url):
    widgets.subheader(t("split.title"), t("split.caption", kind=t("split.rates" if cohort else "split.ratios")), t("funnel.definition"))
    by = st.segmented_control(
        t("split.by"), filterbar.FUNNEL_SPLITS, format_func=lambda b: t(f"split.{b}"), default=filterbar.page_value(filterbar.P_SPLIT),
        required=True, key="funnel_split",
    ) or "unit"
    if by == "bu":
        st.caption(fmt.md_escape(t("split.bu_note")))
    groups = cache.table(ctx, boot.key, "funnel", flt, (mode, within_days, by))
    if groups.empty or not groups[count_col].any():
        st.info(t("split.empty"))
    else:
        names = {
            "campaign": lambda: cache.campaign_names(boot.engine, boot.key),
            "rep": lambda: cache.rep_names_by_code(boot.engine, boot.key),
            "bu": lambda: {o.code: o.name for o in cache.options(boot.engine, ctx.org, boot.key, ctx.viewer).bus},
        }.get(by, dict)()

        def group_name(code: object) -> str:
            if by == "unit":
                return widgets.unit_name(ctx.org, code, lang)
            if code is None or pd.isna(code):
                return t(f"split.no_{by}")
            return display("channel", str(code), lang) if by == "source" else names.get(str(code), str(code))

        group_title, leads_title = t(f"split.{by}"), t("funnel.stage.lead")
        rows = []
        for code, part in groups.groupby("group", dropna=False, sort=False):
            part = part.set_index("stage")
            row = {group_title: group_name(code), leads_title: int(part.loc["lead", count_col])}
            for step, stage in zip(STEPS, STAGES[1:], strict=True):
                value = part.loc[stage, step_col]
                row[t(f"funnel.step.{step}")] = None if pd.isna(value) else float(value)
            rows.append(row)
        data = pd.DataFrame(rows).sort_values(leads_title, ascending=False, ignore_index=True)
        shown = data.copy()
        shown[leads_title] = [fmt.number(v, lang) for v in data[leads_title]]
        for step in STEPS:
            shown[t(f"funnel.step.{step}")] = [fmt.percent(None if pd.isna(v) else v, lang) for v in data[t(f"funnel.step.{step}")]]
        config = {
            group_title: st.column_config.TextColumn(pinned=True),
            leads_title: widgets.figure_column(leads_title, count_title),
            **{t(f"funnel.step.{s}"): widgets.figure_column(t(f"funnel.step.{s}"), step_title) for s in STEPS},
        }
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("split.file"), flt), t("split.title"), "funnel_split", lang)

# --- Days between stages, and in each pipeline stage ---
left, right = st.columns(2, gap="large")
with left, widgets.section(t("durations.title"), url):
    widgets.subheader(t("durations.title"), t("durations.caption"), t("durations.definition"))
    durations = cache.table(ctx, boot.key, "stage_durations", flt, within_days)
    durations = durations[durations["n"] > 0]
    if durations.empty:
        st.info(t("durations.empty"))
    else:
        data = durations.assign(name=[t(f"funnel.step.{s}") for s in durations["step"]])
        st.altair_chart(charts.stage_ranges(data, t("durations.leads"), lang), width="stretch")
with right, widgets.section(t("tis.title"), url):
    widgets.subheader(t("tis.title"), t("tis.caption"), t("tis.definition"))
    stays = cache.table(ctx, boot.key, "time_in_stage", flt)
    stays = stays[stays["n"] > 0]
    if stays.empty:
        st.info(t("tis.empty"))
    else:
        data = stays.assign(name=[display("pipeline", str(s), lang) for s in stays["stage"]])
        st.altair_chart(charts.stage_ranges(data, t("tis.stays"), lang), width="stretch")

# --- Leads returned to marketing ---
with widgets.section(t("returned.title"), url):
    widgets.subheader(t("returned.title"), t("returned.caption"), t("returned.definition"))
    returned = cache.table(ctx, boot.key, "returned_leads", flt, None).iloc[0]
    if not returned["returned"]:
        st.info(t("returned.none"))
    else:
        with st.container(horizontal=True, wrap=True, gap="small"):
            for name, figure in (
                (t("returned.returned"), fmt.number(returned["returned"], lang)),
                (t("returned.converted"), fmt.number(returned["converted_later"], lang)),
                (t("returned.share"), fmt.percent(returned["share"], lang)),
            ):
                with st.container(border=True, width=160):
                    st.metric(name, figure)

# --- The records behind a stage ---
with widgets.section(t("records.title"), url):
    widgets.subheader(t("records.title"), t("records.caption_cohort" if cohort else "records.caption_snapshot"), t("funnel.definition"))
    totals = dict(zip(STAGES, cache.table(ctx, boot.key, "funnel", flt, (mode, within_days, None))[count_col], strict=True))
    stage = st.selectbox(
        t("records.stage"), STAGES, index=STAGES.index("won"), key="funnel_stage", width=320,
        format_func=lambda s: f"{stage_name[s]} · {fmt.number(int(totals[s]), lang)}",
    ) or "won"
    records, total = cache.table(ctx, boot.key, "stage_records", flt, (stage, mode, within_days, RECORD_ROWS))
    if total == 0:
        st.info(t("records.none"))
    else:
        shown = widgets.capped(records, RECORD_ROWS, lang, total=total)

        def text(column: str) -> list[str]:
            """CRM text as plain cell values ("" when missing)."""
            return ["" if v is None or pd.isna(v) else str(v) for v in shown[column]]

        columns = {
            t("records.lead"): shown["lead_id"],
            t("records.company"): text("company"),
            t("records.contact"): text("contact"),
            t("table.unit"): [widgets.unit_name(ctx.org, u, lang) for u in shown["unit"]],
            t("records.source"): ["" if s is None or pd.isna(s) else display("channel", str(s), lang) for s in shown["source"]],
            t("records.created"): pd.to_datetime(shown["created"]),
            t("records.stage_date"): pd.to_datetime(shown["stage_date"]),
        }
        if STAGES.index(stage) >= STAGES.index("opportunity"):
            columns[t("records.opportunity")] = text("opportunity")
        if stage in AMOUNT_STAGES:
            columns[t("funnel.amount")] = [None if v is None or pd.isna(v) else float(v) for v in shown["amount"]]
        frame = pd.DataFrame(columns)
        config = {
            t("records.lead"): st.column_config.NumberColumn(t("records.lead"), format="%d", pinned=True),
            t("records.company"): st.column_config.TextColumn(width="medium"),
            t("records.created"): st.column_config.DateColumn(t("records.created"), format="YYYY-MM-DD"),
            t("records.stage_date"): st.column_config.DateColumn(t("records.stage_date"), format="YYYY-MM-DD"),
        }
        if stage in AMOUNT_STAGES:
            config[t("funnel.amount")] = widgets.money_column(t("funnel.amount"), ctx.currency, lang)
        stem = widgets.file_stem(f"{t('records.file')}-{stage}", flt)
        height = "auto" if len(frame) <= 10 else 420
        widgets.record_table(frame, config, stem, t("records.title"), "funnel_records", lang, height=height)

widgets.page_definitions(kpis, ("funnel.note",), lang)
