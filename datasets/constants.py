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


class RelatedIdentifierType(models.TextChoices):
    """The kinds of identifier DataCite (schema 4.5) accepts for a related work."""

    DOI = "DOI", "DOI"
    URL = "URL", "URL"
    PMID = "PMID", "PubMed id"
    ARXIV = "arXiv", "arXiv id"
    HANDLE = "Handle", "Handle"
    ISBN = "ISBN", "ISBN"
    ISSN = "ISSN", "ISSN"
    URN = "URN", "URN"
    ARK = "ARK", "ARK"
    PURL = "PURL", "PURL"
    W3ID = "w3id", "w3id"


# DataCite's relation types (schema 4.5), as "<this version> <relation> <the related work>".
# IsVersionOf, HasVersion and IsDerivedFrom of the portal's own versions are stated by the
# portal itself; curators add the works outside it.
RELATION_TYPES = [
    "IsCitedBy",
    "Cites",
    "IsSupplementTo",
    "IsSupplementedBy",
    "IsContinuedBy",
    "Continues",
    "IsDescribedBy",
    "Describes",
    "HasMetadata",
    "IsMetadataFor",
    "HasVersion",
    "IsVersionOf",
    "IsNewVersionOf",
    "IsPreviousVersionOf",
    "IsPartOf",
    "HasPart",
    "IsPublishedIn",
    "IsReferencedBy",
    "References",
    "IsDocumentedBy",
    "Documents",
    "IsCompiledBy",
    "Compiles",
    "IsVariantFormOf",
    "IsOriginalFormOf",
    "IsIdenticalTo",
    "IsReviewedBy",
    "Reviews",
    "IsDerivedFrom",
    "IsSourceOf",
    "IsRequiredBy",
    "Requires",
    "IsObsoletedBy",
    "Obsoletes",
    "Collects",
    "IsCollectedBy",
]
RelationType = models.TextChoices("RelationType", [(name, name) for name in RELATION_TYPES])


class FunderIdentifierType(models.TextChoices):
    """DataCite's funder identifier schemes."""

    CROSSREF = "Crossref Funder ID", "Crossref Funder ID"
    ROR = "ROR", "ROR"
    GRID = "GRID", "GRID"
    ISNI = "ISNI", "ISNI"
    OTHER = "Other", "Other"
