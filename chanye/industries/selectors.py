"""Reads for the industrial system, scoped to the caller."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from chanye.industries.models import Category, Industry, IndustrySystem
from chanye.organizations.models import Responsibility


def system_default(*, user) -> IndustrySystem | None:
    """The system a user lands on: the district's own (lowest level), else any."""
    systems = IndustrySystem.objects.visible_to(user).filter(current_version__isnull=False)
    return systems.filter(region_level="district").first() or systems.first()


def system_get(*, user, code: str) -> IndustrySystem:
    return get_object_or_404(
        IndustrySystem.objects.visible_to(user).select_related("current_version", "parent"), code=code
    )


def industry_list(*, user) -> QuerySet[Industry]:
    current = (
        Responsibility.objects.filter(valid_to__isnull=True)
        .select_related("leader", "lead_department", "office", "task_force")
        .prefetch_related("supporting_departments")
    )
    return (
        Industry.objects.visible_to(user)
        .select_related("system", "parent_node")
        .prefetch_related(Prefetch("responsibilities", queryset=current, to_attr="current_responsibility"))
    )


def system_industries(*, system: IndustrySystem) -> list[Industry]:
    """Every active industry of a system with its current responsibility (the published structure)."""
    current = Responsibility.objects.filter(valid_to__isnull=True).select_related(
        "leader", "lead_department", "office", "task_force"
    )
    return list(
        system.industries.filter(active=True)
        .select_related("parent_node")
        .prefetch_related(Prefetch("responsibilities", queryset=current, to_attr="current_responsibility"))
    )


def system_chart(*, system: IndustrySystem, industries: list[Industry], visible_ids: set[int]) -> dict:
    """The system as a sunburst: the requirement at the centre, directions, then categories and industries."""
    definition = system.current_version.definition if system.current_version else {}
    categories = []
    for value, label in Category.choices:
        members = [i for i in industries if i.category == value]
        if not members:
            continue
        children = []
        for industry in members:
            rows = getattr(industry, "current_responsibility", [])
            row = rows[0] if rows else None
            children.append(
                {
                    "name": industry.name,
                    "value": 1,
                    "code": industry.code,
                    "leader": row.leader.title if row and row.leader else "",
                    "department": row.lead_department.name if row and row.lead_department else "",
                    "url": f"/industries/{industry.pk}/" if industry.pk in visible_ids else "",
                }
            )
        categories.append({"name": f"{label} ({len(members)})", "children": children})
    return {
        "name": definition.get("system", {}).get("short_name") or system.name,
        "requirements": [r["name"] for r in definition.get("requirements", [])],
        "directions": [d["name"] for d in definition.get("directions", [])],
        "children": categories,
    }
