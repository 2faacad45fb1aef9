"""What follows an exit: the situation at exit (the ESF+ immediate results), the follow-up
tasks the system schedules after it, and the contact attempts each task records.

A closed intake has one :class:`ExitSituation` (recorded with the closure, correctable with
it) and the follow-up tasks of :class:`FollowUpTask` (one per kind: the check four weeks
after exit when the situation at exit is not known, and the six-month follow-up). A task
belongs to the case's desk: it is seen, and done, by whoever sees the intake.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.choices import IntakeStatus, label_of
from casework.models import Intake, in_choices, length_check, long_text
from followup.choices import (
    AttemptChannel,
    AttemptOutcome,
    ExitResult,
    Source,
    TaskKind,
    TaskStatus,
)

if TYPE_CHECKING:
    from activitycr.http import AnyUser

ATTEMPT_NOTE_MAX_LENGTH = 500
ANSWER_NOTE_MAX_LENGTH = 1000

# ExitResult -> the ExitSituation field that records it (NONE: known, in none of them).
RESULT_FIELDS = {
    ExitResult.JOB_SEARCHING: "job_searching",
    ExitResult.EDUCATION: "in_education",
    ExitResult.QUALIFICATION: "qualification",
    ExitResult.EMPLOYED: "employed",
}


class ExitSituationQuerySet(models.QuerySet["ExitSituation"]):
    def visible_to(self, user: AnyUser) -> ExitSituationQuerySet:
        return self.filter(intake__in=Intake.objects.visible_to(user))


class ExitSituation(models.Model):
    """Where the person stands on leaving (ESF+ immediate results), with its source and the
    date it refers to; ``known=False``: not known yet (a four-week check is scheduled)."""

    intake = models.OneToOneField(
        Intake,
        verbose_name=_("presa in carico"),
        on_delete=models.CASCADE,
        related_name="exit_situation",
    )
    known = models.BooleanField(_("situazione nota"), default=False)
    job_searching = models.BooleanField(_("in cerca di lavoro"), default=False)
    in_education = models.BooleanField(_("in istruzione o formazione"), default=False)
    qualification = models.BooleanField(_("ha ottenuto una qualifica"), default=False)
    employed = models.BooleanField(_("occupato/a, compreso il lavoro autonomo"), default=False)
    source = models.CharField(_("fonte"), max_length=20, choices=Source.choices, blank=True)
    as_of = models.DateField(_("data a cui si riferisce"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrata da"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("aggiornata il"), auto_now=True)

    objects = ExitSituationQuerySet.as_manager()

    class Meta:
        verbose_name = _("situazione in uscita")
        verbose_name_plural = _("situazioni in uscita")
        constraints = [
            models.CheckConstraint(
                condition=Q(known=True, as_of__isnull=False) & ~Q(source="")
                | Q(
                    known=False,
                    as_of__isnull=True,
                    source="",
                    job_searching=False,
                    in_education=False,
                    qualification=False,
                    employed=False,
                ),
                name="followup_exit_known_has_source_and_date",
                violation_error_message=_(
                    "Una situazione nota ha fonte e data; una non nota non ha esiti."
                ),
            ),
            models.CheckConstraint(
                condition=Q(source="") | Q(source__in=Source.values),
                name="followup_exit_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.intake_id} · {self.results_display()}"

    @property
    def results(self) -> list[ExitResult]:
        """The results recorded, in the order of the choices (``NONE`` when none)."""
        if not self.known:
            return []
        chosen = [result for result, name in RESULT_FIELDS.items() if getattr(self, name)]
        return chosen or [ExitResult.NONE]

    def results_display(self) -> str:
        if not self.known:
            return str(_("Non ancora nota"))
        return ", ".join(str(result.label) for result in self.results)


class FollowUpTaskQuerySet(models.QuerySet["FollowUpTask"]):
    def visible_to(self, user: AnyUser) -> FollowUpTaskQuerySet:
        """The tasks of the cases ``user`` sees (a task belongs to its case's desk)."""
        return self.filter(intake__in=Intake.objects.visible_to(user))

    def pending(self) -> FollowUpTaskQuerySet:
        """Open tasks of cases that are still closed (reopening a case pauses its tasks)."""
        return self.filter(status=TaskStatus.OPEN, intake__status=IntakeStatus.CLOSED)

    def due_by(self, day: dt.date) -> FollowUpTaskQuerySet:
        return self.filter(due_on__lte=day)


class FollowUpTask(models.Model):
    """A follow-up the system scheduled after an exit: due on a date, done by the desk."""

    intake = models.ForeignKey(
        Intake,
        verbose_name=_("presa in carico"),
        on_delete=models.CASCADE,
        related_name="followup_tasks",
    )
    kind = models.CharField(_("tipo"), max_length=10, choices=TaskKind.choices)
    due_on = models.DateField(_("da fare entro il"))
    status = models.CharField(
        _("stato"), max_length=15, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    # The answer (six-month follow-up): the ESF+ longer-term results.
    answered_on = models.DateField(_("data a cui si riferisce la risposta"), null=True, blank=True)
    source = models.CharField(_("fonte"), max_length=20, choices=Source.choices, blank=True)
    employed = models.BooleanField(
        _("occupato/a a sei mesi, compreso il lavoro autonomo"), null=True, blank=True
    )
    improved = models.BooleanField(
        _("situazione lavorativa migliorata a sei mesi"), null=True, blank=True
    )
    answer_note = long_text(_("nota"), ANSWER_NOTE_MAX_LENGTH)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chiuso da"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("chiuso il"), null=True, blank=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)

    objects = FollowUpTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("attività di follow-up")
        verbose_name_plural = _("attività di follow-up")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="followup_task_due_idx")]
        constraints = [
            models.UniqueConstraint(fields=["intake", "kind"], name="followup_task_one_per_kind"),
            in_choices("kind", TaskKind, "followup_task_kind_valid"),
            in_choices("status", TaskStatus, "followup_task_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.ANSWERED)
                | (Q(answered_on__isnull=False) & ~Q(source="")),
                name="followup_task_answer_has_date_and_source",
                violation_error_message=_("Una risposta ha data e fonte."),
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.ANSWERED, kind=TaskKind.SIX_MONTHS)
                | Q(employed__isnull=False),
                name="followup_task_six_months_answer_says_employed",
            ),
            length_check("answer_note", ANSWER_NOTE_MAX_LENGTH, "followup_task_answer_note_length"),
        ]

    def __str__(self) -> str:
        return f"{label_of(TaskKind, self.kind)} · #{self.intake_id} · {self.due_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today


class ContactAttempt(models.Model):
    """One try to reach the person for a follow-up task: when, how, with what outcome."""

    task = models.ForeignKey(
        FollowUpTask,
        verbose_name=_("attività"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    made_at = models.DateTimeField(_("data e ora"))
    channel = models.CharField(_("canale"), max_length=10, choices=AttemptChannel.choices)
    outcome = models.CharField(_("esito"), max_length=20, choices=AttemptOutcome.choices)
    note = long_text(_("nota"), ATTEMPT_NOTE_MAX_LENGTH)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operatore"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("tentativo di contatto")
        verbose_name_plural = _("tentativi di contatto")
        ordering = ["made_at", "pk"]
        constraints = [
            in_choices("channel", AttemptChannel, "followup_attempt_channel_valid"),
            in_choices("outcome", AttemptOutcome, "followup_attempt_outcome_valid"),
            length_check("note", ATTEMPT_NOTE_MAX_LENGTH, "followup_attempt_note_length"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_outcome_display()}"
