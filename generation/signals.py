"""What the workflows announce when a step is done, for generation.follow_ups to start the next.

A workflow finishing a step must not import the services that queue work: those import the
Celery tasks, which import the workflows. Each signal is sent before the step's row is marked
final, so a worker lost in between leaves the row to be resumed and the signal to be sent again:
receivers must do their work once (the demo and the report after a generation job check first).
"""

from django.dispatch import Signal

# A training run's generator was registered as a model: `run`, `model`.
model_registered = Signal()
# A generation job stored all its images in its synthetic version: `job`, `version`.
generation_finished = Signal()
# A quality report's results were stored with its version: `report`.
quality_report_finished = Signal()
