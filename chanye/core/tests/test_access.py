"""The access triad on every page and endpoint: anonymous → login redirect (HTML) or 401 (API);
signed in without the permission → 403; in scope → 200; out of scope → 404.

ROUTES must name every URL pattern: a new page or endpoint fails `test_every_route_is_covered`
until it is added here with who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from chanye.accounts.models import User
from chanye.audit.models import AuditEvent
from chanye.industries.models import Industry
from chanye.organizations.models import Responsibility

GOV = ("leader", "drc", "dept", "street")
ADMINS = ("sysadmin", "secadmin", "auditor")
EVERYONE = (*GOV, "enterprise", *ADMINS)


def firm(s):
    """A bank in 员村街道 (TH02): in 现代金融, so outside the demo leader's, IIT's and 五山街道's scope."""
    from chanye.enterprises.demo import uscc_for
    from chanye.enterprises.models import Enterprise
    from chanye.enterprises.services import enterprise_save
    from chanye.organizations.models import Street

    code = uscc_for(999)
    if not Enterprise.objects.filter(uscc=code).exists():
        enterprise_save(
            by=None,
            values={
                "uscc": code,
                "name": "广州测试银行有限公司",
                "gbt_code": "6621",
                "street": Street.objects.get(code="TH02"),
            },
        )
    return code


def import_job(s):
    from chanye.enterprises.models import ImportJob

    job = ImportJob.objects.first() or ImportJob.objects.create(filename="名单.xlsx")
    return job.pk


def project(s):
    """A key project of the test bank (现代金融, 员村街道, 区委金融办): in the DRC's scope only."""
    from chanye.enterprises.models import Enterprise
    from chanye.organizations.models import Department, Street
    from chanye.projects.models import Project

    found = Project.objects.filter(code="TEST-001").first()
    if found is None:
        found = Project.objects.create(
            code="TEST-001",
            name="测试金融中心",
            owner=Enterprise.objects.get(uscc=firm(s)),
            industry=Industry.objects.get(system=s, code="FINANCE"),
            street=Street.objects.get(code="TH02"),
            department=Department.objects.get(code="FIN"),
            stage="continuing",
            total_investment=100000,
        )
    return found.code


def filing(s):
    from chanye.projects.models import Filing, Project

    found = Filing.objects.filter(project__code=project(s)).first()
    if found is None:
        found = Filing.objects.create(
            project=Project.objects.get(code=project(s)), period="2025-03-01", due_on="2025-04-05"
        )
    return found.pk


def project_import(s):
    """A filing import uploaded by the DRC persona: its own and the DRC's to see, nobody else's."""
    from chanye.enterprises.models import ImportJob

    job = ImportJob.objects.filter(kind="filings").first() or ImportJob.objects.create(
        kind="filings", filename="月报.xlsx", created_by=User.objects.get(username="drc1")
    )
    return job.pk


def case(s):
    """A land blocker of the test bank, on 区委金融办 and its leader: in the DRC's scope only."""
    from chanye.casework.models import Case
    from chanye.enterprises.models import Enterprise
    from chanye.organizations.models import Department, Leader

    found = Case.objects.filter(title="测试金融中心用地").first()
    if found is None:
        found = Case.objects.create(
            title="测试金融中心用地",
            description="用地指标未落实",
            category="land",
            enterprise=Enterprise.objects.get(uscc=firm(s)),
            department=Department.objects.get(code="FIN"),
            leader=Leader.objects.get(code="L-VP-FIN"),
            sla_days=60,
            deadline="2025-06-30",
        )
    return found.pk


def indicator(s, code="tax"):
    """The catalogue loaded; 税收 is restricted: the DRC, district leaders and its owner (区财政局) only."""
    from chanye.indicators.services import catalogue_load

    catalogue_load()
    return code


def indicator_job(s):
    from chanye.enterprises.models import ImportJob

    job = ImportJob.objects.filter(kind="indicators").first()
    return (job or ImportJob.objects.create(filename="指标.xlsx", kind="indicators")).pk


def observation(s):
    """The test bank's revenue for March 2025: in the DRC's scope only."""
    from datetime import date

    from chanye.enterprises.models import Enterprise
    from chanye.indicators.models import Indicator
    from chanye.indicators.services import observation_record

    return observation_record(
        indicator=Indicator.objects.get(code=indicator(s, "revenue")),
        level="enterprise",
        enterprise=Enterprise.objects.get(uscc=firm(s)),
        period=date(2025, 3, 1),
        value=100,
        by=None,
    ).pk


