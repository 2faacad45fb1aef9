"""Types of the user and the request that views, services and queries pass around.

``request.user`` is a ``User`` or an ``AnonymousUser``: :data:`AnyUser`. Behind
``login_required`` (or the admin's own login) it is always a ``User``, and a view says so
by taking an :class:`AuthenticatedHttpRequest`. The project keeps Django's own user model
(no ``AUTH_USER_MODEL``), so ``User`` is ``django.contrib.auth.models.User``.

These are annotations for mypy: at run time nothing here changes a request or a user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, cast

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

AnyUser: TypeAlias = "User | AnonymousUser"


class AuthenticatedHttpRequest(HttpRequest):
    """A request that ``login_required`` has let through: its user has logged in."""

    user: User


def logged_in_user(request: HttpRequest) -> User:
    """``request.user`` where Django calls with a plain ``HttpRequest`` although a login is
    already required: the methods of a ``ModelAdmin`` (the admin site lets in only logged-in
    staff) and views whose signature a base class fixes."""
    return cast("User", request.user)
