"""Altair charts, all alike: small, theme-coloured (palette from .streamlit/config.toml); and the
Plotly funnel, where Plotly does better."""

from __future__ import annotations

import altair as alt
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.base import Metric
from ui import format as fmt
from ui.i18n import label, t

HEIGHT = 240


def ink(behind: str = "background") -> alt.ExprRef:
    """A colour for text or rules drawn on ``behind`` (a Vega colour expression: the chart's
    background, or e.g. a cell's fill): whichever of the light and the dark theme's text colours
    (.streamlit/config.toml) contrasts more with it. Vega-Lite draws text and rules black by
    default, which vanishes on the dark theme's background."""
    dark = st.get_option("theme.light.textColor") or "#000000"
    light = st.get_option("theme.dark.textColor") or "#FFFFFF"
    return alt.expr(f"contrast({behind}, '{dark}') >= contrast({behind}, '{light}') ? '{dark}' : '{light}'")


def _floats(values: pd.Series) -> list[float | None]:
    return [None if v is None or v != v else float(v) for v in values]  # noqa: PLR0124 - NaN check


def sparkline(trend: pd.DataFrame) -> list[float]:
    """The trend's values for a KPI card's small chart (empty buckets of a ratio left out)."""
    return [v for v in _floats(trend["value"]) if v is not None]


def _axis_format(metric: Metric, lang: str) -> dict:
    if metric.kind == "ratio":
        return {"format": ".0%"}
    if lang == "zh":
        # Chinese readers count in 万 (10^4) and 亿 (10^8), not thousands and millions.
        return {
            "labelExpr": "abs(datum.value) >= 1e8 ? format(datum.value / 1e8, '.3~r') + '亿' : "
            "abs(datum.value) >= 1e4 ? format(datum.value / 1e4, '.3~r') + '万' : format(datum.value, ',~r')"
        }
    return {"format": "~s"}


def trend_chart(current: pd.DataFrame, year_ago: pd.DataFrame, metric: Metric, lang: str) -> alt.Chart:
    """This period's trend beside the same buckets a year earlier (aligned bucket by bucket).

    The x axis is ordinal, one tick per bucket labelled by babel ("6 Oct" / "10月6日"), so
    ticks fall on the buckets' own start days in every language and browser time zone.
    """
    this_label, last_label = t("trend.current", lang), t("trend.year_ago", lang)
    previous = _floats(year_ago["value"])
    starts = list(current["bucket_start"])
    frame = pd.DataFrame(
        {
            "bucket": [fmt.short_day(d, lang) for d in starts],
            "order": range(len(starts)),
            this_label: _floats(current["value"]),
            last_label: [previous[i] if i < len(previous) else None for i in range(len(starts))],
        }
    ).melt(id_vars=["bucket", "order"], var_name="series", value_name="value")
    tooltip_format = {"ratio": ".1%", "money": ",.2f", "hours": ",.1f", "score": ".2f"}.get(metric.kind, ",d")
    order = [fmt.short_day(d, lang) for d in starts]
    return (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.25)
        .encode(
            x=alt.X("bucket:O", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy", ticks=False, domain=False)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(**_axis_format(metric, lang), tickCount=5)),
            color=alt.Color("series:N", title=None, sort=[this_label, last_label], legend=alt.Legend(orient="top", direction="horizontal")),
            strokeDash=alt.StrokeDash("series:N", sort=[this_label, last_label], legend=None),
            tooltip=[
                alt.Tooltip("series:N", title=t("trend.series", lang)),
                alt.Tooltip("bucket:O", title=t("trend.bucket", lang)),
                alt.Tooltip("value:Q", title=label(metric.label, lang), format=tooltip_format),
            ],
        )
        .properties(height=HEIGHT)
    )


# --- Analysis pages --------------------------------------------------------------------------------


def _days_tip(field: str, title: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:Q", title=title, format=",.1f")


def cycle_ranges(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """The sales cycle's spread per unit: a bar from the 25th to the 75th percentile, a whisker on
    to the 90th and a tick at the median. ``frame``: ``name``, ``n``, ``p25``, ``median``, ``p75``, ``p90``."""
    order = list(frame["name"])
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=140))
    tips = [
        alt.Tooltip("name:N", title=t("chart.unit", lang)),
        alt.Tooltip("n:Q", title=t("chart.deals_won", lang), format=",d"),
        _days_tip("p25", t("chart.p25", lang)),
        _days_tip("median", t("chart.median", lang)),
        _days_tip("p75", t("chart.p75", lang)),
        _days_tip("p90", t("chart.p90", lang)),
    ]
    base = alt.Chart(frame).encode(y=y, tooltip=tips)
    x_title = t("chart.days", lang)
    whisker = base.mark_rule(strokeWidth=1.5, opacity=0.6, color=ink()).encode(x=alt.X("p75:Q", title=x_title), x2="p90:Q")
    box = base.mark_bar(size=20, opacity=0.35, cornerRadius=3).encode(x="p25:Q", x2="p75:Q")
    median = base.mark_tick(thickness=3, size=28).encode(x="median:Q")
    height = max(160, 48 * len(frame) + 50)
    return (whisker + box + median).properties(height=height)


