"""How each language writes dates and times on Majlis pages and in email.

Conference times are written on the 24-hour clock in every language, as the
programme itself does ("16:30-18:30"). Arabic keeps Django's conventions:
Gregorian calendar, the month names of UN Arabic (يناير، فبراير ...) and
Western digits 0-9, which is how Moroccan institutions and UN documents write
dates; see docs/ACCESSIBILITY.md.
"""
