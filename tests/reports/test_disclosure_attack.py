"""The external workbook attacked as one set of linked tables (issue 11, items 1-4): the
attacker in ``tests/reports/attacker.py`` reads the file back with openpyxl and does not
import the protection code. No hidden cell may be pinned, and the headline figures stay."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from casework import roles
from casework.choices import LabourStatus, MeetingMode, ReferralKind, ReferralOutcome
from casework.models import Partner, Referral
from reports.review import compute_review
from reports.workbook import Variant, build_workbook
from sportelli.models import Desk
from tests import factories
from tests.reports import attacker
from tests.reports.conftest import END, START


def workbooks(review, user):
    out = {}
    for variant in (Variant.EXTERNAL, Variant.INTERNAL):
        buffer = io.BytesIO()
        build_workbook(review=review, user=user, variant=variant).save(buffer)
        out[variant] = attacker.read(load_workbook(io.BytesIO(buffer.getvalue())))
    return out[Variant.EXTERNAL], out[Variant.INTERNAL]


def attack(external, internal):
    """(pinned cells, relations used, relations found false on the true figures)."""
    kept, false = attacker.relations_hold(internal, external, list(attacker.relations(external)))
    return attacker.pinned_cells(external, kept), kept, false


def headline(external, internal) -> dict[str, object]:
    """The utility figures: the total column's people, intakes, meetings, Casalasco
    residents, women and men, as the external file shows them."""
    people = attacker._find(external, "Persone, prese in carico")
    origin = external.tables["Provenienza"]
    return {
        "people": external.value((people, "Persone accolte", "Totale")),
        "intakes": external.value((people, "Nuove prese in carico", "Totale")),
        "meetings": external.value((people, "Colloqui svolti", "Totale")),
        "casalasco": origin[1]["Distretto Casalasco"][origin[0].index("Totale")],
        "women": external.value(("Genere", "Donna", "Totale")),
        "men": external.value(("Genere", "Uomo", "Totale")),
    }


def other_genders(internal) -> int:
    rows = internal.tables["Genere"][1]
    return rows["Non binario"][-1] + rows["Non dichiarato"][-1]


def assert_utility(external, internal):
    figures = headline(external, internal)
    people = internal.value(
        (attacker._find(internal, "Persone, prese in carico"), "Persone accolte", "Totale")
    )
    if people >= 30:
        for key in ("people", "intakes", "meetings", "casalasco"):
            assert isinstance(figures[key], int), (key, figures)
        if other_genders(internal) == 0 or other_genders(internal) >= 3:
            assert isinstance(figures["women"], int), figures
            assert isinstance(figures["men"], int), figures


@pytest.fixture
def article(article_quarter):
    udp = factories.user("attack.udp", role=roles.PLANNING_OFFICE)
    return workbooks(compute_review(user=udp, start=START, end=END), udp)


def test_the_attackers_relations_are_true_and_cover_the_file(article):
    external, internal = article
    _pinned, kept, false = attack(external, internal)
    assert false == []  # a relation written wrong would weaken the attack silently
    titles = {ref[0] for relation in kept for ref, _c in relation.terms}
    assert len(kept) > 150
    assert {"Genere", "FSE+ · Età", "Fasce d'età FSE+", "Gruppi seguiti dagli sportelli"} <= titles


def disclosed(external, pinned):
    """The pinned cells that disclose something: any pinned cell of a protected table; in a
    table the file marks as not protected (every figure "n.d."), a pinned 1 or 2."""
    return {
        ref: value
        for ref, value in pinned.items()
        if attacker.UNPROTECTED not in external.tables[ref[0]][3] or value in (1, 2)
    }


def test_no_hidden_cell_of_the_article_quarter_is_pinned(article):
    external, internal = article
    pinned, _kept, _false = attack(external, internal)
    assert disclosed(external, pinned) == {}
    assert attacker.exposed_ratios(external) == []
    hidden = sum(
        v in (attacker.SMALL, attacker.HIDDEN)
        for _h, rows, _t, _n in external.tables.values()
        for values in rows.values()
        for v in values
    )
    assert hidden > 0  # the quarter has small figures: the attack had work to do


def test_the_article_quarter_keeps_its_headline_figures(article):
    external, internal = article
    assert headline(external, internal) == {
        "people": 72,
        "intakes": 73,
        "meetings": 145,
        "casalasco": 57,
        "women": 43,
        "men": 26,
    }
    assert_utility(external, internal)


def test_every_table_of_the_article_quarter_is_protected_not_hidden_whole(article):
    """The referrals by kind hold three small cells, each alone in its row and column with
    zeros: protected by hiding a few more cells, not the table."""
    external, _internal = article
    notes = {title: table[3] for title, table in external.tables.items()}
    assert [title for title, note in notes.items() if attacker.UNPROTECTED in note] == []
    kind = attacker._find(external, "Invii per tipo")
    assert external.value((kind, "Tirocinio", "Tirocinio avviato")) == attacker.SMALL
    assert external.value((kind, "Programma GOL", "Rinuncia")) == attacker.SMALL
    assert (
        external.value((kind, "Candidatura a un'offerta di lavoro", "Assunzione")) == attacker.SMALL
    )
    assert external.value((kind, "Garanzia Giovani", "Totale")) == 5


def test_the_attacker_finds_what_a_leaky_file_gives_away(article):
    """The attack is not blind: showing one hidden figure of the gender table pins the
    others that only it protected."""
    external, internal = article
    headers, rows, total, note = external.tables["Genere"]
    leaky = attacker.Sheet(dict(external.tables))
    changed = {label: list(values) for label, values in rows.items()}
    changed["Non binario o non dichiarato"][-1] = 3
    changed["Uomo"][-1] = "n.d."  # hidden, yet total - women - other gives it
    leaky.tables["Genere"] = (headers, changed, total, note)
    pinned, _kept, _false = attack(leaky, internal)
    assert pinned.get(("Genere", "Uomo", "Totale")) == 26


# --- Random quarters: people at two desks, tiny desks, empty categories --------------------

QUARTER_START, QUARTER_END = dt.date(2023, 4, 1), dt.date(2023, 6, 30)
DESK_SLUGS = ("casalmaggiore", "piadena-drizzona", "san-giovanni-in-croce", "gussola")
RESIDENCES = ("Casalmaggiore", "Gussola", "Piadena Drizzona", "Cremona", "Mantova", None)

person_spec = st.tuples(
    st.sampled_from(("F", "F", "M", "M", "X", "N")),  # gender
    st.integers(16, 70),  # age
    st.sampled_from(RESIDENCES),
    st.sampled_from(tuple(LabourStatus.values)),
    st.lists(st.sampled_from(DESK_SLUGS), min_size=1, max_size=2, unique=True),  # 2 desks
    st.integers(0, 3),  # meetings at each desk
    st.sampled_from(tuple(MeetingMode.values)),
    st.integers(0, 89),  # day of the quarter
    # a referral (kind, partner: one of the first three or none, outcome), or none
    st.none()
    | st.tuples(
        st.sampled_from(tuple(ReferralKind.values)),
        st.sampled_from((0, 1, 2, None)),
        st.sampled_from(tuple(ReferralOutcome.values)),
    ),
)


def build_quarter(people) -> None:
    partners = list(Partner.objects.order_by("pk")[:3])
    for gender, age, residence, labour, desks, meetings, mode, day, referral in people:
        opened = QUARTER_START + dt.timedelta(days=day)
        who = factories.person(
            gender=gender, birth_date=opened - dt.timedelta(days=365 * age + 30),
            residence=residence, with_cf=False,
        )  # fmt: skip
        for slug in desks:
            intake = factories.intake(who, desk_slug=slug, opened_on=opened, labour_status=labour)
            for j in range(meetings):
                if opened + dt.timedelta(days=j + 1) <= QUARTER_END:
                    factories.meeting(intake, days_after=j + 1, mode=mode)
            if referral is not None and opened < QUARTER_END:
                kind, partner, outcome = referral
                pending = outcome == ReferralOutcome.PENDING
                Referral.objects.create(
                    intake=intake,
                    kind=kind,
                    partner=None if partner is None else partners[partner],
                    referred_on=opened,
                    outcome=outcome,
                    outcome_on=None if pending else opened + dt.timedelta(days=1),
                )


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=10, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(people=st.lists(person_spec, min_size=3, max_size=45))
# Found by wider runs: a comparison's hidden difference is not "3 or more" (3 people)...
@example(
    people=[
        ("F", 60, "Casalmaggiore", "occupato", ["san-giovanni-in-croce"], 0, "email", 20, None),
        ("F", 19, None, "inattivo", ["piadena-drizzona"], 1, "presenza", 3,
         ("corso_specializzazione", None, "qualifica")),
        ("M", 53, "Gussola", "occupato", ["piadena-drizzona", "gussola"], 0, "email", 30,
         ("altra_misura", None, "corso_avviato")),
    ]
)  # fmt: skip
# ... and in a file of 4 people (3 non-binary or not stated) the people figure must be
# hidden too, or it gives away that 1 is a woman: the guarantee starts at 30 people.
@example(
    people=[
        ("N", 54, "Cremona", "inattivo", ["san-giovanni-in-croce", "piadena-drizzona"], 0,
         "email", 25, ("corso_professionale", 1, "assunzione")),
        ("X", 67, None, "inattivo", ["san-giovanni-in-croce", "piadena-drizzona"], 2,
         "presenza", 0, ("corso_professionale", 1, "assunzione")),
        ("N", 61, "Piadena Drizzona", "disoccupato", ["casalmaggiore"], 2, "telefono", 66,
         ("sil", 0, "rinuncia")),
        ("F", 21, "Piadena Drizzona", "inattivo", ["casalmaggiore"], 2, "video", 76, None),
    ]
)  # fmt: skip
# ... and the comparison's mean of the period is hidden where the mean table's total is.
@example(
    people=[
        ("M", 63, "Mantova", "inattivo", ["casalmaggiore", "san-giovanni-in-croce"], 0,
         "presenza", 0, None),
        ("F", 16, "Casalmaggiore", "disoccupato", ["casalmaggiore"], 0, "presenza", 0, None),
        ("F", 16, "Gussola", "disoccupato", ["casalmaggiore"], 0, "presenza", 1, None),
    ]
)  # fmt: skip
def test_random_quarters_pin_nothing_and_keep_the_headline_figures(people):
    with transaction.atomic():  # each example on its own data
        Desk.objects.update(opened_on=None)
        build_quarter(people)
        udp = factories.user("attack.random", role=roles.PLANNING_OFFICE)
        review = compute_review(user=udp, start=QUARTER_START, end=QUARTER_END)
        external, internal = workbooks(review, udp)
        transaction.set_rollback(True)
    pinned, _kept, false = attack(external, internal)
    assert false == []
    assert disclosed(external, pinned) == {}
    assert attacker.exposed_ratios(external) == []
    assert_utility(external, internal)


# --- An ordinary quarter of the demo data: the guarantee still fails there ---------------


@pytest.mark.django_db
@pytest.mark.xfail(
    strict=True,
    reason="issue 11 item 4, open: the greedy secondary suppression hides women and men in "
    "some ordinary quarters (84 people, 4 of other genders); see docs/reports.md, Known limits",
)
def test_an_ordinary_demo_quarter_keeps_women_and_men():
    call_command(
        "demo_data", "--flush", "--seed", "6", "--meetings", "180",
        "--start", "2024-01-01", "--end", "2024-03-31", stdout=io.StringIO(),
    )  # fmt: skip
    udp = factories.user("attack.demo", role=roles.PLANNING_OFFICE)
    review = compute_review(user=udp, start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 31))
    external, internal = workbooks(review, udp)
    assert other_genders(internal) >= 3  # the guarantee applies
    assert_utility(external, internal)
