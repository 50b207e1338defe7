"""The value-added API: the rate table (list, PATCH with structured 400s, 403, 409, 401) and the estimates
(GET per year, POST to run), scoped like the page."""

from datetime import date
from decimal import Decimal

import pytest

from chanye.economy.models import ValueAddedRate
from chanye.indicators.services import observation_record

pytestmark = pytest.mark.django_db
RATES = "/api/v1/value-added-rates/"
ESTIMATES = "/api/v1/value-added/"


def test_every_government_role_reads_the_rate_table(api_as, personas, economy):
    response = api_as(personas["street"]).get(RATES)
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 97 and rows[0]["division"] == "01"
    trade = next(row for row in rows if row["division"] == "51")
    assert trade["margin_rate"] is not None and "福建" in trade["source"]
    assert api_as(None).get(RATES).status_code == 401
    assert api_as(personas["auditor"]).get(RATES).status_code == 403


def test_patch_changes_a_rate_for_the_statistics_bureau(api_as, stats_officer, economy):
    response = api_as(stats_officer).patch(
        f"{RATES}65/", {"rate": "52%", "reason": "核定", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["rate"] == "0.5200" and response.json()["version"] == 2
    assert response.json()["updated_by"] == "stats1"
    stale = api_as(stats_officer).patch(f"{RATES}65/", {"rate": "0.5", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current_version"] == 2


@pytest.mark.parametrize(
    ("division", "payload", "field", "words"),
    [
        ("65", {"rate": "1.2"}, "rate", "不大于 1"),
        ("65", {"rate": "abc"}, "rate", "不是数字"),
        ("65", {"margin_rate": "0.1"}, "margin_rate", "只有批发业"),
        ("51", {"margin_rate": None}, "margin_rate", "毛利率不能为空"),
        ("65", {"source": ""}, "source", ""),
    ],
)
def test_bad_input_gets_400_naming_the_field(api_as, personas, economy, division, payload, field, words):
    response = api_as(personas["drc"]).patch(f"{RATES}{division}/", payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field] and words in response.json()[field][0]
    assert ValueAddedRate.objects.get(division=division).version == 1


def test_other_roles_may_not_change_rates(api_as, personas, economy):
    for persona in ("leader", "dept", "street"):
        response = api_as(personas[persona]).patch(f"{RATES}65/", {"rate": "0.3"}, format="json")
        assert response.status_code == 403, persona
    assert api_as(personas["drc"]).patch(f"{RATES}99/", {"rate": "0.3"}, format="json").status_code == 404


def test_post_runs_the_estimate_and_get_returns_it(api_as, personas, economy, firms, systems):
    observation_record(
        indicator=economy["gdp"],
        level="district",
        period=date(2024, 1, 1),
        frequency="year",
        value=Decimal("100"),
        by=None,
        basis="official",
    )
    assert api_as(personas["leader"]).post(ESTIMATES, {"year": 2024}, format="json").status_code == 403
    bad = api_as(personas["drc"]).post(ESTIMATES, {"year": 2019}, format="json")
    assert bad.status_code == 400 and "year" in bad.json()
    bad = api_as(personas["drc"]).post(ESTIMATES, {"year": 2024, "partial_weight": 2}, format="json")
    assert bad.status_code == 400 and "partial_weight" in bad.json()
    made = api_as(personas["drc"]).post(ESTIMATES, {"year": 2024}, format="json")
    assert made.status_code == 201
    out = made.json()
    assert out["gdp"] == "100.0000" and out["scale"] is not None and out["recorded"]
    assert out["district"]["basis"] == "estimated" and Decimal(out["district"]["used"]) == 100
    assert {s["code"] for s in out["shares"]} == {"secondary_share", "digital_core_share", "sei_share"}
    secondary = next(s for s in out["shares"] if s["code"] == "secondary_share")
    assert [d["division"] for d in secondary["divisions"]] == ["39"]

    # A leader sees the industries in the leader's scope only; the 发改局 all of them.
    everything = api_as(personas["drc"]).get(ESTIMATES, {"year": 2024}).json()["results"][0]
    scoped = api_as(personas["leader"]).get(ESTIMATES, {"year": 2024}).json()["results"][0]
    assert {r["code"] for r in everything["industries"]} == {"SW", "AI", "COMMERCE"}
    assert {r["code"] for r in scoped["industries"]} < {r["code"] for r in everything["industries"]}
    assert scoped["shares"] == everything["shares"]
    assert api_as(personas["drc"]).get(ESTIMATES, {"year": "20x4"}).status_code == 400
    assert api_as(personas["drc"]).get(ESTIMATES).json()["results"][0]["year"] == 2024
