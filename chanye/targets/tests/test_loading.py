"""Targets come from the system definition's `targets:` list: every entry once, with the kind and yearly rule
its indicator implies; a page edit survives a reload of the same definition; a new version that changes or
drops a target updates or retires it; every change is an audit event."""

import copy
from decimal import Decimal

import pytest

from chanye.audit.models import AuditEvent
from chanye.targets.models import Kind, Source, Target, YearlyRule
from chanye.targets.services import target_update, targets_apply_definition
from chanye.targets.tests.conftest import target

pytestmark = pytest.mark.django_db


def test_every_target_of_the_definition_is_loaded_with_its_scope_and_defaults(demo):
    entries = demo.current_version.definition["targets"]
    assert Target.objects.filter(active=True).count() == len(entries) == 21
    gdp = target("gdp")
    assert (gdp.year, gdp.value, gdp.comparator, gdp.unit) == (2025, Decimal("6900"), ">", "亿元")
    assert (gdp.kind, gdp.yearly_rule, gdp.source) == (Kind.AMOUNT, YearlyRule.SUM, Source.DEFINITION)
    growth = target("gdp_growth")
    assert (growth.comparator, growth.kind, growth.yearly_rule, growth.note) == (
        "~",
        Kind.RATE,
        "last",
        "增长5.5%左右",
    )
    assert target("digital_core_share").kind == Kind.SHARE
    finance = target("cluster_scale", "FINANCE")
    assert finance.industry.name == "现代金融" and finance.value == 1000 and finance.year == 2035
    assert AuditEvent.objects.filter(action="target.load").count() == 21


def test_loading_the_same_definition_again_changes_nothing_and_keeps_a_page_edit(demo, personas):
    gdp = target("gdp")
    target_update(
        target=gdp, values={"value": Decimal("6950")}, by=personas["drc"], expected_version=gdp.version
    )
    events = AuditEvent.objects.count()
    applied = targets_apply_definition(system=demo)
    assert (applied.created, applied.updated, applied.kept, applied.retired) == (0, 0, 21, 0)
    gdp = target("gdp")
    assert gdp.value == Decimal("6950") and gdp.source == Source.EDITED
    assert AuditEvent.objects.count() == events


def test_a_new_definition_updates_the_targets_it_changed_and_retires_those_it_dropped(demo, personas):
    definition = copy.deepcopy(demo.current_version.definition)
    entries = definition["targets"]
    for entry in entries:
        if entry["indicator"] == "fai" and entry["scope"] == "district":
            entry["value"] = 850
    definition["targets"] = [e for e in entries if e["indicator"] != "special_bonds"]
    applied = targets_apply_definition(system=demo, definition=definition)
    assert (applied.updated, applied.retired, applied.kept) == (1, 1, 19)
    fai = target("fai")
    assert fai.value == 850 and fai.version == 2
    assert not Target.objects.get(indicator__code="special_bonds").active
    event = AuditEvent.objects.get(action="target.load", object_id=str(fai.pk), before__isnull=False)
    assert event.before["value"] == "840" and event.after["value"] == "850"
    assert AuditEvent.objects.filter(action="target.retire").count() == 1


def test_an_entry_that_cannot_be_loaded_is_named_and_the_rest_load(systems):
    definition = copy.deepcopy(systems.current_version.definition)
    definition["targets"] = [
        {"indicator": "gdp", "scope": "district", "year": 2025, "comparator": ">", "value": 6900},
        {"indicator": "no_such", "scope": "district", "year": 2025, "comparator": ">", "value": 1},
        {"indicator": "gdp", "scope": "NOPE", "year": 2025, "comparator": ">", "value": 1},
    ]
    applied = targets_apply_definition(system=systems, definition=definition)
    assert applied.created == 1
    assert applied.skipped == [
        "targets 第 2 项（no_such/district/2025/>）：指标目录中没有 no_such",
        "targets 第 3 项（gdp/NOPE/2025/>）：体系中没有现行产业 NOPE",
    ]


def test_chanye_demo_loads_the_targets(systems, settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", enterprises=0, stdout=out)
    assert "目标：新增 21" in out.getvalue()
    assert Target.objects.filter(active=True).count() == 21


def test_the_load_command_applies_the_current_definition_again(demo):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("targets", "load", stdout=out)
    assert out.getvalue().strip() == "目标：新增 0，按定义更新 0，未变 21，停用 0"


def test_a_new_definition_version_applies_its_targets_once_the_catalogue_is_in(systems, tmp_path):
    from pathlib import Path

    from chanye.industries.services import system_load

    targets_apply_definition(system=systems)
    path = Path(__file__).resolve().parents[3] / "systems" / "tianhe-12126.yaml"
    text = path.read_text(encoding="utf-8").replace("value: 6900, unit: 亿元}", "value: 6950, unit: 亿元}", 1)
    assert "6950" in text
    system_load(text=text.replace('version: "2025.1"', 'version: "2025.2"', 1), filename=path.name)
    gdp = Target.objects.get(active=True, indicator__code="gdp", year=2025)
    assert gdp.value == 6950
