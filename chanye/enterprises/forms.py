"""Forms of the register. Checks of meaning live in the services; forms parse what people type."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chanye.enterprises.models import Enterprise, OverrideAction, Tag
from chanye.industries.models import Industry
from chanye.organizations.models import Department, Leader

EDIT_FIELDS = [
    "name",
    "status",
    "registered_on",
    "capital",
    "address",
    "street",
    "gbt_code",
    "business_scope",
    "revenue",
    "employees",
    "assets",
    "credit_rating",
    "dishonest",
    "dishonest_source",
    "dishonest_on",
    "contact_name",
    "contact_phone",
    "contact_email",
]


class EnterpriseForm(forms.ModelForm):
    tags = forms.ModelMultipleChoiceField(
        Tag.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label=_("标签")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Enterprise
        fields = EDIT_FIELDS
        widgets = {
            "registered_on": forms.DateInput(attrs={"type": "date"}),
            "dishonest_on": forms.DateInput(attrs={"type": "date"}),
            "business_scope": forms.Textarea(attrs={"rows": 3}),
        }


class EnterpriseCreateForm(EnterpriseForm):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40)
    uscc_exception = forms.CharField(
        label=_("代码未通过校验时的接受原因（仅授权人员）"), required=False, max_length=300
    )

    class Meta(EnterpriseForm.Meta):
        fields = ["uscc", *EDIT_FIELDS]


class OverrideForm(forms.Form):
    industry = forms.ModelChoiceField(
        Industry.objects.filter(active=True), to_field_name="code", label=_("产业")
    )
    action = forms.ChoiceField(
        choices=[*OverrideAction.choices, ("clear", _("撤销人工认定"))], label=_("操作")
    )
    reason = forms.CharField(max_length=300, required=False, label=_("原因"))

    def __init__(self, *args, **kwargs):
        from chanye.enterprises.services import current_system

        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.filter(active=True, system=current_system())


class LiaisonForm(forms.Form):
    leader = forms.ModelChoiceField(Leader.objects.filter(active=True), label=_("挂点领导"))
    department = forms.ModelChoiceField(Department.objects.filter(active=True), label=_("服务部门"))
    cadence_days = forms.IntegerField(min_value=1, max_value=366, initial=90, label=_("走访周期(天)"))
    since = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("起始日期"))
    note = forms.CharField(max_length=300, required=False, label=_("备注"))


class VisitForm(forms.Form):
    visited_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("走访日期"))
    department = forms.ModelChoiceField(Department.objects.filter(active=True), label=_("部门"))
    leader = forms.ModelChoiceField(Leader.objects.filter(active=True), required=False, label=_("带队领导"))
    visitors = forms.CharField(max_length=200, label=_("走访人员"))
    topics = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("交流事项"))
    requests = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("企业诉求"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV 或 Excel 文件"))
    dry_run = forms.BooleanField(required=False, label=_("仅校验，不写入"))
    mapping = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "纳税人名称=企业名称"}),
        label=_("额外的列映射（每行：文件中的列名=字段列名）"),
    )


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["code", "name", "description"]
