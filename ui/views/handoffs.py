"""pages/handoffs.py: its link-checked breach picker, response tiles and tables, and the record tables of breached leads, returned leads and ownership."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from data_layer.filters import Filters, OrgTree
from ui import filterbar
from ui import format as fmt
from ui.charts import outcome_bars
from ui.format import md_escape
from ui.i18n import display, t
from ui.widgets import count_column, downloads, figures, file_stem, formatted_table, missing, money_column, texts, tiles, unit_name


def breach_choices(
    total: int, teams: pd.DataFrame, reps: pd.DataFrame, tree: OrgTree, names: dict[str, str], lang: str
) -> dict[str, tuple[str, int]]:
    """The breached leads' selector: everyone (``total``), then each team and each rep with a breach in the frames'
    order (metrics.handoffs.response_times): "all", "team:CODE" or "rep:CODE" → (name, breaches)."""
    options = {filterbar.HAND_BREACHED_ALL: ("", total)}
    for kind, frame in (("team", teams), ("rep", reps)):
        for code, n in zip(frame["group"], frame["breaches"], strict=True):
            if n and not missing(code):
                options[f"{kind}:{code}"] = (unit_name(tree, code, lang) if kind == "team" else names.get(str(code), str(code)), int(n))
    return options


def rep_name(code: object, names: dict[str, str], none_text: str) -> str:
    """A rep code as the rep's name (``none_text`` for no rep)."""
    return none_text if missing(code) else names.get(str(code), str(code))


def _hand_hours(values: Iterable[object]) -> list[float | None]:
    return [None if missing(v) else round(float(v), 1) for v in values]  # type: ignore[arg-type]


def response_tiles(total: pd.Series, definition: str, lang: str) -> None:
    """Lead response at the limit in figures (metrics.handoffs.response_times, one row): assigned, answered, breaches
    (``definition`` on its ?), still within the limit, and the median and 90th percentile hours."""
    def count(key: str) -> str:
        return fmt.number(int(total[key]), lang)

    def hours(key: str) -> str:
        return fmt.DASH if missing(total[key]) else fmt.number(round(float(total[key]), 1), lang)

    hours_help = t("hand.tile.hours_help", lang)
    tiles([
        (t("hand.tile.assigned", lang), count("assigned"), None),
        (t("hand.tile.responded", lang), count("responded"), None),
        (t("hand.tile.breaches", lang), count("breaches"), definition),
        (t("hand.tile.pending", lang), count("pending"), t("hand.tile.pending_help", lang)),
        (t("hand.tile.median", lang), hours("median"), hours_help),
        (t("hand.tile.p90", lang), hours("p90"), hours_help),
    ], width=134)
    if not total["n"]:
        st.caption(md_escape(t("hand.response.none_answered", lang)))


def returned_summary(returned: pd.Series, flt: Filters, lang: str) -> None:
    """The leads returned to marketing (metrics.handoffs.returned_outcomes, one row): their number, a bar per outcome,
    and the outcomes' downloads."""
    kinds = filterbar.HAND_OUTCOMES
    outcomes = pd.DataFrame({"name": [t(f"hand.outcome.{o}", lang) for o in kinds], "count": [int(returned[o]) for o in kinds]})
    left, right = st.columns([1, 2], gap="medium", vertical_alignment="center")
    with left:
        tiles([(t("hand.returned.returned", lang), fmt.number(int(returned["returned"]), lang), None)], width=134)
    right.altair_chart(outcome_bars(outcomes, t("hand.col.leads", lang), lang), width="stretch")
    summary = outcomes.rename(columns={"name": t("hand.col.outcome", lang), "count": t("hand.col.leads", lang)})
    downloads(summary, file_stem(t("hand.file.returned_summary", lang), flt), t("hand.returned.title", lang), "hand_returned_summary", lang)


