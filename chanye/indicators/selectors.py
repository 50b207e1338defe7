"""Reads of the indicator module, always through the user's scope.

Counting rule for figures built from enterprise figures (营业收入, 税收, 从业人员, 研发投入, 产值): an
industry's figure is the sum over its member enterprises (memberships as the classification made them,
hand decisions included), so an enterprise in two industries counts in both; the district figure is the sum
over enterprises, each once, so the industries together may add up to more than the district. Each is one
GROUP BY in the database over the rows the user may see, or, when the user sees every enterprise it adds
up, the same figure kept added up in `rollups` (identical; tests compare both).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum

from chanye.indicators import rollups
from chanye.indicators.models import Indicator, Level, Observation
from chanye.industries.models import Industry

COUNTING_RULE = (
    "产业数为该产业全部成员企业之和：企业同时属于两个产业的，在两个产业中各计一次；"
    "全区数按企业去重，每家企业只计一次，因此各产业之和可能大于全区数。"
    "不属于任何重点产业的企业只计入全区数。只汇总您数据范围内的企业。"
)


def indicator_list(*, user) -> QuerySet[Indicator]:
    """The catalogue as this user may see it, each with its latest district figure at its own frequency."""
    latest = Observation.objects.filter(
        indicator=OuterRef("pk"), level=Level.DISTRICT, frequency=OuterRef("frequency")
    ).order_by("-period")
    return (
        Indicator.objects.visible_to(user)
        .select_related("owner")
        .annotate(
            latest_period=Subquery(latest.values("period")[:1]),
            latest_value=Subquery(latest.values("value")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
        )
    )


def indicator_get(*, user, code: str) -> Indicator | None:
    return Indicator.objects.visible_to(user).select_related("owner").filter(code=code).first()


def observation_list(*, user) -> QuerySet[Observation]:
    return Observation.objects.visible_to(user).select_related("indicator", "industry", "enterprise")


def industries_in_scope(*, user) -> QuerySet[Industry]:
    """The current system's active industries this user may see."""
    from chanye.enterprises.services import current_system

    return Industry.objects.visible_to(user).filter(system=current_system(), active=True).order_by("position")


def series(
    *,
    user,
    indicator: Indicator,
    level: str,
    frequency: str,
    industry: Industry | None = None,
    enterprise=None,
) -> list[Observation]:
    """The stored figures of one subject, oldest first, with their revision counts."""
    queryset = observation_list(user=user).filter(indicator=indicator, level=level, frequency=frequency)
    if level == Level.INDUSTRY:
        queryset = queryset.filter(industry=industry)
    elif level == Level.ENTERPRISE:
        queryset = queryset.filter(enterprise=enterprise)
    return list(queryset.annotate(revision_count=Count("revisions")).order_by("period"))


@dataclass
class Aggregate:
    period: date
    total: Decimal
    firms: int
    industry_id: int | None = None


def _enterprise_rows(*, user, indicator: Indicator, frequency: str, start: date | None, end: date | None):
    rows = Observation.objects.visible_to(user).filter(
        indicator=indicator, level=Level.ENTERPRISE, frequency=frequency
    )
    if start is not None:
        rows = rows.filter(period__gte=start)
    if end is not None:
        rows = rows.filter(period__lte=end)
    return rows


def aggregate_by_industry(
    *,
    user,
    indicator: Indicator,
    frequency: str,
    start: date | None = None,
    end: date | None = None,
    industries: list[int] | None = None,
) -> list[Aggregate]:
    """Industry figures from enterprise figures through the memberships (an enterprise in two industries
    counts in both), per industry and period, over the industries and enterprises in the user's scope: from
    the rollups for the industries whose every member the user sees, added up live for the others."""
    if not indicator.additive:
        return []
    visible = industries_in_scope(user=user)
    if industries is not None:
        visible = visible.filter(pk__in=industries)
    wanted = list(visible.values_list("pk", flat=True))
    ready = rollups.industries_ready(user=user, industry_ids=wanted)
    found = [
        Aggregate(f.period, f.total, f.firms, f.industry_id)
        for f in (
            rollups.industry_figures(
                indicator=indicator, frequency=frequency, industry_ids=ready, start=start, end=end
            )
            if ready
            else []
        )
    ]
    live = [pk for pk in wanted if pk not in ready]
    if live:
        found += _live_by_industry(
            user=user, indicator=indicator, frequency=frequency, start=start, end=end, industries=live
        )
    return sorted(found, key=lambda row: (row.industry_id or 0, row.period))


def _live_by_industry(
    *, user, indicator: Indicator, frequency: str, start: date | None, end: date | None, industries: list[int]
) -> list[Aggregate]:
    """The same figures added up now: one GROUP BY over the enterprise figures the user may see."""
    rows = (
        _enterprise_rows(user=user, indicator=indicator, frequency=frequency, start=start, end=end)
        .filter(enterprise__memberships__industry__in=industries)
        .values("period", industry_key=F("enterprise__memberships__industry"))
        .annotate(total=Sum("value"), firms=Count("enterprise_id"))
        .order_by("industry_key", "period")
    )
    return [
        Aggregate(
            row["period"], Decimal(row["total"]).quantize(Decimal("0.01")), row["firms"], row["industry_key"]
        )
        for row in rows
    ]


def aggregate_district(
    *, user, indicator: Indicator, frequency: str, start: date | None = None, end: date | None = None
) -> list[Aggregate]:
    """The district figure from enterprise figures, per period: every enterprise in scope once (from the
    rollups when the user sees every enterprise)."""
    if not indicator.additive:
        return []
    if rollups.district_ready(user=user):
        return [
            Aggregate(f.period, f.total, f.firms)
            for f in rollups.district_figures(indicator=indicator, frequency=frequency, start=start, end=end)
        ]
    return _live_district(user=user, indicator=indicator, frequency=frequency, start=start, end=end)


def _live_district(
    *, user, indicator: Indicator, frequency: str, start: date | None, end: date | None
) -> list[Aggregate]:
    rows = (
        _enterprise_rows(user=user, indicator=indicator, frequency=frequency, start=start, end=end)
        .values("period")
        .annotate(total=Sum("value"), firms=Count("enterprise_id"))
        .order_by("period")
    )
    return [
        Aggregate(row["period"], Decimal(row["total"]).quantize(Decimal("0.01")), row["firms"])
        for row in rows
    ]


def rows_behind(
    *,
    user,
    indicator: Indicator,
    frequency: str,
    period: date,
    industry: Industry | None = None,
    limit: int = 100,
) -> tuple[QuerySet[Observation], int]:
    """The enterprise figures a computed figure adds up (largest first, at most `limit`), and how many."""
    rows = _enterprise_rows(user=user, indicator=indicator, frequency=frequency, start=period, end=period)
    if industry is not None:
        rows = rows.filter(enterprise__memberships__industry=industry)
    return rows.select_related("enterprise").order_by("-value", "enterprise_id")[:limit], rows.count()


def latest_enterprise_period(*, user, indicator: Indicator, frequency: str) -> date | None:
    if rollups.district_ready(user=user):
        return rollups.latest_period(indicator=indicator, frequency=frequency)
    return (
        Observation.objects.visible_to(user)
        .filter(indicator=indicator, level=Level.ENTERPRISE, frequency=frequency)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def revisions_of(*, observations: list[Observation]):
    """The earlier values of these observations, newest first."""
    from chanye.indicators.models import ObservationRevision

    return (
        ObservationRevision.objects.filter(observation__in=[o.pk for o in observations])
        .select_related("observation", "recorded_by", "replaced_by")
        .order_by("-replaced_at", "-id")
    )
