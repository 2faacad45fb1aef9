"""Issue a one-time enrolment code from the console: ``python manage.py enrolment_code admin``.

With ``TWO_FACTOR_ENROLMENT_CODE_REQUIRED=true`` a user enrols an authenticator app only with
a code an administrator issued (in admin: *Codici di attivazione › Aggiungi*, or the action on
the user list). The first administrator of a new installation cannot reach admin without a
second factor, so their code comes from here. The code is printed once; only its hash is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from twofactor.services import issue_enrolment_code


class Command(BaseCommand):
    help = "Rilascia un codice di attivazione del secondo fattore per un utente."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, username: str, **options: object) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username}, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"Nessun utente attivo con nome {username!r}.") from exc
        code, plain = issue_enrolment_code(user=user, issued_by=None)
        expires = timezone.localtime(code.expires_at).strftime("%d/%m/%Y %H:%M")
        self.stdout.write(f"Codice di attivazione per {username}: {plain}")
        self.stdout.write(f"Vale una volta sola, fino al {expires}.")
        if not settings.TWO_FACTOR_ENROLMENT_CODE_REQUIRED:
            self.stdout.write(
                "Nota: TWO_FACTOR_ENROLMENT_CODE_REQUIRED è spento, la pagina di attivazione "
                "non chiede il codice."
            )
