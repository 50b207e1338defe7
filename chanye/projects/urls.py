from django.urls import path

from chanye.projects import views

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
    path("<str:code>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<str:code>/filings/<str:period>/", views.FilingEditView.as_view(), name="filing"),
]
