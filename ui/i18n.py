"""Every UI string in English and Simplified Chinese, in one table; ``t(key)`` looks one up.

The weekly operating views keep theirs in ``ui/strings/<page>.py``, merged in here (a key may not repeat).

Metric labels and definitions are not here: they live on the Metric objects
(``metric.label[lang]``, ``metric.definition[lang]``) so a new metric brings its own words.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from ui.strings import handoffs, health, key_accounts, lead_to_cash, marketing, pipeline, profitability, service

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
    # --- sign-in (ui/auth.py) ------------------------------------------------------------------
    "auth.title": {"en": "Sign in to Granary", "zh": "登录 Granary"},
    "auth.user": {"en": "User name", "zh": "用户名"},
    "auth.password": {"en": "Password", "zh": "密码"},
    "auth.submit": {"en": "Sign in", "zh": "登录"},
    "auth.sign_out": {"en": "Sign out", "zh": "退出登录"},
    "auth.wrong": {"en": "Wrong user name or password.", "zh": "用户名或密码错误。"},
    "auth.blank": {"en": "Enter your user name and password.", "zh": "请输入用户名和密码。"},
    "auth.locked_out": {
        "en": "Too many failed sign-ins for this name. Try again in {minutes} minutes.",
        "zh": "该用户名登录失败次数过多，请 {minutes} 分钟后再试。",
    },
    "auth.oidc_intro": {"en": "Sign in with your company account.", "zh": "请使用公司账号登录。"},
    "auth.oidc_button": {"en": "Sign in with {provider}", "zh": "使用 {provider} 登录"},
    "auth.oidc_default": {"en": "your company account", "zh": "公司账号"},
    "auth.oidc_no_email": {
        "en": "Your identity provider did not give Granary a verified e-mail address, so Granary cannot tell who you are.",
        "zh": "身份提供方未向 Granary 提供经过验证的电子邮箱，Granary 无法确认您的身份。",
    },
    "auth.no_users": {
        "en": "No one can sign in yet: set GRANARY_USERS_FILE (or users_file under [granary] in secrets.toml), "
        "or configure [auth] for your identity provider.",
        "zh": "目前无人可以登录：请设置 GRANARY_USERS_FILE（或 secrets.toml 中 [granary] 下的 users_file），"
        "或为身份提供方配置 [auth]。",
    },
    "auth.bad_file": {
        "en": "Sign-in is not available: the users file is wrong (details in the server log).",
        "zh": "无法登录：用户文件有误（详见服务器日志）。",
    },
    "auth.bad_entitlements": {
        "en": "Granary cannot tell what you may see: the entitlements file is missing or wrong (details in the server log). "
        "Ask your Granary administrator.",
        "zh": "Granary 无法确定您的可见范围：授权文件缺失或有误（详见服务器日志）。请联系 Granary 管理员。",
    },
    "auth.no_audit": {
        "en": "Sign-in is not available: Granary's own database (the sign-in audit) cannot be opened.",
        "zh": "无法登录：无法打开 Granary 自身的数据库（登录审计）。",
    },
    "auth.not_entitled": {
        "en": "You are signed in as {name}, but you have not been given access to any part of the organisation. "
        "Ask your Granary administrator to add you to the entitlements file.",
        "zh": "您已以 {name} 身份登录，但尚未获得任何组织范围的访问权限。请联系 Granary 管理员将您加入授权文件。",
    },
    "auth.demo_title": {"en": "Demo users", "zh": "演示用户"},
    "auth.demo_intro": {
        "en": "This is the demo. Sign in as any of these sample users to see how each role's view differs.",
        "zh": "这是演示环境。可使用以下任一示例用户登录，查看不同角色所见的差异。",
    },
    "auth.demo_name": {"en": "Name", "zh": "姓名"},
    "auth.demo_access": {"en": "Sees", "zh": "可见范围"},
    "auth.demo_nothing": {"en": "nothing (not entitled)", "zh": "无（未授权）"},
    "auth.demo_company": {"en": "the whole company", "zh": "全公司"},
    "auth.demo_bus": {"en": "only {bus}", "zh": "仅 {bus}"},
    "auth.role.executive": {"en": "Executive", "zh": "高管"},
    "auth.role.regional_head": {"en": "Regional head", "zh": "地区负责人"},
    "auth.role.team_lead": {"en": "Team lead", "zh": "团队负责人"},
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
    "fresh.written": {"en": "Newest record written {day} at {time} ({ago})", "zh": "最新记录写入于 {day} {time}（{ago}）"},
    "fresh.dated": {"en": "Newest record dated {day} ({ago})", "zh": "最新记录日期为 {day}（{ago}）"},
    "fresh.today": {"en": "today", "zh": "今天"},
    "fresh.day_ago": {"en": "1 day ago", "zh": "1 天前"},
    "fresh.days_ago": {"en": "{n} days ago", "zh": "{n} 天前"},
    "fresh.copy": {"en": "Copy of {source} made {day} at {time} ({ago})", "zh": "{source} 的副本，制作于 {day} {time}（{ago}）"},
    "fresh.just_now": {"en": "just now", "zh": "刚刚"},
    "fresh.min_ago": {"en": "{n} min ago", "zh": "{n} 分钟前"},
    "fresh.hours_ago": {"en": "{n} h ago", "zh": "{n} 小时前"},
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
    "kpi.vs_year_ago": {"en": "vs a year earlier", "zh": "较去年同期"},
    "kpi.no_comparison": {"en": "no comparison", "zh": "无可比数据"},
    "kpi.not_filtered_by": {"en": "Not filtered by {filters}", "zh": "未按{filters}筛选"},
    "kpi.excluded": {"en": "Left out: {what}", "zh": "未计入：{what}"},
    "kpi.excluded_short": {"en": ":material/filter_alt_off: {n} records left out", "zh": ":material/filter_alt_off: 未计入 {n} 条记录"},
    "excluded.orders_no_amount": {"en": "{n} orders without an amount", "zh": "{n} 笔无金额的订单"},
    "excluded.orders_no_rate": {"en": "{n} orders in a currency with no rate that day", "zh": "{n} 笔当日无汇率币种的订单"},
    "excluded.opportunities_no_amount": {"en": "{n} opportunities without an amount", "zh": "{n} 个无金额的商机"},
    "excluded.opportunities_no_rate": {"en": "{n} opportunities in a currency with no rate that day", "zh": "{n} 个当日无汇率币种的商机"},
    "excluded.opportunities_no_amount.one": {"en": "1 opportunity without an amount", "zh": "1 个无金额的商机"},
    "excluded.opportunities_no_rate.one": {"en": "1 opportunity in a currency with no rate that day", "zh": "1 个当日无汇率币种的商机"},
    "excluded.opportunities_closed_before_created": {"en": "{n} opportunities closed before they were created", "zh": "{n} 个关闭时间早于创建时间的商机"},
    "excluded.opportunities_closed_before_created.one": {"en": "1 opportunity closed before it was created", "zh": "1 个关闭时间早于创建时间的商机"},
    "excluded.opportunities_no_history": {"en": "{n} open opportunities with no stage history by then", "zh": "{n} 个当时尚无阶段历史的未结商机"},
    "excluded.opportunities_no_history.one": {"en": "1 open opportunity with no stage history by then", "zh": "1 个当时尚无阶段历史的未结商机"},
    "excluded.opportunities_no_probability": {"en": "{n} opportunities without a probability", "zh": "{n} 个无赢率的商机"},
    "excluded.opportunities_no_probability.one": {"en": "1 opportunity without a probability", "zh": "1 个无赢率的商机"},
    "excluded.accounts_no_estimate": {"en": "{n} accounts with revenue but no usable wallet estimate", "zh": "{n} 个有收入但无可用钱包估算的客户"},
    "excluded.accounts_no_estimate.one": {"en": "1 account with revenue but no usable wallet estimate", "zh": "1 个有收入但无可用钱包估算的客户"},
    "excluded.invoiced_not_paid_unpriced": {"en": "{n} orders with no amount or no rate that day", "zh": "{n} 笔无金额或当日无汇率的订单"},
    "excluded.invoiced_not_paid_unpriced.one": {"en": "1 order with no amount or no rate that day", "zh": "1 笔无金额或当日无汇率的订单"},
    "excluded.orders_no_amount.one": {"en": "1 order without an amount", "zh": "1 笔无金额的订单"},
    "excluded.orders_no_rate.one": {"en": "1 order in a currency with no rate that day", "zh": "1 笔当日无汇率币种的订单"},
    "excluded.tickets_unanswered": {"en": "{n} tickets not answered yet", "zh": "{n} 个尚未响应的工单"},
    "excluded.tickets_unanswered.one": {"en": "1 ticket not answered yet", "zh": "1 个尚未响应的工单"},
    "excluded.answered_before_opened": {"en": "{n} tickets answered before they were opened", "zh": "{n} 个响应时间早于新建时间的工单"},
    "excluded.answered_before_opened.one": {"en": "1 ticket answered before it was opened", "zh": "1 个响应时间早于新建时间的工单"},
    "excluded.tickets_unresolved": {"en": "{n} tickets not resolved yet", "zh": "{n} 个尚未解决的工单"},
    "excluded.tickets_unresolved.one": {"en": "1 ticket not resolved yet", "zh": "1 个尚未解决的工单"},
    "excluded.resolved_before_opened": {"en": "{n} tickets resolved before they were opened", "zh": "{n} 个解决时间早于新建时间的工单"},
    "excluded.resolved_before_opened.one": {"en": "1 ticket resolved before it was opened", "zh": "1 个解决时间早于新建时间的工单"},
    "excluded.tickets_unrated": {"en": "{n} unrated tickets", "zh": "{n} 个未评分的工单"},
    "excluded.tickets_unrated.one": {"en": "1 unrated ticket", "zh": "1 个未评分的工单"},
    "excluded.ratings_out_of_range": {"en": "{n} ratings outside 1–5", "zh": "{n} 个超出 1–5 的评分"},
    "excluded.ratings_out_of_range.one": {"en": "1 rating outside 1–5", "zh": "1 个超出 1–5 的评分"},
    "excluded.orders_no_promised_date": {"en": "{n} shipped orders with no promised date", "zh": "{n} 笔无承诺交付日期的已发货订单"},
    "excluded.orders_no_promised_date.one": {"en": "1 shipped order with no promised date", "zh": "1 笔无承诺交付日期的已发货订单"},
    "kpi.failed": {"en": "{metric} could not be computed.", "zh": "{metric}无法计算。"},
    "reason.no_denominator": {
        "en": "Not computable: nothing in the period to compute it from.",
        "zh": "无法计算：本期没有可计算的数据。",
    },
    "reason.no_data": {
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
    "trend.monthly": {
        "en": "by month, the 12 months to {end} (it has no weekly or daily trend)",
        "zh": "按月显示截至 {end} 的 12 个月（该指标没有按周或按日的趋势）",
    },
    "league.title": {"en": "League table", "zh": "排行榜"},
    "league.by": {"en": "Compare", "zh": "对比"},
    "league.by_unit": {"en": "Units", "zh": "组织单元"},
    "league.by_bu": {"en": "Business units", "zh": "经营单元"},
    "league.bu": {"en": "Business unit", "zh": "经营单元"},
    "league.caption_bu": {
        "en": "Each business unit, by revenue. New customers, churn, retention and share of wallet count each business "
        "unit's own orders, as if it alone were chosen in the filter: a customer can be new to several.",
        "zh": "各经营单元，按收入排序。新客户、流失、留存和客户购买份额只计各经营单元自己的订单（如同在筛选中只选了它）：一个客户可同时是多个经营单元的新客户。",
    },
    "league.empty_bu": {"en": "No business units to compare.", "zh": "没有可对比的经营单元。"},
    "league.file_bu": {"en": "business-units", "zh": "经营单元对比"},
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
    "kpi.target_attained": {"en": "{share} of target", "zh": "目标达成 {share}"},
    "kpi.target_of": {"en": "target {target}", "zh": "目标 {target}"},
    "kpi.target_pace": {"en": "pace {pace}", "zh": "进度 {pace}"},
    "kpi.target_projected": {"en": "projected {share}", "zh": "预计达成 {share}"},
    "section.no_scope": {
        "en": "{section}: not shown, because its records cannot be limited to the part of the organisation you may see.",
        "zh": "{section}：未显示，因为其记录无法限定在您可查看的组织范围内。",
    },
    "section.no_scope_metrics": {
        "en": "Not shown for your access (their records cannot be limited to it): {metrics}.",
        "zh": "按您的权限未显示（其记录无法限定在您的范围内）：{metrics}。",
    },
    # --- analysis pages -------------------------------------------------------------------------
    "section.sales": {"en": "Sales teams", "zh": "销售团队"},
    "section.operations": {"en": "Weekly operations", "zh": "每周经营"},
    "section.data": {"en": "Data", "zh": "数据"},
    "page.sales_cycle": {"en": "Sales cycle", "zh": "销售周期"},
    "page.churn": {"en": "Churn and retention", "zh": "客户流失与留存"},
    "page.wallet": {"en": "Share of wallet", "zh": "客户购买份额"},
    "table.unit": {"en": "Unit", "zh": "单元"},
    "table.no_unit": {"en": "(booked directly)", "zh": "（直接记账）"},
    "table.capped": {"en": "First {n} of {total} shown; the downloads hold the rows shown.", "zh": "显示前 {n} 条，共 {total} 条；下载内容为所显示的行。"},
    "chart.unit": {"en": "Unit", "zh": "单元"},
    "chart.days": {"en": "Days", "zh": "天数"},
    "chart.deals_won": {"en": "Deals won", "zh": "赢单数"},
    "chart.p25": {"en": "25th percentile (days)", "zh": "第 25 百分位（天）"},
    "chart.median": {"en": "Median (days)", "zh": "中位数（天）"},
    "chart.p75": {"en": "75th percentile (days)", "zh": "第 75 百分位（天）"},
    "chart.p90": {"en": "90th percentile (days)", "zh": "第 90 百分位（天）"},
    "chart.quarters_since": {"en": "Quarters since first order", "zh": "首单后季度数"},
    "chart.cohort": {"en": "First-order quarter", "zh": "首单季度"},
    "chart.cohort_size": {"en": "Accounts in cohort", "zh": "同期客户数"},
    "chart.retained": {"en": "Still buying", "zh": "仍在购买"},
    "chart.account": {"en": "Account", "zh": "客户"},
    "chart.accounts": {"en": "Accounts", "zh": "客户数"},
    "chart.revenue": {"en": "Revenue ({currency})", "zh": "收入（{currency}）"},
    "chart.wallet": {"en": "Wallet estimate ({currency})", "zh": "钱包估算（{currency}）"},
    "chart.headroom": {"en": "Headroom ({currency})", "zh": "增长空间（{currency}）"},
    "chart.share": {"en": "Share of wallet", "zh": "购买份额"},
    "chart.top_accounts": {"en": "Top accounts by revenue", "zh": "按收入排名靠前的客户占比"},
    "chart.revenue_share": {"en": "Share of revenue", "zh": "收入占比"},
    # sales cycle
    "cycle.title": {"en": "Sales cycle", "zh": "销售周期"},
    "cycle.spread": {"en": "Cycle length by unit", "zh": "各单元销售周期分布"},
    "cycle.spread_caption": {
        "en": "Days from opportunity to win: the bar spans the middle half of the deals won (25th–75th percentile), the line runs on to the 90th, the tick marks the median.",
        "zh": "商机从创建到赢单的天数：色条为中间一半赢单（第 25–75 百分位），细线延伸至第 90 百分位，刻线为中位数。",
    },
    "cycle.trend": {"en": "Median cycle over time", "zh": "销售周期中位数趋势"},
    "cycle.trend_caption": {
        "en": "Median days to win of the deals won in each week or month; the band is the 25th–75th percentile.",
        "zh": "各周或各月赢单的天数中位数；阴影为第 25–75 百分位。",
    },
    "cycle.nothing_won": {"en": "No opportunity was won in this period.", "zh": "本期没有赢单的商机。"},
    "velocity.title": {"en": "Sales velocity", "zh": "销售速度"},
    "velocity.caption": {
        "en": "Open deals × win rate × average won amount ÷ median cycle days: what the pipeline can be expected to yield per day.",
        "zh": "在手商机数 × 赢单率 × 平均赢单金额 ÷ 销售周期中位天数：管道每天预计产出的金额。",
    },
    "velocity.definition": {
        "en": "Open opportunities at the period's end (or the data's as-of date, when earlier) × win rate by count of the opportunities closed in the period × average amount of those won in the period (at each close date's exchange rate) ÷ the median sales cycle in days (at least 1). Not computed when any part is missing.",
        "zh": "期末（或数据截止日，取较早者）在手商机数 × 期间内关闭商机的赢单率（按数量）× 期间内赢单的平均金额（按各关闭日汇率）÷ 销售周期中位天数（至少 1 天）。任一部分缺失时不计算。",
    },
    "velocity.per_day": {"en": "Velocity per day", "zh": "每日销售速度"},
    "velocity.open_deals": {"en": "Open deals", "zh": "在手商机"},
    "velocity.win_rate": {"en": "Win rate", "zh": "赢单率"},
    "velocity.average_won": {"en": "Average won amount", "zh": "平均赢单金额"},
    "velocity.median_cycle": {"en": "Median cycle", "zh": "周期中位数"},
    "velocity.not_computed": {
        "en": "Velocity cannot be computed: nothing was won or closed in the period.",
        "zh": "无法计算销售速度：本期没有赢单或关闭的商机。",
    },
    "velocity.file": {"en": "velocity", "zh": "销售速度"},
    "velocity.note": {
        "en": "**Sales velocity** — Open opportunities at the period's end (or the data's as-of date, when earlier) × win rate by count × average won amount in the period ÷ the median sales cycle in days (at least 1), in the reporting currency per day.",
        "zh": "**销售速度** — 期末（或数据截止日，取较早者）在手商机数 × 赢单率（按数量）× 期间内平均赢单金额 ÷ 销售周期中位天数（至少 1 天），以报告货币/天计。",
    },
    "stalled.title": {"en": "Stalled deals", "zh": "停滞商机"},
    "stalled.caption": {
        "en": "Open opportunities older than the 90th-percentile cycle of the deals their unit won in the period; oldest first.",
        "zh": "开放时间已超过所属单元本期赢单周期第 90 百分位的在手商机，按时长从长到短排列。",
    },
    "stalled.definition": {
        "en": "Open at the period's end (or the data's as-of date, when earlier) and open for longer than the 90th percentile of the days to win of the opportunities won in the period in the same unit.",
        "zh": "在期末（或数据截止日，取较早者）仍未关闭，且开放天数超过同一单元本期赢单商机赢单天数第 90 百分位的商机。",
    },
    "stalled.note": {
        "en": "**Stalled deal** — An opportunity still open at the period's end (or the data's as-of date, when earlier) whose age exceeds the 90th percentile of the sales cycle of the deals its unit won in the period.",
        "zh": "**停滞商机** — 在期末（或数据截止日，取较早者）仍未关闭、且开放天数超过其所属单元本期赢单周期第 90 百分位的商机。",
    },
    "stalled.deal": {"en": "Opportunity", "zh": "商机"},
    "stalled.owner": {"en": "Owner", "zh": "负责人"},
    "stalled.no_owner": {"en": "(no owner)", "zh": "（无负责人）"},
    "stalled.age": {"en": "Open for", "zh": "已开放"},
    "stalled.p90": {"en": "Unit's 90th percentile", "zh": "单元第 90 百分位"},
    "stalled.p90_help": {
        "en": "90% of the deals this unit won in the period were won within this many days.",
        "zh": "该单元本期 90% 的赢单在此天数内完成。",
    },
    "stalled.none": {"en": "No open deal is older than its unit's usual longest win.", "zh": "没有超过所属单元常规最长赢单周期的在手商机。"},
    "stalled.file": {"en": "stalled-deals", "zh": "停滞商机"},
    # funnel
    "page.funnel": {"en": "Funnel", "zh": "销售漏斗"},
    "funnel.title": {"en": "Lifecycle funnel", "zh": "客户生命周期漏斗"},
    "funnel.mode": {"en": "How leads are counted", "zh": "统计方式"},
    "funnel.mode_help": {
        "en": "Cohort: follows the leads created in the period through every later stage. Snapshot: counts each "
        "stage's entries dated in the period, whenever their lead was created.",
        "zh": "同期群：跟踪本期新建的线索在后续各阶段的转化。快照：统计本期发生的各阶段进入次数，不论线索何时创建。",
    },
    "funnel.cohort": {"en": "Cohort", "zh": "同期群"},
    "funnel.snapshot": {"en": "Snapshot", "zh": "快照"},
    "funnel.window": {"en": "Only within N days of creation", "zh": "仅统计创建后 N 天内"},
    "funnel.window_help": {
        "en": "Count a stage only when the lead reached it within this many days of its creation. Empty: any time up to the as-of day.",
        "zh": "仅当线索在创建后该天数内到达某阶段时才计入。留空：截至数据日期的任何时间。",
    },
    "funnel.window_placeholder": {"en": "any time", "zh": "不限"},
    "funnel.chart": {"en": "Lead to repeat purchase", "zh": "从线索到复购"},
    "funnel.caption_cohort": {
        "en": "Leads created in the period and how far they got. Step: share of the previous stage; cumulative: share of all the period's leads.",
        "zh": "本期新建的线索及其到达的阶段。环节转化率：占上一阶段的比例；累计转化率：占本期全部线索的比例。",
    },
    "funnel.caption_window": {
        "en": "Leads created in the period that reached each stage within {n} days of creation.",
        "zh": "本期新建、并在创建后 {n} 天内到达各阶段的线索。",
    },
    "funnel.caption_snapshot": {
        "en": "Stage entries dated in the period, whatever the lead's creation date. The ratios compare counts of entries: "
        "they are not conversion rates and may exceed 100%.",
        "zh": "本期发生的各阶段进入次数，不论线索的创建日期。比值仅是次数之比，并非转化率，可能超过 100%。",
    },
    "funnel.immature": {
        "en": "The cohort is younger than {n} days: leads created late in the period may still reach later stages, so "
        "these rates will rise and are not like-for-like with a mature period's.",
        "zh": "该同期群尚不足 {n} 天：期间后段创建的线索仍可能到达后续阶段，比率还会上升，与已成熟期间的比率并非同口径。",
    },
    # Cohort maturity (KPI cards and the funnel): a young cohort's rates still rise.
    "maturity.badge": {"en": "Still maturing", "zh": "尚未成熟"},
    "maturity.kpi": {
        "en": "Cohort younger than {n} days: the rate will still rise, so the changes above are not like-for-like.",
        "zh": "同期群不足 {n} 天：比率仍会上升，上方的变化并非同口径比较。",
    },
    "maturity.open_tickets": {
        "en": "The period runs to the as-of day: tickets still waiting, the slowest, are not measured yet, so these hours will "
        "rise and the changes above are not like-for-like.",
        "zh": "本期包含数据日：仍在等待的工单（即最慢的工单）尚未计入，小时数还会上升，上方的变化并非同口径比较。",
    },
    "maturity.funnel": {
        "en": "Leads created in this period have had less than {n} days to move on: later stages are still filling, so "
        "these rates will rise and are not like-for-like with an older period's. For like-for-like rates, set a window "
        "of N days and compare periods that ended at least N days ago.",
        "zh": "本期新建的线索距今不足 {n} 天：后续阶段仍在增加，这些比率还会上升，与更早期间的比率并非同口径。"
        "如需同口径比较，请设置 N 天的统计窗口，并比较结束已满 N 天的期间。",
    },
    "funnel.no_leads": {"en": "No lead in scope for this period.", "zh": "本期范围内没有线索。"},
    "funnel.definition": {
        "en": "Stages: lead (created), qualified (first qualified status, or when converted), opportunity (converted to an "
        "opportunity), won (that opportunity won), repeat (the account ordered again after the won deal's first order). "
        "Reaching a stage implies every earlier one. Credited to the lead's unit and source; the business-unit and product "
        "filters do not apply to leads.",
        "zh": "阶段：线索（创建）、已确认（首次确认状态，或转化时）、商机（转为商机）、赢单（该商机赢单）、复购（赢单首笔订单后客户再次下单）。"
        "到达某阶段即视为已经过此前所有阶段。计入线索所属单元与来源；经营单元与产品筛选不适用于线索。",
    },
    "funnel.note": {
        "en": "**Funnel** — cohort mode: of the leads created in the period, how many reached each stage by the as-of day "
        "(or within N days of creation); step rate = reached ÷ the previous stage; cumulative rate = reached ÷ the cohort. "
        "Snapshot mode: each stage's entries dated in the period; the ratios may exceed 1. Amounts are the converted "
        "opportunities' amounts in the reporting currency.",
        "zh": "**销售漏斗** — 同期群模式：本期新建的线索中，截至数据日期（或创建后 N 天内）到达各阶段的数量；环节转化率 = 到达数 ÷ 上一阶段；"
        "累计转化率 = 到达数 ÷ 同期群规模。快照模式：本期发生的各阶段进入次数；比值可能大于 1。金额为转化商机的金额，按报告币种计。",
    },
    "funnel.stage.lead": {"en": "Leads", "zh": "线索"},
    "funnel.stage.qualified": {"en": "Qualified", "zh": "已确认"},
    "funnel.stage.opportunity": {"en": "Opportunities", "zh": "商机"},
    "funnel.stage.won": {"en": "Won", "zh": "赢单"},
    "funnel.stage.repeat": {"en": "Repeat purchase", "zh": "复购"},
    "funnel.step.lead→qualified": {"en": "Lead → qualified", "zh": "线索 → 已确认"},
    "funnel.step.qualified→opportunity": {"en": "Qualified → opportunity", "zh": "已确认 → 商机"},
    "funnel.step.opportunity→won": {"en": "Opportunity → won", "zh": "商机 → 赢单"},
    "funnel.step.won→repeat": {"en": "Won → repeat", "zh": "赢单 → 复购"},
    "funnel.count_cohort": {"en": "Reached", "zh": "到达数"},
    "funnel.count_snapshot": {"en": "Entered", "zh": "进入数"},
    "funnel.step_rate": {"en": "Step rate", "zh": "环节转化率"},
    "funnel.cumulative_rate": {"en": "Cumulative rate", "zh": "累计转化率"},
    "funnel.step_ratio": {"en": "Step ratio", "zh": "环节比值"},
    "funnel.ratio_to_leads": {"en": "Ratio to leads", "zh": "与线索数之比"},
    "funnel.amount": {"en": "Amount", "zh": "金额"},
    "funnel.of_previous": {"en": "{rate} of previous", "zh": "占上一阶段 {rate}"},
    "funnel.of_leads": {"en": "{rate} of leads", "zh": "占线索 {rate}"},
    "funnel.file": {"en": "funnel", "zh": "销售漏斗"},
    "split.title": {"en": "Step rates by group", "zh": "分组环节转化率"},
    "split.by": {"en": "Split by", "zh": "分组依据"},
    "split.unit": {"en": "Unit", "zh": "单元"},
    "split.source": {"en": "Lead source", "zh": "线索来源"},
    "split.caption": {
        "en": "Each group's count at the top of the funnel and its step {kind} down the funnel.",
        "zh": "各分组的漏斗顶部数量及逐级{kind}。",
    },
    "split.rates": {"en": "rates", "zh": "转化率"},
    "split.ratios": {"en": "ratios", "zh": "比值"},
    "split.empty": {"en": "No group has leads in this period.", "zh": "本期没有任何分组有线索。"},
    "split.no_source": {"en": "(no source)", "zh": "（无来源）"},
    "split.campaign": {"en": "Campaign", "zh": "市场活动"},
    "split.rep": {"en": "Rep", "zh": "销售"},
    "split.bu": {"en": "Business unit", "zh": "经营单元"},
    "split.no_campaign": {"en": "(no campaign)", "zh": "（无市场活动）"},
    "split.no_rep": {"en": "(not assigned)", "zh": "（未分配）"},
    "split.no_bu": {"en": "(no opportunity yet)", "zh": "（尚无商机）"},
    "split.bu_note": {
        "en": "A lead has a business unit once it becomes an opportunity: the business unit of that opportunity. "
        "Leads not (yet) converted form their own row.",
        "zh": "线索转为商机后才有经营单元，即该商机的经营单元；尚未转化的线索单列一行。",
    },
    "split.file": {"en": "funnel-by-group", "zh": "分组漏斗"},
    "durations.title": {"en": "Days between stages", "zh": "阶段间隔天数"},
    "durations.caption": {
        "en": "For the period's cohort: the middle half of the leads (bar), the median (tick) and the 90th percentile (line).",
        "zh": "本期同期群：中间一半线索（条）、中位数（刻度）与第 90 百分位（线）。",
    },
    "durations.definition": {
        "en": "Days from one stage to the next for the leads created in the period that reached the later stage; won → repeat "
        "runs from the won deal's first order to the repeat order.",
        "zh": "本期新建并到达后一阶段的线索从上一阶段到下一阶段的天数；赢单 → 复购从赢单首笔订单起算至复购订单。",
    },
    "durations.empty": {"en": "No lead of the cohort has moved on a stage yet.", "zh": "该同期群中尚无线索进入下一阶段。"},
    "durations.leads": {"en": "Leads", "zh": "线索数"},
    "durations.step": {"en": "Step", "zh": "环节"},
    "tis.title": {"en": "Time in pipeline stage", "zh": "商机各阶段停留时间"},
    "tis.caption": {
        "en": "Days opportunities spent in each pipeline stage, for stays that ended in the period.",
        "zh": "本期结束的商机阶段停留天数。",
    },
    "tis.definition": {
        "en": "From opportunity stage history: a stay runs from entering a stage to the next change to another stage; "
        "stays that ended in the period count. Opportunities are scoped by their own unit, business unit and product.",
        "zh": "依据商机阶段历史：停留从进入某阶段起算，至转入其他阶段止；计入本期结束的停留。商机按其自身的单元、经营单元和产品筛选。",
    },
    "tis.empty": {"en": "No opportunity left a stage in this period.", "zh": "本期没有商机离开任何阶段。"},
    "tis.stays": {"en": "Stays", "zh": "停留次数"},
    "tis.stage": {"en": "Stage", "zh": "阶段"},
    "pipeline.prospecting": {"en": "Prospecting", "zh": "初步接洽"},
    "pipeline.qualification": {"en": "Qualification", "zh": "需求确认"},
    "pipeline.proposal": {"en": "Proposal", "zh": "方案报价"},
    "pipeline.negotiation": {"en": "Negotiation", "zh": "商务谈判"},
    "returned.title": {"en": "Leads returned to marketing", "zh": "退回市场部的线索"},
    "returned.caption": {
        "en": "Leads first returned to marketing in the period, and how many of them later became an opportunity.",
        "zh": "本期首次退回市场部的线索，及其中后来转为商机的数量。",
    },
    "returned.definition": {
        "en": "A lead's first 'returned' status in its history, dated in the period; it converted later when its conversion "
        "came after that return and by the as-of day.",
        "zh": "线索历史中首次“退回”状态发生在本期；若其转化晚于该次退回且不晚于数据日期，则计为后来转化。",
    },
    "returned.returned": {"en": "Returned", "zh": "退回数"},
    "returned.converted": {"en": "Converted later", "zh": "后来转化"},
    "returned.share": {"en": "Share converted", "zh": "转化比例"},
    "returned.none": {"en": "No lead was returned to marketing in this period.", "zh": "本期没有退回市场部的线索。"},
    "returned.file": {"en": "returned-leads", "zh": "退回线索"},
    "records.title": {"en": "The records behind a stage", "zh": "阶段明细"},
    "records.stage": {"en": "Stage", "zh": "阶段"},
    "records.caption_cohort": {
        "en": "The period's leads that reached the stage, most recent stage date first.",
        "zh": "本期到达该阶段的线索，按阶段日期由近及远排列。",
    },
    "records.caption_snapshot": {
        "en": "The leads whose stage entry is dated in the period, most recent first.",
        "zh": "阶段进入日期在本期内的线索，按日期由近及远排列。",
    },
    "records.none": {"en": "No lead reached this stage.", "zh": "没有线索到达该阶段。"},
    "records.lead": {"en": "Lead", "zh": "线索编号"},
    "records.company": {"en": "Company", "zh": "公司"},
    "records.contact": {"en": "Contact", "zh": "联系人"},
    "records.source": {"en": "Source", "zh": "来源"},
    "records.created": {"en": "Created", "zh": "创建日期"},
    "records.stage_date": {"en": "Stage date", "zh": "阶段日期"},
    "records.opportunity": {"en": "Opportunity", "zh": "商机"},
    "records.file": {"en": "funnel-records", "zh": "漏斗明细"},
    # churn
    "churn.title": {"en": "Churn and retention", "zh": "客户流失与留存"},
    "churn.trend": {"en": "Logo churn over time", "zh": "客户流失率趋势"},
    "churn.trend_months": {
        "en": "Churn is measured in whole months: the last 12 months, month by month, against the year before.",
        "zh": "流失按整月计算：此处为近 12 个月的逐月数据，并与上一年对比。",
    },
    "churn.retention": {"en": "Revenue retention by unit", "zh": "各单元收入留存"},
    "churn.retention_caption": {
        "en": "GRR (never above 100%) and NRR (expansion included) of each unit's base; the dashed line is 100%.",
        "zh": "各单元基数客户的 GRR（不超过 100%）与 NRR（含增购）；虚线为 100%。",
    },
    "churn.by_unit": {"en": "Churn and retention by unit", "zh": "各单元流失与留存"},
    "churn.no_base": {"en": "No unit had revenue in the earlier 12 months to retain.", "zh": "各单元在前 12 个月均无可留存的收入。"},
    "churn.base": {"en": "Base accounts", "zh": "基数客户"},
    "churn.base_help": {"en": "Accounts active in the month before the period.", "zh": "期间前一个月的活跃客户。"},
    "churn.churned": {"en": "Churned", "zh": "已流失"},
    "churn.file": {"en": "retention-by-unit", "zh": "各单元留存"},
    "cohort.title": {"en": "Cohort retention", "zh": "同期群留存"},
    "cohort.caption": {
        "en": "Accounts by the quarter of their first order, over the last {n} fiscal quarters: the share still ordering each quarter after. The number beside each quarter is the cohort's size.",
        "zh": "按首单季度分组的客户（近 {n} 个财季）：其后每个季度仍有订单的客户占比。季度旁的数字为该组客户数。",
    },
    "cohort.caption_period": {
        "en": "Accounts by the quarter of their first order in the period: the share still ordering each quarter after. The number beside each quarter is the cohort's size.",
        "zh": "按期间内首单季度分组的客户：其后每个季度仍有订单的客户占比。季度旁的数字为该组客户数。",
    },
    "cohort.definition": {
        "en": "A cohort is the accounts whose first order with an amount above zero falls in a fiscal quarter; each cell is the share of them with an order above zero in the k-th quarter after (0 = the first quarter itself). Quarters after the data's as-of date are left empty.",
        "zh": "同期群指首笔金额大于零的订单落在同一财季的客户；每格为其中在之后第 k 个季度（0 为首单季度本身）有金额大于零订单的客户占比。数据截止日之后的季度留空。",
    },
    "cohort.note": {
        "en": "**Cohort retention** — The accounts whose first order above zero falls in a fiscal quarter, and the share of them ordering again (above zero) in each quarter after; quarters after the data's as-of date are empty.",
        "zh": "**同期群留存** — 首笔金额大于零的订单落在同一财季的客户，及其在之后各季度再次下单（金额大于零）的占比；数据截止日之后的季度留空。",
    },
    "cohort.empty": {"en": "No account placed its first order in these quarters.", "zh": "这些季度内没有客户下首单。"},
    "risk.title": {"en": "Accounts at risk", "zh": "流失风险客户"},
    "risk.caption": {
        "en": "Active accounts whose time since their last order is longer than their usual reorder interval; most overdue first.",
        "zh": "距上次下单时间已超过其常规复购间隔的活跃客户，按逾期程度从高到低排列。",
    },
    "risk.definition": {
        "en": "Active (an order above zero in the last 12 months up to the period's end or the data's as-of date) and the days since the last order exceed the median of the days between the account's consecutive order dates. Accounts with a single order date have no usual interval and are never listed.",
        "zh": "活跃（截至期末或数据截止日的近 12 个月内有金额大于零的订单），且距上次下单的天数超过该客户相邻下单日期间隔的中位数。只有一个下单日期的客户没有常规间隔，不会列出。",
    },
    "risk.note": {
        "en": "**Account at risk** — An active account whose days since its last order exceed the median interval between its consecutive order dates; ranked by days since ÷ usual interval.",
        "zh": "**流失风险客户** — 距上次下单天数超过其相邻下单日期间隔中位数的活跃客户；按（距今天数 ÷ 常规间隔）排序。",
    },
    "risk.account": {"en": "Account", "zh": "客户"},
    "risk.last_order": {"en": "Last order", "zh": "最近下单"},
    "risk.days_since": {"en": "Since last order", "zh": "距上次下单"},
    "risk.usual": {"en": "Usual interval", "zh": "常规间隔"},
    "risk.usual_help": {"en": "Median days between the account's order dates.", "zh": "该客户下单日期间隔天数的中位数。"},
    "risk.none": {"en": "No active account is overdue for its next order.", "zh": "没有超过常规复购间隔的活跃客户。"},
    "risk.file": {"en": "accounts-at-risk", "zh": "流失风险客户"},
    # wallet
    "wallet.title": {"en": "Share of wallet", "zh": "客户购买份额"},
    "wallet.summary": {
        "en": "{estimated} of {accounts} accounts have a wallet estimate; {above} buy more than their estimate. Median account share: {median}.",
        "zh": "{accounts} 个客户中有 {estimated} 个有钱包估算；{above} 个的购买额超过估算。客户份额中位数：{median}。",
    },
    "wallet.scatter": {"en": "Share against wallet size", "zh": "购买份额与钱包规模"},
    "wallet.scatter_caption": {
        "en": "One dot per account with an estimate: its fiscal-year-to-date revenue ÷ its wallet estimate, against the estimate (log scale). Big wallets low on the chart are the opportunity.",
        "zh": "每个点为一个有估算的客户：本财年累计收入 ÷ 钱包估算，横轴为估算金额（对数刻度）。位于图下方的大钱包客户即机会所在。",
    },
    "wallet.scatter_capped": {"en": "The {n} accounts with most headroom of {total} are shown.", "zh": "显示 {total} 个客户中增长空间最大的 {n} 个。"},
    "wallet.no_estimates": {"en": "No account in scope has a wallet estimate.", "zh": "范围内没有客户有钱包估算。"},
    "headroom.title": {"en": "Most headroom", "zh": "增长空间最大的客户"},
    "headroom.caption": {
        "en": "Wallet estimate minus fiscal-year-to-date revenue, largest first.",
        "zh": "钱包估算减去本财年累计收入，从大到小排列。",
    },
    "headroom.definition": {
        "en": "Headroom = the account's wallet estimate for the fiscal year − its revenue in the fiscal year up to the period's end, both in the reporting currency.",
        "zh": "增长空间 = 客户本财年的钱包估算 − 其本财年截至期末的收入，均以报告货币计。",
    },
    "headroom.note": {
        "en": "**Headroom** — The account's wallet estimate for the fiscal year minus its revenue in that fiscal year up to the period's end (negative when it buys more than the estimate).",
        "zh": "**增长空间** — 客户本财年钱包估算减去其本财年截至期末的收入（购买额超过估算时为负）。",
    },
    "headroom.headroom": {"en": "Headroom", "zh": "增长空间"},
    "headroom.revenue": {"en": "Revenue", "zh": "收入"},
    "headroom.wallet": {"en": "Wallet estimate", "zh": "钱包估算"},
    "headroom.file": {"en": "headroom", "zh": "增长空间"},
    "segment.title": {"en": "Spread by segment", "zh": "按客户细分"},
    "segment.caption": {"en": "Share of wallet and estimate coverage in each customer segment.", "zh": "各客户细分的购买份额与估算覆盖率。"},
    "segment.segment": {"en": "Segment", "zh": "客户细分"},
    "segment.accounts": {"en": "Accounts", "zh": "客户数"},
    "segment.estimated": {"en": "With estimate", "zh": "有估算"},
    "segment.median": {"en": "Median account share", "zh": "客户份额中位数"},
    "segment.file": {"en": "wallet-by-segment", "zh": "客户细分份额"},
    "pareto.title": {"en": "Revenue concentration", "zh": "收入集中度"},
    "pareto.caption": {
        "en": "How much of the period's revenue the top accounts bring (the dashed line is an even spread), and the value tiers.",
        "zh": "排名靠前的客户贡献本期收入的比例（虚线为平均分布），以及价值分层。",
    },
    "pareto.definition": {
        "en": "Over the accounts with revenue above zero in the period: the share of that revenue from the top x% of accounts by revenue. Tier A = the accounts making the first 50% of revenue, B the next 30%, C the rest.",
        "zh": "统计本期收入大于零的客户：按收入排名前 x% 的客户贡献的收入占比。A 类 = 贡献前 50% 收入的客户，B 类为其后 30%，C 类为其余。",
    },
    "pareto.note": {
        "en": "**Pareto curve and value tiers** — Over the accounts with revenue above zero in the period, ranked by revenue: the share of revenue from the top x% of accounts; tier A makes the first 50% of revenue, B the next 30%, C the rest.",
        "zh": "**帕累托曲线与价值分层** — 本期收入大于零的客户按收入排名：前 x% 客户贡献的收入占比；A 类贡献前 50% 收入，B 类其后 30%，C 类其余。",
    },
    "pareto.empty": {"en": "No account had revenue in the period.", "zh": "本期没有客户有收入。"},
    "tier.title": {"en": "Value tiers", "zh": "价值分层"},
    "tier.tier": {"en": "Tier", "zh": "层级"},
    "tier.a": {"en": "A — first 50% of revenue", "zh": "A 类 — 前 50% 收入"},
    "tier.b": {"en": "B — next 30%", "zh": "B 类 — 其后 30%"},
    "tier.c": {"en": "C — the rest", "zh": "C 类 — 其余"},
    "tier.share": {"en": "Share of revenue", "zh": "收入占比"},
    "tier.file": {"en": "value-tiers", "zh": "价值分层"},
    # --- units page (drill-down) ------------------------------------------------------------------
    "page.units": {"en": "Units", "zh": "单元对比"},
    "units.title": {"en": "Units compared", "zh": "单元对比"},
    "units.back_to": {"en": "Back to {unit}", "zh": "返回{unit}"},
    "units.compared": {"en": "The units compared", "zh": "单元对比"},
    "units.your_units": {"en": "your units", "zh": "您的各单元"},
    "units.units_top": {"en": "Your units", "zh": "您的各单元"},
    "units.reps_top": {"en": "Your reps", "zh": "您的销售"},
    "units.compare": {"en": "Compare", "zh": "对比对象"},
    "units.compare_unit": {"en": "Units one level down", "zh": "下一级单元"},
    "units.compare_rep": {"en": "Reps", "zh": "销售"},
    "units.reps_of_parent": {"en": "Compare the reps of {unit}", "zh": "对比{unit}的销售"},
    "units.top": {"en": "Top {n} of {total} shown; the table lists all", "zh": "显示前 {n} 名，共 {total} 名；表格列出全部"},
    "units.file": {"en": "units-compared", "zh": "单元对比"},
    "units.units_of": {"en": "The units below {unit}", "zh": "{unit}的下属单元"},
    "units.reps_of": {"en": "The reps of {unit}", "zh": "{unit}的销售"},
    "units.caption_units": {
        "en": "Each headline figure for the units one level down. Open a unit to see the units below it.",
        "zh": "下一级各单元的核心指标。打开一个单元可查看其下属单元。",
    },
    "units.caption_reps": {
        "en": "Each headline figure for the reps credited with the records of this unit and the units below it.",
        "zh": "按该单元及其下属单元记录所归属的销售，列示各核心指标。",
    },
    "units.not_split": {"en": "Not available at this level: {metrics}.", "zh": "此层级不可用：{metrics}。"},
    "units.no_units": {"en": "No units below this one.", "zh": "该单元没有下属单元。"},
    "units.no_reps": {
        "en": "No rep was credited with a record of {unit} in the period.",
        "zh": "本期{unit}没有归属到任何销售的记录。",
    },
    "units.rep": {"en": "Rep", "zh": "销售"},
    "units.no_rep": {"en": "(no rep)", "zh": "（无销售）"},
    "units.blank": {"en": "No value for {n}: {reason}", "zh": "{n} 项无数值：{reason}"},
    "units.ranked": {"en": "Ranking", "zh": "排名"},
    "units.rank_by": {"en": "Rank by", "zh": "排名依据"},
    "units.rank": {"en": "#", "zh": "名次"},
    "units.open": {"en": "Open a unit", "zh": "打开下级单元"},
    "units.adds_up": {
        "en": "The cards above are {unit} as a whole, computed, not added up: rates do not add up across units, "
        "nor would counts of distinct customers (one customer can buy in several units). Counts and amounts of "
        "records do: each record belongs to one unit and one rep.",
        "zh": "上方卡片为{unit}整体的计算值，而非各行相加：比率不能跨单元相加，按客户去重的计数也不能"
        "（同一客户可能在多个单元购买）。记录的数量与金额可以相加：每条记录只属于一个单元和一名销售。",
    },
    "units.note": {
        "en": "**Units and reps** — Each unit's figures count the records credited to it or to any unit below it; "
        "a rep's, the records of this unit credited to that rep. A blank means the figure cannot be computed there "
        "(a rate with nothing to divide by).",
        "zh": "**单元与销售** — 单元的指标统计归属该单元及其所有下属单元的记录；销售的指标统计该单元中归属该销售的记录。"
        "空白表示该处无法计算（比率没有分母）。",
    },
    # --- targets and incentives (pages/targets.py, pages/incentives.py) -----------------------
    "section.incentives": {"en": "Targets and incentives", "zh": "目标与激励"},
    "page.targets": {"en": "Targets", "zh": "目标达成"},
    "page.incentives": {"en": "Incentives", "zh": "激励与提成"},
    "targets.title": {"en": "Targets and attainment", "zh": "目标与达成"},
    "targets.period": {
        "en": "Targets for {period} ({range}): day {elapsed} of {days}.",
        "zh": "{period}（{range}）的目标：第 {elapsed} 天，共 {days} 天。",
    },
    "targets.measure": {"en": "Measure", "zh": "考核指标"},
    "targets.leaderboard": {"en": "Leaderboard", "zh": "排行榜"},
    "targets.level": {"en": "Level", "zh": "层级"},
    "targets.level_business_unit": {"en": "Business units", "zh": "经营单元"},
    "targets.level_cluster": {"en": "Clusters", "zh": "片联"},
    "targets.level_region": {"en": "Regions", "zh": "地区部"},
    "targets.level_office": {"en": "Offices", "zh": "代表处"},
    "targets.level_team": {"en": "Teams", "zh": "团队"},
    "targets.level_rep": {"en": "Reps", "zh": "销售"},
    "targets.board_of": {"en": "{level}: {measure} against target", "zh": "{level}：{measure}目标达成"},
    "targets.none": {
        "en": "No targets in your part of the organisation for {period}: none is set for the units and business units you can see.",
        "zh": "{period}在您可见的组织范围内没有目标：您可见的单元和经营单元均未设定目标。",
    },
    "targets.name": {"en": "Name", "zh": "名称"},
    "targets.parent": {"en": "Belongs to", "zh": "所属"},
    "targets.target": {"en": "Target", "zh": "目标"},
    "targets.col_opportunities": {"en": "Opps", "zh": "商机"},
    "targets.col_opportunity_to_order_rate": {"en": "Opp → order", "zh": "商机转订单"},
    "targets.col_win_rate": {"en": "Win rate", "zh": "赢单率"},
    "targets.col_sales_cycle_median_days": {"en": "Cycle (days)", "zh": "周期（天）"},
    "targets.actual": {"en": "Actual", "zh": "实际"},
    "targets.attained": {"en": "% attained", "zh": "达成率"},
    "targets.expected": {"en": "Due by now", "zh": "至今应达"},
    "targets.pace": {"en": "Pace", "zh": "进度达成"},
    "targets.projected": {"en": "Projection", "zh": "期末预测"},
    "targets.projected_attained": {"en": "Projected %", "zh": "预测达成率"},
    "targets.notes": {"en": "Notes", "zh": "说明"},
    "targets.note_rolled_up": {"en": "rolled up from below", "zh": "由下级汇总"},
    "targets.note_partial": {"en": "{n} below without a target", "zh": "{n} 个下级无目标"},
    "targets.note_mismatch": {"en": "differs from the sum below ({sum})", "zh": "与下级之和不一致（{sum}）"},
    "targets.flags": {
        "en": "{mismatch} stated target(s) differ from the sum of the targets below them (the stated one counts); "
        "{rolled} target(s) are rolled up from the level below.",
        "zh": "{mismatch} 个既定目标与其下级目标之和不一致（以既定目标为准）；{rolled} 个目标由下一级汇总而来。",
    },
    "targets.full": {"en": "Target (100%)", "zh": "目标（100%）"},
    "targets.rules": {
        "en": "Dashed lines: the target (100%) and where each should be by now ({pct})",
        "zh": "虚线：目标（100%）及至今应达进度（{pct}）",
    },
    "targets.by_now": {"en": "Where they should be by now", "zh": "至今应达进度"},
    "targets.file": {"en": "attainment", "zh": "目标达成"},
    "targets.coaching": {"en": "Reps: attainment, conversion and cycle", "zh": "销售：达成、转化与周期"},
    "targets.conversion_maturing": {
        "en": "The opportunities opened in this period have had less than {n} days to close: each rep's opportunity-to-order "
        "rate will still rise as their deals are won.",
        "zh": "本期新建的商机距今不足 {n} 天：随着商机赢单，各销售的商机转订单率还会上升。",
    },
    "targets.coaching_caption": {
        "en": "Each rep's attainment beside how their deals convert and how long they take, over {period} to date.",
        "zh": "每名销售的目标达成，及其在{period}至今的商机转化率、赢率和销售周期。",
    },
    "targets.coaching_file": {"en": "reps-attainment", "zh": "销售达成"},
    "targets.no_reps": {"en": "No rep here has a target for the period.", "zh": "此处没有销售设定本期目标。"},
    "targets.def_targets": {"en": "Targets", "zh": "目标"},
    "targets.def_attainment": {"en": "Attainment, pacing and projection", "zh": "达成率、进度与预测"},
    "incentives.title": {"en": "Incentives and payouts", "zh": "激励与提成"},
    "incentives.plan_invalid": {
        "en": "The incentive plan {file} cannot be used:",
        "zh": "激励方案 {file} 无法使用：",
    },
    "incentives.plan_unreadable": {"en": "The incentive plan {file} cannot be read: {detail}.", "zh": "无法读取激励方案 {file}：{detail}。"},
    "incentives.plan_fix": {
        "en": "Correct the plan file ({file}; the format is in docs/incentive-plans.md), or point GRANARY_PLAN_FILE at another. "
        "The rest of Granary works as before.",
        "zh": "请修正方案文件（{file}；格式见 docs/incentive-plans.md），或将 GRANARY_PLAN_FILE 指向其他文件。Granary 的其他页面不受影响。",
    },
    "incentives.plan_line": {"en": "Plan {plan}, version {version} · {period} ({range}).", "zh": "方案：{plan}，版本 {version} · {period}（{range}）。"},
    "incentives.to_date": {"en": "The period is still running: figures to date.", "zh": "本期尚未结束：数据截至目前。"},
    "incentives.closed": {"en": "The period is over.", "zh": "本期已结束。"},
    "incentives.the_plan": {"en": "The plan", "zh": "方案内容"},
    "incentives.tab_units": {"en": "Units", "zh": "单元对比"},
    "incentives.tab_reps": {"en": "Reps and statements", "zh": "销售与结算单"},
    "incentives.tab_bonus": {"en": "Managers' bonus", "zh": "管理者奖金"},
    "incentives.tab_pool": {"en": "Bonus pool", "zh": "奖金池"},
    "incentives.units_title": {"en": "Units: attainment and payouts", "zh": "各单元：达成与提成"},
    "incentives.units_caption": {
        "en": "Each unit's reps are those whose team lies in it (the last team they were in during the period); pending is held back "
        "until each customer's window has passed.",
        "zh": "各单元的销售为其团队（本期最后所在团队）属于该单元的销售；“待定”为仍在等待客户考察期结束的暂扣金额。",
    },
    "incentives.units_file": {"en": "units-payouts", "zh": "单元提成"},
    "incentives.reps": {"en": "Reps paid", "zh": "获提成销售"},
    "incentives.earned": {"en": "Earned", "zh": "应得"},
    "incentives.held_back": {"en": "Held back", "zh": "暂扣"},
    "incentives.paid_now": {"en": "Paid now", "zh": "本期发放"},
    "incentives.released": {"en": "Released", "zh": "释放"},
    "incentives.forfeited": {"en": "Forfeited", "zh": "没收"},
    "incentives.pending": {"en": "Pending", "zh": "待定"},
    "incentives.payable": {"en": "Payable", "zh": "应付"},
    "incentives.payouts_title": {"en": "Payouts per rep", "zh": "各销售提成"},
    "incentives.payouts_file": {"en": "payouts", "zh": "提成"},
    "incentives.no_deals": {"en": "No deal is credited to a rep in {period} yet.", "zh": "{period}尚无计入销售的交易。"},
    "incentives.credited": {"en": "Credited", "zh": "计入金额"},
    "incentives.band": {"en": "Band reached", "zh": "所达档位"},
    "incentives.deals": {"en": "Deals", "zh": "交易数"},
    "incentives.statement_title": {"en": "Statement", "zh": "提成结算单"},
    "incentives.statement_file": {"en": "statement", "zh": "结算单"},
    "incentives.order": {"en": "Order", "zh": "订单"},
    "incentives.order_date": {"en": "Order date", "zh": "订单日期"},
    "incentives.credit_date": {"en": "Credited on", "zh": "计入日期"},
    "incentives.amount": {"en": "Amount", "zh": "金额"},
    "incentives.attainment_after": {"en": "Attainment after", "zh": "计入后达成率"},
    "incentives.rate": {"en": "Rate", "zh": "费率"},
    "incentives.holdback_status": {"en": "Holdback", "zh": "暂扣状态"},
    "incentives.window_end": {"en": "Window ends", "zh": "考察期截止"},
    "incentives.decided": {
        "en": "Holdbacks of earlier deals decided in {period}",
        "zh": "在{period}内到期判定的以往交易暂扣",
    },
    "incentives.decided_file": {"en": "holdbacks", "zh": "暂扣"},
    "incentives.decided_sheet": {"en": "Holdbacks decided", "zh": "暂扣判定"},
    "incentives.approve": {"en": "Approve and freeze this statement", "zh": "批准并冻结此结算单"},
    "incentives.not_over": {
        "en": "A statement can be approved once its period is over and the data reach its last day ({end}).",
        "zh": "结算期结束且数据覆盖到最后一天（{end}）后，才能批准结算单。",
    },
    "incentives.frozen_now": {
        "en": "The statement of {rep} is approved and frozen in Granary's own database.",
        "zh": "{rep}的结算单已批准，并冻结保存在 Granary 自身的数据库中。",
    },
    "incentives.already_frozen": {
        "en": "The statement of {rep} for this period and plan version is already approved; a frozen statement is never overwritten.",
        "zh": "{rep}本期在此方案版本下的结算单已批准；已冻结的结算单不会被覆盖。",
    },
    "incentives.frozen_title": {"en": "Approved statements", "zh": "已批准的结算单"},
    "incentives.frozen_none": {"en": "No statement has been approved yet.", "zh": "尚无已批准的结算单。"},
    "incentives.frozen_file": {"en": "approved-statements", "zh": "已批准结算单"},
    "incentives.period": {"en": "Period", "zh": "期间"},
    "incentives.plan": {"en": "Plan", "zh": "方案"},
    "incentives.as_of": {"en": "Data as of", "zh": "数据截至"},
    "incentives.approved_by": {"en": "Approved by", "zh": "批准人"},
    "incentives.approved_at": {"en": "Approved at (UTC)", "zh": "批准时间（UTC）"},
    "incentives.frozen_view": {"en": "Approved statement: {rep}, {period}", "zh": "已批准的结算单：{rep}，{period}"},
    "incentives.frozen_caption": {
        "en": "Approved by {by} on {at} under {plan} {version}, with the data as of {as_of}. These figures are read from Granary's own database, never recomputed.",
        "zh": "由 {by} 于 {at} 按方案 {plan} {version} 批准，数据截至 {as_of}。以下数字读自 Granary 自身的数据库，从不重新计算。",
    },
    "incentives.live_differs": {
        "en": "Today's live figures differ from what was frozen ({n} differences, listed below). The approved figures stand.",
        "zh": "当前的实时数字与冻结时不同（{n} 处差异，见下表）。以已批准的数字为准。",
    },
    "incentives.live_agrees": {"en": "Today's live figures agree with what was frozen.", "zh": "当前的实时数字与冻结时一致。"},
    "incentives.live_in_scope": {
        "en": "Today's figures are computed in your part of the organisation: a deal of this rep's credited to a unit "
        "outside it is not among them, and shows here as removed even though nothing changed.",
        "zh": "当前数字按您可见的组织范围计算：该销售计入您范围以外单元的交易不在其中，会在此显示为已删除，尽管实际并未改变。",
    },
    "incentives.live_not_compared": {
        "en": "Not compared with today's figures: the plan is now {plan} {version} per {period_kind}.",
        "zh": "未与当前数字比较：方案现为 {plan} {version}，按{period_kind}结算。",
    },
    "incentives.diff_title": {"en": "What differs today", "zh": "当前的差异"},
    "plan.period.month": {"en": "month", "zh": "月"},
    "plan.period.quarter": {"en": "quarter", "zh": "季度"},
    "plan.period.year": {"en": "year", "zh": "年"},
    "incentives.diff_line": {"en": "Line", "zh": "行"},
    "incentives.diff_field": {"en": "Figure", "zh": "项目"},
    "incentives.diff_frozen": {"en": "Frozen", "zh": "冻结时"},
    "incentives.diff_live": {"en": "Today", "zh": "当前"},
    "incentives.diff_total": {"en": "Total", "zh": "合计"},
    "incentives.diff_added": {"en": "deal added since", "zh": "此后新增的交易"},
    "incentives.diff_removed": {"en": "deal no longer there", "zh": "已不存在的交易"},
    "incentives.diff_decided": {"en": "{order} (holdback decided)", "zh": "{order}（暂扣判定）"},
    "incentives.diff_file": {"en": "differences", "zh": "差异"},
    "incentives.open_frozen": {"en": "Open an approved statement", "zh": "打开已批准的结算单"},
    "incentives.pick": {"en": "Choose one", "zh": "请选择"},
    "incentives.frozen_withheld": {
        "en": "{n} approved statements of your units cover business units outside your scope and are not shown.",
        "zh": "你所辖单元有 {n} 份已批准的结算单涉及你权限以外的经营单元，未予显示。",
    },
    "incentives.approve_all_bus": {
        "en": "Only someone who sees the whole company may approve: an approved statement covers all of the payee's figures, "
        "wherever they are booked.",
        "zh": "只有能看到全公司的人才能批准：已批准的结算单涵盖收款人计入任何单元的全部数字。",
    },
    "incentives.approve_bonus": {"en": "Approve and freeze these bonuses", "zh": "批准并冻结这些奖金"},
    "incentives.bonus_frozen_now": {"en": "{n} units' bonuses are approved and frozen.", "zh": "已批准并冻结 {n} 个单元的奖金。"},
    "incentives.bonus_all_frozen": {
        "en": "Every unit's bonus shown here is already approved for this period and plan version.",
        "zh": "此处各单元本期在此方案版本下的奖金均已批准。",
    },
    "incentives.bonus_status": {"en": "Approval", "zh": "批准状态"},
    "incentives.bonus_approved": {"en": "Approved (data as of {as_of})", "zh": "已批准（数据截至 {as_of}）"},
    "incentives.bonus_approved_differs": {
        "en": "Approved (data as of {as_of}); today's figures differ",
        "zh": "已批准（数据截至 {as_of}）；当前数字不同",
    },
    "incentives.bonus_frozen_caption": {
        "en": "Approved units show their frozen figures; {n} of them differ from today's figures.",
        "zh": "已批准的单元显示冻结时的数字；其中 {n} 个与当前数字不同。",
    },
    "incentives.what_if_top": {
        "en": "Sliders for the {n} largest contributors; the others stay as they are.",
        "zh": "仅为贡献最大的 {n} 个对象提供滑块，其余保持不变。",
    },
    "pool_split.bu": {"en": "business unit", "zh": "经营单元"},
    "pool_split.product": {"en": "product", "zh": "产品"},
    "pool_split.segment": {"en": "customer segment", "zh": "客户细分"},
    "pool_split.customer": {"en": "customer", "zh": "客户"},
    "pool_split.project": {"en": "project (the opportunity a deal came from)", "zh": "项目（交易来源的商机）"},
    "pool_split.project_grade": {"en": "project grade", "zh": "项目等级"},
    "pool_split.cluster": {"en": "cluster", "zh": "片联"},
    "pool_split.region": {"en": "region", "zh": "地区部"},
    "pool_split.office": {"en": "office", "zh": "代表处"},
    "pool_split.team": {"en": "team", "zh": "团队"},
    "incentives.pool_group": {"en": "Shared by", "zh": "分配对象"},
    "incentives.bonus_title": {"en": "Managers' bonus", "zh": "管理者奖金"},
    "incentives.bonus_caption": {
        "en": "Per {level}: a target bonus of {bonus}, {share} of it tied to customer outcomes.",
        "zh": "每个{level}：目标奖金 {bonus}，其中 {share} 与客户结果挂钩。",
    },
    "incentives.no_bonus": {"en": "The plan has no managers' bonus.", "zh": "本方案没有管理者奖金。"},
    "incentives.satisfaction": {"en": "Satisfaction (1–5)", "zh": "满意度（1–5）"},
    "incentives.bonus": {"en": "Bonus", "zh": "奖金"},
    "incentives.bonus_file": {"en": "managers-bonus", "zh": "管理者奖金"},
    "incentives.pool_title": {"en": "Bonus pool", "zh": "奖金池"},
    "incentives.pool_caption": {
        "en": "A pool of {pool} shared per {split} in proportion to {contribution}.",
        "zh": "奖金池 {pool}，按{split}依{contribution}比例分配。",
    },
    "incentives.no_pool": {"en": "The plan has no bonus pool.", "zh": "本方案没有奖金池。"},
    "incentives.contribution_revenue": {"en": "Revenue", "zh": "收入"},
    "incentives.contribution_margin": {"en": "Margin", "zh": "毛利"},
    "incentives.what_if": {"en": "What if: another pool, or contributions changed", "zh": "假设分析：调整奖金池或贡献"},
    "incentives.pool_amount": {"en": "Pool ({currency})", "zh": "奖金池（{currency}）"},
    "incentives.share": {"en": "Share", "zh": "份额"},
    "incentives.pool_amount_col": {"en": "Amount", "zh": "金额"},
    "incentives.what_if_share": {"en": "Share (what if)", "zh": "份额（假设）"},
    "incentives.what_if_amount": {"en": "Amount (what if)", "zh": "金额（假设）"},
    "incentives.pool_file": {"en": "bonus-pool", "zh": "奖金池"},
    "incentives.def_commission": {"en": "Commission", "zh": "提成"},
    "incentives.def_holdback": {"en": "Holdback", "zh": "暂扣"},
    "incentives.def_manager_bonus": {"en": "Managers' bonus", "zh": "管理者奖金"},
    "incentives.def_pool": {"en": "Bonus pool", "zh": "奖金池"},
    "incentives.def_approved": {"en": "Approved statements", "zh": "已批准的结算单"},
    "holdback.pending": {"en": "Pending", "zh": "待定"},
    "holdback.released": {"en": "Released", "zh": "已释放"},
    "holdback.forfeited": {"en": "Forfeited", "zh": "已没收"},
    "deal_note.no_amount": {"en": "No amount in the reporting currency", "zh": "无报告货币金额"},
    "deal_note.no_cost": {"en": "No cost: no margin to pay on", "zh": "无成本：无毛利可计提成"},
    "deal_note.awaiting_cash": {"en": "Awaiting payment", "zh": "待回款"},
    "deal_note.no_target": {"en": "No target: nothing earned", "zh": "无目标：不计提成"},
    "bonus_flag.no_target": {"en": "No target: no bonus", "zh": "无目标：无奖金"},
    "bonus_flag.no_customer_data": {"en": "No customer data: customer part paid in full", "zh": "无客户数据：客户部分全额发放"},
    "plan.commission": {
        "en": "Commission: {method}, on {base}, deals credited by {credit}.",
        "zh": "提成：{method}，基数为{base}，按{credit}计入。",
    },
    "plan.method.marginal": {"en": "marginal (each band's rate on the part inside it)", "zh": "累进（各档费率只用于落在该档内的部分）"},
    "plan.method.retroactive": {"en": "retroactive (the band reached pays on everything)", "zh": "追溯（所达档位费率适用于全部）"},
    "plan.base.amount": {"en": "the order amount", "zh": "订单金额"},
    "plan.base.margin": {"en": "the margin", "zh": "毛利"},
    "plan.base.cash": {"en": "cash collected", "zh": "已回款金额"},
    "plan.credit.order": {"en": "order date", "zh": "订单日期"},
    "plan.credit.invoice": {"en": "invoice date", "zh": "开票日期"},
    "plan.credit.cash": {"en": "date paid", "zh": "回款日期"},
    "plan.cap.deal": {"en": "Capped at {cap} per deal.", "zh": "每笔交易封顶 {cap}。"},
    "plan.cap.period": {"en": "Capped at {cap} per rep and period.", "zh": "每名销售每期封顶 {cap}。"},
    "plan.band": {"en": "Band", "zh": "档位"},
    "plan.band_from": {"en": "from {pct}%", "zh": "{pct}% 起"},
    "plan.from": {"en": "From attainment", "zh": "起始达成率"},
    "plan.rate": {"en": "Rate", "zh": "费率"},
    "plan.holdback": {
        "en": "Holdback: {share} of each deal's commission waits {months} months for a returning customer",
        "zh": "暂扣：每笔交易提成的 {share} 需等待 {months} 个月，以客户回购或续约为条件",
    },
    "plan.holdback_sat": {"en": " with a mean satisfaction of at least {t}.", "zh": "，且平均满意度不低于 {t}。"},
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

for _page in (lead_to_cash, pipeline, marketing, handoffs, service, health, profitability, key_accounts):
    if clash := STRINGS.keys() & _page.STRINGS.keys():
        raise KeyError(f"{_page.__name__} repeats the keys {sorted(clash)}")
    STRINGS |= _page.STRINGS


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
