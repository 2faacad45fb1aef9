"""Seed the project partners and the meeting activities."""

from django.db import migrations

PARTNERS = [
    ("Mestieri Lombardia", "agenzia"),
    ("Energheia Impresa Sociale", "impresa_sociale"),
    ("SIL Con.Ca.S.S.", "servizio_pubblico"),
]

ACTIVITIES = [
    ("orientamento", "Orientamento"),
    ("bilancio-competenze", "Bilancio delle competenze"),
    ("cv", "Curriculum vitae e lettera di presentazione"),
    ("canali-ricerca", "Canali di ricerca del lavoro"),
    ("preparazione-colloquio", "Preparazione al colloquio di lavoro"),
    ("info-corsi", "Informazioni su corsi di formazione"),
    ("info-misure", "Informazioni su misure attive (GOL, Dote Unica, Garanzia Giovani)"),
    ("candidatura", "Accompagnamento a una candidatura"),
]


def seed(apps, schema_editor):
    Partner = apps.get_model("casework", "Partner")
    Activity = apps.get_model("casework", "Activity")
    for name, kind in PARTNERS:
        Partner.objects.get_or_create(name=name, defaults={"kind": kind})
    for code, name in ACTIVITIES:
        Activity.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_guards")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
