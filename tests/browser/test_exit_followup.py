"""Browser test of the exit and its follow-up (issue 13 items 7-10): an operator closes a
case with the situation at exit, the clock moves past six months, the six-month follow-up is
on the work list and its count on the dashboard, the operator records a contact attempt and
the answer, and the review shows the result."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from followup.choices import TaskKind, add_months
from followup.models import ExitSituation, FollowUpTask
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_close_with_exit_then_six_months_later_record_and_review(
    page, live_server, op_casalmaggiore, settings
):
    today = timezone.localdate()
    intake = factories.intake(
        factories.person(last_name="Ferrari", first_name="Lucia", gender="F"),
        opened_on=today - dt.timedelta(days=60),
        operator=op_casalmaggiore,
    )
    sign_in(page, op_casalmaggiore, live_server.url)
    close_and_follow_up(page, intake, settings)


def close_and_follow_up(page, intake, settings) -> None:
    """From the case page of an open case (the operator logged in): close it with the
    situation at exit, move the clock past six months, find the follow-up on the work list,
    record an attempt and the answer, and see it in the review. Also the second half of
    the follow-through's "done when" test (tests/browser/test_follow_through.py)."""
    today = timezone.localdate()
    name = f"{intake.person.last_name} {intake.person.first_name}"
    # Close the case: found a job, stated by the person, as of today.
    page.goto(f"/persona/{intake.person_id}/")
    page.get_by_role("link", name="Chiudi la presa in carico").click()
    page.fill("[name=closed_on]", today.isoformat())
    page.select_option("[name=closure_reason]", "assunzione")
    page.get_by_label("Occupato/a, compreso il lavoro autonomo").check()
    page.select_option("[name=exit_source]", "dichiarazione")
    page.fill("[name=exit_as_of]", today.isoformat())
    page.click("#form-submit")
    expect(page.locator(f"#uscita-{intake.pk}")).to_contain_text(
        "Occupato/a, compreso il lavoro autonomo"
    )
    assert ExitSituation.objects.get(intake=intake).employed
    task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
    due = add_months(today, 6)
    assert task.due_on == due

    # Nothing due yet; then the clock moves 190 days on: the task is overdue.
    page.goto("/sportello/casalmaggiore/")
    expect(page.locator("#count-overdue")).to_have_text("0")
    settings.CLOCK_OFFSET = dt.timedelta(days=190)
    later = today + dt.timedelta(days=190)
    page.goto("/sportello/casalmaggiore/")
    expect(page.locator("#count-overdue")).to_have_text("1")
    page.get_by_role("link", name="Lista di lavoro").click()
    overdue = page.locator("#overdue-tasks")
    expect(overdue).to_contain_text(name)
    expect(overdue).to_contain_text(f"{due:%d/%m/%Y}")
    overdue.get_by_role("link", name="Follow-up a sei mesi").click()

    # A first call unanswered, then the answer: still employed.
    page.get_by_label("Telefono").check()
    page.select_option("[name=outcome]", "nessuna_risposta")
    page.click("#attempt-submit")
    expect(page.locator("#attempts")).to_contain_text("Nessuna risposta")
    page.locator("#answer-form").get_by_label("Sì").check()
    page.locator("#answer-form").locator("[name=source]").select_option("co")
    page.locator("#answer-form").locator("[name=answered_on]").fill(later.isoformat())
    page.click("#answer-submit")
    expect(page.locator("#task-status")).to_contain_text("Risposta registrata")
    expect(page.locator("#task-answer")).to_contain_text("Occupato/a")
    page.goto("/sportello/casalmaggiore/")
    expect(page.locator("#count-overdue")).to_have_text("0")

    # The review of the quarter six months on counts her among the employed.
    start = due.replace(month=(due.month - 1) // 3 * 3 + 1, day=1)
    end = add_months(start, 3) - dt.timedelta(days=1)
    page.goto(f"/report/?period=custom&start={start.isoformat()}&end={end.isoformat()}")
    table = page.locator("#table-esf_six_months")
    row = table.locator("tr", has_text="Occupati/e a sei mesi")
    expect(row.locator("td").first).to_have_text("1")
