"""Industry and district figures from enterprise figures: an enterprise in two industries counts in both
and once in the district; each figure is one GROUP BY over the rows the user may see."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chanye.indicators import selectors
from chanye.indicators.services import Item, observations_write

pytestmark = pytest.mark.django_db
MARCH, FEBRUARY = date(2025, 3, 1), date(2025, 2, 1)


@pytest.fixture
def revenue(catalogue, firms):
    figures = {firms.both: 100, firms.software: 50, firms.bank: 30, firms.loose: 7}
    items = [
        Item(
            catalogue["revenue"],
            "enterprise",
            period,
            "month",
            Decimal(value) * factor,
            enterprise_id=firm.pk,
            basis="reported",
        )
        for firm, value in figures.items()
        for period, factor in ((MARCH, 1), (FEBRUARY, Decimal("0.5")))
    ]
    items.append(
        Item(catalogue["tax"], "enterprise", MARCH, "month", Decimal(9), enterprise_id=firms.bank.pk)
    )
    counts = observations_write(items=items, by=None, source_type="manual")
    assert counts.created == len(items) and not counts.refused
    return catalogue["revenue"]


def _by_code(rows, systems):
    names = {industry.pk: industry.code for industry in systems.industries.all()}
    return {(names[row.industry_id], row.period): (row.total, row.firms) for row in rows}


def test_an_enterprise_in_two_industries_counts_in_both_and_once_in_the_district(revenue, personas, systems):
    drc = personas["drc"]
    industries = _by_code(
        selectors.aggregate_by_industry(user=drc, indicator=revenue, frequency="month"), systems
    )
    assert industries[("SW", MARCH)] == (Decimal(150), 2)
    assert industries[("AI", MARCH)] == (Decimal(100), 1)
    assert industries[("FINANCE", MARCH)] == (Decimal(30), 1)
    assert industries[("SW", FEBRUARY)] == (Decimal(75), 2)
    district = {
        row.period: (row.total, row.firms)
        for row in selectors.aggregate_district(user=drc, indicator=revenue, frequency="month")
    }
    assert district[MARCH] == (
        Decimal(187),
        4,
    )  # the firm in no key industry counts here, the two-industry firm once
    industries_sum = sum(total for (code, period), (total, _firms) in industries.items() if period == MARCH)
    assert industries_sum == Decimal(280) > district[MARCH][0]


def test_a_period_window_and_the_rows_behind_a_figure(revenue, personas, systems, firms):
    drc = personas["drc"]
    rows = selectors.aggregate_by_industry(
        user=drc, indicator=revenue, frequency="month", start=MARCH, end=MARCH
    )
    assert {row.period for row in rows} == {MARCH}
    software = systems.industries.get(code="SW")
    behind, count = selectors.rows_behind(
        user=drc, indicator=revenue, frequency="month", period=MARCH, industry=software
    )
    assert count == 2 and [o.enterprise for o in behind] == [firms.both, firms.software]
    assert sum(o.value for o in behind) == Decimal(150)


def test_each_figure_is_one_group_by_or_a_read_of_the_rollups(revenue, personas):
    # The 发改局 sees every enterprise: the kept sums are read, no enterprise figure is added up.
    with CaptureQueriesContext(connection) as captured:
        selectors.aggregate_by_industry(user=personas["drc"], indicator=revenue, frequency="month")
        selectors.aggregate_district(user=personas["drc"], indicator=revenue, frequency="month")
    assert not [q for q in captured.captured_queries if "indicators_observation" in q["sql"]]
    assert len(captured.captured_queries) <= 6
    # A street sees only its firms: one GROUP BY over them.
    with CaptureQueriesContext(connection) as captured:
        selectors.aggregate_by_industry(user=personas["street"], indicator=revenue, frequency="month")
    grouped = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 1 and len(captured.captured_queries) <= 3  # the system, its industries, the sums


def test_figures_follow_the_users_scope(revenue, personas, systems):
    # The leader of 软件与互联网 (not 人工智能, not 现代金融) sees that industry and its members only.
    leader = personas["leader"]
    seen = _by_code(
        selectors.aggregate_by_industry(user=leader, indicator=revenue, frequency="month"), systems
    )
    assert seen[("SW", MARCH)] == (Decimal(150), 2)
    assert not {code for code, _period in seen} & {"AI", "FINANCE"}
    district = selectors.aggregate_district(
        user=leader, indicator=revenue, frequency="month", start=MARCH, end=MARCH
    )
    assert [(row.total, row.firms) for row in district] == [(Decimal(150), 2)]
    # 五山街道 sees every industry, but only the firms registered in its street.
    street = _by_code(
        selectors.aggregate_by_industry(user=personas["street"], indicator=revenue, frequency="month"),
        systems,
    )
    assert street[("SW", MARCH)] == (Decimal(150), 2) and street[("AI", MARCH)] == (Decimal(100), 1)
    assert ("FINANCE", MARCH) not in street
    # Enterprise users and administrators see no government figures.
    for persona in ("enterprise", "sysadmin", "auditor"):
        assert (
            selectors.aggregate_district(user=personas[persona], indicator=revenue, frequency="month") == []
        )


def test_restricted_indicators_are_for_the_drc_leaders_and_their_owner(revenue, catalogue, personas):
    tax = catalogue["tax"]
    assert tax.confidentiality == "restricted"
    assert selectors.indicator_get(user=personas["street"], code="tax") is None
    assert selectors.indicator_get(user=personas["dept"], code="tax") is None  # 工信局 does not own it
    assert selectors.indicator_get(user=personas["drc"], code="tax") is not None
    assert not selectors.observation_list(user=personas["street"]).filter(indicator=tax).exists()
    assert selectors.observation_list(user=personas["drc"]).filter(indicator=tax).count() == 1
    assert (
        selectors.observation_list(user=personas["street"]).filter(indicator=revenue).count() == 4
    )  # 2 firms × 2 months
