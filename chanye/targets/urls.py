from django.urls import path

from chanye.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.TargetListView.as_view(), name="list"),
    path("new/", views.TargetCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.TargetEditView.as_view(), name="edit"),
]
