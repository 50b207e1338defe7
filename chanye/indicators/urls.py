from django.urls import path

from chanye.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.IndicatorListView.as_view(), name="list"),
    path("imports/", views.IndicatorImportView.as_view(), name="import"),
    path("imports/<uuid:pk>/", views.IndicatorImportDetailView.as_view(), name="import_detail"),
    path("imports/<uuid:pk>/errors.xlsx", views.IndicatorImportErrorsView.as_view(), name="import_errors"),
    path("template.xlsx", views.ImportTemplateView.as_view(), name="template"),
    path("<slug:code>/", views.IndicatorDetailView.as_view(), name="detail"),
]
