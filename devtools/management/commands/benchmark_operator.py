"""Server-side response times of the operator pages, on the current database.

    python manage.py benchmark_operator [--meetings 1000000] [--runs 50] [--warmup 5]

Makes sure the demo data has the requested size (``demo_data --flush`` when it differs),
then, as the demo operator of Casalmaggiore, times with ``django.test.Client`` (the whole
Django stack: middleware, session, view, queries, template; no network) the search (POST,
by surname prefix and by exact codice fiscale), the desk dashboard and the case page of the
person with the most meetings. Prints median, p95 and max wall-clock time over the runs
after a warm-up, the median CPU time of the Django process, the number of SQL queries of
one request and the load average. The target (issue 3) is under 100 ms each on PostgreSQL
with 1M meetings.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from casework.models import Intake, Meeting
from sportelli.models import Desk

OPERATOR = "op.casalmaggiore"
TARGET_MS = 100.0
# demo_data aims at the requested number of meetings; a size within this share counts as
# "the same size" and is not regenerated.
SIZE_TOLERANCE = 0.02


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    runs: int
    median_ms: float
    p95_ms: float
    max_ms: float
    cpu_ms: float
    db_cpu_ms: float | None
    queries: int

    @property
    def within_target(self) -> bool:
        return self.p95_ms < TARGET_MS


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def db_backend_cpu_ms() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend process, when the server
    runs on this machine (read from /proc; 10 ms resolution, so only totals are meaningful).
    """
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the name).
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def time_request(
    name: str, request: Callable[[], HttpResponseBase], *, runs: int, warmup: int
) -> Timing:
    for _ in range(warmup):
        check(name, request())
    with CaptureQueriesContext(connection) as ctx:
        check(name, request())
    # Read now: the next request empties the connection's query log.
    queries = len(ctx.captured_queries)
    samples: list[float] = []
    cpu: list[float] = []
    db_start = db_backend_cpu_ms()
    with override_settings(DEBUG=False):
        for _ in range(runs):
            cpu_start, start = time.process_time(), time.perf_counter()
            response = request()
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - cpu_start) * 1000)
            check(name, response)
    db_end = db_backend_cpu_ms()
    return Timing(
        name=name,
        runs=runs,
        median_ms=statistics.median(samples),
        p95_ms=percentile(samples, 95),
        max_ms=max(samples),
        cpu_ms=statistics.median(cpu),
        db_cpu_ms=None if db_start is None or db_end is None else (db_end - db_start) / runs,
        queries=queries,
    )


def results_url(client: Client, search_url: str, term: str) -> str:
    """The address of the results of ``term`` (the search's POST answers with it)."""
    response = client.post(search_url, {"q": term})
    if response.status_code != 302:
        raise CommandError(f"search POST: HTTP {response.status_code}, expected 302")
    return str(response["Location"])


def check(name: str, response: HttpResponseBase) -> None:
    if response.status_code != 200:
        raise CommandError(f"{name}: HTTP {response.status_code}, expected 200")


class Command(BaseCommand):
    help = "Time the operator search and dashboard (median/p95, query counts) on this database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--meetings", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=50)
        parser.add_argument("--warmup", type=int, default=5)
        parser.add_argument(
            "--no-generate",
            action="store_true",
            help="Measure whatever data is there; never run demo_data.",
        )

    def handle(self, *args, **options) -> None:
        meetings, runs, warmup = options["meetings"], options["runs"], options["warmup"]
        if runs < 1 or warmup < 0:
            raise CommandError("--runs must be at least 1 and --warmup at least 0.")
        existing = Meeting.objects.count()
        if not options["no_generate"] and abs(existing - meetings) > SIZE_TOLERANCE * meetings:
            self.stdout.write(
                f"The database holds {existing} meetings, not {meetings}: "
                f"running demo_data --meetings {meetings} --flush ..."
            )
            started = time.perf_counter()
            call_command("demo_data", meetings=meetings, flush=True, stdout=self.stdout)
            self.stdout.write(f"demo_data took {time.perf_counter() - started:.0f} s")

        user = get_user_model().objects.filter(username=OPERATOR).first()
        if user is None:
            raise CommandError(f"No user {OPERATOR!r}: load the demo data first (demo_data).")
        desk = Desk.objects.visible_to(user).order_by("opened_on", "name").first()
        if desk is None:
            raise CommandError(f"{OPERATOR} works at no desk.")
        scoped = Intake.objects.visible_to(user)
        # The person with the most meetings at the operator's desks: the heaviest case page.
        case = (
            scoped.filter(person__fiscal_code__isnull=False)
            .annotate(n=Count("meetings"))
            .order_by("-n", "-id")
            .select_related("person")
            .first()
        )
        if case is None:
            raise CommandError(f"{OPERATOR} has no case with a codice fiscale to search for.")
        person = case.person
        surname_prefix = person.last_name[:3]

        client = Client()
        client.force_login(user)
        search_url = reverse("casework:search", args=[desk.slug])
        dashboard_url = reverse("casework:desk", args=[desk.slug])
        case_url = reverse("casework:person", args=[person.pk])

        self.stdout.write(
            f"Database: {connection.vendor} · {Meeting.objects.count()} meetings · "
            f"{Intake.objects.count()} intakes · operator {OPERATOR} at {desk} "
            f"({scoped.count()} cases at their desks) · runs={runs} warm-up={warmup}"
        )
        # The search is POST-redirect-GET: the POST keeps the term behind an opaque
        # reference, the GET of that address runs the search. The GET is what is timed.
        by_prefix = results_url(client, search_url, surname_prefix)
        by_code = results_url(client, search_url, person.fiscal_code or "")
        timings = [
            time_request(
                f"search results GET, surname prefix {surname_prefix!r}",
                lambda: client.get(by_prefix),
                runs=runs,
                warmup=warmup,
            ),
            time_request(
                "search results GET, exact codice fiscale",
                lambda: client.get(by_code),
                runs=runs,
                warmup=warmup,
            ),
            time_request(
                "dashboard GET", lambda: client.get(dashboard_url), runs=runs, warmup=warmup
            ),
            time_request(
                f"case page GET ({case.n} meetings)",
                lambda: client.get(case_url),
                runs=runs,
                warmup=warmup,
            ),
        ]
        width = max(len(t.name) for t in timings)
        self.stdout.write(
            f"{'page':<{width}}  {'median':>8}  {'p95':>8}  {'max':>8}  {'cpu':>8}  "
            f"{'db cpu':>8}  queries  target"
        )
        for t in timings:
            verdict = "ok" if t.within_target else f"SLOW (>= {TARGET_MS:.0f} ms)"
            db_cpu = "n/a" if t.db_cpu_ms is None else f"{t.db_cpu_ms:.1f}ms"
            self.stdout.write(
                f"{t.name:<{width}}  {t.median_ms:>6.1f}ms  {t.p95_ms:>6.1f}ms  "
                f"{t.max_ms:>6.1f}ms  {t.cpu_ms:>6.1f}ms  {db_cpu:>8}  {t.queries:>7}  {verdict}"
            )
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        self.stdout.write(
            f"median/p95/max: wall-clock per request; cpu: median CPU time of this process "
            f"(Python side); db cpu: mean CPU time of the PostgreSQL backend per request "
            f"(local server only); target: p95 < {TARGET_MS:.0f} ms. "
            f"Load average at the end: {load} on {os.cpu_count()} CPUs."
        )
        if settings.DEBUG:
            self.stdout.write("(DEBUG is on for the query count only; timings run with DEBUG off.)")
