"""The scorecards per leader and department: who may read which card (pages and API), figures equal to what
the underlying selectors return, every number a link to rows that count the same, and the API's figures."""

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from chanye.casework.models import Case
from chanye.cockpit.scorecard_selectors import COLOURS, department_scorecard, leader_scorecard
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Enterprise, Liaison, Visit
from chanye.enterprises.selectors import liaison_board
from chanye.organizations.models import Department, Leader, Street
from chanye.projects.models import AnnualPlan, Filing, FilingStatus, Project
from chanye.projects.selectors import project_lights
from chanye.targets.models import Target
from chanye.targets.selectors import target_outlooks

pytestmark = pytest.mark.django_db
MONTH = date(2025, 6, 1)


@pytest.fixture
def world(systems, personas):
    """L-VP-IND (the `leader` persona) and 工信局 (the `dept` persona) with liaison firms (one visit overdue),
    three key projects at different paces, two open cases (one overdue), the demo district series and the
    definition's targets."""
    from chanye.indicators.services import demo_indicators
    from chanye.targets.services import targets_apply_definition

    demo_indicators()
    targets_apply_definition(system=systems)
    leader = Leader.objects.get(code="L-VP-IND")
    iit = Department.objects.get(code="IIT")
    today = timezone.localdate()
    firms = [
        Enterprise.objects.create(uscc=uscc_for(300 + n), name=f"天河测试企业{n}", synthetic=True)
        for n in range(3)
    ]
    for number, firm in enumerate(firms):
        Liaison.objects.create(
            enterprise=firm, leader=leader, department=iit, cadence_days=90, since=today - timedelta(days=400)
        )
        if number == 0:  # visited last month: on time; the others never: overdue
            Visit.objects.create(
                enterprise=firm, visited_on=today - timedelta(days=30), department=iit, visitors="张三"
            )
    sw = systems.industries.get(code="SW")
    street = Street.objects.get(code="TH01")
    for number, (pace, stage) in enumerate(((1.0, "continuing"), (0.3, "continuing"), (0.8, "new"))):
        project = Project.objects.create(
            code=f"TH2025-8{number:02d}",
            name=f"测试项目{number}",
            owner=firms[number],
            industry=sw,
            street=street,
            stage=stage,
            total_investment=Decimal(100000 * (number + 1)),
            leader=leader,
            department=iit,
            planned_start=date(2024, 1, 1),
            actual_start=date(2024, 3, 1),
        )
        AnnualPlan.objects.create(project=project, year=2025, planned_investment=Decimal(12000))
        cumulative = Decimal(12000 * MONTH.month / 12 * pace).quantize(Decimal("0.01"))
        Filing.objects.create(
            project=project,
            period=MONTH,
            investment=cumulative / MONTH.month,
            cumulative=cumulative,
            status=FilingStatus.ACCEPTED,
            due_on=date(2025, 7, 5),
            submitted_at=timezone.now().replace(year=2025, month=7, day=1),
        )
    for number, days in enumerate((-5, 20)):
        Case.objects.create(
            title=f"用地问题{number}",
            description="用地手续",
            category="land",
            department=iit,
            leader=leader,
            sla_days=60,
            deadline=today + timedelta(days=days),
            escalation_level=1 if number == 0 else 0,
        )
    return {"leader": leader, "department": iit}


# Who may read which card.


@pytest.mark.parametrize(
    ("persona", "leader_card", "own_department", "other_department", "leader_index"),
    [
        ("leader", 200, 200, 200, 200),
        ("other_leader", 200, 200, 200, 200),
        ("drc", 200, 200, 200, 200),
        ("dept", 403, 200, 403, 403),
        ("street", 403, 403, 403, 403),
        ("enterprise", 403, 403, 403, 403),
        ("auditor", 403, 403, 403, 403),
    ],
)
def test_who_reads_which_card(
    world, personas, login, persona, leader_card, own_department, other_department, leader_index
):
    client = login(personas[persona])
    leader, iit = world["leader"], world["department"]
    other = Department.objects.get(code="COM")
    assert client.get(f"/cockpit/leaders/{leader.pk}/").status_code == leader_card
    assert client.get(f"/cockpit/leaders/{leader.pk}/projects/").status_code == leader_card
    assert client.get(f"/cockpit/departments/{iit.pk}/").status_code == own_department
    assert client.get(f"/cockpit/departments/{other.pk}/cases/").status_code == other_department
    assert client.get("/cockpit/leaders/").status_code == leader_index


