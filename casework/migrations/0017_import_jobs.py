"""Background imports (issue 12 item 5): casework.ImportJob, see casework/importjobs.py."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0016_review_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("model", models.CharField(max_length=100, verbose_name="tipo di dati")),
                ("resource", models.CharField(max_length=200, verbose_name="risorsa")),
                ("file_name", models.CharField(max_length=64, verbose_name="file")),
                ("file_format", models.CharField(max_length=10, verbose_name="formato")),
                ("language", models.CharField(default="it", max_length=10, verbose_name="lingua")),
                (
                    "phase",
                    models.CharField(
                        choices=[("preview", "Controllo del file"), ("import", "Importazione")],
                        default="preview",
                        max_length=10,
                        verbose_name="fase",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "In coda"),
                            ("running", "In corso"),
                            ("done", "Terminato"),
                            ("failed", "Non riuscito"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="stato",
                    ),
                ),
                ("rows_total", models.PositiveIntegerField(default=0, verbose_name="righe")),
                ("rows_done", models.PositiveIntegerField(default=0, verbose_name="righe lette")),
                ("report", models.JSONField(blank=True, null=True, verbose_name="esito")),
                ("message", models.TextField(blank=True, verbose_name="messaggio")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="creato il")),
                (
                    "queued_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="in coda dal"
                    ),
                ),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="iniziato il"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="terminato il"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="utente",
                    ),
                ),
            ],
            options={
                "verbose_name": "importazione in background",
                "verbose_name_plural": "importazioni in background",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("phase__in", ["preview", "import"])),
                        name="casework_importjob_phase_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("state__in", ["queued", "running", "done", "failed"])),
                        name="casework_importjob_state_valid",
                    ),
                ],
            },
        ),
    ]
