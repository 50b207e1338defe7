"""Monthly filing as its users live it: the owner files a prefilled report in one step, the responsible
department accepts or returns it, stale saves are refused, late filers are listed, and the demo library
matches the published figures."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from chanye.audit.models import AuditEvent
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.services import enterprise_save
from chanye.organizations.models import Department, Street
from chanye.projects import selectors, services
from chanye.projects.models import (
    AnnualPlan,
    Filing,
    FilingRevision,
    FilingStatus,
    Milestone,
    MilestoneKind,
    Project,
)

pytestmark = pytest.mark.django_db
MARCH = date(2025, 3, 1)


@pytest.fixture
def project(systems, personas):
    """A software-park project of firm1's enterprise, under 工信局 (the `dept` persona's department)."""
    owner = enterprise_save(by=None, values={"uscc": uscc_for(7), "name": "广州天越软件有限公司"})
    personas["enterprise"].enterprise = owner
    personas["enterprise"].save()
    project = Project.objects.create(
        code="TH2025-900",
        name="天越软件产业园",
        owner=owner,
        industry=systems.industries.get(code="SW"),
        street=Street.objects.get(code="TH01"),
        department=Department.objects.get(code="IIT"),
        stage="continuing",
        total_investment=Decimal(200000),
    )
    AnnualPlan.objects.create(project=project, year=2025, planned_investment=Decimal(12000))
    Milestone.objects.create(project=project, kind=MilestoneKind.TOPPING, planned_on=date(2025, 3, 20))
    return project


def test_owner_files_a_prefilled_report_in_one_step(project, personas, login):
    client = login(personas["enterprise"])
    page = client.get(f"/projects/{project.code}/filings/2025-03/")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["investment"] == Decimal("1000.00")  # 12,000 a year, pro rata: 1,000 in March
    assert form.initial["cumulative"] == Decimal("1000.00")  # no earlier filing this year
    response = client.post(
        f"/projects/{project.code}/filings/2025-03/",
        {
            "investment": form.initial["investment"],
            "cumulative": form.initial["cumulative"],
            "narrative": "主体封顶",
            "milestones": ["topping"],
            "submit": "1",
        },
    )
    assert response.status_code == 302
    filing = Filing.objects.get(project=project, period=MARCH)
    assert filing.status == FilingStatus.SUBMITTED and filing.submitted_by == personas["enterprise"]
    assert filing.revisions.get().action == "submit"
    assert AuditEvent.objects.filter(action="filing.submit").exists()


def test_cumulative_must_continue_from_last_month(project, personas, login):
    client = login(personas["enterprise"])
    response = client.post(
        f"/projects/{project.code}/filings/2025-03/",
        {"investment": "1000", "cumulative": "5000", "submit": "1"},
    )
    assert response.status_code == 400
    assert "本年累计应等于上月累计 0 加本月完成 1000" in response.content.decode()
    assert not Filing.objects.exists()


def test_a_stale_save_is_refused_and_loses_nothing(project, personas, login):
    filing = services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 1000, "cumulative": 1000},
        by=personas["enterprise"],
    )
    opened = filing.version
    services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 1200, "cumulative": 1200},
        by=personas["enterprise"],
        expected_version=opened,
    )
    response = login(personas["enterprise"]).post(
        f"/projects/{project.code}/filings/2025-03/",
        {"investment": "900", "cumulative": "900", "version": opened, "save": "1"},
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert Filing.objects.get().investment == Decimal(1200)


def test_department_accepts_and_the_milestone_becomes_actual(project, personas, login):
    filing = services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 1000, "cumulative": 1000, "milestones": ["topping"]},
        by=personas["enterprise"],
        submit=True,
    )
    client = login(personas["dept"])
    board = client.get("/projects/filings/?month=2025-03")
    assert filing in list(board.context["queue"])
    client.post(f"/projects/filings/{filing.pk}/review/", {"decision": "accept", "version": filing.version})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED and filing.reviewed_by == personas["dept"]
    assert Milestone.objects.get(project=project, kind="topping").actual_on == date(2025, 3, 31)


def test_a_return_needs_a_reason_and_the_owner_can_correct(project, personas, login):
    filing = services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 1000, "cumulative": 1000},
        by=personas["enterprise"],
        submit=True,
    )
    client = login(personas["dept"])
    client.post(f"/projects/filings/{filing.pk}/review/", {"decision": "return", "version": filing.version})
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED  # no reason, no return
    client.post(
        f"/projects/filings/{filing.pk}/review/",
        {"decision": "return", "return_reason": "与凭证不符", "version": filing.version},
    )
    filing.refresh_from_db()
    assert filing.status == FilingStatus.RETURNED and filing.return_reason == "与凭证不符"
    page = login(personas["enterprise"]).get(f"/projects/{project.code}/filings/2025-03/")
    assert "与凭证不符" in page.content.decode() and page.context["can_file"]
    corrected = services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 900, "cumulative": 900},
        by=personas["enterprise"],
        expected_version=filing.version,
        submit=True,
    )
    assert corrected.status == FilingStatus.SUBMITTED
    assert [r.action for r in corrected.revisions.order_by("id")] == ["submit", "return", "submit"]


def test_the_deadline_pages_show_what_users_typed_as_text_in_the_site_s_formats(project, personas, login):
    """The filing page and the board (Jinja2 content in the Django layout) escape what a filer or a
    department typed, and show dates and times as every other page does: the user's language, the district's
    time zone."""
    from django.conf import settings

    filing = services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 1000, "cumulative": 1000, "narrative": "<b>主体</b>"},
        by=personas["enterprise"],
        submit=True,
    )
    services.filing_return(filing=filing, reason="<script>alert(1)</script>数据有误", by=personas["dept"])
    filer = login(personas["enterprise"])
    page = filer.get(f"/projects/{project.code}/filings/2025-03/")
    html = page.content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;数据有误" in html
    assert "<b>主体</b>" not in html and "&lt;b&gt;主体&lt;/b&gt;" in html  # in the textarea and the history
    assert "<title>天越软件产业园 2025-03 月报 · 产业 Chanye</title>" in html
    assert "截止 2025年4月5日" in html  # the 5th of the next month, in Chinese date format
    submitted = timezone.localtime(filing.submitted_at, ZoneInfo("Asia/Shanghai"))
    assert f"{submitted:%Y}年{submitted.month}月{submitted.day}日 {submitted:%H:%M}" in html  # Beijing time
    assert 'data-testid="current-user"' in html and 'name="csrfmiddlewaretoken"' in html  # the site's layout
    filer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = filer.get(f"/projects/{project.code}/filings/2025-03/").content.decode()
    assert "April 5, 2025" in english and '<html lang="en">' in english
    board = filer.get("/projects/filings/?month=2025-03").content.decode()
    assert f'data-code="{project.code}"' in board and "April 5, 2025" in board
    # a change made by no user (the command-line import) is the system's, on the filing's history
    FilingRevision.objects.create(filing=filing, by=None, action="import", status=filing.status, note="导入")
    history = login(personas["enterprise"]).get(f"/projects/{project.code}/filings/2025-03/").content.decode()
    assert "System：import" in history and "None：" not in history


def test_only_the_owner_files_and_only_the_responsible_department_reviews(project, personas, make_user):
    from chanye.accounts.roles import Role

    stranger = make_user("firm2", Role.ENTERPRISE_USER)
    with pytest.raises(services.PermissionDenied):
        services.filing_save(project=project, period=MARCH, values={}, by=stranger)
    filing = services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 1, "cumulative": 1},
        by=personas["enterprise"],
        submit=True,
    )
    other = make_user("fin1", Role.DEPARTMENT_OFFICER, department=Department.objects.get(code="FIN"))
    with pytest.raises(services.PermissionDenied):
        services.filing_accept(filing=filing, by=other)


def test_late_filers_are_listed(project, personas):
    board = selectors.filing_board(user=personas["drc"], period=MARCH, today=date(2025, 4, 6))
    row = next(row for row in board if row.project == project)
    assert row.filing is None and row.late and row.due == date(2025, 4, 5)
    filing = services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 1, "cumulative": 1},
        by=personas["enterprise"],
        submit=True,
    )
    board = selectors.filing_board(user=personas["drc"], period=MARCH, today=date(2025, 4, 6))
    assert next(row for row in board if row.project == project).late  # filed, but after the 5th
    Filing.objects.filter(pk=filing.pk).update(submitted_at=datetime(2025, 4, 3, 9, tzinfo=UTC))
    board = selectors.filing_board(user=personas["drc"], period=MARCH, today=date(2025, 4, 6))
    assert not next(row for row in board if row.project == project).late


def test_demo_library_matches_the_published_figures(systems, personas):
    from django.db.models import Sum

    from chanye.enterprises.services import demo_register

    demo_register(count=300)
    assert services.demo_projects() == 208
    assert services.demo_projects() == 0  # twice changes nothing
    total = Project.objects.aggregate(total=Sum("total_investment"))["total"]
    plan = AnnualPlan.objects.filter(year=2025).aggregate(total=Sum("planned_investment"))["total"]
    assert abs(total - Decimal(67_000_000)) <= 208 and abs(plan - Decimal(8_400_000)) <= 208
    assert set(Project.objects.values_list("stage", flat=True)) == {
        "reserve",
        "new",
        "continuing",
        "completed",
    }
    assert Filing.objects.filter(status=FilingStatus.RETURNED).exists()


def test_the_api_files_reviews_and_refuses_stale_versions(project, personas, api_as):
    owner = api_as(personas["enterprise"])
    created = owner.post(
        "/api/v1/filings/",
        {"project": project.code, "period": "2025-03", "investment": "1000", "cumulative": "1000"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["period"] == "2025-03"
    stale = owner.patch(
        f"/api/v1/filings/{body['id']}/", {"narrative": "x", "version": body["version"] + 5}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == body["version"]
    submitted = owner.patch(
        f"/api/v1/filings/{body['id']}/", {"version": body["version"], "submit": True}, format="json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    bad = owner.post(f"/api/v1/filings/{body['id']}/accept/", {"version": 2}, format="json")
    assert bad.status_code == 403  # the owner does not review its own filing
    accepted = api_as(personas["dept"]).post(
        f"/api/v1/filings/{body['id']}/accept/", {"version": submitted.json()["version"]}, format="json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    wrong = owner.post(
        "/api/v1/filings/",
        {"project": project.code, "period": "2025-13", "investment": "1", "cumulative": "1"},
        format="json",
    )
    assert wrong.status_code == 400 and "period" in wrong.json()


def test_lights_page_cli_and_monthly_table_explain_each_light(project, personas, login, capsys):
    import io

    from django.core.management import call_command
    from python_calamine import CalamineWorkbook

    services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 500, "cumulative": 500},
        by=personas["enterprise"],
        submit=True,
    )
    # March, pro rata: 时序进度 25%; 500 of 12,000 is 4.2%: 20.8 points behind → yellow.
    page = login(personas["drc"]).get("/projects/lights/?month=2025-03")
    text = page.content.decode()
    assert "占年度计划 4.2%，时序进度 25.0%，落后 20.8 个百分点（黄灯：落后 10–30 个百分点）" in text
    assert page.context["counts"]["yellow"] == 1
    call_command("projects", "lights", "--as-of", "2025-03", "--format", "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "code,name,colour,rule,reason,numbers"
    assert any(line.startswith(f"{project.code},天越软件产业园,yellow,progress,") for line in lines)
    workbook = login(personas["drc"]).get("/projects/monthly.xlsx?month=2025-03")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(workbook.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "2025年1-3月天河区重点项目投资进度表"
    row = next(r for r in sheet if r[1] == project.code)
    assert row[2] == "天越软件产业园" and row[11] == "黄灯" and "落后 20.8 个百分点" in row[12]
    assert row[7] == 1.2 and row[8] == 0.05  # 亿元


def test_forecast_page_shows_the_gap_to_the_target_and_who_explains_it(project, personas, login):
    services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 500, "cumulative": 500},
        by=personas["enterprise"],
        submit=True,
    )
    page = login(personas["drc"]).get("/projects/forecast/?month=2025-03")
    assert page.status_code == 200
    result = page.context["f"]
    assert page.context["target"] == Decimal(8_400_000)  # 840 亿元, from the loaded system's targets
    assert result.forecast_year < Decimal(12000) and result.contributors[0].code == project.code
    assert "差距主要来自" in page.content.decode() and project.name in page.content.decode()


def test_api_gives_each_light_with_its_rule_and_numbers_and_the_forecast(project, personas, api_as, login):
    services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 500, "cumulative": 500},
        by=personas["enterprise"],
        submit=True,
    )
    client = api_as(personas["drc"])
    lights = client.get("/api/v1/project-lights/", {"as_of": "2025-03"}).json()
    mine = next(row for row in lights["results"] if row["project"] == project.code)
    assert mine["colour"] == "yellow"
    progress = next(r for r in mine["reasons"] if r["rule"] == "progress")
    assert progress["numbers"]["时序进度(%)"] == "25.0" and progress["numbers"]["完成率(%)"] == "4.2"
    assert client.get("/api/v1/project-lights/", {"as_of": "2025-xx"}).status_code == 400
    forecast = client.get("/api/v1/project-forecast/", {"as_of": "2025-03"}).json()
    assert forecast["target"] == "8400000" and forecast["contributors"][0]["project"] == project.code
    assert len(forecast["monthly"]) == 12
    page = login(personas["drc"]).get(f"/projects/{project.code}/")
    assert "落后 20.8 个百分点" in page.content.decode()  # the project's own light, explained on its page


def test_rollup_by_department_and_stage_adds_up(project, personas, login):
    services.filing_save(
        project=project,
        period=MARCH,
        values={"investment": 500, "cumulative": 500},
        by=personas["enterprise"],
        submit=True,
    )
    page = login(personas["drc"]).get("/projects/rollup/?by=department&month=2025-03")
    group = next(g for g in page.context["groups"] if g.key == "区工业和信息化局")
    assert (group.count, group.plan, group.cumulative, group.rate) == (
        1,
        Decimal(12000),
        Decimal(500),
        Decimal("4.2"),
    )
    assert group.colours == {"yellow": 1}
    by_stage = login(personas["drc"]).get("/projects/rollup/?by=stage&month=2025-03").context["groups"]
    assert [g.key for g in by_stage] == ["续建"]
    assert login(personas["drc"]).get("/projects/rollup/?by=colour").context["by"] == "industry"


def test_year_end_stage_changes_are_proposed_reviewed_and_applied_as_one_batch(project, personas, login):
    from chanye.projects.models import StageChange

    started = Project.objects.create(
        code="TH2025-901", name="新开工项目", stage="new", total_investment=1, actual_start=date(2025, 5, 1)
    )
    waiting = Project.objects.create(code="TH2025-902", name="储备项目", stage="reserve", total_investment=1)
    AnnualPlan.objects.create(project=waiting, year=2026, planned_investment=100)
    idle = Project.objects.create(code="TH2025-903", name="未开工项目", stage="new", total_investment=1)
    Milestone.objects.filter(project=project).update(kind="completion", actual_on=date(2025, 11, 30))
    client = login(personas["drc"])
    client.post("/projects/stages/", {"propose": "1", "year": "2025"})
    proposed = {
        c.project.code: (c.from_stage, c.to_stage) for c in StageChange.objects.select_related("project")
    }
    assert proposed == {
        "TH2025-900": ("continuing", "completed"),
        "TH2025-901": ("new", "continuing"),
        "TH2025-902": ("reserve", "new"),
    }
    assert Project.objects.get(pk=started.pk).stage == "new"  # nothing moves before the review
    keep = StageChange.objects.exclude(project=waiting).values_list("pk", flat=True)
    batch = StageChange.objects.first().batch
    client.post("/projects/stages/", {"batch": batch.pk, "accepted": [str(pk) for pk in keep]})
    stages = dict(Project.objects.values_list("code", "stage"))
    assert (stages["TH2025-900"], stages["TH2025-901"], stages["TH2025-902"], stages[idle.code]) == (
        "completed",
        "continuing",
        "reserve",  # not accepted in the review
        "new",
    )
    again = client.post("/projects/stages/", {"batch": batch.pk, "accepted": []}, follow=True)
    assert "已于" in again.content.decode() and "执行" in again.content.decode()
    assert AuditEvent.objects.filter(action="stages.apply").count() == 1
