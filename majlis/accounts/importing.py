"""Reading a file of registered delegates (CSV or XLSX) into numbered rows,
and the template such a file starts from.

Nothing is written here: ``participant_import_check`` and
``participant_import_rows`` in ``services.py`` judge and import the rows.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from majlis.accounts.services import IMPORT_COLUMNS, ImportRejected, ImportRowError
from majlis.core.exceptions import InvalidInput

Rows = list[tuple[int, dict[str, str]]]
Body = Iterator[tuple[int, list[str]]]
REQUIRED = ("email", "name")
# An Excel file is a zip: its content once unpacked may be this many times the
# largest file accepted (20,000 rows written by openpyxl: 0.5 MB, 8.7 MB
# unpacked), so that a small file cannot unpack into gigabytes.
XLSX_UNPACKED_RATIO = 4


# The template's example row: one value of each kind a row accepts.
TEMPLATE_EXAMPLE = {
    "email": "amina.benali@example.org",
    "name": "Amina Benali",
    "organisation": "Ministry of Labour",
    "constituency": "government",
    "country": "MA",
    "language": "ar",
    "gender": "female",
}


def import_template_csv() -> bytes:
    """A file of delegates to fill in: the header and an example row (UTF-8
    with a byte order mark, which spreadsheet programs read as UTF-8)."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS)
    writer.writerow([TEMPLATE_EXAMPLE[name] for name in IMPORT_COLUMNS])
    return text.getvalue().encode("utf-8-sig")


def import_template_xlsx() -> bytes:
    """The same template as an Excel workbook, every cell text (a country code
    or an address stays as written)."""
    from openpyxl import Workbook

    book = Workbook(write_only=False)
    sheet = book.create_sheet("delegates", 0)
    book.remove(book.worksheets[1])
    sheet.append(list(IMPORT_COLUMNS))
    sheet.append([TEMPLATE_EXAMPLE[name] for name in IMPORT_COLUMNS])
    for column in sheet.iter_cols(min_row=1, max_row=2):
        for cell in column:
            cell.number_format = "@"
        letter = column[0].column_letter
        sheet.column_dimensions[letter].width = 4 + max(
            len(str(cell.value)) for cell in column
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class ImportTooLarge(InvalidInput):
    """A file of delegates above the limits (MAJLIS_IMPORT_MAX_BYTES,
    MAJLIS_IMPORT_MAX_ROWS): nothing of it is imported."""

    code = "import_too_large"


def import_limits() -> dict[str, str | int]:
    """The limits of a file of delegates, formatted for the reader's language
    (``count``: the rows, as a number to choose a plural form)."""
    return {
        "count": settings.MAJLIS_IMPORT_MAX_ROWS,
        "limit": filesizeformat(settings.MAJLIS_IMPORT_MAX_BYTES),
        "rows": number_format(settings.MAJLIS_IMPORT_MAX_ROWS, force_grouping=True),
    }


def import_size_check(size: int) -> None:
    """Raise ``ImportTooLarge`` for a file of ``size`` bytes above the limit,
    before anything reads it."""
    if size > settings.MAJLIS_IMPORT_MAX_BYTES:
        raise ImportTooLarge(
            ngettext(
                "This file is %(size)s: a file of delegates may be at most "
                "%(limit)s, with at most %(rows)s delegate. Split it, then "
                "import each part.",
                "This file is %(size)s: a file of delegates may be at most "
                "%(limit)s, with at most %(rows)s delegates. Split it, then "
                "import each part.",
                settings.MAJLIS_IMPORT_MAX_ROWS,
            )
            % {"size": filesizeformat(size), **import_limits()}
        )


def _too_many_rows() -> ImportTooLarge:
    return ImportTooLarge(
        ngettext(
            "This file holds more than %(rows)s delegate: a file of delegates "
            "may hold at most %(rows)s delegate and be at most %(limit)s. "
            "Split it, then import each part.",
            "This file holds more than %(rows)s delegates: a file of delegates "
            "may hold at most %(rows)s delegates and be at most %(limit)s. "
            "Split it, then import each part.",
            settings.MAJLIS_IMPORT_MAX_ROWS,
        )
        % import_limits()
    )


def read_delegates(filename: str, content: bytes) -> Rows:
    """The rows of a delegates file, each with its line number (the header is
    line 1). Raises ``ImportTooLarge`` for a file above the limits, read no
    further than the first row past them, and ``ImportRejected`` for a file
    that cannot be read or lacks a required column."""
    import_size_check(len(content))
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
        if len(rows) == settings.MAJLIS_IMPORT_MAX_ROWS:
            raise _too_many_rows()
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


def _read_csv(content: bytes) -> tuple[list[str], Body]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _unreadable(_("it is not UTF-8 text")) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise _unreadable(str(error)) from error

    def body() -> Body:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as error:
            raise _unreadable(str(error)) from error

    return header, body()


def _read_xlsx(content: bytes) -> tuple[list[str], Body]:
    # Imported when a workbook arrives, not by every process at start.
    from openpyxl import load_workbook

    not_a_workbook = _("it is not an Excel (.xlsx) workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            # The sizes a zip declares bound what it unpacks to (zipfile
            # stops there), so they are checked before anything is unpacked.
            unpacked = sum(member.file_size for member in package.infolist())
    except zipfile.BadZipFile as error:
        raise _unreadable(not_a_workbook) from error
    most = XLSX_UNPACKED_RATIO * settings.MAJLIS_IMPORT_MAX_BYTES
    if unpacked > most:
        raise ImportTooLarge(
            _(
                "This Excel file unpacks to %(size)s, more than the %(most)s "
                "a file of delegates may hold. Split it, then import each part."
            )
            % {"size": filesizeformat(unpacked), "most": filesizeformat(most)}
        )
    try:
        sheet = load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        ).active
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, ParseError) as error:
        raise _unreadable(not_a_workbook) from error
    if sheet is None:
        raise _unreadable(_("the workbook has no sheet"))
    # A sheet's declared dimensions may claim 16,384 columns; the rows are read
    # as they are written instead of padded to them.
    sheet.reset_dimensions()
    # A member that unpacks to more than it declared fails its checksum
    # (BadZipFile), when the workbook is loaded or while its rows are read.
    lines = sheet.iter_rows(values_only=True)
    try:
        first = next(lines, None)
    except (zipfile.BadZipFile, KeyError, ValueError, ParseError) as error:
        raise _unreadable(not_a_workbook) from error
    if first is None:
        return [], iter(())
    header = [str(cell or "") for cell in first]

    def body() -> Body:
        try:
            for number, row in enumerate(lines, start=2):
                yield number, [str(cell) if cell is not None else "" for cell in row]
        except (zipfile.BadZipFile, KeyError, ValueError, ParseError) as error:
            raise _unreadable(not_a_workbook) from error

    return header, body()
