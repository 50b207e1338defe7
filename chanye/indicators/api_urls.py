from django.urls import path
from rest_framework.routers import SimpleRouter

from chanye.indicators import api

router = SimpleRouter()
router.register("indicators", api.IndicatorViewSet, basename="indicator")
router.register("observations", api.ObservationViewSet, basename="observation")
router.register("indicator-imports", api.IndicatorImportViewSet, basename="indicator-import")

urlpatterns = [
    path("indicator-aggregates/", api.IndicatorAggregateApi.as_view(), name="indicator-aggregates"),
    *router.urls,
]
