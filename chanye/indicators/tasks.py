"""Background work of the indicator module, run by `manage.py db_worker` (or at once with TASKS_IMMEDIATE=1)."""

from django.tasks import task

from chanye.enterprises.models import ImportJob


@task()
def indicator_import(job_id: str) -> str:
    from chanye.indicators.imports import indicator_import_run

    job = ImportJob.objects.get(pk=job_id)
    return indicator_import_run(job).status


@task()
def rollups_refresh() -> int:
    """Add up again the industry figures marked after memberships changed (`chanye.indicators.rollups`)."""
    from chanye.indicators.rollups import marked_refresh

    return marked_refresh()
