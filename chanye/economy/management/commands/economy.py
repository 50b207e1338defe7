"""`chanye economy estimate --year YYYY [--partial-weight 0.5] [--dry-run]`: estimate the year's value added
from enterprise revenue × the value-added rates, scale it to the official GDP, record the industry and
district figures and the three GDP shares (basis 推算; official figures are kept), and print them.

`chanye economy rates`: the rate table (division, rate, margin rate, source)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from chanye.economy import selectors, services


class Command(BaseCommand):
    help = "Value added: estimate a year from enterprise revenue; list the value-added rates."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        run = commands.add_parser("estimate", help="estimate a year's value added and GDP shares")
        run.add_argument("--year", type=int, required=True, metavar="YYYY")
        run.add_argument("--partial-weight", default=None, help="weight of partly-included classes (0–1)")
        run.add_argument("--dry-run", action="store_true", help="compute and print, record nothing")
        commands.add_parser("rates", help="print the value-added rate table")

    def handle(self, *args, **options):
        if options["command"] == "rates":
            services.rates_ensure()
            for row in selectors.rate_list():
                margin = f"\t毛利率 {row.margin_rate}" if row.margin_rate is not None else ""
                self.stdout.write(f"{row.division}\t{row.name}\t{row.rate}{margin}\t{row.source}")
            return
        weight = None
        if options["partial_weight"] is not None:
            try:
                weight = Decimal(options["partial_weight"])
            except InvalidOperation:
                raise CommandError(
                    f"--partial-weight 应为 0 到 1 之间的数，而不是 {options['partial_weight']}"
                ) from None
        try:
            run = services.estimate_run(
                year=options["year"], by=None, partial_weight=weight, record=not options["dry_run"]
            )
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        self._print(run)

    def _print(self, run):
        figures = run.figures
        out = self.stdout.write
        out(
            f"{run.year} 年增加值推算：{run.firms} 家企业，营业收入 {run.revenue.normalize():f} 万元（1–{run.months} 月）"
        )
        if run.unrated_firms:
            out(
                f"  未计入：{run.unrated_firms} 家企业缺行业代码或增加值率（营业收入 {run.unrated_revenue.normalize():f} 万元）"
            )
        out(f"  推算增加值合计（未校准）{run.estimate.normalize():f} 亿元")
        if run.scale is not None:
            out(
                f"  地区生产总值（官方，{figures['gdp_how']}）{run.gdp.normalize():f} 亿元；校准系数 {run.scale.normalize():f}"
            )
            if run.thin:
                out(
                    f"  注意：参与推算的企业只相当于GDP的 {run.coverage:.1f}%，比重反映的是这些企业的行业结构"
                )
        else:
            out("  地区生产总值官方数未知：未校准")
        district = figures["district"]
        out(f"  全区增加值 {district['used']} 亿元（{_basis(district['basis'])}）")
        for share in figures["shares"]:
            official = f"；官方 {share['official']}%" if share["official"] else ""
            out(
                f"  {share['code']}\t{share['used']}%（{_basis(share['basis'])}）\t推算 {share['value']}% = "
                f"{share['numerator']} ÷ {share['denominator']} 亿元{official}"
            )
        for row in figures["industries"]:
            out(
                f"  {row['code']}\t{row['name']}\t{row['used']} 亿元（{_basis(row['basis'])}，{row['firms']} 家企业）"
            )
        if run.recorded:
            c = run.counts
            out(
                f"已写入指标（{run.source_ref}）：新增 {c['created']}，修订 {c['updated']}，未变 {c['unchanged']}，保留官方数 {c['kept_official']}"
            )
        else:
            out(run.note)


def _basis(value: str) -> str:
    return {"official": "官方统计", "estimated": "推算"}.get(value, value)
