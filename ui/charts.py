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
    tooltip_format = ".1%" if metric.kind == "ratio" else ",.2f" if metric.kind == "money" else ",d"
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
