"""Indicator imports as jobs: the same `ImportJob` (kind "indicators"), stored file, progress, row errors,
pages and error workbook as the enterprise import; only the rows and their writing differ (`loader`).

What the person importing says about the file (its layout, period and status) is kept in the job's
`mapping` with the layout recognised and the rows skipped, so the job page and the API can show them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from chanye.enterprises.models import ImportJob
from chanye.enterprises.services import import_job_create, import_job_execute, import_limits
from chanye.indicators import bureau, layouts, loader

KIND = "indicators"
MAX_SKIPPED = 500


def import_options(*, layout: str = layouts.AUTO, period: str = "", status: str = "") -> dict:
    """The options of an import as stored on its job; ValidationError naming the field that is wrong."""
    if layout not in layouts.LAYOUTS:
        raise ValidationError({"layout": f"格式应为 {'、'.join(layouts.LAYOUTS)} 之一"})
    try:
        status = layouts.normal_status(status)
    except layouts.LayoutError as error:
        raise ValidationError({"status": str(error)}) from error
    period = " ".join((period or "").split())[:40]
    if period:
        try:
            bureau.resolve_span(period, "", "")
        except layouts.LayoutError:
            from chanye.indicators.periods import parse_period

            try:
                parse_period(period)
            except ValueError as error:
                raise ValidationError(
                    {"period": f"期间无法识别：{period}（如 2024-09、2024Q3、2024年1-9月）"}
                ) from error
    return {"layout": layout, "period": period, "status": status}


def indicator_import_create(
    *,
    by,
    filename: str,
    content,
    dry_run: bool = False,
    layout: str = layouts.AUTO,
    period: str = "",
    status: str = "",
) -> ImportJob:
    """Keep the uploaded file and queue a job for it (ValidationError when the file is too large or an
    option is wrong)."""
    options = import_options(layout=layout, period=period, status=status)
    with transaction.atomic():
        job = import_job_create(by=by, filename=filename, content=content, dry_run=dry_run, mapping=options)
        job.kind = KIND
        job.save(update_fields=["kind"])
    return job


def job_options(job: ImportJob) -> layouts.Options:
    mapping = job.mapping or {}
    return layouts.Options(
        layout=mapping.get("layout", layouts.AUTO),
        period=mapping.get("period", ""),
        status=mapping.get("status", ""),
    )


def indicator_import_run(job: ImportJob) -> ImportJob:
    """Run a job to its end (the enterprise import's `import_job_execute`): rejected, done, or failed."""

    def run(table, progress):
        outcome = loader.import_table(
            table,
            source_ref=str(job.pk),
            by=job.created_by,
            dry_run=job.dry_run,
            progress=progress,
            options=job_options(job),
        )
        job.mapping = {
            **(job.mapping or {}),
            "detected": outcome.layout,
            "figures": outcome.figures,
            "skipped": [
                {"row": s.row, "label": s.label, "reason": s.reason} for s in outcome.skipped[:MAX_SKIPPED]
            ],
        }
        ImportJob.objects.filter(pk=job.pk).update(mapping=job.mapping)
        return outcome

    def notes(outcome) -> list[str]:
        lines = [f"格式：{layouts.LAYOUTS[outcome.layout]}"]
        if outcome.layout != layouts.LONG:
            lines.append(f"{outcome.total} 行共 {outcome.figures} 个数")
        lines += outcome.notes
        if outcome.skipped:
            lines.append(f"跳过 {len(outcome.skipped)} 行（见下方清单）")
        if outcome.unknown:
            lines.append("未识别的列（未导入）：" + "、".join(outcome.unknown[:20]))
        return lines

    return import_job_execute(
        job,
        run=run,
        notes=notes,
        limits=import_limits(),
        action="indicator_import.finish",
        rejected=(loader.Rejected,),
    )
