"""REST API for people and responsibility."""

from rest_framework import serializers, viewsets

from chanye.organizations.models import Department, IndustryOffice, Leader, Responsibility, Street, TaskForce
from chanye.organizations.services import organization_save


class ResponsibilitySerializer(serializers.ModelSerializer):
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    leader = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    supporting_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    task_force = serializers.SlugRelatedField(slug_field="code", read_only=True)
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "industry",
            "leader",
            "lead_department",
            "supporting_departments",
            "office",
            "task_force",
            "valid_from",
            "valid_to",
            "source",
            "reason",
            "changed_by",
        ]


class ResponsibilityChangeSerializer(serializers.Serializer):
    """The new assignment for an industry, by codes; `reason` is required."""

    leader = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Leader.objects.filter(active=True),
        allow_null=True,
        required=False,
        default=None,
    )
    lead_department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.filter(active=True),
        allow_null=True,
        required=False,
        default=None,
    )
    supporting_departments = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.filter(active=True),
        many=True,
        required=False,
        default=list,
    )
    office = serializers.SlugRelatedField(
        slug_field="code",
        queryset=IndustryOffice.objects.filter(active=True),
        allow_null=True,
        required=False,
        default=None,
    )
    task_force = serializers.SlugRelatedField(
        slug_field="code",
        queryset=TaskForce.objects.filter(active=True),
        allow_null=True,
        required=False,
        default=None,
    )
    reason = serializers.CharField(max_length=200)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "kind", "position", "active"]
        read_only_fields = ["code"]


class LeaderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Leader
        fields = ["id", "code", "title", "portfolio", "position", "active"]
        read_only_fields = ["code"]


class IndustryOfficeSerializer(serializers.ModelSerializer):
    host_department = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = IndustryOffice
        fields = ["id", "code", "name", "host_department", "active"]


class TaskForceSerializer(serializers.ModelSerializer):
    head = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lead_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    member_departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = TaskForce
        fields = ["id", "code", "name", "head", "lead_department", "member_departments", "active"]


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "code", "name", "position"]


class _ScopedViewSet(viewsets.ModelViewSet):
    """List and read in scope; edits by the DRC administrator go through `organization_save`."""

    permission_required = "organizations.view"
    write_permission = "organizations.change"
    lookup_field = "code"
    http_method_names = ["get", "patch", "put", "head", "options"]
    model: type = Department

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def perform_update(self, serializer):
        instance = self.model.objects.get(pk=serializer.instance.pk)
        serializer.instance = organization_save(
            obj=instance, by=self.request.user, values=serializer.validated_data
        )


class DepartmentViewSet(_ScopedViewSet):
    model, serializer_class = Department, DepartmentSerializer
    filterset_fields = ["kind", "active"]


class LeaderViewSet(_ScopedViewSet):
    model, serializer_class = Leader, LeaderSerializer
    filterset_fields = ["active"]


class IndustryOfficeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "organizations.view"
    serializer_class = IndustryOfficeSerializer
    lookup_field = "code"

    def get_queryset(self):
        return IndustryOffice.objects.visible_to(self.request.user).select_related("host_department")


class TaskForceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "organizations.view"
    serializer_class = TaskForceSerializer
    lookup_field = "code"

    def get_queryset(self):
        return (
            TaskForce.objects.visible_to(self.request.user)
            .select_related("head", "lead_department")
            .prefetch_related("member_departments")
        )


class StreetViewSet(viewsets.ReadOnlyModelViewSet):
    permission_required = "organizations.view"
    serializer_class = StreetSerializer
    lookup_field = "code"

    def get_queryset(self):
        return Street.objects.visible_to(self.request.user)


class ResponsibilityViewSet(viewsets.ReadOnlyModelViewSet):
    """The responsibility matrix; `?current=true` for the rows in force today."""

    permission_required = "system.view"
    serializer_class = ResponsibilitySerializer
    filterset_fields = {
        "industry__code": ["exact"],
        "leader__code": ["exact"],
        "lead_department__code": ["exact"],
        "valid_to": ["isnull"],
    }

    def get_queryset(self):
        queryset = (
            Responsibility.objects.visible_to(self.request.user)
            .select_related("industry", "leader", "lead_department", "office", "task_force", "changed_by")
            .prefetch_related("supporting_departments")
        )
        if self.request.query_params.get("current") in ("1", "true"):
            queryset = queryset.filter(valid_to__isnull=True)
        return queryset
