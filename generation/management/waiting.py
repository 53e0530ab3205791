"""`--wait` and `--sync` for the train, generate and quality_report commands: a progress bar
until the row ends.

With --sync the work runs in a thread of this process (no worker needed) while the main thread
draws the same bar it draws for work done by a worker.
"""

import threading
import time
from collections.abc import Callable

from django.core.management.base import CommandError
from django.db import close_old_connections, connection
from tqdm import tqdm

from generation.constants import FINAL_STATES, JobState

POLL_SECONDS = 0.5


def add_mode_arguments(parser, *, doing: str) -> None:
    """--wait and --sync, one or neither; `doing` says what --sync does here ("train")."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--wait", action="store_true", help="show progress until it ends")
    mode.add_argument("--sync", action="store_true", help=f"{doing} in this process")


def follow(
    model, pk: int, work: Callable[[int], None], *, options: dict, unit: str, stderr
) -> object | None:
    """What --sync and --wait ask of every command: with --sync run `work(pk)` here; with
    either, show the row's progress until it ends and return it (None when neither is set)."""
    if options["sync"]:
        run_in_thread(work, pk)
    if options["sync"] or options["wait"]:
        return wait_until_done(model, pk, unit=unit, stderr=stderr)
    return None


def run_in_thread(work: Callable[[int], None], pk: int) -> threading.Thread:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            work(pk)
        except BaseException as error:  # reported by wait_until_done through the row's state
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def wait_until_done(model, pk: int, *, unit: str, stderr) -> object:
    """Poll the row, show its progress, return it when final; CommandError unless succeeded."""
    with tqdm(total=1, unit=unit, file=stderr, dynamic_ncols=True) as bar:
        while True:
            close_old_connections()
            row = model.objects.get(pk=pk)
            bar.total = max(row.progress_total, 1)
            bar.n = row.progress_done
            bar.set_postfix_str(row.state, refresh=False)
            bar.refresh()
            if row.state in FINAL_STATES:
                break
            time.sleep(POLL_SECONDS)
    if row.state != JobState.SUCCEEDED:
        detail = f": {row.error}" if row.error else ""
        raise CommandError(f"{model.__name__} {pk} ended {row.state}{detail}")
    return row
