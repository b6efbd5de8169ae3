"""Units, for the regional head: how do the units below me compare, and where is each one won?

The units one level down side by side on the Overview's KPIs — a small chart per KPI and a ranked
table — or the reps credited with the unit's records; and a drill-down from cluster to region,
office and team, whose children are its reps. The drill path, the comparison and the ranking live
in the URL (ui.filterbar); the drill path never leaves the viewer's scope.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

from data_layer.filters import NoScope
from metrics.base import NotGroupable
from metrics.registry import HEADLINE, REGISTRY
from ui import cache, filterbar, widgets
from ui.format import md_escape
from ui.i18n import current_lang, join, label, t
from ui.session import current_boot, guard

ctx, flt = guard("units")
boot = current_boot()
lang = current_lang()
url = boot.source.url
headline = [REGISTRY[key] for key in HEADLINE]
#: Counts the drills, so each level's table and unit picker start with nothing selected.
VISIT = "units_visit"
CHART_ROWS = 12


def drill_to(code: str | None, compare: str | None = None) -> None:
    filterbar.set_page_value(filterbar.P_DRILL, code)
    if compare:
        filterbar.set_page_value(filterbar.P_COMPARE, compare)
        st.session_state.pop("units_compare", None)
    st.session_state[VISIT] = st.session_state.get(VISIT, 0) + 1


def back_to(code: str | None) -> None:
    """A breadcrumb: back up to ``code``, comparing its units again."""
    drill_to(code, "unit")


def drill_to_picked(key: str, codes: list[str | None]) -> None:
    """A unit picked (``key``'s pills) or a row clicked in the table (``key``'s selection): open it."""
    picked = st.session_state.get(key)
    if hasattr(picked, "selection"):
        rows = picked.selection.rows
        picked = codes[rows[0]] if rows and rows[0] < len(codes) else None
    if picked:
        drill_to(picked)


# The drill path, from the link or the last visit, holds only inside the viewer's scope and the
# unit filter (ui.filterbar also forgets it when the filter moves away).
drill = filterbar.page_value(filterbar.P_DRILL)
if drill is not None and not filterbar.drill_allowed(ctx.org, ctx.viewer, flt.unit, drill):
    drill_to(drill := None)
here = flt if drill is None else replace(flt, unit=drill)
visit = st.session_state.get(VISIT, 0)

st.title(t("units.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
crumbs = widgets.drill_crumbs(ctx.org, ctx.viewer, flt.unit, drill, lang)
widgets.breadcrumb(crumbs, back_to, lang)
widgets.kpi_cards(ctx, boot.key, headline, here, url, lang)

children, grouped = widgets.units_below(ctx.org, ctx.viewer, here.unit)
here_name = crumbs[-1][1] if here.unit else t("units.your_units")

with widgets.section(t("units.compared"), url):
    compare = "rep"  # a leaf unit (a team): its reps
    if children:
        compare = st.segmented_control(
            t("units.compare"), filterbar.UNITS_COMPARE, format_func=lambda c: t(f"units.compare_{c}"),
            default=filterbar.page_value(filterbar.P_COMPARE), required=True, key="units_compare",
        ) or "unit"
    reps = compare == "rep"
    name_col = t("units.rep" if reps else "league.unit")
    values: dict = {}
    unsplit: list[str] = []
    refused: list[str] = []
    for metric in headline:
        try:
            if reps:
                values[metric.key] = cache.by_rep(ctx, boot.key, metric.key, here)
            elif grouped:
                values[metric.key] = cache.by_unit(ctx, boot.key, metric.key, here)
            else:  # the viewer's own units, each asked for on its own
                values[metric.key] = widgets.values_frame(
                    {u.code: cache.comparison(ctx, boot.key, metric.key, replace(here, unit=u.code)).current.value for u in children}
                )
        except (NotGroupable, NotImplementedError):
            values[metric.key] = None
            unsplit.append(label(metric.label, lang))
        except NoScope:
            values[metric.key] = None
            refused.append(label(metric.label, lang))
    split = {k: v for k, v in values.items() if v is not None}
    if reps:
        rows = widgets.rep_rows(split, cache.rep_names_by_code(boot.engine, boot.key), lang)
    else:
        rows = widgets.league_units([(u.code, u.name) for u in children], split, here_name, lang)
    shown = [m for m in headline if m.key in split]

    if here.unit:
        st.subheader(t("units.reps_of" if reps else "units.units_of", unit=here_name), anchor=False)
    else:
        st.subheader(t("units.reps_top" if reps else "units.units_top"), anchor=False)
    st.caption(md_escape(t("units.caption_reps" if reps else "units.caption_units")))
    if unsplit:
        st.caption(md_escape(t("units.not_split", metrics=join(unsplit, lang))))
    if refused:
        st.caption(md_escape(t("section.no_scope_metrics", metrics=join(refused, lang))))
    if not rows or not shown:
        st.info(t("units.no_reps" if reps else "units.no_units", unit=here_name))
        parent = crumbs[-2] if not children and len(crumbs) > 1 else None
        if parent:
            st.button(t("units.reps_of_parent", unit=parent[1]), on_click=drill_to, args=(parent[0], "rep"), icon=":material/arrow_upward:")
    else:
        frame = widgets.comparison_frame(rows, split, shown, name_col, lang)
        # --- Small multiples: one chart per KPI, its definition on the ? ---
        for start in range(0, len(shown), 3):
            for column, metric in zip(st.columns(3, gap="medium"), shown[start : start + 3], strict=False):
                with column:
                    st.markdown(f"**{md_escape(label(metric.label, lang))}**", help=label(metric.definition, lang))
                    st.altair_chart(widgets.unit_bars(frame, name_col, metric, ctx.currency, lang, CHART_ROWS), width="stretch")
                    notes = [t("units.top", n=CHART_ROWS, total=len(frame))] if len(frame) > CHART_ROWS else []
                    blank = int(frame[label(metric.label, lang)].isna().sum())
                    if blank:
                        notes.append(t("units.blank", n=blank, reason=widgets.reason_text("no_denominator", lang)))
                    if notes:
                        st.caption(md_escape(" · ".join(notes)))

        # --- The ranked table: a click on a unit's row (or its name below) opens it ---
        st.subheader(t("units.ranked"), anchor=False)
        options = [m.key for m in shown]
        linked = filterbar.page_value(filterbar.P_RANK)  # from the link or the last visit
        rank_by = st.selectbox(
            t("units.rank_by"), options, index=options.index(linked) if linked in options else 0,
            format_func=lambda k: label(REGISTRY[k].label, lang), key="units_rank", width=320,
        ) or shown[0].key
        table = widgets.ranked(frame, REGISTRY[rank_by], t("units.rank"), lang)
        codes = list(table["code"])
        clickable = not reps and any(codes)
        data = table.drop(columns=["code"])
        view, config = widgets.figures_shown(data, shown, ctx.currency, lang)
        config[name_col] = st.column_config.TextColumn(name_col, pinned=True)
        config[t("units.rank")] = st.column_config.NumberColumn(t("units.rank"), format="%d", width=44, pinned=True)
        key = f"units_table_{visit}"
        st.dataframe(
            view, hide_index=True, column_config=config, width="stretch", key=key,
            on_select=partial(drill_to_picked, key, codes) if clickable else "ignore", selection_mode="single-row",
        )
        money = {label(m.label, lang): f"{label(m.label, lang)} ({ctx.currency})" for m in shown if m.kind == "money"}
        widgets.downloads(data.rename(columns=money), widgets.file_stem(t("units.file"), flt), t("units.ranked"), "units", lang)
        if clickable:
            st.pills(
                t("units.open"), [c for c in codes if c], format_func=dict(rows).get, key=f"units_open_{visit}",
                on_change=drill_to_picked, args=(f"units_open_{visit}", codes), selection_mode="single",
            )
        st.caption(md_escape(t("units.adds_up", unit=here_name)))

widgets.page_definitions(headline, ("units.note",), lang)
