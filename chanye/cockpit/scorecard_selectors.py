"""Reads of the scorecards (计分卡): for one district leader or one department, the industries they answer for
(the responsibility matrix), the enterprises they liaise with and the visits overdue, their key projects with
each project's light and its reason, their targets with status, and the open cases they owe.

Who sees which scorecard: the 发改局 and district leaders every one (the leadership reads each other's cards in
the cockpit); a department officer their own department's; nobody else. A scorecard shows the subject's whole
portfolio once the card may be seen (a leader reading a colleague's card sees the colleague's projects), except
targets on indicators the reader may not see (限定范围). Every figure comes with its rows (`Scorecard.rows`),
from the same lists, so a number and the rows behind it cannot disagree.

The detail pages behind the rows (an enterprise, a project, a case, an industry, an indicator's series) keep
the reader's own data scope, so a row is a link only where the reader may open it (`Scorecard.reach`) and is
named without a link otherwise: the card's numbers and rows stay the same whoever reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from chanye.accounts.roles import Role
from chanye.casework.models import ACTIVE, Case
from chanye.enterprises.models import Enterprise, Liaison
from chanye.enterprises.selectors import VisitStatus, visit_status
from chanye.indicators.models import Indicator
from chanye.industries.models import Industry
from chanye.organizations.models import Department, Leader, Responsibility
from chanye.projects import lights
from chanye.projects.models import Filing, Project
from chanye.projects.selectors import completion, current_rules, project_months
from chanye.targets import selectors as target_selectors
from chanye.targets.models import Target
from chanye.targets.selectors import TargetStatus

Kind = Literal["leader", "department"]
SECTIONS = {
    "industries": "负责产业",
    "enterprises": "挂点企业",
    "projects": "重点项目",
    "targets": "目标",
    "cases": "待办案件",
}
COLOURS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "未亮灯"}
STATUSES = ("达标", "正常", "预警", "滞后", "无数据")
# The filters a section's rows take (query parameter → allowed values), for the pages and the API links.
FILTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "industries": {},
    "enterprises": {"overdue": ("1",)},
    "projects": {"colour": tuple(COLOURS)},
    "targets": {"status": STATUSES},
    "cases": {"overdue": ("1",), "escalated": ("1",)},
}


# Who sees which scorecard.


def can_view_scorecards(user) -> bool:
    """District leaders, the 发改局 and department officers (their own department's) read scorecards."""
    return (
        user is not None
        and user.is_authenticated
        and user.can("system.view")
        and user.role in (Role.DISTRICT_LEADER, Role.DRC_ADMIN, Role.DEPARTMENT_OFFICER)
    )


def scorecard_leaders(*, user) -> QuerySet[Leader]:
    """The leaders whose scorecards this user may read: all of them for the 发改局 and district leaders."""
    if can_view_scorecards(user) and user.role in (Role.DISTRICT_LEADER, Role.DRC_ADMIN):
        return Leader.objects.filter(active=True)
    return Leader.objects.none()


def scorecard_departments(*, user) -> QuerySet[Department]:
    """The departments whose scorecards this user may read: all for the 发改局 and leaders, else their own."""
    if not can_view_scorecards(user):
        return Department.objects.none()
    departments = Department.objects.filter(active=True)
    if user.role == Role.DEPARTMENT_OFFICER:
        return departments.filter(pk=user.department_id or 0)
    return departments


# The scorecard.


@dataclass
class IndustryRow:
    responsibility: Responsibility
    roles: list[str]  # 牵头 / 配合 / 产业办 / 工作专班

    @property
    def industry(self):
        return self.responsibility.industry


@dataclass
class ProjectRow:
    project: Project
    light: lights.Light
    plan: Decimal | None  # the year's planned investment, 万元
    cumulative: Decimal | None  # invested this year to the month, 万元

    @property
    def completion(self) -> Decimal | None:
        return completion(self.plan, self.cumulative)


@dataclass
class Reach:
    """The rows of a card whose detail page the reader may open (ids, per section), and whether the
    subject's own page (职责与分工) opens. Worked out once per card: one query per section, not per row."""

    subject: bool = False
    industries: set[int] = field(default_factory=set)
    enterprises: set[int] = field(default_factory=set)
    projects: set[int] = field(default_factory=set)
    targets: set[int] = field(default_factory=set)  # whose indicator page (district or industry) opens
    cases: set[int] = field(default_factory=set)


@dataclass
class Scorecard:
    kind: Kind
    subject: Leader | Department
    period: date  # the month of the lights
    as_of: date  # the month the targets are seen from
    today: date
    industries: list[IndustryRow] = field(default_factory=list)
    liaisons: list[VisitStatus] = field(default_factory=list)
    projects: list[ProjectRow] = field(default_factory=list)
    targets: list[TargetStatus] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)  # open ones, nearest deadline first
    reach: Reach = field(default_factory=Reach)

    @property
    def name(self) -> str:
        return self.subject.title if isinstance(self.subject, Leader) else self.subject.name

    # The rows behind each figure.

    def rows(self, section: str, filters: dict[str, str] | None = None) -> list:
        """The rows of a section, narrowed by its filters (see FILTERS); ValueError names a bad one."""
        filters = {key: value for key, value in (filters or {}).items() if value not in ("", None)}
        allowed = FILTERS.get(section)
        if allowed is None:
            raise ValueError(f"没有「{section}」这一栏（可选：{'、'.join(SECTIONS)}）")
        for key, value in filters.items():
            if key not in allowed:
                raise ValueError(f"「{SECTIONS[section]}」不能按「{key}」筛选")
            if value not in allowed[key]:
                raise ValueError(f"筛选条件 {key} 应为 {'、'.join(allowed[key])} 之一，而不是「{value}」")
        if section == "industries":
            return list(self.industries)
        if section == "enterprises":
            return [s for s in self.liaisons if not filters.get("overdue") or s.overdue]
        if section == "projects":
            colour = filters.get("colour")
            return [row for row in self.projects if not colour or row.light.colour == colour]
        if section == "targets":
            status = filters.get("status")
            return [item for item in self.targets if not status or item.outlook.status.value == status]
        return [
            case
            for case in self.cases
            if (not filters.get("overdue") or case.deadline < self.today)
            and (not filters.get("escalated") or case.escalation_level > 0)
        ]

    # The figures.

    def figures(self) -> dict[str, Any]:
        """Every number of the card, counted from the same rows the row pages list."""
        projects = self.rows("projects")
        return {
            "industries": {"count": len(self.industries)},
            "enterprises": {
                "count": len(self.liaisons),
                "overdue": len(self.rows("enterprises", {"overdue": "1"})),
            },
            "projects": {
                "count": len(projects),
                "total_investment": sum((row.project.total_investment for row in projects), Decimal(0)),
                "plan": sum((row.plan or Decimal(0) for row in projects), Decimal(0)),
                "cumulative": sum((row.cumulative or Decimal(0) for row in projects), Decimal(0)),
                "lights": {colour: len(self.rows("projects", {"colour": colour})) for colour in COLOURS},
            },
            "targets": {
                "count": len(self.targets),
                "statuses": {status: len(self.rows("targets", {"status": status})) for status in STATUSES},
            },
            "cases": {
                "open": len(self.cases),
                "overdue": len(self.rows("cases", {"overdue": "1"})),
                "escalated": len(self.rows("cases", {"escalated": "1"})),
            },
        }

    @property
    def completion(self) -> Decimal | None:
        figures = self.figures()["projects"]
        return completion(figures["plan"], figures["cumulative"])


