"""The light rules as versioned data: read a version, save a new one (the 发改局's), and back-test a month's
lights under two rule sets. The rules themselves are `chanye.projects.lights` (pure); this is their storage."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.core.errors import StaleEdit
from chanye.projects import lights
from chanye.projects.models import LightRules

FIELDS: dict[str, tuple[str, str]] = {
    "progress_yellow_pp": ("投资进度黄灯线（百分点）", "累计完成率落后时序进度达到此百分点数亮黄灯"),
    "progress_red_pp": ("投资进度红灯线（百分点）", "落后超过此百分点数亮红灯（应大于黄灯线）"),
    "not_started_red_months": ("未开工红灯（月）", "新开工项目计划开工后满此月数仍未开工亮红灯"),
    "bond_window_months": (
        "专项债使用期（月）",
        "专项债自发行起在此月数内按日均匀支出（批次另有约定的从约定）",
    ),
    "bond_yellow_pp": ("专项债黄灯线（百分点）", "支出进度落后达到此百分点数亮黄灯（0：落后即亮黄灯）"),
    "bond_red_pp": ("专项债红灯线（百分点）", "支出进度落后超过此百分点数亮红灯（应大于黄灯线）"),
    "late_filing_colour": ("月报逾期", "月报逾期报送或逾期未报时的灯色（绿灯：仅作提示，不影响灯色）"),
    "completed_colour": ("竣工、投产项目", "竣工、投产项目的灯色（未亮灯：不再亮灯）"),
}
COLOUR_CHOICES = {
    "late_filing_colour": (lights.GREEN, lights.YELLOW, lights.RED),
    "completed_colour": (lights.GREEN, lights.GREY),
}


def label(key: str) -> str:
    return FIELDS[key][0] if key in FIELDS else key


def humanize(message: str) -> str:
    """A RulesError message with its field names in Chinese (the keys are never substrings of each other)."""
    for key, (name, _meaning) in FIELDS.items():
        message = message.replace(key, f"「{name}」")
    return message


def rules_errors(error: lights.RulesError) -> ValidationError:
    """RulesError → ValidationError keyed by field, each message in Chinese."""
    return ValidationError({key: humanize(message) for key, message in error.errors.items()})


# ---------------------------------------------------------------------------------------------- reads


def rules_versions():
    """Every saved version, newest first, with who saved it."""
    return LightRules.objects.select_related("created_by").order_by("-id")


def stored_rules(version: LightRules) -> lights.RuleSet:
    """A saved version as a RuleSet (fields it does not name keep the published defaults)."""
    return lights.RuleSet.from_dict(version.rules or {})


@dataclass(frozen=True)
class Chosen:
    """A rule set picked for a back-test, with how to name it."""

    key: str  # "default", "draft" or the version number as text
    label: str
    rules: lights.RuleSet
    version: LightRules | None = None


def _version_label(version: LightRules, current_pk: int | None) -> str:
    who = str(version.created_by) if version.created_by else "系统"
    when = timezone.localtime(version.created_at).strftime("%Y-%m-%d %H:%M")
    tail = "，现行" if version.pk == current_pk else ""
    return f"v{version.pk}（{when} {who}{tail}）"


def choose_rules(text: str | None, *, draft: Mapping[str, Any] | None = None, what: str = "new") -> Chosen:
    """Resolve `old` / `new` of a back-test: a version number ("3" or "v3"), "current", "previous" (the
    version before the current one), "default" (the published defaults) or "draft" (the values in `draft`,
    fields left out keep the current rules). Unknown versions and bad drafts raise ValidationError."""
    text = (text or "current").strip().lower()
    current = rules_versions().first()
    current_pk = current.pk if current else None
    if text == "default":
        return Chosen("default", "默认规则（公开做法）", lights.DEFAULT_RULES)
    if text == "draft":
        base = stored_rules(current).to_dict() if current else lights.DEFAULT_RULES.to_dict()
        given = {key: value for key, value in (draft or {}).items() if key in FIELDS}
        try:
            rules = lights.RuleSet.from_dict(base | given)
        except lights.RulesError as error:
            raise rules_errors(error) from None
        return Chosen("draft", "草稿（未保存）", rules)
    if text == "previous":
        found = rules_versions()[1:2].first()
        if found is None:
            return Chosen("default", "默认规则（公开做法）", lights.DEFAULT_RULES)
        return Chosen(str(found.pk), _version_label(found, current_pk), stored_rules(found), found)
    if text == "current":
        if current is None:
            return Chosen("default", "默认规则（公开做法，尚无保存的版本）", lights.DEFAULT_RULES)
        return Chosen(str(current.pk), _version_label(current, current_pk), stored_rules(current), current)
    number = text.removeprefix("v")
    version = (
        LightRules.objects.select_related("created_by").filter(pk=int(number)).first()
        if number.isdigit()
        else None
    )
    if version is None:
        raise ValidationError(
            {
                what: f"没有规则版本「{text}」；可填版本号、current（现行）、previous、default（默认）或 draft（草稿）"
            }
        )
    return Chosen(str(version.pk), _version_label(version, current_pk), stored_rules(version), version)


def rules_table(rules: lights.RuleSet) -> list[dict[str, str]]:
    """Each field with its Chinese name, value (colours in words) and meaning, for the rules page."""
    rows = []
    for key, value in rules.to_dict().items():
        rows.append(
            {
                "key": key,
                "label": FIELDS[key][0],
                "value": str(value),
                "shown": _shown(key, value),
                "meaning": FIELDS[key][1],
            }
        )
    return rows


def rules_diff(old: lights.RuleSet, new: lights.RuleSet) -> list[dict[str, str]]:
    """The fields whose values differ, in Chinese: [{key, label, old, new}]."""
    before, after = old.to_dict(), new.to_dict()
    return [
        {"key": key, "label": label(key), "old": _shown(key, before[key]), "new": _shown(key, after[key])}
        for key in FIELDS
        if before[key] != after[key]
    ]


def _shown(key: str, value: Any) -> str:
    return lights.LABELS[str(value)] if key in COLOUR_CHOICES else str(value)


# ---------------------------------------------------------------------------------------------- writes


@transaction.atomic
def light_rules_save(
    *, values: Mapping[str, Any], note: str, by, expected_version: int | None = None
) -> LightRules:
    """Save a new version of the light rules: `values` over the rules in force (a field left out keeps its
    current value). Every bad field is named in Chinese (ValidationError); a version saved by someone else
    since `expected_version` was read is refused (StaleEdit); the change is audited with before and after."""
    if by is not None and not by.can("projects.rules"):
        raise PermissionDenied("只有发改局管理员可以修改红黄绿灯规则")
    # one writer at a time: the newest version row is locked while the next one is decided
    current = LightRules.objects.select_for_update().order_by("-id").first()
    if expected_version is not None and (current.pk if current else 0) != expected_version:
        now = f"v{current.pk}" if current else "默认规则"
        raise StaleEdit(
            f"规则已被他人修改（现行为 {now}，你打开的是 v{expected_version}），你的修改未保存，请刷新后再改"
        )
    before = stored_rules(current) if current else lights.DEFAULT_RULES
    errors: dict[str, str] = {}
    unknown = [str(key) for key in values if key not in FIELDS]
    for key in unknown:
        errors[key] = f"{key} 不是已知的规则字段"
    rules = None
    try:
        rules = lights.RuleSet.from_dict(before.to_dict() | {k: v for k, v in values.items() if k in FIELDS})
    except lights.RulesError as error:
        errors |= {key: humanize(message) for key, message in error.errors.items()}
    note = (note or "").strip()
    if not note:
        errors["note"] = "请写明修改说明（为什么改、依据什么）"
    elif len(note) > 300:
        errors["note"] = f"修改说明最多 300 字，现有 {len(note)} 字"
    if errors:
        raise ValidationError(errors)
    assert rules is not None
    if current is not None and rules == before:
        raise ValidationError({"__all__": "与现行规则相同，没有需要保存的修改"})
    saved = LightRules.objects.create(rules=rules.to_dict(), note=note, created_by=by)
    audit_record(
        actor=by,
        action="light_rules.save",
        obj=saved,
        before={"version": current.pk if current else None, "rules": before.to_dict()},
        after={"version": saved.pk, "rules": rules.to_dict(), "note": note},
        message="；".join(f"{d['label']}: {d['old']} → {d['new']}" for d in rules_diff(before, rules)),
    )
    return saved


# ---------------------------------------------------------------------------------------------- back-test


@dataclass
class BackTestRow:
    project: Any
    before: lights.Light
    after: lights.Light

    @property
    def changed(self) -> bool:
        return self.before.colour != self.after.colour


@dataclass
class BackTest:
    """A month's lights under two rule sets: the projects whose colour moves and the counts per colour."""

    period: date
    old: Chosen
    new: Chosen
    rows: list[BackTestRow]
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)

    @property
    def changes(self) -> list[BackTestRow]:
        return [row for row in self.rows if row.changed]

    @property
    def diff(self) -> list[dict[str, str]]:
        return rules_diff(self.old.rules, self.new.rules)


def back_test(*, user, period: date, old: Chosen, new: Chosen) -> BackTest:
    """Recompute `period`'s lights of every project the user may see under `old` and `new` (a row changes
    when its colour does, as in `lights.back_test`)."""
    from chanye.projects import selectors

    rows = [
        BackTestRow(project, lights.evaluate(pm, old.rules), lights.evaluate(pm, new.rules))
        for project, pm in selectors.project_months(user=user, period=period)
    ]
    colours = (lights.RED, lights.YELLOW, lights.GREEN, lights.GREY)
    result = BackTest(period, old, new, rows)
    result.before = {c: sum(1 for r in rows if r.before.colour == c) for c in colours}
    result.after = {c: sum(1 for r in rows if r.after.colour == c) for c in colours}
    return result
