"""Subject-access export (GDPR art. 15): the command and the admin action."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import Activity, Partner, Person, Referral
from casework.services import record_acknowledgement
from privacy.services import subject_access_data
from tests import factories

pytestmark = pytest.mark.django_db


def _case_history(*, meetings: int) -> Person:
    person = factories.person(
        last_name="Superti", first_name="Chiara", email="chiara@example.org", phone="0375 1"
    )
    own = factories.intake(person, desk_slug="casalmaggiore", opened_on=dt.date(2021, 2, 1))
    other = factories.intake(person, desk_slug="gussola", opened_on=dt.date(2021, 5, 3))
    guidance = Activity.objects.order_by("pk").first()
    for n in range(meetings):
        factories.meeting(own, days_after=n + 1, notes=f"nota {n}").activities.add(guidance)
    Referral.objects.create(
        intake=other,
        kind="tirocinio",
        partner=Partner.objects.order_by("pk").first(),
        description="Tirocinio in panetteria",
        referred_on=dt.date(2021, 5, 10),
    )
    record_acknowledgement(
        person=person, notice=None, operator=None, channel="presenza", on=dt.date(2021, 2, 1)
    )
    return person


def test_the_command_exports_everything_held_about_one_person():
    person = _case_history(meetings=2)
    out = io.StringIO()
    call_command("subject_access", str(person.pk), stdout=out)
    data = json.loads(out.getvalue())
    assert data["person"]["fiscal_code"] == person.fiscal_code
    assert data["person"]["last_name"] == "Superti"
    assert data["person"]["email"] == "chiara@example.org"
    assert data["person"]["gender_label"] == "Donna"
    assert data["person"]["birth_date"] == person.birth_date.isoformat()
    assert "search_key" not in data["person"]
    assert [i["desk"] for i in data["intakes"]] == ["Casalmaggiore", "Gussola"]
    assert [m["notes"] for m in data["meetings"]] == ["nota 0", "nota 1"]
    assert data["meetings"][0]["activities"] == [Activity.objects.order_by("pk").first().name]
    assert data["referrals"][0]["description"] == "Tirocinio in panetteria"
    assert data["referrals"][0]["kind_label"] == "Tirocinio"
    assert data["privacy_acknowledgements"] == [
        {
            "notice_version": "1.0",
            "acknowledged_on": "2021-02-01",
            "channel": "presenza",
            "channel_label": "In presenza",
            "operator": None,
        }
    ]


def test_the_command_writes_a_file_and_refuses_an_unknown_id(tmp_path):
    person = _case_history(meetings=1)
    target = tmp_path / "export.json"
    call_command("subject_access", str(person.pk), "--output", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8"))["person"]["first_name"] == "Chiara"
    with pytest.raises(CommandError, match="Nessuna persona"):
        call_command("subject_access", "999999")


def test_the_export_runs_a_constant_number_of_queries():
    small = _case_history(meetings=1)
    with CaptureQueriesContext(connection) as few:
        subject_access_data(person=small)
    big = _case_history(meetings=12)
    with CaptureQueriesContext(connection) as many:
        data = subject_access_data(person=big)
    assert len(data["meetings"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries)
    # person, cases, links, acknowledgements, follow-up (exits, tasks, attempts), trail; the
    # agenda: appointments, consents, messages, and the ids of the first two for the trail
    assert len(few.captured_queries) <= 24


person_admin_registered = pytest.mark.skipif(
    Person not in admin.site._registry, reason="casework/admin/ does not register Person"
)


@person_admin_registered
def test_the_admin_action_downloads_the_json(client, administrator):
    person = _case_history(meetings=1)
    client.force_login(administrator)
    response = client.post(
        "/admin/casework/person/",
        {"action": "export_subject_access", "_selected_action": [person.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f"accesso-persona-{person.pk}.json" in response["Content-Disposition"]
    assert person.fiscal_code not in response["Content-Disposition"]
    assert json.loads(response.content)["person"]["fiscal_code"] == person.fiscal_code
    # The export is itself a read of the whole record, in the audit trail.
    from auditlog.models import LogEntry

    read = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(person.pk), actor=administrator
    ).get()
    assert read.additional_data["view"] == "privacy:subject_access_export"


@person_admin_registered
def test_the_admin_actions_need_the_data_requests_permission(client, administrator):
    from django.contrib.auth.models import Permission

    administrator.groups.first().permissions.remove(
        Permission.objects.get(codename="handle_data_requests")
    )
    person = _case_history(meetings=1)
    client.force_login(administrator)
    page = client.get("/admin/casework/person/")
    assert page.status_code == 200
    assert b"export_subject_access" not in page.content
    assert b"erase_people" not in page.content
    response = client.post(
        "/admin/casework/person/",
        {"action": "export_subject_access", "_selected_action": [person.pk]},
    )
    assert not response.get("Content-Type", "").startswith("application/json")
