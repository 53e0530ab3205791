"""The permission matrix of every endpoint: anonymous, another user, the owner and staff against
a public, a restricted and a private dataset (with a model trained on it, a queued run and a
queued generation job), with the rules of the pages:

- a private dataset, and everything made from it, is 404 to anyone but its editors and staff;
- a restricted dataset shows its metadata to all and its files (list, ZIP) to editors (403);
- writing needs an account (401), generating needs access to the source files, training needs
  to curate the dataset, cancelling needs to have started the task (403 where visible).
"""

from dataclasses import dataclass

import pytest

from generation import services
from tests.api.builders import trained_model
from tests.api.conftest import USERS, VISIBILITIES

pytestmark = pytest.mark.django_db


def sees(who: str, visibility: str) -> bool:
    return visibility != "private" or who in ("owner", "staff")


def curates(who: str) -> bool:
    return who in ("owner", "staff")


def read(who: str, visibility: str) -> int:
    return 200 if sees(who, visibility) else 404


def read_files(who: str, visibility: str) -> int:
    if not sees(who, visibility):
        return 404
    return 200 if visibility == "public" or curates(who) else 403


def act(allowed, status: int):
    def rule(who: str, visibility: str) -> int:
        if who == "anonymous":
            return 401
        if not sees(who, visibility):
            return 404
        return status if allowed(who, visibility) else 403

    return rule


generate = act(lambda who, visibility: read_files(who, visibility) == 200, 202)
train = act(lambda who, visibility: curates(who), 202)
cancel = act(lambda who, visibility: curates(who), 200)


@dataclass(frozen=True)
class Objects:
    version: object
    model: object
    run: object
    job: object
    creator: object


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: object  # Callable[[Objects], str]
    rule: object  # Callable[[who, visibility], int]
    data: object = None  # Callable[[Objects], dict] | None


ENDPOINTS = {
    "dataset": Endpoint("get", lambda o: f"/api/v1/datasets/{o.version.dataset.slug}/", read),
    "version": Endpoint("get", lambda o: f"/api/v1/versions/{o.version.pk}/", read),
    **{
        f"version.{suffix}": Endpoint(
            "get", lambda o, s=suffix: f"/api/v1/versions/{o.version.pk}.{s}", read
        )
        for suffix in ("datacite", "croissant", "jsonld", "bib", "txt")
    },
    "files": Endpoint("get", lambda o: f"/api/v1/versions/{o.version.pk}/files/", read_files),
    "download": Endpoint("get", lambda o: f"/api/v1/versions/{o.version.pk}/download/", read_files),
    "creator": Endpoint("get", lambda o: f"/api/v1/creators/{o.creator.pk}/", read),
    "model": Endpoint("get", lambda o: f"/api/v1/models/{o.model.pk}/", read),
    "generate": Endpoint(
        "post",
        lambda o: f"/api/v1/models/{o.model.pk}/generate",
        generate,
        lambda o: {"count_per_class": 2, "seed": 1},
    ),
    "run": Endpoint("get", lambda o: f"/api/v1/training-runs/{o.run.pk}/", read),
    "run.metrics": Endpoint("get", lambda o: f"/api/v1/training-runs/{o.run.pk}/metrics/", read),
    "train": Endpoint(
        "post",
        lambda o: "/api/v1/training-runs/",
        train,
        lambda o: {"source_version": o.version.pk, "preset": "tiny"},
    ),
    "run.cancel": Endpoint("post", lambda o: f"/api/v1/training-runs/{o.run.pk}/cancel/", cancel),
    "job": Endpoint("get", lambda o: f"/api/v1/generation-jobs/{o.job.pk}/", read),
    "job.cancel": Endpoint("post", lambda o: f"/api/v1/generation-jobs/{o.job.pk}/cancel/", cancel),
}
LISTS = {
    "datasets": ("/api/v1/datasets/", lambda o: o.version.dataset.slug, "slug"),
    "models": ("/api/v1/models/", lambda o: o.model.pk, "id"),
    "training-runs": ("/api/v1/training-runs/", lambda o: o.run.pk, "id"),
    "generation-jobs": ("/api/v1/generation-jobs/", lambda o: o.job.pk, "id"),
    "creators": ("/api/v1/creators/", lambda o: o.creator.pk, "id"),
}


@pytest.fixture
def objects(request, settings, make_published, owner) -> Objects:
    settings.TRAINING_MIN_IMAGES_PER_CLASS = 1
    version = make_published(request.param)
    model = trained_model(version, owner)
    run = services.start_training(
        source_version=version, preset="tiny", overrides={}, user=owner, enqueue=False
    )
    job = services.start_generation(
        model=model, count_per_class=2, classes=None, seed=3, user=owner, enqueue=False
    )
    return Objects(version, model, run, job, version.creators.get())


@pytest.mark.parametrize("objects", VISIBILITIES, indirect=True)
@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("name", ENDPOINTS)
def test_endpoint_answers_by_the_pages_rules(api, objects, who, name):
    endpoint = ENDPOINTS[name]
    visibility = objects.version.dataset.visibility
    data = endpoint.data(objects) if endpoint.data else None
    response = getattr(api(who), endpoint.method)(endpoint.url(objects), data, format="json")
    expected = endpoint.rule(who, visibility)
    assert response.status_code == expected, (response.status_code, _text(response))
    if expected >= 400:
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


@pytest.mark.parametrize("objects", VISIBILITIES, indirect=True)
@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("name", LISTS)
def test_lists_show_only_what_the_user_may_see(api, objects, who, name):
    url, key_of, field = LISTS[name]
    response = api(who).get(url)
    assert response.status_code == 200
    listed = {item[field] for item in response.json()["results"]}
    visibility = objects.version.dataset.visibility
    assert (key_of(objects) in listed) is sees(who, visibility)


def test_an_approved_user_gets_the_files_of_a_restricted_dataset(api, users, make_published):
    from datasets import services as catalogue_services

    version = make_published("restricted")
    other = users["other"]
    request = catalogue_services.request_access(dataset=version.dataset, user=other)
    catalogue_services.decide_access_request(
        access_request=request, user=users["owner"], approve=True
    )
    assert api("other").get(f"/api/v1/versions/{version.pk}/files/").status_code == 200
    assert api("other").get(f"/api/v1/versions/{version.pk}/download/").status_code == 200


def test_a_draft_is_404_to_all_but_its_editors(api, users, owner, tmp_path):
    from tests.catalogue import imported_draft

    draft = imported_draft(owner, tmp_path / "draft", visibility="public")
    for who, status in (("anonymous", 404), ("other", 404), ("owner", 200), ("staff", 200)):
        assert api(who).get(f"/api/v1/versions/{draft.pk}/").status_code == status, who
        assert api(who).get(f"/api/v1/datasets/{draft.dataset.slug}/").status_code == status


def _text(response) -> str:
    if response.streaming:
        return "(streamed)"
    return response.content[:300].decode(errors="replace")
