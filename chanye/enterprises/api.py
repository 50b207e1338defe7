"""REST API of the register: check codes, list and search, the 360 view, edits with version checks,
industry memberships with their reasons, hand decisions, visits, imports and their row errors."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, mixins

from chanye.enterprises import selectors, services
from chanye.enterprises.filters import EnterpriseFilter
from chanye.enterprises.models import Enterprise, ImportJob, ImportRowError, Membership, Tag, Visit
from chanye.enterprises.tasks import import_run
from chanye.enterprises.uscc import check
from chanye.industries.models import Industry
from chanye.organizations.models import Department, Leader, Street

MAX_CODES = 1000


class UsccCheckRequest(serializers.Serializer):
    codes = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=64), min_length=1, max_length=MAX_CODES
    )


class UsccResult(serializers.Serializer):
    input = serializers.CharField()
    code = serializers.CharField(help_text="normalised: trimmed, half-width, upper case")
    valid = serializers.BooleanField()
    error = serializers.CharField(
        help_text="empty, length, character, division, org_check or check; '' if valid"
    )
    message = serializers.CharField()


class UsccCheckApi(APIView):
    """Check up to 1,000 codes at once; every result says which check failed and why."""

    permission_required = "codes.view"
    write_permission = "codes.view"

    @extend_schema(request=UsccCheckRequest, responses=UsccResult(many=True))
    def post(self, request):
        payload = UsccCheckRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        results = []
        for raw in payload.validated_data["codes"]:
            result = check(raw)
            results.append(
                {
                    "input": raw,
                    "code": result.code,
                    "valid": result.valid,
                    "error": result.error,
                    "message": result.message,
                }
            )
        return Response(results)


class MembershipSerializer(serializers.ModelSerializer):
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)

    class Meta:
        model = Membership
        fields = ["industry", "industry_name", "kind", "rule", "version", "assigned_at"]


class EnterpriseSerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(
        slug_field="code", queryset=Street.objects.all(), allow_null=True, required=False
    )
    tags = serializers.SlugRelatedField(
        slug_field="code", queryset=Tag.objects.all(), many=True, required=False
    )
    scale_reason = serializers.SerializerMethodField()
    uscc_exception = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="reason for accepting a code that fails a check",
    )

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "status",
            "registered_on",
            "capital",
            "address",
            "street",
            "gbt_code",
            "business_scope",
            "revenue",
            "employees",
            "assets",
            "scale",
            "scale_reason",
            "tags",
            "credit_rating",
            "dishonest",
            "dishonest_source",
            "dishonest_on",
            "contact_name",
            "contact_phone",
            "contact_email",
            "synthetic",
            "version",
            "uscc_exception",
            "updated_at",
        ]
        read_only_fields = ["scale", "synthetic", "updated_at"]
        extra_kwargs = {"uscc": {"validators": [], "max_length": 40}, "version": {"required": False}}

    def get_scale_reason(self, enterprise) -> str:
        return enterprise.sizing.reason

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.update(selectors.masked(instance, self.context["request"].user))
        return data


class EnterpriseDetailSerializer(EnterpriseSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta(EnterpriseSerializer.Meta):
        fields = [*EnterpriseSerializer.Meta.fields, "memberships"]


class VisitSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(active=True)
    )
    leader = serializers.SlugRelatedField(
        slug_field="code", queryset=Leader.objects.filter(active=True), allow_null=True, required=False
    )

    class Meta:
        model = Visit
        fields = ["id", "visited_on", "department", "leader", "visitors", "topics", "requests", "created_at"]
        read_only_fields = ["id", "created_at"]


class OverrideSerializer(serializers.Serializer):
    industry = serializers.SlugRelatedField(slug_field="code", queryset=Industry.objects.filter(active=True))
    action = serializers.ChoiceField(choices=["include", "exclude", "clear"])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class StaleResponse(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


class NewestFirst(CursorPagination):
    """Cursor pages: stable under inserts, and no count of a million rows."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """The register in the caller's scope. `PATCH` with the `version` you read; a stale one gets 409."""

    permission_required = "enterprises.view"
    write_permission = "enterprises.change"
    action_permissions = {"industries:POST": "enterprises.classify", "visits:POST": "visits.log"}
    lookup_field = "uscc"
    filter_backends = [DjangoFilterBackend]
    filterset_class = EnterpriseFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            selectors.enterprise_list(user=self.request.user)
            .select_related("street")
            .prefetch_related("tags")
        )

    def get_serializer_class(self):
        return EnterpriseDetailSerializer if self.action == "retrieve" else EnterpriseSerializer

    def get_object(self):
        return get_object_or_404(self.get_queryset(), uscc=self.kwargs["uscc"])

    def _values(self, data) -> dict:
        return {key: value for key, value in data.items() if key in services.EDITABLE_FIELDS}

    def create(self, request, *args, **kwargs):
        serializer = EnterpriseSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        enterprise = services.enterprise_save(
            by=request.user,
            values={**self._values(data), "uscc": data["uscc"]},
            tags=list(data.get("tags", [])),
            uscc_exception=data.get("uscc_exception", ""),
            source="api",
        )
        return Response(EnterpriseSerializer(enterprise, context={"request": request}).data, status=201)

    @extend_schema(responses={200: EnterpriseSerializer, 409: OpenApiResponse(StaleResponse)})
    def partial_update(self, request, *args, **kwargs):
        enterprise = self.get_object()
        serializer = EnterpriseSerializer(
            enterprise, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            enterprise = services.enterprise_save(
                by=request.user,
                enterprise=enterprise,
                values=self._values(data),
                tags=list(data["tags"]) if "tags" in data else None,
                expected_version=data.get("version"),
                source="api",
            )
        except services.StaleEdit as stale:
            current = Enterprise.objects.filter(pk=enterprise.pk).values_list("version", flat=True).first()
            return Response(
                {"detail": str(stale), "current_version": current}, status=status.HTTP_409_CONFLICT
            )
        return Response(EnterpriseSerializer(enterprise, context={"request": request}).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.partial_update(request, *args, **kwargs)
        return super().update(request, *args, **kwargs)

    @extend_schema(request=OverrideSerializer, responses=MembershipSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def industries(self, request, uscc=None):
        """The enterprise's industries with the rule behind each; POST decides one by hand with a reason."""
        enterprise = self.get_object()
        if request.method == "POST":
            payload = OverrideSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            if data["action"] == "clear":
                services.membership_override_clear(
                    by=request.user, enterprise=enterprise, industry=data["industry"]
                )
            else:
                services.membership_override(
                    by=request.user,
                    enterprise=enterprise,
                    industry=data["industry"],
                    action=data["action"],
                    reason=data["reason"],
                )
        rows = enterprise.memberships.select_related("industry", "version").order_by("industry__position")
        return Response(MembershipSerializer(rows, many=True).data)

    @extend_schema(request=VisitSerializer, responses=VisitSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def visits(self, request, uscc=None):
        """The enterprise's visit calendar; POST logs a visit."""
        enterprise = self.get_object()
        if request.method == "POST":
            payload = VisitSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            services.visit_log(by=request.user, enterprise=enterprise, **payload.validated_data)
        return Response(
            VisitSerializer(enterprise.visits.select_related("department", "leader"), many=True).data
        )


class ImportJobSerializer(serializers.ModelSerializer):
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "filename",
            "dry_run",
            "status",
            "phase",
            "total",
            "processed",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "message",
            "created_at",
            "finished_at",
            "errors_url",
        ]

    def get_errors_url(self, job) -> str:
        return f"/api/v1/enterprise-imports/{job.pk}/errors/"


class ImportRequest(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)


class RowErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRowError
        fields = ["row", "column", "value", "reason"]


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Upload a CSV/XLSX file: it is checked and imported in the background; poll the job for its counts."""

    permission_required = "enterprises.import"
    write_permission = "enterprises.import"
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return ImportJob.objects.visible_to(self.request.user).filter(kind="enterprises")

    @extend_schema(request={"multipart/form-data": ImportRequest}, responses={202: ImportJobSerializer})
    def create(self, request):
        payload = ImportRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        job = services.import_job_create(
            by=request.user,
            filename=payload.validated_data["file"].name,
            content=payload.validated_data["file"],
            dry_run=payload.validated_data["dry_run"],
        )
        import_run.enqueue(str(job.pk))
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=RowErrorSerializer(many=True))
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """Every rejected row: row number, column, value and reason."""
        job = self.get_object()
        page = self.paginate_queryset(job.row_errors.all())
        return self.get_paginated_response(RowErrorSerializer(page, many=True).data)


class ClassificationApi(APIView):
    """GET: what a re-run of the rules would move per industry. POST: apply it."""

    permission_required = "enterprises.classify"
    write_permission = "enterprises.classify"

    def _summary(self, plan):
        return {
            "enterprises": plan.enterprises,
            "moves": plan.moves,
            "rule_changed": plan.rule_changed,
            "industries": [
                {
                    "industry": row["industry"].code,
                    "added": row["added"],
                    "removed": row["removed"],
                    "added_examples": row["added_examples"],
                    "removed_examples": row["removed_examples"],
                }
                for row in plan.summary()
            ],
        }

    @extend_schema(responses=dict)
    def get(self, request):
        return Response(self._summary(services.classification_plan()))

    @extend_schema(request=None, responses=dict)
    def post(self, request):
        try:
            plan = services.classification_apply(by=request.user)
        except ValidationError as error:
            return Response({"detail": error.messages}, status=400)
        return Response(self._summary(plan))
