"""The privacy notice and its acknowledgement move here from the ``privacy`` app
(``privacy/migrations/0003`` lets them go), without touching the database: same tables
(``db_table``), same rows, same constraints.

Their content types are renamed from ``privacy`` to ``casework`` rather than created anew,
so everything that points at them keeps pointing at them: the permissions and the roles'
grants of them (``privacy.handle_data_requests`` is now ``casework.handle_data_requests``,
the same row), the audit trail and Django's admin log.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("privacynotice", "privacyacknowledgement")


def rename_content_types(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            # Made by something that ran the new code before this migration: which rows
            # point at it cannot be guessed, so a person must merge the two by hand.
            raise RuntimeError(
                f"Content type {target}.{model} exists already: merge it into "
                f"{source}.{model} (permissions, log entries) and migrate again."
            )
        ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    rename_content_types(apps, schema_editor, source="privacy", target="casework")


def backwards(apps, schema_editor):
    rename_content_types(apps, schema_editor, source="casework", target="privacy")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0009_intake_submission_token"),
        ("privacy", "0003_notice_and_acknowledgement_moved_to_casework"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PrivacyNotice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "version",
                            models.CharField(max_length=20, unique=True, verbose_name="versione"),
                        ),
                        ("text", models.TextField(verbose_name="testo")),
                        ("valid_from", models.DateField(verbose_name="in vigore dal")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="creata il"),
                        ),
                    ],
                    options={
                        "verbose_name": "informativa privacy",
                        "verbose_name_plural": "informative privacy",
                        "db_table": "privacy_privacynotice",
                        "ordering": ["-valid_from", "-id"],
                        "permissions": [
                            (
                                "handle_data_requests",
                                "Può gestire le richieste degli interessati (accesso, "
                                "cancellazione)",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("text", ""), _negated=True),
                                name="privacy_notice_text_not_empty",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PrivacyAcknowledgement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("acknowledged_on", models.DateField(verbose_name="data")),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("presenza", "In presenza"),
                                    ("telefono", "Telefono"),
                                    ("email", "E-mail"),
                                    ("video", "Videochiamata"),
                                ],
                                max_length=10,
                                verbose_name="modalità",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="registrata il"),
                        ),
                        (
                            "operator",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="operatore",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="privacy_acknowledgements",
                                to="casework.person",
                                verbose_name="persona",
                            ),
                        ),
                        (
                            "notice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="acknowledgements",
                                to="casework.privacynotice",
                                verbose_name="informativa",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "presa visione dell'informativa",
                        "verbose_name_plural": "prese visione dell'informativa",
                        "db_table": "privacy_privacyacknowledgement",
                        "ordering": ["-acknowledged_on", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("person", "notice"),
                                name="privacy_one_ack_per_notice",
                                violation_error_message=(
                                    "La presa visione di questa versione dell'informativa "
                                    "è già registrata."
                                ),
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("channel__in", ["presenza", "telefono", "email", "video"])
                                ),
                                name="privacy_ack_channel_valid",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
