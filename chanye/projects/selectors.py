"""Reads of the key-project module, always through the user's scope."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from chanye.accounts.scopes import project_owner
from chanye.core import statements
from chanye.projects.models import AnnualPlan, Filing, FilingRevision, FilingStatus, Project, Reminder
from chanye.projects.services import ACTIVE_STAGES, FILED_FIELDS, due_on, filing_prefill


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
    last_reminded: datetime | None = None  # the latest reminder about this month, to anyone

    @property
    def status_label(self) -> str:
        return self.filing.get_status_display() if self.filing else "未填报"


def filing_board(*, user, period: date, today: date | None = None) -> list[FilingRow]:
    """Every active project in scope with its filing for `period` (or none), its deadline, lateness and
    latest reminder: one query (a filing's scope is its project's), since every filer reads the board twice
    at the deadline; the columns the board shows and no more. An enterprise user's, by a fixed statement."""
    today = today or timezone.localdate()
    due = due_on(period)
    owner = project_owner(user)
    # annotated with the month's filing and latest reminder (filing_id, filing_status, …, reminded)
    projects: Iterable[Any] = _owner_board(owner, period) if owner is not None else _board(user, period)
    rows = []
    for project in projects:
        filing = None
        if project.filing_id is not None:
            # The columns read here, the others deferred (read on access, never a model default shown).
            filing = Filing.from_db(
                None,
                ["id", "project_id", "period", "status", "submitted_at"],
                [project.filing_id, project.pk, period, project.filing_status, project.filing_submitted_at],
            )
            filing.project = project
        submitted = (
            filing is not None and filing.submitted_at is not None and filing.status != FilingStatus.RETURNED
        )
        if submitted:
            assert filing is not None and filing.submitted_at is not None
            late = timezone.localdate(filing.submitted_at) > due
        else:
            late = today > due
        rows.append(FilingRow(project, filing, due, late, project.reminded))
    return rows


def _board(user, period: date) -> QuerySet[Project]:
    """The board's projects, each annotated with its month's filing (id, status, submitted_at) and the
    month's latest reminder."""
    return (
        Project.objects.visible_to(user)
        .filter(stage__in=ACTIVE_STAGES)
        .annotate(month=FilteredRelation("filings", condition=Q(filings__period=period)))
        .select_related("department")
        .only("code", "name", "department__name")
        .annotate(
            filing_id=F("month__id"),
            filing_status=F("month__status"),
            filing_submitted_at=F("month__submitted_at"),
            reminded=Subquery(
                Reminder.objects.filter(project=OuterRef("pk"), period=period)
                .order_by("-sent_at")
                .values("sent_at")[:1]
            ),
        )
        .order_by("code")
    )


def _owner_board(owner: int, period: date) -> list[Any]:
    """`_board` of an enterprise user (the projects of one owner), as a fixed statement."""
    from chanye.organizations.models import Department

    stages = ", ".join(["%s"] * len(ACTIVE_STAGES))
    found: Any = Project.objects.raw(
        "SELECT p.id, p.code, p.name, p.department_id, d.name AS department_name, f.id AS filing_id, "  # noqa: S608
        "f.status AS filing_status, f.submitted_at AS filing_submitted_at, "
        f"(SELECT r.sent_at FROM {Reminder._meta.db_table} r WHERE r.project_id = p.id AND r.period = %s "
        "ORDER BY r.sent_at DESC LIMIT 1) AS reminded "
        f"FROM {Project._meta.db_table} p "
        f"LEFT JOIN {Department._meta.db_table} d ON d.id = p.department_id "
        f"LEFT JOIN {Filing._meta.db_table} f ON f.project_id = p.id AND f.period = %s "
        f"WHERE p.owner_id = %s AND p.stage IN ({stages}) ORDER BY p.code",
        [statements.day(period), statements.day(period), owner, *ACTIVE_STAGES],
    )
    submitted_at = statements.converter(Filing, "submitted_at")
    sent_at = statements.converter(Reminder, "sent_at")
    projects = []
    for project in found:
        project.filing_submitted_at = submitted_at(project.filing_submitted_at)
        project.reminded = sent_at(project.reminded)
        project.department = (
            Department.from_db(None, ["id", "name"], [project.department_id, project.department_name])
            if project.department_id is not None
            else None
        )
        projects.append(project)
    return projects


