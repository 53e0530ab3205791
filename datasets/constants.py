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
