"""The industry ↔ leader ↔ department matrix: edits keep history, pages list what each owns."""

import pytest

from chanye.audit.models import AuditEvent
from chanye.industries.models import Industry
from chanye.organizations.models import Department, Leader, Responsibility

pytestmark = pytest.mark.django_db


def current(industry):
    return Responsibility.objects.get(industry=industry, valid_to__isnull=True)


def test_api_change_closes_the_old_record_and_opens_a_new_one(personas, api_as, systems):
    ai = Industry.objects.get(system=systems, code="AI")
    old = current(ai)
    response = api_as(personas["drc"]).post(
        f"/api/v1/industries/{ai.pk}/responsibility/",
        {
            "leader": "L-VP-FIN",
            "lead_department": "SCI",
            "supporting_departments": ["IIT", "COM"],
            "reason": "年度分工调整",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    new = current(ai)
    assert new.leader.code == "L-VP-FIN" and new.lead_department.code == "SCI"
    assert sorted(d.code for d in new.supporting_departments.all()) == ["COM", "IIT"]
    old.refresh_from_db()
    assert old.valid_to is not None and old.valid_to == new.valid_from
    history = api_as(personas["drc"]).get(f"/api/v1/industries/{ai.pk}/responsibility/").json()
    assert [row["valid_to"] is None for row in history][:2] == [True, False]
    assert (
        AuditEvent.objects.filter(
            action="responsibility.change", object_id=str(ai.pk), actor=personas["drc"]
        ).count()
        == 1
    )


def test_bad_changes_are_refused_with_the_field_named(personas, api_as, systems):
    ai = Industry.objects.get(system=systems, code="AI")
    api = api_as(personas["drc"])
    no_reason = api.post(f"/api/v1/industries/{ai.pk}/responsibility/", {"leader": "L-VP-FIN"}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    unknown = api.post(
        f"/api/v1/industries/{ai.pk}/responsibility/", {"leader": "L-NOBODY", "reason": "x"}, format="json"
    )
    assert unknown.status_code == 400 and "leader" in unknown.json()
    both = api.post(
        f"/api/v1/industries/{ai.pk}/responsibility/",
        {"lead_department": "IIT", "supporting_departments": ["IIT"], "reason": "x"},
        format="json",
    )
    assert both.status_code == 400 and "supporting_departments" in both.json()
    assert Responsibility.objects.filter(industry=ai).count() == 1


def test_only_the_drc_may_change_responsibility(personas, api_as, systems):
    ai = Industry.objects.get(system=systems, code="AI")
    for persona in ("leader", "dept", "street"):
        response = api_as(personas[persona]).post(
            f"/api/v1/industries/{ai.pk}/responsibility/",
            {"leader": "L-VP-FIN", "reason": "x"},
            format="json",
        )
        assert response.status_code in (403, 404), persona
    assert Responsibility.objects.filter(industry=ai).count() == 1


def test_leader_page_lists_the_industries_they_lead(personas, login, systems):
    leader = Leader.objects.get(code="L-VP-IND")
    led = list(
        Responsibility.objects.filter(leader=leader, valid_to__isnull=True).values_list(
            "industry__name", flat=True
        )
    )
    assert led, "the shipped definition gives L-VP-IND industries"
    page = login(personas["leader"]).get("/leaders/L-VP-IND/").content.decode()
    assert all(name in page for name in led)


def test_department_page_lists_led_and_supported_industries(personas, login, systems):
    iit = Department.objects.get(code="IIT")
    led = Responsibility.objects.filter(lead_department=iit, valid_to__isnull=True)
    page = login(personas["dept"]).get("/departments/IIT/").content.decode()
    assert led.exists() and all(row.industry.name in page for row in led)


def test_editing_a_department_is_audited(personas, login, systems):
    client = login(personas["drc"])
    response = client.post(
        "/departments/IIT/edit/",
        {"name": "区工业和信息化局（新）", "kind": "bureau", "position": 2, "active": "on"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="department.update", actor=personas["drc"])
    assert event.before["name"] == "区工业和信息化局" and event.after["name"] == "区工业和信息化局（新）"
    patch = client.patch("/api/v1/leaders/L-VP-IND/", {"title": ""}, content_type="application/json")
    assert patch.status_code == 400 and "title" in patch.json()


def test_matrix_page_shows_each_industry_once(personas, login, systems):
    page = login(personas["drc"]).get("/responsibility/").content.decode()
    for industry in Industry.objects.filter(system=systems):
        assert page.count(f'/industries/{industry.pk}/"') == 1


@pytest.mark.parametrize(
    "path",
    [
        "/responsibility/",
        "/industries/",
        "/systems/tianhe-12126/",
        "/leaders/",
        "/departments/",
        "/api/v1/industries/",
        "/api/v1/responsibilities/",
    ],
)
def test_lists_read_in_a_bounded_number_of_queries(
    personas, login, systems, django_assert_max_num_queries, path
):
    client = login(personas["drc"])
    client.get(path)  # warm caches that are not per request
    with django_assert_max_num_queries(12):
        assert client.get(path).status_code == 200


def test_task_force_members_are_edited_with_history(personas, api_as, login, systems):
    from chanye.organizations.models import TaskForce

    api = api_as(personas["drc"])
    response = api.patch(
        "/api/v1/task-forces/TF-AI/",
        {"member_departments": ["IIT", "COM"], "head": "L-VP-IND"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    force = TaskForce.objects.get(code="TF-AI")
    assert (
        sorted(d.code for d in force.member_departments.all()) == ["COM", "IIT"]
        and force.head.code == "L-VP-IND"
    )
    event = AuditEvent.objects.get(action="taskforce.update")
    assert sorted(event.after["member_departments"]) == sorted(
        Department.objects.filter(code__in=["COM", "IIT"]).values_list("pk", flat=True)
    )
    bad = api.patch("/api/v1/task-forces/TF-AI/", {"lead_department": "NOPE"}, format="json")
    assert bad.status_code == 400 and "lead_department" in bad.json()
    assert (
        api_as(personas["dept"]).patch("/api/v1/task-forces/TF-AI/", {"name": "x"}, format="json").status_code
        == 403
    )
    page = login(personas["drc"]).post("/streets/TH02/edit/", {"name": "员村街道（新）", "position": 2})
    assert page.status_code == 302
    assert AuditEvent.objects.filter(action="street.update", actor=personas["drc"]).exists()
