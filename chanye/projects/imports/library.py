"""The project library sheet (项目库): new projects and changes to existing ones, each owner found in the
enterprise register, each industry, street, leader and department among the registered ones."""

import re
from typing import Any

from django.db.models import F
from django.utils import timezone

from chanye.core.tabular import HeaderMatch, clean_text
from chanye.enterprises.models import Enterprise, FormerName
from chanye.enterprises.services import current_system
from chanye.enterprises.uscc import check as uscc_check
from chanye.organizations.models import Department, Leader, Street
from chanye.projects.imports.checker import Change, Checker, Row
from chanye.projects.imports.records import over_total, plan_write, record, shown
from chanye.projects.imports.sheets import SHEETS
from chanye.projects.imports.values import (
    CATEGORY_WORDS,
    STAGE_WORDS,
    parse_text,
    parse_word,
    same,
    split_words,
)
from chanye.projects.models import AnnualPlan, Milestone, MilestoneKind, Project

_GROUP = re.compile(r"^[一二三四五六七八九十]+、\s*(.+?)(?:项目)?\s*[（(]\s*\d+\s*个\s*[)）]?$")

PROJECT_FIELDS = (
    "name",
    "owner",
    "industry",
    "street",
    "category",
    "stage",
    "total_investment",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "leader",
    "department",
    "funding",
    "location",
    "content",
)
FOREIGN = {"owner", "industry", "street", "leader", "department"}


def _references() -> dict[str, dict[str, int]]:
    """Names and codes people write for industries (of the current system), streets, leaders, departments:
    kind → {code or name without spaces → id}."""
    system = current_system()
    sources = {
        "industry": (
            system.industries.filter(active=True).values_list("pk", "code", "name") if system else [],
            lambda name: (name, name.removesuffix("产业")),
        ),
        "street": (
            Street.objects.values_list("pk", "code", "name"),
            lambda name: (name, name.removesuffix("街道"), name.removesuffix("街")),
        ),
        "leader": (Leader.objects.values_list("pk", "code", "title"), lambda title: (title,)),
        "department": (
            Department.objects.values_list("pk", "code", "name"),
            lambda name: (name, name.removeprefix("区")),
        ),
    }
    found: dict[str, dict[str, int]] = {}
    for kind, (rows, words) in sources.items():
        keys = found[kind] = {}
        for pk, code, name in rows:
            for key in (code.upper(), *words(name)):
                keys.setdefault(clean_text(key).replace(" ", ""), pk)
    return found


REFERENCE_HINTS = {
    "industry": "不是现行产业体系中的产业（填产业名称或代码，如 软件与互联网）",
    "street": "不是本区的街道",
    "leader": "不是已登记的区领导职务（填职务或代码，如 副区长（分管工业和信息化））",
    "department": "不是已登记的部门（填部门全称或代码，如 区工业和信息化局）",
}


CHOICES = {
    "stage": (STAGE_WORDS, "项目阶段应为 储备、新开工、续建、竣工 或 投产"),
    "category": (CATEGORY_WORDS, "项目类别应为 产业项目、基础设施、城市更新、社会民生 或 其他"),
}


