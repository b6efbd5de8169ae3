"""The global filter bar and its mirror in the URL.

The state lives in widget keys in ``st.session_state`` (so it survives page switches) and is
written to ``st.query_params`` after every run (so a copied link reproduces the view). A
session's first run reads the URL instead: every value is checked against what this viewer
may choose; anything else is dropped with a notice, so a link can never widen the scope.

Pages keep some state of their own in the URL too (:data:`PAGE_PARAMS`: the Overview's league
table, the Units page's drill path, comparison and ranking, the Funnel's counting mode, window and
split). It is held in one session-state dict, so it outlives the page's widgets and a link copied
on any page reproduces it; it is read, checked and written with the filters, in one URL update per
run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from data_layer.config import Calendar
from data_layer.dimensions import FilterOptions
from data_layer.filters import PRESETS, Filters, OrgTree, Period, Viewer, grain_for, preset_period
from metrics.registry import HEADLINE
from ui.i18n import DEFAULT_LANG, LANG_KEY, LANG_NAMES, LANGS, current_lang, display, join, t

# URL parameters.
P_PERIOD, P_START, P_END, P_UNIT, P_LANG = "period", "start", "end", "unit", "lang"
LIST_PARAMS = {"bu": "bus", "segment": "segments", "product": "products", "source": "sources"}
# Page state: the Overview's trend KPI and league table (units or business units); the Units page's drill path
# (the code of the unit drilled into; its path down from the filtered unit follows from the org
# tree), whether it compares units or reps, and the KPI it ranks by; the Funnel's counting mode,
# its "within N days" window (none: any time) and split.
P_TREND, P_LEAGUE, P_DRILL, P_COMPARE, P_RANK = "trend", "league", "drill", "compare", "rank"
P_MODE, P_WITHIN, P_SPLIT = "mode", "within", "split"
LEAGUE_BY = ("unit", "bu")
UNITS_COMPARE = ("unit", "rep")
FUNNEL_MODES = ("cohort", "snapshot")
FUNNEL_SPLITS = ("unit", "source", "campaign", "rep", "bu")
#: The longest "within N days" window the Funnel takes.
MAX_WITHIN_DAYS = 3650
_DAYS = re.compile(r"^\d{1,4}$", re.ASCII)


def _within_days(value: str) -> bool:
    return bool(_DAYS.match(value)) and int(value) <= MAX_WITHIN_DAYS


# Page state of the weekly operating views (their URL parameter names and allowed values).
# --- lead to cash: constants ---
# The Lead to cash page: what its 13-week chart and table show (amounts or order counts), and which orders waiting it lists.
P_L2C_SHOW, P_L2C_WAIT = "l2c_show", "l2c_wait"
# ... and the orders behind a week's figure: the step and the week (1–13; 0, the default: whichever week is this week).
P_L2C_STEP, P_L2C_WEEK = "l2c_step", "l2c_week"
L2C_STEPS = ("booked", "shipped", "invoiced", "collected")


def _quarter_week(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 2 and 0 <= int(value) <= 13

L2C_SHOW = ("amount", "orders")
L2C_WAIT = ("past_due", "invoiced_not_paid", "shipped_not_invoiced", "booked_not_shipped")
# --- pipeline and forecast: constants ---
# The project-grade floor (a grade code, or "all": the default, every grade), the weighted pipeline's close
# bucket and split, forecast accuracy's period, and the split of the win/loss tables.
P_GRADE, P_PIPE_CLOSE, P_PIPE_BY, P_PIPE_ACCURACY, P_PIPE_LOSS_BY = "grade", "close", "pipe_by", "accuracy", "loss_by"
ALL_GRADES = "all"
PIPE_CLOSE = ("month", "week")
PIPE_BY = ("unit", "bu", "product")
PIPE_ACCURACY = ("month", "quarter")
PIPE_LOSS_BY = ("unit", "product")
_GRADE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$", re.ASCII)


def _grade_code(value: str) -> bool:
    """A grade code's shape (the page checks it against the CRM's grades) or "all"."""
    return bool(_GRADE.match(value))


# ... and its drill-throughs: the bar (an expected close week or month, its first day as YYYY-MM-DD, or "all"; and a
# group code, "*" for every group, "~" for none), the forecast category, and the loss reason or competitor
# ("reason:<code>" or "competitor:<name>"). The page checks each against what it offers.
P_PIPE_BUCKET, P_PIPE_GROUP, P_PIPE_CATEGORY, P_PIPE_WINLOSS = "pipe_bucket", "pipe_group", "pipe_category", "pipe_winloss"
PIPE_CATEGORIES = ("closed_won", "commit", "best_case", "pipeline")
_BUCKET = re.compile(r"^(all|\d{4}-\d{2}-\d{2})$", re.ASCII)
_GROUP = re.compile(r"^[A-Za-z0-9_.~*-]{1,40}$", re.ASCII)


def _pipe_bucket(value: str) -> bool:
    return bool(_BUCKET.match(value))


def _pipe_group(value: str) -> bool:
    return bool(_GROUP.match(value))


def _pipe_winloss(value: str) -> bool:
    kind, _, rest = value.partition(":")
    return kind in ("reason", "competitor") and 0 < len(rest) <= 80 and rest.isprintable()


# --- campaigns and sources: constants ---
# The Campaigns page: what its table groups by (campaign, campaign kind or lead source channel) and the row it
# drills into (a campaign id, a kind or channel code, or "none": the leads with none; checked against the rows),
# and which of its leads the drill-through lists (metrics.campaigns.RECORD_STAGES).
P_MKT_BY, P_MKT_PICK, P_MKT_STAGE = "mkt_by", "mkt_pick", "mkt_stage"
MKT_BY = ("campaign", "kind", "source")
MKT_STAGES = ("lead", "opportunity", "customer")
_MKT_PICK = re.compile(r"^[A-Za-z0-9_-]{1,40}$", re.ASCII)


def _mkt_pick(value: str) -> bool:
    return bool(_MKT_PICK.match(value))


# --- hand-offs and ownership: constants ---
#: The Hand-offs page's response limit, in whole hours (default 24: metrics.handoffs.LIMIT_HOURS).
P_RESPONSE_LIMIT = "response_limit"
MAX_RESPONSE_LIMIT_HOURS = 720
_HOURS = re.compile(r"^\d{1,3}$", re.ASCII)


def _response_limit(value: str) -> bool:
    return bool(_HOURS.match(value)) and 1 <= int(value) <= MAX_RESPONSE_LIMIT_HOURS


#: Its drill-throughs: whose breached leads it lists ("all", "team:CODE" or "rep:CODE"; the page checks the code
#: against the teams and reps with a breach), the kind of ownership records and the outcome of the returned leads.
P_HAND_BREACHED_OF, P_HAND_OWN_KIND, P_HAND_RETURNED = "hand_breached_of", "hand_own_kind", "hand_returned_outcome"
HAND_BREACHED_ALL = "all"
_BREACHED_OF = re.compile(r"^(all|(team|rep):[A-Za-z0-9_.-]{1,40})$", re.ASCII)
from metrics.handoffs import OUTCOMES as HAND_OUTCOMES, OWNERSHIP as HAND_OWNERSHIP  # noqa: E402 - this page's block


def _breached_of(value: str) -> bool:
    return bool(_BREACHED_OF.match(value))

#: The wall screen (``?wall=1``): a page alone, large, refreshing itself every ``every`` seconds (default and bounds).
P_WALL, P_WALL_EVERY = "wall", "every"
WALL_EVERY_DEFAULT, WALL_EVERY_MIN, WALL_EVERY_MAX = 300, 30, 3600


def _wall_every(value: str) -> bool:
    return value.isascii() and value.isdigit() and WALL_EVERY_MIN <= int(value) <= WALL_EVERY_MAX


#: Each page parameter's allowed values (a tuple, a check of the text, or None: a unit the viewer
#: may see) and its default, which the URL leaves out.
PAGE_PARAMS: dict[str, tuple[tuple[str, ...] | Callable[[str], bool] | None, str | None]] = {
    P_TREND: (HEADLINE, HEADLINE[0]),
    P_LEAGUE: (LEAGUE_BY, LEAGUE_BY[0]),
    P_DRILL: (None, None),
    P_COMPARE: (UNITS_COMPARE, UNITS_COMPARE[0]),
    P_RANK: (HEADLINE, HEADLINE[0]),
    P_MODE: (FUNNEL_MODES, FUNNEL_MODES[0]),
    P_WITHIN: (_within_days, None),
    P_SPLIT: (FUNNEL_SPLITS, FUNNEL_SPLITS[0]),
    # --- lead to cash ---
    P_L2C_SHOW: (L2C_SHOW, L2C_SHOW[0]),
    P_L2C_WAIT: (L2C_WAIT, L2C_WAIT[0]),
    P_L2C_STEP: (L2C_STEPS, L2C_STEPS[0]),
    P_L2C_WEEK: (_quarter_week, "0"),
    # --- pipeline and forecast ---
    P_GRADE: (_grade_code, ALL_GRADES),
    P_PIPE_CLOSE: (PIPE_CLOSE, PIPE_CLOSE[0]),
    P_PIPE_BY: (PIPE_BY, PIPE_BY[0]),
    P_PIPE_ACCURACY: (PIPE_ACCURACY, PIPE_ACCURACY[0]),
    P_PIPE_LOSS_BY: (PIPE_LOSS_BY, PIPE_LOSS_BY[0]),
    P_PIPE_BUCKET: (_pipe_bucket, "all"),
    P_PIPE_GROUP: (_pipe_group, "*"),
    P_PIPE_CATEGORY: (PIPE_CATEGORIES, None),
    P_PIPE_WINLOSS: (_pipe_winloss, None),
    # --- campaigns and sources ---
    P_MKT_BY: (MKT_BY, MKT_BY[0]),
    P_MKT_PICK: (_mkt_pick, None),
    P_MKT_STAGE: (MKT_STAGES, MKT_STAGES[0]),
    # --- hand-offs and ownership ---
    P_RESPONSE_LIMIT: (_response_limit, "24"),
    P_HAND_BREACHED_OF: (_breached_of, HAND_BREACHED_ALL),
    P_HAND_OWN_KIND: (HAND_OWNERSHIP, HAND_OWNERSHIP[0]),
    P_HAND_RETURNED: (HAND_OUTCOMES, None),
    # --- the wall screen ---
    P_WALL: (("1",), None),
    P_WALL_EVERY: (_wall_every, str(WALL_EVERY_DEFAULT)),
}
#: Widgets whose value is page state: copied into it after every interaction (see write_url).
PAGE_WIDGETS = {
    P_TREND: "overview_trend_metric",
    P_LEAGUE: "overview_league",
    P_COMPARE: "units_compare",
    P_RANK: "units_rank",
    P_MODE: "funnel_mode",
    P_WITHIN: "funnel_within",
    P_SPLIT: "funnel_split",
    # --- lead to cash ---
    P_L2C_SHOW: "ltc_show",
    P_L2C_WAIT: "ltc_wait",
    P_L2C_STEP: "ltc_flow",
    P_L2C_WEEK: "ltc_week",
    # --- pipeline and forecast ---
    P_GRADE: "pipe_grade",
    P_PIPE_CLOSE: "pipe_close",
    P_PIPE_BY: "pipe_by",
    P_PIPE_ACCURACY: "pipe_accuracy",
    P_PIPE_LOSS_BY: "pipe_loss_by",
    P_PIPE_BUCKET: "pipe_drill_bucket",
    P_PIPE_GROUP: "pipe_drill_group",
    P_PIPE_CATEGORY: "pipe_drill_category",
    P_PIPE_WINLOSS: "pipe_drill_winloss",
    # --- campaigns and sources ---
    P_MKT_BY: "mkt_by",
    P_MKT_PICK: "mkt_pick",
    P_MKT_STAGE: "mkt_stage",
    # --- hand-offs and ownership ---
    P_RESPONSE_LIMIT: "hand_limit",
    P_HAND_BREACHED_OF: "hand_breached_of",
    P_HAND_OWN_KIND: "hand_own_kind",
    P_HAND_RETURNED: "hand_returned_outcome",
}
KNOWN = {P_PERIOD, P_START, P_END, P_UNIT, P_LANG, *LIST_PARAMS, *PAGE_PARAMS}
#: Parameters Streamlit itself reads; not ours to judge.
RESERVED = {"embed", "embed_options"}
MAX_VALUE_CHARS = 100
MAX_VALUES = 50
MAX_RANGE_YEARS = 20
DEFAULT_PRESET = "qtd"
#: The unit selector's "all my units" (a selectbox shows None as no selection).
ALL_UNITS = "*"

# Widget keys (session state).
K_PERIOD, K_RANGE, K_UNIT = "flt_period", "flt_range", "flt_unit"
K_LISTS = {"bus": "flt_bu", "segments": "flt_segment", "products": "flt_product", "sources": "flt_source"}
URL_READ = "granary.url_read"
NOTICES = "granary.notices"
PAGE_STATE = "granary.page_state"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Notice = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class Choices:
    """What this viewer may pick in each filter (codes)."""

    units: tuple[str, ...]
    bus: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selection:
    """The filter bar's state, in codes: what the URL carries."""

    preset: str
    start: date
    end: date
    unit: str | None
    bus: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    lang: str = DEFAULT_LANG


