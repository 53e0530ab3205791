"""Reads of the catalogue. Every page, API view and command asks here what a user may see.

The rules, in one place:
- a dataset's page: staff, its owner and collaborators (its editors) always; anyone else once it
  is public or restricted *and* has a published version (a draft is work in progress);
- a version: published ones to whoever sees the dataset, drafts to its editors only;
- files (images, thumbnails, ZIPs) of a version one sees: of a public dataset to all; of a
  restricted one to its editors and to users whose access request was approved; of a private
  one to its editors (nobody else sees it at all).
"""

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower

from datasets.constants import (
    AccessState,
    DatasetKind,
    Modality,
    SortOrder,
    VersionState,
    Visibility,
)
from datasets.models import (
    AccessRequest,
    ClassLabel,
    Creator,
    Dataset,
    DatasetVersion,
    ImageRecord,
    VisibilityChange,
)
from datasets.search_text import search_terms

User = AbstractBaseUser | AnonymousUser


class FileAccess(enum.Enum):
    HIDDEN = "hidden"  # the version does not exist for this user: answer 404
    DENIED = "denied"  # its metadata is public but its files are not: answer 403
    ALLOWED = "allowed"


# --- Who may see and do what -------------------------------------------------------------------


def _editor_filter(user: AbstractBaseUser) -> Q:
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
        visible |= _editor_filter(user)
    return datasets.filter(visible)


def editable_datasets(*, user: User) -> QuerySet[Dataset]:
    """The datasets `user` owns or collaborates on (all of them for staff)."""
    if not user.is_authenticated:
        return Dataset.objects.none()
    if user.is_staff:
        return Dataset.objects.all()
    return Dataset.objects.filter(_editor_filter(user))


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


