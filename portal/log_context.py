"""Run and job ids on every log line a task writes, so one job's story can be grepped out of
many workers' interleaved logs (`grep 'job=42'`), or filtered as a field in a log store.

Tasks bind the id with `task_context("job=42")`; a logging filter copies it onto each record as
`record.task` ("-" outside a task). A context variable, not a global: threads and concurrent
tasks each see their own.
"""

import contextvars
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

_task: contextvars.ContextVar[str] = contextvars.ContextVar("portal_task", default="-")


@contextmanager
def task_context(label: str) -> Iterator[None]:
    token = _task.set(label)
    try:
        yield
    finally:
        _task.reset(token)


class TaskContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.task = _task.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line (LOG_FORMAT=json), for log stores that index fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "task": getattr(record, "task", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)
