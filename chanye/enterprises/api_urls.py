from django.urls import path

from chanye.enterprises import api

urlpatterns = [path("uscc/check/", api.UsccCheckApi.as_view(), name="uscc-check")]
