"""Reads for people and responsibility, always through the caller's scope."""

from django.db.models import Prefetch, QuerySet

from chanye.industries.models import Industry
from chanye.organizations.models import Department, Leader, Responsibility


def responsibility_current(*, user) -> QuerySet[Responsibility]:
    """The current matrix rows this user may see, with everything a table shows."""
    return (
        Responsibility.objects.visible_to(user)
        .filter(valid_to__isnull=True, industry__active=True)
        .select_related("industry", "industry__system", "leader", "lead_department", "office", "task_force")
        .prefetch_related("supporting_departments")
        .order_by("industry__system__code", "industry__position")
    )


def responsibility_history(*, user, industry: Industry) -> QuerySet[Responsibility]:
    return (
        Responsibility.objects.visible_to(user)
        .filter(industry=industry)
        .select_related("leader", "lead_department", "office", "task_force", "changed_by")
        .prefetch_related("supporting_departments")
        .order_by("-valid_from", "-id")
    )


def governance_of_system(system) -> dict[str, dict]:
    """industry code → its current governance, in the definition file's shape."""
    result = {}
    rows = (
        Responsibility.objects.filter(industry__system=system, valid_to__isnull=True)
        .select_related("industry", "leader", "lead_department", "office", "task_force")
        .prefetch_related("supporting_departments")
    )
    for row in rows:
        governance: dict = {}
        if row.leader:
            governance["leader"] = row.leader.code
        if row.lead_department:
            governance["lead_department"] = row.lead_department.code
        governance["supporting_departments"] = sorted(d.code for d in row.supporting_departments.all())
        if row.office:
            governance["office"] = row.office.code
        if row.task_force:
            governance["task_force"] = row.task_force.code
        result[row.industry.code] = governance
    return result


def _current_rows(user):
    return Prefetch("responsibilities", queryset=responsibility_current(user=user), to_attr="current_rows")


def leader_portfolio(*, user, leader: Leader) -> dict:
    """What a leader owns: industries led, task forces headed."""
    rows = list(responsibility_current(user=user).filter(leader=leader))
    forces = list(
        leader.task_forces.visible_to(user).filter(active=True).prefetch_related("member_departments")
    )
    return {"rows": rows, "task_forces": forces, "users": list(leader.users.filter(is_active=True))}


def department_portfolio(*, user, department: Department) -> dict:
    """What a department owns: industries led and supported, offices hosted, task forces led or joined."""
    current = responsibility_current(user=user)
    return {
        "led": list(current.filter(lead_department=department)),
        "supported": list(current.filter(supporting_departments=department)),
        "offices": list(department.offices.visible_to(user)),
        "task_forces_led": list(department.led_task_forces.visible_to(user)),
        "task_forces_member": list(department.task_forces.visible_to(user)),
        "users": list(department.users.filter(is_active=True)),
    }
