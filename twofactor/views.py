"""Enrolment (``setup``) and verification (``verify``) of the TOTP second factor, and the
password change that counts wrong current passwords as failed logins.

Thin views: the device work is django-otp's (``TOTPDevice.verify_token`` throttles repeated
wrong codes); the QR code is drawn here, server-side, as SVG by ``qrcode`` — the secret never
leaves the app for an external service. Enrolment keeps its pending key in the login session
and creates the device only when a code confirms it (``twofactor.services``); with
``TWO_FACTOR_ENROLMENT_CODE_REQUIRED`` it first asks for an administrator's one-time code.
"""

from __future__ import annotations

import base64
import io
import math
from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import django_otp
import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from activitycr.http import AuthenticatedHttpRequest
from twofactor import pending, services
from twofactor.forms import EnrolmentCodeForm, LockoutPasswordChangeForm, TokenForm
from twofactor.policy import is_verified, requires_two_factor

# Session keys of an enrolment in progress: the pending TOTP key, and the enrolment code
# already redeemed in this session. Both carry the user's id, and go at confirmation.
PENDING_KEY = "twofactor_pending_key"
REDEEMED_CODE = "twofactor_enrolment_code"
# Below this many tries left before the lockout, the login page says how many are left.
LOGIN_TRIES_WARNING = 3


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    request.session.cycle_key()  # a new session id for the higher privilege
    django_otp.login(request, device)


def _for_user(request: HttpRequest, name: str) -> Any:
    entry = request.session.get(name)
    if isinstance(entry, dict) and entry.get("user") == request.user.pk:
        return entry.get("value")
    return None


def _pending_key(request: HttpRequest) -> str:
    """This session's enrolment key: made at the first visit, the same on a reload, never
    stored outside the session until a code confirms it."""
    key = _for_user(request, PENDING_KEY)
    if not key:
        key = services.new_pending_key()
        request.session[PENDING_KEY] = {"user": request.user.pk, "value": key}
    return key


