"""Keeping the project library: the DRC creates and edits projects, plans, milestones, special bonds and
their spend on the pages and through the API; stale saves are refused (409) with the user's input kept;
bad curves and overspending are refused in Chinese; a department edits only what it answers for; every
change leaves a history row and an audit event."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chanye.accounts import roles
from chanye.audit.models import AuditEvent
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.services import enterprise_save
from chanye.organizations.models import Department, Street
from chanye.projects import services
from chanye.projects.models import AnnualPlan, Bond, BondSpend, Milestone, Project, ProjectChange
from chanye.projects.tests.test_filing import project  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def months(values):
    return {f"m{month}": value for month, value in enumerate(values, start=1)}


@pytest.fixture
def drc(personas, login):
    return login(personas["drc"])


@pytest.fixture
def finance_project(systems):
    """A project of 现代金融 under 区委金融办 in 员村街道: outside 工信局's scope."""
    return Project.objects.create(
        code="TH2025-901",
        name="金融城二期",
        industry=systems.industries.get(code="FINANCE"),
        street=Street.objects.get(code="TH02"),
        department=Department.objects.get(code="FIN"),
        stage="continuing",
        total_investment=Decimal(500000),
    )


@pytest.fixture
def departments_edit(monkeypatch):
    """A role table in which department officers keep the library (the scope rule is what is tested)."""
    monkeypatch.setitem(
        roles.PERMISSIONS,
        "projects.change",
        roles.PERMISSIONS["projects.change"] | {roles.Role.DEPARTMENT_OFFICER},
    )


# ----------------------------------------------------------------------------------------- the project


def test_drc_creates_a_project_on_the_new_page(systems, personas, drc):
    owner = enterprise_save(by=None, values={"uscc": uscc_for(11), "name": "广州天河建设有限公司"})
    assert drc.get("/projects/new/").status_code == 200
    response = drc.post(
        "/projects/new/",
        {
            "code": "TH2026-001",
            "name": "天河智慧城三期",
            "owner": owner.uscc,
            "industry": systems.industries.get(code="SW").pk,
            "street": Street.objects.get(code="TH01").pk,
            "category": "industry",
            "stage": "reserve",
            "total_investment": "80000",
            "planned_start": "2026-03-01",
            "planned_end": "2028-12-31",
            "department": Department.objects.get(code="IIT").pk,
            "funding": "企业自筹",
        },
    )
    assert response.status_code == 302 and response.url == "/projects/TH2026-001/"
    created = Project.objects.get(code="TH2026-001")
    assert created.owner == owner and created.stage == "reserve" and created.version == 1
    change = ProjectChange.objects.get(project=created)
    assert change.action == "create" and change.by == personas["drc"]
    assert change.changes["项目名称"] == [None, "天河智慧城三期"]
    event = AuditEvent.objects.get(action="project.create")
    assert event.object_id == str(created.pk) and event.actor == personas["drc"]


