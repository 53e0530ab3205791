"""An uploaded archive as a file on disk under the name its sender gave it.

import_dataset reads a path, and its refusals name the archive by that path's file name: under
the upload handler's temporary name (`tmp8ldy1r_8.zip`) they would name a file the user never
saw. Large uploads are already on disk and are hard-linked (a ZIP may be gigabytes); small ones
live in memory and are written out.
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile


@contextmanager
def named_upload(upload: UploadedFile) -> Iterator[Path]:
    """The upload at `<a new temporary folder>/<its sender's file name>`, removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        name = Path(upload.name or "").name
        path = Path(folder) / (name if name not in ("", ".", "..") else "upload.zip")
        if hasattr(upload, "temporary_file_path"):
            os.link(upload.temporary_file_path(), path)
        else:
            with path.open("wb") as copy:
                for chunk in upload.chunks():
                    copy.write(chunk)
        yield path
