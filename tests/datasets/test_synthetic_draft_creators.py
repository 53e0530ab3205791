"""A generation job's synthetic draft starts with its owner as creator (if the account has a
name), so publishing it through the pages needs no more than a look; without a name the
publish page asks for creators."""

import pytest
from django.urls import reverse

from datasets.services import creator_for_user
from generation.services import start_generation
from generation.workflows.generating import ensure_result_version
from tests.api.builders import trained_model
from tests.catalogue import imported_draft
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def synthetic_draft(owner, tmp_path):
    source = imported_draft(owner, tmp_path / "uploads")
    job = start_generation(
        model=trained_model(source, owner),
        count_per_class=2,
        classes=None,
        seed=1,
        user=owner,
        enqueue=False,
    )
    return ensure_result_version(job)


def test_the_job_owner_with_a_name_is_the_drafts_creator(tmp_path):
    owner = make_user("jdoe")
    owner.first_name, owner.last_name = "Jane", "Doe"
    owner.save()

    version = synthetic_draft(owner, tmp_path)

    assert [(c.name, c.orcid) for c in version.creators.all()] == [("Doe, Jane", "")]
    assert version.license.spdx_id == "CC-BY-4.0"


def test_an_owner_without_a_name_leaves_creators_to_the_publish_page(client, tmp_path):
    owner = make_user("jdoe")

    version = synthetic_draft(owner, tmp_path)

    assert not version.creators.exists()
    client.force_login(owner)
    url = reverse("datasets:publish", args=[version.dataset.slug, version.number])
    assert "Name at least one creator" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("first", "last", "name"),
    [("Jane", "Doe", "Doe, Jane"), ("", "Doe", "Doe"), ("Jane", "", "Jane"), (" ", "", None)],
)
def test_creator_for_user_writes_family_name_first(first, last, name):
    user = make_user("someone")
    user.first_name, user.last_name = first, last
    spec = creator_for_user(user)
    assert (spec.name if spec else None) == name
