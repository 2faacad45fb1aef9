"""The meetings' "prossimo appuntamento" values become appointments; the roles get the
agenda's permissions; the privacy notice gains the purpose of the reminders (version 1.1).

Each meeting with a next appointment gives one appointment booked in it, at the case's
desk, by the meeting's operator, in person (the old field had no mode). Its status:
* ahead (from now on) and the case open: booked;
* a meeting of the case was recorded that day: held, linked to that meeting (missed when
  the meeting says the person did not come);
* the case was closed before that day, or it is still ahead but the case is closed:
  cancelled;
* otherwise (past, no meeting that day): missed — the desk booked it and nobody recorded
  a meeting.
"""

import datetime as dt
import uuid

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

BATCH = 2000

OPERATOR = "Operatore di sportello"
PLANNING_OFFICE = "Ufficio di Piano"
ADMINISTRATOR = "Amministratore"
PERMISSIONS = {
    OPERATOR: [
        "view_appointment",
        "add_appointment",
        "change_appointment",
        "view_reminderconsent",
        "add_reminderconsent",
        "change_reminderconsent",
        "view_remindermessage",
    ],
    PLANNING_OFFICE: ["view_appointment"],
    ADMINISTRATOR: [
        f"{action}_{model}"
        for model in ("appointment", "reminderconsent", "remindermessage")
        for action in ("view", "add", "change", "delete")
    ],
}

REMINDER_PURPOSE = """

Promemoria degli appuntamenti: solo con il consenso dell'interessato, dato e revocabile in \
ogni momento per ciascun canale (e-mail, SMS), lo sportello invia un promemoria prima di \
ogni appuntamento e l'avviso se è spostato o annullato. Il messaggio contiene solo nome, \
data, ora e luogo dell'appuntamento e i recapiti dello sportello; ogni invio è registrato \
nella pratica (data, canale, esito). Base giuridica: consenso (art. 6, par. 1, lett. a). \
Senza consenso nessun promemoria è inviato e il servizio resta lo stesso."""

NOTICE_VERSION = "1.1"
NOTICE_VALID_FROM = dt.date(2026, 12, 1)


def grant(apps, schema_editor):
    app_config = apps.get_app_config("agenda")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        for group in Group.objects.filter(name=role):
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="agenda", codename__in=codenames)
            )


def notice(apps, schema_editor):
    PrivacyNotice = apps.get_model("casework", "PrivacyNotice")
    previous = PrivacyNotice.objects.filter(version="1.0").first()
    if previous is None or PrivacyNotice.objects.filter(version=NOTICE_VERSION).exists():
        return
    PrivacyNotice.objects.create(
        version=NOTICE_VERSION, text=previous.text + REMINDER_PURPOSE, valid_from=NOTICE_VALID_FROM
    )


def _status(row, meeting, now):
    if meeting is not None:
        return "svolto" if meeting["attended"] else "mancato"
    if row["intake__closed_on"] is not None and (
        row["next_appointment_at"] >= now
        or row["intake__closed_on"] < timezone.localtime(row["next_appointment_at"]).date()
    ):
        return "annullato"
    return "prenotato" if row["next_appointment_at"] >= now else "mancato"


def appointments(apps, schema_editor):
    Meeting = apps.get_model("casework", "Meeting")
    Appointment = apps.get_model("agenda", "Appointment")
    now = timezone.now()
    rows = (
        Meeting.objects.filter(next_appointment_at__isnull=False)
        .order_by("pk")
        .values(
            "pk",
            "next_appointment_at",
            "operator_id",
            "intake_id",
            "intake__person_id",
            "intake__desk_id",
            "intake__closed_on",
        )
    )
    used = set()
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        last = batch[-1]["pk"]
        days = {timezone.localtime(r["next_appointment_at"]).date() for r in batch}
        held = {}
        for m in (
            Meeting.objects.filter(intake_id__in={r["intake_id"] for r in batch}, held_on__in=days)
            .order_by("pk")
            .values("pk", "intake_id", "held_on", "attended")
        ):
            held.setdefault((m["intake_id"], m["held_on"]), []).append(m)
        new = []
        for row in batch:
            day = timezone.localtime(row["next_appointment_at"]).date()
            candidates = [m for m in held.get((row["intake_id"], day), []) if m["pk"] not in used]
            meeting = candidates[0] if candidates else None
            if meeting is not None:
                used.add(meeting["pk"])
            new.append(
                Appointment(
                    person_id=row["intake__person_id"],
                    intake_id=row["intake_id"],
                    desk_id=row["intake__desk_id"],
                    operator_id=row["operator_id"],
                    starts_at=row["next_appointment_at"],
                    mode="presenza",
                    status=_status(row, meeting, now),
                    meeting_id=meeting["pk"] if meeting else None,
                    booked_in_id=row["pk"],
                    uid=uuid.uuid4(),
                    sequence=0,
                    status_changed_at=now,
                )
            )
        Appointment.objects.bulk_create(new)


class Migration(migrations.Migration):
    dependencies = [
        ("agenda", "0001_initial"),
        ("casework", "0010_privacy_notice_and_acknowledgement"),
        ("privacy", "0003_notice_and_acknowledgement_moved_to_casework"),
        ("casework", "0004_roles"),
    ]
    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(notice, migrations.RunPython.noop),
        migrations.RunPython(appointments, migrations.RunPython.noop),
    ]
