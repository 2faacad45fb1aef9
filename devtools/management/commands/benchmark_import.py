"""Speed of the admin's import, per pass, on the current database.

    python manage.py benchmark_import [--rows 2000 20000 100000]

For each size: writes three csv files as Italian Excel writes them (semicolons,
Windows-1252) — people keyed by codice fiscale, their intakes and one meeting each, keyed
by codice fiscale + desk + intake date, no internal id anywhere — then times both passes
of each file as the admin runs them: the preview (read the bytes, ``import_data`` dry run)
and the confirmation (read again, ``import_data`` for real). Every row goes through the
same validation as the forms and into the audit trail. Prints rows per second for each
pass; the target (issue 12) is at least 2,000 rows a second. Everything is rolled back at
the end: the database is left as it was.

As production runs it: ``DEBUG`` off; what a server process loads once (the codici
fiscali's places, the phone numbering plans) loaded by a 10-row import timed apart; on
PostgreSQL the tables vacuumed before each size (the previous size's rolled-back rows);
sizes up to 5,000 rows run three times, the median printed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import statistics
import time
from typing import Any

from auditlog.models import LogEntry
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import override_settings
from import_export.resources import ModelResource

from casework import fiscal_code
from casework.models import Intake, Meeting, Person, PrivacyAcknowledgement
from casework.resources import IntakeResource, MeetingResource, PersonResource, row_errors
from casework.resources.files import read_csv
from sportelli.models import Comune

TARGET = 2000.0
SMALL = 5000
_SURNAMES = ["Rossi", "Bianchi", "Ferrari", "Galli", "Bernardi", "Superti", "Ghisolfi", "Lodi",
             "Rizzini", "Pezzali", "Gorni", "Bodini", "Tosi", "Mori", "Conti", "Negri"]  # fmt: skip
_NAMES = {"F": ["Anna", "Giulia", "Sara", "Chiara", "Elena", "Marta"],
          "M": ["Marco", "Luca", "Paolo", "Davide", "Nicolò", "Andrea"]}  # fmt: skip


class _Rollback(Exception):
    pass


def _csv(rows: list[list[str]]) -> bytes:
    return "\r\n".join(";".join(r) for r in rows).encode("cp1252")


def make_files(n: int, seed: int = 12) -> dict[str, bytes]:
    rng = random.Random(seed)
    places = list(Comune.objects.filter(province="CR").values_list("code", "name")[:100])
    desks = ["Casalmaggiore", "Gussola", "Piadena Drizzona"]
    people = [
        [
            "codice_fiscale", "cognome", "nome", "data_nascita", "genere", "comune_residenza",
            "cittadinanza", "titolo_studio", "telefono", "informativa_firmata_il",
        ]
    ]  # fmt: skip
    intakes = [
        [
            "codice_fiscale", "sportello", "data_presa_in_carico", "canale",
            "bisogno_principale", "condizione_occupazionale",
        ]
    ]  # fmt: skip
    meetings = [
        ["codice_fiscale", "sportello", "data_presa_in_carico", "data", "modalita", "attivita"]
    ]
    seen: set[str] = set()
    counter = itertools.count()
    while len(seen) < n:
        i = next(counter)
        sex: fiscal_code.Sex = "F" if i % 2 else "M"
        last = _SURNAMES[rng.randrange(len(_SURNAMES))]
        first = _NAMES[sex][rng.randrange(6)]
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        code, place = places[rng.randrange(len(places))]
        cf = fiscal_code.encode(
            last_name=last, first_name=first, birth_date=birth, sex=sex, place_code=code
        )
        if cf in seen:
            continue
        seen.add(cf)
        opened = dt.date(2022, 1, 3) + dt.timedelta(days=rng.randrange(900))
        desk = desks[rng.randrange(len(desks))]
        people.append(
            [cf, last, first, f"{birth:%d/%m/%Y}", sex, place, "IT", "diploma",
             f"0375 {rng.randrange(100000, 999999)}", f"{opened:%d/%m/%Y}"]
        )  # fmt: skip
        intakes.append(
            [cf, desk, f"{opened:%d/%m/%Y}", "spontaneo", "ricerca_attiva", "disoccupato"]
        )
        held = opened + dt.timedelta(days=7)
        meetings.append([cf, desk, f"{opened:%d/%m/%Y}", f"{held:%d/%m/%Y}", "presenza", "cv"])
    return {"persone": _csv(people), "prese in carico": _csv(intakes), "colloqui": _csv(meetings)}


class Command(BaseCommand):
    help = "Times the admin import's preview and confirmation at several sizes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, nargs="+", default=[2000, 20000, 100000])

    def handle(self, *args: Any, **options: Any) -> None:
        # As in production: with DEBUG on, Django keeps every query's text, which psycopg
        # then renders with its values (about a tenth of a confirmation's time).
        with override_settings(DEBUG=False):
            self.run(options["rows"])

    def run(self, sizes: list[int]) -> None:
        vendor = connection.vendor
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        self.stdout.write(
            f"database: {vendor}; DEBUG off; load average: {load}; cores: {os.cpu_count()}"
        )
        # What a server process loads once, at its first import (the codici fiscali's
        # places, the phone numbering plans, the translations): timed apart, then the sizes.
        started = time.perf_counter()
        self.measure(10, seed=1)
        warm_up = time.perf_counter() - started
        self.stdout.write("| righe | file | anteprima (righe/s) | conferma (righe/s) |")
        self.stdout.write("|---:|---|---:|---:|")
        for n in sizes:
            # A pass of a small file lasts about a second: one run is mostly noise. Those
            # are run three times and the median is printed.
            runs = [self.measure(n) for _ in range(3 if n <= SMALL else 1)]
            for i, (label, _p, _c) in enumerate(runs[0]):
                preview = statistics.median(run[i][1] for run in runs)
                confirm = statistics.median(run[i][2] for run in runs)
                self.stdout.write(
                    f"| {n:,} | {label} | {preview:,.0f} | {confirm:,.0f} |".replace(",", ".")
                )
        self.stdout.write(f"Sizes up to {SMALL:,}: median of three runs.".replace(",", "."))
        self.stdout.write(
            f"First import of a fresh process (10 rows of each file, both passes): "
            f"{warm_up:.2f} s, once, before the table."
        )

    def measure(self, n: int, seed: int = 12) -> list[tuple[str, float, float]]:
        """Rows a second of each file's preview and confirmation; everything rolled back."""
        files = make_files(n, seed)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Every run is rolled back, which leaves the rows it wrote as dead tuples, with
            # the same keys the next run writes again: each unique check would visit them
            # all. As autovacuum would between two real imports, clear them first.
            with connection.cursor() as cursor:
                for model in (Person, Intake, Meeting, Meeting.activities.through,
                              PrivacyAcknowledgement, LogEntry):  # fmt: skip
                    cursor.execute(
                        f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}"
                    )
        # Codici fiscali decoded are remembered from the preview to the confirmation; not
        # from one size to the next (the larger file begins with the smaller one's people).
        fiscal_code._decode.cache_clear()
        rates = []
        resources: tuple[type[ModelResource], ...] = (
            PersonResource,
            IntakeResource,
            MeetingResource,
        )
        try:
            with transaction.atomic():
                for (label, data), resource in zip(files.items(), resources, strict=True):
                    timings = []
                    for dry_run in (True, False):
                        started = time.perf_counter()
                        result = resource().import_data(read_csv(data), dry_run=dry_run)
                        timings.append(time.perf_counter() - started)
                        if result.has_errors() or result.has_validation_errors():
                            raise SystemExit(f"{label}: {row_errors(result)[:3]}")
                    preview, confirm = (n / t for t in timings)
                    rates.append((label, preview, confirm))
                raise _Rollback
        except _Rollback:
            pass
        return rates
