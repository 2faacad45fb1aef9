"""Disclosure control of the files that leave the consortium (the "external" variant).

In 17 small comuni a count of 1 or 2 can name a person (DESIGN.md, "Small numbers identify
people"). The external workbook is protected as **one set of linked tables**, by the method
national statistics offices use for tables like these: **recoding, then cell suppression
with linked-table secondary suppression and an exact audit** (Hundepool et al.,
*Statistical Disclosure Control*, 2012, chapters 4 and 5; τ-ARGUS calls it "linked tables").

1. **Recoding** (:func:`recode_tables`): small categories are merged before anything is
   hidden, so that the headline figures survive. Non-binary and "not stated" are always one
   row/column ("Non binario o non dichiarato"); the origin classes of 1 or 2 people are
   merged into "Altra provenienza" (with the next smallest class when one alone would still
   be small); the comuni of 1 or 2 people go into "Altri comuni".
2. **The file as one system** (:class:`Model`): every count cell of every table is the count
   of a set of people, intakes, meetings or referrals, described by its *identity* (what it
   counts and under which conditions: desk, gender, age band, ...). The same identity in two
   tables is one unknown (the desks' 55+ band and the ESF+ 55+ band; the people row and the
   total row of every breakdown). The relations a reader can use are generated from the
   identities, for every table alike: rows adding up to the total row and columns to the
   total column; unions of categories ("45 anni o più" = 45–54 + 55+, "18–35" + 36–44 + 45–54
   = 18–29 + 30–54, inactive = inactive + students, accesses = intakes + meetings) found as the
   linear dependencies of the categories' sets; a subset never counts more than its set
   (long-term unemployed ≤ unemployed); and for people, who may be at two desks, "the desk
   columns add up to **at least** the total" and "a desk counts no more than the total".
   Every relation is checked on the true figures first and kept only if it holds, so the
   protection never reasons from an equation that is false.
3. **Primary suppression**: every count of 1 or 2 is shown as ``"<3"`` (zero stays 0: an
   empty cell names nobody).
4. **Secondary suppression**: a hidden cell must not be *pinned*. The audit solves, for each
   hidden cell, the smallest and the largest value it can take given every visible figure,
   every relation and what the markers promise (``"<3"`` is 1–2, ``"n.d."`` is 3 or more), as
   integer linear programs (HiGHS). While some hidden cell has min == max, one more cell is
   hidden on one of its relations: the cheapest, where headline figures (women and men of
   the total column) cost most, then figures shared by several tables, then larger values;
   when none of them frees it (a chain of relations pins it), one on the relations of the
   hidden cells linked to it that does (checked before it is hidden).
   In a file of 30 people or more the total column's people, intakes, meetings and
   Casalasco residents are never hidden (:func:`never_hidden_identities`): a cell only they
   could unpin stays pinned, and its tables are sent hidden whole (6.). In a smaller file
   they are the last cells hidden, but can be. This ends: every step hides a cell.
   Secondary cells show ``"n.d."`` (non divulgabile): writing ``"<3"`` there would be false.
5. **Derived figures**: a mean or a percentage is hidden (``"n.d."``) in a column where a
   count it is computed from is hidden.
6. **Never silently**: a table the routine cannot protect (or a table of figures whose
   sources it does not know) is hidden whole and says so in its note on the sheet.

Why suppression rather than a perturbative method (the cell-key method): the file is read
by the Region and by partners who add its figures up, and every visible figure stays exact
and consistent with the internal file. What it costs: when non-binary and not stated people
are 1 or 2 in total, the only way to protect them is to hide women or men too (a perturbed
file would show every figure, each a little off). The definitions sheet says all of this to
the reader (:func:`reader_notes`).

The functions here are pure (values in, values out); the file's own attacker test
(``tests/reports/test_disclosure_attack.py``) reads the workbook back and does not import
this module's internals.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeGuard

import highspy
from django.utils.translation import gettext as _

from reports.tables import TOTAL, Row, Shown, Table

SMALL = "<3"  # primary: a count of 1 or 2
HIDDEN = "n.d."  # secondary (3 or more), or a mean/percentage over a hidden count
THRESHOLD = 3  # counts 1 .. THRESHOLD-1 are small
_TRIES = 12  # complements tried for a pinned cell before taking the cheapest
UTILITY_PEOPLE = 30  # from this many people taken in, the headline figures stay (item 4)

MERGE = "|"  # a recoded row or column key: the keys it merges, joined
OTHER_GENDER = "X|N"  # non-binary and not stated, always one row/column outside
OTHER_ORIGIN_PREFIX = "altro:"

Conds = Mapping[str, frozenset[str]]
Identity = tuple[str, frozenset[tuple[str, frozenset[str]]]]
CellRef = tuple[str, int, int]  # (table key, row index with the total row last, column)


def is_small(value: object) -> bool:
    """A count that could name a person: 1 or 2 (never 0, never a mean)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def is_hidden(value: object) -> bool:
    return value in (SMALL, HIDDEN)


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _rows(table: Table[Shown]) -> list[Row[Shown]]:
    return [*table.rows, *([table.total] if table.total is not None else [])]


# --- 1. Recoding --------------------------------------------------------------------------


