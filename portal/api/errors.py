"""Every error of the API as JSON with a message a person can read and a code a script can test.

Django's own pages would answer some errors in HTML (a 404 from a view, a crash); this handler
answers all of them, including the refusals of our services, which name the problem in one line.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from datasets.exceptions import AccessRequestRefused, ImportRejected, PublishRefused
from generation.exceptions import GenerationRejected

logger = logging.getLogger(__name__)

# Refusals of our services: their message is written for the user and goes out as it is.
REFUSALS = (ImportRejected, PublishRefused, AccessRequestRefused, GenerationRejected)


class Rejected(exceptions.APIException):
    """A refusal of one of our services (REFUSALS), with its message as the detail."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "rejected"


def exception_handler(exc: Exception, context: dict) -> Response:
    """Every error of the API as JSON: `{"detail": <one readable sentence>, "code": <stable
    machine name>}`, plus `"errors"` by field for invalid input.

    Whatever representation the request negotiated (BibTeX, a ZIP), an error is JSON; and an
    unexpected exception is logged and answered as a JSON 500, never Django's HTML page.
    """
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("API request failed", exc_info=exc)
        response = Response(
            {
                "detail": "Internal error: the request was not completed and has been logged.",
                "code": "server_error",
            },
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    else:
        response.data = _error_body(exc)
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, REFUSALS):
        return Rejected(str(exc))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    return exc


def _error_body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail
        if not isinstance(errors, dict):
            errors = {api_settings.NON_FIELD_ERRORS_KEY: errors}
        return {"detail": _summary(errors), "code": "invalid", "errors": errors}
    return {"detail": str(exc.detail), "code": exc.get_codes()}


def _summary(detail, field: str = "") -> str:
    """The first problem as one sentence, `field: message`, so a script can print it."""
    if isinstance(detail, dict):
        name, value = next(iter(detail.items()))
        if name != api_settings.NON_FIELD_ERRORS_KEY:
            field = f"{field}.{name}" if field else str(name)
        return _summary(value, field)
    if isinstance(detail, list) and detail:
        return _summary(detail[0], field)
    return f"{field}: {detail}" if field else str(detail)
