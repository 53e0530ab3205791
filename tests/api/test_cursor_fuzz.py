"""Fuzzing the cursors of the cursor-paged lists (a version's files, a run's metric points):
Schemathesis sends random strings as `cursor`, which almost never decode to a cursor, so the
positions that once answered 500 (`p=x`, `p=1e5`) were never tried. Here Hypothesis builds
cursors as DRF encodes them, with every part (offset, reverse, position) drawn at random, and
raw strings besides: each answer is a page or a 400 naming the cursor, never anything else.

Hypothesis comes with Schemathesis, in the services tier (requirements/services.txt)."""

import base64
from urllib.parse import urlencode

import pytest

from tests.api.builders import trained_model
from tests.api.conftest import client_of

hypothesis = pytest.importorskip("hypothesis")
strategies = pytest.importorskip("hypothesis.strategies")

pytestmark = [pytest.mark.services, pytest.mark.django_db]

values = strategies.one_of(
    strategies.integers(min_value=-(2**70), max_value=2**70).map(str),
    strategies.floats().map(str),
    strategies.text(max_size=12),
)
parts = strategies.dictionaries(strategies.sampled_from(["o", "r", "p", "x"]), values, max_size=4)
drf_like = parts.map(lambda tokens: base64.b64encode(urlencode(tokens).encode()).decode())
cursors = strategies.one_of(drf_like, strategies.text(max_size=24))


@pytest.fixture
def lists(make_published, owner, settings):
    settings.TRAINING_MIN_IMAGES_PER_CLASS = 1
    settings.REST_FRAMEWORK = {  # hundreds of requests: no throttle in the way
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("anon", "user", "downloads", "jobs"), None),
    }
    version = make_published(per_class={"a": 3, "b": 2})
    model = trained_model(version, owner)
    return [
        f"/api/v1/versions/{version.pk}/files/",
        f"/api/v1/training-runs/{model.training_run_id}/metrics/",
    ]


@hypothesis.settings(
    max_examples=150,
    deadline=None,
    # The rows are only read: one set for all examples is what is wanted.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(cursor=cursors)
@hypothesis.example(cursor="cD14")  # p=x
@hypothesis.example(cursor="cD0xZTU=")  # p=1e5
def test_any_cursor_gives_a_page_or_a_400_naming_it(lists, cursor):
    client = client_of(None)
    for url in lists:
        response = client.get(url, {"cursor": cursor})
        assert response.status_code in (200, 400), (url, cursor, response.content)
        if response.status_code == 400:
            assert response.json()["detail"].startswith("cursor: "), response.content