# --- Search and facets -------------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    """A filter of the search: a URL parameter, the annotation it filters and counts on, and
    how its values read (`parse` turns a URL value into the stored one, or None if invalid)."""

    name: str
    label: str
    field: str
    parse: Callable[[str], Any]
    display: Callable[[Any], str]


@dataclass(frozen=True)
class FacetValue:
    value: str  # as in the URL
    label: str
    count: int
    selected: bool


def _choice(choices: type[TextChoices]) -> Callable[[str], str | None]:
    return lambda value: value if value in choices.values else None


def _positive_int(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < int(value) < 10_000 else None


FACETS = (
    Facet("kind", "Kind", "kind", _choice(DatasetKind), lambda v: DatasetKind(v).label),
    Facet("modality", "Modality", "modality", _choice(Modality), lambda v: Modality(v).label),
    Facet("organ", "Organ", "organ", lambda v: v.strip() or None, str),
    Facet("license", "License", "listed_license", lambda v: v.strip() or None, str),
    Facet(
        "classes",
        "Number of classes",
        "class_total",
        _positive_int,
        lambda n: f"{n} class{'es' if n != 1 else ''}",
    ),
    Facet(
        "metrics",
        "Model metrics",
        "listed_has_metrics",
        {"yes": True, "no": False}.get,
        lambda has: "With model metrics" if has else "Without model metrics",
    ),
)
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
# A URL may repeat a facet; more values than any page offers only make the SQL longer.
MAX_VALUES_PER_FACET = 50


def _listed_versions() -> QuerySet[DatasetVersion]:
    """A dataset's versions in the order its card picks one: newest published, else newest
    draft (only editors see datasets whose versions are all drafts)."""
    published_first = Case(
        When(state=VersionState.PUBLISHED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return DatasetVersion.objects.filter(dataset_id=OuterRef("pk")).order_by(
        published_first, "-number"
    )


def _with_facet_fields(datasets: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """Annotate what facets and sorting read: the listed version's license, metrics and dates,
    and the class count. Subqueries, not joins: one row per dataset, and GROUP BY works."""
    listed = _listed_versions()
    class_total = (
        ClassLabel.objects.filter(dataset_id=OuterRef("pk"))
        .order_by()
        .values("dataset_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    with_metrics = DatasetVersion.objects.filter(pk=OuterRef("listed_version_id")).exclude(
        metrics={}
    )
    return datasets.annotate(
        listed_version_id=Subquery(listed.values("pk")[:1]),
        listed_license=Subquery(listed.values("license__spdx_id")[:1]),
        listed_published_at=Subquery(listed.values("published_at")[:1]),
        listed_has_metrics=Exists(with_metrics),
        class_total=Coalesce(Subquery(class_total), 0),
    )


def _parsed(facet: Facet, raw_values: Iterable[str]) -> set:
    """The valid values among those a URL gave for `facet`."""
    return {facet.parse(raw) for raw in list(raw_values)[:MAX_VALUES_PER_FACET]} - {None}


def _facet_filter(facet: Facet, raw_values: Iterable[str]) -> Q | None:
    values = _parsed(facet, raw_values)
    return Q(**{f"{facet.field}__in": values}) if values else None


def _matching(
    *, user: User, query: str, facets: Mapping[str, Iterable[str]], leave_out: str = ""
) -> QuerySet[Dataset]:
    """Visible datasets matching every query word and every facet but `leave_out`: values of
    one facet are alternatives (OR), different facets narrow each other (AND)."""
    datasets = _with_facet_fields(visible_datasets(user=user))
    for term in search_terms(query):
        datasets = datasets.filter(search_text__contains=term)
    for name, raw_values in facets.items():
        facet = FACETS_BY_NAME.get(name)
        if facet is None or name == leave_out:
            continue
        condition = _facet_filter(facet, raw_values)
        if condition is not None:
            datasets = datasets.filter(condition)
    return datasets


def _version_total(field: str) -> Subquery:
    totals = (
        DatasetVersion.objects.filter(dataset_id=OuterRef("pk"))
        .order_by()
        .values("dataset_id")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(totals), 0)


def search_datasets(
    *,
    user: User,
    query: str = "",
    facets: Mapping[str, Iterable[str]] | None = None,
    sort: str = SortOrder.NEWEST,
) -> QuerySet[Dataset]:
    """Visible datasets matching `query` (every word, anywhere in title, description, keywords,
    organ or class names, case-insensitively) and `facets` ({"modality": ["ihc"], ...}; unknown
    names and values are ignored), in `sort` order with a stable tie-break, so that pages of the
    result never overlap. Each dataset carries `total_downloads` and `total_views` (all its
    versions) and the facet annotations (`listed_version_id`, `listed_license`, ...)."""
    datasets = _matching(user=user, query=query, facets=facets or {}).annotate(
        total_downloads=_version_total("download_count"),
        total_views=_version_total("view_count"),
    )
    newest = Coalesce("listed_published_at", "created_at")
    orderings = {
        SortOrder.NEWEST: [newest.desc(), "-pk"],
        SortOrder.DOWNLOADS: ["-total_downloads", newest.desc(), "-pk"],
        SortOrder.VIEWS: ["-total_views", newest.desc(), "-pk"],
        SortOrder.TITLE: [Lower("title"), "pk"],
    }
    return datasets.order_by(*orderings.get(sort, orderings[SortOrder.NEWEST]))


def facet_counts(
    *, user: User, query: str = "", facets: Mapping[str, Iterable[str]] | None = None
) -> dict[str, list[FacetValue]]:
    """For each facet, its values among the datasets matching the query and the *other* facets,
    with counts: what ticking one more value would add. Selected values are always listed.

    One query fetches the facet fields of every dataset matching the words; the counts are
    made from those rows. A GROUP BY per facet would rebuild and rerun the whole annotated
    search six times, which cost most of a faceted API request (docs/benchmarks.md, API).
    """
    facets = facets or {}
    selected = [_parsed(facet, facets.get(facet.name, ())) for facet in FACETS]
    rows = list(
        _matching(user=user, query=query, facets={})
        .order_by()
        .values_list(*(facet.field for facet in FACETS))
    )
    counts: dict[str, list[FacetValue]] = {}
    for index, facet in enumerate(FACETS):
        others = [(i, values) for i, values in enumerate(selected) if values and i != index]
        found = Counter(
            row[index]
            for row in rows
            if row[index] not in (None, "") and all(row[i] in values for i, values in others)
        )
        for value in selected[index] - found.keys():
            found[value] = 0
        values = [
            FacetValue(
                value=_url_value(value),
                label=facet.display(value),
                count=count,
                selected=value in selected[index],
            )
            for value, count in found.items()
        ]
        values.sort(key=lambda item: (-item.count, item.label))
        counts[facet.name] = values
    return counts


def _url_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def listed_versions(datasets: Iterable[Dataset]) -> dict[int, DatasetVersion]:
    """The version each dataset of a search page shows, by dataset id, in one query."""
    ids = [dataset.listed_version_id for dataset in datasets if dataset.listed_version_id]
    versions = DatasetVersion.objects.filter(pk__in=ids).select_related("license")
    return {version.dataset_id: version for version in versions}


def catalogue_counts(*, user: User) -> dict[str, int]:
    """Figures for the home page: datasets, synthetic ones, images and downloads `user` sees.
    Images are those of each dataset's listed version: v1 and v2 share most of theirs."""
    listed_images = Subquery(_listed_versions().values("image_count")[:1])
    figures = (
        visible_datasets(user=user)
        .annotate(listed_images=listed_images)
        .aggregate(
            datasets=Count("pk"),
            synthetic=Count("pk", filter=Q(kind=DatasetKind.SYNTHETIC)),
            images=Coalesce(Sum("listed_images"), 0),
        )
    )
    figures["downloads"] = DatasetVersion.objects.filter(
        dataset__in=visible_datasets(user=user), state=VersionState.PUBLISHED
    ).aggregate(total=Coalesce(Sum("download_count"), 0))["total"]
    return figures