def date_bounds(as_of: date) -> tuple[date, date]:
    """The earliest and latest dates a custom range may use."""
    return date(as_of.year - MAX_RANGE_YEARS, 1, 1), as_of + timedelta(days=366)


def unit_choices(tree: OrgTree, viewer: Viewer) -> tuple[str | None, ...]:
    """The viewer's units in tree order (parents before children); led by ALL_UNITS when the
    viewer's units have more than one top."""
    visible = tree.visible_units(viewer)
    ids = {u.unit_id for u in visible}
    tops = [u for u in visible if u.parent_id not in ids]
    ordered: list[str] = []

    def walk(unit_id: int) -> None:
        for child in tree.children(unit_id):
            if child.unit_id in ids:
                ordered.append(child.code)
                walk(child.unit_id)

    for top in tops:
        ordered.append(top.code)
        walk(top.unit_id)
    return (ALL_UNITS, *ordered) if len(tops) != 1 else tuple(ordered)


def choices_for(tree: OrgTree, viewer: Viewer, opts: FilterOptions) -> Choices:
    return Choices(
        units=unit_choices(tree, viewer),
        bus=tuple(o.code for o in opts.bus),
        segments=tuple(opts.segments),
        products=tuple(o.code for o in opts.products),
        sources=tuple(opts.sources),
    )


