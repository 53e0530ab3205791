"""Restricted datasets: a user asks for the files, an editor approves or refuses."""

import pytest
from django.urls import reverse

from datasets.constants import AccessState
from datasets.exceptions import AccessRequestRefused
from datasets.models import AccessRequest
from datasets.services import request_access
from tests.catalogue import published
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def version(owner, tmp_path):
    return published(owner, tmp_path / "uploads", visibility="restricted")


def zip_url(version) -> str:
    return reverse("datasets:download", args=[version.dataset.slug, version.number])


def test_request_approve_and_download(client, owner, version):
    reader = make_user("reader")
    client.force_login(reader)
    assert client.get(zip_url(version)).status_code == 403

    response = client.post(
        reverse("datasets:request-access", args=[version.dataset.slug]),
        {"message": "PhD student, grading study"},
    )
    assert response.status_code == 302
    access_request = AccessRequest.objects.get()
    assert (access_request.user, access_request.state) == (reader, AccessState.PENDING)
    assert "waiting for the curators" in client.get(response["Location"]).content.decode()

    client.force_login(owner)
    profile = client.get(reverse("profile")).content.decode()
    assert "PhD student, grading study" in profile
    decided = client.post(
        reverse("datasets:decide-access", args=[access_request.pk]),
        {"decision": "approve", "next": reverse("profile")},
    )
    assert decided["Location"] == reverse("profile")

    client.force_login(reader)
    assert client.get(zip_url(version)).status_code == 200
    image = version.images.first()
    assert client.get(reverse("datasets:image-file", args=[image.pk])).status_code == 200


def test_refusing_an_approved_request_takes_access_back(client, owner, version):
    reader = make_user("reader")
    access_request = request_access(dataset=version.dataset, user=reader)
    client.force_login(owner)
    for decision, status in (("approve", 200), ("reject", 403)):
        client.post(
            reverse("datasets:decide-access", args=[access_request.pk]), {"decision": decision}
        )
        client.force_login(reader)
        assert client.get(zip_url(version)).status_code == status
        client.force_login(owner)


def test_only_editors_decide_and_others_learn_nothing(client, version):
    reader = make_user("reader")
    access_request = request_access(dataset=version.dataset, user=reader)
    client.force_login(reader)
    url = reverse("datasets:decide-access", args=[access_request.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    access_request.refresh_from_db()
    assert access_request.state == AccessState.PENDING


def test_requests_make_sense_only_for_restricted_datasets(owner, tmp_path, version):
    public = published(owner, tmp_path / "public", title="Open set", archive=False)
    with pytest.raises(AccessRequestRefused, match="only restricted"):
        request_access(dataset=public.dataset, user=make_user("reader"))
    with pytest.raises(AccessRequestRefused, match="already"):
        request_access(dataset=version.dataset, user=owner)


def test_asking_again_after_a_refusal_reopens_the_request(owner, version):
    reader = make_user("reader")
    first = request_access(dataset=version.dataset, user=reader, message="first")
    AccessRequest.objects.filter(pk=first.pk).update(state=AccessState.REJECTED)
    again = request_access(dataset=version.dataset, user=reader, message="second")
    assert (again.pk, again.state, again.message) == (first.pk, AccessState.PENDING, "second")
