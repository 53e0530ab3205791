"""Throttled progress reports from a worker to the database, with the lease heartbeat.

A training step may take milliseconds; writing each one would hammer the database. Reports go
out at most once per interval, and each one renews the lease and reads back whether the user
asked to cancel, so a cancel takes effect within about one interval.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models

from generation.worker import leases


@dataclass
class ProgressReporter:
    model: type[models.Model]
    pk: int
    interval: float = 1.0
    stop_requested: bool = False
    lease_lost: bool = False
    _last: float = field(default=0.0)
    _started: float = field(default_factory=time.monotonic)
    _first_done: int | None = None

    def due(self) -> bool:
        return time.monotonic() - self._last >= self.interval

    def report(self, done: int, total: int, *, force: bool = False, **fields) -> bool:
        """Write progress if due (or forced); returns True when it wrote."""
        if not (force or self.due()):
            return False
        self._last = time.monotonic()
        if self._first_done is None:
            self._first_done = done
        rate = self._rate(done)
        eta = (total - done) / rate if rate else None
        if not leases.heartbeat(
            self.model,
            self.pk,
            progress_done=done,
            progress_total=total,
            items_per_second=rate,
            eta_seconds=eta,
            **fields,
        ):
            self.lease_lost = True
        cancel = self.model.objects.filter(pk=self.pk).values_list("cancel_requested", flat=True)
        self.stop_requested = bool(cancel.first())
        return True

    def _rate(self, done: int) -> float | None:
        """Items per second over this attempt (a resumed attempt counts from where it began)."""
        elapsed = time.monotonic() - self._started
        progressed = done - (self._first_done or 0)
        return progressed / elapsed if elapsed > 0 and progressed > 0 else None

    @property
    def should_stop(self) -> bool:
        return self.stop_requested or self.lease_lost


@dataclass
class PhaseClock:
    """Seconds spent in each named phase of an attempt, written to the row's `timings` as each
    phase ends: where a slow run or job spends its time, for operators and benchmarks."""

    model: type[models.Model]
    pk: int
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - started, 3)
            self.model.objects.filter(pk=self.pk).update(timings=self.timings)
