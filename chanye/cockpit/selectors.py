"""Reads of the district overview (领导驾驶舱): one function per widget, each returning plain data — the
numbers, their labels and the link to the rows behind each — for the widget's fragment and its JSON.

Every read goes through the user's scope and through the indicator, target and project selectors (never a
GROUP BY of its own over enterprise figures), so the rollups and speed-ups of those modules reach the cockpit.
Money is shown in 亿元: district figures are stored in 亿元, enterprise and project figures in 万元.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.utils import timezone

from chanye.indicators import selectors as indicators
from chanye.indicators.models import Indicator, Level, Observation
from chanye.targets import selectors as targets
from chanye.targets.models import Target
from chanye.targets.yearly import period_end

WAN_PER_YI = Decimal(10000)
SHARES = ("secondary_share", "digital_core_share", "sei_share")
AT_RISK = ("预警", "滞后")
STATUS_CLASS = targets.STATUS_CLASS
LIGHTS = (("red", "红灯"), ("yellow", "黄灯"), ("green", "绿灯"), ("grey", "未亮灯"))
CLUSTER_FROM_REVENUE = "营业收入合计（集群规模口径未定前按成员企业营业收入合计推算）"


def default_month(*, user) -> date:
    """The latest month with district figures behind a visible target (never later than this month)."""
    return targets.latest_month(user=user)


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def _number(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _yi(wan) -> float:
    return round(float(Decimal(wan) / WAN_PER_YI), 2)


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _district(user, indicator: Indicator | None, frequency: str, end: date) -> list[Observation]:
    """The indicator's stored district figures at `frequency` up to `end`, oldest first."""
    if indicator is None:
        return []
    rows = indicators.series(user=user, indicator=indicator, level=Level.DISTRICT, frequency=frequency)
    return [row for row in rows if row.period <= end]


def outlooks(*, user, as_of: date, chosen: list[Target] | None = None) -> list[targets.TargetStatus]:
    """`targets.selectors.target_outlooks` (one read of the figures for all the targets; each forecast is
    kept in the cache under its inputs, so the widgets and every wall refresh fit a model once)."""
    return targets.target_outlooks(user=user, as_of=as_of, targets=chosen)


def _target_url(target: Target, as_of: date) -> str:
    """The target's chart on the targets page (its anchor)."""
    return f"/targets/?as_of={month_label(as_of)}#target-chart-{target.pk}"


def _district_target(user, code: str, year: int) -> Target | None:
    return (
        targets.target_list(user=user)
        .filter(indicator__code=code, industry__isnull=True, year=year)
        .order_by("-id")
        .first()
    )


# ---------------------------------------------------------------------------------------------- GDP


def gdp(*, user, as_of: date) -> dict:
    """The district GDP by year with its growth, this year's quarters to date and the year's target."""
    end = targets.as_of_end(as_of)
    indicator = indicators.indicator_get(user=user, code="gdp")
    growth_indicator = indicators.indicator_get(user=user, code="gdp_growth")
    years = _district(user, indicator, "year", end)
    growth = _district(user, growth_indicator, "year", end)
    quarters = _district(user, indicator, "quarter", end)
    growth_quarters = _district(user, growth_indicator, "quarter", end)
    rate = {row.period.year: _number(row.value) for row in growth}
    series = [
        {
            "year": row.period.year,
            "value": _number(row.value),
            "growth": rate.get(row.period.year),
            "preliminary": row.status == "preliminary",
        }
        for row in years[-6:]
    ]
    this_year = [row for row in quarters if row.period.year == as_of.year]
    ytd = None
    if this_year and not any(row["year"] == as_of.year for row in series):
        latest = this_year[-1]
        quarter_growth = {row.period: _number(row.value) for row in growth_quarters}
        quarter = (latest.period.month - 1) // 3 + 1
        ytd = {
            "year": as_of.year,
            "label": f"{as_of.year} 年 1–{quarter} 季度" if quarter > 1 else f"{as_of.year} 年 1 季度",
            "value": _number(sum((row.value for row in this_year), Decimal(0))),
            "growth": quarter_growth.get(latest.period),
        }
    target = _district_target(user, "gdp", as_of.year)
    latest_year = series[-1] if series else None
    return {
        "as_of": month_label(as_of),
        "unit": indicator.unit if indicator else "亿元",
        "years": series,
        "latest": latest_year,
        "ytd": ytd,
        "target": {"year": target.year, "value": _number(target.value), "url": _target_url(target, as_of)}
        if target
        else None,
        "url": "/indicators/gdp/?level=district",
        "growth_url": "/indicators/gdp_growth/?level=district",
    }


