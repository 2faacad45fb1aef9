"""django-axes' lockout check as an authentication backend.

Every login through the web (the login page, the admin's login) passes the request and is
checked. ``authenticate()`` without a request — Django's test client ``login()``, a shell —
is not a web login and cannot be brute-forced from outside; axes would raise on it, this
backend lets the next backend decide.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
