"""The agenda's parts of the operators' pages that belong to ``casework``: the case page's
appointments, reminders and consents, and the dashboard's upcoming appointments.

Template tags keep the layering: ``casework`` knows nothing of the agenda, its templates
load these tags, and each tag runs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django import template

from activitycr import clock
from agenda import queries
from casework.models import Intake, Person
from sportelli.models import Desk

register = template.Library()


@register.inclusion_tag("agenda/includes/_case_panel.html", takes_context=True)
def agenda_panel(
    context: template.Context, person: Person, intakes: list[Intake]
) -> dict[str, Any]:
    """``intakes``: the person's cases the case page already read (those at the user's
    desks); an appointment can be booked in the open ones."""
    request = context["request"]
    user = request.user
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "person": person,
        "agenda": queries.person_agenda(user=user, person=person),
        "open_intakes": [i for i in intakes if i.is_open],
        "now": clock.now(),
        "can_book": user.has_perm("agenda.add_appointment"),
        "can_change": user.has_perm("agenda.change_appointment"),
        "can_record": user.has_perm("casework.add_meeting"),
        "can_consent": user.has_perm("agenda.add_reminderconsent"),
        "can_withdraw": user.has_perm("agenda.change_reminderconsent"),
        "mine": False,
    }


@register.inclusion_tag("agenda/includes/_upcoming.html", takes_context=True)
def agenda_upcoming(context: template.Context, desk: Desk) -> dict[str, Any]:
    return {
        "desk": desk,
        "appointments": queries.upcoming(desk=desk, now=clock.now()),
        "today": clock.today(),
        "can_view": context["request"].user.has_perm("agenda.view_appointment"),
    }
