"""Small-cell suppression for the files that leave the consortium (the "external" variant).

In 17 small comuni a count of 1 or 2 can name a person (DESIGN.md, "Small numbers identify
people"), so a table sent outside the consortium:

* **primary suppression** — shows every count of 1 or 2 as ``"<3"`` (zero stays 0: an empty
  cell names nobody);
* **secondary suppression** — hides more cells so that no hidden cell can be worked out
  from the row and column totals. Every row and every column of the table, the total row
  and the total column included, is a "line" whose cells add up to its total. While some
  line holds exactly one hidden cell, the smallest non-zero visible cell of that line is
  hidden too (a cell of the body before a total, which therefore mostly stay); this is
  repeated until nothing changes (a fixed point: it ends, because every step hides a cell).
  Secondary cells show ``"n.d."`` (non divulgabile): writing ``"<3"`` there would be false;
* **derived figures** — a mean or a percentage computed over a suppressed count is hidden
  too (``"n.d."``).

The functions here are pure: they take values and return values, nothing touches the
database, so they are tested exhaustively (``tests/reports/test_suppression.py``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import TypeGuard

from django.utils.translation import gettext

from reports.tables import Row, Shown, Table

SMALL = "<3"  # primary: a count of 1 or 2
HIDDEN = "n.d."  # secondary, or a mean/percentage over a suppressed count
THRESHOLD = 3  # counts 1 .. THRESHOLD-1 are small

INF = float("inf")

Cell = tuple[int, int]
Line = tuple[list[Cell], Cell | None]  # its cells, and the one holding their sum (if any)
Equation = tuple[float, list[tuple[Cell, int]]]  # sum(sign * hidden cell) == constant


def is_small(value: object) -> bool:
    """A count that could name a person: 1 or 2 (never 0, never a mean)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < THRESHOLD


def _bounds(*, primary: bool) -> tuple[float, float]:
    """What a reader knows of a hidden cell from its marker: "<3" is 1-2, "n.d." is >= 3."""
    return (1, THRESHOLD - 1) if primary else (THRESHOLD, INF)


def _narrow(bounds: dict[Cell, list[float]], equation: Equation) -> bool:
    """Narrow each hidden cell of one equation from the others' ranges; True if any moved."""
    constant, terms = equation
    narrowed = False
    for cell, sign in terms:
        lo_rest = hi_rest = 0.0
        for other, other_sign in terms:
            if other != cell:
                a, b = other_sign * bounds[other][0], other_sign * bounds[other][1]
                lo_rest += min(a, b)
                hi_rest += max(a, b)
        x_lo, x_hi = constant - hi_rest, constant - lo_rest
        if sign < 0:
            x_lo, x_hi = -x_hi, -x_lo
        lo, hi = bounds[cell]
        new_lo = max(lo, math.ceil(x_lo) if x_lo != -INF else lo)
        new_hi = min(hi, math.floor(x_hi) if x_hi != INF else hi)
        if (new_lo, new_hi) != (lo, hi):
            bounds[cell] = [new_lo, new_hi]
            narrowed = True
    return narrowed


