"""Who must log in with a second factor, and which pages they may use before doing so.

Ufficio di Piano staff (they read every desk's cases: ``casework.permissions.sees_all_desks``)
and administrators (``is_staff``) must have a confirmed TOTP device and have typed a code
from it in this session (``request.user.is_verified()``, set by django-otp's
``OTPMiddleware``).
Desk operators log in with their password only. ``TWO_FACTOR_REQUIRED=false`` turns the
rule off (the test suite does so for tests that are not about it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casework.permissions import sees_all_desks

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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


def requires_two_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or sees_all_desks(user))