def test_anonymous_is_sent_to_sign_in_and_unknown_subjects_are_404(world, client, personas, login):
    response = client.get(f"/cockpit/leaders/{world['leader'].pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client = login(personas["drc"])
    assert client.get("/cockpit/leaders/999999/").status_code == 404
    assert client.get(f"/cockpit/leaders/{world['leader'].pk}/nonsense/").status_code == 404


def test_a_department_officer_lists_only_their_own_department(world, personas, login):
    page = login(personas["dept"]).get("/cockpit/departments/")
    assert page.status_code == 200
    assert [row.subject.code for row, _url in page.context["rows"]] == ["IIT"]
    everyone = login(personas["drc"]).get("/cockpit/departments/")
    assert len(everyone.context["rows"]) == Department.objects.filter(active=True).count()


# The figures are the selectors' figures.


def test_a_leaders_figures_are_those_of_the_underlying_selectors(world, personas):
    drc, leader = personas["drc"], world["leader"]
    card = leader_scorecard(user=drc, leader=leader, month=MONTH)
    figures = card.figures()

    projects = Project.objects.filter(leader=leader)
    lights = Counter(light.colour for _p, light in project_lights(user=drc, period=MONTH, projects=projects))
    assert figures["projects"]["count"] == projects.count() == 3
    assert figures["projects"]["lights"] == {colour: lights.get(colour, 0) for colour in COLOURS}
    assert lights["red"] >= 1  # the project at 30% of its schedule
    assert figures["projects"]["total_investment"] == sum(p.total_investment for p in projects)

    board = [s for s in liaison_board(user=drc) if s.liaison.leader_id == leader.pk]
    assert figures["enterprises"] == {"count": len(board), "overdue": sum(s.overdue for s in board)}
    assert figures["enterprises"] == {"count": 3, "overdue": 2}

    industries = set(
        leader.responsibilities.filter(valid_to__isnull=True).values_list("industry_id", flat=True)
    )
    assert {row.industry.pk for row in card.industries} >= industries
    targets = list(
        Target.objects.filter(active=True, industry_id__in=[r.industry.pk for r in card.industries])
    )
    expected = Counter(
        item.outlook.status.value for item in target_outlooks(user=drc, as_of=MONTH, targets=targets)
    )
    assert figures["targets"]["count"] == len(targets) > 0
    assert {k: v for k, v in figures["targets"]["statuses"].items() if v} == dict(expected)

    assert figures["cases"] == {"open": 2, "overdue": 1, "escalated": 1}


def test_a_departments_card_adds_the_targets_of_the_indicators_it_owns(world, personas):
    stats = Department.objects.get(code="STATS")
    card = department_scorecard(user=personas["drc"], department=stats, month=MONTH)
    owned = {item.target.indicator.code for item in card.targets}
    assert {"gdp", "fai"} <= owned  # 区统计局 owns GDP and FAI in the catalogue
    iit = department_scorecard(user=personas["dept"], department=world["department"], month=MONTH)
    assert (
        iit.figures()["projects"]["count"] == Project.objects.filter(department=world["department"]).count()
    )


def test_restricted_indicators_targets_are_left_out_for_who_may_not_see_them(world, personas):
    from chanye.indicators.models import Indicator
    from chanye.targets.services import target_create

    tax = Indicator.objects.get(code="tax")  # restricted, owned by 区财政局
    target_create(
        values={
            "industry": world["leader"].responsibilities.first().industry,
            "indicator": tax,
            "year": 2030,
            "value": Decimal(1000),
        },
        by=personas["drc"],
    )
    seen_by_drc = department_scorecard(user=personas["drc"], department=world["department"], month=MONTH)
    seen_by_iit = department_scorecard(user=personas["dept"], department=world["department"], month=MONTH)
    assert "tax" in {i.target.indicator.code for i in seen_by_drc.targets}
    assert "tax" not in {i.target.indicator.code for i in seen_by_iit.targets}


# Every number links to rows that count the same.


def test_every_number_links_to_rows_that_count_the_same(world, personas, login):
    client = login(personas["leader"])
    leader = world["leader"]
    page = client.get(f"/cockpit/leaders/{leader.pk}/?month=2025-06")
    assert page.status_code == 200
    html = page.content.decode()
    figures = page.context["f"]
    checked = 0
    for href, testid, number in re.findall(
        r'<a class="figure[^"]*" href="([^"]+)" data-testid="(figure-[a-z-]+)">(\d+)</a>', html
    ):
        rows = client.get(href.replace("&amp;", "&"))
        assert rows.status_code == 200, href
        assert len(rows.context["rows"]) == int(number), (testid, href)
        checked += 1
    assert checked == 9
    assert figures["projects"]["lights"]["red"] >= 1
    red = client.get(f"/cockpit/leaders/{leader.pk}/projects/?colour=red&month=2025-06")
    assert all(row.light.colour == "red" for row in red.context["rows"])
    assert "时序进度" in red.content.decode()  # the reason that lit it
    chart = page.context["charts"]["projects"]
    assert [item["value"] for item in chart] == [figures["projects"]["lights"][c] for c in COLOURS]
    assert all(item["url"].startswith(f"/cockpit/leaders/{leader.pk}/projects/?colour=") for item in chart)


def test_a_bad_filter_or_month_is_named(world, personas, login):
    client = login(personas["drc"])
    leader = world["leader"]
    response = client.get(f"/cockpit/leaders/{leader.pk}/projects/?colour=purple")
    assert response.status_code == 400
    assert "colour 应为 red、yellow、green、grey 之一" in response.content.decode()
    page = client.get(f"/cockpit/leaders/{leader.pk}/?month=2025-13x")
    assert page.status_code == 200 and "月份应为 YYYY-MM" in page.content.decode()


def test_leader_and_department_pages_link_to_their_cards(world, personas, login):
    client = login(personas["drc"])
    leader, iit = world["leader"], world["department"]
    assert f'href="/cockpit/leaders/{leader.pk}/"' in client.get(f"/leaders/{leader.code}/").content.decode()
    assert (
        f'href="/cockpit/departments/{iit.pk}/"' in client.get(f"/departments/{iit.code}/").content.decode()
    )
    officer = login(personas["dept"])
    assert (
        f'href="/cockpit/departments/{iit.pk}/"' in officer.get(f"/departments/{iit.code}/").content.decode()
    )


# The API.


def test_the_api_returns_the_cards_figures(world, personas, api_as):
    leader = world["leader"]
    response = api_as(personas["leader"]).get(f"/api/v1/scorecards/leaders/{leader.pk}/?month=2025-06")
    assert response.status_code == 200
    body = response.json()
    card = leader_scorecard(user=personas["leader"], leader=leader, month=MONTH)
    expected = card.figures()
    assert body["figures"]["projects"]["lights"] == expected["projects"]["lights"]
    assert body["figures"]["enterprises"] == expected["enterprises"]
    assert body["figures"]["cases"] == expected["cases"]
    assert body["figures"]["targets"]["statuses"] == expected["targets"]["statuses"]
    assert body["period"] == "2025-06" and body["code"] == "L-VP-IND"
    red = [p for p in body["projects"] if p["colour"] == "red"]
    assert red and all(p["reason"] for p in red)
    assert body["links"]["projects_red"] == f"/cockpit/leaders/{leader.pk}/projects/?colour=red&month=2025-06"
    department = api_as(personas["dept"]).get(f"/api/v1/scorecards/departments/{world['department'].pk}/")
    assert department.status_code == 200 and department.json()["kind"] == "department"


def test_the_api_refuses_out_of_scope_and_names_a_bad_month(world, personas, api_as):
    leader, iit = world["leader"], world["department"]
    assert api_as(None).get(f"/api/v1/scorecards/leaders/{leader.pk}/").status_code == 401
    assert api_as(personas["dept"]).get(f"/api/v1/scorecards/leaders/{leader.pk}/").status_code == 403
    other = Department.objects.get(code="COM")
    assert api_as(personas["dept"]).get(f"/api/v1/scorecards/departments/{other.pk}/").status_code == 403
    assert api_as(personas["street"]).get(f"/api/v1/scorecards/departments/{iit.pk}/").status_code == 403
    assert api_as(personas["drc"]).get("/api/v1/scorecards/departments/999999/").status_code == 404
    bad = api_as(personas["drc"]).get(f"/api/v1/scorecards/leaders/{leader.pk}/?month=June")
    assert bad.status_code == 400 and "month" in bad.json()


# A row links to its detail page only where the reader may open it.

SECTIONS = ("industries", "enterprises", "projects", "targets", "cases")


def _links(html: str) -> set[str]:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return {
        href.replace("&amp;", "&")
        for href in re.findall(r'href="([^"#][^"]*)"', main)
        if not href.startswith(("javascript:", "mailto:"))
    }


@pytest.mark.parametrize(
    ("persona", "cards"),
    [
        ("leader", [("leaders", "L-VP-IND"), ("departments", "IIT"), ("departments", "STATS")]),
        ("other_leader", [("leaders", "L-VP-IND"), ("departments", "IIT"), ("departments", "COM")]),
        ("drc", [("leaders", "L-VP-IND"), ("departments", "IIT")]),
        ("dept", [("departments", "IIT")]),
    ],
)
def test_every_link_on_a_card_opens_for_its_reader(world, personas, login, persona, cards, systems):
    from chanye.indicators.models import Indicator
    from chanye.targets.services import target_create

    # 工信局 owns 产值: its card lists this target although 金融 is outside the bureau's industries.
    finance = systems.industries.get(code="FINANCE")
    output = Indicator.objects.get(code="output")
    values = {"industry": finance, "indicator": output, "year": 2030, "value": Decimal(1000)}
    target = target_create(values=values, by=personas["drc"])
    client = login(personas[persona])
    models = {"leaders": Leader, "departments": Department}
    links: set[str] = set()
    for kind, code in cards:
        base = f"/cockpit/{kind}/{models[kind].objects.get(code=code).pk}/"
        for url in [base, *(f"{base}{section}/" for section in SECTIONS)]:
            page = client.get(f"{url}?month=2025-06")
            assert page.status_code == 200, url
            links |= _links(page.content.decode())
    assert any(link.startswith("/cockpit/") for link in links)
    iit = department_scorecard(user=personas[persona], department=world["department"], month=MONTH)
    assert target.pk in {item.target.pk for item in iit.targets}  # listed on the card, linked or not
    for link in sorted(links):
        assert client.get(link).status_code == 200, (persona, link)


def test_a_colleagues_card_names_the_rows_out_of_scope_without_links(world, personas, login):
    leader = world["leader"]
    url = f"/cockpit/leaders/{leader.pk}/?month=2025-06"
    colleague = login(personas["other_leader"]).get(url)
    html = colleague.content.decode()
    reach = colleague.context["card"].reach
    assert not reach.projects and not reach.enterprises and not reach.cases and not reach.subject
    links = _links(html)
    assert "测试项目0" in html and "/projects/TH2025-800/" not in links
    assert "用地问题0" in html and not any(re.match(r"/cases/\d+/", link) for link in links)
    assert f"/leaders/{leader.code}/" not in links  # 职责与分工 opens for its own leader only

    # The same numbers and rows whoever reads the card; only the links differ.
    own = login(personas["leader"]).get(url)
    assert own.context["f"] == colleague.context["f"]
    assert "/projects/TH2025-800/" in own.content.decode()
    for section in SECTIONS:
        rows_url = f"/cockpit/leaders/{leader.pk}/{section}/?month=2025-06"
        assert len(login(personas["other_leader"]).get(rows_url).context["rows"]) == len(
            login(personas["leader"]).get(rows_url).context["rows"]
        )


def test_working_out_the_links_reads_no_query_per_row(world, personas, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(personas["leader"])
    iit = world["department"]
    url = f"/cockpit/departments/{iit.pk}/enterprises/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # the first request also reads the session and the caches
    before = queries()
    today = timezone.localdate()
    for n in range(5):
        firm = Enterprise.objects.create(uscc=uscc_for(400 + n), name=f"新增企业{n}", synthetic=True)
        Liaison.objects.create(enterprise=firm, leader=world["leader"], department=iit, since=today)
        Case.objects.create(
            title=f"新增案件{n}", department=iit, sla_days=30, deadline=today, enterprise=firm
        )
    assert queries() == before
