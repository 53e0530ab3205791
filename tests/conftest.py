"""Fixtures shared by the whole suite: real database, real storage in a temporary folder."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes files into its own MEDIA_ROOT, so 'no file left behind' is checkable."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root
