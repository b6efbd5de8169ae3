"""Pipeline and forecast, for the Monday meeting: the weighted pipeline by expected close and group, its forecast
categories, the projection to period end the incentive views use, how right the pipeline was in past months, and why
deals were lost, and to whom. The figures count every project grade unless a grade is picked; the projects of the
viewer's own grade and above (抓大放小) are listed first. The deals behind every figure are one pick away.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import streamlit as st

from data_layer.filters import Filters, Period
from metrics import pipeline
from metrics.registry import REGISTRY
from ui import cache, charts, filterbar, widgets
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import current_lang, label, t
from ui.session import current_boot, guard
from ui.views import pipeline as view

ctx, flt = guard("pipeline")
boot, lang = current_boot(), current_lang()
url = boot.source.url
weighted_kpi, accuracy_kpi = REGISTRY["weighted_pipeline"], REGISTRY["forecast_accuracy"]
RECORD_ROWS = 200
MAX_STACKED = 10  #: a chart stacks at most this many groups, one colour each (the theme's categorical palette has ten)
ALL, ANY, EVERY = filterbar.ALL_GRADES, pipeline.ANY, pipeline.EVERY_BUCKET

st.title(t("pipe.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
cards = st.container()

# --- The project grade the figures count (every grade by default; a link or a pick narrows it to a grade and above) ---
try:
    grade_rows = cache.table(ctx, boot.key, "pipe_grades", flt)
    codes, grade_names = list(grade_rows["code"]), dict(zip(grade_rows["code"], grade_rows["name"], strict=True))
except Exception:  # noqa: BLE001 - a CRM without project grades still shows every deal
    codes, grade_names = [], {}
mine = pipeline.viewer_grade(ctx, codes)  # the grade the viewer's level watches from: their list below


def grade_label(code: str) -> str:
    return view.grade_label(code, grade_names, lang)


widgets.linked_choice("pipe_grade", filterbar.P_GRADE, [*codes, ALL], ALL, lang)
grade = st.selectbox(
    t("pipe.grade"), [*codes, ALL], format_func=grade_label, key="pipe_grade", width=300,
    help=t("pipe.grade_help_mine", mine=grade_label(mine)) if mine else t("pipe.grade_help"),
) or ALL
gflt = replace(flt, grade=None if grade == ALL else grade)
hflt = pipeline.forecast_period(ctx, gflt)  # the pipeline looks ahead to the period's close
horizon, day = fmt.date_range(hflt.period.start, hflt.period.end, lang), fmt.day(ctx.as_of, lang)
scope_words = t("pipe.of_grade", grade=view.inline(grade_label(grade), lang)) if grade != ALL else ""
st.caption(md_escape(t("pipe.horizon", period=horizon, day=day)))
with cards:
    for column, kpi, kflt in zip(st.columns(2, gap="small"), (weighted_kpi, accuracy_kpi), (hflt, gflt), strict=True):
        with column:
            widgets.kpi_cards(ctx, boot.key, [kpi], kflt, url, lang)


def deals(table: str, dflt: Filters, arg: dict, kind: str, stem: str, key: str) -> None:
    """The deals behind a figure (``table``: pipe_records or pipe_closed_records), at most RECORD_ROWS of them."""
    records, total = cache.table(ctx, boot.key, table, dflt, tuple(sorted({**arg, "limit": RECORD_ROWS}.items())))
    if total == 0:
        st.info(t("pipe.records_none"))
        return
    frame, config = view.deal_table(widgets.capped(records, RECORD_ROWS, lang, total=total), kind, ctx.org, ctx.currency, lang)
    widgets.record_table(frame, config, widgets.file_stem(stem, dflt), t("pipe.watch" if kind == "watch" else "pipe.records"), key, lang)


# --- Projects you watch: the viewer's own grade and above (抓大放小), whatever grade the figures count ---
if mine is not None:
    with st.container(key="pipe_watch"), widgets.section(t("pipe.watch"), url):
        wflt, watched = replace(hflt, grade=None), view.projects_label(mine, grade_names, lang)
        total = cache.table(ctx, boot.key, "pipe_records", wflt, (("grade", mine), ("limit", 1)))[1]
        if total == 0:  # none due: say how many have a later expected close
            later = cache.table(ctx, boot.key, "pipe_records", wflt.with_period(Period(wflt.period.end + timedelta(days=1), date.max)),
                                (("grade", mine), ("limit", 1)))[1]
            widgets.subheader(t("pipe.watch"), None, t("pipe.watch_help", grades=watched))
            key = "pipe.watch_none" if not later else "pipe.watch_none_later_one" if later == 1 else "pipe.watch_none_later"
            st.info(md_escape(t(key, grades=view.inline(watched, lang), day=day, period=horizon, n=fmt.number(later, lang))),
                    icon=":material/visibility:")
        else:
            widgets.subheader(t("pipe.watch"), t("pipe.watch_caption", grades=watched, day=day, period=horizon, n=fmt.number(total, lang)),
                              t("pipe.watch_help", grades=watched))
            deals("pipe_records", wflt, {"grade": mine}, "watch", t("pipe.file_watch"), "pipe_watch_records")
elif codes:  # a graded CRM, but the viewer's level watches from no grade it has
    st.caption(md_escape(t("pipe.watch_no_grade")))


def empty_pipeline(key: str | None) -> None:
    """No open deal: say which, and offer every grade (once on the page: ``key``) when a grade narrows the view."""
    st.info(md_escape(t("pipe.no_open", grade=scope_words, period=horizon)))
    if grade != ALL and key is not None:
        st.button(t("pipe.show_all_grades"), on_click=lambda: st.session_state.update(pipe_grade=ALL), key=key, icon=":material/unfold_more:")


def reset(key: str, param: str) -> None:
    """A drill pick that the other controls' change makes meaningless starts over."""
    st.session_state.pop(key, None)
    filterbar.set_page_value(param, None)


