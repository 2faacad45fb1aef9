"""GDPR writes and exports: subject access, anonymisation.

(The privacy notice and its acknowledgement at intake are part of taking someone in:
``casework.models.PrivacyNotice``, ``casework.services.record_acknowledgement``.)

Anonymisation keeps what the statistics group by — the intake snapshot (age band, ESF+
band, gender, origin, residence comune at intake, citizenship, ISCED band), the desk, every
date, the meeting modes and activities, the referral kinds, partners and outcomes — and
overwrites everything that names or describes the person: names, codice fiscale, exact
birth date (kept as 1 January of the birth year, because ``Person.birth_date`` is NOT NULL
and the snapshot already holds the age), birthplace, residence, contacts and every
free-text field of their intakes, meetings, referrals, follow-up tasks and contact attempts
(the situation at exit and the six-month answers stay: they are the ESF+ results); their
appointments lose the place or link typed for them, their consents to reminders are
withdrawn and no reminder still waiting is sent. Past quarters therefore do not
change (``tests/privacy/test_anonymise.py`` proves it on a whole review, special-category
tables included).

The four ESF+ yes/no answers (disability, minority, foreign background, housing exclusion)
are KEPT: the ESF+ indicator table counts them from the person's record
(``reports/esf.py``), and once nothing identifies the record they are statistical data.
Clearing them would change past quarters' ESF+ figures.

The rows are rewritten with ``QuerySet.update()`` on purpose: no model signal fires, so
the audit trail does not copy the old values into a new entry; the existing history of
the person's rows keeps who, when and which fields but loses the values
(``_scrub_history``), and one entry records the anonymisation itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from agenda.models import Appointment, MessageStatus, ReminderConsent, ReminderMessage
from audit import adminlog
from audit.trail import MASK, objects_filter, person_object_ids
from casework.choices import IntakeStatus
from casework.models import (
    Intake,
    Meeting,
    Person,
    PrivacyAcknowledgement,
    Referral,
    search_text,
)
from followup.models import ContactAttempt, ExitSituation, FollowUpTask

logger = logging.getLogger(__name__)

ANONYMOUS_LAST_NAME = "Anonimizzata"


# --- Subject access ------------------------------------------------------------------------


def _row(obj: models.Model, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every concrete field of a row: value, plus the label of choices and related rows."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        if field.is_relation:
            related = getattr(obj, field.name)
            data[field.name] = str(related) if related is not None else None
            continue
        value = getattr(obj, field.attname)
        data[field.name] = value
        if field.choices and value not in (None, ""):
            data[f"{field.name}_label"] = str(getattr(obj, f"get_{field.name}_display")())
    return data


def subject_access_data(*, person: Person) -> dict[str, Any]:
    """Everything held about one person (GDPR art. 15), ready for JSON.

    A constant number of queries whatever the size of the case history.
    """
    person = Person.objects.select_related(
        "birthplace_comune", "birthplace_country", "residence_comune", "residence_country"
    ).get(pk=person.pk)
    intakes = list(
        Intake.objects.filter(person=person)
        .select_related("desk", "operator", "residence_comune")
        .order_by("opened_on", "id")
    )
    meetings = list(
        Meeting.objects.filter(intake__person=person)
        .select_related("intake__desk", "operator")
        .prefetch_related("activities")
        .order_by("held_on", "id")
    )
    referrals = list(
        Referral.objects.filter(intake__person=person)
        .select_related("intake__desk", "partner")
        .order_by("referred_on", "id")
    )
    acks = list(
        PrivacyAcknowledgement.objects.filter(person=person)
        .select_related("notice", "operator")
        .order_by("acknowledged_on", "id")
    )
    situations = list(
        ExitSituation.objects.filter(intake__person=person)
        .select_related("intake", "recorded_by")
        .order_by("intake_id")
    )
    tasks = list(
        FollowUpTask.objects.filter(intake__person=person)
        .select_related("intake", "done_by")
        .prefetch_related("attempts__operator")
        .order_by("due_on", "id")
    )
    data: dict[str, Any] = {
        "generated_at": timezone.now(),
        "controller": "Consorzio Casalasco Servizi Sociali (Con.Ca.S.S.)",
        "person": _row(person, skip=("search_key",)),
        "intakes": [{"id": i.pk, **_row(i)} for i in intakes],
        "meetings": [
            {
                "id": m.pk,
                "intake_id": m.intake_id,
                **_row(m, skip=("intake",)),
                "activities": [a.name for a in m.activities.all()],
            }
            for m in meetings
        ],
        "referrals": [
            {"id": r.pk, "intake_id": r.intake_id, **_row(r, skip=("intake",))} for r in referrals
        ],
        "exit_situations": [
            {"intake_id": e.intake_id, **_row(e, skip=("intake",))} for e in situations
        ],
        "followup_tasks": [
            {
                "id": t.pk,
                "intake_id": t.intake_id,
                **_row(t, skip=("intake",)),
                "contact_attempts": [_row(a, skip=("task",)) for a in t.attempts.all()],
            }
            for t in tasks
        ],
        "privacy_acknowledgements": [
            {
                "notice_version": a.notice.version,
                "acknowledged_on": a.acknowledged_on,
                "channel": a.channel,
                "channel_label": str(a.get_channel_display()),
                "operator": str(a.operator) if a.operator else None,
            }
            for a in acks
        ],
    }
    data.update(_agenda_data(person))
    ids = _logged_objects(person, acknowledgements=acks, tasks=tasks, situations=situations)
    data["audit_trail"] = _history_entries(ids)
    data["admin_log"] = adminlog.describe(adminlog.entries(ids))
    return data


def _agenda_data(person: Person) -> dict[str, Any]:
    """Appointments, consents to reminders and the reminders sent (agenda): three queries."""
    appointments = list(
        Appointment.objects.filter(person=person)
        .select_related("desk", "operator", "person", "intake", "meeting", "booked_in")
        .select_related("rescheduled_to")
        .order_by("starts_at", "id")
    )
    consents = list(
        ReminderConsent.objects.filter(person=person)
        .select_related("operator", "withdrawn_by", "person")
        .order_by("given_on", "id")
    )
    messages = list(
        ReminderMessage.objects.filter(appointment__person=person).order_by("due_at", "id")
    )
    return {
        "appointments": [
            {"id": a.pk, **_row(a, skip=("person", "intake", "meeting", "booked_in"))}
            | {"intake_id": a.intake_id, "meeting_id": a.meeting_id}
            for a in appointments
        ],
        "reminder_consents": [{"id": c.pk, **_row(c, skip=("person",))} for c in consents],
        "reminder_messages": [
            {"id": m.pk, "appointment_id": m.appointment_id, **_row(m, skip=("appointment",))}
            for m in messages
        ],
    }


# --- Audit trail integration (issue 5, part 1: the ``audit`` app on django-auditlog) ------


def _logged_objects(
    person: Person,
    *,
    acknowledgements: list[PrivacyAcknowledgement] | None = None,
    tasks: list[FollowUpTask] | None = None,
    situations: list[ExitSituation] | None = None,
) -> dict[type[models.Model], set[str]]:
    """The person's rows as the logs name them: record, intakes, meetings, referrals (also
    those since deleted), privacy acknowledgements, situations at exit, follow-up tasks and
    their contact attempts."""
    ids = person_object_ids(person.pk)
    if tasks is None or situations is None:  # erasure: read them; the export has them
        tasks = list(
            FollowUpTask.objects.filter(intake__person=person).prefetch_related("attempts")
        )
        situations = list(ExitSituation.objects.filter(intake__person=person).only("pk"))
    ids[ExitSituation] = {str(e.pk) for e in situations}
    ids[FollowUpTask] = {str(t.pk) for t in tasks}
    ids[ContactAttempt] = {str(a.pk) for t in tasks for a in t.attempts.all()}
    ack_ids: Iterable[int]
    if acknowledgements is None:
        ack_ids = PrivacyAcknowledgement.objects.filter(person=person).values_list("pk", flat=True)
    else:
        ack_ids = [a.pk for a in acknowledgements]
    ids[PrivacyAcknowledgement] = {str(pk) for pk in ack_ids}
    ids[Appointment] = {
        str(pk) for pk in Appointment.objects.filter(person=person).values_list("pk", flat=True)
    }
    ids[ReminderConsent] = {
        str(pk) for pk in ReminderConsent.objects.filter(person=person).values_list("pk", flat=True)
    }
    return ids


def _audit_entries(ids: dict[type[models.Model], set[str]]) -> models.QuerySet:
    """django-auditlog's entries about the rows in ``ids``."""
    return LogEntry.objects.filter(objects_filter(ids))


