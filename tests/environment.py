"""Environment of the test session, set before Django reads its settings.

Loaded with `-p tests.environment` (pyproject addopts), which pytest imports before
pytest-django configures Django. Worker processes started by tests inherit it.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Tests get their own broker folder, so a developer's `make run` worker never eats test tasks.
os.environ.setdefault("CELERY_BROKER_DIR", str(ROOT / "var" / "test-broker"))
# A dead worker's run is taken over after seconds, not minutes.
os.environ.setdefault("GENERATION_HEARTBEAT_STALE_SECONDS", "6")
# Workers that generate for other reasons do not spend their shutdown computing quality reports;
# the tests of the report after a generation switch it on.
os.environ.setdefault("QUALITY_AFTER_GENERATION", "false")
# No Inception network unless a test asks for one: a configured path that does not exist means
# none at once (no probe of the network); the packaged network costs ~1 s an image on a CPU.
# Tests of FID set INCEPTION_WEIGHTS_PATH themselves.
os.environ.setdefault("INCEPTION_WEIGHTS_PATH", str(ROOT / "var" / "no-inception-weights.pth"))
# The demo of a fresh database stops after its training run unless a test of it switches it on.
os.environ.setdefault("DEMO_PIPELINE", "false")
