"""The catalogue page and an indicator's page: 口径, the series chart, the rows behind a figure, revisions."""

from datetime import date
from decimal import Decimal

import pytest

from chanye.indicators.services import Item, observation_record, observations_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(catalogue, firms):
    observations_write(
        items=[
            Item(
                catalogue["revenue"],
                "enterprise",
                date(2025, 3, 1),
                "month",
                Decimal(value),
                enterprise_id=firm.pk,
                basis="reported",
            )
            for firm, value in ((firms.both, 100), (firms.software, 50), (firms.bank, 30))
        ],
        by=None,
        source_type="manual",
    )
    for value, status in (("1500", "preliminary"), ("1523.4", "final")):
        observation_record(
            indicator=catalogue["gdp"],
            level="district",
            period=date(2024, 10, 1),
            frequency="quarter",
            value=Decimal(value),
            status=status,
            by=None,
            reason="最终核实",
        )
    return catalogue


def test_the_catalogue_filters_by_frequency_and_owner(figures, personas, login):
    client = login(personas["drc"])
    page = client.get("/indicators/", {"frequency": "year"})
    codes = [i.code for i in page.context["indicators"]]
    assert page.status_code == 200 and "secondary_share" in codes and "revenue" not in codes
    owned = client.get("/indicators/", {"owner": "IIT"}).context["indicators"]
    assert [i.code for i in owned] == ["output"]
    gdp = next(i for i in client.get("/indicators/").context["indicators"] if i.code == "gdp")
    assert gdp.latest_value == Decimal("1523.4")


def test_an_indicator_page_shows_its_definition_series_and_revisions(figures, personas, login):
    page = login(personas["leader"]).get("/indicators/gdp/")
    html = page.content.decode()
    assert page.status_code == 200 and "地区生产总值统一核算" in html
    chart = page.context["chart"]
    assert chart["periods"] == ["2024Q4"] and chart["series"][0]["key"] == "official"
    assert chart["series"][0]["data"][0]["value"] == 1523.4
    [revision] = page.context["revisions"]
    assert revision.value == Decimal(1500) and revision.status == "preliminary"
    assert 'data-testid="revisions"' in html and "最终核实" in html


def test_the_rows_behind_an_industry_figure_and_the_counting_rule(figures, personas, login, firms):
    client = login(personas["drc"])
    page = client.get("/indicators/revenue/", {"level": "industry", "industry": "SW", "period": "2025-03"})
    assert page.status_code == 200
    assert [(a.total, a.firms) for a in page.context["computed"]] == [(Decimal(150), 2)]
    assert {o.enterprise for o in page.context["behind"]} == {firms.both, firms.software}
    breakdown = page.context["breakdown"]
    assert breakdown["industries_total"] == Decimal(280) and breakdown["district"].total == Decimal(180)
    assert "在两个产业中各计一次" in page.content.decode()


def test_subjects_out_of_scope_read_as_not_found(figures, personas, login, firms):
    client = login(personas["leader"])  # 软件与互联网's leader
    assert client.get("/indicators/revenue/", {"level": "industry", "industry": "FINANCE"}).status_code == 404
    assert (
        client.get("/indicators/revenue/", {"level": "enterprise", "enterprise": firms.bank.uscc}).status_code
        == 404
    )
    own = client.get("/indicators/revenue/", {"level": "enterprise", "enterprise": firms.software.uscc})
    assert own.status_code == 200 and [o.value for o in own.context["stored"]] == [Decimal(50)]
    assert login(personas["street"]).get("/indicators/tax/").status_code == 404


def test_the_pages_read_a_bounded_number_of_queries(figures, personas, login, django_assert_max_num_queries):
    client = login(personas["leader"])
    with django_assert_max_num_queries(12):
        assert client.get("/indicators/").status_code == 200
    with django_assert_max_num_queries(40):
        assert (
            client.get(
                "/indicators/revenue/", {"level": "industry", "industry": "SW", "period": "2025-03"}
            ).status_code
            == 200
        )