options = cache.options(boot.engine, ctx.org, boot.key, ctx.viewer)
names_of = {"unit": {}, "bu": {o.code: o.name for o in options.bus}, "product": {o.code: o.name for o in options.products}}

# --- Weighted pipeline by expected close ---
with widgets.section(t("pipe.by_close"), url):
    widgets.subheader(t("pipe.by_close"), t("pipe.by_close_caption", period=horizon, day=day), label(weighted_kpi.definition, lang))
    with st.container(horizontal=True, wrap=True, gap="medium", vertical_alignment="bottom"):
        when = st.segmented_control(
            t("pipe.close"), filterbar.PIPE_CLOSE, format_func=lambda w: t(f"pipe.close.{w}"), required=True, key="pipe_close",
            default=filterbar.page_value(filterbar.P_PIPE_CLOSE), on_change=reset, args=("pipe_drill_bucket", filterbar.P_PIPE_BUCKET),
        ) or "month"
        by = st.segmented_control(
            t("pipe.split"), filterbar.PIPE_BY, format_func=lambda b: t(f"pipe.by.{b}"), required=True, key="pipe_by",
            default=filterbar.page_value(filterbar.P_PIPE_BY), on_change=reset, args=("pipe_drill_group", filterbar.P_PIPE_GROUP),
        ) or "unit"
    close_name = view.group_namer(by, names_of[by], ctx.org, lang)
    totals, cells = (cache.table(ctx, boot.key, "pipe_weighted", hflt, (w, by)) for w in (None, when))
    unrecorded = int(cache.table(ctx, boot.key, "pipe_weighted", hflt, (None, None)).iloc[0]["no_history_deals"])
    if unrecorded:
        st.caption(md_escape(t("pipe.no_history", n=fmt.number(unrecorded, lang))))
    if totals.empty or not totals["deals"].any():
        empty_pipeline("pipe_widen")
    else:
        groups = pipeline.ranked_groups(totals)
        every = cache.table(ctx, boot.key, "pipe_weighted", hflt, (when, None))  # each week or month, empty ones too
        labels = view.bucket_labels(list(every[f"close_{when}"]), when, lang)
        if len(groups) > MAX_STACKED:  # more groups than the palette has colours: the bars show the whole, the table the split
            st.caption(md_escape(t("pipe.too_many_groups", n=fmt.number(len(groups), lang), by=view.inline(t(f"pipe.by.{by}"), lang))))
        bars = view.close_bars(cells, every, when, groups, close_name, labels, ctx.currency, lang, MAX_STACKED)
        st.altair_chart(charts.pipeline_bars(bars, list(labels.values()), f"{t('pipe.weighted')} ({ctx.currency})", t(f"pipe.by.{by}"), lang),
                        width="stretch")
        rows, starts = pipeline.by_close_rows(totals, cells, when)  # a row per group, its totals, its amount per week or month
        spec = [("name", t(f"pipe.by.{by}"), "text"), ("deals", t("pipe.deals"), "count"), ("amount", t("pipe.amount"), "money_compact"),
                ("weighted", t("pipe.weighted"), "money_compact"), *((s, labels[s], "money_compact") for s in starts)]
        view.pinned_figures(rows.assign(name=[close_name(g) for g in rows["group"]]), spec, widgets.file_stem(t("pipe.file_by_close"), hflt),
                            t("pipe.by_close"), "pipe_by_close", ctx.currency, lang, helps={"weighted": label(weighted_kpi.definition, lang)})

        st.markdown(f"**{md_escape(t('pipe.drill'))}**")  # the deals behind a bar
        with st.container(horizontal=True, wrap=True, gap="medium"):
            bucket = view.linked_select(t(f"pipe.close.{when}"), {EVERY: t(f"pipe.every.{when}")} | {s.isoformat(): labels[s] for s in starts},
                                        "pipe_drill_bucket", filterbar.P_PIPE_BUCKET, EVERY, lang)
            group = view.linked_select(t(f"pipe.by.{by}"), {ANY: t("pipe.every_group")} | {pipeline.pick_code(g): close_name(g) for g in groups},
                                       "pipe_drill_group", filterbar.P_PIPE_GROUP, ANY, lang)
        arg = {"by": by, "group": pipeline.pick_value(group)}
        if bucket != EVERY:
            arg |= {"when": when, "bucket": date.fromisoformat(bucket)}
        deals("pipe_records", hflt, arg, "open", t("pipe.file_records"), "pipe_records_close")

