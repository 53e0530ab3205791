"""Absolute URLs in the API's answers, built fast enough for long lists.

A page of images links each image twice, and Django's reverse() costs as much as serializing the
rest of the row. So each route is reversed once per host, with a marker where an object's key
goes, and each URL is that template with the key put in.
"""

import functools

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Digits, so that it fits `<int:pk>`, `<slug:slug>` and the router's lookups alike.
_MARKER = "7355608000000001"


def route_url(request, route: str, key, *, lookup: str = "pk") -> str:
    """Absolute URL of `route` for the object whose `lookup` is `key`."""
    return url_template(request, route, lookup).replace(_MARKER, str(key), 1)


def url_template(request, route: str, lookup: str) -> str:
    """The absolute URL of `route` with a marker for the key. API routes ("api:...") name the
    request's version (/api/v1/), also when it was asked through the /api/ alias, so that
    stored links keep their meaning when another version appears."""
    version = getattr(request, "version", None) if route.startswith("api:") else None
    return _template(request.scheme, request.get_host(), version, route, lookup)


@functools.lru_cache(maxsize=1024)
def _template(scheme: str, host: str, version: str | None, route: str, lookup: str) -> str:
    kwargs = {lookup: _MARKER, **({"version": version} if version else {})}
    return f"{scheme}://{host}{reverse(route, kwargs=kwargs)}"


@extend_schema_field(OpenApiTypes.URI)
class RouteUrlField(serializers.Field):
    """The absolute URL of `route` for the object: its attribute `key` fills the route's
    `lookup` parameter; null where that attribute is (a run without a model, say)."""

    def __init__(self, route: str, *, key: str = "pk", lookup: str = "pk", **kwargs) -> None:
        self.route, self.key, self.lookup = route, key, lookup
        self._template = ""  # found on first use: a field serves one request's serializer
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str | None:
        value = getattr(instance, self.key)
        if value is None:
            return None
        if not self._template:
            self._template = url_template(self.context["request"], self.route, self.lookup)
        return self._template.replace(_MARKER, str(value), 1)