def latest_filing_month() -> date:
    """The month of the latest project filing in the library (last month when there is none)."""
    found = Filing.objects.order_by("-period").values_list("period", flat=True).first()
    if found:
        return found
    today = timezone.localdate()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


def leader_scorecard(*, user, leader: Leader, month: date | None = None) -> Scorecard:
    """A district leader's card: industries led (or whose task force they head), liaison enterprises, the key
    projects they answer for, the targets of their industries, the open cases they supervise."""
    current = _current()
    rows = [
        IndustryRow(r, _roles(r, leader=leader))
        for r in current.filter(Q(leader=leader) | Q(task_force__head=leader)).distinct()
    ]
    industry_ids = [row.industry.pk for row in rows]
    return _scorecard(
        user=user,
        kind="leader",
        subject=leader,
        month=month,
        industries=rows,
        liaisons=Liaison.objects.filter(leader=leader),
        projects=Project.objects.filter(leader=leader),
        targets=Target.objects.filter(industry_id__in=industry_ids),
        cases=Case.objects.filter(leader=leader),
    )


def department_scorecard(*, user, department: Department, month: date | None = None) -> Scorecard:
    """A department's card: industries it leads, supports, hosts the office of or leads the task force of;
    the enterprises it serves, the key projects it answers for, the targets of its industries and of the
    indicators it owns, the open cases it is responsible for."""
    current = _current()
    on = (
        Q(lead_department=department)
        | Q(supporting_departments=department)
        | Q(office__host_department=department)
        | Q(task_force__lead_department=department)
    )
    rows = [IndustryRow(r, _roles(r, department=department)) for r in current.filter(on).distinct()]
    industry_ids = [row.industry.pk for row in rows]
    return _scorecard(
        user=user,
        kind="department",
        subject=department,
        month=month,
        industries=rows,
        liaisons=Liaison.objects.filter(department=department),
        projects=Project.objects.filter(department=department),
        targets=Target.objects.filter(Q(industry_id__in=industry_ids) | Q(indicator__owner=department)),
        cases=Case.objects.filter(department=department),
    )


