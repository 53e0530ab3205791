"""A publication hold (e.g. memorization found by the quality report) stops publishing until a
curator overrides it with a written reason, which is stored with the version."""

import pytest
from django.core.exceptions import PermissionDenied

from datasets.exceptions import PublishRefused
from datasets.services import hold_publication, override_publication_hold, publish_version
from tests.catalogue import imported_draft
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FINDING = "42% of the images are closer to a training image than real images are to each other."
REASON = "Reviewed the closest pairs: they are tissue background, not patient structures."


@pytest.fixture
def held(tmp_path):
    owner = make_user("owner")
    version = imported_draft(owner, tmp_path)
    hold_publication(version=version, reason=FINDING)
    return owner, version


def test_a_held_draft_is_refused_with_the_finding(held):
    owner, version = held

    with pytest.raises(PublishRefused) as refusal:
        publish_version(version=version, user=owner)

    assert refusal.value.problems == [
        f"publication is held: {FINDING} A curator may override the hold with a written reason."
    ]
    version.refresh_from_db()
    assert not version.is_published


def test_an_override_with_a_reason_lets_it_publish_and_keeps_who_and_why(held):
    owner, version = held

    override_publication_hold(version=version, user=owner, reason=f"  {REASON} ")
    published = publish_version(version=version, user=owner)

    assert published.is_published
    assert published.publication_hold == FINDING
    assert published.hold_override_reason == REASON
    assert published.hold_overridden_by == owner
    assert published.hold_overridden_at is not None


def test_an_override_needs_a_real_reason_and_an_editor(held):
    owner, version = held

    with pytest.raises(PublishRefused, match="at least 20 characters"):
        override_publication_hold(version=version, user=owner, reason="ok")
    with pytest.raises(PermissionDenied):
        override_publication_hold(version=version, user=make_user("other"), reason=REASON)

    version.refresh_from_db()
    assert version.is_held


def test_a_new_finding_replaces_an_earlier_override(held):
    owner, version = held
    override_publication_hold(version=version, user=owner, reason=REASON)

    hold_publication(version=version, reason="A later report found 60% memorized.")

    assert version.is_held
    assert version.hold_override_reason == ""
    with pytest.raises(PublishRefused):
        publish_version(version=version, user=owner)


def test_releasing_the_hold_and_overriding_nothing(tmp_path):
    owner = make_user("owner")
    version = imported_draft(owner, tmp_path)

    with pytest.raises(PublishRefused, match="no publication hold"):
        override_publication_hold(version=version, user=owner, reason=REASON)
    hold_publication(version=version, reason=FINDING)
    hold_publication(version=version, reason="")

    assert publish_version(version=version, user=owner).is_published
