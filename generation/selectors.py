"""Reads of the generation app."""

from django.db.models import QuerySet

from datasets import selectors as catalogue
from datasets.models import DatasetVersion
from generation.exceptions import GenerationRejected
from generation.models import GanModel, GenerationJob, TrainingRun


def models_visible_to(*, user) -> QuerySet[GanModel]:
    """Models whose source version the user may see."""
    models = GanModel.objects.select_related("source_version__dataset", "training_run")
    return _visible(models, user=user, path="source_version")


def model_for_generation(*, model_id: int | None) -> GanModel:
    """The model with `model_id`, or the newest one (the paper's `generate.py` default)."""
    models = GanModel.objects.order_by("-created_at", "-pk")
    if model_id is None:
        model = models.first()
        if model is None:
            raise GenerationRejected("there is no trained model yet: train one first")
        return model
    model = models.filter(pk=model_id).first()
    if model is None:
        raise GenerationRejected(f"unknown model id {model_id}")
    return model


def version_for_training(*, slug: str, number: int | None = None) -> DatasetVersion:
    """The given version of dataset `slug`, or its latest (published first, else draft)."""
    versions = DatasetVersion.objects.filter(dataset__slug=slug).select_related("dataset")
    if not versions.exists():
        raise GenerationRejected(f"unknown dataset {slug!r}")
    if number is not None:
        version = versions.filter(number=number).first()
        if version is None:
            raise GenerationRejected(f"dataset {slug!r} has no version {number}")
        return version
    return catalogue.latest_version(dataset=versions.first().dataset)


def _visible(queryset, *, user, path: str):
    """Rows whose source version (reached through `path`) the user may see: a run on a draft is
    as private as the draft, whatever the dataset's visibility."""
    return queryset.filter(**{f"{path}__in": catalogue.readable_versions(user=user)})


def runs_visible_to(*, user) -> QuerySet[TrainingRun]:
    """Every run whose page `user` may open (the rule of `visible_run`), newest first."""
    runs = TrainingRun.objects.select_related("source_version__dataset", "owner", "model")
    return _visible(runs, user=user, path="source_version")


def jobs_visible_to(*, user) -> QuerySet[GenerationJob]:
    """Every generation job whose page `user` may open (the rule of `visible_job`)."""
    jobs = GenerationJob.objects.select_related("model", "owner", "result_version__dataset")
    return _visible(jobs, user=user, path="model__source_version")


def visible_run(*, user, pk: int) -> TrainingRun | None:
    runs = TrainingRun.objects.select_related("source_version__dataset", "owner")
    return _visible(runs, user=user, path="source_version").filter(pk=pk).first()


def visible_model(*, user, pk: int) -> GanModel | None:
    models = GanModel.objects.select_related("source_version__dataset", "training_run")
    return _visible(models, user=user, path="source_version").filter(pk=pk).first()


def visible_job(*, user, pk: int) -> GenerationJob | None:
    jobs = GenerationJob.objects.select_related("model__source_version__dataset", "result_version")
    return _visible(jobs, user=user, path="model__source_version").filter(pk=pk).first()


def can_manage(*, user, task: TrainingRun | GenerationJob | GanModel) -> bool:
    """Owners and staff cancel runs and jobs."""
    return user.is_authenticated and (user.is_staff or task.owner_id == user.pk)


def can_generate(*, user, model: GanModel) -> bool:
    """Generating needs an account and access to the source images the model learned from."""
    return user.is_authenticated and catalogue.can_view_files(
        user=user, dataset=model.source_version.dataset
    )


def evaluation_rows(points) -> list[dict]:
    """Each evaluation with its figures labelled for its extractor, newest first."""
    rows = []
    for point in sorted(points, key=lambda p: -p.iteration):
        figures = [
            (point.label(name), value, std, point.n_real, point.n_fake)
            for name, value, std in (
                ("fid", point.fid, None),
                ("kid", point.kid_mean, point.kid_std),
                ("is", point.is_mean, point.is_std),
            )
            if value is not None
        ]
        rows.append({"iteration": point.iteration, "figures": figures})
    return rows


def run_history(*, run: TrainingRun) -> dict[str, list]:
    """Series for the run's charts: losses, distances and scores over iterations."""
    points = run.metric_points.order_by("iteration")
    losses = points.exclude(g_loss=None).values_list("iteration", "g_loss", "d_loss")
    evaluated = list(points.exclude(extractor=""))
    return {
        "losses": list(losses),
        "evaluations": evaluated,
    }


def version_for_curator(*, user, pk: int) -> DatasetVersion | None:
    """Version `pk` if `user` curates its dataset (owner, collaborator or staff)."""
    datasets = catalogue.editable_datasets(user=user)
    return (
        DatasetVersion.objects.select_related("dataset").filter(pk=pk, dataset__in=datasets).first()
    )
