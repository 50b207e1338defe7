"""`chanye indicators catalogue` loads the shipped catalogue (and the system definition's indicators);
`chanye indicators import FILE [--layout auto|long|wide|stats] [--period 2024-09] [--status 初步|最终]
[--dry-run] [--errors OUT.xlsx]` imports enterprise indicator series or a statistical-bureau table;
`chanye indicators rollup [--rebuild]` adds up the marked industry figures again (or every one).

The import prints the counts and the first 20 rejected rows; it exits 1 when the file was rejected.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chanye.enterprises import exports
from chanye.enterprises.models import JobStatus


class Command(BaseCommand):
    help = "The indicator catalogue and enterprise indicator imports."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("catalogue", help="load the shipped catalogue (existing indicators are kept)")
        rollup = commands.add_parser(
            "rollup", help="add up the marked industry figures again (--rebuild: all)"
        )
        rollup.add_argument(
            "--rebuild", action="store_true", help="rebuild every industry and district figure"
        )
        load = commands.add_parser("import", help="import enterprise indicator series from CSV/XLSX")
        load.add_argument("file")
        load.add_argument(
            "--layout",
            choices=["auto", "long", "wide", "stats"],
            default="auto",
            help="long: one figure a row; wide: a column per indicator or period; stats: a bureau table",
        )
        load.add_argument(
            "--period", default="", help="when the file does not say it: 2024-09 (1-9月), 2024Q3"
        )
        load.add_argument("--status", default="", help="初步 or 最终 (default: from the file)")
        load.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        load.add_argument("--errors", metavar="OUT.xlsx", help="write the rejected rows to this workbook")

    def handle(self, *args, **options):
        if options["action"] == "catalogue":
            from chanye.indicators.services import catalogue_load

            self.stdout.write(f"indicators: {catalogue_load()} added")
            return
        if options["action"] == "rollup":
            from chanye.indicators import rollups

            if options["rebuild"]:
                self.stdout.write(f"rollups rebuilt: {rollups.rebuild()} rows")
            else:
                self.stdout.write(f"rollups: {rollups.marked_refresh()} marked industries added up again")
            return
        from chanye.indicators.imports import indicator_import_create, indicator_import_run

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: 文件不存在")
        try:
            with path.open("rb") as handle:
                job = indicator_import_create(
                    by=None,
                    filename=path.name,
                    content=handle,
                    dry_run=options["dry_run"],
                    layout=options["layout"],
                    period=options["period"],
                    status=options["status"],
                )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        job = indicator_import_run(job)
        self.stdout.write(
            f"{path.name}: {job.get_status_display()} — {job.total} rows: {job.created} created, "
            f"{job.updated} revised, {job.unchanged} unchanged, {job.rejected} rejected"
        )
        if job.message:
            self.stdout.write(job.message)
        for skipped in (job.mapping or {}).get("skipped", [])[:50]:
            self.stdout.write(f"  skipped row {skipped['row']} {skipped['label']}: {skipped['reason']}")
        errors = job.row_errors.all()
        for error in errors[:20]:
            self.stdout.write(f"  row {error.row} {error.column}: {error.value!r} — {error.reason}")
        if options["errors"] and errors.exists():
            Path(options["errors"]).write_bytes(exports.errors_xlsx(errors.iterator()))
            self.stdout.write(f"rejected rows written to {options['errors']}")
        if job.status != JobStatus.DONE:
            raise SystemExit(1)