def _history_entries(ids: dict[type[models.Model], set[str]]) -> list[dict[str, Any]]:
    return [
        {
            "timestamp": e.timestamp,
            "object": f"{e.content_type.model} #{e.object_pk}",
            "action": str(e.get_action_display()),
            "actor": str(e.actor) if e.actor_id else None,
            "changes": e.changes,
            "view": (e.additional_data or {}).get("view")
            if isinstance(e.additional_data, dict)
            else None,
        }
        for e in _audit_entries(ids)
        .select_related("actor", "content_type")
        .order_by("timestamp", "pk")
    ]


def _scrub_history(*, person: Person, by: User | None, now: dt.datetime) -> int:
    """Mask the values the audit trail holds for an anonymised person's rows and record the
    anonymisation itself. Who acted, when, and which fields changed are kept
    (accountability); the values are not (they name the person). Django's admin log of the
    same rows loses the names and the special-category field labels
    (``audit.adminlog.scrub``)."""
    ids = _logged_objects(person)
    scrubbed = []
    for entry in _audit_entries(ids).only("pk", "changes"):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        entry.changes = {name: [MASK, MASK] for name in changes} or None
        entry.changes_text = ""
        entry.serialized_data = None
        entry.object_repr = f"#{entry.object_pk}"
        scrubbed.append(entry)
    LogEntry.objects.bulk_update(
        scrubbed, ["changes", "changes_text", "serialized_data", "object_repr"], batch_size=500
    )
    adminlog.scrub(adminlog.entries(ids))
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Person),
        object_pk=str(person.pk),
        object_id=person.pk,
        object_repr=f"#{person.pk}",
        action=LogEntry.Action.UPDATE,
        changes={"anonymised_at": ["None", now.isoformat()]},
        actor=by if by is not None and by.is_authenticated else None,
        timestamp=now,
    )
    return len(scrubbed)


