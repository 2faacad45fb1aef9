"""Two operators saving the same record never lose an update silently.

* Two browsers (two clients, two operators of the same desk) open the same edit page; the
  first saves; the second's save is refused with the conflict page — their input kept,
  the first one's values shown — and the record holds the first save. Every versioned
  edit page: person, meeting, referral, referral outcome; closing a case that a colleague
  has just closed is not applied and says so.
* On PostgreSQL, eight requests saving the same meeting from the same version at the same
  moment (threads, separate connections): exactly one is applied, the others get the
  conflict page, and the version went up by exactly one.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from casework.models import Intake, Meeting, Person, Referral
from tests import factories
from tests.security.matrix import build_objects, login


def form_data(response) -> dict:
    """What the browser would send back: the bound values of the page's form."""
    form = response.context["form"]
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, dt.datetime):
            value = value.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        data[name] = value
    return data


# URL name, object kind, field changed, value of the first and of the second operator
EDITS = [
    ("casework:person_edit", "person", "email", "prima@example.org", "seconda@example.org"),
    ("casework:meeting_edit", "meeting", "notes", "prima", "seconda"),
    ("casework:referral_edit", "referral", "description", "prima", "seconda"),
    ("casework:referral_outcome", "referral", "notes", "prima", "seconda"),
    ("followup:intake_close", "intake", "closure_note", "prima", "seconda"),
    ("casework:intake_edit", "intake", "needs", "prima", "seconda"),
]
MODELS = {"person": Person, "meeting": Meeting, "referral": Referral, "intake": Intake}


@pytest.fixture
def two_operators(db, op_casalmaggiore, settings):
    settings.AXES_ENABLED = False
    colleague = factories.user("op.casalmaggiore.2", role="Operatore di sportello",
                               desks=("casalmaggiore",))  # fmt: skip
    return login(Client(), op_casalmaggiore), login(Client(), colleague)


@pytest.mark.parametrize(("name", "kind", "field", "first", "second"), EDITS)
def test_the_second_save_is_refused_not_lost(two_operators, name, kind, field, first, second):
    a, b = two_operators
    objects = build_objects("casalmaggiore")
    pk = getattr(objects, f"{kind}_id")
    url = reverse(name, kwargs={"pk": pk})
    page_a, page_b = a.get(url), b.get(url)
    assert page_a.status_code == page_b.status_code == 200
    data_a, data_b = form_data(page_a), form_data(page_b)
    if name == "followup:intake_close":
        for data in (data_a, data_b):
            data.update(closed_on="2024-04-02", closure_reason="obiettivi")
    if name == "casework:referral_outcome":
        for data in (data_a, data_b):
            data.update(outcome="assunzione", outcome_on="2024-04-02")
    saved = a.post(url, {**data_a, field: first})
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else saved
    refused = b.post(url, {**data_b, field: second})
    if name == "followup:intake_close":
        # Closing a case someone has just closed: not applied, and the operator is told.
        assert refused.status_code == 302
        told = [str(m) for m in b.get(refused["Location"]).context["messages"]]
        assert any("già chiusa" in m for m in told), told
        assert getattr(Intake.objects.get(pk=pk), field) == first
        return
    assert refused.status_code == 200
    html = refused.content.decode()
    assert refused.context["conflict"] is True
    assert second in html and first in html  # my input kept, theirs shown
    row = MODELS[kind].objects.get(pk=pk)
    assert getattr(row, field) == first
    version = row.version
    # Saving again over the version now shown is a deliberate overwrite.
    again = b.post(url, {**data_b, field: second, "version": str(version)})
    assert again.status_code == 302
    row.refresh_from_db()
    assert getattr(row, field) == second
    assert row.version == version + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_saves_apply_exactly_one(op_casalmaggiore, settings):
    settings.AXES_ENABLED = False
    objects = build_objects("casalmaggiore")
    url = reverse("casework:meeting_edit", kwargs={"pk": objects.meeting_id})
    base = form_data(login(Client(), op_casalmaggiore).get(url))
    writers = 8
    barrier = threading.Barrier(writers)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def save(n: int) -> None:
        try:
            client = login(Client(), op_casalmaggiore)
            barrier.wait(timeout=30)
            response = client.post(url, {**base, "notes": f"scrittura {n}"})
            statuses.append(response.status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(statuses) == [200] * (writers - 1) + [302]
    meeting = Meeting.objects.get(pk=objects.meeting_id)
    assert meeting.version == 2
    assert meeting.notes.startswith("scrittura ")
