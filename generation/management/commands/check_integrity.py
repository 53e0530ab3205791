"""`manage.py check_integrity [--fix]`: rows against files, files against rows, stuck work."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from generation.integrity import check_all


class Command(BaseCommand):
    help = (
        "Find rows whose files are missing, files with no row, sha256 mismatches and runs or "
        "jobs whose worker is gone; --fix repairs what can be repaired without losing data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fix", action="store_true", help="Repair what can be repaired.")
        parser.add_argument(
            "--no-hashes",
            action="store_true",
            help="Check that files exist without reading them (fast on a large bucket).",
        )
        parser.add_argument(
            "--orphan-min-age",
            type=int,
            default=6 * 3600,
            metavar="SECONDS",
            help="Only files older than this count as orphans, so an import still writing its "
            "rows is never mistaken for garbage (default: 6 hours).",
        )

    def handle(self, *args, fix: bool, no_hashes: bool, orphan_min_age: int, **options) -> None:
        report = check_all(
            fix=fix, hashes=not no_hashes, orphan_min_age=timedelta(seconds=orphan_min_age)
        )
        self.stdout.write(report.summary())
        if report.left:
            raise CommandError(f"{len(report.left)} problem(s) left; see above")
