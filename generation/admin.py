"""Curator's admin for runs, models, jobs and quality reports: watch progress, cancel, inspect
lineage."""

from django.contrib import admin, messages

from generation import services
from generation.models import (
    DemoPipeline,
    GanModel,
    GeneratedImage,
    GenerationJob,
    MetricPoint,
    QualityBaseline,
    QualityReport,
    TrainingRun,
)

TRACKED_READ_ONLY = [
    "state",
    "progress_done",
    "progress_total",
    "items_per_second",
    "eta_seconds",
    "celery_task_id",
    "worker",
    "heartbeat_at",
    "attempts",
    "cancel_requested",
    "error",
    "created_at",
    "started_at",
    "finished_at",
]


@admin.action(description="Cancel the selected runs or jobs")
def cancel_selected(modeladmin, request, queryset) -> None:
    for task in queryset:
        services.cancel(task=task, user=request.user)
    modeladmin.message_user(request, f"Cancel requested for {queryset.count()}.", messages.INFO)


class MetricPointInline(admin.TabularInline):
    model = MetricPoint
    extra = 0
    can_delete = False
    fields = ["iteration", "g_loss", "d_loss", "fid", "kid_mean", "is_mean", "extractor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "source_version",
        "preset",
        "state",
        "progress_percent",
        "owner",
        "created_at",
    ]
    list_filter = ["state", "preset"]
    search_fields = ["source_version__identifier", "source_version__dataset__title"]
    list_select_related = ["source_version__dataset", "owner"]
    readonly_fields = [
        "source_version",
        "owner",
        "preset",
        "overrides",
        "config",
        "checkpoint",
        "checkpoint_iteration",
        "resumed_from_iteration",
        "log_tail",
        *TRACKED_READ_ONLY,
    ]
    inlines = [MetricPointInline]
    actions = [cancel_selected]

    def has_add_permission(self, request) -> bool:
        return False  # runs are started through the service (page, API or manage.py train)


@admin.register(GanModel)
class GanModelAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source_version", "iterations", "owner", "created_at"]
    search_fields = ["name", "source_version__identifier"]
    list_select_related = ["source_version__dataset", "owner"]
    readonly_fields = [
        "name",
        "version",
        "training_run",
        "source_version",
        "owner",
        "weights",
        "weights_sha256",
        "config",
        "class_names",
        "iterations",
        "metrics",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "model",
        "count_per_class",
        "state",
        "progress_percent",
        "result_version",
        "created_at",
    ]
    list_filter = ["state"]
    list_select_related = ["model", "result_version__dataset"]
    readonly_fields = [
        "model",
        "owner",
        "count_per_class",
        "class_names",
        "base_seed",
        "result_version",
        "metrics",
        *TRACKED_READ_ONLY,
    ]
    actions = [cancel_selected]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(GeneratedImage)
class GeneratedImageAdmin(admin.ModelAdmin):
    list_display = ["pk", "model", "class_name", "seed", "image", "created_at"]
    list_filter = ["class_name", "model"]
    search_fields = ["image__file"]
    list_select_related = ["model", "image"]
    readonly_fields = ["job", "model", "image", "class_name", "seed", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(QualityReport)
class QualityReportAdmin(admin.ModelAdmin):
    """Reports are read, not edited: a figure changed by hand would no longer be the report.
    A hold is overridden on the version (datasets), with the curator's written reason."""

    list_display = [
        "pk",
        "version",
        "source_version",
        "state",
        "progress_percent",
        "memorized_share",
        "flagged",
        "created_at",
    ]
    list_filter = ["state", "flagged"]
    search_fields = ["version__identifier", "source_version__identifier"]
    list_select_related = ["version__dataset", "source_version__dataset"]
    readonly_fields = [
        "version",
        "source_version",
        "model",
        "baseline",
        "owner",
        "seed",
        "memorization_threshold",
        "memorized_share",
        "flagged",
        "closest_pairs",
        "report",
        *TRACKED_READ_ONLY,
        "timings",
    ]
    actions = [cancel_selected]

    def has_add_permission(self, request) -> bool:
        return False  # started through the service (page, API, manage.py quality_report)


@admin.register(QualityBaseline)
class QualityBaselineAdmin(admin.ModelAdmin):
    list_display = ["pk", "source_version", "extractor_name", "seed", "created_at"]
    search_fields = ["source_version__identifier"]
    list_select_related = ["source_version__dataset"]
    readonly_fields = [
        "source_version",
        "seed",
        "train_images",
        "held_out_images",
        "classifier",
        "classifier_config",
        "extractor_name",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # made by the first quality report of its source version


@admin.register(DemoPipeline)
class DemoPipelineAdmin(admin.ModelAdmin):
    """Where the demo of a fresh `make run` stands; its steps move it on, never a form."""

    list_display = ["pk", "stage", "training_run", "generation_job", "quality_report", "updated_at"]
    readonly_fields = [
        "stage",
        "training_run",
        "generation_job",
        "quality_report",
        "reason",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
