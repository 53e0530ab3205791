"""`manage.py quality_report VERSION_ID [--seed N] [--owner USER] [--wait|--sync]`.

Queues the quality report of a synthetic dataset version (fidelity, diversity, memorization,
usefulness) and prints its id; with --wait or --sync, draws its progress until it ends and
prints the headline figures.
"""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from datasets.models import DatasetVersion
from generation import services
from generation.exceptions import GenerationRejected
from generation.management.waiting import add_mode_arguments, follow
from generation.models import QualityReport
from generation.workflows.quality_reports import run_quality_report
from portal.management.owners import owner_named


class Command(BaseCommand):
    help = "Assess a synthetic dataset version against the real version it was made from."

    def add_arguments(self, parser) -> None:
        parser.add_argument("version_id", type=int, help="id of the synthetic dataset version")
        parser.add_argument("--seed", type=int, help="default: settings.QUALITY_SEED")
        parser.add_argument("--owner", help="username (default: first superuser)")
        add_mode_arguments(parser, doing="assess")

    def handle(self, *args, **options) -> None:
        version_id = options["version_id"]
        version = DatasetVersion.objects.select_related("dataset").filter(pk=version_id).first()
        if version is None:
            raise CommandError(f"unknown dataset version id {version_id}")
        try:
            report = services.start_quality_report(
                version=version,
                user=owner_named(options["owner"]),
                seed=options["seed"],
                enqueue=not options["sync"],
            )
        except (GenerationRejected, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Quality report {report.pk} queued: {version.identifier} against "
            f"{report.source_version.identifier} (seed {report.seed})"
        )
        report = follow(
            QualityReport,
            report.pk,
            run_quality_report,
            options=options,
            unit="phase",
            stderr=self.stderr,
        )
        if report is not None:
            self.stdout.write(summary(report))


def summary(report: QualityReport) -> str:
    """Memorization verdict and the usefulness gain, in two lines."""
    usefulness = report.report["usefulness"]
    verdict = "HELD from publishing" if report.flagged else "passes"
    return (
        f"memorized share {report.memorized_share:.1%} (limit "
        f"{report.memorization_threshold:.0%}): {verdict}\n"
        f"usefulness: accuracy gain {usefulness['accuracy_gain']:+.3f}, macro-F1 gain "
        f"{usefulness['macro_f1_gain']:+.3f} (real + synthetic over real only)"
    )
