"""Writes of the targets module: targets loaded from the system definition's `targets:` list, created and
edited on the page or through the API. Every change is an audit event with before and after; an edit carries
the version it was read at and a stale one is refused (StaleEdit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from chanye.audit.services import audit_record
from chanye.core.errors import StaleEdit
from chanye.indicators.models import Indicator, Level
from chanye.targets.models import Comparator, Kind, Source, Target, YearlyRule

CHANGE = "targets.change"
DISTRICT = "district"
FIELDS = (
    "industry",
    "indicator",
    "year",
    "value",
    "comparator",
    "tolerance",
    "unit",
    "kind",
    "yearly_rule",
    "band_on_track",
    "band_warning",
    "baseline_year",
    "baseline_value",
    "note",
    "active",
)
RATE_WORDS = ("增速", "增长率", "增幅")
STOCK_UNITS = ("人", "个", "家", "户", "项")


def default_kind(indicator: Indicator) -> str:
    """Percent indicators are growth rates when named so (…增速, code …_growth), otherwise shares of a whole;
    everything else is an amount."""
    if indicator.unit.strip() in ("%", "％"):
        if indicator.code.endswith("_growth") or any(word in indicator.name for word in RATE_WORDS):
            return Kind.RATE
        return Kind.SHARE
    return Kind.AMOUNT


def default_rule(indicator: Indicator, kind: str) -> str:
    """Amounts of money add up over the year; rates, shares and head counts (a stock at the period's end)
    take the year's last period."""
    if kind != Kind.AMOUNT or indicator.unit.strip() in STOCK_UNITS:
        return YearlyRule.LAST
    return YearlyRule.SUM


def can_change(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.can(CHANGE)


def snapshot(target: Target) -> dict[str, Any]:
    def plain(value):
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")
        return value

    return {
        "scope": target.scope_code,
        "indicator": target.indicator.code,
        "year": target.year,
        "value": plain(target.value),
        "comparator": target.comparator,
        "tolerance": plain(target.tolerance),
        "unit": target.unit,
        "kind": target.kind,
        "yearly_rule": target.yearly_rule,
        "band_on_track": plain(target.band_on_track),
        "band_warning": plain(target.band_warning),
        "baseline_year": target.baseline_year,
        "baseline_value": plain(target.baseline_value) if target.baseline_value is not None else None,
        "note": target.note,
        "active": target.active,
        "source": target.source,
    }


def _check(target: Target) -> None:
    """Model rules plus those across rows and apps: the industry is of the target's system, the indicator is
    counted at that level, bands are ordered, no other active target says the same."""
    errors: dict[str, list[str]] = {}
    if target.industry is not None and target.industry.system_id != target.system_id:
        errors.setdefault("industry", []).append("该产业不属于当前产业体系")
    level = Level.INDUSTRY if target.industry_id else Level.DISTRICT
    if target.indicator_id and level not in (target.indicator.levels or []):
        where = "产业" if level == Level.INDUSTRY else "全区"
        errors.setdefault("indicator", []).append(f"“{target.indicator.name}”不在{where}层级统计")
    bands = (target.band_warning, target.band_on_track)
    if None not in bands and not (0 <= target.band_warning <= target.band_on_track <= 1):
        errors.setdefault("band_warning", []).append("概率下限应满足 0 ≤ 预警 ≤ 正常 ≤ 1")
    if target.tolerance is not None and target.tolerance < 0:
        errors.setdefault("tolerance", []).append("容差不能为负数")
    if (target.baseline_year is None) != (target.baseline_value is None):
        errors.setdefault("baseline_value", []).append("基期年份和基期值应同时填写或同时留空")
    if target.baseline_year is not None and target.year and target.baseline_year >= target.year:
        errors.setdefault("baseline_year", []).append("基期年份应早于目标年份")
    if target.active and target.indicator_id:
        twin = Target.objects.filter(
            system_id=target.system_id,
            industry=target.industry,
            indicator_id=target.indicator_id,
            year=target.year,
            comparator=target.comparator,
            active=True,
        ).exclude(pk=target.pk)
        if twin.exists():
            errors.setdefault("year", []).append("该范围、指标和年份已有相同比较方式的目标")
    try:
        target.full_clean(exclude=["version", "system", "definition_entry"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_create(*, values: dict[str, Any], by) -> Target:
    """A target entered on the page or through the API, on the current system."""
    from chanye.enterprises.services import current_system

    if not can_change(by):
        raise PermissionDenied("您的角色无权修改目标")
    system = current_system()
    if system is None:
        raise ValidationError({"industry": ["尚未载入产业体系"]})
    indicator = values.get("indicator")
    if indicator is None:
        raise ValidationError({"indicator": ["请选择指标"]})
    target = Target(system=system, source=Source.CREATED, updated_by=by)
    for name in FIELDS:
        if values.get(name) is not None:
            setattr(target, name, values[name])
    target.unit = target.unit or indicator.unit
    target.kind = target.kind or default_kind(indicator)
    target.yearly_rule = target.yearly_rule or default_rule(indicator, target.kind)
    _check(target)
    target.save()
    audit_record(actor=by, action="target.create", obj=target, after=snapshot(target))
    return target


@transaction.atomic
def target_update(
    *, target: Target, values: dict[str, Any], by, expected_version: int | None = None
) -> Target:
    """Change a target; a definition target becomes “edited” (a reload of the same definition keeps it)."""
    if not can_change(by):
        raise PermissionDenied("您的角色无权修改目标")
    locked = (
        Target.objects.select_for_update(of=("self",))
        .select_related("indicator", "industry")
        .get(pk=target.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            f"该目标已被他人修改（当前版本 {locked.version}，你打开的是版本 {expected_version}），"
            "你的修改未保存；请核对最新内容后再保存"
        )
    before = snapshot(locked)
    for name in FIELDS:
        if name in values:
            setattr(locked, name, values[name])
    if "kind" in values and not values["kind"]:
        locked.kind = default_kind(locked.indicator)
    if "yearly_rule" in values and not values["yearly_rule"]:
        locked.yearly_rule = default_rule(locked.indicator, locked.kind)
    if locked.source == Source.DEFINITION:
        locked.source = Source.EDITED
    _check(locked)
    after = snapshot(locked)
    if {k: v for k, v in after.items() if k != "source"} == {
        k: v for k, v in before.items() if k != "source"
    }:
        locked.source = before["source"]
        return locked
    locked.updated_by = by
    locked.save()
    Target.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.refresh_from_db(fields=["version", "updated_at"])
    audit_record(actor=by, action="target.update", obj=locked, before=before, after=after)
    return locked


# The system definition.


@dataclass
class Applied:
    created: int = 0
    updated: int = 0
    kept: int = 0
    retired: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"目标：新增 {self.created}，按定义更新 {self.updated}，未变 {self.kept}，停用 {self.retired}"
        return text + (f"，跳过 {len(self.skipped)}" if self.skipped else "")


def definition_key(entry: dict) -> str:
    return f"{entry.get('indicator')}/{entry.get('scope')}/{entry.get('year')}/{entry.get('comparator')}"


@transaction.atomic
def targets_apply_definition(*, system, version=None, definition: dict | None = None, by=None) -> Applied:
    """Bring the system's targets in line with its definition (the current version unless given): new entries
    are created; an entry the definition changed since it was last applied is updated (and replaces an edit
    made on the page); an unchanged entry is left alone, with any edit made on the page; a target the
    definition no longer lists is retired. Targets created on the page are never touched."""
    from chanye.indicators.services import catalogue_load

    if definition is None:
        version = version or system.current_version
        definition = version.definition if version is not None else {}
    catalogue_load(by=by)  # the definition's indicators, so its targets have one to point at
    indicators = {i.code: i for i in Indicator.objects.all()}
    industries = {i.code: i for i in system.industries.filter(active=True)}
    existing = {
        t.definition_key: t
        for t in Target.objects.select_for_update(of=("self",))
        .filter(system=system)
        .exclude(definition_key="")
        .select_related("indicator", "industry")
    }
    applied = Applied()
    listed: set[str] = set()
    for number, entry in enumerate(definition.get("targets") or [], start=1):
        key = definition_key(entry)
        listed.add(key)
        where = f"targets 第 {number} 项（{key}）"
        indicator = indicators.get(entry.get("indicator", ""))
        if indicator is None:
            applied.skipped.append(f"{where}：指标目录中没有 {entry.get('indicator')}")
            continue
        scope = entry.get("scope")
        industry = None if scope == DISTRICT else industries.get(scope)
        if scope != DISTRICT and industry is None:
            applied.skipped.append(f"{where}：体系中没有现行产业 {scope}")
            continue
        values = {
            "industry": industry,
            "indicator": indicator,
            "year": int(entry["year"]),
            "value": Decimal(str(entry["value"])),
            "comparator": "~" if entry.get("comparator") == "=" else entry.get("comparator", Comparator.GE),
            "unit": entry.get("unit") or indicator.unit,
            "note": entry.get("note", "")[:300],
        }
        target = existing.get(key)
        if target is not None and target.definition_entry == entry and target.active:
            applied.kept += 1
            continue
        try:
            if target is None:
                applied.created += _created(system, key, entry, values, by)
            else:
                applied.updated += _reapplied(target, entry, values, by)
        except ValidationError as error:
            applied.skipped.append(f"{where}：{'；'.join(error.messages)}")
    for key, target in existing.items():
        if key not in listed and target.active:
            before = snapshot(target)
            target.active = False
            target.save(update_fields=["active", "updated_at"])
            Target.objects.filter(pk=target.pk).update(version=F("version") + 1)
            audit_record(
                actor=by,
                action="target.retire",
                obj=target,
                before=before,
                after=snapshot(target),
                message="体系定义不再列出该目标",
            )
            applied.retired += 1
    return applied


def _created(system, key: str, entry: dict, values: dict[str, Any], by) -> int:
    target = Target(
        system=system, source=Source.DEFINITION, definition_key=key, definition_entry=entry, **values
    )
    target.kind = default_kind(target.indicator)
    target.yearly_rule = default_rule(target.indicator, target.kind)
    with transaction.atomic():
        _check(target)
        target.save()
    audit_record(actor=by, action="target.load", obj=target, after=snapshot(target), message="由体系定义载入")
    return 1


def _reapplied(target: Target, entry: dict, values: dict[str, Any], by) -> int:
    before = snapshot(target)
    for name, value in values.items():
        setattr(target, name, value)
    target.active = True
    target.source = Source.DEFINITION
    target.definition_entry = entry
    with transaction.atomic():
        _check(target)
        target.save()
    Target.objects.filter(pk=target.pk).update(version=F("version") + 1)
    audit_record(
        actor=by,
        action="target.load",
        obj=target,
        before=before,
        after=snapshot(target),
        message="体系定义修改了该目标",
    )
    return 1


def demo_targets() -> Applied:
    """`chanye demo`: the current system's targets from its definition (page edits kept)."""
    from chanye.enterprises.services import current_system

    system = current_system()
    if system is None:
        return Applied()
    return targets_apply_definition(system=system)
