"""The year's fixed-asset investment (FAI) forecast from the key projects, and who explains the gap.

No Django import; Decimal throughout (in 万元, one fixed decimal context), rounded only in the sentences.
The model, per project, as of the end of month n (0–12):

    A = actual to date (the months 1..n of `actual`; later months are ignored, so a past forecast can be
        replayed), P = planned to date = plan × curve(n), R = plan − P (the plan still to come),
    r = A ÷ P clamped to [0, 1.5]   (1 when P = 0: nothing was due, so there is no record yet),
    w = curve(n), the share of the year's plan already due: how much evidence r rests on,
    r* = 1 + (r − 1) × w            (shrunk toward 1, i.e. toward the plan, while little is due),
    forecast = A + R × r*, and month m > n follows A + (plan × curve(m) − P) × r*.

So a project on plan forecasts its plan exactly; one at half its plan at mid-year (w = ½) is expected to
do 75% of the rest. The curve convention is `lights`' (12 cumulative shares ending at 1; pro rata
without one). A project without a plan for the rest of the year (no plan, a plan of 0, or all of it due)
contributes its actuals. The district sums its projects; the projects that explain the gap are those
with a shortfall (plan − forecast > 0), largest first, until they cover 80% of the gap (of the total
shortfall when the forecast meets the target) or number ten.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import NamedTuple

from chanye.projects.lights import format_money, validate_curve

CLAMP_LOW, CLAMP_HIGH = Decimal(0), Decimal("1.5")
EXPLAIN_SHARE = Decimal("0.8")  # contributors are listed until they cover 80% of the gap …
EXPLAIN_MAX = 10  # … or ten of them
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)  # the same answer whatever the caller's context
ZERO = Decimal(0)


@dataclass(frozen=True)
class ProjectInput:
    """A project's year: its plan, plan curve (None: pro rata) and each month's investment (month → 万元)."""

    code: str
    name: str
    annual_plan: Decimal | None
    plan_curve: Sequence[Decimal] | None
    actual: Mapping[int, Decimal]


@dataclass(frozen=True)
class ProjectForecast:
    """A project's forecast for the year, the numbers behind it and a Chinese sentence explaining it.
    The cumulative series have 12 months (`actual_cumulative` only the months up to `as_of`)."""

    code: str
    name: str
    as_of: int
    annual_plan: Decimal
    actual_to_date: Decimal
    planned_to_date: Decimal
    forecast_year: Decimal
    shortfall: Decimal  # annual plan − forecast; positive: expected to fall short of the plan
    ratio: Decimal  # r*, the factor applied to the rest of the plan (after clamping and shrinking)
    raw_ratio: Decimal | None  # A ÷ P before clamping; None when nothing was due
    weight: Decimal  # w, the share of the plan due by `as_of`
    planned_cumulative: tuple[Decimal, ...]
    actual_cumulative: tuple[Decimal, ...]
    forecast_cumulative: tuple[Decimal, ...]
    method: str


class MonthPoint(NamedTuple):
    """One month of the district's series (cumulative, 万元); `actual` is None after `as_of`."""

    month: int
    planned: Decimal
    actual: Decimal | None
    forecast: Decimal


@dataclass(frozen=True)
class Contributor:
    """A project that explains part of the gap; shares are of the total shortfall (0–1)."""

    code: str
    name: str
    shortfall: Decimal
    share: Decimal
    cumulative_share: Decimal
    share_of_gap: Decimal | None  # shortfall ÷ gap; None when the forecast meets the target


@dataclass(frozen=True)
class DistrictForecast:
    """The district's year: sums over its projects, the gap to the target, the monthly series and who
    explains the gap."""

    as_of: int
    target: Decimal
    planned_year: Decimal  # the sum of the projects' annual plans
    actual_to_date: Decimal
    planned_to_date: Decimal
    forecast_year: Decimal
    gap: Decimal  # target − forecast; positive: short of the target
    total_shortfall: Decimal  # the sum of the projects' positive shortfalls
    monthly: list[MonthPoint]
    contributors: list[Contributor] = field(default_factory=list)
    projects: list[ProjectForecast] = field(default_factory=list)
    sentence: str = ""


