"""However `manage.py run_embedded` is stopped, no process it started survives it: SIGINT
(Ctrl-C), SIGTERM (a service manager, `kill`) and SIGHUP (the terminal closed) stop every child
the same way, and SIGKILL, which the runner cannot handle, ends the workers through their
parent watchdog (the web server through the kernel's parent-death signal). A training stopped by
SIGTERM or SIGHUP is left resumable: the next worker to start continues it from its checkpoint."""

import contextlib
import os
import signal
import time

import pytest

from generation import services
from generation.constants import JobState
from generation.models import TrainingRun
from generation.worker import leases
from tests.generation.test_embedded_runner import (
    STOP_SECONDS,
    children_of,
    descendants,
    runner,  # noqa: F401 (the fixture)
    survivors,
)
from tests.workers import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The watchdog polls every second; the rest is the kernel reaping the group.
WATCHDOG_SECONDS = 10
# A run that outlasts the test, with a checkpoint every few seconds of tiny-preset training.
LONG_RUN = {"iterations": 1_000_000, "eval_every": 0, "checkpoint_every": 5}


@pytest.fixture
def run_processes():
    """The run's processes, as the test records them; any survivor is killed after the test,
    so that a failing test does not leave workers running once the runner is gone."""
    processes: set[int] = set()
    yield processes
    for pid in survivors(processes):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def started(runner, processes: set[int]) -> set[int]:  # noqa: F811
    """Every process of the run, once both workers have reported ready (their watchdogs run)."""
    wait_for(
        lambda: len(children_of(runner.pid)) == 3 and runner.output().count(" ready.") >= 2,
        timeout=180,
        what="the web server and two ready workers",
    )
    processes |= descendants(runner.pid)
    return set(processes)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_each_stop_signal_leaves_no_process_behind(runner, run_processes, signum):  # noqa: F811
    processes = started(runner, run_processes)
    runner.send_signal(signum)
    runner.wait(timeout=STOP_SECONDS)
    assert "Stopping the web server and the workers" in runner.output()
    assert not survivors(processes), runner.output()


def test_children_end_when_the_runner_is_killed_outright(runner, run_processes):  # noqa: F811
    processes = started(runner, run_processes)
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=STOP_SECONDS)
    deadline = time.monotonic() + WATCHDOG_SECONDS
    while survivors(processes) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not survivors(processes), runner.output()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_training_stopped_by_a_signal_resumes_from_its_checkpoint(
    runner,  # noqa: F811
    run_processes,
    source_version,
    owner,
    workers,
    signum,
):
    run = services.start_training(
        source_version=source_version, preset="tiny", overrides=LONG_RUN, user=owner
    )
    processes = started(runner, run_processes)
    wait_for(
        lambda: TrainingRun.objects.get(pk=run.pk).checkpoint_iteration > 0,
        timeout=180,
        what="the run's first checkpoint",
    )
    runner.send_signal(signum)
    runner.wait(timeout=STOP_SECONDS)
    assert not survivors(processes), runner.output()
    stopped = TrainingRun.objects.get(pk=run.pk)
    assert stopped.state == JobState.RUNNING, (stopped.state, stopped.error)
    assert leases.holder_is_gone(stopped.worker, stopped.heartbeat_at)

    # The next start: a gpu worker's start-up recovery queues the run its predecessor held.
    workers("next", "gpu", OMP_NUM_THREADS="1")

    def resumed() -> TrainingRun | None:
        row = TrainingRun.objects.get(pk=run.pk)
        assert row.state in (JobState.QUEUED, JobState.RUNNING), row.error
        moved_on = row.resumed_from_iteration is not None
        return row if moved_on and row.progress_done > stopped.checkpoint_iteration else None

    row = wait_for(resumed, timeout=180, what="the run to resume on the next worker")
    assert row.resumed_from_iteration == stopped.checkpoint_iteration
    assert row.attempts == stopped.attempts + 1
