"""Writes of the indicator module: the catalogue loaded from its shipped file and the system definition,
and observations recorded one at a time or in bulk — the same rules either way: a figure belongs to a level
its indicator allows, a period starts where its frequency does, a final figure is not overwritten by a
preliminary one, and a revised figure keeps its earlier value in the history. Every write is audited."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.indicators import catalogue, periods, rollups
from chanye.indicators.models import (
    Basis,
    Indicator,
    Level,
    Observation,
    ObservationRevision,
    SourceType,
    Status,
)

PLACES = Decimal("0.0001")
_ORDER = {periods.MONTH: 0, periods.QUARTER: 1, periods.YEAR: 2}
CHUNK = 500


# The catalogue.


@transaction.atomic
def catalogue_load(*, by=None, text: str | None = None) -> int:
    """Add the shipped catalogue's indicators that are missing, then those the loaded system definition
    declares and the catalogue lacks. Existing indicators are left as they are. Returns how many were added."""
    from chanye.organizations.models import Department

    departments = dict(Department.objects.values_list("code", "id"))
    existing = set(Indicator.objects.values_list("code", flat=True))
    added: list[Indicator] = []
    for entry in catalogue.read(text):
        if entry.code in existing:
            continue
        added.append(
            Indicator(
                code=entry.code,
                name=entry.name,
                definition=entry.definition,
                unit=entry.unit,
                frequency=entry.frequency,
                direction=entry.direction,
                source=entry.source,
                owner_id=departments.get(entry.owner),
                confidentiality=entry.confidentiality,
                levels=list(entry.levels),
                additive=entry.additive,
                position=entry.position,
                builtin=True,
            )
        )
        existing.add(entry.code)
    for item in _definition_indicators():
        if item.get("code") in existing:
            continue
        added.append(
            Indicator(
                code=item["code"],
                name=item.get("name", item["code"]),
                definition=item.get("description", ""),
                unit=item.get("unit", ""),
                frequency=periods.YEAR,
                direction=item.get("direction", "higher"),
                source="体系定义",
                confidentiality="internal",
                levels=[Level.DISTRICT],
                position=900,
            )
        )
        existing.add(item["code"])
    for indicator in added:
        indicator.full_clean()
    Indicator.objects.bulk_create(added)
    if added:
        audit_record(
            actor=by,
            action="indicator.catalogue_load",
            object_type="indicators.indicator",
            after={"added": [i.code for i in added]},
        )
    return len(added)


def _definition_indicators() -> list[dict]:
    from chanye.enterprises.services import current_system

    system = current_system()
    if system is None or system.current_version is None:
        return []
    return list(system.current_version.definition.get("indicators", []))


# Observations.


@dataclass
class Item:
    """One figure to record."""

    indicator: Indicator
    level: str
    period: date
    frequency: str
    value: Decimal
    industry_id: int | None = None
    enterprise_id: int | None = None
    status: str = Status.FINAL
    basis: str = Basis.OFFICIAL
    note: str = ""
    synthetic: bool = False

    def key(self) -> tuple:
        return (
            self.indicator.pk,
            self.level,
            self.industry_id,
            self.enterprise_id,
            self.period,
            self.frequency,
        )


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (item index, reason)


def item_problems(item: Item) -> list[tuple[str, str]]:
    """What is wrong with a figure before the database is asked: (field, reason) pairs."""
    indicator = item.indicator
    problems: list[tuple[str, str]] = []
    if item.level not in indicator.levels:
        allowed = "、".join(str(Level(level).label) for level in indicator.levels)
        problems.append(("level", f"{indicator.name}只在{allowed}层级统计"))
    subject = {
        "district": item.industry_id is None and item.enterprise_id is None,
        "industry": item.industry_id is not None and item.enterprise_id is None,
        "enterprise": item.enterprise_id is not None and item.industry_id is None,
    }.get(str(item.level))
    if not subject:
        problems.append(("level", "层级与对象不一致：全区不带对象，产业数据需指明产业，企业数据需指明企业"))
    if item.frequency not in _ORDER:
        problems.append(("frequency", f"频度应为 {'、'.join(_ORDER)}"))
    elif _ORDER[item.frequency] < _ORDER[indicator.frequency]:
        problems.append(
            ("frequency", f"{indicator.name}按{indicator.get_frequency_display()}统计，不能记录更细的期间")
        )
    elif periods.start_of(item.period, item.frequency) != item.period:
        problems.append(("period", f"期间应从{item.frequency}的第一天开始：{item.period}"))
    if item.status not in Status.values:
        problems.append(("status", "状态应为 初步 或 最终"))
    if item.basis not in Basis.values:
        problems.append(("basis", "性质应为 官方统计、企业报送 或 推算"))
    if indicator.unit != "%" and indicator.additive and item.value < 0:
        problems.append(("value", f"{indicator.name}不能为负数"))
    if abs(item.value) >= Decimal("1e16"):
        problems.append(("value", "数值过大"))
    return problems


def observations_write(
    *,
    items: Sequence[Item],
    by,
    source_type: str,
    source_ref: str = "",
    reason: str = "",
    at: datetime | None = None,
) -> Counts:
    """Record figures in bulk: new ones created, changed ones revised (the earlier value kept as a
    revision), equal ones left alone. A figure that breaks a rule, or would overwrite a final figure with a
    preliminary one, is refused and named in `refused`; the caller decides whether to write the rest (call
    inside its transaction and roll back when anything was refused, for all-or-nothing). The industry and
    district figures of the touched periods are added up again in the same transaction (`rollups`)."""
    now = at or timezone.now()
    counts = Counts()
    for index, item in enumerate(items):
        problems = item_problems(item)
        if problems:
            counts.refused.append((index, "；".join(reason for _field, reason in problems)))
    if counts.refused:
        return counts
    found = _existing(items)
    new: list[Observation] = []
    revisions: list[ObservationRevision] = []
    changed: list[Observation] = []
    seen: dict[tuple, int] = {}
    for index, item in enumerate(items):
        value = Decimal(item.value).quantize(PLACES)
        key = item.key()
        if key in seen:
            counts.refused.append((index, f"与第 {seen[key] + 1} 条是同一指标、对象和期间"))
            continue
        seen[key] = index
        current = found.get(key)
        if current is None:
            new.append(
                Observation(
                    indicator=item.indicator,
                    level=item.level,
                    industry_id=item.industry_id,
                    enterprise_id=item.enterprise_id,
                    period=item.period,
                    frequency=item.frequency,
                    value=value,
                    status=item.status,
                    basis=item.basis,
                    source_type=source_type,
                    source_ref=source_ref,
                    note=item.note[:300],
                    synthetic=item.synthetic,
                    recorded_by=by if getattr(by, "is_authenticated", False) else None,
                    recorded_at=now,
                )
            )
            continue
        if current.value == value and current.status == item.status and current.basis == item.basis:
            counts.unchanged += 1
            continue
        if current.status == Status.FINAL and item.status == Status.PRELIMINARY:
            counts.refused.append(
                (
                    index,
                    f"{periods.label(item.period, item.frequency)} 已有最终数 {current.value.normalize():f}，不能用初步数覆盖",
                )
            )
            continue
        revisions.append(
            ObservationRevision(
                observation=current,
                version=current.version,
                value=current.value,
                status=current.status,
                basis=current.basis,
                source_type=current.source_type,
                source_ref=current.source_ref,
                recorded_by_id=current.recorded_by_id,
                recorded_at=current.recorded_at,
                replaced_by=by if getattr(by, "is_authenticated", False) else None,
                replaced_at=now,
                reason=reason[:300],
            )
        )
        current.value, current.status, current.basis = value, item.status, item.basis
        current.source_type, current.source_ref = source_type, source_ref
        current.note = item.note[:300] or current.note
        current.synthetic = item.synthetic
        current.version += 1
        current.recorded_by = by if getattr(by, "is_authenticated", False) else None
        current.recorded_at = now
        changed.append(current)
    if counts.refused:
        return counts
    Observation.objects.bulk_create(new, batch_size=1000)
    ObservationRevision.objects.bulk_create(revisions, batch_size=1000)
    Observation.objects.bulk_update(
        changed,
        [
            "value",
            "status",
            "basis",
            "source_type",
            "source_ref",
            "note",
            "synthetic",
            "version",
            "recorded_by",
            "recorded_at",
        ],
        batch_size=1000,
    )
    counts.created, counts.updated = len(new), len(changed)
    before = {revision.observation.pk: revision.value for revision in revisions}
    rollups.observations_changed(
        changes=[
            rollups.Change(
                o.enterprise_id,
                o.indicator_id,
                o.frequency,
                o.period,
                o.value - before[o.pk] if o.pk in before else o.value,
                o.pk not in before,
            )
            for o in (*new, *changed)
            if o.level == Level.ENTERPRISE and o.enterprise_id is not None
        ]
    )
    return counts


def _existing(items: Sequence[Item]) -> dict[tuple, Observation]:
    """The stored observations of the items' keys, read a few hundred subjects at a time."""
    groups: dict[tuple[int, str, str], dict[str, set]] = defaultdict(
        lambda: {"subjects": set(), "periods": set()}
    )
    for item in items:
        group = groups[(item.indicator.pk, item.level, item.frequency)]
        group["subjects"].add(item.industry_id if item.level == Level.INDUSTRY else item.enterprise_id)
        group["periods"].add(item.period)
    found: dict[tuple, Observation] = {}
    for (indicator_id, level, frequency), group in groups.items():
        subjects = sorted(group["subjects"], key=lambda s: s or 0)
        for start in range(0, len(subjects), CHUNK):
            queryset = Observation.objects.filter(
                indicator_id=indicator_id, level=level, frequency=frequency, period__in=group["periods"]
            )
            chunk = subjects[start : start + CHUNK]
            if level == Level.INDUSTRY:
                queryset = queryset.filter(industry_id__in=chunk)
            elif level == Level.ENTERPRISE:
                queryset = queryset.filter(enterprise_id__in=chunk)
            for observation in queryset:
                key = (
                    observation.indicator_id,
                    observation.level,
                    observation.industry_id,
                    observation.enterprise_id,
                    observation.period,
                    observation.frequency,
                )
                found[key] = observation
    return found


