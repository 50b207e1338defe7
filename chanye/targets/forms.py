"""The target form: it only parses; `chanye.targets.services` checks and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chanye.indicators.models import Indicator
from chanye.targets.models import Comparator, Kind, YearlyRule

DISTRICT = "district"


class TargetForm(forms.Form):
    scope = forms.ChoiceField(label=_("范围"))
    indicator = forms.ModelChoiceField(Indicator.objects.all(), label=_("指标"), to_field_name="code")
    year = forms.IntegerField(label=_("目标年份"), min_value=2000, max_value=2100)
    comparator = forms.ChoiceField(label=_("比较"), choices=Comparator.choices)
    value = forms.DecimalField(label=_("目标值"), max_digits=20, decimal_places=4)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False, help_text=_("留空取指标的单位"))
    tolerance = forms.DecimalField(
        label=_("“左右”的容差"),
        max_digits=12,
        decimal_places=4,
        initial=0.5,
        help_text=_("比较为“左右”时，低于目标值不超过此数即算达到"),
    )
    kind = forms.ChoiceField(
        label=_("预测方式"), choices=[("", _("按指标自动判断")), *Kind.choices], required=False
    )
    yearly_rule = forms.ChoiceField(
        label=_("年度数取法"), choices=[("", _("按指标自动判断")), *YearlyRule.choices], required=False
    )
    band_on_track = forms.DecimalField(
        label=_("“正常”的达成概率下限"), max_digits=4, decimal_places=3, initial=0.5, min_value=0, max_value=1
    )
    band_warning = forms.DecimalField(
        label=_("“预警”的达成概率下限"), max_digits=4, decimal_places=3, initial=0.2, min_value=0, max_value=1
    )
    baseline_year = forms.IntegerField(label=_("基期年份"), required=False, min_value=2000, max_value=2100)
    baseline_value = forms.DecimalField(label=_("基期值"), max_digits=20, decimal_places=4, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    active = forms.BooleanField(label=_("有效"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.industries = {industry.code: industry for industry in industries}
        self.fields["scope"].choices = [(DISTRICT, _("全区")), *((i.code, i.name) for i in industries)]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        scope = data.pop("scope")
        data["industry"] = None if scope == DISTRICT else self.industries[scope]
        data["unit"] = data["unit"] or data["indicator"].unit
        return data

    @staticmethod
    def initial_for(target) -> dict:
        return {
            "scope": target.scope_code,
            "indicator": target.indicator.code,
            **{
                name: getattr(target, name)
                for name in (
                    "year",
                    "comparator",
                    "value",
                    "unit",
                    "tolerance",
                    "kind",
                    "yearly_rule",
                    "band_on_track",
                    "band_warning",
                    "baseline_year",
                    "baseline_value",
                    "note",
                    "active",
                    "version",
                )
            },
        }
