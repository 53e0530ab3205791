"""Collaborators of a dataset: its owner (or staff) adds and removes them by username; they
then edit its drafts; other users do not even learn that the page exists."""

import pytest
from django.urls import reverse

from tests.catalogue import imported_draft
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def draft(owner, tmp_path):
    return imported_draft(owner, tmp_path / "uploads", visibility="private")


def page_url(draft) -> str:
    return reverse("datasets:collaborators", args=[draft.dataset.slug])


def remove_url(draft, user) -> str:
    return reverse("datasets:remove-collaborator", args=[draft.dataset.slug, user.pk])


def test_owner_adds_a_collaborator_who_then_edits_the_draft(client, owner, draft):
    colleague = make_user("colleague")
    client.force_login(owner)

    response = client.post(page_url(draft), {"username": " colleague "}, follow=True)

    assert list(draft.dataset.collaborators.all()) == [colleague]
    html = response.content.decode()
    assert "colleague now collaborates on this dataset" in html
    assert remove_url(draft, colleague) in html
    client.force_login(colleague)
    edit = reverse("datasets:edit", args=[draft.dataset.slug, 1])
    assert client.get(edit).status_code == 200


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("nobody", "username &#x27;nobody&#x27;: no such account; they must sign up first"),
        ("owner", "owner owns this dataset already"),
        ("colleague", "colleague is a collaborator already"),
        ("", "This field is required."),
    ],
)
def test_bad_usernames_are_refused_on_the_form(client, owner, draft, username, message):
    draft.dataset.collaborators.add(make_user("colleague"))
    client.force_login(owner)

    response = client.post(page_url(draft), {"username": username})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert draft.dataset.collaborators.count() == 1


def test_owner_removes_a_collaborator_who_then_loses_the_private_dataset(client, owner, draft):
    colleague = make_user("colleague")
    draft.dataset.collaborators.add(colleague)
    client.force_login(owner)

    response = client.post(remove_url(draft, colleague), follow=True)

    assert "colleague no longer collaborates on this dataset" in response.content.decode()
    assert not draft.dataset.collaborators.exists()
    client.force_login(colleague)
    assert client.get(page_url(draft)).status_code == 404
    assert client.get(reverse("datasets:detail", args=[draft.dataset.slug])).status_code == 404


def test_staff_manage_collaborators_of_any_dataset(client, draft):
    client.force_login(make_user("admin", staff=True))
    make_user("colleague")
    assert client.post(page_url(draft), {"username": "colleague"}).status_code == 302
    assert draft.dataset.collaborators.get().username == "colleague"


def test_a_collaborator_sees_the_list_but_cannot_change_it(client, draft):
    colleague, third = make_user("colleague"), make_user("third")
    draft.dataset.collaborators.add(colleague)
    client.force_login(colleague)

    page = client.get(page_url(draft))
    added = client.post(page_url(draft), {"username": "third"})
    removed = client.post(remove_url(draft, colleague))

    assert page.status_code == 200
    assert "colleague" in page.content.decode()
    assert "Add collaborator" not in page.content.decode()
    assert (added.status_code, removed.status_code) == (403, 403)
    assert list(draft.dataset.collaborators.all()) == [colleague]
    assert third not in draft.dataset.collaborators.all()


@pytest.mark.parametrize("who", ["anonymous", "other"])
def test_outsiders_get_no_collaborators_page(client, owner, draft, who):
    colleague = make_user("colleague")
    draft.dataset.collaborators.add(colleague)
    if who == "other":
        client.force_login(make_user("other"))

    responses = [
        client.get(page_url(draft)),
        client.post(page_url(draft), {"username": "other"}),
        client.post(remove_url(draft, colleague)),
    ]

    expected = 302 if who == "anonymous" else 404
    assert [response.status_code for response in responses] == [expected] * 3
    assert list(draft.dataset.collaborators.all()) == [colleague]


def test_removing_someone_who_is_not_a_collaborator_is_404(client, owner, draft):
    stranger = make_user("stranger")
    client.force_login(owner)
    assert client.post(remove_url(draft, stranger)).status_code == 404


def test_dataset_page_links_editors_to_the_collaborators(client, owner, draft):
    client.force_login(owner)
    html = client.get(reverse("datasets:detail", args=[draft.dataset.slug])).content.decode()
    assert page_url(draft) in html