class _Mask:
    """The hidden cells of a grid, grown by secondary suppression (see ``secondary_mask``).

    Every row and every column is a line (its total: the cell in a total column or row);
    ``relations`` add the other sums the table states, e.g. accesses = intakes + meetings.
    """

    def __init__(
        self,
        grid: Sequence[Sequence[int | None]],
        primary: Iterable[Cell],
        *,
        total_rows: Iterable[int],
        total_cols: Iterable[int],
        relations: Iterable[tuple[Sequence[Cell], Cell]],
    ) -> None:
        self.grid = grid
        self.n_rows, self.n_cols = len(grid), max((len(r) for r in grid), default=0)
        self.total_rows, self.total_cols = set(total_rows), set(total_cols)
        self.primary = set(primary)
        self.hidden = set(primary)
        self.lines: list[Line] = []
        for r in range(self.n_rows):
            cells = [(r, c) for c in range(self.n_cols)]
            self.lines.append((cells, next((x for x in cells if x[1] in self.total_cols), None)))
        for c in range(self.n_cols):
            cells = [(r, c) for r in range(self.n_rows)]
            self.lines.append((cells, next((x for x in cells if x[0] in self.total_rows), None)))
        self.lines.extend(([*parts, total], total) for parts, total in relations)

    def value(self, cell: Cell) -> int | None:
        r, c = cell
        return self.grid[r][c] if c < len(self.grid[r]) else None

    def hide_complement(self, line: list[Cell]) -> bool:
        """Hide the smallest non-zero visible cell of ``line`` (body before totals, then
        reading order); False when there is none (zeros or blanks: nothing to derive)."""
        candidates = [c for c in line if c not in self.hidden and (self.value(c) or 0) > 0]
        if not candidates:
            return False
        self.hidden.add(
            min(candidates, key=lambda cell: (self._is_total(cell), self.value(cell), cell))
        )
        return True

    def _is_total(self, cell: Cell) -> bool:
        return cell[0] in self.total_rows or cell[1] in self.total_cols

    def close_lines(self) -> None:
        """Until no line holds exactly one hidden cell."""
        changed = True
        while changed:
            changed = False
            for line, _total in self.lines:
                if sum(1 for cell in line if cell in self.hidden) == 1:
                    changed |= self.hide_complement(line)

    def equations(self) -> list[Equation]:
        """What the published figures state about the hidden cells: one equation per line
        with a total (its body cells add up to it), over the hidden cells it holds."""
        equations: list[Equation] = []
        for line, total in self.lines:
            if total is None:
                continue
            constant = 0.0  # sum(sign * x for hidden x) == constant
            terms: list[tuple[Cell, int]] = []
            for cell in line:
                v = self.value(cell)
                if v is None:
                    continue
                sign = -1 if cell == total else 1
                if cell in self.hidden:
                    terms.append((cell, sign))
                else:
                    constant -= sign * v
            if terms:
                equations.append((constant, terms))
        return equations

    def pinned(self) -> list[Cell]:
        """Hidden cells whose value a reader can work out from the published figures.

        Every line with a total states an equation (its body cells add up to the total); the
        reader also knows each hidden cell's range from its marker. Interval propagation over
        all the equations together, to a fixed point, narrows every hidden cell: one whose
        range shrinks to a single value is disclosed. (Sound: whatever it finds is a real
        disclosure; two hidden cells adding up to 2 are both 1, and two crossing lines can
        pin a cell that neither pins alone.)
        """
        bounds = {cell: list(_bounds(primary=cell in self.primary)) for cell in self.hidden}
        equations = self.equations()
        for _round in range(50):  # converges in a few rounds on tables of this size
            narrowed = False
            for equation in equations:
                narrowed |= _narrow(bounds, equation)
            if not narrowed:
                break
        return sorted(cell for cell, (lo, hi) in bounds.items() if lo >= hi)

    def widen(self, pinned: list[Cell]) -> bool:
        """Hide one more cell on a line of the first pinned cell that has one to give (or,
        when all their lines are hidden or zero, anywhere in the table)."""
        relations = self.lines[self.n_rows + self.n_cols :]
        for r, c in pinned:
            own = [self.lines[r], self.lines[self.n_rows + c]]
            own += [line for line in relations if (r, c) in line[0]]
            if any(self.hide_complement(line) for line, _total in own):
                return True
        everywhere = [(r, c) for r in range(self.n_rows) for c in range(self.n_cols)]
        return bool(pinned) and self.hide_complement(everywhere)


def secondary_mask(
    grid: Sequence[Sequence[int | None]],
    primary: Iterable[Cell],
    *,
    total_rows: Iterable[int] = (),
    total_cols: Iterable[int] = (),
    relations: Iterable[tuple[Sequence[Cell], Cell]] = (),
) -> set[Cell]:
    """The cells to hide, ``primary`` included, after secondary suppression.

    ``grid`` holds counts (``None`` = no figure, never hidden, never used as a complement).
    A line needs another hidden cell when it holds exactly one; and while the published
    figures still pin a hidden cell (see :meth:`_Mask.pinned`), one of that cell's lines
    gets another. The complement is the smallest non-zero visible cell of the line,
    preferring body cells over totals (``total_rows`` / ``total_cols``); ties go to the
    first in reading order, so the result is deterministic.
    """
    mask = _Mask(grid, primary, total_rows=total_rows, total_cols=total_cols, relations=relations)
    while True:
        mask.close_lines()  # 1. no line with exactly one hidden cell
        if not mask.widen(mask.pinned()):  # 2. no hidden cell the equations pin down
            return mask.hidden


