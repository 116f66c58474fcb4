"""The Django admin's pages, part of the back office: the event and its
sessions (capacity and times through the booking services) and staff roles."""

from majlis.backoffice.admin import sessions, staff

__all__ = ["sessions", "staff"]
