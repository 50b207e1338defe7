"""REST API of the key projects: the library, and monthly filings with their workflow. Every write goes
through the same services as the pages; a stale `version` gets 409 with the current one."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, mixins

from chanye.projects import selectors, services
from chanye.projects.models import Filing, MilestoneKind, Project


class ByCode(CursorPagination):
    ordering = "code"
    page_size = 50


class ByPeriod(CursorPagination):
    ordering = ("-period", "id")
    page_size = 50


class ProjectSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="uscc", read_only=True)
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    leader = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "owner",
            "industry",
            "street",
            "category",
            "stage",
            "total_investment",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "leader",
            "department",
            "funding",
            "location",
            "synthetic",
            "version",
        ]


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The key-project library in the caller's scope."""

    permission_required = "projects.view"
    lookup_field = "code"
    serializer_class = ProjectSerializer
    pagination_class = ByCode

    def get_queryset(self):
        queryset = selectors.project_list(user=self.request.user)
        stage = self.request.query_params.get("stage")
        return queryset.filter(stage=stage) if stage else queryset


class FilingSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = serializers.DateField(format="%Y-%m", read_only=True)
    milestones = serializers.ListField(child=serializers.ChoiceField(MilestoneKind.choices), required=False)
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Filing
        fields = [
            "id",
            "project",
            "period",
            "investment",
            "cumulative",
            "milestones",
            "narrative",
            "blockers",
            "status",
            "return_reason",
            "due_on",
            "submitted_at",
            "reviewed_at",
            "late",
            "version",
        ]
        read_only_fields = ["status", "return_reason", "due_on", "submitted_at", "reviewed_at"]


class FilingWrite(serializers.Serializer):
    project = serializers.CharField(help_text="project code (create only)", required=False)
    period = serializers.CharField(help_text="YYYY-MM (create only)", required=False)
    investment = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    cumulative = serializers.DecimalField(max_digits=18, decimal_places=4, required=False)
    milestones = serializers.ListField(child=serializers.ChoiceField(MilestoneKind.choices), required=False)
    narrative = serializers.CharField(required=False, allow_blank=True)
    blockers = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="the version you read; a stale one gets 409")
    submit = serializers.BooleanField(default=False)


class ReviewWrite(serializers.Serializer):
    version = serializers.IntegerField()
    return_reason = serializers.CharField(required=False, allow_blank=True)


class Stale(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


def _stale(filing_pk: int, error: services.StaleEdit) -> Response:
    current = Filing.objects.filter(pk=filing_pk).values_list("version", flat=True).first()
    return Response({"detail": str(error), "current_version": current}, status=status.HTTP_409_CONFLICT)


class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Monthly filings in the caller's scope. POST creates or saves a month's filing (`submit: true`
    submits it); PATCH edits a draft or returned one; `accept` and `return` are the department's."""

    permission_required = "projects.view"
    write_permission = "projects.file"
    action_permissions = {"accept": "projects.review", "send_back": "projects.review"}
    serializer_class = FilingSerializer
    pagination_class = ByPeriod
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = Filing.objects.visible_to(self.request.user).select_related("project")
        params = self.request.query_params
        if params.get("project"):
            queryset = queryset.filter(project__code=params["project"])
        if params.get("period"):
            queryset = queryset.filter(period=services.parse_period(params["period"]))
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        return queryset

    @staticmethod
    def _values(data) -> dict:
        return {name: data[name] for name in services.FILED_FIELDS if name in data}

    @extend_schema(request=FilingWrite, responses={201: FilingSerializer, 409: OpenApiResponse(Stale)})
    def create(self, request):
        payload = FilingWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if not data.get("project") or not data.get("period"):
            raise serializers.ValidationError({"project": ["请给出项目编号和月份（YYYY-MM）"]})
        project = get_object_or_404(selectors.project_list(user=request.user), code=data["project"])
        period = services.parse_period(data["period"])
        existing = Filing.objects.filter(project=project, period=period).first()
        try:
            filing = services.filing_save(
                project=project,
                period=period,
                values=self._values(data),
                by=request.user,
                expected_version=data.get("version"),
                submit=data["submit"],
            )
        except services.StaleEdit as stale:
            assert existing is not None
            return _stale(existing.pk, stale)
        return Response(FilingSerializer(filing).data, status=201)

    @extend_schema(request=FilingWrite, responses={200: FilingSerializer, 409: OpenApiResponse(Stale)})
    def partial_update(self, request, pk=None):
        filing = self.get_object()
        payload = FilingWrite(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            filing = services.filing_save(
                project=filing.project,
                period=filing.period,
                values=self._values(data),
                by=request.user,
                expected_version=data.get("version"),
                submit=data.get("submit", False),
            )
        except services.StaleEdit as stale:
            return _stale(filing.pk, stale)
        return Response(FilingSerializer(filing).data)

    @extend_schema(request=ReviewWrite, responses={200: FilingSerializer, 409: OpenApiResponse(Stale)})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        filing = self.get_object()
        payload = ReviewWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            filing = services.filing_accept(
                filing=filing, by=request.user, expected_version=payload.validated_data["version"]
            )
        except services.StaleEdit as stale:
            return _stale(filing.pk, stale)
        return Response(FilingSerializer(filing).data)

    @extend_schema(request=ReviewWrite, responses={200: FilingSerializer, 409: OpenApiResponse(Stale)})
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        filing = self.get_object()
        payload = ReviewWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            filing = services.filing_return(
                filing=filing,
                reason=payload.validated_data.get("return_reason", ""),
                by=request.user,
                expected_version=payload.validated_data["version"],
            )
        except services.StaleEdit as stale:
            return _stale(filing.pk, stale)
        return Response(FilingSerializer(filing).data)


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    colour = serializers.CharField()
    sentence = serializers.CharField()
    numbers = serializers.DictField(child=serializers.CharField())


class LightSerializer(serializers.Serializer):
    project = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.CharField()
    colour = serializers.CharField(help_text="red, yellow, green or grey (no light)")
    sentence = serializers.CharField()
    reasons = ReasonSerializer(many=True)


class LightsResponse(serializers.Serializer):
    as_of = serializers.CharField()
    results = LightSerializer(many=True)


class LightsApi(APIView):
    """Each visible project's light as of a month (`?as_of=YYYY-MM`, default the latest month filed), with
    the rule and the numbers behind every reason."""

    permission_required = "projects.view"

    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, description="YYYY-MM")],
        responses=LightsResponse,
    )
    def get(self, request):
        text = request.query_params.get("as_of")
        period = services.parse_period(text) if text else selectors.latest_period(user=request.user)
        rows = [
            {
                "project": project.code,
                "name": project.name,
                "stage": project.stage,
                "colour": light.colour,
                "sentence": light.sentence,
                "reasons": [reason.__dict__ for reason in light.reasons],
            }
            for project, light in selectors.project_lights(user=request.user, period=period)
        ]
        return Response({"as_of": f"{period:%Y-%m}", "results": LightSerializer(rows, many=True).data})


