"""Who gets what: anonymous, another user, the owner and staff, against public, restricted and
private datasets, for the page, a thumbnail, an image file and the ZIP (docs/security.md).

Private answers 404 to outsiders (its existence does not leak); restricted shows its page to
all but its files (403) only to editors and approved users.
"""

import pytest
from django.urls import reverse

from datasets.models import DatasetVersion
from tests.catalogue import body, published
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ALLOWED, DENIED, HIDDEN = 200, 403, 404

EXPECTED = {
    # visibility: {who: (page, files)}
    "public": {
        "anonymous": (200, 200),
        "other": (200, 200),
        "owner": (200, 200),
        "staff": (200, 200),
    },
    "restricted": {
        "anonymous": (200, DENIED),
        "other": (200, DENIED),
        "owner": (200, ALLOWED),
        "staff": (200, ALLOWED),
    },
    "private": {
        "anonymous": (HIDDEN, HIDDEN),
        "other": (HIDDEN, HIDDEN),
        "owner": (200, ALLOWED),
        "staff": (200, ALLOWED),
    },
}
RESOURCES = ("page", "thumbnail", "file", "zip")


def resource_url(version: DatasetVersion, resource: str) -> str:
    image = version.images.order_by("pk").first()
    slug, number = version.dataset.slug, version.number
    return {
        "page": reverse("datasets:detail", args=[slug]),
        "thumbnail": reverse("datasets:image-thumbnail", args=[image.pk]),
        "file": reverse("datasets:image-file", args=[image.pk]),
        "zip": reverse("datasets:download", args=[slug, number]),
    }[resource]


@pytest.fixture
def owner(db):
    return make_user("owner")


def log_in(client, who: str, owner) -> None:
    if who == "owner":
        client.force_login(owner)
    elif who == "other":
        client.force_login(make_user("other"))
    elif who == "staff":
        client.force_login(make_user("staff", staff=True))


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("who", ["anonymous", "other", "owner", "staff"])
@pytest.mark.parametrize("visibility", ["public", "restricted", "private"])
def test_permission_matrix(client, tmp_path, owner, visibility, who, resource):
    version = published(owner, tmp_path / "uploads", visibility=visibility)
    log_in(client, who, owner)

    response = client.get(resource_url(version, resource))

    page_status, files_status = EXPECTED[visibility][who]
    expected = page_status if resource == "page" else files_status
    assert response.status_code == expected
    if expected == 200 and resource != "page":
        assert len(body(response)) > 0


@pytest.mark.parametrize("resource", ["page", "thumbnail", "file", "zip"])
def test_draft_of_a_public_dataset_is_hidden_from_everyone_but_its_editors(
    client, tmp_path, owner, resource
):
    from tests.catalogue import imported_draft

    version = imported_draft(owner, tmp_path / "uploads", visibility="public")
    url = resource_url(version, resource)
    client.force_login(make_user("other"))
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200


def test_collaborator_sees_private_dataset_and_its_files(client, tmp_path, owner):
    version = published(owner, tmp_path / "uploads", visibility="private")
    collaborator = make_user("collaborator")
    version.dataset.collaborators.add(collaborator)
    client.force_login(collaborator)
    for resource in RESOURCES:
        assert client.get(resource_url(version, resource)).status_code == 200


def test_private_dataset_stays_out_of_search_and_home_for_others(client, tmp_path, owner):
    published(owner, tmp_path / "uploads", title="Secret grades", visibility="private")
    client.force_login(make_user("other"))
    assert "Secret grades" not in client.get(reverse("datasets:list")).content.decode()
    assert "Secret grades" not in client.get(reverse("home")).content.decode()
    client.force_login(owner)
    assert "Secret grades" in client.get(reverse("datasets:list")).content.decode()


def test_media_files_have_no_url_of_their_own(client, tmp_path, owner):
    version = published(owner, tmp_path / "uploads", visibility="private")
    image = version.images.first()
    for guess in (f"/media/{image.file.name}", f"/media-not-served/{image.file.name}"):
        assert client.get(guess).status_code == 404
    assert client.get(f"/media/{version.archive.name}").status_code == 404
