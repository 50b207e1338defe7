from rest_framework.routers import SimpleRouter

from chanye.organizations import api

router = SimpleRouter()
router.register("departments", api.DepartmentViewSet, basename="department")
router.register("leaders", api.LeaderViewSet, basename="leader")
router.register("offices", api.IndustryOfficeViewSet, basename="office")
router.register("task-forces", api.TaskForceViewSet, basename="task-force")
router.register("streets", api.StreetViewSet, basename="street")
router.register("responsibilities", api.ResponsibilityViewSet, basename="responsibility")
urlpatterns = router.urls