def _merge_rows(rows: Sequence[Row[Shown]], keys: Sequence[str], label: str) -> list[Row[Shown]]:
    """``rows`` with those of ``keys`` replaced by one row (their sum) where the first was."""
    merged = [r for r in rows if r.key in keys]
    if len(merged) < 2:
        return list(rows)
    values = tuple(
        sum(int(v) for v in column if _is_count(v))
        for column in zip(*(r.values for r in merged), strict=True)
    )
    out: list[Row[Shown]] = []
    for row in rows:
        if row is merged[0]:
            out.append(Row(label, values, MERGE.join(r.key for r in merged)))
        elif row not in merged:
            out.append(row)
    return out


def _merge_gender_columns(table: Table[Shown]) -> Table[Shown]:
    keys = list(table.keys_of_columns)
    if "X" not in keys or "N" not in keys:
        return table
    x, n = keys.index("X"), keys.index("N")

    def merge(row: Row[Shown]) -> Row[Shown]:
        values = list(row.values)
        a, b = values[x], values[n]
        values[x] = (int(a) if _is_count(a) else 0) + (int(b) if _is_count(b) else 0)
        del values[n]
        return dataclasses.replace(row, values=tuple(values))

    columns = list(table.columns)
    columns[x] = _("Non binario o non dichiarato")
    del columns[n]
    keys[x] = OTHER_GENDER
    del keys[n]
    return dataclasses.replace(
        table,
        columns=tuple(columns),
        column_keys=tuple(keys),
        rows=tuple(merge(r) for r in table.rows),
        total=merge(table.total) if table.total is not None else None,
    )


def _total_of(row: Row[Shown]) -> int:
    value = row.values[-1]
    return int(value) if _is_count(value) else 0


def _recode_origin(table: Table[Shown]) -> Table[Shown]:
    """Origin classes of 1 or 2 people (in total) merged into one row, with the next
    smallest class when they would still add up to less than 3; Casalasco always stays."""
    candidates = [r for r in table.rows if r.key != "casalasco"]
    small = [r for r in candidates if is_small(_total_of(r))]
    if not small:
        return table
    rest = sorted(
        (r for r in candidates if r not in small and _total_of(r) > 0),
        key=lambda r: (_total_of(r), [x.key for x in candidates].index(r.key)),
    )
    while (len(small) < 2 or sum(map(_total_of, small)) < THRESHOLD) and rest:
        small.append(rest.pop(0))
    if len(small) < 2:
        return table
    order = [r.key for r in table.rows]
    small.sort(key=lambda r: order.index(r.key))
    label = _("Altra provenienza (%(classes)s)") % {"classes": ", ".join(r.label for r in small)}
    rows = _merge_rows(table.rows, [r.key for r in small], label)
    note = _(
        "Versione esterna: le provenienze con meno di 3 persone sono unite nella riga "
        "«Altra provenienza»."
    )
    return dataclasses.replace(table, rows=tuple(rows), note=f"{note} {table.note}".strip())


def _recode_comuni(table: Table[Shown]) -> Table[Shown]:
    """The comuni of 1 or 2 people (in total) counted among "Altri comuni"."""
    small = [r for r in table.rows if r.key not in ("others", "abroad") and is_small(_total_of(r))]
    if not small:
        return table
    others = next((r for r in table.rows if r.key == "others"), None)
    if others is None:
        return table
    rows = _merge_rows(table.rows, [*(r.key for r in small), "others"], others.label)
    rows = [dataclasses.replace(r, key="others") if MERGE in r.key else r for r in rows]
    order = [r for r in rows if r.key not in ("others", "abroad")]
    order += [r for r in rows if r.key in ("others", "abroad")]
    note = _("Versione esterna: i comuni con meno di 3 persone sono contati in «Altri comuni».")
    return dataclasses.replace(table, rows=tuple(order), note=f"{note} {table.note}".strip())


# Per-desk tables that keep their desk columns outside: the people, intakes, meetings and
# accesses of each desk, and how the meetings went. The breakdowns of the people (who they
# are) show the total of the desks only.
_BY_DESK = ("people", "meeting_mode", "meeting_attendance", "meetings_mean", "meeting_shares")


def _total_column_only(table: Table[Shown]) -> Table[Shown]:
    keys = table.keys_of_columns
    if TOTAL not in keys or len(keys) == 1:
        return table
    t = keys.index(TOTAL)

    def keep(row: Row[Shown]) -> Row[Shown]:
        return dataclasses.replace(row, values=(row.values[t],))

    note = _(
        "Versione esterna: solo il totale degli sportelli selezionati (per sportello i "
        "numeri di un trimestre sono troppo piccoli per uscire dal consorzio)."
    )
    return dataclasses.replace(
        table,
        columns=(table.columns[t],),
        column_keys=(TOTAL,),
        rows=tuple(keep(r) for r in table.rows),
        total=keep(table.total) if table.total is not None else None,
        note=f"{table.note} {note}".strip(),
    )


