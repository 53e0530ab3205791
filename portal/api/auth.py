"""Who is asking: API tokens sent as `Authorization: Token <key>` or `Bearer <key>`."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """The same tokens as `Authorization: Token <key>`, sent as `Authorization: Bearer <key>`,
    which is what most HTTP libraries and API tools send for a token."""

    keyword = "Bearer"
