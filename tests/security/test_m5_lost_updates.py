"""M5 (security review 2026-11): admin saves and imports neither checked nor increased the
records' ``version``, so an operator's form opened before an administrator's change silently
undid it (and the other way round). Every save now increases the version; the admin's change
forms check it like the desk's edit pages; imports that update rows increase it."""

from __future__ import annotations

import pytest
import tablib
from django.test import Client
from django.urls import reverse

from casework.models import Meeting, Person
from casework.resources import PersonResource
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    p = factories.person(phone="", email="")
    factories.intake(p, desk_slug="casalmaggiore")
    return p


def admin_post_data(form) -> dict:
    """What the browser would send back from an admin form, unchanged."""
    data: dict = {}
    for bound in form:
        value = bound.value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
            continue
        data[bound.html_name] = bound.field.widget.format_value(value) or str(value)
    return data


def open_admin_form(client, person: Person) -> dict:
    response = client.get(reverse("admin:casework_person_change", args=[person.pk]))
    assert response.status_code == 200
    return admin_post_data(response.context["adminform"].form)


def open_operator_form(client, person: Person) -> dict:
    response = client.get(reverse("casework:person_edit", args=[person.pk]))
    assert response.status_code == 200
    return admin_post_data(response.context["form"])


def test_m5_admin_change_then_stale_operator_form_is_a_conflict(
    client, op_casalmaggiore, administrator, person
):
    operator = client
    operator.force_login(op_casalmaggiore)
    operator_data = open_operator_form(operator, person)
    assert operator_data["version"] == "1"

    admin = Client()
    admin.force_login(administrator)
    admin_data = open_admin_form(admin, person)
    admin_data["phone"] = "0375 999888"
    response = admin.post(reverse("admin:casework_person_change", args=[person.pk]), admin_data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.phone == "+390375999888"
    assert person.version == 2  # the admin's save increased it

    operator_data["email"] = "nuova@example.org"
    response = operator.post(reverse("casework:person_edit", args=[person.pk]), operator_data)
    assert response.status_code == 200
    assert response.context["conflict"]
    person.refresh_from_db()
    assert person.phone == "+390375999888"  # not lost
    assert person.email == ""


def test_m5_operator_save_then_stale_admin_form_is_a_conflict(
    client, op_casalmaggiore, administrator, person
):
    admin = Client()
    admin.force_login(administrator)
    admin_data = open_admin_form(admin, person)
    assert admin_data["edit_version"] == "1"

    client.force_login(op_casalmaggiore)
    operator_data = open_operator_form(client, person)
    operator_data["email"] = "nuova@example.org"
    assert (
        client.post(reverse("casework:person_edit", args=[person.pk]), operator_data).status_code
        == 302
    )
    person.refresh_from_db()
    assert person.version == 2

    admin_data["phone"] = "0375 999888"
    url = reverse("admin:casework_person_change", args=[person.pk])
    response = admin.post(url, admin_data)
    assert response.status_code == 200  # the form again, with what was typed
    form = response.context["adminform"].form
    assert form.non_field_errors()
    assert "nuova@example.org" in " ".join(form.errors.get("email", []))  # saved now
    assert form["phone"].value() == "0375 999888"
    person.refresh_from_db()
    assert person.email == "nuova@example.org"  # not lost
    assert person.phone == ""
    # The form now carries the current version: saving again is a deliberate overwrite.
    again = admin_post_data(form)
    assert again["edit_version"] == "2"
    assert admin.post(url, again).status_code == 302
    person.refresh_from_db()
    assert person.phone == "+390375999888"
    assert person.version == 3


def test_m5_an_import_that_updates_a_person_increases_the_version(
    client, op_casalmaggiore, administrator, person
):
    client.force_login(op_casalmaggiore)
    operator_data = open_operator_form(client, person)

    resource = PersonResource()
    exported = resource.export(queryset=Person.objects.filter(pk=person.pk))
    rows = tablib.Dataset(headers=exported.headers)
    row = list(exported[0])
    row[exported.headers.index("telefono")] = "0375 111222"
    rows.append(row)
    result = resource.import_data(rows, dry_run=False, user=administrator)
    assert not result.has_errors() and not result.has_validation_errors()
    person.refresh_from_db()
    assert person.phone == "+390375111222"
    assert person.version == 2

    operator_data["email"] = "nuova@example.org"
    response = client.post(reverse("casework:person_edit", args=[person.pk]), operator_data)
    assert response.status_code == 200 and response.context["conflict"]
    person.refresh_from_db()
    assert person.phone == "+390375111222"


def test_m5_every_save_increases_the_version(person):
    intake = person.intakes.get()
    meeting = factories.meeting(intake)
    assert meeting.version == 1
    meeting.notes = "corretto"
    meeting.save()
    assert meeting.version == 2
    meeting.save(update_fields=["notes"])
    assert Meeting.objects.get(pk=meeting.pk).version == 3 == meeting.version
