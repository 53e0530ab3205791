"""How the catalogue reads in the API. Serializers only shape rows into JSON and parse input;
what a user may see was decided by the selectors that built the querysets."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from datasets.api.exports import EXPORTS
from datasets.citations import doi_url
from datasets.constants import MAX_QUERY_LENGTH, DatasetKind, Modality, SortOrder, Visibility
from datasets.models import (
    ClassLabel,
    Creator,
    Dataset,
    DatasetVersion,
    FundingReference,
    ImageRecord,
    License,
    RelatedIdentifier,
)
from datasets.orcid import ORCID_URL_PREFIXES
from portal.api.links import RouteUrlField, route_url

# --- Query parameters --------------------------------------------------------------------------


class DatasetSearchSerializer(serializers.Serializer):
    """The search page's parameters. Values of one facet are alternatives (OR), facets narrow
    each other (AND); repeat a parameter for several values (`?modality=ihc&modality=fundus`)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        help_text="Words that must all occur in title, description, keywords, organ or class "
        "names (case-insensitive).",
    )
    sort = serializers.ChoiceField(choices=SortOrder.choices, default=SortOrder.NEWEST)
    kind = serializers.ListField(child=serializers.ChoiceField(DatasetKind.choices), required=False)
    modality = serializers.ListField(
        child=serializers.ChoiceField(Modality.choices), required=False
    )
    organ = serializers.ListField(child=serializers.CharField(), required=False)
    license = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="SPDX id, e.g. CC-BY-4.0"
    )
    classes = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=9999),
        required=False,
        help_text="Number of classes.",
    )
    metrics = serializers.ListField(
        child=serializers.ChoiceField(["yes", "no"]),
        required=False,
        help_text="Whether the listed version has model metrics (FID, KID, IS).",
    )

    facets = serializers.BooleanField(
        default=False,
        help_text="Add `facets`: for each facet, its values among the results with counts, as "
        "the search page shows them (costs a query per facet).",
    )

    def facet_values(self) -> dict[str, list[str]]:
        """The facet values as the selectors read them from a URL."""
        names = ("kind", "modality", "organ", "license", "classes", "metrics")
        return {name: [str(v) for v in self.validated_data.get(name, [])] for name in names}


class CreatorSearchSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        help_text="Words matched against name, ORCID iD and affiliation.",
    )


# --- Vocabularies ------------------------------------------------------------------------------


class LicenseSerializer(serializers.ModelSerializer):
    class Meta:
        model = License
        fields = [
            "spdx_id",
            "name",
            "url",
            "requires_attribution",
            "non_commercial",
            "share_alike",
            "summary",
        ]


class CreatorSerializer(serializers.ModelSerializer):
    orcid_url = serializers.SerializerMethodField()

    class Meta:
        model = Creator
        fields = ["id", "name", "orcid", "orcid_url", "affiliation"]

    def get_orcid_url(self, creator: Creator) -> str | None:
        return ORCID_URL_PREFIXES[0] + creator.orcid if creator.orcid else None


class ClassLabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClassLabel
        fields = ["name", "description"]


# --- Versions ----------------------------------------------------------------------------------


class VersionSummarySerializer(serializers.ModelSerializer):
    url = RouteUrlField("api:version-detail")
    license = serializers.SlugRelatedField(slug_field="spdx_id", read_only=True)

    class Meta:
        model = DatasetVersion
        fields = [
            "id",
            "url",
            "number",
            "state",
            "identifier",
            "license",
            "image_count",
            "archive_size",
            "created_at",
            "published_at",
        ]


class DatasetRefSerializer(serializers.ModelSerializer):
    url = RouteUrlField("api:dataset-detail", key="slug", lookup="slug")

    class Meta:
        model = Dataset
        fields = ["slug", "url", "title", "kind", "visibility"]


class ArchiveSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The ZIP; Range requests resume a download.")
    size = serializers.IntegerField(
        allow_null=True, help_text="Bytes; null until the ZIP of a published version is built."
    )
    sha256 = serializers.CharField(help_text="Empty until the ZIP is built.")


class RelatedIdentifierSerializer(serializers.ModelSerializer):
    class Meta:
        model = RelatedIdentifier
        fields = RelatedIdentifier.CURATED_FIELDS


class FundingReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingReference
        fields = FundingReference.CURATED_FIELDS


