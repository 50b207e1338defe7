"""The targets API: list in scope, create and PATCH for the 发改局 with field-named errors, a stale version
refused with 409 and nothing written, and the status of every target as of a month."""

import pytest

from chanye.audit.models import AuditEvent
from chanye.targets.models import Target
from chanye.targets.tests.conftest import target

pytestmark = pytest.mark.django_db


def _all(api, url):
    response = api.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_drc_creates_a_target_and_edits_it_with_its_version(demo, personas, api_as):
    api = api_as(personas["drc"])
    created = api.post(
        "/api/v1/targets/",
        {
            "scope": "AI",
            "indicator": "cluster_scale",
            "year": 2030,
            "value": "300",
            "comparator": ">=",
            "note": "百亿竞发",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["scope"], body["indicator"], body["unit"], body["kind"], body["source"]) == (
        "AI",
        "cluster_scale",
        "亿元",
        "amount",
        "created",
    )
    changed = api.patch(
        f"/api/v1/targets/{body['id']}/", {"value": "320", "version": body["version"]}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["value"] == "320.0000"
    assert changed.json()["version"] == body["version"] + 1
    event = AuditEvent.objects.get(action="target.update", object_id=str(body["id"]))
    assert (event.before["value"], event.after["value"], event.actor_name) == ("300", "320", "drc1")


def test_a_stale_version_gets_409_with_the_current_one_and_nothing_changes(demo, personas, api_as):
    api = api_as(personas["drc"])
    gdp = target("gdp")
    first = api.patch(f"/api/v1/targets/{gdp.pk}/", {"value": "6950", "version": gdp.version}, format="json")
    assert first.status_code == 200
    second = api.patch(f"/api/v1/targets/{gdp.pk}/", {"value": "7000", "version": gdp.version}, format="json")
    assert second.status_code == 409
    assert second.json()["current_version"] == gdp.version + 1 and "已被他人修改" in second.json()["detail"]
    assert Target.objects.get(pk=gdp.pk).value == 6950


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"scope": "NOPE"}, "scope"),
        ({"indicator": "nope"}, "indicator"),
        ({"comparator": "=="}, "comparator"),
        ({"band_on_track": "0.1", "band_warning": "0.3"}, "band_warning"),
        ({"scope": "FINANCE"}, "indicator"),  # GDP is not counted per industry
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(demo, personas, api_as, payload, field):
    gdp = target("gdp")
    response = api_as(personas["drc"]).patch(f"/api/v1/targets/{gdp.pk}/", payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Target.objects.get(pk=gdp.pk).version == gdp.version


def test_only_the_drc_writes(demo, personas, api_as):
    gdp = target("gdp")
    for name in ("leader", "dept", "street"):
        api = api_as(personas[name])
        assert api.patch(f"/api/v1/targets/{gdp.pk}/", {"value": "1"}, format="json").status_code == 403
        assert api.post("/api/v1/targets/", {}, format="json").status_code == 403


def test_the_status_endpoint_returns_every_figure_of_each_target(demo, personas, api_as):
    body = _all(api_as(personas["drc"]), "/api/v1/target-status/?as_of=2025-10")
    assert body["as_of"] == "2025-10" and len(body["results"]) == 21
    gdp = next(r for r in body["results"] if r["target"]["indicator"] == "gdp")
    assert gdp["latest_year"] == 2024 and gdp["latest"] == pytest.approx(6614.7)
    assert gdp["status_code"] in ("met", "on_track") and gdp["sentence"].endswith(f"{gdp['status']}。")
    assert (
        gdp["interval_95"]["low"]
        <= gdp["interval_80"]["low"]
        <= gdp["forecast"]
        <= gdp["interval_80"]["high"]
    )
    assert [p["year"] for p in gdp["path"]] == [2025] and gdp["series"][-1] == {
        "year": 2024,
        "value": 6614.7,
        "how": "年度数",
    }
    assert gdp["stale"] is False and gdp["indicator_url"] == "/indicators/gdp/?level=district"
    assert "年度数" in gdp["yearly_rule_text"]


def test_the_status_endpoint_refuses_a_bad_month(demo, personas, api_as):
    response = api_as(personas["drc"]).get("/api/v1/target-status/?as_of=October")
    assert response.status_code == 400 and "as_of" in response.json()


def test_the_status_of_every_target_takes_a_bounded_number_of_queries(
    demo, personas, api_as, django_assert_max_num_queries
):
    api = api_as(personas["dept"])
    api.get("/api/v1/target-status/?as_of=2025-10")  # token and session set-up out of the count
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/target-status/?as_of=2025-10")
    assert response.status_code == 200 and len(response.json()["results"]) > 10
