"""Who owns what a management command creates: the named user, or the local administrator."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def owner_named(username: str | None):
    """The named user, or the first superuser: the local administrator owns what they import."""
    users = get_user_model().objects
    if username:
        owner = users.filter(username=username).first()
        if owner is None:
            raise CommandError(f"--owner {username}: no such user")
        return owner
    owner = users.filter(is_superuser=True).order_by("pk").first()
    if owner is None:
        raise CommandError(
            "no superuser to own the dataset: create one (manage.py createsuperuser) "
            "or pass --owner USERNAME"
        )
    return owner