def review_queue(*, user) -> QuerySet[Filing]:
    """Submitted filings waiting for this user's department (all of them for the DRC)."""
    queryset = Filing.objects.visible_to(user).filter(status=FilingStatus.SUBMITTED)
    if user.role == "department_officer":
        queryset = queryset.filter(project__department_id=user.department_id or 0)
    return queryset.select_related("project").order_by("period", "project__code")


# What a filing page and a save read of the project: its name, who may file (the owner), the department
# that reviews. Anything else would be a query per access, so the filing code reads nothing else.
FILED_PROJECT_COLUMNS = ("id", "code", "name", "owner_id", "department_id")


def filed_project(*, user, code: str) -> Project | None:
    """The project of a filing page or a save, if this user may see it: its `FILED_PROJECT_COLUMNS` only.
    An enterprise user's (the deadline's thousands of readers) by a fixed statement."""
    owner = project_owner(user)
    if owner is None:
        return Project.objects.visible_to(user).only(*FILED_PROJECT_COLUMNS).filter(code=code).first()
    found = list(
        Project.objects.raw(
            f"SELECT {', '.join(FILED_PROJECT_COLUMNS)} FROM {Project._meta.db_table} "  # noqa: S608
            "WHERE code = %s AND owner_id = %s",
            [code, owner],
        )
    )
    return found[0] if found else None


def filing_or_prefill(*, project: Project, period: date) -> tuple[Filing | None, dict]:
    """The month's filing and its values, or (None, the prefill). One fixed statement reads the month's
    filing and the one before it that the prefill continues (the same year's latest earlier one that is not
    a draft)."""
    month, earlier = None, None
    for filing in Filing.objects.raw(
        f"SELECT {statements.columns(Filing)} FROM {Filing._meta.db_table} "  # noqa: S608
        "WHERE project_id = %s AND period >= %s AND period <= %s AND (period = %s OR status <> %s) "
        "ORDER BY period DESC LIMIT 2",
        [
            project.pk,
            statements.day(period.replace(month=1)),
            statements.day(period),
            statements.day(period),
            FilingStatus.DRAFT,
        ],
    ):
        if filing.period == period:
            month = filing
        elif earlier is None:
            earlier = filing
    if month is not None:
        return month, {name: getattr(month, name) for name in FILED_FIELDS}
    return None, filing_prefill(project=project, period=period, previous=earlier)


def filing_revisions(*, filing: Filing, limit: int = 50) -> list[FilingRevision]:
    """A filing's history, newest first, each with who made it (`by_username`, `by_display_name`): one
    fixed statement."""
    from django.contrib.auth import get_user_model

    return list(
        FilingRevision.objects.raw(
            f"SELECT {statements.columns(FilingRevision, 'r')}, u.username AS by_username, "  # noqa: S608
            "u.display_name AS by_display_name "
            f"FROM {FilingRevision._meta.db_table} r "
            f"LEFT JOIN {get_user_model()._meta.db_table} u ON u.id = r.by_id "
            "WHERE r.filing_id = %s ORDER BY r.at DESC, r.id DESC LIMIT %s",
            [filing.pk, limit],
        )
    )


def completion(plan: Decimal | None, cumulative: Decimal | None) -> Decimal | None:
    """Cumulative ÷ annual plan, in percent (None without a plan)."""
    if not plan:
        return None
    return (Decimal(cumulative or 0) * 100 / plan).quantize(Decimal("0.1"))


def current_rules():
    """The light rules in force: the newest saved version, the published defaults where it is silent."""
    from chanye.projects import lights
    from chanye.projects.models import LightRules

    saved = LightRules.objects.order_by("-id").values_list("rules", flat=True).first()
    return lights.RuleSet.from_dict(saved) if saved else lights.DEFAULT_RULES


