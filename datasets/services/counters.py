"""View and download counters, once per visitor and day."""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from datasets.constants import HitKind
from datasets.models import DatasetVersion, VersionHit


def visitor_key(*, user: AbstractBaseUser | AnonymousUser, address: str) -> str:
    """Who is counting: the user, or else the IP address, as a keyed hash (no address stored)."""
    who = f"user:{user.pk}" if user.is_authenticated else f"ip:{address}"
    return hmac.new(settings.SECRET_KEY.encode(), who.encode(), hashlib.sha256).hexdigest()[:32]


def record_hit(*, version: DatasetVersion, kind: str, visitor: str) -> bool:
    """Count a view or download of a published version once per visitor and day, so that
    reloading a page or resuming a download does not inflate the counters. True if counted."""
    if not version.is_published:
        return False
    counter = {HitKind.VIEW: "view_count", HitKind.DOWNLOAD: "download_count"}[kind]
    with transaction.atomic():
        _, created = VersionHit.objects.get_or_create(
            version=version, kind=kind, visitor=visitor, day=timezone.now().date()
        )
        if created:
            DatasetVersion.objects.filter(pk=version.pk).update(**{counter: F(counter) + 1})
    return created
