from django.urls import path

from chanye.economy import views

app_name = "economy"
urlpatterns = [
    path("", views.EconomyPageView.as_view(), name="page"),
    path("estimate/", views.EstimateRunView.as_view(), name="estimate"),
    path("rates/<str:division>/", views.RateEditView.as_view(), name="rate_edit"),
]
