"""How models, training runs, metric points and generation jobs read in the API, and what
starting a run or a job takes. Ranges and names are checked by generation.services, which
refuses with one line (a 400), so the rules are the same for the API, the pages and the CLI."""

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from datasets.api.serializers import VersionSummarySerializer
from gan_engine.metric_labels import LABELS
from gan_engine.presets import DEFAULT_PRESET, PRESETS
from generation import selectors
from generation.models import (
    ARTIFACT_FIELDS,
    GanModel,
    GenerationJob,
    MetricPoint,
    QualityReport,
    TrainingRun,
)
from generation.presentation.quality import closest_pairs
from portal.api.links import RouteUrlField, route_url


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="progress_done")
    total = serializers.IntegerField(source="progress_total")
    percent = serializers.FloatField(source="progress_percent")
    items_per_second = serializers.FloatField(allow_null=True)
    eta_seconds = serializers.FloatField(allow_null=True)


class TaskSerializer(serializers.ModelSerializer):
    """What runs and jobs share: state, progress, timings, and where to cancel them."""

    owner = serializers.CharField(source="owner.username", read_only=True)
    progress = ProgressSerializer(source="*", read_only=True)
    cancel_url = serializers.SerializerMethodField()

    class Meta:
        fields = [
            "state",
            "progress",
            "owner",
            "attempts",
            "cancel_requested",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "cancel_url",
        ]

    def get_cancel_url(self, task) -> str:
        kind = "training-run" if isinstance(task, TrainingRun) else "generation-job"
        return route_url(self.context["request"], f"api:{kind}-cancel", task.pk)


class ModelRefSerializer(serializers.ModelSerializer):
    url = RouteUrlField("api:model-detail")

    class Meta:
        model = GanModel
        fields = ["id", "url", "name", "version"]


class GanModelSerializer(serializers.ModelSerializer):
    """A trained generator with the metrics of its weights (labelled by the feature extractor
    that produced them; `snapshot_iteration` says which iteration's generator the weights are)
    and its lineage: the run that trained it and the version it learned from."""

    url = RouteUrlField("api:model-detail")
    source_version = VersionSummarySerializer(read_only=True)
    training_run = RouteUrlField("api:training-run-detail", key="training_run_id", allow_null=True)
    generate_url = RouteUrlField("api:model-generate")
    page_url = RouteUrlField("generation:model")

    class Meta:
        model = GanModel
        fields = [
            "id",
            "url",
            "name",
            "version",
            "class_names",
            "iterations",
            "snapshot_iteration",
            "config",
            "metrics",
            "weights_sha256",
            "source_version",
            "training_run",
            "generate_url",
            "page_url",
            "created_at",
        ]


class GanModelDetailSerializer(GanModelSerializer):
    generated_versions = serializers.SerializerMethodField()

    class Meta(GanModelSerializer.Meta):
        fields = [*GanModelSerializer.Meta.fields, "generated_versions"]

    @extend_schema_field(VersionSummarySerializer(many=True))
    def get_generated_versions(self, model: GanModel) -> list[dict]:
        """The synthetic versions this model made that the user may see."""
        versions = self.context["generated_versions"]
        return VersionSummarySerializer(versions, many=True, context=self.context).data


class TrainingRunSerializer(TaskSerializer):
    url = RouteUrlField("api:training-run-detail")
    source_version = VersionSummarySerializer(read_only=True)
    model = serializers.SerializerMethodField()
    metrics_url = RouteUrlField("api:training-run-metrics")
    page_url = RouteUrlField("generation:run")

    class Meta:
        model = TrainingRun
        fields = [
            "id",
            "url",
            "source_version",
            "preset",
            "overrides",
            "config",
            *TaskSerializer.Meta.fields,
            "checkpoint_iteration",
            "resumed_from_iteration",
            "log_tail",
            "model",
            "metrics_url",
            "page_url",
        ]

    @extend_schema_field(ModelRefSerializer(allow_null=True))
    def get_model(self, run: TrainingRun) -> dict | None:
        """The model a run registered when it succeeded."""
        model = getattr(run, "model", None)
        return ModelRefSerializer(model, context=self.context).data if model else None


class TrainingRunCreateSerializer(serializers.Serializer):
    source_version = serializers.IntegerField(help_text="Id of the dataset version to learn.")
    preset = serializers.ChoiceField(choices=sorted(PRESETS), default=DEFAULT_PRESET)
    overrides = serializers.DictField(
        required=False,
        default=dict,
        help_text='Engine settings that differ from the preset, e.g. {"iterations": 2000}.',
    )


class MetricPointSerializer(serializers.ModelSerializer):
    labels = serializers.SerializerMethodField()
    small_sample = serializers.DictField(
        source="small_sample_notes",
        child=serializers.CharField(),
        read_only=True,
        help_text="Metric name -> why its figure is biased by the sample size, with the image "
        "counts (e.g. a Fréchet distance from fewer images than feature dimensions); empty "
        "when no figure is.",
    )

    class Meta:
        model = MetricPoint
        fields = [
            "iteration",
            "g_loss",
            "d_loss",
            "fid",
            "is_mean",
            "is_std",
            "kid_mean",
            "kid_std",
            "extractor",
            "fid_comparable",
            "n_real",
            "n_fake",
            "labels",
            "small_sample",
            *ARTIFACT_FIELDS,
            "created_at",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "description": "How each figure must be named for its extractor: FID, KID and IS "
            "only on Inception-v3 features.",
            "properties": {name: {"type": "string"} for name in LABELS},
        }
    )
    def get_labels(self, point: MetricPoint) -> dict[str, str]:
        return {name: point.label(name) for name in LABELS} if point.extractor else {}


