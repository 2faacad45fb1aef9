"""New rows of an admin import are written in batches (``CaseworkResource.flush``).

What a batch must keep: the same audit trail as rows saved one by one, the same privacy
acknowledgements and activities, the agenda following imported meetings, the rows the
database refuses named like any bad row, a number of queries that does not grow with the
rows, and a progress callback for the background import.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agenda import services as agenda
from agenda.models import Appointment, AppointmentStatus
from casework import fiscal_code
from casework.models import Intake, Meeting, Person, PrivacyAcknowledgement, Referral
from casework.resources import (
    IntakeResource,
    MeetingResource,
    PersonResource,
    ReferralResource,
    row_errors,
)
from casework.resources.files import read_csv

pytestmark = pytest.mark.django_db


def csv(lines: list[list[str]]) -> bytes:
    """As Italian Excel writes it: semicolons, Windows-1252."""
    return "\r\n".join(";".join(line) for line in lines).encode("cp1252")


def code(last: str, first: str, birth: dt.date, sex: str = "F") -> str:
    return fiscal_code.encode(
        last_name=last, first_name=first, birth_date=birth, sex=sex, place_code="B898"
    )


def people_file(n: int, *, start: int = 0) -> bytes:
    lines = [["codice_fiscale", "cognome", "nome", "data_nascita", "genere", "comune_residenza",
              "cittadinanza", "titolo_studio", "telefono", "informativa_firmata_il"]]  # fmt: skip
    for i in range(start, start + n):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=23 * i)
        lines.append(
            [code("Rossi", f"Anna{'abcdefghij'[i % 10]}", birth), "Rossi", f"Anna{i}",
             f"{birth:%d/%m/%Y}", "F", "Casalmaggiore", "IT", "diploma", "0375 123456",
             "10/03/2021"]
        )  # fmt: skip
    return csv(lines)


def codes_of(data: bytes) -> list[str]:
    return [line.split(";")[0] for line in data.decode("cp1252").split("\r\n")[1:]]


def intakes_file(codes: list[str]) -> bytes:
    lines = [["codice_fiscale", "sportello", "data_presa_in_carico", "canale",
              "bisogno_principale", "condizione_occupazionale"]]  # fmt: skip
    lines += [[c, "Casalmaggiore", "15/03/2021", "spontaneo", "ricerca_attiva", "disoccupato"]
              for c in codes]  # fmt: skip
    return csv(lines)


def meetings_file(codes: list[str], *, held_on: str = "22/03/2021", next_at: str = "") -> bytes:
    lines = [["codice_fiscale", "sportello", "data_presa_in_carico", "data", "modalita",
              "attivita", "prossimo_appuntamento"]]  # fmt: skip
    # every other row lists the activities out of the order of their names
    lines += [[c, "Casalmaggiore", "15/03/2021", held_on, "presenza",
               "orientamento,cv" if i % 2 else "cv,orientamento", next_at]
              for i, c in enumerate(codes)]  # fmt: skip
    return csv(lines)


def referrals_file(codes: list[str]) -> bytes:
    lines = [["codice_fiscale", "sportello", "data_presa_in_carico", "tipo", "data_invio"]]
    lines += [[c, "Casalmaggiore", "15/03/2021", "tirocinio", "01/04/2021"] for c in codes]
    return csv(lines)


def run(resource, data: bytes, *, dry_run: bool = False, user=None):
    result = resource.import_data(read_csv(data), dry_run=dry_run, user=user)
    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    return result


# --- The audit trail -------------------------------------------------------------------------


_IDS = re.compile(r"#\d+")
_NOT_COMPARABLE = {"id", "person", "intake", "created_at"}  # keys and clocks differ by run


def trail() -> list[tuple]:
    """The entries written, without what differs between two runs (keys, timestamps)."""
    rows = []
    for entry in LogEntry.objects.order_by("pk"):
        changes = {k: v for k, v in (entry.changes_dict or {}).items() if k not in _NOT_COMPARABLE}
        rows.append(
            (
                entry.content_type.model,
                entry.action,
                _IDS.sub("#", entry.object_repr),
                entry.actor_id,
                sorted(changes.items(), key=lambda kv: kv[0]),
                # every other column but the keys and the time
                (
                    entry.actor_email,
                    entry.remote_addr,
                    entry.remote_port,
                    entry.cid,
                    entry.changes_text,
                    entry.serialized_data,
                    entry.additional_data,
                    entry.object_pk == str(entry.object_id),
                ),
            )
        )
    return rows


def import_everything(batched: bool, user) -> tuple[list[tuple], list[tuple]]:
    """People, their intakes, meetings and referrals; the trail and the acknowledgements
    written, then everything rolled back."""
    people = people_file(12)
    codes = codes_of(people)
    with transaction.atomic():
        LogEntry.objects.all().delete()
        for resource_class, data in (
            (PersonResource, people),
            (IntakeResource, intakes_file(codes)),
            (MeetingResource, meetings_file(codes)),
            (ReferralResource, referrals_file(codes)),
        ):
            resource = resource_class()
            resource.batched = batched
            run(resource, data, user=user)
        written = trail()
        acks = sorted(
            PrivacyAcknowledgement.objects.values_list(
                "person__fiscal_code", "notice__version", "acknowledged_on", "channel", "operator"
            )
        )
        transaction.set_rollback(True)
    return written, acks


def test_batches_write_the_trail_and_acknowledgements_of_rows_saved_one_by_one(administrator):
    # as the admin's request (or the background job) sets it
    with set_actor(administrator, remote_addr="192.0.2.7", remote_port=50123):
        batched_trail, batched_acks = import_everything(True, administrator)
        single_trail, single_acks = import_everything(False, administrator)
    assert batched_trail == single_trail
    assert batched_acks == single_acks
    kinds = [(model, action) for model, action, *_rest in batched_trail]
    # every row created, and each meeting's activities as auditlog records them
    assert kinds.count(("person", LogEntry.Action.CREATE)) == 12
    assert kinds.count(("meeting", LogEntry.Action.UPDATE)) == 12
    assert kinds.count(("referral", LogEntry.Action.CREATE)) == 12
    assert all(actor == administrator.pk for _m, _a, _r, actor, _c, _o in batched_trail)
    assert {other[:3] for *_, other in batched_trail} == {(administrator.email, "192.0.2.7", 50123)}
    assert len(batched_acks) == 12


def test_the_actor_of_the_context_signs_a_batch_as_it_signs_a_save(administrator, op_casalmaggiore):
    """auditlog's context names the actor (the request's user, the background job's user):
    the batch's entries take it as a save's entries would; without one, neither has one."""
    with set_actor(op_casalmaggiore):
        run(PersonResource(), people_file(3), user=administrator)
    assert set(LogEntry.objects.values_list("actor", flat=True)) == {op_casalmaggiore.pk}
    single, batched = import_everything(False, None)[0], import_everything(True, None)[0]
    assert single == batched
    assert {actor for _m, _a, _r, actor, _c, _o in batched} == {None}


def test_a_preview_writes_no_trail(administrator):
    run(PersonResource(), people_file(5), dry_run=True, user=administrator)
    assert not LogEntry.objects.exists()
    assert not Person.objects.exists()


def test_meetings_keep_their_activities():
    people = people_file(3)
    run(PersonResource(), people)
    run(IntakeResource(), intakes_file(codes_of(people)))
    run(MeetingResource(), meetings_file(codes_of(people)))
    assert [sorted(m.activities.values_list("code", flat=True)) for m in Meeting.objects.all()] == [
        ["cv", "orientamento"]
    ] * 3


# --- Batch boundaries and rows naming each other ------------------------------------------


def test_a_file_over_several_batches_and_a_person_named_twice(monkeypatch):
    monkeypatch.setattr(PersonResource._meta, "batch_size", 3)
    data = people_file(8)
    lines = data.decode("cp1252").split("\r\n")
    # row 2 again as the 9th row (another batch: it changes the person written before) and
    # row 8 again right after it (the same batch: it changes the person still waiting)
    again_early = lines[2].replace("0375 123456", "0375 999999")
    again_late = lines[8].replace("Casalmaggiore", "Gussola")
    data = "\r\n".join([*lines, again_early, again_late]).encode("cp1252")
    result = run(PersonResource(), data)
    assert (result.totals["new"], result.totals["update"]) == (8, 2)
    assert Person.objects.count() == 8
    first, last = (Person.objects.get(fiscal_code=codes_of(data)[i]) for i in (1, 7))
    assert first.phone == "+390375999999"
    assert last.residence_comune.name == "Gussola"
    assert PrivacyAcknowledgement.objects.count() == 8  # one each, not one per row


def test_rows_the_database_refuses_in_a_batch_are_named_and_nothing_is_written():
    """Two new open intakes of one person at one desk: each is valid against the database
    as it was, so the batch is refused; written again row by row, the second is named
    with the rule's own message."""
    people = people_file(3)
    run(PersonResource(), people)
    codes = codes_of(people)
    data = intakes_file([codes[0], codes[1], codes[0], codes[2]])
    for dry_run in (True, False):
        result = IntakeResource().import_data(read_csv(data), dry_run=dry_run)
        assert dict(row_errors(result)) == {
            3: "Questa persona ha già una presa in carico aperta in questo sportello."
        }
        assert not Intake.objects.exists()


