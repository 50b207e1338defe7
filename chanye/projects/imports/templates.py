"""The empty templates to download: our headers on the first sheet, and a second sheet explaining every
column with an example."""

import io

from chanye.core.tabular import write_xlsx
from chanye.projects.imports.sheets import AMOUNT_FIELDS, MONTH_FIELDS, SHEETS

NOTES = {
    "code": "必填。项目库中的项目编号",
    "owner": "业主单位须已在企业名录中；可只填业主单位名称（须与名录一致且不重名）",
    "owner_name": "与信用代码同填时须与名录中的名称（或曾用名）一致",
    "industry": "现行产业体系中的产业名称或代码",
    "street": "街道名称或代码",
    "category": "产业项目、基础设施、城市更新、社会民生、其他",
    "stage": "储备、新开工、续建、竣工、投产；不填时新项目为储备",
    "total_investment": "新项目必填；单位默认万元，可在表头或单元格中写元、万元、亿元",
    "year": "年度计划的年份",
    "completed_before": "记在该年度计划上（项目库表中需该项目已有该年度计划）",
    "planned_investment": "必填（或填写 1–12 月）；单位默认万元",
    "m1": "1–12 月各填当月计划投资（合计须等于年度计划），或各月末累计占比（如 25%，逐月不减，12 月为 100%）；不填为按月平均",
    "period": "YYYY-MM，如 2025-03；也可在标题中写明“2025年1-3月”",
    "investment": "本月完成投资与本年累计至少填一项；本年累计须等于上月累计加本月完成",
    "cumulative": "单位默认万元，可在表头中写（亿元）",
    "milestones": "拿地、立项、规划许可、施工许可、开工、主体封顶、竣工、投产，多个用顿号分隔",
    "status": "报送（默认）或 草稿；已报送、已审核的月报不能通过导入修改",
}


def template_headers(kind: str) -> list[str]:
    """Our headers, amounts with their unit (the months take the plan's)."""
    headers = []
    for column in SHEETS[kind].columns:
        if column.field in AMOUNT_FIELDS and column.field not in MONTH_FIELDS:
            headers.append(f"{column.label}（万元）")
        else:
            headers.append(column.label)
    return headers


def template_xlsx(kind: str) -> bytes:
    """An empty sheet of this kind with our headers, and a second sheet explaining every column with an
    example (the example is not on the first sheet, so an untouched template imports nothing)."""
    sheet = SHEETS[kind]
    notes = [
        [
            header,
            "必填" if column.required else "",
            NOTES.get(column.field, NOTES["m1"] if column.field in MONTH_FIELDS else ""),
            column.example,
        ]
        for header, column in zip(template_headers(kind), sheet.columns, strict=True)
        if column.field not in MONTH_FIELDS[1:]
    ]
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        [(sheet.label, template_headers(kind), []), ("填写说明", ["列", "必填", "说明", "示例"], notes)],
    )
    return buffer.getvalue()
