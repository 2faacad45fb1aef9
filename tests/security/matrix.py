"""Machinery of the security matrix (``test_matrix.py``): walk the URL map, build the URL of
every pattern for an object of a given desk, log a client in as a persona.

Personas and desk relation
--------------------------
Objects are created at Casalmaggiore and at Gussola. For an object at a desk, the operator
of that desk is ``own`` and the operator of the other desk is ``other``; the Ufficio di
Piano reader (``udp``), the administrator (``admin``), a logged-in user with no role
(``no_role``) and ``anonymous`` complete the six roles. For a URL without an object both
operators are ``own``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from agenda import services as agenda_services
from agenda.models import ReminderConsent
from casework.choices import ReferralOutcome
from casework.models import Intake, Meeting, Partner, Referral
from followup.choices import TaskKind
from followup.models import FollowUpTask
from tests import factories

ROLES = ("anonymous", "own", "other", "udp", "admin", "no_role")
LOGIN = "login"  # 302 to the login page (the site's or the admin's)
REDIRECT = "redirect"  # 302 somewhere that is not a login page
DESKS = ("casalmaggiore", "gussola")

# Prefixes not walked, with the reason (docs/data-protection.md):
SKIPPED_PREFIXES = {
    # Django admin: every admin view checks ModelAdmin permissions itself (Django's own
    # tests); the matrix checks the admin index and the people's changelist explicitly.
    "admin/": "Django admin: ModelAdmin permissions; index and Person list in EXTRA_URLS",
    # set_language: a public POST that only stores a cookie; no data behind it.
    "i18n/": "set_language: public, stores the language choice only",
}


@dataclass(frozen=True)
class Expect:
    """What each role gets from one URL. ``obj`` names the object kind its kwargs need."""

    obj: str  # "none", "desk", "desk_query", "person", "intake", "meeting", "referral",
    # "appointment", "consent", "reset", "import_job" (the administrator's background import)
    anonymous: int | str = LOGIN
    own: int | str = 200
    other: int | str = 404
    udp: int | str = 200
    admin: int | str = 200
    no_role: int | str = 403
    method: str = "GET"
    data: dict = field(default_factory=dict)
    query: str = ""  # more of the query string (desk_query only), e.g. "&period=..."
    note: str = ""

    def for_role(self, role: str) -> int | str:
        return getattr(self, role)


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name"
    route: str  # the full route, e.g. "persona/<int:pk>/"
    kwargs: tuple[str, ...]


def _route(pattern: URLPattern | URLResolver) -> str:
    return str(pattern.pattern)


def walk(resolvers: list | None = None, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    """Every URL pattern of the URL map, with its full route and namespaced name."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + _route(entry)
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(entry.url_patterns, route, full_ns)
        else:
            name = entry.name or ""
            qualified = f"{namespace}:{name}" if namespace and name else name
            yield Pattern(
                name=qualified or f"<unnamed {route}>",
                route=route,
                kwargs=tuple(entry.pattern.converters),
            )


def skipped(pattern: Pattern) -> bool:
    return any(pattern.route.startswith(prefix) for prefix in SKIPPED_PREFIXES)


def url_patterns() -> list[Pattern]:
    """The URL map minus the skipped prefixes, one entry per name (the first wins: the same
    view mounted twice under one name is reversed to the first)."""
    seen: dict[str, Pattern] = {}
    for pattern in walk():
        if not skipped(pattern):
            seen.setdefault(pattern.name, pattern)
    return list(seen.values())


# --- Objects and URLs -----------------------------------------------------------------------


@dataclass
class DeskObjects:
    desk_slug: str
    person_id: int
    intake_id: int
    meeting_id: int
    referral_id: int
    extra: dict[str, Any] = field(default_factory=dict)


def build_objects(desk_slug: str) -> DeskObjects:
    """A person with an open intake, a meeting, a pending referral, a booked appointment and
    a consent to reminders at ``desk_slug``."""
    person = factories.person()
    intake: Intake = factories.intake(person, desk_slug=desk_slug, opened_on=dt.date(2024, 3, 4))
    meeting: Meeting = factories.meeting(intake, days_after=3)
    referral = Referral.objects.create(
        intake=intake,
        kind="tirocinio",
        partner=Partner.objects.order_by("pk").first(),
        referred_on=dt.date(2024, 3, 8),
        outcome=ReferralOutcome.PENDING,
    )
    # A follow-up task of the same case (paused while the case is open: its POSTs are sent
    # back to the task page; the scoping is what the matrix checks).
    task = FollowUpTask.objects.create(
        intake=intake, kind=TaskKind.SIX_MONTHS, due_on=dt.date(2024, 9, 20)
    )
    appointment = agenda_services.book(
        intake=intake, operator=None, starts_at=timezone.now() + dt.timedelta(days=3)
    )
    consent = ReminderConsent.objects.create(
        person=person, channel="email", source="presenza", given_on=dt.date(2024, 3, 4)
    )
    return DeskObjects(
        desk_slug,
        person.pk,
        intake.pk,
        meeting.pk,
        referral.pk,
        extra={"appointment": appointment.pk, "consent": consent.pk, "task": task.pk},
    )


def url_for(pattern: Pattern, expect: Expect, objects: DeskObjects | None) -> str:
    if expect.obj == "desk_query":  # no kwargs; the desk travels as ?desk=<slug>
        assert not pattern.kwargs, f"{pattern.name} takes {pattern.kwargs}"
        return reverse(pattern.name) + f"?desk={objects.desk_slug}" + expect.query
    values = {
        "none": {},
        "desk": {"slug": objects.desk_slug} if objects else {},
        "person": {"pk": objects.person_id} if objects else {},
        "intake": {"pk": objects.intake_id} if objects else {},
        "meeting": {"pk": objects.meeting_id} if objects else {},
        "referral": {"pk": objects.referral_id} if objects else {},
        "appointment": {"pk": objects.extra["appointment"]} if objects else {},
        "consent": {"pk": objects.extra["consent"]} if objects else {},
        "task": {"pk": objects.extra["task"]} if objects else {},
        "reset": {"uidb64": "MQ", "token": "abc-0123456789abcdef"},
        "import_job": {"job_id": objects.extra["import_job"]} if objects else {},
    }[expect.obj]
    assert set(values) == set(pattern.kwargs), (
        f"{pattern.name}: the table says {expect.obj!r} but the route takes {pattern.kwargs}"
    )
    return reverse(pattern.name, kwargs=values or None)


# --- Logging in -----------------------------------------------------------------------------


def login(client: Client, user: AbstractBaseUser | None) -> Client:
    """Log ``user`` in; staff who need a second factor get a confirmed TOTP device and a
    verified session, as after typing the code (the matrix is about scoping, not 2FA)."""
    if user is None:
        return client
    client.force_login(user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from twofactor.policy import requires_two_factor
    except ImportError:  # pragma: no cover - the 2FA app is part of the project
        return client
    if requires_two_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="matrice", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def classify(response) -> int | str:
    """200/403/404/405... as is; a 302 becomes LOGIN or REDIRECT."""
    if response.status_code in (301, 302):
        location = response["Location"]
        return LOGIN if "/login/" in location else REDIRECT
    return response.status_code