# --- The agenda follows imported meetings -------------------------------------------------


def test_imported_meetings_hold_their_appointment_and_book_the_next(op_casalmaggiore):
    people = people_file(2)
    run(PersonResource(), people)
    run(IntakeResource(), intakes_file(codes_of(people)))
    first, second = (Intake.objects.get(person__fiscal_code=c) for c in codes_of(people))
    when = timezone.make_aware(dt.datetime(2021, 3, 22, 10, 0))
    booked = agenda.book(intake=first, operator=op_casalmaggiore, starts_at=when, check_time=False)
    lines = meetings_file(codes_of(people)).decode("cp1252").split("\r\n")
    lines[2] = lines[2][: -len(";")] + ";05/04/2021 09:30"  # the second books its next
    run(MeetingResource(), "\r\n".join(lines).encode("cp1252"))
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.HELD
    assert booked.meeting == Meeting.objects.get(intake=first)
    nxt = Appointment.objects.get(intake=second)
    assert (nxt.status, nxt.booked_in) == (
        AppointmentStatus.BOOKED,
        Meeting.objects.get(intake=second),
    )
    assert timezone.localtime(nxt.starts_at).strftime("%d/%m/%Y %H:%M") == "05/04/2021 09:30"


# --- Cost -------------------------------------------------------------------------------------