def cycle_trend(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """The median sales cycle per trend bucket, over the band between the 25th and 75th percentiles.
    ``frame``: ``bucket_start``, ``n``, ``p25``, ``median``, ``p75``."""
    data = frame.assign(bucket=[fmt.short_day(d, lang) for d in frame["bucket_start"]])
    order = list(data["bucket"])
    x = alt.X("bucket:O", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy", ticks=False, domain=False))
    tips = [
        alt.Tooltip("bucket:O", title=t("trend.bucket", lang)),
        alt.Tooltip("n:Q", title=t("chart.deals_won", lang), format=",d"),
        _days_tip("median", t("chart.median", lang)),
        _days_tip("p25", t("chart.p25", lang)),
        _days_tip("p75", t("chart.p75", lang)),
    ]
    base = alt.Chart(data).encode(x=x, tooltip=tips)
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("p25:Q", title=t("chart.days", lang)), y2="p75:Q")
    line = base.mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.25).encode(y="median:Q")
    return (band + line).properties(height=HEIGHT)


def retention_bars(frame: pd.DataFrame, grr: str, nrr: str, lang: str) -> alt.Chart:
    """GRR and NRR side by side per unit (``name``, ``grr``, ``nrr``), with the 100% line."""
    data = frame.rename(columns={"grr": grr, "nrr": nrr}).melt(id_vars=["name"], value_vars=[grr, nrr], var_name="measure")
    bars = (
        alt.Chart(data)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=alt.Y("name:N", title=None, axis=alt.Axis(labelLimit=140)),
            yOffset=alt.YOffset("measure:N", sort=[grr, nrr]),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format=".0%", tickCount=4)),
            color=alt.Color("measure:N", title=None, sort=[grr, nrr], legend=alt.Legend(orient="top", direction="horizontal", labelLimit=220)),
            tooltip=[
                alt.Tooltip("name:N", title=t("chart.unit", lang)),
                alt.Tooltip("measure:N", title=t("trend.series", lang)),
                alt.Tooltip("value:Q", title=t("trend.value", lang), format=".1%"),
            ],
        )
    )
    hundred = alt.Chart(pd.DataFrame({"value": [1.0]})).mark_rule(strokeDash=[4, 3], opacity=0.6, color=ink()).encode(x="value:Q")
    return (bars + hundred).properties(height=max(180, 64 * frame["name"].nunique() + 60))


