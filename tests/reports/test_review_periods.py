"""Review periods: quarters, "the first three months", the previous period."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.periods import (
    PROJECT_START,
    add_months,
    default_period,
    first_three_months,
    opening_presets,
    previous_period,
    quarter_of,
    quarter_presets,
)
from sportelli.models import Desk

D = dt.date


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2021, 1, 1), (D(2021, 1, 1), D(2021, 3, 31))),
        (D(2021, 3, 31), (D(2021, 1, 1), D(2021, 3, 31))),
        (D(2021, 4, 1), (D(2021, 4, 1), D(2021, 6, 30))),
        (D(2024, 8, 15), (D(2024, 7, 1), D(2024, 9, 30))),
        (D(2024, 12, 31), (D(2024, 10, 1), D(2024, 12, 31))),
    ],
)
def test_quarter_of(day, expected):
    assert quarter_of(day) == expected


def test_add_months_clamps_to_the_end_of_a_short_month():
    assert add_months(D(2021, 1, 31), 1) == D(2021, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2021, 3, 15), -3) == D(2020, 12, 15)


def test_first_three_months_of_the_project_and_of_gussola():
    assert first_three_months(PROJECT_START) == (D(2021, 1, 28), D(2021, 4, 27))
    assert first_three_months(D(2021, 4, 1)) == (D(2021, 4, 1), D(2021, 6, 30))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # A calendar quarter: the previous quarter (90 days before 91).
        (D(2021, 4, 1), D(2021, 6, 30), (D(2021, 1, 1), D(2021, 3, 31))),
        (D(2021, 1, 1), D(2021, 3, 31), (D(2020, 10, 1), D(2020, 12, 31))),
        # Three whole months from the 28th.
        (D(2021, 1, 28), D(2021, 4, 27), (D(2020, 10, 28), D(2021, 1, 27))),
        # A custom range of ten days: the ten days before.
        (D(2021, 5, 11), D(2021, 5, 20), (D(2021, 5, 1), D(2021, 5, 10))),
        # One day.
        (D(2021, 5, 11), D(2021, 5, 11), (D(2021, 5, 10), D(2021, 5, 10))),
    ],
)
def test_previous_period_is_the_same_length_immediately_before(start, end, expected):
    assert previous_period(start, end) == expected


def test_quarter_presets_are_every_quarter_since_the_project_started():
    presets = quarter_presets(D(2026, 11, 24))
    assert len(presets) == 24  # 2021 Q1 … 2026 Q4
    assert (presets[0].key, presets[0].start, presets[0].end) == (
        "q2026-4",
        D(2026, 10, 1),
        D(2026, 12, 31),
    )
    assert presets[0].label == "4º trimestre 2026 (01/10/2026–31/12/2026), in corso"
    assert (presets[-1].key, presets[-1].start, presets[-1].end) == (
        "q2021-1",
        D(2021, 1, 1),
        D(2021, 3, 31),
    )
    assert presets[1].label == "3º trimestre 2026 (01/07/2026–30/09/2026)"
    assert default_period(D(2026, 11, 24)) == (D(2026, 7, 1), D(2026, 9, 30))


@pytest.mark.django_db
def test_opening_presets_skip_desks_without_an_opening_date():
    desks = list(Desk.objects.order_by("pk"))
    presets = opening_presets(desks, whole_project=True)
    assert [(p.key, p.start, p.end) for p in presets] == [
        ("first-project", D(2021, 1, 28), D(2021, 4, 27)),
        ("first-casalmaggiore", D(2021, 1, 28), D(2021, 4, 27)),
        ("first-gussola", D(2021, 4, 1), D(2021, 6, 30)),
    ]
    assert presets[2].label == "Primi tre mesi dello sportello di Gussola (01/04/2021–30/06/2021)"
    assert [p.key for p in opening_presets(desks[3:], whole_project=False)] == ["first-gussola"]
