"""Importing the key-project library (项目库), annual plans (年度计划) and monthly filings (月度填报) from the
Excel/CSV sheets people keep, by the rules of the enterprise import.

Phase 1 reads and checks every row — each problem named by row, column, value and reason (unknown project
code, owner not in the register, stage not in the list, cumulative not continuing last month's, the same
row twice with different contents…). Phase 2 runs only when no row was rejected: everything is written in
one transaction, each change with its audit event. A dry run does all of it and rolls back, so its counts
are exact. The same file twice changes nothing. Imported filings obey the rules of `services.filing_save`:
the cumulative continues the last submitted filing of the year, only drafts and returned filings change
(a submitted or accepted one is refused with the reason), and each change leaves the same revision.

The sheets may be our templates, the monthly table the 发改局 circulates (title with the month, groups
by stage, subtotal rows, amounts in 亿元), or anyone's own layout with Chinese header synonyms.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone, translation

from chanye.audit.services import audit_record
from chanye.core.tabular import (
    HeaderMatch,
    Limits,
    Table,
    TabularError,
    clean_text,
    column_letter,
    find_header,
    open_table,
    parse_amount,
    parse_date,
    parse_decimal,
    parse_int,
    write_xlsx,
)
from chanye.enterprises.loader import Outcome, Rejected
from chanye.enterprises.models import Enterprise, FormerName, ImportJob, ImportRowError, JobStatus
from chanye.enterprises.rows import Column, RowError, unneutralise
from chanye.enterprises.uscc import check as uscc_check
from chanye.projects import services
from chanye.projects.models import (
    AnnualPlan,
    Category,
    Filing,
    FilingRevision,
    FilingStatus,
    Milestone,
    MilestoneKind,
    Project,
    Stage,
)

KINDS = {"projects": "项目库", "plans": "年度计划", "filings": "月度填报"}
MAX_ROWS = 200_000  # a district's library is hundreds of projects; a year of filings a few thousand rows
CENT = Decimal("0.01")
YUAN = Decimal("0.0001")  # money is kept in 万元 to four decimals
MONEY_LIMIT = Decimal(10) ** 14
_SPLIT = re.compile(r"[、,，;；/|\s]+")
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:月份?)?")
_TITLE_PERIOD = re.compile(r"(\d{4})\s*年\s*(?:\d{1,2}\s*[-—–~～至到]\s*)?(\d{1,2})\s*月")
_LAYOUT = re.compile(
    r"^([一二三四五六七八九十]+、|合计|小计|总计|说明|备注|注：|注:|填报人|审核人|联系人|单位：)"
)
_GROUP = re.compile(r"^[一二三四五六七八九十]+、\s*(.+?)(?:项目)?\s*[（(]\s*\d+\s*个\s*[)）]?$")
CN_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


# --- the sheets ---------------------------------------------------------------------------------------

CODE = Column(
    "code",
    "项目编号",
    ("项目代码", "项目编码", "编号", "项目库编号", "项目序号编码"),
    True,
    example="TH2025-001",
)
NAME = Column("name", "项目名称", ("名称", "项目"), example="天河智谷产业园")
YEAR = Column("year", "年度", ("计划年度", "年份", "所属年度"), example="2025")
COMPLETED_BEFORE = Column(
    "completed_before",
    "以前年度累计完成投资",
    (
        "以前年度累计完成",
        "截至上年底累计完成投资",
        "截至上年底累计完成",
        "以前年度完成投资",
        "往年累计完成投资",
        "开工至上年底累计完成投资",
    ),
    example="30000",
)

PROJECT_COLUMNS: tuple[Column, ...] = (
    CODE,
    Column("name", NAME.label, NAME.synonyms, True, example=NAME.example),
    Column(
        "owner",
        "业主单位统一社会信用代码",
        (
            "业主统一社会信用代码",
            "业主单位信用代码",
            "业主信用代码",
            "统一社会信用代码",
            "社会信用代码",
            "信用代码",
            "业主单位代码",
            "建设单位统一社会信用代码",
        ),
        example="91440106MA59XXXXXX",
    ),
    Column(
        "owner_name",
        "业主单位",
        ("业主单位名称", "建设单位", "项目业主", "业主"),
        example="广州天越软件有限公司",
    ),
    Column(
        "industry",
        "所属产业",
        ("产业", "产业领域", "所属产业领域", "产业类别", "所属行业"),
        example="软件与互联网",
    ),
    Column("street", "所在街道", ("街道", "所属街道", "镇街", "项目所在街道"), example="五山街道"),
    Column("category", "项目类别", ("类别", "项目类型", "项目分类"), example="产业项目"),
    Column("stage", "项目阶段", ("阶段", "建设阶段", "项目状态", "建设状态", "建设性质"), example="续建"),
    Column("total_investment", "总投资", ("项目总投资", "计划总投资", "总投资额"), example="120000"),
    YEAR,
    COMPLETED_BEFORE,
    Column("planned_start", "计划开工时间", ("计划开工", "计划开工日期", "计划开工年月"), example="2024-03"),
    Column(
        "planned_end",
        "计划竣工时间",
        ("计划竣工", "计划竣工日期", "计划完工时间", "计划竣工年月"),
        example="2027-12",
    ),
    Column("actual_start", "实际开工时间", ("实际开工", "实际开工日期"), example="2024-04-18"),
    Column("actual_end", "实际竣工时间", ("实际竣工", "实际竣工日期", "实际完工时间")),
    Column(
        "leader",
        "责任区领导",
        ("区领导", "责任领导", "挂点区领导", "联系区领导", "牵头区领导"),
        example="副区长（分管工业和信息化）",
    ),
    Column(
        "department", "责任部门", ("责任单位", "牵头部门", "主管部门", "牵头单位"), example="区工业和信息化局"
    ),
    Column("funding", "资金来源", ("资金渠道", "资金构成", "资金来源构成"), example="企业自筹、专项债"),
    Column("location", "建设地点", ("项目地址", "地址", "项目地点", "建设地址")),
    Column("content", "建设内容", ("建设规模及内容", "主要建设内容", "建设规模")),
)

MONTH_FIELDS = tuple(f"m{month}" for month in range(1, 13))
MILESTONE_LABELS = {
    "land": "拿地",
    "approval": "立项",
    "planning": "规划许可",
    "construction": "施工许可",
    "start": "开工",
    "topping": "主体封顶",
    "completion": "竣工",
    "operation": "投产",
}
PLAN_COLUMNS: tuple[Column, ...] = (
    CODE,
    NAME,
    Column("year", YEAR.label, YEAR.synonyms, True, example=YEAR.example),
    Column(
        "planned_investment",
        "年度计划投资",
        ("年度计划", "本年计划投资", "年度投资计划", "计划投资", "年度计划完成投资", "本年度计划投资"),
        True,
        example="12000",
    ),
    COMPLETED_BEFORE,
    *(
        Column(
            f"m{month}",
            f"{month}月",
            (f"{month}月份", f"{month}月计划", f"{month}月计划投资", f"{CN_MONTHS[month - 1]}月"),
        )
        for month in range(1, 13)
    ),
    *(
        Column(
            f"ms_{kind}",
            f"{label}计划时间",
            (
                label,
                f"{label}时间",
                f"{label}日期",
                f"计划{label}",
                f"{label}计划日期",
                f"计划{label}时间",
                f"计划{label}日期",
            ),
        )
        for kind, label in MILESTONE_LABELS.items()
    ),
)

FILING_COLUMNS: tuple[Column, ...] = (
    CODE,
    NAME,
    Column(
        "period",
        "月份",
        ("填报月份", "报告期", "年月", "所属月份", "统计月份", "报送月份"),
        example="2025-03",
    ),
    Column(
        "investment", "本月完成投资", ("本月完成", "当月完成投资", "本月投资", "本月完成额"), example="1000"
    ),
    Column(
        "cumulative",
        "本年累计完成投资",
        ("本年累计完成", "本年累计", "累计完成投资", "年度累计完成", "自年初累计完成投资", "本年累计完成额"),
        example="3000",
    ),
    Column(
        "milestones",
        "本月完成节点",
        ("完成节点", "本月节点", "本月达到节点", "本月完成的节点"),
        example="主体封顶",
    ),
    Column("narrative", "形象进度", ("工程形象进度", "项目进展", "进展情况", "本月进展", "形象进度描述")),
    Column(
        "blockers", "存在问题", ("存在的问题", "问题及困难", "困难问题", "需协调解决的问题", "存在问题及建议")
    ),
    Column("status", "报送状态", ("状态", "填报状态"), example="报送"),
)

AMOUNT_FIELDS = {
    "total_investment",
    "completed_before",
    "planned_investment",
    "investment",
    "cumulative",
    *MONTH_FIELDS,
}
DATE_FIELDS = {"planned_start", "planned_end", "actual_start", "actual_end"} | {
    f"ms_{kind}" for kind in MILESTONE_LABELS
}
TEXT_LIMITS = {
    "code": 30,
    "name": 200,
    "owner_name": 200,
    "funding": 200,
    "location": 200,
    "content": 4000,
    "narrative": 4000,
    "blockers": 4000,
}


@dataclass(frozen=True)
class Sheet:
    kind: str
    label: str
    columns: tuple[Column, ...]

    @property
    def synonyms(self) -> dict[str, list[str]]:
        return {column.field: [column.label, *column.synonyms] for column in self.columns}

    @property
    def required(self) -> set[str]:
        return {column.field for column in self.columns if column.required}

    def label_of(self, name: str) -> str:
        return next(column.label for column in self.columns if column.field == name)


SHEETS = {
    "projects": Sheet("projects", KINDS["projects"], PROJECT_COLUMNS),
    "plans": Sheet("plans", KINDS["plans"], PLAN_COLUMNS),
    "filings": Sheet("filings", KINDS["filings"], FILING_COLUMNS),
}


# --- words people type ----------------------------------------------------------------------------------


def _choices(choices, extra: dict[str, str]) -> dict[str, str]:
    with translation.override("zh-hans"):
        words = {str(label): value for value, label in choices}
    words.update({value: value for value, _label in choices})
    words.update(extra)
    return words


STAGE_WORDS = _choices(
    Stage.choices,
    {
        "新开工": "new",
        "新建": "new",
        "在建": "continuing",
        "已竣工": "completed",
        "建成": "completed",
        "已投产": "operating",
    },
)
CATEGORY_WORDS = _choices(
    Category.choices,
    {"产业": "industry", "基础设施建设": "infrastructure", "民生": "livelihood", "社会事业": "livelihood"},
)
MILESTONE_WORDS = {
    **{label: kind for kind, label in MILESTONE_LABELS.items()},
    **{kind: kind for kind in MILESTONE_LABELS},
    "封顶": "topping",
    "规划许可证": "planning",
    "施工许可证": "construction",
    "建设工程规划许可证": "planning",
    "完工": "completion",
}
SUBMIT_WORDS = {"": True, "报送": True, "已报送": True, "提交": True, "已提交": True, "上报": True}
DRAFT_WORDS = {"草稿", "暂存", "保存"}


def _word(text: str, words: dict[str, str]) -> str | None:
    key = clean_text(text).replace(" ", "")
    for candidate in (key, key.removesuffix("项目"), key.removesuffix("阶段"), key.removesuffix("类")):
        if candidate in words:
            return words[candidate]
    return None


def _text(raw: str, name: str) -> str:
    text = clean_text(raw)
    limit = TEXT_LIMITS.get(name)
    if limit and len(text) > limit:
        raise ValueError(f"超过 {limit} 个字符（{len(text)} 个）")
    return text


def _date(raw: str) -> date | None:
    """parse_date, and a month alone ("2025-03", "2025年3月") as its first day: plans are written by month."""
    text = clean_text(raw)
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        found = _MONTH.fullmatch(text)
        if found and 1 <= int(found.group(2)) <= 12:
            return date(int(found.group(1)), int(found.group(2)), 1)
        raise


def _period(raw: str) -> date | None:
    """A month: "2025-03", "2025/3", "2025年3月", "202503", or a date in it (the day is dropped)."""
    text = clean_text(raw).replace(" ", "")
    if not text:
        return None
    found = _MONTH.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})", text)
    if found is None:
        try:
            day = parse_date(text)
        except ValueError:
            raise ValueError(f"月份格式应为 YYYY-MM（如 2025-03），而不是「{text}」") from None
        assert day is not None
        return day.replace(day=1)
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"月份应为 1–12，而不是 {month}")
    return date(year, month, 1)


def _money(amount: Decimal | None) -> Decimal | None:
    """An amount in 万元 as the database keeps it: to the yuan (4 decimals), below 10^14."""
    if amount is None:
        return None
    if amount >= MONEY_LIMIT:
        raise ValueError(f"金额过大：{_plain(amount)} 万元")
    return amount.quantize(YUAN) if amount.as_tuple().exponent < -4 else amount  # type: ignore[operator]


def _year(raw: str) -> int | None:
    number = parse_int(clean_text(raw).removesuffix("年度").removesuffix("年"))
    if number is not None and not 2000 <= number <= 2100:
        raise ValueError(f"年度应为四位年份，如 2025，而不是 {number}")
    return number


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and abs(Decimal(a) - Decimal(b)) < Decimal("0.00005")
    return a == b


# --- rows -----------------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # field → clean value (None for an empty cell), only the columns the file has
    raw: dict[str, str]

    def fingerprint(self) -> tuple:
        return tuple(sorted((name, repr(value)) for name, value in self.values.items() if name != "name"))


@dataclass
class Change:
    row: Row
    action: str  # created / updated / unchanged
    target: Any = None
    values: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ProjectOutcome(Outcome):
    skipped: int = 0  # layout rows (groups, subtotals, notes) and rows with nothing to import
    empty: int = 0
    period: date | None = None


class Checker:
    """One sheet of one kind: parse each row's cells, then check the rows against the database and each
    other (`plan`), then write the changes (`write`). Errors name the column as the file has it."""

    sheet: Sheet
    key_fields: tuple[str, ...] = ("code",)

    def __init__(self, header: HeaderMatch, *, by, source: str, period: date | None = None):
        self.columns = dict(header.columns)
        self.index = {name: index for index, name in header.columns.items()}
        self.units = dict(header.units)
        self.by = by
        self.source = source
        self.period = period
        self.headers = {
            name: f"{(header.cells[index] if index < len(header.cells) else '').strip() or self.sheet.label_of(name)}"
            f"（{column_letter(index)} 列）"
            for name, index in self.index.items()
        }
        self.errors: list[RowError] = []
        self.rejected: set[int] = set()

    def has(self, name: str) -> bool:
        return name in self.index

    def fail(self, row: Row, name: str, reason: str, value: str | None = None, column: str = "") -> None:
        column = column or self.headers.get(name) or (self.sheet.label_of(name) if name else "")
        text = row.raw.get(name, "") if value is None else value
        self.errors.append(RowError(row.number, column[:60], text[:200], reason))
        self.rejected.add(row.number)

    def parse(self, number: int, cells: list[str]) -> Row:
        row = Row(number, {}, {})
        for index, name in self.columns.items():
            raw = unneutralise(cells[index] if index < len(cells) else "")
            row.raw[name] = clean_text(raw)
            try:
                row.values[name] = self.parse_cell(name, raw)
            except ValueError as error:
                row.values[name] = None
                self.fail(row, name, str(error))
        return row

    def parse_cell(self, name: str, raw: str) -> Any:
        if name in AMOUNT_FIELDS and name not in MONTH_FIELDS:
            return _money(parse_amount(raw, self.units.get(name)))
        if name in DATE_FIELDS:
            return _date(raw)
        if name == "year":
            return _year(raw)
        if name == "code":
            code = _text(raw, "code").upper()
            if not code:
                raise ValueError("不能为空")
            return code
        return _text(raw, name)

    def key(self, row: Row) -> tuple:
        return tuple(row.values.get(name) for name in self.key_fields)

    def describe_key(self) -> str:
        return "项目编号"

    def deduplicate(self, rows: list[Row], outcome: Outcome) -> list[Row]:
        """Rows repeated exactly are merged (counted unchanged); the same key with other contents is an error."""
        first: dict[tuple, Row] = {}
        kept = []
        for row in rows:
            if row.number in self.rejected:
                continue
            key = self.key(row)
            earlier = first.get(key)
            if earlier is None:
                first[key] = row
                kept.append(row)
            elif earlier.fingerprint() == row.fingerprint():
                outcome.duplicates += 1
            else:
                self.fail(
                    row,
                    "code",
                    f"与第 {earlier.number} 行的{self.describe_key()}相同但内容不同，请保留一行",
                    value=" ".join(str(part) for part in key if part is not None),
                )
        return [row for row in kept if row.number not in self.rejected]

    def plan(self, rows: list[Row]) -> list[Change]:  # pragma: no cover - each kind has its own
        raise NotImplementedError

    def write(self, changes: list[Change]) -> None:  # pragma: no cover - each kind has its own
        raise NotImplementedError

    def projects(self, codes: Iterable[str], lock: bool = True) -> dict[str, Project]:
        queryset = Project.objects.filter(code__in=set(codes))
        if lock:
            queryset = queryset.select_for_update()
        return {project.code: project for project in queryset}


# --- 项目库 -----------------------------------------------------------------------------------------------

PROJECT_FIELDS = (
    "name",
    "owner",
    "industry",
    "street",
    "category",
    "stage",
    "total_investment",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "leader",
    "department",
    "funding",
    "location",
    "content",
)
FOREIGN = {"owner", "industry", "street", "leader", "department"}


def _references() -> dict[str, dict[str, int]]:
    """Names and codes people write for industries (of the current system), streets, leaders, departments."""
    from chanye.enterprises.services import current_system
    from chanye.organizations.models import Department, Leader, Street

    found: dict[str, dict[str, int]] = {"industry": {}, "street": {}, "leader": {}, "department": {}}
    system = current_system()
    if system is not None:
        for pk, code, name in system.industries.filter(active=True).values_list("pk", "code", "name"):
            for key in (code.upper(), name, name.removesuffix("产业")):
                found["industry"].setdefault(clean_text(key).replace(" ", ""), pk)
    for pk, code, name in Street.objects.values_list("pk", "code", "name"):
        for key in (code.upper(), name, name.removesuffix("街道"), name.removesuffix("街")):
            found["street"].setdefault(clean_text(key).replace(" ", ""), pk)
    for pk, code, title in Leader.objects.values_list("pk", "code", "title"):
        for key in (code.upper(), title):
            found["leader"].setdefault(clean_text(key).replace(" ", ""), pk)
    for pk, code, name in Department.objects.values_list("pk", "code", "name"):
        for key in (code.upper(), name, name.removeprefix("区")):
            found["department"].setdefault(clean_text(key).replace(" ", ""), pk)
    return found


REFERENCE_HINTS = {
    "industry": "不是现行产业体系中的产业（填产业名称或代码，如 软件与互联网）",
    "street": "不是本区的街道",
    "leader": "不是已登记的区领导职务（填职务或代码，如 副区长（分管工业和信息化））",
    "department": "不是已登记的部门（填部门全称或代码，如 区工业和信息化局）",
}


class ProjectChecker(Checker):
    sheet = SHEETS["projects"]

    def __init__(self, header: HeaderMatch, **options):
        super().__init__(header, **options)
        self.group_stage: str | None = None
        self.formers: set[tuple[int, str]] = set()

    def layout(self, cells: list[str]) -> bool:
        """The monthly table's group rows ("二、续建项目（80个）") give the stage of the rows below them."""
        text = next((clean_text(cell) for cell in cells if clean_text(cell)), "")
        found = _GROUP.match(text)
        if found:
            self.group_stage = _word(found.group(1), STAGE_WORDS)
        return True

    def parse(self, number: int, cells: list[str]) -> Row:
        row = super().parse(number, cells)
        if not self.has("stage") and self.group_stage:
            row.values["stage"] = self.group_stage
        return row

    def parse_cell(self, name: str, raw: str) -> Any:
        if name == "owner":
            text = clean_text(raw)
            return uscc_check(text).code if text else None
        if name == "stage":
            text = clean_text(raw)
            if not text:
                return None
            stage = _word(text, STAGE_WORDS)
            if stage is None:
                raise ValueError("项目阶段应为 储备、新开工、续建、竣工 或 投产")
            return stage
        if name == "category":
            text = clean_text(raw)
            if not text:
                return None
            category = _word(text, CATEGORY_WORDS)
            if category is None:
                raise ValueError("项目类别应为 产业项目、基础设施、城市更新、社会民生 或 其他")
            return category
        if name == "funding":
            return "、".join(part for part in _SPLIT.split(_text(raw, name)) if part)
        if name in ("industry", "street", "leader", "department"):
            return clean_text(raw).replace(" ", "") or None
        return super().parse_cell(name, raw)

    def plan(self, rows: list[Row]) -> list[Change]:
        existing = self.projects(row.values["code"] for row in rows)
        references = _references()
        owners = self._owners(rows)
        year = timezone.localdate().year
        plans = {
            (plan.project_id, plan.year): plan
            for plan in AnnualPlan.objects.select_for_update().filter(
                project__in=list(existing.values()),
                year__in={row.values.get("year") or year for row in rows},
            )
        }
        changes = []
        for row in rows:
            values: dict[str, Any] = {}
            for name in PROJECT_FIELDS:
                if name == "owner":
                    if self.has("owner") or self.has("owner_name"):
                        values["owner"] = self._owner(row, owners)
                elif name in REFERENCE_HINTS:
                    if self.has(name):
                        values[name] = self._reference(row, name, references)
                elif name in row.values:  # the stage may come from the group rows of the monthly table
                    values[name] = row.values[name]
            project = existing.get(row.values["code"])
            for name in ("category", "stage", "total_investment"):
                if name in values and values[name] is None:
                    values.pop(
                        name
                    )  # empty: a new project takes the default, an existing one keeps its value
            if project is None and "total_investment" not in values:
                self.fail(
                    row,
                    "total_investment" if self.has("total_investment") else "code",
                    "新项目必须填写总投资",
                )
            if project is not None and values.get("stage", project.stage) != project.stage:
                self.fail(
                    row,
                    "stage" if self.has("stage") else "code",
                    f"项目现为{project.get_stage_display()}：阶段在年末统一调整（重点项目 → 年度阶段调整），"
                    "不能通过导入单个修改",
                )
            for start, end, reason in (
                ("planned_start", "planned_end", "计划竣工日期不能早于计划开工日期"),
                ("actual_start", "actual_end", "实际竣工日期不能早于实际开工日期"),
            ):
                first = values.get(start, getattr(project, start, None))
                last = values.get(end, getattr(project, end, None))
                if first and last and last < first and (start in values or end in values):
                    self.fail(row, end if end in values else start, reason)
            for name in ("actual_start", "actual_end"):
                if values.get(name) and values[name] > timezone.localdate():
                    self.fail(row, name, f"实际日期 {values[name]:%Y-%m-%d} 晚于今天，尚未发生")
            extra: dict[str, Any] = {}
            if row.values.get("completed_before") is not None:
                plan_year = row.values.get("year") or year
                plan = plans.get((project.pk, plan_year)) if project else None
                total = values.get("total_investment", getattr(project, "total_investment", None))
                if plan is None:
                    self.fail(
                        row,
                        "completed_before",
                        f"以前年度累计完成记在 {plan_year} 年度计划上，该项目还没有 {plan_year} 年度计划："
                        "请先导入年度计划（年度计划表也可填写此列）",
                    )
                elif not _same(plan.completed_before, row.values["completed_before"]):
                    reason = _over_total(row.values["completed_before"], plan.planned_investment, total)
                    if reason:
                        self.fail(row, "completed_before", reason)
                    extra = {"plan": plan, "completed_before": row.values["completed_before"]}
            if row.number in self.rejected:
                continue
            if project is None:
                changes.append(Change(row, "created", None, values, extra=extra))
                continue
            before = {name: getattr(project, f"{name}_id" if name in FOREIGN else name) for name in values}
            diff = {name: value for name, value in values.items() if not _same(before[name], value)}
            action = "updated" if diff or extra else "unchanged"
            changes.append(Change(row, action, project, diff, {k: before[k] for k in diff}, extra))
        return changes

    def _reference(self, row: Row, name: str, references: dict[str, dict[str, int]]) -> int | None:
        text = row.values.get(name)
        if not text:
            return None
        found = references[name].get(text.upper()) or references[name].get(text)
        if found is None:
            self.fail(row, name, REFERENCE_HINTS[name])
        return found

    def _owners(self, rows: list[Row]) -> dict[str, list[tuple[int, str, str]]]:
        """uscc → [(id, uscc, name)] and name → [(id, uscc, name)] (former names too) for the file's owners."""
        codes = {row.values.get("owner") for row in rows} - {None}
        names = {row.values.get("owner_name") for row in rows} - {None, ""}
        found: dict[str, list[tuple[int, str, str]]] = {}
        for pk, uscc, name in Enterprise.objects.filter(uscc__in=codes).values_list("pk", "uscc", "name"):
            found.setdefault(uscc, []).append((pk, uscc, name))
        for pk, uscc, name in Enterprise.objects.filter(name__in=names).values_list("pk", "uscc", "name"):
            found.setdefault(name, []).append((pk, uscc, name))
        for pk, uscc, name, former in FormerName.objects.filter(name__in=names).values_list(
            "enterprise_id", "enterprise__uscc", "enterprise__name", "name"
        ):
            if all(item[0] != pk for item in found.get(former, [])):
                found.setdefault(former, []).append((pk, uscc, name))
        self.formers = set(
            FormerName.objects.filter(enterprise__uscc__in=codes).values_list("enterprise_id", "name")
        )
        return found

    def _owner(self, row: Row, owners) -> int | None:
        code, name = row.values.get("owner"), row.values.get("owner_name")
        if code:
            match = owners.get(code)
            if not match:
                result = uscc_check(code)
                self.fail(
                    row,
                    "owner",
                    "不在企业名录中：请先在企业名录中登记该企业"
                    if result.valid
                    else f"不是有效的统一社会信用代码（{result.message}）",
                )
                return None
            pk, _uscc, registered = match[0]
            if name and name != registered and (pk, name) not in self.formers:
                self.fail(row, "owner_name", f"与信用代码 {code} 登记的企业名称「{registered}」不一致")
            return pk
        if name:
            match = owners.get(name, [])
            if len(match) == 1:
                return match[0][0]
            self.fail(
                row,
                "owner_name",
                "企业名录中有多家企业叫这个名称，请改填业主单位统一社会信用代码"
                if match
                else "企业名录中没有这家企业：请先登记，或改填业主单位统一社会信用代码",
            )
        return None

    def write(self, changes: list[Change]) -> None:
        for change in changes:
            if change.action == "unchanged":
                continue
            fields = {
                (f"{name}_id" if name in FOREIGN else name): value for name, value in change.values.items()
            }
            if change.action == "created":
                project = Project(code=change.row.values["code"], **fields)
                project.full_clean()
                project.save()
                project.refresh_from_db()
                after = _snapshot(project)
                _record(self, project, change.row, "create", "新建项目", {}, after)
                _sync_milestones(project, change.values)
            else:
                project = change.target
                if fields:
                    before = _snapshot(project)
                    for name, value in fields.items():
                        setattr(project, name, value)
                    project.full_clean(exclude=["version"])
                    project.version = F("version") + 1
                    project.save(update_fields=[*fields, "version", "updated_at"])
                    project.refresh_from_db()
                    _record(self, project, change.row, "update", "项目信息", before, _snapshot(project))
                    _sync_milestones(project, change.values)
            if change.extra:
                _plan_write(
                    self,
                    change.extra["plan"],
                    {"completed_before": change.extra["completed_before"]},
                    change.row,
                    project,
                )


