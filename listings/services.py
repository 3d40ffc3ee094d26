"""Write operations on listings: create, edit, delete, bump and status changes.

Every function takes keyword arguments only and runs in one transaction.
Status changes, edits, bumps and deletes lock the listing row
(`select_for_update`) before they read its status, so two concurrent
requests cannot both act on the same old status. Django ignores
`select_for_update` on SQLite, which has no row locks; the tests check the
locking on PostgreSQL.

Permission checks are the caller's job: these functions act on whatever
listing they are given.
"""

import datetime as dt
import enum
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import Neighbourhood, User
from listings.models import Category, Listing, Product
from recommender.models import Interaction

logger = logging.getLogger(__name__)

BUMP_INTERVAL: Final = dt.timedelta(hours=24)
TITLE_MAX_LENGTH: Final = Listing._meta.get_field("title").max_length or 200
DESCRIPTION_MAX_LENGTH: Final = 5000


@dataclass(frozen=True)
class CurrencyRule:
    """Decimal places and maximum price of one ISO 4217 currency."""

    code: str
    decimals: int
    max_price: Decimal


# Prices run from 0 (an item given away) to `max_price`, inclusive. The
# maximums are about the same value in each currency, well above the price
# of any used consumer electronics.
CURRENCIES: Final[dict[str, CurrencyRule]] = {
    rule.code: rule
    for rule in (
        CurrencyRule("EUR", 2, Decimal("100000.00")),
        CurrencyRule("JPY", 0, Decimal("15000000")),
        CurrencyRule("KRW", 0, Decimal("150000000")),
        CurrencyRule("USD", 2, Decimal("100000.00")),
    )
}


class ListingAction(enum.StrEnum):
    """Something a seller does to a listing, checked against its status."""

    EDIT = "edit"
    DELETE = "delete"
    BUMP = "bump"
    RESERVE = "reserve"
    RELEASE = "release"
    SELL = "sell"
    HIDE = "hide"
    UNHIDE = "unhide"


_ACTIVE = Listing.Status.ACTIVE
_RESERVED = Listing.Status.RESERVED
_SOLD = Listing.Status.SOLD
_HIDDEN = Listing.Status.HIDDEN

# The statuses each action is allowed from. A sold listing is final: it
# records a sale, so nothing but staff in the admin can change it.
ALLOWED_FROM: Final[dict[ListingAction, frozenset[str]]] = {
    ListingAction.EDIT: frozenset({_ACTIVE, _RESERVED, _HIDDEN}),
    ListingAction.DELETE: frozenset({_ACTIVE, _RESERVED, _HIDDEN}),
    ListingAction.BUMP: frozenset({_ACTIVE}),
    ListingAction.RESERVE: frozenset({_ACTIVE}),
    ListingAction.RELEASE: frozenset({_RESERVED}),
    ListingAction.SELL: frozenset({_ACTIVE, _RESERVED, _HIDDEN}),
    ListingAction.HIDE: frozenset({_ACTIVE}),
    ListingAction.UNHIDE: frozenset({_HIDDEN}),
}
# The status that each status-changing action leaves the listing in.
TARGET_STATUS: Final[dict[ListingAction, str]] = {
    ListingAction.RESERVE: _RESERVED,
    ListingAction.RELEASE: _ACTIVE,
    ListingAction.SELL: _SOLD,
    ListingAction.HIDE: _HIDDEN,
    ListingAction.UNHIDE: _ACTIVE,
}


class ListingServiceError(Exception):
    """Base class of the errors that these services raise on bad requests."""


class InvalidListingError(ListingServiceError):
    """Invalid field values; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(
            " ".join(message for messages in errors.values() for message in messages)
        )


class ActionNotAllowedError(ListingServiceError):
    """The listing's status does not allow the requested action."""

    def __init__(self, *, listing: Listing, action: ListingAction) -> None:
        self.listing_pk = listing.pk
        self.status = listing.status
        self.action = action
        allowed = ", ".join(sorted(ALLOWED_FROM[action]))
        super().__init__(
            f"Cannot {action} listing {listing.pk} because it is {listing.status}; "
            f"{action} is allowed only when the listing is {allowed}."
        )