# ---------------------------------------------------------------------------------------------- FAI


def fai(*, user, as_of: date) -> dict:
    """Cumulative fixed-asset investment month by month this year against last year and the target (the target
    spread over the months by last year's pace), with the key projects' plan, actual and forecast."""
    year, end = as_of.year, targets.as_of_end(as_of)
    indicator = indicators.indicator_get(user=user, code="fai")
    months = _district(user, indicator, "month", end)
    by_month: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in months:
        if row.period.year in (year - 1, year):
            by_month[row.period.year][row.period.month] = row.value

    def cumulative(values: dict[int, Decimal], last: int) -> list[float | None]:
        running, out = Decimal(0), list[float | None]()
        for month in range(1, 13):
            if month > last or month not in values:
                out.append(None)
                continue
            running += values[month]
            out.append(_number(running))
        return out

    this = cumulative(by_month[year], as_of.month)
    before = cumulative(by_month[year - 1], 12)
    target = _district_target(user, "fai", year)
    pace: list[float | None] = [None] * 12
    status = None
    if target is not None:
        if before[-1]:
            pace = [round(float(target.value) * v / before[-1], 2) if v is not None else None for v in before]
        item = outlooks(user=user, as_of=as_of, chosen=[target])[0]
        o = item.outlook
        status = {
            "status": o.status.value,
            "css": STATUS_CLASS[o.status.value],
            "sentence": o.sentence,
            "probability": o.probability,
            "forecast": o.forecast,
            "interval80": list(o.intervals.get(80, ())) or None,
        }
    projects = None
    if user.can("projects.view"):
        from chanye.projects import selectors as project_selectors

        result, _target = project_selectors.fai_forecast(user=user, year=year, as_of=as_of.month)
        if result.projects:
            projects = {
                "count": len(result.projects),
                "planned": [_yi(p.planned) for p in result.monthly],
                "actual": [_yi(p.actual) if p.actual is not None else None for p in result.monthly],
                "forecast": [_yi(p.forecast) if p.month >= as_of.month else None for p in result.monthly],
                "planned_year": _yi(result.planned_year),
                "actual_to_date": _yi(result.actual_to_date),
                "forecast_year": _yi(result.forecast_year),
                "url": f"/projects/forecast/?month={month_label(as_of)}",
            }
    done = [v for v in this if v is not None]
    return {
        "as_of": month_label(as_of),
        "year": year,
        "month": as_of.month,
        "unit": indicator.unit if indicator else "亿元",
        "months": [f"{m}月" for m in range(1, 13)],
        "actual": this,
        "last_year": before,
        "pace": pace,
        "to_date": done[-1] if done else None,
        "pace_to_date": pace[len(done) - 1] if done and pace[len(done) - 1] is not None else None,
        "target": {
            "year": year,
            "value": _number(target.value),
            "comparator": target.get_comparator_display(),
            "url": _target_url(target, as_of),
        }
        if target
        else None,
        "outlook": status,
        "projects": projects,
        "url": "/indicators/fai/?level=district",
    }


# ---------------------------------------------------------------------------------------------- structure


