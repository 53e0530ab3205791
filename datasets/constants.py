"""Vocabularies of the catalogue, importable by every layer (models, services, views, API)."""

from django.db import models


class Modality(models.TextChoices):
    HISTOLOGY = "histology", "Histology (H&E)"
    IHC = "ihc", "Immunohistochemistry"
    CYTOLOGY = "cytology", "Cytology"
    FUNDUS = "fundus", "Fundus photography"
    DERMOSCOPY = "dermoscopy", "Dermoscopy"
    MICROSCOPY = "microscopy", "Fluorescence / light microscopy"
    RADIOLOGY = "radiology", "Radiology"
    OTHER = "other", "Other"


class DatasetKind(models.TextChoices):
    REAL = "real", "Real images"
    SYNTHETIC = "synthetic", "Synthetic images"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    RESTRICTED = "restricted", "Restricted (metadata public, files on approved request)"
    PRIVATE = "private", "Private"


class VersionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class ImageOrigin(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    GENERATED = "generated", "Generated"


class AccessState(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class HitKind(models.TextChoices):
    VIEW = "view", "Page view"
    DOWNLOAD = "download", "ZIP download"


class SortOrder(models.TextChoices):
    NEWEST = "newest", "Newest"
    DOWNLOADS = "downloads", "Most downloaded"
    VIEWS = "views", "Most viewed"
    TITLE = "title", "Title (A-Z)"


# Path segments of /datasets/<slug>/ that name pages, not datasets: no dataset may take them.
RESERVED_SLUGS = frozenset({"new", "images", "access-requests"})

# Longest search query taken, by the pages (which cut it) and the API (which refuses it).
MAX_QUERY_LENGTH = 200
