"""REST API of the targets module: the targets (list, read, create, PATCH with the `version` you read — a stale
one gets 409 with the current version) and their status as of a month, through the same selectors and
services as the page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, mixins

from chanye.core.errors import StaleEdit
from chanye.indicators.models import Indicator
from chanye.targets import selectors, services
from chanye.targets.models import Comparator, Kind, Target, YearlyRule
from chanye.targets.selectors import TargetStatus

VIEW = "system.view"


class TargetSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_code", help_text="district, or the industry's code")
    scope_name = serializers.CharField(source="scope_label")
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name")
    comparator = serializers.CharField(help_text="> >= < <= or ~ (about)")
    kind = serializers.CharField(help_text="amount, share or rate: how the forecast is made")
    yearly_rule = serializers.CharField(
        help_text="sum (of the year's periods) or last (the year's last period)"
    )
    source = serializers.CharField(help_text="definition, edited (on the page) or created (on the page)")

    class Meta:
        model = Target
        fields = [
            "id",
            "scope",
            "scope_name",
            "indicator",
            "indicator_name",
            "year",
            "value",
            "comparator",
            "tolerance",
            "unit",
            "kind",
            "yearly_rule",
            "band_on_track",
            "band_warning",
            "baseline_year",
            "baseline_value",
            "note",
            "source",
            "active",
            "version",
            "updated_at",
        ]


class TargetWrite(serializers.Serializer):
    scope = serializers.CharField(
        required=False, help_text="district, or an industry code of the current system"
    )
    indicator = serializers.CharField(required=False, help_text="indicator code")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    value = serializers.DecimalField(max_digits=20, decimal_places=4, required=False)
    comparator = serializers.ChoiceField(Comparator.values, required=False)
    tolerance = serializers.DecimalField(max_digits=12, decimal_places=4, required=False)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=20)
    kind = serializers.ChoiceField(Kind.values, required=False, allow_blank=True)
    yearly_rule = serializers.ChoiceField(YearlyRule.values, required=False, allow_blank=True)
    band_on_track = serializers.DecimalField(max_digits=4, decimal_places=3, required=False)
    band_warning = serializers.DecimalField(max_digits=4, decimal_places=3, required=False)
    baseline_year = serializers.IntegerField(required=False, allow_null=True)
    baseline_value = serializers.DecimalField(
        max_digits=20, decimal_places=4, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, help_text="the version you read; a stale one gets 409")

    def resolved(self) -> dict:
        """The validated values with scope and indicator as rows; 400 naming the field when unknown."""
        from chanye.enterprises.services import current_system

        data = dict(self.validated_data)
        data.pop("version", None)
        if "scope" in data:
            scope = data.pop("scope").strip()
            if scope == services.DISTRICT:
                data["industry"] = None
            else:
                system = current_system()
                industry = system.industries.filter(code=scope).first() if system else None
                if industry is None:
                    raise serializers.ValidationError(
                        {"scope": [f"没有产业 {scope}（应为 district 或产业代码）"]}
                    )
                data["industry"] = industry
        if "indicator" in data:
            code = data.pop("indicator").strip()
            indicator = Indicator.objects.filter(code=code).first()
            if indicator is None:
                raise serializers.ValidationError({"indicator": [f"指标目录中没有 {code}"]})
            data["indicator"] = indicator
        return data


class TargetStale(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


class TargetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, GenericViewSet
):
    """The targets the caller may see (district targets for every government role, an industry's for those
    with it in scope). POST creates one and PATCH changes one (with the `version` you read) for the 发改局."""

    permission_required = VIEW
    write_permission = services.CHANGE
    serializer_class = TargetSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.target_list(user=self.request.user, include_retired=True)

    @extend_schema(request=TargetWrite, responses={201: TargetSerializer})
    def create(self, request, *args, **kwargs):
        payload = TargetWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        values = payload.resolved()
        missing = [name for name in ("scope", "indicator", "year", "value") if name not in request.data]
        if missing:
            raise serializers.ValidationError({name: ["必填"] for name in missing})
        target = services.target_create(values=values, by=request.user)
        return Response(TargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TargetWrite, responses={200: TargetSerializer, 409: OpenApiResponse(TargetStale)})
    def partial_update(self, request, pk=None):
        target = self.get_object()
        payload = TargetWrite(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        try:
            target = services.target_update(
                target=target,
                values=payload.resolved(),
                by=request.user,
                expected_version=payload.validated_data.get("version"),
            )
        except StaleEdit as stale:
            current = Target.objects.filter(pk=target.pk).values_list("version", flat=True).first()
            return Response(
                {"detail": str(stale), "current_version": current}, status=status.HTTP_409_CONFLICT
            )
        return Response(TargetSerializer(target).data)


class Bounds(serializers.Serializer):
    low = serializers.FloatField()
    high = serializers.FloatField()


class YearFigure(serializers.Serializer):
    year = serializers.IntegerField()
    value = serializers.FloatField()
    how = serializers.CharField(help_text="年度数, 4 个季度之和, 12 月累计值 …")


class PathPoint(serializers.Serializer):
    year = serializers.IntegerField()
    forecast = serializers.FloatField()
    low80 = serializers.FloatField()
    high80 = serializers.FloatField()
    low95 = serializers.FloatField()
    high95 = serializers.FloatField()


class TargetStatusSerializer(serializers.Serializer):
    target = TargetSerializer()
    subject = serializers.CharField(help_text="全区 or the industry's name")
    status = serializers.CharField(help_text="达标, 正常, 预警, 滞后 or 无数据")
    status_code = serializers.ChoiceField(["met", "on_track", "warning", "lagging", "unknown"])
    sentence = serializers.CharField()
    latest_year = serializers.IntegerField(allow_null=True)
    latest = serializers.FloatField(allow_null=True)
    required_growth = serializers.FloatField(
        allow_null=True, help_text="per year to the target: a fraction for amounts, points for shares"
    )
    trailing_growth = serializers.FloatField(allow_null=True)
    trailing_years = serializers.IntegerField()
    forecast = serializers.FloatField(allow_null=True, help_text="at the target year")
    interval_80 = Bounds(allow_null=True)
    interval_95 = Bounds(allow_null=True)
    probability = serializers.FloatField(allow_null=True)
    model = serializers.CharField()
    year_to_date = serializers.CharField(help_text="the year-to-date figures the forecast used, if any")
    stale = serializers.BooleanField(help_text="not updated within the indicator's frequency (plus 3 months)")
    latest_period_end = serializers.DateField(allow_null=True)
    yearly_rule_text = serializers.CharField()
    computed_from_enterprises = serializers.BooleanField()
    indicator_url = serializers.CharField()
    series = YearFigure(many=True)
    path = PathPoint(many=True)


STATUS_CODES = {"达标": "met", "正常": "on_track", "预警": "warning", "滞后": "lagging", "无数据": "unknown"}


def status_out(item: TargetStatus) -> dict:
    """One target's status as the API and the command print it."""
    o, figures = item.outlook, item.series.yearly

    def bounds(level: int):
        pair = o.intervals.get(level)
        return {"low": pair[0], "high": pair[1]} if pair else None

    return {
        "target": item.target,
        "subject": item.series.subject,
        "status": o.status.value,
        "status_code": STATUS_CODES[o.status.value],
        "sentence": o.sentence,
        "latest_year": o.latest_year,
        "latest": o.latest,
        "required_growth": o.required_growth,
        "trailing_growth": o.trailing_growth,
        "trailing_years": o.trailing_years,
        "forecast": o.forecast,
        "interval_80": bounds(80),
        "interval_95": bounds(95),
        "probability": o.probability,
        "model": o.model,
        "year_to_date": o.year_to_date,
        "stale": item.series.stale,
        "latest_period_end": item.series.latest_end,
        "yearly_rule_text": item.series.rule_text,
        "computed_from_enterprises": item.series.computed,
        "indicator_url": item.indicator_url,
        "series": [{"year": y, "value": v, "how": figures.how.get(y, "")} for y, v in figures.points],
        "path": [
            {"year": y, "forecast": f, "low95": lo95, "high95": hi95, "low80": lo80, "high80": hi80}
            for y, f, lo95, hi95, lo80, hi80 in o.path
        ],
    }


def parse_month(text: str | None, *, user):
    """`YYYY-MM` → the month's first day; empty → the month of the latest figure. ValidationError otherwise."""
    from datetime import date

    if not text:
        return selectors.latest_month(user=user)
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationError({"as_of": [f"截至月份应为 YYYY-MM（如 2025-10），而不是「{text}」"]}) from None


class TargetStatusApi(APIView):
    """Every visible target's status as of a month: latest figure, required and trailing growth, the forecast
    for the target year with 80% and 95% intervals, the probability, the status and its sentence, staleness,
    the yearly series it was read from and the forecast path."""

    permission_required = VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as_of", OpenApiTypes.STR, description="YYYY-MM (default: the month of the latest figure)"
            )
        ],
        responses=inline_serializer(
            name="TargetStatusList",
            fields={"as_of": serializers.CharField(), "results": TargetStatusSerializer(many=True)},
        ),
    )
    def get(self, request):
        as_of = parse_month(request.query_params.get("as_of"), user=request.user)
        items = selectors.target_outlooks(user=request.user, as_of=as_of)
        return Response(
            {
                "as_of": f"{as_of:%Y-%m}",
                "results": TargetStatusSerializer([status_out(item) for item in items], many=True).data,
            }
        )
