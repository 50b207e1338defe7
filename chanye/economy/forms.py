"""Forms of the value-added page: they only parse; `chanye.economy.services` checks and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RateForm(forms.Form):
    rate = forms.CharField(
        label=_("增加值率"), max_length=20, help_text=_("增加值 ÷ 营业收入，如 0.25 或 25%")
    )
    margin_rate = forms.CharField(
        label=_("毛利率"),
        max_length=20,
        required=False,
        help_text=_(
            "仅批发业、零售业：（营业收入 − 营业成本）÷ 营业收入；增加值 = 营业收入 × 毛利率 × 增加值率"
        ),
    )
    source = forms.CharField(label=_("来源"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("修改原因"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, margin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not margin:
            del self.fields["margin_rate"]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def values(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("rate", "source")}
        if "margin_rate" in self.fields:
            data["margin_rate"] = self.cleaned_data["margin_rate"]
        return data


class EstimateForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    partial_weight = forms.DecimalField(
        label=_("部分归属行业的计入权重"),
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=3,
        required=False,
        help_text=_("分类目录中标 * 的行业只有一部分属于该类，其增加值按此权重计入（默认 0.5）"),
    )