def _over_total(completed_before: Decimal, planned: Decimal, total: Decimal | None) -> str:
    """The library's rule (services.plan_save): what was done before the year plus the year's plan cannot
    exceed the project's total investment."""
    if total is not None and completed_before + planned > total:
        return (
            f"以前年度累计 {_plain(completed_before)} 万元加本年计划 {_plain(planned)} 万元，"
            f"超过项目总投资 {_plain(total)} 万元"
        )
    return ""


def _shown(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal | date):
        return _plain(value)
    if hasattr(value, "_meta"):
        return str(value)
    return value


def _snapshot(project: Project) -> dict[str, Any]:
    values = {"stage": project.get_stage_display(), "category": project.get_category_display()}
    for name in PROJECT_FIELDS:
        if name not in values:
            values[name] = _shown(getattr(project, name))
    return values


def _record(
    checker: Checker, project: Project, row: Row, action: str, subject: str, before: dict, after: dict
) -> None:
    """The project's history row (as the library's own edits write it) and the audit event."""
    from chanye.projects.models import ProjectChange

    labels = {
        **services.PROJECT_LABELS,
        **services.PLAN_LABELS,
        "actual_start": "实际开工",
        "actual_end": "实际竣工",
    }
    changes = {
        labels.get(name, name): [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }
    ProjectChange.objects.create(
        project=project, by=_user(checker.by), action=action, subject=f"{subject}（导入）", changes=changes
    )
    audit_record(
        actor=checker.by,
        action=f"project.{action}",
        obj=project,
        before=before or None,
        after=after | {"subject": subject, "source": checker.source, "row": row.number},
    )


def _sync_milestones(project: Project, values: dict[str, Any]) -> None:
    """An actual start or completion is also the 开工 / 竣工 milestone's actual date (and the other way
    round in services.milestones_save)."""
    for name, kind in (("actual_start", MilestoneKind.START), ("actual_end", MilestoneKind.COMPLETION)):
        if name in values:
            milestone = Milestone.objects.filter(project=project, kind=kind).first()
            if milestone is None and values[name] is not None:
                Milestone.objects.create(project=project, kind=kind, actual_on=values[name])
            elif milestone is not None and milestone.actual_on != values[name]:
                milestone.actual_on = values[name]
                milestone.save(update_fields=["actual_on"])


def _plan_write(
    checker: Checker,
    plan: AnnualPlan | None,
    values: dict[str, Any],
    row: Row,
    project: Project,
    year: int = 0,
) -> AnnualPlan:
    """Create or change a year's plan, with the project's history row and audit event."""
    before = _plan_snapshot(plan) if plan is not None else {}
    if plan is None:
        plan = AnnualPlan(project=project, year=year)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["project"])
    plan.save()
    _record(checker, project, row, "plan", f"{plan.year} 年度计划", before, _plan_snapshot(plan))
    return plan


