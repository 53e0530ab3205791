"""Login throttling: after AXES_FAILURE_LIMIT wrong passwords for one username from one
address, that pair is refused, the right password included, on the site's and the admin's login
alike, with a page that says why; the cool-off ends it, and nobody else is locked out."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
LOCKOUT_MESSAGE = "Too many failed logins for “alice” from your address"
LOGINS = {"site": "login", "admin": "admin:login"}


@pytest.fixture(autouse=True)
def alice(db):
    """A staff account, so that the admin's login takes her too."""
    return make_user("alice", staff=True)


def log_in(client, login: str, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        reverse(LOGINS[login]), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def fail_until_locked(client, settings, login: str) -> None:
    """The failure limit's worth of wrong passwords: the last one already locks out."""
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = log_in(client, login, "alice", "wrong password")
        assert response.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)


def test_the_limit_is_a_setting_of_a_few_attempts(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


@pytest.mark.parametrize("login", LOGINS)
def test_after_the_limit_the_right_password_is_refused_with_the_lockout_message(
    client, settings, login
):
    fail_until_locked(client, settings, login)

    refused = log_in(client, login, "alice", PASSWORD)

    assert refused.status_code == 429
    assert not logged_in(refused)
    page = refused.content.decode()
    assert LOCKOUT_MESSAGE in page
    assert "refused for 15 minutes" in page


@pytest.mark.parametrize("login", LOGINS)
def test_the_right_password_works_again_after_the_cool_off(client, settings, login):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    fail_until_locked(client, settings, login)
    assert log_in(client, login, "alice", PASSWORD).status_code == 429

    time.sleep(1.2)

    assert logged_in(log_in(client, login, "alice", PASSWORD))


@pytest.mark.parametrize("login", LOGINS)
def test_another_username_from_the_same_address_is_not_locked(client, settings, login):
    make_user("bob", staff=True)
    fail_until_locked(client, settings, login)
    assert logged_in(log_in(client, login, "bob", PASSWORD))


def test_the_same_username_from_another_address_is_not_locked(client, settings):
    fail_until_locked(client, settings, "site")
    assert logged_in(log_in(client, "site", "alice", PASSWORD, address="192.0.2.7"))


def test_a_successful_login_starts_the_count_again(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "site", "alice", "wrong password")
    assert logged_in(log_in(client, "site", "alice", PASSWORD))
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "site", "alice", "wrong password").status_code == 200
    assert logged_in(log_in(client, "site", "alice", PASSWORD))
