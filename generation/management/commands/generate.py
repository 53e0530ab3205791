"""`manage.py generate COUNT [MODEL_ID] [--class NAME ...] [--seed S] [--wait|--sync]`.

As the paper's `python generate.py 1000 5`: COUNT images per class with model MODEL_ID (default:
the newest model) into a new draft synthetic dataset version, whose identifier it prints.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from generation import selectors, services
from generation.exceptions import GenerationRejected
from generation.management.waiting import add_mode_arguments, follow
from generation.models import GenerationJob
from generation.workflows.generating import run_generation
from portal.management.owners import owner_named


class Command(BaseCommand):
    help = "Generate COUNT synthetic images per class with a trained model."

    def add_arguments(self, parser) -> None:
        parser.add_argument("count", type=int, help="images per class")
        parser.add_argument("model_id", type=int, nargs="?", help="default: the newest model")
        parser.add_argument(
            "--class", dest="classes", action="append", help="a class to generate (repeatable)"
        )
        parser.add_argument("--seed", type=int, help="base seed (default: random, recorded)")
        parser.add_argument("--owner", help="username (default: first superuser)")
        add_mode_arguments(parser, doing="generate")

    def handle(self, *args, **options) -> None:
        try:
            model = selectors.model_for_generation(model_id=options["model_id"])
            job = services.start_generation(
                model=model,
                count_per_class=options["count"],
                classes=options["classes"],
                seed=options["seed"],
                user=owner_named(options["owner"]),
                enqueue=not options["sync"],
            )
        except (GenerationRejected, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Generation job {job.pk} queued: {job.count_per_class} per class of "
            f"{', '.join(job.class_names)} with {model} (seed {job.base_seed})"
        )
        job = follow(
            GenerationJob, job.pk, run_generation, options=options, unit="img", stderr=self.stderr
        )
        if job is not None:
            self.stdout.write(job.result_version.identifier)
