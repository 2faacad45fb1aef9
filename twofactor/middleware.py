"""Send staff who have not passed the second factor to the verification (or enrolment) page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp import user_has_device

from twofactor.policy import EXEMPT_VIEWS, is_verified, requires_two_factor


class RequireTwoFactorMiddleware:
    """Goes after ``django_otp.middleware.OTPMiddleware`` in ``MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not settings.TWO_FACTOR_REQUIRED:
            return None
        user = request.user
        if not requires_two_factor(user) or is_verified(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        target = "twofactor:verify" if user_has_device(user) else "twofactor:setup"
        return redirect_to_login(request.get_full_path(), reverse(target))