class VersionSerializer(serializers.ModelSerializer):
    """A version with everything needed to cite, check and fetch it. `derived_from` is the
    source of a synthetic version, shown to those who may see that source."""

    url = RouteUrlField("api:version-detail")
    dataset = DatasetRefSerializer(read_only=True)
    doi_url = serializers.SerializerMethodField()
    license = LicenseSerializer(read_only=True)
    creators = serializers.SerializerMethodField()
    derived_from = serializers.SerializerMethodField()
    related_identifiers = RelatedIdentifierSerializer(many=True, read_only=True)
    funding_references = FundingReferenceSerializer(many=True, read_only=True)
    archive = serializers.SerializerMethodField()
    files_url = RouteUrlField("api:version-files")
    exports = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = DatasetVersion
        fields = [
            "id",
            "url",
            "dataset",
            "number",
            "state",
            "identifier",
            "doi_url",
            "license",
            "creators",
            "description",
            "changes",
            "derived_from",
            "related_identifiers",
            "funding_references",
            "class_counts",
            "metrics",
            "image_count",
            "total_bytes",
            "archive",
            "files_url",
            "exports",
            "page_url",
            "view_count",
            "download_count",
            "created_at",
            "published_at",
        ]

    def get_doi_url(self, version: DatasetVersion) -> str:
        return doi_url(version.identifier)

    @extend_schema_field(CreatorSerializer(many=True))
    def get_creators(self, version: DatasetVersion) -> list[dict]:
        return CreatorSerializer(self.context["creators"], many=True).data

    @extend_schema_field(VersionSummarySerializer(allow_null=True))
    def get_derived_from(self, version: DatasetVersion) -> dict | None:
        source = self.context["source"]
        return VersionSummarySerializer(source, context=self.context).data if source else None

    @extend_schema_field(ArchiveSerializer)
    def get_archive(self, version: DatasetVersion) -> dict:
        return {
            "url": route_url(self.context["request"], "api:version-download", version.pk),
            "size": version.archive_size,
            "sha256": version.archive_sha256,
        }

    @extend_schema_field(
        {
            "type": "object",
            "description": "The version's metadata as DataCite JSON, Croissant, schema.org "
            "JSON-LD, BibTeX and a plain-text citation, by URL suffix.",
            "properties": {name: {"type": "string", "format": "uri"} for name in EXPORTS},
        }
    )
    def get_exports(self, version: DatasetVersion) -> dict[str, str]:
        detail = route_url(self.context["request"], "api:version-detail", version.pk)
        return {name: f"{detail.rstrip('/')}.{name}" for name in EXPORTS}

    def get_page_url(self, version: DatasetVersion) -> str:
        return self.context["request"].build_absolute_uri(version.get_absolute_url())


class ImageSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="label.name", read_only=True)
    file_name = serializers.SerializerMethodField()
    url = RouteUrlField("datasets:image-file")
    thumbnail_url = RouteUrlField("datasets:image-thumbnail")

    class Meta:
        model = ImageRecord
        fields = [
            "id",
            "label",
            "file_name",
            "width",
            "height",
            "size_bytes",
            "sha256",
            "origin",
            "extra",
            "url",
            "thumbnail_url",
        ]

    def get_file_name(self, image: ImageRecord) -> str:
        return image.file.name.rsplit("/", 1)[-1]


# --- Datasets ----------------------------------------------------------------------------------


class DatasetSerializer(serializers.ModelSerializer):
    """A search result: the dataset and the version its card shows (newest published, or for
    its editors the newest draft)."""

    url = RouteUrlField("api:dataset-detail", key="slug", lookup="slug")
    owner = serializers.CharField(source="owner.username", read_only=True)
    class_count = serializers.IntegerField(source="class_total", read_only=True)
    total_downloads = serializers.IntegerField(read_only=True)
    total_views = serializers.IntegerField(read_only=True)
    latest_version = VersionSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text="The version the dataset's card shows (set by the view from "
        "selectors.listed_versions).",
    )
    page_url = RouteUrlField("datasets:detail", key="slug", lookup="slug")

    class Meta:
        model = Dataset
        fields = [
            "slug",
            "url",
            "title",
            "description",
            "keywords",
            "modality",
            "organ",
            "kind",
            "visibility",
            "owner",
            "featured",
            "class_count",
            "total_downloads",
            "total_views",
            "latest_version",
            "page_url",
            "created_at",
            "updated_at",
        ]


class DatasetDetailSerializer(DatasetSerializer):
    classes = ClassLabelSerializer(many=True, read_only=True)
    versions = serializers.SerializerMethodField()

    class Meta(DatasetSerializer.Meta):
        fields = [*DatasetSerializer.Meta.fields, "classes", "versions"]

    @extend_schema_field(VersionSummarySerializer(many=True))
    def get_versions(self, dataset: Dataset) -> list[dict]:
        return VersionSummarySerializer(
            self.context["versions"], many=True, context=self.context
        ).data


# --- Uploads -----------------------------------------------------------------------------------


class UploadSerializer(serializers.Serializer):
    """A ZIP of class folders and what describes it: the fields of `manage.py import_dataset`.
    What the values must be (known license, valid ORCID iDs, a sound archive) is checked by
    the import service, which refuses with one line naming the problem."""

    archive = serializers.FileField(
        help_text="ZIP of one folder per class (G1/, G2/, ...) of PNG, JPEG, TIFF or BMP images."
    )
    title = serializers.CharField(max_length=300)
    license = serializers.CharField(max_length=64, help_text="SPDX id, e.g. CC-BY-4.0")
    creators = serializers.ListField(
        child=serializers.CharField(max_length=600),
        required=False,
        help_text="In citation order, each `Family, Given|ORCID|Affiliation` (ORCID and "
        "affiliation optional).",
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )
    modality = serializers.ChoiceField(choices=Modality.choices, default=Modality.OTHER)
    organ = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)
    version_description = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The data card."
    )