# --- Forecast categories ---
with widgets.section(t("pipe.categories"), url):
    widgets.subheader(t("pipe.categories"), t("pipe.categories_caption", period=horizon), t("pipe.categories_definition"))
    cats = cache.table(ctx, boot.key, "pipe_categories", hflt, None)
    if not cats["deals"].any():
        empty_pipeline(None)
    else:
        named = cats.assign(name=[t(f"pipe.cat.{c}") for c in cats["category"]])
        left, right = st.columns(2, gap="large")
        with left:
            bars = view.category_bars(named, ctx.currency, lang)
            st.altair_chart(charts.money_bars(bars, "name", "weighted", f"{t('pipe.weighted')} ({ctx.currency})", lang), width="stretch")
        with right:
            spec = [("name", t("pipe.category"), "text"), ("deals", t("pipe.deals"), "count"), ("amount", t("pipe.amount"), "money_compact"),
                    ("weighted", t("pipe.weighted"), "money_compact")]
            view.pinned_figures(named, spec, widgets.file_stem(t("pipe.file_categories"), hflt), t("pipe.categories"), "pipe_categories",
                                ctx.currency, lang)
        category = view.linked_select(t("pipe.drill_category"), view.category_choices(cats, lang), "pipe_drill_category", filterbar.P_PIPE_CATEGORY,
                                      pipeline.first_open_category(cats), lang, width=320)
        if category == "closed_won":
            deals("pipe_closed_records", hflt, {"status": "won"}, "closed", t("pipe.file_records"), "pipe_records_category")
        else:
            deals("pipe_records", hflt, {"category": category}, "open", t("pipe.file_records"), "pipe_records_category")

