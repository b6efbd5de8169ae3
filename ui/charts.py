"""Altair charts, all alike: small, theme-coloured (palette from .streamlit/config.toml)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from metrics.base import Metric
from ui import format as fmt
from ui.i18n import label, t

HEIGHT = 240


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
