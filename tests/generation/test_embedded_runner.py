"""`manage.py run_embedded` (what `make run` starts) as a user runs it: real web server, real
workers, the file-system broker of the test session, the test database and storage folder.

A published version's ZIP must not wait for a long training: the training holds the gpu worker
while the ZIP is built on the default queue, and is downloadable through the runner's web
server while the run is still going. Ctrl-C then stops every process the runner started within
seconds, and leaves the interrupted run resumable, not failed.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from io import BytesIO

import pytest
from django.conf import settings

from datasets.models import DatasetVersion
from generation import services
from generation.constants import JobState
from generation.models import TrainingRun
from generation.worker import leases
from tests.catalogue import published
from tests.workers import ROOT, database_url, purge_broker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Far more iterations than the test lasts: the run is still training when the test ends.
ENDLESS = {"iterations": 1_000_000, "eval_every": 0, "checkpoint_every": 1_000_000}
# Generous for two cores shared with other tests, yet far below any training's length.
ZIP_SECONDS = 30
STOP_SECONDS = 15


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parents() -> dict[int, int]:
    """Every process id with its parent's, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                table[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:  # the process ended while we looked
            continue
    return table


def children_of(pid: int) -> set[int]:
    return {child for child, parent in parents().items() if parent == pid}


def descendants(pid: int) -> set[int]:
    """Processes started by `pid` at any depth (a worker's embedded beat too)."""
    table = parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in table.items() if parent in frontier}
        found |= frontier
    return found


def survivors(pids: set[int]) -> dict[int, str]:
    """Those of `pids` still running (zombies excluded), with their command lines."""
    found = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                found[pid] = cmdline.read().replace(b"\0", b" ").decode()
        except OSError:  # gone
            continue
    return found


@pytest.fixture
def runner(tmp_path):
    """`manage.py run_embedded` on a free port; killed with its children if the test fails."""
    purge_broker()
    port = free_port()
    log = open(tmp_path / "runner.log", "w")  # noqa: SIM115 (closed below)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": "1",  # the training shares two cores with the rest of the test
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_embedded", "--address", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.base_url = f"http://127.0.0.1:{port}"
    process.output = lambda: (tmp_path / "runner.log").read_text()
    yield process
    print(process.output()[-6000:])  # pytest shows it with a failure's report only
    if process.poll() is None:
        for pid in descendants(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait()
    log.close()


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except OSError:  # the web server is not listening yet
        return 0, b""


def training(run_pk: int, output) -> bool:
    row = TrainingRun.objects.get(pk=run_pk)
    assert row.state in (JobState.QUEUED, JobState.RUNNING), (row.error, output())
    return row.state == JobState.RUNNING and row.progress_done > 0


def test_zip_is_built_while_a_long_training_runs_and_ctrl_c_stops_all(
    runner, source_version, owner, tmp_path
):
    run = services.start_training(
        source_version=source_version, preset="tiny", overrides=ENDLESS, user=owner
    )
    wait_for(lambda: training(run.pk, runner.output), timeout=180, what="the training to start")

    version = published(owner, tmp_path / "uploads", archive=False, title="Published now")
    url = f"{runner.base_url}/datasets/{version.dataset.slug}/v{version.number}/download/"
    started = time.monotonic()
    _, data = wait_for(
        lambda: (answer := get(url))[0] == 200 and answer,
        timeout=ZIP_SECONDS,
        interval=0.5,
        what="the ZIP while the gpu worker trains",
    )
    took = time.monotonic() - started
    assert zipfile.ZipFile(BytesIO(data)).testzip() is None
    assert DatasetVersion.objects.get(pk=version.pk).archive
    assert training(run.pk, runner.output), "the ZIP must not have waited for the training"
    print(f"ZIP downloadable {took:.1f} s after publishing, during training")

    assert len(children_of(runner.pid)) == 3  # the web server and the two workers
    processes = descendants(runner.pid)
    started = time.monotonic()
    runner.send_signal(signal.SIGINT)  # Ctrl-C
    runner.wait(timeout=STOP_SECONDS)
    print(f"stopped {time.monotonic() - started:.1f} s after Ctrl-C")
    assert not survivors(processes), runner.output()
    # The training was interrupted, not failed: the next start resumes it.
    row = TrainingRun.objects.get(pk=run.pk)
    assert row.state == JobState.RUNNING, (row.state, row.error)
    assert leases.holder_is_gone(row.worker, row.heartbeat_at)


def test_a_worker_that_dies_stops_the_runner_and_the_rest(runner):
    """No half-running portal: a dead worker ends `make run` with an error, not in silence."""
    children = wait_for(
        lambda: len(found := children_of(runner.pid)) == 3 and found,
        timeout=120,
        what="the web server and the two workers",
    )
    processes = descendants(runner.pid)
    (gpu_worker,) = [pid for pid in children if "-Q gpu" in survivors({pid}).get(pid, "")]
    os.kill(gpu_worker, signal.SIGKILL)
    assert runner.wait(timeout=STOP_SECONDS) != 0
    assert "ended on its own" in runner.output()
    assert not survivors(processes), runner.output()
