"""The three sheets: their columns, our template headers and the Chinese header synonyms people use.

No database access: `find_header` matches a file's header row against `Sheet.synonyms`.
"""

from dataclasses import dataclass

from chanye.enterprises.rows import Column

KINDS = {"projects": "项目库", "plans": "年度计划", "filings": "月度填报"}
CN_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")

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
