"""M1 — the TOTP enrolment key belongs to one login session, and can need an administrator's
one-time enrolment code.

The review's reproduction: an attacker who knows the password of an account that has not
enrolled yet opened the enrolment page, noted the key and logged out; the real user later
saw *the same key*, confirmed it, and the attacker's copy of the key then passed the second
factor. Now each login session gets its own key, no device exists until a code confirms it,
stale unconfirmed devices are deleted, and an administrator can require a one-time code.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from base64 import b32decode, b32encode

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework import roles
from tests import factories
from twofactor.models import EnrolmentCode
from twofactor.services import issue_enrolment_code

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-1234"  # tests/factories.py


@pytest.fixture(autouse=True)
def _two_factor(settings):
    settings.TWO_FACTOR_REQUIRED = True
    settings.TWO_FACTOR_ENROLMENT_CODE_REQUIRED = False


@pytest.fixture
def newudp(db):
    """An Ufficio di Piano login with no TOTP device yet (the review's ``newudp``)."""
    return factories.user("newudp", role=roles.PLANNING_OFFICE)


def log_in(client: Client, username: str = "newudp") -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password login itself must succeed"


def code_for(secret: str, *, drift: int = 0) -> str:
    return f"{totp(b32decode(secret), drift=drift):06d}"


def shown_secret(client: Client) -> str:
    page = client.get(reverse("twofactor:setup"))
    assert page.status_code == 200
    match = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page.content.decode())
    assert match, "the setup page shows the key to type by hand"
    return match.group(1)


def is_sent_to_two_factor(response) -> bool:
    return response.status_code == 302 and "/account/2fa/" in response["Location"]


# --- A key per login session ----------------------------------------------------------------


def test_m1_the_attackers_key_is_not_the_real_users_and_does_not_verify(newudp):
    attacker = Client()
    log_in(attacker)
    stolen = shown_secret(attacker)
    attacker.post(reverse("logout"))

    user = Client()
    log_in(user)
    real = shown_secret(user)
    assert real != stolen
    done = user.post(reverse("twofactor:setup"), {"token": code_for(real), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert TOTPDevice.objects.filter(user=newudp, confirmed=True).count() == 1

    # The attacker comes back with the stolen key: the second factor holds.
    attacker = Client()
    log_in(attacker)
    assert is_sent_to_two_factor(attacker.get(reverse("reports:review")))
    for token in (code_for(stolen), code_for(stolen, drift=1)):
        # Past the slow-down after the first wrong code, so that the code itself is checked.
        TOTPDevice.objects.filter(user=newudp).update(throttling_failure_timestamp=None)
        refused = attacker.post(reverse("twofactor:verify"), {"token": token})
        assert refused.status_code == 200
        assert "Codice non valido" in refused.content.decode()
    assert is_sent_to_two_factor(attacker.get(reverse("reports:review")))
    # Nor can the attacker enrol a second device next to the confirmed one.
    assert is_sent_to_two_factor(attacker.get(reverse("twofactor:setup")))


def test_m1_no_device_is_stored_until_a_code_confirms_the_key(newudp):
    client = Client()
    log_in(client)
    first = shown_secret(client)
    assert not TOTPDevice.objects.filter(user=newudp).exists()
    # A reload in the same session keeps the key the phone may already have scanned...
    assert shown_secret(client) == first
    wrong = f"{(int(code_for(first)) + 500_000) % 1_000_000:06d}"
    response = client.post(reverse("twofactor:setup"), {"token": wrong})
    assert response.status_code == 200 and "Codice non valido" in response.content.decode()
    assert response.context["secret"] == first
    assert not TOTPDevice.objects.filter(user=newudp).exists()
    # ...and a new login session gets a new one.
    client.post(reverse("logout"))
    log_in(client)
    assert shown_secret(client) != first


def test_m1_a_code_of_the_previous_sessions_key_does_not_confirm(newudp):
    client = Client()
    log_in(client)
    old = shown_secret(client)
    client.post(reverse("logout"))
    log_in(client)
    shown_secret(client)
    response = client.post(reverse("twofactor:setup"), {"token": code_for(old)})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=newudp).exists()


def test_m1_the_confirmed_device_rejects_the_code_just_used(newudp):
    client = Client()
    log_in(client)
    secret = shown_secret(client)
    code = code_for(secret)
    assert client.post(reverse("twofactor:setup"), {"token": code}).status_code == 302
    device = TOTPDevice.objects.get(user=newudp)
    assert device.confirmed and not device.verify_token(code)


# --- Stale unconfirmed devices -------------------------------------------------------------


def test_m1_stale_unconfirmed_devices_are_removed_at_login_and_by_the_command(newudp):
    other = factories.user("udp.altro", role=roles.PLANNING_OFFICE)
    # Left by the old enrolment page (or added unconfirmed in admin).
    mine = TOTPDevice.objects.create(user=newudp, name="Activity.Cr", confirmed=False)
    theirs = TOTPDevice.objects.create(user=other, name="Activity.Cr", confirmed=False)
    fresh = TOTPDevice.objects.create(user=other, name="nuovo", confirmed=False)
    kept = TOTPDevice.objects.create(user=other, name="telefono", confirmed=True)
    TOTPDevice.objects.filter(pk__in=[mine.pk, theirs.pk]).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )

    client = Client()
    log_in(client)
    assert not TOTPDevice.objects.filter(pk=mine.pk).exists()
    # The enrolment page never shows the old device's key.
    assert shown_secret(client) != b32encode(mine.bin_key).decode("ascii")

    out = io.StringIO()
    call_command("twofactor_cleanup", stdout=out)
    assert not TOTPDevice.objects.filter(pk=theirs.pk).exists()
    assert TOTPDevice.objects.filter(pk__in=[fresh.pk, kept.pk]).count() == 2
    assert "1" in out.getvalue()


