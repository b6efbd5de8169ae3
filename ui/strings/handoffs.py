"""UI strings of pages/handoffs.py: keys begin with ``page.handoffs`` or ``hand.``."""

from __future__ import annotations

from metrics.handoffs import DEFINITIONS
from ui.format import md_escape


def _note(name: dict[str, str], definition: dict[str, str]) -> dict[str, str]:
    """A "**name** — definition" line of the Definitions panel."""
    return {lang: f"**{md_escape(name[lang])}** — {md_escape(definition[lang])}" for lang in ("en", "zh")}


STRINGS: dict[str, dict[str, str]] = {
    "page.handoffs": {"en": "Hand-offs and ownership", "zh": "交接与归属"},
    "hand.title": {"en": "Hand-offs and ownership", "zh": "交接与归属"},
    # --- The response limit ---
    "hand.limit": {"en": "Response limit (hours)", "zh": "响应时限（小时）"},
    "hand.limit_help": {
        "en": "How long sales has to answer a lead after it is assigned. The card, the breaches and the breached leads all use it; "
        "it is kept in the page's link.",
        "zh": "线索分派后销售须在多长时间内响应。卡片、超时统计和超时线索明细均按此时限计算；该设置保存在页面链接中。",
    },
    "hand.limit_caption": {
        "en": "A response later than {limit} after assignment, or none by the as-of day once {limit} have passed, is a breach.",
        "zh": "分派后超过 {limit} 才响应，或截至数据日期已过 {limit} 仍未响应，即为超时。",
    },
    "hand.hours": {"en": "{n} h", "zh": "{n} 小时"},
    # --- Lead response ---
    "hand.response.title": {"en": "Lead response", "zh": "线索响应"},
    "hand.response.caption": {
        "en": "Leads handed to sales in the period and how long they waited for a first response, against the {limit} limit.",
        "zh": "期间内移交销售的线索及其等待首次响应的时长，对照 {limit} 的时限。",
    },
    "hand.response.none": {
        "en": "No lead was assigned to sales in this period, so there is no response time to measure.",
        "zh": "本期间没有线索分派给销售，因此没有可衡量的响应时间。",
    },
    "hand.response.none_answered": {
        "en": "None of these leads has been answered yet: there is no response time to show.",
        "zh": "这些线索都尚未得到响应：没有可显示的响应时长。",
    },
    "hand.tile.assigned": {"en": "Leads assigned", "zh": "已分派线索"},
    "hand.tile.responded": {"en": "Answered", "zh": "已响应"},
    "hand.tile.breaches": {"en": "Breaches", "zh": "超时"},
    "hand.tile.pending": {"en": "Still within the limit", "zh": "仍在时限内"},
    "hand.tile.median": {"en": "Median response (h)", "zh": "响应时长中位数（小时）"},
    "hand.tile.p90": {"en": "90th percentile (h)", "zh": "第 90 百分位（小时）"},
    "hand.tile.pending_help": {
        "en": "Not answered yet, and assigned less than the limit before the end of the as-of day: not yet decided, so outside the breach rate.",
        "zh": "尚未响应且分派时间距数据日期结束不足时限：尚未判定，不计入超时率。",
    },
    "hand.tile.hours_help": {
        "en": "Hours from assignment to first response, over the leads answered by the as-of day.",
        "zh": "从分派到首次响应的小时数，统计截至数据日期已响应的线索。",
    },
    # --- Breaches by team and by rep ---
    "hand.teams.title": {"en": "Breaches by team", "zh": "各团队超时情况"},
    "hand.teams.caption": {
        "en": "The rep's team on the day of the assignment; the highest breach rate first. The chart shows the response times of "
        "the {n} worst: 25th to 75th percentile, a line on to the 90th, the median marked, the limit dashed.",
        "zh": "按分派当天销售所在团队统计；超时率最高者在前。图中为最差的 {n} 个团队的响应时长：第 25 至 75 百分位、延伸至第 90 百分位的线、中位数标记，虚线为时限。",
    },
    "hand.reps.title": {"en": "Breaches by rep", "zh": "各销售超时情况"},
    "hand.reps.caption": {"en": "The rep each lead was assigned to; the highest breach rate first.", "zh": "按线索分派到的销售统计；超时率最高者在前。"},
    "hand.reps.none": {"en": "No lead was assigned to a rep in this period.", "zh": "本期间没有线索分派给销售。"},
    "hand.col.team": {"en": "Team", "zh": "团队"},
    "hand.col.rep": {"en": "Rep", "zh": "销售"},
    "hand.col.assigned": {"en": "Assigned", "zh": "已分派"},
    "hand.col.breaches": {"en": "Breaches", "zh": "超时"},
    "hand.col.late": {"en": "Answered late", "zh": "响应过晚"},
    "hand.col.overdue": {"en": "No response", "zh": "未响应"},
    "hand.col.pending": {"en": "Within the limit", "zh": "仍在时限内"},
    "hand.col.rate": {"en": "Breach rate", "zh": "超时率"},
    "hand.col.median": {"en": "Median (h)", "zh": "中位数（小时）"},
    "hand.col.p90": {"en": "90th pct (h)", "zh": "第 90 百分位（小时）"},
    "hand.no_rep": {"en": "(no rep: left in a unit's queue)", "zh": "（无销售：留在单元队列中）"},
    "hand.no_team": {"en": "(no team)", "zh": "（无团队）"},
    "hand.chart.hours": {"en": "Hours to first response", "zh": "首次响应小时数"},
    "hand.chart.answered": {"en": "Leads answered", "zh": "已响应线索"},
    "hand.chart.p25": {"en": "25th percentile (h)", "zh": "第 25 百分位（小时）"},
    "hand.chart.median": {"en": "Median (h)", "zh": "中位数（小时）"},
    "hand.chart.p75": {"en": "75th percentile (h)", "zh": "第 75 百分位（小时）"},
    "hand.chart.p90": {"en": "90th percentile (h)", "zh": "第 90 百分位（小时）"},
    "hand.chart.limit": {"en": "Limit", "zh": "时限"},
    "hand.chart.rate": {"en": "Breach rate", "zh": "超时率"},
    "hand.file.teams": {"en": "response-by-team", "zh": "团队响应"},
    "hand.file.reps": {"en": "response-by-rep", "zh": "销售响应"},
    # --- The breached leads ---
    "hand.breached.title": {"en": "The leads that breached", "zh": "超时线索明细"},
    "hand.breached.caption": {
        "en": "Unanswered leads first, the longest waiting first; then the slowest responses. Times in the company's time zone.",
        "zh": "未响应的线索在前，等待最久者在前；其后为响应最慢者。时间为公司所在时区。",
    },
    "hand.breached.of": {"en": "Breaches of", "zh": "查看范围"},
    "hand.breached.all": {"en": "Everyone · {n}", "zh": "全部 · {n}"},
    "hand.breached.team": {"en": "Team {name} · {n}", "zh": "团队 {name} · {n}"},
    "hand.breached.rep": {"en": "{name} · {n}", "zh": "{name} · {n}"},
    "hand.breached.none": {"en": "No lead breached the {limit} limit in this period.", "zh": "本期间没有线索超过 {limit} 的时限。"},
    "hand.col.lead": {"en": "Lead", "zh": "线索编号"},
    "hand.col.company": {"en": "Company", "zh": "公司"},
    "hand.col.unit": {"en": "Routed to", "zh": "分派单元"},
    "hand.col.assigned_at": {"en": "Assigned at", "zh": "分派时间"},
    "hand.col.first_response": {"en": "First response", "zh": "首次响应"},
    "hand.col.hours": {"en": "Hours", "zh": "小时数"},
    "hand.col.verdict": {"en": "Breach", "zh": "超时类型"},
    "hand.verdict.late": {"en": "Answered late", "zh": "响应过晚"},
    "hand.verdict.no_response": {"en": "No response yet", "zh": "尚未响应"},
    "hand.file.breached": {"en": "breached-leads", "zh": "超时线索"},
    # --- Ownership ---
    "hand.own.title": {"en": "Customers about to be lost in a hand-over", "zh": "交接中可能流失的客户"},
    "hand.own.caption": {
        "en": "As of {date}: accounts and open deals still owned by reps who have left, and accounts with no owner.",
        "zh": "截至 {date}：仍由已离职销售负责的客户和未结商机，以及无负责人的客户。",
    },
    "hand.own.all_clear": {
        "en": "Every account in view has an owner who is still with the company, and no open deal is owned by someone who has left.",
        "zh": "您范围内的每个客户都有在职负责人，也没有由已离职人员负责的未结商机。",
    },
    "hand.own.at_risk": {
        "en": "Customers at risk: they need a new owner before they are lost.",
        "zh": "有客户面临流失风险：需尽快指定新的负责人。",
    },
    "hand.own.line": {
        "en": "{what}: {records} — {opportunities} open opportunities, {pipeline} open pipeline",
        "zh": "{what}：{records} — 未结商机 {opportunities} 个，商机金额 {pipeline}",
    },
    "hand.kind.owner_left_accounts": {"en": "Accounts whose owner has left", "zh": "负责人已离职的客户"},
    "hand.kind.owner_left_opportunities": {"en": "Open opportunities whose owner has left", "zh": "负责人已离职的未结商机"},
    "hand.kind.no_owner_accounts": {"en": "Accounts with no owner", "zh": "无负责人的客户"},
    "hand.col.kind": {"en": "What", "zh": "类别"},
    "hand.col.records": {"en": "How many", "zh": "数量"},
    "hand.col.open_opportunities": {"en": "Open opportunities", "zh": "未结商机"},
    "hand.col.open_pipeline": {"en": "Open pipeline", "zh": "商机金额"},
    "hand.col.unpriced": {"en": "Unpriced", "zh": "未定价"},
    "hand.col.unpriced_help": {
        "en": "Open opportunities with no amount, or in a currency with no rate on the as-of day: counted, but not in the pipeline.",
        "zh": "无金额或数据日期当日无汇率的未结商机：计入笔数，但不计入金额。",
    },
    "hand.own.show": {"en": "Show", "zh": "查看"},
    "hand.own.option": {"en": "{what} · {n}", "zh": "{what} · {n}"},
    "hand.col.account": {"en": "Account", "zh": "客户"},
    "hand.col.home_unit": {"en": "Home unit", "zh": "归属单元"},
    "hand.col.owner": {"en": "Owner", "zh": "负责人"},
    "hand.col.owner_left": {"en": "Owner (left)", "zh": "负责人（已离职）"},
    "hand.col.left_on": {"en": "Last day", "zh": "最后在职日"},
    "hand.col.opportunity": {"en": "Opportunity", "zh": "商机"},
    "hand.col.deal_unit": {"en": "Unit", "zh": "单元"},
    "hand.col.stage": {"en": "Stage", "zh": "阶段"},
    "hand.col.expected_close": {"en": "Expected close", "zh": "预计成交"},
    "hand.col.amount": {"en": "Amount", "zh": "金额"},
    "hand.no_owner": {"en": "(nobody)", "zh": "（无）"},
    "hand.file.ownership": {"en": "ownership", "zh": "客户归属"},
    "hand.file.ownership_records": {"en": "ownership-records", "zh": "客户归属明细"},
    # --- Returned leads ---
    "hand.returned.title": {"en": "Leads returned to marketing", "zh": "退回市场部的线索"},
    "hand.returned.caption": {
        "en": "Leads sales sent back to marketing for nurture in the period, and what became of them by the as-of day.",
        "zh": "期间内销售退回市场部培育的线索，以及截至数据日期的去向。",
    },
    "hand.returned.none": {"en": "No lead was returned to marketing in this period.", "zh": "本期间没有线索被退回市场部。"},
    "hand.returned.returned": {"en": "Returned", "zh": "已退回"},
    "hand.outcome.converted": {"en": "Converted", "zh": "已转化"},
    "hand.outcome.requalified": {"en": "Requalified", "zh": "重新认定"},
    "hand.outcome.disqualified": {"en": "Disqualified", "zh": "已取消资格"},
    "hand.outcome.still_returned": {"en": "Still returned", "zh": "仍在退回状态"},
    "hand.returned.show": {"en": "Show", "zh": "查看"},
    "hand.returned.all": {"en": "All returned · {n}", "zh": "全部退回 · {n}"},
    "hand.returned.option": {"en": "{what} · {n}", "zh": "{what} · {n}"},
    "hand.col.source": {"en": "Source", "zh": "来源"},
    "hand.col.returned_on": {"en": "Returned on", "zh": "退回日期"},
    "hand.col.outcome": {"en": "Outcome", "zh": "去向"},
    "hand.col.leads": {"en": "Leads", "zh": "线索数"},
    "hand.file.returned": {"en": "returned-leads", "zh": "退回线索"},
    "hand.file.returned_summary": {"en": "returned-outcomes", "zh": "退回线索去向"},
    "hand.teams.help": {
        "en": "A lead counts for the rep it was assigned to and for that rep's team on the day of the assignment (their team "
        "history), so a rep who moved since is counted with the team they were in. A lead left in a unit's queue with no rep "
        "counts under no rep and no team, and under the unit it was routed to. The response time runs from assignment to first "
        "response, in hours; the percentiles interpolate between neighbouring leads.",
        "zh": "线索计入其分派到的销售，以及该销售在分派当天所在的团队（按团队历史），因此之后调岗的销售仍计入当时所在团队。"
        "留在单元队列中、未指定销售的线索不计入任何销售或团队，只计入其分派到的单元。响应时长为从分派到首次响应的小时数；百分位数在相邻线索之间插值。",
    },
}

# --- Definitions: the page's figures besides the card's metric, "**name** — definition" ---
STRINGS["hand.note.teams"] = _note({"en": "Breaches by team and rep", "zh": "各团队与各销售超时"}, STRINGS["hand.teams.help"])
STRINGS["hand.note.returned"] = _note({"en": "Leads returned to marketing", "zh": "退回市场部的线索"}, DEFINITIONS["returned"])
STRINGS["hand.note.ownership"] = _note({"en": "Customers about to be lost", "zh": "可能流失的客户"}, DEFINITIONS["ownership"])
