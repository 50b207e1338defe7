"""The district's key-project figures behind its targets, derived from the project library and recorded as
district observations of the indicator module: 重点项目数 (key_projects), 重点项目总投资 (key_project_investment,
亿元) and 专项债券资金 (special_bonds, 亿元) of a year.

A year's list (年度重点项目) is the projects with an annual plan that year; in the library's latest plan year it
also holds the projects still in reserve (储备一批), since a project's stage says where it stands now, not where
it stood in earlier years. Special bonds are the batches issued that year. The figures are recorded with basis
"reported" and source "projects/YYYY" (marked synthetic when any synthetic project contributes), after project
imports and on `chanye projects figures [--year YYYY]`; recording again revises them, keeping the history.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.indicators.models import Basis, Indicator, Level, SourceType, Status
from chanye.indicators.services import Item, observations_write
from chanye.projects.models import AnnualPlan, Bond, Project, Stage

INDICATORS = ("key_projects", "key_project_investment", "special_bonds")
TEN_THOUSAND = Decimal(10000)  # 万元 → 亿元
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class YearFigures:
    """One year's key-project figures, money in 亿元."""

    year: int
    projects: int
    investment: Decimal
    bonds: Decimal
    synthetic: bool

    def values(self) -> dict[str, Decimal]:
        return {
            "key_projects": Decimal(self.projects),
            "key_project_investment": self.investment,
            "special_bonds": self.bonds,
        }


def library_years() -> list[int]:
    """The years the library speaks about: those with annual plans or special bonds issued."""
    plans = set(AnnualPlan.objects.values_list("year", flat=True).distinct())
    bonds = {day.year for day in Bond.objects.values_list("issued_on", flat=True)}
    return sorted(plans | bonds)


def year_list(year: int) -> QuerySet[Project]:
    """The projects of the year's list (see the module's note on reserve projects)."""
    planned = Q(plans__year=year)
    latest = AnnualPlan.objects.order_by("-year").values_list("year", flat=True).first()
    if latest is not None and year == latest:
        planned |= Q(stage=Stage.RESERVE)
    return Project.objects.filter(pk__in=Project.objects.filter(planned).values("pk"))


def year_figures(year: int) -> YearFigures:
    """The year's count, total investment and special bonds, from the library as it stands."""
    projects = year_list(year)
    total = projects.aggregate(total=Sum("total_investment"))["total"] or Decimal(0)
    bonds = Bond.objects.filter(issued_on__year=year)
    bond_total = bonds.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    synthetic = projects.filter(synthetic=True).exists() or bonds.filter(project__synthetic=True).exists()
    return YearFigures(
        year=year,
        projects=projects.count(),
        investment=(total / TEN_THOUSAND).quantize(PLACES),
        bonds=(bond_total / TEN_THOUSAND).quantize(PLACES),
        synthetic=synthetic,
    )


@dataclass
class Recorded:
    figures: list[YearFigures]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: tuple[str, ...] = ()  # indicator codes the catalogue lacks (nothing recorded for them)


@transaction.atomic
def project_figures_record(*, years: list[int] | None = None, by=None, today: date | None = None) -> Recorded:
    """Record the key-project figures of `years` (every year the library speaks about when None) as district
    observations; a year in progress is preliminary, a past one final. ValidationError when refused."""
    from django.core.exceptions import ValidationError

    today = today or timezone.localdate()
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=INDICATORS)}
    chosen = sorted(set(years)) if years is not None else library_years()
    figures = [year_figures(year) for year in chosen]
    items = [
        Item(
            indicator=indicators[code],
            level=Level.DISTRICT,
            period=date(found.year, 1, 1),
            frequency="year",
            value=value,
            status=Status.PRELIMINARY if found.year >= today.year else Status.FINAL,
            basis=Basis.REPORTED,
            note=f"由重点项目库计算（{found.year} 年：{found.projects} 个项目）",
            synthetic=found.synthetic,
        )
        for found in figures
        for code, value in found.values().items()
        if code in indicators
    ]
    result = Recorded(figures, missing=tuple(code for code in INDICATORS if code not in indicators))
    for found in figures:
        year_items = [item for item in items if item.period.year == found.year]
        counts = observations_write(
            items=year_items,
            by=by,
            source_type=SourceType.MANUAL,
            source_ref=f"projects/{found.year}",
            reason="重点项目库更新后重新计算",
        )
        if counts.refused:
            raise ValidationError({"year": [f"{found.year} 年：{counts.refused[0][1]}"]})
        result.created += counts.created
        result.updated += counts.updated
        result.unchanged += counts.unchanged
    if result.created or result.updated:
        audit_record(
            actor=by,
            action="project_figures.record",
            object_type="indicators.observation",
            after={
                str(found.year): {code: str(value) for code, value in found.values().items()}
                for found in figures
            },
        )
    return result