def default_selection(choices: Choices, as_of: date, cal: Calendar, lang: str = DEFAULT_LANG) -> Selection:
    period = preset_period(DEFAULT_PRESET, as_of, cal)
    return Selection(DEFAULT_PRESET, period.start, period.end, choices.units[0] if choices.units else None, lang=lang)


def _date(text: str, lo: date, hi: date) -> date | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    return value if lo <= value <= hi else None


def parse_lang(params: Mapping[str, Sequence[str]]) -> tuple[str | None, list[Notice]]:
    values = list(params.get(P_LANG, ()))
    if not values:
        return None, []
    if values[0] in LANGS:
        return values[0], []
    return None, [("url.bad_value", {"param": P_LANG})]


def parse(params: Mapping[str, Sequence[str]], choices: Choices, as_of: date, cal: Calendar) -> tuple[Selection, list[Notice]]:
    """The selection a URL asks for, limited to ``choices``, and a notice per ignored value.

    Never raises: a value that is too long, unknown, malformed or outside the viewer's scope
    is dropped and reported (by parameter name only; the value itself is never echoed).
    """
    notices: list[Notice] = []
    base = default_selection(choices, as_of, cal)
    values: dict[str, object] = {}

    def first(name: str) -> str | None:
        got = [v for v in params.get(name, ()) if isinstance(v, str)]
        if not got:
            return None
        if len(got[0]) > MAX_VALUE_CHARS:
            notices.append(("url.bad_value", {"param": name}))
            return None
        return got[0]

    unknown = sum(1 for name in params if name not in KNOWN and name not in RESERVED)
    if unknown:
        notices.append(("url.unknown", {"n": unknown}))

    lang, lang_notices = parse_lang(params)
    notices += lang_notices
    if lang:
        values["lang"] = lang

    preset = first(P_PERIOD)
    if preset is not None and preset not in PRESETS:
        notices.append(("url.bad_value", {"param": P_PERIOD}))
        preset = None
    start_text, end_text = first(P_START), first(P_END)
    if preset in (None, "custom") and (start_text is not None or end_text is not None):
        lo, hi = date_bounds(as_of)
        start = _date(start_text, lo, hi) if start_text is not None else None
        end = _date(end_text, lo, hi) if end_text is not None else None
        if start_text is not None and start is None:
            notices.append(("url.bad_date", {"param": P_START}))
        if end_text is not None and end is None:
            notices.append(("url.bad_date", {"param": P_END}))
        if start is not None and end is not None:
            if start <= end and (end - start).days <= 366 * MAX_RANGE_YEARS:
                values.update(preset="custom", start=start, end=end)
            else:
                notices.append(("url.bad_range", {}))
        elif start is not None or end is not None:
            notices.append(("url.bad_range", {}))
    elif preset == "custom":
        notices.append(("url.bad_range", {}))
    elif preset is not None:
        period = preset_period(preset, as_of, cal)
        values.update(preset=preset, start=period.start, end=period.end)

    unit = first(P_UNIT)
    if unit is not None:
        if unit in choices.units:
            values["unit"] = unit
        else:
            notices.append(("url.out_of_scope", {"param": P_UNIT}))

    for name, attr in LIST_PARAMS.items():
        raw = [v for v in params.get(name, ()) if isinstance(v, str)]
        if not raw:
            continue
        if len(raw) > MAX_VALUES:
            notices.append(("url.too_many", {"param": name}))
            raw = raw[:MAX_VALUES]
        allowed = getattr(choices, attr)
        kept = tuple(dict.fromkeys(v for v in raw if v in allowed))
        if len(kept) < len(set(raw)):
            notices.append(("url.bad_value", {"param": name}))
        values[attr] = kept

    selection = Selection(
        preset=str(values.get("preset", base.preset)),
        start=values.get("start", base.start),  # type: ignore[arg-type]
        end=values.get("end", base.end),  # type: ignore[arg-type]
        unit=values.get("unit", base.unit),  # type: ignore[arg-type]
        bus=values.get("bus", ()),  # type: ignore[arg-type]
        segments=values.get("segments", ()),  # type: ignore[arg-type]
        products=values.get("products", ()),  # type: ignore[arg-type]
        sources=values.get("sources", ()),  # type: ignore[arg-type]
        lang=str(values.get("lang", base.lang)),
    )
    return selection, notices


