from django.urls import path
from rest_framework.routers import SimpleRouter

from chanye.economy import api

router = SimpleRouter()
router.register("value-added-rates", api.ValueAddedRateViewSet, basename="value-added-rate")

urlpatterns = [
    path("value-added/", api.ValueAddedApi.as_view(), name="value-added"),
    *router.urls,
]
