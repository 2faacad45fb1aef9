"""The ESF+ results in the quarterly review and its workbook (issue 13 item 10): at exit
(the exits of the period) and six months after (the follow-ups due in the period), by
gender, people counted once, defined, and suppressed in the external workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from agenda.models import Appointment
from casework.choices import ClosureReason, Gender, LabourStatus
from followup import services
from followup.choices import ExitResult, TaskKind
from followup.models import FollowUpTask
from reports.review import compute_review
from reports.suppression import HIDDEN, SMALL
from reports.workbook import Variant, build_workbook
from tests import factories

pytestmark = pytest.mark.django_db

Q1 = (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
Q3 = (dt.date(2024, 7, 1), dt.date(2024, 9, 30))
COLUMNS = ("F", "M", "X", "N")  # then the total


def _exit(user, *, gender, results, closed_on=dt.date(2024, 2, 15), desk="casalmaggiore", **kw):
    intake = factories.intake(
        factories.person(gender=gender), desk_slug=desk, opened_on=dt.date(2024, 1, 8), **kw
    )
    answer = services.ExitAnswer(
        results=frozenset(results),
        source="dichiarazione" if results else "",
        as_of=closed_on if results else None,
    )
    services.close_with_exit(
        intake=intake,
        version=intake.version,
        closed_on=closed_on,
        closure_reason=ClosureReason.GOALS_MET,
        closure_note="",
        exit_answer=answer,
        by=user,
    )
    return intake


def _row(review, table, key):
    return next(r for r in review.tables[table].rows if r.key == key).values


@pytest.fixture
def exits(op_casalmaggiore):
    user = op_casalmaggiore
    women = [
        _exit(user, gender=Gender.WOMAN, results=[ExitResult.EMPLOYED, ExitResult.QUALIFICATION])
        for _ in range(4)
    ]
    men = [_exit(user, gender=Gender.MAN, results=[ExitResult.JOB_SEARCHING]) for _ in range(3)]
    unknown = _exit(user, gender=Gender.WOMAN, results=[])
    employed_at_intake = _exit(
        user, gender=Gender.MAN, results=[ExitResult.EMPLOYED], labour_status=LabourStatus.EMPLOYED
    )
    # Another quarter's exit is not counted.
    _exit(user, gender=Gender.WOMAN, results=[ExitResult.EMPLOYED], closed_on=dt.date(2024, 4, 2))
    return women, men, unknown, employed_at_intake


def test_the_results_at_exit_by_gender(udp_reader, exits):
    review = compute_review(user=udp_reader, start=Q1[0], end=Q1[1])
    assert _row(review, "esf_exit", "left") == (5, 4, 0, 0, 9)
    assert _row(review, "esf_exit", "employed") == (4, 1, 0, 0, 5)
    assert _row(review, "esf_exit", "qualification") == (4, 0, 0, 0, 4)
    assert _row(review, "esf_exit", "job_searching") == (0, 3, 0, 0, 3)
    assert _row(review, "esf_exit", "education") == (0, 0, 0, 0, 0)
    assert _row(review, "esf_exit", "unknown") == (1, 0, 0, 0, 1)
    assert "quattro settimane" in review.tables["esf_exit"].definition


def test_the_four_week_answer_moves_a_person_from_unknown(udp_reader, op_casalmaggiore, exits):
    _women, _men, unknown, _e = exits
    task = FollowUpTask.objects.get(intake=unknown, kind=TaskKind.EXIT_CHECK)
    services.answer_exit_check(
        task=task, results=[ExitResult.EDUCATION], source="partner",
        as_of=dt.date(2024, 3, 1), by=op_casalmaggiore,
    )  # fmt: skip
    review = compute_review(user=udp_reader, start=Q1[0], end=Q1[1])
    assert _row(review, "esf_exit", "unknown") == (0, 0, 0, 0, 0)
    assert _row(review, "esf_exit", "education") == (1, 0, 0, 0, 1)


def test_the_six_month_results_fall_in_the_quarter_six_months_later(
    udp_reader, op_casalmaggiore, exits
):
    women, men, _unknown, employed_at_intake = exits
    for intake, employed in ((women[0], True), (women[1], False), (men[0], True)):
        task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
        services.answer_six_months(
            task=task, answered_on=dt.date(2024, 8, 20), source="co", employed=employed,
            improved=None, by=op_casalmaggiore,
        )  # fmt: skip
    task = FollowUpTask.objects.get(intake=employed_at_intake, kind=TaskKind.SIX_MONTHS)
    services.answer_six_months(
        task=task, answered_on=dt.date(2024, 8, 20), source="co", employed=True,
        improved=True, by=op_casalmaggiore,
    )  # fmt: skip
    assert _row(
        compute_review(user=udp_reader, start=Q1[0], end=Q1[1]), "esf_six_months", "followed"
    ) == (0, 0, 0, 0, 0)
    review = compute_review(user=udp_reader, start=Q3[0], end=Q3[1])
    assert _row(review, "esf_six_months", "followed") == (5, 4, 0, 0, 9)
    assert _row(review, "esf_six_months", "answered") == (2, 2, 0, 0, 4)
    assert _row(review, "esf_six_months", "employed") == (1, 2, 0, 0, 3)
    assert _row(review, "esf_six_months", "employed_at_intake") == (0, 1, 0, 0, 1)
    assert _row(review, "esf_six_months", "improved") == (0, 1, 0, 0, 1)
    assert _row(review, "esf_six_months", "no_answer") == (3, 2, 0, 0, 5)


def test_an_operator_counts_only_the_exits_of_their_desks(op_gussola, op_casalmaggiore, exits):
    _exit(op_gussola, gender=Gender.WOMAN, results=[ExitResult.EMPLOYED], desk="gussola")
    review = compute_review(user=op_gussola, start=Q1[0], end=Q1[1])
    assert _row(review, "esf_exit", "left") == (1, 0, 0, 0, 1)


def test_the_workbook_carries_the_results_defined_and_suppressed(udp_reader, exits):
    review = compute_review(user=udp_reader, start=Q1[0], end=Q1[1])
    sheets = {}
    for variant in (Variant.INTERNAL, Variant.EXTERNAL):
        buffer = io.BytesIO()
        build_workbook(review=review, user=udp_reader, variant=variant).save(buffer)
        sheets[variant] = load_workbook(io.BytesIO(buffer.getvalue()))

    def rows(wb, title):
        ws = wb["FSE+"]
        found = {}
        for (cell,) in ws.iter_rows(min_col=1, max_col=1):
            if cell.value == title:
                r = cell.row + 2
                while ws.cell(r, 1).value:
                    found[ws.cell(r, 1).value] = tuple(ws.cell(r, c).value for c in range(2, 7))
                    r += 1
        return found

    internal = rows(sheets[Variant.INTERNAL], "FSE+ · Risultati all'uscita")
    external = rows(sheets[Variant.EXTERNAL], "FSE+ · Risultati all'uscita")
    assert internal["Situazione all'uscita non nota"] == (1, 0, 0, 0, 1)
    assert external["Situazione all'uscita non nota"][0] == SMALL
    assert external["Situazione all'uscita non nota"][-1] == SMALL
    assert external["Persone uscite nel periodo"] == (5, 4, 0, 0, 9)
    assert rows(sheets[Variant.INTERNAL], "FSE+ · Risultati a sei mesi dall'uscita")
    definitions = [
        row[2].value for row in sheets[Variant.EXTERNAL]["Definizioni"].iter_rows(min_row=2)
    ]
    assert any(d and "Persone uscite nel periodo" in d for d in definitions)
    assert any(d and "Situazione migliorata (definizione FSE+" in d for d in definitions)


def test_the_review_page_shows_the_results_section(client, udp_reader, exits):
    client.force_login(udp_reader)
    response = client.get(
        "/report/", {"period": "custom", "start": "2024-01-01", "end": "2024-03-31"}
    )
    page = response.content.decode()
    assert "Risultati FSE+: all&#x27;uscita e a sei mesi" in page or "Risultati FSE+" in page
    assert "Situazione all&#x27;uscita non nota" in page


def _appointment(intake, *, mode, status, day):
    return Appointment.objects.create(
        person=intake.person,
        intake=intake,
        desk=intake.desk,
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
        mode=mode,
        status=status,
    )


def test_the_no_show_rate_per_desk_and_mode(udp_reader):
    casal = factories.intake(factories.person(), opened_on=dt.date(2024, 1, 8))
    gussola = factories.intake(
        factories.person(), desk_slug="gussola", opened_on=dt.date(2024, 1, 8)
    )
    day = dt.date(2024, 2, 5)
    for status in ("svolto", "svolto", "svolto", "mancato"):
        _appointment(casal, mode="presenza", status=status, day=day)
    for status in ("mancato", "giustificato", "prenotato", "annullato"):
        _appointment(casal, mode="telefono", status=status, day=day)
    for status in ("svolto", "mancato"):
        _appointment(gussola, mode="video", status=status, day=day)
    _appointment(casal, mode="presenza", status="mancato", day=dt.date(2024, 4, 2))  # Q2
    review = compute_review(user=udp_reader, start=Q1[0], end=Q1[1])
    tables = review.tables
    # Columns: Casalmaggiore, Piadena Drizzona, San Giovanni in Croce, Gussola, total.
    assert _row(review, "appointments_recorded", "presenza") == (4, 0, 0, 0, 4)
    assert _row(review, "appointments_recorded", "telefono") == (2, 0, 0, 0, 2)
    assert _row(review, "appointments_missed", "video") == (0, 0, 0, 1, 1)
    assert tables["appointments_missed"].total.values == (2, 0, 0, 1, 3)
    assert _row(review, "no_show_rate", "presenza") == (25.0, None, None, None, 25.0)
    assert _row(review, "no_show_rate", "telefono") == (50.0, None, None, None, 50.0)
    assert _row(review, "no_show_rate", "total") == (33.3, None, None, 50.0, 37.5)
    assert "non presentato" in tables["no_show_rate"].definition
    # The external workbook hides the rate computed over a hidden (small) count.
    buffer = io.BytesIO()
    build_workbook(review=review, user=udp_reader, variant=Variant.EXTERNAL).save(buffer)
    ws = load_workbook(io.BytesIO(buffer.getvalue()))["Appuntamenti"]
    values = {
        ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 7)]
        for r in range(1, ws.max_row + 1)
    }
    assert values["Telefono"][0] in (SMALL, HIDDEN)
    assert HIDDEN in [v for label, row in values.items() for v in row]
