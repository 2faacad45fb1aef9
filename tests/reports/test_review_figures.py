"""Every figure of every table of the review of the article's quarter, worked out by hand
from the cohorts in tests/reports/conftest.py (the comments show the sums)."""

from __future__ import annotations

import pytest
from django.db import transaction

from casework import roles
from reports.review import Review, compute_review
from tests import factories
from tests.reports.conftest import END, PREVIOUS_END, PREVIOUS_START, START, build_article_quarter

# The module's tests read the database (through the module-scoped reviews): mark them, so that
# pytest-django runs them with the other database tests, before any transactional test
# empties the tables.
pytestmark = pytest.mark.django_db

DESKS = ("Casalmaggiore", "Piadena Drizzona", "San Giovanni in Croce", "Gussola", "Totale")


def rows(review: Review, table: str) -> dict[str, tuple]:
    return {row.key: row.values for row in review.tables[table].rows}


def total(review: Review, table: str) -> tuple:
    return review.tables[table].total.values


@pytest.fixture(scope="module")
def reviews(django_db_setup, django_db_blocker) -> dict[str, Review]:
    """The reviews read by the Ufficio di Piano and by an administrator, computed once for
    the module inside a transaction that is rolled back (the tests only read them)."""
    with django_db_blocker.unblock(), transaction.atomic():
        q = build_article_quarter()
        result = {
            role: compute_review(user=factories.user(f"figures.{i}", role=role), start=q.start,
                                 end=q.end)
            for i, role in enumerate((roles.PLANNING_OFFICE, roles.ADMINISTRATOR))
        }  # fmt: skip
        transaction.set_rollback(True)
    return result


@pytest.fixture
def review(reviews) -> Review:
    return reviews[roles.PLANNING_OFFICE]


def test_period_desks_and_previous_period(review):
    assert (review.start, review.end) == (START, END)
    assert [d.name for d in review.desks] == list(DESKS[:-1])
    # Three whole months from 28/01: the previous period is the three months before.
    assert (review.previous_start, review.previous_end) == (PREVIOUS_START, PREVIOUS_END)


def test_people_intakes_meetings_accesses(review):
    table = review.tables["people"]
    assert table.columns == DESKS
    assert table.counts_people
    assert rows(review, "people") == {
        # C 30 · P 16 · S 14 · G 12 + C11 (also at Gussola) = 13 · 72 people (C11 once).
        "people": (30, 16, 14, 13, 72),
        "intakes": (30, 16, 14, 13, 73),
        # Attended in the period: C 59 + Z's meeting on 01/02 = 60; G 25 (4 no-shows apart).
        "meetings": (60, 33, 27, 25, 145),
        "accesses": (90, 49, 41, 38, 218),
    }


def test_meetings_per_person(review):
    assert rows(review, "meetings_per_person") == {
        "0": (3, 0, 2, 0, 5),  # C5 2 + C8 1 · S4 2
        "1": (1, 2, 0, 1, 3),  # C12 · P4 2 · C11 at Gussola (1 there; 3 in total)
        "2": (21, 11, 9, 12, 52),
        "3+": (5, 3, 3, 0, 12),  # C3 4 + C6 · P3 · S3 · in total also C11 (2 + 1)
    }
    assert total(review, "meetings_per_person") == (30, 16, 14, 13, 72)
    # 144 meetings of the period's intakes / 72 people; C 59/30, P 33/16, S 27/14, G 25/13.
    assert rows(review, "meetings_mean") == {"mean": (1.97, 2.06, 1.93, 1.92, 2.0)}
    assert not review.tables["meetings_mean"].counts_people


def test_age_bands(review):
    assert rows(review, "age_band") == {
        "u18": (1, 0, 0, 0, 1),
        "18-35": (20, 11, 11, 10, 51),  # C9 is 35 at the intake (05/03), 36 from 10/03
        "36-44": (4, 2, 0, 0, 6),
        "45-54": (3, 3, 0, 3, 9),
        "55+": (2, 0, 3, 0, 5),
    }
    assert total(review, "age_band") == (30, 16, 14, 13, 72)
    assert rows(review, "age_band_esf") == {
        "u18": (1, 0, 0, 0, 1),
        "18-29": (11, 11, 6, 5, 33),
        "30-54": (16, 5, 5, 8, 33),
        "55+": (2, 0, 3, 0, 5),
    }


def test_gender_and_age_gender(review):
    assert rows(review, "gender") == {
        "F": (18, 9, 8, 9, 43),
        "M": (11, 7, 4, 4, 26),
        "X": (1, 0, 0, 0, 1),
        "N": (0, 0, 2, 0, 2),
    }
    cross = review.tables["age_gender"]
    assert cross.columns == ("Donna", "Uomo", "Non binario", "Non dichiarato", "Totale")
    assert rows(review, "age_gender") == {
        "u18": (1, 0, 0, 0, 1),
        "18-35": (27, 21, 1, 2, 51),
        "36-44": (4, 2, 0, 0, 6),
        "45-54": (6, 3, 0, 0, 9),
        "55+": (5, 0, 0, 0, 5),
    }
    assert total(review, "age_gender") == (43, 26, 1, 2, 72)


