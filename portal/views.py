"""The home page: what the portal is, and the newest public datasets."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from datasets import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "newest": selectors.visible_datasets(user=request.user)[:12],
            "counts": selectors.catalogue_counts(user=request.user),
        },
    )