def project_months(*, user, period: date, projects: QuerySet[Project] | None = None) -> list:
    """Each visible project's state at the end of `period`, as the light rules read it."""
    import calendar

    from chanye.projects import lights
    from chanye.projects.models import Bond, BondSpend

    projects = (projects if projects is not None else Project.objects.visible_to(user)).order_by("code")
    ids = list(projects.values_list("pk", flat=True))
    plans = {p.project_id: p for p in AnnualPlan.objects.filter(project_id__in=ids, year=period.year)}
    filings = {
        f.project_id: f
        for f in Filing.objects.filter(project_id__in=ids, period=period).exclude(status=FilingStatus.DRAFT)
    }
    month_end = period.replace(day=calendar.monthrange(period.year, period.month)[1])
    spent: dict[int, Decimal] = {}
    for bond_id, amount in BondSpend.objects.filter(bond__project_id__in=ids, period__lte=period).values_list(
        "bond_id", "amount"
    ):
        spent[bond_id] = spent.get(bond_id, Decimal(0)) + amount
    bonds: dict[int, list] = {}
    for bond in Bond.objects.filter(project_id__in=ids, issued_on__lte=month_end):
        bonds.setdefault(bond.project_id, []).append(
            lights.BondState(
                batch=bond.batch,
                amount=bond.amount,
                issued_on=bond.issued_on,
                spent=spent.get(bond.pk, Decimal(0)),
                window_months=bond.window_months,
            )
        )
    today = timezone.localdate()
    due = due_on(period)
    months = []
    for project in projects:
        plan = plans.get(project.pk)
        filing = filings.get(project.pk)
        if filing is not None and filing.submitted_at is not None:
            late = timezone.localdate(filing.submitted_at) > due
        else:
            late = today > due and project.stage in ACTIVE_STAGES
        curve = (
            [Decimal(str(value)) for value in plan.curve] if plan and len(plan.curve or []) == 12 else None
        )
        months.append(
            (
                project,
                lights.ProjectMonth(
                    code=project.code,
                    name=project.name,
                    year=period.year,
                    month=period.month,
                    stage=project.stage,
                    annual_plan=plan.planned_investment if plan else None,
                    plan_curve=tuple(curve) if curve else None,
                    actual_cumulative=filing.cumulative if filing else None,
                    planned_start=project.planned_start,
                    actual_start=project.actual_start
                    if project.actual_start and project.actual_start <= month_end
                    else None,
                    bonds=tuple(bonds.get(project.pk, ())),
                    filed_late=late,
                ),
            )
        )
    return months


def project_lights(*, user, period: date, rules=None, projects=None) -> list[tuple[Project, object]]:
    """Every visible project's light at the end of `period`, with the rule and the numbers that lit it."""
    from chanye.projects import lights

    rules = rules or current_rules()
    if projects is not None and not isinstance(projects, QuerySet):
        projects = Project.objects.filter(pk__in=[p.pk for p in projects])
    months = project_months(user=user, period=period, projects=projects)
    return [(project, lights.evaluate(month, rules)) for project, month in months]


def project_blockers(*, user, project: Project):
    """The project's blockers (要素保障问题) in casework the user may see, open ones first."""
    from chanye.casework.models import Case

    return (
        Case.objects.visible_to(user)
        .filter(subject_type="project", subject_id=project.code)
        .select_related("department")
        .order_by("closed_at", "deadline")
    )


