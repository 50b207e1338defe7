"""The monthly key-project table as a 发改局 circulates it: a title, the projects grouped by stage with a
subtotal per group and a total, amounts in 亿元, completion against the plan and the schedule, the light
and its reason, progress and problems, the responsible leader and department. Text is neutralised
against formula injection like every export of the platform."""

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import xlsxwriter

from chanye.core.tabular.write import XLSX_OPTIONS, neutralise

HEADERS = (
    "序号",
    "项目编号",
    "项目名称",
    "业主单位",
    "所属产业",
    "所在街道",
    "总投资(亿元)",
    "年度计划投资(亿元)",
    "本年累计完成(亿元)",
    "完成率(%)",
    "时序进度(%)",
    "灯色",
    "亮灯原因",
    "形象进度",
    "存在问题",
    "责任区领导",
    "责任部门",
    "月报状态",
)
GROUPS = (
    ("completed", "一、竣工项目"),
    ("continuing", "二、续建项目"),
    ("new", "三、新开工项目"),
    ("operating", "四、投产项目"),
    ("reserve", "五、储备项目"),
)
COLOURS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "—"}


@dataclass
class Row:
    code: str
    name: str
    stage: str
    owner: str
    industry: str
    street: str
    total: Decimal
    plan: Decimal | None
    cumulative: Decimal | None
    schedule: Decimal | None  # 时序进度, a share (0–1)
    colour: str
    reason: str
    narrative: str
    blockers: str
    leader: str
    department: str
    status: str


def _yi(value: Decimal | None) -> float | None:
    return None if value is None else float((Decimal(value) / 10000).quantize(Decimal("0.01")))


def monthly_table(rows: Sequence[Row], *, period: date, district: str = "天河区") -> bytes:
    """The workbook's bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**XLSX_OPTIONS, "constant_memory": False, "in_memory": True})
    sheet = book.add_worksheet(f"{period:%Y年%m月}")
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    group = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    cell = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
    number = book.add_format({"border": 1, "num_format": "#,##0.00"})
    fills = {
        "red": book.add_format({"border": 1, "bg_color": "#F8D7DA"}),
        "yellow": book.add_format({"border": 1, "bg_color": "#FFF3CD"}),
        "green": book.add_format({"border": 1, "bg_color": "#D1E7DD"}),
        "grey": cell,
    }
    sheet.merge_range(
        0, 0, 0, len(HEADERS) - 1, f"{period.year}年1-{period.month}月{district}重点项目投资进度表", title
    )
    sheet.write_row(1, 0, ["单位：亿元；时序进度为年度计划曲线在本月末的占比"])
    sheet.write_row(2, 0, HEADERS, head)
    sheet.freeze_panes(3, 3)
    widths = (5, 13, 28, 24, 14, 10, 10, 10, 10, 8, 8, 6, 40, 30, 24, 16, 18, 8)
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    line = 3
    serial = 0
    totals = [Decimal(0), Decimal(0), Decimal(0)]
    for stage, label in GROUPS:
        members = [row for row in rows if row.stage == stage]
        if not members:
            continue
        sums = [sum((r.total for r in members), Decimal(0)), sum((r.plan or 0 for r in members), Decimal(0))]
        sums.append(sum((r.cumulative or 0 for r in members), Decimal(0)))
        sheet.write(line, 0, "", group)
        sheet.write(line, 1, "", group)
        sheet.write(line, 2, f"{label}（{len(members)}个）", group)
        for offset, value in enumerate(sums):
            sheet.write_number(line, 6 + offset, _yi(value) or 0, number)
        line += 1
        for row in members:
            serial += 1
            rate = (row.cumulative or 0) * 100 / row.plan if row.plan else None
            values: list = [serial, row.code, row.name, row.owner, row.industry, row.street]
            sheet.write_row(line, 0, [neutralise(v) for v in values], cell)
            for offset, amount in enumerate((row.total, row.plan, row.cumulative)):
                value = _yi(amount)
                if value is None:
                    sheet.write_blank(line, 6 + offset, None, number)
                else:
                    sheet.write_number(line, 6 + offset, value, number)
            for column, share in ((9, rate), (10, row.schedule * 100 if row.schedule is not None else None)):
                if share is None:
                    sheet.write_blank(line, column, None, number)
                else:
                    sheet.write_number(line, column, float(Decimal(share).quantize(Decimal("0.1"))), number)
            sheet.write_string(line, 11, COLOURS.get(row.colour, "—"), fills.get(row.colour, cell))
            for column, text in enumerate(
                (row.reason, row.narrative, row.blockers, row.leader, row.department, row.status), start=12
            ):
                sheet.write_string(line, column, neutralise(text or ""), cell)
            line += 1
        totals = [a + b for a, b in zip(totals, sums, strict=True)]
    sheet.write(line, 2, f"合计（{serial}个）", group)
    for offset, value in enumerate(totals):
        sheet.write_number(line, 6 + offset, _yi(value) or 0, number)
    book.close()
    return buffer.getvalue()


def colour_counts(rows: Sequence[Row]) -> Mapping[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.colour] = counts.get(row.colour, 0) + 1
    return counts
