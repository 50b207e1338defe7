"""REST API of casework: list (the page's filters), open, read with the timeline, PATCH with the `version`
you read (a stale one gets 409), and the actions resolve (销号), comment, assign, reopen, cancel, escalate.
Every write goes through the same services as the pages."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, mixins

from chanye.accounts.models import User
from chanye.casework import selectors, services
from chanye.casework.filters import CaseFilter
from chanye.casework.models import Case, CaseEvent, Category, Kind
from chanye.enterprises.models import Enterprise
from chanye.enterprises.uscc import normalise
from chanye.organizations.models import Department, Leader


class CaseEventSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "at", "by", "text", "data"]


class ClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        ["running", "due_soon", "overdue", "on_time", "late"],
        help_text="running, due_soon, overdue while open; on_time or late once closed",
    )
    days = serializers.IntegerField(
        help_text="days to the deadline from today (closed: from the closing day)"
    )
    days_left = serializers.IntegerField()
    days_overdue = serializers.IntegerField()


class CaseSerializer(serializers.ModelSerializer):
    enterprise = serializers.SlugRelatedField(slug_field="uscc", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default=None)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    leader = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)
    opened_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    clock = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "kind",
            "category",
            "title",
            "description",
            "subject_type",
            "subject_id",
            "subject_label",
            "enterprise",
            "enterprise_name",
            "department",
            "leader",
            "assignee",
            "sla_days",
            "deadline",
            "clock",
            "status",
            "resolution",
            "escalation_level",
            "escalated_at",
            "opened_by",
            "opened_at",
            "closed_at",
            "synthetic",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(ClockSerializer)
    def get_clock(self, case):
        clock = case.clock
        return {
            "state": clock.state,
            "days": clock.days,
            "days_left": clock.days_left,
            "days_overdue": clock.days_overdue,
        }


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]
        read_only_fields = fields


def _handlers():
    return User.objects.filter(is_active=True, role__in=services.handler_roles())


class CaseWrite(serializers.Serializer):
    kind = serializers.ChoiceField(Kind.choices, default=Kind.BLOCKER)
    category = serializers.ChoiceField(Category.choices, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False)
    subject_type = serializers.CharField(max_length=30, required=False, allow_blank=True)
    subject_id = serializers.CharField(max_length=60, required=False, allow_blank=True)
    subject_label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    enterprise = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="统一社会信用代码 (create only)"
    )
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(active=True), required=False, allow_null=True
    )
    leader = serializers.SlugRelatedField(
        slug_field="code", queryset=Leader.objects.filter(active=True), required=False, allow_null=True
    )
    assignee = serializers.SlugRelatedField(
        slug_field="username", queryset=_handlers(), required=False, allow_null=True
    )
    sla_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, help_text="create only")
    deadline = serializers.DateField(required=False)
    deadline_reason = serializers.CharField(required=False, allow_blank=True, help_text="required to move it")
    version = serializers.IntegerField(required=False, help_text="the version you read; a stale one gets 409")


class ResolveWrite(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True, help_text="办理结果, required")
    version = serializers.IntegerField(required=False)


class CommentWrite(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


class AssignWrite(serializers.Serializer):
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(active=True), required=False, allow_null=True
    )
    leader = serializers.SlugRelatedField(
        slug_field="code", queryset=Leader.objects.filter(active=True), required=False, allow_null=True
    )
    assignee = serializers.SlugRelatedField(
        slug_field="username", queryset=_handlers(), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class ReasonWrite(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    deadline = serializers.DateField(required=False, help_text="reopen only; default today plus the SLA")
    version = serializers.IntegerField(required=False)


class CaseStale(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


class Escalated(serializers.Serializer):
    escalated = serializers.ListField(
        child=serializers.IntegerField(), help_text="ids of the cases escalated"
    )


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _stale(case: Case, error: services.StaleEdit) -> Response:
    current = Case.objects.filter(pk=case.pk).values_list("version", flat=True).first()
    return Response({"detail": str(error), "current_version": current}, status=status.HTTP_409_CONFLICT)


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, GenericViewSet):
    """Cases in the caller's scope, filtered like the list page (status=active for those not closed)."""

    permission_required = "cases.view"
    write_permission = "cases.open"
    action_permissions = {
        "partial_update": "cases.view",  # the services decide what each role may change
        "comment": "cases.view",
        "reopen": "cases.view",
        "cancel": "cases.view",
        "resolve": "cases.handle",
        "assign": "cases.handle",
        "escalate": "cases.escalate",
    }
    filterset_class = CaseFilter
    pagination_class = NewestFirst
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = selectors.case_list(user=self.request.user)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__by")
        return queryset

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def _detail(self, case: Case) -> Response:
        case = self.get_queryset().prefetch_related("events__by").get(pk=case.pk)
        return Response(CaseDetailSerializer(case).data)

    @extend_schema(request=CaseWrite, responses={201: CaseSerializer})
    def create(self, request):
        payload = CaseWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        for name in ("version", "deadline_reason"):
            data.pop(name, None)
        missing = {name: ["必填"] for name in ("title", "description") if not data.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        code = normalise(data.pop("enterprise", "") or "")
        enterprise = None
        if code:
            enterprise = Enterprise.objects.visible_to(request.user).filter(uscc=code).first()
            if enterprise is None:
                raise serializers.ValidationError(
                    {"enterprise": [f"在你的数据范围内找不到统一社会信用代码为 {code} 的企业"]}
                )
        case = services.case_open(by=request.user, enterprise=enterprise, **data)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseWrite, responses={200: CaseDetailSerializer, 409: OpenApiResponse(CaseStale)})
    def partial_update(self, request, pk=None):
        """Change what a case says, who handles it or its deadline (with `deadline_reason`), in one go."""
        case = self.get_object()
        payload = CaseWrite(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = data.get("version")
        try:
            with transaction.atomic():
                values = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
                if values:
                    case = services.case_edit(
                        case=case, by=request.user, values=values, expected_version=version
                    )
                    version = case.version if version is not None else None
                routing = {name: data[name] for name in ("department", "leader", "assignee") if name in data}
                if routing:
                    case = services.case_assign(
                        case=case, by=request.user, expected_version=version, **routing
                    )
                    version = case.version if version is not None else None
                if "deadline" in data:
                    case = services.case_set_deadline(
                        case=case,
                        by=request.user,
                        deadline=data["deadline"],
                        reason=data.get("deadline_reason", ""),
                        expected_version=version,
                    )
        except services.StaleEdit as stale:
            return _stale(case, stale)
        return self._detail(case)

    @extend_schema(
        request=ResolveWrite, responses={200: CaseDetailSerializer, 409: OpenApiResponse(CaseStale)}
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """销号: close the case with its resolution (required)."""
        case = self.get_object()
        payload = ResolveWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            case = services.case_resolve(
                case=case,
                by=request.user,
                resolution=payload.validated_data["resolution"],
                expected_version=payload.validated_data.get("version"),
            )
        except services.StaleEdit as stale:
            return _stale(case, stale)
        return self._detail(case)

    @extend_schema(request=CommentWrite, responses={201: CaseEventSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        """Add an opinion or progress note to the timeline."""
        case = self.get_object()
        payload = CommentWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        event = services.case_comment(case=case, by=request.user, text=payload.validated_data["text"])
        return Response(CaseEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AssignWrite, responses={200: CaseDetailSerializer, 409: OpenApiResponse(CaseStale)}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """派单: the officer handling it; the department and leader (the 发改局 only)."""
        case = self.get_object()
        payload = AssignWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        routing = {name: data[name] for name in ("department", "leader", "assignee") if name in data}
        try:
            case = services.case_assign(
                case=case, by=request.user, note=data["note"], expected_version=data.get("version"), **routing
            )
        except services.StaleEdit as stale:
            return _stale(case, stale)
        return self._detail(case)

    @extend_schema(
        request=ReasonWrite, responses={200: CaseDetailSerializer, 409: OpenApiResponse(CaseStale)}
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a resolved or cancelled case, with the reason."""
        case = self.get_object()
        payload = ReasonWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            case = services.case_reopen(
                case=case,
                by=request.user,
                reason=data["reason"],
                deadline=data.get("deadline"),
                expected_version=data.get("version"),
            )
        except services.StaleEdit as stale:
            return _stale(case, stale)
        return self._detail(case)

    @extend_schema(
        request=ReasonWrite, responses={200: CaseDetailSerializer, 409: OpenApiResponse(CaseStale)}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """撤销: withdraw a case raised in error, with the reason."""
        case = self.get_object()
        payload = ReasonWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            case = services.case_cancel(
                case=case, by=request.user, reason=data["reason"], expected_version=data.get("version")
            )
        except services.StaleEdit as stale:
            return _stale(case, stale)
        return self._detail(case)

    @extend_schema(request=None, responses={200: Escalated})
    @action(detail=False, methods=["post"])
    def escalate(self, request):
        """Escalate overdue cases now (it also runs daily); idempotent."""
        escalated = services.cases_escalate_overdue(by=request.user)
        return Response({"escalated": [case.pk for case in escalated]})