def count_queries(data: bytes, resource_class, *, dry_run: bool) -> tuple[int, int]:
    """(queries other than INSERT, INSERT statements) of one import, rolled back. Django's
    content-type cache is emptied first, so that every count includes the same one-time
    lookups whatever ran before in the process."""
    ContentType.objects.clear_cache()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            run(resource_class(), data, dry_run=dry_run)
        transaction.set_rollback(True)
    inserts = sum(q["sql"].lstrip().upper().startswith("INSERT") for q in queries)
    return len(queries) - inserts, inserts


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_queries_do_not_grow_with_the_rows(dry_run):
    """Within a batch, 10 rows and 60 rows cost the same reads (lookups read per file);
    the writes are one INSERT per batch for the rows, their acknowledgements, links and
    trail — a few more for 60 rows on SQLite, whose statements take at most 999 values."""
    people = people_file(60)
    cases = [(PersonResource, people_file(10, start=100), people_file(60, start=200))]
    run(PersonResource(), people)
    run(IntakeResource(), intakes_file(codes_of(people)[:30]))
    codes = codes_of(people)
    cases.append((IntakeResource, intakes_file(codes[30:40]), intakes_file(codes[30:])))
    cases.append((MeetingResource, meetings_file(codes[:10]), meetings_file(codes[:30])))
    for resource_class, small, large in cases:
        small_reads, small_inserts = count_queries(small, resource_class, dry_run=dry_run)
        large_reads, large_inserts = count_queries(large, resource_class, dry_run=dry_run)
        assert small_reads == large_reads, resource_class
        assert large_inserts <= small_inserts + 6, resource_class


def test_progress_is_reported_while_reading_and_at_the_end():
    seen: list[int] = []
    resource = PersonResource()
    resource.import_data(read_csv(people_file(600)), dry_run=True, progress=seen.append)
    assert seen == [250, 500, 600]


def test_referrals_are_written_in_batches_too():
    people = people_file(4)
    run(PersonResource(), people)
    run(IntakeResource(), intakes_file(codes_of(people)))
    with CaptureQueriesContext(connection) as queries:
        run(ReferralResource(), referrals_file(codes_of(people)))
    # one statement for the four rows: COPY on PostgreSQL, "4 times: INSERT" on SQLite
    writes = [
        q["sql"]
        for q in queries
        if re.search(r'^(\d+ (rows|times): )?(INSERT INTO|COPY) "casework_referral"', q["sql"])
    ]
    assert len(writes) == 1, writes
    assert writes[0].startswith(("4 rows: COPY", "4 times: INSERT")), writes
    assert Referral.objects.count() == 4


