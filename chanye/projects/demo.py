"""A deterministic synthetic key-project library, calibrated to Tianhe's published figures.

No Django import. Facts (../shared/reference, the seed reports): 208 key projects with a total investment
over 670 billion yuan (6,700 亿元 = 67,000,000 万元); 2025 fixed-asset investment over 84 billion yuan
(840 亿元 = 8,400,000 万元); the pipeline 竣工一批、续建一批、新开工一批、储备一批. The generator scales
the totals to those figures exactly, then lets each project perform at its own pace (a few far behind,
a few not started) and file late now and then, so the demo shows lights of every colour.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

PROJECTS = 208
TOTAL_INVESTMENT = Decimal(67_000_000)  # 万元
YEAR_PLAN = Decimal(8_400_000)  # 万元, the year's planned investment of the library
YEAR = 2025
LAST_MONTH = 10  # filings January–October: two months of the year still to forecast
STAGE_MIX = (("completed", 40), ("continuing", 80), ("new", 52), ("reserve", 36))
# A typical monthly curve: slow first quarter (Spring Festival), faster from the second quarter.
MONTH_WEIGHTS = (4, 4, 8, 8, 9, 9, 9, 9, 9, 9, 10, 12)
KINDS = (
    ("industry", "产业园", 45),
    ("industry", "总部大楼", 25),
    ("infrastructure", "快速路改造工程", 10),
    ("urban_renewal", "城市更新项目", 12),
    ("livelihood", "学校及配套", 8),
)


@dataclass
class DemoProject:
    code: str
    name: str
    category: str
    stage: str
    industry_index: int
    street_index: int
    owner_index: int
    total_investment: Decimal
    year_plan: Decimal
    completed_before: Decimal
    planned_start: date
    planned_end: date
    actual_start: date | None
    pace: float  # actual ÷ plan, for the filings
    late_months: set[int] = field(default_factory=set)
    bond: Decimal = Decimal(0)


def curve(start_month: int = 1) -> list[str]:
    """12 cumulative shares of the year's plan; nothing planned before `start_month` (a project starting
    mid-year plans its investment from its start)."""
    weights = _weights(start_month)
    total = sum(weights)
    running, shares = 0, []
    for weight in weights:
        running += weight
        shares.append(str((Decimal(running) / total).quantize(Decimal("0.0001"))))
    shares[-1] = "1"
    return shares


def generate(industries: int, streets: int, owners: int, seed: int = 208) -> list[DemoProject]:
    """208 projects spread over `industries`, `streets` and `owners` (indexes into the caller's lists)."""
    rng = random.Random(seed)
    stages = [stage for stage, count in STAGE_MIX for _ in range(count)]
    rng.shuffle(stages)
    raw = []
    for index, stage in enumerate(stages[:PROJECTS], start=1):
        category, word, _weight = rng.choices(KINDS, weights=[k[2] for k in KINDS])[0]
        size = rng.lognormvariate(0, 1.0)
        start_year = {"completed": 2021, "continuing": 2023, "new": YEAR, "reserve": YEAR + 1}[stage]
        start = date(start_year, rng.randint(1, 9 if stage == "new" else 12), 1)
        end = date(start.year + rng.randint(2, 4), rng.randint(1, 12), 1)
        if stage == "completed":
            end = date(YEAR, rng.randint(3, 12), 1)
        pace = min(1.4, max(0.1, rng.gauss(0.97, 0.22)))
        if index % 23 == 0:
            pace = 0.35  # far behind: red
        actual_start = start if stage in ("completed", "continuing") else None
        if stage == "new" and not (index % 17 == 0 and start.month <= 6):  # a few new ones never started
            actual_start = start if start.month <= LAST_MONTH else None
        late = {month for month in range(1, LAST_MONTH + 1) if rng.random() < 0.06}
        raw.append((index, stage, category, word, size, start, end, pace, actual_start, late))
    total_size = sum(item[4] for item in raw)
    plan_weight = {"completed": 0.25, "continuing": 0.18, "new": 0.12, "reserve": 0.0}
    plan_sizes = sum(item[4] * plan_weight[item[1]] for item in raw)
    projects = []
    for index, stage, category, word, size, start, end, pace, actual_start, late in raw:
        total = (TOTAL_INVESTMENT * Decimal(size / total_size)).quantize(Decimal(1))
        plan = (YEAR_PLAN * Decimal(size * plan_weight[stage] / plan_sizes)).quantize(Decimal(1))
        before = (total * Decimal({"completed": 0.7, "continuing": 0.35}.get(stage, 0.0))).quantize(
            Decimal(1)
        )
        projects.append(
            DemoProject(
                code=f"TH{YEAR}-{index:03d}",
                name=f"天河{_place(rng)}{word}",
                category=category,
                stage=stage,
                industry_index=rng.randrange(industries),
                street_index=rng.randrange(streets),
                owner_index=rng.randrange(owners),
                total_investment=total,
                year_plan=plan,
                completed_before=before,
                planned_start=start,
                planned_end=end,
                actual_start=actual_start,
                pace=pace if actual_start else 0.0,
                late_months=late,
                bond=(plan * Decimal("0.3")).quantize(Decimal(1)) if index % 11 == 0 else Decimal(0),
            )
        )
    return projects


def _weights(start_month: int) -> list[int]:
    return [weight if month >= start_month else 0 for month, weight in enumerate(MONTH_WEIGHTS, start=1)]


def monthly(project: DemoProject) -> Iterator[tuple[int, Decimal]]:
    """The project's investment month by month (January–LAST_MONTH), at its pace."""
    weights = _weights(project.planned_start.month if project.planned_start.year == YEAR else 1)
    for month in range(1, LAST_MONTH + 1):
        if project.actual_start is None or project.actual_start > date(YEAR, month, 28):
            yield month, Decimal(0)
            continue
        share = Decimal(weights[month - 1]) / sum(weights)
        yield (
            month,
            (project.year_plan * share * Decimal(str(round(project.pace, 3)))).quantize(Decimal("0.01")),
        )


def _place(rng: random.Random) -> str:
    return rng.choice(
        "珠江员村车陂石牌猎德冼村天园棠下龙洞长兴凤凰前进黄村新塘沙河五山林和兴华元岗珠吉"
    ) + rng.choice(("智谷", "新城", "中心", "科创", "数智", "湾区", "国际"))
