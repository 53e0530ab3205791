"""How drf-spectacular describes the API: the bearer scheme, and each endpoint once."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from portal.api.auth import BearerTokenAuthentication

VERSIONED = "/api/{version}/"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """drf-spectacular would name both token schemes `tokenAuth`; this one is HTTP bearer."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


def versioned_endpoints_only(endpoints: list) -> list:
    """Preprocessing hook: document each endpoint once, under /api/{version}/, not again under
    its /api/ alias or the catch-all."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(VERSIONED)]


ERROR = {
    "type": "object",
    "description": "Every error of the API (portal.api.errors).",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in one sentence."},
        "code": {"type": "string", "description": "A stable name: not_found, invalid, ..."},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "For invalid input: the messages by field.",
        },
    },
    "required": ["detail", "code"],
}


def error_responses(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: document that any operation may answer a 4XX, always as Error."""
    result["components"]["schemas"]["Error"] = ERROR
    refused = {
        "description": "Refused: `detail` says why (401 sign in, 403 not allowed, 404 not "
        "there or not yours to see, 429 throttled: see Retry-After).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for operations in result["paths"].values():
        for operation in operations.values():
            operation["responses"].setdefault("4XX", refused)
    return result
