"""REST API of the indicator module: the catalogue, observations (filter by indicator, level, subject and
period range), the industry and district figures computed from enterprise figures, and imports of
indicator sheets (long, wide or statistical-bureau layout). Figures come in through imports and the services."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, mixins

from chanye.indicators import periods, selectors
from chanye.indicators.filters import IndicatorFilter, ObservationFilter, PeriodField
from chanye.indicators.models import Frequency, Indicator, Observation

VIEW = "system.view"


class IndicatorSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="department code")
    frequency = serializers.CharField(help_text="month, quarter or year")
    direction = serializers.CharField(help_text="higher or lower (which way is better)")
    confidentiality = serializers.CharField(help_text="public, internal or restricted")
    levels = serializers.ListField(child=serializers.CharField(), help_text="district, industry, enterprise")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "definition",
            "unit",
            "frequency",
            "direction",
            "source",
            "owner",
            "confidentiality",
            "levels",
            "additive",
        ]


class ByCode(CursorPagination):
    ordering = ("position", "code")
    page_size = 100


class IndicatorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The indicator catalogue the caller may see (restricted indicators: 发改局, leaders, owner department)."""

    permission_required = VIEW
    lookup_field = "code"
    serializer_class = IndicatorSerializer
    pagination_class = ByCode
    filter_backends = [DjangoFilterBackend]
    filterset_class = IndicatorFilter

    def get_queryset(self):
        return Indicator.objects.visible_to(self.request.user).select_related("owner")


class RevisionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    status = serializers.CharField()
    basis = serializers.CharField()
    source_type = serializers.CharField()
    source_ref = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    replaced_at = serializers.DateTimeField()
    reason = serializers.CharField()


class ObservationSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level = serializers.CharField(help_text="district, industry or enterprise")
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    enterprise = serializers.SlugRelatedField(slug_field="uscc", read_only=True, allow_null=True)
    period = serializers.DateField(help_text="the first day of the month, quarter or year")
    period_label = serializers.CharField(read_only=True, help_text="2025-03, 2025Q1 or 2025")
    frequency = serializers.CharField(help_text="month, quarter or year")
    status = serializers.CharField(help_text="preliminary or final")
    basis = serializers.CharField(help_text="official, reported or estimated")
    source_type = serializers.CharField(help_text="import, filing, file, manual or demo")
    source_url = serializers.CharField(
        read_only=True, help_text="the import job or filing page, when there is one"
    )

    class Meta:
        model = Observation
        fields = [
            "id",
            "indicator",
            "level",
            "industry",
            "enterprise",
            "period",
            "period_label",
            "frequency",
            "value",
            "status",
            "basis",
            "source_type",
            "source_ref",
            "source_url",
            "note",
            "synthetic",
            "version",
            "recorded_at",
        ]


class ObservationDetailSerializer(ObservationSerializer):
    revisions = RevisionSerializer(many=True, read_only=True, help_text="earlier values, newest first")

    class Meta(ObservationSerializer.Meta):
        fields = [*ObservationSerializer.Meta.fields, "revisions"]


class ByPeriod(CursorPagination):
    ordering = ("-period", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ObservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Observations in the caller's scope; `retrieve` includes the earlier values of a revised figure."""

    permission_required = VIEW
    pagination_class = ByPeriod
    filter_backends = [DjangoFilterBackend]
    filterset_class = ObservationFilter

    def get_queryset(self):
        queryset = selectors.observation_list(user=self.request.user)
        return queryset.prefetch_related("revisions") if self.action == "retrieve" else queryset

    def get_serializer_class(self):
        return ObservationDetailSerializer if self.action == "retrieve" else ObservationSerializer


class AggregateQuery(serializers.Serializer):
    indicator = serializers.CharField()
    by = serializers.ChoiceField(["industry", "district"], default="industry")
    frequency = serializers.ChoiceField(Frequency.values, required=False)
    period_from = serializers.CharField(required=False)
    period_to = serializers.CharField(required=False)

    def validate_period_from(self, value):
        return _period(value)

    def validate_period_to(self, value):
        return _period(value, end=True)


def _period(value, end: bool = False):
    try:
        return PeriodField(end=end).clean(value)
    except Exception as error:  # noqa: BLE001 - Django's ValidationError → the serializer's
        raise serializers.ValidationError(getattr(error, "messages", [str(error)])) from error


class AggregateSerializer(serializers.Serializer):
    industry = serializers.CharField(allow_null=True, help_text="industry code; null for the district")
    industry_name = serializers.CharField(allow_null=True)
    period = serializers.DateField()
    period_label = serializers.CharField()
    total = serializers.DecimalField(max_digits=24, decimal_places=2)
    firms = serializers.IntegerField(help_text="enterprises whose figures were added")


class AggregateResponse(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    frequency = serializers.CharField()
    counting_rule = serializers.CharField()
    results = AggregateSerializer(many=True)


class IndicatorAggregateApi(APIView):
    """Industry (or district) figures added up from enterprise figures within the caller's scope: an
    enterprise in two industries counts in both, and once in the district figure."""

    permission_required = VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "indicator", OpenApiTypes.STR, required=True, description="indicator code, e.g. revenue"
            ),
            OpenApiParameter("by", OpenApiTypes.STR, enum=["industry", "district"]),
            OpenApiParameter("frequency", OpenApiTypes.STR, enum=Frequency.values),
            OpenApiParameter("period_from", OpenApiTypes.STR, description="2024-01, 2024Q1 or 2024"),
            OpenApiParameter("period_to", OpenApiTypes.STR),
        ],
        responses=AggregateResponse,
    )
    def get(self, request):
        query = AggregateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        indicator = get_object_or_404(Indicator.objects.visible_to(request.user), code=data["indicator"])
        if not indicator.additive:
            raise serializers.ValidationError({"indicator": [f"{indicator.name}不能由企业数据加总"]})
        frequency = data.get("frequency") or indicator.frequency
        window = {"start": data.get("period_from"), "end": data.get("period_to")}
        if data["by"] == "district":
            rows = selectors.aggregate_district(
                user=request.user, indicator=indicator, frequency=frequency, **window
            )
            names: dict = {}
        else:
            rows = selectors.aggregate_by_industry(
                user=request.user, indicator=indicator, frequency=frequency, **window
            )
            names = {i.pk: i for i in selectors.industries_in_scope(user=request.user)}
        results = [
            {
                "industry": names[row.industry_id].code if row.industry_id in names else None,
                "industry_name": names[row.industry_id].name if row.industry_id in names else None,
                "period": row.period,
                "period_label": periods.label(row.period, frequency),
                "total": row.total,
                "firms": row.firms,
            }
            for row in rows
        ]
        return Response(
            {
                "indicator": indicator.code,
                "unit": indicator.unit,
                "frequency": frequency,
                "counting_rule": selectors.COUNTING_RULE,
                "results": AggregateSerializer(results, many=True).data,
            }
        )


class IndicatorImportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    filename = serializers.CharField()
    dry_run = serializers.BooleanField()
    status = serializers.CharField(help_text="queued, running, done, rejected or failed")
    layout = serializers.SerializerMethodField(help_text="the layout asked for: auto, long, wide or stats")
    detected = serializers.SerializerMethodField(help_text="the layout the file was read in")
    period = serializers.SerializerMethodField()
    total = serializers.IntegerField(help_text="data rows read")
    figures = serializers.SerializerMethodField(help_text="figures those rows state")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    message = serializers.CharField()
    skipped = serializers.SerializerMethodField(help_text="rows not imported and why: row, label, reason")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    errors_url = serializers.SerializerMethodField()

    def get_layout(self, job) -> str:
        return (job.mapping or {}).get("layout", "auto")

    def get_detected(self, job) -> str:
        return (job.mapping or {}).get("detected", "")

    def get_period(self, job) -> str:
        return (job.mapping or {}).get("period", "")

    def get_figures(self, job) -> int:
        return int((job.mapping or {}).get("figures", 0))

    def get_skipped(self, job) -> list[dict]:
        return list((job.mapping or {}).get("skipped", []))

    def get_errors_url(self, job) -> str:
        return f"/api/v1/indicator-imports/{job.pk}/errors/"


class IndicatorImportRequest(serializers.Serializer):
    file = serializers.FileField()
    layout = serializers.ChoiceField(
        choices=["auto", "long", "wide", "stats"],
        default="auto",
        help_text="auto (recognised from the header), long (one figure a row), wide (a column per "
        "indicator or per period), stats (a statistical-bureau table of district figures)",
    )
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="the period when the file does not say it: 2024-09 (a bureau table: 1-9月 cumulative), "
        "2024年1-9月, 2024Q3, 2024",
    )
    status = serializers.ChoiceField(
        choices=["", "preliminary", "final"],
        default="",
        help_text="blank: from the file (a 状态 column; 快报/初步 in a bureau table's title)",
    )
    dry_run = serializers.BooleanField(default=False)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


class IndicatorImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Upload an indicator sheet (CSV/XLSX/XLS/ODS): checked whole and written all or nothing in the
    background; poll the job for its counts, the rows skipped and, when rejected, every row error."""

    permission_required = "enterprises.import"
    write_permission = "enterprises.import"
    serializer_class = IndicatorImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        from chanye.enterprises.models import ImportJob
        from chanye.indicators.imports import KIND

        return ImportJob.objects.visible_to(self.request.user).filter(kind=KIND)

    @extend_schema(
        request={"multipart/form-data": IndicatorImportRequest}, responses={202: IndicatorImportSerializer}
    )
    def create(self, request):
        from chanye.indicators.imports import indicator_import_create
        from chanye.indicators.tasks import indicator_import

        payload = IndicatorImportRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = indicator_import_create(
            by=request.user,
            filename=data["file"].name,
            content=data["file"],
            dry_run=data["dry_run"],
            layout=data["layout"],
            period=data["period"],
            status=data["status"],
        )
        indicator_import.enqueue(str(job.pk))
        job.refresh_from_db()
        return Response(IndicatorImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=ImportErrorSerializer(many=True))
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        """Every rejected row: row number, column as the file has it, value and reason."""
        job = self.get_object()
        page = self.paginate_queryset(job.row_errors.all())
        return self.get_paginated_response(ImportErrorSerializer(page, many=True).data)
