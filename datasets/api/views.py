"""Endpoints of the catalogue: datasets, versions (with their files, ZIP and metadata exports),
licenses, creators and uploads. Each asks datasets.selectors what the user may see, so the API
answers as the pages do: what a user may not see is a 404, restricted files a 403."""

from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from datasets import selectors, services
from datasets.api.exports import EXPORTS, export_headers
from datasets.api.pagination import ImagePages, SearchPages
from datasets.api.renderers import EXPORT_RENDERERS, FormatFirstNegotiation, ZipRenderer
from datasets.api.serializers import (
    CreatorSearchSerializer,
    CreatorSerializer,
    DatasetDetailSerializer,
    DatasetSearchSerializer,
    DatasetSerializer,
    ImageSerializer,
    LicenseSerializer,
    UploadSerializer,
    VersionSerializer,
)
from datasets.metadata import version_urls
from datasets.models import DatasetVersion, License
from datasets.services import CreatorSpec
from datasets.uploads import named_upload
from datasets.views import files
from portal.api.links import route_url
from portal.api.pagination import Pages

FILES_WITHHELD = "These files are shared on approved request only: ask on the dataset's page."


class ArchivePending(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The ZIP of this version is being built: ask again in a moment."
    default_code = "archive_pending"
    wait = files.ARCHIVE_RETRY_AFTER_SECONDS  # sent as Retry-After


def require_files(*, user, version: DatasetVersion) -> None:
    """403 for a version whose metadata the user sees but whose files are withheld."""
    if not selectors.can_view_files(user=user, dataset=version.dataset):
        raise PermissionDenied(FILES_WITHHELD)


def with_latest_versions(datasets) -> None:
    """Give each dataset of a search page the version its card shows, in one query."""
    versions = selectors.listed_versions(datasets)
    for dataset in datasets:
        dataset.latest_version = versions.get(dataset.pk)


def version_response(view, version: DatasetVersion, **kwargs) -> Response:
    """The API's JSON for one version: its creators in order, and its source if visible."""
    user = view.request.user
    context = {
        **view.get_serializer_context(),
        "creators": selectors.creators_of(version=version),
        "source": selectors.visible_source(user=user, version=version),
    }
    return Response(VersionSerializer(version, context=context).data, **kwargs)


@extend_schema(tags=["datasets"])
class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DatasetSerializer
    pagination_class = SearchPages
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.search_datasets(user=self.request.user)

    @extend_schema(
        summary="Search datasets",
        description="The search of the `/datasets/` page: words, facets and sort, and with "
        "`facets=true` the facet counts of the whole result. Datasets you may not see are "
        "never listed.",
        parameters=[DatasetSearchSerializer],
    )
    def list(self, request, *args, **kwargs):
        search = DatasetSearchSerializer(data=request.query_params)
        search.is_valid(raise_exception=True)
        query = search.validated_data.get("q", "")
        facets = search.facet_values()
        datasets = selectors.search_datasets(
            user=request.user, query=query, facets=facets, sort=search.validated_data["sort"]
        )
        page = self.paginate_queryset(datasets)
        if search.validated_data["facets"]:
            counts = selectors.facet_counts(user=request.user, query=query, facets=facets)
            self.paginator.facets = {
                name: [asdict(value) for value in values] for name, values in counts.items()
            }
        with_latest_versions(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="A dataset with its classes and versions",
        description="Versions newest first; drafts only for the dataset's editors.",
        responses=DatasetDetailSerializer,
    )
    def retrieve(self, request, *args, **kwargs):
        dataset = self.get_object()
        with_latest_versions([dataset])
        context = {
            **self.get_serializer_context(),
            "versions": selectors.visible_versions(user=request.user, dataset=dataset),
        }
        return Response(DatasetDetailSerializer(dataset, context=context).data)


EXPORT_DESCRIPTION = """A version: identifier, license, creators, counts, its ZIP and exports.

The same URL answers with the version's metadata in another format when the `Accept` header asks
for it (DOI content negotiation's media types), or when the URL names it: `/versions/{id}.{format}`
or `?format={format}`:

- `datacite`, DataCite JSON (metadata schema 4.5): `application/vnd.datacite.datacite+json`
- `croissant`, Croissant 1.1:
  `application/ld+json; profile="http://mlcommons.org/croissant/1.1"`
- `jsonld`, schema.org Dataset JSON-LD: `application/ld+json`
- `bib`, BibTeX: `application/x-bibtex`
- `ris`, RIS (EndNote, Zotero, Mendeley): `application/x-research-info-systems`
- `csl`, CSL-JSON (citation processors): `application/vnd.citationstyles.csl+json`
- `txt`, a plain-text citation (APA style): `text/x-bibliography`
"""


# What each export is, for the schema; the others are text.
EXPORT_SCHEMAS = {
    "datacite": OpenApiTypes.OBJECT,
    "croissant": OpenApiTypes.OBJECT,
    "jsonld": OpenApiTypes.OBJECT,
    "csl": {"type": "array", "items": {"type": "object"}},
}


@extend_schema(tags=["versions"])
class VersionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = VersionSerializer
    renderer_classes = [JSONRenderer, *EXPORT_RENDERERS]
    content_negotiation_class = FormatFirstNegotiation
    throttle_scope = None  # `downloads` for the download action
    # No OPTIONS description: it would be written in the format the URL names (BibTeX, ZIP).
    # The schema at /api/schema/ describes every operation.
    metadata_class = None

    def get_queryset(self):
        return selectors.versions_visible_to(user=self.request.user).select_related(
            "dataset__owner", "license", "derived_from__dataset"
        )

    @extend_schema(
        summary="A version, or its metadata by content negotiation",
        description=EXPORT_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", *EXPORTS],
                description="Export format; overrides the Accept header.",
            )
        ],
        responses={
            (200, JSONRenderer.media_type): VersionSerializer,
            **{
                (200, renderer.media_type): OpenApiResponse(
                    EXPORT_SCHEMAS.get(renderer.format, OpenApiTypes.STR)
                )
                for renderer in EXPORT_RENDERERS
            },
        },
    )
    def retrieve(self, request, *args, **kwargs):
        version = self.get_object()
        build = EXPORTS.get(request.accepted_renderer.format)
        if build is None:
            return version_response(self, version)
        document = build(
            version=version,
            creators=selectors.creators_of(version=version),
            urls=version_urls(version, base=request.build_absolute_uri("/")),
            source=selectors.public_source(version=version),
        )
        export_format = request.accepted_renderer.format
        return Response(
            document, headers=export_headers(version=version, export_format=export_format)
        )

    @extend_schema(
        summary="The version's images",
        description="Each image's class, size, sha256 and URLs, in a stable order. Follow "
        "`next` to go on: the cursor keeps deep pages as quick as the first.",
        responses=ImageSerializer(many=True),
    )
    @action(
        detail=True,
        renderer_classes=[JSONRenderer],
        pagination_class=ImagePages,
        serializer_class=ImageSerializer,
    )
    def files(self, request, *args, **kwargs):
        version = self.get_object()
        require_files(user=request.user, version=version)
        page = self.paginate_queryset(version.images.select_related("label"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Download the version's ZIP",
        description="The ZIP the web page serves: `Range: bytes=N-` resumes an interrupted "
        "download (206), `If-Range` with the ETag makes sure the file did not change. A draft's "
        "ZIP is streamed to its editors as it is made (no length, no ranges). 503 with "
        "Retry-After while the ZIP of a just-published version is being built.",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, "The whole ZIP."),
            (206, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, "The asked range."),
            416: OpenApiResponse(description="The range is outside the file."),
            (503, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, "The ZIP is being built: ask again after Retry-After."
            ),
        },
    )
    @action(detail=True, renderer_classes=[ZipRenderer, JSONRenderer], throttle_scope="downloads")
    def download(self, request, *args, **kwargs):
        """The page's download view does the serving (ranges, ETag, counting once per visitor
        and day), so the page and the API hand out the same bytes the same way."""
        version = self.get_object()
        require_files(user=request.user, version=version)
        if version.is_published and not version.archive:
            raise ArchivePending()
        return files.download(request._request, slug=version.dataset.slug, number=version.number)