def recode_tables(tables: Mapping[str, Table[Shown]]) -> dict[str, Table[Shown]]:
    """Every table with its small categories merged (step 1 of the module docstring)."""
    out: dict[str, Table[Shown]] = {}
    for key, table in tables.items():
        if table.column_dim == "desk" and key not in _BY_DESK:
            table = _total_column_only(table)
        if table.column_dim == "gender":
            table = _merge_gender_columns(table)
        if key == "gender":
            label = _("Non binario o non dichiarato")
            rows = _merge_rows(table.rows, ("X", "N"), label)
            table = dataclasses.replace(table, rows=tuple(rows))
        elif key == "origin":
            table = _recode_origin(table)
        elif key == "comuni":
            table = _recode_comuni(table)
        out[key] = table
    return out


# --- 2. Identities: what each cell counts -------------------------------------------------

# Age bands as sets of the common refinement of the desks' and the ESF+ bands.
_AGE = {
    "u18": ("u18",),
    "18-35": ("18-29", "30-35"),
    "36-44": ("36-44",),
    "45-54": ("45-54",),
    "55+": ("55+",),
    "18-29": ("18-29",),
    "30-54": ("30-35", "36-44", "45-54"),
}
# Which dimension the rows of a table split (default: the table's own, linked to nothing).
_ROW_DIM = {
    "meetings_per_person": "meetings_per_person",
    "age_band": "age",
    "age_band_esf": "age",
    "age_gender": "age",
    "esf_age": "age",
    "gender": "gender",
    "origin": "origin",
    "comuni": "comune",
    "labour_status": "labour",
    "isced": "isced",
    "esf_isced": "isced",
    "meeting_mode": "mode",
    "referral_kind": "referral_kind",
    "referral_partner": "partner",
}
_BASE = {
    "meeting_mode": "contacts",
    "meeting_attendance": "contacts",
    "referral_kind": "referrals",
    "referral_partner": "referrals",
}
_RECORDED = {"kind": frozenset({"attended", "missed"})}
_EXTRA: dict[str, Conds] = {"meeting_mode": _RECORDED}


def _f(*values: str) -> frozenset[str]:
    return frozenset(values)


# Rows whose identity is not "their key in the table's dimension".
_ROW_IDENTITY: dict[str, dict[str, tuple[str, Conds]]] = {
    "people": {
        "people": ("people", {}),
        "intakes": ("contacts", {"kind": _f("intake")}),
        "meetings": ("contacts", {"kind": _f("attended")}),
        "accesses": ("contacts", {"kind": _f("intake", "attended")}),
    },
    "meeting_attendance": {
        "attended": ("contacts", {"kind": _f("attended")}),
        "no_show": ("contacts", {"kind": _f("missed")}),
    },
    "groups": {
        "recent_graduate": ("people", {"recent_graduate": _f("yes")}),
        "women_returning": ("people", {"returning": _f("yes"), "gender": _f("F")}),
        "aged_45_plus": ("people", {"age": _f("45-54", "55+")}),
    },
    "esf_labour": {
        "unemployed": ("people", {"labour": _f("disoccupato")}),
        "long_term_unemployed": ("people", {"labour": _f("disoccupato"), "long_term": _f("yes")}),
        "inactive": ("people", {"labour": _f("inattivo", "studente")}),
        "employed": ("people", {"labour": _f("occupato")}),
    },
    "esf_other": {
        "third_country": ("people", {"citizenship": _f("EXTRA_UE")}),
        "rural": ("people", {"rural": _f("yes")}),
        "total": ("people", {}),
    },
}
# The dimensions whose categories do not cover everything of their base (a total row over
# them is the union of its rows, not "everything").
_UNIVERSE = {"kind": _f("intake", "attended", "missed")}
# Columns of the trend table: (base, conditions) for a month.
_TREND = {
    "people": ("people", "first_month", {}),
    "intakes": ("contacts", "month", {"kind": _f("intake")}),
    "meetings": ("contacts", "month", {"kind": _f("attended")}),
    "accesses": ("contacts", "month", {"kind": _f("intake", "attended")}),
}
# Tables of means and percentages: the count tables they are computed from (a figure is
# hidden in a column where one of their counts is hidden). Unknown ones are hidden whole.
_DERIVED = {
    # the mean of meetings per person: with the people, it gives the meetings of the
    # distribution by number of meetings (whose figures it must not help to pin)
    "meetings_mean": ("people", "meetings_per_person"),
    "meeting_shares": ("meeting_mode", "meeting_attendance"),
    # The agenda's no-show rate: missed over recorded appointments, by mode and desk.
    "no_show_rate": ("appointments_recorded", "appointments_missed"),
}
# The headline figures the secondary suppression hides last (the utility guarantee).
_KEEP: set[Identity] = set()


def _identity(base: str, conds: Conds) -> Identity:
    return base, frozenset((d, frozenset(v)) for d, v in conds.items())


def _fine(dim: str, key: str) -> frozenset[str]:
    parts = key.split(MERGE)
    if dim == "age":
        return frozenset(x for p in parts for x in _AGE.get(p, (p,)))
    return frozenset(parts)


def _row_identity(table: Table[Shown], row: Row[Shown]) -> tuple[str, dict[str, frozenset[str]]]:
    declared = _ROW_IDENTITY.get(table.key, {}).get(row.key)
    if declared is not None:
        return declared[0], dict(declared[1])
    dim = _ROW_DIM.get(table.key, f"table:{table.key}")
    conds = {dim: _fine(dim, row.key), **_EXTRA.get(table.key, {})}
    return _BASE.get(table.key, "people"), conds


