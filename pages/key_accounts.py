"""Key accounts (DOMAIN.md §4): the accounts bringing the most revenue and how each is served, those needing attention
first; with ``?wall=1`` the same table large and refreshing itself, for a screen on a wall."""

from __future__ import annotations

import time
from datetime import datetime
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from metrics.key_accounts import DEFAULT_TOP, DEFINITIONS, NO_CONTACT_DAYS, reference_day
from ui import cache, filterbar, widgets
from ui import format as fmt
from ui.i18n import current_lang, t
from ui.session import current_boot, guard

ctx, flt = guard("key_accounts")
boot, lang = current_boot(), current_lang()
wall = filterbar.wall_mode()
TOPS = (10, 20, 50)
#: Cell tints that read on the light and the dark theme alike.
BAD, GOOD = "background-color: rgba(255, 75, 75, 0.28)", "background-color: rgba(33, 195, 84, 0.22)"
day = fmt.day(reference_day(ctx, flt), lang)
helps = {key: text[lang] for key, text in DEFINITIONS.items()}


def _points(change: object) -> str:
    if widgets.missing(change):
        return fmt.DASH
    value = round(float(change) * 100, 1)  # type: ignore[arg-type]
    return t("ka.points", sign="+" if value > 0 else "", value=fmt.number(value, lang))


def _reasons(reasons: tuple[str, ...]) -> str:
    return t("ka.reason.sep").join(t(f"ka.reason.{r}", days=NO_CONTACT_DAYS) for r in reasons)


