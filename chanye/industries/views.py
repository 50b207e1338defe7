"""Pages of the industrial system: the system, its versions, industries, responsibility, code search."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from chanye.core.views import PermissionGate
from chanye.industries.definition import DefinitionError, diff_definitions
from chanye.industries.filters import ClassificationCodeFilter, IndustryFilter
from chanye.industries.forms import DefinitionUploadForm
from chanye.industries.models import ClassificationCode, ClassificationEdition, Industry, SystemVersion
from chanye.industries.selectors import (
    industry_list,
    system_chart,
    system_default,
    system_get,
    system_industries,
)
from chanye.industries.services import system_export, system_load
from chanye.organizations.forms import ResponsibilityForm
from chanye.organizations.selectors import responsibility_history
from chanye.organizations.services import responsibility_change


class SystemHomeView(PermissionGate, View):
    permission_required = "system.view"

    def get(self, request):
        system = system_default(user=request.user)
        if system is None:
            return render(request, "industries/system_empty.html", {"form": DefinitionUploadForm()})
        return redirect("industries:system_detail", code=system.code)


class SystemDetailView(PermissionGate, View):
    permission_required = "system.view"

    def get(self, request, code):
        system = system_get(user=request.user, code=code)
        industries = system_industries(system=system)
        visible = set(
            Industry.objects.visible_to(request.user).filter(system=system).values_list("id", flat=True)
        )
        definition = system.current_version.definition if system.current_version else {}
        return render(
            request,
            "industries/system_detail.html",
            {
                "system": system,
                "definition": definition,
                "industries": industries,
                "visible_ids": visible,
                "chart": system_chart(system=system, industries=industries, visible_ids=visible),
                "versions": system.versions.select_related("loaded_by").all(),
                "children": system.children.all(),
                "targets": definition.get("targets", []),
                "indicators": {i["code"]: i for i in definition.get("indicators", [])},
                "industry_names": {i.code: i.name for i in industries},
                "form": DefinitionUploadForm(),
            },
        )


class SystemLoadView(PermissionGate, View):
    permission_required = "system.manage"

    def post(self, request):
        form = DefinitionUploadForm(request.POST, request.FILES)
        problems, filename = [], ""
        if form.is_valid():
            filename, text = form.cleaned_data["file"]
            try:
                result = system_load(text=text, filename=filename, by=request.user)
            except DefinitionError as error:
                problems = error.problems
            else:
                if result.created:
                    messages.success(
                        request,
                        f"已载入 {result.system.name} 版本 {result.version.version}，"
                        f"变更 {len(result.changes)} 项。",
                    )
                else:
                    messages.info(
                        request,
                        f"{result.system.name} 版本 {result.version.version} 已存在且内容相同，未作改动。",
                    )
                return redirect("industries:system_detail", code=result.system.code)
        return render(
            request,
            "industries/system_load_errors.html",
            {"form": form, "problems": problems, "filename": filename},
            status=400,
        )


class SystemVersionView(PermissionGate, View):
    permission_required = "system.view"

    def get(self, request, code, version):
        system = system_get(user=request.user, code=code)
        chosen = get_object_or_404(SystemVersion, system=system, version=version)
        return render(request, "industries/system_version.html", {"system": system, "version": chosen})


class SystemDiffView(PermissionGate, View):
    permission_required = "system.view"

    def get(self, request, code):
        system = system_get(user=request.user, code=code)
        versions = list(system.versions.all())  # newest first
        if not versions:
            raise Http404
        by_label = {v.version: v for v in versions}
        old = by_label.get(request.GET.get("a", ""), versions[min(1, len(versions) - 1)])
        new = by_label.get(request.GET.get("b", ""), versions[0])
        changes = diff_definitions(old.definition, new.definition)
        return render(
            request,
            "industries/system_diff.html",
            {"system": system, "versions": versions, "old": old, "new": new, "changes": changes},
        )


class SystemExportView(PermissionGate, View):
    permission_required = "system.view"

    def get(self, request, code):
        system = system_get(user=request.user, code=code)
        version = None
        if request.GET.get("version"):
            version = get_object_or_404(SystemVersion, system=system, version=request.GET["version"])
        text = system_export(system=system, version=version)
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{system.code}.yaml"'
        return response


class IndustryListView(PermissionGate, View):
    permission_required = "system.view"

    def get(self, request):
        filterset = IndustryFilter(request.GET, queryset=industry_list(user=request.user))
        page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
        template = "industries/industry_list.html#rows" if request.htmx else "industries/industry_list.html"
        return render(request, template, {"filter": filterset, "page": page})


class IndustryDetailView(PermissionGate, View):
    permission_required = "system.view"

    def get(self, request, pk):
        industry = get_object_or_404(industry_list(user=request.user), pk=pk)
        definition = industry.system.current_version.definition if industry.system.current_version else {}
        targets = [t for t in definition.get("targets", []) if t["scope"] == industry.code]
        return render(
            request,
            "industries/industry_detail.html",
            {
                "industry": industry,
                "current": industry.current_responsibility[0] if industry.current_responsibility else None,
                "history": responsibility_history(user=request.user, industry=industry),
                "targets": targets,
                "indicators": {i["code"]: i for i in definition.get("indicators", [])},
            },
        )


class ResponsibilityEditView(PermissionGate, View):
    permission_required = "responsibility.change"

    def _industry(self, request, pk):
        return get_object_or_404(industry_list(user=request.user), pk=pk)

    def get(self, request, pk):
        industry = self._industry(request, pk)
        form = ResponsibilityForm(industry=industry)
        return render(request, "industries/responsibility_edit.html", {"industry": industry, "form": form})

    def post(self, request, pk):
        industry = self._industry(request, pk)
        form = ResponsibilityForm(request.POST, industry=industry)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = responsibility_change(
                    industry=industry,
                    by=request.user,
                    leader=data["leader"],
                    lead_department=data["lead_department"],
                    supporting_departments=list(data["supporting_departments"]),
                    office=data["office"],
                    task_force=data["task_force"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "责任分工已更新。" if record else "与现行分工相同，未作改动。")
                return redirect("industries:industry_detail", pk=industry.pk)
        return render(
            request, "industries/responsibility_edit.html", {"industry": industry, "form": form}, status=400
        )


class CodeSearchView(PermissionGate, View):
    permission_required = "codes.view"

    def get(self, request):
        params = request.GET.copy()
        params.setdefault("edition", "gbt4754-2017")
        queryset = ClassificationCode.objects.select_related("edition")
        filterset = ClassificationCodeFilter(params, queryset=queryset)
        page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
        template = "industries/code_search.html#results" if request.htmx else "industries/code_search.html"
        return render(
            request,
            template,
            {
                "filter": filterset,
                "page": page,
                "editions": ClassificationEdition.objects.all(),
                "edition": params["edition"],
                "q": params.get("q", ""),
            },
        )
