from django.urls import path
from rest_framework.routers import SimpleRouter

from chanye.projects import api

router = SimpleRouter()
router.register("projects", api.ProjectViewSet, basename="project")
router.register("filings", api.FilingViewSet, basename="filing")

urlpatterns = [
    path("project-lights/", api.LightsApi.as_view(), name="project-lights"),
    path("project-forecast/", api.ForecastApi.as_view(), name="project-forecast"),
    *router.urls,
]
