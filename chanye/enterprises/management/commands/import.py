"""`chanye import enterprises FILE [--dry-run] [--errors OUT.xlsx] [--map 列名=字段列名 …]`, and
`chanye import projects|plans|filings FILE [--dry-run] [--errors OUT.xlsx]` for the key-project library,
annual plans and monthly filings (chanye.projects.imports).

Prints the counts; rejected rows go to the terminal (the first 20) and, with --errors, to a workbook.
Exits 1 when the file was rejected, so scripts can tell.
"""

from functools import partial
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chanye.enterprises import exports, services
from chanye.enterprises.models import JobStatus
from chanye.enterprises.rows import COLUMNS


class Command(BaseCommand):
    help = "Import a CSV/XLSX file (kinds: enterprises, projects, plans, filings)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["enterprises", "projects", "plans", "filings"])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--errors", metavar="OUT.xlsx", help="write the rejected rows to this workbook")
        parser.add_argument(
            "--map", action="append", default=[], metavar="HEADER=LABEL", help="extra column mapping"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: 文件不存在")
        if options["kind"] != "enterprises":
            if options["map"]:
                raise CommandError("--map 只用于企业名录的导入")
            from chanye.projects import imports

            create = partial(imports.import_job_create, kind=options["kind"])
            run = imports.import_job_run
        else:
            create, run = services.import_job_create, services.import_job_run
        labels = {column.label: column.field for column in COLUMNS}
        mapping = {}
        for item in options["map"]:
            header, _, label = item.partition("=")
            if label not in labels:
                raise CommandError(f"--map {item}: “{label}”不是可导入的字段（{'、'.join(labels)}）")
            mapping[header] = labels[label]
        try:
            with path.open("rb") as handle:
                extra = {"mapping": mapping} if mapping else {}
                job = create(by=None, filename=path.name, content=handle, dry_run=options["dry_run"], **extra)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        job = run(job)
        self.stdout.write(
            f"{path.name}: {job.get_status_display()} — {job.total} rows: {job.created} created, "
            f"{job.updated} updated, {job.unchanged} unchanged, {job.rejected} rejected"
        )
        if job.message:
            self.stdout.write(job.message)
        errors = job.row_errors.all()
        for error in errors[:20]:
            self.stdout.write(f"  row {error.row} {error.column}: {error.value!r} — {error.reason}")
        if options["errors"] and errors.exists():
            Path(options["errors"]).write_bytes(exports.errors_xlsx(errors.iterator()))
            self.stdout.write(f"rejected rows written to {options['errors']}")
        if job.status != JobStatus.DONE:
            raise SystemExit(1)
