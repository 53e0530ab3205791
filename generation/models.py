"""Training runs, the trained GAN models they register, metric history and generation jobs.

Lineage: GanModel -> TrainingRun -> source DatasetVersion; GenerationJob -> GanModel and the
synthetic DatasetVersion it fills. Runs and jobs carry a heartbeat and the worker that holds
them, so a recovery step can tell a dead worker's work from live work.
"""

from django.conf import settings
from django.db import models

from datasets.models import DatasetVersion, ImageRecord
from gan_engine.artifact_targets import FIGURES as ARTIFACT_FIELDS
from gan_engine.metric_labels import metric_label
from generation.constants import DemoStage, JobState


class TrackedTask(models.Model):
    """What runs and jobs share: state, progress, the worker holding them, and timings."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    items_per_second = models.FloatField(null=True, blank=True)
    eta_seconds = models.FloatField(null=True, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=200, blank=True, help_text="host:pid holding the task")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    timings = models.JSONField(
        default=dict, blank=True, help_text="Seconds spent in each phase of the last attempt."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def progress_percent(self) -> float:
        if not self.progress_total:
            return 0.0
        return round(100.0 * self.progress_done / self.progress_total, 1)

    @property
    def is_active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)


class TrainingRun(TrackedTask):
    source_version = models.ForeignKey(
        DatasetVersion, on_delete=models.PROTECT, related_name="training_runs"
    )
    preset = models.CharField(max_length=40)
    overrides = models.JSONField(default=dict, blank=True)
    config = models.JSONField(default=dict, help_text="The resolved engine configuration.")
    checkpoint = models.FileField(max_length=500, blank=True)
    checkpoint_iteration = models.PositiveIntegerField(default=0)
    resumed_from_iteration = models.PositiveIntegerField(
        null=True, blank=True, help_text="Iteration of the checkpoint the latest attempt resumed."
    )
    log_tail = models.TextField(blank=True)

    class Meta(TrackedTask.Meta):
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Training run {self.pk} ({self.preset}, {self.state})"


class GanModel(models.Model):
    """A trained generator: immutable weights with the configuration and metrics that made it."""

    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)
    training_run = models.OneToOneField(
        TrainingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="model"
    )
    source_version = models.ForeignKey(
        DatasetVersion, on_delete=models.PROTECT, related_name="gan_models"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    weights = models.FileField(max_length=500)
    weights_sha256 = models.CharField(max_length=64)
    config = models.JSONField(default=dict)
    class_names = models.JSONField(default=list)
    iterations = models.PositiveIntegerField(default=0)
    snapshot_iteration = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The iteration whose generator the weights are: the evaluation with the "
        "lowest KID where the run chose it (export_snapshot), else the last one.",
    )
    metrics = models.JSONField(
        default=dict, blank=True, help_text="The evaluation report of those weights."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="unique_model_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_earlier_snapshot(self) -> bool:
        """Whether the weights are an earlier evaluation's than the run's last iteration."""
        return self.snapshot_iteration is not None and self.snapshot_iteration < self.iterations


SATURATION_HELP = "Share of pixels with a channel at 0 or 255 in this 8 x 8 window."
BLOCK_HELP = "Gradient across %s-px block boundaries over that inside blocks (1: no grid)."


class MetricPoint(models.Model):
    """One point of a run's history: losses at an iteration, and metrics where it evaluated.

    `fid_comparable` says whether the point's FID may be compared with published ones: the
    standard network and at least as many images as its feature dimensions. The artifact
    figures (docs/quality.md) are measured on the same generated images, without a network.
    """

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="metric_points")
    iteration = models.PositiveIntegerField()
    g_loss = models.FloatField(null=True, blank=True)
    d_loss = models.FloatField(null=True, blank=True)
    fid = models.FloatField(null=True, blank=True)
    is_mean = models.FloatField(null=True, blank=True)
    is_std = models.FloatField(null=True, blank=True)
    kid_mean = models.FloatField(null=True, blank=True)
    kid_std = models.FloatField(null=True, blank=True)
    extractor = models.CharField(max_length=100, blank=True)
    fid_comparable = models.BooleanField(default=False)
    n_real = models.PositiveIntegerField(null=True, blank=True)
    n_fake = models.PositiveIntegerField(null=True, blank=True)
    corner_saturation_top_left = models.FloatField(null=True, blank=True, help_text=SATURATION_HELP)
    corner_saturation_top_right = models.FloatField(
        null=True, blank=True, help_text=SATURATION_HELP
    )
    corner_saturation_bottom_left = models.FloatField(
        null=True, blank=True, help_text=SATURATION_HELP
    )
    corner_saturation_bottom_right = models.FloatField(
        null=True, blank=True, help_text=SATURATION_HELP
    )
    centre_saturation = models.FloatField(null=True, blank=True, help_text=SATURATION_HELP)
    block_ratio_4 = models.FloatField(null=True, blank=True, help_text=BLOCK_HELP % 4)
    block_ratio_8 = models.FloatField(null=True, blank=True, help_text=BLOCK_HELP % 8)
    block_ratio_16 = models.FloatField(null=True, blank=True, help_text=BLOCK_HELP % 16)
    periodicity = models.FloatField(
        null=True,
        blank=True,
        help_text="Peak of the mean power spectrum over its ring mean (a few: no tiling).",
    )
    details = models.JSONField(default=dict, blank=True, help_text="Per-class results and notes.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "iteration"]
        constraints = [
            models.UniqueConstraint(fields=["run", "iteration"], name="unique_point_per_iteration")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} @ {self.iteration}"

    @property
    def report(self) -> dict:
        """The stored evaluation report ({} on loss-only points)."""
        return (self.details or {}).get("report", {})

    def label(self, name: str) -> str:
        """How metric `name` must be shown for this point's extractor (never "FID" for others).

        The name follows the network, not the sample size: a standard Inception-v3 distance
        from too few images is still FID, flagged by `small_sample_notes`.
        """
        comparable = self.report.get("fid_comparable", self.fid_comparable)
        return metric_label(name, self.extractor, comparable)

    @property
    def small_sample_notes(self) -> dict[str, str]:
        """Metric name -> why its overall figure is biased by the sample size (with the
        counts), for the figures the engine flagged."""
        results = self.report.get("results", [])
        return {
            r["name"]: r["small_sample_reason"]
            for r in results
            if r.get("class_name") is None and r.get("small_sample")
        }

    @property
    def artifacts(self) -> dict[str, float]:
        """The artifact figures that were measured, by name (none on loss-only points)."""
        values = {name: getattr(self, name) for name in ARTIFACT_FIELDS}
        return {name: value for name, value in values.items() if value is not None}


class GenerationJob(TrackedTask):
    model = models.ForeignKey(GanModel, on_delete=models.PROTECT, related_name="generation_jobs")
    count_per_class = models.PositiveIntegerField()
    class_names = models.JSONField(default=list)
    base_seed = models.BigIntegerField()
    result_version = models.OneToOneField(
        DatasetVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="generation_job",
    )
    metrics = models.JSONField(
        default=dict, blank=True, help_text="The synthetic set against its source."
    )

    class Meta(TrackedTask.Meta):
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Generation job {self.pk} ({self.count_per_class}/class, {self.state})"


class GeneratedImage(models.Model):
    """The paper's generated-images table: one row per file, reproducible from model+class+seed."""

    job = models.ForeignKey(GenerationJob, on_delete=models.CASCADE, related_name="images")
    model = models.ForeignKey(GanModel, on_delete=models.PROTECT, related_name="images")
    image = models.OneToOneField(ImageRecord, on_delete=models.CASCADE, related_name="generated")
    class_name = models.CharField(max_length=100)
    seed = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "class_name", "seed"]
        constraints = [
            models.UniqueConstraint(fields=["job", "class_name", "seed"], name="unique_job_seed")
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.class_name} seed {self.seed}"