@transaction.atomic
def observation_record(
    *,
    indicator: Indicator,
    level: str,
    period: date,
    frequency: str | None = None,
    value: Decimal,
    by,
    industry=None,
    enterprise=None,
    status: str = Status.FINAL,
    basis: str = Basis.OFFICIAL,
    source_type: str = SourceType.MANUAL,
    source_ref: str = "",
    note: str = "",
    reason: str = "",
) -> Observation:
    """Record one figure (or revise the stored one, keeping its earlier value). ValidationError names the
    field and the reason."""
    item = Item(
        indicator=indicator,
        level=level,
        period=period,
        frequency=frequency or indicator.frequency,
        value=Decimal(value),
        industry_id=industry.pk if industry is not None else None,
        enterprise_id=enterprise.pk if enterprise is not None else None,
        status=status,
        basis=basis,
        note=note,
    )
    problems = item_problems(item)
    if problems:
        errors: dict[str, list[str]] = defaultdict(list)
        for name, problem in problems:
            errors[name].append(problem)
        raise ValidationError(dict(errors))
    before = _existing([item]).get(item.key())
    snapshot = _snapshot(before) if before is not None else None
    counts = observations_write(
        items=[item], by=by, source_type=source_type, source_ref=source_ref, reason=reason
    )
    if counts.refused:
        raise ValidationError({"status": [counts.refused[0][1]]})
    observation = (
        Observation.objects.get(pk=before.pk) if before is not None else _existing([item])[item.key()]
    )
    if counts.created or counts.updated:
        audit_record(
            actor=by,
            action="observation.revise" if before is not None else "observation.record",
            obj=observation,
            before=snapshot,
            after=_snapshot(observation),
            message=reason,
        )
    return observation


