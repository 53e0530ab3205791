"""First-run set-up for `make run`: an admin account and the demo dataset. Safe to run again."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from datasets.models import Dataset


class Command(BaseCommand):
    help = "Create a local admin (password printed once) and the demo dataset on an empty database."

    def handle(self, *args, **options) -> None:
        self.ensure_admin()
        if not Dataset.objects.exists():
            self.stdout.write("Building the demo dataset from scikit-image's IHC slide ...")
            call_command("build_demo_dataset", stdout=self.stdout)

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
