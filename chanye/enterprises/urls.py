from django.urls import path

from chanye.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("stats/", views.EnterpriseStatsView.as_view(), name="stats"),
    path("liaison/", views.LiaisonBoardView.as_view(), name="liaison"),
    path("classification/", views.ClassificationView.as_view(), name="classification"),
    path("tags/", views.TagListView.as_view(), name="tags"),
    path("export.<str:fmt>", views.ExportView.as_view(), name="export"),
    path("template.<str:fmt>", views.TemplateView.as_view(), name="template"),
    path("imports/", views.ImportView.as_view(), name="import"),
    path("imports/<uuid:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<uuid:pk>/errors.xlsx", views.ImportErrorsView.as_view(), name="import_errors"),
    path("<str:uscc>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<str:uscc>/edit/", views.EnterpriseEditView.as_view(), name="edit"),
    path("<str:uscc>/industries/", views.OverrideView.as_view(), name="override"),
    path("<str:uscc>/liaison/", views.LiaisonSetView.as_view(), name="liaison_set"),
    path("<str:uscc>/visits/", views.VisitLogView.as_view(), name="visit_log"),
]
