"""Issue 10 item 11: phone numbers in E.164, shown the Italian way; e-mail addresses
checked; long texts limited in the form, the model, the import and the database."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from casework import phones
from casework.forms import CloseIntakeForm, MeetingForm, PersonEditForm
from casework.models import NOTE_MAX_LENGTH, Intake, Meeting, Person
from casework.resources import PersonResource, row_errors
from tests import factories
from tests.casework.test_import_export import dataset, xlsx_file

pytestmark = pytest.mark.django_db

PHONE_ERROR = "Numero di telefono non valido"


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("0375 123456", "+390375123456", "0375 123456"),
        ("333 1234567", "+393331234567", "333 123 4567"),
        ("+39 0375 123456", "+390375123456", "0375 123456"),
        ("0039 333 1234567", "+393331234567", "333 123 4567"),
        ("+41 44 668 18 00", "+41446681800", "+41 44 668 18 00"),
    ],
)
def test_phones_are_stored_in_e164_and_shown_the_italian_way(typed, stored, shown):
    assert phones.normalise(typed) == stored
    assert phones.display(stored) == shown


@pytest.mark.parametrize("garbage", ["abc", "12", "0375", "+39 0375 1", "telefono di casa"])
def test_garbage_is_not_a_phone(garbage):
    with pytest.raises(ValidationError) as exc:
        phones.normalise(garbage)
    assert PHONE_ERROR in exc.value.messages[0]


def test_a_value_that_does_not_parse_is_shown_as_it_is():
    assert phones.display("chiedere alla sorella") == "chiedere alla sorella"


def _person_form(person: Person, **changes) -> PersonEditForm:
    data = {
        "fiscal_code": person.fiscal_code,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date.isoformat(),
        "gender": person.gender,
        "residence_comune": "Casalmaggiore (CR)",
        "citizenship": person.citizenship,
        "education": person.education,
        "email": person.email,
        "phone": person.phone,
        "version": person.version,
    }
    data.update(changes)
    return PersonEditForm(data=data, instance=person)


def test_the_person_form_stores_e164_and_shows_it_the_italian_way():
    person = factories.person()
    form = _person_form(person, phone="0375 123456")
    assert form.is_valid(), form.errors
    form.save()
    person.refresh_from_db()
    assert person.phone == "+390375123456"
    assert 'value="0375 123456"' in str(PersonEditForm(instance=person)["phone"])
    assert person.phone_display == "0375 123456"


def test_the_person_form_refuses_a_bad_phone_and_a_bad_email_in_one_round():
    person = factories.person()
    form = _person_form(person, phone="chiamare dopo", email="anna@")
    assert not form.is_valid()
    assert PHONE_ERROR in form.errors["phone"][0]
    assert "indirizzo email valido" in form.errors["email"][0]


def test_the_case_page_shows_the_phone_the_italian_way(client, op_casalmaggiore):
    person = factories.person(phone="+393331234567")
    intake = factories.intake(person)
    client.force_login(op_casalmaggiore)
    page = client.get(reverse("casework:person", args=[person.pk]))
    assert intake.pk and "333 123 4567" in page.content.decode()
    assert "+393331234567" not in page.content.decode()


def test_the_import_normalises_phones_and_names_the_columns_of_bad_ones():
    header = ["codice_fiscale", "cognome", "nome", "data_nascita", "genere", "titolo_studio",
              "email", "telefono"]  # fmt: skip
    rows = [
        ["", "Rossi", "Anna", "03/07/1996", "F", "diploma", "anna@example.org", "0039 333 1234567"],
        ["", "Bianchi", "Luca", "03/07/1990", "M", "diploma", "", "telefono di casa"],
        ["", "Verdi", "Ugo", "03/07/1990", "M", "diploma", "ugo@@example", "0375 123456"],
    ]
    result = PersonResource().import_data(dataset(xlsx_file(header, rows)), dry_run=False)
    messages = dict(row_errors(result))
    assert set(messages) == {2, 3}
    assert messages[2].startswith("telefono:") and PHONE_ERROR in messages[2]
    assert messages[3].startswith("email:")
    assert not Person.objects.filter(last_name="Rossi").exists()  # all or nothing
    result = PersonResource().import_data(dataset(xlsx_file(header, rows[:1])), dry_run=False)
    assert not result.has_validation_errors(), row_errors(result)
    assert Person.objects.get(last_name="Rossi").phone == "+393331234567"


def test_the_admin_stores_e164_and_refuses_garbage(rf, administrator):
    from django.contrib import admin

    person = factories.person()
    request = rf.get("/")
    request.user = administrator
    form_class = admin.site._registry[Person].get_form(request, person)
    data = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date.isoformat(),
        "gender": person.gender,
        "fiscal_code": person.fiscal_code,
        "citizenship": person.citizenship,
        "education": person.education,
        "residence_comune": person.residence_comune_id,
        "edit_version": person.version,
        "phone": "abc",
    }
    refused = form_class(data, instance=person)
    assert not refused.is_valid()
    assert PHONE_ERROR in refused.errors["phone"][0]
    data["phone"] = "+39 0375 123456"
    accepted = form_class(data, instance=person)
    assert accepted.is_valid(), accepted.errors
    assert accepted.save().phone == "+390375123456"
    assert 'value="0375 123456"' in str(
        form_class(instance=Person.objects.get(pk=person.pk))["phone"]
    )


def test_the_data_migration_normalises_what_parses_and_keeps_the_rest(capsys):
    good = factories.person(phone="0375 123456")
    foreign = factories.person(phone="0041 44 668 18 00")
    bad = factories.person(phone="chiedere alla sorella")
    done = factories.person(phone="+393331234567")
    migration = importlib.import_module("casework.migrations.0014_normalise_phones")
    migration.normalise_phones(django_apps, None)
    phones_now = dict(Person.objects.values_list("pk", "phone"))
    assert phones_now[good.pk] == "+390375123456"
    assert phones_now[foreign.pk] == "+41446681800"
    assert phones_now[bad.pk] == "chiedere alla sorella"
    assert phones_now[done.pk] == "+393331234567"
    assert "2 normalizzati in E.164, 1 lasciati come erano" in capsys.readouterr().out


# --- Long texts ---------------------------------------------------------------------------


def test_the_forms_refuse_a_note_beyond_the_limit_and_render_the_limit():
    intake = factories.intake()
    form = CloseIntakeForm(
        data={"closed_on": "2021-03-01", "closure_reason": "altro", "closure_note": "x" * 2001},
        instance=intake,
    )
    assert not form.is_valid()
    assert "più di 2000 caratteri" in form.errors["closure_note"][0]
    assert 'maxlength="2000"' in str(MeetingForm()["notes"])


def test_the_model_refuses_a_note_beyond_the_limit():
    meeting = factories.meeting(factories.intake())
    meeting.notes = "x" * (NOTE_MAX_LENGTH + 1)
    with pytest.raises(ValidationError) as exc:
        meeting.full_clean()
    assert "notes" in exc.value.message_dict


@pytest.mark.parametrize(
    ("model", "field"),
    [(Intake, "needs"), (Intake, "closure_note"), (Meeting, "notes")],
)
def test_the_database_refuses_a_text_beyond_the_limit(model, field):
    intake = factories.intake()
    meeting = factories.meeting(intake)
    pk = intake.pk if model is Intake else meeting.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk).update(**{field: "x" * 2001})
    model.objects.filter(pk=pk).update(**{field: "x" * 2000})


# --- Item 12: one round -------------------------------------------------------------------


def test_the_new_intake_gives_person_and_intake_errors_in_one_round(client):
    from casework import roles
    from tests.casework.test_views_intake import form_data

    client.force_login(factories.user("op.round", role=roles.OPERATOR, desks=("gussola",)))
    url = reverse("casework:intake_new", args=["gussola"])
    # Born 10/05/1998; a bad phone (person), before Gussola opened on 01/04/2021 and more
    # months of unemployment than since the 15th birthday (intake): all in one answer.
    response = client.post(
        url, form_data(phone="abc", opened_on="2021-03-31", unemployment_months="96")
    )
    assert response.status_code == 200
    person_errors = response.context["person_form"].errors
    intake_errors = response.context["intake_form"].errors
    assert PHONE_ERROR in str(person_errors["phone"])
    assert "apertura dello sportello (01/04/2021)" in str(intake_errors["opened_on"])
    assert "quindicesimo compleanno" in str(intake_errors["unemployment_months"])
    html = response.content.decode()
    assert 'id="form-errors"' in html and 'href="#id_phone"' in html
    assert 'href="#id_opened_on"' in html and 'href="#id_unemployment_months"' in html
    assert not Intake.objects.exists()
