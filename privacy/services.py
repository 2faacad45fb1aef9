"""GDPR writes and exports: privacy-notice acknowledgement, subject access, anonymisation.

Anonymisation keeps what the statistics group by — the intake snapshot (age band, ESF+
band, gender, origin, residence comune at intake, citizenship, ISCED band), the desk, every
date, the meeting modes and activities, the referral kinds, partners and outcomes — and
overwrites everything that names or describes the person: names, codice fiscale, exact
birth date (kept as 1 January of the birth year, because ``Person.birth_date`` is NOT NULL
and the snapshot already holds the age), birthplace, residence, contacts, special-category
answers and every free-text field of their intakes, meetings and referrals. Past quarters
therefore do not change (``tests/privacy/test_anonymise.py`` proves it on a whole review).

The rows are rewritten with ``QuerySet.update()`` on purpose: no model signal fires, so
the audit trail does not copy the old values into a new entry; the existing history of
the person's rows is scrubbed by ``_scrub_history`` when the audit app is installed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.choices import IntakeStatus
from casework.models import Intake, Meeting, Person, Referral, search_text
from privacy.models import AckChannel, PrivacyAcknowledgement, PrivacyNotice

logger = logging.getLogger(__name__)

ANONYMOUS_LAST_NAME = "Anonimizzata"


# --- Privacy notice ------------------------------------------------------------------------


@transaction.atomic
def record_acknowledgement(
    *,
    person: Person,
    notice: PrivacyNotice | None,
    operator: AbstractBaseUser | None,
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
    if on > timezone.localdate():
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
    history = _history_entries(person=person, intakes=intakes, meetings=meetings, refs=referrals)
    if history is not None:
        data["audit_trail"] = history
    return data


# --- Audit trail integration (issue 5, part 1) ---------------------------------------------


def _audit_model() -> type[models.Model] | None:
    """django-auditlog's LogEntry when the audit trail is installed, else None."""
    if django_apps.is_installed("auditlog"):
        return django_apps.get_model("auditlog", "LogEntry")
    return None


def _history_filter(
    *, person: Person, intake_ids: list[int], meeting_ids: list[int], referral_ids: list[int]
) -> Q:
    from django.contrib.contenttypes.models import ContentType

    q = Q(pk__in=[])
    for model, ids in (
        (Person, [person.pk]),
        (Intake, intake_ids),
        (Meeting, meeting_ids),
        (Referral, referral_ids),
    ):
        if ids:
            ct = ContentType.objects.get_for_model(model)
            q |= Q(content_type=ct, object_pk__in=[str(i) for i in ids])
    return q


def _history_entries(
    *, person: Person, intakes: list[Intake], meetings: list[Meeting], refs: list[Referral]
) -> list[dict[str, Any]] | None:
    LogEntry = _audit_model()
    if LogEntry is None:
        return None
    q = _history_filter(
        person=person,
        intake_ids=[i.pk for i in intakes],
        meeting_ids=[m.pk for m in meetings],
        referral_ids=[r.pk for r in refs],
    )
    entries = LogEntry.objects.filter(q).select_related("actor", "content_type").order_by("pk")
    return [
        {
            "timestamp": e.timestamp,
            "object": f"{e.content_type.model} #{e.object_pk}",
            "action": str(e.get_action_display()),
            "actor": str(e.actor) if e.actor_id else None,
            "changes": e.changes,
        }
        for e in entries
    ]


def _scrub_history(*, person: Person) -> int:
    """Remove the old values that the audit trail holds for an anonymised person's rows.

    Who acted and when is kept (accountability); the values are not (they name the person).
    """
    LogEntry = _audit_model()
    if LogEntry is None:
        return 0
    q = _history_filter(
        person=person,
        intake_ids=list(Intake.objects.filter(person=person).values_list("pk", flat=True)),
        meeting_ids=list(
            Meeting.objects.filter(intake__person=person).values_list("pk", flat=True)
        ),
        referral_ids=list(
            Referral.objects.filter(intake__person=person).values_list("pk", flat=True)
        ),
    )
    updates: dict[str, Any] = {}
    field_names = {f.name for f in LogEntry._meta.concrete_fields}
    if "changes" in field_names:
        updates["changes"] = {}
    if "changes_text" in field_names:
        updates["changes_text"] = ""
    if "object_repr" in field_names:
        updates["object_repr"] = f"#{person.pk}"
    if "additional_data" in field_names:
        updates["additional_data"] = None
    if "serialized_data" in field_names:
        updates["serialized_data"] = None
    return LogEntry.objects.filter(q).update(**updates) if updates else 0


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
def anonymise_person(*, person: Person, by: AbstractBaseUser | None = None) -> Person:
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
    person.has_disability = None
    person.is_minority = None
    person.foreign_background = None
    person.is_homeless = None
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
        has_disability=None,
        is_minority=None,
        foreign_background=None,
        is_homeless=None,
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
    _scrub_history(person=person)
    logger.info("person id=%s anonymised by user id=%s", person.pk, getattr(by, "pk", None) or "-")
    person.refresh_from_db()
    return person


def anonymise_expired(*, years: int, today: dt.date, dry_run: bool = False) -> list[int]:
    """Anonymise everyone past the retention period; return their ids (each in its own
    transaction, so a long run can be interrupted without losing what was done)."""
    ids = list(expired_people(years=years, today=today).values_list("pk", flat=True))
    if not dry_run:
        for person in Person.objects.filter(pk__in=ids).order_by("pk").iterator():
            anonymise_person(person=person)
    return ids
