"""Desk scope: who sees the cases of every desk.

The permission is declared with the case records (``casework.view_all_desks``, on
``Intake``), but the rule is about desks, so it is spelled here, in the lowest app that asks
it: ``Desk.objects.visible_to`` does. ``casework.permissions`` re-exports it with the other
rules, and everything above casework asks that one module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from activitycr.http import AnyUser


def sees_all_desks(user: AnyUser) -> bool:
    """The Ufficio di Piano and administrators: every desk's cases, not only their own."""
    return user.is_authenticated and user.has_perm("casework.view_all_desks")
