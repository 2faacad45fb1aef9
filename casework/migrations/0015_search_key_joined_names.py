"""The operators' search finds "De Santis" by "desantis" and "D'Alessandro" by "dalessandro":
``Person.search_key`` gains each name of several words written as one, and typographic
apostrophes read as "'". Rebuilt for every person (the same function as the model's, copied
here as migrations must not import it)."""

import unicodedata

from django.db import migrations

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _search_text(value):
    decomposed = unicodedata.normalize("NFKD", value or "").translate(_APOSTROPHES)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _key(last_name, first_name, fiscal_code):
    key = _search_text(f"{last_name} {first_name} {fiscal_code or ''}")
    joined = []
    for name in (last_name, first_name):
        words = _search_text(name).replace("'", " ").replace("-", " ").split()
        if len(words) > 1:
            joined.append("".join(words))
    return " ".join([key, *joined])[:240].rstrip()


def rebuild_search_keys(apps, schema_editor):
    Person = apps.get_model("casework", "Person")
    batch = []
    people = Person.objects.only("id", "last_name", "first_name", "fiscal_code", "search_key")
    for person in people.iterator(chunk_size=2000):
        key = _key(person.last_name, person.first_name, person.fiscal_code)
        if key != person.search_key:
            person.search_key = key
            batch.append(person)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["search_key"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["search_key"])


class Migration(migrations.Migration):
    dependencies = [("casework", "0014_normalise_phones")]

    operations = [migrations.RunPython(rebuild_search_keys, migrations.RunPython.noop)]
