"""PostgreSQL: an index on ``search_key COLLATE "C"`` for the operators' search. A name
prefix is then a byte range read in order from the index, stopping at the page size however
many people share a common surname. (SQLite compares BINARY by default: the plain index of
0005 already does this there.)"""

from django.db import migrations


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS casework_person_search_c ON casework_person "
        '(search_key COLLATE "C");'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS casework_person_search_c;")


class Migration(migrations.Migration):
    dependencies = [("casework", "0005_person_search_key")]

    operations = [migrations.RunPython(add_index, drop_index)]
