"""Fixtures of the indicator tests: the catalogue loaded, and four firms with known memberships."""

from dataclasses import dataclass

import pytest

from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Enterprise, Membership
from chanye.indicators.models import Indicator
from chanye.indicators.services import catalogue_load
from chanye.organizations.models import Street


@pytest.fixture
def catalogue(systems):
    catalogue_load()
    return {indicator.code: indicator for indicator in Indicator.objects.all()}


@dataclass
class Firms:
    both: Enterprise  # 软件与互联网 and 人工智能, 五山街道
    software: Enterprise  # 软件与互联网 only, 五山街道
    bank: Enterprise  # 现代金融, 员村街道
    loose: Enterprise  # no key industry, 员村街道


def _firm(number: int, name: str, street: str, industries, system) -> Enterprise:
    enterprise = Enterprise.objects.create(
        uscc=uscc_for(number), name=name, street=Street.objects.get(code=street), gbt_code=""
    )
    for code in industries:
        Membership.objects.create(
            enterprise=enterprise,
            industry=system.industries.get(code=code),
            kind="manual",
            rule="测试认定",
            version=system.current_version,
        )
    return enterprise


@pytest.fixture
def firms(systems, catalogue) -> Firms:
    return Firms(
        both=_firm(501, "天河智算软件有限公司", "TH01", ["SW", "AI"], systems),
        software=_firm(502, "天河云端软件有限公司", "TH01", ["SW"], systems),
        bank=_firm(503, "天河测试银行有限公司", "TH02", ["FINANCE"], systems),
        loose=_firm(504, "天河杂货有限公司", "TH02", [], systems),
    )
