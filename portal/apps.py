import os

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        """Create the folders of the embedded default so a fresh clone runs with no set-up, and
        register the settings checks (portal.checks)."""
        from django.conf import settings

        from portal import checks  # noqa: F401 (registers the checks)

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        # whitenoise warns at start when STATIC_ROOT is missing, even while it serves from finders.
        os.makedirs(settings.STATIC_ROOT, exist_ok=True)
        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            for key in ("data_folder_in", "control_folder"):
                os.makedirs(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key], exist_ok=True)
