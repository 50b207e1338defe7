"""REST API of the value-added module: the rate table (list, read, PATCH with the `version` you read — bad
values get 400 naming the field, a stale version 409) and the estimates (GET the latest per year, POST to run
one), through the same selectors and services as the page."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet, mixins

from chanye.core.errors import StaleEdit
from chanye.economy import selectors, services
from chanye.economy.models import EstimateRun, ValueAddedRate

VIEW = "system.view"


class RateSerializer(serializers.ModelSerializer):
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, help_text="value added ÷ revenue (for 51/52: ÷ gross margin)"
    )
    margin_rate = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, help_text="gross margin ÷ sales; 51 and 52 only"
    )

    class Meta:
        model = ValueAddedRate
        fields = ["division", "name", "rate", "margin_rate", "source", "version", "updated_by", "updated_at"]


class RateWrite(serializers.Serializer):
    rate = serializers.CharField(required=False, help_text="0.25 or 25%")
    margin_rate = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="51/52 only; 0.08 or 8%"
    )
    source = serializers.CharField(required=False, max_length=2000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    version = serializers.IntegerField(required=False, help_text="the version you read; a stale one gets 409")


class RateStale(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


class ValueAddedRateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The value-added rate of every GB/T 4754-2017 division, for every government role. PATCH changes one
    (发改局 and the statistics bureau), keeping the earlier value in its history."""

    permission_required = VIEW
    write_permission = services.CHANGE
    serializer_class = RateSerializer
    lookup_field = "division"
    http_method_names = ["get", "patch", "head", "options"]
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return selectors.rate_list()

    @extend_schema(request=RateWrite, responses={200: RateSerializer, 409: OpenApiResponse(RateStale)})
    def partial_update(self, request, division=None):
        row = self.get_object()
        payload = RateWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        values = {k: v for k, v in payload.validated_data.items() if k in ("rate", "margin_rate", "source")}
        try:
            row = services.rate_update(
                row=row,
                values=values,
                by=request.user,
                reason=payload.validated_data.get("reason", ""),
                expected_version=payload.validated_data.get("version"),
            )
        except StaleEdit as stale:
            current = ValueAddedRate.objects.filter(pk=row.pk).values_list("version", flat=True).first()
            return Response(
                {"detail": str(stale), "current_version": current}, status=status.HTTP_409_CONFLICT
            )
        return Response(RateSerializer(row).data)


class EstimateWrite(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    partial_weight = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False
    )


def run_out(run: EstimateRun, user) -> dict:
    """One estimate as the API returns it (decimals as strings, 亿元 unless named 万元)."""
    figures = selectors.figures_for(user=user, run=run)
    return {
        "year": run.year,
        "run_at": run.run_at,
        "run_by": run.run_by.username if run.run_by else None,
        "months": run.months,
        "firms": run.firms,
        "revenue_wan": str(run.revenue),
        "unrated_firms": run.unrated_firms,
        "unrated_revenue_wan": str(run.unrated_revenue),
        "estimate": str(run.estimate),
        "gdp": str(run.gdp) if run.gdp is not None else None,
        "gdp_how": figures.get("gdp_how", ""),
        "gdp_preliminary": figures.get("gdp_preliminary", False),
        "scale": str(run.scale) if run.scale is not None else None,
        "partial_weight": str(run.partial_weight),
        "recorded": run.recorded,
        "counts": run.counts,
        "note": run.note,
        "synthetic": run.synthetic,
        "source_ref": run.source_ref,
        "district": figures.get("district"),
        "industries": [
            {k: v for k, v in row.items() if k != "position"} for row in figures.get("industries", [])
        ],
        "shares": figures.get("shares", []),
        "divisions": figures.get("divisions", []),
    }


class ValueAddedApi(APIView):
    """GET: the latest estimate of each year (or of `year`): district and industry value added, each with
    the figure used and its basis (official / estimated), the scale factor to GDP, and the three shares with
    numerator, denominator and contributing divisions. POST {year, partial_weight}: run the estimate."""

    permission_required = VIEW
    write_permission = services.CHANGE

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description="one year (default: every year)")],
        responses=inline_serializer(
            name="ValueAddedList", fields={"results": serializers.ListField(child=serializers.DictField())}
        ),
    )
    def get(self, request):
        text = request.query_params.get("year")
        if text is not None:
            if not text.strip().isdigit():
                raise serializers.ValidationError({"year": [f"应为四位年份，而不是「{text}」"]})
            run = selectors.latest_run(year=int(text))
            runs = [run] if run is not None else []
        else:
            runs = selectors.latest_runs()
        return Response({"results": [run_out(run, request.user) for run in runs]})

    @extend_schema(request=EstimateWrite, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        payload = EstimateWrite(data=request.data)
        payload.is_valid(raise_exception=True)
        run = services.estimate_run(
            year=payload.validated_data["year"],
            by=request.user,
            partial_weight=payload.validated_data.get("partial_weight"),
        )
        return Response(run_out(run, request.user), status=status.HTTP_201_CREATED)
