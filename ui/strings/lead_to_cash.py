"""UI strings of pages/lead_to_cash.py: keys begin with ``page.lead_to_cash`` or ``ltc.``. Plain data: the
definitions of the figures live in metrics/lead_to_cash.py (``DEFINITIONS``), named here (``ltc.def.<key>``)."""

from __future__ import annotations

_QUARTER_EN = (
    "The weekly views show the fiscal quarter holding the filter period's last day — or the as-of day, when the period "
    "ends later — as it stood on that day: this week is the week holding that day, counted up to it; next week's "
    "expectations and the orders waiting are as known then. The default period, this quarter to date, shows the quarter "
    "of the as-of day; choosing last quarter replays its last Monday meeting. The KPI cards read the filter period itself."
)
_QUARTER_ZH = (
    "每周视图显示包含筛选期间最后一天（期间晚于数据日时为数据日）的财季，按当天的情况统计：本周为包含该日的周，统计到该日；"
    "下周预计和等待中的订单均按当时所知。默认期间（本季度至今）显示数据日所在的财季；选择“上季度”则重现该季度最后一次周例会。"
    "核心指标卡片按筛选期间本身计算。"
)
_RECORDS_EN = (
    "The orders behind each waiting figure are the very orders counted there (same day, scope and filters), largest "
    "amount in the reporting currency first, orders without an amount or a rate last; the first {n} are listed, with "
    "how many there are in all. Days waiting count from the date the wait began — the order date (not shipped), the "
    "shipped date (not invoiced), the invoiced date (not paid) — to the as-of day; for past-due invoices, the days "
    "since the payment due date."
)
_RECORDS_ZH = (
    "每个等待数字背后的订单正是该数字所统计的订单（相同日期、范围和筛选），按报告货币金额从大到小排列，无金额或无汇率的订单排在最后；"
    "列出前 {n} 笔，并显示总笔数。等待天数从等待开始之日——下单日期（未发货）、发货日期（未开票）、开票日期（未回款）——算到数据日；"
    "逾期发票为自付款到期日起的天数。"
)

_WEEK_RECORDS_EN = (
    "The orders behind a week's figure are the very records counted there — the step dated in that week, up to the "
    "as-of day, of orders booked by then, under the same scope and filters — largest amount first; credit notes are "
    "listed too and marked, since their amounts are netted in the week's amount though they are not counted as orders. "
    "The first {n} are listed, with how many there are in all."
)
_WEEK_RECORDS_ZH = (
    "每周数字背后的订单正是该处统计的记录——该环节日期在该周内（截至数据日）、且截至数据日已签约的订单，范围和筛选相同——"
    "按金额从大到小排列；贷项也会列出并标明，因为其金额在该周金额中冲抵，但不计为订单笔数。列出前 {n} 笔，并显示总笔数。"
)

