"""Curator pages: upload a ZIP as a new dataset, edit a draft and its related works and funding,
publish it, open a new version, choose collaborators, change the visibility."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from datasets import related_works, selectors, services
from datasets.constants import Visibility
from datasets.exceptions import CurationRefused, ImportRejected, PublishRefused
from datasets.forms import (
    CollaboratorForm,
    DraftForm,
    FundingReferenceForm,
    RelatedIdentifierForm,
    UploadForm,
    VisibilityForm,
)
from datasets.models import Dataset, DatasetVersion, FundingReference, RelatedIdentifier


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
            return redirect(version)
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
            return redirect(version)
    return render(
        request,
        "datasets/edit.html",
        {"form": form, "version": version, "dataset": version.dataset},
        status=_status(form),
    )


# The two kinds of reference on the related-works page: (model, form, what the page calls one).
REFERENCE_KINDS = {
    "related": (RelatedIdentifier, RelatedIdentifierForm, "related work"),
    "funding": (FundingReference, FundingReferenceForm, "funding reference"),
}


@login_required
def related(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A draft's related works and funding: listed, each removable, and a form to add each."""
    version = _editable_draft(request, slug, number)
    kind = request.POST.get("kind") if request.method == "POST" else None
    forms = {
        name: form_class(
            request.POST if name == kind else None, instance=model(version=version), prefix=name
        )
        for name, (model, form_class, _) in REFERENCE_KINDS.items()
    }
    bound = forms.get(kind)
    if bound is not None and bound.is_valid():
        try:
            related_works.save(item=bound.save(commit=False), user=request.user)
        except ValidationError as error:
            _add_model_errors(bound, error)
        else:
            messages.success(request, f"Added the {REFERENCE_KINDS[kind][2]}.")
            return redirect("datasets:related", slug, number)
    return render(
        request,
        "datasets/related.html",
        {
            "version": version,
            "dataset": version.dataset,
            "related": related_works.related_of(version),
            "funding": related_works.funding_of(version),
            "related_form": forms["related"],
            "funding_form": forms["funding"],
        },
        status=400 if bound is not None and bound.errors else 200,
    )


@require_POST
@login_required
def remove_reference(request: HttpRequest, slug: str, number: int, kind: str, pk: int):
    version = _editable_draft(request, slug, number)
    if kind not in REFERENCE_KINDS:
        raise Http404("No such reference.")
    model, _, label = REFERENCE_KINDS[kind]
    item = get_object_or_404(model, version=version, pk=pk)
    related_works.remove(item=item, user=request.user)
    messages.success(request, f"Removed the {label}.")
    return redirect("datasets:related", slug, number)


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
            return redirect(version)
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


@require_POST
@login_required
def new_version(request: HttpRequest, slug: str) -> HttpResponse:
    """Open the next version as a draft copy of the newest published one, then edit it."""
    dataset = _edited_dataset(request, slug)
    try:
        version = services.new_draft_version(dataset=dataset, user=request.user)
    except CurationRefused as refusal:
        messages.error(request, f"No new version was opened: {refusal}.")
        return redirect("datasets:detail", dataset.slug)
    messages.success(
        request,
        f"Version {version.number} is a draft copy of version {version.number - 1}: "
        "change what needs changing, say what changed, then publish it.",
    )
    return redirect("datasets:edit", dataset.slug, version.number)


@login_required
def collaborators(request: HttpRequest, slug: str) -> HttpResponse:
    """Who edits the dataset: every editor sees the list; the owner and staff change it."""
    dataset = _edited_dataset(request, slug)
    manages = selectors.manages_dataset(user=request.user, dataset=dataset)
    form = CollaboratorForm(request.POST or None)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied("Only the dataset's owner and staff choose collaborators.")
        if form.is_valid():
            try:
                added = services.add_collaborator(
                    dataset=dataset, user=request.user, username=form.cleaned_data["username"]
                )
            except CurationRefused as refusal:
                form.add_error("username", str(refusal))
            else:
                messages.success(request, f"{added.username} now collaborates on this dataset.")
                return redirect("datasets:collaborators", dataset.slug)
    return render(
        request,
        "datasets/collaborators.html",
        {
            "dataset": dataset,
            "collaborators": selectors.collaborators_of(dataset=dataset),
            "form": form if manages else None,
        },
        status=_status(form),
    )


@require_POST
@login_required
def remove_collaborator(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    dataset = _edited_dataset(request, slug)
    if not selectors.manages_dataset(user=request.user, dataset=dataset):
        raise PermissionDenied("Only the dataset's owner and staff choose collaborators.")
    collaborator = get_object_or_404(selectors.collaborators_of(dataset=dataset), pk=user_id)
    services.remove_collaborator(dataset=dataset, user=request.user, collaborator=collaborator)
    messages.success(request, f"{collaborator.username} no longer collaborates on this dataset.")
    return redirect("datasets:collaborators", dataset.slug)


@login_required
def visibility(request: HttpRequest, slug: str) -> HttpResponse:
    """Who sees the dataset: every editor sees what each choice would show and the history of
    changes; the owner and staff change it, which takes effect on every published version."""
    dataset = _edited_dataset(request, slug)
    manages = selectors.manages_dataset(user=request.user, dataset=dataset)
    form = VisibilityForm(request.POST or None, initial={"visibility": dataset.visibility})
    effects = selectors.visibility_effects(dataset=dataset)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied("Only the dataset's owner and staff change its visibility.")
        if form.is_valid():
            try:
                change = services.change_visibility(
                    dataset=dataset, user=request.user, visibility=form.cleaned_data["visibility"]
                )
            except CurationRefused as refusal:
                form.add_error("visibility", str(refusal))
            else:
                messages.success(
                    request,
                    f"Visibility changed from {change.from_visibility} to {change.to_visibility}: "
                    f"{effects[change.to_visibility]}",
                )
                return redirect("datasets:visibility", dataset.slug)
    return render(
        request,
        "datasets/visibility.html",
        {
            "dataset": dataset,
            "form": form if manages else None,
            "choices": [(value, label, effects[value]) for value, label in Visibility.choices],
            "history": selectors.visibility_history(dataset=dataset),
        },
        status=_status(form),
    )


def _edited_dataset(request: HttpRequest, slug: str) -> Dataset:
    """The dataset `slug` if the user edits it; 404 otherwise, as for a dataset they cannot see."""
    dataset = selectors.editable_datasets(user=request.user).filter(slug=slug).first()
    if dataset is None:
        raise Http404("No such dataset.")
    return dataset


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
