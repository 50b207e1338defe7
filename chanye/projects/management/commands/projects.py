"""`chanye projects lights --as-of YYYY-MM [--format text|csv]`: every project's light with the rule and the
numbers that lit it, for the whole library (the command line is the operator's, unscoped).

`chanye projects figures [--year YYYY]`: record the district's key-project figures (count, total investment,
special bonds) of a year, or of every year of the library, from the library (chanye.projects.indicator_figures).

`chanye projects remind --period YYYY-MM [--dry-run] [--today YYYY-MM-DD]`: remind the owners of every
project whose filing for the month is missing (in-app, and by email where there is an address); nobody twice
the same day about the same project, so running it again the same day sends nothing."""

import csv
import json
import sys
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chanye.projects import selectors, services
from chanye.projects.models import Project


class Command(BaseCommand):
    help = "Key projects: lights as of a month; reminders to late filers."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        lights = commands.add_parser("lights", help="each project's light, rule and numbers")
        lights.add_argument("--as-of", required=True, metavar="YYYY-MM")
        lights.add_argument("--format", choices=["text", "csv"], default="text")
        remind = commands.add_parser("remind", help="remind the owners of the projects not filed for a month")
        remind.add_argument("--period", required=True, metavar="YYYY-MM")
        remind.add_argument("--dry-run", action="store_true", help="list who would be reminded; send nothing")
        remind.add_argument("--today", metavar="YYYY-MM-DD", help="the day of sending (default: today)")
        figures = commands.add_parser(
            "figures", help="record the district's key-project figures (count, investment, bonds) of a year"
        )
        figures.add_argument("--year", type=int, metavar="YYYY", help="default: every year of the library")

    def handle(self, *args, **options):
        if options["command"] == "remind":
            return self.remind(options)
        if options["command"] == "figures":
            return self.figures(options)
        return self.lights(options)

    def figures(self, options):
        from chanye.projects.indicator_figures import project_figures_record

        year = options["year"]
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"--year 应为四位年份，而不是「{year}」")
        try:
            result = project_figures_record(years=[year] if year is not None else None)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        for found in result.figures:
            self.stdout.write(
                f"{found.year}\t重点项目 {found.projects} 个\t总投资 {found.investment.normalize():f} 亿元"
                f"\t专项债券 {found.bonds.normalize():f} 亿元{'（模拟数据）' if found.synthetic else ''}"
            )
        if result.missing:
            self.stdout.write("指标目录中没有：" + "、".join(result.missing) + "（未记录）")
        self.stdout.write(f"新增 {result.created}，修订 {result.updated}，未变 {result.unchanged}")

    def remind(self, options):
        from chanye.projects.reminders import reminders_send

        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError:
            raise CommandError(f"--today 应为 YYYY-MM-DD，而不是「{options['today']}」") from None
        try:
            period = services.parse_period(options["period"])
            result = reminders_send(period=period, by=None, today=today, dry_run=options["dry_run"])
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        for planned in result.sent:
            channel = planned.email or "站内"
            mark = "将提醒" if result.dry_run else "已提醒"
            self.stdout.write(
                f"{mark}\t{planned.project.code}\t{planned.project.name}\t{planned.recipient.get_username()}\t{channel}"
            )
        for planned in result.already:
            self.stdout.write(
                f"今天已提醒\t{planned.project.code}\t{planned.project.name}\t{planned.recipient.get_username()}"
            )
        for project in result.no_recipient:
            self.stdout.write(f"无人可提醒\t{project.code}\t{project.name}\t业主单位没有可填报的用户")
        self.stdout.write(result.summary())

    def lights(self, options):
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
