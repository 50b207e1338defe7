from django.urls import path

from chanye.cockpit import scorecard_views, views

app_name = "cockpit"

# The district overview and wall mode (views.py) and the scorecards per leader and department (scorecard_views.py).
urlpatterns: list = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("wall/", views.WallView.as_view(), name="wall"),
    path("widgets/<slug:name>/", views.WidgetView.as_view(), name="widget"),
    *scorecard_views.scorecard_paths(),
]
