"""An attacker of the external workbook, written without the protection code.

It reads the file as a reader would (openpyxl), and uses what the file itself states — the
titles, row labels and headers, the definitions sheet's meaning of the markers — to write
every relation between its figures:

* each table's rows add up to its total row (the bold row), and its columns to its "Totale"
  column; for people, whom the definitions count once in the total and once at each desk,
  the desk columns add up to *at least* the total, and no desk exceeds it;
* the same figure shown in two tables is one unknown (the people row and the total row of
  every breakdown; the gender totals of the age x gender and ESF+ tables; the ESF+ rows and
  the matching breakdown rows; the trend's and the comparison's totals; the two referral
  tables' totals; recorded meetings in the two meeting tables; meetings held);
* unions of bands: 45+ = 45–54 + 55+; 18–35 + 36–44 + 45–54 = 18–29 + 30–54; ESF+ inactive
  = inactive + students; accesses = intakes + meetings (every month and both periods);
  subsets: long-term unemployed ≤ unemployed, women returning ≤ women, third-country and
  rural participants ≤ participants.

Markers: ``<3`` is 1–2, ``n.d.`` is 3 or more (as the definitions sheet says); a table whose
note says it is not protected is unknown (0 or more); the comparison's difference
("Variazione") is any integer. Means and percentages are not counts: they are checked apart
(:func:`exposed_ratios`). A hidden cell is *pinned* when the
integer program (HiGHS) finds its smallest and largest feasible values equal.

Relations are only used when they hold on the internal file's figures (an attacker gains
nothing from a false one); :func:`relations_hold` checks them, so a relation written wrong
here shows up as a failure rather than as a silent weaker attack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import highspy

SMALL, HIDDEN = "<3", "n.d."
UNPROTECTED = "Tabella non protetta"
TOTAL = "Totale"
GENDERS = ("Donna", "Uomo", "Non binario o non dichiarato")

Ref = tuple[str, str, str]  # (table title, row label, column header)


@dataclass
class Sheet:
    """Every table of a workbook: title -> (headers, {row label: values}, total row label,
    note)."""

    tables: dict[str, tuple[list[str], dict[str, list[object]], str | None, str]] = field(
        default_factory=dict
    )

    def value(self, ref: Ref) -> object:
        headers, rows, _total, _note = self.tables[ref[0]]
        return rows[ref[1]][headers.index(ref[2])]

    def has(self, ref: Ref) -> bool:
        table = self.tables.get(ref[0])
        return table is not None and ref[1] in table[1] and ref[2] in table[0]


def read(wb) -> Sheet:
    """The tables of the breakdown sheets (not the summary, not the definitions)."""
    sheet = Sheet()
    for ws in wb.worksheets[1:]:
        if ws.title in ("Definizioni", "Informazioni"):
            continue
        grid = [list(row) for row in ws.iter_rows()]
        width = max((len(row) for row in grid), default=0)
        grid.append([None] * width)
        grid.append([None] * width)

        def cell(r: int, c: int, grid=grid):
            row = grid[r] if r < len(grid) else []
            return row[c] if c < len(row) else None

        def text(r: int, c: int):
            found = cell(r, c)
            return found.value if found is not None else None

        r = 0
        while r < len(grid) - 2:
            title = text(r, 0)
            header = [text(r + 1, c) for c in range(1, width)]
            if not isinstance(title, str) or not header or header[0] is None:
                r += 1
                continue
            headers = [h for h in header if h is not None]
            rows: dict[str, list[object]] = {}
            total = None
            k = r + 2
            while text(k, 0) not in (None, ""):
                label = text(k, 0)
                rows[label] = [text(k, c) for c in range(1, len(headers) + 1)]
                if cell(k, 0).font.b:
                    total = label
                k += 1
            note_cell = cell(k + 1, 0)
            note = note_cell.value if note_cell is not None and note_cell.font.i else ""
            sheet.tables[title] = (headers, rows, total, note or "")
            r = k + 1
    return sheet


@dataclass(frozen=True)
class Relation:
    terms: tuple[tuple[Ref, int], ...]
    equal: bool


def _eq(*terms: tuple[Ref, int]) -> Relation:
    return Relation(tuple(terms), True)


def _ge(*terms: tuple[Ref, int]) -> Relation:
    return Relation(tuple(terms), False)


def _find(sheet: Sheet, prefix: str) -> str | None:
    return next((t for t in sheet.tables if t.startswith(prefix)), None)


def _row(sheet: Sheet, title: str | None, pattern: str) -> str | None:
    if title is None:
        return None
    return next((r for r in sheet.tables[title][1] if re.search(pattern, r)), None)


# The means and percentages, and the count tables (by their titles' beginnings) each is
# computed from: its definition on the sheet says so.
RATIO_SOURCES = {
    "Colloqui per persona (media)": (
        "Persone, prese in carico",
        "Persone accolte per numero di colloqui",
    ),
    "Colloqui a distanza e mancate presentazioni (%)": (
        "Colloqui per modalità",
        "Colloqui svolti e mancate presentazioni",
    ),
    "Tasso di mancata presentazione agli appuntamenti (%)": (
        "Appuntamenti con esito registrato",
        "Appuntamenti non presentati",
    ),
}


def exposed_ratios(sheet: Sheet) -> list[Ref]:
    """The means and percentages the file shows in a column where a count they are
    computed from is hidden — with the visible counts, such a figure could give the hidden
    one back — and every figure of a table of means or percentages this attacker does not
    know the sources of."""

    def hidden_in(sources: tuple[str, ...], header: str) -> bool:
        return any(
            value in (SMALL, HIDDEN)
            for prefix in sources
            for source in [_find(sheet, prefix)]
            if source is not None and header in sheet.tables[source][0]
            for value in (
                values[sheet.tables[source][0].index(header)]
                for values in sheet.tables[source][1].values()
            )
        )

    found: list[Ref] = []
    for title, (headers, rows, _total, _note) in sheet.tables.items():
        if not is_ratio(title):
            continue
        sources = RATIO_SOURCES.get(title)
        for c, header in enumerate(headers):
            if sources is None or hidden_in(sources, header):
                found += [
                    (title, label, header)
                    for label, values in rows.items()
                    if isinstance(values[c], int | float)
                ]
    # The comparison's mean of the period is the mean table's total.
    change = _find(sheet, "Confronto con il periodo")
    mean = _row(sheet, change, "^Colloqui per persona \\(media\\)")
    if change and mean and hidden_in(RATIO_SOURCES["Colloqui per persona (media)"], TOTAL):
        ref = (change, mean, "Periodo")
        if isinstance(sheet.value(ref), int | float):
            found.append(ref)
    return found


def is_ratio(title: str) -> bool:
    """A table of means or percentages (its title says so): its figures are not counts, and
    its "n.d." means "computed over a hidden count", not "3 or more"."""
    return title.endswith("(%)") or "(media)" in title


def relations(sheet: Sheet) -> Iterator[Relation]:
    """Every relation of the module docstring, over the cells the file holds."""
    for title, (headers, rows, total, _note) in sheet.tables.items():
        if is_ratio(title):
            continue
        body = [r for r in rows if r != total]
        if total is not None:
            for h in headers:
                yield _eq(*(((title, r, h), 1) for r in body), ((title, total, h), -1))
        if TOTAL in headers and len(headers) > 1:
            parts = [h for h in headers if h != TOTAL]
            for r in rows:
                terms = [((title, r, h), 1) for h in parts] + [((title, r, TOTAL), -1)]
                if r == "Persone accolte":  # a person at two desks counts at each
                    yield _ge(*terms)
                    for h in parts:
                        yield _ge(((title, r, TOTAL), 1), ((title, r, h), -1))
                else:  # genders, outcomes; intakes, meetings, accesses add up by desk
                    yield _eq(*terms)
    yield from _links(sheet)


def _same(a: Ref, b: Ref) -> Relation:
    return _eq((a, 1), (b, -1))


def _links(sheet: Sheet) -> Iterator[Relation]:  # noqa: C901 - one list of the file's links
    people_t = _find(sheet, "Persone, prese in carico")
    if people_t is None:
        return
    headers = sheet.tables[people_t][0]
    P, IN, M, A = "Persone accolte", "Nuove prese in carico", "Colloqui svolti", "Accessi"
    acc = _row(sheet, people_t, "^Accessi")
    for h in headers:
        yield _eq(((people_t, IN, h), 1), ((people_t, M, h), 1), ((people_t, acc, h), -1))
    # Breakdowns whose total row is the people taken in.
    for title, (hs, _rows, total, _note) in sheet.tables.items():
        if total is None or title == people_t or title.startswith(_NOT_PEOPLE):
            continue
        for h in hs:
            if h in headers:
                yield _same((title, total, h), (people_t, P, h))
    gender = _find(sheet, "Genere")
    rows_of_gender = {
        "Donna": "Donna",
        "Uomo": "Uomo",
        "Non binario o non dichiarato": "Non binario o non dichiarato",
    }
    for title, (hs, _rows, total, _note) in sheet.tables.items():
        if "Donna" in hs and total is not None and gender is not None:
            for g, row in rows_of_gender.items():
                if sheet.has((gender, row, TOTAL)) and g in hs:
                    yield _same((title, total, g), (gender, row, TOTAL))
    # Ages: the desks' bands, the ESF+ bands, the age x gender and ESF+ age tables, 45+.
    desk_age, esf_age = _find(sheet, "Fasce d'età degli"), _find(sheet, "Fasce d'età FSE")
    by_gender, esf_age_g = _find(sheet, "Fascia d'età per genere"), _find(sheet, "FSE+ · Età")
    if desk_age and esf_age:
        d = {k: _row(sheet, desk_age, p) for k, p in _DESK_BANDS.items()}
        e = {k: _row(sheet, esf_age, p) for k, p in _ESF_BANDS.items()}
        yield _same((desk_age, d["u18"], TOTAL), (esf_age, e["u18"], TOTAL))
        yield _same((desk_age, d["55"], TOTAL), (esf_age, e["55"], TOTAL))
        yield _eq(
            *(((desk_age, d[k], TOTAL), 1) for k in ("18-35", "36-44", "45-54")),
            *(((esf_age, e[k], TOTAL), -1) for k in ("18-29", "30-54")),
        )
        groups = _find(sheet, "Gruppi seguiti")
        over45 = _row(sheet, groups, "45 anni")
        if over45:
            yield _eq(
                ((desk_age, d["45-54"], TOTAL), 1),
                ((desk_age, d["55"], TOTAL), 1),
                ((groups, over45, TOTAL), -1),
            )
        if by_gender:
            for k, pattern in _DESK_BANDS.items():
                row = _row(sheet, by_gender, pattern)
                yield _same((by_gender, row, TOTAL), (desk_age, d[k], TOTAL))
        if esf_age_g:
            for k, pattern in _ESF_BANDS.items():
                row = _row(sheet, esf_age_g, pattern)
                yield _same((esf_age_g, row, TOTAL), (esf_age, e[k], TOTAL))
    if by_gender and esf_age_g:  # u18 and 55+ by gender
        for pattern in (_DESK_BANDS["u18"], _DESK_BANDS["55"]):
            for g in GENDERS:
                a, b = _row(sheet, by_gender, pattern), _row(sheet, esf_age_g, pattern)
                if a and b and g in sheet.tables[by_gender][0]:
                    yield _same((by_gender, a, g), (esf_age_g, b, g))
    # Labour, education and the other ESF+ indicators.
    labour, esf_labour = _find(sheet, "Condizione occupazionale"), _find(sheet, "FSE+ · Cond")
    if labour and esf_labour:
        unemployed = _row(sheet, esf_labour, "^Disoccupati/e, compresi")
        long_term = _row(sheet, esf_labour, "lungo periodo \\(")
        yield _same((esf_labour, unemployed, TOTAL), (labour, "Disoccupato/a", TOTAL))
        yield _eq(
            ((labour, "Inattivo/a (non cerca lavoro)", TOTAL), 1),
            ((labour, "Studente/ssa", TOTAL), 1),
            ((esf_labour, _row(sheet, esf_labour, "^Inattivi"), TOTAL), -1),
        )
        yield _same(
            (esf_labour, _row(sheet, esf_labour, "^Occupati"), TOTAL),
            (labour, "Occupato/a (anche autonomo)", TOTAL),
        )
        for h in sheet.tables[esf_labour][0]:
            yield _ge(((esf_labour, unemployed, h), 1), ((esf_labour, long_term, h), -1))
    isced, esf_isced = _find(sheet, "Titolo di studio"), _find(sheet, "FSE+ · Livello")
    if isced and esf_isced:
        for row in sheet.tables[isced][1]:
            if row != sheet.tables[isced][2] and sheet.has((esf_isced, row, TOTAL)):
                yield _same((isced, row, TOTAL), (esf_isced, row, TOTAL))
    other = _find(sheet, "FSE+ · Cittadinanza")
    if other and gender:
        participants = _row(sheet, other, "^Totale dei partecipanti")
        for g in GENDERS:
            if sheet.has((gender, g, TOTAL)):
                yield _same((other, participants, g), (gender, g, TOTAL))
        yield _same((other, participants, TOTAL), (people_t, P, headers[-1]))
        for row in sheet.tables[other][1]:
            for h in sheet.tables[other][0]:
                yield _ge(((other, participants, h), 1), ((other, row, h), -1))
    groups = _find(sheet, "Gruppi seguiti")
    returning = _row(sheet, groups, "^Donne che rientrano")
    if returning and gender:
        yield _ge(((gender, "Donna", TOTAL), 1), ((groups, returning, TOTAL), -1))
    # Meetings: recorded in both meeting tables, held in the people table.
    mode, attendance = _find(sheet, "Colloqui per modalità"), _find(sheet, "Colloqui svolti e")
    if mode and attendance:
        for h in sheet.tables[mode][0]:
            yield _same((mode, TOTAL, h), (attendance, TOTAL, h))
            yield _same((attendance, "Svolti", h), (people_t, M, h))
    # Referrals: the two tables share their total row.
    kind, partner = _find(sheet, "Invii per tipo"), _find(sheet, "Invii per partner")
    if kind and partner:
        for h in sheet.tables[kind][0]:
            yield _same((kind, TOTAL, h), (partner, TOTAL, h))
    # Month by month, and the comparison with the previous period.
    trend, change = _find(sheet, "Andamento mese"), _find(sheet, "Confronto con il periodo")
    if trend:
        for row in sheet.tables[trend][1]:
            yield _eq(((trend, row, IN), 1), ((trend, row, M), 1), ((trend, row, A), -1))
        t = sheet.tables[trend][2]
        for col, row in ((P, P), (IN, IN), (M, M), (A, acc)):
            yield _same((trend, t, col), (people_t, row, headers[-1]))
    if change:
        for label, row in ((P, P), (IN, IN), (M, M), (A, acc)):
            yield _same((change, label, "Periodo"), (people_t, row, headers[-1]))
        for col in ("Periodo", "Periodo precedente"):
            yield _eq(((change, IN, col), 1), ((change, M, col), 1), ((change, A, col), -1))
        for label in (P, IN, M, A):
            yield _eq(
                ((change, label, "Periodo"), 1),
                ((change, label, "Periodo precedente"), -1),
                ((change, label, "Variazione"), -1),
            )


# Tables whose total row counts meetings, referrals or months, not the people taken in.
_NOT_PEOPLE = ("Colloqui", "Invii", "Andamento", "Appuntamenti")
_DESK_BANDS = {
    "u18": "^meno di 18",
    "18-35": "^18–35",
    "36-44": "^36–44",
    "45-54": "^45–54",
    "55": "^55",
}
_ESF_BANDS = {"u18": "^meno di 18", "18-29": "^18–29", "30-54": "^30–54", "55": "^55"}


OTHER_GENDER = "Non binario o non dichiarato"


def _parts(label: str) -> list[str]:
    """The internal file's categories an external row or column stands for."""
    if label == OTHER_GENDER:
        return ["Non binario", "Non dichiarato"]
    found = re.fullmatch(r"Altra provenienza \((.*)\)", label)
    if found:
        return found.group(1).split(", ")
    return [label]