class GenerationJobSerializer(TaskSerializer):
    url = RouteUrlField("api:generation-job-detail")
    model = ModelRefSerializer(read_only=True)
    classes = serializers.ListField(
        source="class_names", child=serializers.CharField(), read_only=True
    )
    seed = serializers.IntegerField(source="base_seed", read_only=True)
    result_version = serializers.SerializerMethodField()
    page_url = RouteUrlField("generation:job")

    class Meta:
        model = GenerationJob
        fields = [
            "id",
            "url",
            "model",
            "count_per_class",
            "classes",
            "seed",
            *TaskSerializer.Meta.fields,
            "metrics",
            "result_version",
            "page_url",
        ]

    @extend_schema_field(VersionSummarySerializer(allow_null=True))
    def get_result_version(self, job: GenerationJob) -> dict | None:
        """The synthetic version the job fills; null until it exists, or if the user may not
        see it (a new synthetic dataset is private to whoever generated it)."""
        version = selectors.visible_result(job)
        if version is None:
            return None
        return VersionSummarySerializer(version, context=self.context).data


class GenerateSerializer(serializers.Serializer):
    count_per_class = serializers.IntegerField(help_text="Images to make for each class.")
    classes = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        help_text="Class names of the model; all of them when left out.",
    )
    seed = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Base seed: image i of class c gets seed + c*count + i. Random (and recorded) "
        "when left out.",
    )


class PublicationHoldSerializer(serializers.Serializer):
    """Whether the version may be published, and the curator's answer to a hold."""

    held = serializers.BooleanField(source="is_held", help_text="True until overridden.")
    reason = serializers.CharField(
        source="publication_hold", help_text="Why publishing is held; empty when it is not."
    )
    override_reason = serializers.CharField(source="hold_override_reason")
    overridden_by = serializers.CharField(
        source="hold_overridden_by.username", default=None, allow_null=True
    )
    overridden_at = serializers.DateTimeField(source="hold_overridden_at", allow_null=True)


class ClosestPairSerializer(serializers.Serializer):
    """A synthetic image and its nearest real image, with thumbnails for review (null where
    the caller may not see that image's files)."""

    space = serializers.CharField(help_text="pixels-16x16 or the domain CNN's features.")
    synthetic_image = serializers.IntegerField(help_text="Id of the synthetic ImageRecord.")
    real_image = serializers.IntegerField(help_text="Id of the real ImageRecord.")
    distance = serializers.FloatField()
    memorized = serializers.BooleanField(help_text="At or below the space's reference.")
    synthetic_thumbnail = serializers.URLField(allow_null=True)
    real_thumbnail = serializers.URLField(allow_null=True)


@extend_schema_serializer(
    many=False,  # one report answers `versions/<id>/quality/`, though the router calls it a list
    examples=[
        OpenApiExample(
            "A finished report that holds publishing",
            response_only=True,
            value={
                "id": 3,
                "state": "succeeded",
                "progress": {
                    "done": 5,
                    "total": 5,
                    "percent": 100.0,
                    "items_per_second": None,
                    "eta_seconds": None,
                },
                "error": "",
                "seed": 0,
                "memorization_threshold": 0.05,
                "memorized_share": 0.31,
                "flagged": True,
                "hold": {
                    "held": True,
                    "reason": "Quality report 3: 31% of the synthetic images are as close to a "
                    "real image as the closest 1% of real images are to each other (the limit "
                    "is 5%), so they may copy real images.",
                    "override_reason": "",
                    "overridden_by": None,
                    "overridden_at": None,
                },
                "closest_pairs": [
                    {
                        "space": "pixels-16x16",
                        "synthetic_image": 912,
                        "real_image": 17,
                        "distance": 0.0,
                        "memorized": True,
                        "synthetic_thumbnail": "https://portal.example/datasets/images/912/"
                        "thumbnail/",
                        "real_thumbnail": None,
                    }
                ],
                "report": {"format": "gan_engine.quality.report/1", "...": "..."},
            },
        )
    ],
)
class QualityReportSerializer(serializers.ModelSerializer):
    """The newest quality report of a synthetic version: state and progress while it runs; the
    engine's report (every figure with its feature extractor and sample counts), the memorized
    share and the publication hold once it is done."""

    version = VersionSummarySerializer(read_only=True)
    progress = ProgressSerializer(source="*", read_only=True)
    model = ModelRefSerializer(read_only=True, allow_null=True)
    hold = PublicationHoldSerializer(source="version", read_only=True)
    closest_pairs = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    report = serializers.JSONField(
        read_only=True,
        help_text="gan_engine.quality's report: fidelity per feature extractor (FID and KID "
        "only on Inception-v3; named distances on the domain CNN), precision/recall/density/"
        "coverage, memorization per space, usefulness (accuracy, macro-F1, per-class recall "
        "trained on real, synthetic, real+synthetic). Empty until the report is done.",
    )

    class Meta:
        model = QualityReport
        fields = [
            "id",
            "version",
            "model",
            "state",
            "progress",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "seed",
            "memorization_threshold",
            "memorized_share",
            "flagged",
            "hold",
            "closest_pairs",
            "report",
            "page_url",
        ]

    @extend_schema_field(ClosestPairSerializer(many=True))
    def get_closest_pairs(self, report: QualityReport) -> list[dict]:
        request = self.context["request"]
        pairs = closest_pairs(report, user=request.user)
        for pair in pairs:
            for side in ("synthetic_thumbnail", "real_thumbnail"):
                if pair[side]:
                    pair[side] = request.build_absolute_uri(pair[side])
        return ClosestPairSerializer(pairs, many=True).data

    def get_page_url(self, report: QualityReport) -> str:
        path = report.version.get_absolute_url()
        return self.context["request"].build_absolute_uri(path + "#quality")
