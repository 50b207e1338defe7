from rest_framework.routers import SimpleRouter

from chanye.projects import api

router = SimpleRouter()
router.register("projects", api.ProjectViewSet, basename="project")
router.register("filings", api.FilingViewSet, basename="filing")

urlpatterns = router.urls