def true_value(internal: Sheet, external: Sheet, ref: Ref) -> int | None:
    """The true figure of an external cell, from the internal file (merged categories
    added up; "Altri comuni" with the comuni the external file folded into it)."""
    title, label, header = ref
    if title not in internal.tables:
        return None
    headers, rows, _total, _note = internal.tables[title]
    labels = _parts(label)
    if label == "Altri comuni":
        labels += [r for r in rows if r not in external.tables[title][1]]
    total = 0
    for row in labels:
        for column in _parts(header):
            if row not in rows or column not in headers:
                return None
            value = rows[row][headers.index(column)]
            if not isinstance(value, int):
                return None
            total += value
    return total


def relations_hold(
    internal: Sheet, external: Sheet, found: list[Relation]
) -> tuple[list[Relation], list[Relation]]:
    """(the relations that hold on the true figures, those that do not)."""
    kept, false = [], []
    for relation in found:
        if any(None in ref for ref, _c in relation.terms):
            continue
        values = [true_value(internal, external, ref) for ref, _c in relation.terms]
        if None in values:
            continue
        total = sum(c * v for (_ref, c), v in zip(relation.terms, values, strict=True))  # type: ignore[operator]
        if (total == 0) if relation.equal else (total >= 0):
            kept.append(relation)
        else:
            false.append(relation)
    return kept, false


