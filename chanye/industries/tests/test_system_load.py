"""Loading the shipped systems, versions and history, the CLI, export and diff."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from chanye.audit.models import AuditEvent
from chanye.industries.definition import DefinitionError
from chanye.industries.models import Industry, IndustrySystem, SystemVersion
from chanye.industries.services import system_export, system_load
from chanye.organizations.models import Responsibility, Street

ROOT = Path(__file__).resolve().parents[3]
TIANHE = ROOT / "systems" / "tianhe-12126.yaml"

pytestmark = pytest.mark.django_db


def counts():
    return (
        IndustrySystem.objects.count(),
        SystemVersion.objects.count(),
        Industry.objects.count(),
        Responsibility.objects.count(),
        AuditEvent.objects.count(),
    )


def test_tianhe_12126_has_its_18_industries_with_leader_and_department(systems):
    industries = list(systems.industries.filter(active=True))
    assert len(industries) == 18
    by_category = {
        c: sum(1 for i in industries if i.category == c)
        for c in ("strategic_cluster", "future_industry", "modern_service")
    }
    assert by_category == {"strategic_cluster": 8, "future_industry": 4, "modern_service": 6}
    names = [i.name for i in industries]
    assert names[:2] == ["软件与互联网", "人工智能"] and "旅游休闲" in names and "具身智能" in names
    for industry in industries:
        row = industry.responsibilities.get(valid_to__isnull=True)
        assert row.leader is not None and row.lead_department is not None, industry.name
        assert industry.parent_node is not None and industry.parent_node.system.code == "gz-12218"
    assert Street.objects.count() == 21
    assert systems.parent.code == "gz-12218"


def test_loading_the_same_file_twice_changes_nothing(systems):
    before = counts()
    result = system_load(text=TIANHE.read_text(encoding="utf-8"), filename="tianhe-12126.yaml")
    assert result.created is False
    assert counts() == before


def test_a_new_version_is_kept_beside_the_old_one(systems):
    text = TIANHE.read_text(encoding="utf-8")
    changed = text.replace('version: "2025.1"', 'version: "2025.2"').replace(
        "name: 旅游休闲", "name: 文旅休闲"
    )
    result = system_load(text=changed, filename="tianhe-12126.yaml")
    assert result.created
    assert [c.format() for c in result.changes if c.section == "industries"] == [
        "~ industries TOURISM name: '旅游休闲' → '文旅休闲'"
    ]
    systems.refresh_from_db()
    assert systems.current_version.version == "2025.2"
    assert list(systems.versions.values_list("version", flat=True)) == ["2025.2", "2025.1"]
    assert systems.versions.get(version="2025.1").definition["industries"][-1]["name"] == "旅游休闲"
    assert Industry.objects.get(system=systems, code="TOURISM").name == "文旅休闲"


def test_same_version_with_other_content_is_refused_and_writes_nothing(systems):
    before = counts()
    changed = TIANHE.read_text(encoding="utf-8").replace("name: 旅游休闲", "name: 文旅休闲")
    with pytest.raises(DefinitionError) as caught:
        system_load(text=changed, filename="t.yaml")
    assert "already loaded with different content" in caught.value.problems[0].message
    assert counts() == before


def test_removed_industry_is_retired_not_deleted(systems):
    text = TIANHE.read_text(encoding="utf-8").replace('version: "2025.1"', 'version: "2025.3"')
    definition_lines = text.splitlines()
    start = next(i for i, line in enumerate(definition_lines) if line.strip() == "- code: TOURISM")
    end = next(
        (
            i
            for i in range(start + 1, len(definition_lines))
            if definition_lines[i] and not definition_lines[i].startswith(" ")
        ),
        len(definition_lines),
    )
    end = next((i for i in range(start + 1, end) if definition_lines[i].strip().startswith("- code:")), end)
    text = "\n".join(definition_lines[:start] + definition_lines[end:])
    system_load(text=text, filename="t.yaml")
    tourism = Industry.objects.get(system=systems, code="TOURISM")
    assert tourism.active is False and tourism.retired_in.version == "2025.3"


def test_cli_reports_every_problem_with_file_and_line_and_exits_non_zero(systems, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text(
        TIANHE.read_text(encoding="utf-8")
        .replace('version: "2025.1"', 'version: "9"')
        .replace("code: AI\n", "code: SW\n", 1)
        .replace("parent_node: GZ-", "parent_node: NOPE-", 1),
        encoding="utf-8",
    )
    before = counts()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("system", "load", str(bad), stderr=err)
    assert exited.value.code == 1
    output = err.getvalue()
    assert (
        f"{bad}:" in output
        and "duplicate code 'SW'" in output
        and "does not exist in system 'gz-12218'" in output
    )
    assert "nothing was loaded" in output
    assert counts() == before


def test_export_reloads_unchanged_and_reflects_edits(systems):
    exported = system_export(system=systems)
    assert system_load(text=exported, filename="export.yaml").created is False
    from chanye.organizations.models import Leader
    from chanye.organizations.services import responsibility_change

    ai = Industry.objects.get(system=systems, code="AI")
    row = ai.responsibilities.get(valid_to__isnull=True)
    new_leader = Leader.objects.exclude(pk=row.leader_id).first()
    responsibility_change(
        industry=ai,
        by=None,
        leader=new_leader,
        lead_department=row.lead_department,
        supporting_departments=list(row.supporting_departments.all()),
        office=row.office,
        task_force=row.task_force,
        reason="分工调整",
    )
    edited = system_export(system=systems)
    assert "version: 2025.1+" in edited
    assert system_load(text=edited, filename="export.yaml").created is True
    assert ai.responsibilities.get(valid_to__isnull=True).leader == new_leader


def test_cli_diff_and_export(systems, tmp_path):
    out = io.StringIO()
    call_command("system", "export", "tianhe-12126", stdout=out)
    assert "code: tianhe-12126" in out.getvalue()
    other = tmp_path / "next.yaml"
    other.write_text(
        TIANHE.read_text(encoding="utf-8").replace('version: "2025.1"', 'version: "2026.1"'), encoding="utf-8"
    )
    out = io.StringIO()
    call_command("system", "diff", "tianhe-12126@2025.1", str(other), stdout=out)
    assert "~ system tianhe-12126 version: '2025.1' → '2026.1'" in out.getvalue()
    assert out.getvalue().strip().endswith("1 change(s)")


def test_diff_page_compares_the_two_latest_versions_by_default(systems, personas, login):
    text = TIANHE.read_text(encoding="utf-8").replace('version: "2025.1"', 'version: "2025.2"')
    system_load(text=text.replace("name: 旅游休闲", "name: 文旅休闲"), filename="t.yaml")
    page = login(personas["leader"]).get("/systems/tianhe-12126/diff/").content.decode()
    assert "文旅休闲" in page and "旅游休闲" in page
    same = login(personas["leader"]).get("/systems/tianhe-12126/diff/?a=2025.2&b=2025.2").content.decode()
    assert "两个版本内容相同" in same
