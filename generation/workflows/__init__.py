"""What a worker does for each task, read top to bottom: train a run and register its model
(training), fill a synthetic version from a model (generating), assess a synthetic version
against its source (quality_reports). A workflow never queues work itself: it announces what it
finished (generation.signals) and generation.follow_ups decides what comes next."""
