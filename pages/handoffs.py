"""Hand-offs and ownership, for team leads and regional heads: does sales answer the leads marketing hands over in
time (the breach card at a limit the reader picks, breaches by team and rep, the leads that breached), which customers
are about to be lost because their owner left, and what became of the leads sent back. The limit and each
drill-through's selection are kept in the link."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.handoffs import DEFINITIONS, LIMIT_HOURS, OUTCOMES, OWNERSHIP, breach_rate_metric
from ui import cache, charts, filterbar, widgets
from ui import format as fmt
from ui.format import md_escape
from ui.i18n import current_lang, label, t
from ui.session import current_boot, guard
from ui.views import handoffs as view

ctx, flt = guard("handoffs")
boot = current_boot()
lang = current_lang()
url = boot.source.url
rep_names = cache.rep_names_by_code(boot.engine, boot.key)
RECORD_ROWS = 200
CHART_ROWS = 12

st.title(t("hand.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)

# --- The card, and the response limit it is measured against ---
card_col, control_col = st.columns([3, 2], gap="medium", vertical_alignment="center")
with control_col:
    if "hand_limit" not in st.session_state:  # from the link, or as last left
        st.session_state["hand_limit"] = int(filterbar.page_value(filterbar.P_RESPONSE_LIMIT) or LIMIT_HOURS)
    limit = int(st.number_input(t("hand.limit"), min_value=1, max_value=filterbar.MAX_RESPONSE_LIMIT_HOURS, step=1, key="hand_limit",
                                help=t("hand.limit_help"), width=230))
    limit_text = t("hand.hours", n=fmt.number(limit, lang))
    st.caption(md_escape(t("hand.limit_caption", limit=limit_text)))
metric = breach_rate_metric(limit)
with card_col:
    if limit == LIMIT_HOURS:
        widgets.kpi_cards(ctx, boot.key, [metric], flt, url, lang)
    else:  # a limit of the reader's own: the same card, for the metric at that limit
        widgets.table_kpi_card(ctx, boot.key, metric, ("hand_breach_comparison", "hand_breach_trend"), limit, flt, url, lang)
definition = label(metric.definition, lang)


def response(by: str | None) -> pd.DataFrame:
    """Lead response at the limit: the total (one row), or by team or rep, the worst first."""
    return cache.table(ctx, boot.key, "hand_response", flt, (limit, by, by is not None))


def count(value: object) -> str:
    return fmt.number(int(value), lang)  # type: ignore[call-overload]


# --- Lead response ---
with widgets.section(t("hand.response.title"), url):
    widgets.subheader(t("hand.response.title"), t("hand.response.caption", limit=limit_text), definition)
    total = response(None).iloc[0]
    if not total["assigned"]:
        st.info(t("hand.response.none"))
    else:
        view.response_tiles(total, definition, lang)

# --- Breaches by team, then by rep ---
with widgets.section(t("hand.teams.title"), url):
    widgets.subheader(t("hand.teams.title"), t("hand.teams.caption", n=CHART_ROWS), t("hand.teams.help"))
    teams = response("team")
    if teams.empty:
        st.info(t("hand.response.none"))
    else:
        names = [t("hand.no_team") if widgets.missing(g) else widgets.unit_name(ctx.org, g, lang) for g in teams["group"]]
        if (teams["n"] > 0).any():  # the worst teams with an answered lead, each labelled with its breach rate
            st.altair_chart(charts.response_ranges(teams.assign(name=names), limit, lang, CHART_ROWS), width="stretch")
        shown, data, config = view.response_table(teams, t("hand.col.team"), names, ctx.currency, lang)
        stem = widgets.file_stem(t("hand.file.teams"), flt)
        widgets.formatted_table(shown, data, config, stem, t("hand.teams.title"), "hand_teams", lang)

with widgets.section(t("hand.reps.title"), url):
    widgets.subheader(t("hand.reps.title"), t("hand.reps.caption"), t("hand.teams.help"))
    reps = response("rep")
    if reps.empty:
        st.info(t("hand.reps.none"))
    else:
        names = [view.rep_name(g, rep_names, t("hand.no_rep")) for g in reps["group"]]
        shown, data, config = view.response_table(reps, t("hand.col.rep"), names, ctx.currency, lang)
        stem = widgets.file_stem(t("hand.file.reps"), flt)
        widgets.formatted_table(shown, data, config, stem, t("hand.reps.title"), "hand_reps", lang, height=widgets.table_height(len(shown)))

# --- The leads that breached (drill-through from the breaches) ---
with widgets.section(t("hand.breached.title"), url):
    widgets.subheader(t("hand.breached.title"), t("hand.breached.caption"), definition)
    overall = response(None).iloc[0]
    if not overall["breaches"]:
        st.info(t("hand.breached.none", limit=limit_text))
    else:
        options = view.breach_choices(int(overall["breaches"]), response("team"), response("rep"), ctx.org, rep_names, lang)
        widgets.linked_choice("hand_breached_of", filterbar.P_HAND_BREACHED_OF, list(options), filterbar.HAND_BREACHED_ALL, lang)
        picked = st.selectbox(
            t("hand.breached.of"), list(options), key="hand_breached_of", width=360,
            format_func=lambda o: t(f"hand.breached.{o.split(':', 1)[0]}", name=options[o][0], n=count(options[o][1])),
        ) or "all"
        kind, _, code = picked.partition(":")
        arg = (limit, code if kind == "rep" else None, code if kind == "team" else None, RECORD_ROWS)  # "all": neither
        records, n = cache.table(ctx, boot.key, "hand_breach_records", flt, arg)
        frame, config = view.breached_leads_table(widgets.capped(records, RECORD_ROWS, lang, total=n), rep_names, ctx.org, lang)
        stem = widgets.file_stem(t("hand.file.breached") + (f"-{code}" if code else ""), flt)
        widgets.record_table(frame, config, stem, t("hand.breached.title"), "hand_breached", lang)

# --- Customers about to be lost in a hand-over ---
with widgets.section(t("hand.own.title"), url):
    widgets.subheader(t("hand.own.title"), t("hand.own.caption", date=fmt.day(ctx.as_of, lang)), DEFINITIONS["ownership"][lang])
    own = cache.table(ctx, boot.key, "hand_ownership", flt)
    view.ownership_summary(own, flt, ctx.currency, lang)  # the warning (or the all-clear) and the three kinds
    counts = dict(zip(own["kind"], (int(n) for n in own["records"]), strict=True))
    kinds = [k for k in OWNERSHIP if counts.get(k)]
    if kinds:
        widgets.linked_choice("hand_own_kind", filterbar.P_HAND_OWN_KIND, kinds, kinds[0], lang)
        kind = st.selectbox(
            t("hand.own.show"), kinds, key="hand_own_kind", width=420,
            format_func=lambda k: t("hand.own.option", what=t(f"hand.kind.{k}"), n=count(counts[k])),
        ) or kinds[0]
        records, n = cache.table(ctx, boot.key, "hand_ownership_records", flt, (kind, RECORD_ROWS))
        rows = widgets.capped(records, RECORD_ROWS, lang, total=n)
        frame, config = view.ownership_table(kind, rows, rep_names, ctx.org, ctx.currency, lang)
        stem = widgets.file_stem(f"{t('hand.file.ownership_records')}-{kind}", flt)
        widgets.record_table(frame, config, stem, t("hand.own.title"), "hand_own_records", lang)

# --- Leads returned to marketing ---
with widgets.section(t("hand.returned.title"), url):
    widgets.subheader(t("hand.returned.title"), t("hand.returned.caption"), DEFINITIONS["returned"][lang])
    returned = cache.table(ctx, boot.key, "hand_returned", flt, None).iloc[0]
    if not returned["returned"]:
        st.info(t("hand.returned.none"))
    else:
        view.returned_summary(returned, flt, lang)  # the count, a bar per outcome, their downloads
        choices: list[str | None] = [None, *(o for o in OUTCOMES if returned[o])]
        widgets.linked_choice("hand_returned_outcome", filterbar.P_HAND_RETURNED, choices, None, lang)
        outcome = st.selectbox(
            t("hand.returned.show"), choices, key="hand_returned_outcome", width=320,
            format_func=lambda o: t("hand.returned.all", n=count(returned["returned"])) if o is None
            else t("hand.returned.option", what=t(f"hand.outcome.{o}"), n=count(returned[o])),
        )
        records, n = cache.table(ctx, boot.key, "hand_returned_records", flt, (outcome, RECORD_ROWS))
        frame, config = view.returned_leads_table(widgets.capped(records, RECORD_ROWS, lang, total=n), rep_names, ctx.org, lang)
        stem = widgets.file_stem(t("hand.file.returned") + (f"-{outcome}" if outcome else ""), flt)
        widgets.record_table(frame, config, stem, t("hand.returned.title"), "hand_returned_records", lang)

widgets.page_definitions([metric], ("hand.note.teams", "hand.note.returned", "hand.note.ownership"), lang)
