"""A project import on the real queue: the upload only enqueues it, a worker runs it — also a job queued
under the task's path from before the imports became a package, as one left waiting over an upgrade is."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from chanye.enterprises.models import ImportJob, JobStatus
from chanye.projects import imports
from chanye.projects.models import AnnualPlan
from chanye.projects.tests.test_import import library, sheet  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings, monkeypatch):
    """The real queue and worker. The worker drops stale connections between tasks; here that connection
    holds the test's transaction, so it is kept."""
    from conftest import _reset_task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _reset_task_backends()
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def plans(tmp_path):
    return sheet(
        tmp_path / "年度计划.xlsx", [["项目编号", "年度", "年度计划投资"], ["TH2025-900", "2026", "24000"]]
    )


def planned_2026():
    plan = AnnualPlan.objects.filter(project__code="TH2025-900", year=2026).first()
    return plan and plan.planned_investment


def test_an_upload_waits_in_the_queue_until_a_worker_runs_it(library, personas, login, tmp_path, queue):  # noqa: F811
    with plans(tmp_path).open("rb") as handle:
        response = login(personas["drc"]).post("/projects/imports/", {"kind": "plans", "file": handle})
    assert response.status_code == 302
    job = ImportJob.objects.get(kind="plans")
    assert job.status == JobStatus.QUEUED
    assert planned_2026() is None

    call_command("db_worker", "--batch", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert planned_2026() == Decimal(24000)


def test_a_job_queued_under_the_earlier_task_path_still_runs(library, personas, tmp_path, queue):  # noqa: F811
    path = plans(tmp_path)
    job = imports.import_job_create(
        by=personas["drc"], kind="plans", filename=path.name, content=path.read_bytes()
    )
    imports.import_run.enqueue(str(job.pk))
    assert DBTaskResult.objects.update(task_path="chanye.projects.imports.import_run") == 1

    call_command("db_worker", "--batch", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert planned_2026() == Decimal(24000)
