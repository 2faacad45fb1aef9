"""``manage.py benchmark_operator``: it generates the demo data at the requested size, times
the operator pages as the demo operator and prints their query counts, which do not grow
with the data."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from casework.models import Meeting
from devtools.management.commands.benchmark_operator import percentile

ROW = re.compile(
    r"^(?P<page>.+?)\s+(?P<median>[\d.]+)ms\s+(?P<p95>[\d.]+)ms\s+(?P<max>[\d.]+)ms\s+"
    r"(?P<cpu>[\d.]+)ms\s+(?P<db_cpu>[\d.]+ms|n/a)\s+"
    r"(?P<queries>\d+)\s+(?:ok|SLOW)",
    re.M,
)


def run(meetings: int) -> dict[str, int]:
    out = io.StringIO()
    call_command("benchmark_operator", meetings=meetings, runs=3, warmup=1, stdout=out)
    text = out.getvalue()
    assert f"running demo_data --meetings {meetings} --flush" in text
    assert f"postgresql · {meetings} meetings" in text or f"sqlite · {meetings} meetings" in text
    # The page names without what depends on the data (the prefix searched, the meetings).
    rows = {
        re.sub(r" '[^']*'| \(.*\)", "", m["page"]): int(m["queries"]) for m in ROW.finditer(text)
    }
    assert set(rows) == {
        "search results GET, surname prefix",
        "search results GET, exact codice fiscale",
        "dashboard GET",
        "case page GET",
    }, text
    return rows


@pytest.mark.slow
@pytest.mark.django_db
def test_benchmark_generates_the_size_and_counts_the_same_queries_at_any_size():
    small = run(200)
    assert Meeting.objects.count() == 200
    larger = run(800)
    assert Meeting.objects.count() == 800
    assert all(n > 0 for n in small.values())
    assert small == larger


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95) == 95.0
    assert percentile(values, 50) == 50.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([3.0, 1.0, 2.0], 100) == 3.0
