from django.urls import path

from chanye.industries import views

app_name = "industries"
urlpatterns = [
    path("systems/", views.SystemHomeView.as_view(), name="system_home"),
    path("systems/load/", views.SystemLoadView.as_view(), name="system_load"),
    path("systems/<slug:code>/", views.SystemDetailView.as_view(), name="system_detail"),
    path("systems/<slug:code>/diff/", views.SystemDiffView.as_view(), name="system_diff"),
    path("systems/<slug:code>/export/", views.SystemExportView.as_view(), name="system_export"),
    path(
        "systems/<slug:code>/versions/<str:version>/",
        views.SystemVersionView.as_view(),
        name="system_version",
    ),
    path("industries/", views.IndustryListView.as_view(), name="industry_list"),
    path("industries/<int:pk>/", views.IndustryDetailView.as_view(), name="industry_detail"),
    path(
        "industries/<int:pk>/responsibility/",
        views.ResponsibilityEditView.as_view(),
        name="responsibility_edit",
    ),
    path("codes/", views.CodeSearchView.as_view(), name="code_search"),
]
