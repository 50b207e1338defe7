"""The estimate recorded as indicator figures (scaled to official GDP, never over an official figure) and the
rate table's edits (permission, history, audit, stale edits)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chanye.audit.models import AuditEvent
from chanye.core.errors import StaleEdit
from chanye.economy import services
from chanye.economy.models import EstimateRun, ValueAddedRate
from chanye.economy.tests.conftest import monthly_revenue
from chanye.indicators.models import Observation, ObservationRevision
from chanye.indicators.services import observation_record
from chanye.industries.classifications import load, secondary_industry

pytestmark = pytest.mark.django_db
YI = Decimal("0.0001")


def official(indicators, code, year, value, *, industry=None, frequency="year", month=1):
    return observation_record(
        indicator=indicators[code],
        level="industry" if industry is not None else "district",
        industry=industry,
        period=date(year, month, 1),
        frequency=frequency,
        value=Decimal(value),
        by=None,
        basis="official",
        source_type="file",
        source_ref="统计公报",
    )


def value_added(firms) -> dict[int, Decimal]:
    """Each firm's value added (亿元) from the stored rate table, as the estimate should compute it."""
    rates = {row.division: row for row in ValueAddedRate.objects.all()}
    found = {}
    for enterprise, revenue in (
        (firms.both, 24000),
        (firms.software, 12000),
        (firms.maker, 60000),
        (firms.trader, 120000),
    ):
        row = rates[enterprise.gbt_code[:2]]
        found[enterprise.pk] = Decimal(revenue) * (row.margin_rate or 1) * row.rate / 10000
    return found


def stored(code, year, *, industry=None):
    queryset = Observation.objects.filter(indicator__code=code, period=date(year, 1, 1), frequency="year")
    if industry is None:
        return queryset.get(level="district")
    return queryset.get(level="industry", industry=industry)


def test_the_estimate_is_scaled_to_gdp_and_recorded_as_estimated_figures(economy, firms, systems, personas):
    official(economy, "gdp", 2024, "100")
    run = services.estimate_run(year=2024, by=personas["drc"])
    va = value_added(firms)
    total = sum(va.values())
    scale = Decimal(100) / total
    assert run.recorded and run.firms == 4 and run.unrated_firms == 1 and run.unrated_revenue == 3600
    assert run.estimate == total.quantize(YI) and run.scale == scale.quantize(Decimal("0.000001"))

    district = stored("value_added", 2024)
    assert district.value == Decimal("100.0000")
    assert (district.basis, district.source_type, district.source_ref) == (
        "estimated",
        "manual",
        "va-estimate/2024",
    )
    software, ai = systems.industries.get(code="SW"), systems.industries.get(code="AI")
    sw_value = stored("value_added", 2024, industry=software).value
    ai_value = stored("value_added", 2024, industry=ai).value
    assert sw_value == ((va[firms.both.pk] + va[firms.software.pk]) * scale).quantize(YI)
    assert ai_value == (va[firms.both.pk] * scale).quantize(YI)  # the shared firm counts in both …
    commerce = stored("value_added", 2024, industry=systems.industries.get(code="COMMERCE")).value
    industries = (2 * va[firms.both.pk] + va[firms.software.pk] + va[firms.trader.pk]) * scale
    assert abs(sw_value + ai_value + commerce - industries) < Decimal("0.001")
    assert district.value == (total * scale).quantize(YI)  # … and once in the district

    secondary = stored("secondary_share", 2024)
    in_secondary = sum(v for pk, v in va.items() if secondary_industry(str(_code(firms, pk))))
    assert secondary.value == (in_secondary / total * 100).quantize(Decimal("0.01"))
    assert secondary.basis == "estimated" and "÷ 全区GDP 100.0000 亿元" in secondary.note
    digital = load("digital_core_2021").codes()
    weights = {
        pk: (Decimal("0.5") if digital[c] else 1) if (c := _code(firms, pk)) in digital else 0 for pk in va
    }
    expected = sum(va[pk] * weights[pk] for pk in va) / total * 100
    assert stored("digital_core_share", 2024).value == expected.quantize(Decimal("0.01"))
    share = next(s for s in run.figures["shares"] if s["code"] == "secondary_share")
    assert Decimal(share["denominator"]) == Decimal(100)
    assert Decimal(share["numerator"]) / Decimal(share["denominator"]) * 100 == pytest.approx(
        Decimal(share["value"]), abs=Decimal("0.01")
    )
    assert AuditEvent.objects.filter(action="economy.estimate", object_id=str(run.pk)).exists()


def _code(firms, pk):
    return next(e.gbt_code for e in (firms.both, firms.software, firms.maker, firms.trader) if e.pk == pk)


def test_official_figures_are_used_and_never_overwritten(economy, firms, systems, personas):
    official(economy, "gdp", 2024, "100")
    software = systems.industries.get(code="SW")
    kept_industry = official(economy, "value_added", 2024, "42.5", industry=software)
    kept_share = official(economy, "secondary_share", 2024, "7.1")
    run = services.estimate_run(year=2024, by=personas["drc"])

    for kept in (kept_industry, kept_share):
        kept.refresh_from_db()
        assert (kept.basis, kept.version, kept.source_ref) == ("official", 1, "统计公报")
    assert stored("value_added", 2024, industry=software).value == Decimal("42.5")
    assert stored("gdp", 2024).value == Decimal("100") and stored("gdp", 2024).basis == "official"
    row = next(r for r in run.figures["industries"] if r["code"] == "SW")
    assert (row["basis"], row["used"], row["official"]) == ("official", "42.5000", "42.5000")
    assert row["estimate"] is not None and row["estimate"] != row["used"]
    share = next(s for s in run.figures["shares"] if s["code"] == "secondary_share")
    assert (share["basis"], share["used"], share["official"]) == ("official", "7.10", "7.10")
    assert run.counts["kept_official"] == 2
    assert stored("value_added", 2024, industry=systems.industries.get(code="AI")).basis == "estimated"


