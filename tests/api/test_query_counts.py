"""The number of database queries of every list endpoint does not grow with the page size: a
page of 100 costs the same queries as a page of 10 (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from datasets.constants import VersionState
from datasets.models import (
    Authorship,
    ClassLabel,
    Creator,
    Dataset,
    DatasetVersion,
    ImageRecord,
    License,
)
from generation.constants import JobState
from generation.models import GanModel, GenerationJob, MetricPoint, TrainingRun

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 100


@pytest.fixture
def hundreds(owner):
    """100 of everything a list shows, written in bulk: public datasets with a published
    version, a creator and two classes each; 100 images, models, runs, jobs and metric points."""
    license = License.objects.get(spdx_id="CC-BY-4.0")
    now = timezone.now()
    datasets = Dataset.objects.bulk_create(
        Dataset(slug=f"set-{i}", title=f"Set {i}", owner=owner, visibility="public")
        for i in range(LARGE)
    )
    versions = DatasetVersion.objects.bulk_create(
        DatasetVersion(
            dataset=dataset,
            number=1,
            identifier=f"10.5072/{dataset.slug}.v1",
            state=VersionState.PUBLISHED,
            published_at=now,
            license=license,
        )
        for dataset in datasets
    )
    labels = ClassLabel.objects.bulk_create(
        ClassLabel(dataset=dataset, name=name) for dataset in datasets for name in ("a", "b")
    )
    creators = Creator.objects.bulk_create(Creator(name=f"Doe, {i}") for i in range(LARGE))
    Authorship.objects.bulk_create(
        Authorship(version=version, creator=creator)
        for version, creator in zip(versions, creators, strict=True)
    )
    first = versions[0]
    ImageRecord.objects.bulk_create(
        ImageRecord(
            version=first,
            label=labels[i % 2],
            file=f"datasets/set-0/v1/{i}.png",
            width=8,
            height=8,
            size_bytes=100,
            sha256=f"{i:064x}",
        )
        for i in range(LARGE)
    )
    runs = TrainingRun.objects.bulk_create(
        TrainingRun(source_version=first, owner=owner, preset="tiny", state=JobState.SUCCEEDED)
        for _ in range(LARGE)
    )
    models = GanModel.objects.bulk_create(
        GanModel(
            name="set-0-tiny",
            version=i + 1,
            training_run=run,
            source_version=first,
            owner=owner,
            weights=f"models/{i}.pt",
            weights_sha256="0" * 64,
            class_names=["a", "b"],
        )
        for i, run in enumerate(runs)
    )
    GenerationJob.objects.bulk_create(
        GenerationJob(
            model=model,
            owner=owner,
            count_per_class=1,
            class_names=["a"],
            base_seed=0,
            result_version=version,
        )
        for model, version in zip(models, [None, *versions[1:]], strict=True)
    )
    MetricPoint.objects.bulk_create(
        MetricPoint(run=runs[0], iteration=i, g_loss=1.0, kid_mean=0.1, extractor="random-cnn-0")
        for i in range(LARGE)
    )
    return {"version": first, "run": runs[0]}


LISTS = {
    "datasets": lambda objects: "/api/v1/datasets/",
    "datasets?facets": lambda objects: "/api/v1/datasets/?facets=true&kind=real",
    "files": lambda objects: f"/api/v1/versions/{objects['version'].pk}/files/",
    "creators": lambda objects: "/api/v1/creators/",
    "models": lambda objects: "/api/v1/models/",
    "training-runs": lambda objects: "/api/v1/training-runs/",
    "generation-jobs": lambda objects: "/api/v1/generation-jobs/",
    "metrics": lambda objects: f"/api/v1/training-runs/{objects['run'].pk}/metrics/",
}


def queries_for(client, url: str, page_size: int) -> tuple[int, int]:
    separator = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{url}{separator}page_size={page_size}")
    assert response.status_code == 200
    return len(captured), len(response.json()["results"])


@pytest.mark.parametrize("who", ["anonymous", "owner"])
@pytest.mark.parametrize("name", LISTS)
def test_queries_do_not_grow_with_the_page_size(api, hundreds, name, who):
    client = api(who)
    url = LISTS[name](hundreds)
    client.get(url)  # the first request of a client warms what is cached per process
    small, small_items = queries_for(client, url, SMALL)
    large, large_items = queries_for(client, url, LARGE)
    assert (small_items, large_items) == (SMALL, LARGE)
    assert small == large


def test_licenses_cost_the_same_queries_for_a_page_of_two_or_all(api, db):
    client = api("anonymous")
    client.get("/api/v1/licenses/")
    two, _ = queries_for(client, "/api/v1/licenses/", 2)
    everything, count = queries_for(client, "/api/v1/licenses/", LARGE)
    assert count == License.objects.count() > 2
    assert two == everything
