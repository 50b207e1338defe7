from django.urls import path

from chanye.organizations import views

app_name = "organizations"
urlpatterns = [
    path("responsibility/", views.ResponsibilityMatrixView.as_view(), name="responsibility_matrix"),
    path("leaders/", views.LeaderListView.as_view(), name="leader_list"),
    path("leaders/<str:code>/", views.LeaderDetailView.as_view(), name="leader_detail"),
    path("leaders/<str:code>/edit/", views.LeaderEditView.as_view(), name="leader_edit"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/<str:code>/", views.DepartmentDetailView.as_view(), name="department_detail"),
    path("departments/<str:code>/edit/", views.DepartmentEditView.as_view(), name="department_edit"),
    path("offices/<str:code>/edit/", views.IndustryOfficeEditView.as_view(), name="office_edit"),
    path("task-forces/<str:code>/edit/", views.TaskForceEditView.as_view(), name="task_force_edit"),
    path("streets/", views.StreetListView.as_view(), name="street_list"),
    path("streets/<str:code>/edit/", views.StreetEditView.as_view(), name="street_edit"),
]