# --- One dataset's page ------------------------------------------------------------------------


def class_counts(*, version: DatasetVersion) -> dict[str, int]:
    rows = (
        version.images.values("label__name", "label__position")
        .annotate(n=Count("id"))
        .order_by("label__position", "label__name")
    )
    return {row["label__name"]: row["n"] for row in rows}


@dataclass(frozen=True)
class GalleryClass:
    label: ClassLabel
    images: list[ImageRecord]  # the first few
    total: int


def gallery(*, version: DatasetVersion, per_class: int = 12) -> list[GalleryClass]:
    """The first images of each class: one small query per class, never the whole version."""
    totals = class_counts(version=version)
    labels = version.dataset.classes.filter(name__in=totals).order_by("position", "name")
    return [
        GalleryClass(
            label=label,
            images=list(version.images.filter(label=label).order_by("pk")[:per_class]),
            total=totals[label.name],
        )
        for label in labels
    ]


def visible_source(*, user: User, version: DatasetVersion) -> DatasetVersion | None:
    """The version a synthetic `version` derives from, if `user` may see it."""
    source = version.derived_from
    if source is None:
        return None
    return version_for_page(user=user, slug=source.dataset.slug, number=source.number)


def public_source(*, version: DatasetVersion) -> DatasetVersion | None:
    """The source of `version` if anyone may know it: what machine-readable metadata (JSON-LD,
    DataCite, the ZIP's README) state, whoever asks."""
    return visible_source(user=AnonymousUser(), version=version)


def derived_datasets(*, user: User, dataset: Dataset) -> QuerySet[Dataset]:
    """Visible datasets with a version made from one of `dataset`'s versions (its synthetic
    offspring), newest first."""
    derived = DatasetVersion.objects.filter(
        dataset_id=OuterRef("pk"), derived_from__dataset=dataset
    )
    return visible_datasets(user=user).filter(Exists(derived)).order_by("-created_at")


def newer_draft(*, user: User, version: DatasetVersion) -> DatasetVersion | None:
    """A draft newer than the published `version`, for its editors to find on the page."""
    if not is_editor(user=user, dataset=version.dataset):
        return None
    return (
        version.dataset.versions.filter(state=VersionState.DRAFT, number__gt=version.number)
        .order_by("-number")
        .first()
    )


def creators_of(*, version: DatasetVersion) -> list[Creator]:
    """The creators of `version` in citation order."""
    return list(version.creators.order_by("authorship__position", "authorship__pk"))


def own_datasets(*, user: User) -> QuerySet[Dataset]:
    """The datasets `user` owns or collaborates on (for staff too: not every dataset)."""
    if not user.is_authenticated:
        return Dataset.objects.none()
    return Dataset.objects.filter(_editor_filter(user)).order_by("-created_at")