def cohort_heatmap(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Share of each first-order cohort (rows) still buying k quarters later (columns).
    ``frame``: ``cohort`` (label), ``accounts`` and one column per quarter since (0, 1, …)."""
    quarters = [c for c in frame.columns if isinstance(c, int)]
    rows = []
    for record in frame.to_dict("records"):
        for k in quarters:
            value = record[k]
            if value is not None and value == value:  # noqa: PLR0124 - NaN check
                rows.append({"cohort": record["cohort"], "accounts": record["accounts"], "k": k, "share": float(value)})
    data = pd.DataFrame(rows, columns=["cohort", "accounts", "k", "share"])
    data["label"] = [fmt.percent(v, lang, digits=0) for v in data["share"]]
    data["cohort_label"] = [f"{c} · {fmt.number(n, lang)}" for c, n in zip(data["cohort"], data["accounts"], strict=True)]
    order = list(dict.fromkeys(data["cohort_label"]))
    base = alt.Chart(data).encode(
        x=alt.X("k:O", title=t("chart.quarters_since", lang), axis=alt.Axis(labelAngle=0, ticks=False, domain=False)),
        y=alt.Y("cohort_label:N", sort=order, title=None, axis=alt.Axis(ticks=False, domain=False, labelLimit=160)),
    )
    cells = base.mark_rect(cornerRadius=2).encode(
        color=alt.Color("share:Q", title=None, scale=alt.Scale(domain=[0, 1]), legend=None),
        tooltip=[
            alt.Tooltip("cohort:N", title=t("chart.cohort", lang)),
            alt.Tooltip("accounts:Q", title=t("chart.cohort_size", lang), format=",d"),
            alt.Tooltip("k:O", title=t("chart.quarters_since", lang)),
            alt.Tooltip("share:Q", title=t("chart.retained", lang), format=".1%"),
        ],
    )
    text = base.mark_text(fontSize=11, color=ink("scale('color', datum.share)")).encode(text="label:N")
    return (cells + text).properties(height=max(HEIGHT // 2, 34 * len(order) + 40))


def wallet_scatter(frame: pd.DataFrame, currency: str, lang: str) -> alt.Chart:
    """Each account's share of wallet against its wallet size (log scale).
    ``frame``: ``account``, ``unit_name``, ``wallet``, ``revenue``, ``headroom``, ``share``."""
    data = frame.assign(wallet=frame["wallet"].astype(float), revenue=frame["revenue"].astype(float), headroom=frame["headroom"].astype(float))
    wallet_metric = Metric("w", {}, {}, "money", "up", lambda *_: None)
    money_tip = ",.0f"
    return (
        alt.Chart(data)
        .mark_circle(size=36, opacity=0.55)
        .encode(
            x=alt.X("wallet:Q", scale=alt.Scale(type="log"), title=t("chart.wallet", lang, currency=currency), axis=alt.Axis(**_axis_format(wallet_metric, lang), tickCount=5)),
            y=alt.Y("share:Q", title=t("chart.share", lang), axis=alt.Axis(format=".0%", tickCount=5)),
            tooltip=[
                alt.Tooltip("account:N", title=t("chart.account", lang)),
                alt.Tooltip("unit_name:N", title=t("chart.unit", lang)),
                alt.Tooltip("revenue:Q", title=t("chart.revenue", lang, currency=currency), format=money_tip),
                alt.Tooltip("wallet:Q", title=t("chart.wallet", lang, currency=currency), format=money_tip),
                alt.Tooltip("headroom:Q", title=t("chart.headroom", lang, currency=currency), format=money_tip),
                alt.Tooltip("share:Q", title=t("chart.share", lang), format=".1%"),
            ],
        )
        .properties(height=HEIGHT + 60)
    )


def pareto_curve(curve: pd.DataFrame, lang: str) -> alt.Chart:
    """The share of revenue from the top x% of accounts (``top_pct``, ``accounts``, ``share``)."""
    data = pd.concat([pd.DataFrame({"top_pct": [0], "accounts": [0], "share": [0.0]}), curve[["top_pct", "accounts", "share"]]])
    data = data.assign(x=data["top_pct"] / 100)
    base = alt.Chart(data).encode(
        x=alt.X("x:Q", title=t("chart.top_accounts", lang), axis=alt.Axis(format=".0%", tickCount=5), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("share:Q", title=t("chart.revenue_share", lang), axis=alt.Axis(format=".0%", tickCount=5), scale=alt.Scale(domain=[0, 1])),
        tooltip=[
            alt.Tooltip("x:Q", title=t("chart.top_accounts", lang), format=".0%"),
            alt.Tooltip("accounts:Q", title=t("chart.accounts", lang), format=",d"),
            alt.Tooltip("share:Q", title=t("chart.revenue_share", lang), format=".1%"),
        ],
    )
    even = alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "share": [0.0, 1.0]})).mark_line(strokeDash=[4, 3], opacity=0.5, color="gray").encode(x="x:Q", y="share:Q")
    return (even + base.mark_line(strokeWidth=2.25, interpolate="monotone") + base.mark_point(filled=True, size=40)).properties(height=HEIGHT)


def share_bars(frame: pd.DataFrame, category: str, field: str, title: str, lang: str) -> alt.Chart:
    """A horizontal bar per ``category`` of a ratio ``field``, in the frame's order, labelled."""
    data = frame.dropna(subset=[field]).assign(label=lambda d: [fmt.percent(v, lang) for v in d[field]])
    base = alt.Chart(data).encode(
        y=alt.Y(f"{category}:N", sort=list(data[category]), title=None, axis=alt.Axis(labelLimit=180)),
        x=alt.X(f"{field}:Q", title=title, axis=alt.Axis(format=".0%", tickCount=4)),
        tooltip=[alt.Tooltip(f"{category}:N", title=" "), alt.Tooltip(f"{field}:Q", title=title, format=".1%")],
    )
    bars = base.mark_bar(cornerRadiusEnd=3)
    text = base.mark_text(align="left", dx=4, fontSize=11, color=ink()).encode(text="label:N")
    return (bars + text).properties(height=max(160, 44 * len(data) + 50))


# --- Funnel page ---------------------------------------------------------------------------------------


def funnel_figure(stages: list[str], counts: list[int], texts: list[str], hovers: list[str]) -> go.Figure:
    """The lifecycle funnel (Plotly draws funnels better than Vega-Lite): one bar per stage, its
    count and rates written on it (``texts``) and in full on hover (``hovers``). Colours come from
    the Streamlit theme (``st.plotly_chart(theme="streamlit")``)."""
    figure = go.Figure(
        go.Funnel(
            y=stages,
            x=counts,
            text=texts,
            textinfo="text",
            # Inside a wide bar, beside a narrow one (Plotly's "auto" squeezes it into a narrow bar).
            textposition=["inside" if c >= 0.4 * max(counts, default=0) else "outside" for c in counts],
            insidetextanchor="middle",
            hovertext=hovers,
            hoverinfo="text",
            connector={"line": {"width": 0}},
            constraintext="none",
        )
    )
    figure.update_layout(
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        height=70 * len(stages) + 30,
        showlegend=False,
        yaxis={"automargin": True, "fixedrange": True},
        xaxis={"fixedrange": True},
        dragmode=False,
    )
    return figure


def stage_ranges(frame: pd.DataFrame, n_title: str, lang: str) -> alt.Chart:
    """Days per step or stage: a bar from the 25th to the 75th percentile, a line on to the 90th and
    a tick at the median. ``frame``: ``name``, ``n``, ``p25``, ``median``, ``p75``, ``p90``."""
    order = list(frame["name"])
    tips = [
        alt.Tooltip("name:N", title=" "),
        alt.Tooltip("n:Q", title=n_title, format=",d"),
        _days_tip("p25", t("chart.p25", lang)),
        _days_tip("median", t("chart.median", lang)),
        _days_tip("p75", t("chart.p75", lang)),
        _days_tip("p90", t("chart.p90", lang)),
    ]
    base = alt.Chart(frame).encode(y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=150)), tooltip=tips)
    whisker = base.mark_rule(strokeWidth=1.5, opacity=0.6, color=ink()).encode(
        x=alt.X("p75:Q", title=t("chart.days", lang), axis=alt.Axis(tickCount=4)), x2="p90:Q"
    )
    box = base.mark_bar(size=18, opacity=0.35, cornerRadius=3).encode(x="p25:Q", x2="p75:Q")
    median = base.mark_tick(thickness=3, size=26).encode(x="median:Q")
    return (whisker + box + median).properties(height=max(150, 44 * len(frame) + 50))