@extend_schema(tags=["vocabularies"])
@extend_schema_view(
    list=extend_schema(summary="Licenses", description="The licenses a version may carry."),
    retrieve=extend_schema(summary="A license, by its SPDX id"),
)
class LicenseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = License.objects.all()
    serializer_class = LicenseSerializer
    pagination_class = Pages
    lookup_field = "spdx_id"
    lookup_value_regex = r"[^/]+"  # SPDX ids have dots: CC-BY-4.0


@extend_schema(tags=["vocabularies"])
@extend_schema_view(retrieve=extend_schema(summary="A creator"))
class CreatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CreatorSerializer
    pagination_class = Pages

    def get_queryset(self):
        search = CreatorSearchSerializer(data=self.request.query_params)
        search.is_valid(raise_exception=True)
        return selectors.creators_visible_to(
            user=self.request.user, query=search.validated_data.get("q", "")
        )

    @extend_schema(
        summary="Creators",
        description="People and organisations credited on versions you may see.",
        parameters=[CreatorSearchSerializer],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["datasets"])
class UploadViewSet(viewsets.GenericViewSet):
    serializer_class = UploadSerializer
    parser_classes = [MultiPartParser]
    permission_classes = [IsAuthenticated]
    throttle_scope = "jobs"

    def initialize_request(self, request, *args, **kwargs):
        """Uploads go to a temporary file, never memory: import_dataset reads a path, and a
        ZIP may be gigabytes."""
        request.upload_handlers = [TemporaryFileUploadHandler(request)]
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        summary="Upload a ZIP as a new dataset",
        description="Imports the ZIP as a new real dataset with a draft version 1, owned by "
        "you and private unless you say otherwise, with the checks of `manage.py "
        "import_dataset`: everything is checked before anything is stored, and a refusal (400) "
        "names the file and the problem. Publish the draft on its page.",
        request={"multipart/form-data": UploadSerializer},
        responses={201: VersionSerializer},
        examples=[
            OpenApiExample(
                "Two classes",
                request_only=True,
                value={
                    "archive": "(file) tiles.zip",
                    "title": "Breast cancer grades",
                    "license": "CC-BY-4.0",
                    "creators": ["Doe, Jane|0000-0002-1825-0097|Example University"],
                    "modality": "histology",
                    "visibility": "private",
                },
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        upload = self.get_serializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        with named_upload(data["archive"]) as path:
            result = services.import_dataset(
                source=path,
                title=data["title"],
                license_spdx=data["license"],
                owner=request.user,
                creators=[CreatorSpec.parse(line) for line in data.get("creators", [])],
                modality=data["modality"],
                organ=data["organ"],
                visibility=data["visibility"],
                description=data["description"],
                keywords=data["keywords"],
                version_description=data["version_description"],
            )
        version = result.version
        location = route_url(request, "api:version-detail", version.pk)
        return version_response(
            self, version, status=status.HTTP_201_CREATED, headers={"Location": location}
        )