def test_gdp_is_the_sum_of_official_quarters_when_there_is_no_year_figure(economy, firms, personas):
    for month, value in ((1, "20"), (4, "25"), (7, "25"), (10, "30")):
        official(economy, "gdp", 2024, value, frequency="quarter", month=month)
    run = services.estimate_run(year=2024, by=personas["drc"])
    assert run.gdp == Decimal("100") and run.figures["gdp_how"] == "4 个季度之和"
    assert stored("value_added", 2024).value == Decimal("100")


def test_without_gdp_the_estimate_is_not_scaled(economy, firms, personas):
    run = services.estimate_run(year=2024, by=personas["drc"])
    assert run.scale is None and run.gdp is None
    assert stored("value_added", 2024).value == sum(value_added(firms).values()).quantize(YI)
    assert "未校准" in stored("secondary_share", 2024).note


def test_a_rerun_after_a_rate_edit_revises_the_estimate_and_keeps_the_earlier_value(economy, firms, personas):
    services.estimate_run(year=2024, by=personas["drc"])
    before = stored("value_added", 2024).value
    row = ValueAddedRate.objects.get(division="65")
    services.rate_update(row=row, values={"rate": "0.6"}, by=personas["drc"], reason="区统计局核定")
    services.estimate_run(year=2024, by=personas["drc"])
    after = stored("value_added", 2024)
    assert after.value > before and after.version == 2
    assert ObservationRevision.objects.get(observation=after).value == before


def test_an_incomplete_year_is_estimated_but_not_recorded(economy, firms, personas):
    monthly_revenue(economy, firms.software, 2025, Decimal("12000"), months=10)
    run = services.estimate_run(year=2025, by=personas["drc"])
    assert not run.recorded and run.months == 10 and "1–10 月" in run.note
    assert not Observation.objects.filter(indicator__code="value_added", period__year=2025).exists()


def test_a_year_without_revenue_is_refused_with_the_field_named(economy, firms, personas):
    with pytest.raises(ValidationError) as error:
        services.estimate_run(year=2019, by=personas["drc"])
    assert "2019 年没有企业营业收入数据" in error.value.message_dict["year"][0]


def test_only_the_drc_and_the_statistics_bureau_may_run_and_edit(economy, firms, personas, stats_officer):
    row = ValueAddedRate.objects.get(division="39")
    for user in (personas["leader"], personas["dept"], personas["street"]):
        with pytest.raises(PermissionDenied):
            services.rate_update(row=row, values={"rate": "0.3"}, by=user)
        with pytest.raises(PermissionDenied):
            services.estimate_run(year=2024, by=user)
    assert services.can_change(stats_officer) and services.can_change(personas["drc"])
    services.rate_update(row=row, values={"rate": "25%"}, by=stats_officer, reason="核定")
    assert ValueAddedRate.objects.get(division="39").rate == Decimal("0.25")
    assert EstimateRun.objects.count() == 0


def test_a_rate_edit_keeps_the_earlier_value_and_is_audited(economy, personas):
    row = ValueAddedRate.objects.get(division="51")
    old_rate, old_margin, old_source = row.rate, row.margin_rate, row.source
    saved = services.rate_update(
        row=row,
        values={"rate": "0.62", "margin_rate": "0.09", "source": "区统计局2024年核定"},
        by=personas["drc"],
        reason="按限上批发企业财务报表核定",
        expected_version=1,
    )
    assert (saved.rate, saved.margin_rate, saved.version, saved.updated_by) == (
        Decimal("0.62"),
        Decimal("0.09"),
        2,
        personas["drc"],
    )
    revision = saved.revisions.get()
    assert (revision.version, revision.rate, revision.margin_rate, revision.source) == (
        1,
        old_rate,
        old_margin,
        old_source,
    )
    assert revision.replaced_by == personas["drc"] and revision.reason == "按限上批发企业财务报表核定"
    event = AuditEvent.objects.get(action="economy.rate_update", object_id=str(row.pk))
    assert event.before["rate"] == format(old_rate, "f") and event.after["rate"] == "0.6200"
    with pytest.raises(StaleEdit):
        services.rate_update(row=saved, values={"rate": "0.5"}, by=personas["drc"], expected_version=1)
    unchanged = services.rate_update(row=saved, values={"rate": "0.62"}, by=personas["drc"])
    assert unchanged.version == 2


@pytest.mark.parametrize(
    ("division", "values", "field"),
    [
        ("65", {"rate": "1.5"}, "rate"),
        ("65", {"rate": "abc"}, "rate"),
        ("65", {"margin_rate": "0.1"}, "margin_rate"),
        ("52", {"margin_rate": ""}, "margin_rate"),
        ("65", {"source": " "}, "source"),
    ],
)
def test_bad_rates_are_refused_naming_the_field(economy, personas, division, values, field):
    row = ValueAddedRate.objects.get(division=division)
    with pytest.raises(ValidationError) as error:
        services.rate_update(row=row, values=values, by=personas["drc"])
    assert list(error.value.message_dict) == [field]
    assert ValueAddedRate.objects.get(division=division).version == 1


def test_the_demo_estimates_whole_years_once(economy, firms):
    monthly_revenue(economy, firms.software, 2025, Decimal("12000"), months=10)
    runs = services.demo_economy()
    assert [run.year for run in runs] == [2024]
    assert services.demo_economy() == []
