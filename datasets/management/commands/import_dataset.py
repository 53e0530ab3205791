"""`manage.py import_dataset PATH --title T --license SPDX`: the command-line door to the import.

The rules live in datasets.services.import_dataset; this shell parses arguments, shows progress
and prints the new version's identifier as the last line of stdout, for scripts to capture.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from datasets.constants import Modality, Visibility
from datasets.services import CreatorSpec, ImportRejected, ImportResult, Progress, import_dataset
from portal.management.owners import owner_named


class Command(BaseCommand):
    help = (
        "Import a ZIP or folder of class folders of images (PNG, JPEG, TIFF, BMP) as a new "
        "dataset with a draft version 1. Prints the version's identifier last."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="a .zip file or a folder of class folders")
        parser.add_argument("--title", required=True)
        parser.add_argument("--license", required=True, help="SPDX id, e.g. CC-BY-4.0")
        parser.add_argument(
            "--creator",
            action="append",
            default=[],
            help='"Name|ORCID|Affiliation" (ORCID and affiliation optional); repeat in order',
        )
        parser.add_argument("--modality", choices=Modality.values, default=Modality.OTHER)
        parser.add_argument("--organ", default="")
        parser.add_argument("--visibility", choices=Visibility.values, default=Visibility.PRIVATE)
        parser.add_argument("--description", default="")
        parser.add_argument("--keywords", default="", help="comma-separated")
        parser.add_argument("--version-description", default="", help="the version's data card")
        parser.add_argument("--owner", help="username of the owner (default: first superuser)")
        parser.add_argument("--slug", help="default: made from the title")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="leave out (and list) non-image and corrupt files instead of refusing the import",
        )

    def handle(self, *args, **options) -> None:
        try:
            creators = [CreatorSpec.parse(text) for text in options["creator"]]
            with progress_bar() as progress:
                result = import_dataset(
                    source=options["path"],
                    title=options["title"],
                    license_spdx=options["license"],
                    owner=owner_named(options["owner"]),
                    creators=creators,
                    modality=options["modality"],
                    organ=options["organ"],
                    visibility=options["visibility"],
                    description=options["description"],
                    keywords=options["keywords"].split(","),
                    version_description=options["version_description"],
                    slug=options["slug"],
                    skip_invalid=options["skip_invalid"],
                    progress=progress,
                )
        except ImportRejected as error:
            raise CommandError(str(error)) from error
        self.report(result)

    def report(self, result: ImportResult) -> None:
        for line in result.skipped:
            self.stderr.write(f"skipped {line}")
        version = result.version
        classes = ", ".join(f"{name} {count}" for name, count in version.class_counts.items())
        self.stdout.write(
            f"Imported {version.image_count} images ({version.total_bytes} bytes) into "
            f"'{version.dataset.slug}', draft version {version.number}; classes: {classes}"
            + (f"; {len(result.skipped)} files skipped" if result.skipped else "")
        )
        self.stdout.write(version.identifier)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A bar on stderr that appears only once an import has run for a second.

    It shows a percentage, not counts: each file is one step when checked and one when stored.
    """
    bar = tqdm(
        desc="checking and storing",
        total=0,
        delay=1,
        file=sys.stderr,
        leave=False,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
    )

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()
