"""Publishing a draft, and the holds a later check puts on it and a curator overrides with a
written reason."""

import functools

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from datasets import doi_registration, selectors, tasks
from datasets.constants import VersionState
from datasets.exceptions import PublishRefused
from datasets.models import DatasetVersion
from datasets.services.entry import refresh_search_text

# A hold is overridden with a reason a reader can weigh, not a click.
MIN_OVERRIDE_REASON = 20


def publish_version(*, version: DatasetVersion, user: AbstractBaseUser) -> DatasetVersion:
    """Freeze a draft: check it, mark it published with its date, and build its ZIP.

    In one transaction with the version's row locked, so two curators pressing Publish at once
    publish it once. From then on DatasetVersion.save() refuses any change but the counters and
    the archive. The ZIP is built by a Celery task on the `default` queue, enqueued only once
    the transaction has committed (a worker must find the version published).
    """
    if not selectors.is_editor(user=user, dataset=version.dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff publish it")
    with transaction.atomic():
        locked = DatasetVersion.objects.select_for_update().get(pk=version.pk)
        problems = selectors.publish_problems(version=locked)
        if problems:
            raise PublishRefused(problems)
        locked.state = VersionState.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["state", "published_at"])
        refresh_search_text(dataset=locked.dataset)
        transaction.on_commit(functools.partial(tasks.build_archive.delay, locked.pk))
        if doi_registration.is_configured():  # else identifiers stay test-prefix ones
            transaction.on_commit(functools.partial(tasks.register_dois.delay, locked.pk))
    return locked


def hold_publication(*, version: DatasetVersion, reason: str) -> None:
    """Stop a draft from being published until a curator overrides `reason` (empty: release).

    Called by checks that run after the images exist, such as the quality report's memorization
    test. A new hold replaces an earlier override: the curator's reason answered the old finding.
    """
    if version.is_published:
        return
    DatasetVersion.objects.filter(pk=version.pk).update(
        publication_hold=reason,
        hold_override_reason="",
        hold_overridden_by=None,
        hold_overridden_at=None,
    )
    version.refresh_from_db(
        fields=[
            "publication_hold",
            "hold_override_reason",
            "hold_overridden_by",
            "hold_overridden_at",
        ]
    )


def override_publication_hold(
    *, version: DatasetVersion, user: AbstractBaseUser, reason: str
) -> DatasetVersion:
    """Let a held draft be published: the curator's written reason is stored and shown with it."""
    if not selectors.is_editor(user=user, dataset=version.dataset):
        raise PermissionDenied("only the dataset's owner, collaborators and staff override a hold")
    reason = reason.strip()
    if not version.publication_hold:
        raise PublishRefused([f"{version.identifier} has no publication hold to override"])
    if len(reason) < MIN_OVERRIDE_REASON:
        raise PublishRefused(
            [f"write why the hold should be overridden (at least {MIN_OVERRIDE_REASON} characters)"]
        )
    DatasetVersion.objects.filter(pk=version.pk, state=VersionState.DRAFT).update(
        hold_override_reason=reason, hold_overridden_by=user, hold_overridden_at=timezone.now()
    )
    version.refresh_from_db()
    return version


def queue_missing_archives(*, versions: QuerySet) -> int:
    """Queue a ZIP build for each published version of `versions` that has none; returns how
    many. For a build that failed for good (its task gave up): the task is a no-op once built."""
    missing = list(
        versions.filter(state=VersionState.PUBLISHED, archive="").values_list("pk", flat=True)
    )
    for pk in missing:
        transaction.on_commit(functools.partial(tasks.build_archive.delay, pk))
    return len(missing)
