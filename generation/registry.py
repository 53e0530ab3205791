"""A finished run's generator stored as a numbered GanModel: the one write of a training run's
end, kept apart from the services that queue work (the training workflow calls it)."""

import hashlib
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max

from generation.models import GanModel, TrainingRun

# Runs finishing together on several workers retry the next model number this often.
MODEL_NUMBERING_ATTEMPTS = 5


def register_model(
    *,
    run: TrainingRun,
    export_path: Path,
    snapshot_iteration: int,
    class_names: list[str],
    metrics: dict,
) -> GanModel:
    """Store the run's exported generator (the weights of `snapshot_iteration`, with `metrics`
    the report of that iteration's evaluation) as a new GanModel, once: a retried task that
    already registered gets the same model back."""
    existing = GanModel.objects.filter(training_run=run).first()
    if existing is not None:
        return existing
    name = f"{run.source_version.dataset.slug}-{run.preset}"
    with open(export_path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
        handle.seek(0)
        stored = default_storage.save(f"models/{name}/run-{run.pk}-generator.pt", File(handle))
    try:
        return _numbered_model(
            name,
            training_run=run,
            source_version=run.source_version,
            owner=run.owner,
            weights=stored,
            weights_sha256=digest,
            config=run.config,
            class_names=list(class_names),
            iterations=run.progress_total,
            snapshot_iteration=snapshot_iteration,
            metrics=metrics,
        )
    except BaseException:
        default_storage.delete(stored)
        raise


def _numbered_model(name: str, **fields) -> GanModel:
    """A GanModel named `name` with the next free version number.

    Two runs on one source can finish at the same moment on two workers and read the same
    highest number; the unique constraint on (name, version) decides, and the loser takes the
    next number. A second registration of the same run (OneToOne) returns the first one.
    """
    for _ in range(MODEL_NUMBERING_ATTEMPTS - 1):
        try:
            return _create_numbered_model(name, **fields)
        except IntegrityError:
            existing = GanModel.objects.filter(training_run=fields["training_run"]).first()
            if existing is not None:
                return existing
    return _create_numbered_model(name, **fields)


def _create_numbered_model(name: str, **fields) -> GanModel:
    with transaction.atomic():
        number = (GanModel.objects.filter(name=name).aggregate(n=Max("version"))["n"] or 0) + 1
        return GanModel.objects.create(name=name, version=number, **fields)
