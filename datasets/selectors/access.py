"""Who may see and do what in the catalogue. Every page, API view and command asks here.

The rules, in one place:
- a dataset's page: staff, its owner and collaborators (its editors) always; anyone else once it
  is public or restricted *and* has a published version (a draft is work in progress);
- a version: published ones to whoever sees the dataset, drafts to its editors only;
- files (images, thumbnails, ZIPs) of a version one sees: of a public dataset to all; of a
  restricted one to its editors and to users whose access request was approved; of a private
  one to its editors (nobody else sees it at all).
"""

import enum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from datasets.constants import AccessState, VersionState, Visibility
from datasets.models import (
    AccessRequest,
    Authorship,
    Creator,
    Dataset,
    DatasetVersion,
    VisibilityChange,
)

User = AbstractBaseUser | AnonymousUser


class FileAccess(enum.Enum):
    HIDDEN = "hidden"  # the version does not exist for this user: answer 404
    DENIED = "denied"  # its metadata is public but its files are not: answer 403
    ALLOWED = "allowed"


def editor_filter(user: AbstractBaseUser) -> Q:
    """Datasets `user` owns or collaborates on; an Exists, so no join multiplies rows."""
    collaborations = Dataset.collaborators.through.objects.filter(
        dataset_id=OuterRef("pk"), user_id=user.pk
    )
    return Q(owner=user) | Q(Exists(collaborations))


def is_editor(*, user: User, dataset: Dataset) -> bool:
    """Whether `user` may edit and publish drafts of `dataset` and decide its access requests."""
    if not user.is_authenticated:
        return False
    if user.is_staff or dataset.owner_id == user.pk:
        return True
    return dataset.collaborators.filter(pk=user.pk).exists()


def manages_dataset(*, user: User, dataset: Dataset) -> bool:
    """Whether `user` takes the owner's decisions on `dataset`, who edits it (its collaborators)
    and who sees it (its visibility): its owner and staff, not its collaborators."""
    return user.is_authenticated and (user.is_staff or dataset.owner_id == user.pk)


def has_published_version(*, dataset: Dataset) -> bool:
    """Whether `dataset` has a published version: its slug is then part of an identifier."""
    return dataset.versions.filter(state=VersionState.PUBLISHED).exists()


def collaborators_of(*, dataset: Dataset) -> QuerySet:
    return dataset.collaborators.order_by("username")


def visible_datasets(*, user: User) -> QuerySet[Dataset]:
    """Datasets whose page `user` may open (see the module's docstring)."""
    datasets = Dataset.objects.select_related("owner")
    if user.is_authenticated and user.is_staff:
        return datasets
    published = DatasetVersion.objects.filter(
        dataset_id=OuterRef("pk"), state=VersionState.PUBLISHED
    )
    visible = Q(visibility__in=[Visibility.PUBLIC, Visibility.RESTRICTED]) & Q(Exists(published))
    if user.is_authenticated:
        visible |= editor_filter(user)
    return datasets.filter(visible)


def editable_datasets(*, user: User) -> QuerySet[Dataset]:
    """The datasets `user` owns or collaborates on (all of them for staff)."""
    if not user.is_authenticated:
        return Dataset.objects.none()
    if user.is_staff:
        return Dataset.objects.all()
    return Dataset.objects.filter(editor_filter(user))


def visible_versions(*, user: User, dataset: Dataset) -> QuerySet[DatasetVersion]:
    """The versions of a dataset `user` sees, newest first: drafts only for its editors."""
    versions = dataset.versions.select_related("license").order_by("-number")
    if is_editor(user=user, dataset=dataset):
        return versions
    return versions.filter(state=VersionState.PUBLISHED)


def readable_versions(*, user: User) -> QuerySet[DatasetVersion]:
    """Every version whose page `user` may open: published versions of the datasets they see,
    and drafts of the datasets they edit (the rule of `visible_versions`, across datasets)."""
    versions = DatasetVersion.objects.all()
    if user.is_authenticated and user.is_staff:
        return versions
    published = Q(state=VersionState.PUBLISHED, dataset__in=visible_datasets(user=user))
    if not user.is_authenticated:
        return versions.filter(published)
    return versions.filter(published | Q(dataset__in=editable_datasets(user=user)))


def latest_version(*, dataset: Dataset) -> DatasetVersion | None:
    """The newest published version, or the newest draft when nothing is published yet."""
    versions = dataset.versions.select_related("license").order_by("-number")
    return versions.filter(state=VersionState.PUBLISHED).first() or versions.first()


