"""The audit trail over the API: read-only, audit administrator only."""

from rest_framework import serializers, viewsets

from chanye.audit.filters import AuditEventFilter
from chanye.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_name",
            "actor_role",
            "ip",
            "request_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "message",
        ]


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "audit.view"
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter

    def get_queryset(self):
        return AuditEvent.objects.visible_to(self.request.user)
