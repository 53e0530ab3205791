"""Fixtures of the API tests: users who call with their own API token, and real datasets."""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from datasets.services import CreatorSpec
from tests.catalogue import published
from tests.factories import make_user

USERS = ("anonymous", "other", "owner", "staff")
VISIBILITIES = ("public", "restricted", "private")


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttles count requests in the cache; each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def users(owner):
    return {
        "anonymous": None,
        "other": make_user("other"),
        "owner": owner,
        "staff": make_user("staff", staff=True),
    }


def client_of(user) -> APIClient:
    """A client that authenticates as a script does: `Authorization: Token <key>`."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(users):
    """`api("owner")`: a client for one of USERS."""
    return lambda who: client_of(users[who])


@pytest.fixture
def make_published(owner, tmp_path):
    """`make_published(visibility, **fields)`: a published v1 with its ZIP, owned by `owner`,
    credited to a creator of its own (so who sees which creator is checkable)."""
    count = 0

    def make(visibility: str = "public", **fields):
        nonlocal count
        count += 1
        fields.setdefault("title", f"{visibility.title()} tiles {count}")
        fields.setdefault("per_class", {"a": 1, "b": 1})
        fields.setdefault("creators", (CreatorSpec(name=f"Doe, {visibility.title()} {count}"),))
        return published(owner, tmp_path / f"upload-{count}", visibility=visibility, **fields)

    return make
