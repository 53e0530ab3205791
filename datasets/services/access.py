"""Access to a restricted dataset's files: a user's request and an editor's decision."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from datasets import selectors
from datasets.constants import AccessState, Visibility
from datasets.exceptions import AccessRequestRefused
from datasets.models import AccessRequest, Dataset


def request_access(*, dataset: Dataset, user: AbstractBaseUser, message: str = "") -> AccessRequest:
    """Ask the editors of a restricted dataset for its files; asking again after a refusal
    reopens the request."""
    if dataset.visibility != Visibility.RESTRICTED:
        raise AccessRequestRefused("only restricted datasets take access requests")
    if selectors.can_view_files(user=user, dataset=dataset):
        raise AccessRequestRefused("you have access to these files already")
    access_request, _ = AccessRequest.objects.update_or_create(
        dataset=dataset,
        user=user,
        defaults={
            "message": message.strip(),
            "state": AccessState.PENDING,
            "decided_at": None,
            "decided_by": None,
        },
    )
    return access_request


def decide_access_request(
    *, access_request: AccessRequest, user: AbstractBaseUser, approve: bool
) -> AccessRequest:
    """Approve or refuse a request; refusing an approved one takes the access back."""
    if not selectors.is_editor(user=user, dataset=access_request.dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff decide")
    access_request.state = AccessState.APPROVED if approve else AccessState.REJECTED
    access_request.decided_at = timezone.now()
    access_request.decided_by = user
    access_request.save(update_fields=["state", "decided_at", "decided_by"])
    return access_request
