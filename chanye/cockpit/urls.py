from django.urls import path  # noqa: F401

app_name = "cockpit"

# The district overview and wall mode (views.py) and the scorecards per leader and department (scorecards.py).
urlpatterns: list = []