def structure(*, user, as_of: date) -> dict:
    """The system's industries by category, each sized by its latest cluster scale (亿元) up to `as_of`, or,
    without one, by its member enterprises' revenue over the 12 months to the latest month with figures."""
    from chanye.enterprises.services import current_system
    from chanye.industries.models import Category

    end = targets.as_of_end(as_of)
    industries = list(indicators.industries_in_scope(user=user))
    ids = [industry.pk for industry in industries]
    scale: dict[int, tuple[date, Decimal]] = {}
    scale_indicator = indicators.indicator_get(user=user, code="cluster_scale")
    if scale_indicator is not None and ids:
        for industry_id, period, frequency, value in (
            indicators.observation_list(user=user)
            .filter(indicator=scale_indicator, level=Level.INDUSTRY, industry_id__in=ids, period__lte=end)
            .order_by("industry_id", "period")
            .values_list("industry_id", "period", "frequency", "value")
        ):
            if period_end(period, frequency) <= end:  # a year's figure is known once the year is over
                scale[industry_id] = (period, value)
    revenue: dict[int, Decimal] = defaultdict(Decimal)
    firms: dict[int, int] = {}
    window = None
    revenue_indicator = indicators.indicator_get(user=user, code="revenue")
    missing = [pk for pk in ids if pk not in scale]
    if revenue_indicator is not None and missing:
        latest = indicators.latest_enterprise_period(
            user=user, indicator=revenue_indicator, frequency="month"
        )
        if latest is not None:
            last = min(latest, as_of)
            start = _add_months(last, -11)
            window = f"{month_label(start)} 至 {month_label(last)}"
            for row in indicators.aggregate_by_industry(
                user=user,
                indicator=revenue_indicator,
                frequency="month",
                start=start,
                end=last,
                industries=missing,
            ):
                if row.industry_id is None:
                    continue
                revenue[row.industry_id] += row.total
                if row.period == last:
                    firms[row.industry_id] = row.firms
    groups: dict[str, list[dict]] = {value: [] for value in Category.values}
    for industry in industries:
        if industry.pk in scale:
            period, value = scale[industry.pk]
            size, basis = _number(value), f"{period.year} 年集群规模"
            rows_url = f"/indicators/cluster_scale/?level=industry&industry={industry.code}"
        else:
            size, basis = _yi(revenue.get(industry.pk, 0)), "近 12 个月营业收入合计"
            rows_url = f"/indicators/revenue/?level=industry&industry={industry.code}"
        groups.setdefault(industry.category, []).append(
            {
                "code": industry.code,
                "name": industry.name,
                "value": size or 0,
                "basis": basis,
                "firms": firms.get(industry.pk),
                "url": f"/enterprises/?industry={industry.code}",
                "rows_url": rows_url,
            }
        )
    system = current_system()
    tree = [
        {
            "name": str(Category(category).label),
            "category": category,
            "value": round(sum(item["value"] for item in items), 2),
            "children": items,
        }
        for category, items in groups.items()
        if items
    ]
    return {
        "as_of": month_label(as_of),
        "system": system.name if system else "",
        "unit": "亿元",
        "tree": tree,
        "window": window,
        "empty": [item["name"] for group in tree for item in group["children"] if not item["value"]],
        "total": round(sum(group["value"] for group in tree), 2),
    }


# ---------------------------------------------------------------------------------------------- paths


def _latest_per_scope(found: list[Target]) -> list[Target]:
    """One target per scope and indicator: the farthest year (the 2035 goal rather than a 2030 milestone)."""
    chosen: dict[tuple[int | None, int], Target] = {}
    for target in found:
        key = (target.industry_id, target.indicator_id)
        if key not in chosen or target.year > chosen[key].year:
            chosen[key] = target
    return list(chosen.values())


