"""The demo of a fresh `make run` goes all the way by itself: seed_demo's training run, then a
generation job from its model, the quality report, and a published synthetic version that the
home page counts. Once per database, nothing at all with DEMO_PIPELINE off, and a report that
holds publication is named on the home page instead.

The end-to-end test runs the real worker on the real demo set with the `tiny` preset; the
others call the hooks the worker calls, on rows made by the real services.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from datasets.constants import Visibility
from datasets.license_data import install_licenses
from datasets.models import Dataset, DatasetVersion, License
from datasets.services import hold_publication
from generation import demo_pipeline
from generation.constants import DemoStage, JobState
from generation.models import DemoPipeline, GenerationJob, QualityReport, TrainingRun
from portal.demo import DEMO_SLUG
from tests.api.builders import trained_model
from tests.factories import make_user
from tests.generation.quality_rows import make_report, source_and_synthetic
from tests.workers import wait_for

IMAGES_PER_CLASS = 8


@pytest.fixture
def demo_settings(settings):
    """The demo switched on, as `make run` has it, with the test-sized preset and set."""
    settings.DEMO_PIPELINE = True
    settings.DEMO_TRAINING_PRESET = "tiny"
    settings.DEMO_IMAGES_PER_CLASS = IMAGES_PER_CLASS
    return settings


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def home_text(client) -> str:
    html = client.get(reverse("home")).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def synthetic_count(client) -> int:
    html = client.get(reverse("home")).content.decode()
    return int(re.search(r"<dt>Synthetic</dt><dd>([\d,]+)</dd>", html)[1])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fresh_database_ends_with_a_published_synthetic_version(demo_settings, workers, client):
    install_licenses(License)  # transactional tests flush the table the migration filled
    printed = seed()
    pipeline = DemoPipeline.objects.get()
    run = pipeline.training_run
    assert run.preset == "tiny"
    run_url = reverse("generation:run", args=[run.pk])
    assert run_url in printed and reverse("datasets:detail", args=[DEMO_SLUG]) in printed
    assert "/admin/" in printed
    assert "Demo: training a GAN on the IHC tiles, 0% — watch it" in home_text(client)
    assert f'href="{run_url}"' in client.get(reverse("home")).content.decode()
    assert synthetic_count(client) == 0

    # QUALITY_AFTER_GENERATION stays off (tests/environment.py): the demo starts its own report.
    worker = workers(
        "demo",
        "gpu,default",
        DEMO_PIPELINE="1",
        DEMO_IMAGES_PER_CLASS=str(IMAGES_PER_CLASS),
        QUALITY_CLASSIFIER_STEPS="20",
    )

    def done() -> bool:
        pipeline.refresh_from_db()
        for task in (run, pipeline.generation_job, pipeline.quality_report):
            if task is not None:
                task.refresh_from_db()
                assert task.state not in (JobState.FAILED, JobState.CANCELLED), (
                    task.error,
                    worker.output()[-4000:],
                )
        return pipeline.stage in (DemoStage.PUBLISHED, DemoStage.HELD)

    wait_for(done, timeout=420, interval=1, what="the demo to publish its synthetic version")
    assert pipeline.stage == DemoStage.PUBLISHED, pipeline.reason
    job = pipeline.generation_job
    assert job.state == JobState.SUCCEEDED and job.progress_done == 3 * IMAGES_PER_CLASS
    assert pipeline.quality_report.state == JobState.SUCCEEDED
    version = DatasetVersion.objects.select_related("dataset", "license").get(
        pk=job.result_version_id
    )
    assert version.is_published and version.quality_reports.get() == pipeline.quality_report
    assert version.dataset.visibility == Visibility.PUBLIC
    assert version.license.spdx_id == "CC0-1.0" == run.source_version.license.spdx_id
    assert [creator.name for creator in version.creators.all()] == ["ABID demo"]
    assert synthetic_count(client) == 1  # counted for an anonymous visitor
    assert f"Demo: published: {version.identifier}" in home_text(client)


@pytest.mark.django_db
def test_demo_happens_once(demo_settings):
    seed()
    again = seed()
    assert DemoPipeline.objects.count() == TrainingRun.objects.count() == 1
    assert Dataset.objects.filter(slug=DEMO_SLUG).count() == 1
    assert "Where to look" in again  # a second `make run` still says where to look

    pipeline = DemoPipeline.objects.get()
    model = trained_model(pipeline.training_run.source_version, pipeline.training_run.owner)
    for _ in range(2):  # as a retried training task calls it
        demo_pipeline.after_model_registered(run=pipeline.training_run, model=model)
    job = GenerationJob.objects.get()
    assert (job.count_per_class, job.model) == (IMAGES_PER_CLASS, model)
    pipeline.refresh_from_db()
    assert (pipeline.stage, pipeline.generation_job) == (DemoStage.GENERATING, job)

    other = TrainingRun.objects.create(
        source_version=model.source_version, owner=model.owner, preset="tiny", config={}
    )
    assert demo_pipeline.start(run=other) is None  # never a second demo on this database


@pytest.mark.django_db
def test_demo_off_does_nothing(settings, client):
    settings.DEMO_PIPELINE = False
    settings.DEMO_TRAINING_PRESET = "tiny"
    printed = seed()
    assert TrainingRun.objects.count() == 1  # the demo set's training run is still queued
    assert not DemoPipeline.objects.exists()
    assert "carries on by itself" not in printed
    assert "Demo:" not in home_text(client)

    # A demo started before the setting was switched off stops where it is.
    run = TrainingRun.objects.get()
    pipeline = DemoPipeline.objects.create(training_run=run)
    model = trained_model(run.source_version, run.owner)
    demo_pipeline.after_model_registered(run=run, model=model)
    assert not GenerationJob.objects.exists()
    pipeline.refresh_from_db()
    assert pipeline.stage == DemoStage.TRAINING
    assert "Demo:" not in home_text(client)


def ended_job(model, owner, **fields) -> GenerationJob:
    """A demo generation job of 6 images per class that has already ended as `fields` say."""
    return GenerationJob.objects.create(
        model=model,
        owner=owner,
        count_per_class=6,
        class_names=model.class_names,
        base_seed=0,
        **fields,
    )


@pytest.mark.django_db
def test_a_held_report_is_named_instead_of_publishing(demo_settings, client):
    owner = make_user("admin", staff=True)
    source, synthetic = source_and_synthetic(owner, visibility=Visibility.PUBLIC)
    model = trained_model(source, owner)
    job = ended_job(model, owner, state=JobState.SUCCEEDED, result_version=synthetic)
    report: QualityReport = make_report(synthetic, source)
    hold_publication(version=synthetic, reason="Quality report: 33% of the images may copy.")
    pipeline = DemoPipeline.objects.create(
        training_run=model.training_run,
        generation_job=job,
        quality_report=report,
        stage=DemoStage.ASSESSING,
    )

    demo_pipeline.after_quality_report(report=report)
    pipeline.refresh_from_db()
    assert pipeline.stage == DemoStage.HELD
    assert pipeline.reason == "Quality report: 33% of the images may copy."
    synthetic.refresh_from_db()
    assert not synthetic.is_published
    assert "Demo: held: Quality report: 33% of the images may copy. — see it" in home_text(client)


@pytest.mark.django_db
def test_a_failed_step_is_named_with_a_link_to_its_page(demo_settings, client):
    owner = make_user("admin", staff=True)
    source, _ = source_and_synthetic(owner, visibility=Visibility.PUBLIC)
    model = trained_model(source, owner)
    job = ended_job(model, owner, state=JobState.FAILED, error="OSError: disk full")
    DemoPipeline.objects.create(
        training_run=model.training_run, generation_job=job, stage=DemoStage.GENERATING
    )
    html = client.get(reverse("home")).content.decode()
    assert "Demo: stopped: generating synthetic images with the trained GAN failed — see why" in (
        home_text(client)
    )
    assert f'href="{reverse("generation:job", args=[job.pk])}"' in html
