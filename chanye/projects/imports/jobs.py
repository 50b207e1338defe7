"""Project imports as jobs, for the page, the API and the command line: the enterprise import's
`ImportJob` (with its kind), stored file, limits, progress and row errors. `import_run` is the background
task (`manage.py db_worker`, or at once with TASKS_IMMEDIATE=1)."""

from dataclasses import replace
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.core.tabular import Limits, TabularError, open_table
from chanye.enterprises import services as enterprise_services
from chanye.enterprises.loader import Rejected
from chanye.enterprises.models import ImportJob, ImportRowError, JobStatus
from chanye.enterprises.rows import RowError
from chanye.projects.imports.sheets import KINDS
from chanye.projects.imports.table import MAX_ROWS, ProjectOutcome, import_table


def can_import(user, kind: str) -> bool:
    """Library and plans: whoever may change the library (the 发改局). Filings: the 发改局, a reviewing
    department and an enterprise filer — each row is then checked against what they answer for."""
    if user is None:
        return True  # the command line
    if kind in ("projects", "plans"):
        return user.can("projects.change")
    return any(user.can(name) for name in ("projects.change", "projects.review", "projects.file"))


def import_kinds(user) -> list[tuple[str, str]]:
    """The kinds this user may import, as (kind, label) choices."""
    return [(kind, label) for kind, label in KINDS.items() if can_import(user, kind)]


def import_limits() -> Limits:
    """The enterprise import's limits, the rows capped a little above what `import_table` accepts."""
    limits = enterprise_services.import_limits()
    return replace(limits, max_rows=min(limits.max_rows, MAX_ROWS + 100))


def import_jobs(user):
    """The project imports a user may see: the 发改局 all of them, everyone else their own."""
    jobs = ImportJob.objects.filter(kind__in=KINDS).select_related("created_by")
    if user is None or not user.is_authenticated:
        return jobs.none()
    if user.can("projects.change"):
        return jobs
    if not can_import(user, "filings"):
        return jobs.none()
    return jobs.filter(created_by=user)


def import_job_create(*, by, kind: str, filename: str, content, dry_run: bool = False) -> ImportJob:
    """Keep the uploaded file and queue a job of this kind (the enterprise import's storage and limits)."""
    if kind not in KINDS:
        raise ValidationError({"kind": f"导入类型应为 {'、'.join(KINDS)} 之一"})
    if not can_import(by, kind):
        raise PermissionDenied(f"您的角色无权导入{KINDS[kind]}")
    with transaction.atomic():
        job = enterprise_services.import_job_create(
            by=by, filename=filename, content=content, dry_run=dry_run
        )
        job.kind = kind
        job.save(update_fields=["kind"])
    return job


def import_job_run(job: ImportJob) -> ImportJob:
    """Run a job to its end: rejected (row errors kept, nothing written), done, or failed."""
    job.status, job.phase = JobStatus.RUNNING, "reading"
    job.save(update_fields=["status", "phase"])
    ImportRowError.objects.filter(job=job).delete()

    def progress(phase: str, count: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, processed=count)

    try:
        if not can_import(job.created_by, job.kind):
            raise Rejected([RowError(0, "", "", f"您的角色无权导入{KINDS.get(job.kind, job.kind)}")])
        with open_table(job.stored, job.filename, import_limits()) as table:
            outcome = import_table(
                table,
                kind=job.kind,
                by=job.created_by,
                source=f"{job.filename}（导入任务 {job.pk}）",
                dry_run=job.dry_run,
                progress=progress,
            )
    except Rejected as rejected:
        _store_errors(job, rejected.errors)
        return _finish(job, JobStatus.REJECTED, rejected.errors[0].reason if rejected.errors else "")
    except TabularError as error:
        _store_errors(job, [RowError(0, "", "", error.message)])
        return _finish(job, JobStatus.REJECTED, error.message)
    except Exception as error:  # noqa: BLE001 - the job records any failure for its owner
        return _finish(job, JobStatus.FAILED, f"导入失败：{error}")
    job.processed = job.total = outcome.total
    job.created, job.updated, job.unchanged, job.rejected = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        outcome.rejected,
    )
    _store_errors(job, outcome.errors)
    status = JobStatus.REJECTED if outcome.rejected else JobStatus.DONE
    audit_record(
        actor=job.created_by,
        action="import.finish",
        obj=job,
        after={
            "kind": job.kind,
            "status": status,
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "rejected": job.rejected,
            "dry_run": job.dry_run,
        },
    )
    return _finish(job, status, "；".join(_notes(job, outcome)))


def _notes(job: ImportJob, outcome: ProjectOutcome) -> list[str]:
    """What the job's page says besides the counts: why nothing was written, what was passed over."""
    notes = []
    if outcome.period:
        notes.append(f"月份取自标题：{outcome.period:%Y-%m}")
    if outcome.duplicates:
        notes.append(f"{outcome.duplicates} 行与前面的行完全相同，已合并")
    if outcome.empty:
        notes.append(f"{outcome.empty} 行未填本月数据，已跳过")
    if outcome.skipped:
        notes.append(f"{outcome.skipped} 行为标题、分组、小计或说明行，未导入")
    if outcome.unknown:
        notes.append("未识别的列（未导入）：" + "、".join(outcome.unknown[:20]))
    if outcome.rejected:
        notes.insert(0, f"{outcome.rejected} 行有错误，整个文件未写入；请修正后重新导入")
    elif job.dry_run:
        notes.insert(0, "仅校验：未写入任何数据")
    return notes


def _store_errors(job: ImportJob, errors: list[RowError]) -> None:
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                job=job, row=e.row, column=e.column[:60], value=e.value[:200], reason=e.reason[:300]
            )
            for e in errors
        ],
        batch_size=5000,
    )


def _finish(job: ImportJob, status: str, message: str) -> ImportJob:
    job.status, job.message, job.finished_at, job.phase = status, message[:2000], timezone.now(), ""
    job.save()
    if status == JobStatus.DONE and job.stored:
        Path(job.stored).unlink(missing_ok=True)
    return job


@task()
def import_run(job_id: str) -> str:
    """The background task (`manage.py db_worker`, or at once with TASKS_IMMEDIATE=1). Queued jobs name it by
    its module path; `chanye.projects.imports.import_run`, the path before this package, still finds it."""
    return import_job_run(ImportJob.objects.get(pk=job_id)).status
