"""The admin's import and export formats (``IMPORT_EXPORT_FORMATS`` in settings).

Text a spreadsheet could run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) must stay text. The resources' ``TextWidget`` writes it with a
leading apostrophe, which is how a csv cell says "text" and which the import strips again.
In an xlsx file that apostrophe would be a visible part of the value ("'+39 0375 …"):
:class:`XLSX` writes those cells as they are, as string cells with Excel's *quote prefix*
(what the review workbook does, ``reports/workbook.py``), so that no cell is a formula and
editing one in Excel keeps it text. The csv format is django-import-export's own.

Settings import this module: it imports nothing of the project.
"""

from __future__ import annotations

import re
import warnings
from io import BytesIO
from typing import Any

from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60
_NOT_IN_SHEET_TITLES = re.compile(r"[\\*?:/\[\]]")


def inert_text(value: str) -> str | None:
    """The text to write with the quote prefix, or ``None`` for an ordinary value."""
    if value[:1] == "'" and value[1:2] and value[1:2] in FORMULA_PREFIXES:
        return value[1:]  # TextWidget's csv escape: the quote prefix takes its place
    if value.startswith(FORMULA_PREFIXES):
        return value
    return None


class XLSX(base_formats.XLSX):
    """django-import-export's xlsx (same reading, same look: bold header row, frozen below
    it, columns as wide as their content), with quote-prefixed text instead of ``'``."""

    def export_data(self, dataset: Any, **kwargs: Any) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.title = _NOT_IN_SHEET_TITLES.sub("-", dataset.title or "Tablib Dataset")[:31]
        rows = [dataset.headers, *dataset] if dataset.headers else list(dataset)
        widths: dict[int, int] = {}
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)  # as the package
            for r, values in enumerate(rows, 1):
                for c, value in enumerate(values, 1):
                    try:
                        self._write(sheet.cell(row=r, column=c), value)
                    except IllegalCharacterError:
                        # The package's answer, without the value (it could be reflected).
                        raise ValueError("export failed due to IllegalCharacterError") from None
                    widths[c] = max(widths.get(c, 0), len(str(value or "")))
        if dataset.headers:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
        for c, width in widths.items():
            sheet.column_dimensions[get_column_letter(c)].width = min(width + 2, MAX_COLUMN_WIDTH)
        stream = BytesIO()
        book.save(stream)
        return stream.getvalue()

    @staticmethod
    def _write(cell: Any, value: Any) -> None:
        text = inert_text(value) if isinstance(value, str) else None
        if text is None:
            cell.value = value
            return
        cell.value = text
        cell.data_type = "s"  # openpyxl takes "=..." for a formula: never
        cell.quotePrefix = True


# The admin hands native values (dates as dates, numbers as numbers) only to the formats in
# BINARY_FORMATS, tested by exact type (import_export/admin.py, get_export_data): list ours.
if XLSX not in base_formats.BINARY_FORMATS:
    base_formats.BINARY_FORMATS.append(XLSX)
