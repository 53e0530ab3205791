"""Access to a restricted dataset's files: a user asks, an editor decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from datasets import selectors, services
from datasets.exceptions import AccessRequestRefused
from datasets.forms import AccessRequestForm
from datasets.models import AccessRequest


@require_POST
@login_required
def request_access(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = selectors.visible_datasets(user=request.user).filter(slug=slug).first()
    if dataset is None:
        raise Http404("No such dataset.")
    form = AccessRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_access(
                dataset=dataset, user=request.user, message=form.cleaned_data["message"]
            )
        except AccessRequestRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "Request sent: the dataset's curators will decide.")
    else:
        messages.error(request, "The message is too long.")
    return redirect("datasets:detail", slug=dataset.slug)


@require_POST
@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or refuse; answers 404 to anyone who may not decide, so requests stay private."""
    access_request = get_object_or_404(AccessRequest.objects.select_related("dataset"), pk=pk)
    if not selectors.is_editor(user=request.user, dataset=access_request.dataset):
        raise Http404("No such request.")
    approve = request.POST.get("decision") == "approve"
    services.decide_access_request(
        access_request=access_request, user=request.user, approve=approve
    )
    messages.success(
        request,
        f"{'Approved' if approve else 'Refused'} {access_request.user}'s request for "
        f"{access_request.dataset.title}.",
    )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("datasets:detail", slug=access_request.dataset.slug)
