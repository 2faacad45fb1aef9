"""PostgreSQL: covering indexes for the quarterly review (issue 11 item 11), so that a
quarter's review reads what the quarter holds, not the whole history.

* ``casework_meeting_period_idx`` — the meetings held in a period with what the review
  counts (their intake, attendance, mode, id): read from the index alone (index-only scan);
* ``casework_intake_desk_of_idx`` — an intake's desk and opening day by its id: a meeting or
  referral of the period finds its intake's desk with one index probe, instead of a hash
  join that reads every intake ever opened;
* ``casework_intake_period_idx`` — the intakes opened in a period with person, desk and id:
  "is there an earlier intake of this person in the period?" (each person's first intake)
  from the index alone.

Index-only scans need the visibility map, which autovacuum keeps. (SQLite has no INCLUDE:
its plain indexes of 0001 serve there.)"""

from django.db import migrations

INDEXES = {
    "casework_meeting_period_idx": "casework_meeting (held_on) INCLUDE (intake_id, attended, mode, id)",
    "casework_intake_desk_of_idx": "casework_intake (id) INCLUDE (desk_id, opened_on)",
    "casework_intake_period_idx": "casework_intake (opened_on) INCLUDE (person_id, desk_id, id)",
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition};")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("casework", "0014_normalise_phones")]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
