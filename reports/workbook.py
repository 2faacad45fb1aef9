"""The quarterly workbook: the review as a formatted xlsx, written with openpyxl.

It is written from the same :class:`reports.review.Review` the page shows, so the page and
the file cannot disagree. Sheets: a summary with native Excel charts (they reference the
sheet's cells), one sheet per breakdown, the ESF+ sheet, the definition of every figure and
the sheet saying what the file is (period, desks, when, by whom, which variant).

Two variants: **external** (the default, for files that leave the consortium) runs the
small-cell suppression of :mod:`reports.suppression`; **internal** shows every figure and is
only for users who see all desks (``casework.view_all_desks``).

Text that starts with ``=``, ``+``, ``-`` or ``@`` (a partner's or a comune's name, say) is
written as a string cell with Excel's quote prefix, so that it can never run as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from casework.permissions import sees_all_desks, sees_special_categories
from reports import suppression
from reports.periods import period_slug
from reports.review import Review
from reports.tables import Row, Shown, Table

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from activitycr.http import AnyUser

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
INT_FORMAT = "#,##0"
FLOAT_FORMAT = "#,##0.0"

# Breakdown sheets: table keys -> sheet name (Excel allows 31 characters).
_SHEETS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("people", gettext_lazy("Persone e accessi"),
     ("people", "meetings_per_person", "meetings_mean")),
    ("age", gettext_lazy("Età"), ("age_band", "age_band_esf", "age_gender")),
    ("gender", gettext_lazy("Genere"), ("gender",)),
    ("origin", gettext_lazy("Provenienza"), ("origin", "comuni")),
    ("work", gettext_lazy("Lavoro e istruzione"), ("labour_status", "isced", "groups")),
    ("meetings", gettext_lazy("Colloqui"),
     ("meeting_mode", "meeting_attendance", "meeting_shares")),
    ("appointments", gettext_lazy("Appuntamenti"),
     ("appointments_recorded", "appointments_missed", "no_show_rate")),
    ("referrals", gettext_lazy("Invii ed esiti"), ("referral_kind", "referral_partner")),
    ("trend", gettext_lazy("Andamento"), ("trend", "change")),
)  # fmt: skip
ESF_PREFIX = "esf_"


class Variant(models.TextChoices):
    EXTERNAL = "external", gettext_lazy("esterna (valori piccoli nascosti)")
    INTERNAL = "internal", gettext_lazy("interna (tutti i valori)")


def may_use_variant(user: AnyUser, variant: str) -> bool:
    """External for everyone who sees the review; internal only for whoever sees all desks."""
    return variant == Variant.EXTERNAL or sees_all_desks(user)


def safe_text(cell: Any, text: str) -> None:
    """Write text that can never become a formula."""
    cell.value = text
    if text.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def put(ws: Worksheet, row: int, column: int, value: object, *, bold: bool = False) -> Any:
    """One cell: numbers as numbers (formatted), text escaped, ``None`` left empty."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, bool):
        cell.value = _("sì") if value else _("no")
    elif isinstance(value, int):
        cell.value = value
        cell.number_format = INT_FORMAT
    elif isinstance(value, float):
        cell.value = value
        cell.number_format = FLOAT_FORMAT
    elif value is not None:
        safe_text(cell, str(value))
        if value in (suppression.SMALL, suppression.HIDDEN):
            cell.alignment = Alignment(horizontal="right")
    if bold:
        cell.font = BOLD
    return cell


def _width(values: Iterable[object]) -> int:
    longest = max((len(str(v)) for v in values if v is not None), default=8)
    return max(10, min(longest + 2, 70))


