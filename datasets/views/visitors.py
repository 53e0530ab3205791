"""Who is asking, as the counters know them."""

from django.http import HttpRequest

from datasets import services


def visitor_of(request: HttpRequest) -> str:
    """The visitor key of a request: its user, or else its IP address. Behind a reverse proxy,
    REMOTE_ADDR must carry the client's address (e.g. the proxy protocol), or every anonymous
    visitor counts as one."""
    return services.visitor_key(user=request.user, address=request.META.get("REMOTE_ADDR", ""))