def _revenue_series(user, chosen: list[Target], as_of: date) -> dict[int, targets.Series]:
    """Yearly revenue of each target's industry (亿元, whole years summed from months), for clusters without
    figures of their own: the catalogue's interim definition of a cluster's scale."""
    from chanye.targets import outlook, yearly

    revenue = indicators.indicator_get(user=user, code="revenue")
    if revenue is None or not chosen:
        return {}
    end = targets.as_of_end(as_of)
    rows: dict[int, list[yearly.Row]] = defaultdict(list)
    for row in indicators.aggregate_by_industry(
        user=user,
        indicator=revenue,
        frequency="month",
        start=date(as_of.year - 10, 1, 1),
        end=end,
        industries=[target.industry_id for target in chosen if target.industry_id],
    ):
        if row.industry_id is not None:
            rows[row.industry_id].append(yearly.Row(row.period, "month", float(row.total / WAN_PER_YI)))
    result = {}
    for target in chosen:
        if target.industry_id is None or not rows.get(target.industry_id):
            continue
        figures = yearly.yearly(rows[target.industry_id], "sum", as_of=end)
        if not figures.points:
            continue
        result[target.pk] = targets.Series(
            yearly=figures,
            subject=target.scope_label,
            level=Level.INDUSTRY,
            computed=True,
            stale=figures.latest_end is not None and outlook.is_stale(figures.latest_end, 1, end),
            latest_end=figures.latest_end,
            rule_text=yearly.RULE_TEXT["sum"],
        )
    return result


def cluster_paths(*, user, as_of: date) -> dict:
    """Each cluster's path to its target (2035): yearly figures, the target line and the forecast fan with its
    80% and 95% bands, status and sentence. A cluster without scale figures is read from its enterprises'
    revenue, and says so."""
    from chanye.targets.views import chart_of

    found = _latest_per_scope(
        list(targets.target_list(user=user).filter(indicator__code="cluster_scale", industry__isnull=False))
    )
    items = outlooks(user=user, as_of=as_of, chosen=found)
    fallback = _revenue_series(user, [i.target for i in items if not i.series.yearly.points], as_of)
    charts: list[dict] = []
    for item in items:
        industry = item.target.industry
        assert industry is not None  # chosen above: industry targets only
        basis, url = "集群规模", item.indicator_url
        if item.target.pk in fallback:
            series = fallback[item.target.pk]
            item = targets.TargetStatus(
                item.target, series, targets.target_outlook(item.target, series, as_of)
            )
            basis = CLUSTER_FROM_REVENUE
            url = f"/indicators/revenue/?level=industry&industry={industry.code}"
        o = item.outlook
        chart = chart_of(item) if item.series.yearly.points else None
        if chart is not None:
            chart["url"] = url
        charts.append(
            {
                "id": item.target.pk,
                "code": industry.code,
                "name": industry.name,
                "goal": f"{item.target.year} 年{item.target.get_comparator_display()} "
                f"{_number(item.target.value):g} {item.target.unit}",
                "status": o.status.value,
                "css": STATUS_CLASS[o.status.value],
                "sentence": o.sentence,
                "probability": o.probability,
                "latest": o.latest,
                "latest_year": o.latest_year,
                "basis": basis,
                "stale": item.series.stale,
                "url": url,
                "target_url": _target_url(item.target, as_of),
                "chart": chart,
            }
        )
    charts.sort(key=lambda c: (-(c["chart"] or {}).get("target", 0), c["code"]))
    return {"as_of": month_label(as_of), "unit": "亿元", "clusters": charts}


# ---------------------------------------------------------------------------------------------- gauges


