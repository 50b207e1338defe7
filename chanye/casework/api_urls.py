from rest_framework.routers import SimpleRouter

from chanye.casework import api

router = SimpleRouter()
router.register("cases", api.CaseViewSet, basename="case")

urlpatterns = router.urls
