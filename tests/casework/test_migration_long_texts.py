"""Migration 0013 limits long texts. The first version accepted texts of any length (the UX
audit typed 6,000 characters): such a text is cut to the limit and its whole text kept in
the record's audit trail, so the migration never fails on real data and loses nothing."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from casework.models import Intake, Meeting
from tests import factories
from tests.migrations import migrate as _migrate


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_0013_cuts_overlong_texts_and_keeps_them_in_the_trail():
    intake = factories.intake()
    meeting = factories.meeting(intake)
    _migrate(("casework", "0012_activity_name_en"))
    long_note = "Nota lunga. " * 500  # 6,000 characters
    long_needs = "Bisogni " * 300  # 2,400 characters
    Meeting.objects.filter(pk=meeting.pk).update(notes=long_note)
    Intake.objects.filter(pk=intake.pk).update(needs=long_needs)
    _migrate()

    meeting.refresh_from_db()
    intake.refresh_from_db()
    assert len(meeting.notes) == 2000 and meeting.notes.endswith("…")
    assert meeting.notes[:-1] == long_note[:1999]
    assert len(intake.needs) == 2000
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Meeting), object_id=meeting.pk, action=1
    )
    assert entry.changes["notes"] == [long_note, meeting.notes]  # the whole text is kept
    assert "Testo accorciato" in entry.changes_text
    assert (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Intake), object_id=intake.pk
        )
        .filter(changes__has_key="needs")
        .exists()
    )
