"""Disclosure control of the external workbook (reports/suppression.py): the pure parts —
recoding, the relations of the model, primary and secondary suppression, derived figures.
The whole file is attacked from outside in tests/reports/test_disclosure_attack.py."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from reports import suppression
from reports.suppression import HIDDEN, SMALL, build_model, suppress_tables
from reports.tables import TOTAL, Row, Table

DESKS = ("1", "2", TOTAL)


def desk_table(key, rows, total=True, *, counts_people=True, columns=DESKS, dim="desk"):
    """A per-desk table (or, with ``dim``, columns of another kind adding up to the last):
    rows are (key, values); the total row is their column sums."""
    body = tuple(Row(label=k, key=k, values=tuple(v)) for k, v in rows)
    sums = tuple(sum(r.values[c] for r in body) for c in range(len(columns)))
    return Table(
        key=key,
        title=key,
        columns=tuple(f"h{c}" for c in columns),
        label_header="",
        rows=body,
        total=Row(label="Totale", key=TOTAL, values=sums) if total else None,
        definition="",
        counts_people=counts_people,
        column_keys=columns,
        column_dim=dim,
    )


def plain(key, rows, total=True, **kwargs):
    """A table whose columns add up to the last, and that keeps its columns outside."""
    return desk_table(key, rows, total, dim="outcome", **kwargs)


def gender_table(key, rows):
    body = tuple(Row(label=k, key=k, values=(*v, sum(v))) for k, v in rows)
    sums = tuple(sum(r.values[c] for r in body) for c in range(5))
    return Table(
        key=key,
        title=key,
        columns=("Donna", "Uomo", "Non binario", "Non dichiarato", "Totale"),
        label_header="",
        rows=body,
        total=Row(label="Totale", key=TOTAL, values=sums),
        definition="",
        counts_people=True,
        column_keys=("F", "M", "X", "N", TOTAL),
        column_dim="gender",
    )


def test_gender_rows_and_columns_are_merged_outside():
    tables = {
        "gender": desk_table(
            "gender", [("F", (5, 4, 9)), ("M", (6, 3, 9)), ("X", (1, 0, 1)), ("N", (0, 2, 2))]
        ),
        "age_gender": gender_table("age_gender", [("18-35", (9, 9, 1, 2))]),
    }
    out = suppression.recode_tables(tables)
    assert [r.key for r in out["gender"].rows] == ["F", "M", "X|N"]
    assert out["gender"].rows[2].values == (3,)  # and the breakdown keeps the total only
    assert out["age_gender"].column_keys == ("F", "M", "X|N", TOTAL)
    assert out["age_gender"].rows[0].values == (9, 9, 3, 21)


def test_small_origin_classes_are_merged_into_one_row_with_a_note():
    rows = [("casalasco", (1, 40)), ("cremona", (0, 6)), ("mantova", (0, 1)),
            ("lombardia", (0, 0)), ("italia", (0, 1)), ("estero", (0, 0))]  # fmt: skip
    table = desk_table("origin", rows, columns=("1", TOTAL))
    out = suppression.recode_tables({"origin": table})["origin"]
    # two small classes would still be small: the next smallest joins them
    assert [r.key for r in out.rows] == ["casalasco", "cremona|mantova|italia", "lombardia",
                                         "estero"]  # fmt: skip
    assert out.rows[1].values == (8,)  # outside, breakdowns keep the total column only
    assert "Altra provenienza" in out.rows[1].label and "Altra provenienza" in out.note


def test_one_small_class_is_merged_with_the_next_smallest():
    rows = [("casalasco", (1, 40)), ("cremona", (0, 6)), ("mantova", (0, 4)),
            ("lombardia", (0, 0)), ("italia", (0, 1)), ("estero", (0, 0))]  # fmt: skip
    table = desk_table("origin", rows, columns=("1", TOTAL))
    out = suppression.recode_tables({"origin": table})["origin"]
    assert [r.key for r in out.rows][:3] == ["casalasco", "cremona", "mantova|italia"]
    assert out.rows[2].values == (5,)


def test_unions_of_bands_are_relations_of_the_model():
    """45+ = 45–54 + 55+ and 18–35 + 36–44 + 45–54 = 18–29 + 30–54, found as linear
    dependencies of the bands' sets, across tables."""
    ages = [("u18", (0, 1, 1)), ("18-35", (10, 5, 15)), ("36-44", (4, 4, 8)),
            ("45-54", (3, 3, 6)), ("55+", (2, 4, 6))]  # fmt: skip
    esf = [("u18", (0, 1, 1)), ("18-29", (6, 2, 8)), ("30-54", (11, 10, 21)),
           ("55+", (2, 4, 6))]  # fmt: skip
    groups = [("aged_45_plus", (5, 7, 12))]
    model = build_model({
        "age_band": desk_table("age_band", ages),
        "age_band_esf": desk_table("age_band_esf", esf),
        "groups": desk_table("groups", groups, total=False),
    })  # fmt: skip
    described = {
        tuple(sorted((model.values[v], c) for v, c in r.terms)) for r in model.relations if r.equal
    }
    # desk 1: 45+ (5) = 45-54 (3) + 55+ (2)
    assert (
        tuple(sorted([(5, -1), (3, 1), (2, 1)])) in described
        or tuple(sorted([(5, 1), (3, -1), (2, -1)])) in described
    )
    # every relation holds on the true figures
    assert all(r.holds(model.values) for r in model.relations)


