"""Red/yellow/green lights (红黄绿灯) for a key project in a month; every light explains itself.

No Django import. The rules are data (`RuleSet`, edited by the 发改局 and versioned by the caller); the
defaults follow published practice. Money is Decimal in 万元.

Conventions:
- A plan curve is 12 *cumulative* shares of the year's plan at each month's end, non-decreasing, in 0–1,
  the last exactly 1 (as `AnnualPlan.curve` stores it); without a curve the schedule is month ÷ 12.
- 时序进度 (the schedule) of month m is the curve at m. A project that starts mid-year is judged against
  its curve regardless: the curve is expected to carry zeros before the planned start, and a late start
  is not forgiven by shifting the curve (the not-started rule explains the delay on its own).
- Thresholds are compared on exact fractions (`fractions.Fraction` of the Decimals); percentages are
  rounded (half up, one decimal) only in the sentences and `numbers`.
- Progress: yellow when at least `progress_yellow_pp` and at most `progress_red_pp` points behind (so
  exactly 10 and exactly 30 are yellow), red when more than `progress_red_pp` behind.
- Special bonds: the expected spend grows pro rata by day over the window, from the issue date to the
  issue date + the window's months (issued 15 March, 6 months: all of it by 15 September); at the month's
  end, behind by more than 0 and at least `bond_yellow_pp` points is yellow, more than `bond_red_pp` red.
- Not started: a 新开工 project without an actual start is red from the month whose last day reaches the
  planned start + `not_started_red_months` (day clamped: 30 Nov + 3 months = 28 Feb).
- 储备 projects are grey; 竣工/投产 projects get `completed_colour` (green by default) and are not judged
  further; an active project without a plan or without a filing this month is grey unless a rule fires;
  a plan of 0 is green (nothing to be behind on).
"""

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

RED, YELLOW, GREEN, GREY = "red", "yellow", "green", "grey"
RANK = {GREY: -1, GREEN: 0, YELLOW: 1, RED: 2}  # severity: a light is its worst reason
LABELS = {RED: "红灯", YELLOW: "黄灯", GREEN: "绿灯", GREY: "未亮灯"}

STAGES = ("reserve", "new", "continuing", "completed", "operating")
STAGE_LABELS = {
    "reserve": "储备",
    "new": "新开工",
    "continuing": "续建",
    "completed": "竣工",
    "operating": "投产",
}
DONE_STAGES = ("completed", "operating")


# ---------------------------------------------------------------------------------------------- rules


