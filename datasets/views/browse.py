"""Browsing: the search page with facets, and a dataset version's page."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from datasets import related_works, selectors, services
from datasets.api.exports import negotiated_export
from datasets.citations import citation_bibtex, citation_facts, citation_ris, citation_text
from datasets.constants import MAX_QUERY_LENGTH, HitKind, SortOrder, Visibility
from datasets.forms import AccessRequestForm
from datasets.metadata import json_ld_script, schema_org_dataset, version_urls
from datasets.views.visitors import visitor_of

# The exports the citation box offers as files: (API format suffix, label).
CITATION_FILES = [
    ("bib", "BibTeX"),
    ("ris", "RIS"),
    ("csl", "CSL-JSON"),
    ("datacite", "DataCite JSON"),
    ("croissant", "Croissant"),
]


def dataset_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    sort = request.GET.get("sort", SortOrder.NEWEST)
    if sort not in SortOrder.values:
        sort = SortOrder.NEWEST
    facets = {name: request.GET.getlist(name) for name in selectors.FACETS_BY_NAME}
    results = selectors.search_datasets(user=request.user, query=query, facets=facets, sort=sort)
    # get_page() turns a page past the end into the last page and garbage into the first.
    page = Paginator(results, settings.DATASETS_PER_PAGE).get_page(request.GET.get("page"))
    versions = selectors.listed_versions(page.object_list)
    counts = selectors.facet_counts(user=request.user, query=query, facets=facets)
    return render(
        request,
        "datasets/list.html",
        {
            "query": query,
            "sort": sort,
            "sort_choices": SortOrder.choices,
            "page": page,
            "cards": [(dataset, versions.get(dataset.pk)) for dataset in page.object_list],
            "facets": [(facet, counts[facet.name]) for facet in selectors.FACETS],
            "filtered": any(values for values in facets.values()) or bool(query),
        },
    )


def dataset_detail(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    """A version's page: `/datasets/<slug>/` shows the newest published version (the newest
    draft to editors of a dataset not yet published), `/datasets/<slug>/v<N>/` version N."""
    user = request.user
    version = selectors.version_for_page(user=user, slug=slug, number=number)
    if version is None:
        raise Http404("No such dataset.")
    export = negotiated_export(request, version)
    if export is not None:
        return export
    dataset = version.dataset
    if request.method == "GET" and services.record_hit(
        version=version, kind=HitKind.VIEW, visitor=visitor_of(request)
    ):
        version.view_count += 1  # the counter on the page includes this view
    versions = list(selectors.visible_versions(user=user, dataset=dataset))
    newest_published = next((v for v in versions if v.is_published), None)
    creators = selectors.creators_of(version=version)
    facts = citation_facts(version=version, creators=creators)
    urls = version_urls(version, base=request.build_absolute_uri("/"))
    files_allowed = selectors.can_view_files(user=user, dataset=dataset)
    editor = selectors.is_editor(user=user, dataset=dataset)
    response = render(
        request,
        "datasets/detail.html",
        {
            "dataset": dataset,
            "version": version,
            "versions": versions,
            "newest_published": newest_published,
            "newer_draft": selectors.newer_draft(user=user, version=version),
            "creators": creators,
            "citation_text": citation_text(facts),
            "citation_bibtex": citation_bibtex(facts),
            "citation_ris": citation_ris(facts),
            "citation_files": CITATION_FILES,
            "related": related_works.related_of(version),
            "funding": related_works.funding_of(version),
            "class_counts": selectors.class_counts(version=version),
            "gallery": (
                selectors.gallery(version=version, per_class=settings.GALLERY_IMAGES_PER_CLASS)
                if files_allowed
                else []
            ),
            "files_allowed": files_allowed,
            "is_editor": editor,
            "publish_problems": selectors.publish_problems(version=version) if editor else [],
            "source": selectors.visible_source(user=user, version=version),
            "derived": selectors.derived_datasets(user=user, dataset=dataset)[:20],
            "json_ld": json_ld_script(
                schema_org_dataset(
                    version=version,
                    creators=creators,
                    urls=urls,
                    source=selectors.public_source(version=version),
                )
            ),
            "access_request": selectors.access_request_of(user=user, dataset=dataset),
            "access_form": (
                AccessRequestForm()
                if dataset.visibility == Visibility.RESTRICTED and not files_allowed
                else None
            ),
            "pending_requests": (
                selectors.pending_access_requests(user=user).filter(dataset=dataset)
                if editor
                else []
            ),
            "last_visibility_change": (
                selectors.visibility_history(dataset=dataset).first() if editor else None
            ),
        },
    )
    patch_vary_headers(response, ["Accept"])  # the same URL serves citation formats
    return response
