"""`chanye uscc check CODE…`: one line per code, `valid` or `invalid: <reason>`; exit 1 if any is invalid."""

import sys

from django.core.management.base import BaseCommand

from chanye.enterprises.uscc import check


class Command(BaseCommand):
    help = "Check 统一社会信用代码 (GB 32100 and the embedded GB 11714 organisation code)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        checker = sub.add_parser("check", help="check one or more codes")
        checker.add_argument("codes", nargs="+")

    def handle(self, *args, action, codes, **options):
        invalid = 0
        for raw in codes:
            result = check(raw)
            if result.valid:
                self.stdout.write(f"{result.code}\tvalid")
            else:
                invalid += 1
                self.stdout.write(f"{result.code or raw}\tinvalid: {result.message}")
        if invalid:
            sys.exit(1)
