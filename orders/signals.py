"""Signal receivers: the cart merge at sign-in, price-drop notices and
erasure."""

import logging
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from accounts.signals import user_erased
from listings.models import Listing
from notifications.models import Notification
from orders.models import Cart, Favorite, Offer
from orders.services.carts import CART_TOKEN_SESSION_KEY, merge_anonymous_cart
from orders.services.favorites import notify_price_drop
from orders.services.offers import withdraw_offer

logger = logging.getLogger(__name__)

# The attribute that carries a listing's stored price from pre_save to
# post_save.
_PREVIOUS_PRICE_ATTRIBUTE = "_orders_previous_price"


@receiver(user_logged_in, dispatch_uid="orders_merge_anonymous_cart")
def merge_cart_at_sign_in(
    sender: type, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """Merge the session's anonymous cart into the user's cart.

    `login()` replaces the session key before it sends this signal but keeps
    the session data, and the cart token lives in the data, so it is still
    there. It is removed, so the cart cannot be merged twice.
    """
    session = getattr(request, "session", None)
    if session is None:
        return
    token = session.pop(CART_TOKEN_SESSION_KEY, None)
    if isinstance(token, str):
        merge_anonymous_cart(user=user, token=token)


@receiver(pre_save, sender=Listing, dispatch_uid="orders_remember_listing_price")
def remember_listing_price(
    sender: type[Listing],
    instance: Listing,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    if instance.pk is None or kwargs.get("raw"):
        return
    if update_fields is not None and "price" not in update_fields:
        return
    previous = (
        Listing.objects.filter(pk=instance.pk).values("price", "currency").first()
    )
    setattr(instance, _PREVIOUS_PRICE_ATTRIBUTE, previous)


@receiver(post_save, sender=Listing, dispatch_uid="orders_notify_price_drop")
def notify_favorites_of_price_drop(
    sender: type[Listing], instance: Listing, created: bool, **kwargs: Any
) -> None:
    """Notify those who favorited a listing when its price goes down.

    It fires on `Listing.save()`, which the listing services and the admin
    use. NOTE: a queryset `update()` of the price sends no signal, so no
    notification goes out for it.
    """
    previous = instance.__dict__.pop(_PREVIOUS_PRICE_ATTRIBUTE, None)
    if created or previous is None:
        return
    # A change of currency is not a price drop, whatever the amounts.
    if previous["currency"] != instance.currency:
        return
    if instance.price < previous["price"]:
        notify_price_drop(
            listing=instance, old_price=previous["price"], new_price=instance.price
        )


@receiver(user_erased, dispatch_uid="orders_forget_erased_user")
def forget_erased_user(sender: type, user: User, **kwargs: Any) -> None:
    """Drop what only the erased user saw and free what they held.

    Favorites, the cart and notifications go. The user's open offers are
    withdrawn, so a listing reserved for them through an accepted offer is
    active again at once instead of when the hold runs out. Orders stay: the
    other party still needs them, and they show the user as "Deleted user".

    NOTE: offers that other buyers made on the erased user's listings stay
    as they are. Those listings are hidden, so no buyer can act on them.
    """
    Favorite.objects.filter(user=user).delete()
    Cart.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    open_offers = Offer.objects.filter(
        buyer=user,
        status__in=[
            Offer.Status.PENDING,
            Offer.Status.COUNTERED,
            Offer.Status.ACCEPTED,
        ],
    ).order_by("listing_id", "pk")
    for offer in open_offers:
        withdraw_offer(offer=offer, user=user)
