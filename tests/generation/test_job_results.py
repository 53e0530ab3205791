"""A generation job's result is shown only to those who may read that version.

Generating from a public model makes a private synthetic dataset: the model's page, the job's
page, the job's progress JSON and the API must all keep it from anonymous visitors and
strangers, and all show it to whoever generated it.
"""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from generation.constants import JobState
from generation.models import GenerationJob
from tests.api.builders import synthetic_version, trained_model
from tests.catalogue import published
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(tmp_path, settings):
    """A finished job of another user's, from a public model, that made a private set."""
    settings.TRAINING_MIN_IMAGES_PER_CLASS = 1
    curator = make_user("curator")
    source = published(curator, tmp_path / "upload", visibility="public")
    model = trained_model(source, curator)
    generator = make_user("generator")
    result = synthetic_version(source, generator, visibility="private")
    return GenerationJob.objects.create(
        model=model,
        owner=generator,
        count_per_class=1,
        class_names=model.class_names,
        base_seed=0,
        state=JobState.SUCCEEDED,
        progress_done=2,
        progress_total=2,
        result_version=result,
    )


def client_of(user) -> APIClient:
    """A client signed in as `user` (pages by session, API by token), or anonymous for None."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def doors(client: APIClient, job: GenerationJob) -> dict[str, object]:
    """What each door says about the job's result."""
    version = job.result_version
    version_url = reverse("datasets:version", args=[version.dataset.slug, version.number])
    model_page = client.get(reverse("generation:model", args=[job.model_id]))
    job_page = client.get(reverse("generation:job", args=[job.pk]))
    progress = client.get(reverse("generation:job-progress", args=[job.pk]))
    api_job = client.get(f"/api/v1/generation-jobs/{job.pk}/")
    api_jobs = client.get("/api/v1/generation-jobs/")
    api_model = client.get(f"/api/v1/models/{job.model_id}/")
    for response in (model_page, job_page, progress, api_job, api_jobs, api_model):
        assert response.status_code == 200
    return {
        "model page names it": version.identifier in model_page.content.decode(),
        "job page links it": version_url in job_page.content.decode(),
        "progress links it": progress.json()["result_url"] == version_url,
        "API job has it": api_job.json()["result_version"] is not None,
        "API job list has it": api_jobs.json()["results"][0]["result_version"] is not None,
        "API model lists it": bool(api_model.json()["generated_versions"]),
    }


@pytest.mark.parametrize("stranger", [False, True], ids=["anonymous", "stranger"])
def test_a_private_result_shows_through_no_door_to_others(job, stranger):
    shown = doors(client_of(make_user("stranger") if stranger else None), job)
    assert not any(shown.values()), shown


def test_a_private_result_shows_through_every_door_to_whoever_generated_it(job):
    shown = doors(client_of(job.owner), job)
    assert all(shown.values()), shown


def test_a_public_result_shows_to_everyone(job):
    dataset = job.result_version.dataset
    dataset.visibility = "public"
    dataset.save()
    shown = doors(client_of(None), job)
    assert all(shown.values()), shown
