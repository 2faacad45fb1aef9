"""The meeting activities get an English name, shown in English mode; the seeded ones
(0003) are translated here, administrators complete any they added."""

from django.db import migrations, models

ENGLISH = {
    "orientamento": "Guidance",
    "bilancio-competenze": "Skills assessment",
    "cv": "CV and cover letter",
    "canali-ricerca": "Job search channels",
    "preparazione-colloquio": "Job interview preparation",
    "info-corsi": "Information on training courses",
    "info-misure": "Information on active measures (GOL, Dote Unica, Garanzia Giovani)",
    "candidatura": "Support with a job application",
}


def translate(apps, schema_editor):
    Activity = apps.get_model("casework", "Activity")
    for code, name_en in ENGLISH.items():
        Activity.objects.filter(code=code, name_en="").update(name_en=name_en)


class Migration(migrations.Migration):
    dependencies = [("casework", "0011_guards_desk_opening_and_closure")]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="name_en",
            field=models.CharField(blank=True, max_length=120, verbose_name="nome in inglese"),
        ),
        migrations.RunPython(translate, migrations.RunPython.noop),
    ]