# --- The user and the administrators are told --------------------------------------------------


def test_m1_a_confirmation_is_shown_to_the_user_and_recorded_for_administrators(newudp):
    client = Client()
    log_in(client)
    secret = shown_secret(client)
    done = client.post(reverse("twofactor:setup"), {"token": code_for(secret)}, follow=True)
    assert "Accesso a due fattori attivato" in done.content.decode()
    device = TOTPDevice.objects.get(user=newudp)
    entry = LogEntry.objects.get_for_object(device).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == newudp
    assert secret not in str(entry.changes) and device.key not in str(entry.changes)

    # At the next login the code page says when the device was activated, so a user who
    # never enrolled notices someone else did.
    client.post(reverse("logout"))
    log_in(client)
    page = client.get(reverse("twofactor:verify"))
    assert "attivato il" in page.content.decode()
    assert "avvisa subito l'amministratore" in page.content.decode()


# --- Enrolment codes handed out by an administrator --------------------------------------------


@pytest.fixture
def codes_required(settings):
    settings.TWO_FACTOR_ENROLMENT_CODE_REQUIRED = True


def test_m1_with_codes_required_the_key_is_shown_only_after_a_valid_code(
    newudp, administrator, codes_required
):
    code, plain = issue_enrolment_code(user=newudp, issued_by=administrator)
    client = Client()
    log_in(client)
    page = client.get(reverse("twofactor:setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Codice di attivazione" in html
    assert 'id="totp-secret"' not in html and "otpauth" not in html

    accepted = client.post(reverse("twofactor:setup"), {"enrolment_code": plain.lower()})
    assert accepted.status_code == 302
    code.refresh_from_db()
    assert code.used_at is not None
    secret = shown_secret(client)
    done = client.post(reverse("twofactor:setup"), {"token": code_for(secret)})
    assert done.status_code == 302
    assert TOTPDevice.objects.filter(user=newudp, confirmed=True).exists()


@pytest.mark.parametrize("case", ["wrong", "used", "expired", "another_users"])
def test_m1_a_wrong_used_or_expired_code_is_refused_in_italian(
    case, newudp, administrator, codes_required
):
    code, plain = issue_enrolment_code(user=newudp, issued_by=administrator)
    expected = {
        "wrong": "Codice di attivazione non valido",
        "used": "Codice di attivazione già usato",
        "expired": "Codice di attivazione scaduto",
        "another_users": "Codice di attivazione non valido",
    }[case]
    if case == "wrong":
        plain = "ABCD-EFGH-JKLM"
    elif case == "used":
        EnrolmentCode.objects.filter(pk=code.pk).update(used_at=timezone.now())
    elif case == "expired":
        EnrolmentCode.objects.filter(pk=code.pk).update(
            created_at=timezone.now() - dt.timedelta(days=4),
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )
    elif case == "another_users":
        other = factories.user("udp.altro", role=roles.PLANNING_OFFICE)
        _, plain = issue_enrolment_code(user=other, issued_by=administrator)

    client = Client()
    log_in(client)
    response = client.post(reverse("twofactor:setup"), {"enrolment_code": plain})
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in html
    assert 'id="totp-secret"' not in html
    assert shown_secret_absent(client)


def shown_secret_absent(client: Client) -> bool:
    return 'id="totp-secret"' not in client.get(reverse("twofactor:setup")).content.decode()


def test_m1_a_code_works_in_one_session_only(newudp, administrator, codes_required):
    _, plain = issue_enrolment_code(user=newudp, issued_by=administrator)
    first, second = Client(), Client()
    log_in(first)
    log_in(second)
    assert first.post(reverse("twofactor:setup"), {"enrolment_code": plain}).status_code == 302
    refused = second.post(reverse("twofactor:setup"), {"enrolment_code": plain})
    assert "Codice di attivazione già usato" in refused.content.decode()


def test_m1_an_administrator_issues_a_code_in_admin_and_sees_it_once(
    newudp, administrator, codes_required, settings
):
    settings.TWO_FACTOR_REQUIRED = False  # the administrator's own second factor is not the point
    admin = Client()
    admin.force_login(administrator)
    response = admin.post(reverse("admin:twofactor_enrolmentcode_add"), {"user": newudp.pk})
    assert response.status_code == 200
    html = response.content.decode()
    plain = re.search(r'class="enrolment-code"[^>]*>([A-Z0-9-]+)<', html).group(1)
    stored = EnrolmentCode.objects.get(user=newudp)
    assert plain not in stored.code_hash and check_password(plain, stored.code_hash)
    assert stored.issued_by == administrator
    # The code's own page never shows it again.
    again = admin.get(reverse("admin:twofactor_enrolmentcode_change", args=[stored.pk]))
    assert again.status_code == 200
    assert plain not in again.content.decode()

    client = Client()
    log_in(client)
    assert client.post(reverse("twofactor:setup"), {"enrolment_code": plain}).status_code == 302


def test_m1_an_administrator_issues_codes_from_the_user_list(
    newudp, administrator, codes_required, settings
):
    settings.TWO_FACTOR_REQUIRED = False  # the administrator's own second factor is not the point
    admin = Client()
    admin.force_login(administrator)
    response = admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "issue_enrolment_codes", "_selected_action": [newudp.pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "newudp" in html
    plain = re.search(r'class="enrolment-code"[^>]*>([A-Z0-9-]+)<', html).group(1)
    assert check_password(plain, EnrolmentCode.objects.get(user=newudp).code_hash)


def test_m1_the_command_issues_a_code_for_the_first_administrator(newudp, codes_required):
    out = io.StringIO()
    call_command("enrolment_code", "newudp", stdout=out)
    plain = re.search(r"([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})", out.getvalue()).group(1)
    client = Client()
    log_in(client)
    assert client.post(reverse("twofactor:setup"), {"enrolment_code": plain}).status_code == 302
