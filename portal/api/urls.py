"""URLs of the REST API, included under /api/ by portal.urls.

Versioning is in the path: `/api/v1/...` is the API, and `/api/...` answers the same as the
newest version, so that the short form `POST /api/models/7/generate` works. Links in
responses always name the version (`/api/v1/...`), so stored links keep their meaning when a v2
appears beside v1. Every URL works with or without its trailing slash, and takes `.{format}`
suffixes (e.g. `/api/v1/versions/7.bib`). Anything else under /api/ is a JSON 404, never the
HTML page.
"""

from django.http import HttpRequest, HttpResponseBase
from django.urls import include, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter

from datasets.api.urls import router as datasets_router
from generation.api.urls import router as generation_router
from portal.api import schema  # noqa: F401 (registers the bearer scheme with drf-spectacular)


class ApiRouter(DefaultRouter):
    """The apps' routes on one router, with the API root that lists them."""

    def __init__(self) -> None:
        super().__init__()
        for app_router in (datasets_router, generation_router):
            self.registry.extend(app_router.registry)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def not_found(request, *args, **kwargs):
    raise NotFound("No such API endpoint: see /api/docs/ for the list.")


@csrf_exempt  # the view it hands over to does its own checks
def unmatched(request: HttpRequest) -> HttpResponseBase:
    """A URL under /api/ that no route matched. One that lacks only its trailing slash is served
    by the route with it: Django's APPEND_SLASH would redirect, and a redirected POST comes
    back as a GET. Anything else is a JSON 404."""
    if not request.path_info.endswith("/"):
        match = resolve(request.path_info + "/")
        if match.func is not unmatched:
            request.resolver_match = match
            return match.func(request, *match.args, **match.kwargs)
    return not_found(request)


router = ApiRouter()
app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^(?P<version>v1)/", include(router.urls)),
    path("", include(router.urls)),
    re_path(r"^", unmatched),
]
