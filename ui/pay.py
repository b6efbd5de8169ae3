"""Incentive widgets: an approved statement as it was frozen, what differs in today's figures, the approval buttons."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from data_layer.filters import Filters
from data_layer.plans import FrozenStatement, Plan, StatementExists, freeze_statement
from metrics.base import Context
from metrics.incentives import RECORD_FIELDS, Statement, bonus_record, statement_record
from metrics.targets import TargetPeriod, target_period
from ui import cache, widgets
from ui import format as fmt
from ui.format import date_range, md_escape
from ui.i18n import t

#: The what-if controls give a slider to this many of the pool's largest contributors (a pool split by customer
#: or project has hundreds of groups).
WHAT_IF_SLIDERS = 12
#: Where an approval leaves its message for the run after it (the page reruns to show the frozen record).
FLASH_KEY = "incentives_flash"
TOTALS = ("earned", "held_back", "paid_now", "released", "forfeited", "payable")
DEAL_SPEC = [("order_number", "incentives.order", "text"), ("credit_date", "incentives.credit_date", "date"), ("amount", "incentives.amount", "money"),
             ("attainment_after", "incentives.attainment_after", "percent"), ("rate", "incentives.rate", "rate"),
             ("earned", "incentives.earned", "money"), ("held_back", "incentives.held_back", "money"), ("status", "incentives.holdback_status", "text"),
             ("window_end", "incentives.window_end", "date"), ("note_text", "targets.notes", "text")]
DECIDED_SPEC = [("order_number", "incentives.order", "text"), ("order_date", "incentives.order_date", "date"),
                ("window_end", "incentives.window_end", "date"), ("held_back", "incentives.held_back", "money"),
                ("status", "incentives.holdback_status", "text"), ("released", "incentives.released", "money"),
                ("forfeited", "incentives.forfeited", "money")]


def _spec(spec: list[tuple[str, str, str]], lang: str) -> list[tuple[str, str, str]]:
    return [(column, t(key, lang), kind) for column, key, kind in spec]


def totals_cards(totals: dict, currency: str, lang: str) -> None:
    """Earned, held back, paid now, released, forfeited and payable, as metric cards."""
    for row in (TOTALS[:3], TOTALS[3:]):  # two rows of three: six exact amounts do not fit one row in Chinese
        for column, key in zip(widgets.card_row(len(row)), row, strict=True):
            value = totals.get(key)
            column.metric(t(f"incentives.{key}", lang), fmt.DASH if value is None else fmt.money(value, currency, lang))


def statement_tables(lines: pd.DataFrame, decided: pd.DataFrame, stem: str, key: str, currency: str, period_name: str, lang: str) -> None:
    """A statement's deals and the holdbacks decided in its period, each table downloadable as CSV and Excel."""
    shown, data, config = widgets.figures(widgets.statement_lines(lines, lang), _spec(DEAL_SPEC, lang), currency, lang)
    widgets.formatted_table(shown, data, config, stem, t("incentives.statement_title", lang), key, lang)
    if len(decided):
        st.markdown(f"**{md_escape(t('incentives.decided', lang, period=period_name))}**")
        shown, data, config = widgets.figures(widgets.statement_lines(decided, lang), _spec(DECIDED_SPEC, lang), currency, lang)
        widgets.formatted_table(shown, data, config, f"{stem}-{t('incentives.decided_file', lang)}", t("incentives.decided_sheet", lang), f"{key}_decided", lang)


def _frame(frozen: FrozenStatement, part: str) -> pd.DataFrame:
    return pd.DataFrame(frozen.lines_of(part), columns=["part", *RECORD_FIELDS])


