"""The follow-through on casework's pages: each closed intake's situation at exit and its
follow-up tasks on the case page, read for all the page's intakes in two queries
(``followup_of``); the work list's counts on the desk's dashboard (``worklist_counts``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import template

from activitycr import clock
from casework.models import Intake
from followup import queries
from followup.choices import DUE_SOON_DAYS, IDLE_DAYS
from followup.models import ExitSituation, FollowUpTask
from sportelli.models import Desk

register = template.Library()


@dataclass
class CaseFollowup:
    situation: ExitSituation | None = None
    tasks: list[FollowUpTask] = field(default_factory=list)


@register.simple_tag
def followup_of(intakes: Iterable[Intake]) -> dict[int, CaseFollowup]:
    """intake id -> its situation at exit and tasks: two queries for the whole page."""
    ids = [intake.pk for intake in intakes if not intake.is_open]
    found: dict[int, CaseFollowup] = {pk: CaseFollowup() for pk in ids}
    if not ids:
        return found
    for situation in ExitSituation.objects.filter(intake_id__in=ids):
        found[situation.intake_id].situation = situation
    for task in FollowUpTask.objects.filter(intake_id__in=ids).order_by("due_on", "pk"):
        found[task.intake_id].tasks.append(task)
    return found


@register.filter
def for_intake(found: Mapping[int, CaseFollowup], pk: int) -> CaseFollowup | None:
    return found.get(pk)


@register.inclusion_tag("followup/includes/_worklist_counts.html")
def worklist_counts(desk: Desk) -> dict[str, Any]:
    """The desk's work list in four figures, linking to it: three queries."""
    return {
        "desk": desk,
        "counts": queries.counts(queries.Scope(desk=desk, today=clock.today())),
        "due_soon_days": DUE_SOON_DAYS,
        "idle_days": IDLE_DAYS,
    }
