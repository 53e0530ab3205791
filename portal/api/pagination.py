"""How the API's lists are cut into pages, for every app's API. Every list has a page_size
parameter with a cap, so that no request makes the server build an unbounded answer."""

import base64

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


INVALID_CURSOR = "not a cursor of this list: follow the `next` and `previous` links"


class CheckedCursorPages(CursorPagination):
    """Cursor pages that answer 400, naming the cursor, to any cursor they did not hand out.

    DRF answers a cursor it cannot decode with a 404, and puts a decodable cursor's position
    into the query unchecked, where one that is no value of the ordering field (`p=x`, `p=1e5`)
    fails as a 500. Here the position must be a valid value of that field.
    """

    def paginate_queryset(self, queryset, request, view=None):
        ordering = self.get_ordering(request, queryset, view)
        self.position_field = _ordering_field(queryset.model, ordering[0])
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            _check_base64(request.query_params.get(self.cursor_query_param))
            cursor = super().decode_cursor(request)
            if cursor is not None and cursor.position is not None:
                self.position_field.clean(cursor.position, None)
        except (ValueError, NotFound, DjangoValidationError):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        return cursor


def _check_base64(encoded: str | None) -> None:
    """Raise ValueError unless `encoded` is strict base64: DRF's decoder drops the characters
    it does not know, so that `%%%` would read as no cursor at all, the first page."""
    if encoded is not None:
        base64.b64decode(encoded, validate=True)


def _ordering_field(model: type[Model], ordering: str) -> Field:
    name = ordering.lstrip("-")
    return model._meta.pk if name == "pk" else model._meta.get_field(name)
