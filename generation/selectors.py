"""Reads of the generation app."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from datasets import selectors as catalogue
from datasets.models import DatasetVersion
from generation.constants import DemoStage, JobState
from generation.exceptions import GenerationRejected
from generation.models import DemoPipeline, GanModel, GenerationJob, QualityReport, TrainingRun


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
    """Every generation job whose page `user` may open (the rule of `visible_job`), each
    annotated with whether `user` may read its result (read by `visible_result`).

    A job is as visible as its model's source, but its result is as visible as the synthetic
    version itself: generating from a public model makes a private dataset of one's own.
    """
    jobs = GenerationJob.objects.select_related(
        "model__source_version__dataset", "owner", "result_version__dataset"
    )
    readable = catalogue.readable_versions(user=user).filter(pk=OuterRef("result_version_id"))
    visible = _visible(jobs, user=user, path="model__source_version")
    return visible.annotate(result_visible=Exists(readable))


def visible_result(job: GenerationJob) -> DatasetVersion | None:
    """The synthetic version `job` fills, if the user `jobs_visible_to` was asked for may read
    it; None otherwise, and for a job that did not come from there (so a door that forgets to
    ask shows nothing rather than a private dataset)."""
    if job.result_version_id is None or not getattr(job, "result_visible", False):
        return None
    return job.result_version


def results_of(*, user, model: GanModel) -> QuerySet[DatasetVersion]:
    """The synthetic versions `model` made that `user` may read (the jobs' `visible_result`
    across the model), newest first."""
    jobs = jobs_visible_to(user=user).filter(model=model, result_visible=True)
    versions = DatasetVersion.objects.filter(generation_job__in=jobs)
    return versions.select_related("dataset", "license").order_by("-created_at", "-pk")


def visible_run(*, user, pk: int) -> TrainingRun | None:
    runs = TrainingRun.objects.select_related("source_version__dataset", "owner")
    return _visible(runs, user=user, path="source_version").filter(pk=pk).first()


def visible_model(*, user, pk: int) -> GanModel | None:
    models = GanModel.objects.select_related("source_version__dataset", "training_run")
    return _visible(models, user=user, path="source_version").filter(pk=pk).first()


def visible_job(*, user, pk: int) -> GenerationJob | None:
    return jobs_visible_to(user=user).filter(pk=pk).first()


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


def _reports_visible_to(*, user) -> QuerySet[QualityReport]:
    """Reports of the versions `user` may see: a report is as visible as its synthetic version
    (a draft's report only to the draft's editors), newest first."""
    reports = QualityReport.objects.filter(version__in=catalogue.readable_versions(user=user))
    return reports.select_related(
        "version__dataset",
        "version__license",
        "version__hold_overridden_by",
        "source_version__dataset",
        "model",
    ).order_by("-created_at", "-pk")


def latest_quality_report(*, version: DatasetVersion, user) -> QualityReport | None:
    """The newest quality report of `version` (running or done), None if there is none or
    `user` may not see the version."""
    return _reports_visible_to(user=user).filter(version=version).first()


def visible_quality_report(*, user, pk: int) -> QualityReport | None:
    return _reports_visible_to(user=user).filter(pk=pk).first()


def comparable_versions(*, report: QualityReport, user) -> list[DatasetVersion]:
    """Other versions `user` may see with a finished report on the same source, to compare."""
    others = (
        _reports_visible_to(user=user)
        .filter(source_version_id=report.source_version_id, state=JobState.SUCCEEDED)
        .exclude(version_id=report.version_id)
    )
    versions = {r.version_id: r.version for r in others[:50]}
    return list(versions.values())


def reports_for_comparison(*, user, version_ids: list[int]) -> list[QualityReport]:
    """The newest finished report of each version, in the order asked, for a side-by-side view.

    Refuses (GenerationRejected, one line) fewer than two versions, a version the user may not
    see or without a finished report, and versions made from different sources: their reports
    use different held-out images and domain CNNs, so their figures do not compare.
    """
    version_ids = list(dict.fromkeys(version_ids))
    if len(version_ids) < 2:
        raise GenerationRejected("versions: name two or more synthetic versions to compare")
    finished = _reports_visible_to(user=user).filter(state=JobState.SUCCEEDED)
    newest = {}
    for report in finished.filter(version_id__in=version_ids):
        newest.setdefault(report.version_id, report)
    missing = [str(pk) for pk in version_ids if pk not in newest]
    if missing:
        raise GenerationRejected(
            f"versions {', '.join(missing)}: no such version, or no finished quality report yet"
        )
    reports = [newest[pk] for pk in version_ids]
    sources = {report.source_version_id: report.source_version for report in reports}
    if len(sources) > 1:
        names = ", ".join(sorted(source.identifier for source in sources.values()))
        raise GenerationRejected(
            f"versions were made from different sources ({names}): compare versions of one source"
        )
    return reports


@dataclass(frozen=True)
class DemoStatus:
    """One line of the home page about the demo: what it does now (ending in its punctuation
    before the link), and a link to watch it."""

    text: str
    link: str
    link_text: str


def demo_status() -> DemoStatus | None:
    """Where the demo of a fresh `make run` stands; None when there is none, or it is off."""
    if not settings.DEMO_PIPELINE:
        return None
    pipeline = DemoPipeline.objects.select_related(
        "training_run", "generation_job__result_version__dataset", "quality_report"
    ).first()
    if pipeline is None:
        return None
    version = pipeline.version
    version_url = (
        reverse("datasets:version", args=[version.dataset.slug, version.number]) if version else ""
    )
    if pipeline.stage == DemoStage.PUBLISHED:
        return DemoStatus("published:", version_url, version.identifier)
    if pipeline.stage == DemoStage.HELD:
        dash = " —" if version else ""  # held before the synthetic version existed: no link
        return DemoStatus(f"held: {pipeline.reason}{dash}", version_url, "see it")
    if pipeline.stage == DemoStage.TRAINING:
        step, doing = pipeline.training_run, "training a GAN on the IHC tiles"
        url = reverse("generation:run", args=[step.pk])
    elif pipeline.stage == DemoStage.GENERATING:
        step, doing = pipeline.generation_job, "generating synthetic images with the trained GAN"
        url = reverse("generation:job", args=[step.pk])
    else:
        step, doing = pipeline.quality_report, "measuring the synthetic images' quality"
        url = version_url
    if step is None:  # a report deleted with its version
        return None
    if step.state in (JobState.FAILED, JobState.CANCELLED):
        return DemoStatus(f"stopped: {doing} {step.get_state_display().lower()} —", url, "see why")
    return DemoStatus(f"{doing}, {step.progress_percent:g}% —", url, "watch it")
