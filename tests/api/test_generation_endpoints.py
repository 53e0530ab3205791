"""Models, training runs, metric points and generation jobs through the API. Starting and
cancelling go through generation.services; no worker runs here (test_generate_end_to_end.py
runs one), so queued work stays queued."""

import pytest

from generation.constants import JobState
from generation.models import GenerationJob, TrainingRun
from tests.api.builders import synthetic_version, trained_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(make_published, settings):
    settings.TRAINING_MIN_IMAGES_PER_CLASS = 1
    return make_published(per_class={"G1": 1, "G2": 1, "G3": 1})


@pytest.fixture
def model(source, owner):
    return trained_model(source, owner)


def test_model_shows_its_metrics_and_lineage(api, model, source, owner):
    synthetic = synthetic_version(source, owner)
    GenerationJob.objects.create(
        model=model,
        owner=owner,
        count_per_class=1,
        class_names=model.class_names,
        base_seed=0,
        state=JobState.SUCCEEDED,
        result_version=synthetic,
    )
    data = api("anonymous").get(f"/api/v1/models/{model.pk}/").json()
    assert data["class_names"] == ["G1", "G2", "G3"]
    assert data["metrics"]["results"][0]["extractor"] == "random-cnn-0"
    assert data["source_version"]["identifier"] == source.identifier
    assert data["training_run"].endswith(f"/api/v1/training-runs/{model.training_run_id}/")
    assert [v["identifier"] for v in data["generated_versions"]] == [synthetic.identifier]
    assert data["generate_url"].endswith(f"/api/v1/models/{model.pk}/generate/")


@pytest.mark.parametrize("url", ["/api/v1/models/{pk}/generate", "/api/models/{pk}/generate"])
def test_generate_answers_202_with_the_job_url(api, model, url):
    response = api("other").post(
        url.format(pk=model.pk), {"count_per_class": 5, "classes": ["G3"], "seed": 7}
    )
    assert response.status_code == 202, response.json()
    job = GenerationJob.objects.get()
    assert response["Location"].endswith(f"/api/v1/generation-jobs/{job.pk}/")
    assert (job.count_per_class, job.class_names, job.base_seed) == (5, ["G3"], 7)
    data = api("other").get(response["Location"]).json()
    assert data["state"] == "queued"
    assert data["progress"] == {
        "done": 0,
        "total": 5,
        "percent": 0.0,
        "items_per_second": None,
        "eta_seconds": None,
    }
    assert data["result_version"] is None


def test_generate_takes_all_classes_and_a_random_seed_by_default(api, model):
    response = api("other").post(f"/api/v1/models/{model.pk}/generate", {"count_per_class": 2})
    assert response.status_code == 202
    assert response.json()["classes"] == ["G1", "G2", "G3"]
    assert isinstance(response.json()["seed"], int)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"count_per_class": 0}, "count per class must be an integer from 1 to"),
        ({"count_per_class": 10**9}, "count per class must be an integer from 1 to"),
        ({"count_per_class": 3, "classes": ["G9"]}, "does not know the class(es) ['G9']"),
        ({"count_per_class": 3, "seed": -1}, "seed must be an integer from 0"),
    ],
)
def test_generate_refuses_bad_input_with_the_services_message(api, model, body, message):
    response = api("owner").post(f"/api/v1/models/{model.pk}/generate", body)
    assert response.status_code == 400
    assert response.json()["code"] == "rejected"
    assert message in response.json()["detail"]
    assert not GenerationJob.objects.exists()


def test_generate_without_a_count_names_the_missing_field(api, model):
    response = api("owner").post(f"/api/v1/models/{model.pk}/generate", {})
    assert response.status_code == 400
    assert response.json()["detail"] == "count_per_class: This field is required."


def test_a_finished_job_links_its_version_for_whoever_may_see_it(api, model, source, owner):
    synthetic = synthetic_version(source, owner, visibility="private")
    job = GenerationJob.objects.create(
        model=model,
        owner=owner,
        count_per_class=1,
        class_names=model.class_names,
        base_seed=0,
        state=JobState.SUCCEEDED,
        progress_done=3,
        progress_total=3,
        result_version=synthetic,
    )
    mine = api("owner").get(f"/api/v1/generation-jobs/{job.pk}/").json()
    assert mine["result_version"]["identifier"] == synthetic.identifier
    assert mine["progress"]["percent"] == 100.0
    theirs = api("other").get(f"/api/v1/generation-jobs/{job.pk}/").json()
    assert theirs["result_version"] is None  # the new dataset is private to its owner
    listed = api("owner").get("/api/v1/generation-jobs/").json()["results"]
    assert listed[0]["result_version"]["id"] == synthetic.pk


def test_cancel_a_queued_job(api, model):
    job_url = api("other").post(f"/api/v1/models/{model.pk}/generate", {"count_per_class": 1})[
        "Location"
    ]
    response = api("other").post(f"{job_url}cancel/")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"


def test_training_run_starts_from_a_version_and_is_followed_at_its_url(api, source):
    response = api("owner").post(
        "/api/v1/training-runs/",
        {"source_version": source.pk, "preset": "tiny", "overrides": {"iterations": 8}},
    )
    assert response.status_code == 202, response.json()
    run = TrainingRun.objects.get()
    assert response["Location"].endswith(f"/api/v1/training-runs/{run.pk}/")
    data = api("owner").get(response["Location"]).json()
    assert (data["preset"], data["state"]) == ("tiny", "queued")
    assert data["overrides"] == {"iterations": 8}
    assert data["config"]["iterations"] == 8
    assert data["progress"]["total"] == 8
    assert data["model"] is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"preset": "huge"}, "preset: "),
        ({"preset": "tiny", "overrides": {"iterations": "many"}}, "iterations"),
        ({"preset": "tiny", "overrides": {"no_such_setting": 1}}, "no_such_setting"),
    ],
)
def test_training_refuses_bad_settings_and_queues_nothing(api, source, body, message):
    response = api("owner").post("/api/v1/training-runs/", {"source_version": source.pk, **body})
    assert response.status_code == 400, response.json()
    assert message in response.json()["detail"]
    assert not TrainingRun.objects.exists()


def test_training_refuses_a_version_with_too_few_images(api, source, settings):
    settings.TRAINING_MIN_IMAGES_PER_CLASS = 10
    response = api("owner").post("/api/v1/training-runs/", {"source_version": source.pk})
    assert response.status_code == 400
    assert "classes with fewer than 10 images" in response.json()["detail"]


def test_cancel_a_queued_training_run(api, source):
    run_url = api("owner").post("/api/v1/training-runs/", {"source_version": source.pk})["Location"]
    response = api("owner").post(f"{run_url}cancel")
    assert response.json()["state"] == "cancelled"
    assert TrainingRun.objects.get().state == JobState.CANCELLED


def test_metric_points_come_in_iteration_order_with_their_labels(api, model):
    url = f"/api/v1/training-runs/{model.training_run_id}/metrics/"
    points = api("anonymous").get(url).json()["results"]
    assert [point["iteration"] for point in points] == [2, 4]
    assert points[0]["labels"] == {}  # losses only: nothing was measured
    assert points[1]["kid_mean"] == 0.12
    assert points[1]["labels"]["kid"] == "Kernel distance (random-cnn-0 features)"
    run = api("anonymous").get(f"/api/v1/training-runs/{model.training_run_id}/").json()
    assert run["model"]["id"] == model.pk
