"""The catalogue's search page: matching, facets and their counts, sort orders, the version each
result shows, and the home page's figures."""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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

from datasets.constants import DatasetKind, Modality, SortOrder, VersionState
from datasets.models import ClassLabel, Dataset, DatasetVersion
from datasets.search_text import search_terms
from datasets.selectors.access import User, visible_datasets


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