def _write_table(ws: Worksheet, table: Table[Shown], top: int, widths: dict[int, int]) -> int:
    """Write one table from row ``top``; return the first free row after it."""
    put(ws, top, 1, table.title, bold=True).font = Font(bold=True, size=12)
    header = top + 1
    for c, text in enumerate((table.label_header, *table.columns), start=1):
        cell = put(ws, header, c, text, bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    rows: list[tuple[Row[Shown], bool]] = [(r, False) for r in table.rows]
    if table.total is not None:
        rows.append((table.total, True))
    r = header
    for r, (row, is_total) in enumerate(rows, start=header + 1):
        put(ws, r, 1, row.label, bold=is_total)
        for c, value in enumerate(row.values, start=2):
            put(ws, r, c, value, bold=is_total)
    widths[1] = max(
        widths.get(1, 0), _width([table.label_header, *(row.label for row, _t in rows)])
    )
    for c, text in enumerate(table.columns, start=2):
        widths[c] = max(widths.get(c, 0), min(_width([text]), 24))
    if table.note:  # after a blank row, so that the table ends where its rows do
        put(ws, r + 2, 1, table.note).font = Font(italic=True)
        return r + 4
    return r + 2


def _apply_widths(ws: Worksheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width


def _tables_sheet(wb: Workbook, name: str, tables: Sequence[Table[Shown]]) -> Worksheet:
    ws = wb.create_sheet(name)
    widths: dict[int, int] = {}
    top = 1
    first_header = 2
    for table in tables:
        top = _write_table(ws, table, top, widths)
    _apply_widths(ws, widths)
    ws.freeze_panes = ws.cell(row=first_header + 1, column=2)
    return ws


def chart_rows(table: Table[Shown], column: int = -1) -> tuple[list[Row[Shown]], list[str]]:
    """The rows a chart of ``column`` may plot (their figure is a number) and the labels of
    those it leaves out because the external file hides their figure."""
    shown = [row for row in table.rows if isinstance(row.values[column], int | float)]
    left_out = [row.label for row in table.rows if suppression.is_hidden(row.values[column])]
    return shown, left_out


def _chart_block(
    ws: Worksheet, table: Table[Shown], top: int, column: int = -1
) -> tuple[Reference, Reference, int, list[str]] | None:
    """Copy a table's labels and one column to the summary sheet, for a chart to read: only
    the rows whose figure is visible (a chart never points at "<3" or "n.d."). None when
    nothing is left to plot."""
    rows, left_out = chart_rows(table, column)
    put(ws, top, 1, table.label_header, bold=True).fill = HEADER_FILL
    put(ws, top, 2, table.columns[column], bold=True).fill = HEADER_FILL
    for r, row in enumerate(rows, start=top + 1):
        put(ws, r, 1, row.label)
        put(ws, r, 2, row.values[column])
    last = top + len(rows)
    after = last + 2
    if left_out:
        note = _("Non nel grafico (valori nascosti nella versione esterna): %(rows)s.") % {
            "rows": ", ".join(left_out)
        }
        put(ws, last + 1, 1, note).font = Font(italic=True)
        after = last + 3
    if not rows:
        return None
    labels = Reference(ws, min_col=1, min_row=top + 1, max_row=last)
    data = Reference(ws, min_col=2, min_row=top, max_row=last)
    return labels, data, after, left_out


def _summary_sheet(
    ws: Worksheet, review: Review, tables: dict[str, Table[Shown]], variant: str
) -> None:
    ws.title = _("Sintesi")
    put(ws, 1, 1, _("Activity.Cr · Revisione trimestrale degli sportelli")).font = TITLE
    put(ws, 2, 1, _("Dal %(start)s al %(end)s · %(desks)s") % _period_and_desks(review))
    hidden = hidden_summary_figures(tables) if variant == Variant.EXTERNAL else []
    summary = (
        _(
            "Sintesi omessa nella versione esterna: citerebbe valori che questa versione "
            "nasconde (%(figures)s). Vedere le tabelle."
        )
        % {"figures": "; ".join(hidden)}
        if hidden
        else review.summary
    )
    cell = put(ws, 4, 1, summary)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=12)
    ws.row_dimensions[4].height = 90
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 14

    top = 6
    if "people" in tables:
        top = _write_table(ws, tables["people"], top, {})
    anchor_row = 6
    charts: list[tuple[str, str, str]] = [
        ("age_band", "bar", _("Persone accolte per fascia d'età")),
        ("gender", "pie", _("Persone accolte per genere")),
        ("origin", "bar", _("Persone accolte per provenienza")),
        ("meeting_mode", "bar", _("Colloqui per modalità")),
    ]
    for key, kind, title in charts:
        if key not in tables:
            continue
        block = _chart_block(ws, tables[key], top)
        if block is None:
            top += len(tables[key].rows) + 4
            continue
        labels, data, top, left_out = block
        if left_out:
            title = _("%(title)s (senza %(rows)s: valori nascosti)") % {
                "title": title,
                "rows": ", ".join(left_out),
            }
        chart: BarChart | PieChart
        if kind == "pie":
            chart = PieChart()
        else:
            chart = BarChart()
            chart.type = "bar" if key == "origin" else "col"
            chart.legend = None
            chart.y_axis.title = tables[key].columns[-1]
        chart.title = title
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(labels)
        chart.height, chart.width = 7.5, 15
        ws.add_chart(chart, f"E{anchor_row}")
        anchor_row += 16


# The figures the summary paragraph quotes (reports/summary.py): (table, row, column).
_SUMMARY_FIGURES: tuple[tuple[str, str, int], ...] = (
    ("people", "people", -1),
    ("people", "intakes", -1),
    ("people", "meetings", -1),
    ("people", "accesses", -1),
    ("meetings_mean", "mean", -1),
    ("age_band", "18-35", -1),
    ("origin", "casalasco", -1),
    ("gender", "F", -1),
    ("meeting_shares", "remote", -1),
    ("change", "people", 1),  # the previous period's people
)


def hidden_summary_figures(tables: dict[str, Table[Shown]]) -> list[str]:
    """The summary's figures the external file hides (by row label): the summary stays
    whenever this is empty."""
    hidden = []
    for key, row_key, column in _SUMMARY_FIGURES:
        table = tables.get(key)
        if table is None:
            continue
        for row in table.rows:
            if row.key == row_key and suppression.is_hidden(row.values[column]):
                hidden.append(f"{table.title}: {row.label}")
    return hidden


def _period_and_desks(review: Review) -> dict[str, str]:
    return {
        "start": f"{review.start:%d/%m/%Y}",
        "end": f"{review.end:%d/%m/%Y}",
        "desks": ", ".join(desk.name for desk in review.desks) or _("nessuno sportello"),
    }


def _definitions_sheet(wb: Workbook, tables: dict[str, Table[Shown]], variant: str) -> None:
    ws = wb.create_sheet(_("Definizioni"))
    for c, text in enumerate((_("Tabella"), _("Foglio"), _("Che cosa conta")), start=1):
        put(ws, 1, c, text, bold=True).fill = HEADER_FILL
    sheet_of = {key: str(name) for _k, name, keys in _SHEETS for key in keys}
    r = 1
    for r, table in enumerate(tables.values(), start=2):
        put(ws, r, 1, table.title)
        put(ws, r, 2, sheet_of.get(table.key, _("FSE+")))
        put(ws, r, 3, table.definition).alignment = Alignment(wrap_text=True, vertical="top")
    r += 2
    put(ws, r, 1, _("Segni usati"), bold=True)
    put(ws, r + 1, 1, suppression.SMALL)
    put(ws, r + 1, 3, _("Valore di 1 o 2: nascosto perché potrebbe identificare una persona."))
    put(ws, r + 2, 1, suppression.HIDDEN)
    put(
        ws,
        r + 2,
        3,
        _(
            "Valore non divulgato: un valore di 3 o più nascosto perché dai totali o da "
            "altre tabelle si potrebbe ricavare un valore nascosto (soppressione "
            "secondaria), oppure una media o una percentuale calcolata su un valore nascosto."
        ),
    ).alignment = Alignment(wrap_text=True)
    put(ws, r + 3, 1, _("cella vuota"))
    put(ws, r + 3, 3, _("Dato non calcolabile (ad esempio una percentuale su zero)."))
    if variant == Variant.EXTERNAL:
        lines = [
            *suppression.reader_notes(),
            *((t.title, t.note) for t in tables.values() if t.note),
        ]
        put(ws, r + 5, 1, _("Protezione dei dati (versione esterna)"), bold=True)
        for line, (label, text) in enumerate(lines, start=r + 6):
            put(ws, line, 1, label)
            put(ws, line, 3, text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 110
    ws.freeze_panes = "A2"


def _meta_sheet(
    wb: Workbook, review: Review, *, user: User, variant: str, made_at: dt.datetime
) -> None:
    ws = wb.create_sheet(_("Informazioni"))
    local = timezone.localtime(made_at)
    rows = [
        (_("Periodo"), _("dal %(start)s al %(end)s") % _period_and_desks(review)),
        (_("Sportelli"), _period_and_desks(review)["desks"]),
        (
            _("Periodo precedente (confronto)"),
            f"{review.previous_start:%d/%m/%Y} – {review.previous_end:%d/%m/%Y}",
        ),
        (_("Creato il"), f"{local:%d/%m/%Y %H:%M} ({timezone.get_current_timezone_name()})"),
        (_("Creato da"), user.get_full_name() or user.get_username()),
        (_("Versione"), str(Variant(variant).label)),
        (
            _("Uso"),
            _("Può uscire dal consorzio.")
            if variant == Variant.EXTERNAL
            else _("Solo per uso interno al consorzio: contiene valori piccoli."),
        ),
    ]
    for c, text in enumerate((_("Voce"), _("Valore")), start=1):
        put(ws, 1, c, text, bold=True).fill = HEADER_FILL
    for r, (label, value) in enumerate(rows, start=2):
        put(ws, r, 1, label, bold=True)
        put(ws, r, 2, value)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 70
    ws.freeze_panes = "A2"


def visible_tables(review: Review, *, user: User, variant: str) -> dict[str, Table[Shown]]:
    """The review's tables this user may put in this variant, suppressed when external."""
    special = sees_special_categories(user)
    tables: dict[str, Table[Shown]] = {
        k: t for k, t in review.tables.items() if special or not t.special_category
    }
    if variant == Variant.EXTERNAL:
        tables = suppression.suppress_tables(tables)
    return tables


def build_workbook(
    *,
    review: Review,
    user: User,
    variant: str = Variant.EXTERNAL,
    made_at: dt.datetime | None = None,
) -> Workbook:
    """The workbook for ``review``, as ``user`` may see it, in the given variant."""
    if not may_use_variant(user, variant):
        raise PermissionError("internal variant needs casework.view_all_desks")
    tables = visible_tables(review, user=user, variant=variant)
    wb = Workbook()
    _summary_sheet(wb.active, review, tables, variant)
    for _key, name, keys in _SHEETS:
        chosen = [tables[k] for k in keys if k in tables]
        if chosen:
            _tables_sheet(wb, str(name), chosen)
    esf = [t for k, t in tables.items() if k.startswith(ESF_PREFIX)]
    if esf:
        _tables_sheet(wb, _("FSE+"), esf)
    _definitions_sheet(wb, tables, variant)
    _meta_sheet(wb, review, user=user, variant=variant, made_at=made_at or timezone.now())
    return wb


def workbook_filename(review: Review, *, variant: str, all_desks: bool) -> str:
    """No personal data: the period, the desk selection (slug) and the variant."""
    desks = "all-desks" if all_desks or len(review.desks) != 1 else review.desks[0].slug
    return f"activitycr-review-{period_slug(review.start, review.end)}-{desks}-{variant}.xlsx"
