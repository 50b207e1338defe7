"""Casework as its users live it: a blocker is opened, dispatched, discussed and closed (销号) only with a
resolution; stale edits are refused; overdue cases escalate to the leader once per level; the board counts
what each department owes; each role sees only its own cases."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from chanye.accounts.roles import Role
from chanye.audit.models import AuditEvent
from chanye.casework import selectors, services
from chanye.casework.models import Case, CaseEvent, CategorySla, EventKind, Status
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Liaison
from chanye.enterprises.services import enterprise_save
from chanye.organizations.models import Department, Leader, Street

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm(systems, personas):
    """A software firm in 五山街道 (the street persona's), linked to the enterprise persona."""
    firm = enterprise_save(
        by=None,
        values={
            "uscc": uscc_for(7),
            "name": "广州天越软件有限公司",
            "gbt_code": "6513",
            "street": Street.objects.get(code="TH01"),
        },
    )
    personas["enterprise"].enterprise = firm
    personas["enterprise"].save()
    return firm


@pytest.fixture
def bank(systems):
    """A bank in 员村街道: nobody's but the 发改局's and 区委金融办's."""
    return enterprise_save(
        by=None,
        values={
            "uscc": uscc_for(999),
            "name": "广州测试银行有限公司",
            "gbt_code": "6621",
            "street": Street.objects.get(code="TH02"),
        },
    )


def dept(code):
    return Department.objects.get(code=code)


def blocker(by, enterprise=None, department="IIT", **values):
    values = {"category": "land", "title": "二期用地指标未落实", "description": "用地指标未下达", **values}
    return services.case_open(by=by, enterprise=enterprise, department=dept(department), **values)


def back_date(case, *, days_ago, sla_days=None):
    """Pretend the case was opened `days_ago` days ago with its SLA (deadline moves with it)."""
    sla = sla_days or case.sla_days
    opened = timezone.now() - timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(
        opened_at=opened, sla_days=sla, deadline=timezone.localdate(opened) + timedelta(days=sla)
    )
    case.refresh_from_db()
    return case


# The life of a case through the pages.


def test_open_assign_comment_and_resolve_only_with_a_resolution(firm, personas, login):
    drc = login(personas["drc"])
    response = drc.post(
        "/cases/new/",
        {
            "category": "land",
            "title": "二期用地指标未落实",
            "description": "二期厂房用地指标尚未下达，影响年内开工。",
            "enterprise": firm.uscc.lower(),
            "department": "IIT",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    assert case.status == Status.OPEN and case.enterprise == firm and case.opened_by == personas["drc"]
    assert case.sla_days == 60 and case.deadline == timezone.localdate() + timedelta(days=60)
    assert case.leader == Leader.objects.get(code="L-VP-IND")  # leads an industry IIT leads

    officer = login(personas["dept"])
    page = officer.get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and "二期用地指标未落实" in page.content.decode()
    assert personas["dept"] in page.context["forms"]["assign"].fields["assignee"].queryset
    officer.post(f"/cases/{case.pk}/assign/", {"assignee": personas["dept"].pk, "version": case.version})
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.assignee == personas["dept"]
    officer.post(f"/cases/{case.pk}/comment/", {"text": "已与规划部门对接"})

    refused = officer.post(f"/cases/{case.pk}/resolve/", {"resolution": " ", "version": case.version})
    assert refused.status_code == 400
    assert "办理结果：销号须填写办理结果" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says so too
        Case.objects.filter(pk=case.pk).update(status=Status.RESOLVED)

    done = officer.post(f"/cases/{case.pk}/resolve/", {"resolution": "指标已下达", "version": case.version})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.resolution == "指标已下达" and case.closed_at
    assert case.clock.state == "on_time"
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert "指标已下达" in page and "已与规划部门对接" in page
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["opened", "assigned", "comment", "resolved"]
    assert set(AuditEvent.objects.filter(object_type="casework.case").values_list("action", flat=True)) == {
        "case.opened",
        "case.assigned",
        "case.comment",
        "case.resolved",
    }


def test_refusals_name_the_field_in_chinese(firm, personas, login):
    drc = login(personas["drc"])
    response = drc.post("/cases/new/", {"title": "缺少类别", "description": "—"})
    body = response.content.decode()
    assert response.status_code == 400 and "问题类别：" in body
    response = drc.post(
        "/cases/new/",
        {"category": "land", "title": "t", "description": "d", "enterprise": uscc_for(12345)},
    )
    assert response.status_code == 400 and "找不到统一社会信用代码为" in response.content.decode()
    case = blocker(personas["drc"], firm)
    response = drc.post(
        f"/cases/{case.pk}/deadline/",
        {"deadline": "2000-01-01", "reason": "x", "version": case.version},
    )
    assert (
        response.status_code == 400 and "新的办结期限：办结期限不能早于立案日期" in response.content.decode()
    )
    response = drc.post(
        f"/cases/{case.pk}/deadline/",
        {"deadline": (case.deadline + timedelta(days=10)).isoformat(), "version": case.version},
    )
    assert response.status_code == 400 and "调整原因：请写明调整办结期限的原因" in response.content.decode()
    assert not Case.objects.filter(pk=case.pk, deadline__gt=case.deadline).exists()


def test_a_stale_edit_is_refused_on_the_page(firm, personas, login):
    case = blocker(personas["drc"], firm)
    opened = case.version
    services.case_assign(case=case, by=personas["drc"], assignee=personas["dept"], expected_version=opened)
    response = login(personas["dept"]).post(
        f"/cases/{case.pk}/deadline/",
        {
            "deadline": (case.deadline + timedelta(days=30)).isoformat(),
            "reason": "企业申请",
            "version": opened,
        },
    )
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert Case.objects.get(pk=case.pk).deadline == case.deadline


def test_a_stale_patch_gets_409_in_the_api(firm, personas, api_as):
    case = blocker(personas["drc"], firm)
    api = api_as(personas["dept"])
    fresh = api.patch(f"/api/v1/cases/{case.pk}/", {"title": "二期用地指标（修订）", "version": case.version})
    assert fresh.status_code == 200 and fresh.json()["version"] == case.version + 1
    stale = api.patch(
        f"/api/v1/cases/{case.pk}/", {"title": "旧的标题", "version": case.version}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == case.version + 1 and "已被他人修改" in stale.json()["detail"]
    assert Case.objects.get(pk=case.pk).title == "二期用地指标（修订）"
    stale_resolve = api.post(f"/api/v1/cases/{case.pk}/resolve/", {"resolution": "已解决", "version": 1})
    assert stale_resolve.status_code == 409


def test_the_api_workflow(firm, personas, api_as):
    api = api_as(personas["drc"])
    created = api.post(
        "/api/v1/cases/",
        {
            "category": "approval",
            "title": "施工许可卡在消防审查",
            "description": "消防审查意见反复修改",
            "enterprise": firm.uscc,
            "subject_type": "project",
            "subject_id": "TH2025-900",
            "subject_label": "天越软件产业园",
            "department": "IIT",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["sla_days"] == 20 and body["clock"]["state"] == "running" and body["leader"] == "L-VP-IND"
    pk = body["id"]
    assert api.post(f"/api/v1/cases/{pk}/comment/", {"text": "已协调"}).status_code == 201
    assigned = api.post(f"/api/v1/cases/{pk}/assign/", {"assignee": "iit1", "version": body["version"]})
    assert assigned.status_code == 200 and assigned.json()["status"] == "in_progress"
    version = assigned.json()["version"]
    missing = api.post(f"/api/v1/cases/{pk}/resolve/", {"resolution": "", "version": version})
    assert missing.status_code == 400 and "销号须填写办理结果" in missing.json()["resolution"][0]
    resolved = api.post(f"/api/v1/cases/{pk}/resolve/", {"resolution": "审查已通过", "version": version})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert [e["kind"] for e in resolved.json()["events"]] == ["opened", "comment", "assigned", "resolved"]
    no_reason = api.post(f"/api/v1/cases/{pk}/reopen/", {"reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    reopened = api.post(f"/api/v1/cases/{pk}/reopen/", {"reason": "企业反映仍未拿到许可证"})
    assert reopened.status_code == 200
    data = reopened.json()
    assert data["status"] == "in_progress" and data["resolution"] == "" and data["escalation_level"] == 0
    assert data["deadline"] == (timezone.localdate() + timedelta(days=20)).isoformat()
    by_subject = api.get("/api/v1/cases/", {"subject_type": "project", "subject_id": "TH2025-900"}).json()
    assert [row["id"] for row in by_subject["results"]] == [pk]
    assert api.get("/api/v1/cases/", {"subject_id": "TH2025-901"}).json()["results"] == []
    assert api.get("/api/v1/cases/", {"status": "resolved"}).json()["results"] == []


# Escalation.


def test_overdue_cases_escalate_to_the_leader_once_per_level(firm, personas):
    case = back_date(blocker(personas["drc"], firm), days_ago=70, sla_days=60)  # 10 days overdue
    on_time = blocker(personas["drc"], firm, title="按期办理中")
    today = timezone.localdate()
    escalated = services.cases_escalate_overdue(today=today)
    assert [c.pk for c in escalated] == [case.pk]
    assert services.cases_escalate_overdue(today=today) == []  # twice: nothing more
    case.refresh_from_db()
    assert case.escalation_level == 1 and case.escalated_at is not None
    event = case.events.get(kind=EventKind.ESCALATED)
    assert "逾期 10 天" in event.text and "提请副区长（分管工业和信息化）督办" in event.text
    assert event.by is None and event.data["level"] == 1
    assert not on_time.events.filter(kind=EventKind.ESCALATED).exists()
    # Two weeks later it reaches the second level: one more event, once.
    later = today + timedelta(days=5)
    assert [c.pk for c in services.cases_escalate_overdue(today=later)] == [case.pk]
    assert services.cases_escalate_overdue(today=later) == []
    assert list(case.events.filter(kind=EventKind.ESCALATED).values_list("data__level", flat=True)) == [1, 2]
    # Escalation does not make the open forms of the case stale.
    assert Case.objects.get(pk=case.pk).version == case.version
    # A resolved case never escalates.
    services.case_resolve(case=case, by=personas["drc"], resolution="已解决")
    assert services.cases_escalate_overdue(today=today + timedelta(days=60)) == []


def test_escalation_finds_the_leader_when_none_was_named(firm, personas):
    Liaison.objects.create(
        enterprise=firm,
        leader=Leader.objects.get(code="L-VP-SCI"),
        department=dept("SCI"),
        since=date(2025, 1, 1),
    )
    case = services.case_open(
        by=personas["enterprise"], category="funding", title="研发补贴未兑现", description="补贴已公示未拨付"
    )
    assert case.department == dept("SCI") and case.leader == Leader.objects.get(code="L-VP-SCI")
    Case.objects.filter(pk=case.pk).update(leader=None)
    back_date(case, days_ago=40, sla_days=30)
    services.cases_escalate_overdue()
    case.refresh_from_db()
    assert case.leader.code == "L-VP-SCI" and case.escalation_level == 1


def test_escalate_from_the_command_line_twice(firm, personas):
    case = back_date(blocker(personas["drc"], firm), days_ago=70, sla_days=60)
    from io import StringIO

    out = StringIO()
    call_command("cases", "escalate", stdout=out)
    assert f"#{case.pk}\t第 1 级" in out.getvalue() and "escalated 1 case(s)" in out.getvalue()
    out = StringIO()
    call_command("cases", "escalate", stdout=out)
    assert out.getvalue().strip() == "escalated 0 case(s)"
    out = StringIO()
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    call_command("cases", "escalate", "--today", later, stdout=out)
    assert "第 3 级" in out.getvalue()
    assert case.events.filter(kind=EventKind.ESCALATED).count() == 2


def test_escalation_runs_as_a_background_task_and_from_the_board(firm, personas, login):
    from chanye.casework.tasks import cases_escalate

    back_date(blocker(personas["drc"], firm), days_ago=70, sla_days=60)
    assert cases_escalate.enqueue().return_value == 1
    back_date(blocker(personas["drc"], firm, title="另一件"), days_ago=70, sla_days=60)
    assert login(personas["dept"]).post("/cases/escalate/").status_code == 403
    response = login(personas["drc"]).post("/cases/escalate/", follow=True)
    assert "已升级督办 1 件" in response.content.decode()


# The board and the list.


def test_the_board_says_who_owes_what_by_when(
    firm, bank, personas, login, api_as, django_assert_max_num_queries
):
    drc = personas["drc"]
    late = back_date(blocker(drc, firm, title="逾期一件"), days_ago=70, sla_days=60)
    blocker(drc, firm, title="在办一件", category="approval")
    blocker(drc, firm, title="在办两件", category="other")
    services.case_resolve(case=blocker(drc, firm, title="已销号"), by=drc, resolution="已解决")
    blocker(drc, bank, department="FIN", title="银行用地")
    services.case_open(by=personas["enterprise"], category="other", title="待派单", description="d")

    board = {row.department.code if row.department else None: row for row in selectors.case_board(user=drc)}
    assert (board["IIT"].open, board["IIT"].overdue, board["IIT"].nearest) == (3, 1, late.deadline)
    assert (board["FIN"].open, board["FIN"].overdue) == (1, 0) and board[None].open == 1
    assert list(board) == ["IIT", None, "FIN"]  # most overdue first, then by the nearest deadline
    officer = {row.department.code for row in selectors.case_board(user=personas["dept"])}
    assert officer == {"IIT"}

    client = login(drc)
    for number in range(10):
        blocker(drc, firm, title=f"批量{number}")
    with django_assert_max_num_queries(15):
        page = client.get("/cases/")
    assert page.status_code == 200 and page.context["totals"] == {"open": 15, "overdue": 1, "escalated": 0}
    rows = [case.title for case in page.context["page"]]
    assert rows[0] == "逾期一件" and rows[-1] == "已销号"  # open by deadline first, closed last
    api = api_as(drc)
    with django_assert_max_num_queries(5):
        listed = api.get("/api/v1/cases/", {"status": "active"})
    assert len(listed.json()["results"]) == 15
    overdue = client.get("/cases/", {"overdue": "true"})
    assert [case.title for case in overdue.context["page"]] == ["逾期一件"]
    fin = client.get("/cases/", {"department": "FIN", "status": "active"}, HTTP_HX_REQUEST="true")
    body = fin.content.decode()
    assert "银行用地" in body and "逾期一件" not in body and "<nav" not in body  # the rows only


# Scope and permissions.


def test_each_role_sees_only_its_own_cases(firm, bank, personas, api_as, login):
    drc = personas["drc"]
    iit = blocker(drc, firm, title="工信局的")
    fin = blocker(drc, bank, department="FIN", title="金融办的")
    supervised = blocker(
        drc, bank, department="FIN", title="副区长督办的", leader=Leader.objects.get(code="L-VP-IND")
    )

    def seen(persona):
        return {row["title"] for row in api_as(personas[persona]).get("/api/v1/cases/").json()["results"]}

    assert seen("drc") == {"工信局的", "金融办的", "副区长督办的"}
    assert seen("dept") == {"工信局的"}
    assert seen("leader") == {"工信局的", "副区长督办的"}  # IIT leads their industries; and their own
    assert seen("street") == {"工信局的"}  # the firm is in 五山街道
    assert seen("enterprise") == {"工信局的"}
    assert seen("other_leader") == {"金融办的", "副区长督办的"}

    officer = login(personas["dept"])
    assert officer.get(f"/cases/{fin.pk}/").status_code == 404
    assert officer.post(f"/cases/{fin.pk}/resolve/", {"resolution": "x", "version": 1}).status_code == 404
    assert api_as(personas["enterprise"]).get(f"/api/v1/cases/{supervised.pk}/").status_code == 404
    assert api_as(personas["enterprise"]).get(f"/api/v1/cases/{iit.pk}/").status_code == 200


def test_roles_without_the_permission_are_refused(firm, personas, api_as, login):
    case = blocker(personas["drc"], firm)
    street = login(personas["street"])
    assert street.get(f"/cases/{case.pk}/").status_code == 200
    assert street.post(f"/cases/{case.pk}/resolve/", {"resolution": "x", "version": 1}).status_code == 403
    assert street.post(f"/cases/{case.pk}/assign/", {"version": 1}).status_code == 403
    assert street.post("/cases/sla/", {"land": 10}).status_code == 403
    api = api_as(personas["enterprise"])
    assert api.post(f"/api/v1/cases/{case.pk}/assign/", {"assignee": "iit1"}).status_code == 403
    assert api.post(f"/api/v1/cases/{case.pk}/resolve/", {"resolution": "x"}).status_code == 403
    assert api.post("/api/v1/cases/escalate/").status_code == 403
    assert api_as(personas["auditor"]).get("/api/v1/cases/").status_code == 403
    # A department officer handles its own department's cases but does not re-route them.
    officer = login(personas["dept"])
    assert officer.post(f"/cases/{case.pk}/assign/", {"department": "FIN", "version": 1}).status_code == 302
    assert Case.objects.get(pk=case.pk).department.code == "IIT"  # the field is not theirs to send
    with pytest.raises(PermissionDenied):
        services.case_assign(case=case, by=personas["dept"], department=dept("FIN"))
    # An assignee must belong to the responsible department.
    with pytest.raises(ValidationError, match="不属于责任部门"):
        services.case_assign(case=case, by=personas["drc"], assignee=personas["drc"])


def test_an_enterprise_opens_for_its_own_firm_only(firm, bank, personas, login, make_user):
    Liaison.objects.create(
        enterprise=firm,
        leader=Leader.objects.get(code="L-VP-IND"),
        department=dept("IIT"),
        since=date(2025, 1, 1),
    )
    client = login(personas["enterprise"])
    form = client.get("/cases/new/").context["form"]
    assert "department" not in form.fields and "enterprise" not in form.fields
    response = client.post(
        "/cases/new/",
        {
            "category": "utilities",
            "title": "供电接入未排期",
            "description": "专线未排期",
            "department": "FIN",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.enterprise == firm
    assert case.department == dept("IIT") and case.leader.code == "L-VP-IND"  # from the liaison, not the form
    assert "按挂点联系确定" in case.events.get().text
    with pytest.raises(PermissionDenied):
        services.case_open(
            by=personas["enterprise"], enterprise=bank, category="land", title="t", description="d"
        )
    # Unhappy with the result, the enterprise reopens it; it cannot close it.
    services.case_resolve(case=case, by=personas["drc"], resolution="已排期")
    assert client.post(f"/cases/{case.pk}/resolve/", {"resolution": "x", "version": 9}).status_code == 403
    case.refresh_from_db()
    response = client.post(f"/cases/{case.pk}/reopen/", {"reason": "仍未施工", "version": case.version})
    assert response.status_code == 302 and Case.objects.get(pk=case.pk).status == Status.OPEN
    unlinked = make_user("firm9", Role.ENTERPRISE_USER)
    other = login(unlinked)
    assert 'data-testid="not-linked"' in other.get("/cases/new/").content.decode()
    assert (
        other.post("/cases/new/", {"category": "land", "title": "t", "description": "d"}).status_code == 403
    )


def test_cancel_needs_a_reason_and_comments_reach_closed_cases(firm, personas, login):
    case = blocker(personas["drc"], firm)
    client = login(personas["drc"])
    refused = client.post(f"/cases/{case.pk}/cancel/", {"reason": "", "version": case.version})
    assert refused.status_code == 400 and "撤销原因：请写明撤销原因" in refused.content.decode()
    client.post(f"/cases/{case.pk}/cancel/", {"reason": "重复提出", "version": case.version})
    case.refresh_from_db()
    assert case.status == Status.CANCELLED and case.clock.state == "on_time"
    assert client.post(f"/cases/{case.pk}/comment/", {"text": "回访：企业无异议"}).status_code == 302
    refused = client.post(
        f"/cases/{case.pk}/assign/", {"assignee": personas["dept"].pk, "version": case.version}
    )
    assert refused.status_code == 400 and "已撤销，不能派单" in refused.content.decode()


# SLA table, enterprise page, demo.


def test_the_sla_is_data_the_drc_edits(firm, personas, login):
    assert CategorySla.objects.get(category="land").days == 60  # shipped by the migration
    client = login(personas["drc"])
    values = {row.category: row.days for row in CategorySla.objects.all()} | {"land": 45}
    assert client.post("/cases/sla/", values).status_code == 302
    assert blocker(personas["drc"], firm).sla_days == 45
    assert client.post("/cases/sla/", values | {"land": 0}).status_code == 400
    assert login(personas["dept"]).post("/cases/sla/", values).status_code == 403
    custom = blocker(personas["drc"], firm, sla_days=10)
    assert custom.deadline == timezone.localdate() + timedelta(days=10)


def test_the_enterprise_page_shows_its_cases(firm, personas, login):
    from chanye.casework.apps import register_panels

    register_panels()  # other tests may have cleared the registry
    blocker(personas["drc"], firm, title="二期用地指标未落实")
    page = login(personas["enterprise"]).get(f"/enterprises/{firm.uscc}/").content.decode()
    assert 'data-testid="panel-cases"' in page and "二期用地指标未落实" in page


def test_demo_cases(systems, personas):
    from chanye.enterprises.services import demo_register

    demo_register(count=300)
    made = services.demo_cases()
    assert made == len(services.DEMO_CASES)
    assert services.demo_cases() == 0  # twice changes nothing
    cases = Case.objects.filter(synthetic=True)
    assert cases.filter(status=Status.RESOLVED).count() == 2
    assert cases.filter(escalation_level__gt=0).count() == 3
    now = timezone.now()
    for case in cases:
        times = list(case.events.order_by("id").values_list("at", flat=True))
        assert times[0] == case.opened_at and all(at <= now for at in times)
    assert CaseEvent.objects.filter(kind=EventKind.ESCALATED).count() == 3


def test_the_pages_speak_english_when_chosen(firm, personas, login):
    case = back_date(blocker(personas["drc"], firm), days_ago=70, sla_days=60)
    client = login(personas["dept"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    board = client.get("/cases/").content.decode()
    assert "Cases not closed, by responsible department" in board and "10 days overdue" in board
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Timeline" in page and "Move the deadline" in page and "办理过程" not in page
