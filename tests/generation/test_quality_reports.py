"""Quality reports of synthetic versions: real database, real storage, the real engine.

Synthetic versions are made without a GAN: folders of images with a known answer (a copy of the
source, fresh draws from its distribution, noise) imported through the catalogue's service and
marked as derived from the source, as a generation job's draft is.

Tests that compute a report commit as they go (transaction=True), as a worker does: the lease's
heartbeat thread writes through its own connection, which SQLite would make wait for the test's
open transaction.
"""

import json
from datetime import timedelta

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from datasets.constants import DatasetKind, VersionState
from datasets.exceptions import PublishRefused
from datasets.models import Dataset, DatasetVersion, ImageRecord
from datasets.services import (
    CreatorSpec,
    import_dataset,
    override_publication_hold,
    publish_version,
)
from generation import services, tasks
from generation.constants import JobState
from generation.exceptions import GenerationRejected
from generation.models import QualityBaseline, QualityReport
from generation.workflows.generating import run_generation
from generation.workflows.quality_reports import run_quality_report
from tests.factories import make_user
from tests.generation.conftest import write_colour_classes
from tests.generation.test_worker_jobs import train_model_here
from tests.workers import wait_for

CREATORS = [CreatorSpec(name="Curator, Ada")]


@pytest.fixture(autouse=True)
def fast_reports(settings, tmp_path):
    """A weights path with no file: Inception is reported unavailable at once, without a probe
    of the network, and the domain CNN is the only feature network (as on this machine). The
    colour classes are learnt in far fewer than the default 300 classifier steps."""
    settings.INCEPTION_WEIGHTS_PATH = str(tmp_path / "none.pth")
    settings.QUALITY_CLASSIFIER_STEPS = 100


@pytest.fixture
def source_version(owner, tmp_path):
    """50 images a class. The memorization yardstick is the 1st percentile of the real images'
    nearest-neighbour distances: of a few dozen it is their minimum, and honest draws of this
    noise-only data then scored 3-10% memorized, against 0-2% with 150 (seeds 1-5)."""
    write_colour_classes(tmp_path / "upload", per_class=50)
    return import_dataset(
        source=tmp_path / "upload", title="Colours", license_spdx="CC-BY-4.0", owner=owner
    ).version


def synthetic_version(folder, *, source, owner, title="Synthetic colours") -> DatasetVersion:
    """A draft synthetic version of the images under `folder`, derived from `source`."""
    version = import_dataset(
        source=folder, title=title, license_spdx="CC-BY-4.0", owner=owner, creators=CREATORS
    ).version
    Dataset.objects.filter(pk=version.dataset_id).update(kind=DatasetKind.SYNTHETIC)
    DatasetVersion.objects.filter(pk=version.pk).update(derived_from=source)
    return DatasetVersion.objects.select_related("dataset").get(pk=version.pk)


def write_noise(root, *, per_class: int = 12, size: int = 32) -> None:
    rng = np.random.default_rng(7)
    for name in ("blue", "green", "red"):
        (root / name).mkdir(parents=True)
        for index in range(per_class):
            pixels = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"noise-{index}.png")


def copy_of_source(source, tmp_path):
    """The source's stored images, byte for byte, as a new upload folder."""
    folder = tmp_path / "copy"
    for record in ImageRecord.objects.filter(version=source).select_related("label"):
        (folder / record.label.name).mkdir(parents=True, exist_ok=True)
        with default_storage.open(record.file.name, "rb") as handle:
            (folder / record.label.name / f"{record.pk}.png").write_bytes(handle.read())
    return folder


def assessed(version, owner, **options) -> QualityReport:
    """A report of `version` computed in this process, as the worker's task computes it."""
    report = services.start_quality_report(version=version, user=owner, enqueue=False, **options)
    run_quality_report(report.pk)
    report.refresh_from_db()
    assert report.state == JobState.SUCCEEDED, report.error
    return report


@pytest.fixture
def copied(source_version, owner, tmp_path):
    return synthetic_version(
        copy_of_source(source_version, tmp_path), source=source_version, owner=owner
    )


@pytest.fixture
def fresh(source_version, owner, tmp_path):
    write_colour_classes(tmp_path / "fresh", per_class=20, seed=1)
    return synthetic_version(tmp_path / "fresh", source=source_version, owner=owner)


