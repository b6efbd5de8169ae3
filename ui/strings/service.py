"""UI strings of pages/service.py: keys begin with ``page.service`` or ``svc.``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "page.service": {"en": "Service and delivery", "zh": "服务与交付"},
    "svc.title": {"en": "Service and delivery", "zh": "服务与交付"},
    "svc.caption": {
        "en": "How the customers in view are served: complaints per order, how fast service answers and resolves, how "
        "customers rate it, and whether orders ship when promised.",
        "zh": "对当前范围内客户的服务情况：每笔订单的投诉、服务响应与解决的速度、客户评分，以及订单是否按承诺发货。",
    },
    # --- Trend ---
    "svc.trend": {"en": "Trend", "zh": "趋势"},
    "svc.trend_metric": {"en": "Figure", "zh": "指标"},
    # --- Breakdown ---
    "svc.breakdown": {"en": "By unit, business unit or product", "zh": "按组织单元、经营单元或产品"},
    "svc.breakdown_caption": {
        "en": "Tickets count under their order's unit and business unit (else the account's home unit and the product's "
        "business unit); orders under their own.",
        "zh": "工单计入其订单的组织单元和经营单元（否则计入客户归属单元和产品所属经营单元）；订单计入其自身的单元。",
    },
    "svc.by": {"en": "Split by", "zh": "拆分方式"},
    "svc.by.unit": {"en": "Units", "zh": "组织单元"},
    "svc.by.bu": {"en": "Business units", "zh": "经营单元"},
    "svc.by.product": {"en": "Products", "zh": "产品"},
    "svc.col.product": {"en": "Product", "zh": "产品"},
    "svc.none": {"en": "(none)", "zh": "（无）"},
    "svc.breakdown_empty": {"en": "Nothing to split in this period.", "zh": "本期没有可拆分的数据。"},
    "svc.file.breakdown": {"en": "service-breakdown", "zh": "服务拆分"},
    # --- Open complaints ---
    "svc.open": {"en": "Slowest open complaints", "zh": "最久未解决的投诉"},
    "svc.open_caption": {
        "en": "Complaints still open at the end of {day}, open longest first (the first {n}).",
        "zh": "截至 {day} 结束仍未解决的投诉，按未解决时长从长到短（前 {n} 条）。",
    },
    "svc.open_none": {"en": "No complaint is open at the end of {day}.", "zh": "截至 {day} 结束没有未解决的投诉。"},
    "svc.open_help": {
        "en": "Complaints opened by the end of the as-of day and not resolved by then, whenever opened (the period does not "
        "narrow them), in the viewer's scope and the filters; a complaint naming no order belongs to its account's home unit on "
        "the as-of day. Hours open run to the end of the as-of day. Answered: a first response by then.",
        "zh": "截至数据日结束已新建且尚未解决的投诉（不论何时新建，不受期间限制），受查看范围和筛选条件限制；未关联订单的投诉计入其客户在数据日的归属单元。未解决时长计至数据日结束。"
        "已响应：截至数据日已有首次响应。",
    },
    "svc.col.ticket": {"en": "Ticket", "zh": "工单"},
    "svc.col.opened": {"en": "Opened", "zh": "新建时间"},
    "svc.col.hours_open": {"en": "Hours open", "zh": "未解决小时数"},
    "svc.col.answered": {"en": "Answered", "zh": "已响应"},
    "svc.col.account": {"en": "Account", "zh": "客户"},
    "svc.col.unit": {"en": "Unit", "zh": "单元"},
    "svc.col.order": {"en": "Order", "zh": "订单"},
    "svc.col.subject": {"en": "Subject", "zh": "主题"},
    "svc.file.open": {"en": "open-complaints", "zh": "未解决投诉"},
    "svc.def.open": {"en": "Slowest open complaints", "zh": "最久未解决的投诉"},
}
