"""The four desks of Activity.Cr (DESIGN.md). Opening dates that are not known exactly are
left empty with a note; administrators complete them in Django admin."""

import datetime as dt

from django.db import migrations

DESKS = [
    (
        "Casalmaggiore",
        "casalmaggiore",
        "B898",
        dt.date(2021, 1, 28),
        "Municipio, piano terra. Primo sportello aperto.",
        "Municipio, piano terra",
    ),
    (
        "Piadena Drizzona",
        "piadena-drizzona",
        "M418",
        None,
        "Aperto tra febbraio e aprile 2021: data esatta da completare.",
        "",
    ),
    (
        "San Giovanni in Croce",
        "san-giovanni-in-croce",
        "H918",
        None,
        "Aperto tra febbraio e aprile 2021: data esatta da completare.",
        "",
    ),
    (
        "Gussola",
        "gussola",
        "E272",
        dt.date(2021, 4, 1),
        "Aperto nell'aprile 2021 (giorno non noto): il quarto e ultimo sportello.",
        "",
    ),
]


def seed(apps, schema_editor):
    Comune = apps.get_model("sportelli", "Comune")
    Desk = apps.get_model("sportelli", "Desk")
    for name, slug, code, opened_on, note, address in DESKS:
        comune = Comune.objects.get(code=code)
        Desk.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "comune": comune,
                "opened_on": opened_on,
                "opening_note": note,
                "address": address,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("sportelli", "Desk").objects.filter(slug__in=[d[1] for d in DESKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("sportelli", "0002_load_territory")]
    operations = [migrations.RunPython(seed, unseed)]