def test_a_person_at_two_desks_gives_at_least_not_equal():
    # 1 + 1 people at the desks, 1 in total: the same person at both.
    people = desk_table("people", [("people", (4, 3, 6))], total=False)
    model = build_model({"people": people})
    (relation,) = [r for r in model.relations if len(r.terms) == 3]
    assert not relation.equal and relation.holds(model.values)


def test_a_lone_small_cell_gets_complements_and_nothing_is_left_pinned():
    tables = {"t": plain("t", [("a", (1, 6, 7)), ("b", (9, 4, 13))])}
    out = suppress_tables(tables)["t"]
    assert out.rows[0].values[0] == SMALL
    assert sum(v in (SMALL, HIDDEN) for v in out.rows[0].values) >= 2
    assert sum(v in (SMALL, HIDDEN) for r in out.rows for v in r.values[:1]) >= 2


def test_a_small_cell_alone_beside_zeros_is_protected_along_the_chain():
    """The article quarter's two referral tables (by kind, by partner; outcomes in columns,
    the total row shared). "tirocinio / tirocinio avviato" (2) is the only figure of its row
    and column, so every relation beside it holds zeros and cells hidden with it; what pins
    it is further along, through the partner table. Hiding a cell along that chain protects
    it: neither table is sent hidden whole."""
    outcomes = ("in_corso", "assunzione", "tirocinio", "corso", "non_sel", "rinuncia", TOTAL)
    kind = plain(
        "referral_kind",
        [
            ("corso_professionale", (5, 0, 0, 3, 0, 0, 8)),
            ("candidatura", (0, 2, 0, 0, 4, 0, 6)),
            ("tirocinio", (0, 0, 2, 0, 0, 0, 2)),
            ("sil", (3, 0, 0, 0, 0, 0, 3)),
            ("gol", (0, 0, 0, 0, 0, 1, 1)),
            ("garanzia_giovani", (5, 0, 0, 0, 0, 0, 5)),
        ],
        columns=outcomes,
    )
    partner = plain(
        "referral_partner",
        [
            ("2", (5, 0, 0, 3, 0, 0, 8)),
            ("1", (0, 2, 2, 0, 4, 0, 8)),
            ("3", (3, 0, 0, 0, 0, 0, 3)),
            ("None", (5, 0, 0, 0, 0, 1, 6)),
        ],
        columns=outcomes,
    )
    out = suppress_tables({"referral_kind": kind, "referral_partner": partner})
    assert out["referral_kind"].rows[2].values == (0, 0, SMALL, 0, 0, 0, SMALL)
    assert out["referral_kind"].note == kind.note  # not hidden whole
    assert out["referral_partner"].note == partner.note
    shown = [v for t in out.values() for r in (*t.rows, t.total) for v in r.values]
    assert sum(isinstance(v, int) and v > 0 for v in shown) >= 15  # most figures stay


