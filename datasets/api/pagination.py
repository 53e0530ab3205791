"""The catalogue's own kinds of API page: a dataset search with its facet counts, and a
version's images by cursor. The general kinds are in portal/api/pagination.py."""

from django.conf import settings

from datasets.selectors import FACETS
from portal.api.pagination import CheckedCursorPages, Pages


class SearchPages(Pages):
    """A page of a dataset search, with, when asked, the facet counts of the whole result beside
    it as the search page shows them: what ticking one more value would give. The view sets
    `facets`."""

    page_size = settings.DATASETS_PER_PAGE
    facets: dict | None = None

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.facets is not None:
            response.data["facets"] = self.facets
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        value = {
            "type": "object",
            "properties": {
                "value": {"type": "string", "description": "as given in the query parameter"},
                "label": {"type": "string"},
                "count": {"type": "integer"},
                "selected": {"type": "boolean"},
            },
            "required": ["value", "label", "count", "selected"],
        }
        paginated["properties"]["facets"] = {
            "type": "object",
            "description": "With `facets=true`: for each facet, its values among the results "
            "of the query and the other facets, with counts.",
            "properties": {facet.name: {"type": "array", "items": value} for facet in FACETS},
        }
        return paginated


class ImagePages(CheckedCursorPages):
    """A version's images in a stable order; a cursor, not a page number, so that going deep
    into 100,000 images costs as little as the first page."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