def test_italian_labels_import_from_the_english_admin_too():
    """A file made for the Italian admin («Donna», «Disoccupato/a»...) imports the same when
    the administrator's page is in English (the docs promise the Italian labels)."""
    from django.utils import translation

    lines = people_file(2).decode("cp1252").split("\r\n")
    lines[1] = lines[1].replace(";F;", ";Donna;")
    with translation.override("en"):
        run(PersonResource(), "\r\n".join(lines).encode("cp1252"))
    assert sorted(Person.objects.values_list("gender", flat=True)) == ["F", "F"]


def test_bulk_insert_writes_entries_as_a_save_would_and_refuses_rows_with_a_key(django_user_model):
    """``activitycr.bulk.insert`` (COPY on PostgreSQL, executemany on SQLite) writes what
    ``save()`` writes: JSON with quotes and accents, aware dates, foreign keys, nulls."""
    from activitycr import bulk

    user = django_user_model.objects.create_user("bulk", password="x" * 20)
    person_type = ContentType.objects.get_for_model(Person)
    when = timezone.make_aware(dt.datetime(2026, 3, 28, 23, 30))  # the day before UTC+2
    changes = {"cognome": ["None", 'D\'Angelo "Nicolò"\t\\'], "note": ["None", "a\nb"]}

    def entry(i: int) -> LogEntry:
        return LogEntry(
            content_type=person_type, object_pk=str(i), object_id=i, object_repr=f"#{i}",
            action=LogEntry.Action.CREATE, changes=changes, actor=user if i % 2 else None,
            timestamp=when, additional_data=None,
        )  # fmt: skip

    saved = entry(1)
    saved.save()
    bulk.insert([entry(2), entry(3)])
    rows = list(
        LogEntry.objects.filter(object_id__in=[1, 2, 3])
        .order_by("object_id")
        .values("object_pk", "changes", "actor_id", "timestamp", "additional_data", "action")
    )
    assert [r["object_pk"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["changes"] == rows[0]["changes"] == changes
    assert rows[2]["actor_id"] == user.pk and rows[1]["actor_id"] is None
    assert {r["timestamp"] for r in rows} == {when}
    assert rows[1]["additional_data"] == rows[0]["additional_data"]
    with pytest.raises(ValueError, match="automatic key"):
        bulk.insert([saved])
    bulk.insert([])  # nothing to write, no query


def test_bulk_create_gives_the_rows_the_keys_the_database_keeps(django_user_model):
    """``activitycr.bulk.create`` takes the keys first (the sequence on PostgreSQL, after the
    largest ever given on SQLite) and sets them; a later save takes the next one."""
    from activitycr import bulk

    person_type = ContentType.objects.get_for_model(Person)

    def entry(i: int) -> LogEntry:
        return LogEntry(
            content_type=person_type, object_pk=str(i), object_id=i, object_repr=f"#{i}",
            action=LogEntry.Action.CREATE, changes={"n": i},
        )  # fmt: skip

    first = entry(0)
    first.save()
    deleted = first.pk
    first.delete()  # its key is not given again
    batch = [entry(i) for i in range(1, 4)]
    assert bulk.create(batch)
    keys = [e.pk for e in batch]
    assert len(set(keys)) == 3 and min(keys) > deleted
    assert all(not e._state.adding for e in batch)
    assert dict(LogEntry.objects.filter(pk__in=keys).values_list("pk", "object_id")) == {
        e.pk: e.object_id for e in batch
    }
    later = entry(4)
    later.save()
    assert later.pk > max(keys)


@pytest.mark.parametrize("rows", [600, 40])
def test_a_large_file_refreshes_the_planners_statistics_on_postgresql(rows):
    """A file of more keys than one query reads (500) runs ANALYZE on the people and intakes
    tables first, on PostgreSQL: rows written by the previous file (or earlier in the same
    transaction) are in no statistics yet, and the lookups would read whole tables."""
    with CaptureQueriesContext(connection) as queries:
        run(PersonResource(), people_file(rows), dry_run=True)
    analyzed = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql" and rows > 500:
        assert analyzed == [
            'ANALYZE (SKIP_LOCKED) "casework_person"',
            'ANALYZE (SKIP_LOCKED) "casework_intake"',
        ]
    else:
        assert analyzed == []
