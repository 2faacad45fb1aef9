"""New intake in one page: CF first, prefill from the CF, known people, likely duplicates,
errors in Italian with nothing typed lost, the JSON helpers of the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django.urls import reverse

from casework import fiscal_code, services
from casework.choices import Gender, IntakeStatus, age_on
from casework.models import Intake, Person
from sportelli.models import Comune
from tests import factories
from tests.casework.query_budget import own_queries

pytestmark = pytest.mark.django_db

NEW = reverse("casework:intake_new", args=["casalmaggiore"])
BIRTH = dt.date(1998, 5, 10)


def giulia_cf() -> str:
    return fiscal_code.encode(
        last_name="Rossi", first_name="Giulia", birth_date=BIRTH, sex="F", place_code="B898"
    )


def form_data(**overrides) -> dict:
    data = {
        "fiscal_code": giulia_cf(),
        "last_name": "Rossi",
        "first_name": "Giulia",
        "birth_date": "",
        "gender": "",
        "birthplace_comune": "",
        "birthplace_country": "",
        "residence_comune": "Gussola (CR)",
        "residence_country": "",
        "citizenship": "IT",
        "education": "diploma",
        "email": "giulia@example.org",
        "phone": "",
        "privacy_ack_on": "",
        "foreign_background": "unknown",
        "is_homeless": "unknown",
        "has_disability": "unknown",
        "is_minority": "unknown",
        "opened_on": dt.date.today().isoformat(),
        "channel": "spontaneo",
        "main_need": "orientamento",
        "needs": "Cerca lavoro come impiegata",
        "labour_status": "disoccupato",
        "unemployment_months": "4",
    }
    data.update(overrides)
    return data


@pytest.fixture
def operator(client, op_casalmaggiore):
    client.force_login(op_casalmaggiore)
    return op_casalmaggiore


def test_valid_cf_fills_birth_date_sex_and_birthplace(client, operator):
    response = client.post(NEW, form_data())
    person = Person.objects.get(fiscal_code=giulia_cf())
    intake = person.intakes.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:person", args=[person.pk]) + (
        f"#presa-{intake.pk}"
    )
    assert person.birth_date == BIRTH
    assert person.gender == Gender.WOMAN
    assert person.birthplace_comune == Comune.objects.get(code="B898")
    assert person.residence_comune.name == "Gussola"
    assert intake.desk.slug == "casalmaggiore"
    assert intake.operator == operator
    assert intake.age_at_intake == age_on(BIRTH, dt.date.today())
    assert intake.origin == "casalasco"
    assert person.search_key.startswith("rossi giulia ")
    # The case page shows it, with the success message.
    page = client.get(response["Location"])
    assert "Presa in carico registrata." in page.content.decode()


def test_wrong_cf_keeps_everything_typed_and_says_why(client, operator):
    bad = giulia_cf()[:-1] + ("A" if giulia_cf()[-1] != "A" else "B")
    response = client.post(NEW, form_data(fiscal_code=bad, phone="0375 123456"))
    html = response.content.decode()
    assert response.status_code == 200
    assert Person.objects.count() == 0
    assert "La lettera di controllo del codice fiscale è sbagliata" in html
    # The error is tied to the field for assistive technology.
    assert 'aria-describedby="id_fiscal_code_helptext id_fiscal_code_error"' in html
    assert 'id="id_fiscal_code_error"' in html
    for typed in (bad, "Rossi", "Giulia", "Gussola (CR)", "0375 123456", "Cerca lavoro come"):
        assert typed in html


def test_birth_date_that_disagrees_with_the_cf_is_a_field_error(client, operator):
    response = client.post(NEW, form_data(birth_date="1998-05-11"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "non corrisponde a quella del codice fiscale" in html
    assert 'id="id_birth_date_error"' in html
    assert Person.objects.count() == 0


def test_sex_that_disagrees_with_the_cf_is_only_a_warning(client, operator):
    response = client.post(NEW, form_data(gender=Gender.MAN), follow=True)
    assert Person.objects.get().gender == Gender.MAN
    assert "il codice fiscale indica il sesso «Donna»" in response.content.decode()


def test_unknown_comune_is_a_field_error_in_italian(client, operator):
    response = client.post(NEW, form_data(residence_comune="Casalpaperino"))
    html = response.content.decode()
    assert "Comune non trovato" in html
    assert 'id="id_residence_comune_error"' in html
    assert "Casalpaperino" in html
    assert Person.objects.count() == 0


def test_comune_by_plain_name_and_ambiguous_name(client, operator):
    # "Samone" exists in two provinces (TO and TN): the province is needed.
    assert Comune.objects.filter(name="Samone").count() == 2
    response = client.post(NEW, form_data(residence_comune="Samone"))
    assert "indicare anche la provincia" in response.content.decode()
    response = client.post(NEW, form_data(residence_comune="casalmaggiore"))
    assert response.status_code == 302
    assert Person.objects.get().residence_comune.name == "Casalmaggiore"


def test_without_cf_birth_date_and_gender_are_required(client, operator):
    response = client.post(NEW, form_data(fiscal_code=""))
    html = response.content.decode()
    assert "senza codice fiscale è obbligatoria" in html
    assert "senza codice fiscale è obbligatorio" in html
    assert Person.objects.count() == 0
    response = client.post(NEW, form_data(fiscal_code="", birth_date="1990-01-02", gender="X"))
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.fiscal_code is None
    assert person.gender == Gender.NON_BINARY


def test_future_intake_date_leaves_no_person_behind(client, operator):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    response = client.post(NEW, form_data(opened_on=tomorrow))
    assert response.status_code == 200
    assert "non può essere nel futuro" in response.content.decode()
    assert Person.objects.count() == 0


def test_likely_duplicate_without_cf_needs_a_confirmation(client, operator, op_gussola):
    mine = factories.intake(
        factories.person(with_cf=False, last_name="Bianchi", first_name="Anna")
    ).person
    elsewhere = factories.intake(
        factories.person(with_cf=False, last_name="Bianchi", first_name="Anna"),
        desk_slug="gussola",
    ).person
    data = form_data(
        fiscal_code="",
        last_name="bianchi",
        first_name="ANNA",
        birth_date=mine.birth_date.isoformat(),
        gender="F",
    )
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Possibile doppione" in html
    assert reverse("casework:person", args=[mine.pk]) in html
    assert "una persona conosciuta presso un altro sportello" in html
    assert reverse("casework:person", args=[elsewhere.pk]) not in html
    assert Person.objects.count() == 2
    assert "bianchi" in html and "ANNA" in html  # what was typed stays
    response = client.post(NEW, {**data, "confirm_new_person": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == 3


def test_known_person_of_this_desk_gets_a_new_intake_not_a_duplicate(client, operator):
    old = factories.intake(
        factories.person(),
        status=IntakeStatus.CLOSED,
        closed_on=dt.date(2021, 3, 1),
        closure_reason="ritiro",
    )
    person = old.person
    # Typing the CF of a known person switches the page to the intake part only.
    response = client.post(NEW, form_data(fiscal_code=person.fiscal_code, channel="telefono"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "già registrata" in html
    assert person.last_name in html
    assert Person.objects.count() == 1
    # The intake fields typed are still there, and the form posts to ?persona=<id>.
    assert 'value="telefono" selected' in html
    target = NEW + f"?persona={person.pk}"
    assert f'action="{target}"' in html
    response = client.post(target, form_data())
    assert response.status_code == 302
    assert Person.objects.count() == 1
    assert person.intakes.count() == 2


def test_cf_registered_by_a_colleague_meanwhile_gives_the_known_person_page(
    client, operator, monkeypatch
):
    """A colleague saves the same CF between this page's check and its save: the database
    refuses the second person, and the page shows the person now registered, once."""
    calls = []

    def colleague_first(**kwargs):
        calls.append(kwargs)
        Person.objects.create(
            fiscal_code=giulia_cf(),
            last_name="Rossi",
            first_name="Giulia",
            birth_date=BIRTH,
            gender=Gender.WOMAN,
            education="diploma",
        )
        raise IntegrityError("casework_person_cf_unique")

    monkeypatch.setattr(services, "take_in", colleague_first)
    response = client.post(NEW, form_data(channel="telefono"))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(calls) == 1
    assert "già registrata" in html
    assert 'value="telefono" selected' in html
    assert Person.objects.filter(fiscal_code=giulia_cf()).count() == 1


def test_a_second_refusal_by_the_database_is_not_retried(client, operator, monkeypatch):
    calls = []

    def always_refused(**kwargs):
        calls.append(kwargs)
        raise IntegrityError("casework_person_cf_unique")

    monkeypatch.setattr(services, "take_in", always_refused)
    response = client.post(NEW, form_data())
    assert response.status_code == 200
    assert len(calls) == 2  # the page once more, then the message
    assert "Nel frattempo qualcuno ha registrato gli stessi dati" in response.content.decode()


def test_a_person_with_an_open_case_here_leads_to_that_case(client, operator):
    """Issue 10 item 3: never a form that is then refused; the open case instead."""
    intake = factories.intake()
    person = intake.person
    for response in (
        client.get(NEW + f"?persona={person.pk}"),
        client.post(NEW + f"?persona={person.pk}", form_data()),
        client.post(NEW, form_data(fiscal_code=person.fiscal_code)),  # the CF typed again
    ):
        assert response.status_code == 302
        assert response["Location"] == reverse("casework:person", args=[person.pk]) + (
            f"#presa-{intake.pk}"
        )
    page = client.get(response["Location"])
    assert "ha già una presa in carico aperta in questo sportello" in page.content.decode()
    assert person.intakes.count() == 1


def test_person_known_at_another_desk_is_taken_in_here_without_seeing_their_case(client, operator):
    other = factories.intake(desk_slug="gussola", needs="Segreto del caso di Gussola").person
    # From the search result's button: the CF travels in the POST body.
    response = client.post(NEW, {"known_cf": other.fiscal_code, "step": "start"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Persona già conosciuta presso un altro sportello" in html
    assert "Segreto del caso di Gussola" not in html
    assert other.last_name not in html
    assert "id_opened_on_error" not in html  # the first view has no errors
    response = client.post(
        NEW,
        {
            **form_data(),
            "known_cf": other.fiscal_code,
            "reason": "richiesta_persona",
            "last_name_check": other.last_name,
        },
    )
    assert response.status_code == 302
    assert Person.objects.count() == 1
    assert set(other.intakes.values_list("desk__slug", flat=True)) == {"gussola", "casalmaggiore"}
    # Now the case page is open to Casalmaggiore, showing only its own intake.
    page = client.get(reverse("casework:person", args=[other.pk])).content.decode()
    assert "Segreto del caso di Gussola" not in page
    assert "Sportello di Casalmaggiore" in page


def test_unknown_known_cf_and_out_of_scope_persona_are_404(client, operator):
    assert client.post(NEW, {"known_cf": giulia_cf(), "step": "start"}).status_code == 404
    other = factories.intake(desk_slug="gussola").person
    assert client.get(NEW + f"?persona={other.pk}").status_code == 404
    assert client.get(NEW + "?persona=abc").status_code == 404


def test_cf_decode_endpoint(client, operator):
    url = reverse("casework:cf_decode")
    data = client.post(url, {"fiscal_code": giulia_cf().lower()}).json()
    assert data["valid"] is True
    assert data["birth_date"] == BIRTH.isoformat()
    assert data["birth_date_display"] == "10/05/1998"
    assert data["sex"] == "F"
    assert data["birthplace"] == "Casalmaggiore (CR)"
    assert data["sex_warning"] == ""
    data = client.post(url, {"fiscal_code": giulia_cf(), "gender": "M"}).json()
    assert "«Donna»" in data["sex_warning"]
    data = client.post(url, {"fiscal_code": "RSSGLI98E50B89"}).json()
    assert data == {
        "valid": False,
        "error": "Il codice fiscale deve avere 16 caratteri (ne sono stati inseriti 14).",
    }


def test_cf_decode_abroad_gives_the_country(client, operator):
    code = fiscal_code.encode(
        last_name="Hoxha", first_name="Arben", birth_date=BIRTH, sex="M", place_code="Z100"
    )
    data = client.post(reverse("casework:cf_decode"), {"fiscal_code": code}).json()
    assert data["born_abroad"] is True
    assert data["birthplace"] == "Albania"
    assert data["birthplace_country"] is not None


def test_comune_autocomplete(client, operator):
    url = reverse("sportelli:comune_autocomplete")
    results = client.get(url, {"q": "casal"}).json()["results"]
    labels = [r["label"] for r in results]
    assert labels[0] == "Casalmaggiore (CR)"  # the district first
    assert len(labels) <= 15
    assert client.get(url, {"q": "c"}).json() == {"results": []}


def test_comune_autocomplete_runs_one_query(client, operator):
    n, response = own_queries(client, "get", reverse("sportelli:comune_autocomplete"), {"q": "gus"})
    assert response.json()["results"][0]["label"] == "Gussola (CR)"
    assert n == 1


def test_new_intake_is_created_for_the_intake_desk_only(client, operator):
    client.post(NEW, form_data())
    assert Intake.objects.get().desk.slug == "casalmaggiore"
    # An operator cannot post to another desk's intake page.
    gussola = reverse("casework:intake_new", args=["gussola"])
    assert client.post(gussola, form_data(fiscal_code="")).status_code == 404


def test_i10_the_cursor_starts_in_the_cf_field(client, operator):
    """Audit B 24: the form says "type the CF first", but it took 9 Tab stops to get there."""
    html = client.get(NEW).content.decode()
    field = html.split('name="fiscal_code"')[1].split(">")[0]
    assert "autofocus" in field
    assert html.count("autofocus") == 1
    # After an error, the error summary takes the focus, not the CF field.
    html = client.post(NEW, form_data(fiscal_code="XXX")).content.decode()
    assert "autofocus" not in html.split('name="fiscal_code"')[1].split(">")[0]


def test_an_empty_post_gets_the_required_fields_not_a_server_error(client, operator):
    """Found by the form fuzzer: an empty POST left the forms unbound."""
    response = client.post(NEW, {})
    assert response.status_code == 200
    assert "last_name" in response.context["person_form"].errors
    assert "channel" in response.context["intake_form"].errors
