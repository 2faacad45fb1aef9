"""``manage.py benchmark_reports``: the review and its exports against their bare baselines.

    python manage.py benchmark_reports [--sizes 10000,100000,1000000] [--runs 3]
                                       [--seed 2021] [--ie-limit 300]

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

Time is the median of ``--runs`` runs; memory is measured in a separate run under
``tracemalloc`` (which slows Python down), so that it does not distort the times.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone
from openpyxl import Workbook

from casework.models import Intake, Meeting
from casework.permissions import sees_all_desks
from reports.records import record_rows, write_records_xlsx
from reports.resources import COLUMNS, PseudonymisedRecordResource
from reports.review import compute_review
from reports.workbook import Variant, build_workbook

STAFF_USER = "udp"  # the demo Ufficio di Piano login (devtools/demo/logins.py)


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
    notes: list[str] = field(default_factory=list)


def median_time(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _run in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1_000_000


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

    def handle(self, *args, **options) -> None:
        try:
            sizes = [int(s) for s in options["sizes"].split(",") if s.strip()]
        except ValueError as exc:
            raise CommandError("--sizes: comma-separated integers, e.g. 10000,100000") from exc
        results: list[Result] = []
        ie_rate: float | None = None  # seconds per row of the import-export baseline
        for size in sizes:
            self.stderr.write(f"[{size:,}] demo_data …")
            t0 = time.perf_counter()
            call_command("demo_data", meetings=size, flush=True, seed=options["seed"], verbosity=0,
                         stdout=io.StringIO())  # fmt: skip
            self.stderr.write(f"[{size:,}] data in {time.perf_counter() - t0:.0f} s; measuring …")
            result = self.measure(size, runs=options["runs"], ie_rate=ie_rate,
                                  ie_limit=options["ie_limit"])  # fmt: skip
            if result.ie_s is not None and result.rows:
                ie_rate = result.ie_s / result.rows
            results.append(result)
            self.print_table(results)

    # --- measurements --------------------------------------------------------------------

    def measure(self, size: int, *, runs: int, ie_rate: float | None, ie_limit: float) -> Result:
        user = get_user_model().objects.get(username=STAFF_USER)
        result = Result(size=size)
        result.meetings = Meeting.objects.count()
        result.intakes = Intake.objects.count()
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

    # --- output --------------------------------------------------------------------------

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
