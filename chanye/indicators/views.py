"""Pages of the indicator module: the catalogue, an indicator with its series, and the series import."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from chanye.core.views import PermissionGate
from chanye.indicators import periods, selectors
from chanye.indicators.filters import IndicatorFilter
from chanye.indicators.models import Basis, Frequency, Level, Status

VIEW = "system.view"
IMPORT = "enterprises.import"


class IndicatorListView(PermissionGate, View):
    """The catalogue: 口径, unit, frequency, direction, source, owner, confidentiality and the latest figure."""

    permission_required = VIEW

    def get(self, request):
        found = IndicatorFilter(request.GET, queryset=selectors.indicator_list(user=request.user))
        indicators = list(found.qs) if found.is_valid() else []
        sources = sorted(
            set(selectors.indicator_list(user=request.user).values_list("source", flat=True)) - {""}
        )
        return render(
            request,
            "indicators/list.html",
            {
                "filter": found,
                "indicators": indicators,
                "sources": sources,
                "can_import": request.user.can(IMPORT),
            },
        )


def _number(value) -> float | None:
    return None if value is None else float(value)


class IndicatorDetailView(PermissionGate, View):
    """One indicator: its 口径, the series of a subject (the district, an industry or an enterprise) as a
    chart with official and estimated figures told apart, the figures behind each number, and revisions."""

    permission_required = VIEW

    def get(self, request, code):
        from chanye.enterprises.models import Enterprise

        user = request.user
        indicator = selectors.indicator_get(user=user, code=code)
        if indicator is None:
            raise Http404
        levels = [level for level in Level.values if level in indicator.levels]
        level = request.GET.get("level") if request.GET.get("level") in levels else levels[0]
        frequency = request.GET.get("frequency")
        if frequency not in Frequency.values or periods.FREQUENCIES.index(
            frequency
        ) < periods.FREQUENCIES.index(indicator.frequency):
            frequency = indicator.frequency
        industries = list(selectors.industries_in_scope(user=user))
        industry = enterprise = None
        if level == Level.INDUSTRY:
            wanted = request.GET.get("industry")
            industry = next(
                (i for i in industries if i.code == wanted), industries[0] if industries else None
            )
            if wanted and (industry is None or industry.code != wanted):
                raise Http404
        elif level == Level.ENTERPRISE:
            uscc = (request.GET.get("enterprise") or "").strip().upper()
            if uscc:
                enterprise = Enterprise.objects.visible_to(user).filter(uscc=uscc).first()
                if enterprise is None:
                    raise Http404
        stored = (
            selectors.series(
                user=user,
                indicator=indicator,
                level=level,
                frequency=frequency,
                industry=industry,
                enterprise=enterprise,
            )
            if level != Level.ENTERPRISE or enterprise is not None
            else []
        )
        computed: list[selectors.Aggregate] = []
        if level == Level.DISTRICT:
            computed = selectors.aggregate_district(user=user, indicator=indicator, frequency=frequency)
        elif level == Level.INDUSTRY and industry is not None:
            computed = selectors.aggregate_by_industry(
                user=user, indicator=indicator, frequency=frequency, industries=[industry.pk]
            )
        chosen = None
        if request.GET.get("period"):
            try:
                start, _kind = periods.parse_period(request.GET["period"])
                chosen = periods.start_of(start, frequency)
            except ValueError:
                chosen = None
        behind, behind_count = (None, 0)
        if chosen is not None and indicator.additive and level in (Level.DISTRICT, Level.INDUSTRY):
            behind, behind_count = selectors.rows_behind(
                user=user, indicator=indicator, frequency=frequency, period=chosen, industry=industry
            )
        breakdown = self._breakdown(user, indicator, frequency, industries)
        return render(
            request,
            "indicators/detail.html",
            {
                "indicator": indicator,
                "level": level,
                "levels": [(value, Level(value).label) for value in levels],
                "frequency": frequency,
                "frequencies": [
                    (value, label)
                    for value, label in Frequency.choices
                    if periods.FREQUENCIES.index(value) >= periods.FREQUENCIES.index(indicator.frequency)
                ],
                "industries": industries,
                "industry": industry,
                "enterprise": enterprise,
                "stored": stored,
                "computed": computed,
                "chart": self._chart(indicator, stored, computed, frequency),
                "chosen": chosen,
                "chosen_label": periods.label(chosen, frequency) if chosen else "",
                "chosen_rows": [o for o in stored if o.period == chosen] if chosen else [],
                "behind": behind,
                "behind_count": behind_count,
                "revisions": selectors.revisions_of(observations=stored)[:200],
                "breakdown": breakdown,
                "counting_rule": selectors.COUNTING_RULE,
            },
        )

    @staticmethod
    def _chart(indicator, stored, computed, frequency) -> dict:
        """Points by period label: official, reported and estimated figures in their own series, preliminary
        ones marked, and the sum of enterprise figures beside them."""
        labels = sorted(
            {periods.label(o.period, frequency) for o in stored}
            | {periods.label(a.period, frequency) for a in computed}
        )
        position = {text: index for index, text in enumerate(labels)}
        lines: dict[str, list] = {basis: [None] * len(labels) for basis in Basis.values}
        for observation in stored:
            lines[observation.basis][position[periods.label(observation.period, frequency)]] = {
                "value": _number(observation.value),
                "preliminary": observation.status == Status.PRELIMINARY,
                "synthetic": observation.synthetic,
            }
        total = [None] * len(labels)
        for aggregate in computed:
            total[position[periods.label(aggregate.period, frequency)]] = {
                "value": _number(aggregate.total),
                "firms": aggregate.firms,
            }
        series = [
            {"key": basis, "name": str(Basis(basis).label), "data": lines[basis]}
            for basis in Basis.values
            if any(point is not None for point in lines[basis])
        ]
        if computed:
            series.append({"key": "sum", "name": "企业数汇总", "data": total})
        return {"unit": indicator.unit, "periods": labels, "series": series}

    @staticmethod
    def _breakdown(user, indicator, frequency, industries) -> dict | None:
        """Each industry's figure and the district's for the latest period with enterprise figures."""
        if not indicator.additive:
            return None
        latest = selectors.latest_enterprise_period(user=user, indicator=indicator, frequency=frequency)
        if latest is None:
            return None
        names = {i.pk: i for i in industries}
        by_industry = selectors.aggregate_by_industry(
            user=user, indicator=indicator, frequency=frequency, start=latest, end=latest
        )
        district = selectors.aggregate_district(
            user=user, indicator=indicator, frequency=frequency, start=latest, end=latest
        )
        rows = sorted(
            ((names[a.industry_id], a) for a in by_industry if a.industry_id in names),
            key=lambda pair: -pair[1].total,
        )
        return {
            "period": latest,
            "label": periods.label(latest, frequency),
            "rows": rows,
            "industries_total": sum((a.total for _i, a in rows), Decimal(0)),
            "district": district[0] if district else None,
        }


class ImportForm(forms.Form):
    file = forms.FileField(label="文件（CSV、XLSX、XLS、ODS）")
    layout = forms.ChoiceField(label="格式", choices=[], initial="auto", required=False)
    period = forms.CharField(
        label="期间（文件中没有写明时）",
        required=False,
        max_length=40,
        help_text="如 2024-09（统计局报表即 1-9月累计）、2024年1-9月、2024Q3、2024",
    )
    status = forms.ChoiceField(
        label="状态",
        choices=[
            ("", "按文件（空白为最终；标题含快报/初步为初步）"),
            ("preliminary", "初步"),
            ("final", "最终"),
        ],
        required=False,
    )
    dry_run = forms.BooleanField(label="仅校验，不写入", required=False)

    def __init__(self, *args, **kwargs):
        from chanye.indicators.layouts import LAYOUTS

        super().__init__(*args, **kwargs)
        self.fields["layout"].choices = list(LAYOUTS.items())


class IndicatorImportView(PermissionGate, View):
    """Upload an enterprise indicator sheet; the job page shows its progress and every rejected row."""

    permission_required = IMPORT

    def _page(self, request, form, status=200):
        from chanye.enterprises.models import ImportJob
        from chanye.indicators.imports import KIND
        from chanye.indicators.loader import indicator_lookup

        jobs = ImportJob.objects.visible_to(request.user).filter(kind=KIND).select_related("created_by")[:20]
        from chanye.indicators.layouts import SYNONYMS

        names = sorted({(i.code, i.name, i.unit, i.frequency) for i in indicator_lookup().values()})
        bureau = [
            (i.code, i.name, i.unit, "、".join(SYNONYMS.get(i.code, ())))
            for i in selectors.indicator_list(user=request.user)
            if Level.DISTRICT in i.levels or Level.INDUSTRY in i.levels
        ]
        return render(
            request,
            "indicators/import.html",
            {"form": form, "jobs": jobs, "indicators": names, "bureau": bureau},
            status=status,
        )

    def get(self, request):
        return self._page(request, ImportForm())

    def post(self, request):
        from chanye.indicators.imports import indicator_import_create
        from chanye.indicators.tasks import indicator_import

        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, status=400)
        data = form.cleaned_data
        try:
            job = indicator_import_create(
                by=request.user,
                filename=data["file"].name,
                content=data["file"],
                dry_run=data["dry_run"],
                layout=data["layout"] or "auto",
                period=data["period"],
                status=data["status"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, messages in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages)
            else:
                form.add_error(None, error.messages)
            return self._page(request, form, status=400)
        indicator_import.enqueue(str(job.pk))
        return redirect("indicators:import_detail", pk=job.pk)


def _job(request, pk):
    from chanye.enterprises.models import ImportJob
    from chanye.indicators.imports import KIND

    return get_object_or_404(ImportJob.objects.visible_to(request.user).filter(kind=KIND), pk=pk)


class IndicatorImportDetailView(PermissionGate, View):
    """An import's progress (refreshed while it runs), its counts and every rejected row."""

    permission_required = IMPORT

    def get(self, request, pk):
        from chanye.enterprises.models import JobStatus

        job = _job(request, pk)
        context = {
            "job": job,
            "errors": job.row_errors.all()[:200],
            "skipped": (job.mapping or {}).get("skipped", []),
            "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        }
        template = "indicators/import_detail.html#status" if request.htmx else "indicators/import_detail.html"
        return render(request, template, context)


class IndicatorImportErrorsView(PermissionGate, View):
    """The rejected rows as a workbook: row, column, value, reason."""

    permission_required = IMPORT

    def get(self, request, pk):
        from urllib.parse import quote

        from chanye.enterprises.exports import errors_xlsx

        job = _job(request, pk)
        response = HttpResponse(
            errors_xlsx(job.row_errors.all().iterator()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(f'导入错误-{job.filename}.xlsx')}"
        )
        return response


class ImportTemplateView(PermissionGate, View):
    """The sheet to fill: one figure a row (?layout=long, the default), one column per indicator
    (?layout=wide) or one column per month of one indicator (?layout=periods), each with example rows."""

    permission_required = IMPORT

    def get(self, request):
        import io
        from urllib.parse import quote

        from chanye.core.tabular import write_xlsx
        from chanye.indicators.loader import indicator_lookup
        from chanye.indicators.rows import COLUMNS

        code, name = "91440106MA59XXXXXX", "示例科技有限公司"
        layout = request.GET.get("layout", "long")
        if layout == "wide":
            found = sorted({(i.id, i.name, i.unit) for i in indicator_lookup().values()})
            headers = ["统一社会信用代码", "企业名称", "期间", *(f"{n}({u})" for _id, n, u in found)]
            rows = [
                [code, name, "2025-03", *("" for _ in found)],
                [code, name, "2025Q1", *("" for _ in found)],
            ]
            examples = {  # monthly indicators on the month's row, quarterly ones on the quarter's
                "营业收入": ("1280.5", ""),
                "税收": ("96.3", ""),
                "产值": ("1100", ""),
                "从业人员": ("", "356"),
                "研发投入": ("", "210"),
            }
            for position, (_id, indicator, _unit) in enumerate(found, start=3):
                rows[0][position], rows[1][position] = examples.get(indicator, ("", ""))
            sheets = [("宽表（每个指标一列）", headers, rows)]
            filename = "企业指标导入模板-每个指标一列.xlsx"
        elif layout == "periods":
            months = [f"2025年{month}月" for month in range(1, 13)]
            headers = ["统一社会信用代码", "企业名称", "指标", *months]
            rows = [
                [code, name, "营业收入(万元)", "1280.5", "1302", *("" for _ in months[2:])],
                [code, name, "税收(万元)", "96.3", "88", *("" for _ in months[2:])],
            ]
            sheets = [("宽表（每个期间一列）", headers, rows)]
            filename = "企业指标导入模板-每个期间一列.xlsx"
        else:
            headers = [header for _name, header, _synonyms, _required in COLUMNS]
            rows = [
                [code, name, "营业收入", "2025-03", "1280.5", "万元", "最终"],
                [code, name, "从业人员", "2025Q1", "356", "人", "初步"],
            ]
            sheets = [("指标数据", headers, rows)]
            filename = "企业指标导入模板.xlsx"
        buffer = io.BytesIO()
        write_xlsx(buffer, sheets)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response
