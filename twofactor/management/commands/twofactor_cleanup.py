"""Delete unconfirmed TOTP devices: ``python manage.py twofactor_cleanup [--hours 24]``.

The enrolment page no longer creates devices before they are confirmed, and every login
removes the user's own; this sweeps the rest (devices left by older versions for accounts
that never log in again, or added unconfirmed in admin), and the forms sent after a session
expired that nobody came back for within 15 minutes. Run it daily from cron, with
``anonymise``.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from twofactor import pending
from twofactor.services import remove_unconfirmed_devices


class Command(BaseCommand):
    help = "Elimina i dispositivi TOTP mai confermati."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help="Solo quelli creati da almeno tante ore (predefinito: 24).",
        )

    def handle(self, *args: object, hours: int, **options: object) -> None:
        count = remove_unconfirmed_devices(older_than=dt.timedelta(hours=max(hours, 0)))
        self.stdout.write(f"Dispositivi non confermati eliminati: {count}")
        # Forms sent after a session expired, never picked up (twofactor/pending.py).
        self.stdout.write(f"Moduli in sospeso scaduti eliminati: {pending.sweep()}")
