"""A cursor the API did not hand out is a 400 naming the cursor, never a 500 or a 404: the
lists that page by cursor (a version's files, a run's metric points) check every part of it."""

import base64

import pytest

from tests.api.builders import trained_model

pytestmark = pytest.mark.django_db


def encoded(querystring: str) -> str:
    return base64.b64encode(querystring.encode()).decode()


MALFORMED = [
    "cD14",  # p=x: a position that is not a number
    "cD0xZTU=",  # p=1e5
    encoded("p="),
    encoded("p=99999999999999999999999999"),  # beyond any integer column
    encoded("o=-1"),
    encoded("o=x"),
    encoded("r=x"),
    encoded("p=\u00e9"),  # not ASCII once decoded
    "not base64!",
    "%%%",
]


@pytest.fixture
def lists(make_published, owner, settings):
    """The cursor-paged lists: a public version's files and its model's run's metric points."""
    settings.TRAINING_MIN_IMAGES_PER_CLASS = 1
    version = make_published()
    model = trained_model(version, owner)
    return {
        "files": f"/api/v1/versions/{version.pk}/files/",
        "metrics": f"/api/v1/training-runs/{model.training_run_id}/metrics/",
    }


@pytest.mark.parametrize("name", ["files", "metrics"])
@pytest.mark.parametrize("cursor", MALFORMED)
def test_a_malformed_cursor_is_a_400_that_names_it(api, lists, name, cursor):
    response = api("anonymous").get(lists[name], {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["detail"]


@pytest.mark.parametrize("name", ["files", "metrics"])
def test_the_cursors_the_api_hands_out_still_work(api, lists, name):
    client = api("anonymous")
    first = client.get(lists[name], {"page_size": 1}).json()
    following = client.get(first["next"])
    assert following.status_code == 200
    assert following.json()["results"] != first["results"]
    back = client.get(following.json()["previous"])
    assert back.json()["results"] == first["results"]
