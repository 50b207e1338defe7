"""Fixtures of the value-added tests: the catalogue and the rate table loaded, and a few firms with monthly
revenue and known memberships."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from chanye.accounts.roles import Role
from chanye.economy.services import rates_ensure
from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Enterprise, Membership
from chanye.indicators.models import Indicator, SourceType
from chanye.indicators.services import Item, catalogue_load, observations_write
from chanye.organizations.models import Department


@pytest.fixture
def economy(systems):
    catalogue_load()
    rates_ensure()
    return {indicator.code: indicator for indicator in Indicator.objects.all()}


@dataclass
class Firms:
    both: Enterprise  # 6513 software, in 软件与互联网 and 人工智能
    software: Enterprise  # 6511, in 软件与互联网
    maker: Enterprise  # 3911 computers, secondary industry, no key industry
    trader: Enterprise  # 5131 wholesale, in 现代商贸
    uncoded: Enterprise  # no GB/T code


def firm(number: int, name: str, gbt: str, industries, system) -> Enterprise:
    enterprise = Enterprise.objects.create(uscc=uscc_for(number), name=name, gbt_code=gbt)
    for code in industries:
        Membership.objects.create(
            enterprise=enterprise,
            industry=system.industries.get(code=code),
            kind="manual",
            rule="测试认定",
            version=system.current_version,
        )
    return enterprise


def monthly_revenue(indicators, enterprise: Enterprise, year: int, yearly: Decimal, months: int = 12) -> None:
    """`yearly` 万元 spread evenly over the year's first `months` months (an import of enterprise figures)."""
    items = [
        Item(
            indicator=indicators["revenue"],
            level="enterprise",
            enterprise_id=enterprise.pk,
            period=date(year, month, 1),
            frequency="month",
            value=yearly / 12,
            basis="reported",
        )
        for month in range(1, months + 1)
    ]
    counts = observations_write(items=items, by=None, source_type=SourceType.IMPORT, source_ref="test")
    assert not counts.refused


@pytest.fixture
def firms(economy, systems) -> Firms:
    found = Firms(
        both=firm(601, "天河智算软件有限公司", "6513", ["SW", "AI"], systems),
        software=firm(602, "天河云端软件有限公司", "6511", ["SW"], systems),
        maker=firm(603, "天河电脑制造有限公司", "3911", [], systems),
        trader=firm(604, "天河商贸批发有限公司", "5131", ["COMMERCE"], systems),
        uncoded=firm(605, "天河无代码有限公司", "", [], systems),
    )
    for enterprise, revenue in (
        (found.both, "24000"),
        (found.software, "12000"),
        (found.maker, "60000"),
        (found.trader, "120000"),
        (found.uncoded, "3600"),
    ):
        monthly_revenue(economy, enterprise, 2024, Decimal(revenue))
    return found


@pytest.fixture
def stats_officer(systems, make_user):
    return make_user("stats1", Role.DEPARTMENT_OFFICER, department=Department.objects.get(code="STATS"))