def _current() -> QuerySet[Responsibility]:
    return (
        Responsibility.objects.filter(valid_to__isnull=True, industry__active=True)
        .select_related("industry", "leader", "lead_department", "office", "task_force")
        .prefetch_related("supporting_departments")
        .order_by("industry__system__code", "industry__position")
    )


def _roles(row: Responsibility, *, leader: Leader | None = None, department: Department | None = None):
    if leader is not None:
        return [
            label
            for label, holds in (
                ("牵头", row.leader_id == leader.pk),
                ("工作专班", row.task_force is not None and row.task_force.head_id == leader.pk),
            )
            if holds
        ]
    assert department is not None
    return [
        label
        for label, holds in (
            ("牵头", row.lead_department_id == department.pk),
            ("配合", any(d.pk == department.pk for d in row.supporting_departments.all())),
            ("产业办", row.office is not None and row.office.host_department_id == department.pk),
            ("工作专班", row.task_force is not None and row.task_force.lead_department_id == department.pk),
        )
        if holds
    ]


def _scorecard(
    *,
    user,
    kind: Kind,
    subject,
    month: date | None,
    industries: list[IndustryRow],
    liaisons: QuerySet[Liaison],
    projects: QuerySet[Project],
    targets: QuerySet[Target],
    cases: QuerySet[Case],
) -> Scorecard:
    from chanye.enterprises.services import current_system

    today = timezone.localdate()
    period = month or latest_filing_month()
    as_of = month or target_selectors.latest_month(user=None)
    board = [
        visit_status(liaison, liaison.last, today)
        for liaison in liaisons.select_related("enterprise", "leader", "department").annotate(
            last=Max("enterprise__visits__visited_on")
        )
    ]
    board.sort(key=lambda status: (not status.overdue, status.due))
    rules = current_rules()
    project_rows = [
        ProjectRow(project, lights.evaluate(state, rules), state.annual_plan, state.actual_cumulative)
        for project, state in project_months(
            user=None,
            period=period,
            projects=projects.select_related("industry", "owner", "street", "leader", "department"),
        )
    ]
    system = current_system()
    chosen = list(
        targets.filter(active=True, system=system, indicator__in=Indicator.objects.visible_to(user))
        .select_related("indicator", "industry", "system")
        .order_by("year", "industry__position", "indicator__position", "id")
    )
    outlooks = target_selectors.target_outlooks(user=None, as_of=as_of, targets=chosen) if chosen else []
    open_cases = list(
        cases.filter(status__in=ACTIVE)
        .select_related("enterprise", "department", "leader", "assignee")
        .order_by("deadline", "id")
    )
    return Scorecard(
        kind=kind,
        subject=subject,
        period=period,
        as_of=as_of,
        today=today,
        industries=industries,
        liaisons=board,
        projects=project_rows,
        targets=outlooks,
        cases=open_cases,
        reach=_reach(
            user=user,
            subject=subject,
            industries={row.industry.pk for row in industries},
            enterprises={status.liaison.enterprise_id for status in board},
            projects={row.project.pk for row in project_rows},
            targets=chosen,
            cases={case.pk for case in open_cases},
        ),
    )