# --- The projection to period end ---
with widgets.section(t("pipe.projection"), url):
    widgets.subheader(t("pipe.projection"), t("pipe.projection_caption", period=horizon), t("pipe.projection_definition"))
    whole = cache.table(ctx, boot.key, "pipe_projection", hflt, None)
    if whole.empty:
        st.info(t("pipe.projection_none"))
    else:
        row = whole.iloc[0]
        widgets.tiles([(t(k), fmt.money(None if widgets.missing(row[c]) else row[c], ctx.currency, lang, compact=True), None)
                       for k, c in (("pipe.closed_to_date", "closed"), ("pipe.weighted_open", "weighted_open"), ("pipe.projected", "projected"))],
                      width=200)
        if widgets.missing(row["weighted_open"]):
            st.caption(md_escape(t("pipe.projection_ended")))
        if grade != ALL:
            st.caption(md_escape(t("pipe.projection_all_grades")))
        split = pipeline.largest_projection_first(cache.table(ctx, boot.key, "pipe_projection", hflt, by))
        if not split.empty:
            spec = [("name", t(f"pipe.by.{by}"), "text"), ("closed", t("pipe.closed_to_date"), "money_compact"),
                    ("weighted_open", t("pipe.weighted_open"), "money_compact"), ("projected", t("pipe.projected"), "money_compact")]
            view.pinned_figures(split.assign(name=[close_name(g) for g in split["group"]]), spec, widgets.file_stem(t("pipe.file_projection"), hflt),
                                t("pipe.projection"), "pipe_projection", ctx.currency, lang)

# --- Forecast accuracy ---
with widgets.section(t("pipe.accuracy"), url):
    widgets.subheader(t("pipe.accuracy"), t("pipe.accuracy_caption"), label(accuracy_kpi.definition, lang))
    grain = st.segmented_control(
        t("pipe.accuracy_per"), filterbar.PIPE_ACCURACY, format_func=lambda g: t(f"pipe.per.{g}"), required=True,
        default=filterbar.page_value(filterbar.P_PIPE_ACCURACY), key="pipe_accuracy",
    ) or "month"
    window = widgets.monthly_window(gflt) if grain == "month" else widgets.cohort_window(gflt, ctx.calendar)
    acc = cache.table(ctx, boot.key, "pipe_accuracy", window, (grain, None))
    if acc.empty:
        st.info(t("pipe.accuracy_no_periods"))
    elif not acc["forecast_deals"].any() and not acc["won_deals"].any():
        st.info(md_escape(t("pipe.accuracy_empty", grade=scope_words)))
    else:
        if not acc["won_deals"].any():
            st.info(t("pipe.accuracy_nothing_won"))
        names = view.period_names(acc, grain, ctx.calendar, lang)
        points = view.accuracy_points(acc, names, ctx.currency, lang)
        st.altair_chart(charts.accuracy_chart(points, names, ctx.currency, label(accuracy_kpi.label, lang), lang), width="stretch")
        spec = [("name", t("pipe.period"), "text"), ("forecast", t("pipe.forecast"), "money_compact"), ("actual", t("pipe.actual"), "money_compact"),
                ("error", t("pipe.error"), "money_compact"), ("accuracy", label(accuracy_kpi.label, lang), "percent"),
                ("forecast_deals", t("pipe.forecast_deals"), "count"), ("won_deals", t("pipe.won_deals"), "count"),
                ("no_history_deals", t("pipe.no_history_deals"), "count")]
        view.pinned_figures(acc.assign(name=names), spec, widgets.file_stem(t("pipe.file_accuracy"), window), t("pipe.accuracy"), "pipe_accuracy",
                            ctx.currency, lang, helps={"accuracy": label(accuracy_kpi.definition, lang),
                                                       "no_history_deals": t("pipe.no_history_help"), "error": t("pipe.error_help")})

