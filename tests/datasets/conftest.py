"""Fixtures of the catalogue tests."""

import pytest

from tests.datasets.datacite_server import datacite_configured, datacite_server  # noqa: F401
from tests.factories import make_user


@pytest.fixture
def curator(db):
    """A superuser: the import command's default owner."""
    return make_user("curator", staff=True)