def version_for_page(*, user: User, slug: str, number: int | None = None) -> DatasetVersion | None:
    """Version `number` of dataset `slug` (default: the one its page shows), or None if `user`
    may not see it: the caller answers 404, so a private dataset's existence does not leak."""
    dataset = visible_datasets(user=user).filter(slug=slug).first()
    if dataset is None:
        return None
    versions = visible_versions(user=user, dataset=dataset)
    if number is None:
        version = versions.filter(state=VersionState.PUBLISHED).first() or versions.first()
    else:
        version = versions.filter(number=number).first()
    if version is not None:
        version.dataset = dataset
    return version


def can_view_files(*, user: User, dataset: Dataset) -> bool:
    """Whether `user` may fetch the files of `dataset`, given that they see the dataset."""
    if dataset.visibility == Visibility.PUBLIC or is_editor(user=user, dataset=dataset):
        return True
    if dataset.visibility == Visibility.RESTRICTED and user.is_authenticated:
        return AccessRequest.objects.filter(
            dataset=dataset, user=user, state=AccessState.APPROVED
        ).exists()
    return False


def file_access(*, user: User, version: DatasetVersion) -> FileAccess:
    """What `user` may do with the files (images, thumbnails, ZIP) of `version`."""
    dataset = version.dataset
    if not visible_datasets(user=user).filter(pk=dataset.pk).exists():
        return FileAccess.HIDDEN
    if not version.is_published and not is_editor(user=user, dataset=dataset):
        return FileAccess.HIDDEN
    if can_view_files(user=user, dataset=dataset):
        return FileAccess.ALLOWED
    return FileAccess.DENIED


def visibility_history(*, dataset: Dataset) -> QuerySet[VisibilityChange]:
    """The changes of `dataset`'s visibility, newest first, with who made them."""
    return dataset.visibility_changes.select_related("changed_by").order_by("-changed_at", "-pk")


def visibility_effects(*, dataset: Dataset) -> dict[str, str]:
    """What each visibility would let others see of `dataset`, naming its published versions
    and the users whose access was approved, for the owner to read before choosing one."""
    numbers = dataset.versions.filter(state=VersionState.PUBLISHED).values_list("number", flat=True)
    versions = ", ".join(f"v{number}" for number in sorted(numbers))
    versions = f"its published versions ({versions})" if versions else "its versions once published"
    approved = AccessRequest.objects.filter(dataset=dataset, state=AccessState.APPROVED).count()
    approved_users = f"{approved} user{'s' if approved != 1 else ''}" if approved else ""
    return {
        Visibility.PUBLIC: f"Anyone, signed in or not, sees the pages of {versions} and "
        "downloads all their files.",
        Visibility.RESTRICTED: f"Anyone sees the pages, metadata and citations of {versions}; "
        "their files only its editors, staff and users whose access request is approved"
        + (f" ({approved_users} now)." if approved else "."),
        Visibility.PRIVATE: f"Only its owner, collaborators and staff see {versions} and their "
        "files; nobody else learns the dataset exists"
        + (f", not even the {approved_users} whose access was approved." if approved else "."),
    }


def access_request_of(*, user: User, dataset: Dataset) -> AccessRequest | None:
    if not user.is_authenticated:
        return None
    return AccessRequest.objects.filter(dataset=dataset, user=user).first()


def pending_access_requests(*, user: User) -> QuerySet[AccessRequest]:
    """Requests waiting for `user`'s decision: on the datasets they edit."""
    return (
        AccessRequest.objects.filter(
            state=AccessState.PENDING, dataset__in=editable_datasets(user=user)
        )
        .select_related("dataset", "user")
        .order_by("created_at")
    )


def publish_problems(*, version: DatasetVersion) -> list[str]:
    """What stops `version` from being published, one line each; empty when it can be."""
    if version.is_published:
        return [f"{version.identifier} is published already"]
    problems = []
    if version.license_id is None:
        problems.append("choose a license: nobody may reuse data without one")
    if not version.creators.exists():
        problems.append("name at least one creator: a citation needs authors")
    if not version.images.exists():
        problems.append("add images: the version is empty")
    if version.is_held:
        problems.append(
            f"publication is held: {version.publication_hold} A curator may override the hold "
            "with a written reason."
        )
    return problems


def versions_visible_to(*, user: User) -> QuerySet[DatasetVersion]:
    """Every version `user` may see, of any dataset: published versions of the datasets they
    see, and drafts too of the datasets they edit (as `version_for_page` decides per page)."""
    versions = DatasetVersion.objects.filter(dataset__in=visible_datasets(user=user))
    if user.is_authenticated and user.is_staff:
        return versions
    return versions.filter(
        Q(state=VersionState.PUBLISHED) | Q(dataset__in=editable_datasets(user=user))
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
