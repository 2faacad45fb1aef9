"""The follow-through on the case page: each closed intake's situation at exit and its
follow-up tasks, read for all the page's intakes in two queries (``followup_of``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django import template

from casework.models import Intake
from followup.models import ExitSituation, FollowUpTask

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
