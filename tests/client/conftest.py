"""Fixtures of the client's tests: a live portal (pytest-django's live_server, a real HTTP
server over the test database), published versions with their ZIPs, and an environment that
points the client at that portal with its cache and config file in the test's own folder."""

import numpy as np
import pytest
from PIL import Image
from rest_framework.authtoken.models import Token

from abid.downloads import CHUNK_BYTES
from datasets.license_data import install_licenses
from datasets.models import License
from datasets.services import CreatorSpec, build_archive, import_dataset, publish_version
from tests.api.builders import synthetic_version, trained_model
from tests.api.conftest import fresh_throttles  # noqa: F401  (autouse: throttles start uncounted)
from tests.factories import make_user


@pytest.fixture
def owner(db):
    install_licenses(License)  # transactional tests flush the table the migration filled
    return make_user("owner")


@pytest.fixture
def token(owner) -> str:
    return Token.objects.create(user=owner).key


@pytest.fixture
def version(owner, tmp_path):
    """A published version of two classes whose ZIP is a few chunks long: noise does not
    compress."""
    rng = np.random.default_rng(0)
    for name in ("G1", "G2"):
        folder = tmp_path / "upload" / name
        folder.mkdir(parents=True)
        for index in range(40):
            pixels = rng.integers(0, 256, (96, 96, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{index}.png")
    draft = import_dataset(
        source=tmp_path / "upload",
        title="Noise tiles",
        license_spdx="CC-BY-4.0",
        owner=owner,
        creators=[CreatorSpec(name="Doe, Jane")],
        visibility="public",
    ).version
    published = build_archive(version=publish_version(version=draft, user=owner))
    assert published.archive_size > 2 * CHUNK_BYTES
    return published


@pytest.fixture
def synthetic(version, owner):
    """A published synthetic version derived from `version`, three images per class, each with
    the model and seed that made it."""
    return synthetic_version(version, owner, model=trained_model(version, owner), per_class=3)


@pytest.fixture
def portal(live_server, token, tmp_path, monkeypatch):
    """The client's environment: this portal and token, a cache and config file of the test's
    own (never the user's home). Returns the portal's URL."""
    monkeypatch.setenv("ABID_URL", live_server.url)
    monkeypatch.setenv("ABID_TOKEN", token)
    monkeypatch.setenv("ABID_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ABID_CONFIG", str(tmp_path / "config" / "abid.json"))
    return live_server.url
