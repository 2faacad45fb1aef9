"""Who may open what: every operator page for anonymous users (login page), users without a
role (403), operators of another desk (404), the Ufficio di Piano (reads yes, writes 403)
and the desk's own operator (200)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from casework.choices import ClosureReason, IntakeStatus, ReferralKind
from casework.models import Partner, Referral
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    """A Casalmaggiore case with a meeting and a referral, and a closed one to reopen."""
    intake = factories.intake()
    meeting = factories.meeting(intake)
    referral = Referral.objects.create(
        intake=intake,
        kind=ReferralKind.JOB_CANDIDACY,
        partner=Partner.objects.get(name__icontains="Mestieri"),
        referred_on=intake.opened_on,
    )
    closed = factories.intake(
        status=IntakeStatus.CLOSED,
        closed_on=intake.opened_on,
        closure_reason=ClosureReason.WITHDRAWN,
    )
    return {"intake": intake, "meeting": meeting, "referral": referral, "closed": closed}


# (url name, how to build the args from the case, needs a write permission)
READ_PAGES = [
    ("casework:desk", lambda c: ["casalmaggiore"]),
    ("casework:search", lambda c: ["casalmaggiore"]),
    ("casework:person", lambda c: [c["intake"].person_id]),
    ("casework:intake", lambda c: [c["intake"].pk]),
]
WRITE_PAGES = [
    ("casework:intake_new", lambda c: ["casalmaggiore"]),
    ("casework:person_edit", lambda c: [c["intake"].person_id]),
    ("followup:intake_close", lambda c: [c["intake"].pk]),
    ("casework:meeting_add", lambda c: [c["intake"].pk]),
    ("casework:meeting_edit", lambda c: [c["meeting"].pk]),
    ("casework:referral_add", lambda c: [c["intake"].pk]),
    ("casework:referral_edit", lambda c: [c["referral"].pk]),
    ("casework:referral_outcome", lambda c: [c["referral"].pk]),
]
POST_ONLY = [
    ("casework:intake_reopen", lambda c: [c["closed"].pk]),
]
ALL_PAGES = READ_PAGES + WRITE_PAGES
PAGE_IDS = [name for name, _ in ALL_PAGES]


def url(name, args, case):
    return reverse(name, args=args(case))


@pytest.mark.parametrize(("name", "args"), ALL_PAGES + POST_ONLY, ids=[*PAGE_IDS, "reopen"])
def test_anonymous_goes_to_login(client, case, name, args):
    target = url(name, args, case)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # POSTs too: nothing is written and the login page is the answer.
    response = client.post(target, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_home_and_json_endpoints_go_to_login(client):
    for target in (
        reverse("home"),
        reverse("casework:home"),
        reverse("sportelli:comune_autocomplete") + "?q=casal",
    ):
        response = client.get(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("casework:cf_decode"), {"fiscal_code": "X"})
    assert response.status_code == 302


@pytest.mark.parametrize(("name", "args"), ALL_PAGES, ids=PAGE_IDS)
def test_user_without_role_gets_403(client, no_role_user, case, name, args):
    client.force_login(no_role_user)
    assert client.get(url(name, args, case)).status_code == 403
    assert client.post(url(name, args, case), {}).status_code == 403


def test_user_without_role_gets_403_on_home_and_json(client, no_role_user, case):
    client.force_login(no_role_user)
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("sportelli:comune_autocomplete") + "?q=casal").status_code == 403
    assert client.post(reverse("casework:cf_decode"), {"fiscal_code": "X"}).status_code == 403
    reopen = reverse("casework:intake_reopen", args=[case["closed"].pk])
    assert client.post(reopen, {"version": 1}).status_code == 403


@pytest.mark.parametrize(("name", "args"), ALL_PAGES, ids=PAGE_IDS)
def test_operator_of_another_desk_gets_404(client, op_gussola, case, name, args):
    client.force_login(op_gussola)
    assert client.get(url(name, args, case)).status_code == 404
    assert client.post(url(name, args, case), {}).status_code == 404


def test_operator_of_another_desk_cannot_reopen(client, op_gussola, case):
    client.force_login(op_gussola)
    reopen = reverse("casework:intake_reopen", args=[case["closed"].pk])
    assert client.post(reopen, {"version": 1}).status_code == 404
    case["closed"].refresh_from_db()
    assert case["closed"].status == IntakeStatus.CLOSED


@pytest.mark.parametrize(("name", "args"), READ_PAGES, ids=[n for n, _ in READ_PAGES])
def test_planning_office_reads_every_desk(client, udp_reader, case, name, args):
    client.force_login(udp_reader)
    response = client.get(url(name, args, case), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "args"), WRITE_PAGES, ids=[n for n, _ in WRITE_PAGES])
def test_planning_office_cannot_write(client, udp_reader, case, name, args):
    client.force_login(udp_reader)
    assert client.get(url(name, args, case)).status_code == 403
    assert client.post(url(name, args, case), {}).status_code == 403


def test_planning_office_cannot_reopen_or_decode(client, udp_reader, case):
    client.force_login(udp_reader)
    reopen = reverse("casework:intake_reopen", args=[case["closed"].pk])
    assert client.post(reopen, {"version": 1}).status_code == 403
    assert client.post(reverse("casework:cf_decode"), {"fiscal_code": "X"}).status_code == 403
    case["closed"].refresh_from_db()
    assert case["closed"].status == IntakeStatus.CLOSED


@pytest.mark.parametrize(("name", "args"), ALL_PAGES, ids=PAGE_IDS)
def test_desk_operator_opens_every_page(client, op_casalmaggiore, case, name, args):
    client.force_login(op_casalmaggiore)
    response = client.get(url(name, args, case), follow=True)
    assert response.status_code == 200
    assert response.content.count(b"<h1") == 1


def test_reopen_is_post_only(client, op_casalmaggiore, case):
    client.force_login(op_casalmaggiore)
    reopen = reverse("casework:intake_reopen", args=[case["closed"].pk])
    assert client.get(reopen).status_code == 405
    assert client.get(reverse("casework:cf_decode")).status_code == 405


@pytest.mark.parametrize(("name", "args"), ALL_PAGES, ids=PAGE_IDS)
def test_pages_have_no_inline_script_or_style(client, op_casalmaggiore, case, name, args):
    """Ready for a Content-Security-Policy without 'unsafe-inline'."""
    client.force_login(op_casalmaggiore)
    for response in (
        client.get(url(name, args, case), follow=True),
        client.post(url(name, args, case), {"q": ""}, follow=True),
    ):
        html = response.content.decode()
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
        assert re.search(r"\sstyle=", html) is None
        assert re.search(r"\son[a-z]+=", html) is None