def tables(rows: pd.DataFrame, *, markdown: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The rows as shown (text in the language; CRM text escaped where ``markdown`` renders), as downloaded (numbers),
    and which cells to tint (True bad, False good, None neither)."""
    esc = fmt.md_escape if markdown else (lambda s: s)
    col = {k: t(f"ka.col.{k}") for k in ("status", "rank", "account", "unit", "owner", "revenue", "complaints", "late", "share",
                                          "share_change", "last_order", "usual", "contact", "reasons")}
    revenue = f"{col['revenue']} ({ctx.currency})"
    units = [widgets.unit_name(ctx.org, c, lang) for c in rows["unit"]]
    owners = [t("ka.nobody") if widgets.missing(o) else o for o in rows["owner"]]
    contact = [t("ka.never") if widgets.missing(d) else fmt.days(d, lang) for d in rows["days_since_contact"]]
    shown = pd.DataFrame({
        col["status"]: [t("ka.status.attention" if a else "ka.status.ok") for a in rows["needs_attention"]],
        col["rank"]: [str(r) for r in rows["rank"]],
        col["account"]: [esc(str(a)) for a in rows["account"]],
        col["unit"]: [esc(u) for u in units],
        col["owner"]: [esc(str(o)) for o in owners],
        revenue: [fmt.money(v, ctx.currency, lang, compact=wall) for v in rows["revenue_12m"]],
        col["complaints"]: [fmt.number(n, lang) for n in rows["open_complaints"]],
        col["late"]: [fmt.number(n, lang) for n in rows["late_deliveries"]],
        col["share"]: [fmt.DASH if widgets.missing(s) else fmt.percent(s, lang) for s in rows["share"]],
        col["share_change"]: [_points(c) for c in rows["share_change"]],
        col["last_order"]: [fmt.DASH if widgets.missing(d) else fmt.days(d, lang) for d in rows["days_since_last_order"]],
        col["usual"]: [fmt.DASH if widgets.missing(u) else fmt.days(u, lang) for u in rows["usual_interval_days"]],
        col["contact"]: contact,
        col["reasons"]: [_reasons(r) for r in rows["reasons"]],
    })
    data = pd.DataFrame({
        col["rank"]: list(rows["rank"]), col["account"]: list(rows["account"]), col["unit"]: units, col["owner"]: list(rows["owner"]),
        revenue: [float(v) for v in rows["revenue_12m"]], col["complaints"]: list(rows["open_complaints"]),
        col["late"]: list(rows["late_deliveries"]), col["share"]: list(rows["share"]), col["share_change"]: list(rows["share_change"]),
        col["last_order"]: list(rows["days_since_last_order"]), col["usual"]: list(rows["usual_interval_days"]),
        col["contact"]: list(rows["days_since_contact"]), col["status"]: [bool(a) for a in rows["needs_attention"]],
        col["reasons"]: [_reasons(r) for r in rows["reasons"]],
    })
    tint = pd.DataFrame(None, index=shown.index, columns=shown.columns, dtype=object)
    tint[col["status"]] = list(rows["needs_attention"])
    tint[col["complaints"]] = [n > 0 or None for n in rows["open_complaints"]]
    tint[col["late"]] = [n > 0 or None for n in rows["late_deliveries"]]
    tint[col["share_change"]] = ["share_falling" in r or None for r in rows["reasons"]]
    tint[col["last_order"]] = [a or None for a in rows["at_risk"]]
    tint[col["contact"]] = ["no_contact" in r or None for r in rows["reasons"]]
    return shown, data, tint


def styled(shown: pd.DataFrame, tint: pd.DataFrame):  # noqa: ANN201 - a pandas Styler
    return shown.style.apply(lambda c: [BAD if v is True else GOOD if v is False else "" for v in tint[c.name]], axis=0)


def counts(rows: pd.DataFrame) -> list[tuple[str, str, str | None]]:
    total = fmt.number(len(rows), lang)
    return [
        # "14/20", not "14 of 20": a phone's tile cuts the longer Chinese ("20 个中 14 个") to "20 个中…".
        (t("ka.count.attention"), f"{fmt.number(int(rows['needs_attention'].sum()), lang)}/{total}", helps["attention"]),
        (t("ka.count.complaints"), fmt.number(int(rows["open_complaints"].sum()), lang), helps["complaints"]),
        (t("ka.count.late"), fmt.number(int(rows["late_deliveries"].sum()), lang), helps["late"]),
        (t("ka.count.at_risk"), fmt.number(int(rows["at_risk"].sum()), lang), helps["risk"]),
    ]


def definitions() -> None:
    widgets.named_definitions([], [(t(f"ka.def.{k}"), helps[k]) for k in DEFINITIONS], lang)


# --- The wall screen: the table alone, large, re-read every few minutes ----------------------------------------------

if wall:
    every = filterbar.wall_every()
    st.html(
        "<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], [data-testid='stHeader'],"
        " [data-testid='stToolbar'] { display: none; }"
        " .block-container, [data-testid='stMainBlockContainer'] { padding-top: 1.2rem; max-width: 100%; }"
        " [data-testid='stTable'] td, [data-testid='stTable'] th { font-size: 1.45rem; line-height: 1.35; padding: 0.45rem 0.6rem; }"
        " [data-testid='stMarkdownContainer'] p { font-size: 1.3rem; }"
        " h1 { font-size: 3rem !important; }</style>"
    )

    @st.fragment(run_every=every)
    def _screen() -> None:
        # Drawn with the page; each later tick re-runs the whole app, so new data and a new as-of day are read too.
        if time.monotonic() - st.session_state.get("ka_wall_drawn", 0.0) >= every - 1:
            st.session_state["ka_wall_drawn"] = time.monotonic()
            st.rerun()

    st.session_state["ka_wall_drawn"] = time.monotonic()
    rows = cache.table(ctx, boot.key, "key_accounts", flt, DEFAULT_TOP)
    unit = ctx.org.by_code(flt.unit) if flt.unit else None
    where = unit.name if unit else t("filters.all_units")
    refresh = t("ka.wall.minutes", n=every // 60) if every % 60 == 0 else t("ka.wall.seconds", n=every)
    now = datetime.now(ctx.calendar.zone)
    needing = fmt.number(int(rows["needs_attention"].sum()) if len(rows) else 0, lang)
    st.title(t("ka.wall.title", n=needing, total=fmt.number(len(rows), lang)), anchor=False)
    st.markdown(fmt.md_escape(t("ka.wall.updated", where=where, day=day, time=f"{now:%H:%M}", every=refresh)))
    if rows.empty:
        st.info(t("ka.none", day=day))
    else:
        shown, _, tint = tables(rows, markdown=True)
        keep = [t(f"ka.col.{k}") for k in ("status", "account", "owner", "complaints", "late", "share_change", "last_order", "contact", "reasons")]
        st.table(styled(shown[keep], tint[keep]).hide(axis="index"))
    _screen()
    st.stop()

# --- The page ----------------------------------------------------------------------------------------------------------

st.title(t("ka.title"), anchor=False)
widgets.heading(flt, ctx.as_of, ctx.calendar, ctx.org, boot.source_short, lang)
st.caption(fmt.md_escape(t("ka.caption")))
left, right = st.columns([3, 1], vertical_alignment="bottom")
with left:
    top = st.segmented_control(
        t("ka.top"), TOPS, format_func=lambda n: t("ka.top_n", n=n), default=DEFAULT_TOP, required=True, key="ka_top",
    ) or DEFAULT_TOP
with right:
    link = filterbar.link_to(**{filterbar.P_WALL: "1"})
    st.link_button(t("ka.wall_link"), f"key_accounts?{urlencode(link, doseq=True)}", icon=":material/tv:", help=t("ka.wall_link_help"))

with widgets.section(t("ka.table"), boot.source.url):
    rows = cache.table(ctx, boot.key, "key_accounts", flt, top)
    if rows.empty:
        st.info(t("ka.none", day=day))
    else:
        widgets.tiles(counts(rows), width=170)
        widgets.subheader(t("ka.table"), t("ka.reference", day=day), helps["ranking"])
        if not rows["needs_attention"].any():
            st.success(t("ka.all_ok"), icon=":material/check_circle:")
        shown, data, tint = tables(rows, markdown=False)
        config = {
            t("ka.col.status"): st.column_config.TextColumn(t("ka.col.status"), help=helps["attention"], pinned=True),
            t("ka.col.account"): st.column_config.TextColumn(t("ka.col.account"), help=helps["ranking"], pinned=True),
            t("ka.col.complaints"): st.column_config.TextColumn(t("ka.col.complaints"), help=helps["complaints"]),
            t("ka.col.late"): st.column_config.TextColumn(t("ka.col.late"), help=helps["late"]),
            t("ka.col.share"): st.column_config.TextColumn(t("ka.col.share"), help=helps["share"]),
            t("ka.col.share_change"): st.column_config.TextColumn(t("ka.col.share_change"), help=helps["share"]),
            t("ka.col.last_order"): st.column_config.TextColumn(t("ka.col.last_order"), help=helps["risk"]),
            t("ka.col.usual"): st.column_config.TextColumn(t("ka.col.usual"), help=helps["risk"]),
            t("ka.col.contact"): st.column_config.TextColumn(t("ka.col.contact"), help=helps["contact"]),
            t("ka.col.reasons"): st.column_config.TextColumn(t("ka.col.reasons"), help=helps["attention"], width="large"),
        }
        widgets.formatted_table(styled(shown, tint), data, config, widgets.file_stem(t("ka.file"), flt), t("ka.title"), "ka_table",
                                lang, height=widgets.table_height(len(shown), whole=True))

definitions()
