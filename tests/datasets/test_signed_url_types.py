"""Object stores serve a user's file with the type and disposition the portal chose, not the one
they recorded when it was written: the signed URL says which (S3 through moto_server, GCS
through its emulator, both over HTTP; tests/s3.py and tests/gcs.py)."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.catalogue import imported_draft
from tests.datasets.test_served_types import store_legacy_image
from tests.datasets.uploads import png_with_script
from tests.factories import make_user

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def fetched_headers(url: str) -> tuple[str, str]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        answer.read()
        return answer.headers["Content-Type"], answer.headers["Content-Disposition"]


def served_as(client, url: str, *, honours_type: bool) -> tuple[str, str]:
    """The type and disposition a page's redirect makes the store answer with. The GCS emulator
    ignores response-content-type (GCS itself honours it): there the signed query says it."""
    response = client.get(url)
    assert response.status_code == 302
    location = response["Location"]
    content_type, disposition = fetched_headers(location)
    if not honours_type:
        content_type = parse_qs(urlsplit(location).query)["response-content-type"][0]
    return content_type, disposition


@pytest.mark.parametrize(("store", "honours_type"), [("s3_storage", True), ("gcs_storage", False)])
def test_the_store_serves_images_as_the_portal_says(request, client, tmp_path, store, honours_type):
    request.getfixturevalue(store)
    owner = make_user("owner")
    version = imported_draft(owner, tmp_path / "uploads")
    image = version.images.first()
    legacy = store_legacy_image(version, "evil.html", png_with_script())
    client.force_login(owner)

    def served(name: str, pk: int) -> tuple[str, str]:
        return served_as(client, reverse(name, args=[pk]), honours_type=honours_type)

    assert served("datasets:image-file", image.pk) == (
        "image/png",
        f'inline; filename="{image.file.name.split("/")[-1]}"',
    )
    # Stored as text/html, as its name says; never served so.
    assert served("datasets:image-file", legacy.pk) == (
        "application/octet-stream",
        'attachment; filename="evil.html"',
    )
    assert served("datasets:image-thumbnail", image.pk)[0] == "image/png"
