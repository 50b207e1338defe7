"""Project imports as jobs, for the page, the API and the command line: the enterprise import's
`ImportJob` (with its kind), stored file, limits, progress and row errors. `import_run` is the background
task (`manage.py db_worker`, or at once with TASKS_IMMEDIATE=1)."""

from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.tasks import task

from chanye.core.tabular import Limits
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
    """Run a job to its end (the enterprise import's `import_job_execute`): rejected, done, or failed."""
    if not can_import(job.created_by, job.kind):
        reason = f"您的角色无权导入{KINDS.get(job.kind, job.kind)}"
        ImportRowError.objects.filter(job=job).delete()
        enterprise_services.import_errors_store(job, [RowError(0, "", "", reason)])
        return enterprise_services.import_job_finish(job, JobStatus.REJECTED, reason)

    def run(table, progress):
        return import_table(
            table,
            kind=job.kind,
            by=job.created_by,
            source=f"{job.filename}（导入任务 {job.pk}）",
            dry_run=job.dry_run,
            progress=progress,
        )

    job = enterprise_services.import_job_execute(
        job, run=run, notes=_notes, limits=import_limits(), action="import.finish", rejected=(Rejected,)
    )
    if job.status == JobStatus.DONE and not job.dry_run and job.kind in ("projects", "plans"):
        from chanye.projects.indicator_figures import project_figures_record

        project_figures_record(by=job.created_by)  # the library changed: its yearly figures follow
    return job


def _notes(outcome: ProjectOutcome) -> list[str]:
    """What the job's page says besides the counts and the verdict: what was passed over."""
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
    return notes


@task()
def import_run(job_id: str) -> str:
    """The background task (`manage.py db_worker`, or at once with TASKS_IMMEDIATE=1). Queued jobs name it by
    its module path; `chanye.projects.imports.import_run`, the path before this package, still finds it."""
    return import_job_run(ImportJob.objects.get(pk=job_id)).status