def frozen_statement(frozen: FrozenStatement, rep_name: str, flt: Filters, lang: str, *, diffs: pd.DataFrame | None,
                     not_compared: str | None, key: str, part_of_org: bool = False) -> None:
    """An approved statement as it was frozen — its plan version, as-of date and approver, its totals and its deals —
    saying first whether today's figures differ (``diffs``, None when not compared, and why), then listing how.
    ``part_of_org``: the viewer sees part of the organisation, so today's figures leave out the rep's records
    credited outside it — a difference may be that, not a change, and the page says so."""
    period = date_range(frozen.period_start, frozen.period_end, lang)
    st.markdown(f"**{md_escape(t('incentives.frozen_view', lang, rep=rep_name, period=period))}**")
    st.caption(md_escape(t("incentives.frozen_caption", lang, by=frozen.approved_by, at=frozen.approved_at.strftime("%Y-%m-%d %H:%M"),
                           plan=frozen.plan_name, version=frozen.plan_version, as_of=fmt.day(frozen.as_of, lang))))
    if diffs is None:
        st.caption(md_escape(not_compared or ""))
    elif diffs.empty:
        st.success(t("incentives.live_agrees", lang), icon=":material/check_circle:")
    else:
        st.warning(t("incentives.live_differs", lang, n=len(diffs)), icon=":material/difference:")
        if part_of_org:
            st.caption(md_escape(t("incentives.live_in_scope", lang)))
    totals_cards(frozen.totals, frozen.currency, lang)
    stem = widgets.file_stem(f"{t('incentives.statement_file', lang)}-{frozen.payee}-{frozen.plan_version}-{frozen.period_start}", flt)
    statement_tables(_frame(frozen, "deal"), _frame(frozen, "holdback_decided"), stem, key, frozen.currency, period, lang)
    if diffs is not None and not diffs.empty:
        st.markdown(f"**{md_escape(t('incentives.diff_title', lang))}**")
        difference_table(diffs, frozen.currency, stem, f"{key}_differences", lang)


def _line(part: str, order: object, lang: str) -> str:
    if part == "total":
        return t("incentives.diff_total", lang)
    return t("incentives.diff_decided", lang, order=order) if part == "holdback_decided" else str(order)


def _figure(field: str, value: object, currency: str, lang: str) -> str:
    if field == "holdback_status":
        return widgets.holdback_text(value, lang) or fmt.DASH
    return widgets.figure_value("money", value, currency, lang)


def difference_table(diffs: pd.DataFrame, currency: str, stem: str, key: str, lang: str) -> None:
    """Each total and line where today's figures differ from the frozen ones: frozen beside today."""
    fields = {"added": t("incentives.diff_added", lang), "removed": t("incentives.diff_removed", lang),
              "holdback_status": t("incentives.holdback_status", lang), "amount": t("incentives.amount", lang)}
    rows = pd.DataFrame({
        "line": [_line(p, o, lang) for p, o in zip(diffs["part"], diffs["order_number"], strict=True)],
        "field": [fields.get(f) or t(f"incentives.{f}", lang) for f in diffs["field"]],
        "frozen": [_figure(f, v, currency, lang) if f not in ("added", "removed") else "" for f, v in zip(diffs["field"], diffs["frozen"], strict=True)],
        "live": [_figure(f, v, currency, lang) if f not in ("added", "removed") else "" for f, v in zip(diffs["field"], diffs["live"], strict=True)],
    })
    spec = [("line", t("incentives.diff_line", lang), "text"), ("field", t("incentives.diff_field", lang), "text"),
            ("frozen", t("incentives.diff_frozen", lang), "text"), ("live", t("incentives.diff_live", lang), "text")]
    shown, data, config = widgets.figures(rows, spec, currency, lang)
    widgets.formatted_table(shown, data, config, f"{stem}-{t('incentives.diff_file', lang)}", t("incentives.diff_title", lang), key, lang)


def can_approve(ctx: Context, over: bool, lang: str) -> tuple[bool, str | None]:
    """Whether the viewer may approve now, and why not: the period must be over and the viewer see the whole company
    (a statement covers all of a rep's deals, wherever booked; a scoped viewer's figures leave some out)."""
    if not over:
        return False, None
    if not ctx.viewer.whole_company:
        return False, t("incentives.approve_all_bus", lang)
    return True, None


def flash(where: str, lang: str) -> None:
    """The message an approval (``statement`` or ``bonus``) left for this run, once."""
    message = st.session_state.pop(f"{FLASH_KEY}_{where}", None)
    if message is not None:
        kind, key, values = message
        (st.success if kind == "success" else st.warning)(t(key, lang, **values), icon=":material/lock:")


