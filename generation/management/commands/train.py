"""`manage.py train --dataset SLUG [--preset P] [--iterations N] [--wait | --sync]`."""

import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from gan_engine.presets import DEFAULT_PRESET, DESCRIPTIONS
from generation import selectors, services
from generation.exceptions import GenerationRejected
from generation.management.waiting import add_mode_arguments, follow
from generation.models import TrainingRun
from generation.workflows.training import run_training
from portal.management.owners import owner_named


class Command(BaseCommand):
    help = "Train a class-conditional GAN on a dataset version (queue 'gpu', or --sync here)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dataset", required=True, help="slug of the source dataset")
        parser.add_argument("--dataset-version", type=int, help="version number (default: latest)")
        parser.add_argument(
            "--preset",
            default=DEFAULT_PRESET,
            help=f"engine recipe, one of {', '.join(DESCRIPTIONS)} (default: {DEFAULT_PRESET})",
        )
        parser.add_argument("--iterations", type=int)
        parser.add_argument("--eval-every", type=int)
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=JSON",
            help="any other engine setting, e.g. --set batch_size=64",
        )
        parser.add_argument("--owner", help="username (default: first superuser)")
        add_mode_arguments(parser, doing="train")

    def handle(self, *args, **options) -> None:
        overrides = parse_settings(options["set"])
        if options["iterations"] is not None:
            overrides["iterations"] = options["iterations"]
        if options["eval_every"] is not None:
            overrides["eval_every"] = options["eval_every"]
        try:
            version = selectors.version_for_training(
                slug=options["dataset"], number=options["dataset_version"]
            )
            run = services.start_training(
                source_version=version,
                preset=options["preset"],
                overrides=overrides,
                user=owner_named(options["owner"]),
                enqueue=not options["sync"],
            )
        except (GenerationRejected, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Training run {run.pk} queued ({run.preset}, {version.identifier})")
        run = follow(
            TrainingRun, run.pk, run_training, options=options, unit="it", stderr=self.stderr
        )
        if run is not None:
            self.stdout.write(f"Model {run.model.pk}: {run.model}")


def parse_settings(pairs: list[str]) -> dict[str, object]:
    """KEY=VALUE pairs, VALUE as JSON where it parses (numbers, booleans) else as a string."""
    overrides: dict[str, object] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"--set {pair!r}: expected KEY=VALUE")
        try:
            overrides[key] = json.loads(raw)
        except json.JSONDecodeError:
            overrides[key] = raw
    return overrides
