"""``manage.py benchmark_reports``: the review and its exports against their bare baselines.

    python manage.py benchmark_reports [--sizes 10000,100000,1000000] [--runs 3]
                                       [--seed 2021] [--ie-limit 300] [--reuse]
                                       [--reviews-only] [--history 3000000
                                        --history-database NAME]

For each size it regenerates the data with ``demo_data --meetings N --flush --seed S`` and
then, on that same data, prints one table:

* **review** — ``compute_review`` for the year ending on the last intake, all desks, as the
  demo Ufficio di Piano user, against the bare SQL: the exact statements and parameters the
  ORM ran (captured with ``connection.execute_wrapper``) executed again on a raw cursor and
  fetched. Ratio = review / SQL (target <= 1.2).
* **records** — the pseudonymised record export of every intake (``record_rows`` streamed
  into ``write_records_xlsx``: two streamed queries, write-only openpyxl), rows per second
  and peak Python memory (``tracemalloc``), against (a) openpyxl write-only writing the same
  rows, already in memory as lists (the pure cost of writing the file; target ours >= 0.8x
  its speed), and (b) django-import-export's default export of the same Resource
  (``resource.export()`` then ``dataset.export("xlsx")``; target ours >= 5x), skipped when a
  linear estimate from the previous size exceeds ``--ie-limit`` seconds.
* **workbook** — building and saving the review workbook (external variant).
* **quarter** — ``compute_review`` of one calendar quarter (the last complete quarter of the
  data, all desks, as the Ufficio di Piano), against its **floor**: the two hand-written
  statements below (``FLOOR_PEOPLE``, ``FLOOR_MEETINGS``) that compute the same person and
  meeting breakdowns for that quarter and nothing else (no scope, no per-person counts, no
  referrals, no comparison) — the least any implementation has to read. Target: at most
  0.3 s at 1,000,000 meetings and at most 3x the floor.
* **history** (``--history N --history-database NAME``) — the same quarter in a second
  database holding the same data plus N meetings in all, the extra ones dated before the
  previous quarter (so that the quarter and the one it is compared with hold exactly the
  same rows): the review must cost what the quarter holds (target: within 1.3x). The two
  databases are measured in alternating rounds in this one process.

``--reuse`` keeps a database that already holds the size (within 2 %) instead of
regenerating it; ``--reviews-only`` skips the record export and the workbook (minutes at
1,000,000 meetings).

Time is the median of ``--runs`` runs; memory is measured in a separate run under
``tracemalloc`` (which slows Python down), so that it does not distort the times.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from openpyxl import Workbook

from casework.models import Intake, Meeting, Referral
from casework.permissions import sees_all_desks
from reports.periods import previous_period, quarter_of
from reports.records import record_rows, write_records_xlsx
from reports.resources import COLUMNS, PseudonymisedRecordResource
from reports.review import compute_review
from reports.workbook import Variant, build_workbook

STAFF_USER = "udp"  # the demo Ufficio di Piano login (devtools/demo/logins.py)

# The floor of a quarter's review: two statements written by hand that compute the same
# person and meeting breakdowns for the quarter, and nothing more. The people: each person's
# first intake in the quarter at each desk and in total (DISTINCT ON), counted by desk and by
# every characteristic the review's person tables group by (GROUPING SETS)...
FLOOR_PEOPLE = """
WITH period AS (
    SELECT id, person_id, desk_id, opened_on, age_band, esf_age_band, gender, origin,
           labour_status, isced_band, residence_comune_id, recent_graduate,
           returning_after_care, age_at_intake
    FROM casework_intake
    WHERE opened_on >= %(start)s AND opened_on <= %(end)s
), firsts AS (
    SELECT * FROM (
        SELECT DISTINCT ON (desk_id, person_id) *, desk_id AS col FROM period
        ORDER BY desk_id, person_id, opened_on, id
    ) AS per_desk
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (person_id) *, NULL::bigint AS col FROM period
        ORDER BY person_id, opened_on, id
    ) AS total
)
SELECT col, age_band, esf_age_band, gender, origin, labour_status, isced_band,
       residence_comune_id, EXTRACT(MONTH FROM opened_on) AS month, COUNT(*),
       COUNT(*) FILTER (WHERE recent_graduate),
       COUNT(*) FILTER (WHERE returning_after_care AND gender = 'F'),
       COUNT(*) FILTER (WHERE age_at_intake >= 45)
