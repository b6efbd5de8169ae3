"""UI strings of pages/pipeline.py: keys begin with ``page.pipeline`` or ``pipe.``."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "page.pipeline": {"en": "Pipeline and forecast", "zh": "商机管道与预测"},
    "pipe.title": {"en": "Pipeline and forecast", "zh": "商机管道与预测"},
    # The project grade watched
    "pipe.grade": {"en": "Project grade", "zh": "项目等级"},
    "pipe.grade.company": {"en": "Company level", "zh": "公司级"},
    "pipe.grade.region": {"en": "Region level", "zh": "地区部级"},
    "pipe.grade.office": {"en": "Office level", "zh": "代表处级"},
    "pipe.grade_and_above": {"en": "{grade} and above", "zh": "{grade}及以上"},
    "pipe.grade_all": {"en": "All grades", "zh": "全部等级"},
    "pipe.of_grade": {"en": " ({grade})", "zh": "（{grade}）"},
    "pipe.grade_help": {
        "en": "The page counts every grade by default (“All grades”, the ungraded deals included); pick a grade to count only "
        "its projects and the larger ones. Every figure on this page follows the choice except the projection to period "
        "end and “Projects you watch”.",
        "zh": "本页默认计入所有等级（“全部等级”，含未分级的商机）；选择某一等级则只计入该等级及更大的项目。"
        "除“期末预测”和“您关注的项目”外，本页所有数字都随此选择变化。",
    },
    "pipe.grade_help_mine": {
        "en": "The page counts every grade by default (“All grades”, the ungraded deals included); pick a grade to count only "
        "its projects and the larger ones. Every figure on this page follows the choice except the projection to period "
        "end and “Projects you watch”. Your level watches {mine} (抓大放小): “Projects you watch” lists them.",
        "zh": "本页默认计入所有等级（“全部等级”，含未分级的商机）；选择某一等级则只计入该等级及更大的项目。"
        "除“期末预测”和“您关注的项目”外，本页所有数字都随此选择变化。您所在层级关注{mine}（抓大放小）：见“您关注的项目”。",
    },
    "pipe.projects.company": {"en": "Company-level projects and above", "zh": "公司级及以上项目"},
    "pipe.projects.region": {"en": "Region-level projects and above", "zh": "地区部级及以上项目"},
    "pipe.projects.office": {"en": "Office-level projects and above", "zh": "代表处级及以上项目"},
    "pipe.show_all_grades": {"en": "Show all grades", "zh": "显示全部等级"},
    "pipe.horizon": {
        "en": "The pipeline looks ahead over {period}: open deals as they stood at the end of {day}, from the stage history.",
        "zh": "商机管道覆盖 {period}：按阶段历史重建的 {day} 日终时的未结商机。",
    },
    "pipe.no_open": {
        "en": "No open deal{grade} is expected to close in {period}.",
        "zh": "{period}内没有预计关闭的未结商机{grade}。",
    },
    "pipe.no_history": {
        "en": "{n} deals open then have no stage-history row by then: their values are unknown, so they are left out of the figures.",
        "zh": "{n} 个当时未结的商机在当时之前没有阶段历史记录：其当时的值未知，不计入以下数字。",
    },
    # Projects you watch
    "pipe.watch": {"en": "Projects you watch", "zh": "您关注的项目"},
    "pipe.watch_help": {
        "en": "Each level watches the projects of its own grade and above — grasp the big, let go of the small (抓大放小). "
        "Yours: {grades}. The open deals of those grades expected to close in the pipeline's period, with their stage, "
        "amount, probability and expected close as they stood at the end of the as-of day — the weighted pipeline's "
        "deals and values. The grade control does not change this list.",
        "zh": "各级关注本级及以上等级的项目——抓大放小。您关注的是：{grades}。列出这些等级中预计在商机管道期间内关闭的未结商机，"
        "其阶段、金额、赢率和预计关闭日期取数据日日终时的值（与加权商机金额的商机和取值相同）。项目等级的选择不影响此列表。",
    },
    "pipe.watch_caption": {
        "en": "{grades}, open at the end of {day} and expected to close in {period}: {n}, the largest weighted amount first.",
        "zh": "{day} 日终时未结、预计在 {period} 关闭的{grades}：共 {n} 个，按加权金额从大到小排列。",
    },
    "pipe.watch_none": {
        "en": "None of the {grades} open at the end of {day} is expected to close in {period}. None is open with a later expected close either.",
        "zh": "{day} 日终时未结的{grades}中，没有预计在 {period} 关闭的，也没有预计在此之后关闭的。",
    },
    "pipe.watch_none_later_one": {
        "en": "None of the {grades} open at the end of {day} is expected to close in {period}. One is open with a later expected close.",
        "zh": "{day} 日终时未结的{grades}中，没有预计在 {period} 关闭的；另有 1 个预计在此之后关闭。",
    },
    "pipe.watch_none_later": {
        "en": "None of the {grades} open at the end of {day} is expected to close in {period}. {n} are open with a later expected close.",
        "zh": "{day} 日终时未结的{grades}中，没有预计在 {period} 关闭的；另有 {n} 个预计在此之后关闭。",
    },
    "pipe.watch_no_grade": {
        "en": "Projects you watch: your units' level has no project grade of its own, so no list is shown; the grade control "
        "above narrows the figures to a grade and above.",
        "zh": "您关注的项目：您所在单元的层级没有对应的项目等级，因此不显示此列表；可用上方的项目等级选择将数字限定为某一等级及以上。",
    },
    "pipe.file_watch": {"en": "projects-you-watch", "zh": "关注的项目"},
    # Weighted pipeline by expected close
    "pipe.by_close": {"en": "Weighted pipeline by expected close", "zh": "按预计关闭时间的加权商机金额"},
    "pipe.by_close_caption": {
        "en": "Amount × probability of the deals open at the end of {day}, expected to close in {period}, stacked by group.",
        "zh": "{day} 日终时未结、预计在 {period} 关闭的商机的金额 × 赢率，按分组堆叠。",
    },
    "pipe.close": {"en": "Expected close by", "zh": "预计关闭时间按"},
    "pipe.close.week": {"en": "Week", "zh": "周"},
    "pipe.close.month": {"en": "Month", "zh": "月"},
    "pipe.every.week": {"en": "Every week", "zh": "所有周"},
    "pipe.every.month": {"en": "Every month", "zh": "所有月"},
    "pipe.week_of": {"en": "Week of {day}", "zh": "{day}当周"},
    "pipe.split": {"en": "Split by", "zh": "拆分依据"},
    "pipe.by.unit": {"en": "Unit", "zh": "组织单元"},
    "pipe.by.bu": {"en": "Business unit", "zh": "经营单元"},
    "pipe.by.product": {"en": "Product", "zh": "产品"},
    "pipe.no_bu": {"en": "(no business unit)", "zh": "（无经营单元）"},
    "pipe.no_product": {"en": "(no product)", "zh": "（无产品）"},
    "pipe.deals": {"en": "Deals", "zh": "商机数"},
    "pipe.amount": {"en": "Amount", "zh": "金额"},
    "pipe.weighted": {"en": "Weighted", "zh": "加权金额"},
    "pipe.file_by_close": {"en": "weighted-pipeline", "zh": "加权商机"},
    # The deals behind a figure
    "pipe.drill": {"en": "The deals behind a bar", "zh": "柱形背后的商机"},
    "pipe.every_group": {"en": "Every group", "zh": "所有分组"},
    "pipe.pick_label": {"en": "{name} · {n}", "zh": "{name} · {n}"},
    "pipe.too_many_groups": {
        "en": "{n} {by} groups are more than the chart can tell apart by colour: the bars show the whole pipeline, the table below splits it.",
        "zh": "{n} 个{by}分组超出图表可用颜色区分的数量：柱形显示整体商机管道，下表按此拆分。",
    },
    "pipe.records": {"en": "Deals", "zh": "商机"},
    "pipe.records_none": {"en": "No deal matches this choice.", "zh": "没有符合此选择的商机。"},
    "pipe.deal": {"en": "Deal", "zh": "商机"},
    "pipe.account": {"en": "Account", "zh": "客户"},
    "pipe.owner": {"en": "Owner", "zh": "负责人"},
    "pipe.probability": {"en": "Probability", "zh": "赢率"},
    "pipe.expected_close": {"en": "Expected close", "zh": "预计关闭日期"},
    "pipe.status": {"en": "Outcome", "zh": "结果"},
    "pipe.status.won": {"en": "Won", "zh": "赢单"},
    "pipe.status.lost": {"en": "Lost", "zh": "输单"},
    "pipe.closed": {"en": "Closed", "zh": "关闭日期"},
    "pipe.file_records": {"en": "pipeline-deals", "zh": "商机明细"},
    "pipe.file_closed": {"en": "closed-deals", "zh": "已关闭商机"},
    # Forecast categories
    "pipe.categories": {"en": "Forecast categories", "zh": "预测类别"},
    "pipe.categories_caption": {
        "en": "Won so far in {period}, and the open deals expected to close in it as commit, best case or pipeline.",
        "zh": "{period}内已赢单的商机，以及预计在此期间关闭的未结商机（承诺、最佳情况、管道）。",
    },
    "pipe.categories_definition": {
        "en": "First rule that matches: won in the period → closed won; open in negotiation or with probability ≥ 75% → commit; "
        "open in proposal or with probability ≥ 40% → best case; any other open deal (an unknown probability included) → "
        "pipeline. Stage and probability as they stood at the end of the as-of day; lost deals are left out. Closed won "
        "counts its full amount, at the close date's rate.",
        "zh": "按第一条符合的规则：本期赢单 → 已赢单；处于商务谈判阶段或赢率 ≥ 75% 的未结商机 → 承诺；处于方案报价阶段或赢率 ≥ 40% → "
        "最佳情况；其他未结商机（含赢率未知）→ 管道。阶段和赢率取数据日结束时的值；输单不计入。已赢单按关闭日期汇率计全额。",
    },
    "pipe.category": {"en": "Category", "zh": "类别"},
    "pipe.cat.closed_won": {"en": "Closed won", "zh": "已赢单"},
    "pipe.cat.commit": {"en": "Commit", "zh": "承诺"},
    "pipe.cat.best_case": {"en": "Best case", "zh": "最佳情况"},
    "pipe.cat.pipeline": {"en": "Pipeline", "zh": "管道"},
    "pipe.drill_category": {"en": "The deals of a category", "zh": "某一类别的商机"},
    "pipe.file_categories": {"en": "forecast-categories", "zh": "预测类别"},
    # Projection to period end
    "pipe.projection": {"en": "Projection to period end", "zh": "期末预测"},
    "pipe.projection_caption": {
        "en": "Revenue booked so far in {period} plus the weighted open deals expected to close in it — the projection the targets and incentive views use.",
        "zh": "{period}内至今已入账的收入，加上预计在本期内关闭的未结商机的加权金额——与目标和激励页面使用的预测相同。",
    },
    "pipe.projection_definition": {
        "en": "Projected = closed + weighted open. Closed: revenue of the orders booked from the period's start to the as-of day "
        "(credit notes netted). Weighted open: Σ amount × probability of the deals open at the end of the as-of day whose "
        "expected close date then lies in the period (overdue ones within it included), valued as they stood then — the "
        "weighted pipeline's deals and values — at the as-of day's rate, each rounded to the cent; a deal with no "
        "probability counts zero. It counts every project grade. Once the period is over, the projection is what was booked.",
        "zh": "预测 = 已入账 + 加权未结。已入账：本期开始至数据日入账的订单收入（红字冲销已抵扣）。加权未结：数据日结束时未结、当时预计关闭日期在本期内"
        "（含本期内已逾期的）的商机的 Σ 金额 × 赢率，取其当时的值（与加权商机金额的商机和取值相同），按数据日汇率折算并逐笔四舍五入到分；"
        "无赢率的商机计为零。计入所有项目等级。本期结束后，预测值即已入账金额。",
    },
    "pipe.closed_to_date": {"en": "Closed to date", "zh": "至今已入账"},
    "pipe.weighted_open": {"en": "Weighted open", "zh": "加权未结"},
    "pipe.projected": {"en": "Projected", "zh": "预测值"},
    "pipe.projection_none": {"en": "No revenue and no open deal in this period.", "zh": "本期既无收入也无未结商机。"},
    "pipe.projection_ended": {
        "en": "The period has ended: its projection is what was booked.",
        "zh": "本期已结束：预测值即已入账金额。",
    },
    "pipe.projection_all_grades": {
        "en": "The projection counts every project grade, as the incentive views do: the grade choice does not narrow it.",
        "zh": "期末预测与激励页面一致，计入所有项目等级：项目等级的选择不影响它。",
    },
    "pipe.file_projection": {"en": "projection", "zh": "期末预测"},
    # Forecast accuracy
    "pipe.accuracy": {"en": "Forecast accuracy", "zh": "预测准确率"},
    "pipe.accuracy_caption": {
        "en": "What the weighted pipeline said when each period opened, rebuilt from the stage history, against what was won in it.",
        "zh": "每期开始时的加权商机金额（由阶段历史重建）与该期实际赢单金额的对比。",
    },
    "pipe.accuracy_per": {"en": "Per", "zh": "按"},
    "pipe.per.month": {"en": "Month", "zh": "月"},
    "pipe.per.quarter": {"en": "Quarter", "zh": "季度"},
    "pipe.accuracy_no_periods": {"en": "No period has started by the as-of day.", "zh": "截至数据日尚无已开始的期间。"},
    "pipe.accuracy_empty": {
        "en": "No deal{grade} was forecast or won in these periods.",
        "zh": "这些期间内没有预测或赢单的商机{grade}。",
    },
    "pipe.accuracy_nothing_won": {
        "en": "Nothing was won in these periods: accuracy cannot be computed, the forecasts are shown.",
        "zh": "这些期间内没有赢单：无法计算准确率，仅显示预测值。",
    },
    "pipe.to_date": {"en": "{period} (to date)", "zh": "{period}（至今）"},
    "pipe.period": {"en": "Period", "zh": "期间"},
    "pipe.forecast": {"en": "Forecast", "zh": "预测"},
    "pipe.actual": {"en": "Won", "zh": "实际赢单"},
    "pipe.error": {"en": "Forecast − won", "zh": "预测 − 实际"},
    "pipe.error_help": {"en": "Above zero: the pipeline promised more than was won.", "zh": "大于零：商机管道预测高于实际赢单。"},
    "pipe.forecast_deals": {"en": "Deals forecast", "zh": "预测商机数"},
    "pipe.won_deals": {"en": "Deals won", "zh": "赢单数"},
    "pipe.no_history_deals": {"en": "Deals without history", "zh": "无历史商机数"},
    "pipe.no_history_help": {
        "en": "Open when the period opened but with no stage-history row by then: their values then are unknown, so they are not in the forecast.",
        "zh": "期间开始时未结、但此前没有阶段历史记录的商机：其当时的值未知，不计入预测。",
    },
    "pipe.file_accuracy": {"en": "forecast-accuracy", "zh": "预测准确率"},
    # Win/loss
    "pipe.winloss": {"en": "Win/loss", "zh": "赢单与输单"},
    "pipe.winloss_caption": {
        "en": "Why deals closed in the period were lost, and how often we win against each competitor.",
        "zh": "本期关闭的商机为何输单，以及与各竞争对手交锋时的赢率。",
    },
    "pipe.winloss_definition": {
        "en": "Deals won or lost in the period (close time in the company's time zone) up to the as-of day. Loss reason and "
        "competitor as the CRM records them. Win rate against a competitor = won ÷ (won + lost) of the deals that name it, "
        "by count. Amounts at the rate of the close date.",
        "zh": "本期（按公司时区的关闭时间）截至数据日赢单或输单的商机。输单原因和竞争对手取自 CRM 记录。对某竞争对手的赢率 = "
        "记录该对手的商机中 赢单 ÷（赢单 + 输单），按数量计。金额按关闭日期汇率折算。",
    },
    "pipe.loss_reasons": {"en": "Loss reasons", "zh": "输单原因"},
    "pipe.loss_reason": {"en": "Loss reason", "zh": "输单原因"},
    "pipe.reason.price": {"en": "Price", "zh": "价格"},
    "pipe.reason.product_fit": {"en": "Product fit", "zh": "产品不匹配"},
    "pipe.reason.competitor": {"en": "Lost to a competitor", "zh": "输给竞争对手"},
    "pipe.reason.no_decision": {"en": "No decision", "zh": "客户未决策"},
    "pipe.reason.timing": {"en": "Timing", "zh": "时机"},
    "pipe.no_reason": {"en": "(no reason recorded)", "zh": "（未记录原因）"},
    "pipe.competitors": {"en": "Competitors", "zh": "竞争对手"},
    "pipe.competitor": {"en": "Competitor", "zh": "竞争对手"},
    "pipe.lost": {"en": "Lost", "zh": "输单数"},
    "pipe.won": {"en": "Won", "zh": "赢单数"},
    "pipe.lost_amount": {"en": "Amount lost", "zh": "输单金额"},
    "pipe.won_amount": {"en": "Amount won", "zh": "赢单金额"},
    "pipe.win_rate_against": {"en": "Win rate against", "zh": "对其赢率"},
    "pipe.win_rate_help": {"en": "Won ÷ (won + lost) of the deals naming this competitor, by count.", "zh": "记录该竞争对手的商机中 赢单 ÷（赢单 + 输单），按数量计。"},
    "pipe.no_losses": {"en": "No deal{grade} was lost in this period.", "zh": "本期没有输单的商机{grade}。"},
    "pipe.no_competitors": {
        "en": "No deal{grade} closed in this period names a competitor.",
        "zh": "本期关闭的商机{grade}都没有记录竞争对手。",
    },
    "pipe.drill_winloss": {"en": "The deals behind a loss reason or a competitor", "zh": "某一输单原因或竞争对手背后的商机"},
    "pipe.drill_pick": {"en": "Loss reason or competitor", "zh": "输单原因或竞争对手"},
    "pipe.against": {"en": "Against {competitor}", "zh": "对阵 {competitor}"},
    "pipe.file_losses": {"en": "loss-reasons", "zh": "输单原因"},
    "pipe.file_competitors": {"en": "competitors", "zh": "竞争对手"},
    # Definitions
    "pipe.note_grades": {
        "en": "**Project grades** — company level is the top grade, then region level, then office level. A grade “and above” "
        "keeps the projects of that grade and the larger ones (抓大放小): an executive watches company-level projects, a "
        "regional head region level and above, an office or team office level and above — “Projects you watch” lists "
        "them. The page's figures count every grade, ungraded deals included, until a grade is picked.",
        "zh": "**项目等级** — 公司级为最高等级，其次为地区部级、代表处级。“某等级及以上”包括该等级及更大的项目（抓大放小）："
        "高管关注公司级项目，地区部主管关注地区部级及以上，代表处或团队关注代表处级及以上——见“您关注的项目”。"
        "在选择等级之前，本页数字计入所有等级，含未分级的商机。",
    },
    "pipe.note_period": {
        "en": "**The pipeline's period** — a month, quarter or year to date is carried to its end (the pipeline looks ahead "
        "to the close); a past or custom period is read as it is. Win/loss and forecast accuracy read the period chosen; "
        "accuracy per month covers the 12 months to the period's end (or the period, when longer), per quarter 8 quarters.",
        "zh": "**商机管道的期间** — 月初至今、季初至今或年初至今会延伸到期末（商机管道向前看到关闭）；过去的期间或自定义期间按原样读取。"
        "赢单与输单、预测准确率读取所选期间；按月的准确率覆盖截至期末的 12 个月（期间更长时为整个期间），按季度为 8 个季度。",
    },
    "pipe.note_categories": {
        "en": "**Forecast categories** — won in the period → closed won; open in negotiation or probability ≥ 75% → commit; "
        "open in proposal or probability ≥ 40% → best case; any other open deal → pipeline.",
        "zh": "**预测类别** — 本期赢单 → 已赢单；商务谈判阶段或赢率 ≥ 75% → 承诺；方案报价阶段或赢率 ≥ 40% → 最佳情况；其他未结商机 → 管道。",
    },
    "pipe.note_projection": {
        "en": "**Projection to period end** — the targets and incentive views' projection: revenue booked to date plus the "
        "weighted open deals expected to close in the period, as they stood at the end of the as-of day (the weighted "
        "pipeline's deals), of every grade.",
        "zh": "**期末预测** — 与目标和激励页面相同的预测：至今已入账收入加上预计在本期内关闭的未结商机加权金额，取数据日日终时的值"
        "（与加权商机金额相同的商机），计入所有等级。",
    },
    "pipe.note_winloss": {
        "en": "**Win/loss** — deals won or lost in the period up to the as-of day, by loss reason and competitor as the CRM "
        "records them; win rate against a competitor by count.",
        "zh": "**赢单与输单** — 本期截至数据日赢单或输单的商机，按 CRM 记录的输单原因和竞争对手；对竞争对手的赢率按数量计。",
    },
}
