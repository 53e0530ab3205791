"""Accounts: sign up, log in and out, the profile with the user's datasets and API token."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.catalogue import imported_draft
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def test_sign_up_logs_the_new_user_in(client):
    response = client.post(
        reverse("signup"),
        {"username": "reader", "email": "", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == reverse("profile")
    assert get_user_model().objects.filter(username="reader").exists()
    assert client.get(reverse("profile")).status_code == 200


def test_sign_up_refuses_mismatched_passwords(client):
    response = client.post(
        reverse("signup"),
        {"username": "reader", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.status_code == 400
    assert not get_user_model().objects.exists()


def test_log_in_and_out(client):
    make_user("reader")
    response = client.post(reverse("login"), {"username": "reader", "password": PASSWORD})
    assert response["Location"] == reverse("profile")
    assert client.get(reverse("profile")).status_code == 200
    assert client.post(reverse("logout"))["Location"] == reverse("home")
    assert client.get(reverse("profile"))["Location"].startswith(reverse("login"))


def test_profile_lists_own_and_collaborated_datasets(client, tmp_path):
    owner, colleague = make_user("owner"), make_user("colleague")
    imported_draft(owner, tmp_path / "a", title="Own grades")
    shared = imported_draft(colleague, tmp_path / "b", title="Shared grades")
    shared.dataset.collaborators.add(owner)
    imported_draft(colleague, tmp_path / "c", title="Not mine")
    client.force_login(owner)
    html = client.get(reverse("profile")).content.decode()
    assert "Own grades" in html and "Shared grades" in html and "(collaborator)" in html
    assert "Not mine" not in html


def test_api_token_is_shown_once_replaced_and_revoked(client):
    user = make_user("reader")
    client.force_login(user)

    client.post(reverse("create-token"))
    token = Token.objects.get(user=user)
    assert token.key in client.get(reverse("profile")).content.decode()
    later = client.get(reverse("profile")).content.decode()
    assert token.key not in later and token.key[:6] in later

    client.post(reverse("create-token"))
    assert Token.objects.get(user=user).key != token.key

    client.post(reverse("revoke-token"))
    assert not Token.objects.filter(user=user).exists()


def test_token_pages_need_post_and_a_user(client):
    assert client.get(reverse("create-token")).status_code == 405
    assert client.post(reverse("create-token"))["Location"].startswith(reverse("login"))
