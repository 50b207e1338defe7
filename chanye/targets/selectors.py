"""Reads of the targets module: the targets a user may see, the yearly series behind each (from the indicator
module's observations, by the rule in `chanye.targets.yearly`), whether it is stale, and its outlook."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import F, Q, QuerySet, Sum

from chanye.indicators.models import Level, Observation
from chanye.targets import outlook, yearly
from chanye.targets.models import Comparator, Target

MONTHS = {"month": 1, "quarter": 3, "year": 12}
STATUS_CLASS = {  # the colour of each status, wherever a status is shown
    "达标": "success",
    "正常": "primary",
    "预警": "warning",
    "滞后": "danger",
    "无数据": "secondary",
}
OUTLOOK_CACHE_SECONDS = 24 * 3600


def target_list(*, user, include_retired: bool = False) -> QuerySet[Target]:
    """The targets this user may see, the district's first, then by year and industry."""
    queryset = Target.objects.visible_to(user).select_related("indicator", "industry", "system")
    if not include_retired:
        queryset = queryset.filter(active=True)
    return queryset.order_by(
        "year", F("industry__position").asc(nulls_first=True), "indicator__position", "id"
    )


def target_get(*, user, pk: int) -> Target | None:
    return target_list(user=user, include_retired=True).filter(pk=pk).first()


@dataclass
class Series:
    """The yearly figures behind a target, how each year was taken, the year in progress and staleness."""

    yearly: yearly.Yearly
    subject: str  # "全区" or the industry's name
    level: str
    computed: bool  # added up from enterprise figures (no stored industry figures)
    stale: bool
    latest_end: date | None
    rule_text: str


@dataclass
class TargetStatus:
    target: Target
    series: Series
    outlook: outlook.Outlook

    @property
    def indicator_url(self) -> str:
        base = f"/indicators/{self.target.indicator.code}/"
        if self.target.industry is not None:
            return f"{base}?level=industry&industry={self.target.industry.code}"
        return f"{base}?level=district"


def as_of_end(month: date) -> date:
    """The last day of `month` (the --as-of month is taken whole)."""
    return yearly.period_end(date(month.year, month.month, 1), "month")


def latest_month(*, user) -> date:
    """The month of the latest district figure behind a visible target, or this month when there is none."""
    targets = Target.objects.filter(active=True) if user is None else target_list(user=user)
    indicators = targets.values("indicator_id")
    latest = (
        _observations(user)
        .filter(indicator__in=indicators, level=Level.DISTRICT)
        .values("period", "frequency")
        .order_by("-period")
    )
    ends = [yearly.period_end(row["period"], row["frequency"]) for row in latest[:20]]
    if not ends:
        today = date.today()
        return date(today.year, today.month, 1)
    end = min(max(ends), date.today())  # a figure dated ahead (a plan) does not move the as-of month
    return date(end.year, end.month, 1)


def target_series(*, user, target: Target, as_of: date) -> Series:
    return _series_for(user=user, targets=[target], as_of=as_of)[target.pk]


def target_outlooks(*, user, as_of: date, targets: list[Target] | None = None) -> list[TargetStatus]:
    """Every visible active target (or the given ones) with its series and outlook as seen at the end of the
    month `as_of`."""
    chosen = list(target_list(user=user)) if targets is None else targets
    series = _series_for(user=user, targets=chosen, as_of=as_of)
    return [TargetStatus(t, series[t.pk], target_outlook(t, series[t.pk], as_of)) for t in chosen]


def target_outlook(target: Target, series: Series, as_of: date) -> outlook.Outlook:
    comparator = target.comparator if target.comparator in Comparator.values else ">="
    spec = outlook.Target(
        value=float(target.value),
        year=target.year,
        comparator=comparator,  # type: ignore[arg-type]
        kind=target.kind,  # type: ignore[arg-type]
        unit=target.unit,
        tolerance=float(target.tolerance),
    )
    bands = outlook.Bands(on_track=float(target.band_on_track), warning=float(target.band_warning))
    # Fitting the model takes tens of milliseconds a target; its result depends only on these inputs, so it is
    # kept under a key made of them: a revised figure or an edited target is a new key, never a stale answer.
    inputs = (spec, bands, series.yearly.points, series.yearly.year_to_date, as_of.year)
    key = "target-outlook:" + hashlib.sha256(repr(inputs).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = outlook.assess(
            series.yearly.points,
            spec,
            as_of_year=as_of.year,
            bands=bands,
            year_to_date=series.yearly.year_to_date,
        )
        cache.set(key, found, OUTLOOK_CACHE_SECONDS)
    return found


def _series_for(*, user, targets: list[Target], as_of: date) -> dict[int, Series]:
    """The series of many targets from one read of the observations (district and industry level)."""
    end = as_of_end(as_of)
    indicator_ids = {t.indicator_id for t in targets}
    industry_ids = {t.industry_id for t in targets if t.industry_id}
    rows: dict[tuple[int, int | None], list[yearly.Row]] = defaultdict(list)
    subjects = Q(level=Level.DISTRICT)
    if industry_ids:
        subjects |= Q(level=Level.INDUSTRY, industry_id__in=industry_ids)
    for indicator_id, industry_id, period, frequency, value in (
        _observations(user)
        .filter(subjects, indicator_id__in=indicator_ids, period__lte=end)
        .values_list("indicator_id", "industry_id", "period", "frequency", "value")
    ):
        rows[(indicator_id, industry_id)].append(yearly.Row(period, frequency, float(value)))
    result: dict[int, Series] = {}
    for target in targets:
        found = rows.get((target.indicator_id, target.industry_id), [])
        computed = False
        if not found and target.industry_id and target.indicator.additive:
            found, computed = _from_enterprises(user=user, target=target, end=end), True
        figures = yearly.yearly(found, target.yearly_rule, as_of=end)  # type: ignore[arg-type]
        months = MONTHS.get(target.indicator.frequency, 12)
        # No figure at all reads as 无数据, not as stale: staleness is about figures that stopped coming.
        stale = figures.latest_end is not None and outlook.is_stale(figures.latest_end, months, end)
        result[target.pk] = Series(
            yearly=figures,
            subject=target.scope_label,
            level=Level.INDUSTRY if target.industry_id else Level.DISTRICT,
            computed=computed,
            stale=stale,
            latest_end=figures.latest_end,
            rule_text=yearly.RULE_TEXT[target.yearly_rule],
        )
    return result


def _from_enterprises(*, user, target: Target, end: date) -> list[yearly.Row]:
    """An industry's figures added up from its member enterprises' within the user's scope (the indicator
    module's counting rule: an enterprise in two industries counts in both), one GROUP BY."""
    rows = (
        _observations(user)
        .filter(
            indicator_id=target.indicator_id,
            level=Level.ENTERPRISE,
            period__lte=end,
            enterprise__memberships__industry=target.industry,
        )
        .values("period", "frequency")
        .annotate(total=Sum("value"))
        .order_by("period")
    )
    return [yearly.Row(row["period"], row["frequency"], float(row["total"])) for row in rows]


def _observations(user) -> QuerySet[Observation]:
    """Observations the user may see; every one for the command line (user None)."""
    return Observation.objects.all() if user is None else Observation.objects.visible_to(user)
