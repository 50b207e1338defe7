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
    host_department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())

    class Meta:
        model = IndustryOffice
        fields = ["id", "code", "name", "host_department", "active"]
        read_only_fields = ["code"]


class TaskForceSerializer(serializers.ModelSerializer):
    head = serializers.SlugRelatedField(slug_field="code", queryset=Leader.objects.all(), allow_null=True)
    lead_department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all())
    member_departments = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Department.objects.all()
    )

    class Meta:
        model = TaskForce
        fields = ["id", "code", "name", "head", "lead_department", "member_departments", "active"]
        read_only_fields = ["code"]


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "code", "name", "position"]
        read_only_fields = ["code"]


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
        many_names = {field.name for field in self.model._meta.many_to_many}
        data = serializer.validated_data
        serializer.instance = organization_save(
            obj=instance,
            by=self.request.user,
            values={k: v for k, v in data.items() if k not in many_names},
            many={k: v for k, v in data.items() if k in many_names},
        )


class DepartmentViewSet(_ScopedViewSet):
    model, serializer_class = Department, DepartmentSerializer
    filterset_fields = ["kind", "active"]


class LeaderViewSet(_ScopedViewSet):
    model, serializer_class = Leader, LeaderSerializer
    filterset_fields = ["active"]


class IndustryOfficeViewSet(_ScopedViewSet):
    model, serializer_class = IndustryOffice, IndustryOfficeSerializer

    def get_queryset(self):
        return super().get_queryset().select_related("host_department")


class TaskForceViewSet(_ScopedViewSet):
    model, serializer_class = TaskForce, TaskForceSerializer

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("head", "lead_department")
            .prefetch_related("member_departments")
        )


class StreetViewSet(_ScopedViewSet):
    model, serializer_class = Street, StreetSerializer


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
