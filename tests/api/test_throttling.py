"""Scoped throttles answer 429 with Retry-After: anonymous and signed-in requests, downloads
and job creation each have their own budget (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])."""

import pytest

from tests.api.builders import trained_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **rates,
            },
        }

    return set_rates


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response.json()["code"] == "throttled"
    assert "throttled" in response.json()["detail"]


def test_anonymous_requests_are_throttled_by_address(api, rates, db):
    rates(anon="3/minute")
    client = api("anonymous")
    assert [client.get("/api/v1/licenses/").status_code for _ in range(3)] == [200] * 3
    assert_throttled(client.get("/api/v1/licenses/"))
    assert api("other").get("/api/v1/licenses/").status_code == 200  # a user has their own


def test_anonymous_requests_do_not_count_against_the_user_rate(api, rates, db):
    rates(anon="10/minute", user="2/minute")
    client = api("anonymous")
    assert [client.get("/api/v1/licenses/").status_code for _ in range(5)] == [200] * 5


def test_signed_in_users_are_throttled_each_on_their_own(api, rates, db):
    rates(user="2/minute")
    client = api("other")
    assert [client.get("/api/v1/datasets/").status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get("/api/v1/datasets/"))
    assert api("owner").get("/api/v1/datasets/").status_code == 200


def test_downloads_have_their_own_budget(api, rates, make_published):
    rates(downloads="2/hour")
    version = make_published()
    client = api("other")
    url = f"/api/v1/versions/{version.pk}/download/"
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert_throttled(client.get(url))
    assert client.get(f"/api/v1/versions/{version.pk}/").status_code == 200  # other calls go on


def test_job_creation_has_its_own_budget(api, rates, make_published, owner):
    rates(jobs="1/hour")
    model = trained_model(make_published(), owner)
    client = api("other")
    url = f"/api/v1/models/{model.pk}/generate"
    assert client.post(url, {"count_per_class": 1}).status_code == 202
    assert_throttled(client.post(url, {"count_per_class": 1}))
