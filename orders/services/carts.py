"""Carts of signed-in users and of anonymous sessions, and their merge.

An anonymous cart is found through a random token in the session data.
Signing in merges it into the user's cart and deletes it. Signing out
flushes the session and the token with it, so the next visitor of that
browser starts with an empty cart.
"""

import datetime as dt
import logging
import secrets
from typing import Final

from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from listings.models import Listing
from moderation.selectors import blocked_user_ids
from orders.models import Cart, CartItem
from orders.services.availability import find_unavailability
from orders.services.errors import ListingsUnavailableError, UnavailableListing
from orders.services.interactions import record_interactions
from recommender.models import Interaction

logger = logging.getLogger(__name__)

# The session-data key of the anonymous cart's token.
CART_TOKEN_SESSION_KEY: Final = "orders_cart_token"


def find_cart(*, user: User | None, session: SessionBase | None) -> Cart | None:
    """Return the cart of a signed-in user or of an anonymous session."""
    if user is not None:
        return Cart.objects.filter(user=user).first()
    if session is None:
        return None
    token = session.get(CART_TOKEN_SESSION_KEY)
    if not isinstance(token, str):
        return None
    return Cart.objects.filter(session_token=token, user__isnull=True).first()


def _get_or_create_cart(*, user: User | None, session: SessionBase | None) -> Cart:
    if user is not None:
        cart, _ = Cart.objects.get_or_create(user=user)
        return cart
    if session is None:
        raise ValueError("An anonymous cart needs a session.")
    existing = find_cart(user=None, session=session)
    if existing is not None:
        return existing
    token = secrets.token_urlsafe(32)
    session[CART_TOKEN_SESSION_KEY] = token
    return Cart.objects.create(session_token=token)


@transaction.atomic
def add_to_cart(
    *, user: User | None, session: SessionBase | None, listing: Listing
) -> tuple[CartItem, bool]:
    """Put a listing in the cart; return the item and whether it is new.

    `user` is None for an anonymous visitor, whose cart lives in `session`.
    Only a listing that the visitor could buy now goes in: an active
    listing of another seller, or one reserved for this user.

    Raises:
        ListingsUnavailableError: with the reason the listing cannot go in.
    """
    reason = find_unavailability(
        listing,
        buyer_pk=user.pk if user else None,
        blocked_seller_pks=blocked_user_ids(user) if user else (),
    )
    if reason is not None:
        raise ListingsUnavailableError(
            [UnavailableListing(listing.pk, listing.title, reason)]
        )

    cart = _get_or_create_cart(user=user, session=session)
    item, created = CartItem.objects.get_or_create(cart=cart, listing=listing)
    # A fresh `updated_at` keeps the stale-cart cleanup off a cart in use.
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    if created and user is not None:
        record_interactions(user=user, listings=[listing], kind=Interaction.Kind.CART)
    logger.info("Listing %s added to cart %s", listing.pk, cart.pk)
    return item, created


@transaction.atomic
def remove_from_cart(
    *, user: User | None, session: SessionBase | None, listing_pk: int
) -> bool:
    """Take a listing out of the cart; return False when it was not there."""
    cart = find_cart(user=user, session=session)
    if cart is None:
        return False
    deleted, _ = CartItem.objects.filter(cart=cart, listing_id=listing_pk).delete()
    return deleted > 0


@transaction.atomic
def merge_anonymous_cart(*, user: User, token: str) -> int:
    """Move the anonymous cart with `token` into `user`'s cart.

    Listings already in the user's cart and the user's own listings are
    skipped, and the anonymous cart is deleted. Returns the number of
    listings added. Only the cart whose token the signing-in session
    carries is read, so no other visitor's cart can be pulled in.
    """
    anonymous = (
        Cart.objects.select_for_update()
        .filter(session_token=token, user__isnull=True)
        .first()
    )
    if anonymous is None:
        return 0

    cart = _get_or_create_cart(user=user, session=None)
    present = set(cart.items.values_list("listing_id", flat=True))
    moved: list[Listing] = []
    for item in anonymous.items.select_related("listing"):
        if item.listing_id in present or item.listing.seller_id == user.pk:
            continue
        try:
            with transaction.atomic():
                CartItem.objects.create(cart=cart, listing=item.listing)
        except IntegrityError:
            # A concurrent request of the same user added it meanwhile.
            continue
        moved.append(item.listing)
    anonymous_pk = anonymous.pk
    anonymous.delete()

    record_interactions(user=user, listings=moved, kind=Interaction.Kind.CART)
    logger.info(
        "Merged anonymous cart %s into the cart of user %s: %s listing(s)",
        anonymous_pk,
        user.pk,
        len(moved),
    )
    return len(moved)


def remove_listings_from_cart(*, user: User, listing_pks: list[int]) -> None:
    """Take bought listings out of the buyer's cart."""
    CartItem.objects.filter(cart__user=user, listing_id__in=listing_pks).delete()


def delete_stale_anonymous_carts(*, older_than: dt.timedelta) -> int:
    """Delete anonymous carts unchanged for `older_than` and return the count.

    Once its session has expired, no request can reach an anonymous cart,
    so the caller passes at least the session lifetime.
    """
    cutoff = timezone.now() - older_than
    _, per_model = Cart.objects.filter(
        user__isnull=True, updated_at__lt=cutoff
    ).delete()
    count = per_model.get(Cart._meta.label, 0)
    logger.info("Deleted %s anonymous cart(s) unchanged since %s", count, cutoff)
    return count
