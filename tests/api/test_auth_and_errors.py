"""Tokens (`Token` and `Bearer`), the browser's session with its CSRF check, and errors that are
always JSON with a readable message."""

import pytest
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.api.errors import exception_handler
from tests.api.builders import trained_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(make_published, owner):
    return trained_model(make_published(), owner)


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_a_token_is_taken_with_either_keyword(model, users, keyword):
    token = Token.objects.create(user=users["other"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token.key}")
    response = client.post(f"/api/v1/models/{model.pk}/generate", {"count_per_class": 1})
    assert response.status_code == 202
    assert response.json()["owner"] == "other"


def test_without_credentials_a_write_is_401_and_says_how_to_authenticate(model):
    response = APIClient().post(f"/api/v1/models/{model.pk}/generate", {"count_per_class": 1})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_a_wrong_token_is_401(model):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get("/api/v1/datasets/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_the_browser_session_works_and_its_writes_need_the_csrf_token(model, users):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["other"])  # a session as the login page makes one
    url = f"/api/v1/models/{model.pk}/generate"
    refused = client.post(url, {"count_per_class": 1})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    client.get("/accounts/profile/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, {"count_per_class": 1}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 202


def test_malformed_json_is_a_json_400(api, model):
    response = api("owner").post(
        f"/api/v1/models/{model.pk}/generate", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_an_unexpected_exception_is_logged_and_answered_as_json_500(caplog):
    request = RequestFactory().get("/api/v1/datasets/")
    response = exception_handler(RuntimeError("disk on fire"), {"request": request})
    assert response.status_code == 500
    assert response.data["code"] == "server_error"
    assert "disk on fire" not in response.data["detail"]  # details stay in the log
    assert "disk on fire" in caplog.text


def test_an_invalid_field_inside_a_list_names_where(api, db):
    response = api("anonymous").get("/api/v1/datasets/", {"classes": ["x", "2"]})
    assert response.status_code == 400
    assert response.json()["detail"] == "classes.0: A valid integer is required."