def project_forecast(project: ProjectInput, as_of: int) -> ProjectForecast:
    """The project's year as of the end of month `as_of` (0–12), by the model in the module docstring."""
    _check_month(as_of, "预测截至月份", low=0)
    with localcontext(_CONTEXT):
        return _project_forecast(project, as_of)


def _project_forecast(project: ProjectInput, as_of: int) -> ProjectForecast:
    plan = project.annual_plan or ZERO
    if plan < 0:
        raise ValueError(f"项目 {project.code} 的年度计划投资不能为负数")
    if project.plan_curve is not None:
        validate_curve(project.plan_curve)
    for month in project.actual:
        _check_month(month, f"项目 {project.code} 的实际投资月份", low=1)
    shares = _shares(project.plan_curve)
    # plan × m ÷ 12 rather than plan × (m ÷ 12): exact whenever the plan divides by 12
    planned = tuple(
        plan * month / 12 if project.plan_curve is None else plan * share
        for month, share in enumerate(shares, start=1)
    )
    actual: list[Decimal] = []
    running = ZERO
    for month in range(1, as_of + 1):
        running += Decimal(project.actual.get(month, ZERO))
        actual.append(running)
    done = running
    due = planned[as_of - 1] if as_of else ZERO
    weight = shares[as_of - 1] if as_of else ZERO
    rest = plan - due
    raw = done / due if due > 0 else None
    clamped = min(max(raw, CLAMP_LOW), CLAMP_HIGH) if raw is not None else Decimal(1)
    ratio = 1 + (clamped - 1) * weight
    forecast = tuple(
        actual[month - 1] if month <= as_of else done + (planned[month - 1] - due) * ratio
        for month in range(1, 13)
    )
    year = forecast[-1]
    method = _method(project, as_of, plan, done, due, rest, raw, clamped, weight, ratio, year)
    return ProjectForecast(
        code=project.code,
        name=project.name,
        as_of=as_of,
        annual_plan=plan,
        actual_to_date=done,
        planned_to_date=due,
        forecast_year=year,
        shortfall=plan - year,
        ratio=ratio,
        raw_ratio=raw,
        weight=weight,
        planned_cumulative=planned,
        actual_cumulative=tuple(actual),
        forecast_cumulative=forecast,
        method=method,
    )


def _method(
    project: ProjectInput,
    as_of: int,
    plan: Decimal,
    done: Decimal,
    due: Decimal,
    rest: Decimal,
    raw: Decimal | None,
    clamped: Decimal,
    weight: Decimal,
    ratio: Decimal,
    year: Decimal,
) -> str:
    """The Chinese sentence that explains the project's forecast, with its numbers."""
    span = f"1–{as_of} 月" if as_of > 1 else "1 月"
    versus = _versus_plan(plan - year)
    if not plan:
        what = "未录入年度计划" if project.annual_plan is None else "本年度无计划投资"
        return f"{what}，预计全年即 {span}已完成的 {format_money(done)}" if as_of else f"{what}，预计全年为 0"
    if rest <= 0:
        return f"年度计划已全部到期，预计全年即 {span}已完成的 {format_money(done)}，{versus}"
    if as_of == 0:
        return f"年初尚无完成数据，预计全年按年度计划 {format_money(plan)}"
    if raw is None:
        return (
            f"截至 {as_of} 月尚无到期的计划投资，无从衡量进度；{span}已完成 {format_money(done)}，"
            f"余下计划 {format_money(rest)}按 100% 推算，预计全年 {format_money(year)}，{versus}"
        )
    limit = ""
    if raw != clamped:
        limit = f"（按{'上限 150%' if clamped == CLAMP_HIGH else '下限 0%'} 计）"
    return (
        f"{span}完成 {format_money(done)}，为同期计划 {format_money(due)}的 {_pct(raw)}%{limit}；"
        f"已到期计划占全年 {_pct(weight)}%，以此为权重向计划收敛："
        f"100% +（{_pct(clamped)}% − 100%）× {_pct(weight)}% = {_pct(ratio)}%；"
        f"余下计划 {format_money(rest)}按 {_pct(ratio)}% 推算，"
        f"预计全年 {format_money(year)}，{versus}"
    )


def _versus_plan(shortfall: Decimal) -> str:
    if shortfall > 0:
        return f"比年度计划少 {format_money(shortfall)}"
    if shortfall < 0:
        return f"比年度计划多 {format_money(-shortfall)}"
    return "与年度计划持平"