def test_new_project_errors_name_the_field(project, drc):  # noqa: F811
    response = drc.post(
        "/projects/new/",
        {
            "code": project.code,
            "name": "重复",
            "owner": "91440106XXXXXXXXXX",
            "category": "industry",
            "stage": "reserve",
            "total_investment": "100",
            "planned_start": "2026-05-01",
            "planned_end": "2026-01-01",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "未找到该统一社会信用代码的企业" in errors["owner"][0]
    assert Project.objects.filter(code=project.code).count() == 1
    response = drc.post(
        "/projects/new/",
        {
            "code": project.code,
            "name": "重复",
            "category": "industry",
            "stage": "reserve",
            "total_investment": "100",
        },
    )
    assert response.status_code == 400
    assert f"项目编号 {project.code} 已存在" in response.context["form"].errors["code"][0]
    assert not AuditEvent.objects.filter(action="project.create").exists()


def test_edit_page_saves_and_the_project_page_shows_the_history(project, personas, drc):  # noqa: F811
    page = drc.get(f"/projects/{project.code}/edit/")
    assert page.status_code == 200
    data = _form_data(page.context["form"])
    data |= {"name": "天越软件产业园（一期）", "total_investment": "210000"}
    response = drc.post(f"/projects/{project.code}/edit/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.name == "天越软件产业园（一期）" and project.version == 2
    change = project.changes.get(action="update")
    assert change.changes == {
        "项目名称": ["天越软件产业园", "天越软件产业园（一期）"],
        "总投资(万元)": ["200000", "210000"],
    }
    event = AuditEvent.objects.get(action="project.update")
    assert event.before["name"] == "天越软件产业园" and event.after["name"] == "天越软件产业园（一期）"
    detail = drc.get(f"/projects/{project.code}/").content.decode()
    assert 'data-testid="history"' in detail and "天越软件产业园 → 天越软件产业园（一期）" in detail


def test_stale_edit_is_refused_with_the_input_kept(project, personas, drc):  # noqa: F811
    mine = _form_data(drc.get(f"/projects/{project.code}/edit/").context["form"])
    # Someone else saves first.
    services.project_update(
        project=project, values={"funding": "专项债"}, by=personas["drc"], expected_version=1
    )
    mine["name"] = "我的新名称"
    response = drc.post(f"/projects/{project.code}/edit/", mine)
    assert response.status_code == 409
    text = response.content.decode()
    assert "该项目已被他人修改（当前版本 2，你打开的是版本 1）" in text
    assert 'value="我的新名称"' in text  # nothing typed is lost
    assert response.context["current"]["funding"] == "专项债"  # what the other person saved
    assert Project.objects.get(pk=project.pk).name == "天越软件产业园"
    form = response.context["form"]
    assert form["version"].value() == "2"
    # Saving again, knowingly, goes through with the current version.
    again = drc.post(f"/projects/{project.code}/edit/", mine | {"version": "2"})
    assert again.status_code == 302
    assert Project.objects.get(pk=project.pk).name == "我的新名称"


def test_the_stage_and_the_code_do_not_change_by_hand(project, personas):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        services.project_update(project=project, values={"stage": "completed"}, by=personas["drc"])
    assert "年末统一调整" in str(refused.value)
    with pytest.raises(ValidationError):
        services.project_update(project=project, values={"code": "X-1"}, by=personas["drc"])
    assert Project.objects.get(pk=project.pk).stage == "continuing"


def test_api_creates_and_patches_with_version(systems, personas, api_as):
    api = api_as(personas["drc"])
    created = api.post(
        "/api/v1/projects/",
        {
            "code": "TH2026-002",
            "name": "天河云谷",
            "industry": "SW",
            "street": "TH01",
            "department": "IIT",
            "total_investment": "50000",
            "stage": "new",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["version"] == 1 and created.json()["industry"] == "SW"
    patched = api.patch("/api/v1/projects/TH2026-002/", {"name": "天河云谷A区", "version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = api.patch("/api/v1/projects/TH2026-002/", {"name": "旧的", "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2 and "该项目已被他人修改" in stale.json()["detail"]
    assert Project.objects.get(code="TH2026-002").name == "天河云谷A区"
    stage = api.patch("/api/v1/projects/TH2026-002/", {"stage": "completed", "version": 2}, format="json")
    assert stage.status_code == 400 and "年末统一调整" in stage.json()["stage"][0]
    bad = api.post("/api/v1/projects/", {"code": "TH2026-003", "owner": "nope"}, format="json")
    assert bad.status_code == 400 and "owner" in bad.json()
    assert api_as(personas["dept"]).post("/api/v1/projects/", {"code": "X"}, format="json").status_code == 403
    assert AuditEvent.objects.filter(action__in=["project.create", "project.update"]).count() == 2


# ----------------------------------------------------------------------------------------- annual plans


@pytest.mark.parametrize(
    ("values", "unit", "planned", "curve"),
    [
        ([1000] * 12, "amount", "12000", ["0.0833", "0.1667", "0.25"]),
        ([0, 0, 3000, 3000, 0, 0, 0, 0, 0, 0, 0, 6000], "amount", "12000", ["0", "0", "0.25", "0.5"]),
        (
            ["10", "10", "10", "10", "10", "10", "10", "10", "5", "5", "5", "5"],
            "share",
            "999",
            ["0.1", "0.2"],
        ),
    ],
)
def test_monthly_plans_become_a_cumulative_curve(values, unit, planned, curve):
    result = services.curve_from_monthly(values, unit=unit, planned=Decimal(planned))
    assert len(result) == 12 and result[-1] == "1"
    assert [Decimal(v) for v in result[: len(curve)]] == [Decimal(v) for v in curve]
    assert [Decimal(v) for v in result] == sorted(Decimal(v) for v in result)


@pytest.mark.parametrize(
    ("values", "unit", "message"),
    [
        ([1000] * 11 + [-1000], "amount", "12月计划投资不能为负数"),
        ([1000] * 11 + ["abc"], "amount", "12月计划投资「abc」不是数字"),
        ([1000] * 11 + [500], "amount", "与年度计划投资 12000 万元相差 -500 万元"),
        ([10] * 12, "share", "12 个月占比合计 120%，应为 100%"),
    ],
)
def test_bad_monthly_plans_name_the_month_and_the_reason(values, unit, message):
    with pytest.raises(ValidationError) as refused:
        services.curve_from_monthly(values, unit=unit, planned=Decimal(12000))
    assert message in " ".join(refused.value.messages)


def _plan_post(client, project, **fields):  # noqa: F811
    data = {"year": "2025", "planned_investment": "12000", "unit": "amount", "version": project.version}
    return client.post(f"/projects/{project.code}/plan/", data | fields)


def test_plan_panel_saves_twelve_months_as_the_curve(project, drc):  # noqa: F811
    response = _plan_post(drc, project, **months([0, 0, 3000, 3000, 0, 0, 0, 0, 0, 0, 0, 6000]))
    assert response.status_code == 302
    plan = AnnualPlan.objects.get(project=project, year=2025)
    assert plan.curve == ["0", "0", "0.25", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "0.5", "1"]
    assert services.plan_share(plan, 3) == Decimal("0.25")
    page = drc.get(f"/projects/{project.code}/?year=2025")
    form = page.context["plan_form"]
    assert [form[f"m{m}"].value() for m in (1, 3, 12)] == ["0", "3000", "6000"]  # the same months back
    change = project.changes.get(action="plan")
    assert change.subject == "2025 年度计划" and "月度计划(累计占比)" in change.changes
    assert AuditEvent.objects.filter(action="project.plan").count() == 1
    # Unchanged, it saves nothing more; emptied, the months go back to pro rata.
    project.refresh_from_db()
    _plan_post(drc, project, **months([0, 0, 3000, 3000, 0, 0, 0, 0, 0, 0, 0, 6000]))
    assert project.changes.filter(action="plan").count() == 1
    _plan_post(drc, project, **months([""] * 12))
    assert AnnualPlan.objects.get(project=project, year=2025).curve == []


def test_plan_panel_refuses_months_that_do_not_add_up(project, drc):  # noqa: F811
    response = _plan_post(drc, project, **months([1000] * 11 + [500]))
    assert response.status_code == 400
    text = response.content.decode()
    assert "12 个月计划投资合计 11500 万元，与年度计划投资 12000 万元相差 -500 万元" in text
    assert 'value="500"' in text  # the months typed are still there
    assert AnnualPlan.objects.get(project=project, year=2025).curve == []


def test_plan_in_shares_and_a_stale_plan_save(project, personas, drc):  # noqa: F811
    opened = project.version
    services.project_update(project=project, values={"funding": "财政资金"}, by=personas["drc"])
    response = drc.post(
        f"/projects/{project.code}/plan/",
        {"year": "2025", "planned_investment": "12000", "unit": "share", "version": opened}
        | months(["5"] * 4 + ["10"] * 8),
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "该项目已被他人修改" in text and 'value="10"' in text
    assert response.context["plan_form"]["version"].value() == str(opened + 1)
    assert AnnualPlan.objects.get(project=project).curve == []
    again = drc.post(
        f"/projects/{project.code}/plan/",
        {"year": "2025", "planned_investment": "12000", "unit": "share", "version": opened + 1}
        | months(["5"] * 4 + ["10"] * 8),
    )
    assert again.status_code == 302
    assert AnnualPlan.objects.get(project=project).curve[3] == "0.2"


def test_api_plans_with_a_bad_curve_get_chinese_reasons(project, personas, api_as):  # noqa: F811
    api = api_as(personas["drc"])
    url = f"/api/v1/projects/{project.code}/plans/"
    falling = ["0.1", "0.3", "0.2"] + ["0.5"] * 8 + ["1"]
    response = api.post(url, {"year": 2026, "planned_investment": "8000", "curve": falling}, format="json")
    assert response.status_code == 400
    assert response.json()["curve"] == ["计划曲线第 3 个月的累计占比 0.2 小于上月的 0.3，不能逐月减少"]
    short = ["0.1"] * 11 + ["0.9"]
    response = api.post(url, {"year": 2026, "planned_investment": "8000", "curve": short}, format="json")
    assert response.json()["curve"] == ["计划曲线第 12 个月的累计占比应为 1，实为 0.9"]
    both = api.post(
        url,
        {
            "year": 2026,
            "planned_investment": "8000",
            "curve": ["1"] * 12,
            "monthly_shares": ["0"] * 11 + ["100"],
        },
        format="json",
    )
    assert both.status_code == 400
    assert not AnnualPlan.objects.filter(project=project, year=2026).exists()
    good = ["0.05"] * 3 + ["0.2"] * 3 + ["0.6"] * 3 + ["0.8", "0.9", "1"]
    saved = api.post(url, {"year": 2026, "planned_investment": "8000", "curve": good}, format="json")
    assert saved.status_code == 200
    body = saved.json()
    assert body["version"] == 2 and body["result"]["curve"][5] == "0.2"
    assert sum(Decimal(v) for v in body["result"]["monthly_amounts"]) == Decimal(8000)
    stale = api.post(url, {"year": 2026, "planned_investment": "9000", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    listed = api.get(url).json()
    assert listed["version"] == 2 and [p["year"] for p in listed["results"]] == [2025, 2026]


def test_plan_beyond_the_total_investment_is_refused(project, personas):  # noqa: F811
    with pytest.raises(ValidationError) as refused:
        services.plan_save(
            project=project,
            year=2026,
            planned_investment="150000",
            completed_before="60000",
            by=personas["drc"],
        )
    assert "超过项目总投资 200000 万元" in str(refused.value)


# ----------------------------------------------------------------------------------------- milestones


def test_planned_dates_by_the_drc_actual_dates_by_the_reviewer(project, personas, login, api_as):  # noqa: F811
    drc = login(personas["drc"])
    response = drc.post(
        f"/projects/{project.code}/milestones/",
        {
            "version": 1,
            "planned_start": "2025-02-01",
            "planned_topping": "2025-03-20",
            "planned_completion": "2026-06-30",
        },
    )
    assert response.status_code == 302
    assert Milestone.objects.get(project=project, kind="completion").planned_on == date(2026, 6, 30)
    project.refresh_from_db()
    # The responsible department (工信局) confirms the actual start; it cannot move a plan.
    dept = api_as(personas["dept"])
    url = f"/api/v1/projects/{project.code}/milestones/"
    moved = dept.post(url, {"kind": "completion", "planned_on": "2026-12-31"}, format="json")
    assert moved.status_code == 400 and "计划日期由发改局维护" in moved.json()["planned_completion"][0]
    started = dept.post(
        url, {"kind": "start", "actual_on": "2025-02-10", "version": project.version}, format="json"
    )
    assert started.status_code == 200
    assert {m["kind"]: m["actual_on"] for m in started.json()["results"]}["start"] == "2025-02-10"
    project.refresh_from_db()
    assert project.actual_start == date(2025, 2, 10)
    future = dept.post(url, {"kind": "topping", "actual_on": "2099-01-01"}, format="json")
    assert future.status_code == 400 and "晚于今天" in future.json()["actual_topping"][0]
    # The owner enterprise reports milestones in its filing; it does not set them here.
    firm = api_as(personas["enterprise"])
    assert firm.post(url, {"kind": "start", "actual_on": "2025-02-01"}, format="json").status_code == 403
    assert [c.action for c in project.changes.order_by("at", "id")] == ["milestones", "milestones"]
    assert AuditEvent.objects.filter(action="project.milestones").count() == 2


def test_the_milestone_panel_shows_reviewers_only_the_actual_dates(project, personas, login):  # noqa: F811
    page = login(personas["dept"]).get(f"/projects/{project.code}/")
    form = page.context["milestones_form"]
    assert form.fields["planned_start"].disabled and not form.fields["actual_start"].disabled
    assert "plan_form" not in page.context  # the plan is the DRC's


# ----------------------------------------------------------------------------------------- special bonds


def test_bonds_and_their_spend_on_the_page(project, drc):  # noqa: F811
    response = drc.post(
        f"/projects/{project.code}/bonds/",
        {
            "newbond-batch": "2025年第二批",
            "newbond-amount": "3000",
            "newbond-issued_on": "2025-04-15",
            "newbond-window_months": "",
            "newbond-version": 1,
        },
    )
    assert response.status_code == 400  # the use window is asked for; the form proposes 6
    response = drc.post(
        f"/projects/{project.code}/bonds/",
        {
            "newbond-batch": "2025年第二批",
            "newbond-amount": "3000",
            "newbond-issued_on": "2025-04-15",
            "newbond-window_months": "6",
            "newbond-version": 1,
        },
    )
    assert response.status_code == 302
    bond = Bond.objects.get(project=project)
    assert bond.window_months == 6
    spend = f"/projects/{project.code}/bonds/{bond.pk}/spend/"
    assert (
        drc.post(
            spend,
            {
                f"spend{bond.pk}-period": "2025-04",
                f"spend{bond.pk}-amount": "1000",
                f"spend{bond.pk}-version": 2,
            },
        ).status_code
        == 302
    )
    assert (
        drc.post(
            spend,
            {
                f"spend{bond.pk}-period": "2025-05",
                f"spend{bond.pk}-amount": "1500",
                f"spend{bond.pk}-version": 3,
            },
        ).status_code
        == 302
    )
    over = drc.post(
        spend,
        {f"spend{bond.pk}-period": "2025-06", f"spend{bond.pk}-amount": "800", f"spend{bond.pk}-version": 4},
    )
    assert over.status_code == 400
    assert "累计支出将达 3300 万元，超过专项债「2025年第二批」金额 3000 万元" in over.content.decode()
    assert "本月最多 500 万元" in over.content.decode()
    early = drc.post(
        spend,
        {f"spend{bond.pk}-period": "2025-03", f"spend{bond.pk}-amount": "1", f"spend{bond.pk}-version": 4},
    )
    assert "早于发行月份 2025-04" in early.content.decode()
    assert sorted(BondSpend.objects.filter(bond=bond).values_list("amount", flat=True)) == [1000, 1500]
    page = drc.get(f"/projects/{project.code}/").content.decode()
    assert "2500.00" in page  # spent so far
    shrink = drc.post(
        f"/projects/{project.code}/bonds/{bond.pk}/",
        {
            f"bond{bond.pk}-batch": "2025年第二批",
            f"bond{bond.pk}-amount": "2000",
            f"bond{bond.pk}-issued_on": "2025-04-15",
            f"bond{bond.pk}-window_months": "6",
            f"bond{bond.pk}-version": 4,
        },
    )
    assert shrink.status_code == 400 and "已支出 2500 万元，金额不能小于已支出" in shrink.content.decode()
    assert [c.action for c in project.changes.order_by("at", "id")] == [
        "bond.create",
        "bond.spend",
        "bond.spend",
    ]
    assert AuditEvent.objects.filter(action__startswith="project.bond").count() == 3


def test_bond_api_adds_changes_and_spends(project, personas, api_as):  # noqa: F811
    api = api_as(personas["drc"])
    base = f"/api/v1/projects/{project.code}/bonds/"
    created = api.post(
        base, {"batch": "2025年第一批", "amount": "2000", "issued_on": "2025-03-15"}, format="json"
    )
    assert created.status_code == 201
    bond = created.json()["result"]
    assert bond["window_months"] == 6 and created.json()["version"] == 2
    spent = api.post(
        f"{base}{bond['id']}/spends/", {"period": "2025-04", "amount": "1200", "version": 2}, format="json"
    )
    assert spent.status_code == 200 and spent.json()["result"]["spent"] == "1200.0000"
    over = api.post(f"{base}{bond['id']}/spends/", {"period": "2025-05", "amount": "900"}, format="json")
    assert over.status_code == 400 and "超过专项债「2025年第一批」金额 2000 万元" in over.json()["amount"][0]
    stale = api.patch(f"{base}{bond['id']}/", {"window_months": 9, "version": 2}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 3
    longer = api.patch(f"{base}{bond['id']}/", {"window_months": 9, "version": 3}, format="json")
    assert longer.status_code == 200 and longer.json()["result"]["window_months"] == 9
    listed = api.get(base).json()
    assert listed["results"][0]["spends"] == [{"period": "2025-04", "amount": "1200.0000"}]
    assert api_as(personas["enterprise"]).post(base, {"batch": "x"}, format="json").status_code == 403


# ----------------------------------------------------------------------------------------- scope


def test_department_officers_do_not_keep_the_library_today(project, personas, login, api_as):  # noqa: F811
    client = login(personas["dept"])
    assert client.get(f"/projects/{project.code}/edit/").status_code == 403
    assert client.post(f"/projects/{project.code}/plan/", {"year": "2025"}).status_code == 403
    api = api_as(personas["dept"])
    assert api.patch(f"/api/v1/projects/{project.code}/", {"name": "x"}, format="json").status_code == 403


def test_a_department_edits_only_the_projects_it_answers_for(
    project,  # noqa: F811
    finance_project,
    personas,
    login,
    api_as,
    departments_edit,
    systems,
):
    client = login(personas["dept"])
    assert client.get(f"/projects/{project.code}/edit/").status_code == 200  # 工信局's own project
    assert _plan_post(client, project, **months([""] * 12)).status_code == 302
    # Outside its scope the project does not exist for it; inside its scope but another department's, no.
    assert client.get(f"/projects/{finance_project.code}/edit/").status_code == 404
    assert _plan_post(client, finance_project).status_code == 404
    neighbour = Project.objects.create(
        code="TH2025-902",
        name="软件园配套道路",
        industry=systems.industries.get(code="SW"),
        department=Department.objects.get(code="FIN"),
        total_investment=Decimal(1000),
    )
    assert client.get(f"/projects/{neighbour.code}/").status_code == 200  # it may see it
    assert client.get(f"/projects/{neighbour.code}/edit/").status_code == 403
    api = api_as(personas["dept"])
    assert (
        api.patch(f"/api/v1/projects/{finance_project.code}/", {"name": "x"}, format="json").status_code
        == 404
    )
    assert api.patch(f"/api/v1/projects/{neighbour.code}/", {"name": "x"}, format="json").status_code == 403
    moved = api.patch(f"/api/v1/projects/{project.code}/", {"department": "FIN"}, format="json")
    assert moved.status_code == 403  # it cannot hand its project to another department
    assert Project.objects.get(pk=neighbour.pk).name == "软件园配套道路"
    assert Project.objects.get(pk=project.pk).department.code == "IIT"


def _form_data(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            value = ""
        if name == "owner" and form.instance.owner_id:
            value = form.instance.owner.uscc
        data[name] = value
    return data
