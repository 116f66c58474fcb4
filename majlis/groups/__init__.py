"""Forming the groups of a session: World Café rounds, working groups on
topics, teams.

The planner (``majlis.groups.planner`` and the modules it uses) is plain
Python, with no Django and no database: plain dataclasses in, plain
dataclasses out, so that it runs from a CSV roster (``majlis groups plan``),
in tests and benchmarks. ``models`` stores a session's arrangement,
``services`` (one function per change) plans it from the bookings and changes
it, ``selectors`` reads it for the back office's "Groups" page and the
delegates' pages.
This package sits above bookings, accounts and events and below the web
faces: it never imports them (the API, the back office, the site).
"""
