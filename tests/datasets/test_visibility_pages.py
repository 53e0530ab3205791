"""Visibility is the owner's (and staff's) decision, taken on its own page, which says what
becomes visible; every change is recorded (who, when, from, to) and shown. Saving a draft never
changes who sees the published versions, and collaborators cannot change it at all."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from datasets.exceptions import CurationRefused
from datasets.models import Dataset, DatasetVersion, VisibilityChange
from datasets.services import (
    change_visibility,
    decide_access_request,
    new_draft_version,
    request_access,
)
from tests.catalogue import published
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def colleague(owner):
    return make_user("colleague")


@pytest.fixture
def v1(owner, colleague, tmp_path):
    """A restricted dataset with a published v1, edited by its owner and a collaborator."""
    version = published(owner, tmp_path / "uploads", visibility="restricted")
    version.dataset.collaborators.add(colleague)
    return version


def visibility_url(version: DatasetVersion) -> str:
    return reverse("datasets:visibility", args=[version.dataset.slug])


def anonymous_file_status(client, version: DatasetVersion) -> int:
    """What an anonymous visitor gets for the first image of `version`."""
    client.logout()
    return client.get(reverse("datasets:image-file", args=[version.images.first().pk])).status_code


def visibility_of(version: DatasetVersion) -> str:
    return Dataset.objects.get(pk=version.dataset_id).visibility


def test_owner_makes_the_dataset_public_on_its_page_and_the_change_is_recorded(client, owner, v1):
    assert anonymous_file_status(client, v1) == 403
    client.force_login(owner)
    page = client.get(visibility_url(v1)).content.decode()
    assert "Anyone, signed in or not" in page and "v1" in page  # says what becomes visible

    response = client.post(visibility_url(v1), {"visibility": "public"}, follow=True)

    html = response.content.decode()
    assert "Visibility changed from restricted to public" in html
    change = VisibilityChange.objects.get()
    assert (change.dataset_id, change.changed_by, change.from_visibility, change.to_visibility) == (
        v1.dataset_id,
        owner,
        "restricted",
        "public",
    )
    assert change.changed_at is not None
    history = client.get(visibility_url(v1)).content.decode()
    assert "owner" in history and "Restricted" in history and "Public" in history
    dataset_page = client.get(reverse("datasets:detail", args=[v1.dataset.slug])).content.decode()
    assert "changed from restricted by owner" in dataset_page
    assert visibility_url(v1) in dataset_page
    assert anonymous_file_status(client, v1) == 200


def test_staff_change_the_visibility_and_are_named_in_the_history(client, v1):
    staff = make_user("staff", staff=True)
    client.force_login(staff)
    client.post(visibility_url(v1), {"visibility": "private"})
    assert visibility_of(v1) == "private"
    assert VisibilityChange.objects.get().changed_by == staff
    assert "staff" in client.get(visibility_url(v1)).content.decode()


def test_a_collaborator_sees_the_history_but_cannot_change_the_visibility(client, colleague, v1):
    client.force_login(colleague)
    page = client.get(visibility_url(v1))
    assert page.status_code == 200
    assert 'name="visibility"' not in page.content.decode()
    assert client.post(visibility_url(v1), {"visibility": "public"}).status_code == 403
    with pytest.raises(PermissionDenied):
        change_visibility(dataset=v1.dataset, user=colleague, visibility="public")
    assert visibility_of(v1) == "restricted"
    assert not VisibilityChange.objects.exists()
    assert anonymous_file_status(client, v1) == 403


def test_strangers_do_not_learn_the_page_exists(client, v1):
    client.force_login(make_user("stranger"))
    assert client.get(visibility_url(v1)).status_code == 404
    assert client.post(visibility_url(v1), {"visibility": "public"}).status_code == 404
    assert visibility_of(v1) == "restricted"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("restricted", "is restricted already"),
        ("everyone", "Select a valid choice. everyone is not one of the available choices."),
    ],
)
def test_a_pointless_or_unknown_choice_is_refused_in_one_line(client, owner, v1, value, message):
    client.force_login(owner)
    response = client.post(visibility_url(v1), {"visibility": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VisibilityChange.objects.exists()
    with pytest.raises(CurationRefused, match="is restricted already"):
        change_visibility(dataset=v1.dataset, user=owner, visibility="restricted")


@pytest.mark.parametrize("editor", ["owner", "colleague"])
def test_saving_a_draft_does_not_change_the_visibility(client, v1, editor):
    user = v1.dataset.owner if editor == "owner" else v1.dataset.collaborators.get()
    v2 = new_draft_version(dataset=v1.dataset, user=user)
    client.force_login(user)
    edit = reverse("datasets:edit", args=[v1.dataset.slug, v2.number])
    assert 'name="visibility"' not in client.get(edit).content.decode()

    response = client.post(
        edit,
        {
            "title": "Renamed",
            "modality": "other",
            "visibility": "public",
            "license": "CC-BY-4.0",
            "creators": "Doe, Jane",
        },
    )

    assert response.status_code == 302
    assert Dataset.objects.get(pk=v1.dataset_id).title == "Renamed"
    assert visibility_of(v1) == "restricted"
    assert not VisibilityChange.objects.exists()
    assert anonymous_file_status(client, v1) == 403


def test_the_admin_shows_the_history_and_leaves_visibility_to_its_page(client, v1):
    staff = make_user("staff", staff=True)
    change_visibility(dataset=v1.dataset, user=staff, visibility="public")
    client.force_login(staff)
    page = client.get(reverse("admin:datasets_dataset_change", args=[v1.dataset_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<select name="visibility"' not in html
    assert visibility_url(v1) in html
    assert "Restricted" in html and "staff" in html


def test_the_page_names_whom_a_choice_would_shut_out(client, owner, v1):
    reader = make_user("reader")
    request = request_access(dataset=v1.dataset, user=reader, message="For a study.")
    decide_access_request(access_request=request, user=owner, approve=True)
    client.force_login(owner)
    page = client.get(visibility_url(v1)).content.decode()
    assert "users whose access request is approved (1 user now)" in page
    assert "nobody else learns the dataset exists, not even the 1 user whose access" in page