STRINGS: dict[str, dict[str, str]] = {
    "page.lead_to_cash": {"en": "Lead to cash", "zh": "从线索到回款"},
    "ltc.title": {"en": "Lead to cash", "zh": "从线索到回款"},
    # --- which quarter ---
    "ltc.week": {"en": "W{n}", "zh": "第{n}周"},
    # a week with its quarter, e.g. in the Monday caption: "FY2022 Q1 W13"
    "ltc.quarter_week": {"en": "{quarter} W{n}", "zh": "{quarter} 第{n}周"},
    "ltc.quarter_badge": {"en": "{quarter} · week {week} of 13", "zh": "{quarter} · 第{week}周（共 13 周）"},
    "ltc.quarter_line": {"en": "Weekly views: {dates}, as of {day}.", "zh": "每周视图：{dates}，截至 {day}。"},
    "ltc.quarter_line_then": {
        "en": "Weekly views: {dates}, as of {day}. The period ends before the data's as-of day: the quarter is shown as it stood then.",
        "zh": "每周视图：{dates}，截至 {day}。所选期间早于数据日：按当时的情况显示该财季。",
    },
    "ltc.future_week": {
        "en": "{param} (week {week} has not begun on {day}: this week is shown)",
        "zh": "{param}（第{week}周在 {day} 尚未开始：显示本周）",
    },
    "ltc.quarter_help": {"en": _QUARTER_EN, "zh": _QUARTER_ZH},
    # --- the four steps ---
    "ltc.step.booked": {"en": "Booked", "zh": "签约"},
    "ltc.step.shipped": {"en": "Shipped", "zh": "发货"},
    "ltc.step.invoiced": {"en": "Invoiced", "zh": "开票"},
    "ltc.step.collected": {"en": "Cash collected", "zh": "回款"},
    # --- last, this and next week ---
    "ltc.monday": {"en": "Last week, this week, next week", "zh": "上周、本周、下周"},
    "ltc.monday_caption": {
        "en": "Last week {last}; this week {this} (to date); next week {next} (expected).",
        "zh": "上周 {last}；本周 {this}（至今）；下周 {next}（预计）。",
    },
    "ltc.monday_note": {
        "en": "Next week is expected, not counted: shipments promised for next week and not shipped yet, invoices falling due next week and not paid yet. Invoices already past due are among the orders waiting below.",
        "zh": "下周为预计值而非实际值：承诺下周交付且尚未发货的订单、下周到期且尚未回款的发票。已逾期的发票计入下方的等待订单。",
    },
    "ltc.monday_empty": {
        "en": "Nothing was booked, shipped, invoiced or paid last week or this week in this view, and nothing is expected next week.",
        "zh": "在当前视图中，上周和本周没有签约、发货、开票或回款，下周也没有预计发货或回款。",
    },
    "ltc.col.step": {"en": "Step", "zh": "环节"},
    "ltc.col.last": {"en": "Last week ({week})", "zh": "上周（{week}）"},
    "ltc.col.this": {"en": "This week ({week}, to date)", "zh": "本周（{week}，至今）"},
    "ltc.col.next": {"en": "Next week ({week}, expected)", "zh": "下周（{week}，预计）"},
    "ltc.col.cell_help": {"en": "Orders · amount ({currency})", "zh": "笔数 · 金额（{currency}）"},
    "ltc.col.last_orders": {"en": "Last week · orders", "zh": "上周 · 笔数"},
    "ltc.col.last_amount": {"en": "Last week · amount", "zh": "上周 · 金额"},
    "ltc.col.this_orders": {"en": "This week · orders", "zh": "本周 · 笔数"},
    "ltc.col.this_amount": {"en": "This week · amount", "zh": "本周 · 金额"},
    "ltc.col.next_orders": {"en": "Next week (expected) · orders", "zh": "下周（预计）· 笔数"},
    "ltc.col.next_amount": {"en": "Next week (expected) · amount", "zh": "下周（预计）· 金额"},
    "ltc.monday_unpriced_part": {"en": "{step}, {week}: {n}", "zh": "{step}（{week}）{n} 笔"},
    # --- the 13 weeks ---
    "ltc.weeks": {"en": "The 13 weeks of {quarter}", "zh": "{quarter} 的 13 周"},
    "ltc.weeks_caption": {
        "en": "Each week's orders booked, shipped, invoiced and paid, each in the week of its own date. Week {week} (bold, shaded) is counted to date; the lighter weeks are still to come.",
        "zh": "每周签约、发货、开票和回款的订单，各按其自身日期所在的周统计。第{week}周（加粗、阴影）统计至今；浅色阴影的周尚未到来。",
    },
    "ltc.show": {"en": "Show", "zh": "显示"},
    "ltc.show.amount": {"en": "Amounts", "zh": "金额"},
    "ltc.show.orders": {"en": "Orders", "zh": "笔数"},
    "ltc.weeks_empty": {
        "en": "No order was booked, shipped, invoiced or paid in {quarter} up to {day} in this view.",
        "zh": "在当前视图中，{quarter} 截至 {day} 没有签约、发货、开票或回款的订单。",
    },
    "ltc.status.past": {"en": "done", "zh": "已结束"},
    "ltc.status.current": {"en": "to date", "zh": "本周至今"},
    "ltc.status.future": {"en": "to come", "zh": "尚未到来"},
    "ltc.col.week": {"en": "Week", "zh": "周"},
    "ltc.col.dates": {"en": "Dates", "zh": "日期"},
    "ltc.col.days": {"en": "Days", "zh": "天数"},
    "ltc.col.status": {"en": "Status", "zh": "状态"},
    "ltc.col.orders": {"en": "Orders", "zh": "订单数"},
    "ltc.col.amount": {"en": "Amount", "zh": "金额"},
    "ltc.col.unpriced": {"en": "Unpriced", "zh": "未定价"},
    "ltc.unpriced": {
        "en": "Counted but not in the amounts (no amount, or no exchange rate on the order date): {parts}.",
        "zh": "计入笔数但不计入金额的订单（无金额或下单日无汇率）：{parts}。",
    },
    "ltc.unpriced_help": {
        "en": "Orders with no amount, or in a currency with no rate on the order date: counted, not in the amount.",
        "zh": "无金额或下单日无汇率的订单：计入笔数，不计入金额。",
    },
    "ltc.chart.week": {"en": "Week", "zh": "周"},
    "ltc.chart.step": {"en": "Step", "zh": "环节"},
    "ltc.chart.value": {"en": "Value", "zh": "数值"},
    "ltc.chart.paid": {"en": "Orders paid", "zh": "回款订单数"},
    # --- the orders behind a week's figure ---
    "ltc.week_records": {"en": "The orders behind a week", "zh": "每周明细"},
    "ltc.week_records_caption": {
        "en": "Pick a week and a step: the orders counted there, largest amount first (up to {n}).",
        "zh": "选择一周和一个环节：该处统计的订单，按金额从大到小（最多 {n} 笔）。",
    },
    "ltc.this_week": {"en": "This week ({week})", "zh": "本周（{week}）"},
    # The step picker counts what the list holds: the orders, and the credit notes netted beside them.
    "ltc.pick_orders": {"en": "{step} · {n} orders", "zh": "{step} · {n} 笔订单"},
    "ltc.pick_order": {"en": "{step} · 1 order", "zh": "{step} · 1 笔订单"},
    "ltc.pick_credit": {"en": "{orders} + {n} credit notes", "zh": "{orders} + {n} 笔贷项"},
    "ltc.pick_credit_one": {"en": "{orders} + 1 credit note", "zh": "{orders} + 1 笔贷项"},
    "ltc.week_records_none": {"en": "Nothing here: {step}, {week}.", "zh": "此处没有订单：{step}，{week}。"},
    "ltc.col.paid_on": {"en": "Paid", "zh": "回款日期"},
    "ltc.col.credit_note": {"en": "Credit note", "zh": "贷项"},
    "ltc.credit_note_help": {
        "en": "A credit note (negative amount): netted in the week's amount, not counted as an order.",
        "zh": "贷项（负金额）：在该周金额中冲抵，不计为订单笔数。",
    },
    # --- projection ---
    "ltc.projection": {"en": "Projection to quarter end", "zh": "季末预测"},
    "ltc.projection_caption": {
        "en": "{quarter}: revenue booked so far plus the weighted open pipeline expected to close in the quarter.",
        "zh": "{quarter}：截至目前的签约收入，加上预计在本季度关闭的未结商机加权金额。",
    },
    "ltc.projection_empty": {
        "en": "Nothing is booked in {quarter} yet, no open opportunity is expected to close in it, and no revenue target is set for this view.",
        "zh": "{quarter} 尚无签约，没有预计在本季度关闭的未结商机，当前视图也没有收入目标。",
    },
    "ltc.closed": {"en": "Booked so far", "zh": "已签约"},
    "ltc.weighted": {"en": "Weighted open pipeline", "zh": "未结商机加权金额"},
    "ltc.projected": {"en": "Projected at quarter end", "zh": "季末预测"},
    "ltc.target": {"en": "Revenue target", "zh": "收入目标"},
    "ltc.quarter_over": {"en": "quarter over", "zh": "季度已结束"},
    "ltc.target_label": {"en": "Target {target}", "zh": "目标 {target}"},
    "ltc.scope_all": {"en": "the whole company", "zh": "全公司"},
    "ltc.scope_yours": {"en": "your units", "zh": "您的各单元"},
    "ltc.against_target": {
        "en": "Against the {quarter} revenue target of {scope}, {target}: booked {booked}, pace {pace}, projected {projected} of target.",
        "zh": "对照 {scope} 的 {quarter} 收入目标 {target}：已达成 {booked}，进度 {pace}，预计达成 {projected}。",
    },
    "ltc.no_target": {
        "en": "No revenue target applies to {scope} for {quarter} (a unit in view has none, or a business-unit, product, segment or source filter is chosen, which targets do not carry): the projection stands alone.",
        "zh": "{scope} 在 {quarter} 没有适用的收入目标（视图中有单元未设目标，或选择了目标不区分的经营单元、产品、客户类型或来源筛选）：仅显示预测。",
    },
    "ltc.no_target_bus": {
        "en": "Revenue targets are set per unit, not per business unit, and you see only some business units: no target applies to your view for {quarter}, so the projection (your business units only) stands alone.",
        "zh": "收入目标按组织单元设定，不区分经营单元，而您只能查看部分经营单元：{quarter} 没有适用于您视图的目标，仅显示预测（仅含您的经营单元）。",
    },
    "ltc.col.quarter": {"en": "Quarter", "zh": "财季"},
    "ltc.col.start": {"en": "First day", "zh": "首日"},
    "ltc.col.end": {"en": "Last day", "zh": "末日"},
    "ltc.col.attained": {"en": "Booked, % of target", "zh": "已达成比例"},
    "ltc.col.projected_attained": {"en": "Projected, % of target", "zh": "预计达成比例"},
    # --- days from order to cash ---
    "ltc.days": {"en": "Days from order to cash", "zh": "订单到回款天数"},
    "ltc.days_caption": {
        "en": "Orders paid in {quarter} to date, and per week of payment: the median, with the 25th–75th percentile band.",
        "zh": "{quarter} 至今回款的订单，及按回款周统计：中位数及第 25–75 百分位区间。",
    },
    "ltc.days_summary": {
        "en": "{n} orders paid: median {median} from order to cash (25th–75th percentile {p25}–{p75}, 90th {p90}, mean {mean}).",
        "zh": "回款订单 {n} 笔：订单到回款中位数 {median}（第 25–75 百分位 {p25}–{p75}，第 90 百分位 {p90}，平均 {mean}）。",
    },
    "ltc.days_empty": {
        "en": "No order was paid in {quarter} up to {day} in this view, so there are no days from order to cash to show.",
        "zh": "在当前视图中，{quarter} 截至 {day} 没有回款的订单，因此没有订单到回款天数可显示。",
    },
    "ltc.col.paid": {"en": "Orders paid", "zh": "回款订单数"},
    "ltc.col.mean": {"en": "Mean (days)", "zh": "平均（天）"},
    # --- orders waiting ---
    "ltc.waiting": {"en": "Orders waiting at each step", "zh": "各环节等待中的订单"},
    "ltc.waiting_caption": {
        "en": "On {day}, among every order booked by then (from any quarter).",
        "zh": "{day} 当天，范围为截至当天已签约的全部订单（任何财季）。",
    },
    "ltc.waiting_none": {
        "en": "No order is waiting on {day}: everything booked has shipped, been invoiced and been paid.",
        "zh": "{day} 没有等待中的订单：已签约的订单均已发货、开票并回款。",
    },
    "ltc.wait.booked_not_shipped": {"en": "Booked, not shipped", "zh": "已签约未发货"},
    "ltc.wait.shipped_not_invoiced": {"en": "Shipped, not invoiced", "zh": "已发货未开票"},
    "ltc.wait.invoiced_not_paid": {"en": "Invoiced, not paid", "zh": "已开票未回款"},
    "ltc.wait.past_due": {"en": "of which past due", "zh": "其中已逾期"},
    "ltc.col.amount_waiting": {"en": "Amount", "zh": "金额"},
    "ltc.pick.booked_not_shipped": {"en": "Booked, not shipped", "zh": "已签约未发货"},
    "ltc.pick.shipped_not_invoiced": {"en": "Shipped, not invoiced", "zh": "已发货未开票"},
    "ltc.pick.invoiced_not_paid": {"en": "Invoiced, not paid", "zh": "已开票未回款"},
    "ltc.pick.past_due": {"en": "Invoiced, past due", "zh": "已开票且逾期"},
    # --- the orders behind a figure ---
    "ltc.records": {"en": "The orders waiting", "zh": "等待中的订单明细"},
    "ltc.records_caption": {
        "en": "The orders behind a waiting figure, largest amount first (up to {n}).",
        "zh": "等待数字背后的订单，按金额从大到小（最多 {n} 笔）。",
    },
    "ltc.records_step": {"en": "Orders", "zh": "订单"},
    "ltc.records_none": {"en": "No order is waiting here: {step}.", "zh": "此处没有等待中的订单：{step}。"},
    "ltc.col.order": {"en": "Order", "zh": "订单号"},
    "ltc.col.account": {"en": "Account", "zh": "客户"},
    "ltc.col.rep": {"en": "Rep", "zh": "销售"},
    "ltc.col.booked": {"en": "Booked", "zh": "下单日期"},
    "ltc.col.shipped": {"en": "Shipped", "zh": "发货日期"},
    "ltc.col.invoiced": {"en": "Invoiced", "zh": "开票日期"},
    "ltc.col.due": {"en": "Due", "zh": "付款到期日"},
    "ltc.col.days_waiting": {"en": "Days waiting", "zh": "等待天数"},
    "ltc.col.days_overdue": {"en": "Days overdue", "zh": "逾期天数"},
    "ltc.col.as_booked": {"en": "Amount as booked", "zh": "原币金额"},
    "ltc.amount_help": {
        "en": "In the reporting currency at the rate of the order date; empty for an order with no amount or no rate.",
        "zh": "按下单日汇率折算的报告货币金额；无金额或无汇率的订单为空。",
    },
    # --- files ---
    "ltc.file.monday": {"en": "lead-to-cash-weeks-around", "zh": "回款周例会"},
    "ltc.file.weeks": {"en": "lead-to-cash-13-weeks", "zh": "回款13周"},
    "ltc.file.projection": {"en": "lead-to-cash-projection", "zh": "季末预测"},
    "ltc.file.days": {"en": "order-to-cash-days", "zh": "订单到回款天数"},
    "ltc.file.waiting": {"en": "orders-waiting", "zh": "等待订单"},
    "ltc.file.records": {"en": "orders-waiting-records", "zh": "等待订单明细"},
    "ltc.file.week_records": {"en": "lead-to-cash-week-records", "zh": "每周明细"},
    # --- the Definitions panel: names of the page's notes and of metrics.lead_to_cash.DEFINITIONS; the notes' texts ---
    "ltc.def.quarter": {"en": "Which quarter", "zh": "显示哪个财季"},
    "ltc.def.records": {"en": "The orders waiting", "zh": "等待中的订单明细"},
    "ltc.def.week_records": {"en": "The orders behind a week", "zh": "每周明细"},
    "ltc.records_text": {"en": _RECORDS_EN, "zh": _RECORDS_ZH},
    "ltc.week_records_text": {"en": _WEEK_RECORDS_EN, "zh": _WEEK_RECORDS_ZH},
    "ltc.def.weeks": {"en": "The 13 weeks", "zh": "13 周"},
    "ltc.def.flows": {"en": "Booked, shipped, invoiced, paid", "zh": "签约、发货、开票、回款"},
    "ltc.def.monday": {"en": "Last, this and next week", "zh": "上周、本周、下周"},
    "ltc.def.expected": {"en": "Expected next week", "zh": "下周预计"},
    "ltc.def.projection": {"en": "Projection to quarter end", "zh": "季末预测"},
    "ltc.def.order_to_cash": {"en": "Days from order to cash", "zh": "订单到回款天数"},
    "ltc.def.waiting": {"en": "Orders waiting", "zh": "等待中的订单"},
}