class BumpTooSoonError(ListingServiceError):
    """The listing was bumped less than BUMP_INTERVAL ago."""

    def __init__(self, *, listing: Listing, next_bump_at: dt.datetime) -> None:
        self.listing_pk = listing.pk
        self.next_bump_at = next_bump_at
        hours = int(BUMP_INTERVAL.total_seconds() // 3600)
        super().__init__(
            f"Listing {listing.pk} was bumped at {listing.bumped_at.isoformat()}; "
            f"a listing can be bumped once every {hours} hours, so the next bump "
            f"is allowed at {next_bump_at.isoformat()}."
        )


class HiddenByStaffError(ActionNotAllowedError):
    """Staff hid the listing, so its seller cannot unhide it."""

    def __init__(self, *, listing: Listing) -> None:
        self.listing_pk = listing.pk
        self.status = listing.status
        self.action = ListingAction.UNHIDE
        Exception.__init__(
            self,
            f"Listing {listing.pk} was hidden by staff; only staff can make it "
            "visible again. Contact support if you think this is a mistake.",
        )


class _Unset(enum.Enum):
    UNSET = "unset"


# Marks an argument of `update_listing` that the caller did not pass, because
# None is a valid new value for the optional foreign keys.
UNSET: Final = _Unset.UNSET


def default_currency() -> str:
    """Return settings.MARKETPLACE_DEFAULT_CURRENCY if it is supported."""
    code = settings.MARKETPLACE_DEFAULT_CURRENCY
    if code not in CURRENCIES:
        raise ImproperlyConfigured(
            f"MARKETPLACE_DEFAULT_CURRENCY={code!r} is not a supported currency; "
            f"set it to one of {', '.join(CURRENCIES)}."
        )
    return code


def next_bump_at(listing: Listing) -> dt.datetime:
    """Return the earliest time at which `listing` may be bumped again."""
    return listing.bumped_at + BUMP_INTERVAL


def check_price(*, price: Decimal, currency: str) -> Decimal:
    """Return `price` rounded to the currency's decimals, or raise.

    A price must be a finite amount from 0 to the currency's `max_price`
    and carry no more decimals than the currency has: 12.50 USD and
    12.5 USD pass and are stored as 12.50, 12.505 USD and 1500.5 KRW fail.

    Raises:
        InvalidListingError: with the message under "currency" for an
            unsupported currency and under "price" for a bad amount.
    """
    rule = CURRENCIES.get(currency)
    if rule is None:
        raise InvalidListingError(
            {
                "currency": [
                    f"Currency {currency!r} is not supported; use one of the "
                    f"ISO 4217 codes {', '.join(CURRENCIES)}."
                ]
            }
        )
    if not price.is_finite():
        raise InvalidListingError(
            {"price": [f"Price {price} is not a number; send an amount such as 10."]}
        )

    amount_text = f"{price:f} {rule.code}"
    if price < 0:
        raise InvalidListingError(
            {"price": [f"Price {amount_text} is negative; the minimum price is 0."]}
        )
    if price > rule.max_price:
        raise InvalidListingError(
            {
                "price": [
                    f"Price {amount_text} is above the maximum of "
                    f"{rule.max_price:f} {rule.code}."
                ]
            }
        )
    exponent = price.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if decimals > rule.decimals:
        if rule.decimals == 0:
            rule_text = f"{rule.code} prices are whole numbers"
        else:
            rule_text = f"{rule.code} allows at most {rule.decimals} decimal places"
        places = "place" if decimals == 1 else "places"
        raise InvalidListingError(
            {
                "price": [
                    f"Price {amount_text} has {decimals} decimal {places}; {rule_text}."
                ]
            }
        )
    return price.quantize(Decimal(1).scaleb(-rule.decimals))


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise InvalidListingError(
            {"title": [f"Title is blank; enter 1 to {TITLE_MAX_LENGTH} characters."]}
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise InvalidListingError(
            {
                "title": [
                    f"Title has {len(title)} characters; the maximum is "
                    f"{TITLE_MAX_LENGTH}."
                ]
            }
        )
    return title


def _check_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidListingError(
            {
                "description": [
                    f"Description has {len(description)} characters; the "
                    f"maximum is {DESCRIPTION_MAX_LENGTH}."
                ]
            }
        )
    return description


def _check_condition(condition: str) -> str:
    if condition not in Listing.Condition.values:
        raise InvalidListingError(
            {
                "condition": [
                    f"Condition {condition!r} is not valid; use one of "
                    f"{', '.join(Listing.Condition.values)}."
                ]
            }
        )
    return condition


def _check_allowed(listing: Listing, action: ListingAction) -> None:
    if listing.status not in ALLOWED_FROM[action]:
        raise ActionNotAllowedError(listing=listing, action=action)


def _lock(listing: Listing) -> Listing:
    """Return a fresh copy of `listing` with its row locked until commit."""
    return Listing.objects.select_for_update(of=("self",)).get(pk=listing.pk)


@transaction.atomic
def create_listing(
    *,
    seller: User,
    title: str,
    price: Decimal,
    condition: str,
    currency: str | None = None,
    description: str = "",
    product: Product | None = None,
    category: Category | None = None,
    neighbourhood: Neighbourhood | None = None,
) -> Listing:
    """Create an active listing, bumped now.

    The currency defaults to settings.MARKETPLACE_DEFAULT_CURRENCY, and the
    category to the product's category when a product is given.
    """
    currency = default_currency() if currency is None else currency
    if category is None and product is not None:
        category = product.category
    listing = Listing(
        seller=seller,
        title=_check_title(title),
        description=_check_description(description),
        price=check_price(price=price, currency=currency),
        currency=currency,
        condition=_check_condition(condition),
        product=product,
        category=category,
        neighbourhood=neighbourhood,
        status=Listing.Status.ACTIVE,
    )
    listing.save()

    logger.info("Created listing %s for seller %s", listing.pk, seller.pk)
    return listing


@transaction.atomic
def update_listing(
    *,
    listing: Listing,
    title: str | _Unset = UNSET,
    description: str | _Unset = UNSET,
    price: Decimal | _Unset = UNSET,
    currency: str | _Unset = UNSET,
    condition: str | _Unset = UNSET,
    product: Product | _Unset | None = UNSET,
    category: Category | _Unset | None = UNSET,
    neighbourhood: Neighbourhood | _Unset | None = UNSET,
) -> Listing:
    """Change the given fields of a listing that is not sold.

    An edit never changes the status or `bumped_at`, so it does not move the
    listing up the lists. A new price or currency is checked against the
    other, old or new.
    """
    locked = _lock(listing)
    _check_allowed(locked, ListingAction.EDIT)

    changed: list[str] = []
    if not isinstance(title, _Unset):
        locked.title = _check_title(title)
        changed.append("title")
    if not isinstance(description, _Unset):
        locked.description = _check_description(description)
        changed.append("description")
    if not isinstance(condition, _Unset):
        locked.condition = _check_condition(condition)
        changed.append("condition")
    if not isinstance(price, _Unset) or not isinstance(currency, _Unset):
        new_currency = locked.currency if isinstance(currency, _Unset) else currency
        new_price = locked.price if isinstance(price, _Unset) else price
        locked.price = check_price(price=new_price, currency=new_currency)
        locked.currency = new_currency
        changed.extend(["price", "currency"])
    if not isinstance(product, _Unset):
        locked.product = product
        changed.append("product")
    if not isinstance(category, _Unset):
        locked.category = category
        changed.append("category")
    if not isinstance(neighbourhood, _Unset):
        locked.neighbourhood = neighbourhood
        changed.append("neighbourhood")
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])

    logger.info("Updated listing %s: %s", locked.pk, ", ".join(changed) or "nothing")
    return locked


