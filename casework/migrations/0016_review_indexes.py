"""PostgreSQL: covering indexes for the quarterly review (issue 11 item 11), so that a
quarter's review reads what the quarter holds, not the whole history.

* ``casework_meeting_date_idx`` is rebuilt covering (same name, same key, ``INCLUDE``): the
  meetings held in a period with what the review counts (intake, attendance, mode, id) are
  read from the index alone (an index-only scan), not from the table's pages;
* ``casework_intake_date_idx`` likewise with person, desk and id: the period's intakes, and
  "is there an earlier intake of this person in the period?" (each person's first intake);
* ``casework_intake_desk_of_idx`` (new): an intake's desk and opening day by its id, so that
  a meeting or referral of the period finds its intake's desk with one index probe instead
  of a hash join over every intake ever opened.

Index-only scans need the visibility map, which autovacuum keeps. SQLite has no INCLUDE
(and reads an intake by its rowid): its plain indexes of 0001 stay as they are. The model
state does not change (Django does not describe INCLUDE for these two names), so
``makemigrations`` has nothing to add."""

from django.db import migrations

COVERING = {
    "casework_meeting_date_idx": (
        "casework_meeting (held_on) INCLUDE (intake_id, attended, mode, id)",
        "casework_meeting (held_on)",
    ),
    "casework_intake_date_idx": (
        "casework_intake (opened_on) INCLUDE (person_id, desk_id, id)",
        "casework_intake (opened_on)",
    ),
}
DESK_OF = "casework_intake_desk_of_idx"


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (covering, _plain) in COVERING.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name};")
        schema_editor.execute(f"CREATE INDEX {name} ON {covering};")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {DESK_OF} ON casework_intake (id) "
        "INCLUDE (desk_id, opened_on);"
    )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {DESK_OF};")
    for name, (_covering, plain) in COVERING.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {name};")
        schema_editor.execute(f"CREATE INDEX {name} ON {plain};")


class Migration(migrations.Migration):
    dependencies = [("casework", "0015_search_key_joined_names")]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
