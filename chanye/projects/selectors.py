"""Reads of the key-project module, always through the user's scope."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from chanye.projects.models import AnnualPlan, Filing, FilingStatus, Project
from chanye.projects.services import ACTIVE_STAGES, due_on, filing_prefill


def project_list(*, user, year: int | None = None) -> QuerySet[Project]:
    """The projects this user may see, each with its plan for `year` and its latest cumulative that year."""
    queryset = Project.objects.visible_to(user).select_related("industry", "street", "department", "leader")
    if year is None:
        return queryset
    plans = AnnualPlan.objects.filter(project=OuterRef("pk"), year=year)
    latest = Filing.objects.filter(project=OuterRef("pk"), period__year=year).exclude(
        status=FilingStatus.DRAFT
    )
    return queryset.annotate(
        year_plan=Subquery(plans.values("planned_investment")[:1]),
        year_cumulative=Subquery(latest.order_by("-period").values("cumulative")[:1]),
    )


def latest_period(*, user) -> date:
    """The latest month with filings the user can see (this month's predecessor when there are none)."""
    found = Filing.objects.visible_to(user).order_by("-period").values_list("period", flat=True).first()
    if found:
        return found
    today = timezone.localdate()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


@dataclass
class FilingRow:
    project: Project
    filing: Filing | None
    due: date
    late: bool  # submitted after the deadline, or still not submitted after it

    @property
    def status_label(self) -> str:
        return self.filing.get_status_display() if self.filing else "未填报"


def filing_board(*, user, period: date, today: date | None = None) -> list[FilingRow]:
    """Every active project in scope with its filing for `period` (or none), its deadline and lateness."""
    today = today or timezone.localdate()
    due = due_on(period)
    projects = Project.objects.visible_to(user).filter(stage__in=ACTIVE_STAGES).order_by("code")
    filings = {f.project_id: f for f in Filing.objects.visible_to(user).filter(period=period)}
    rows = []
    for project in projects:
        filing = filings.get(project.pk)
        submitted = (
            filing is not None and filing.submitted_at is not None and filing.status != FilingStatus.RETURNED
        )
        if submitted:
            assert filing is not None and filing.submitted_at is not None
            late = timezone.localdate(filing.submitted_at) > due
        else:
            late = today > due
        rows.append(FilingRow(project, filing, due, late))
    return rows


def review_queue(*, user) -> QuerySet[Filing]:
    """Submitted filings waiting for this user's department (all of them for the DRC)."""
    queryset = Filing.objects.visible_to(user).filter(status=FilingStatus.SUBMITTED)
    if user.role == "department_officer":
        queryset = queryset.filter(project__department_id=user.department_id or 0)
    return queryset.select_related("project").order_by("period", "project__code")


def filing_or_prefill(*, project: Project, period: date) -> tuple[Filing | None, dict]:
    filing = Filing.objects.filter(project=project, period=period).first()
    if filing is not None:
        return filing, {
            name: getattr(filing, name)
            for name in ("investment", "cumulative", "milestones", "narrative", "blockers")
        }
    return None, filing_prefill(project=project, period=period)


def completion(plan: Decimal | None, cumulative: Decimal | None) -> Decimal | None:
    """Cumulative ÷ annual plan, in percent (None without a plan)."""
    if not plan:
        return None
    return (Decimal(cumulative or 0) * 100 / plan).quantize(Decimal("0.1"))
