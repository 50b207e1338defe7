from django.urls import path

from chanye.projects import views
from chanye.projects.views import editing
from chanye.projects.views import imports as import_views
from chanye.projects.views import reminders as reminder_views
from chanye.projects.views import rules as rule_views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("filings/", views.FilingBoardView.as_view(), name="filings"),
    path("lights/", views.LightsView.as_view(), name="lights"),
    path("forecast/", views.ForecastView.as_view(), name="forecast"),
    path("rollup/", views.RollupView.as_view(), name="rollup"),
    path("stages/", views.StageChangesView.as_view(), name="stages"),
    path("monthly.xlsx", views.MonthlyTableView.as_view(), name="monthly_table"),
    path("filings/<int:pk>/review/", views.FilingReviewView.as_view(), name="review"),
    path("lights/rules/", rule_views.LightRulesView.as_view(), name="rules"),
    path("lights/backtest/", rule_views.BackTestView.as_view(), name="backtest"),
    path("reminders/", reminder_views.RemindersView.as_view(), name="reminders"),
    path("imports/", import_views.ProjectImportView.as_view(), name="imports"),
    path("imports/<uuid:pk>/", import_views.ProjectImportDetailView.as_view(), name="import_detail"),
    path(
        "imports/<uuid:pk>/errors.xlsx", import_views.ProjectImportErrorsView.as_view(), name="import_errors"
    ),
    path(
        "imports/template/<str:kind>.xlsx",
        import_views.ProjectImportTemplateView.as_view(),
        name="import_template",
    ),
    path("new/", editing.ProjectCreateView.as_view(), name="create"),
    path("<str:code>/edit/", editing.ProjectEditView.as_view(), name="edit"),
    path("<str:code>/plan/", editing.PlanSaveView.as_view(), name="plan_save"),
    path("<str:code>/milestones/", editing.MilestonesSaveView.as_view(), name="milestones_save"),
    path("<str:code>/bonds/", editing.BondSaveView.as_view(), name="bond_create"),
    path("<str:code>/bonds/<int:pk>/", editing.BondSaveView.as_view(), name="bond_save"),
    path("<str:code>/bonds/<int:pk>/spend/", editing.BondSpendSaveView.as_view(), name="bond_spend_save"),
    path("<str:code>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<str:code>/filings/<str:period>/", views.FilingEditView.as_view(), name="filing"),
]
