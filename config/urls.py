from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from chanye.core import views as core_views

api_v1 = [
    path("", include("chanye.industries.api_urls")),
    path("", include("chanye.organizations.api_urls")),
    path("", include("chanye.accounts.api_urls")),
    path("", include("chanye.audit.api_urls")),
    path("", include("chanye.enterprises.api_urls")),
    path("", include("chanye.projects.api_urls")),
    path("", include("chanye.casework.api_urls")),
    path("", include("chanye.indicators.api_urls")),
    path("", include("chanye.targets.api_urls")),
    path("", include("chanye.cockpit.scorecard_api")),
    path("", include("chanye.economy.api_urls")),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("chanye.accounts.urls")),
    path("audit/", include("chanye.audit.urls")),
    path("enterprises/", include("chanye.enterprises.urls")),
    path("projects/", include("chanye.projects.urls")),
    path("cases/", include("chanye.casework.urls")),
    path("indicators/", include("chanye.indicators.urls")),
    path("targets/", include("chanye.targets.urls")),
    path("economy/", include("chanye.economy.urls")),
    path("cockpit/", include("chanye.cockpit.urls")),
    path("", include("chanye.industries.urls")),
    path("", include("chanye.organizations.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
]