def district_forecast(
    projects: Iterable[ProjectInput],
    target: Decimal,
    as_of: int,
    *,
    explain_share: Decimal = EXPLAIN_SHARE,
    explain_max: int = EXPLAIN_MAX,
) -> DistrictForecast:
    """The district's year as of month `as_of`: the projects' forecasts summed, the gap to `target`, the
    monthly series (planned, actual to `as_of`, forecast — all cumulative) and the contributors."""
    _check_month(as_of, "预测截至月份", low=0)
    with localcontext(_CONTEXT):
        forecasts = [_project_forecast(project, as_of) for project in projects]
        monthly = [
            MonthPoint(
                month=month,
                planned=_sum(f.planned_cumulative[month - 1] for f in forecasts),
                actual=_sum(f.actual_cumulative[month - 1] for f in forecasts) if month <= as_of else None,
                forecast=_sum(f.forecast_cumulative[month - 1] for f in forecasts),
            )
            for month in range(1, 13)
        ]
        year = monthly[-1].forecast
        gap = target - year
        short = sorted((f for f in forecasts if f.shortfall > 0), key=lambda f: (-f.shortfall, f.code))
        total = _sum(f.shortfall for f in short)
        contributors = _contributors(short, total, gap, explain_share, explain_max)
        result = DistrictForecast(
            as_of=as_of,
            target=target,
            planned_year=_sum(f.annual_plan for f in forecasts),
            actual_to_date=_sum(f.actual_to_date for f in forecasts),
            planned_to_date=_sum(f.planned_to_date for f in forecasts),
            forecast_year=year,
            gap=gap,
            total_shortfall=total,
            monthly=monthly,
            contributors=contributors,
            projects=forecasts,
        )
        return _with_sentence(result)


def _contributors(
    short: Sequence[ProjectForecast], total: Decimal, gap: Decimal, cover: Decimal, limit: int
) -> list[Contributor]:
    """Largest shortfalls first until they cover `cover` of the gap (of the total shortfall when there is
    no gap) or number `limit`."""
    goal = cover * (gap if gap > 0 else total)
    contributors: list[Contributor] = []
    running = ZERO
    for result in short:
        if len(contributors) >= limit or running >= goal:
            break
        running += result.shortfall
        contributors.append(
            Contributor(
                code=result.code,
                name=result.name,
                shortfall=result.shortfall,
                share=result.shortfall / total,
                cumulative_share=running / total,
                share_of_gap=result.shortfall / gap if gap > 0 else None,
            )
        )
    return contributors


def _with_sentence(result: DistrictForecast) -> DistrictForecast:
    parts = [
        f"{len(result.projects)} 个项目年度计划合计 {format_money(result.planned_year)}",
        f"截至 {result.as_of} 月完成 {format_money(result.actual_to_date)}"
        f"（同期计划 {format_money(result.planned_to_date)}）",
        f"预计全年 {format_money(result.forecast_year)}",
    ]
    if result.gap > 0:
        parts.append(f"距目标 {format_money(result.target)}差 {format_money(result.gap)}")
        beyond_plans = result.target - result.planned_year
        if beyond_plans > 0:
            parts.append(f"其中 {format_money(beyond_plans)}是目标超出各项目年度计划合计的部分")
    else:
        parts.append(f"可完成目标 {format_money(result.target)}（超出 {format_money(-result.gap)}）")
    if result.contributors:
        covered = result.contributors[-1].cumulative_share
        parts.append(
            f"少于计划最多的 {len(result.contributors)} 个项目占少完成合计"
            f" {format_money(result.total_shortfall)}的 {_pct(covered)}%"
        )
    return replace(result, sentence="，".join(parts))


def _shares(curve: Sequence[Decimal] | None) -> tuple[Decimal, ...]:
    if curve is None:
        return tuple(Decimal(month) / 12 for month in range(1, 13))
    return tuple(Decimal(str(value)) if not isinstance(value, Decimal) else value for value in curve)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _pct(share: Decimal) -> str:
    """A share (0.5) as a percentage for reading (50.0), one decimal, half up."""
    return str((share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _check_month(month: int, what: str, *, low: int) -> None:
    if isinstance(month, bool) or not isinstance(month, int) or not low <= month <= 12:
        raise ValueError(f"{what}应为 {low}–12，而不是 {month}")