def _plan_snapshot(plan: AnnualPlan) -> dict[str, Any]:
    curve = [str(value) for value in plan.curve or []]
    return {
        "planned_investment": _plain(Decimal(plan.planned_investment)),
        "completed_before": _plain(Decimal(plan.completed_before or 0)),
        "curve": " ".join(curve) if curve else "按月平均",
    }


# --- 年度计划 ---------------------------------------------------------------------------------------------


class PlanChecker(Checker):
    sheet = SHEETS["plans"]
    key_fields = ("code", "year")

    def describe_key(self) -> str:
        return "项目编号和年度"

    def parse_cell(self, name: str, raw: str) -> Any:
        if name in MONTH_FIELDS:
            return clean_text(raw).replace(" ", "")  # read as amounts or shares with the other months
        return super().parse_cell(name, raw)

    def _months_column(self) -> str:
        letters = [column_letter(self.index[name]) for name in MONTH_FIELDS if name in self.index]
        return f"1–12月（{letters[0]}–{letters[-1]} 列）" if letters else "1–12月"

    def curve(self, row: Row, planned: Decimal | None) -> tuple[list[str] | None, Decimal | None]:
        """The 12 months as a cumulative curve (None: the file has no months for this row) and the planned
        investment (their sum when the plan column is empty). The months hold amounts (万元 unless the header
        or the cell says otherwise), monthly percentages adding up to 100%, or cumulative shares (25% or
        0.25, not decreasing, 100% or 1 in December) — the last checked by the light rules' own check."""
        cells = [row.values.get(name) or "" for name in MONTH_FIELDS]
        if not any(cells):
            return None, planned
        column = self._months_column()
        shown = "、".join(cell or "空" for cell in cells)
        try:
            if any("%" in cell for cell in cells):
                percents = [_percent(cell) for cell in cells]
                rising = all(a <= b for a, b in zip(percents, percents[1:], strict=False))
                if percents[-1] == 100 and (rising or sum(percents) != 100):  # cumulative, December 100%
                    return services.clean_curve([value / 100 for value in percents]), planned
                return services.curve_from_monthly(
                    percents, unit="share", planned=planned or Decimal(0)
                ), planned
            amounts = [
                _money(parse_amount(cell, self.units.get(name))) or Decimal(0)
                for name, cell in zip(MONTH_FIELDS, cells, strict=True)
            ]
        except ValueError as error:
            self.fail(row, "", str(error), shown, column)
            return None, planned
        except ValidationError as error:
            self.fail(row, "", "；".join(error.messages), shown, column)
            return None, planned
        total = sum(amounts, Decimal(0))
        planned = total if planned is None else planned
        if total == 0:
            return [], planned
        try:
            return services.curve_from_monthly(amounts, unit="amount", planned=planned), planned
        except ValidationError as error:
            refused = "；".join(error.messages)
        if all(amount <= 1 for amount in amounts):  # cumulative shares written as decimals (0.25 … 1)?
            try:
                return services.clean_curve([parse_decimal(cell) or Decimal(0) for cell in cells]), planned
            except (ValueError, ValidationError):
                pass
        self.fail(
            row, "", f"{refused}；如填的是各月末累计占比，应逐月不减、12月为 1（或 100%）", shown, column
        )
        return None, planned

    def plan(self, rows: list[Row]) -> list[Change]:
        existing = self.projects((row.values["code"] for row in rows), lock=True)
        plans = {
            (plan.project_id, plan.year): plan
            for plan in AnnualPlan.objects.select_for_update().filter(project__in=list(existing.values()))
        }
        milestones = {
            (milestone.project_id, milestone.kind): milestone
            for milestone in Milestone.objects.select_for_update().filter(project__in=list(existing.values()))
        }
        changes = []
        claimed: dict[tuple[int, str], tuple[int, date]] = {}
        for row in rows:
            project = existing.get(row.values["code"])
            if project is None:
                self.fail(row, "code", "项目库中没有这个项目编号：请先导入项目库或核对编号")
                continue
            year = row.values.get("year")
            if year is None:
                self.fail(row, "year", "不能为空")
                continue
            plan = plans.get((project.pk, year))
            curve, planned = self.curve(row, row.values.get("planned_investment"))
            if planned is None:
                self.fail(row, "planned_investment", "不能为空（或填写 1–12 月的计划投资）")
            completed = row.values.get("completed_before")
            if completed is None:
                completed = plan.completed_before if plan else Decimal(0)
            if planned is not None:
                reason = _over_total(completed, planned, project.total_investment)
                if reason:
                    self.fail(row, "planned_investment", reason)
            dates = {
                name.removeprefix("ms_"): row.values[name]
                for name in self.index
                if name.startswith("ms_") and row.values.get(name) is not None
            }
            for kind, on in dates.items():
                earlier = claimed.setdefault((project.pk, kind), (row.number, on))
                if earlier[1] != on:
                    self.fail(
                        row,
                        f"ms_{kind}",
                        f"与第 {earlier[0]} 行给同一项目的{MILESTONE_LABELS[kind]}计划时间 "
                        f"{earlier[1]:%Y-%m-%d} 不同（每个节点只有一个计划时间）",
                    )
            if row.number in self.rejected:
                continue
            values: dict[str, Any] = {"planned_investment": planned, "completed_before": completed}
            if curve is not None:
                values["curve"] = curve
            elif plan is None:
                values["curve"] = []
            moved = {
                kind: on
                for kind, on in dates.items()
                if (project.pk, kind) not in milestones or milestones[(project.pk, kind)].planned_on != on
            }
            extra = {"project": project, "year": year, "milestones": moved, "known": milestones}
            if plan is None:
                changes.append(Change(row, "created", None, values, extra=extra))
                continue
            before = {name: getattr(plan, name) for name in values}
            diff = {
                name: value
                for name, value in values.items()
                if not (_same_curve(before[name], value) if name == "curve" else _same(before[name], value))
            }
            action = "updated" if diff or moved else "unchanged"
            changes.append(Change(row, action, plan, diff, {k: before[k] for k in diff}, extra))
        return changes

    def write(self, changes: list[Change]) -> None:
        for change in changes:
            if change.action == "unchanged":
                continue
            project = change.extra["project"]
            if change.values:
                _plan_write(self, change.target, change.values, change.row, project, change.extra["year"])
            if not change.extra["milestones"]:
                continue
            before, after = {}, {}
            for kind, on in change.extra["milestones"].items():
                label = f"{MILESTONE_LABELS[kind]}计划"
                milestone = change.extra["known"].get((project.pk, kind))
                before[label] = _shown(milestone.planned_on) if milestone else None
                if milestone is None:
                    milestone = Milestone.objects.create(project=project, kind=kind, planned_on=on)
                    change.extra["known"][(project.pk, kind)] = milestone
                else:
                    milestone.planned_on = on
                    milestone.save(update_fields=["planned_on"])
                after[label] = _shown(on)
            _record(self, project, change.row, "milestones", "节点", before, after)


