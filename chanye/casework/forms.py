"""Forms of the case pages: they parse what people type; the services check meaning and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chanye.casework.models import Category
from chanye.organizations.models import Department, Leader

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseOpenForm(forms.Form):
    # Not required here: the service's message lists the categories (requests, later, have none).
    category = forms.ChoiceField(label=_("问题类别"), choices=[("", "—"), *Category.choices], required=False)
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}))
    enterprise = forms.CharField(label=_("涉及企业（统一社会信用代码）"), max_length=40, required=False)
    subject_type = forms.CharField(label=_("对象类型"), max_length=30, required=False)
    subject_id = forms.CharField(label=_("对象编号"), max_length=60, required=False)
    subject_label = forms.CharField(label=_("涉及对象"), max_length=200, required=False)
    department = forms.ModelChoiceField(
        Department.objects.filter(active=True),
        to_field_name="code",
        required=False,
        empty_label="—",
        label=_("责任部门（不填：按企业挂点联系，或由发改局派单）"),
    )
    leader = forms.ModelChoiceField(
        Leader.objects.filter(active=True),
        to_field_name="code",
        required=False,
        empty_label="—",
        label=_("督办区领导（不填：按挂点联系或产业分工）"),
    )
    sla_days = forms.IntegerField(
        label=_("办结时限(天)（不填：按问题类别）"), min_value=1, max_value=3650, required=False
    )
    deadline = forms.DateField(label=_("办结期限（不填：立案日加办结时限）"), required=False, widget=DATE)

    GOVERNMENT_ONLY = ("department", "leader", "sla_days", "deadline", "subject_type", "subject_id")

    def __init__(self, *args, enterprise_user: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprise_user:
            # An enterprise says what is wrong; who answers for it and by when is the government's call.
            for name in (*self.GOVERNMENT_ONLY, "enterprise"):
                self.fields.pop(name)


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        Department.objects.filter(active=True),
        to_field_name="code",
        required=False,
        empty_label=_("待派单"),
        label=_("责任部门"),
    )
    leader = forms.ModelChoiceField(
        Leader.objects.filter(active=True),
        to_field_name="code",
        required=False,
        empty_label="—",
        label=_("督办区领导"),
    )
    assignee = forms.ModelChoiceField(None, required=False, empty_label=_("（不指定）"), label=_("经办人"))
    note = forms.CharField(label=_("派单说明"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, assignees=None, redirect: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        from chanye.accounts.models import User

        self.fields["assignee"].queryset = assignees if assignees is not None else User.objects.none()
        if not redirect:
            # Only the 发改局 re-routes a case to another department or leader.
            self.fields.pop("department")
            self.fields.pop("leader")


class CommentForm(forms.Form):
    text = forms.CharField(label=_("意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(
        label=_("新的办结期限"),
        widget=DATE,
        error_messages={"required": _("请填写新的办结期限"), "invalid": _("日期格式应为 YYYY-MM-DD")},
    )
    reason = forms.CharField(label=_("调整原因"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("办理结果"),
        required=False,  # required by the service, whose message says what a resolution must contain
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开的原因"), max_length=500, required=False)
    deadline = forms.DateField(label=_("新的办结期限（不填：今天加办结时限）"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SlaForm(forms.Form):
    """One field per category: its default SLA in days."""

    def __init__(self, *args, current: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Category.choices:
            self.fields[value] = forms.IntegerField(
                label=label, min_value=1, max_value=3650, initial=current.get(value)
            )
