"""Fixtures of the browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server, and the ways their Celery tasks run (eagerly, or by a real worker process)."""

import os

import pytest

from datasets.license_data import install_licenses
from datasets.models import License
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS
from tests.workers import Worker, purge_broker


@pytest.fixture(scope="module")
def browser(django_db_setup):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with pytest.MonkeyPatch.context() as patch, sync_api.sync_playwright() as playwright:
        # Playwright's sync API keeps an event loop in this thread, which makes Django refuse
        # the ORM here; the test's own database calls are still plain synchronous code.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, settings):
    install_licenses(License)  # transactional tests flush the table the migration filled
    settings.PORTAL_BASE_URL = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def eager_tasks(settings):
    """Tasks run inside the request that sends them: publishing builds the ZIP before answering."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def worker(settings, tmp_path):
    """A real `celery worker` process on both queues, on the test database and media folder.

    It makes no quality report after a generation: the report may hold publication, and here
    it would race the curator's clicks (the reports and their hold have tests of their own).
    """
    settings.CELERY_TASK_ALWAYS_EAGER = False
    purge_broker()
    process = Worker("e2e", "gpu,default", tmp_path, QUALITY_AFTER_GENERATION="false")
    yield process
    process.stop()