def test_origin_and_comuni(review):
    assert rows(review, "origin") == {
        "casalasco": (22, 11, 12, 13, 57),
        "cremona": (3, 0, 0, 0, 3),
        "mantova": (4, 3, 0, 0, 7),  # Viadana 4, Bozzolo 3
        "lombardia": (1, 0, 0, 0, 1),  # C8, Milano
        "italia": (0, 2, 0, 0, 2),  # P4, Parma
        "estero": (0, 0, 2, 0, 2),  # S4
    }
    comuni = review.tables["comuni"]
    assert [(r.label, r.values) for r in comuni.rows] == [
        ("Casalmaggiore", (21, 0, 0, 3, 24)),  # C10 moved to Milano later: still here
        ("Gussola", (1, 0, 0, 6, 6)),  # C11 counts at both desks, once in total
        ("Piadena Drizzona", (0, 6, 0, 0, 6)),
        ("Calvatone", (0, 5, 0, 0, 5)),
        ("San Giovanni in Croce", (0, 0, 5, 0, 5)),
        ("Martignana di Po", (0, 0, 0, 4, 4)),
        ("Solarolo Rainerio", (0, 0, 4, 0, 4)),
        ("Viadana", (4, 0, 0, 0, 4)),
        ("Bozzolo", (0, 3, 0, 0, 3)),
        ("Casteldidone", (0, 0, 3, 0, 3)),
        ("Altri comuni", (4, 2, 0, 0, 6)),  # Cremona 3, Milano 1 · Parma 2
        ("Residenza all'estero", (0, 0, 2, 0, 2)),
    ]
    assert comuni.total.values == (30, 16, 14, 13, 72)


def test_labour_education_groups(review):
    assert rows(review, "labour_status") == {
        "disoccupato": (22, 11, 12, 10, 54),
        "inattivo": (4, 3, 2, 0, 9),
        "occupato": (2, 2, 0, 3, 7),
        "studente": (2, 0, 0, 0, 2),
    }
    assert rows(review, "isced") == {
        "0-2": (7, 0, 7, 0, 14),
        "3-4": (15, 8, 2, 9, 34),
        "5-8": (8, 8, 5, 4, 24),
    }
    assert rows(review, "groups") == {
        "recent_graduate": (8, 6, 0, 5, 19),
        "women_returning": (4, 3, 0, 0, 7),  # C10 is a man returning after care: not here
        "aged_45_plus": (5, 3, 3, 3, 14),
    }
    assert review.tables["groups"].total is None  # the groups overlap


def test_meetings_by_mode_attendance_shares(review):
    assert rows(review, "meeting_mode") == {
        "presenza": (30, 12, 9, 8, 59),
        "telefono": (23, 10, 14, 9, 56),  # C8's phone call on 28/04 is after the period
        "video": (7, 9, 4, 12, 32),
        "email": (1, 2, 0, 0, 3),
    }
    assert total(review, "meeting_mode") == (61, 33, 27, 29, 150)
    assert rows(review, "meeting_attendance") == {
        "attended": (60, 33, 27, 25, 145),
        "no_show": (1, 0, 0, 4, 5),
    }
    assert rows(review, "meeting_shares") == {
        # remote / recorded: C 31/61, P 21/33, S 18/27, G 21/29, total 91/150
        "remote": (50.8, 63.6, 66.7, 72.4, 60.7),
        "no_show": (1.6, 0.0, 0.0, 13.8, 3.3),
    }


def test_referrals(review):
    kind = review.tables["referral_kind"]
    assert kind.columns == (
        "In corso, nessun esito",
        "Assunzione",
        "Tirocinio avviato",
        "Corso avviato",
        "Qualifica o attestato conseguito",
        "Non selezionato/a",
        "Rinuncia",
        "Nessuna risposta",
        "Totale",
    )
    assert rows(review, "referral_kind") == {
        "corso_professionale": (5, 0, 0, 3, 0, 0, 0, 0, 8),
        "corso_specializzazione": (0, 0, 0, 0, 0, 0, 0, 0, 0),
        "candidatura": (0, 2, 0, 0, 0, 4, 0, 0, 6),
        "tirocinio": (0, 0, 2, 0, 0, 0, 0, 0, 2),
        "sil": (3, 0, 0, 0, 0, 0, 0, 0, 3),
        "gol": (0, 0, 0, 0, 0, 0, 1, 0, 1),
        "dote_unica": (0, 0, 0, 0, 0, 0, 0, 0, 0),
        "garanzia_giovani": (5, 0, 0, 0, 0, 0, 0, 0, 5),
        "altra_misura": (0, 0, 0, 0, 0, 0, 0, 0, 0),  # C8's, on 28/04, is after the period
    }
    assert total(review, "referral_kind") == (13, 2, 2, 3, 0, 4, 1, 0, 25)
    partner = review.tables["referral_partner"]
    assert [(r.label, r.values) for r in partner.rows] == [
        ("Energheia Impresa Sociale", (5, 0, 0, 3, 0, 0, 0, 0, 8)),
        ("Mestieri Lombardia", (0, 2, 2, 0, 0, 4, 0, 0, 8)),
        ("SIL Con.Ca.S.S.", (3, 0, 0, 0, 0, 0, 0, 0, 3)),
        ("Nessun partner", (5, 0, 0, 0, 0, 0, 1, 0, 6)),
    ]
    assert partner.total.values == (13, 2, 2, 3, 0, 4, 1, 0, 25)