def finance(s):
    """现代金融: led by L-VP-FIN and FIN, so outside the demo leader's and IIT's scope."""
    return Industry.objects.get(system=s, code="FINANCE").pk


def finance_target(s):
    """The 2035 现代金融 cluster target from the definition: seen by the DRC and streets (all industries)."""
    from chanye.targets.models import Target
    from chanye.targets.services import targets_apply_definition

    if not Target.objects.exists():
        targets_apply_definition(system=s)
    return Target.objects.get(indicator__code="cluster_scale", industry__code="FINANCE").pk


def leader_pk():
    from chanye.organizations.models import Leader

    return Leader.objects.get(code="L-VP-IND").pk


def iit_pk():
    from chanye.organizations.models import Department

    return Department.objects.get(code="IIT").pk


# route name → (path builder, personas allowed)
ROUTES = {
    "industries:system_home": (lambda s: "/systems/", GOV),
    "industries:system_detail": (lambda s: "/systems/tianhe-12126/", GOV),
    "industries:system_diff": (lambda s: "/systems/tianhe-12126/diff/", GOV),
    "industries:system_export": (lambda s: "/systems/tianhe-12126/export/", GOV),
    "industries:system_version": (lambda s: "/systems/tianhe-12126/versions/2025.1/", GOV),
    "industries:industry_list": (lambda s: "/industries/", GOV),
    "industries:industry_detail": (lambda s: f"/industries/{finance(s)}/", ("drc", "street")),
    "industries:responsibility_edit": (lambda s: f"/industries/{finance(s)}/responsibility/", ("drc",)),
    "industries:code_search": (lambda s: "/codes/", (*GOV, "enterprise")),
    "organizations:responsibility_matrix": (lambda s: "/responsibility/", GOV),
    "organizations:leader_list": (lambda s: "/leaders/", GOV),
    "organizations:leader_detail": (lambda s: "/leaders/L-VP-IND/", ("drc", "leader", "dept")),
    "organizations:leader_edit": (lambda s: "/leaders/L-VP-IND/edit/", ("drc",)),
    "organizations:department_list": (lambda s: "/departments/", GOV),
    "organizations:department_detail": (lambda s: "/departments/IIT/", ("drc", "dept", "leader")),
    "organizations:department_edit": (lambda s: "/departments/IIT/edit/", ("drc",)),
    "organizations:street_list": (lambda s: "/streets/", GOV),
    "organizations:office_edit": (lambda s: "/offices/OFF-AI/edit/", ("drc",)),
    "organizations:task_force_edit": (lambda s: "/task-forces/TF-AI/edit/", ("drc",)),
    "organizations:street_edit": (lambda s: "/streets/TH02/edit/", ("drc",)),
    "accounts:user_list": (lambda s: "/accounts/users/", ("sysadmin", "secadmin")),
    "audit:list": (lambda s: "/audit/", ("auditor",)),
    "audit:export": (lambda s: "/audit/export.csv", ("auditor",)),
    # API
    "system-list": (lambda s: "/api/v1/systems/", GOV),
    "system-detail": (lambda s: "/api/v1/systems/tianhe-12126/", GOV),
    "system-versions": (lambda s: "/api/v1/systems/tianhe-12126/versions/", GOV),
    "system-export": (lambda s: "/api/v1/systems/tianhe-12126/export/", GOV),
    "industry-list": (lambda s: "/api/v1/industries/", GOV),
    "industry-detail": (lambda s: f"/api/v1/industries/{finance(s)}/", ("drc", "street")),
    "industry-responsibility": (
        lambda s: f"/api/v1/industries/{finance(s)}/responsibility/",
        ("drc", "street"),
    ),
    "code-list": (lambda s: "/api/v1/codes/", (*GOV, "enterprise")),
    "department-list": (lambda s: "/api/v1/departments/", GOV),
    "department-detail": (lambda s: "/api/v1/departments/FIN/", ("drc",)),
    "leader-list": (lambda s: "/api/v1/leaders/", GOV),
    "leader-detail": (lambda s: "/api/v1/leaders/L-VP-FIN/", ("drc",)),
    "office-list": (lambda s: "/api/v1/offices/", GOV),
    "office-detail": (lambda s: "/api/v1/offices/OFF-AI/", ("drc", "dept")),
    "task-force-list": (lambda s: "/api/v1/task-forces/", GOV),
    "task-force-detail": (lambda s: "/api/v1/task-forces/TF-AI/", ("drc", "dept")),
    "street-list": (lambda s: "/api/v1/streets/", GOV),
    "street-detail": (lambda s: "/api/v1/streets/TH02/", ("drc", "leader", "dept")),
    "responsibility-list": (lambda s: "/api/v1/responsibilities/", GOV),
    "responsibility-detail": (lambda s: f"/api/v1/responsibilities/{_row(s, 'FINANCE')}/", ("drc", "street")),
    "user-list": (lambda s: "/api/v1/users/", ("sysadmin", "secadmin")),
    "audit-event-list": (lambda s: "/api/v1/audit-events/", ("auditor",)),
    "audit-event-detail": (lambda s: f"/api/v1/audit-events/{AuditEvent.objects.first().pk}/", ("auditor",)),
    "user-detail": (
        lambda s: f"/api/v1/users/{User.objects.get(username='iit1').pk}/",
        ("sysadmin", "secadmin"),
    ),
    "enterprises:list": (lambda s: "/enterprises/", (*GOV, "enterprise")),
    "enterprises:create": (lambda s: "/enterprises/new/", ("drc", "street")),
    "enterprises:stats": (lambda s: "/enterprises/stats/", (*GOV, "enterprise")),
    "enterprises:liaison": (lambda s: "/enterprises/liaison/", (*GOV, "enterprise")),
    "enterprises:classification": (lambda s: "/enterprises/classification/", ("drc",)),
    "enterprises:tags": (lambda s: "/enterprises/tags/", (*GOV, "enterprise")),
    "enterprises:export": (lambda s: f"/enterprises/export.csv?q={firm(s)}", GOV),
    "enterprises:template": (lambda s: "/enterprises/template.xlsx", (*GOV, "enterprise")),
    "enterprises:import": (lambda s: "/enterprises/imports/", ("drc",)),
    "enterprises:import_detail": (lambda s: f"/enterprises/imports/{import_job(s)}/", ("drc",)),
    "enterprises:import_errors": (lambda s: f"/enterprises/imports/{import_job(s)}/errors.xlsx", ("drc",)),
    "enterprises:detail": (lambda s: f"/enterprises/{firm(s)}/", ("drc",)),
    "enterprises:edit": (lambda s: f"/enterprises/{firm(s)}/edit/", ("drc",)),
    "projects:list": (lambda s: "/projects/", (*GOV, "enterprise")),
    "projects:filings": (lambda s: "/projects/filings/", (*GOV, "enterprise")),
    "projects:lights": (lambda s: "/projects/lights/?month=2025-03", (*GOV, "enterprise")),
    "projects:forecast": (lambda s: "/projects/forecast/?month=2025-03", (*GOV, "enterprise")),
    "projects:rollup": (lambda s: "/projects/rollup/?by=department&month=2025-03", (*GOV, "enterprise")),
    "projects:stages": (lambda s: "/projects/stages/", ("drc",)),
    "projects:monthly_table": (lambda s: "/projects/monthly.xlsx?month=2025-03", (*GOV, "enterprise")),
    "projects:detail": (lambda s: f"/projects/{project(s)}/", ("drc",)),
    "projects:filing": (lambda s: f"/projects/{project(s)}/filings/2025-03/", ("drc",)),
    "projects:create": (lambda s: "/projects/new/", ("drc",)),
    "projects:edit": (lambda s: f"/projects/{project(s)}/edit/", ("drc",)),
    "project-plans": (lambda s: f"/api/v1/projects/{project(s)}/plans/", ("drc",)),
    "project-milestones": (lambda s: f"/api/v1/projects/{project(s)}/milestones/", ("drc",)),
    "project-bonds": (lambda s: f"/api/v1/projects/{project(s)}/bonds/", ("drc",)),
    "project-list": (lambda s: "/api/v1/projects/", (*GOV, "enterprise")),
    "project-detail": (lambda s: f"/api/v1/projects/{project(s)}/", ("drc",)),
    "filing-list": (lambda s: "/api/v1/filings/", (*GOV, "enterprise")),
    "project-lights": (lambda s: "/api/v1/project-lights/?as_of=2025-03", (*GOV, "enterprise")),
    "project-forecast": (lambda s: "/api/v1/project-forecast/?as_of=2025-03", (*GOV, "enterprise")),
    "filing-detail": (lambda s: f"/api/v1/filings/{filing(s)}/", ("drc",)),
    "projects:imports": (lambda s: "/projects/imports/", ("drc", "dept", "enterprise")),
    "projects:import_template": (
        lambda s: "/projects/imports/template/filings.xlsx",
        ("drc", "dept", "enterprise"),
    ),
    "projects:import_detail": (lambda s: f"/projects/imports/{project_import(s)}/", ("drc",)),
    "projects:import_errors": (lambda s: f"/projects/imports/{project_import(s)}/errors.xlsx", ("drc",)),
    "project-import-list": (lambda s: "/api/v1/project-imports/", ("drc", "dept", "enterprise")),
    "project-import-detail": (lambda s: f"/api/v1/project-imports/{project_import(s)}/", ("drc",)),
    "project-import-errors": (
        lambda s: f"/api/v1/project-imports/{project_import(s)}/errors/",
        ("drc",),
    ),
    "projects:rules": (lambda s: "/projects/lights/rules/", ("drc",)),
    "projects:backtest": (lambda s: "/projects/lights/backtest/?period=2025-03", ("drc",)),
    "projects:reminders": (lambda s: "/projects/reminders/?month=2025-03", (*GOV, "enterprise")),
    "project-light-rules": (lambda s: "/api/v1/project-light-rules/", ("drc",)),
    "project-lights-backtest": (lambda s: "/api/v1/project-lights/backtest/?period=2025-03", ("drc",)),
    "filing-reminder-list": (lambda s: "/api/v1/filing-reminders/?period=2025-03", (*GOV, "enterprise")),
    "cases:list": (lambda s: "/cases/", (*GOV, "enterprise")),
    "cases:create": (lambda s: "/cases/new/", (*GOV, "enterprise")),
    "cases:sla": (lambda s: "/cases/sla/", (*GOV, "enterprise")),
    "cases:detail": (lambda s: f"/cases/{case(s)}/", ("drc",)),
    "case-list": (lambda s: "/api/v1/cases/", (*GOV, "enterprise")),
    "case-detail": (lambda s: f"/api/v1/cases/{case(s)}/", ("drc",)),
    "enterprise-list": (lambda s: "/api/v1/enterprises/", (*GOV, "enterprise")),
    "enterprise-detail": (lambda s: f"/api/v1/enterprises/{firm(s)}/", ("drc",)),
    "enterprise-industries": (lambda s: f"/api/v1/enterprises/{firm(s)}/industries/", ("drc",)),
    "enterprise-visits": (lambda s: f"/api/v1/enterprises/{firm(s)}/visits/", ("drc",)),
    "enterprise-classification": (lambda s: "/api/v1/enterprise-classification/", ("drc",)),
    "enterprise-import-list": (lambda s: "/api/v1/enterprise-imports/", ("drc",)),
    "enterprise-import-detail": (lambda s: f"/api/v1/enterprise-imports/{import_job(s)}/", ("drc",)),
    "enterprise-import-errors": (lambda s: f"/api/v1/enterprise-imports/{import_job(s)}/errors/", ("drc",)),
    "indicators:list": (lambda s: f"/indicators/?frequency=year&x={indicator(s)}", GOV),
    "indicators:detail": (lambda s: f"/indicators/{indicator(s)}/", ("drc", "leader")),
    "indicators:import": (lambda s: "/indicators/imports/", ("drc",)),
    "indicators:template": (lambda s: "/indicators/template.xlsx", ("drc",)),
    "indicators:import_detail": (lambda s: f"/indicators/imports/{indicator_job(s)}/", ("drc",)),
    "indicators:import_errors": (lambda s: f"/indicators/imports/{indicator_job(s)}/errors.xlsx", ("drc",)),
    "indicator-import-list": (lambda s: "/api/v1/indicator-imports/", ("drc",)),
    "indicator-import-detail": (lambda s: f"/api/v1/indicator-imports/{indicator_job(s)}/", ("drc",)),
    "indicator-import-errors": (lambda s: f"/api/v1/indicator-imports/{indicator_job(s)}/errors/", ("drc",)),
    "indicator-list": (lambda s: f"/api/v1/indicators/?x={indicator(s)}", GOV),
    "indicator-detail": (lambda s: f"/api/v1/indicators/{indicator(s)}/", ("drc", "leader")),
    "observation-list": (lambda s: "/api/v1/observations/?indicator=revenue", GOV),
    "observation-detail": (lambda s: f"/api/v1/observations/{observation(s)}/", ("drc",)),
    "indicator-aggregates": (
        lambda s: f"/api/v1/indicator-aggregates/?indicator={indicator(s, 'revenue')}",
        GOV,
    ),
    "targets:list": (lambda s: f"/targets/?as_of=2025-10&x={finance_target(s)}", GOV),
    "targets:create": (lambda s: "/targets/new/", ("drc",)),
    "targets:edit": (lambda s: f"/targets/{finance_target(s)}/edit/", ("drc",)),
    "target-list": (lambda s: f"/api/v1/targets/?x={finance_target(s)}", GOV),
    "target-detail": (lambda s: f"/api/v1/targets/{finance_target(s)}/", ("drc", "street")),
    "target-status": (lambda s: f"/api/v1/target-status/?as_of=2025-10&x={finance_target(s)}", GOV),
    "cockpit:overview": (lambda s: "/cockpit/", ("leader", "drc")),
    "cockpit:wall": (lambda s: "/cockpit/wall/", ("leader", "drc")),
    "cockpit:widget": (lambda s: "/cockpit/widgets/lights/", ("leader", "drc")),
    "cockpit:leader_scorecards": (lambda s: "/cockpit/leaders/", ("leader", "drc")),
    "cockpit:leader_scorecard": (lambda s: f"/cockpit/leaders/{leader_pk()}/", ("leader", "drc")),
    "cockpit:leader_scorecard_rows": (
        lambda s: f"/cockpit/leaders/{leader_pk()}/projects/",
        ("leader", "drc"),
    ),
    "cockpit:department_scorecards": (lambda s: "/cockpit/departments/", ("leader", "drc", "dept")),
    "cockpit:department_scorecard": (
        lambda s: f"/cockpit/departments/{iit_pk()}/",
        ("leader", "drc", "dept"),
    ),
    "cockpit:department_scorecard_rows": (
        lambda s: f"/cockpit/departments/{iit_pk()}/targets/",
        ("leader", "drc", "dept"),
    ),
    "leader-scorecard": (lambda s: f"/api/v1/scorecards/leaders/{leader_pk()}/", ("leader", "drc")),
    "department-scorecard": (
        lambda s: f"/api/v1/scorecards/departments/{iit_pk()}/",
        ("leader", "drc", "dept"),
    ),
    "economy:page": (lambda s: "/economy/", GOV),
    "economy:rate_edit": (lambda s: "/economy/rates/65/", ("drc",)),
    "value-added-rate-list": (lambda s: "/api/v1/value-added-rates/", GOV),
    "value-added-rate-detail": (lambda s: "/api/v1/value-added-rates/65/", GOV),
    "value-added": (lambda s: "/api/v1/value-added/", GOV),
    "accounts:user_detail": (
        lambda s: f"/accounts/users/{User.objects.get(username='iit1').pk}/",
        ("sysadmin", "secadmin"),
    ),
}
# Pages any signed-in user has (their own account), the sign-in flow and API utilities.
OPEN = {
    "home",
    "healthz",
    "set_language",
    "accounts:login",
    "accounts:otp",
    "accounts:logout",
    "accounts:password_change",
    "accounts:profile",
    "me",
    "schema",
    "api_docs",
}
# Write-only routes, covered by their own tests (forms and actions).
WRITE_ONLY = {
    "uscc-check",
    "enterprises:override",
    "enterprises:liaison_set",
    "enterprises:visit_log",
    "projects:review",
    "projects:plan_save",
    "projects:milestones_save",
    "projects:bond_create",
    "projects:bond_save",
    "projects:bond_spend_save",
    "project-bond",
    "project-bond-spends",
    "filing-accept",
    "filing-send-back",
    "filing-remind",
    "cases:escalate",
    "cases:assign",
    "cases:comment",
    "cases:deadline",
    "cases:resolve",
    "cases:reopen",
    "cases:cancel",
    "case-resolve",
    "case-comment",
    "case-assign",
    "case-reopen",
    "case-cancel",
    "case-escalate",
    "industries:system_load",
    "accounts:user_create",
    "system-load",
    "user-assign",
    "user-unlock",
    "user-set-active",
    "economy:estimate",
}


