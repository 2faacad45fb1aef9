"""The summary agrees in number, speaks of colloqui like the tables, and has its English
counterpart (issue 11, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from reports.review import compute_review
from tests import factories

pytestmark = pytest.mark.django_db

START, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)


@pytest.fixture
def one_person(db):
    factories.meeting(factories.intake(opened_on=dt.date(2024, 2, 5)), days_after=2)


def test_one_person_is_singular_in_every_clause(udp_reader, one_person):
    summary = compute_review(user=udp_reader, start=START, end=END).summary
    assert summary == (
        "Dal 01/01/2024 al 31/03/2024 gli sportelli hanno accolto 1 persona "
        "(1 presa in carico), con una media di 1,0 colloqui a persona; in tutto 2 accessi "
        "tra prese in carico e colloqui svolti. 1 persona su 1 (100%) aveva tra 18 e 35 "
        "anni, 1 (100%) risiede nel Distretto Casalasco e 1 è una donna. Il 0% dei colloqui "
        "si è svolto a distanza (telefono, videochiamata o e-mail). Nel periodo precedente "
        "(dal 01/10/2023 al 31/12/2023) erano state accolte 0 persone."
    )
    assert "incontri" not in summary


def test_the_summary_has_its_english_counterpart(udp_reader, one_person):
    with translation.override("en"):
        summary = compute_review(user=udp_reader, start=START, end=END).summary
    assert "1 of 1 person (100%) was aged 18 to 35" in summary
    assert "1 (100%) lives in the Casalasco District and 1 is a woman." in summary
    assert "an average of 1.0 meetings per person" in summary
    assert "persona" not in summary and "colloqui" not in summary
