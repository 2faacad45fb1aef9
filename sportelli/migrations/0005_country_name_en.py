"""Country names as a reader expects them ("Perù", "Costa d'Avorio"), with their English
names (sportelli.territory.italian_name / english_name)."""

from django.db import migrations, models


def rename(apps, schema_editor):
    from sportelli import territory

    territory.load_countries(apps.get_model("sportelli", "Country"))


class Migration(migrations.Migration):
    dependencies = [("sportelli", "0004_comune_is_rural")]

    operations = [
        migrations.AddField(
            model_name="country",
            name="name_en",
            field=models.CharField(blank=True, max_length=100, verbose_name="nome in inglese"),
        ),
        migrations.RunPython(rename, migrations.RunPython.noop),
    ]