def _total_row_identity(table: Table[Shown]) -> tuple[str, dict[str, frozenset[str]]] | None:
    """The total row counts the union of the rows: each dimension on which they are split
    is dropped, unless its categories do not cover everything (``_UNIVERSE``)."""
    found = [_row_identity(table, row) for row in table.rows]
    if not found or len({base for base, _c in found}) != 1:
        return None
    conds: dict[str, frozenset[str]] = {}
    for dim in set.intersection(*(set(c) for _b, c in found)):
        union = frozenset().union(*(c[dim] for _b, c in found))
        if dim in _UNIVERSE and union != _UNIVERSE[dim]:
            conds[dim] = union
        elif len({c[dim] for _b, c in found}) == 1:
            conds[dim] = union  # every row shares it (e.g. recorded meetings)
    return found[0][0], conds


def _column_conds(table: Table[Shown], column: int) -> dict[str, frozenset[str]]:
    key = table.keys_of_columns[column]
    if key == TOTAL or not table.column_dim:
        return {}
    return {table.column_dim: frozenset(key.split(MERGE))}


def _cell_identity(table: Table[Shown], r: int, c: int) -> Identity | None:
    """What cell (r, c) of ``table`` counts; None for a figure that is not a count."""
    rows = _rows(table)
    row, is_total = rows[r], table.total is not None and r == len(rows) - 1
    if table.key == "trend":
        base, dim, conds = _TREND.get(table.keys_of_columns[c], ("", "", {}))
        if not base:
            return None
        return _identity(base, {**conds, **({} if is_total else {dim: _f(row.key)})})
    if table.key == "change":
        column = table.keys_of_columns[c]
        if column not in ("now", "before") or row.key not in _ROW_IDENTITY["people"]:
            return None
        base, declared = _ROW_IDENTITY["people"][row.key]
        return _identity(base if column == "now" else f"previous:{base}", declared)
    if is_total:
        found = _total_row_identity(table)
        if found is None:
            return None
        base, conds = found
    else:
        base, conds = _row_identity(table, row)
    return _identity(base, {**conds, **_column_conds(table, c)})


def never_hidden_identities() -> set[Identity]:
    """The headline figures the utility guarantee (issue 11 item 4) keeps whatever it
    costs, in a file of at least ``UTILITY_PEOPLE`` people: the total column's people,
    intakes, meetings and Casalasco residents. No secondary suppression hides them; a small
    cell that only hiding one of them could protect leaves its tables unprotected instead,
    hidden whole with a note."""
    return {
        _identity("people", {}),
        _identity("contacts", {"kind": _f("intake")}),
        _identity("contacts", {"kind": _f("attended")}),
        _identity("people", {"origin": _f("casalasco")}),
    }


def keep_identities() -> set[Identity]:
    """The figures the utility guarantee keeps visible when it can (total column)."""
    return {
        _identity("people", {}),
        _identity("contacts", {"kind": _f("intake")}),
        _identity("contacts", {"kind": _f("attended")}),
        _identity("people", {"origin": _f("casalasco")}),
        _identity("people", {"gender": _f("F")}),
        _identity("people", {"gender": _f("M")}),
        # hiding the other genders' total when it is 3 or more would force women or men out
        _identity("people", {"gender": _f("X", "N")}),
    }


# --- The model: unknowns and relations -----------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """``sum(coefficient * x) == 0`` (``equal``) or ``>= 0`` over the model's unknowns."""

    terms: tuple[tuple[int, int], ...]  # (unknown, integer coefficient)
    equal: bool

    def holds(self, values: Sequence[int]) -> bool:
        total = sum(coef * values[v] for v, coef in self.terms)
        return total == 0 if self.equal else total >= 0


@dataclass
class Model:
    """The count cells of the file as unknowns (one per distinct figure) and the relations
    between them that hold on the true figures."""

    values: list[int] = field(default_factory=list)
    identities: list[Identity | None] = field(default_factory=list)
    cells: dict[CellRef, int] = field(default_factory=dict)
    tables_of: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    relations: list[Relation] = field(default_factory=list)
    _index: dict[tuple[Identity, int], int] = field(default_factory=dict)

    def unknown(self, identity: Identity | None, value: int) -> int:
        """The unknown for this figure: the same identity and value is the same unknown
        (the same identity with another value is not: the identity was not what the
        figure counts, and the model must never reason from a false equation)."""
        if identity is not None and (identity, value) in self._index:
            return self._index[(identity, value)]
        self.values.append(value)
        self.identities.append(identity)
        if identity is not None:
            self._index[(identity, value)] = len(self.values) - 1
        return len(self.values) - 1

    def add(self, terms: Iterable[tuple[int, int]], *, equal: bool) -> None:
        merged: dict[int, int] = defaultdict(int)
        for v, coef in terms:
            merged[v] += coef
        relation = Relation(tuple(sorted((v, c) for v, c in merged.items() if c)), equal)
        if len(relation.terms) >= 2 and relation.holds(self.values):
            self.relations.append(relation)


