"""The year's fixed-asset investment (FAI) forecast from the key projects, and who explains the gap.

No Django import. The model, per project: the rest of the year follows the plan curve, scaled by how the
project has performed against its plan so far (actual ÷ planned to date). That ratio is clamped to [0, 1.5]
and shrunk toward 1 by the share of the year's plan already due: early in the year (little evidence) the
forecast trusts the plan, late in the year it trusts the record —
    ratio' = 1 + (ratio − 1) × w,  w = planned share due so far (the curve at the month),
    forecast = actual to date + (annual plan − planned to date) × ratio'.
A project without a plan for the rest of the year contributes what it has done. Money in 万元.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from chanye.projects.lights import schedule_share

CLAMP = (Decimal(0), Decimal("1.5"))
EXPLAIN_SHARE = Decimal("0.8")  # contributors listed until they cover 80% of the shortfall …
EXPLAIN_MAX = 10  # … or ten of them


@dataclass(frozen=True)
class ProjectInput:
    code: str
    name: str
    annual_plan: Decimal
    plan_curve: Sequence[Decimal] | None
    actual: Mapping[int, Decimal]  # month → that month's investment


@dataclass(frozen=True)
class ProjectForecast:
    code: str
    name: str
    annual_plan: Decimal
    actual_to_date: Decimal
    planned_to_date: Decimal
    ratio: Decimal  # the performance ratio used, after clamping and shrinking
    forecast_year: Decimal
    method: str

    @property
    def shortfall(self) -> Decimal:
        return self.annual_plan - self.forecast_year


def _ratio(actual: Decimal, planned: Decimal, weight: Decimal) -> Decimal:
    if planned <= 0:
        return Decimal(1)
    raw = min(max(actual / planned, CLAMP[0]), CLAMP[1])
    return 1 + (raw - 1) * weight


def project_forecast(project: ProjectInput, as_of: int) -> ProjectForecast:
    share = schedule_share(project.plan_curve, as_of)
    planned = project.annual_plan * share
    actual = sum((project.actual.get(month, Decimal(0)) for month in range(1, as_of + 1)), Decimal(0))
    ratio = _ratio(actual, planned, share)
    remaining = project.annual_plan - planned
    forecast = actual + remaining * ratio
    method = (
        f"1–{as_of} 月完成 {_yi(actual)} 亿元，为同期计划 {_yi(planned)} 亿元的 "
        f"{_pct(actual / planned * 100 if planned else Decimal(100))}%；余下计划 {_yi(remaining)} 亿元按 "
        f"{_pct(ratio * 100)}% 的进度推算（实际进度向计划收敛，权重为已到期计划占比 {_pct(share * 100)}%），"
        f"全年预计 {_yi(forecast)} 亿元"
    )
    return ProjectForecast(
        project.code, project.name, project.annual_plan, actual, planned, ratio, forecast, method
    )


@dataclass(frozen=True)
class Contributor:
    code: str
    name: str
    shortfall: Decimal
    share: Decimal  # of the total shortfall, 0–1


@dataclass(frozen=True)
class DistrictForecast:
    as_of: int
    target: Decimal
    planned_year: Decimal
    actual_to_date: Decimal
    planned_to_date: Decimal
    forecast_year: Decimal
    monthly: list[
        tuple[int, Decimal, Decimal | None, Decimal]
    ]  # month, planned cum., actual cum., forecast cum.
    contributors: list[Contributor] = field(default_factory=list)
    projects: list[ProjectForecast] = field(default_factory=list)

    @property
    def gap(self) -> Decimal:
        """Target − forecast: positive when the year is expected to fall short."""
        return self.target - self.forecast_year


def district_forecast(projects: Sequence[ProjectInput], target: Decimal, as_of: int) -> DistrictForecast:
    forecasts = [project_forecast(project, as_of) for project in projects]
    monthly: list[tuple[int, Decimal, Decimal | None, Decimal]] = []
    for month in range(1, 13):
        planned = sum((p.annual_plan * schedule_share(p.plan_curve, month) for p in projects), Decimal(0))
        if month <= as_of:
            actual = sum(
                (
                    sum((p.actual.get(m, Decimal(0)) for m in range(1, month + 1)), Decimal(0))
                    for p in projects
                ),
                Decimal(0),
            )
            monthly.append((month, planned, actual, actual))
            continue
        expected = Decimal(0)
        for project, result in zip(projects, forecasts, strict=True):
            ahead = project.annual_plan * (
                schedule_share(project.plan_curve, month) - schedule_share(project.plan_curve, as_of)
            )
            expected += result.actual_to_date + ahead * result.ratio
        monthly.append((month, planned, None, expected))
    short = sorted((f for f in forecasts if f.shortfall > 0), key=lambda f: -f.shortfall)
    total_short = sum((f.shortfall for f in short), Decimal(0))
    contributors: list[Contributor] = []
    covered = Decimal(0)
    for result in short:
        if len(contributors) >= EXPLAIN_MAX or (total_short and covered >= EXPLAIN_SHARE):
            break
        share = result.shortfall / total_short
        contributors.append(Contributor(result.code, result.name, result.shortfall, share))
        covered += share
    return DistrictForecast(
        as_of=as_of,
        target=target,
        planned_year=sum((p.annual_plan for p in projects), Decimal(0)),
        actual_to_date=sum((f.actual_to_date for f in forecasts), Decimal(0)),
        planned_to_date=sum((f.planned_to_date for f in forecasts), Decimal(0)),
        forecast_year=sum((f.forecast_year for f in forecasts), Decimal(0)),
        monthly=monthly,
        contributors=contributors,
        projects=forecasts,
    )


def _yi(value: Decimal) -> str:
    return f"{(value / 10000).quantize(Decimal('0.01'))}"


def _pct(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.1'))}"


__all__ = [
    "Contributor",
    "DistrictForecast",
    "ProjectForecast",
    "ProjectInput",
    "district_forecast",
    "project_forecast",
]
