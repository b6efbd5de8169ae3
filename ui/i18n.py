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
    # --- analysis pages -------------------------------------------------------------------------
    "section.sales": {"en": "Sales teams", "zh": "销售团队"},
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
        "en": "The cohort is younger than {n} days: leads created late in the period may still reach later stages.",
        "zh": "该同期群尚不足 {n} 天：期间后段创建的线索仍可能到达后续阶段。",
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
