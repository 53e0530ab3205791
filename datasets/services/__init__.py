"""Writes to the catalogue, one module per sub-domain; every door imports them from here.

The rules live in these functions, and the doors only translate arguments in and
ImportRejected, PublishRefused, CurationRefused, PermissionDenied out.
"""

from datasets.exceptions import ImportRejected
from datasets.services.access import decide_access_request, request_access
from datasets.services.archive import build_archive
from datasets.services.collaborators import add_collaborator, remove_collaborator
from datasets.services.counters import record_hit, visitor_key
from datasets.services.creators import CreatorSpec, add_creators, creator_for_user
from datasets.services.entry import (
    change_visibility,
    refresh_search_text,
    update_draft,
    version_identifier,
)
from datasets.services.images import (
    IMAGE_BATCH_SIZE,
    NewImage,
    Progress,
    StoredImages,
    delete_stored_files,
    store_images,
)
from datasets.services.imports import ImportResult, import_dataset
from datasets.services.publication import (
    MIN_OVERRIDE_REASON,
    hold_publication,
    override_publication_hold,
    publish_version,
    queue_missing_archives,
)
from datasets.services.synthetic import create_synthetic_draft, record_version_metrics
from datasets.services.versions import new_draft_version

__all__ = [
    "CreatorSpec",
    "IMAGE_BATCH_SIZE",
    "ImportRejected",
    "ImportResult",
    "MIN_OVERRIDE_REASON",
    "NewImage",
    "Progress",
    "StoredImages",
    "add_collaborator",
    "add_creators",
    "build_archive",
    "change_visibility",
    "create_synthetic_draft",
    "creator_for_user",
    "decide_access_request",
    "delete_stored_files",
    "hold_publication",
    "import_dataset",
    "new_draft_version",
    "override_publication_hold",
    "publish_version",
    "queue_missing_archives",
    "record_hit",
    "record_version_metrics",
    "refresh_search_text",
    "remove_collaborator",
    "request_access",
    "store_images",
    "update_draft",
    "version_identifier",
    "visitor_key",
]
