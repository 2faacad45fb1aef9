"""At every login, the user's unconfirmed TOTP devices go: the enrolment page no longer
creates any, and a key left in one by an older version was shown to whoever opened the page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from twofactor.services import remove_unconfirmed_devices


@receiver(user_logged_in, dispatch_uid="twofactor_stale_devices")
def remove_stale_devices(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    remove_unconfirmed_devices(user=user)
