"""Build the demo source set from a real IHC slide that ships with scikit-image, import it and
publish it (so that a visitor of a fresh `make run` finds it, its gallery and its ZIP).

The portal lives in `portal/` because it joins two layers that must not know each other: the
tile builder in `gan_engine.demo_data` and the catalogue's import service.
"""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from datasets.constants import Modality, Visibility
from datasets.models import Dataset
from datasets.services import CreatorSpec, ImportRejected, import_dataset, publish_version
from gan_engine.demo_data import write_ihc_demo_set
from portal.demo import DEMO_DATA_CARD, DEMO_DESCRIPTION, DEMO_KEYWORDS, DEMO_SLUG
from portal.management.owners import owner_named


class Command(BaseCommand):
    help = (
        "Build the 3-class IHC demo set from scikit-image's immunohistochemistry() and import it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--owner", help="username of the owner (default: first superuser)")
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when the demo set exists"
        )

    def handle(self, *args, owner=None, if_missing=False, **options) -> None:
        if Dataset.objects.filter(slug=DEMO_SLUG).exists():
            if if_missing:
                return
            raise CommandError(f"The demo dataset '{DEMO_SLUG}' exists already.")
        with tempfile.TemporaryDirectory(prefix="demo-ihc-") as tmp:
            counts = write_ihc_demo_set(Path(tmp))
            owner = owner_named(owner)
            try:
                result = import_dataset(
                    source=Path(tmp),
                    title="IHC colon tiles by DAB stain (demo)",
                    slug=DEMO_SLUG,
                    license_spdx="CC0-1.0",
                    owner=owner,
                    creators=[CreatorSpec(name="scikit-image contributors")],
                    modality=Modality.IHC,
                    organ="colon",
                    visibility=Visibility.PUBLIC,
                    description=DEMO_DESCRIPTION,
                    keywords=DEMO_KEYWORDS,
                    version_description=DEMO_DATA_CARD.format(counts=counts),
                )
            except ImportRejected as error:
                raise CommandError(str(error)) from error
        publish_version(version=result.version, user=owner)
        self.stdout.write(result.version.identifier)
