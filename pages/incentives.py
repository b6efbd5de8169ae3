"""Incentives, for the regional head: who earned what under the plan, and why.

Units compared on attainment and payouts; each rep's payout and statement (the deals behind every figure,
earned, held back, released, forfeited, payable), approved and frozen in Granary's own database; the
managers' bonus tied to customer outcomes; and the bonus pool with what-if controls.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st

from data_layer.config import plan_file
from data_layer.plans import PlanError
from metrics import incentives
from metrics.incentives import DEFINITIONS, DEFINITIONS_ZH
from metrics.registry import REGISTRY
from ui import cache, widgets
from ui import pay as pay_ui
from ui.format import date_range, md_escape
from ui import format as fmt
from ui.i18n import current_lang, display, label, t
from ui.session import current_boot, guard

ctx, flt = guard("incentives")
boot = current_boot()
lang = current_lang()
part_of_org = not ctx.viewer.whole_company  # today's figures then leave out records outside the viewer's part
url = boot.source.url
definitions = DEFINITIONS_ZH if lang == "zh" else DEFINITIONS


def definitions_panel() -> None:
    with st.expander(t("definitions.title"), icon=":material/menu_book:"):
        for key in ("commission", "holdback", "manager_bonus", "pool", "approved"):
            st.markdown(f"**{md_escape(t(f'incentives.def_{key}'))}** — {md_escape(definitions[key])}")


st.title(t("incentives.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
path = plan_file()
try:
    plan = cache.plan(path)
except PlanError as exc:
    st.error("  \n".join([f"**{md_escape(t('incentives.plan_invalid', file=path.name))}**", *map(md_escape, exc.problems)]), icon=":material/error:")
    st.caption(md_escape(t("incentives.plan_fix", file=str(path))))
    definitions_panel()
    st.stop()
except OSError as exc:
    st.error(md_escape(t("incentives.plan_unreadable", file=str(path), detail=exc.strerror or type(exc).__name__)), icon=":material/error:")
    st.caption(md_escape(t("incentives.plan_fix", file=str(path))))
    definitions_panel()
    st.stop()

period = widgets.target_period_of(flt.period, ctx.calendar, plan.period)
period_name = widgets.target_period_title(period, ctx.calendar, lang)
over = ctx.as_of >= period.end
st.caption(md_escape(t("incentives.plan_line", plan=plan.name, version=plan.version, period=period_name,
                       range=date_range(period.start, period.end, lang)) + " " + t("incentives.to_date" if not over else "incentives.closed")))
with st.expander(t("incentives.the_plan"), icon=":material/description:"):
    widgets.plan_summary(plan, ctx.currency, lang)

store = cache.app_store(url)
units_tab, reps_tab, bonus_tab, pool_tab = st.tabs([t("incentives.tab_units"), t("incentives.tab_reps"), t("incentives.tab_bonus"), t("incentives.tab_pool")])

with units_tab, widgets.section(t("incentives.tab_units"), url):
    st.subheader(t("incentives.units_title"), anchor=False, help=definitions["commission"])
    codes = tuple(u.code for u in cache.league_units(ctx.org, flt.unit, ctx.viewer))
    units = cache.incentive(ctx, boot.key, "unit_payouts", plan, period, codes)
    spec = [("name", t("league.unit"), "text"), ("target", t("targets.target"), "money_compact"), ("actual", t("targets.actual"), "money_compact"),
            ("attainment", t("targets.attained"), "percent"), ("reps", t("incentives.reps"), "count"), ("earned", t("incentives.earned"), "money"),
            ("held_back", t("incentives.held_back"), "money"), ("paid_now", t("incentives.paid_now"), "money"),
            ("pending", t("incentives.pending"), "money")]
    shown, data, config = widgets.figures(units, spec, ctx.currency, lang)
    widgets.formatted_table(shown, data, config, widgets.file_stem(t("incentives.units_file"), flt), t("incentives.tab_units"), "incentives_units", lang)
    st.caption(md_escape(t("incentives.units_caption")))

with reps_tab, widgets.section(t("incentives.tab_reps"), url):
    st.subheader(t("incentives.payouts_title"), anchor=False, help=definitions["commission"])
    pay = cache.incentive(ctx, boot.key, "payouts", plan, period)
    names = cache.rep_names_by_code(boot.engine, boot.key)
    frozen, withheld = incentives.approved(ctx, store)  # read once: the rep's own and the list below
    if pay.empty:
        st.info(t("incentives.no_deals", period=period_name))
    else:
        pay = pay.assign(name=[names.get(r, r) for r in pay["rep"]], band_text=[b if isinstance(b, str) else "" for b in pay["band"]])
        spec = [("name", t("units.rep"), "text"), ("target", t("targets.target"), "money_compact"), ("credited", t("incentives.credited"), "money_compact"),
                ("attainment", t("targets.attained"), "percent"), ("band_text", t("incentives.band"), "text"), ("deals", t("incentives.deals"), "count"),
                ("earned", t("incentives.earned"), "money"), ("held_back", t("incentives.held_back"), "money"), ("paid_now", t("incentives.paid_now"), "money")]
        shown, data, config = widgets.figures(pay, spec, ctx.currency, lang)
        config[t("units.rep")] = st.column_config.TextColumn(t("units.rep"), pinned=True)
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("incentives.payouts_file"), flt), t("incentives.payouts_title"), "incentives_payouts", lang)

        st.subheader(t("incentives.statement_title"), anchor=False, help=definitions["holdback"])
        reps = list(pay["rep"])
        rep = st.selectbox(t("units.rep"), reps, format_func=lambda r: f"{names.get(r, r)} · {r}", key="incentives_rep", width=360) or reps[0]
        stmt = cache.incentive(ctx, boot.key, "statement", plan, period, rep)
        stem = widgets.file_stem(f"{t('incentives.statement_file')}-{rep}", flt)
        pay_ui.flash("statement", lang)
        this = pay_ui.frozen_for(frozen, plan, period, rep)
        if this is not None:  # approved: the frozen record, and what differs today
            pay_ui.frozen_statement(this, names.get(rep, rep), flt, lang, diffs=incentives.frozen_differences(this, stmt), not_compared=None, part_of_org=part_of_org,
                                    key="incentives_approved")
        else:
            pay_ui.totals_cards(stmt.totals, ctx.currency, lang)
            pay_ui.statement_tables(stmt.lines, stmt.decided, stem, "incentives_statement", ctx.currency, period_name, lang)
            allowed, why = pay_ui.can_approve(ctx, over, lang)
            not_over = t("incentives.not_over", end=fmt.day(period.end, lang))
            if st.button(t("incentives.approve"), icon=":material/verified:", key="incentives_approve", disabled=not allowed, help=why or (None if over else not_over)):
                pay_ui.approve_statement(store, ctx, stmt, names.get(rep, rep), lang)
            if why or not over:
                st.caption(md_escape(why or not_over))

    # --- Approved statements in the viewer's scope, read back from Granary's own database ---
    st.subheader(t("incentives.frozen_title"), anchor=False, help=definitions["approved"])
    if withheld:
        st.caption(md_escape(t("incentives.frozen_withheld", n=withheld)))
    if not frozen:
        st.caption(md_escape(t("incentives.frozen_none")))
    else:
        table = pd.DataFrame([{"name": names.get(f.payee, f.payee), "period": date_range(f.period_start, f.period_end, lang), "plan": f"{f.plan_name} {f.plan_version}",
                               "as_of": f.as_of, "by": f.approved_by, "at": f.approved_at.strftime("%Y-%m-%d %H:%M"), **f.totals} for f in frozen])
        spec = [("name", t("units.rep"), "text"), ("period", t("incentives.period"), "text"), ("plan", t("incentives.plan"), "text"),
                ("as_of", t("incentives.as_of"), "date"), ("by", t("incentives.approved_by"), "text"), ("at", t("incentives.approved_at"), "text"),
                *[(k, t(f"incentives.{k}"), "money") for k in pay_ui.TOTALS]]
        shown, data, config = widgets.figures(table, spec, ctx.currency, lang)
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("incentives.frozen_file"), flt), t("incentives.frozen_title"), "incentives_frozen", lang)
        by_id = {f.statement_id: f for f in frozen}
        chosen = st.selectbox(t("incentives.open_frozen"), list(by_id), index=None, key="incentives_frozen_pick", width=480, placeholder=t("incentives.pick"),
                              format_func=lambda i: f"{names.get(by_id[i].payee, by_id[i].payee)} · {date_range(by_id[i].period_start, by_id[i].period_end, lang)} · {by_id[i].plan_version}")
        if chosen is not None:
            picked = by_id[chosen]
            live, reason = pay_ui.live_statement_for(ctx, boot.key, plan, picked, lang)
            pay_ui.frozen_statement(picked, names.get(picked.payee, picked.payee), flt, lang, key="incentives_picked",
                                    diffs=None if live is None else incentives.frozen_differences(picked, live), not_compared=reason,
                                    part_of_org=part_of_org)

with bonus_tab, widgets.section(t("incentives.tab_bonus"), url):
    st.subheader(t("incentives.bonus_title"), anchor=False, help=definitions["manager_bonus"])
    if plan.manager_bonus is None:
        st.info(t("incentives.no_bonus"))
    else:
        b = plan.manager_bonus
        st.caption(md_escape(t("incentives.bonus_caption", level=display("level", b.level, lang), bonus=fmt.money(b.target_bonus, ctx.currency, lang),
                               share=fmt.percent(b.customer_share_pct / 100, lang, digits=0))))
        pay_ui.flash("bonus", lang)
        live = cache.incentive(ctx, boot.key, "manager_bonuses", plan, period)
        frozen_bonus, withheld = incentives.approved(ctx, store, "manager_bonus")
        bonus = incentives.bonuses_as_approved(live, frozen_bonus, plan, period)
        bonus = bonus.assign(flag_text=["" if not isinstance(f, str) else t(f"bonus_flag.{f}") for f in bonus["flag"]],
                             status=[pay_ui.bonus_status(f, d, a, lang) for f, d, a in zip(bonus["frozen"], bonus["differs"], bonus["approved_as_of"], strict=True)])
        spec = [("name", t("league.unit"), "text"), ("target", t("targets.target"), "money_compact"), ("actual", t("targets.actual"), "money_compact"),
                ("attainment", t("targets.attained"), "percent"), ("logo_churn", label(REGISTRY["logo_churn"].label, lang), "percent"),
                ("satisfaction", t("incentives.satisfaction"), "decimal"), ("bonus", t("incentives.bonus"), "money"), ("flag_text", t("targets.notes"), "text"),
                ("status", t("incentives.bonus_status"), "text")]
        shown, data, config = widgets.figures(bonus, spec, ctx.currency, lang)
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("incentives.bonus_file"), flt), t("incentives.tab_bonus"), "incentives_bonus", lang)
        if bonus["frozen"].any():
            st.caption(md_escape(t("incentives.bonus_frozen_caption", n=int(bonus["differs"].sum()))))
        if withheld:
            st.caption(md_escape(t("incentives.frozen_withheld", n=withheld)))
        pending = live[~live["unit"].isin(bonus.loc[bonus["frozen"], "unit"])]
        allowed, why = pay_ui.can_approve(ctx, over, lang)
        if st.button(t("incentives.approve_bonus"), icon=":material/verified:", key="incentives_approve_bonus", disabled=not allowed or pending.empty,
                     help=why or (None if over else t("incentives.not_over", end=fmt.day(period.end, lang)))):
            pay_ui.approve_bonuses_and_rerun(store, ctx, plan, period, pending, lang)
        if over and pending.empty:
            st.caption(md_escape(t("incentives.bonus_all_frozen")))

with pool_tab, widgets.section(t("incentives.tab_pool"), url):
    st.subheader(t("incentives.pool_title"), anchor=False, help=definitions["pool"])
    if plan.pool is None:
        st.info(t("incentives.no_pool"))
    else:
        p = plan.pool
        contribution = t(f"incentives.contribution_{p.contribution}")
        st.caption(md_escape(t("incentives.pool_caption", pool=fmt.money(p.amount, ctx.currency, lang), split=display("pool_split", p.split_by, lang),
                               contribution=contribution.lower() if lang == "en" else contribution)))
        planned = cache.incentive(ctx, boot.key, "pool_shares", plan, period, (None, ()))
        group_names = cache.incentive(ctx, boot.key, "pool_group_names", plan, period, tuple(planned["group"]))
        tuned = pay_ui.largest(planned, pay_ui.WHAT_IF_SLIDERS)
        with st.expander(t("incentives.what_if"), icon=":material/tune:", expanded=False):
            amount = st.number_input(t("incentives.pool_amount", currency=ctx.currency), min_value=0, value=int(p.amount), step=10_000, key="pool_amount")
            factors = {}
            for column, code in zip(st.columns(min(3, max(1, len(tuned)))) * len(tuned), tuned, strict=False):
                with column:
                    factors[code] = st.slider(group_names.get(code, code), 0, 200, 100, 10, format="%d%%", key=f"pool_factor_{code}")
            if len(tuned) < len(planned):
                st.caption(md_escape(t("incentives.what_if_top", n=len(tuned))))
        adjust = tuple((c, Decimal(f) / 100) for c, f in factors.items() if f != 100)
        what_if = cache.incentive(ctx, boot.key, "pool_shares", plan, period, (Decimal(amount), adjust)) if amount else planned
        table = planned.assign(name=[group_names.get(c, c) for c in planned["group"]], what_if_share=[None if v is None else v / 100 for v in what_if["share_pct"]],
                               what_if_amount=list(what_if["amount"]), share=[None if v is None else v / 100 for v in planned["share_pct"]])
        spec = [("name", t("incentives.pool_group"), "text"), ("contribution", contribution, "money_compact"),
                ("share", t("incentives.share"), "percent"), ("amount", t("incentives.pool_amount_col"), "money"),
                ("what_if_share", t("incentives.what_if_share"), "percent"), ("what_if_amount", t("incentives.what_if_amount"), "money")]
        shown, data, config = widgets.figures(table, spec, ctx.currency, lang)
        widgets.formatted_table(shown, data, config, widgets.file_stem(t("incentives.pool_file"), flt), t("incentives.tab_pool"), "incentives_pool", lang)

definitions_panel()
