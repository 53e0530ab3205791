"""Pages of runs, models and generation jobs; thin shells over selectors and services.

Progress is polled as JSON by static/js/progress.js (no page reload); charts are SVG drawn on
the server and put inline, and the script swaps in fresh ones as points arrive. Anything the
user may not see is a 404, as for datasets.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from datasets import selectors as catalogue
from datasets import services as catalogue_services
from datasets.exceptions import PublishRefused
from gan_engine.presets import DEFAULT_PRESET
from generation import selectors, services
from generation.constants import JobState
from generation.exceptions import GenerationRejected
from generation.forms import GenerateForm
from generation.models import GenerationJob, TrainingRun
from generation.presentation.charts import line_chart_svg
from generation.presentation.quality import comparison_rows, report_tables
from generation.presentation.run_charts import RUN_CHARTS, chart_figure, run_chart_series


def _run_or_404(request: HttpRequest, pk: int) -> TrainingRun:
    run = selectors.visible_run(user=request.user, pk=pk)
    if run is None:
        raise Http404("No such training run.")
    return run


def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    history = selectors.run_history(run=run)
    evaluations = history["evaluations"]
    return render(
        request,
        "generation/run_detail.html",
        {
            "run": run,
            "model": getattr(run, "model", None) if run.state == JobState.SUCCEEDED else None,
            "config": sorted(run.config.items()),
            "evaluations": selectors.evaluation_rows(evaluations),
            "inception_unavailable": evaluations[-1].details.get("inception_unavailable")
            if evaluations
            else "",
            "show_samples": catalogue.can_view_files(
                user=request.user, dataset=run.source_version.dataset
            ),
            "can_manage": selectors.can_manage(user=request.user, task=run),
            "charts": [
                {
                    "figure": chart_figure(*run_chart_series(history, chart)),
                    "url": reverse("generation:run-chart-figure", args=[run.pk, chart]),
                }
                for chart in RUN_CHARTS
            ],
            "points": run.metric_points.count(),
        },
    )


def _progress(task, **extra) -> dict:
    return {
        "state": task.state,
        "state_display": task.get_state_display(),
        "done": task.progress_done,
        "total": task.progress_total,
        "percent": task.progress_percent,
        "items_per_second": task.items_per_second,
        "eta_seconds": task.eta_seconds,
        "error": task.error,
        "active": task.is_active,
        **extra,
    }


def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = _run_or_404(request, pk)
    model = getattr(run, "model", None) if run.state == JobState.SUCCEEDED else None
    return JsonResponse(
        _progress(
            run,
            resumed_from_iteration=run.resumed_from_iteration,
            checkpoint_iteration=run.checkpoint_iteration,
            points=run.metric_points.count(),
            result_url=reverse("generation:model", args=[model.pk]) if model else None,
        )
    )


def _chart_series(request: HttpRequest, pk: int, chart: str) -> tuple[str, dict]:
    run = _run_or_404(request, pk)
    try:
        return run_chart_series(selectors.run_history(run=run), chart)
    except KeyError:
        raise Http404("No such chart.") from None


def run_chart(request: HttpRequest, pk: int, chart: str) -> HttpResponse:
    """The chart alone, as an SVG document (to save or link to)."""
    title, series = _chart_series(request, pk, chart)
    response = HttpResponse(line_chart_svg(title, series), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


def run_chart_figure(request: HttpRequest, pk: int, chart: str) -> HttpResponse:
    """The chart's figure as the run page shows it, for progress.js to swap in."""
    figure = chart_figure(*_chart_series(request, pk, chart))
    url = request.path
    response = render(request, "generation/_chart_figure.html", {"figure": figure, "url": url})
    response["Cache-Control"] = "no-store"
    return response


def run_samples(request: HttpRequest, pk: int, iteration: int) -> FileResponse:
    run = _run_or_404(request, pk)
    if not catalogue.can_view_files(user=request.user, dataset=run.source_version.dataset):
        raise Http404("No such sample grid.")
    point = run.metric_points.filter(iteration=iteration).first()
    name = (point.details or {}).get("grid") if point else None
    if not name or not default_storage.exists(name):
        raise Http404("No sample grid for this iteration.")
    return FileResponse(default_storage.open(name, "rb"), content_type="image/png")


@require_POST
@login_required
def run_start(request: HttpRequest, version_id: int) -> HttpResponse:
    """Start a training run on a version the user curates (owner, collaborator or staff)."""
    version = selectors.version_for_curator(user=request.user, pk=version_id)
    if version is None:
        raise Http404("No such dataset version.")
    try:
        run = services.start_training(
            source_version=version,
            preset=request.POST.get("preset", DEFAULT_PRESET),
            overrides=_int_overrides(request.POST, ("iterations", "eval_every")),
            user=request.user,
        )
    except PermissionDenied:
        raise Http404("No such dataset version.") from None
    except GenerationRejected as error:
        messages.error(request, f"Training was not started: {error}")
        return redirect(version)
    return redirect("generation:run", pk=run.pk)


