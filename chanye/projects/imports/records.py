"""What the library and plan imports write besides the rows themselves: the project's history row (as the
library's own edits write it) and the audit event, and a year's plan with both."""

from datetime import date
from decimal import Decimal
from typing import Any

from chanye.audit.services import audit_record
from chanye.projects import services
from chanye.projects.imports.checker import Checker, Row
from chanye.projects.imports.values import plain
from chanye.projects.models import AnnualPlan, Project, ProjectChange

HISTORY_LABELS = {
    **services.PROJECT_LABELS,
    **services.PLAN_LABELS,
    "actual_start": "实际开工",
    "actual_end": "实际竣工",
}


def shown(value: Any) -> Any:
    """A value as the history shows it: names for related rows, plain numbers and ISO dates."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal | date):
        return plain(value)
    if hasattr(value, "_meta"):
        return str(value)
    return value


def over_total(completed_before: Decimal, planned: Decimal, total: Decimal | None) -> str:
    """The library's rule (services.plan_save): what was done before the year plus the year's plan cannot
    exceed the project's total investment."""
    if total is not None and completed_before + planned > total:
        return (
            f"以前年度累计 {plain(completed_before)} 万元加本年计划 {plain(planned)} 万元，"
            f"超过项目总投资 {plain(total)} 万元"
        )
    return ""


def record(
    checker: Checker, project: Project, row: Row, action: str, subject: str, before: dict, after: dict
) -> None:
    """The project's history row and the audit event, naming the file and row."""
    changes = {
        HISTORY_LABELS.get(name, name): [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }
    ProjectChange.objects.create(
        project=project, by=checker.user, action=action, subject=f"{subject}（导入）", changes=changes
    )
    audit_record(
        actor=checker.by,
        action=f"project.{action}",
        obj=project,
        before=before or None,
        after=after | {"subject": subject, "source": checker.source, "row": row.number},
    )


def plan_write(
    checker: Checker,
    plan: AnnualPlan | None,
    values: dict[str, Any],
    row: Row,
    project: Project,
    year: int = 0,
) -> AnnualPlan:
    """Create or change a year's plan, with the project's history row and audit event."""
    before = plan_snapshot(plan) if plan is not None else {}
    if plan is None:
        plan = AnnualPlan(project=project, year=year)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["project"])
    plan.save()
    record(checker, project, row, "plan", f"{plan.year} 年度计划", before, plan_snapshot(plan))
    return plan


def plan_snapshot(plan: AnnualPlan) -> dict[str, Any]:
    curve = [str(value) for value in plan.curve or []]
    return {
        "planned_investment": plain(Decimal(plan.planned_investment)),
        "completed_before": plain(Decimal(plan.completed_before or 0)),
        "curve": " ".join(curve) if curve else "按月平均",
    }
