"""The audit trail: every create, change and delete of a case record, and every read of a
person's record, attributable to a user; an administrator sees one person's history."""

from __future__ import annotations

import datetime as dt

import pytest
import tablib
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit import trail
from casework import roles, services
from casework.choices import MeetingMode, ReferralKind, ReferralOutcome
from casework.models import Activity, Intake, Meeting, Person, Referral
from tests import factories

pytestmark = pytest.mark.django_db

ACCESS = LogEntry.Action.ACCESS


def entries_for(obj) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(obj).order_by("pk"))


# --- Changes ---------------------------------------------------------------------------------


def test_create_change_and_delete_are_recorded_with_who_and_old_and_new_values(
    op_casalmaggiore,
):
    with set_actor(op_casalmaggiore):
        person = factories.person(last_name="Superti", first_name="Giulia", phone="")
        person.phone = "+390375203122"
        person.save()
        intake = factories.intake(person)
        meeting = factories.meeting(intake)
        meeting_pk = meeting.pk
        meeting.delete()

    created, changed = entries_for(person)
    assert created.action == LogEntry.Action.CREATE
    assert created.actor == op_casalmaggiore
    assert created.changes["last_name"][1] == "Superti"
    assert changed.action == LogEntry.Action.UPDATE
    assert changed.actor == op_casalmaggiore
    assert changed.changes == {"phone": ["", "+390375203122"]}  # only what changed

    deleted = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Meeting),
        object_pk=str(meeting_pk),
        action=LogEntry.Action.DELETE,
    )
    assert deleted.actor == op_casalmaggiore
    assert deleted.changes["held_on"][0] == str(intake.opened_on + dt.timedelta(days=7))


def test_derived_and_bookkeeping_columns_are_not_in_the_trail(op_casalmaggiore):
    person = factories.person(first_name="Benedetta")
    person.first_name = "Chiara"
    person.version += 1
    person.save()
    update = entries_for(person)[-1]
    assert set(update.changes) == {"first_name"}


def test_special_category_changes_are_recorded_without_their_values():
    person = factories.person()
    person.has_disability = True
    person.is_minority = False
    person.save()
    update = entries_for(person)[-1]
    assert set(update.changes) == {"has_disability", "is_minority"}
    assert update.changes["has_disability"] == [trail.MASK, trail.MASK]
    assert "True" not in str(update.changes) and "False" not in str(update.changes)


def test_referral_and_meeting_activities_are_recorded(op_casalmaggiore):
    intake = factories.intake()
    with set_actor(op_casalmaggiore):
        meeting = factories.meeting(intake, mode=MeetingMode.PHONE)
        meeting.activities.add(Activity.objects.order_by("pk").first())
        referral = Referral.objects.create(
            intake=intake, kind=ReferralKind.INTERNSHIP, referred_on=intake.opened_on
        )
        referral.outcome = ReferralOutcome.values[1]
        referral.outcome_on = intake.opened_on + dt.timedelta(days=30)
        referral.save()
    m2m = entries_for(meeting)[-1]
    assert m2m.changes["activities"]["type"] == "m2m"
    assert m2m.changes["activities"]["operation"] == "add"
    outcome = entries_for(referral)[-1]
    assert outcome.action == LogEntry.Action.UPDATE
    assert outcome.changes["outcome"] == [ReferralOutcome.PENDING, ReferralOutcome.values[1]]


def test_a_versioned_edit_is_recorded_by_auditlog_with_only_the_edited_fields(op_casalmaggiore):
    """The desk's optimistic-concurrency save is an ordinary save(update_fields=...) after
    its version check: auditlog's own receiver records it, the fields edited and nothing
    else, and the version goes up by exactly one."""
    person = factories.person(email="", phone="+390375111111")
    version = person.version
    person.email = "giulia@example.org"
    person.phone = "+390375222222"  # set on the instance but not among the fields saved
    with set_actor(op_casalmaggiore):
        services.update_person(person=person, version=version, fields=["email"])
    update = entries_for(person)[-1]
    assert update.action == LogEntry.Action.UPDATE
    assert update.actor == op_casalmaggiore
    assert update.changes == {"email": ["", "giulia@example.org"]}
    stored = Person.objects.get(pk=person.pk)
    assert (stored.email, stored.phone) == ("giulia@example.org", "+390375111111")
    assert stored.version == person.version == version + 1


