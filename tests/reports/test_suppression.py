"""Small-cell suppression of the external workbook (reports/suppression.py): pure functions."""

from __future__ import annotations

import itertools
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.suppression import HIDDEN, SMALL, suppress_grid, suppress_table
from reports.tables import Row, Table


def with_margins(body: list[list[int]]) -> list[list[int]]:
    """The body plus a total column and a total row, as the review's tables have."""
    grid = [[*row, sum(row)] for row in body]
    grid.append([sum(col) for col in zip(*grid, strict=True)])
    return grid


def shown(body: list[list[int]]) -> list[list[int | str | None]]:
    return suppress_grid(with_margins(body), total_rows=[len(body)], total_cols=[len(body[0])])


def hidden_cells(table: list[list[object]]) -> set[tuple[int, int]]:
    return {
        (r, c) for r, row in enumerate(table) for c, v in enumerate(row) if v in (SMALL, HIDDEN)
    }


def lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    cols = [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    return rows + cols


def test_nothing_small_nothing_hidden():
    assert shown([[5, 7], [3, 9]]) == with_margins([[5, 7], [3, 9]])


def test_zero_stays_zero_and_small_counts_show_lt3():
    result = shown([[0, 1, 8], [4, 0, 9], [6, 5, 7]])
    assert result[0][0] == 0 and result[1][1] == 0
    assert result[0][1] == SMALL


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_column():
    # 1 is primary; in its row the smallest other non-zero body cell is 4; in its column 5.
    result = shown([[1, 4, 9], [5, 6, 7], [8, 8, 8]])
    assert result[0][0] == SMALL
    assert result[0][1] == HIDDEN  # row complement: smallest non-zero of the row body
    assert result[1][0] == HIDDEN  # column complement
    # The totals stay when the body can protect the cell.
    assert result[0][3] == 14 and result[3][0] == 14 and result[3][3] == 56


def test_two_small_cells_adding_up_to_two_are_protected():
    # Alone on its line, 1 + 1 = 2 would say both are 1: a third cell is hidden.
    result = shown([[1, 1, 5], [6, 7, 8]])
    row = result[0]
    assert row[0] == SMALL and row[1] == SMALL
    assert row[2] == HIDDEN


def test_small_total_is_suppressed_too():
    result = shown([[2, 0], [0, 0]])
    assert result[0][2] == SMALL  # row total 2
    assert result[2][0] == SMALL  # column total 2
    assert result[2][2] == SMALL  # grand total 2


def test_deterministic():
    body = [[1, 4, 4], [4, 1, 4], [4, 4, 1]]
    assert shown(body) == shown(body)


# --- properties -----------------------------------------------------------------------------

bodies = st.integers(min_value=1, max_value=5).flatmap(
    lambda n_cols: st.lists(
        st.lists(
            st.one_of(st.just(0), st.integers(1, 2), st.integers(3, 60)),
            min_size=n_cols,
            max_size=n_cols,
        ),
        min_size=1,
        max_size=7,
    )
)


@settings(max_examples=400, deadline=None)
@given(bodies)
def test_every_line_with_a_hidden_cell_has_at_least_two(body):
    grid = with_margins(body)
    result = shown(body)
    hidden = hidden_cells(result)
    for line in lines(len(grid), len(grid[0])):
        n = sum(1 for cell in line if cell in hidden)
        assert n != 1, (body, result, line)
    # and nothing else changes: visible cells keep their value, small counts never show
    for r, row in enumerate(result):
        for c, v in enumerate(row):
            if (r, c) not in hidden:
                assert v == grid[r][c]
                assert not (1 <= v <= 2)
            elif 1 <= grid[r][c] <= 2:
                assert v == SMALL
            else:
                assert v == HIDDEN and grid[r][c] >= 3


def attacker_values(result: list[list[object]], upper: int) -> dict[tuple[int, int], set[int]]:
    """Every value a hidden cell can take, given the published table and its margins."""
    hidden = sorted(hidden_cells(result))
    domains = [range(1, 3) if result[r][c] == SMALL else range(3, upper + 1) for r, c in hidden]
    seen: dict[tuple[int, int], set[int]] = {cell: set() for cell in hidden}
    for values in itertools.product(*domains):
        grid = [list(row) for row in result]
        for (r, c), v in zip(hidden, values, strict=True):
            grid[r][c] = v
        rows_ok = all(sum(row[:-1]) == row[-1] for row in grid)
        cols_ok = all(
            sum(grid[r][c] for r in range(len(grid) - 1)) == grid[-1][c]
            for c in range(len(grid[0]))
        )
        if rows_ok and cols_ok:
            for cell, v in zip(hidden, values, strict=True):
                seen[cell].add(v)
    return seen


small_bodies = st.integers(min_value=1, max_value=3).flatmap(
    lambda n_cols: st.lists(
        st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 8]), min_size=n_cols, max_size=n_cols),
        min_size=1,
        max_size=3,
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(small_bodies)
def test_no_hidden_cell_can_be_worked_out_from_the_totals(body):
    """An attacker who tries every value the markers allow ("<3" = 1-2, "n.d." >= 3)
    against every row and column total never finds a hidden cell with one possible value."""
    grid = with_margins(body)
    if grid[-1][-1] < 3:
        return  # the whole table counts one or two people: all of it is "<3" anyway
    result = shown(body)
    upper = grid[-1][-1] + 3
    hidden = hidden_cells(result)
    if all((r, c) in hidden for r, row in enumerate(grid) for c, v in enumerate(row) if v):
        # Every non-zero cell is hidden already and zeros stay 0 (documented limit: with only
        # zeros visible, a table of three or four people can still say they are one each).
        return
    n_secondary = sum(1 for r, c in hidden if result[r][c] == HIDDEN)
    if math.prod([2] * (len(hidden) - n_secondary) + [upper - 2] * n_secondary) > 200_000:
        return  # too many combinations for the brute force; covered by the property above
    for cell, values in attacker_values(result, upper).items():
        assert len(values) >= 2, (body, result, cell, values)