class ForecastMonth(serializers.Serializer):
    month = serializers.IntegerField()
    planned = serializers.CharField(help_text="planned cumulative, 万元")
    actual = serializers.CharField(allow_null=True, help_text="actual cumulative, 万元; null after as_of")
    forecast = serializers.CharField(help_text="forecast cumulative, 万元")


class ForecastContributor(serializers.Serializer):
    project = serializers.CharField()
    name = serializers.CharField()
    shortfall = serializers.CharField(help_text="plan − forecast, 万元")
    share = serializers.CharField(help_text="of the total shortfall, 0–1")


class ForecastSerializer(serializers.Serializer):
    as_of = serializers.CharField()
    target = serializers.CharField(allow_null=True, help_text="the system's FAI target, 万元")
    planned_year = serializers.CharField()
    actual_to_date = serializers.CharField()
    forecast_year = serializers.CharField()
    gap = serializers.CharField(allow_null=True, help_text="target − forecast, 万元; positive = short")
    monthly = ForecastMonth(many=True)
    contributors = ForecastContributor(many=True)


class ForecastApi(APIView):
    """The year's FAI forecast over the visible projects as of a month, with the target, the monthly series
    and the projects that explain most of the gap (amounts in 万元)."""

    permission_required = "projects.view"

    @extend_schema(
        parameters=[OpenApiParameter("as_of", str, description="YYYY-MM")], responses=ForecastSerializer
    )
    def get(self, request):
        text = request.query_params.get("as_of")
        period = services.parse_period(text) if text else selectors.latest_period(user=request.user)
        result, target = selectors.fai_forecast(user=request.user, year=period.year, as_of=period.month)
        return Response(
            {
                "as_of": f"{period:%Y-%m}",
                "target": str(target) if target is not None else None,
                "planned_year": str(result.planned_year),
                "actual_to_date": str(result.actual_to_date),
                "forecast_year": str(result.forecast_year.quantize(Decimal("0.01"))),
                "gap": str(result.gap.quantize(Decimal("0.01"))) if target is not None else None,
                "monthly": [
                    {
                        "month": month,
                        "planned": str(planned.quantize(Decimal("0.01"))),
                        "actual": str(actual) if actual is not None else None,
                        "forecast": str(forecast.quantize(Decimal("0.01"))),
                    }
                    for month, planned, actual, forecast in result.monthly
                ],
                "contributors": [
                    {
                        "project": c.code,
                        "name": c.name,
                        "shortfall": str(c.shortfall.quantize(Decimal("0.01"))),
                        "share": str(c.share.quantize(Decimal("0.001"))),
                    }
                    for c in result.contributors
                ],
            }
        )