@pytest.mark.django_db(transaction=True)
def test_a_copy_of_the_training_images_is_memorized_at_100_percent_and_held_until_overridden(
    copied, owner
):
    report = assessed(copied, owner)
    assert report.memorized_share == 1.0 and report.flagged
    pixel_pairs = [pair for pair in report.closest_pairs if pair["space"].startswith("pixels-")]
    assert pixel_pairs and all(pair["distance"] == 0 and pair["memorized"] for pair in pixel_pairs)
    copies = ImageRecord.objects.filter(pk=pixel_pairs[0]["synthetic_image"]).get()
    original = ImageRecord.objects.filter(pk=pixel_pairs[0]["real_image"]).get()
    assert copies.version == copied and original.version == report.source_version
    assert copies.sha256 == original.sha256  # the pair is the copy and its original

    copied.refresh_from_db()
    assert "100% of the synthetic images" in copied.publication_hold
    with pytest.raises(PublishRefused, match="publication is held"):
        publish_version(version=copied, user=owner)
    override_publication_hold(
        version=copied, user=owner, reason="Reviewed: these are the public demo tiles themselves."
    )
    assert publish_version(version=copied, user=owner).state == VersionState.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_fresh_images_from_the_same_distribution_pass_memorization_and_a_pass_releases_a_hold(
    fresh, owner
):
    DatasetVersion.objects.filter(pk=fresh.pk).update(publication_hold="An earlier finding.")
    report = assessed(fresh, owner)
    assert report.memorized_share <= report.memorization_threshold and not report.flagged
    fresh.refresh_from_db()
    assert fresh.publication_hold == ""
    assert report.report["counts"]["synthetic"] == {"blue": 20, "green": 20, "red": 20}
    assert report.report["counts"]["real"] == {"blue": 50, "green": 50, "red": 50}


@pytest.mark.django_db(transaction=True)
def test_noise_images_have_no_usefulness_gain_and_recall_near_zero(source_version, owner, tmp_path):
    write_noise(tmp_path / "noise")
    report = assessed(
        synthetic_version(tmp_path / "noise", source=source_version, owner=owner), owner
    )
    assert report.report["usefulness"]["accuracy_gain"] <= 0
    domain = next(f for f in report.report["fidelity"] if f["available"])
    overall = next(m for m in domain["manifold"] if m["class_name"] is None)
    assert overall["recall"] <= 0.1


@pytest.mark.django_db(transaction=True)
def test_report_is_deterministic_and_the_baseline_is_made_once_and_reused(fresh, owner):
    first = assessed(fresh, owner)
    second = assessed(fresh, owner)
    assert json.dumps(first.report, sort_keys=True) == json.dumps(second.report, sort_keys=True)
    assert first.closest_pairs == second.closest_pairs
    baseline = QualityBaseline.objects.get()
    assert first.baseline == second.baseline == baseline
    assert "domain_cnn_seconds" in first.timings and "domain_cnn_seconds" not in second.timings
    assert default_storage.exists(baseline.classifier.name)
    assert baseline.extractor_name == "domain-cnn-10-5072-colours-v1"
    held_out, train = set(baseline.held_out_images), set(baseline.train_images)
    source_ids = set(fresh.derived_from.images.values_list("pk", flat=True))
    assert held_out and not held_out & train and held_out | train == source_ids
    assert second.progress_done == second.progress_total == 4  # staging, features, memo., use.


@pytest.mark.django_db(transaction=True)
def test_domain_extractor_figures_are_never_labelled_fid(fresh, owner):
    report = assessed(fresh, owner)
    inception, domain = report.report["fidelity"]
    assert inception["extractor"] == "inception-v3-fid" and not inception["available"]
    assert domain["extractor"] == report.report["domain_extractor"]
    assert domain["extractor"].startswith("domain-cnn-") and not domain["fid_comparable"]
    assert domain["distances"]
    for figure in domain["distances"]:
        assert not figure["fid_comparable"]
        assert "FID" not in figure["label"] and "KID" not in figure["label"]
        assert figure["extractor"] == domain["extractor"]


@pytest.mark.django_db
def test_reports_are_refused_with_the_reason(source_version, fresh, owner, tmp_path):
    with pytest.raises(GenerationRejected, match="holds real images"):
        services.start_quality_report(version=source_version, user=owner)
    with pytest.raises(PermissionDenied):
        services.start_quality_report(version=fresh, user=make_user("stranger"))
    with pytest.raises(GenerationRejected, match="seed must be an integer"):
        services.start_quality_report(version=fresh, user=owner, seed=-1)
    queued = services.start_quality_report(version=fresh, user=owner, enqueue=False)
    with pytest.raises(GenerationRejected, match=f"quality report {queued.pk} .* queued already"):
        services.start_quality_report(version=fresh, user=owner)
    DatasetVersion.objects.filter(pk=fresh.pk).update(derived_from=None)
    fresh.refresh_from_db()
    with pytest.raises(GenerationRejected, match="names no source version"):
        services.start_quality_report(version=fresh, user=owner)
    empty = synthetic_version(
        copy_of_source(source_version, tmp_path), source=source_version, owner=owner, title="Empty"
    )
    empty.images.all().delete()
    with pytest.raises(GenerationRejected, match="has no images"):
        services.start_quality_report(version=empty, user=owner)
    assert QualityReport.objects.count() == 1


