"""Thumbnails are made once: requests racing for the same uncached thumbnail write one file
under its fixed name, and check_integrity removes the extra copies an older race left."""

import copy
import io
import os
import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from datasets.thumbnails import ensure_thumbnail, thumbnail_name
from tests.catalogue import imported_draft
from tests.datasets.uploads import files_under
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def images(tmp_path):
    version = imported_draft(make_user("owner"), tmp_path / "uploads", per_class={"G1": 12})
    return list(version.images.all())


def test_two_requests_for_the_same_uncached_thumbnail_write_one_file(images, media_root):
    names: list[str] = []
    errors: list[BaseException] = []

    def request_thumbnail(image, start: threading.Barrier) -> None:
        start.wait()
        try:
            names.append(ensure_thumbnail(image))
        except BaseException as error:
            errors.append(error)

    for image in images:
        start = threading.Barrier(2)
        # Each request has its own row object, as two web requests do (one shared object
        # would share one open file between the threads).
        racers = [
            threading.Thread(target=request_thumbnail, args=(copy.deepcopy(image), start))
            for _ in "ab"
        ]
        for racer in racers:
            racer.start()
        for racer in racers:
            racer.join()

    assert errors == []
    expected = sorted(thumbnail_name(image) for image in images)
    assert sorted(set(names)) == expected
    written = sorted(
        path.relative_to(media_root).as_posix() for path in files_under(media_root / "thumbnails")
    )
    assert written == expected  # no `-128_XXXXXXX.png` copy, no temporary file left


def test_check_integrity_removes_the_copies_an_old_race_left(images):
    name = ensure_thumbnail(images[0])
    copy = name.removesuffix(".png") + "_Ab3dE9x.png"
    default_storage.save(copy, ContentFile(default_storage.open(name).read()))
    hour_ago = time.time() - 3600
    os.utime(default_storage.path(copy), (hour_ago, hour_ago))
    out = io.StringIO()

    call_command("check_integrity", fix=True, orphan_min_age=60, stdout=out)

    assert f"[fixed] orphan {copy}: no row refers to this file" in out.getvalue()
    assert not default_storage.exists(copy)
    assert default_storage.exists(name)
