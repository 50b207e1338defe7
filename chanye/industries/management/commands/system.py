"""`chanye system load FILE… | diff A B | export CODE [--version V]`."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chanye.industries.definition import DefinitionError, diff_definitions
from chanye.industries.models import IndustrySystem
from chanye.industries.services import definition_resolve, system_export, system_load


class Command(BaseCommand):
    help = "Load, compare and export industrial system definitions."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load", help="validate and load definition files (all problems reported, nothing written)"
        )
        load.add_argument("files", nargs="+")
        diff = sub.add_parser("diff", help="what changed from A to B (each a file or CODE@VERSION)")
        diff.add_argument("a")
        diff.add_argument("b")
        export = sub.add_parser("export", help="print a loaded system's definition as YAML")
        export.add_argument("code")
        export.add_argument("--version", dest="system_version")
        export.add_argument("--output", "-o")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _load(self, files, **_):
        failed = False
        for name in files:
            path = Path(name)
            if not path.is_file():
                self.stderr.write(f"{name}:0: file not found")
                failed = True
                continue
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                self.stderr.write(f"{name}:0: the file is not UTF-8 text")
                failed = True
                continue
            try:
                result = system_load(text=text, filename=name, by=None)
            except DefinitionError as error:
                self.stderr.write(str(error))
                self.stderr.write(f"{name}: {len(error.problems)} problem(s); nothing was loaded")
                failed = True
                continue
            if result.created:
                self.stdout.write(
                    f"{name}: loaded {result.system.code}@{result.version.version} "
                    f"({len(result.changes)} change(s) from the previous version)"
                )
                for change in result.changes:
                    self.stdout.write(f"  {change.format()}")
            else:
                self.stdout.write(
                    f"{name}: {result.system.code}@{result.version.version} already loaded, unchanged"
                )
        if failed:
            sys.exit(1)

    def _diff(self, a, b, **_):
        try:
            name_a, old = definition_resolve(a)
            name_b, new = definition_resolve(b)
        except DefinitionError as error:
            raise CommandError(str(error)) from None
        except LookupError as error:
            raise CommandError(str(error)) from None
        changes = diff_definitions(old, new)
        self.stdout.write(f"--- {name_a}\n+++ {name_b}")
        for change in changes:
            self.stdout.write(change.format())
        self.stdout.write(f"{len(changes)} change(s)")

    def _export(self, code, system_version=None, output=None, **_):
        system = IndustrySystem.objects.filter(code=code).first()
        if system is None:
            raise CommandError(f"no system '{code}' is loaded")
        version = None
        if system_version:
            version = system.versions.filter(version=system_version).first()
            if version is None:
                raise CommandError(f"system {code} has no version {system_version}")
        text = system_export(system=system, version=version)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
