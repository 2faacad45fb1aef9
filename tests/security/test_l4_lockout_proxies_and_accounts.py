"""L4 — the lockout cannot be dodged with a forged ``X-Forwarded-For``, and an account has
its own, looser limit whatever the address.

Before the fix the client address was the last ``X-Forwarded-For`` hop whoever sent it, so a
client talking to gunicorn directly got 5 new guesses per forged hop; and even through the
proxy every real address got 5 more guesses at the same user name. Now the header counts
only when the sender (``REMOTE_ADDR``) is one of ``TRUSTED_PROXIES``, and more than
``LOGIN_ACCOUNT_FAILURE_LIMIT`` failures for one user name within
``LOGIN_ACCOUNT_WINDOW_MINUTES``, from any address, lock that user name everywhere.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessFailureLog
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from activitycr.security import client_ip
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-1234"  # tests/factories.py


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """Tens of logins per test: a fast hasher (set before the personas are created)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempt(client, username: str, password: str, **meta: str):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


# --- X-Forwarded-For only from a trusted proxy ---------------------------------------------


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1", "10.20.0.0/16"]


def test_l4_a_forged_forwarded_for_from_an_untrusted_sender_is_ignored(
    client, behind_proxy, op_casalmaggiore
):
    statuses = [
        attempt(
            client,
            "op.casalmaggiore",
            "wrong",
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"10.0.1.{n}",
        ).status_code
        for n in range(7)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429, 429]
    right = attempt(
        client,
        "op.casalmaggiore",
        PASSWORD,
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="10.0.1.99",
    )
    assert right.status_code == 429


def test_l4_the_trusted_proxys_hop_is_the_client_address(client, behind_proxy, op_casalmaggiore):
    for _ in range(5):
        last = attempt(
            client,
            "op.casalmaggiore",
            "wrong",
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.50",  # the client forged the first hop
        )
    assert last.status_code == 429
    # Another real client behind the same proxy is not locked.
    other = attempt(
        client,
        "op.casalmaggiore",
        PASSWORD,
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.51",
    )
    assert other.status_code == 302


def test_l4_client_ip_walks_back_over_trusted_proxies_only(behind_proxy, settings):
    rf = RequestFactory()

    def ip(remote: str, forwarded: str | None = None) -> str | None:
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return client_ip(rf.get("/", **meta))

    assert ip("203.0.113.9", "10.0.1.1") == "203.0.113.9"  # not a proxy: header ignored
    assert ip("127.0.0.1", "203.0.113.9") == "203.0.113.9"
    # Two proxies of ours (the second in the trusted network): the first untrusted hop.
    assert ip("10.20.3.4", "6.6.6.6, 203.0.113.9, 10.20.0.1") == "203.0.113.9"
    assert ip("::1", "2001:db8::5") == "2001:db8::5"
    assert ip("127.0.0.1") == "127.0.0.1"  # a local request with no header
    assert ip("127.0.0.1", "not-an-address") == "127.0.0.1"
    settings.BEHIND_PROXY = False
    assert ip("127.0.0.1", "203.0.113.9") == "127.0.0.1"


@pytest.mark.system
def test_l4_trusted_proxies_come_from_the_environment_and_a_bad_value_stops_the_start():
    good = load_settings(
        "import activitycr.settings as s; print(s.TRUSTED_PROXIES)",
        TRUSTED_PROXIES="10.0.0.5, 172.16.0.0/12",
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == "['10.0.0.5', '172.16.0.0/12']"
    default = load_settings("import activitycr.settings as s; print(s.TRUSTED_PROXIES)")
    assert default.returncode == 0, default.stderr
    assert default.stdout.strip() == "['127.0.0.1', '::1']"
    bad = load_settings(TRUSTED_PROXIES="10.0.0.5, proxy.example.org")
    assert bad.returncode != 0
    assert "TRUSTED_PROXIES" in bad.stderr and "proxy.example.org" in bad.stderr


# --- A limit per account, from any address ---------------------------------------------------


def test_l4_failures_from_many_addresses_lock_the_user_name_everywhere(
    client, settings, op_casalmaggiore, op_gussola
):
    assert settings.LOGIN_ACCOUNT_FAILURE_LIMIT == 50
    assert dt.timedelta(minutes=60) == settings.LOGIN_ACCOUNT_WINDOW
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12  # fewer requests; same rule
    # 4 wrong passwords from each address: never the per-address limit of 5.
    for n in range(3):
        for _ in range(4):
            response = attempt(client, "op.casalmaggiore", "wrong", REMOTE_ADDR=f"10.0.2.{n}")
    assert response.status_code == 429  # the 12th failure
    html = response.content.decode()
    assert "da qualsiasi computer" in html

    # The right password from a fresh address is refused too, for this user name only.
    assert attempt(client, "op.casalmaggiore", PASSWORD, REMOTE_ADDR="10.0.3.1").status_code == 429
    assert attempt(client, "op.gussola", PASSWORD, REMOTE_ADDR="10.0.3.1").status_code == 302
    client.post(reverse("logout"))

    # Once the failures are older than the window, the account is free again.
    AccessFailureLog.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=61))
    assert attempt(client, "op.casalmaggiore", PASSWORD, REMOTE_ADDR="10.0.3.1").status_code == 302


def test_l4_below_the_account_limit_the_right_password_still_works(
    client, settings, op_casalmaggiore
):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 12
    for n in range(11):
        attempt(client, "op.casalmaggiore", "wrong", REMOTE_ADDR=f"10.0.4.{n}")
    assert attempt(client, "op.casalmaggiore", PASSWORD, REMOTE_ADDR="10.0.5.1").status_code == 302
