"""Background work of the register, run by `manage.py db_worker` (or at once with TASKS_IMMEDIATE=1)."""

from django.tasks import task

from chanye.enterprises.models import ImportJob


@task()
def import_run(job_id: str) -> str:
    from chanye.enterprises.services import import_job_run

    job = ImportJob.objects.get(pk=job_id)
    return import_job_run(job).status