def _percent(cell: str) -> Decimal:
    text = clean_text(cell).replace(" ", "").removesuffix("%")
    if not text:
        return Decimal(0)
    number = parse_decimal(text)
    assert number is not None
    return number


def _same_curve(before: list | None, after: list | None) -> bool:
    if not before or not after:
        return not before and not after
    return len(before) == len(after) and all(
        Decimal(str(a)) == Decimal(str(b)) for a, b in zip(before, after, strict=True)
    )


# --- 月度填报 ---------------------------------------------------------------------------------------------

FILED = ("investment", "cumulative", "milestones", "narrative", "blockers")


def may_import_filing(user, project: Project) -> bool:
    """The 发改局 (and the command line) for every project, a department for the projects it is responsible
    for, an enterprise for its own."""
    if user is None or user.can("projects.change"):
        return True
    if user.role == "enterprise_user":
        return (
            bool(user.enterprise_id) and user.enterprise_id == project.owner_id and user.can("projects.file")
        )
    if user.role == "department_officer":
        return user.department_id is not None and user.department_id == project.department_id
    return False


class FilingChecker(Checker):
    sheet = SHEETS["filings"]
    key_fields = ("code", "period")

    def describe_key(self) -> str:
        return "项目编号和月份"

    def parse(self, number: int, cells: list[str]) -> Row:
        row = super().parse(number, cells)
        if not self.has("period"):
            row.values["period"] = self.period
        return row

    def parse_cell(self, name: str, raw: str) -> Any:
        if name == "period":
            period = _period(raw)
            if period is None:
                raise ValueError("不能为空（格式 YYYY-MM）")
            if period > timezone.localdate().replace(day=1):
                raise ValueError(f"{period:%Y-%m} 还没到，不能填报未来月份")
            return period
        if name == "milestones":
            kinds = []
            for part in _SPLIT.split(clean_text(raw)):
                if not part:
                    continue
                kind = MILESTONE_WORDS.get(part)
                if kind is None:
                    raise ValueError(f"未知节点「{part}」，节点应为 {'、'.join(MILESTONE_LABELS.values())}")
                kinds.append(kind)
            return sorted(set(kinds), key=list(MilestoneKind.values).index)
        if name == "status":
            text = clean_text(raw).replace(" ", "")
            if text in SUBMIT_WORDS:
                return "submit"
            if text in DRAFT_WORDS:
                return "draft"
            raise ValueError("报送状态应为 报送 或 草稿（审核与退回请在月报审核页办理）")
        return super().parse_cell(name, raw)

    def blank(self, row: Row) -> bool:
        """Nothing to file on this row (the monthly table lists projects with no report yet)."""
        return all(not row.values.get(name) for name in FILED if name in self.index)

    def plan(self, rows: list[Row]) -> list[Change]:
        existing = self.projects((row.values["code"] for row in rows), lock=False)
        years = {row.values["period"].year for row in rows}
        filings = {
            (filing.project_id, filing.period): filing
            for filing in Filing.objects.select_for_update().filter(
                project__in=list(existing.values()), period__year__in=years
            )
        }
        # What counts as "last month's" filing once the file is written: the database, with the file over it.
        standing: dict[int, dict[date, tuple[str, Decimal]]] = {}
        for (pk, when), filing in filings.items():
            standing.setdefault(pk, {})[when] = (filing.status, filing.cumulative)
        changes = []
        for row in sorted(rows, key=lambda r: (r.values["code"], r.values["period"], r.number)):
            project = existing.get(row.values["code"])
            if project is None or not may_import_filing(self.by, project):
                self.fail(
                    row,
                    "code",
                    "没有这个项目编号，或该项目不在您可导入月报的范围内（企业只能导入本单位的项目，"
                    "部门只能导入本部门负责的项目）",
                )
                continue
            change = self._filing(row, project, filings, standing)
            if change is not None:
                changes.append(change)
        return sorted(changes, key=lambda change: change.row.number)

    def _filing(self, row: Row, project: Project, filings, standing) -> Change | None:
        period = row.values["period"]
        filing = filings.get((project.pk, period))
        earlier = max(
            (
                (when, cumulative)
                for when, (status, cumulative) in standing.get(project.pk, {}).items()
                if when.year == period.year and when < period and status != FilingStatus.DRAFT
            ),
            default=(None, Decimal(0)),
        )[1]
        investment, cumulative = row.values.get("investment"), row.values.get("cumulative")
        if investment is None and cumulative is None:
            self.fail(
                row,
                "investment" if self.has("investment") else "cumulative",
                "本月完成投资和本年累计完成投资至少填写一项",
            )
            return None
        if cumulative is None:
            assert investment is not None
            cumulative = earlier + investment
        elif investment is None:
            investment = cumulative - earlier
            if investment < 0:
                self.fail(
                    row,
                    "cumulative",
                    f"本年累计 {_plain(cumulative)} 万元小于上月累计 {_plain(earlier)} 万元，请核对",
                )
                return None
        elif abs(cumulative - (earlier + investment)) > CENT:
            self.fail(
                row,
                "cumulative",
                f"本年累计应等于上月累计 {_plain(earlier)} 加本月完成 {_plain(investment)}"
                f"（即 {_plain(earlier + investment)} 万元），请核对",
            )
            return None
        values: dict[str, Any] = {"investment": investment, "cumulative": cumulative}
        for name in ("milestones", "narrative", "blockers"):
            if self.has(name):
                values[name] = row.values.get(name) or ([] if name == "milestones" else "")
            elif filing is None:
                values[name] = [] if name == "milestones" else ""
        submit = row.values.get("status", "submit") != "draft"
        if filing is None:
            status = FilingStatus.SUBMITTED if submit else FilingStatus.DRAFT
            standing.setdefault(project.pk, {})[period] = (status, cumulative)
            return Change(row, "created", None, values, extra={"project": project, "submit": submit})
        before = {name: getattr(filing, name) for name in values}
        diff = {name: value for name, value in values.items() if not _same(before[name], value)}
        settled = filing.status in (FilingStatus.SUBMITTED, FilingStatus.ACCEPTED)
        if not diff and (settled or not submit):
            return Change(row, "unchanged", filing)
        if settled:
            reason = (
                "该月报已审核通过，不能通过导入覆盖；如需更正，请联系责任部门退回后再导入"
                if filing.status == FilingStatus.ACCEPTED
                else "该月报已报送、等待审核，不能再修改；如需更正，请联系责任部门退回后再导入"
            )
            self.fail(row, next(name for name in diff), reason)
            return None
        status = FilingStatus.SUBMITTED if submit else filing.status
        standing.setdefault(project.pk, {})[period] = (status, cumulative)
        return Change(
            row,
            "updated",
            filing,
            diff,
            {k: before[k] for k in diff},
            extra={"project": project, "submit": submit},
        )

    def write(self, changes: list[Change]) -> None:
        # Month by month, so that each filing's revision follows the one of the month before.
        for change in sorted(changes, key=lambda c: (c.row.values["code"], c.row.values["period"])):
            if change.action == "unchanged":
                continue
            period = change.row.values["period"]
            if change.action == "created":
                filing = Filing(
                    project=change.extra["project"], period=period, due_on=services.due_on(period)
                )
                before: dict[str, Any] = {}
            else:
                filing = change.target
                before = {name: _plain(value) for name, value in change.before.items()}
                filing.version = F("version") + 1
            for name, value in change.values.items():
                setattr(filing, name, value)
            action = "save"
            if change.extra["submit"]:
                action = "submit"
                filing.status = FilingStatus.SUBMITTED
                filing.submitted_at = timezone.now()
                filing.submitted_by = _user(self.by)
                filing.return_reason = ""
            filing.full_clean(exclude=["version", "project", "submitted_by", "reviewed_by"])
            filing.save()
            filing.refresh_from_db()
            after = {name: _plain(getattr(filing, name)) for name in change.values}
            diff = {
                name: [before.get(name), after[name]] for name in after if before.get(name) != after[name]
            }
            note = f"导入 {self.source} 第 {change.row.number} 行"
            FilingRevision.objects.create(
                filing=filing,
                by=_user(self.by),
                action=action,
                status=filing.status,
                changes=diff,
                note=note[:500],
            )
            audit_record(
                actor=self.by,
                action=f"filing.{action}",
                obj=filing,
                after={
                    "project": filing.project.code,
                    "period": filing.period.isoformat(),
                    "status": filing.status,
                    "changes": diff,
                    "note": note,
                },
            )


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


