"""What the browser tests share besides fixtures: where Chromium and the screenshots are, and
the steps every test takes (a page's address, logging in)."""

from pathlib import Path

from django.urls import reverse

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a-long-test-password"  # tests.factories.make_user's


def url(live_server, name: str, *args) -> str:
    return live_server.url + reverse(name, args=args)


def log_in(page, live_server, username: str) -> None:
    page.goto(url(live_server, "login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/profile/")