class ProjectChecker(Checker):
    sheet = SHEETS["projects"]

    def __init__(self, header: HeaderMatch, **options):
        super().__init__(header, **options)
        self.group_stage: str | None = None
        self.formers: set[tuple[int, str]] = set()

    def layout(self, cells: list[str]) -> None:
        """The monthly table's group rows ("二、续建项目（80个）") give the stage of the rows below them."""
        text = next((clean_text(cell) for cell in cells if clean_text(cell)), "")
        found = _GROUP.match(text)
        if found:
            self.group_stage = parse_word(found.group(1), STAGE_WORDS)

    def parse(self, number: int, cells: list[str]) -> Row:
        row = super().parse(number, cells)
        if not self.has("stage") and self.group_stage:
            row.values["stage"] = self.group_stage
        return row

    def parse_cell(self, name: str, raw: str) -> Any:
        if name == "owner":
            text = clean_text(raw)
            return uscc_check(text).code if text else None
        if name in CHOICES:
            text = clean_text(raw)
            if not text:
                return None
            words, hint = CHOICES[name]
            value = parse_word(text, words)
            if value is None:
                raise ValueError(hint)
            return value
        if name == "funding":
            return "、".join(split_words(parse_text(raw, name)))
        if name in ("industry", "street", "leader", "department"):
            return clean_text(raw).replace(" ", "") or None
        return super().parse_cell(name, raw)

    def plan(self, rows: list[Row]) -> list[Change]:
        existing = self.projects(row.values["code"] for row in rows)
        references = _references()
        owners = self._owners(rows)
        year = timezone.localdate().year
        plans = {
            (plan.project_id, plan.year): plan
            for plan in AnnualPlan.objects.select_for_update().filter(
                project__in=list(existing.values()),
                year__in={row.values.get("year") or year for row in rows},
            )
        }
        changes = []
        for row in rows:
            values: dict[str, Any] = {}
            for name in PROJECT_FIELDS:
                if name == "owner":
                    if self.has("owner") or self.has("owner_name"):
                        values["owner"] = self._owner(row, owners)
                elif name in REFERENCE_HINTS:
                    if self.has(name):
                        values[name] = self._reference(row, name, references)
                elif name in row.values:  # the stage may come from the group rows of the monthly table
                    values[name] = row.values[name]
            project = existing.get(row.values["code"])
            # Left empty: a new project takes the default, an existing one keeps its value.
            for name in ("category", "stage", "total_investment"):
                if name in values and values[name] is None:
                    values.pop(name)
            if project is None and "total_investment" not in values:
                self.fail(
                    row,
                    "total_investment" if self.has("total_investment") else "code",
                    "新项目必须填写总投资",
                )
            if project is not None and values.get("stage", project.stage) != project.stage:
                self.fail(
                    row,
                    "stage" if self.has("stage") else "code",
                    f"项目现为{project.get_stage_display()}：阶段在年末统一调整（重点项目 → 年度阶段调整），"
                    "不能通过导入单个修改",
                )
            for start, end, reason in (
                ("planned_start", "planned_end", "计划竣工日期不能早于计划开工日期"),
                ("actual_start", "actual_end", "实际竣工日期不能早于实际开工日期"),
            ):
                first = values.get(start, getattr(project, start, None))
                last = values.get(end, getattr(project, end, None))
                if first and last and last < first and (start in values or end in values):
                    self.fail(row, end if end in values else start, reason)
            for name in ("actual_start", "actual_end"):
                if values.get(name) and values[name] > timezone.localdate():
                    self.fail(row, name, f"实际日期 {values[name]:%Y-%m-%d} 晚于今天，尚未发生")
            extra: dict[str, Any] = {}
            if row.values.get("completed_before") is not None:
                plan_year = row.values.get("year") or year
                plan = plans.get((project.pk, plan_year)) if project else None
                total = values.get("total_investment", getattr(project, "total_investment", None))
                if plan is None:
                    self.fail(
                        row,
                        "completed_before",
                        f"以前年度累计完成记在 {plan_year} 年度计划上，该项目还没有 {plan_year} 年度计划："
                        "请先导入年度计划（年度计划表也可填写此列）",
                    )
                elif not same(plan.completed_before, row.values["completed_before"]):
                    reason = over_total(row.values["completed_before"], plan.planned_investment, total)
                    if reason:
                        self.fail(row, "completed_before", reason)
                    extra = {"plan": plan, "completed_before": row.values["completed_before"]}
            if row.number in self.rejected:
                continue
            if project is None:
                changes.append(Change(row, "created", None, values, extra=extra))
                continue
            before = {name: getattr(project, f"{name}_id" if name in FOREIGN else name) for name in values}
            diff = {name: value for name, value in values.items() if not same(before[name], value)}
            action = "updated" if diff or extra else "unchanged"
            changes.append(Change(row, action, project, diff, {k: before[k] for k in diff}, extra))
        return changes

    def _reference(self, row: Row, name: str, references: dict[str, dict[str, int]]) -> int | None:
        text = row.values.get(name)
        if not text:
            return None
        found = references[name].get(text.upper()) or references[name].get(text)
        if found is None:
            self.fail(row, name, REFERENCE_HINTS[name])
        return found

    def _owners(self, rows: list[Row]) -> dict[str, list[tuple[int, str, str]]]:
        """uscc → [(id, uscc, name)] and name → [(id, uscc, name)] (former names too) for the file's owners."""
        codes = {row.values.get("owner") for row in rows} - {None}
        names = {row.values.get("owner_name") for row in rows} - {None, ""}
        found: dict[str, list[tuple[int, str, str]]] = {}
        for pk, uscc, name in Enterprise.objects.filter(uscc__in=codes).values_list("pk", "uscc", "name"):
            found.setdefault(uscc, []).append((pk, uscc, name))
        for pk, uscc, name in Enterprise.objects.filter(name__in=names).values_list("pk", "uscc", "name"):
            found.setdefault(name, []).append((pk, uscc, name))
        for pk, uscc, name, former in FormerName.objects.filter(name__in=names).values_list(
            "enterprise_id", "enterprise__uscc", "enterprise__name", "name"
        ):
            if all(item[0] != pk for item in found.get(former, [])):
                found.setdefault(former, []).append((pk, uscc, name))
        self.formers = set(
            FormerName.objects.filter(enterprise__uscc__in=codes).values_list("enterprise_id", "name")
        )
        return found

    def _owner(self, row: Row, owners) -> int | None:
        code, name = row.values.get("owner"), row.values.get("owner_name")
        if code:
            match = owners.get(code)
            if not match:
                result = uscc_check(code)
                self.fail(
                    row,
                    "owner",
                    "不在企业名录中：请先在企业名录中登记该企业"
                    if result.valid
                    else f"不是有效的统一社会信用代码（{result.message}）",
                )
                return None
            pk, _uscc, registered = match[0]
            if name and name != registered and (pk, name) not in self.formers:
                self.fail(row, "owner_name", f"与信用代码 {code} 登记的企业名称「{registered}」不一致")
            return pk
        if name:
            match = owners.get(name, [])
            if len(match) == 1:
                return match[0][0]
            self.fail(
                row,
                "owner_name",
                "企业名录中有多家企业叫这个名称，请改填业主单位统一社会信用代码"
                if match
                else "企业名录中没有这家企业：请先登记，或改填业主单位统一社会信用代码",
            )
        return None

    def write(self, changes: list[Change]) -> None:
        for change in changes:
            if change.action == "unchanged":
                continue
            fields = {
                (f"{name}_id" if name in FOREIGN else name): value for name, value in change.values.items()
            }
            if change.action == "created":
                project = Project(code=change.row.values["code"], **fields)
                project.full_clean()
                project.save()
                project.refresh_from_db()
                after = _snapshot(project)
                record(self, project, change.row, "create", "新建项目", {}, after)
                _sync_milestones(project, change.values)
            else:
                project = change.target
                if fields:
                    before = _snapshot(project)
                    for name, value in fields.items():
                        setattr(project, name, value)
                    project.full_clean(exclude=["version"])
                    project.version = F("version") + 1
                    project.save(update_fields=[*fields, "version", "updated_at"])
                    project.refresh_from_db()
                    record(self, project, change.row, "update", "项目信息", before, _snapshot(project))
                    _sync_milestones(project, change.values)
            if change.extra:
                plan_write(
                    self,
                    change.extra["plan"],
                    {"completed_before": change.extra["completed_before"]},
                    change.row,
                    project,
                )


def _snapshot(project: Project) -> dict[str, Any]:
    values = {"stage": project.get_stage_display(), "category": project.get_category_display()}
    for name in PROJECT_FIELDS:
        if name not in values:
            values[name] = shown(getattr(project, name))
    return values


def _sync_milestones(project: Project, values: dict[str, Any]) -> None:
    """An actual start or completion is also the 开工 / 竣工 milestone's actual date (and the other way
    round in services.milestones_save)."""
    for name, kind in (("actual_start", MilestoneKind.START), ("actual_end", MilestoneKind.COMPLETION)):
        if name in values:
            milestone = Milestone.objects.filter(project=project, kind=kind).first()
            if milestone is None and values[name] is not None:
                Milestone.objects.create(project=project, kind=kind, actual_on=values[name])
            elif milestone is not None and milestone.actual_on != values[name]:
                milestone.actual_on = values[name]
                milestone.save(update_fields=["actual_on"])
