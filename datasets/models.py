"""The catalogue: licenses, creators, datasets, their versions, class labels and images.

A Dataset is the concept (its slug and concept identifier never change); a DatasetVersion is a
citable, downloadable snapshot. A published version is immutable: a fix is a new version.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from datasets.constants import (
    RESERVED_SLUGS,
    AccessState,
    DatasetKind,
    FunderIdentifierType,
    HitKind,
    ImageOrigin,
    Modality,
    RelatedIdentifierType,
    RelationType,
    VersionState,
    Visibility,
)
from datasets.orcid import validate_orcid
from datasets.related_identifiers import normalised_identifier


class License(models.Model):
    spdx_id = models.CharField("SPDX id", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    url = models.URLField("canonical URL")
    requires_attribution = models.BooleanField(default=True)
    non_commercial = models.BooleanField(default=False)
    share_alike = models.BooleanField(default=False)
    summary = models.TextField(help_text="Plain-language summary; the legal text is at the URL.")

    class Meta:
        ordering = ["spdx_id"]

    def __str__(self) -> str:
        return self.spdx_id


class Creator(models.Model):
    name = models.CharField(max_length=200, help_text="Family name, given names")
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text="16 characters such as 0000-0002-1825-0097",
    )
    affiliation = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"],
                condition=~models.Q(orcid=""),
                name="unique_creator_orcid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.orcid})" if self.orcid else self.name


def validate_not_reserved(slug: str) -> None:
    """`/datasets/new/` is the upload page: a dataset called "new" could never be opened."""
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"{slug!r} names a page of the portal; choose another slug")


class Dataset(models.Model):
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_not_reserved])
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    keywords = models.JSONField(default=list, blank=True)
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.OTHER)
    organ = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=DatasetKind.choices, default=DatasetKind.REAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="datasets"
    )
    collaborators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="collaborations"
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    featured = models.BooleanField(default=False)
    search_text = models.TextField(
        blank=True,
        editable=False,
        help_text="Title, description, keywords, organ and class names, case-folded: what the "
        "catalogue search matches (kept by datasets.services.refresh_search_text).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["visibility", "kind"]),
            models.Index(fields=["modality"]),
            models.Index(fields=["organ"]),
            models.Index(fields=["-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def concept_identifier(self) -> str:
        """The identifier that always resolves to the newest version (as Zenodo's concept DOI)."""
        return f"{settings.DOI_PREFIX}/{self.slug}"


class VisibilityChange(models.Model):
    """One change of a dataset's visibility: who made it, when, from what, to what.

    Visibility decides at once who sees every published version and its files, so each change
    is an explicit act of the owner or staff (datasets.services.change_visibility), kept here
    and shown to the dataset's editors.
    """

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="visibility_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    from_visibility = models.CharField(max_length=10, choices=Visibility.choices)
    to_visibility = models.CharField(max_length=10, choices=Visibility.choices)

    class Meta:
        ordering = ["dataset", "-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dataset.slug}: {self.from_visibility} -> {self.to_visibility}"


class ClassLabel(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["dataset", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="unique_class_per_dataset")
        ]

    def __str__(self) -> str:
        return self.name


class PublishedVersionError(ValidationError):
    """Raised on any attempt to change a published version: publish a new version instead."""


class DatasetVersion(models.Model):
    # Fields a published version may still change: counters and the archive built after publishing.
    MUTABLE_AFTER_PUBLISH = frozenset(
        {"view_count", "download_count", "archive", "archive_size", "archive_sha256"}
    )

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=VersionState.choices, default=VersionState.DRAFT
    )
    identifier = models.CharField(max_length=200, unique=True)
    license = models.ForeignKey(
        License,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
    )
    creators = models.ManyToManyField(Creator, through="Authorship", related_name="versions")
    description = models.TextField(
        blank=True,
        help_text="Data card: how the images were obtained, intended use, limits.",
    )
    changes = models.TextField(blank=True, help_text="What changed since the previous version.")
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derivatives",
        help_text="For synthetic versions: the real version the generating model was trained on.",
    )
    class_counts = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(
        default=dict,
        blank=True,
        help_text="Evaluation report of the images (e.g. FID/KID of a synthetic set against its "
        "source), written by the generation app; empty when nothing was measured.",
    )
    image_count = models.PositiveIntegerField(default=0)
    total_bytes = models.PositiveBigIntegerField(default=0)
    archive = models.FileField(max_length=500, blank=True)
    archive_size = models.PositiveBigIntegerField(null=True, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    download_count = models.PositiveIntegerField(default=0)
    publication_hold = models.TextField(
        blank=True,
        help_text="Why this draft may not be published until a curator overrides it (set by a "
        "check such as the quality report's memorization test); empty when nothing holds it.",
    )
    hold_override_reason = models.TextField(
        blank=True, help_text="The curator's written reason for publishing despite the hold."
    )
    hold_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hold_overridden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="unique_version_number")
        ]
        indexes = [
            models.Index(fields=["state", "-published_at"]),
            models.Index(fields=["-download_count"]),
            models.Index(fields=["-view_count"]),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.slug} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        """Refuse to rewrite a published version, whoever calls save().

        This is an integrity guard, not business logic: services, the admin and the shell all
        pass through here, so no door can change what a citation points at.
        """
        if self.pk is not None:
            stored_state = (
                DatasetVersion.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            )
            if stored_state == VersionState.PUBLISHED:
                update_fields = kwargs.get("update_fields")
                if update_fields is None or not set(update_fields) <= self.MUTABLE_AFTER_PUBLISH:
                    raise PublishedVersionError(
                        f"{self.identifier} is published and cannot be changed; "
                        "create a new version instead."
                    )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The version's page; `redirect(version)` and the admin's "view on site" use it."""
        return reverse("datasets:version", args=[self.dataset.slug, self.number])

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise PublishedVersionError(
                f"{self.identifier} is published and cannot be deleted; it stays citable."
            )
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.state == VersionState.PUBLISHED

    @property
    def is_held(self) -> bool:
        """A hold stops publishing until a curator overrides it with a written reason."""
        return bool(self.publication_hold) and not self.hold_override_reason


class Authorship(models.Model):
    """A creator of a version, in citation order."""

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE)
    creator = models.ForeignKey(Creator, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "creator"], name="unique_authorship")
        ]

    def __str__(self) -> str:
        return f"{self.creator} on {self.version_id}"


class ImageRecord(models.Model):
    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="images")
    label = models.ForeignKey(ClassLabel, on_delete=models.PROTECT, related_name="images")
    file = models.FileField(max_length=500)
    original_name = models.CharField(max_length=500, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    origin = models.CharField(
        max_length=10, choices=ImageOrigin.choices, default=ImageOrigin.UPLOADED
    )
    extra = models.JSONField(
        default=dict,
        blank=True,
        help_text='Per-image facts beyond the file, e.g. {"model": ..., "seed": ...} for a '
        "generated image; each key becomes a column of the download's metadata.csv.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "label", "id"]
        indexes = [models.Index(fields=["version", "label"])]

    def __str__(self) -> str:
        return self.file.name


class AccessRequest(models.Model):
    """A user's request for the files of a restricted dataset; its owner or staff decide."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="access_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    message = models.TextField(blank=True, help_text="Who you are and what you need the data for.")
    state = models.CharField(
        max_length=10, choices=AccessState.choices, default=AccessState.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "user"], name="one_access_request_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} -> {self.dataset.slug} ({self.state})"


