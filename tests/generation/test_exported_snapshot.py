"""A run that evaluates exports the generator of its evaluation with the lowest KID: the model's
weights, snapshot iteration and metrics agree, and the model page, the API and the data card
say which iteration the weights are when it is not the last."""

import pytest
import torch
from django.core.files.storage import default_storage
from django.urls import reverse

from generation.models import GanModel, GenerationJob
from generation.workflows.datacard import synthetic_data_card
from tests.api.builders import trained_model
from tests.generation.tiny_runs import train_tiny

# Training runs here as in a worker, whose lease thread writes beside the test's own connection.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_model_holds_the_generator_of_the_evaluation_with_the_lowest_kid(source_version, owner):
    run = train_tiny(source_version, owner, iterations=6, eval_every=2)
    model = GanModel.objects.get(training_run_id=run.pk)
    points = list(model.training_run.metric_points.exclude(kid_mean=None))
    assert [p.iteration for p in points] == [2, 4, 6]
    lowest = min(points, key=lambda p: p.kid_mean)
    assert (model.iterations, model.snapshot_iteration) == (6, lowest.iteration)
    assert model.metrics["results"] == lowest.details["report"]["results"]
    with default_storage.open(model.weights.name) as handle:
        assert torch.load(handle, weights_only=True)["iteration"] == lowest.iteration


@pytest.fixture
def earlier_snapshot(source_version, owner) -> GanModel:
    """A model of 4 iterations whose weights are those of its evaluation at 2."""
    model = trained_model(source_version, owner)
    GanModel.objects.filter(pk=model.pk).update(snapshot_iteration=2)
    return GanModel.objects.get(pk=model.pk)


def test_the_model_page_and_the_api_say_which_iteration_the_weights_are(
    client, owner, earlier_snapshot
):
    client.force_login(owner)
    page = client.get(reverse("generation:model", args=[earlier_snapshot.pk])).content.decode()
    assert "trained for 4 iterations" in page
    assert "Its weights are those of iteration 2, the run's evaluation with the lowest KID" in page
    assert "Metrics of these weights (iteration 2)" in page
    api = client.get(f"/api/v1/models/{earlier_snapshot.pk}/").json()
    assert (api["iterations"], api["snapshot_iteration"]) == (4, 2)


def test_the_data_card_names_an_earlier_snapshot_and_only_then(earlier_snapshot):
    earlier_snapshot.metrics = {}  # its metric lines: test_evaluation_figures
    job = GenerationJob(
        model=earlier_snapshot, count_per_class=5, class_names=["a"], base_seed=0, metrics={}
    )
    card = synthetic_data_card(job=job, version=earlier_snapshot.source_version)
    assert "4 training iterations, the weights of iteration 2: the evaluation with the " in card
    earlier_snapshot.snapshot_iteration = 4
    assert "the weights of iteration" not in synthetic_data_card(
        job=job, version=earlier_snapshot.source_version
    )
