from django import forms
from django.utils.translation import gettext_lazy as _

from chanye.organizations.models import Department, IndustryOffice, Leader, Street, TaskForce


class ResponsibilityForm(forms.Form):
    leader = forms.ModelChoiceField(Leader.objects.filter(active=True), label=_("牵头区领导"), required=False)
    lead_department = forms.ModelChoiceField(
        Department.objects.filter(active=True), label=_("牵头部门"), required=False
    )
    supporting_departments = forms.ModelMultipleChoiceField(
        Department.objects.filter(active=True),
        label=_("配合部门"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    office = forms.ModelChoiceField(
        IndustryOffice.objects.filter(active=True), label=_("产业发展办公室"), required=False
    )
    task_force = forms.ModelChoiceField(
        TaskForce.objects.filter(active=True), label=_("工作专班"), required=False
    )
    reason = forms.CharField(
        label=_("调整原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：区领导分工调整")}),
    )

    def __init__(self, *args, industry, **kwargs):
        current = industry.responsibilities.filter(valid_to__isnull=True).first()
        if current is not None and not args:
            kwargs["initial"] = {
                "leader": current.leader,
                "lead_department": current.lead_department,
                "supporting_departments": list(current.supporting_departments.all()),
                "office": current.office,
                "task_force": current.task_force,
            }
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            )


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "kind", "position", "active"]


class LeaderForm(forms.ModelForm):
    class Meta:
        model = Leader
        fields = ["title", "portfolio", "position", "active"]


class IndustryOfficeForm(forms.ModelForm):
    class Meta:
        model = IndustryOffice
        fields = ["name", "host_department", "active"]


class TaskForceForm(forms.ModelForm):
    class Meta:
        model = TaskForce
        fields = ["name", "head", "lead_department", "member_departments", "active"]


class StreetForm(forms.ModelForm):
    class Meta:
        model = Street
        fields = ["name", "position"]
