"""Who may do what beyond an ordinary desk operator: each rule named once.

Views, forms, the admin, the reports and the two-factor policy ask these predicates, never a
permission string, so that "who sees every desk", "who reads the review" and "who sees the
special categories" each have one definition. The permissions themselves are declared on
the models (``casework/models.py``) and given to the roles by ``casework/roles.py``.

``sees_all_desks`` is spelled in ``sportelli/permissions.py``: desk scope is the desks'
rule, and ``Desk.objects.visible_to`` (below casework) needs it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sportelli.permissions import sees_all_desks

if TYPE_CHECKING:
    from activitycr.http import AnyUser

__all__ = ["reads_review", "sees_all_desks", "sees_special_categories"]


def reads_review(user: AnyUser) -> bool:
    """The Ufficio di Piano and administrators: the quarterly review with its record-level
    export (``casework.view_reports``)."""
    return user.has_perm("casework.view_reports")


def sees_special_categories(user: AnyUser) -> bool:
    """Special-category data (GDPR art. 9 and the ESF+ disadvantage answers): shown,
    edited and counted only for holders of ``casework.view_special_category``."""
    return user.has_perm("casework.view_special_category")
