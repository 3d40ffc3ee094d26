"""Server-rendered listing pages."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from listings import selectors
from listings.models import Listing
from moderation.models import Report
from moderation.selectors import has_blocked
from recommender.similar import nearest_listing_pks


def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a listing with its photos, its seller and similar listings."""
    try:
        listing = selectors.get_visible_listing(viewer=request.user, pk=pk)
    except Listing.DoesNotExist as error:
        raise Http404(f"Listing {pk} was not found.") from error

    viewer = request.user
    is_own = viewer.is_authenticated and viewer.pk == listing.seller_id
    seller_blocked = (
        viewer.is_authenticated
        and not is_own
        and has_blocked(blocker=viewer, blocked=listing.seller)
    )
    context = {
        "listing": listing,
        "photos": list(listing.photos.all()),
        "is_own": is_own,
        "seller_blocked": seller_blocked,
        "seller_listings": selectors.other_listings_of_seller(listing=listing),
        "similar_listings": selectors.similar_listings(
            listing=listing,
            viewer=viewer,
            nearest=nearest_listing_pks(listing.pk, selectors.SIMILAR_DEPTH),
        ),
        "report_reasons": Report.Reason.choices,
    }
    return render(request, "listings/detail.html", context)