@pytest.mark.django_db
def test_command_refuses_an_unknown_version_id(owner):
    with pytest.raises(CommandError, match="unknown dataset version id 987654"):
        call_command("quality_report", "987654")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_report_is_computed_by_a_real_worker(workers, source_version, owner, tmp_path, settings):
    version = synthetic_version(
        copy_of_source(source_version, tmp_path), source=source_version, owner=owner
    )
    worker = workers(
        "w1",
        INCEPTION_WEIGHTS_PATH=settings.INCEPTION_WEIGHTS_PATH,
        QUALITY_CLASSIFIER_STEPS=str(settings.QUALITY_CLASSIFIER_STEPS),
    )
    report = services.start_quality_report(version=version, user=owner)

    def done():
        row = QualityReport.objects.get(pk=report.pk)
        assert row.state not in (JobState.FAILED, JobState.CANCELLED), (row.error, worker.output())
        return row if row.state == JobState.SUCCEEDED else None

    row = wait_for(done, timeout=300, what="the quality report")
    assert row.celery_task_id and row.flagged and row.memorized_share == 1.0
    assert row.worker.endswith(f":{worker.pid}")
    version.refresh_from_db()
    assert version.is_held


@pytest.mark.django_db(transaction=True)
def test_command_sync_assesses_in_this_process_and_prints_the_verdict(copied, capsys):
    call_command("quality_report", str(copied.pk), "--sync", "--seed", "3")
    out = capsys.readouterr().out
    report = QualityReport.objects.get(version=copied)
    assert report.state == JobState.SUCCEEDED and report.seed == 3
    assert f"Quality report {report.pk} queued" in out
    assert "memorized share 100.0% (limit 5%): HELD from publishing" in out


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_generation_job_queues_the_report_of_its_version_which_names_the_model(
    source_version, owner, settings
):
    settings.QUALITY_AFTER_GENERATION = True
    model = train_model_here(source_version, owner)
    job = services.start_generation(
        model=model, count_per_class=8, classes=None, seed=1, user=owner, enqueue=False
    )
    run_generation(job.pk)
    job.refresh_from_db()
    report = QualityReport.objects.get(version=job.result_version)
    assert report.celery_task_id  # sent to the gpu queue when the job's success committed
    assert (report.model, report.source_version) == (model, source_version)
    run_quality_report(report.pk)
    report.refresh_from_db()
    assert report.state == JobState.SUCCEEDED, report.error
    assert report.report["counts"]["synthetic"] == {"blue": 8, "green": 8, "red": 8}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_report_after_generation_when_switched_off(source_version, owner, settings):
    settings.QUALITY_AFTER_GENERATION = False
    model = train_model_here(source_version, owner)
    job = services.start_generation(
        model=model, count_per_class=2, classes=None, seed=1, user=owner, enqueue=False
    )
    run_generation(job.pk)
    assert not QualityReport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_report_is_not_computed(fresh, owner):
    report = services.start_quality_report(version=fresh, user=owner, enqueue=False)
    services.cancel(task=report, user=owner)
    run_quality_report(report.pk)
    report.refresh_from_db()
    assert report.state == JobState.CANCELLED and report.report == {}
    assert not QualityBaseline.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_dead_workers_report_is_queued_again(fresh, owner):
    report = services.start_quality_report(version=fresh, user=owner, enqueue=False)
    QualityReport.objects.filter(pk=report.pk).update(
        state=JobState.RUNNING,
        worker="another-host:1",
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    recovered = tasks.requeue_orphans(include_queued=False)
    assert recovered["quality_reports"] == [report.pk]
    assert QualityReport.objects.get(pk=report.pk).celery_task_id


@pytest.mark.django_db
def test_admin_shows_reports_and_baselines_read_only(client, fresh, owner):
    report = services.start_quality_report(version=fresh, user=owner, enqueue=False)
    client.force_login(owner)
    page = client.get(f"/admin/generation/qualityreport/{report.pk}/change/")
    assert page.status_code == 200
    assert b'name="report"' not in page.content  # shown, not an editable field
    assert client.get("/admin/generation/qualityreport/add/").status_code == 403
    assert client.get("/admin/generation/qualitybaseline/").status_code == 200