@settings(max_examples=15, derandomize=True, deadline=None)
@given(st.lists(st.tuples(*(st.integers(0, 6),) * 2), min_size=2, max_size=4))
def test_no_hidden_cell_of_a_small_table_can_be_worked_out(body):
    """Brute force over every table of counts the visible figures and markers allow: each
    hidden cell can take at least two values."""
    rows = [(f"r{i}", (a, b, a + b)) for i, (a, b) in enumerate(body)]
    table = plain("t", rows)
    shown = suppress_tables({"t": table})["t"]
    grid = [list(r.values) for r in (*shown.rows, shown.total)]
    hidden = [
        (r, c) for r in range(len(grid) - 1) for c in range(2) if grid[r][c] in (SMALL, HIDDEN)
    ]
    if not hidden or len(hidden) > 6:
        return
    ranges = [range(1, 3) if grid[r][c] == SMALL else range(3, 13) for r, c in hidden]
    seen: dict[tuple[int, int], set[int]] = {cell: set() for cell in hidden}
    for values in itertools.product(*ranges):
        trial = [row[:] for row in grid]
        for (r, c), v in zip(hidden, values, strict=True):
            trial[r][c] = v
        body_rows = trial[:-1]
        if any(isinstance(x, str) for row in body_rows for x in row[:2]):
            continue
        totals_ok = all(
            isinstance(row[2], str) or row[0] + row[1] == row[2] for row in body_rows
        ) and all(
            isinstance(trial[-1][c], str) or sum(row[c] for row in body_rows) == trial[-1][c]
            for c in range(2)
        )
        if totals_ok:
            for cell, v in zip(hidden, values, strict=True):
                seen[cell].add(v)
    for cell, values in seen.items():
        assert len(values) >= 2, (body, grid, cell, values)


def test_shares_are_hidden_with_their_counts():
    modes = [("presenza", (30, 20, 50)), ("telefono", (1, 10, 11)), ("video", (9, 0, 9)),
             ("email", (0, 0, 0))]  # fmt: skip
    shares = desk_table("meeting_shares", [("remote", (25, 33, 28))], total=False,
                        counts_people=False)  # fmt: skip
    tables = {
        "meeting_mode": desk_table("meeting_mode", modes),
        "meeting_attendance": desk_table(
            "meeting_attendance", [("attended", (40, 28, 68)), ("no_show", (0, 2, 2))]
        ),
        "meeting_shares": dataclass_replace_values(shares, (25.0, 33.3, 28.6)),
    }
    out = suppress_tables(tables)
    remote = out["meeting_shares"].rows[0].values
    assert remote[0] == HIDDEN  # a telephone meeting hidden at desk 1
    assert list(out) == list(tables)


def dataclass_replace_values(table, values):
    import dataclasses

    return dataclasses.replace(table, rows=(dataclasses.replace(table.rows[0], values=values),))


def test_unknown_derived_tables_are_hidden_whole_and_say_so():
    t = plain("new_means", [("m", (1, 2, 1))], total=False, counts_people=False)
    t = dataclass_replace_values(t, (1.5, 2.0, 1.8))
    out = suppress_tables({"new_means": t})["new_means"]
    assert out.rows[0].values == (HIDDEN,) * 3
    assert out.note


def test_a_mean_is_hidden_where_the_distribution_it_summarises_hides_a_figure():
    """Meetings per person: with the people shown, the mean gives the meetings of the
    distribution by number of meetings (0, 1, 2, 3 or more); where that table hides a
    figure (outside it has the total column only), the mean is hidden too — by column."""
    people = desk_table("people", [("people", (20, 15, 35))], total=False)
    per_person = desk_table(
        "meetings_per_person",
        [("0", (5, 5, 10)), ("1", (10, 8, 18)), ("2", (4, 2, 6)), ("3", (1, 0, 1))],
    )
    mean = dataclass_replace_values(
        desk_table("meetings_mean", [("mean", (0, 0, 0))], total=False, counts_people=False),
        (1.05, 0.8, 0.94),
    )
    out = suppress_tables(
        {"people": people, "meetings_per_person": per_person, "meetings_mean": mean}
    )
    assert out["meetings_per_person"].rows[3].values[-1] == SMALL
    assert out["meetings_mean"].rows[0].values == (1.05, 0.8, HIDDEN)