class RulesError(ValueError):
    """Bad rule data; `errors` maps each field to its Chinese message (each message names its field)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("；".join(self.errors.values()))


@dataclass(frozen=True)
class RuleSet:
    """The light rules as data. Percentage-point thresholds are Decimals, windows whole months."""

    progress_yellow_pp: Decimal = Decimal(10)
    progress_red_pp: Decimal = Decimal(30)
    not_started_red_months: int = 3
    bond_window_months: int = 6
    bond_yellow_pp: Decimal = Decimal(0)
    bond_red_pp: Decimal = Decimal(30)
    late_filing_colour: str = YELLOW  # green: noted, the colour unchanged
    completed_colour: str = GREEN  # grey: a neutral "done"

    def __post_init__(self) -> None:
        errors = _rule_errors({key: getattr(self, key) for key in _FIELD_KINDS})
        if errors:
            raise RulesError(errors)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RuleSet":
        """Rules from JSON-able data; a missing field keeps its default, an unknown or bad one is rejected
        (RulesError, a ValueError, every bad field named)."""
        if not isinstance(data, Mapping):
            raise RulesError({"rules": "规则应为“字段: 取值”的映射"})
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            kind = _FIELD_KINDS.get(key)
            if kind is None:
                errors[str(key)] = f"{key} 不是已知的规则字段"
                continue
            try:
                values[key] = _parse(key, kind, raw)
            except ValueError as error:
                errors[key] = str(error)
        if errors:  # name the out-of-range fields too, not only those that did not parse
            defaults = {key: getattr(DEFAULT_RULES, key) for key in _FIELD_KINDS}
            found = _rule_errors(defaults | values, unparsed=set(errors))
            raise RulesError(errors | {key: message for key, message in found.items() if key not in errors})
        return cls(**values)

    def to_dict(self) -> dict[str, str | int]:
        """JSON-able and exact: Decimals as strings, months as integers, colours as strings."""
        return {
            key: format(getattr(self, key), "f") if kind == "decimal" else getattr(self, key)
            for key, kind in _FIELD_KINDS.items()
        }

    def describe(self) -> tuple[str, ...]:
        """The rules in Chinese, one sentence each, for the page where they are edited."""
        y, r = _plain(self.progress_yellow_pp), _plain(self.progress_red_pp)
        by, br = _plain(self.bond_yellow_pp), _plain(self.bond_red_pp)
        bond_yellow = f"落后不超过 {br}" if self.bond_yellow_pp == 0 else f"落后 {by}–{br}"
        late = (
            f"月报逾期报送亮{LABELS[self.late_filing_colour]}"
            if self.late_filing_colour != GREEN
            else "月报逾期报送仅作提示，不影响灯色"
        )
        return (
            f"累计完成投资占年度计划的比例落后时序进度 {y}–{r} 个百分点亮黄灯，超过 {r} 个百分点亮红灯",
            f"新开工项目计划开工后满 {self.not_started_red_months} 个月仍未开工亮红灯",
            f"专项债自发行起 {self.bond_window_months} 个月内按日均匀支出，支出进度{bond_yellow} 个百分点"
            f"亮黄灯，超过 {br} 个百分点亮红灯",
            late,
            f"竣工、投产项目亮{LABELS[self.completed_colour]}，储备项目不亮灯",
        )


_FIELD_KINDS = {
    "progress_yellow_pp": "decimal",
    "progress_red_pp": "decimal",
    "not_started_red_months": "int",
    "bond_window_months": "int",
    "bond_yellow_pp": "decimal",
    "bond_red_pp": "decimal",
    "late_filing_colour": "colour",
    "completed_colour": "colour",
}


def _parse(key: str, kind: str, raw: Any) -> Any:
    if kind == "colour":
        if not isinstance(raw, str):
            raise ValueError(f"{key} 应为颜色名称（字符串）")
        return raw.strip()
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError(f"{key} 应为数字")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"{key} 应为数字，而不是「{raw}」") from None
    if not value.is_finite():
        raise ValueError(f"{key} 应为有限的数字")
    if kind == "int":
        if value != value.to_integral_value():
            raise ValueError(f"{key} 应为整数（月数），而不是「{raw}」")
        return int(value)
    return value


def _rule_errors(values: Mapping[str, Any], unparsed: set[str] | None = None) -> dict[str, str]:
    """The range and consistency errors of a full set of rule values (fields in `unparsed` are skipped)."""
    errors: dict[str, str] = dict.fromkeys(unparsed or (), "")
    for key in ("progress_yellow_pp", "progress_red_pp", "bond_yellow_pp", "bond_red_pp"):
        if key in errors:
            continue
        value = values[key]
        if not isinstance(value, Decimal | int) or isinstance(value, bool) or not 0 <= value <= 100:
            errors[key] = f"{key} 应为 0–100 之间的百分点数"
    for key, limit in (("not_started_red_months", 36), ("bond_window_months", 60)):
        if key in errors:
            continue
        value = values[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
            errors[key] = f"{key} 应为 1–{limit} 之间的整数（月数）"
    for low, high in (("progress_yellow_pp", "progress_red_pp"), ("bond_yellow_pp", "bond_red_pp")):
        if low not in errors and high not in errors and values[high] <= values[low]:
            errors[high] = f"{high} 应大于 {low}"
    colours = {"late_filing_colour": (GREEN, YELLOW, RED), "completed_colour": (GREEN, GREY)}
    for key, allowed in colours.items():
        if key not in errors and values[key] not in allowed:
            errors[key] = f"{key} 应为 {'、'.join(allowed[:-1])} 或 {allowed[-1]}"
    return {key: message for key, message in errors.items() if message}


DEFAULT_RULES = RuleSet()


# ---------------------------------------------------------------------------------------------- schedule


def validate_curve(curve: Sequence[Decimal]) -> None:
    """Raise ValueError (Chinese) unless `curve` is 12 non-decreasing cumulative shares in 0–1 ending at 1.
    Services should call it when a plan is saved, so that evaluation never meets a bad curve."""
    if len(curve) != 12:
        raise ValueError(f"计划曲线应为 12 个月的累计占比，实为 {len(curve)} 个")
    previous = Decimal(0)
    for month, raw in enumerate(curve, start=1):
        value = _decimal(raw, f"计划曲线第 {month} 个月的累计占比")
        if not 0 <= value <= 1:
            raise ValueError(f"计划曲线第 {month} 个月的累计占比 {value} 不在 0–1 之间")
        if value < previous:
            raise ValueError(f"计划曲线第 {month} 个月的累计占比 {value} 小于上月的 {previous}，不能逐月减少")
        previous = value
    if previous != 1:
        raise ValueError(f"计划曲线第 12 个月的累计占比应为 1，实为 {previous}")


def schedule_share(curve: Sequence[Decimal] | None, month: int) -> Decimal:
    """时序进度 at the end of `month` (0–12; 0 is the start of the year): the cumulative plan curve at that
    month, or month ÷ 12 without a curve. A bad curve or month raises ValueError."""
    share = schedule_fraction(curve, month)
    return Decimal(share.numerator) / Decimal(share.denominator)


def schedule_fraction(curve: Sequence[Decimal] | None, month: int) -> Fraction:
    """`schedule_share` as an exact fraction (7/12, not 0.5833…), for comparisons."""
    if isinstance(month, bool) or not isinstance(month, int) or not 0 <= month <= 12:
        raise ValueError(f"月份应为 0–12，而不是 {month}")
    if curve is None:
        return Fraction(month, 12)
    validate_curve(curve)
    return Fraction(_decimal(curve[month - 1], "计划曲线")) if month else Fraction(0)


# ---------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class BondState:
    """A special-bond batch (专项债) as of the month's end; `spent` is its cumulative spend by then.
    `window_months` overrides the rules' window for this batch (None: the rules decide)."""

    batch: str
    amount: Decimal
    issued_on: date
    spent: Decimal
    window_months: int | None = None

    def __post_init__(self) -> None:
        if self.amount < 0 or self.spent < 0:
            raise ValueError(f"专项债「{self.batch}」的金额和支出不能为负数")
        if self.window_months is not None and self.window_months < 1:
            raise ValueError(f"专项债「{self.batch}」的使用期应至少 1 个月")


