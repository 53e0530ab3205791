"""Reads the API needs beyond the pages' selectors: objects reached by id rather than by a
dataset's page. Each is built from datasets.selectors, so the rules stay those of the pages."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from datasets import selectors
from datasets.constants import VersionState
from datasets.models import Authorship, Creator, DatasetVersion
from datasets.selectors import User


def versions_visible_to(*, user: User) -> QuerySet[DatasetVersion]:
    """Every version `user` may see, of any dataset: published versions of the datasets they
    see, and drafts too of the datasets they edit (as `version_for_page` decides per page)."""
    versions = DatasetVersion.objects.filter(dataset__in=selectors.visible_datasets(user=user))
    if user.is_authenticated and user.is_staff:
        return versions
    return versions.filter(
        Q(state=VersionState.PUBLISHED) | Q(dataset__in=selectors.editable_datasets(user=user))
    )


def creators_visible_to(*, user: User, query: str = "") -> QuerySet[Creator]:
    """Creators of at least one version `user` sees, so that a private dataset's authors do not
    show; `query` matches name, ORCID iD or affiliation."""
    authored = Authorship.objects.filter(
        creator_id=OuterRef("pk"), version__in=versions_visible_to(user=user)
    )
    creators = Creator.objects.filter(Exists(authored))
    for term in query.split():
        creators = creators.filter(
            Q(name__icontains=term) | Q(orcid__icontains=term) | Q(affiliation__icontains=term)
        )
    return creators.order_by("name", "pk")
