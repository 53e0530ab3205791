"""The catalogue's service for a generation job's draft: the same slug rules as an import, so a
synthetic dataset never takes a reserved or used slug (the slug becomes the identifier)."""

import pytest

from datasets.constants import DatasetKind, VersionState
from datasets.services import create_synthetic_draft, record_version_metrics
from tests.catalogue import imported_draft
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def draft(source, owner, slug_base):
    return create_synthetic_draft(
        source=source,
        slug_base=slug_base,
        title=f"Synthetic {source.dataset.title}",
        description="made by a test",
        owner=owner,
        class_names=["benign", "malignant"],
    )


def test_a_synthetic_draft_named_like_a_reserved_slug_gets_a_free_one(tmp_path):
    owner = make_user("jdoe")
    source = imported_draft(owner, tmp_path / "uploads")

    version = draft(source, owner, "New")

    assert version.dataset.slug == "new-2"
    assert version.identifier.endswith("/new-2.v1")
    assert version.dataset.kind == DatasetKind.SYNTHETIC
    assert version.state == VersionState.DRAFT
    assert version.derived_from == source
    assert list(version.dataset.classes.values_list("name", flat=True)) == ["benign", "malignant"]


def test_a_synthetic_draft_never_takes_a_used_slug(tmp_path):
    owner = make_user("jdoe")
    source = imported_draft(owner, tmp_path / "uploads")

    first = draft(source, owner, f"{source.dataset.slug}-synthetic")
    second = draft(source, owner, f"{source.dataset.slug}-synthetic")

    assert second.dataset.slug == f"{first.dataset.slug}-2"


def test_metrics_are_merged_into_a_draft_and_never_change_a_published_version(tmp_path):
    owner = make_user("jdoe")
    source = imported_draft(owner, tmp_path / "uploads")
    version = draft(source, owner, "tiles-synthetic")

    record_version_metrics(version=version, metrics={"kid": 0.1}, description="card")
    record_version_metrics(version=version, metrics={"quality": {"ok": True}})

    version.refresh_from_db()
    assert version.metrics == {"kid": 0.1, "quality": {"ok": True}}
    assert version.description == "card"
