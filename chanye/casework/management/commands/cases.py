"""`chanye cases escalate [--today YYYY-MM-DD]`: escalate overdue cases to their responsible district leader,
once per level; prints one line per case escalated. Safe to run again (cron it daily)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from chanye.casework.services import cases_escalate_overdue


class Command(BaseCommand):
    help = "Casework: escalate overdue cases (escalate)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        escalate = sub.add_parser("escalate", help="escalate overdue cases to their district leader")
        escalate.add_argument("--today", help="the day to count from (YYYY-MM-DD; default: today)")

    def handle(self, *args, action, **options):
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today {options['today']}: 日期格式应为 YYYY-MM-DD") from None
        escalated = cases_escalate_overdue(today=today)
        for case in escalated:
            leader = case.leader or "未确定督办区领导"
            self.stdout.write(f"#{case.pk}\t第 {case.escalation_level} 级\t{leader}\t{case.title}")
        self.stdout.write(f"escalated {len(escalated)} case(s)")