def _is_difference(ref: Ref) -> bool:
    """The comparison's "Variazione": a difference of two counts, negative as often as not;
    hidden, it is "computed over a hidden count", not "3 or more"."""
    return ref[0].startswith("Confronto con il periodo") and ref[2] == "Variazione"


def _count_cells(external: Sheet) -> Iterator[tuple[Ref, object, float | None]]:
    """Every cell of the count tables: (where, what it shows, the least value an "n.d."
    there can hold: 3, 0 in a table marked as not protected, None for a difference)."""
    for title, (headers, rows, _total, note) in external.tables.items():
        if is_ratio(title):
            continue
        for label, values in rows.items():
            for header, value in zip(headers, values, strict=False):
                ref = (title, label, header)
                low = None if _is_difference(ref) else 0 if UNPROTECTED in note else 3
                yield ref, value, low


def pinned_cells(external: Sheet, known: list[Relation]) -> dict[Ref, int]:
    """Every hidden cell of ``external`` the relations pin to one value (with that value)."""
    h = highspy.Highs()
    h.silent()
    var: dict[Ref, object] = {}
    constants: dict[Ref, int] = {}
    for ref, value, low in _count_cells(external):
        if low is None and value in (SMALL, HIDDEN):  # any integer, never reported pinned
            var[ref] = h.addIntegral(lb=-highspy.kHighsInf, ub=highspy.kHighsInf)
        elif value == SMALL:
            var[ref] = h.addIntegral(lb=1, ub=2)
        elif value == HIDDEN:
            var[ref] = h.addIntegral(lb=low, ub=highspy.kHighsInf)
        elif isinstance(value, int):
            constants[ref] = value
    for relation in known:
        if not all(ref in var or ref in constants for ref, _c in relation.terms):
            continue
        inside = [(var[ref], c) for ref, c in relation.terms if ref in var]
        if not inside:
            continue
        constant = sum(c * constants[ref] for ref, c in relation.terms if ref in constants)
        expr = sum((c * v for v, c in inside[1:]), inside[0][1] * inside[0][0])
        h.addConstr(expr == -constant if relation.equal else expr >= -constant)
    pinned = {}
    optimal = highspy.HighsModelStatus.kOptimal
    for ref, x in var.items():
        if _is_difference(ref):
            continue
        h.minimize(x)
        assert h.getModelStatus() == optimal, ("infeasible", ref)
        low = round(h.val(x))
        h.maximize(x)
        if h.getModelStatus() == optimal and round(h.val(x)) == low:
            pinned[ref] = low
    return pinned
