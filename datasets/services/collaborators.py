"""Who besides the owner edits a dataset: the owner's and staff's choice."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied

from datasets import selectors
from datasets.exceptions import CurationRefused
from datasets.models import Dataset


def add_collaborator(
    *, dataset: Dataset, user: AbstractBaseUser, username: str
) -> AbstractBaseUser:
    """Let the account `username` edit and publish `dataset`'s drafts and see its files.

    Only the owner and staff choose collaborators: the owner answers for who handles the data.
    Raises PermissionDenied for anyone else and CurationRefused, naming the username, for an
    unknown account, the owner or a collaborator already listed.
    """
    _check_manages_collaborators(user=user, dataset=dataset)
    username = username.strip()
    if not username:
        raise CurationRefused("username: give the username of the person to add")
    collaborator = get_user_model().objects.filter(username=username, is_active=True).first()
    if collaborator is None:
        raise CurationRefused(f"username {username!r}: no such account; they must sign up first")
    if collaborator.pk == dataset.owner_id:
        raise CurationRefused(f"{username} owns this dataset already")
    if dataset.collaborators.filter(pk=collaborator.pk).exists():
        raise CurationRefused(f"{username} is a collaborator already")
    dataset.collaborators.add(collaborator)
    return collaborator


def remove_collaborator(
    *, dataset: Dataset, user: AbstractBaseUser, collaborator: AbstractBaseUser
) -> None:
    """Take back a collaborator's right to edit, publish and see the files of `dataset`."""
    _check_manages_collaborators(user=user, dataset=dataset)
    dataset.collaborators.remove(collaborator)


def _check_manages_collaborators(*, user: AbstractBaseUser, dataset: Dataset) -> None:
    if not selectors.manages_dataset(user=user, dataset=dataset):
        raise PermissionDenied("only the dataset's owner and staff choose its collaborators")