def response_table(
    frame: pd.DataFrame, name_title: str, names: list[str], currency: str, lang: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Lead response by team or rep (metrics.handoffs.response_times) as :func:`figures` shows it: the group's name
    (``names``, one per row) pinned, its counts, breach rate and hours to one decimal."""
    spec = [("name", name_title, "text")] + [
        (column, t(f"hand.col.{title}", lang), kind)
        for column, title, kind in (
            ("assigned", "assigned", "count"), ("breaches", "breaches", "count"), ("breach_rate", "rate", "percent"),
            ("late", "late", "count"), ("overdue", "overdue", "count"), ("pending", "pending", "count"),
            ("median", "median", "decimal"), ("p90", "p90", "decimal"),
        )
    ]
    rows = frame.assign(name=names, median=_hand_hours(frame["median"]), p90=_hand_hours(frame["p90"]))
    shown, data, config = figures(rows, spec, currency, lang)
    config[name_title] = st.column_config.TextColumn(name_title, pinned=True)
    return shown, data, config


def _hand_lead_columns(lang: str) -> dict:
    return {t("hand.col.lead", lang): st.column_config.NumberColumn(t("hand.col.lead", lang), format="%d", pinned=True),
            t("hand.col.company", lang): st.column_config.TextColumn(width="medium")}


def breached_leads_table(rows: pd.DataFrame, names: dict[str, str], tree: OrgTree, lang: str) -> tuple[pd.DataFrame, dict]:
    """The leads that breached (metrics.handoffs.breach_records) as the page lists them, and their column config."""
    keys = ("lead", "company", "rep", "team", "unit", "assigned_at", "first_response", "hours", "verdict")
    col = {k: t(f"hand.col.{k}", lang) for k in keys}
    frame = pd.DataFrame({
        col["lead"]: list(rows["lead_id"]),
        col["company"]: texts(rows, "company"),
        col["rep"]: [rep_name(r, names, t("hand.no_rep", lang)) for r in rows["rep"]],
        col["team"]: ["" if missing(v) else unit_name(tree, v, lang) for v in rows["team"]],
        col["unit"]: [unit_name(tree, u, lang) for u in rows["unit"]],
        col["assigned_at"]: pd.to_datetime(rows["assigned_at"]),
        col["first_response"]: pd.to_datetime(rows["first_response_at"]),
        col["hours"]: _hand_hours(rows["hours"]),
        col["verdict"]: [t(f"hand.verdict.{v}", lang) for v in rows["verdict"]],
    })
    config = _hand_lead_columns(lang) | {
        col["assigned_at"]: st.column_config.DatetimeColumn(col["assigned_at"], format="YYYY-MM-DD HH:mm"),
        col["first_response"]: st.column_config.DatetimeColumn(col["first_response"], format="YYYY-MM-DD HH:mm"),
        col["hours"]: st.column_config.NumberColumn(col["hours"], format="%.1f"),
    }
    return frame, config


def ownership_summary(own: pd.DataFrame, flt: Filters, currency: str, lang: str) -> None:
    """The customers about to be lost (metrics.handoffs.ownership): a warning listing each kind with records, or
    the all-clear; then the three kinds as a table with its downloads."""
    at_risk = [r for r in own.to_dict("records") if r["records"]]
    if not at_risk:
        st.success(t("hand.own.all_clear", lang), icon=":material/verified_user:")
    else:
        lines = [
            t("hand.own.line", lang, records=fmt.number(int(r["records"]), lang), what=t(f"hand.kind.{r['kind']}", lang),
              opportunities=fmt.number(int(r["open_opportunities"]), lang), pipeline=fmt.money(r["open_pipeline"], currency, lang))
            for r in at_risk
        ]
        items = "\n".join(f"- **{md_escape(line)}**" for line in lines)
        st.warning(md_escape(t("hand.own.at_risk", lang)) + "\n\n" + items, icon=":material/person_alert:")
    spec = [("what", t("hand.col.kind", lang), "text"), ("records", t("hand.col.records", lang), "count"),
            ("open_opportunities", t("hand.col.open_opportunities", lang), "count"),
            ("open_pipeline", t("hand.col.open_pipeline", lang), "money"),
            ("unpriced_opportunities", t("hand.col.unpriced", lang), "count")]
    frame = own.assign(what=[t(f"hand.kind.{k}", lang) for k in own["kind"]])
    shown, data, config = figures(frame, spec, currency, lang, {"unpriced_opportunities": t("hand.col.unpriced_help", lang)})
    formatted_table(shown, data, config, file_stem(t("hand.file.ownership", lang), flt), t("hand.own.title", lang), "hand_ownership", lang)


def ownership_table(
    kind: str, rows: pd.DataFrame, names: dict[str, str], tree: OrgTree, currency: str, lang: str
) -> tuple[pd.DataFrame, dict]:
    """The accounts or open deals of one ownership ``kind`` (metrics.handoffs.ownership_records) as the page lists
    them, and their column config."""
    keys = ("account", "opportunity", "owner", "owner_left", "left_on", "home_unit", "deal_unit", "stage", "expected_close", "amount",
            "open_opportunities", "open_pipeline", "unpriced")
    col = {k: t(f"hand.col.{k}", lang) for k in keys}
    owners = [rep_name(c, names, t("hand.no_owner", lang)) for c in rows["owner"]]
    left_on = {col["left_on"]: pd.to_datetime(rows["left_on"])}
    if kind == "owner_left_opportunities":
        frame = pd.DataFrame({
            col["opportunity"]: texts(rows, "name"), col["account"]: texts(rows, "account"), col["owner_left"]: owners, **left_on,
            col["deal_unit"]: [unit_name(tree, u, lang) for u in rows["unit"]],
            col["stage"]: ["" if missing(s) else display("pipeline", str(s), lang) for s in rows["stage"]],
            col["expected_close"]: pd.to_datetime(rows["expected_close_date"]),
            col["amount"]: [None if missing(v) else float(v) for v in rows["amount"]],
        })
        config = {
            col["opportunity"]: st.column_config.TextColumn(pinned=True, width="medium"),
            col["expected_close"]: st.column_config.DateColumn(col["expected_close"], format="YYYY-MM-DD"),
            col["amount"]: money_column(col["amount"], currency, lang),
        }
    else:
        frame = pd.DataFrame({
            col["account"]: texts(rows, "name"), col["owner_left" if kind == "owner_left_accounts" else "owner"]: owners,
            **(left_on if kind == "owner_left_accounts" else {}),
            col["home_unit"]: [unit_name(tree, u, lang) for u in rows["home_unit"]],
            col["open_opportunities"]: rows["open_opportunities"].astype(int),
            col["open_pipeline"]: [float(v) for v in rows["open_pipeline"]],
            col["unpriced"]: rows["unpriced_opportunities"].astype(int),
        })
        config = {
            col["account"]: st.column_config.TextColumn(pinned=True, width="medium"),
            col["open_opportunities"]: count_column(col["open_opportunities"]),
            col["open_pipeline"]: money_column(col["open_pipeline"], currency, lang),
            col["unpriced"]: count_column(col["unpriced"], t("hand.col.unpriced_help", lang)),
        }
    config[col["left_on"]] = st.column_config.DateColumn(col["left_on"], format="YYYY-MM-DD")
    return frame, config


def returned_leads_table(rows: pd.DataFrame, names: dict[str, str], tree: OrgTree, lang: str) -> tuple[pd.DataFrame, dict]:
    """The leads returned to marketing (metrics.handoffs.returned_records) as the page lists them, and their column config."""
    col = {k: t(f"hand.col.{k}", lang) for k in ("lead", "company", "outcome", "returned_on", "rep", "unit", "source")}
    frame = pd.DataFrame({
        col["lead"]: list(rows["lead_id"]),
        col["company"]: texts(rows, "company"),
        col["outcome"]: [t(f"hand.outcome.{o}", lang) for o in rows["outcome"]],
        col["returned_on"]: pd.to_datetime(rows["returned_on"]),
        col["rep"]: [rep_name(r, names, t("hand.no_rep", lang)) for r in rows["rep"]],
        col["unit"]: [unit_name(tree, u, lang) for u in rows["unit"]],
        col["source"]: ["" if missing(s) else display("channel", str(s), lang) for s in rows["source"]],
    })
    return frame, _hand_lead_columns(lang) | {col["returned_on"]: st.column_config.DateColumn(col["returned_on"], format="YYYY-MM-DD")}
