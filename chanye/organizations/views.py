"""Pages for people and responsibility: the matrix, one page per leader and per department."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from chanye.core.views import PermissionGate
from chanye.organizations.forms import (
    DepartmentForm,
    IndustryOfficeForm,
    LeaderForm,
    StreetForm,
    TaskForceForm,
)
from chanye.organizations.models import Department, IndustryOffice, Leader, Street, TaskForce
from chanye.organizations.selectors import department_portfolio, leader_portfolio, responsibility_current
from chanye.organizations.services import organization_save


class ResponsibilityMatrixView(PermissionGate, View):
    permission_required = "organizations.view"

    def get(self, request):
        rows = responsibility_current(user=request.user)
        return render(request, "organizations/matrix.html", {"rows": rows})


class LeaderListView(PermissionGate, View):
    permission_required = "organizations.view"

    def get(self, request):
        leaders = Leader.objects.visible_to(request.user).filter(active=True)
        return render(request, "organizations/leader_list.html", {"leaders": leaders})


class LeaderDetailView(PermissionGate, View):
    permission_required = "organizations.view"

    def get(self, request, code):
        leader = get_object_or_404(Leader.objects.visible_to(request.user), code=code)
        return render(
            request,
            "organizations/leader_detail.html",
            {"leader": leader, **leader_portfolio(user=request.user, leader=leader)},
        )


class DepartmentListView(PermissionGate, View):
    permission_required = "organizations.view"

    def get(self, request):
        departments = Department.objects.visible_to(request.user).filter(active=True)
        offices = IndustryOffice.objects.visible_to(request.user).select_related("host_department")
        forces = (
            TaskForce.objects.visible_to(request.user)
            .select_related("head", "lead_department")
            .prefetch_related("member_departments")
        )
        return render(
            request,
            "organizations/department_list.html",
            {"departments": departments, "offices": offices, "task_forces": forces},
        )


class DepartmentDetailView(PermissionGate, View):
    permission_required = "organizations.view"

    def get(self, request, code):
        department = get_object_or_404(Department.objects.visible_to(request.user), code=code)
        return render(
            request,
            "organizations/department_detail.html",
            {"department": department, **department_portfolio(user=request.user, department=department)},
        )


class StreetListView(PermissionGate, View):
    permission_required = "organizations.view"

    def get(self, request):
        return render(
            request, "organizations/street_list.html", {"streets": Street.objects.visible_to(request.user)}
        )


class _EditView(PermissionGate, View):
    """Edit one reference record (DRC administrator); many-to-many fields are set after the save."""

    permission_required = "organizations.change"
    model: type = Department
    form_class: type = DepartmentForm

    def _get(self, request, code):
        return get_object_or_404(self.model.objects.visible_to(request.user), code=code)

    def done(self, obj):
        return redirect("organizations:department_detail", code=obj.code)

    def get(self, request, code):
        obj = self._get(request, code)
        return render(
            request, "organizations/edit.html", {"object": obj, "form": self.form_class(instance=obj)}
        )

    def post(self, request, code):
        obj = self._get(request, code)
        form = self.form_class(request.POST, instance=self.model.objects.get(pk=obj.pk))
        if form.is_valid():
            many_names = {field.name for field in self.model._meta.many_to_many}
            values = {k: v for k, v in form.cleaned_data.items() if k not in many_names}
            many = {k: v for k, v in form.cleaned_data.items() if k in many_names}
            try:
                organization_save(
                    obj=self.model.objects.get(pk=obj.pk), by=request.user, values=values, many=many
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已保存。"))
                return self.done(obj)
        return render(request, "organizations/edit.html", {"object": obj, "form": form}, status=400)


class DepartmentEditView(_EditView):
    model, form_class = Department, DepartmentForm


class LeaderEditView(_EditView):
    model, form_class = Leader, LeaderForm

    def done(self, obj):
        return redirect("organizations:leader_detail", code=obj.code)


class IndustryOfficeEditView(_EditView):
    model, form_class = IndustryOffice, IndustryOfficeForm

    def done(self, obj):
        return redirect("organizations:department_list")


class TaskForceEditView(_EditView):
    model, form_class = TaskForce, TaskForceForm

    def done(self, obj):
        return redirect("organizations:department_list")


class StreetEditView(_EditView):
    model, form_class = Street, StreetForm

    def done(self, obj):
        return redirect("organizations:street_list")
