"""Numbers, money, percents and dates written for the reader's language (babel).

English: "$12.3M", "1,234", "66.7%", "23 Nov 2025". Chinese: "¥1.23亿", "US$123.4万",
"2025年11月23日". Values arrive already computed by the metrics; these functions only write them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel.dates import format_interval, format_skeleton
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
)

from metrics.base import Kind, Metric

#: Number and currency locale per UI language ("en" writes US$ as "$", CN¥ as "CN¥").
NUMBER_LOCALE = {"en": "en_US", "zh": "zh_Hans_CN"}
#: Date locale per UI language: day-month-year in English ("1 Oct – 23 Nov 2025").
DATE_LOCALE = {"en": "en_GB", "zh": "zh_Hans_CN"}
#: Significant digits of a compact KPI figure: "$12.3M"; "US$123.4万", "¥1.23亿" (≤ 2 decimals).
COMPACT_DIGITS = {"en": 3, "zh": 4}
#: Below this a figure is written in full ("1,108 won orders", not "1.11K"): from 10,000 (一万) on.
COMPACT_FROM = {"en": 10_000, "zh": 10_000}
DASH = "—"

Number = Decimal | int | float


def _float(value: Number) -> float:
    return float(value)


def _compact(value: Number, lang: str, currency: str | None) -> str:
    loc = NUMBER_LOCALE[lang]
    sig = COMPACT_DIGITS[lang]

    def fmt(amount: float, decimals: int) -> str:
        if currency:
            return format_compact_currency(amount, currency, locale=loc, fraction_digits=decimals)
        return format_compact_decimal(amount, locale=loc, fraction_digits=decimals)

    # Pick the unit from the value rounded to ``sig`` digits (no "1000K"), then round once,
    # to the digits actually shown (123,456,789 is ¥1.23亿, not 1.235 → 1.24亿).
    whole = re.search(r"\d+", fmt(float(f"{_float(value):.{sig}g}"), 0))
    int_digits = len(whole.group()) if whole else 1
    decimals = max(0, min(2, sig - int_digits))
    return fmt(float(f"{_float(value):.{int_digits + decimals}g}"), decimals)


def number(value: Number | None, lang: str, *, compact: bool = False) -> str:
    """A count: "1,234" (or "1.23M" / "123.4万" when compact and large)."""
    if value is None:
        return DASH
    if compact and abs(_float(value)) >= COMPACT_FROM[lang]:
        return _compact(value, lang, None)
    return format_decimal(value, "#,##0.##", locale=NUMBER_LOCALE[lang])


def money(value: Number | None, currency: str, lang: str, *, compact: bool = False) -> str:
    """An amount in ``currency``: "$1,220.10", or "$1.22K" / "¥1.23亿" when compact."""
    if value is None:
        return DASH
    if compact and abs(_float(value)) >= COMPACT_FROM[lang]:
        return _compact(value, lang, currency)
    return format_currency(value, currency, locale=NUMBER_LOCALE[lang])


def percent(value: Number | None, lang: str, *, digits: int = 1) -> str:
    """A ratio as a percent: 0.6667 → "66.7%"."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, pattern, locale=NUMBER_LOCALE[lang])


def days(value: Number | None, lang: str) -> str:
    if value is None:
        return DASH
    text = format_decimal(value, "#,##0.#", locale=NUMBER_LOCALE[lang])
    return f"{text} d" if lang == "en" else f"{text} 天"


def hours(value: Number | None, lang: str) -> str:
    """A duration in hours: "3.2 h" / "3.2 小时"."""
    if value is None:
        return DASH
    text = format_decimal(value, "#,##0.#", locale=NUMBER_LOCALE[lang])
    return f"{text} h" if lang == "en" else f"{text} 小时"


def score(value: Number | None, lang: str) -> str:
    """A mean rating on a 1–5 scale, to two decimals: "4.21"."""
    if value is None:
        return DASH
    return format_decimal(value, "0.00", locale=NUMBER_LOCALE[lang])


def value(kind: Kind, amount: Number | None, currency: str, lang: str, *, compact: bool = False) -> str:
    """A metric value of ``kind`` ("—" when there is none)."""
    if kind == "money":
        return money(amount, currency, lang, compact=compact)
    if kind == "ratio":
        return percent(amount, lang)
    if kind == "days":
        return days(amount, lang)
    if kind == "hours":
        return hours(amount, lang)
    if kind == "score":
        return score(amount, lang)
    return number(amount, lang, compact=compact)


def kpi_value(metric: Metric, amount: Number | None, currency: str, lang: str) -> str:
    """The figure on a KPI card: compact money and counts, percents with one decimal."""
    return value(metric.kind, amount, currency, lang, compact=True)


def change(delta: float | None, kind: Kind, lang: str) -> str | None:
    """A change as written beside a KPI: "+12.3%" for counts and money (relative change),
    "+5.2 pp" / "+5.2个百分点" for ratios (difference in points); None when there is none."""
    if delta is None:
        return None
    loc = NUMBER_LOCALE[lang]
    if kind == "ratio":
        points = format_decimal(delta * 100, "+#,##0.0;-#,##0.0", locale=loc)
        return f"{points} pp" if lang == "en" else f"{points}个百分点"
    return format_percent(delta, "+#,##0.0%;-#,##0.0%", locale=loc)


# --- Dates --------------------------------------------------------------------------------------


def day(d: date, lang: str) -> str:
    """ "23 Nov 2025" / "2025年11月23日"."""
    return format_skeleton("yMMMd", d, locale=DATE_LOCALE[lang])


def month(d: date, lang: str) -> str:
    """ "November 2025" / "2025年11月"."""
    return format_skeleton("yMMMM", d, locale=DATE_LOCALE[lang])


def short_day(d: date, lang: str) -> str:
    """ "6 Oct" / "10月6日" (chart ticks)."""
    return format_skeleton("MMMd", d, locale=DATE_LOCALE[lang])


def date_range(start: date, end: date, lang: str) -> str:
    """ "1 Oct – 23 Nov 2025" / "2025年10月1日至11月23日"."""
    if start == end:
        return day(start, lang)
    return format_interval(start, end, "yMMMd", locale=DATE_LOCALE[lang])


# --- Text from the CRM --------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$<>&])")


def md_escape(text: object) -> str:
    """Text from the CRM (or a URL) made inert inside Streamlit markdown: every character
    markdown or HTML could act on is backslash-escaped, so it shows as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
