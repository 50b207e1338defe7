"""Fixtures of the target tests: the shipped systems, the indicator catalogue with the calibrated demo district
series, and the system definition's targets loaded."""

import pytest

from chanye.targets.models import Target
from chanye.targets.services import targets_apply_definition


@pytest.fixture
def demo(systems):
    """The district demo series (no enterprise sample: the register is empty) and the definition's targets."""
    from chanye.indicators.services import demo_indicators

    demo_indicators()
    applied = targets_apply_definition(system=systems)
    assert applied.skipped == []
    return systems


def target(indicator: str, scope: str = "district", year: int | None = None) -> Target:
    found = Target.objects.filter(indicator__code=indicator, active=True)
    found = found.filter(industry__isnull=True) if scope == "district" else found.filter(industry__code=scope)
    if year is not None:
        found = found.filter(year=year)
    return found.select_related("indicator", "industry").get()