CHECKERS: dict[str, type[Checker]] = {
    "projects": ProjectChecker,
    "plans": PlanChecker,
    "filings": FilingChecker,
}


# --- the import -------------------------------------------------------------------------------------------


def can_import(user, kind: str) -> bool:
    """Library and plans: whoever may change the library (the 发改局). Filings: the 发改局, a reviewing
    department and an enterprise filer — each row is then checked against what they answer for."""
    if user is None:
        return True  # the command line
    if kind in ("projects", "plans"):
        return user.can("projects.change")
    return any(user.can(name) for name in ("projects.change", "projects.review", "projects.file"))


def import_kinds(user) -> list[tuple[str, str]]:
    return [(kind, label) for kind, label in KINDS.items() if can_import(user, kind)]


def _title_period(table: Table, header_row: int) -> date | None:
    for number, cells in table.rows():
        if number >= header_row:
            return None
        found = _TITLE_PERIOD.search(" ".join(cells))
        if found and 1 <= int(found.group(2)) <= 12:
            return date(int(found.group(1)), int(found.group(2)), 1)
    return None


def import_table(
    table: Table,
    *,
    kind: str,
    by=None,
    source: str = "",
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> ProjectOutcome:
    """Check every row of one sheet, then (unless rejected or a dry run) write all of it in one transaction."""
    sheet = SHEETS[kind]
    try:
        header = find_header(table.rows(), sheet.synonyms, sheet.required)
    except TabularError as error:
        raise Rejected([RowError(0, "", "", error.message)]) from error
    if header.missing:
        labels = "、".join(sheet.label_of(name) for name in header.missing)
        raise Rejected([RowError(header.row_number, "", "", f"缺少必需的列：{labels}")])
    period = None
    if kind == "filings" and "period" not in header.columns.values():
        period = _title_period(table, header.row_number)
        if period is None:
            raise Rejected(
                [RowError(header.row_number, "", "", "缺少必需的列：月份（或在标题中写明，如“2025年1-3月”）")]
            )
    checker = CHECKERS[kind](header, by=by, source=source, period=period)
    outcome = ProjectOutcome(columns=dict(checker.headers), unknown=list(header.unknown), period=period)
    rows: list[Row] = []
    code_at = checker.index["code"]
    for number, cells in header.rest:
        code = clean_text(cells[code_at]) if code_at < len(cells) else ""
        filled = [cell for cell in cells if clean_text(cell)]
        first = clean_text(filled[0]) if filled else ""
        if not code and (len(filled) == 1 or _LAYOUT.match(first)):
            outcome.skipped += 1
            if isinstance(checker, ProjectChecker):
                checker.layout(cells)
            continue
        row = checker.parse(number, cells)
        if isinstance(checker, FilingChecker) and number not in checker.rejected and checker.blank(row):
            outcome.empty += 1
            continue
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise Rejected([RowError(number, "", "", f"超过 {MAX_ROWS:,} 行的上限，请拆分后分别导入")])
        if progress and len(rows) % 1000 == 0:
            progress("checking", len(rows))
    outcome.total = len(rows) + outcome.empty
    kept = checker.deduplicate(rows, outcome)
    with transaction.atomic():
        changes = checker.plan(kept)
        outcome.errors = sorted(checker.errors, key=lambda error: error.row)
        outcome.error_count = len(outcome.errors)
        outcome.rejected = len(checker.rejected)
        valid = [change for change in changes if change.row.number not in checker.rejected]
        outcome.created = sum(1 for change in valid if change.action == "created")
        outcome.updated = sum(1 for change in valid if change.action == "updated")
        outcome.unchanged = (
            sum(1 for change in valid if change.action == "unchanged") + outcome.duplicates + outcome.empty
        )
        if outcome.rejected:
            return outcome
        if progress:
            progress("writing", len(rows))
        checker.write(valid)
        if dry_run:
            transaction.set_rollback(True)
        else:
            outcome.written = True
    return outcome


# --- jobs (the page, the API and the command line) -----------------------------------------------------


def import_limits() -> Limits:
    return Limits(max_bytes=settings.IMPORT_MAX_BYTES, max_rows=min(settings.IMPORT_MAX_ROWS, MAX_ROWS + 100))


def import_jobs(user):
    """The project imports a user may see: the 发改局 all of them, everyone else their own."""
    jobs = ImportJob.objects.filter(kind__in=KINDS).select_related("created_by")
    if user is None or not user.is_authenticated:
        return jobs.none()
    if user.can("projects.change"):
        return jobs
    if not can_import(user, "filings"):
        return jobs.none()
    return jobs.filter(created_by=user)


def import_job_create(*, by, kind: str, filename: str, content, dry_run: bool = False) -> ImportJob:
    """Keep the uploaded file and queue a job of this kind (the enterprise import's storage and limits)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from chanye.enterprises.services import import_job_create as store

    if kind not in KINDS:
        raise ValidationError({"kind": f"导入类型应为 {'、'.join(KINDS)} 之一"})
    if not can_import(by, kind):
        raise PermissionDenied(f"您的角色无权导入{KINDS[kind]}")
    with transaction.atomic():
        job = store(by=by, filename=filename, content=content, dry_run=dry_run)
        job.kind = kind
        job.save(update_fields=["kind"])
    return job


def import_job_run(job: ImportJob) -> ImportJob:
    """Run a job to its end: rejected (row errors kept, nothing written), done, or failed."""
    job.status, job.phase = JobStatus.RUNNING, "reading"
    job.save(update_fields=["status", "phase"])
    ImportRowError.objects.filter(job=job).delete()

    def progress(phase: str, count: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, processed=count)

    try:
        if not can_import(job.created_by, job.kind):
            raise Rejected([RowError(0, "", "", f"您的角色无权导入{KINDS.get(job.kind, job.kind)}")])
        with open_table(job.stored, job.filename, import_limits()) as table:
            outcome = import_table(
                table,
                kind=job.kind,
                by=job.created_by,
                source=f"{job.filename}（导入任务 {job.pk}）",
                dry_run=job.dry_run,
                progress=progress,
            )
    except Rejected as rejected:
        _store_errors(job, rejected.errors)
        return _finish(job, JobStatus.REJECTED, rejected.errors[0].reason if rejected.errors else "")
    except TabularError as error:
        _store_errors(job, [RowError(0, "", "", error.message)])
        return _finish(job, JobStatus.REJECTED, error.message)
    except Exception as error:  # noqa: BLE001 - the job records any failure for its owner
        return _finish(job, JobStatus.FAILED, f"导入失败：{error}")
    job.processed = job.total = outcome.total
    job.created, job.updated, job.unchanged, job.rejected = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        outcome.rejected,
    )
    _store_errors(job, outcome.errors)
    notes = []
    if outcome.period:
        notes.append(f"月份取自标题：{outcome.period:%Y-%m}")
    if outcome.duplicates:
        notes.append(f"{outcome.duplicates} 行与前面的行完全相同，已合并")
    if outcome.empty:
        notes.append(f"{outcome.empty} 行未填本月数据，已跳过")
    if outcome.skipped:
        notes.append(f"{outcome.skipped} 行为标题、分组、小计或说明行，未导入")
    if outcome.unknown:
        notes.append("未识别的列（未导入）：" + "、".join(outcome.unknown[:20]))
    if outcome.rejected:
        status = JobStatus.REJECTED
        notes.insert(0, f"{outcome.rejected} 行有错误，整个文件未写入；请修正后重新导入")
    else:
        status = JobStatus.DONE
        if job.dry_run:
            notes.insert(0, "仅校验：未写入任何数据")
    audit_record(
        actor=job.created_by,
        action="import.finish",
        obj=job,
        after={
            "kind": job.kind,
            "status": status,
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "rejected": job.rejected,
            "dry_run": job.dry_run,
        },
    )
    return _finish(job, status, "；".join(notes))


def _store_errors(job: ImportJob, errors: list[RowError]) -> None:
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                job=job, row=e.row, column=e.column[:60], value=e.value[:200], reason=e.reason[:300]
            )
            for e in errors
        ],
        batch_size=5000,
    )


def _finish(job: ImportJob, status: str, message: str) -> ImportJob:
    job.status, job.message, job.finished_at, job.phase = status, message[:2000], timezone.now(), ""
    job.save()
    if status == JobStatus.DONE and job.stored:
        Path(job.stored).unlink(missing_ok=True)
    return job


@task()
def import_run(job_id: str) -> str:
    """The background task (`manage.py db_worker`, or at once with TASKS_IMMEDIATE=1)."""
    return import_job_run(ImportJob.objects.get(pk=job_id)).status


# --- templates -------------------------------------------------------------------------------------------

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
    import io

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


__all__ = [
    "KINDS",
    "SHEETS",
    "can_import",
    "import_job_create",
    "import_job_run",
    "import_jobs",
    "import_run",
    "import_table",
    "may_import_filing",
    "template_xlsx",
]