def _row(s, code):
    return Responsibility.objects.get(industry__system=s, industry__code=code, valid_to__isnull=True).pk


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_route_is_covered():
    names = set(_names(get_resolver().url_patterns))
    missing = names - ROUTES.keys() - OPEN - WRITE_ONLY
    assert missing == set(), f"add these routes to ROUTES with who may open them: {sorted(missing)}"


@pytest.fixture
def clients(personas, api_as):
    from django.test import Client

    from conftest import verify_second_factor

    html = {}
    for name, user in personas.items():
        client = Client()
        client.force_login(user)
        if user.needs_second_factor:
            verify_second_factor(client, user)
        html[name] = client
    api = {name: api_as(user) for name, user in personas.items()}
    return html, api


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_access_triad(route, systems, clients, client):
    build, allowed = ROUTES[route]
    path = build(systems)
    is_api = path.startswith("/api/")
    html, api = clients
    anonymous = client.get(path)
    if is_api:
        assert anonymous.status_code == 401, path
    else:
        assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/"), path
    for persona in EVERYONE:
        response = (api if is_api else html)[persona].get(path)
        if persona in allowed:
            landed = response.status_code == 200 or (
                response.status_code == 302 and not response.url.startswith("/accounts/")
            )
            assert landed, (path, persona, response.status_code)
        elif _is_list_permitted(route, persona):
            assert response.status_code == 404, (path, persona, "out of scope must read as not found")
        else:
            assert response.status_code == 403, (path, persona, response.status_code)