def approve_statement(store: Engine, ctx: Context, stmt: Statement, rep_name: str, lang: str) -> None:
    """Freeze ``stmt`` in Granary's own database, once, and rerun to show the frozen record with the message."""
    try:
        freeze_statement(
            store, plan=stmt.plan, payee=stmt.rep, period_start=stmt.period.start, period_end=stmt.period.end, as_of=ctx.as_of,
            currency=ctx.currency, approved_by=ctx.viewer.user, approved_at=datetime.now(UTC).replace(tzinfo=None), totals=stmt.totals,
            lines=statement_record(stmt), unit=stmt.team,
        )
        st.session_state[f"{FLASH_KEY}_statement"] = ("success", "incentives.frozen_now", {"rep": rep_name})
    except StatementExists:
        st.session_state[f"{FLASH_KEY}_statement"] = ("warning", "incentives.already_frozen", {"rep": rep_name})
    st.rerun()


def frozen_for(frozen: list[FrozenStatement], plan: Plan, period: TargetPeriod, payee: str) -> FrozenStatement | None:
    """The approved statement of ``payee`` for this plan version and period, if any."""
    key = (plan.name, plan.version, period.start, period.end, payee)
    return next((f for f in frozen if (f.plan_name, f.plan_version, f.period_start, f.period_end, f.payee) == key), None)


def live_statement_for(ctx: Context, key: cache.DataKey, plan: Plan, frozen: FrozenStatement, lang: str) -> tuple[Statement | None, str | None]:
    """Today's statement for a frozen one's rep and period under the current plan — or None, and why, when the plan
    is another version or pays per another period (then the two are not like for like)."""
    period = target_period(plan.period, frozen.period_start, ctx.calendar)
    why = t("incentives.live_not_compared", lang, plan=plan.name, version=plan.version, period_kind=t(f"plan.period.{plan.period}", lang))
    if (plan.name, plan.version) != (frozen.plan_name, frozen.plan_version) or (period.start, period.end) != (frozen.period_start, frozen.period_end):
        return None, why
    try:
        return cache.incentive(ctx, key, "statement", plan, period, frozen.payee), None
    except ValueError:  # the rep is no longer in the CRM
        return None, why


def largest(pool: pd.DataFrame, n: int) -> list[str]:
    """The codes of the ``n`` largest contributors of a pool split, in the table's order."""
    top = set(pool.sort_values("contribution", ascending=False, kind="stable")["group"].head(n))
    return [g for g in pool["group"] if g in top]


def approve_bonuses_and_rerun(store: Engine, ctx: Context, plan: Plan, period: TargetPeriod, live: pd.DataFrame, lang: str) -> None:
    """Freeze the bonuses in ``live`` and rerun to show them from the frozen records."""
    done = approve_bonuses(store, ctx, plan, period, live)
    st.session_state[f"{FLASH_KEY}_bonus"] = ("success", "incentives.bonus_frozen_now", {"n": done})
    st.rerun()


def approve_bonuses(store: Engine, ctx: Context, plan: Plan, period: TargetPeriod, live: pd.DataFrame) -> int:
    """Freeze every unit's managers' bonus in ``live`` not yet approved; returns how many were frozen."""
    done = 0
    for row in live.to_dict("records"):
        totals, lines = bonus_record(plan, row)
        try:
            freeze_statement(
                store, plan=plan, payee=row["unit"], period_start=period.start, period_end=period.end, as_of=ctx.as_of,
                currency=ctx.currency, approved_by=ctx.viewer.user, approved_at=datetime.now(UTC).replace(tzinfo=None), totals=totals,
                lines=lines, kind="manager_bonus", unit=row["unit"],
            )
            done += 1
        except StatementExists:
            pass
    return done


def bonus_status(frozen: bool, differs: bool, as_of: object, lang: str) -> str:
    if not frozen:
        return ""
    key = "incentives.bonus_approved_differs" if differs else "incentives.bonus_approved"
    return t(key, lang, as_of=fmt.day(as_of, lang))  # type: ignore[arg-type]