# --- lead to cash (pages/lead_to_cash.py) ---


def _l2c_axis(kind: str, lang: str) -> dict:
    """Axis labels for money (compact: 1.2M / 120万) or counts."""
    if kind != "money":
        return {"format": ",d"}
    return _axis_format(Metric("l2c", {}, {}, "money", "up", lambda *_: None), lang)


def _l2c_week_axis(current: str | None, lang: str) -> alt.Axis:
    """The 13 weeks along the x axis, the current one bold. Chinese week names ("第13周") are written as their
    number alone ("13"), so that 13 of them fit a phone's width as "W13" does."""
    bold = alt.expr(f"datum.value === {current!r} ? 'bold' : 'normal'") if current else "normal"
    short = {"labelExpr": "replace(replace(datum.label, '第', ''), '周', '')"} if lang == "zh" else {}
    return alt.Axis(labelAngle=0, ticks=False, domain=False, labelOverlap=False, labelFontWeight=bold, **short)


def l2c_week_points(weeks: pd.DataFrame, names: dict[str, str], show: str, currency: str, lang: str) -> pd.DataFrame:
    """:func:`l2c_weeks`' points from the weekly flows (metrics.lead_to_cash.weekly_flows, with ``label``, ``dates`` and
    ``status_text`` added): a row per week and step of ``names`` (step → its name, in order), ``show`` amount or orders."""
    return pd.DataFrame(
        [
            {"week": row["label"], "dates": row["dates"], "status": row["status"], "status_text": row["status_text"],
             "flow": name, "value": float(row[f"{flow}_{show}"]),
             "text": fmt.money(row[f"{flow}_{show}"], currency, lang, compact=True) if show == "amount" else fmt.number(row[f"{flow}_{show}"], lang)}
            for row in weeks.to_dict("records")
            for flow, name in names.items()
        ]
    )


def l2c_weeks(weeks: pd.DataFrame, names: dict[str, str], show: str, current: str | None, currency: str, lang: str) -> alt.Chart:
    """The quarter's 13 weeks: a bar per step (``names``: step → name, in order) and week, weeks done drawn solid, the
    current week (counted to the as-of day) faded over a shaded band, the weeks to come as a lighter band with nothing
    drawn. ``weeks`` as :func:`l2c_week_points` reads it; ``show`` amount or orders; ``current`` the current week's label.
    The bands are the theme's text colour, faint: grey on either background."""
    frame = l2c_week_points(weeks, names, show, currency, lang)
    flows, kind = list(names.values()), "money" if show == "amount" else "count"
    order = list(dict.fromkeys(frame["week"]))
    x = alt.X("week:O", sort=order, title=None, axis=_l2c_week_axis(current, lang))
    weeks = frame.drop_duplicates("week")[["week", "dates", "status", "status_text"]]
    shaded = weeks[weeks["status"] != "past"].assign(shade=lambda d: [0.16 if s == "current" else 0.07 for s in d["status"]])
    band = (
        alt.Chart(shaded)
        .mark_rect(color=ink())
        .encode(x=x, opacity=alt.Opacity("shade:Q", legend=None, scale=None),
                tooltip=[alt.Tooltip("week:N", title=t("ltc.chart.week", lang)), alt.Tooltip("dates:N", title=" "),
                         alt.Tooltip("status_text:N", title=" ")])
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2)
        .encode(
            x=x,
            xOffset=alt.XOffset("flow:N", sort=flows),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(**_l2c_axis(kind, lang), tickCount=5)),
            # Two columns of two: the four names fit a phone's width too.
            color=alt.Color("flow:N", title=None, sort=flows, legend=alt.Legend(orient="top", direction="horizontal", columns=2, labelLimit=200)),
            opacity=alt.condition("datum.status === 'current'", alt.value(0.55), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("week:N", title=t("ltc.chart.week", lang)),
                alt.Tooltip("dates:N", title=" "),
                alt.Tooltip("status_text:N", title=" "),
                alt.Tooltip("flow:N", title=t("ltc.chart.step", lang)),
                alt.Tooltip("text:N", title=t("ltc.chart.value", lang)),
            ],
        )
    )
    return (band + bars).properties(height=HEIGHT + 40)


