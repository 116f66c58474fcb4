"""Reading a file of registered delegates (CSV or XLSX) into numbered rows.

Nothing is written here: ``participant_import_check`` and
``participant_import_rows`` in ``services.py`` judge and import the rows.
"""

import csv
import io
import zipfile

from django.utils.translation import gettext as _

from majlis.accounts.services import IMPORT_COLUMNS, ImportRejected, ImportRowError

Rows = list[tuple[int, dict[str, str]]]
REQUIRED = ("email", "name")


def read_delegates(filename: str, content: bytes) -> Rows:
    """The rows of a delegates file, each with its line number (the header is
    line 1). Raises ``ImportRejected`` for a file that cannot be read or lacks
    a required column."""
    if filename.lower().endswith(".xlsx"):
        header, body = _read_xlsx(content)
    else:
        header, body = _read_csv(content)
    columns = [str(name or "").strip().lower() for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ImportRejected(
            [
                ImportRowError(
                    1,
                    _("the header lacks the column(s) %(columns)s")
                    % {"columns": ", ".join(missing)},
                )
            ]
        )
    rows: Rows = []
    for line, values in body:
        if not any(str(value or "").strip() for value in values):
            continue  # blank lines at the end of a sheet
        row = {
            name: str(value if value is not None else "").strip()
            for name, value in zip(columns, values, strict=False)
            if name in IMPORT_COLUMNS
        }
        rows.append((line, row))
    return rows


def _unreadable(reason: str) -> ImportRejected:
    return ImportRejected(
        [
            ImportRowError(
                1, _("the file cannot be read: %(reason)s") % {"reason": reason}
            )
        ]
    )


def _read_csv(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _unreadable(_("it is not UTF-8 text")) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        body = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise _unreadable(str(error)) from error
    return header, body


def _read_xlsx(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    # Imported when a workbook arrives, not by every process at start.
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        ).active
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise _unreadable(_("it is not an Excel (.xlsx) workbook")) from error
    if sheet is None:
        raise _unreadable(_("the workbook has no sheet"))
    lines = list(sheet.iter_rows(values_only=True))
    if not lines:
        return [], []
    header = [str(cell or "") for cell in lines[0]]
    body = [
        (number, [str(cell) if cell is not None else "" for cell in row])
        for number, row in enumerate(lines[1:], start=2)
    ]
    return header, body