def test_a_spreadsheet_import_is_audited_row_by_row(administrator):
    from casework import fiscal_code
    from casework.resources import PersonResource

    cf = fiscal_code.encode(
        last_name="Zanoni",
        first_name="Anna",
        birth_date=dt.date(1999, 5, 4),
        sex="F",
        place_code="B898",
    )
    data = tablib.Dataset(
        [cf, "Zanoni", "Anna", "04/05/1999", "F", "Casalmaggiore", "IT", "diploma"],
        headers=[
            "codice_fiscale",
            "cognome",
            "nome",
            "data_nascita",
            "genere",
            "comune_residenza",
            "cittadinanza",
            "titolo_studio",
        ],
    )
    with set_actor(administrator):
        result = PersonResource().import_data(data, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    person = Person.objects.get(fiscal_code=cf)
    (created,) = entries_for(person)
    assert created.action == LogEntry.Action.CREATE
    assert created.actor == administrator
    assert created.changes["fiscal_code"][1] == cf


def test_bulk_create_is_not_audited_as_documented():
    """demo_data writes with bulk_create: synthetic rows, made by a command, not audited."""
    before = LogEntry.objects.count()
    factories.person()  # one audited row, to show the trail is on
    Person.objects.bulk_create(
        [
            Person(
                last_name=f"Demo{i}",
                first_name="Anna",
                birth_date=dt.date(1990, 1, 1),
                gender="F",
                education="diploma",
            )
            for i in range(3)
        ]
    )
    assert LogEntry.objects.count() == before + 1


def test_audit_extends_every_case_admin_that_casework_registers():
    """casework's admin knows nothing of audit; audit extends the case admins (audit/admin.py):
    admin-log rows by id without special categories (M4), every export in the trail (M8),
    and the people's admin keeps the data-request actions privacy added."""
    from django.contrib import admin as django_admin

    from audit.adminlog import NamelessAdminLogMixin, NamelessImportLogMixin
    from audit.reads import AuditedExportMixin
    from casework.admin import ScopedAdmin
    from privacy.admin import erase_people, export_subject_access

    site = django_admin.site
    case_admins = {
        model: site.get_model_admin(model)
        for model in (Person, Intake, Meeting, Referral)
        if site.is_registered(model)
    }
    assert set(case_admins) == {Person, Intake, Meeting, Referral}
    for model, model_admin in case_admins.items():
        assert isinstance(model_admin, ScopedAdmin), model
        assert isinstance(model_admin, NamelessAdminLogMixin), model
    for model in (Person, Intake, Meeting):  # the ones that import and export
        assert isinstance(case_admins[model], AuditedExportMixin), model
        assert isinstance(case_admins[model], NamelessImportLogMixin), model
    assert {export_subject_access, erase_people} <= set(case_admins[Person].actions)


# --- Reads -------------------------------------------------------------------------------------


def test_opening_a_case_page_records_who_read_which_person(client, op_casalmaggiore):
    intake = factories.intake(desk_slug="casalmaggiore")
    client.force_login(op_casalmaggiore)
    response = client.get(reverse("casework:person", args=[intake.person_id]))
    assert response.status_code == 200
    (read,) = LogEntry.objects.filter(action=ACCESS)
    assert read.actor == op_casalmaggiore
    assert read.content_type.model_class() is Person
    assert read.object_pk == str(intake.person_id)
    assert read.additional_data == {"view": "casework:person"}
    assert read.remote_addr == "127.0.0.1"


def test_a_refused_page_records_no_read(client, op_gussola):
    intake = factories.intake(desk_slug="casalmaggiore")
    client.force_login(op_gussola)
    response = client.get(reverse("casework:person", args=[intake.person_id]))
    assert response.status_code == 404
    assert not LogEntry.objects.filter(action=ACCESS).exists()


def test_the_read_log_costs_one_insert(client, op_casalmaggiore, django_assert_num_queries):
    """The middleware adds exactly one query (the INSERT) to a page it logs."""
    from audit import reads

    intake = factories.intake(desk_slug="casalmaggiore")
    client.force_login(op_casalmaggiore)
    url = reverse("casework:person", args=[intake.person_id])
    client.get(url)  # warm caches (content types, permissions are per request anyway)
    saved = dict(reads.READ_VIEWS)
    reads.READ_VIEWS.pop("casework:person")
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as unlogged:
            client.get(url)
    finally:
        reads.READ_VIEWS.clear()
        reads.READ_VIEWS.update(saved)
    with django_assert_num_queries(len(unlogged) + 1):
        client.get(url)


def test_an_administrator_opening_a_person_in_admin_is_a_read(client, administrator):
    person = factories.person()
    client.force_login(administrator)
    response = client.get(reverse("admin:casework_person_change", args=[person.pk]))
    assert response.status_code == 200
    read = LogEntry.objects.get(action=ACCESS)
    assert read.actor == administrator
    assert read.additional_data == {"view": "admin:casework_person_change"}
    # and the page links to the person's history
    assert reverse("admin:audit_person_history", args=[person.pk]) in response.content.decode()


# --- One person's history, for administrators only ----------------------------------------------


@pytest.fixture
def history(op_casalmaggiore, op_gussola):
    """A person with two intakes, reads by two operators, a change, and a deleted meeting."""
    person = factories.person(last_name="Ghisolfi", first_name="Sara")
    other = factories.person()
    with set_actor(op_casalmaggiore):
        first = factories.intake(person, desk_slug="casalmaggiore")
        meeting = factories.meeting(first)
        meeting.delete()
        person.phone = "333 1234567"
        person.save()
    with set_actor(op_gussola):
        factories.intake(person, desk_slug="gussola", opened_on=dt.date(2021, 5, 3))
        factories.intake(other, desk_slug="gussola")
    return person, other


def test_the_history_of_one_person_has_reads_and_changes_of_all_their_records(
    client, history, op_casalmaggiore, op_gussola, administrator
):
    person, other = history
    for user in (op_casalmaggiore, op_gussola):
        client.force_login(user)
        assert client.get(reverse("casework:person", args=[person.pk])).status_code == 200
    client.force_login(op_gussola)
    client.get(reverse("casework:person", args=[other.pk]))

    entries = list(trail.person_history(person.pk))
    models_seen = {(e.content_type.model, e.action) for e in entries}
    assert ("person", LogEntry.Action.CREATE) in models_seen
    assert ("person", LogEntry.Action.UPDATE) in models_seen
    assert ("intake", LogEntry.Action.CREATE) in models_seen
    assert ("meeting", LogEntry.Action.DELETE) in models_seen  # found although deleted
    reads = [e for e in entries if e.action == ACCESS]
    assert {e.actor for e in reads} == {op_casalmaggiore, op_gussola}
    other_pk = str(other.pk)
    assert not any(e.object_pk == other_pk and e.content_type.model == "person" for e in entries)
    assert len([e for e in entries if e.content_type.model == "intake"]) == 2

    client.force_login(administrator)
    response = client.get(reverse("admin:audit_person_history", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "op.casalmaggiore" in html and "op.gussola" in html
    assert "lettura" in html and "scheda della persona" in html
    assert "casework:person" not in html  # the page by its name, not its URL name
    assert "333 1234567" in html  # the changed value, old → new
    assert f"persona #{other.pk}</td>" not in html

    changelist = client.get(reverse("admin:auditlog_logentry_changelist"), {"persona": person.pk})
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == len(entries)


def test_the_history_page_runs_a_fixed_number_of_queries(
    client, history, administrator, django_assert_max_num_queries
):
    person, _ = history
    client.force_login(administrator)
    url = reverse("admin:audit_person_history", args=[person.pk])
    client.get(url)
    # The entries, then one query per kind of object they name (audit/display.py: people,
    # intakes with their desks, desks, comuni, meetings), whatever the number of entries.
    with django_assert_max_num_queries(20):
        client.get(url)
    for _i in range(5):
        client.get(reverse("admin:casework_person_change", args=[person.pk]))
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert len(response.context["entries"]) >= 10


def test_only_administrators_see_the_trail(client, history, udp_reader, op_casalmaggiore):
    person, _ = history
    url = reverse("admin:audit_person_history", args=[person.pk])
    for user in (udp_reader, op_casalmaggiore):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]
    staff_without_role = factories.user("staff.norole", is_staff=True)
    client.force_login(staff_without_role)
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 403


def test_the_roles_hold_the_audit_permission_as_intended():
    admin_perms = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=roles.ADMINISTRATOR).permissions.all()
    }
    assert {
        "auditlog.view_logentry",
        "otp_totp.delete_totpdevice",
        "axes.delete_accessattempt",
    } <= admin_perms
    for role in (roles.OPERATOR, roles.PLANNING_OFFICE):
        perms = Group.objects.get(name=role).permissions.values_list("codename", flat=True)
        assert "view_logentry" not in perms


