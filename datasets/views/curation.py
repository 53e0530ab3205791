"""Curator pages: upload a ZIP as a new dataset, edit a draft, publish it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from datasets import selectors, services
from datasets.exceptions import ImportRejected, PublishRefused
from datasets.forms import DraftForm, UploadForm
from datasets.models import DatasetVersion


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Any signed-in user may upload: the new dataset is theirs, private until they say so."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with form.archive_path() as path:
                result = services.import_dataset(
                    source=path,
                    title=data["title"],
                    license_spdx=data["license"].spdx_id,
                    owner=request.user,
                    creators=data["creators"],
                    modality=data["modality"],
                    organ=data["organ"],
                    visibility=data["visibility"],
                    description=data["description"],
                    keywords=data["keywords"],
                    version_description=data["version_description"],
                )
        except ImportRejected as error:
            form.add_error("archive", str(error))
        else:
            version = result.version
            messages.success(
                request,
                f"Imported {version.image_count} images in {len(version.class_counts)} classes "
                "as a draft. Check it, then publish it.",
            )
            return redirect(_version_url(version))
    return render(request, "datasets/upload.html", {"form": form}, status=_status(form))


@login_required
def edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _editable_draft(request, slug, number)
    creators = selectors.creators_of(version=version)
    form = DraftForm(request.POST or None, initial=DraftForm.initial_for(version, creators))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_draft(version=version, user=request.user, **_draft_fields(data))
        except ValidationError as error:
            _add_model_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(_version_url(version))
    return render(
        request,
        "datasets/edit.html",
        {"form": form, "version": version, "dataset": version.dataset},
        status=_status(form),
    )


@login_required
def publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """GET: what will be published and what is missing. POST: publish."""
    version = _editable_draft(request, slug, number)
    problems = selectors.publish_problems(version=version)
    if request.method == "POST":
        try:
            services.publish_version(version=version, user=request.user)
        except PublishRefused as refusal:
            problems = refusal.problems
        else:
            messages.success(
                request,
                f"Published {version.identifier}. Its ZIP is being built and can be "
                "downloaded in a moment.",
            )
            return redirect(_version_url(version))
    return render(
        request,
        "datasets/publish.html",
        {
            "version": version,
            "dataset": version.dataset,
            "creators": selectors.creators_of(version=version),
            "problems": problems,
        },
        status=400 if request.method == "POST" else 200,
    )


def _editable_draft(request: HttpRequest, slug: str, number: int) -> DatasetVersion:
    version = selectors.version_for_page(user=request.user, slug=slug, number=number)
    if version is None or not selectors.is_editor(user=request.user, dataset=version.dataset):
        raise Http404("No such draft.")
    if version.is_published:
        raise Http404("This version is published and cannot change; publish a new version.")
    return version


def _draft_fields(data: dict) -> dict:
    names = [
        "title",
        "description",
        "keywords",
        "modality",
        "organ",
        "visibility",
        "license",
        "creators",
        "version_description",
        "changes",
    ]
    return {name: data[name] for name in names}


def _add_model_errors(form: DraftForm, error: ValidationError) -> None:
    """A model's field errors onto the form's fields of the same name, the rest on top."""
    for field, messages_ in getattr(error, "message_dict", {"__all__": error.messages}).items():
        form.add_error(field if field in form.fields else None, messages_)


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _version_url(version: DatasetVersion) -> str:
    return reverse("datasets:version", args=[version.dataset.slug, version.number])
