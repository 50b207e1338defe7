"""The demo series agree with Tianhe's published figures (../shared/reference/tianhe_stats.csv) and show
targets both on track and at risk."""

import csv
import re
from datetime import date
from decimal import Decimal

import pytest

from chanye.enterprises.demo import uscc_for
from chanye.enterprises.models import Enterprise
from chanye.indicators.models import Observation, ObservationRevision
from chanye.indicators.services import demo_indicators
from conftest import SHARED

pytestmark = pytest.mark.django_db
REFERENCE = SHARED / "reference" / "tianhe_stats.csv"


@pytest.fixture(scope="module")
def published():
    if not REFERENCE.exists():
        pytest.skip("the shared reference figures are not beside the checkout")
    with REFERENCE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _figure(rows, year, indicator) -> Decimal:
    [row] = [r for r in rows if r["year"] == str(year) and r["indicator"] == indicator]
    return Decimal(row["value"])


def _district(code, frequency="year"):
    return {
        o.period: o.value
        for o in Observation.objects.filter(indicator__code=code, level="district", frequency=frequency)
    }


@pytest.fixture
def demo(systems):
    for number, (revenue, gbt) in enumerate(((Decimal(52000), "6513"), (Decimal(8000), "3911"))):
        Enterprise.objects.create(
            uscc=uscc_for(600 + number),
            name=f"模拟企业{number}",
            revenue=revenue,
            employees=300,
            gbt_code=gbt,
            synthetic=True,
        )
    created = demo_indicators()
    assert created > 0
    return created


def test_district_figures_match_the_published_ones(demo, published):
    gdp = _district("gdp")
    growth = _district("gdp_growth")
    for year in range(2020, 2025):
        assert gdp[date(year, 1, 1)] == _figure(published, year, "GDP"), year
        [row] = [r for r in published if r["year"] == str(year) and r["indicator"] == "GDP"]
        assert growth[date(year, 1, 1)] == Decimal(row["growth_pct"]), year
    quarters = _district("gdp", "quarter")
    for year in range(2021, 2025):
        assert sum(v for p, v in quarters.items() if p.year == year) == gdp[date(year, 1, 1)], year
    assert _district("digital_core_share")[date(2023, 1, 1)] == _figure(
        published, 2023, "数字经济核心产业增加值占GDP"
    )
    assert _district("modern_services_share")[date(2023, 1, 1)] == _figure(
        published, 2023, "现代服务业增加值占GDP"
    )
    assert _district("fai")[date(2024, 1, 1)] == _figure(published, 2024, "固定资产投资")
    assert sum(v for p, v in _district("fai", "month").items() if p.year == 2024) == _figure(
        published, 2024, "固定资产投资"
    )
    assert (
        _district("tax")[date(2023, 1, 1)] == _figure(published, 2023, "国内税收收入") * 10000
    )  # 亿元 → 万元


def test_the_gdp_shares_are_consistent_with_the_published_split(demo, published):
    [row] = [r for r in published if r["year"] == "2021" and r["indicator"] == "GDP"]
    secondary = Decimal(re.search(r"二产([\d.]+)", row["note"]).group(1))
    share = _district("secondary_share")
    assert share[date(2021, 1, 1)] == (secondary * 100 / Decimal(row["value"])).quantize(Decimal("0.01"))
    assert abs(share[date(2023, 1, 1)] - Decimal("7.2")) <= Decimal("0.3")  # "about 7.2%"
    official = Observation.objects.get(indicator__code="digital_core_share", period=date(2023, 1, 1))
    assert official.basis == "official" and not official.synthetic
    made_up = Observation.objects.get(indicator__code="digital_core_share", period=date(2024, 1, 1))
    assert made_up.synthetic and made_up.basis == "estimated"


def test_2025_shows_one_target_on_track_and_one_at_risk(demo, systems):
    targets = {
        (t["indicator"], t["year"]): Decimal(str(t["value"]))
        for t in systems.current_version.definition["targets"]
        if t["scope"] == "district"
    }
    growth = [v for p, v in _district("gdp_growth", "quarter").items() if p.year == 2025]
    assert growth and growth[-1] >= targets[("gdp_growth", 2025)] - Decimal("0.2")
    fai = _district("fai_growth", "month")
    latest = max(p for p in fai if p.year == 2025)
    assert fai[latest] < targets[("fai_growth", 2025)]  # behind the +8% target
    assert all(
        o.status == "preliminary" for o in Observation.objects.filter(level="district", period__year=2025)
    )


def test_enterprise_series_run_five_years_from_the_registered_revenue(demo):
    firm = Enterprise.objects.get(uscc=uscc_for(600))
    revenue = Observation.objects.filter(enterprise=firm, indicator__code="revenue")
    periods = sorted(revenue.values_list("period", flat=True))
    assert periods[0] == date(2021, 1, 1) and periods[-1] == date(2025, 10, 1) and len(periods) == 58
    year = sum(revenue.filter(period__year=2024).values_list("value", flat=True))
    assert abs(year / firm.revenue - 1) < Decimal("0.1")
    assert not Observation.objects.filter(enterprise=firm, indicator__code="output").exists()  # not a maker
    maker = Enterprise.objects.get(uscc=uscc_for(601))
    assert Observation.objects.filter(enterprise=maker, indicator__code="output").count() == 58
    assert (
        Observation.objects.filter(enterprise=firm, indicator__code="employees", frequency="quarter").count()
        == 19
    )


def test_the_demo_revision_shows_and_a_second_run_adds_nothing(demo):
    [revision] = ObservationRevision.objects.all()
    current = revision.observation
    assert current.period == date(2024, 10, 1) and current.status == "final"
    assert revision.status == "preliminary" and revision.value < current.value
    assert demo_indicators() == 0
