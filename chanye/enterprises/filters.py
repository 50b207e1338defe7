"""The enterprise filter, shared by the list page, its exports and the API."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from chanye.enterprises.models import Enterprise, Scale, Status, Tag
from chanye.enterprises.selectors import enterprise_search
from chanye.industries.models import Industry
from chanye.organizations.models import Street


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="名称或代码")
    status = django_filters.ChoiceFilter(choices=Status.choices, label="登记状态")
    street = django_filters.ModelChoiceFilter(
        queryset=Street.objects.all(), to_field_name="code", label="街道"
    )
    industry = django_filters.ModelChoiceFilter(
        queryset=Industry.objects.filter(active=True),
        to_field_name="code",
        field_name="memberships__industry",
        label="产业",
        method="in_industry",
    )
    tag = django_filters.ModelChoiceFilter(
        queryset=Tag.objects.all(), to_field_name="code", label="标签", method="with_tag"
    )
    scale = django_filters.ChoiceFilter(choices=Scale.choices, label="规模")
    gbt = django_filters.CharFilter(method="gbt_prefix", label="行业代码")
    liaison = django_filters.BooleanFilter(
        field_name="liaison", lookup_expr="isnull", exclude=True, label="挂点联系"
    )

    class Meta:
        model = Enterprise
        fields = ["q", "status", "street", "industry", "tag", "scale", "gbt", "liaison"]

    def __init__(self, *args, **kwargs):
        from chanye.enterprises.services import current_system

        super().__init__(*args, **kwargs)
        self.filters["industry"].queryset = Industry.objects.filter(active=True, system=current_system())

    def filter_queryset(self, queryset):
        if self.form.errors:  # a refused filter is not left out: nothing is listed (or exported) for it
            return queryset.none()
        # The search last: a short name fragment is matched within the rows the other filters leave.
        values = dict(self.form.cleaned_data)
        text = values.pop("q", "")
        for name, value in values.items():
            queryset = self.filters[name].filter(queryset, value)
        return self.filters["q"].filter(queryset, text)

    def search(self, queryset, name, value):
        return enterprise_search(queryset, value)

    @extend_schema_field(OpenApiTypes.STR)
    def in_industry(self, queryset, name, value):
        return queryset.filter(id__in=value.memberships.values("enterprise_id")) if value else queryset

    @extend_schema_field(OpenApiTypes.STR)
    def with_tag(self, queryset, name, value):
        return queryset.filter(id__in=value.links.values("enterprise_id")) if value else queryset

    def gbt_prefix(self, queryset, name, value):
        value = value.strip().lstrip("ABCDEFGHIJKLMNOPQRST")
        return queryset.filter(gbt_code__startswith=value) if value else queryset