def build_model(tables: Mapping[str, Table[Shown]]) -> Model:
    """Every count cell of ``tables`` as an unknown, with every relation of the module
    docstring (step 2) that holds on the true figures."""
    model = Model()
    for table in tables.values():
        if not (table.counts_people or table.key == "change"):
            continue
        for r, row in enumerate(_rows(table)):
            for c, value in enumerate(row.values):
                if not _is_count(value):
                    continue
                identity = _cell_identity(table, r, c)
                if identity is None and not table.counts_people:
                    continue
                v = model.unknown(identity, int(value))
                model.cells[(table.key, r, c)] = v
                model.tables_of[v].add(table.key)
    for table in tables.values():
        _table_relations(model, table)
    _union_relations(model)
    return model


def _table_relations(model: Model, table: Table[Shown]) -> None:
    """Rows add up to the total row; columns to the total column (for people at several
    desks: to at least the total, and each to no more than it)."""
    rows = _rows(table)
    width = len(table.columns)
    cell = model.cells.get
    if table.total is not None:
        last = len(rows) - 1
        for c in range(width):
            parts = [cell((table.key, r, c)) for r in range(last)]
            total = cell((table.key, last, c))
            if total is not None and None not in parts:
                model.add([*((p, 1) for p in parts if p is not None), (total, -1)], equal=True)
    keys = table.keys_of_columns
    if TOTAL in keys and table.column_dim:
        t = keys.index(TOTAL)
        for r in range(len(rows)):
            parts = [cell((table.key, r, c)) for c in range(width) if c != t]
            total = cell((table.key, r, t))
            if total is None or None in parts:
                continue
            terms = [*((p, 1) for p in parts if p is not None), (total, -1)]
            model.add(terms, equal=True)
            model.add(terms, equal=False)  # kept when only "at least" holds
            for p in parts:
                if p is not None:
                    model.add([(total, 1), (p, -1)], equal=False)


def _union_relations(model: Model) -> None:
    """Within each family of cells counting the same base under the same other conditions,
    every linear dependency of their categories' sets is an equation (e.g. 45+ = 45–54 +
    55+): the null space of the membership matrix, over the rationals."""
    families: dict[tuple[str, str, frozenset[tuple[str, frozenset[str]]]], set[int]] = defaultdict(
        set
    )
    for v, identity in enumerate(model.identities):
        if identity is None:
            continue
        base, conds = identity
        for dim, _values in conds:
            rest = frozenset(x for x in conds if x[0] != dim)
            families[(base, dim, rest)].add(v)
    for (_base, dim, _rest), members in families.items():
        if len(members) < 2:
            continue
        ordered = sorted(members)
        sets = [dict(model.identities[v][1])[dim] for v in ordered]  # type: ignore[index]
        atoms = sorted(frozenset().union(*sets))
        matrix = [[Fraction(int(a in s)) for s in sets] for a in atoms]
        for vector in _null_space(matrix, len(ordered)):
            model.add(zip(ordered, vector, strict=True), equal=True)


def _null_space(matrix: list[list[Fraction]], n: int) -> list[list[int]]:
    """A basis of {x : matrix x = 0}, as integer vectors (Gauss-Jordan over fractions)."""
    rows = [row[:] for row in matrix]
    pivots: list[int] = []
    r = 0
    for c in range(n):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][c]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
    basis = []
    for free in (c for c in range(n) if c not in pivots):
        vector = [Fraction(0)] * n
        vector[free] = Fraction(1)
        for i, c in enumerate(pivots):
            vector[c] = -rows[i][free]
        scale = 1
        for x in vector:
            scale = scale * x.denominator // _gcd(scale, x.denominator)
        basis.append([int(x * scale) for x in vector])
    return basis


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _refines(a: Identity, b: Identity) -> bool:
    """Every person (or event) counted by ``a`` is counted by ``b``."""
    if a[0] != b[0] or a == b:
        return False
    conds_a = dict(a[1])
    return all(dim in conds_a and conds_a[dim] <= values for dim, values in b[1])


# --- 3–4. Primary and secondary suppression, with the audit --------------------------------


@dataclass
class Protection:
    """The outcome: which unknowns are hidden, which of them as "<3", and the tables the
    routine could not protect (hidden whole, with a note)."""

    model: Model
    hidden: set[int]
    primary: set[int]
    unprotected: set[str]


