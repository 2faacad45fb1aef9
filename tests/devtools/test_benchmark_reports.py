"""``manage.py benchmark_reports`` runs end to end on a small size and prints its table."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from casework.models import Meeting


@pytest.mark.slow
@pytest.mark.django_db
def test_benchmark_prints_one_row_per_size():
    out, err = io.StringIO(), io.StringIO()
    call_command("benchmark_reports", sizes="300", runs=1, stdout=out, stderr=err)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("| ")]
    header, row = lines[0], lines[-1]
    assert "bare SQL (s)" in header and "import-export rows/s" in header
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert int(cells[0].replace(",", "")) == Meeting.objects.count() > 0
    assert re.fullmatch(r"\d+\.\d\d×", cells[4])  # review / bare SQL
    assert int(cells[6].replace(",", "")) > 0  # exported rows
    assert re.fullmatch(r"\d+\.\d\d×", cells[10])  # ours / openpyxl
    assert re.fullmatch(r"\d+\.\d×", cells[13])  # import-export / ours


def test_bad_sizes_are_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--sizes"):
        call_command("benchmark_reports", sizes="10k", stdout=io.StringIO())
