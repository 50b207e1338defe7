"""Enterprise size (大/中/小/微) by the NBS standard 《统计上大中小微型企业划分办法（2017）》.

No Django import. Each industry group names the criteria it uses — 从业人员 (employees), 营业收入
(revenue, 万元) or 资产总额 (assets, 万元) — and the lower bounds of 大型, 中型 and 小型. A large, medium or
small enterprise must reach the lower bound of every listed criterion, otherwise it falls one band; an
enterprise below the 小型 bound of any criterion is 微型. With a criterion missing the size is unknown
(''), never guessed.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

LARGE, MEDIUM, SMALL, MICRO, UNKNOWN = "L", "M", "S", "XS", ""
LABELS = {LARGE: "大型", MEDIUM: "中型", SMALL: "小型", MICRO: "微型", UNKNOWN: "未划型"}

EMPLOYEES, REVENUE, ASSETS = "employees", "revenue", "assets"
CRITERION_LABELS = {EMPLOYEES: "从业人员(人)", REVENUE: "营业收入(万元)", ASSETS: "资产总额(万元)"}


@dataclass(frozen=True)
class Group:
    name: str
    divisions: tuple[str, ...]  # GB/T 4754-2017 大类 (2 digits) or 中类 (3 digits) prefixes
    bounds: dict[str, tuple[int, int, int]]  # criterion → lower bounds of 大型, 中型, 小型


def _divisions(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{number:02d}" for number in range(first, last + 1))


# Order matters: the first group whose prefix matches wins (701 before the rest of 70).
GROUPS: tuple[Group, ...] = (
    Group("农、林、牧、渔业", _divisions(1, 5), {REVENUE: (20000, 500, 50)}),
    Group("工业", _divisions(6, 46), {EMPLOYEES: (1000, 300, 20), REVENUE: (40000, 2000, 300)}),
    Group("建筑业", _divisions(47, 50), {REVENUE: (80000, 6000, 300), ASSETS: (80000, 5000, 300)}),
    Group("批发业", ("51",), {EMPLOYEES: (200, 20, 5), REVENUE: (40000, 5000, 1000)}),
    Group("零售业", ("52",), {EMPLOYEES: (300, 50, 10), REVENUE: (20000, 500, 100)}),
    Group(
        "交通运输业",
        ("54", "55", "56", "57", "58"),
        {EMPLOYEES: (1000, 300, 20), REVENUE: (30000, 3000, 200)},
    ),
    Group("仓储业", ("59",), {EMPLOYEES: (200, 100, 20), REVENUE: (30000, 1000, 100)}),
    Group("邮政业", ("60",), {EMPLOYEES: (1000, 300, 20), REVENUE: (30000, 2000, 100)}),
    Group("住宿业", ("61",), {EMPLOYEES: (300, 100, 10), REVENUE: (10000, 2000, 100)}),
    Group("餐饮业", ("62",), {EMPLOYEES: (300, 100, 10), REVENUE: (10000, 2000, 100)}),
    Group("信息传输业", ("63", "64"), {EMPLOYEES: (2000, 100, 10), REVENUE: (100000, 1000, 100)}),
    Group("软件和信息技术服务业", ("65",), {EMPLOYEES: (300, 100, 10), REVENUE: (10000, 1000, 50)}),
    Group("房地产开发经营", ("701",), {REVENUE: (200000, 1000, 100), ASSETS: (10000, 5000, 2000)}),
    Group("物业管理", ("702",), {EMPLOYEES: (1000, 300, 100), REVENUE: (5000, 1000, 500)}),
    Group("租赁和商务服务业", ("71", "72"), {EMPLOYEES: (300, 100, 10), ASSETS: (120000, 8000, 100)}),
)
OTHER = Group("其他未列明行业", (), {EMPLOYEES: (300, 100, 10)})


@cache
def group_for(gbt_code: str) -> Group:
    """The size group of a GB/T 4754 code (2–4 digits); unlisted industries use 其他未列明行业."""
    code = (gbt_code or "").strip()
    for group in GROUPS:
        if any(code.startswith(prefix) for prefix in group.divisions):
            return group
    return OTHER


@dataclass(frozen=True)
class Sizing:
    scale: str
    group: str
    reason: str  # the sentence shown beside the size, so every size explains itself

    @property
    def label(self) -> str:
        return LABELS[self.scale]


def scale_of(gbt_code: str, employees=None, revenue=None, assets=None) -> str:
    """Only the size code, without the explaining sentence: the import's fast path."""
    group = group_for(gbt_code)
    values = {EMPLOYEES: employees, REVENUE: revenue, ASSETS: assets}
    for name in group.bounds:
        if values[name] is None:
            return UNKNOWN
    for scale, index in ((LARGE, 0), (MEDIUM, 1), (SMALL, 2)):
        if all(values[name] >= bounds[index] for name, bounds in group.bounds.items()):  # type: ignore[operator]
            return scale
    return MICRO


def classify(
    gbt_code: str,
    *,
    employees: int | None = None,
    revenue: Decimal | float | None = None,
    assets: Decimal | float | None = None,
) -> Sizing:
    """Size of an enterprise from its GB/T code and figures (revenue and assets in 万元)."""
    group = group_for(gbt_code)
    values = {EMPLOYEES: employees, REVENUE: revenue, ASSETS: assets}
    missing = [CRITERION_LABELS[name] for name in group.bounds if values[name] is None]
    if missing:
        return Sizing(UNKNOWN, group.name, f"{group.name}按{'、'.join(missing)}划型，缺少该数据")
    for scale, index in ((LARGE, 0), (MEDIUM, 1), (SMALL, 2)):
        if all(Decimal(str(values[name])) >= bounds[index] for name, bounds in group.bounds.items()):
            limits = "且".join(
                f"{CRITERION_LABELS[name]}≥{bounds[index]:,}" for name, bounds in group.bounds.items()
            )
            return Sizing(scale, group.name, f"{group.name}：{limits}，为{LABELS[scale]}")
    below = "或".join(f"{CRITERION_LABELS[name]}<{bounds[2]:,}" for name, bounds in group.bounds.items())
    return Sizing(MICRO, group.name, f"{group.name}：{below}，为微型")