def _snapshot(observation: Observation) -> dict[str, Any]:
    return {
        "indicator": observation.indicator.code,
        "period": periods.label(observation.period, observation.frequency),
        "value": str(observation.value),
        "status": observation.status,
        "basis": observation.basis,
        "source": f"{observation.source_type}:{observation.source_ref}",
        "version": observation.version,
    }


# Demo data.


def demo_indicators(*, sample: int = 100) -> int:
    """The catalogue, the calibrated district series (`chanye.indicators.demo`) and enterprise series for
    the `sample` largest synthetic firms (and the demo enterprise user's), with one revision so the history
    shows. Returns how many observations it created (0 when the demo series exist)."""
    from django.contrib.auth import get_user_model

    from chanye.enterprises.models import Enterprise
    from chanye.indicators import demo

    catalogue_load()
    if Observation.objects.filter(source_type=SourceType.DEMO).exists():
        return 0
    indicators = {i.code: i for i in Indicator.objects.all()}
    district = [
        _demo_item(indicators, p, Level.DISTRICT) for p in demo.district_points() if p.indicator in indicators
    ]
    district += _demo_industry_items(indicators, demo.cluster_points())
    firms = list(
        Enterprise.objects.filter(synthetic=True, revenue__gt=0)
        .order_by("-revenue")
        .values_list("id", "revenue", "employees", "gbt_code")[:sample]
    )
    own = (
        get_user_model()
        .objects.filter(role="enterprise_user")
        .exclude(enterprise=None)
        .values_list("enterprise_id", flat=True)
    )
    ids = {firm[0] for firm in firms}
    firms += [
        row
        for row in Enterprise.objects.filter(pk__in=list(own), revenue__gt=0).values_list(
            "id", "revenue", "employees", "gbt_code"
        )
        if row[0] not in ids
    ]
    chosen = [
        demo.Firm(pk, Decimal(revenue or 0), employees or 10, gbt or "")
        for pk, revenue, employees, gbt in firms
    ]
    calibrated = demo.calibration(chosen)  # revenue set so the GDP shares come out as Tianhe's
    enterprise = [
        Item(
            indicator=indicators[code],
            level=Level.ENTERPRISE,
            enterprise_id=firm.id,
            period=period,
            frequency=frequency,
            value=value,
            status=status,
            basis=Basis.REPORTED,
            synthetic=True,
        )
        for firm in chosen
        for code, period, frequency, value, status in demo.firm_points(firm, calibrated=calibrated)
        if code in indicators
    ]
    with transaction.atomic():
        counts = observations_write(
            items=district + enterprise, by=None, source_type=SourceType.DEMO, source_ref="demo"
        )
        if counts.refused:  # pragma: no cover - the generator keeps the rules
            raise ValidationError(f"演示指标数据未通过校验：{counts.refused[0][1]}")
        _demo_revision(indicators)
    return counts.created