def l2c_projection(parts: dict[str, object], target: object, target_text: str | None, currency: str, lang: str) -> alt.Chart:
    """Closed so far and the weighted open pipeline (``parts``: name → amount, None as nothing) as one stacked bar, with
    a mark at the target, labelled ``target_text``, when there is one."""
    values = [0.0 if v is None or v != v else float(v) for v in parts.values()]  # type: ignore[arg-type]  # noqa: PLR0124 - NaN
    names = list(parts)
    data = pd.DataFrame({"part": names, "value": values, "order": range(len(names)), "row": " ",
                         "text": [fmt.money(v, currency, lang) for v in values]})
    at = None if target is None or target != target else float(target)  # type: ignore[arg-type]  # noqa: PLR0124
    top = max(sum(values), at or 0.0) * 1.12 or 1.0
    bars = (
        alt.Chart(data)
        .mark_bar(size=30, cornerRadius=2)
        .encode(
            y=alt.Y("row:N", title=None, axis=None),
            x=alt.X("value:Q", stack="zero", title=None, scale=alt.Scale(domain=[0, top]), axis=alt.Axis(**_l2c_axis("money", lang), tickCount=5, grid=False)),
            color=alt.Color("part:N", title=None, sort=names, legend=alt.Legend(orient="top", direction="horizontal", labelLimit=220)),
            order=alt.Order("order:Q"),
            tooltip=[alt.Tooltip("part:N", title=" "), alt.Tooltip("text:N", title=t("ltc.chart.value", lang))],
        )
    )
    layers = [bars]
    if at is not None:
        mark = pd.DataFrame({"at": [at], "what": [target_text or ""], "row": " "})
        tick = alt.Chart(mark).mark_tick(orient="vertical", thickness=3, size=46, color=ink()).encode(
            x="at:Q", y=alt.Y("row:N", axis=None), tooltip=[alt.Tooltip("what:N", title=" ")]
        )
        text = alt.Chart(mark).mark_text(align="right", dx=-6, dy=-19, fontSize=11, color=ink()).encode(x="at:Q", y=alt.Y("row:N", axis=None), text="what:N")
        layers += [tick, text]
    return alt.layer(*layers).properties(height=64)


def l2c_days_trend(frame: pd.DataFrame, current: str | None, lang: str) -> alt.Chart:
    """Days from order to cash per week of payment: the median as a line over the band from the 25th to the 75th
    percentile. ``frame``: ``week`` (label, in order), ``dates``, ``n``, ``p25``, ``median``, ``p75``, ``p90`` (weeks
    with no payment have no values and are left out of the line)."""
    order = list(frame["week"])
    frame = frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce") for c in ("p25", "median", "p75", "p90", "mean")})
    x = alt.X("week:O", sort=order, title=None, scale=alt.Scale(domain=order), axis=_l2c_week_axis(current, lang))
    data = frame.dropna(subset=["median"])
    tips = [
        alt.Tooltip("week:N", title=t("ltc.chart.week", lang)),
        alt.Tooltip("dates:N", title=" "),
        alt.Tooltip("n:Q", title=t("ltc.chart.paid", lang), format=",d"),
        _days_tip("median", t("chart.median", lang)),
        _days_tip("p25", t("chart.p25", lang)),
        _days_tip("p75", t("chart.p75", lang)),
        _days_tip("p90", t("chart.p90", lang)),
    ]
    base = alt.Chart(data).encode(x=x, tooltip=tips)
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("p25:Q", title=t("chart.days", lang), scale=alt.Scale(zero=False)), y2="p75:Q")
    line = base.mark_line(point=alt.OverlayMarkDef(size=30), strokeWidth=2.25).encode(y="median:Q")
    return (band + line).properties(height=HEIGHT)


def l2c_waiting_bars(frame: pd.DataFrame, title: str, currency: str, lang: str) -> alt.Chart:
    """The amount waiting at each step (``frame``: ``name``, ``amount``, in order), labelled compactly."""
    data = pd.DataFrame({"name": frame["name"], "bar": [0.0 if a is None else float(a) for a in frame["amount"]],
                         "text": [fmt.money(a, currency, lang, compact=True) for a in frame["amount"]]})
    top = float(data["bar"].max()) if len(data) else 0.0
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=170, ticks=False, domain=False)),
        x=alt.X("bar:Q", title=None, axis=None, scale=alt.Scale(domain=[0, top * 1.4 or 1.0])),
        tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("text:N", title=title)],
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7})
    text = base.mark_text(align="left", dx=4, fontSize=11, color=ink()).encode(text="text:N")
    return (bars + text).properties(height=max(120, 34 * len(data) + 20))


# --- pipeline and forecast (pages/pipeline.py) ---


def _money_axis(lang: str) -> dict:
    """Money ticks: "1.2M" in English, 万 and 亿 in Chinese."""
    if lang == "zh":
        return {
            "labelExpr": "abs(datum.value) >= 1e8 ? format(datum.value / 1e8, '.3~r') + '亿' : "
            "abs(datum.value) >= 1e4 ? format(datum.value / 1e4, '.3~r') + '万' : format(datum.value, ',~r')"
        }
    return {"format": "~s"}