@transaction.atomic
def delete_listing(*, listing: Listing) -> None:
    """Delete a listing that is not sold, with its photos.

    The photo files are deleted after the commit, so a rollback keeps them.
    """
    locked = _lock(listing)
    _check_allowed(locked, ListingAction.DELETE)
    pk = locked.pk
    file_names = [
        name
        for image, thumbnail in locked.photos.values_list("image", "thumbnail")
        for name in (image, thumbnail)
        if name
    ]
    # An interaction keeps its catalog product when its listing goes. One
    # with no product would describe nothing, and the interactions table
    # requires an item, so it goes with the listing.
    Interaction.objects.filter(listing=locked, product__isnull=True).delete()
    locked.delete()
    transaction.on_commit(lambda: delete_stored_files(file_names))

    logger.info("Deleted listing %s of seller %s", pk, locked.seller_id)


def delete_stored_files(names: list[str]) -> None:
    """Delete stored files by name, logging the ones that fail."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Failed to delete stored photo file %s", name)


@transaction.atomic
def bump_listing(*, listing: Listing) -> Listing:
    """Move an active listing to the top of the newest-first lists.

    Raises:
        BumpTooSoonError: when the last bump, or the creation, was less than
            BUMP_INTERVAL ago; the error carries the next allowed time.
    """
    locked = _lock(listing)
    _check_allowed(locked, ListingAction.BUMP)
    now = timezone.now()
    allowed_at = next_bump_at(locked)
    if now < allowed_at:
        raise BumpTooSoonError(listing=locked, next_bump_at=allowed_at)

    locked.bumped_at = now
    locked.save(update_fields=["bumped_at"])

    logger.info("Bumped listing %s", locked.pk)
    return locked


def _change_status(
    listing: Listing,
    action: ListingAction,
    *,
    reserved_for: User | _Unset | None = UNSET,
) -> Listing:
    locked = _lock(listing)
    _check_allowed(locked, action)
    old_status = locked.status

    locked.status = TARGET_STATUS[action]
    update_fields = ["status", "updated_at"]
    if not isinstance(reserved_for, _Unset):
        locked.reserved_for = reserved_for
        update_fields.append("reserved_for")
    locked.save(update_fields=update_fields)

    logger.info(
        "Listing %s: %s, %s -> %s", locked.pk, action, old_status, locked.status
    )
    return locked


@transaction.atomic
def reserve_listing(*, listing: Listing, buyer: User) -> Listing:
    """Hold an active listing for `buyer`, who must be another active user."""
    if buyer.pk == listing.seller_id:
        raise InvalidListingError(
            {
                "buyer": [
                    f"User {buyer.username!r} is the seller of listing "
                    f"{listing.pk}; reserve it for another user."
                ]
            }
        )
    if not buyer.is_active:
        raise InvalidListingError(
            {
                "buyer": [
                    f"User {buyer.username!r} is deactivated; reserve the "
                    "listing for an active user."
                ]
            }
        )
    return _change_status(listing, ListingAction.RESERVE, reserved_for=buyer)


@transaction.atomic
def release_listing(*, listing: Listing) -> Listing:
    """Cancel the reservation of a reserved listing and make it active."""
    return _change_status(listing, ListingAction.RELEASE, reserved_for=None)


@transaction.atomic
def mark_listing_sold(*, listing: Listing) -> Listing:
    """Mark a listing sold; a reserved listing keeps its buyer on record."""
    return _change_status(listing, ListingAction.SELL)


@transaction.atomic
def hide_listing(*, listing: Listing) -> Listing:
    """Hide an active listing from everyone but its seller."""
    return _change_status(listing, ListingAction.HIDE)


@transaction.atomic
def unhide_listing(*, listing: Listing) -> Listing:
    """Make a hidden listing active again, without bumping it.

    Raises:
        HiddenByStaffError: when staff hid the listing; only staff can make
            it visible again.
    """
    locked = _lock(listing)
    if locked.hidden_by_staff:
        raise HiddenByStaffError(listing=locked)
    return _change_status(locked, ListingAction.UNHIDE)
