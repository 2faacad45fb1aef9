"""The security matrix: EVERY URL pattern × every role × own desk / other desk.

The expectation table below is explicit. A URL pattern missing from it FAILS
``test_every_url_pattern_is_in_the_table``, so a new view cannot ship without someone
deciding who may open it; a table entry whose URL is gone fails too.

Statuses: 200, 403 (missing permission), 404 (out of scope: another desk's object), 405,
LOGIN (302 to a login page), REDIRECT (302 elsewhere). POST endpoints are exercised with the
method they accept (the CSRF side is ``test_csrf.py``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from reports.sending import send_review
from sportelli.models import Desk
from tests.security.matrix import (
    DESKS,
    LOGIN,
    REDIRECT,
    ROLES,
    SKIPPED_PREFIXES,
    Expect,
    build_objects,
    classify,
    login,
    url_for,
    url_patterns,
    walk,
)

# Reads of a case: operators of the desk, Ufficio di Piano and administrators (view_all_desks).
READ = dict(own=200, other=404, udp=200, admin=200, no_role=403)
# Writes: the Ufficio di Piano reads only (403); administrators hold the write permissions.
WRITE = dict(own=200, other=404, udp=403, admin=200, no_role=403)
# The objects' quarter (build_objects opens the cases on 04/03/2024).
PERIOD = "&period=custom&start=2024-01-01&end=2024-03-31"
PUBLIC = dict(anonymous=200, own=200, other=200, udp=200, admin=200, no_role=200)

EXPECTED: dict[str, Expect] = {
    # --- site ---
    "home": Expect(
        "none",
        own=REDIRECT,
        other=REDIRECT,
        udp=REDIRECT,
        admin=REDIRECT,
        note="to the desk dashboard",
    ),
    "after_login": Expect(
        "none",
        own=REDIRECT,
        other=REDIRECT,
        udp=REDIRECT,
        admin=REDIRECT,
        no_role=REDIRECT,
        note="LOGIN_REDIRECT_URL: to the admin, the review or the desk, by role",
    ),
    "keepalive": Expect(
        "none",
        method="POST",
        own=204,
        other=204,
        udp=204,
        admin=204,
        no_role=204,
        note="renews the session (Continua a lavorare); no data",
    ),
    "healthz": Expect("none", **PUBLIC, note="for the proxy; no data"),
    # --- casework (operators) ---
    "casework:home": Expect("none", own=REDIRECT, other=REDIRECT, udp=REDIRECT, admin=REDIRECT),
    "casework:desk": Expect("desk", **READ),
    "casework:search": Expect("desk", **READ),
    "casework:overdue": Expect("desk", **READ),
    "casework:intake_new": Expect("desk", **WRITE),
    "casework:cf_decode": Expect(
        "none",
        method="POST",
        data={"fiscal_code": "RSSMRA80A01B898X"},
        own=200,
        other=200,
        udp=403,
        admin=200,
        no_role=403,
        note="JSON decoding of a typed CF; no stored data",
    ),
    "casework:person": Expect("person", **READ),
    "casework:person_edit": Expect("person", **WRITE),
    "casework:intake": Expect(
        "intake",
        **{**READ, "own": REDIRECT, "udp": REDIRECT, "admin": REDIRECT},
        note="to the case page",
    ),
    "followup:intake_close": Expect("intake", **WRITE),
    "casework:intake_reopen": Expect(
        "intake",
        method="POST",
        data={"version": "1"},
        **{**WRITE, "own": REDIRECT, "admin": REDIRECT},
    ),
    "casework:intake_edit": Expect("intake", **WRITE),
    "followup:intake_closure_edit": Expect(
        "intake",
        **{**WRITE, "own": REDIRECT, "admin": REDIRECT},
        note="the matrix's intake is open: no closure to correct, back to the case page",
    ),
    "casework:meeting_add": Expect("intake", **WRITE),
    "casework:meeting_edit": Expect("meeting", **WRITE),
    "casework:referral_add": Expect("intake", **WRITE),
    "casework:referral_edit": Expect("referral", **WRITE),
    "casework:referral_outcome": Expect("referral", **WRITE),
    # --- followup (exits, follow-up tasks, the work list) ---
    "followup:worklist": Expect("desk", **READ, note="the desk's work list (?chi=miei: mine)"),
    "followup:task": Expect("task", **READ),
    "followup:task_attempt": Expect(
        "task",
        method="POST",
        data={"made_at": "2024-09-20T10:00", "channel": "telefono", "outcome": "raggiunta"},
        **{**WRITE, "own": REDIRECT, "admin": REDIRECT},
        note="the case is open (task paused): back to the task page",
    ),
    "followup:task_answer": Expect(
        "task",
        method="POST",
        data={"employed": "no", "source": "dichiarazione", "answered_on": "2024-09-20"},
        **{**WRITE, "own": REDIRECT, "admin": REDIRECT},
        note="the case is open (task paused): back to the task page",
    ),
    "followup:task_close": Expect(
        "task",
        method="POST",
        **{**WRITE, "own": REDIRECT, "admin": REDIRECT},
        note="the case is open (task paused): back to the task page",
    ),
    # --- agenda (appointments, consent to reminders) ---
    "agenda:desk": Expect("desk", **READ, note="a desk's day or week"),
    "agenda:mine": Expect(
        "none", own=200, udp=200, admin=200, no_role=403, note="my own appointments only"
    ),
    "agenda:book": Expect("intake", **WRITE),
    "agenda:reschedule": Expect("appointment", **WRITE),
    "agenda:cancel": Expect(
        "appointment", method="POST", own=REDIRECT, other=404, udp=403, admin=REDIRECT
    ),
    "agenda:mark": Expect(
        "appointment",
        method="POST",
        data={"esito": "mancato"},
        own=REDIRECT,
        other=404,
        udp=403,
        admin=REDIRECT,
        note="not started yet: refused with a message, back to the case",
    ),
    "agenda:consent_add": Expect("person", **WRITE),
    "agenda:consent_withdraw": Expect(
        "consent", method="POST", own=REDIRECT, other=404, udp=403, admin=REDIRECT
    ),
    # --- reports ---
    "reports:review": Expect("desk_query", **READ, note="operators: their own desks only"),
    "reports:workbook": Expect("desk_query", **READ, query=PERIOD, note="the review as xlsx"),
    "reports:records": Expect(
        "desk_query",
        own=403,
        other=403,
        udp=200,
        admin=200,
        no_role=403,
        query=PERIOD,
        note="pseudonymised records: view_reports (Ufficio di Piano, administrators) only",
    ),
    "reports:send": Expect(
        "none",
        method="POST",
        data={
            "period": "custom",
            "start": "2024-01-01",
            "end": "2024-03-31",
            "recipients": "Regione Lombardia",
            "sent_on": "2024-04-15",
            "reason": "matrice",
        },
        own=403,
        udp=REDIRECT,
        admin=REDIRECT,
        note="mark a review as sent (freezes figures and files): Ufficio di Piano, admins",
    ),
    "reports:sent_file": Expect(
        "desk_query",
        own=403,
        other=403,
        udp=200,
        admin=200,
        no_role=403,
        query=PERIOD + "&version=1&variant=external",
        note="a workbook as sent, byte for byte: Ufficio di Piano, administrators",
    ),
    # --- accounts (django.contrib.auth.urls) ---
    "login": Expect("none", **PUBLIC),
    "logout": Expect(
        "none",
        anonymous=405,
        own=405,
        udp=405,
        admin=405,
        no_role=405,
        note="Django 5: logout is a POST",
    ),
    "password_change": Expect("none", own=200, udp=200, admin=200, no_role=200),
    "password_change_done": Expect("none", own=200, udp=200, admin=200, no_role=200),
    # --- second factor (twofactor) ---
    "twofactor:setup": Expect(
        "none",
        own=200,
        udp=REDIRECT,
        admin=REDIRECT,
        no_role=200,
        note="staff already enrolled and verified are sent on",
    ),
    "twofactor:verify": Expect(
        "none",
        own=REDIRECT,
        udp=REDIRECT,
        admin=REDIRECT,
        no_role=REDIRECT,
        note="nothing to verify: sent on",
    ),
    # --- territory ---
    "sportelli:comune_autocomplete": Expect(
        "none",
        own=200,
        other=200,
        udp=200,
        admin=200,
        note="public reference data, logged-in roles",
    ),
}

# Checked in addition to the walked URL map (see SKIPPED_PREFIXES for why admin is not walked).
EXTRA_URLS: dict[str, Expect] = {
    "admin:index": Expect("none", own=LOGIN, other=LOGIN, udp=LOGIN, admin=200, no_role=LOGIN),
    "admin:casework_person_changelist": Expect(
        "none", own=LOGIN, other=LOGIN, udp=LOGIN, admin=200, no_role=LOGIN
    ),
    # A background import (casework/importjobs.py), the administrator's own: its page, the
    # status the page polls, the confirmation (a queued preview: back to the page). Another
    # administrator gets 404: test_matrix_import_job_of_another_administrator.
    "admin:casework_person_import_job": Expect(
        "import_job", own=LOGIN, other=LOGIN, udp=LOGIN, admin=200, no_role=LOGIN
    ),
    "admin:casework_person_import_job_status": Expect(
        "import_job", own=LOGIN, other=LOGIN, udp=LOGIN, admin=200, no_role=LOGIN
    ),
    "admin:casework_person_import_job_confirm": Expect(
        "import_job",
        method="POST",
        own=LOGIN,
        other=LOGIN,
        udp=LOGIN,
        admin=REDIRECT,
        no_role=LOGIN,
    ),
}

IMPORT_JOB_URLS = [name for name, e in EXTRA_URLS.items() if e.obj == "import_job"]


def extra_patterns() -> list:
    """EXTRA_URLS as (pattern, expectation), for the matrix and the CSRF test."""
    from tests.security.matrix import Pattern

    return [
        (Pattern(name, "", ("job_id",) if e.obj == "import_job" else ()), e)
        for name, e in EXTRA_URLS.items()
    ]


def import_job(user):
    """A queued background import of ``user`` (no task: the matrix checks who may open it)."""
    from casework.models import ImportJob

    return ImportJob.objects.create(
        user=user,
        model="casework.person",
        resource="casework.resources.PersonResource",
        file_name="m" * 32,
        file_format="csv",
        rows_total=5000,
    )


def _patterns():
    return url_patterns()


def test_every_url_pattern_is_in_the_table():
    names = {p.name for p in _patterns()}
    missing = sorted(names - set(EXPECTED))
    stale = sorted(set(EXPECTED) - names)
    assert not missing, f"URL patterns with no expectation in test_matrix.EXPECTED: {missing}"
    assert not stale, f"expectations for URLs that no longer exist: {stale}"


def test_the_skipped_prefixes_are_only_admin_and_i18n():
    prefixes = {p.route.split("/")[0] + "/" for p in walk() if p.name not in EXPECTED}
    assert prefixes <= set(SKIPPED_PREFIXES), prefixes - set(SKIPPED_PREFIXES)


def _check(pattern, expect, personas, objects_by_desk) -> tuple[list[str], int]:
    failures: list[str] = []
    checked = 0
    desks = DESKS if expect.obj != "none" else (None,)
    for desk in desks:
        objects = objects_by_desk[desk] if desk else None
        url = url_for(pattern, expect, objects)
        for role in ROLES:
            user = personas[role](desk)
            if role == "other" and desk is None:
                continue  # both operators are "own" for a URL without an object
            client = login(Client(), user)
            send = client.post if expect.method == "POST" else client.get
            response = send(url, expect.data) if expect.method == "POST" else send(url)
            got = classify(response)
            want = expect.for_role(role)
            checked += 1
            if got != want:
                failures.append(f"{pattern.name} [{desk or '-'}] {role}: got {got}, want {want}")
    return failures, checked


@pytest.fixture
def personas(op_casalmaggiore, op_gussola, udp_reader, administrator, no_role_user):
    def operator(desk, *, own: bool):
        if desk is None:
            return op_casalmaggiore if own else op_gussola
        mine = {"casalmaggiore": op_casalmaggiore, "gussola": op_gussola}
        theirs = {"casalmaggiore": op_gussola, "gussola": op_casalmaggiore}
        return (mine if own else theirs)[desk]

    return {
        "anonymous": lambda desk: None,
        "own": lambda desk: operator(desk, own=True),
        "other": lambda desk: operator(desk, own=False),
        "udp": lambda desk: udp_reader,
        "admin": lambda desk: administrator,
        "no_role": lambda desk: no_role_user,
    }


@pytest.mark.django_db
def test_matrix(personas, udp_reader, settings, capsys):
    settings.AXES_ENABLED = False
    objects_by_desk = {desk: build_objects(desk) for desk in DESKS}
    job = import_job(personas["admin"](None))
    for objects in objects_by_desk.values():
        objects.extra["import_job"] = job.pk
    for desk in DESKS:  # a version sent for each desk's quarter (reports:sent_file)
        send_review(
            user=udp_reader,
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 3, 31),
            desk=Desk.objects.get(slug=desk),
            recipients="Regione Lombardia",
            sent_on=dt.date(2024, 4, 15),
        )
    failures: list[str] = []
    total = 0
    table = [(p, EXPECTED[p.name]) for p in _patterns() if p.name in EXPECTED]

    table += extra_patterns()
    for pattern, expect in table:
        found, checked = _check(pattern, expect, personas, objects_by_desk)
        failures += found
        total += checked
    with capsys.disabled():
        print(f"\nsecurity matrix: {len(table)} URLs, {total} URL × role × desk combinations")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_matrix_import_job_of_another_administrator(administrator, settings):
    """Every address of a background import is its user's alone: another administrator,
    who may import too, gets 404 on each (and the job is left as it was)."""
    from casework import roles
    from tests import factories
    from tests.security.matrix import Pattern

    settings.AXES_ENABLED = False
    other = factories.user("admin.altro", role=roles.ADMINISTRATOR, is_staff=True)
    job = import_job(administrator)
    objects = build_objects("casalmaggiore")
    objects.extra["import_job"] = job.pk
    for name in IMPORT_JOB_URLS:
        expect = EXTRA_URLS[name]
        url = url_for(Pattern(name, "", ("job_id",)), expect, objects)
        for user, want in ((other, 404), (administrator, expect.admin)):
            client = login(Client(), user)
            response = client.post(url) if expect.method == "POST" else client.get(url)
            assert classify(response) == want, (name, user.username)
    job.refresh_from_db()
    assert (job.phase, job.state) == ("preview", "queued")


# --- Admin form posts ------------------------------------------------------------------------
# The admin's add forms take foreign keys by id. For each form that points at a case record,
# a staff operator of Gussola posts it with an object of their own desk (saved) and of the
# other desk (refused: the form answers again with an error, nothing is written); the
# administrator, who sees every desk, saves both (security review H1).

ADMIN_FORM_POSTS = {
    "casework/meeting": lambda o: {
        "intake": o.intake_id,
        "held_on": "20/03/2024",
        "mode": "presenza",
        "duration_minutes": "45",
        "attended": "on",
    },
    "casework/referral": lambda o: {
        "intake": o.intake_id,
        "kind": "tirocinio",
        "referred_on": "20/03/2024",
        "outcome": "in_corso",
    },
    "casework/intake": lambda o: {
        "person": o.person_id,
        "desk": o.extra["gussola_desk"],
        "opened_on": "20/03/2024",
        "channel": "spontaneo",
        "main_need": "orientamento",
        "labour_status": "disoccupato",
        "status": "aperta",
        "meetings-TOTAL_FORMS": "0",
        "meetings-INITIAL_FORMS": "0",
        "referrals-TOTAL_FORMS": "0",
        "referrals-INITIAL_FORMS": "0",
    },
    "casework/privacyacknowledgement": lambda o: {
        "person": o.person_id,
        "notice": o.extra["notice"],
        "acknowledged_on": "20/03/2024",
        "channel": "presenza",
    },
}


@pytest.mark.django_db
def test_matrix_admin_form_posts(administrator, settings, capsys):
    import datetime as dt

    from django.apps import apps

    from casework import roles
    from casework.models import PrivacyNotice
    from sportelli.models import Desk
    from tests import factories

    settings.AXES_ENABLED = False
    staff = factories.user("staff.gussola", role=roles.OPERATOR, desks=("gussola",), is_staff=True)
    notice = PrivacyNotice.objects.create(
        version="matrice", text="Informativa", valid_from=dt.date(2020, 1, 1)
    )
    objects_by_desk = {desk: build_objects(desk) for desk in DESKS}
    for objects in objects_by_desk.values():
        objects.extra.update(gussola_desk=Desk.objects.get(slug="gussola").pk, notice=notice.pk)
    failures: list[str] = []
    checked = 0
    for path, data_for in ADMIN_FORM_POSTS.items():
        model = apps.get_model(*path.split("/"))
        for desk, objects in objects_by_desk.items():
            for who, user in (("staff.gussola", staff), ("admin", administrator)):
                # A person at Gussola already has an open intake there: close the gap by
                # asking for an intake at Gussola only for the Casalmaggiore person.
                if path == "casework/intake" and desk == "gussola":
                    continue
                allowed = who == "admin" or desk == "gussola"
                before = model.objects.count()
                client = login(Client(), user)
                response = client.post(f"/admin/{path}/add/", data_for(objects))
                created = model.objects.count() - before
                want = (302, 1) if allowed else (200, 0)
                got = (response.status_code, created)
                checked += 1
                if got != want:
                    failures.append(
                        f"POST /admin/{path}/add/ [{desk}] {who}: got {got}, want {want}"
                    )
                elif not allowed:
                    form = response.context["adminform"].form
                    field = "intake" if "intake" in form.fields else "person"
                    if field not in form.errors:
                        failures.append(f"/admin/{path}/add/ [{desk}] {who}: no error on {field}")
                if created:
                    model.objects.order_by("-pk").first().delete()
    with capsys.disabled():
        print(f"\nsecurity matrix: {checked} admin form posts")
    assert not failures, "\n".join(failures)
