"""Everything held about one person (GDPR art. 15 access request), as JSON.

manage.py subject_access 123                   # to standard output
manage.py subject_access 123 --output p123.json
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from casework.models import Person
from privacy import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Esporta in JSON tutti i dati conservati su una persona (richiesta di accesso)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_id", type=int)
        parser.add_argument("--output", type=Path, help="File JSON da scrivere.")

    def handle(self, *args, **options) -> None:
        person = Person.objects.filter(pk=options["person_id"]).first()
        if person is None:
            raise CommandError(f"Nessuna persona con id {options['person_id']}.")
        data = services.subject_access_data(person=person)
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        logger.info("subject access export of person id=%s (command)", person.pk)
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Scritto {options['output']}")
        else:
            self.stdout.write(text)
