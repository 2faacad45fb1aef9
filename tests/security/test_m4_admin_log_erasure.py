"""M4 (security review, November 2026): Django's admin log must not keep the names of the
people, nor say that their special-category answers were edited, and erasure must clean
the rows written before that was so.

``django.contrib.admin.models.LogEntry`` (table ``django_admin_log``) is the admin's own
log — not django-auditlog's trail, which is scrubbed by ``privacy.services._scrub_history``
and tested in ``tests/privacy/test_anonymise.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.urls import reverse

from casework.models import Person, PrivacyAcknowledgement, Referral
from casework.services import record_acknowledgement
from privacy.services import anonymise_person, subject_access_data
from tests import factories

pytestmark = pytest.mark.django_db

# The labels Django's admin writes into change_message for the four special-category
# answers (capitalised verbose names), and words that only they contain.
SPECIAL_WORDS = ("disabilità", "minoranza", "migratorio", "dimora")


def admin_log_text() -> str:
    """Everything ``django_admin_log`` holds, as one lower-case string."""
    rows = LogEntry.objects.values_list("object_repr", "change_message")
    return " ".join(f"{r} {m}" for r, m in rows).lower()


def change_form_data(response) -> dict[str, str | list[str]]:
    """The admin change form's current values, as the browser would post them back."""
    form = response.context["adminform"].form
    data: dict[str, str | list[str]] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        formatted = None if value is None else field.widget.format_value(value)
        if isinstance(formatted, list):  # a select: the chosen values
            data[name] = [str(v) for v in formatted]
        else:
            data[name] = "" if formatted is None else str(formatted)
    return data


@pytest.fixture
def elena():
    return factories.person(last_name="Lodi Rizzini", first_name="Elena", phone="")


def edit_in_admin(client, person: Person, **changes: str) -> None:
    url = reverse("admin:casework_person_change", args=[person.pk])
    data = change_form_data(client.get(url))
    data.update(changes, _save="Salva")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_m4_audit_reproduction_admin_edits_then_anonymise_leave_no_name(
    client, administrator, elena
):
    """The review's reproduction: special-category answers edited in admin, then the phone;
    anonymisation; nothing in django_admin_log names her or her special-category answers."""
    factories.intake(elena, desk_slug="casalmaggiore")
    client.force_login(administrator)
    edit_in_admin(client, elena, has_disability="true", is_minority="true")
    edit_in_admin(client, elena, phone="0375 203122")

    rows = list(LogEntry.objects.filter(object_id=str(elena.pk)).order_by("pk"))
    assert [r.action_flag for r in rows] == [CHANGE, CHANGE]
    # New admin edits already write no name and no special-category label...
    assert {r.object_repr for r in rows} == {f"#{elena.pk}"}
    text = admin_log_text()
    assert "lodi" not in text and "elena" not in text
    assert not any(word in text for word in SPECIAL_WORDS)
    # ...but still say which ordinary field changed, and that something changed.
    assert "Telefono" in rows[1].get_change_message()
    assert rows[0].get_change_message() == ""  # a change, with no detail to give

    anonymise_person(person=elena, by=administrator)
    text = admin_log_text()
    assert "lodi" not in text and "elena" not in text
    assert not any(word in text for word in SPECIAL_WORDS)
    # The administrator's "Recent actions" box names nobody either (the first visit shows
    # the one-off "changed successfully" message of the last save, the second does not).
    client.get(reverse("admin:index"))
    index = client.get(reverse("admin:index")).content.decode()
    assert f"#{elena.pk}" in index
    assert "Lodi Rizzini" not in index


