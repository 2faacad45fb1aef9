"""Issue 3, item 7: a desk operator's day in a real browser.

An operator logs in, takes in a new person with a valid codice fiscale, logs two meetings
(one by phone), records a referral to Mestieri Lombardia and its outcome, closes the case;
a wrong CF gets a clear Italian message with everything typed still in the form; an
operator of Gussola opening a Casalmaggiore case gets a 404; the intake form works with
the keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework import fiscal_code
from casework.choices import IntakeStatus, MeetingMode, ReferralOutcome
from casework.models import Intake, Person
from tests import factories
from tests.browser.conftest import login, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BIRTH = dt.date(1998, 5, 12)
CF = fiscal_code.encode(
    last_name="Bonvicini", first_name="Giulia", birth_date=BIRTH, sex="F", place_code="B898"
)


def it_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def fill_new_person(page, *, cf: str) -> None:
    """The new-intake form, as an operator fills it: the CF first, then the rest."""
    page.locator("[name=fiscal_code]").fill(cf)
    page.locator("[name=last_name]").fill("Bonvicini")
    page.locator("[name=first_name]").fill("Giulia")
    page.locator("[name=residence_comune]").fill("Casalmaggiore (CR)")
    page.locator("[name=phone]").fill("0375 000111")
    page.locator("[name=education]").select_option(label="Laurea triennale")
    page.locator("[name=channel]").select_option(label="Accesso spontaneo allo sportello")
    page.locator("[name=main_need]").select_option(label="Orientamento")
    page.locator("[name=needs]").fill("Cerca un primo impiego dopo la laurea.")
    page.locator("[name=labour_status]").select_option(label="Disoccupato/a")
    page.locator("[name=unemployment_months]").fill("4")


def test_operator_takes_in_a_person_and_follows_the_case_to_its_close(page, op_casalmaggiore):
    today = timezone.localdate()

    # Log in: the operator lands on their desk's dashboard.
    login(page, "op.casalmaggiore")
    expect(page).to_have_url(re.compile(r"/sportello/casalmaggiore/$"))
    expect(page.locator("h1")).to_have_text("Sportello di Casalmaggiore")

    # New intake: a valid CF fills in birth date and sex as soon as it is typed.
    page.get_by_role("link", name="Nuova presa in carico").click()
    expect(page.locator("h1")).to_have_text("Nuova presa in carico · Casalmaggiore")
    page.locator("[name=fiscal_code]").fill(CF)
    expect(page.locator("#cf-feedback")).to_contain_text("Codice fiscale valido")
    expect(page.locator("#cf-feedback")).to_contain_text(it_date(BIRTH))
    expect(page.locator("[name=birth_date]")).to_have_value(BIRTH.isoformat())
    expect(page.locator("[name=gender]")).to_have_value("F")
    fill_new_person(page, cf=CF)
    page.locator("#intake-submit").click()

    # The case page: the person and their open intake at Casalmaggiore.
    expect(page.locator("h1")).to_have_text("Bonvicini Giulia")
    case = page.locator("section[id^=presa-]")
    expect(case).to_have_count(1)
    expect(case.locator("h3")).to_have_text(
        f"Sportello di Casalmaggiore · presa in carico del {it_date(today)}"
    )
    expect(case.locator(".card-header .badge")).to_have_text("Aperta")
    person = Person.objects.get(fiscal_code=CF)
    assert person.birth_date == BIRTH
    assert person.residence_comune.name == "Casalmaggiore"
    intake = Intake.objects.get(person=person)
    assert intake.desk.slug == "casalmaggiore"
    assert intake.operator == op_casalmaggiore

    # First meeting, in person, with two activities.
    case.get_by_role("link", name="Aggiungi colloquio").click()
    expect(page.locator("h1")).to_contain_text("colloquio")
    page.locator("[name=mode][value=presenza]").check()
    page.locator("[name=duration_minutes]").fill("60")
    page.get_by_label("Curriculum vitae e lettera di presentazione").check()
    page.get_by_label("Orientamento", exact=True).check()
    page.locator("[name=notes]").fill("Rivisto il CV, individuati tre canali di ricerca.")
    page.locator("#form-submit").click()
    meetings = page.locator("ol.timeline > li")
    expect(meetings).to_have_count(1)
    expect(meetings.first).to_contain_text(f"{it_date(today)} · In presenza · 60 min")
    expect(meetings.first).to_contain_text("Curriculum vitae e lettera di presentazione")

    # Second meeting, by phone.
    page.get_by_role("link", name="Aggiungi colloquio").click()
    page.locator("[name=mode][value=telefono]").check()
    page.locator("[name=duration_minutes]").fill("20")
    page.locator("[name=notes]").fill("Aggiornamento telefonico sulla candidatura.")
    page.locator("#form-submit").click()
    expect(meetings).to_have_count(2)
    expect(page.locator("ol.timeline")).to_contain_text("Telefono · 20 min")
    modes = sorted(intake.meetings.values_list("mode", flat=True))
    assert modes == sorted([MeetingMode.IN_PERSON, MeetingMode.PHONE])

    # A candidacy through Mestieri Lombardia, still without an outcome.
    page.get_by_role("link", name="Aggiungi invio o candidatura").click()
    page.locator("[name=kind]").select_option(label="Candidatura a un'offerta di lavoro")
    page.locator("[name=partner]").select_option(label="Mestieri Lombardia")
    page.locator("[name=description]").fill("Impiegata amministrativa, azienda del distretto")
    page.locator("#form-submit").click()
    referral = page.locator("li[id^=invio-]")
    expect(referral).to_have_count(1)
    expect(referral).to_contain_text("Candidatura a un'offerta di lavoro · Mestieri Lombardia")
    expect(referral).to_contain_text("Esito: In corso, nessun esito")

    # Its outcome: hired.
    referral.get_by_role("link", name=re.compile(r"^Registra l'esito")).click()
    page.locator("[name=outcome]").select_option(label="Assunzione")
    page.locator("[name=outcome_on]").fill(today.isoformat())
    page.locator("#form-submit").click()
    expect(referral).to_contain_text(f"Esito: Assunzione {it_date(today)}")

    # Close the case: the person found work.
    page.get_by_role("link", name="Chiudi la presa in carico").click()
    page.locator("[name=closed_on]").fill(today.isoformat())
    page.locator("[name=closure_reason]").select_option(label="Ha trovato lavoro")
    page.locator("#form-submit").click()
    expect(case.locator(".card-header .badge")).to_have_text(f"Chiusa · {it_date(today)}")
    expect(case).to_contain_text("Chiusa: Ha trovato lavoro")
    expect(case.get_by_role("button", name="Riapri la presa in carico")).to_be_visible()
    expect(case.get_by_role("link", name="Aggiungi colloquio")).to_have_count(0)

    intake.refresh_from_db()
    assert intake.status == IntakeStatus.CLOSED
    assert intake.closed_on == today
    assert intake.referrals.get().outcome == ReferralOutcome.HIRED
    assert intake.referrals.get().partner.name == "Mestieri Lombardia"


def test_wrong_fiscal_code_is_explained_and_nothing_typed_is_lost(
    page, live_server, op_casalmaggiore
):
    wrong = CF[:-1] + ("A" if CF[-1] != "A" else "B")
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto("/sportello/casalmaggiore/nuova-presa-in-carico/")
    fill_new_person(page, cf=wrong)
    page.locator("[name=birth_date]").fill(BIRTH.isoformat())
    page.locator("[name=gender]").select_option("F")
    # Already while typing, the page says what is wrong.
    expect(page.locator("#cf-feedback")).to_contain_text("lettera di controllo")
    page.locator("#intake-submit").click()

    message = (
        "La lettera di controllo del codice fiscale è sbagliata: probabilmente c'è un "
        "errore di battitura."
    )
    expect(page.locator("#form-errors")).to_be_visible()
    cf_input = page.locator("[name=fiscal_code]")
    expect(cf_input).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_fiscal_code")).to_contain_text(message)
    # The error is announced with the field: it is tied to it by aria-describedby.
    described_by = cf_input.get_attribute("aria-describedby") or ""
    tied = " ".join(
        page.locator(f"#{ident}").inner_text() for ident in described_by.split() if ident
    )
    assert message in tied, f"the CF error is not tied to the field ({described_by=})"

    expected = {
        "fiscal_code": wrong,
        "last_name": "Bonvicini",
        "first_name": "Giulia",
        "birth_date": BIRTH.isoformat(),
        "gender": "F",
        "residence_comune": "Casalmaggiore (CR)",
        "phone": "0375 000111",
        "education": "laurea",
        "channel": "spontaneo",
        "main_need": "orientamento",
        "needs": "Cerca un primo impiego dopo la laurea.",
        "labour_status": "disoccupato",
        "unemployment_months": "4",
    }
    for name, value in expected.items():
        expect(page.locator(f"[name={name}]")).to_have_value(value)
    assert not Person.objects.filter(last_name="Bonvicini").exists()
    assert not Intake.objects.exists()


def test_gussola_operator_gets_404_on_a_casalmaggiore_case(page, live_server, op_gussola):
    intake = factories.intake(desk_slug="casalmaggiore")
    person = intake.person
    sign_in(page, op_gussola, live_server.url)
    for path in (
        f"/persona/{person.pk}/",
        f"/presa-in-carico/{intake.pk}/colloquio/",
        f"/presa-in-carico/{intake.pk}/chiudi/",
    ):
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.locator("body")).not_to_contain_text(person.last_name)
    # Their own desk still works.
    assert page.goto("/sportello/gussola/").status == 200


def tab_to(page, name: str, *, limit: int = 60) -> None:
    """Press Tab until the field called ``name`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.name") == name:
            return
    pytest.fail(f"Tab never reached the field {name!r}")


def test_intake_form_can_be_filled_and_sent_with_the_keyboard_alone(
    page, live_server, op_casalmaggiore
):
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto("/sportello/casalmaggiore/nuova-presa-in-carico/")
    keyboard = page.keyboard
    tab_to(page, "fiscal_code")
    keyboard.type(CF)
    expect(page.locator("[name=birth_date]")).to_have_value(BIRTH.isoformat())
    tab_to(page, "last_name")
    keyboard.type("Bonvicini")
    tab_to(page, "first_name")
    keyboard.type("Giulia")
    tab_to(page, "residence_comune")
    keyboard.type("Casalmaggiore (CR)")
    tab_to(page, "education")
    keyboard.type("Laurea t")  # a focused select picks the option whose label is typed
    tab_to(page, "channel")
    keyboard.type("Accesso")
    tab_to(page, "main_need")
    keyboard.type("Orientamento")
    tab_to(page, "labour_status")
    keyboard.type("Disoccupato")
    tab_to(page, "unemployment_months")
    keyboard.type("4")
    keyboard.press("Enter")  # moves on (UX audit B 23): a half-filled form is never sent
    expect(page.locator("[name=unemployment_months]")).not_to_be_focused()
    assert Intake.objects.count() == 0
    tab_to(page, "unemployment_months")
    keyboard.press("Control+Enter")  # sends it, as the hint under the form says

    expect(page.locator("h1")).to_have_text("Bonvicini Giulia")
    intake = Intake.objects.get(person__fiscal_code=CF)
    assert intake.person.education == "laurea"
    assert intake.channel == "spontaneo"
    assert intake.labour_status == "disoccupato"
    assert intake.unemployment_months == 4


def test_meeting_with_an_impossible_duration_says_which_field_is_wrong(
    page, live_server, op_casalmaggiore
):
    """A duration of 0 minutes is refused on the field, in Italian, with the rest kept."""
    intake = factories.intake(desk_slug="casalmaggiore", opened_on=timezone.localdate())
    sign_in(page, op_casalmaggiore, live_server.url)
    page.goto(f"/presa-in-carico/{intake.pk}/colloquio/")
    page.locator("[name=mode][value=telefono]").check()
    page.locator("[name=duration_minutes]").fill("0")
    page.locator("[name=notes]").fill("Telefonata breve.")
    page.locator("#form-submit").click()

    duration = page.locator("[name=duration_minutes]")
    expect(duration).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_duration_minutes .invalid-feedback")).to_be_visible()
    # No database constraint name reaches the operator.
    expect(page.locator("main")).not_to_contain_text("casework_meeting_duration_range")
    expect(duration).to_have_value("0")
    expect(page.locator("[name=notes]")).to_have_value("Telefonata breve.")
    expect(page.locator("[name=mode][value=telefono]")).to_be_checked()
    assert not intake.meetings.exists()
