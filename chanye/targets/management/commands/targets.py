"""`chanye targets status --as-of YYYY-MM [--format text|csv]`: every active target with its latest figure,
required and trailing growth, forecast with 80% and 95% intervals, probability, status, staleness and the
sentence that explains it (the command line is the operator's, unscoped).

`chanye targets load`: bring the targets in line with the loaded system definition's `targets:` list (edits
made on the page are kept while the definition's entry is unchanged)."""

import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chanye.targets import selectors, services
from chanye.targets.api import parse_month, status_out
from chanye.targets.models import Target

HEADER = [
    "scope",
    "indicator",
    "year",
    "comparator",
    "value",
    "unit",
    "latest_year",
    "latest",
    "required_growth",
    "trailing_growth",
    "forecast",
    "low80",
    "high80",
    "low95",
    "high95",
    "probability",
    "status",
    "stale",
    "sentence",
]


def _n(value, places: int = 4) -> str:
    return "" if value is None else f"{value:.{places}f}".rstrip("0").rstrip(".")


class Command(BaseCommand):
    help = "Targets: their status as of a month; load them from the system definition."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        status = commands.add_parser("status", help="each target's outlook as of a month")
        status.add_argument("--as-of", required=True, metavar="YYYY-MM")
        status.add_argument("--format", choices=["text", "csv"], default="text")
        commands.add_parser("load", help="load the targets of the current system definition")

    def handle(self, *args, **options):
        if options["command"] == "load":
            return self.load()
        return self.status(options)

    def load(self):
        from chanye.enterprises.services import current_system

        system = current_system()
        if system is None:
            raise CommandError("尚未载入产业体系：请先运行 chanye system load")
        applied = services.targets_apply_definition(system=system)
        for line in applied.skipped:
            self.stderr.write(f"跳过 {line}")
        self.stdout.write(applied.summary())

    def status(self, options):
        try:
            as_of = parse_month(options["as_of"], user=None)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        targets = list(
            Target.objects.filter(active=True)
            .select_related("indicator", "industry", "system")
            .order_by("year", "industry__position", "indicator__position", "id")
        )
        items = selectors.target_outlooks(user=None, as_of=as_of, targets=targets)
        rows = []
        for item in items:
            out, t = status_out(item), item.target
            low80, high80 = (out["interval_80"] or {}).get("low"), (out["interval_80"] or {}).get("high")
            low95, high95 = (out["interval_95"] or {}).get("low"), (out["interval_95"] or {}).get("high")
            rows.append(
                [
                    t.scope_code,
                    t.indicator.code,
                    str(t.year),
                    t.comparator,
                    _n(t.value),
                    t.unit,
                    str(out["latest_year"] or ""),
                    _n(out["latest"]),
                    _n(out["required_growth"]),
                    _n(out["trailing_growth"]),
                    _n(out["forecast"], 2),
                    _n(low80, 2),
                    _n(high80, 2),
                    _n(low95, 2),
                    _n(high95, 2),
                    _n(out["probability"], 3),
                    out["status"],
                    "stale" if out["stale"] else "",
                    out["sentence"],
                ]
            )
        if options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(HEADER)
            writer.writerows(rows)
            return
        self.stdout.write(f"截至 {as_of:%Y-%m}：{len(rows)} 个目标")
        for row in rows:
            record = dict(zip(HEADER, row, strict=True))
            interval = (
                f"80% {record['low80']}–{record['high80']}，95% {record['low95']}–{record['high95']}"
                if record["forecast"]
                else "未预测"
            )
            stale = "\t数据未按期更新" if record["stale"] else ""
            self.stdout.write(
                f"{record['status']}\t{record['scope']}\t{record['indicator']}\t"
                f"{record['year']} {record['comparator']} {record['value']} {record['unit']}\t"
                f"最新 {record['latest'] or '—'}（{record['latest_year'] or '—'}）\t"
                f"需年均 {record['required_growth'] or '—'}\t近年 {record['trailing_growth'] or '—'}\t"
                f"预测 {record['forecast'] or '—'}（{interval}）\t概率 {record['probability'] or '—'}{stale}\n"
                f"    {record['sentence']}"
            )
