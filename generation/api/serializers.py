"""How models, training runs, metric points and generation jobs read in the API, and what
starting a run or a job takes. Ranges and names are checked by generation.services, which
refuses with one line (a 400), so the rules are the same for the API, the pages and the CLI."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from datasets.api.links import RouteUrlField, route_url
from datasets.api.serializers import VersionSummarySerializer
from gan_engine.metric_labels import LABELS
from gan_engine.presets import PRESETS
from generation.models import GanModel, GenerationJob, MetricPoint, TrainingRun


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
    """A trained generator with its final metrics (labelled by the feature extractor that
    produced them) and its lineage: the run that trained it and the version it learned from."""

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
    preset = serializers.ChoiceField(choices=sorted(PRESETS), default="small")
    overrides = serializers.DictField(
        required=False,
        default=dict,
        help_text='Engine settings that differ from the preset, e.g. {"iterations": 2000}.',
    )


class MetricPointSerializer(serializers.ModelSerializer):
    labels = serializers.SerializerMethodField()

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
        # `result_visible` is annotated by the views' queryset; a job just queued has no result.
        if not job.result_version_id or not getattr(job, "result_visible", False):
            return None
        return VersionSummarySerializer(job.result_version, context=self.context).data


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