FROM firsts
GROUP BY GROUPING SETS (
    (col), (col, age_band), (col, esf_age_band), (col, gender), (col, origin),
    (col, labour_status), (col, isced_band), (col, residence_comune_id),
    (col, age_band, gender), (col, EXTRACT(MONTH FROM opened_on))
)
"""
# ... and the meetings held in the quarter, by desk (their intake's), mode and attendance,
# and the attended ones by month.
FLOOR_MEETINGS = """
SELECT i.desk_id, m.mode, m.attended, EXTRACT(MONTH FROM m.held_on) AS month, COUNT(*)
FROM casework_meeting m JOIN casework_intake i ON i.id = m.intake_id
WHERE m.held_on >= %(start)s AND m.held_on <= %(end)s
GROUP BY GROUPING SETS (
    (i.desk_id, m.mode, m.attended), (m.mode, m.attended),
    (m.attended, EXTRACT(MONTH FROM m.held_on))
)
"""


@dataclass
class Result:
    size: int
    meetings: int = 0
    intakes: int = 0
    review_s: float = 0.0
    sql_s: float = 0.0
    queries: int = 0
    rows: int = 0
    ours_s: float = 0.0
    ours_mb: float = 0.0
    openpyxl_s: float = 0.0
    openpyxl_mb: float = 0.0
    ie_s: float | None = None
    ie_mb: float | None = None
    ie_note: str = ""
    workbook_s: float = 0.0
    quarter: Quarter | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Quarter:
    """One quarter's review against its floor, in one database."""

    start: dt.date
    end: dt.date
    meetings: int = 0  # in the database
    intakes: int = 0
    held: int = 0  # meetings held in the quarter
    review_s: float = 0.0
    floor_s: float | None = None  # None: no floor statements for this database (SQLite)
    queries: int = 0
    figures: tuple = ()  # every value of the review's tables, to compare databases

    @property
    def ratio(self) -> float | None:
        return self.review_s / self.floor_s if self.floor_s else None


