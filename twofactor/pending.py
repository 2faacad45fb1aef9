"""A form sent after the session expired is not lost.

Sessions end after ``SESSION_COOKIE_AGE`` seconds without a request. When a form is sent
after that, the view's ``login_required`` answers with the login page and the POST would
be gone. :class:`PendingFormMiddleware` keeps it instead, server-side only:

* an anonymous POST to a page that shows it again (``needs(..., resumable=True)`` in
  ``casework.views``) answered with a redirect to the login page, from a browser whose
  session cookie names a session that has *expired* (so it was logged in, as that session's
  user, and did not log out: logging out deletes the session), stores the POST (minus the
  CSRF token, at most :data:`MAX_BYTES`) in a :class:`~twofactor.models.PendingForm` bound
  to that user, and sets an HttpOnly cookie holding only an opaque random token;
* the login page then says why it appeared (:func:`waiting`);
* after logging in, the first GET of the same page by the *same* user hands the data to the
  view as ``request.resumed_form`` (a ``QueryDict``, read by
  ``casework.editing.resumed``), which shows the form bound to it, unsaved; the row and
  the cookie go. If another user logs in, the row and the cookie go at their first page.
* Nothing is kept longer than :data:`KEEP_FOR`; ``twofactor_cleanup`` sweeps leftovers.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils import timezone

from twofactor.models import PendingForm

COOKIE = "activitycr_modulo"
KEEP_FOR = dt.timedelta(minutes=15)
MAX_BYTES = 64 * 1024
NOT_KEPT = frozenset({"csrfmiddlewaretoken"})
DB_ENGINES = {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}


def sweep() -> int:
    """Delete what is older than :data:`KEEP_FOR`; how many rows went."""
    return PendingForm.objects.filter(created_at__lte=timezone.now() - KEEP_FOR).delete()[0]


def _fresh(token: str) -> PendingForm | None:
    if not token:
        return None
    return PendingForm.objects.filter(token=token, created_at__gt=timezone.now() - KEEP_FOR).first()


def waiting(request: HttpRequest) -> bool:
    """Whether this browser sent a form after its session expired, kept for it now."""
    return _fresh(request.COOKIES.get(COOKIE, "")) is not None


def _expired_session_user(session_key: str) -> int | None:
    """The user id of an *expired* session still stored, else None."""
    if not session_key or settings.SESSION_ENGINE not in DB_ENGINES:
        return None
    row = Session.objects.filter(session_key=session_key, expire_date__lte=timezone.now()).first()
    if row is None:
        return None
    user_id = row.get_decoded().get("_auth_user_id")
    try:
        return int(user_id) if user_id is not None else None
    except (TypeError, ValueError):
        return None


def _keep(request: HttpRequest) -> str | None:
    match = request.resolver_match
    if match is None or not getattr(match.func, "resumes_typed_form", False):
        return None  # a page that would not show it again: nothing is kept
    user_id = _expired_session_user(request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""))
    if user_id is None or request.FILES:
        return None
    data = {key: request.POST.getlist(key) for key in request.POST if key not in NOT_KEPT}
    if not data or len(json.dumps(data).encode()) > MAX_BYTES:
        return None
    sweep()
    PendingForm.objects.filter(user_id=user_id).delete()  # one at a time: one cookie
    token = secrets.token_urlsafe(32)
    PendingForm.objects.create(token=token, user_id=user_id, path=request.path, data=data)
    return token


def _resume(request: HttpRequest, token: str) -> bool:
    """Hand the kept data to the view if this is its page and its user; whether the
    cookie is done with."""
    pending = _fresh(token)
    if pending is None:
        sweep()
        return True
    if pending.user_id != request.user.pk:
        pending.delete()  # someone else logged in: theirs is not to see
        return True
    if pending.path != request.path:
        return False  # not there yet (second factor, landing page)
    resumed = QueryDict(mutable=True)
    for key, values in pending.data.items():
        resumed.setlist(key, [str(v) for v in values])
    resumed._mutable = False
    request.resumed_form = resumed  # type: ignore[attr-defined]
    pending.delete()
    return True


def _to_login(response: HttpResponse) -> bool:
    if response.status_code != 302:
        return False
    return urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)


class PendingFormMiddleware:
    """Goes after ``RequireTwoFactorMiddleware`` in ``MIDDLEWARE``: the kept data is handed
    over in ``process_view``, which runs only when the second factor (if required) lets the
    request through to its view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "POST" and not request.user.is_authenticated and _to_login(response):
            kept = _keep(request)
            if kept:
                response.set_cookie(
                    COOKIE,
                    kept,
                    max_age=int(KEEP_FOR.total_seconds()),
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
                return response
        if getattr(request, "_pending_form_done", False):
            response.delete_cookie(COOKIE, samesite="Lax")
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        token = request.COOKIES.get(COOKIE, "")
        if token and request.method == "GET" and request.user.is_authenticated:
            request._pending_form_done = _resume(request, token)  # type: ignore[attr-defined]
