from django.urls import path

from chanye.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("filings/", views.FilingBoardView.as_view(), name="filings"),
    path("filings/<int:pk>/review/", views.FilingReviewView.as_view(), name="review"),
    path("<str:code>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<str:code>/filings/<str:period>/", views.FilingEditView.as_view(), name="filing"),
]
