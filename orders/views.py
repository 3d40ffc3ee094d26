"""Server-rendered pages: cart, favorites, offers and orders.

The pages call the same services and selectors as the API; a service
error is shown as a message on the page it came from.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from listings.models import Listing
from orders import selectors, services
from orders.models import Order, Rating


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def cart_page(request: HttpRequest) -> HttpResponse:
    """Show the cart; unavailable listings are listed with the reason."""
    lines = selectors.cart_lines(user=_user(request), session=request.session)
    return render(request, "orders/cart.html", {"lines": lines})


@require_POST
def add_to_cart_page(request: HttpRequest, listing_pk: int) -> HttpResponseRedirect:
    listing = get_object_or_404(
        Listing.objects.exclude(status=Listing.Status.HIDDEN), pk=listing_pk
    )
    try:
        services.add_to_cart(
            user=_user(request), session=request.session, listing=listing
        )
    except services.OrdersServiceError as error:
        messages.error(request, str(error))
    return redirect("orders:cart")


@require_POST
def remove_from_cart_page(
    request: HttpRequest, listing_pk: int
) -> HttpResponseRedirect:
    services.remove_from_cart(
        user=_user(request), session=request.session, listing_pk=listing_pk
    )
    return redirect("orders:cart")


@login_required
@require_POST
def checkout_page(request: HttpRequest) -> HttpResponseRedirect:
    buyer: User = request.user  # type: ignore[assignment]
    try:
        result = services.checkout_cart(buyer=buyer)
    except services.OrdersServiceError as error:
        messages.error(request, str(error))
        return redirect("orders:cart")
    for item in result.unavailable:
        messages.warning(request, f"Not bought: {item.message}")
    messages.success(request, f"{len(result.orders)} order(s) arranged.")
    return redirect("orders:orders")


@login_required
def favorites_page(request: HttpRequest) -> HttpResponse:
    favorites = selectors.favorites_of(user=request.user)  # type: ignore[arg-type]
    return render(request, "orders/favorites.html", {"favorites": favorites})


@login_required
def offers_page(request: HttpRequest) -> HttpResponse:
    offers = selectors.offers_of(user=request.user)  # type: ignore[arg-type]
    return render(request, "orders/offers.html", {"offers": offers})


@login_required
def orders_page(request: HttpRequest) -> HttpResponse:
    orders = selectors.orders_of(user=request.user)  # type: ignore[arg-type]
    return render(request, "orders/orders.html", {"orders": orders})


@login_required
def order_page(request: HttpRequest, order_pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    order = get_object_or_404(selectors.orders_of(user=user), pk=order_pk)
    if request.method == "POST":
        return _act_on_order(request, order, user)
    rated = any(rating.rater_id == user.pk for rating in order.ratings.all())
    return render(
        request,
        "orders/order.html",
        {
            "order": order,
            "other_party": order.seller if user.pk == order.buyer_id else order.buyer,
            "can_rate": order.status == Order.Status.COMPLETED and not rated,
            "tags": Rating.Tag.choices,
        },
    )


def _act_on_order(
    request: HttpRequest, order: Order, user: User
) -> HttpResponseRedirect:
    action = request.POST.get("action")
    try:
        if action == "complete":
            services.complete_order(order=order, user=user)
        elif action == "cancel":
            services.cancel_order(order=order, user=user)
        elif action == "rate":
            score_text = request.POST.get("score", "")
            if not score_text.isdigit():
                messages.error(
                    request,
                    f"Score {score_text!r} is invalid; give a whole number "
                    "from 1 to 5.",
                )
                return redirect("orders:order", order_pk=order.pk)
            services.rate_order(
                order=order,
                rater=user,
                score=int(score_text),
                tags=request.POST.getlist("tags"),
                comment=request.POST.get("comment", ""),
            )
        else:
            messages.error(request, f"Unknown action {action!r}.")
    except services.OrdersServiceError as error:
        messages.error(request, str(error))
    return redirect("orders:order", order_pk=order.pk)
