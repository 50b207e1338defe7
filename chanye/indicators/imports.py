"""Indicator imports as jobs: the same `ImportJob` (kind "indicators"), stored file, progress, row errors,
pages and error workbook as the enterprise import; only the rows and their writing differ (`loader`)."""

from django.db import transaction

from chanye.enterprises.models import ImportJob
from chanye.enterprises.services import import_job_create, import_job_execute, import_limits
from chanye.indicators import loader

KIND = "indicators"


def indicator_import_create(*, by, filename: str, content, dry_run: bool = False) -> ImportJob:
    """Keep the uploaded file and queue a job for it (ValidationError when the file is too large)."""
    with transaction.atomic():
        job = import_job_create(by=by, filename=filename, content=content, dry_run=dry_run)
        job.kind = KIND
        job.save(update_fields=["kind"])
    return job


def indicator_import_run(job: ImportJob) -> ImportJob:
    """Run a job to its end (the enterprise import's `import_job_execute`): rejected, done, or failed."""

    def run(table, progress):
        return loader.import_table(
            table, source_ref=str(job.pk), by=job.created_by, dry_run=job.dry_run, progress=progress
        )

    def notes(outcome) -> list[str]:
        return ["未识别的列（未导入）：" + "、".join(outcome.unknown[:20])] if outcome.unknown else []

    return import_job_execute(
        job,
        run=run,
        notes=notes,
        limits=import_limits(),
        action="indicator_import.finish",
        rejected=(loader.Rejected,),
    )