def test_intake_pages_are_logged_against_the_intake(client, op_casalmaggiore):
    intake = factories.intake(desk_slug="casalmaggiore")
    client.force_login(op_casalmaggiore)
    response = client.get(reverse("casework:meeting_add", args=[intake.pk]))
    assert response.status_code == 200
    read = LogEntry.objects.get(action=ACCESS)
    assert read.content_type.model_class() is Intake
    assert read.object_pk == str(intake.pk)
    assert read in trail.person_history(intake.person_id)


def test_an_operator_edit_through_the_service_is_in_the_trail(op_casalmaggiore):
    intake = factories.intake(desk_slug="casalmaggiore")
    person = Person.objects.get(pk=intake.person_id)
    person.phone = "+390375203122"
    with set_actor(op_casalmaggiore):
        services.update_person(person=person, version=person.version, fields=["phone"])
    update = entries_for(person)[-1]
    assert update.action == LogEntry.Action.UPDATE
    assert update.changes["phone"][1] == "+390375203122"


def test_loading_a_dump_adds_nothing_to_the_trail(tmp_path):
    """Restoring a backup (loaddata: raw saves) must leave the restored trail as it was."""
    from django.core import serializers
    from django.core.management import call_command

    person = factories.person()
    dump = tmp_path / "people.json"
    dump.write_text(serializers.serialize("json", [person]))
    Person.objects.filter(pk=person.pk).update(last_name="Cambiato")
    before = LogEntry.objects.count()
    call_command("loaddata", str(dump), verbosity=0)
    assert Person.objects.get(pk=person.pk).last_name == person.last_name
    assert LogEntry.objects.count() == before
