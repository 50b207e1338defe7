"""The district's key-project figures come from the library (count, total investment, special bonds of a
year), are recorded as reported district observations with their source and revised with history; and on a
fresh demo no target is without figures and every status shows."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from chanye.indicators.models import Observation, ObservationRevision
from chanye.indicators.services import catalogue_load
from chanye.organizations.models import Street
from chanye.projects.indicator_figures import project_figures_record, year_figures
from chanye.projects.models import AnnualPlan, Bond, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(systems):
    """Two projects planned in 2025, one in reserve, one planned only in 2024; a 2025 bond batch."""
    catalogue_load()
    street = Street.objects.get(code="TH01")

    def make(code: str, total: int, stage: str, years=(), synthetic=False) -> Project:
        project = Project.objects.create(
            code=code,
            name=code,
            street=street,
            stage=stage,
            total_investment=Decimal(total),
            synthetic=synthetic,
        )
        for year in years:
            AnnualPlan.objects.create(project=project, year=year, planned_investment=Decimal(1000))
        return project

    a = make("P-1", 1_500_000, "continuing", (2024, 2025))
    make("P-2", 2_500_000, "new", (2025,))
    make("P-3", 4_000_000, "reserve")
    make("P-4", 600_000, "completed", (2024,))
    Bond.objects.create(project=a, batch="2025年第一批", amount=Decimal(80_000), issued_on=date(2025, 3, 15))
    return a


def _district(code: str, year: int) -> Observation:
    return Observation.objects.get(indicator__code=code, level="district", period=date(year, 1, 1))


def test_a_years_list_counts_its_planned_projects_and_the_reserve_of_the_latest_year(library):
    latest = year_figures(2025)
    assert (latest.projects, latest.investment, latest.bonds) == (3, Decimal("800"), Decimal("8"))
    earlier = year_figures(2024)
    assert (earlier.projects, earlier.investment, earlier.bonds) == (2, Decimal("210"), Decimal("0"))
    assert not latest.synthetic


def test_figures_are_recorded_as_reported_district_observations_and_revised_with_history(library):
    result = project_figures_record(today=date(2026, 3, 1))
    assert [f.year for f in result.figures] == [2024, 2025] and result.created == 6
    count = _district("key_projects", 2025)
    assert count.value == 3 and count.basis == "reported" and count.source_ref == "projects/2025"
    assert count.status == "final" and not count.synthetic
    assert _district("key_project_investment", 2025).value == Decimal("800")
    assert _district("special_bonds", 2025).value == Decimal("8")

    library.total_investment = Decimal(2_500_000)
    library.save()
    again = project_figures_record(years=[2025], today=date(2026, 3, 1))
    assert (again.updated, again.unchanged) == (1, 2)
    investment = _district("key_project_investment", 2025)
    assert investment.value == Decimal("900") and investment.version == 2
    assert ObservationRevision.objects.get(observation=investment).value == Decimal("800")


def test_a_year_in_progress_is_preliminary_and_synthetic_projects_mark_it(library):
    Project.objects.filter(code="P-2").update(synthetic=True)
    project_figures_record(years=[2025], today=date(2025, 10, 1))
    count = _district("key_projects", 2025)
    assert count.status == "preliminary" and count.synthetic


def test_the_command_records_a_year_and_names_a_bad_one(library):
    out = io.StringIO()
    call_command("projects", "figures", "--year", "2025", stdout=out)
    assert "2025\t重点项目 3 个\t总投资 800 亿元\t专项债券 8 亿元" in out.getvalue()
    assert _district("key_projects", 2025).value == 3
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="四位年份"):
        call_command("projects", "figures", "--year", "25", stdout=io.StringIO())


def test_the_demo_leaves_no_target_without_figures_and_shows_every_status(db):
    call_command("demo", enterprises=300, stdout=io.StringIO())
    out = io.StringIO()
    call_command("targets", "status", "--as-of", "2025-10", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 21
    statuses = {row["status"] for row in rows}
    assert "无数据" not in statuses, [r["indicator"] for r in rows if r["status"] == "无数据"]
    assert {"达标", "正常", "预警", "滞后"} <= statuses
    clusters = [row for row in rows if row["indicator"] == "cluster_scale"]
    assert len(clusters) == 10 and len({row["status"] for row in clusters}) >= 3
    figures = year_figures(2025)
    assert figures.projects == 208 and figures.synthetic
    recorded = _district("key_projects", 2025)
    assert recorded.value == 208 and recorded.synthetic and recorded.source_ref == "projects/2025"
    assert _district("key_project_investment", 2025).value == figures.investment