def monthly_rows(*, user, period: date) -> list:
    """The rows of the monthly table: each visible project with its plan, cumulative, light and report."""
    from chanye.projects import exports, lights

    rules = current_rules()
    projects = Project.objects.visible_to(user).select_related(
        "owner", "industry", "street", "leader", "department"
    )
    months = project_months(user=user, period=period, projects=projects)  # plans and cumulatives read once
    filings = {f.project_id: f for f in Filing.objects.filter(project__in=projects, period=period)}
    rows = []
    for project, month in months:
        light = lights.evaluate(month, rules)
        filing = filings.get(project.pk)
        rows.append(
            exports.Row(
                code=project.code,
                name=project.name,
                stage=project.stage,
                owner=project.owner.name if project.owner else "",
                industry=project.industry.name if project.industry else "",
                street=project.street.name if project.street else "",
                total=project.total_investment,
                plan=month.annual_plan,
                cumulative=month.actual_cumulative,
                schedule=lights.schedule_share(month.plan_curve, period.month)
                if month.annual_plan is not None
                else None,
                colour=light.colour,
                reason=light.sentence,
                narrative=filing.narrative if filing else "",
                blockers=filing.blockers if filing else "",
                leader=project.leader.title if project.leader else "",
                department=project.department.name if project.department else "",
                status=filing.get_status_display() if filing else "未填报",
            )
        )
    return rows


def fai_target(year: int) -> Decimal | None:
    """The district's FAI target for `year` from the loaded system definition (亿元 there, 万元 here)."""
    from chanye.enterprises.services import current_system

    system = current_system()
    if system is None or system.current_version is None:
        return None
    for target in system.current_version.definition.get("targets", []):
        if (
            target.get("indicator") == "fai"
            and target.get("scope") == "district"
            and target.get("year") == year
        ):
            return Decimal(str(target["value"])) * 10000
    return None


def fai_forecast(*, user, year: int, as_of: int):
    """The year's FAI forecast over the visible projects with a plan that year (chanye.projects.forecast)."""
    from chanye.projects import forecast

    plans = AnnualPlan.objects.filter(project__in=Project.objects.visible_to(user), year=year).select_related(
        "project"
    )
    actual: dict[int, dict[int, Decimal]] = {}
    for project_id, period, investment in (
        Filing.objects.filter(
            project__in=[p.project_id for p in plans], period__year=year, period__month__lte=as_of
        )
        .exclude(status=FilingStatus.DRAFT)
        .values_list("project_id", "period", "investment")
    ):
        actual.setdefault(project_id, {})[period.month] = investment
    inputs = [
        forecast.ProjectInput(
            code=plan.project.code,
            name=plan.project.name,
            annual_plan=plan.planned_investment,
            plan_curve=tuple(Decimal(str(v)) for v in plan.curve) if len(plan.curve or []) == 12 else None,
            actual=actual.get(plan.project_id, {}),
        )
        for plan in plans
    ]
    target = fai_target(year)
    return forecast.district_forecast(inputs, target if target is not None else Decimal(0), as_of), target


ROLLUP_KEYS = {
    "industry": "所属产业",
    "street": "所在街道",
    "leader": "责任区领导",
    "department": "责任部门",
    "stage": "项目阶段",
}


@dataclass
class Rollup:
    key: str
    count: int = 0
    total: Decimal = Decimal(0)
    plan: Decimal = Decimal(0)
    cumulative: Decimal = Decimal(0)
    colours: dict[str, int] | None = None

    @property
    def rate(self) -> Decimal | None:
        return completion(self.plan, self.cumulative)


def rollup(*, user, period: date, by: str) -> list[Rollup]:
    """The visible projects grouped by industry, street, leader, department or stage: counts, investment,
    the year's plan and cumulative, completion, and how many of each light."""
    from chanye.projects.models import Stage

    if by not in ROLLUP_KEYS:
        raise ValueError(f"不能按「{by}」汇总（可按 {'、'.join(ROLLUP_KEYS.values())}）")
    groups: dict[str, Rollup] = {}
    for row in monthly_rows(user=user, period=period):
        key = Stage(row.stage).label if by == "stage" else getattr(row, by) or "（未填）"
        group = groups.setdefault(str(key), Rollup(str(key), colours={}))
        group.count += 1
        group.total += row.total
        group.plan += row.plan or 0
        group.cumulative += row.cumulative or 0
        assert group.colours is not None
        group.colours[row.colour] = group.colours.get(row.colour, 0) + 1
    return sorted(groups.values(), key=lambda g: -g.total)
