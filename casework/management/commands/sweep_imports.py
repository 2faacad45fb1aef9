"""``manage.py sweep_imports``: remove the files of abandoned import previews.

An uploaded import file waits in ``IMPORT_TMP_DIR`` for its confirmation; a preview never
confirmed leaves it there. Every import sweeps the old ones too; run this from cron (hourly)
so that they also go when nobody imports. Prints only the number removed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from casework.resources import files


class Command(BaseCommand):
    help = _("Rimuove i file di importazione non confermati più vecchi di IMPORT_TMP_MAX_AGE.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-age",
            type=int,
            default=None,
            help=_("Età minima in secondi (predefinita: IMPORT_TMP_MAX_AGE)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        removed = files.sweep(options["max_age"])
        self.stdout.write(_("File di importazione rimossi: %(n)d.") % {"n": removed})