class _Audit:
    """Which hidden unknowns a reader can pin down, by integer linear programming."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.by_base: dict[str, list[int]] = defaultdict(list)
        for v, identity in enumerate(model.identities):
            if identity is not None:
                self.by_base[identity[0]].append(v)
        self.monotone: dict[int, list[Relation]] = {}
        self.cache: dict[tuple[frozenset[int], bool], set[int]] = {}

    def subset_relations(self, v: int) -> list[Relation]:
        """``x_a <= x_b`` for each pair where one is ``v`` and ``a``'s set lies in ``b``'s."""
        if v not in self.monotone:
            found = []
            identity = self.model.identities[v]
            if identity is not None:
                for w in self.by_base[identity[0]]:
                    other = self.model.identities[w]
                    assert other is not None
                    if _refines(identity, other):
                        found.append(Relation(((w, 1), (v, -1)), equal=False))
                    elif _refines(other, identity):
                        found.append(Relation(((v, 1), (w, -1)), equal=False))
            self.monotone[v] = [r for r in found if r.holds(self.model.values)]
        return self.monotone[v]

    def relations_of(self, hidden: set[int]) -> list[Relation]:
        found = [r for r in self.model.relations if any(v in hidden for v, _c in r.terms)]
        for v in sorted(hidden):
            found.extend(self.subset_relations(v))
        return found

    def pinned(self, hidden: set[int], primary: set[int], *, integer: bool) -> list[int]:
        relations = self.relations_of(hidden)
        components = _components(hidden, relations)
        pinned: list[int] = []
        for component in components:
            key = (frozenset(component), integer)
            if key not in self.cache:
                own = [r for r in relations if any(v in component for v, _c in r.terms)]
                self.cache[key] = _solve(self.model, component, primary, own, integer=integer)
            pinned.extend(self.cache[key])
        return sorted(pinned)

    def still_pinned(self, v: int, hidden: set[int], primary: set[int]) -> bool:
        """Whether ``v`` is pinned when ``hidden`` are hidden (linear relaxation)."""
        relations = self.relations_of(hidden)
        component = next(c for c in _components(hidden, relations) if v in c)
        own = [r for r in relations if any(w in component for w, _c in r.terms)]
        return bool(_solve(self.model, component, primary, own, integer=False, only=v))


def _components(hidden: set[int], relations: Sequence[Relation]) -> list[set[int]]:
    parent = {v: v for v in hidden}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for relation in relations:
        members = [v for v, _c in relation.terms if v in hidden]
        for a, b in itertools.pairwise(members):
            parent[find(a)] = find(b)
    groups: dict[int, set[int]] = defaultdict(set)
    for v in hidden:
        groups[find(v)].add(v)
    return list(groups.values())


def _program(
    model: Model,
    component: set[int],
    primary: set[int],
    relations: Sequence[Relation],
    *,
    integer: bool,
) -> tuple[highspy.Highs, dict[int, highspy.highs_var]]:
    """The (integer) linear program of a component: its hidden unknowns within what their
    markers promise, and every relation with the visible figures as constants."""
    h = highspy.Highs()
    h.silent()
    x = {}
    for v in sorted(component):
        low, high = (1, THRESHOLD - 1) if v in primary else (THRESHOLD, highspy.kHighsInf)
        x[v] = h.addIntegral(lb=low, ub=high) if integer else h.addVariable(lb=low, ub=high)
    for relation in relations:
        inside = [(x[v], coef) for v, coef in relation.terms if v in component]
        if not inside:
            continue
        constant = sum(coef * model.values[v] for v, coef in relation.terms if v not in component)
        expr = sum((coef * var for var, coef in inside[1:]), inside[0][1] * inside[0][0])
        h.addConstr(expr == -constant if relation.equal else expr >= -constant)
    return h, x


def _solve(
    model: Model,
    component: set[int],
    primary: set[int],
    relations: Sequence[Relation],
    *,
    integer: bool = True,
    only: int | None = None,
) -> set[int]:
    """The unknowns of ``component`` whose smallest and largest feasible values coincide.

    A feasible solution that differs from the true figures in an unknown proves that
    unknown is not pinned; a few solutions with mixed objectives settle most of them at
    once, and the rest get their own minimum and maximum."""
    h, x = _program(model, component, primary, relations, integer=integer)
    optimal = highspy.HighsModelStatus.kOptimal
    undecided = sorted(component) if only is None else [only]

    def settle() -> bool:
        """Drop what the last solution moves off its true value; True if ``undecided[0]``."""
        if h.getModelStatus() != optimal:
            return False
        first = undecided[0]
        moved = {v for v in undecided if abs(h.val(x[v]) - model.values[v]) > 0.5}
        undecided[:] = [v for v in undecided if v not in moved]
        return first in moved

    for pattern in range(4):
        if not undecided:
            break
        signs = [1 if (i + pattern) % (2 + pattern // 2) else -1 for i in range(len(undecided))]
        terms = [s * x[v] for s, v in zip(signs, undecided, strict=True)]
        h.maximize(sum(terms[1:], terms[0]))
        settle()
    pinned = set()
    while undecided:
        v = undecided[0]
        h.maximize(x[v])
        if h.getModelStatus() != optimal:  # unbounded above: not pinned
            undecided.pop(0)
        elif not settle():
            h.minimize(x[v])
            if not settle():
                pinned.add(v)
                undecided.pop(0)
    return pinned


class _Secondary:
    """Secondary suppression: hide more cells until no hidden one is pinned."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.primary = {v for v, value in enumerate(model.values) if is_small(value)}
        self.hidden = set(self.primary)
        self.keep = keep_identities()
        never = never_hidden_identities()
        people = _identity("people", {})
        taken_in = max((model.values[v] for v, i in enumerate(model.identities) if i == people),
                       default=0)  # fmt: skip
        # The guarantee holds from 30 people: below, a headline figure is one more candidate
        # (the most expensive), or a file of 4 people could not hide that 1 is a woman.
        self.never = (
            {v for v, identity in enumerate(model.identities) if identity in never}
            if taken_in >= UTILITY_PEOPLE
            else set()
        )
        self.audit = _Audit(model)
        self.stuck: set[int] = set()
        self.equations_of: dict[int, list[Relation]] = defaultdict(list)
        for relation in model.relations:
            if relation.equal:
                for v, _c in relation.terms:
                    self.equations_of[v].append(relation)

    def cost(self, v: int) -> tuple[bool, bool, int, int, int]:
        """Headline figures last; then cells whose hiding would force a headline figure
        out; then cells shared by several tables; then larger values."""
        model = self.model
        return (
            model.identities[v] in self.keep,
            self.forces_keep(v),
            len(model.tables_of[v]),
            model.values[v],
            v,
        )

    def forces_keep(self, v: int) -> bool:
        """Whether an equation of ``v`` has, besides it, one visible non-zero figure only,
        and that a headline one (hiding ``v`` would leave it alone to be hidden next)."""
        for relation in self.equations_of[v]:
            others = [
                w
                for w, _c in relation.terms
                if w != v and w not in self.hidden and self.model.values[w] > 0
            ]
            if len(others) == 1 and self.model.identities[others[0]] in self.keep:
                return True
        return False

    def hideable(self, v: int) -> bool:
        """A visible non-zero figure that secondary suppression may hide."""
        return v not in self.hidden and v not in self.never and self.model.values[v] > 0

    def candidates(self, pinned: int, within: Sequence[Relation] | None = None) -> list[int]:
        """Visible non-zero cells on the relations of ``pinned`` (equations first), cheapest
        first."""
        relations = self.audit.relations_of({pinned}) if within is None else within
        found: list[int] = []
        for equal in (True, False):
            found += sorted(
                {
                    v
                    for r in relations
                    if r.equal == equal and any(p == pinned for p, _c in r.terms)
                    for v, _c in r.terms
                    if self.hideable(v) and v not in found
                },
                key=self.cost,
            )
        return found

    def wider_candidates(self, pinned: int) -> list[int]:
        """Visible non-zero cells on the relations of the hidden cells linked to ``pinned``
        (its component), cheapest first: what pins a cell may be a chain of relations,
        none of whose other members sits next to it (e.g. a row and a column that hold
        only it and zeros, their totals pinned further on)."""
        relations = self.audit.relations_of(self.hidden)
        component = next(c for c in _components(self.hidden, relations) if pinned in c)
        return sorted(
            {
                v
                for r in relations
                if any(w in component for w, _c in r.terms)
                for v, _c in r.terms
                if self.hideable(v)
            },
            key=self.cost,
        )

    def unpin(self, pinned: int) -> int | None:
        """The cheapest cell whose hiding unpins ``pinned`` (of the first few tried on its
        own relations, then on its component's), else the cheapest of its own relations;
        None when it has none and no cell further along frees it (it stays pinned)."""
        found = self.candidates(pinned)
        extra = self.first_freeing(pinned, found)
        if extra is None:
            wider = [v for v in self.wider_candidates(pinned) if v not in found]
            extra = self.first_freeing(pinned, wider)
        if extra is not None:
            return extra
        return found[0] if found else None

    def first_freeing(self, pinned: int, cells: Sequence[int]) -> int | None:
        """The first of ``cells`` (up to ``_TRIES``) whose hiding unpins ``pinned``."""
        return next(
            (
                extra
                for extra in cells[:_TRIES]
                if not self.audit.still_pinned(pinned, self.hidden | {extra}, self.primary)
            ),
            None,
        )

    def close_equations(self) -> None:
        """The cheap part: an equation with one hidden unknown pins it."""
        changed = True
        while changed:
            changed = False
            for relation in self.model.relations:
                inside = [v for v, _c in relation.terms if v in self.hidden]
                if not relation.equal or len(inside) != 1 or inside[0] in self.stuck:
                    continue
                found = self.candidates(inside[0], [relation])
                if found:
                    self.hidden.add(found[0])
                    changed = True
                else:
                    self.stuck.add(inside[0])

    def run(self) -> None:
        integer = False
        while True:
            self.close_equations()
            pinned = self.audit.pinned(self.hidden, self.primary, integer=integer)
            pinned = [v for v in pinned if v not in self.stuck]
            if not pinned:
                if integer:
                    return
                integer = True  # the relaxation is settled: the exact audit has the last word
                continue
            extra = self.unpin(pinned[0])
            if extra is None:
                self.stuck.add(pinned[0])
            else:
                self.hidden.add(extra)


