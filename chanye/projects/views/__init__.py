"""Pages of the key-project module: the library, a project, the monthly filing and its review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from chanye.core.jinja import render_page
from chanye.core.views import PermissionGate
from chanye.projects import selectors, services
from chanye.projects.forms import FilingForm, ReviewForm
from chanye.projects.models import Filing, FilingStatus, Stage
from chanye.projects.reminders import inbox as reminder_inbox


def _project(request, code: str):
    return get_object_or_404(selectors.project_list(user=request.user), code=code)


def _filed_project(request, code: str):
    """The project of a filing page: its own columns only (the page shows its name; the deadline rush reads
    it thousands of times)."""
    project = selectors.filed_project(user=request.user, code=code)
    if project is None:
        raise Http404("没有这个项目，或无权查看")
    return project


def _period(text: str | None, request):
    if not text:
        return selectors.latest_period(user=request.user)
    try:
        return services.parse_period(text)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return selectors.latest_period(user=request.user)


class ProjectListView(PermissionGate, View):
    permission_required = "projects.view"

    def get(self, request):
        period = _period(request.GET.get("month"), request)
        projects = selectors.project_list(user=request.user, year=period.year).order_by("code")
        stage = request.GET.get("stage")
        if stage in Stage.values:
            projects = projects.filter(stage=stage)
        text = request.GET.get("q", "").strip()
        if text:
            projects = projects.filter(name__icontains=text) | projects.filter(code__icontains=text)
        rows = [(p, selectors.completion(p.year_plan, p.year_cumulative)) for p in projects]
        return render(
            request,
            "projects/list.html",
            {"rows": rows, "period": period, "stages": Stage.choices, "stage": stage, "q": text},
        )


class ProjectDetailView(PermissionGate, View):
    permission_required = "projects.view"

    def get(self, request, code, panels=None):
        from chanye.projects.views import editing

        project = _project(request, code)
        filings = project.filings.order_by("-period")
        plans = project.plans.order_by("-year")
        period = selectors.latest_period(user=request.user)
        light = next(
            iter(selectors.project_lights(user=request.user, period=period, projects=[project])), None
        )
        return render(
            request,
            "projects/detail.html",
            {
                "p": project,
                "plans": plans,
                "milestones": project.milestones.order_by("planned_on"),
                "bonds": project.bonds.prefetch_related("spends"),
                "filings": filings,
                "can_file": services.can_file(request.user, project),
                "light": light[1] if light else None,
                "light_period": period,
                "blockers": selectors.project_blockers(user=request.user, project=project),
                **editing.panels(request, project, **(panels or {})),
            },
        )


class FilingEditView(PermissionGate, View):
    """The monthly filing of one project: prefilled, saved as a draft or submitted in one step."""

    permission_required = "projects.view"

    def _context(self, request, project, period, form, filing):
        return {
            "p": project,
            "period": period,
            "form": form,
            "filing": filing,
            "due": services.due_on(period),
            "can_file": services.can_file(request.user, project)
            and (filing is None or filing.status in (FilingStatus.DRAFT, FilingStatus.RETURNED)),
            "revisions": selectors.filing_revisions(filing=filing) if filing else [],
        }

    def get(self, request, code, period):
        project = _filed_project(request, code)
        month = services.parse_period(period)
        filing, values = selectors.filing_or_prefill(project=project, period=month)
        form = FilingForm(initial={**values, "version": filing.version if filing else None})
        return render_page(
            request, "projects/filing.jinja", self._context(request, project, month, form, filing)
        )

    @staticmethod
    def _current(project, month):
        """The month's filing as it is now, for a form shown again with its errors."""
        return Filing.objects.filter(project=project, period=month).first()

    def post(self, request, code, period):
        project = _filed_project(request, code)
        month = services.parse_period(period)
        form = FilingForm(request.POST)
        if not form.is_valid():
            return render_page(
                request,
                "projects/filing.jinja",
                self._context(request, project, month, form, self._current(project, month)),
                status=400,
            )
        values = {name: form.cleaned_data[name] for name in services.FILED_FIELDS}
        try:
            filing = services.filing_save(
                project=project,
                period=month,
                values=values,
                by=request.user,
                # an empty version: the form was opened before the month had a filing
                expected_version=form.cleaned_data.get("version") or 0,
                submit="submit" in request.POST,
            )
        except services.StaleEdit as stale:
            form.add_error(None, str(stale))
            return render_page(
                request,
                "projects/filing.jinja",
                self._context(request, project, month, form, self._current(project, month)),
                status=409,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return render_page(
                request,
                "projects/filing.jinja",
                self._context(request, project, month, form, self._current(project, month)),
                status=400,
            )
        messages.success(
            request,
            "月报已报送，等待责任部门审核" if filing.status == FilingStatus.SUBMITTED else "草稿已保存",
        )
        return redirect("projects:filing", code=project.code, period=f"{month:%Y-%m}")


class FilingBoardView(PermissionGate, View):
    """This month's filings: the filer's own projects, the department's review queue, the late list."""

    permission_required = "projects.view"

    def get(self, request):
        period = _period(request.GET.get("month"), request)
        rows = selectors.filing_board(user=request.user, period=period)
        can_review = request.user.can("projects.review")
        return render_page(
            request,
            "projects/filings.jinja",
            {
                "period": period,
                "rows": rows,
                "late": [row for row in rows if row.late],
                "queue": selectors.review_queue(user=request.user) if can_review else [],
                "can_review": can_review,
                # an enterprise user's latest reminders, each with whether the month has been filed since
                "inbox": reminder_inbox(user=request.user) if request.user.role == "enterprise_user" else [],
            },
        )


class FilingReviewView(PermissionGate, View):
    permission_required = "projects.review"

    def post(self, request, pk):
        filing = get_object_or_404(Filing.objects.visible_to(request.user).select_related("project"), pk=pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, "审核提交不完整，请重试")
            return redirect("projects:filings")
        try:
            if form.cleaned_data["decision"] == "accept":
                services.filing_accept(
                    filing=filing, by=request.user, expected_version=form.cleaned_data["version"]
                )
                messages.success(request, f"{filing.project.name} {filing.period:%Y-%m} 月报已审核通过")
            else:
                services.filing_return(
                    filing=filing,
                    reason=form.cleaned_data["return_reason"],
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
                messages.success(request, f"{filing.project.name} {filing.period:%Y-%m} 月报已退回")
        except services.StaleEdit as stale:
            messages.error(request, str(stale))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        except PermissionDenied as denied:
            messages.error(request, str(denied))
        return redirect(f"/projects/filings/?month={filing.period:%Y-%m}")


COLOUR_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "未亮灯"}


class LightsView(PermissionGate, View):
    """Every project's light as of a month, each with the rule and the numbers that lit it."""

    permission_required = "projects.view"

    def get(self, request):
        period = _period(request.GET.get("month"), request)
        found = selectors.project_lights(user=request.user, period=period)
        colour = request.GET.get("colour")
        counts = {key: sum(1 for _p, light in found if light.colour == key) for key in COLOUR_LABELS}
        rows = [(p, light) for p, light in found if not colour or light.colour == colour]
        return render(
            request,
            "projects/lights.html",
            {"period": period, "rows": rows, "counts": counts, "labels": COLOUR_LABELS, "colour": colour},
        )


class MonthlyTableView(PermissionGate, View):
    """The monthly key-project table (Excel) in the layout the 发改局 circulates, for the user's projects."""

    permission_required = "projects.view"

    def get(self, request):
        from urllib.parse import quote

        from django.http import HttpResponse

        from chanye.projects import exports

        period = _period(request.GET.get("month"), request)
        rows = selectors.monthly_rows(user=request.user, period=period)
        response = HttpResponse(
            exports.monthly_table(rows, period=period),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"{period.year}年1-{period.month}月重点项目投资进度表.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


class ForecastView(PermissionGate, View):
    """The year's FAI: planned vs actual vs the target month by month, the forecast, and the projects that
    explain most of the gap."""

    permission_required = "projects.view"

    def get(self, request):
        period = _period(request.GET.get("month"), request)
        result, target = selectors.fai_forecast(user=request.user, year=period.year, as_of=period.month)
        chart = {
            "months": [f"{m}月" for m, *_ in result.monthly],
            "planned": [float(p / 10000) for _, p, _a, _f in result.monthly],
            "actual": [float(a / 10000) if a is not None else None for _, _p, a, _f in result.monthly],
            "forecast": [float(f / 10000) if m >= period.month else None for m, _p, _a, f in result.monthly],
            "target": float(target / 10000) if target is not None else None,
        }
        return render(
            request,
            "projects/forecast.html",
            {"period": period, "f": result, "target": target, "chart": chart},
        )


class RollupView(PermissionGate, View):
    """Projects rolled up by industry, street, leader, department or stage."""

    permission_required = "projects.view"

    def get(self, request):
        period = _period(request.GET.get("month"), request)
        by = request.GET.get("by", "industry")
        if by not in selectors.ROLLUP_KEYS:
            messages.error(request, f"不能按「{by}」汇总，已按所属产业汇总")
            by = "industry"
        groups = selectors.rollup(user=request.user, period=period, by=by)
        return render(
            request,
            "projects/rollup.html",
            {
                "period": period,
                "by": by,
                "keys": selectors.ROLLUP_KEYS,
                "groups": groups,
                "labels": COLOUR_LABELS,
            },
        )


class StageChangesView(PermissionGate, View):
    """Year-end stage changes: propose them from the record, review them, apply the batch."""

    permission_required = "projects.change"

    def get(self, request):
        from chanye.projects.models import StageChangeBatch

        batch = StageChangeBatch.objects.first()
        changes = batch.changes.select_related("project") if batch else []
        return render(
            request,
            "projects/stages.html",
            {"batch": batch, "changes": changes, "year": timezone.localdate().year - 1},
        )

    def post(self, request):
        from chanye.projects.models import StageChangeBatch

        try:
            if "propose" in request.POST:
                year = int(request.POST.get("year", ""))
                batch = services.stage_changes_propose(year=year, by=request.user)
                messages.success(
                    request, f"已按 {year} 年的记录提出 {batch.changes.count()} 项阶段调整，请审核后执行"
                )
            else:
                batch = get_object_or_404(StageChangeBatch, pk=request.POST.get("batch"))
                accepted = {int(pk) for pk in request.POST.getlist("accepted") if pk.isdigit()}
                moved = services.stage_changes_apply(batch=batch, accepted=accepted, by=request.user)
                messages.success(request, f"已调整 {moved} 个项目的阶段")
        except ValueError:
            messages.error(request, "年度应为四位数字，如 2025")
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("projects:stages")
