"""Issue 10, item 4 (UX audit A.10): after an edit conflict the page marks field by field
what the colleague changed and what you changed, and saving again keeps the colleague's
changes on the fields you did not touch."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casework.models import Person
from tests import factories
from tests.security.matrix import login


@pytest.fixture
def two_operators(db, op_casalmaggiore, settings):
    settings.AXES_ENABLED = False
    colleague = factories.user(
        "op.casalmaggiore.2", role="Operatore di sportello", desks=("casalmaggiore",)
    )
    return login(Client(), op_casalmaggiore), login(Client(), colleague)


@pytest.fixture
def person(db):
    p = factories.person(phone="0375 100100", email="vecchia@example.org")
    factories.intake(p, desk_slug="casalmaggiore")
    return p


def page_data(response) -> dict:
    """What the browser sends back: the form's bound values plus the page's hidden base."""
    form = response.context["form"]
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        data[name] = value
    if response.context.get("edit_base"):
        data["_base"] = response.context["edit_base"]
    return data


def test_the_colleagues_change_is_kept_where_you_changed_nothing(two_operators, person):
    colleague, me = two_operators
    url = reverse("casework:person_edit", args=[person.pk])
    theirs, mine = page_data(colleague.get(url)), page_data(me.get(url))

    assert colleague.post(url, {**theirs, "phone": "0375 999888"}).status_code == 302
    conflict = me.post(url, {**mine, "email": "nuova@example.org"})

    assert conflict.status_code == 200
    assert conflict.context["conflict"]
    form = conflict.context["form"]
    assert form["phone"].value() == "0375 999888"  # theirs, kept in the form
    assert form["email"].value() == "nuova@example.org"  # mine, kept in the form
    # (Saving also filled in the birthplace from the codice fiscale: theirs too.)
    assert str(form.fields["phone"].label) in conflict.context["changed_by_them"]
    assert str(form.fields["email"].label) not in conflict.context["changed_by_them"]
    assert conflict.context["changed_by_me"] == [str(form.fields["email"].label)]
    assert conflict.context["changed_by_both"] == []
    html = conflict.content.decode()
    assert 'class="changed-by-them"' in html and 'class="changed-by-me"' in html

    # Saving again, as the page invites: both changes stay.
    assert me.post(url, page_data(conflict)).status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.email) == ("+390375999888", "nuova@example.org")


def test_a_field_both_changed_is_marked_and_yours_is_in_the_form(two_operators, person):
    colleague, me = two_operators
    url = reverse("casework:person_edit", args=[person.pk])
    theirs, mine = page_data(colleague.get(url)), page_data(me.get(url))

    colleague.post(url, {**theirs, "phone": "0375 111111"})
    conflict = me.post(url, {**mine, "phone": "0375 222222"})

    form = conflict.context["form"]
    assert form["phone"].value() == "0375 222222"
    assert "0375 111111" in " ".join(form.errors["phone"])  # theirs, shown on the field
    assert conflict.context["changed_by_both"] == [str(form.fields["phone"].label)]
    assert me.post(url, page_data(conflict)).status_code == 302
    person.refresh_from_db()
    assert person.phone == "+390375222222"  # a deliberate overwrite of that one field


def test_without_the_signed_base_nothing_is_merged_and_nothing_breaks(two_operators, person):
    colleague, me = two_operators
    url = reverse("casework:person_edit", args=[person.pk])
    theirs, mine = page_data(colleague.get(url)), page_data(me.get(url))
    colleague.post(url, {**theirs, "phone": "0375 999888"})
    mine["_base"] = mine["_base"][:-3] + "xyz"  # tampered
    conflict = me.post(url, {**mine, "email": "nuova@example.org"})
    assert conflict.status_code == 200
    assert conflict.context["conflict"] and not conflict.context["merged"]
    assert conflict.context["form"]["phone"].value() == "0375 100100"  # as typed, not merged
    assert Person.objects.get(pk=person.pk).phone == "+390375999888"


def test_the_saved_dates_read_the_italian_way(two_operators, person):
    colleague, me = two_operators
    url = reverse("casework:person_edit", args=[person.pk])
    theirs, mine = page_data(colleague.get(url)), page_data(me.get(url))
    colleague.post(url, {**theirs, "phone": "0375 999888"})
    conflict = me.post(url, mine)
    shown = dict(conflict.context["saved_values"])
    birth = person.birth_date
    assert f"{birth:%d/%m/%Y}" in shown.values()


def test_a_meeting_merges_too(two_operators):
    """Dates, times, choices and the activities (many-to-many) compare as the form reads
    them, so only what really changed counts."""
    colleague, me = two_operators
    intake = factories.intake(desk_slug="casalmaggiore")
    meeting = factories.meeting(intake, notes="prima")
    url = reverse("casework:meeting_edit", args=[meeting.pk])
    theirs, mine = page_data(colleague.get(url)), page_data(me.get(url))
    assert colleague.post(url, {**theirs, "notes": "del collega"}).status_code == 302
    conflict = me.post(url, {**mine, "duration_minutes": "60"})
    assert conflict.context["changed_by_both"] == []
    form = conflict.context["form"]
    assert form["notes"].value() == "del collega"
    assert str(form["duration_minutes"].value()) == "60"
    assert me.post(url, page_data(conflict)).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.notes, meeting.duration_minutes) == ("del collega", 60)