def parse_page(params: Mapping[str, Sequence[str]], choices: Choices) -> tuple[dict[str, str], list[Notice]]:
    """The page state a URL asks for (:data:`PAGE_PARAMS`), and a notice per refused value.

    A drill path must name a unit this viewer may see: any other code — unknown, or outside the
    viewer's scope — is refused with a notice and never stored, so a link cannot widen the scope.
    """
    state: dict[str, str] = {}
    notices: list[Notice] = []
    for name, (allowed, default) in PAGE_PARAMS.items():
        got = [v for v in params.get(name, ()) if isinstance(v, str)]
        if not got:
            continue
        value = got[0]
        if len(value) > MAX_VALUE_CHARS:
            notices.append(("url.bad_value", {"param": name}))
        elif allowed is None:
            if value in choices.units and value != ALL_UNITS:
                state[name] = value
            else:
                notices.append(("url.out_of_scope", {"param": name}))
        elif _allows(name, value):
            if value != default:
                state[name] = value
        else:
            notices.append(("url.bad_value", {"param": name}))
    return state, notices


def _allows(name: str, value: str) -> bool:
    """Whether ``value`` is one page parameter ``name`` may take (never a unit: see parse_page)."""
    allowed = PAGE_PARAMS[name][0]
    if callable(allowed):
        return allowed(value)
    return allowed is not None and value in allowed


