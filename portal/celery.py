"""The Celery application: the portal's distributed engine for training and generation.

Queues: `gpu` (training, generation: one task at a time per GPU host) and `default` (light work
such as archive building). Settings come from Django's settings under the CELERY_ prefix.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

import portal.parent_watch  # noqa: E402,F401  (connects the watchdog to worker start)