def _enrolment_code_step(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            code = services.redeem_enrolment_code(
                user=request.user, typed=form.cleaned_data["enrolment_code"]
            )
        except ValidationError as error:
            form.add_error("enrolment_code", error)
        else:
            request.session[REDEEMED_CODE] = {"user": request.user.pk, "value": code.pk}
            query = urlencode({"next": _next_url(request)})
            return HttpResponseRedirect(f"{resolve_url('twofactor:setup')}?{query}")
    return render(
        request,
        "registration/twofactor_enrolment_code.html",
        {"form": form, "next": _next_url(request), "required": requires_two_factor(request.user)},
    )


@never_cache
@sensitive_post_parameters("token", "enrolment_code")
@login_required
def setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code."""
    user = request.user
    if is_verified(user):
        return HttpResponseRedirect(_next_url(request))
    if any(devices_for_user(user, confirmed=True)):
        # Replacing a device needs the old one (or an administrator who deletes it).
        return HttpResponseRedirect(resolve_url("twofactor:verify") + "?" + request.GET.urlencode())
    if settings.TWO_FACTOR_ENROLMENT_CODE_REQUIRED and _for_user(request, REDEEMED_CODE) is None:
        return _enrolment_code_step(request)

    key = _pending_key(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.confirm_device(user=user, key=key, token=form.cleaned_data["token"])
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            request.session.pop(REDEEMED_CODE, None)
            _mark_verified(request, device)
            messages.success(request, _("Accesso a due fattori attivato."))
            return HttpResponseRedirect(_next_url(request))
        form.refuse(
            _(
                "Codice non valido o scaduto: scrivere il codice mostrato adesso dall'app. "
                "Se continua a essere rifiutato, controllare che il telefono abbia l'ora "
                "impostata automaticamente."
            )
        )
    pending = TOTPDevice(user=user, name=services.DEVICE_NAME, key=key)  # never saved
    return render(
        request,
        "registration/twofactor_setup.html",
        {
            "form": form,
            "qr_code": _qr_data_uri(pending.config_url),
            "secret": b32encode(pending.bin_key).decode("ascii"),
            "next": _next_url(request),
            "required": requires_two_factor(user),
        },
    )


def _throttle_wait(devices: list[Any]) -> int:
    """Whole seconds (rounded up) until django-otp accepts a code again, 0 if it does now:
    after each wrong code it refuses every code for 1, 2, 4… seconds."""
    now = timezone.now()
    waits = []
    for device in devices:
        allowed, detail = device.verify_is_allowed()
        if allowed:
            return 0
        locked_until = (detail or {}).get("locked_until")
        if locked_until is not None:
            waits.append(max(1, math.ceil((locked_until - now).total_seconds())))
    return min(waits, default=0)


def _wait_message(seconds: int) -> str:
    return ngettext(
        "Dopo un codice errato bisogna attendere: riprova tra %(seconds)d secondo.",
        "Dopo un codice errato bisogna attendere: riprova tra %(seconds)d secondi.",
        seconds,
    ) % {"seconds": seconds}


@never_cache
@sensitive_post_parameters("token")
@login_required
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for the current code of the user's authenticator app."""
    user = request.user
    if is_verified(user):
        return HttpResponseRedirect(_next_url(request))
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return HttpResponseRedirect(resolve_url("twofactor:setup") + "?" + request.GET.urlencode())

    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        wait = _throttle_wait(devices)
        if wait:
            # django-otp refuses every code during the slow-down, the right one too: say so,
            # with the seconds left, instead of calling a right code wrong.
            form.refuse(_wait_message(wait))
        else:
            for device in devices:
                if device.verify_token(token):
                    _mark_verified(request, device)
                    return HttpResponseRedirect(_next_url(request))
            wait = _throttle_wait(devices)
            message = _("Codice non valido o scaduto.")
            form.refuse(f"{message} {_wait_message(wait)}" if wait else message)
    return render(
        request,
        "registration/twofactor_verify.html",
        {
            "form": form,
            "next": _next_url(request),
            # So that a user who never enrolled notices that someone else did.
            "activated_at": max((d.created_at for d in devices if d.created_at), default=None),
        },
    )


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only), and the login page then says why it appears."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("Sei uscito. Per continuare, accedi di nuovo."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a wrong current password is a failed login for django-axes
    (``LockoutPasswordChangeForm``), and when that locks the account the session ends here
    and ``AxesMiddleware`` answers with the lockout page."""

    form_class = LockoutPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form: LockoutPasswordChangeForm) -> HttpResponse:
        if getattr(self.request, "axes_locked_out", False):
            logout(self.request)
        return super().form_invalid(form)


@require_POST
@login_required
def keepalive(request: HttpRequest) -> HttpResponse:
    """ "Continua a lavorare": any request renews the session (``SESSION_SAVE_EVERY_REQUEST``);
    this one does nothing else."""
    return HttpResponse(status=204)


class LoginView(auth_views.LoginView):
    """Django's login, saying why it appeared when a form sent after the session expired is
    kept for after it (``twofactor.pending``)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form_kept"] = pending.waiting(self.request)
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        """After a refused password, say how many tries are left before the lockout when
        they are few (UX audit C 37): the count axes keeps for this name from this computer."""
        username = form.data.get("username", "")
        if form.non_field_errors() and username:
            credentials = {"username": username}
            failures = AxesProxyHandler.get_failures(self.request, credentials)
            left = get_failure_limit(self.request, credentials) - failures
            if 0 < left <= LOGIN_TRIES_WARNING:
                form.add_error(
                    None,
                    ngettext(
                        "Resta %(left)d tentativo prima che l'accesso venga bloccato.",
                        "Restano %(left)d tentativi prima che l'accesso venga bloccato.",
                        left,
                    )
                    % {"left": left},
                )
        return super().form_invalid(form)