def _demo_industry_items(indicators: dict[str, Indicator], points) -> list[Item]:
    """The demo's industry-level figures, for the industries of the current system that carry their code."""
    from chanye.enterprises.services import current_system

    system = current_system()
    if system is None:
        return []
    industries = dict(system.industries.values_list("code", "id"))
    return [
        _demo_item(indicators, p, Level.INDUSTRY, industries[p.industry])
        for p in points
        if p.indicator in indicators and p.industry in industries
    ]


def _demo_item(indicators: dict[str, Indicator], p, level: str, industry_id: int | None = None) -> Item:
    """One demo point (`chanye.indicators.demo.Point`) as the item the write service records."""
    return Item(
        indicator=indicators[p.indicator],
        level=level,
        industry_id=industry_id,
        period=p.period,
        frequency=p.frequency,
        value=p.value,
        status=p.status,
        basis=p.basis,
        note=p.note,
        synthetic=p.synthetic,
    )


def _demo_revision(indicators: dict[str, Indicator]) -> None:
    """2024 Q4 GDP first recorded as a preliminary figure 0.4% lower, then the final one: the history shows both."""
    item = next(
        (
            o
            for o in Observation.objects.filter(
                indicator=indicators["gdp"],
                level=Level.DISTRICT,
                frequency="quarter",
                period=date(2024, 10, 1),
            )
        ),
        None,
    )
    if item is None:
        return
    final = item.value
    item.value, item.status, item.version = (final * Decimal("0.996")).quantize(PLACES), Status.PRELIMINARY, 1
    item.save(update_fields=["value", "status", "version"])
    observations_write(
        items=[
            Item(
                indicator=indicators["gdp"],
                level=Level.DISTRICT,
                period=item.period,
                frequency="quarter",
                value=final,
                status=Status.FINAL,
                basis=item.basis,
                note=item.note,
                synthetic=True,
            )
        ],
        by=None,
        source_type=SourceType.DEMO,
        source_ref="demo",
        reason="统计部门最终核实数（模拟）",
    )
