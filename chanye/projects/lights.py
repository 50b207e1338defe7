"""Red/yellow/green lights (红黄绿灯) for a key project in a month, each explaining itself.

No Django import. The rules are data (`RuleSet`, saved as JSON and versioned by the caller), with defaults
from published practice: investment 10–30 percentage points behind the schedule (时序进度) is yellow, more is
red; a project not started 3 months after its planned start is red; special bonds spent behind their use
window (6 months, spent pro rata) are yellow up to 30 points behind, red beyond; a late filing is yellow.
A light is the worst colour among its reasons; every reason carries a sentence and the numbers behind it.
Percentages are compared exactly (Decimal) and rounded for display only. Money is in 万元.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

GREY, GREEN, YELLOW, RED = "grey", "green", "yellow", "red"
RANK = {GREY: -1, GREEN: 0, YELLOW: 1, RED: 2}
LABELS = {GREY: "不亮灯", GREEN: "绿灯", YELLOW: "黄灯", RED: "红灯"}
STAGES = ("reserve", "new", "continuing", "completed", "operating")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RuleSet:
    progress_yellow_pp: Decimal = Decimal(10)
    progress_red_pp: Decimal = Decimal(30)
    not_started_red_months: int = 3
    bond_window_months: int = 6
    bond_red_pp: Decimal = Decimal(30)
    late_filing_colour: str = YELLOW

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """Rules from saved data; a missing key keeps its default. Raises ValueError naming the field."""
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"未知的规则项：{'、'.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name in ("progress_yellow_pp", "progress_red_pp", "bond_red_pp"):
            if name in data:
                try:
                    values[name] = Decimal(str(data[name]))
                except InvalidOperation:
                    raise ValueError(f"{name} 应为数字，而不是「{data[name]}」") from None
                if not Decimal(0) <= values[name] <= HUNDRED:
                    raise ValueError(f"{name} 应在 0–100 个百分点之间")
        for name in ("not_started_red_months", "bond_window_months"):
            if name in data:
                if (
                    isinstance(data[name], bool)
                    or not isinstance(data[name], int)
                    or not 1 <= data[name] <= 60
                ):
                    raise ValueError(f"{name} 应为 1–60 的整数（月）")
                values[name] = data[name]
        if "late_filing_colour" in data:
            if data["late_filing_colour"] not in (GREEN, YELLOW, RED):
                raise ValueError("late_filing_colour 应为 green、yellow 或 red")
            values["late_filing_colour"] = data["late_filing_colour"]
        rules = cls(**values)
        if rules.progress_red_pp <= rules.progress_yellow_pp:
            raise ValueError("progress_red_pp 应大于 progress_yellow_pp")
        return rules

    def to_dict(self) -> dict[str, Any]:
        return {
            name: str(value) if isinstance(value, Decimal) else value for name, value in self.__dict__.items()
        }


DEFAULT_RULES = RuleSet()


@dataclass(frozen=True)
class BondState:
    batch: str
    amount: Decimal
    issued_on: date
    spent: Decimal  # cumulative spend at the month's end


@dataclass(frozen=True)
class ProjectMonth:
    code: str
    name: str
    year: int
    month: int
    stage: str
    annual_plan: Decimal | None
    plan_curve: (
        Sequence[Decimal] | None
    )  # 12 cumulative shares of the year's plan, the last 1; None: pro rata
    actual_cumulative: Decimal | None  # this year's cumulative investment; None: no filing for the month
    planned_start: date | None = None
    actual_start: date | None = None
    bonds: tuple[BondState, ...] = ()
    filed_late: bool = False


@dataclass(frozen=True)
class Reason:
    rule: str  # progress, not_started, bond, late, stage, no_filing
    colour: str
    sentence: str
    numbers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Light:
    colour: str
    reasons: tuple[Reason, ...]

    @property
    def sentence(self) -> str:
        """The reasons that set the colour, joined; what a leader reads first."""
        deciding = [r.sentence for r in self.reasons if r.colour == self.colour]
        return "；".join(deciding or [r.sentence for r in self.reasons])

    @property
    def label(self) -> str:
        return LABELS[self.colour]


def schedule_share(curve: Sequence[Decimal] | None, month: int) -> Decimal:
    """时序进度 at the end of `month`: the plan curve's cumulative share, or month ÷ 12 without a curve."""
    if not 1 <= month <= 12:
        raise ValueError(f"月份应为 1–12，而不是 {month}")
    if curve is None:
        return Decimal(month) / 12
    if len(curve) != 12:
        raise ValueError(f"计划曲线应有 12 个月的累计占比，实为 {len(curve)} 个")
    values = [Decimal(str(value)) for value in curve]
    if any(later < earlier for earlier, later in zip(values, values[1:], strict=False)):
        raise ValueError("计划曲线的累计占比不能逐月减少")
    if values[0] < 0 or abs(values[-1] - 1) > Decimal("0.0001"):
        raise ValueError("计划曲线应从 0 以上累计到 12 月的 1（100%）")
    return values[month - 1]


def _months(start: date, year: int, month: int) -> int:
    """Whole months from `start`'s month to (year, month)."""
    return (year - start.year) * 12 + month - start.month


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


def _yi(value: Decimal) -> str:
    return f"{(value / 10000).quantize(Decimal('0.01'))}"


