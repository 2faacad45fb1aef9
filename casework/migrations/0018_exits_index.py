"""The review's ESF+ results at exit (issue 11 item 11): the intakes closed in a quarter are
read through an index of closing dates, not by a scan of every intake ever opened. Partial
(open intakes have no closing date); both databases use it for a closing-date range."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casework", "0017_import_jobs")]

    operations = [
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                condition=models.Q(("closed_on__isnull", False)),
                fields=["closed_on"],
                name="casework_intake_closed_idx",
            ),
        ),
    ]
