"""The generation app's part of `manage.py check_integrity`: model weights, run checkpoints and
sample grids against storage, runs or jobs stuck with a dead worker, and those queued long ago
that no worker has started.

Both are requeued through generation.tasks.requeue_orphans, the same path as the periodic
recovery step, so a requeued task still claims its lease first and can never run twice at once.
"""

from datetime import timedelta

from django.core.files.storage import default_storage

from datasets import integrity
from datasets.integrity import Report
from generation import tasks
from generation.models import GanModel, GenerationJob, MetricPoint, TrainingRun
from generation.worker import recovery

# Where the generation app writes: registered generators and each run's checkpoints and grids.
GENERATION_PREFIXES = ("models/", "runs/")


def check_all(*, fix: bool, hashes: bool = True, orphan_min_age: timedelta) -> Report:
    """Every check, in an order where a repair feeds the next check: broken draft images are
    dropped before orphans are listed, so their thumbnails are found in the same run."""
    report = Report()
    integrity.check_catalogue(report, fix=fix, hashes=hashes)
    check_models(report, hashes=hashes)
    integrity.check_orphans(
        report,
        prefixes=integrity.CATALOGUE_PREFIXES + GENERATION_PREFIXES,
        referenced=integrity.referenced_files() | referenced_files(),
        min_age=orphan_min_age,
        fix=fix,
    )
    check_stuck(report, fix=fix)
    return report


def referenced_files() -> set[str]:
    names = set(GanModel.objects.values_list("weights", flat=True))
    names |= set(TrainingRun.objects.exclude(checkpoint="").values_list("checkpoint", flat=True))
    for details in MetricPoint.objects.values_list("details", flat=True):
        if isinstance(details, dict) and details.get("grid"):
            names.add(details["grid"])
    return names


def check_models(report: Report, *, hashes: bool) -> None:
    """Weights cannot be remade without retraining: report only, whatever --fix says."""
    for model in GanModel.objects.only("id", "name", "weights", "weights_sha256").order_by("id"):
        name = model.weights.name
        if not default_storage.exists(name):
            report.add("missing", name, f"weights of model {model.pk} ({model.name})")
        elif hashes and integrity.sha256_of(name) != model.weights_sha256:
            report.add("corrupt", name, f"weights of model {model.pk} ({model.name})")


def check_stuck(report: Report, *, fix: bool) -> None:
    """Running rows whose worker is gone ("stuck") and rows queued for longer than a lease
    lasts that no worker has started ("waiting": behind busy workers, for a worker to start, or
    for a message the broker lost). --fix requeues both; a second message for a row that was
    only waiting is harmless, the first worker to claim the row runs it."""
    found = {
        model: recovery.orphans(model, include_queued=True)
        for model in (TrainingRun, GenerationJob)
    }
    if fix:
        tasks.requeue_orphans(include_queued=True)
    for model, rows in found.items():
        for pk, queued_at in rows.items():
            report.add(
                "stuck" if queued_at is None else "waiting",
                f"{model.__name__} {pk}",
                recovery.why(queued_at) + ("; requeued" if fix else ""),
                fixed=fix,
            )