def page_params(state: Mapping[str, object]) -> dict[str, list[str]]:
    """The URL parameters of the page state (defaults left out)."""
    return {
        name: [str(state[name])]
        for name, (_allowed, default) in PAGE_PARAMS.items()
        if state.get(name) is not None and state.get(name) != default
    }


def drill_allowed(tree: OrgTree, viewer: Viewer, unit: str | None, drill: str) -> bool:
    """Whether the Units page may drill into ``drill`` under the filtered ``unit``: a unit the
    viewer may see, inside the filtered unit's subtree (anywhere in scope with no unit filter)."""
    target = tree.by_code(drill)
    if target is None:
        return False
    visible = tree.visible_ids(viewer)
    if visible is not None and target.unit_id not in visible:
        return False
    return unit is None or target.unit_id in tree.subtree_ids(unit)


def to_params(sel: Selection) -> dict[str, list[str]]:
    """The URL parameters that reproduce ``sel`` (empty filters left out)."""
    out: dict[str, list[str]] = {P_LANG: [sel.lang]}
    if sel.preset == "custom":
        out[P_START], out[P_END] = [sel.start.isoformat()], [sel.end.isoformat()]
    else:
        out[P_PERIOD] = [sel.preset]
    if sel.unit and sel.unit != ALL_UNITS:
        out[P_UNIT] = [sel.unit]
    for name, attr in LIST_PARAMS.items():
        codes = getattr(sel, attr)
        if codes:
            out[name] = list(codes)
    return out


