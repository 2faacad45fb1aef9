"""Issue 12, item 8: axe-core on every page of the admin, in Chromium.

The admin's registry (``admin.site._registry``) is walked as it is at run time: the list, the
add form and the change form of every registered model (the project's and the third-party
apps': lockout, authenticator devices, background tasks, audit trail), plus the home page,
each app's page, the object histories and the person's audit trail. A model added to the
admin later is audited without touching this file; a model with no row to open fails the
test until ``one_of_each`` creates one.

No page may have a violation of impact *serious* or *critical*, and the browser logs no
error (a script refused by the Content-Security-Policy, a JavaScript error). The
administrator is a superuser, so that every page of every app is reachable (the
Amministratore role alone does not see the lockout or task tables).
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import task
from playwright.sync_api import expect

from agenda import services as agenda_services
from casework import fiscal_code, roles
from casework.choices import AckChannel, CrossDeskReason, MeetingMode, ReferralKind
from casework.models import (
    CrossDeskTakeIn,
    Partner,
    PrivacyAcknowledgement,
    PrivacyNotice,
    Referral,
)
from tests import factories
from tests.browser.conftest import axe_violations, sign_in
from twofactor.services import issue_enrolment_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@task()
def nothing_to_do() -> None:
    """A task whose queued result the background-task admin shows."""


@pytest.fixture
def superadmin(db) -> User:
    return factories.user("admin.root", role=roles.ADMINISTRATOR, is_staff=True, is_superuser=True)


def one_of_each(superadmin: User) -> None:
    """A row of every registered model, so each change form has something to open; the
    intake has a meeting and a referral, so its inline forms are there too."""
    intake = factories.intake(desk_slug="casalmaggiore", opened_on=timezone.localdate())
    factories.meeting(intake, days_after=0, mode=MeetingMode.PHONE, notes="Primo colloquio.")
    Referral.objects.create(
        intake=intake,
        kind=ReferralKind.JOB_CANDIDACY,
        partner=Partner.objects.get(name="Mestieri Lombardia"),
        description="Magazziniere",
        referred_on=intake.opened_on,
    )
    elsewhere = factories.intake(intake.person, desk_slug="gussola")
    take_in = CrossDeskTakeIn.objects.create(intake=elsewhere, reason=CrossDeskReason.MOVED)
    take_in.other_desks.add(intake.desk)
    notice = PrivacyNotice.objects.first() or PrivacyNotice.objects.create(
        version="2026-1", text="Informativa.", valid_from=dt.date(2026, 1, 1)
    )
    PrivacyAcknowledgement.objects.create(
        person=intake.person,
        notice=notice,
        acknowledged_on=timezone.localdate(),
        operator=superadmin,
        channel=AckChannel.IN_PERSON,
    )
    attempt = {"user_agent": "Chromium", "ip_address": "127.0.0.1", "username": "op.x"}
    attempt |= {"http_accept": "text/html", "path_info": "/account/login/"}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    TOTPDevice.objects.create(user=superadmin, name="Telefono", confirmed=True)
    issue_enrolment_code(user=superadmin, issued_by=superadmin)
    nothing_to_do.enqueue()
    # The agenda: a consent, a booked appointment, and a cancelled one with its message.
    intake.person.email = "persona@example.org"
    intake.person.save()
    agenda_services.give_consent(
        person=intake.person,
        channel="email",
        source="presenza",
        given_on=timezone.localdate(),
        operator=superadmin,
    )
    soon = timezone.now() + dt.timedelta(days=2)
    agenda_services.book(intake=intake, operator=superadmin, starts_at=soon)
    cancelled = agenda_services.book(
        intake=intake, operator=superadmin, starts_at=soon + dt.timedelta(days=1)
    )
    agenda_services.cancel(appointment=cancelled)


def admin_pages(superadmin: User) -> list[tuple[str, str]]:
    """(label, path) of every page the admin registry offers this user."""
    request = RequestFactory().get("/admin/")
    request.user = superadmin
    pages = [("home", reverse("admin:index"))]
    app_labels: list[str] = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"{opts.app_label}.{opts.model_name}"
        if opts.app_label not in app_labels:
            app_labels.append(opts.app_label)
            pages.append(
                (f"app {opts.app_label}", reverse("admin:app_list", args=[opts.app_label]))
            )
        url = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append((f"{name} list", reverse(f"{url}_changelist")))
        if model_admin.has_add_permission(request):
            pages.append((f"{name} add", reverse(f"{url}_add")))
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {name} to open: create one in one_of_each()"
        pages.append((f"{name} change", reverse(f"{url}_change", args=[obj.pk])))
        pages.append((f"{name} history", reverse(f"{url}_history", args=[obj.pk])))
    person_pk = _first_pk("casework", "person")
    pages.append(("person's audit trail", reverse("admin:audit_person_history", args=[person_pk])))
    pages.append(("password change", reverse("admin:password_change")))
    return pages


def _first_pk(app_label: str, model_name: str) -> int:
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == (app_label, model_name):
            return model._default_manager.order_by("pk").values_list("pk", flat=True)[0]
    raise LookupError(model_name)


def test_every_admin_page_has_no_serious_or_critical_violation(page, live_server, superadmin):
    one_of_each(superadmin)
    pages = admin_pages(superadmin)
    models_seen = {label.rsplit(" ", 1)[0] for label, _ in pages if label.endswith(" change")}
    assert {"axes.accessattempt", "otp_totp.totpdevice", "auditlog.logentry"} <= models_seen
    assert "django_tasks_database.dbtaskresult" in models_seen
    sign_in(page, superadmin, live_server.url)
    # The comuni list (100 editable rows) takes seconds on a busy 2-core machine.
    page.set_default_navigation_timeout(60_000)
    problems: list[str] = []
    for label, path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, (label, path)
        page.wait_for_load_state()
        # What the page itself logged, before axe (whose own probes the CSP refuses) runs.
        found = [f"browser console: {e}" for e in page.browser_errors if "favicon.ico" not in e]
        found += axe_violations(page)
        page.browser_errors.clear()
        problems += [f"[{label}] {path}: {p}" for p in found]
    assert len(pages) > 60
    assert not problems, f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(problems)


def test_admin_forms_sent_back_with_errors_stay_accessible(page, live_server, superadmin):
    """The case forms and the intake with its inline meeting and referral rows, after a
    save that failed: the error lists and the emptied required fields are audited too."""
    one_of_each(superadmin)
    sign_in(page, superadmin, live_server.url)
    problems: list[str] = []
    for model_name in ("person", "intake", "meeting", "referral"):
        page.goto(f"/admin/casework/{model_name}/add/")
        page.locator("input[name=_save]").click()
        expect(page.locator(".errornote")).to_be_visible()
        problems += [f"[{model_name} add, errors] {p}" for p in axe_violations(page)]
    intake_pk = _first_pk("casework", "intake")
    page.goto(f"/admin/casework/intake/{intake_pk}/change/")
    page.locator("#meetings-group .add-row a").click()
    page.locator("#referrals-group .add-row a").click()
    problems += [f"[intake, new inline rows] {p}" for p in axe_violations(page)]
    # Something typed in each new row, so that they are validated (an untouched one is not).
    page.locator("[name=meetings-1-duration_minutes]").fill("-5")
    page.locator("[name=referrals-1-description]").fill("Magazziniere")
    page.locator("input[name=_save]").click()
    expect(page.locator(".errornote")).to_be_visible()
    problems += [f"[intake, inline errors] {p}" for p in axe_violations(page)]
    assert not problems, "\n".join(problems)


CASE_LISTS = ("person", "intake", "meeting", "referral")


def test_case_lists_show_every_column_at_1280_px(page, live_server, superadmin):
    """At 1,280 px the people's, intakes', meetings' and referrals' lists show every column,
    with nothing behind a sideways scroll (the UX review found 40% of the columns hidden)."""
    one_of_each(superadmin)
    sign_in(page, superadmin, live_server.url)
    hidden: list[str] = []
    for model_name in CASE_LISTS:
        page.goto(f"/admin/casework/{model_name}/")
        expect(page.locator("#result_list")).to_be_visible()
        widths = page.evaluate(
            """() => {
                const results = document.querySelector('#changelist .results');
                const table = document.querySelector('#result_list');
                const right = Math.min(results.getBoundingClientRect().right, innerWidth);
                const cut = [...table.querySelectorAll('thead th')]
                    .filter(th => th.getBoundingClientRect().right > right + 1)
                    .map(th => th.innerText.trim());
                return {scroll: results.scrollWidth - results.clientWidth, cut,
                        table: table.offsetWidth, area: results.clientWidth};
            }"""
        )
        if widths["scroll"] > 0 or widths["cut"]:
            hidden.append(f"{model_name}: {widths}")
    assert not hidden, "columns behind a sideways scroll at 1280 px:\n" + "\n".join(hidden)


def _people_csv(*, bad: bool) -> bytes:
    """People as Italian Excel writes them; with ``bad``, the second row's check letter is
    wrong."""
    rows = [["codice_fiscale", "cognome", "nome", "data_nascita", "genere", "comune_residenza",
             "cittadinanza", "titolo_studio"]]  # fmt: skip
    for i, (last, first) in enumerate((("Ghisolfi", "Sara"), ("Superti", "Anna")), start=1):
        birth = dt.date(1990, 3, i)
        code = fiscal_code.encode(
            last_name=last, first_name=first, birth_date=birth, sex="F", place_code="B898"
        )
        if bad and i == 2:
            code = code[:15] + ("A" if code[15] != "A" else "B")
        rows.append([code, last, first, f"{birth:%d/%m/%Y}", "F", "Casalmaggiore", "IT",
                     "diploma"])  # fmt: skip
    return "\r\n".join(";".join(r) for r in rows).encode("cp1252")


def test_import_and_export_pages_and_previews_are_accessible_and_fit_1280_px(
    page, live_server, superadmin, tmp_path
):
    """The import and export pages of the case records, and an import's preview with a bad
    row and with good rows: no serious or critical axe violation, nothing wider than a
    1,280 px window (the UX review found the preview wider than the screen)."""
    one_of_each(superadmin)
    sign_in(page, superadmin, live_server.url)
    page.set_viewport_size({"width": 1280, "height": 900})
    problems: list[str] = []

    def check(label: str) -> None:
        problems.extend(f"[{label}] {p}" for p in axe_violations(page))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1280:
            problems.append(f"[{label}] {width} px wide")

    for model_name in CASE_LISTS:
        for kind in ("import", "export"):
            page.goto(f"/admin/casework/{model_name}/{kind}/")
            check(f"{model_name} {kind}")
    for bad in (True, False):
        upload = tmp_path / f"persone-{bad}.csv"
        upload.write_bytes(_people_csv(bad=bad))
        page.goto("/admin/casework/person/import/")
        page.set_input_files("input[name=import_file]", str(upload))
        page.locator("select[name=format]").select_option(label="csv")
        page.get_by_role("button", name="Carica e controlla").click()
        page.wait_for_load_state()
        if bad:
            expect(page.get_by_text("lettera di controllo").first).to_be_visible()
        else:
            expect(page.get_by_text("Ghisolfi").first).to_be_visible()
        check("preview with a bad row" if bad else "preview")
    assert not problems, "\n".join(problems)
