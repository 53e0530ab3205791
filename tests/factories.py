"""Small builders of real catalogue rows and files for tests (no mocks: real DB, real storage)."""

import hashlib
import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from datasets.models import ClassLabel, Dataset, DatasetVersion, ImageRecord, License


def make_user(username: str = "curator", *, staff: bool = False):
    return get_user_model().objects.create_user(
        username=username, password="a-long-test-password", is_staff=staff, is_superuser=staff
    )


def png_bytes(color: tuple[int, int, int], size: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, format="PNG")
    return buffer.getvalue()


def make_version(
    *, owner, slug: str = "demo", visibility: str = "public", classes=("a", "b"), per_class: int = 2
) -> DatasetVersion:
    """A draft version of a new dataset with `per_class` small PNGs stored in each class."""
    dataset = Dataset.objects.create(
        slug=slug, title=slug.title(), owner=owner, visibility=visibility
    )
    version = DatasetVersion.objects.create(
        dataset=dataset,
        number=1,
        identifier=f"10.5072/{slug}.v1",
        license=License.objects.get(spdx_id="CC-BY-4.0"),
    )
    for position, name in enumerate(classes):
        label = ClassLabel.objects.create(dataset=dataset, name=name, position=position)
        for index in range(per_class):
            data = png_bytes((40 * position, 10 * index, 200))
            stored = default_storage.save(f"test/{slug}/{name}/{index}.png", ContentFile(data))
            ImageRecord.objects.create(
                version=version,
                label=label,
                file=stored,
                original_name=f"{name}/{index}.png",
                width=16,
                height=16,
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
    version.image_count = len(classes) * per_class
    version.save()
    return version
