"""Signals that other apps can connect to."""

from django.dispatch import Signal

# Sent after an account is erased, inside the erasing transaction, with
# `user` (the erased row, already scrubbed). Receivers remove or anonymize
# what their app stores about that person.
user_erased = Signal()
