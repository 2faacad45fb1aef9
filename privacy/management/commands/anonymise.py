"""Anonymise the people past the retention period, or one person on request (erasure).

manage.py anonymise                        # RETENTION_YEARS from the settings
manage.py anonymise --older-than-years 10 --dry-run
manage.py anonymise --person 123           # erasure on request, whatever the dates
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from casework.models import Person
from privacy import services


class Command(BaseCommand):
    help = "Anonimizza le persone oltre il periodo di conservazione (o una persona su richiesta)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-years",
            type=int,
            default=None,
            help="Anni dalla chiusura dell'ultimo caso (predefinito: RETENTION_YEARS).",
        )
        parser.add_argument("--person", type=int, help="Id della persona da anonimizzare.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Conta soltanto, non modifica nulla."
        )

    def handle(self, *args, **options) -> None:
        if options["person"] is not None:
            person = Person.objects.filter(pk=options["person"]).first()
            if person is None:
                raise CommandError(f"Nessuna persona con id {options['person']}.")
            if not options["dry_run"]:
                services.anonymise_person(person=person)
            self.stdout.write(f"Persona {person.pk} anonimizzata.")
            return
        years = options["older_than_years"] or settings.RETENTION_YEARS
        if years < 1:
            raise CommandError("--older-than-years deve essere almeno 1.")
        ids = services.anonymise_expired(
            years=years, today=timezone.localdate(), dry_run=options["dry_run"]
        )
        verb = "da anonimizzare" if options["dry_run"] else "anonimizzate"
        self.stdout.write(f"Persone {verb} (casi chiusi da almeno {years} anni): {len(ids)}")