def share_gauges(*, user, as_of: date) -> dict:
    """The three GDP shares (secondary industry, digital-economy core, strategic emerging) against their
    targets, each with the status of its target outlook."""
    found = _latest_per_scope(
        list(targets.target_list(user=user).filter(indicator__code__in=SHARES, industry__isnull=True))
    )
    items = {item.target.indicator.code: item for item in outlooks(user=user, as_of=as_of, chosen=found)}
    gauges = []
    for code in SHARES:
        item = items.get(code)
        if item is None:
            continue
        target, o = item.target, item.outlook
        goal = float(target.value)
        gauges.append(
            {
                "code": code,
                "name": target.indicator.name,
                "value": o.latest,
                "year": o.latest_year,
                "target": goal,
                "target_year": target.year,
                "max": max(5.0, float(int((max(goal, o.latest or 0) * 1.5 + 4.999) // 5 * 5))),
                "status": o.status.value,
                "css": STATUS_CLASS[o.status.value],
                "sentence": o.sentence,
                "probability": o.probability,
                "forecast": o.forecast,
                "stale": item.series.stale,
                "url": _target_url(target, as_of),
                "rows_url": item.indicator_url,
            }
        )
    return {"as_of": month_label(as_of), "gauges": gauges}


# ---------------------------------------------------------------------------------------------- lights


def project_light_counts(*, user, as_of: date) -> dict:
    """How many of the user's key projects show each light at the end of the as-of month."""
    found = _lights(user, as_of)
    counts = {colour: 0 for colour, _label in LIGHTS}
    for _project, light in found:
        counts[light.colour] = counts.get(light.colour, 0) + 1
    return {
        "as_of": month_label(as_of),
        "total": len(found),
        "lights": [
            {
                "colour": colour,
                "label": label,
                "count": counts[colour],
                "url": f"/projects/lights/?colour={colour}&month={month_label(as_of)}",
            }
            for colour, label in LIGHTS
        ],
    }


# ---------------------------------------------------------------------------------------------- alerts


def alerts(*, user, as_of: date, limit: int = 8) -> dict:
    """What needs a leader's attention: targets at risk (预警 / 滞后), figures not updated in time, red key
    projects and overdue cases — each with a link to its object, the most pressing first."""
    from chanye.casework.models import ACTIVE, Case

    items = outlooks(user=user, as_of=as_of)
    at_risk = [item for item in items if item.outlook.status.value in AT_RISK]
    at_risk.sort(key=lambda item: (item.outlook.status.value != "滞后", item.outlook.probability or 0))
    stale = [item for item in items if item.series.stale]
    red = [(project, light) for project, light in _lights(user, as_of) if light.colour == "red"]
    today = timezone.localdate()
    overdue = (
        Case.objects.visible_to(user)
        .filter(status__in=ACTIVE, deadline__lt=today)
        .select_related("department")
        .order_by("deadline", "id")
        if user.can("cases.view")
        else Case.objects.none()
    )
    overdue_count = overdue.count()

    def target_row(item) -> dict:
        o = item.outlook
        return {
            "title": f"{item.series.subject} · {item.target.indicator.name}",
            "status": o.status.value,
            "css": STATUS_CLASS[o.status.value],
            "text": o.sentence,
            "url": _target_url(item.target, as_of),
        }

    return {
        "as_of": month_label(as_of),
        "counts": {
            "targets": len(at_risk),
            "stale": len(stale),
            "red_projects": len(red),
            "overdue_cases": overdue_count,
        },
        "red_url": f"/projects/lights/?colour=red&month={month_label(as_of)}",
        "targets": [target_row(item) for item in at_risk[:limit]],
        "stale": [
            {
                "title": f"{item.series.subject} · {item.target.indicator.name}",
                "text": f"最新数据截至 {item.series.latest_end:%Y-%m-%d}，超过更新周期未更新",
                "url": item.indicator_url,
            }
            for item in stale[:limit]
            if item.series.latest_end is not None
        ],
        "red_projects": [
            {
                "title": f"{project.code} {project.name}",
                "text": light.sentence,
                "url": f"/projects/{project.code}/",
            }
            for project, light in red[:limit]
        ],
        "overdue_cases": [
            {
                "title": f"#{case.pk} {case.title}",
                "text": f"办结期限 {case.deadline:%Y-%m-%d}，已超期 {(today - case.deadline).days} 天"
                + (f" · {case.department.name}" if case.department else " · 待分派"),
                "url": f"/cases/{case.pk}/",
            }
            for case in overdue[:limit]
        ],
    }


def _lights(user, as_of: date) -> list:
    """Each visible key project with its light at the end of `as_of` (none without the projects permission)."""
    from chanye.projects import selectors as project_selectors

    return project_selectors.project_lights(user=user, period=as_of) if user.can("projects.view") else []
