"""django-axes' database handler with a second, looser limit per account.

axes has one failure limit and one cool-off for every combination of lockout parameters, so
two limits ("5 for a user name from one address, 50 for a user name from anywhere") cannot
be written as ``AXES_LOCKOUT_PARAMETERS``. The per-address limit stays axes' own
(``AXES_FAILURE_LIMIT``, ``AXES_COOLOFF_TIME``); this handler adds the per-account one: a user
name with ``LOGIN_ACCOUNT_FAILURE_LIMIT`` failed logins within ``LOGIN_ACCOUNT_WINDOW`` — from
any address, counted in axes' ``AccessFailureLog`` (one row per failure) — is refused
everywhere until the oldest of those failures leaves the window. Failures while locked count
too, so a guesser who keeps trying keeps the account locked: that is the price of a per-account
limit, and why it is much looser than the per-address one.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

# Set on the request when the per-account limit (not the per-address one) refused it; the
# lockout page reads it to say which lock applies.
ACCOUNT_LOCKED = "activitycr_account_locked"


def account_failures(username: str | None) -> int:
    if not username:
        return 0
    since = timezone.now() - settings.LOGIN_ACCOUNT_WINDOW
    return AccessFailureLog.objects.filter(username=username, attempt_time__gte=since).count()


class AxesHttpRequest(HttpRequest):
    """A request as django-axes hands it to its handler: ``AxesProxyHandler.update_request``
    has set these on it (and more that this handler does not read)."""

    axes_locked_out: bool
    axes_credentials: dict[str, Any] | None
    axes_ip_address: str | None


class AccountLockoutHandler(AxesDatabaseHandler):
    def _account_locked(self, request: HttpRequest, credentials: dict | None) -> bool:
        username = get_client_username(request, credentials)
        if account_failures(username) < settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            return False
        setattr(request, ACCOUNT_LOCKED, True)
        return True

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._account_locked(request, credentials)

    def user_login_failed(
        self, sender: Any, credentials: dict, request: AxesHttpRequest | None = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self._account_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def remove_out_of_limit_failure_logs(self, *, username: str, limit: int | None = None) -> int:
        """Keep the newest rows of a user name (axes' own slice has no order, so it could
        drop the recent failures this handler counts)."""
        limit = settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT if limit is None else limit
        rows = AccessFailureLog.objects.filter(username=username)
        newest = rows.order_by("-attempt_time").values_list("attempt_time", flat=True)
        oldest_kept = list(newest[limit - 1 : limit])
        if not oldest_kept:
            return 0
        count, _ = rows.filter(attempt_time__lt=oldest_kept[0]).delete()
        return count
