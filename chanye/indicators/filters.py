"""The catalogue and observation filters, shared by the pages and the API."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError

from chanye.indicators import periods
from chanye.indicators.models import Basis, Confidentiality, Frequency, Indicator, Level, Observation, Status
from chanye.organizations.models import Department


class IndicatorFilter(django_filters.FilterSet):
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, label="频度")
    owner = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), to_field_name="code", label="责任部门"
    )
    source = django_filters.CharFilter(lookup_expr="icontains", label="数据来源")
    level = django_filters.ChoiceFilter(choices=Level.choices, method="at_level", label="统计层级")
    confidentiality = django_filters.ChoiceFilter(choices=Confidentiality.choices, label="密级")
    q = django_filters.CharFilter(method="search", label="名称或代码")

    class Meta:
        model = Indicator
        fields = ["frequency", "owner", "source", "level", "confidentiality", "q"]

    def at_level(self, queryset, name, value):
        # The catalogue is a few dozen rows; JSON containment is not portable to SQLite.
        return queryset.filter(
            pk__in=[pk for pk, levels in queryset.values_list("pk", "levels") if value in levels]
        )

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(code__icontains=value)


class PeriodField(forms.CharField):
    """A period as people write it (2025-03, 2025Q1, 2025), cleaned to its first day — or, with
    `end=True`, to the first day of its last month, so "up to 2025Q1" includes March."""

    def __init__(self, *args, end: bool = False, **kwargs):
        self.end = end
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            start, frequency = periods.parse_period(text)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        return periods.months_of(start, frequency)[-1] if self.end else start


class PeriodFilter(django_filters.Filter):
    field_class = PeriodField

    def __init__(self, *args, **kwargs):
        if kwargs.get("lookup_expr") == "lte":
            kwargs["end"] = True
        super().__init__(*args, **kwargs)


class ObservationFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code", label="指标代码")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="层级")
    industry = django_filters.CharFilter(field_name="industry__code", label="产业代码")
    enterprise = django_filters.CharFilter(field_name="enterprise__uscc", label="统一社会信用代码")
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, label="频度")
    status = django_filters.ChoiceFilter(choices=Status.choices, label="状态")
    basis = django_filters.ChoiceFilter(choices=Basis.choices, label="性质")
    period_from = PeriodFilter(
        field_name="period", lookup_expr="gte", label="起始期间（如 2024-01、2024Q1、2024）"
    )
    period_to = PeriodFilter(field_name="period", lookup_expr="lte", label="截止期间")

    class Meta:
        model = Observation
        fields = ["indicator", "level", "industry", "enterprise", "frequency", "status", "basis"]