def _reach(
    *,
    user,
    subject: Leader | Department,
    industries: set[int],
    enterprises: set[int],
    projects: set[int],
    targets: list[Target],
    cases: set[int],
) -> Reach:
    """Which of these rows the reader may open, through the same `visible_to` the detail pages use."""
    from chanye.indicators.selectors import industries_in_scope

    def opens(model, ids: set[int]) -> set[int]:
        if not ids:
            return set()
        return set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))

    # An indicator page names the industry of an industry target; it opens for the industries in scope.
    target_industries = {t.industry_id for t in targets if t.industry_id is not None}
    series_industries = (
        set(industries_in_scope(user=user).filter(pk__in=target_industries).values_list("pk", flat=True))
        if target_industries
        else set()
    )
    return Reach(
        subject=type(subject).objects.visible_to(user).filter(pk=subject.pk).exists(),
        industries=opens(Industry, industries),
        enterprises=opens(Enterprise, enterprises),
        projects=opens(Project, projects),
        targets={t.pk for t in targets if t.industry_id is None or t.industry_id in series_industries},
        cases=opens(Case, cases),
    )


# The index pages: a few counts per leader or department, in a handful of queries.


@dataclass
class IndexRow:
    subject: Leader | Department
    industries: int = 0
    enterprises: int = 0
    projects: int = 0
    lights: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    overdue_cases: int = 0


def scorecard_index(*, user, kind: Kind, month: date | None = None) -> list[IndexRow]:
    """Every leader (or department) whose card this user may read, with its counts: industries, liaison
    enterprises, key projects by light in the month, open and overdue cases."""
    subjects: list[Leader | Department] = [
        *(scorecard_leaders(user=user) if kind == "leader" else scorecard_departments(user=user))
    ]
    rows = {subject.pk: IndexRow(subject, lights=dict.fromkeys(COLOURS, 0)) for subject in subjects}
    if not rows:
        return []
    ids = list(rows)
    current = Responsibility.objects.filter(valid_to__isnull=True, industry__active=True)
    if kind == "leader":
        pairs = current.filter(Q(leader_id__in=ids) | Q(task_force__head_id__in=ids)).values_list(
            "industry_id", "leader_id", "task_force__head_id"
        )
        owners = {(industry, owner) for industry, *holders in pairs for owner in holders if owner in rows}
    else:
        owners = set()
        for path in (
            "lead_department_id",
            "supporting_departments",
            "office__host_department_id",
            "task_force__lead_department_id",
        ):
            owners |= {
                (industry, owner)
                for industry, owner in current.values_list("industry_id", path)
                if owner in rows
            }
    for _industry, owner in owners:
        rows[owner].industries += 1
    field_name = "leader_id" if kind == "leader" else "department_id"
    for owner, n in (
        Liaison.objects.filter(**{f"{field_name}__in": ids})
        .values_list(field_name)
        .annotate(n=Count("id"))
        .order_by()
    ):
        rows[owner].enterprises = n
    today = timezone.localdate()
    for owner, n, late in (
        Case.objects.filter(**{f"{field_name}__in": ids}, status__in=ACTIVE)
        .values_list(field_name)
        .annotate(n=Count("id"), late=Count("id", filter=Q(deadline__lt=today)))
        .order_by()
    ):
        rows[owner].cases, rows[owner].overdue_cases = n, late
    rules = current_rules()
    projects = Project.objects.filter(**{f"{field_name}__in": ids})
    for project, state in project_months(user=None, period=month or latest_filing_month(), projects=projects):
        row = rows[getattr(project, field_name)]
        row.projects += 1
        colour = lights.evaluate(state, rules).colour
        row.lights[colour] = row.lights.get(colour, 0) + 1
    return list(rows.values())