@dataclass(frozen=True)
class ProjectMonth:
    """A project's state at the end of one month, as the rules read it. `actual_cumulative` is the year's
    cumulative investment from this month's filing (None: no filing); `actual_start` stays None until the
    project has started (by the month's end)."""

    code: str
    name: str
    year: int
    month: int
    stage: str
    annual_plan: Decimal | None = None
    plan_curve: Sequence[Decimal] | None = None
    actual_cumulative: Decimal | None = None
    planned_start: date | None = None
    actual_start: date | None = None
    bonds: tuple[BondState, ...] = ()
    filed_late: bool = False

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(f"项目 {self.code} 的阶段「{self.stage}」不是 {'、'.join(STAGES)} 之一")
        if not 1 <= self.month <= 12:
            raise ValueError(f"项目 {self.code} 的月份应为 1–12，而不是 {self.month}")
        if self.annual_plan is not None and self.annual_plan < 0:
            raise ValueError(f"项目 {self.code} 的年度计划投资不能为负数")
        if self.plan_curve is not None:
            validate_curve(self.plan_curve)

    @property
    def month_end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


# ---------------------------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Reason:
    """One reason for a light: the rule, the colour it gives, a Chinese sentence with the numbers, and the
    numbers themselves (Chinese labels with units → values rounded for display)."""

    rule: str  # progress | not_started | bond | late | ok | no_plan | no_filing | reserve | done
    colour: str
    sentence: str
    numbers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Light:
    """A project's light in a month: the worst colour among its reasons, which come most severe first."""

    colour: str
    reasons: tuple[Reason, ...]

    @property
    def sentence(self) -> str:
        """Why the light has its colour: the reasons of that colour (every red one for a red light, …)."""
        deciding = [reason.sentence for reason in self.reasons if reason.colour == self.colour]
        return "；".join(deciding or [reason.sentence for reason in self.reasons])

    @property
    def label(self) -> str:
        return LABELS[self.colour]


@dataclass(frozen=True)
class Change:
    """A light whose colour a rule change would change (back-testing)."""

    code: str
    name: str
    year: int
    month: int
    old_colour: str
    new_colour: str
    sentence: str  # the new light's
    old_sentence: str


# ---------------------------------------------------------------------------------------------- evaluation


