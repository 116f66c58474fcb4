"""Rosters as files: CSV (UTF-8 with a byte-order mark, which spreadsheet
programs need to read Arabic right) and XLSX (openpyxl). Every cell goes
through ``majlis.core.spreadsheets``, so that no text becomes a formula."""

import io
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from majlis.bookings.models import Booking
from majlis.core.spreadsheets import SpreadsheetCsvWriter, xlsx_append
from majlis.events.models import Session

if TYPE_CHECKING:
    from majlis.backoffice.selectors import Dashboard


def roster_header() -> list[str]:
    return [
        _("Status"),
        _("Position"),
        _("Name"),
        _("Email"),
        _("Organisation"),
        _("Constituency"),
        _("Country"),
        _("Check-in code"),
        _("Checked in"),
        _("Access needs"),
        _("Access needs, in the delegate's words"),
    ]


CHECKED_IN_FORMAT = "%Y-%m-%d %H:%M"
CHECKED_IN_COLUMN = 8
# A roster's cells: a waiting-list position is a number and a check-in the
# event's local time to the minute (naive, as spreadsheets hold times), so
# that an XLSX sorts them as such (as text, "10" came before "2"); a CSV
# writes them out.
RosterCell = str | int | datetime | None


def roster_rows(
    session: Session, bookings: Iterable[Booking]
) -> list[list[RosterCell]]:
    rows: list[list[RosterCell]] = []
    position = 0
    zone = session.event.zone
    for booking in bookings:
        person = booking.participant
        waiting = booking.status == "waitlisted"
        position += waiting
        rows.append(
            [
                str(booking.get_status_display()),
                position if waiting else None,
                person.name,
                person.email,
                person.organisation,
                str(person.get_constituency_display()),
                str(person.get_country_display()) if person.country else "",
                person.checkin_code,
                timezone.localtime(booking.checked_in_at, zone).replace(
                    tzinfo=None, second=0, microsecond=0
                )
                if booking.checked_in_at
                else None,
                ", ".join(booking.access_need_labels()),
                booking.access_needs_note,
            ]
        )
    return rows


def _csv_value(cell: RosterCell) -> str | int:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime(CHECKED_IN_FORMAT)
    return cell


def roster_csv(session: Session, bookings: Iterable[Booking]) -> bytes:
    buffer = io.StringIO()
    writer = SpreadsheetCsvWriter(buffer)
    writer.writerow(roster_header())
    writer.writerows(
        [_csv_value(cell) for cell in row] for row in roster_rows(session, bookings)
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def roster_xlsx(session: Session, bookings: Iterable[Booking]) -> bytes:
    # Imported when a spreadsheet is asked for, not by every process at start.
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table, TableStyleInfo

    workbook = Workbook()
    sheet = workbook.active
    if sheet is None:  # a new workbook always has one sheet
        raise RuntimeError("openpyxl made a workbook without a sheet")
    sheet.title = session.code[:31]
    header = roster_header()
    rows = roster_rows(session, bookings)
    xlsx_append(sheet, header)
    for row in rows:
        xlsx_append(sheet, row)
        if row[CHECKED_IN_COLUMN] is not None:
            checked_in = sheet.cell(row=sheet.max_row, column=CHECKED_IN_COLUMN + 1)
            checked_in.number_format = "yyyy-mm-dd hh:mm"
    if rows:
        last = sheet.cell(row=len(rows) + 1, column=len(header)).coordinate
        table = Table(displayName="Roster", ref=f"A1:{last}")
        table.tableStyleInfo = TableStyleInfo(
            name="TableStyleMedium2", showRowStripes=True
        )
        sheet.add_table(table)
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(
            max(width + 2, 10), 50
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dashboard_csv(figures: "Dashboard") -> bytes:
    """The dashboard's figures, one table after another."""
    buffer = io.StringIO()
    writer = SpreadsheetCsvWriter(buffer)
    writer.writerow(
        [
            _("Session"),
            _("Capacity"),
            _("Confirmed"),
            _("Waiting"),
            _("Checked in"),
            _("No-shows"),
        ]
    )
    for row in figures.sessions:
        writer.writerow(
            [
                row.session.title,
                row.session.capacity,
                row.confirmed,
                row.waiting,
                row.checked_in,
                row.no_shows,
            ]
        )
    delegates, bookings = _("Delegates"), _("Bookings")
    for title, unit, pairs in (
        (_("Constituency"), delegates, figures.by_constituency),
        (_("Region"), delegates, figures.by_region),
        (_("Preferred language"), delegates, figures.by_language),
        (
            _("Bookings per day"),
            bookings,
            [(day.isoformat(), count) for day, count in figures.by_day],
        ),
        (
            # Local hours of the event's zone, with their UTC offset so that an
            # hour a clock change repeats stays two distinct rows.
            _("Bookings per hour"),
            bookings,
            [
                (start.isoformat(timespec="minutes"), count)
                for start, count in figures.by_hour
            ],
        ),
    ):
        writer.writerow([])
        writer.writerow([title, unit])
        writer.writerows(pairs)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
