"""`chanye projects lights --as-of YYYY-MM [--format text|csv]`: every project's light with the rule and the
numbers that lit it, for the whole library (the command line is the operator's, unscoped)."""

import csv
import json
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chanye.projects import selectors, services
from chanye.projects.models import Project


class Command(BaseCommand):
    help = "Key projects: lights as of a month."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        lights = commands.add_parser("lights", help="each project's light, rule and numbers")
        lights.add_argument("--as-of", required=True, metavar="YYYY-MM")
        lights.add_argument("--format", choices=["text", "csv"], default="text")

    def handle(self, *args, **options):
        try:
            period = services.parse_period(options["as_of"])
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        rows = selectors.project_months(user=None, period=period, projects=Project.objects.all())
        rules = selectors.current_rules()
        from chanye.projects import lights

        if options["format"] == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(["code", "name", "colour", "rule", "reason", "numbers"])
            for project, month in rows:
                light = lights.evaluate(month, rules)
                for reason in light.reasons:
                    writer.writerow(
                        [
                            project.code,
                            project.name,
                            light.colour,
                            reason.rule,
                            reason.sentence,
                            json.dumps(reason.numbers, ensure_ascii=False),
                        ]
                    )
            return
        for project, month in rows:
            light = lights.evaluate(month, rules)
            self.stdout.write(f"{project.code}\t{light.colour}\t{project.name}\t{light.sentence}")
