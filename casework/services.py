"""Writes of the operators' workflow: typed, keyword-only, atomic, ``full_clean()`` first.

Edits use optimistic concurrency on the models' ``version`` column: the form carries the
version the user started from; the update only happens if nobody saved in between
(``UPDATE ... WHERE id = %s AND version = %s`` first, then the save), otherwise
:class:`ConflictError` tells the view, which keeps the user's input and shows what is saved
now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from casework.choices import AckChannel, ClosureReason, IntakeStatus
from casework.models import (
    Activity,
    CrossDeskTakeIn,
    Intake,
    Meeting,
    Person,
    PrivacyAcknowledgement,
    PrivacyNotice,
    Referral,
    local_today,
)
from sportelli.models import Comune, Desk

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)


def _what(model: type[models.Model]) -> str:
    """The record named with its article, for the conflict message."""
    named: dict[type[models.Model], str] = {
        Person: _("questa anagrafica"),
        Intake: _("questa presa in carico"),
        Meeting: _("questo colloquio"),
        Referral: _("questo invio"),
    }
    return named.get(model, str(model._meta.verbose_name))


class ConflictError(Exception):
    """Someone else saved the record after the user opened it."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        super().__init__(
            _(
                "Nel frattempo un'altra persona ha modificato %(what)s: le sue modifiche "
                "sono state salvate. Quello che hai scritto è ancora nel modulo; confrontalo con "
                "i dati salvati qui sotto e salva di nuovo per confermare le tue modifiche."
            )
            % {"what": _what(model)}
        )


def _check_desk(operator: User, desk: Desk) -> None:
    if not Desk.objects.visible_to(operator).filter(pk=desk.pk).exists():
        raise PermissionDenied


def _save_versioned(instance: models.Model, *, version: int, fields: Iterable[str]) -> None:
    """Save the given fields only if the row still has ``version``; else ConflictError.

    The conditional UPDATE is the race-free check: it matches the row only at ``version``
    and holds the row's lock until the transaction ends, so a concurrent save from the same
    version waits, then matches nothing. It changes nothing itself: the save that follows
    is an ordinary ``save(update_fields=...)``, where the model increases the version once
    (``VersionedSave``) and django-auditlog records the old and new value of these fields.
    """
    model = type(instance)
    locked = model._default_manager.filter(pk=instance.pk, version=version).update(
        version=F("version")
    )
    if not locked:
        raise ConflictError(model)
    names = [name for name in fields if not model._meta.get_field(name).many_to_many]
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        names.append("updated_at")
    instance.save(update_fields=names)


# --- Intake -------------------------------------------------------------------------------


@transaction.atomic
def take_in(
    *,
    operator: User,
    desk: Desk,
    intake_data: dict[str, Any],
    person_data: dict[str, Any] | None = None,
    person: Person | None = None,
    cross_desk_reason: str = "",
    cross_desk_note: str = "",
) -> Intake:
    """Open a case at ``desk``: for a new person (``person_data``) or a known one.

    The person and the intake are written together or not at all. A known person whose
    record the operator cannot see yet (their cases are all at other desks) is taken in
    only with a stated reason (``cross_desk_reason``, ``cross_desk_note`` for "altro"):
    the take-in is recorded and shown to the desks that were following the person.
    """
    if (person is None) == (person_data is None):
        raise ValueError("Pass exactly one of person and person_data.")
    _check_desk(operator, desk)
    token = intake_data.get("submission_token") or None
    intake_data = {**intake_data, "submission_token": token}
    if token is not None:
        done = submitted_intake(operator=operator, token=token)
        if done is not None:  # the same form again: the case it already opened
            return done
    cross_desk = None
    if person is not None and not Person.objects.visible_to(operator).filter(pk=person.pk).exists():
        cross_desk = CrossDeskTakeIn(reason=cross_desk_reason, note=cross_desk_note.strip())
    if person is None:
        assert person_data is not None  # exactly one of the two, checked above
        person = Person(**person_data)
        person.full_clean()
        person.save()
        # The privacy notice acknowledged on the typed date.
        acknowledge_at_intake(
            person=person, operator=operator, intake_channel=intake_data.get("channel", "")
        )
    intake = Intake(person=person, desk=desk, operator=operator, **intake_data)
    intake.take_snapshot(person)
    intake.full_clean()
    if cross_desk is not None:
        cross_desk.full_clean(exclude=["intake"])
    intake.save()
    if cross_desk is not None:
        others = Desk.objects.filter(intakes__person=person).exclude(pk=desk.pk).distinct()
        cross_desk.intake = intake
        cross_desk.save()
        cross_desk.other_desks.set(others)
        logger.info("intake %s: cross-desk take-in at desk %s", intake.pk, desk.pk)
    logger.info("intake %s opened at desk %s by user %s", intake.pk, desk.pk, operator.pk)
    return intake


