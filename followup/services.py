"""Writes of the follow-through: closing a case with its situation at exit, scheduling the
follow-up tasks, recording contact attempts and answers. Typed, keyword-only, atomic,
``full_clean()`` before ``save()``.

Scheduling is idempotent: a case has at most one task of each kind
(``followup_task_one_per_kind``). Closing (or correcting the closing date) creates or moves
the open tasks; a known situation at exit answers the four-week check; reopening a case
pauses its tasks (the work list shows the tasks of closed cases only) and closing it again
moves them to the new date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from activitycr import clock
from agenda import services as agenda_services
from agenda.models import Appointment, AppointmentStatus
from casework import services as casework_services
from casework.choices import LabourStatus
from casework.models import Intake
from followup.choices import (
    EXIT_CHECK_DAYS,
    AttemptChannel,
    AttemptOutcome,
    ExitResult,
    Source,
    TaskKind,
    TaskStatus,
)
from followup.models import RESULT_FIELDS, ContactAttempt, ExitSituation, FollowUpTask

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class ExitAnswer:
    """The situation at exit as typed: no results means not known yet."""

    results: frozenset[ExitResult]
    source: str = ""
    as_of: dt.date | None = None

    @property
    def known(self) -> bool:
        return bool(self.results)


def _fmt(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def check_exit_answer(
    answer: ExitAnswer,
    *,
    opened_on: dt.date,
    closed_on: dt.date | None,
    fields: tuple[str, str, str],
) -> None:
    """A known situation has a source and a date between the intake and four weeks after
    the exit (ESF+: "within four weeks of leaving"), not in the future; ``fields`` name the
    form fields of (results, source, date) for the messages."""
    results_field, source_field, date_field = fields
    errors: dict[str, str] = {}
    if ExitResult.NONE in answer.results and len(answer.results) > 1:
        errors[results_field] = _("«Nessuna di queste» esclude le altre voci.")
    if not answer.known:
        if answer.source or answer.as_of:
            errors[results_field] = _(
                "Indicare la situazione, oppure lasciare vuote anche fonte e data."
            )
    else:
        if not answer.source:
            errors[source_field] = _("Indicare la fonte dell'informazione.")
        if answer.as_of is None:
            errors[date_field] = _("Indicare la data a cui si riferisce la situazione.")
        else:
            closed = closed_on
            if answer.as_of > clock.today():
                errors[date_field] = _("La data non può essere nel futuro.")
            elif answer.as_of < opened_on:
                errors[date_field] = _(
                    "La data non può precedere la presa in carico (%(date)s)."
                ) % {"date": _fmt(opened_on)}
            elif closed and answer.as_of > closed + dt.timedelta(days=EXIT_CHECK_DAYS):
                errors[date_field] = _(
                    "La situazione in uscita è quella entro quattro settimane dalla chiusura: "
                    "al più tardi il %(date)s."
                ) % {"date": _fmt(closed + dt.timedelta(days=EXIT_CHECK_DAYS))}
    if errors:
        raise ValidationError(errors)


def _write_exit(*, intake: Intake, answer: ExitAnswer, by: User | None) -> ExitSituation:
    situation = ExitSituation.objects.filter(intake=intake).first() or ExitSituation(intake=intake)
    situation.known = answer.known
    for result, name in RESULT_FIELDS.items():
        setattr(situation, name, result in answer.results)
    situation.source = Source(answer.source) if answer.known else ""
    situation.as_of = answer.as_of if answer.known else None
    situation.recorded_by = by
    situation.full_clean()
    situation.save()
    return situation


def schedule_tasks(*, intake: Intake, by: User | None = None) -> list[FollowUpTask]:
    """The follow-up tasks of a closed case, created or moved to its closing date: the
    six-month follow-up always; the four-week check while the situation at exit is not
    known (a known situation answers it)."""
    assert intake.closed_on is not None
    situation = ExitSituation.objects.filter(intake=intake).first()
    known = situation is not None and situation.known
    tasks = []
    for kind in (TaskKind.EXIT_CHECK, TaskKind.SIX_MONTHS):
        due_on = kind.due_on(intake.closed_on)
        task = FollowUpTask.objects.filter(intake=intake, kind=kind).first()
        if kind is TaskKind.EXIT_CHECK and known:
            if task is not None and task.is_open:
                assert situation is not None
                _finish(task, by=by, status=TaskStatus.ANSWERED)
                task.answered_on, task.source = situation.as_of, situation.source
                task.full_clean()
                task.save()
            continue
        if task is None:
            task = FollowUpTask(intake=intake, kind=kind, due_on=due_on)
        elif not task.is_open:
            continue
        task.due_on = due_on
        task.full_clean()
        task.save()
        tasks.append(task)
    return tasks


@transaction.atomic
def close_with_exit(
    *,
    intake: Intake,
    version: int,
    closed_on: dt.date,
    closure_reason: str,
    closure_note: str,
    exit_answer: ExitAnswer,
    by: User,
) -> Intake:
    """Close the case, record where the person stands, schedule the follow-up."""
    check_exit_answer(
        exit_answer, opened_on=intake.opened_on, closed_on=closed_on, fields=EXIT_FORM_FIELDS
    )
    casework_services.close_intake(
        intake=intake,
        version=version,
        closed_on=closed_on,
        closure_reason=closure_reason,
        closure_note=closure_note,
    )
    _write_exit(intake=intake, answer=exit_answer, by=by)
    schedule_tasks(intake=intake, by=by)
    # A closed case keeps no booked appointment: each is cancelled, and a person who
    # consented receives the cancelled invitation.
    for appointment in Appointment.objects.filter(intake=intake, status=AppointmentStatus.BOOKED):
        agenda_services.cancel(appointment=appointment)
    return intake


@transaction.atomic
def correct_closure_with_exit(
    *,
    intake: Intake,
    version: int,
    closed_on: dt.date,
    closure_reason: str,
    closure_note: str,
    exit_answer: ExitAnswer,
    by: User,
) -> Intake:
    """Correct a closure and its situation at exit; open tasks follow the closing date."""
    check_exit_answer(
        exit_answer, opened_on=intake.opened_on, closed_on=closed_on, fields=EXIT_FORM_FIELDS
    )
    casework_services.correct_closure(
        intake=intake,
        version=version,
        closed_on=closed_on,
        closure_reason=closure_reason,
        closure_note=closure_note,
    )
    _write_exit(intake=intake, answer=exit_answer, by=by)
    schedule_tasks(intake=intake, by=by)
    return intake


# The closing form's names for (results, source, date): the messages land on them.
EXIT_FORM_FIELDS = ("exit_results", "exit_source", "exit_as_of")


def _finish(task: FollowUpTask, *, by: User | None, status: TaskStatus) -> None:
    task.status = status
    task.done_by = by
    task.done_at = clock.now()


def _check_open(task: FollowUpTask) -> None:
    if not task.is_open:
        raise ValidationError(_("Questa attività è già chiusa."))
    if task.intake.is_open:
        raise ValidationError(
            _("Il caso è stato riaperto: l'attività riprende quando il caso viene chiuso.")
        )


@transaction.atomic
def record_attempt(
    *,
    task: FollowUpTask,
    made_at: dt.datetime,
    channel: str,
    outcome: str,
    note: str = "",
    by: User,
) -> ContactAttempt:
    """One try to reach the person for an open task."""
    _check_open(task)
    if made_at > clock.now():
        raise ValidationError({"made_at": _("Il tentativo non può essere nel futuro.")})
    attempt = ContactAttempt(
        task=task,
        made_at=made_at,
        channel=AttemptChannel(channel),
        outcome=AttemptOutcome(outcome),
        note=note,
        operator=by,
    )
    attempt.full_clean()
    attempt.save()
    return attempt


@transaction.atomic
def answer_exit_check(
    *, task: FollowUpTask, results: Collection[ExitResult], source: str, as_of: dt.date | None,
    note: str = "", by: User,
) -> FollowUpTask:  # fmt: skip
    """The four-week check answered: the situation at exit becomes known."""
    _check_open(task)
    answer = ExitAnswer(results=frozenset(results), source=source, as_of=as_of)
    if not answer.known:
        raise ValidationError({"results": _("Indicare la situazione in uscita.")})
    check_exit_answer(
        answer,
        opened_on=task.intake.opened_on,
        closed_on=task.intake.closed_on,
        fields=("results", "source", "answered_on"),
    )
    _write_exit(intake=task.intake, answer=answer, by=by)
    _finish(task, by=by, status=TaskStatus.ANSWERED)
    task.answered_on, task.source, task.answer_note = as_of, Source(source), note
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def answer_six_months(
    *,
    task: FollowUpTask,
    answered_on: dt.date,
    source: str,
    employed: bool,
    improved: bool | None,
    note: str = "",
    by: User,
) -> FollowUpTask:
    """The six-month follow-up answered: in employment (self-employment included) and, for
    who was employed at the intake, whether their labour-market situation improved."""
    _check_open(task)
    intake = task.intake
    assert intake.closed_on is not None
    errors: dict[str, str] = {}
    if answered_on > clock.today():
        errors["answered_on"] = _("La data non può essere nel futuro.")
    elif answered_on < intake.closed_on:
        errors["answered_on"] = _("La data non può precedere la chiusura (%(date)s).") % {
            "date": _fmt(intake.closed_on)
        }
    employed_at_intake = intake.labour_status == LabourStatus.EMPLOYED
    if employed_at_intake and improved is None:
        errors["improved"] = _(
            "La persona era occupata alla presa in carico: indicare se la sua situazione "
            "lavorativa è migliorata."
        )
    if errors:
        raise ValidationError(errors)
    _finish(task, by=by, status=TaskStatus.ANSWERED)
    task.answered_on, task.source, task.answer_note = answered_on, Source(source), note
    task.employed = employed
    task.improved = improved if employed_at_intake else None
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def close_unanswered(*, task: FollowUpTask, note: str = "", by: User) -> FollowUpTask:
    """Close a task without an answer (the person could not be reached or would not say)."""
    _check_open(task)
    _finish(task, by=by, status=TaskStatus.UNREACHABLE)
    task.answer_note = note
    task.full_clean()
    task.save()
    return task
