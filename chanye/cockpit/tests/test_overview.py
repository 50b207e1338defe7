"""The district overview: who may open it, each widget's data from the demo (district series, a synthetic
register with enterprise revenue, key projects with their filings, blocker cases, the definition's targets),
the links to the rows behind every chart, and the time budget of a widget endpoint."""

import importlib
import json
from datetime import date
from decimal import Decimal

import pytest

from chanye.cockpit import selectors
from chanye.cockpit.widgets import FAILED, WIDGETS, warm

pytestmark = pytest.mark.django_db


@pytest.fixture
def cockpit_demo(systems, personas):
    """What `chanye demo` loads, at test size: 300 synthetic firms (60 with monthly revenue), the district
    series, the targets, the key projects with January–October 2025 filings and the blocker cases."""
    from chanye.casework.services import demo_cases
    from chanye.enterprises.services import demo_register
    from chanye.indicators.services import demo_indicators
    from chanye.projects.services import demo_projects
    from chanye.targets.services import targets_apply_definition

    _seed_data_migrations()
    demo_register(count=300)
    demo_indicators(sample=60)
    targets_apply_definition(system=systems)
    demo_projects()
    demo_cases()
    warm()  # the forecasting library's first import takes seconds, once per process
    return systems


def _seed_data_migrations():
    """The rows data migrations seed (built-in tags, SLA defaults, classification editions), which a
    transactional test's flush removes; each function is idempotent."""
    from django.apps import apps

    from chanye.industries.models import ClassificationEdition

    seeds = [
        "chanye.enterprises.migrations.0002_builtin_tags_and_search.add_tags",
        "chanye.casework.migrations.0002_category_sla_defaults.add_defaults",
    ]
    if not ClassificationEdition.objects.exists():
        seeds.append("chanye.industries.migrations.0002_classification_editions.load")
    for module in seeds:
        path, name = module.rsplit(".", 1)
        getattr(importlib.import_module(path), name)(apps, None)


