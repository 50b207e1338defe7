"""Reads of casework, always through the user's scope: the list, the board ("who owes what by when"), a
case's timeline, and the cases on an enterprise's page."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Min, Q, QuerySet, Value, When
from django.utils import timezone

from chanye.casework.models import ACTIVE, Case, CaseEvent
from chanye.organizations.models import Department


def case_list(*, user) -> QuerySet[Case]:
    """The cases this user may see, open ones first by deadline, then closed ones newest first."""
    return (
        Case.objects.visible_to(user)
        .select_related("enterprise", "department", "leader", "assignee", "opened_by")
        .annotate(
            closed_rank=When_(
                When(status__in=ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("closed_rank", "deadline", "-id")
    )


@dataclass
class BoardRow:
    """One department's open cases: how many, how many overdue or escalated, the nearest deadline."""

    department: Department | None
    open: int
    overdue: int
    escalated: int
    nearest: date | None

    @property
    def days_to_nearest(self) -> int | None:
        return (self.nearest - timezone.localdate()).days if self.nearest else None


def case_board(*, user, today: date | None = None, queryset: QuerySet[Case] | None = None) -> list[BoardRow]:
    """Open cases in scope grouped by responsible department (cases waiting for dispatch as one row with no
    department), most overdue first. Two queries whatever the number of cases."""
    today = today or timezone.localdate()
    cases = queryset if queryset is not None else Case.objects.visible_to(user)
    rows = (
        cases.filter(status__in=ACTIVE)
        .order_by()
        .values("department_id")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(deadline__lt=today)),
            escalated=Count("id", filter=Q(escalation_level__gt=0)),
            nearest=Min("deadline"),
        )
    )
    rows = list(rows)
    departments = Department.objects.in_bulk([row["department_id"] for row in rows if row["department_id"]])
    board = [
        BoardRow(
            departments.get(row["department_id"]) if row["department_id"] else None,
            row["open"],
            row["overdue"],
            row["escalated"],
            row["nearest"],
        )
        for row in rows
    ]
    return sorted(
        board,
        key=lambda r: (-r.overdue, r.nearest or date.max, r.department.position if r.department else -1),
    )


def board_totals(board: list[BoardRow]) -> dict[str, int]:
    return {
        "open": sum(row.open for row in board),
        "overdue": sum(row.overdue for row in board),
        "escalated": sum(row.escalated for row in board),
    }


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("by").order_by("at", "id")


def enterprise_cases(*, user, enterprise) -> dict[str, Any]:
    """The panel on an enterprise's page: its cases in the user's scope, open ones first."""
    cases = list(case_list(user=user).filter(enterprise=enterprise)[:20])
    return {
        "cases": cases,
        "open": sum(1 for case in cases if case.active),
        "enterprise": enterprise,
        "can_open": user.can("cases.open"),
    }


def subject_cases(*, user, subject_type: str, subject_id: str) -> QuerySet[Case]:
    """The cases about one subject (e.g. a key project's blockers) in the user's scope."""
    return case_list(user=user).filter(subject_type=subject_type, subject_id=subject_id)


def assignee_choices(*, case: Case, user):
    """Officers who may be given the case: those of its department (any department's for the 发改局, who
    may re-route it). Names of colleagues are what dispatch needs, so this list is not scoped like users."""
    from chanye.accounts.models import User
    from chanye.casework.services import handler_roles

    officers = User.objects.filter(is_active=True, role__in=handler_roles()).order_by(
        "department__position", "username"
    )
    if user.can("cases.escalate"):
        return officers.exclude(department=None)
    return officers.filter(department_id=case.department_id or 0)


# Pages of the subjects a case can be about, by subject type: (URL name, its argument is the subject id).
SUBJECT_PAGES = {"project": "projects:detail", "enterprise": "enterprises:detail"}


def subject_url(case: Case) -> str | None:
    from django.urls import NoReverseMatch, reverse

    name = SUBJECT_PAGES.get(case.subject_type)
    if name is None or not case.subject_id:
        return None
    try:
        return reverse(name, args=[case.subject_id])
    except NoReverseMatch:
        return None
