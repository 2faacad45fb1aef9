"""``manage.py sweep_imports``: remove the files of abandoned import previews, and the old
background imports with their reports.

An uploaded import file waits in ``IMPORT_TMP_DIR`` for its confirmation; a preview never
confirmed leaves it there. A background import (``casework/importjobs.py``) keeps its
report, which holds rows of the file, until it is swept with its files. Every import sweeps
the old ones too; run this from cron (hourly) so that they also go when nobody imports.
Prints only the numbers removed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from casework import importjobs
from casework.resources import files


class Command(BaseCommand):
    help = _(
        "Rimuove i file di importazione non confermati e le importazioni in background "
        "più vecchi di IMPORT_TMP_MAX_AGE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-age",
            type=int,
            default=None,
            help=_("Età minima in secondi (predefinita: IMPORT_TMP_MAX_AGE)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = importjobs.sweep(options["max_age"])  # first: their files go with them
        removed = files.sweep(options["max_age"])
        self.stdout.write(_("File di importazione rimossi: %(n)d.") % {"n": removed})
        self.stdout.write(_("Importazioni in background rimosse: %(n)d.") % {"n": jobs})
