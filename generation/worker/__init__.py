"""A task's life in a worker, the same for training runs, generation jobs and quality reports:
the database lease that makes one worker run a row at a time (leases), progress, phase timings
and the cancel check (progress), files copied between storage and the worker's disk (staging),
the faults retried with back-off (faults), rows no worker is doing (recovery), and the device
and extractors the engine runs with (evaluation). docs/architecture.md draws it."""
