"""UI strings of pages/marketing.py: keys begin with ``page.marketing`` or ``mkt.``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "page.marketing": {"en": "Campaigns and sources", "zh": "市场活动与来源"},
    "mkt.title": {"en": "Campaigns and sources", "zh": "市场活动与来源"},
    # --- the "by" control ---
    "mkt.by": {"en": "Show by", "zh": "查看维度"},
    "mkt.by_help": {
        "en": "Each campaign, each kind of campaign (roadshow, seminar, webinar …) or each lead source channel. Costs belong to campaigns: "
        "they show by campaign and by kind, never by source channel.",
        "zh": "按每个市场活动、每类活动（巡展、研讨会、网络研讨会……）或每个线索来源渠道查看。成本属于市场活动：按活动和活动类型显示，不按来源渠道显示。",
    },
    "mkt.by.campaign": {"en": "Campaign", "zh": "市场活动"},
    "mkt.by.kind": {"en": "Campaign type", "zh": "活动类型"},
    "mkt.by.source": {"en": "Source channel", "zh": "来源渠道"},
    # --- campaign kinds in words ---
    "mkt.kind.event": {"en": "Seminar", "zh": "研讨会"},
    "mkt.kind.roadshow": {"en": "Roadshow", "zh": "巡展"},
    "mkt.kind.webinar": {"en": "Webinar", "zh": "网络研讨会"},
    "mkt.kind.trade_show": {"en": "Trade show", "zh": "展会"},
    "mkt.kind.email": {"en": "E-mail campaign", "zh": "电子邮件营销"},
    "mkt.kind.advertising": {"en": "Online advertising", "zh": "网络广告"},
    "mkt.no_campaign": {"en": "No campaign", "zh": "非市场活动"},
    "mkt.no_kind": {"en": "No campaign", "zh": "非市场活动"},
    "mkt.no_source": {"en": "No source recorded", "zh": "未记录来源"},
    # --- the table ---
    "mkt.table.title": {"en": "What campaigns brought", "zh": "市场活动带来了什么"},
    "mkt.table.caption": {
        "en": "The leads created in the period, what they became by the as-of day, their customers' first-year revenue, and the cost of "
        "the campaigns that started in the period.",
        "zh": "期间内新建的线索、截至数据日期的转化结果、所赢得客户首年的收入，以及期间内开始的市场活动的成本。",
    },
    "mkt.table.help": {
        "en": "Per campaign, campaign type or lead source channel: the leads created in the period, those that became opportunities, "
        "the customers they won and their first-year revenue, against the cost of the campaigns that started in the period. ROI, cost "
        "per lead and cost per customer take only the leads those costed campaigns brought (Revenue against cost).",
        "zh": "按市场活动、活动类型或线索来源渠道：期间内新建的线索、其中转为商机的、赢得的客户及其首年收入，与期间内开始的活动成本相比。"
        "投资回报率、单条线索成本与单个客户成本只计这些有成本的活动带来的线索（对应成本的收入）。",
    },
    "mkt.table.file": {"en": "campaigns", "zh": "campaigns"},
    "mkt.col.kind": {"en": "Type", "zh": "类型"},
    "mkt.col.unit": {"en": "Run by", "zh": "举办单元"},
    "mkt.col.start": {"en": "Starts", "zh": "开始日期"},
    "mkt.col.leads": {"en": "Leads", "zh": "线索"},
    "mkt.col.opportunities": {"en": "Opportunities", "zh": "商机"},
    "mkt.col.customers": {"en": "Customers won", "zh": "赢得客户"},
    "mkt.col.revenue": {"en": "Revenue", "zh": "收入"},
    "mkt.col.cost": {"en": "Cost", "zh": "成本"},
    "mkt.col.costed_revenue": {"en": "Revenue against cost", "zh": "对应成本的收入"},
    "mkt.col.cost_per_lead": {"en": "Cost per lead", "zh": "单条线索成本"},
    "mkt.col.cost_per_customer": {"en": "Cost per customer", "zh": "单个客户成本"},
    "mkt.col.roi": {"en": "ROI", "zh": "投资回报率"},
    "mkt.col.unpriced": {"en": "Unpriced orders", "zh": "未定价订单"},
    "mkt.col.note": {"en": "Why no cost", "zh": "无成本原因"},
    "mkt.help.leads": {"en": "Leads created in the period (up to the as-of day) that the row brought.", "zh": "期间内（截至数据日期）新建、属于该行的线索。"},
    "mkt.help.opportunities": {
        "en": "Those leads that became an opportunity by the as-of day (as the Funnel counts them).",
        "zh": "这些线索中截至数据日期已转为商机的（与销售漏斗的口径相同）。",
    },
    "mkt.help.customers": {
        "en": "Accounts whose first order ever was booked against the opportunity of such a lead, by the as-of day. An account that had bought before is not won.",
        "zh": "截至数据日期，首笔订单记在此类线索商机下的客户。此前已购买过的客户不算赢得。",
    },
    "mkt.help.revenue": {
        "en": "Those customers' orders in their first 365 days from the first order, up to the as-of day, credit notes netted; each account once.",
        "zh": "这些客户自首单起 365 天内、截至数据日期的订单（贷项冲抵），每个客户只计一次。",
    },
    "mkt.help.cost": {
        "en": "The whole cost of the campaigns in view that started in the period, at the rate of their start day. A campaign's cost counts once, "
        "in the period it starts.",
        "zh": "查看范围内、期间内开始的市场活动的全部成本，按开始日汇率折算。活动成本只计一次，计入其开始的期间。",
    },
    "mkt.help.costed_revenue": {
        "en": "The revenue of the leads that the campaigns in Cost brought: what ROI sets against their cost. The leads of a campaign "
        "that started earlier (its cost is that period's) or that a unit outside your view ran count in Revenue, not here.",
        "zh": "“成本”所含活动带来的线索的收入：投资回报率用它与成本相比。更早开始的活动（其成本计入开始的期间）或查看范围外单元举办的活动带来的线索，"
        "计入“收入”，不计入此处。",
    },
    "mkt.help.cost_per_lead": {
        "en": "Cost ÷ the leads that the campaigns in Cost brought (not the leads of campaigns that started earlier).",
        "zh": "成本 ÷ “成本”所含活动带来的线索数（不含更早开始的活动的线索）。",
    },
    "mkt.help.cost_per_customer": {
        "en": "Cost ÷ the customers won by the leads that the campaigns in Cost brought.",
        "zh": "成本 ÷ “成本”所含活动带来的线索所赢得的客户数。",
    },
    "mkt.help.roi": {"en": "(Revenue against cost − cost) ÷ cost.", "zh": "（对应成本的收入 − 成本）÷ 成本。"},
    "mkt.help.unpriced": {
        "en": "Orders of the customers won in a currency with no exchange rate on their date: left out of revenue, and ROI is not computed.",
        "zh": "所赢得客户中下单日无汇率的币种订单：不计入收入，且不计算投资回报率。",
    },
    "mkt.help.note": {"en": "Why the row shows no cost, cost per lead or ROI.", "zh": "该行为何不显示成本、单条线索成本或投资回报率。"},
    "mkt.cost_note.by_source": {"en": "Costs are not split by source channel", "zh": "成本不按来源渠道拆分"},
    "mkt.cost_note.withheld": {"en": "Segment or source filter: cost cannot be narrowed", "zh": "已按细分市场或来源筛选：成本无法随之缩小"},
    "mkt.cost_note.no_campaign": {"en": "No campaign, no cost", "zh": "非市场活动，无成本"},
    "mkt.cost_note.no_rate": {"en": "No exchange rate on its start day", "zh": "开始日无汇率"},
    "mkt.cost_note.no_cost": {"en": "No cost recorded", "zh": "未记录成本"},
    "mkt.cost_note.earlier": {"en": "Started earlier: its cost is in the period it started", "zh": "更早开始：成本计入其开始的期间"},
    "mkt.cost_note.later": {"en": "Not started by the period's end", "zh": "期末前尚未开始"},
    "mkt.cost_note.outside": {"en": "Run by a unit outside your view", "zh": "由查看范围外的单元举办"},
    "mkt.cost_note.none_in_period": {"en": "No campaign of this type started in the period", "zh": "期间内无此类活动开始"},
    "mkt.unpriced_note": {"en": "{n} unpriced orders", "zh": "{n} 笔未定价订单"},
    "mkt.empty": {
        "en": "No lead was created and no campaign started in this period, within your view.",
        "zh": "在您的查看范围内，本期间既无新建线索，也无开始的市场活动。",
    },
    "mkt.source_note": {
        "en": "Costs belong to campaigns, not to source channels: a campaign's leads arrive by several channels (a roadshow's by event "
        "and face to face, an advertisement's by website and media), so no honest split of its cost exists. Read cost by campaign or by type.",
        "zh": "成本属于市场活动而非来源渠道：一个活动的线索经由多个渠道进入（巡展经活动与面谈，广告经网站与媒体），无法如实拆分其成本。请按活动或活动类型查看成本。",
    },
    "mkt.withheld": {
        "en": "Filtered by {filters}: leads, customers and revenue are narrowed, but a campaign's cost cannot be, so cost, cost per lead, "
        "cost per customer and ROI are not computed. Clear the filter to see them.",
        "zh": "已按{filters}筛选：线索、客户与收入随之缩小，但活动成本无法缩小，因此不计算成本、单条线索成本、单个客户成本与投资回报率。清除该筛选即可查看。",
    },
    "mkt.no_cost": {
        "en": "No campaign in view with a recorded cost started in this period, so cost, cost per lead and ROI are not stated: a campaign's "
        "cost counts in the period it starts. The leads of campaigns that started earlier still show.",
        "zh": "本期间内查看范围中没有开始且记录了成本的市场活动，因此不显示成本、单条线索成本与投资回报率：活动成本计入其开始的期间。更早开始的活动带来的线索仍会显示。",
    },
    "mkt.unpriced": {
        "en": "{n} orders of the customers won are in a currency with no exchange rate on their date: they are left out of revenue, and "
        "ROI is not computed where they count.",
        "zh": "所赢得客户有 {n} 笔订单的币种在下单日无汇率：不计入收入，涉及这些订单的投资回报率不予计算。",
    },
    "mkt.immature": {
        "en": "No lead of this period has become a customer by {date}: customers and revenue come weeks or months after a campaign's leads, "
        "so this period's ROI is still mostly cost. Choose a longer period (e.g. the last 12 months) to judge what campaigns brought.",
        "zh": "截至 {date}，本期间的线索尚无一条转化为客户：客户与收入往往在活动带来线索数周乃至数月之后才出现，因此本期间的投资回报率目前主要反映成本。请选择更长的期间（如最近 12 个月）来评判活动成效。",
    },
    "mkt.look_back": {"en": "See the last 12 months", "zh": "查看最近 12 个月"},
    # --- the charts ---
    "mkt.leads_chart": {"en": "Leads and opportunities", "zh": "线索与商机"},
    "mkt.leads_chart_caption": {
        "en": "Faint bar: leads; solid bar: the opportunities among them. Figures: leads · opportunities · customers won.",
        "zh": "浅色条：线索；深色条：其中的商机。数字：线索 · 商机 · 赢得客户。",
    },
    "mkt.leads_chart_help": {
        "en": "Leads created in the period (up to the as-of day) that each row brought, and those of them that became an opportunity "
        "by the as-of day (as the Funnel counts them).",
        "zh": "期间内（截至数据日期）新建、属于各行的线索，以及其中截至数据日期已转为商机的（与销售漏斗的口径相同）。",
    },
    "mkt.leads_chart_rest": {"en": "{n} of {total} leads came from no campaign (in the table, not the chart).", "zh": "{total} 条线索中有 {n} 条并非来自市场活动（见表格，未画入图中）。"},
    "mkt.top": {"en": "The {n} with most leads.", "zh": "线索最多的 {n} 个。"},
    "mkt.no_campaign_leads": {"en": "No lead of this period came from a campaign.", "zh": "本期间没有来自市场活动的线索。"},
    "mkt.cost_chart": {"en": "Cost against revenue", "zh": "成本与收入"},
    "mkt.cost_chart_caption": {
        "en": "Faint bar: the cost of the campaigns that started in the period; solid bar: the revenue of the leads those campaigns "
        "brought; the figure beside them: ROI.",
        "zh": "浅色条：期间内开始的活动的成本；深色条：这些活动带来的线索的收入；旁边的数字：投资回报率。",
    },
    "mkt.cost_chart_help": {
        "en": "A campaign's whole cost counts once, in the period it starts, at the rate of its start day. ROI = (revenue against cost "
        "− cost) ÷ cost, where revenue against cost is the first-year revenue of the customers won by the leads those same campaigns brought.",
        "zh": "活动的全部成本只计一次，计入其开始的期间，按开始日汇率折算。投资回报率 =（对应成本的收入 − 成本）÷ 成本，"
        "对应成本的收入是这些活动带来的线索所赢得客户的首年收入。",
    },
    "mkt.chart.revenue": {"en": "Revenue against cost", "zh": "对应成本的收入"},
    "mkt.chart.cost": {"en": "Cost", "zh": "成本"},
    "mkt.chart_source": {
        "en": "Cost is not split by source channel: choose Campaign or Campaign type to set cost against revenue.",
        "zh": "成本不按来源渠道拆分：请选择“市场活动”或“活动类型”查看成本与收入的对比。",
    },
    "mkt.chart_withheld": {
        "en": "Cost and ROI are not computed under a segment or source filter.",
        "zh": "按细分市场或来源筛选时不计算成本与投资回报率。",
    },
    "mkt.chart_no_cost": {"en": "No campaign has a recorded cost in this period.", "zh": "本期间没有记录了成本的市场活动。"},
    # --- the drill-through ---
    "mkt.drill.title": {"en": "What did it bring?", "zh": "带来了什么？"},
    "mkt.drill.caption": {
        "en": "Pick a row: its leads, the opportunities they became and the customers they won, with their revenue.",
        "zh": "选择一行：查看其线索、转化成的商机、赢得的客户及其收入。",
    },
    "mkt.drill.help": {
        "en": "The leads behind one row of the table, with the same filters and scope: customers won first (most revenue first), then "
        "the other opportunities, then the remaining leads, newest first. Customers won lists each account once, on its first lead in "
        "the row; a customer's revenue shows on that lead, so the rows add up to the table.",
        "zh": "表中某一行背后的线索，筛选与查看范围相同：先列赢得的客户（收入高者在前），再列其他商机，最后是其余线索（新者在前）。"
        "“赢得客户”中每个客户只列一次，列在该行中此客户的第一条线索上；客户收入也只记在这条线索上，使各行之和等于表中数字。",
    },
    "mkt.drill.pick_label": {"en": "{name} · {n} leads", "zh": "{name} · {n} 条线索"},
    "mkt.drill.show": {"en": "Show", "zh": "显示"},
    "mkt.drill.stage.lead": {"en": "All leads · {n}", "zh": "全部线索 · {n}"},
    "mkt.drill.stage.opportunity": {"en": "Opportunities · {n}", "zh": "商机 · {n}"},
    "mkt.drill.stage.customer": {"en": "Customers won · {n}", "zh": "赢得客户 · {n}"},
    "mkt.drill.none": {"en": "None of this row's leads is at this stage.", "zh": "该行的线索中没有处于此阶段的。"},
    "mkt.drill.sheet": {"en": "Campaign leads", "zh": "活动线索"},
    "mkt.drill.file": {"en": "campaign-leads", "zh": "campaign-leads"},
    "mkt.drill.unit": {"en": "Routed to", "zh": "分派单元"},
    "mkt.drill.customer": {"en": "Customer won", "zh": "赢得客户"},
    "mkt.drill.first_order": {"en": "First order", "zh": "首单日期"},
    "mkt.drill.revenue_help": {
        "en": "The customer's first-year revenue, shown on its first lead in the row, so the rows add up to the table's revenue.",
        "zh": "客户首年收入，只记在该行中此客户的第一条线索上，使各行之和等于表中的收入。",
    },
    # --- definitions ---
    "mkt.note.table": {
        "en": "**What campaigns brought** — per campaign, campaign type or lead source channel: the leads created in the period (up to the "
        "as-of day), those that became opportunities, the customers won (the account's first order ever booked against such a lead's "
        "opportunity), their revenue in the first 365 days from that order, and the cost of the campaigns that started in the period. "
        "Revenue against cost is the revenue of the leads those costed campaigns brought; cost per lead and cost per customer won divide "
        "the cost by those same leads and their customers, and ROI = (revenue against cost − cost) ÷ cost. A campaign type's leads from "
        "a campaign that started earlier therefore count in its leads and revenue but in none of these. Leads are credited to the unit "
        "they were routed to; a campaign's cost to the unit that ran it, and a campaign run by a unit outside your view shows neither "
        "that unit nor its start date. The business-unit and product filters do not apply (leads carry neither).",
        "zh": "**市场活动带来了什么** — 按市场活动、活动类型或线索来源渠道：期间内（截至数据日期）新建的线索、其中转为商机的、赢得的客户（客户有史以来首笔订单记在此类线索的商机下）、"
        "客户自该订单起 365 天内的收入，以及期间内开始的活动成本。对应成本的收入是这些有成本的活动带来的线索的收入；单条线索成本与单个客户成本以成本除以这些线索及其赢得的客户数，"
        "投资回报率 =（对应成本的收入 − 成本）÷ 成本。因此，某活动类型中来自更早开始的活动的线索计入其线索与收入，但不计入上述各项。"
        "线索计入其分派到的单元；活动成本计入举办该活动的单元；由查看范围外单元举办的活动不显示举办单元与开始日期。经营单元与产品筛选不适用（线索不带这两项）。",
    },
    "mkt.note.cost": {
        "en": "**Cost** — a campaign's whole cost counts once, in the period its start date falls in, so a campaign that started earlier "
        "shows its leads without cost, and ROI sets against cost only the revenue of the leads the costed campaigns brought. Source "
        "channels carry no cost: a campaign's leads arrive by several channels, and splitting its cost among them would be invented. "
        "Under a segment or source filter, cost and every ratio on it are not computed, since a campaign's cost cannot be narrowed to them.",
        "zh": "**成本** — 活动的全部成本只计一次，计入其开始日期所在的期间；因此更早开始的活动只显示线索而无成本，投资回报率也只将有成本的活动所带来线索的收入与成本相比。"
        "来源渠道不承担成本：一个活动的线索经由多个渠道进入，按渠道拆分成本将是臆造。按细分市场或来源筛选时，由于活动成本无法随之缩小，不计算成本及以其为基础的各项比率。",
    },
    "mkt.note.records": {
        "en": "**What did it bring?** — the leads behind one row of the table, with the same filters and scope: customers won first (most "
        "revenue first), then the other opportunities, then the remaining leads, newest first. Customers won lists each account once, on "
        "its first lead in the row; a customer's revenue shows on that lead, so the rows add up to the table.",
        "zh": "**带来了什么？** — 表中某一行背后的线索，筛选与查看范围相同：先列赢得的客户（收入高者在前），再列其他商机，最后是其余线索（新者在前）。"
        "“赢得客户”中每个客户只列一次，列在该行中此客户的第一条线索上；客户收入也只记在这条线索上，使各行之和等于表中数字。",
    },
}
