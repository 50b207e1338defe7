"""`chanye industry-codes export --edition gbt4754-2017 --format csv` writes code,level,parent,name."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from chanye.industries.codes import EDITION_BY_CODE
from chanye.industries.models import ClassificationCode


class Command(BaseCommand):
    help = "Export a built-in classification edition (GB/T 4754-2017, sei-2018, dec-2021)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export")
        export.add_argument("--edition", default="gbt4754-2017", choices=sorted(EDITION_BY_CODE))
        export.add_argument("--format", default="csv", choices=["csv", "json"])

    def handle(self, *args, action, edition, format, **options):
        codes = ClassificationCode.objects.filter(edition__code=edition).order_by("position")
        if not codes.exists():
            raise CommandError(f"edition {edition} is not loaded; run `chanye migrate`")
        rows = codes.values_list("code", "level", "parent_code", "name")
        if format == "json":
            data = [dict(zip(("code", "level", "parent", "name"), row, strict=True)) for row in rows]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["code", "level", "parent", "name"])
        writer.writerows(rows)