class VersionHit(models.Model):
    """One counted view or download of a version by one visitor on one day.

    The unique row is what stops a reload, or a resumed download, from counting twice. The
    visitor is a keyed hash of the user id or IP address: no address is stored.
    """

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="hits")
    kind = models.CharField(max_length=10, choices=HitKind.choices)
    visitor = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind", "visitor", "day"], name="one_hit_per_visitor_per_day"
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.version_id} on {self.day}"


class RelatedIdentifier(models.Model):
    """A work outside the portal that a version relates to (the article describing it, the
    study citing it, ...), as DataCite's relatedIdentifier: "<version> <relation> <work>".
    Written through datasets.related_works, on drafts only: a published version is frozen."""

    version = models.ForeignKey(
        DatasetVersion, on_delete=models.CASCADE, related_name="related_identifiers"
    )
    identifier = models.CharField(max_length=500, help_text="e.g. 10.1234/abc, a URL, 31452104")
    identifier_type = models.CharField(
        max_length=10, choices=RelatedIdentifierType.choices, default=RelatedIdentifierType.DOI
    )
    relation_type = models.CharField(
        max_length=24,
        choices=RelationType.choices,
        default="IsDescribedBy",
        help_text="How this version relates to the work: IsDescribedBy the article about it, "
        "IsCitedBy a paper using it, IsSupplementTo the paper it accompanies, ...",
    )
    position = models.PositiveIntegerField(default=0)

    # What a curator states (form, admin inline, API): the rest is the row's place.
    CURATED_FIELDS = ("relation_type", "identifier_type", "identifier")

    class Meta:
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "identifier", "relation_type"], name="unique_related_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.relation_type} {self.identifier_type} {self.identifier}"

    def clean(self) -> None:
        """DOIs are stored bare (10.x/...), whichever way they were pasted; each type's form is
        checked, so DataCite and citation tools receive identifiers they can resolve."""
        if self.identifier and self.identifier_type:
            try:
                self.identifier = normalised_identifier(self.identifier, self.identifier_type)
            except ValueError as error:
                raise ValidationError({"identifier": str(error)}) from error


class FundingReference(models.Model):
    """Who paid for a version's data, as DataCite's fundingReference. Written through
    datasets.related_works, on drafts only."""

    version = models.ForeignKey(
        DatasetVersion, on_delete=models.CASCADE, related_name="funding_references"
    )
    funder_name = models.CharField(max_length=300)
    funder_identifier = models.CharField(
        max_length=300, blank=True, help_text="e.g. https://ror.org/00k4n6c32"
    )
    funder_identifier_type = models.CharField(
        max_length=20, choices=FunderIdentifierType.choices, blank=True
    )
    award_number = models.CharField(max_length=100, blank=True)
    award_title = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    # What a curator states (form, admin inline, API): the rest is the row's place.
    CURATED_FIELDS = (
        "funder_name",
        "funder_identifier",
        "funder_identifier_type",
        "award_number",
        "award_title",
    )

    class Meta:
        ordering = ["version", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.funder_name} {self.award_number}".strip()

    def clean(self) -> None:
        if self.funder_identifier and not self.funder_identifier_type:
            raise ValidationError(
                {"funder_identifier_type": "say which scheme the funder identifier is in"}
            )
