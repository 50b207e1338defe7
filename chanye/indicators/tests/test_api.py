"""The API: the catalogue, observations filtered by indicator, level, subject and period range, a revised
figure with its history, and the figures added up from enterprises."""

from datetime import date
from decimal import Decimal

import pytest

from chanye.indicators.services import Item, observation_record, observations_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(catalogue, firms):
    items = [
        Item(
            catalogue["revenue"],
            "enterprise",
            date(2025, month, 1),
            "month",
            Decimal(10 * month),
            enterprise_id=firm.pk,
        )
        for firm in (firms.both, firms.software, firms.bank)
        for month in (1, 2, 3)
    ]
    observations_write(items=items, by=None, source_type="manual")
    gdp = catalogue["gdp"]
    for value, status in (("6600", "preliminary"), ("6614.7", "final")):
        observation_record(
            indicator=gdp,
            level="district",
            period=date(2024, 1, 1),
            frequency="year",
            value=Decimal(value),
            status=status,
            by=None,
        )
    return catalogue


def test_the_catalogue_filters_by_frequency_owner_and_source(figures, personas, api_as):
    api = api_as(personas["drc"])
    codes = {
        row["code"] for row in api.get("/api/v1/indicators/", {"frequency": "quarter"}).json()["results"]
    }
    assert {"gdp", "employees", "rd_spend"} <= codes and "revenue" not in codes
    owned = api.get("/api/v1/indicators/", {"owner": "SCI"}).json()["results"]
    assert [row["code"] for row in owned] == ["rd_spend"]
    assert all(
        "企业报送" in row["source"]
        for row in api.get("/api/v1/indicators/", {"source": "企业报送"}).json()["results"]
    )
    gdp = api.get("/api/v1/indicators/gdp/").json()
    assert gdp["definition"] and gdp["unit"] == "亿元" and gdp["levels"] == ["district"]
    street = {row["code"] for row in api_as(personas["street"]).get("/api/v1/indicators/").json()["results"]}
    assert "tax" not in street and "revenue" in street
    assert api_as(personas["street"]).get("/api/v1/indicators/tax/").status_code == 404


def test_observations_filter_by_indicator_subject_and_period_range(figures, personas, api_as, firms):
    api = api_as(personas["drc"])
    rows = api.get(
        "/api/v1/observations/",
        {
            "indicator": "revenue",
            "enterprise": firms.both.uscc,
            "period_from": "2025-02",
            "period_to": "2025Q1",
        },
    ).json()["results"]
    assert [(row["period_label"], Decimal(row["value"])) for row in rows] == [
        ("2025-03", 30),
        ("2025-02", 20),
    ]
    assert all(row["level"] == "enterprise" and row["enterprise"] == firms.both.uscc for row in rows)
    district = api.get("/api/v1/observations/", {"level": "district"}).json()["results"]
    assert [row["indicator"] for row in district] == ["gdp"]
    bad = api.get("/api/v1/observations/", {"period_from": "上个月"})
    assert bad.status_code == 400 and "period_from" in bad.json()


def test_a_revised_figure_shows_its_earlier_value(figures, personas, api_as):
    api = api_as(personas["leader"])
    [row] = api.get("/api/v1/observations/", {"indicator": "gdp"}).json()["results"]
    detail = api.get(f"/api/v1/observations/{row['id']}/").json()
    assert (
        Decimal(detail["value"]) == Decimal("6614.7")
        and detail["status"] == "final"
        and detail["version"] == 2
    )
    assert [(Decimal(r["value"]), r["status"]) for r in detail["revisions"]] == [
        (Decimal(6600), "preliminary")
    ]


def test_observations_out_of_scope_read_as_not_found(figures, personas, api_as, firms):
    bank_row = (
        api_as(personas["drc"])
        .get("/api/v1/observations/", {"enterprise": firms.bank.uscc})
        .json()["results"][0]
    )
    leader = api_as(personas["leader"])
    assert leader.get(f"/api/v1/observations/{bank_row['id']}/").status_code == 404
    assert leader.get("/api/v1/observations/", {"enterprise": firms.bank.uscc}).json()["results"] == []
    assert api_as(personas["enterprise"]).get("/api/v1/observations/").status_code == 403
    assert api_as(None).get("/api/v1/observations/").status_code == 401


def test_aggregates_count_a_two_industry_firm_in_both(figures, personas, api_as):
    api = api_as(personas["drc"])
    body = api.get("/api/v1/indicator-aggregates/", {"indicator": "revenue", "period_from": "2025-03"}).json()
    totals = {row["industry"]: (Decimal(row["total"]), row["firms"]) for row in body["results"]}
    assert totals == {"SW": (Decimal(60), 2), "AI": (Decimal(30), 1), "FINANCE": (Decimal(30), 1)}
    assert "两个产业" in body["counting_rule"]
    district = api.get("/api/v1/indicator-aggregates/", {"indicator": "revenue", "by": "district"}).json()
    assert [(row["period_label"], Decimal(row["total"]), row["firms"]) for row in district["results"]] == [
        ("2025-01", 30, 3),
        ("2025-02", 60, 3),
        ("2025-03", 90, 3),
    ]
    refused = api.get("/api/v1/indicator-aggregates/", {"indicator": "gdp"})
    assert refused.status_code == 400 and "indicator" in refused.json()
