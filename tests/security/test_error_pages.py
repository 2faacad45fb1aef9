"""Generic error pages in Italian that never echo the address, the form data or the error,
and logs without personal data (codice fiscale, e-mail, phone) — tracebacks included."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt

from activitycr.security import PersonalDataFilter, scrub
from casework import fiscal_code
from casework.models import Person

pytestmark = pytest.mark.django_db

CF = fiscal_code.encode(
    last_name="Bonvicini",
    first_name="Anna",
    birth_date=dt.date(1990, 4, 2),
    sex="F",
    place_code="B898",
)
EMAIL = "anna.bonvicini@example.org"
PHONE = "333 1234567"
SECRETS = (CF, EMAIL, PHONE, "Bonvicini")


# --- A URL map of views that fail, used with @pytest.mark.urls(__name__) -----------------------


@csrf_exempt
def save_twice(request: HttpRequest) -> HttpResponse:
    """A bug that puts the submitted data in the exception, over a real IntegrityError."""
    data = {
        "fiscal_code": request.POST["fiscal_code"],
        "last_name": request.POST["last_name"],
        "first_name": "Anna",
        "birth_date": dt.date(1990, 4, 2),
        "gender": "F",
        "education": "diploma",
        "email": request.POST["email"],
    }
    Person.objects.create(**data)
    try:
        with transaction.atomic():
            Person.objects.create(**data)
    except IntegrityError as exc:
        raise ValueError(
            f"duplicate {data['fiscal_code']} {data['email']} tel {request.POST['phone']}"
        ) from exc
    return HttpResponse("unreachable")


def forbidden(request: HttpRequest, cf: str) -> HttpResponse:
    raise PermissionDenied(f"{cf} belongs to another desk")


def missing(request: HttpRequest, cf: str) -> HttpResponse:
    raise Http404(f"no person with {cf}")


urlpatterns = [
    path("boom/", save_twice),
    path("forbidden/<str:cf>/", forbidden),
    path("missing/<str:cf>/", missing),
]


def assert_generic(html: str, *leaks: str) -> None:
    for leak in (*SECRETS, *leaks, "Traceback", "Exception", "Error:"):
        assert leak not in html, leak
    assert 'lang="it"' in html


# --- Pages ----------------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_500_page_is_generic_and_the_log_record_holds_no_personal_data(settings):
    assert settings.DEBUG is False
    captured: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = captured.append
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client(raise_request_exception=False).post(
            "/boom/",
            {"fiscal_code": CF, "last_name": "Bonvicini", "email": EMAIL, "phone": PHONE},
        )
    finally:
        logger.removeHandler(handler)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Si è verificato un errore" in html
    assert_generic(html, "/boom/", "duplicate")

    (record,) = captured
    assert record.levelname == "ERROR"
    assert record.exc_info is None and getattr(record, "request", None) is None
    assert "ValueError: duplicate [codice fiscale] [e-mail] tel [telefono]" in record.exc_text
    assert "IntegrityError" in record.exc_text  # the cause is still there, scrubbed
    everything = " ".join(str(v) for v in vars(record).values())
    for leak in SECRETS[:3]:
        assert leak not in everything
    console = logging.getLogger("django.request").handlers[0]
    formatted = console.format(record)
    assert "Internal Server Error: /boom/" in formatted
    assert CF not in formatted and EMAIL not in formatted


@pytest.mark.urls(__name__)
def test_403_and_404_pages_do_not_echo_the_address_or_the_reason(client):
    response = client.get(f"/forbidden/{CF}/")
    assert response.status_code == 403
    assert "Accesso non consentito" in response.content.decode()
    assert_generic(response.content.decode(), "another desk")

    response = client.get(f"/missing/{CF}/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.content.decode()
    assert_generic(response.content.decode(), "no person")


def test_the_real_site_404_and_403_pages(client, op_gussola, no_role_user):
    from tests import factories

    response = client.get(f"/persona/{CF}/")
    assert response.status_code == 404
    assert_generic(response.content.decode(), "/persona/")

    intake = factories.intake(desk_slug="casalmaggiore")
    client.force_login(op_gussola)
    response = client.get(reverse("casework:person", args=[intake.person_id]))
    assert response.status_code == 404  # another desk's case: out of scope
    assert "Pagina non trovata" in response.content.decode()
    assert_generic(response.content.decode(), f"/persona/{intake.person_id}/")

    client.force_login(no_role_user)
    response = client.get(reverse("casework:desk", args=["casalmaggiore"]))
    assert response.status_code == 403
    assert "Accesso non consentito" in response.content.decode()


def test_404_and_403_keep_the_menu_for_a_logged_in_user(client, op_gussola, udp_reader):
    """Issue 10, item 13 (UX audit C39): the menu and "Esci" stay; the page stays generic
    (the language form returns to "/", not to the failed address)."""
    from tests import factories

    intake = factories.intake(desk_slug="casalmaggiore")
    client.force_login(op_gussola)
    url = reverse("casework:person", args=[intake.person_id])
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'href="{reverse("home")}">Sportello</a>' in html
    assert f'action="{reverse("logout")}"' in html and "Esci" in html
    assert 'name="next" type="hidden" value="/"' in html
    assert_generic(html, url, intake.person.last_name)

    client.force_login(udp_reader)
    url = reverse("casework:person_edit", args=[intake.person_id])
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert f'href="{reverse("reports:review")}">Revisione trimestrale</a>' in html
    assert "Esci" in html
    assert_generic(html, url, intake.person.last_name)

    client.logout()  # anonymous: the bare bar
    anonymous = client.get(f"/persona/{CF}/")
    assert anonymous.status_code == 404 and "Esci" not in anonymous.content.decode()


def test_a_post_without_csrf_token_gets_the_italian_page(op_casalmaggiore):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "op.casalmaggiore", "password": "x"})
    assert response.status_code == 403
    assert "Il modulo è scaduto" in response.content.decode()
    assert "op.casalmaggiore" not in response.content.decode()


# --- Logs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"person {CF} saved", "person [codice fiscale] saved"),
        (f"lower {CF.lower()}", "lower [codice fiscale]"),
        ("omocode RSSMRALPASNHTLAZ", "omocode RSSMRALPASNHTLAZ"),  # not a CF shape: kept
        ("omocode MRTMTT91D08F20VQ", "omocode [codice fiscale]"),
        (f"mail {EMAIL}", "mail [e-mail]"),
        ("mail <ufficiodipiano@concass.it>", "mail <[e-mail]>"),
        ("call 0375 203122 now", "call [telefono] now"),
        ("call +39 333 123 4567", "call [telefono]"),
        ("call 3331234567.", "call [telefono]."),
        ("call 0039-0372-456789", "call [telefono]"),
        ("abroad +44 20 7946 0958", "abroad [telefono]"),
        # what must survive: ids, counts, dates, durations, quarter names
        ("intake 1234 opened at desk 3 by user 17", "intake 1234 opened at desk 3 by user 17"),
        (
            "quarter 2021-01-01..2021-03-31 took 1534 ms",
            "quarter 2021-01-01..2021-03-31 took 1534 ms",
        ),
        ("GET /persona/125/ 200 5123", "GET /persona/125/ 200 5123"),
    ],
)
def test_scrub(text, expected):
    assert scrub(text) == expected


def test_the_filter_scrubs_arguments_and_tracebacks_of_any_logger(caplog):
    record_logger = logging.getLogger("casework.services")
    try:
        raise ValueError(f"cannot merge {CF} and {EMAIL}")
    except ValueError:
        record = record_logger.makeRecord(
            "casework.services",
            logging.ERROR,
            __file__,
            1,
            "merge of %s failed (tel %s)",
            (CF, PHONE),
            exc_info=__import__("sys").exc_info(),
        )
    assert PersonalDataFilter().filter(record) is True
    assert record.getMessage() == "merge of [codice fiscale] failed (tel [telefono])"
    assert "ValueError: cannot merge [codice fiscale] and [e-mail]" in record.exc_text
    text = logging.Formatter("%(message)s").format(record)
    assert CF not in text and EMAIL not in text and PHONE not in text


def test_the_console_handler_carries_the_filter():
    from django.conf import settings

    assert "no_personal_data" in settings.LOGGING["handlers"]["console"]["filters"]
    root_handlers = logging.getLogger().handlers
    console = [h for h in root_handlers if isinstance(h, logging.StreamHandler)]
    assert any(isinstance(f, PersonalDataFilter) for h in console for f in h.filters)
