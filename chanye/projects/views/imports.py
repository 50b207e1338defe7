"""Importing the project library, annual plans and monthly filings: pick the kind, upload, follow the
progress, read the result and the rejected rows, download them and the empty templates."""

from urllib.parse import quote

from django import forms
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from chanye.enterprises.exports import errors_xlsx
from chanye.enterprises.models import JobStatus
from chanye.projects import imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容", choices=list(imports.KINDS.items()))
    file = forms.FileField(label="文件（xlsx、xls、ods、csv）")
    dry_run = forms.BooleanField(label="仅校验，不写入", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = imports.import_kinds(user)  # type: ignore[attr-defined]


class ImportGate(AccessMixin, View):
    """Anonymous → sign-in; a role that may import none of the three kinds → 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not imports.import_kinds(request.user):
            raise PermissionDenied("您的角色无权导入项目数据")
        return super().dispatch(request, *args, **kwargs)


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class ProjectImportView(ImportGate):
    def _page(self, request, form, status=200):
        return render(
            request,
            "projects/imports.html",
            {
                "form": form,
                "kinds": imports.import_kinds(request.user),
                "jobs": imports.import_jobs(request.user)[:20],
                "labels": imports.KINDS,
            },
            status=status,
        )

    def get(self, request):
        kind = request.GET.get("kind")
        return self._page(request, ImportForm(user=request.user, initial={"kind": kind}))

    def post(self, request):
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            job = imports.import_job_create(
                by=request.user,
                kind=form.cleaned_data["kind"],
                filename=form.cleaned_data["file"].name,
                content=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self._page(request, form, status=400)
        imports.import_run.enqueue(str(job.pk))
        return redirect("projects:import_detail", pk=job.pk)


class ProjectImportDetailView(ImportGate):
    def get(self, request, pk):
        job = get_object_or_404(imports.import_jobs(request.user), pk=pk)
        context = {
            "job": job,
            "label": imports.KINDS.get(job.kind, job.kind),
            "errors": job.row_errors.all()[:200],
            "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        }
        template = "projects/imports_detail.html#status" if request.htmx else "projects/imports_detail.html"
        return render(request, template, context)


class ProjectImportErrorsView(ImportGate):
    def get(self, request, pk):
        job = get_object_or_404(imports.import_jobs(request.user), pk=pk)
        return _attachment(errors_xlsx(job.row_errors.all().iterator()), f"导入错误-{job.filename}.xlsx")


class ProjectImportTemplateView(ImportGate):
    def get(self, request, kind):
        if kind not in imports.KINDS:
            raise Http404
        if not imports.can_import(request.user, kind):
            raise PermissionDenied(f"您的角色无权导入{imports.KINDS[kind]}")
        return _attachment(imports.template_xlsx(kind), f"{imports.KINDS[kind]}导入模板.xlsx")


__all__ = [
    "ProjectImportDetailView",
    "ProjectImportErrorsView",
    "ProjectImportTemplateView",
    "ProjectImportView",
]
