"""Reads of the value-added module: the rate table and its history, the inputs of an estimate (enterprise
revenue for a year with GB/T codes and memberships, the official GDP and official figures) and the estimates
made, scoped to the industries the user may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, QuerySet, Sum

from chanye.economy import estimate
from chanye.economy.models import EstimateRun, ValueAddedRate, ValueAddedRateRevision
from chanye.economy.sets import SHARES
from chanye.indicators.models import Basis, Level, Observation


def rate_list() -> QuerySet[ValueAddedRate]:
    return ValueAddedRate.objects.select_related("updated_by").order_by("division")


def rate_get(*, division: str) -> ValueAddedRate | None:
    return rate_list().filter(division=division).first()


def rate_history(*, row: ValueAddedRate) -> QuerySet[ValueAddedRateRevision]:
    return row.revisions.select_related("set_by", "replaced_by").order_by("-version")


def rate_map() -> dict[str, estimate.Rate]:
    return {
        division: estimate.Rate(rate, margin)
        for division, rate, margin in ValueAddedRate.objects.values_list("division", "rate", "margin_rate")
    }


@dataclass
class Revenue:
    """The enterprises with revenue in a year and how much of the year the figures cover."""

    firms: list[estimate.Firm]
    months: int  # the last month of the year any figure reaches (12: the whole year)
    synthetic: bool


def _revenue_rows(year: int):
    return Observation.objects.filter(
        indicator__code="revenue",
        level=Level.ENTERPRISE,
        period__gte=date(year, 1, 1),
        period__lte=date(year, 12, 31),
    )


def revenue_of(*, year: int, system=None) -> Revenue:
    """Each enterprise's revenue for the year (万元; its year figure, or the sum of its months or quarters),
    its GB/T code and the active industries of `system` it belongs to. One GROUP BY and one membership read."""
    from chanye.enterprises.models import Membership

    rows = _revenue_rows(year)
    periods: dict[int, dict[str, tuple[Decimal, int]]] = defaultdict(dict)
    codes: dict[int, str] = {}
    for row in rows.values("enterprise_id", "enterprise__gbt_code", "frequency").annotate(
        total=Sum("value"), n=Count("id")
    ):
        periods[row["enterprise_id"]][row["frequency"]] = (Decimal(row["total"]), row["n"])
        codes[row["enterprise_id"]] = row["enterprise__gbt_code"] or ""
    industries: dict[int, list[int]] = defaultdict(list)
    if system is not None and codes:
        for enterprise_id, industry_id in Membership.objects.filter(
            industry__system=system, industry__active=True, enterprise_id__in=rows.values("enterprise_id")
        ).values_list("enterprise_id", "industry_id"):
            industries[enterprise_id].append(industry_id)
    firms = []
    for enterprise_id, found in sorted(periods.items()):
        revenue, _months = estimate.annual_revenue(found)
        firms.append(
            estimate.Firm(enterprise_id, codes[enterprise_id], revenue, tuple(industries[enterprise_id]))
        )
    return Revenue(firms, revenue_reach(year=year), rows.filter(synthetic=True).exists())


def revenue_reach(*, year: int) -> int:
    """The last month of the year the enterprise revenue figures reach (12: the whole year; 0: none)."""
    months = 0
    for frequency, last in (
        _revenue_rows(year).values("frequency").annotate(last=Max("period")).values_list("frequency", "last")
    ):
        months = max(months, last.month + {"month": 0, "quarter": 2, "year": 11}[frequency])
    return months


def revenue_years() -> list[int]:
    """The years with enterprise revenue figures, newest first."""
    dates = Observation.objects.filter(indicator__code="revenue", level=Level.ENTERPRISE).dates(
        "period", "year", order="DESC"
    )
    return [day.year for day in dates]


@dataclass
class Official:
    """The official figures of a year: GDP (亿元) and whether it is preliminary; official value added by
    industry and for the district; official shares."""

    gdp: Decimal | None
    gdp_preliminary: bool
    gdp_how: str
    industries: dict[int, Decimal]
    district: Decimal | None
    shares: dict[str, Decimal]
    protected: set[tuple[str, int | None]]  # (indicator, industry) keys not to overwrite: not estimates


def official_of(*, year: int) -> Official:
    """GDP with basis official: the year's own figure, or the sum of its four official quarters."""
    start = date(year, 1, 1)
    gdp_rows = list(
        Observation.objects.filter(
            indicator__code="gdp",
            level=Level.DISTRICT,
            basis=Basis.OFFICIAL,
            period__gte=start,
            period__lte=date(year, 12, 31),
        ).values_list("frequency", "value", "status")
    )
    gdp, preliminary, how = None, False, ""
    yearly = [(value, status) for frequency, value, status in gdp_rows if frequency == "year"]
    quarters = [(value, status) for frequency, value, status in gdp_rows if frequency == "quarter"]
    if yearly:
        gdp, preliminary, how = yearly[0][0], yearly[0][1] == "preliminary", "年度数"
    elif len(quarters) == 4:
        gdp = sum((value for value, _status in quarters), Decimal(0))
        preliminary = any(status == "preliminary" for _value, status in quarters)
        how = "4 个季度之和"
    codes = ["value_added", *(code for code, _name in SHARES)]
    industries: dict[int, Decimal] = {}
    shares: dict[str, Decimal] = {}
    district = None
    protected: set[tuple[str, int | None]] = set()
    for code, level, industry_id, value, basis in Observation.objects.filter(
        indicator__code__in=codes,
        level__in=[Level.DISTRICT, Level.INDUSTRY],
        frequency="year",
        period=start,
    ).values_list("indicator__code", "level", "industry_id", "value", "basis"):
        if basis == Basis.ESTIMATED:
            continue
        protected.add((code, industry_id))
        if basis != Basis.OFFICIAL:
            continue
        if code == "value_added" and level == Level.INDUSTRY:
            industries[industry_id] = value
        elif code == "value_added":
            district = value
        else:
            shares[code] = value
    return Official(gdp, preliminary, how, industries, district, shares, protected)


def run_list() -> QuerySet[EstimateRun]:
    return EstimateRun.objects.select_related("run_by")


def latest_runs() -> list[EstimateRun]:
    """The latest estimate of each year, newest year first."""
    latest: dict[int, EstimateRun] = {}
    for run in run_list().order_by("-year", "-run_at", "-id"):
        latest.setdefault(run.year, run)
    return list(latest.values())


def latest_run(*, year: int) -> EstimateRun | None:
    return run_list().filter(year=year).order_by("-run_at", "-id").first()


def figures_for(*, user, run: EstimateRun) -> dict:
    """A run's figures as this user may see them: the industries outside the user's scope left out."""
    from chanye.indicators.selectors import industries_in_scope

    figures = dict(run.figures)
    if user is not None:
        visible = set(industries_in_scope(user=user).values_list("pk", flat=True))
        figures["industries"] = [row for row in figures.get("industries", []) if row["id"] in visible]
    return figures
