"""What the login throttle (django-axes, configured in portal.settings) asks of the portal."""

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_address(request: HttpRequest) -> str:
    """The address a login comes from, found as the API's throttles find a client's: the
    X-Forwarded-For entry added by the last of API_NUM_PROXIES proxies, else REMOTE_ADDR. Behind
    a reverse proxy every login would otherwise come from the proxy, and one username's lockout
    would be everyone's."""
    return BaseThrottle().get_ident(request)