class QualityBaseline(models.Model):
    """The fixed real split and the domain CNN of one source version.

    Every quality report on a synthetic version made from this source uses the same held-out
    images and the same feature network, so reports of different models or recipes compare.
    """

    source_version = models.OneToOneField(
        DatasetVersion, on_delete=models.CASCADE, related_name="quality_baseline"
    )
    seed = models.BigIntegerField(default=0)
    train_images = models.JSONField(default=list, help_text="ImageRecord ids of the train part.")
    held_out_images = models.JSONField(default=list, help_text="ImageRecord ids held out.")
    classifier = models.FileField(max_length=500, help_text="Weights of the domain CNN.")
    classifier_config = models.JSONField(default=dict, blank=True)
    extractor_name = models.CharField(
        max_length=200, help_text="The domain CNN's feature-extractor name (never called FID)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Quality baseline of {self.source_version}"


class QualityReport(TrackedTask):
    """Fidelity, diversity, memorization and usefulness of a synthetic version (issue 8).

    `report` is gan_engine.quality's JSON (each figure with its extractor and sample counts);
    the columns beside it are what the catalogue filters and gates publishing on.
    """

    version = models.ForeignKey(
        DatasetVersion, on_delete=models.CASCADE, related_name="quality_reports"
    )
    source_version = models.ForeignKey(DatasetVersion, on_delete=models.PROTECT, related_name="+")
    model = models.ForeignKey(
        GanModel, on_delete=models.PROTECT, null=True, blank=True, related_name="quality_reports"
    )
    baseline = models.ForeignKey(
        QualityBaseline, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    seed = models.BigIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    memorization_threshold = models.FloatField(
        help_text="Largest share of memorized images allowed before publishing is held."
    )
    memorized_share = models.FloatField(null=True, blank=True)
    flagged = models.BooleanField(default=False)
    closest_pairs = models.JSONField(
        default=list,
        blank=True,
        help_text="The closest synthetic/real pairs as ImageRecord ids with their distances.",
    )

    class Meta(TrackedTask.Meta):
        indexes = [models.Index(fields=["state", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"Quality report {self.pk} of {self.version} ({self.state})"


class DemoPipeline(models.Model):
    """The demo of a fresh `make run` carried on by itself: the demo training run, then the
    generation job from its model, the quality report of the synthetic version, and publishing.

    One row at most, made by seed_demo on a fresh database; each stage's hook moves it on only
    from the stage before, so a retried task never starts a step twice. `reason` says why a
    version was not published (its hold, or what publishing refused).
    """

    stage = models.CharField(max_length=12, choices=DemoStage.choices, default=DemoStage.TRAINING)
    training_run = models.OneToOneField(
        TrainingRun, on_delete=models.PROTECT, related_name="demo_pipeline"
    )
    generation_job = models.OneToOneField(
        GenerationJob, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quality_report = models.ForeignKey(
        QualityReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why the synthetic version is not published.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Demo pipeline of run {self.training_run_id} ({self.stage})"

    @property
    def version(self) -> DatasetVersion | None:
        """The synthetic version the demo makes, once its generation job has created it."""
        return self.generation_job.result_version if self.generation_job else None
