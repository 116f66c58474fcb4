"""Printable rosters: an attendance sheet with a signature column, and name
cards for the tables (table tents: one A4 landscape sheet per delegate, folded
along its length); and of a session's groups, a card per table (a tent with
its number and topic) and the tables of each round with who sits there.
WeasyPrint lays them out with Pango and HarfBuzz, so Arabic
names come out shaped (joined letters) and right to left."""

from collections.abc import Iterable
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language_bidi

from majlis.bookings.models import Booking
from majlis.events.models import Session
from majlis.groups.models import GroupKind
from majlis.groups.selectors import PlanView


def _render(
    template: str,
    session: Session,
    bookings: Iterable[Booking] = (),
    **context: Any,
) -> bytes:
    zone = session.event.zone
    # Times in the event's zone: the date filters convert to the active zone.
    with timezone.override(zone):
        html = render_to_string(
            template,
            {
                "session": session,
                "event": session.event,
                "bookings": list(bookings),
                "starts": session.starts_at,
                "ends": session.ends_at,
                "rtl": get_language_bidi(),
                **context,
            },
        )
    # Imported here, by the few processes that print: WeasyPrint and the Pango
    # it loads cost each server and email worker about 0.5 s of CPU and
    # 29 MB to start (docs/BENCHMARKS.md in git before 2026-12-05, item 23).
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


def attendance_sheet_pdf(session: Session, bookings: Iterable[Booking]) -> bytes:
    return _render("backoffice/pdf/attendance.html", session, bookings)


def name_cards_pdf(session: Session, bookings: Iterable[Booking]) -> bytes:
    return _render("backoffice/pdf/name_cards.html", session, bookings)


def table_cards_pdf(session: Session, view: PlanView) -> bytes:
    """One table tent per table, its number and (working groups) its topic in
    the active language."""
    plan = view.plan
    tables = [
        {
            "number": number,
            "topic": plan.topic_name(number) if plan.kind == GroupKind.TOPICS else "",
        }
        for number in range(1, plan.tables + 1)
    ]
    return _render("backoffice/pdf/table_cards.html", session, tables=tables)


def round_tables_pdf(session: Session, view: PlanView) -> bytes:
    """Each round on its own pages: every table with who sits there."""
    return _render("backoffice/pdf/round_tables.html", session, view=view)
