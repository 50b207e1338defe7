"""Forms of the key-project pages: they only parse; the services check and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chanye.projects.models import MilestoneKind


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