def test_trend(review):
    trend = review.tables["trend"]
    assert trend.columns == (
        "Persone accolte",
        "Nuove prese in carico",
        "Colloqui svolti",
        "Accessi",
    )
    assert [(r.key, r.values) for r in trend.rows] == [
        ("2021-01", (1, 1, 2, 3)),  # C7 on 28/01 and two of their meetings
        ("2021-02", (23, 23, 49, 72)),  # Z's meeting of 01/02 included
        ("2021-03", (29, 29, 64, 93)),
        ("2021-04", (19, 20, 30, 50)),  # C11 at Gussola: an intake, not a new person
    ]
    assert trend.total.values == (72, 73, 145, 218)
    assert [r.label.lower() for r in trend.rows] == [
        "gennaio 2021",
        "febbraio 2021",
        "marzo 2021",
        "aprile 2021",
    ]


def test_change_against_previous_period(review):
    # Only Z (intake 20/01/2021) is in the previous period; their meeting is in this one.
    assert rows(review, "change") == {
        "people": (72, 1, 71, 7100.0),
        "intakes": (73, 1, 72, 7200.0),
        "meetings": (145, 0, 145, None),
        "accesses": (218, 1, 217, 21700.0),
        "mean": (2.0, 0.0, 2.0, None),  # Z had no meeting in the previous period
    }
    assert not review.tables["change"].counts_people


def test_esf_indicators_by_gender(review):
    esf = review.tables["esf_labour"]
    assert esf.columns == ("Donna", "Uomo", "Non binario", "Non dichiarato", "Totale")
    assert rows(review, "esf_labour") == {
        "unemployed": (30, 24, 0, 0, 54),
        # > 12 months: C2 6 M, C4 3 M, C5 2 F, C10 1 M, S3 3 F; > 6 under 25: P2 5 M, G1 5 F.
        # Not: S2 (25 years old, 10 months), C11 (6 months).
        "long_term_unemployed": (10, 15, 0, 0, 25),
        "inactive": (8, 0, 1, 2, 11),  # students included: C6 (X), C12 (F)
        "employed": (5, 2, 0, 0, 7),
    }
    assert rows(review, "esf_age") == {
        "u18": (1, 0, 0, 0, 1),
        "18-29": (20, 10, 1, 2, 33),
        "30-54": (17, 16, 0, 0, 33),
        "55+": (5, 0, 0, 0, 5),
    }
    assert rows(review, "esf_isced") == {
        "0-2": (10, 4, 0, 0, 14),
        "3-4": (17, 14, 1, 2, 34),
        "5-8": (16, 8, 0, 0, 24),
    }
    assert rows(review, "esf_other") == {
        "third_country": (2, 4, 0, 0, 6),  # C5, S2
        "rural": (3, 9, 0, 0, 12),  # Casteldidone 3 F; Calvatone 5 M, Solarolo Rainerio 4 M
        "total": (43, 26, 1, 2, 72),
    }


def test_special_category_only_with_permission(review, reviews):
    # The Ufficio di Piano reader does not hold casework.view_special_category.
    assert "esf_special" not in review.tables
    full = reviews[roles.ADMINISTRATOR]
    table = full.tables["esf_special"]
    assert table.special_category
    assert rows(full, "esf_special") == {
        "disability": (0, 3, 0, 0, 3),
        "foreign_background": (2, 4, 0, 0, 6),
        "minority": (0, 0, 1, 0, 1),
        "homeless": (0, 0, 0, 2, 2),
    }
    assert not any(t.special_category for k, t in full.tables.items() if k != "esf_special")


def test_summary_is_written_from_the_figures(review):
    assert review.summary == (
        "Dal 28/01/2021 al 27/04/2021 gli sportelli hanno accolto 72 persone "
        "(73 prese in carico), con una media di 2,0 colloqui a persona; in tutto 218 accessi "
        "tra prese in carico e colloqui svolti. 51 persone su 72 (71%) avevano tra 18 e 35 anni, "
        "57 (79%) risiedono nel Distretto Casalasco e 43 sono donne. Il 61% dei colloqui si "
        "è svolto a distanza (telefono, videochiamata o e-mail). Nel periodo precedente "
        "(dal 28/10/2020 al 27/01/2021) era stata accolta 1 persona."
    )


def test_every_table_is_well_formed(review):
    for key, table in review.tables.items():
        assert table.key == key
        assert table.title and table.definition and table.label_header
        for row in (*table.rows, *([table.total] if table.total else [])):
            assert len(row.values) == len(table.columns), key
        if table.total and table.counts_people:
            sums = tuple(sum(r.values[i] for r in table.rows) for i in range(len(table.columns)))
            assert sums == table.total.values, key