def widget(client, name: str, **params):
    response = client.get(f"/cockpit/widgets/{name}/", {"format": "json", **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return response.json()


def test_the_overview_is_for_district_leaders_and_the_drc(client, login, personas, cockpit_demo):
    assert client.get("/cockpit/").status_code == 302  # anonymous → sign in
    for name in ("dept", "street", "enterprise", "sysadmin", "auditor"):
        login(personas[name])
        assert client.get("/cockpit/").status_code == 403, name
        assert client.get("/cockpit/wall/").status_code == 403, name
        assert client.get("/cockpit/widgets/gdp/").status_code == 403, name
    for name in ("leader", "drc"):
        login(personas[name])
        page = client.get("/cockpit/")
        assert page.status_code == 200
        text = page.content.decode()
        assert 'href="/cockpit/"' in text and "驾驶舱" in text  # first in the navigation
        for each in WIDGETS:
            assert f'data-url="/cockpit/widgets/{each}/"' in text
        assert client.get("/cockpit/wall/").status_code == 200
    assert client.get("/cockpit/widgets/nothing/").status_code == 404


def test_the_as_of_month_defaults_to_the_latest_with_data_and_bad_input_is_explained(
    client, login, personas, cockpit_demo
):
    login(personas["drc"])
    assert selectors.default_month(user=personas["drc"]) == date(2025, 10, 1)
    assert 'value="2025-10"' in client.get("/cockpit/").content.decode()
    page = client.get("/cockpit/", {"as_of": "2025-13"})
    assert "截至月份应为 YYYY-MM" in page.content.decode() and 'value="2025-10"' in page.content.decode()
    bad = client.get("/cockpit/widgets/gdp/", {"as_of": "十月", "format": "json"})
    assert bad.status_code == 400 and "as_of" in bad.json()["errors"]
    bad = client.get("/cockpit/widgets/gdp/", {"as_of": "十月"})
    assert bad.status_code == 400 and "截至月份应为" in bad.content.decode()


def test_gdp_shows_the_published_years_this_years_quarters_and_the_target(
    client, login, personas, cockpit_demo
):
    from chanye.indicators import demo

    login(personas["leader"])
    data = widget(client, "gdp", as_of="2025-10")
    years = {row["year"]: row for row in data["years"]}
    assert years[2024]["value"] == float(demo.GDP[2024]) and years[2024]["growth"] == float(
        demo.GDP_GROWTH[2024]
    )
    assert years[2024]["preliminary"] and not years[2023]["preliminary"]
    assert data["ytd"]["label"] == "2025 年 1–3 季度"
    assert data["ytd"]["value"] == pytest.approx(
        sum(float(q) * 1.056 for q in demo._split(demo.GDP[2024], demo.QUARTER_WEIGHTS)[:3]), abs=0.05
    )
    assert data["target"]["value"] == 6900 and data["target"]["url"].startswith(
        "/targets/?as_of=2025-10#target-chart-"
    )
    assert data["url"] == "/indicators/gdp/?level=district"
    html = client.get("/cockpit/widgets/gdp/", {"as_of": "2025-10"}).content.decode()
    assert (
        "6,614.7" in html and 'data-chart="gdp"' in html and 'href="/indicators/gdp/?level=district"' in html
    )
    # replayed at an earlier month, later figures are not shown
    assert max(row["year"] for row in widget(client, "gdp", as_of="2023-06")["years"]) == 2023


def test_fai_is_cumulative_against_the_target_paced_like_last_year(client, login, personas, cockpit_demo):
    from chanye.indicators.models import Observation

    login(personas["drc"])
    data = widget(client, "fai", as_of="2025-10")
    months = {
        o.period.month: o.value
        for o in Observation.objects.filter(
            indicator__code="fai", level="district", frequency="month", period__year=2025
        )
    }
    assert data["actual"][9] == pytest.approx(float(sum(months[m] for m in range(1, 11))))
    assert data["actual"][10] is None and data["actual"][0] == pytest.approx(float(months[1]))
    assert data["last_year"][11] == pytest.approx(785.6, abs=0.01)  # the published 2024 year
    assert data["target"]["value"] == 840 and data["pace"][11] == pytest.approx(840)
    assert data["to_date"] < data["pace_to_date"]  # about +6% against the +7% that 840 needs
    assert data["outlook"]["status"] in selectors.STATUS_CLASS
    projects = data["projects"]
    assert projects["count"] > 100 and projects["url"] == "/projects/forecast/?month=2025-10"
    assert projects["actual"][9] is not None and projects["actual"][10] is None
    assert projects["forecast"][11] == projects["forecast_year"]


def _revenue_in_window(code: str) -> float:
    from chanye.indicators.models import Observation

    rows = Observation.objects.filter(
        indicator__code="revenue",
        level="enterprise",
        period__gte=date(2024, 11, 1),
        period__lte=date(2025, 10, 1),
        enterprise__memberships__industry__code=code,
    ).values_list("value", flat=True)
    return float(sum(rows, Decimal(0)) / 10000)


def test_the_structure_is_the_systems_tree_sized_by_scale_or_revenue_and_links_to_enterprises(
    client, login, personas, cockpit_demo
):
    from chanye.enterprises.models import Membership
    from chanye.indicators.models import Observation

    login(personas["drc"])
    data = widget(client, "structure", as_of="2025-10")
    assert data["system"] and data["window"] == "2024-11 至 2025-10"
    categories = {group["category"]: group for group in data["tree"]}
    assert set(categories) == {"strategic_cluster", "future_industry", "modern_service"}
    industries = {item["code"]: item for group in data["tree"] for item in group["children"]}
    assert len(industries) == 18
    scale = {  # the yearly figures of whole years (2025's is known once the year is over)
        o.industry.code: o
        for o in Observation.objects.filter(indicator__code="cluster_scale", period__lte=date(2024, 12, 31))
        .select_related("industry")
        .order_by("period")
    }
    by_revenue = 0
    for code, item in industries.items():
        assert item["url"] == f"/enterprises/?industry={code}"
        if code in scale:
            assert item["value"] == float(scale[code].value)
            assert item["basis"] == f"{scale[code].period.year} 年集群规模"
            assert item["rows_url"] == f"/indicators/cluster_scale/?level=industry&industry={code}"
        else:
            by_revenue += 1
            assert item["value"] == pytest.approx(_revenue_in_window(code), abs=0.01)
            assert item["basis"] == "近 12 个月营业收入合计"
            assert item["rows_url"] == f"/indicators/revenue/?level=industry&industry={code}"
    assert by_revenue and any(industries[c]["value"] > 0 for c in industries if c not in scale)
    assert categories["modern_service"]["value"] == pytest.approx(
        sum(i["value"] for i in categories["modern_service"]["children"]), abs=0.05
    )
    # the link leads to the enterprises behind the number (the list shows the newest first)
    member = (
        Membership.objects.filter(industry__code="SW").select_related("enterprise").latest("enterprise_id")
    )
    assert member.enterprise.uscc in client.get(industries["SW"]["url"]).content.decode()


def test_a_cluster_without_scale_figures_is_read_from_its_enterprises_revenue(
    client, login, personas, cockpit_demo
):
    from chanye.indicators.models import Observation

    Observation.objects.filter(indicator__code="cluster_scale", industry__code="SW").delete()
    login(personas["drc"])
    software = next(
        i for g in widget(client, "structure")["tree"] for i in g["children"] if i["code"] == "SW"
    )
    assert software["value"] > 0 and software["value"] == pytest.approx(_revenue_in_window("SW"), abs=0.01)
    assert software["rows_url"] == "/indicators/revenue/?level=industry&industry=SW"
    path = next(c for c in widget(client, "paths")["clusters"] if c["code"] == "SW")
    assert path["basis"] == selectors.CLUSTER_FROM_REVENUE
    assert path["chart"]["url"] == "/indicators/revenue/?level=industry&industry=SW"
    revenue_2024 = Observation.objects.filter(
        indicator__code="revenue", period__year=2024, enterprise__memberships__industry__code="SW"
    ).values_list("value", flat=True)
    years = dict(zip(path["chart"]["years"], path["chart"]["actual"], strict=True))
    assert years["2024"] == pytest.approx(float(sum(revenue_2024, Decimal(0)) / 10000), abs=0.01)
    assert years["2025"] is None  # January–October is not a whole year


def test_cluster_paths_have_a_fan_to_2035_with_their_target_line(client, login, personas, cockpit_demo):
    from chanye.indicators.models import Observation

    login(personas["drc"])
    data = widget(client, "paths", as_of="2025-10")
    clusters = {c["code"]: c for c in data["clusters"]}
    assert len(clusters) == 10 and clusters["FINANCE"]["goal"] == "2035 年达到 1000 亿元"
    for code, cluster in clusters.items():
        chart = cluster["chart"]
        assert chart is not None, code
        assert (
            chart["target"] in (1000, 500) and chart["target_year"] == 2035 and chart["years"][-1] == "2035"
        )
        stored = {
            str(o.period.year): float(o.value)
            for o in Observation.objects.filter(
                indicator__code="cluster_scale", industry__code=code, period__year__lte=2024
            )
        }
        actual = {y: v for y, v in zip(chart["years"], chart["actual"], strict=True) if v is not None}
        assert actual == stored and cluster["basis"] == "集群规模"
        i = chart["years"].index("2035")
        assert (
            chart["low95"][i]
            <= chart["low80"][i]
            <= chart["forecast"][i]
            <= chart["high80"][i]
            <= chart["high95"][i]
        )
        assert cluster["status"] in selectors.STATUS_CLASS and cluster["sentence"]
        assert chart["url"] == cluster["url"] == f"/indicators/cluster_scale/?level=industry&industry={code}"
        assert cluster["target_url"] == f"/targets/?as_of=2025-10#target-chart-{cluster['id']}"
    # a leader sees the clusters of their industries only
    login(personas["leader"])
    mine = {c["code"] for c in widget(client, "paths")["clusters"]}
    assert mine and mine < set(clusters)


def test_the_share_gauges_read_the_target_outlooks(client, login, personas, cockpit_demo):
    from chanye.targets.selectors import target_outlooks

    login(personas["leader"])
    data = widget(client, "gauges", as_of="2025-10")
    assert [g["code"] for g in data["gauges"]] == list(selectors.SHARES)
    outlooks = {
        i.target.indicator.code: i for i in target_outlooks(user=personas["leader"], as_of=date(2025, 10, 1))
    }
    for gauge, goal in zip(data["gauges"], (10, 30, 35), strict=True):
        item = outlooks[gauge["code"]]
        assert gauge["target"] == goal and gauge["value"] == item.outlook.latest
        assert gauge["status"] == item.outlook.status.value
        assert gauge["url"] == f"/targets/?as_of=2025-10#target-chart-{item.target.pk}"
        assert gauge["max"] > max(goal, gauge["value"])
    assert data["gauges"][0]["value"] == 7.1 and data["gauges"][0]["status"] in selectors.AT_RISK
    html = client.get("/cockpit/widgets/gauges/", {"as_of": "2025-10"}).content.decode()
    assert html.count('data-chart="gauge"') == 3 and "7.1%" in html


def test_light_counts_add_up_and_link_to_the_projects_of_that_colour(client, login, personas, cockpit_demo):
    from chanye.projects.selectors import project_lights

    login(personas["drc"])
    data = widget(client, "lights", as_of="2025-10")
    found = project_lights(user=personas["drc"], period=date(2025, 10, 1))
    assert data["total"] == len(found) == sum(light["count"] for light in data["lights"])
    counts = {light["colour"]: light for light in data["lights"]}
    assert counts["red"]["count"] == sum(1 for _p, light in found if light.colour == "red") > 0
    assert counts["red"]["url"] == "/projects/lights/?colour=red&month=2025-10"
    page = client.get(counts["red"]["url"]).content.decode()
    red = next(p for p, light in found if light.colour == "red")
    green = next(p for p, light in found if light.colour == "green")
    assert red.code in page and green.code not in page


def test_alerts_name_targets_at_risk_stale_figures_red_projects_and_overdue_cases(
    client, login, personas, cockpit_demo
):
    from chanye.casework.models import ACTIVE, Case

    login(personas["drc"])
    data = widget(client, "alerts", as_of="2025-10")
    assert data["counts"]["targets"] >= 2 and {a["status"] for a in data["targets"]} <= {"预警", "滞后"}
    assert any("fai_growth" in a["url"] or "固定资产投资" in a["title"] for a in data["targets"])
    assert all(a["url"].startswith("/targets/?as_of=2025-10#target-chart-") for a in data["targets"])
    assert data["counts"]["red_projects"] > 0 and data["red_projects"][0]["url"].startswith("/projects/")
    overdue = Case.objects.filter(status__in=ACTIVE, deadline__lt=date.today())
    assert data["counts"]["overdue_cases"] == overdue.count() > 0
    assert {a["url"] for a in data["overdue_cases"]} <= {f"/cases/{c.pk}/" for c in overdue}
    assert client.get(data["overdue_cases"][0]["url"]).status_code == 200
    assert client.get(data["red_projects"][0]["url"]).status_code == 200
    # months later, the monthly figures have stopped coming: flagged, with a link to the indicator
    later = widget(client, "alerts", as_of="2026-03")
    assert later["counts"]["stale"] > 0 and any(
        a["url"].startswith("/indicators/fai") for a in later["stale"]
    )


def test_every_widget_renders_its_fragment_with_the_chart_data(client, login, personas, cockpit_demo):
    login(personas["drc"])
    for name in WIDGETS:
        response = client.get(f"/cockpit/widgets/{name}/", {"as_of": "2025-10"})
        assert response.status_code == 200, name
        html = response.content.decode()
        assert 'data-as-of="2025-10"' in html and f'id="cockpit-{name}"' in html
        start = html.index(f'id="cockpit-{name}" type="application/json">') + len(
            f'id="cockpit-{name}" type="application/json">'
        )
        data = json.loads(html[start : html.index("</script>", start)])
        assert data == widget(client, name, as_of="2025-10")


def test_a_widget_past_its_time_budget_answers_503_with_the_retry_message(
    client, login, personas, cockpit_demo, settings
):
    login(personas["drc"])
    settings.COCKPIT_WIDGET_SECONDS = 0
    response = client.get("/cockpit/widgets/structure/")
    assert response.status_code == 503 and FAILED in response.content.decode()
    assert client.get("/cockpit/widgets/structure/", {"format": "json"}).json() == {"error": FAILED}
    settings.COCKPIT_WIDGET_SECONDS = 10
    assert client.get("/cockpit/widgets/structure/").status_code == 200


def test_widget_queries_are_bounded(client, login, personas, cockpit_demo, django_assert_max_num_queries):
    login(personas["leader"])  # scoped: the most queries
    client.get("/cockpit/widgets/gdp/")
    bounds = {"gdp": 26, "fai": 24, "structure": 32, "gauges": 16, "paths": 17, "lights": 19, "alerts": 27}
    for name, bound in bounds.items():
        with django_assert_max_num_queries(bound):
            assert client.get(f"/cockpit/widgets/{name}/").status_code == 200


def test_wall_mode_takes_its_refresh_and_time_limit_from_the_query(client, login, personas, cockpit_demo):
    login(personas["leader"])
    page = client.get("/cockpit/wall/", {"refresh": "2", "timeout": "3"}).content.decode()
    assert 'data-refresh="2"' in page and 'data-timeout="3"' in page and "data-wall" in page
    page = client.get("/cockpit/wall/", {"refresh": "1"}).content.decode()
    assert 'data-refresh="300"' in page and "refresh 应在 2–86400 秒之间" in page


@pytest.mark.parametrize(
    ("persona", "landing"), [("leader", "/cockpit/"), ("drc", "/cockpit/"), ("dept", "/systems/")]
)
def test_leaders_and_the_drc_land_on_the_cockpit(personas, login, persona, landing):
    response = login(personas[persona]).get("/")
    assert response.status_code == 302 and response.url == landing
