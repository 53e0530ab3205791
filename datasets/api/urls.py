"""The catalogue's API routes, registered on the one router of /api/v1/ (portal.api.urls), which
adds the API root, the optional trailing slash and the `.{format}` suffixes."""

from rest_framework.routers import SimpleRouter

from datasets.api import views

router = SimpleRouter()
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register("versions", views.VersionViewSet, basename="version")
router.register("licenses", views.LicenseViewSet, basename="license")
router.register("creators", views.CreatorViewSet, basename="creator")
router.register("uploads", views.UploadViewSet, basename="upload")