def pipeline_bars(frame: pd.DataFrame, order: list[str], title: str, group_title: str, lang: str) -> alt.Chart:
    """The weighted pipeline per expected close week or month (x, in ``order``), stacked by group.
    ``frame``: ``bucket`` (label), ``name`` (group), ``weighted`` (float), ``text`` (it written out), ``deals``."""
    groups = list(dict.fromkeys(frame["name"]))
    rotated = len(order) > 6
    # The legend (two names a row: it fits a phone) and slanted labels sit below the bars: the chart grows with them, so
    # the bars keep their height whatever the number of groups.
    height = HEIGHT + 40 + 20 * -(-len(groups) // 2) + (50 if rotated else 0)
    return (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2)
        .encode(
            x=alt.X("bucket:N", sort=order, title=None, axis=alt.Axis(labelAngle=-45 if rotated else 0, labelLimit=90)),
            y=alt.Y("weighted:Q", title=title, stack="zero", axis=alt.Axis(tickCount=4, **_money_axis(lang))),
            color=alt.Color("name:N", sort=groups, title=group_title, legend=alt.Legend(orient="bottom", columns=2, labelLimit=140, symbolLimit=60)),
            order=alt.Order("rank:Q"),
            tooltip=[alt.Tooltip("bucket:N", title=" "), alt.Tooltip("name:N", title=group_title), alt.Tooltip("text:N", title=title),
                     alt.Tooltip("deals:Q", title=t("pipe.deals", lang), format=",d")],
        )
        .properties(height=height)
    )


def money_bars(frame: pd.DataFrame, category: str, field: str, title: str, lang: str) -> alt.Chart:
    """A horizontal bar per ``category`` of a money ``field``, in the frame's order, labelled with ``text``."""
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", sort=list(frame[category]), title=None, axis=alt.Axis(labelLimit=160, ticks=False, domain=False)),
        x=alt.X(f"{field}:Q", title=title, axis=alt.Axis(tickCount=4, **_money_axis(lang)),
                scale=alt.Scale(domain=[0, float(frame[field].max() or 1) * 1.3])),
        tooltip=[alt.Tooltip(f"{category}:N", title=" "), alt.Tooltip("text:N", title=title)],
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7})
    text = base.mark_text(align="left", dx=4, fontSize=11, color=ink()).encode(text="text:N")
    return (bars + text).properties(height=max(120, 40 * len(frame) + 50))


def accuracy_chart(frame: pd.DataFrame, order: list[str], money_title: str, accuracy_title: str, lang: str) -> alt.Chart:
    """Forecast against actual per period (bars side by side, in the frame's order of ``what``) and the accuracy (a line on
    the right axis). ``frame``: ``period``, ``what`` (forecast or actual, named), ``amount``, ``text``, ``accuracy`` and
    ``accuracy_text``."""
    kinds = list(dict.fromkeys(frame["what"]))  # forecast first in every language (Vega would sort the names)
    x = alt.X("period:N", sort=order, title=None, axis=alt.Axis(labelAngle=0 if len(order) <= 6 else -45, labelLimit=90))
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopLeft=2, cornerRadiusTopRight=2)
        .encode(
            x=x,
            xOffset=alt.XOffset("what:N", sort=kinds),
            y=alt.Y("amount:Q", title=money_title, axis=alt.Axis(tickCount=4, **_money_axis(lang))),
            color=alt.Color("what:N", sort=kinds, title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("period:N", title=" "), alt.Tooltip("what:N", title=" "), alt.Tooltip("text:N", title=money_title),
                     alt.Tooltip("accuracy_text:N", title=accuracy_title)],
        )
    )
    points = frame.drop_duplicates("period").dropna(subset=["accuracy"])
    line = (
        alt.Chart(points)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=40, color=ink()), color=ink(), strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            x=x,
            y=alt.Y("accuracy:Q", title=accuracy_title, axis=alt.Axis(format=".0%", tickCount=4, orient="right"), scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("period:N", title=" "), alt.Tooltip("accuracy_text:N", title=accuracy_title)],
        )
    )
    return alt.layer(bars, line).resolve_scale(y="independent").properties(height=HEIGHT + 40)


