"""The deadline pages' fixed statements read what their ORM forms read: the filing board, the project of a
filing page, the month's filing with the one the prefill continues, the year's plan and the history — for
enterprise users of two firms and users that read through `visible_to`, months at the year's edges, every
filing status, reminders and projects without a department."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chanye.accounts.roles import Role
from chanye.accounts.scopes import project_owner
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.services import enterprise_save
from chanye.organizations.models import Department, Street
from chanye.projects import selectors, services
from chanye.projects.models import AnnualPlan, Filing, FilingStatus, Project, Reminder

pytestmark = pytest.mark.django_db
MONTHS = [date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)]


@pytest.fixture
def world(systems, make_user):
    firms = [
        enterprise_save(by=None, values={"uscc": uscc_for(number), "name": name})
        for number, name in ((11, "广州天越软件有限公司"), (12, "广州星德智能科技有限公司"))
    ]
    users = {
        "firm_a": make_user("firm_a", Role.ENTERPRISE_USER, enterprise=firms[0]),
        "firm_b": make_user("firm_b", Role.ENTERPRISE_USER, enterprise=firms[1]),
        "no_firm": make_user("no_firm", Role.ENTERPRISE_USER),
        "dept": make_user("iit2", Role.DEPARTMENT_OFFICER, department=Department.objects.get(code="IIT")),
        "street": make_user("street2", Role.STREET_OFFICER, street=Street.objects.get(code="TH01")),
        "drc": make_user("drc2", Role.DRC_ADMIN, department=Department.objects.get(code="DRC")),
    }
    industry = systems.industries.get(code="SW")
    iit = Department.objects.get(code="IIT")
    specs = [  # code, owner, stage, department
        ("TH2025-801", firms[0], "continuing", iit),
        ("TH2025-802", firms[0], "new", None),
        ("TH2025-803", firms[0], "reserve", iit),
        ("TH2025-804", firms[0], "completed", iit),
        ("TH2025-805", firms[1], "continuing", iit),
        ("TH2025-806", firms[1], "new", iit),
    ]
    projects = []
    for code, owner, stage, department in specs:
        project = Project.objects.create(
            code=code,
            name=f"{owner.name[:6]}项目{code[-3:]}",
            owner=owner,
            industry=industry,
            street=Street.objects.get(code="TH01"),
            department=department,
            stage=stage,
            total_investment=Decimal(50000),
        )
        AnnualPlan.objects.create(project=project, year=2025, planned_investment=Decimal(12000))
        projects.append(project)
    a1, a2, _reserve, _done, b1, b2 = projects
    owner_a, owner_b = users["firm_a"], users["firm_b"]

    def file(project, month, by, *, submit=True, amount=1000, cumulative=None):
        return services.filing_save(
            project=project,
            period=month,
            values={"investment": amount, "cumulative": amount if cumulative is None else cumulative},
            by=by,
            expected_version=None,
            submit=submit,
        )

    file(a1, date(2024, 12, 1), owner_a, amount=700)
    file(a1, date(2025, 1, 1), owner_a)
    services.filing_accept(filing=Filing.objects.get(project=a1, period=date(2025, 1, 1)), by=users["dept"])
    file(a1, date(2025, 2, 1), owner_a, submit=False, cumulative=2000)  # a draft: the prefill skips it
    returned = file(a2, date(2025, 1, 1), owner_a)
    services.filing_return(filing=returned, reason="与凭证不符", by=users["drc"])
    file(a2, date(2025, 3, 1), owner_a, amount=300, cumulative=1300)
    file(b1, date(2025, 2, 1), owner_b)
    for project, month, at in (
        (a1, date(2025, 3, 1), datetime(2025, 4, 6, 1, 30, tzinfo=UTC)),
        (a1, date(2025, 3, 1), datetime(2025, 4, 7, 2, 45, tzinfo=UTC)),  # the later one shows
        (b2, date(2025, 2, 1), datetime(2025, 3, 6, 16, 30, tzinfo=UTC)),  # the next day in Beijing
    ):
        Reminder.objects.create(
            project=project,
            period=month,
            recipient=owner_a if project.owner_id == firms[0].pk else owner_b,
            channel="inbox",
            sent_on=at.date(),
            sent_at=at,
        )
    return users, projects


def _orm(monkeypatch):
    """Everyone read through `visible_to`, as every user but an enterprise user is."""
    monkeypatch.setattr(selectors, "project_owner", lambda user: None)


def _board(user, period):
    return [
        (
            row.project.pk,
            row.project.code,
            row.project.name,
            row.project.department.name if row.project.department else None,
            (row.filing.pk, row.filing.status, row.filing.submitted_at) if row.filing else None,
            row.status_label,
            row.due,
            row.late,
            row.last_reminded,
        )
        for row in selectors.filing_board(user=user, period=period, today=date(2025, 4, 6))
    ]


def test_the_board_reads_the_same_either_way(world, monkeypatch):
    users, _projects = world
    fixed = {(name, month): _board(users[name], month) for name in users for month in MONTHS}
    assert project_owner(users["firm_a"]) == users["firm_a"].enterprise_id
    assert project_owner(users["dept"]) is None and project_owner(users["no_firm"]) is None
    users["firm_a"].is_active = False  # an inactive user reads through visible_to: nothing
    assert project_owner(users["firm_a"]) is None and _board(users["firm_a"], MONTHS[3]) == []
    users["firm_a"].is_active = True
    assert {code for _pk, code, *_ in fixed["firm_a", MONTHS[3]]} == {"TH2025-801", "TH2025-802"}
    assert fixed["firm_a", MONTHS[3]][0][-1] == datetime(2025, 4, 7, 2, 45, tzinfo=UTC)
    assert fixed["firm_b", MONTHS[2]][1][-1] == datetime(2025, 3, 6, 16, 30, tzinfo=UTC)
    assert fixed["firm_a", MONTHS[1]][1][4][1] == FilingStatus.RETURNED and fixed["no_firm", MONTHS[1]] == []
    _orm(monkeypatch)
    assert {(name, month): _board(users[name], month) for name in users for month in MONTHS} == fixed


def test_a_filing_page_reads_the_same_project_filing_prefill_plan_and_history(world, monkeypatch):
    users, projects = world

    def reads():
        found = {}
        for name, user in users.items():
            for project in projects:
                seen = selectors.filed_project(user=user, code=project.code)
                found[name, project.code] = seen and (
                    seen.pk,
                    seen.code,
                    seen.name,
                    seen.owner_id,
                    seen.department_id,
                )
        for project in projects:
            for month in MONTHS:
                filing, values = selectors.filing_or_prefill(project=project, period=month)
                history = (
                    [
                        (r.pk, r.at, r.action, r.status, r.changes, r.note, r.by_username, r.by_display_name)
                        for r in selectors.filing_revisions(filing=filing)
                    ]
                    if filing
                    else None
                )
                found[project.code, month] = (
                    filing and (filing.pk, filing.version, filing.submitted_at, filing.milestones),
                    values,
                    history,
                    services.filing_prefill(project=project, period=month),
                )
        return found

    fixed = reads()
    assert fixed["firm_a", "TH2025-801"][0] == projects[0].pk and fixed["firm_a", "TH2025-805"] is None
    assert fixed["no_firm", "TH2025-801"] is None and fixed["drc", "TH2025-805"][0] == projects[4].pk
    # February's draft is the month's filing; March continues from January (accepted), not from the draft
    assert fixed["TH2025-801", date(2025, 2, 1)][1]["cumulative"] == Decimal(2000)
    assert fixed["TH2025-801", date(2025, 3, 1)][1]["cumulative"] == Decimal(2000)  # 1,000 + 1,000 planned
    assert fixed["TH2025-801", date(2025, 1, 1)][1]["cumulative"] == Decimal(1000)  # not December's 700
    assert [h[2] for h in fixed["TH2025-802", date(2025, 1, 1)][2]] == ["return", "submit"]
    assert fixed["TH2025-802", date(2025, 1, 1)][2][0][6:] == ("drc2", "drc2")
    _orm(monkeypatch)

    def orm_filing_or_prefill(*, project, period):
        month, earlier = None, None
        for filing in (
            Filing.objects.filter(project=project, period__year=period.year, period__lte=period)
            .exclude(period__lt=period, status=FilingStatus.DRAFT)
            .order_by("-period")[:2]
        ):
            if filing.period == period:
                month = filing
            elif earlier is None:
                earlier = filing
        if month is not None:
            return month, {name: getattr(month, name) for name in services.FILED_FIELDS}
        return None, services.filing_prefill(project=project, period=period, previous=earlier)

    def orm_revisions(*, filing):
        revisions = list(filing.revisions.select_related("by")[:50])
        for revision in revisions:
            revision.by_username = revision.by.username if revision.by else None
            revision.by_display_name = revision.by.display_name if revision.by else None
        return revisions

    monkeypatch.setattr(selectors, "filing_or_prefill", orm_filing_or_prefill)
    monkeypatch.setattr(selectors, "filing_revisions", orm_revisions)
    monkeypatch.setattr(services, "_year_plan", lambda project, year: project.plans.filter(year=year).first())
    assert reads() == fixed
