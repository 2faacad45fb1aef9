"""Session expiry (issue 10 item 1): the keepalive endpoint, and a form sent after the
session expired kept server-side for the same user across the new login
(twofactor/pending.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import roles
from casework.models import Meeting, Person
from tests import factories
from twofactor.models import PendingForm
from twofactor.pending import COOKIE

NOTES = "Cerca lavoro come saldatore, disponibile su turni"
EXPIRED_NOTICE = "La sessione è scaduta per inattività"


@pytest.fixture
def intake(db):
    return factories.intake()


def _login(client: Client, user) -> None:
    assert client.login(username=user.username, password="pw-test-1234")


def _expire(client: Client) -> None:
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )


def _send_meeting(client: Client, intake) -> object:
    return client.post(
        reverse("casework:meeting_add", args=[intake.pk]),
        {"held_on": "16/02/2021", "mode": "presenza", "attended": "on", "notes": NOTES},
    )


def test_keepalive_renews_the_session(client, op_casalmaggiore):
    _login(client, op_casalmaggiore)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=30)
    )
    response = client.post(reverse("keepalive"))
    assert response.status_code == 204
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + dt.timedelta(
        minutes=20
    )
    assert client.get(reverse("keepalive")).status_code == 405


def test_keepalive_when_expired_goes_to_login(client, op_casalmaggiore):
    _login(client, op_casalmaggiore)
    _expire(client)
    response = client.post(reverse("keepalive"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logged_in_pages_carry_the_warning(client, op_casalmaggiore, settings):
    settings.SESSION_COOKIE_AGE = 600
    _login(client, op_casalmaggiore)
    page = client.get(reverse("password_change")).content.decode()
    assert 'role="alertdialog"' in page
    assert 'data-idle-seconds="600"' in page
    assert "Continua a lavorare" in page
    assert "js/session.js" in page
    assert "session.js" not in Client().get(reverse("login")).content.decode()


def test_form_sent_after_expiry_comes_back_after_login(client, op_casalmaggiore, intake):
    _login(client, op_casalmaggiore)
    _expire(client)
    page_url = reverse("casework:meeting_add", args=[intake.pk])
    response = _send_meeting(client, intake)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Meeting.objects.exists()
    # The browser holds only an opaque token; the notes are nowhere in its cookies.
    token = client.cookies[COOKIE]
    assert token["httponly"]
    assert len(token.value) >= 40
    for cookie in client.cookies.values():
        assert "saldatore" not in cookie.value
    pending = PendingForm.objects.get()
    assert pending.user == op_casalmaggiore
    assert pending.path == page_url
    assert "csrfmiddlewaretoken" not in pending.data

    login_page = client.get(response["Location"]).content.decode()
    assert EXPIRED_NOTICE in login_page

    _login(client, op_casalmaggiore)
    page = client.get(page_url).content.decode()
    assert NOTES in page
    assert "non è ancora salvato" in page
    assert not Meeting.objects.exists()  # shown again, not saved
    assert not PendingForm.objects.exists()
    assert client.cookies[COOKIE].value == ""  # deleted
    assert NOTES not in client.get(page_url).content.decode()  # once only


def test_another_user_logging_in_gets_nothing(client, op_casalmaggiore, intake):
    colleague = factories.user("op.collega", role=roles.OPERATOR, desks=("casalmaggiore",))
    _login(client, op_casalmaggiore)
    _expire(client)
    _send_meeting(client, intake)
    assert PendingForm.objects.count() == 1
    _login(client, colleague)
    page = client.get(reverse("casework:meeting_add", args=[intake.pk])).content.decode()
    assert NOTES not in page
    assert not PendingForm.objects.exists()
    # The rightful user, logging in after, finds nothing either: the data is gone.
    _login(client, op_casalmaggiore)
    assert (
        NOTES not in client.get(reverse("casework:meeting_add", args=[intake.pk])).content.decode()
    )


def test_kept_for_fifteen_minutes_at_most(client, op_casalmaggiore, intake):
    _login(client, op_casalmaggiore)
    _expire(client)
    _send_meeting(client, intake)
    PendingForm.objects.update(created_at=timezone.now() - dt.timedelta(minutes=15, seconds=1))
    assert EXPIRED_NOTICE not in client.get(reverse("login")).content.decode()
    _login(client, op_casalmaggiore)
    assert (
        NOTES not in client.get(reverse("casework:meeting_add", args=[intake.pk])).content.decode()
    )
    assert not PendingForm.objects.exists()


def test_cleanup_sweeps_stale_forms(client, op_casalmaggiore, intake):
    from django.core.management import call_command

    _login(client, op_casalmaggiore)
    _expire(client)
    _send_meeting(client, intake)
    call_command("twofactor_cleanup")
    assert PendingForm.objects.count() == 1
    PendingForm.objects.update(created_at=timezone.now() - dt.timedelta(minutes=16))
    call_command("twofactor_cleanup")
    assert not PendingForm.objects.exists()


def test_nothing_kept_without_an_expired_session(client, op_casalmaggiore, intake):
    # Never logged in, or logged out (the session row is gone): nothing is kept.
    assert _send_meeting(Client(), intake).status_code == 302
    _login(client, op_casalmaggiore)
    client.post(reverse("logout"))
    _send_meeting(client, intake)
    assert not PendingForm.objects.exists()
    assert COOKIE not in client.cookies


def test_edit_sent_after_expiry_comes_back(client, op_casalmaggiore, intake):
    meeting = factories.meeting(intake, notes="Prima versione")
    page_url = reverse("casework:meeting_edit", args=[meeting.pk])
    _login(client, op_casalmaggiore)
    form = client.get(page_url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(notes=NOTES, held_on="22/02/2021", attended="on", activities=[])
    data["_base"] = client.get(page_url).context["edit_base"]
    _expire(client)
    client.post(page_url, data)
    _login(client, op_casalmaggiore)
    page = client.get(page_url).content.decode()
    assert NOTES in page
    meeting.refresh_from_db()
    assert meeting.notes == "Prima versione"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("casework:search", {"q": "RSSMRA80A01B898X"}),
    ],
)
def test_pages_that_would_not_show_it_again_keep_nothing(client, op_casalmaggiore, name, data):
    _login(client, op_casalmaggiore)
    _expire(client)
    response = client.post(reverse(name, args=["casalmaggiore"]), data)
    assert response["Location"].startswith(reverse("login"))
    assert not PendingForm.objects.exists()
    assert COOKIE not in client.cookies
    assert EXPIRED_NOTICE not in client.get(response["Location"]).content.decode()


def test_comes_back_after_the_second_factor_too(  # administrators type a TOTP code
    client, administrator, intake, settings
):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.TWO_FACTOR_REQUIRED = True
    device = TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
    page_url = reverse("casework:meeting_add", args=[intake.pk])
    client.force_login(administrator)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert NOTES not in client.get(page_url).content.decode()  # verified: the page opens
    _expire(client)
    _send_meeting(client, intake)
    assert PendingForm.objects.count() == 1

    logged_in = client.post(
        reverse("login"),
        {"username": administrator.username, "password": "pw-test-1234", "next": page_url},
    )
    assert logged_in["Location"] == page_url
    to_verify = client.get(page_url)  # not verified yet: sent to the second factor
    assert to_verify["Location"].startswith(reverse("twofactor:verify"))
    assert PendingForm.objects.count() == 1  # still kept
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    verified = client.post(reverse("twofactor:verify"), {"token": code, "next": page_url})
    assert verified["Location"] == page_url
    assert NOTES in client.get(page_url).content.decode()
    assert not PendingForm.objects.exists()


def test_a_new_intake_sent_after_expiry_comes_back_after_login(client, op_casalmaggiore):
    """The form operators fill with the person in front of them: what was typed is shown
    again, unsaved, after the new login, and nothing was registered meanwhile."""
    page_url = reverse("casework:intake_new", args=["casalmaggiore"])
    _login(client, op_casalmaggiore)
    _expire(client)
    typed = {"fiscal_code": "RSSMRA80A01B898X", "last_name": "Rossigniolo", "first_name": "Mara"}
    response = client.post(page_url, typed)
    assert response["Location"].startswith(reverse("login"))
    assert PendingForm.objects.count() == 1
    assert EXPIRED_NOTICE in client.get(response["Location"]).content.decode()
    _login(client, op_casalmaggiore)
    page = client.get(page_url).content.decode()
    assert "Rossigniolo" in page and "RSSMRA80A01B898X" in page
    assert not Person.objects.filter(last_name="Rossigniolo").exists()
    assert not PendingForm.objects.exists()
