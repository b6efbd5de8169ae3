"""UI strings of pages/key_accounts.py: keys begin with ``page.key_accounts`` or ``ka.``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "page.key_accounts": {"en": "Key accounts", "zh": "重点客户"},
    "ka.title": {"en": "Key accounts", "zh": "重点客户"},
    "ka.caption": {
        "en": "The accounts bringing the most revenue over the last 12 months, and how each is served — those needing attention "
        "first.",
        "zh": "近 12 个月收入最高的客户及其服务状况——需关注的排在前面。",
    },
    "ka.top": {"en": "Accounts shown", "zh": "显示客户数"},
    "ka.top_n": {"en": "Top {n}", "zh": "前 {n} 名"},
    "ka.wall_link": {"en": "Wall screen", "zh": "大屏模式"},
    "ka.wall_link_help": {
        "en": "Opens this table large, without the sidebar, refreshing itself every 5 minutes — for a screen on a wall. The "
        "link keeps these filters; add &every=60 (30 to 3600 seconds) to refresh more or less often.",
        "zh": "以大字号、无侧边栏的方式打开此表，每 5 分钟自动刷新，适合挂在墙上的屏幕。链接保留当前筛选；在地址后加 &every=60（30 至 3600 秒）可调整刷新间隔。",
    },
    "ka.reference": {"en": "Read on {day}.", "zh": "按 {day} 读取。"},
    # --- counts ---
    "ka.count.attention": {"en": "Need attention", "zh": "需关注"},
    "ka.count.complaints": {"en": "Open complaints", "zh": "未解决投诉"},
    "ka.count.late": {"en": "Late deliveries", "zh": "延迟交付"},
    "ka.count.at_risk": {"en": "At risk", "zh": "有流失风险"},
    # --- the table ---
    "ka.table": {"en": "How the key accounts are served", "zh": "重点客户服务状况"},
    "ka.col.status": {"en": "Status", "zh": "状态"},
    "ka.status.attention": {"en": "● Needs attention", "zh": "● 需关注"},
    "ka.status.ok": {"en": "● OK", "zh": "● 正常"},
    "ka.col.rank": {"en": "Rank", "zh": "排名"},
    "ka.col.account": {"en": "Account", "zh": "客户"},
    "ka.col.unit": {"en": "Home unit", "zh": "归属单元"},
    "ka.col.owner": {"en": "Owner", "zh": "负责人"},
    "ka.col.revenue": {"en": "Revenue, 12 months", "zh": "近 12 个月收入"},
    "ka.col.complaints": {"en": "Open complaints", "zh": "未解决投诉"},
    "ka.col.late": {"en": "Late deliveries", "zh": "延迟交付"},
    "ka.col.share": {"en": "Share of wallet", "zh": "客户购买份额"},
    "ka.col.share_change": {"en": "Share vs a year earlier", "zh": "份额较上年同期"},
    "ka.col.last_order": {"en": "Days since last order", "zh": "距上次下单天数"},
    "ka.col.usual": {"en": "Usual reorder interval", "zh": "通常复购间隔"},
    "ka.col.contact": {"en": "Days since contact", "zh": "距上次联系天数"},
    "ka.col.reasons": {"en": "Why", "zh": "原因"},
    "ka.points": {"en": "{sign}{value} pts", "zh": "{sign}{value} 个百分点"},
    "ka.never": {"en": "never", "zh": "从未"},
    "ka.nobody": {"en": "(nobody)", "zh": "（无）"},
    "ka.reason.complaint": {"en": "open complaint", "zh": "有未解决投诉"},
    "ka.reason.late": {"en": "late delivery", "zh": "交付延迟"},
    "ka.reason.no_contact": {"en": "no contact in {days} days", "zh": "{days} 天未联系"},
    "ka.reason.at_risk": {"en": "overdue to reorder", "zh": "超期未复购"},
    "ka.reason.share_falling": {"en": "share of wallet falling", "zh": "客户购买份额下降"},
    "ka.reason.sep": {"en": "; ", "zh": "；"},
    "ka.none": {
        "en": "No account in view has revenue in the 12 months to {day}.",
        "zh": "截至 {day} 的 12 个月内，当前范围内没有客户有收入。",
    },
    "ka.all_ok": {"en": "None of these accounts needs attention.", "zh": "这些客户均无需关注。"},
    "ka.file": {"en": "key-accounts", "zh": "重点客户"},
    # --- the wall screen ---
    "ka.wall.title": {"en": "Key accounts — {n} of {total} need attention", "zh": "重点客户——{total} 个中 {n} 个需关注"},
    "ka.wall.updated": {
        "en": "{where} · read on {day} · updated {time} · refreshes every {every}",
        "zh": "{where} · 按 {day} 读取 · 更新于 {time} · 每 {every} 刷新",
    },
    "ka.wall.seconds": {"en": "{n} s", "zh": "{n} 秒"},
    "ka.wall.minutes": {"en": "{n} min", "zh": "{n} 分钟"},
    # --- definitions ---
    "ka.def.ranking": {"en": "Which accounts", "zh": "哪些客户"},
    "ka.def.complaints": {"en": "Open complaints", "zh": "未解决投诉"},
    "ka.def.late": {"en": "Late deliveries", "zh": "延迟交付"},
    "ka.def.share": {"en": "Share of wallet", "zh": "客户购买份额"},
    "ka.def.risk": {"en": "Churn risk", "zh": "流失风险"},
    "ka.def.contact": {"en": "Contact and owner", "zh": "联系与负责人"},
    "ka.def.attention": {"en": "Needs attention", "zh": "需关注"},
}
