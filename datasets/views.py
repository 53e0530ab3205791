"""Pages and file views of the catalogue. Every file goes through a visibility check."""

import mimetypes

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from datasets import selectors
from datasets.thumbnails import ensure_thumbnail


def dataset_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "datasets/list.html",
        {"datasets": selectors.visible_datasets(user=request.user)},
    )


def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.visible_datasets(user=request.user).filter(slug=slug).first()
    if dataset is None:
        raise Http404("No such dataset.")
    version = selectors.latest_version(dataset=dataset)
    images = []
    if version is not None and selectors.can_view_files(user=request.user, dataset=dataset):
        images = version.images.select_related("label")[:48]
    return render(
        request,
        "datasets/detail.html",
        {
            "dataset": dataset,
            "version": version,
            "class_counts": selectors.class_counts(version=version) if version else {},
            "images": images,
        },
    )


def image_file(request: HttpRequest, pk: int) -> FileResponse:
    image = selectors.visible_image(user=request.user, pk=pk)
    if image is None:
        raise Http404("No such image.")
    content_type = mimetypes.guess_type(image.file.name)[0] or "application/octet-stream"
    return FileResponse(image.file.open("rb"), content_type=content_type)


def image_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    image = selectors.visible_image(user=request.user, pk=pk)
    if image is None:
        raise Http404("No such image.")
    response = FileResponse(
        default_storage.open(ensure_thumbnail(image), "rb"), content_type="image/png"
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response
