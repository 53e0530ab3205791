"""Fixtures shared by the whole suite: real database, real storage in a temporary folder."""

import pytest

# The services tier's own servers: S3 (moto_server) for `s3_storage`, Google Cloud Storage
# (gcp-storage-emulator) for `gcs_storage`, a private PostgreSQL for `private_postgres`.
pytest_plugins = ["tests.s3", "tests.gcs", "tests.postgres"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes files into its own MEDIA_ROOT, so 'no file left behind' is checkable."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 takes half a second a user by design; tests need the check, not the cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
