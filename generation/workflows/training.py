"""One training run, as a worker executes it: claim, stage, train with callbacks, register.

Resumable by construction: each checkpoint the engine writes is uploaded to storage and recorded
on the run before the next one replaces it, so a worker that dies (SIGKILL, lost host) leaves a
run that the next worker continues from its last checkpoint instead of from zero.
"""

import logging
import tempfile
from pathlib import Path

from django.conf import settings

from gan_engine.config import TrainConfig
from gan_engine.data import load_image_folder
from gan_engine.sample import class_grid, save_png
from gan_engine.train import CHECKPOINT_NAME, Callbacks, Evaluation, Progress, train
from generation import registry, signals
from generation.constants import JobState
from generation.models import ARTIFACT_FIELDS, MetricPoint, TrainingRun
from generation.worker import leases, staging
from generation.worker.evaluation import PortalEvaluator, training_device
from generation.worker.progress import PhaseClock, ProgressReporter

logger = logging.getLogger(__name__)
SAMPLES_PER_CLASS_IN_GRID = 8


def run_training(run_id: int) -> None:
    """Execute run `run_id` if this worker can claim it; safe to call for a finished run."""
    leases.execute(
        TrainingRun, run_id, _train, related=("source_version",), traceback_field="log_tail"
    )


def _train(run: TrainingRun) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _train_in(run, Path(tmp))


def _train_in(run: TrainingRun, workdir: Path) -> None:
    data_dir, out_dir = workdir / "data", workdir / "out"
    out_dir.mkdir()
    clock = PhaseClock(TrainingRun, run.pk)
    config = TrainConfig(**run.config)
    with clock.phase("stage_seconds"):
        staging.stage_version(run.source_version, data_dir)
        data = load_image_folder(data_dir, config.resolution)
        if run.checkpoint:
            staging.download(run.checkpoint.name, out_dir / CHECKPOINT_NAME)
            TrainingRun.objects.filter(pk=run.pk).update(
                resumed_from_iteration=run.checkpoint_iteration
            )
    reporter = ProgressReporter(TrainingRun, run.pk)
    evaluator = PortalEvaluator()

    def on_progress(progress: Progress) -> None:
        last = progress.iteration == progress.total  # the final losses are always kept
        if reporter.report(progress.iteration, progress.total, force=last):
            _record_losses(run, progress)

    def on_evaluation(evaluation: Evaluation) -> None:
        _record_evaluation(run, evaluation, data.num_classes, evaluator.notes())

    with clock.phase("train_seconds"):
        result = train(
            config,
            data,
            out_dir,
            callbacks=Callbacks(
                on_progress=on_progress,
                on_evaluation=on_evaluation,
                on_checkpoint=lambda path, iteration: _store_checkpoint(run, path, iteration),
                should_stop=lambda: reporter.should_stop,
            ),
            evaluator=evaluator,
            resume=True,
            device=training_device(),
            cudnn_benchmark=settings.TRAINING_CUDNN_BENCHMARK,
        )
    if reporter.lease_lost:
        logger.warning("run %s: another worker took it over; stopping here", run.pk)
        return
    if result.stopped:
        leases.finish(TrainingRun, run.pk, JobState.CANCELLED)
        return
    with clock.phase("register_seconds"):
        model = registry.register_model(
            run=run,
            export_path=result.export,
            snapshot_iteration=result.export_iteration,
            class_names=data.class_names,
            metrics=_evaluation_report(run, result.export_iteration),
        )
    reporter.report(result.iteration, config.iterations, force=True)
    signals.model_registered.send(TrainingRun, run=run, model=model)
    leases.finish(TrainingRun, run.pk, JobState.SUCCEEDED)


def _record_losses(run: TrainingRun, progress: Progress) -> None:
    MetricPoint.objects.update_or_create(
        run=run,
        iteration=progress.iteration,
        defaults={"g_loss": progress.g_loss, "d_loss": progress.d_loss},
    )


def _record_evaluation(
    run: TrainingRun, evaluation: Evaluation, num_classes: int, notes: dict
) -> None:
    """A MetricPoint with the overall figures of the evaluation's extractor and the artifact
    figures of its samples, the full report in `details`, and a sample grid per class stored
    beside the run. The FID is comparable only if its own result says so (the standard network
    and enough images); the report's claim about the network stays in `details` for labels."""
    report = evaluation.report
    grid = class_grid(evaluation.images, evaluation.labels, num_classes, SAMPLES_PER_CLASS_IN_GRID)
    grid_name = _store_grid(run, evaluation.iteration, grid)
    fid, kid, inception = (report.get(name) for name in ("fid", "kid", "is"))
    figures = {
        "fid": fid.value if fid else None,
        "kid_mean": kid.value if kid else None,
        "kid_std": kid.std if kid else None,
        "is_mean": inception.value if inception else None,
        "is_std": inception.std if inception else None,
        "extractor": report.extractor,
        "fid_comparable": fid.fid_comparable if fid else report.fid_comparable,
        "n_real": next((r.n_real for r in (fid, kid) if r), None),
        "n_fake": next((r.n_fake for r in (fid, kid) if r), None),
        **{name: report.artifacts.get(name) for name in ARTIFACT_FIELDS},
        "details": {"report": report.to_dict(), "grid": grid_name, **notes},
    }
    MetricPoint.objects.update_or_create(run=run, iteration=evaluation.iteration, defaults=figures)


def _evaluation_report(run: TrainingRun, iteration: int) -> dict:
    """The stored report of the evaluation at `iteration`, with its notes; {} where the run did
    not evaluate there. Read back from the run's MetricPoint, not kept in memory, because the
    evaluation of the exported generator may have run in a worker before a resume."""
    point = MetricPoint.objects.filter(run=run, iteration=iteration).first()
    if point is None or not point.report:
        return {}
    notes = {key: value for key, value in point.details.items() if key not in ("report", "grid")}
    return {**point.report, **notes}


def _store_grid(run: TrainingRun, iteration: int, grid) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grid.png"
        save_png(grid, path)
        return staging.upload(path, f"runs/{run.pk}/samples/iteration-{iteration:07d}.png")


def _store_checkpoint(run: TrainingRun, path: Path, iteration: int) -> None:
    """Upload the new checkpoint, point the run at it, then drop the previous one: the run
    always points at a complete file."""
    previous = TrainingRun.objects.filter(pk=run.pk).values_list("checkpoint", flat=True).first()
    stored = staging.upload(path, f"runs/{run.pk}/checkpoint-{iteration:07d}.pt")
    TrainingRun.objects.filter(pk=run.pk).update(checkpoint=stored, checkpoint_iteration=iteration)
    if previous and previous != stored:
        staging.delete_quietly(previous)
