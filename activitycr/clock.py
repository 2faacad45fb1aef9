"""The follow-through's clock: ``now()`` and ``today()`` in Europe/Rome, movable for tests.

Reminders, the agenda and the follow-up tasks ask this clock, never ``timezone.now()``
directly, so that a test (or a demonstration) can stand at another moment: the setting
``CLOCK_OFFSET`` (a ``datetime.timedelta``, from the environment variable
``CLOCK_OFFSET_DAYS``) moves every reading forward or back. Zero in production.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def offset() -> dt.timedelta:
    value = getattr(settings, "CLOCK_OFFSET", dt.timedelta(0))
    return value if isinstance(value, dt.timedelta) else dt.timedelta(0)


def now() -> dt.datetime:
    """The current moment (aware, UTC), moved by ``CLOCK_OFFSET``."""
    return timezone.now() + offset()


def today() -> dt.date:
    """Today's date in the project's time zone (Europe/Rome), moved by ``CLOCK_OFFSET``."""
    return timezone.localdate(now())
