from django.urls import path
from rest_framework.routers import SimpleRouter

from chanye.targets import api

router = SimpleRouter()
router.register("targets", api.TargetViewSet, basename="target")

urlpatterns = [
    path("target-status/", api.TargetStatusApi.as_view(), name="target-status"),
    *router.urls,
]