def to_filters(sel: Selection, as_of: date, cal: Calendar) -> Filters:
    """The Filters the metrics run with."""
    if sel.preset == "custom":
        period = Period(sel.start, sel.end, grain_for((sel.end - sel.start).days + 1), "days")
    else:
        period = preset_period(sel.preset, as_of, cal)
    return Filters(period, None if sel.unit == ALL_UNITS else sel.unit, sel.bus, sel.segments, sel.products, sel.sources)


# --- Streamlit side -----------------------------------------------------------------------------


def _params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params.keys()}


def link_to(**extra: str) -> dict[str, list[str]]:
    """This run's link parameters (only those Granary reads, as the filter bar wrote them) with ``extra`` set: for a
    link to the same view in another form (the key accounts' wall screen)."""
    return {k: v for k, v in _params().items() if k in KNOWN} | {k: [v] for k, v in extra.items()}


def wall_mode() -> bool:
    """Whether the link asks for the wall screen (``?wall=1``): no sidebar, no filter widgets, no menu — the filters
    come from the link alone, as a screen across a room has no one to click."""
    return st.query_params.get(P_WALL) == "1"


def wall_every() -> int:
    """The wall screen's refresh interval in seconds (``?every=``, within its bounds; else the default)."""
    value = page_value(P_WALL_EVERY)
    return int(value) if value is not None and _wall_every(value) else WALL_EVERY_DEFAULT


def url_selection(choices: Choices, as_of: date, cal: Calendar) -> Selection:
    """The selection the link asks for, checked as :func:`apply_url` checks it, with no widget drawn (the wall screen)."""
    return parse(_params(), choices, as_of, cal)[0]


def init_language() -> str:
    """On the session's first run, the language comes from the URL (else the browser's locale);
    afterwards from the switch. Call before anything is written."""
    if LANG_KEY not in st.session_state:
        lang, notices = parse_lang(_params())
        if lang is None:
            locale = str(getattr(st.context, "locale", "") or "")
            lang = "zh" if locale.lower().startswith("zh") else DEFAULT_LANG
        st.session_state[LANG_KEY] = lang
        st.session_state.setdefault(NOTICES, []).extend(notices)
    return current_lang()