def test_m4_admin_additions_and_deletions_write_no_name(client, administrator):
    client.force_login(administrator)
    person = factories.person(last_name="Superti", first_name="Giulia")
    intake = factories.intake(person, desk_slug="casalmaggiore")
    meeting = factories.meeting(intake)
    url = reverse("admin:casework_intake_change", args=[intake.pk])
    data = change_form_data(client.get(url))
    data.update(
        {
            "meetings-TOTAL_FORMS": "1",
            "meetings-INITIAL_FORMS": "1",
            "meetings-0-id": str(meeting.pk),
            "meetings-0-intake": str(intake.pk),
            "meetings-0-held_on": meeting.held_on.strftime("%d/%m/%Y"),
            "meetings-0-mode": meeting.mode,
            "meetings-0-duration_minutes": "45",
            "meetings-0-attended": "on",
            "meetings-0-DELETE": "on",
            "referrals-TOTAL_FORMS": "0",
            "referrals-INITIAL_FORMS": "0",
            "_save": "Salva",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = LogEntry.objects.get(object_id=str(intake.pk))
    assert row.object_repr == f"#{intake.pk}"
    assert f"#{meeting.pk}" in row.get_change_message()  # the deleted inline, by id

    add = client.post(
        reverse("admin:casework_meeting_add"),
        {"intake": intake.pk, "held_on": "20/02/2021", "mode": "presenza", "duration_minutes": 45},
    )
    assert add.status_code == 302, add.context["adminform"].form.errors
    added = LogEntry.objects.filter(action_flag=ADDITION).get()
    assert added.object_repr == f"#{added.object_id}"

    other = factories.person(last_name="Ghisolfi", first_name="Sara")
    response = client.post(
        reverse("admin:casework_person_changelist"),
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    deleted = LogEntry.objects.get(action_flag=DELETION)
    assert deleted.object_repr == f"#{other.pk}"
    text = admin_log_text()
    assert "superti" not in text and "giulia" not in text and "ghisolfi" not in text


def _old_style_rows(person: Person, user) -> None:
    """Rows as Django wrote them before M4: str(obj) and the special-category labels."""
    intake = factories.intake(person, desk_slug="casalmaggiore")
    meeting = factories.meeting(intake)
    referral = Referral.objects.create(
        intake=intake, kind="tirocinio", referred_on=intake.opened_on, description="x"
    )
    ack = record_acknowledgement(
        person=person, notice=None, operator=None, channel="presenza", on=dt.date(2021, 2, 15)
    )
    special = ["Persona con disabilità", "Appartiene a una minoranza", "Telefono"]
    LogEntry.objects.log_actions(
        user.pk, [person], CHANGE, [{"changed": {"fields": special}}], single_object=True
    )
    LogEntry.objects.log_actions(user.pk, [person], ADDITION, "new through import_export")
    inline = {"added": {"name": "colloquio", "object": f"{person} · 14/02/2021"}}
    for obj in (intake, meeting, referral, ack):
        LogEntry.objects.log_actions(user.pk, [obj], CHANGE, [inline], single_object=True)
        LogEntry.objects.filter(object_id=str(obj.pk)).update(object_repr=str(person))


def test_m4_anonymising_scrubs_rows_written_before_the_fix(administrator, elena):
    _old_style_rows(elena, administrator)
    bystander = factories.person(last_name="Tosi", first_name="Massimo")
    LogEntry.objects.log_actions(administrator.pk, [bystander], CHANGE, "", single_object=True)
    assert "lodi rizzini" in admin_log_text()

    anonymise_person(person=elena, by=administrator)

    text = admin_log_text()
    assert "lodi" not in text and "elena" not in text
    assert not any(word in text for word in SPECIAL_WORDS)
    assert "tosi massimo" in text  # someone else's row is not touched
    person_change = LogEntry.objects.get(
        object_id=str(elena.pk), content_type__model="person", action_flag=CHANGE
    )
    assert person_change.object_repr == f"#{elena.pk}"
    assert person_change.user == administrator and person_change.action_time  # who and when
    assert "Telefono" in person_change.get_change_message()
    ack = PrivacyAcknowledgement.objects.get(person=elena)
    assert LogEntry.objects.get(object_id=str(ack.pk), content_type__model="privacyacknowledgement")
    assert LogEntry.objects.exclude(object_repr__startswith="#").count() == 1  # the bystander


def test_m4_subject_access_export_includes_the_admin_log(client, administrator, elena):
    client.force_login(administrator)
    factories.intake(elena, desk_slug="casalmaggiore")
    edit_in_admin(client, elena, phone="0375 203122")
    data = subject_access_data(person=elena)
    (row,) = data["admin_log"]
    assert row["object"] == f"person #{elena.pk}"
    assert row["action"] == "change"
    assert row["user"] == administrator.username
    assert "Telefono" in row["change_message"]
    json.dumps(data, default=str)  # serialisable as the export writes it


def _import_people(client) -> Person:
    from casework import fiscal_code
    from tests.casework.test_import_export import PEOPLE_HEADER, _format_index, xlsx_file

    cf = fiscal_code.encode(
        last_name="Zanoni",
        first_name="Anna",
        birth_date=dt.date(1999, 5, 4),
        sex="F",
        place_code="B898",
    )
    upload = io.BytesIO(
        xlsx_file(
            PEOPLE_HEADER, [[cf, "Zanoni", "Anna", "04/05/1999", "F", "Gussola", "IT", "its"]]
        )
    )
    upload.name = "persone.xlsx"
    from import_export.formats.base_formats import XLSX

    preview = client.post(
        reverse("admin:casework_person_import"),
        {"resource": "0", "format": _format_index(XLSX), "import_file": upload},
    )
    confirm = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:casework_person_process_import"),
        {name: confirm.initial[name] for name in confirm.fields if name in confirm.initial},
    )
    assert done.status_code == 302
    return Person.objects.get(fiscal_code=cf)


def test_m4_imports_write_no_admin_log_by_default(client, administrator):
    from django.conf import settings

    assert settings.IMPORT_EXPORT_SKIP_ADMIN_LOG is True
    client.force_login(administrator)
    _import_people(client)
    assert not LogEntry.objects.exists()


def test_m4_imports_name_nobody_even_with_the_admin_log_on(client, administrator, settings):
    settings.IMPORT_EXPORT_SKIP_ADMIN_LOG = False
    client.force_login(administrator)
    person = _import_people(client)
    row = LogEntry.objects.get()
    assert (row.object_id, row.object_repr, row.action_flag) == (
        str(person.pk),
        f"#{person.pk}",
        ADDITION,
    )
    assert "zanoni" not in admin_log_text() and "anna" not in admin_log_text()


def test_m4_the_migration_rewrites_rows_written_before_the_fix(administrator, elena):
    """Everybody's old rows, not only the anonymised: audit/migrations/0002."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("audit.migrations.0002_admin_log_by_id")
    _old_style_rows(elena, administrator)
    notice = LogEntry.objects.log_actions(
        administrator.pk, [PrivacyAcknowledgement.objects.get().notice], CHANGE, ""
    )[0]
    migration.rewrite(apps, None)

    text = admin_log_text()
    assert "lodi" not in text and "elena" not in text
    assert not any(word in text for word in SPECIAL_WORDS)
    assert LogEntry.objects.filter(object_repr__startswith="#").count() == 6  # all but one
    notice.refresh_from_db()
    assert not notice.object_repr.startswith("#")  # not a case record: left as it was
