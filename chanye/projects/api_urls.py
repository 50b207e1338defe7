from django.urls import path
from rest_framework.routers import SimpleRouter

from chanye.projects import api, import_api, reminders_api, rules_api

router = SimpleRouter()
router.register("projects", api.ProjectViewSet, basename="project")
router.register("filings", api.FilingViewSet, basename="filing")
router.register("project-imports", import_api.ProjectImportViewSet, basename="project-import")

urlpatterns = [
    path("project-lights/", api.LightsApi.as_view(), name="project-lights"),
    path("project-forecast/", api.ForecastApi.as_view(), name="project-forecast"),
    path("project-light-rules/", rules_api.LightRulesApi.as_view(), name="project-light-rules"),
    path("project-lights/backtest/", rules_api.BackTestApi.as_view(), name="project-lights-backtest"),
    # before the router, whose filings/<pk>/ would take it
    path("filings/remind/", reminders_api.FilingRemindApi.as_view(), name="filing-remind"),
    path("filing-reminders/", reminders_api.ReminderListApi.as_view(), name="filing-reminder-list"),
    *router.urls,
]
