"""Order states after checkout: arranged, then completed or cancelled."""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from listings.models import Listing
from notifications.models import Notification
from notifications.services import notify_user
from orders.models import Order, OrderItem
from orders.services.errors import ConflictError

logger = logging.getLogger(__name__)


def _lock_arranged(order: Order, *, user: User, action: str) -> Order:
    locked = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
    if user.pk not in (locked.buyer_id, locked.seller_id):
        raise ConflictError(
            f"Only the buyer or the seller can {action} order {locked.pk}."
        )
    if locked.status != Order.Status.ARRANGED:
        raise ConflictError(
            f"Cannot {action} order {locked.pk} because it is {locked.status}; "
            "only an arranged order can change."
        )
    return locked


def _other_party(order: Order, user: User) -> int:
    return order.seller_id if user.pk == order.buyer_id else order.buyer_id


@transaction.atomic
def complete_order(*, order: Order, user: User) -> Order:
    """Record that the item was handed over; either party may do it."""
    locked = _lock_arranged(order, user=user, action="complete")
    locked.status = Order.Status.COMPLETED
    locked.completed_at = timezone.now()
    locked.save(update_fields=["status", "completed_at"])

    notify_user(
        user=_other_party(locked, user),
        kind=Notification.Kind.ORDER_COMPLETED,
        message=f"Order {locked.pk} is completed; you can now rate {user}.",
        data={"order": locked.pk},
    )
    logger.info("Order %s completed by user %s", locked.pk, user.pk)
    return locked


@transaction.atomic
def cancel_order(*, order: Order, user: User) -> Order:
    """Cancel an arranged order and make its listings active again.

    A listing is made active only while it is still sold to this order's
    buyer and in no other order. A listing that staff changed or sold
    elsewhere meanwhile keeps its status. `bumped_at` is left unchanged.
    """
    locked = _lock_arranged(order, user=user, action="cancel")
    items = list(locked.items.filter(is_active=True))
    listing_pks = sorted(item.listing_id for item in items if item.listing_id)
    listings = list(
        Listing.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=listing_pks)
        .order_by("pk")
    )

    now = timezone.now()
    locked.status = Order.Status.CANCELLED
    locked.cancelled_at = now
    locked.cancelled_by = user
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    OrderItem.objects.filter(order=locked).update(is_active=False)

    relisted = [
        listing.pk
        for listing in listings
        if listing.status == Listing.Status.SOLD
        and listing.reserved_for_id == locked.buyer_id
        and not OrderItem.objects.filter(listing=listing, is_active=True).exists()
    ]
    Listing.objects.filter(pk__in=relisted).update(
        status=Listing.Status.ACTIVE, reserved_for=None, updated_at=now
    )

    notify_user(
        user=_other_party(locked, user),
        kind=Notification.Kind.ORDER_CANCELLED,
        message=f"{user} cancelled order {locked.pk}.",
        data={"order": locked.pk},
    )
    logger.info(
        "Order %s cancelled by user %s; listings made active: %s",
        locked.pk,
        user.pk,
        relisted,
    )
    return locked