def _clear_notices() -> None:
    st.session_state[NOTICES] = []


def _language_changed() -> None:
    # Re-assign the filter widgets' values so the browser redraws their labels in the new
    # language (a selectbox otherwise keeps showing the old language's text for its value).
    state = st.session_state
    for key in (K_PERIOD, K_UNIT, *K_LISTS.values()):
        if key in state:
            state[key] = state[key]
    _clear_notices()


def language_switch() -> None:
    st.segmented_control(
        t("lang.label"),
        LANGS,
        format_func=LANG_NAMES.__getitem__,
        key=LANG_KEY,
        required=True,
        label_visibility="collapsed",
        width="stretch",
        on_change=_language_changed,
    )


def _store(sel: Selection) -> None:
    state = st.session_state
    state[K_PERIOD] = sel.preset
    state[K_RANGE] = (sel.start, sel.end)
    state[K_UNIT] = sel.unit
    for attr, key in K_LISTS.items():
        state[key] = list(getattr(sel, attr))


def apply_url(choices: Choices, as_of: date, cal: Calendar) -> None:
    """On the session's first run, set the filter widgets from the URL (checked)."""
    if st.session_state.get(URL_READ):
        return
    sel, notices = parse(_params(), choices, as_of, cal)
    _store(sel)
    page_state, page_notices = parse_page(_params(), choices)
    st.session_state[PAGE_STATE] = page_state
    notices += page_notices
    # The language notice was already raised by init_language.
    st.session_state.setdefault(NOTICES, []).extend(n for n in notices if n[1].get("param") != P_LANG)
    st.session_state[URL_READ] = True


def _sanitise(choices: Choices, as_of: date, cal: Calendar) -> None:
    """Keep the widget state inside the current choices (the data may have changed)."""
    state = st.session_state
    base = default_selection(choices, as_of, cal)
    if state.get(K_PERIOD) not in PRESETS:
        state[K_PERIOD] = base.preset
    if state.get(K_UNIT, base.unit) not in choices.units:
        state[K_UNIT] = base.unit
    for attr, key in K_LISTS.items():
        allowed = getattr(choices, attr)
        state[key] = [v for v in state.get(key, []) if v in allowed]
    lo, hi = date_bounds(as_of)
    current = state.get(K_RANGE)
    if not isinstance(current, tuple | list) or not current or not all(isinstance(d, date) and lo <= d <= hi for d in current):
        state[K_RANGE] = (base.start, base.end)


def _keep_drill_inside(tree: OrgTree, choices: Choices, unit: str | None) -> None:
    """Forget a drill path that the unit filter no longer contains (the filter moved up, down or
    across), before the URL is written: the Units page then starts again at the filtered unit."""
    drill = _page_state().get(P_DRILL)
    if drill is None:
        return
    target = tree.by_code(drill)
    inside = unit in (None, ALL_UNITS) or (target is not None and target.unit_id in tree.subtree_ids(unit))
    if not inside or drill not in choices.units or drill == unit:
        set_page_value(P_DRILL, None)


def _reset(choices: Choices, as_of: date, cal: Calendar) -> None:
    _store(default_selection(choices, as_of, cal))
    _clear_notices()


