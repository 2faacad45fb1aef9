"""Long free texts limited (issue 10 item 11): notes, needs and closure notes at most 2000
characters, the cross-desk explanation 1000, in the model and in the database. SQLite
rebuilds the tables, so the guards (casework/guards.py) come off first and back after.

The first version accepted texts of any length. Before the limits hold, a longer text is
cut to the limit (ending in "…") and its whole text kept in the record's audit trail, as
an update by the system ("Testo accorciato al limite di … caratteri"): nothing is lost,
and the record's trail shows what was there."""

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Length
from django.utils import timezone

from casework import guards

# (model, field, limit): the texts limited below.
LIMITS = [
    ("crossdesktakein", "note", 1000),
    ("intake", "needs", 2000),
    ("intake", "closure_note", 2000),
    ("meeting", "notes", 2000),
    ("referral", "notes", 2000),
]


def shorten_overlong_texts(apps, schema_editor):
    """Cut what is over a limit, keeping the whole text in the audit trail."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    for model_name, field, limit in LIMITS:
        Model = apps.get_model("casework", model_name)
        rows = Model.objects.annotate(_length=Length(field)).filter(_length__gt=limit)
        if not rows.exists():
            continue
        content_type, _ = ContentType.objects.get_or_create(app_label="casework", model=model_name)
        for row in rows.only("pk", field).iterator(chunk_size=500):
            whole = getattr(row, field)
            cut = whole[: limit - 1] + "…"
            Model.objects.filter(pk=row.pk).update(**{field: cut})
            LogEntry.objects.create(
                content_type=content_type,
                object_pk=str(row.pk),
                object_id=row.pk,
                object_repr=f"#{row.pk}",
                action=1,  # update
                changes={field: [whole, cut]},
                changes_text=f"Testo accorciato al limite di {limit} caratteri",
                timestamp=timezone.now(),
                additional_data={"migration": "casework.0013_long_texts_limited"},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0012_activity_name_en"),
        ("sportelli", "0004_comune_is_rural"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(guards.uninstall, guards.install),
        migrations.RunPython(shorten_overlong_texts, migrations.RunPython.noop),
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
