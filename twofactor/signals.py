"""At every login, the user's unconfirmed TOTP devices go: the enrolment page no longer
creates any, and a key left in one by an older version was shown to whoever opened the page.
At logout, the login page the user lands on says so."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _

from twofactor.services import remove_unconfirmed_devices


@receiver(user_logged_in, dispatch_uid="twofactor_stale_devices")
def remove_stale_devices(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    remove_unconfirmed_devices(user=user)


@receiver(user_logged_out, dispatch_uid="twofactor_logged_out_message")
def say_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """The login page after *Esci* says why it is there (UX audit C37)."""
    if request is not None and user is not None:
        messages.info(request, _("Sei uscito. Per continuare accedi di nuovo."), fail_silently=True)
