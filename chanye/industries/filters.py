"""One FilterSet per model, serving the HTML list and the API alike."""

import django_filters
from django.db.models import Q

from chanye.industries.models import Category, ClassificationCode, Industry


class IndustryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="搜索")
    system = django_filters.CharFilter(field_name="system__code", label="体系")
    category = django_filters.ChoiceFilter(choices=Category.choices, label="类别")
    active = django_filters.BooleanFilter(label="现行")

    class Meta:
        model = Industry
        fields = ["q", "system", "category", "active"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value)) if value else queryset


class ClassificationCodeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="代码或名称")
    edition = django_filters.CharFilter(field_name="edition__code", label="分类标准")
    level = django_filters.CharFilter(label="层级")
    parent = django_filters.CharFilter(field_name="parent_code", label="上级代码")

    class Meta:
        model = ClassificationCode
        fields = ["q", "edition", "level", "parent"]

    def search(self, queryset, name, value):
        value = value.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")).upper()
        if not value:
            return queryset
        if value.replace(".", "").isalnum() and value.isascii():
            return queryset.filter(Q(code__startswith=value) | Q(code=value.lstrip("ABCDEFGHIJKLMNOPQRST")))
        return queryset.filter(name__icontains=value)