def _int_overrides(data, names: tuple[str, ...]) -> dict[str, object]:
    """Fields the form left empty are not overridden; others go to the engine's checks."""
    return {name: _int_or_text(data[name]) for name in names if data.get(name, "").strip()}


def _int_or_text(value: str) -> object:
    try:
        return int(value)
    except ValueError:
        return value  # the engine's type check names the field and the bad value


@require_POST
@login_required
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    try:
        services.cancel(task=run, user=request.user)
    except PermissionDenied:
        raise Http404("No such training run.") from None
    messages.info(request, f"Cancel requested for training run {run.pk}.")
    return redirect("generation:run", pk=run.pk)


def model_detail(request: HttpRequest, pk: int) -> HttpResponse:
    model = selectors.visible_model(user=request.user, pk=pk)
    if model is None:
        raise Http404("No such model.")
    can_generate = selectors.can_generate(user=request.user, model=model)
    form = GenerateForm(request.POST or None, class_names=model.class_names)
    if request.method == "POST":
        if not can_generate:  # the form is not shown: checked before the form's errors
            raise Http404("No such model.")
        if form.is_valid():
            try:
                job = services.start_generation(
                    model=model,
                    count_per_class=form.cleaned_data["count_per_class"],
                    classes=form.cleaned_data["classes"] or None,
                    seed=form.cleaned_data["seed"],
                    user=request.user,
                )
            except PermissionDenied:
                raise Http404("No such model.") from None
            except GenerationRejected as error:
                form.add_error(None, str(error))
            else:
                return redirect("generation:job", pk=job.pk)
    return render(
        request,
        "generation/model_detail.html",
        {
            "model": model,
            "results": [r for r in model.metrics.get("results", []) if not r.get("class_name")],
            "class_results": [r for r in model.metrics.get("results", []) if r.get("class_name")],
            "inception_unavailable": model.metrics.get("inception_unavailable"),
            "jobs": [
                (job, selectors.visible_result(job))
                for job in selectors.jobs_visible_to(user=request.user).filter(model=model)[:20]
            ],
            "form": form if can_generate else None,
            "config": sorted(model.config.items()),
        },
    )


def _job_or_404(request: HttpRequest, pk: int) -> GenerationJob:
    job = selectors.visible_job(user=request.user, pk=pk)
    if job is None:
        raise Http404("No such generation job.")
    return job


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    return render(
        request,
        "generation/job_detail.html",
        {
            "job": job,
            "result_url": _result_url(job),
            "can_manage": selectors.can_manage(user=request.user, task=job),
        },
    )


def _result_url(job: GenerationJob) -> str | None:
    """The page of the finished job's synthetic version, if the user may read it."""
    version = selectors.visible_result(job)
    if version is None or job.state != JobState.SUCCEEDED:
        return None
    return version.get_absolute_url()


def job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job_or_404(request, pk)
    return JsonResponse(_progress(job, result_url=_result_url(job)))


@require_POST
@login_required
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    try:
        services.cancel(task=job, user=request.user)
    except PermissionDenied:
        raise Http404("No such generation job.") from None
    messages.info(request, f"Cancel requested for generation job {job.pk}.")
    return redirect("generation:job", pk=job.pk)


def quality_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """A quality report's progress for the version page; done, it links the page to reload."""
    report = selectors.visible_quality_report(user=request.user, pk=pk)
    if report is None:
        raise Http404("No such quality report.")
    done = report.state == JobState.SUCCEEDED
    return JsonResponse(
        _progress(
            report, result_url=report.version.get_absolute_url() + "#quality" if done else None
        )
    )


@require_POST
@login_required
def quality_override(request: HttpRequest, version_id: int) -> HttpResponse:
    """Publish a held draft despite its hold: the curator's written reason is stored and shown."""
    version = selectors.version_for_curator(user=request.user, pk=version_id)
    if version is None:
        raise Http404("No such dataset version.")
    try:
        catalogue_services.override_publication_hold(
            version=version, user=request.user, reason=request.POST.get("reason", "")
        )
    except PublishRefused as error:
        messages.error(request, f"The hold stays: {error}")
    else:
        messages.success(
            request, "Hold overridden: the draft may be published; your reason is shown."
        )
    return redirect(version.get_absolute_url() + "#quality")


def quality_compare(request: HttpRequest) -> HttpResponse:
    """Finished reports of two or more versions of one source, side by side (`?versions=4,7`)."""
    raw = request.GET.get("versions", "")
    reports, error = [], ""
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        error = f"versions: give version ids separated by commas (e.g. ?versions=4,7), not {raw!r}"
    else:
        try:
            reports = selectors.reports_for_comparison(user=request.user, version_ids=ids)
        except GenerationRejected as rejected:
            error = str(rejected)
    return render(
        request,
        "generation/quality_compare.html",
        {
            "reports": reports,
            "rows": comparison_rows(reports),
            "charts": [(report, report_tables(report)["chart"]) for report in reports],
            "source": (
                catalogue.visible_source(user=request.user, version=reports[0].version)
                if reports
                else None
            ),
            "error": error,
        },
        status=400 if error else 200,
    )
