from rest_framework.routers import SimpleRouter

from chanye.audit import api

router = SimpleRouter()
router.register("audit-events", api.AuditEventViewSet, basename="audit-event")
urlpatterns = router.urls
