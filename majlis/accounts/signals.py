"""What apps above accounts hear about delegates: a registry, since imports
only go down the layers."""

from django.dispatch import Signal

# Sent inside the transaction that erased delegates' personal data, with
# ``event`` and ``addresses``, each erased address (lowercase) mapped to the
# anonymous one that replaces it: an app that copied addresses into its own
# rows (the back office's log of messages) replaces them there too.
participants_erased = Signal()
