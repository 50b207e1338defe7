"""The case filter, shared by the list page and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chanye.casework.models import ACTIVE, Case, Category, Kind, Status
from chanye.organizations.models import Department, Leader

ACTIVE_CHOICE = "active"


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("标题或对象"))
    status = django_filters.ChoiceFilter(
        choices=[(ACTIVE_CHOICE, _("未办结")), *Status.choices], method="with_status", label=_("状态")
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("案件类型"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("问题类别"))
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.filter(active=True), to_field_name="code", label=_("责任部门")
    )
    leader = django_filters.ModelChoiceFilter(
        queryset=Leader.objects.filter(active=True), to_field_name="code", label=_("督办区领导")
    )
    overdue = django_filters.BooleanFilter(method="is_overdue", label=_("逾期"))
    escalated = django_filters.BooleanFilter(method="is_escalated", label=_("已督办"))
    mine = django_filters.BooleanFilter(method="is_mine", label=_("我经办的"))
    enterprise = django_filters.CharFilter(field_name="enterprise__uscc", label=_("企业代码"))
    subject_type = django_filters.CharFilter(label=_("对象类型"))
    subject_id = django_filters.CharFilter(label=_("对象编号"))

    class Meta:
        model = Case
        fields = [
            "q",
            "status",
            "kind",
            "category",
            "department",
            "leader",
            "overdue",
            "escalated",
            "mine",
            "enterprise",
            "subject_type",
            "subject_id",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(subject_label__icontains=value))

    def with_status(self, queryset, name, value):
        if value == ACTIVE_CHOICE:
            return queryset.filter(status__in=ACTIVE)
        return queryset.filter(status=value) if value else queryset

    def is_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status__in=ACTIVE, deadline__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def is_escalated(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(escalation_level__gt=0) if value else queryset.filter(escalation_level=0)

    def is_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        return queryset.filter(assignee_id=user.pk) if value else queryset.exclude(assignee_id=user.pk)