# --- Win/loss: loss reasons and competitors ---
with widgets.section(t("pipe.winloss"), url):
    widgets.subheader(t("pipe.winloss"), t("pipe.winloss_caption"), t("pipe.winloss_definition"))
    split_by = st.segmented_control(
        t("pipe.split"), filterbar.PIPE_LOSS_BY, format_func=lambda b: t(f"pipe.by.{b}"), required=True,
        default=filterbar.page_value(filterbar.P_PIPE_LOSS_BY), key="pipe_loss_by",
    ) or "unit"
    loss_name = view.group_namer(split_by, names_of[split_by], ctx.org, lang)
    lost = cache.table(ctx, boot.key, "pipe_losses", gflt, ("loss_reason", split_by))
    reasons = cache.table(ctx, boot.key, "pipe_losses", gflt, ("loss_reason", None))
    rivals = cache.table(ctx, boot.key, "pipe_competitors", gflt, None)
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown(f"**{md_escape(t('pipe.loss_reasons'))}**")
        if lost.empty:
            st.info(md_escape(t("pipe.no_losses", grade=scope_words)))
        else:
            bars = view.loss_bars(lost, reasons, pipeline.reason_order(reasons), loss_name, ctx.currency, lang, MAX_STACKED)
            st.altair_chart(charts.stacked_counts(bars, t("pipe.lost"), t(f"pipe.by.{split_by}"), lang), width="stretch")
    with right:
        st.markdown(f"**{md_escape(t('pipe.competitors'))}**")
        if rivals.empty:
            st.info(md_escape(t("pipe.no_competitors", grade=scope_words)))
        else:
            toughest = pipeline.toughest_first(rivals)
            st.altair_chart(charts.share_bars(toughest, "competitor", "win_rate", t("pipe.win_rate_against"), lang), width="stretch")
    if not lost.empty:
        spec = [("reason", t("pipe.loss_reason"), "text"), ("name", t(f"pipe.by.{split_by}"), "text"), ("lost", t("pipe.lost"), "count"),
                ("lost_amount", t("pipe.lost_amount"), "money_compact")]
        view.pinned_figures(lost.assign(reason=[view.reason_name(r, lang) for r in lost["loss_reason"]], name=[loss_name(g) for g in lost["group"]]),
                            spec, widgets.file_stem(t("pipe.file_losses"), gflt), t("pipe.loss_reasons"), "pipe_losses", ctx.currency, lang)
    if not rivals.empty:
        per_group = cache.table(ctx, boot.key, "pipe_competitors", gflt, split_by)
        spec = [("competitor", t("pipe.competitor"), "text"), ("name", t(f"pipe.by.{split_by}"), "text"), ("won", t("pipe.won"), "count"),
                ("lost", t("pipe.lost"), "count"), ("win_rate", t("pipe.win_rate_against"), "percent"),
                ("won_amount", t("pipe.won_amount"), "money_compact"), ("lost_amount", t("pipe.lost_amount"), "money_compact")]
        view.pinned_figures(per_group.assign(name=[loss_name(g) for g in per_group["group"]]), spec,
                            widgets.file_stem(t("pipe.file_competitors"), gflt), t("pipe.competitors"), "pipe_competitors", ctx.currency, lang, helps={"win_rate": t("pipe.win_rate_help")})
    picks = pipeline.winloss_picks(reasons, rivals)  # the deals behind a loss reason or a competitor
    if picks:
        st.markdown(f"**{md_escape(t('pipe.drill_winloss'))}**")
        pick = view.linked_select(t("pipe.drill_pick"), view.winloss_choices(picks, lang), "pipe_drill_winloss", filterbar.P_PIPE_WINLOSS,
                                  next(iter(picks)), lang, width=360)
        kind, value, _count = picks[pick]
        arg = {"status": "lost", "loss_reason": value} if kind == "reason" else {"status": "closed", "competitor": value}
        deals("pipe_closed_records", gflt, arg, "closed", t("pipe.file_closed"), "pipe_records_winloss")

widgets.page_definitions([weighted_kpi, accuracy_kpi], ("pipe.note_grades", "pipe.note_period", "pipe.note_categories", "pipe.note_projection",
                                                        "pipe.note_winloss"), lang)