def protect(model: Model) -> Protection:
    """Primary suppression, then secondary suppression until nothing hidden is pinned; what
    stays pinned for want of a cell to hide marks its tables as unprotected."""
    secondary = _Secondary(model)
    secondary.run()
    unprotected = {t for v in secondary.stuck for t in model.tables_of[v]}
    return Protection(model, secondary.hidden, secondary.primary, unprotected)


# --- 5–6. The tables as they leave -----------------------------------------------------------


def _unprotected_note() -> str:
    return _(
        "Tabella non protetta: nella versione esterna i suoi valori non sono riportati, "
        "perché non è stato possibile nasconderne solo una parte senza che i valori piccoli "
        "si potessero ricavare. Vedere la versione interna."
    )


def _shown_counts(table: Table[Shown], protection: Protection) -> Table[Shown]:
    model = protection.model
    whole = table.key in protection.unprotected
    new_rows = []
    for r, row in enumerate(_rows(table)):
        values: list[Shown] = []
        for c, value in enumerate(row.values):
            v = model.cells.get((table.key, r, c))
            if whole and value not in (None, 0):  # zero stays 0: it names nobody
                values.append(HIDDEN)
            elif v is not None and v in protection.hidden:
                values.append(SMALL if v in protection.primary else HIDDEN)
            else:
                values.append(value)
        new_rows.append(dataclasses.replace(row, values=tuple(values)))
    total = new_rows.pop() if table.total is not None else None
    note = _unprotected_note() if whole else table.note
    return dataclasses.replace(table, rows=tuple(new_rows), total=total, note=note)


