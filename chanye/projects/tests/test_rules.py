"""The 发改局 edits the light rules as versioned data: every version says who, when and why; bad values are
refused field by field in Chinese and nothing is saved; a back-test shows which lights a change (saved or
draft) would move in any month; the lights follow the version in force."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from chanye.audit.models import AuditEvent
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.services import enterprise_save
from chanye.organizations.models import Department, Street
from chanye.projects import lights, selectors
from chanye.projects.light_rules import light_rules_save
from chanye.projects.models import AnnualPlan, Filing, FilingStatus, LightRules, Project

pytestmark = pytest.mark.django_db
MARCH = "2025-03"
STRICTER = {"progress_yellow_pp": "5", "progress_red_pp": "20"}


@pytest.fixture
def projects(systems):
    """Three 续建 projects, 12,000 万元 a year pro rata (25% due by March), filed on time for March:
    on schedule (A), 20.8 points behind (B: yellow by default), 8.3 points behind (C: green by default)."""
    owner = enterprise_save(by=None, values={"uscc": uscc_for(11), "name": "广州天规科技有限公司"})
    made = {}
    for letter, cumulative in (("A", 3000), ("B", 500), ("C", 2000)):
        project = Project.objects.create(
            code=f"TH2025-R{letter}",
            name=f"规则测试项目{letter}",
            owner=owner,
            industry=systems.industries.get(code="SW"),
            street=Street.objects.get(code="TH01"),
            department=Department.objects.get(code="IIT"),
            stage="continuing",
            total_investment=Decimal(100000),
        )
        AnnualPlan.objects.create(project=project, year=2025, planned_investment=Decimal(12000))
        Filing.objects.create(
            project=project,
            period="2025-03-01",
            investment=cumulative,
            cumulative=cumulative,
            status=FilingStatus.ACCEPTED,
            due_on="2025-04-05",
            submitted_at=timezone.make_aware(datetime(2025, 4, 1, 10)),
        )
        made[letter] = project
    return made


def _colours(user) -> dict[str, str]:
    period = selectors.latest_period(user=user)
    return {p.code[-1]: light.colour for p, light in selectors.project_lights(user=user, period=period)}


def test_the_drc_saves_a_version_and_the_lights_follow_it(projects, personas, login):
    drc = personas["drc"]
    assert _colours(drc) == {"A": "green", "B": "yellow", "C": "green"}
    client = login(drc)
    page = client.get("/projects/lights/rules/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "累计完成投资占年度计划的比例落后时序进度 10–30 个百分点亮黄灯" in text  # the defaults, in Chinese
    assert "投资进度红灯线（百分点）" in text and "尚未保存过规则" in text

    response = client.post(
        "/projects/lights/rules/",
        {**lights.DEFAULT_RULES.to_dict(), **STRICTER, "note": "从严考核", "version": 0},
    )
    assert response.status_code == 302
    saved = LightRules.objects.get()
    assert saved.created_by == drc and saved.note == "从严考核"
    assert saved.rules["progress_yellow_pp"] == "5" and saved.rules["progress_red_pp"] == "20"
    assert selectors.current_rules().progress_red_pp == Decimal(20)
    assert _colours(drc) == {"A": "green", "B": "red", "C": "yellow"}

    event = AuditEvent.objects.get(action="light_rules.save")
    assert event.actor == drc and event.object_id == str(saved.pk)
    assert (
        event.before["rules"]["progress_red_pp"] == "30" and event.after["rules"]["progress_red_pp"] == "20"
    )
    assert "投资进度红灯线（百分点）: 30 → 20" in event.message

    listing = client.get("/projects/lights/rules/").content.decode()
    assert (
        f"v{saved.pk}" in listing and "从严考核" in listing and "投资进度黄灯线（百分点）：10 → 5" in listing
    )
    assert "落后时序进度 5–20 个百分点亮黄灯，超过 20 个百分点亮红灯" in listing


def test_bad_values_are_refused_field_by_field_and_nothing_is_saved(projects, personas, login):
    client = login(personas["drc"])
    values = lights.DEFAULT_RULES.to_dict() | {
        "progress_yellow_pp": "abc",
        "bond_yellow_pp": "20",
        "bond_red_pp": "10",
        "not_started_red_months": "2.5",
        "late_filing_colour": "blue",
    }
    response = client.post("/projects/lights/rules/", {**values, "note": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert "「投资进度黄灯线（百分点）」 应为数字，而不是「abc」" in text
    assert "「专项债红灯线（百分点）」 应大于 「专项债黄灯线（百分点）」" in text
    assert "「未开工红灯（月）」 应为整数（月数）" in text
    assert "「月报逾期」 应为 green、yellow 或 red" in text
    assert "请写明修改说明" in text
    assert 'value="abc"' in text  # what was typed stays in the form
    assert (
        not LightRules.objects.exists() and not AuditEvent.objects.filter(action="light_rules.save").exists()
    )


def test_the_api_lists_versions_creates_one_and_names_every_bad_field(projects, personas, api_as):
    api = api_as(personas["drc"])
    empty = api.get("/api/v1/project-light-rules/").json()
    assert empty["current"] is None and empty["results"] == []
    assert empty["rules"] == lights.DEFAULT_RULES.to_dict()

    bad = api.post(
        "/api/v1/project-light-rules/",
        {"progress_red_pp": "5", "bond_window_months": 0, "colour": "red", "note": ""},
        format="json",
    )
    assert bad.status_code == 400
    errors = bad.json()
    assert set(errors) == {"progress_red_pp", "bond_window_months", "colour", "note"}
    assert "应大于" in errors["progress_red_pp"][0] and "1–60" in errors["bond_window_months"][0]
    assert not LightRules.objects.exists()

    first = api.post(
        "/api/v1/project-light-rules/", {"progress_red_pp": 25, "note": "收紧红灯"}, format="json"
    )
    assert first.status_code == 201, first.json()
    second = api.post(
        "/api/v1/project-light-rules/",
        {"late_filing_colour": "green", "note": "逾期仅提示", "version": first.json()["version"]},
        format="json",
    )
    assert second.status_code == 201
    assert second.json()["rules"]["progress_red_pp"] == "25"  # fields left out keep the rules in force
    assert second.json()["changes"] == [
        {"field": "late_filing_colour", "label": "月报逾期", "old": "黄灯", "new": "绿灯"}
    ]

    listing = api.get("/api/v1/project-light-rules/").json()
    assert listing["current"] == second.json()["version"]
    assert [v["version"] for v in listing["results"]] == [second.json()["version"], first.json()["version"]]
    assert listing["results"][1]["created_by"] == personas["drc"].username
    assert listing["results"][1]["changes"][0] == {
        "field": "progress_red_pp",
        "label": "投资进度红灯线（百分点）",
        "old": "30",
        "new": "25",
    }
    assert "月报逾期报送仅作提示，不影响灯色" in listing["describe"]

    stale = api.post(
        "/api/v1/project-light-rules/",
        {"progress_red_pp": 40, "note": "放宽", "version": first.json()["version"]},
        format="json",
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == second.json()["version"]
    same = api.post(
        "/api/v1/project-light-rules/", {"progress_red_pp": 25, "note": "再存一次"}, format="json"
    )
    assert same.status_code == 400 and "与现行规则相同" in same.json()["__all__"][0]
    assert LightRules.objects.count() == 2


def test_only_the_drc_may_change_the_rules(projects, personas, login, api_as):
    for persona in ("dept", "leader", "enterprise"):
        assert (
            api_as(personas[persona])
            .post("/api/v1/project-light-rules/", {"progress_red_pp": 25, "note": "x"}, format="json")
            .status_code
            == 403
        )
    client = login(personas["dept"])
    assert client.post("/projects/lights/rules/", {**STRICTER, "note": "x"}).status_code == 403
    assert not LightRules.objects.exists()


def test_a_stale_form_is_refused_and_the_defaults_can_be_restored(projects, personas, login):
    drc = personas["drc"]
    v1 = light_rules_save(values=STRICTER, note="从严", by=drc)
    client = login(drc)
    opened = client.get("/projects/lights/rules/")
    assert f'name="version" value="{v1.pk}"' in opened.content.decode()
    light_rules_save(values={"progress_red_pp": "25"}, note="另一位管理员的修改", by=drc)
    stale = client.post(
        "/projects/lights/rules/", {**lights.DEFAULT_RULES.to_dict(), "note": "恢复", "version": v1.pk}
    )
    assert stale.status_code == 409 and "规则已被他人修改" in stale.content.decode()
    assert LightRules.objects.count() == 2

    restore = client.get("/projects/lights/rules/?from=default")
    assert restore.context["note"] == "恢复默认规则"
    values = {f["key"]: f["value"] for f in restore.context["fields"]}
    assert values == {k: str(v) for k, v in lights.DEFAULT_RULES.to_dict().items()}
    current = LightRules.objects.order_by("-id").first()
    done = client.post("/projects/lights/rules/", {**values, "note": "恢复默认规则", "version": current.pk})
    assert done.status_code == 302
    assert selectors.current_rules() == lights.DEFAULT_RULES and LightRules.objects.count() == 3
    assert _colours(drc) == {"A": "green", "B": "yellow", "C": "green"}


def test_a_draft_is_previewed_in_a_back_test_before_it_is_saved(projects, personas, login):
    client = login(personas["drc"])
    preview = client.post(
        "/projects/lights/rules/", {**lights.DEFAULT_RULES.to_dict(), **STRICTER, "preview": MARCH}
    )
    assert preview.status_code == 302 and preview.url.startswith("/projects/lights/backtest/?")
    page = client.get(preview.url)
    assert page.status_code == 200
    result = page.context["result"]
    assert result.old.key == "default" and result.new.key == "draft"
    moved = {row.project.code[-1]: (row.before.colour, row.after.colour) for row in result.changes}
    assert moved == {"B": ("yellow", "red"), "C": ("green", "yellow")}
    assert result.before == {"red": 0, "yellow": 1, "green": 2, "grey": 0}
    assert result.after == {"red": 1, "yellow": 1, "green": 1, "grey": 0}
    text = page.content.decode()
    assert "落后 20.8 个百分点（红灯：落后超过 20 个百分点）" in text  # the new light's reason
    assert "落后 20.8 个百分点（黄灯：落后 10–30 个百分点）" in text  # and the old one's
    assert 'data-testid="save-draft"' in text
    assert not LightRules.objects.exists()  # a preview saves nothing

    bad = client.post(
        "/projects/lights/rules/",
        {**lights.DEFAULT_RULES.to_dict(), "progress_red_pp": "5", "preview": MARCH},
    )
    assert bad.status_code == 400 and "应大于" in bad.content.decode()


def test_back_test_between_saved_versions_on_a_past_month_page_and_api(projects, personas, login, api_as):
    drc = personas["drc"]
    v1 = light_rules_save(values={"progress_red_pp": "25"}, note="第一版", by=drc)
    v2 = light_rules_save(values=STRICTER, note="第二版", by=drc)
    # the same month under both versions, computed here light by light
    expected = {}
    for p, month in selectors.project_months(user=drc, period=selectors.latest_period(user=drc)):
        before = lights.evaluate(month, lights.RuleSet.from_dict(v1.rules)).colour
        after = lights.evaluate(month, lights.RuleSet.from_dict(v2.rules)).colour
        if before != after:
            expected[p.code] = (before, after)
    assert expected  # the versions disagree on some project

    page = login(drc).get(f"/projects/lights/backtest/?period={MARCH}&old=v{v1.pk}&new={v2.pk}")
    assert page.status_code == 200
    assert {
        r.project.code: (r.before.colour, r.after.colour) for r in page.context["result"].changes
    } == expected
    default = login(drc).get(
        f"/projects/lights/backtest/?period={MARCH}"
    )  # the latest change: previous → current
    assert default.context["result"].old.key == str(v1.pk) and default.context["result"].new.key == str(v2.pk)

    body = (
        api_as(drc)
        .get("/api/v1/project-lights/backtest/", {"period": MARCH, "old": v1.pk, "new": v2.pk})
        .json()
    )
    assert body["period"] == MARCH and body["old"]["version"] == str(v1.pk)
    assert {c["project"]: (c["before"]["colour"], c["after"]["colour"]) for c in body["changes"]} == expected
    assert sum(body["counts"]["before"].values()) == sum(body["counts"]["after"].values()) == len(projects)
    assert body["differences"] and all(c["after"]["reasons"][0]["sentence"] for c in body["changes"])
    everything = (
        api_as(drc)
        .get("/api/v1/project-lights/backtest/", {"period": MARCH, "old": v1.pk, "new": v2.pk, "all": "1"})
        .json()
    )
    assert len(everything["changes"]) == len(projects)

    draft = (
        api_as(drc)
        .get(
            "/api/v1/project-lights/backtest/", {"period": MARCH, "new": "draft", "late_filing_colour": "red"}
        )
        .json()
    )
    assert draft["new"]["rules"]["progress_red_pp"] == "20"  # a draft starts from the rules in force
    assert draft["new"]["rules"]["late_filing_colour"] == "red"

    unknown = api_as(drc).get(
        "/api/v1/project-lights/backtest/",
        {"period": MARCH, "old": "v99", "new": "draft", "progress_red_pp": "1"},
    )
    assert unknown.status_code == 400 and set(unknown.json()) == {"old", "progress_red_pp"}
    assert login(drc).get("/projects/lights/backtest/?old=zzz").status_code == 400


def test_the_back_test_reads_in_a_bounded_number_of_queries(
    projects, personas, api_as, django_assert_max_num_queries
):
    api = api_as(personas["drc"])
    with django_assert_max_num_queries(10):
        body = api.get(
            "/api/v1/project-lights/backtest/", {"period": MARCH, "new": "draft", **STRICTER}
        ).json()
    assert len(body["changes"]) == 2
