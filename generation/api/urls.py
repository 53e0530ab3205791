"""The generation API's routes, registered on the one router of /api/v1/ (portal.api.urls)."""

from rest_framework.routers import SimpleRouter

from generation.api import views

router = SimpleRouter()
router.register("models", views.GanModelViewSet, basename="model")
router.register("training-runs", views.TrainingRunViewSet, basename="training-run")
router.register("generation-jobs", views.GenerationJobViewSet, basename="generation-job")
router.register(
    r"versions/(?P<id>[0-9]+)/quality",
    views.VersionQualityViewSet,
    basename="version-quality",
)
