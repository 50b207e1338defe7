from django.urls import path
from rest_framework.routers import SimpleRouter

from chanye.enterprises import api

router = SimpleRouter()
router.register("enterprises", api.EnterpriseViewSet, basename="enterprise")
router.register("enterprise-imports", api.ImportJobViewSet, basename="enterprise-import")

urlpatterns = [
    path("uscc/check/", api.UsccCheckApi.as_view(), name="uscc-check"),
    path("enterprise-classification/", api.ClassificationApi.as_view(), name="enterprise-classification"),
    *router.urls,
]
