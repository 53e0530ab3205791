"""Curator's admin of the catalogue: search, filters, thumbnails, read-only published versions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from datasets import related_works, selectors, services
from datasets.exceptions import CurationRefused, PublishRefused
from datasets.models import (
    AccessRequest,
    Authorship,
    ClassLabel,
    Creator,
    Dataset,
    DatasetVersion,
    FundingReference,
    ImageRecord,
    License,
    RelatedIdentifier,
    VisibilityChange,
)


def thumbnail_tag(image: ImageRecord, size: int = 64) -> str:
    url = reverse("datasets:image-thumbnail", args=[image.pk])
    return format_html(
        '<img src="{}" width="{}" height="{}" loading="lazy" alt="{}" '
        'style="image-rendering:pixelated">',
        url,
        size,
        size,
        image.original_name,
    )


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = [
        "spdx_id",
        "name",
        "requires_attribution",
        "non_commercial",
        "share_alike",
    ]
    list_filter = ["requires_attribution", "non_commercial", "share_alike"]
    search_fields = ["spdx_id", "name"]


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = ["name", "orcid", "affiliation"]
    search_fields = ["name", "orcid", "affiliation"]


class ClassLabelInline(admin.TabularInline):
    model = ClassLabel
    extra = 0
    fields = ["position", "name", "description"]


class VersionInline(admin.TabularInline):
    model = DatasetVersion
    extra = 0
    fields = ["number", "state", "identifier", "license", "image_count", "published_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class VisibilityChangeInline(admin.TabularInline):
    """The dataset's visibility history, read-only: changes are made on the visibility page."""

    model = VisibilityChange
    extra = 0
    fields = ["changed_at", "changed_by", "from_visibility", "to_visibility"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "visibility history"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "kind",
        "modality",
        "organ",
        "visibility",
        "owner",
        "featured",
        "created_at",
    ]
    list_filter = ["kind", "modality", "visibility", "featured"]
    search_fields = ["title", "slug", "description", "organ", "classes__name"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["collaborators"]
    # Rows the services write, with their checks: the form shows them, save_related applies them.
    SERVICE_FIELDS = ("collaborators",)
    inlines = [ClassLabelInline, VersionInline, VisibilityChangeInline]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        """A dataset's visibility is chosen when it is added and changed afterwards only on its
        visibility page, which records the change: here it shows with a link there. Its slug
        is fixed once a version is published: it is part of that version's identifier and of
        its files' storage names."""
        if obj is None:
            return list(self.readonly_fields)
        fixed = ["slug"] if selectors.has_published_version(dataset=obj) else []
        return [*self.readonly_fields, *fixed, "visibility_link"]

    def get_prepopulated_fields(self, request, obj=None) -> dict:
        if obj is not None and selectors.has_published_version(dataset=obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_exclude(self, request, obj=None) -> list[str]:
        return ["visibility"] if obj is not None else []

    @admin.display(description="visibility")
    def visibility_link(self, dataset: Dataset) -> str:
        return format_html(
            '{} (<a href="{}">change it on its visibility page</a>)',
            dataset.get_visibility_display(),
            reverse("datasets:visibility", args=[dataset.slug]),
        )

    def save_related(self, request, form, formsets, change) -> None:
        """Collaborators through the service (its checks: active account, not the owner), and
        the search text after the classes are saved too: the search matches class names."""
        wanted = form.cleaned_data.pop("collaborators", None)
        super().save_related(request, form, formsets, change)
        dataset = form.instance
        if wanted is not None:
            self._save_collaborators(request, dataset, set(wanted))
        services.refresh_search_text(dataset=dataset)

    def _save_collaborators(self, request, dataset: Dataset, wanted: set) -> None:
        current = set(dataset.collaborators.all())
        for user in current - wanted:
            services.remove_collaborator(dataset=dataset, user=request.user, collaborator=user)
        for user in wanted - current:
            try:
                services.add_collaborator(
                    dataset=dataset, user=request.user, username=user.get_username()
                )
            except (CurationRefused, PermissionDenied) as refusal:
                self.message_user(request, f"{dataset.slug}: {refusal}", messages.ERROR)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    autocomplete_fields = ["creator"]


class RelatedIdentifierInline(admin.TabularInline):
    model = RelatedIdentifier
    extra = 0
    fields = RelatedIdentifier.CURATED_FIELDS


class FundingReferenceInline(admin.TabularInline):
    model = FundingReference
    extra = 0
    fields = FundingReference.CURATED_FIELDS


@admin.register(DatasetVersion)
class DatasetVersionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "identifier",
        "state",
        "license",
        "image_count",
        "download_count",
        "created_at",
        "published_at",
    ]
    list_filter = ["state", "license", "dataset__kind", "dataset__modality"]
    search_fields = ["identifier", "dataset__title", "dataset__slug"]
    list_select_related = ["dataset", "license"]
    inlines = [AuthorshipInline, RelatedIdentifierInline, FundingReferenceInline]
    actions = ["publish", "build_archives"]
    # The state changes only through the publish action, which checks, dates and archives.
    readonly_fields = [
        "gallery",
        "state",
        "identifier",
        "class_counts",
        "image_count",
        "total_bytes",
        "archive",
        "archive_size",
        "archive_sha256",
        "view_count",
        "download_count",
        "created_at",
        "published_at",
    ]

    GALLERY_SIZE = 24

    @admin.display(description="Images")
    def gallery(self, version: DatasetVersion) -> str:
        """The first thumbnails and a link to all images: an inline of thousands would not load."""
        images = version.images.select_related("label")[: self.GALLERY_SIZE]
        all_url = (
            reverse("admin:datasets_imagerecord_changelist") + f"?version__id__exact={version.pk}"
        )
        thumbs = format_html_join(" ", "{}", ((thumbnail_tag(image),) for image in images))
        return format_html(
            '{}<p><a href="{}">All {} images</a></p>',
            thumbs,
            all_url,
            version.image_count,
        )

    def get_readonly_fields(self, request, obj=None):
        """A published version is shown, never edited: every field is read-only."""
        if obj is not None and obj.is_published:
            return ["gallery", *(field.name for field in obj._meta.fields)]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not obj.is_published

    @admin.action(description="Publish the selected drafts")
    def publish(self, request, queryset) -> None:
        for version in queryset.select_related("dataset"):
            try:
                services.publish_version(version=version, user=request.user)
            except PublishRefused as refusal:
                self.message_user(request, f"{version}: {refusal}", messages.ERROR)
            else:
                self.message_user(request, f"Published {version.identifier}.")

    @admin.action(description="Build the ZIP of the selected published versions (if missing)")
    def build_archives(self, request, queryset) -> None:
        queued = services.queue_missing_archives(versions=queryset)
        self.message_user(request, f"Queued {queued} archive builds.")

    def get_inlines(self, request, obj):
        if obj is not None and obj.is_published:
            return []
        return self.inlines

    def save_formset(self, request, form, formset, change) -> None:
        """Related works and funding are written through their service, which checks the
        editor and the draft, like the curation page."""
        if formset.model not in (RelatedIdentifier, FundingReference):
            return super().save_formset(request, form, formset, change)
        items = formset.save(commit=False)
        for item in formset.deleted_objects:
            related_works.remove(item=item, user=request.user)
        for item in items:
            related_works.save(item=item, user=request.user)
        return None


@admin.register(ImageRecord)
class ImageRecordAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "original_name",
        "label",
        "version",
        "width",
        "height",
        "origin",
        "created_at",
    ]
    list_filter = ["origin", "label__name", "version__dataset", "version"]
    search_fields = ["original_name", "sha256", "file"]
    list_select_related = ["label", "version__dataset"]
    readonly_fields = [
        "thumbnail",
        "version",
        "label",
        "file",
        "original_name",
        "width",
        "height",
        "size_bytes",
        "sha256",
        "origin",
        "created_at",
    ]
    list_per_page = 60

    @admin.display(description="Image")
    def thumbnail(self, image: ImageRecord) -> str:
        return thumbnail_tag(image, size=96)

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["dataset", "user", "state", "created_at", "decided_at", "decided_by"]
    list_filter = ["state"]
    search_fields = ["dataset__title", "dataset__slug", "user__username"]
    list_select_related = ["dataset", "user", "decided_by"]
    readonly_fields = ["dataset", "user", "message", "created_at", "decided_at", "decided_by"]
