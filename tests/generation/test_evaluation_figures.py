"""Artifact figures and small-sample flags of a run's evaluations, from a run really trained in
this process, through each door: the stored MetricPoint, the run page and the API."""

import pytest
from django.urls import reverse

from gan_engine.artifact_targets import FIGURES, LABELS
from generation import services
from generation.models import ARTIFACT_FIELDS, GanModel, GenerationJob, MetricPoint
from generation.workflows.generating import run_generation
from tests.generation.tiny_runs import train_tiny

# Training runs here as in a worker, whose lease thread writes beside the test's own connection.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def evaluated(source_version, owner) -> MetricPoint:
    """The evaluation of a tiny run on 3 x 12 colour images: far fewer than the feature
    dimensions of any network the portal evaluates with (256 for random-cnn-0, 2048 for
    Inception-v3), whichever is available here."""
    run = train_tiny(source_version, owner, iterations=2, eval_every=2)
    return run.metric_points.exclude(extractor="").get()


def test_the_metric_point_fields_are_the_engines_artifact_figures():
    assert tuple(ARTIFACT_FIELDS) == FIGURES
    for name in FIGURES:
        MetricPoint._meta.get_field(name)


def test_an_evaluation_stores_its_artifact_figures_and_small_sample_flags(evaluated):
    report = evaluated.details["report"]
    assert set(report["artifacts"]) == set(FIGURES)
    for name in FIGURES:
        assert getattr(evaluated, name) == report["artifacts"][name]
    assert 0.9 < evaluated.block_ratio_8 < 1.5
    # 36 images against hundreds of feature dimensions: flagged, and not comparable
    assert not evaluated.fid_comparable
    assert evaluated.small_sample_notes["fid"].startswith(
        f"{evaluated.label('fid')} from 36 real and 36 generated images, fewer than its "
    )
    assert "kid" not in evaluated.small_sample_notes


def test_the_run_page_shows_the_artifact_figures_and_flags_small_samples(client, owner, evaluated):
    client.force_login(owner)
    page = client.get(reverse("generation:run", args=[evaluated.run_id])).content.decode()
    assert "Artifact figures" in page
    for name in FIGURES:
        assert LABELS[name] in page
    assert f"{evaluated.block_ratio_8:.2f}" in page
    assert f"{evaluated.corner_saturation_top_left:.2%}" in page
    assert "target ≤ 1.00%" in page and "target ≤ 1.10" in page
    assert "<svg" in page and "Block-boundary ratio (1: no grid)" in page
    assert f"Small sample: {evaluated.label('fid')} from 36 real and 36 generated" in page


def test_the_api_returns_the_artifact_figures_and_small_sample_flags(client, owner, evaluated):
    client.force_login(owner)
    url = f"/api/v1/training-runs/{evaluated.run_id}/metrics/"
    points = client.get(url).json()["results"]
    point = next(p for p in points if p["iteration"] == evaluated.iteration)
    for name in FIGURES:
        assert point[name] == getattr(evaluated, name)
    assert point["fid_comparable"] is False
    assert point["labels"]["fid"] == evaluated.label("fid")
    assert "36 real and 36 generated images" in point["small_sample"]["fid"]
    losses_only = [p for p in points if p["iteration"] != evaluated.iteration]
    assert all(p["small_sample"] == {} and p["block_ratio_8"] is None for p in losses_only)


def test_the_data_card_states_the_artifact_figures_of_the_model_and_of_the_set(owner, evaluated):
    model = GanModel.objects.get(training_run_id=evaluated.run_id)
    job = services.start_generation(
        model=model, count_per_class=12, classes=None, seed=3, user=owner, enqueue=False
    )
    run_generation(job.pk)
    job = GenerationJob.objects.get(pk=job.pk)
    card = job.result_version.description
    lines = [line for line in card.splitlines() if line.startswith("- Artifact figures")]
    assert len(lines) == 2  # the model's weights' evaluation, then this set against its source
    set_figures = job.metrics["artifacts"]
    assert f"block-boundary ratio at 4/8/16 px {set_figures['block_ratio_4']:.2f}/" in lines[1]
    assert f"periodicity {set_figures['periodicity']:.1f}" in lines[1]
