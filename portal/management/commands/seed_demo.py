"""First-run set-up for `make run`: an admin account and the demo dataset. Safe to run again."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from datasets import selectors
from datasets.models import Dataset
from generation import services
from generation.models import TrainingRun
from portal.demo import DEMO_SLUG


class Command(BaseCommand):
    help = (
        "On an empty database: a local admin (password printed once), the demo dataset and a "
        "demo training run of the 'small' preset for the worker to pick up."
    )

    def handle(self, *args, **options) -> None:
        self.ensure_admin()
        if Dataset.objects.exists():
            return
        self.stdout.write("Building the demo dataset from scikit-image's IHC slide ...")
        call_command("build_demo_dataset", stdout=self.stdout)
        self.start_demo_training()

    def start_demo_training(self) -> None:
        """A run the new user can watch progress, then turn into a model and generate from."""
        if TrainingRun.objects.exists():
            return
        dataset = Dataset.objects.get(slug=DEMO_SLUG)
        run = services.start_training(
            source_version=selectors.latest_version(dataset=dataset),
            preset="small",
            overrides={},
            user=dataset.owner,
        )
        self.stdout.write(f"Queued demo training run {run.pk} (preset 'small', about 15 minutes).")

    def ensure_admin(self) -> None:
        users = get_user_model().objects
        if users.filter(is_superuser=True).exists():
            return
        username = os.environ.get("PORTAL_ADMIN_USER", "admin")
        password = os.environ.get("PORTAL_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        shown = "from PORTAL_ADMIN_PASSWORD" if "PORTAL_ADMIN_PASSWORD" in os.environ else password
        self.stdout.write(
            self.style.WARNING(
                f"Created the admin account '{username}' with password: {shown}\n"
                "It is shown only this once; change it at /admin/password_change/."
            )
        )