# --- Anonymisation and erasure -------------------------------------------------------------


def retention_cutoff(*, years: int, today: dt.date) -> dt.date:
    """The same day ``years`` years before ``today`` (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def expired_people(*, years: int, today: dt.date) -> models.QuerySet[Person]:
    """People not yet anonymised whose every case closed at least ``years`` years ago.

    People with an open case are never expired; people with no case at all expire
    ``years`` years after their record was created.
    """
    cutoff = retention_cutoff(years=years, today=today)
    return (
        Person.objects.filter(anonymised_at__isnull=True)
        .exclude(intakes__status=IntakeStatus.OPEN)
        .annotate(last_closed_on=Max("intakes__closed_on"))
        .filter(
            Q(last_closed_on__lte=cutoff)
            | Q(last_closed_on__isnull=True, created_at__date__lte=cutoff)
        )
        .order_by("pk")
    )


@transaction.atomic
def anonymise_person(*, person: Person, by: User | None = None) -> Person:
    """Overwrite what identifies ``person``; keep what the statistics need. Idempotent."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        return person
    now = timezone.now()
    person.fiscal_code = None
    person.last_name = ANONYMOUS_LAST_NAME
    person.first_name = f"#{person.pk}"
    person.birth_date = dt.date(person.birth_date.year, 1, 1)
    person.birthplace_comune = None
    person.birthplace_country = None
    person.residence_comune = None
    person.residence_country = None
    person.email = ""
    person.phone = ""
    # has_disability, is_minority, foreign_background, is_homeless: kept (module docstring).
    person.anonymised_at = now
    # Field and constraint validation; Person.clean() is about typing errors (CF against
    # birth date, plausible age today) and would refuse an old person's coarse birth date.
    person.clean_fields()
    person.validate_constraints()
    Person.objects.filter(pk=person.pk).update(
        fiscal_code=None,
        last_name=person.last_name,
        first_name=person.first_name,
        birth_date=person.birth_date,
        birthplace_comune=None,
        birthplace_country=None,
        residence_comune=None,
        residence_country=None,
        email="",
        phone="",
        anonymised_at=now,
        search_key=search_text(f"{person.last_name} {person.first_name}"),
        version=F("version") + 1,
        updated_at=now,
    )
    intakes = Intake.objects.filter(person=person)
    intakes.update(needs="", closure_note="", version=F("version") + 1, updated_at=now)
    Meeting.objects.filter(intake__in=intakes).update(
        notes="", version=F("version") + 1, updated_at=now
    )
    Referral.objects.filter(intake__in=intakes).update(
        description="", notes="", version=F("version") + 1, updated_at=now
    )
    # The follow-up's free texts go; its results (the ESF+ figures) stay, like the intake's.
    FollowUpTask.objects.filter(intake__in=intakes).update(answer_note="")
    ContactAttempt.objects.filter(task__intake__in=intakes).update(note="")
    # The agenda keeps dates, modes and statuses (the no-show rate); a place or link typed
    # for the person goes, and no reminder waiting to go out is ever sent.
    Appointment.objects.filter(person=person).update(place="", updated_at=now)
    ReminderConsent.objects.filter(person=person, withdrawn_on__isnull=True).update(
        withdrawn_on=timezone.localdate(now)
    )
    ReminderMessage.objects.filter(
        appointment__person=person, status__in=[MessageStatus.PENDING, MessageStatus.RETRYING]
    ).update(status=MessageStatus.SKIPPED, next_attempt_at=None, updated_at=now)
    _scrub_history(person=person, by=by, now=now)
    logger.info("person id=%s anonymised by user id=%s", person.pk, getattr(by, "pk", None) or "-")
    person.refresh_from_db()
    return person


def anonymise_expired(*, years: int, today: dt.date, dry_run: bool = False) -> list[int]:
    """Anonymise everyone past the retention period; return their ids (each in its own
    transaction, so a long run can be interrupted without losing what was done)."""
    ids = list(expired_people(years=years, today=today).values_list("pk", flat=True))
    if not dry_run:
        # One by id, not ``filter(pk__in=ids)``: with server-side binding PostgreSQL takes
        # at most 65,535 parameters per statement.
        for person_id in ids:
            anonymise_person(person=Person(pk=person_id))
    return ids
