"""First-run set-up for `make run`: an admin account, the demo dataset and the demo's training run
(which carries on to a published synthetic version, see generation.demo_pipeline). Safe to run
again: it then only says where to look."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.urls import reverse

from datasets import selectors
from datasets.models import Dataset
from gan_engine.presets import DESCRIPTIONS
from generation import demo_pipeline, services
from generation.models import TrainingRun
from portal.demo import DEMO_SLUG


class Command(BaseCommand):
    help = (
        "On an empty database: a local admin (password printed once), the demo dataset and a "
        "demo training run (DEMO_TRAINING_PRESET) for the worker to pick up, which the demo "
        "carries on to a published synthetic version unless DEMO_PIPELINE=0. Then the URLs to "
        "watch."
    )

    def handle(self, *args, **options) -> None:
        self.ensure_admin()
        if not Dataset.objects.exists():
            self.stdout.write("Building the demo dataset from scikit-image's IHC slide ...")
            call_command("build_demo_dataset", stdout=self.stdout)
            self.start_demo()
        self.show_where_to_look()

    def start_demo(self) -> None:
        """A run the new user can watch progress, and the rest of the demo after it."""
        if TrainingRun.objects.exists():
            return
        dataset = Dataset.objects.get(slug=DEMO_SLUG)
        preset = settings.DEMO_TRAINING_PRESET
        run = services.start_training(
            source_version=selectors.latest_version(dataset=dataset),
            preset=preset,
            overrides={},
            user=dataset.owner,
        )
        self.stdout.write(
            f"Queued demo training run {run.pk} (preset '{preset}': {DESCRIPTIONS[preset]})."
        )
        if demo_pipeline.start(run=run):
            self.stdout.write(
                "Once it is trained, the demo carries on by itself: its model generates "
                f"{settings.DEMO_IMAGES_PER_CLASS} images a class, a quality report measures "
                "them, and the synthetic version is published unless the report holds it "
                "(DEMO_PIPELINE=0 stops after the training). The home page follows each step."
            )

    def show_where_to_look(self) -> None:
        dataset = Dataset.objects.filter(slug=DEMO_SLUG).first()
        if dataset is None:
            return
        base = settings.PORTAL_BASE_URL.rstrip("/")
        lines = [f"  demo dataset:  {base}{reverse('datasets:detail', args=[DEMO_SLUG])}"]
        run = TrainingRun.objects.filter(source_version__dataset=dataset).order_by("pk").first()
        if run is not None:
            lines.append(f"  its training:  {base}{reverse('generation:run', args=[run.pk])}")
        lines.append(f"  admin:         {base}{reverse('admin:index')}")
        self.stdout.write("Where to look:\n" + "\n".join(lines))

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
