import django_filters

from chanye.audit.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="icontains", label="操作人")
    action = django_filters.CharFilter(lookup_expr="startswith", label="操作")
    object_type = django_filters.CharFilter(label="对象类型")
    object_id = django_filters.CharFilter(label="对象编号")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="起始日期")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="截止日期")

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "since", "until"]