def evaluate(pm: ProjectMonth, rules: RuleSet = DEFAULT_RULES) -> Light:
    """The project's light at the end of its month under `rules`, with every reason that lit it."""
    if pm.stage == "reserve":
        return Light(GREY, (Reason("reserve", GREY, "储备项目，尚未纳入年度投资考核，不亮灯"),))
    if pm.stage in DONE_STAGES:
        colour = rules.completed_colour
        sentence = f"项目已{STAGE_LABELS[pm.stage]}，不再考核年度投资进度"
        return Light(colour, (Reason("done", colour, sentence),))
    baseline, flags = _progress(pm, rules)
    not_started = _not_started(pm, rules)
    if not_started is not None:
        flags.append(not_started)
    flags.extend(reason for bond in pm.bonds if (reason := _bond(pm, bond, rules)) is not None)
    notes: list[Reason] = []
    if pm.filed_late:
        late = _late(pm, rules)
        (notes if late.colour == GREEN else flags).append(late)
    if flags:
        flags.sort(key=lambda reason: -RANK[reason.colour])  # stable: rule order within a colour
        return Light(flags[0].colour, (*flags, *notes))
    if baseline.rule == "ok" and pm.bonds:
        baseline = Reason("ok", GREEN, f"{baseline.sentence}；专项债支出符合使用进度", baseline.numbers)
    return Light(baseline.colour, (baseline, *notes))


def _progress(pm: ProjectMonth, rules: RuleSet) -> tuple[Reason, list[Reason]]:
    """(the reason to give when no rule fires, [the progress reason if it fires])."""
    if pm.annual_plan is None:
        return Reason("no_plan", GREY, "未录入本年度计划投资，无法判断投资进度"), []
    if pm.annual_plan == 0:
        return Reason("ok", GREEN, "本年度无计划投资，不考核投资进度"), []
    if pm.actual_cumulative is None:
        return Reason("no_filing", GREY, f"{pm.month} 月尚无报送的月报，无法判断投资进度"), []
    completion = Fraction(pm.actual_cumulative) / Fraction(pm.annual_plan) * 100
    schedule = schedule_fraction(pm.plan_curve, pm.month) * 100
    lag = schedule - completion
    yellow, red = rules.progress_yellow_pp, rules.progress_red_pp
    numbers = {
        "年度计划(万元)": _plain(pm.annual_plan),
        "本年累计完成(万元)": _plain(pm.actual_cumulative),
        "完成率(%)": _pct(completion),
        "时序进度(%)": _pct(schedule),
        "落后(百分点)": _pct(lag),
        "黄灯线(百分点)": _plain(yellow),
        "红灯线(百分点)": _plain(red),
    }
    head = (
        f"累计完成投资 {format_money(pm.actual_cumulative)}，占年度计划 {_pct(completion)}%，"
        f"时序进度 {_pct(schedule)}%，{_lag_words(lag)}"
    )
    quiet = Reason("ok", GREEN, "各项规则均未触发")
    if lag > Fraction(red):
        return quiet, [Reason("progress", RED, f"{head}（红灯：落后超过 {_plain(red)} 个百分点）", numbers)]
    if lag > 0 and lag >= Fraction(yellow):
        rule = f"黄灯：落后 {_plain(yellow)}–{_plain(red)} 个百分点"
        return quiet, [Reason("progress", YELLOW, f"{head}（{rule}）", numbers)]
    return Reason("ok", GREEN, f"{head}（绿灯：落后不足 {_plain(yellow)} 个百分点）", numbers), []


def _lag_words(lag: Fraction) -> str:
    if lag > 0:
        return f"落后 {_pct(lag)} 个百分点"
    if lag < 0:
        return f"超前 {_pct(-lag)} 个百分点"
    return "与时序进度持平"


def _not_started(pm: ProjectMonth, rules: RuleSet) -> Reason | None:
    if pm.stage != "new" or pm.actual_start is not None or pm.planned_start is None:
        return None
    months = rules.not_started_red_months
    deadline = add_months(pm.planned_start, months)
    end = pm.month_end
    if end < deadline:
        return None
    since = months_between(pm.planned_start, end)
    numbers = {
        "计划开工": pm.planned_start.isoformat(),
        "考核月末": end.isoformat(),
        "计划开工后(月)": str(since),
        "红灯线(月)": str(months),
    }
    sentence = (
        f"计划 {pm.planned_start.isoformat()} 开工，至 {end.isoformat()} 已过 {since} 个月仍未开工"
        f"（红灯：计划开工后满 {months} 个月未开工）"
    )
    return Reason("not_started", RED, sentence, numbers)


