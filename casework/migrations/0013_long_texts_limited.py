"""Long free texts limited (issue 10 item 11): notes, needs and closure notes at most 2000
characters, the cross-desk explanation 1000, in the model and in the database. SQLite
rebuilds the tables, so the guards (casework/guards.py) come off first and back after."""

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

from casework import guards


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0012_activity_name_en"),
        ("sportelli", "0004_comune_is_rural"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(guards.uninstall, guards.install),
        migrations.AlterField(
            model_name="crossdesktakein",
            name="note",
            field=models.TextField(
                blank=True,
                max_length=1000,
                validators=[django.core.validators.MaxLengthValidator(1000)],
                verbose_name="spiegazione",
            ),
        ),
        migrations.AlterField(
            model_name="intake",
            name="closure_note",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="nota di chiusura",
            ),
        ),
        migrations.AlterField(
            model_name="intake",
            name="needs",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="bisogni espressi",
            ),
        ),
        migrations.AlterField(
            model_name="meeting",
            name="notes",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="note",
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="notes",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="note",
            ),
        ),
        migrations.AddConstraint(
            model_name="crossdesktakein",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("note"), 1000
                ),
                name="casework_crossdesk_note_length",
                violation_error_message="Il testo supera i 1000 caratteri consentiti.",
            ),
        ),
        migrations.AddConstraint(
            model_name="intake",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("needs"), 2000
                ),
                name="casework_intake_needs_length",
                violation_error_message="Il testo supera i 2000 caratteri consentiti.",
            ),
        ),
        migrations.AddConstraint(
            model_name="intake",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("closure_note"), 2000
                ),
                name="casework_intake_closure_note_length",
                violation_error_message="Il testo supera i 2000 caratteri consentiti.",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("notes"), 2000
                ),
                name="casework_meeting_notes_length",
                violation_error_message="Il testo supera i 2000 caratteri consentiti.",
            ),
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("notes"), 2000
                ),
                name="casework_referral_notes_length",
                violation_error_message="Il testo supera i 2000 caratteri consentiti.",
            ),
        ),
        migrations.RunPython(guards.install, guards.uninstall),
    ]
