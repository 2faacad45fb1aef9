"""Who must log in with a second factor, and which pages they may use before doing so.

Ufficio di Piano staff (they read every desk's cases: ``casework.permissions.sees_all_desks``)
and administrators (``is_staff``) must have a confirmed TOTP device and have typed a code
from it in this session (``request.user.is_verified()``, set by django-otp's
``OTPMiddleware``).
Desk operators log in with their password only. ``TWO_FACTOR_REQUIRED=false`` turns the
rule off (the test suite does so for tests that are not about it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from casework.permissions import sees_all_desks

if TYPE_CHECKING:
    from activitycr.http import AnyUser

# Views an unverified staff member may still open: enrolment, verification, leaving.
EXEMPT_VIEWS = frozenset(
    {
        "twofactor:setup",
        "twofactor:verify",
        "login",
        "logout",
        "admin:logout",
        "set_language",
        "healthz",
    }
)


class _OTPUser(Protocol):
    """What django-otp's ``OTPMiddleware`` adds to ``request.user``, anonymous or not."""

    def is_verified(self) -> bool: ...


def requires_two_factor(user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or sees_all_desks(user))


def is_verified(user: AnyUser) -> bool:
    """Whether this session's user has typed a code from a confirmed device. ``user`` is a
    ``request.user`` that went through ``OTPMiddleware`` (right after Django's
    ``AuthenticationMiddleware`` in ``MIDDLEWARE``), which installs ``is_verified()`` on it."""
    return cast(_OTPUser, user).is_verified()
