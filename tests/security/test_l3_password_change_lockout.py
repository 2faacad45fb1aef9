"""L3 — wrong current passwords on the password-change page count as failed logins.

Before the fix eight wrong ``old_password`` values answered 200 each time, the session stayed
valid and the account was never locked: someone holding a hijacked session could guess the
password at leisure. Now each wrong value goes through ``authenticate()`` (so django-axes
counts it like a wrong password on the login page) and at the lockout limit the session
ends and the user name is locked from that address.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-1234"  # tests/factories.py
NEW = "Un-altra-Password-lunga-42"


@pytest.fixture
def logged_in(op_casalmaggiore) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": "op.casalmaggiore", "password": PASSWORD})
    assert response.status_code == 302
    return client


def change(client: Client, old: str):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": NEW, "new_password2": NEW},
    )


def test_l3_wrong_current_passwords_lock_the_account_and_end_the_session(
    logged_in, op_casalmaggiore, settings
):
    assert settings.AXES_FAILURE_LIMIT == 5
    for n in range(1, 5):
        response = change(logged_in, f"tentativo-{n}")
        assert response.status_code == 200
        assert response.context["form"].errors["old_password"]
        assert AccessAttempt.objects.get(username="op.casalmaggiore").failures_since_start == n

    locked = change(logged_in, "tentativo-5")
    assert locked.status_code == 429
    assert "Accesso temporaneamente bloccato" in locked.content.decode()
    # The session is over...
    assert "_auth_user_id" not in logged_in.session
    again = logged_in.get(reverse("password_change"))
    assert again.status_code == 302 and again["Location"].startswith(reverse("login"))
    # ...and the right password does not log in again from this address.
    relogin = logged_in.post(
        reverse("login"), {"username": "op.casalmaggiore", "password": PASSWORD}
    )
    assert relogin.status_code == 429
    op_casalmaggiore.refresh_from_db()
    assert op_casalmaggiore.check_password(PASSWORD)


def test_l3_the_right_current_password_still_changes_it(logged_in, op_casalmaggiore):
    assert change(logged_in, "sbagliata").status_code == 200
    done = change(logged_in, PASSWORD)
    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    op_casalmaggiore.refresh_from_db()
    assert op_casalmaggiore.check_password(NEW)
    assert logged_in.get(reverse("password_change")).status_code == 200  # still logged in
