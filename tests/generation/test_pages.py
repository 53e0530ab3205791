"""Pages of runs, models and jobs, on a model really trained in this process."""

import pytest
from django.urls import reverse

from generation.models import GanModel, GenerationJob, TrainingRun
from tests.factories import make_user
from tests.generation.tiny_runs import train_tiny

# Training runs here as in a worker, whose lease thread writes beside the test's own connection:
# committed transactions, as in production, rather than one test-wide transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trained(source_version, owner):
    return train_tiny(source_version, owner, iterations=4, eval_every=4)


def test_run_page_shows_progress_charts_and_samples(client, owner, trained):
    client.force_login(owner)
    page = client.get(reverse("generation:run", args=[trained.pk])).content.decode()
    assert "Training run" in page
    assert reverse("generation:run-progress", args=[trained.pk]) in page
    assert reverse("generation:run-samples", args=[trained.pk, 4]) in page
    progress = client.get(reverse("generation:run-progress", args=[trained.pk])).json()
    assert progress["state"] == "succeeded"
    assert progress["percent"] == 100.0
    assert progress["result_url"] == reverse("generation:model", args=[trained.model.pk])
    losses = client.get(reverse("generation:run-chart", args=[trained.pk, "losses"]))
    assert losses["Content-Type"] == "image/svg+xml"
    assert b"<polyline" in losses.content
    distance = client.get(reverse("generation:run-chart", args=[trained.pk, "distance"]))
    assert b"Fr\xc3\xa9chet distance (random-cnn-0 features)" in distance.content
    assert b"FID" not in distance.content  # no Inception weights here: never labelled FID
    # The kernel distance (~0.01) has its own axis: on the Fréchet distance's it would be flat.
    assert b"Kernel distance" not in distance.content
    kernel = client.get(reverse("generation:run-chart", args=[trained.pk, "kernel"]))
    assert b"Kernel distance (random-cnn-0 features)" in kernel.content
    grid = client.get(reverse("generation:run-samples", args=[trained.pk, 4]))
    assert b"".join(grid.streaming_content)[:4] == b"\x89PNG"


def test_run_page_draws_its_charts_inline_with_their_last_values(client, owner, trained):
    """The charts are in the page (their text scales with nothing, and their legends' <title>
    shows on hover, which an <img> would not do), each with a caption of its last values; the
    figure progress.js swaps in is the same as the page's."""
    client.force_login(owner)
    page = client.get(reverse("generation:run", args=[trained.pk])).content.decode()
    assert "<img data-chart" not in page
    assert page.count('<figure class="chart" data-chart-url=') == 4
    last = trained.metric_points.get(iteration=4)
    assert f"G loss <strong>{last.g_loss:.4g}</strong>" in page
    assert f"Kernel distance (random-cnn-0 features) <strong>{last.kid_mean:.4g}</strong>" in page
    figure_url = reverse("generation:run-chart-figure", args=[trained.pk, "distance"])
    figure = client.get(figure_url).content.decode()
    assert figure.strip() in page
    assert (
        client.get(reverse("generation:run-chart-figure", args=[trained.pk, "x"])).status_code
        == 404
    )
    assert client.get(reverse("generation:run-chart", args=[trained.pk, "x"])).status_code == 404


def test_model_page_labels_metrics_and_generate_form_starts_a_job(client, owner, trained):
    model = GanModel.objects.get(training_run=trained)
    client.force_login(owner)
    page = client.get(reverse("generation:model", args=[model.pk])).content.decode()
    assert "Kernel distance (random-cnn-0 features)" in page
    assert "Inception-v3 metrics were not computed" in page
    response = client.post(
        reverse("generation:model", args=[model.pk]),
        {"count_per_class": 5, "classes": ["red"], "seed": 3},
    )
    job = GenerationJob.objects.get()
    assert response.url == reverse("generation:job", args=[job.pk])
    assert (job.count_per_class, job.class_names, job.base_seed) == (5, ["red"], 3)


def test_generate_form_rejects_an_absurd_count_and_starts_nothing(client, owner, trained):
    model = GanModel.objects.get(training_run=trained)
    client.force_login(owner)
    response = client.post(reverse("generation:model", args=[model.pk]), {"count_per_class": 0})
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    assert not GenerationJob.objects.exists()


def test_runs_and_models_of_a_private_dataset_are_404_for_others(client, trained):
    client.force_login(make_user("stranger"))
    model = GanModel.objects.get(training_run=trained)
    for url in (
        reverse("generation:run", args=[trained.pk]),
        reverse("generation:run-progress", args=[trained.pk]),
        reverse("generation:run-samples", args=[trained.pk, 4]),
        reverse("generation:model", args=[model.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_curator_starts_and_cancels_a_run_from_the_pages(client, owner, source_version):
    client.force_login(owner)
    response = client.post(
        reverse("generation:run-start", args=[source_version.pk]),
        {"preset": "tiny", "iterations": "8"},
    )
    run = TrainingRun.objects.get()
    assert response.url == reverse("generation:run", args=[run.pk])
    assert run.progress_total == 8
    client.post(reverse("generation:run-cancel", args=[run.pk]))
    assert TrainingRun.objects.get().state == "cancelled"


def test_start_run_with_a_bad_value_says_why(client, owner, source_version):
    client.force_login(owner)
    response = client.post(
        reverse("generation:run-start", args=[source_version.pk]),
        {"preset": "tiny", "iterations": "many"},
        follow=True,
    )
    assert "Training was not started" in response.content.decode()
    assert "iterations" in response.content.decode()
    assert not TrainingRun.objects.exists()
