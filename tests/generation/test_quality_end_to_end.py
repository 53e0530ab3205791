"""The quality report end to end on the demo set: a real worker trains a tiny model on the IHC
tiles, generates a synthetic version with it, then computes the version's quality report (queued
by the generation job itself); the report shows on the version's page, in the API, in the
draft ZIP's README and in its Croissant RAI fields.

Rows are committed (transactional database) so that the worker process sees them.
"""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from datasets.services import import_dataset
from gan_engine.demo_data import write_ihc_demo_set
from tests.catalogue import body, zip_members
from tests.workers import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def finished(client, url: str, worker) -> dict | None:
    """The task's JSON once it succeeded; fails at once if it failed or was cancelled."""
    response = client.get(url)
    if response.status_code == 404:  # the report is queued when the generation job ends
        return None
    data = response.json()
    assert data["state"] not in ("failed", "cancelled"), (data["error"], worker.output())
    return data if data["state"] == "succeeded" else None


def test_demo_set_generated_and_assessed_by_a_worker_shows_its_report(
    workers, owner, tmp_path, client
):
    counts = write_ihc_demo_set(tmp_path / "demo")
    source = import_dataset(
        source=tmp_path / "demo", title="IHC demo", license_spdx="CC0-1.0", owner=owner
    ).version
    worker = workers("w1", QUALITY_CLASSIFIER_STEPS="20", QUALITY_AFTER_GENERATION="true")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=owner).key}")

    started = api.post(
        "/api/v1/training-runs/",
        {"source_version": source.pk, "preset": "tiny", "overrides": {"iterations": 4}},
    )
    assert started.status_code == 202, started.json()
    run = wait_for(lambda: finished(api, started["Location"], worker), timeout=180, what="training")
    generate = api.post(f"{run['model']['url']}generate", {"count_per_class": 8, "seed": 3})
    assert generate.status_code == 202, generate.json()
    job = wait_for(
        lambda: finished(api, generate["Location"], worker), timeout=180, what="generation"
    )
    version = job["result_version"]

    quality_url = f"/api/v1/versions/{version['id']}/quality/"
    report = wait_for(lambda: finished(api, quality_url, worker), timeout=300, what="report")
    data = report["report"]
    assert data["counts"]["synthetic"] == dict.fromkeys(counts, 8)
    assert data["counts"]["real"] == counts
    domain = data["domain_extractor"]
    assert domain.startswith("domain-cnn-") and source.dataset.slug in domain
    assert [f["extractor"] for f in data["fidelity"]] == ["inception-v3-fid", domain]
    assert {r["label"] for r in data["fidelity"][1]["distances"]} >= {
        f"Fréchet distance ({domain} features)",
        f"Kernel distance ({domain} features)",
    }
    assert 0 <= report["memorized_share"] <= 1
    assert report["flagged"] == (report["memorized_share"] > report["memorization_threshold"])
    assert report["hold"]["held"] == report["flagged"]
    training_sets = [r["training_set"] for r in data["usefulness"]["results"]]
    assert training_sets == ["real", "synthetic", "real+synthetic"]
    pair = report["closest_pairs"][0]

    client.force_login(owner)  # pages and files take the session, not the API token
    thumbnail = client.get(pair["real_thumbnail"])
    assert thumbnail.status_code == 200 and body(thumbnail)[:4] == b"\x89PNG"
    slug = api.get(version["url"]).json()["dataset"]["slug"]
    page = client.get(reverse("datasets:version", args=[slug, version["number"]]))
    html = page.content.decode()
    assert 'id="quality"' in html and f"Kernel distance ({domain} features)" in html
    assert "FID (Inception-v3)" not in html  # no Inception weights offline: never called FID
    assert "Gain of real+synthetic over real" in html and "<svg" in html
    assert reverse("datasets:image-thumbnail", args=[pair["synthetic_image"]]) in html

    download = client.get(reverse("datasets:download", args=[slug, version["number"]]))
    members = zip_members(body(download))
    readme = next(data for name, data in members.items() if name.endswith("/README.md"))
    section = readme.decode().split("## Quality report", 1)[1]
    assert f"Kernel distance ({domain} features)" in section and "- Memorization: " in section
    croissant = api.get(f"/api/v1/versions/{version['id']}.croissant").json()
    assert croissant["rai:personalSensitiveInformation"].startswith("Memorization: ")
    assert "real+synthetic" in croissant["rai:dataUseCases"]