@contextmanager
def submission_lock(token: str | None) -> Iterator[None]:
    """Requests that send the same form (same token) run one after the other, so the second
    finds the case the first opened. A PostgreSQL session advisory lock keyed on the token;
    on SQLite, whose writers already wait for each other, nothing."""
    if not token or connection.vendor != "postgresql":
        yield
        return
    digest = hashlib.blake2b(token.encode(), digest_size=8, person=b"intake-form").digest()
    key = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def submitted_intake(*, operator: User, token: str | None) -> Intake | None:
    """The intake this operator already opened with this form's token, if any."""
    if not token:
        return None
    return Intake.objects.filter(submission_token=token, operator=operator).first()


@transaction.atomic
def close_intake(
    *,
    intake: Intake,
    version: int,
    closed_on: dt.date,
    closure_reason: str,
    closure_note: str = "",
) -> Intake:
    intake.status = IntakeStatus.CLOSED
    intake.closed_on = closed_on
    intake.closure_reason = ClosureReason(closure_reason)
    intake.closure_note = closure_note
    intake.full_clean()
    _save_versioned(
        intake,
        version=version,
        fields=["status", "closed_on", "closure_reason", "closure_note"],
    )
    return intake


@transaction.atomic
def reopen_intake(*, intake: Intake, version: int) -> Intake:
    intake.status = IntakeStatus.OPEN
    intake.closed_on = None
    intake.closure_reason = ""
    intake.closure_note = ""
    intake.full_clean()  # refuses a second open case for the person at this desk
    _save_versioned(
        intake,
        version=version,
        fields=["status", "closed_on", "closure_reason", "closure_note"],
    )
    return intake


# Corrections (a typing error put right, not a change in the person's life): the intake's
# own answers, re-taking what the reports derive from them; and a recorded closure.

# The intake's snapshot fields that follow a correction: the age and its bands from the
# (corrected) date, the origin from the (corrected) residence at intake.
CORRECTED_SNAPSHOT_FIELDS = (
    "age_at_intake",
    "age_band",
    "esf_age_band",
    "residence_comune",
    "origin",
)


@transaction.atomic
def correct_intake(
    *,
    intake: Intake,
    version: int,
    fields: Iterable[str],
    residence_comune: Comune | None,
) -> Intake:
    """Save the intake's corrected ``fields`` (already set on ``intake``) and the residence
    at intake, re-taking the age, the age bands and the origin for the corrected values.

    Gender, citizenship and ISCED band stay as they were on the intake date: the person's
    record today may tell a later life (a new citizenship, a diploma since)."""
    intake.correct_snapshot(residence_comune)
    intake.full_clean()
    _save_versioned(intake, version=version, fields=[*fields, *CORRECTED_SNAPSHOT_FIELDS])
    logger.info("intake %s corrected", intake.pk)
    return intake


@transaction.atomic
def correct_closure(
    *,
    intake: Intake,
    version: int,
    closed_on: dt.date,
    closure_reason: str,
    closure_note: str = "",
) -> Intake:
    """Correct the date, reason or note of a closed intake (it stays closed)."""
    if intake.is_open:
        raise ValidationError(_("La presa in carico è aperta: non c'è una chiusura da correggere."))
    intake.closed_on = closed_on
    intake.closure_reason = ClosureReason(closure_reason)
    intake.closure_note = closure_note
    intake.full_clean()
    _save_versioned(intake, version=version, fields=["closed_on", "closure_reason", "closure_note"])
    return intake


# --- Privacy notice -------------------------------------------------------------------------


