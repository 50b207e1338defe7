from rest_framework.routers import SimpleRouter

from chanye.industries import api

router = SimpleRouter()
router.register("systems", api.IndustrySystemViewSet, basename="system")
router.register("industries", api.IndustryViewSet, basename="industry")
router.register("codes", api.ClassificationCodeViewSet, basename="code")
urlpatterns = router.urls
