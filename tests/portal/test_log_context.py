"""Run and job ids on the log lines of a task."""

import json
import logging

from generation import tasks
from generation.workflows import generating, training
from portal.log_context import JsonFormatter, TaskContextFilter, task_context


def record(message: str) -> logging.LogRecord:
    entry = logging.LogRecord(
        "generation.workflows.training", logging.INFO, __file__, 1, message, (), None
    )
    TaskContextFilter().filter(entry)
    return entry


def test_records_carry_the_bound_task_and_a_dash_outside():
    with task_context("job=42"):
        inside = record("sampling")
    assert inside.task == "job=42"
    assert record("idle").task == "-"
    assert json.loads(JsonFormatter().format(inside))["task"] == "job=42"


def test_tasks_bind_their_run_and_job_ids(monkeypatch):
    seen = []
    monkeypatch.setattr(training, "run_training", lambda pk: seen.append(record("").task))
    monkeypatch.setattr(generating, "run_generation", lambda pk: seen.append(record("").task))
    monkeypatch.setattr(tasks, "close_old_connections", lambda: None)
    tasks.train_run(7)
    tasks.generate_images(9)
    assert seen == ["run=7", "job=9"]
