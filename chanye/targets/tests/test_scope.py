"""Who sees which targets: district targets every government role; an industry's targets those with the
industry in scope; a target on a restricted indicator only who may see the indicator; nobody else."""

from decimal import Decimal

import pytest

from chanye.indicators.models import Indicator
from chanye.targets.models import Target
from chanye.targets.selectors import target_list
from chanye.targets.services import target_create

pytestmark = pytest.mark.django_db


def _scopes(user) -> set[str]:
    return {t.scope_code for t in target_list(user=user)}


def test_each_role_sees_the_district_and_the_industries_in_its_scope(demo, personas):
    every = {t.scope_code for t in Target.objects.filter(active=True)}
    assert _scopes(personas["drc"]) == _scopes(personas["street"]) == every
    # The demo leader (副区长，分管工业和信息化) leads 软件与互联网 and 智能装备与机器人 …
    led = _scopes(personas["leader"])
    assert "district" in led and "SW" in led and "FINANCE" not in led
    assert _scopes(personas["other_leader"]) >= {"district", "FINANCE"}
    dept = _scopes(personas["dept"])  # 工信局 leads or supports
    assert "district" in dept and {"SW", "EQUIP", "ICV"} <= dept and "FINANCE" not in dept
    for name in ("enterprise", "sysadmin", "secadmin", "auditor"):
        assert not target_list(user=personas[name]).exists()


def test_a_target_outside_the_scope_reads_as_not_found(demo, personas, api_as, login):
    finance = Target.objects.get(indicator__code="cluster_scale", industry__code="FINANCE")
    assert api_as(personas["dept"]).get(f"/api/v1/targets/{finance.pk}/").status_code == 404
    assert api_as(personas["drc"]).get(f"/api/v1/targets/{finance.pk}/").status_code == 200
    listed = api_as(personas["dept"]).get("/api/v1/target-status/?as_of=2025-10").json()["results"]
    assert finance.pk not in {r["target"]["id"] for r in listed}


def test_a_target_on_a_restricted_indicator_is_seen_only_by_who_sees_the_indicator(demo, personas):
    tax = Indicator.objects.get(code="tax")
    made = target_create(
        values={
            "indicator": tax,
            "industry": None,
            "year": 2026,
            "value": Decimal("950"),
            "comparator": ">=",
        },
        by=personas["drc"],
    )
    assert made in target_list(user=personas["leader"])
    assert made not in target_list(user=personas["dept"])  # 税收 is the 财政局's
    assert made not in target_list(user=personas["street"])
