"""The application's clock: what "now" and "today" are for the follow-through (follow-up tasks
falling due, the work list, the dates an answer may carry).

In production it is the real clock. ``settings.CLOCK_NOW`` (environment ``CLOCK_NOW``, an ISO
date-time such as ``2027-06-01T09:00``; unset by default) moves it, so that a demonstration
or a test can see what the desk sees six months after a closure without waiting for it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    """The current time (aware), or the time the settings fix."""
    fixed = getattr(settings, "CLOCK_NOW", None)
    if not fixed:
        return timezone.now()
    moment = dt.datetime.fromisoformat(str(fixed))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def today() -> dt.date:
    """The local date (Europe/Rome) of :func:`now`."""
    return timezone.localdate(now())
