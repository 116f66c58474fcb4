"""What apps above accounts hear about delegates: a registry, since imports
only go down the layers."""

from django.dispatch import Signal

# Sent inside the transaction that erased delegates' personal data, with
# ``event``, ``participant_ids`` (those erased) and ``addresses``, each erased
# address (lowercase) mapped to the anonymous one that replaces it: an app
# that copied addresses into its own rows (the back office's log of messages)
# replaces them there too, and an app that keeps its own personal data about
# delegates (their topic choices in ``groups``) erases it.
participants_erased = Signal()