def suppress_grid(
    grid: Sequence[Sequence[int | None]],
    *,
    total_rows: Iterable[int] = (),
    total_cols: Iterable[int] = (),
    relations: Iterable[tuple[Sequence[Cell], Cell]] = (),
) -> list[list[int | str | None]]:
    """Primary + secondary suppression of a grid of counts, as displayed values."""
    primary = {
        (r, c) for r, row in enumerate(grid) for c, value in enumerate(row) if is_small(value)
    }
    hidden = secondary_mask(
        grid, primary, total_rows=total_rows, total_cols=total_cols, relations=relations
    )
    return [
        [
            (SMALL if (r, c) in primary else HIDDEN) if (r, c) in hidden else value
            for c, value in enumerate(row)
        ]
        for r, row in enumerate(grid)
    ]


def _is_count(value: object) -> TypeGuard[int | None]:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def suppress_table(
    table: Table[Shown],
    *,
    total_label: str | None = None,
    row_sums: dict[str, Sequence[str]] | None = None,
    col_sums: dict[int, Sequence[int]] | None = None,
) -> Table[Shown]:
    """The table as it may leave the consortium.

    Rows whose figures are all counts form the grid (the total row included). Rows holding
    means or percentages (floats) are "derived": a derived cell is hidden when a count in
    its column is hidden. A table that holds no counts (``counts_people=False``) is returned
    as it is; :func:`suppress_review` hides its cells from the counts they depend on.
    The column whose header is ``total_label`` (default: "Totale") is the total column.
    ``row_sums`` / ``col_sums`` name other sums the table states (row key -> the row keys it
    adds up; column index -> the column indexes it adds up), so that they are audited too.
    """
    if not table.counts_people:
        return table
    total_label = total_label if total_label is not None else gettext("Totale")
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    count_idx: list[int] = []  # the rows of the grid: those whose figures are all counts
    grid: list[list[int | None]] = []
    for i, row in enumerate(rows):
        counts = [v for v in row.values if _is_count(v)]
        if len(counts) == len(row.values):
            count_idx.append(i)
            grid.append(counts)
    total_rows = [
        k for k, i in enumerate(count_idx) if table.total is not None and i == len(rows) - 1
    ]
    total_cols = [c for c, header in enumerate(table.columns) if header == total_label]
    relations: list[tuple[list[Cell], Cell]] = []
    grid_row = {rows[i].key: k for k, i in enumerate(count_idx) if rows[i].key}
    n_cols = len(table.columns)
    for total_key, part_keys in (row_sums or {}).items():
        if total_key in grid_row and all(k in grid_row for k in part_keys):
            for c in range(n_cols):
                parts = [(grid_row[k], c) for k in part_keys]
                relations.append((parts, (grid_row[total_key], c)))
    for total_col, part_cols in (col_sums or {}).items():
        for r in range(len(grid)):
            relations.append(([(r, c) for c in part_cols], (r, total_col)))
    shown = suppress_grid(grid, total_rows=total_rows, total_cols=total_cols, relations=relations)
    hidden_cols = {c for row in shown for c, v in enumerate(row) if isinstance(v, str)}

    new_rows: list[Row[Shown]] = []
    by_index = dict(zip(count_idx, shown, strict=True))
    for i, row in enumerate(rows):
        if i in by_index:
            new_rows.append(dataclasses.replace(row, values=tuple(by_index[i])))
        else:
            new_rows.append(_hide(row, hidden_cols))
    total = new_rows.pop() if table.total is not None else None
    return dataclasses.replace(table, rows=tuple(new_rows), total=total)


def _hide(row: Row[Shown], columns: Container[int]) -> Row[Shown]:
    """The row with its figures in ``columns`` hidden (a blank stays blank)."""
    values = tuple(
        HIDDEN if (c in columns and v is not None) else v for c, v in enumerate(row.values)
    )
    return dataclasses.replace(row, values=values)