# --- tables ---------------------------------------------------------------------------------


def table(rows, total=None, *, counts_people=True, columns=("Casalmaggiore", "Gussola", "Totale")):
    return Table(
        key="t",
        title="T",
        columns=columns,
        label_header="Voce",
        rows=tuple(Row(label=f"r{i}", values=tuple(v), key=f"r{i}") for i, v in enumerate(rows)),
        total=Row(label="Totale", values=tuple(total)) if total else None,
        definition="",
        counts_people=counts_people,
    )


def test_suppress_table_hides_small_cells_and_keeps_labels():
    t = table([[1, 6, 7], [9, 4, 13]], total=[10, 10, 20])
    out = suppress_table(t)
    assert [r.label for r in out.rows] == ["r0", "r1"]
    assert out.rows[0].values[0] == SMALL
    assert HIDDEN in out.rows[0].values  # its row complement
    assert out.total.values == (10, 10, 20)


def test_suppress_table_hides_means_over_suppressed_counts():
    t = table([[1, 6, 7], [1.0, 2.5, 2.29]], total=None)
    out = suppress_table(t)
    assert out.rows[0].values[0] == SMALL
    mean_row = out.rows[1].values
    # the mean of the column with a hidden count is hidden; the others stay
    hidden_columns = {c for c, v in enumerate(out.rows[0].values) if v in (SMALL, HIDDEN)}
    for c, v in enumerate(mean_row):
        assert (v == HIDDEN) == (c in hidden_columns)


def test_tables_of_means_pass_through_suppress_table():
    t = table([[1.5, 2.0, 1.8]], counts_people=False)
    assert suppress_table(t) == t


def test_shares_are_hidden_with_their_numerator_or_denominator():
    from reports.suppression import suppress_tables

    cols = ("Casalmaggiore", "Gussola", "Totale")

    def keyed(key, rows, total, counts_people=True):
        return Table(
            key=key,
            title=key,
            columns=cols,
            label_header="",
            rows=tuple(Row(label=k, key=k, values=v) for k, v in rows),
            total=Row(label="Totale", key="total", values=total) if total else None,
            definition="",
            counts_people=counts_people,
        )

    tables = {
        "meeting_mode": keyed(
            "meeting_mode",
            [
                ("presenza", (30, 20, 50)),
                ("telefono", (1, 10, 11)),
                ("video", (9, 0, 9)),
                ("email", (0, 0, 0)),
            ],
            (40, 30, 70),
        ),
        "meeting_attendance": keyed(
            "meeting_attendance", [("attended", (40, 28, 68)), ("no_show", (0, 2, 2))], (40, 30, 70)
        ),
        "meeting_shares": keyed(
            "meeting_shares",
            [("remote", (25.0, 33.3, 28.6)), ("no_show", (0.0, 6.7, 2.9))],
            None,
            counts_people=False,
        ),
    }
    out = suppress_tables(tables)
    shares = {r.key: r.values for r in out["meeting_shares"].rows}
    # Telephone 1 at Casalmaggiore is hidden, so the remote share there is too.
    assert shares["remote"][0] == HIDDEN
    # 2 no-shows at Gussola (and 2 in total): those shares are hidden, 0 % stays.
    assert shares["no_show"] == (0.0, HIDDEN, HIDDEN)
    assert list(out) == list(tables)


def test_unknown_derived_tables_are_hidden_wholesale():
    from reports.suppression import suppress_tables

    t = table([[1.5, 2.0, 1.8]], counts_people=False)
    assert suppress_tables({"new_means": t})["new_means"].rows[0].values == (HIDDEN,) * 3
