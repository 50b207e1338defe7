"""Where each demo target stands: the series read from the indicator module's periods, the statuses the
calibrated demo gives (some on track, some at risk), stale figures flagged, and the command that prints it."""

import csv
import io
import math
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from chanye.indicators.models import Indicator, Observation
from chanye.indicators.services import observation_record
from chanye.targets.models import Target
from chanye.targets.selectors import target_outlooks, target_series
from chanye.targets.tests.conftest import target

pytestmark = pytest.mark.django_db
OCTOBER = date(2025, 10, 1)
ON_TRACK = {"达标", "正常"}
AT_RISK = {"预警", "滞后"}


def _statuses(user, as_of=OCTOBER):
    return {
        (item.target.scope_code, item.target.indicator.code): item
        for item in target_outlooks(user=user, as_of=as_of)
    }


def test_the_gdp_series_is_the_published_years_and_2025_is_a_year_to_date(demo, personas):
    series = target_series(user=personas["drc"], target=target("gdp"), as_of=OCTOBER)
    stored = {
        o.period.year: float(o.value)
        for o in Observation.objects.filter(indicator__code="gdp", frequency="year")
    }
    assert series.yearly.points == sorted(stored.items())
    assert all(how == "年度数" for how in series.yearly.how.values())
    ytd = series.yearly.year_to_date
    quarters = {
        (o.period.year, o.period.month): float(o.value)
        for o in Observation.objects.filter(indicator__code="gdp", frequency="quarter")
    }
    assert (ytd.year, ytd.months) == (2025, 9)
    assert ytd.value == pytest.approx(sum(quarters[(2025, m)] for m in (1, 4, 7)))
    assert ytd.prior == pytest.approx(sum(quarters[(2024, m)] for m in (1, 4, 7)))


def test_fai_growth_is_read_from_decembers_cumulative_where_no_yearly_figure_exists(demo, personas):
    series = target_series(user=personas["drc"], target=target("fai_growth"), as_of=OCTOBER)
    december = {
        o.period.year: float(o.value)
        for o in Observation.objects.filter(indicator__code="fai_growth", frequency="month", period__month=12)
    }
    points = dict(series.yearly.points)
    assert points[2022] == december[2022] and series.yearly.how[2022] == "12 月累计值"
    assert series.yearly.how[2024] == "年度数"


def test_the_demo_shows_targets_on_track_and_at_risk_each_explained(demo, personas):
    statuses = _statuses(personas["drc"])
    gdp = statuses[("district", "gdp")].outlook
    assert gdp.status.value in ON_TRACK
    assert math.isclose(gdp.required_growth, 6900 / 6614.7 - 1, rel_tol=1e-9)
    assert "1–9 月同比增长" in gdp.sentence and gdp.status.value in gdp.sentence
    assert statuses[("district", "gdp_growth")].outlook.status.value in ON_TRACK
    fai_growth = statuses[("district", "fai_growth")].outlook
    assert fai_growth.status.value in AT_RISK and fai_growth.probability < 0.2
    assert (
        statuses[("district", "secondary_share")].outlook.status.value in AT_RISK
    )  # 7.1% and falling, 10% wanted
    for item in statuses.values():
        o = item.outlook
        if o.forecast is not None:
            (low80, high80), (low95, high95) = o.intervals[80], o.intervals[95]
            assert low95 <= low80 <= o.forecast <= high80 <= high95
            assert 0 <= o.probability <= 1


def _without_cluster_figures(code: str) -> None:
    """The demo gives every cluster with a target its scale; these tests start the cluster from nothing."""
    Observation.objects.filter(indicator__code="cluster_scale", industry__code=code).delete()


def test_targets_without_figures_say_so_and_are_not_called_stale(demo, personas):
    _without_cluster_figures("FINANCE")
    item = _statuses(personas["drc"])[("FINANCE", "cluster_scale")]
    assert item.outlook.status.value == "无数据" and not item.series.stale


def test_a_series_not_updated_within_its_frequency_is_stale(demo, personas):
    march = _statuses(personas["drc"], as_of=date(2026, 3, 1))
    assert march[("district", "fai")].series.stale  # monthly, last figure October 2025
    assert not march[
        ("district", "secondary_share")
    ].series.stale  # the 2024 yearly figure is due by March 2026
    assert _statuses(personas["drc"], as_of=date(2026, 4, 1))[("district", "secondary_share")].series.stale
    assert not _statuses(personas["drc"])[("district", "fai")].series.stale


def test_an_industry_target_reads_the_industrys_own_figures(demo, personas):
    _without_cluster_figures("FINANCE")
    indicator = Indicator.objects.get(code="cluster_scale")
    finance = target("cluster_scale", "FINANCE")
    for year, value in ((2021, 610), (2022, 650), (2023, 700), (2024, 745)):
        observation_record(
            indicator=indicator,
            level="industry",
            industry=finance.industry,
            period=date(year, 1, 1),
            value=Decimal(value),
            by=None,
        )
    item = _statuses(personas["drc"])[("FINANCE", "cluster_scale")]
    assert item.series.yearly.points == [(2021, 610), (2022, 650), (2023, 700), (2024, 745)]
    assert item.outlook.required_growth == pytest.approx((1000 / 745) ** (1 / 11) - 1)
    assert item.outlook.status.value in ON_TRACK  # 6.9% a year against 2.7% needed
    assert item.indicator_url == "/indicators/cluster_scale/?level=industry&industry=FINANCE"


def test_the_status_command_prints_every_target_as_text_and_csv(demo):
    out = io.StringIO()
    call_command("targets", "status", "--as-of", "2025-10", stdout=out)
    text = out.getvalue()
    assert text.startswith(f"截至 2025-10：{Target.objects.filter(active=True).count()} 个目标")
    assert "district\tgdp\t2025 > 6900 亿元" in text and "80% " in text and "达成概率" in text

    out = io.StringIO()
    call_command("targets", "status", "--as-of", "2025-10", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 21
    gdp = next(r for r in rows if r["indicator"] == "gdp")
    assert gdp["scope"] == "district" and gdp["latest"] == "6614.7" and gdp["latest_year"] == "2024"
    assert float(gdp["low95"]) <= float(gdp["low80"]) <= float(gdp["forecast"]) <= float(gdp["high80"])
    assert gdp["status"] in ON_TRACK and gdp["sentence"].endswith(f"{gdp['status']}。")
    assert float(gdp["required_growth"]) == pytest.approx(6900 / 6614.7 - 1, abs=1e-4)


def test_the_command_refuses_a_month_it_cannot_read(demo):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("targets", "status", "--as-of", "2025年10月", stdout=io.StringIO())
