"""The follow-up's personal data in the GDPR requests: the subject-access export holds the
situation at exit, the tasks and their contact attempts; anonymising erases their free
texts and keeps the ESF+ results."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.choices import ClosureReason
from followup import services
from followup.choices import ExitResult, TaskKind
from followup.models import ContactAttempt, ExitSituation, FollowUpTask
from privacy.services import anonymise_person, subject_access_data
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed(op_casalmaggiore):
    intake = factories.intake(factories.person(last_name="Superti"), opened_on=dt.date(2024, 1, 8))
    services.close_with_exit(
        intake=intake,
        version=intake.version,
        closed_on=dt.date(2024, 3, 1),
        closure_reason=ClosureReason.HIRED,
        closure_note="",
        exit_answer=services.ExitAnswer(
            results=frozenset({ExitResult.EMPLOYED}), source="co", as_of=dt.date(2024, 3, 4)
        ),
        by=op_casalmaggiore,
    )
    task = FollowUpTask.objects.get(intake=intake, kind=TaskKind.SIX_MONTHS)
    services.record_attempt(
        task=task,
        made_at=dt.datetime(2024, 9, 2, 10, 0, tzinfo=dt.UTC),
        channel="telefono",
        outcome="messaggio",
        note="Risponde la sorella Giulia",
        by=op_casalmaggiore,
    )
    services.answer_six_months(
        task=task,
        answered_on=dt.date(2024, 9, 3),
        source="dichiarazione",
        employed=True,
        improved=None,
        note="Lavora al panificio Rossi",
        by=op_casalmaggiore,
    )
    return intake


def test_the_subject_access_export_holds_the_follow_up(followed):
    data = subject_access_data(person=followed.person)
    (situation,) = data["exit_situations"]
    assert (
        situation["employed"] is True and situation["source_label"] == "Comunicazioni obbligatorie"
    )
    (task,) = data["followup_tasks"]
    assert task["kind"] == TaskKind.SIX_MONTHS and task["employed"] is True
    assert task["answer_note"] == "Lavora al panificio Rossi"
    assert task["contact_attempts"][0]["note"] == "Risponde la sorella Giulia"
    changed = {e["object"].split(" ")[0] for e in data["audit_trail"]}
    assert {"exitsituation", "followuptask", "contactattempt"} <= changed


def test_anonymising_erases_the_follow_up_texts_and_keeps_the_results(followed):
    anonymise_person(person=followed.person)
    task = FollowUpTask.objects.get(intake=followed)
    assert task.answer_note == "" and task.employed is True
    assert ContactAttempt.objects.get(task=task).note == ""
    assert ExitSituation.objects.get(intake=followed).employed
    text = repr(subject_access_data(person=followed.person))
    for secret in ("Giulia", "panificio", "Superti"):
        assert secret not in text
