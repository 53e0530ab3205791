"""A tiny training run started through the service and executed in this process, as a worker
executes it: for tests that need a run's stored results rather than the worker around it."""

from generation import services
from generation.models import TrainingRun
from generation.workflows.training import run_training


def train_tiny(source_version, owner, **overrides) -> TrainingRun:
    run = services.start_training(
        source_version=source_version,
        preset="tiny",
        overrides=overrides,
        user=owner,
        enqueue=False,
    )
    run_training(run.pk)
    return TrainingRun.objects.get(pk=run.pk)
