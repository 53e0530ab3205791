"""Vocabularies of the generation app, importable by every layer."""

from django.db import models


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)
FINAL_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


class DemoStage(models.TextChoices):
    """Where the demo of a fresh `make run` stands (generation.demo_pipeline)."""

    TRAINING = "training", "Training"
    GENERATING = "generating", "Generating"
    ASSESSING = "assessing", "Quality report"
    PUBLISHED = "published", "Published"
    HELD = "held", "Held"