def stacked_counts(frame: pd.DataFrame, title: str, group_title: str, lang: str) -> alt.Chart:
    """A horizontal bar per ``name`` (in the frame's order) of a count, stacked by ``group``; ``text`` in the tooltip."""
    names = list(dict.fromkeys(frame["name"]))
    groups = list(dict.fromkeys(frame["group"]))
    return (
        alt.Chart(frame)
        .mark_bar(height={"band": 0.7})
        .encode(
            y=alt.Y("name:N", sort=names, title=None, axis=alt.Axis(labelLimit=160, ticks=False, domain=False)),
            x=alt.X("count:Q", title=title, stack="zero", axis=alt.Axis(tickCount=4, format=",d")),
            color=alt.Color("group:N", sort=groups, title=group_title, legend=alt.Legend(orient="bottom", columns=2, labelLimit=140, symbolLimit=60)),
            tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("group:N", title=group_title), alt.Tooltip("count:Q", title=title, format=",d"),
                     alt.Tooltip("text:N", title=t("pipe.lost_amount", lang))],
        )
        .properties(height=max(140, 36 * len(names) + 70) + 20 * -(-len(groups) // 2))
    )


# --- campaigns and sources (pages/marketing.py) ---


def campaign_leads(frame: pd.DataFrame, titles: dict[str, str], lang: str) -> alt.Chart:
    """Leads per campaign (kind, channel) as a faint bar, the opportunities among them as a solid one over
    it, and "leads · opportunities · customers" at its end, in the frame's order. ``frame``: ``name``,
    ``leads``, ``opportunities``, ``customers``; ``titles``: the three measures' names."""
    data = frame.assign(
        text=[
            f"{fmt.number(n, lang)} · {fmt.number(o, lang)} · {fmt.number(c, lang)}"
            for n, o, c in zip(frame["leads"], frame["opportunities"], frame["customers"], strict=True)
        ]
    )
    top = float(data["leads"].max()) if len(data) else 1.0
    y = alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=170, ticks=False, domain=False))
    x = alt.X("leads:Q", title=titles["leads"], axis=alt.Axis(tickCount=4, grid=False, format="~s"), scale=alt.Scale(domain=[0, top * 1.45 or 1.0]))
    tips = [alt.Tooltip("name:N", title=" ")] + [alt.Tooltip(f"{k}:Q", title=titles[k], format=",d") for k in ("leads", "opportunities", "customers")]
    base = alt.Chart(data).encode(y=y, tooltip=tips)
    leads = base.mark_bar(opacity=0.35, cornerRadiusEnd=3, height={"band": 0.72}).encode(x=x)
    opps = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.72}).encode(x="opportunities:Q")
    text = base.mark_text(align="left", dx=4, fontSize=11, color=ink()).encode(x="leads:Q", text="text:N")
    return (leads + opps + text).properties(height=max(120, 30 * len(data) + 70))  # the whole chart: axis and title included


def campaign_cost_revenue(frame: pd.DataFrame, cost_title: str, revenue_title: str, roi_title: str, currency: str, lang: str) -> alt.Chart:
    """Cost as a wide faint bar and the revenue set against it as a narrow solid one over it, per campaign (or
    kind), with its ROI written at the end of the pair, in the frame's order. ``frame``: ``name``, ``cost``, ``revenue`` (floats) and ``roi`` (a fraction or None)."""
    series = [cost_title, revenue_title]
    long = pd.concat(
        [pd.DataFrame({"name": frame["name"], "series": title, "value": frame[col].astype(float)}) for title, col in zip(series, ("cost", "revenue"), strict=True)],
        ignore_index=True,
    )
    long["text"] = [fmt.money(v, currency, lang, compact=True) for v in long["value"]]
    ends = pd.DataFrame(
        {
            "name": frame["name"],
            "end": [max(float(c), float(r)) for c, r in zip(frame["cost"], frame["revenue"], strict=True)],
            "roi": [fmt.percent(None if v is None or v != v else float(v), lang) for v in frame["roi"]],  # noqa: PLR0124
        }
    )
    top = float(ends["end"].max()) if len(ends) else 1.0
    order = list(frame["name"])
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=170, ticks=False, domain=False))
    from metrics.registry import REGISTRY  # a money metric, for the axis's money format

    axis = alt.Axis(tickCount=4, grid=False, **_axis_format(REGISTRY["revenue"], lang))
    x = alt.X("value:Q", title=currency, axis=axis, scale=alt.Scale(domain=[0, top * 1.4 or 1.0]))
    color = alt.Color("series:N", scale=alt.Scale(domain=series), title=None, legend=alt.Legend(orient="top", direction="horizontal"))
    tips = [alt.Tooltip("name:N", title=" "), alt.Tooltip("series:N", title=" "), alt.Tooltip("text:N", title=currency)]
    # Cost as a wide, faint bar; the revenue set against it as a narrow solid one over it: both show whichever is larger.
    cost = alt.Chart(long[long["series"] == cost_title]).mark_bar(opacity=0.45, cornerRadiusEnd=3, height={"band": 0.75})
    revenue = alt.Chart(long[long["series"] == revenue_title]).mark_bar(cornerRadiusEnd=3, height={"band": 0.35})
    bars = [layer.encode(y=y, x=x, color=color, tooltip=tips) for layer in (cost, revenue)]
    text = alt.Chart(ends).mark_text(align="left", dx=6, fontSize=11, color=ink()).encode(
        y=y, x=alt.X("end:Q"), text="roi:N", tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("roi:N", title=roi_title)]
    )
    return alt.layer(*bars, text).properties(height=max(150, 36 * len(frame) + 100))  # the whole chart: legend and axis included



# --- hand-offs and ownership (pages/handoffs.py) ---