def evaluate(pm: ProjectMonth, rules: RuleSet = DEFAULT_RULES) -> Light:
    if pm.stage == "reserve":
        return Light(GREY, (Reason("stage", GREY, "储备项目不亮灯"),))
    if pm.stage in ("completed", "operating"):
        label = "竣工" if pm.stage == "completed" else "投产"
        return Light(GREEN, (Reason("stage", GREEN, f"项目已{label}"),))
    reasons: list[Reason] = []
    month_end = date(pm.year, pm.month, calendar.monthrange(pm.year, pm.month)[1])
    if pm.actual_start is None and pm.planned_start is not None and pm.planned_start <= month_end:
        behind = _months(pm.planned_start, pm.year, pm.month)
        numbers = {"计划开工": pm.planned_start.isoformat(), "未开工月数": str(behind)}
        if behind >= rules.not_started_red_months:
            reasons.append(
                Reason(
                    "not_started",
                    RED,
                    f"计划 {pm.planned_start:%Y年%m月} 开工，至 {pm.year}年{pm.month}月末仍未开工，已 {behind} 个月"
                    f"（红灯：超过计划开工 {rules.not_started_red_months} 个月未开工）",
                    numbers,
                )
            )
        elif behind >= 1:
            reasons.append(
                Reason(
                    "not_started",
                    YELLOW,
                    f"计划 {pm.planned_start:%Y年%m月} 开工，已推迟 {behind} 个月未开工（黄灯）",
                    numbers,
                )
            )
    if pm.annual_plan and pm.annual_plan > 0:
        share = schedule_share(pm.plan_curve, pm.month) * HUNDRED
        if pm.actual_cumulative is None:
            reasons.append(Reason("no_filing", GREY, f"{pm.month} 月未报送月报，无法计算完成率"))
        else:
            rate = pm.actual_cumulative * HUNDRED / pm.annual_plan
            lag = share - rate
            numbers = {
                "本年累计完成(亿元)": _yi(pm.actual_cumulative),
                "年度计划(亿元)": _yi(pm.annual_plan),
                "完成率(%)": _pct(rate),
                "时序进度(%)": _pct(share),
                "落后(百分点)": _pct(lag),
            }
            head = f"累计完成投资 {_yi(pm.actual_cumulative)} 亿元，占年度计划 {_pct(rate)}%，时序进度 {_pct(share)}%，"
            y, r = rules.progress_yellow_pp, rules.progress_red_pp
            if lag > r:
                reasons.append(
                    Reason(
                        "progress",
                        RED,
                        f"{head}落后 {_pct(lag)} 个百分点（红灯：落后超过 {r} 个百分点）",
                        numbers,
                    )
                )
            elif lag >= y:
                reasons.append(
                    Reason(
                        "progress",
                        YELLOW,
                        f"{head}落后 {_pct(lag)} 个百分点（黄灯：落后 {y}–{r} 个百分点）",
                        numbers,
                    )
                )
            else:
                state = f"落后 {_pct(lag)} 个百分点" if lag > 0 else f"超前 {_pct(-lag)} 个百分点"
                reasons.append(
                    Reason("progress", GREEN, f"{head}{state}（落后不足 {y} 个百分点为绿灯）", numbers)
                )
    for bond in pm.bonds:
        if bond.amount <= 0 or bond.issued_on > month_end:
            continue
        elapsed = min(_months(bond.issued_on, pm.year, pm.month) + 1, rules.bond_window_months)
        expected = Decimal(elapsed) * HUNDRED / rules.bond_window_months
        used = bond.spent * HUNDRED / bond.amount
        short = expected - used
        numbers = {
            "批次": bond.batch,
            "应支出(%)": _pct(expected),
            "已支出(%)": _pct(used),
            "落后(百分点)": _pct(short),
        }
        head = (
            f"专项债{bond.batch} {_yi(bond.amount)} 亿元，发行第 {elapsed} 个月应支出 {_pct(expected)}%，"
            f"已支出 {_pct(used)}%"
        )
        if short > rules.bond_red_pp:
            reasons.append(
                Reason(
                    "bond",
                    RED,
                    f"{head}，落后 {_pct(short)} 个百分点（红灯：落后超过 {rules.bond_red_pp} 个百分点）",
                    numbers,
                )
            )
        elif short > 0:
            reasons.append(Reason("bond", YELLOW, f"{head}，落后 {_pct(short)} 个百分点（黄灯）", numbers))
    if pm.filed_late:
        reasons.append(
            Reason(
                "late",
                rules.late_filing_colour,
                f"{pm.month} 月月报逾期报送或未报送（{LABELS[rules.late_filing_colour]}）",
            )
        )
    colour = max((r.colour for r in reasons), key=RANK.__getitem__, default=GREEN)
    if colour == GREY:
        colour = GREEN if any(r.colour == GREEN for r in reasons) else GREY
    if not reasons:
        reasons.append(Reason("ok", GREEN, "无年度计划考核、未逾期，各项规则均未触发"))
    return Light(colour, tuple(reasons))


@dataclass(frozen=True)
class Change:
    code: str
    month: int
    old: str
    new: str
    sentence: str


def back_test(months: Iterable[ProjectMonth], old: RuleSet, new: RuleSet) -> list[Change]:
    """The lights that `new` rules would change against `old`, for the same project-months."""
    changes = []
    for pm in months:
        before, after = evaluate(pm, old), evaluate(pm, new)
        if before.colour != after.colour:
            changes.append(Change(pm.code, pm.month, before.colour, after.colour, after.sentence))
    return changes


__all__ = [
    "DEFAULT_RULES",
    "BondState",
    "Change",
    "Light",
    "ProjectMonth",
    "Reason",
    "RuleSet",
    "back_test",
    "evaluate",
    "schedule_share",
]
