"""The home page and the accounts pages: sign up, profile, API token."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from datasets import selectors
from datasets.constants import SortOrder
from generation import selectors as generation_selectors
from portal import services
from portal.forms import SignUpForm

HOME_DATASETS = 6
# The session key under which a new API token waits to be shown, once.
NEW_TOKEN_KEY = "new_api_token"


def home(request: HttpRequest) -> HttpResponse:
    datasets = selectors.search_datasets(user=request.user, sort=SortOrder.NEWEST)
    featured = list(datasets.filter(featured=True)[:HOME_DATASETS])
    newest = list(datasets[:HOME_DATASETS])
    versions = selectors.listed_versions([*featured, *newest])
    return render(
        request,
        "home.html",
        {
            "featured": [(dataset, versions.get(dataset.pk)) for dataset in featured],
            "newest": [(dataset, versions.get(dataset.pk)) for dataset in newest],
            "counts": selectors.catalogue_counts(user=request.user),
            "demo": generation_selectors.demo_status(),
        },
    )


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}.")
        return redirect("profile")
    return render(
        request,
        "registration/signup.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    token = Token.objects.filter(user=user).first()
    return render(
        request,
        "accounts/profile.html",
        {
            "datasets": selectors.own_datasets(user=user),
            "pending_requests": selectors.pending_access_requests(user=user),
            "token": token,
            "new_token": request.session.pop(NEW_TOKEN_KEY, None),
        },
    )


@require_POST
@login_required
def create_token(request: HttpRequest) -> HttpResponse:
    token = services.create_api_token(user=request.user)
    # Shown once on the next page, never again: the session, not the URL, carries it there.
    request.session[NEW_TOKEN_KEY] = token.key
    return redirect("profile")


@require_POST
@login_required
def revoke_token(request: HttpRequest) -> HttpResponse:
    if services.revoke_api_token(user=request.user):
        messages.success(request, "API token revoked: scripts using it are refused from now on.")
    return redirect("profile")
