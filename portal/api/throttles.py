"""How often: the scopes `anon` (by IP address), `user` (by account), and the scopes views add on
top, `downloads` and `jobs`. Rates are in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]; a throttled
request gets 429 with Retry-After (portal.api.errors)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class _RatesFromSettings:
    """DRF copies DEFAULT_THROTTLE_RATES into the throttle class when it is first imported;
    reading them on each request lets a changed setting (a test's, a deployment's) apply."""

    @property
    def THROTTLE_RATES(self) -> dict:  # noqa: N802 (the name DRF reads)
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonThrottle(_RatesFromSettings, AnonRateThrottle):
    """Scope `anon`: requests without an account, by client IP address."""


class UserThrottle(_RatesFromSettings, UserRateThrottle):
    """Scope `user`: requests of a signed-in user or a token, by user. DRF's would count
    anonymous requests here too, by address; they have their own scope, `anon`."""

    def get_cache_key(self, request, view) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class ScopedThrottle(_RatesFromSettings, ScopedRateThrottle):
    """The scope a view names (`downloads`, `jobs`), counted on top of `anon` or `user`."""
