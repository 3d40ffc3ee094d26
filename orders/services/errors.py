"""Errors that the orders services raise on requests they cannot carry out.

The API maps `InvalidInputError` to 400 and `ConflictError` (with its
subclasses) to 409.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class OrdersServiceError(Exception):
    """Base class of the errors that the orders services raise."""


class InvalidInputError(OrdersServiceError):
    """Invalid field values; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            " ".join(message for messages in errors.values() for message in messages)
        )


class ConflictError(OrdersServiceError):
    """The current state of an offer, order or listing rejects the request."""


class Unavailability(enum.StrEnum):
    """Reason that a user cannot put a listing in a cart or buy it."""

    SOLD = "sold"
    RESERVED = "reserved"
    HIDDEN = "hidden"
    OWN_LISTING = "own_listing"
    MISSING = "missing"
    BLOCKED = "blocked"


UNAVAILABILITY_TEXT: dict[Unavailability, str] = {
    Unavailability.SOLD: "is already sold",
    Unavailability.RESERVED: "is reserved for another buyer",
    Unavailability.HIDDEN: "is hidden by its seller",
    Unavailability.OWN_LISTING: "is your own listing",
    Unavailability.MISSING: "does not exist or was deleted",
    Unavailability.BLOCKED: (
        "is from a seller you blocked or who blocked you; unblock them first "
        "if you blocked them"
    ),
}


@dataclass(frozen=True)
class UnavailableListing:
    """A listing that a request could not use, with the reason."""

    listing_pk: int
    title: str
    reason: Unavailability

    @property
    def message(self) -> str:
        name = f"Listing {self.listing_pk}"
        if self.title:
            name += f" ({self.title!r})"
        return f"{name} {UNAVAILABILITY_TEXT[self.reason]}."


class ListingsUnavailableError(ConflictError):
    """None of the requested listings could be bought, or added to a cart."""

    def __init__(self, unavailable: Sequence[UnavailableListing]) -> None:
        self.unavailable = list(unavailable)
        super().__init__(" ".join(item.message for item in self.unavailable))
