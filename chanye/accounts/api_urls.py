from django.urls import path
from rest_framework.routers import SimpleRouter

from chanye.accounts import api

router = SimpleRouter()
router.register("users", api.UserViewSet, basename="user")
urlpatterns = [path("me/", api.MeApi.as_view(), name="me"), *router.urls]
