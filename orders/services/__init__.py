"""Write operations of the orders app; each runs in one transaction.

Permission checks that depend on who owns a cart, favorite, offer or
order are made here where they follow from the data (only the seller
may accept a pending offer), and by the views where they are about
visibility (a user looks up only their own rows).
"""

from orders.services.carts import (
    CART_TOKEN_SESSION_KEY,
    add_to_cart,
    find_cart,
    merge_anonymous_cart,
    remove_from_cart,
)
from orders.services.checkout import CheckoutResult, checkout, checkout_cart
from orders.services.errors import (
    ConflictError,
    InvalidInputError,
    ListingsUnavailableError,
    OrdersServiceError,
    Unavailability,
    UnavailableListing,
)
from orders.services.favorites import add_favorite, notify_price_drop, remove_favorite
from orders.services.lifecycle import cancel_order, complete_order
from orders.services.offers import (
    accept_offer,
    counter_offer,
    decline_offer,
    make_offer,
    release_expired_holds,
    withdraw_offer,
)
from orders.services.ratings import compute_trust_score, rate_order

__all__ = [
    "CART_TOKEN_SESSION_KEY",
    "CheckoutResult",
    "ConflictError",
    "InvalidInputError",
    "ListingsUnavailableError",
    "OrdersServiceError",
    "Unavailability",
    "UnavailableListing",
    "accept_offer",
    "add_favorite",
    "add_to_cart",
    "cancel_order",
    "checkout",
    "checkout_cart",
    "complete_order",
    "compute_trust_score",
    "counter_offer",
    "decline_offer",
    "find_cart",
    "make_offer",
    "merge_anonymous_cart",
    "notify_price_drop",
    "rate_order",
    "release_expired_holds",
    "remove_favorite",
    "remove_from_cart",
    "withdraw_offer",
]
