"""The operators' search column: ``Person.search_key`` ("surname name cf", lowercase,
accents stripped), filled for existing rows. On PostgreSQL a trigram index serves the
partial (``LIKE '%...%'``) search; SQLite scans the column."""

import unicodedata

from django.db import migrations, models


def _search_text(value):
    decomposed = unicodedata.normalize("NFKD", value or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def fill_search_key(apps, schema_editor):
    Person = apps.get_model("casework", "Person")
    batch = []
    for person in Person.objects.only("id", "last_name", "first_name", "fiscal_code").iterator(
        chunk_size=2000
    ):
        person.search_key = _search_text(
            f"{person.last_name} {person.first_name} {person.fiscal_code or ''}"
        )
        batch.append(person)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["search_key"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["search_key"])


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS casework_person_search_trgm ON casework_person "
        "USING gin (search_key gin_trgm_ops);"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS casework_person_search_trgm;")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_roles"),
        ("sportelli", "0003_seed_desks"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="search_key",
            field=models.CharField(
                blank=True, editable=False, max_length=240, verbose_name="chiave di ricerca"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["search_key"], name="casework_person_search_idx"),
        ),
        migrations.RunPython(fill_search_key, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
