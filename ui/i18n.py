"""Every UI string in English and Simplified Chinese, in one table; ``t(key)`` looks one up.

Metric labels and definitions are not here: they live on the Metric objects
(``metric.label[lang]``, ``metric.definition[lang]``) so a new metric brings its own words.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANG = "en"
#: Session-state key of the language switch (also the URL parameter ``lang``).
LANG_KEY = "lang"

STRINGS: dict[str, dict[str, str]] = {
    # --- frame --------------------------------------------------------------------------------
    "app.title": {"en": "Granary", "zh": "Granary"},
    "app.tagline": {"en": "Customer-centric management dashboard", "zh": "以客户为中心的经营管理看板"},
    "lang.label": {"en": "Language", "zh": "语言"},
    "section.executive": {"en": "Executive", "zh": "管理层"},
    "page.overview": {"en": "Overview", "zh": "经营概览"},
    "guard.open_home": {
        "en": "Open Granary from its home page.",
        "zh": "请从 Granary 首页打开。",
    },
    "viewer.signed_in_as": {"en": "Signed in as {name}", "zh": "当前用户：{name}"},
    "source.demo": {"en": "demo database", "zh": "演示数据库"},
    "source.label": {"en": "Source: {source}", "zh": "数据源：{source}"},
    # --- bootstrap ----------------------------------------------------------------------------
    "boot.building_demo": {
        "en": "Building the demo database (first start only, about a minute)…",
        "zh": "正在生成演示数据库（仅首次启动，约一分钟）……",
    },
    "boot.demo_built": {"en": "Demo database ready.", "zh": "演示数据库已就绪。"},
    "boot.demo_failed": {
        "en": "The demo database could not be built: {detail}",
        "zh": "无法生成演示数据库：{detail}",
    },
    "boot.demo_failed_short": {"en": "The demo database could not be built.", "zh": "无法生成演示数据库。"},
    "boot.demo_unavailable": {
        "en": "The demo database {path} does not exist and the demo builder is not installed. "
        "Run `make demo`, or set CRM_DATABASE_URL to your CRM database.",
        "zh": "演示数据库 {path} 不存在，且未安装演示数据生成器。请运行 `make demo`，或将 CRM_DATABASE_URL 设置为您的 CRM 数据库。",
    },
    "boot.cannot_connect": {"en": "Granary cannot open the CRM database.", "zh": "Granary 无法打开 CRM 数据库。"},
    "boot.missing_schema": {
        "en": "The CRM database at {source} lacks what Granary reads: {missing}.",
        "zh": "位于 {source} 的 CRM 数据库缺少 Granary 需要读取的表或列：{missing}。",
    },
    "boot.bad_settings": {"en": "Granary's settings are invalid: {detail}", "zh": "Granary 的设置无效：{detail}"},
    "boot.hint": {
        "en": "Check CRM_DATABASE_URL or [connections.crm] in .streamlit/secrets.toml.",
        "zh": "请检查 CRM_DATABASE_URL 或 .streamlit/secrets.toml 中的 [connections.crm]。",
    },
    "boot.no_records": {
        "en": "The CRM database has no orders, leads or opportunities yet; periods end today.",
        "zh": "CRM 数据库中还没有订单、线索或商机；期间截止于今天。",
    },
    # --- filter bar ---------------------------------------------------------------------------
    "filters.title": {"en": "Filters", "zh": "筛选"},
    "filters.period": {"en": "Period", "zh": "期间"},
    "filters.range": {"en": "Date range", "zh": "日期范围"},
    "filters.unit": {"en": "Organisation unit", "zh": "组织单元"},
    "filters.all_units": {"en": "All my units", "zh": "我的全部单元"},
    "filters.bu": {"en": "Business unit", "zh": "经营单元"},
    "filters.segment": {"en": "Customer segment", "zh": "客户细分"},
    "filters.product": {"en": "Product", "zh": "产品"},
    "filters.source": {"en": "Lead source", "zh": "线索来源"},
    "filters.all": {"en": "All", "zh": "全部"},
    "filters.reset": {"en": "Reset filters", "zh": "重置筛选"},
    "filters.range_incomplete": {"en": "Pick an end date.", "zh": "请选择结束日期。"},
    "preset.qtd": {"en": "This quarter to date", "zh": "本季度至今"},
    "preset.last_quarter": {"en": "Last quarter", "zh": "上季度"},
    "preset.mtd": {"en": "Month to date", "zh": "本月至今"},
    "preset.last_month": {"en": "Last month", "zh": "上月"},
    "preset.ytd": {"en": "Year to date", "zh": "本财年至今"},
    "preset.last_year": {"en": "Last fiscal year", "zh": "上一财年"},
    "preset.last_12_months": {"en": "Last 12 months", "zh": "近 12 个月"},
    "preset.custom": {"en": "Custom range", "zh": "自定义范围"},
    # Period headings: {q} = "FY2025 Q4", {fy} = "FY2025", {month} = "November 2025".
    "period.qtd": {"en": "{q} to date", "zh": "{q} 至今"},
    "period.last_quarter": {"en": "{q}", "zh": "{q}"},
    "period.mtd": {"en": "{month} to date", "zh": "{month}至今"},
    "period.last_month": {"en": "{month}", "zh": "{month}"},
    "period.ytd": {"en": "{fy} to date", "zh": "{fy} 至今"},
    "period.last_year": {"en": "{fy}", "zh": "{fy}"},
    "period.last_12_months": {"en": "Last 12 months", "zh": "近 12 个月"},
    "period.custom": {"en": "Custom range", "zh": "自定义范围"},
    "period.as_of": {"en": "data as of {date}", "zh": "数据截至 {date}"},
    # --- URL notices --------------------------------------------------------------------------
    "url.ignored": {
        "en": "Some settings in the link were ignored: {items}.",
        "zh": "链接中的部分设置已被忽略：{items}。",
    },
    "url.bad_value": {"en": "{param} (not a valid value)", "zh": "{param}（取值无效）"},
    "url.out_of_scope": {"en": "{param} (not available to you)", "zh": "{param}（您无权查看）"},
    "url.bad_date": {"en": "{param} (not a date, or out of range)", "zh": "{param}（不是有效日期或超出范围）"},
    "url.bad_range": {"en": "start/end (the range is reversed or too long)", "zh": "start/end（日期范围颠倒或过长）"},
    "url.unknown": {"en": "{n} unknown setting(s)", "zh": "{n} 个未知设置"},
    "url.too_many": {"en": "{param} (too many values)", "zh": "{param}（取值过多）"},
    # --- overview -----------------------------------------------------------------------------
    "overview.title": {"en": "Overview", "zh": "经营概览"},
    "overview.scope": {"en": "{unit}", "zh": "{unit}"},
    "overview.filtered": {"en": "Filtered by {filters}", "zh": "已筛选：{filters}"},
    "kpi.vs_previous": {"en": "vs previous period", "zh": "较上期"},
    "kpi.vs_year_ago": {"en": "vs same period last year", "zh": "较去年同期"},
    "kpi.no_comparison": {"en": "no comparison", "zh": "无可比数据"},
    "kpi.not_filtered_by": {"en": "Not filtered by {filters}", "zh": "未按{filters}筛选"},
    "kpi.failed": {"en": "{metric} could not be computed.", "zh": "{metric}无法计算。"},
    "reason.no_denominator": {
        "en": "Not computable: nothing in the period to compute it from.",
        "zh": "无法计算：本期没有可计算的数据。",
    },
    "reason.unknown": {"en": "Not computable ({reason}).", "zh": "无法计算（{reason}）。"},
    "trend.title": {"en": "Trend", "zh": "趋势"},
    "trend.metric": {"en": "Metric", "zh": "指标"},
    "trend.caption": {
        "en": "{metric}: this period against the same period last year",
        "zh": "{metric}：本期与去年同期对比",
    },
    "trend.partial": {
        "en": "the last point covers only {days} day(s) so far",
        "zh": "最后一个点目前仅包含 {days} 天",
    },
    "trend.current": {"en": "This period", "zh": "本期"},
    "trend.year_ago": {"en": "Same period last year", "zh": "去年同期"},
    "trend.bucket": {"en": "Period starting", "zh": "起始日期"},
    "trend.value": {"en": "Value", "zh": "数值"},
    "trend.series": {"en": "Series", "zh": "系列"},
    "league.title": {"en": "Units compared", "zh": "单元对比"},
    "league.caption": {"en": "The units below {unit}, by revenue.", "zh": "{unit}下属单元，按收入排序。"},
    "league.caption_top": {"en": "Your top-level units, by revenue.", "zh": "您的各顶层单元，按收入排序。"},
    "league.unit": {"en": "Unit", "zh": "单元"},
    "league.other": {"en": "(booked directly at {unit})", "zh": "（直接记在{unit}）"},
    "league.empty": {"en": "No units below this one.", "zh": "该单元没有下属单元。"},
    "league.csv": {"en": "CSV", "zh": "CSV"},
    "league.excel": {"en": "Excel", "zh": "Excel"},
    "league.download": {"en": "Download", "zh": "下载"},
    "league.file": {"en": "units", "zh": "单元对比"},
    "definitions.title": {"en": "Definitions", "zh": "指标定义"},
    "section.failed": {"en": "{section} could not be shown: {detail}", "zh": "{section}无法显示：{detail}"},
    "section.failed_generic": {
        "en": "an unexpected error ({kind}); the rest of the page is unaffected",
        "zh": "发生意外错误（{kind}）；页面其他部分不受影响",
    },
    "section.kpis": {"en": "The headline figures", "zh": "核心指标"},
    # --- filter names (for "not filtered by" and URL notices) ---------------------------------
    "filter.business_unit": {"en": "business unit", "zh": "经营单元"},
    "filter.product": {"en": "product", "zh": "产品"},
    "filter.segment": {"en": "segment", "zh": "客户细分"},
    "filter.source": {"en": "source", "zh": "来源"},
    "list.sep": {"en": ", ", "zh": "、"},
    # --- CRM code values shown with display names ---------------------------------------------
    "segment.enterprise": {"en": "Enterprise", "zh": "大客户"},
    "segment.mid_market": {"en": "Mid-market", "zh": "中型客户"},
    "segment.smb": {"en": "Small business", "zh": "小微客户"},
    "channel.phone": {"en": "Phone", "zh": "电话"},
    "channel.fax": {"en": "Fax", "zh": "传真"},
    "channel.email": {"en": "E-mail", "zh": "电子邮件"},
    "channel.sms": {"en": "SMS", "zh": "短信"},
    "channel.face_to_face": {"en": "Face to face", "zh": "面谈"},
    "channel.media": {"en": "Media", "zh": "媒体"},
    "channel.website": {"en": "Website", "zh": "网站"},
    "channel.event": {"en": "Event", "zh": "活动"},
    "channel.referral": {"en": "Referral", "zh": "转介绍"},
    "channel.own_development": {"en": "Rep's own development", "zh": "销售自行开发"},
    "channel.lead": {"en": "Lead", "zh": "线索"},
    "channel.existing_account": {"en": "Existing account", "zh": "老客户"},
    "level.cluster": {"en": "Cluster", "zh": "片联"},
    "level.region": {"en": "Region", "zh": "地区部"},
    "level.office": {"en": "Office", "zh": "代表处"},
    "level.team": {"en": "Team", "zh": "团队"},
}


def current_lang() -> str:
    """The session's language (the switch's value), English until chosen."""
    lang = st.session_state.get(LANG_KEY)
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The string ``key`` in ``lang`` (default: the session's), with ``{name}`` fields filled in.

    Raises:
        KeyError: ``key`` is not in the table (a typo should fail loudly in tests).
    """
    text = STRINGS[key][lang or current_lang()]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in STRINGS


def display(prefix: str, code: str, lang: str | None = None) -> str:
    """A CRM code (segment, channel, level) in words, or the code itself when unknown."""
    key = f"{prefix}.{code}"
    return t(key, lang) if key in STRINGS else code


def join(items: list[str], lang: str | None = None) -> str:
    return t("list.sep", lang).join(items)


def label(texts: Mapping[str, str], lang: str | None = None) -> str:
    """A per-language text from a Metric (label or definition), falling back to English."""
    lang = lang or current_lang()
    return texts.get(lang) or texts.get(DEFAULT_LANG) or next(iter(texts.values()), "")
