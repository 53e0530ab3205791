"""Faults a task waits out instead of failing: the database or the bucket went away for a while.

A restarted PostgreSQL cuts every open connection (OperationalError on the first query, then
InterfaceError on a connection that was already cut); a bucket that refuses writes raises
StorageUnavailable. Neither says anything about the run or job itself, so the task is retried
with back-off (generation.tasks) and the row stays resumable: committed chunks and checkpoints
are kept, and the retry continues from them.
"""

from django.db import InterfaceError, OperationalError

from portal.storage import StorageUnavailable

TRANSIENT_FAULTS = (OperationalError, InterfaceError, StorageUnavailable)
