from django.urls import path

from chanye.casework import views

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("new/", views.CaseCreateView.as_view(), name="create"),
    path("sla/", views.SlaView.as_view(), name="sla"),
    path("escalate/", views.CaseEscalateView.as_view(), name="escalate"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/assign/", views.CaseAssignView.as_view(), name="assign"),
    path("<int:pk>/comment/", views.CaseCommentView.as_view(), name="comment"),
    path("<int:pk>/deadline/", views.CaseDeadlineView.as_view(), name="deadline"),
    path("<int:pk>/resolve/", views.CaseResolveView.as_view(), name="resolve"),
    path("<int:pk>/reopen/", views.CaseReopenView.as_view(), name="reopen"),
    path("<int:pk>/cancel/", views.CaseCancelView.as_view(), name="cancel"),
]
