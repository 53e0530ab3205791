"""`make run`'s last step: the web server and one worker (with the recovery beat) together.

Both run as child processes; the worker in a session of its own so that Ctrl-C reaches only
this command, which then stops the worker with Celery's cold shutdown (SIGQUIT) instead of
waiting for a training task to end - the run resumes from its last checkpoint at the next start.
"""

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Serve the portal on 127.0.0.1:8000 with one worker on the gpu and default queues."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--address", default="127.0.0.1:8000")

    def handle(self, *args, address: str, **options) -> None:
        schedule = settings.VAR_DIR / "celerybeat-schedule"
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-Q",
                "gpu,default",
                "--pool=solo",
                "--loglevel=INFO",
                "--beat",
                "--schedule",
                str(schedule),
            ],
            start_new_session=True,
        )
        web = subprocess.Popen([sys.executable, "manage.py", "runserver", address, "--noreload"])
        try:
            web.wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping the web server and the worker ...")
        finally:
            stop(web, signal.SIGINT)
            stop(worker, signal.SIGQUIT)


def stop(process: subprocess.Popen, first_signal: int) -> None:
    """Ask politely, then insist: the command never hangs on a child."""
    if process.poll() is not None:
        return
    process.send_signal(first_signal)
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
