"""Load ISTAT's comuni and the foreign states, and flag the 17 Con.Ca.S.S. comuni."""

from django.db import migrations


def load(apps, schema_editor):
    from sportelli import territory

    territory.load(apps.get_model("sportelli", "Comune"), apps.get_model("sportelli", "Country"))


class Migration(migrations.Migration):
    dependencies = [("sportelli", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