def hide_columns(table: Table[Shown], columns: set[int]) -> Table[Shown]:
    """Hide every figure of a derived table (means, %) in the given columns."""
    return dataclasses.replace(
        table,
        rows=tuple(_hide(r, columns) for r in table.rows),
        total=_hide(table.total, columns) if table.total is not None else None,
    )


def is_hidden(value: object) -> bool:
    return value in (SMALL, HIDDEN)


# Sums the review's tables state besides their totals (see reports/layout.py).
_ROW_SUMS: dict[str, dict[str, Sequence[str]]] = {
    "people": {"accesses": ("intakes", "meetings")},
}
_COL_SUMS: dict[str, dict[int, Sequence[int]]] = {
    "trend": {3: (1, 2)},  # accesses = new intakes + meetings held
}
# Tables of means and percentages -> row key ("*": every row) -> the count rows it is
# computed from, as (table key, row key). A figure is hidden when one of them is hidden in
# its column: a share of 1 out of 40 is as telling as the 1 itself.
_DERIVED: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "meetings_mean": {"*": (("meetings_per_person", "total"),)},
    "meeting_shares": {
        "remote": (
            ("meeting_mode", "total"),
            ("meeting_mode", "telefono"),
            ("meeting_mode", "video"),
            ("meeting_mode", "email"),
        ),
        "no_show": (("meeting_attendance", "total"), ("meeting_attendance", "no_show")),
    },
    # The agenda's no-show rate by mode (and over all modes: the tables' total rows).
    "no_show_rate": {
        mode: (("appointments_recorded", mode), ("appointments_missed", mode))
        for mode in ("presenza", "telefono", "video", "total")
    },
}


def _hidden_columns_of(table: Table[Shown], row_key: str) -> set[int]:
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    row = next((r for r in rows if r.key == row_key), None)
    if row is None:
        return set(range(len(table.columns)))
    return {c for c, v in enumerate(row.values) if is_hidden(v)}


def _suppress_change(table: Table[Shown]) -> Table[Shown]:
    """The comparison with the previous period: counts of the whole selection, their
    difference and its percentage. A small count is "<3" and whatever is computed from a
    hidden count (difference, percentage, the mean of the row) is hidden too."""
    rows: list[Row[Shown]] = []
    small_people = False
    for row in table.rows:
        now, before, *rest = row.values
        if row.key == "mean":
            hide_all = small_people
            values = tuple(HIDDEN if hide_all and v is not None else v for v in row.values)
        else:
            now_s = SMALL if is_small(now) else now
            before_s = SMALL if is_small(before) else before
            derived_hidden = is_hidden(now_s) or is_hidden(before_s)
            if row.key == "people" and derived_hidden:
                small_people = True
            values = (
                now_s,
                before_s,
                *(HIDDEN if derived_hidden and v is not None else v for v in rest),
            )
        rows.append(dataclasses.replace(row, values=values))
    return dataclasses.replace(table, rows=tuple(rows))


def suppress_tables(tables: Mapping[str, Table[Shown]]) -> dict[str, Table[Shown]]:
    """Every table of a review as it may leave the consortium, in the same order."""
    out: dict[str, Table[Shown]] = {}
    for key, table in tables.items():
        if key == "change":
            out[key] = _suppress_change(table)
        elif table.counts_people:
            out[key] = suppress_table(
                table, row_sums=_ROW_SUMS.get(key), col_sums=_COL_SUMS.get(key)
            )
    for key, table in tables.items():
        if key in out:
            continue
        depends = _DERIVED.get(key)
        if depends is None or not all(t in out for deps in depends.values() for t, _r in deps):
            # A mean or percentage whose counts are unknown here: hidden wholesale, so that
            # a new table never leaves the consortium unchecked.
            out[key] = hide_columns(table, set(range(len(table.columns))))
            continue
        rows: list[Row[Shown]] = []
        for row in table.rows:
            deps = depends.get(row.key, depends.get("*", ()))
            hidden: set[int] = set()
            for table_key, row_key in deps:
                hidden |= _hidden_columns_of(out[table_key], row_key)
            if not deps:
                hidden = set(range(len(table.columns)))
            rows.append(_hide(row, hidden))
        out[key] = dataclasses.replace(table, rows=tuple(rows))
    return {key: out[key] for key in tables}