def _is_list_permitted(route, persona):
    """A persona who may open the list of a kind but not this row is out of scope (404), not forbidden."""
    list_route = {
        "industries:industry_detail": "industries:industry_list",
        "organizations:leader_detail": "organizations:leader_list",
        "organizations:department_detail": "organizations:department_list",
        "enterprises:detail": "enterprises:list",
        "enterprises:edit": "enterprises:create",  # those who may edit, but not this enterprise
        "projects:detail": "projects:list",
        "projects:filing": "projects:list",
        "projects:import_detail": "projects:imports",  # someone else's import
        "projects:import_errors": "projects:imports",
        "project-import-errors": "project-import-list",
        "project-plans": "project-list",
        "project-milestones": "project-list",
        "project-bonds": "project-list",
        "cases:detail": "cases:list",
        "indicators:detail": "indicators:list",
        "enterprise-industries": "enterprise-list",
        "enterprise-visits": "enterprise-list",
    }.get(route)
    if list_route is None and route.endswith("-detail"):
        list_route = route.replace("-detail", "-list")
    if list_route is None and route == "industry-responsibility":
        list_route = "industry-list"
    return list_route is not None and persona in ROUTES.get(list_route, (None, ()))[1]


@pytest.mark.django_db
def test_lists_show_only_rows_in_scope(personas, api_as, systems):
    led = set(
        Responsibility.objects.filter(leader__code="L-VP-IND", valid_to__isnull=True).values_list(
            "industry__code", flat=True
        )
    )
    leader_view = {
        row["code"]
        for row in api_as(personas["leader"]).get("/api/v1/industries/", {"page_size": 100}).json()["results"]
    }
    assert leader_view and leader_view <= led | _task_force_industries("L-VP-IND")
    assert {row["code"] for row in api_as(personas["leader"]).get("/api/v1/leaders/").json()["results"]} == {
        "L-VP-IND"
    }
    assert [
        row["code"] for row in api_as(personas["dept"]).get("/api/v1/departments/").json()["results"]
    ] == ["IIT"]
    assert [row["code"] for row in api_as(personas["street"]).get("/api/v1/streets/").json()["results"]] == [
        "TH01"
    ]
    assert api_as(personas["drc"]).get("/api/v1/streets/").json()["count"] == 21


def _task_force_industries(leader_code):
    return set(
        Responsibility.objects.filter(task_force__head__code=leader_code, valid_to__isnull=True).values_list(
            "industry__code", flat=True
        )
    )
