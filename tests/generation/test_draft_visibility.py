"""Runs, models and jobs are as private as the version they were trained on: a run on a draft
of a public dataset is for the dataset's editors, like the draft itself."""

import pytest
from django.urls import reverse

from datasets.models import DatasetVersion
from datasets.services import publish_version, version_identifier
from generation import selectors, services
from generation.models import TrainingRun
from tests.catalogue import imported_draft
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_run(tmp_path):
    owner = make_user("owner")
    version = imported_draft(owner, tmp_path, per_class={"G1": 10, "G2": 10})
    published = publish_version(version=version, user=owner)
    dataset = published.dataset
    draft = DatasetVersion.objects.create(
        dataset=dataset,
        number=2,
        identifier=version_identifier(dataset, 2),
        license=published.license,
    )
    public_run = services.start_training(
        source_version=published, preset="tiny", overrides={}, user=owner, enqueue=False
    )
    # The draft is empty (the run's visibility, not its data, is under test), so its run is
    # written directly: start_training rightly refuses to train on no images.
    draft_run = TrainingRun.objects.create(
        source_version=draft, owner=owner, preset="tiny", config=public_run.config
    )
    return owner, public_run, draft_run


def test_a_run_on_a_draft_is_hidden_from_others_and_shown_to_its_editors(client, draft_run):
    owner, public_run, draft_run = draft_run
    stranger = make_user("stranger")

    assert list(selectors.runs_visible_to(user=stranger)) == [public_run]
    assert set(selectors.runs_visible_to(user=owner)) == {public_run, draft_run}
    client.force_login(stranger)
    assert client.get(reverse("generation:run", args=[public_run.pk])).status_code == 200
    assert client.get(reverse("generation:run", args=[draft_run.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("generation:run", args=[draft_run.pk])).status_code == 200
