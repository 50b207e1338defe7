"""Pages of the enterprise register: list and search, the 360 page, edits, classification, liaison,
imports with progress, exports and templates."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from chanye.audit.services import audit_record
from chanye.core.views import PermissionGate
from chanye.enterprises import exports, selectors, services
from chanye.enterprises.filters import EnterpriseFilter
from chanye.enterprises.forms import (
    EnterpriseCreateForm,
    EnterpriseForm,
    ImportForm,
    LiaisonForm,
    OverrideForm,
    TagForm,
    VisitForm,
)
from chanye.enterprises.models import ColumnMapping, Enterprise, ImportJob, JobStatus, Tag
from chanye.enterprises.rows import COLUMNS
from chanye.enterprises.tasks import import_run

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class _Pager:
    """A page of the list without counting the whole register: fetch one row more than shown."""

    def __init__(self, queryset, number: str | None):
        try:
            self.number = max(1, int(number or 1))
        except ValueError:
            self.number = 1
        start = (self.number - 1) * PAGE_SIZE
        rows = list(queryset[start : start + PAGE_SIZE + 1])
        self.has_next = len(rows) > PAGE_SIZE
        self.object_list = rows[:PAGE_SIZE]
        self.has_previous = self.number > 1

    def __iter__(self):
        return iter(self.object_list)

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class EnterpriseListView(PermissionGate, View):
    permission_required = "enterprises.view"

    def get(self, request):
        if request.user.enterprise_id and not request.user.can("enterprises.export"):
            return redirect("enterprises:detail", uscc=request.user.enterprise.uscc)
        filterset = EnterpriseFilter(request.GET, queryset=selectors.enterprise_list(user=request.user))
        rows = filterset.qs.select_related("street").order_by("-id")
        page = _Pager(rows, request.GET.get("page"))
        synthetic = Enterprise.objects.filter(synthetic=True).exists()
        return render(
            request,
            "enterprises/list.html",
            {"filter": filterset, "page": page, "synthetic": synthetic, "query": request.GET.urlencode()},
        )


class EnterpriseStatsView(PermissionGate, View):
    permission_required = "enterprises.view"

    def get(self, request):
        visible = selectors.enterprise_list(user=request.user)
        return render(
            request,
            "enterprises/stats.html",
            {
                "by_industry": selectors.counts_by_industry(user=request.user, queryset=visible),
                "by_street": selectors.counts_by_street(queryset=visible),
                "by_tag": selectors.counts_by_tag(queryset=visible),
                "total": visible.count(),
            },
        )


def _visible(request, uscc: str) -> Enterprise:
    return get_object_or_404(selectors.enterprise_list(user=request.user).select_related("street"), uscc=uscc)


class EnterpriseDetailView(PermissionGate, View):
    permission_required = "enterprises.view"

    def get(self, request, uscc):
        enterprise = _visible(request, uscc)
        context = {"e": enterprise, **selectors.enterprise_profile(user=request.user, enterprise=enterprise)}
        context["override_form"] = OverrideForm()
        context["liaison_form"] = LiaisonForm(
            initial={"since": timezone.localdate()}
            if context["liaison"] is None
            else {
                "leader": context["liaison"].leader_id,
                "department": context["liaison"].department_id,
                "cadence_days": context["liaison"].cadence_days,
                "since": context["liaison"].since,
                "note": context["liaison"].note,
            }
        )
        context["visit_form"] = VisitForm(
            initial={"visited_on": timezone.localdate(), "department": request.user.department_id}
        )
        return render(request, "enterprises/detail.html", context)


class EnterpriseCreateView(PermissionGate, View):
    permission_required = "enterprises.change"

    def get(self, request):
        return render(request, "enterprises/edit.html", {"form": EnterpriseCreateForm(), "creating": True})

    def post(self, request):
        form = EnterpriseCreateForm(request.POST)
        form.is_valid()
        # The code is checked by the service (with its own messages), not by the model's unique check.
        form.errors.pop("uscc", None)
        if form.errors:
            return render(request, "enterprises/edit.html", {"form": form, "creating": True}, status=400)
        values = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
        values["uscc"] = request.POST.get("uscc", "")
        try:
            enterprise = services.enterprise_save(
                by=request.user,
                values=values,
                tags=list(form.cleaned_data.get("tags") or []),
                uscc_exception=form.cleaned_data.get("uscc_exception", ""),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return render(request, "enterprises/edit.html", {"form": form, "creating": True}, status=400)
        messages.success(request, f"已登记 {enterprise.name}")
        return redirect("enterprises:detail", uscc=enterprise.uscc)


class EnterpriseEditView(PermissionGate, View):
    permission_required = "enterprises.change"

    def get(self, request, uscc):
        enterprise = _visible(request, uscc)
        form = EnterpriseForm(
            instance=enterprise, initial={"version": enterprise.version, "tags": enterprise.tags.all()}
        )
        return render(request, "enterprises/edit.html", {"form": form, "e": enterprise})

    def post(self, request, uscc):
        enterprise = _visible(request, uscc)
        form = EnterpriseForm(request.POST, instance=Enterprise.objects.get(pk=enterprise.pk))
        if not form.is_valid():
            return render(request, "enterprises/edit.html", {"form": form, "e": enterprise}, status=400)
        try:
            services.enterprise_save(
                by=request.user,
                enterprise=enterprise,
                values={name: form.cleaned_data[name] for name in form.Meta.fields},
                tags=list(form.cleaned_data["tags"]),
                expected_version=form.cleaned_data.get("version"),
            )
        except services.StaleEdit as stale:
            form.add_error(None, str(stale))
            return render(request, "enterprises/edit.html", {"form": form, "e": enterprise}, status=409)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
            return render(request, "enterprises/edit.html", {"form": form, "e": enterprise}, status=400)
        messages.success(request, "已保存")
        return redirect("enterprises:detail", uscc=enterprise.uscc)


class OverrideView(PermissionGate, View):
    permission_required = "enterprises.classify"

    def post(self, request, uscc):
        enterprise = _visible(request, uscc)
        form = OverrideForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("enterprises:detail", uscc=uscc)
        industry, action = form.cleaned_data["industry"], form.cleaned_data["action"]
        try:
            if action == "clear":
                services.membership_override_clear(by=request.user, enterprise=enterprise, industry=industry)
            else:
                services.membership_override(
                    by=request.user,
                    enterprise=enterprise,
                    industry=industry,
                    action=action,
                    reason=form.cleaned_data["reason"],
                )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"已更新 {industry.name} 的人工认定")
        return redirect("enterprises:detail", uscc=uscc)


class LiaisonSetView(PermissionGate, View):
    permission_required = "liaison.manage"

    def post(self, request, uscc):
        enterprise = _visible(request, uscc)
        form = LiaisonForm(request.POST)
        if form.is_valid():
            try:
                services.liaison_set(by=request.user, enterprise=enterprise, **form.cleaned_data)
                messages.success(request, "已设置挂点联系")
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
        else:
            messages.error(
                request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items())
            )
        return redirect("enterprises:detail", uscc=uscc)


class VisitLogView(PermissionGate, View):
    permission_required = "visits.log"

    def post(self, request, uscc):
        enterprise = _visible(request, uscc)
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                services.visit_log(by=request.user, enterprise=enterprise, **form.cleaned_data)
                messages.success(request, "已记录走访")
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
        else:
            messages.error(
                request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items())
            )
        return redirect(reverse("enterprises:detail", kwargs={"uscc": uscc}) + "#visits")


class LiaisonBoardView(PermissionGate, View):
    permission_required = "enterprises.view"

    def get(self, request):
        board = selectors.liaison_board(user=request.user)
        return render(
            request,
            "enterprises/liaison.html",
            {"board": board, "overdue": sum(1 for status in board if status.overdue)},
        )


class ClassificationView(PermissionGate, View):
    permission_required = "enterprises.classify"

    def get(self, request):
        plan = services.classification_plan()
        return render(request, "enterprises/classification.html", {"plan": plan, "rows": plan.summary()})

    def post(self, request):
        plan = services.classification_apply(by=request.user)
        messages.success(request, f"已按现行产业体系重新归类：变动 {plan.moves} 条")
        return redirect("enterprises:classification")


class ExportView(PermissionGate, View):
    permission_required = "enterprises.export"

    def get(self, request, fmt):
        filterset = EnterpriseFilter(request.GET, queryset=selectors.enterprise_list(user=request.user))
        if not filterset.is_valid():
            problems = "；".join(
                (f"{filterset.form.fields[name].label}：" if name in filterset.form.fields else "")
                + errors[0]
                for name, errors in filterset.form.errors.items()
            )
            messages.error(request, f"筛选条件有误，未导出：{problems}")
            return redirect(f"{reverse('enterprises:list')}?{request.GET.urlencode()}")
        audit_record(
            actor=request.user,
            action="enterprise.export",
            message=json.dumps({"format": fmt, **request.GET.dict()}, ensure_ascii=False),
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.export_csv(filterset.qs, user=request.user), content_type="text/csv; charset=utf-8"
            )
            return _attachment(response, f"企业名单-{stamp}.csv")
        response = FileResponse(exports.export_xlsx(filterset.qs, user=request.user), content_type=XLSX)
        return _attachment(response, f"企业名单-{stamp}.xlsx")


class TemplateView(PermissionGate, View):
    permission_required = "enterprises.view"

    def get(self, request, fmt):
        if fmt == "csv":
            response = StreamingHttpResponse(exports.template_csv(), content_type="text/csv; charset=utf-8")
            return _attachment(response, "企业导入模板.csv")
        return _attachment(HttpResponse(exports.template_xlsx(), content_type=XLSX), "企业导入模板.xlsx")


def _mapping(text: str) -> dict[str, str]:
    """'文件列名=字段列名' lines to {header: field}; unknown field names are refused."""
    labels = {column.label: column.field for column in COLUMNS}
    mapping = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        header, _, label = line.replace("＝", "=").partition("=")
        if label.strip() not in labels:
            raise ValidationError(f"列映射第 {number} 行：“{label.strip()}”不是可导入的字段")
        mapping[header.strip()] = labels[label.strip()]
    return mapping


class ImportView(PermissionGate, View):
    permission_required = "enterprises.import"

    def _page(self, request, form, status=200):
        jobs = (
            ImportJob.objects.visible_to(request.user)
            .filter(kind="enterprises")
            .select_related("created_by")[:20]
        )
        return render(
            request,
            "enterprises/import.html",
            {"form": form, "jobs": jobs, "mappings": ColumnMapping.objects.all(), "columns": COLUMNS},
            status=status,
        )

    def get(self, request):
        return self._page(request, ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            mapping = _mapping(form.cleaned_data["mapping"] or "")
            saved = request.POST.get("saved_mapping")
            if saved:
                stored = ColumnMapping.objects.filter(pk=saved).first()
                mapping = {**(stored.mapping if stored else {}), **mapping}
            save_as = (request.POST.get("save_mapping_as") or "").strip()
            if save_as and mapping:
                ColumnMapping.objects.update_or_create(
                    name=save_as[:60], defaults={"mapping": mapping, "created_by": request.user}
                )
            job = services.import_job_create(
                by=request.user,
                filename=form.cleaned_data["file"].name,
                content=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                mapping=mapping,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self._page(request, form, status=400)
        import_run.enqueue(str(job.pk))
        return redirect("enterprises:import_detail", pk=job.pk)


class ImportDetailView(PermissionGate, View):
    permission_required = "enterprises.import"

    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user).filter(kind="enterprises"), pk=pk)
        errors = job.row_errors.all()[:200]
        template = "enterprises/_import_status.html" if request.htmx else "enterprises/import_detail.html"
        return render(
            request,
            template,
            {"job": job, "errors": errors, "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING)},
        )


class ImportErrorsView(PermissionGate, View):
    permission_required = "enterprises.import"

    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user).filter(kind="enterprises"), pk=pk)
        content = exports.errors_xlsx(job.row_errors.all().iterator())
        return _attachment(HttpResponse(content, content_type=XLSX), f"导入错误-{job.filename}.xlsx")


class TagListView(PermissionGate, View):
    permission_required = "enterprises.view"

    def get(self, request):
        return render(request, "enterprises/tags.html", {"tags": Tag.objects.all(), "form": TagForm()})

    def post(self, request):
        if not request.user.can("enterprises.tags"):
            raise PermissionDenied("您的角色无权维护企业标签")
        form = TagForm(request.POST)
        if form.is_valid():
            services.tag_create(by=request.user, **form.cleaned_data)
            messages.success(request, f"已新增标签 {form.cleaned_data['name']}")
            return redirect("enterprises:tags")
        return render(request, "enterprises/tags.html", {"tags": Tag.objects.all(), "form": form}, status=400)
