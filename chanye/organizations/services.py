"""Writes for people and responsibility. Each names its actor and leaves an audit event."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.organizations.models import (
    Department,
    IndustryOffice,
    Leader,
    Responsibility,
    Street,
    TaskForce,
)


def _snapshot(responsibility: Responsibility | None) -> dict | None:
    if responsibility is None:
        return None
    return {
        "leader": responsibility.leader.code if responsibility.leader else None,
        "lead_department": responsibility.lead_department.code if responsibility.lead_department else None,
        "supporting_departments": sorted(d.code for d in responsibility.supporting_departments.all()),
        "office": responsibility.office.code if responsibility.office else None,
        "task_force": responsibility.task_force.code if responsibility.task_force else None,
    }


@transaction.atomic
def responsibility_change(
    *,
    industry,
    by,
    leader: Leader | None,
    lead_department: Department | None,
    supporting_departments: list[Department] | tuple = (),
    office: IndustryOffice | None = None,
    task_force: TaskForce | None = None,
    reason: str = "",
    source: str = "manual",
) -> Responsibility | None:
    """Give an industry a new leader / lead department / office / task force, closing the current record.

    Returns the new record, or None when nothing differs from the current one.
    """
    supporting = list(dict.fromkeys(supporting_departments))
    if lead_department is not None and lead_department in supporting:
        raise ValidationError(
            {"supporting_departments": f"{lead_department} 已是牵头部门，不能同时为配合部门"}
        )
    if source == "manual" and not reason.strip():
        raise ValidationError({"reason": "请填写调整原因"})
    current = (
        Responsibility.objects.select_for_update().filter(industry=industry, valid_to__isnull=True).first()
    )
    proposed = {
        "leader": leader.code if leader else None,
        "lead_department": lead_department.code if lead_department else None,
        "supporting_departments": sorted(d.code for d in supporting),
        "office": office.code if office else None,
        "task_force": task_force.code if task_force else None,
    }
    before = _snapshot(current)
    if before == proposed:
        return None
    now = timezone.now()
    if current is not None:
        current.valid_to = now
        current.save(update_fields=["valid_to"])
    record = Responsibility(
        industry=industry,
        leader=leader,
        lead_department=lead_department,
        office=office,
        task_force=task_force,
        valid_from=now,
        source=source[:80],
        reason=reason.strip()[:200],
        changed_by=by if by is not None and by.is_authenticated else None,
    )
    record.full_clean(exclude=["supporting_departments"])
    record.save()
    record.supporting_departments.set(supporting)
    audit_record(
        actor=by,
        action="responsibility.change",
        obj=industry,
        object_type="industries.industry",
        before=before,
        after=proposed,
        message=reason or source,
    )
    return record


REFERENCE_MODELS: dict[str, type[models.Model]] = {
    "department": Department,
    "leader": Leader,
    "office": IndustryOffice,
    "task_force": TaskForce,
    "street": Street,
}


def _plain(obj: models.Model) -> dict:
    data = model_to_dict(obj)
    return {
        key: ([getattr(v, "pk", v) for v in value] if isinstance(value, list) else value)
        for key, value in data.items()
    }


@transaction.atomic
def organization_save(*, obj: models.Model, by, values: dict, many: dict | None = None) -> models.Model:
    """Create or edit a department, leader, office, task force or street, recording before and after."""
    before = _plain(obj) if obj.pk else None
    for key, value in values.items():
        setattr(obj, key, value)
    obj.full_clean()
    obj.save()
    for key, items in (many or {}).items():
        getattr(obj, key).set(items)
    after = _plain(obj)
    if before != after:
        audit_record(
            actor=by,
            action=f"{obj._meta.model_name}.{'update' if before else 'create'}",
            obj=obj,
            before=before,
            after=after,
        )
    return obj


def organizations_apply_definition(*, system, version, definition: dict, by) -> None:
    """Bring departments, leaders, offices, task forces, streets and the responsibility matrix in line
    with a newly loaded definition. Records the file does not mention are left as they are."""
    departments = {}
    for position, item in enumerate(definition["departments"], start=1):
        departments[item["code"]] = _upsert(
            Department,
            item["code"],
            by,
            name=item["name"],
            kind=item.get("kind", "bureau"),
            position=position,
            active=True,
        )

    def department(code):
        return departments.get(code) or (Department.objects.get(code=code) if code else None)

    leaders = {}
    for position, item in enumerate(definition["leaders"], start=1):
        leaders[item["code"]] = _upsert(
            Leader,
            item["code"],
            by,
            title=item["title"],
            portfolio=item.get("portfolio", ""),
            position=position,
            active=True,
        )
    offices = {}
    for item in definition["offices"]:
        offices[item["code"]] = _upsert(
            IndustryOffice,
            item["code"],
            by,
            name=item["name"],
            host_department=department(item["host_department"]),
            active=True,
        )
    forces = {}
    for item in definition["task_forces"]:
        force = _upsert(
            TaskForce,
            item["code"],
            by,
            name=item["name"],
            head=leaders.get(item.get("head", "")),
            lead_department=department(item["lead_department"]),
            active=True,
        )
        members = [department(code) for code in item.get("member_departments", [])]
        if set(force.member_departments.all()) != set(members):
            force.member_departments.set(members)
        forces[item["code"]] = force
    for position, item in enumerate(definition["streets"], start=1):
        _upsert(Street, item["code"], by, name=item["name"], position=position)
    industries = {industry.code: industry for industry in system.industries.filter(active=True)}
    source = f"{system.code}@{version.version}"
    for item in definition["industries"]:
        governance = item["governance"]
        if not any(governance.get(key) for key in ("leader", "lead_department", "office", "task_force")):
            continue
        responsibility_change(
            industry=industries[item["code"]],
            by=by,
            source=source,
            leader=leaders.get(governance.get("leader", "")),
            lead_department=department(governance.get("lead_department")),
            supporting_departments=[department(code) for code in governance["supporting_departments"]],
            office=offices.get(governance.get("office", "")),
            task_force=forces.get(governance.get("task_force", "")),
        )


def _upsert(model, code: str, by, **values):
    obj = model.objects.filter(code=code).first() or model(code=code)
    if obj.pk and all(getattr(obj, key) == value for key, value in values.items()):
        return obj
    return organization_save(obj=obj, by=by, values=values)
