"""``manage.py demo_data``: synthetic people, intakes, meetings and referrals, plus the demo
logins (an operator per desk, a two-desk operator, the Ufficio di Piano, an administrator),
printed at the end of every run. See ``devtools/demo/``."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from casework.models import Person
from devtools import demo
from devtools.demo.follow_through import add_follow_through


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("Data non valida: %(value)s (usare AAAA-MM-GG).") % {"value": value}
        ) from exc


def _it(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


class Command(BaseCommand):
    help = _(
        "Crea dati dimostrativi realistici (persone, prese in carico, colloqui, invii) e gli "
        "accessi demo, uno per ruolo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--meetings",
            type=int,
            default=None,
            help=_(
                "Numero di colloqui (predefinito: quanti ne servono per coprire ogni trimestre "
                "dall'apertura del primo sportello a ieri, con la densità dell'articolo)."
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=2021, help=_("Seme casuale (predefinito 2021).")
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Non crea dati se esistono già persone (gli accessi demo sì)."),
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help=_("Cancella prima persone, prese in carico, colloqui e invii esistenti."),
        )
        parser.add_argument("--start", type=_date, help=_("Prima data delle prese in carico."))
        parser.add_argument(
            "--end", type=_date, help=_("Ultima data (predefinita: ieri, o prima se bastano).")
        )

    def handle(self, *args, **options) -> None:
        try:
            demo.refuse_in_production()
            if options["flush"]:
                deleted = demo.flush()
                self.stdout.write(_("Cancellati: %(n)d righe.") % {"n": sum(deleted.values())})
            demo.ensure_demo_logins()
            if options["if_empty"] and Person.objects.exists():
                self.stdout.write(_("Ci sono già dati: nessun dato dimostrativo aggiunto."))
            else:
                self._generate(options)
        except demo.DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._print_logins()

    def _generate(self, options: dict) -> None:
        verbose = options["verbosity"] >= 2

        def progress(result: demo.DemoResult) -> None:
            if verbose:
                self.stdout.write(
                    _("… %(people)d persone, %(meetings)d colloqui (%(seconds).0f s)")
                    % {
                        "people": result.people,
                        "meetings": result.meetings,
                        "seconds": result.seconds,
                    }
                )

        result = demo.generate(
            meetings=options["meetings"],
            seed=options["seed"],
            start=options["start"],
            end=options["end"],
            progress=progress,
        )
        booked, exits, answers = add_follow_through(seed=options["seed"])
        self.stdout.write(
            _(
                "Seguito: %(booked)d appuntamenti prenotati, %(exits)d situazioni in uscita, "
                "%(answers)d risposte a sei mesi."
            )
            % {"booked": booked, "exits": exits, "answers": answers}
        )
        if verbose:
            self.stdout.write(
                _("Conferma della transazione e statistiche: %(seconds).1f s")
                % {"seconds": result.finish_seconds}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Creati %(people)d persone (%(no_cf)d senza codice fiscale), %(intakes)d "
                    "prese in carico, %(meetings)d colloqui, %(referrals)d invii; prese in "
                    "carico dal %(start)s al %(end)s; %(seconds).1f s."
                )
                % {
                    "people": result.people,
                    "no_cf": result.without_cf,
                    "intakes": result.intakes,
                    "meetings": result.meetings,
                    "referrals": result.referrals,
                    "start": _it(result.start),
                    "end": _it(result.end),
                    "seconds": result.seconds,
                }
            )
        )

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            _("Accessi demo (password per tutti: %(password)s)") % {"password": demo.DEMO_PASSWORD}
        )
        for login in demo.DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<18} {demo.describe_login(login)}")