def median_time(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _run in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def last_quarter() -> tuple[dt.date, dt.date]:
    """The last calendar quarter that the data covers whole (it ends on the last intake's day
    or before)."""
    last = Intake.objects.aggregate(last=Max("opened_on"))["last"]
    if last is None:
        raise CommandError("No intakes: nothing to review.")
    start, end = quarter_of(last)
    return previous_period(start, end) if end > last else (start, end)


@contextlib.contextmanager
def use_database(name: str) -> Iterator[None]:
    """The default connection on another database of the same server (for SQLite, another
    file) until the block ends."""
    settings = connection.settings_dict
    old = settings["NAME"]
    connection.close()
    settings["NAME"] = name
    # Django caches content types by id: the other database numbers them its own way, so
    # the cache is emptied on the way in and out (else permissions created later point at
    # the other database's ids).
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        connection.close()
        settings["NAME"] = old
        ContentType.objects.clear_cache()


def create_database(name: str) -> None:
    """Create the PostgreSQL database ``name`` on the server of the default one, if missing."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")


def review_figures(review: Any) -> tuple:
    return tuple(
        (key, tuple(tuple(row.values) for row in table.rows))
        for key, table in review.tables.items()
    )


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1_000_000


def settle() -> None:
    """On PostgreSQL, VACUUM (ANALYZE) the case tables after a bulk load, as autovacuum
    would soon: fresh statistics and the visibility map that index-only scans need. (Inside
    a transaction, as in the tests, VACUUM cannot run: ANALYZE only.)"""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in (Intake, Meeting, Referral):
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


class Command(BaseCommand):
    help = "Benchmark the quarterly review and its exports against bare SQL and openpyxl."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="10000,100000,1000000")
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--ie-limit",
            type=float,
            default=300.0,
            help="skip django-import-export when its estimated time exceeds this (s)",
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="keep data already holding the size (within 2 %%) instead of regenerating it",
        )
        parser.add_argument(
            "--reviews-only",
            action="store_true",
            help="time the reviews only (no record export, no workbook)",
        )
        parser.add_argument(
            "--history",
            type=int,
            help="meetings in the second database: the last size plus older history",
        )
        parser.add_argument(
            "--history-database",
            help="the second database (a name on the same server; a file for SQLite)",
        )

    def handle(self, *args, **options) -> None:
        try:
            sizes = [int(s) for s in options["sizes"].split(",") if s.strip()]
        except ValueError as exc:
            raise CommandError("--sizes: comma-separated integers, e.g. 10000,100000") from exc
        history, history_db = options["history"], options["history_database"]
        if history is not None and (not history_db or not sizes or history <= sizes[-1]):
            raise CommandError(
                "--history: more meetings than the last of --sizes, with --history-database"
            )
        results: list[Result] = []
        ie_rate: float | None = None  # seconds per row of the import-export baseline
        for size in sizes:
            self.ensure_data(size, seed=options["seed"], reuse=options["reuse"])
            self.stderr.write(f"[{size:,}] measuring …")
            result = self.measure(size, runs=options["runs"], ie_rate=ie_rate,
                                  ie_limit=options["ie_limit"],
                                  reviews_only=options["reviews_only"])  # fmt: skip
            if result.ie_s is not None and result.rows:
                ie_rate = result.ie_s / result.rows
            results.append(result)
            if not options["reviews_only"]:
                self.print_table(results)
            self.print_quarters(results)
        if history is not None and results:
            self.compare_history(
                results[-1], history=history, database=history_db, seed=options["seed"],
                runs=options["runs"], reuse=options["reuse"],
            )  # fmt: skip

    # --- data ----------------------------------------------------------------------------

    def ensure_data(self, size: int, *, seed: int, reuse: bool, end: dt.date | None = None,
                    flush: bool = True) -> None:  # fmt: skip
        """``size`` meetings in the database: kept with ``reuse`` when within 2 %, else
        generated (``flush``: replacing the cases; else added, dated up to ``end``)."""
        held = Meeting.objects.count()
        if reuse and abs(held - size) <= 0.02 * size:
            self.stderr.write(f"[{size:,}] reusing the {held:,} meetings held")
            settle()
            return
        wanted = size if flush else size - held
        self.stderr.write(f"[{size:,}] demo_data --meetings {wanted} …")
        t0 = time.perf_counter()
        call_command("demo_data", meetings=wanted, flush=flush, seed=seed, end=end, verbosity=0,
                     stdout=io.StringIO())  # fmt: skip
        self.stderr.write(f"[{size:,}] data in {time.perf_counter() - t0:.0f} s")
        settle()

    # --- measurements --------------------------------------------------------------------

    def measure(self, size: int, *, runs: int, ie_rate: float | None, ie_limit: float,
                reviews_only: bool = False) -> Result:  # fmt: skip
        user = get_user_model().objects.get(username=STAFF_USER)
        result = Result(size=size)
        result.meetings = Meeting.objects.count()
        result.intakes = Intake.objects.count()
        result.quarter = self.measure_quarter(*last_quarter(), runs=runs)
        if reviews_only:
            return result
        span = Intake.objects.aggregate(first=Min("opened_on"), last=Max("opened_on"))
        end = span["last"]
        start = end - dt.timedelta(days=364)
        sees_all_desks(user)  # fill the permission cache once

        # Review against the bare SQL it runs.
        def review():
            return compute_review(user=user, start=start, end=end)

        review()  # warm-up
        captured: list[tuple[str, Any]] = []

        def capture(execute, sql, params, many, context):
            captured.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            reviewed = review()
        result.queries = len(captured)

        def bare_sql() -> None:
            with connection.cursor() as cursor:
                for sql, params in captured:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        bare_sql()  # warm-up
        result.review_s = median_time(review, runs)
        result.sql_s = median_time(bare_sql, runs)

        # Workbook of the review.
        def workbook() -> None:
            wb = build_workbook(review=reviewed, user=user, variant=Variant.EXTERNAL)
            wb.save(io.BytesIO())

        result.workbook_s = median_time(workbook, runs)

        # Record export: ours, openpyxl write-only on the same rows, import-export.
        first, last = span["first"], span["last"]

        def ours() -> int:
            with tempfile.TemporaryFile() as handle:
                return write_records_xlsx(record_rows(user=user, start=first, end=last), handle)

        result.rows = ours()
        result.ours_s = median_time(ours, runs)
        result.ours_mb = peak_mb(ours)

        keys = [key for key, _header in COLUMNS]
        rows = [[row[key] for key in keys] for row in record_rows(user=user, start=first, end=last)]
        headers = [str(header) for _key, header in COLUMNS]

        def plain_openpyxl() -> None:
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("rows")
            ws.append(headers)
            for row in rows:
                ws.append(row)
            with tempfile.TemporaryFile() as handle:
                wb.save(handle)

        result.openpyxl_s = median_time(plain_openpyxl, runs)
        result.openpyxl_mb = peak_mb(plain_openpyxl)
        rows.clear()

        estimate = ie_rate * result.rows if ie_rate is not None else 0.0
        if estimate > ie_limit:
            result.ie_note = f"skipped (>{ie_limit:.0f} s: ~{estimate:.0f} s estimated)"
        else:

            def import_export() -> None:
                resource = PseudonymisedRecordResource()
                dataset = resource.export(queryset=record_rows(user=user, start=first, end=last))
                dataset.export("xlsx")

            result.ie_s = median_time(import_export, 1)
            result.ie_mb = peak_mb(import_export)
        return result

    def measure_quarter(self, start: dt.date, end: dt.date, *, runs: int) -> Quarter:
        """The review of [start, end] (after a warm-up), then its floor, in this database."""
        user = get_user_model().objects.get(username=STAFF_USER)
        sees_all_desks(user)  # fill the permission cache once
        quarter = Quarter(start=start, end=end)
        quarter.meetings = Meeting.objects.count()
        quarter.intakes = Intake.objects.count()
        quarter.held = Meeting.objects.in_period(start, end).count()

        def review() -> Any:
            return compute_review(user=user, start=start, end=end)

        reviewed = review()  # warm-up
        quarter.figures = review_figures(reviewed)
        counted: list[str] = []

        def count(execute, sql, params, many, context):
            counted.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            review()
        quarter.queries = len(counted)
        quarter.review_s = median_time(review, runs)
        if connection.vendor == "postgresql":
            params = {"start": start, "end": end}

            def floor() -> None:
                with connection.cursor() as cursor:
                    for sql in (FLOOR_PEOPLE, FLOOR_MEETINGS):
                        cursor.execute(sql, params)
                        cursor.fetchall()

            floor()  # warm-up
            quarter.floor_s = median_time(floor, runs)
        return quarter

    def compare_history(self, base: Result, *, history: int, database: str, seed: int,
                        runs: int, reuse: bool) -> None:  # fmt: skip
        """The same quarter with ``history`` meetings in ``database``: the base data (same
        seed, same day: the same rows) plus older meetings, dated before the previous
        quarter; then both databases measured in alternating rounds."""
        assert base.quarter is not None
        start, end = base.quarter.start, base.quarter.end
        before = previous_period(start, end)[0] - dt.timedelta(days=1)
        first = Intake.objects.aggregate(first=Min("opened_on"))["first"]
        if first is None or before < first:
            raise CommandError(
                f"--history: no history before {before + dt.timedelta(days=1):%d/%m/%Y} "
                "to add to: use a larger size"
            )
        create_database(database)
        with use_database(database):
            call_command("migrate", verbosity=0, stdout=io.StringIO())
            held = Meeting.objects.count()
            if not (reuse and abs(held - history) <= 0.02 * history):
                self.ensure_data(base.size, seed=seed, reuse=False)
                self.ensure_data(history, seed=seed + 1, reuse=False, end=before, flush=False)
            else:
                settle()
        rounds: dict[str, list[Quarter]] = {"base": [], "history": []}
        for _round in range(3):
            rounds["base"].append(self.measure_quarter(start, end, runs=runs))
            with use_database(database):
                rounds["history"].append(self.measure_quarter(start, end, runs=runs))
        self.print_history(rounds)

    # --- output --------------------------------------------------------------------------

    def print_quarters(self, results: list[Result]) -> None:
        quarters = [r.quarter for r in results if r.quarter is not None]
        if not quarters:
            return
        q = quarters[0]
        lines = [
            "",
            f"benchmark_reports · quarter {q.start:%d/%m/%Y}–{q.end:%d/%m/%Y} · "
            f"{connection.vendor} · {timezone.localtime():%d/%m/%Y %H:%M}",
            "| meetings | intakes | held in the quarter | review (s) | floor (s) "
            "| review / floor | queries |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [self.quarter_row(q) for q in quarters]
        self.stdout.write("\n".join(lines))

    @staticmethod
    def quarter_row(q: Quarter) -> str:
        floor = f"{q.floor_s:.3f}" if q.floor_s is not None else "—"
        ratio = f"{q.ratio:.2f}×" if q.ratio is not None else "—"
        return (
            f"| {q.meetings:,} | {q.intakes:,} | {q.held:,} | {q.review_s:.3f} | {floor} "
            f"| {ratio} | {q.queries} |"
        )

    def print_history(self, rounds: dict[str, list[Quarter]]) -> None:
        base, history = rounds["base"], rounds["history"]
        same = all(q.figures == base[0].figures for q in base + history)
        review = {k: statistics.median(q.review_s for q in v) for k, v in rounds.items()}
        floors = {k: [q.floor_s for q in v if q.floor_s is not None] for k, v in rounds.items()}
        floor = {k: statistics.median(v) if v else None for k, v in floors.items()}
        lines = [
            "",
            f"benchmark_reports · the same quarter ({base[0].start:%d/%m/%Y}–"
            f"{base[0].end:%d/%m/%Y}) with more history · {len(base)} alternating rounds; "
            f"same figures in both databases: {'yes' if same else 'NO'}",
            "| meetings | intakes | held in the quarter | review (s) | floor (s) "
            "| review / floor | review / review with less history |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for key, quarters in rounds.items():
            q = quarters[0]
            f = floor[key]
            lines.append(
                f"| {q.meetings:,} | {q.intakes:,} | {q.held:,} | {review[key]:.3f} "
                f"| {f'{f:.3f}' if f is not None else '—'} "
                f"| {f'{review[key] / f:.2f}×' if f else '—'} "
                f"| {review[key] / review['base']:.2f}× |"
            )
        self.stdout.write("\n".join(lines))

    def print_table(self, results: list[Result]) -> None:
        db = connection.vendor
        lines = [
            "",
            f"benchmark_reports · {db} · {timezone.localtime():%d/%m/%Y %H:%M}",
            "| meetings | intakes | review (s) | bare SQL (s) | ratio | queries "
            "| export rows | ours rows/s | ours peak MB | openpyxl rows/s | ours/openpyxl "
            "| openpyxl peak MB | import-export rows/s | ours/import-export "
            "| import-export peak MB | workbook (s) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            ours_rate = r.rows / r.ours_s if r.ours_s else 0
            opx_rate = r.rows / r.openpyxl_s if r.openpyxl_s else 0
            if r.ie_s:
                ie_rate = f"{r.rows / r.ie_s:,.0f}"
                ie_ratio = f"{r.ie_s / r.ours_s:.1f}×"
                ie_mb = f"{r.ie_mb:,.1f}"
            else:
                ie_rate, ie_ratio, ie_mb = r.ie_note, "—", "—"
            lines.append(
                f"| {r.meetings:,} | {r.intakes:,} | {r.review_s:.3f} | {r.sql_s:.3f} "
                f"| {r.review_s / r.sql_s:.2f}× | {r.queries} | {r.rows:,} | {ours_rate:,.0f} "
                f"| {r.ours_mb:,.1f} | {opx_rate:,.0f} | {ours_rate / opx_rate:.2f}× "
                f"| {r.openpyxl_mb:,.1f} | {ie_rate} | {ie_ratio} | {ie_mb} "
                f"| {r.workbook_s:.3f} |"
            )
        self.stdout.write("\n".join(lines))