def _hours_tip(field: str, title: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:Q", title=title, format=",.1f")


def response_ranges(frame: pd.DataFrame, limit_hours: float, lang: str, rows: int = 12) -> alt.Chart:
    """Hours to first response per team (or rep), the first ``rows`` with an answered lead in the frame's order, each
    labelled with its breach rate: a bar from the 25th to the 75th percentile, a line on to the 90th, a tick at the
    median, and the response limit as a dashed rule. ``frame``: ``name``, ``n``, ``p25``, ``median``, ``p75``,
    ``p90``, ``breach_rate``."""
    timed = frame[frame["n"] > 0].head(rows)
    rates = [fmt.percent(None if v is None or v != v else float(v), lang) for v in timed["breach_rate"]]  # noqa: PLR0124
    data = pd.DataFrame({
        "name": [f"{n} · {r}" for n, r in zip(timed["name"], rates, strict=True)], "rate_text": rates,
        **{c: [None if v is None or v != v else float(v) for v in timed[c]] for c in ("n", "p25", "median", "p75", "p90")},  # noqa: PLR0124
    })
    tips = [
        alt.Tooltip("name:N", title=" "),
        alt.Tooltip("rate_text:N", title=t("hand.chart.rate", lang)),
        alt.Tooltip("n:Q", title=t("hand.chart.answered", lang), format=",d"),
        _hours_tip("p25", t("hand.chart.p25", lang)),
        _hours_tip("median", t("hand.chart.median", lang)),
        _hours_tip("p75", t("hand.chart.p75", lang)),
        _hours_tip("p90", t("hand.chart.p90", lang)),
    ]
    top = max([float(limit_hours), *(float(v) for v in data["p90"] if v is not None and v == v)])  # noqa: PLR0124
    x = alt.X("p75:Q", title=t("hand.chart.hours", lang), scale=alt.Scale(domain=[0, top * 1.05], nice=False), axis=alt.Axis(tickCount=5))
    base = alt.Chart(data).encode(y=alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=150)), tooltip=tips)
    whisker = base.mark_rule(strokeWidth=1.5, opacity=0.6, color=ink()).encode(x=x, x2="p90:Q")
    box = base.mark_bar(size=16, opacity=0.35, cornerRadius=3).encode(x="p25:Q", x2="p75:Q")
    median = base.mark_tick(thickness=3, size=22).encode(x="median:Q")
    limit = pd.DataFrame({"at": [float(limit_hours)], "what": [f"{t('hand.chart.limit', lang)}: {t('hand.hours', lang, n=fmt.number(limit_hours, lang))}"]})
    rule = alt.Chart(limit).mark_rule(strokeDash=[5, 4], strokeWidth=2, color=ink()).encode(x="at:Q", tooltip=[alt.Tooltip("what:N", title=" ")])
    return (whisker + box + median + rule).properties(height=max(150, 34 * len(data) + 50))


def outcome_bars(frame: pd.DataFrame, title: str, lang: str) -> alt.Chart:
    """One horizontal bar per outcome of the returned leads, in the frame's order, labelled with its count.
    ``frame``: ``name``, ``count``."""
    data = frame.assign(label=[fmt.number(int(v), lang) for v in frame["count"]])
    top = float(data["count"].max()) if len(data) else 0.0
    base = alt.Chart(data).encode(
        y=alt.Y("name:N", sort=list(data["name"]), title=None, axis=alt.Axis(labelLimit=150, ticks=False, domain=False)),
        x=alt.X("count:Q", title=None, axis=None, scale=alt.Scale(domain=[0, top * 1.25 or 1.0])),
        tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("count:Q", title=title, format=",d")],
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7})
    text = base.mark_text(align="left", dx=4, fontSize=11, color=ink()).encode(text="label:N")
    return (bars + text).properties(height=max(120, 30 * len(data) + 20))


# --- customer profitability (pages/profitability.py) ---


def segment_economics(frame: pd.DataFrame, series: dict[str, str], currency: str, lang: str) -> alt.Chart:
    """Per segment (``name``, in the frame's order), a bar for each of ``series`` (column → title) side by side: what
    the segment brings against what it costs to serve and to win, and what is left. Costs point right like income,
    so that their lengths compare; the profit contribution is the one that can fall below zero."""
    long = pd.concat(
        [pd.DataFrame({"name": frame["name"], "series": title, "value": frame[col].astype(float)}) for col, title in series.items()],
        ignore_index=True,
    )
    long["text"] = [fmt.money(v, currency, lang, compact=True) for v in long["value"]]
    order, titles = list(frame["name"]), list(series.values())
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=150, ticks=False, domain=False))
    base = alt.Chart(long).encode(
        y=y,
        yOffset=alt.YOffset("series:N", sort=titles),
        x=alt.X("value:Q", title=currency, axis=alt.Axis(tickCount=4, **_money_axis(lang))),
        color=alt.Color("series:N", sort=titles, title=None, legend=alt.Legend(orient="bottom", columns=2, labelLimit=160)),
        tooltip=[alt.Tooltip("name:N", title=" "), alt.Tooltip("series:N", title=" "), alt.Tooltip("text:N", title=currency)],
    )
    return base.mark_bar(cornerRadiusEnd=2).properties(height=max(180, 22 * len(long) + 90))
