"""The API's train and generate endpoints drive real jobs through a real worker process: a
script trains a model, generates with it, follows the job to its end and finds the new version.

Rows are committed (transactional database) so that the worker process sees them.
"""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workers import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def finished(client, url: str, worker) -> dict | None:
    """The task's JSON once it succeeded; fails at once if it failed or was cancelled."""
    data = client.get(url).json()
    assert data["state"] not in ("failed", "cancelled"), (data["error"], worker.output())
    return data if data["state"] == "succeeded" else None


def test_a_script_trains_generates_and_finds_the_new_version(workers, source_version, owner):
    worker = workers("w1")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=owner).key}")

    started = client.post(
        "/api/v1/training-runs/",
        {
            "source_version": source_version.pk,
            "preset": "tiny",
            "overrides": {"iterations": 4, "eval_every": 0},
        },
    )
    assert started.status_code == 202, started.json()
    run = wait_for(
        lambda: finished(client, started["Location"], worker), timeout=180, what="training"
    )
    model_url = run["model"]["url"]

    generate = client.post(
        f"{model_url}generate", {"count_per_class": 6, "classes": ["red", "blue"], "seed": 11}
    )
    assert generate.status_code == 202, generate.json()
    job = wait_for(
        lambda: finished(client, generate["Location"], worker), timeout=180, what="generation"
    )
    assert job["progress"]["done"] == job["progress"]["total"] == 12
    version = client.get(job["result_version"]["url"]).json()
    assert version["state"] == "draft"
    assert version["dataset"]["kind"] == "synthetic"
    assert version["class_counts"] == {"blue": 6, "red": 6}
    assert version["derived_from"]["id"] == source_version.pk
    files = client.get(version["files_url"], {"page_size": 100}).json()["results"]
    assert len(files) == 12
    assert {image["origin"] for image in files} == {"generated"}
    lineage = client.get(model_url).json()
    assert [v["id"] for v in lineage["generated_versions"]] == [version["id"]]
