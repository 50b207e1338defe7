"""Recording figures: the rules every figure keeps, and revisions that keep the earlier value visible."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from chanye.audit.models import AuditEvent
from chanye.indicators.models import Observation, ObservationRevision
from chanye.indicators.services import observation_record

pytestmark = pytest.mark.django_db


def test_preliminary_then_final_keeps_the_preliminary_figure_in_the_history(catalogue, personas):
    gdp = catalogue["gdp"]
    first = observation_record(
        indicator=gdp,
        level="district",
        period=date(2024, 1, 1),
        frequency="year",
        value=Decimal("6600.1"),
        status="preliminary",
        by=personas["drc"],
        source_type="file",
        source_ref="2025年政府工作报告",
    )
    final = observation_record(
        indicator=gdp,
        level="district",
        period=date(2024, 1, 1),
        frequency="year",
        value=Decimal("6614.7"),
        status="final",
        by=personas["drc"],
        source_type="file",
        source_ref="2024年统计公报",
        reason="最终核实",
    )
    assert final.pk == first.pk and final.version == 2
    assert final.value == Decimal("6614.7") and final.status == "final"
    assert Observation.objects.filter(indicator=gdp).count() == 1  # one current value per period
    [old] = ObservationRevision.objects.filter(observation=final)
    assert (old.value, old.status, old.source_ref, old.version) == (
        Decimal("6600.1"),
        "preliminary",
        "2025年政府工作报告",
        1,
    )
    assert old.reason == "最终核实" and old.replaced_by == personas["drc"]
    actions = list(
        AuditEvent.objects.filter(object_type="indicators.observation").values_list("action", flat=True)
    )
    assert sorted(actions) == ["observation.record", "observation.revise"]


def test_the_same_figure_again_changes_nothing(catalogue):
    values = dict(
        indicator=catalogue["gdp"], level="district", period=date(2023, 1, 1), frequency="year", by=None
    )
    observation_record(value=Decimal("6551.3"), **values)
    again = observation_record(value=Decimal("6551.30"), **values)
    assert again.version == 1 and not ObservationRevision.objects.exists()


def test_a_final_figure_is_not_overwritten_by_a_preliminary_one(catalogue):
    values = dict(
        indicator=catalogue["gdp"], level="district", period=date(2023, 1, 1), frequency="year", by=None
    )
    observation_record(value=Decimal("6551.3"), status="final", **values)
    with pytest.raises(ValidationError, match="已有最终数"):
        observation_record(value=Decimal("6500"), status="preliminary", **values)
    assert Observation.objects.get().value == Decimal("6551.3")


@pytest.mark.parametrize(
    ("indicator", "level", "period", "frequency", "field"),
    [
        ("gdp", "enterprise", date(2024, 1, 1), "year", "level"),  # GDP is a district figure
        ("gdp", "district", date(2024, 3, 1), "month", "frequency"),  # quarterly: no months
        ("gdp", "district", date(2024, 2, 1), "quarter", "period"),  # a quarter starts in Jan/Apr/Jul/Oct
        ("revenue", "industry", date(2024, 3, 1), "month", "level"),  # an industry figure names its industry
    ],
)
def test_figures_that_break_a_rule_are_refused_with_the_field(
    catalogue, indicator, level, period, frequency, field
):
    with pytest.raises(ValidationError) as error:
        observation_record(
            indicator=catalogue[indicator],
            level=level,
            period=period,
            frequency=frequency,
            value=Decimal(1),
            by=None,
        )
    assert field in error.value.message_dict
    assert not Observation.objects.exists()


def test_the_database_keeps_one_current_value_per_subject_and_period(catalogue, firms):
    values = dict(
        indicator=catalogue["revenue"],
        level="enterprise",
        enterprise=firms.both,
        period=date(2025, 3, 1),
        frequency="month",
        value=Decimal(1),
        source_type="manual",
        recorded_at="2025-04-01T00:00:00Z",
    )
    Observation.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(**{**values, "enterprise": None})  # enterprise level without an enterprise
