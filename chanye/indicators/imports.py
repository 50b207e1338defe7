"""Indicator imports as jobs: the same `ImportJob` (kind "indicators"), stored file, progress, row errors,
pages and error workbook as the enterprise import; only the rows and their writing differ (`loader`)."""

from django.db import transaction
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.core.tabular import TabularError, open_table
from chanye.enterprises.models import ImportJob, ImportRowError, JobStatus
from chanye.enterprises.services import import_job_create, import_limits
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
    """Run a job to its end: rejected (row errors kept, nothing written), done, or failed."""
    job.status, job.phase = JobStatus.RUNNING, "reading"
    job.save(update_fields=["status", "phase"])
    ImportRowError.objects.filter(job=job).delete()

    def progress(phase: str, count: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, processed=count)

    try:
        with open_table(job.stored, job.filename, import_limits()) as table:
            outcome = loader.import_table(
                table, source_ref=str(job.pk), by=job.created_by, dry_run=job.dry_run, progress=progress
            )
    except loader.Rejected as rejected:
        _errors(job, rejected.errors)
        return _finish(job, JobStatus.REJECTED, rejected.errors[0].reason if rejected.errors else "")
    except TabularError as error:
        ImportRowError.objects.create(job=job, row=0, column="", value="", reason=error.message[:300])
        return _finish(job, JobStatus.REJECTED, error.message)
    except Exception as error:  # noqa: BLE001 - the job records any failure for its owner
        return _finish(job, JobStatus.FAILED, f"导入失败：{error}")
    job.total = job.processed = outcome.total
    job.created, job.updated, job.unchanged, job.rejected = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        outcome.rejected,
    )
    _errors(job, outcome.errors)
    notes = []
    if outcome.unknown:
        notes.append("未识别的列（未导入）：" + "、".join(outcome.unknown[:20]))
    if outcome.rejected:
        status = JobStatus.REJECTED
        notes.insert(0, f"{outcome.rejected} 行有错误，整个文件未写入；请修正后重新导入")
    else:
        status = JobStatus.DONE
        if job.dry_run:
            notes.insert(0, "仅校验：未写入任何数据")
    audit_record(
        actor=job.created_by,
        action="indicator_import.finish",
        obj=job,
        after={
            "status": status,
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "rejected": job.rejected,
            "dry_run": job.dry_run,
        },
    )
    return _finish(job, status, "；".join(notes))


def _errors(job: ImportJob, errors) -> None:
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                job=job, row=e.row, column=e.column[:60], value=e.value[:200], reason=e.reason[:300]
            )
            for e in errors[:100_000]
        ],
        batch_size=5000,
    )


def _finish(job: ImportJob, status: str, message: str) -> ImportJob:
    from pathlib import Path

    job.status, job.message, job.finished_at, job.phase = status, message[:2000], timezone.now(), ""
    job.save()
    if status == JobStatus.DONE and job.stored:
        Path(job.stored).unlink(missing_ok=True)
    return job