def filter_bar(tree: OrgTree, opts: FilterOptions, choices: Choices, as_of: date, cal: Calendar) -> Selection:
    """Draw the filter bar (call inside ``st.sidebar``) and return its selection."""
    _sanitise(choices, as_of, cal)
    state = st.session_state
    lang = current_lang()
    st.selectbox(t("filters.period"), PRESETS, format_func=lambda p: t(f"preset.{p}"), key=K_PERIOD, on_change=_clear_notices)
    custom = state[K_PERIOD] == "custom"
    if not custom:
        period = preset_period(state[K_PERIOD], as_of, cal)
        state[K_RANGE] = (period.start, period.end)
    lo, hi = date_bounds(as_of)
    picked = st.date_input(
        t("filters.range"),
        key=K_RANGE,
        min_value=lo,
        max_value=hi,
        disabled=not custom,
        format="YYYY-MM-DD",
        on_change=_clear_notices,
        label_visibility="collapsed",
    )
    dates = tuple(picked) if isinstance(picked, tuple | list) else (picked,)
    if custom and len(dates) < 2:
        st.caption(t("filters.range_incomplete"))
    start = dates[0] if dates and dates[0] else as_of
    end = dates[1] if len(dates) > 1 and dates[1] else start

    names = {u.code: u.name for u in tree.units}
    depth = {code: len(tree.path(code)) for code in choices.units if code != ALL_UNITS}
    top = min(depth.values(), default=1)
    st.selectbox(
        t("filters.unit"),
        choices.units,
        format_func=lambda c: t("filters.all_units") if c == ALL_UNITS else "\u2003" * (depth.get(c, top) - top) + names.get(c, c),
        key=K_UNIT,
        on_change=_clear_notices,
    )
    bu_names = {o.code: o.name for o in opts.bus}
    product_names = {o.code: o.name for o in opts.products}
    for attr, label, fmt in (
        ("bus", "filters.bu", lambda c: bu_names.get(c, c)),
        ("segments", "filters.segment", lambda c: display("segment", c, lang)),
        ("products", "filters.product", lambda c: product_names.get(c, c)),
        ("sources", "filters.source", lambda c: display("channel", c, lang)),
    ):
        st.multiselect(t(label), getattr(choices, attr), format_func=fmt, key=K_LISTS[attr], placeholder=t("filters.all"), on_change=_clear_notices)
    st.button(t("filters.reset"), on_click=_reset, args=(choices, as_of, cal), type="tertiary", icon=":material/restart_alt:")
    _keep_drill_inside(tree, choices, state[K_UNIT])
    return Selection(
        preset=state[K_PERIOD],
        start=start,
        end=max(start, end),
        unit=state[K_UNIT],
        bus=tuple(state[K_LISTS["bus"]]),
        segments=tuple(state[K_LISTS["segments"]]),
        products=tuple(state[K_LISTS["products"]]),
        sources=tuple(state[K_LISTS["sources"]]),
        lang=lang,
    )


def _page_state() -> dict[str, str]:
    state = st.session_state.get(PAGE_STATE)
    if not isinstance(state, dict):
        state = st.session_state[PAGE_STATE] = {}
    return state


def page_value(name: str) -> str | None:
    """A page's state (:data:`PAGE_PARAMS`): restored from the link, else as last left, else the
    default. The Funnel passes it as its widgets' ``default``."""
    value = _page_state().get(name)
    return value if value is not None else PAGE_PARAMS[name][1]


def set_page_value(name: str, value: str | None) -> None:
    """Change a page's state (from a callback, so the URL written this run already has it)."""
    state = _page_state()
    if value is None or value == PAGE_PARAMS[name][1]:
        state.pop(name, None)
    else:
        state[name] = value


def write_url(sel: Selection) -> None:
    """Mirror the selection and the pages' state in the address bar (only when it differs, to
    keep history quiet: one URL update per run at most)."""
    state = st.session_state
    for name, key in PAGE_WIDGETS.items():
        if key not in state:  # the widget is on another page: its state stays as it was left
            continue
        value = state[key]
        if value is None and PAGE_PARAMS[name][1] is None:  # an optional value cleared (the Funnel's window)
            set_page_value(name, None)
        elif value is not None and _allows(name, str(value)):
            set_page_value(name, str(value))
    wanted = to_params(sel) | page_params(_page_state())
    if _params() != wanted:
        st.query_params.from_dict(wanted)


def show_notices() -> None:
    """What the URL asked for that was ignored, in the session's language."""
    notices: list[Notice] = st.session_state.get(NOTICES, [])
    if notices:
        items = list(dict.fromkeys(t(key, **values) for key, values in notices))
        st.warning(t("url.ignored", items=join(items)), icon=":material/link_off:")
