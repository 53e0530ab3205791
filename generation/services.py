"""Writes of the generation app: start and cancel runs, jobs and reports. Every door calls these.

Starting a run or a job validates everything first and enqueues only after the row is committed
(transaction.on_commit), so a rejected request leaves nothing queued and a worker never picks up
a row it cannot see yet.
"""

import secrets
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from datasets import selectors as catalogue
from datasets.constants import DatasetKind
from datasets.models import DatasetVersion
from gan_engine.presets import make_config
from generation import selectors, tasks
from generation.constants import ACTIVE_STATES, JobState
from generation.exceptions import GenerationRejected
from generation.models import GanModel, GenerationJob, QualityReport, TrackedTask, TrainingRun

MAX_SEED = 2**62  # seeds are offset per image: stay far from the 64-bit limit
# The quality report's random streams are `seed | stream << 32`: its seeds must fit in 32 bits.
MAX_QUALITY_SEED = 2**32


def start_training(
    *,
    source_version: DatasetVersion,
    preset: str,
    overrides: Mapping[str, object] | None,
    user,
    enqueue: bool = True,
) -> TrainingRun:
    """A queued TrainingRun of `preset` (+ overrides) on `source_version`, sent to the gpu queue.

    Raises PermissionDenied unless `user` edits the version's dataset: a run reads every file
    of the version and its model is shown with the dataset.
    """
    if not catalogue.is_editor(user=user, dataset=source_version.dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff train on it")
    overrides = dict(overrides or {})
    try:
        config = make_config(preset, overrides)
    except (TypeError, ValueError) as error:
        raise GenerationRejected(str(error)) from error
    _check_trainable(source_version)
    with transaction.atomic():
        run = TrainingRun.objects.create(
            source_version=source_version,
            owner=user,
            preset=preset,
            overrides=overrides,
            config=config.to_dict(),
            progress_total=config.iterations,
        )
        if enqueue:
            transaction.on_commit(lambda: tasks.enqueue(TrainingRun, run.pk))
    return run


def _check_trainable(version: DatasetVersion) -> None:
    """A conditional GAN needs at least two classes, each with enough images to learn from."""
    counts = catalogue.class_counts(version=version)
    if len(counts) < 2:
        raise GenerationRejected(
            f"{version.identifier} has {len(counts)} class(es) with images: training a "
            "class-conditional GAN needs at least 2"
        )
    minimum = settings.TRAINING_MIN_IMAGES_PER_CLASS
    small = sorted(name for name, n in counts.items() if n < minimum)
    if small:
        detail = ", ".join(f"{name} ({counts[name]})" for name in small)
        raise GenerationRejected(
            f"{version.identifier}: classes with fewer than {minimum} images: {detail}"
        )


def start_generation(
    *,
    model: GanModel,
    count_per_class: int,
    classes: Sequence[str] | None,
    seed: int | None,
    user,
    enqueue: bool = True,
) -> GenerationJob:
    """A queued GenerationJob of `count_per_class` images for each of `classes` (default: all).

    Raises PermissionDenied unless `user` may see the files the model learned from: a model
    can reproduce its training images.
    """
    if not selectors.can_generate(user=user, model=model):
        raise PermissionDenied(
            "generating needs access to the files this model learned from: ask for it on the "
            "source dataset's page"
        )
    maximum = settings.GENERATION_MAX_COUNT_PER_CLASS
    if not isinstance(count_per_class, int) or not 1 <= count_per_class <= maximum:
        raise GenerationRejected(
            f"count per class must be an integer from 1 to {maximum}, got {count_per_class!r}"
        )
    chosen = list(dict.fromkeys(classes)) if classes else list(model.class_names)
    unknown = [name for name in chosen if name not in model.class_names]
    if unknown:
        raise GenerationRejected(
            f"model {model.pk} does not know the class(es) {unknown}; "
            f"its classes are {model.class_names}"
        )
    if seed is None:
        seed = secrets.randbelow(2**31)
    if not isinstance(seed, int) or not 0 <= seed < MAX_SEED:
        raise GenerationRejected(f"seed must be an integer from 0 to {MAX_SEED - 1}, got {seed!r}")
    with transaction.atomic():
        job = GenerationJob.objects.create(
            model=model,
            owner=user,
            count_per_class=count_per_class,
            class_names=chosen,
            base_seed=seed,
            progress_total=count_per_class * len(chosen),
        )
        if enqueue:
            transaction.on_commit(lambda: tasks.enqueue(GenerationJob, job.pk))
    return job


def start_quality_report(
    *, version: DatasetVersion, user, seed: int | None = None, enqueue: bool = True
) -> QualityReport:
    """A queued QualityReport of the synthetic `version` against the version it was made from.

    Raises PermissionDenied unless `user` edits the version's dataset (the report may hold its
    publication), and GenerationRejected, naming the problem, for a version that is not
    synthetic, has no source or no images, or has a report under way already.
    """
    if not catalogue.is_editor(user=user, dataset=version.dataset):
        raise PermissionDenied(
            "only the dataset's owner, collaborators and staff start a quality report"
        )
    seed = settings.QUALITY_SEED if seed is None else seed
    if not isinstance(seed, int) or not 0 <= seed < MAX_QUALITY_SEED:
        raise GenerationRejected(
            f"seed must be an integer from 0 to {MAX_QUALITY_SEED - 1}, got {seed!r}"
        )
    _check_assessable(version)
    with transaction.atomic():
        DatasetVersion.objects.select_for_update().get(pk=version.pk)  # two clicks, one report
        under_way = version.quality_reports.filter(state__in=ACTIVE_STATES).first()
        if under_way is not None:
            raise GenerationRejected(
                f"quality report {under_way.pk} of {version.identifier} is {under_way.state} "
                "already: wait for it to finish"
            )
        job = GenerationJob.objects.filter(result_version=version).first()
        report = QualityReport.objects.create(
            version=version,
            source_version=version.derived_from,
            model=job.model if job else None,
            owner=user,
            seed=seed,
            memorization_threshold=settings.QUALITY_MEMORIZATION_THRESHOLD,
        )
        if enqueue:
            transaction.on_commit(lambda: tasks.enqueue(QualityReport, report.pk))
    return report


def _check_assessable(version: DatasetVersion) -> None:
    """A report compares synthetic images with the real ones they came from, and splits the
    real ones into train and held-out parts: every class needs two real images."""
    if version.dataset.kind != DatasetKind.SYNTHETIC:
        raise GenerationRejected(
            f"{version.identifier} holds real images: quality reports are for synthetic versions"
        )
    source = version.derived_from
    if source is None:
        raise GenerationRejected(
            f"{version.identifier} names no source version to compare its images with"
        )
    if not version.images.exists():
        raise GenerationRejected(f"{version.identifier} has no images yet")
    counts = catalogue.class_counts(version=source)
    classes = set(version.images.values_list("label__name", flat=True).distinct())
    unknown = sorted(classes - set(counts))
    if unknown:
        raise GenerationRejected(
            f"{version.identifier}: classes {unknown} have no images in its source "
            f"{source.identifier}"
        )
    small = sorted(name for name, n in counts.items() if n < 2)
    if small:
        raise GenerationRejected(
            f"{source.identifier}: classes {small} have fewer than 2 images, too few to hold "
            "one out for the report"
        )


def cancel(*, task: TrackedTask, user) -> TrackedTask:
    """Cancel a queued task at once; ask a running one to stop (its worker checks every second
    and marks it cancelled). Finished tasks are left as they are.

    Raises PermissionDenied unless `user` started the task or is staff.
    """
    if not selectors.can_manage(user=user, task=task):
        raise PermissionDenied("only whoever started it, and staff, may cancel it")
    model = type(task)
    now = timezone.now()
    model.objects.filter(pk=task.pk, state=JobState.QUEUED).update(
        state=JobState.CANCELLED, cancel_requested=True, finished_at=now
    )
    model.objects.filter(pk=task.pk, state=JobState.RUNNING).update(cancel_requested=True)
    task.refresh_from_db()
    return task