def _bond(pm: ProjectMonth, bond: BondState, rules: RuleSet) -> Reason | None:
    end = pm.month_end
    if bond.amount == 0 or bond.issued_on > end:
        return None
    window = bond.window_months or rules.bond_window_months
    window_end = add_months(bond.issued_on, window)
    expected = (
        min(Fraction((end - bond.issued_on).days, (window_end - bond.issued_on).days), Fraction(1)) * 100
    )
    spent = Fraction(bond.spent) / Fraction(bond.amount) * 100
    lag = expected - spent
    yellow, red = rules.bond_yellow_pp, rules.bond_red_pp
    if lag > Fraction(red):
        colour, rule = RED, f"红灯：落后超过 {_plain(red)} 个百分点"
    elif lag > 0 and lag >= Fraction(yellow):
        span = f"不超过 {_plain(red)}" if yellow == 0 else f" {_plain(yellow)}–{_plain(red)}"
        colour, rule = YELLOW, f"黄灯：落后{span} 个百分点"
    else:
        return None
    numbers = {
        "批次": bond.batch,
        "发行额(万元)": _plain(bond.amount),
        "发行日期": bond.issued_on.isoformat(),
        "使用期(月)": str(window),
        "使用期截止": window_end.isoformat(),
        "应支出(%)": _pct(expected),
        "累计支出(万元)": _plain(bond.spent),
        "已支出(%)": _pct(spent),
        "落后(百分点)": _pct(lag),
        "红灯线(百分点)": _plain(red),
    }
    sentence = (
        f"专项债「{bond.batch}」{format_money(bond.amount)}，于 {bond.issued_on.isoformat()} 发行，"
        f"使用期 {window} 个月（至 {window_end.isoformat()}），至 {end.isoformat()} 应支出 {_pct(expected)}%，"
        f"已支出 {format_money(bond.spent)}（{_pct(spent)}%），落后 {_pct(lag)} 个百分点（{rule}）"
    )
    return Reason("bond", colour, sentence, numbers)


def _late(pm: ProjectMonth, rules: RuleSet) -> Reason:
    colour = rules.late_filing_colour
    what = "逾期未报送" if pm.actual_cumulative is None else "逾期报送"
    rule = "仅作提示" if colour == GREEN else f"{LABELS[colour]}：月报逾期"
    return Reason("late", colour, f"{pm.year} 年 {pm.month} 月月报{what}（{rule}）")


def back_test(months: Iterable[ProjectMonth], old: RuleSet, new: RuleSet) -> list[Change]:
    """The project-months whose colour differs between `old` and `new` rules, in the order given."""
    changes = []
    for pm in months:
        before, after = evaluate(pm, old), evaluate(pm, new)
        if before.colour != after.colour:
            changes.append(
                Change(
                    code=pm.code,
                    name=pm.name,
                    year=pm.year,
                    month=pm.month,
                    old_colour=before.colour,
                    new_colour=after.colour,
                    sentence=after.sentence,
                    old_sentence=before.sentence,
                )
            )
    return changes


# ---------------------------------------------------------------------------------------------- helpers


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, the day clamped to the month's length (30 Nov + 3 months = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`: the largest n with start + n months ≤ end (0 if end < start)."""
    n = max((end.year - start.year) * 12 + end.month - start.month, 0)
    while n > 0 and add_months(start, n) > end:
        n -= 1
    return n


def format_money(value: Decimal) -> str:
    """An amount in 万元 for reading: 亿元 with two decimals from 1 亿 up, else 万元 with up to two."""
    if abs(value) >= 10000:
        return f"{(value / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} 亿元"
    return f"{_plain(value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP))} 万元"


def _pct(value: Fraction) -> str:
    """A value already in percent (or points): one decimal, half up, never "-0.0"."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    shown = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(shown if shown != 0 else Decimal("0.0"))


def _plain(value: Decimal | int) -> str:
    """A number without exponent or trailing zeros: 10, 12.5, 0."""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _decimal(raw: Any, what: str) -> Decimal:
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int | str | float) and not isinstance(raw, bool):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(f"{what}应为数字，而不是「{raw}」") from None
    else:
        raise ValueError(f"{what}应为数字，而不是「{raw}」")
    if not value.is_finite():
        raise ValueError(f"{what}应为有限的数字")
    return value
