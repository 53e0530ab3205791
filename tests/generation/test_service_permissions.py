"""Every permission check for a write lives in the service, so each door (page, API, admin,
command) gets the same answer: a stranger calling the services directly is refused, and
nothing is queued or changed."""

import pytest
from django.core.exceptions import PermissionDenied

from generation import services
from generation.constants import JobState
from generation.models import GenerationJob, TrainingRun
from tests.api.builders import trained_model
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger(db):
    return make_user("stranger")


def test_a_stranger_cannot_start_training_on_a_private_version(source_version, stranger):
    with pytest.raises(PermissionDenied, match="train on it"):
        services.start_training(
            source_version=source_version, preset="tiny", overrides={}, user=stranger
        )
    assert not TrainingRun.objects.exists()


def test_a_stranger_cannot_generate_from_a_model_of_private_images(source_version, owner, stranger):
    model = trained_model(source_version, owner)
    with pytest.raises(PermissionDenied, match="access to the files"):
        services.start_generation(
            model=model, count_per_class=2, classes=None, seed=1, user=stranger
        )
    assert not GenerationJob.objects.exists()


def test_a_stranger_cannot_cancel_someone_elses_run_or_job(source_version, owner, stranger):
    run = services.start_training(
        source_version=source_version, preset="tiny", overrides={}, user=owner, enqueue=False
    )
    job = services.start_generation(
        model=trained_model(source_version, owner),
        count_per_class=2,
        classes=None,
        seed=1,
        user=owner,
        enqueue=False,
    )
    for task in (run, job):
        with pytest.raises(PermissionDenied, match="may cancel it"):
            services.cancel(task=task, user=stranger)
        task.refresh_from_db()
        assert task.state == JobState.QUEUED and not task.cancel_requested


def test_the_owner_cancels_their_own_run(source_version, owner):
    run = services.start_training(
        source_version=source_version, preset="tiny", overrides={}, user=owner, enqueue=False
    )
    assert services.cancel(task=run, user=owner).state == JobState.CANCELLED