def _hidden_columns(table: Table[Shown]) -> set[str]:
    """The keys of the columns where ``table`` hides a figure."""
    keys = table.keys_of_columns
    return {keys[c] for row in _rows(table) for c, v in enumerate(row.values) if is_hidden(v)}


def _hide(row: Row[Shown], columns: Iterable[int]) -> Row[Shown]:
    """The row with its figures in ``columns`` hidden (a blank stays blank)."""
    chosen = set(columns)
    values = tuple(
        HIDDEN if (c in chosen and v is not None) else v for c, v in enumerate(row.values)
    )
    return dataclasses.replace(row, values=values)


def _shown_change(table: Table[Shown], out: Mapping[str, Table[Shown]], protection: Protection):
    """The comparison with the previous period: the two periods' counts as protected, and
    a difference or percentage hidden when either of its counts is."""
    keys = table.keys_of_columns
    rows: list[Row[Shown]] = []
    counted = _shown_counts(table, protection)
    people = next((r for r in counted.rows if r.key == "people"), None)
    for row in counted.rows:
        values = list(row.values)
        if row.key == "mean":
            for c, key in enumerate(keys[:2]):
                people_hidden = people is None or is_hidden(people.values[c])
                mean = out.get("meetings_mean", out.get("meetings_per_person"))
                if key == "now" and mean is not None:  # the mean table's total, hidden or not
                    people_hidden = people_hidden or TOTAL in _hidden_columns(mean)
                if people_hidden and values[c] is not None:
                    values[c] = HIDDEN
        if any(is_hidden(v) for v in values[:2]):
            values[2:] = [HIDDEN if v is not None else v for v in values[2:]]
        rows.append(dataclasses.replace(row, values=tuple(values)))
    return dataclasses.replace(counted, rows=tuple(rows))


def suppress_tables(tables: Mapping[str, Table[Shown]]) -> dict[str, Table[Shown]]:
    """Every table of a review as it may leave the consortium, in the same order: recoded,
    then protected as one system (see the module docstring)."""
    recoded = recode_tables(tables)
    protection = protect(build_model(recoded))
    out: dict[str, Table[Shown]] = {}
    for key, table in recoded.items():
        if table.counts_people:
            out[key] = _shown_counts(table, protection)
    for key, table in recoded.items():
        if key in out or key == "change":
            continue
        sources = _DERIVED.get(key)
        if sources is None or not all(s in out for s in sources):
            # A mean or percentage whose counts are unknown here: hidden whole, and said so.
            out[key] = dataclasses.replace(
                table,
                rows=tuple(_hide(r, range(len(table.columns))) for r in table.rows),
                note=_(
                    "Versione esterna: valori non riportati (calcolati su conteggi che "
                    "questa versione non controlla)."
                ),
            )
            continue
        hidden: set[str] = set()
        for source in sources:  # by column key: a source may have fewer columns (the total)
            hidden |= _hidden_columns(out[source])
        columns = [c for c, column in enumerate(table.keys_of_columns) if column in hidden]
        out[key] = dataclasses.replace(table, rows=tuple(_hide(r, columns) for r in table.rows))
    if "change" in recoded:  # last: its mean of the period is the mean table's total
        out["change"] = _shown_change(recoded["change"], out, protection)
    return {key: out[key] for key in recoded}


def reader_notes() -> list[tuple[str, str]]:
    """What a reader of the external file must be told (the definitions sheet)."""
    return [
        (
            _("Metodo"),
            _(
                "Le tabelle di questa versione sono protette insieme, come un unico sistema di "
                "tabelle collegate: lo stesso dato ha lo stesso valore (o lo stesso segno) in "
                "ogni tabella. Prima si accorpano le categorie piccole, poi si nascondono i "
                "valori da 1 a 2 (soppressione primaria) e quanti altri servono perché nessun "
                "valore nascosto si possa ricavare da totali, somme di fasce, tabelle che "
                "condividono un dato o colonne degli sportelli (soppressione secondaria). "
                "I valori visibili sono esatti."
            ),
        ),
        (
            _("Accorpamenti"),
            _(
                "«Non binario» e «Non dichiarato» sono sempre uniti in «Non binario o non "
                "dichiarato»; le provenienze con meno di 3 persone sono unite in «Altra "
                "provenienza»; i comuni con meno di 3 persone sono contati in «Altri comuni». "
                "La versione interna riporta le categorie separate."
            ),
        ),
        (
            _("Totali"),
            _(
                "I totali sono calcolati sui valori veri, compresi quelli nascosti. Chi è "
                "stato preso in carico in due sportelli conta in entrambe le colonne e una "
                "volta nel totale: le colonne degli sportelli possono sommare più del totale."
            ),
        ),
    ]
