"""Forms of the key-project pages: they only parse; the services check and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chanye.projects.models import MilestoneKind, Project


class FilingForm(forms.Form):
    investment = forms.DecimalField(
        label=_("本月完成投资(万元)"), max_digits=18, decimal_places=4, min_value=0
    )
    cumulative = forms.DecimalField(
        label=_("本年累计完成投资(万元)"), max_digits=18, decimal_places=4, min_value=0
    )
    milestones = forms.MultipleChoiceField(
        label=_("本月完成节点"),
        choices=MilestoneKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    narrative = forms.CharField(label=_("形象进度"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    blockers = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("审核通过")), ("return", _("退回"))])
    return_reason = forms.CharField(label=_("退回原因"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


# The library: a project's profile, a year's plan, milestones, special bonds and their spend.


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        css = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else "form-control form-control-sm"
        )
        widget.attrs.setdefault("class", css)


class ProjectForm(forms.ModelForm):
    """New and edit: the profile of a project. The code only on creation; the stage only on creation (it
    moves at year end, in the reviewed batch)."""

    owner = forms.ModelChoiceField(
        queryset=None,
        to_field_name="uscc",
        required=False,
        label=_("业主单位（统一社会信用代码）"),
        widget=forms.TextInput(attrs={"placeholder": "91440106…"}),
        error_messages={"invalid_choice": _("未找到该统一社会信用代码的企业，请先在企业库登记")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "owner",
            "industry",
            "street",
            "category",
            "stage",
            "total_investment",
            "planned_start",
            "planned_end",
            "leader",
            "department",
            "funding",
            "location",
            "content",
        ]
        widgets = {
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, creating: bool = False, **kwargs):
        from chanye.enterprises.models import Enterprise
        from chanye.enterprises.services import current_system
        from chanye.industries.models import Industry
        from chanye.organizations.models import Department, Leader

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Enterprise.objects.all()
        system = current_system()
        self.fields["industry"].queryset = (
            system.industries.filter(active=True).order_by("position", "code")
            if system
            else Industry.objects.none()
        )
        self.fields["leader"].queryset = Leader.objects.filter(active=True)
        self.fields["department"].queryset = Department.objects.filter(active=True)
        if not creating:
            del self.fields["code"]
            del self.fields["stage"]
            if self.instance.owner_id and not self.is_bound:
                self.initial["owner"] = self.instance.owner.uscc
        for name in ("industry", "street", "leader", "department"):
            self.fields[name].empty_label = "—"
        if not self.is_bound and self.instance.pk and self.instance.total_investment is not None:
            self.initial["total_investment"] = format(self.instance.total_investment.normalize(), "f")
        _styled(self)

    def validate_unique(self):
        """The service checks the code (with its own message) inside its transaction."""


class PlanForm(forms.Form):
    """A year's plan: the planned investment and, optionally, the 12 months as 万元 or percent."""

    UNITS = [("amount", _("按金额(万元)")), ("share", _("按占比(%)"))]

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    planned_investment = forms.DecimalField(
        label=_("年度计划投资(万元)"), max_digits=18, decimal_places=4, min_value=0
    )
    completed_before = forms.DecimalField(
        label=_("以前年度累计完成(万元)"), max_digits=18, decimal_places=4, min_value=0, required=False
    )
    unit = forms.ChoiceField(label=_("月度计划"), choices=UNITS, initial="amount")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for month in range(1, 13):
            self.fields[f"m{month}"] = forms.CharField(
                label=f"{month}月",
                required=False,
                max_length=30,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        _styled(self)

    def month_fields(self):
        return [self[f"m{month}"] for month in range(1, 13)]

    def monthly(self) -> list[str]:
        return [self.cleaned_data.get(f"m{month}") or "" for month in range(1, 13)]


class MilestonesForm(forms.Form):
    """Planned and actual dates of every milestone kind, in one form."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, planned_editable: bool = True, actual_editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in MilestoneKind.choices:
            for part, editable in (("planned", planned_editable), ("actual", actual_editable)):
                self.fields[f"{part}_{kind}"] = forms.DateField(
                    label=f"{label}{'计划' if part == 'planned' else '实际'}",
                    required=False,
                    disabled=not editable,
                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                )
        _styled(self)

    def rows(self):
        return [
            (kind, label, self[f"planned_{kind}"], self[f"actual_{kind}"])
            for kind, label in MilestoneKind.choices
        ]

    def dates(self) -> dict:
        return {
            kind: (self.cleaned_data.get(f"planned_{kind}"), self.cleaned_data.get(f"actual_{kind}"))
            for kind in MilestoneKind.values
        }


class BondForm(forms.Form):
    batch = forms.CharField(label=_("批次"), max_length=60)
    amount = forms.DecimalField(label=_("金额(万元)"), max_digits=18, decimal_places=4, min_value=0)
    issued_on = forms.DateField(
        label=_("发行日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    window_months = forms.IntegerField(label=_("使用期限(月)"), min_value=1, max_value=120, initial=6)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class BondSpendForm(forms.Form):
    period = forms.CharField(label=_("月份"), max_length=10, widget=forms.TextInput(attrs={"type": "month"}))
    amount = forms.DecimalField(label=_("当月支出(万元)"), max_digits=18, decimal_places=4, min_value=0)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)