@transaction.atomic
def record_acknowledgement(
    *,
    person: Person,
    notice: PrivacyNotice | None,
    operator: User | None,
    channel: str,
    on: dt.date,
) -> PrivacyAcknowledgement:
    """Record that ``person`` acknowledged ``notice`` (the one in force on ``on`` if None).

    Idempotent per notice version: a second intake under the same notice returns the
    acknowledgement already recorded. ``Person.privacy_ack_on`` follows the latest one.
    """
    if notice is None:
        notice = PrivacyNotice.objects.current(on)
        if notice is None:
            raise ValidationError(
                {"notice": _("Nessuna informativa privacy in vigore alla data indicata.")}
            )
    existing = PrivacyAcknowledgement.objects.filter(person=person, notice=notice).first()
    if existing is not None:
        return existing
    errors: dict[str, str] = {}
    if on > local_today():
        errors["acknowledged_on"] = _("La data della presa visione non può essere nel futuro.")
    elif on < notice.valid_from:
        errors["acknowledged_on"] = _(
            "La versione %(version)s dell'informativa è in vigore dal %(date)s."
        ) % {"version": notice.version, "date": f"{notice.valid_from:%d/%m/%Y}"}
    if channel not in AckChannel.values:
        errors["channel"] = _("Modalità non valida.")
    if errors:
        raise ValidationError(errors)
    ack = PrivacyAcknowledgement(
        person=person, notice=notice, acknowledged_on=on, operator=operator, channel=channel
    )
    ack.full_clean()
    ack.save()
    if person.privacy_ack_on is None or person.privacy_ack_on < on:
        person.privacy_ack_on = on
        person.save(update_fields=["privacy_ack_on", "updated_at"])
    return ack


def acknowledge_at_intake(
    *, person: Person, operator: User | None, intake_channel: str
) -> PrivacyAcknowledgement | None:
    """The intake flow's call: record the acknowledgement of the notice in force on
    ``person.privacy_ack_on`` (nothing when the date is empty). Errors are reported on the
    form's ``privacy_ack_on`` field."""
    if person.privacy_ack_on is None:
        return None
    try:
        return record_acknowledgement(
            person=person,
            notice=None,
            operator=operator,
            channel=AckChannel.for_intake(intake_channel),
            on=person.privacy_ack_on,
        )
    except ValidationError as exc:
        raise ValidationError({"privacy_ack_on": exc.messages}) from exc


# --- Person -------------------------------------------------------------------------------


@transaction.atomic
def update_person(*, person: Person, version: int, fields: Iterable[str]) -> Person:
    """Save the person's edited ``fields`` (already set on ``person``)."""
    person.full_clean()
    _save_versioned(person, version=version, fields=fields)  # Person.save() adds search_key
    return person


# --- Meeting ------------------------------------------------------------------------------


def _open_case(intake: Intake) -> None:
    if not intake.is_open:
        raise ValidationError(
            _("La presa in carico è chiusa: riaprirla per aggiungere colloqui o invii.")
        )


@transaction.atomic
def add_meeting(
    *,
    intake: Intake,
    operator: User,
    data: dict[str, Any],
    activities: Iterable[Activity] = (),
) -> Meeting:
    _open_case(intake)
    meeting = Meeting(intake=intake, operator=operator, **data)
    meeting.full_clean()
    meeting.save()
    meeting.activities.set(activities)
    return meeting


@transaction.atomic
def update_meeting(
    *,
    meeting: Meeting,
    version: int,
    fields: Iterable[str],
    activities: Iterable[Activity] | None = None,
) -> Meeting:
    """Save the meeting's edited ``fields`` (already set on ``meeting``)."""
    meeting.full_clean()
    _save_versioned(meeting, version=version, fields=fields)
    if activities is not None:
        meeting.activities.set(activities)
    return meeting


# --- Referral -----------------------------------------------------------------------------


@transaction.atomic
def add_referral(*, intake: Intake, data: dict[str, Any]) -> Referral:
    _open_case(intake)
    referral = Referral(intake=intake, **data)
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def update_referral(*, referral: Referral, version: int, fields: Iterable[str]) -> Referral:
    """Save the referral's edited ``fields`` (already set on it): also its outcome."""
    referral.full_clean()
    _save_versioned(referral, version=version, fields=fields)
    return referral
