"""Login protection: lockout per username *and* address with a cool-off, session expiry after
inactivity, Django's password validators, and TOTP two-factor login for staff."""

from __future__ import annotations

import datetime as dt
from base64 import b32decode

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-1234"  # tests/factories.py


def attempt(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


# --- Lockout -----------------------------------------------------------------------------------


def test_five_failures_lock_that_username_from_that_address_only(
    client, op_casalmaggiore, op_gussola
):
    for _ in range(4):
        response = attempt(client, "op.casalmaggiore", "wrong")
        assert response.status_code == 200  # the login form again, with its error
    locked = attempt(client, "op.casalmaggiore", "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Accesso temporaneamente bloccato" in html
    assert "15 minuti" in html
    # The right password does not help from that address now...
    assert attempt(client, "op.casalmaggiore", PASSWORD).status_code == 429
    # ...but the same person from another computer, and a colleague from this one, get in.
    assert attempt(client, "op.casalmaggiore", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert attempt(client, "op.gussola", PASSWORD).status_code == 302


def test_the_login_page_says_how_many_tries_are_left(client, op_casalmaggiore):
    """UX audit C 37: no "tentativi rimasti" before the lockout. With the limit at 5, the
    page says nothing after the 1st failure, then 3, 2, 1 tries left; then the lock."""
    said = []
    for _ in range(4):
        html = attempt(client, "op.casalmaggiore", "wrong").content.decode()
        said.append(next((w for w in ("Restano 3", "Restano 2", "Resta 1") if w in html), None))
    assert said == [None, "Restano 3", "Restano 2", "Resta 1"]
    assert attempt(client, "op.casalmaggiore", "wrong").status_code == 429
    # A name nobody has is counted the same way (the page tells nothing about who exists).
    html = attempt(client, "nessuno", "wrong").content.decode()
    html = attempt(client, "nessuno", "wrong").content.decode()
    assert "Restano 3 tentativi" in html


def test_the_lock_ends_after_the_cool_off(client, op_casalmaggiore, settings):
    for _ in range(5):
        attempt(client, "op.casalmaggiore", "wrong")
    assert attempt(client, "op.casalmaggiore", PASSWORD).status_code == 429
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert attempt(client, "op.casalmaggiore", PASSWORD).status_code == 302


def test_a_success_resets_the_count(client, op_casalmaggiore):
    for _ in range(4):
        attempt(client, "op.casalmaggiore", "wrong")
    assert attempt(client, "op.casalmaggiore", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "op.casalmaggiore", "wrong").status_code == 200


def test_the_lockout_does_not_put_the_username_or_address_in_the_logs(
    client, op_casalmaggiore, caplog
):
    with caplog.at_level("INFO", logger="axes"):
        for _ in range(5):
            attempt(client, "op.casalmaggiore", "wrong", ip="10.9.8.7")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "AXES" in text
    assert "op.casalmaggiore" not in text and "10.9.8.7" not in text


# --- Session expiry and passwords ----------------------------------------------------------------


def test_a_session_expires_after_the_idle_time_and_each_request_extends_it(
    client, op_casalmaggiore, settings
):
    client.force_login(op_casalmaggiore)
    url = reverse("password_change")
    assert client.get(url).status_code == 200
    session = Session.objects.get()
    idle = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle == dt.timedelta(minutes=30)
    assert abs(session.expire_date - (timezone.now() + idle)) < dt.timedelta(seconds=30)

    # Twenty minutes later the next request pushes the expiry 30 minutes ahead again.
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=10))
    assert client.get(url).status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + dt.timedelta(minutes=29)

    # Idle past the limit: back to the login page.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_weak_new_password_is_refused_with_the_reason(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    for weak in ("12345678", "password", "op.casalmaggiore1", "Ab1!"):
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["new_password2"]
        if weak == "12345678":
            assert "Questa password è troppo comune." in response.content.decode()
    op_casalmaggiore.refresh_from_db()
    assert op_casalmaggiore.check_password(PASSWORD)


# --- Two-factor login -------------------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.TWO_FACTOR_REQUIRED = True


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{value:06d}"


def is_sent_to_two_factor(response) -> bool:
    return response.status_code == 302 and "/account/2fa/" in response["Location"]


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_staff_without_a_device_must_enrol_before_anything_else(client, two_factor, udp_reader):
    client.force_login(udp_reader)
    response = client.get(reverse("home"))
    assert is_sent_to_two_factor(response)
    assert response["Location"] == reverse("twofactor:setup") + "?next=/"

    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html  # QR code drawn by the app itself
    assert page.context["secret"] in html
    # No device until a code confirms the key (tests/security/test_m1_totp_enrolment.py).
    assert not TOTPDevice.objects.filter(user=udp_reader).exists()

    code = f"{totp(b32decode(page.context['secret'])):06d}"
    done = client.post(reverse("twofactor:setup"), {"token": code, "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert TOTPDevice.objects.get(user=udp_reader).confirmed
    assert not is_sent_to_two_factor(client.get(reverse("home")))


def test_staff_with_a_device_type_a_code_after_the_password(client, two_factor, udp_reader):
    device = enrol(udp_reader)
    logged_in = client.post(
        reverse("login"), {"username": "udp.reader", "password": PASSWORD}, follow=False
    )
    assert logged_in.status_code == 302
    response = client.get(logged_in["Location"])
    assert response["Location"].startswith(reverse("twofactor:verify"))
    page = client.get(response["Location"])
    assert "Codice di verifica" in page.content.decode()

    verified = client.post(
        reverse("twofactor:verify"), {"token": current_code(device), "next": "/"}
    )
    assert verified.status_code == 302 and verified["Location"] == "/"
    assert not is_sent_to_two_factor(client.get(reverse("home")))


def test_a_wrong_code_is_refused_and_slows_down_the_next_try(client, two_factor, udp_reader):
    device = enrol(udp_reader)
    client.force_login(udp_reader)
    right = current_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("twofactor:verify"), {"token": wrong})
    assert response.status_code == 200
    assert "Codice non valido" in response.content.decode()
    # Throttled: right after a failure even the right code is refused.
    assert client.post(reverse("twofactor:verify"), {"token": right}).status_code == 200
    assert is_sent_to_two_factor(client.get(reverse("home")))


def test_a_code_cannot_be_used_twice(client, two_factor, udp_reader):
    device = enrol(udp_reader)
    code = current_code(device)
    client.force_login(udp_reader)
    assert client.post(reverse("twofactor:verify"), {"token": code}).status_code == 302
    other = type(client)()
    other.force_login(udp_reader)
    assert other.post(reverse("twofactor:verify"), {"token": code}).status_code == 200


def test_administrators_need_it_too_operators_do_not(
    client, two_factor, administrator, op_casalmaggiore
):
    client.force_login(administrator)
    assert is_sent_to_two_factor(client.get(reverse("admin:index")))
    assert is_sent_to_two_factor(client.get(reverse("admin:casework_person_changelist")))
    client.force_login(op_casalmaggiore)
    response = client.get(reverse("casework:desk", args=["casalmaggiore"]))
    assert response.status_code == 200


def test_an_unverified_user_may_still_log_out_and_the_health_check_answers(
    client, two_factor, udp_reader
):
    client.force_login(udp_reader)
    assert client.get(reverse("healthz")).status_code == 200
    response = client.post(reverse("logout"))
    assert not is_sent_to_two_factor(response)
    assert "_auth_user_id" not in client.session


def test_the_rule_can_be_switched_off(client, settings, udp_reader):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(udp_reader)
    assert not is_sent_to_two_factor(client.get(reverse("home")))
